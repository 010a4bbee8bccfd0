"""The scale benchmark runs end to end on a tiny corpus shaped like the shared ones."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks import scale as benchmark
from benchmarks.agreement import DATASETTE, GROUPEDBY, HTTP_API, SERVICE, SQLITE, compare, same_counts
from benchmarks.baselines import BaselineAnswer, BaselineQuery
from indexer.errors import IndexNotFoundError

from .paths import DATA


def _tiny_corpora(folder: Path) -> int:
    """The four shared files' shapes (JSON Lines and a CSV without header), from tests/data."""
    articles = []
    for line in (DATA / "articles.jsonl").read_text("utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # the sample file holds a broken line on purpose
        if isinstance(record, dict) and record.get("title") and record.get("body"):
            articles.append(record)
    folder.mkdir()
    for name in ("reuters", "bbc_news", "financial_headlines"):
        with gzip.open(folder / f"{name}.jsonl.gz", "wt", encoding="utf-8") as handle:
            for number, article in enumerate(articles):
                body = f"{article['body']} Reported by {name}."  # each file its own text, nothing folded
                handle.write(json.dumps({**article, "id": f"{name}-{number}", "body": body}) + "\n")
    rows = io.StringIO()
    csv.writer(rows, quoting=csv.QUOTE_ALL).writerows(["3", a["title"], a["body"]] for a in articles)
    with gzip.open(folder / "ag_news_test.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(rows.getvalue())
    return 4 * len(articles)


def test_benchmark_prints_every_figure(tmp_path, capsys):
    data = tmp_path / "data"
    count = _tiny_corpora(data)
    assert (
        benchmark.main(
            ["--data", str(data), "--scaled", "1200", "--rounds", "1", "--no-datasette", "--work", str(tmp_path)]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert f"== real corpora: {count} articles (0 identical copies folded, 0 inputs skipped)" in out
    first = (
        r"^first build without --full: +[0-9.]+ s +[0-9]+ articles/s +[0-9.]+x the time of --full "
        rf"\(full rebuild: {count} added"
    )
    assert len(re.findall(first, out, re.M)) == 1  # the real corpora only
    cluster = r"^full build, --scheduler local, 2 workers: +[0-9.]+ s +[0-9]+ articles/s +[0-9.]+x the built-in"
    assert len(re.findall(cluster, out, re.M)) == 1  # the real corpora only, beside the built-in build
    assert "== scaled 1,200: " in out  # so few real sentences recombine into some identical copies
    for engine in ("newsfacet service", "newsfacet HTTP API", "Whoosh groupedby", "SQLite FTS5 in-process"):
        assert len(re.findall(rf"^{engine} +[0-9.]+ +[0-9.]+ ", out, re.M)) == 2, engine
    assert out.count("peak memory: newsfacet serve") == 2
    assert len(re.findall(r"^search with trend chart vs without: [0-9.]+x ", out, re.M)) == 2
    assert out.count("company pages over HTTP: ") == 2
    measured = len(
        re.findall(r"^company pages over HTTP: [1-3] companies in 100\+ articles \(.*\) x 20 requests$", out, re.M)
    )
    for path in (r"/company/<name> \(HTML\)", "/api/companies/<name>"):
        timed = rf"^  {path} +p50 +[0-9.]+ ms  p95 +[0-9.]+ ms  p95 <= 150 ms: (yes|NO)$"
        assert len(re.findall(timed, out, re.M)) == measured, path
    assert "incremental reindex of 100 changed articles" in out
    assert re.search(r"[1-9][0-9]* visible to the running server", out)
    assert out.count("agreement: engines agree wherever they must") == 2
    # Every query compared between the two faces of newsfacet, and with Whoosh; some browsing with SQLite.
    for pair in (f"{HTTP_API} vs {SERVICE}", f"{GROUPEDBY} vs {SERVICE}"):
        counts = re.findall(rf"^agreement: {pair} \(.*\): ([0-9]+)/([0-9]+) queries$", out, re.M)
        assert len(counts) == 2 and all(agreed == asked != "0" for agreed, asked in counts), pair
    assert re.search(rf"^agreement: {SQLITE} vs {SERVICE} \(browsing.*\): ([1-9][0-9]*)/\1 queries$", out, re.M)


def test_sizes_print_a_row_per_size_and_the_targets(tmp_path, capsys):
    data = tmp_path / "data"
    _tiny_corpora(data)
    # Tiny corpora meet every target but perhaps the build rate, which depends on start-up costs here.
    runs = tmp_path / "runs"
    runs.mkdir()
    code = benchmark.main(["--data", str(data), "--sizes", "1500,600", "--rounds", "1", "--work", str(runs), "--keep"])
    out = capsys.readouterr().out
    (kept,) = runs.iterdir()  # --keep: the indexes stay, to measure their serving again
    assert f"the run's indexes and corpora are kept in {kept}" in out
    assert sorted(path.parent.name for path in kept.glob("sizes-*/index")) == ["sizes-1500", "sizes-600"]
    headings = re.findall(r"^== ([0-9,]+) articles \(scaled corpus written in [0-9]+ s\)$", out, re.M)
    assert headings == ["600", "1,500"]  # smallest first
    assert "Whoosh groupedby" not in out and "SQLite" not in out  # newsfacet alone
    row = r"^ +([0-9,]+): +[0-9]+ s +[0-9]+/s \(([0-9.]+)x\) +[0-9,]+ MB +[0-9,]+ MB +[0-9.]+ s$"
    rows = re.findall(row, out, re.M)
    assert rows[-2:] == [("600", "1.00"), ("1,500", rows[-1][1])]  # the last table: both sizes, against the first
    kinds = re.findall(r"^ {12}(.*)$", out, re.M)[-1]
    for kind in ("keyword", "browse", "broad", "show more", "type-ahead"):  # filtered: when results name companies
        assert re.search(rf"(^|  ){kind} [0-9.]+/[0-9.]+($|  )", kinds), kind
    assert "targets at 1,500 articles:" in out
    checks = re.findall(r"^  (met    |NOT MET) (.*)$", out, re.M)
    assert [line.split()[0] for _, line in checks] == ["build", "worst", "serve", "incremental"]
    assert all(met == "met    " for met, line in checks if not line.startswith("build"))
    assert code == (0 if all(met == "met    " for met, _ in checks) else 1)


def test_sizes_must_be_numbers(tmp_path, capsys):
    with pytest.raises(SystemExit):
        benchmark.main(["--data", str(tmp_path), "--sizes", "50k"])
    assert "not a list of sizes" in capsys.readouterr().err


def test_benchmark_fails_when_engines_that_must_agree_do_not(tmp_path, capsys, monkeypatch):
    honest = benchmark.groupedby_engine

    def one_too_many(*args):
        engine = honest(*args)
        return lambda query: (lambda answer: replace(answer, total=answer.total + 1))(engine(query))

    monkeypatch.setattr(benchmark, "groupedby_engine", one_too_many)
    data = tmp_path / "data"
    _tiny_corpora(data)
    assert (
        benchmark.main(
            ["--data", str(data), "--scaled", "0", "--rounds", "1", "--no-datasette", "--work", str(tmp_path)]
        )
        == 1
    )
    out = capsys.readouterr().out
    assert "agreement: engines DISAGREE" in out
    assert re.search(rf"^  {GROUPEDBY} vs {SERVICE} on .*: total ([0-9]+) vs ", out, re.M)


def test_serving_is_measured_alone_over_an_index_already_built(sample_index, capsys):
    assert benchmark.main(["--serve", str(sample_index.root), "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"^[0-9,]+ articles at {re.escape(str(sample_index.root))}: serve peak [0-9,]+ MB;", out, re.M)
    kinds = out.strip().splitlines()[-1]
    for kind in ("keyword", "browse", "broad", "show more", "type-ahead"):
        assert re.search(rf"(^ *|  ){kind} [0-9.]+/[0-9.]+($|  )", kinds), kind


def test_serving_an_index_that_is_not_there_says_so(tmp_path, capsys):
    assert benchmark.main(["--serve", str(tmp_path / "nowhere")]) == IndexNotFoundError.exit_code
    assert capsys.readouterr().err.startswith(f"benchmark: no index at {tmp_path / 'nowhere'}")


def test_benchmark_says_where_the_corpora_are_missing(tmp_path, capsys):
    assert benchmark.main(["--data", str(tmp_path / "nowhere"), "--no-datasette"]) == 2
    assert "no corpora at" in capsys.readouterr().err


BROWSE = BaselineQuery()
KEYWORD = BaselineQuery("battery")
FILTERED = BaselineQuery("battery", companies=("Acme",))
QUERIES = (BROWSE, KEYWORD, FILTERED)
ANSWER = BaselineAnswer(
    total=3,
    ids=("a", "b", "c"),
    snippets=("<mark>a</mark>", "b", "c"),
    facets={"company": {"Acme": 2, "Beta": 1}, "technology": {"Batteries": 3}, "source": {"Wire": 3}},
)
ENGINES = (SERVICE, HTTP_API, GROUPEDBY, SQLITE, DATASETTE)


def _answers(engines: tuple[str, ...] = (), query: BaselineQuery = BROWSE, **changes) -> dict:
    """Every engine answering every query alike, but ``engines`` answering ``query`` with ``changes``."""
    changed = replace(ANSWER, **changes)
    return {
        engine: [changed if engine in engines and asked == query else ANSWER for asked in QUERIES] for engine in ENGINES
    }


def test_engines_answering_alike_agree():
    agreement = compare(QUERIES, _answers())
    assert agreement.ok
    assert len(agreement.lines) == 6
    assert agreement.report()[-1] == "agreement: engines agree wherever they must"


@pytest.mark.parametrize(
    "engines, query, changes",
    [
        ((HTTP_API,), KEYWORD, {"ids": ("a", "c", "b")}),
        ((HTTP_API,), BROWSE, {"snippets": ("a", "b", "c")}),
        ((HTTP_API,), FILTERED, {"facets": {**ANSWER.facets, "company": {"Beta": 1, "Acme": 2}}}),  # order counts
        ((GROUPEDBY,), FILTERED, {"total": 4}),
        ((GROUPEDBY,), FILTERED, {"facets": {**ANSWER.facets, "source": {"Wire": 2}}}),
        ((SQLITE, DATASETTE), BROWSE, {"total": 2}),
        ((SQLITE, DATASETTE), BROWSE, {"facets": {**ANSWER.facets, "technology": {"Batteries": 2}}}),
        ((DATASETTE,), KEYWORD, {"total": 4}),
        ((DATASETTE,), FILTERED, {"facets": {**ANSWER.facets, "company": {"Acme": 1, "Beta": 1}}}),
    ],
    ids=[
        "api-ids",
        "api-snippets",
        "api-facet-order",
        "groupedby-total",
        "groupedby-facet",
        "sqlite-browse-total",
        "sqlite-browse-facet",
        "datasette-total",
        "datasette-facet",
    ],
)
def test_engines_that_must_agree_and_do_not_fail_the_comparison(engines, query, changes):
    agreement = compare(QUERIES, _answers(engines, query, **changes))
    assert not agreement.ok
    engine = engines[0]  # Datasette perturbed with SQLite still agrees with it
    assert all(line.startswith(f"{engine} vs ") and f" on {query.text!r}" in line for line in agreement.disagreements)
    assert "agreement: engines DISAGREE" in "\n".join(agreement.report())


@pytest.mark.parametrize(
    "engines, query, changes",
    [
        ((GROUPEDBY,), BROWSE, {"ids": ("c", "b", "a")}),  # browsing is not ranked in Whoosh
        ((GROUPEDBY,), KEYWORD, {"ids": ("a", "c", "b")}),  # Whoosh's BM25F, not the service's ranking
        ((GROUPEDBY,), FILTERED, {"facets": {**ANSWER.facets, "company": {"Acme": 3, "Beta": 1}}}),  # its own filter
        ((SQLITE, DATASETTE), KEYWORD, {"total": 7, "ids": ("x", "y", "a")}),  # another tokenizer and ranking
        ((SQLITE, DATASETTE), BROWSE, {"ids": ("c", "b", "a")}),
        ((DATASETTE,), KEYWORD, {"ids": ("c", "b", "a")}),  # Datasette lists keyword hits by rowid
    ],
    ids=[
        "groupedby-browse-ids",
        "groupedby-keyword-ids",
        "groupedby-filtered-facet",
        "sqlite-keywords",
        "sqlite-browse-ids",
        "datasette-ids",
    ],
)
def test_differences_by_design_pass(engines, query, changes):
    agreement = compare(QUERIES, _answers(engines, query, **changes))
    assert agreement.ok, agreement.disagreements


def test_ranked_ids_of_whoosh_are_reported_not_failed():
    agreement = compare(QUERIES, _answers((GROUPEDBY,), KEYWORD, ids=("a", "c", "x")))
    (line,) = [line for line in agreement.lines if line.startswith(f"agreement: {GROUPEDBY} vs {SERVICE} (keywords")]
    assert line.endswith("1/2 queries, top ids overlap 83% (another ranking: informational)")


def test_keyword_totals_of_sqlite_are_reported_not_failed():
    agreement = compare(QUERIES, _answers((SQLITE, DATASETTE), KEYWORD, total=7, ids=("x", "y", "a")))
    (line,) = [line for line in agreement.lines if line.startswith(f"agreement: {SQLITE} vs {SERVICE} (keywords")]
    assert line.endswith("1/2 queries, top ids overlap 67% (different tokenizer and ranking: informational)")


def test_failed_answers_are_left_out_of_the_comparison():
    answers = _answers((HTTP_API,), KEYWORD, total=99)
    answers[HTTP_API][QUERIES.index(KEYWORD)] = None
    agreement = compare(QUERIES, answers)
    assert agreement.ok
    assert f"agreement: {HTTP_API} vs {SERVICE} (total, ids, snippets and facets): 2/2 queries" in agreement.lines


def test_engines_left_out_are_not_compared():
    answers = _answers((DATASETTE,), KEYWORD, total=4)
    del answers[DATASETTE]
    agreement = compare(QUERIES, answers)
    assert agreement.ok and not any(DATASETTE in line for line in agreement.lines)


@pytest.mark.parametrize(
    "counts, reference, agree",
    [
        ({}, {}, True),
        ({"a": 3, "b": 1}, {"b": 1, "a": 3}, True),
        ({"a": 3, "b": 1}, {"a": 3, "c": 1}, True),  # b and c tie at the cut
        ({"a": 3, "b": 1}, {"a": 3, "b": 2}, False),
        ({"a": 3, "b": 1}, {"c": 3, "a": 1}, False),  # same counts, values swapped
        ({"a": 3, "b": 1}, {"c": 3, "b": 1}, False),  # a value above the cut missing
        ({"a": 3}, {"a": 3, "b": 1}, False),
    ],
)
def test_facet_lists_agree_up_to_ties_at_the_cut(counts, reference, agree):
    assert same_counts(counts, reference) is agree
