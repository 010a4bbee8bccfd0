"""The search page in a real headless Chromium, served by `newsfacet serve`."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from .paths import PROJECT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).is_file() and shutil.which(CHROMIUM):
        return CHROMIUM
    message = f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
    if os.environ.get("NEWSFACET_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def server(sample_index):
    from benchmarks.serving import newsfacet_server

    with newsfacet_server(sample_index.root) as running:
        yield running.base


@pytest.fixture
def page(tmp_path):
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            yield context.new_page()
            context.close()
        finally:
            browser.close()


def result_count(page) -> int:
    return int(page.locator("h1.count").get_attribute("data-total"))


def test_search_then_narrow_by_company(server, page):
    page.goto(server + "/")
    everything = result_count(page)
    assert everything == 8

    page.fill("#q", "batteries")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=batteries")
    searched = result_count(page)
    assert searched == 5
    assert page.locator("mark").first.inner_text().lower().startswith("batter")

    page.locator('[data-facet="company"] a[data-value="Mazda"]').click()
    page.wait_for_url("**company=Mazda**")
    assert result_count(page) == 1
    assert page.locator(".hit h3").inner_text().startswith("Mazda Motor and Panasonic")
    assert page.locator('[data-facet="company"] a.selected').inner_text().split() == ["☑", "Mazda", "1"]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=True)

    page.locator(".chips.active a").click()  # remove the company filter again
    page.wait_for_url("**/?q=batteries")
    assert result_count(page) == searched


def facet_count(page, facet: str, value: str) -> int:
    return int(page.locator(f'[data-facet="{facet}"] a.facet-value[data-value="{value}"] .n').inner_text())


def test_the_search_experience(server, page):
    page.goto(server + "/")
    assert result_count(page) == 8

    # Multi-select within a facet is OR, and the other companies keep their counts.
    page.locator('[data-facet="company"] a[data-value="Toyota"]').click()
    page.wait_for_url("**company=Toyota**")
    assert result_count(page) == 2
    panasonic_before = facet_count(page, "company", "Panasonic")
    page.locator('[data-facet="company"] a[data-value="Mazda"]').click()
    page.wait_for_url("**company=Mazda**")
    assert result_count(page) == 3
    assert facet_count(page, "company", "Panasonic") == panasonic_before

    # Exclusion with the "not" toggle, undone from its chip.
    page.goto(server + "/")
    page.locator('[data-facet="company"] a.not[data-not="Toyota"]').click()
    page.wait_for_url("**not_company=Toyota**")
    assert result_count(page) == 6
    page.locator(".chips.active a.excluded").click()
    page.wait_for_url(server + "/")
    assert result_count(page) == 8

    # Date range from the form, then sorting oldest first.
    page.fill('input[name="from"]', "2024-03-01")
    page.fill('input[name="to"]', "2024-05-31")
    page.locator(".date-range button").click()
    page.wait_for_url("**from=2024-03-01**")
    assert result_count(page) == 3
    page.locator(".sort a", has_text="Oldest").click()
    page.wait_for_url("**sort=oldest**")
    dates = page.locator(".hit time").evaluate_all("nodes => nodes.map(n => n.getAttribute('datetime'))")
    assert dates == sorted(dates)

    # Pagination with page numbers.
    page.goto(server + "/?per_page=3")
    page.locator('.pagination a[aria-label="Page 2"]').click()
    page.wait_for_url("**page=2**")
    assert page.locator('.pagination [aria-current="page"]').inner_text() == "2"

    # Did you mean, then the article page with highlights and related articles.
    page.goto(server + "/?q=panasonik")
    page.locator(".suggestion a").click()
    page.wait_for_url("**q=panasonic**")
    assert result_count(page) == 3
    page.locator(".hit h3 a").first.click()
    page.wait_for_url("**/article/**")
    assert page.locator("article mark").first.inner_text().lower() == "panasonic"
    assert page.locator("#related-heading").inner_text() == "Related articles"
    assert page.locator(".related li").count() >= 1

    # The feed link leads to the same search as Atom.
    page.goto(server + "/?company=Panasonic")
    href = page.locator(".feed a").get_attribute("href")
    assert href == "/feed.atom?company=Panasonic"
    feed = page.request.get(server + href)
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.text().count("<entry>") == 3

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "/?q=batteries&company=Panasonic")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "results-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "results-phone.png"), full_page=True)


def test_type_ahead_finds_a_company(server, page):
    page.goto(server + "/")
    page.fill("#find-company", "pana")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#values-company option')].some(o => o.value === 'Panasonic')"
        " && document.querySelectorAll('#values-company option').length === 1"
    )
    page.fill("#find-company", "Panasonic")
    page.locator('[data-facet="company"] form.find button').click()
    page.wait_for_url("**company=Panasonic**")
    assert result_count(page) == 3


def test_events_facet_role_and_the_article_sentence(server, page):
    page.goto(server + "/")
    page.locator('[data-facet="event"] a[data-value="Supply deal"]').click()
    page.wait_for_url("**event=Supply+deal**")
    titles = page.locator(".hit h3").all_inner_texts()
    assert any(title.startswith("Mazda Motor and Panasonic") for title in titles)

    # The role form narrows the supply deals to those with a customer named.
    page.locator('[data-facet="event"] select[name="role"]').select_option("customer")
    page.locator('[data-facet="event"] form.role button').click()
    page.wait_for_url("**role=customer**")
    assert result_count(page) == 1
    assert page.locator(".chips.active").inner_text().split() == ["Supply", "deal", "×", "as", "customer", "×"]

    page.locator(".hit h3 a", has_text="Mazda Motor and Panasonic").click()
    page.wait_for_url("**/article/**")
    sentences = page.locator(".events li").all_inner_texts()
    assert "Panasonic supplies Mazda: Supply deal" in sentences
    supply = page.locator(".events li", has_text="Panasonic supplies Mazda")
    assert supply.locator("a.company").evaluate_all("links => links.map(a => a.title)") == ["supplier", "customer"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "article-events.png"), full_page=True)

    supply.locator("a.chip.event").click()
    page.wait_for_url("**/?event=Supply+deal")
    assert page.locator('[data-facet="event"] a.selected').inner_text().split() == ["☑", "Supply", "deal", "2"]


def test_export_links_download_the_search(server, page):
    page.goto(server + "/?q=batteries&company=Panasonic")
    api = page.request.get(server + "/api/search?q=batteries&company=Panasonic&per_page=100").json()
    expected = [hit["id"] for hit in api["hits"]]
    assert len(expected) == api["total"] >= 2

    downloaded = {}
    for label in ("CSV", "JSON Lines"):
        link = page.locator(f'.export a[data-export="{label}"]')
        with page.expect_download() as download_info:
            link.click()
        download = download_info.value
        downloaded[label] = (download.suggested_filename, Path(download.path()).read_text("utf-8"))

    name, text = downloaded["CSV"]
    assert name == "newsfacet-export.csv"
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["id"] for row in rows] == expected
    assert [row["companies"] for row in rows] == ["; ".join(hit["companies"]) for hit in api["hits"]]

    name, text = downloaded["JSON Lines"]
    assert name == "newsfacet-export.jsonl"
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["id"] for line in lines] == expected
    assert [(line["title"], line["date"], line["technologies"]) for line in lines] == [
        (hit["title"], hit["date"], hit["technologies"]) for hit in api["hits"]
    ]


def test_a_company_page_from_its_facet_value(server, page):
    page.goto(server + "/")
    page.locator('[data-facet="company"] a.profile[aria-label="About Panasonic"]').click()
    page.wait_for_url("**/company/Panasonic")
    assert page.locator("h1").inner_text() == "Panasonic"
    assert page.locator("figure.chart svg rect.bar").count() >= 1
    assert page.locator("figure.chart svg rect.bar title").first.text_content().endswith("article")
    assert page.locator("#periods-table tbody tr").last.inner_text().split() == ["Undated", "2"]
    assert "Matsushita" in page.locator(".knowledge").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "company-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator("figure.chart svg").bounding_box()["width"] <= 390
    page.screenshot(path=str(ARTIFACTS / "company-phone.png"), full_page=True)

    # Appears with: the technology's link leads to the articles both are in.
    technologies = page.locator('section[aria-labelledby="technologies-heading"] li')
    assert technologies.first.locator("a.chip").inner_text() == "Lithium-ion batteries"
    technologies.first.locator("a", has_text="shared").click()
    page.wait_for_url("**/?company=Panasonic&technology=Lithium-ion+batteries")
    assert result_count(page) == 3


def boxes(page, selector: str) -> list[dict]:
    return [link.bounding_box() for link in page.locator(selector).all()]


def test_on_a_phone_the_filters_link_leads_to_the_facets_and_small_links_are_easy_to_tap(server, page):
    page.goto(server + "/?per_page=2&company=Panasonic")
    jump = page.locator(".filters-jump a")
    facets = page.locator("#filters")
    ARTIFACTS.mkdir(exist_ok=True)
    assert page.viewport_size["width"] == 1280
    assert not jump.is_visible()  # the facets are beside the results
    page.screenshot(path=str(ARTIFACTS / "filters-desktop.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    assert jump.is_visible()
    assert jump.inner_text() == "Filters (1 active)"
    assert facets.bounding_box()["y"] > 844  # below the results, out of sight
    page.screenshot(path=str(ARTIFACTS / "filters-phone.png"), full_page=True)
    jump.click()
    page.wait_for_url("**#filters")
    top = facets.bounding_box()["y"]
    assert 0 <= top < 100

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        nots, numbers = boxes(page, ".facet-row a.not"), boxes(page, ".pagination ol a, .pagination ol [aria-current]")
        assert len(nots) > 10 and len(numbers) == 2
        assert [box for box in nots + numbers if box["width"] < 24 or box["height"] < 24] == [], width


@pytest.fixture
def dated_server(tmp_path):
    """A server over a small index of articles dated across several months, for the trend chart."""
    from benchmarks.serving import newsfacet_server
    from indexer.index.store import IndexStore

    from .test_trends import trend_articles

    store = IndexStore(tmp_path / "index")
    store.rebuild(trend_articles())
    with newsfacet_server(store.root) as running:
        yield running.base


def test_a_bar_of_the_trend_chart_narrows_the_search_to_its_month(dated_server, page):
    page.goto(dated_server + "/?q=battery&company=Acme&company=Bolt")
    before = result_count(page)
    bars = page.locator("section.trend a.bar-link")
    assert [bars.nth(i).locator("title").text_content() for i in range(bars.count())][:4] == [
        "2024-01: 2 articles",
        "2024-02: 0 articles",
        "2024-03: 0 articles",
        "2024-04: 1 article",
    ]
    assert page.locator("section.trend polyline").count() == 2
    assert page.locator("section.trend .legend li").all_inner_texts() == ["All results", "Acme", "Bolt"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    chart = page.locator("section.trend svg").first.bounding_box()
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= 390
    page.screenshot(path=str(ARTIFACTS / "trend-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "trend-desktop.png"), full_page=True)

    bars.nth(0).click()
    page.wait_for_url("**from=2024-01-01&to=2024-01-31")
    assert result_count(page) == 2 <= before
    assert "2024-01-01 to 2024-01-31" in page.locator(".chips.active").inner_text()
    page.screenshot(path=str(ARTIFACTS / "trend-clicked.png"), full_page=True)


def test_two_companies_switch_between_any_of_and_all_of(server, page):
    page.goto(server + "/")
    for company in ("Panasonic", "Toyota"):
        page.locator(f'[data-facet="company"] a.facet-value[data-value="{company}"]').click()
        page.wait_for_url(f"**company={company}**")
    switch = page.locator('[data-facet="company"] .modes')
    assert switch.inner_text().split() == ["any", "of", "·", "all", "of"]
    assert switch.locator('[aria-current="true"]').inner_text() == "any of"
    any_of = result_count(page)

    def api_total() -> int:
        return page.request.get(server + "/api/search?" + page.url.split("?", 1)[1]).json()["total"]

    switch.locator("a.mode", has_text="all of").click()
    page.wait_for_url("**company_mode=all**")
    assert "company=Panasonic&company=Toyota" in page.url
    assert "all of" in page.locator(".chips.active .chip-group").inner_text()
    all_of = result_count(page)
    assert all_of == api_total() < any_of

    page.locator('[data-facet="company"] .modes a.mode', has_text="any of").click()
    page.wait_for_url(lambda url: "company_mode" not in url)
    assert "any of" in page.locator(".chips.active .chip-group").inner_text()
    assert result_count(page) == api_total() == any_of
