"""Query text to a Whoosh query, and the indexed words a query looks for.

A typo in the syntax (an unbalanced quote, a stray operator, an unknown
field) must still find what the words would find, never fail; a query of
nothing but operators or stop words lists everything rather than nothing.
"""

from __future__ import annotations

import functools
import re

from whoosh.qparser import AndGroup, FuzzyTermPlugin, MultifieldParser
from whoosh.query import Every, FuzzyTerm, NullQuery, Query
from whoosh.reading import IndexReader

from indexer.index.postings import term_text
from indexer.index.schema import BODY_FIELD, PLAIN_FIELD, QUERY_FIELDS, build_schema
from indexer.stemming import stem

_WORD = re.compile(r"\w+", re.UNICODE)
PARSED_QUERIES_KEPT = 512


class QueryParser:
    """Whoosh query syntax over title and body, with fuzzy terms on the words as written.

    Parsed queries are remembered: the same few queries come back again and again.
    """

    def __init__(self) -> None:
        self._parser = MultifieldParser(list(QUERY_FIELDS), build_schema(), group=AndGroup)
        self._parser.add_plugin(FuzzyTermPlugin())  # "panasonik~" tolerates a misspelling
        self._cached = functools.lru_cache(maxsize=PARSED_QUERIES_KEPT)(self._parse)

    def parse(self, text: str) -> Query:
        """Whoosh query syntax when it parses into something; otherwise the plain words."""
        return self._cached(text.strip())

    def _parse(self, text: str) -> Query:
        if not _WORD.search(text):
            return Every()
        try:
            query = self._parser.parse(text)
        except Exception:  # Whoosh raises assorted errors on odd syntax; words still work.
            query = NullQuery
        if is_null_query(query):
            query = self._parser.parse(" ".join(word.lower() for word in _WORD.findall(text)))
        return Every() if is_null_query(query) else query.accept(_fuzzy_on_plain_words)


def asks_for_everything(query: Query) -> bool:
    """Whether the query has no words: every live article matches, listed newest first."""
    return isinstance(query, Every)


def is_null_query(query: Query) -> bool:
    """Whether the query matches nothing at all (Whoosh's NullQuery, its class or instance)."""
    return query is NullQuery or isinstance(query, type(NullQuery))


def understood(query: Query) -> str:
    """The query as the engine understood it, shown to the user."""
    return "*" if asks_for_everything(query) else str(query)


def highlight_terms(reader: IndexReader, query: Query) -> frozenset[str]:
    """The indexed words (stems) the query looks for in the body, prefixes and fuzzy terms expanded."""
    if asks_for_everything(query):
        return frozenset()
    # One field per call: Whoosh's existing_terms skips other fields once it has found one.
    words = {term_text(text) for _, text in query.existing_terms(reader, expand=True, fieldname=BODY_FIELD)}
    # A fuzzy match is found on the unstemmed copy; the body shows it by its stem.
    words |= {stem(term_text(text)) for _, text in query.existing_terms(reader, expand=True, fieldname=PLAIN_FIELD)}
    return frozenset(words)


def _fuzzy_on_plain_words(query: Query) -> Query:
    """A misspelling is close to the word as written, not to its stem: fuzzy terms
    ("panasonik~") search the unstemmed copy of the text."""
    if isinstance(query, FuzzyTerm) and query.fieldname in QUERY_FIELDS:
        return FuzzyTerm(
            PLAIN_FIELD, query.text.lower(), boost=query.boost, maxdist=query.maxdist, prefixlength=query.prefixlength
        )
    return query
