"""Real reindex processes killed mid-run, and two writers at once: the serving index survives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.errors import IndexLockedError
from indexer.index.generations import CURRENT_FILE
from indexer.index.store import IndexStore
from indexer.reindex import reindex
from indexer.search.service import SearchRequest, SearchService

from .paths import SEEDS

ARTICLES = 2500
WORDS = (
    "battery plant output profit shares chip phone network software market factory supply deal "
    "investors quarter revenue cars electric solar wind oil gas bank loan rates growth"
).split()


def make_corpus(folder: Path, count: int = ARTICLES) -> Path:
    path = folder / "big.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for n in range(count):
            words = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(120))
            out.write(
                json.dumps(
                    {
                        "id": n,
                        "title": f"Story {n} about {WORDS[n % len(WORDS)]}",
                        "body": f"Acme Widgets Inc said on day {n} that {words}.",
                    }
                )
                + "\n"
            )
    return path


def start_reindex(paths: list[Path], index: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "index", *map(str, paths), "--index", str(index), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_reindex(paths: list[Path], index: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "indexer.cli", "index", *map(str, paths), "--index", str(index), *options],
        capture_output=True,
        text=True,
        timeout=600,
    )


def processes_reading(path: Path) -> list[int]:
    """Ids of live processes started with ``path`` on their command line (a reindex and its workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if str(path).encode() in command and state != "Z":
            found.append(int(entry.name))
    return found


def doc_count(index: Path) -> int:
    return SearchService(IndexStore(index)).search(SearchRequest()).total


def wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


@pytest.fixture
def serving(tmp_path):
    """A serving index of the seeds, and a large corpus to reindex."""
    index = tmp_path / "index"
    reindex([SEEDS], IndexStore(index), full=True)
    return index, make_corpus(tmp_path)


def test_full_rebuild_killed_while_writing(serving):
    index, corpus = serving
    served = (index / CURRENT_FILE).read_text()
    process = start_reindex([corpus], index, "--full")
    wait_for(lambda: len(list(index.glob("gen-*"))) > 1)  # the new generation is being written
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    wait_for(lambda: not processes_reading(corpus), timeout=10)
    assert (index / CURRENT_FILE).read_text() == served
    assert doc_count(index) == 2
    completed = run_reindex([corpus], index, "--full")
    assert completed.returncode == 0, completed.stderr
    assert doc_count(index) == ARTICLES
    assert len(list(index.glob("gen-*"))) == 2  # the new one and the one served before; the killed one is gone


@pytest.mark.parametrize(
    "phase, after", [("learning names", 0), ("extracting facets", 100), ("indexing", 10), ("indexing", 2400)]
)
def test_incremental_reindex_killed_at_any_moment(serving, phase, after):
    index, corpus = serving
    process = start_reindex([corpus], index, "--progress-every", "0")
    for line in process.stderr:  # one progress line per article: kill in the chosen phase
        label, _, rest = line.partition(": ")
        if label == phase and int(rest.split()[0].replace(",", "")) >= after:
            break
    process.send_signal(signal.SIGKILL)
    process.communicate()
    # Whatever the moment, the index is whole: as before, or with everything.
    assert doc_count(index) in (2, 2 + ARTICLES)
    assert SearchService(IndexStore(index)).search(SearchRequest("panasonic")).total == 2
    completed = run_reindex([corpus], index)
    assert completed.returncode == 0, completed.stderr
    assert doc_count(index) == 2 + ARTICLES


HOLD_LOCK = """
import sys, time
from indexer.index.store import IndexStore
with IndexStore(sys.argv[1])._write_lock():
    print("locked", flush=True)
    time.sleep(120)
"""


def test_second_writer_waits_then_gives_up_and_a_killed_holder_frees_the_lock(serving):
    index, _ = serving
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        blocked = run_reindex([SEEDS], index, "--lock-timeout", "1")
        assert blocked.returncode == IndexLockedError.exit_code
        assert "another reindex is writing" in blocked.stderr
        assert 1 <= time.monotonic() - started < 60
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    # The kernel released the dead holder's lock: the next reindex goes ahead at once.
    freed = run_reindex([SEEDS], index, "--lock-timeout", "5")
    assert freed.returncode == 0, freed.stderr
    assert freed.stdout.startswith("incremental: 0 added, 0 updated, 2 unchanged")


STUCK_BUILD = """
import sys, time
from indexer.index.store import IndexStore
IndexStore(sys.argv[1]).rebuild_in_parts([lambda: time.sleep(3600) or []] * 2)
"""


def test_writer_processes_end_with_a_killed_build(tmp_path):
    index = tmp_path / "stuck-index"
    process = subprocess.Popen([sys.executable, "-c", STUCK_BUILD, str(index)])
    try:
        wait_for(lambda: len(processes_reading(index)) == 3)  # the build and its two writers
        process.send_signal(signal.SIGKILL)
        process.wait()
        wait_for(lambda: not processes_reading(index), timeout=5)
        assert not (index / CURRENT_FILE).exists()
    finally:
        for pid in [process.pid, *processes_reading(index)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait()
