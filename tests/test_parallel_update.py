"""The first build and an update that adds most of an index are written by every core, and answer
every search as the one-writer update does; a small update still goes through one writer."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.article import Article
from indexer.errors import IndexWriteError
from indexer.facets.extract import PARALLEL_FROM
from indexer.index.learned_names import LearnedNames
from indexer.index.store import IndexStore, WriteReport
from indexer.ingest.files import read_articles
from indexer.reindex import reindex
from indexer.search.service import SearchRequest, SearchService

from .paths import DATA, SEEDS

QUERIES = [
    SearchRequest(q, sort=sort, page=page)
    for q in ("", "paion", "battery OR chip", "said -rose", "day")
    for sort in ("relevance", "newest")
    for page in (1, 3)
]
QUERIES += [SearchRequest("said", filters={"company": ("Paion",)}), SearchRequest(filters={"company": ("Paion",)})]


def every_answer(store: IndexStore) -> list:
    service = SearchService(store)
    try:
        return [replace(service.search(request), took_ms=0.0) for request in QUERIES]
    finally:
        service.close()


def stored_in_order(store: IndexStore) -> list[dict]:
    with store.searcher() as searcher:
        return list(searcher.all_stored_fields())


def segments(store: IndexStore) -> int:
    with store.searcher() as searcher:
        return len(searcher.reader().leaf_readers())


def records(count: int, prefix: str, edited: int = -1) -> list[dict]:
    """``count`` records of varied length built from the sample articles; the one numbered ``edited``
    says something else."""
    base = [a for a in read_articles([DATA / "articles.jsonl", DATA / "mixed", SEEDS]).articles if a.body]
    made = []
    for n in range(count):
        article = base[n % len(base)]
        body = f"{article.body}\n\n{'Paion AG said it rose. ' * (n % 7)}day {n} of {prefix}"
        if n == edited or (edited == -2 and n % 40 == 0):
            body += " Shares fell on Friday."
        made.append({"id": f"{n}", "title": article.title, "body": body})
    return made


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return path


def test_a_first_build_without_full_is_written_by_every_process(tmp_path):
    corpus = write_jsonl(tmp_path / "news" / "wire.jsonl", records(PARALLEL_FROM + 100, "wire"))
    one, two = IndexStore(tmp_path / "one"), IndexStore(tmp_path / "two")
    first = reindex([corpus], one, workers=1)  # one process: one writer
    report = reindex([corpus], two, workers=2)
    assert (
        report.summary()
        == first.summary()
        == (f"full rebuild: {PARALLEL_FROM + 100} added, 0 updated, 0 unchanged, 0 removed, 0 skipped")
    )
    assert (segments(one), segments(two)) == (1, 2)  # each process wrote its share
    assert stored_in_order(two) == stored_in_order(one)
    assert every_answer(two) == every_answer(one)
    assert two.learned_names() == one.learned_names()
    assert "Paion" in two.learned_names().names
    # The next run finds every article as it was.
    again = reindex([corpus], two, workers=2)
    assert again.summary().startswith(f"incremental: 0 added, 0 updated, {PARALLEL_FROM + 100} unchanged")


def test_an_update_that_adds_most_of_the_index_answers_as_one_writer_does(tmp_path):
    news, other = tmp_path / "news", tmp_path / "other"
    old = records(600, "old")
    write_jsonl(news / "old.jsonl", old)
    write_jsonl(other / "kept.jsonl", records(50, "kept"))
    one = IndexStore(tmp_path / "one")
    reindex([news, other], one, workers=1)
    shutil.copytree(one.root, tmp_path / "two")
    two = IndexStore(tmp_path / "two")
    # 20 articles changed, 30 gone from a file read whole, 550 unchanged, 2,000 new.
    changed = [dict(row, body=row["body"] + " Shares fell.") if int(row["id"]) % 30 == 0 else row for row in old]
    write_jsonl(news / "old.jsonl", changed[30:])
    write_jsonl(news / "new.jsonl", records(PARALLEL_FROM, "new"))

    plain = reindex([news], one, workers=1)
    report = reindex([news], two, workers=2)
    assert (
        report.summary()
        == plain.summary()
        == ("incremental: 2000 added, 19 updated, 551 unchanged, 30 removed, 0 skipped")
    )
    assert report.written.full is False
    assert (segments(one), segments(two)) == (2, 3)  # the served segment, and one per process beside it
    assert stored_in_order(two) == stored_in_order(one)
    assert every_answer(two) == every_answer(one)
    assert two.learned_names() == one.learned_names()
    assert not list(two.root.glob("gen-*/*.tmp")) and len(list(two.root.glob("gen-*"))) == 1

    # A small change to the big index now goes through one writer: one segment more.
    write_jsonl(news / "new.jsonl", records(PARALLEL_FROM, "new", edited=-2))
    plain = reindex([news], one, workers=1)
    report = reindex([news], two, workers=2)
    assert (
        report.summary()
        == plain.summary()
        == ("incremental: 0 added, 50 updated, 2520 unchanged, 0 removed, 0 skipped")
    )
    assert (segments(one), segments(two)) == (3, 4)
    assert stored_in_order(two) == stored_in_order(one)
    assert every_answer(two) == every_answer(one)


def make(article_id: str, body: str = "Body text about batteries.", source_file: str = "") -> Article:
    return Article(
        id=article_id, title="A title", body=body, source_file=source_file, companies=("Acme",), technologies=()
    )


def test_whether_a_run_adds_most_of_the_index(tmp_path):
    store = IndexStore(tmp_path / "index")
    assert store.mostly_new(["a"])  # no index yet
    store.rebuild([make("a"), make("b"), make("c")])
    assert not store.mostly_new(["a", "b", "x", "y"])  # 2 new against 3 held
    assert not store.mostly_new(["x", "y", "z"])  # as many new as held
    assert store.mostly_new(["a", "x", "y", "z", "w"])


def gone_file(tmp_path: Path) -> str:
    return str(tmp_path / "feeds" / "gone.jsonl")  # a file under the root that is not there


def test_update_in_parts_is_the_update_of_one_writer(tmp_path):
    root = str(tmp_path / "feeds")
    start = [make("keep"), make("edit"), make("gone", source_file=gone_file(tmp_path)), make("same")]
    one, two = IndexStore(tmp_path / "one"), IndexStore(tmp_path / "two")
    one.update(start)
    two.update(start)
    run = [make("edit", "Body text about chips."), make("same"), make("new1"), make("new2", "Chips and batteries.")]
    plain = one.update(run, roots=[root], learned_names=LearnedNames(("Paion",)))
    parts = [lambda: run[:1], lambda: [], lambda: run[1:]]
    report = two.update_in_parts(parts, [a.id for a in run], roots=[root], learned_names=LearnedNames(("Paion",)))
    assert report == plain == WriteReport(added=2, updated=1, unchanged=1, removed=1)
    assert stored_in_order(two) == stored_in_order(one)
    assert [f["id"] for f in stored_in_order(two)] == ["keep", "same", "edit", "new1", "new2"]
    assert every_answer(two) == every_answer(one)
    assert two.learned_names() == LearnedNames(("Paion",))


def test_update_in_parts_of_an_index_without_articles_is_a_first_build(tmp_path):
    store = IndexStore(tmp_path / "index")
    store.rebuild([], learned_names=LearnedNames(("Paion",), ("CalMat",)))
    empty = store.current_generation()
    report = store.update_in_parts(
        [lambda: [make("b")], lambda: [make("a")]], ["b", "a"], learned_names=LearnedNames(("Acme",))
    )
    assert report == WriteReport(added=2, full=True)
    assert store.current_generation() != empty
    assert [f["id"] for f in stored_in_order(store)] == ["b", "a"]
    assert segments(store) == 2
    assert store.learned_names() == LearnedNames(("Paion", "Acme"), ("CalMat",))


def failing_part():
    yield make("x")
    raise RuntimeError("the feed went away")


@pytest.mark.parametrize(
    "part, message",
    [
        (failing_part, "(?s)part 2 of the new index failed.*RuntimeError: the feed went away"),
        (lambda: os._exit(3), r"part 2 .* ended without finishing \(exit code 3\)"),
    ],
)
def test_a_failed_part_of_an_update_leaves_the_served_index(tmp_path, part, message):
    store = IndexStore(tmp_path / "index")
    store.update([make("a"), make("b")])
    served = store.served_state()
    files = sorted(path.name for path in store.current_generation().iterdir())
    with pytest.raises(IndexWriteError, match=message):
        store.update_in_parts([lambda: [make("c"), make("a", "Changed.")], part], ["c", "a", "x"])
    assert store.served_state() == served
    assert sorted(path.name for path in store.current_generation().iterdir()) == files
    assert [path.name for path in store.root.glob("gen-*")] == [served[0].name]
    assert [f["id"] for f in stored_in_order(store)] == ["a", "b"]
    assert SearchService(store).search(SearchRequest("changed")).total == 0
    # and the next update works
    assert store.update_in_parts([lambda: [make("c")]], ["c"]) == WriteReport(added=1, unchanged=0)
