"""Whether the engines the scale benchmark times gave the same answers, where they must.

A fast engine proves nothing if it answers another question, so the benchmark keeps every
engine's answer to every query (from its warm-up round) and compares them here. What each
pair must share follows from what the two have in common:

- newsfacet's HTTP API and its service in-process run the same code, one behind JSON: the
  total, the hit ids in order, the snippets and every facet's values in order must be identical.
- Whoosh's ``groupedby`` searches the same index with the service's parsed query: the total
  must match, and the counts of each facet the query does not filter on (the service counts a
  facet with every filter but its own, so a chosen company still shows the others; Whoosh
  with all of them). Whoosh orders keyword hits by its BM25F, the service by its own ranking
  ahead of it (:mod:`indexer.search.ranking`; its array scores are tested equal to Whoosh's
  in ``tests/test_matching.py``), so the overlap of their top ids is printed for information.
  Browsing is not ranked: the service lists newest first, Whoosh in index order.
- SQLite FTS5 tokenizes and stems its own way (``porter unicode61``, no stop words) and ranks
  by its own bm25, so its keyword matches differ from ours by design, not by mistake.
  Without keywords both select by the same stored facet values: browsing totals and the counts
  of unfiltered facets must match. For keyword queries the share of equal totals and the
  overlap of the top ids are printed for information and never fail a run.
- Datasette serves the SQLite file with the same FTS5 query: total and every facet's counts
  must match SQLite's for every query. Its table view lists keyword hits by rowid and breaks
  ties of dates its own way, so its ids are not compared.

Facet values tied at a top list's last count may be cut differently by each engine, so two
lists agree when they hold the same counts, give shared values the same count, and differ
only in values at that last count.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from benchmarks.baselines import BaselineAnswer, BaselineQuery

SERVICE = "newsfacet service"
HTTP_API = "newsfacet HTTP API"
GROUPEDBY = "Whoosh groupedby"
SQLITE = "SQLite FTS5 in-process"
DATASETTE = "Datasette HTTP"
BASELINE_FACETS = ("company", "technology", "source")  # the facets every engine counts
_SHOWN = 5  # disagreements quoted in full; the rest are counted

Differences = Callable[[BaselineQuery, BaselineAnswer, BaselineAnswer], list[str]]


def identical(query: BaselineQuery, answer: BaselineAnswer, reference: BaselineAnswer) -> list[str]:
    """Every part of the two answers, facet values in their order too."""
    differences = _total(answer, reference) + _ids(answer, reference)
    if answer.snippets != reference.snippets:
        differences.append("snippets")
    ordered = {name: list(counts.items()) for name, counts in answer.facets.items()}
    if ordered != {name: list(counts.items()) for name, counts in reference.facets.items()}:
        differences.append("facets")
    return differences


def same_selection(query: BaselineQuery, answer: BaselineAnswer, reference: BaselineAnswer) -> list[str]:
    """Total and the counts of the facets the query does not filter on."""
    return _total(answer, reference) + _facets(answer, reference, _unfiltered(query))


def same_file(query: BaselineQuery, answer: BaselineAnswer, reference: BaselineAnswer) -> list[str]:
    """Total and every baseline facet's counts."""
    return _total(answer, reference) + _facets(answer, reference, BASELINE_FACETS)


def same_total(query: BaselineQuery, answer: BaselineAnswer, reference: BaselineAnswer) -> list[str]:
    return _total(answer, reference)


def same_ids(query: BaselineQuery, answer: BaselineAnswer, reference: BaselineAnswer) -> list[str]:
    return _ids(answer, reference)


def _total(answer: BaselineAnswer, reference: BaselineAnswer) -> list[str]:
    return [] if answer.total == reference.total else [f"total {answer.total} vs {reference.total}"]


def _ids(answer: BaselineAnswer, reference: BaselineAnswer) -> list[str]:
    if answer.ids == reference.ids:
        return []
    at = next(
        (n for n, (one, other) in enumerate(zip(answer.ids, reference.ids, strict=False)) if one != other),
        min(len(answer.ids), len(reference.ids)),
    )
    return [
        f"{len(answer.ids)} vs {len(reference.ids)} ids, first apart at hit {at + 1}: "
        f"{answer.ids[at : at + 3]} vs {reference.ids[at : at + 3]}"
    ]


def _unfiltered(query: BaselineQuery) -> tuple[str, ...]:
    filtered = {"company"} if query.companies else set()
    filtered |= {"technology"} if query.technologies else set()
    return tuple(name for name in BASELINE_FACETS if name not in filtered)


