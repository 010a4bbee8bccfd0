"""The one owner of the Whoosh index on disk: create, open, write and swap.

Layout of an index folder::

    CURRENT            name of the generation being served (replaced atomically)
    gen-<stamp>/       a complete Whoosh index, one per full build
    reindex.lock       held by the one process that writes

A full rebuild writes a new generation beside the served one and points
``CURRENT`` at it only once it is complete, so a failed or killed rebuild
leaves the served index as it was. An incremental update writes into the
served generation through Whoosh's own commit, which readers never see
half done.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, Index
from whoosh.query import Term
from whoosh.searching import Searcher

from .article import Article
from .schema import article_to_document, build_schema

CURRENT_FILE = "CURRENT"
LOCK_FILE = "reindex.lock"
GENERATION_PREFIX = "gen-"
DEFAULT_LOCK_TIMEOUT = 60.0
SCORED_FIELDS = ("title", "body", "plain")  # text fields whose lengths ranking reads
WRITER_MEMORY_MB = 256  # postings buffered before Whoosh spills a sorted run to disk
INDEX_NAME = "MAIN"  # Whoosh's default index name inside a generation folder


class IndexNotFoundError(Exception):
    """There is no index at the folder yet; run ``newsfacet index`` first."""


class IndexOutdatedError(IndexNotFoundError):
    """The index was written with an older schema; a full rebuild brings it up to date."""


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

    def rebuild(self, articles: Iterable[Article]) -> WriteReport:
        """Build a new generation from exactly ``articles`` and swap it in."""
        with self._write_lock():
            return self._rebuild(articles)

    def update(self, articles: Iterable[Article], roots: Iterable[str] = (),
               complete_files: Iterable[str] = ()) -> WriteReport:
        """Add new articles and rewrite changed ones in the served generation.

        Unchanged articles (same content hash) are not rewritten. An article read
        before from a file under one of ``roots`` is removed when that file is gone,
        or was read completely this time (it is in ``complete_files``) and no longer
        holds it; articles from elsewhere are left alone. Without an index yet, this
        builds the first generation.
        """
        with self._write_lock():
            if not self.exists():
                return self._rebuild(articles)
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
            return WriteReport(added=added, updated=updated, unchanged=unchanged, removed=len(gone))

    def _rebuild(self, articles: Iterable[Article]) -> WriteReport:
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
            added = 0
            # Segment files kept apart: a compound segment is read into memory whole when opened.
            writer = ix.writer(limitmb=WRITER_MEMORY_MB, compound=False)
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
            ix.close()
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
