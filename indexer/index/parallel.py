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
from whoosh.writing import SegmentWriter

from indexer.article import Article
from indexer.errors import IndexWriteError
from indexer.index.schema import article_to_document
from indexer.processes import exit_with_parent
from indexer.progress import Progress

WRITER_MEMORY_MB = 256  # postings buffered before Whoosh spills a sorted run to disk
PART_POLL_SECONDS = 0.5  # how often a parallel build looks at its writers' progress
# Writers are forked: they inherit the articles and extractors their parts need.
_FORK = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class _PartWritten:
    segment: Segment | None  # None for a part that yielded nothing
    ids: list[str]


def write_in_parts(
    ix: Index, parts: Sequence[Callable[[], Iterable[Article]]], progress: Progress, total: int | None
) -> int:
    """Write each part as its own segment in its own process, then commit the segments in order."""
    # The writers' scratch folder is shared; made here, so two processes never race to make it.
    ix.storage.temp_storage(f"{ix.indexname}.tmp")
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
        results: dict[int, _PartWritten] = {}
        for _ in progress.track(_collect(processes, connections, written, results), "indexing", total=total):
            pass
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
            process.join()
    seen: set[str] = set()
    for number in range(len(parts)):
        repeated = seen.intersection(results[number].ids)
        if repeated:
            raise ValueError(f"article id {min(repeated)!r} is in more than one part")
        seen.update(results[number].ids)
    segments = [results[n].segment for n in range(len(parts)) if results[n].segment is not None]
    plural = "s" if len(segments) != 1 else ""
    with progress.phase("writing the index", f"committing {len(segments)} segment{plural}"):
        TOC(ix.schema, segments, 1).write(ix.storage, ix.indexname)
        clean_files(ix.storage, ix.indexname, 1, segments)
    ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()
    return len(seen)


def _collect(
    processes: list[BaseProcess], connections: list[Connection], written: Synchronized, results: dict[int, _PartWritten]
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
        writer = SegmentWriter(ix, _lk=False, limitmb=WRITER_MEMORY_MB, compound=False)
        ids: list[str] = []
        for article in part():
            writer.add_document(**article_to_document(article))
            ids.append(article.id)
            with written.get_lock():
                written.value += 1
        if len(set(ids)) != len(ids):
            raise ValueError("an article id is repeated within one part")
        # Finished but not committed: the parent lists the segments of every part in one commit.
        # These are the calls Whoosh's own multiprocessing writer makes of its sub-writers
        # (whoosh3 is pinned exactly in pyproject.toml).
        segment = writer._finalize_segment() if ids else None
        if segment is None:
            writer._close_segment()
        sender.send(_PartWritten(segment, ids))
    except OSError as error:
        sender.send(f"cannot write: {error.strerror or error}")  # a full disk is one line, not a traceback
    except BaseException:
        sender.send(traceback.format_exc())
    finally:
        sender.close()
