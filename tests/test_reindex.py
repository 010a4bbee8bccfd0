"""Incremental reindexing against a real index: add, update, keep, remove; one or several processes."""

import gzip
import json
from dataclasses import replace

import pytest

from indexer.facets.extract import PARALLEL_FROM, extract_facets_batch
from indexer.index.store import IndexStore
from indexer.ingest.files import read_articles
from indexer.reindex import reindex
from indexer.search.service import SearchRequest, SearchService
from webapp import create_app

from .paths import DATA, SEEDS, SHARED


def write_article(path, title, body):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{title}\n\n{body}\n", "utf-8")


def ids(store):
    with store.searcher() as searcher:
        return sorted(f["id"] for f in searcher.all_stored_fields())


@pytest.fixture
def corpus(tmp_path):
    news = tmp_path / "news"
    write_article(news / "a.txt", "Honda expands plant", "Honda Motor will expand its Ohio plant.")
    write_article(news / "b.txt", "Mazda buys cells", "Mazda Motor will buy cells from Panasonic.")
    other = tmp_path / "other"
    write_article(other / "c.txt", "Sony sells unit", "Sony Group sold a chip unit on Monday.")
    store = IndexStore(tmp_path / "index")
    reindex([news, other], store)
    return news, other, store


def test_second_run_changes_nothing(corpus):
    news, other, store = corpus
    report = reindex([news, other], store)
    assert report.summary() == "incremental: 0 added, 0 updated, 3 unchanged, 0 removed, 0 skipped"


def test_changed_added_and_removed_files(corpus):
    news, other, store = corpus
    write_article(news / "a.txt", "Honda expands plant", "Honda Motor will expand its Ohio plant again.")
    write_article(news / "d.txt", "Nissan recalls cars", "Nissan Motor recalled 10,000 cars.")
    (news / "b.txt").unlink()
    report = reindex([news], store)
    assert report.summary() == "incremental: 1 added, 1 updated, 0 unchanged, 1 removed, 0 skipped"
    # c.txt lives under another path: left alone
    assert ids(store) == ["a", "c", "d"]
    assert SearchService(store).get_article("a").body.endswith("again.")


def test_unreadable_file_keeps_its_article(corpus):
    news, other, store = corpus
    (news / "b.txt").write_bytes(b"\x00\x01binary now")
    report = reindex([news], store)
    assert [s.reason for s in report.skipped] == ["file is binary, not text"]
    assert report.written.removed == 0
    assert "b" in ids(store)


def test_record_gone_from_a_complete_file_is_removed(tmp_path):
    feed = tmp_path / "feed.jsonl"
    records = [{"id": n, "title": f"Story {n}", "body": f"Body of story {n}."} for n in (1, 2, 3)]
    feed.write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    store = IndexStore(tmp_path / "index")
    reindex([feed], store)
    feed.write_text("\n".join(json.dumps(r) for r in records[:2]), "utf-8")
    assert reindex([feed], store).written.removed == 1
    assert ids(store) == ["feed/1", "feed/2"]
    # a broken line is reported, and the story it held is not dropped
    feed.write_text(json.dumps(records[0]) + "\n{broken", "utf-8")
    report = reindex([feed], store)
    assert (report.written.removed, len(report.skipped)) == (0, 1)
    assert ids(store) == ["feed/1", "feed/2"]


def test_full_rebuild_from_exactly_the_given_paths(corpus):
    news, other, store = corpus
    report = reindex([other], store, full=True)
    assert report.summary() == "full rebuild: 1 added, 0 updated, 0 unchanged, 0 removed, 0 skipped"
    assert ids(store) == ["c"]


def test_identical_copies_are_indexed_once_and_their_ids_still_work(tmp_path):
    one, two = tmp_path / "wire-a" / "x.txt", tmp_path / "wire-b" / "y.txt"
    write_article(one, "Toyota raises output", "Toyota Motor raised output.")
    write_article(two, "Toyota raises output", "Toyota Motor raised output.")
    store = IndexStore(tmp_path / "index")
    report = reindex([tmp_path / "wire-a", tmp_path / "wire-b"], store)
    assert report.summary().endswith("; 1 identical copy folded into their first")
    assert ids(store) == ["x"]
    assert SearchService(store).get_article("y").id == "x"
    page = create_app({"TESTING": True, "INDEX": str(store.root)}).test_client().get("/article/y")
    assert page.status_code == 200
    assert "Also published as" in page.get_data(as_text=True) and "y.txt" in page.get_data(as_text=True)


def test_running_app_sees_a_finished_reindex(corpus):
    news, other, store = corpus
    client = create_app({"TESTING": True, "INDEX": str(store.root)}).test_client()
    assert client.get("/api/search").get_json()["total"] == 3
    write_article(news / "e.txt", "Tesla cuts prices", "Tesla cut prices again.")
    reindex([news], store)
    assert client.get("/api/search?q=tesla").get_json()["total"] == 1
    reindex([other], store, full=True)  # a swapped-in generation is seen too
    assert client.get("/api/search").get_json()["total"] == 1
    assert SearchService(store).search(SearchRequest("sony")).total == 1


