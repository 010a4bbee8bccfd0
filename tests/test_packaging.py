"""Guards on how the project is put together."""
from __future__ import annotations

import re
from importlib.metadata import distributions

import pytest

from .paths import PROJECT, SEEDS, SHARED


def test_only_whoosh3_installs_the_whoosh_package():
    # A second distribution with a whoosh/ folder (the original Whoosh, pulled in
    # by some Flask extensions) would overwrite whoosh3's files.
    owners = {dist.metadata["Name"].lower() for dist in distributions()
              if any(str(f).startswith("whoosh/") for f in dist.files or ())}
    assert owners == {"whoosh3"}


# Parts of nltk that raise LookupError without downloaded data.
NLTK_NEEDS_DATA = re.compile(r"\b(word_tokenize|sent_tokenize|pos_tag|ne_chunk|wordnet|"
                             r"corpus\.stopwords|nltk\.download)\b")


@pytest.mark.parametrize("path", sorted((PROJECT / "indexer").rglob("*.py")), ids=lambda p: p.name)
def test_no_nltk_part_that_needs_downloaded_data(path):
    assert NLTK_NEEDS_DATA.findall(path.read_text("utf-8")) == []


@pytest.mark.parametrize("path", sorted((PROJECT / "webapp").rglob("*.py")), ids=lambda p: p.name)
def test_views_never_import_whoosh_or_nltk(path):
    assert re.findall(r"^\s*(?:from|import)\s+(?:whoosh|nltk)\b", path.read_text("utf-8"), re.M) == []


def test_seeds_are_the_shared_originals():
    originals = SHARED / "seeds"
    if not originals.is_dir():
        pytest.skip(f"original seeds not found at {originals} (../shared is absent)")
    assert {p.name: p.read_bytes() for p in SEEDS.glob("*.txt")} == {
        p.name: p.read_bytes() for p in originals.glob("*.txt")}
