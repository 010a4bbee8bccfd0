"""Files read a line at a time, each line within a bound: the I/O edge of the record formats.

A JSON Lines or CSV file may be far larger than any one record in it, and one
record may be far larger than memory should hold. Reading line by line keeps
memory at one line; a line over the bound is measured and passed over without
being kept, so the records after it are still read.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import InputError

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Line:
    """One line of a file, decoded, without its line ending.

    A line over the bound has no ``text``; ``length`` says how many bytes it had
    and ``odd_quotes`` whether it held an odd number of double quotes (a CSV
    field that goes on to the next line).
    """

    number: int
    text: str
    length: int
    oversized: bool = False
    utf8: bool = True
    odd_quotes: bool = False


def read_lines(path: Path, max_line_bytes: int, max_file_bytes: int) -> Iterator[Line]:
    """The lines of a file (gzip unwrapped when the name ends in ``.gz``), each decoded as
    UTF-8, else as Windows-1252 (a superset of Latin-1).

    Raises :class:`InputError` when the file cannot be opened or read on, or unpacks to
    more than ``max_file_bytes``; the lines before are yielded first. A last line cut
    short by a damaged file is never yielded.
    """
    try:
        handle = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
    except OSError as error:
        raise InputError(f"cannot read file: {error}") from error
    with handle:
        number = unpacked = 0
        while True:
            number += 1
            try:
                raw = handle.readline(max_line_bytes + 1)
                if not raw:
                    return
                oversized = len(raw) > max_line_bytes and not raw.endswith(b"\n")
                # A gzip stream cut short raises on the read that meets the cut, so the
                # line it cut is never returned: a line without its newline is the last.
                length, odd = _pass_over_line(handle, raw) if oversized else (len(raw), False)
            except (OSError, EOFError) as error:
                raise InputError(f"cannot read file: {error} (after line {number - 1})") from error
            unpacked += length
            if unpacked > max_file_bytes:
                raise InputError(f"file unpacks to over the limit of {max_file_bytes:,} bytes (at line {number})")
            if oversized:
                yield Line(number, "", length, oversized=True, odd_quotes=odd)
                continue
            yield _decoded(number, raw, length)


def _pass_over_line(handle, start: bytes) -> tuple[int, bool]:
    """Read to the end of a line too long to keep: its length, and whether its quotes are odd."""
    length, quotes = len(start), start.count(b'"')
    while not start.endswith(b"\n"):
        start = handle.readline(_CHUNK)
        if not start:
            break
        length += len(start)
        quotes += start.count(b'"')
    return length, quotes % 2 == 1


def _decoded(number: int, raw: bytes, length: int) -> Line:
    raw = raw.rstrip(b"\r\n")
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return Line(number, raw.decode("utf-8"), length)
    except UnicodeDecodeError:
        return Line(number, raw.decode("cp1252", errors="replace"), length, utf8=False)
