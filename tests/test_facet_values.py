"""The company facet value report: each measure on hand-made records, and whole runs on small samples."""

import gzip
import json
import subprocess
from datetime import UTC, datetime
from itertools import islice

import pytest

from benchmarks.facet_values import (
    WATCH_LIST,
    ArticleValues,
    Fragment,
    all_caps_values,
    bare_form,
    common_word_values,
    format_report,
    fragments,
    gec_filed_as_general_electric,
    is_all_caps,
    joined_known_values,
    joined_values,
    load_common_words,
    load_company_names,
    main,
    measure,
    names_british_gec_only,
    names_gec_only,
    occurrence_count,
    pair_count,
    possessive_values,
    possessives_with_bare_form,
    single_article_values,
    spelling_groups,
    spelling_key,
    unlisted,
    value_articles,
    watch_list_counts,
    words,
)

from .paths import DATA, PROJECT

# Found as the report finds it: ../shared/data beside the project.
SHARED_DATA = PROJECT.parent / "shared" / "data"
REUTERS = SHARED_DATA / "reuters.jsonl.gz"
SAMPLE_SIZE = 1500

COUNT_KEYS = {
    "articles",
    "distinct_values",
    "single_article_values",
    "spelling_groups",
    "spelling_pairs",
    "spelling_groups_ignoring_spaces",
    "spelling_pairs_ignoring_spaces",
    "possessive_values",
    "possessive_values_with_bare_form",
    "joined_values",
    "joined_known_values",
    "all_caps_values",
    "fragment_occurrences",
    "value_occurrences",
    "common_word_values",
    "common_word_occurrences",
    "unlisted_common_word_values",
    "unlisted_common_word_occurrences",
    "gec_filed_as_general_electric",
    "gec_plc_filed_as_general_electric",
}


def record(article: str, *companies: str, year: int | None = 2005) -> ArticleValues:
    date = datetime(year, 3, 2, tzinfo=UTC) if year else None
    return ArticleValues(article, date, companies)


# 1. Values and their articles.


def test_value_articles_and_single_article_values():
    records = [record("a", "Sony", "Toyota"), record("b", "Sony", "Sony"), record("c")]
    by_value = value_articles(records)
    assert by_value == {"Sony": frozenset({"a", "b"}), "Toyota": frozenset({"a"})}
    assert single_article_values(by_value) == ("Toyota",)
    assert occurrence_count(records) == 3  # Sony listed twice by b counts once


# 2. Spellings.


@pytest.mark.parametrize(
    "value, key, key_without_spaces",
    [
        ("Kidder, Peabody", "kidder peabody", "kidderpeabody"),
        ("AT&T", "att", "att"),
        ("AT & T", "at t", "att"),
        ("U.S.  Air", "us air", "usair"),
        ("Nestlé", "nestlé", "nestlé"),
        ("&", "", ""),
    ],
)
def test_spelling_key(value, key, key_without_spaces):
    assert spelling_key(value) == key
    assert spelling_key(value, ignore_spaces=True) == key_without_spaces


def test_spelling_groups_need_more_than_one_spelling():
    values = ["Kidder Peabody", "Kidder, Peabody", "KIDDER PEABODY", "TimeWarner", "Time Warner", "Sony", "&", "+"]
    assert spelling_groups(values) == (("KIDDER PEABODY", "Kidder Peabody", "Kidder, Peabody"),)
    assert spelling_groups(values, ignore_spaces=True) == (
        ("KIDDER PEABODY", "Kidder Peabody", "Kidder, Peabody"),
        ("Time Warner", "TimeWarner"),
    )


@pytest.mark.parametrize("groups, pairs", [((), 0), ((("a", "b"),), 1), ((("a", "b", "c"), ("d", "e")), 4)])
def test_pair_count(groups, pairs):
    assert pair_count(groups) == pairs


# 3. Possessives.


@pytest.mark.parametrize(
    "value, possessive",
    [
        ("Moody's", True),
        ("MOODY'S", True),
        ("Citicorp’s", True),
        ("Sears'", True),
        ("Sears’", True),
        ("Swiss", False),
        ("Reuters", False),
        ("O'Sullivan", False),
        ("Toys 'R' Us", False),
    ],
)
def test_possessive_values(value, possessive):
    assert possessive_values([value]) == ((value,) if possessive else ())


