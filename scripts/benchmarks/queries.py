"""The fixed queries every engine of the scale benchmark is asked, by kind.

Keywords, broad words that match thousands of articles, keywords with the
company and technology filters a user would pick from their results, and
browsing: the filters are taken from what the index holds, so every query finds
something in any corpus the benchmark builds.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.baselines import BaselineQuery
from indexer.search.service import SearchRequest, SearchService

KEYWORDS = (
    "oil prices",
    "merger agreement",
    "interest rates",
    "semiconductor",
    "airline",
    "software",
    "bank profits",
    "mobile phone",
    "football",
    "election",
    "wheat exports",
    "takeover bid",
    "inflation",
    "broadband",
    "dividend",
    "steel",
    "coffee",
    "car sales",
    "gold",
    "unemployment",
)
BROAD = ("said", "year", "company", "market", "new")
FILTERED_FROM = ("oil", "bank", "software", "shares", "trade", "phone", "profit", "market")


@dataclass(frozen=True)
class BenchQuery:
    kind: str  # keyword, filtered, browse or broad
    text: str = ""
    company: tuple[str, ...] = ()
    technology: tuple[str, ...] = ()

    def label(self) -> str:
        filters = [*(f"company={c}" for c in self.company), *(f"technology={t}" for t in self.technology)]
        return " ".join([repr(self.text), *filters])

    def as_baseline(self) -> BaselineQuery:
        """The query in the shape every engine's answer is compared by."""
        return BaselineQuery(self.text, self.company, self.technology)


def query_set(service: SearchService) -> list[BenchQuery]:
    """The fixed queries, with filters taken from what the index holds (the top company and
    technology of a keyword's results), so they find something in any corpus."""
    queries = [BenchQuery("keyword", text) for text in KEYWORDS]
    queries += [BenchQuery("broad", text) for text in BROAD]
    for text in FILTERED_FROM:
        result = service.search(SearchRequest(text))
        top = {facet.name: facet.values[0].value for facet in result.facets if facet.values}
        if "company" in top:
            queries.append(BenchQuery("filtered", text, (top["company"],)))
        if "company" in top and "technology" in top:
            queries.append(BenchQuery("filtered", text, (top["company"],), (top["technology"],)))
    everything = service.search(SearchRequest(""))
    top = {facet.name: facet.values[0].value for facet in everything.facets if facet.values}
    queries += [
        BenchQuery("browse"),
        BenchQuery("browse", company=(top["company"],)),
        BenchQuery("browse", technology=(top.get("technology", ""),)),
    ]
    return queries
