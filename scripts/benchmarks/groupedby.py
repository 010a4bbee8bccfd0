"""Whoosh's own faceting, kept as the benchmark's baseline for the array-based counts.

This is how the search service counted facets before: one ``groupedby`` facet
per field, read by Whoosh document by document, and Whoosh's highlighter over
the shown hits. The benchmark runs it on the same index with the searcher kept
open, so the difference it measures is the counting and highlighting alone.
"""
from __future__ import annotations

from whoosh import sorting
from whoosh.query import And, Query, Term

from indexer.search.facets import FACETS, facet_spec
from indexer.index.store import IndexStore


class GroupedBySearch:
    """Top hits with highlights and every facet's counts, the way Whoosh does it itself."""

    def __init__(self, store: IndexStore) -> None:
        self._searcher = store.open_index().searcher()
        self._facets = {spec.name: sorting.FieldFacet(spec.field, allow_overlap=True) for spec in FACETS}

    def search(self, query: Query, filters: dict[str, tuple[str, ...]], limit: int = 10) -> int:
        """The number of matches; counts and highlights are computed and dropped, as timed work."""
        terms = [Term(facet_spec(name).field, value) for name, values in filters.items() for value in values]
        results = self._searcher.search(query, filter=And(terms) if terms else None, limit=limit,
                                        groupedby=self._facets, maptype=sorting.Count)
        for name in self._facets:
            results.groups(name)
        for hit in results:
            hit.highlights("body", top=1)
        return len(results)

    def close(self) -> None:
        self._searcher.close()
