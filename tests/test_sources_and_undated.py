"""Every article has a source, and undated articles a month value of their own ("Undated").

Real files in a temporary folder are read and indexed: JSON Lines (gzipped and not) with and
without a source field, CSV without a source column, an Atom feed with a title and an RSS feed
without one, a folder of plain-text articles. The sources and the Undated value are then read
back through the search page and the JSON API.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pytest

from indexer.article import Article
from indexer.index.store import IndexStore
from indexer.ingest.files import READERS, read_articles
from indexer.ingest.sources import fallback_source
from indexer.reindex import reindex
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService
from webapp import create_app

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Tech Wire</title>
  <id>urn:example:tech</id>
  <updated>2024-03-01T10:00:00Z</updated>
  <entry>
    <title>Nvidia opens a design centre in Munich</title>
    <id>urn:example:tech:1</id>
    <updated>2024-03-01T10:00:00Z</updated>
    <summary>Nvidia Corp said it will open a chip design centre in Munich with 300 engineers.</summary>
  </entry>
</feed>
"""

# A feed whose channel has no title: its articles are named after the file.
UNTITLED_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <item>
    <title>Siemens wins a rail signalling order</title>
    <guid>untitled-1</guid>
    <description>Siemens Mobility will equip a commuter line with digital signalling.</description>
  </item>
