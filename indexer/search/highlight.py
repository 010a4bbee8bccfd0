"""Search-result excerpts: the part of an article that best shows why it matched.

Whoosh's highlighter runs the whole analyzer chain over every fragment of
every hit, which cost more than the search itself. Here a hit's body is
tokenized once with the same word pattern, each word's stem is looked up
(stems are cached), and the excerpt is the window of text holding the most
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


def snippet(body: str, terms: frozenset[str], stem: Callable[[str], str],
            limit: int = SNIPPET_CHARS) -> str:
    """The window of about ``limit`` characters with the most matched words, marked; or the lead.

    ``terms`` are index terms (stems); a word matches when its stem, or the
    word itself in lower case, is one of them.
    """
    matches = [(m.start(), m.end()) for m in _candidates(terms).finditer(body)
               if (word := m.group().lower()) in terms or stem(word) in terms]
    if not matches:
        return lead(body, limit)
    start, end = _best_window(body, matches, limit)
    parts, position = [], start
    for first, last in matches:
        if first >= start and last <= end:
            parts.append(html.escape(body[position:first], quote=False))
            parts.append(f"<mark>{html.escape(body[first:last], quote=False)}</mark>")
            position = last
    parts.append(html.escape(body[position:end], quote=False))
    text = " ".join("".join(parts).split())  # newlines and runs of spaces read as one space
    return f"{'… ' if start > 0 else ''}{text}{' …' if end < len(body) else ''}"


@functools.lru_cache(maxsize=256)
def _candidates(terms: frozenset[str]) -> re.Pattern[str]:
    """Words that may stem to one of ``terms``: those starting as a stem does, less its last
    letter (Snowball turns a final "y" into "i"). Only these are stemmed, not every word."""
    starts = sorted({re.escape(term[:max(2, len(term) - 1)]) for term in terms}, key=len, reverse=True)
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
