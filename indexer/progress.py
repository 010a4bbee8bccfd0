"""Progress of long runs: a bar on a terminal, plain periodic lines elsewhere.

Library code reports through a :class:`Progress` it is given; only the command
line decides where the reports go.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import IO, Protocol, TypeVar

T = TypeVar("T")

PHASE_THREAD = "newsfacet-progress-phase"  # the name of the thread that says a phase is still running


class Progress(Protocol):
    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        """Yield ``items`` while reporting how far through them the run is."""

    def phase(self, label: str, detail: str = "") -> AbstractContextManager[None]:
        """Report one long step with nothing to count (a commit that merges segments): a line as it
        starts, a line every so often while it runs, and one with its duration when it ends."""


class Silent:
    """No reports (library default and tests)."""

    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        yield from items

    def phase(self, label: str, detail: str = "") -> AbstractContextManager[None]:
        return nullcontext()


class Bar:
    """A tqdm progress bar, for a terminal."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        from tqdm import tqdm

        with tqdm(items, desc=label, total=total, file=self.stream, unit=" articles", leave=False) as bar:
            yield from bar

    def phase(self, label: str, detail: str = "") -> AbstractContextManager[None]:
        return timed_phase(self.stream, label, detail)


class Lines:
    """A line every ``interval`` seconds, for logs and cron mail."""

    def __init__(self, stream: IO[str], interval: float = 10.0) -> None:
        self.stream = stream
        self.interval = interval

    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        started = last = time.monotonic()
        count, reported = 0, False
        for count, item in enumerate(items, start=1):
            yield item
            now = time.monotonic()
            if now - last >= self.interval:
                last, reported = now, True
                of = f" of {total:,}" if total else ""
                print(f"{label}: {count:,}{of} ({count / (now - started):,.0f}/s)", file=self.stream, flush=True)
        if reported:  # a short run needs no closing line of its own
            print(f"{label}: {count:,} done in {time.monotonic() - started:,.1f} s", file=self.stream, flush=True)

    def phase(self, label: str, detail: str = "") -> AbstractContextManager[None]:
        return timed_phase(self.stream, label, detail, self.interval)


@contextmanager
def timed_phase(stream: IO[str], label: str, detail: str = "", interval: float = 10.0) -> Iterator[None]:
    """Lines around a step that reports nothing while it runs (Whoosh's commit has no callback).

    A line says the step started, a timer thread adds "still ..." every ``interval`` seconds so a
    long merge never looks hung, and a line gives the duration when it is done. The thread is
    stopped and joined on the way out, whether the step succeeded or raised.
    """
    started = time.monotonic()
    print(f"{label}: {detail}..." if detail else f"{label}...", file=stream, flush=True)
    stop = threading.Event()

    def remind() -> None:
        while not stop.wait(interval):
            print(f"still {label}... {time.monotonic() - started:,.0f} s", file=stream, flush=True)

    reminder = threading.Thread(target=remind, name=PHASE_THREAD, daemon=True)
    reminder.start()
    try:
        yield
    finally:
        stop.set()
        reminder.join()
    print(f"{label}: done in {time.monotonic() - started:,.1f} s", file=stream, flush=True)


def for_stream(stream: IO[str], interval: float = 10.0) -> Progress:
    """A bar when ``stream`` is a terminal, a line every ``interval`` seconds otherwise."""
    return Bar(stream) if stream.isatty() else Lines(stream, interval)
