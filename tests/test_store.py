import os
import shutil
import threading

import pytest

from indexer.article import Article
from indexer.errors import IndexDamagedError, IndexLockedError, IndexNotFoundError, IndexOutdatedError, IndexWriteError
from indexer.index.generations import CURRENT_FILE
from indexer.index.learned_names import LearnedNames
from indexer.index.store import IndexStore, WriteReport
from indexer.search.service import SearchRequest, SearchService

from .paths import DATA


def make(article_id: str, body: str = "Body text about batteries.", title: str = "A title") -> Article:
    return Article(id=article_id, title=title, body=body, companies=("Acme",), technologies=("Batteries",))


def ids(store: IndexStore) -> list[str]:
    with store.searcher() as searcher:
        return sorted(fields["id"] for fields in searcher.all_stored_fields())


def test_missing_index(tmp_path):
    store = IndexStore(tmp_path / "index")
    assert not store.exists()
    with pytest.raises(IndexNotFoundError, match="run `newsfacet index`"):
        with store.searcher():
            pass


def test_rebuild_swaps_in_a_new_generation(tmp_path):
    store = IndexStore(tmp_path / "index")
    assert store.rebuild([make("a"), make("b")]) == WriteReport(added=2, full=True)
    first = store.current_generation()
    assert store.rebuild([make("c")]) == WriteReport(added=1, full=True)
    second = store.current_generation()
    assert first != second
    assert (tmp_path / "index" / CURRENT_FILE).read_text().strip() == second.name
    assert ids(store) == ["c"]


def test_failed_rebuild_leaves_serving_index_untouched(tmp_path):
    store = IndexStore(tmp_path / "index")
    store.rebuild([make("a")])
    serving = store.current_generation()

    def broken():
        yield make("b")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        store.rebuild(broken())
    assert store.current_generation() == serving
    assert ids(store) == ["a"]
    assert sorted(p.name for p in store.root.glob("gen-*")) == [serving.name]


def test_open_searcher_survives_a_swap(tmp_path):
    store = IndexStore(tmp_path / "index")
    store.rebuild([make("a")])
    with store.searcher() as searcher:
        store.rebuild([make("b")])
        store.rebuild([make("c")])
        assert [f["id"] for f in searcher.all_stored_fields()] == ["a"]
    assert ids(store) == ["c"]


def test_old_generations_are_removed_but_the_previous_one(tmp_path):
    store = IndexStore(tmp_path / "index")
    for name in "abcd":
        store.rebuild([make(name)])
    assert len(list(store.root.glob("gen-*"))) == 2


def test_incremental_update(tmp_path):
    store = IndexStore(tmp_path / "index")
    assert store.update([make("a"), make("b")]) == WriteReport(added=2, full=True)
    generation = store.current_generation()
    report = store.update([make("a"), make("b", body="Changed body."), make("c")])
    assert report == WriteReport(added=1, updated=1, unchanged=1)
    assert store.current_generation() == generation
    assert ids(store) == ["a", "b", "c"]
    result = SearchService(store).search(SearchRequest("changed"))
    assert [hit.id for hit in result.hits] == ["b"]


def test_one_writer_at_a_time(tmp_path):
    store = IndexStore(tmp_path / "index")
    store.rebuild([make("a")])
    holding, release = threading.Event(), threading.Event()

    def hold_lock():
        with store._write_lock():
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=hold_lock)
    thread.start()
    try:
        holding.wait(5)
        with pytest.raises(IndexLockedError, match="another reindex is writing"):
            IndexStore(store.root, lock_timeout=0.2).update([make("b")])
    finally:
        release.set()
        thread.join()
    assert IndexStore(store.root, lock_timeout=0.2).update([make("b")]).added == 1


def test_an_index_from_an_older_schema_asks_for_a_full_rebuild(tmp_path):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, Schema

    store = IndexStore(tmp_path / "index")
    store.rebuild([make("a")])
    old = store.root / "gen-old"
    old.mkdir()
    whoosh_index.create_in(str(old), Schema(id=ID(stored=True))).close()
    (store.root / CURRENT_FILE).write_text("gen-old\n")
    with pytest.raises(IndexOutdatedError, match=r"older version of newsfacet .*newsfacet index --full"):
        SearchService(store).search(SearchRequest())
    with pytest.raises(IndexOutdatedError):
        store.update([make("b")])
    assert store.rebuild([make("b")]).added == 1
    assert ids(store) == ["b"]


def test_a_search_retries_when_a_commit_replaced_files_under_it(tmp_path, monkeypatch):
    store = IndexStore(tmp_path / "index")
    store.rebuild([make("a")])
    service = SearchService(store)
    calls = []
    real = SearchService._search

    def flaky(self, searcher, request):
        calls.append(1)
        if len(calls) == 1:
            raise FileNotFoundError("_MAIN_abc.seg")  # what a lazily opened, replaced segment file raises
        return real(self, searcher, request)

    monkeypatch.setattr(SearchService, "_search", flaky)
    assert service.search(SearchRequest()).total == 1
    assert len(calls) == 2


