"""The OpenAPI description of the JSON API, served at /api/openapi.json."""
from __future__ import annotations

from typing import Any

from indexer.search.facets import FACETS
from indexer.search.service import MAX_PER_PAGE, SORTS


def _query(name: str, description: str, schema: dict[str, Any], repeat: bool = False) -> dict[str, Any]:
    if repeat:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema,
            **({"style": "form", "explode": True} if repeat else {})}


def search_parameters() -> list[dict[str, Any]]:
    string = {"type": "string"}
    parameters = [
        _query("q", "Query text (AND by default; OR, NOT, quotes, title:, company:, prefix*, fuzzy~).",
               {"type": "string", "maxLength": 1000}),
        _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
        _query("per_page", f"Hits per page, at most {MAX_PER_PAGE}.", {"type": "integer", "minimum": 1}),
        _query("sort", "Order of hits.", {"type": "string", "enum": list(SORTS)}),
        _query("from", "Earliest publication date (inclusive, UTC).", {"type": "string", "format": "date"}),
        _query("to", "Latest publication date (inclusive, UTC).", {"type": "string", "format": "date"}),
        _query("range", "Quick date range ending today.", {"type": "string", "enum": ["week", "month", "year"]}),
        _query("more", "Facets to return in full.", {"type": "string", "enum": [f.name for f in FACETS]}, True),
    ]
    for spec in FACETS:
        parameters.append(_query(spec.name, f"Only articles with any of these {spec.label.lower()}.", string, True))
        parameters.append(_query(f"not_{spec.name}", f"Leave out articles with these {spec.label.lower()}.",
                                 string, True))
    return parameters


def openapi_document() -> dict[str, Any]:
    facet_value = {"type": "object", "required": ["value", "count", "selected", "excluded"], "properties": {
        "value": {"type": "string"}, "count": {"type": "integer"},
        "selected": {"type": "boolean"}, "excluded": {"type": "boolean"}}}
    hit = {"type": "object", "required": ["id", "title", "date", "source", "companies", "technologies", "snippet"],
           "properties": {
               "id": {"type": "string"}, "title": {"type": "string"},
               "date": {"type": ["string", "null"], "format": "date-time"},
               "source": {"type": ["string", "null"]},
               "companies": {"type": "array", "items": {"type": "string"}},
               "technologies": {"type": "array", "items": {"type": "string"}},
               "snippet": {"type": "string", "description": "HTML: escaped text, matched words in <mark>."}}}
    error = {"type": "object", "required": ["status", "message"],
             "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}
    errors = {str(code): {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
              for code, text in ((400, "A parameter cannot be read; the message says which and why."),
                                 (503, "There is no index yet, or it must be rebuilt."))}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Newsfacet API", "version": "1",
                 "description": "Keyword and faceted search over industry news, as on the search page."},
        "paths": {
            "/api/search": {"get": {
                "summary": "Search articles, with facet counts",
                "parameters": search_parameters(),
                "responses": {"200": {"description": "The page of hits, facets and paging.", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/SearchResult"}}}}, **errors}}},
            "/api/facets/{name}": {"get": {
                "summary": "A facet's values starting with a prefix (type-ahead)",
                "parameters": [
                    {"name": "name", "in": "path", "required": True,
                     "schema": {"type": "string", "enum": [f.name for f in FACETS]}},
                    _query("prefix", "Start of the value, any case.", {"type": "string", "maxLength": 200}),
                    _query("limit", "How many values, at most 100.", {"type": "integer", "minimum": 1})],
                "responses": {"200": {"description": "Matching values, most frequent first.", "content": {
                    "application/json": {"schema": {"type": "object", "properties": {
                        "facet": {"type": "string"}, "prefix": {"type": "string"},
                        "values": {"type": "array", "items": {"type": "object", "properties": {
                            "value": {"type": "string"}, "count": {"type": "integer"}}}}}}}}},
                    "404": errors["400"] | {"description": "No such facet."}, **errors}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {
                "description": "OpenAPI 3.1", "content": {"application/json": {}}}}}},
        },
        "components": {"schemas": {
            "Error": error,
            "SearchResult": {"type": "object", "required": ["total", "page", "pages", "per_page", "hits", "facets"],
                             "properties": {
                                 "query": {"type": "string"}, "understood": {"type": "string"},
                                 "filters": {"type": "object"}, "excluded": {"type": "object"},
                                 "from": {"type": ["string", "null"]}, "to": {"type": ["string", "null"]},
                                 "sort": {"type": "string", "enum": list(SORTS)},
                                 "total": {"type": "integer"}, "page": {"type": "integer"},
                                 "pages": {"type": "integer"}, "per_page": {"type": "integer"},
                                 "took_ms": {"type": "number"},
                                 "suggestion": {"type": ["string", "null"]},
                                 "hits": {"type": "array", "items": hit},
                                 "facets": {"type": "object", "additionalProperties": {
                                     "type": "array", "items": facet_value}},
                                 "facets_truncated": {"type": "object",
                                                      "additionalProperties": {"type": "boolean"}}}},
        }},
    }
