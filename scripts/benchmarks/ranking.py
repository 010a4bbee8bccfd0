"""Ranking quality on topic queries: Newsfacet's search service beside SQLite FTS5's BM25.

Run it as ``scripts/evaluate-ranking [QUERIES.tsv] [--stories reuters.jsonl.gz]``.
Each query of the TSV (``query``, ``reuters_topic``) is searched for, and a story
counts as relevant when its Reuters topics include the query's topic. Only this
module reads the topics: the stories are indexed from a copy that holds nothing
but their id, title, body and date, so neither the index nor the ranking can see
a label, and the same measure means the same on topics nobody has looked at.

Both engines search the same stories (the SQLite file is written from the
index, identical copies folded as Newsfacet folds them) for the same words:
Newsfacet through :class:`SearchService` as the web page asks it (relevance
order, pages of 100), FTS5 with its porter tokenizer and ``bm25`` weighing the
title 3 and the body 1. Printed per query and as means: precision at 10, nDCG at
10 (binary gains) and average precision over the first ``--depth`` results
(1,000 by default, divided by every relevant story as trec_eval does), then the
time each engine takes for a first page.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.baselines import SqliteFts5Baseline
from benchmarks.figures import percentile
from benchmarks.scale import export_sqlite
from indexer.index.schema import document_to_article
from indexer.index.store import IndexStore
from indexer.reindex import reindex
from indexer.search.request import MAX_PER_PAGE, SearchRequest
from indexer.search.service import SearchService

SHARED = Path(__file__).resolve().parents[3] / "shared"
FTS5_WEIGHTS = (3.0, 1.0)  # title, body
CUTOFF = 10
DEPTH = 1000
TIMING_ROUNDS = 5
# What the indexer reads of a story; everything else (topics, places, ...) stays behind.
INDEXED_FIELDS = ("id", "title", "body", "date")
STORIES_FILE = "stories.jsonl"
NEWSFACET, FTS5 = "newsfacet", "fts5"
ENGINES = (NEWSFACET, FTS5)
MEASURES = ("p10", "ndcg10", "ap")


@dataclass(frozen=True)
class TopicQuery:
    """A query and the topic whose stories are the relevant ones."""

    text: str
    topic: str


@dataclass(frozen=True)
class Scores:
    p10: float
    ndcg10: float
    ap: float


@dataclass(frozen=True)
class QueryResult:
    query: str
    topic: str
    relevant: int  # stories in the index with the topic
    scores: dict[str, Scores]  # by engine


def precision_at(relevance: Sequence[bool], k: int = CUTOFF) -> float:
    """Share of the first ``k`` results that are relevant; missing results count as misses."""
    return sum(relevance[:k]) / k


def ndcg_at(relevance: Sequence[bool], total_relevant: int, k: int = CUTOFF) -> float:
    """nDCG at ``k`` with binary gains: the ideal ranking puts every relevant story first."""
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(total_relevant, k)))
    if not ideal:
        return 0.0
    return sum(1 / math.log2(rank + 2) for rank, hit in enumerate(relevance[:k]) if hit) / ideal


def average_precision(relevance: Sequence[bool], total_relevant: int) -> float:
    """Precision at each relevant result, summed and divided by all relevant stories (trec_eval's
    AP at the depth given): relevant stories never retrieved count as zero."""
    if not total_relevant:
        return 0.0
    found, total = 0, 0.0
    for rank, hit in enumerate(relevance, start=1):
        if hit:
            found += 1
            total += found / rank
    return total / total_relevant


def scores(ranked: Sequence[str], relevant: set[str]) -> Scores:
    relevance = [doc in relevant for doc in ranked]
    return Scores(
        precision_at(relevance), ndcg_at(relevance, len(relevant)), average_precision(relevance, len(relevant))
    )


def read_queries(path: Path) -> list[TopicQuery]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            TopicQuery(row["query"].strip(), row["reuters_topic"].strip())
            for row in csv.DictReader(handle, delimiter="\t")
        ]


def read_stories(path: Path, limit: int | None = None) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                return
            if line.strip():
                yield json.loads(line)


def write_unlabelled(stories: Path, folder: Path, limit: int | None) -> tuple[Path, dict[str, frozenset[str]]]:
    """The stories as the indexer reads them, without any label, and each story's topics by its id."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / STORIES_FILE
    topics: dict[str, frozenset[str]] = {}
    with target.open("w", encoding="utf-8") as handle:
        for record in read_stories(stories, limit):
            topics[str(record["id"])] = frozenset(record.get("topics") or ())
            handle.write(json.dumps({k: record[k] for k in INDEXED_FIELDS if k in record}, ensure_ascii=False) + "\n")
    return target, topics


