"""Measuring event extraction: against labelled articles, and against Reuters' editors.

``scripts/evaluate-events LABELLED.jsonl`` extracts the events of labelled
articles (``{"id", "title", "body", "events": [{"type", "participants":
[{"name", "role"}]}]}``) as an index build does, company names learned from
the collection they belong to, and prints precision, recall and F1 of the event
types per article and of the (type, company, role) triples per article, with the
definitions of ``score_events.py`` (companies compared lower-cased, without
punctuation or legal forms).

``--reuters reuters.jsonl.gz`` also measures agreement with Reuters' editors
the share of stories filed under topic ``acq`` that get an Acquisition or Stake
event, and of the stories given one that are filed under ``acq``; likewise
``earn`` and Earnings: over the stories the editors filed by topic, and over
every story with text (a story never filed by topic is no evidence against an
event). Only this measurement reads the topics; the extractor never does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.evaluation import (
    LabelledFileError,
    Scores,
    default_collection,
    labelled_articles,
    learned_from,
    load_labelled,
    record_key,
)
from indexer.article import Article
from indexer.facets.extract import extract_learned, learn_company_names
from indexer.ingest.files import read_articles

# score_events.py's normal form of a company name.
_LEGAL = re.compile(r"\b(inc|corp|corporation|co|company|ltd|limited|plc|ag|sa|nv|se|llc|lp|holdings?|group)\b")
# Reuters topics and the event types that stand for them.
AGREEMENT = (("acq", ("Acquisition", "Stake")), ("earn", ("Earnings",)))


@dataclass(frozen=True)
class EventScores:
    types: Scores
    roles: Scores
    errors: tuple[tuple[str, str, str], ...]  # (record key, extra|missed, what)
    # Gold triples whose company is one of the article's company facet values: only these can
    # be found, since an event names only companies the facet found (None: not worked out).
    reachable: int | None = None

    @property
    def reachable_recall(self) -> float:
        """Recall of the role triples within the company facet's reach."""
        return self.roles.tp / self.reachable if self.reachable else 0.0


def normalize(name: str) -> str:
    name = re.sub(r"[^a-z0-9 ]", " ", name.lower())
    return " ".join(_LEGAL.sub(" ", name).split())


def event_sets(events: Iterable[dict]) -> tuple[set[str], set[tuple[str, str, str]]]:
    """The event types, and the (type, company, role) triples, of one article's events."""
    types, triples = set(), set()
    for event in events:
        types.add(event["type"])
        for participant in event.get("participants", []):
            triples.add((event["type"], normalize(participant["name"]), participant.get("role", "")))
    return types, triples


@dataclass(frozen=True)
class Predictions:
    """What the extractor gave each labelled article (by record key): its events in the
    scorer's shape, and its company facet values, which bound the roles it can find."""

    events: dict[str, list[dict]]
    companies: dict[str, tuple[str, ...]]


def score_events(
    labelled: Sequence[dict],
    predicted: dict[str, list[dict]],
    companies: dict[str, tuple[str, ...]] | None = None,
) -> EventScores:
    """Type and role-triple scores of ``predicted`` events; with each article's ``companies``
    also how many gold triples name a company the facet found."""
    counts = {"types": [0, 0, 0], "roles": [0, 0, 0]}
    errors = []
    reachable = 0
    for record in labelled:
        key = record_key(record)
        gold_types, gold_roles = event_sets(record.get("events", []))
        if companies is not None:
            found = {normalize(name) for name in companies.get(key, ())}
            reachable += sum(1 for _, name, _ in gold_roles if name in found)
        got_types, got_roles = event_sets(predicted.get(key, []))
        for name, gold, got in (("types", gold_types, got_types), ("roles", gold_roles, got_roles)):
            counts[name][0] += len(gold & got)
            counts[name][1] += len(got - gold)
            counts[name][2] += len(gold - got)
            errors += [(key, "extra", str(item)) for item in sorted(got - gold)]
            errors += [(key, "missed", str(item)) for item in sorted(gold - got)]
    return EventScores(
        Scores(*counts["types"]),
        Scores(*counts["roles"]),
        tuple(errors),
        reachable if companies is not None else None,
    )


