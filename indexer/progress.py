"""Progress of long runs: a bar on a terminal, plain periodic lines elsewhere.

Library code reports through a :class:`Progress` it is given; only the command
line decides where the reports go.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import IO, Protocol, TypeVar

T = TypeVar("T")


class Progress(Protocol):
    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        """Yield ``items`` while reporting how far through them the run is."""


class Silent:
    """No reports (library default and tests)."""

    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        yield from items


class Bar:
    """A tqdm progress bar, for a terminal."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def track(self, items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
        from tqdm import tqdm

        with tqdm(items, desc=label, total=total, file=self.stream, unit=" articles", leave=False) as bar:
            yield from bar


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


def for_stream(stream: IO[str], interval: float = 10.0) -> Progress:
    """A bar when ``stream`` is a terminal, a line every ``interval`` seconds otherwise."""
    return Bar(stream) if stream.isatty() else Lines(stream, interval)
