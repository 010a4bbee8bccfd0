"""Query-string parameters to a search request, and links that change one of them.

The URL carries the whole state of a search, so these functions are all the
page and the API need to read it and to link to the next state.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer.errors import InvalidRequestError
from indexer.search.facets import facet_names
from indexer.search.request import MAX_PER_PAGE, SearchRequest

MAX_QUERY_CHARS = 1000
QUICK_RANGES = {"week": 7, "month": 31, "year": 365}


def request_from_args(args: MultiDict, default_per_page: int = 10, today: date | None = None) -> SearchRequest:
    """The search request a query string describes.

    ``company=``, ``technology=``, ``source=``, ``month=`` select values (OR within
    a facet); ``not_company=`` and the like exclude them; ``from=`` and ``to=`` are
    ISO dates; ``range=week|month|year`` is a quick range ending today; ``sort=``
    is relevance, newest or oldest; ``more=`` names facets to show in full.
    """
    query = args.get("q", "")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidRequestError(f"q is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    if "\x00" in query:
        raise InvalidRequestError("q contains a NUL character")
    names = facet_names()
    date_from, date_to = _date(args, "from"), _date(args, "to")
    quick = args.get("range", "")
    if quick:
        if quick not in QUICK_RANGES:
            raise InvalidRequestError(f"range must be one of {', '.join(QUICK_RANGES)}, not {quick[:20]!r}")
        date_to = today or date.today()
        date_from = date_to - timedelta(days=QUICK_RANGES[quick])
    return SearchRequest(
        query=query,
        filters=_values(args, names, ""),
        excluded=_values(args, names, "not_"),
        page=_positive_int(args, "page", 1),
        per_page=min(_positive_int(args, "per_page", default_per_page), MAX_PER_PAGE),
        date_from=date_from,
        date_to=date_to,
        sort=args.get("sort", "relevance") or "relevance",
        expanded=tuple(name for name in args.getlist("more") if name in names),
    )


def _values(args: MultiDict, names: tuple[str, ...], prefix: str) -> dict[str, tuple[str, ...]]:
    found = {name: tuple(dict.fromkeys(v.strip() for v in args.getlist(prefix + name) if v.strip())) for name in names}
    return {name: values for name, values in found.items() if values}


def _date(args: MultiDict, name: str) -> date | None:
    raw = args.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidRequestError(f"{name} must be a date like 2024-03-31, not {raw[:20]!r}") from None


def _positive_int(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequestError(f"{name} must be a whole number, not {raw[:20]!r}") from None
    if value < 1:
        raise InvalidRequestError(f"{name} must be 1 or more")
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
