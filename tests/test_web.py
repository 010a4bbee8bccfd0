import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from indexer.errors import (
    IndexDamagedError,
    IndexOutdatedError,
    InvalidRequestError,
    NewsfacetError,
    NotFoundError,
)
from indexer.search.service import SearchService
from webapp import create_app

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
    assert set(data["hits"][0]) == {"id", "title", "date", "source", "companies", "technologies", "snippet"}
    mazda_hit = next(h for h in data["hits"] if h["id"] == SEED_MAZDA)
    assert mazda_hit["date"] == "2024-03-31T00:00:00+00:00"
    assert mazda_hit["source"] == "MENAFN"
    assert "<mark>batteries</mark>" in mazda_hit["snippet"]
    companies = {v["value"]: v for v in data["facets"]["company"]}
    assert companies["Mazda"] == {"value": "Mazda", "count": 1, "selected": True, "excluded": False}
    assert companies["Toyota"]["selected"] is False
    assert set(data["facets"]) == {"company", "technology", "source", "month"}


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
    assert 'href="/?per_page=3&amp;sort=newest">Newest</a>' in html
    assert 'aria-label="Page 3"' in html and '<span aria-current="page">1</span>' in html
    assert 'href="/?per_page=3&amp;range=week">Past week</a>' in html
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
    assert f'href="/article/{SEED_MAZDA}"' in html


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
    assert set(document["paths"]) == {"/api/search", "/api/facets/{name}", "/api/openapi.json"}
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
        "technology",
        "not_technology",
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
        ("/api/search?sort=random", "Error"),
        ("/api/facets/colour", "Error"),
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
    app, monkeypatch, error, status, title
):
    # Fault injection: the search fails the way each kind of error would make it fail.
    def failing(service, request):
        raise error

    monkeypatch.setattr(SearchService, "search", failing)
    client = app.test_client()
    message = str(error) if isinstance(error, NewsfacetError) else "the server could not answer this request"
    api = client.get("/api/search?q=x")
    assert (api.status_code, api.get_json()) == (status, {"status": status, "message": message})
    page = client.get("/?q=x")
    text = page.get_data(as_text=True)
    assert page.status_code == status and page.mimetype == "text/html"
    assert title in text and escape(message) in text and "a detail for the log only" not in text
