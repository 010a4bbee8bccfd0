"""Matching and ranking with NumPy: which documents a query matches, and their BM25F scores.

The queries people type parse into terms joined by AND, OR and NOT. For
those, the matched documents are a mask and the scores an array over all
document numbers, computed from posting lists read in bulk; the ranking is
Whoosh's own BM25F (same formula, same statistics), so results come in the
order Whoosh would give them. Other query kinds (phrases, prefixes, fuzzy
terms, ranges) are matched by Whoosh, which then ranks them itself.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from math import log

import numpy as np
from whoosh.query import And, AndNot, Every, Not, Or, Query, Term
from whoosh.searching import Searcher

from indexer.index.postings import term_postings
from indexer.search.columns import FacetColumns
from indexer.search.query import asks_for_everything, is_null_query

K1 = 1.2  # Whoosh's BM25F defaults
B = 0.75
# Recent terms' postings are kept up to this many postings in all (8 bytes each), or this
# many per document of a larger index: over 50,000 articles the postings of the benchmark's
# sixty queries and their feedback words come to 18 a document, and a common word's list
# grows with the index, so a fixed number of postings holds fewer terms the larger it is.
TERM_CACHE_POSTINGS = 4_000_000
TERM_CACHE_POSTINGS_PER_DOCUMENT = 24

FREQUENCIES_KEPT = 200_000  # terms' document frequencies kept (about 100 bytes each)
# The best of many scores are found above a bound from a sample of this many per best one
# (see :func:`kth_largest`), with this many more of the sample above the bound.
SAMPLE_PER_BEST = 16
SAMPLE_MARGIN = 8

Postings = tuple[np.ndarray, np.ndarray]  # document numbers and weights of one term


class PostingCache:
    """Recent terms' postings of one index state, shared by every thread that searches it.

    A posting list never changes within a state, so one decoded by any thread serves all.
    With a cache per thread, each of a server's threads decoded a query's terms again the
    first time it met them (70 to 150 ms a query where a warm one takes 6 to 10, over
    50,000 articles), so most answers of a server with eight threads were cold. The lock
    is held only to look a list up, add it or evict the oldest, never while one is read,
    so no search waits on another's reading (two threads may read a new term once each).
    """

    def __init__(self, limit: int = TERM_CACHE_POSTINGS) -> None:
        self.limit = limit
        self._terms: OrderedDict[tuple[str, str], Postings] = OrderedDict()
        self._postings = 0
        self._lock = threading.Lock()
        # Each term's document frequency: a few bytes a term, and never wrong within a state.
        self.frequencies: dict[tuple[str, str], int] = {}

    @classmethod
    def for_documents(cls, documents: int) -> PostingCache:
        """A cache sized for an index of ``documents`` documents."""
        return cls(max(TERM_CACHE_POSTINGS, TERM_CACHE_POSTINGS_PER_DOCUMENT * documents))

    def get(self, key: tuple[str, str]) -> Postings | None:
        with self._lock:
            found = self._terms.get(key)
            if found is not None:
                self._terms.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], postings: Postings) -> None:
        with self._lock:
            if key in self._terms:
                return
            self._terms[key] = postings
            self._postings += len(postings[0])
            while self._postings > self.limit and len(self._terms) > 1:
                self._postings -= len(self._terms.popitem(last=False)[1][0])


class Unsupported(Exception):
    """A query kind evaluated by Whoosh's matcher rather than over arrays."""


@dataclass(frozen=True)
class Matches:
    """The live documents a query matches.

    ``by_arrays`` says the query was matched here, so :meth:`QueryEvaluator.scores`
    ranks it; otherwise Whoosh matched it and ranks it itself. ``everything`` says
    the query asked for every document (it had no words), so results are listed by
    date and counts over all documents apply.
    """

    mask: np.ndarray  # bool per document: matched and live
    by_arrays: bool = True
    everything: bool = False


