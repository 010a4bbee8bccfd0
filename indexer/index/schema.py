"""The Whoosh schema of the article index and the mapping of articles to documents."""
from __future__ import annotations

from datetime import datetime, timezone

from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.article import Article, Duplicate
from indexer.stemming import stem
from indexer.facets.technologies import load_taxonomy

TITLE_BOOST = 2.0
# Facet field names; the search service and the facet definitions refer to them.
COMPANY_FIELD = "company"
TECHNOLOGY_FIELD = "technology"
SOURCE_FIELD = "source"
MONTH_FIELD = "month"


def build_schema() -> Schema:
    """Title and body are stemmed with nltk's Snowball stemmer (title weighs more);
    ``plain`` keeps the words unstemmed for spelling suggestions; facet fields
    hold one term per value; stored fields carry what the pages show."""
    stemmed = StemmingAnalyzer(stemfn=stem)
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=stemmed, field_boost=TITLE_BOOST),
        body=TEXT(stored=True, analyzer=stemmed),
        plain=TEXT(analyzer=StandardAnalyzer(stoplist=None), phrase=False),
        date=DATETIME(stored=True, sortable=True),
        # 1 for an article without a date, so it sorts after dated ones either way.
        undated=NUMERIC(int, bits=8, signed=False, sortable=True),
        source=ID(stored=True),
        # Publication month, "2024-03", for the month facet.
        month=ID,
        author=STORED,
        url=STORED,
        origin=ID(stored=True),
        source_file=ID(stored=True),
        duplicates=STORED,
        # Ids of identical copies folded into this article, so their addresses still work.
        duplicate_ids=KEYWORD(commas=True, lowercase=False, scorable=False),
        content_hash=STORED,
        companies=STORED,
        technologies=STORED,
        # Facet fields: comma-separated, case kept, one term per value.
        company=KEYWORD(commas=True, lowercase=False, scorable=False),
        # Tagged technologies plus their ancestors, so a parent filter finds its children.
        technology=KEYWORD(commas=True, lowercase=False, scorable=False),
    )


def article_to_document(article: Article) -> dict:
    """The Whoosh document for an article (dates are stored as naive UTC)."""
    taxonomy = load_taxonomy()
    known = tuple(t for t in article.technologies if t in taxonomy.technologies)
    document = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "plain": f"{article.title}\n{article.body}",
        "origin": article.origin,
        "source_file": article.source_file,
        "duplicates": [{"id": d.id, "origin": d.origin, "source": d.source} for d in article.duplicates],
        "duplicate_ids": ",".join(d.id.replace(",", " ") for d in article.duplicates),
        "content_hash": article.content_hash,
        "companies": list(article.companies),
        "technologies": list(article.technologies),
        "company": ",".join(_facet_value(c) for c in article.companies),
        "technology": ",".join(taxonomy.with_ancestors(known)),
        "author": article.author,
        "url": article.url,
    }
    if article.source:
        document["source"] = article.source
    if article.date:
        document["date"] = article.date.astimezone(timezone.utc).replace(tzinfo=None)
        document["month"] = article.date.astimezone(timezone.utc).strftime("%Y-%m")
    document["undated"] = 0 if article.date else 1
    return document


def document_to_article(fields: dict) -> Article:
    """The article back from its stored fields."""
    date = fields.get("date")
    if isinstance(date, datetime):
        date = date.replace(tzinfo=timezone.utc)
    return Article(
        id=fields["id"],
        title=fields.get("title", ""),
        body=fields.get("body", ""),
        date=date,
        source=fields.get("source"),
        author=fields.get("author"),
        url=fields.get("url"),
        origin=fields.get("origin", ""),
        source_file=fields.get("source_file", ""),
        duplicates=tuple(Duplicate(**d) for d in fields.get("duplicates") or ()),
        companies=tuple(fields.get("companies") or ()),
        technologies=tuple(fields.get("technologies") or ()),
    )


def _facet_value(value: str) -> str:
    # A comma would split one value in two in a comma-separated KEYWORD field.
    return value.replace(",", " ").strip()
