"""Saved web pages: the article's main text and metadata, found by trafilatura.

trafilatura is made for news pages: it finds the story among navigation,
adverts, scripts and styles, and reads title, date, author and site name from
the page's metadata.
"""

from __future__ import annotations

import html

import trafilatura

from indexer.article import Article
from indexer.errors import InputError
from indexer.ingest.dates import parse_date_or_none
from indexer.ingest.text_article import title_from_text


def parse_html_article(html: str, article_id: str, origin: str = "") -> Article:
    """Parse one saved news page. Raises :class:`InputError` when it holds no article text."""
    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    text = (getattr(document, "text", None) or "").strip() if document is not None else ""
    if not text:
        raise InputError("no article text found in the page")
    title = (document.title or "").strip()
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if title and lines and lines[0] == title:
        lines = lines[1:]  # trafilatura repeats the headline as the first line
    if not lines:
        raise InputError("the page has a headline but no article text")
    body = "\n\n".join(lines)
    return Article(
        id=article_id,
        title=title or title_from_text(lines[0]),
        body=body,
        date=parse_date_or_none(document.date),
        source=(document.sitename or "").strip() or None,
        author=(document.author or "").strip() or None,
        url=(document.url or "").strip() or None,
        origin=origin,
    )


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's summary), paragraphs kept apart.

    A fragment without tags is still HTML: its entities are decoded ("AT&amp;T").
    """
    if "<" not in fragment:
        return html.unescape(fragment).strip()
    page = f"<html><body><article>{fragment}</article></body></html>"
    text = (
        trafilatura.extract(page, favor_recall=True, include_comments=False)
        or trafilatura.html2txt(page, clean=True)
        or ""
    )
    return "\n\n".join(line.strip() for line in text.split("\n") if line.strip())
