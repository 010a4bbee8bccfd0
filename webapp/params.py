"""Query-string parameters to a search request, and links that change one of them.

The URL carries the whole state of a search, so these functions are all the
page and the API need to read it and to link to the next state. Links are
built from the parsed request (:func:`state_args`), never by copying the query
string: parameters the app does not know, repeated values and empty ones are
not carried from link to link, and every parameter is bounded here, so a page
stays small whatever the query string held.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer.errors import InvalidRequestError
from indexer.search.facets import all_of_names, facet_names
from indexer.search.request import MAX_PER_PAGE, SearchRequest

MAX_QUERY_CHARS = 1000
# Each selected or excluded value is listed on the page with links that carry
# every other value, so a page grows with the square of their number: these
# keep the largest page under ten megabytes, even with values in a script that
# links percent-encode to nine characters a letter.
MAX_VALUES = 50  # values of one facet parameter (company=, not_company=, ...)
MAX_FILTER_VALUES = 100  # values of all facet parameters together
MAX_FILTER_CHARS = 2000  # characters of those values together
MAX_PAGE = 1_000_000
QUICK_RANGES = {"week": 7, "month": 31, "year": 365}
DATE_RANGE_TEXT = f"between {date.min.isoformat()} and {date.max.isoformat()}"
_DATE_SHAPE = re.compile(r"[+-]?\d{4,}-\d{1,2}-\d{1,2}")


def request_from_args(args: MultiDict, default_per_page: int = 10, today: date | None = None) -> SearchRequest:
    """The search request a query string describes.

    ``company=``, ``technology=``, ``event=``, ``source=``, ``month=`` select values
    (OR within a facet); ``not_company=`` and the like exclude them; ``role=`` keeps
    the articles whose selected events have a selected company in that role (see
    :mod:`indexer.search.events`); ``company_mode=all`` (and ``technology_mode=``,
    ``event_mode=``) asks for articles with every selected value instead of any
    of them; ``from=`` and ``to=`` are
    ISO dates; ``range=week|month|year`` is a quick range ending today; ``sort=``
    is relevance, newest or oldest; ``more=`` names facets to show in full.
    A parameter that cannot be read, or is over its limit (:data:`MAX_VALUES`
    and the others above), is an :class:`InvalidRequestError` naming it.
    """
    query = args.get("q", "")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidRequestError(f"q is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    if "\x00" in query:
        raise InvalidRequestError("q contains a NUL character")
    names = facet_names()
    filters, excluded = _values(args, names, ""), _values(args, names, "not_")
    chosen = [value for values in (*filters.values(), *excluded.values()) for value in values]
    if len(chosen) > MAX_FILTER_VALUES:
        raise InvalidRequestError(
            f"the request selects or excludes {len(chosen)} facet values; the limit is {MAX_FILTER_VALUES} in all"
        )
    if (chars := sum(map(len, chosen))) > MAX_FILTER_CHARS:
        raise InvalidRequestError(
            f"the facet values selected or excluded come to {chars} characters; the limit is {MAX_FILTER_CHARS}"
        )
    date_from, date_to = _date(args, "from"), _date(args, "to")
    quick = args.get("range", "")
    if quick:
        if quick not in QUICK_RANGES:
            raise InvalidRequestError(f"range must be one of {', '.join(QUICK_RANGES)}, not {quick[:20]!r}")
        date_to = today or date.today()
        date_from = date_to - timedelta(days=QUICK_RANGES[quick])
    return SearchRequest(
        query=query,
        filters=filters,
        excluded=excluded,
        page=_positive_int(args, "page", 1),
        per_page=min(_positive_int(args, "per_page", default_per_page), MAX_PER_PAGE),
        date_from=date_from,
        date_to=date_to,
        sort=args.get("sort", "relevance") or "relevance",
        expanded=tuple(dict.fromkeys(name for name in args.getlist("more") if name in names)),
        roles=tuple(dict.fromkeys(role.strip() for role in args.getlist("role") if role.strip())),
        modes={name: mode for name in all_of_names() if (mode := args.get(f"{name}_mode", ""))},
    )


def archive_span(key: str, newest: date | None, today: date | None = None) -> tuple[date, date] | None:
    """The days quick range ``key`` covers on an archive: those before its newest article (``newest``),
    when that article is older than the range ending today, which would find nothing; None when
    the range ending today is the one to offer (a current collection, or no dated article)."""
    if newest is None or key not in QUICK_RANGES:
        return None
    days = timedelta(days=QUICK_RANGES[key])
    if newest >= (today or date.today()) - days:
        return None
    return newest - days, newest


def state_args(search: SearchRequest, args: MultiDict, default_per_page: int = 10) -> MultiDict:
    """The parameters that ask for ``search`` again, but its page: the base of every link.

    Built from the parsed request, so a link holds each value once, in a fixed
    order, and nothing the request did not understand. ``args`` is read only for
    ``range=``, which the request holds as the dates it stands for today.
    """
    pairs: list[tuple[str, str]] = [("q", search.query)] if search.query else []
    pairs += [(name, value) for name, values in search.filters.items() for value in values]
    # A mode is carried while its facet has a selection: it says how the next value chosen combines.
    pairs += [(f"{name}_mode", "all") for name in all_of_names() if search.all_of(name) and search.selected(name)]
    pairs += [(f"not_{name}", value) for name, values in search.excluded.items() for value in values]
    pairs += [("role", role) for role in search.roles]
    quick = args.get("range", "")
    if quick in QUICK_RANGES:
        pairs.append(("range", quick))
    else:
        pairs += [(key, day.isoformat()) for key, day in (("from", search.date_from), ("to", search.date_to)) if day]
    if search.sort != "relevance":
        pairs.append(("sort", search.sort))
    if search.per_page != default_per_page:
        pairs.append(("per_page", str(search.per_page)))
    pairs += [("more", name) for name in search.expanded]
    return MultiDict(pairs)


def _values(args: MultiDict, names: tuple[str, ...], prefix: str) -> dict[str, tuple[str, ...]]:
    found = {}
    for name in names:
        key = prefix + name
        values = tuple(dict.fromkeys(v.strip() for v in args.getlist(key) if v.strip()))
        if len(values) > MAX_VALUES:
            raise InvalidRequestError(f"{key} has {len(values)} values; the limit is {MAX_VALUES}")
        if values:
            found[name] = values
    return found


def _date(args: MultiDict, name: str) -> date | None:
    raw = args.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        if _DATE_SHAPE.fullmatch(raw):
            raise InvalidRequestError(f"{name} must be a calendar date {DATE_RANGE_TEXT}, not {raw[:20]!r}") from None
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
    return min(value, MAX_PAGE)


def toggle_args(args: MultiDict, name: str, value: str) -> MultiDict:
    """``args`` with ``value`` of facet ``name`` added, or removed if present; page reset."""
    updated = MultiDict(args)
    values = updated.getlist(name)
    updated.setlist(name, [v for v in values if v != value] if value in values else values + [value])
    updated.pop("page", None)
    return updated


def with_args(args: MultiDict, **changes: object) -> MultiDict:
    """``args`` with each named parameter set to the value given, or removed when it is None."""
    updated = MultiDict(args)
    for key, value in changes.items():
        if value is None:
            updated.pop(key, None)
        else:
            updated[key] = str(value)
    return updated


def query_string(args: MultiDict) -> str:
    """``args`` encoded for a link, empty values left out."""
    pairs = [(key, value) for key, values in args.lists() for value in values if value != ""]
    return urlencode(pairs)