def _facets(articles) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(a.id, a.companies, a.technologies) for a in articles]


def test_several_processes_extract_exactly_what_one_does(tmp_path):
    """Large batches are read by a process pool; names learned and facets are the same."""
    base = [a for a in read_articles([DATA / "articles.jsonl", DATA / "mixed", SEEDS]).articles if a.body]
    articles = [
        replace(a, id=f"{a.id}-{n}", body=f"{a.body}\n\nPaion AG said on day {n} it rose.")
        for n in range(PARALLEL_FROM // len(base) + 1)
        for a in base
    ]
    assert len(articles) >= PARALLEL_FROM
    one = list(extract_facets_batch(articles, workers=1))
    two = list(extract_facets_batch(articles, workers=2))
    assert _facets(two) == _facets(one)
    assert any("Paion" in a.companies for a in one)


@pytest.mark.skipif(
    not (SHARED / "data" / "reuters.jsonl.gz").is_file(),
    reason="needs ../shared/data (the shared news corpora) beside the project",
)
def test_several_processes_agree_on_real_news(tmp_path):
    with gzip.open(SHARED / "data" / "reuters.jsonl.gz", "rt", encoding="utf-8") as handle:
        lines = handle.readlines()[:2500]
    (tmp_path / "reuters.jsonl").write_text("".join(lines), encoding="utf-8")
    articles = read_articles([tmp_path / "reuters.jsonl"]).articles
    assert _facets(extract_facets_batch(articles, workers=2)) == _facets(extract_facets_batch(articles, workers=1))


def _every_answer(store, queries):
    service = SearchService(store)
    try:
        return [replace(service.search(request), took_ms=0.0) for request in queries]
    finally:
        service.close()


def test_a_full_build_by_several_processes_answers_as_one_does(tmp_path):
    """Each process writes its share as a segment; documents, ranking and facets are unchanged."""
    base = [a for a in read_articles([DATA / "articles.jsonl", DATA / "mixed", SEEDS]).articles if a.body]
    # Varied lengths and term counts, so ranking has few ties and the order of documents shows.
    articles = [
        replace(a, id=f"{a.id}-{n}", body=f"{a.body}\n\n{'Paion AG said it rose. ' * (n % 7)}day {n}")
        for n in range(PARALLEL_FROM // len(base) + 1)
        for a in base
    ]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        "".join(json.dumps({"id": a.id, "title": a.title, "body": a.body}) + "\n" for a in articles), "utf-8"
    )
    one, two = IndexStore(tmp_path / "one"), IndexStore(tmp_path / "two")
    reindex([corpus], one, full=True, workers=1)
    reindex([corpus], two, full=True, workers=2)
    with one.searcher() as first, two.searcher() as second:
        assert len(second.reader().leaf_readers()) == 2  # really written in two parts
        assert list(second.all_stored_fields()) == list(first.all_stored_fields())
    queries = [
        SearchRequest(q, sort=sort, page=page)
        for q in ("", "paion", "battery OR chip", "said -rose")
        for sort in ("relevance", "newest")
        for page in (1, 3)
    ]
    queries += [SearchRequest("said", filters={"company": ("Paion",)}), SearchRequest(filters={"company": ("Paion",)})]
    assert _every_answer(two, queries) == _every_answer(one, queries)


def companies_of(store, article_id):
    return SearchService(store).get_article(article_id).companies


def test_an_update_knows_the_names_the_whole_collection_confirmed(tmp_path):
    # "Paion AG" confirms Paion as a company in one file; another names it bare.
    write_article(tmp_path / "wire" / "a.txt", "Paion AG results", "Paion AG reported higher sales.")
    write_article(tmp_path / "daily" / "b.txt", "Drug maker gains", "The approval lifted Paion and its rivals.")
    write_article(tmp_path / "daily" / "c.txt", "Markets calm", "Stocks were flat on Monday.")
    store = IndexStore(tmp_path / "index")
    reindex([tmp_path / "wire", tmp_path / "daily"], store, full=True)
    assert companies_of(store, "b") == ("Paion",)
    write_article(tmp_path / "daily" / "c.txt", "Markets calm", "Stocks were flat on Monday and Tuesday.")
    report = reindex([tmp_path / "daily"], store)  # the wire file is not read this time
    assert report.summary() == "incremental: 0 added, 1 updated, 1 unchanged, 0 removed, 0 skipped"
    assert companies_of(store, "b") == ("Paion",)
    assert "Paion" in store.learned_names().names
    reindex([tmp_path / "daily"], store, full=True)  # a full build learns from what it reads alone
    assert companies_of(store, "b") == ()
