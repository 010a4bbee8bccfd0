"""The cost curve of one machine: the same measurements at several corpus sizes, in one run.

``scripts/benchmark --sizes 50000,200000,1000000`` builds a scaled corpus of
each size (the same seeded generator, so each corpus begins with the smaller
ones' articles) and measures, per size: the full build (time, rate, and the
rate against the smallest size's, since articles per second differ between
machines but their ratio within one run does not), the index on disk, the
HTTP API's p50 and p95 per kind of query (keywords, filtered, browsing, broad
words, a facet shown in full with "show more", the company type-ahead), the
peak memory of ``newsfacet serve``, and an incremental reindex of one file in
which 100 articles changed. One row per size is printed, then whether the
largest size meets the targets below. The baselines of the full benchmark are
left out: at a million articles Whoosh's own faceting takes minutes a query.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from benchmarks.baselines import KeepAliveClient
from benchmarks.corpora import scaled_articles, write_records
from benchmarks.figures import folder_mb, peak_memory_mb, percentile
from benchmarks.queries import query_set
from benchmarks.reindexing import measure_incremental
from benchmarks.serving import newsfacet_server
from indexer.article import Article
from indexer.index.store import IndexStore
from indexer.reindex import reindex
from indexer.search.service import SearchRequest, SearchService

# What the largest size must meet (on a 2-core machine).
TARGET_RATE_RATIO = 0.8  # build rate against the smallest size's
TARGET_P95_MS = 50.0  # every kind of query over HTTP
TARGET_MEMORY_MB = 1536.0  # peak resident memory of newsfacet serve
TARGET_INCREMENTAL_S = 10.0  # reindex of one file with 100 changed articles
SERVER_STARTUP_SECONDS = 900.0  # the server warms its arrays before it answers
TYPEAHEAD_COMPANIES = 10  # the type-ahead is asked for prefixes of this many top companies


@dataclass(frozen=True)
class SizeRow:
    """What one corpus size measured."""

    size: int  # articles generated
    articles: int  # articles indexed (recombined sentences can repeat an article, folded into one)
    build_seconds: float
    index_mb: float
    latencies: dict[str, tuple[float, float]]  # kind -> (p50, p95) in ms
    memory_mb: float
    incremental_seconds: float

    @property
    def rate(self) -> float:
        return self.articles / self.build_seconds


def measure_sizes(
    real: Sequence[Article],
    sizes: Sequence[int],
    work: Path,
    rounds: int,
    seed: int,
) -> bool:
    """Measure each size in turn and print the table; whether the largest size met every target."""
    rows: list[SizeRow] = []
    for size in sorted(sizes):
        rows.append(_measure_size(real, size, work / f"sizes-{size}", rounds, seed))
        _print_table(rows)
    return _print_targets(rows)


def _measure_size(
    real: Sequence[Article],
    size: int,
    folder: Path,
    rounds: int,
    seed: int,
) -> SizeRow:
    started = time.perf_counter()
    files = write_records(scaled_articles(real, size, seed), folder / "corpus")
    print(f"\n== {size:,} articles (scaled corpus written in {time.perf_counter() - started:.0f} s)", flush=True)
    store = IndexStore(folder / "index")
    started = time.perf_counter()
    report = reindex([folder / "corpus"], store, full=True)
    build_seconds = time.perf_counter() - started
    articles = report.written.added
    print(
        f"full build: {build_seconds:.1f} s, {articles:,} articles indexed, {articles / build_seconds:.0f} articles/s",
        flush=True,
    )
    with closing(SearchService(store, budget_seconds=SERVER_STARTUP_SECONDS)) as service:
        asks = _queries(service)  # the filters and prefixes are picked without the budget of a request
    with newsfacet_server(store.root, startup_timeout=SERVER_STARTUP_SECONDS) as server:
        with closing(KeepAliveClient(server.base)) as client:
            latencies = _time_kinds(client, asks, rounds)
            incremental = measure_incremental(
                store,
                files[len(files) // 2],
                lambda text: client.get_json(f"/api/search?{urllib.parse.urlencode({'q': text})}")["total"],
            )
            memory = peak_memory_mb(server.pid)
    return SizeRow(size, articles, build_seconds, folder_mb(store.current_generation()), latencies, memory, incremental)


def measure_served(store: IndexStore, rounds: int) -> None:
    """Serving alone over an index already built (a kept run's, or one's own): HTTP p50/p95 per
    kind of query and the peak memory of ``newsfacet serve``, so a change to searching is
    measured again without the hour a million articles take to build."""
    with closing(SearchService(store, budget_seconds=SERVER_STARTUP_SECONDS)) as service:
        asks = _queries(service)
        articles = service.search(SearchRequest("")).total
    with newsfacet_server(store.root, startup_timeout=SERVER_STARTUP_SECONDS) as server:
        with closing(KeepAliveClient(server.base)) as client:
            latencies = _time_kinds(client, asks, rounds)
        memory = peak_memory_mb(server.pid)
    print(f"{articles:,} articles at {store.root}: serve peak {memory:,.0f} MB; HTTP p50/p95 ms by kind")
    print("    " + "  ".join(f"{kind} {p50:.1f}/{p95:.1f}" for kind, (p50, p95) in latencies.items()), flush=True)


def _queries(service: SearchService) -> dict[str, list[str]]:
    """API paths by kind of query, with filters and prefixes taken from what the index holds."""
    kinds: dict[str, list[str]] = {}
    for query in query_set(service):
        params = [("q", query.text), *(("company", c) for c in query.company)]
        params += [("technology", t) for t in query.technology]
        kinds.setdefault(query.kind, []).append(f"/api/search?{urllib.parse.urlencode(params)}")
        if query.kind in ("keyword", "browse") and not query.company and not query.technology:
            # "Show more": the company facet in full, as the page's link asks for it.
            more = [*params, ("more", "company")]
            kinds.setdefault("show more", []).append(f"/api/search?{urllib.parse.urlencode(more)}")
    everything = service.search(SearchRequest(""))
    companies = next(facet.values for facet in everything.facets if facet.name == "company")
    prefixes = {
        value.value[:length] for value in companies[:TYPEAHEAD_COMPANIES] for length in (1, 2, 3) if value.value
    }
    kinds["type-ahead"] = [
        f"/api/facets/company?{urllib.parse.urlencode({'prefix': prefix})}" for prefix in sorted(prefixes)
    ]
    return kinds


def _time_kinds(client: KeepAliveClient, kinds: dict[str, list[str]], rounds: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 per kind over ``rounds`` rounds after a warm-up one, kinds alternating path by path."""
    timings: dict[str, list[float]] = {kind: [] for kind in kinds}
    longest = max(len(paths) for paths in kinds.values())
    for round_number in range(rounds + 1):
        for number in range(longest):
            for kind, paths in kinds.items():
                if number >= len(paths):
                    continue
                started = time.perf_counter()
                client.get(paths[number])
                if round_number:
                    timings[kind].append((time.perf_counter() - started) * 1000)
    return {kind: (percentile(values, 0.5), percentile(values, 0.95)) for kind, values in timings.items()}


