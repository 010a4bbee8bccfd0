"""The scale benchmark: indexing speed, search latency with all facets, memory, incremental reindex.

Run it as ``scripts/benchmark [--data ../shared/data] [--scaled 200000]``. In
one run it indexes the real news corpora and a scaled corpus recombined from
them, then asks the same queries, alternating query by query, of:

- newsfacet's search service in-process and its HTTP API (``newsfacet serve``);
- Whoosh's own ``groupedby`` faceting over the same index (the design it replaces);
- SQLite FTS5 in-process with a facet table, and Datasette serving the same
  articles and facet values over HTTP (the tool one would otherwise pick).

Every engine returns the top ten hits, highlighted where it can, and counts of
companies, technologies and sources. Figures are printed with their ratios to
the baselines measured in the same run, so they mean something on any machine.

The answers are kept and compared (see :mod:`benchmarks.agreement` for what each
pair of engines must share and why): a line says how far they agree, and the run
exits with status 1 when engines that must agree do not.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from whoosh.reading import IndexReader

from benchmarks.agreement import DATASETTE, GROUPEDBY, HTTP_API, SERVICE, SQLITE, compare
from benchmarks.baselines import (
    BaselineAnswer,
    DatasetteBaseline,
    KeepAliveClient,
    SqliteFts5Baseline,
    baseline_article,
    write_sqlite,
)
from benchmarks.cluster_build import measure_cluster_build
from benchmarks.company_pages import measure_company_pages
from benchmarks.corpora import prepare_real_corpus, scaled_articles, write_records
from benchmarks.figures import folder_mb, peak_memory_mb, percentile
from benchmarks.groupedby import GroupedBySearch
from benchmarks.queries import BenchQuery, query_set
from benchmarks.reindexing import measure_first_build, measure_incremental
from benchmarks.serving import newsfacet_server
from benchmarks.sizes import measure_served, measure_sizes
from benchmarks.trends import measure_trend
from benchmarks.typos import measure_suggestions, measure_typos
from indexer.errors import NewsfacetError
from indexer.index.schema import document_to_article
from indexer.index.store import IndexStore
from indexer.ingest.files import read_articles
from indexer.reindex import reindex
from indexer.search.facets import facet_spec
from indexer.search.service import SearchRequest, SearchService

Engine = Callable[[BenchQuery], BaselineAnswer]


def service_engine(service: SearchService) -> Engine:
    def run(query: BenchQuery) -> BaselineAnswer:
        filters = {"company": query.company, "technology": query.technology}
        result = service.search(SearchRequest(query.text, {k: v for k, v in filters.items() if v}))
        return BaselineAnswer(
            total=result.total,
            ids=tuple(hit.id for hit in result.hits),
            facets={facet.name: {value.value: value.count for value in facet.values} for facet in result.facets},
            snippets=tuple(hit.snippet_html for hit in result.hits),
        )

    return run


def http_engine(client: KeepAliveClient) -> Engine:
    def run(query: BenchQuery) -> BaselineAnswer:
        params = [
            ("q", query.text),
            *(("company", c) for c in query.company),
            *(("technology", t) for t in query.technology),
        ]
        data = client.get_json(f"/api/search?{urllib.parse.urlencode(params)}")
        return BaselineAnswer(
            total=data["total"],
            ids=tuple(hit["id"] for hit in data["hits"]),
            facets={
                name: {value["value"]: value["count"] for value in values} for name, values in data["facets"].items()
            },
            snippets=tuple(hit["snippet"] for hit in data["hits"]),
        )

    return run


def groupedby_engine(baseline: GroupedBySearch, service: SearchService) -> Engine:
    def run(query: BenchQuery) -> BaselineAnswer:
        filters = {"company": query.company, "technology": query.technology}
        return baseline.search(service.parse_query(query.text), filters)

    return run


def baseline_engine(baseline: SqliteFts5Baseline | DatasetteBaseline) -> Engine:
    def run(query: BenchQuery) -> BaselineAnswer:
        return baseline.search(query.as_baseline())

    return run


@dataclass
class Timed:
    """One run over the queries: milliseconds per query and engine, each engine's failures, and
    its first answer to each query (``None`` while it has failed on it), for the comparison."""

    timings: dict[str, list[float]]
    failures: dict[str, list[str]]
    answers: dict[str, list[BaselineAnswer | None]]


def time_engines(engines: dict[str, Engine], queries: Sequence[BenchQuery], rounds: int) -> Timed:
    """Ask every engine every query, alternating engines query by query, one warm-up round and
    ``rounds`` timed ones. A failed answer counts with the time it took."""
    timed = Timed(
        {name: [] for name in engines},
        {name: [] for name in engines},
        {name: [None] * len(queries) for name in engines},
    )
    for round_number in range(rounds + 1):
        for number, query in enumerate(queries):
            for name, engine in engines.items():
                started = time.perf_counter()
                try:
                    answer = engine(query)
                except (RuntimeError, OSError) as error:  # a baseline that timed out, say
                    timed.failures[name].append(f"{query.label()}: {error}")
                else:
                    if timed.answers[name][number] is None:
                        timed.answers[name][number] = answer
                if round_number:
                    timed.timings[name].append((time.perf_counter() - started) * 1000)
    return timed


def export_sqlite(store: IndexStore, path: Path) -> None:
    """The indexed articles as the baselines' SQLite file.

    Companies and technologies are the values as indexed, not as stored with the article:
    the index files a technology under its ancestors too ("Batteries" for "Lithium-ion
    batteries"), and baselines without them would filter and count other values than ours.
    """
    with store.searcher() as searcher:
        reader = searcher.reader()
        companies = _indexed_values(reader, facet_spec("company").field)
        technologies = _indexed_values(reader, facet_spec("technology").field)
        write_sqlite(
            path,
            (
                replace(
                    baseline_article(document_to_article(fields)),
                    companies=companies.get(docnum, ()),
                    technologies=technologies.get(docnum, ()),
                )
                for docnum, fields in reader.iter_docs()
            ),
        )


def _indexed_values(reader: IndexReader, field: str) -> dict[int, tuple[str, ...]]:
    """Each document's terms in a facet field, by document number."""
    values: dict[int, list[str]] = defaultdict(list)
    for term in reader.lexicon(field):
        value = term.decode("utf-8") if isinstance(term, bytes) else term
        for docnum in reader.postings(field, term).all_ids():
            values[docnum].append(value)
    return {docnum: tuple(found) for docnum, found in values.items()}


def measure_corpus(
    name: str,
    paths: list[Path],
    work: Path,
    rounds: int,
    datasette: bool,
    incremental: Path | None = None,
    first_build: bool = False,
) -> bool:
    """Index, query and report one corpus; whether the engines agreed wherever they must.

    ``first_build`` also times a first build without --full beside the full one.
    """
    slug = "-".join(name.replace(",", "").split())
    store = IndexStore(work / f"{slug}-index")
    started = time.perf_counter()
    report = reindex(paths, store, full=True)
    seconds = time.perf_counter() - started
    articles = report.written.added
    print(
        f"\n== {name}: {articles:,} articles ({report.folded:,} identical copies folded, "
        f"{len(report.skipped)} inputs skipped)"
    )
    print(
        f"indexing, full pipeline: {seconds:7.1f} s   {articles / seconds:7.0f} articles/s   "
        f"index on disk {folder_mb(store.current_generation()):,.0f} MB"
    )
    if first_build:
        measure_first_build(paths, work / f"{slug}-first-build", seconds)
    database = work / f"{slug}.db"
    export_sqlite(store, database)
    with ExitStack() as stack:  # every engine closed and every server stopped, whatever fails
        service = stack.enter_context(closing(SearchService(store)))
        queries = query_set(service)
        groupedby = stack.enter_context(closing(GroupedBySearch(store)))
        sqlite = stack.enter_context(closing(SqliteFts5Baseline(database)))
        server = stack.enter_context(newsfacet_server(store.root))
        datasette_server = stack.enter_context(_maybe_datasette(database, datasette))
        client = stack.enter_context(closing(KeepAliveClient(server.base)))
        engines: dict[str, Engine] = {
            SERVICE: service_engine(service),
            HTTP_API: http_engine(client),
            GROUPEDBY: groupedby_engine(groupedby, service),
            SQLITE: baseline_engine(sqlite),
        }
        if datasette_server is not None:
            engines[DATASETTE] = baseline_engine(datasette_server)
        timed = time_engines(engines, queries, rounds)
        _print_latencies(timed.timings, queries, rounds)
        for name, failed in timed.failures.items():
            if failed:
                print(f"{name}: {len(failed)} answers failed, e.g. {failed[0][:300]}")
        agreement = compare([query.as_baseline() for query in queries], timed.answers)
        print("\n".join(agreement.report()))
        typos_found = measure_typos(service, client, rounds)
        measure_suggestions(store, [query.text for query in queries], rounds)
        measure_trend(store, [query.text for query in queries], rounds)
        measure_company_pages(service, client)
        print(
            f"peak memory: newsfacet serve {peak_memory_mb(server.pid):,.0f} MB"
            + (f", Datasette {peak_memory_mb(datasette_server.pid):,.0f} MB" if datasette_server else "")
        )
        if incremental is not None:
            http = http_engine(client)
            measure_incremental(store, incremental, lambda text: http(BenchQuery("keyword", text)).total)
    return agreement.ok and typos_found


def _print_latencies(timings: dict[str, list[float]], queries: Sequence[BenchQuery], rounds: int) -> None:
    print(
        f"{len(queries)} queries x {rounds} rounds, engines alternating query by query; "
        "top 10 hits and company, technology and source counts each"
    )
    reference = timings[HTTP_API]
    print(f"{'engine':24} {'p50 ms':>8} {'p95 ms':>8} {'p50 vs API':>11} {'p95 vs API':>11}")
    for name, values in timings.items():
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(
            f"{name:24} {p50:8.1f} {p95:8.1f} {p50 / percentile(reference, 0.5):10.2f}x "
            f"{p95 / percentile(reference, 0.95):10.2f}x"
        )
    kinds = sorted({query.kind for query in queries})
    per_kind = "  ".join(
        f"{kind} {percentile([t for t, q in zip(reference, queries * rounds, strict=True) if q.kind == kind], 0.5):.1f}"
        for kind in kinds
    )
    print(f"newsfacet HTTP API p50 by kind (ms): {per_kind}")


class _maybe_datasette:
    """Datasette over the file when it is installed and wanted; ``None`` otherwise (said why)."""

    def __init__(self, database: Path, wanted: bool) -> None:
        self.server = DatasetteBaseline(database) if wanted and _has_datasette() else None
        if wanted and self.server is None:
            print("Datasette is not installed (pip install -e '.[bench]'); its column is left out")

    def __enter__(self) -> DatasetteBaseline | None:
        return self.server.__enter__() if self.server else None

    def __exit__(self, *exc_info) -> None:
        if self.server:
            self.server.__exit__(*exc_info)


def _has_datasette() -> bool:
    return subprocess.run([sys.executable, "-c", "import datasette"], capture_output=True).returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmark", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(__file__).resolve().parents[3] / "shared" / "data",
        help="folder of the news corpora (default: ../shared/data beside the project)",
    )
    parser.add_argument("--scaled", type=int, default=200_000, help="articles in the scaled corpus (0: none)")
    parser.add_argument(
        "--sizes",
        type=_sizes,
        help="comma-separated corpus sizes (50000,200000,1000000): one row per size, newsfacet alone",
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds over the query set")
    parser.add_argument("--seed", type=int, default=1, help="seed of the scaled corpus")
    parser.add_argument("--no-datasette", action="store_true", help="leave Datasette out")
    parser.add_argument(
        "--no-cluster", action="store_true", help="leave out the full build on a local Dask cluster of two workers"
    )
    parser.add_argument("--work", type=Path, help="make the run's folder here (default: the system's temporary folder)")
    parser.add_argument(
        "--keep", action="store_true", help="leave the run's indexes and corpora behind (to measure them again)"
    )
    parser.add_argument(
        "--serve",
        type=Path,
        metavar="INDEX",
        help="measure serving alone (HTTP per kind of query, serve memory) over this index folder; nothing is built",
    )
    args = parser.parse_args(argv)
    if args.serve:
        try:
            measure_served(IndexStore(args.serve), args.rounds)
        except NewsfacetError as error:
            print(f"benchmark: {error}", file=sys.stderr)
            return error.exit_code
        return 0
    if not args.data.is_dir():
        print(f"benchmark: no corpora at {args.data}; pass --data", file=sys.stderr)
        return 2
    print(f"newsfacet benchmark on {os.cpu_count()} cores")
    with _run_folder(args.work, args.keep) as work:
        real = prepare_real_corpus(args.data, work / "real")
        if args.sizes:
            met = measure_sizes(read_articles([real]).articles, args.sizes, work, args.rounds, args.seed)
            return 0 if met else 1
        agreed = measure_corpus("real corpora", [real], work, args.rounds, not args.no_datasette, first_build=True)
        if not args.no_cluster:
            measure_cluster_build([real], work / "cluster-build")
        if args.scaled:
            started = time.perf_counter()
            files = write_records(
                scaled_articles(read_articles([real]).articles, args.scaled, args.seed), work / "scaled"
            )
            print(f"\n(scaled corpus of {args.scaled:,} articles written in {time.perf_counter() - started:.0f} s)")
            agreed &= measure_corpus(
                f"scaled {args.scaled:,}",
                [work / "scaled"],
                work,
                args.rounds,
                not args.no_datasette,
                incremental=files[len(files) // 2],
            )
    return 0 if agreed else 1


@contextmanager
def _run_folder(parent: Path | None, keep: bool) -> Iterator[Path]:
    """The folder of the run's corpora and indexes: removed afterwards, or kept and named (``keep``),
    since a million articles take an hour to build and their serving may be measured again."""
    if keep:
        folder = Path(tempfile.mkdtemp(prefix="newsfacet-benchmark-", dir=parent))
        print(f"the run's indexes and corpora are kept in {folder}")
        yield folder
        return
    with tempfile.TemporaryDirectory(dir=parent) as folder:
        yield Path(folder)


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of sizes: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes are positive numbers of articles")
    return sizes


if __name__ == "__main__":
    sys.exit(main())
