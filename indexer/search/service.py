"""The search service: a :class:`SearchRequest` in, a :class:`SearchResult` out.

The web pages, the JSON API and the command line all search through here, so
they answer the same query the same way.
"""
from __future__ import annotations

import functools
import html
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time as day_time, timedelta

import numpy as np
from whoosh import highlight
from whoosh.qparser import AndGroup, FuzzyTermPlugin, MultifieldParser
from whoosh.query import Every, FuzzyTerm, NullQuery, Query
from whoosh.searching import Searcher

from indexer.article import Article
from indexer.search.facets import FACETS, Facet, FacetSpec, FacetValue, facet_names, facet_spec
from indexer.search.columns import FacetColumns, sortable_date
from indexer.search.matching import Matches, Unsupported, top_documents
from indexer.index.schema import build_schema, document_to_article
from indexer.search.snapshot import IndexSnapshot, Snapshots
from indexer.search.highlight import lead, snippet
from indexer.stemming import stem
from indexer.index.store import IndexStore

MAX_PER_PAGE = 100
EXPANDED_FACET_LIMIT = 100
_WORD = re.compile(r"\w+", re.UNICODE)
_PLAIN_WORD = re.compile(r"(?<![\w:])[A-Za-z][A-Za-z'-]+(?![\w:*~])")  # words, not fields, prefixes or fuzzy


SORTS = ("relevance", "newest", "oldest")


class SearchRequestError(ValueError):
    """A request the service cannot answer as asked (an unknown sort, dates the wrong way round)."""


