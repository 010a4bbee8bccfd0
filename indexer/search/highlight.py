"""The one highlighter: matched words marked in result excerpts and on the article page.

Whoosh's highlighter runs the whole analyzer chain over every fragment of
every hit, which cost more than the search itself. Here a text is scanned
once for words that may stem to a query term, only those are stemmed (stems
are cached), and a word is marked when its stem, or the word itself in lower
case, is one of the terms. An excerpt is the window of text holding the most
matched words. Text is HTML-escaped; matched words alone are wrapped in
``<mark>``.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable

SNIPPET_CHARS = 240
CONTEXT_CHARS = 90


def lead(body: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of the body, cut at a word, as escaped HTML: the excerpt when nothing matched."""
    text = body[:limit]
    if len(body) > limit:
        text = text.rsplit(" ", 1)[0] + " …"
    return html.escape(text, quote=False)


def snippet(body: str, terms: frozenset[str], stem: Callable[[str], str], limit: int = SNIPPET_CHARS) -> str:
    """The window of about ``limit`` characters with the most matched words, marked; or the lead.

    ``terms`` are index terms (stems); a word matches when its stem, or the
    word itself in lower case, is one of them.
    """
    matches = _matched_words(body, terms, stem)
    if not matches:
        return lead(body, limit)
    start, end = _best_window(body, matches, limit)
    text = " ".join(_marked(body, matches, start, end).split())  # newlines and runs of spaces read as one space
    return f"{'… ' if start > 0 else ''}{text}{' …' if end < len(body) else ''}"


def marked_paragraphs(body: str, terms: frozenset[str], stem: Callable[[str], str]) -> tuple[str, ...]:
    """The body's paragraphs as escaped HTML, every matched word marked (the article page)."""
    paragraphs = [paragraph for paragraph in body.split("\n\n") if paragraph.strip()]
    return tuple(
        _marked(paragraph, _matched_words(paragraph, terms, stem), 0, len(paragraph)) for paragraph in paragraphs
    )


def _matched_words(text: str, terms: frozenset[str], stem: Callable[[str], str]) -> list[tuple[int, int]]:
    """Start and end of each word in ``text`` that matches one of ``terms``."""
    if not terms:
        return []
    return [
        (m.start(), m.end())
        for m in _candidates(terms).finditer(text)
        if (word := m.group().lower()) in terms or stem(word) in terms
    ]


def _marked(text: str, matches: list[tuple[int, int]], start: int, end: int) -> str:
    """``text[start:end]`` escaped, with the matched words inside it in ``<mark>``."""
    parts, position = [], start
    for first, last in matches:
        if first >= start and last <= end:
            parts.append(html.escape(text[position:first], quote=False))
            parts.append(f"<mark>{html.escape(text[first:last], quote=False)}</mark>")
            position = last
    parts.append(html.escape(text[position:end], quote=False))
    return "".join(parts)


@functools.lru_cache(maxsize=256)
def _candidates(terms: frozenset[str]) -> re.Pattern[str]:
    """Words that may stem to one of ``terms``: those starting as a stem does, less its last
    letter (Snowball turns a final "y" into "i"). Only these are stemmed, not every word."""
    starts = sorted({re.escape(term[: max(2, len(term) - 1)]) for term in terms}, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(starts)})\w*(?:\.?\w+)*", re.IGNORECASE | re.UNICODE)


def _best_window(body: str, matches: list[tuple[int, int]], limit: int) -> tuple[int, int]:
    """Start and end of the excerpt: the first window of ``limit`` characters holding the
    most matches, with some context before its first match, cut at spaces."""
    best, best_count, last = 0, 0, 0
    for index, (first, _) in enumerate(matches):
        last = max(last, index)
        while last + 1 < len(matches) and matches[last + 1][1] - first <= limit - CONTEXT_CHARS // 2:
            last += 1
        if last - index + 1 > best_count:
            best, best_count = index, last - index + 1
    first = matches[best][0]
    start = max(0, first - CONTEXT_CHARS)
    if start > 0:  # begin after a space, never inside a word
        space = body.find(" ", start, first)
        start = first if space < 0 else space + 1
    end = min(len(body), start + limit)
    if end < len(body):  # end at a space, never inside a word
        space = body.rfind(" ", max(start, matches[best][1]), end)
        end = space if space > 0 else end
    return start, end
