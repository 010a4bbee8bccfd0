"""Reading articles from files and folders: the I/O edge of ingestion.

Which parser reads a file is decided by its name (``.gz`` is unwrapped
first); every problem with one file, or one line or entry of it, becomes a
:class:`SkippedInput` with a reason, and the rest is read on. Every read is
bounded (:class:`ReadLimits`): record formats are read a line at a time, other
files whole up to a size, and anything that is not a regular file is reported,
never opened.
"""

from __future__ import annotations

import errno
import gzip
import os
import stat
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
    path_text,
    readable_name,
    text_fingerprint,
)
from indexer.errors import InputError
from indexer.ingest.feeds import parse_feed
from indexer.ingest.html_article import parse_html_article
from indexer.ingest.records import parse_csv, parse_json_document, parse_jsonl
from indexer.ingest.sources import fallback_source
from indexer.ingest.streams import Line, read_lines
from indexer.ingest.text_article import parse_text_article, title_from_text
from indexer.text import looks_binary, scrubbed, without_control_characters

DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_RECORD_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """How much of an input is ever read into memory at once."""

    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # a file, on disk or unpacked
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES  # one record: a line, a CSV row, a plain-text article
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES  # a file parsed whole: JSON, a feed, a web page


@dataclass(frozen=True)
class SourceFile:
    """A regular file to read and the id it contributes to its articles' ids."""

    path: Path
    id_stem: str

    @property
    def origin(self) -> str:
        return path_text(self.path)

    @property
    def fallback_source(self) -> str | None:
        """The source of its articles that name none (see :mod:`.sources`)."""
        name = fallback_source(Path(os.path.abspath(self.path)), _format_suffix(self.path), READERS)
        return _optional(path_text(name)) if name else None


Item = Article | SkippedInput | InputNote
Reader = Callable[[SourceFile, ReadLimits], Iterator[Item]]


def _whole(parse: Callable[[str, SourceFile], Iterator[Item]], one_article: bool = False) -> Reader:
    """A reader of files parsed whole: read within bounds, refused as binary, decoded."""

    def read(source: SourceFile, limits: ReadLimits) -> Iterator[Item]:
        limit = limits.max_record_bytes if one_article else limits.max_document_bytes
        data = read_bytes(source.path, min(limit, limits.max_file_bytes))
        try:
            text, utf8 = data.decode("utf-8-sig"), True
        except UnicodeDecodeError:
            text, utf8 = data.decode("cp1252", errors="replace"), False
        if looks_binary(text):
            raise InputError("file is binary, not text")
        if not utf8:
            yield InputNote(source.origin, "not valid UTF-8; read as Windows-1252 (Latin-1)")
        yield from parse(text, source)

    return read


def _text_article(text: str, source: SourceFile) -> Iterator[Item]:
    yield parse_text_article(text, make_article_id(source.id_stem), origin=source.origin)


def _html_article(text: str, source: SourceFile) -> Iterator[Item]:
    yield parse_html_article(text, make_article_id(source.id_stem), origin=source.origin)


def _json_document(text: str, source: SourceFile) -> Iterator[Item]:
    for number, item in parse_json_document(text, source.id_stem, source.origin):
        yield SkippedInput(f"{source.origin}:item {number}", str(item)) if isinstance(item, InputError) else item


def _read_feed(source: SourceFile, limits: ReadLimits) -> Iterator[Item]:
    # Feeds declare their own encoding: handed over as bytes.
    data = read_bytes(source.path, min(limits.max_document_bytes, limits.max_file_bytes))
    yield from parse_feed(data, source.id_stem, source.origin)


def _lines(parse: Callable[[Iterable[Line], str, str], Iterator[tuple[int, Article | InputError]]]) -> Reader:
    """A reader of record formats, a line at a time: no record over the bound is kept."""

    def read(source: SourceFile, limits: ReadLimits) -> Iterator[Item]:
        latin1: list[int] = []

        def lines() -> Iterator[Line]:
            for line in read_lines(source.path, limits.max_record_bytes, limits.max_file_bytes):
                if not line.utf8:
                    latin1.append(line.number)
                yield line

        noted = False
        for number, item in parse(lines(), source.id_stem, source.origin):
            if latin1 and not noted:
                noted = True
                yield InputNote(source.origin, f"not valid UTF-8 from line {latin1[0]}; read as Windows-1252 (Latin-1)")
            yield SkippedInput(f"{source.origin}:{number}", str(item)) if isinstance(item, InputError) else item

    return read


# File name endings and the reader for each; ".gz" is unwrapped first.
READERS: dict[str, Reader] = {
    ".txt": _whole(_text_article, one_article=True),
    ".text": _whole(_text_article, one_article=True),
    ".html": _whole(_html_article),
    ".htm": _whole(_html_article),
    ".jsonl": _lines(parse_jsonl),
    ".ndjson": _lines(parse_jsonl),
    ".json": _whole(_json_document),
    ".csv": _lines(parse_csv),
    ".rss": _read_feed,
    ".atom": _read_feed,
    ".xml": _read_feed,
}


