"""The reading side of the index: one open searcher per committed state, reused.

Opening a Whoosh index reads its table of contents and opens every segment;
doing that per request costs more than most searches. A snapshot keeps one
searcher open for one committed state of the served generation, with the
facet arrays read from that same searcher, and is replaced as soon as a
reindex commits or swaps in a new generation.

Whoosh searchers are not made to be shared between threads, so calls on one
snapshot take turns; searching is pure Python and holds the interpreter lock
anyway, so taking turns costs next to nothing.
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
from indexer.index.store import IndexStore
from indexer.search.columns import FacetColumns, SegmentArrays, read_segment
from indexer.search.matching import QueryEvaluator

T = TypeVar("T")
READ_ATTEMPTS = 5


class IndexSnapshot:
    """One committed state of the index: its searcher and its facet arrays."""

    def __init__(
        self,
        searcher: Searcher,
        state: tuple[Path, int],
        fields: Sequence[str],
        scored: Sequence[str],
        segment_cache: dict[tuple[str, str], SegmentArrays],
    ) -> None:
        self.searcher = searcher
        self.state = state
        self.fields = tuple(fields)
        self.scored = tuple(scored)
        self._segment_cache = segment_cache
        self._columns: FacetColumns | None = None
        self._turn = threading.RLock()
        self._users = 0
        self._retired = False
        self._count_lock = threading.Lock()
        self._evaluator: QueryEvaluator | None = None
        # A service dropped without close() still closes its files when collected.
        self._close_searcher = weakref.finalize(self, searcher.close)

    @property
    def columns(self) -> FacetColumns:
        """The facet arrays of this state, read on first use (under the caller's turn)."""
        if self._columns is None:
            self._columns = self._read_columns()
        return self._columns

    @property
    def evaluator(self) -> QueryEvaluator:
        """Matching and ranking over this state's arrays, with its recent terms' postings."""
        if self._evaluator is None:
            self._evaluator = QueryEvaluator(self.searcher, self.columns)
        return self._evaluator

    def _read_columns(self) -> FacetColumns:
        segments, deleted, keep = [], [], {}
        for leaf, _ in self.searcher.reader().leaf_readers():
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
        with self._turn:
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
        with self._turn:
            self._close_searcher()


class Snapshots:
    """The current snapshot of an :class:`IndexStore`, opened again when the index changes."""

    def __init__(self, store: IndexStore, fields: Sequence[str], scored: Sequence[str] = ()) -> None:
        self.store = store
        self.fields = tuple(fields)
        self.scored = tuple(scored)
        self._current: IndexSnapshot | None = None
        self._lock = threading.Lock()
        self._segment_cache: dict[tuple[str, str], SegmentArrays] = {}

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
            IndexSnapshot(searcher, state, self.fields, self.scored, self._segment_cache),
        )
        if old is not None:
            old.retire()

    def _drop(self, snapshot: IndexSnapshot) -> None:
        with self._lock:
            if self._current is snapshot:
                self._current = None
                snapshot.retire()
