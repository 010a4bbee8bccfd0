"""Several values of one facet as "any of" (the default) or "all of" (``company_mode=all``): the articles
kept, the facet counts beside them, the page's switch and chips, the API, the feed and the command line."""

import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from werkzeug.datastructures import MultiDict

from indexer.cli import main
from indexer.errors import InvalidRequestError
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService
from webapp.params import request_from_args, state_args

from .paths import SEED_MAZDA, SEED_TOYOTA

HEADER = "header-article"
BRIEF = "articles/brief-1"
UNDATED = "articles/undated-1"
TSMC = "articles/tsmc-2024-01"


@pytest.fixture
def service(sample_index):
    service = SearchService(sample_index)
    yield service
    service.close()


def search(service, mode="any", excluded=None, **filters):
    return service.search(
        SearchRequest(
            filters={name: tuple(values) for name, values in filters.items()},
            excluded=excluded or {},
            modes={name: mode for name in filters},
            per_page=100,
        )
    )


def counts(result, name):
    return {v.value: (v.count, v.selected) for f in result.facets if f.name == name for v in f.values}


@pytest.mark.parametrize(
    "facet, values, mode, ids",
    [
        ("company", ["Panasonic", "Toyota"], "any", [SEED_TOYOTA, SEED_MAZDA, TSMC, UNDATED]),
        ("company", ["Panasonic", "Toyota"], "all", [SEED_TOYOTA]),
        ("company", ["Panasonic", "Nissan"], "any", [SEED_TOYOTA, SEED_MAZDA, BRIEF, UNDATED]),
        ("company", ["Panasonic", "Nissan"], "all", [SEED_MAZDA]),
        ("company", ["Nissan", "Honda"], "all", [SEED_MAZDA, BRIEF]),
        ("company", ["Panasonic", "Toyota", "Mazda"], "all", []),
        ("company", ["Panasonic", "Nobody"], "any", [SEED_TOYOTA, SEED_MAZDA, UNDATED]),
        ("company", ["Panasonic", "Nobody"], "all", []),  # a value no article has leaves none
        ("company", ["Panasonic"], "all", [SEED_TOYOTA, SEED_MAZDA, UNDATED]),  # one value: the same either way
        (
            "technology",
            ["Electric vehicles", "Smart cities"],
            "any",
            [SEED_TOYOTA, SEED_MAZDA, "articles/byd-2024-02", BRIEF, UNDATED],
        ),
        ("technology", ["Electric vehicles", "Smart cities"], "all", [SEED_TOYOTA]),
        ("event", ["Partnership", "Supply deal"], "any", [SEED_MAZDA, HEADER, UNDATED]),
        ("event", ["Partnership", "Supply deal"], "all", [SEED_MAZDA]),
    ],
)
def test_all_of_keeps_articles_with_every_value(service, facet, values, mode, ids):
    result = search(service, mode, **{facet: values})
    assert (result.total, sorted(hit.id for hit in result.hits)) == (len(ids), sorted(ids))


def test_all_of_counts_who_appears_with_the_whole_selection(service):
    any_of = search(service, "any", company=["Nissan", "Honda"])
    all_of = search(service, "all", company=["Nissan", "Honda"])
    # Any of: each company counted as if it were added to the selection (every filter but its own).
    assert counts(any_of, "company")["Panasonic"] == (3, False)
    # All of: over the articles with both, so only the companies that appear with Nissan and Honda.
    assert counts(all_of, "company") == {
        "Honda": (2, True),
        "Nissan": (2, True),
        "Mazda": (1, False),
        "Panasonic": (1, False),
    }
    # The other facets are counted over the same articles either way.
    assert counts(all_of, "technology") == counts(any_of, "technology")
    assert counts(all_of, "event") == {"Partnership": (1, False), "Supply deal": (1, False)}


@pytest.mark.parametrize("facet, selected", [("company", "Panasonic"), ("technology", "Electric vehicles")])
def test_under_all_of_a_count_is_what_selecting_the_value_too_finds(service, facet, selected):
    shown = counts(search(service, "all", **{facet: [selected]}), facet)
    found = {value: search(service, "all", **{facet: [selected, value]}).total for value in shown}
    assert {value: count for value, (count, _) in shown.items()} == {**found, selected: shown[selected][0]}


def test_an_excluded_value_counts_what_it_would_add_back(service):
    result = search(service, "all", excluded={"company": ("Mazda",)}, company=["Panasonic", "Nissan"])
    assert result.total == 0  # the one article with both also has Mazda
    assert {v.value: (v.count, v.selected, v.excluded) for v in result.facets[0].values} == {
        "Honda": (1, False, False),
        "Mazda": (1, False, True),
        "Nissan": (1, True, False),
        "Panasonic": (1, True, False),
    }


