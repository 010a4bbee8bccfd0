"""The Events facet and the role filter, over a real index of the seeds: the search service,
the pages, the API, the feed and the command line."""

from __future__ import annotations

import json
import re
import shutil
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from indexer.article import Article, Event, Participant
from indexer.cli import main
from indexer.errors import InvalidRequestError
from indexer.index.store import IndexStore
from indexer.ingest.files import read_articles
from indexer.search.request import SearchRequest
from indexer.search.sentences import event_sentence, sentence_text
from indexer.search.service import SearchService
from webapp import create_app

from .paths import DATA, SEED_MAZDA, SEED_TOYOTA, SEEDS

SUPPLY = {
    "type": "Supply deal",
    "participants": [{"name": "Panasonic", "role": "supplier"}, {"name": "Mazda", "role": "customer"}],
}
PARTNERSHIP = {
    "type": "Partnership",
    "participants": [{"name": "Nissan", "role": "partner"}, {"name": "Honda", "role": "partner"}],
}
JOINT_VENTURE = {
    "type": "Joint venture",
    "participants": [{"name": "Toyota", "role": "partner"}, {"name": "Panasonic", "role": "partner"}],
}
UNKNOWN_ROLE = (
    "role must be one of acquirer, target, seller, investor, investee, partner, supplier, customer, company, "
    "agency, plaintiff, not 'owner'"
)


@pytest.fixture
def service(seed_index):
    return SearchService(seed_index)


@pytest.fixture
def seed_client(seed_index):
    return create_app({"TESTING": True, "INDEX": str(seed_index.root)}).test_client()


def search(service: SearchService, roles: tuple[str, ...] = (), **filters: tuple[str, ...]):
    return service.search(SearchRequest(filters=filters, roles=roles))


def ids(result) -> list[str]:
    return sorted(hit.id for hit in result.hits)


def counts(result, name: str) -> dict[str, int]:
    return {v.value: v.count for f in result.facets if f.name == name for v in f.values}


def event_sets(events) -> set:
    """Events as comparable values, whatever order they and their participants come in."""
    return {(e["type"], frozenset((p["name"], p["role"]) for p in e["participants"])) for e in events}


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


# The search service.


def test_the_events_facet_counts_the_seeds(service):
    result = search(service)
    assert next(f.label for f in result.facets if f.name == "event") == "Events"
    assert counts(result, "event") == {"Joint venture": 1, "Partnership": 1, "Supply deal": 1}


def test_an_event_type_finds_the_articles_that_report_one(service):
    supply = search(service, event=("Supply deal",))
    assert ids(supply) == [SEED_MAZDA]
    # Counted with every filter but its own, as every facet is: the other types still show.
    assert counts(supply, "event") == {"Joint venture": 1, "Partnership": 1, "Supply deal": 1}
    assert ids(search(service, event=("Supply deal", "Joint venture"))) == [SEED_TOYOTA, SEED_MAZDA]
    excluded = service.search(SearchRequest(excluded={"event": ("Supply deal",)}))
    assert ids(excluded) == [SEED_TOYOTA]
    assert ids(search(service, event=("Acquisition",))) == []


@pytest.mark.parametrize(
    "filters, roles, found",
    [
        ({"event": ("Supply deal",), "company": ("Panasonic",)}, ("supplier",), [SEED_MAZDA]),
        ({"event": ("Supply deal",), "company": ("Panasonic",)}, ("customer",), []),
        ({"company": ("Mazda",)}, ("customer",), [SEED_MAZDA]),
        ({"company": ("Panasonic",)}, ("partner",), [SEED_TOYOTA]),
        # Panasonic is a partner in a joint venture, never in a partnership.
        ({"event": ("Partnership",), "company": ("Panasonic",)}, ("partner",), []),
        ({"event": ("Joint venture",)}, ("partner",), [SEED_TOYOTA]),
        ({}, ("partner",), [SEED_TOYOTA, SEED_MAZDA]),
        ({}, ("supplier",), [SEED_MAZDA]),
        ({"company": ("Toyota", "Mazda")}, ("partner", "customer"), [SEED_TOYOTA, SEED_MAZDA]),
        ({"company": ("Honda",), "technology": ("Electrification",)}, ("partner",), [SEED_MAZDA]),
    ],
)
def test_a_role_ties_the_selected_events_and_companies_together(service, filters, roles, found):
    assert ids(search(service, roles, **filters)) == found


