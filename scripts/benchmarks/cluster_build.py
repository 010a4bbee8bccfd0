"""The cluster figure of the scale benchmark: a full build through `--scheduler local` with two
workers, back to back with the built-in full build of the same paths (two forked processes)."""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

from indexer.index.store import IndexStore
from indexer.reindex import ReindexReport, reindex

WORKERS = 2


def measure_cluster_build(paths: list[Path], folder: Path) -> None:
    """Time the built-in full build with WORKERS processes, then the same build on a local Dask
    cluster of WORKERS processes (started and closed within the timing, as `newsfacet index
    --scheduler local` does), and print both rates and their ratio.

    Both are timed here, one right after the other, so the ratio compares runs on the same machine
    under the same load. Skipped with a line when the cluster extra is not installed.
    """
    if importlib.util.find_spec("distributed") is None:
        print("full build on a local Dask cluster: skipped (pip install -e '.[cluster]')")
        return
    builtin, builtin_seconds = _timed(lambda store: reindex(paths, store, full=True, workers=WORKERS), folder)
    on_cluster, cluster_seconds = _timed(
        lambda store: reindex(paths, store, full=True, scheduler="local", workers=WORKERS), folder
    )
    print(f"full build, built-in, {WORKERS} processes:        {_rate(builtin, builtin_seconds)}")
    print(
        f"full build, --scheduler local, {WORKERS} workers: {_rate(on_cluster, cluster_seconds)}   "
        f"{builtin_seconds / cluster_seconds:.2f}x the built-in build's rate"
    )


def _timed(build, folder: Path) -> tuple[ReindexReport, float]:
    started = time.perf_counter()
    report = build(IndexStore(folder))
    seconds = time.perf_counter() - started
    shutil.rmtree(folder)
    return report, seconds


def _rate(report: ReindexReport, seconds: float) -> str:
    return f"{seconds:7.1f} s   {report.written.added / seconds:7.0f} articles/s"