def test_all_of_combines_with_other_facets(service):
    result = service.search(
        SearchRequest(
            filters={"company": ("Panasonic", "Nissan"), "event": ("Supply deal", "Joint venture")},
            modes={"company": "any", "event": "all"},
        )
    )
    assert (result.total, [hit.id for hit in result.hits]) == (0, [])
    result = service.search(
        SearchRequest(filters={"company": ("Panasonic", "Nissan"), "event": ("Supply deal",)}, modes={"company": "all"})
    )
    assert [hit.id for hit in result.hits] == [SEED_MAZDA]


@pytest.mark.parametrize(
    "modes, message",
    [
        ({"company": "both"}, "company_mode must be one of any, all, not 'both'"),
        ({"company": "ALL"}, "company_mode must be one of any, all, not 'ALL'"),
        ({"source": "all"}, "source_mode is not a parameter; modes: company, technology, event"),
        ({"month": "any"}, "month_mode is not a parameter; modes: company, technology, event"),
    ],
)
def test_a_mode_outside_the_list_is_refused(modes, message):
    with pytest.raises(InvalidRequestError) as refused:
        SearchRequest(modes=modes)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "query, state",
    [
        ("company=A&company=B&company_mode=all", "company=A&company=B&company_mode=all"),
        ("company=A&company=B&company_mode=any", "company=A&company=B"),
        ("company=A&company=B&company_mode=", "company=A&company=B"),
        ("company=A&company_mode=all", "company=A&company_mode=all"),
        ("company_mode=all", ""),  # no selection: nothing for the mode to combine
        (
            "technology=T&technology=U&technology_mode=all&event=E&event_mode=all",
            "technology=T&technology=U&event=E&technology_mode=all&event_mode=all",
        ),
        ("company=A&company=B&source_mode=all", "company=A&company=B"),  # not a parameter: not carried
    ],
)
def test_the_mode_is_carried_in_every_link(query, state):
    args = MultiDict([tuple(pair.split("=", 1)) for pair in query.split("&")])
    request = request_from_args(args)
    assert "&".join(f"{k}={v}" for k, v in state_args(request, args).items(multi=True)) == state


class Page(HTMLParser):
    """The parts of a search page that say how values combine: each facet's switch, the chip groups and
    the chips, and every link's href."""

    def __init__(self):
        super().__init__()
        self.facet = None
        self.switches = {}  # facet -> [(label, href, current)]
        self.groups = []
        self.chips = []
        self.hrefs = []
        self._open = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "data-facet" in attrs:
            self.facet = attrs["data-facet"]
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "a" and "mode" in attrs.get("class", "").split():
            self._open = ("mode", attrs["href"], attrs.get("aria-current") == "true")
        elif tag == "li" and attrs.get("class") == "chip-group":
            self._open = ("group",)
        elif tag == "a" and attrs.get("class") == "chip":
            self.chips.append(attrs["aria-label"])
        self._text = []

    def handle_data(self, data):
        self._text.append(data)

    def handle_endtag(self, tag):
        if self._open and tag in ("a", "li"):
            text = "".join(self._text).strip()
            if self._open[0] == "mode":
                self.switches.setdefault(self.facet, []).append((text, *self._open[1:]))
            else:
                self.groups.append(text)
            self._open = None


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parsed = Page()
    parsed.feed(response.get_data(as_text=True))
    return int(re.search(r'data-total="(\d+)"', response.get_data(as_text=True)).group(1)), parsed


def test_the_switch_and_the_chips_say_any_of_then_all_of(client):
    total, any_of = page(client, "/?company=Panasonic&company=Toyota")
    assert total == 4
    assert any_of.switches == {
        "company": [
            ("any of", "/?company=Panasonic&company=Toyota", True),
            ("all of", "/?company=Panasonic&company=Toyota&company_mode=all", False),
        ]
    }
    assert any_of.groups == ["Companies, any of:"]
    assert any_of.chips == ["Remove filter Companies, any of: Panasonic", "Remove filter Companies, any of: Toyota"]

    total, all_of = page(client, any_of.switches["company"][1][1])
    assert total == 1
    assert all_of.switches == {
        "company": [
            ("any of", "/?company=Panasonic&company=Toyota", False),
            ("all of", "/?company=Panasonic&company=Toyota&company_mode=all", True),
        ]
    }
    assert all_of.groups == ["Companies, all of:"]
    assert all_of.chips == ["Remove filter Companies, all of: Panasonic", "Remove filter Companies, all of: Toyota"]
    # Every link to another search keeps the mode (facet values, chips, sort, dates, feed, export), but "any of".
    searches = [href for href in all_of.hrefs if href.startswith(("/?", "/feed.atom", "/export."))]
    searches.remove(all_of.switches["company"][0][1])
    assert searches and all("company_mode=all" in href for href in searches)


