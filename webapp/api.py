"""The JSON API: the same search as the page, as data."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from indexer.search.service import SearchRequestError
from indexer.search.serialize import result_to_dict
from indexer.index.store import IndexNotFoundError

from .openapi import openapi_document
from .params import ParameterError, request_from_args
from .services import get_search_service

bp = Blueprint("api", __name__, url_prefix="/api")


def _error(status: int, message: str):
    response = jsonify({"status": status, "message": message})
    response.status_code = status
    return response


@bp.get("/search")
def search():
    """``/api/search?q=&company=&technology=&page=&per_page=``"""
    try:
        search_request = request_from_args(request.args, current_app.config["PER_PAGE"])
    except ParameterError as error:
        return _error(400, str(error))
    try:
        result = get_search_service().search(search_request)
    except IndexNotFoundError as error:
        return _error(503, str(error))
    return jsonify(result_to_dict(result))


@bp.get("/facets/<name>")
def facet_values(name: str):
    """``/api/facets/company?prefix=Pana``: a facet's values that start with the prefix."""
    prefix = request.args.get("prefix", "")
    if len(prefix) > 200 or "\x00" in prefix:
        return _error(400, "prefix must be at most 200 characters, without NUL")
    try:
        limit = min(max(int(request.args.get("limit", "10")), 1), 100)
    except ValueError:
        return _error(400, "limit must be a whole number")
    try:
        values = get_search_service().facet_values(name, prefix, limit)
    except SearchRequestError as error:
        return _error(404, str(error))
    except IndexNotFoundError as error:
        return _error(503, str(error))
    return jsonify({"facet": name, "prefix": prefix,
                    "values": [{"value": v.value, "count": v.count} for v in values]})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.errorhandler(405)
def method_not_allowed(_error):
    return _error(405, "method not allowed")


@bp.errorhandler(500)
def server_error(_error):
    return _error(500, "the server could not answer this request")