def test_under_a_role_each_value_counts_as_if_it_were_the_one_chosen(service):
    nothing = search(service, ("customer",), event=("Supply deal",), company=("Panasonic",))
    assert nothing.total == 0
    # Mazda is the customer of the supply deal; Panasonic is a customer in no event.
    assert counts(nothing, "company") == {"Mazda": 1, "Panasonic": 0}
    assert counts(nothing, "event") == {"Supply deal": 0}
    partners = search(service, ("partner",))
    assert counts(partners, "company") == {"Honda": 1, "Nissan": 1, "Panasonic": 1, "Toyota": 1}
    assert counts(partners, "event") == {"Joint venture": 1, "Partnership": 1}
    assert counts(partners, "technology") == counts(search(service), "technology")


def test_an_unknown_role_is_refused(service):
    with pytest.raises(InvalidRequestError, match=re.escape(UNKNOWN_ROLE)):
        SearchRequest(roles=("owner",))


def test_hits_and_articles_carry_their_events(service):
    hit = search(service, event=("Supply deal",)).hits[0]
    assert hit.events == service.get_article(SEED_MAZDA).events
    assert Event("Supply deal", (Participant("Panasonic", "supplier"), Participant("Mazda", "customer"))) in hit.events


def test_a_company_name_with_a_comma_or_a_bar_is_found_in_its_role(tmp_path):
    store = IndexStore(tmp_path / "index")
    names = ("Kidder, Peabody", "A|B Holdings")
    deal = Event("Acquisition", (Participant(names[0], "acquirer"), Participant(names[1], "target")))
    store.rebuild([Article(id="deal", title="Kidder buys A|B", body="Text.", companies=names, events=(deal,))])
    service = SearchService(store)
    assert ids(search(service, ("target",), company=(names[1],))) == ["deal"]
    assert ids(search(service, ("target",), company=(names[0],))) == []
    assert counts(search(service, ("acquirer",)), "company") == {names[0]: 1}


def test_an_index_from_before_events_opens_without_them_and_gains_them_on_update(tmp_path):
    shutil.copytree(DATA / "index-0.1", tmp_path / "index")
    store = IndexStore(tmp_path / "index")
    service = SearchService(store)
    assert search(service).total == 1
    assert counts(search(service), "event") == {}
    assert search(service, ("partner",)).total == 0
    assert service.get_article("articles/1").events == ()
    venture = Event("Joint venture", (Participant("Toyota", "partner"), Participant("Panasonic", "partner")))
    article = Article(
        id="jv", title="Toyota and Panasonic", body="A venture.", companies=("Toyota",), events=(venture,)
    )
    assert store.update([article]).added == 1
    assert ids(search(service, ("partner",), event=("Joint venture",), company=("Toyota",))) == ["jv"]
    assert search(service).total == 2


# Sentences.