@pytest.mark.parametrize("value, bare", [("Citicorp's", "Citicorp"), ("Sears'", "Sears"), ("Dow’s", "Dow")])
def test_bare_form(value, bare):
    assert bare_form(value) == bare


def test_possessives_with_bare_form():
    assert possessives_with_bare_form(["Citicorp's", "Citicorp", "Moody's", "Sears'", "Sears"]) == (
        "Citicorp's",
        "Sears'",
    )


# 4. Joined values.


def test_joined_values():
    values = [
        "Sony and Toyota",
        "Procter & Gamble",
        "Johnson AND Johnson",
        "AT&T",
        "Anderson Group",
        "Standard and",
        "Sony",
        "Toyota",
    ]
    assert joined_values(values) == ("Johnson AND Johnson", "Procter & Gamble", "Sony and Toyota")


def test_joined_known_values_need_both_sides_to_be_capitalised_values():
    values = [
        "Sony and Toyota",  # both sides are values
        "Procter & Gamble",  # neither side is
        "Sony and partners",  # right side not capitalised (nor a value)
        "Toyota & Sony & Honda",  # splits at the second '&': "Toyota & Sony" is a value, and "Honda"
        "Toyota & Sony",  # both sides are values
        "Sony",
        "Toyota",
        "Honda",
        "AT&T",
    ]
    assert joined_known_values(values) == ("Sony and Toyota", "Toyota & Sony", "Toyota & Sony & Honda")


# 5. All capitals.


@pytest.mark.parametrize(
    "value, shouted",
    [
        ("BANKAMERICA", True),
        ("NV PHILIPS", True),
        ("BASF AG", True),  # six letters
        ("U.S. STEEL", True),
        ("IBM", False),
        ("AT&T", False),
        ("ABCDE", False),  # five letters, not more
        ("A-300-600", False),
        ("3M", False),
        ("Texaco", False),
        ("BankAmerica", False),
    ],
)
def test_is_all_caps(value, shouted):
    assert is_all_caps(value) is shouted


def test_all_caps_values():
    assert all_caps_values(["IBM", "BANKAMERICA", "Texaco", "NV PHILIPS"]) == ("BANKAMERICA", "NV PHILIPS")


# 6. Fragments.


@pytest.mark.parametrize(
    "value, split",
    [
        ("Kidder, Peabody", ("kidder", "peabody")),
        ("AT&T Corp.", ("at&t", "corp")),
        ("Moody's", ("moody's",)),
        ("  ", ()),
        ("- & -", ()),  # punctuation alone is no word
    ],
)
def test_words(value, split):
    assert words(value) == split


def test_fragments_on_the_same_article_only():
    records = [
        record("a", "Goldman Sachs", "Sachs"),
        record("b", "Goldman Sachs"),  # alone: no fragment
        record("c", "Sachs"),  # Goldman Sachs is on another article
        record("d", "Peabody", "Kidder, Peabody", "Kidder"),
        record("e", "Bank of America", "America West"),  # shares a word, but not a part of it
        record("f", "Ford", "Ford"),  # the same value twice is not a fragment of itself
        record("g", "SACHS", "Sachs"),  # equal words: not a proper part
        record("h", "Merrill Lynch & Co", "Lynch & Co", "Merrill Lynch"),
        record("i", "Goldman", "Sachs", "Goldman Sachs"),
    ]
    assert fragments(records) == (
        Fragment("a", "Sachs", "Goldman Sachs"),
        Fragment("d", "Peabody", "Kidder, Peabody"),
        Fragment("d", "Kidder", "Kidder, Peabody"),
        Fragment("h", "Lynch & Co", "Merrill Lynch & Co"),
        Fragment("h", "Merrill Lynch", "Merrill Lynch & Co"),
        Fragment("i", "Goldman", "Goldman Sachs"),
        Fragment("i", "Sachs", "Goldman Sachs"),
    )


# 7. Common words.


def test_common_word_values_are_single_words():
    common = frozenset({"time", "fund", "ford", "industry"})
    values = ["Time", "TIME", "Fund", "Ford", "Time Warner", "Industry Week", "Sony"]
    assert common_word_values(values, common) == ("Ford", "Fund", "TIME", "Time")
    assert unlisted(common_word_values(values, common), frozenset({"Ford", "Sony"})) == ("Fund", "TIME", "Time")


