"""The article as every other part of the project sees it: plain, immutable data."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")


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

    def with_facets(self, companies: tuple[str, ...], technologies: tuple[str, ...]) -> Article:
        return replace(self, companies=tuple(companies), technologies=tuple(technologies))

    @property
    def content_hash(self) -> str:
        """A fingerprint of everything that ends up in the index.

        Incremental reindexing compares it with the stored one to leave unchanged
        articles alone.
        """
        parts = [self.title, self.body, self.date.isoformat() if self.date else "",
                 self.source or "", self.author or "", self.url or "",
                 "|".join(self.companies), "|".join(self.technologies)]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def make_article_id(*parts: str) -> str:
    """A stable, URL-safe id from path components or a record's own id.

    Each part keeps letters, digits and ``._~-``; runs of anything else become
    ``-``; parts are joined with ``/``. Dots alone (``.`` and ``..``) are dropped
    so an id never walks up a path.
    """
    cleaned = []
    for part in parts:
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
class IngestBatch:
    """What reading some paths produced: the articles and what was skipped."""

    articles: tuple[Article, ...] = ()
    skipped: tuple[SkippedInput, ...] = field(default=())
