"""Company and technology pages: the profile the search service works out, its JSON and its page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import quote

import pytest

from indexer.article import Article
from indexer.index.store import IndexStore
from indexer.search.profiles import MIN_SHARED, ProfileRequest
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService
from webapp import create_app

from .test_web import schema_errors

UBIQUITOUS = "Wire Corp"


def _day(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


# (date, companies, technologies): Wire Corp is in every article; Kidder, Peabody only ever with Acme.
CORPUS = [
    ("2023-01-05", ("Acme", "Kidder, Peabody"), ("Lithium-ion batteries",)),
    ("2023-01-20", ("Acme", "Kidder, Peabody"), ("Lithium-ion batteries",)),
    ("2023-03-02", ("Acme", "Kidder, Peabody"), ()),
    ("2023-03-15", ("Acme", "AT&T"), ()),
    ("2023-08-01", ("Acme", "AT&T", "Moody's"), ()),
    (None, ("Acme", "Moody's"), ()),
    ("2023-08-03", ("Moody's",), ()),
    ("2023-09-10", (), ("Lithium-ion batteries",)),
    ("2023-10-01", ("Bang & Olufsen A/S",), ()),
    ("2023-10-02", ("Solo Ltd", "Bang & Olufsen A/S"), ()),
]


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory) -> IndexStore:
    store = IndexStore(tmp_path_factory.mktemp("profiles") / "index")
    store.rebuild(
        Article(
            id=f"a{number}",
            title=f"Story {number}",
            body="Body.",
            date=_day(day),
            companies=(UBIQUITOUS, *companies),
            technologies=technologies,
        )
        for number, (day, companies, technologies) in enumerate(CORPUS)
    )
    return store


@pytest.fixture(scope="module")
def service(corpus_index):
    service = SearchService(corpus_index)
    yield service
    service.close()


@pytest.fixture
def corpus_client(corpus_index):
    return create_app({"TESTING": True, "INDEX": str(corpus_index.root)}).test_client()


def test_a_ubiquitous_company_ranks_below_a_rarer_one_that_always_appears_with_it(service):
    profile = service.profile(ProfileRequest("company", "Acme"))
    assert profile.total == 6
    ranked = [(a.name, a.shared, a.expected, a.lift) for a in profile.companies]
    # Kidder and AT&T are only ever named with Acme (lift 10/6); the tie goes to the one sharing more.
    assert ranked == [
        ("Kidder, Peabody", 3, 1.8, 1.667),
        ("AT&T", 2, 1.2, 1.667),
        ("Moody's", 2, 1.8, 1.111),
        (UBIQUITOUS, 6, 6.0, 1.0),
    ]


def test_a_pair_must_share_the_minimum_to_be_listed(service):
    assert MIN_SHARED == 2
    solo = service.profile(ProfileRequest("company", "Solo Ltd"))
    assert (solo.total, solo.companies) == (1, ())
    ubiquitous = service.profile(ProfileRequest("company", UBIQUITOUS))
    assert "Solo Ltd" not in [a.name for a in ubiquitous.companies]
    assert all(a.lift == 1.0 for a in ubiquitous.companies)


def test_a_technology_lists_no_relative_of_its_own(service):
    profile = service.profile(ProfileRequest("technology", "Lithium-ion batteries"))
    assert profile.total == 3
    assert [a.name for a in profile.technologies] == []  # Batteries is its parent, indexed with it
    assert [(a.name, a.shared) for a in profile.companies] == [("Kidder, Peabody", 2), ("Acme", 2), (UBIQUITOUS, 3)]
    assert profile.knowledge.parent == "Batteries"


@pytest.mark.parametrize(
    "name, granularity, periods, undated",
    [
        (
            "Acme",
            "month",
            [("2023-01", 2), ("2023-02", 0), ("2023-03", 2)]
            + [(f"2023-0{m}", 0) for m in range(4, 8)]
            + [("2023-08", 1)],
            1,
        ),
        (
            "Kidder, Peabody",
            "week",
            [
                ("week of 2023-01-02", 1),
                ("week of 2023-01-09", 0),
                ("week of 2023-01-16", 1),
                ("week of 2023-01-23", 0),
                ("week of 2023-01-30", 0),
                ("week of 2023-02-06", 0),
                ("week of 2023-02-13", 0),
                ("week of 2023-02-20", 0),
                ("week of 2023-02-27", 1),
            ],
            0,
        ),
        ("Moody's", "day", [("2023-08-01", 1), ("2023-08-02", 0), ("2023-08-03", 1)], 1),
        ("Solo Ltd", "day", [("2023-10-02", 1)], 0),
    ],
)
def test_articles_per_period(service, name, granularity, periods, undated):
    profile = service.profile(ProfileRequest("company", name))
    assert profile.granularity == granularity
    assert [(p.label, p.count) for p in profile.periods] == periods
    assert profile.undated == undated
    assert sum(p.count for p in profile.periods) + profile.undated == profile.total


def test_the_latest_articles_are_newest_first_undated_last(service):
    profile = service.profile(ProfileRequest("company", "Acme", latest=3))
    assert [a.id for a in profile.latest] == ["a4", "a3", "a2"]
    assert [a.id for a in service.profile(ProfileRequest("company", "Moody's")).latest] == ["a6", "a4", "a5"]


def test_the_json_answer_is_what_the_openapi_document_describes(corpus_client):
    answer = corpus_client.get("/api/companies/Acme").get_json()
    assert answer["kind"] == "company" and answer["name"] == "Acme" and answer["total"] == 6
    assert answer["granularity"] == "month" and answer["min_shared"] == MIN_SHARED
    assert answer["periods"][0] == {"start": "2023-01-01", "end": "2023-01-31", "label": "2023-01", "count": 2}
    assert answer["companies"][0] == {
        "name": "Kidder, Peabody",
        "shared": 3,
        "expected": 1.8,
        "lift": 1.667,
        "articles": 3,
    }
    assert answer["knowledge"] is None
    document = corpus_client.get("/api/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert schema_errors(answer, schemas["Profile"], schemas) == []
    technology = corpus_client.get("/api/technologies/Lithium-ion%20batteries").get_json()
    assert schema_errors(technology, schemas["Profile"], schemas) == []
    assert technology["knowledge"]["parent"] == "Batteries"
    assert {"/api/companies/{name}", "/api/technologies/{name}"} <= set(document["paths"])


def test_a_name_the_knowledge_base_knows_has_a_page_without_articles(corpus_client):
    answer = corpus_client.get("/api/companies/Panasonic").get_json()
    assert (answer["total"], answer["periods"], answer["latest"]) == (0, [], [])
    assert "Matsushita" in answer["knowledge"]["aliases"]
    assert "Panasonic Energy" in answer["knowledge"]["units"]
    unit = corpus_client.get("/api/companies/Panasonic%20Energy").get_json()
    assert unit["knowledge"]["parent"] == "Panasonic"


@pytest.mark.parametrize(
    "path, status",
    [
        ("/company/Nobody%20Inc", 404),
        ("/technology/Telepathy", 404),
        ("/api/companies/Nobody%20Inc", 404),
        ("/api/technologies/Telepathy", 404),
        ("/api/companies/" + "x" * 201, 400),
        ("/api/companies/x%00y", 400),
    ],
)
def test_an_unknown_name_is_not_found(corpus_client, path, status):
    response = corpus_client.get(path)
    assert response.status_code == status
    if path.startswith("/api/"):
        assert response.get_json()["status"] == status
    else:
        assert "<h1>Not found</h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["Kidder, Peabody", "AT&T", "Moody's", "Bang & Olufsen A/S"])
def test_names_with_commas_ampersands_apostrophes_and_slashes(corpus_client, name):
    answer = corpus_client.get("/api/companies/" + quote(name, safe="")).get_json()
    assert answer["name"] == name and answer["total"] >= 1
    # The search page links each company facet value and chip to its page, and the link leads there.
    html = corpus_client.get("/?per_page=20&more=company").get_data(as_text=True)
    hrefs = {unescape(href) for href in re.findall(r'<a class="profile" href="([^"]+)"', html)}
    assert hrefs and all(href.startswith(("/company/", "/technology/")) for href in hrefs)
    assert name in {_heading(corpus_client, href) for href in hrefs}


def _heading(client, href: str) -> str:
    page = client.get(href)
    assert page.status_code == 200, href
    return unescape(re.search(r"<h1>(.*?)</h1>", page.get_data(as_text=True), re.S).group(1).strip())


def test_the_page_has_a_chart_and_a_table_of_the_same_counts(corpus_client):
    response = corpus_client.get("/company/Acme")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'viewBox="' in svg and 'width="100%"' in svg
    bars = re.findall(r"<rect class=\"bar\"[^>]*>\s*<title>([^<]*)</title>", svg)
    assert bars[0] == "2023-01: 2 articles" and len(bars) == 8
    rows = re.findall(r"<tr><th scope=\"row\">([^<]*)</th><td>(\d+)</td></tr>", html)
    assert rows[:3] == [("2023-01", "2"), ("2023-02", "0"), ("2023-03", "2")]
    assert ("Undated", "1") in rows
    assert "<script>" not in html and "style=" not in html
    # Appears with: each company its page; each value the search for the articles both are in.
    assert 'href="/company/Kidder,%20Peabody"' in html
    assert 'href="/?company=Acme&amp;technology=Lithium-ion+batteries"' in html
    assert 'href="/?company=Acme&amp;company=Kidder%2C+Peabody&amp;company_mode=all"' in html


def test_two_companies_shared_articles_are_the_all_of_search(corpus_client):
    html = corpus_client.get("/company/Acme").get_data(as_text=True)
    link = re.search(r'href="(/\?company=Acme&amp;company=Kidder[^"]*company_mode=all)"', html).group(1)
    shared = re.search(r'<a href="' + re.escape(link) + r'">(\d+) shared</a>', html).group(1)
    api = corpus_client.get("/api/search" + unescape(link)[1:].replace("?", "?", 1)).get_json()
    assert api["total"] == int(shared)


def test_the_technology_page_links_the_articles_each_company_shares_with_it(corpus_client):
    html = corpus_client.get("/technology/Lithium-ion%20batteries").get_data(as_text=True)
    assert "<svg" in html and "Batteries" in html
    assert 'href="/?technology=Lithium-ion+batteries&amp;company=Acme"' in html


def test_the_companies_that_go_with_a_search_rank_by_lift(service):
    found = service.search(SearchRequest(filters={"company": ("Acme",)}, appears_with=True))
    assert found.total == 6
    # The chosen company is the question, not an answer; the one in every article has a lift of 1.
    assert [(a.name, a.shared, a.lift) for a in found.appears_with] == [
        ("Kidder, Peabody", 3, 1.667),
        ("AT&T", 2, 1.667),
        ("Moody's", 2, 1.111),
        (UBIQUITOUS, 6, 1.0),
    ]
    assert service.search(SearchRequest(filters={"company": ("Acme",)})).appears_with == ()
    # A search that keeps every article has nothing to go with.
    assert service.search(SearchRequest(appears_with=True)).appears_with == ()


def test_the_search_page_lists_them_with_the_results_each_is_in(corpus_client):
    html = corpus_client.get("/?company=Acme").get_data(as_text=True)
    section = re.search(r'<section class="appears-with">.*?</section>', html, re.S).group(0)
    names = re.findall(r'<a class="chip company" href="/company/[^"]*">([^<]*)</a>', section)
    assert [unescape(name) for name in names] == ["Kidder, Peabody", "AT&T", "Moody's", UBIQUITOUS]
    for link, shared in re.findall(r'<a href="(/\?[^"]*)">(\d+) shared</a>', section):
        api = corpus_client.get("/api/search" + unescape(link)[1:]).get_json()
        assert api["total"] == int(shared), link