def test_watch_list_counts_articles_of_the_exact_value():
    by_value = value_articles([record("a", "Time", "Sachs"), record("b", "Time"), record("c", "TIME", "Time Warner")])
    assert watch_list_counts(by_value, ("Time", "Sachs", "Fund")) == {"Time": 2, "Sachs": 1, "Fund": 0}


def test_the_shipped_word_and_name_lists_are_read():
    common = load_common_words()
    assert {"time", "fund", "industry"} <= common
    assert all(word == word.strip() and word for word in common)
    assert {"General Electric", "GE"} <= load_company_names()


# 8. GEC filed under General Electric.


@pytest.mark.parametrize(
    "text, only_gec",
    [
        ("GEC said its Marconi unit won the order.", True),
        ("GEC and Plessey agreed terms.", True),
        ("GEC said it would bid; General Electric Co of the U.S. declined.", False),
        ("GEC said ... GENERAL ELECTRIC declined.", False),
        ("GEC rose while GE fell.", False),
        ("GEC rose while GE's shares fell.", False),
        ("GECO rose.", False),  # not the word GEC
        ("gec rose.", False),  # the name keeps its capitals
        ("No names here.", False),
    ],
)
def test_names_gec_only(text, only_gec):
    assert names_gec_only(text) is only_gec


@pytest.mark.parametrize(
    "text, only_british",
    [
        ("GEC said its Marconi unit won the order.", True),
        ("The General Electric Co Plc <GECL.L> said ... GEC said.", True),
        ("General Electric Co. PLC (GEC) declined comment.", True),
        ("The General Electric Company plc said ... GEC said.", True),
        ("General Electric Plc (GEC) said.", True),
        ("General Electric Co Plc <GEC.L> ... after U.S. General Electric Co <GE.N>.", False),
        ("GEC said; General Electric Co of the U.S. declined.", False),
        ("General Electric Co Plc said.", False),  # GEC itself not named
        ("GEC rose while GE fell.", False),
    ],
)
def test_names_british_gec_only(text, only_british):
    assert names_british_gec_only(text) is only_british


def test_gec_filed_as_general_electric():
    gec = "GEC said its Marconi unit won the order."
    records = [
        record("old", "General Electric", "Plessey", year=1987),
        record("new", "General Electric", year=1995),  # not before 1990
        record("undated", "General Electric", year=None),
        record("named", "General Electric", year=1987),  # the text names General Electric
        record("not-filed", "GEC", year=1987),
        record("boundary", "General Electric", year=1989),
    ]
    texts = {
        "old": gec,
        "new": gec,
        "undated": gec,
        "named": gec + " General Electric declined.",
        "not-filed": gec,
        "boundary": gec,
    }
    assert gec_filed_as_general_electric(records, texts) == ("old", "boundary")
    texts["named"] = "General Electric Co Plc (GEC) said its Marconi unit won the order."
    assert gec_filed_as_general_electric(records, texts) == ("old", "boundary")
    assert gec_filed_as_general_electric(records, texts, names_gec=names_british_gec_only) == (
        "old",
        "named",
        "boundary",
    )


# All of them.


