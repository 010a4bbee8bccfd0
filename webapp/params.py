"""Query-string parameters to a search request, and links that change one of them.

The URL carries the whole state of a search, so these functions are all the
page and the API need to read it and to link to the next state.
"""
from __future__ import annotations

from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer.facets import facet_names
from indexer.search import MAX_PER_PAGE, SearchRequest

MAX_QUERY_CHARS = 1000


class ParameterError(ValueError):
    """A query-string parameter that cannot be read; the message says which and why."""


def request_from_args(args: MultiDict, default_per_page: int = 10) -> SearchRequest:
    query = args.get("q", "")
    if len(query) > MAX_QUERY_CHARS:
        raise ParameterError(f"q is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    if "\x00" in query:
        raise ParameterError("q contains a NUL character")
    filters = {name: tuple(dict.fromkeys(v.strip() for v in args.getlist(name) if v.strip()))
               for name in facet_names()}
    return SearchRequest(
        query=query,
        filters={name: values for name, values in filters.items() if values},
        page=_positive_int(args, "page", 1),
        per_page=min(_positive_int(args, "per_page", default_per_page), MAX_PER_PAGE),
    )


def _positive_int(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParameterError(f"{name} must be a whole number, not {raw[:20]!r}") from None
    if value < 1:
        raise ParameterError(f"{name} must be 1 or more")
    return min(value, 1_000_000)


def toggle_args(args: MultiDict, name: str, value: str) -> MultiDict:
    """``args`` with ``value`` of facet ``name`` added, or removed if present; page reset."""
    updated = MultiDict(args)
    values = updated.getlist(name)
    updated.setlist(name, [v for v in values if v != value] if value in values else values + [value])
    updated.pop("page", None)
    return updated


def with_args(args: MultiDict, **changes: object) -> MultiDict:
    updated = MultiDict(args)
    for key, value in changes.items():
        if value is None:
            updated.pop(key, None)
        else:
            updated[key] = str(value)
    return updated


def query_string(args: MultiDict) -> str:
    pairs = [(key, value) for key, values in args.lists() for value in values if value != ""]
    return urlencode(pairs)
