"""Technology facets: a taxonomy file matched on stems, with acronyms matched as written."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .stemming import stem

_TOKEN = re.compile(r"[A-Za-z0-9]+")
# A synonym written with capitals after its first letter, or with a digit, is an
# acronym (EV, IoT, 5G): it must match exactly so "ev" in "event" or "Ai" in a
# name never count.
_ACRONYM = re.compile(r"[A-Z].*[A-Z]|\d|^[A-Z]+$")


class TaxonomyError(ValueError):
    """The taxonomy file is malformed: a bad line or an unknown parent."""


@dataclass(frozen=True)
class Technology:
    name: str
    parent: str | None
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """Technologies by canonical name, and the phrase trie used to find them.

    The trie's edges are token keys: a stem for ordinary words, ``=`` and the
    token as written for acronyms; the key ``""`` marks the end of a phrase and
    holds the canonical name.
    """

    technologies: dict[str, Technology]
    trie: dict

    def ancestors(self, name: str) -> tuple[str, ...]:
        """Parents of ``name``, nearest first."""
        chain: list[str] = []
        parent = self.technologies[name].parent
        while parent and parent not in chain:
            chain.append(parent)
            parent = self.technologies[parent].parent
        return tuple(chain)

    def with_ancestors(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The names and every parent of them, each once, in a stable order."""
        seen: dict[str, None] = {}
        for name in names:
            seen.setdefault(name)
            for parent in self.ancestors(name):
                seen.setdefault(parent)
        return tuple(seen)


def parse_taxonomy(text: str) -> Taxonomy:
    """Read the taxonomy's tab-separated lines: canonical name, parent, synonyms."""
    technologies: dict[str, Technology] = {}
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for number, line in enumerate(rows[1:], start=2):
        cells = line.split("\t")
        if len(cells) != 3 or not cells[0].strip():
            raise TaxonomyError(f"taxonomy row {number}: expected 3 tab-separated columns: {line!r}")
        name, parent, synonyms = (cell.strip() for cell in cells)
        words = tuple(s.strip() for s in synonyms.split("|") if s.strip())
        technologies[name] = Technology(name, parent or None, (name, *words))
    trie: dict = {}
    for tech in technologies.values():
        if tech.parent and tech.parent not in technologies:
            raise TaxonomyError(f"technology {tech.name!r} has unknown parent {tech.parent!r}")
        for synonym in tech.synonyms:
            node = trie
            keys = _synonym_keys(synonym)
            if not keys:
                continue
            for key in keys:
                node = node.setdefault(key, {})
            node.setdefault("", tech.name)
    return Taxonomy(technologies, trie)


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The taxonomy that ships with the package."""
    text = resources.files("indexer").joinpath("data/technologies.tsv").read_text("utf-8")
    return parse_taxonomy(text)


def extract_technologies(text: str, taxonomy: Taxonomy | None = None) -> tuple[str, ...]:
    """Canonical technologies that ``text`` mentions, most mentioned first.

    The longest synonym wins where synonyms overlap. A parent is left out when one
    of its children is found: the narrower name is the more useful facet value,
    and filtering by the parent still finds the article through the hierarchy.
    """
    taxonomy = taxonomy or load_taxonomy()
    counts = Counter(_match(text, taxonomy))
    found = set(counts)
    covered = {parent for name in found for parent in taxonomy.ancestors(name)}
    kept = [name for name in counts if name not in covered]
    return tuple(sorted(kept, key=lambda name: (-counts[name], name)))


def _match(text: str, taxonomy: Taxonomy) -> list[str]:
    tokens = _TOKEN.findall(text)
    matches, position = [], 0
    while position < len(tokens):
        name, length = _longest_at(taxonomy.trie, tokens, position)
        if name:
            matches.append(name)
            position += length
        else:
            position += 1
    return matches


def _longest_at(trie: dict, tokens: list[str], start: int) -> tuple[str | None, int]:
    """The longest phrase of the trie that starts at ``tokens[start]``."""
    best: tuple[str | None, int] = (None, 0)
    frontier = [trie]
    position = start
    while frontier and position < len(tokens):
        token = tokens[position]
        forms = {"=" + token, stem(token.lower())}
        if len(token) > 2 and token.endswith("s"):
            forms.add("=" + token[:-1])  # EVs, PCs
        frontier = [node[form] for node in frontier for form in forms if form in node]
        position += 1
        for node in frontier:
            if "" in node:
                best = (node[""], position - start)
                break
    return best


def _synonym_keys(synonym: str) -> tuple[str, ...]:
    """Trie keys of a synonym: ``=`` and the token for acronyms, else the stem."""
    return tuple("=" + token if _is_acronym(token) else stem(token.lower())
                 for token in _TOKEN.findall(synonym))


def _is_acronym(token: str) -> bool:
    return len(token) > 1 and bool(_ACRONYM.search(token))