def test_measure_counts_every_kind():
    records = [
        record("a", "Goldman Sachs", "Sachs", "Moody's", "Time", year=1987),
        record("b", "Goldman, Sachs", "Sony and Toyota", "Sony", "Toyota", "BANKAMERICA"),
        record("c", "General Electric", "Citing", year=1988),
    ]
    texts = {"a": "", "b": "", "c": "GEC said on Tuesday it won an order."}
    report = measure(records, texts, common=frozenset({"time", "citing", "fund"}), listed=frozenset({"Time"}))
    assert report.counts() == {
        "articles": 3,
        "distinct_values": 11,
        "single_article_values": 11,
        "spelling_groups": 1,
        "spelling_pairs": 1,
        "spelling_groups_ignoring_spaces": 1,
        "spelling_pairs_ignoring_spaces": 1,
        "possessive_values": 1,
        "possessive_values_with_bare_form": 0,
        "joined_values": 1,
        "joined_known_values": 1,
        "all_caps_values": 1,
        "fragment_occurrences": 3,  # Sachs, and Sony and Toyota within "Sony and Toyota"
        "value_occurrences": 11,
        "common_word_values": 2,
        "common_word_occurrences": 2,
        "unlisted_common_word_values": 1,
        "unlisted_common_word_occurrences": 1,
        "gec_filed_as_general_electric": 1,
        "gec_plc_filed_as_general_electric": 1,
    }
    assert report.fragment_percent == pytest.approx(300 / 11)
    assert report.watch_list == {value: int(value in ("Citing", "Time", "Sachs")) for value in WATCH_LIST}

    lines = format_report(report, 2, {r.id: r.date for r in records}, {r.id: r.companies for r in records})
    numbered = [line.split(".")[0] for line in lines if not line.startswith(" ")]
    assert numbered == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert "    c 1988-03-02: General Electric, Citing" in lines
    assert "    'Sachs' beside 'Goldman Sachs' (1)" in lines


# Whole runs.


def _run_json(capsys, *argv: str) -> dict:
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["counts"]) == COUNT_KEYS
    assert all(type(count) is int and count >= 0 for count in result["counts"].values())
    assert set(result["watch_list"]) == set(WATCH_LIST)
    assert all(type(count) is int for count in result["watch_list"].values())
    assert result["articles_per_second"] > 0
    return result


def test_report_on_the_sample_articles(capsys):
    result = _run_json(capsys, str(DATA / "articles.jsonl"))
    assert result["counts"]["articles"] > 0
    assert result["counts"]["distinct_values"] > 0


@pytest.mark.skipif(not REUTERS.is_file(), reason=f"the shared corpora are absent: no {REUTERS}")
def test_report_on_a_reuters_sample(tmp_path, capsys):
    sample = tmp_path / "reuters-sample.jsonl"
    lines = []
    for corpus_path, size in ((REUTERS, SAMPLE_SIZE), (SHARED_DATA / "bbc_news.jsonl.gz", SAMPLE_SIZE // 5)):
        with gzip.open(corpus_path, "rt", encoding="utf-8") as corpus:
            lines += islice(corpus, size)
    sample.write_text("".join(lines), "utf-8")
    result = _run_json(capsys, str(sample), "--examples", "2")
    counts = result["counts"]
    assert 0 < counts["articles"] <= len(lines)
    assert 0 < counts["single_article_values"] <= counts["distinct_values"] <= counts["value_occurrences"]
    assert counts["fragment_occurrences"] <= counts["value_occurrences"]

    # what one value per company means, held on real news
    assert counts["spelling_pairs_ignoring_spaces"] == 0
    assert counts["joined_known_values"] == 0
    assert counts["all_caps_values"] == 0
    assert counts["fragment_occurrences"] * 200 < counts["value_occurrences"]  # under 0.5%
    assert counts["gec_filed_as_general_electric"] == counts["gec_plc_filed_as_general_electric"] == 0
    # Peabody Holding Co is a company of its own; the rest are words or pieces of names
    assert not {value for value, articles in result["watch_list"].items() if articles and value != "Peabody"}

    assert main([str(sample), "--limit", "50", "--examples", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("50 articles from reuters-sample.jsonl")
    assert "articles/s" in out


def test_a_missing_corpus_exits_2(tmp_path, capsys):
    missing = tmp_path / "nowhere.jsonl.gz"
    assert main([str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"facet-value-report: no such corpus: {missing}\n"


@pytest.mark.parametrize("argv", [["--limit", "0"], ["--examples", "-1"], ["--limit", "many"]])
def test_bad_options_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        main([str(DATA / "articles.jsonl"), *argv])
    assert exited.value.code == 2
    assert "facet-value-report: error:" in capsys.readouterr().err


def test_the_script_prints_the_report():
    completed = subprocess.run(
        [str(PROJECT / "scripts" / "facet-value-report"), str(DATA / "articles.jsonl"), "--examples", "1"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = completed.stdout.splitlines()
    assert lines[1].startswith("facet extraction: ") and lines[1].endswith(" articles/s")
    assert [line.split(".")[0] for line in lines[2:] if not line.startswith(" ")] == [str(n) for n in range(1, 9)]
