"""Which facet values go with a set of articles: a value's lift over chance, from the facet columns.

A company page asks which companies appear with one company; the search page asks which appear with
its results. Both are the same measure over a mask of articles: ``shared`` (the articles of the mask
that carry the value) against ``expected`` (how many would by chance, given the value's own share of
the index). A value in every article has a lift of 1 however many it shares; lift overrates pairs
seen once, so a value must share at least :data:`MIN_SHARED` articles to be ranked at all.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

import numpy as np

from indexer.search.columns import FacetColumns

MIN_SHARED = 2  # a pair must share this many articles to be ranked at all
ASSOCIATED = 10  # associated values listed per facet


@dataclass(frozen=True)
class Association:
    """A value that appears with a set of articles (a profile's, or a search's results): the articles
    both are in (``shared``), how many that would be by chance (``expected``), their ratio (``lift``)
    and the value's own article count."""

    name: str
    shared: int
    expected: float
    lift: float
    articles: int


def associations(
    columns: FacetColumns, field: str, mask: np.ndarray, left_out: Set[str], limit: int = ASSOCIATED
) -> tuple[Association, ...]:
    """The values of ``field`` (``left_out`` aside) that share at least :data:`MIN_SHARED` of the articles
    in ``mask``, highest lift first, then most shared, then by name; at most ``limit``."""
    column = columns.column(field)
    alive = int(np.count_nonzero(columns.alive))
    total = int(np.count_nonzero(mask))
    if not total or not alive:
        return ()
    shared = columns.counts(field, mask).array
    overall = columns.counts_of_all(field).array
    candidates = np.flatnonzero(shared >= MIN_SHARED)
    candidates = candidates[[column.values[i] not in left_out for i in candidates]] if left_out else candidates
    expected = total * overall[candidates] / alive
    lift = shared[candidates] / expected
    # Rounded, so equal ratios computed two ways (2/1.2, 3/1.8) tie and the pair that shares more goes first.
    order = np.lexsort((column.by_name[candidates], -shared[candidates], -np.round(lift, 9)))[:limit]
    return tuple(
        Association(
            column.values[candidates[i]],
            int(shared[candidates[i]]),
            round(float(expected[i]), 3),
            round(float(lift[i]), 3),
            int(overall[candidates[i]]),
        )
        for i in order
    )
