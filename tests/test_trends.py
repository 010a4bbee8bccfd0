"""The trend chart of the search page: the results per period, worked out from the date column, and a line
per selected company."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from indexer.article import Article
from indexer.index.store import IndexStore
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService
from webapp import create_app

COMPANIES = ("Acme", "Bolt", "Cogs", "Dyne", "Eon", "Flux")

# (date, companies, body): dates over seven months, so a period is a month; two undated.
CORPUS = [
    ("2024-01-05", ("Acme", "Bolt"), "Battery plant opens."),
    ("2024-01-20", ("Acme",), "Battery prices fall."),
    ("2024-01-31", ("Bolt",), "Market report."),
    ("2024-02-14", ("Cogs",), "Battery recall."),
    ("2024-04-01", ("Acme", "Cogs", "Dyne"), "Battery deal."),
    ("2024-04-30", ("Eon",), "Battery startup funded."),
    ("2024-05-02", ("Flux", "Acme"), "Market report."),
    ("2024-07-20", ("Bolt", "Flux"), "Battery chemistry."),
    (None, ("Acme",), "Battery rumour."),
    (None, ("Dyne",), "Market rumour."),
]
MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07"]


@pytest.fixture(scope="module")
def trend_index(tmp_path_factory) -> IndexStore:
    store = IndexStore(tmp_path_factory.mktemp("trends") / "index")
    store.rebuild(
        Article(
            id=f"t{number}",
            title=f"Story {number}",
            body=body,
            date=datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None,
            companies=companies,
        )
        for number, (day, companies, body) in enumerate(CORPUS)
    )
    return store


@pytest.fixture(scope="module")
def service(trend_index):
    service = SearchService(trend_index)
    yield service
    service.close()


@pytest.fixture
def trend_client(trend_index):
    return create_app({"TESTING": True, "INDEX": str(trend_index.root)}).test_client()


def test_a_search_without_the_flag_has_no_trend(service):
    assert service.search(SearchRequest(query="battery")).trend is None


def test_the_results_per_month_and_the_undated(service):
    trend = service.search(SearchRequest(query="battery", trend=True)).trend
    assert trend.granularity == "month"
    assert [(p.label, p.count) for p in trend.periods] == list(zip(MONTHS, [2, 1, 0, 2, 0, 0, 1], strict=True))
    assert (trend.periods[1].start, trend.periods[1].end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert trend.undated == 1
    assert trend.series == ()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "battery"},
        {"company": "Acme"},
        {"q": "battery", "company": ["Acme", "Cogs"]},
        {"company": ["Acme", "Bolt"], "company_mode": "all"},
        {"not_company": "Flux"},
    ],
)
def test_counts_per_month_equal_the_api_totals_for_each_month(service, trend_client, params):
    modes = {"company": "all"} if params.get("company_mode") else {}
    companies = params.get("company", ())
    search = SearchRequest(
        query=params.get("q", ""),
        filters={"company": (companies,) if isinstance(companies, str) else tuple(companies)} if companies else {},
        excluded={"company": (params["not_company"],)} if "not_company" in params else {},
        modes=modes,
        trend=True,
    )
    result = service.search(search)
    assert sum(p.count for p in result.trend.periods) + result.trend.undated == result.total
    for period in result.trend.periods:
        answer = trend_client.get(
            "/api/search", query_string={**params, "from": period.start.isoformat(), "to": period.end.isoformat()}
        )
        assert answer.status_code == 200
        assert answer.get_json()["total"] == period.count, period.label


@pytest.mark.parametrize("count", [1, 2, 3, 5, 6])
def test_a_line_per_company_with_two_to_five_selected(service, count):
    selected = COMPANIES[:count]
    trend = service.search(SearchRequest(filters={"company": selected}, trend=True)).trend
    assert [line.name for line in trend.series] == (list(selected) if 2 <= count <= 5 else [])
    for line in trend.series:
        alone = [
            service.search(SearchRequest(filters={"company": (line.name,)}, date_from=p.start, date_to=p.end)).total
            for p in trend.periods
        ]
        assert line.counts == tuple(alone)


def test_no_lines_under_all_of(service):
    search = SearchRequest(filters={"company": ("Acme", "Bolt")}, modes={"company": "all"}, trend=True)
    trend = service.search(search).trend
    assert trend.series == ()
    assert [(p.label, p.count) for p in trend.periods] == [("2024-01-05", 1)]  # one day: a day


def test_no_dated_results_no_periods(service):
    trend = service.search(SearchRequest(query="rumour", trend=True)).trend
    assert trend.periods == ()
    assert trend.undated == 2
