"""Relevance order: BM25 over every match, then a closer reading of the first hundred.

Whoosh's BM25F ranks a story by how often and where it uses the query's words,
so a story that uses a word in passing ("a leading maker", "Sterling Drug")
can outrank one that is about it. The order is built in two steps, with
parameters taken from the literature rather than fitted to a test set:

1. Every match is scored over arrays by BM25 with Anserini's newswire defaults
   (``k1`` 0.9, ``b`` 0.4 in the body; Whoosh's 0.75 in the short title field,
   whose words count twice, as indexed). Pseudo-relevance feedback in the
   manner of RM3 (Lavrenko and Croft 2001; Abdul-Jaleel et al. 2004) then adds
   the words that go with the query's: of the words that at least two of the
   ten best matches use (the best after the closer reading of step 2), the ten
   that make up most of those stories for their rarity, interpolated half and
   half with the query ("zinc", "smelter" and "metal" for ``lead``). Feedback
   reorders the first :data:`FEEDBACK_DEPTH` matches by the query's own words
   (RM3 as a reranker: a word's postings are looked up for those alone, where
   scoring every match read ten more posting lists whole); it never adds one.
2. The first :data:`RERANK_DEPTH` documents are read closer:

   - a title made from the body's first sentence (an article without a
     headline) repeats the body and does not count as a headline;
   - a query word inside the name of a company the document is filed under
     ("steel" in "Nippon Steel") counts as that name, not as the word, unless
     most matches are filed under the company (then the query means it);
   - the words of a several-word query close together count once more
     (BM25TP, Rasolofo and Savoy 2003: each pair of occurrences within five
     words adds 1/distance², saturated like a term frequency);
   - a document filed under a company or technology the query names ranks as
     if its title named it too (this one applies to every match).

   They are put in order by the result; the rest follow in step 1's order, so
   the pages after the first hundred stay consistent with it.

What this changed, measured on which queries, is in the README ("Ranking").
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from math import log
from typing import TypeVar

import numpy as np
from whoosh.analysis import RegexTokenizer, StopFilter
from whoosh.query import And, AndNot, Not, Or, Query, Term

from indexer.index.schema import (
    BODY_FIELD,
    COMPANY_FIELD,
    QUERY_FIELDS,
    TECHNOLOGY_FIELD,
    TITLE_BOOST,
    TITLE_FIELD,
    build_schema,
    document_to_article,
)
from indexer.search.columns import FacetColumn, FacetColumns
from indexer.search.matching import Matches, QueryEvaluator, top_documents
from indexer.search.memo import PerIndexState
from indexer.stemming import stem

K1 = 0.9
FIELD_B = {TITLE_FIELD: 0.75, BODY_FIELD: 0.4}
RERANK_DEPTH = 100
FEEDBACK_DEPTH = 1000  # the first step's best matches the feedback words reorder
FEEDBACK_DOCS = 10
FEEDBACK_TERMS = 10
FEEDBACK_MIN_DOCS = 2
FEEDBACK_READ = 30  # best matches read closely to choose the feedback documents from
FEEDBACK_CANDIDATES = 50  # words weighed for their rarity, by their share of the feedback
QUERY_WEIGHT = 0.5  # RM3's interpolation of the query with the feedback words
PROXIMITY_WINDOW = 5
# How much of a body's opening a title made from its first sentence is looked for in.
MADE_TITLE_CHARS = 600
# The longest facet value, in words, looked for among the query's words.
NAME_WORDS = 6
KEPT_QUERIES = 256
# A word in more than this share of the documents keeps its scores over every document per
# index state, so a query adds them in one pass: scattering the scores of a word in nine of
# ten stories over a million articles (and working them out) was a fifth of a broad query.
COMMON_SHARE = 1 / 4
# The most recent such arrays are kept up to this many bytes (8 a document each): sixteen
# over a million articles, where the benchmark's queries have seven such words.
COMMON_WORDS_BYTES = 128 * 2**20

Kept = TypeVar("Kept")


@dataclass(frozen=True)
class QueryTerm:
    """A word the query looks for in one field, with the boost the query gives it."""

    field: str
    text: str
    boost: float = 1.0


def query_terms(query: Query, boost: float = 1.0) -> tuple[QueryTerm, ...]:
    """The title and body words a query wants, in query order: words under NOT are left out."""
    boost *= getattr(query, "boost", 1.0)
    if isinstance(query, Term):
        return (QueryTerm(query.fieldname, query.text, boost),) if query.fieldname in QUERY_FIELDS else ()
    if isinstance(query, AndNot):
        return query_terms(query.a, boost)
    if isinstance(query, And | Or):
        return tuple(t for q in query.subqueries if not isinstance(q, Not) for t in query_terms(q, boost))
    return ()


def query_parts(query: Query, boost: float = 1.0) -> tuple[tuple[QueryTerm, ...], ...]:
    """The words of each part every match must have (the parts of an AND, else the whole query):
    a part is one word in title and body, or the alternatives a wildcard or an OR stands for."""
    if isinstance(query, AndNot):
        return query_parts(query.a, boost * getattr(query, "boost", 1.0))
    if isinstance(query, And):
        inner = boost * getattr(query, "boost", 1.0)
        return tuple(part for q in query.subqueries if not isinstance(q, Not) for part in query_parts(q, inner))
    terms = query_terms(query, boost)
    return (terms,) if terms else ()


def rank(
    evaluator: QueryEvaluator, query: Query, text: str, matches: Matches, chosen: np.ndarray, limit: int
) -> np.ndarray:
    """Document numbers of the first ``limit`` chosen documents, most relevant first.

    ``matches`` must have been matched over arrays (``matches.by_arrays``); ``text``
    is the query as typed, whose words may name a company or technology.
    """
    parts = query_parts(query)
    if not parts:
        return top_documents(chosen, evaluator.scores(query), limit)
    return _Ranking(evaluator, query, parts, text, matches.mask).top(chosen, limit)


class _Ranking:
    """One query's ranking: its scores over arrays and the closer reading of its best documents."""

    def __init__(
        self,
        evaluator: QueryEvaluator,
        query: Query,
        parts: Sequence[tuple[QueryTerm, ...]],
        text: str,
        mask: np.ndarray,
    ) -> None:
        self.evaluator = evaluator
        self.query = query
        self.reader = evaluator.searcher.reader()
        self.columns = evaluator.columns
        self.parts = tuple(parts)
        self.terms = tuple(term for part in parts for term in part)
        self.stems = tuple(dict.fromkeys(t.text for t in self.terms))
        self.mask = mask
        self.count = self.reader.doc_count_all()
        self.average = {f: evaluator.searcher.avg_field_length(f) or 1.0 for f in QUERY_FIELDS}
        self._documents: dict[int, _Document] = {}
        self.named = _named_values(evaluator, text)
        self.meant = {value for field, value, _ in self.named if field == COMPANY_FIELD and self._means_company(value)}
        self.in_names = self._filed_under_names()
        self.first = self._with_facet_bonus(self._scores([(t.field, t.text, t.boost) for t in self.terms]))
        self._readings_done, self.expansion = self._kept()

    def top(self, chosen: np.ndarray, limit: int) -> np.ndarray:
        ranked = top_documents(chosen, self.first, max(limit, FEEDBACK_DEPTH))
        head = ranked[:FEEDBACK_DEPTH]
        scores = self.first[head] + self._feedback_scores(head)
        order = np.lexsort((head, -scores))
        head, scores = head[order], scores[order]
        block = head[:RERANK_DEPTH]
        adjusted = scores[:RERANK_DEPTH] + self._readings(block) - self._feedback_in_made_titles(block)
        rest = (head[RERANK_DEPTH:], ranked[FEEDBACK_DEPTH:])
        return np.concatenate([block[np.lexsort((block, -adjusted))], *rest])[:limit]

    # Step 1: scores over arrays.

    def _feedback_scores(self, docnums: np.ndarray) -> np.ndarray:
        """What the feedback words add to the score of each of ``docnums``.

        Looked up in each word's postings for these documents alone: a pass over
        every posting of ten words, in two fields, took most of the time of a
        broad query over a million articles.
        """
        order = np.argsort(docnums, kind="stable")  # looked up in ascending order, as the lists run
        ascending = docnums[order]
        added = np.zeros(len(docnums), np.float64)
        for word, weight in self.expansion.items():
            for field in QUERY_FIELDS:
                ids, tfs = self.evaluator.postings(field, word)
                if not len(ids):
                    continue
                # Looked for in the lists' own type: otherwise NumPy copies the whole list to compare.
                wanted = ascending.astype(ids.dtype)
                places = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
                held = ids[places] == wanted
                lengths = self.columns.lengths[field][ascending[held]]
                added[held] += weight * self._bm25(field, word, tfs[places[held]], lengths)
        scores = np.empty(len(docnums), np.float64)
        scores[order] = added
        return scores

    def _scores(self, weighted: Sequence[tuple[str, str, float]]) -> np.ndarray:
        scores = np.zeros(self.columns.size, np.float64)
        for field, word, weight in weighted:
            if self.evaluator.doc_frequency(field, word) > COMMON_SHARE * self.columns.size:
                scores += weight * self._common_word_scores(field, word)
                continue
            ids, tfs = self.evaluator.postings(field, word)
            if len(ids):
                scores[ids] += weight * self._word_scores(field, word, ids, tfs)
        return scores

    def _word_scores(self, field: str, word: str, ids: np.ndarray, tfs: np.ndarray) -> np.ndarray:
        return self._bm25(field, word, tfs, self.columns.lengths[field][ids])

    def _common_word_scores(self, field: str, word: str) -> np.ndarray:
        """A common word's scores over every document (0 where it is not), kept per index state."""
        kept = _KEPT.get(self.columns, _Kept)

        def work_out() -> np.ndarray:
            ids, tfs = self.evaluator.postings(field, word)
            scores = np.zeros(self.columns.size, np.float64)
            scores[ids] = self._word_scores(field, word, ids, tfs)
            scores.flags.writeable = False  # shared by threads: never changed
            return scores

        most = max(1, COMMON_WORDS_BYTES // max(1, 8 * self.columns.size))
        return kept.recent(kept.common_words, (field, word), work_out, most)

    def _bm25(self, field: str, word: str, tfs, lengths):
        b = FIELD_B[field]
        return self._idf(field, word) * tfs * (K1 + 1) / (tfs + K1 * ((1 - b) + b * lengths / self.average[field]))

    def _idf(self, field: str, word: str) -> float:
        """Whoosh's idf, as the index's own scoring computes it (its document frequency kept per index state)."""
        return log(self.count / (self.evaluator.doc_frequency(field, word) + 1)) + 1

    def _with_facet_bonus(self, scores: np.ndarray) -> np.ndarray:
        """Documents filed under a value the query names score as if their title named it too."""
        named = [(f, v, words) for f, v, words in self.named if f != COMPANY_FIELD or v in self.meant]
        if not named:
            return scores
        bonus = np.zeros(self.columns.size, np.float64)
        for field, value, words in named:
            filed = self.columns.column(field).docs_with([value], self.columns.size)
            title = self.average[TITLE_FIELD]
            bonus[filed] += sum(float(self._bm25(TITLE_FIELD, word, TITLE_BOOST, title)) for word in words)
        return scores + bonus

    def _means_company(self, value: str) -> bool:
        """Whether most matches are filed under the company: then its name is what the query means."""
        filed = self.columns.column(COMPANY_FIELD).docs_with([value], self.columns.size) & self.mask
        return 2 * int(np.count_nonzero(filed)) >= max(1, int(np.count_nonzero(self.mask)))

    def _filed_under_names(self) -> np.ndarray:
        """Documents filed under a company the query does not mean whose name holds a query word."""
        by_word = _values_by_word(self.evaluator, COMPANY_FIELD)
        names = {name for word in self.stems for name in by_word.get(word, ()) if name not in self.meant}
        if not names:
            return np.zeros(self.columns.size, bool)
        return self.columns.column(COMPANY_FIELD).docs_with(names, self.columns.size)

    def _kept(self) -> tuple[dict[int, float], dict[str, float]]:
        """The readings of documents and the feedback words of this query, worked out once per
        query and index state and kept for every thread: the same queries come back, and so do
        their pages, on whichever server thread."""
        kept = _KEPT.get(self.columns, _Kept)

        def work_out() -> tuple[dict[int, float], dict[str, float]]:
            self._readings_done = {}  # filled as feedback reads its documents
            return self._readings_done, self._feedback()

        key = (self.query, self.named)  # the query decides the matches feedback reads
        return kept.recent(kept.queries, key, work_out, KEPT_QUERIES)

    def _feedback(self) -> dict[str, float]:
        """RM3's expansion: the best matches' words by their share of those stories times their rarity."""
        best = top_documents(self.mask, self.first, FEEDBACK_READ)
        scores = self.first[best] + self._readings(best)
        order = np.lexsort((best, -scores))[:FEEDBACK_DOCS]
        feedback, weights = best[order], np.maximum(scores[order], 0.0)
        if not weights.sum():
            return {}
        share: Counter[str] = Counter()
        used: Counter[str] = Counter()
        for docnum, weight in zip(feedback, weights / weights.sum(), strict=True):
            words = Counter(self._document(int(docnum)).words)
            total = sum(words.values()) or 1
            for word, count in words.items():
                share[word] += weight * count / total
                used[word] += 1
        least = min(FEEDBACK_MIN_DOCS, len(feedback))
        common = [w for w in share if used[w] >= least and not _has_digit(w)]
        # Rarity takes a lookup per word: only the words making up most of the stories are weighed.
        common = sorted(common, key=lambda w: (-share[w], w))[:FEEDBACK_CANDIDATES]
        weighed = {w: share[w] * self._rarity(w) for w in common}
        chosen = [w for w in sorted(weighed, key=lambda w: (-weighed[w], w))[:FEEDBACK_TERMS] if weighed[w] > 0]
        total = sum(weighed[w] for w in chosen)
        if not total:
            return {}
        # RM3 weighs each query word QUERY_WEIGHT / len(words); the scores here weigh them 1 each
        # (a word's alternatives, which a match has one or two of, count as one word).
        scale = (1 - QUERY_WEIGHT) * len(self.parts) / QUERY_WEIGHT
        return {w: scale * weighed[w] / total for w in chosen}

    def _rarity(self, word: str) -> float:
        return log(self.count / (max(self.evaluator.doc_frequency(f, word) for f in QUERY_FIELDS) + 1))

    # Step 2: the closer reading of the best documents.

    def _readings(self, docnums: np.ndarray) -> np.ndarray:
        """What reading each document adds to its query words' score, or takes away."""
        unread = [int(d) for d in docnums if int(d) not in self._readings_done]
        made = self._made_titles(unread, self.stems)
        near = self._proximity(unread, made)
        title_terms = [(t.text, t.boost) for t in self.terms if t.field == TITLE_FIELD]
        for docnum, closeness in zip(unread, near, strict=True):
            change = closeness
            if made[docnum]:
                change -= self._title_score(docnum, title_terms)
            if self.in_names[docnum]:
                change -= self._inside_names(docnum, self._document(docnum))
            self._readings_done[docnum] = change
        return np.array([self._readings_done[int(d)] for d in docnums], dtype=np.float64)

    def _made_titles(self, docnums: Sequence[int], words: Sequence[str]) -> dict[int, bool]:
        """Whether each document's title was made from its body, where its title holds one of
        ``words`` (elsewhere the answer changes no score: False). It takes reading the stored
        text, and a document's answer never changes: kept per index state."""
        kept = _KEPT.get(self.columns, _Kept)
        known = kept.made_titles
        if known is None:  # two threads may both make one: either serves
            known = kept.made_titles = np.full(self.columns.size, -1, np.int8)
        made = {}
        for docnum in docnums:
            if known[docnum] < 0 and any(self._tf(docnum, TITLE_FIELD, word) for word in words):
                known[docnum] = self._document(docnum).made_title
            made[docnum] = known[docnum] > 0
        return made

    def _feedback_in_made_titles(self, docnums: np.ndarray) -> np.ndarray:
        """The feedback words' title score of documents whose title was made from the body."""
        weighted = list(self.expansion.items())
        made = self._made_titles([int(d) for d in docnums], list(self.expansion)) if weighted else {}
        return np.array([self._title_score(int(d), weighted) if made.get(int(d)) else 0.0 for d in docnums])

    def _document(self, docnum: int) -> _Document:
        if docnum not in self._documents:
            self._documents[docnum] = _Document(self.evaluator.searcher.stored_fields(docnum))
        return self._documents[docnum]

    def _title_score(self, docnum: int, weighted: Sequence[tuple[str, float]]) -> float:
        return sum(
            weight * self._term_score(docnum, TITLE_FIELD, word, self._tf(docnum, TITLE_FIELD, word))
            for word, weight in weighted
        )

    def _tf(self, docnum: int, field: str, word: str) -> float:
        ids, tfs = self.evaluator.postings(field, word)
        at = int(np.searchsorted(ids, ids.dtype.type(docnum)))  # in the list's type: no copy of it
        return float(tfs[at]) if at < len(ids) and ids[at] == docnum else 0.0

    def _term_score(self, docnum: int, field: str, word: str, tf: float) -> float:
        return float(self._bm25(field, word, tf, self.columns.lengths[field][docnum])) if tf > 0 else 0.0

    def _inside_names(self, docnum: int, document: _Document) -> float:
        """The score the query's words earn inside names of companies the query does not mean."""
        wanted = set(self.stems)
        names = [
            words
            for name, words in ((n, _stems(n)) for n in document.companies)
            if wanted & set(words) and name not in self.meant
        ]
        lost = 0.0
        for term in self.terms if names else ():
            if term.field == TITLE_FIELD and document.made_title:
                continue
            in_title = term.field == TITLE_FIELD
            words, weight = (document.title_words, TITLE_BOOST) if in_title else (document.body_words, 1.0)
            inside = len(set().union(*(_covered(words, name, term.text) for name in names)))
            if inside:
                tf = self._tf(docnum, term.field, term.text)
                before = self._term_score(docnum, term.field, term.text, tf)
                after = self._term_score(docnum, term.field, term.text, max(0.0, tf - weight * inside))
                lost += term.boost * (before - after)
        return lost

    def _proximity(self, docnums: list[int], made: dict[int, bool]) -> list[float]:
        """BM25TP: neighbouring query words close together, saturated like a term frequency per
        field. Words, not alternatives: a part standing for several words is not looked for."""
        totals = [0.0] * len(docnums)
        words = [part[0].text if len({t.text for t in part}) == 1 else None for part in self.parts]
        pairs = [(a, b) for a, b in zip(words, words[1:], strict=False) if a and b and a != b]
        if not pairs or not docnums:
            return totals
        ordered = sorted(docnums)
        for field, weight in ((BODY_FIELD, 1.0), (TITLE_FIELD, TITLE_BOOST)):
            at = {word: self.evaluator.positions(field, word, ordered) for pair in pairs for word in pair}
            b = FIELD_B[field]
            for first, second in pairs:
                idf = min(self._idf(field, first), self._idf(field, second))
                for i, docnum in enumerate(docnums):
                    if field == TITLE_FIELD and made[docnum]:
                        continue
                    near = _closeness(at[first].get(docnum, ()), at[second].get(docnum, ()))
                    if near:
                        norm = K1 * ((1 - b) + b * self.columns.lengths[field][docnum] / self.average[field])
                        totals[i] += weight * idf * near * (K1 + 1) / (near + norm)
        return totals


class _Document:
    """What the closer reading needs of one stored document; its words are split on first use."""

    def __init__(self, fields: dict) -> None:
        article = document_to_article(fields)
        self.title = article.title
        self.body = article.body
        self.companies = article.companies
        self.made_title = made_from_body(article.title, article.body)

    @cached_property
    def title_words(self) -> tuple[str, ...]:
        return indexed_words(self.title)

    @cached_property
    def body_words(self) -> tuple[str, ...]:
        return indexed_words(self.body)

    @property
    def words(self) -> tuple[str, ...]:
        return self.body_words if self.made_title else self.title_words + self.body_words


def made_from_body(title: str, body: str) -> bool:
    """Whether the title is words the body opens with, as ingest makes a title for a text that
    has none (a leading clause may have been dropped, a long sentence cut with an ellipsis)."""
    words = " ".join(title.rstrip("…").split()).lower()
    return bool(words) and words in " ".join(body[:MADE_TITLE_CHARS].split()).lower()


def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _closeness(first: Sequence[int], second: Sequence[int]) -> float:
    """Sum of 1/distance² over pairs of positions at most PROXIMITY_WINDOW apart."""
    if not len(first) or not len(second):
        return 0.0
    distance = np.abs(np.asarray(first)[:, None] - np.asarray(second)[None, :])
    near = distance[(distance > 0) & (distance <= PROXIMITY_WINDOW)]
    return float((1.0 / near.astype(np.float64) ** 2).sum())


def _covered(words: Sequence[str], name: Sequence[str], word: str) -> set[int]:
    """Positions of ``word`` inside occurrences of ``name`` in ``words``."""
    size = len(name)
    offsets = [k for k, w in enumerate(name) if w == word]
    return {
        i + k
        for i in range(len(words) - size + 1)
        if words[i] == name[0] and tuple(words[i : i + size]) == tuple(name)
        for k in offsets
    }


def _named_values(evaluator: QueryEvaluator, text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(facet field, value, the value's words as indexed) of each company and technology
    whose whole name is a run of the query's words."""
    words = _stems(text)
    runs = sorted(
        {tuple(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(len(words), i + NAME_WORDS) + 1)}
    )
    return tuple(
        (field, value, run)
        for field in (COMPANY_FIELD, TECHNOLOGY_FIELD)
        for run in runs
        for value in _values_by_words(evaluator, field).get(run, ())
    )


def _values_by_words(evaluator: QueryEvaluator, field: str) -> dict[tuple[str, ...], tuple[str, ...]]:
    """A facet's values by their words as indexed."""
    return _facet_words(evaluator, field)[0]


def _values_by_word(evaluator: QueryEvaluator, field: str) -> dict[str, tuple[str, ...]]:
    """A facet's values by each of their words: the names a query word is part of."""
    return _facet_words(evaluator, field)[1]


@dataclass
class _Kept:
    """What ranking keeps per index state for every thread: each recent query's readings
    and feedback words, the scores of recent common words, and which titles were made from
    their body."""

    queries: OrderedDict = dataclasses.field(default_factory=OrderedDict)
    common_words: OrderedDict = dataclasses.field(default_factory=OrderedDict)
    made_titles: np.ndarray | None = None
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)

    def recent(self, entries: OrderedDict, key: Hashable, work_out: Callable[[], Kept], most: int) -> Kept:
        """The entry of ``entries`` under ``key``, or ``work_out()`` kept as the most recent of at
        most ``most``. The lock is held for the bookkeeping only; the work is done outside it
        (two threads may work the same entry out once each)."""
        with self.lock:
            found = entries.get(key)
            if found is not None:
                entries.move_to_end(key)
                return found
        found = work_out()
        with self.lock:
            entries[key] = found
            while len(entries) > most:
                entries.popitem(last=False)
        return found


_KEPT: PerIndexState[FacetColumns, _Kept] = PerIndexState()


# Worked out once per index state (its facet column) and shared by every thread: stemming
# the names of 10,000 companies takes a fifth of a second.
_FACET_WORDS: PerIndexState[FacetColumn, tuple[dict, dict]] = PerIndexState()


def _facet_words(evaluator: QueryEvaluator, field: str) -> tuple[dict, dict]:
    if field not in evaluator.columns.columns:
        return {}, {}
    column = evaluator.columns.column(field)
    return _FACET_WORDS.get(column, lambda: _words_of_values(column))


def _words_of_values(column: FacetColumn) -> tuple[dict, dict]:
    """A facet's values by their stemmed words, and by each of those words."""
    by_words: dict[tuple[str, ...], list[str]] = {}
    for value in column.values:
        by_words.setdefault(_stems(value), []).append(value)
    by_word: dict[str, list[str]] = {}
    for words, values in by_words.items():
        for word in set(words):
            by_word.setdefault(word, []).extend(values)
    return (
        {words: tuple(values) for words, values in by_words.items() if words},
        {word: tuple(values) for word, values in by_word.items()},
    )


def _analyzer_parts() -> tuple[re.Pattern, frozenset[str], int]:
    """The title and body analyzer's pattern, stop words and shortest word, read from the schema."""
    analyzer = build_schema()[BODY_FIELD].analyzer
    items = getattr(analyzer, "items", [analyzer])
    tokenizer = next(item for item in items if isinstance(item, RegexTokenizer))
    stops = next((item for item in items if isinstance(item, StopFilter)), None)
    return tokenizer.expression, frozenset(stops.stops if stops else ()), stops.min if stops else 1


_EXPRESSION, _STOPS, _SHORTEST = _analyzer_parts()


def indexed_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as the title and body fields index them, in order: the schema's
    analyzer without Whoosh's object per word, twice as fast for the ten stories feedback reads."""
    found = []
    for match in _EXPRESSION.finditer(text):
        word = match.group(0).lower()
        if len(word) >= _SHORTEST and word not in _STOPS:
            found.append(stem(word))
    return tuple(found)


@lru_cache(maxsize=100_000)
def _stems(text: str) -> tuple[str, ...]:
    """A facet value's or a query's words as indexed; facet values come back for every query."""
    return indexed_words(text)
