"""Facet values, dates and field lengths as compact NumPy arrays, read once per index state.

Whoosh counts a facet by reading every matching document's values through
Python objects, so counting four facets over thousands of matches costs tens
of milliseconds, and more as the archive grows. Here each facet is a pair of
arrays, one (document, value ordinal) entry per value a document carries, kept
sorted by value (a filter reads its values' documents) and by document (a
count reads the values of the documents on the smaller side of the search:
those it keeps, or those it leaves out; see :mod:`.counting`), so neither
passes over every entry.

Segments never change once written (only their deletions do, and deleted
documents never match), so the arrays are read per segment and kept by
segment id: after an incremental commit only the new segment is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy as np
from whoosh.reading import IndexReader

from indexer.index.postings import field_lengths, term_postings, term_text
from indexer.index.schema import DATE_FIELD, MONTH_FIELD, UNDATED_FIELD, facet_value
from indexer.search.counting import DocSet, ValuesByDocument, gather, starts_of

# The month facet's value for articles without a date: selected and excluded like any month,
# and ranked below every month, so it comes after the oldest.
UNDATED = "Undated"


@dataclass(frozen=True)
class SegmentArrays:
    """One segment's facet entries (local document numbers, local ordinals) and dates."""

    size: int
    values: dict[str, tuple[str, ...]]  # facet field -> the segment's values, by local ordinal
    entry_docs: dict[str, np.ndarray]
    entry_values: dict[str, np.ndarray]
    dates: np.ndarray  # sortable integer form of each document's date (zero when undated)
    undated: np.ndarray  # bool
    lengths: dict[str, np.ndarray]  # scored field -> each document's length in it, for ranking


def read_segment(reader: IndexReader, fields: Sequence[str], scored: Sequence[str] = ()) -> SegmentArrays:
    """The arrays of one segment, read from its posting lists and sortable columns."""
    size = reader.doc_count_all()
    values: dict[str, tuple[str, ...]] = {}
    entry_docs: dict[str, np.ndarray] = {}
    entry_values: dict[str, np.ndarray] = {}
    for field in fields:
        names: list[str] = []
        docs: list[np.ndarray] = []
        if field in reader.indexed_field_names():
            for term in reader.lexicon(field):
                postings = term_postings(reader, field, term)[0].astype(np.int32)
                if len(postings):
                    names.append(facet_value(term_text(term)))
                    docs.append(postings)
        values[field] = tuple(names)
        entry_docs[field] = np.concatenate(docs) if docs else np.zeros(0, np.int32)
        entry_values[field] = np.repeat(np.arange(len(names), dtype=np.int32), [len(d) for d in docs])
    undated = _column(reader, UNDATED_FIELD, size, np.uint8).astype(bool)
    # An undated document's date is whatever its segment's column holds for none (a default, or
    # zero in a segment with no dates at all): made zero, so undated documents tie and keep
    # index order however the index was cut into segments.
    dates = np.where(undated, 0, _column(reader, DATE_FIELD, size, np.uint64)).astype(np.uint64)
    return SegmentArrays(
        size,
        values,
        entry_docs,
        entry_values,
        dates=dates,
        undated=undated,
        lengths={field: field_lengths(reader, field) for field in scored},
    )


def _column(reader: IndexReader, field: str, size: int, dtype: type) -> np.ndarray:
    if not reader.has_column(field):
        return np.zeros(size, dtype)
    return np.fromiter(reader.column_reader(field, translate=False), dtype=dtype, count=size)