def _facets(answer: BaselineAnswer, reference: BaselineAnswer, names: Sequence[str]) -> list[str]:
    return [
        f"{name} counts {answer.facets.get(name)} vs {reference.facets.get(name)}"
        for name in names
        if not same_counts(answer.facets.get(name, {}), reference.facets.get(name, {}))
    ]


def same_counts(counts: Mapping[str, int], reference: Mapping[str, int]) -> bool:
    """Whether two top lists of facet values can both be right, values tied at the cut aside."""
    if sorted(counts.values(), reverse=True) != sorted(reference.values(), reverse=True):
        return False
    if any(counts[value] != reference[value] for value in counts.keys() & reference.keys()):
        return False
    floor = min(counts.values(), default=0)
    return all({**reference, **counts}[value] == floor for value in counts.keys() ^ reference.keys())


def has_keywords(query: BaselineQuery) -> bool:
    return bool(query.text.strip())


def browsing(query: BaselineQuery) -> bool:
    return not has_keywords(query)


def every_query(query: BaselineQuery) -> bool:
    return True


@dataclass(frozen=True)
class Rule:
    """What ``engine`` must share with ``reference`` on the queries ``applies`` picks.

    A rule that is not ``required`` is reported, with the overlap of the top ids, but never fails.
    """

    engine: str
    reference: str
    shared: str  # what is compared, in words, for the report
    applies: Callable[[BaselineQuery], bool]
    differences: Differences
    required: bool = True
    why: str = "different tokenizer and ranking"  # why a rule that is not required differs


RULES: tuple[Rule, ...] = (
    Rule(HTTP_API, SERVICE, "total, ids, snippets and facets", every_query, identical),
    Rule(GROUPEDBY, SERVICE, "total and unfiltered facets", every_query, same_selection),
    Rule(GROUPEDBY, SERVICE, "keywords: ranked ids", has_keywords, same_ids, required=False, why="another ranking"),
    Rule(SQLITE, SERVICE, "browsing: total and unfiltered facets", browsing, same_selection),
    Rule(SQLITE, SERVICE, "keywords: total", has_keywords, same_total, required=False),
    Rule(DATASETTE, SQLITE, "total and facets", every_query, same_file),
)


@dataclass
class Agreement:
    """The comparison of one run: a line per rule, and what broke a required rule."""

    lines: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.disagreements

    def report(self) -> list[str]:
        """The lines to print: each rule's figures, a verdict, and the first disagreements."""
        verdict = (
            "engines agree wherever they must"
            if self.ok
            else f"engines DISAGREE: {len(self.disagreements)} answers differ where they must agree"
        )
        shown = [f"  {line}" for line in self.disagreements[:_SHOWN]]
        more = [f"  ... and {len(self.disagreements) - _SHOWN} more"] if len(self.disagreements) > _SHOWN else []
        return [*self.lines, f"agreement: {verdict}", *shown, *more]


def compare(
    queries: Sequence[BaselineQuery],
    answers: Mapping[str, Sequence[BaselineAnswer | None]],
    rules: Sequence[Rule] = RULES,
) -> Agreement:
    """Apply each rule whose engines both ran; ``answers[engine][i]`` answers ``queries[i]``, or
    is ``None`` where the engine failed (failures are reported apart, so they are skipped here)."""
    agreement = Agreement()
    for rule in rules:
        if rule.engine not in answers or rule.reference not in answers:
            continue
        pairs = [
            (query, answer, reference)
            for query, answer, reference in zip(queries, answers[rule.engine], answers[rule.reference], strict=True)
            if rule.applies(query) and answer is not None and reference is not None
        ]
        agreed = 0
        for query, answer, reference in pairs:
            differences = rule.differences(query, answer, reference)
            agreed += not differences
            if differences and rule.required:
                agreement.disagreements.append(
                    f"{rule.engine} vs {rule.reference} on {label(query)}: {'; '.join(differences)}"
                )
        line = f"agreement: {rule.engine} vs {rule.reference} ({rule.shared}): {agreed}/{len(pairs)} queries"
        if not rule.required:
            line += f", top ids overlap {_overlap(pairs):.0%} ({rule.why}: informational)"
        agreement.lines.append(line)
    return agreement


def _overlap(pairs: Sequence[tuple[BaselineQuery, BaselineAnswer, BaselineAnswer]]) -> float:
    """The mean share of the reference's top ids that the engine also returned (1 when none compare)."""
    shares = [
        len(set(answer.ids) & set(reference.ids)) / len(reference.ids)
        for _, answer, reference in pairs
        if reference.ids
    ]
    return sum(shares) / len(shares) if shares else 1.0


def label(query: BaselineQuery) -> str:
    filters = [*(f"company={c}" for c in query.companies), *(f"technology={t}" for t in query.technologies)]
    return " ".join([repr(query.text), *filters])
