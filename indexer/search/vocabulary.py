"""The words of an index state and how many articles use each: what typo-tolerant words,
prefixes and "did you mean" are looked up in.

Whoosh finds the words near a misspelling by walking its whole term list
through a Levenshtein automaton in Python: 1.5 to 12 seconds over 23,000
articles. Here the words are read once per segment (and kept while the
segment lives, as the facet arrays are), grouped by length, and compared with
rapidfuzz's edit distance, computed in C a machine word at a time: a word
within k typos of an n-letter word has n-k to n+k letters, so a lookup
compares a few tens of thousands of short strings, in a few milliseconds.
The words sorted make a prefix one range, found by bisection.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.reading import IndexReader

from indexer.index.postings import term_text

_LAST_CHARACTER = "\U0010ffff"


@dataclass(frozen=True)
class Near:
    """A word of the index close to the one asked for."""

    word: str
    distance: int  # typos: letters inserted, deleted, replaced or swapped with their neighbour
    frequency: int  # articles using it


def segment_words(reader: IndexReader, field: str) -> dict[str, int]:
    """Every word of ``field`` in one segment, with the number of its documents using it."""
    if field not in reader.indexed_field_names():
        return {}
    return {term_text(term): info.doc_frequency() for term, info in reader.iter_field(field)}


class Vocabulary:
    """Words with their document frequencies, looked up by closeness and by prefix."""

    def __init__(self, frequencies: Mapping[str, int]) -> None:
        self._frequency = dict(frequencies)
        self.words = sorted(self._frequency)
        self.frequencies = np.fromiter((self._frequency[w] for w in self.words), dtype=np.int64, count=len(self.words))
        by_length: dict[int, list[int]] = defaultdict(list)
        for position, word in enumerate(self.words):
            by_length[len(word)].append(position)
        self._by_length = {
            length: (tuple(self.words[p] for p in positions), np.array(positions, dtype=np.int64))
            for length, positions in by_length.items()
        }

    @classmethod
    def merged(cls, parts: Iterable[Mapping[str, int]]) -> Vocabulary:
        """One vocabulary from the words of several segments, their frequencies added."""
        total: Counter[str] = Counter()
        for part in parts:
            total.update(part)
        return cls(total)

    def __len__(self) -> int:
        return len(self.words)

    def frequency(self, word: str) -> int:
        """How many articles use ``word`` (0 for a word the index does not hold)."""
        return self._frequency.get(word, 0)

    def near(self, word: str, maxdist: int, prefix: str = "") -> list[Near]:
        """The words within ``maxdist`` typos of ``word`` that start with ``prefix``: the
        closest first, then the most used. ``word`` itself counts when the index holds it.

        A letter swapped with its neighbour ("compnay") is one typo, as people make it.
        """
        found: list[Near] = []
        for length in range(max(1, len(word) - maxdist), len(word) + maxdist + 1):
            bucket = self._by_length.get(length)
            if bucket is None:
                continue
            words, positions = bucket
            for candidate, distance, index in process.extract(
                word, words, scorer=OSA.distance, score_cutoff=maxdist, limit=None
            ):
                if candidate.startswith(prefix):
                    found.append(Near(candidate, int(distance), int(self.frequencies[positions[index]])))
        found.sort(key=lambda near: (near.distance, -near.frequency, near.word))
        return found

    def starting_with(self, prefix: str, limit: int, pattern: re.Pattern[str] | None = None) -> tuple[list[str], int]:
        """The ``limit`` most used words that start with ``prefix`` (and match ``pattern`` whole,
        when given), most used first; and how many words there are in all."""
        start = bisect_left(self.words, prefix)
        end = bisect_left(self.words, prefix + _LAST_CHARACTER, start)
        positions = np.arange(start, end, dtype=np.int64)
        if pattern is not None:
            positions = np.array([p for p in positions.tolist() if pattern.fullmatch(self.words[p])], dtype=np.int64)
        order = np.argsort(-self.frequencies[positions], kind="stable")[:limit]
        return [self.words[p] for p in positions[order].tolist()], len(positions)