class FacetColumn:
    """One facet over the whole index: value ordinals per document, counted with NumPy."""

    def __init__(self, values: tuple[str, ...], entry_docs: np.ndarray, entry_values: np.ndarray, size: int) -> None:
        self.values = values
        self.ordinals = {value: ordinal for ordinal, value in enumerate(values)}
        # The entries by value and by document, so a filter reads its values' documents and a
        # count reads its documents' values, rather than every entry: over a million articles
        # a pass over a facet's entries took 15 ms, a search counts several facets, and most
        # searches keep a small share of the articles (or leave out a small share).
        by_value = np.argsort(entry_values, kind="stable")
        self._value_docs = entry_docs[by_value]
        self._value_starts = starts_of(entry_values, len(values))
        self.by_document = ValuesByDocument.of(entry_docs, entry_values, size, len(values))
        self.entry_docs = self.by_document.docs  # by document
        self.entry_values = self.by_document.values
        # Ties in count are broken by the value, ignoring case; months sort by value.
        self.by_name = _ranks(sorted(range(len(values)), key=lambda i: (values[i].lower(), values[i])))
        self.by_value = _ranks(sorted(range(len(values)), key=lambda i: (values[i] != UNDATED, values[i])))

    def docs_with(self, values: Iterable[str], size: int) -> np.ndarray:
        """A mask of the documents that carry any of ``values``."""
        mask = np.zeros(size, bool)
        mask[self._docs_of([self.ordinals[v] for v in values if v in self.ordinals])] = True
        return mask

    def docs_with_all(self, values: Iterable[str], size: int) -> np.ndarray:
        """A mask of the documents that carry every one of ``values`` (none when one is not in the index).

        A document holds each of its values once, so it carries them all when it
        has as many entries among them as there are values: one ``bincount``
        over the entries, however many values are asked for.
        """
        wanted = list(dict.fromkeys(values))
        if not wanted or any(v not in self.ordinals for v in wanted):
            return np.zeros(size, bool)
        docs = self._docs_of([self.ordinals[v] for v in wanted])
        return np.bincount(docs, minlength=size)[:size] == len(wanted)

    def counts(self, docs: np.ndarray) -> ValueCounts:
        """How many of the documents in the mask ``docs`` carry each value."""
        return self.counts_in(DocSet.of(docs))

    def counts_in(self, side: DocSet) -> ValueCounts:
        """How many of the documents of ``side`` carry each value (see :mod:`.counting`)."""
        return ValueCounts(self, self.by_document.counts(side))

    def _docs_of(self, ordinals: Sequence[int]) -> np.ndarray:
        """The documents carrying each of the values ``ordinals``, one after another."""
        return gather(self._value_docs, self._value_starts, np.asarray(ordinals, dtype=np.int64))


class ValueCounts:
    """A facet's counts over one set of documents: the top values, or any value's count."""

    def __init__(self, column: FacetColumn, counts: np.ndarray) -> None:
        self.column = column
        self.array = counts
        self.present = np.flatnonzero(counts)

    def __len__(self) -> int:
        return len(self.present)

    def get(self, value: str, default: int = 0) -> int:
        ordinal = self.column.ordinals.get(value)
        return default if ordinal is None else int(self.array[ordinal])

    def top(self, limit: int, order: str = "count") -> list[tuple[str, int]]:
        """The ``limit`` values that rank first: most frequent ("count") or highest value ("newest")."""
        present = self.present
        if order == "newest":
            ranked = present[np.argsort(-self.column.by_value[present], kind="stable")]
        else:
            ranked = present[np.lexsort((self.column.by_name[present], -self.array[present]))]
        return [(self.column.values[i], int(self.array[i])) for i in ranked[:limit]]

    def as_dict(self) -> dict[str, int]:
        return {self.column.values[i]: int(self.array[i]) for i in self.present}


