"""The Whoosh schema of the article index and the mapping of articles to documents."""

from __future__ import annotations

from datetime import UTC, datetime

from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.article import Article, Duplicate, Event, Participant
from indexer.facets.events import load_event_table
from indexer.facets.technologies import load_taxonomy
from indexer.stemming import stem

TITLE_BOOST = 2.0

# Field names: every module that reads or writes a field names it through these.
ID_FIELD = "id"
TITLE_FIELD = "title"
BODY_FIELD = "body"
# The words of title and body as written (unstemmed), for spelling suggestions and fuzzy terms.
PLAIN_FIELD = "plain"
DATE_FIELD = "date"
# 1 for an article without a date, so it sorts after dated ones either way.
UNDATED_FIELD = "undated"
SOURCE_FIELD = "source"
# Publication month, "2024-03", for the month facet.
MONTH_FIELD = "month"
SOURCE_FILE_FIELD = "source_file"
# Ids of identical copies folded into this article, so their addresses still work.
DUPLICATE_IDS_FIELD = "duplicate_ids"
CONTENT_HASH_FIELD = "content_hash"
# Facet fields: comma-separated, case kept, one term per value.
COMPANY_FIELD = "company"
# Tagged technologies plus their ancestors, so a parent filter finds its children.
TECHNOLOGY_FIELD = "technology"
# The types of the article's events ("Supply deal"): the Events facet.
EVENT_FIELD = "event"
# One "type|role|company" term per participant of each event, for the role filter.
EVENT_ROLE_FIELD = "event_role"
# The events as found, with every participant's role, for the pages and the API.
EVENTS_FIELD = "events"
# Fields added after 0.1: an index without them opens with no events, and the first
# update adds them (see IndexStore.update).
LATER_FIELDS = (EVENT_FIELD, EVENT_ROLE_FIELD, EVENTS_FIELD)

# What a typed query searches and ranks by.
QUERY_FIELDS = (TITLE_FIELD, BODY_FIELD)
# Every text field whose lengths ranking may read (fuzzy terms are scored on the plain words).
TEXT_FIELDS = (TITLE_FIELD, BODY_FIELD, PLAIN_FIELD)


def build_schema() -> Schema:
    """Title and body are stemmed with nltk's Snowball stemmer (title weighs more);
    the plain field keeps the words unstemmed for spelling suggestions; facet fields
    hold one term per value; stored fields carry what the pages show."""
    stemmed = StemmingAnalyzer(stemfn=stem)
    keyword = {"commas": True, "lowercase": False, "scorable": False}
    return Schema(
        **{
            ID_FIELD: ID(stored=True, unique=True),
            TITLE_FIELD: TEXT(stored=True, analyzer=stemmed, field_boost=TITLE_BOOST),
            BODY_FIELD: TEXT(stored=True, analyzer=stemmed),
            PLAIN_FIELD: TEXT(analyzer=StandardAnalyzer(stoplist=None), phrase=False),
            DATE_FIELD: DATETIME(stored=True, sortable=True),
            UNDATED_FIELD: NUMERIC(int, bits=8, signed=False, sortable=True),
            SOURCE_FIELD: ID(stored=True),
            MONTH_FIELD: ID,
            "author": STORED,
            "url": STORED,
            "origin": ID(stored=True),
            SOURCE_FILE_FIELD: ID(stored=True),
            "duplicates": STORED,
            DUPLICATE_IDS_FIELD: KEYWORD(**keyword),
            CONTENT_HASH_FIELD: STORED,
            "companies": STORED,
            "technologies": STORED,
            COMPANY_FIELD: KEYWORD(**keyword),
            TECHNOLOGY_FIELD: KEYWORD(**keyword),
            EVENTS_FIELD: STORED,
            EVENT_FIELD: KEYWORD(**keyword),
            EVENT_ROLE_FIELD: KEYWORD(**keyword),
        }
    )


