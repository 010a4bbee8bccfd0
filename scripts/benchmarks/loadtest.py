"""A load test: concurrent clients against `newsfacet serve` while a reindex adds articles.

Run it as ``scripts/load-test [CORPUS ...] [--clients 16] [--seconds 20]``. It
builds an index in a temporary folder from the corpus (the seeds by default),
serves it with ``newsfacet serve`` on a free loopback port, runs the clients
for the given time while a second process reindexes with new articles, then
checks that every request succeeded and the new articles became visible
without a restart. Traffic goes to 127.0.0.1 only, and stops by itself.

With ``--hostile`` it first runs two phases of the same length on the same
server: the clients but one searching normally, then the same clients with
one more that sends only the queries that used to stall everyone (``*a*``,
``s*``, ``company~5``, five OR-ed wildcards, ``body:[a TO z]``, and the
costliest ones still answered: ``bank~2``, five OR-ed prefixes). It prints
the normal clients' p50 and p95 in both phases and their ratio, and fails on
any 5xx or if the hostile client made the normal clients' p95 more than twice
as slow.
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
HOSTILE = [
    "/api/search?q=*a*",
    "/?q=s*",
    "/api/search?q=company~5",
    "/api/search?q=*a*+OR+*e*+OR+*i*+OR+*o*+OR+*u*",
    "/api/search?q=body:[a+TO+z]",
    "/api/search?q=bank~2",
    "/api/search?q=con*+OR+pro*+OR+com*+OR+tra*+OR+ban*",
    "/?q=source_file:/srv",
]
HOSTILE_SLOWDOWN = 2.0  # the most the hostile client may slow the others at p95


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, seconds: float, error: str | None, status: int = 0) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if error:
                self.errors.append(error)

    def percentile(self, share: float) -> float:
        """Milliseconds."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0


def _client(
    base: str, deadline: float, tally: Tally, offset: int, paths: list[str] = QUERIES, refusals_ok: bool = False
) -> None:
    """Ask ``paths`` in turn until the deadline; any answer but 200 is an error (a 400 too,
    unless ``refusals_ok``: the hostile client's queries are meant to be refused)."""
    n = offset
    while time.monotonic() < deadline:
        path = paths[n % len(paths)]
        n += 1
        started = time.monotonic()
        error, status = None, 0
        try:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                response.read()
                status = response.status
                if response.status != 200:
                    error = f"{path}: HTTP {response.status}"
        except urllib.error.HTTPError as failure:
            status = failure.code
            if not (refusals_ok and failure.code == 400):
                error = f"{path}: HTTP {failure.code}: {failure.read()[:300].decode('utf-8', 'replace')}"
        except (urllib.error.URLError, OSError) as failure:
            error = f"{path}: {failure}"
        tally.record(time.monotonic() - started, error, status)


def _phase(base: str, clients: int, seconds: float, hostile: bool) -> tuple[Tally, Tally]:
    """``clients`` searching normally for ``seconds``, with one hostile client beside them
    when asked: the normal clients' tally and the hostile one's."""
    normal, bad = Tally(), Tally()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(base, deadline, normal, n)) for n in range(clients)]
    if hostile:
        threads.append(threading.Thread(target=_client, args=(base, deadline, bad, 0, HOSTILE, True)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return normal, bad


def run_hostile(corpus: list[str], clients: int, seconds: float) -> dict:
    """The normal clients alone, then beside a hostile client, on one server over one index."""
    with tempfile.TemporaryDirectory() as folder:
        index = Path(folder) / "index"
        subprocess.run(
            [sys.executable, "-m", "indexer.cli", "index", *corpus, "--index", str(index), "--full"],
            check=True,
            capture_output=True,
            timeout=1800,
        )
        with newsfacet_server(index) as server:
            _phase(server.base, clients, min(5.0, seconds), hostile=False)  # warm-up: arrays, word lists
            alone, _ = _phase(server.base, clients, seconds, hostile=False)
            beside, hostile = _phase(server.base, clients, seconds, hostile=True)
    return {
        "clients": clients,
        "seconds": seconds,
        "alone": alone,
        "beside": beside,
        "hostile": hostile,
        "slowdown_p95": beside.percentile(0.95) / max(alone.percentile(0.95), 1e-9),
        "server_errors": sum(count for status, count in hostile.statuses.items() if status >= 500)
        + sum(count for status, count in beside.statuses.items() if status >= 500),
    }


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


def _print_hostile(figures: dict) -> bool:
    """Print the two phases and whether the hostile client left the others alone."""
    alone, beside, hostile = figures["alone"], figures["beside"], figures["hostile"]
    for name, tally in (("alone", alone), ("beside the hostile client", beside)):
        print(
            f"{figures['clients']} normal clients {name}: {len(tally.latencies)} requests "
            f"({len(tally.latencies) / figures['seconds']:.0f}/s), p50 {tally.percentile(0.5):.0f} ms, "
            f"p95 {tally.percentile(0.95):.0f} ms, errors {len(tally.errors)}"
        )
    statuses = ", ".join(f"{count} x {status}" for status, count in sorted(hostile.statuses.items()))
    print(
        f"hostile client: {len(hostile.latencies)} requests ({statuses}), p50 {hostile.percentile(0.5):.0f} ms, "
        f"p95 {hostile.percentile(0.95):.0f} ms"
    )
    print(
        f"normal clients' p95 beside the hostile client: {figures['slowdown_p95']:.2f}x alone "
        f"(at most {HOSTILE_SLOWDOWN:g}x); 5xx answers: {figures['server_errors']}"
    )
    errors = alone.errors + beside.errors + hostile.errors
    print(f"errors: {len(errors)}" + "".join(f"\n  {e}" for e in errors[:10]))
    return not errors and figures["server_errors"] == 0 and figures["slowdown_p95"] <= HOSTILE_SLOWDOWN


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="load-test", description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", default=["seeds"], help="files or folders to index first")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--hostile",
        action="store_true",
        help="compare --clients minus one normal clients alone and beside one client sending costly queries",
    )
    args = parser.parse_args(argv)
    if args.hostile:
        return 0 if _print_hostile(run_hostile(args.corpus, max(1, args.clients - 1), args.seconds)) else 1
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
