"""The generations of an index folder: one complete Whoosh index per full build.

Layout of an index folder::

    CURRENT            name of the generation being served (replaced atomically)
    gen-<stamp>/       a complete Whoosh index, one per full build, with
                       learned-names.json (company names the collection confirmed)
    reindex.lock       held by the one process that writes

A full rebuild writes a new generation beside the served one and points
``CURRENT`` at it only once it is complete, so a failed or killed rebuild
leaves the served index as it was.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from indexer.errors import IndexNotFoundError
from indexer.index.files import replace_file

CURRENT_FILE = "CURRENT"
GENERATION_PREFIX = "gen-"


class Generations:
    """The generation folders under one index folder, and which of them is served."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> Path:
        """The folder of the generation being served."""
        try:
            name = (self.root / CURRENT_FILE).read_text("utf-8").strip()
        except FileNotFoundError:
            raise IndexNotFoundError(f"no index at {self.root}: run `newsfacet index` to build one") from None
        if not name.startswith(GENERATION_PREFIX) or "/" in name:
            raise IndexNotFoundError(f"{self.root / CURRENT_FILE} does not name an index generation")
        return self.root / name

    def current_name(self) -> str:
        """The served generation's name, or "" before the first build."""
        try:
            return self.current().name
        except IndexNotFoundError:
            return ""

    def has_pointer(self) -> bool:
        """Whether an index was ever built here (a reader may wait for a swap under way)."""
        return (self.root / CURRENT_FILE).exists()

    def new(self) -> Path:
        """A new, empty generation folder, named so that it sorts after the ones before."""
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        generation = self.root / f"{GENERATION_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"
        generation.mkdir()
        return generation

    def serve(self, generation: Path) -> None:
        """Point CURRENT at ``generation``: readers see the old name or the new, never half."""
        replace_file(self.root / CURRENT_FILE, generation.name + "\n")

    def discard(self, generation: Path) -> None:
        """Delete a generation that was never served (a failed or interrupted build)."""
        shutil.rmtree(generation, ignore_errors=True)

    def remove_all_but(self, keep: set[str]) -> None:
        """Delete every generation not named in ``keep``.

        The store keeps the served generation and the one served before it, for
        searchers that opened it a moment ago; older ones, and the remains of
        rebuilds that were killed, go.
        """
        for generation in self.root.glob(GENERATION_PREFIX + "*"):
            if generation.is_dir() and generation.name not in keep:
                shutil.rmtree(generation, ignore_errors=True)
