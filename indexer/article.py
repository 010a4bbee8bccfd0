"""The article as every other part of the project sees it: plain, immutable data."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from datetime import datetime

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")


@dataclass(frozen=True)
class Duplicate:
    """Another place an identical story was read from, kept with the story's one copy."""

    id: str
    origin: str
    source: str | None = None


@dataclass(frozen=True)
class Participant:
    """A company taking part in an event, and its role ("acquirer", "supplier", ...)."""

    name: str  # a company facet value of the article
    role: str


@dataclass(frozen=True)
class Event:
    """One business event an article reports: its type ("Acquisition", "Supply deal", ...)
    and the companies with their roles."""

    type: str
    participants: tuple[Participant, ...] = ()


@dataclass(frozen=True)
class Article:
    """One news article, cleaned, before or after facet extraction.

    ``date`` is timezone-aware UTC or ``None``; an article without a date is kept
    and sorts last. ``origin`` is where it was read from (a path, or a path and a
    line), for reports and for incremental reindexing.
    """

    id: str
    title: str
    body: str
    date: datetime | None = None
    source: str | None = None
    author: str | None = None
    url: str | None = None
    origin: str = ""
    companies: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    # The file it was read from (resolved), for removing articles whose file went.
    source_file: str = ""
    # Other places the identical story was read from; their ids lead to this article.
    duplicates: tuple[Duplicate, ...] = ()

    def with_facets(
        self, companies: tuple[str, ...], technologies: tuple[str, ...], events: tuple[Event, ...] = ()
    ) -> Article:
        return replace(self, companies=tuple(companies), technologies=tuple(technologies), events=tuple(events))

    @property
    def content_hash(self) -> str:
        """A fingerprint of everything that ends up in the index.

        Incremental reindexing compares it with the stored one to leave unchanged
        articles alone.
        """
        parts = [
            self.title,
            self.body,
            self.date.isoformat() if self.date else "",
            self.source or "",
            self.author or "",
            self.url or "",
            "|".join(self.companies),
            "|".join(self.technologies),
            "|".join(f"{e.type}:{','.join(f'{p.name}={p.role}' for p in e.participants)}" for e in self.events),
            "|".join(f"{d.id} {d.origin} {d.source}" for d in self.duplicates),
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def text_fingerprint(title: str, body: str) -> str:
    """Identical stories have the same fingerprint, whatever their ids, dates, sources or spacing."""
    words = " ".join(f"{title}\n{body}".lower().split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


# A byte of a file name that is not UTF-8, as Python's file-system functions carry it.
_ESCAPED_NAME_BYTE = re.compile("[\udc80-\udcff]")
_WRITTEN_NAME_BYTE = re.compile(r"\\x([89a-f][0-9a-f])")


def path_text(path: str | os.PathLike) -> str:
    """A path as text every encoder takes: a name's bytes that are not UTF-8 written as
    ``\\xff``. Reports, origins and the index keep paths this way."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def path_from_text(text: str) -> str:
    """The path :func:`path_text` wrote, as the file-system functions take it."""
    return _WRITTEN_NAME_BYTE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), text)


def readable_name(name: str) -> str:
    """A file name fit for an article id: each byte that is not UTF-8 as ``~FF``, so two
    such names stay two ids and the id stays the same from one run to the next."""
    return _ESCAPED_NAME_BYTE.sub(lambda m: f"~{ord(m.group()) - 0xDC00:02X}", name)


def make_article_id(*parts: str) -> str:
    """A stable, URL-safe id from path components or a record's own id.

    Each part keeps letters, digits and ``._~-``; runs of anything else become
    ``-``; parts are joined with ``/``. Dots alone (``.`` and ``..``) are dropped
    so an id never walks up a path. A part that is an address or very long (a
    feed entry's id) becomes a short fingerprint of itself.
    """
    cleaned = []
    for part in parts:
        part = str(part)
        if "://" in part or len(part) > 80:
            part = hashlib.sha1(part.encode("utf-8")).hexdigest()[:16]
        for piece in str(part).replace("\\", "/").split("/"):
            piece = _ID_UNSAFE.sub("-", piece).strip("-")
            if piece and piece.strip(".") != "":
                cleaned.append(piece)
    if not cleaned:
        raise ValueError("an article id needs at least one non-empty part")
    return "/".join(cleaned)


@dataclass(frozen=True)
class SkippedInput:
    """A file, or a line of one, that could not be indexed, and why."""

    origin: str
    reason: str


@dataclass(frozen=True)
class InputNote:
    """Something worth telling about an input that was read all the same."""

    origin: str
    message: str


@dataclass(frozen=True)
class IngestBatch:
    """What reading some paths produced.

    ``roots`` are the paths given (resolved); ``complete_files`` the files read
    without any problem. Incremental reindexing removes an article only when its
    file is under a root and is gone, or was read completely without it: an
    article is never lost because its file could not be read this time.
    """

    articles: tuple[Article, ...] = ()
    skipped: tuple[SkippedInput, ...] = ()
    notes: tuple[InputNote, ...] = ()
    roots: tuple[str, ...] = ()
    complete_files: tuple[str, ...] = ()
