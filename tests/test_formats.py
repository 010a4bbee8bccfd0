"""Every input format, from the samples in tests/data/formats."""

import gzip
import shutil
from datetime import UTC, datetime

import pytest

from indexer.ingest.files import read_articles

from .paths import DATA

FORMATS = DATA / "formats"


@pytest.fixture(scope="module")
def batch():
    return read_articles([FORMATS])


def by_id(batch):
    return {article.id: article for article in batch.articles}


@pytest.mark.parametrize(
    "article_id, title, date, source, author, url",
    [
        (
            "page",
            "Siemens opens battery plant in Texas",
            datetime(2024, 6, 3, tzinfo=UTC),
            "Example Industry News",
            "Maria Lopez",
            "https://news.example.com/2024/06/siemens-battery-plant",
        ),
        (
            "feed/auto-2024-0315-01",
            "Honda and Nissan study joint EV platform",
            datetime(2024, 3, 15, 0, 30, tzinfo=UTC),
            "Example Auto Wire",
            "Ken Ito",
            "https://auto.example.com/2024/03/honda-nissan-ev",
        ),
        (
            "feed/urn-example-chip-monitor-2024-0402-1",
            "TSMC raises chip output in Japan",
            datetime(2024, 4, 2, 11, tzinfo=UTC),
            "Example Chip Monitor",
            "Lena Park",
            "https://chips.example.com/tsmc-japan",
        ),
        # No source in the record: the data set's, its file's name without the endings.
        ("articles/json-2", "CATL signs supply deal", datetime(2024, 2, 2, 9, tzinfo=UTC), "articles", None, None),
        (
            "articles/csv-2",
            "LG Energy Solution wins Toyota order",
            datetime(2024, 1, 11, 9, tzinfo=UTC),
            "Example Wire",
            None,
            "https://wire.example.com/lges",
        ),
        ("latin1", "Café chain Pret sold", None, "Example Food News", None, None),
    ],
)
def test_metadata(batch, article_id, title, date, source, author, url):
    article = by_id(batch)[article_id]
    assert (article.title, article.date, article.source, article.author, article.url) == (
        title,
        date,
        source,
        author,
        url,
    )


def test_html_page_keeps_the_story_only(batch):
    body = by_id(batch)["page"].body
    assert body.startswith("Siemens AG opened a factory near Austin on Monday")
    assert "demand for electric buses in American cities" in body
    for noise in (
        "trackPageView",
        "tracking",
        "Advertisement",
        "Sign in",
        "Copyright",
        "inline script",
        "Ten things about batteries",
        "font-family",
    ):
        assert noise not in body


def test_feed_entry_html_becomes_text(batch):
    body = by_id(batch)["feed/auto-2024-0315-01"].body
    assert body == (
        "Honda Motor and Nissan Motor said on Friday they would study a joint platform for "
        "electric vehicles.\n\nThe talks cover batteries and software."
    )


def test_identical_story_from_two_feeds_is_kept_once(batch):
    kept = [a for a in batch.articles if a.title == "Mazda to buy cylindrical cells from Panasonic"]
    assert len(kept) == 1
    (copy,) = kept[0].duplicates
    assert (copy.source, copy.origin.endswith("feed.rss:entry 2")) == ("Example Auto Wire", True)


def test_problems_are_reported_with_file_and_place(batch):
    reasons = {s.origin.replace(str(FORMATS) + "/", ""): s.reason for s in batch.skipped}
    assert reasons == {
        "articles.csv:4": "record has no text (no title and no body)",
        "articles.json:item 3": "record has no text (no title and no body)",
        "broken.xml": "feed is not well-formed (<unknown>:11:28: not well-formed (invalid token)); 2 entries salvaged",
        "broken.xml:entry 2": "entry has no text (no title and no summary or content)",
        "missing-columns.csv": "CSV header has no text column (title, body, text, content or description); "
        "found: id, date, source",
    }
    assert [(n.origin.rsplit("/", 1)[1], n.message) for n in batch.notes] == [
        ("latin1.txt", "not valid UTF-8; read as Windows-1252 (Latin-1)")
    ]


def test_salvaged_feed_entry_is_indexed(batch):
    salvaged = [a for a in batch.articles if a.source == "Half-written Feed"]
    assert [a.title for a in salvaged] == ["Toyota expands solid-state battery pilot line"]


def test_entities_of_a_salvaged_entry_are_decoded_once(tmp_path):
    (tmp_path / "cut.rss").write_text(
        "<rss><channel><title>Wire</title><item><title>Rates &amp;amp; fees</title>"
        "<description>Rates at AT&amp;amp;T rose.</description></item><item><title>Cut & ",
        "utf-8",
    )
    (article,) = read_articles([tmp_path]).articles
    assert (article.title, article.body) == ("Rates & fees", "Rates at AT&T rose.")


@pytest.mark.parametrize("name", ["articles.csv", "articles.json", "feed.rss", "feed.atom", "page.html"])
def test_gzipped_files_read_the_same(tmp_path, name):
    plain = tmp_path / "plain"
    packed = tmp_path / "packed"
    plain.mkdir(), packed.mkdir()
    shutil.copy(FORMATS / name, plain / name)
    with open(FORMATS / name, "rb") as source, gzip.open(packed / f"{name}.gz", "wb") as target:
        shutil.copyfileobj(source, target)
    unpacked, gzipped = read_articles([plain]), read_articles([packed])
    assert [(a.id, a.title, a.body, a.date) for a in gzipped.articles] == [
        (a.id, a.title, a.body, a.date) for a in unpacked.articles
    ]
    assert len(gzipped.articles) >= 1


def test_truncated_gzip_is_reported(tmp_path):
    data = gzip.compress((FORMATS / "articles.csv").read_bytes())
    (tmp_path / "cut.csv.gz").write_bytes(data[: len(data) // 2])
    batch = read_articles([tmp_path])
    assert batch.articles == ()
    assert batch.skipped[0].reason.startswith("cannot read file: Compressed file ended before")
