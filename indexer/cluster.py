"""Reindexing on a Dask cluster: facet extraction, and the writing of segments, on many machines.

Dask (``dask.distributed``, the ``cluster`` extra) runs the same tasks on one
machine's processes (``local``) or on the workers of a scheduler at
``tcp://HOST:PORT``, retries the tasks of a worker that dies on another, and
shows the run on its dashboard. What runs where, and why the index is exactly
a one-machine build's:

- The client reads the inputs (:func:`~indexer.ingest.files.read_articles`):
  ids and the folding of identical copies need every file, and reading is a
  few seconds of a build whose extraction takes minutes.
- The articles go to the cluster once, in chunks, each held by a task that
  returns it as it is, so a chunk lost with its worker is sent again from the
  scheduler (Dask recomputes a lost result from its task; scattered data it
  could not).
- Workers learn the names each article confirms; the client learns them in
  article order, which is what one process learns (see
  :meth:`~indexer.facets.companies.CompanyExtractor.names_in`).
- Workers extract every chunk's facets with the names learned.
- A full build: each part, a run of chunks in order as the forked build cuts
  them, is written by a worker as one segment into the new generation when the
  worker sees its folder (shared storage, checked by :mod:`indexer.index.cluster`),
  or else by the client; the segments are committed in the order of the parts.
  An incremental update: the client writes the extracted articles in order.

Task functions are plain module functions with picklable arguments, so any
worker that has newsfacet installed runs them. Dask is imported only here, and
only when a cluster is asked for: the rest of newsfacet works without it.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from indexer.article import Article, IngestBatch
from indexer.errors import IndexWriteError, NewsfacetError
from indexer.facets.companies import CompanyExtractor, TextNames
from indexer.facets.extract import extract_each, extractor_knowing, facet_text, learn_text_names, split_by_size
from indexer.index.cluster import GenerationParts, SharedFolder, write_part_if_shared
from indexer.index.learned_names import NOTHING_LEARNED, LearnedNames
from indexer.index.parallel import PartWritten
from indexer.index.store import IndexStore, WriteReport
from indexer.progress import Progress

if TYPE_CHECKING:
    from distributed import Client, Future

LOCAL = "local"  # --scheduler local: a cluster of this machine's processes, started and closed here
INSTALL_HINT = "pip install 'newsfacet[cluster]'"
CHUNK_ARTICLES = 250  # articles per task: small enough to balance and to redo, large enough to be worth sending
RETRIES = 2  # a task that raises is tried again; one whose worker dies is moved by Dask itself
CONNECT_SECONDS = 30
WORKERS_SECONDS = 60  # how long a build waits for a first worker to join the scheduler

T = TypeVar("T")


def write_on_cluster(
    batch: IngestBatch,
    store: IndexStore,
    scheduler: str,
    full: bool,
    workers: int | None,
    progress: Progress,
) -> WriteReport:
    """Extract the facets of ``batch`` on the cluster at ``scheduler`` (or ``local``) and write them into ``store``.

    A full build (and a first build) has the workers write the segments too; an
    incremental update writes on this machine. The index answers every search
    as a one-process build's does. When a task fails for good the served index
    is left as it was (:class:`IndexWriteError`). ``workers`` is the number of
    worker processes of a ``local`` cluster (default: one per core).
    """
    with cluster_client(scheduler, workers, progress) as client:
        build = _ClusterBuild(client, batch.articles, full or not store.exists())
        known = NOTHING_LEARNED if build.full else store.learned_names()
        learned = build.learn_names(known, progress)
        if build.full:
            return store.rebuild_by_workers(
                lambda parts: build.write_parts(parts, learned, progress), progress, learned_names=learned
            )
        articles = build.extracted_in_order(learned, progress)
        return store.update(
            articles,
            roots=batch.roots,
            complete_files=batch.complete_files,
            learned_names=learned,
            progress=progress,
        )


@contextmanager
def cluster_client(scheduler: str, workers: int | None, progress: Progress) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a local cluster started (and closed) here."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise NewsfacetError(f"--scheduler needs Dask's distributed scheduler: {INSTALL_HINT}") from None
    cluster = None
    try:
        if scheduler == LOCAL:
            # One thread per process: facet extraction and Whoosh's writer are Python, held by the GIL.
            # The dashboard on a free port, so two builds (or a notebook's cluster) never clash.
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as error:
        if cluster is not None:
            cluster.close()
        raise IndexWriteError(
            f"cannot reach the Dask scheduler at {scheduler} ({_one_line(error)}); the served index is unchanged"
        ) from None
    try:
        link = client.dashboard_link if client.scheduler_info().get("services", {}).get("dashboard") else None
        detail = f"dashboard {link}" if link else f"scheduler {client.scheduler.address}"
        with progress.phase("waiting for cluster workers", detail):
            try:
                client.wait_for_workers(1, timeout=WORKERS_SECONDS)
            except TimeoutError:
                raise IndexWriteError(
                    f"no Dask worker joined the scheduler at {scheduler} within {WORKERS_SECONDS} s; "
                    "the served index is unchanged"
                ) from None
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass(frozen=True)
class _Plan:
    """The articles cut for the cluster: chunks in order, and the chunk numbers of each part."""

    chunks: list[list[Article]]
    parts: list[list[int]]


def _plan(articles: Sequence[Article], parts: int) -> _Plan:
    """Runs of about equal text length, as the forked build cuts them, each in chunks of CHUNK_ARTICLES."""
    chunks: list[list[Article]] = []
    grouped: list[list[int]] = []
    for run in split_by_size(articles, parts):
        numbers = []
        for start in range(0, len(run), CHUNK_ARTICLES):
            numbers.append(len(chunks))
            chunks.append(list(run[start : start + CHUNK_ARTICLES]))
        grouped.append(numbers)
    return _Plan(chunks, grouped)


class _ClusterBuild:
    """One build's tasks on one cluster; the client's side."""

    def __init__(self, client: Client, articles: Sequence[Article], full: bool) -> None:
        self.client = client
        self.full = full
        self.name = uuid.uuid4().hex[:12]  # task keys of this build, apart from any other on the scheduler
        # One part per worker thread: each writes one segment, as each forked process does.
        threads = sum(client.nthreads().values()) or 1
        self.plan = _plan(articles, threads)
        self.total = len(articles)
        self.held = [self._submit("articles", n, _as_is, chunk) for n, chunk in enumerate(self.plan.chunks)]
        self.extracted: list[Future] = []

    def _submit(self, kind: str, number: int, function: Callable[..., T], *args: object) -> Future:
        return self.client.submit(function, *args, key=f"newsfacet-{kind}-{self.name}-{number}", retries=RETRIES)

    def learn_names(self, known: LearnedNames, progress: Progress) -> LearnedNames:
        """The names and spellings the articles teach after ``known``, read on the workers and learned here in order."""
        read = [self._submit("names", n, _names_task, held) for n, held in enumerate(self.held)]
        extractor = extractor_knowing(known.names, known.spellings)
        texts = (names for future in read for names in _result(future, "learning company names"))
        learn_text_names(extractor, progress.track(texts, "learning names", total=self.total))
        return LearnedNames(tuple(extractor.learned.values()), tuple(extractor.spellings))

    def _extract(self, learned: LearnedNames) -> None:
        # Sent once, held on the cluster; every extraction task is given it.
        names = self._submit("learned", 0, _as_is, learned)
        self.extracted = [self._submit("facets", n, _extract_task, held, names) for n, held in enumerate(self.held)]

    def extracted_in_order(self, learned: LearnedNames, progress: Progress) -> Iterator[Article]:
        """Every article with its facets, in order, as the workers finish them."""
        self._extract(learned)
        chunks = (_result(future, "extracting facets") for future in self.extracted)
        return progress.track((a for chunk in chunks for a in chunk), "extracting facets", total=self.total)

    def write_parts(self, parts: GenerationParts, learned: LearnedNames, progress: Progress) -> list[PartWritten]:
        """Each part written as one segment, by a worker that sees the new generation or else here; in order."""
        self._extract(learned)
        writes = [
            self._submit("segment", n, _write_part_task, parts.shared, *(self.extracted[c] for c in chunks))
            for n, chunks in enumerate(self.plan.parts)
        ]
        self._count_extracted(progress)
        plural = "s" if len(writes) != 1 else ""
        with progress.phase("writing segments on the cluster", f"{len(writes)} part{plural}"):
            written = [_result(future, "writing a segment") for future in writes]
        done = []
        for outcome, chunks in zip(written, self.plan.parts, strict=True):
            if outcome is None:  # its worker does not see the index folder: written here, the same segment
                outcome = parts.write(a for c in chunks for a in _result(self.extracted[c], "extracting facets"))
            done.append(outcome)
        return done

    def _count_extracted(self, progress: Progress) -> None:
        """Report the articles extracted as their chunks finish, in whatever order."""
        from distributed import as_completed

        sizes = {future.key: len(chunk) for future, chunk in zip(self.extracted, self.plan.chunks, strict=True)}

        def finished() -> Iterator[None]:
            for future in as_completed(self.extracted):
                _result(future, "extracting facets")
                yield from (None for _ in range(sizes[future.key]))

        for _ in progress.track(finished(), "extracting facets", total=self.total):
            pass


def _result(future: Future, what: str) -> T:
    """The future's result; a task that failed for good is one line, the served index unchanged."""
    try:
        return future.result()
    except NewsfacetError:
        raise
    except Exception as error:
        raise IndexWriteError(
            f"{what} failed on the cluster ({type(error).__name__}: {_one_line(error)}); the served index is unchanged"
        ) from error


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# -- tasks: run on the workers -----------------------------------------------------------------------

