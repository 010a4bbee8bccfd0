"""Typo tolerance, did you mean, and the limits that keep one query from stalling everyone.

Each refusal and each cap is held here over a real index; how fast they answer is
measured by scripts/benchmark and scripts/load-test, never by a test.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from whoosh.query import Term

from indexer.article import Article
from indexer.errors import InvalidRequestError, SearchTimeoutError
from indexer.index.store import IndexStore
from indexer.search.limits import WORDS_PER_PATTERN
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService
from indexer.search.snapshot import IndexSnapshot
from webapp import create_app

from .paths import SEEDS

TAKEOVERS = 60
# 60 words that start with "zed", each used by one article: more than a wildcard may stand for
# (and no two with one stem, so each stem found is one article).
ZED_WORDS = [f"zed{a}{b}" for a in "abc" for b in "bcdfghjklmnpqrtvwxzy"]


def _articles() -> list[Article]:
    articles = [
        Article(id="c1", title="Company results", body="The company reported results for the quarter."),
        Article(id="c2", title="Merger news", body="Two companies agreed to merge their units."),
        Article(id="typo", title="Deal", body="The takover was announced on Monday."),
        Article(
            id="internal",
            title="Plain story",
            body="Nothing here names where it came from.",
            source_file="/srv/secret/feeds/export.jsonl",
            origin="/srv/secret/feeds",
        ),
    ]
    articles += [
        Article(id=f"t{n:02d}", title=f"Bid number {n}", body=f"A takeover bid for firm {n} was made.")
        for n in range(TAKEOVERS)
    ]
    articles += [
        Article(id=f"z{n:02d}", title=f"Code {word}", body=f"The code word is {word}.")
        for n, word in enumerate(ZED_WORDS)
    ]
    return articles


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> IndexStore:
    """A real index of the articles above, built once: read it, never write to it."""
    built = IndexStore(tmp_path_factory.mktemp("limits") / "index")
    built.rebuild(_articles())
    return built


@pytest.fixture
def service(store):
    searching = SearchService(store)
    yield searching
    searching.close()


@pytest.fixture
def client(store):
    return create_app({"TESTING": True, "INDEX": str(store.root)}).test_client()


def ids(service: SearchService, query: str) -> set[str]:
    return {hit.id for hit in service.search(SearchRequest(query, per_page=100)).hits}


TAKEOVER_IDS = {f"t{n:02d}" for n in range(TAKEOVERS)}


@pytest.mark.parametrize(
    "misspelt, found",
    [
        # The word as written is compared with the words as written, then searched as typed:
        # "compny~" finds what "company" finds, "companies" included.
        ("compny~", {"c1", "c2"}),
        ("Compny~", {"c1", "c2"}),
        ("compnay~", {"c1", "c2"}),  # two letters swapped are one typo
        ("cmopany~2", {"c1", "c2"}),
        ("takover~", TAKEOVER_IDS | {"typo"}),  # never stemmed first ("takov")
        ("title:compny~", {"c1"}),
        ("compny~ results", {"c1"}),
    ],
)
def test_a_misspelt_word_finds_what_the_word_finds(service, misspelt, found):
    assert ids(service, misspelt) == found


@pytest.mark.parametrize("word, misspelt", [("company", "compny~"), ("takeover", "takover~"), ("company", "comapny~")])
def test_every_article_of_the_word_is_found_by_its_misspelling(service, word, misspelt):
    assert ids(service, word) <= ids(service, misspelt)


def test_a_misspelt_word_is_highlighted_as_written(service):
    result = service.search(SearchRequest("compny~"))
    snippets = {hit.id: hit.snippet_html for hit in result.hits}
    assert "<mark>company</mark>" in snippets["c1"] and "<mark>companies</mark>" in snippets["c2"]
    assert result.understood == "(title:compny~ OR body:compny~)"


REFUSED = [
    ("*a*", "*a*: a wildcard needs at least 3 letters before its first * or ?"),
    ("*takeover", "*takeover: a wildcard needs at least 3 letters before its first * or ?"),
    ("s*", "s*: a wildcard needs at least 3 letters before its first * or ?"),
    ("ta*", "ta*: a wildcard needs at least 3 letters before its first * or ?"),
    ("t?keover", "t?keover: a wildcard needs at least 3 letters before its first * or ?"),
    ("*a* OR *e* OR *i* OR *o* OR *u*", "*a*: a wildcard needs at least 3 letters before its first * or ?"),
    ("company~5", "company~5: a word may differ by at most 2 typos (company~ allows one, company~2 two)"),
    ("takeover company~3", "company~3: a word may differ by at most 2 typos"),
    ("body:[a TO z]", "[a TO z]: ranges cannot be searched; choose dates with from= and to= (the date boxes)"),
    ("[a TO z]", "[a TO z]: ranges cannot be searched"),
    ("title:[bid TO code]", "[bid TO code]: ranges cannot be searched"),
    (
        "aaa~ bbb~ ccc~ ddd~ eee~ fff~ ggg~ hhh~ iii~",
        "the query has 9 wildcards and typo-tolerant words; the limit is 8",
    ),
]


@pytest.mark.parametrize("query, message", REFUSED)
def test_queries_no_search_answers_in_time_are_refused(service, query, message):
    with pytest.raises(InvalidRequestError) as refused:
        service.search(SearchRequest(query))
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize("query, message", REFUSED)
def test_the_api_answers_a_refused_query_400_with_the_message(client, query, message):
    response = client.get("/api/search", query_string={"q": query})
    data = response.get_json()
    assert (response.status_code, data["status"], data["message"].startswith(message)) == (400, 400, True)


def test_the_page_shows_why_and_keeps_the_query_to_correct(client):
    response = client.get("/", query_string={"q": "*a* takeover"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "*a*: a wildcard needs at least 3 letters before its first * or ?" in html
    assert 'value="*a* takeover"' in html


def test_the_feed_refuses_the_same_queries(client):
    assert client.get("/feed.atom", query_string={"q": "s*"}).status_code == 400


def test_a_wildcard_stands_for_its_most_used_words_and_says_so(service):
    result = service.search(SearchRequest("zed*", per_page=100))
    assert result.notices == (f"zed* stands for the {WORDS_PER_PATTERN} most used of the 60 words it fits",)
    assert result.total == WORDS_PER_PATTERN
    searched = service.parse_query("zed*")
    assert {leaf.fieldname for leaf in searched.leaves()} == {"title", "body"}
    assert all(isinstance(leaf, Term) for leaf in searched.leaves())
    assert len({leaf.text for leaf in searched.leaves()}) == WORDS_PER_PATTERN


def test_a_typo_tolerant_word_stands_for_its_closest_words_and_says_so(service):
    result = service.search(SearchRequest("zedab~2"))
    assert result.notices == (f"zedab~2 stands for the {WORDS_PER_PATTERN} closest of the 60 words it fits",)
    assert result.total == WORDS_PER_PATTERN


def test_notices_reach_the_api_and_the_page(client):
    notice = f"zed* stands for the {WORDS_PER_PATTERN} most used of the 60 words it fits"
    assert client.get("/api/search?q=zed*").get_json()["notices"] == [notice]
    assert f'<p class="notice">{notice}</p>' in client.get("/?q=zed*").get_data(as_text=True)
    assert client.get("/api/search?q=takeover").get_json()["notices"] == []


@pytest.mark.parametrize(
    "query, found",
    [
        ("zedac*", {"z01"}),
        ("zed?c", {"z01", "z21", "z41"}),
        ("zedb*", {f"z{n}" for n in range(20, 40)}),
        ("takeo*", TAKEOVER_IDS),
    ],
)
def test_wildcards_with_three_letters_find_their_words(service, query, found):
    assert ids(service, query) == found


@pytest.mark.parametrize(
    "query",
    [
        "source_file:/srv/secret/feeds/export.jsonl",
        "source_file:export",
        "origin:/srv/secret/feeds",
        "origin:secret",
        "content_hash:abc",
        "plain:takov~",
        "duplicate_ids:x",
    ],
)
def test_internal_fields_cannot_be_searched_by_name(service, query):
    """A name the README does not document is read as words, which the index does not hold."""
    assert service.search(SearchRequest(query)).total == 0
    fields = {getattr(leaf, "fieldname", None) for leaf in service.parse_query(query).leaves()}
    assert fields - {None} <= {"title", "body"}


@pytest.mark.parametrize("query, found", [("title:merger", {"c2"}), ("title:takeover", set())])
def test_documented_fields_are_searched_by_name(service, query, found):
    assert ids(service, query) == found


@pytest.mark.parametrize(
    "query, suggestion",
    [
        ("takover", "takeover"),  # 1 article; the correction finds 60
        ("takover bid", "takeover bid"),
        ("takeover", None),
        ("compny", "company"),  # no article at all
        ("code", None),
    ],
)
def test_did_you_mean_is_offered_when_the_correction_finds_several_times_more(service, query, suggestion):
    assert service.search(SearchRequest(query)).suggestion == suggestion


def test_did_you_mean_is_a_link_on_the_page(client):
    html = client.get("/?q=takover").get_data(as_text=True)
    assert 'Did you mean <a href="/?q=takeover" rel="nofollow">takeover</a>?' in html


def test_a_search_never_waits_for_another(service):
    """No lock is held around a search: one still running does not hold up the next."""
    other_done = threading.Event()

    def slow(snapshot) -> bool:
        return other_done.wait(timeout=30)

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(service.snapshots.read, slow)
        assert ids(service, "takeover") == TAKEOVER_IDS
        other_done.set()
        assert running.result() is True


QUERIES = ["takeover", "company", "compny~", "zed*", '"takeover bid"', "code OR merger", ""]


def test_threads_searching_at_once_answer_as_one_thread(service):
    expected = {query: service.search(SearchRequest(query, per_page=100)) for query in QUERIES}

    def search(query: str):
        return query, service.search(SearchRequest(query, per_page=100))

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(search, QUERIES * 25))
    for query, answer in answers:
        assert (answer.total, answer.hits, answer.facets) == (
            expected[query].total,
            expected[query].hits,
            expected[query].facets,
        ), query


def test_a_search_over_its_time_budget_stops_with_503(store):
    service = SearchService(store, budget_seconds=0)
    try:
        with pytest.raises(SearchTimeoutError, match="the search was stopped after 0 s") as stopped:
            service.search(SearchRequest('"takeover bid"'))
        assert stopped.value.status == 503
    finally:
        service.close()
    client = create_app({"TESTING": True, "INDEX": str(store.root), "SEARCH_SECONDS": 0}).test_client()
    response = client.get("/api/search?q=takeover")
    assert (response.status_code, response.get_json()["status"]) == (503, 503)


def test_the_load_tests_hostile_client_meets_refusals_never_a_server_error():
    """A short run of scripts/load-test --hostile: the costly queries are refused or answered."""
    from benchmarks.loadtest import run_hostile

    figures = run_hostile([str(SEEDS)], clients=2, seconds=2)
    assert figures["server_errors"] == 0
    assert figures["alone"].errors == figures["beside"].errors == figures["hostile"].errors == []
    assert set(figures["hostile"].statuses) == {200, 400}


def test_the_patterns_of_one_query_share_their_words(service):
    """Three patterns stand for at most 100 words in all: 33 each."""
    result = service.search(SearchRequest("zeda* OR zedb* OR zed*"))
    assert result.notices == ("zed* stands for the 33 most used of the 60 words it fits",)
    searched = service.parse_query("zed* OR takeo* OR compa*")
    # "company" and "companies" are one stem, "takeover" another.
    assert len({leaf.text for leaf in searched.leaves() if leaf.fieldname == "body"}) == 33 + 1 + 1


def test_reading_a_new_index_states_facet_arrays_is_not_charged_to_one_search(store, monkeypatch):
    """Over a million articles the arrays take longer to read than a request's budget; they are
    read once per index state for every request after, so the first search after a rebuild is answered."""
    read = IndexSnapshot._read_columns

    def slow_read(snapshot):
        time.sleep(0.5)  # as long as a large index takes, against a budget of 0.3 s
        return read(snapshot)

    monkeypatch.setattr(IndexSnapshot, "_read_columns", slow_read)
    service = SearchService(store, budget_seconds=0.3)
    try:
        assert service.search(SearchRequest("takeover")).total > 0
    finally:
        service.close()
