"""The app's one search service, made on first use (flaskr's ``get_db`` pattern)."""
from __future__ import annotations

from flask import Flask, current_app

from indexer.search.service import SearchService
from indexer.index.store import IndexStore

_KEY = "newsfacet.search"


def get_search_service() -> SearchService:
    """The search service over the configured index folder."""
    service = current_app.extensions.get(_KEY)
    if service is None:
        service = SearchService(IndexStore(current_app.config["INDEX"]))
        current_app.extensions[_KEY] = service
    return service


def init_app(app: Flask) -> None:
    app.extensions.pop(_KEY, None)
