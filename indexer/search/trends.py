"""A search's results over time: the trend chart of the search page.

Worked out from the set of matching documents the search has already chosen
(every filter applied) and the date column of the same index state (see
:mod:`.periods`): one ``bincount`` for the results, one more for each selected
company, so it adds little to the search and reads no document.

With :data:`MIN_LINES` to :data:`MAX_LINES` companies selected under "any of",
each company's share of the results is a line of its own, to compare them.
Under "all of" every result carries every selected company, so the lines would
all be the bars and none is drawn; nor with more companies than a chart can
tell apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.index.schema import COMPANY_FIELD
from indexer.search.columns import FacetColumns
from indexer.search.periods import Period, buckets

MIN_LINES = 2
MAX_LINES = 5


@dataclass(frozen=True)
class Series:
    """One selected company's results per period, over the same periods as the bars."""

    name: str
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Trend:
    granularity: str  # "day", "week", "month" or "year"
    periods: tuple[Period, ...]  # the results per period, first dated result to last
    undated: int  # results without a date, so in no period
    series: tuple[Series, ...] = ()  # a line per selected company, when 2 to 5 are selected under "any of"


def results_trend(
    columns: FacetColumns, chosen: np.ndarray, companies: tuple[str, ...] = (), all_of: bool = False
) -> Trend:
    """The results in the mask ``chosen`` per period, and per selected company when they are worth a line."""
    periods = buckets(columns, chosen)
    series: tuple[Series, ...] = ()
    if MIN_LINES <= len(companies) <= MAX_LINES and not all_of:
        column = columns.column(COMPANY_FIELD)
        series = tuple(
            Series(name, tuple(int(n) for n in periods.counts(column.docs_with([name], columns.size))))
            for name in companies
        )
    return Trend(
        granularity=periods.granularity,
        periods=periods.periods(),
        undated=int(np.count_nonzero(chosen & columns.undated)),
        series=series,
    )
