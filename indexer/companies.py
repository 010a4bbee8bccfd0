"""Company facets: a knowledge base of names matched in text, plus legal-form discovery.

Every variant a text may use (``Panasonic Holdings``, ``Panasonic's``,
``Panasonic Energy``, ``<PC>``) resolves to one canonical name, the top of its
parent chain, so the facet list shows each company once.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .text import sentence_spans, word_spans

# Legal forms that follow a company name; "Holdings" and "Group" are forms too
# ("Panasonic Holdings" is Panasonic).
LEGAL_FORMS = frozenset(
    "Inc Incorporated Corp Corporation Co Cos Company Ltd Limited plc PLC LLC LP AG SA SE NV BV "
    "GmbH KK SpA AB ASA Holdings Holding Group".split())
# The strong forms: a capitalised name before one of these is a company even when
# the knowledge base does not know it.
_DISCOVERY_FORMS = LEGAL_FORMS - {"Group", "Holding", "Holdings", "Company", "Co", "Cos", "SE"}
_CONNECTORS = frozenset({"&", "and"})
# Capitalised words that open sentences or phrases and never start a company name.
_NOT_NAME_START = frozenset(
    "The A An In On At For From By With As After Before Its Their His Her Our This That These Those "
    "Shares Unit Units Subsidiary Rival Rivals Analysts Analyst Chief Executive Chairman President "
    "Mr Mrs Ms Dr Both And But Or If When While Since Although Earlier Later Meanwhile".split())
_TICKER_IN_BRACKETS = re.compile(r"<([A-Z0-9][A-Z0-9.\-]{0,9})>")


class KnowledgeBaseError(ValueError):
    """The company knowledge base is malformed: a bad record or an unknown parent."""


@dataclass(frozen=True)
class CompanyRecord:
    name: str
    aliases: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
    parent: str | None = None


@dataclass(frozen=True)
class CompanyKnowledgeBase:
    """Canonical names by alias token sequence and by ticker."""

    trie: dict  # token -> subtrie; key "" holds the canonical name at a phrase end
    tickers: dict[str, str]
    excluded: frozenset[str]  # lower-cased names that are never companies

    def canonical_for_ticker(self, ticker: str) -> str | None:
        return self.tickers.get(ticker.upper())


def build_knowledge_base(records: list[CompanyRecord], excluded: list[str] = ()) -> CompanyKnowledgeBase:
    """Index records by every alias, resolving subsidiaries to their top parent."""
    by_name = {record.name: record for record in records}
    trie: dict = {}
    tickers: dict[str, str] = {}
    for record in records:
        canonical = _top_parent(record, by_name)
        for alias in (record.name, *record.aliases):
            node = trie
            for token in _tokens(alias):
                node = node.setdefault(token, {})
            node.setdefault("", canonical)
        for ticker in record.tickers:
            tickers.setdefault(ticker.upper(), canonical)
    return CompanyKnowledgeBase(trie, tickers, frozenset(name.lower() for name in excluded))


def parse_company_records(lines: list[str]) -> list[CompanyRecord]:
    """Read JSON Lines records ``{"name", "aliases", "tickers", "parent"}``."""
    records = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            records.append(CompanyRecord(
                name=data["name"], aliases=tuple(data.get("aliases", ())),
                tickers=tuple(data.get("tickers", ())), parent=data.get("parent")))
        except (ValueError, KeyError, TypeError) as error:
            raise KnowledgeBaseError(f"company record on line {number}: {error}") from error
    return records


@lru_cache(maxsize=1)
def load_knowledge_base() -> CompanyKnowledgeBase:
    """The knowledge base that ships with the package."""
    data = resources.files("indexer").joinpath("data")
    records = parse_company_records(data.joinpath("companies.jsonl").read_text("utf-8").splitlines())
    excluded = [line.strip() for line in data.joinpath("not_companies.txt").read_text("utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    return build_knowledge_base(records, excluded)


def extract_companies(text: str, source: str | None = None,
                      knowledge_base: CompanyKnowledgeBase | None = None) -> tuple[str, ...]:
    """Canonical companies named in ``text``, most mentioned first.

    Known names and their variants come from the knowledge base; an unknown
    capitalised name followed by a legal form (``Acme Widgets Inc``) is a company
    too. The article's own source (its publisher or wire) is never a company facet.
    """
    kb = knowledge_base or load_knowledge_base()
    found = _match_tickers(text, kb)
    for line in text.splitlines():
        for start, end in sentence_spans(line):
            sentence = line[start:end]
            found += _match_known([sentence[a:b] for a, b in word_spans(sentence)], kb)
    excluded = kb.excluded | ({source.lower()} if source else set())
    counts: dict[str, int] = {}
    for name in found:
        if name.lower() not in excluded:
            counts[name] = counts.get(name, 0) + 1
    return tuple(sorted(counts, key=lambda name: (-counts[name], name)))


def _match_known(tokens: list[str], kb: CompanyKnowledgeBase) -> list[str]:
    found, position = [], 0
    while position < len(tokens):
        name, length = _longest_alias(kb.trie, tokens, position)
        if name is None:
            name, length = _discovered_at(tokens, position)
        if name is None:
            position += 1
            continue
        found.append(name)
        position += length
        while position < len(tokens) and tokens[position] in LEGAL_FORMS:
            position += 1
    return found


def _longest_alias(trie: dict, tokens: list[str], start: int) -> tuple[str | None, int]:
    best: tuple[str | None, int] = (None, 0)
    node, position = trie, start
    while position < len(tokens) and tokens[position] in node:
        node = node[tokens[position]]
        position += 1
        if "" in node:
            best = (node[""], position - start)
    if best[0] and best[1] < len(tokens) - start and _continues_name(tokens[start + best[1]]):
        # "Apple" in "Apple Daily" is another name: a known alias must not be the
        # head of a longer capitalised name unless a legal form follows.
        following = tokens[start + best[1]]
        if following not in LEGAL_FORMS:
            return None, 0
    return best


def _continues_name(token: str) -> bool:
    return token[:1].isupper() and not token.isupper() and token not in LEGAL_FORMS


def _discovered_at(tokens: list[str], start: int) -> tuple[str | None, int]:
    """An unknown capitalised name directly followed by a strong legal form."""
    if not _is_name_word(tokens[start]) or tokens[start] in _NOT_NAME_START:
        return None, 0
    end = start + 1
    while end < len(tokens) and (_is_name_word(tokens[end]) or (
            tokens[end] in _CONNECTORS and end + 1 < len(tokens) and _is_name_word(tokens[end + 1]))):
        if tokens[end] in _DISCOVERY_FORMS:
            break
        end += 1
    if end < len(tokens) and tokens[end] in _DISCOVERY_FORMS and end - start <= 5:
        return " ".join(tokens[start:end]), end - start
    return None, 0


def _is_name_word(token: str) -> bool:
    return token[:1].isupper() and token not in _DISCOVERY_FORMS


def _match_tickers(text: str, kb: CompanyKnowledgeBase) -> list[str]:
    names = (kb.canonical_for_ticker(ticker) for ticker in _TICKER_IN_BRACKETS.findall(text))
    return [name for name in names if name]


def _tokens(name: str) -> list[str]:
    return [name[start:end] for start, end in word_spans(name)]


def _top_parent(record: CompanyRecord, by_name: dict[str, CompanyRecord]) -> str:
    seen = {record.name}
    while record.parent:
        if record.parent not in by_name:
            raise KnowledgeBaseError(f"company {record.name!r} has unknown parent {record.parent!r}")
        record = by_name[record.parent]
        if record.name in seen:
            raise KnowledgeBaseError(f"company parents form a loop at {record.name!r}")
        seen.add(record.name)
    return record.name
