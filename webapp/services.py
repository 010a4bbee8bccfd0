"""The app's one search service, made on first use (flaskr's ``get_db`` pattern)."""

from __future__ import annotations

from flask import current_app

from indexer.search.service import SearchService

_KEY = "newsfacet.search"


def get_search_service() -> SearchService:
    """The search service over the configured index folder, shared by every request of this app."""
    service = current_app.extensions.get(_KEY)
    if service is None:
        service = SearchService.for_index(current_app.config["INDEX"], float(current_app.config["SEARCH_SECONDS"]))
        current_app.extensions[_KEY] = service
    return service