# What a worker process keeps between tasks: the extractors are costly to build and the same for a build.
_worker_lock = threading.Lock()
_plain: list[CompanyExtractor] = []
_learned: dict[LearnedNames, CompanyExtractor] = {}  # the latest build's only


def _as_is(value: T) -> T:
    """Hold ``value`` on a worker: sent once, and sent again by the scheduler if that worker dies."""
    return value


def _names_task(articles: list[Article]) -> list[TextNames]:
    """What each article teaches, in order; independent of anything learned before."""
    with _worker_lock:
        if not _plain:
            _plain.append(CompanyExtractor())
        extractor = _plain[0]
    return [extractor.names_in(facet_text(article)) for article in articles]


def _extract_task(articles: list[Article], learned: LearnedNames) -> list[Article]:
    """The articles with their facets, by an extractor that learned ``learned`` as the client's did."""
    with _worker_lock:
        extractor = _learned.get(learned)
        if extractor is None:
            extractor = extractor_knowing(learned.names, learned.spellings)
            _learned.clear()
            _learned[learned] = extractor
    return list(extract_each(articles, extractor))


def _write_part_task(shared: SharedFolder, *chunks: list[Article]) -> PartWritten | None:
    """Write one part's chunks as one segment into the client's folder, or None when it is not visible here."""
    return write_part_if_shared(shared, (article for chunk in chunks for article in chunk))
