"""Result excerpts: the best window of the body, escaped, with the matched words marked."""

from __future__ import annotations

import pytest

from indexer.search.highlight import lead, snippet
from indexer.stemming import stem

LONG = (
    "Opening words that say nothing in particular about the story at all. " * 4
    + "Panasonic said its battery plant will double output of batteries for cars. "
    + "Closing words that also say nothing in particular about it. " * 4
)


@pytest.mark.parametrize(
    "body, terms, expected",
    [
        ("EV batteries are cheaper.", {"batteri"}, "EV <mark>batteries</mark> are cheaper."),
        ("Happy users, happy sellers.", {"happi"}, "<mark>Happy</mark> users, <mark>happy</mark> sellers."),
        (
            "<script>alert(1)</script> battery",
            {"batteri"},
            "&lt;script&gt;alert(1)&lt;/script&gt; <mark>battery</mark>",
        ),
        ("No match here.", {"batteri"}, "No match here."),
        ("Line one\n\nbattery  line   two", {"batteri"}, "Line one <mark>battery</mark> line two"),
    ],
)
def test_short_bodies(body, terms, expected):
    assert snippet(body, frozenset(terms), stem) == expected


def test_long_body_shows_the_window_with_most_matches():
    text = snippet(LONG, frozenset({"batteri", "panason"}), stem)
    assert text.startswith("… ") and text.endswith(" …")
    assert "<mark>Panasonic</mark> said its <mark>battery</mark> plant" in text
    assert "<mark>batteries</mark> for cars" in text
    assert len(text.replace("<mark>", "").replace("</mark>", "")) <= 240 + 4


def test_lead_cuts_at_a_word():
    assert lead("word " * 100, 23) == "word word word word …"
    assert lead("short & sweet") == "short &amp; sweet"
