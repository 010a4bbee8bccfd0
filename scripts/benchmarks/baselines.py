"""Baselines the search benchmark sets our service against, to show whether it earns its keep.

Both serve the same articles and facets from one SQLite file: FTS5 in-process through the
standard library, and Datasette over HTTP, run as a process so this module never imports it.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import sys
import urllib.parse
from collections.abc import Iterable
from contextlib import ExitStack, closing
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

from benchmarks.serving import HOST, Server, serving
from indexer.article import Article

FACET_SIZE = 10  # values per facet in every answer; Datasette is told the same, so answers compare
_ANSWER_FACETS = (("company", "companies"), ("technology", "technologies"), ("source", "source"))  # (name, column)
_ARRAY_FACETS = _ANSWER_FACETS[:2]  # JSON arrays in `articles`, one value a row in `article_facets`

_SCHEMA = (
    # INTEGER PRIMARY KEY: rowids stay put (VACUUM renumbers implicit ones); bodies last: no overflow walks.
    """CREATE TABLE articles (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT, date TEXT,
        companies TEXT NOT NULL, technologies TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL)""",
    "CREATE TABLE article_facets (article INTEGER NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL)",
    # As sqlite-utils' enable_fts writes it; Datasette finds it only with content= quoted.
    "CREATE VIRTUAL TABLE [articles_fts] USING FTS5 ([title], [body], tokenize='porter unicode61', content=[articles])",
)
# After the rows, as building indexes beats maintaining them; one FTS segment for a read-only file.
_FINISH = (
    "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
    "INSERT INTO articles_fts (articles_fts) VALUES ('optimize')",
    "CREATE INDEX article_facets_value ON article_facets (facet, value)",
    "CREATE INDEX article_facets_article ON article_facets (article)",
    "CREATE INDEX articles_date ON articles (date)",
    "CREATE INDEX articles_source ON articles (source)",  # counts the source facet of everything
    "ANALYZE",
)
_MATCH_ROWIDS = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
_FACET_ROWIDS = "SELECT article FROM article_facets WHERE facet = ? AND value = ?"
# Snippets only for the hits the inner query keeps; `+rowid` stops one FTS lookup per filtered article.
_BEST_SQL = """SELECT articles.id, snippet(articles_fts, 1, '<mark>', '</mark>', '…', 30)
    FROM articles_fts JOIN articles ON articles.rowid = articles_fts.rowid
    WHERE articles_fts MATCH ? AND articles_fts.rowid IN (
        SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? AND {filtered} ORDER BY rank LIMIT ?)
    ORDER BY articles_fts.rank"""
_NEWEST_SQL = "SELECT id FROM articles WHERE {filtered} ORDER BY date DESC, rowid DESC LIMIT ?"
_ARRAY_FACET_SQL = f"""SELECT value, count(*) FROM article_facets WHERE facet = ? AND {{matching}}
    GROUP BY value ORDER BY count(*) DESC, value LIMIT {FACET_SIZE}"""
_SOURCE_FACET_SQL = f"""SELECT source, count(*) FROM articles WHERE source IS NOT NULL AND {{matching}}
    GROUP BY source ORDER BY count(*) DESC, source LIMIT {FACET_SIZE}"""


@dataclass(frozen=True)
class BaselineArticle:
    """An article reduced to what the baselines store; ``date`` is ISO 8601 text."""

    id: str
    title: str
    body: str
    source: str | None
    date: str | None
    companies: tuple[str, ...]
    technologies: tuple[str, ...]


@dataclass(frozen=True)
class BaselineQuery:
    """Keywords (empty: browse everything newest first) and facet values all required."""

    text: str = ""
    companies: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()


@dataclass(frozen=True)
class BaselineAnswer:
    """What an engine answered, in a shape every engine can fill, so the benchmark can compare them.

    ``total``: the number of matches. ``ids``: top hits, by bm25 for keywords in SQLite but by
    rowid in Datasette, whose table view filters by a search without ranking by it.
    ``facets``: the top ``FACET_SIZE`` "company", "technology" and "source" values over all
    matches, by count then value (newsfacet's answers add its other facets). ``snippets``: the
    hits' highlighted passages, in order, from engines that make them.
    """

    total: int
    ids: tuple[str, ...]
    facets: dict[str, dict[str, int]]
    snippets: tuple[str, ...] = ()


def baseline_article(article: Article) -> BaselineArticle:
    """Our article as the baselines store it; its UTC date in one fixed-width form sorts as text."""
    date = article.date.isoformat(timespec="seconds") if article.date else None
    return BaselineArticle(
        id=article.id,
        title=article.title,
        body=article.body,
        source=article.source,
        date=date,
        companies=tuple(article.companies),
        technologies=tuple(article.technologies),
    )


def write_sqlite(path: str | PathLike[str], articles: Iterable[BaselineArticle]) -> None:
    """Write, in one transaction, the one SQLite file both baselines read.

    Facet values are JSON arrays in ``articles`` (what Datasette facets and filters on) and rows
    of ``article_facets``. A failed write leaves no file; an existing file is refused, not
    replaced, so two corpora never mix and nobody's data is lost.
    """
    target = Path(path)
    if target.exists():
        raise FileExistsError(f"{target} already exists; write the baseline database to a new path")
    article_rows, facet_rows = _rows(articles)
    try:
        with closing(sqlite3.connect(target, isolation_level=None)) as connection:
            connection.execute("BEGIN")
            for statement in _SCHEMA:
                connection.execute(statement)
            connection.executemany("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", article_rows)
            connection.executemany("INSERT INTO article_facets VALUES (?, ?, ?)", facet_rows)
            for statement in _FINISH:
                connection.execute(statement)
            connection.execute("COMMIT")
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _rows(articles: Iterable[BaselineArticle]) -> tuple[list[tuple[Any, ...]], list[tuple[int, str, str]]]:
    """Rows of ``articles`` and of ``article_facets``; a value repeated in one article counts once."""
    article_rows: list[tuple[Any, ...]] = []
    facet_rows: list[tuple[int, str, str]] = []
    for rowid, article in enumerate(articles, start=1):
        values = {name: tuple(dict.fromkeys(getattr(article, column))) for name, column in _ARRAY_FACETS}
        arrays = (json.dumps(values[name], ensure_ascii=False) for name, _ in _ARRAY_FACETS)
        article_rows.append((rowid, article.id, article.source, article.date, *arrays, article.title, article.body))
        facet_rows.extend((rowid, name, value) for name, _ in _ARRAY_FACETS for value in values[name])
    return article_rows, facet_rows


def _match_expression(text: str) -> str | None:
    """Each word as an FTS5 phrase, so no word is ever read as query syntax; None for no words."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in text.split()) or None


def _within(column: str, rowids: str | None) -> str:
    """A condition keeping ``column`` among ``rowids``; always true when nothing narrows the set."""
    return f"{column} IN ({rowids})" if rowids else "1"


class SqliteFts5Baseline:
    """Keyword and faceted search straight from SQLite FTS5: the cheapest engine to beat.

    Matches are an INTERSECT of the keyword's and each required facet value's articles.
    """

    def __init__(self, path: str | PathLike[str]) -> None:
        # Read-only, so a benchmark can never change the file the other baseline serves.
        self._connection = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)

    def search(self, query: BaselineQuery, limit: int = 10) -> BaselineAnswer:
        """Total, top ``limit`` hits (bm25 for keywords, newest first otherwise) and facets."""
        match = _match_expression(query.text)
        pairs = [(name, value) for name, column in _ARRAY_FACETS for value in getattr(query, column)]
        filtered = " INTERSECT ".join([_FACET_ROWIDS] * len(pairs)) or None
        filter_params = [item for pair in pairs for item in pair]
        matching = " INTERSECT ".join(part for part in (_MATCH_ROWIDS if match else None, filtered) if part) or None
        params = ([match] if match else []) + filter_params
        if match:
            best = self._rows(
                _BEST_SQL.format(filtered=_within("+rowid", filtered)), [match, match, *filter_params, limit]
            )
            ids, snippets = tuple(row[0] for row in best), tuple(row[1] for row in best)
        else:
            newest = self._rows(_NEWEST_SQL.format(filtered=_within("rowid", filtered)), [*filter_params, limit])
            ids, snippets = tuple(row[0] for row in newest), ()
        total = self._rows(f"SELECT count(*) FROM ({matching or 'SELECT rowid FROM articles'})", params)[0][0]
        return BaselineAnswer(total=total, ids=ids, facets=self._facets(matching, params), snippets=snippets)

    def ranked_ids(self, text: str, limit: int, weights: tuple[float, float] = (1.0, 1.0)) -> tuple[str, ...]:
        """Ids of the ``limit`` best matches of every word in ``text``, by FTS5's bm25 with these
        (title, body) column weights, ties in row order: the ranking the evaluation sets ours against."""
        match = _match_expression(text)
        if match is None:
            return ()
        sql = f"""SELECT articles.id FROM articles_fts JOIN articles ON articles.rowid = articles_fts.rowid
            WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, {float(weights[0])}, {float(weights[1])}),
            articles_fts.rowid LIMIT ?"""
        return tuple(row[0] for row in self._rows(sql, [match, limit]))

    def _facets(self, matching: str | None, params: list[str]) -> dict[str, dict[str, int]]:
        facets = {
            name: dict(self._rows(_ARRAY_FACET_SQL.format(matching=_within("article", matching)), [name, *params]))
            for name, _ in _ARRAY_FACETS
        }
        facets["source"] = dict(self._rows(_SOURCE_FACET_SQL.format(matching=_within("rowid", matching)), params))
        return facets

    def _rows(self, sql: str, params: list[Any]) -> list[Any]:
        return self._connection.execute(sql, params).fetchall()

    def close(self) -> None:
        self._connection.close()


