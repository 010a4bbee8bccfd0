"""A facet column counts and filters as a plain pass over its entries would, whichever way it reads them.

Counts read the smaller side of the documents (those kept, or those left out),
through each document's first values and the entries of the few with more, or
in one pass over the entries where there are few; filters read their values'
documents. Compared here with the obvious count over every entry, for masks of
every density, on a facet whose documents carry none to many values and on one
whose documents mostly carry none.
"""

from __future__ import annotations

import numpy as np
import pytest

from indexer.search import counting
from indexer.search.columns import DocSet, FacetColumn

SIZE = 2_000
VALUES = 40


def _column(held: np.ndarray, seed: int) -> FacetColumn:
    rng = np.random.default_rng(seed)
    docs = np.repeat(np.arange(SIZE, dtype=np.int32), held)
    values = np.concatenate([rng.choice(VALUES, n, replace=False) for n in held]).astype(np.int32)
    order = np.argsort(values, kind="stable")  # by value, as the index hands them out
    return FacetColumn(tuple(f"v{i}" for i in range(VALUES)), docs[order], values[order], SIZE)


@pytest.fixture(scope="module")
def many() -> FacetColumn:
    """Documents with none, a few, and more values than the slots hold (as companies)."""
    return _column(np.random.default_rng(3).integers(0, counting.MAX_SLOTS + 4, SIZE), 3)


@pytest.fixture(scope="module")
def few() -> FacetColumn:
    """Most documents without a value, some with one, a few with several (as events)."""
    return _column(np.random.default_rng(4).choice([0, 1, 2, 5], SIZE, p=[0.8, 0.15, 0.04, 0.01]), 4)


@pytest.fixture(params=["many", "few"])
def column(request) -> FacetColumn:
    return request.getfixturevalue(request.param)


def _obvious(column: FacetColumn, mask: np.ndarray) -> dict[str, int]:
    counts = np.bincount(column.entry_values[mask[column.entry_docs]], minlength=VALUES)
    return {column.values[i]: int(n) for i, n in enumerate(counts) if n}


SHARES = [0.0, 0.001, 0.02, 0.3, 0.5, 0.7, 0.98, 1.0]


@pytest.mark.parametrize("share", SHARES)
def test_counts_are_those_of_every_entry(column, share):
    mask = np.random.default_rng(int(share * 1000)).random(SIZE) < share
    assert column.counts(mask).as_dict() == _obvious(column, mask)
    assert column.counts_in(DocSet.of(mask)).as_dict() == _obvious(column, mask)


@pytest.mark.parametrize("gather_cost", [0, 10**9], ids=["through-documents", "one-pass"])
@pytest.mark.parametrize("share", SHARES)
def test_values_past_the_slots_are_counted_either_way(column, share, gather_cost, monkeypatch):
    monkeypatch.setattr(counting, "GATHER_COST", gather_cost)
    mask = np.random.default_rng(int(share * 1000) + 1).random(SIZE) < share
    assert column.counts(mask).as_dict() == _obvious(column, mask)


def test_documents_with_more_values_than_the_slots_are_counted_in_full(column):
    more = np.bincount(column.entry_docs, minlength=SIZE) > len(column.by_document.slots)
    assert more.any()
    assert column.counts(more).as_dict() == _obvious(column, more)


@pytest.mark.parametrize(
    ("held", "slots"),
    [
        ([0, 0, 0, 0], 0),
        ([1, 1, 1, 1], 1),
        ([0, 0, 0, 2], 1),  # a quarter with more: not more than the share
        ([0, 0, 2, 2], 2),
        ([2, 3, 3, 3], 3),
        ([9, 9, 9, 9], counting.MAX_SLOTS),
    ],
)
def test_a_facet_has_a_slot_more_while_many_documents_have_more_values(held, slots):
    assert counting.slot_count(np.array(held)) == slots


@pytest.mark.parametrize("wanted", [["v0"], ["v3", "v17"], ["v39", "missing"], []])
def test_filters_find_the_documents_of_their_values(column, wanted):
    ordinals = [column.ordinals[v] for v in wanted if v in column.ordinals]
    expected = np.zeros(SIZE, bool)
    expected[column.entry_docs[np.isin(column.entry_values, ordinals)]] = True
    assert (column.docs_with(wanted, SIZE) == expected).all()
    every = np.bincount(column.entry_docs[np.isin(column.entry_values, ordinals)], minlength=SIZE) == len(wanted)
    if "missing" in wanted or not wanted:
        every[:] = False
    assert (column.docs_with_all(wanted, SIZE) == every).all()
