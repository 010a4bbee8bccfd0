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
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, Index
from whoosh.searching import Searcher

from indexer.article import Article
from indexer.errors import (
    REBUILD_COMMAND,
    IndexLockedError,
    IndexNotFoundError,
    IndexOutdatedError,
    IndexWriteError,
    InputError,
)
from indexer.index.changes import WriteReport, add_in_parts, commit_reported, gone_ids, stored_hashes, write_changes
from indexer.index.cluster import GenerationParts, write_by_parts
from indexer.index.codec import index_writer
from indexer.index.generations import Generations
from indexer.index.learned_names import NOTHING_LEARNED, LearnedNames, read_learned_names, write_learned_names
from indexer.index.parallel import WRITER_MEMORY_MB, PartWritten, write_in_parts
from indexer.index.publish import PublishReport, copy_generation
from indexer.index.schema import (
    ID_FIELD,
    LATER_FIELDS,
    TEXT_FIELDS,
    article_to_document,
    build_schema,
)
from indexer.progress import Progress, Silent

LOCK_FILE = "reindex.lock"
DEFAULT_LOCK_TIMEOUT = 60.0
INDEX_NAME = "MAIN"  # Whoosh's default index name inside a generation folder


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

    def mostly_new(self, ids: Collection[str]) -> bool:
        """Whether the articles of ``ids`` new to the served index outnumber the articles it holds
        (true without one): an update of them is written faster by :meth:`update_in_parts`."""
        if not self.exists():
            return True
        ix = self.open_index()
        try:
            with ix.searcher() as searcher:
                held = searcher.doc_count()
                # Fewer ids than articles held cannot add most of them: no lookups for a small update.
                return len(ids) > held and sum(searcher.document_number(**{ID_FIELD: i}) is None for i in ids) > held
        finally:
            ix.close()

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
                report = write_changes(ix, articles, tuple(roots), frozenset(complete_files), progress)
            finally:
                ix.close()
            if learned_names is not None:
                # Added to what is kept, read under the lock: names another update added stay.
                generation = self.generations.current()
                write_learned_names(generation, read_learned_names(generation).merged(learned_names))
            return report

    def update_in_parts(
        self,
        parts: Sequence[Callable[[], Iterable[Article]]],
        ids: Collection[str],
        roots: Iterable[str] = (),
        complete_files: Iterable[str] = (),
        learned_names: LearnedNames = NOTHING_LEARNED,
        progress: Progress | None = None,
    ) -> WriteReport:
        """As :meth:`update` over the parts one after another, written by a forked process per part.

        ``ids`` are those of every article the parts yield. Without an index, or
        with one that holds no article, this is a full build in parts (as
        :meth:`rebuild_in_parts`, the stored names kept). Otherwise the new and
        changed articles are written in parts beside the served ones and
        committed with the deletions of an update (see :mod:`.changes`): the same
        report, and every search answers as after :meth:`update`.
        """
        progress = progress or Silent()
        with self._write_lock():
            if not self._holds_articles():
                learned = self.learned_names().merged(learned_names)
                return self._build_generation(lambda ix: write_in_parts(ix, parts, progress, len(ids)), learned)
            ix = self.open_index()
            try:
                if any(name not in ix.schema for name in LATER_FIELDS):
                    # An index that gains fields rewrites every article read (see write_changes): one writer.
                    articles = progress.track(chain.from_iterable(part() for part in parts), "indexing", len(ids))
                    report = write_changes(ix, articles, tuple(roots), frozenset(complete_files), progress)
                else:
                    report = self._add_in_parts(ix, parts, ids, tuple(roots), frozenset(complete_files), progress)
            finally:
                ix.close()
            generation = self.generations.current()
            write_learned_names(generation, read_learned_names(generation).merged(learned_names))
            return report

    def _add_in_parts(
        self,
        ix: Index,
        parts: Sequence[Callable[[], Iterable[Article]]],
        ids: Collection[str],
        roots: tuple[str, ...],
        complete_files: frozenset[str],
        progress: Progress,
    ) -> WriteReport:
        """The parts' new and changed articles committed into ``ix``, the replaced and gone ones deleted."""
        with ix.searcher() as searcher:
            stored = stored_hashes(searcher, ids)
            gone = gone_ids(searcher, set(ids), roots, complete_files)
        scratch = self.generations.new()  # a folder of the index's, never served, removed whatever happens
        try:
            written = add_in_parts(ix, parts, stored, gone, scratch, progress, len(ids))
        finally:
            self.generations.discard(scratch)
        updated = len(written.intersection(stored))
        return WriteReport(
            added=len(written) - updated, updated=updated, unchanged=len(stored) - updated, removed=len(gone)
        )

    def publish(self, replica: IndexStore) -> PublishReport:
        """Copy the served generation into ``replica`` (a read replica's index folder) and serve it there.

        The copy is a new generation of the replica's, swapped in once complete, so a
        ``newsfacet serve`` over the replica answers from the old copy or the new, never
        half of one; files its previous copy holds unchanged are linked (see :mod:`.publish`).
        No update commits into the generation while it is copied.
        """
        if replica.root.resolve() == self.root.resolve():
            raise InputError(f"{replica.root} is the index being published, not a replica of it")
        with self._write_lock(), replica._write_lock():
            source = self.generations.current()
            previous = replica.generations.current_name()
            target = replica.generations.new()
            try:
                report = copy_generation(source, target, replica.root / previous if previous else None)
                replica.generations.serve(target)
            except BaseException:
                replica.generations.discard(target)
                raise
            replica.generations.remove_all_but({target.name, previous})
        return report

    def _holds_articles(self) -> bool:
        """Whether an index is served and holds at least one article."""
        if not self.exists():
            return False
        ix = self.open_index()
        try:
            return ix.doc_count() > 0
        finally:
            ix.close()

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
    writer = index_writer(ix, limitmb=WRITER_MEMORY_MB, compound=False)
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
    commit_reported(writer, progress)
    return added
