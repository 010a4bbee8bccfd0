"""The HTML pages: search with facets, and the article page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from markupsafe import Markup

from indexer.search import SearchResult
from indexer.store import IndexNotFoundError

from .params import ParameterError, query_string, request_from_args, toggle_args, with_args
from .services import get_search_service

bp = Blueprint("pages", __name__, template_folder="templates")


@bp.get("/")
def search():
    args = request.args
    try:
        search_request = request_from_args(args, current_app.config["PER_PAGE"])
    except ParameterError as error:
        return render_template("pages/error.html", title="Bad request", message=str(error)), 400
    try:
        result = get_search_service().search(search_request)
    except IndexNotFoundError:
        return _no_index()
    return render_template(
        "pages/search.html",
        result=result,
        hits=[_hit_view(hit) for hit in result.hits],
        facets=_facet_views(result),
        chips=_active_chips(result),
        pagination=_pagination(result),
    )


@bp.get("/article/<path:article_id>")
def article(article_id: str):
    try:
        found = get_search_service().get_article(article_id)
    except IndexNotFoundError:
        return _no_index()
    if found is None:
        abort(404)
    return render_template("pages/article.html", article=found,
                           paragraphs=[p for p in found.body.split("\n\n") if p.strip()])


@bp.app_errorhandler(404)
def not_found(_error):
    if request.path.startswith("/api/"):
        return {"status": 404, "message": "not found"}, 404
    return render_template("pages/error.html", title="Not found",
                           message="There is no page or article at this address."), 404


def _no_index():
    return render_template(
        "pages/error.html", title="No index yet",
        message="The search index has not been built. Run `newsfacet index` and reload."), 503


def _url(args) -> str:
    encoded = query_string(args)
    return url_for("pages.search") + (f"?{encoded}" if encoded else "")


def _hit_view(hit) -> dict:
    return {
        "id": hit.id, "title": hit.title, "date": hit.date, "source": hit.source,
        # The snippet is built by the search service from escaped text and <mark> only.
        "snippet": Markup(hit.snippet_html),
        "companies": [(name, _url(toggle_args(request.args, "company", name))) for name in hit.companies],
        "technologies": [(name, _url(toggle_args(request.args, "technology", name)))
                         for name in hit.technologies],
    }


def _facet_views(result: SearchResult) -> list[dict]:
    return [{
        "name": facet.name,
        "label": facet.label,
        "truncated": facet.truncated,
        "values": [{"value": v.value, "count": v.count, "selected": v.selected,
                    "toggle_url": _url(toggle_args(request.args, facet.name, v.value))}
                   for v in facet.values],
    } for facet in result.facets]


def _active_chips(result: SearchResult) -> list[dict]:
    labels = {facet.name: facet.label for facet in result.facets}
    return [{"facet": labels.get(name, name), "value": value,
             "remove_url": _url(toggle_args(request.args, name, value))}
            for name, values in result.request.filters.items() for value in values]


def _pagination(result: SearchResult) -> dict:
    def page_url(number: int) -> str:
        return _url(with_args(request.args, page=None if number == 1 else number))

    return {
        "page": result.page,
        "pages": result.pages,
        "previous": page_url(result.page - 1) if result.page > 1 else None,
        "next": page_url(result.page + 1) if result.page < result.pages else None,
    }
