"""Reindexing: read paths, extract facets, write the index; one call for CLI and scripts."""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from .article import InputNote, SkippedInput
from .extract import extract_facets_batch
from .ingest import DEFAULT_MAX_FILE_BYTES, read_articles
from .store import IndexStore, WriteReport


@dataclass(frozen=True)
class ReindexReport:
    written: WriteReport
    skipped: tuple[SkippedInput, ...]
    notes: tuple[InputNote, ...] = ()

    def summary(self) -> str:
        w = self.written
        mode = "full rebuild" if w.full else "incremental"
        return (f"{mode}: {w.added} added, {w.updated} updated, {w.unchanged} unchanged, "
                f"{w.removed} removed, {len(self.skipped)} skipped")


def reindex(paths: Iterable[str | os.PathLike], store: IndexStore, full: bool = False,
            max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ReindexReport:
    """Index the articles under ``paths`` into ``store``.

    Incremental by default (new and changed articles written, unchanged ones
    left); ``full`` builds a new index from exactly these paths and swaps it in.
    Inputs that cannot be read are reported in the result, never fatal.
    """
    batch = read_articles(paths, max_file_bytes=max_file_bytes)
    articles = extract_facets_batch(batch.articles)
    if full:
        written = store.rebuild(articles)
    else:
        written = store.update(articles, roots=batch.roots, complete_files=batch.complete_files)
    return ReindexReport(written=written, skipped=batch.skipped, notes=batch.notes)
