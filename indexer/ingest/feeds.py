"""RSS and Atom feeds: one article per entry, read with feedparser.

feedparser copes with the many dialects of real feeds; a feed that is not
well-formed is still read as far as it goes, and reported.
"""

from __future__ import annotations

import io
from calendar import timegm
from collections.abc import Iterator
from datetime import UTC, datetime

import feedparser

from indexer.article import Article, SkippedInput, make_article_id
from indexer.errors import InputError
from indexer.ingest.dates import parse_date_or_none
from indexer.ingest.html_article import html_to_text
from indexer.ingest.text_article import title_from_text


def parse_feed(data: bytes, id_prefix: str, origin: str) -> Iterator[Article | SkippedInput]:
    """Articles from a feed's entries, and a report when the feed is not well-formed.

    The feed is parsed from the bytes given, never fetched: feedparser would
    treat a string that looks like an address as one.
    """
    parsed = feedparser.parse(io.BytesIO(data))
    entries = parsed.entries
    if parsed.bozo:
        error = parsed.get("bozo_exception")
        yield SkippedInput(
            origin,
            f"feed is not well-formed ({_reason(error)}); "
            f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} salvaged",
        )
    if not entries and not parsed.bozo:
        yield SkippedInput(origin, "feed has no entries")
    source = (parsed.feed.get("title") or "").strip() or None
    for number, entry in enumerate(entries, start=1):
        try:
            yield _entry_article(entry, number, id_prefix, origin, source)
        except (InputError, ValueError) as error:
            yield SkippedInput(f"{origin}:entry {number}", str(error))


def _entry_article(entry, number: int, id_prefix: str, origin: str, source: str | None) -> Article:
    content = entry.get("content") or []
    html = content[0].get("value", "") if content else entry.get("summary", "")
    body = html_to_text(html or "")
    title = html_to_text(entry.get("title", "")).replace("\n\n", " ").strip()
    if not title and not body:
        raise InputError("entry has no text (no title and no summary or content)")
    own_id = (entry.get("id") or entry.get("link") or "").strip()
    return Article(
        id=make_article_id(id_prefix, own_id or f"entry-{number}"),
        title=title or title_from_text(body),
        body=body,
        date=_entry_date(entry),
        source=source,
        author=(entry.get("author") or "").strip() or None,
        url=(entry.get("link") or "").strip() or None,
        origin=f"{origin}:entry {number}",
    )


def _entry_date(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(timegm(value), tz=UTC)
    return parse_date_or_none(entry.get("published") or entry.get("updated"))


def _reason(error: BaseException | None) -> str:
    message = str(error or "unknown error").strip()
    return message.splitlines()[0][:120] if message else type(error).__name__
