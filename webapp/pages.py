"""The HTML pages: search with facets, the article page and the feed. Errors are answered by :mod:`.errors`.

Every link on a search page is built from the parsed request's state
(:func:`.params.state_args`), never from the raw query string.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from indexer.article import Event
from indexer.errors import InvalidRequestError
from indexer.search.events import EVENT_ROLES, EVENT_TYPES
from indexer.search.export import FORMATS as EXPORT_FORMATS
from indexer.search.export import export_articles, start_export
from indexer.search.facets import all_of_names
from indexer.search.profiles import Association, Profile, ProfileRequest
from indexer.search.request import MODES, SORTS, SearchRequest, SearchResult
from indexer.search.sentences import event_sentence

from .atom import atom_feed
from .charts import bar_chart
from .params import archive_span, query_string, request_from_args, state_args, toggle_args, with_args
from .services import get_search_service

bp = Blueprint("pages", __name__, template_folder="templates")

FEED_ENTRIES = 50


@bp.get("/")
def search():
    search_request, state = _parsed(request.args)
    result = get_search_service().search(replace(search_request, trend=True, appears_with=True))
    # An article opened from this page carries the search, its page too, for its way back.
    opened_from = with_args(state, page=result.page if result.page > 1 else None)
    return render_template(
        "pages/search.html",
        result=result,
        state=state,
        hits=[_hit_view(hit, state, opened_from) for hit in result.hits],
        facets=_facet_views(result, state),
        role_form=_role_form(result, state),
        chips=_active_chips(result, state),
        pagination=_pagination(result, state),
        date_links=_date_links(state, result.newest),
        sort_links=_sort_links(result, state),
        suggestion_url=_url(with_args(state, q=result.suggestion)) if result.suggestion else None,
        feed_url=_with_state(url_for("pages.feed"), state),
        export_links=_export_links(state),
        trend=_trend_view(result, state),
        appears_with=_appears_with_view(result, state),
    )


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon, for browsers and tools that ask for ``/favicon.ico`` whatever the page's ``<link rel="icon">``
    says: the SVG itself, rather than a 404 in every log."""
    return current_app.send_static_file("favicon.svg")


