"""Small things the search and article pages show: numbers, the icon, the way back, the sort, the phone layout."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape
from urllib.parse import parse_qsl

import pytest

from indexer.search.request import SearchRequest, SearchResult
from indexer.search.service import SearchService
from webapp import create_app

from .paths import PROJECT, SEED_TOYOTA


class Inflated:
    """The real search service over the sample index, with every count made large.

    The samples hold 8 articles; a page that writes ``23,390`` needs a result that large.
    """

    def __init__(self, service: SearchService, factor: int):
        self.service = service
        self.factor = factor

    def search(self, request: SearchRequest) -> SearchResult:
        result = self.service.search(request)
        facets = tuple(
            replace(facet, values=tuple(replace(v, count=v.count * self.factor) for v in facet.values))
            for facet in result.facets
        )
        return replace(result, total=result.total * self.factor, pages=result.pages * self.factor, facets=facets)

    def __getattr__(self, name: str):
        return getattr(self.service, name)


@pytest.fixture
def large_client(app):
    from webapp.services import get_search_service

    with app.app_context():
        app.extensions["newsfacet.search"] = Inflated(get_search_service(), 2924)  # 8 articles -> 23,392
    return app.test_client()


def test_counts_are_written_with_thousands_separators(large_client):
    html = large_client.get("/?per_page=3").get_data(as_text=True)
    assert 'data-total="23392"' in html
    assert "23,392 articles" in html
    assert '<span class="n">8,772</span>' in html  # Panasonic: 3 articles
    assert "page 1 of 8,772" in html
    assert 'aria-label="Page 8772">8,772</a>' in html


def test_the_icon_is_linked_and_answers_at_favicon_ico(client):
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    for path in ("/favicon.ico", "/static/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert response.get_data(as_text=True).startswith("<svg ")
        response.close()


def hit_links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<h3><a href="([^"]+)">', html)]


def back_link(html: str) -> str:
    return unescape(re.search(r'<a href="([^"]*)" class="back">', html).group(1))


SEARCHES = [
    "q=batteries",
    "q=batteries&company=Panasonic&not_source=Nikkei&sort=newest",
    "technology=Lithium-ion+batteries&per_page=2&more=company&page=2",
    "event=Supply+deal&role=customer",
    "not_company=Toyota&from=2024-01-01&to=2024-12-31&sort=oldest&per_page=1&page=3",
]


@pytest.mark.parametrize("search", SEARCHES)
def test_back_to_search_keeps_every_parameter_and_the_page(client, search):
    page = client.get(f"/?{search}").get_data(as_text=True)
    links = hit_links(page)
    assert links
    for link in links:
        path, _, carried = link.partition("?")
        assert path.startswith("/article/")
        assert sorted(parse_qsl(carried)) == sorted(parse_qsl(search))
        article = client.get(link).get_data(as_text=True)
        back = back_link(article)
        assert back == f"/?{carried}"
        assert without_timing(client.get(back)) == without_timing(client.get(f"/?{search}"))


def without_timing(response) -> str:
    return re.sub(r"[\d.]+ ms", "… ms", response.get_data(as_text=True))


@pytest.mark.parametrize(
    "carried, back",
    [
        ("", "/"),
        ("page=1", "/"),
        ("q=batteries&junk=%3Cscript%3E&company=Mazda&company=Mazda&company=", "/?q=batteries&company=Mazda"),
        ('q="><script>alert(1)</script>', "/?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"),
        ("sort=sideways&q=batteries", "/"),  # a search that cannot be read still shows the article
        ("page=0", "/"),
        ("q=" + "x" * 1001, "/"),
    ],
)
def test_the_way_back_is_built_from_the_search_as_read_never_copied(client, carried, back):
    response = client.get(f"/article/{SEED_TOYOTA}?{carried}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert back_link(html) == back
    assert "<script>alert" not in html and "junk" not in html


def sort_control(html: str) -> tuple[str, list[str]]:
    """The sort marked current, and the labels of the others offered."""
    nav = re.search(r'<nav class="sort".*?</nav>', html, re.S).group(0)
    return re.search(r'<span aria-current="true">(\w+)</span>', nav).group(1), re.findall(r">(\w+)</a>", nav)


@pytest.mark.parametrize(
    "search, current, others",
    [
        ("", "Newest", ["Oldest"]),  # no words: newest first, and nothing to rank by
        ("company=Panasonic&from=2024-01-01", "Newest", ["Oldest"]),
        ("q=the", "Newest", ["Oldest"]),  # only a stop word: every article, newest first
        ("sort=newest", "Newest", ["Oldest"]),
        ("sort=oldest", "Oldest", ["Newest"]),
        ("q=batteries", "Relevance", ["Newest", "Oldest"]),
        ("q=batteries&sort=newest", "Newest", ["Relevance", "Oldest"]),
        ("q=batteries&company=Panasonic&sort=oldest", "Oldest", ["Relevance", "Newest"]),
    ],
)
def test_the_sort_marked_current_is_the_order_of_the_list(client, search, current, others):
    html = client.get(f"/?{search}").get_data(as_text=True)
    assert sort_control(html) == (current, others)
    dates = re.findall(r'<time datetime="([^"]+)"', html)
    if current != "Relevance":
        assert dates == sorted(dates, reverse=current == "Newest")


@pytest.mark.parametrize(
    "search, label",
    [("", "Filters"), ("q=batteries", "Filters"), ("company=Panasonic&not_source=MENAFN", "Filters (2 active)")],
)
def test_a_filters_link_at_the_top_of_the_results_leads_to_the_facets(client, search, label):
    html = client.get(f"/?{search}").get_data(as_text=True)
    assert f'<p class="filters-jump"><a href="#filters">{label}</a></p>' in html
    assert '<aside class="facets" id="filters" aria-label="Filters">' in html
    assert html.index('class="filters-jump"') < html.index('<ol class="hits">')


def test_the_filters_link_shows_on_narrow_screens_only_and_small_links_are_24_px():
    css = (PROJECT / "webapp" / "static" / "style.css").read_text("utf-8")
    assert ".filters-jump { display: none;" in css
    assert "@media (max-width: 720px) { .filters-jump { display: block; }" in css
    rule = re.search(r"\n([^{}\n]*\.pagination a[^{}]*)\{([^}]*)\}", css)
    assert ".facet-row .not" in rule.group(1)
    assert "min-width: 24px; min-height: 24px;" in rule.group(2)


def test_the_server_opens_the_index_when_it_starts(sample_index):
    assert "newsfacet.search" in create_app({"INDEX": str(sample_index.root)}).extensions
    # Tests open the index on their first request, as each needs.
    assert "newsfacet.search" not in create_app({"TESTING": True, "INDEX": str(sample_index.root)}).extensions
    assert "newsfacet.search" not in create_app({"INDEX": str(sample_index.root), "WARM_UP": False}).extensions


def test_without_an_index_the_server_starts_and_answers_503(tmp_path, caplog):
    app = create_app({"INDEX": str(tmp_path / "none")})
    assert "was not opened at startup" in caplog.text
    assert app.test_client().get("/").status_code == 503
