"""Matching, ranking and facet counting over arrays agree with Whoosh's own answers."""

from __future__ import annotations

import gzip
import json
import threading

import numpy as np
import pytest
from whoosh import sorting

from indexer.index.schema import MONTH_FIELD, facet_value
from indexer.index.store import IndexStore
from indexer.reindex import reindex
from indexer.search.columns import UNDATED, FacetColumns
from indexer.search.facets import FACETS
from indexer.search.matching import PostingCache, kth_largest, top_documents
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService
from indexer.search.snapshot import Snapshots
from indexer.stemming import stem

from .paths import SHARED

QUERIES = [
    "battery",
    "electric vehicles",
    "toyota OR honda",
    "chip NOT sony",
    "semiconductor factory",
    "sales",
    "panasonic",
    "nothingmatchesthis",
    "cars OR chips OR batteries",
    "title:tesla",
    # Wildcards and typo-tolerant words stand for the words they fit, ranked like them.
    "batt*",
    "panasonik~",
]


def _compare(store: IndexStore, texts: list[str], top: int = 20) -> None:
    service = SearchService(store)

    def check(snapshot) -> None:
        for text in texts:
            query = service.parse_query(text)
            found = snapshot.evaluator.matches(query)
            assert found.by_arrays, text
            whoosh = snapshot.searcher.search(query, limit=top)
            assert int(found.mask.sum()) == len(whoosh), text
            scores = snapshot.evaluator.scores(query)
            assert list(top_documents(found.mask, scores, top)) == [d for _, d in whoosh.top_n], text
            for spec in FACETS:
                grouped = snapshot.searcher.search(
                    query,
                    limit=1,
                    groupedby={"f": sorting.FieldFacet(spec.field, allow_overlap=True)},
                    maptype=sorting.Count,
                ).groups("f")
                expected = {facet_value(str(value)): count for value, count in grouped.items() if value}
                undated = sum(count for value, count in grouped.items() if not value)
                if spec.field == MONTH_FIELD and undated:
                    expected[UNDATED] = undated  # the month facet's value for articles Whoosh has no month for
                assert snapshot.columns.column(spec.field).counts(found.mask).as_dict() == expected, (text, spec.name)

    try:
        service.snapshots.read(check)
    finally:
        service.close()


def test_matches_ranks_and_counts_like_whoosh(sample_index):
    _compare(sample_index, QUERIES)


def test_deleted_and_rewritten_articles_are_left_out(sample_store, tmp_path):
    """After an incremental update the old copy of a changed article is deleted in its segment."""
    changed = tmp_path / "changed.jsonl"
    changed.write_text(
        json.dumps(
            {
                "id": "extra",
                "title": "Battery maker expands",
                "body": "A battery maker said sales of electric vehicles batteries rose.",
            }
        )
        + "\n"
    )
    reindex([changed], sample_store)
    changed.write_text(
        json.dumps(
            {"id": "extra", "title": "Battery maker expands again", "body": "Battery sales rose; Panasonic said so."}
        )
        + "\n"
    )
    reindex([changed], sample_store)
    with sample_store.searcher() as searcher:
        assert searcher.reader().has_deletions()
    _compare(sample_store, QUERIES)


@pytest.mark.parametrize("text", ['"electric vehicles"', '"smart cities"'])
def test_queries_whoosh_must_match_are_matched_by_whoosh_and_left_for_it_to_rank(sample_index, text):
    service = SearchService(sample_index)

    def check(snapshot) -> None:
        query = service.parse_query(text)
        found = snapshot.evaluator.matches(query)
        assert not found.by_arrays and not found.everything
        assert sorted(np.flatnonzero(found.mask)) == sorted(snapshot.searcher.docs_for_query(query))
        assert found.mask.any()

    try:
        service.snapshots.read(check)
    finally:
        service.close()


def test_facet_arrays_are_read_once_per_segment(sample_store, tmp_path):
    """An incremental commit adds a segment; the arrays of the old ones are reused."""
    snapshots = Snapshots(sample_store, [spec.field for spec in FACETS])
    first = snapshots.read(lambda snapshot: snapshot.columns)
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"id": "new", "title": "Sony opens plant", "body": "Sony Group said."}) + "\n")
    reindex([extra], sample_store)
    second = snapshots.read(lambda snapshot: snapshot.columns)
    snapshots.close()
    assert second is not first and second.size == first.size + 1
    assert (
        second.column("company").counts(second.alive).get("Sony")
        == first.column("company").counts(first.alive).get("Sony") + 1
    )


