import gzip
import re
from datetime import UTC, datetime

import pytest

from indexer.article import make_article_id
from indexer.errors import InputError
from indexer.ingest.dates import parse_date
from indexer.ingest.files import read_articles
from indexer.ingest.records import article_from_record, load_json, parse_csv
from indexer.ingest.streams import Line, read_lines
from indexer.text import looks_binary, without_control_characters

from .paths import DATA, SEED_MAZDA, SEED_TOYOTA, SEEDS


def test_seeds_folder():
    batch = read_articles([SEEDS])
    assert [a.id for a in batch.articles] == [SEED_TOYOTA, SEED_MAZDA]
    assert batch.skipped == ()


def test_jsonl_good_lines_indexed_bad_lines_reported():
    batch = read_articles([DATA / "articles.jsonl"])
    assert [a.id for a in batch.articles] == [
        "articles/tsmc-2024-01",
        "articles/byd-2024-02",
        "articles/brief-1",
        "articles/undated-1",
    ]
    reasons = {s.origin.rsplit(":", 1)[1]: s.reason for s in batch.skipped}
    assert sorted(reasons) == ["3", "4", "6"]
    assert reasons["3"].startswith("invalid JSON")
    assert reasons["4"] == "record has no text (no title and no body)"
    assert reasons["6"] == "expected a JSON object, got list"


def test_jsonl_fields():
    first = read_articles([DATA / "articles.jsonl"]).articles[0]
    assert first.date == datetime(2024, 2, 6, 9, 30, tzinfo=UTC)
    assert (first.source, first.url, first.author) == (
        "Example Wire",
        "https://example.com/tsmc-japan",
        "Jane Doe, Kenji Sato",
    )
    assert first.body.split("\n\n")[1].startswith("Sony Group and Toyota Motor Corp")


def test_mixed_folder_reports_each_bad_file():
    batch = read_articles([DATA / "mixed"])
    assert sorted(a.id for a in batch.articles) == ["header-article", "hostile"]
    reasons = {s.origin.rsplit("/", 1)[1]: s.reason for s in batch.skipped}
    assert reasons == {
        "empty.txt": "file is empty",
        "image.txt": "file is binary, not text",
        "notes.md": "unsupported file type (supported: .atom, .csv, .htm, .html, .json, .jsonl, .ndjson, "
        ".rss, .text, .txt, .xml, optionally .gz)",
    }


def test_missing_path_reported(tmp_path):
    batch = read_articles([tmp_path / "nowhere.txt"])
    assert batch.articles == ()
    assert batch.skipped[0].reason.startswith("cannot read file")


