"""Another reader of exactly the committed state an open reader shows, with files of its own.

Whoosh reads its files by seeking and then reading one shared file object, so
two threads reading through one reader at once can read each other's bytes.
A reader per thread avoids that without making threads take turns; opening
it from the segments of a reader already open (rather than from the index's
latest table of contents) keeps every thread on the same state, so document
numbers agree with the arrays read for that state.
"""

from __future__ import annotations

from whoosh.filedb.filestore import OverlayStorage
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader

from indexer.index.schema import TEXT_FIELDS


def reopen(reader: IndexReader) -> IndexReader:
    """A new reader over the segments ``reader`` reads, deletions included, as they were when it opened.

    A file a commit has removed since then raises :class:`FileNotFoundError`: the
    caller's state is gone, and a fresh one must be opened instead.
    """
    leaves = [leaf for leaf, _ in reader.leaf_readers()]
    if not leaves or not all(isinstance(leaf, SegmentReader) for leaf in leaves):
        return EmptyReader(reader.schema)
    opened: list[SegmentReader] = []
    try:
        for leaf in leaves:
            fresh = SegmentReader(_storage(leaf), leaf.schema, leaf.segment(), generation=leaf.generation())
            opened.append(fresh)
            # Whoosh opens some files on first use; a commit may remove them before then.
            if fresh.doc_count_all():
                fresh.stored_fields(0)
                for name in TEXT_FIELDS:
                    fresh.doc_field_length(0, name)
    except BaseException:
        for done in opened:
            done.close()
        raise
    if len(opened) == 1:
        return opened[0]
    return MultiReader(opened, generation=reader.generation())


def _storage(leaf: SegmentReader):
    """The folder's storage: a compound segment's reader reads through an overlay of its own file."""
    storage = leaf._storage
    return storage.b if isinstance(storage, OverlayStorage) else storage
