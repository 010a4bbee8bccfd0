"""Did you mean: the query with its likely typos corrected, word by word, as one query.

A word is taken for a typo when few articles use it and a word one or two
typos away is used by far more: ``takover`` (1 article over 23,000) beside
``takeover`` (372), ``acquistion`` (5) beside ``acquisition`` (844). Both
conditions matter: ``golf`` (10) is a word of its own beside ``gold`` (451),
and ``wheat`` (469) beside ``what`` (1,321). A word the index does not hold at
all is corrected to its closest word, however rare (``panasonik``).

Words are looked up as written (:mod:`.vocabulary`): against stems,
"pirnting" would become "first". Corrections keep the first letter, which
typing rarely gets wrong. Each lookup takes a few milliseconds, and only
rare words are looked up, so a correction can be worked out for every search.
"""

from __future__ import annotations

import re

from indexer.search.vocabulary import Vocabulary

# Words worth correcting: not fields, prefixes or typo-tolerant words, and not operators.
_PLAIN_WORD = re.compile(r"(?<![\w:])[A-Za-z][A-Za-z'-]+(?![\w:*~?])")
_OPERATORS = ("AND", "OR", "NOT")
MAX_QUERY_CHARS = 200  # longer queries are not corrected: they are pasted, not typed
MAX_WORDS = 8
# A word used by at most this share of the articles may be a typo...
RARE_SHARE = 1 / 500
# ...when a word this many times as common is one or two typos away.
MORE_COMMON = 50


def corrected(text: str, vocabulary: Vocabulary, documents: int) -> str | None:
    """``text`` with each word that looks mistyped replaced by the word meant; ``None``
    when no word does."""
    if len(text) > MAX_QUERY_CHARS:
        return None
    found = [match for match in _PLAIN_WORD.finditer(text) if match.group() not in _OPERATORS][:MAX_WORDS]
    rare = max(1, int(documents * RARE_SHARE))
    fixes = {}
    for match in found:
        word = match.group().lower()
        fixed = correction(word, vocabulary, rare) if len(word) >= 3 else None
        if fixed:
            fixes[match.start()] = (match.end(), fixed)
    if not fixes:
        return None
    pieces, last = [], 0
    for start, (end, fixed) in sorted(fixes.items()):
        pieces += [text[last:start], fixed]
        last = end
    return "".join(pieces) + text[last:]


def correction(word: str, vocabulary: Vocabulary, rare: int) -> str | None:
    """The word meant by ``word``, or ``None`` when it looks right.

    ``rare`` is the most articles a word may be used by and still be taken for a typo.
    """
    frequency = vocabulary.frequency(word)
    if frequency > rare:
        return None
    wanted = 1 if frequency == 0 else MORE_COMMON * frequency
    for near in vocabulary.near(word, 1 if len(word) <= 4 else 2, prefix=word[0]):
        if near.word != word and near.frequency >= wanted:
            return near.word  # the closest first, then the most used
    return None
