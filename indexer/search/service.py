"""The search service: a :class:`SearchRequest` in, a :class:`SearchResult` out.

The web pages, the JSON API, the feed and the command line all search through
here, so they answer the same query the same way.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from datetime import time as day_time
from functools import cache, partial
from typing import TypeVar

import numpy as np
from whoosh.query import Query

from indexer.article import Article, text_fingerprint
from indexer.errors import InvalidRequestError, NotFoundError
from indexer.index.schema import (
    BODY_FIELD,
    COMPANY_FIELD,
    DATE_FIELD,
    DUPLICATE_IDS_FIELD,
    EVENT_ROLE_FIELD,
    ID_FIELD,
    PLAIN_FIELD,
    QUERY_FIELDS,
    TITLE_FIELD,
    build_schema,
    document_to_article,
)
from indexer.index.store import IndexStore
from indexer.search.associations import Association, associations
from indexer.search.budget import SEARCH_SECONDS
from indexer.search.columns import DocSet, FacetColumns, sortable_date
from indexer.search.events import ROLE, RoleFilter
from indexer.search.facets import FACETS, Facet, FacetSpec, FacetValue, facet_spec
from indexer.search.filters import DATE_RANGE, Filters
from indexer.search.highlight import lead, marked_paragraphs, snippet
from indexer.search.limits import Bounded, expand
from indexer.search.matching import Matches
from indexer.search.profiles import Profile, ProfileRequest, build_profile
from indexer.search.query import QueryParser, highlight_terms, understood
from indexer.search.ranking import rank
from indexer.search.request import MAX_PER_PAGE, RelatedArticle, SearchHit, SearchRequest, SearchResult
from indexer.search.snapshot import IndexSnapshot, Snapshots
from indexer.search.spelling import corrected
from indexer.search.trends import Trend, results_trend
from indexer.stemming import stem

EXPANDED_FACET_LIMIT = 100
# Threads that count a search's facets while the searching thread ranks its matches.
COUNTING_THREADS = min(4, os.cpu_count() or 1)
# A correction is offered when it finds this many times the articles the query found.
SUGGESTION_FINDS_MORE = 3

Counted = TypeVar("Counted")


class SearchService:
    """Reads the index that an :class:`IndexStore` serves, through one snapshot per committed state.

    The set of matches, the filters and every facet count are NumPy masks and
    arrays over document numbers (see :mod:`.columns` and :mod:`.matching`), and
    only the hits shown are loaded and highlighted. Safe to share between threads:
    per-request state lives in the request's own values.
    """

    # Did you mean is worked out for every search; the benchmark turns it off to measure what it adds.
    suggestions = True

    def __init__(self, store: IndexStore, budget_seconds: float = SEARCH_SECONDS) -> None:
        self.store = store
        self.date_field = build_schema()[DATE_FIELD]
        self.parser = QueryParser()
        self.snapshots = Snapshots(
            store,
            [*(spec.field for spec in FACETS), EVENT_ROLE_FIELD],
            scored=QUERY_FIELDS,
            budget_seconds=budget_seconds,
        )
        self._counting = _counting_pool()

    @classmethod
    def for_index(cls, folder: str | os.PathLike, budget_seconds: float = SEARCH_SECONDS) -> SearchService:
        """A service over the index in ``folder`` (the web app and the CLI need no store of their own);
        each search stops after ``budget_seconds`` (see :mod:`.budget`)."""
        return cls(IndexStore(folder), budget_seconds)

    def close(self) -> None:
        """Close the open searcher and the counting threads (a service is usable again
        afterwards; it reopens)."""
        self.snapshots.close()
        counting, self._counting = self._counting, _counting_pool()
        counting.shutdown(wait=True)

    def parse_query(self, text: str) -> Query:
        """The query searched for ``text``: its wildcards and typo-tolerant words stand for
        the words of the current index state they fit (see :mod:`.limits`)."""
        return self.snapshots.read(lambda snapshot: self._bounded(snapshot, text).query)

    def _bounded(self, snapshot: IndexSnapshot, text: str) -> Bounded:
        return expand(self.parser.parse(text), snapshot.vocabulary)

    def search(self, request: SearchRequest) -> SearchResult:
        return self.snapshots.read(lambda snapshot: self._search(snapshot, request))

    def _search(self, snapshot: IndexSnapshot, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        per_page = max(1, min(request.per_page, MAX_PER_PAGE))
        bounded = self._bounded(snapshot, request.query)
        query = bounded.query
        matches = snapshot.evaluator.matches(query)
        snapshot.searcher.check_budget()
        filters = self._filters(snapshot.columns, request)
        chosen = filters.apply(matches.mask)
        total = int(np.count_nonzero(chosen))
        pages = max(1, -(-total // per_page))
        page = min(max(1, request.page), pages)  # past the end: the last page rather than nothing
        # The facets are counted on another thread while this one ranks: both are NumPy work,
        # which mostly runs without the interpreter lock (a fifth off a broad search).
        counting = partial(_facets, snapshot.columns, matches, filters, request, chosen)
        with _alongside(self._counting, counting) as counts:
            ranked = _ranked(snapshot, query, matches, filters, chosen, request.sort, page * per_page, request.query)
            terms = highlight_terms(snapshot.searcher.reader(), query)
            hits = tuple(
                _hit(snapshot.searcher.stored_fields(int(docnum)), terms)
                for docnum in ranked[(page - 1) * per_page : page * per_page]
            )
        facets = counts.result()
        return SearchResult(
            request=request,
            total=total,
            page=page,
            pages=pages,
            per_page=per_page,
            hits=hits,
            facets=facets,
            understood=understood(self.parser.parse(request.query)),
            took_ms=round((time.perf_counter() - started) * 1000, 1),
            suggestion=self._suggestion(snapshot, request.query, total, filters) if self.suggestions else None,
            notices=bounded.notices,
            trend=_trend(snapshot.columns, chosen, request) if request.trend else None,
            newest=_newest_day(snapshot.columns, self.date_field),
            appears_with=_appears_with(snapshot.columns, chosen, request) if request.appears_with else (),
        )

    def ordered_ids(self, request: SearchRequest, limit: int) -> tuple[int, tuple[str, ...]]:
        """How many articles the search finds, and the ids of the first ``limit`` of them in its
        order: the whole result set at once rather than a page, for an export to read in batches."""
        return self.snapshots.read(lambda snapshot: self._ordered_ids(snapshot, request, max(0, limit)))

    def _ordered_ids(self, snapshot: IndexSnapshot, request: SearchRequest, limit: int) -> tuple[int, tuple[str, ...]]:
        query = self._bounded(snapshot, request.query).query
        matches = snapshot.evaluator.matches(query)
        snapshot.searcher.check_budget()
        filters = self._filters(snapshot.columns, request)
        chosen = filters.apply(matches.mask)
        total = int(np.count_nonzero(chosen))
        if not limit or not total:
            return total, ()
        ranked = _ranked(snapshot, query, matches, filters, chosen, request.sort, limit, request.query)
        return total, tuple(snapshot.searcher.stored_fields(int(docnum))[ID_FIELD] for docnum in ranked)

    def articles(self, ids: Sequence[str]) -> tuple[Article, ...]:
        """The articles with these ids, in this order, all read from one state of the index;
        an id a reindex has removed meanwhile is left out."""

        def read(snapshot: IndexSnapshot) -> tuple[Article, ...]:
            found = (snapshot.searcher.document(**{ID_FIELD: article_id}) for article_id in ids)
            return tuple(document_to_article(fields) for fields in found if fields)

        return self.snapshots.read(read)

    def _filters(self, columns: FacetColumns, request: SearchRequest) -> Filters:
        keep = {
            spec.name: _docs_with(columns, spec, request.selected(spec.name), request.all_of(spec.name))
            for spec in FACETS
            if request.selected(spec.name)
        }
        drop = {
            spec.name: columns.column(spec.field).docs_with(request.excluded_values(spec.name), columns.size)
            for spec in FACETS
            if request.excluded_values(spec.name)
        }
        if request.date_from or request.date_to:
            keep[DATE_RANGE] = self._dated(columns, request.date_from, request.date_to)
        if roles := _role_filter(request):
            keep[ROLE] = roles.mask(columns)
        return Filters(keep, drop)

    def _dated(self, columns: FacetColumns, start: date | None, end: date | None) -> np.ndarray:
        """Articles dated from the start of ``start`` to the end of ``end`` (UTC).

        The end of a day is its last moment, not the start of the next: the day
        after 9999-12-31 cannot be represented.
        """
        low = sortable_date(self.date_field, datetime.combine(start, day_time.min)) if start else None
        high = sortable_date(self.date_field, datetime.combine(end, day_time.max)) if end else None
        return columns.dated_between(low, high)

    def _suggestion(self, snapshot: IndexSnapshot, text: str, total: int, filters: Filters) -> str | None:
        """The query with its typos corrected (:mod:`.spelling`), offered when it finds several
        times the articles the query as typed found (with the same filters), not only when
        that found none: ``takover`` finds 1 article, ``takeover`` hundreds."""
        suggestion = corrected(text, snapshot.vocabulary(PLAIN_FIELD), snapshot.columns.size)
        if suggestion is None:
            return None
        try:
            query = self._bounded(snapshot, suggestion).query
        except InvalidRequestError:
            return None
        found = int(np.count_nonzero(filters.apply(snapshot.evaluator.matches(query).mask)))
        return suggestion if found > 0 and found >= SUGGESTION_FINDS_MORE * total else None

    def related(self, article_id: str, limit: int = 5) -> tuple[RelatedArticle, ...]:
        """Articles most like this one ("more like this"), identical copies left out."""
        return self.snapshots.read(lambda snapshot: _related(snapshot, article_id, limit))

    def highlight_paragraphs(self, article: Article, query_text: str) -> tuple[str, ...]:
        """The article's paragraphs as HTML: text escaped, words the query matched in <mark>,
        found exactly as the result snippets find them."""

        def terms(snapshot: IndexSnapshot) -> frozenset[str]:
            try:
                query = self._bounded(snapshot, query_text).query
            except InvalidRequestError:  # a query the search refuses marks nothing
                return frozenset()
            return highlight_terms(snapshot.searcher.reader(), query)

        return marked_paragraphs(article.body, self.snapshots.read(terms), stem)

    def facet_values(self, facet_name: str, prefix: str = "", limit: int = 10) -> tuple[FacetValue, ...]:
        """Values of a facet that start with ``prefix`` (any case), most frequent first: the
        type-ahead for finding one company among thousands."""
        spec = facet_spec(facet_name)
        wanted = prefix.strip().lower()

        def values(snapshot: IndexSnapshot) -> tuple[FacetValue, ...]:
            counts = snapshot.columns.counts_of_all(spec.field).as_dict()
            ranked = sorted(
                ((v, c) for v, c in counts.items() if v.lower().startswith(wanted)),
                key=lambda item: (-item[1], item[0].lower()),
            )
            return tuple(FacetValue(value, count, False) for value, count in ranked[:limit])

        return self.snapshots.read(values)

    def get_article(self, article_id: str) -> Article:
        """The article with this id, or the one an identical copy with this id was folded into."""
        fields = self.snapshots.read(
            lambda snapshot: (
                snapshot.searcher.document(**{ID_FIELD: article_id})
                or snapshot.searcher.document(**{DUPLICATE_IDS_FIELD: article_id})
            )
        )
        if not fields:
            raise NotFoundError(f"there is no article with the id {article_id[:200]!r}")
        return document_to_article(fields)

    def profile(self, request: ProfileRequest) -> Profile:
        """A company's or technology's page: its articles over time, the values it appears with
        most, its latest articles and what the knowledge base says of it (see :mod:`.profiles`)."""
        return self.snapshots.read(lambda snapshot: build_profile(snapshot, request))


def _ranked(
    snapshot: IndexSnapshot,
    query: Query,
    matches: Matches,
    filters: Filters,
    chosen: np.ndarray,
    sort: str,
    limit: int,
    text: str = "",
) -> np.ndarray:
    """Document numbers of the first ``limit`` chosen documents in the requested order.

    A query of words matched over arrays is ranked by :mod:`.ranking`; ``text`` is the
    query as typed, whose words may name a company or technology.
    """
    if sort == "relevance" and not matches.everything:
        if matches.by_arrays:
            return rank(snapshot.evaluator, query, text, matches, chosen, limit)
        # Whoosh ranks what it matched itself; the chosen documents are its filter.
        allowed = set(np.flatnonzero(chosen).tolist()) if filters.narrows() else None
        results = snapshot.searcher.search(query, filter=allowed, limit=limit)
        return np.array([docnum for _, docnum in results.top_n], dtype=np.int64)
    order = "oldest" if sort == "oldest" else "newest"  # a query without words lists newest first
    return snapshot.columns.in_order(chosen, order)[:limit]


def _counting_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(COUNTING_THREADS, thread_name_prefix="newsfacet-facets")


@contextmanager
def _alongside(pool: ThreadPoolExecutor, work: Callable[[], Counted]) -> Iterator[Future[Counted]]:
    """``work`` runs on ``pool`` while the block does; leaving the block (even by an error)
    waits for it, so nothing still reads the index state once the search is over."""
    future = pool.submit(work)
    try:
        yield future
    finally:
        wait([future])


def _facets(
    columns: FacetColumns, matches: Matches, filters: Filters, request: SearchRequest, chosen: np.ndarray
) -> tuple[Facet, ...]:
    # What every facet without a filter of its own counts, worked out when the first needs it.
    shared = cache(partial(DocSet.of, chosen))
    return tuple(_facet(columns, spec, matches, filters, request, shared) for spec in FACETS)


def _facet(
    columns: FacetColumns,
    spec: FacetSpec,
    matches: Matches,
    filters: Filters,
    request: SearchRequest,
    chosen: Callable[[], DocSet],
) -> Facet:
    """One facet, counted with every filter but its own; under "all of" (``company_mode=all``) with its
    own selection too, so each value's count is the articles that also carry every selected value."""
    roles = _role_filter(request)
    if request.all_of(spec.name) and spec.name in filters.keep:
        # Its exclusions stay out of the count, as in every facet: an excluded value shows what it would add.
        counts = columns.counts(spec.field, filters.apply(matches.mask, but=spec.name) & filters.keep[spec.name])
    elif roles and spec.event_part:
        # The role filter is this facet's own too: each value counted as if chosen alone.
        counts = roles.counts(columns, spec.event_part, filters.apply(matches.mask, but=(spec.name, ROLE)))
    elif matches.everything and not filters.narrows(but=spec.name):
        counts = columns.counts_of_all(spec.field)
    elif spec.name in filters.keep or spec.name in filters.drop:
        counts = columns.counts(spec.field, filters.apply(matches.mask, but=spec.name))
    else:  # the facet has no filter of its own to leave out: the chosen documents
        counts = columns.counts_in(spec.field, chosen())
    if spec.name in request.expanded:
        spec = replace(spec, limit=EXPANDED_FACET_LIMIT)
    return spec.build(counts, request.selected(spec.name), request.excluded_values(spec.name))


