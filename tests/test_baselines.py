"""The benchmark's baselines: SQLite FTS5 in-process, and Datasette over HTTP, on one real file."""

import os
import sqlite3
from datetime import UTC, datetime

import pytest

from benchmarks.baselines import (
    BaselineAnswer,
    BaselineArticle,
    BaselineQuery,
    DatasetteBaseline,
    SqliteFts5Baseline,
    baseline_article,
    write_sqlite,
)
from indexer.article import Article

ARTICLES = (
    BaselineArticle(
        "acme-battery",
        "Acme unveils a solid-state battery",
        "Acme says the battery charges in ten minutes. The battery uses a ceramic electrolyte.",
        "Wire",
        "2024-05-01T08:00:00+00:00",
        ("Acme",),
        ("Solid-state batteries",),
    ),
    BaselineArticle(
        "beta-battery",
        "Beta Motors picks a supplier",
        "Beta Motors will buy battery packs from Acme for its electric vans.",
        "Daily",
        "2024-04-01T08:00:00+00:00",
        ("Beta Motors", "Acme"),
        ("Electric vehicles", "Lithium-ion batteries"),
    ),
    BaselineArticle(
        "gamma-solar",
        "Gamma builds a solar farm",
        "Gamma's solar farm will feed a battery store at night. The plant opens next year, after a "
        "long review of the grid connection and of the permits. Gamma expects its first power in spring.",
        "Wire",
        "2024-03-01T08:00:00+00:00",
        ("Gamma",),
        ("Solar power", "Grid storage"),
    ),
    BaselineArticle(
        "acme-results",
        "Acme reports results",
        "Acme grew its revenue by ten percent.",
        "Daily",
        "2024-06-01T08:00:00+00:00",
        ("Acme", "Acme"),
        (),
    ),
    BaselineArticle(
        "delta-ai",
        "Delta trains a language model",
        "Delta says its model explains the OR gate and AND logic.",
        None,
        "2024-02-01T08:00:00+00:00",
        ("Delta",),
        ("Artificial intelligence",),
    ),
    BaselineArticle(
        "undated",
        "A note without a date",
        "An undated note about Gamma and Delta.",
        "Blog",
        None,
        ("Gamma", "Delta"),
        (),
    ),
)
BATTERY = BaselineQuery("battery")
BATTERY_AT_ACME = BaselineQuery("battery", companies=("Acme",))
BROWSE = BaselineQuery()
HOSTILE = BaselineQuery('"AND" OR * (')
TWO_COMPANIES = BaselineQuery(companies=("Acme", "Beta Motors"), technologies=("Electric vehicles",))


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("baselines") / "articles.db"
    write_sqlite(path, ARTICLES)
    return str(path)


@pytest.fixture
def fts(database):
    baseline = SqliteFts5Baseline(database)
    yield baseline
    baseline.close()


def test_keyword_query_ranks_by_bm25_with_snippets_and_facets(fts):
    assert fts.search(BATTERY) == BaselineAnswer(
        total=3,
        ids=("acme-battery", "beta-battery", "gamma-solar"),
        facets={
            "company": {"Acme": 2, "Beta Motors": 1, "Gamma": 1},
            "technology": {
                "Electric vehicles": 1,
                "Grid storage": 1,
                "Lithium-ion batteries": 1,
                "Solar power": 1,
                "Solid-state batteries": 1,
            },
            "source": {"Wire": 2, "Daily": 1},
        },
        snippets=(
            "Acme says the <mark>battery</mark> charges in ten minutes. The <mark>battery</mark> uses a "
            "ceramic electrolyte.",
            "Beta Motors will buy <mark>battery</mark> packs from Acme for its electric vans.",
            "Gamma's solar farm will feed a <mark>battery</mark> store at night. The plant opens next "
            "year, after a long review of the grid connection and of the permits. Gamma expects…",
        ),
    )


def test_keyword_query_with_a_company_filter(fts):
    answer = fts.search(BATTERY_AT_ACME)
    assert (answer.total, answer.ids) == (2, ("acme-battery", "beta-battery"))
    assert answer.facets == {
        "company": {"Acme": 2, "Beta Motors": 1},
        "technology": {"Electric vehicles": 1, "Lithium-ion batteries": 1, "Solid-state batteries": 1},
        "source": {"Daily": 1, "Wire": 1},
    }


