"""What a query may ask for, and the words its wildcards and typo-tolerant words stand for.

Whoosh answers a wildcard, a prefix, a typo-tolerant word or a range by
expanding it into every word of the index that fits and reading every one's
postings. Over 23,000 articles that took 3.8 s for ``a*``, 33 s for ``*a*``,
22 s for ``body:[a TO z]`` and 99 s for ``company~5`` under load. So:

- refused, with a message saying what to type instead (a 400): a wildcard with
  fewer than three letters before its first ``*`` or ``?`` (``*a*``, ``s*``),
  more than two typos (``word~3``), ranges (``[a TO z]``), and more than
  :data:`MAX_PATTERNS` wildcards and typo-tolerant words in one query;
- bounded: each stands for at most :data:`WORDS_PER_PATTERN` words of the
  index (the closest, then the most used; for a wildcard, the most used), and
  all of one query's together for :data:`WORDS_PER_QUERY` (five OR-ed prefixes
  of common words, 250 words, ran past the time budget under load), looked up
  in the words as written (:mod:`.vocabulary`). Each word found is
  then searched as if typed: stemmed, in title and body. So ``compny~`` finds
  what ``company`` finds, companies included, and is ranked over arrays like
  any other word.

:func:`refuse` depends on the query alone (the parser calls it once per query
text); :func:`expand` on the words of the index state searched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from whoosh.query import FuzzyTerm, NullQuery, NumericRange, Or, Prefix, Query, Term, TermRange, Wildcard

from indexer.errors import InvalidRequestError
from indexer.index.schema import QUERY_FIELDS
from indexer.search.vocabulary import Vocabulary
from indexer.stemming import stem

MAX_TYPOS = 2
MIN_LETTERS_BEFORE_WILDCARD = 3
WORDS_PER_PATTERN = 50
WORDS_PER_QUERY = 100  # shared by the patterns of one query, at least MIN_WORDS_PER_PATTERN each
MIN_WORDS_PER_PATTERN = 10
MAX_PATTERNS = 8  # wildcards and typo-tolerant words in one query
_WILDCARDS = re.compile(r"[*?]")
PATTERN_KINDS = (FuzzyTerm, Prefix, Wildcard)


@dataclass(frozen=True)
class Bounded:
    """A query whose patterns are replaced by the words they stand for, and what was capped."""

    query: Query
    notices: tuple[str, ...] = ()


def shown(query: Query) -> str:
    """A pattern or range as the person typed it, for messages."""
    if isinstance(query, FuzzyTerm):
        return f"{query.text}~{query.maxdist if query.maxdist != 1 else ''}"
    if isinstance(query, Prefix):
        return f"{query.text}*"
    if isinstance(query, (TermRange, NumericRange)):
        return f"[{query.start or ''} TO {query.end or ''}]"
    return str(getattr(query, "text", query))


def refuse(query: Query) -> None:
    """Raise :class:`InvalidRequestError` for what no index state can answer at a bounded cost."""
    patterns = set()
    for leaf in query.leaves():
        if isinstance(leaf, (TermRange, NumericRange)):
            raise InvalidRequestError(
                f"{shown(leaf)}: ranges cannot be searched; choose dates with from= and to= (the date boxes)"
            )
        if isinstance(leaf, FuzzyTerm) and leaf.maxdist > MAX_TYPOS:
            raise InvalidRequestError(
                f"{leaf.text}~{leaf.maxdist}: a word may differ by at most {MAX_TYPOS} typos "
                f"({leaf.text}~ allows one, {leaf.text}~{MAX_TYPOS} two)"
            )
        if isinstance(leaf, (Prefix, Wildcard)):
            text = shown(leaf)
            letters = _WILDCARDS.split(text, maxsplit=1)[0]
            if len(letters) < MIN_LETTERS_BEFORE_WILDCARD:
                raise InvalidRequestError(
                    f"{text}: a wildcard needs at least {MIN_LETTERS_BEFORE_WILDCARD} letters before its first "
                    "* or ? (batter*, comp?ny); a shorter one stands for most words of the index"
                )
        if isinstance(leaf, PATTERN_KINDS):
            patterns.add(shown(leaf))
    if len(patterns) > MAX_PATTERNS:
        raise InvalidRequestError(
            f"the query has {len(patterns)} wildcards and typo-tolerant words; the limit is {MAX_PATTERNS}"
        )


def expand(query: Query, vocabulary: Callable[[str], Vocabulary]) -> Bounded:
    """``query`` with each pattern replaced by the words it stands for in ``vocabulary(field)``.

    Words of the text (title and body) are looked up in the words as written and
    searched stemmed; facet values are looked up as they are indexed.
    """
    looked_up: dict[tuple, list[str]] = {}
    notices: list[str] = []
    patterns = len({shown(leaf) for leaf in query.leaves() if isinstance(leaf, PATTERN_KINDS)})
    limit = min(WORDS_PER_PATTERN, max(MIN_WORDS_PER_PATTERN, WORDS_PER_QUERY // max(1, patterns)))

    def replace(node: Query) -> Query:
        if not isinstance(node, PATTERN_KINDS):
            return node
        in_text = node.fieldname in QUERY_FIELDS
        key = (shown(node), getattr(node, "prefixlength", 0), in_text or node.fieldname)
        if key not in looked_up:
            looked_up[key] = _words(node, vocabulary(node.fieldname), limit, notices)
        terms = list(dict.fromkeys(stem(word) for word in looked_up[key])) if in_text else looked_up[key]
        if not terms:
            return NullQuery
        if len(terms) == 1:
            return Term(node.fieldname, terms[0], boost=node.boost)
        return Or([Term(node.fieldname, term, boost=node.boost) for term in terms])

    return Bounded(query.accept(replace), tuple(notices))


def _words(node: Query, vocabulary: Vocabulary, limit: int, notices: list[str]) -> list[str]:
    text = shown(node)
    if isinstance(node, FuzzyTerm):
        near = vocabulary.near(node.text, node.maxdist, prefix=node.text[: node.prefixlength])
        if len(near) > limit:
            notices.append(f"{text} stands for the {limit} closest of the {len(near):,} words it fits")
        return [found.word for found in near[:limit]]
    literal = _WILDCARDS.split(text, maxsplit=1)[0]
    pattern = None if isinstance(node, Prefix) else re.compile(_regex(node.text))
    words, total = vocabulary.starting_with(literal, limit, pattern)
    if total > limit:
        notices.append(f"{text} stands for the {limit} most used of the {total:,} words it fits")
    return words


def _regex(wildcard: str) -> str:
    """A wildcard as a regular expression: ``*`` any letters, ``?`` one."""
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in wildcard)
