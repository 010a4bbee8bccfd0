"""Shared fixtures: real indexes in temporary folders, the real app over them."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.reindex import reindex
from indexer.index.store import IndexStore
from webapp import create_app

from .paths import DATA, SEEDS, SHARED


@pytest.fixture
def seed_store(tmp_path: Path) -> IndexStore:
    """A real index of the two seed articles."""
    store = IndexStore(tmp_path / "index")
    reindex([SEEDS], store, full=True)
    return store


@pytest.fixture
def sample_store(tmp_path: Path) -> IndexStore:
    """A real index of the seeds plus the sample articles in tests/data."""
    store = IndexStore(tmp_path / "index")
    reindex([SEEDS, DATA / "articles.jsonl", DATA / "mixed"], store, full=True)
    return store


@pytest.fixture
def app(sample_store: IndexStore):
    return create_app({"TESTING": True, "INDEX": str(sample_store.root)})


@pytest.fixture
def client(app):
    return app.test_client()


def pytest_report_header(config) -> str:
    return f"shared data: {'present' if (SHARED / 'data').is_dir() else 'absent'} at {SHARED}"