@pytest.mark.parametrize(
    "event, sentence",
    [
        (
            Event("Supply deal", (Participant("Panasonic", "supplier"), Participant("Mazda", "customer"))),
            "Panasonic supplies Mazda: Supply deal",
        ),
        (
            Event("Partnership", (Participant("Nissan", "partner"), Participant("Honda", "partner"))),
            "Nissan partners with Honda: Partnership",
        ),
        (
            Event("Joint venture", (Participant("Toyota", "partner"), Participant("Panasonic", "partner"))),
            "Toyota and Panasonic form a joint venture: Joint venture",
        ),
        (
            Event(
                "Acquisition", (Participant("A", "acquirer"), Participant("B", "target"), Participant("C", "seller"))
            ),
            "A acquires B from C: Acquisition",
        ),
        (
            Event("Acquisition", (Participant("A", "acquirer"), Participant("B", "acquirer"))),
            "A and B merge: Acquisition",
        ),
        (Event("Acquisition", (Participant("B", "target"),)), "B is acquired: Acquisition"),
        (Event("Divestiture", (Participant("S", "seller"), Participant("U", "target"))), "S sells U: Divestiture"),
        (Event("Stake", (Participant("I", "investor"), Participant("J", "investee"))), "I takes a stake in J: Stake"),
        (
            Event("Earnings", (Participant("A", "company"), Participant("B", "company"), Participant("C", "company"))),
            "A, B and C report results: Earnings",
        ),
        (
            Event("Rating action", (Participant("Moody's", "agency"), Participant("B", "company"))),
            "Moody's rates B: Rating action",
        ),
        (Event("Legal action", (Participant("P", "plaintiff"), Participant("D", "company"))), "P sues D: Legal action"),
        (Event("Job cuts", (Participant("A", "company"),)), "A cuts jobs: Job cuts"),
        (Event("Earnings", ()), "Earnings reported: Earnings"),
        # A company the wording has no place for, and a type without wording, are listed with their roles.
        (
            Event(
                "Supply deal", (Participant("A", "supplier"), Participant("B", "customer"), Participant("C", "agency"))
            ),
            "A supplies B; C (agency): Supply deal",
        ),
        (Event("Recall", (Participant("A", "company"), Participant("B", "maker"))), "A (company), B (maker): Recall"),
    ],
)
def test_each_event_reads_as_a_sentence(event, sentence):
    assert sentence_text(event) == sentence
    # Every company of the event is in its sentence once, to be linked.
    assert [part for part in event_sentence(event) if isinstance(part, Participant)] == list(event.participants)


# Pages, API and feed.


def test_the_article_page_tells_each_event_as_a_sentence_with_links(seed_client):
    html = seed_client.get(f"/article/{SEED_MAZDA}").get_data(as_text=True)
    events = html[html.index('<ul class="events">') : html.index("</dl>")]
    assert "Panasonic supplies Mazda: Supply deal" in visible_text(events)
    assert "Nissan partners with Honda: Partnership" in visible_text(events)
    assert '<a class="company" href="/?company=Panasonic" title="supplier">Panasonic</a> supplies ' in events
    assert '<a class="company" href="/?company=Mazda" title="customer">Mazda</a>' in events
    assert '<a class="chip event" href="/?event=Supply+deal">Supply deal</a>' in events
    toyota = seed_client.get(f"/article/{SEED_TOYOTA}").get_data(as_text=True)
    assert "Toyota and Panasonic form a joint venture: Joint venture" in visible_text(toyota)


def test_the_search_page_selects_events_and_asks_for_a_role(seed_client):
    html = seed_client.get("/").get_data(as_text=True)
    assert 'href="/?event=Supply+deal" class="facet-value"' in html
    assert '<option value="acquirer">acquirer</option>' in html  # every role while no type is chosen
    chosen = seed_client.get("/?event=Supply+deal&company=Panasonic&role=supplier").get_data(as_text=True)
    assert 'data-total="1"' in chosen
    form = chosen[chosen.index('class="role"') : chosen.index("</form>", chosen.index('class="role"'))]
    assert re.findall(r'<option value="(\w*)"', form) == ["", "supplier", "customer"]  # the roles of a supply deal
    assert '<option value="supplier" selected>' in form
    assert '<input type="hidden" name="event" value="Supply deal">' in form and 'name="role" value' not in form
    # Its chip removes the role alone; other links keep it.
    assert 'href="/?company=Panasonic&amp;event=Supply+deal" aria-label="Remove filter Role: as supplier"' in chosen
    assert 'href="/?company=Panasonic&amp;event=Supply+deal&amp;role=supplier&amp;source=MENAFN"' in chosen
    assert '<a class="chip event" href="' in chosen  # each hit's events, as chips
    bad = seed_client.get("/?role=owner")
    assert bad.status_code == 400 and UNKNOWN_ROLE.replace("'", "&#39;") in bad.get_data(as_text=True)