class DatasetteBaseline:
    """The same file served by Datasette, asked over HTTP as any client would.

    Entering starts ``python -m datasette`` on a free loopback port and waits until it answers;
    leaving stops it. ``time_limit_ms`` bounds each SQL query and facet (the defaults, 1 s and
    0.2 s, leave answers on a large corpus incomplete); facet suggestions, unneeded, are off.
    """

    def __init__(self, path: str | PathLike[str], time_limit_ms: int = 10_000, startup_timeout: float = 60.0) -> None:
        self._path = Path(path).resolve()
        self._time_limit_ms = time_limit_ms
        self._startup_timeout = startup_timeout
        self._running = ExitStack()
        self._server: Server | None = None
        self._table_path = ""
        self._client: KeepAliveClient | None = None

    @property
    def pid(self) -> int:
        """The server's process id, for a benchmark to read its memory."""
        if self._server is None:
            raise RuntimeError("Datasette is not running; use DatasetteBaseline as a context manager")
        return self._server.pid

    def __enter__(self) -> DatasetteBaseline:
        settings = {
            "sql_time_limit_ms": self._time_limit_ms,
            "facet_time_limit_ms": self._time_limit_ms,
            "default_facet_size": FACET_SIZE,
            "suggest_facets": "off",
        }
        options = [word for item in settings.items() for word in ("--setting", *map(str, item))]
        with ExitStack() as starting:
            server = starting.enter_context(
                serving(
                    lambda port: [
                        sys.executable,
                        "-m",
                        "datasette",
                        "serve",
                        str(self._path),
                        "--host",
                        HOST,
                        "--port",
                        str(port),
                        *options,
                    ],
                    "/.json",
                    name=f"Datasette serving {self._path}",
                    startup_timeout=self._startup_timeout,
                )
            )
            # Count, rows and facets may each take up to the time limit.
            client = KeepAliveClient(server.base, timeout=5 * self._time_limit_ms / 1000 + 30)
            starting.callback(client.close)
            # The database's URL path, as the server lists it: Datasette names and encodes it.
            self._table_path = f"{next(iter(client.get_json('/.json').values()))['path']}/articles.json"
            self._running = starting.pop_all()
        self._server, self._client = server, client
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server = self._client = None
        self._running.close()

    def search(self, query: BaselineQuery, limit: int = 10) -> BaselineAnswer:
        """The table view's JSON for the query, with only the id column: the answer needs no more.

        A repeated ``companies__arraycontains=`` requires every value, as our filters do. Datasette
        drops a count or facet that ran out of time, unlisted in its JSON: such answers are refused.
        """
        params = [
            *(("_facet_array", column) for _, column in _ARRAY_FACETS),
            ("_facet", "source"),
            ("_size", str(limit)),
            ("_shape", "objects"),
            ("_col", "id"),
            ("_search", query.text) if query.text.strip() else ("_sort_desc", "date"),
            *((f"{column}__arraycontains", value) for _, column in _ARRAY_FACETS for value in getattr(query, column)),
        ]
        url = f"{self._table_path}?{urllib.parse.urlencode(params)}"
        if self._client is None:
            raise RuntimeError("Datasette is not running; use DatasetteBaseline as a context manager")
        data = self._client.get_json(url)
        results = data["facet_results"]  # the JSON of Datasette 0.65
        missing = [column for _, column in _ANSWER_FACETS if column not in results]
        if data["filtered_table_rows_count"] is None or missing:
            raise RuntimeError(f"Datasette ran out of time for the count or the facets {missing} of {url}")
        return BaselineAnswer(
            total=data["filtered_table_rows_count"],
            ids=tuple(row["id"] for row in data["rows"]),
            facets={
                name: {str(item["value"]): item["count"] for item in results[column]["results"]}
                for name, column in _ANSWER_FACETS
            },
        )


class KeepAliveClient:
    """GETs JSON (or a page) over one persistent HTTP/1.1 connection, as a browser reuses its connection.

    Every HTTP engine in the benchmark is asked through one of these, so none pays for
    a new connection per query and the figures compare the servers, not the client.
    """

    def __init__(self, base: str, timeout: float = 120.0) -> None:
        parts = urllib.parse.urlsplit(base)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def get_json(self, path: str) -> Any:
        return json.loads(self.get(path))

    def get(self, path: str) -> bytes:
        """The body of a 200 answer; any other status raises :class:`RuntimeError`."""
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
            try:
                self._connection.request("GET", path)
                response = self._connection.getresponse()
                body = response.read()
            except (http.client.HTTPException, ConnectionError):
                self.close()  # the server closed an idle connection: once more on a new one
                if attempt == 2:
                    raise
                continue
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}: {body[:1000].decode('utf-8', 'replace')}")
            return body
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
