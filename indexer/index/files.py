"""Small files of the index folder replaced atomically and durably."""

from __future__ import annotations

import os
from pathlib import Path


def replace_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old contents or the new, never half.

    The new contents are written to a temporary file beside it, flushed to disk,
    renamed over the old file, and the rename itself flushed, so a crash at any
    moment leaves one complete version behind.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
