"""Hostile parameters and content: a clear 400 or a sensible clamp, never a 5xx; only our markup is HTML."""

from __future__ import annotations

from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp import create_app
from webapp.openapi import search_parameters

from .markup import undisplayable
from .paths import SEEDS

# Every documented search parameter, and the type-ahead's own.
KNOWN = [parameter["name"] for parameter in search_parameters()] + ["prefix", "limit"]
ROUTES = ["/", "/api/search", "/feed.atom", "/api/facets/company", "/api/facets/nope", "/article/000_5c8df0a10b736b81"]


@pytest.fixture(scope="module")
def client(sample_index):
    return create_app({"TESTING": True, "INDEX": str(sample_index.root)}).test_client()


# Characters XML 1.0 forbids (C0 controls, U+FFFE, U+FFFF) and HTML rejects (DEL, C1, noncharacters).
CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\x9b", "\ufdd0", "\ufffe", "\uffff"]
hostile_text = st.text(alphabet=st.one_of(st.sampled_from(CONTROLS), st.characters(codec="utf-8")), max_size=60)

values = st.one_of(
    st.text(max_size=40),
    hostile_text,
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=300),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        [
            "",
            "\x00",
            "../../etc/passwd",
            '"unbalanced (',
            "title:(",
            "*",
            "~",
            "AND OR NOT",
            "2024-02-30",
            "9999-99-99",
            "relevance",
            "newest",
            "<script>alert(1)</script>",
            "x" * 20_000,
            "%00",
            "company:",
            "Panasonic",
            "bank\x01",
            "bank\x1b",
            "bank\ufffe",
            "\uffff",
            "9999-12-31",
            "0001-01-01",
            "10000-01-01",
        ]
    ),
)
params = st.lists(st.tuples(st.one_of(st.sampled_from(KNOWN), st.text(max_size=10)), values), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), query=params)
def test_no_query_string_makes_a_server_error(client, route, query):
    response = client.get(route, query_string=query)
    assert response.status_code < 500, (route, query, response.get_data(as_text=True)[:300])
    if response.status_code == 400 and route.startswith("/api/"):
        assert set(response.get_json()) == {"status", "message"}


searches = st.lists(
    st.tuples(st.sampled_from(["q", "q", "company", "not_source", "month", "from", "to", "range"]), values),
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(["/", "/api/search", "/feed.atom"]), query=searches)
def test_a_search_answers_200_or_400_and_the_feed_is_always_xml(client, route, query):
    response = client.get(route, query_string=query)
    assert response.status_code in (200, 400), (route, query, response.get_data(as_text=True)[:300])
    if response.mimetype == "application/atom+xml":
        ElementTree.fromstring(response.data)  # well-formed whatever the query held
    if response.mimetype == "text/html":
        assert undisplayable(response.get_data(as_text=True)) == [], (route, query)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(article_id=st.text(max_size=60))
def test_no_article_id_makes_a_server_error(client, article_id):
    response = client.get("/article/" + article_id.replace("?", "%3F").replace("#", "%23"))
    assert response.status_code < 500


@pytest.mark.parametrize(
    "query, status",
    [
        ("page=99999999999999999999", 200),  # clamped to the last page
        ("page=-3", 400),
        ("per_page=100000", 200),  # clamped to 100
        ("q=" + "a" * 20_000, 400),
        ("q=%00", 400),
        ("sort=random", 400),
        ("from=2024-13-45", 400),
        ('q="unbalanced (title:', 200),
    ],
)
def test_hostile_parameters(client, query, status):
    assert client.get(f"/api/search?{query}").status_code == status
    assert client.get(f"/?{query}").status_code == status


def test_security_headers_on_every_response(client):
    for path in ("/", "/api/search", "/feed.atom", "/article/nope", "/static/style.css"):
        with client.get(path) as response:
            headers = response.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "Server" not in headers


class _Markup(HTMLParser):
    """Collects what the browser would run: tags and attribute names."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.attributes |= {name for name, _ in attrs}


@pytest.mark.parametrize(
    "path", ["/", "/?q=batteries&company=Panasonic", "/?q=rival", "/article/hostile", "/article/000_5c8df0a10b736b81"]
)
def test_pages_run_nothing_from_articles_and_nothing_inline(client, path):
    markup = _Markup()
    markup.feed(client.get(path).get_data(as_text=True))
    scripts = [attrs.get("src") for tag, attrs in markup.tags if tag == "script"]
    assert scripts == ["/static/typeahead.js"]  # our own file, no inline script
    assert not any(name.startswith("on") for name in markup.attributes)  # no event handlers
    assert "style" not in markup.attributes and "style" not in [tag for tag, _ in markup.tags]
    assert not [tag for tag, _ in markup.tags if tag in ("img", "iframe", "object", "embed")]
    links = [attrs.get("href", "") for tag, attrs in markup.tags if tag == "a"]
    assert not [href for href in links if href.lower().lstrip().startswith(("javascript:", "data:", "vbscript:"))]


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("path", ["/", "/api/search", "/feed.atom", "/api/facets/company"])
def test_nothing_writes(client, method, path):
    assert getattr(client, method)(path).status_code == 405


def test_serving_under_load_while_a_reindex_adds_articles():
    """A short run of scripts/load-test: no errors, new articles visible without a restart."""
    from benchmarks.loadtest import run

    figures = run([str(SEEDS)], clients=4, seconds=3, new_articles=5)
    assert figures["errors"] == []
    assert figures["reindex_ok"] and (figures["new_before"], figures["new_after"]) == (0, 5)
    assert figures["requests"] > 10
