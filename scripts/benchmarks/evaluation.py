"""Measuring facet extraction against labelled articles.

The labelled file holds JSON lines with ``id``, ``title``, ``body`` and the
expected ``companies`` (``[{"name", "aliases"}]``) and ``technologies``
(canonical names). A predicted company is right when its normalized form
(case, punctuation and legal forms ignored) equals the name or an alias of a
labelled company not matched before; a second prediction of the same company
is wrong, since the facet list would show it twice. Predicted technologies
outside the labelling vocabulary, when one is given, are ignored.

Company names are learned as a full build learns them: from the collection the
labelled articles belong to (by default the corpora in the ``data`` folder beside
the labelled file's folder, as in ``../shared``), so the scores are those of the
facets an index of that collection holds. ``--collection`` names other corpora;
``--learn-from labelled`` learns from the labelled articles alone and
``--learn-from nothing`` not at all, to show what learning adds.

Run it as ``scripts/evaluate-facets LABELLED.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from indexer.article import Article
from indexer.facets.companies import CompanyExtractor
from indexer.facets.extract import extract_learned, learn_company_names
from indexer.ingest.files import read_articles
from indexer.ingest.records import article_from_record

_LEGAL_FORMS = frozenset(
    "inc incorporated corp corporation co company cos ltd limited plc llc lp ag sa se nv bv gmbh kk spa "
    "ab asa holdings holding group the".split()
)


class LabelledFileError(ValueError):
    """The labelled file cannot be read: not JSON lines, or a record without an id."""


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(frozen=True)
class Evaluation:
    companies: Scores
    technologies: Scores
    errors: tuple[tuple[str, str, str, str], ...] = field(default=())  # id, facet, extra|missed, value


def normalize_company(name: str) -> str:
    """ "Toyota Motor Corp." -> "toyota motor"; "The Procter & Gamble Co" -> "procter and gamble"."""
    words = re.sub(r"[^\w\s]", " ", name.lower().replace("&", " and ")).split()
    while words and words[-1] in _LEGAL_FORMS:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def score(labelled: Iterable[dict], predicted: dict[str, dict], vocabulary: frozenset[str] | None = None) -> Evaluation:
    """Micro-averaged scores of ``predicted`` (by record key) against ``labelled``."""
    company = [0, 0, 0]
    technology = [0, 0, 0]
    errors = []
    for record in labelled:
        key = record_key(record)
        guess = predicted.get(key, {"companies": [], "technologies": []})
        forms = [{normalize_company(a) for a in (c["name"], *c.get("aliases", ()))} for c in record["companies"]]
        matched = [False] * len(forms)
        for name in guess["companies"]:
            hit = next((i for i, f in enumerate(forms) if normalize_company(name) in f and not matched[i]), None)
            if hit is None:
                company[1] += 1
                errors.append((key, "company", "extra", name))
            else:
                matched[hit] = True
                company[0] += 1
        for was_matched, labelled_company in zip(matched, record["companies"], strict=True):
            if not was_matched:
                company[2] += 1
                errors.append((key, "company", "missed", labelled_company["name"]))
        want = {t.lower() for t in record["technologies"]}
        got = {t.lower() for t in guess["technologies"] if vocabulary is None or t.lower() in vocabulary}
        technology[0] += len(want & got)
        technology[1] += len(got - want)
        technology[2] += len(want - got)
        errors += [(key, "technology", "extra", t) for t in sorted(got - want)]
        errors += [(key, "technology", "missed", t) for t in sorted(want - got)]
    return Evaluation(Scores(*company), Scores(*technology), tuple(errors))


def record_key(record: dict) -> str:
    return f"{record.get('corpus', '')}/{record['id']}"


def load_labelled(path: Path) -> list[dict]:
    records = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as error:
        raise LabelledFileError(f"cannot read {path}: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            record["id"], record.setdefault("companies", []), record.setdefault("technologies", [])
        except (ValueError, KeyError, TypeError) as error:
            raise LabelledFileError(f"{path}:{number}: not a labelled record: {error}") from error
        records.append(record)
    return records


def load_vocabulary(labelled_path: Path) -> frozenset[str] | None:
    """The labelling vocabulary, ``technologies.tsv`` beside the labelled file, if there is one."""
    tsv = labelled_path.with_name("technologies.tsv")
    if not tsv.is_file():
        return None
    rows = tsv.read_text("utf-8").splitlines()[1:]
    return frozenset(row.split("\t")[0].lower() for row in rows if row.strip())


def evaluate(
    records: list[dict], vocabulary: frozenset[str] | None = None, extractor: CompanyExtractor | None = None
) -> Evaluation:
    """Extract facets from the labelled records with the project's extractor and score them.

    ``extractor`` is one that has learned company names (see :func:`learned_from`); by
    default one learns from the records themselves, as a build of them alone would.
    """
    articles = labelled_articles(records)
    extractor = extractor or learn_company_names(articles)
    predicted = {
        record_key(record): {"companies": list(a.companies), "technologies": list(a.technologies)}
        for record, a in zip(records, extract_learned(articles, extractor), strict=True)
    }
    return score(records, predicted, vocabulary)


def labelled_articles(records: Sequence[dict]) -> list[Article]:
    """The records read as the indexer reads a JSON record, so the scores are those of what gets indexed."""
    return [article_from_record(r, f"line-{n}", "", f"record {n}") for n, r in enumerate(records, start=1)]


def learned_from(collection: Sequence[Article], *labelled: Sequence[dict]) -> CompanyExtractor:
    """An extractor that learned company names as a build of an index holding ``collection``
    and the ``labelled`` records would."""
    return learn_company_names([*collection, *(a for records in labelled for a in labelled_articles(records))])


def default_collection(labelled_path: Path) -> list[Path]:
    """The corpora the labelled articles come from: the ``data`` folder beside the labelled
    file's folder (``../shared/data`` for ``../shared/eval/dev.jsonl``), if there is one."""
    data = labelled_path.resolve().parent.parent / "data"
    return [data] if data.is_dir() else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="evaluate-facets", description="Score the facet extractor on labelled articles."
    )
    parser.add_argument("labelled", type=Path, help="labelled JSON lines (id, title, body, companies, technologies)")
    parser.add_argument(
        "--collection",
        type=Path,
        action="append",
        help="corpus file or folder the labelled articles belong to, read as the indexer reads it "
        "(repeatable; default: the data folder beside the labelled file's folder, if any)",
    )
    parser.add_argument(
        "--learn-from",
        choices=("collection", "labelled", "nothing"),
        default="collection",
        help="where company names are learned: the collection and the labelled articles (default), "
        "the labelled articles alone, or nowhere",
    )
    parser.add_argument("--errors", action="store_true", help="list every extra and missed label")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    try:
        records = load_labelled(args.labelled)
    except LabelledFileError as error:
        print(f"evaluate-facets: {error}", file=sys.stderr)
        return 2
    extractor = CompanyExtractor() if args.learn_from == "nothing" else None
    if args.learn_from == "collection":
        paths = args.collection or default_collection(args.labelled)
        collection = list(read_articles(paths).articles) if paths else []
        print(f"learning names from {len(collection)} collection articles", file=sys.stderr)
        extractor = learned_from(collection, records)
    result = evaluate(records, load_vocabulary(args.labelled), extractor)
    if args.errors:
        for row in result.errors:
            print("\t".join(row))
    if args.json:
        print(json.dumps({"companies": result.companies.as_dict(), "technologies": result.technologies.as_dict()}))
        return 0
    print(f"{len(records)} labelled articles")
    for facet, scores in (("companies", result.companies), ("technologies", result.technologies)):
        print(
            f"{facet:13} precision {scores.precision:.3f}  recall {scores.recall:.3f}  F1 {scores.f1:.3f}"
            f"  (tp {scores.tp}, fp {scores.fp}, fn {scores.fn})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
