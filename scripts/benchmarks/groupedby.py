"""Whoosh's own faceting, kept as the benchmark's baseline for the array-based counts.

This is how the search service counted facets before: one ``groupedby`` facet
per field, read by Whoosh document by document, and Whoosh's highlighter over
the shown hits. The benchmark runs it on the same index with the searcher kept
open, so the difference it measures is the counting and highlighting alone.
"""

from __future__ import annotations

from whoosh import sorting
from whoosh.query import And, Query, Term

from benchmarks.baselines import FACET_SIZE, BaselineAnswer
from indexer.index.schema import facet_term, facet_value
from indexer.index.store import IndexStore
from indexer.search.facets import FACETS, facet_spec


class GroupedBySearch:
    """Top hits with highlights and every facet's counts, the way Whoosh does it itself."""

    def __init__(self, store: IndexStore) -> None:
        self._searcher = store.open_index().searcher()
        self._facets = {spec.name: sorting.FieldFacet(spec.field, allow_overlap=True) for spec in FACETS}

    def search(self, query: Query, filters: dict[str, tuple[str, ...]], limit: int = 10) -> BaselineAnswer:
        """Total, top hits with their highlights, and each facet's top ``FACET_SIZE`` counts.

        Whoosh counts every value; keeping the top ones is the little a caller would do with
        them, and gives an answer the benchmark can set beside the other engines'.
        """
        terms = [
            Term(facet_spec(name).field, facet_term(value)) for name, values in filters.items() for value in values
        ]
        results = self._searcher.search(
            query, filter=And(terms) if terms else None, limit=limit, groupedby=self._facets, maptype=sorting.Count
        )
        facets = {name: _top(results.groups(name)) for name in self._facets}
        hits = results[:limit]  # with groupedby Whoosh collects and sorts every match, limit or not
        return BaselineAnswer(
            total=len(results),
            ids=tuple(hit["id"] for hit in hits),
            facets=facets,
            snippets=tuple(hit.highlights("body", top=1) for hit in hits),
        )

    def close(self) -> None:
        self._searcher.close()


def _top(counts: dict[str | None, int]) -> dict[str, int]:
    """The ``FACET_SIZE`` most frequent values, then by value; Whoosh counts articles without any under None."""
    ranked = sorted(
        ((facet_value(value), count) for value, count in counts.items() if value is not None),
        key=lambda item: (-item[1], item[0]),
    )
    return dict(ranked[:FACET_SIZE])
