"""The names one text yields, and folding them to one value per company.

Scanning a text finds names as written: a possessive ("Hoechst AG's"), a piece
of a longer name ("Sachs" beside "Goldman Sachs"), one company in two cases.
These plain functions over the names found make each company one value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.facets.company_kb import CompanyKnowledgeBase

SHOUTED_LETTERS = 6  # "JOHN LABATT" is shouted; "NYNEX" or "IBM" may be how the company writes itself


@dataclass
class FoundNames:
    """Companies found in one text, with mention counts and first positions."""

    counts: dict[str, int] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, position: int, weight: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + weight
        self.first.setdefault(name, position)


def shouted(name: str) -> bool:
    """Whether a name of some length is written all in capitals."""
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= SHOUTED_LETTERS and not any(c.islower() for c in letters)


def merge_variants(found: FoundNames, kb: CompanyKnowledgeBase) -> list[str]:
    """One name per company: case variants and short forms fold into the full name."""
    # A unit counts under its parent when the text names the parent too
    # ("Panasonic Energy" with "Panasonic Holdings"); alone, it is itself.
    for name in list(found.counts):
        named = [parent for parent in kb.ancestors(name) if parent in found.counts]
        if named:
            fold(found, name, named[-1])
    by_lower: dict[str, str] = {}
    for name in sorted(found.counts, key=lambda n: (n.isupper(), found.first[n])):
        key = name.lower()
        if key in by_lower:
            fold(found, name, by_lower[key])
        else:
            by_lower[key] = name
    names = list(by_lower.values())
    for name in sorted(names, key=len):
        if name not in found.counts:
            continue
        words = _words(name)
        longer = [other for other in names if other in found.counts and _is_part(words, _words(other))]
        if longer and name not in kb.canonical_names:
            fold(found, name, longer[0])  # "Sachs" beside "Goldman Sachs" is a piece of it
        elif longer:
            # "Airbus Industrie" beside "Airbus", "Regie Nationale des Usines Renault" beside
            # "Renault": a longer form of a known company the article names is that company.
            for other in longer:
                if other not in kb.canonical_names:
                    fold(found, other, name)
    return [name for name in names if name in found.counts]


def _words(name: str) -> tuple[str, ...]:
    """A name's words in lower case, without the punctuation at their ends."""
    return tuple(word for word in (w.strip(".,'’()\"").lower() for w in name.split()) if word)


def _is_part(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    """Whether ``part`` is a proper, contiguous run of the words of ``whole``."""
    return len(part) < len(whole) and any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def strip_possessive(name: str) -> str:
    """The name without a possessive ending ("Hoechst AG's", "Salomon Brothers'")."""
    for ending in ("'s", "’s", "'", "’"):
        if name.endswith(ending) and len(name) > len(ending) + 1 and (len(ending) == 2 or name[-2] == "s"):
            return name[: -len(ending)].rstrip()
    return name


def split_joined(found: FoundNames, name: str, parts: list[str]) -> None:
    """Count a name that joins several companies under each of them."""
    count, first = found.counts.pop(name), found.first.pop(name)
    for part in parts:
        found.counts[part] = found.counts.get(part, 0) + count
        found.first[part] = min(found.first.get(part, 10**9), first)


def fold(found: FoundNames, name: str, into: str) -> None:
    found.counts[into] = found.counts.get(into, 0) + found.counts.pop(name)
    found.first[into] = min(found.first.get(into, 10**9), found.first.pop(name))
