"""Articles per period, from the date column: the bars of a company's page and of the search page's trend.

The period is chosen from the span of the articles' dates, so a chart has a
readable number of bars at phone width whatever it covers: days for a span of
up to :data:`DAILY_DAYS`, weeks (from Monday) up to :data:`WEEKLY_DAYS`, months
up to :data:`MONTHLY_MONTHS` months, then years. The periods run from the first
dated article to the last, empty ones included. Counting is one ``bincount``
over the dates of the documents in a mask, never a read of the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from indexer.search.columns import FacetColumns

DAILY_DAYS = 31
WEEKLY_DAYS = 183
MONTHLY_MONTHS = 240
# Whoosh keeps a date as microseconds since 0001-01-01; NumPy counts days from 1970-01-01.
_MICROSECONDS_PER_DAY = 86_400_000_000
_DAYS_BEFORE_1970 = date(1970, 1, 1).toordinal() - 1


@dataclass(frozen=True)
class Period:
    """One bar of a chart: the articles dated from ``start`` to ``end`` (both inclusive, UTC)."""

    start: date
    end: date
    label: str
    count: int


@dataclass(frozen=True, eq=False)
class Buckets:
    """The periods of the dated documents of one mask, and which period each of them falls in, so
    any subset of the mask (a company's share of the results) is counted over the same periods."""

    granularity: str  # "day", "week", "month" or "year"
    starts: tuple[date, ...]
    ends: tuple[date, ...]
    docs: np.ndarray  # document numbers of the mask's dated documents
    bucket: np.ndarray  # the period index of each of them

    def counts(self, within: np.ndarray | None = None) -> np.ndarray:
        """Documents per period: all of the mask's, or only those also in the mask ``within``."""
        picked = self.bucket if within is None else self.bucket[within[self.docs]]
        return np.bincount(picked, minlength=len(self.starts))

    def periods(self, counts: np.ndarray | None = None) -> tuple[Period, ...]:
        """Each period with its count (the mask's own unless ``counts`` is given)."""
        counts = self.counts() if counts is None else counts
        return tuple(
            Period(start, end, label(self.granularity, start), int(count))
            for start, end, count in zip(self.starts, self.ends, counts, strict=True)
        )


def buckets(columns: FacetColumns, mask: np.ndarray) -> Buckets:
    """The periods of the dated documents in ``mask``, chosen from the span of their dates."""
    docs = np.flatnonzero(mask & ~columns.undated)
    if not len(docs):
        return Buckets("month", (), (), docs, np.zeros(0, np.int64))
    days = (columns.dates[docs] // np.uint64(_MICROSECONDS_PER_DAY)).astype(np.int64) - _DAYS_BEFORE_1970
    days = days.astype("datetime64[D]")
    first, last = days.min(), days.max()
    span = int((last - first) / np.timedelta64(1, "D"))
    months = (last.astype("datetime64[M]") - first.astype("datetime64[M]")).astype(int)
    if span <= DAILY_DAYS:
        granularity, starts, step = "day", days, np.timedelta64(1, "D")
    elif span <= WEEKLY_DAYS:
        # Weeks start on Monday; 1970-01-01 was a Thursday.
        offsets = (days.astype(np.int64) + 3) % 7
        granularity, starts, step = "week", days - offsets.astype("timedelta64[D]"), np.timedelta64(7, "D")
    elif months <= MONTHLY_MONTHS:
        granularity, starts, step = "month", days.astype("datetime64[M]"), np.timedelta64(1, "M")
    else:
        granularity, starts, step = "year", days.astype("datetime64[Y]"), np.timedelta64(1, "Y")
    earliest = starts.min()
    bounds = np.arange(earliest, starts.max() + step, step)
    begins = tuple(start.astype("datetime64[D]").astype(date) for start in bounds)
    ends = tuple((start + step).astype("datetime64[D]").astype(date) - timedelta(days=1) for start in bounds)
    return Buckets(granularity, begins, ends, docs, ((starts - earliest) // step).astype(np.int64))


def label(granularity: str, start: date) -> str:
    """How a period is named on a chart and in its table."""
    if granularity == "day":
        return start.isoformat()
    if granularity == "week":
        return f"week of {start.isoformat()}"
    if granularity == "month":
        return start.strftime("%Y-%m")
    return str(start.year)