def test_empty_index_has_empty_arrays():
    columns = FacetColumns([], [spec.field for spec in FACETS], [])
    assert columns.size == 0 and columns.column("company").counts(columns.alive).as_dict() == {}


@pytest.mark.skipif(
    not (SHARED / "data" / "reuters.jsonl.gz").is_file(),
    reason="needs ../shared/data (the shared news corpora) beside the project",
)
def test_agrees_with_whoosh_on_real_news(tmp_path):
    lines = []
    with gzip.open(SHARED / "data" / "reuters.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            if json.loads(line).get("body"):
                lines.append(line)
            if len(lines) == 400:
                break
    (tmp_path / "reuters.jsonl").write_text("".join(lines), encoding="utf-8")
    store = IndexStore(tmp_path / "index")
    reindex([tmp_path / "reuters.jsonl"], store, full=True)
    _compare(
        store,
        [
            "oil",
            "oil prices",
            "bank OR banks",
            "shares NOT dividend",
            "crude oil output",
            "said",
            "trade deficit japan",
            "wheat OR corn OR grain",
        ],
        top=30,
    )


def _postings(count: int) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(count), np.ones(count, np.float32)


def test_the_posting_cache_keeps_recent_terms_up_to_its_size():
    cache = PostingCache(limit=10)
    cache.put(("body", "a"), _postings(4))
    cache.put(("body", "b"), _postings(4))
    assert cache.get(("body", "a")) is not None  # now the most recent
    cache.put(("body", "c"), _postings(4))  # 12 postings: the least recent goes
    assert [cache.get(("body", word)) is not None for word in "abc"] == [True, False, True]
    cache.put(("body", "c"), _postings(4))  # a term two threads read is kept once
    cache.put(("body", "d"), _postings(30))  # a list larger than the cache is still kept, alone
    assert [cache.get(("body", word)) is not None for word in "abcd"] == [False, False, False, True]


def test_every_thread_reads_the_postings_one_thread_decoded(sample_index):
    service = SearchService(sample_index)
    try:
        service.search(SearchRequest("battery"))  # this thread decodes the postings of "battery"
        caches = []

        def other_thread() -> None:
            caches.append(service.snapshots.read(lambda snapshot: snapshot.evaluator.cache))

        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        mine = service.snapshots.read(lambda snapshot: snapshot.evaluator.cache)
        assert caches == [mine] and mine.get(("body", stem("battery"))) is not None
    finally:
        service.close()


def _scores(layout: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    scores = {
        "random": rng.gamma(2.0, size=200_000),
        "ties": rng.integers(0, 5, 200_000).astype(float),  # the bound lands in a run of equal scores
        "ascending": np.sort(rng.random(200_000)),  # the best all at the end: the sample meets few of them
        "one in a stride": np.where(np.arange(200_000) % 97 == 3, 10.0 + rng.random(200_000), 0.0),
        # The best exactly where the sample looks (every 12th, for the 1,000 best): it overestimates.
        "on the sample's stride": np.where(np.arange(200_000) % 12 == 0, 10.0 + rng.random(200_000), 0.0),
        "few": rng.random(50),
    }
    return scores[layout]


@pytest.mark.parametrize("layout", ["random", "ties", "ascending", "one in a stride", "on the sample's stride", "few"])
@pytest.mark.parametrize("k", [1, 10, 1000])
def test_the_kth_largest_score_is_exact_however_scores_are_laid_out(layout, k):
    values = _scores(layout)
    k = min(k, len(values))
    assert kth_largest(values, k) == np.sort(values)[-k]


@pytest.mark.parametrize("layout", ["random", "ties", "one in a stride"])
def test_the_best_documents_are_those_of_a_full_sort(layout):
    scores = _scores(layout)
    mask = np.random.default_rng(1).random(len(scores)) < 0.9
    docs = np.flatnonzero(mask)
    expected = docs[np.lexsort((docs, -scores[docs]))][:1000]
    assert list(top_documents(mask, scores, 1000)) == list(expected)
