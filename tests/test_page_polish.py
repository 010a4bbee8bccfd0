"""Small things the search and article pages show: numbers, the icon, the way back, the sort, the phone layout."""

from __future__ import annotations

from dataclasses import replace

import pytest

from indexer.search.request import SearchRequest, SearchResult
from indexer.search.service import SearchService


class Inflated:
    """The real search service over the sample index, with every count made large.

    The samples hold 8 articles; a page that writes ``23,390`` needs a result that large.
    """

    def __init__(self, service: SearchService, factor: int):
        self.service = service
        self.factor = factor

    def search(self, request: SearchRequest) -> SearchResult:
        result = self.service.search(request)
        facets = tuple(
            replace(facet, values=tuple(replace(v, count=v.count * self.factor) for v in facet.values))
            for facet in result.facets
        )
        return replace(result, total=result.total * self.factor, pages=result.pages * self.factor, facets=facets)

    def __getattr__(self, name: str):
        return getattr(self.service, name)


@pytest.fixture
def large_client(app):
    from webapp.services import get_search_service

    with app.app_context():
        app.extensions["newsfacet.search"] = Inflated(get_search_service(), 2924)  # 8 articles -> 23,392
    return app.test_client()


def test_counts_are_written_with_thousands_separators(large_client):
    html = large_client.get("/?per_page=3").get_data(as_text=True)
    assert 'data-total="23392"' in html
    assert "23,392 articles" in html
    assert '<span class="n">8,772</span>' in html  # Panasonic: 3 articles
    assert "page 1 of 8,772" in html
    assert 'aria-label="Page 8772">8,772</a>' in html


def test_the_icon_is_linked_and_answers_at_favicon_ico(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    for path in ("/favicon.ico", "/static/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.get_data(as_text=True).startswith("<svg ")
        response.close()