class QueryEvaluator:
    """Evaluates queries over one snapshot's documents through one thread's searcher, keeping
    recent terms' postings in ``cache`` (shared by the snapshot's threads; one of its own by default)."""

    def __init__(self, searcher: Searcher, columns: FacetColumns, cache: PostingCache | None = None) -> None:
        self.searcher = searcher
        self.columns = columns
        self.leaves = searcher.reader().leaf_readers()
        self.cache = cache if cache is not None else PostingCache()
        self._id_type = np.int32 if columns.size < 2**31 else np.int64

    def matches(self, query: Query) -> Matches:
        """The live documents ``query`` matches.

        Only the mask: a query of words is ranked by :mod:`.ranking`'s own scores, so
        Whoosh's are worked out (:meth:`scores`) only for the queries ranked by them.
        """
        if asks_for_everything(query):
            return Matches(self.columns.alive, everything=True)
        try:
            mask = self._mask(query)
        except Unsupported:
            mask = self._none()
            mask[np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)] = True
            return Matches(mask, by_arrays=False)
        return Matches(mask & self.columns.alive)

    def scores(self, query: Query) -> np.ndarray:
        """Each document's BM25F score for ``query`` as Whoosh scores it (0 where not matched),
        for a query :meth:`matches` matched over arrays."""
        boost = getattr(query, "boost", 1.0)
        if isinstance(query, Term) and query.fieldname in self.columns.lengths:
            scores = self._term_scores(query.fieldname, query.text)
        elif isinstance(query, And | Or):
            wanted = [q for q in query.subqueries if not isinstance(q, Not)]
            scores = np.add.reduce([self.scores(q) for q in wanted]) if wanted else self._zeros()
        elif isinstance(query, AndNot):
            scores = self.scores(query.a)
        else:  # everything, nothing
            scores = self._zeros()
        return scores * boost if boost != 1.0 else scores

    def _mask(self, query: Query) -> np.ndarray:
        if isinstance(query, Term) and query.fieldname in self.columns.lengths:
            mask = self._none()
            mask[self.postings(query.fieldname, query.text)[0]] = True
            return mask
        if isinstance(query, And):
            mask = self.columns.alive.copy()
            for q in query.subqueries:
                if isinstance(q, Not):
                    mask &= ~self._mask(q.query)
                else:
                    mask &= self._mask(q)
            return mask
        if isinstance(query, Or) and getattr(query, "scale", None) is None:
            masks = [self._mask(q) for q in query.subqueries]
            return np.logical_or.reduce(masks) if masks else self._none()
        if isinstance(query, AndNot):
            return self._mask(query.a) & ~self._mask(query.b)
        if isinstance(query, Every):
            return self.columns.alive.copy()
        if is_null_query(query):
            return self._none()
        raise Unsupported(type(query).__name__)

    def _term_scores(self, field: str, text: str) -> np.ndarray:
        ids, weights = self.postings(field, text)
        scores = self._zeros()
        if len(ids):
            scores[ids] = self._bm25(field, text, weights, self.columns.lengths[field][ids])
        return scores

    def _bm25(self, field: str, text: str, weights: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Whoosh's BM25F: its idf, its average field length, its length approximation."""
        reader = self.searcher.reader()
        idf = log(reader.doc_count_all() / (self.doc_frequency(field, text) + 1)) + 1
        average = self.searcher.avg_field_length(field) or 1
        return idf * (weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * lengths / average))

    def doc_frequency(self, field: str, text: str) -> int:
        """How many documents hold the term, as Whoosh's idf counts them; kept with the postings,
        since Whoosh looks each one up on disk (a fifth of a millisecond, some twenty a query)."""
        key = (field, text)
        found = self.cache.frequencies.get(key)
        if found is None:
            if len(self.cache.frequencies) >= FREQUENCIES_KEPT:
                self.cache.frequencies.clear()
            found = self.cache.frequencies[key] = self.searcher.reader().doc_frequency(field, text)
        return found

    def postings(self, field: str, text: str) -> Postings:
        """Document numbers (ascending, deleted ones included) and weights of one term; recent terms are kept."""
        key = (field, text)
        found = self.cache.get(key)
        if found is not None:
            return found
        parts = [term_postings(leaf, field, text) for leaf, _ in self.leaves]
        ids = np.concatenate([p[0] + offset for p, (_, offset) in zip(parts, self.leaves, strict=True)])
        ids = ids.astype(self._id_type, copy=False)  # half the memory a cached list takes
        weights = np.concatenate([p[1] for p in parts])
        ids.flags.writeable = weights.flags.writeable = False  # shared by threads: never changed
        self.cache.put(key, (ids, weights))
        return ids, weights

    def positions(self, field: str, text: str, docnums: Sequence[int]) -> dict[int, np.ndarray]:
        """Where the term occurs (word positions) in each of ``docnums`` (ascending) that holds it.

        Read from the posting list one document at a time, skipping to each: for
        the hundred documents ranking reads closely, not for every match.
        """
        found: dict[int, np.ndarray] = {}
        for leaf, offset in self.leaves:
            local = [d - offset for d in docnums if offset <= d < offset + leaf.doc_count_all()]
            if not local or (field, text) not in leaf:
                continue
            matcher = leaf.postings(field, text)
            if not matcher.supports("positions"):
                continue
            for docnum in local:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found[docnum + offset] = np.asarray(matcher.value_as("positions"), dtype=np.int64)
        return found

    def _none(self) -> np.ndarray:
        return np.zeros(self.columns.size, bool)

    def _zeros(self) -> np.ndarray:
        return np.zeros(self.columns.size, np.float64)


def top_documents(mask: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
    """Document numbers of the ``limit`` best-scoring documents in ``mask``, best first;
    equal scores in document order, as Whoosh orders them."""
    candidates = np.flatnonzero(mask)
    if len(candidates) > limit:
        # Keep every candidate scoring at least the limit-th best, ties included.
        values = scores[candidates]
        candidates = candidates[values >= kth_largest(values, limit)]
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order[:limit]]


def kth_largest(values: np.ndarray, k: int) -> float:
    """The ``k``-th largest of ``values`` (``0 < k <= len(values)``).

    Over a broad query's matches (nine in ten of a million articles) a selection
    over every score was a tenth of the query. So the values above a bound taken
    from an even sample are selected from instead: the bound is the sample's
    value with twice as many above it as the ``k`` best would put there, plus a
    margin, so the ``k`` best are above it unless the scores are laid out very
    unevenly, and then (fewer than ``k`` above it) every value is selected from.
    """
    count = len(values)
    step = count // (SAMPLE_PER_BEST * k)
    if step >= 2:
        sample = values[::step]
        place = min(len(sample), 2 * (len(sample) * k // count) + SAMPLE_MARGIN)
        bound = np.partition(sample, len(sample) - place)[len(sample) - place]
        above = values[values >= bound]
        if len(above) >= k:
            return float(np.partition(above, len(above) - k)[len(above) - k])
    return float(np.partition(values, count - k)[count - k])
