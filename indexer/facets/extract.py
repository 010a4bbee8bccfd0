"""Facet extraction for articles: companies, technologies and events from title and body."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from indexer.article import Article
from indexer.facets.companies import CompanyExtractor, TextNames
from indexer.facets.events import extract_events
from indexer.facets.technologies import extract_technologies
from indexer.ingest.clean import clean_lines, join_wrapped_lines
from indexer.processes import exit_with_parent
from indexer.progress import Progress, Silent

# Batches this large are read by several processes; smaller ones are done before a pool would start.
PARALLEL_FROM = 2000
CHUNK = 200  # articles a worker takes at a time
_FORK = multiprocessing.get_context("fork")  # workers inherit the loaded knowledge base


def facet_text(article: Article) -> str:
    """The text facets are read from: the title line, then the cleaned body.

    Wrapped lines are joined so a name broken over two lines is whole again, and
    page furniture (bylines, bios, captions) goes as it does at ingest.
    """
    body = "\n\n".join(clean_lines(join_wrapped_lines(article.body).split("\n")).paragraphs)
    return f"{' '.join(article.title.split())}\n{body}"


def extract_facets(article: Article, companies: CompanyExtractor | None = None) -> Article:
    """The article with its company and technology facets filled in, by ``companies`` when given
    (an extractor that has learned the batch's names) or else by one that knows no learned names."""
    text = facet_text(article)
    extractor = companies or CompanyExtractor()
    found = extractor.extract(text, source=article.source, year=article.date.year if article.date else None)
    return article.with_facets(
        companies=found,
        technologies=extract_technologies(text),
        events=extract_events(text, found, extractor.written_forms),
    )


def extract_facets_batch(
    articles: Iterable[Article], progress: Progress | None = None, workers: int | None = None
) -> Iterator[Article]:
    """Facets for many articles at once, with corpus-level evidence, in the order given.

    A company confirmed by its context in one article (``Paion AG``, ``branding
    firm SalterBaxter``) is then recognised where another article names it bare.
    Large batches are read by ``workers`` processes (default: one per core), first
    for the names to learn, then for the facets; the result is the same as with
    one process, and articles come out while later ones are still being read, so
    the caller can write them meanwhile.
    """
    progress = progress or Silent()
    articles = list(articles)
    return extract_learned(articles, learn_company_names(articles, progress, workers), progress, workers)


def extract_learned(
    articles: Sequence[Article],
    extractor: CompanyExtractor,
    progress: Progress | None = None,
    workers: int | None = None,
) -> Iterator[Article]:
    """Facets for ``articles`` in order, by ``extractor`` once it has learned their names.

    Large batches are read by ``workers`` processes (default: one per core), each
    with the same names learned; articles come out while later ones are read.
    """
    progress = progress or Silent()
    workers = worker_count(workers, len(articles))
    if workers == 1:
        return extract_each(progress.track(articles, "extracting facets", total=len(articles)), extractor)
    chunks = [articles[i : i + CHUNK] for i in range(0, len(articles), CHUNK)]
    learned = (list(extractor.learned.values()), list(extractor.spellings))
    pool = ProcessPoolExecutor(workers, mp_context=_FORK, initializer=_start_worker, initargs=learned)
    return _in_order(pool, pool.map(_extracted, chunks), progress, len(articles))


def learn_company_names(
    articles: Sequence[Article],
    progress: Progress | None = None,
    workers: int | None = None,
    known: Iterable[str] = (),
    known_spellings: Iterable[str] = (),
) -> CompanyExtractor:
    """A company extractor that knows the names ``articles`` confirm by their context, and
    how they spell the names they write, after the ``known`` ones (learned before from the
    rest of the collection).

    What it learns does not depend on the order the articles are read in, so
    several processes (``workers``, default one per core, for large batches) learn
    the same names as one.
    """
    progress = progress or Silent()
    extractor = extractor_knowing(known, known_spellings)  # loads the knowledge base and word lists before any fork
    workers = worker_count(workers, len(articles))
    if workers == 1:
        extractor.learn(progress.track((facet_text(a) for a in articles), "learning names", total=len(articles)))
        return extractor
    chunks = [articles[i : i + CHUNK] for i in range(0, len(articles), CHUNK)]
    with ProcessPoolExecutor(workers, mp_context=_FORK, initializer=_start_worker, initargs=([], [])) as pool:
        read = (names for chunk in pool.map(_names_in, chunks) for names in chunk)
        learn_text_names(extractor, progress.track(read, "learning names", total=len(articles)))
    return extractor


def extractor_knowing(names: Iterable[str] = (), spellings: Iterable[str] = ()) -> CompanyExtractor:
    """A company extractor that has learned ``names`` and ``spellings`` (in their order): how every
    process of a build, here, in a pool or on a cluster, gets the names the collection taught."""
    extractor = CompanyExtractor()
    extractor.learn_names(names)
    extractor.learn_spellings(spellings)
    return extractor


def learn_text_names(extractor: CompanyExtractor, names: Iterable[TextNames]) -> None:
    """Teach ``extractor`` what texts taught, given in the texts' order (see
    :meth:`CompanyExtractor.names_in`): how names read elsewhere, by a pool or a
    cluster, are learned as one process would learn them."""
    for text_names in names:
        extractor.learn_names(text_names.confirmed)
        extractor.learn_spellings(text_names.seen)


def extract_each(articles: Iterable[Article], extractor: CompanyExtractor) -> Iterator[Article]:
    """Each article with its facets, by an extractor that has learned the batch's names."""
    return (extract_facets(article, extractor) for article in articles)


def split_by_size(articles: Sequence[Article], parts: int) -> list[Sequence[Article]]:
    """``articles`` cut into at most ``parts`` runs in order, of about equal text
    length, so processes that take one run each finish at about the same time."""
    sizes = [len(article.title) + len(article.body) + 200 for article in articles]  # + per-article cost
    total = sum(sizes)
    runs: list[Sequence[Article]] = []
    start, filled = 0, 0
    for index, size in enumerate(sizes):
        filled += size
        if filled >= total * (len(runs) + 1) / parts and len(runs) < parts - 1:
            runs.append(articles[start : index + 1])
            start = index + 1
    runs.append(articles[start:])
    return [run for run in runs if run]


def worker_count(workers: int | None, count: int) -> int:
    """Processes worth starting: one below PARALLEL_FROM articles, where starting costs more than it saves."""
    if count < PARALLEL_FROM:
        return 1
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


def _in_order(
    pool: ProcessPoolExecutor, results: Iterator[list[Article]], progress: Progress, total: int
) -> Iterator[Article]:
    """Articles as their chunks arrive; the pool is shut down when done or abandoned."""
    try:
        yield from progress.track((article for chunk in results for article in chunk), "extracting facets", total=total)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# State of a worker process, set once when it starts; never used in the parent.
_worker: dict[str, CompanyExtractor] = {}


def _start_worker(learned: list[str], spellings: list[str]) -> None:
    _worker["extractor"] = extractor_knowing(learned, spellings)
    exit_with_parent()


def _names_in(chunk: list[Article]) -> list[TextNames]:
    return [_worker["extractor"].names_in(facet_text(article)) for article in chunk]


def _extracted(chunk: list[Article]) -> list[Article]:
    return [extract_facets(article, _worker["extractor"]) for article in chunk]