@dataclass(frozen=True)
class SearchRequest:
    """What the user asked: query text, facet values selected and excluded (by facet
    name), a date range (inclusive, in UTC), the order and the page."""

    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 10
    excluded: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    expanded: tuple[str, ...] = ()  # facets to show in full ("show more")

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise SearchRequestError(f"sort must be one of {', '.join(SORTS)}, not {self.sort[:20]!r}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise SearchRequestError("from must not be after to")

    def selected(self, facet_name: str) -> tuple[str, ...]:
        return tuple(self.filters.get(facet_name, ()))

    def excluded_values(self, facet_name: str) -> tuple[str, ...]:
        return tuple(self.excluded.get(facet_name, ()))


@dataclass(frozen=True)
class SearchHit:
    id: str
    title: str
    date: datetime | None
    source: str | None
    companies: tuple[str, ...]
    technologies: tuple[str, ...]
    snippet_html: str  # article text escaped; only <mark> tags around matched words


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    total: int
    page: int
    pages: int
    per_page: int
    hits: tuple[SearchHit, ...]
    facets: tuple[Facet, ...]
    understood: str  # the query as the engine understood it
    took_ms: float
    suggestion: str | None = None  # "did you mean": a corrected query that finds more


@dataclass(frozen=True)
class RelatedArticle:
    id: str
    title: str
    date: datetime | None
    source: str | None


class MarkFormatter(highlight.Formatter):
    """Highlights matched words with ``<mark>``; all other text is HTML-escaped."""

    between = " "

    def _text(self, text: str) -> str:
        return html.escape(text, quote=False)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"

    def format_fragment(self, fragment, replace: bool = False) -> str:
        # Say where the excerpt cuts into the text, so a snippet that starts
        # mid-sentence reads as an excerpt.
        formatted = super().format_fragment(fragment, replace).strip()
        before = "… " if fragment.startchar > 0 else ""
        after = " …" if fragment.endchar < len(fragment.text) else ""
        return f"{before}{formatted}{after}"


class SearchService:
    """Reads the index that an :class:`IndexStore` serves, through one snapshot per committed state.

    Matching is Whoosh's; the set of matches, the filters and every facet count
    are NumPy masks and arrays over document numbers (see :mod:`.facet_columns`),
    and only the hits shown are loaded and highlighted.
    """

    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self.schema = build_schema()
        self.snapshots = Snapshots(store, [spec.field for spec in FACETS], scored=("title", "body"))
        self._parse = functools.lru_cache(maxsize=512)(self._parse_uncached)

    def close(self) -> None:
        """Close the open searcher (a service is usable again afterwards; it reopens)."""
        self.snapshots.close()

    def search(self, request: SearchRequest) -> SearchResult:
        return self.snapshots.read(lambda snapshot: self._search(snapshot, request))

    def _search(self, snapshot: IndexSnapshot, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        columns = snapshot.columns
        per_page = max(1, min(request.per_page, MAX_PER_PAGE))
        query = self.parse_query(request.query)
        found = self._matched(snapshot, query)
        matched = found.mask if isinstance(found, Matches) else found
        selected = {spec.name: columns.column(spec.field).docs_with(request.selected(spec.name), columns.size)
                    for spec in FACETS if request.selected(spec.name)}
        excluded = {spec.name: columns.column(spec.field).docs_with(request.excluded_values(spec.name),
                                                                   columns.size)
                    for spec in FACETS if request.excluded_values(spec.name)}
        dates = self._dates(columns, request.date_from, request.date_to)
        keep = [*selected.values(), *([dates] if dates is not None else [])]
        drop = list(excluded.values())
        chosen = _narrow(matched, keep, drop)
        total = int(np.count_nonzero(chosen))
        pages = max(1, -(-total // per_page))
        page = min(max(1, request.page), pages)  # past the end: the last page rather than nothing
        ranked = self._ranked(snapshot, query, found, chosen, request.sort, page * per_page)
        terms = self._highlight_terms(snapshot, query)
        hits = tuple(_hit(snapshot.searcher.stored_fields(int(docnum)), terms)
                     for docnum in ranked[(page - 1) * per_page:page * per_page])
        facets = tuple(self._facet(columns, spec, matched, selected, excluded, dates, request) for spec in FACETS)
        suggestion = self._suggest(snapshot, request.query, total, keep, drop)
        return SearchResult(
            request=request, total=total, page=page, pages=pages, per_page=per_page, hits=hits,
            facets=facets, understood="*" if isinstance(query, Every) else str(query),
            took_ms=round((time.perf_counter() - started) * 1000, 1), suggestion=suggestion)

    def _matched(self, snapshot: IndexSnapshot, query: Query) -> Matches | np.ndarray:
        """The live documents the query matches, with scores when ranked here (never changed in place).

        Terms joined by AND, OR and NOT are matched and scored over arrays; other
        kinds (phrases, prefixes, fuzzy terms) come from Whoosh as a bare mask.
        """
        try:
            return snapshot.evaluator.evaluate(query)
        except Unsupported:
            mask = np.zeros(snapshot.columns.size, bool)
            mask[np.fromiter(snapshot.searcher.docs_for_query(query), dtype=np.int64)] = True
            return mask

    def _dates(self, columns: FacetColumns, start: date | None, end: date | None) -> np.ndarray | None:
        """Articles dated from the start of ``start`` to the end of ``end`` (UTC)."""
        if not start and not end:
            return None
        field = self.schema["date"]
        low = sortable_date(field, datetime.combine(start, day_time.min)) if start else None
        high = (sortable_date(field, datetime.combine(end + timedelta(days=1), day_time.min)
                              - timedelta(microseconds=1)) if end else None)
        return columns.dated_between(low, high)

    def _ranked(self, snapshot: IndexSnapshot, query: Query, found: Matches | np.ndarray, chosen: np.ndarray,
                sort: str, limit: int) -> np.ndarray:
        """Document numbers of the first ``limit`` chosen documents in the requested order."""
        if sort == "relevance" and not isinstance(query, Every):
            if isinstance(found, Matches):
                return top_documents(chosen, found.scores, limit)
            # Whoosh ranks what it matched itself; the chosen documents are its filter.
            allowed = None if chosen is found else set(np.flatnonzero(chosen).tolist())
            results = snapshot.searcher.search(query, filter=allowed, limit=limit)
            return np.array([docnum for _, docnum in results.top_n], dtype=np.int64)
        order = "oldest" if sort == "oldest" else "newest"  # an empty query lists newest first
        return snapshot.columns.in_order(chosen, order)[:limit]

    def _highlight_terms(self, snapshot: IndexSnapshot, query: Query) -> frozenset[str]:
        """The indexed words the query looks for in the body, prefixes and fuzzy terms expanded."""
        if isinstance(query, Every):
            return frozenset()
        reader = snapshot.searcher.reader()
        # One field per call: Whoosh's existing_terms skips other fields once it has found one.
        words = {_text(text) for _, text in query.existing_terms(reader, expand=True, fieldname="body")}
        # A fuzzy match is found on the unstemmed copy; the body shows it by its stem.
        words |= {stem(_text(text)) for _, text in query.existing_terms(reader, expand=True, fieldname="plain")}
        return frozenset(words)

    def _suggest(self, snapshot: IndexSnapshot, text: str, total: int, keep: list[np.ndarray],
                 drop: list[np.ndarray]) -> str | None:
        """A spelling correction, offered only when it finds more than the query as typed.

        Words are corrected against the unstemmed copy of the text: corrected
        against stems, "pirnting" would become "first". Words the index knows
        are left alone, so a query without typos costs one lookup per word.
        Corrections keep the first letter, which typing rarely gets wrong: walking
        the whole word list instead costs about a second at 50,000 articles, the
        walk under one letter some tens of milliseconds.
        """
        words = _PLAIN_WORD.findall(text)
        if not words or len(text) > 200:
            return None
        reader = snapshot.searcher.reader()
        corrected = []
        for word in words:
            lower = word.lower()
            if len(lower) < 3 or word in ("AND", "OR", "NOT") or reader.doc_frequency("plain", lower):
                corrected.append(word)
                continue
            suggestions = snapshot.searcher.corrector("plain").suggest(lower, limit=1, maxdist=2, prefix=1)
            corrected.append(suggestions[0] if suggestions else word)
        if corrected == words:
            return None
        suggestion = text
        for word, fixed in zip(words, corrected):
            if word != fixed:
                suggestion = re.sub(rf"\b{re.escape(word)}\b", fixed, suggestion, count=1)
        found = self._matched(snapshot, self.parse_query(suggestion))
        found = _narrow(found.mask if isinstance(found, Matches) else found, keep, drop)
        return suggestion if np.count_nonzero(found) > total else None

    def related(self, article_id: str, limit: int = 5) -> tuple[RelatedArticle, ...]:
        """Articles most like this one ("more like this"), identical copies left out."""
        return self.snapshots.read(lambda snapshot: self._related(snapshot.searcher, article_id, limit))

    def _related(self, searcher: Searcher, article_id: str, limit: int) -> tuple[RelatedArticle, ...]:
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return ()
        own = _fingerprint(searcher.stored_fields(docnum))
        found = []
        for hit in searcher.more_like(docnum, "body", top=limit * 3, numterms=20):
            other = hit.fields()
            if _fingerprint(other) == own:
                continue
            article = document_to_article(other)
            found.append(RelatedArticle(article.id, article.title, article.date, article.source))
            if len(found) == limit:
                break
        return tuple(found)

    def highlight_paragraphs(self, article: Article, query_text: str) -> tuple[str, ...]:
        """The article's paragraphs as HTML: text escaped, words the query matched in <mark>."""
        paragraphs = [p for p in article.body.split("\n\n") if p.strip()]
        query = self.parse_query(query_text)
        terms = {text for field, text in query.iter_all_terms() if field in ("title", "body")} \
            if not isinstance(query, Every) else set()
        if not terms:
            return tuple(html.escape(p, quote=False) for p in paragraphs)
        analyzer = self.schema["body"].analyzer
        formatter = MarkFormatter()
        marked = []
        for paragraph in paragraphs:
            fragments = highlight.highlight(paragraph, terms, analyzer, highlight.WholeFragmenter(), formatter)
            marked.append(fragments or html.escape(paragraph, quote=False))
        return tuple(marked)

    def facet_values(self, facet_name: str, prefix: str = "", limit: int = 10) -> tuple[FacetValue, ...]:
        """Values of a facet that start with ``prefix`` (any case), most frequent first: the
        type-ahead for finding one company among thousands."""
        spec = facet_spec(facet_name)
        if spec is None:
            raise SearchRequestError(f"no facet named {facet_name[:40]!r}; facets: {', '.join(facet_names())}")
        wanted = prefix.strip().lower()

        def values(snapshot: IndexSnapshot) -> tuple[FacetValue, ...]:
            counts = snapshot.columns.counts(spec.field, snapshot.columns.alive).as_dict()
            ranked = sorted(((v, c) for v, c in counts.items() if v.lower().startswith(wanted)),
                            key=lambda item: (-item[1], item[0].lower()))
            return tuple(FacetValue(value, count, False) for value, count in ranked[:limit])

        return self.snapshots.read(values)

    def get_article(self, article_id: str) -> Article | None:
        """The article with this id, or the one an identical copy with this id was folded into."""
        fields = self.snapshots.read(lambda snapshot: snapshot.searcher.document(id=article_id)
                                     or snapshot.searcher.document(duplicate_ids=article_id))
        return document_to_article(fields) if fields else None

    def parse_query(self, text: str) -> Query:
        """Whoosh query syntax when it parses into something; otherwise the plain words.

        A typo in the syntax (an unbalanced quote, a stray operator, an unknown
        field) must still find what the words would find, never fail. Parsed
        queries are remembered: the same few queries come back again and again.
        """
        return self._parse(text.strip())

    def _parse_uncached(self, text: str) -> Query:
        if not _WORD.search(text):
            return Every()
        parser = MultifieldParser(["title", "body"], self.schema, group=AndGroup)
        parser.add_plugin(FuzzyTermPlugin())  # "panasonik~" tolerates a misspelling
        try:
            query = parser.parse(text)
        except Exception:  # Whoosh raises assorted errors on odd syntax; words still work.
            query = NullQuery
        if _is_null(query):
            words = " ".join(word.lower() for word in _WORD.findall(text))
            query = parser.parse(words)
        # Nothing left but operators or stop words: list everything rather than nothing.
        return Every() if _is_null(query) else query.accept(_fuzzy_on_plain_words)

    def _facet(self, columns: FacetColumns, spec: FacetSpec, matched: np.ndarray,
               selected: dict[str, np.ndarray], excluded: dict[str, np.ndarray], dates: np.ndarray | None,
               request: SearchRequest) -> Facet:
        # Each facet is counted with every filter but its own, so choosing one
        # company still shows how many articles the other companies would add.
        keep = [mask for name, mask in selected.items() if name != spec.name] + ([dates] if dates is not None else [])
        drop = [mask for name, mask in excluded.items() if name != spec.name]
        counts = columns.counts(spec.field, _narrow(matched, keep, drop))
        if spec.name in request.expanded:
            spec = replace(spec, limit=EXPANDED_FACET_LIMIT)
        return spec.build(counts, request.selected(spec.name), request.excluded_values(spec.name))


def _narrow(matched: np.ndarray, keep: list[np.ndarray], drop: list[np.ndarray]) -> np.ndarray:
    """The matched documents that are in every ``keep`` mask and in no ``drop`` mask.

    Returns ``matched`` itself when there is nothing to narrow by, so callers can
    tell an unfiltered search; never changes its arguments.
    """
    if not keep and not drop:
        return matched
    narrowed = matched.copy()
    for mask in keep:
        narrowed &= mask
    for mask in drop:
        narrowed &= ~mask
    return narrowed


def _fuzzy_on_plain_words(query: Query) -> Query:
    """A misspelling is close to the word as written, not to its stem: fuzzy terms
    ("panasonik~") search the unstemmed copy of the text."""
    if isinstance(query, FuzzyTerm) and query.fieldname in ("title", "body"):
        return FuzzyTerm("plain", query.text.lower(), boost=query.boost, maxdist=query.maxdist,
                         prefixlength=query.prefixlength)
    return query


def _fingerprint(fields: dict) -> str:
    return " ".join(f"{fields.get('title', '')} {fields.get('body', '')}".lower().split())


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


def _is_null(query: Query) -> bool:
    return query is NullQuery or isinstance(query, type(NullQuery))


def _hit(fields: dict, terms: frozenset[str]) -> SearchHit:
    """A hit as shown: the article's fields and one highlighted excerpt of its body."""
    article = document_to_article(fields)
    return SearchHit(
        id=article.id, title=article.title, date=article.date, source=article.source,
        companies=article.companies, technologies=article.technologies,
        snippet_html=snippet(article.body, terms, stem) if terms else lead(article.body))
