import json
import subprocess
import sys

import pytest

from benchmarks.evaluation import (
    Scores,
    default_collection,
    evaluate,
    learned_from,
    load_labelled,
    load_vocabulary,
    normalize_company,
    score,
)
from indexer.ingest.files import read_articles

from .paths import DATA, PROJECT, SHARED

DEV = SHARED / "eval" / "dev.jsonl"
DEV2 = SHARED / "eval" / "dev2.jsonl"


@pytest.mark.parametrize(
    "name, normalized",
    [
        ("Toyota Motor Corp.", "toyota motor"),
        ("The Procter & Gamble Co", "procter and gamble"),
        ("Standard & Poor's", "standard and poor s"),
        ("Panasonic Holdings", "panasonic"),
    ],
)
def test_normalize_company(name, normalized):
    assert normalize_company(name) == normalized


def test_score_counts_a_company_twice_as_wrong():
    labelled = [
        {
            "id": "a",
            "companies": [{"name": "Panasonic", "aliases": ["Panasonic Holdings"]}],
            "technologies": ["Batteries"],
        }
    ]
    predicted = {
        "/a": {
            "companies": ["Panasonic Holdings Corp", "Panasonic", "Sony"],
            "technologies": ["Batteries", "Flying cars"],
        }
    }
    result = score(labelled, predicted, vocabulary=frozenset({"batteries"}))
    assert (result.companies, result.technologies) == (Scores(1, 2, 0), Scores(1, 0, 0))
    assert result.errors == (("/a", "company", "extra", "Panasonic"), ("/a", "company", "extra", "Sony"))


def test_sample_labelled_file():
    result = evaluate(load_labelled(DATA / "labelled.jsonl"))
    assert result.companies.as_dict() == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 4, "fp": 0, "fn": 0}
    assert result.technologies.as_dict() == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 3, "fp": 0, "fn": 0}


def test_evaluate_facets_script():
    completed = subprocess.run(
        [PROJECT / "scripts" / "evaluate-facets", DATA / "labelled.jsonl", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["companies"]["f1"] == 1.0


def _dev_or_skip():
    if not DEV.is_file():
        pytest.skip(f"labelled dev set not found at {DEV} (../shared is absent)")
    return load_labelled(DEV)


@pytest.fixture(scope="module")
def collection_extractor():
    """An extractor that learned names from the shared corpora and both dev sets, as a build would."""
    _dev_or_skip()
    return learned_from(read_articles(default_collection(DEV)).articles, load_labelled(DEV), load_labelled(DEV2))


# The goals each dev set holds, with names learned from the collection (see the README's quality
# table): company precision 0.92 and F1 0.88, technology F1 0.82 on both.
@pytest.mark.parametrize(
    "labelled, company_precision, company_f1, technology_f1",
    [(DEV, 0.92, 0.88, 0.82), (DEV2, 0.92, 0.88, 0.82)],
    ids=["dev", "dev2"],
)
def test_dev_sets_hold_their_scores(collection_extractor, labelled, company_precision, company_f1, technology_f1):
    result = evaluate(load_labelled(labelled), load_vocabulary(labelled), collection_extractor)
    assert result.companies.precision >= company_precision, result.companies.as_dict()
    assert result.companies.f1 >= company_f1, result.companies.as_dict()
    assert result.technologies.f1 >= technology_f1, result.technologies.as_dict()


def test_scores_agree_with_the_shared_scorer(tmp_path):
    _dev_or_skip()
    predictions = tmp_path / "predictions.jsonl"
    with open(DEV, "rb") as source, open(predictions, "wb") as out:
        subprocess.run(
            [sys.executable, "-m", "indexer.cli", "extract"], stdin=source, stdout=out, check=True, timeout=300
        )
    shared = subprocess.run(
        [sys.executable, SHARED / "eval" / "score_facets.py", DEV, predictions, "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    ours = evaluate(load_labelled(DEV), load_vocabulary(DEV))
    assert json.loads(shared.stdout) == {
        "companies": ours.companies.as_dict(),
        "technologies": ours.technologies.as_dict(),
    }