def _trend(columns: FacetColumns, chosen: np.ndarray, request: SearchRequest) -> Trend:
    """The chosen results per period, with a line per selected company (see :mod:`.trends`)."""
    return results_trend(columns, chosen, request.selected("company"), request.all_of("company"))


def _appears_with(columns: FacetColumns, chosen: np.ndarray, request: SearchRequest) -> tuple[Association, ...]:
    """The companies that go with the results more than chance says, by lift (see :mod:`.associations`);
    the selected ones are the question, not an answer, and a search that keeps every article has none."""
    if int(np.count_nonzero(chosen)) == int(np.count_nonzero(columns.alive)):
        return ()
    return associations(columns, COMPANY_FIELD, chosen, set(request.selected("company")))


def _newest_day(columns: FacetColumns, date_field) -> date | None:
    """The day of the newest dated article in the index, from the date column (no document is read):
    on an archive, where "the past week" holds nothing, quick ranges count back from it instead."""
    if not columns.newest_date:
        return None
    return date_field.from_column_value(columns.newest_date).date()


def _docs_with(columns: FacetColumns, spec: FacetSpec, values: tuple[str, ...], all_of: bool) -> np.ndarray:
    """The documents with any of a facet's ``values``, or with every one of them under ``all_of``."""
    column = columns.column(spec.field)
    return column.docs_with_all(values, columns.size) if all_of else column.docs_with(values, columns.size)