@pytest.mark.parametrize(
    "url, switches, groups",
    [
        ("/", {}, []),
        ("/?company=Panasonic", {}, []),  # one value: any of and all of find the same
        ("/?source=MENAFN&source=Example+Wire", {}, []),  # an article has one source: no all of
        ("/?company=Panasonic&company_mode=all", {"company": ["any of", "all of*"]}, ["Companies, all of:"]),
        (
            "/?technology=Electric+vehicles&technology=Smart+cities&event=Partnership&event=Supply+deal&event_mode=all",
            {"technology": ["any of*", "all of"], "event": ["any of", "all of*"]},
            ["Technologies, any of:", "Events, all of:"],
        ),
    ],
)
def test_the_switch_shows_where_the_mode_matters(client, url, switches, groups):
    _, parsed = page(client, url)
    shown = {
        facet: [label + ("*" if current else "") for label, _, current in links]
        for facet, links in parsed.switches.items()
    }
    assert (shown, parsed.groups) == (switches, groups)


@pytest.mark.parametrize("prefix", ["/", "/api/search", "/feed.atom", "/export.csv"])
@pytest.mark.parametrize(
    "query, message",
    [
        ("company=A&company=B&company_mode=every", "company_mode must be one of any, all, not 'every'"),
        ("technology_mode=AND", "technology_mode must be one of any, all, not 'AND'"),
        ("event_mode=or", "event_mode must be one of any, all, not 'or'"),
    ],
)
def test_a_bad_mode_is_a_400_naming_it(client, prefix, query, message):
    response = client.get(f"{prefix}?{query}")
    assert response.status_code == 400
    if prefix == "/api/search":
        assert response.get_json() == {"status": 400, "message": message}
    else:
        assert message.replace("'", "&#39;") in response.get_data(as_text=True)


def test_api_feed_and_export_answer_all_of(client):
    query = "company=Panasonic&company=Toyota&company_mode=all"
    api = client.get(f"/api/search?{query}").get_json()
    assert (api["total"], [hit["id"] for hit in api["hits"]]) == (1, [SEED_TOYOTA])
    assert api["modes"] == {"company": "all", "technology": "any", "event": "any"}
    assert {value["value"]: value["count"] for value in api["facets"]["company"]} == {"Panasonic": 1, "Toyota": 1}
    feed = client.get(f"/feed.atom?{query}").get_data(as_text=True)
    assert feed.count("<entry>") == 1
    assert "<title>Newsfacet: company (all of): Panasonic, Toyota</title>" in feed
    assert client.get(f"/export.csv?{query}").headers["X-Total-Count"] == "1"


def test_openapi_documents_the_modes(client):
    parameters = {
        p["name"]: p for p in client.get("/api/openapi.json").get_json()["paths"]["/api/search"]["get"]["parameters"]
    }
    assert {name: parameters[name]["schema"] for name in ("company_mode", "technology_mode", "event_mode")} == {
        name: {"type": "string", "enum": ["any", "all"], "default": "any"}
        for name in ("company_mode", "technology_mode", "event_mode")
    }
    assert "source_mode" not in parameters


@pytest.mark.parametrize(
    "options, query",
    [
        (
            ["--company", "Panasonic", "--company", "Toyota", "--company-mode", "all"],
            "company=Panasonic&company=Toyota&company_mode=all",
        ),
        (["--company", "Panasonic", "--company", "Toyota"], "company=Panasonic&company=Toyota"),
        (
            [
                "--event",
                "Partnership",
                "--event",
                "Supply deal",
                "--event-mode",
                "all",
                "--technology",
                "Electric vehicles",
            ],
            "event=Partnership&event=Supply+deal&event_mode=all&technology=Electric+vehicles",
        ),
    ],
)
def test_the_command_line_answers_as_the_api(client, sample_index, options, query):
    printed = CliRunner().invoke(
        main, ["search", *options, "--json", "--index", str(sample_index.root)], catch_exceptions=False
    )
    assert printed.exit_code == 0
    answer, api = json.loads(printed.output), client.get(f"/api/search?{query}").get_json()
    answer.pop("took_ms"), api.pop("took_ms")
    assert answer == api


def test_the_command_line_refuses_a_bad_mode(sample_index):
    printed = CliRunner().invoke(main, ["search", "--company-mode", "both", "--index", str(sample_index.root)])
    assert printed.exit_code == 2
    assert "Invalid value for '--company-mode': 'both' is not one of 'any', 'all'." in printed.output
