"""Facet extraction for articles: companies and technologies from title and body."""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from .article import Article
from .clean import clean_lines, join_wrapped_lines
from .companies import CompanyExtractor
from .progress import Progress, Silent
from .technologies import extract_technologies

# Batches this large are read by several processes; smaller ones are done before a pool would start.
PARALLEL_FROM = 2000
CHUNK = 200  # articles a worker takes at a time
PARENT_CHECK_SECONDS = 0.2


def facet_text(article: Article) -> str:
    """The text facets are read from: the title line, then the cleaned body.

    Wrapped lines are joined so a name broken over two lines is whole again, and
    page furniture (bylines, bios, captions) goes as it does at ingest.
    """
    body = "\n\n".join(clean_lines(join_wrapped_lines(article.body).split("\n")).paragraphs)
    return f"{' '.join(article.title.split())}\n{body}"


def extract_facets(article: Article, companies: CompanyExtractor | None = None,
                   text: str | None = None) -> Article:
    """The article with its company and technology facets filled in.

    ``text`` is the article's :func:`facet_text` when the caller has it already.
    """
    text = facet_text(article) if text is None else text
    extractor = companies or CompanyExtractor()
    return article.with_facets(
        companies=extractor.extract(text, source=article.source),
        technologies=extract_technologies(text),
    )


def extract_facets_batch(articles: Iterable[Article], progress: Progress | None = None,
                         workers: int | None = None) -> Iterator[Article]:
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
    workers = _worker_count(workers, len(articles))
    if workers == 1:
        return _extract_here(articles, progress)
    return _extract_in_processes(articles, progress, workers)


def _worker_count(workers: int | None, count: int) -> int:
    """Processes worth starting: one below PARALLEL_FROM articles, where starting costs more than it saves."""
    if count < PARALLEL_FROM:
        return 1
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


def _extract_here(articles: list[Article], progress: Progress) -> Iterator[Article]:
    texts = [facet_text(article) for article in articles]
    extractor = CompanyExtractor()
    extractor.learn(progress.track(texts, "learning names", total=len(articles)))
    pairs = progress.track(list(zip(articles, texts)), "extracting facets", total=len(articles))
    return (extract_facets(article, extractor, text) for article, text in pairs)


def _extract_in_processes(articles: list[Article], progress: Progress, workers: int) -> Iterator[Article]:
    chunks = [articles[i:i + CHUNK] for i in range(0, len(articles), CHUNK)]
    context = multiprocessing.get_context("fork")  # workers inherit the loaded knowledge base
    extractor = CompanyExtractor()  # loads the knowledge base and word lists before forking
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=([],)) as pool:
        confirmed = (names for chunk in pool.map(_confirmed_names, chunks) for names in chunk)
        extractor.learn_names(name for names in progress.track(confirmed, "learning names", total=len(articles))
                              for name in names)
    learned = list(extractor.learned.values())
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(learned,))
    return _in_order(pool, pool.map(_extracted, chunks), progress, len(articles))


def _in_order(pool: ProcessPoolExecutor, results: Iterator[list[Article]], progress: Progress,
              total: int) -> Iterator[Article]:
    """Articles as their chunks arrive; the pool is shut down when done or abandoned."""
    try:
        yield from progress.track((article for chunk in results for article in chunk), "extracting facets",
                                  total=total)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# State of a worker process, set once when it starts; never used in the parent.
_worker: dict[str, CompanyExtractor] = {}


def _start_worker(learned: list[str]) -> None:
    extractor = CompanyExtractor()
    extractor.learn_names(learned)
    _worker["extractor"] = extractor
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker when the reindex that started it is gone (killed, say): the
    other workers keep its task queue open, so the worker would wait forever."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _confirmed_names(chunk: list[Article]) -> list[list[str]]:
    extractor = CompanyExtractor()
    return [extractor.confirmed_names(facet_text(article)) for article in chunk]


def _extracted(chunk: list[Article]) -> list[Article]:
    return [extract_facets(article, _worker["extractor"]) for article in chunk]
