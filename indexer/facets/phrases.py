"""Phrases matched on stems: the trie that technologies and event triggers are found with.

A phrase's words are matched on their Snowball stems, so plurals and
inflections match; a word with capitals after its first letter or with a digit
(``EV``, ``5G``) is an acronym and matches only as written (plus a plural
``s``); a phrase starting with ``=`` matches only as written, for words whose
stem is too common.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from indexer.stemming import stem

# Decimals stay whole, so "2.5G" is not "5G".
TOKEN = re.compile(r"[A-Za-z0-9]+(?:\.[0-9][A-Za-z0-9]*)*")
# A word written with capitals after its first letter, or with a digit, is an
# acronym (EV, IoT, 5G): it must match exactly so "ev" in "event" or "Ai" in a
# name never count.
_ACRONYM = re.compile(r"[A-Z].*[A-Z]|\d|^[A-Z]+$")


def insert_phrase(trie: dict, phrase: str, value: object) -> None:
    """Add ``phrase`` to ``trie``, ending in ``value`` (the first value inserted for a phrase stays)."""
    keys = phrase_keys(phrase)
    if not keys:
        return
    node = trie
    for key in keys:
        node = node.setdefault(key, {})
    node.setdefault("", value)


def phrase_keys(phrase: str) -> tuple[str, ...]:
    """Trie keys of a phrase: ``=`` and the token for acronyms, ``~`` and the lower-case
    word for words marked to match as written, else the stem."""
    if phrase.startswith("="):
        return tuple("~" + token.lower() for token in TOKEN.findall(phrase))
    return tuple("=" + token if _is_acronym(token) else stem(token.lower()) for token in TOKEN.findall(phrase))


def may_start(trie: dict, token: str) -> bool:
    """Whether a phrase of the trie may start with ``token``."""
    lower = token.lower()
    return (
        stem(lower) in trie
        or "=" + token in trie
        or "=" + lower in trie
        or "~" + lower in trie
        or (len(token) > 2 and token.endswith("s") and "=" + token[:-1] in trie)
    )


def phrase_matches(trie: dict, tokens: list[str]) -> Iterator[tuple[int, int, Any]]:
    """The longest phrase at each place, left to right and never overlapping: (start, end, value)."""
    position = 0
    while position < len(tokens):
        value, length = longest_at(trie, tokens, position)
        if value is None:
            position += 1
        else:
            yield position, position + length, value
            position += length


def longest_at(trie: dict, tokens: list[str], start: int) -> tuple[str | None, int]:
    """The longest phrase of the trie that starts at ``tokens[start]``."""
    if not may_start(trie, tokens[start]):
        return None, 0  # most words start no phrase: answered without building anything
    best: tuple[str | None, int] = (None, 0)
    frontier = [trie]
    position = start
    while frontier and position < len(tokens):
        token = tokens[position]
        # An acronym's key is the token as written; "2ND" in a headline is "2nd" all the same.
        forms = {"=" + token, "=" + token.lower(), "~" + token.lower(), stem(token.lower())}
        if len(token) > 2 and token.endswith("s"):
            forms.add("=" + token[:-1])  # EVs, PCs
        frontier = [node[form] for node in frontier for form in forms if form in node]
        position += 1
        for node in frontier:
            if "" in node:
                best = (node[""], position - start)
                break
    return best


def _is_acronym(token: str) -> bool:
    return len(token) > 1 and bool(_ACRONYM.search(token))
