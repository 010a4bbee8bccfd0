"""The layout is the design: which package may import which, checked on every module's imports.

Each rule names a package of the product and every part of the project it may
import. The rules are the table in the README's "How it is built".
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .paths import PROJECT

SHARED_CORE = ("indexer.article", "indexer.errors")
RULES = {
    # Pure text tools shared by ingest and facets; the stemmer Whoosh pickles into every index.
    "indexer.text": SHARED_CORE,
    "indexer.stemming": SHARED_CORE,
    "indexer.progress": SHARED_CORE,
    "indexer.processes": SHARED_CORE,
    "indexer.article": ("indexer.errors",),
    "indexer.errors": (),
    # Files and formats to articles.
    "indexer.ingest": (*SHARED_CORE, "indexer.text", "indexer.ingest"),
    # Companies and technologies from text: cleaning as ingest does it, never the index.
    "indexer.facets": (
        *SHARED_CORE,
        "indexer.text",
        "indexer.stemming",
        "indexer.progress",
        "indexer.processes",
        "indexer.ingest.clean",
        "indexer.facets",
    ),
    # The only code that touches index files; technologies' ancestors are indexed with them,
    # and events' types and roles are those of the event table.
    "indexer.index": (
        *SHARED_CORE,
        "indexer.stemming",
        "indexer.progress",
        "indexer.processes",
        "indexer.facets.technologies",
        "indexer.facets.events",
        "indexer.index",
    ),
    # Request in, result out: never ingest or facet extraction. A company's or technology's page
    # reads what the knowledge base and the taxonomy say of it (aliases, parent, units).
    "indexer.search": (
        *SHARED_CORE,
        "indexer.stemming",
        "indexer.index",
        "indexer.search",
        "indexer.facets.company_kb",
        "indexer.facets.technologies",
    ),
    # The front end: the search service and its values, the article, the errors.
    "webapp": (*SHARED_CORE, "indexer.search", "webapp"),
}
# The orchestration at the top of indexer/ ties the packages together and may import any of them.
ORCHESTRATION = ("indexer.reindex", "indexer.cluster", "indexer.cli", "indexer")
# Whoosh modules that open or write index files: only indexer.index uses them.
INDEX_FILE_MODULES = ("whoosh.index", "whoosh.filedb", "whoosh.writing", "whoosh.codec")
NO_WHOOSH = ("indexer.ingest", "indexer.facets", "webapp", "indexer.text", "indexer.article", "indexer.errors")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module the file at ``path`` imports, relative imports resolved."""
    return imports_in(path.read_text("utf-8"), module_name(path), path.name == "__init__.py")


def imports_in(source: str, name: str, is_package: bool = False) -> set[str]:
    """Every module ``source``, the module called ``name``, imports."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # "from indexer.search import service" imports indexer.search.service.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def rule_for(module: str) -> tuple[str, ...]:
    owner = max((prefix for prefix in RULES if within(module, (prefix,))), key=len)
    return RULES[owner]


PRODUCT = sorted([*(PROJECT / "indexer").rglob("*.py"), *(PROJECT / "webapp").rglob("*.py")])
RULED = [path for path in PRODUCT if module_name(path) not in ORCHESTRATION]


def forbidden(found: set[str], module: str) -> list[str]:
    """The project modules in ``found`` that ``module``'s rule does not allow."""
    own = [m for m in found if within(m, ("indexer", "webapp")) and m not in ("indexer", "webapp")]
    allowed = rule_for(module)
    # A "from package import name" that names a function, not a module, is checked through its package.
    return sorted(m for m in own if not within(m, allowed) and not within(m.rpartition(".")[0], allowed))


@pytest.mark.parametrize("path", RULED, ids=module_name)
def test_each_package_imports_only_what_its_rule_allows(path):
    assert forbidden(imports(path), module_name(path)) == []


@pytest.mark.parametrize(
    "path", [p for p in PRODUCT if not within(module_name(p), ("indexer.index",))], ids=module_name
)
def test_only_the_index_package_touches_index_files(path):
    assert [m for m in imports(path) if within(m, INDEX_FILE_MODULES)] == []


@pytest.mark.parametrize("path", [p for p in PRODUCT if within(module_name(p), NO_WHOOSH)], ids=module_name)
def test_ingest_facets_and_webapp_never_import_whoosh(path):
    assert [m for m in imports(path) if within(m, ("whoosh",))] == []


def test_every_product_module_falls_under_a_rule():
    assert [module_name(p) for p in RULED if not any(within(module_name(p), (prefix,)) for prefix in RULES)] == []


@pytest.mark.parametrize(
    "module, source, expected",
    [
        (
            "indexer.search.service",
            "from indexer.facets.extract import extract_facets",
            ["indexer.facets.extract", "indexer.facets.extract.extract_facets"],
        ),
        ("indexer.search.service", "from ..ingest import files", ["indexer.ingest", "indexer.ingest.files"]),
        ("indexer.search.service", "from indexer.index.schema import ID_FIELD\nfrom . import query", []),
        (
            "webapp.api",
            "from indexer.index.store import IndexStore",
            ["indexer.index.store", "indexer.index.store.IndexStore"],
        ),
        ("webapp.api", "from indexer.search.service import SearchService\nfrom .params import x", []),
        ("webapp.pages", "from indexer.search.export import start_export", []),
        ("indexer.search.export", "from indexer.index.store import IndexStore\nfrom .service import x", []),
        (
            "indexer.search.export",
            "from webapp.params import request_from_args",
            ["webapp.params", "webapp.params.request_from_args"],
        ),
        ("indexer.search.profiles", "from indexer.facets.company_kb import load_knowledge_base", []),
        (
            "indexer.search.profiles",
            "from indexer.facets.companies import CompanyExtractor",
            ["indexer.facets.companies", "indexer.facets.companies.CompanyExtractor"],
        ),
        ("indexer.facets.extract", "import indexer.ingest.files", ["indexer.ingest.files"]),
        ("indexer.facets.extract", "from indexer.ingest.clean import clean_lines", []),
    ],
)
def test_the_checker_reports_forbidden_imports(module, source, expected):
    assert forbidden(imports_in(source, module), module) == expected
