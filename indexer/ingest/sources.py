"""The source an article is shown under when neither it nor its feed names one.

Without a source, articles from ``reuters.jsonl.gz`` and ``bbc_news.jsonl.gz``
cannot be told apart in the Sources facet, so every article gets one: the
record's own source field (or a text's header or dateline), else the feed's
title, else the name of the input it came from, as :func:`fallback_source` gives
it. Pure functions over names: the caller, at the I/O edge, hands in the path.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import PurePath

# Formats that hold one article per file: such a file's name names the article, not a
# source, so its folder does ("reuters/2024-03-31.txt" comes from "reuters").
ONE_ARTICLE_FORMATS = frozenset({".txt", ".text", ".html", ".htm"})


def without_format_suffixes(name: str, known: Collection[str]) -> str:
    """A file name without its format's ending and ``.gz`` ("bbc_news.jsonl.gz" -> "bbc_news");
    other dots stay ("news.2024.jsonl" -> "news.2024")."""
    for _ in range(2):
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and ("." + suffix.lower() in known or suffix.lower() == "gz"):
            name = stem
    return name


def fallback_source(path: PurePath, format_suffix: str, known: Collection[str]) -> str | None:
    """The source of an article from ``path`` (an absolute path) that names none of its own.

    A file of records or a feed is a data set of its own: its name without the format's
    endings ("reuters" for ``reuters.jsonl.gz``). A plain-text article or saved page is
    one article of the folder holding it: that folder's name ("bbc_news" for
    ``bbc_news/0001.txt``). ``None`` only for a name that is empty (a file at ``/``).
    """
    if format_suffix in ONE_ARTICLE_FORMATS:
        name = path.parent.name
    else:
        name = without_format_suffixes(path.name, known)
    return name.strip() or None
