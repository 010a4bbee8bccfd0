"""Articles from structured records (JSON Lines and the like): field mapping and checks."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from indexer.article import Article, make_article_id
from indexer.errors import InputError
from indexer.ingest.clean import join_wrapped_lines
from indexer.ingest.dates import parse_date_or_none
from indexer.ingest.streams import Line
from indexer.ingest.text_article import title_from_text

_SIGN_OFF = re.compile(r"^(?:Reuters?|AP|AFP)$")
BODY_FIELDS = ("body", "text", "content", "description")
# An article record nests two or three levels; Python's parser fails near a thousand.
MAX_NESTING = 64
# JSON strings (escapes and all) and brackets: brackets inside strings do not nest.
_BRACKET_OR_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def article_from_record(record: Any, default_id: str, id_prefix: str, origin: str) -> Article:
    """Map a record with ``title``, ``body``/``text``/``content`` and optional
    ``id``, ``date``, ``source``, ``url``, ``authors`` to an :class:`Article`.

    The record's own id, when it has one, makes the article id, so it stays the
    same however the file moves; ``default_id`` (its line) is the fallback.
    """
    if not isinstance(record, Mapping):
        raise InputError(f"expected a JSON object, got {type(record).__name__}")
    title = _text(record.get("title"))
    body = _paragraphs(next((_text(record.get(f)) for f in BODY_FIELDS if _text(record.get(f))), ""))
    if not title and not body:
        raise InputError("record has no text (no title and no body)")
    # An unreadable date loses the date, not the article: it is kept and sorts last.
    date = parse_date_or_none(_text(record.get("date")) or None)
    own_id = _text(record.get("id"))
    return Article(
        id=make_article_id(id_prefix, own_id or default_id),
        title=title or title_from_text(body),
        body=body,
        date=date,
        source=_text(record.get("source")) or None,
        author=_authors(record.get("authors", record.get("author"))),
        url=_text(record.get("url") or record.get("link")) or None,
        origin=origin,
    )


def parse_jsonl(
    lines: Iterable[Line], id_prefix: str, origin: str, max_nesting: int = MAX_NESTING
) -> Iterator[tuple[int, Article | InputError]]:
    """Each non-blank line as ``(line number, article or the error that line raised)``.

    A broken or oversized line does not stop the file: its error is yielded and the next line read.
    """
    for line in lines:
        if line.oversized:
            yield line.number, _oversized(line)
            continue
        if not line.text.strip():
            continue
        try:
            record = load_json(line.text, max_nesting)
        except InputError as error:
            yield line.number, error
            continue
        try:
            yield (
                line.number,
                article_from_record(record, f"line-{line.number}", id_prefix, f"{origin}:{line.number}"),
            )
        except (InputError, ValueError) as error:
            yield line.number, error if isinstance(error, InputError) else InputError(str(error))


def load_json(text: str, max_nesting: int = MAX_NESTING) -> Any:
    """``json.loads`` for text from outside: nesting deeper than ``max_nesting`` is refused
    before parsing (Python's parser would run out of stack), every failure an :class:`InputError`."""
    depth = _nesting(text, max_nesting)
    if depth > max_nesting:
        raise InputError(f"JSON nested over {max_nesting} levels deep")
    try:
        return json.loads(text)
    except RecursionError as error:
        raise InputError(f"JSON nested over {max_nesting} levels deep") from error
    except ValueError as error:
        where = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) and error.lineno > 1 else ""
        message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        raise InputError(f"invalid JSON: {message}{where}") from error


def _nesting(text: str, limit: int) -> int:
    """How deep arrays and objects nest in JSON text, counted up to just past ``limit``."""
    if text.count("[") + text.count("{") <= limit:
        return 0  # cannot nest deeper than it has brackets
    depth = deepest = 0
    for match in _BRACKET_OR_STRING.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                break
        elif bracket in "]}":
            depth -= 1
    return deepest


