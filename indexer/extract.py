"""Facet extraction for a whole article: companies and technologies from title and body."""
from __future__ import annotations

from .article import Article
from .clean import clean_lines, join_wrapped_lines
from .companies import extract_companies
from .technologies import extract_technologies


def extract_facets(article: Article) -> Article:
    """The article with its company and technology facets filled in."""
    # Wrapped lines are joined so a name broken over two lines is whole again, and
    # page furniture (bylines, bios, captions) goes as it does at ingest.
    body = "\n\n".join(clean_lines(join_wrapped_lines(article.body).split("\n")).paragraphs)
    text = f"{' '.join(article.title.split())}\n{body}"
    return article.with_facets(
        companies=extract_companies(text, source=article.source),
        technologies=extract_technologies(text),
    )