def article_to_document(article: Article) -> dict:
    """The Whoosh document for an article (dates are stored as naive UTC)."""
    taxonomy = load_taxonomy()
    known = tuple(t for t in article.technologies if t in taxonomy.technologies)
    document = {
        ID_FIELD: article.id,
        TITLE_FIELD: article.title,
        BODY_FIELD: article.body,
        PLAIN_FIELD: f"{article.title}\n{article.body}",
        "origin": article.origin,
        SOURCE_FILE_FIELD: article.source_file,
        "duplicates": [{"id": d.id, "origin": d.origin, "source": d.source} for d in article.duplicates],
        DUPLICATE_IDS_FIELD: ",".join(d.id.replace(",", " ") for d in article.duplicates),
        CONTENT_HASH_FIELD: article.content_hash,
        "companies": list(article.companies),
        "technologies": list(article.technologies),
        COMPANY_FIELD: ",".join(facet_term(c) for c in article.companies),
        TECHNOLOGY_FIELD: ",".join(taxonomy.with_ancestors(known)),
        EVENTS_FIELD: [
            {"type": e.type, "participants": [{"name": p.name, "role": p.role} for p in e.participants]}
            for e in article.events
        ],
        EVENT_FIELD: ",".join(dict.fromkeys(facet_term(e.type) for e in article.events)),
        EVENT_ROLE_FIELD: ",".join(
            dict.fromkeys(
                facet_term(event_role(event.type, p.role, p.name))
                for event in article.events
                for p in event.participants
            )
        ),
        "author": article.author,
        "url": article.url,
    }
    if article.source:
        document[SOURCE_FIELD] = article.source
    if article.date:
        document[DATE_FIELD] = article.date.astimezone(UTC).replace(tzinfo=None)
        document[MONTH_FIELD] = article.date.astimezone(UTC).strftime("%Y-%m")
    document[UNDATED_FIELD] = 0 if article.date else 1
    return document


def document_to_article(fields: dict) -> Article:
    """The article back from its stored fields."""
    date = fields.get(DATE_FIELD)
    if isinstance(date, datetime):
        date = date.replace(tzinfo=UTC)
    return Article(
        id=fields[ID_FIELD],
        title=fields.get(TITLE_FIELD, ""),
        body=fields.get(BODY_FIELD, ""),
        date=date,
        source=fields.get(SOURCE_FIELD),
        author=fields.get("author"),
        url=fields.get("url"),
        origin=fields.get("origin", ""),
        source_file=fields.get(SOURCE_FILE_FIELD, ""),
        duplicates=tuple(Duplicate(**d) for d in fields.get("duplicates") or ()),
        companies=tuple(fields.get("companies") or ()),
        technologies=tuple(fields.get("technologies") or ()),
        events=tuple(
            Event(e["type"], tuple(Participant(p["name"], p["role"]) for p in e["participants"]))
            for e in fields.get(EVENTS_FIELD) or ()
        ),
    )


def event_role(event_type: str, role: str, company: str) -> str:
    """The value the role filter looks up: a company in a role in an event of a type.

    Types and roles come from the event table and never hold ``|``, so a company
    name may: the first two ``|`` are the separators.
    """
    return f"{event_type}|{role}|{company}"


def split_event_role(value: str) -> tuple[str, str, str]:
    """The type, role and company of an :func:`event_role` value."""
    event_type, role, company = value.split("|", 2)
    return event_type, role, company


def event_roles() -> dict[str, tuple[str, ...]]:
    """Each event type the index may hold, with its roles: the values the event fields are made of."""
    return dict(load_event_table().roles)


# A facet value may hold a comma ("Kidder, Peabody"), which the comma-separated keyword
# fields put between values: inside a value it is written as a character of Unicode's
# private use area, which no published text uses, and given back when the term is read.
_COMMA_IN_VALUE = "\ue000"


def facet_term(value: str) -> str:
    """The indexed term of one facet value."""
    return value.replace(",", _COMMA_IN_VALUE).strip()


def facet_value(term: str) -> str:
    """The facet value an indexed term stands for."""
    return term.replace(_COMMA_IN_VALUE, ",")
