"""The reading side of the index: open searchers per committed state, reused.

Opening a Whoosh index reads its table of contents and opens every segment;
doing that per request costs more than most searches. A snapshot keeps the
searchers of one committed state of the served generation open, with the
facet arrays and the word lists read from that state, and is replaced as soon
as a reindex commits or swaps in a new generation.

Whoosh reads a file by seeking its one shared file object and then reading,
so two threads reading through one searcher can read each other's bytes.
Searches used to take turns on one lock for that, and one slow search (33 s
for ``*a*``) made every other request wait behind it. Now each thread reads
through a searcher of its own, opened on the same segments as the snapshot's
(:func:`indexer.index.readers.reopen`), so every thread sees the same state
and no search waits for another. What the threads share is read once under a
lock and never changed afterwards: the facet arrays, the word lists and the
recent terms' posting lists.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from whoosh.searching import Searcher

from indexer.errors import IndexNotFoundError
from indexer.index.readers import reopen
from indexer.index.schema import PLAIN_FIELD, QUERY_FIELDS
from indexer.index.store import IndexStore
from indexer.search.budget import SEARCH_SECONDS, BudgetedSearcher
from indexer.search.columns import FacetColumns, SegmentArrays, read_segment
from indexer.search.matching import PostingCache, QueryEvaluator
from indexer.search.vocabulary import Vocabulary, segment_words

T = TypeVar("T")
READ_ATTEMPTS = 5


class IndexSnapshot:
    """One committed state of the index: a searcher per thread, its facet arrays and word lists."""

    def __init__(
        self,
        searcher: Searcher,
        state: tuple[Path, int],
        fields: Sequence[str],
        scored: Sequence[str],
        segment_cache: dict[tuple[str, str], SegmentArrays],
        word_cache: dict[tuple[str, str], dict[str, int]] | None = None,
        budget_seconds: float = SEARCH_SECONDS,
    ) -> None:
        self.state = state
        self.fields = tuple(fields)
        self.scored = tuple(scored)
        self.budget_seconds = budget_seconds
        # The searcher the snapshot was opened with reads the shared arrays, under _setup only.
        self._base = searcher
        self._segment_cache = segment_cache
        self._word_cache = word_cache if word_cache is not None else {}
        self._columns: FacetColumns | None = None
        self._vocabularies: dict[str, Vocabulary] = {}
        # Every thread's evaluator reads and fills it; sized by the index, as its lists are.
        self._postings = PostingCache.for_documents(searcher.reader().doc_count_all())
        self._setup = threading.Lock()
        self._local = threading.local()
        self._opened: list[Searcher] = [searcher]
        self._users = 0
        self._retired = False
        self._count_lock = threading.Lock()
        # A service dropped without close() still closes its files when collected.
        self._close_searchers = weakref.finalize(self, _close_all, self._opened, self._count_lock)

    @property
    def searcher(self) -> BudgetedSearcher:
        """This thread's searcher over this state, opened on its first use."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = BudgetedSearcher(reopen(self._base.reader()))
            with self._count_lock:
                self._opened.append(searcher)
            self._local.searcher = searcher
        return searcher

    @property
    def columns(self) -> FacetColumns:
        """The facet arrays of this state, read on first use and shared by every thread."""
        if self._columns is None:
            with self._setup:
                if self._columns is None:
                    self._columns = self._read_columns()
        return self._columns

    @property
    def evaluator(self) -> QueryEvaluator:
        """Matching and ranking over this state's arrays through this thread's searcher,
        with the postings of the terms any thread read recently."""
        evaluator = getattr(self._local, "evaluator", None)
        if evaluator is None:
            evaluator = self._local.evaluator = QueryEvaluator(self.searcher, self.columns, self._postings)
        return evaluator

    def vocabulary(self, field: str) -> Vocabulary:
        """The words a pattern in ``field`` is looked up in: the words as written for
        title and body, the indexed values for a facet; read on first use and shared."""
        source = PLAIN_FIELD if field in QUERY_FIELDS else field
        found = self._vocabularies.get(source)
        if found is None:
            columns = self.columns if source != PLAIN_FIELD else None
            with self._setup:
                found = self._vocabularies.get(source)
                if found is None:
                    found = self._vocabularies[source] = self._read_vocabulary(source, columns)
        return found

    def _read_vocabulary(self, field: str, columns: FacetColumns | None) -> Vocabulary:
        if columns is not None:  # a facet: its values as indexed, with their counts
            if field not in columns.columns:
                return Vocabulary({})
            return Vocabulary(columns.counts_of_all(field).as_dict())
        parts, keep = [], {}
        for leaf, _ in self._base.reader().leaf_readers():
            segment = leaf.segment()
            key = (self.state[0].name, segment.segment_id()) if segment is not None else None
            words = self._word_cache.get(key) if key else None
            if words is None:
                words = segment_words(leaf, field)
            if key:
                keep[key] = words
            parts.append(words)
        self._word_cache.clear()
        self._word_cache.update(keep)
        return Vocabulary.merged(parts)

    def _read_columns(self) -> FacetColumns:
        segments, deleted, keep = [], [], {}
        for leaf, _ in self._base.reader().leaf_readers():
            segment = leaf.segment()
            key = (self.state[0].name, segment.segment_id()) if segment is not None else None
            arrays = self._segment_cache.get(key) if key else None
            if arrays is None:
                arrays = read_segment(leaf, self.fields, self.scored)
            if key:
                keep[key] = arrays
            segments.append(arrays)
            deleted.append(leaf.deleted_docs_set if leaf.has_deletions() else ())
        # Only the segments of the newest state are worth keeping.
        self._segment_cache.clear()
        self._segment_cache.update(keep)
        return FacetColumns(segments, self.fields, deleted, self.scored)

    def run(self, work: Callable[[IndexSnapshot], T]) -> T:
        """``work`` on this state, within the time budget of one request; no other call waits for it.

        The facet arrays are read first, outside the budget: they are read once per index
        state for every request after, and over a million articles take longer than one
        request's budget, so the first search after a rebuild would otherwise be refused.
        """
        _ = self.columns
        with self.searcher.budget(self.budget_seconds):
            return work(self)

    def acquire(self) -> None:
        with self._count_lock:
            self._users += 1

    def release(self) -> None:
        with self._count_lock:
            self._users -= 1
            close = self._retired and self._users == 0
        if close:
            self._close()

    def retire(self) -> None:
        """Close once the last caller using this state is done."""
        with self._count_lock:
            self._retired = True
            close = self._users == 0
        if close:
            self._close()

    def _close(self) -> None:
        self._close_searchers()


