"""The corpora the scale benchmark indexes: the real news files, and a larger one made from them.

The real corpora are read where they lie; only AG News, a CSV without a
header row, is copied with one added (class, title, description) so that the
CSV reader knows its columns. The scaled corpus recombines real sentences
into new articles with a seeded generator, so every run indexes the same
text: each article keeps a real article's headline, source and (shifted) date,
opens with its first sentence and continues with sentences drawn from the
whole corpus.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

from indexer.article import Article

REAL_FILES = ("reuters.jsonl.gz", "bbc_news.jsonl.gz", "financial_headlines.jsonl.gz")
HEADERLESS_CSV = {"ag_news_test.csv.gz": "class,title,description"}
ARTICLES_PER_FILE = 1000
# A sentence ends at ., ! or ? followed by a space and a capital or a quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'A-Z])")


class CorpusMissingError(FileNotFoundError):
    """The shared news corpora are not where the benchmark was told to look."""


def prepare_real_corpus(data: Path, folder: Path) -> Path:
    """A folder ``newsfacet index`` reads as the real corpora: links to the JSON Lines files,
    and AG News with its header row added."""
    missing = [name for name in (*REAL_FILES, *HEADERLESS_CSV) if not (data / name).is_file()]
    if missing:
        raise CorpusMissingError(f"{data} lacks {', '.join(missing)}")
    folder.mkdir(parents=True, exist_ok=True)
    for name in REAL_FILES:
        (folder / name).symlink_to((data / name).resolve())
    for name, header in HEADERLESS_CSV.items():
        with gzip.open(data / name, "rb") as source, gzip.open(folder / name, "wb") as target:
            target.write(header.encode("ascii") + b"\n")
            shutil.copyfileobj(source, target)
    return folder


def sentences(text: str) -> list[str]:
    """The sentences of a text, split at sentence ends within each paragraph."""
    found = []
    for paragraph in text.split("\n\n"):
        found.extend(s.strip() for s in _SENTENCE_END.split(" ".join(paragraph.split())) if s.strip())
    return found


def scaled_articles(real: Sequence[Article], count: int, seed: int = 1) -> Iterator[dict]:
    """``count`` new articles (as JSON records) made by recombining the sentences of ``real``."""
    rng = random.Random(seed)
    templates = [article for article in real if article.title]
    pool = [sentence for article in real for sentence in sentences(article.body)]
    if not templates or not pool:
        raise ValueError("the real corpus has no articles with text to recombine")
    for number in range(count):
        template = rng.choice(templates)
        own = sentences(template.body)[:1]
        drawn = [rng.choice(pool) for _ in range(rng.randint(2, 12))]
        body = own + drawn
        paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
        record = {
            "id": f"s{number:06d}",
            "title": template.title,
            "body": "\n\n".join(paragraphs),
            "source": template.source,
        }
        if template.date:
            record["date"] = (template.date + timedelta(days=rng.randint(0, 3650))).isoformat()
        yield record


def write_records(records: Iterator[dict], folder: Path, per_file: int = ARTICLES_PER_FILE) -> list[Path]:
    """Records into gzipped JSON Lines files of ``per_file`` each, as a feed archive would be kept."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    handle = None
    try:
        for number, record in enumerate(records):
            if number % per_file == 0:
                if handle:
                    handle.close()
                written.append(folder / f"part-{len(written):04d}.jsonl.gz")
                handle = gzip.open(written[-1], "wt", encoding="utf-8", compresslevel=1)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if handle:
            handle.close()
    return written


def changed_copy(path: Path, changes: int, marker: str) -> list[str]:
    """Rewrite the first ``changes`` records of a JSON Lines file with a new closing sentence;
    returns their ids. The incremental reindex benchmark then finds them changed."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    for record in records[:changes]:
        record["body"] += f"\n\nUpdated: {marker} figures were revised."
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
        handle.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    return [record["id"] for record in records[:changes]]