def parse_json_document(
    text: str, id_prefix: str, origin: str, max_nesting: int = MAX_NESTING
) -> Iterator[tuple[int, Article | InputError]]:
    """A JSON array of records (or an object with an "articles" or "items" array).

    Records are numbered from 1 in the order they stand in the array.
    """
    document = load_json(text, max_nesting)
    if isinstance(document, Mapping):
        document = document.get("articles", document.get("items", [document]))
    if not isinstance(document, list):
        raise InputError("expected a JSON array of articles")
    for number, record in enumerate(document, start=1):
        try:
            yield number, article_from_record(record, f"item-{number}", id_prefix, f"{origin}:item {number}")
        except InputError as error:
            yield number, error


def parse_csv(lines: Iterable[Line], id_prefix: str, origin: str) -> Iterator[tuple[int, Article | InputError]]:
    """CSV with a header row naming the columns (``title``, ``body``/``text``/``description``,
    ``date``, ``source``, ``url``, ``id``; any case). Numbers are the lines the rows start on.

    Rows are told apart before they are parsed (a newline inside quotes continues the
    row), so a row too long or malformed is reported at its own line and the rows after it
    are read on.
    """
    rows = _csv_rows(lines)
    header = next((row for row in rows if row.error or any(field.strip() for field in row.fields)), None)
    names = header.fields if header is not None and not header.error else []
    columns = {name.strip().lower(): name for name in names if name}
    if "title" not in columns and not any(field in columns for field in BODY_FIELDS):
        raise InputError(
            "CSV header has no text column (title, body, text, content or description); "
            f"found: {', '.join(columns) or 'no header'}"
        )
    for row in rows:
        if row.error:
            yield row.number, InputError(row.error)
            continue
        if not any(field.strip() for field in row.fields):
            continue
        if len(row.fields) > len(names):
            yield row.number, InputError("row has more fields than the header")
            continue
        values = dict(zip(names, row.fields, strict=False))
        record = {key: values.get(name) for key, name in columns.items()}
        try:
            yield row.number, article_from_record(record, f"line-{row.number}", id_prefix, f"{origin}:{row.number}")
        except InputError as error:
            yield row.number, error


@dataclass(frozen=True)
class _CsvRow:
    number: int  # the line it starts on
    fields: list[str]
    error: str = ""


def _csv_rows(lines: Iterable[Line]) -> Iterator[_CsvRow]:
    """The rows of CSV lines: a row goes on to the next line while a quoted field is open
    (an odd number of double quotes so far: a quote inside a field is written twice)."""
    parts: list[str] = []
    start, open_quote, oversized, length = 0, False, False, 0
    for line in lines:
        if not parts and not oversized:
            start, length = line.number, 0
        length += line.length
        oversized = oversized or line.oversized
        if not oversized:
            parts.append(line.text)
        if line.odd_quotes if line.oversized else line.text.count('"') % 2:
            open_quote = not open_quote
        if open_quote:
            continue
        if oversized:
            yield _CsvRow(start, [], f"row is {length:,} bytes, over the limit for one record")
        else:
            yield _parsed_row(start, "\n".join(parts))
        parts, oversized = [], False
    if parts or oversized:
        yield _CsvRow(start, [], "a quoted field is not closed before the end of the file")


def _parsed_row(number: int, text: str) -> _CsvRow:
    # Rows are bounded before they get here (one record's bytes), so any field fits.
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        return _CsvRow(number, [], f"malformed CSV: {error}")
    return _CsvRow(number, rows[0] if rows else [])


def _oversized(line: Line) -> InputError:
    return InputError(f"line is {line.length:,} bytes, over the limit for one record")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _authors(value: Any) -> str | None:
    if isinstance(value, list):
        names = [_text(v) for v in value if _text(v)]
        return ", ".join(names) or None
    return _text(value) or None


def _paragraphs(text: str) -> str:
    """Hard-wrapped lines joined; a blank line or an indented line starts a paragraph.

    A wire's closing sign-off (``Reuter``) is dropped: it names the source, not the story.
    """
    blocks = join_wrapped_lines(text).split("\n\n")
    if blocks and _SIGN_OFF.match(blocks[-1]):
        blocks.pop()
    return "\n\n".join(blocks)
