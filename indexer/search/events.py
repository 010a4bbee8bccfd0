"""Events in a search: the event types and roles, the role filter and the counts beside it.

``role=`` ties the Events and Companies selections together. An article is
kept when one of its events is of a selected type (any type when no event is
selected) and has a selected company (any company when none is selected) in
one of the roles given: ``event=Acquisition&company=Panasonic&role=target``
finds the articles that report an acquisition of Panasonic. Several types,
companies or roles each mean any of them, as values within a facet do.
Excluded types and companies (``not_event=``, ``not_company=``) still leave
out whole articles, whatever the role.

Under a role, the Events and Companies facets are counted the way every facet
is, each with every filter but its own: a type's count is the articles the
search would find with that type selected, with the same role and companies;
a company's count, with that company selected. Both are counted from the
index's ``type|role|company`` terms (:func:`indexer.index.schema.event_role`),
so a company that takes part in an event in another role does not count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from indexer.index.schema import COMPANY_FIELD, EVENT_FIELD, EVENT_ROLE_FIELD, event_roles, split_event_role
from indexer.search.columns import FacetColumns, ValueCounts
from indexer.search.memo import PerIndexState

# Each event type with its roles, in the order of the event table.
EVENT_TYPES: dict[str, tuple[str, ...]] = event_roles()
# Every role of any type, once each: the values role= takes.
EVENT_ROLES: tuple[str, ...] = tuple(dict.fromkeys(role for roles in EVENT_TYPES.values() for role in roles))
# The role filter's name among a request's filters; no facet carries it.
ROLE = "role"
# The parts of an event's role terms a facet's values can be, and the facet field that holds them.
PART_FIELDS = {"type": EVENT_FIELD, "company": COMPANY_FIELD}


@dataclass(frozen=True)
class RoleFilter:
    """The roles asked for, and the values selected of each part (``type``, ``company``)."""

    roles: tuple[str, ...]
    chosen: Mapping[str, tuple[str, ...]]

    def mask(self, columns: FacetColumns) -> np.ndarray:
        """The documents with an event of a chosen type in which a chosen company takes a chosen role."""
        terms = columns.column(EVENT_ROLE_FIELD)
        wanted = self._wanted(columns)
        mask = np.zeros(columns.size, bool)
        mask[terms.entry_docs[wanted[terms.entry_values]]] = True
        return mask

    def counts(self, columns: FacetColumns, part: str, docs: np.ndarray) -> ValueCounts:
        """For each value of ``part`` (each type, or each company), how many of the documents in
        the mask ``docs`` the filter would keep were that value the only one chosen of its part."""
        terms = columns.column(EVENT_ROLE_FIELD)
        target = columns.column(PART_FIELDS[part])
        size = len(target.values)
        if not size:
            return ValueCounts(target, np.zeros(0, np.int64))
        values = getattr(_split(columns), part)
        kept = docs[terms.entry_docs] & self._wanted(columns, but=part)[terms.entry_values]
        found = values[terms.entry_values[kept]]
        entry_docs = terms.entry_docs[kept].astype(np.int64)
        known = found >= 0
        # A document counts once per value, however many of its events have it in the role.
        pairs = np.unique(entry_docs[known] * size + found[known])
        return ValueCounts(target, np.bincount(pairs % size, minlength=size))

    def _wanted(self, columns: FacetColumns, but: str = "") -> np.ndarray:
        """Which role terms the filter accepts (by ordinal), ``but`` part's choice left out."""
        split = _split(columns)
        wanted = np.isin(split.role, [EVENT_ROLES.index(role) for role in self.roles])
        for part, field in PART_FIELDS.items():
            values = self.chosen.get(part, ())
            if values and part != but:
                ordinals = columns.column(field).ordinals
                wanted &= np.isin(getattr(split, part), [ordinals[v] for v in values if v in ordinals])
        return wanted


@dataclass(frozen=True)
class _Split:
    """The role terms of one index state taken apart: for each term's ordinal, the ordinal of its
    type in the Events column, of its role in :data:`EVENT_ROLES` and of its company in the
    Companies column (-1 for one they lack)."""

    type: np.ndarray
    role: np.ndarray
    company: np.ndarray


# Worked out once per index state (its columns), on the first search that asks for a role.
_splits: PerIndexState[FacetColumns, _Split] = PerIndexState()


def _split(columns: FacetColumns) -> _Split:
    return _splits.get(columns, lambda: _split_terms(columns))


def _split_terms(columns: FacetColumns) -> _Split:
    parts = [split_event_role(value) for value in columns.column(EVENT_ROLE_FIELD).values]
    types = columns.column(EVENT_FIELD).ordinals
    companies = columns.column(COMPANY_FIELD).ordinals
    roles = {role: index for index, role in enumerate(EVENT_ROLES)}
    return _Split(
        type=np.array([types.get(t, -1) for t, _, _ in parts], np.int64),
        role=np.array([roles.get(r, -1) for _, r, _ in parts], np.int64),
        company=np.array([companies.get(c, -1) for _, _, c in parts], np.int64),
    )
