"""Reading articles from files and folders: the I/O edge of ingestion.

Which parser reads a file is decided by its name; every problem with one file
(or one line of it) becomes a :class:`SkippedInput` with a reason, and the rest
is read on.
"""
from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .article import Article, IngestBatch, SkippedInput, make_article_id
from .records import RecordError, parse_jsonl
from .text_article import ArticleParseError, parse_text_article

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024


class IngestError(Exception):
    """A file that cannot be read as articles at all; the message says why."""


@dataclass(frozen=True)
class SourceFile:
    """A file to read and the id it contributes to its articles' ids."""

    path: Path
    id_stem: str


Reader = Callable[[str, SourceFile], Iterator[Article | SkippedInput]]


def _read_text_file(text: str, source: SourceFile) -> Iterator[Article | SkippedInput]:
    try:
        yield parse_text_article(text, make_article_id(source.id_stem), origin=str(source.path))
    except ArticleParseError as error:
        yield SkippedInput(str(source.path), str(error))


def _read_jsonl_file(text: str, source: SourceFile) -> Iterator[Article | SkippedInput]:
    for number, item in parse_jsonl(text, source.id_stem, str(source.path)):
        if isinstance(item, RecordError):
            yield SkippedInput(f"{source.path}:{number}", str(item))
        else:
            yield item


# File name endings and the reader for each; ".gz" is unwrapped first.
READERS: dict[str, Reader] = {
    ".txt": _read_text_file,
    ".text": _read_text_file,
    ".jsonl": _read_jsonl_file,
    ".ndjson": _read_jsonl_file,
}


def read_articles(paths: Iterable[str | os.PathLike], max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
                  ) -> IngestBatch:
    """Read every supported file under ``paths`` (files or folders, walked recursively).

    Articles whose id was already produced in this batch are skipped with a
    reason: two inputs must not silently overwrite each other.
    """
    articles: dict[str, Article] = {}
    skipped: list[SkippedInput] = []
    for item in iter_inputs(paths, max_file_bytes):
        if isinstance(item, SkippedInput):
            skipped.append(item)
        elif item.id in articles:
            skipped.append(SkippedInput(item.origin, f"duplicate article id {item.id!r} "
                                                     f"(first read from {articles[item.id].origin})"))
        else:
            articles[item.id] = item
    return IngestBatch(articles=tuple(articles.values()), skipped=tuple(skipped))


def iter_inputs(paths: Iterable[str | os.PathLike], max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
                ) -> Iterator[Article | SkippedInput]:
    """Articles and skipped inputs, file by file, in a stable order."""
    for source in _source_files(paths):
        reader = READERS.get(_format_suffix(source.path))
        if reader is None:
            yield SkippedInput(str(source.path), "unsupported file type "
                               f"(supported: {', '.join(sorted(READERS))}, optionally .gz)")
            continue
        try:
            text = read_text(source.path, max_file_bytes)
        except IngestError as error:
            yield SkippedInput(str(source.path), str(error))
            continue
        yield from reader(text, source)


def read_text(path: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> str:
    """A file's text: gzip unwrapped, UTF-8 or else Windows-1252 decoded.

    Raises :class:`IngestError` for files that are empty, too large, binary or unreadable.
    """
    try:
        size = path.stat().st_size
        if size > max_file_bytes:
            raise IngestError(f"file is {size:,} bytes, over the limit of {max_file_bytes:,}")
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                data = handle.read(max_file_bytes + 1)
            if len(data) > max_file_bytes:
                raise IngestError(f"file unpacks to over the limit of {max_file_bytes:,} bytes")
        else:
            data = path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise IngestError(f"cannot read file: {error}") from error
    if not data.strip():
        raise IngestError("file is empty")
    if b"\x00" in data[:8192]:
        raise IngestError("file is binary, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older feeds and exports are in Windows-1252/Latin-1; every byte decodes.
        return data.decode("cp1252", errors="replace")


def _format_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _id_stem(relative: Path) -> str:
    name = relative.name
    for _ in range(2):  # "bbc_news.jsonl.gz" -> "bbc_news"
        stem, dot, suffix = name.rpartition(".")
        if dot and ("." + suffix.lower() in READERS or suffix.lower() == "gz"):
            name = stem
    return str(relative.with_name(name)).replace(os.sep, "/")


def _source_files(paths: Iterable[str | os.PathLike]) -> Iterator[SourceFile]:
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                relative = path.relative_to(root)
                if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                    yield SourceFile(path, _id_stem(relative))
        else:
            # A missing path is yielded too: reading it reports it by name.
            yield SourceFile(root, _id_stem(Path(root.name)))
