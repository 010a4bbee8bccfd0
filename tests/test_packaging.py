"""Guards on how the project is put together."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import distributions
from pathlib import Path

import pytest

from .paths import PROJECT, SEEDS, SHARED


def test_only_whoosh3_installs_the_whoosh_package():
    # A second distribution with a whoosh/ folder (the original Whoosh, pulled in
    # by some Flask extensions) would overwrite whoosh3's files.
    owners = {
        dist.metadata["Name"].lower()
        for dist in distributions()
        if any(str(f).startswith("whoosh/") for f in dist.files or ())
    }
    assert owners == {"whoosh3"}


# Parts of nltk that raise LookupError without downloaded data.
NLTK_NEEDS_DATA = re.compile(
    r"\b(word_tokenize|sent_tokenize|pos_tag|ne_chunk|wordnet|"
    r"corpus\.stopwords|nltk\.download)\b"
)


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
        p.name: p.read_bytes() for p in originals.glob("*.txt")
    }


# What a wheel build must not see: the virtualenv, history, and build leftovers (a stale build/lib
# could put modules in the wheel that the source no longer holds).
_NOT_SOURCE = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "instance", "test-artifacts"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built, offline and without build isolation, from a copy of the project."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(PROJECT, source, ignore=_NOT_SOURCE)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            str(work / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, f"the wheel did not build (make install-test installs the tools):\n{built.stderr}"
    (path,) = (work / "dist").glob("newsfacet-*.whl")
    return path


@pytest.fixture(scope="module")
def wheel_names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _project_files(folder: str, pattern: str = "*") -> set[str]:
    return {
        path.relative_to(PROJECT).as_posix()
        for path in (PROJECT / folder).rglob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_wheel_holds_only_the_product_packages(wheel_names):
    tops = {name.split("/")[0] for name in wheel_names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"indexer", "webapp"}
    assert [bool(re.fullmatch(r"newsfacet-[^-/]+\.dist-info", top)) for top in tops if top.endswith(".dist-info")] == [
        True
    ]


def test_wheel_leaves_out_the_measuring_tools(wheel, wheel_names):
    tools = {path.read_bytes() for path in (PROJECT / "scripts" / "benchmarks").glob("*.py") if path.stat().st_size}
    assert len(tools) >= 4  # baselines, loadtest, evaluation, scale, ...
    with zipfile.ZipFile(wheel) as archive:
        packed = {archive.read(name) for name in wheel_names if name.endswith(".py")}
    assert packed & tools == set()  # no tool, under any name
    assert [name for name in wheel_names if name.split("/")[0] == "benchmarks" or "benchmarks/" in name] == []


def test_wheel_holds_every_module_and_data_file(wheel_names):
    expected = _project_files("indexer", "*.py") | _project_files("webapp", "*.py")
    expected |= (
        _project_files("indexer/facets/data") | _project_files("webapp/templates") | _project_files("webapp/static")
    )
    assert any(name.startswith("indexer/facets/data/") for name in expected)
    assert any(name.startswith("webapp/templates/") for name in expected)
    assert any(name.startswith("webapp/static/") for name in expected)
    assert expected - wheel_names == set()


def test_wheel_installs_the_newsfacet_command(wheel, wheel_names):
    (entry_points,) = [name for name in wheel_names if name.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(wheel) as archive:
        lines = archive.read(entry_points).decode("utf-8").splitlines()
    assert "newsfacet = indexer.cli:main" in [line.strip() for line in lines]
