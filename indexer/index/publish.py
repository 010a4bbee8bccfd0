"""Copying an index generation to another index folder: how read replicas get a new generation.

A replica serves its own copy of the index (``newsfacet serve`` over a folder of
its own disk), so the copy must appear whole: it is written as a new generation
folder beside the one the replica serves, and only then does the replica's
``CURRENT`` point at it, as after a rebuild. Whoosh never changes a segment
file once written (a commit adds files and a new table of contents), so a file
the replica's previous copy already holds, with the same name, size and time,
is hard-linked rather than copied: publishing after an incremental update costs
the new segments, not the whole index.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PublishReport:
    generation: str  # the replica's new generation folder
    files: int
    linked: int  # of them, shared with the replica's previous generation
    copied_bytes: int

    def summary(self) -> str:
        return (
            f"published {self.generation}: {self.files} files, {self.linked} unchanged (linked), "
            f"{self.copied_bytes / 2**20:,.1f} MB copied"
        )


def copy_generation(source: Path, target: Path, previous: Path | None) -> PublishReport:
    """Copy the files of the generation ``source`` into the new, empty folder ``target``, linking
    those the replica's ``previous`` generation holds unchanged."""
    files = linked = copied = 0
    for entry in sorted(source.iterdir()):
        # Scratch folders, temporary files and Whoosh's lock files are no part of a committed state.
        if not entry.is_file() or entry.is_symlink() or entry.name.startswith(".") or entry.name.endswith("LOCK"):
            continue
        files += 1
        destination = target / entry.name
        earlier = previous / entry.name if previous is not None else None
        if earlier is not None and _same_file(entry, earlier) and _linked(earlier, destination):
            linked += 1
            continue
        shutil.copy2(entry, destination)  # keeps the time, so the next publish can link it
        copied += entry.stat().st_size
    _sync(target)
    return PublishReport(target.name, files, linked, copied)


def _same_file(path: Path, other: Path) -> bool:
    try:
        mine, theirs = path.stat(), other.stat()
    except OSError:
        return False
    return mine.st_size == theirs.st_size and mine.st_mtime_ns == theirs.st_mtime_ns


def _linked(existing: Path, destination: Path) -> bool:
    try:
        os.link(existing, destination)
    except OSError:  # another file system, or one without hard links: copied instead
        return False
    return True


def _sync(folder: Path) -> None:
    """Flush the copied files and the folder to disk before the replica is pointed at them."""
    for entry in folder.iterdir():
        with open(entry, "rb") as handle:
            os.fsync(handle.fileno())
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
