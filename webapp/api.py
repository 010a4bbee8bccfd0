"""The JSON API: the same search as the page, as data. Errors are answered by :mod:`.errors`."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from indexer.errors import InvalidRequestError
from indexer.search.profile_json import profile_to_dict
from indexer.search.profiles import ProfileRequest
from indexer.search.serialize import ARTICLE_FIELDS, TYPEAHEAD_FIELDS, TypeAhead, result_to_dict, to_json

from .openapi import openapi_document
from .params import request_from_args
from .services import get_search_service

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_PREFIX_CHARS = 200
MAX_TYPEAHEAD_VALUES = 100


@bp.get("/search")
def search():
    """``/api/search?q=&company=&technology=&event=&role=&page=&per_page=``"""
    search_request = request_from_args(request.args, current_app.config["PER_PAGE"])
    return jsonify(result_to_dict(get_search_service().search(search_request)))


@bp.get("/facets/<name>")
def facet_values(name: str):
    """``/api/facets/company?prefix=Pana``: a facet's values that start with the prefix."""
    prefix = request.args.get("prefix", "")
    if len(prefix) > MAX_PREFIX_CHARS or "\x00" in prefix:
        raise InvalidRequestError(f"prefix must be at most {MAX_PREFIX_CHARS} characters, without NUL")
    try:
        limit = min(max(int(request.args.get("limit", "10")), 1), MAX_TYPEAHEAD_VALUES)
    except ValueError:
        raise InvalidRequestError("limit must be a whole number") from None
    values = get_search_service().facet_values(name, prefix, limit)
    return jsonify(to_json(TYPEAHEAD_FIELDS, TypeAhead(name, prefix, values)))


@bp.get("/article/<path:article_id>")
def article(article_id: str):
    """``/api/article/<id>``: one article with its facets and events, as the article page shows it."""
    return jsonify(to_json(ARTICLE_FIELDS, get_search_service().get_article(article_id)))


@bp.get("/companies/<path:name>")
def company(name: str):
    """``/api/companies/<name>``: the company's page as data (see indexer/search/profiles.py)."""
    return jsonify(profile_to_dict(get_search_service().profile(ProfileRequest("company", name))))


@bp.get("/technologies/<path:name>")
def technology(name: str):
    """``/api/technologies/<name>``: the technology's page as data."""
    return jsonify(profile_to_dict(get_search_service().profile(ProfileRequest("technology", name))))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
