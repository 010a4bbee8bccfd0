import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from indexer.errors import IndexNotFoundError, InputError
from indexer.index.store import IndexStore

from .paths import DATA, PROJECT, SEED_MAZDA, SEED_TOYOTA, SEEDS


@pytest.fixture
def runner():
    return CliRunner()


def run(runner, *args, **kwargs):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


def test_index_then_search(runner, tmp_path):
    index = tmp_path / "index"
    result = run(runner, "index", SEEDS, "--index", index)
    assert result.exit_code == 0
    assert result.stdout.startswith("full rebuild: 2 added, 0 updated, 0 unchanged, 0 removed, 0 skipped")
    again = run(runner, "index", SEEDS, "--index", index)
    assert again.stdout.startswith("incremental: 0 added, 0 updated, 2 unchanged, 0 removed, 0 skipped")

    found = run(runner, "search", "batteries", "--company", "Mazda", "--index", index)
    assert found.exit_code == 0
    assert found.output.startswith("1 articles (page 1 of 1")
    assert "2024-03-31 · MENAFN" in found.output
    assert "Companies: Panasonic (2), Honda (1), *Mazda (1), Nissan (1), Toyota (1)" in found.output


def test_search_json_is_the_api_object(runner, tmp_path):
    from webapp import create_app

    index = tmp_path / "index"
    run(runner, "index", SEEDS, "--index", index)
    printed = json.loads(
        run(runner, "search", "batteries", "--technology", "Electrification", "--json", "--index", index).output
    )
    api = (
        create_app({"TESTING": True, "INDEX": str(index)})
        .test_client()
        .get("/api/search?q=batteries&technology=Electrification")
        .get_json()
    )
    printed.pop("took_ms"), api.pop("took_ms")
    assert printed == api
    assert [hit["id"] for hit in printed["hits"]] == [SEED_MAZDA]


@pytest.mark.parametrize(
    "options, query_string, ids",
    [
        (["--not-company", "Toyota"], "not_company=Toyota", [SEED_MAZDA]),
        (["--sort", "oldest"], "sort=oldest", [SEED_MAZDA, SEED_TOYOTA]),
        (["--source", "MENAFN"], "source=MENAFN", [SEED_MAZDA]),
        (["--from", "2024-03-31", "--to", "2024-03-31"], "from=2024-03-31&to=2024-03-31", [SEED_MAZDA]),
        (
            ["--company", "Panasonic", "--not-technology", "Electrification"],
            "company=Panasonic&not_technology=Electrification",
            [SEED_TOYOTA],
        ),
        (["--per-page", "1", "--page", "2", "--sort", "newest"], "per_page=1&page=2&sort=newest", [SEED_TOYOTA]),
    ],
    ids=["not-company", "sort", "source", "dates", "company-not-technology", "page"],
)
def test_search_takes_the_api_filters(runner, seed_index, options, query_string, ids):
    from webapp import create_app

    printed = json.loads(run(runner, "search", *options, "--json", "--index", seed_index.root).output)
    api = create_app({"TESTING": True, "INDEX": str(seed_index.root)}).test_client().get(f"/api/search?{query_string}")
    expected = api.get_json()
    printed.pop("took_ms"), expected.pop("took_ms")
    assert printed == expected
    assert [hit["id"] for hit in printed["hits"]] == ids


def test_index_reports_skipped_inputs(runner, tmp_path):
    index = tmp_path / "index"
    result = run(runner, "index", DATA / "mixed", DATA / "articles.jsonl", "--index", index)
    assert result.exit_code == 0
    assert "6 added" in result.output and "6 skipped" in result.output
    assert f"skipped {DATA / 'mixed' / 'empty.txt'}: file is empty" in result.output
    assert f"skipped {DATA / 'articles.jsonl'}:3: invalid JSON" in result.output
    strict = run(runner, "index", DATA / "mixed", "--index", index, "--strict")
    assert strict.exit_code == InputError.exit_code
    assert "Error: 3 input(s) skipped (--strict)" in strict.stderr


def test_full_reindex_replaces_the_index(runner, tmp_path):
    index = tmp_path / "index"
    run(runner, "index", SEEDS, DATA / "articles.jsonl", "--index", index)
    result = run(runner, "index", SEEDS, "--index", index, "--full")
    assert result.stdout.startswith("full rebuild: 2 added")
    with IndexStore(index).searcher() as searcher:
        assert searcher.doc_count() == 2


def test_index_from_environment(runner, tmp_path):
    index = tmp_path / "env-index"
    result = run(runner, "index", SEEDS, env={"NEWSFACET_INDEX": str(index)})
    assert result.output.endswith(f"-> {index}\n")
    assert IndexStore(index).exists()


def test_search_without_index(runner, tmp_path):
    result = runner.invoke(main, ["search", "x", "--index", str(tmp_path / "none")])
    assert result.exit_code == IndexNotFoundError.exit_code
    assert "Error: no index at" in result.stderr


def test_extract(runner):
    lines = [
        {"id": "a", "title": "Toyota and Panasonic", "body": "Solid-state batteries for EVs."},
        {"corpus": "c", "id": 2, "title": "Nothing here", "body": ""},
    ]
    result = run(runner, "extract", input="\n".join(json.dumps(line) for line in lines) + "\n")
    assert result.exit_code == 0
    assert [json.loads(line) for line in result.output.splitlines()] == [
        {
            "id": "a",
            "companies": ["Toyota", "Panasonic"],
            "technologies": ["Electric vehicles", "Solid-state batteries"],
            "events": [],
        },
        {"corpus": "c", "id": 2, "companies": [], "technologies": [], "events": []},
    ]


def test_extract_reports_bad_lines(runner):
    result = runner.invoke(main, ["extract"], input='{"id": "a", "title": "Honda"}\nnot json\n{"title": "x"}\n')
    assert result.exit_code == InputError.exit_code
    out = result.stdout.splitlines()
    assert [json.loads(line)["id"] for line in out] == ["a"]
    assert "line 2: skipped" in result.stderr and "line 3: skipped" in result.stderr


def test_reindex_script(tmp_path):
    """scripts/reindex behaves as `newsfacet index`, run as an operator would."""
    env = {**os.environ, "NEWSFACET_INDEX": str(tmp_path / "index")}
    script = PROJECT / "scripts" / "reindex"
    first = subprocess.run([script, str(SEEDS)], capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("full rebuild: 2 added")
    second = subprocess.run(
        [script, str(SEEDS), "--full", "--strict"], capture_output=True, text=True, env=env, timeout=120
    )
    assert second.stdout.startswith("full rebuild: 2 added")
    bad = subprocess.run(
        [script, str(DATA / "mixed"), "--strict"], capture_output=True, text=True, env=env, timeout=120
    )
    assert bad.returncode == InputError.exit_code
    assert "file is binary, not text" in bad.stderr
    assert Path(tmp_path / "index" / "CURRENT").is_file()
    formats = subprocess.run(
        [script, str(DATA / "formats"), "--full"], capture_output=True, text=True, env=env, timeout=120
    )
    assert formats.returncode == 0, formats.stderr
    assert formats.stdout.startswith(
        "full rebuild: 10 added, 0 updated, 0 unchanged, 0 removed, 5 skipped; 1 identical copy folded into their first"
    )
    assert "note " in formats.stderr and "feed is not well-formed" in formats.stderr
