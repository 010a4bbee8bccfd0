"""The scale benchmark runs end to end on a tiny corpus shaped like the shared ones."""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path

from benchmarks import scale as benchmark

from .paths import DATA


def _tiny_corpora(folder: Path) -> int:
    """The four shared files' shapes (JSON Lines and a CSV without header), from tests/data."""
    articles = []
    for line in (DATA / "articles.jsonl").read_text("utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue  # the sample file holds a broken line on purpose
        if isinstance(record, dict) and record.get("title") and record.get("body"):
            articles.append(record)
    folder.mkdir()
    for name in ("reuters", "bbc_news", "financial_headlines"):
        with gzip.open(folder / f"{name}.jsonl.gz", "wt", encoding="utf-8") as handle:
            for number, article in enumerate(articles):
                body = f"{article['body']} Reported by {name}."  # each file its own text, nothing folded
                handle.write(json.dumps({**article, "id": f"{name}-{number}", "body": body}) + "\n")
    rows = io.StringIO()
    csv.writer(rows, quoting=csv.QUOTE_ALL).writerows(["3", a["title"], a["body"]] for a in articles)
    with gzip.open(folder / "ag_news_test.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(rows.getvalue())
    return 4 * len(articles)


def test_benchmark_prints_every_figure(tmp_path, capsys):
    data = tmp_path / "data"
    count = _tiny_corpora(data)
    assert benchmark.main(["--data", str(data), "--scaled", "1200", "--rounds", "1", "--no-datasette",
                           "--work", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"== real corpora: {count} articles (0 identical copies folded, 0 inputs skipped)" in out
    assert "== scaled 1,200: " in out  # so few real sentences recombine into some identical copies
    for engine in ("newsfacet service", "newsfacet HTTP API", "Whoosh groupedby", "SQLite FTS5 in-process"):
        assert len(re.findall(rf"^{engine} +[0-9.]+ +[0-9.]+ ", out, re.M)) == 2, engine
    assert out.count("peak memory: newsfacet serve") == 2
    assert "incremental reindex of 100 changed articles" in out
    assert re.search(r"[1-9][0-9]* visible to the running server", out)


def test_benchmark_says_where_the_corpora_are_missing(tmp_path, capsys):
    assert benchmark.main(["--data", str(tmp_path / "nowhere"), "--no-datasette"]) == 2
    assert "no corpora at" in capsys.readouterr().err
