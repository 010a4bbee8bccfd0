"""Company names the collection confirmed by their context, kept with each generation.

An incremental update extracts facets knowing every name the whole collection
confirmed, and every spelling it saw, not only those in the files it reads, so
an unchanged article keeps the facets it had.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import REBUILD_COMMAND, IndexDamagedError
from indexer.index.files import replace_file

LEARNED_NAMES_FILE = "learned-names.json"


@dataclass(frozen=True)
class LearnedNames:
    """What the collection taught company extraction, in the order it was learned."""

    names: tuple[str, ...] = ()  # confirmed by a legal form or ticker: recognised in every article
    spellings: tuple[str, ...] = ()  # names as articles wrote them: one spelling per company across them

    def merged(self, added: LearnedNames) -> LearnedNames:
        """These followed by the ``added`` names and spellings they lack.

        The first spelling seen of a name is kept, as the company extractor keeps it;
        an update that runs while another added names keeps theirs.
        """
        return LearnedNames(merged_names(self.names, added.names), _merged_exactly(self.spellings, added.spellings))


NOTHING_LEARNED = LearnedNames()


def read_learned_names(generation: Path) -> LearnedNames:
    """What is kept with ``generation`` (nothing when it keeps nothing).

    Generations written before spellings were kept hold a list of names alone.
    """
    path = generation / LEARNED_NAMES_FILE
    try:
        kept = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return LearnedNames()
    except ValueError as error:
        raise _damaged(path, str(error)) from None
    if isinstance(kept, list):
        kept = {"names": kept, "spellings": []}
    if not isinstance(kept, dict) or not all(_is_list_of_names(kept.get(key)) for key in ("names", "spellings")):
        raise _damaged(path, "not a list of names and a list of spellings")
    return LearnedNames(tuple(kept["names"]), tuple(kept["spellings"]))


def _is_list_of_names(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(name, str) for name in value)


def _damaged(path: Path, why: str) -> IndexDamagedError:
    return IndexDamagedError(f"{path} is damaged ({why}); rebuild with `{REBUILD_COMMAND}`")


def write_learned_names(generation: Path, learned: LearnedNames) -> None:
    """Replace what is kept with ``generation`` atomically."""
    kept = {"names": list(learned.names), "spellings": list(learned.spellings)}
    replace_file(generation / LEARNED_NAMES_FILE, json.dumps(kept, ensure_ascii=False))


def merged_names(kept: Sequence[str], added: Sequence[str]) -> tuple[str, ...]:
    """``kept`` followed by the ``added`` names it lacks, compared in lower case.

    The first spelling seen of a name is kept, as the company extractor keeps it;
    an update that runs while another added names keeps theirs.
    """
    known = {name.lower() for name in kept}
    return (*kept, *(name for name in added if name.lower() not in known))


def _merged_exactly(kept: Sequence[str], added: Sequence[str]) -> tuple[str, ...]:
    """``kept`` followed by the ``added`` strings it lacks, compared as written."""
    known = set(kept)
    return (*kept, *(name for name in dict.fromkeys(added) if name not in known))
