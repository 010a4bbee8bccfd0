"""How clean the company facet's values are over a corpus: a measurement, not a fix.

The facet list a reader sees is made of company strings; this counts the kinds
of string that make it noisy, so a later change to the extractor can be judged
by the same figures before and after. Every measure is a pure function over
:class:`ArticleValues` records (article id, date, companies as extracted), so
each can be tested on a handful of hand-made records; :func:`main` extracts the
facets over real corpora and prints the counts with examples.

A *value* is a distinct company string across all articles (compared exactly,
case and punctuation included); an *occurrence* is an (article, value) pair.
The measures:

1. ``distinct_values`` and ``single_article_values``: values, and those named
   by one article only.
2. ``spelling_groups``: values that differ only in case, spacing or
   punctuation. Key: lower case, punctuation (every character neither a letter,
   a digit nor white space) dropped, white space collapsed to one space. A group
   is a key with more than one spelling; its pairs are n*(n-1)/2. Collapsing
   leaves ``TimeWarner`` and ``Time Warner`` apart, so a second count also drops
   the spaces (``spelling_groups_ignoring_spaces``).
3. ``possessive_values``: values ending in ``'s``, ``’s``, ``s'`` or ``s’``
   (either case). Names such as ``Moody's`` are counted too: the pattern cannot
   tell them apart; those whose bare form (the value without the ending) is
   itself a value are counted separately.
4. ``joined_values``: values with the word ``and`` (any case) or a
   free-standing ``&`` between spaces, so ``AT&T`` is not one;
   ``joined_known_values`` are those that split, at one such conjunction, into
   a left and a right part that both begin with a capital letter and are both
   values themselves (``Sony and Toyota`` beside ``Sony`` and ``Toyota``).
5. ``all_caps_values``: values with more than five letters, all of them
   capitals (only letters are counted: ``IBM`` has three, ``AT&T`` three).
6. ``fragments``: occurrences whose words are a proper contiguous part of the
   words of another value of the same article (``Sachs`` beside ``Goldman
   Sachs``). Words are the white-space separated tokens with punctuation
   stripped from their ends, compared without case.
7. ``common_word_values``: one-word values whose lower case is in the
   project's common-word list. The list holds brand words too (``ford``,
   ``kodak``), so those not a name or alias in the shipped company lists
   (``companies.jsonl``, ``companies_generated.jsonl``) are counted apart as
   ``unlisted_common_word_values``. Beside them, the article count of each
   value of a watch list taken from the issue that asked for this measure.
8. ``gec_filed_as_general_electric``: articles dated before 1990 whose text
   has the word ``GEC`` (case kept) but neither ``General Electric`` (any case)
   nor the word ``GE`` (case kept), yet list ``General Electric`` among their
   companies: the British GEC filed under the American company. Reuters names
   that company in full, ``General Electric Co Plc <GECL.L>``, so
   ``gec_plc_filed_as_general_electric`` also lets the text say ``General
   Electric`` when each time it is followed by ``Plc``, ``Co Plc`` or
   ``Company Plc`` (any case, dots allowed): GEC's own full name, not the
   American company's.

Run it as ``scripts/facet-value-report [CORPUS ...] [--limit N] [--examples K] [--json]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path

from indexer.facets.extract import extract_facets_batch
from indexer.ingest.files import read_articles
from indexer.progress import for_stream

PROG = "facet-value-report"
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
DEFAULT_CORPORA = ("reuters.jsonl.gz", "bbc_news.jsonl.gz")
# Values an issue on the facet list named as noise; each one's article count is reported.
WATCH_LIST = ("Citing", "Time", "Fund", "Sachs", "Lynch", "Peabody", "Industry", "Representatives")
GENERAL_ELECTRIC = "General Electric"
BEFORE_YEAR = 1990

_POSSESSIVE = re.compile(r"(?:['’][sS]|[sS]['’])$")
_CONJUNCTION = re.compile(r" (?:[Aa][Nn][Dd]|&) ")
_GEC = re.compile(r"\bGEC\b")
_GE = re.compile(r"\bGE\b")
_GENERAL_ELECTRIC = re.compile(r"\bgeneral\s+electric\b", re.IGNORECASE)
# General Electric not followed by GEC's legal form: the American company, or either unsaid.
_GENERAL_ELECTRIC_NOT_PLC = re.compile(
    r"\bgeneral\s+electric\b(?!\s+(?:co(?:mpany)?\.?\s+)?p\.?l\.?c\b)", re.IGNORECASE
)


@dataclass(frozen=True)
class ArticleValues:
    """One article as the measures see it: its id, date and extracted companies."""

    id: str
    date: datetime | None
    companies: tuple[str, ...]


@dataclass(frozen=True)
class Fragment:
    """A value of an article whose words are a proper part of another value's there."""

    article: str
    value: str
    within: str


