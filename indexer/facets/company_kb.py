"""The company knowledge base: canonical names, aliases, tickers and parents.

It is read from data files in ``indexer/facets/data``:

- ``companies.jsonl`` (kept by hand): important companies, former names,
  aliases, and parent links of units and subsidiaries;
- ``companies_generated.jsonl`` (from ``scripts/build-gazetteers``): index
  constituents with their official names and tickers. These are today's
  listings, and exchanges give a ticker to another company once its holder
  is gone (``SM`` was Southmark before it was SM Energy), so their tickers
  resolve only for articles from GENERATED_LISTINGS_FROM on;
- ``not_companies.txt`` (kept by hand): names that look like companies and are
  not (wire services, indices, regulators, products).

The hand-kept file wins where both name the same alias or ticker.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from indexer.errors import InputError
from indexer.facets.lexicon import Lexicon, load_lexicon
from indexer.text import word_spans

_NOT_ALPHANUMERIC = re.compile(r"[^\w]+|_")
NOT_A_COMPANY = ""  # canonical name stored for an excluded phrase
GENERATED_LISTINGS_FROM = 2000  # a year from which today's listings' tickers are taken as theirs


@dataclass(frozen=True)
class CompanyRecord:
    name: str
    aliases: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    parent: str | None = None
    # Hand-kept records say so when a name is also an everyday word ("Shell",
    # "Visa"); generated records are judged against the word lists.
    ambiguous: bool | None = None
    # The years the tickers were the company's, first and last (None: open), from "listed": [from, to]
    listed: tuple[int | None, int | None] = (None, None)


@dataclass(frozen=True)
class Listing:
    """A ticker's company over the years it held it (None: open-ended)."""

    canonical: str
    first_year: int | None = None
    last_year: int | None = None

    def holds_in(self, year: int | None) -> bool:
        if year is None:
            return True
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass(frozen=True)
class Alias:
    """One way of writing a company (or an excluded phrase) in text."""

    tokens: tuple[str, ...]  # as written in the knowledge base
    canonical: str  # the record's name; NOT_A_COMPANY for excluded phrases
    ambiguous: bool  # everyday words, a given name or a place: a name only where capitals mean one


@dataclass(frozen=True)
class CompanyKnowledgeBase:
    trie: dict  # lower-case token -> subtrie; key "" holds the Alias list ending there
    tickers: dict[str, tuple[Listing, ...]]  # upper-case ticker -> its companies over the years
    canonical_names: frozenset[str]
    curated: frozenset[str] = frozenset()  # canonical names from the hand-kept file
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> ancestors, nearest first
    # variant_key(name or alias) -> canonical name: "PEPSICO" and "Pepsico" are PepsiCo
    spellings: dict[str, str] = field(default_factory=dict)
    # canonical name -> its other names, as written ("Panasonic" -> "Panasonic Holdings", ...)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def written_forms(self, name: str) -> tuple[str, ...]:
        """Other ways a text writes the company ``name`` (none for a name the knowledge base lacks)."""
        return self.aliases.get(name, ())

    def canonical_for_ticker(self, ticker: str, year: int | None = None) -> str | None:
        """The company that held ``ticker`` in ``year`` (any year when None), if one is known.

        In a 1987 story ``<SM>`` is not today's SM Energy: an unknown holder is left to discovery.
        """
        return next(
            (listing.canonical for listing in self.tickers.get(ticker.upper(), ()) if listing.holds_in(year)), None
        )

    def ancestors(self, name: str) -> tuple[str, ...]:
        return self.parents.get(name, ())


def variant_key(name: str) -> str:
    """What spellings of one name share: case, punctuation and spaces left out.

    "Kidder, Peabody", "KIDDER PEABODY" and "Kidder  Peabody" are one company, and so
    are "Paine Webber" and "PaineWebber".
    """
    return "".join(_NOT_ALPHANUMERIC.sub(" ", name.lower().replace("&", " and ")).split())


def tokens_of(name: str) -> tuple[str, ...]:
    name = name.replace("’", "'")
    return tuple(name[start:end] for start, end in word_spans(name))


