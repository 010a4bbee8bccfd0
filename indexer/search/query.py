"""Query text to a Whoosh query, and the indexed words a query looks for.

A typo in the syntax (an unbalanced quote, a stray operator, an unknown
field) must still find what the words would find, never fail; a query of
nothing but operators or stop words lists everything rather than nothing.
Only the fields the README documents can be named (``title:``, ``company:``,
``technology:``); any other name, internal ones such as ``source_file:``
included, is read as words. What no index can answer at a bounded cost
(``*a*``, ``s*``, ``word~5``, ranges) is refused here (:mod:`.limits`).
"""

from __future__ import annotations

import functools
import re

from whoosh.qparser import AndGroup, FieldsPlugin, FuzzyTermPlugin, MultifieldPlugin
from whoosh.qparser import QueryParser as WhooshParser
from whoosh.query import Every, NullQuery, Query
from whoosh.reading import IndexReader

from indexer.index.postings import term_text
from indexer.index.schema import BODY_FIELD, COMPANY_FIELD, QUERY_FIELDS, TECHNOLOGY_FIELD, TITLE_FIELD, build_schema
from indexer.search.limits import PATTERN_KINDS, refuse

_WORD = re.compile(r"\w+", re.UNICODE)
PARSED_QUERIES_KEPT = 512
# The fields a query may name, as the README documents them; other names are words.
NAMED_FIELDS = (TITLE_FIELD, COMPANY_FIELD, TECHNOLOGY_FIELD)


class _Parser(WhooshParser):
    """Whoosh's parser, but wildcards and typo-tolerant words keep the word as typed.

    Whoosh runs them through the field's analyzer, which stems them: ``takover~``
    became ``takov~`` and was then compared with unstemmed words. They are looked
    up in the words as written instead (:func:`.limits.expand`), lower-cased like
    the text; facet values keep their case, as they are indexed.
    """

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        if termclass in PATTERN_KINDS:
            return termclass(fieldname, text.lower() if fieldname in QUERY_FIELDS else text, boost=boost)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)


class QueryParser:
    """Whoosh query syntax over title and body, with fuzzy terms on the words as written.

    Parsed queries are remembered: the same few queries come back again and again.
    """

    def __init__(self) -> None:
        self._parser = _Parser(None, build_schema(), group=AndGroup)
        self._parser.add_plugin(MultifieldPlugin(list(QUERY_FIELDS)))
        self._parser.add_plugin(FuzzyTermPlugin())  # "panasonik~" tolerates a misspelling
        self._parser.remove_plugin_class(FieldsPlugin)
        self._parser.add_plugin(FieldsPlugin(rf"(?<![\w.:/])(?P<text>{'|'.join(NAMED_FIELDS)}):"))
        self._cached = functools.lru_cache(maxsize=PARSED_QUERIES_KEPT)(self._parse)

    def parse(self, text: str) -> Query:
        """Whoosh query syntax when it parses into something; otherwise the plain words.

        Raises :class:`InvalidRequestError` for a query that asks too much (see :mod:`.limits`).
        """
        query = self._cached(text.strip())
        refuse(query)
        return query

    def _parse(self, text: str) -> Query:
        if not _WORD.search(text):
            return Every()
        try:
            query = self._parser.parse(text)
        except Exception:  # Whoosh raises assorted errors on odd syntax; words still work.
            query = NullQuery
        if is_null_query(query):
            query = self._parser.parse(" ".join(word.lower() for word in _WORD.findall(text)))
        return Every() if is_null_query(query) else query


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
    """The indexed words (stems) the query looks for in the body.

    ``query`` is one whose wildcards and typo-tolerant words were replaced by the
    words they stand for (:func:`.limits.expand`), so nothing here walks the word list.
    """
    if asks_for_everything(query):
        return frozenset()
    return frozenset(term_text(text) for _, text in query.existing_terms(reader, fieldname=BODY_FIELD))
