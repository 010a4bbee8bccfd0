"""A company's or a technology's profile: its articles over time, what it appears with, its latest articles.

A profile is worked out from the facet columns of one index state (see
:mod:`.columns`), never by reading every article it covers: the articles of the
value are one mask, the articles per period one ``bincount`` over their dates,
and what appears with it one count of each facet over that mask. Only the
latest few articles are read as documents.

What "appears with" ranks by is the lift of the pair: how many times more often
the two share an article than they would if they were independent,
``shared / expected`` with ``expected = articles(A) * articles(B) / all
articles``. A company in every article has a lift of 1 with everything, so
however many articles it shares it ranks below a rarer company that is always
named with this one. Lift overrates pairs seen once (a company in one article
has a huge lift with every company of that article), so a pair must share at
least :data:`MIN_SHARED` articles; ties go to the pair that shares more.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from indexer.errors import InvalidRequestError, NotFoundError
from indexer.facets.company_kb import load_knowledge_base, variant_key
from indexer.facets.technologies import load_taxonomy
from indexer.index.schema import COMPANY_FIELD, TECHNOLOGY_FIELD, document_to_article
from indexer.search.associations import ASSOCIATED, MIN_SHARED, Association, associations
from indexer.search.columns import FacetColumns
from indexer.search.periods import Period, buckets
from indexer.search.request import RelatedArticle
from indexer.search.snapshot import IndexSnapshot

KINDS = {"company": COMPANY_FIELD, "technology": TECHNOLOGY_FIELD}
LATEST = 10  # latest articles read
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class ProfileRequest:
    """Whose profile: ``kind`` is "company" or "technology", ``name`` its value as indexed."""

    kind: str
    name: str
    latest: int = LATEST
    associated: int = ASSOCIATED

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidRequestError(f"kind must be one of {', '.join(KINDS)}, not {self.kind[:20]!r}")
        if not self.name.strip() or len(self.name) > MAX_NAME_CHARS or "\x00" in self.name:
            raise InvalidRequestError(f"a name must be 1 to {MAX_NAME_CHARS} characters, without NUL")


@dataclass(frozen=True)
class Knowledge:
    """What the company knowledge base (or the technology taxonomy) says of the name."""

    aliases: tuple[str, ...]
    parent: str | None
    units: tuple[str, ...]  # subsidiaries and units; for a technology, its narrower technologies


@dataclass(frozen=True)
class Profile:
    request: ProfileRequest
    name: str  # the value as indexed (a known spelling such as "PEPSICO" is read as "PepsiCo")
    total: int
    undated: int
    granularity: str  # "day", "week", "month" or "year"
    periods: tuple[Period, ...]
    companies: tuple[Association, ...]
    technologies: tuple[Association, ...]
    latest: tuple[RelatedArticle, ...]
    knowledge: Knowledge | None
    min_shared: int = MIN_SHARED

    @property
    def kind(self) -> str:
        return self.request.kind


def build_profile(snapshot: IndexSnapshot, request: ProfileRequest) -> Profile:
    """The profile ``request`` asks for over ``snapshot``; a name with no article that neither the
    knowledge base nor the taxonomy knows is not found."""
    columns = snapshot.columns
    field = KINDS[request.kind]
    name = _indexed_name(columns, request.kind, request.name)
    knowledge = _knowledge(request.kind, name)
    mask = columns.column(field).docs_with([name], columns.size) & columns.alive
    total = int(np.count_nonzero(mask))
    if not total and knowledge is None:
        raise NotFoundError(f"no {request.kind} named {request.name[:80]!r} in the index")
    periods = buckets(columns, mask)
    left_out = {name, *_relatives(name)} if request.kind == "technology" else {name}
    return Profile(
        request=request,
        name=name,
        total=total,
        undated=int(np.count_nonzero(mask & columns.undated)),
        granularity=periods.granularity,
        periods=periods.periods(),
        companies=associations(
            columns, COMPANY_FIELD, mask, left_out if field == COMPANY_FIELD else set(), request.associated
        ),
        technologies=associations(
            columns, TECHNOLOGY_FIELD, mask, left_out if field == TECHNOLOGY_FIELD else set(), request.associated
        ),
        latest=_latest(snapshot, mask, request.latest),
        knowledge=knowledge,
    )


def _indexed_name(columns: FacetColumns, kind: str, name: str) -> str:
    """``name`` as indexed; a company written another way the knowledge base knows ("PEPSICO") is its
    canonical name."""
    if name in columns.column(KINDS[kind]).ordinals or kind != "company":
        return name
    return load_knowledge_base().spellings.get(variant_key(name), name)


def _latest(snapshot: IndexSnapshot, mask: np.ndarray, limit: int) -> tuple[RelatedArticle, ...]:
    """The newest ``limit`` articles of the mask, the only ones read as documents."""
    found = []
    for docnum in snapshot.columns.in_order(mask, "newest")[: max(0, limit)]:
        article = document_to_article(snapshot.searcher.stored_fields(int(docnum)))
        found.append(RelatedArticle(article.id, article.title, article.date, article.source))
    return tuple(found)


def _knowledge(kind: str, name: str) -> Knowledge | None:
    """Aliases, parent and units of a known company or technology; None for a name neither knows."""
    if kind == "company":
        base = load_knowledge_base()
        if name not in base.canonical_names:
            return None
        ancestors = base.ancestors(name)
        return Knowledge(base.written_forms(name), ancestors[0] if ancestors else None, _units().get(name, ()))
    technology = load_taxonomy().technologies.get(name)
    if technology is None:
        return None
    aliases = tuple(s for s in dict.fromkeys(technology.synonyms) if s.lower() != name.lower())
    return Knowledge(aliases, technology.parent, _narrower().get(name, ()))


@lru_cache(maxsize=1)
def _units() -> dict[str, tuple[str, ...]]:
    """Each company's direct subsidiaries and units, by name."""
    units: dict[str, list[str]] = {}
    for name, ancestors in load_knowledge_base().parents.items():
        units.setdefault(ancestors[0], []).append(name)
    return {parent: tuple(sorted(names, key=str.lower)) for parent, names in units.items()}


@lru_cache(maxsize=1)
def _narrower() -> dict[str, tuple[str, ...]]:
    """Each technology's direct children in the taxonomy."""
    children: dict[str, list[str]] = {}
    for technology in load_taxonomy().technologies.values():
        if technology.parent:
            children.setdefault(technology.parent, []).append(technology.name)
    return {parent: tuple(sorted(names, key=str.lower)) for parent, names in children.items()}


@lru_cache(maxsize=512)
def _relatives(technology: str) -> frozenset[str]:
    """A technology's ancestors and descendants: indexed with it, so they appear with it by construction."""
    taxonomy = load_taxonomy()
    if technology not in taxonomy.technologies:
        return frozenset()
    below = {name for name in taxonomy.technologies if name != technology and technology in taxonomy.ancestors(name)}
    return frozenset(taxonomy.ancestors(technology)) | below
