"""A full build written by several processes at once, one Whoosh segment each.

Parsing, stemming and sorting postings, most of the cost of writing, are then
shared by the cores. Each forked process writes what its part yields as one
segment and sends the finished segment back; the parent lists the segments in
the order of the parts in one commit, so document numbers, ranking and every
search result are those of one writer over the parts one after another.

Whoosh's own multiprocessing writer is not used: it lists segments in the
order its processes finish.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized

from whoosh import index as whoosh_index
from whoosh.codec.base import Segment
from whoosh.index import TOC, Index, clean_files

from indexer.article import Article
from indexer.errors import IndexWriteError
from indexer.index.codec import index_writer
from indexer.index.schema import article_to_document
from indexer.processes import exit_with_parent
from indexer.progress import Progress

WRITER_MEMORY_MB = 256  # postings buffered before Whoosh spills a sorted run to disk
PART_POLL_SECONDS = 0.5  # how often a parallel build looks at its writers' progress
# Writers are forked: they inherit the articles and extractors their parts need.
_FORK = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class PartWritten:
    """One part written as a finished, uncommitted segment, and the ids of its articles in order.

    Whoosh segments pickle, so a part written in another process (or on another
    machine that sees the index folder) comes back as one of these.
    """

    segment: Segment | None  # None for a part that yielded nothing
    ids: list[str]


def write_in_parts(
    ix: Index, parts: Sequence[Callable[[], Iterable[Article]]], progress: Progress, total: int | None
) -> int:
    """Write each part as its own segment in its own process, then commit the segments in order."""
    prepare_parts(ix)
    written = _FORK.Value("q", 0)
    processes, connections = [], []
    try:
        for part in parts:
            receiver, sender = _FORK.Pipe(duplex=False)
            process = _FORK.Process(target=_write_part, args=(ix.storage.folder, part, written, sender), daemon=True)
            process.start()
            sender.close()
            processes.append(process)
            connections.append(receiver)
        results: dict[int, PartWritten] = {}
        for _ in progress.track(_collect(processes, connections, written, results), "indexing", total=total):
            pass
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()
    return commit_parts(ix, [results[number] for number in range(len(parts))], progress)


def prepare_parts(ix: Index) -> None:
    """Make the writers' shared scratch folder before any part is written, so two writers never race
    to make it."""
    ix.storage.temp_storage(f"{ix.indexname}.tmp")


def commit_parts(ix: Index, parts: Sequence[PartWritten], progress: Progress) -> int:
    """List the segments of ``parts`` in their order in one commit of the new, empty ``ix``; the count added.

    The one place a build written in parts is committed, wherever its parts were
    written (forked processes here, a cluster's workers in :mod:`.cluster`):
    document numbers, ranking and every search are those of one writer over the
    parts one after another. Segment files of parts written twice (a retried
    writer) are not listed and are deleted.
    """
    seen: set[str] = set()
    for part in parts:
        repeated = seen.intersection(part.ids)
        if repeated:
            raise ValueError(f"article id {min(repeated)!r} is in more than one part")
        seen.update(part.ids)
    segments = [part.segment for part in parts if part.segment is not None]
    plural = "s" if len(segments) != 1 else ""
    with progress.phase("writing the index", f"committing {len(segments)} segment{plural}"):
        TOC(ix.schema, segments, 1).write(ix.storage, ix.indexname)
        clean_files(ix.storage, ix.indexname, 1, segments)
    ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()
    return len(seen)


def write_segment(ix: Index, articles: Iterable[Article], written: Callable[[], None] | None = None) -> PartWritten:
    """Write ``articles`` into ``ix``'s folder as one finished segment that is not committed.

    The step every part of a parallel build takes, in a forked process or on a
    cluster's worker; :func:`commit_parts` then lists the segments in order.
    ``written`` is called after each article (a shared counter for progress).
    """
    writer = index_writer(ix, _lk=False, limitmb=WRITER_MEMORY_MB, compound=False)
    ids: list[str] = []
    # No cancel on failure: it would delete the scratch folder every part shares; the
    # generation is discarded whole instead.
    for article in articles:
        writer.add_document(**article_to_document(article))
        ids.append(article.id)
        if written is not None:
            written()
    if len(set(ids)) != len(ids):
        raise ValueError("an article id is repeated within one part")
    # Finished but not committed: the segments of every part are listed in one commit.
    # These are the calls Whoosh's own multiprocessing writer makes of its sub-writers
    # (whoosh3 is pinned exactly in pyproject.toml).
    segment = writer._finalize_segment() if ids else None
    if segment is None:
        writer._close_segment()
    return PartWritten(segment, ids)


def _collect(
    processes: list[BaseProcess], connections: list[Connection], written: Synchronized, results: dict[int, PartWritten]
) -> Iterator[None]:
    """Wait for every part, yielding once per article written meanwhile; a failed part raises."""
    reported = 0
    pending = dict(enumerate(connections))
    while pending:
        for connection in wait(list(pending.values()), timeout=PART_POLL_SECONDS):
            number = connections.index(connection)
            try:
                outcome = connection.recv()
            except EOFError:
                processes[number].join(PART_POLL_SECONDS)
                code = processes[number].exitcode
                raise IndexWriteError(
                    f"the process writing part {number + 1} of the new index ended "
                    f"without finishing (exit code {code}); the served index is "
                    "unchanged"
                ) from None
            if isinstance(outcome, str):
                separator = "\n" if "\n" in outcome else " "
                raise IndexWriteError(
                    f"writing part {number + 1} of the new index failed; "
                    f"the served index is unchanged:{separator}{outcome}"
                )
            results[number] = outcome
            del pending[number]
        now = written.value
        yield from (None for _ in range(now - reported))
        reported = now


def _write_part(folder: str, part: Callable[[], Iterable[Article]], written: Synchronized, sender: Connection) -> None:
    """In a forked process: write what ``part`` yields as one segment and send it back (or the error)."""
    exit_with_parent()
    try:
        ix = whoosh_index.open_dir(folder)

        def count() -> None:
            with written.get_lock():
                written.value += 1

        sender.send(write_segment(ix, part(), count))
    except OSError as error:
        sender.send(f"cannot write: {error.strerror or error}")  # a full disk is one line, not a traceback
    except BaseException:
        sender.send(traceback.format_exc())
    finally:
        sender.close()