class FacetColumns:
    """Every facet column, the live documents and the dates of one index state."""

    def __init__(
        self,
        segments: Sequence[SegmentArrays],
        fields: Sequence[str],
        deleted: Sequence[Iterable[int]],
        scored: Sequence[str] = (),
    ) -> None:
        offsets = np.cumsum([0] + [segment.size for segment in segments])
        self.size = int(offsets[-1])
        self.alive = np.ones(self.size, bool)
        for offset, gone in zip(offsets, deleted, strict=False):
            self.alive[np.fromiter(gone, dtype=np.int64) + offset] = False
        # Handed out as the match of every query that asks for everything: read-only.
        self.alive.flags.writeable = False
        self.dates = np.concatenate([s.dates for s in segments]) if segments else np.zeros(0, np.uint64)
        self.undated = np.concatenate([s.undated for s in segments]) if segments else np.zeros(0, bool)
        self.columns = {field: _merge(segments, offsets, field) for field in fields}
        if MONTH_FIELD in self.columns:
            self.columns[MONTH_FIELD] = _with_undated(self.columns[MONTH_FIELD], self.undated)
        self._counts_of_all: dict[str, ValueCounts] = {}
        self.lengths = {
            field: np.concatenate([s.lengths[field] for s in segments]) if segments else np.zeros(0, np.float32)
            for field in scored
        }
        # Undated documents come last whichever way dates run; ties keep index order.
        self.newest_first = np.lexsort((-self._date_rank(), self.undated))
        self.oldest_first = np.lexsort((self._date_rank(), self.undated))

    @cached_property
    def newest_date(self) -> int:
        """The newest live dated document's date (sortable integer form), 0 when none is dated:
        asked by every search, and a pass over every document's date."""
        dated = self.alive & ~self.undated
        return int(self.dates[dated].max()) if dated.any() else 0

    def _date_rank(self) -> np.ndarray:
        # uint64 cannot be negated; the rank of each date can.
        return np.unique(self.dates, return_inverse=True)[1].astype(np.int64)

    def column(self, field: str) -> FacetColumn:
        return self.columns[field]

    def counts(self, field: str, docs: np.ndarray) -> ValueCounts:
        """A facet's counts over the documents in the mask ``docs``."""
        return self.columns[field].counts(docs)

    def counts_in(self, field: str, docs: DocSet) -> ValueCounts:
        """A facet's counts over ``docs``, whose smaller side is worked out once for every facet."""
        return self.columns[field].counts_in(docs)

    def counts_of_all(self, field: str) -> ValueCounts:
        """A facet's counts over every live document (browsing everything, the type-ahead):
        the same for every request on this index state, so counted once and kept."""
        if field not in self._counts_of_all:
            self._counts_of_all[field] = self.columns[field].counts(self.alive)
        return self._counts_of_all[field]

    def dated_between(self, low: int | None, high: int | None) -> np.ndarray:
        """A mask of the dated documents with ``low <= date <= high`` (sortable integer form)."""
        mask = ~self.undated
        if low is not None:
            mask &= self.dates >= np.uint64(low)
        if high is not None:
            mask &= self.dates <= np.uint64(high)
        return mask

    def in_order(self, docs: np.ndarray, order: str) -> np.ndarray:
        """Document numbers of the mask ``docs``, newest or oldest first."""
        ranking = self.newest_first if order == "newest" else self.oldest_first
        return ranking[docs[ranking]]


def sortable_date(field, value: datetime) -> int:
    """``value`` in the integer form the index's date column keeps."""
    return int(field.to_column_value(value))


def _merge(segments: Sequence[SegmentArrays], offsets: np.ndarray, field: str) -> FacetColumn:
    ordinals: dict[str, int] = {}
    docs, entries = [], []
    for segment, offset in zip(segments, offsets, strict=False):
        local = segment.values[field]
        remap = np.array([ordinals.setdefault(v, len(ordinals)) for v in local], dtype=np.int32)
        docs.append(segment.entry_docs[field] + np.int32(offset))
        entries.append(remap[segment.entry_values[field]] if len(local) else segment.entry_values[field])
    empty = np.zeros(0, np.int32)
    return FacetColumn(
        tuple(ordinals),
        np.concatenate(docs) if docs else empty,
        np.concatenate(entries) if entries else empty,
        int(offsets[-1]),
    )


def _with_undated(months: FacetColumn, undated: np.ndarray) -> FacetColumn:
    """The month column with one more value, :data:`UNDATED`, carried by every undated document.

    The index gives an undated article no month term; adding the entries here, from the
    undated column, lets it be counted, selected and excluded as a month is, with no
    reindex of what is already indexed.
    """
    docs = np.flatnonzero(undated).astype(months.entry_docs.dtype)
    if not len(docs):
        return months
    ordinal = np.full(len(docs), len(months.values), dtype=months.entry_values.dtype)
    return FacetColumn(
        (*months.values, UNDATED),
        np.concatenate([months.entry_docs, docs]),
        np.concatenate([months.entry_values, ordinal]),
        len(undated),
    )


def _ranks(order: list[int]) -> np.ndarray:
    ranks = np.empty(len(order), np.int64)
    ranks[order] = np.arange(len(order))
    return ranks