@dataclass(frozen=True)
class Report:
    """Every measure over one corpus, in full; printing picks the examples."""

    articles: int
    value_articles: Mapping[str, frozenset[str]]
    single_article_values: tuple[str, ...]
    spelling_groups: tuple[tuple[str, ...], ...]
    spelling_groups_ignoring_spaces: tuple[tuple[str, ...], ...]
    possessive_values: tuple[str, ...]
    possessive_values_with_bare_form: tuple[str, ...]
    joined_values: tuple[str, ...]
    joined_known_values: tuple[str, ...]
    all_caps_values: tuple[str, ...]
    fragments: tuple[Fragment, ...]
    occurrences: int
    common_word_values: tuple[str, ...]
    common_word_occurrences: int
    unlisted_common_word_values: tuple[str, ...]
    unlisted_common_word_occurrences: int
    watch_list: Mapping[str, int]
    gec_filed_as_general_electric: tuple[str, ...]
    gec_plc_filed_as_general_electric: tuple[str, ...]

    def counts(self) -> dict[str, int]:
        """The integer counts, under the names the JSON output gives them."""
        return {
            "articles": self.articles,
            "distinct_values": len(self.value_articles),
            "single_article_values": len(self.single_article_values),
            "spelling_groups": len(self.spelling_groups),
            "spelling_pairs": pair_count(self.spelling_groups),
            "spelling_groups_ignoring_spaces": len(self.spelling_groups_ignoring_spaces),
            "spelling_pairs_ignoring_spaces": pair_count(self.spelling_groups_ignoring_spaces),
            "possessive_values": len(self.possessive_values),
            "possessive_values_with_bare_form": len(self.possessive_values_with_bare_form),
            "joined_values": len(self.joined_values),
            "joined_known_values": len(self.joined_known_values),
            "all_caps_values": len(self.all_caps_values),
            "fragment_occurrences": len(self.fragments),
            "value_occurrences": self.occurrences,
            "common_word_values": len(self.common_word_values),
            "common_word_occurrences": self.common_word_occurrences,
            "unlisted_common_word_values": len(self.unlisted_common_word_values),
            "unlisted_common_word_occurrences": self.unlisted_common_word_occurrences,
            "gec_filed_as_general_electric": len(self.gec_filed_as_general_electric),
            "gec_plc_filed_as_general_electric": len(self.gec_plc_filed_as_general_electric),
        }

    @property
    def fragment_percent(self) -> float:
        return 100 * len(self.fragments) / self.occurrences if self.occurrences else 0.0


# 1. Values and the articles that name them.


def value_articles(records: Iterable[ArticleValues]) -> dict[str, frozenset[str]]:
    """Each distinct value and the ids of the articles that name it."""
    found: dict[str, set[str]] = defaultdict(set)
    for record in records:
        for value in record.companies:
            found[value].add(record.id)
    return {value: frozenset(ids) for value, ids in found.items()}