def in_order(store: IndexStore) -> list[str]:
    with store.searcher() as searcher:
        return [fields["id"] for fields in searcher.all_stored_fields()]


def test_rebuild_in_parts_keeps_the_order_of_parts(tmp_path):
    store = IndexStore(tmp_path / "index")
    parts = [lambda: [make("c"), make("a")], lambda: [], lambda: [make("b", title="Battery news")]]
    assert store.rebuild_in_parts(parts) == WriteReport(added=3, full=True)
    assert in_order(store) == ["c", "a", "b"]
    assert [hit.id for hit in SearchService(store).search(SearchRequest("battery", sort="oldest")).hits] == [
        "c",
        "a",
        "b",
    ]
    # Nothing of the writers' scratch files is left in the generation.
    assert not list(store.current_generation().glob("*.tmp"))


def failing_part():
    yield make("x")
    raise RuntimeError("the feed went away")


@pytest.mark.parametrize(
    "parts, error, message",
    [
        (
            [lambda: [make("a")], failing_part],
            IndexWriteError,
            "(?s)part 2 of the new index failed.*RuntimeError: the feed went away",
        ),
        ([lambda: [make("a")], lambda: [make("b"), make("a")]], ValueError, "article id 'a' is in more than one part"),
        ([lambda: [make("a"), make("a")]], IndexWriteError, "an article id is repeated within one part"),
        (
            [lambda: [make("a")], lambda: os._exit(3)],
            IndexWriteError,
            r"part 2 .* ended without finishing \(exit code 3\)",
        ),
    ],
)
def test_a_failed_rebuild_in_parts_leaves_the_served_index(tmp_path, parts, error, message):
    store = IndexStore(tmp_path / "index")
    store.rebuild([make("old")])
    served = store.current_generation()
    with pytest.raises(error, match=message):
        store.rebuild_in_parts(parts)
    assert store.current_generation() == served
    assert ids(store) == ["old"]
    assert [path.name for path in (tmp_path / "index").glob("gen-*")] == [served.name]


def test_learned_names_are_kept_with_the_index(tmp_path):
    store = IndexStore(tmp_path / "index")
    assert store.learned_names() == LearnedNames()
    store.rebuild([make("a")], learned_names=LearnedNames(("Paion", "Acme"), ("Calmat",)))
    assert store.learned_names() == LearnedNames(("Paion", "Acme"), ("Calmat",))
    # added to: the first spelling of a confirmed name kept, spellings compared as written
    store.update([make("b")], learned_names=LearnedNames(("paion", "Zeta Labs"), ("CalMat", "Calmat")))
    assert store.learned_names() == LearnedNames(("Paion", "Acme", "Zeta Labs"), ("Calmat", "CalMat"))
    store.update([make("c")])  # an update without names leaves them
    assert store.learned_names() == LearnedNames(("Paion", "Acme", "Zeta Labs"), ("Calmat", "CalMat"))
    # a new generation starts afresh
    store.rebuild_in_parts([lambda: [make("a")]], learned_names=LearnedNames(("Other",)))
    assert store.learned_names() == LearnedNames(("Other",))
    (store.current_generation() / "learned-names.json").write_text("{not json", "utf-8")
    with pytest.raises(IndexDamagedError, match="learned-names.json is damaged.*index --full"):
        store.learned_names()
    (store.current_generation() / "learned-names.json").write_text('{"names": ["Paion"]}', "utf-8")
    with pytest.raises(IndexDamagedError, match="not a list of names and a list of spellings"):
        store.learned_names()


def test_names_kept_before_spellings_were_are_read(tmp_path):
    store = IndexStore(tmp_path / "index")
    store.rebuild([make("a")])
    (store.current_generation() / "learned-names.json").write_text('["Paion", "Acme"]', "utf-8")
    assert store.learned_names() == LearnedNames(("Paion", "Acme"))


def test_an_index_written_by_version_0_1_still_opens_searches_and_updates(tmp_path):
    # Whoosh pickles the stemmer's import path (indexer.stemming.stem) into every index:
    # moving it would make every existing index unreadable.
    shutil.copytree(DATA / "index-0.1", tmp_path / "index")
    store = IndexStore(tmp_path / "index")
    result = SearchService(store).search(SearchRequest(query="battery", filters={"company": ("Toyota",)}))
    assert [(hit.id, hit.companies) for hit in result.hits] == [("articles/1", ("Panasonic", "Toyota"))]
    assert store.update([make("b")]).added == 1
    assert ids(store) == ["articles/1", "b"]


# Whoosh leaves the table of contents open when its pickle cannot be read; it is closed when collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_index_whose_schema_cannot_be_unpickled_asks_for_a_full_rebuild(tmp_path):
    shutil.copytree(DATA / "index-0.1", tmp_path / "index")
    store = IndexStore(tmp_path / "index")
    toc = next(store.current_generation().glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes().replace(b"indexer.stemming", b"indexer.stemmings"))
    with pytest.raises(
        IndexOutdatedError, match=r"another version of newsfacet .*`newsfacet index --full PATH \.\.\.`"
    ):
        SearchService(store).search(SearchRequest())