def _role_filter(request: SearchRequest) -> RoleFilter | None:
    """The request's role filter over the facets it ties together, or None without a role."""
    if not request.roles:
        return None
    chosen = {spec.event_part: request.selected(spec.name) for spec in FACETS if spec.event_part}
    return RoleFilter(request.roles, chosen)


def _related(snapshot: IndexSnapshot, article_id: str, limit: int) -> tuple[RelatedArticle, ...]:
    searcher = snapshot.searcher
    docnum = searcher.document_number(**{ID_FIELD: article_id})
    if docnum is None:
        return ()
    own = _fingerprint(searcher.stored_fields(docnum))
    found = []
    for hit in searcher.more_like(docnum, BODY_FIELD, top=limit * 3, numterms=20):
        other = hit.fields()
        if _fingerprint(other) == own:
            continue
        article = document_to_article(other)
        found.append(RelatedArticle(article.id, article.title, article.date, article.source))
        if len(found) == limit:
            break
    return tuple(found)


def _fingerprint(fields: dict) -> str:
    return text_fingerprint(fields.get(TITLE_FIELD, ""), fields.get(BODY_FIELD, ""))


def _hit(fields: dict, terms: frozenset[str]) -> SearchHit:
    """A hit as shown: the article's fields and one highlighted excerpt of its body."""
    article = document_to_article(fields)
    return SearchHit(
        id=article.id,
        title=article.title,
        date=article.date,
        source=article.source,
        companies=article.companies,
        technologies=article.technologies,
        snippet_html=snippet(article.body, terms, stem) if terms else lead(article.body),
        events=article.events,
    )