def build_knowledge_base(
    records: Sequence[CompanyRecord],
    excluded: Iterable[str] = (),
    min_generated_chars: int = 0,
    generated_from: int | None = None,
) -> CompanyKnowledgeBase:
    """Index the records by every alias and remember each subsidiary's parents.

    Records from ``generated_from`` on are machine-generated: their names of
    ``min_generated_chars`` characters or fewer ("Q2", "NN", "BD") look like
    everyday abbreviations, so they resolve tickers but are not matched as words.
    """
    lexicon = load_lexicon()
    by_name: dict[str, CompanyRecord] = {}
    for record in records:
        by_name.setdefault(record.name, record)
    trie: dict = {}
    tickers: dict[str, list[Listing]] = {}
    spellings: dict[str, str] = {}
    aliases: dict[str, tuple[str, ...]] = {}
    for phrase in excluded:
        insert_alias(trie, Alias(tokens_of(phrase), NOT_A_COMPANY, False))
    parents = {record.name: _ancestors(record, by_name) for record in records}
    for position, record in enumerate(records):
        canonical = record.name
        generated = generated_from is not None and position >= generated_from
        for alias in dict.fromkeys((record.name, *record.aliases)):
            tokens = tokens_of(alias)
            if not tokens or (generated and len(alias) <= min_generated_chars):
                continue
            ambiguous = record.ambiguous
            if ambiguous is None:
                ambiguous = generated and _is_ambiguous(tokens, lexicon)
            insert_alias(trie, Alias(tokens, canonical, bool(ambiguous) and (len(tokens) == 1 or alias == record.name)))
            spellings.setdefault(variant_key(alias), canonical)
            if alias != canonical and alias not in aliases.get(canonical, ()):
                aliases[canonical] = (*aliases.get(canonical, ()), alias)
        first_year, last_year = record.listed
        if generated and first_year is None:
            first_year = GENERATED_LISTINGS_FROM
        for ticker in record.tickers:
            listings = tickers.setdefault(ticker.upper(), [])
            if all(listing.canonical != canonical for listing in listings):
                listings.append(Listing(canonical, first_year, last_year))
    curated = records if generated_from is None else records[:generated_from]
    return CompanyKnowledgeBase(
        trie,
        {ticker: tuple(listings) for ticker, listings in tickers.items()},
        frozenset(by_name),
        frozenset(r.name for r in curated),
        {name: chain for name, chain in parents.items() if chain},
        spellings,
        aliases,
    )


def parse_company_records(lines: list[str]) -> list[CompanyRecord]:
    """Read JSON Lines records ``{"name", "aliases", "tickers", "parent", "ambiguous", "listed"}``.

    Other keys are ignored: the generated file also lists each company's
    industries, which extraction does not use.
    """
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            records.append(
                CompanyRecord(
                    name=data["name"],
                    aliases=tuple(data.get("aliases", ())),
                    tickers=tuple(data.get("tickers", ())),
                    parent=data.get("parent"),
                    ambiguous=data.get("ambiguous"),
                    listed=_listed_years(data.get("listed")),
                )
            )
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(f"company record on line {number}: {error}") from error
    return records


def _listed_years(value: object) -> tuple[int | None, int | None]:
    """``[1968, 1999]``, ``[null, 1999]`` or absent: the years a record's tickers were its own."""
    if value is None:
        return None, None
    if not isinstance(value, list) or len(value) != 2 or not all(v is None or isinstance(v, int) for v in value):
        raise TypeError(f"listed must be [first year or null, last year or null], not {value!r}")
    return value[0], value[1]


@lru_cache(maxsize=1)
def load_knowledge_base() -> CompanyKnowledgeBase:
    """The knowledge base that ships with the package."""
    data = resources.files("indexer.facets").joinpath("data")
    curated = parse_company_records(data.joinpath("companies.jsonl").read_text("utf-8").splitlines())
    generated = parse_company_records(data.joinpath("companies_generated.jsonl").read_text("utf-8").splitlines())
    excluded = [
        line.strip()
        for line in data.joinpath("not_companies.txt").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return build_knowledge_base(curated + generated, excluded, min_generated_chars=3, generated_from=len(curated))


def insert_alias(trie: dict, alias: Alias) -> None:
    """Add an alias to a trie of lower-case tokens (the list under key \"\" ends a phrase)."""
    node = trie
    for token in alias.tokens:
        node = node.setdefault(token.lower(), {})
    entries = node.setdefault("", [])
    if all(existing.tokens != alias.tokens for existing in entries):
        entries.append(alias)


def _is_ambiguous(tokens: tuple[str, ...], lexicon: Lexicon) -> bool:
    if len(tokens) != 1:
        return False
    word = tokens[0]
    return lexicon.is_common_word(word) or word in lexicon.first_names or word in lexicon.places


def _ancestors(record: CompanyRecord, by_name: dict[str, CompanyRecord]) -> tuple[str, ...]:
    chain: list[str] = []
    while record.parent:
        if record.parent not in by_name:
            raise InputError(f"company {record.name!r} has unknown parent {record.parent!r}")
        record = by_name[record.parent]
        if record.name in chain:
            raise InputError(f"company parents form a loop at {record.name!r}")
        chain.append(record.name)
    return tuple(chain)
