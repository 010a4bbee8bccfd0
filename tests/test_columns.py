"""A facet column counts and filters as a plain pass over its entries would, whichever way it reads them.

Counts read the smaller side of the documents (those kept, or those left out),
through each document's first values and the entries of the few with more;
filters read their values' documents. Compared here with the obvious count over
every entry, for masks of every density and documents with none to many values.
"""

from __future__ import annotations

import numpy as np
import pytest

from indexer.search.columns import SLOTS, DocSet, FacetColumn

SIZE = 2_000
VALUES = 40


@pytest.fixture(scope="module")
def column() -> FacetColumn:
    rng = np.random.default_rng(3)
    held = rng.integers(0, SLOTS + 4, SIZE)  # none, a few, and more than the slots hold
    docs = np.repeat(np.arange(SIZE, dtype=np.int32), held)
    values = np.concatenate([rng.choice(VALUES, n, replace=False) for n in held]).astype(np.int32)
    order = np.argsort(values, kind="stable")  # by value, as the index hands them out
    return FacetColumn(tuple(f"v{i}" for i in range(VALUES)), docs[order], values[order], SIZE)


def _obvious(column: FacetColumn, mask: np.ndarray) -> dict[str, int]:
    counts = np.bincount(column.entry_values[mask[column.entry_docs]], minlength=VALUES)
    return {column.values[i]: int(n) for i, n in enumerate(counts) if n}


@pytest.mark.parametrize("share", [0.0, 0.001, 0.02, 0.3, 0.5, 0.7, 0.98, 1.0])
def test_counts_are_those_of_every_entry(column, share):
    mask = np.random.default_rng(int(share * 1000)).random(SIZE) < share
    assert column.counts(mask).as_dict() == _obvious(column, mask)
    assert column.counts_in(DocSet.of(mask)).as_dict() == _obvious(column, mask)


def test_documents_with_more_values_than_the_slots_are_counted_in_full(column):
    many = np.bincount(column.entry_docs, minlength=SIZE) > SLOTS
    assert many.any()
    assert column.counts(many).as_dict() == _obvious(column, many)


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
