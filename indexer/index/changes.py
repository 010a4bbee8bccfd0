"""What an update changes, and an update that adds most of an index written by every core.

An incremental update compares each article's content hash with the stored one,
writes the new and changed articles and deletes the replaced and gone ones.
When most of a run's articles are new to the index, one writer is the slow
part, so :func:`add_in_parts` writes the new and changed articles as a build in
parts (:mod:`.parallel`) into a scratch folder, moves its segments beside the
served ones and commits them there with the deletions, through Whoosh's own
commit: the same segments, deletions and document order as one writer's update
would leave, so every search answers as after it. Until that commit the served
index is untouched; a failure leaves it as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index
from whoosh.query import Term
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from indexer.article import Article, path_from_text
from indexer.index.codec import index_writer
from indexer.index.parallel import write_in_parts
from indexer.index.postings import term_text
from indexer.index.schema import (
    CONTENT_HASH_FIELD,
    ID_FIELD,
    LATER_FIELDS,
    SOURCE_FILE_FIELD,
    article_to_document,
    build_schema,
)
from indexer.progress import Progress


@dataclass(frozen=True)
class WriteReport:
    """What a write did, in the counts the summary of a reindex shows."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    full: bool = False


def write_changes(
    ix: Index, articles: Iterable[Article], roots: tuple[str, ...], complete_files: frozenset[str], progress: Progress
) -> WriteReport:
    """Write the new and changed ``articles`` into ``ix``, remove the gone ones, and commit."""
    added = updated = unchanged = 0
    seen: set[str] = set()
    writer = index_writer(ix, compound=False)
    try:
        # An index written before a field existed gains it now; the articles read are all
        # rewritten, since their stored hash may count what the index never held (events).
        refresh = _add_later_fields(writer)
        searcher = writer.searcher()  # the committed state this writer builds on
        for article in articles:
            seen.add(article.id)
            old_hash = stored_hash(searcher, article.id)
            if old_hash == article.content_hash and not refresh:
                unchanged += 1
                continue
            writer.update_document(**article_to_document(article))
            if old_hash is None:
                added += 1
            else:
                updated += 1
        gone = gone_ids(searcher, seen, roots, complete_files)
        for article_id in gone:
            writer.delete_by_term(ID_FIELD, article_id)
    except BaseException:
        writer.cancel()
        raise
    commit_reported(writer, progress)
    return WriteReport(added=added, updated=updated, unchanged=unchanged, removed=len(gone))


def commit_reported(writer: IndexWriter, progress: Progress) -> None:
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


def stored_hash(searcher: Searcher, article_id: str) -> str | None:
    """The content hash stored for an article id, or None when the index lacks it."""
    docnum = searcher.document_number(**{ID_FIELD: article_id})
    return None if docnum is None else searcher.stored_fields(docnum).get(CONTENT_HASH_FIELD)


def stored_hashes(searcher: Searcher, ids: Iterable[str]) -> dict[str, str | None]:
    """The stored content hash of each of ``ids`` the index holds, by id."""
    stored = {}
    for article_id in ids:
        docnum = searcher.document_number(**{ID_FIELD: article_id})
        if docnum is not None:
            stored[article_id] = searcher.stored_fields(docnum).get(CONTENT_HASH_FIELD)
    return stored


def gone_ids(searcher: Searcher, seen: set[str], roots: tuple[str, ...], complete_files: frozenset[str]) -> list[str]:
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


def add_in_parts(
    ix: Index,
    parts: Sequence[Callable[[], Iterable[Article]]],
    stored: dict[str, str | None],
    remove: Collection[str],
    scratch: Path,
    progress: Progress,
    total: int | None = None,
) -> set[str]:
    """Write what ``parts`` yield that ``ix`` does not hold as it is into ``ix``, delete
    ``remove``, and commit; the ids written.

    ``stored`` holds the stored content hash of every article of the parts that
    ``ix`` holds: an article with the same hash is left as stored, one with another
    is replaced. The parts are written by forked processes as a new index in the
    empty folder ``scratch``, whose segments are then moved into ``ix``'s folder
    and listed after its own in one commit.
    """
    new = whoosh_index.create_in(str(scratch), ix.schema)  # the served schema: the segments must fit it
    try:
        write_in_parts(new, [partial(_changed_only, part, stored) for part in parts], progress, total)
        segments = new._segments()
        with new.reader() as reader:  # a new index deletes nothing: its ids are the articles written
            written = {term_text(term) for term in reader.lexicon(ID_FIELD)}
    finally:
        new.close()
    moved: list[Path] = []
    writer = index_writer(ix, compound=False)
    try:
        for segment in segments:
            for path in scratch.glob(f"{segment.segment_id()}.*"):
                moved.append(Path(ix.storage.folder) / path.name)
                os.replace(path, moved[-1])
        for article_id in [*written.intersection(stored), *remove]:
            writer.delete_by_term(ID_FIELD, article_id)
        # What Whoosh's commit does, with the parts' segments listed where its own new
        # segment would be: after the served ones its merge policy keeps, before the
        # one it merges small ones into (whoosh3 is pinned exactly in pyproject.toml).
        final = writer._merge_segments(None, None, None) + segments
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
    except BaseException:
        writer.cancel()
        for path in moved:
            path.unlink(missing_ok=True)
        raise
    plural = "s" if len(final) != 1 else ""
    with progress.phase("writing the index", f"committing {len(final)} segment{plural}"):
        try:
            writer._commit_toc(final)
        except BaseException:
            writer._cleanup_on_error()  # the lock released; the files not listed go at the next commit
            raise
        writer._finish()
    return written


def _changed_only(part: Callable[[], Iterable[Article]], stored: dict[str, str | None]) -> Iterator[Article]:
    """In a part's process: the articles of ``part`` the index does not hold as they are."""
    return (article for article in part() if article.id not in stored or stored[article.id] != article.content_hash)
