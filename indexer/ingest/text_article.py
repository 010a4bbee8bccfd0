"""Plain-text articles like the seeds: headline, date, source, author and clean body.

Text copied out of a news page carries the page with it. This module finds the
story in it; it reads strings and returns an :class:`Article`, no files involved.
"""

from __future__ import annotations

import re
import unicodedata

from indexer.article import Article
from indexer.errors import InputError
from indexer.ingest.clean import clean_lines, ends_sentence
from indexer.ingest.dates import parse_date_or_none
from indexer.text import split_sentences

_HEADER_FIELD = re.compile(r"^(title|date|source|url|author|id):[ \t]*(.*)$", re.IGNORECASE)
_LEADING_DATE = re.compile(r"^\s*date[ \t]+(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?)\s*", re.IGNORECASE)
# "(MENAFN) In a move ..." or "TOKYO (Reuters) - Toyota ...": the wire or publisher.
_LEADING_SOURCE = re.compile(r"^(?:[A-Z][A-Z .,'-]{1,40}\s)?\(([A-Z][A-Za-z0-9&.' -]{1,30})\)\s*(?:[-–—]\s*)?")
# Clauses that open a sentence before its subject ("In a move aimed at ..., ").
_LEADING_CLAUSE = re.compile(
    r"^(?:in|as|after|amid|while|with|following|despite|according|to|under|since|during|on|at)\b[^,]{8,160},\s+",
    re.IGNORECASE,
)
_TITLE_MAX_CHARS = 110


def parse_text_article(text: str, article_id: str, origin: str = "") -> Article:
    """Parse one plain-text article.

    An optional header block (``Title:``, ``Date:``, ``Source:``, ``URL:``,
    ``Author:`` lines before a blank line) is read first. Otherwise the headline
    is the first short line standing alone; a text without one gets a title from
    its first sentence. A leading ``date YYYY-MM-DD`` and a ``(SOURCE)`` dateline
    become the date and source.
    """
    text = _normalize(text)
    if not text.strip():
        raise InputError("empty article")
    header, text = _split_header(text)
    date = parse_date_or_none(header.get("date"))
    source = header.get("source") or None

    match = _LEADING_DATE.match(text)
    if match:
        date = date or parse_date_or_none(match.group(1))
        text = text[match.end() :]
    match = _LEADING_SOURCE.match(text.lstrip())
    if match:
        source = source or match.group(1).strip()
        text = text.lstrip()[match.end() :]

    cleaned = clean_lines(text.split("\n"))
    paragraphs = list(cleaned.paragraphs)
    if not paragraphs:
        raise InputError("no article text left after removing page furniture")
    title = header.get("title") or None
    if title is None and len(paragraphs) > 1 and _looks_like_headline(paragraphs[0]):
        title = paragraphs.pop(0)
    if title is None:
        title = title_from_text(paragraphs[0])
    return Article(
        id=header.get("id") or article_id,
        title=title,
        body="\n\n".join(paragraphs),
        date=date,
        source=source,
        author=header.get("author") or cleaned.author,
        url=header.get("url") or None,
        origin=origin,
    )


def title_from_text(paragraph: str) -> str:
    """A short title from the first sentence of a text that has no headline.

    A leading clause before the subject ("In a move aimed at ..., ") is dropped,
    and a long sentence is cut at a word boundary with an ellipsis.
    """
    sentences = split_sentences(paragraph)
    sentence = sentences[0] if sentences else paragraph
    shorter = _LEADING_CLAUSE.sub("", sentence, count=1)
    if shorter != sentence and len(shorter.split()) >= 4:
        sentence = shorter[:1].upper() + shorter[1:]
    sentence = sentence.rstrip(" .")
    if len(sentence) <= _TITLE_MAX_CHARS:
        return sentence
    cut = sentence[:_TITLE_MAX_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return f"{cut}…"


def _looks_like_headline(paragraph: str) -> bool:
    words = paragraph.split()
    return (
        2 <= len(words) <= 30
        and len(paragraph) <= 200
        and not paragraph.endswith(".")
        and not (ends_sentence(paragraph) and paragraph.endswith((";", ":")))
    )


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    return re.sub(r"[ \t\f\v]+", " ", text)


def _split_header(text: str) -> tuple[dict[str, str], str]:
    lines = text.lstrip("\n").split("\n")
    header: dict[str, str] = {}
    for index, line in enumerate(lines):
        if not line.strip():
            if header:
                return header, "\n".join(lines[index + 1 :])
            break
        match = _HEADER_FIELD.match(line.strip())
        if not match:
            break
        header[match.group(1).lower()] = match.group(2).strip()
    return {}, text
