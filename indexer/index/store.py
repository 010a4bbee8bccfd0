"""The one owner of the Whoosh index on disk: create, open, write and swap.

Layout of an index folder::

    CURRENT            name of the generation being served (replaced atomically)
    gen-<stamp>/       a complete Whoosh index, one per full build, with
                       learned-names.json (company names the collection confirmed)
    reindex.lock       held by the one process that writes

A full rebuild writes a new generation beside the served one and points
``CURRENT`` at it only once it is complete, so a failed or killed rebuild
leaves the served index as it was. An incremental update writes into the
served generation through Whoosh's own commit, which readers never see
half done.
"""
from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import shutil
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.base import Segment
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, Index, clean_files
from whoosh.query import Term
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from indexer.article import Article
from indexer.processes import exit_with_parent
from indexer.progress import Progress, Silent
from indexer.index.schema import article_to_document, build_schema

CURRENT_FILE = "CURRENT"
LOCK_FILE = "reindex.lock"
GENERATION_PREFIX = "gen-"
DEFAULT_LOCK_TIMEOUT = 60.0
SCORED_FIELDS = ("title", "body", "plain")  # text fields whose lengths ranking reads
WRITER_MEMORY_MB = 256  # postings buffered before Whoosh spills a sorted run to disk
INDEX_NAME = "MAIN"  # Whoosh's default index name inside a generation folder
LEARNED_NAMES_FILE = "learned-names.json"  # company names confirmed across the collection
PART_POLL_SECONDS = 0.5  # how often a parallel build looks at its writers' progress
# Writers of a parallel build are forked: they inherit the articles and extractors they need.
_FORK = multiprocessing.get_context("fork")


class IndexNotFoundError(Exception):
    """There is no index at the folder yet; run ``newsfacet index`` first."""


class IndexOutdatedError(IndexNotFoundError):
    """The index was written with an older schema; a full rebuild brings it up to date."""


class IndexWriteError(Exception):
    """A process writing part of a new index failed; the served index is unchanged."""


class IndexLockedError(Exception):
    """Another process is writing the index and did not finish in time."""


@dataclass(frozen=True)
class WriteReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    full: bool = False


def _stored_hash(searcher: Searcher, article_id: str) -> str | None:
    """The content hash stored for an article id, or None when the index lacks it."""
    docnum = searcher.document_number(id=article_id)
    return None if docnum is None else searcher.stored_fields(docnum).get("content_hash")


def _gone(searcher: Searcher, seen: set[str], roots: tuple[str, ...], complete_files: frozenset[str]) -> list[str]:
    """Ids of articles whose file, under one of ``roots``, is gone or no longer holds them.

    Only the files under the roots are looked at, through the indexed
    ``source_file`` field: an update touches what it read, not the whole index.
    """
    def under_roots(path: str) -> bool:
        return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)

    reader = searcher.reader()
    gone = []
    for term in reader.lexicon("source_file"):
        path = term.decode("utf-8") if isinstance(term, bytes) else str(term)
        if not path or not under_roots(path) or (path not in complete_files and os.path.exists(path)):
            continue
        for docnum in searcher.docs_for_query(Term("source_file", path)):
            article_id = searcher.stored_fields(docnum)["id"]
            if article_id not in seen:
                gone.append(article_id)
    return gone


