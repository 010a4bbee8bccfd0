"""The index's codec writes what Whoosh's own codec writes, in blocks NumPy reads whole.

Two indexes of the same articles, one written through Whoosh's codec and one
through ours, must hold the same postings (document numbers, weights and word
positions) however they are read: through Whoosh's matchers, as arrays, by
skipping, by phrase queries, and after Whoosh merges segments of one format
into the other.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser

from indexer.article import Article
from indexer.index.codec import BLOCK_POSTINGS, ArrayCodec, index_writer
from indexer.index.postings import term_postings
from indexer.index.schema import BODY_FIELD, ID_FIELD, TITLE_FIELD, article_to_document, build_schema

# Words from a small vocabulary, so the common ones fill several blocks, some words
# repeated within an article (weights above 1) and one word of its own per article
# (a single posting, which Whoosh keeps in the term index).
COMMON = ("market", "shares", "oil", "bank", "profit", "chip", "battery", "merger", "rates", "steel")
ARTICLES = 3 * BLOCK_POSTINGS + 41


def _articles() -> list[Article]:
    chooser = random.Random(7)
    articles = []
    for number in range(ARTICLES):
        words = [chooser.choice(COMMON) for _ in range(chooser.randint(3, 40))] + [f"unique{number}"]
        chooser.shuffle(words)
        title = " ".join(chooser.sample(COMMON, 3))
        articles.append(
            Article(
                id=f"a{number}",
                title=title,
                body=" ".join(words) + ".",
                source="codec",
                date=datetime(2024, 1, 1 + number % 28, tzinfo=UTC),
            )
        )
    return articles


def _build(folder: Path, ours: bool, articles: list[Article]):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = index_writer(ix) if ours else ix.writer()
    for article in articles:
        writer.add_document(**article_to_document(article))
    writer.commit()
    return ix


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    folder = tmp_path_factory.mktemp("codec")
    articles = _articles()
    theirs, ours = _build(folder / "whoosh", False, articles), _build(folder / "array", True, articles)
    yield theirs, ours
    theirs.close()
    ours.close()


def _items(reader, field: str, term: bytes) -> list[tuple[int, float, bytes]]:
    matcher = reader.postings(field, term)
    items = []
    while matcher.is_active():
        items.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return items


def _lexicon(reader, field: str) -> list[bytes]:
    return list(reader.lexicon(field))


def test_our_segments_record_our_codec(both):
    theirs, ours = both
    assert [type(s.codec()).__name__ for s in ours._segments()] == ["ArrayCodec"]
    assert [type(s.codec()).__name__ for s in theirs._segments()] == ["W3Codec"]


@pytest.mark.parametrize("field", [BODY_FIELD, TITLE_FIELD])
def test_every_posting_reads_back_as_whoosh_wrote_it(both, field):
    theirs, ours = both
    with theirs.reader() as expected, ours.reader() as found:
        terms = _lexicon(expected, field)
        assert _lexicon(found, field) == terms
        longest = max(expected.doc_frequency(field, term) for term in terms)
        assert longest > BLOCK_POSTINGS  # lists of several blocks are compared, not only short ones
        for term in terms:
            assert _items(found, field, term) == _items(expected, field, term), term
            ids, weights = term_postings(found, field, term)
            want_ids, want_weights = term_postings(expected, field, term)
            assert ids.tolist() == want_ids.tolist() and weights.tolist() == want_weights.tolist(), term
            assert found.doc_frequency(field, term) == expected.doc_frequency(field, term)


def test_skipping_lands_on_the_same_postings(both):
    theirs, ours = both
    with theirs.reader() as expected, ours.reader() as found:
        for target in (0, 5, BLOCK_POSTINGS - 1, BLOCK_POSTINGS, 2 * BLOCK_POSTINGS + 3, ARTICLES - 1):
            landed = []
            for reader in (expected, found):
                matcher = reader.postings(BODY_FIELD, b"market")
                matcher.skip_to(target)
                landed.append((matcher.id(), matcher.weight(), matcher.value()) if matcher.is_active() else None)
            assert landed[0] == landed[1], target


@pytest.mark.parametrize("text", ['"oil bank"', '"market shares"~2', "steel AND NOT merger", "unique77", "chip*"])
def test_whoosh_queries_answer_alike(both, text):
    theirs, ours = both
    answers = []
    for ix in (theirs, ours):
        query = QueryParser(BODY_FIELD, ix.schema).parse(text)
        with ix.searcher() as searcher:
            answers.append([(hit.docnum, round(hit.score, 9)) for hit in searcher.search(query, limit=None)])
    assert answers[0] == answers[1]
    assert answers[0]  # the query finds something


def test_a_merge_rewrites_whoosh_segments_in_our_format(both, tmp_path):
    theirs, _ = both
    articles = _articles()
    old = _build(tmp_path / "old", False, articles[:700])
    writer = index_writer(old)
    for article in articles[700:]:
        writer.add_document(**article_to_document(article))
    writer.commit(optimize=True)
    old = whoosh_index.open_dir(str(tmp_path / "old"))
    assert [type(s.codec()) for s in old._segments()] == [ArrayCodec]
    with theirs.reader() as expected, old.reader() as found:
        for term in _lexicon(expected, BODY_FIELD):
            # The merged documents come after the writer's own: compared by article.
            assert _by_article(found, term) == _by_article(expected, term), term
    old.close()


def _by_article(reader, term: bytes) -> set[tuple[str, float, bytes]]:
    return {(reader.stored_fields(d)[ID_FIELD], w, v) for d, w, v in _items(reader, BODY_FIELD, term)}


def test_arrays_of_a_list_of_several_blocks(both):
    _, ours = both
    with ours.reader() as reader:
        ids, weights = term_postings(reader, BODY_FIELD, "market")
    assert len(ids) > BLOCK_POSTINGS
    assert ids.dtype == np.int64 and weights.dtype == np.float32
    assert (np.diff(ids) > 0).all()
