"""Ingest and search on the real news corpora in ../shared/data (skipped where absent)."""

from __future__ import annotations

from itertools import islice

import pytest

from indexer.facets.extract import extract_facets
from indexer.index.store import IndexStore
from indexer.ingest.files import read_articles
from indexer.search.service import SearchRequest, SearchService

from .paths import SHARED

CORPORA = SHARED / "data"


def corpus(name: str):
    path = CORPORA / name
    if not path.is_file():
        pytest.skip(f"real news corpus {path} not found (../shared is absent)")
    return path


def test_reuters_every_record_with_text_is_read():
    batch = read_articles([corpus("reuters.jsonl.gz")])
    # 19,779 stories with bodies and 1,798 title-only briefs; one record is empty.
    # Stories that repeat word for word are kept once, the copies recorded with them.
    assert len(batch.articles) + sum(len(a.duplicates) for a in batch.articles) == 21_577
    assert len(batch.articles) == 21_266
    assert [s.reason for s in batch.skipped] == ["record has no text (no title and no body)"]
    # Two dates are broken in the source ("605:12:19.12", a guess with a comment);
    # those stories are kept, undated. Desk codes after the time are read past.
    assert sum(a.date is None for a in batch.articles) == 2
    assert sum(1 + len(a.duplicates) for a in batch.articles if not a.body) == 1_798


def test_bbc_every_article_is_read():
    batch = read_articles([corpus("bbc_news.jsonl.gz")])
    assert (len(batch.articles) + sum(len(a.duplicates) for a in batch.articles), batch.skipped) == (2_225, ())
    assert len(batch.articles) == 2_124  # 101 word-for-word repeats folded into their first copy
    assert batch.articles[0].id == "bbc_news/business/001"


def test_search_a_slice_of_bbc_tech(tmp_path):
    batch = read_articles([corpus("bbc_news.jsonl.gz")])
    tech = [extract_facets(a) for a in batch.articles if a.id.startswith("bbc_news/tech/")]
    store = IndexStore(tmp_path / "index")
    store.rebuild(tech)
    service = SearchService(store)

    result = service.search(SearchRequest("microsoft"))
    assert result.total > 20
    companies = {v.value: v.count for f in result.facets if f.name == "company" for v in f.values}
    assert "Microsoft" in companies
    narrowed = service.search(SearchRequest("microsoft", filters={"company": ("Microsoft",)}))
    assert 0 < narrowed.total <= result.total
    assert all("Microsoft" in hit.companies for hit in narrowed.hits)

    phones = service.search(SearchRequest("", filters={"technology": ("Mobile phones",)}, per_page=5))
    assert phones.total > 20
    assert all("Mobile phones" in hit.technologies for hit in islice(phones.hits, 5))


def test_index_both_large_corpora_with_the_command(tmp_path):
    """`newsfacet index reuters bbc` indexes every record that has text."""
    import subprocess
    import sys

    reuters, bbc = corpus("reuters.jsonl.gz"), corpus("bbc_news.jsonl.gz")
    index = tmp_path / "index"
    completed = subprocess.run(
        [sys.executable, "-m", "indexer.cli", "index", str(reuters), str(bbc), "--index", str(index), "--full"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    # 21,577 Reuters records with text and 2,225 BBC articles; 412 word-for-word copies folded.
    assert completed.stdout.startswith(
        "full rebuild: 23390 added, 0 updated, 0 unchanged, 0 removed, 1 skipped; "
        "412 identical copies folded into their first"
    )
    service = SearchService(IndexStore(index))
    assert service.search(SearchRequest()).total == 23_390
    assert service.get_article("bbc_news/tech/388").id == "bbc_news/tech/103"  # a folded copy still resolves
