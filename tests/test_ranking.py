"""Relevance ranking: each thing it weighs shown by a whole ranking on a real index, and the
measures the ranking evaluation reports."""

from __future__ import annotations

import gzip
import json

import pytest

from benchmarks.ranking import (
    FTS5,
    NEWSFACET,
    average_precision,
    main,
    ndcg_at,
    precision_at,
    read_queries,
    run,
)
from indexer.index.schema import BODY_FIELD, build_schema
from indexer.index.store import IndexStore
from indexer.reindex import reindex
from indexer.search.query import QueryParser
from indexer.search.ranking import QueryTerm, indexed_words, made_from_body, query_parts, query_terms
from indexer.search.request import SearchRequest
from indexer.search.service import SearchService

from .paths import DATA, SHARED

STORIES = DATA / "ranking.jsonl"


@pytest.fixture(scope="module")
def ranked(tmp_path_factory):
    """The ids of a query's results in order, over a real index of tests/data/ranking.jsonl."""
    store = IndexStore(tmp_path_factory.mktemp("ranking") / "index")
    reindex([STORIES], store, full=True)
    service = SearchService(store)

    def ids(text: str, **request) -> list[str]:
        return [hit.id.removeprefix("ranking/") for hit in service.search(SearchRequest(text, **request)).hits]

    yield ids
    service.close()


def test_a_title_match_ranks_above_a_body_match(ranked):
    assert ranked("copper") == ["copper-title", "copper-body", "lead-prices"]


def test_words_next_to_each_other_rank_above_the_same_words_apart(ranked):
    # Same words, counts and lengths; only "palm oil" side by side tells them apart.
    assert ranked("palm oil") == ["palm-together", "palm-apart"]


def test_a_word_inside_a_company_name_counts_as_the_name(ranked):
    # "Nippon Steel" says steel three times, in the title too; the others are about steel.
    assert ranked("steel") == ["steel-output", "steel-plate", "steel-imports", "steel-nippon"]


def test_a_query_naming_the_company_finds_it_first(ranked):
    assert ranked("nippon steel") == ["steel-nippon"]


def test_a_title_made_from_the_first_sentence_is_not_a_headline(ranked):
    # nickel-made has no headline: ingest made its title from the sentence that opens the body.
    assert ranked("nickel") == ["nickel-mine", "nickel-made"]


def test_feedback_prefers_the_sense_the_best_matches_share(ranked):
    # The metal stories share "zinc", "metal" and "exchange"; a poll lead and a leading toy
    # maker, with "lead" in as short a title, rank after them.
    assert ranked("lead") == ["lead-prices", "lead-mine", "lead-smelter", "lead-toys", "lead-poll"]


def test_a_technology_the_query_names_ranks_its_articles_first(ranked):
    # Identical but for where "batteries" stands: only the subject article is filed under Batteries.
    assert ranked("batteries") == ["battery-subject", "battery-passing"]


def test_pages_continue_the_first_page(ranked):
    pages = [ranked("lead", per_page=2, page=page) for page in (1, 2, 3)]
    assert [hit for page in pages for hit in page] == ranked("lead", per_page=10)


def test_words_under_not_are_not_ranked(ranked):
    assert ranked("lead NOT poll") == ["lead-prices", "lead-mine", "lead-smelter", "lead-toys"]
    assert ranked("lead", sort="newest")[-1] == "lead-prices"  # undated: in index order, not by relevance


def test_query_terms_are_the_wanted_words_with_their_boosts():
    parse = QueryParser().parse
    assert query_terms(parse("palm oil NOT crude")) == (
        QueryTerm("title", "palm"),
        QueryTerm("body", "palm"),
        QueryTerm("title", "oil"),
        QueryTerm("body", "oil"),
    )
    assert query_terms(parse("title:copper^2")) == (QueryTerm("title", "copper", 2.0),)
    assert query_terms(parse("company:Acme")) == ()


def test_each_part_a_match_must_have_counts_once():
    parse = QueryParser().parse
    palm, oil = (
        (QueryTerm("title", "palm"), QueryTerm("body", "palm")),
        (QueryTerm("title", "oil"), QueryTerm("body", "oil")),
    )
    assert query_parts(parse("palm oil NOT crude")) == (palm, oil)
    assert query_parts(parse("palm OR oil")) == (palm + oil,)  # either will do: one part
    assert query_parts(parse("(palm oil)^2")) == tuple(
        tuple(QueryTerm(t.field, t.text, 2.0) for t in p) for p in (palm, oil)
    )


