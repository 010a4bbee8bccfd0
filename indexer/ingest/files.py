"""Reading articles from files and folders: the I/O edge of ingestion.

Which parser reads a file is decided by its name (``.gz`` is unwrapped
first); every problem with one file, or one line or entry of it, becomes a
:class:`SkippedInput` with a reason, and the rest is read on.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.article import (
    Article,
    Duplicate,
    IngestBatch,
    InputNote,
    SkippedInput,
    make_article_id,
    text_fingerprint,
)
from indexer.errors import InputError
from indexer.ingest.feeds import parse_feed
from indexer.ingest.html_article import parse_html_article
from indexer.ingest.records import parse_csv, parse_json_document, parse_jsonl
from indexer.ingest.text_article import parse_text_article

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A file to read, the id it contributes to its articles' ids, and its contents."""

    path: Path
    id_stem: str
    data: bytes = b""
    text: str = ""  # the data decoded: UTF-8, else Windows-1252 (a superset of Latin-1)
    utf8: bool = True

    @property
    def origin(self) -> str:
        return str(self.path)


Item = Article | SkippedInput | InputNote
Reader = Callable[[SourceFile], Iterator[Item]]


def _read_text_file(source: SourceFile) -> Iterator[Item]:
    try:
        yield parse_text_article(source.text, make_article_id(source.id_stem), origin=source.origin)
    except InputError as error:
        yield SkippedInput(source.origin, str(error))


def _read_html_file(source: SourceFile) -> Iterator[Item]:
    try:
        yield parse_html_article(source.text, make_article_id(source.id_stem), origin=source.origin)
    except InputError as error:
        yield SkippedInput(source.origin, str(error))


def _records(parse: Callable[[str, str, str], Iterator[tuple[int, Article | InputError]]], unit: str) -> Reader:
    def read(source: SourceFile) -> Iterator[Item]:
        try:
            for number, item in parse(source.text, source.id_stem, source.origin):
                if isinstance(item, InputError):
                    yield SkippedInput(f"{source.origin}:{unit}{number}", str(item))
                else:
                    yield item
        except InputError as error:
            yield SkippedInput(source.origin, str(error))

    return read


def _read_feed(source: SourceFile) -> Iterator[Item]:
    yield from parse_feed(source.data, source.id_stem, source.origin)


# File name endings and the reader for each; ".gz" is unwrapped first.
READERS: dict[str, Reader] = {
    ".txt": _read_text_file,
    ".text": _read_text_file,
    ".html": _read_html_file,
    ".htm": _read_html_file,
    ".jsonl": _records(parse_jsonl, ""),
    ".ndjson": _records(parse_jsonl, ""),
    ".json": _records(parse_json_document, "item "),
    ".csv": _records(parse_csv, ""),
    ".rss": _read_feed,
    ".atom": _read_feed,
    ".xml": _read_feed,
}


def read_articles(paths: Iterable[str | os.PathLike], max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> IngestBatch:
    """Read every supported file under ``paths`` (files or folders, walked recursively).

    An article whose id was already read in this batch is skipped with a reason:
    two inputs must not silently overwrite each other. An article with exactly
    the text of one already read (the same story from two feeds) is kept once,
    with the other copy's id, origin and source recorded in ``duplicates``.
    """
    paths = list(paths)
    articles: dict[str, Article] = {}
    by_text: dict[str, str] = {}
    duplicate_ids: set[str] = set()
    skipped: list[SkippedInput] = []
    notes: list[InputNote] = []
    troubled: set[str] = set()
    files: list[str] = []
    for source, items in _read_sources(paths, max_file_bytes):
        resolved = str(source.path.resolve())
        files.append(resolved)
        for item in items:
            if isinstance(item, InputNote):
                notes.append(item)
                continue
            if isinstance(item, SkippedInput):
                skipped.append(item)
                troubled.add(resolved)
                continue
            item = replace(item, source_file=resolved)
            fingerprint = text_fingerprint(item.title, item.body)
            if item.id in articles or item.id in duplicate_ids:
                first_origin = articles[item.id].origin if item.id in articles else "an identical story"
                skipped.append(
                    SkippedInput(item.origin, f"duplicate article id {item.id!r} (first read from {first_origin})")
                )
                troubled.add(item.source_file)
            elif fingerprint in by_text:
                first = articles[by_text[fingerprint]]
                copy = Duplicate(item.id, item.origin, item.source)
                duplicate_ids.add(item.id)
                articles[first.id] = replace(first, duplicates=first.duplicates + (copy,))
            else:
                articles[item.id] = item
                by_text[fingerprint] = item.id
    return IngestBatch(
        articles=tuple(articles.values()),
        skipped=tuple(skipped),
        notes=tuple(notes),
        roots=tuple(str(Path(p).resolve()) for p in paths),
        complete_files=tuple(f for f in files if f not in troubled),
    )


def _read_sources(
    paths: Iterable[str | os.PathLike], max_file_bytes: int
) -> Iterator[tuple[SourceFile, Iterator[Item]]]:
    for source in _source_files(paths):
        reader = READERS.get(_format_suffix(source.path))
        if reader is None:
            yield (
                source,
                iter(
                    [
                        SkippedInput(
                            source.origin,
                            f"unsupported file type (supported: {', '.join(sorted(READERS))}, optionally .gz)",
                        )
                    ]
                ),
            )
            continue
        try:
            data = read_bytes(source.path, max_file_bytes)
        except InputError as error:
            yield source, iter([SkippedInput(source.origin, str(error))])
            continue
        try:
            text, utf8 = data.decode("utf-8-sig"), True
        except UnicodeDecodeError:
            text, utf8 = data.decode("cp1252", errors="replace"), False
        loaded = replace(source, data=data, text=text, utf8=utf8)
        yield loaded, _with_encoding_note(loaded, reader)


def _with_encoding_note(source: SourceFile, reader: Reader) -> Iterator[Item]:
    if reader is not _read_feed and not source.utf8:  # feeds declare their own encoding
        yield InputNote(source.origin, "not valid UTF-8; read as Windows-1252 (Latin-1)")
    yield from reader(source)


def read_bytes(path: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """A file's bytes, gzip unwrapped.

    Raises :class:`InputError` for files that are missing, empty, too large or binary.
    """
    try:
        size = path.stat().st_size
        if size > max_file_bytes:
            raise InputError(f"file is {size:,} bytes, over the limit of {max_file_bytes:,}")
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                data = handle.read(max_file_bytes + 1)
            if len(data) > max_file_bytes:
                raise InputError(f"file unpacks to over the limit of {max_file_bytes:,} bytes")
        else:
            data = path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise InputError(f"cannot read file: {error}") from error
    if not data.strip():
        raise InputError("file is empty")
    if b"\x00" in data[:8192]:
        raise InputError("file is binary, not text")
    return data


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