</channel></rss>
"""


def _jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode("utf-8")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """A folder of every kind of input, most of them naming no source."""
    root = tmp_path_factory.mktemp("sources") / "news"
    (root / "ft_archive").mkdir(parents=True)
    (root / "reuters.jsonl.gz").write_bytes(
        gzip.compress(
            _jsonl(
                [
                    {"id": "r1", "title": "Toyota raises battery output", "body": "Toyota said.", "date": "2024-01-05"},
                    {"id": "r2", "title": "Honda recalls scooters", "body": "Honda said.", "date": "2024-02-10"},
                    {"id": "r3", "title": "Sony sells a film unit", "body": "Sony said."},
                ]
            )
        )
    )
    (root / "bbc_news.jsonl").write_bytes(
        _jsonl(
            [
                {
                    "id": "b1",
                    "title": "Arsenal signs a kit deal with Adidas",
                    "body": "Adidas said.",
                    "date": "2024-01-20",
                    "source": "BBC Sport",
                },
                {"id": "b2", "title": "BP cuts its solar spending", "body": "BP said."},
            ]
        )
    )
    (root / "wire.csv").write_text(
        "id,title,body,date\nc1,Intel delays an Ohio plant,Intel said on Thursday.,2024-02-01\n", encoding="utf-8"
    )
    (root / "tech.atom").write_text(ATOM, encoding="utf-8")
    (root / "untitled.rss").write_text(UNTITLED_RSS, encoding="utf-8")
    (root / "ft_archive" / "one.txt").write_text(
        "Title: Unilever sells its tea business\nDate: 2024-01-02\n\nUnilever agreed to sell its tea arm.\n",
        encoding="utf-8",
    )
    (root / "ft_archive" / "two.txt").write_text(
        "Title: Shell buys a charging network\n\nShell agreed to buy a network of chargers.\n", encoding="utf-8"
    )
    (root / "ft_archive" / "three.txt").write_text(
        "date 2024-03-15\nTOKYO (Reuters) - Panasonic will build a battery plant in Osaka. It opens next year.\n",
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize(
    "path, fallback",
    [
        ("/data/reuters.jsonl.gz", "reuters"),
        ("/data/bbc_news.jsonl.gz", "bbc_news"),
        ("/data/Wire.CSV", "Wire"),
        ("/data/news.2024.ndjson", "news.2024"),
        ("/data/export.json", "export"),
        ("/feeds/tech.atom", "tech"),
        ("/feeds/markets.xml.gz", "markets"),
        ("/archive/ft_archive/2024-03-31.txt", "ft_archive"),
        ("/archive/saved_pages/story.html.gz", "saved_pages"),
        ("/loose.txt", None),
    ],
)
def test_the_fallback_source_is_the_data_set_name(path, fallback):
    suffix = "." + path.removesuffix(".gz").rsplit(".", 1)[1].lower()
    assert fallback_source(PurePosixPath(path), suffix, READERS) == fallback


@pytest.mark.parametrize(
    "title, source",
    [
        ("Toyota raises battery output", "reuters"),  # JSON Lines, gzipped, no source field
        ("Sony sells a film unit", "reuters"),
        ("Arsenal signs a kit deal with Adidas", "BBC Sport"),  # the record's own field wins
        ("BP cuts its solar spending", "bbc_news"),
        ("Intel delays an Ohio plant", "wire"),  # CSV without a source column
        ("Nvidia opens a design centre in Munich", "Example Tech Wire"),  # the feed's title
        ("Siemens wins a rail signalling order", "untitled"),  # a feed without a title: its file
        ("Unilever sells its tea business", "ft_archive"),  # a folder of text files: the folder
        ("Shell buys a charging network", "ft_archive"),
        ("Panasonic will build a battery plant in Osaka", "Reuters"),  # the text's own dateline wins
    ],
)
def test_every_article_has_a_source(inputs, title, source):
    batch = read_articles([inputs])
    assert not batch.skipped
    by_title = {article.title: article for article in batch.articles}
    assert by_title[title].source == source


def test_a_text_file_given_by_itself_is_named_after_its_folder(tmp_path):
    folder = tmp_path / "press_releases"
    folder.mkdir()
    (folder / "note.txt").write_text("Title: Acme opens a plant\n\nAcme opened a plant.\n", encoding="utf-8")
    (article,) = read_articles([folder / "note.txt"]).articles
    assert (article.id, article.source) == ("note", "press_releases")


SOURCES = {
    "reuters": 3,
    "ft_archive": 2,
    "BBC Sport": 1,
    "bbc_news": 1,
    "wire": 1,
    "Example Tech Wire": 1,
    "untitled": 1,
    "Reuters": 1,
}
MONTHS = {"2024-03": 2, "2024-02": 2, "2024-01": 3, "Undated": 4}


@pytest.fixture(scope="module")
def store(inputs, tmp_path_factory) -> IndexStore:
    store = IndexStore(tmp_path_factory.mktemp("sources-index") / "index")
    report = reindex([inputs], store, full=True)
    assert not report.skipped
    return store


@pytest.fixture(scope="module")
def client(store):
    return create_app({"TESTING": True, "INDEX": str(store.root)}).test_client()


def _api(client, query: str = "") -> dict:
    response = client.get(f"/api/search?per_page=100&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _counts(data: dict, facet: str) -> dict[str, int]:
    return {value["value"]: value["count"] for value in data["facets"][facet]}


def test_incremental_reindex_leaves_the_named_articles_alone(inputs, store):
    again = reindex([inputs], store)
    assert (again.written.added, again.written.updated, again.written.removed) == (0, 0, 0)
    assert again.written.unchanged == sum(SOURCES.values())


def test_sources_in_the_api_and_on_the_page(client):
    data = _api(client)
    assert _counts(data, "source") == SOURCES
    assert all(hit["source"] for hit in data["hits"])
    reuters = _api(client, "source=reuters")
    assert {hit["title"] for hit in reuters["hits"]} == {
        "Toyota raises battery output",
        "Honda recalls scooters",
        "Sony sells a film unit",
    }
    page = client.get("/?per_page=100").get_data(as_text=True)
    for source in SOURCES:
        assert f'data-value="{source}"' in page


def test_undated_is_a_month_value_after_the_oldest(client):
    data = _api(client)
    assert _counts(data, "month") == MONTHS
    assert [value["value"] for value in data["facets"]["month"]] == ["2024-03", "2024-02", "2024-01", "Undated"]


@pytest.mark.parametrize(
    "query, total, undated_count",
    [
        ("month=Undated", 4, 4),
        ("not_month=Undated", 7, 4),  # a facet is counted without its own filter: Undated still shows 4
        ("month=Undated&month=2024-01", 7, 4),
        ("month=Undated&source=reuters", 1, 1),
        ("month=Undated&not_source=ft_archive", 3, 3),
        ("source=wire", 1, 0),
        ("q=said&month=Undated", 2, 2),
    ],
)
def test_undated_is_selected_and_excluded_like_any_month(client, query, total, undated_count):
    data = _api(client, query)
    assert data["total"] == total
    assert _counts(data, "month").get("Undated", 0) == undated_count
    if "not_month=Undated" in query:
        assert all(hit["date"] for hit in data["hits"])
    elif "month=Undated" in query and "2024-01" not in query:
        assert not any(hit["date"] for hit in data["hits"])


def test_the_page_selects_and_excludes_undated(client):
    selected = client.get("/?month=Undated").get_data(as_text=True)
    assert re.search(r'class="facet-value selected"\s+aria-current="true" data-value="Undated"', selected)
    excluded = client.get("/?not_month=Undated").get_data(as_text=True)
    assert re.search(r'class="facet-value excluded" data-value="Undated"', excluded)


def test_the_api_document_names_the_undated_value(client):
    document = client.get("/api/openapi.json").get_json()
    (month,) = [p for p in document["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "month"]
    assert "Undated" in month["description"]


def test_undated_is_listed_beyond_the_twelve_newest_months(tmp_path):
    store = IndexStore(tmp_path / "index")
    dated = [
        Article(id=f"m{month}", title=f"Story {month}", body="Words.", date=datetime(2023, month, 1, tzinfo=UTC))
        for month in range(1, 13)
    ]
    dated += [Article(id="m13", title="Story 13", body="Words.", date=datetime(2024, 1, 1, tzinfo=UTC))]
    store.rebuild([*dated, Article(id="u", title="Undated story", body="Words.")])
    service = SearchService(store)
    (months,) = [f for f in service.search(SearchRequest()).facets if f.name == "month"]
    values = [(v.value, v.count) for v in months.values]
    assert (len(values), values[0], values[-1], months.truncated) == (13, ("2024-01", 1), ("Undated", 1), True)
    assert service.search(SearchRequest(filters={"month": ("Undated",)})).total == 1
    service.close()


def test_undated_articles_keep_index_order_however_the_index_is_cut_into_segments(tmp_path):
    """A segment with dates holds some value for its undated documents, one without holds none:
    either way undated articles come last in index order, as in one segment."""

    def article(article_id: str, date: datetime | None) -> Article:
        return Article(id=article_id, title=f"Title {article_id}", body="Body text.", date=date)

    first, dated, second = article("u1", None), article("d", datetime(2024, 3, 1, tzinfo=UTC)), article("u2", None)
    one, parts = IndexStore(tmp_path / "one"), IndexStore(tmp_path / "parts")
    one.rebuild([first, dated, second])
    parts.rebuild_in_parts([lambda: [first], lambda: [dated, second]])
    for store in (one, parts):
        service = SearchService(store)
        try:
            for sort in ("newest", "oldest"):
                assert [hit.id for hit in service.search(SearchRequest(sort=sort)).hits] == ["d", "u1", "u2"], sort
        finally:
            service.close()
