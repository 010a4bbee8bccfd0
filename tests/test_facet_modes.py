"""Several values of one facet as "any of" (the default) or "all of" (``company_mode=all``): the articles
kept, the facet counts beside them, the page's switch and chips, the API, the feed and the command line."""


import pytest
from werkzeug.datastructures import MultiDict

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
