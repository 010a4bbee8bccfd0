"""How fast a company page answers through HTTP, as its page and as its API, from a running ``newsfacet serve``.

The company page counts a company's articles per period and who appears with it
over all of them, so its cost grows with the company's articles, not with the
ten hits a search shows; the goal is p95 <= 150 ms for companies in 100+ articles.
The companies are the index's most frequent ones, read from its company facet
at run time, so the measurement finds something in any corpus large enough.
"""

from __future__ import annotations

import time
import urllib.parse

from benchmarks.baselines import KeepAliveClient
from benchmarks.figures import percentile
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService

LEAST_ARTICLES = 100
GOAL_P95_MS = 150.0
PATHS = {"/company/<name> (HTML)": "/company/{}", "/api/companies/<name>": "/api/companies/{}"}


def busy_companies(service: SearchService, least: int = LEAST_ARTICLES, count: int = 3) -> list[tuple[str, int]]:
    """The ``count`` companies in the most articles, with their counts, of those in ``least`` or more."""
    everything = service.search(SearchRequest())
    values = [v for facet in everything.facets if facet.name == "company" for v in facet.values]
    return [(v.value, v.count) for v in sorted(values, key=lambda v: -v.count) if v.count >= least][:count]


def measure_company_pages(
    service: SearchService, client: KeepAliveClient, requests: int = 20, least: int = LEAST_ARTICLES
) -> dict[str, float]:
    """Print and return p95 in ms per path over ``requests`` requests for each busy company.

    Page and API alternate request by request, after one untimed request of each per company.
    """
    companies = busy_companies(service, least)
    if not companies:
        print(f"company pages over HTTP: no company in {least}+ articles in this index; not measured")
        return {}
    listed = ", ".join(f"{name} {count:,}" for name, count in companies)
    print(f"company pages over HTTP: {len(companies)} companies in {least}+ articles ({listed}) x {requests} requests")
    timings: dict[str, list[float]] = {label: [] for label in PATHS}
    for name, _ in companies:
        quoted = urllib.parse.quote(name, safe="")
        for round_number in range(requests + 1):  # the first round warms up
            for label, path in PATHS.items():
                started = time.perf_counter()
                client.get(path.format(quoted))
                if round_number:
                    timings[label].append((time.perf_counter() - started) * 1000)
    worst = {}
    for label, values in timings.items():
        p50, worst[label] = percentile(values, 0.5), percentile(values, 0.95)
        verdict = "yes" if worst[label] <= GOAL_P95_MS else "NO"
        print(f"  {label:24} p50 {p50:6.1f} ms  p95 {worst[label]:6.1f} ms  p95 <= {GOAL_P95_MS:g} ms: {verdict}")
    return worst