def _close_all(searchers: list[Searcher], lock: threading.Lock) -> None:
    with lock:
        opened, searchers[:] = list(searchers), []
    for searcher in opened:
        searcher.close()


class Snapshots:
    """The current snapshot of an :class:`IndexStore`, opened again when the index changes."""

    def __init__(
        self,
        store: IndexStore,
        fields: Sequence[str],
        scored: Sequence[str] = (),
        budget_seconds: float = SEARCH_SECONDS,
    ) -> None:
        self.store = store
        self.fields = tuple(fields)
        self.scored = tuple(scored)
        self._current: IndexSnapshot | None = None
        self._lock = threading.Lock()
        self._segment_cache: dict[tuple[str, str], SegmentArrays] = {}
        self._word_cache: dict[tuple[str, str], dict[str, int]] = {}
        self.budget_seconds = budget_seconds  # each call's time budget (see :mod:`.budget`)

    def read(self, work: Callable[[IndexSnapshot], T]) -> T:
        """Run ``work`` on the current snapshot; again on a fresh one if a commit raced it.

        A searcher that lazily opens a file just as a writer's commit replaces
        it finds the file gone; a fresh snapshot sees the new, complete state,
        so a few quick retries hide the race from users.
        """
        for attempt in range(1, READ_ATTEMPTS + 1):
            snapshot = self._acquire()
            try:
                return snapshot.run(work)
            except FileNotFoundError:
                if attempt == READ_ATTEMPTS:
                    raise
                self._drop(snapshot)
            finally:
                snapshot.release()
            time.sleep(0.02 * attempt)
        raise AssertionError("unreachable")  # the loop returns or raises

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.retire()
                self._current = None

    def _acquire(self) -> IndexSnapshot:
        for attempt in range(1, READ_ATTEMPTS + 1):
            try:
                state = self.store.served_state()
                with self._lock:
                    if self._current is None or self._current.state != state:
                        self._replace(state)
                    snapshot = self._current
                    snapshot.acquire()
                    return snapshot
            except (IndexNotFoundError, FileNotFoundError):
                # A swap or commit under way; no index at all is reported at once.
                if attempt == READ_ATTEMPTS or not self.store.has_pointer():
                    raise
            time.sleep(0.02 * attempt)
        raise AssertionError("unreachable")

    def _replace(self, state: tuple[Path, int]) -> None:
        searcher = self.store.open_searcher()
        old, self._current = (
            self._current,
            IndexSnapshot(
                searcher, state, self.fields, self.scored, self._segment_cache, self._word_cache, self.budget_seconds
            ),
        )
        if old is not None:
            old.retire()

    def _drop(self, snapshot: IndexSnapshot) -> None:
        with self._lock:
            if self._current is snapshot:
                self._current = None
                snapshot.retire()
