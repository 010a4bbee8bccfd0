import threading
import time
from contextlib import closing
from datetime import UTC, date, datetime

import pytest

from indexer.article import Article
from indexer.errors import InvalidRequestError, NotFoundError
from indexer.index.store import IndexStore
from indexer.search.request import MAX_PER_PAGE, SearchRequest
from indexer.search.service import SearchService
from webapp import create_app

from .paths import SEED_MAZDA, SEED_TOYOTA


@pytest.fixture
def seeds(seed_index):
    return SeedSearch(SearchService(seed_index))


class SeedSearch:
    def __init__(self, service):
        self.service = service

    def __call__(self, query="", **filters):
        page = filters.pop("page", 1)
        per_page = filters.pop("per_page", 10)
        return self.service.search(
            SearchRequest(query, filters={k: tuple(v) for k, v in filters.items()}, page=page, per_page=per_page)
        )


def facet(result, name):
    return {v.value: (v.count, v.selected) for f in result.facets if f.name == name for v in f.values}


def test_empty_query_lists_all_newest_first_with_facets(seeds):
    result = seeds()
    assert [hit.id for hit in result.hits] == [SEED_MAZDA, SEED_TOYOTA]  # the undated one last
    assert result.total == 2
    assert facet(result, "company") == {
        "Panasonic": (2, False),
        "Toyota": (1, False),
        "Mazda": (1, False),
        "Nissan": (1, False),
        "Honda": (1, False),
    }
    assert {"Smart cities", "Electric vehicles", "Lithium-ion batteries", "Solid-state batteries"} <= set(
        facet(result, "technology")
    )


def test_keyword_search_highlights_the_word_as_written(seeds):
    result = seeds("battery")  # stemmed: finds "batteries"
    assert result.total == 2
    assert "<mark>batteries</mark>" in result.hits[0].snippet_html


def test_title_outweighs_body(seeds):
    # Both seeds say "smart" in the body; only seed 000 has it in the title.
    result = seeds("joint venture")
    assert result.hits[0].id == SEED_TOYOTA


def test_company_filter(seeds):
    result = seeds(company=["Toyota"])
    assert [hit.id for hit in result.hits] == [SEED_TOYOTA]
    # Counted without its own filter, the other companies stay visible.
    assert facet(result, "company")["Mazda"] == (1, False)
    assert facet(result, "company")["Toyota"] == (1, True)
    assert set(facet(result, "technology")) >= {"Smart cities", "Solid-state batteries"}
    assert "Electrification" not in facet(result, "technology")


def test_two_companies_mean_either(seeds):
    assert seeds(company=["Toyota", "Mazda"]).total == 2
    assert seeds(company=["Toyota", "Nobody"]).total == 1


def test_facets_combine_with_and(seeds):
    assert seeds(company=["Toyota"], technology=["Electrification"]).total == 0
    assert seeds(company=["Mazda"], technology=["Electrification"]).total == 1


def test_parent_technology_finds_children(seeds):
    assert seeds(technology=["Batteries"]).total == 2


def test_keyword_and_filter(seeds):
    result = seeds("batteries", company=["Honda"])
    assert [hit.id for hit in result.hits] == [SEED_MAZDA]
    assert (result.total, result.pages) == (1, 1)  # the total counts filtered hits only


@pytest.mark.parametrize(
    "query, total",
    [
        ('"unbalanced', 0),
        ('"smart cities', 1),  # an unclosed phrase is read as its words
        ("panasonic AND (toyota", 1),
        ("batteries )", 2),
        ("^^^ batteries", 2),
        ("x:y batteries", 2),  # an unknown field is ignored
        ("((( ", 2),  # nothing to search for lists everything
        ("AND OR NOT", 2),
    ],
)
def test_bad_syntax_is_answered_as_words(seeds, query, total):
    assert seeds(query).total == total


def test_no_match(seeds):
    result = seeds("zeppelin")
    assert (result.total, result.hits, result.pages) == (0, (), 1)
    assert all(f.values == () for f in result.facets)


def test_field_query(seeds):
    assert [hit.id for hit in seeds("company:Nissan").hits] == [SEED_MAZDA]
    assert seeds("title:venture").total == 1


def test_paging_is_clamped(seeds):
    result = seeds(per_page=1, page=99)
    assert (result.page, result.pages, len(result.hits), result.hits[0].id) == (2, 2, 1, SEED_TOYOTA)
    assert seeds(per_page=10_000).per_page == MAX_PER_PAGE


def test_hit_fields(seeds):
    hit = seeds(company=["Mazda"]).hits[0]
    assert (hit.title[:20], hit.date, hit.source, set(hit.companies)) == (
        "Mazda Motor and Pana",
        datetime(2024, 3, 31, tzinfo=UTC),
        "MENAFN",
        {"Mazda", "Panasonic", "Nissan", "Honda"},
    )


def test_get_article(seed_index):
    service = SearchService(seed_index)
    article = service.get_article(SEED_TOYOTA)
    assert article.title.startswith("Toyota, Panasonic will make")
    assert set(article.companies) == {"Toyota", "Panasonic"}
    with pytest.raises(NotFoundError, match="no article with the id 'nope'"):
        service.get_article("nope")


def test_article_html_is_escaped_in_snippets(sample_index):
    result = SearchService(sample_index).search(SearchRequest("rival"))
    snippet = result.hits[0].snippet_html
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "<mark>rival</mark>" in snippet


