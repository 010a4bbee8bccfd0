import subprocess

import pytest

from benchmarks.suggest import Suggestion, suggest_terms

from .paths import DATA, PROJECT

MUSIC_NEWS = [
    "Digital music grows\nDigital music sales rose as pocket players got cheaper. Pocket players lead.",
    "Downloads\nDigital music and online music stores help pocket players sell.",
    "Digital music\nPocket players and digital music downloads are everywhere.",
    "Rates held\nThe central bank held interest rates steady.",
]


def test_suggests_phrases_used_where_the_technology_is_tagged():
    suggestions = suggest_terms(MUSIC_NEWS, min_count=3, limit=5)
    assert [(s.phrase, s.count, s.related) for s in suggestions] == [("pocket players", 4, "Digital music")]
    assert all(isinstance(s, Suggestion) and s.score > 0 for s in suggestions)


def test_known_terms_are_not_suggested():
    assert all("digital music" not in s.phrase for s in suggest_terms(MUSIC_NEWS, min_count=2, limit=20))


def test_script_prints_a_table(tmp_path):
    completed = subprocess.run(
        [PROJECT / "scripts" / "suggest-technologies", DATA / "articles.jsonl", "--min-count", "1", "--limit", "3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[0] == "phrase\tcount\tscore\trelated technology"
    assert "skipped" in completed.stderr  # the sample file's broken lines are reported


def test_benchmark_reports_rates_against_the_baseline():
    from benchmarks.extraction import benchmark_extract
    from indexer.ingest.files import read_articles

    figures = benchmark_extract(list(read_articles([DATA / "articles.jsonl"]).articles), rounds=1)
    assert figures["articles"] == 4
    assert figures["extract_per_s"] > 0 and figures["tokenize_per_s"] > 0
    assert figures["ratio"] == pytest.approx(figures["tokenize_per_s"] / figures["extract_per_s"])
