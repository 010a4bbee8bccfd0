"""The HTML pages: search with facets, the article page and the feed. Errors are answered by :mod:`.errors`."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from indexer.search.request import SORTS, SearchResult

from .atom import atom_feed
from .params import MAX_QUERY_CHARS, query_string, request_from_args, toggle_args, with_args
from .services import get_search_service

bp = Blueprint("pages", __name__, template_folder="templates")

FEED_ENTRIES = 50


@bp.get("/")
def search():
    search_request = request_from_args(request.args, current_app.config["PER_PAGE"])
    result = get_search_service().search(search_request)
    return render_template(
        "pages/search.html",
        result=result,
        hits=[_hit_view(hit) for hit in result.hits],
        facets=_facet_views(result),
        chips=_active_chips(result),
        pagination=_pagination(result),
        date_links=_date_links(),
        sort_links=_sort_links(result),
        suggestion_url=_url(with_args(request.args, q=result.suggestion, page=None)) if result.suggestion else None,
        feed_url=_with_state(url_for("pages.feed")),
    )


@bp.get("/feed.atom")
def feed():
    """The search in the query string as an Atom feed, newest first."""
    args = with_args(request.args, sort="newest", page=None)
    search_request = request_from_args(args, current_app.config["PER_PAGE"])
    result = get_search_service().search(replace(search_request, per_page=FEED_ENTRIES))
    title = " · ".join(
        part
        for part in (
            result.request.query,
            *[f"{name}: {', '.join(values)}" for name, values in result.request.filters.items()],
        )
        if part
    )
    body = atom_feed(
        result,
        self_url=_with_state(url_for("pages.feed", _external=True)),
        page_url=_with_state(url_for("pages.search", _external=True)),
        article_url=lambda article_id: url_for("pages.article", article_id=article_id, _external=True),
        title=f"Newsfacet: {title or 'all articles'}",
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/article/<path:article_id>")
def article(article_id: str):
    service = get_search_service()
    found = service.get_article(article_id)
    query = request.args.get("q", "")[:MAX_QUERY_CHARS].replace("\x00", "")
    return render_template(
        "pages/article.html",
        article=found,
        query=query,
        # Escaped by the search service; only its <mark> around matched words is markup.
        paragraphs=[Markup(p) for p in service.highlight_paragraphs(found, query)],
        related=service.related(found.id),
    )


def _with_state(base: str) -> str:
    """``base`` with the current search's parameters (but the page) appended."""
    state = query_string(with_args(request.args, page=None))
    return f"{base}?{state}" if state else base


def _url(args) -> str:
    encoded = query_string(args)
    return url_for("pages.search") + (f"?{encoded}" if encoded else "")


def _hit_view(hit) -> dict:
    return {
        "id": hit.id,
        "title": hit.title,
        "date": hit.date,
        "source": hit.source,
        # The snippet is built by the search service from escaped text and <mark> only.
        "snippet": Markup(hit.snippet_html),
        "companies": [(name, _url(toggle_args(request.args, "company", name))) for name in hit.companies],
        "technologies": [(name, _url(toggle_args(request.args, "technology", name))) for name in hit.technologies],
    }


def _facet_views(result: SearchResult) -> list[dict]:
    args = request.args
    views = []
    for facet in result.facets:
        expanded = facet.name in result.request.expanded
        views.append(
            {
                "name": facet.name,
                "label": facet.label,
                "truncated": facet.truncated,
                "more_url": _url(toggle_args(args, "more", facet.name)) if facet.truncated or expanded else None,
                "expanded": expanded,
                "values": [
                    {
                        "value": v.value,
                        "count": v.count,
                        "selected": v.selected,
                        "excluded": v.excluded,
                        "toggle_url": _url(toggle_args(args, facet.name, v.value)),
                        "exclude_url": _url(toggle_args(args, f"not_{facet.name}", v.value)),
                    }
                    for v in facet.values
                ],
            }
        )
    return views


def _active_chips(result: SearchResult) -> list[dict]:
    labels = {facet.name: facet.label for facet in result.facets}
    chips = [
        {
            "facet": labels.get(name, name),
            "value": value,
            "excluded": False,
            "remove_url": _url(toggle_args(request.args, name, value)),
        }
        for name, values in result.request.filters.items()
        for value in values
    ]
    chips += [
        {
            "facet": labels.get(name, name),
            "value": value,
            "excluded": True,
            "remove_url": _url(toggle_args(request.args, f"not_{name}", value)),
        }
        for name, values in result.request.excluded.items()
        for value in values
    ]
    if result.request.date_from or result.request.date_to:
        span = f"{result.request.date_from or '…'} to {result.request.date_to or '…'}"
        chips.append(
            {
                "facet": "Dates",
                "value": span,
                "excluded": False,
                "remove_url": _url(with_args(request.args, **{"from": None, "to": None, "range": None})),
            }
        )
    return chips


def _date_links() -> list[dict]:
    args = with_args(request.args, **{"from": None, "to": None, "page": None})
    current = request.args.get("range", "")
    return [
        {"label": label, "url": _url(with_args(args, range=key)), "current": key == current}
        for key, label in (("week", "Past week"), ("month", "Past month"), ("year", "Past year"))
    ]


def _sort_links(result: SearchResult) -> list[dict]:
    return [
        {
            "label": sort.capitalize(),
            "url": _url(with_args(request.args, sort=None if sort == "relevance" else sort, page=None)),
            "current": sort == result.request.sort,
        }
        for sort in SORTS
    ]


def _pagination(result: SearchResult) -> dict:
    def page_url(number: int) -> str:
        return _url(with_args(request.args, page=None if number == 1 else number))

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
