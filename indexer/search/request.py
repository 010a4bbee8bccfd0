"""What a search asks and what it answers: plain, immutable values.

The web pages, the JSON API, the feed and the command line all build a
:class:`SearchRequest` and read a :class:`SearchResult`, so they answer the
same query the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from indexer.article import Event
from indexer.errors import InvalidRequestError
from indexer.search.associations import Association
from indexer.search.events import EVENT_ROLES
from indexer.search.facets import Facet, all_of_names
from indexer.search.trends import Trend

MAX_PER_PAGE = 100
SORTS = ("relevance", "newest", "oldest")
# How a facet's selected values combine: "any" of them (OR, the default) or "all" of them (AND).
MODES = ("any", "all")


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked: query text, facet values selected and excluded (by facet
    name), a date range (inclusive, in UTC), the order and the page.

    ``roles`` ties the Events and Companies selections together (see
    :mod:`.events`): only articles with an event of a selected type in which a
    selected company takes one of these roles.

    ``modes`` says, by facet name, how that facet's selected values combine:
    "any" (the default) keeps an article with one of them, "all" only one with
    every one of them, and counts the facet over those articles, so it shows
    who appears with the whole selection. Only facets with several values per
    article (:func:`.facets.all_of_names`) take a mode.
    """

    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 10
    excluded: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    expanded: tuple[str, ...] = ()  # facets to show in full ("show more")
    roles: tuple[str, ...] = ()
    modes: Mapping[str, str] = field(default_factory=dict)
    trend: bool = False  # also count the results per period (:mod:`.trends`): the search page's chart
    appears_with: bool = False  # also rank the companies that go with the results (:mod:`.associations`)

    def __post_init__(self) -> None:
        for name, mode in self.modes.items():
            if name not in all_of_names():
                raise InvalidRequestError(f"{name[:40]}_mode is not a parameter; modes: {', '.join(all_of_names())}")
            if mode not in MODES:
                raise InvalidRequestError(f"{name}_mode must be one of {', '.join(MODES)}, not {mode[:20]!r}")
        if self.sort not in SORTS:
            raise InvalidRequestError(f"sort must be one of {', '.join(SORTS)}, not {self.sort[:20]!r}")
        unknown = [role for role in self.roles if role not in EVENT_ROLES]
        if unknown:
            raise InvalidRequestError(f"role must be one of {', '.join(EVENT_ROLES)}, not {unknown[0][:40]!r}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidRequestError("from must not be after to")

    def selected(self, facet_name: str) -> tuple[str, ...]:
        return tuple(self.filters.get(facet_name, ()))

    def excluded_values(self, facet_name: str) -> tuple[str, ...]:
        return tuple(self.excluded.get(facet_name, ()))

    def mode(self, facet_name: str) -> str:
        """How the facet's selected values combine: "any" or "all"."""
        return self.modes.get(facet_name, "any")

    def all_of(self, facet_name: str) -> bool:
        """Whether an article must carry every selected value of the facet. With one value selected
        the articles are the same either way, but not the counts: under "all of" each value's count
        is what selecting it too would find."""
        return self.mode(facet_name) == "all"


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str
    date: datetime | None
    source: str | None
    companies: tuple[str, ...]
    technologies: tuple[str, ...]
    snippet_html: str  # article text escaped; only <mark> tags around matched words
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    total: int
    page: int
    pages: int
    per_page: int
    hits: tuple[SearchHit, ...]
    facets: tuple[Facet, ...]
    understood: str  # the query as the engine understood it
    took_ms: float
    suggestion: str | None = None  # "did you mean": a corrected query that finds more
    notices: tuple[str, ...] = ()  # what the search did not do as asked: a wildcard capped, say
    trend: Trend | None = None  # the results over time, when the request asked for them
    newest: date | None = None  # the day of the index's newest dated article (UTC): quick ranges on an archive
    # The companies most associated with the results (not those selected), when the request asked for them.
    appears_with: tuple[Association, ...] = ()


@dataclass(frozen=True)
class RelatedArticle:
    id: str
    title: str
    date: datetime | None
    source: str | None
