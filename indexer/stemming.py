"""The one English stemmer of the project, cached.

The index analyzer and the technology matcher both stem with it, so a taxonomy
synonym and an indexed word meet on the same stem. Whoosh pickles the analyzer
into the index, so the function lives here, importable by name.
"""

from __future__ import annotations

from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer

_STEMMER = SnowballStemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem of one lower-case word; cached, since news repeats its words."""
    return _STEMMER.stem(word)
