"""Facet extraction for articles: companies and technologies from title and body."""
from __future__ import annotations

from collections.abc import Iterable

from .article import Article
from .clean import clean_lines, join_wrapped_lines
from .companies import CompanyExtractor
from .progress import Progress, Silent
from .technologies import extract_technologies


def facet_text(article: Article) -> str:
    """The text facets are read from: the title line, then the cleaned body.

    Wrapped lines are joined so a name broken over two lines is whole again, and
    page furniture (bylines, bios, captions) goes as it does at ingest.
    """
    body = "\n\n".join(clean_lines(join_wrapped_lines(article.body).split("\n")).paragraphs)
    return f"{' '.join(article.title.split())}\n{body}"


def extract_facets(article: Article, companies: CompanyExtractor | None = None,
                   text: str | None = None) -> Article:
    """The article with its company and technology facets filled in.

    ``text`` is the article's :func:`facet_text` when the caller has it already.
    """
    text = facet_text(article) if text is None else text
    extractor = companies or CompanyExtractor()
    return article.with_facets(
        companies=extractor.extract(text, source=article.source),
        technologies=extract_technologies(text),
    )


def extract_facets_batch(articles: Iterable[Article], progress: Progress | None = None) -> list[Article]:
    """Facets for many articles at once, with corpus-level evidence.

    A company confirmed by its context in one article (``Paion AG``, ``branding
    firm SalterBaxter``) is then recognised where another article names it bare.
    """
    progress = progress or Silent()
    articles = list(articles)
    texts = [facet_text(article) for article in articles]
    extractor = CompanyExtractor()
    extractor.learn(progress.track(texts, "learning names", total=len(articles)))
    pairs = progress.track(list(zip(articles, texts)), "extracting facets", total=len(articles))
    return [extract_facets(article, extractor, text) for article, text in pairs]
