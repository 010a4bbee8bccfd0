"""Company names the collection confirmed by their context, kept with each generation.

An incremental update extracts facets knowing every name the whole collection
confirmed, not only those in the files it reads, so an unchanged article keeps
the facets it had.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from indexer.errors import REBUILD_COMMAND, IndexDamagedError
from indexer.index.files import replace_file

LEARNED_NAMES_FILE = "learned-names.json"


def read_learned_names(generation: Path) -> tuple[str, ...]:
    """The names kept with ``generation`` (none when it keeps none)."""
    path = generation / LEARNED_NAMES_FILE
    try:
        names = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return ()
    except ValueError as error:
        raise _damaged(path, str(error)) from None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise _damaged(path, "not a list of names")
    return tuple(names)


def _damaged(path: Path, why: str) -> IndexDamagedError:
    return IndexDamagedError(f"{path} is damaged ({why}); rebuild with `{REBUILD_COMMAND}`")


def write_learned_names(generation: Path, names: Sequence[str]) -> None:
    """Replace the names kept with ``generation`` atomically."""
    replace_file(generation / LEARNED_NAMES_FILE, json.dumps(list(names), ensure_ascii=False))


def merged_names(kept: Sequence[str], added: Sequence[str]) -> tuple[str, ...]:
    """``kept`` followed by the ``added`` names it lacks, compared in lower case.

    The first spelling seen of a name is kept, as the company extractor keeps it;
    an update that runs while another added names keeps theirs.
    """
    known = {name.lower() for name in kept}
    return (*kept, *(name for name in added if name.lower() not in known))
