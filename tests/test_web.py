import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from indexer.errors import (
    IndexDamagedError,
    IndexOutdatedError,
    InvalidRequestError,
    NewsfacetError,
    NotFoundError,
)
from webapp import create_app

from .markup import undisplayable
from .paths import SEED_MAZDA, SEED_TOYOTA


class Links(HTMLParser):
    """Collects the facet links of a page: (facet name, value, count, selected, href)."""

    def __init__(self):
        super().__init__()
        self.facet = None
        self.values = []
        self._open = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "data-facet" in attrs:
            self.facet = attrs["data-facet"]
        if tag == "a" and "facet-value" in attrs.get("class", ""):
            self._open = (self.facet, attrs["data-value"], "selected" in attrs["class"], attrs["href"])
            self._text = []

    def handle_data(self, data):
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            facet, value, selected, href = self._open
            count = int("".join(self._text).split()[-1])
            self.values.append((facet, value, count, selected, href))
            self._open = None


def facet_links(html: str):
    parser = Links()
    parser.feed(html)
    return parser.values


def total(html: str) -> int:
    return int(re.search(r'data-total="(\d+)"', html).group(1))


def test_search_page_lists_everything_with_facets(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert total(html) == 8
    companies = {value: count for facet, value, count, _, _ in facet_links(html) if facet == "company"}
    assert companies["Panasonic"] == 3
    assert companies["Toyota"] == 2


def test_clicking_a_facet_filters_and_counts_update(client):
    html = client.get("/").get_data(as_text=True)
    href = next(h for f, v, _, _, h in facet_links(html) if (f, v) == ("company", "Mazda"))
    assert href == "/?company=Mazda"
    filtered = client.get(href).get_data(as_text=True)
    assert total(filtered) == 1
    links = facet_links(filtered)
    mazda = next(link for link in links if link[:2] == ("company", "Mazda"))
    assert mazda[2:4] == (1, True)
    assert mazda[4] == "/"  # clicking a selected value removes it
    # the active filter shows as a removable chip
    assert 'aria-label="Remove filter Companies: Mazda"' in filtered
    # a second company widens the results: either one
    toyota = next(link for link in links if link[:2] == ("company", "Toyota"))
    assert toyota[4] == "/?company=Mazda&company=Toyota"
    assert total(client.get(toyota[4]).get_data(as_text=True)) == 3


def test_keyword_search_page(client):
    html = client.get("/?q=batteries").get_data(as_text=True)
    assert "<mark>batteries</mark>" in html
    assert f'href="/article/{SEED_TOYOTA}?q=batteries"' in html
    assert 'value="batteries"' in html


def test_bad_query_never_errors(client):
    response = client.get('/?q="unclosed AND (')
    assert response.status_code == 200


def test_article_page(client):
    response = client.get(f"/article/{SEED_MAZDA}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Mazda Motor and Panasonic Holdings" in html
    assert 'href="/?company=Panasonic"' in html
    assert 'href="/?technology=Electrification"' in html
    assert "MENAFN" in html and "31 March 2024" in html


@pytest.mark.parametrize("path", ["/article/nope", "/article/../../etc/passwd", "/no/such/page"])
def test_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_hostile_article_is_shown_as_text(client):
    html = client.get("/?q=rival").get_data(as_text=True)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    article = client.get("/article/hostile").get_data(as_text=True)
    assert "<script>" not in article
    assert "javascript:" not in article  # a javascript: URL is never a link
    assert "&lt;b&gt;Bold&lt;/b&gt;" in article


def test_query_is_escaped(client):
    html = client.get("/?q=<script>x</script>").get_data(as_text=True)
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_api_search_shape(client):
    response = client.get("/api/search?q=batteries&company=Panasonic&company=Mazda")
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) >= {"total", "page", "hits", "facets"}
    assert (data["total"], data["page"]) == (3, 1)
    assert set(data["hits"][0]) == {"id", "title", "date", "source", "companies", "technologies", "snippet", "events"}
    mazda_hit = next(h for h in data["hits"] if h["id"] == SEED_MAZDA)
    assert mazda_hit["date"] == "2024-03-31T00:00:00+00:00"
    assert mazda_hit["source"] == "MENAFN"
    assert "<mark>batteries</mark>" in mazda_hit["snippet"]
    companies = {v["value"]: v for v in data["facets"]["company"]}
    assert companies["Mazda"] == {"value": "Mazda", "count": 1, "selected": True, "excluded": False}
    assert companies["Toyota"]["selected"] is False
    assert set(data["facets"]) == {"company", "technology", "event", "source", "month"}


@pytest.mark.parametrize(
    "query, message",
    [
        ("page=abc", "page must be a whole number, not 'abc'"),
        ("page=0", "page must be 1 or more"),
        ("per_page=-5", "per_page must be 1 or more"),
    ],
)
def test_api_bad_parameters(client, query, message):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert response.get_json() == {"status": 400, "message": message}


def test_page_bad_parameter(client):
    response = client.get("/?page=abc")
    assert response.status_code == 400
    assert "page must be a whole number" in response.get_data(as_text=True)


def test_without_an_index(tmp_path):
    client = create_app({"TESTING": True, "INDEX": str(tmp_path / "none")}).test_client()
    page = client.get("/")
    assert page.status_code == 503 and "newsfacet index" in page.get_data(as_text=True)
    api = client.get("/api/search")
    assert api.status_code == 503 and api.get_json()["status"] == 503


def test_index_from_environment(monkeypatch, seed_index):
    monkeypatch.setenv("NEWSFACET_INDEX", str(seed_index.root))
    app = create_app()
    assert app.config["INDEX"] == str(seed_index.root)
    assert app.test_client().get("/api/search").get_json()["total"] == 2


def test_exclude_link_and_chip(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/?not_company=Toyota"' in html
    excluded = client.get("/?not_company=Toyota").get_data(as_text=True)
    assert total(excluded) == 6
    assert 'aria-label="Stop excluding Toyota"' in excluded
    assert 'aria-label="Remove filter Companies: not Toyota"' in excluded


def test_show_more_lists_the_whole_facet(tmp_path):
    from indexer.article import Article
    from indexer.index.store import IndexStore

    store = IndexStore(tmp_path / "index")
    store.rebuild(
        [Article(id=f"a{n}", title=f"Story {n}", body="Body.", companies=(f"Company {n:02}",)) for n in range(15)]
    )
    client = create_app({"TESTING": True, "INDEX": str(store.root)}).test_client()
    short = client.get("/api/search").get_json()
    assert (len(short["facets"]["company"]), short["facets_truncated"]["company"]) == (10, True)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/?more=company">Show more</a>' in page
    full = client.get("/api/search?more=company").get_json()
    assert len(full["facets"]["company"]) == 15
    assert "Show fewer" in client.get("/?more=company").get_data(as_text=True)


def test_sort_dates_and_pages_on_the_page(client):
    html = client.get("/?per_page=3").get_data(as_text=True)
    assert 'href="/?per_page=3&amp;sort=oldest">Oldest</a>' in html
    assert 'aria-label="Page 3"' in html and '<span aria-current="page">1</span>' in html
    # The samples' newest article is from 2024-05-14: the quick ranges count back from it, not from today.
    week = 'href="/?per_page=3&amp;from=2024-05-07&amp;to=2024-05-14">Week before the newest article (2024-05-14)</a>'
    assert week in html
    oldest = client.get("/api/search?sort=oldest").get_json()["hits"]
    assert oldest[0]["date"].startswith("1987-02-26")  # the Reuters-style brief
    ranged = client.get("/api/search?from=2024-03-01&to=2024-03-31").get_json()
    assert [h["id"] for h in ranged["hits"]] == ["001_98c97775915c248f"]
    assert (ranged["from"], ranged["to"]) == ("2024-03-01", "2024-03-31")


@pytest.mark.parametrize(
    "query, message",
    [
        ("sort=random", "sort must be one of relevance, newest, oldest, not 'random'"),
        ("from=yesterday", "from must be a date like 2024-03-31, not 'yesterday'"),
        ("from=2024-02-01&to=2024-01-01", "from must not be after to"),
        ("range=decade", "range must be one of week, month, year, not 'decade'"),
    ],
)
def test_api_bad_sort_and_dates(client, query, message):
    response = client.get(f"/api/search?{query}")
    assert (response.status_code, response.get_json()) == (400, {"status": 400, "message": message})


def test_did_you_mean(client):
    data = client.get("/api/search?q=panasonik").get_json()
    assert (data["total"], data["suggestion"]) == (0, "panasonic")
    html = client.get("/?q=panasonik").get_data(as_text=True)
    assert 'Did you mean <a href="/?q=panasonic" rel="nofollow">panasonic</a>?' in html
    assert client.get("/api/search?q=panasonic").get_json()["suggestion"] is None
    # Corrections keep the first letter: the whole word list is not walked for every typo.
    assert client.get("/api/search?q=banasonic").get_json()["suggestion"] is None


def test_article_page_highlights_and_lists_related_articles(client):
    html = client.get(f"/article/{SEED_TOYOTA}?q=batteries").get_data(as_text=True)
    assert "EV <mark>batteries</mark>." in html
    assert '<h2 id="related-heading">Related articles</h2>' in html
    assert f'href="/article/{SEED_MAZDA}?q=batteries"' in html  # a related article keeps the way back


def test_facet_type_ahead(client):
    assert client.get("/api/facets/company?prefix=pana").get_json() == {
        "facet": "company",
        "prefix": "pana",
        "values": [{"value": "Panasonic", "count": 3}],
    }
    assert client.get("/api/facets/technology?prefix=Elec&limit=1").get_json()["values"] == [
        {"value": "Electric vehicles", "count": 5}
    ]
    missing = client.get("/api/facets/colour?prefix=x")
    assert missing.status_code == 404 and "no facet named 'colour'" in missing.get_json()["message"]


def test_every_search_is_an_atom_feed(client):
    from xml.etree import ElementTree

    page = client.get("/?company=Panasonic").get_data(as_text=True)
    assert 'href="/feed.atom?company=Panasonic"' in page
    response = client.get("/feed.atom?company=Panasonic")
    assert response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ElementTree.fromstring(response.data)
    assert feed.find("a:title", ns).text == "Newsfacet: company: Panasonic"
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:updated", ns).text for e in entries][:2] == ["2024-03-31T00:00:00Z", "1970-01-01T00:00:00Z"]
    assert entries[0].find("a:link", ns).get("href") == f"http://localhost/article/{SEED_MAZDA}"
    assert "Panasonic" in [c.get("term") for c in entries[0].findall("a:category", ns)]


def test_feed_escapes_hostile_text(client):
    from xml.etree import ElementTree

    response = client.get("/feed.atom?q=rival")
    feed = ElementTree.fromstring(response.data)  # well-formed whatever the article held
    title = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title").text
    assert title.startswith('<script>alert("pwned")</script>')  # text, not markup
    assert b"<script>" not in response.data


def test_openapi_describes_every_search_parameter(client):
    from webapp.params import QUICK_RANGES

    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/search",
        "/api/facets/{name}",
        "/api/article/{id}",
        "/api/companies/{name}",
        "/api/technologies/{name}",
        "/api/openapi.json",
    }
    documented = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert documented == {
        "q",
        "page",
        "per_page",
        "sort",
        "from",
        "to",
        "range",
        "more",
        "company",
        "not_company",
        "company_mode",
        "technology",
        "not_technology",
        "technology_mode",
        "event",
        "not_event",
        "event_mode",
        "role",
        "source",
        "not_source",
        "month",
        "not_month",
    }
    assert set(QUICK_RANGES) == set(
        next(p for p in document["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "range")["schema"]["enum"]
    )
    result = client.get("/api/search").get_json()
    schema = document["components"]["schemas"]["SearchResult"]
    assert set(schema["required"]) <= set(result) and set(result) <= set(schema["properties"])


JSON_TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def schema_errors(value, schema: dict, schemas: dict, where: str = "$") -> list[str]:
    """Where ``value`` breaks the JSON Schema subset the OpenAPI document uses (type, required,
    properties, additionalProperties, items, enum, $ref)."""
    if "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    types = schema.get("type")
    types = [types] if isinstance(types, str) else types or []
    if types and not any(
        isinstance(value, JSON_TYPES[t]) and not (t in ("integer", "number") and isinstance(value, bool)) for t in types
    ):
        return [f"{where}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    errors = []
    if isinstance(value, dict):
        errors += [f"{where}: lacks {name}" for name in schema.get("required", ()) if name not in value]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(item, properties[name], schemas, f"{where}.{name}")
            elif isinstance(extra, dict):
                errors += schema_errors(item, extra, schemas, f"{where}.{name}")
            elif properties:
                errors.append(f"{where}: {name} is not described")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += schema_errors(item, schema["items"], schemas, f"{where}[{index}]")
    return errors


@pytest.mark.parametrize(
    "path, schema",
    [
        ("/api/search?q=batteries&company=Toyota&not_company=Honda&from=2020-01-01", "SearchResult"),
        ("/api/search?q=panasonik", "SearchResult"),
        ("/api/search", "SearchResult"),
        ("/api/facets/company?prefix=pa", "TypeAhead"),
        ("/api/search?event=Supply+deal&company=Panasonic&role=supplier", "SearchResult"),
        (f"/api/article/{SEED_MAZDA}", "Article"),
        ("/api/search?sort=random", "Error"),
        ("/api/search?role=owner", "Error"),
        ("/api/facets/colour", "Error"),
        ("/api/article/nope", "Error"),
    ],
)
def test_every_answer_is_what_the_openapi_document_describes(client, path, schema):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    answer = client.get(path).get_json()
    assert answer and schema_errors(answer, schemas[schema], schemas) == []


def test_the_schema_check_finds_what_does_not_conform(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    answer = client.get("/api/search?q=batteries").get_json()
    answer["hits"][0]["date"] = 7
    del answer["total"]
    answer["surprise"] = True
    assert sorted(schema_errors(answer, schemas["SearchResult"], schemas)) == [
        "$.hits[0].date: 7 is not ['string', 'null']",
        "$: lacks total",
        "$: surprise is not described",
    ]


def app_that_raises(index_root, error: Exception):
    """The real app with two routes of this test's own that raise ``error``: one under /api/, one a page."""
    app = create_app({"TESTING": True, "INDEX": str(index_root)})

    def fail():
        raise error

    app.add_url_rule("/api/test-failure", "api_test_failure", fail)
    app.add_url_rule("/test-failure", "test_failure", fail)
    return app


@pytest.mark.parametrize(
    "error, status, title",
    [
        (InvalidRequestError("from must not be after to"), 400, "Bad request"),
        (NotFoundError("no facet named 'x'"), 404, "Not found"),
        (IndexOutdatedError("rebuild it with `newsfacet index --full PATH ...`"), 503, "not available"),
        (IndexDamagedError("learned-names.json is damaged"), 503, "not available"),
        (RuntimeError("a detail for the log only"), 500, "Server error"),
    ],
)
def test_one_handler_answers_every_error_as_json_under_api_and_as_a_page_elsewhere(
    sample_index, caplog, error, status, title
):
    client = app_that_raises(sample_index.root, error).test_client()
    message = str(error) if isinstance(error, NewsfacetError) else "the server could not answer this request"
    api = client.get("/api/test-failure")
    assert (api.status_code, api.mimetype, api.get_json()) == (
        status,
        "application/json",
        {"status": status, "message": message},
    )
    page = client.get("/test-failure")
    text = page.get_data(as_text=True)
    assert page.status_code == status and page.mimetype == "text/html"
    assert title in text and escape(message) in text and "a detail for the log only" not in text
    assert ("a detail for the log only" in caplog.text) == (status == 500)  # the detail goes to the log


@pytest.mark.parametrize(
    "method, path, status, message",
    [
        ("post", "/api/search", 405, "method not allowed"),
        ("delete", "/api/facets/company", 405, "method not allowed"),
        ("get", "/api/no/such/thing", 404, "There is no page or article at this address."),
        ("get", "/api/search?page=x", 400, "page must be a whole number, not 'x'"),
        ("get", "/api/test-failure", 500, "the server could not answer this request"),
    ],
)
def test_every_error_under_api_is_json(sample_index, method, path, status, message):
    client = app_that_raises(sample_index.root, RuntimeError("boom")).test_client()
    response = getattr(client, method)(path)
    assert (response.status_code, response.mimetype, response.get_json()) == (
        status,
        "application/json",
        {"status": status, "message": message},
    )
    if status == 405:
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize(
    "method, path, status, title, message",
    [
        ("post", "/", 405, "Method not allowed", "method not allowed"),
        ("put", "/feed.atom", 405, "Method not allowed", "method not allowed"),
        ("get", "/no/such/page", 404, "Not found", "There is no page or article at this address."),
        ("get", "/?page=x", 400, "Bad request", "page must be a whole number, not &#39;x&#39;"),
        (
            "get",
            "/feed.atom?to=someday",
            400,
            "Bad request",
            "to must be a date like 2024-03-31, not &#39;someday&#39;",
        ),
        ("get", "/test-failure", 500, "Server error", "the server could not answer this request"),
    ],
)
def test_every_error_elsewhere_is_the_error_page(sample_index, method, path, status, title, message):
    client = app_that_raises(sample_index.root, RuntimeError("boom")).test_client()
    response = getattr(client, method)(path)
    html = response.get_data(as_text=True)
    assert (response.status_code, response.mimetype) == (status, "text/html")
    assert f'<section class="error">\n  <h1>{title}</h1>\n  <p>{message}</p>' in html


# Dates at the ends of the calendar, and dates it cannot hold.


def dated_ids(client) -> list[str]:
    everything = client.get("/api/search?sort=newest&per_page=100").get_json()
    return [hit["id"] for hit in everything["hits"] if hit["date"]]


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=9999-12-31"])
def test_the_first_and_last_days_of_the_calendar_bound_a_range(client, query):
    from xml.etree import ElementTree

    ranged = client.get(f"/api/search?sort=newest&per_page=100&{query}").get_json()
    assert [hit["id"] for hit in ranged["hits"]] == dated_ids(client)  # every dated article, no undated one
    assert client.get(f"/?{query}").status_code == 200
    feed = client.get(f"/feed.atom?{query}")
    entries = ElementTree.fromstring(feed.data).findall("{http://www.w3.org/2005/Atom}entry")
    assert (feed.status_code, len(entries)) == (200, len(dated_ids(client)))


def test_the_last_day_of_the_calendar_alone_finds_nothing(client):
    answer = client.get("/api/search?from=9999-12-31&to=9999-12-31").get_json()
    assert (answer["total"], answer["from"], answer["to"]) == (0, "9999-12-31", "9999-12-31")


@pytest.mark.parametrize(
    "query, message",
    [
        ("to=10000-01-01", "to must be a calendar date between 0001-01-01 and 9999-12-31, not '10000-01-01'"),
        ("from=99999-12-31", "from must be a calendar date between 0001-01-01 and 9999-12-31, not '99999-12-31'"),
        ("from=0000-12-31", "from must be a calendar date between 0001-01-01 and 9999-12-31, not '0000-12-31'"),
        ("to=2024-02-30", "to must be a calendar date between 0001-01-01 and 9999-12-31, not '2024-02-30'"),
        ("to=soon", "to must be a date like 2024-03-31, not 'soon'"),
    ],
)
def test_a_date_the_calendar_cannot_hold_is_a_bad_request(client, query, message):
    api = client.get(f"/api/search?{query}")
    assert (api.status_code, api.get_json()) == (400, {"status": 400, "message": message})
    for path in ("/", "/feed.atom"):
        page = client.get(f"{path}?{query}")
        assert (page.status_code, page.mimetype) == (400, "text/html")
        assert f"<p>{escape(message)}</p>" in page.get_data(as_text=True)


# Bounded requests, and links built from the request as understood.

FACET_PARAMETERS = [
    f"{prefix}{name}" for name in ("company", "technology", "event", "source", "month") for prefix in ("", "not_")
]


@pytest.mark.parametrize("name", FACET_PARAMETERS)
def test_a_facet_parameter_takes_at_most_50_values(client, name):
    fifty = MultiDict([(name, f"Value {number}") for number in range(50)])
    for path in ("/", "/api/search", "/feed.atom"):
        assert client.get(path, query_string=fifty).status_code == 200
    over = MultiDict([*fifty.items(multi=True), (name, "One more")])
    message = f"{name} has 51 values; the limit is 50"
    api = client.get("/api/search", query_string=over)
    assert (api.status_code, api.get_json()) == (400, {"status": 400, "message": message})
    for path in ("/", "/feed.atom"):
        page = client.get(path, query_string=over)
        assert (page.status_code, page.mimetype) == (400, "text/html")
        assert f"<p>{message}</p>" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "values, message",
    [
        (
            [("company", f"C{n}") for n in range(50)]
            + [("technology", f"T{n}") for n in range(50)]
            + [("source", "S")],
            "the request selects or excludes 101 facet values; the limit is 100 in all",
        ),
        (
            [("company", "x" * 1000), ("not_source", "y" * 1001)],
            "the facet values selected or excluded come to 2001 characters; the limit is 2000",
        ),
    ],
)
def test_all_facet_parameters_together_are_bounded(client, values, message):
    api = client.get("/api/search", query_string=MultiDict(values))
    assert (api.status_code, api.get_json()) == (400, {"status": 400, "message": message})
    assert client.get("/", query_string=MultiDict(values)).status_code == 400
    assert client.get("/api/search", query_string=MultiDict(values[:-1])).status_code == 200


def without_timing(response) -> str:
    return re.sub(r"[\d.]+ ms", "… ms", response.get_data(as_text=True))


def test_links_carry_the_request_as_understood_not_as_sent(client):
    messy = (
        "/?company=Mazda&" * 1000
        + "company=+Mazda+&company=&junk="
        + "x" * 5000
        + "&per_page=3&more=company&more=company&more=nope&page=1"
    )
    clean = "/?company=Mazda&per_page=3&more=company"
    page = without_timing(client.get(messy))
    assert page == without_timing(client.get(clean))
    assert 'href="/?company=Mazda&amp;per_page=3&amp;more=company&amp;sort=oldest">Oldest</a>' in page


def test_fifty_values_make_a_page_of_modest_size(client):
    fifty = MultiDict([("company", f"Company number {n}") for n in range(50)])
    assert len(client.get("/", query_string=fifty).data) < 1_000_000


def test_openapi_documents_the_limits(client):
    parameters = client.get("/api/openapi.json").get_json()["paths"]["/api/search"]["get"]["parameters"]
    limits = {p["name"]: p["schema"].get("maxItems") for p in parameters if p["name"] in FACET_PARAMETERS}
    assert limits == dict.fromkeys(FACET_PARAMETERS, 50)
    assert all(
        "at most 100 values and 2,000 characters" in p["description"]
        for p in parameters
        if p["name"] in FACET_PARAMETERS
    )


# Text XML cannot carry, and text escaped once.

ODD_TITLE = "Bank\x01 of \x1bJapan\ufffe buys\uffff chips\x85 & more"
ODD_BODY = "Bank\x01 of Japan said\x1b it would buy chips from Procter & Gamble <b>now</b>.\x7f End."


@pytest.fixture(scope="module")
def odd_client(tmp_path_factory):
    """An index whose one article holds characters XML 1.0 forbids, written as they are (not through ingest)."""
    from datetime import UTC, datetime

    from indexer.article import Article
    from indexer.index.store import IndexStore

    store = IndexStore(tmp_path_factory.mktemp("odd") / "index")
    store.rebuild(
        [
            Article(
                id="odd",
                title=ODD_TITLE,
                body=ODD_BODY,
                date=datetime(2024, 3, 1, tzinfo=UTC),
                source="Wire\x02 Service",
                companies=("Procter & Gamble",),
            )
        ]
    )
    return create_app({"TESTING": True, "INDEX": str(store.root)}).test_client()


@pytest.mark.parametrize("query", ["bank", "bank%01", "bank%1b", "bank%EF%BF%BE", "bank%EF%BF%BF", "bank%C2%85"])
def test_the_feed_is_xml_whatever_the_query_and_the_articles_hold(odd_client, query):
    from xml.etree import ElementTree

    response = odd_client.get(f"/feed.atom?q={query}")
    assert (response.status_code, undisplayable(response.get_data(as_text=True))) == (200, [])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ElementTree.fromstring(response.data)
    entries = [
        (e.find("a:title", ns).text, e.find("a:author/a:name", ns).text, e.find("a:category", ns).get("term"))
        for e in feed.findall("a:entry", ns)
    ]
    assert (feed.find("a:title", ns).text, entries) == (
        "Newsfacet: bank",
        [("Bank of Japan buys chips & more", "Wire Service", "Procter & Gamble")],
    )


def test_the_feed_escapes_each_text_once(odd_client):
    import feedparser

    data = odd_client.get("/feed.atom?q=bank").data
    summary = re.search(rb"<summary .*</summary>", data).group().decode()
    assert summary == (
        '<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><mark>Bank</mark> of Japan said it'
        " would buy chips from Procter &amp; Gamble &lt;b&gt;now&lt;/b&gt;. End.</div></summary>"
    )
    assert b"&amp;amp;" not in data
    # A feed reader reads the summary as the article's text, the <b> as text too.
    (entry,) = feedparser.parse(data).entries
    assert (entry.title, entry.summary) == (
        "Bank of Japan buys chips & more",
        "Bank of Japan said it would buy chips from Procter &amp; Gamble &lt;b&gt;now&lt;/b&gt;. End.",
    )


@pytest.mark.parametrize("path", ["/?q=bank%01%1b%EF%BF%BE", "/article/odd?q=bank%01", "/?source=Wire%02+Service"])
def test_pages_carry_no_character_html_rejects(odd_client, path):
    response = odd_client.get(path)
    html = response.get_data(as_text=True)
    assert (response.status_code, undisplayable(html)) == (200, [])
    assert "Bank of Japan buys chips &amp; more" in html


# The Host header.


def feed_self_link(response) -> str:
    from xml.etree import ElementTree

    return ElementTree.fromstring(response.data).find("{http://www.w3.org/2005/Atom}id").text


@pytest.mark.parametrize("trusted", [["news.example.com"], "news.example.com", "news.example.com, .example.org"])
def test_trusted_hosts_refuse_any_other_host(sample_index, trusted):
    client = create_app({"TESTING": True, "INDEX": str(sample_index.root), "TRUSTED_HOSTS": trusted}).test_client()
    message = "Host 'evil.example' is not trusted."
    api = client.get("/api/search", headers={"Host": "evil.example"})
    assert (api.status_code, api.get_json()) == (400, {"status": 400, "message": message})
    for path in ("/", "/feed.atom?company=Mazda"):
        page = client.get(path, headers={"Host": "evil.example"})
        assert (page.status_code, page.mimetype) == (400, "text/html")
        assert f"<p>{escape(message)}</p>" in page.get_data(as_text=True)
    trusted_feed = client.get("/feed.atom?company=Mazda", headers={"Host": "news.example.com"})
    assert feed_self_link(trusted_feed) == "http://news.example.com/feed.atom?company=Mazda"


@pytest.mark.parametrize("value", ['["news.example.com", "localhost"]', "news.example.com,localhost"])
def test_trusted_hosts_from_the_environment(monkeypatch, sample_index, value):
    monkeypatch.setenv("NEWSFACET_TRUSTED_HOSTS", value)
    client = create_app({"TESTING": True, "INDEX": str(sample_index.root)}).test_client()
    assert client.get("/api/search").status_code == 200  # localhost
    assert client.get("/api/search", headers={"Host": "evil.example"}).status_code == 400


def test_public_url_makes_the_feed_links_whatever_the_host(sample_index):
    client = create_app(
        {"TESTING": True, "INDEX": str(sample_index.root), "PUBLIC_URL": "https://news.example.com/"}
    ).test_client()
    response = client.get("/feed.atom?company=Mazda", headers={"Host": "evil.example"})
    assert b"evil.example" not in response.data
    assert feed_self_link(response) == "https://news.example.com/feed.atom?company=Mazda"


@pytest.mark.parametrize("public_url", ["news.example.com", "ftp://news.example.com", "https://news.example.com/x?y"])
def test_public_url_must_be_an_origin(sample_index, public_url):
    with pytest.raises(ValueError, match="PUBLIC_URL must be an origin such as https://news.example.com"):
        create_app({"INDEX": str(sample_index.root), "PUBLIC_URL": public_url})


def test_without_host_settings_any_host_is_answered(client):
    """The default, for ``make run`` on localhost; production sets TRUSTED_HOSTS or PUBLIC_URL."""
    response = client.get("/feed.atom", headers={"Host": "anything.example"})
    assert feed_self_link(response) == "http://anything.example/feed.atom"
