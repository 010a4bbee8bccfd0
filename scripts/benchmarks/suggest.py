"""Suggesting new taxonomy terms from a corpus with nltk's collocation finders.

Phrases that occur together far more often than chance ("flash memory",
"set top box") and that share a word with an existing technology synonym are
candidates for the taxonomy; those it already matches are left out. A person
decides what goes into ``indexer/data/technologies.tsv``.

Run it as ``scripts/suggest-technologies CORPUS [CORPUS ...]``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from nltk.collocations import BigramCollocationFinder, TrigramCollocationFinder
from nltk.metrics import BigramAssocMeasures, TrigramAssocMeasures
from nltk.tokenize import RegexpTokenizer

from indexer.facets.phrases import phrase_keys
from indexer.facets.technologies import Taxonomy, extract_technologies, load_taxonomy
from indexer.ingest.files import read_articles
from indexer.stemming import stem

_WORDS = RegexpTokenizer(r"[a-z][a-z0-9\-]+")
# Function words never start or end a useful term.
_STOP = frozenset(
    "a an the and or of to in on at for from by with as is are was were be been has have had it its this that "
    "these those which who will would could should may might can said says say also but not than more most "
    "new over after before about into up down out their his her they we you he she there here all some such "
    "other one two three year years last first per cent mr mrs ms".split()
)


@dataclass(frozen=True)
class Suggestion:
    phrase: str
    count: int
    score: float
    related: str  # the technology whose synonyms share a word with the phrase


def suggest_terms(
    texts: Iterable[str], taxonomy: Taxonomy | None = None, min_count: int = 5, limit: int = 50
) -> list[Suggestion]:
    """Collocations of two or three words that end in a technology's head word and
    occur mostly in articles already tagged with that technology, but are not
    matched by the taxonomy yet; strongest first."""
    taxonomy = taxonomy or load_taxonomy()
    originals = list(texts)
    tags = [set(extract_technologies(text, taxonomy)) for text in originals]
    texts = [text.lower() for text in originals]
    words = [word for text in texts for word in _WORDS.tokenize(text)]
    related_by_stem = _stems_to_technologies(taxonomy)
    candidates: list[Suggestion] = []
    for finder, measure in (
        (BigramCollocationFinder.from_words(words), BigramAssocMeasures.likelihood_ratio),
        (TrigramCollocationFinder.from_words(words), TrigramAssocMeasures.likelihood_ratio),
    ):
        finder.apply_freq_filter(min_count)
        finder.apply_word_filter(lambda word: word in _STOP or word.isdigit())
        for ngram, value in finder.score_ngrams(measure):
            related = related_by_stem.get(stem(ngram[-1]))
            phrase = " ".join(ngram)
            if related and not extract_technologies(f"{phrase}\n{phrase} {phrase}", taxonomy):
                candidates.append(Suggestion(phrase, finder.ngram_fd[ngram], round(value, 1), related))
    candidates.sort(key=lambda s: -s.score)
    return [c for c in candidates[: limit * 10] if _mostly_in_tagged(c, texts, tags)][:limit]


def _mostly_in_tagged(candidate: Suggestion, texts: list[str], tags: list[set[str]]) -> bool:
    """At least half the articles using the phrase are tagged with its related technology."""
    using = [i for i, text in enumerate(texts) if candidate.phrase in text]
    tagged = [i for i in using if candidate.related in tags[i]]
    return bool(using) and len(tagged) * 2 >= len(using)


def _stems_to_technologies(taxonomy: Taxonomy) -> dict[str, str]:
    """Head words (the last word of each synonym) and the technology they belong to.

    A phrase ending in one ("flash memory", "camera phone") names a kind of that
    technology; sharing only a modifier ("home", "open") says nothing.
    """
    related: dict[str, str] = {}
    generic = {stem(word) for word in ("technology", "system", "service", "network", "device", "market", "maker")}
    for tech in taxonomy.technologies.values():
        for synonym in tech.synonyms:
            keys = phrase_keys(synonym)
            if keys and keys[-1][:1] not in "=~" and len(keys[-1]) > 2 and keys[-1] not in generic:
                related.setdefault(keys[-1], tech.name)
    return related


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="suggest-technologies", description="Suggest taxonomy terms from a corpus of articles."
    )
    parser.add_argument("corpus", nargs="+", help="files or folders in any format newsfacet indexes")
    parser.add_argument("--min-count", type=int, default=5, help="ignore phrases seen fewer times")
    parser.add_argument("--limit", type=int, default=50, help="how many suggestions to print")
    args = parser.parse_args(argv)
    batch = read_articles(args.corpus)
    for skipped in batch.skipped:
        print(f"skipped {skipped.origin}: {skipped.reason}", file=sys.stderr)
    if not batch.articles:
        print("suggest-technologies: no articles read", file=sys.stderr)
        return 1
    texts = (f"{article.title}\n{article.body}" for article in batch.articles)
    suggestions = suggest_terms(texts, min_count=args.min_count, limit=args.limit)
    print("phrase\tcount\tscore\trelated technology")
    for suggestion in suggestions:
        print(f"{suggestion.phrase}\t{suggestion.count}\t{suggestion.score}\t{suggestion.related}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