def test_filters_require_every_value(fts):
    assert fts.search(TWO_COMPANIES) == BaselineAnswer(
        total=1,
        ids=("beta-battery",),
        facets={
            "company": {"Acme": 1, "Beta Motors": 1},
            "technology": {"Electric vehicles": 1, "Lithium-ion batteries": 1},
            "source": {"Daily": 1},
        },
    )


def test_browse_lists_everything_newest_first_undated_last(fts):
    assert fts.search(BROWSE) == BaselineAnswer(
        total=6,
        ids=("acme-results", "acme-battery", "beta-battery", "gamma-solar", "delta-ai", "undated"),
        facets={
            "company": {"Acme": 3, "Delta": 2, "Gamma": 2, "Beta Motors": 1},
            "technology": {
                "Artificial intelligence": 1,
                "Electric vehicles": 1,
                "Grid storage": 1,
                "Lithium-ion batteries": 1,
                "Solar power": 1,
                "Solid-state batteries": 1,
            },
            "source": {"Daily": 2, "Wire": 2, "Blog": 1},
        },
    )
    assert fts.search(BROWSE, limit=2).ids == ("acme-results", "acme-battery")


def test_query_syntax_in_the_words_is_only_words(fts):
    answer = fts.search(HOSTILE)  # the words "and" and "or"; `*` and `(` hold no word at all
    assert (answer.total, answer.ids) == (1, ("delta-ai",))


@pytest.mark.parametrize(
    "text",
    [
        "NEAR(battery acme)",
        "title:battery",
        '"unbalanced',
        "battery*",
        "-acme",
        "^battery",
        "a AND",
        "*",
        "(",
        '""',
        "x'); DROP TABLE articles; --",
    ],
)
def test_no_text_is_an_fts_syntax_error(fts, text):
    fts.search(BaselineQuery(text))


def test_baseline_article_from_ours():
    article = Article(
        id="a/1",
        title="T",
        body="B",
        date=datetime(2024, 5, 1, 8, 30, tzinfo=UTC),
        source="Wire",
        companies=("Acme",),
        technologies=("Solar power",),
    )
    assert baseline_article(article) == BaselineArticle(
        "a/1", "T", "B", "Wire", "2024-05-01T08:30:00+00:00", ("Acme",), ("Solar power",)
    )
    assert baseline_article(Article(id="b", title="T", body="B")).date is None


def test_write_sqlite_refuses_an_existing_file(database):
    with pytest.raises(FileExistsError):
        write_sqlite(database, ARTICLES[:1])


def test_a_failed_write_leaves_no_file(tmp_path):
    path = tmp_path / "broken.db"
    with pytest.raises(sqlite3.IntegrityError):
        write_sqlite(path, [ARTICLES[0], ARTICLES[0]])
    assert not path.exists()


@pytest.fixture(scope="module")
def datasette(database):
    pytest.importorskip("datasette", reason="Datasette is not installed (pip install datasette) to compare with")
    with DatasetteBaseline(database) as server:
        yield server
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.pid  # the property raises once the server has stopped


@pytest.mark.parametrize(
    "query",
    [BATTERY, BATTERY_AT_ACME, BROWSE, HOSTILE, TWO_COMPANIES],
    ids=["keyword", "keyword+company", "browse", "fts-syntax", "two-companies"],
)
def test_datasette_agrees_with_sqlite(datasette, fts, query):
    ours, theirs = fts.search(query), datasette.search(query)
    assert (theirs.total, set(theirs.ids), theirs.facets) == (ours.total, set(ours.ids), ours.facets)
    if not query.text:  # both sort by date; Datasette ranks no keyword query, so only browsing orders alike
        assert theirs.ids == ours.ids
    assert theirs.snippets == ()


def test_datasette_runs_as_its_own_process(datasette):
    assert datasette.pid != os.getpid()
    os.kill(datasette.pid, 0)  # raises if no such process
