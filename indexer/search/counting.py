"""Counting a facet's values over a set of documents, with the work of the smaller side.

A search counts every facet over the documents it keeps, and over a million
articles a pass over a facet's entries takes several milliseconds a facet. So
a count reads the smaller side of the search (the documents it keeps, or those
it leaves out, subtracted from the totals) through each document's values:

- the first values of every document are arrays over the documents ("slots"),
  so counting them is one gather and one ``bincount`` a slot. A facet has as
  many slots as most documents fill: one for a source or a month, where every
  document has one value, or an event, where few have two; up to three for
  companies, where most stories name two or three;
- the values past the slots belong to the few documents with more: read through
  those documents' entries when the side is small, or in one pass over all of
  them, with the mask, when it is large (following each document's entries
  costs some ten times a pass over one entry).

A facet with few entries against the side (technologies, events, over a broad
query) is counted in one pass over its entries instead. Every way gives the
counts a pass over every entry would: tests/test_columns.py compares them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_SLOTS = 3
# A slot more while more than this share of the documents carries more values than the slots.
OVERFLOW_SHARE = 0.25
# Following one document's entries past the slots costs about as much as this many entries
# of a pass over all of them (measured over a million articles, for companies and events).
GATHER_COST = 12


@dataclass(frozen=True)
class DocSet:
    """A mask of documents with the document numbers of its smaller side: those in it
    (``inside``), or those outside it. Worked out once and counted by every facet."""

    mask: np.ndarray
    smaller: np.ndarray
    inside: bool

    @classmethod
    def of(cls, mask: np.ndarray) -> DocSet:
        held = int(np.count_nonzero(mask))
        if 2 * held <= len(mask):
            return cls(mask, np.flatnonzero(mask), True)
        return cls(mask, np.flatnonzero(~mask), False)


@dataclass(frozen=True)
class ValuesByDocument:
    """One facet's values by document: its entries sorted by document, the first values of
    each document in slots, and the entries past them."""

    values_count: int
    docs: np.ndarray  # every entry's document, ascending
    values: np.ndarray  # and its value ordinal
    slots: tuple[np.ndarray, ...]  # a value ordinal per document, or values_count where it has no more
    extra_docs: np.ndarray  # the entries past the slots, by document
    extra_values: np.ndarray
    extra_starts: np.ndarray  # where each document's entries past the slots start among them
    overflowing: np.ndarray  # bool per document: it has entries past the slots
    overflowing_count: int  # how many do: a count's cost model asks it every search
    slot_totals: np.ndarray  # each value's count in the slots over every document
    extra_totals: np.ndarray  # and past them

    @classmethod
    def of(cls, entry_docs: np.ndarray, entry_values: np.ndarray, size: int, values_count: int) -> ValuesByDocument:
        """The layout of the entries ``(entry_docs[i], entry_values[i])`` over ``size`` documents."""
        by_doc = np.argsort(entry_docs, kind="stable")
        docs, values = entry_docs[by_doc], entry_values[by_doc]
        starts = starts_of(docs, size)
        held = np.diff(starts)
        slots = []
        for place in range(slot_count(held)):
            slot = np.full(size, values_count, np.int32)
            has = held > place
            slot[has] = values[starts[:-1][has] + place]
            slots.append(slot)
        place_in_doc = np.arange(len(docs)) - np.repeat(starts[:-1], held)
        extra = place_in_doc >= len(slots)
        extra_docs, extra_values = docs[extra], values[extra]
        overflowing = held > len(slots)
        return cls(
            values_count,
            docs,
            values,
            tuple(slots),
            extra_docs,
            extra_values,
            starts_of(extra_docs, size),
            overflowing,
            int(np.count_nonzero(overflowing)),
            sum((np.bincount(slot, minlength=values_count + 1)[:values_count] for slot in slots), _zeros(values_count)),
            np.bincount(extra_values, minlength=values_count),
        )

    def counts(self, side: DocSet) -> np.ndarray:
        """How many documents of ``side`` carry each value."""
        if len(side.smaller) * len(self.slots) > len(self.docs):  # few entries: one pass over them
            return _bincount(self.values, side.mask[self.docs], self.values_count)
        in_slots = _zeros(self.values_count + 1)
        for slot in self.slots:
            in_slots += np.bincount(slot[side.smaller], minlength=self.values_count + 1)
        counted = in_slots[: self.values_count]
        return (counted if side.inside else self.slot_totals - counted) + self._extra_counts(side)

    def _extra_counts(self, side: DocSet) -> np.ndarray:
        # The side's documents with values past the slots, expected from their share of all.
        followed = len(side.smaller) * self.overflowing_count / max(1, len(self.overflowing))
        if followed * GATHER_COST > len(self.extra_values):
            return _bincount(self.extra_values, side.mask[self.extra_docs], self.values_count)
        more = side.smaller[self.overflowing[side.smaller]]
        counted = np.bincount(gather(self.extra_values, self.extra_starts, more), minlength=self.values_count)
        return counted if side.inside else self.extra_totals - counted


def slot_count(held: np.ndarray) -> int:
    """How many slots a facet gets whose documents carry ``held`` values each: one more while
    more than :data:`OVERFLOW_SHARE` of the documents would have values past them."""
    slots = min(1, int(held.max(initial=0)))
    while slots < MAX_SLOTS and np.count_nonzero(held > slots) > OVERFLOW_SHARE * len(held):
        slots += 1
    return slots


def starts_of(keys: np.ndarray, count: int) -> np.ndarray:
    """Where each key's entries start among the entries sorted by key, and where the last ends."""
    starts = np.zeros(count + 1, np.int64)
    np.cumsum(np.bincount(keys, minlength=count)[:count], out=starts[1:])
    return starts


def gather(sorted_entries: np.ndarray, starts: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """The entries of each of ``keys`` (with ``starts`` from :func:`starts_of`), one key after another."""
    first, lengths = starts[keys], starts[keys + 1] - starts[keys]
    if not len(keys) or not lengths.any():
        return sorted_entries[:0]
    # Each entry's position: its key's start, plus its place among that key's entries.
    within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return sorted_entries[np.repeat(first, lengths) + within]


def _bincount(values: np.ndarray, kept: np.ndarray, count: int) -> np.ndarray:
    # Weighted by the mask rather than selected with it: no array of the kept values is made.
    return np.bincount(values, weights=kept, minlength=count).astype(np.int64)


def _zeros(count: int) -> np.ndarray:
    return np.zeros(count, np.int64)
