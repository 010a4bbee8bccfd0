"""Facet kinds: what a facet filters on and how its values are counted.

A facet is plain data once computed (name, values with counts and selection,
truncated); adding a kind is one more :class:`FacetSpec` in :data:`FACETS`,
and the search service, the API and the page pick it up from there.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.errors import NotFoundError
from indexer.index.schema import COMPANY_FIELD, EVENT_FIELD, MONTH_FIELD, SOURCE_FIELD, TECHNOLOGY_FIELD
from indexer.search.columns import UNDATED, ValueCounts


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool
    excluded: bool = False


@dataclass(frozen=True)
class Facet:
    """A computed facet: its values, most frequent first, and whether more exist."""

    name: str
    label: str
    values: tuple[FacetValue, ...]
    truncated: bool


@dataclass(frozen=True)
class FacetSpec:
    """A facet over a multi-valued keyword field of the index.

    ``name`` is both the request parameter and the key in results; values within
    one facet combine with OR, facets with each other with AND. Its values are
    counted from the field's arrays (:mod:`.facet_columns`), not by Whoosh.
    """

    name: str
    field: str
    label: str
    limit: int = 10
    # "count": most frequent first; "newest": by value, highest first (months).
    order: str = "count"
    # The part of an event's "type|role|company" terms the values are ("type", "company"), so
    # role= ties this facet's selection to the events' roles (see :mod:`.events`); "" for none.
    event_part: str = ""
    # Whether several selected values may be asked for all at once (company_mode=all): an article
    # carries several companies, technologies and events, but has one source and one month.
    all_of: bool = False
    # Values listed whenever an article carries them, even outside the top: "Undated" would
    # otherwise hide behind "Show more" in any archive of over a year.
    always: tuple[str, ...] = ()
    # What the values are, for the API's description of the parameter.
    values_note: str = ""

    def build(self, counts: ValueCounts, selected: tuple[str, ...], excluded: tuple[str, ...] = ()) -> Facet:
        """The facet's top values; selected and excluded values always shown, even outside the top."""
        top = counts.top(self.limit, self.order)
        shown = {value for value, _ in top}
        top += [(value, counts.get(value, 0)) for value in (*selected, *excluded) if value not in shown]
        shown = {value for value, _ in top}
        top += [(value, count) for value in self.always if value not in shown and (count := counts.get(value, 0))]
        values = tuple(FacetValue(value, count, value in selected, value in excluded) for value, count in top)
        return Facet(self.name, self.label, values, truncated=len(counts) > self.limit)


FACETS: tuple[FacetSpec, ...] = (
    FacetSpec("company", COMPANY_FIELD, "Companies", event_part="company", all_of=True),
    FacetSpec("technology", TECHNOLOGY_FIELD, "Technologies", all_of=True),
    FacetSpec("event", EVENT_FIELD, "Events", event_part="type", all_of=True),
    FacetSpec("source", SOURCE_FIELD, "Sources"),
    FacetSpec(
        "month",
        MONTH_FIELD,
        "Months",
        limit=12,
        order="newest",
        always=(UNDATED,),
        values_note=f"Values are YYYY-MM (UTC), or {UNDATED} for the articles without a date.",
    ),
)


def facet_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in FACETS)


def all_of_names() -> tuple[str, ...]:
    """The facets whose selected values may be asked for all at once (``company_mode=all``)."""
    return tuple(spec.name for spec in FACETS if spec.all_of)


def facet_spec(name: str) -> FacetSpec:
    """The facet called ``name``; an unknown name is reported as not found."""
    for spec in FACETS:
        if spec.name == name:
            return spec
    raise NotFoundError(f"no facet named {name[:40]!r}; facets: {', '.join(facet_names())}")