def test_sort_orders(sample_index):
    service = SearchService(sample_index)
    newest = [h.date for h in service.search(SearchRequest(sort="newest", per_page=20)).hits]
    oldest = [h.date for h in service.search(SearchRequest(sort="oldest", per_page=20)).hits]
    dated_newest = [d for d in newest if d]
    assert dated_newest == sorted(dated_newest, reverse=True)
    assert [d for d in oldest if d] == sorted(dated_newest)
    assert newest[-1] is None and oldest[-1] is None  # undated last either way


def test_unknown_sort_and_backwards_dates_are_refused():
    with pytest.raises(InvalidRequestError, match="sort must be one of relevance, newest, oldest"):
        SearchRequest(sort="random")
    with pytest.raises(InvalidRequestError, match="from must not be after to"):
        SearchRequest(date_from=date(2024, 2, 1), date_to=date(2024, 1, 1))


def test_date_range_is_inclusive(sample_index):
    service = SearchService(sample_index)
    march = service.search(SearchRequest(date_from=date(2024, 3, 31), date_to=date(2024, 3, 31)))
    assert [h.id for h in march.hits] == [SEED_MAZDA]
    assert service.search(SearchRequest(date_from=date(2024, 4, 1))).total == 2  # Siemens (May), Acme (April)


@pytest.mark.parametrize(
    "start, end",
    [
        (None, date.max),
        (date.min, None),
        (date.min, date.max),
    ],
)
def test_a_range_may_reach_the_ends_of_the_calendar(sample_index, start, end):
    """The end of 9999-12-31 is its last moment: there is no day after it to start from."""
    service = SearchService(sample_index)
    everything = service.search(SearchRequest(sort="newest", per_page=MAX_PER_PAGE))
    ranged = service.search(SearchRequest(sort="newest", per_page=MAX_PER_PAGE, date_from=start, date_to=end))
    assert [hit.id for hit in ranged.hits] == [hit.id for hit in everything.hits if hit.date]
    assert service.search(SearchRequest(date_from=date.max, date_to=date.max)).total == 0
    assert service.search(SearchRequest(date_from=date.min, date_to=date.min)).total == 0


def test_exclusion(seeds):
    result = seeds(company=[])
    excluded = seeds.service.search(SearchRequest(excluded={"company": ("Toyota",)}))
    assert [h.id for h in excluded.hits] == [SEED_MAZDA]
    assert facet(excluded, "company")["Toyota"] == (1, False)  # still shown, to undo
    assert result.total == 2


def test_source_and_month_facets(seeds):
    result = seeds()
    # The Toyota seed names no source and has no date: its folder's name, and the Undated month.
    assert facet(result, "source") == {"MENAFN": (1, False), "seeds": (1, False)}
    assert facet(result, "month") == {"2024-03": (1, False), "Undated": (1, False)}
    assert seeds(month=["2024-03"]).total == 1


def test_fuzzy_query(seeds):
    assert seeds("panasonik~").total == 2


def test_a_company_with_a_comma_is_one_value_its_filter_and_chip_find(tmp_path):
    store = IndexStore(tmp_path / "index")
    store.rebuild(
        [
            Article(
                id="a",
                title="Kidder, Peabody advises",
                body="Kidder, Peabody and Co said.",
                companies=("Kidder, Peabody", "Acme"),
            ),
            Article(id="b", title="Acme alone", body="Acme said.", companies=("Acme",)),
        ]
    )
    service = SearchService(store)
    everything = service.search(SearchRequest())
    assert facet(everything, "company") == {"Acme": (2, False), "Kidder, Peabody": (1, False)}
    chosen = service.search(SearchRequest(filters={"company": ("Kidder, Peabody",)}))
    assert [hit.id for hit in chosen.hits] == ["a"] and chosen.hits[0].companies == ("Kidder, Peabody", "Acme")
    client = create_app({"TESTING": True, "INDEX": str(store.root)}).test_client()
    assert client.get("/api/search", query_string={"company": "Kidder, Peabody"}).get_json()["total"] == 1
    assert client.get("/api/facets/company?prefix=kidder").get_json()["values"] == [
        {"value": "Kidder, Peabody", "count": 1}
    ]
    service.close()


def test_a_search_that_fails_while_its_facets_are_counted_waits_for_them(seed_index, monkeypatch):
    from indexer.search import service as service_module

    counted = []
    facets = service_module._facets

    def slow_facets(*args):
        time.sleep(0.2)
        counted.append(facets(*args))
        return counted[-1]

    def failing_rank(*args):
        raise InvalidRequestError("ranking failed")

    monkeypatch.setattr(service_module, "_facets", slow_facets)
    monkeypatch.setattr(service_module, "_ranked", failing_rank)
    with closing(SearchService(seed_index)) as service:
        with pytest.raises(InvalidRequestError, match="ranking failed"):
            service.search(SearchRequest("battery"))
        assert len(counted) == 1  # finished before the error reached the caller


def test_closing_a_service_stops_its_counting_threads(seed_index):
    before = set(threading.enumerate())
    service = SearchService(seed_index)
    assert facet(service.search(SearchRequest("battery")), "company")
    started = {t for t in set(threading.enumerate()) - before if t.name.startswith("newsfacet-facets")}
    assert started
    service.close()
    assert not any(t.is_alive() for t in started)
    assert facet(service.search(SearchRequest("battery")), "company")  # usable again, as after any close
    service.close()