def single_article_values(by_value: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    """Values named by one article only, sorted: the long tail a facet list rarely shows."""
    return tuple(sorted(value for value, ids in by_value.items() if len(ids) == 1))


def occurrence_count(records: Iterable[ArticleValues]) -> int:
    """(article, value) pairs: a value listed twice by one article counts once."""
    return sum(len(set(record.companies)) for record in records)


# 2. Spellings of one name.


def spelling_key(value: str, ignore_spaces: bool = False) -> str:
    """``"Kidder, Peabody"`` -> ``"kidder peabody"``; with ``ignore_spaces``, ``"kidderpeabody"``."""
    kept = "".join(c for c in value.lower() if c.isalnum() or c.isspace())
    return "".join(kept.split()) if ignore_spaces else " ".join(kept.split())


def spelling_groups(values: Iterable[str], ignore_spaces: bool = False) -> tuple[tuple[str, ...], ...]:
    """Groups of distinct values with one :func:`spelling_key` and more than one spelling.

    Each group is sorted, and the groups by their first spelling. A value with
    no letters or digits at all has an empty key and is left out.
    """
    groups: dict[str, set[str]] = defaultdict(set)
    for value in values:
        key = spelling_key(value, ignore_spaces)
        if key:
            groups[key].add(value)
    return tuple(sorted(tuple(sorted(group)) for group in groups.values() if len(group) > 1))


def pair_count(groups: Iterable[Sequence[str]]) -> int:
    """Pairs of spellings within the groups: a group of n spellings has n*(n-1)/2."""
    return sum(len(group) * (len(group) - 1) // 2 for group in groups)


# 3. Possessives.


def possessive_values(values: Iterable[str]) -> tuple[str, ...]:
    """Values ending in 's, ’s, s' or s’ (either case), sorted."""
    return tuple(sorted(value for value in set(values) if _POSSESSIVE.search(value)))


def bare_form(value: str) -> str:
    """The value without its possessive ending: ``"Citicorp's"`` -> ``"Citicorp"``, ``"Sears'"`` -> ``"Sears"``."""
    if value.endswith(("'", "’")):
        return value[:-1]
    return value[:-2] if _POSSESSIVE.search(value) else value


def possessives_with_bare_form(values: Iterable[str]) -> tuple[str, ...]:
    """Possessive values whose bare form is a value too: the clearest cases of a name read with its ending."""
    known = set(values)
    return tuple(value for value in possessive_values(known) if bare_form(value) in known)


# 4. Two companies joined into one value.


def joined_values(values: Iterable[str]) -> tuple[str, ...]:
    """Values with " and " (any case) or " & " in them, sorted; ``AT&T`` has no free-standing ``&``."""
    return tuple(sorted(value for value in set(values) if _CONJUNCTION.search(value)))


def joined_known_values(values: Iterable[str]) -> tuple[str, ...]:
    """Joined values that split, at one conjunction, into two capitalised parts that are values themselves."""
    known = set(values)
    found = []
    for value in joined_values(known):
        for match in _CONJUNCTION.finditer(value):
            left, right = value[: match.start()].strip(), value[match.end() :].strip()
            if left[:1].isupper() and right[:1].isupper() and left in known and right in known:
                found.append(value)
                break
    return tuple(found)


# 5. Shouted names.


def is_all_caps(value: str, longer_than: int = 5) -> bool:
    """More than ``longer_than`` letters, every one a capital; digits, spaces and punctuation are not counted."""
    letters = [c for c in value if c.isalpha()]
    return len(letters) > longer_than and all(c.isupper() for c in letters)


def all_caps_values(values: Iterable[str]) -> tuple[str, ...]:
    """All-capitals values of more than five letters, sorted."""
    return tuple(sorted(value for value in set(values) if is_all_caps(value)))


# 6. Fragments of a longer name on the same article.


def words(value: str) -> tuple[str, ...]:
    """The white-space separated words of a value, punctuation stripped from their ends, without case."""
    stripped = (word.strip("".join(c for c in word if not c.isalnum())) for word in value.split())
    return tuple(word.casefold() for word in stripped if word)


def _is_proper_part(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    if not part or len(part) >= len(whole):
        return False
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def fragments(records: Iterable[ArticleValues]) -> tuple[Fragment, ...]:
    """Occurrences that are a fragment of another value of the same article, in article order.

    ``within`` is the first value of the article, in its listed order, that
    holds the fragment's words.
    """
    found = []
    for record in records:
        values = list(dict.fromkeys(record.companies))
        split = {value: words(value) for value in values}
        for value in values:
            within = next((other for other in values if _is_proper_part(split[value], split[other])), None)
            if within is not None:
                found.append(Fragment(record.id, value, within))
    return tuple(found)


# 7. Everyday words as values.


def load_common_words() -> frozenset[str]:
    """The project's list of common lower-case words, read from the facets package's data."""
    text = (files("indexer.facets") / "data" / "common_words.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def common_word_values(values: Iterable[str], common: frozenset[str]) -> tuple[str, ...]:
    """One-word values whose lower case is a common word, sorted."""
    return tuple(sorted(value for value in set(values) if len(value.split()) == 1 and value.lower() in common))


def load_company_names() -> frozenset[str]:
    """Every name and alias in the company lists the extractor ships, as written."""
    data = files("indexer.facets") / "data"
    names: set[str] = set()
    for name in ("companies.jsonl", "companies_generated.jsonl"):
        for line in (data / name).read_text("utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                names.add(record["name"])
                names.update(record.get("aliases", ()))
    return frozenset(names)


def unlisted(values: Iterable[str], listed: frozenset[str]) -> tuple[str, ...]:
    """The values that are not in ``listed``, sorted: a common word no company list vouches for."""
    return tuple(sorted(value for value in set(values) if value not in listed))


def watch_list_counts(by_value: Mapping[str, frozenset[str]], watched: Sequence[str] = WATCH_LIST) -> dict[str, int]:
    """Articles naming each watched value exactly (case kept), in the watch list's order."""
    return {value: len(by_value.get(value, ())) for value in watched}


# 8. The British GEC filed under General Electric.


def names_gec_only(text: str) -> bool:
    """The text has the word GEC but neither General Electric (any case) nor the word GE."""
    return bool(_GEC.search(text)) and not _GE.search(text) and not _GENERAL_ELECTRIC.search(text)


def names_british_gec_only(text: str) -> bool:
    """The text has the word GEC, not the word GE, and says General Electric only as GEC's full
    name (``General Electric Co Plc``)."""
    return bool(_GEC.search(text)) and not _GE.search(text) and not _GENERAL_ELECTRIC_NOT_PLC.search(text)


def gec_filed_as_general_electric(
    records: Iterable[ArticleValues],
    texts: Mapping[str, str],
    before_year: int = BEFORE_YEAR,
    names_gec: Callable[[str], bool] = names_gec_only,
) -> tuple[str, ...]:
    """Ids of articles dated before ``before_year`` whose text ``names_gec`` accepts, yet list General Electric.

    ``texts`` holds each article's text by id; an article without a date is
    left out, since it cannot be placed before or after.
    """
    return tuple(
        record.id
        for record in records
        if record.date is not None
        and record.date.year < before_year
        and GENERAL_ELECTRIC in record.companies
        and names_gec(texts.get(record.id, ""))
    )


# All of them.


def measure(
    records: Sequence[ArticleValues],
    texts: Mapping[str, str],
    common: frozenset[str] | None = None,
    listed: frozenset[str] | None = None,
) -> Report:
    """Every measure over ``records``; ``texts`` (article text by id) serves the GEC measure only.

    ``common`` and ``listed`` default to the project's common words and its
    shipped company names.
    """
    common = load_common_words() if common is None else common
    listed = load_company_names() if listed is None else listed
    by_value = value_articles(records)
    values = list(by_value)
    everyday = common_word_values(values, common)
    everyday_unlisted = unlisted(everyday, listed)
    return Report(
        articles=len(records),
        value_articles=by_value,
        single_article_values=single_article_values(by_value),
        spelling_groups=spelling_groups(values),
        spelling_groups_ignoring_spaces=spelling_groups(values, ignore_spaces=True),
        possessive_values=possessive_values(values),
        possessive_values_with_bare_form=possessives_with_bare_form(values),
        joined_values=joined_values(values),
        joined_known_values=joined_known_values(values),
        all_caps_values=all_caps_values(values),
        fragments=fragments(records),
        occurrences=occurrence_count(records),
        common_word_values=everyday,
        common_word_occurrences=sum(len(by_value[value]) for value in everyday),
        unlisted_common_word_values=everyday_unlisted,
        unlisted_common_word_occurrences=sum(len(by_value[value]) for value in everyday_unlisted),
        watch_list=watch_list_counts(by_value),
        gec_filed_as_general_electric=gec_filed_as_general_electric(records, texts),
        gec_plc_filed_as_general_electric=gec_filed_as_general_electric(
            records, texts, names_gec=names_british_gec_only
        ),
    )


# Printing.


def _by_articles(values: Iterable[str], by_value: Mapping[str, frozenset[str]], k: int) -> list[str]:
    """The ``k`` values named by most articles (ties alphabetical), each with its article count."""
    ranked = sorted(values, key=lambda value: (-len(by_value.get(value, ())), value))
    return [f"{value} ({len(by_value.get(value, ()))})" for value in ranked[:k]]


def _group_examples(groups: Sequence[tuple[str, ...]], by_value: Mapping[str, frozenset[str]], k: int) -> list[str]:
    def articles(group: tuple[str, ...]) -> int:
        return sum(len(by_value.get(value, ())) for value in group)

    ranked = sorted(groups, key=lambda group: (-articles(group), group))
    return [" | ".join(_by_articles(group, by_value, len(group))) for group in ranked[:k]]


def _joined_examples(report: Report, k: int) -> list[str]:
    """Joined values whose sides are values first, marked so; then the other joined values."""
    known = set(report.joined_known_values)
    shown = _by_articles(report.joined_known_values, report.value_articles, k)
    shown = [f"{example}  [both sides are values]" for example in shown]
    others = [value for value in report.joined_values if value not in known]
    return shown + _by_articles(others, report.value_articles, k - len(shown))


def _fragment_examples(found: Sequence[Fragment], k: int) -> list[str]:
    """The most frequent (fragment, whole) pairs, with how many articles have them."""
    pairs = Counter((fragment.value, fragment.within) for fragment in found)
    ranked = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))
    return [f"{value!r} beside {within!r} ({count})" for (value, within), count in ranked[:k]]


def format_report(
    report: Report, k: int, dates: Mapping[str, datetime | None], companies: Mapping[str, tuple[str, ...]]
) -> list[str]:
    """The report as lines: one per measure, then up to ``k`` indented examples.

    Examples of values are the ones named by most articles, with the article
    count in brackets; the spelling examples are groups found ignoring spaces,
    the wider of the two counts.
    """
    counts = report.counts()
    by_value = report.value_articles
    distinct = counts["distinct_values"]
    single = counts["single_article_values"]

    def share(count: int, of: int) -> str:
        return f"{100 * count / of:.1f}%" if of else "n/a"

    def examples(items: Iterable[str]) -> list[str]:
        return [f"    {item}" for item in items]

    lines = [
        f"1. distinct company values: {distinct}; in one article only: {single} ({share(single, distinct)})",
        *examples(_by_articles(report.single_article_values, by_value, k)),
        f"2. spellings differing in case, spacing or punctuation: {counts['spelling_groups']} groups, "
        f"{counts['spelling_pairs']} pairs; ignoring spaces altogether: "
        f"{counts['spelling_groups_ignoring_spaces']} groups, {counts['spelling_pairs_ignoring_spaces']} pairs",
        *examples(_group_examples(report.spelling_groups_ignoring_spaces, by_value, k)),
        f"3. possessive values ('s, ’s, s'): {counts['possessive_values']}; "
        f"of which the bare name is a value too: {counts['possessive_values_with_bare_form']}",
        *examples(_by_articles(report.possessive_values, by_value, k)),
        f"4. values with ' and ' or ' & ': {counts['joined_values']}; "
        f"of which both sides are values themselves: {counts['joined_known_values']}",
        *examples(_joined_examples(report, k)),
        f"5. all-capitals values of more than five letters: {counts['all_caps_values']}",
        *examples(_by_articles(report.all_caps_values, by_value, k)),
        f"6. fragments of another value on the same article: {counts['fragment_occurrences']} of "
        f"{counts['value_occurrences']} (article, value) occurrences ({report.fragment_percent:.1f}%)",
        *examples(_fragment_examples(report.fragments, k)),
        f"7. one-word values that are common words: {counts['common_word_values']} values, "
        f"{counts['common_word_occurrences']} occurrences; not in the shipped company lists: "
        f"{counts['unlisted_common_word_values']} values, {counts['unlisted_common_word_occurrences']} occurrences",
        *examples(_by_articles(report.unlisted_common_word_values, by_value, k)),
        "   watch list (articles): " + ", ".join(f"{value} {count}" for value, count in report.watch_list.items()),
        f"8. articles before {BEFORE_YEAR} naming GEC filed under {GENERAL_ELECTRIC}: "
        f"{counts['gec_filed_as_general_electric']} with neither General Electric nor GE in the text; "
        f"{counts['gec_plc_filed_as_general_electric']} allowing General Electric Co Plc (GEC's full name)",
    ]
    for article in report.gec_plc_filed_as_general_electric[:k]:
        date = dates.get(article)
        lines.append(f"    {article} {date.date() if date else '-'}: {', '.join(companies.get(article, ()))}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Count the kinds of noise among the company facet's values over news corpora.",
    )
    parser.add_argument(
        "corpus",
        nargs="*",
        type=Path,
        help=f"files or folders newsfacet reads (default: {', '.join(DEFAULT_CORPORA)} in ../shared/data)",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N articles read, in corpus order")
    parser.add_argument("--examples", type=int, default=5, metavar="K", help="examples per measure (default: 5)")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.examples < 0:
        parser.error("--examples must not be negative")
    corpora = args.corpus or [DEFAULT_DATA / name for name in DEFAULT_CORPORA]
    missing = [str(path) for path in corpora if not path.exists()]
    if missing:
        print(f"{PROG}: no such corpus: {', '.join(missing)}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    batch = read_articles(corpora)
    articles = list(batch.articles[: args.limit] if args.limit else batch.articles)
    read_seconds = time.perf_counter() - started
    if not articles:
        print(f"{PROG}: no articles read from {', '.join(map(str, corpora))}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    extracted = list(extract_facets_batch(articles, progress=for_stream(sys.stderr)))
    seconds = time.perf_counter() - started
    per_second = len(extracted) / seconds if seconds else 0.0

    records = [ArticleValues(a.id, a.date, a.companies) for a in extracted]
    texts = {a.id: f"{a.title}\n{a.body}" for a in extracted}
    report = measure(records, texts)

    if args.json:
        print(
            json.dumps(
                {
                    "counts": report.counts(),
                    "fragment_percent": round(report.fragment_percent, 2),
                    "watch_list": dict(report.watch_list),
                    "skipped_inputs": len(batch.skipped),
                    "extraction_seconds": round(seconds, 3),
                    "articles_per_second": round(per_second, 1),
                }
            )
        )
        return 0
    names = ", ".join(path.name for path in corpora)
    skipped = f"{len(batch.skipped)} input{'' if len(batch.skipped) == 1 else 's'} skipped"
    print(f"{len(articles)} articles from {names} ({skipped}, read in {read_seconds:.1f} s)")
    print(f"facet extraction: {seconds:.1f} s, {per_second:.0f} articles/s")
    dates = {record.id: record.date for record in records}
    companies = {record.id: record.companies for record in records}
    for line in format_report(report, args.examples, dates, companies):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
