"""IndexStore: the one owner of the index on disk. It opens, writes and swaps; nothing else does.

A full rebuild writes a new generation (:mod:`.generations`) and swaps it in
once complete; an incremental update writes into the served generation through
Whoosh's own commit, which readers never see half done. One writer at a time,
across processes, holds the folder's lock.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, Index
from whoosh.query import Term
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from indexer.article import Article, path_from_text
from indexer.errors import (
    REBUILD_COMMAND,
    IndexLockedError,
    IndexNotFoundError,
    IndexOutdatedError,
    IndexWriteError,
)
from indexer.index.cluster import GenerationParts, write_by_parts
from indexer.index.generations import Generations
from indexer.index.learned_names import NOTHING_LEARNED, LearnedNames, read_learned_names, write_learned_names
from indexer.index.parallel import WRITER_MEMORY_MB, PartWritten, write_in_parts
from indexer.index.postings import term_text
from indexer.index.schema import (
    CONTENT_HASH_FIELD,
    ID_FIELD,
    LATER_FIELDS,
    SOURCE_FILE_FIELD,
    TEXT_FIELDS,
    article_to_document,
    build_schema,
)
from indexer.progress import Progress, Silent

LOCK_FILE = "reindex.lock"
DEFAULT_LOCK_TIMEOUT = 60.0
INDEX_NAME = "MAIN"  # Whoosh's default index name inside a generation folder


@dataclass(frozen=True)
class WriteReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    full: bool = False


class IndexStore:
    """The index folder: the only code that creates, opens, writes or swaps it."""

    def __init__(self, root: str | os.PathLike, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        self.generations = Generations(self.root)

    # -- reading ---------------------------------------------------------------

    def current_generation(self) -> Path:
        """The folder of the generation being served."""
        return self.generations.current()

    def exists(self) -> bool:
        try:
            return whoosh_index.exists_in(str(self.generations.current()))
        except IndexNotFoundError:
            return False

    def open_index(self) -> Index:
        generation = self.generations.current()
        try:
            ix = whoosh_index.open_dir(str(generation))
        except (OSError, whoosh_index.EmptyIndexError) as error:
            raise IndexNotFoundError(f"the index at {generation} cannot be opened: {error}") from error
        except (ImportError, AttributeError, pickle.UnpicklingError) as error:
            # Whoosh pickles the schema, analyzers included, into every index.
            raise IndexOutdatedError(
                f"the index at {self.root} was written by another version of newsfacet ({error}); "
                f"rebuild it with `{REBUILD_COMMAND}`"
            ) from error
        missing = set(build_schema().names()) - set(ix.schema.names()) - set(LATER_FIELDS)
        if missing:
            ix.close()
            raise IndexOutdatedError(
                f"the index at {self.root} was built by an older version of newsfacet (it lacks "
                f"{', '.join(sorted(missing))}); rebuild it with `{REBUILD_COMMAND}`"
            )
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
                    for name in TEXT_FIELDS:
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
        generation = self.generations.current()
        return generation, TOC._latest_generation(FileStorage(str(generation)), INDEX_NAME)

    def has_pointer(self) -> bool:
        """Whether an index was ever built here (a reader may wait for a swap under way)."""
        return self.generations.has_pointer()

    def learned_names(self) -> LearnedNames:
        """The company names and spellings learned across the served index (none without one)."""
        try:
            return read_learned_names(self.generations.current())
        except IndexNotFoundError:
            return NOTHING_LEARNED

    # -- writing ---------------------------------------------------------------

    def rebuild(
        self,
        articles: Iterable[Article],
        learned_names: LearnedNames = NOTHING_LEARNED,
        progress: Progress | None = None,
    ) -> WriteReport:
        """Build a new generation from exactly ``articles`` and swap it in; ``progress`` hears of the commit."""
        with self._write_lock():
            return self._build_generation(lambda ix: _write_in_order(ix, articles, progress or Silent()), learned_names)

    def rebuild_in_parts(
        self,
        parts: Sequence[Callable[[], Iterable[Article]]],
        progress: Progress | None = None,
        total: int | None = None,
        learned_names: LearnedNames = NOTHING_LEARNED,
    ) -> WriteReport:
        """Build a new generation from ``parts`` at once, one forked process per part, and swap it in.

        Each process calls its part (which may be a closure: it is inherited, not
        sent) and writes what it yields as one segment; every search then answers
        as after :meth:`rebuild` over the parts one after another (see
        :mod:`.parallel`). Article ids must not repeat.
        """
        with self._write_lock():
            return self._build_generation(
                lambda ix: write_in_parts(ix, parts, progress or Silent(), total), learned_names
            )

    def rebuild_by_workers(
        self,
        build: Callable[[GenerationParts], Sequence[PartWritten]],
        progress: Progress | None = None,
        learned_names: LearnedNames = NOTHING_LEARNED,
    ) -> WriteReport:
        """Build a new generation from the parts ``build`` has written, on other machines or here, and swap it in.

        ``build`` is given the new generation's marked folder (see :mod:`.cluster`)
        and returns its parts in order; they are committed as :meth:`rebuild_in_parts`
        commits its own. When it raises, the new generation is discarded.
        """
        with self._write_lock():
            return self._build_generation(lambda ix: write_by_parts(ix, build, progress or Silent()), learned_names)

    def update(
        self,
        articles: Iterable[Article],
        roots: Iterable[str] = (),
        complete_files: Iterable[str] = (),
        learned_names: LearnedNames | None = None,
        progress: Progress | None = None,
    ) -> WriteReport:
        """Add new articles and rewrite changed ones in the served generation.

        Unchanged articles (same content hash) are not rewritten. An article read
        before from a file under one of ``roots`` is removed when that file is gone,
        or was read completely this time (it is in ``complete_files``) and no longer
        holds it; articles from elsewhere are left alone. Without an index yet, this
        builds the first generation. ``learned_names`` are added to the names kept
        with the index. ``progress`` hears of the commit, which merges segments and can take minutes.
        """
        progress = progress or Silent()
        with self._write_lock():
            if not self.exists():
                return self._build_generation(
                    lambda ix: _write_in_order(ix, articles, progress), learned_names or NOTHING_LEARNED
                )
            ix = self.open_index()
            try:
                report = _write_changes(ix, articles, tuple(roots), frozenset(complete_files), progress)
            finally:
                ix.close()
            if learned_names is not None:
                # Added to what is kept, read under the lock: names another update added stay.
                generation = self.generations.current()
                write_learned_names(generation, read_learned_names(generation).merged(learned_names))
            return report

    def _build_generation(self, fill: Callable[[Index], int], learned_names: LearnedNames) -> WriteReport:
        """A new generation filled by ``fill`` (which commits and says how many it added), then swapped in."""
        previous = self.generations.current_name()
        generation = self.generations.new()
        try:
            ix = whoosh_index.create_in(str(generation), build_schema())
            try:
                added = fill(ix)
            finally:
                ix.close()
            write_learned_names(generation, learned_names)
            self.generations.serve(generation)
        except BaseException:
            self.generations.discard(generation)
            raise
        self.generations.remove_all_but({generation.name, previous})
        return WriteReport(added=added, full=True)

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
                            f"another reindex is writing {self.root}; gave up after {self.lock_timeout:g} s"
                        ) from None
                    time.sleep(0.1)
            try:
                yield
            except OSError as error:
                # A full disk, a quota, a read-only mount: the new files are given up, the
                # served ones were never touched (Whoosh swaps its table of contents in whole).
                raise IndexWriteError(
                    f"cannot write the index at {self.root}: {error.strerror or error}; "
                    "the index being served is not damaged"
                ) from error
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _write_in_order(ix: Index, articles: Iterable[Article], progress: Progress) -> int:
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
    _commit(writer, progress)
    return added


def _write_changes(
    ix: Index, articles: Iterable[Article], roots: tuple[str, ...], complete_files: frozenset[str], progress: Progress
) -> WriteReport:
    """Write the new and changed ``articles`` into ``ix``, remove the gone ones, and commit."""
    added = updated = unchanged = 0
    seen: set[str] = set()
    writer = ix.writer(compound=False)
    try:
        # An index written before a field existed gains it now; the articles read are all
        # rewritten, since their stored hash may count what the index never held (events).
        refresh = _add_later_fields(writer)
        searcher = writer.searcher()  # the committed state this writer builds on
        for article in articles:
            seen.add(article.id)
            old_hash = _stored_hash(searcher, article.id)
            if old_hash == article.content_hash and not refresh:
                unchanged += 1
                continue
            writer.update_document(**article_to_document(article))
            if old_hash is None:
                added += 1
            else:
                updated += 1
        gone = _gone(searcher, seen, roots, complete_files)
        for article_id in gone:
            writer.delete_by_term(ID_FIELD, article_id)
    except BaseException:
        writer.cancel()
        raise
    _commit(writer, progress)
    return WriteReport(added=added, updated=updated, unchanged=unchanged, removed=len(gone))


def _commit(writer: IndexWriter, progress: Progress) -> None:
    """Commit ``writer``, telling ``progress``: Whoosh sorts the new segment's postings and merges the
    small segments here, minutes for a large build with no callback of its own."""
    segments = len(writer.segments) + 1  # those committed before, and the one this writer adds
    plural = "s" if segments != 1 else ""
    with progress.phase("writing the index", f"merging {segments} segment{plural}"):
        writer.commit()


def _add_later_fields(writer: IndexWriter) -> bool:
    """Add the fields of :data:`LATER_FIELDS` that the index lacks to ``writer``'s schema;
    whether any was missing."""
    schema = build_schema()
    missing = [name for name in LATER_FIELDS if name not in writer.schema]
    for name in missing:
        writer.add_field(name, schema[name])
    return bool(missing)


def _stored_hash(searcher: Searcher, article_id: str) -> str | None:
    """The content hash stored for an article id, or None when the index lacks it."""
    docnum = searcher.document_number(**{ID_FIELD: article_id})
    return None if docnum is None else searcher.stored_fields(docnum).get(CONTENT_HASH_FIELD)


def _gone(searcher: Searcher, seen: set[str], roots: tuple[str, ...], complete_files: frozenset[str]) -> list[str]:
    """Ids of articles whose file, under one of ``roots``, is gone or no longer holds them.

    Only the files under the roots are looked at, through the indexed source-file
    field: an update touches what it read, not the whole index.
    """

    def under_roots(path: str) -> bool:
        return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)

    gone = []
    for term in searcher.reader().lexicon(SOURCE_FILE_FIELD):
        path = term_text(term)
        if not path or not under_roots(path) or (path not in complete_files and os.path.exists(path_from_text(path))):
            continue
        for docnum in searcher.docs_for_query(Term(SOURCE_FILE_FIELD, path)):
            article_id = searcher.stored_fields(docnum)[ID_FIELD]
            if article_id not in seen:
                gone.append(article_id)
    return gone
