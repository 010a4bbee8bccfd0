"""Export: the whole result set of a search as CSV and JSON Lines, from the web app and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from indexer.article import Article
from indexer.cli import main
from indexer.index.store import IndexStore
from indexer.reindex import reindex
from indexer.search.export import (
    EXPORT_COLUMNS,
    EXPORT_MAX_ROWS,
    MULTI_VALUE_SEPARATOR,
    csv_lines,
    jsonl_lines,
    safe_cell,
)
from webapp import create_app

HEADER = ["id", "title", "date", "source", "url", "companies", "technologies"]

SEARCHES = [
    "",
    "q=batteries",
    "company=Panasonic",
    "q=batteries&not_company=Toyota&sort=oldest",
    "technology=Electric+vehicles&sort=newest",
    "source=Example+Wire",
    "from=2024-01-01&to=2024-12-31",
]


def csv_rows(text: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    assert next(reader) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in reader]


def jsonl_rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def api_hits(client, query_string: str) -> list[dict]:
    """Every hit the API gives for the search, page after page."""
    hits, page = [], 1
    while True:
        answer = client.get(f"/api/search?{query_string}&per_page=100&page={page}").get_json()
        hits += answer["hits"]
        if page >= answer["pages"]:
            return hits
        page += 1


def expected_row(hit: dict) -> dict:
    return {name: hit[name] for name in ("id", "title", "date", "source", "companies", "technologies")}


@pytest.mark.parametrize("query_string", SEARCHES)
def test_jsonl_export_is_the_api_search(client, query_string):
    response = client.get(f"/export.jsonl?{query_string}")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"] == 'attachment; filename="newsfacet-export.jsonl"'
    rows = jsonl_rows(response.get_data(as_text=True))
    hits = api_hits(client, query_string)
    assert hits, "each search finds something"
    assert [{k: v for k, v in row.items() if k != "url"} for row in rows] == [expected_row(hit) for hit in hits]
    assert all(list(row) == HEADER for row in rows)
    assert response.headers["X-Total-Count"] == str(len(hits))
    assert response.headers["X-Newsfacet-Truncated"] == "false"


@pytest.mark.parametrize("query_string", SEARCHES)
def test_csv_export_is_the_api_search(client, query_string):
    response = client.get(f"/export.csv?{query_string}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="newsfacet-export.csv"'
    rows = csv_rows(response.get_data(as_text=True))
    expected = [
        {
            **expected_row(hit),
            "date": hit["date"] or "",
            "source": hit["source"] or "",
            "companies": MULTI_VALUE_SEPARATOR.join(hit["companies"]),
            "technologies": MULTI_VALUE_SEPARATOR.join(hit["technologies"]),
        }
        for hit in api_hits(client, query_string)
    ]
    assert [{k: v for k, v in row.items() if k != "url"} for row in rows] == expected


def test_export_ignores_the_page_and_carries_the_url(client):
    rows = jsonl_rows(client.get("/export.jsonl?q=chip&page=2&per_page=1").get_data(as_text=True))
    assert [(row["id"], row["url"]) for row in rows][:1] == [
        ("articles/tsmc-2024-01", "https://example.com/tsmc-japan")
    ]


def test_a_filtered_export_holds_only_the_filtered_articles(client):
    rows = jsonl_rows(client.get("/export.jsonl?company=Panasonic&not_company=Toyota").get_data(as_text=True))
    assert rows
    assert all("Panasonic" in row["companies"] and "Toyota" not in row["companies"] for row in rows)
    everything = jsonl_rows(client.get("/export.jsonl").get_data(as_text=True))
    assert len(rows) < len(everything) == 8


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_cap_cuts_the_rows_and_says_so(sample_index, fmt):
    client = create_app({"TESTING": True, "INDEX": str(sample_index.root), "EXPORT_MAX_ROWS": 3}).test_client()
    response = client.get(f"/export.{fmt}")
    text = response.get_data(as_text=True)
    rows = csv_rows(text) if fmt == "csv" else jsonl_rows(text)
    assert [row["id"] for row in rows] == [hit["id"] for hit in api_hits(client, "")][:3]
    assert response.headers["X-Newsfacet-Truncated"] == "true"
    assert response.headers["X-Total-Count"] == "8"
    assert response.headers["X-Newsfacet-Rows"] == "3"


def test_the_cap_is_configured(sample_index, monkeypatch):
    assert create_app({"INDEX": str(sample_index.root)}).config["EXPORT_MAX_ROWS"] == EXPORT_MAX_ROWS == 10_000
    monkeypatch.setenv("NEWSFACET_EXPORT_MAX_ROWS", "2")
    client = create_app({"TESTING": True, "INDEX": str(sample_index.root)}).test_client()
    assert len(jsonl_rows(client.get("/export.jsonl").get_data(as_text=True))) == 2


@pytest.mark.parametrize(
    "query_string, message",
    [
        ("from=2024-13-01", "from must be a calendar date"),
        ("sort=random", "sort must be one of relevance, newest, oldest"),
        ("role=boss", "role must be one of"),
        ("from=2024-02-01&to=2024-01-01", "from must not be after to"),
        ("q=*a*", ""),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_bad_parameters_are_the_search_pages_400(client, fmt, query_string, message):
    response = client.get(f"/export.{fmt}?{query_string}")
    page = client.get(f"/?{query_string}")
    assert response.status_code == page.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "Content-Disposition" not in response.headers


def test_the_search_page_links_its_exports(client):
    html = client.get("/?q=batteries&company=Panasonic&more=company&per_page=5&page=2").get_data(as_text=True)
    assert 'href="/export.csv?q=batteries&amp;company=Panasonic"' in html
    assert 'href="/export.jsonl?q=batteries&amp;company=Panasonic"' in html


@pytest.mark.parametrize(
    "text, safe",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Toyota", "Toyota"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_cells_cannot_start_a_formula(text, safe):
    assert safe_cell(text) == safe


def test_csv_and_jsonl_lines_without_an_index():
    article = Article(
        id="-1",
        title='=cmd|" /C calc"!A0',
        body="",
        date=datetime(2024, 3, 31, tzinfo=UTC),
        source="@Wire",
        url="https://example.com/a",
        companies=("+Plus", "Sony"),
        technologies=(),
    )
    lines = list(csv_lines([article]))
    assert lines[0] == ",".join(EXPORT_COLUMNS) + "\r\n"
    assert csv_rows("".join(lines)) == [
        {
            "id": "'-1",
            "title": '\'=cmd|" /C calc"!A0',
            "date": "2024-03-31T00:00:00+00:00",
            "source": "'@Wire",
            "url": "https://example.com/a",
            "companies": "'+Plus; Sony",
            "technologies": "",
        }
    ]
    assert jsonl_rows("".join(jsonl_lines([article]))) == [
        {
            "id": "-1",
            "title": '=cmd|" /C calc"!A0',
            "date": "2024-03-31T00:00:00+00:00",
            "source": "@Wire",
            "url": "https://example.com/a",
            "companies": ["+Plus", "Sony"],
            "technologies": [],
        }
    ]


def test_a_hostile_title_is_escaped_in_the_csv_export(tmp_path):
    records = tmp_path / "hostile.jsonl"
    records.write_text(
        json.dumps({"id": "f1", "title": "=1+2 formula", "body": "Toyota sells cars.", "source": "@Wire"}) + "\n"
    )
    store = IndexStore(tmp_path / "index")
    reindex([records], store, full=True)
    client = create_app({"TESTING": True, "INDEX": str(store.root)}).test_client()
    (row,) = csv_rows(client.get("/export.csv").get_data(as_text=True))
    assert (row["title"], row["source"]) == ("'=1+2 formula", "'@Wire")
    (line,) = jsonl_rows(client.get("/export.jsonl").get_data(as_text=True))
    assert (line["title"], line["source"]) == ("=1+2 formula", "@Wire")


@pytest.mark.parametrize(
    "options, query_string",
    [
        ([], ""),
        (["batteries"], "q=batteries"),
        (
            ["--company", "Panasonic", "--not-technology", "Smart cities"],
            "company=Panasonic&not_technology=Smart+cities",
        ),
        (["--sort", "oldest", "--from", "2024-01-01"], "sort=oldest&from=2024-01-01"),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_cli_format_writes_the_web_export(client, sample_index, fmt, options, query_string):
    result = CliRunner().invoke(
        main, ["search", *options, "--format", fmt, "--index", str(sample_index.root)], catch_exceptions=False
    )
    assert result.exit_code == 0
    # Bytes: Click's text output turns the CSV's CRLF line ends into LF.
    assert result.stdout_bytes == client.get(f"/export.{fmt}?{query_string}").get_data()
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_cli_max_rows_cuts_and_says_so(sample_index, fmt):
    result = CliRunner().invoke(
        main, ["search", "--format", fmt, "--max-rows", "2", "--index", str(sample_index.root)], catch_exceptions=False
    )
    assert result.exit_code == 0
    text = result.stdout
    assert len(csv_rows(text) if fmt == "csv" else jsonl_rows(text)) == 2
    assert "exported 2 of 8 articles" in result.stderr


def test_cli_format_and_json_are_one_or_the_other(sample_index):
    result = CliRunner().invoke(main, ["search", "--format", "csv", "--json", "--index", str(sample_index.root)])
    assert result.exit_code == 2
    assert "--json" in result.stderr
