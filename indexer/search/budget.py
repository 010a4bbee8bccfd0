"""Every search has a time budget, and stops with a clear 503 when it runs out.

The query forms that used to run for minutes are refused or bounded before
they reach the index (:mod:`.limits`); what is left to Whoosh's own matchers,
phrases above all, still walks posting lists document by document in Python.
A searcher that knows its deadline checks it while it walks, so one costly
query gives its server thread back after the budget instead of holding it;
a thread cannot be stopped from outside, only asked to stop.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from whoosh.collectors import Collector, WrappingCollector
from whoosh.query import Query
from whoosh.searching import Searcher

from indexer.errors import SearchTimeoutError

SEARCH_SECONDS = 2.0  # the time budget of one request, searching and reading included
_CHECK_EVERY = 256  # documents between two looks at the clock (a look costs well under a microsecond)


class BudgetedSearcher(Searcher):
    """A Whoosh searcher that stops matching once its deadline has passed.

    Each thread has its own (see :mod:`.snapshot`), so the deadline is the
    running request's.
    """

    deadline: float | None = None
    budget_seconds: float = SEARCH_SECONDS

    @contextmanager
    def budget(self, seconds: float) -> Iterator[None]:
        """Searches in the block must finish within ``seconds`` (or an enclosing block's deadline)."""
        previous = self.deadline
        ends = time.monotonic() + seconds
        self.deadline, self.budget_seconds = (ends if previous is None else min(previous, ends)), seconds
        try:
            yield
        finally:
            self.deadline = previous

    def check_budget(self) -> None:
        """Raise :class:`SearchTimeoutError` once the deadline has passed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise SearchTimeoutError(
                f"the search was stopped after {self.budget_seconds:g} s; "
                "a query with fewer words, phrases or wildcards answers in time"
            )

    def remaining(self) -> float:
        """Seconds left before the deadline (infinite without one)."""
        return float("inf") if self.deadline is None else self.deadline - time.monotonic()

    def docs_for_query(self, q: Query, for_deletion: bool = False) -> Iterator[int]:
        for count, docnum in enumerate(super().docs_for_query(q, for_deletion)):
            if not count % _CHECK_EVERY:
                self.check_budget()
            yield docnum

    def search_with_collector(self, q: Query, collector: Collector, context=None) -> None:
        self.check_budget()
        super().search_with_collector(q, _WithinBudget(collector, self), context)


class _WithinBudget(WrappingCollector):
    """Collects as its child would, looking at the clock every few documents (as Whoosh's
    TimeLimitCollector does, without a timer thread per search)."""

    def __init__(self, child: Collector, searcher: BudgetedSearcher) -> None:
        super().__init__(child)
        self._searcher = searcher

    def collect_matches(self) -> None:
        child = self.child
        for count, sub_docnum in enumerate(child.matches()):
            if not count % _CHECK_EVERY:
                self._searcher.check_budget()
            child.collect(sub_docnum)
