"""Whoosh's on-disk format with posting blocks that NumPy reads whole.

Ranking a query reads whole posting lists (every match's document number and
term frequency). Whoosh's own codec pickles each block of 128 postings as
Python tuples, with each posting's word positions as a bytes object of its own,
compressed together: reading a list means unpickling every position too, about
0.8 microseconds a posting. Over a million articles a common word holds most of
a million postings, so a query's first reading of it took most of a second.

This codec keeps Whoosh's file layout (the block headers, skipping, terms,
columns and every reader and merger work unchanged) and changes what a block's
data holds: the document number gaps and the weights as compressed arrays of
fixed width, and the positions as one compressed string with their lengths, so
the numbers and weights are read without touching the positions, and into
arrays without a Python object per posting. Blocks hold 512 postings, which
quarters the per-block work of reading a list whole.

Segments record the codec that wrote them: an index written by Whoosh's own
codec is read as before, and its segments take this format as they are merged.
"""

from __future__ import annotations

import zlib

import numpy as np
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.index import Index
from whoosh.writing import SegmentWriter

BLOCK_POSTINGS = 512
LEVEL = 3  # zlib's level, as Whoosh's codec compresses
_IDS = np.dtype("<u4")
_WEIGHTS = np.dtype("<f4")


class ArrayCodec(W3Codec):
    """Whoosh's codec, with term posting blocks written and read as arrays (see the module)."""

    def __init__(self, blocklimit: int = BLOCK_POSTINGS, compression: int = 0, inlinelimit: int = 1) -> None:
        # The blocks' parts are compressed one by one; Whoosh's whole-block compression is off.
        super().__init__(blocklimit, compression, inlinelimit)

    def postings_writer(self, dbfile, byteids: bool = False):
        if byteids:  # term vectors: Whoosh's own blocks, as its vector reader expects
            return W3PostingsWriter(dbfile, blocklimit=128, byteids=True, compression=LEVEL)
        return ArrayPostingsWriter(dbfile, blocklimit=self._blocklimit, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


def index_writer(ix: Index, **options) -> SegmentWriter:
    """A writer of ``ix`` whose new segments (merged ones included) take :class:`ArrayCodec`'s format."""
    return SegmentWriter(ix, codec=ArrayCodec(), **options)


class ArrayPostingsWriter(W3PostingsWriter):
    """Writes a block's document numbers, weights and positions as arrays (see the module)."""

    def __init__(self, postfile, blocklimit: int, inlinelimit: int = 1) -> None:
        super().__init__(postfile, blocklimit, byteids=False, compression=0, inlinelimit=inlinelimit)

    def _mini_ids(self) -> bytes:
        ids = np.asarray(self._ids, dtype=np.int64)
        return zlib.compress(np.diff(ids, prepend=0).astype(_IDS).tobytes(), LEVEL)

    def _mini_weights(self) -> bytes | float | None:
        weights = np.asarray(self._weights, dtype=_WEIGHTS)
        if (weights == 1.0).all():
            return None
        if (weights == weights[0]).all():
            return float(weights[0])
        return zlib.compress(weights.tobytes(), LEVEL)

    def _mini_values(self):
        fixed = self._format.fixed_value_size()
        values = self._values
        if fixed is not None and fixed >= 0:
            return super()._mini_values()
        if len(values) != len(self._ids) or not all(isinstance(v, bytes) for v in values):
            return list(values)  # kept as Whoosh keeps them (a list marks the kind)
        lengths = np.fromiter(map(len, values), dtype=_IDS, count=len(values))
        return (zlib.compress(b"".join(values), LEVEL), zlib.compress(lengths.tobytes(), LEVEL))


class ArrayLeafMatcher(W3LeafMatcher):
    """Reads :class:`ArrayPostingsWriter`'s blocks: one at a time through Whoosh's matcher
    interface, or as arrays (:meth:`block_ids`, :meth:`block_weights`) for reading a list whole."""

    def block_ids(self) -> np.ndarray:
        """The current block's document numbers (within the segment), ascending."""
        if self._data is None:
            self._read_data()
        gaps = np.frombuffer(zlib.decompress(self._data[0]), dtype=_IDS)
        return np.cumsum(gaps, dtype=np.int64)

    def block_weights(self) -> np.ndarray:
        """The current block's weights (term frequencies), float32."""
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if weights is None:
            return np.ones(self._blocklength, _WEIGHTS)
        if isinstance(weights, float):
            return np.full(self._blocklength, weights, _WEIGHTS)
        return np.frombuffer(zlib.decompress(weights), dtype=_WEIGHTS)

    def _read_ids(self) -> None:
        self._ids = self.block_ids().tolist()

    def _read_weights(self) -> None:
        self._weights = self.block_weights().tolist()

    def _read_values(self) -> None:
        fixed = self._fixedsize
        if fixed is not None and fixed >= 0:
            super()._read_values()
            return
        if self._data is None:
            self._read_data()
        values = self._data[2]
        if isinstance(values, list):
            self._values = tuple(values)
            return
        joined = zlib.decompress(values[0])
        lengths = np.frombuffer(zlib.decompress(values[1]), dtype=_IDS).astype(np.int64)
        ends = np.cumsum(lengths)
        starts = (ends - lengths).tolist()
        self._values = tuple(joined[start:end] for start, end in zip(starts, ends.tolist(), strict=True))