def read_articles(
    paths: Iterable[str | os.PathLike],
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> IngestBatch:
    """Read every supported file under ``paths`` (files or folders, walked recursively).

    Text that is mostly control characters is skipped as binary data; the stray
    control characters of other text are removed.

    An article whose id was already read in this batch is skipped with a reason:
    two inputs must not silently overwrite each other. An article with exactly
    the text of one already read (the same story from two feeds) is kept once,
    with the other copy's id, origin and source recorded in ``duplicates``.

    An article that names no source of its own (nor its feed) gets its file's or folder's
    name (:mod:`.sources`), so articles from two data sets are never one blank source.
    """
    paths = list(paths)
    articles: dict[str, Article] = {}
    by_text: dict[str, str] = {}
    duplicate_ids: set[str] = set()
    skipped: list[SkippedInput] = []
    notes: list[InputNote] = []
    troubled: set[str] = set()
    files: list[str] = []
    limits = ReadLimits(max_file_bytes, max_record_bytes, max(DEFAULT_MAX_DOCUMENT_BYTES, max_record_bytes))
    for source in _source_files(paths):
        if isinstance(source, SkippedInput):
            skipped.append(source)
            continue
        resolved = path_text(os.path.realpath(source.path))
        files.append(resolved)
        named = source.fallback_source
        for item in _read_source(source, limits):
            if isinstance(item, Article):
                try:
                    item = _cleaned(item)
                except InputError as error:
                    item = SkippedInput(item.origin, str(error))
            if isinstance(item, Article) and item.source is None:
                item = replace(item, source=named)
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
        roots=tuple(path_text(os.path.realpath(p)) for p in paths),
        complete_files=tuple(f for f in files if f not in troubled),
    )


def _read_source(source: SourceFile, limits: ReadLimits) -> Iterator[Item]:
    """What one file holds; whatever goes wrong in it is a reason it was skipped, never the end of the run."""
    reader = READERS.get(_format_suffix(source.path))
    if reader is None:
        supported = ", ".join(sorted(READERS))
        yield SkippedInput(source.origin, f"unsupported file type (supported: {supported}, optionally .gz)")
        return
    try:
        size = source.path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(f"file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}")
        yield from reader(source, limits)
    except InputError as error:
        yield SkippedInput(source.origin, str(error))
    except OSError as error:
        yield SkippedInput(source.origin, f"cannot read file: {error.strerror or error}")
    except (RecursionError, MemoryError, ValueError, LookupError) as error:
        # A parser met input it cannot take (a library's own limit): this file is lost, not the run.
        yield SkippedInput(source.origin, f"cannot be read: {type(error).__name__}: {error}")


def _cleaned(article: Article) -> Article:
    """The article without control characters, or an :class:`InputError` when it is binary data."""
    (title, binary_title), (body, binary_body) = scrubbed(article.title), scrubbed(article.body)
    if binary_title or binary_body:
        raise InputError("text is mostly control characters: binary data, not an article")
    title = title.strip()
    if not title and not body.strip():
        raise InputError("record has no text (no title and no body)")
    return replace(
        article,
        title=title or title_from_text(body),
        body=body,
        source=_optional(article.source),
        author=_optional(article.author),
        url=_optional(article.url),
    )


def _optional(value: str | None) -> str | None:
    return without_control_characters(value).strip() or None if value else None


def read_bytes(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """A file's bytes, gzip unwrapped, never more than ``max_bytes`` of them.

    Raises :class:`InputError` for files that are missing, empty, too large or binary.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"file is {size:,} bytes, over the limit of {max_bytes:,}")
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise InputError(f"file unpacks to over the limit of {max_bytes:,} bytes")
        else:
            with open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise InputError(f"file grew over the limit of {max_bytes:,} bytes while read")
    except (OSError, EOFError) as error:
        raise InputError(f"cannot read file: {_why(error)}") from error
    if not data.strip():
        raise InputError("file is empty")
    if b"\x00" in data:
        raise InputError("file is binary, not text")
    return data


def _why(error: BaseException) -> str:
    """An error's reason without the path it names (the report names it, readably)."""
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


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
    return readable_name(str(relative.with_name(name)).replace(os.sep, "/"))


def _source_files(paths: Iterable[str | os.PathLike]) -> Iterator[SourceFile | SkippedInput]:
    """The regular files under ``paths``, and a report for every other thing met: a link
    that leads nowhere or in a loop, a FIFO, a socket, a device. None of them is opened."""
    for given in paths:
        root = Path(given)
        kind = _kind_of(root)
        if kind != _FOLDER:
            yield SourceFile(root, _id_stem(Path(root.name))) if kind == _FILE else SkippedInput(path_text(root), kind)
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if any(part.startswith(".") for part in relative.parts):
                continue
            kind = _kind_of(path)
            if kind == _FILE:
                yield SourceFile(path, _id_stem(relative))
            elif kind != _FOLDER:
                yield SkippedInput(path_text(path), kind)
            elif path.is_symlink():
                yield SkippedInput(path_text(path), "link to a folder, not followed (give its path to index it)")


_FILE, _FOLDER = "file", "folder"
_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def _kind_of(path: Path) -> str:
    """``_FILE``, ``_FOLDER``, or why the path is neither a file nor a folder to read."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop"
        if os.path.islink(path):
            return f"symbolic link to {path_text(os.readlink(path))}, which does not exist"
        return f"cannot read file: {_why(error)}"
    if stat.S_ISDIR(mode):
        return _FOLDER
    if stat.S_ISREG(mode):
        return _FILE
    kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "not a file")
    return f"not a regular file ({kind}); not read"
