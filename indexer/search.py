"""The search service: a :class:`SearchRequest` in, a :class:`SearchResult` out.

The web pages, the JSON API and the command line all search through here, so
they answer the same query the same way.
"""
from __future__ import annotations

import html
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time as day_time, timedelta

from whoosh import highlight, sorting
from whoosh.qparser import AndGroup, FuzzyTermPlugin, MultifieldParser
from whoosh.query import And, DateRange, Every, FuzzyTerm, NullQuery, Or, Query
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Searcher

from .article import Article
from .facets import FACETS, Facet, FacetSpec, FacetValue, facet_names, facet_spec
from .schema import build_schema, document_to_article
from .store import IndexStore

MAX_PER_PAGE = 100
EXPANDED_FACET_LIMIT = 100
SNIPPET_CHARS = 240
_WORD = re.compile(r"\w+", re.UNICODE)
_PLAIN_WORD = re.compile(r"(?<![\w:])[A-Za-z][A-Za-z'-]+(?![\w:*~])")  # words, not fields, prefixes or fuzzy
# Undated articles sort last whichever way dates run.
NEWEST_FIRST = sorting.MultiFacet([sorting.FieldFacet("undated"), sorting.FieldFacet("date", reverse=True)])
OLDEST_FIRST = sorting.MultiFacet([sorting.FieldFacet("undated"), sorting.FieldFacet("date")])


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
    """Reads the index that an :class:`IndexStore` serves; opens a searcher per call."""

    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self.schema = build_schema()

    def search(self, request: SearchRequest) -> SearchResult:
        return self.store.read(lambda searcher: self._search(searcher, request))

    def _search(self, searcher: Searcher, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        per_page = max(1, min(request.per_page, MAX_PER_PAGE))
        query = self.parse_query(request.query)
        filters = {spec.name: spec.filter_query(request.selected(spec.name))
                   for spec in FACETS if request.selected(spec.name)}
        masks = {spec.name: spec.filter_query(request.excluded_values(spec.name))
                 for spec in FACETS if request.excluded_values(spec.name)}
        dates = _date_range(request.date_from, request.date_to)
        everything = _combine([*filters.values(), *([dates] if dates else [])])
        mask = _either(list(masks.values()))
        sortedby = _order(request.sort, query)
        page = max(1, request.page)
        results = searcher.search(query, filter=everything, mask=mask, limit=page * per_page, sortedby=sortedby)
        total = len(results)
        pages = max(1, -(-total // per_page))
        if page > pages:  # past the end: show the last page rather than nothing
            page = pages
            results = searcher.search(query, filter=everything, mask=mask, limit=page * per_page,
                                      sortedby=sortedby)
        results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=90)
        results.formatter = MarkFormatter()
        hits = tuple(_hit(hit) for hit in results[(page - 1) * per_page:page * per_page])
        facets = tuple(self._facet(searcher, spec, query, filters, masks, dates, request) for spec in FACETS)
        suggestion = self._suggest(searcher, request.query, total, everything, mask)
        return SearchResult(
            request=request, total=total, page=page, pages=pages, per_page=per_page, hits=hits,
            facets=facets, understood="*" if isinstance(query, Every) else str(query),
            took_ms=round((time.perf_counter() - started) * 1000, 1), suggestion=suggestion)

    def _suggest(self, searcher: Searcher, text: str, total: int, everything: Query | None,
                 mask: Query | None) -> str | None:
        """A spelling correction, offered only when it finds more than the query as typed.

        Words are corrected against the unstemmed copy of the text: corrected
        against stems, "pirnting" would become "first".
        """
        words = _PLAIN_WORD.findall(text)
        if not words or len(text) > 200:
            return None
        corrector = searcher.corrector("plain")
        reader = searcher.reader()
        corrected = []
        for word in words:
            lower = word.lower()
            if len(lower) < 3 or word in ("AND", "OR", "NOT") or reader.doc_frequency("plain", lower):
                corrected.append(word)
                continue
            suggestions = corrector.suggest(lower, limit=1, maxdist=2)
            corrected.append(suggestions[0] if suggestions else word)
        if corrected == words:
            return None
        suggestion = text
        for word, fixed in zip(words, corrected):
            if word != fixed:
                suggestion = re.sub(rf"\b{re.escape(word)}\b", fixed, suggestion, count=1)
        found = len(searcher.search(self.parse_query(suggestion), filter=everything, mask=mask, limit=1))
        return suggestion if found > total else None

    def related(self, article_id: str, limit: int = 5) -> tuple[RelatedArticle, ...]:
        """Articles most like this one ("more like this"), identical copies left out."""
        return self.store.read(lambda searcher: self._related(searcher, article_id, limit))

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
        return self.store.read(lambda searcher: _values_with_prefix(searcher, spec, wanted, limit))

    def get_article(self, article_id: str) -> Article | None:
        """The article with this id, or the one an identical copy with this id was folded into."""
        fields = self.store.read(lambda searcher: searcher.document(id=article_id)
                            or searcher.document(duplicate_ids=article_id))
        return document_to_article(fields) if fields else None

    def parse_query(self, text: str) -> Query:
        """Whoosh query syntax when it parses into something; otherwise the plain words.

        A typo in the syntax (an unbalanced quote, a stray operator, an unknown
        field) must still find what the words would find, never fail.
        """
        text = text.strip()
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

    def _facet(self, searcher: Searcher, spec: FacetSpec, query: Query, filters: dict[str, Query],
               masks: dict[str, Query], dates: Query | None, request: SearchRequest) -> Facet:
        # Each facet is counted with every filter but its own, so choosing one
        # company still shows how many articles the other companies would add.
        others = _combine([q for name, q in filters.items() if name != spec.name] + ([dates] if dates else []))
        mask = _either([q for name, q in masks.items() if name != spec.name])
        counts = spec.count(searcher, query, others, mask)
        if spec.name in request.expanded:
            spec = replace(spec, limit=EXPANDED_FACET_LIMIT)
        return spec.build(counts, request.selected(spec.name), request.excluded_values(spec.name))


def _order(sort: str, query: Query) -> sorting.FacetType | None:
    if sort == "newest" or (sort == "relevance" and isinstance(query, Every)):
        return NEWEST_FIRST  # an empty query lists everything, newest first
    if sort == "oldest":
        return OLDEST_FIRST
    return None


def _date_range(start: date | None, end: date | None) -> Query | None:
    """Articles dated from the start of ``start`` to the end of ``end`` (UTC)."""
    if not start and not end:
        return None
    low = datetime.combine(start, day_time.min) if start else None
    high = datetime.combine(end + timedelta(days=1), day_time.min) - timedelta(microseconds=1) if end else None
    return DateRange("date", low, high)


def _either(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else Or(queries)


def _fuzzy_on_plain_words(query: Query) -> Query:
    """A misspelling is close to the word as written, not to its stem: fuzzy terms
    ("panasonik~") search the unstemmed copy of the text."""
    if isinstance(query, FuzzyTerm) and query.fieldname in ("title", "body"):
        return FuzzyTerm("plain", query.text.lower(), boost=query.boost, maxdist=query.maxdist,
                         prefixlength=query.prefixlength)
    return query


def _fingerprint(fields: dict) -> str:
    return " ".join(f"{fields.get('title', '')} {fields.get('body', '')}".lower().split())


def _is_null(query: Query) -> bool:
    return query is NullQuery or isinstance(query, type(NullQuery))


def _combine(queries: list[Query]) -> Query | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else And(queries)


def _hit(hit: WhooshHit) -> SearchHit:
    article = document_to_article(hit.fields())
    snippet = hit.highlights("body", top=1) if article.body else ""
    if not snippet:
        lead = article.body[:SNIPPET_CHARS]
        if len(article.body) > SNIPPET_CHARS:
            lead = lead.rsplit(" ", 1)[0] + " …"
        snippet = html.escape(lead, quote=False)
    return SearchHit(
        id=article.id, title=article.title, date=article.date, source=article.source,
        companies=article.companies, technologies=article.technologies, snippet_html=snippet)


def _values_with_prefix(searcher: Searcher, spec: FacetSpec, wanted: str, limit: int) -> tuple[FacetValue, ...]:
    reader = searcher.reader()
    counts = {}
    for term in reader.lexicon(spec.field):
        value = term.decode("utf-8") if isinstance(term, bytes) else str(term)
        if value.lower().startswith(wanted):
            counts[value] = reader.doc_frequency(spec.field, value)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))[:limit]
    return tuple(FacetValue(value, count, False) for value, count in ranked)
