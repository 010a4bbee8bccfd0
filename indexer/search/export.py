"""Export: the whole result set of a search, not one page, as CSV or JSON Lines.

The web app (``/export.csv``, ``/export.jsonl``) and ``newsfacet search --format``
export through here, so an export holds exactly the articles its search finds,
in the search's order, up to a cap. The order is fixed once, from one state of
the index (:meth:`SearchService.ordered_ids`); the articles are then read a
batch at a time while the answer is written, so a large export never holds
every article in memory and never holds a searcher for its whole length.

A result set larger than the cap is cut at the cap; :attr:`Export.truncated`
says so, and every caller must tell the person (a header, a line on stderr).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from indexer.article import Article
from indexer.search.request import SearchRequest
from indexer.search.serialize import NULLABLE_STRING, STRING, STRINGS, JsonField, to_json
from indexer.search.service import SearchService

EXPORT_MAX_ROWS = 10_000  # the default cap (NEWSFACET_EXPORT_MAX_ROWS, --max-rows)
BATCH_ROWS = 200  # articles read from the index at a time
MULTI_VALUE_SEPARATOR = "; "  # between a CSV cell's companies or technologies
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


# One exported article: the same names and values as the API's hits, plus its address.
EXPORT_FIELDS = (
    JsonField("id", STRING, lambda a: a.id),
    JsonField("title", STRING, lambda a: a.title),
    JsonField("date", {**NULLABLE_STRING, "format": "date-time"}, lambda a: _iso(a.date)),
    JsonField("source", NULLABLE_STRING, lambda a: a.source),
    JsonField("url", NULLABLE_STRING, lambda a: a.url, "Where the article was published, when known."),
    JsonField("companies", STRINGS, lambda a: list(a.companies)),
    JsonField("technologies", STRINGS, lambda a: list(a.technologies)),
)
EXPORT_COLUMNS = tuple(field.name for field in EXPORT_FIELDS)


@dataclass(frozen=True)
class Export:
    """What an export will write: how many articles the search finds and the ids of those it exports."""

    total: int
    ids: tuple[str, ...]
    max_rows: int

    @property
    def truncated(self) -> bool:
        """True when the search finds more articles than the cap lets the export hold."""
        return self.total > len(self.ids)


def start_export(service: SearchService, request: SearchRequest, max_rows: int = EXPORT_MAX_ROWS) -> Export:
    """The export of ``request``'s whole result set, at most ``max_rows`` articles.

    The page and page size of ``request`` do not apply. A request the search
    refuses is refused here, before anything is written.
    """
    total, ids = service.ordered_ids(request, max_rows)
    return Export(total, ids, max_rows)


def export_articles(service: SearchService, export: Export, batch: int = BATCH_ROWS) -> Iterator[Article]:
    """The exported articles in the search's order, read ``batch`` at a time; one a reindex
    removed since the export started is left out."""
    for start in range(0, len(export.ids), batch):
        yield from service.articles(export.ids[start : start + batch])


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it rather than runs it: with a leading apostrophe when it
    starts like a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = MULTI_VALUE_SEPARATOR.join(value)
    return safe_cell(str(value))


def _csv_line(cells: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def csv_lines(articles: Iterable[Article]) -> Iterator[str]:
    """A header row, then one CSV row per article (RFC 4180, CRLF line ends); companies and
    technologies are joined by ``"; "``, and no cell can start a formula."""
    yield _csv_line(EXPORT_COLUMNS)
    for article in articles:
        yield _csv_line(_cell(field.read(article)) for field in EXPORT_FIELDS)


def jsonl_lines(articles: Iterable[Article]) -> Iterator[str]:
    """One JSON object per article and line: companies and technologies as lists, the date ISO or null."""
    for article in articles:
        yield json.dumps(to_json(EXPORT_FIELDS, article), ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    lines: Callable[[Iterable[Article]], Iterator[str]]

    @property
    def filename(self) -> str:
        return f"newsfacet-export.{self.name}"


FORMATS = {
    "csv": ExportFormat("csv", "text/csv; charset=utf-8", csv_lines),
    "jsonl": ExportFormat("jsonl", "application/x-ndjson", jsonl_lines),
}
