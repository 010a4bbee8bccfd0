from datetime import UTC, datetime

import pytest

from indexer.errors import InputError
from indexer.ingest.text_article import parse_text_article, title_from_text

from .paths import SEED_MAZDA, SEED_TOYOTA, SEEDS

FURNITURE = [
    "Enlarge Image",
    "See all photos",
    "2 min read",
    "toyota-panasonic-jv-promo",
    "Cars are Andrew's jam",
    "Reviews Editor",
    "MENAFN31032024000045015682ID1108040431",
    "Corolla Hybrid requires few sacrifices",
]


def parse_seed(name: str):
    return parse_text_article((SEEDS / f"{name}.txt").read_text("utf-8"), name)


def test_seed_with_page_furniture():
    article = parse_seed(SEED_TOYOTA)
    assert article.title == "Toyota, Panasonic will make a new joint venture focusing on 'smart cities'"
    assert article.author == "Andrew Krok"
    assert article.date is None
    assert article.source is None
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0] == "The two are also working on prismatic cell development for EV batteries."
    # The paragraph that the page broke around a link is whole again.
    assert paragraphs[2].startswith("Toyota and Panasonic are far from strange bedfellows")
    assert paragraphs[-1].endswith("charging times.")
    assert len(paragraphs) == 7


def test_seed_without_headline():
    article = parse_seed(SEED_MAZDA)
    assert article.date == datetime(2024, 3, 31, tzinfo=UTC)
    assert article.source == "MENAFN"
    assert article.author is None
    assert article.title.startswith("Mazda Motor and Panasonic Holdings' power unit have recently inked")
    assert len(article.title) <= 111
    assert article.body.startswith("In a move aimed at bolstering their electric vehicle (EV) capabilities")
    assert article.body.endswith("increasingly electrified automotive landscape.")
    assert "(MENAFN)" not in article.body and "date 2024" not in article.body


@pytest.mark.parametrize("name", [SEED_TOYOTA, SEED_MAZDA])
@pytest.mark.parametrize("furniture", FURNITURE)
def test_body_free_of_furniture(name, furniture):
    assert furniture not in parse_seed(name).body


def test_header_block():
    text = (
        "Title: Siemens buys a start-up\nDate: Fri, 17 July 2020\nSource: Example News\n"
        "URL: https://example.com/a\nAuthor: Ana Lima\n\nSiemens AG bought it.\n"
    )
    article = parse_text_article(text, "a", origin="a.txt")
    assert (article.title, article.date, article.source, article.url, article.author, article.body) == (
        "Siemens buys a start-up",
        datetime(2020, 7, 17, tzinfo=UTC),
        "Example News",
        "https://example.com/a",
        "Ana Lima",
        "Siemens AG bought it.",
    )


@pytest.mark.parametrize("text", ["", "   \n\n  ", "X\n\nEnlarge Image\n\nSee all photos\n"])
def test_no_article_text(text):
    with pytest.raises(InputError):
        parse_text_article(text, "x")


@pytest.mark.parametrize(
    "paragraph, title",
    [
        ("Shares rose. Then they fell.", "Shares rose"),
        (
            "In a widely expected move on Monday, Acme Corp raised prices for its widgets again.",
            "Acme Corp raised prices for its widgets again",
        ),
        ("word " * 60, ("word " * 60)[:110].rsplit(" ", 1)[0].rstrip() + "…"),
    ],
)
def test_title_from_text(paragraph, title):
    assert title_from_text(paragraph) == title