def events_json(article: Article) -> list[dict]:
    """An article's events in the shape the scorer reads (and ``newsfacet extract`` writes)."""
    return [
        {"type": e.type, "participants": [{"name": p.name, "role": p.role} for p in e.participants]}
        for e in article.events
    ]


def predict(records: Sequence[dict], collection: Sequence[Article]) -> Predictions:
    articles = labelled_articles(records)
    extractor = learned_from(collection, records)
    extracted = list(zip(records, extract_learned(articles, extractor), strict=True))
    return Predictions(
        events={record_key(record): events_json(article) for record, article in extracted},
        companies={record_key(record): article.companies for record, article in extracted},
    )


def reuters_agreement(path: Path) -> dict[str, dict[str, dict[str, float | int]]]:
    """Agreement of the events with Reuters' topics, by scope: the stories the editors filed
    by topic ("filed": ``topics_attr`` YES) and every story with text ("all")."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        records = {str(r["id"]): r for r in map(json.loads, filter(str.strip, lines))}
    articles = list(read_articles([path]).articles)
    extracted = extract_learned(articles, learn_company_names(articles))
    stem = path.name.split(".")[0]
    counts = {scope: {topic: [0, 0, 0] for topic, _ in AGREEMENT} for scope in ("filed", "all")}  # both, events, topic
    for article in extracted:
        record = records.get(article.id.removeprefix(stem + "/"), {})
        filed = set(record.get("topics") or ())
        scopes = ("filed", "all") if record.get("topics_attr") == "YES" else ("all",)
        types = {event.type for event in article.events}
        for topic, event_types in AGREEMENT:
            has_event, has_topic = bool(types & set(event_types)), topic in filed
            if has_event or has_topic:
                for scope in scopes:
                    counts[scope][topic][0 if has_event and has_topic else 1 if has_event else 2] += 1
    return {scope: {topic: Scores(*c).as_dict() for topic, c in by_topic.items()} for scope, by_topic in counts.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="evaluate-events", description="Score event extraction.")
    parser.add_argument("labelled", type=Path, help="labelled JSON lines with events")
    parser.add_argument("--collection", type=Path, action="append", help="corpora to learn company names from")
    parser.add_argument("--reuters", type=Path, help="Reuters-21578 JSON lines with topics, for agreement")
    parser.add_argument("--errors", action="store_true", help="list every extra and missed type and triple")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    try:
        records = load_labelled(args.labelled)
    except LabelledFileError as error:
        print(f"evaluate-events: {error}", file=sys.stderr)
        return 2
    paths = args.collection or default_collection(args.labelled)
    collection = list(read_articles(paths).articles) if paths else []
    predicted = predict(records, collection)
    result = score_events(records, predicted.events, predicted.companies)
    agreement = reuters_agreement(args.reuters) if args.reuters else {}
    if args.errors:
        for row in result.errors:
            print("\t".join(row))
    if args.json:
        reach = {"gold": result.roles.tp + result.roles.fn, "reachable": result.reachable}
        print(
            json.dumps(
                {
                    "types": result.types.as_dict(),
                    "roles": result.roles.as_dict(),
                    "roles_within_reach": {**reach, "recall": round(result.reachable_recall, 3)},
                    "reuters": agreement,
                }
            )
        )
        return 0
    print(f"{len(records)} labelled articles")
    for name, scores in (("types", result.types), ("roles", result.roles)):
        print(
            f"{name:6} precision {scores.precision:.3f}  recall {scores.recall:.3f}  F1 {scores.f1:.3f}"
            f"  (tp {scores.tp}, fp {scores.fp}, fn {scores.fn})"
        )
    gold = result.roles.tp + result.roles.fn
    if gold:
        print(
            f"roles within reach: {result.reachable} of {gold} gold triples name a company the company facet found"
            f" (recall ceiling {(result.reachable or 0) / gold:.3f}); recall of those {result.reachable_recall:.3f}"
        )
    for scope, by_topic in agreement.items():
        for topic, event_types in AGREEMENT:
            a = by_topic[topic]
            print(
                f"reuters ({scope}) {topic} vs {' or '.join(event_types)}: precision {a['precision']:.3f}  "
                f"recall {a['recall']:.3f}  (both {a['tp']}, events only {a['fp']}, topic only {a['fn']})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