def test_words_are_split_as_the_index_splits_them():
    text = STORIES.read_text("utf-8") + " Don't re-index U.S. 2.10 dlrs; I/O at 9am, naïve café."
    analyzer = build_schema()[BODY_FIELD].analyzer
    assert indexed_words(text) == tuple(token.text for token in analyzer(text))


@pytest.mark.parametrize(
    "title, body, made",
    [
        ("Nickel prices were quoted at 2.10 dlrs", "Nickel prices were quoted at 2.10 dlrs a lb.", True),
        ("Prices rose sharply in the", "In a move aimed at traders, prices\nrose sharply in the morning.", True),
        ("Mine expansion approved", "The board approved the expansion of its mine.", False),
        ("", "Nickel prices were quoted.", False),
        ("Long sentence cut…", "Long sentence cut at a word boundary.", True),
    ],
)
def test_a_title_made_from_the_body_is_recognised(title, body, made):
    assert made_from_body(title, body) is made


def test_measures_on_a_hand_made_ranking():
    # Relevant at ranks 1, 3 and 6 of the results; 4 relevant stories in all.
    relevance = [True, False, True, False, False, True, False, False, False, False, True]
    assert precision_at(relevance) == pytest.approx(0.3)
    assert precision_at([True, True]) == pytest.approx(0.2)  # missing results count as misses
    ideal = 1 + 1 / 1.584962500721156 + 1 / 2 + 1 / 2.321928094887362
    assert ndcg_at(relevance, 4) == pytest.approx((1 + 1 / 2 + 1 / 2.807354922057604) / ideal)
    assert ndcg_at([True, True], 2) == pytest.approx(1.0)
    assert ndcg_at([False], 0) == 0.0
    assert average_precision(relevance, 4) == pytest.approx((1 + 2 / 3 + 3 / 6 + 4 / 11) / 4)
    assert average_precision(relevance, 8) == pytest.approx((1 + 2 / 3 + 3 / 6 + 4 / 11) / 8)
    assert average_precision([False], 0) == 0.0


def test_evaluation_reads_topics_and_prints_both_engines(tmp_path, capsys):
    """The whole evaluation on stories whose topics the test gives them."""
    topics = {
        "lead-prices": ["lead"],
        "lead-mine": ["lead", "zinc"],
        "lead-smelter": ["lead"],
        "copper-title": ["copper"],
    }
    stories = tmp_path / "stories.jsonl.gz"
    with gzip.open(stories, "wt", encoding="utf-8") as handle:
        for line in STORIES.read_text("utf-8").splitlines():
            record = json.loads(line)
            handle.write(json.dumps({**record, "topics": topics.get(record["id"], [])}) + "\n")
    queries = tmp_path / "queries.tsv"
    queries.write_text("query\treuters_topic\nlead\tlead\ncopper\tcopper\n", encoding="utf-8")
    assert read_queries(queries)[0].topic == "lead"

    assert main([str(queries), "--stories", str(stories), "--no-timing"]) == 0
    printed = capsys.readouterr().out
    assert "| lead | lead | 3 | 0.30 |" in printed and "newsfacet - FTS5: P@10" in printed

    assert main([str(queries), "--stories", str(stories), "--no-timing", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["stories"] == 17 and report["queries"] == 2
    lead = report["results"][0]
    assert (lead["relevant"], lead[NEWSFACET]["p10"], lead[NEWSFACET]["ap"]) == (3, 0.3, 1.0)
    assert report["means"][NEWSFACET]["p10"] == pytest.approx(0.2)
    assert set(report["means"]) == {NEWSFACET, FTS5}


@pytest.mark.skipif(
    not (SHARED / "data" / "reuters.jsonl.gz").is_file() or not (SHARED / "eval" / "ranking-dev.tsv").is_file(),
    reason="needs ../shared/data/reuters.jsonl.gz and ../shared/eval/ranking-dev.tsv (the shared corpora) "
    "beside the project",
)
def test_newsfacet_ranks_reuters_topics_better_than_sqlite_fts5():
    """The first 4,000 Reuters stories (about 25 s to index): the full run is scripts/evaluate-ranking."""
    report = run(
        SHARED / "eval" / "ranking-dev.tsv",
        SHARED / "data" / "reuters.jsonl.gz",
        index=None,
        limit=4000,
        depth=100,
        timing=False,
    )
    assert len(report.results) == 30
    assert report.means()[NEWSFACET]["p10"] > report.means()[FTS5]["p10"]
