"""The reindex figures of the scale benchmark: a first build without --full beside the full
build, and an incremental update of one file in which 100 articles changed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.corpora import changed_copy
from indexer.index.store import IndexStore
from indexer.reindex import reindex


def measure_first_build(paths: list[Path], folder: Path, full_seconds: float) -> None:
    """What `newsfacet index PATH` without --full does on an empty folder, timed against the full
    build of the same paths measured just before, since both are written by every core."""
    store = IndexStore(folder)
    started = time.perf_counter()
    report = reindex(paths, store)
    seconds = time.perf_counter() - started
    shutil.rmtree(folder)  # the full build's index is the one queried
    print(
        f"first build without --full: {seconds:7.1f} s   {report.written.added / seconds:7.0f} articles/s   "
        f"{seconds / full_seconds:.2f}x the time of --full ({report.summary()})"
    )


def measure_incremental(store: IndexStore, path: Path, found: Callable[[str], int]) -> float:
    """Rewrite 100 articles of one file and reindex that file, as a daily update would; its seconds.

    ``found`` counts the articles a keyword finds on the running server."""
    ids = changed_copy(path, 100, "zqxbenchmark")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "indexer.cli", "index", str(path), "--index", str(store.root)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"incremental reindex failed: {done.stderr[-500:]}")
    started = time.perf_counter()
    visible = found("zqxbenchmark")
    first = (time.perf_counter() - started) * 1000
    print(
        f"incremental reindex of {len(ids)} changed articles (newsfacet index {path.name}): {seconds:.1f} s; "
        f"{visible} visible to the running server, first search after it {first:.0f} ms"
    )
    print(f"  {done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ''}")
    return seconds
