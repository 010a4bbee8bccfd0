"""Whoosh's posting lists and field lengths read in bulk into NumPy arrays.

Whoosh hands out postings one at a time through several Python calls each,
which is most of the cost of a broad query. Its on-disk format keeps them in
blocks of document numbers and weights; blocks written by the project's own
codec (:mod:`.codec`) are read as arrays, and for the matcher of the exact Whoosh
version the project pins, whole blocks are read at once. Any other matcher
(short lists kept inline in the term index, another Whoosh version) is read
through Whoosh's public interface: a change in Whoosh costs speed, never
correctness.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.util.numeric import _length_byte_cache

from indexer.index.codec import ArrayLeafMatcher

_EMPTY_IDS = np.zeros(0, np.int64)
_EMPTY_WEIGHTS = np.zeros(0, np.float32)
# Whoosh keeps a field's length per document as one byte on a logarithmic scale.
_BYTE_TO_LENGTH = np.array(_length_byte_cache[:256], dtype=np.float32)


def term_text(term: str | bytes) -> str:
    """A term as text: Whoosh hands out lexicon terms as UTF-8 bytes, query terms as str."""
    return term.decode("utf-8") if isinstance(term, bytes) else term


def term_postings(reader: IndexReader, field: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers (ascending) and weights of one term in one segment.

    Deleted documents are included: callers mask them out with the live-document mask.
    """
    try:
        matcher = reader.postings(field, text)
    except TermNotFound:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    if isinstance(matcher, FilterMatcher):  # the deletion filter; the live mask does its work
        matcher = matcher.child
    if isinstance(matcher, ArrayLeafMatcher):
        return _by_block(matcher, _array_block)
    if isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "_read_ids"):
        return _by_block(matcher, _whoosh_block)
    return _one_by_one(matcher)


def _by_block(
    matcher: W3LeafMatcher, block: Callable[[W3LeafMatcher], tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """Every block's document numbers and weights, each block read by ``block``."""
    ids, weights = [], []
    while not matcher._atend:
        block_ids, block_weights = block(matcher)
        ids.append(block_ids)
        weights.append(block_weights)
        matcher._next_block()
    if not ids:
        return _EMPTY_IDS, _EMPTY_WEIGHTS
    return np.concatenate(ids), np.concatenate(weights)


def _array_block(matcher: ArrayLeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    return matcher.block_ids(), matcher.block_weights()


def _whoosh_block(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    matcher._read_ids()
    matcher._read_weights()
    return np.asarray(matcher._ids, dtype=np.int64), np.asarray(matcher._weights, dtype=np.float32)


def _one_by_one(matcher: Matcher) -> tuple[np.ndarray, np.ndarray]:
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)


def field_lengths(reader: IndexReader, field: str) -> np.ndarray:
    """Every document's length in ``field`` (in words, as Whoosh's scoring sees it)."""
    size = reader.doc_count_all()
    column = _lengths_column(reader, field)
    if column is not None:
        raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
        lengths = np.zeros(size, np.float32)
        lengths[: len(raw)] = _BYTE_TO_LENGTH[raw[:size]]
        return lengths
    return np.array([reader.doc_field_length(docnum, field) or 0 for docnum in range(size)], dtype=np.float32)


def _lengths_column(reader: IndexReader, field: str):
    """Whoosh's fixed-width column of length bytes, when this reader keeps one we can read whole."""
    perdoc = getattr(reader, "_perdoc", None)
    try:
        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    except AttributeError:
        return None
    if column is None or not all(hasattr(column, name) for name in ("_dbfile", "_basepos", "_count")):
        return None
    return column if getattr(column, "_fixedlen", 1) == 1 else None
