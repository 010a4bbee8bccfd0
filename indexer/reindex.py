"""Reindexing: read paths, extract facets, write the index; one call for CLI and scripts."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from indexer.article import IngestBatch, InputNote, SkippedInput
from indexer.facets.extract import extract_each, extract_learned, learn_company_names, split_by_size, worker_count
from indexer.index.learned_names import NOTHING_LEARNED, LearnedNames
from indexer.index.store import IndexStore, WriteReport
from indexer.ingest.files import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_RECORD_BYTES, read_articles
from indexer.progress import Progress, Silent


@dataclass(frozen=True)
class ReindexReport:
    written: WriteReport
    skipped: tuple[SkippedInput, ...]
    notes: tuple[InputNote, ...] = ()
    folded: int = 0  # identical copies kept with their first copy

    def summary(self) -> str:
        w = self.written
        mode = "full rebuild" if w.full else "incremental"
        copies = "copy" if self.folded == 1 else "copies"
        folded = f"; {self.folded} identical {copies} folded into their first" if self.folded else ""
        return (
            f"{mode}: {w.added} added, {w.updated} updated, {w.unchanged} unchanged, "
            f"{w.removed} removed, {len(self.skipped)} skipped{folded}"
        )


def reindex(
    paths: Iterable[str | os.PathLike],
    store: IndexStore,
    full: bool = False,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    progress: Progress | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> ReindexReport:
    """Index the articles under ``paths`` into ``store``.

    Incremental by default (new and changed articles written, unchanged ones
    left); ``full`` builds a new index from exactly these paths and swaps it in.
    Inputs that cannot be read are reported in the result, never fatal. Large
    batches use ``workers`` processes (default: one per core): a full build, a
    first build and an update that adds most of the index's articles have each
    extract and write its share, a smaller update has them extract while this
    one writes; the index answers every search as one process's would.

    ``scheduler`` (a Dask scheduler's address, or ``"local"`` for a cluster of
    this machine's processes) has a cluster extract the facets and write the
    segments of a full build (see :mod:`indexer.cluster`); ``workers`` then
    sizes a local cluster.
    """
    progress = progress or Silent()
    batch = read_articles(paths, max_file_bytes=max_file_bytes, max_record_bytes=max_record_bytes)
    if scheduler is not None:
        # Dask is an optional extra: imported only when a cluster is asked for.
        from indexer.cluster import write_on_cluster

        written = write_on_cluster(batch, store, scheduler, full=full, workers=workers, progress=progress)
        return _report(batch, written)
    processes = worker_count(workers, len(batch.articles))
    # An update knows the names the whole collection confirmed, not only those of
    # the files it reads, so an unchanged article keeps the facets it had.
    known = NOTHING_LEARNED if full else store.learned_names()
    extractor = learn_company_names(batch.articles, progress, processes, known.names, known.spellings)
    learned = LearnedNames(tuple(extractor.learned.values()), tuple(extractor.spellings))
    # A first build, or a run that adds most of the index, is written by every process;
    # a small update is faster through one writer than by starting processes that write.
    ids = [article.id for article in batch.articles]
    if processes > 1 and (full or store.mostly_new(ids)):
        # Each process extracts and writes its own run of articles.
        parts = [partial(extract_each, run, extractor) for run in split_by_size(batch.articles, processes)]
        if full:
            written = store.rebuild_in_parts(parts, progress, total=len(batch.articles), learned_names=learned)
        else:
            written = store.update_in_parts(
                parts,
                ids,
                roots=batch.roots,
                complete_files=batch.complete_files,
                learned_names=learned,
                progress=progress,
            )
    else:
        articles = extract_learned(batch.articles, extractor, progress, processes)
        articles = progress.track(articles, "indexing", total=len(batch.articles))
        if full:
            written = store.rebuild(articles, learned_names=learned, progress=progress)
        else:
            written = store.update(
                articles,
                roots=batch.roots,
                complete_files=batch.complete_files,
                learned_names=learned,
                progress=progress,
            )
    return _report(batch, written)


def _report(batch: IngestBatch, written: WriteReport) -> ReindexReport:
    folded = sum(len(article.duplicates) for article in batch.articles)
    return ReindexReport(written=written, skipped=batch.skipped, notes=batch.notes, folded=folded)
