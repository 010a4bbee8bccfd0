"""A profile as JSON, its shape declared once (as :mod:`.serialize` declares the search's):
``/api/companies/<name>`` and ``/api/technologies/<name>`` answer with it and the OpenAPI
document describes it from the same fields."""

from __future__ import annotations

from typing import Any

from indexer.search.profiles import ASSOCIATED, MIN_SHARED, Profile
from indexer.search.serialize import (
    INTEGER,
    NULLABLE_STRING,
    STRING,
    STRINGS,
    JsonField,
    object_schema,
    to_json,
)

NUMBER: dict[str, Any] = {"type": "number"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


PERIOD_FIELDS = (
    JsonField("start", DATE, lambda p: p.start.isoformat(), "First day of the period (UTC)."),
    JsonField("end", DATE, lambda p: p.end.isoformat(), "Last day of the period (UTC), inclusive."),
    JsonField("label", STRING, lambda p: p.label),
    JsonField("count", INTEGER, lambda p: p.count, "Articles dated in the period."),
)

ASSOCIATION_FIELDS = (
    JsonField("name", STRING, lambda a: a.name),
    JsonField("shared", INTEGER, lambda a: a.shared, "Articles with both values."),
    JsonField(
        "expected", NUMBER, lambda a: a.expected, "Articles both would share by chance: articles(A) × articles(B) / N."
    ),
    JsonField("lift", NUMBER, lambda a: a.lift, "shared / expected: above 1, they appear together more than chance."),
    JsonField("articles", INTEGER, lambda a: a.articles, "Articles with the other value, in the whole index."),
)

LATEST_FIELDS = (
    JsonField("id", STRING, lambda a: a.id),
    JsonField("title", STRING, lambda a: a.title),
    JsonField("date", {**NULLABLE_STRING, "format": "date-time"}, lambda a: a.date.isoformat() if a.date else None),
    JsonField("source", NULLABLE_STRING, lambda a: a.source),
)

KNOWLEDGE_FIELDS = (
    JsonField("aliases", STRINGS, lambda k: list(k.aliases), "Other names the value is written as."),
    JsonField("parent", NULLABLE_STRING, lambda k: k.parent, "The parent company, or the broader technology."),
    JsonField("units", STRINGS, lambda k: list(k.units), "Subsidiaries and units, or the narrower technologies."),
)


def _associations(values: Any) -> list[dict[str, Any]]:
    return [to_json(ASSOCIATION_FIELDS, value) for value in values]


ASSOCIATIONS_DESCRIPTION = (
    f"At most {ASSOCIATED} values sharing at least {MIN_SHARED} articles, highest lift first, then most shared."
)

PROFILE_FIELDS = (
    JsonField("kind", {"type": "string", "enum": ["company", "technology"]}, lambda p: p.kind),
    JsonField("name", STRING, lambda p: p.name, "The value as indexed."),
    JsonField("total", INTEGER, lambda p: p.total, "Articles with the value."),
    JsonField("undated", INTEGER, lambda p: p.undated, "Of those, articles without a date (in no period)."),
    JsonField(
        "granularity",
        {"type": "string", "enum": ["day", "week", "month", "year"]},
        lambda p: p.granularity,
        "The length of each period: days for a span of a month, weeks up to half a year, months up to 20 years.",
    ),
    JsonField(
        "periods",
        _array(object_schema(PERIOD_FIELDS)),
        lambda p: [to_json(PERIOD_FIELDS, period) for period in p.periods],
        "Articles per period from the first dated article to the last, empty periods included.",
    ),
    JsonField("min_shared", INTEGER, lambda p: p.min_shared, "Articles a pair must share to be listed."),
    JsonField(
        "companies",
        _array(object_schema(ASSOCIATION_FIELDS)),
        lambda p: _associations(p.companies),
        ASSOCIATIONS_DESCRIPTION,
    ),
    JsonField(
        "technologies",
        _array(object_schema(ASSOCIATION_FIELDS)),
        lambda p: _associations(p.technologies),
        ASSOCIATIONS_DESCRIPTION,
    ),
    JsonField(
        "latest",
        _array(object_schema(LATEST_FIELDS)),
        lambda p: [to_json(LATEST_FIELDS, article) for article in p.latest],
        "The newest articles, undated ones last.",
    ),
    JsonField(
        "knowledge",
        {**object_schema(KNOWLEDGE_FIELDS), "type": ["object", "null"]},
        lambda p: to_json(KNOWLEDGE_FIELDS, p.knowledge) if p.knowledge else None,
        "What the company knowledge base or the technology taxonomy says; null for a name neither knows.",
    ),
)


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """The object the profile API answers."""
    return to_json(PROFILE_FIELDS, profile)
