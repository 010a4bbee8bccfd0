"""Sentence and word splitting shared by cleaning and facet extraction.

Sentences come from nltk's Punkt splitter, untrained and told the
abbreviations of business news (no downloaded data); words from one regular
expression, which runs on every word of every article, so it is compiled once
and used directly.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

# Abbreviations after which a full stop does not end a sentence in business news.
_ABBREVIATIONS = (
    "mr mrs ms dr prof sr jr st gen col lt sgt gov sen rep rev "
    "inc corp co ltd cos bros plc llc assn dept "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "u.s u.k u.n e.u no nos vs approx est fig etc e.g i.e a.m p.m"
).split()

# Words with inner apostrophes, hyphens, dots and ampersands stay whole (AT&T, Li-ion,
# U.S.); a possessive 's is split off so "Panasonic's" yields "Panasonic".
_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9&.\-]*[A-Za-z0-9]|[A-Za-z0-9]|'s\b")


@lru_cache(maxsize=1)
def _sentence_splitter() -> PunktSentenceTokenizer:
    params = PunktParameters()
    params.abbrev_types = set(_ABBREVIATIONS)
    return PunktSentenceTokenizer(params)


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph or a whole text, in order."""
    return _sentence_splitter().tokenize(text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``."""
    return list(_sentence_splitter().span_tokenize(text))


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of ``text`` (possessive ``'s`` as its own word)."""
    spans = []
    for match in _WORDS.finditer(text):
        start, end = match.span()
        # A trailing full stop belongs to the sentence, not the word ("Corp." keeps
        # its stop only when it is inside the token, as in "U.S").
        while end > start + 1 and text[end - 1] == ".":
            end -= 1
        spans.append((start, end))
    return spans


# HTML entities, including the mangled forms some feeds carry (" #39;s", "AT amp;T").
_MANGLED_ENTITY = re.compile(r"\s?(#\d{2,4};|amp;|quot;|lt;|gt;)")
# Markup left in feed text; tickers in angle brackets (<IBM>) are not markup.
_TAG = re.compile(
    r"<(?:!--.*?--|/?(?:a|b|i|u|p|br|hr|em|strong|font|span|div|img|table|tr|td|th|li|ul|ol|"
    r"h[1-6]|script|style|iframe|sup|sub|small|big|center|blockquote)\b[^<>]*)>",
    re.IGNORECASE,
)


def prepare_text(text: str) -> str:
    """Text as a reader sees it: entities decoded, markup dropped, one kind of apostrophe."""
    text = _MANGLED_ENTITY.sub(lambda m: "&" + m.group(1), text)
    text = html.unescape(text)
    text = _TAG.sub(" ", text)
    return text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
