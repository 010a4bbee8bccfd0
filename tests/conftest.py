"""Shared fixtures: real indexes in temporary folders, the real app over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.index.store import IndexStore
from indexer.reindex import reindex
from webapp import create_app

from .paths import DATA, SEEDS, SHARED

SAMPLES = (SEEDS, DATA / "articles.jsonl", DATA / "mixed")


def _built(folder: Path, paths) -> IndexStore:
    store = IndexStore(folder / "index")
    reindex(paths, store, full=True)
    return store


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> IndexStore:
    """A real index of the two seed articles, built once: read it, never write to it."""
    return _built(tmp_path_factory.mktemp("seeds"), [SEEDS])


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory) -> IndexStore:
    """A real index of the seeds plus the sample articles in tests/data, built once: read it, never write to it."""
    return _built(tmp_path_factory.mktemp("samples"), SAMPLES)


@pytest.fixture
def sample_store(tmp_path: Path) -> IndexStore:
    """A real index of the seeds and the samples of this test's own, for tests that write to it."""
    return _built(tmp_path, SAMPLES)


@pytest.fixture
def app(sample_index: IndexStore):
    return create_app({"TESTING": True, "INDEX": str(sample_index.root)})


@pytest.fixture
def client(app):
    return app.test_client()


def pytest_report_header(config) -> str:
    return f"shared data: {'present' if (SHARED / 'data').is_dir() else 'absent'} at {SHARED}"
