"""A load test: concurrent clients against `newsfacet serve` while a reindex adds articles.

Run it as ``scripts/load-test [CORPUS ...] [--clients 16] [--seconds 20]``. It
builds an index in a temporary folder from the corpus (the seeds by default),
serves it with ``newsfacet serve`` on a free loopback port, runs the clients
for the given time while a second process reindexes with new articles, then
checks that every request succeeded and the new articles became visible
without a restart. Traffic goes to 127.0.0.1 only, and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.serving import newsfacet_server

QUERIES = [
    "/api/search",
    "/api/search?q=batteries",
    "/api/search?company=Panasonic",
    "/?q=toyota+OR+honda",
    "/api/search?technology=Batteries&sort=newest",
    "/api/search?q=electric+vehicles&page=2&per_page=5",
    "/feed.atom?q=battery",
    "/api/facets/company?prefix=pa",
    "/api/search?q=panasonik",
]
MARKER = "zyxloadmarker"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)


def _client(base: str, deadline: float, tally: Tally, offset: int) -> None:
    n = offset
    while time.monotonic() < deadline:
        path = QUERIES[n % len(QUERIES)]
        n += 1
        started = time.monotonic()
        error = None
        try:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                response.read()
                if response.status != 200:
                    error = f"{path}: HTTP {response.status}"
        except urllib.error.HTTPError as failure:
            error = f"{path}: HTTP {failure.code}: {failure.read()[:300].decode('utf-8', 'replace')}"
        except (urllib.error.URLError, OSError) as failure:
            error = f"{path}: {failure}"
        tally.record(time.monotonic() - started, error)


def _visible(base: str) -> int:
    with urllib.request.urlopen(f"{base}/api/search?q={MARKER}", timeout=30) as response:
        return json.load(response)["total"]


def run(corpus: list[str], clients: int, seconds: float, new_articles: int = 50) -> dict:
    newsfacet = [sys.executable, "-m", "indexer.cli"]
    with tempfile.TemporaryDirectory() as folder:
        index, extra = Path(folder) / "index", Path(folder) / "new"
        subprocess.run(
            [*newsfacet, "index", *corpus, "--index", str(index), "--full"],
            check=True,
            capture_output=True,
            timeout=1800,
        )
        extra.mkdir()
        for n in range(new_articles):
            (extra / f"new-{n}.txt").write_text(
                f"Acme Widgets {MARKER} update {n}\n\nAcme Widgets Inc said {MARKER} sales rose in week {n}.\n"
            )
        with newsfacet_server(index) as server:
            base = server.base
            before = _visible(base)
            tally = Tally()
            deadline = time.monotonic() + seconds
            threads = [threading.Thread(target=_client, args=(base, deadline, tally, n)) for n in range(clients)]
            for thread in threads:
                thread.start()
            time.sleep(min(1.0, seconds / 4))
            reindexed = subprocess.run(
                [*newsfacet, "index", str(extra), "--index", str(index)], capture_output=True, text=True, timeout=600
            )
            for thread in threads:
                thread.join()
            after = _visible(base)
    latencies = sorted(tally.latencies)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(latencies),
        "errors": tally.errors,
        "requests_per_s": len(latencies) / seconds,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else 0.0,
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else 0.0,
        "reindex_ok": reindexed.returncode == 0,
        "new_before": before,
        "new_after": after,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="load-test", description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", default=["seeds"], help="files or folders to index first")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    figures = run(args.corpus, args.clients, args.seconds)
    print(
        f"{figures['clients']} clients for {figures['seconds']:g} s: {figures['requests']} requests, "
        f"{figures['requests_per_s']:.0f} requests/s, p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms"
    )
    print(f"errors: {len(figures['errors'])}" + "".join(f"\n  {e}" for e in figures["errors"][:10]))
    print(
        f"reindex during the load: {'ok' if figures['reindex_ok'] else 'FAILED'}; new articles visible "
        f"before {figures['new_before']}, after {figures['new_after']} (no restart)"
    )
    return 0 if not figures["errors"] and figures["reindex_ok"] and figures["new_after"] > figures["new_before"] else 1


if __name__ == "__main__":
    sys.exit(main())
