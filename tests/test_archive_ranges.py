"""Quick date ranges on an archive: when the newest article is older than a range, the range counts
back from that article instead of today (which would find nothing), and its link says so."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from markupsafe import escape

from indexer.article import Article
from indexer.index.store import IndexStore
from webapp import create_app
from webapp.params import archive_span


def client_over(folder, days: list[date | None]):
    store = IndexStore(folder / "index")
    store.rebuild(
        [
            Article(
                id=f"a{n}",
                title=f"Story {n}",
                body="Body.",
                date=datetime(day.year, day.month, day.day, 12, tzinfo=UTC) if day else None,
            )
            for n, day in enumerate(days)
        ]
    )
    return create_app({"TESTING": True, "INDEX": str(store.root)}).test_client()


def date_links(html: str) -> dict[str, str]:
    """The quick ranges' labels and links."""
    found = re.findall(r'<a href="([^"]*)"[^>]*>([^<]*(?:Past|before the newest)[^<]*)</a>', html)
    return {label: href.replace("&amp;", "&") for href, label in found}


def total(html: str) -> int:
    return int(re.search(r'data-total="(\d+)"', html).group(1))


ARCHIVE = [date(1987, 10, 20), date(1987, 10, 19), date(1987, 10, 1), date(1987, 6, 1), date(1986, 12, 1), None]


def test_an_archive_counts_back_from_its_newest_article(tmp_path):
    client = client_over(tmp_path, ARCHIVE)
    links = date_links(client.get("/?q=body").get_data(as_text=True))
    assert links == {
        "Week before the newest article (1987-10-20)": "/?q=body&from=1987-10-13&to=1987-10-20",
        "Month before the newest article (1987-10-20)": "/?q=body&from=1987-09-19&to=1987-10-20",
        "Year before the newest article (1987-10-20)": "/?q=body&from=1986-10-20&to=1987-10-20",
    }
    # Each finds the archive's articles of those days, not none.
    found = {label: total(client.get(url).get_data(as_text=True)) for label, url in links.items()}
    assert list(found.values()) == [2, 3, 5]
    week = client.get(links["Week before the newest article (1987-10-20)"]).get_data(as_text=True)
    assert 'aria-current="true" class="selected">Week before the newest article (1987-10-20)</a>' in week
    assert escape("1987-10-13 to 1987-10-20") in week  # the dates chip
    # The range ending today still means today, and finds nothing here.
    assert total(client.get("/?range=week").get_data(as_text=True)) == 0


def test_a_current_collection_keeps_ranges_ending_today(tmp_path):
    today = date.today()
    client = client_over(tmp_path, [today, today - timedelta(days=3), date(2001, 1, 1)])
    links = date_links(client.get("/").get_data(as_text=True))
    assert links == {"Past week": "/?range=week", "Past month": "/?range=month", "Past year": "/?range=year"}
    assert total(client.get(links["Past week"]).get_data(as_text=True)) == 2


def test_each_range_is_judged_on_its_own(tmp_path):
    newest = date.today() - timedelta(days=20)
    client = client_over(tmp_path, [newest, newest - timedelta(days=2)])
    links = date_links(client.get("/").get_data(as_text=True))
    week = f"Week before the newest article ({newest.isoformat()})"
    assert list(links) == [week, "Past month", "Past year"]
    assert links[week] == f"/?from={(newest - timedelta(days=7)).isoformat()}&to={newest.isoformat()}"
    assert total(client.get(links[week]).get_data(as_text=True)) == 2
    assert total(client.get(links["Past month"]).get_data(as_text=True)) == 2


def test_no_dated_article_keeps_the_plain_ranges(tmp_path):
    client = client_over(tmp_path, [None])
    assert list(date_links(client.get("/").get_data(as_text=True))) == ["Past week", "Past month", "Past year"]


@pytest.mark.parametrize(
    "newest, expected",
    [
        (date(2024, 5, 1), None),  # within the week ending today
        (date(2024, 4, 24), None),  # the range's first day
        (date(2024, 4, 23), (date(2024, 4, 16), date(2024, 4, 23))),
        (None, None),
    ],
)
def test_archive_span(newest, expected):
    assert archive_span("week", newest, today=date(2024, 5, 1)) == expected
