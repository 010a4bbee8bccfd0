"""Search results as plain JSON-ready data: one shape for the API and the CLI."""
from __future__ import annotations

from typing import Any

from indexer.search.service import SearchHit, SearchResult


def hit_to_dict(hit: SearchHit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "date": hit.date.isoformat() if hit.date else None,
        "source": hit.source,
        "companies": list(hit.companies),
        "technologies": list(hit.technologies),
        "snippet": hit.snippet_html,
    }


def result_to_dict(result: SearchResult) -> dict[str, Any]:
    """The object ``/api/search`` returns and ``newsfacet search --json`` prints.

    ``snippet`` is HTML: article text escaped, matched words in ``<mark>``.
    """
    return {
        "query": result.request.query,
        "understood": result.understood,
        "filters": {name: list(values) for name, values in result.request.filters.items() if values},
        "excluded": {name: list(values) for name, values in result.request.excluded.items() if values},
        "from": result.request.date_from.isoformat() if result.request.date_from else None,
        "to": result.request.date_to.isoformat() if result.request.date_to else None,
        "sort": result.request.sort,
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "per_page": result.per_page,
        "took_ms": result.took_ms,
        "suggestion": result.suggestion,
        "hits": [hit_to_dict(hit) for hit in result.hits],
        "facets": {
            facet.name: [{"value": v.value, "count": v.count, "selected": v.selected, "excluded": v.excluded}
                         for v in facet.values]
            for facet in result.facets
        },
        "facets_truncated": {facet.name: facet.truncated for facet in result.facets},
    }
