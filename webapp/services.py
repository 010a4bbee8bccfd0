"""The app's one search service, made on first use (flaskr's ``get_db`` pattern) or at startup by :func:`warm_up`."""

from __future__ import annotations

from flask import Flask, current_app

from indexer.errors import NewsfacetError
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService

_KEY = "newsfacet.search"


def get_search_service() -> SearchService:
    """The search service over the configured index folder, shared by every request of this app."""
    service = current_app.extensions.get(_KEY)
    if service is None:
        service = SearchService.for_index(current_app.config["INDEX"], float(current_app.config["SEARCH_SECONDS"]))
        current_app.extensions[_KEY] = service
    return service


def warm_up(app: Flask) -> None:
    """Open the index and answer one small search now, so the first visitor does not wait seconds for it.

    Without an index, or with one that must be rebuilt, the server starts all the same and its pages
    answer 503 until there is one; a warning says so.
    """
    with app.app_context():
        try:
            get_search_service().search(SearchRequest(query="news", per_page=1))
        except NewsfacetError as error:
            app.logger.warning("The index at %s was not opened at startup: %s", app.config["INDEX"], error)
