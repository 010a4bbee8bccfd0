"""The trend chart of the search page: the results per period, worked out from the date column, and a line
per selected company."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

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


def trend_articles() -> list[Article]:
    """The articles of :data:`CORPUS` (the browser test serves them too)."""
    return [
        Article(
            id=f"t{number}",
            title=f"Story {number}",
            body=body,
            date=datetime.fromisoformat(day).replace(tzinfo=UTC) if day else None,
            companies=companies,
        )
        for number, (day, companies, body) in enumerate(CORPUS)
    ]


@pytest.fixture(scope="module")
def trend_index(tmp_path_factory) -> IndexStore:
    store = IndexStore(tmp_path_factory.mktemp("trends") / "index")
    store.rebuild(trend_articles())
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


def bar_links(html: str) -> list[tuple[str, str]]:
    """(href, tooltip) of each bar of the trend chart."""
    return [
        (unescape(href), unescape(title))
        for href, title in re.findall(r'<a class="bar-link" href="([^"]*)"[^>]*><title>([^<]*)</title>', html)
    ]


def page_total(html: str) -> int:
    return int(re.search(r'class="count" data-total="(\d+)"', html).group(1))


@pytest.mark.parametrize(
    "query",
    ["q=battery", "company=Acme", "q=battery&company=Acme&company=Cogs", "not_company=Flux&sort=oldest"],
)
def test_each_bar_links_to_the_search_narrowed_to_its_period(trend_client, query):
    html = trend_client.get(f"/?{query}").get_data(as_text=True)
    links = bar_links(html)
    assert links
    if query == "q=battery":
        assert [title.split(":")[0] for _, title in links] == MONTHS
    previous_end = None
    for href, title in links:
        found = re.fullmatch(rf"/\?{re.escape(query)}&from=([\d-]+)&to=([\d-]+)", href)
        start, end = date.fromisoformat(found.group(1)), date.fromisoformat(found.group(2))
        label, count = re.fullmatch(r"(.+): (\d+) articles?", title).groups()
        assert label in (start.isoformat()[:7], f"week of {start.isoformat()}", start.isoformat())
        assert previous_end is None or start == previous_end + timedelta(days=1)  # the periods adjoin
        previous_end = end
        narrowed = trend_client.get(href).get_data(as_text=True)
        assert page_total(narrowed) == int(count) <= page_total(html)
        assert f"{start.isoformat()} to {end.isoformat()}" in narrowed  # the date chip


def test_a_bar_within_a_date_range_keeps_to_it(trend_client):
    html = trend_client.get("/?from=2024-01-03&to=2024-07-25").get_data(as_text=True)
    hrefs = [href for href, _ in bar_links(html)]
    assert len(hrefs) == len(MONTHS)
    assert hrefs[0] == "/?from=2024-01-03&to=2024-01-31"
    assert hrefs[1] == "/?from=2024-02-01&to=2024-02-29"
    assert hrefs[-1] == "/?from=2024-07-01&to=2024-07-25"


@pytest.mark.parametrize("count", [1, 2, 5, 6])
def test_the_page_draws_a_line_per_company_with_two_to_five(trend_client, count):
    query = "&".join(f"company={name}" for name in COMPANIES[:count])
    html = trend_client.get(f"/?{query}").get_data(as_text=True)
    drawn = 2 <= count <= 5
    assert html.count("<polyline") == (count if drawn else 0)
    legend = re.search(r'<ul class="legend"[^>]*>(.*?)</ul>', html, re.S)
    assert (legend is not None) == drawn
    if drawn:
        assert [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", legend.group(1))] == [
            "All results",
            *COMPANIES[:count],
        ]


def test_the_page_says_how_many_are_undated(trend_client):
    html = trend_client.get("/?q=battery").get_data(as_text=True)
    assert "1 undated, in no bar" in html
    assert re.search(r'<th scope="row">Undated</th><td>1</td>', html)


def test_no_chart_without_dated_results_and_nothing_scripted(trend_client):
    assert 'class="trend"' not in trend_client.get("/?q=rumour").get_data(as_text=True)
    html = trend_client.get("/?company=Acme&company=Bolt").get_data(as_text=True)
    chart = re.search(r'<section class="trend".*?</section>', html, re.S).group(0)
    assert "<script" not in chart and "style=" not in chart and " on" not in chart.replace(" one", "")
    assert 'viewBox="0 0 720' in chart and 'width="100%"' in chart


def test_the_api_default_answer_has_no_trend(trend_client):
    assert "trend" not in trend_client.get("/api/search?q=battery").get_json()
