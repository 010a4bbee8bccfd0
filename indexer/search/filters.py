"""A request's filters as masks over document numbers, and the documents they leave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# The date range narrows every facet's counts: no facet carries this name.
DATE_RANGE = "date range"


@dataclass(frozen=True)
class Filters:
    """What the request keeps and what it drops, each by the facet (or date range) it comes from.

    ``keep`` masks are the selected values of a facet (any of them) and the date
    range; ``drop`` masks are a facet's excluded values. Each facet is counted
    with every filter but its own, so choosing one company still shows how many
    articles the other companies would add.
    """

    keep: Mapping[str, np.ndarray]
    drop: Mapping[str, np.ndarray]

    def narrows(self, but: str = "") -> bool:
        """Whether any filter other than facet ``but``'s own applies."""
        return any(name != but for name in (*self.keep, *self.drop))

    def apply(self, matched: np.ndarray, but: str | tuple[str, ...] = "") -> np.ndarray:
        """The ``matched`` documents every filter but facet ``but``'s own keeps (a new mask);
        ``but`` may name several (a facet and the role filter that ties it to events)."""
        skipped = (but,) if isinstance(but, str) else but
        narrowed = matched.copy()
        for name, mask in self.keep.items():
            if name not in skipped:
                narrowed &= mask
        for name, mask in self.drop.items():
            if name not in skipped:
                narrowed &= ~mask
        return narrowed
