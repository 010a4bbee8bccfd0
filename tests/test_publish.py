"""Publishing the served index to a read replica's folder: a whole new generation there, or nothing."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.errors import IndexWriteError, InputError
from indexer.index.store import IndexStore
from indexer.reindex import reindex
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService

from .paths import DATA, SEEDS

QUERIES = (
    SearchRequest(),
    SearchRequest("batteries"),
    SearchRequest("", {"company": ("Panasonic",)}),
    SearchRequest("joint venture", sort="newest"),
    SearchRequest("battery plant"),
)


def answers(store: IndexStore) -> list[tuple]:
    service = SearchService(store)
    try:
        return [
            (
                result.total,
                [hit.id for hit in result.hits],
                {facet.name: [(v.value, v.count) for v in facet.values] for facet in result.facets},
            )
            for result in map(service.search, QUERIES)
        ]
    finally:
        service.close()


def generations(store: IndexStore) -> list[str]:
    return sorted(path.name for path in store.root.glob("gen-*"))


@pytest.fixture
def source(tmp_path: Path) -> IndexStore:
    store = IndexStore(tmp_path / "index")
    reindex([SEEDS, DATA / "articles.jsonl"], store, full=True)
    return store


def test_a_replica_answers_as_the_index_it_was_published_from(source, tmp_path):
    replica = IndexStore(tmp_path / "replica")
    report = source.publish(replica)
    assert generations(replica) == [report.generation] == [replica.current_generation().name]
    assert report.linked == 0 and report.copied_bytes > 0
    assert answers(replica) == answers(source)


def test_publishing_an_update_links_what_the_replica_holds_and_keeps_two_generations(source, tmp_path):
    replica = IndexStore(tmp_path / "replica")
    first = source.publish(replica).generation
    plants = answers(replica)[-1][0]
    news = tmp_path / "news.jsonl"
    news.write_text(json.dumps({"id": "n1", "title": "Panasonic opens a battery plant", "body": "x " * 50}) + "\n")
    reindex([news], source)
    second = source.publish(replica)
    assert generations(replica) == sorted([first, second.generation])  # the one before, for searchers still on it
    published = answers(replica)
    assert published == answers(source) and published[-1][0] == plants + 1  # the new article is on the replica
    # Whoosh's segment files never change: those of the first copy are shared, not copied again
    # (the learned names kept beside them are rewritten by every update).
    before, after = replica.root / first, replica.root / second.generation
    shared = [p.name for p in after.iterdir() if (before / p.name).exists() and p.name != "learned-names.json"]
    assert len(shared) == second.linked > 0
    assert all(os.stat(after / name).st_ino == os.stat(before / name).st_ino for name in shared)
    third = source.publish(replica)
    assert generations(replica) == sorted([second.generation, third.generation])
    assert third.linked == third.files and third.copied_bytes == 0


def test_the_index_is_no_replica_of_itself(source):
    with pytest.raises(InputError, match="not a replica"):
        source.publish(IndexStore(source.root))


def test_a_copy_that_fails_leaves_the_replica_serving_what_it_served(source, tmp_path):
    replica = IndexStore(tmp_path / "replica")
    served = source.publish(replica).generation
    reindex([SEEDS, DATA / "articles.jsonl", DATA / "mixed"], source, full=True)
    result = subprocess.run(
        [sys.executable, "-m", "indexer.cli", "publish", str(replica.root), "--index", str(source.root)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_no_bigger_files_than(4096),
    )
    assert result.returncode == IndexWriteError.exit_code
    assert result.stderr.strip().startswith(f"Error: cannot write the index at {replica.root}: File too large")
    assert generations(replica) == [served] == [replica.current_generation().name]


def test_publish_command_says_what_it_copied(source, tmp_path):
    replica = tmp_path / "replica"
    result = subprocess.run(
        [sys.executable, "-m", "indexer.cli", "publish", str(replica), "--index", str(source.root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (generation,) = generations(IndexStore(replica))
    assert result.stdout.startswith(f"published {generation}: ") and result.stdout.strip().endswith(f"-> {replica}")


def _no_bigger_files_than(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply
