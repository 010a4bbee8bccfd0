"""Benchmarks that print their figures; run through ``scripts/benchmark-extract``.

Each figure is set against a baseline measured in the same run on the same
machine, so the ratio means something wherever it is run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from indexer.article import Article
from indexer.facets.extract import extract_facets_batch, facet_text
from indexer.ingest.files import read_articles
from indexer.text import sentence_spans, word_spans


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _tokenize_only(articles: list[Article]) -> None:
    for article in articles:
        for line in facet_text(article).split("\n"):
            for start, end in sentence_spans(line):
                word_spans(line[start:end])


def benchmark_extract(articles: list[Article], rounds: int = 3) -> dict[str, float]:
    """Articles per second for facet extraction, and for tokenizing alone (the baseline)."""
    list(extract_facets_batch(articles[:10]))  # load the knowledge base and word lists first
    baseline = min(_timed(lambda: _tokenize_only(articles)) for _ in range(rounds))
    # One process, as tokenizing runs in one: the ratio compares the work, not the cores.
    extraction = min(_timed(lambda: list(extract_facets_batch(articles, workers=1))) for _ in range(rounds))
    return {
        "articles": len(articles),
        "extract_per_s": len(articles) / extraction,
        "tokenize_per_s": len(articles) / baseline,
        "ratio": extraction / baseline,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmark-extract", description="Articles per second of facet extraction.")
    parser.add_argument("corpus", nargs="+", help="files or folders in any format newsfacet indexes")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs")
    args = parser.parse_args(argv)
    articles = list(read_articles(args.corpus).articles)
    if not articles:
        print("benchmark-extract: no articles read", file=sys.stderr)
        return 1
    figures = benchmark_extract(articles, args.rounds)
    print(f"{figures['articles']} articles, best of {args.rounds}")
    print(f"facet extraction      {figures['extract_per_s']:8.0f} articles/s")
    print(f"tokenizing (baseline) {figures['tokenize_per_s']:8.0f} articles/s")
    print(f"extraction takes {figures['ratio']:.1f}x the time of tokenizing alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