def _print_table(rows: Sequence[SizeRow]) -> None:
    kinds = list(dict.fromkeys(kind for row in rows for kind in row.latencies))  # a tiny corpus may lack one
    first = rows[0]
    print("\nsize: build s, articles/s (vs smallest), index MB, serve peak MB, incremental s; HTTP p50/p95 ms by kind")
    for row in rows:
        print(
            f"{row.size:>10,}: {row.build_seconds:7.0f} s {row.rate:6.0f}/s ({row.rate / first.rate:.2f}x) "
            f"{row.index_mb:7,.0f} MB {row.memory_mb:7,.0f} MB {row.incremental_seconds:5.1f} s"
        )
        timings = (f"{kind} {_p50_p95(row, kind)}" for kind in kinds)
        print("            " + "  ".join(timings))
    print(flush=True)


def _p50_p95(row: SizeRow, kind: str) -> str:
    if kind not in row.latencies:
        return "-"
    p50, p95 = row.latencies[kind]
    return f"{p50:.1f}/{p95:.1f}"


def _print_targets(rows: Sequence[SizeRow]) -> bool:
    """Whether the largest size meets each target, a line each."""
    largest, first = rows[-1], rows[0]
    ratio = largest.rate / first.rate
    worst_kind, (_, worst_p95) = max(largest.latencies.items(), key=lambda item: item[1][1])
    checks = [
        (
            f"build rate {ratio:.2f}x the rate at {first.size:,} (target >= {TARGET_RATE_RATIO})",
            ratio >= TARGET_RATE_RATIO,
        ),
        (f"worst HTTP p95 {worst_p95:.1f} ms ({worst_kind}; target <= {TARGET_P95_MS:g})", worst_p95 <= TARGET_P95_MS),
        (
            f"serve peak memory {largest.memory_mb:,.0f} MB (target <= {TARGET_MEMORY_MB:,.0f})",
            largest.memory_mb <= TARGET_MEMORY_MB,
        ),
        (
            f"incremental reindex of 100 changed articles {largest.incremental_seconds:.1f} s "
            f"(target <= {TARGET_INCREMENTAL_S:g})",
            largest.incremental_seconds <= TARGET_INCREMENTAL_S,
        ),
    ]
    print(f"targets at {largest.size:,} articles:")
    for line, met in checks:
        print(f"  {'met    ' if met else 'NOT MET'} {line}")
    return all(met for _, met in checks)
