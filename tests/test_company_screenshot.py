"""The README's company page picture is made over a corpus that shows every part of the page."""

import json

from benchmarks.company_screenshot import COMPANY, MONTHS, PER_MONTH, corpus
from indexer.index.store import IndexStore
from indexer.reindex import reindex
from webapp import create_app


def test_the_synthetic_corpus_fills_the_company_page(tmp_path):
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps(record) + "\n" for record in corpus()), "utf-8")
    store = IndexStore(tmp_path / "index")
    reindex([articles], store, full=True)
    client = create_app({"TESTING": True, "INDEX": str(store.root)}).test_client()
    profile = client.get(f"/api/companies/{COMPANY}").get_json()

    assert (profile["total"], profile["undated"]) == (sum(PER_MONTH) + 2, 2)  # no two articles folded into one
    assert [(period["label"], period["count"]) for period in profile["periods"]] == list(
        zip(MONTHS, PER_MONTH, strict=True)
    )
    assert len(MONTHS) >= 8
    assert len(profile["companies"]) >= 3 and len(profile["technologies"]) >= 3
