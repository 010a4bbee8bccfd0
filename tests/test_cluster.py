"""Reindexing on a Dask cluster: a real scheduler and worker processes on 127.0.0.1.

Every search over a build through the cluster answers as over a one-process
build; a worker killed mid-build leaves a complete index or the served one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import cluster
from indexer.cli import main
from indexer.errors import IndexWriteError
from indexer.index import cluster as index_cluster
from indexer.index.store import IndexStore
from indexer.ingest.files import read_articles
from indexer.reindex import reindex
from indexer.search.service import SearchRequest, SearchService

from .paths import DATA, SEEDS

distributed = pytest.importorskip("distributed", reason="needs the cluster extra: pip install -e '.[cluster]'")

DASK = Path(sys.executable).with_name("dask")
START_SECONDS = 30


def _start(arguments: list[str], folder: Path, name: str) -> subprocess.Popen:
    log = open(folder / f"{name}.log", "w")  # closed in _stop
    process = subprocess.Popen([str(DASK), *arguments], stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    process.log = log
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log.close()


def _start_worker(address: str, folder: Path, name: str) -> subprocess.Popen:
    # No nanny: the worker is one process, so killing it is a worker dying, not one being restarted.
    arguments = ["worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", name]
    return _start([*arguments, "--local-directory", str(folder / name)], folder, name)


def _wait_for_workers(address: str, names: set[str]) -> None:
    with distributed.Client(address, timeout=START_SECONDS) as client:
        deadline = time.monotonic() + START_SECONDS
        while {w["name"] for w in client.scheduler_info(n_workers=-1)["workers"].values()} < names:
            if time.monotonic() > deadline:
                raise TimeoutError(f"workers {sorted(names)} did not join {address}")
            time.sleep(0.1)


@contextmanager
def _dask_cluster(folder: Path) -> Iterator[tuple[str, dict[str, subprocess.Popen]]]:
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1: its address and the
    worker processes by name, all terminated when the block ends."""
    scheduler_file = folder / "scheduler.json"
    arguments = ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
    processes = [_start([*arguments, "--scheduler-file", str(scheduler_file)], folder, "scheduler")]
    try:
        deadline = time.monotonic() + START_SECONDS
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            if time.monotonic() > deadline or processes[0].poll() is not None:
                raise TimeoutError("the dask scheduler did not start")
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        workers = {name: _start_worker(address, folder, name) for name in ("worker-1", "worker-2")}
        processes += workers.values()
        _wait_for_workers(address, set(workers))
        yield address, workers
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """The address of a real scheduler with two workers, shared by the tests that build through it."""
    with _dask_cluster(tmp_path_factory.mktemp("dask")) as (address, _):
        yield address


def _corpus(folder: Path, copies: int) -> Path:
    """The sample articles many times over, with varied lengths so ranking has few ties."""
    base = [a for a in read_articles([DATA / "articles.jsonl", DATA / "mixed", SEEDS]).articles if a.body]
    articles = [
        replace(a, id=f"{a.id}-{n}", body=f"{a.body}\n\n{'Paion AG said it rose. ' * (n % 7)}day {n}")
        for n in range(copies)
        for a in base
    ]
    corpus = folder / "corpus.jsonl"
    corpus.write_text(
        "".join(json.dumps({"id": a.id, "title": a.title, "body": a.body}) + "\n" for a in articles), "utf-8"
    )
    return corpus


QUERIES = [
    SearchRequest(q, sort=sort, page=page)
    for q in ("", "paion", "battery OR chip", "said -rose", '"said it rose"')
    for sort in ("relevance", "newest")
    for page in (1, 3)
]
QUERIES += [
    SearchRequest("said", filters={"company": ("Paion",)}),
    SearchRequest(filters={"company": ("Paion",)}),
    SearchRequest(excluded={"company": ("Paion",)}, sort="oldest"),
]


def _every_answer(store: IndexStore) -> list:
    service = SearchService(store)
    try:
        return [replace(service.search(request), took_ms=0.0) for request in QUERIES]
    finally:
        service.close()


@pytest.fixture(scope="module")
def one_process(tmp_path_factory):
    """A corpus of a few hundred articles and its one-process build."""
    folder = tmp_path_factory.mktemp("corpus")
    corpus = _corpus(folder, 40)
    store = IndexStore(folder / "one")
    reindex([corpus], store, full=True, workers=1)
    return corpus, store


def _same_index(built: IndexStore, one: IndexStore, parts: int) -> None:
    with one.searcher() as first, built.searcher() as second:
        assert len(second.reader().leaf_readers()) == parts  # one segment per part
        assert list(second.all_stored_fields()) == list(first.all_stored_fields())
    assert built.learned_names() == one.learned_names()
    assert _every_answer(built) == _every_answer(one)