def indexed_topics(store: IndexStore, topics: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """Each indexed article's topics: those of its story and of the identical copies folded into it."""
    found: dict[str, frozenset[str]] = {}
    with store.searcher() as searcher:
        for _, fields in searcher.reader().iter_docs():
            article = document_to_article(fields)
            ids = [article.id, *(copy.id for copy in article.duplicates)]
            found[article.id] = frozenset().union(*(topics.get(_record_id(i), frozenset()) for i in ids))
    return found


def _record_id(article_id: str) -> str:
    """The story's own id: the last part of the article id ("stories/123")."""
    return article_id.rsplit("/", 1)[-1]


def newsfacet_ranking(service: SearchService, text: str, depth: int) -> list[str]:
    """The first ``depth`` ids as the web page lists them, page by page in relevance order."""
    ids: list[str] = []
    for page in range(1, -(-depth // MAX_PER_PAGE) + 1):
        result = service.search(SearchRequest(text, page=page, per_page=MAX_PER_PAGE))
        if result.page != page:  # past the last page
            break
        ids.extend(hit.id for hit in result.hits)
    return ids[:depth]


def evaluate(
    service: SearchService,
    fts5: SqliteFts5Baseline,
    queries: Sequence[TopicQuery],
    topics: dict[str, frozenset[str]],
    depth: int,
) -> list[QueryResult]:
    results = []
    for query in queries:
        relevant = {doc for doc, found in topics.items() if query.topic in found}
        rankings = {
            NEWSFACET: newsfacet_ranking(service, query.text, depth),
            FTS5: list(fts5.ranked_ids(query.text, depth, FTS5_WEIGHTS)),
        }
        results.append(
            QueryResult(query.text, query.topic, len(relevant), {e: scores(r, relevant) for e, r in rankings.items()})
        )
    return results


def means(results: Sequence[QueryResult]) -> dict[str, dict[str, float]]:
    return {
        engine: {m: sum(getattr(r.scores[engine], m) for r in results) / max(1, len(results)) for m in MEASURES}
        for engine in ENGINES
    }


def first_page_latency(
    service: SearchService, fts5: SqliteFts5Baseline, queries: Sequence[TopicQuery], rounds: int = TIMING_ROUNDS
) -> dict[str, tuple[float, float]]:
    """p50 and p95 milliseconds of a first page: Newsfacet's with its facet counts and snippets,
    FTS5's ten ids alone. One round first, untimed, so both answer from warm caches."""
    engines = {
        NEWSFACET: lambda text: service.search(SearchRequest(text)),
        FTS5: lambda text: fts5.ranked_ids(text, CUTOFF, FTS5_WEIGHTS),
    }
    timings: dict[str, list[float]] = {engine: [] for engine in engines}
    for round_number in range(rounds + 1):
        for query in queries:
            for engine, search in engines.items():
                started = time.perf_counter()
                search(query.text)
                if round_number:
                    timings[engine].append((time.perf_counter() - started) * 1000)
    return {engine: (percentile(t, 0.5), percentile(t, 0.95)) for engine, t in timings.items()}


def table(results: Sequence[QueryResult]) -> list[str]:
    """The per-query table and the means, in Markdown so the README can hold it as printed."""
    lines = [
        "| query | topic | relevant | P@10 newsfacet | P@10 FTS5 | nDCG@10 newsfacet | nDCG@10 FTS5 "
        "| AP newsfacet | AP FTS5 |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ours, theirs = r.scores[NEWSFACET], r.scores[FTS5]
        lines.append(
            f"| {r.query} | {r.topic} | {r.relevant} | {ours.p10:.2f} | {theirs.p10:.2f} | {ours.ndcg10:.3f} "
            f"| {theirs.ndcg10:.3f} | {ours.ap:.3f} | {theirs.ap:.3f} |"
        )
    mean = means(results)
    ours, theirs = mean[NEWSFACET], mean[FTS5]
    lines.append(
        f"| **mean** | | | **{ours['p10']:.3f}** | **{theirs['p10']:.3f}** | **{ours['ndcg10']:.3f}** "
        f"| **{theirs['ndcg10']:.3f}** | **{ours['ap']:.3f}** | **{theirs['ap']:.3f}** |"
    )
    return lines


@dataclass(frozen=True)
class Report:
    """One run: every query's measures, how many stories were searched, and the first page's latency."""

    stories: int
    depth: int
    results: list[QueryResult]
    built_seconds: float | None  # None when an index was reused
    latency: dict[str, tuple[float, float]]  # engine -> p50, p95 ms

    def means(self) -> dict[str, dict[str, float]]:
        return means(self.results)

    def difference(self) -> dict[str, float]:
        mean = self.means()
        return {m: mean[NEWSFACET][m] - mean[FTS5][m] for m in MEASURES}

    def as_json(self) -> dict:
        return {
            "stories": self.stories,
            "queries": len(self.results),
            "depth": self.depth,
            "index_built_seconds": None if self.built_seconds is None else round(self.built_seconds, 1),
            "results": [
                {
                    "query": r.query,
                    "topic": r.topic,
                    "relevant": r.relevant,
                    **{e: asdict(s) for e, s in r.scores.items()},
                }
                for r in self.results
            ],
            "means": self.means(),
            "difference": self.difference(),
            "first_page_ms": {e: {"p50": p50, "p95": p95} for e, (p50, p95) in self.latency.items()},
        }

    def lines(self) -> list[str]:
        built = f" (indexed in {self.built_seconds:.0f} s)" if self.built_seconds is not None else ""
        difference = self.difference()
        return [
            f"{len(self.results)} queries over {self.stories:,} stories{built}; "
            f"AP over the first {self.depth:,} results, divided by all relevant stories",
            *table(self.results),
            f"newsfacet - FTS5: P@10 {difference['p10']:+.3f}, nDCG@10 {difference['ndcg10']:+.3f}, "
            f"MAP {difference['ap']:+.3f}",
            *(f"first page, {e}: p50 {p50:.1f} ms, p95 {p95:.1f} ms" for e, (p50, p95) in self.latency.items()),
        ]


def run(
    queries_path: Path,
    stories: Path,
    index: Path | None = None,
    limit: int | None = None,
    depth: int = DEPTH,
    timing: bool = True,
) -> Report:
    """Index the stories (or reuse ``index``, built by an earlier run from the same stories),
    write the FTS5 file from it, and measure both engines on every query."""
    queries = read_queries(queries_path)
    with tempfile.TemporaryDirectory(prefix="evaluate-ranking-") as folder:
        work = Path(folder)
        copy, topics = write_unlabelled(stories, work / "stories", limit)
        store = IndexStore(index or work / "index")
        started = time.perf_counter()
        built = not store.has_pointer()
        if built:
            reindex([copy], store, full=True)
        built_seconds = time.perf_counter() - started if built else None
        judged = indexed_topics(store, topics)
        export_sqlite(store, work / "fts5.db")
        with closing(SearchService(store)) as service, closing(SqliteFts5Baseline(work / "fts5.db")) as fts5:
            results = evaluate(service, fts5, queries, judged, depth)
            latency = first_page_latency(service, fts5, queries) if timing else {}
    return Report(len(judged), depth, results, built_seconds, latency)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="evaluate-ranking", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "queries", nargs="?", type=Path, default=SHARED / "eval" / "ranking-dev.tsv", help="TSV of query, reuters_topic"
    )
    parser.add_argument(
        "--stories", type=Path, default=SHARED / "data" / "reuters.jsonl.gz", help="Reuters-21578 as JSON Lines"
    )
    parser.add_argument(
        "--index", type=Path, help="index folder: built there when empty, reused (built from the same stories) when not"
    )
    parser.add_argument("--limit", type=int, help="only the first N stories")
    parser.add_argument("--depth", type=int, default=DEPTH, help="results read per query for average precision")
    parser.add_argument("--no-timing", action="store_true", help="leave out the latency of a first page")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    for path in (args.queries, args.stories):
        if not path.is_file():
            print(f"evaluate-ranking: {path} not found", file=sys.stderr)
            return 2
    report = run(args.queries, args.stories, args.index, args.limit, args.depth, not args.no_timing)
    print(json.dumps(report.as_json(), indent=2) if args.json else "\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
