"""What the search page's trend chart adds to a search (indexer/search/trends.py), measured in-process.

The chart is counted from the matching set and the date column the search
already has, so it should cost a fraction of the search; this prints the ratio
of the same searches with and without it, alternating query by query so both
see the same caches.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import replace

from indexer.index.store import IndexStore
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService


def measure_trend(store: IndexStore, queries: Sequence[str], rounds: int) -> float:
    """Print and return the time of the searches with their trend chart over the time without it."""
    with closing(SearchService(store)) as service:
        everything = service.search(SearchRequest())
        companies = [v.value for facet in everything.facets if facet.name == "company" for v in facet.values[:3]]
        requests = [SearchRequest(text) for text in queries] + [
            SearchRequest(filters={"company": tuple(companies)}),
            SearchRequest(filters={"company": tuple(companies[:2])}, sort="newest"),
        ]
        spent = {False: 0.0, True: 0.0}
        for round_number in range(rounds + 1):  # the first round warms up
            for search in requests:
                for trend in (False, True):
                    started = time.perf_counter()
                    service.search(replace(search, trend=trend))
                    if round_number:
                        spent[trend] += time.perf_counter() - started
    ratio = spent[True] / spent[False] if spent[False] else 1.0
    print(
        f"search with trend chart vs without: {ratio:.2f}x over {len(requests)} searches x {rounds} rounds "
        f"in-process ({spent[True] * 1000:.0f} vs {spent[False] * 1000:.0f} ms)"
    )
    return ratio