@bp.get("/feed.atom")
def feed():
    """The search in the query string as an Atom feed, newest first."""
    # Always the newest, from the first: the order and page asked for do not apply.
    search_request, state = _parsed(with_args(request.args, sort="newest", page=None))
    state = with_args(state, sort=None)
    result = get_search_service().search(replace(search_request, per_page=FEED_ENTRIES))
    title = " · ".join(
        part
        for part in (
            result.request.query,
            *[
                f"{name}{' (all of)' if result.request.all_of(name) else ''}: {', '.join(values)}"
                for name, values in result.request.filters.items()
            ],
            f"role: {', '.join(result.request.roles)}" if result.request.roles else "",
        )
        if part
    )
    body = atom_feed(
        result,
        self_url=_with_state(_external("pages.feed"), state),
        page_url=_with_state(_external("pages.search"), state),
        article_url=lambda article_id: _external("pages.article", article_id=article_id),
        title=f"Newsfacet: {title or 'all articles'}",
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/article/<path:article_id>")
def article(article_id: str):
    service = get_search_service()
    found = service.get_article(article_id)
    opened_from = _search_state(request.args)
    query = opened_from.get("q", "")
    return render_template(
        "pages/article.html",
        article=found,
        query=query,
        back_url=_url(opened_from),
        opened_from=query_string(opened_from),
        # Escaped by the search service; only its <mark> around matched words is markup.
        paragraphs=[Markup(p) for p in service.highlight_paragraphs(found, query)],
        related=service.related(found.id),
        events=[_event_view(event) for event in found.events],
    )


def _event_view(event: Event) -> dict:
    """An event as the article page tells it: its sentence, each company a link to its articles,
    then its type, a link to the articles that report one."""
    parts = [
        {"text": part, "url": None, "role": None}
        if isinstance(part, str)
        else {"text": part.name, "url": url_for("pages.search", company=part.name), "role": part.role}
        for part in event_sentence(event)
    ]
    return {"parts": parts, "type": event.type, "type_url": url_for("pages.search", event=event.type)}


def _search_state(args: MultiDict) -> MultiDict:
    """The search an article was opened from, with its page, read as the search page reads it.

    Only the parameters understood come back, so the way back never repeats raw input; a search
    that cannot be read is no reason to refuse the article, which then leads back to the first page.
    """
    try:
        search_request, state = _parsed(args)
    except InvalidRequestError:
        return MultiDict()
    return with_args(state, page=search_request.page if search_request.page > 1 else None)


def _parsed(args: MultiDict) -> tuple[SearchRequest, MultiDict]:
    """The request ``args`` describe, and the parameters that ask for it again (but its page)."""
    per_page = current_app.config["PER_PAGE"]
    search_request = request_from_args(args, per_page)
    return search_request, state_args(search_request, args, per_page)


def _external(endpoint: str, **values: str) -> str:
    """An absolute URL for the feed: under ``PUBLIC_URL`` when it is set, else the request's own
    host (which ``TRUSTED_HOSTS`` has checked when it is set)."""
    public = current_app.config.get("PUBLIC_URL")
    if public:
        return public.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _with_state(base: str, state: MultiDict) -> str:
    """``base`` with the search's parameters appended."""
    encoded = query_string(state)
    return f"{base}?{encoded}" if encoded else base


def _url(args: MultiDict) -> str:
    return _with_state(url_for("pages.search"), args)


def _hit_view(hit, state: MultiDict, opened_from: MultiDict) -> dict:
    return {
        "id": hit.id,
        "url": _with_state(url_for("pages.article", article_id=hit.id), opened_from),
        "title": hit.title,
        "date": hit.date,
        "source": hit.source,
        # The snippet is built by the search service from escaped text and <mark> only.
        "snippet": Markup(hit.snippet_html),
        "companies": [(name, _url(toggle_args(state, "company", name))) for name in hit.companies],
        "technologies": [(name, _url(toggle_args(state, "technology", name))) for name in hit.technologies],
        "events": [(event.type, _url(toggle_args(state, "event", event.type))) for event in hit.events],
    }


def _facet_views(result: SearchResult, state: MultiDict) -> list[dict]:
    views = []
    for facet in result.facets:
        expanded = facet.name in result.request.expanded
        views.append(
            {
                "name": facet.name,
                "label": facet.label,
                "truncated": facet.truncated,
                "more_url": _url(toggle_args(state, "more", facet.name)) if facet.truncated or expanded else None,
                "expanded": expanded,
                "modes": _mode_links(result.request, facet.name, state),
                "values": [
                    {
                        "value": v.value,
                        "count": v.count,
                        "selected": v.selected,
                        "excluded": v.excluded,
                        "toggle_url": _url(toggle_args(state, facet.name, v.value)),
                        "exclude_url": _url(toggle_args(state, f"not_{facet.name}", v.value)),
                    }
                    for v in facet.values
                ],
            }
        )
    return views


def _mode_links(search: SearchRequest, name: str, state: MultiDict) -> list[dict]:
    """The "any of · all of" switch of a facet with several values selected (or one under "all of",
    which says how the next value combines); none for a facet whose values cannot all be asked for."""
    if not _mode_shown(search, name):
        return []
    return [
        {
            "label": f"{mode} of",
            "url": _url(with_args(state, **{f"{name}_mode": "all" if mode == "all" else None})),
            "current": mode == search.mode(name),
        }
        for mode in MODES
    ]


def _mode_shown(search: SearchRequest, name: str) -> bool:
    """Whether the page says how a facet's selected values combine: several selected, or "all of"."""
    selected = search.selected(name)
    return name in all_of_names() and (len(selected) > 1 or (bool(selected) and search.all_of(name)))


def _chip_facet(search: SearchRequest, name: str, label: str) -> str:
    """A selected value's facet as its chip says it: with "any of" or "all of" once the mode matters."""
    return f"{label}, {search.mode(name)} of" if _mode_shown(search, name) else label


def _active_chips(result: SearchResult, state: MultiDict) -> list[dict]:
    labels = {facet.name: facet.label for facet in result.facets}
    chips = [
        {
            "facet": _chip_facet(result.request, name, labels.get(name, name)),
            "value": value,
            "excluded": False,
            "remove_url": _url(toggle_args(state, name, value)),
            # The first chip of a facet whose values combine one way or the other starts with how.
            "group": _chip_facet(result.request, name, labels.get(name, name))
            if index == 0 and _mode_shown(result.request, name)
            else "",
        }
        for name, values in result.request.filters.items()
        for index, value in enumerate(values)
    ]
    chips += [
        {
            "facet": labels.get(name, name),
            "value": value,
            "excluded": True,
            "remove_url": _url(toggle_args(state, f"not_{name}", value)),
        }
        for name, values in result.request.excluded.items()
        for value in values
    ]
    chips += [
        {
            "facet": "Role",
            "value": f"as {role}",
            "excluded": False,
            "remove_url": _url(toggle_args(state, "role", role)),
        }
        for role in result.request.roles
    ]
    if result.request.date_from or result.request.date_to:
        span = f"{result.request.date_from or '…'} to {result.request.date_to or '…'}"
        chips.append(
            {
                "facet": "Dates",
                "value": span,
                "excluded": False,
                "remove_url": _url(with_args(state, **{"from": None, "to": None, "range": None})),
            }
        )
    return chips


def _role_form(result: SearchResult, state: MultiDict) -> dict:
    """The form that asks for a role: the roles of the selected event types (of every type when
    none is selected), and the rest of the search as hidden fields."""
    types = [t for t in result.request.selected("event") if t in EVENT_TYPES] or list(EVENT_TYPES)
    offered = {role for t in types for role in EVENT_TYPES[t]} | set(result.request.roles)
    return {
        "roles": [(role, role in result.request.roles) for role in EVENT_ROLES if role in offered],
        "hidden": [(key, value) for key, values in state.lists() if key != "role" for value in values],
    }


def _date_links(state: MultiDict, newest: date | None = None) -> list[dict]:
    args = with_args(state, **{"from": None, "to": None})
    current = state.get("range", "")
    return [
        _archive_link(args, state, key, span)
        if (span := archive_span(key, newest))
        else {"label": label, "url": _url(with_args(args, range=key)), "current": key == current}
        for key, label in (("week", "Past week"), ("month", "Past month"), ("year", "Past year"))
    ]


def _archive_link(args: MultiDict, state: MultiDict, key: str, span: tuple[date, date]) -> dict:
    """A quick range on an archive (:func:`.params.archive_span`): the days before its newest article as
    ``from=`` and ``to=``, labelled so, since "Past week" counted back from today would find nothing."""
    dates = {"from": span[0].isoformat(), "to": span[1].isoformat()}
    return {
        "label": f"{key.capitalize()} before the newest article ({dates['to']})",
        "url": _url(with_args(args, range=None, **dates)),
        "current": not state.get("range") and all(state.get(name) == day for name, day in dates.items()),
    }


def _appears_with_view(result: SearchResult, state: MultiDict) -> list[dict]:
    """The companies that go with the results (indexer/search/associations.py): each its page, and the
    results it is in, the search narrowed to it (with every company already chosen, hence "all of")."""
    chosen = result.request.selected("company")
    views = []
    for item in result.appears_with:
        narrowed = toggle_args(state, "company", item.name)
        if chosen:
            narrowed = with_args(narrowed, company_mode="all")
        views.append(
            {
                "kind": "company",
                "name": item.name,
                "url": url_for("pages.company", name=item.name),
                "shared": item.shared,
                "expected": item.expected,
                "lift": item.lift,
                "shared_url": _url(narrowed),
            }
        )
    return views


def _trend_view(result: SearchResult, state: MultiDict) -> dict | None:
    """The results over time (indexer/search/trends.py): each bar a link to this search narrowed to its
    period (within the dates already asked for, so it never finds more), and a line per selected company
    when 2 to 5 are; None when no result is dated."""
    trend, search = result.trend, result.request
    if trend is None or not trend.periods:
        return None
    urls = [
        _url(
            with_args(
                state,
                range=None,
                **{
                    "from": max(period.start, search.date_from or period.start).isoformat(),
                    "to": min(period.end, search.date_to or period.end).isoformat(),
                },
            )
        )
        for period in trend.periods
    ]
    lines = [(line.name, line.counts) for line in trend.series]
    return {
        "chart": bar_chart([(p.label, p.count) for p in trend.periods], urls=urls, lines=lines),
        "granularity": trend.granularity,
        "undated": trend.undated,
        "series": [line.name for line in trend.series],
        "rows": [
            (period.label, period.count, [line.counts[index] for line in trend.series])
            for index, period in enumerate(trend.periods)
        ],
    }


def _sort_links(result: SearchResult, state: MultiDict) -> list[dict]:
    """The orders offered, the one applied marked current.

    A query without words (``understood`` is ``*``) has nothing to rank by and the service lists it
    newest first: the control says "Newest" then, and offers no "Relevance" that would change nothing.
    """
    ranked = result.understood != "*"
    applied = "newest" if result.request.sort == "relevance" and not ranked else result.request.sort
    return [
        {
            "label": sort.capitalize(),
            "url": _url(with_args(state, sort=None if sort == "relevance" else sort)),
            "current": sort == applied,
        }
        for sort in SORTS
        if ranked or sort != "relevance"
    ]


def _pagination(result: SearchResult, state: MultiDict) -> dict:
    def page_url(number: int) -> str:
        return _url(with_args(state, page=None if number == 1 else number))

    window = sorted({1, result.pages, *range(max(1, result.page - 2), min(result.pages, result.page + 2) + 1)})
    numbers, previous = [], 0
    for number in window:
        if number - previous > 1:
            numbers.append(None)  # a gap: "…"
        numbers.append({"number": number, "url": page_url(number), "current": number == result.page})
        previous = number
    return {
        "page": result.page,
        "pages": result.pages,
        "numbers": numbers,
        "previous": page_url(result.page - 1) if result.page > 1 else None,
        "next": page_url(result.page + 1) if result.page < result.pages else None,
    }


# Export: the whole result set of the search on the page, as a file (indexer/search/export.py).


@bp.get("/export.<any(csv, jsonl):fmt>")
def export(fmt: str):
    """``/export.csv?...`` and ``/export.jsonl?...``: every article the same search finds, in its order,
    up to ``EXPORT_MAX_ROWS``; ``X-Newsfacet-Truncated: true`` when it finds more."""
    search_request, _ = _parsed(request.args)
    service = get_search_service()
    started = start_export(service, search_request, int(current_app.config["EXPORT_MAX_ROWS"]))
    form = EXPORT_FORMATS[fmt]
    body = stream_with_context(form.lines(export_articles(service, started)))
    response = Response(body, content_type=form.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{form.filename}"'
    response.headers["X-Total-Count"] = str(started.total)
    response.headers["X-Newsfacet-Rows"] = str(len(started.ids))
    response.headers["X-Newsfacet-Truncated"] = "true" if started.truncated else "false"
    return response


def _export_links(state: MultiDict) -> list[dict]:
    """The search's export links: its parameters but the page size and the facets shown in full."""
    args = with_args(state, per_page=None, more=None)
    return [
        {
            "label": label,
            "url": _with_state(url_for("pages.export", fmt=fmt), args),
            "type": EXPORT_FORMATS[fmt].media_type,
        }
        for fmt, label in (("csv", "CSV"), ("jsonl", "JSON Lines"))
    ]


# Company and technology pages (indexer/search/profiles.py).


@bp.get("/company/<path:name>")
def company(name: str):
    """A company's articles per period, the companies and technologies it appears with, its latest articles."""
    return _profile_page("company", name)


@bp.get("/technology/<path:name>")
def technology(name: str):
    """A technology's page, as a company's."""
    return _profile_page("technology", name)


def _profile_page(kind: str, name: str):
    profile = get_search_service().profile(ProfileRequest(kind, name))
    return render_template(
        "pages/company.html",
        profile=profile,
        chart=bar_chart([(period.label, period.count) for period in profile.periods]),
        companies=_association_views(profile, "company", profile.companies),
        technologies=_association_views(profile, "technology", profile.technologies),
        search_url=_url(MultiDict([(kind, profile.name)])),
        search_url_newest=_url(MultiDict([(kind, profile.name), ("sort", "newest")])),
    )


def _association_views(profile: Profile, other: str, associations: tuple[Association, ...]) -> list[dict]:
    """Each value that appears with the profile's: a link to its own page, and to the articles both are in.

    Values of two facets combine with AND, so a company and a technology share the search with both; two
    values of one facet share the search for both in "all of" mode (``company_mode=all``).
    """
    return [
        {
            "kind": other,
            "name": item.name,
            "url": url_for(f"pages.{other}", name=item.name),
            "shared": item.shared,
            "expected": item.expected,
            "lift": item.lift,
            "shared_url": _url(MultiDict([(profile.kind, profile.name), (other, item.name)]))
            if other != profile.kind
            else _url(MultiDict([(other, profile.name), (other, item.name), (f"{other}_mode", "all")])),
        }
        for item in associations
    ]
