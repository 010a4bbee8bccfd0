"""Misspelt queries and did you mean, measured in the scale benchmark's run.

- 20 misspelt words with ``~`` (one typo each), through the HTTP API, alternating
  with the words spelt right: p50 and p95 of each and their ratio. Each misspelt
  query must find every article its word finds (the benchmark fails otherwise).
- What did you mean adds: the fixed queries and the misspelt words without ``~``
  (which are corrected), through two services over the same index, one working
  out suggestions and one not, alternating query by query: the difference of
  their p50 and p95.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Sequence
from contextlib import closing

import numpy as np

from benchmarks.baselines import KeepAliveClient
from benchmarks.figures import percentile
from indexer.index.store import IndexStore
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService

# (misspelt, as meant): words of business news, one typo each.
MISSPELT = (
    ("panasonik", "panasonic"),
    ("takover", "takeover"),
    ("semicondutor", "semiconductor"),
    ("compny", "company"),
    ("goverment", "government"),
    ("acquistion", "acquisition"),
    ("buisness", "business"),
    ("elecion", "election"),
    ("inflaton", "inflation"),
    ("unemploymnt", "unemployment"),
    ("brodband", "broadband"),
    ("dividnd", "dividend"),
    ("cofee", "coffee"),
    ("footbal", "football"),
    ("airlnie", "airline"),
    ("sofware", "software"),
    ("mergr", "merger"),
    ("telecomunications", "telecommunications"),
    ("petrolem", "petroleum"),
    ("electricty", "electricity"),
)


def _found(service: SearchService, text: str) -> set[int]:
    """The document numbers a query matches (before any filter)."""
    query = service.parse_query(text)
    return set(service.snapshots.read(lambda snapshot: np.flatnonzero(snapshot.evaluator.matches(query).mask)).tolist())


def measure_typos(service: SearchService, client: KeepAliveClient, rounds: int) -> bool:
    """Print the misspelt queries' latency through the API and whether each found what its word
    finds; returns whether all did."""
    fuzzy, right = {}, {}

    def http(query: str) -> int:
        return client.get_json(f"/api/search?{urllib.parse.urlencode({'q': query})}")["total"]

    for round_number in range(rounds + 1):
        for misspelt, meant in MISSPELT:
            for text, timings in ((f"{misspelt}~", fuzzy), (meant, right)):
                started = time.perf_counter()
                http(text)
                if round_number:
                    timings.setdefault(text, []).append((time.perf_counter() - started) * 1000)
    fuzzy_times = [t for values in fuzzy.values() for t in values]
    right_times = [t for values in right.values() for t in values]
    worst = max(fuzzy, key=lambda text: max(fuzzy[text]))
    print(
        f"\n{len(MISSPELT)} misspelt queries (word~) x {rounds} rounds through the HTTP API, alternating with "
        f"the words spelt right:\n  misspelt p50 {percentile(fuzzy_times, 0.5):.1f} ms, p95 "
        f"{percentile(fuzzy_times, 0.95):.1f} ms; spelt right p50 {percentile(right_times, 0.5):.1f} ms, p95 "
        f"{percentile(right_times, 0.95):.1f} ms; ratio at p95 "
        f"{percentile(fuzzy_times, 0.95) / percentile(right_times, 0.95):.1f}x; slowest {worst} "
        f"{max(fuzzy[worst]):.1f} ms"
    )
    # A word the corpus never writes cannot be found from its misspelling (its stem may still
    # find other words: "electricity" finds "electric"), so only the words it writes are held to it.
    written = [
        (misspelt, meant)
        for misspelt, meant in MISSPELT
        if service.snapshots.read(lambda snapshot, word=meant: snapshot.vocabulary("body").frequency(word))
    ]
    missed = []
    for misspelt, meant in written:
        wanted, got = _found(service, meant), _found(service, f"{misspelt}~")
        if not wanted <= got:
            missed.append(f"{misspelt}~ misses {len(wanted - got)} of the {len(wanted)} articles of {meant}")
    print(
        f"  each finds every article its word finds: {len(written) - len(missed)} of the {len(written)} "
        f"whose word the corpus writes" + "".join(f"\n  {line}" for line in missed)
    )
    return not missed


def measure_suggestions(store: IndexStore, queries: Sequence[str], rounds: int) -> None:
    """Print what working out did you mean adds to a search, in-process."""
    typed = [*queries, *(misspelt for misspelt, _ in MISSPELT)]
    with closing(SearchService(store)) as suggesting, closing(SearchService(store)) as plain:
        plain.suggestions = False
        offered = sum(suggesting.search(SearchRequest(text)).suggestion is not None for text in typed)
        timings: dict[str, list[float]] = {"with": [], "without": []}
        for round_number in range(rounds + 1):
            for text in typed:
                for name, service in (("with", suggesting), ("without", plain)):
                    started = time.perf_counter()
                    service.search(SearchRequest(text))
                    if round_number:
                        timings[name].append((time.perf_counter() - started) * 1000)
    with_, without = timings["with"], timings["without"]
    print(
        f"did you mean over {len(typed)} queries ({len(MISSPELT)} misspelt; {offered} corrected) x {rounds} rounds, "
        f"in-process: with p50 {percentile(with_, 0.5):.1f} / p95 {percentile(with_, 0.95):.1f} ms, without "
        f"{percentile(without, 0.5):.1f} / {percentile(without, 0.95):.1f} ms: adds "
        f"{percentile(with_, 0.5) - percentile(without, 0.5):.1f} ms at p50, "
        f"{percentile(with_, 0.95) - percentile(without, 0.95):.1f} ms at p95"
    )