def test_the_api_carries_events_with_roles(seed_client):
    answer = seed_client.get("/api/search?event=Supply+deal&company=Panasonic&role=supplier").get_json()
    assert [hit["id"] for hit in answer["hits"]] == [SEED_MAZDA]
    assert event_sets(answer["hits"][0]["events"]) == event_sets([SUPPLY, PARTNERSHIP])
    assert answer["roles"] == ["supplier"]
    assert answer["filters"] == {"company": ["Panasonic"], "event": ["Supply deal"]}
    assert {v["value"]: v["count"] for v in answer["facets"]["event"]} == {"Supply deal": 1}
    article = seed_client.get(f"/api/article/{SEED_TOYOTA}").get_json()
    assert (article["id"], article["companies"]) == (SEED_TOYOTA, ["Panasonic", "Toyota"])
    assert event_sets(article["events"]) == event_sets([JOINT_VENTURE])
    refused = seed_client.get("/api/search?role=owner")
    assert (refused.status_code, refused.get_json()) == (400, {"status": 400, "message": UNKNOWN_ROLE})
    missing = seed_client.get("/api/article/nope")
    assert missing.status_code == 404 and "no article with the id 'nope'" in missing.get_json()["message"]


def test_the_openapi_document_describes_events_and_roles(seed_client):
    document = seed_client.get("/api/openapi.json").get_json()
    parameters = {p["name"]: p for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert {"event", "not_event", "role"} <= set(parameters)
    assert "supplier" in parameters["role"]["schema"]["items"]["enum"]
    schemas = document["components"]["schemas"]
    events = schemas["SearchResult"]["properties"]["hits"]["items"]["properties"]["events"]
    assert events["items"]["required"] == ["type", "participants"]
    assert events["items"]["properties"]["participants"]["items"]["required"] == ["name", "role"]
    assert schemas["Article"]["properties"]["events"]["items"] == events["items"]


def test_the_feed_follows_an_event_with_a_role(seed_client):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ElementTree.fromstring(seed_client.get("/feed.atom?event=Supply+deal&company=Panasonic&role=supplier").data)
    assert feed.find("a:title", ns).text == "Newsfacet: company: Panasonic · event: Supply deal · role: supplier"
    entries = feed.findall("a:entry", ns)
    assert [e.find("a:link", ns).get("href") for e in entries] == [f"http://localhost/article/{SEED_MAZDA}"]
    assert {"Supply deal", "Partnership"} <= {c.get("term") for c in entries[0].findall("a:category", ns)}


# The command line.


def test_extract_writes_each_articles_events():
    articles = read_articles([SEEDS]).articles
    lines = "".join(json.dumps({"id": a.id, "title": a.title, "body": a.body}) + "\n" for a in articles)
    result = CliRunner().invoke(main, ["extract"], input=lines, catch_exceptions=False)
    assert result.exit_code == 0
    written = {record["id"]: event_sets(record["events"]) for record in map(json.loads, result.output.splitlines())}
    assert written == {SEED_TOYOTA: event_sets([JOINT_VENTURE]), SEED_MAZDA: event_sets([SUPPLY, PARTNERSHIP])}


def test_search_takes_events_and_roles(seed_index, seed_client):
    runner = CliRunner()
    options = [
        "--event",
        "Supply deal",
        "--company",
        "Panasonic",
        "--role",
        "supplier",
        "--index",
        str(seed_index.root),
    ]
    printed = json.loads(runner.invoke(main, ["search", *options, "--json"], catch_exceptions=False).output)
    api = seed_client.get("/api/search?event=Supply+deal&company=Panasonic&role=supplier").get_json()
    printed.pop("took_ms"), api.pop("took_ms")
    assert printed == api
    text = runner.invoke(main, ["search", *options], catch_exceptions=False).output
    assert "  Panasonic supplies Mazda: Supply deal\n" in text
    assert "Events: *Supply deal (1)" in text
    excluded = runner.invoke(main, ["search", "--not-event", "Supply deal", "--json", "--index", str(seed_index.root)])
    assert [hit["id"] for hit in json.loads(excluded.output)["hits"]] == [SEED_TOYOTA]
    refused = runner.invoke(main, ["search", "--role", "owner", "--index", str(seed_index.root)])
    assert refused.exit_code == InvalidRequestError.exit_code
    assert f"Error: {UNKNOWN_ROLE}" in refused.stderr
