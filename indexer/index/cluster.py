"""A full build whose segments are written by other machines: a cluster's workers.

The client opens the new generation and marks its folder with a token no other
build has (:class:`GenerationParts`). A worker that reads the same token there
sees the folder the client writes, so it writes its part as one finished,
uncommitted segment into it (:func:`write_part_if_shared`) and sends back only
the :class:`~.parallel.PartWritten`; a worker that cannot (its disk is not the
client's) writes nothing, and the client writes that part itself with the same
function the forked build uses. Either way :func:`~.parallel.commit_parts`
lists the segments in the order of the parts, so the index is the one a
single writer would build: whether storage is shared is checked, never a
setting a person could get wrong.

Nothing here knows of the cluster's engine: the client's side is handed a
function that has the parts written and returns them in order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from indexer.article import Article
from indexer.index.files import replace_file
from indexer.index.parallel import PartWritten, commit_parts, prepare_parts, write_segment
from indexer.progress import Progress

MARKER_FILE = "cluster-build.token"  # written by the client, read by workers; removed before the commit


@dataclass(frozen=True)
class SharedFolder:
    """The new generation's folder as the client sees it, and the token it wrote there.

    Small and picklable: it is what every part's task is given.
    """

    folder: str
    token: str


class GenerationParts:
    """The client's side of a build in parts: the marked folder, and the writer of parts
    whose workers could not see it."""

    def __init__(self, ix: Index) -> None:
        self._ix = ix
        folder = Path(ix.storage.folder)
        prepare_parts(ix)
        token = uuid.uuid4().hex
        replace_file(folder / MARKER_FILE, token)
        self.shared = SharedFolder(str(folder), token)

    def write(self, articles: Iterable[Article]) -> PartWritten:
        """Write one part here, as a worker that sees the folder would have."""
        return write_segment(self._ix, articles)

    def close(self) -> None:
        (Path(self.shared.folder) / MARKER_FILE).unlink(missing_ok=True)


def write_by_parts(ix: Index, build: Callable[[GenerationParts], Sequence[PartWritten]], progress: Progress) -> int:
    """Have ``build`` write the parts of the new, empty ``ix`` (on workers or here), then commit
    them in the order it returns them; the count added."""
    parts = GenerationParts(ix)
    try:
        written = build(parts)
    finally:
        parts.close()
    return commit_parts(ix, written, progress)


def sees(shared: SharedFolder) -> bool:
    """Whether this process reads the client's token in the folder: the same storage, this very build."""
    try:
        return (Path(shared.folder) / MARKER_FILE).read_text("utf-8") == shared.token
    except (OSError, UnicodeDecodeError):
        return False


def write_part_if_shared(shared: SharedFolder, articles: Iterable[Article]) -> PartWritten | None:
    """On a worker: write ``articles`` as one segment into the client's folder when this worker sees
    it; None when it does not (the client then writes them)."""
    if not sees(shared):
        return None
    ix = whoosh_index.open_dir(shared.folder)
    try:
        return write_segment(ix, articles)
    finally:
        ix.close()
