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


def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of the sentences of ``text``.

    Remembered for the last few thousand paragraphs of ordinary length: company
    and event extraction read the same paragraphs one after the other, and
    splitting is the slow part.
    """
    if len(text) > _REMEMBERED_CHARS:
        return tuple(_sentence_splitter().span_tokenize(text))
    return _remembered_spans(text)


_REMEMBERED_CHARS = 20_000  # a longer text is split again rather than kept


@lru_cache(maxsize=4096)
def _remembered_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_sentence_splitter().span_tokenize(text))


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


# The Danish and Norwegian legal form, whose slash would split it into two words.
_SLASHED_LEGAL_FORM = re.compile(r"\bA/S\b")
# HTML entities, including the mangled forms some feeds carry (" #39;s", "AT amp;T").
_MANGLED_ENTITY = re.compile(r"\s?(#\d{2,4};|amp;|quot;|lt;|gt;)")
# Markup left in feed text; tickers in angle brackets (<IBM>) are not markup.
_TAG = re.compile(
    r"<(?:!--.*?--|/?(?:a|b|i|u|p|br|hr|em|strong|font|span|div|img|table|tr|td|th|li|ul|ol|"
    r"h[1-6]|script|style|iframe|sup|sub|small|big|center|blockquote)\b[^<>]*)>",
    re.IGNORECASE,
)


# Characters no stored text may carry: C0 and C1 controls but tab, newline and carriage
# return, DEL, U+FFFE and U+FFFF, and lone surrogates (a JSON "\\ud800"). XML 1.0 forbids
# them, UTF-8 cannot encode a surrogate, and none of them is ever part of a story.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Text decoded from binary data is full of them, and of replacement marks (U+FFFD); real
# text has next to none. Bytes at random decode to about one such character in seven.
_BINARY_SHARE = 0.05
_BINARY_MIN_SIGNS = 8


def without_control_characters(text: str) -> str:
    """``text`` without the characters no stored text may carry (see ``_CONTROL``)."""
    return _CONTROL.sub("", text)


def scrubbed(text: str) -> tuple[str, bool]:
    """``text`` without the characters no stored text may carry, and whether it looked
    like binary data (see :func:`looks_binary`), in one pass over it."""
    cleaned, removed = _CONTROL.subn("", text)
    return cleaned, _is_binary(removed, text)


def looks_binary(text: str) -> bool:
    """Whether ``text`` is binary data read as text: more than one character in twenty
    a control character or an undecodable byte (a stray one or two in a title are
    removed, not taken for binary)."""
    return _is_binary(sum(1 for _ in _CONTROL.finditer(text)), text)


def _is_binary(controls: int, text: str) -> bool:
    signs = controls + text.count("\ufffd")
    return signs >= _BINARY_MIN_SIGNS and signs > _BINARY_SHARE * len(text)


def prepare_text(text: str) -> str:
    """Text as a reader sees it: entities decoded, markup dropped, one kind of apostrophe."""
    text = _MANGLED_ENTITY.sub(lambda m: "&" + m.group(1), text)
    text = html.unescape(text)
    text = _TAG.sub(" ", text)
    text = _SLASHED_LEGAL_FORM.sub("A.S.", text)  # "Norsk Hydro A/S": one word, as "N.V." is
    return text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