def test_a_build_on_the_cluster_answers_as_one_process(scheduler, one_process, tmp_path, monkeypatch):
    corpus, one = one_process
    monkeypatch.setattr(cluster, "CHUNK_ARTICLES", 25)  # several chunks to a part, as in a large build
    store = IndexStore(tmp_path / "index")
    report = reindex([corpus], store, full=True, scheduler=scheduler)
    assert report.written.added == len(read_articles([corpus]).articles) > 200
    _same_index(store, one, parts=2)
    # Each worker wrote its own segment into the shared folder; the token was removed before the commit.
    assert not (store.current_generation() / index_cluster.MARKER_FILE).exists()


def test_workers_that_do_not_see_the_index_folder_send_articles_back(scheduler, one_process, tmp_path):
    corpus, one = one_process
    with distributed.Client(scheduler) as client:
        client.run(setattr, index_cluster, "MARKER_FILE", "elsewhere.token")  # as if on other disks
        try:
            store = IndexStore(tmp_path / "index")
            reindex([corpus], store, full=True, scheduler=scheduler)
        finally:
            client.run(setattr, index_cluster, "MARKER_FILE", index_cluster.MARKER_FILE)
    _same_index(store, one, parts=2)


def test_an_update_through_the_cluster_writes_what_one_process_writes(scheduler, one_process, tmp_path):
    corpus, one = one_process
    store = IndexStore(tmp_path / "index")
    reindex([SEEDS], store, scheduler=scheduler)  # the first build, through the cluster
    reindex([corpus], store, scheduler=scheduler)  # an update, extracted on the cluster
    expected = IndexStore(tmp_path / "expected")
    reindex([SEEDS], expected, workers=1)
    reindex([corpus], expected, workers=1)
    assert _every_answer(store) == _every_answer(expected)


def _busy_worker(observer) -> str | None:
    """The name of a worker that holds or runs anything: killing it loses work Dask must redo."""
    held, running = observer.has_what(), observer.processing()
    for address, worker in observer.scheduler_info(n_workers=-1)["workers"].items():
        if held.get(address) or running.get(address):
            return worker["name"]
    return None


def test_a_worker_killed_mid_build_leaves_a_complete_index_or_the_served_one(tmp_path):
    corpus = _corpus(tmp_path, 150)
    store = IndexStore(tmp_path / "index")
    reindex([SEEDS], store, full=True, workers=1)
    served = store.current_generation()
    before = _every_answer(store)
    outcome: dict[str, object] = {}
    # A cluster of its own: which worker Dask gives work to first is its choice, and that one is killed.
    with _dask_cluster(tmp_path) as (address, workers):

        def build() -> None:
            try:
                outcome["report"] = reindex([corpus], store, full=True, scheduler=address)
            except IndexWriteError as error:
                outcome["error"] = error
            except BaseException as error:  # shown by the assertion below, not lost in the thread
                outcome["unexpected"] = error

        builder = threading.Thread(target=build)
        builder.start()
        with distributed.Client(address) as observer:
            deadline = time.monotonic() + START_SECONDS
            doomed = None
            while doomed is None and builder.is_alive() and time.monotonic() < deadline:
                doomed = _busy_worker(observer)
                time.sleep(0.01)
            killed = builder.is_alive() and doomed is not None
            if doomed is not None:
                workers[doomed].kill()
        builder.join(120)
    assert "unexpected" not in outcome, outcome
    assert killed, "the build finished before a worker could be killed"
    if "report" in outcome:  # Dask ran the dead worker's tasks on the other
        expected = IndexStore(tmp_path / "expected")
        reindex([corpus], expected, full=True, workers=1)
        assert outcome["report"].written.added == len(read_articles([corpus]).articles)
        assert _every_answer(store) == _every_answer(expected)
    else:
        assert "the served index is unchanged" in str(outcome["error"])
        assert store.current_generation() == served
        assert _every_answer(store) == before


def test_index_command_with_a_local_cluster(tmp_path):
    index = tmp_path / "index"
    result = CliRunner().invoke(
        main,
        ["index", str(SEEDS), "--full", "--index", str(index), "--scheduler", "local", "--workers", "1"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "full rebuild: 2 added" in result.output
    assert "dashboard http://" in result.output  # on stderr, which the runner mixes in


def test_scheduler_without_dask_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    result = CliRunner().invoke(main, ["index", str(SEEDS), "--index", str(tmp_path / "index"), "--scheduler", "local"])
    assert result.exit_code == 1
    assert "pip install 'newsfacet[cluster]'" in result.output
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_an_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    store = IndexStore(tmp_path / "index")
    with pytest.raises(IndexWriteError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        reindex([SEEDS], store, full=True, scheduler="tcp://127.0.0.1:9")
    assert not store.has_pointer()
