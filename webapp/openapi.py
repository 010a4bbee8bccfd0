"""The OpenAPI description of the JSON API, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from indexer.search.events import EVENT_ROLES
from indexer.search.facets import FACETS
from indexer.search.profile_json import PROFILE_FIELDS
from indexer.search.request import MAX_PER_PAGE, MODES, SORTS
from indexer.search.serialize import ARTICLE_FIELDS, ERROR_FIELDS, RESULT_FIELDS, TYPEAHEAD_FIELDS, object_schema

from .params import MAX_FILTER_CHARS, MAX_FILTER_VALUES, MAX_QUERY_CHARS, MAX_VALUES

# What every facet parameter's description ends with: the limits a 400 enforces.
FACET_LIMITS = (
    f"At most {MAX_VALUES} values; at most {MAX_FILTER_VALUES} values and {MAX_FILTER_CHARS:,} characters "
    "across all facet parameters together."
)


def _query(
    name: str, description: str, schema: dict[str, Any], repeat: bool = False, max_items: int | None = None
) -> dict[str, Any]:
    if repeat:
        schema = {"type": "array", "items": schema, **({"maxItems": max_items} if max_items else {})}
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        **({"style": "form", "explode": True} if repeat else {}),
    }


def search_parameters() -> list[dict[str, Any]]:
    string = {"type": "string"}
    parameters = [
        _query(
            "q",
            "Query text (AND by default; OR, NOT, quotes, title:, company:, technology:, prefix*, fuzzy~ or "
            "fuzzy~2). A wildcard needs 3 letters before its first * or ?; ranges and more than 2 typos are a 400.",
            {"type": "string", "maxLength": MAX_QUERY_CHARS},
        ),
        _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
        _query("per_page", f"Hits per page, at most {MAX_PER_PAGE}.", {"type": "integer", "minimum": 1}),
        _query("sort", "Order of hits.", {"type": "string", "enum": list(SORTS)}),
        _query(
            "from",
            "Earliest publication date (inclusive, UTC), 0001-01-01 to 9999-12-31.",
            {"type": "string", "format": "date"},
        ),
        _query(
            "to",
            "Latest publication date (inclusive, UTC), 0001-01-01 to 9999-12-31.",
            {"type": "string", "format": "date"},
        ),
        _query("range", "Quick date range ending today.", {"type": "string", "enum": ["week", "month", "year"]}),
        _query("more", "Facets to return in full.", {"type": "string", "enum": [f.name for f in FACETS]}, True),
        _query(
            "role",
            "Only articles with an event of a selected type (any type without event=) in which a selected company "
            "(any company without company=) takes one of these roles: event=Acquisition&company=Panasonic&role=target "
            "finds the acquisitions of Panasonic. Under a role, the event and company facets count each value as if "
            "it were the only one selected. Any other role is a 400.",
            {"type": "string", "enum": list(EVENT_ROLES)},
            True,
        ),
    ]
    for spec in FACETS:
        label = spec.label.lower()
        parameters.append(
            _query(
                spec.name,
                " ".join(filter(None, (f"Only articles with any of these {label}.", spec.values_note, FACET_LIMITS))),
                string,
                True,
                MAX_VALUES,
            )
        )
        if spec.all_of:
            parameters.append(
                _query(
                    f"{spec.name}_mode",
                    f"How several {spec.name}= values combine: any of them, or all of them (AND). Under all, the "
                    f"{label} facet is counted over the articles with every selected value: the {label} that appear "
                    "with the whole selection. Any other value is a 400.",
                    {"type": "string", "enum": list(MODES), "default": "any"},
                )
            )
        parameters.append(
            _query(
                f"not_{spec.name}", f"Leave out articles with these {label}. {FACET_LIMITS}", string, True, MAX_VALUES
            )
        )
    return parameters


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document() -> dict[str, Any]:
    """The API as OpenAPI 3.1; every object's schema comes from the one declaration of its shape."""
    error = {"$ref": "#/components/schemas/Error"}
    errors = {
        "400": _json(
            "A parameter cannot be read or is over its limit, or the query asks what no search answers in time "
            "(*a*, s*, word~5, [a TO z]); the message says which and why.",
            error,
        ),
        "503": _json("There is no index yet, it must be rebuilt, or the search ran out of its time budget.", error),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Newsfacet API",
            "version": "1",
            "description": "Keyword and faceted search over industry news, as on the search page.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search articles, with facet counts",
                    "parameters": search_parameters(),
                    "responses": {
                        "200": _json(
                            "The page of hits, facets and paging.", {"$ref": "#/components/schemas/SearchResult"}
                        ),
                        **errors,
                    },
                }
            },
            "/api/facets/{name}": {
                "get": {
                    "summary": "A facet's values starting with a prefix (type-ahead)",
                    "parameters": [
                        {
                            "name": "name",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "enum": [f.name for f in FACETS]},
                        },
                        _query("prefix", "Start of the value, any case.", {"type": "string", "maxLength": 200}),
                        _query("limit", "How many values, at most 100.", {"type": "integer", "minimum": 1}),
                    ],
                    "responses": {
                        "200": _json(
                            "Matching values, most frequent first.", {"$ref": "#/components/schemas/TypeAhead"}
                        ),
                        "404": _json("No such facet.", error),
                        **errors,
                    },
                }
            },
            "/api/article/{id}": {
                "get": {
                    "summary": "One article with its facets and events",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": _json("The article.", {"$ref": "#/components/schemas/Article"}),
                        "404": _json("No article with this id.", error),
                        "503": errors["503"],
                    },
                }
            },
            **{
                f"/api/{plural}/{{name}}": _profile_path(kind, error, errors["503"])
                for kind, plural in (("company", "companies"), ("technology", "technologies"))
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
                }
            },
        },
        "components": {
            "schemas": {
                "Article": object_schema(ARTICLE_FIELDS),
                "Error": object_schema(ERROR_FIELDS),
                "Profile": object_schema(PROFILE_FIELDS),
                "SearchResult": object_schema(RESULT_FIELDS),
                "TypeAhead": object_schema(TYPEAHEAD_FIELDS),
            }
        },
    }


def _profile_path(kind: str, error: dict[str, Any], unavailable: dict[str, Any]) -> dict[str, Any]:
    """A company's or technology's profile: the page at /company/<name> or /technology/<name> as data."""
    return {
        "get": {
            "summary": f"A {kind}'s articles per period, what appears with it, its latest articles",
            "parameters": [
                {
                    "name": "name",
                    "in": "path",
                    "required": True,
                    "description": f"The {kind} as indexed, URL-encoded (AT%26T); it may hold a slash.",
                    "schema": {"type": "string", "maxLength": 200},
                }
            ],
            "responses": {
                "200": _json(f"The {kind}'s profile.", {"$ref": "#/components/schemas/Profile"}),
                "400": _json("A name that is empty, over 200 characters or holds NUL.", error),
                "404": _json(f"No article has this {kind} and the knowledge base does not know it.", error),
                "503": unavailable,
            },
        }
    }