class IndexStore:
    """The index folder: the only code that creates, writes or swaps it."""

    def __init__(self, root: str | os.PathLike, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout

    # -- reading ---------------------------------------------------------------

    def current_generation(self) -> Path:
        """The folder of the generation being served."""
        try:
            name = (self.root / CURRENT_FILE).read_text("utf-8").strip()
        except FileNotFoundError:
            raise IndexNotFoundError(f"no index at {self.root}: run `newsfacet index` to build one") from None
        if not name.startswith(GENERATION_PREFIX) or "/" in name:
            raise IndexNotFoundError(f"{self.root / CURRENT_FILE} does not name an index generation")
        return self.root / name

    def exists(self) -> bool:
        try:
            return whoosh_index.exists_in(str(self.current_generation()))
        except IndexNotFoundError:
            return False

    def open_index(self) -> Index:
        generation = self.current_generation()
        try:
            ix = whoosh_index.open_dir(str(generation))
        except (OSError, whoosh_index.EmptyIndexError) as error:
            raise IndexNotFoundError(f"the index at {generation} cannot be opened: {error}") from error
        missing = set(build_schema().names()) - set(ix.schema.names())
        if missing:
            ix.close()
            raise IndexOutdatedError(
                f"the index at {self.root} was built by an older version of newsfacet (it lacks "
                f"{', '.join(sorted(missing))}); rebuild it with `newsfacet index --full PATH ...`")
        return ix

    def open_searcher(self) -> Searcher:
        """A searcher over the served generation, its segments' files all opened now.

        Whoosh opens the stored fields and field lengths of a segment on first
        use; a commit or a swap may delete those files before then, while an open
        file stays readable. The caller closes the searcher.
        """
        searcher = self.open_index().searcher()
        try:
            for leaf, _ in searcher.reader().leaf_readers():
                if leaf.doc_count_all():
                    leaf.stored_fields(0)
                    for name in SCORED_FIELDS:
                        leaf.doc_field_length(0, name)
        except BaseException:
            searcher.close()
            raise
        return searcher

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """A searcher over the served generation, closed when the block ends."""
        with self.open_searcher() as searcher:
            yield searcher

    def served_state(self) -> tuple[Path, int]:
        """The served generation and its latest commit: what a reader must reopen when it changes.

        Cheap enough to ask on every request: one small file read and one folder listing.
        """
        generation = self.current_generation()
        return generation, TOC._latest_generation(FileStorage(str(generation)), INDEX_NAME)

    def has_pointer(self) -> bool:
        """Whether an index was ever built here (a reader may wait for a swap under way)."""
        return (self.root / CURRENT_FILE).exists()

    # -- writing ---------------------------------------------------------------

    def learned_names(self) -> tuple[str, ...]:
        """The company names confirmed by context across the served index (empty without one).

        Kept beside the index so an update extracts facets knowing every name the
        collection confirmed, not only those in the files it reads.
        """
        try:
            path = self.current_generation() / LEARNED_NAMES_FILE
            return tuple(json.loads(path.read_text("utf-8")))
        except (IndexNotFoundError, FileNotFoundError):
            return ()
        except (ValueError, TypeError) as error:
            raise IndexNotFoundError(f"{path} is damaged ({error}); rebuild with `newsfacet index --full`") from None

    def rebuild(self, articles: Iterable[Article], learned_names: Sequence[str] = ()) -> WriteReport:
        """Build a new generation from exactly ``articles`` and swap it in."""
        with self._write_lock():
            return self._rebuild(articles, learned_names)

    def update(self, articles: Iterable[Article], roots: Iterable[str] = (),
               complete_files: Iterable[str] = (), learned_names: Sequence[str] | None = None) -> WriteReport:
        """Add new articles and rewrite changed ones in the served generation.

        Unchanged articles (same content hash) are not rewritten. An article read
        before from a file under one of ``roots`` is removed when that file is gone,
        or was read completely this time (it is in ``complete_files``) and no longer
        holds it; articles from elsewhere are left alone. Without an index yet, this
        builds the first generation. ``learned_names`` are added to the names kept
        with the index.
        """
        with self._write_lock():
            if not self.exists():
                return self._rebuild(articles, learned_names or ())
            ix = self.open_index()
            try:
                added = updated = unchanged = 0
                seen: set[str] = set()
                writer = ix.writer(compound=False)
                try:
                    searcher = writer.searcher()  # the committed state this writer builds on
                    for article in articles:
                        seen.add(article.id)
                        old_hash = _stored_hash(searcher, article.id)
                        if old_hash == article.content_hash:
                            unchanged += 1
                            continue
                        writer.update_document(**article_to_document(article))
                        if old_hash is None:
                            added += 1
                        else:
                            updated += 1
                    gone = _gone(searcher, seen, tuple(roots), frozenset(complete_files))
                    for article_id in gone:
                        writer.delete_by_term("id", article_id)
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit()
            finally:
                ix.close()
            if learned_names is not None:
                # Added to what is kept, read under the lock: names another update added stay.
                kept = self.learned_names()
                known = {name.lower() for name in kept}
                _write_learned_names(self.current_generation(),
                                     [*kept, *(name for name in learned_names if name.lower() not in known)])
            return WriteReport(added=added, updated=updated, unchanged=unchanged, removed=len(gone))

    def rebuild_in_parts(self, parts: Sequence[Callable[[], Iterable[Article]]],
                         progress: Progress | None = None, total: int | None = None,
                         learned_names: Sequence[str] = ()) -> WriteReport:
        """Build a new generation from ``parts`` at once, one forked process per part, and swap it in.

        Each process calls its part (which may be a closure: it is inherited, not
        sent) and writes what it yields as one Whoosh segment; the segments are
        listed in the order of the parts, so document numbers, ranking and every
        search result are those of :meth:`rebuild` over the parts one after
        another. Parsing, stemming and sorting postings, most of the cost of
        writing, are then shared by the cores. Article ids must not repeat.
        """
        with self._write_lock():
            return self._build_generation(lambda ix: _write_in_parts(ix, parts, progress or Silent(), total),
                                          learned_names)

    def _rebuild(self, articles: Iterable[Article], learned_names: Sequence[str]) -> WriteReport:
        return self._build_generation(lambda ix: _write_in_order(ix, articles), learned_names)

    def _build_generation(self, fill: Callable[[Index], int], learned_names: Sequence[str]) -> WriteReport:
        """A new generation filled by ``fill`` (which commits and says how many it added), then swapped in."""
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            previous = {self.current_generation().name}
        except IndexNotFoundError:
            previous = set()
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        generation = self.root / f"{GENERATION_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"
        generation.mkdir()
        try:
            ix = whoosh_index.create_in(str(generation), build_schema())
            try:
                added = fill(ix)
            finally:
                ix.close()
            _write_learned_names(generation, learned_names)
            self._point_current_at(generation)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        self._remove_old_generations(keep={generation.name, *previous})
        return WriteReport(added=added, full=True)

    def _point_current_at(self, generation: Path) -> None:
        """Replace CURRENT atomically: readers see the old or the new name, never half."""
        temporary = self.root / f".{CURRENT_FILE}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(generation.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.root / CURRENT_FILE)
        directory = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _remove_old_generations(self, keep: set[str]) -> None:
        """Delete every generation but the served one and the one served before it.

        The previous generation stays for searchers that opened it a moment ago;
        older ones, and the remains of rebuilds that were killed, go.
        """
        for generation in self.root.glob(GENERATION_PREFIX + "*"):
            if generation.is_dir() and generation.name not in keep:
                shutil.rmtree(generation, ignore_errors=True)

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """One writer at a time, across processes.

        ``flock`` is released by the kernel when its holder dies, so a lock left by
        a killed reindex never blocks the next one.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_FILE, "a+") as handle:
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise IndexLockedError(
                            f"another reindex is writing {self.root}; gave up after "
                            f"{self.lock_timeout:g} s") from None
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_in_order(ix: Index, articles: Iterable[Article]) -> int:
    """Write ``articles`` into the new, empty ``ix`` with one writer and commit; the count added."""
    # Segment files kept apart: a compound segment is read into memory whole when opened.
    writer = ix.writer(limitmb=WRITER_MEMORY_MB, compound=False)
    added = 0
    written: set[str] = set()
    try:
        for article in articles:
            # A new index has nothing to replace: adding skips the lookup of an old
            # copy, except for an id met twice in the batch, where the last one wins.
            if article.id in written:
                writer.update_document(**article_to_document(article))
                continue
            writer.add_document(**article_to_document(article))
            written.add(article.id)
            added += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return added


@dataclass(frozen=True)
class _PartWritten:
    segment: Segment | None  # None for a part that yielded nothing
    ids: list[str]


def _write_in_parts(ix: Index, parts: Sequence[Callable[[], Iterable[Article]]], progress: Progress,
                    total: int | None) -> int:
    """Write each part as its own segment in its own process, then commit the segments in order."""
    # The writers' scratch folder is shared; made here, so two processes never race to make it.
    ix.storage.temp_storage(f"{ix.indexname}.tmp")
    written = _FORK.Value("q", 0)
    processes, connections = [], []
    try:
        for part in parts:
            receiver, sender = _FORK.Pipe(duplex=False)
            process = _FORK.Process(target=_write_part, args=(ix.storage.folder, part, written, sender),
                                    daemon=True)
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
    TOC(ix.schema, segments, 1).write(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, 1, segments)
    ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()
    return len(seen)


def _collect(processes: list[BaseProcess], connections: list[Connection], written: Synchronized,
             results: dict[int, _PartWritten]) -> Iterator[None]:
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
                raise IndexWriteError(f"the process writing part {number + 1} of the new index ended "
                                      f"without finishing (exit code {code}); the served index is "
                                      "unchanged") from None
            if isinstance(outcome, str):
                raise IndexWriteError(f"writing part {number + 1} of the new index failed; the served "
                                      f"index is unchanged:\n{outcome}")
            results[number] = outcome
            del pending[number]
        now = written.value
        yield from (None for _ in range(now - reported))
        reported = now


def _write_part(folder: str, part: Callable[[], Iterable[Article]], written: Synchronized,
                sender: Connection) -> None:
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
    except BaseException:
        sender.send(traceback.format_exc())
    finally:
        sender.close()


def _write_learned_names(generation: Path, names: Sequence[str]) -> None:
    """Replace the generation's learned names atomically: a reader sees the old list or the new."""
    temporary = generation / f".{LEARNED_NAMES_FILE}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(list(names), ensure_ascii=False), "utf-8")
    os.replace(temporary, generation / LEARNED_NAMES_FILE)