def test_duplicate_ids_reported(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/x.txt", "a/x.text"):
        (tmp_path / name).write_text("A headline here\n\nSome body text.", "utf-8")
    batch = read_articles([tmp_path / "a"])
    assert len(batch.articles) == 1
    assert "duplicate article id 'x'" in batch.skipped[0].reason


def test_file_over_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Headline\n\n" + "word " * 100, "utf-8")
    batch = read_articles([path], max_file_bytes=100)
    assert batch.skipped[0].reason == f"file is {path.stat().st_size:,} bytes, over the limit of 100"


def test_latin1_text_is_read(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Café prices rise\n\nThe café raised prices by £2.".encode("latin-1"))
    (article,) = read_articles([path]).articles
    assert article.body == "The café raised prices by £2."


def test_gzip_jsonl(tmp_path):
    import gzip

    with gzip.open(tmp_path / "feed.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write('{"id": 7, "title": "Gzipped", "body": "Body."}\n')
    (article,) = read_articles([tmp_path / "feed.jsonl.gz"]).articles
    assert (article.id, article.title) == ("feed/7", "Gzipped")


@pytest.mark.parametrize(
    "record, message",
    [
        ({"title": "", "body": ""}, "record has no text (no title and no body)"),
        ("text", "expected a JSON object, got str"),
    ],
)
def test_bad_records(record, message):
    with pytest.raises(InputError, match=re.escape(message)):
        article_from_record(record, "line-1", "f", "f:1")


def test_record_with_unreadable_date_is_kept_undated():
    article = article_from_record({"title": "T", "body": "B", "date": "not a date"}, "line-1", "f", "f:1")
    assert (article.id, article.date) == ("f/line-1", None)


def test_record_text_field_and_wrapped_lines():
    article = article_from_record(
        {"title": "T", "text": "Line one\nwraps here.\n    New paragraph.\n\n Reuter"}, "line-1", "f", "f:1"
    )
    assert article.body == "Line one wraps here.\n\nNew paragraph."


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-03-31", datetime(2024, 3, 31, tzinfo=UTC)),
        ("2024-03-31T10:00:00+09:00", datetime(2024, 3, 31, 1, tzinfo=UTC)),
        ("2024-03-31T10:00:00Z", datetime(2024, 3, 31, 10, tzinfo=UTC)),
        ("Tue, 02 Jan 2024 08:00:00 +0000", datetime(2024, 1, 2, 8, tzinfo=UTC)),
        ("26-FEB-1987 15:01:01.79", datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC)),
        ("Fri, 17 July 2020", datetime(2020, 7, 17, tzinfo=UTC)),
        ("27-MAR-1987 00:02:59.13RM", datetime(1987, 3, 27, 0, 2, 59, 130000, tzinfo=UTC)),
        ("27-MAR-1987 03:48:23.00F RM", datetime(1987, 3, 27, 3, 48, 23, tzinfo=UTC)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "31/31/2024"])
def test_parse_date_rejects(text):
    with pytest.raises(InputError):
        parse_date(text)


@pytest.mark.parametrize(
    "parts, expected",
    [
        (("seeds/000_abc",), "seeds/000_abc"),
        (("../../etc/passwd",), "etc/passwd"),
        (("feed", "tech/074"), "feed/tech/074"),
        (("a b?c",), "a-b-c"),
    ],
)
def test_make_article_id(parts, expected):
    assert make_article_id(*parts) == expected


@pytest.mark.parametrize(
    "text, binary, kept",
    [
        ("Plain text\twith tabs\nand lines.", False, "Plain text\twith tabs\nand lines."),
        ("A bell\u0007, an escape\u001b[0m, a non-character\ufffe.", False, "A bell, an escape[0m, a non-character."),
        ("Lone surrogate \ud800 and C1 \u0085 control.", False, "Lone surrogate  and C1  control."),
        ("\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008 short", True, " short"),
        ("x\ufffd" * 100, True, "x\ufffd" * 100),
    ],
    ids=["clean", "stray-controls", "surrogate-and-c1", "mostly-controls", "undecodable"],
)
def test_control_characters(text, binary, kept):
    assert (looks_binary(text), without_control_characters(text)) == (binary, kept)


@pytest.mark.parametrize(
    "text, error",
    [
        ('{"a": [[[1]]]}', ""),
        ('{"a": "' + "[" * 100 + '"}', ""),  # brackets in a string do not nest
        ("[" * 65 + "]" * 65, "JSON nested over 64 levels deep"),
        ("[" * 100_000 + "]" * 100_000, "JSON nested over 64 levels deep"),
        ('{"a": 1', "invalid JSON: Expecting ',' delimiter"),
    ],
)
def test_json_nesting_is_bounded(text, error):
    assert _load_error(text) == error


def _load_error(text: str) -> str:
    try:
        load_json(text)
    except InputError as raised:
        return str(raised)
    return ""


def test_lines_over_the_bound_are_measured_not_kept(tmp_path):
    path = tmp_path / "lines.jsonl.gz"
    path.write_bytes(gzip.compress(b"short\n" + b"x" * 50 + b"\n\xe9t\xe9\nlast"))
    assert list(read_lines(path, max_line_bytes=20, max_file_bytes=1000)) == [
        Line(1, "short", 6),
        Line(2, "", 51, oversized=True),
        Line(3, "été", 4, utf8=False),
        Line(4, "last", 4),
    ]
    with pytest.raises(InputError, match=r"file unpacks to over the limit of 30 bytes \(at line 2\)"):
        list(read_lines(path, max_line_bytes=20, max_file_bytes=30))


def test_a_gzip_cut_short_yields_only_whole_lines(tmp_path):
    data = gzip.compress(b"".join(b"line %d\n" % n for n in range(100_000)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    lines = []
    with pytest.raises(InputError, match=r"cannot read file: Compressed file ended before .* \(after line \d+\)"):
        lines.extend(read_lines(path, max_line_bytes=100, max_file_bytes=10**9))
    assert lines and all(line.text == f"line {line.number - 1}" for line in lines)


def test_csv_rows_span_lines_inside_quotes(tmp_path):
    lines = [
        Line(n, text, len(text) + 1) for n, text in enumerate(["title,body", '"A","one', 'two"', "", 'B,"x ""y"""'], 1)
    ]
    assert [(n, a.title, a.body) for n, a in parse_csv(lines, "f", "f.csv")] == [
        (2, "A", "one two"),
        (5, "B", 'x "y"'),
    ]
