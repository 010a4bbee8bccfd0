"""Technology facets: a taxonomy file matched on stems, with acronyms matched as written."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from indexer.errors import InputError
from indexer.facets.phrases import TOKEN, insert_phrase, phrase_matches

_SHORT_TEXT_WORDS = 120
_CUES_FOR_A_MENTION = 3
# Nouns after a technology word that make it a description of a company or a sector.
_INDUSTRY_NOUNS = frozenset(
    "group groups firm firms company companies giant giants operator operators industry industries "
    "sector sectors stocks shares business businesses regulator provider providers".split()
)


@dataclass(frozen=True)
class Technology:
    name: str
    parent: str | None
    synonyms: tuple[str, ...]
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """Technologies by canonical name, and the phrase trie used to find them.

    The trie's edges are token keys: a stem for ordinary words, ``=`` and the
    token as written for acronyms; the key ``""`` marks the end of a phrase and
    holds the canonical name.
    """

    technologies: dict[str, Technology]
    trie: dict
    cue_trie: dict = field(default_factory=dict)

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
    """Read the taxonomy's tab-separated lines: canonical name, parent, synonyms, and cues
    (an optional fourth column)."""
    technologies: dict[str, Technology] = {}
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for number, line in enumerate(rows[1:], start=2):
        cells = line.split("\t")
        if len(cells) not in (3, 4) or not cells[0].strip():
            raise InputError(f"taxonomy row {number}: expected 3 or 4 tab-separated columns: {line!r}")
        name, parent, synonyms, cues = (cell.strip() for cell in (*cells, "")[:4])
        technologies[name] = Technology(name, parent or None, _phrases(synonyms), _phrases(cues))
    trie: dict = {}
    cued: dict[str, list[str]] = {}
    for tech in technologies.values():
        if tech.parent and tech.parent not in technologies:
            raise InputError(f"technology {tech.name!r} has unknown parent {tech.parent!r}")
        for synonym in tech.synonyms:
            insert_phrase(trie, synonym, tech.name)
        for cue in tech.cues:
            cued.setdefault(cue, []).append(tech.name)
    cue_trie: dict = {}
    for cue, names in cued.items():
        insert_phrase(cue_trie, cue, tuple(names))
    return Taxonomy(technologies, trie, cue_trie)


def _phrases(cell: str) -> tuple[str, ...]:
    return tuple(phrase.strip() for phrase in cell.split("|") if phrase.strip())


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The taxonomy that ships with the package."""
    text = resources.files("indexer.facets").joinpath("data/technologies.tsv").read_text("utf-8")
    return parse_taxonomy(text)


def extract_technologies(text: str, taxonomy: Taxonomy | None = None) -> tuple[str, ...]:
    """Canonical technologies that ``text`` is at least partly about, most mentioned first.

    ``text`` is a title line followed by the body, paragraphs separated by blank
    lines. A technology counts when the title or the lead paragraph names it,
    when the text mentions it at least twice (once as an industry), or when a short text names it at
    all; a single passing mention deep in a long article is a figure of speech,
    not a subject, unless the article keeps using the technology's cue words
    ("search engines" once, "search" throughout). A mention that only describes a company's industry
    ("the US telecommunications group", "telecoms giant BT") weighs half in the
    body; in the title or lead it says what the story's company makes or sells,
    which is what the facet is for, so it counts there.

    A child counts on a single mention when its family is the subject (see
    :func:`_family_discussed`). A parent is left
    out when one of its children is found: the narrower name is the more useful
    facet value, and filtering by the parent still finds the article.
    """
    taxonomy = taxonomy or load_taxonomy()
    title, _, body = text.partition("\n")
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    lead = paragraphs[0] if paragraphs else ""
    rest = "\n\n".join(paragraphs[1:])
    score: Counter[str] = Counter()
    prominent: set[str] = set()
    for zone, zone_text in (("title", title), ("lead", lead), ("body", rest)):
        for name, weight in _mentions(zone_text, taxonomy):
            score[name] += weight
            if zone != "body":
                prominent.add(name)
    short = len(text.split()) < _SHORT_TEXT_WORDS
    children: Counter[str] = Counter()  # mentions of each parent's descendants
    for name, value in score.items():
        for parent in taxonomy.ancestors(name):
            children[parent] += value
    kept = {
        name
        for name, value in score.items()
        if name in prominent
        or value >= 1.5
        or (short and value >= 1)
        or any(_family_discussed(score[parent], children[parent]) for parent in taxonomy.ancestors(name))
    }
    single = [name for name, value in score.items() if value >= 1 and name not in kept]
    if single:  # rare: most articles name no technology, or name it often enough
        cues = _cue_counts(text, taxonomy)
        kept.update(name for name in single if cues[name] >= _CUES_FOR_A_MENTION)
    covered = {parent for name in kept for parent in taxonomy.ancestors(name)}
    found = [name for name in kept if name not in covered]
    return tuple(sorted(found, key=lambda name: (-score[name], name)))


def _family_discussed(parent_score: float, children_score: float) -> bool:
    """The family is a subject: the parent named directly and the children carrying
    at least half its weight ("batteries" twice, "lithium-ion" and "solid-state"
    once each), not a passing child under a much-discussed parent."""
    return parent_score >= 1 and parent_score + children_score >= 3 and children_score >= parent_score / 2


def _cue_counts(text: str, taxonomy: Taxonomy) -> Counter[str]:
    """How many times the text uses each technology's cue words."""
    counts: Counter[str] = Counter()
    for _, _, names in phrase_matches(taxonomy.cue_trie, TOKEN.findall(text)):
        counts.update(names)
    return counts


def _mentions(text: str, taxonomy: Taxonomy) -> list[tuple[str, float]]:
    """Each technology mention with its weight: 1, or 0.5 when it only describes an industry."""
    tokens = TOKEN.findall(text)
    found = []
    for _, end, name in phrase_matches(taxonomy.trie, tokens):
        following = tokens[end].lower() if end < len(tokens) else ""
        found.append((name, 0.5 if following in _INDUSTRY_NOUNS else 1.0))
    return found
