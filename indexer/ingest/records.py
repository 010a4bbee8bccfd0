"""Articles from structured records (JSON Lines and the like): field mapping and checks."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from indexer.article import Article, make_article_id
from indexer.errors import InputError
from indexer.ingest.clean import join_wrapped_lines
from indexer.ingest.dates import parse_date_or_none
from indexer.ingest.text_article import title_from_text

_SIGN_OFF = re.compile(r"^(?:Reuters?|AP|AFP)$")
BODY_FIELDS = ("body", "text", "content", "description")


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


def parse_jsonl(text: str, id_prefix: str, origin: str) -> Iterator[tuple[int, Article | InputError]]:
    """Each non-blank line as ``(line number, article or the error that line raised)``.

    A broken line does not stop the file: its error is yielded and the next line read.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            yield number, InputError(f"invalid JSON: {error.msg}")
            continue
        try:
            yield number, article_from_record(record, f"line-{number}", id_prefix, f"{origin}:{number}")
        except (InputError, ValueError) as error:
            yield number, error if isinstance(error, InputError) else InputError(str(error))


def parse_json_document(text: str, id_prefix: str, origin: str) -> Iterator[tuple[int, Article | InputError]]:
    """A JSON array of records (or an object with an "articles" or "items" array).

    Records are numbered from 1 in the order they stand in the array.
    """
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InputError(f"invalid JSON: {error.msg} (line {error.lineno})") from error
    if isinstance(document, Mapping):
        document = document.get("articles", document.get("items", [document]))
    if not isinstance(document, list):
        raise InputError("expected a JSON array of articles")
    for number, record in enumerate(document, start=1):
        try:
            yield number, article_from_record(record, f"item-{number}", id_prefix, f"{origin}:item {number}")
        except InputError as error:
            yield number, error


def parse_csv(text: str, id_prefix: str, origin: str) -> Iterator[tuple[int, Article | InputError]]:
    """CSV with a header row naming the columns (``title``, ``body``/``text``/``description``,
    ``date``, ``source``, ``url``, ``id``; any case). Numbers are the rows' line numbers.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = {name.strip().lower(): name for name in reader.fieldnames or () if name}
    if "title" not in columns and not any(field in columns for field in BODY_FIELDS):
        raise InputError(
            "CSV header has no text column (title, body, text, content or description); "
            f"found: {', '.join(columns) or 'no header'}"
        )
    try:
        for row in reader:
            line = reader.line_num
            record = {key: row.get(name) for key, name in columns.items()}
            if None in row:
                yield line, InputError("row has more fields than the header")
                continue
            try:
                yield line, article_from_record(record, f"line-{line}", id_prefix, f"{origin}:{line}")
            except InputError as error:
                yield line, error
    except csv.Error as error:
        yield reader.line_num, InputError(f"malformed CSV: {error}")


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
