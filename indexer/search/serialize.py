"""Search answers as JSON data, their shape declared once.

Each object the API returns is a tuple of :class:`JsonField`: its name, its
JSON Schema and how its value is read. The API and ``newsfacet search --json``
build their answers from these tuples, and the OpenAPI document describes
them from the same tuples, so the description cannot drift from the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from indexer.search.events import EVENT_ROLES
from indexer.search.facets import FacetValue, all_of_names
from indexer.search.request import MODES, SORTS, SearchResult


@dataclass(frozen=True)
class JsonField:
    name: str
    schema: dict[str, Any]
    read: Callable[[Any], Any]
    description: str = ""


@dataclass(frozen=True)
class TypeAhead:
    """A facet's values that start with a prefix, as ``/api/facets/<name>`` returns them."""

    facet: str
    prefix: str
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class ErrorAnswer:
    """What the API answers when it cannot answer as asked."""

    status: int
    message: str


def to_json(fields: Sequence[JsonField], value: Any) -> dict[str, Any]:
    """``value`` as the JSON object ``fields`` describe."""
    return {field.name: field.read(value) for field in fields}


def object_schema(fields: Sequence[JsonField]) -> dict[str, Any]:
    """The JSON Schema of the object ``fields`` describe; every field is always present."""
    properties = {
        field.name: {**field.schema, **({"description": field.description} if field.description else {})}
        for field in fields
    }
    return {"type": "object", "required": [field.name for field in fields], "properties": properties}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


STRING: dict[str, Any] = {"type": "string"}
NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}
INTEGER: dict[str, Any] = {"type": "integer"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
STRINGS = _array(STRING)
VALUES_BY_FACET: dict[str, Any] = {"type": "object", "additionalProperties": STRINGS}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


FACET_VALUE_FIELDS = (
    JsonField("value", STRING, lambda v: v.value),
    JsonField("count", INTEGER, lambda v: v.count),
    JsonField("selected", BOOLEAN, lambda v: v.selected),
    JsonField("excluded", BOOLEAN, lambda v: v.excluded),
)

# A type-ahead answer lists values with their counts alone.
TYPEAHEAD_VALUE_FIELDS = FACET_VALUE_FIELDS[:2]

PARTICIPANT_FIELDS = (
    JsonField("name", STRING, lambda p: p.name, "A company the article is filed under."),
    JsonField("role", STRING, lambda p: p.role, f"Its role in the event: {', '.join(EVENT_ROLES)}."),
)

EVENT_FIELDS = (
    JsonField("type", STRING, lambda e: e.type, "Acquisition, Supply deal, Partnership, ..."),
    JsonField(
        "participants",
        _array(object_schema(PARTICIPANT_FIELDS)),
        lambda e: [to_json(PARTICIPANT_FIELDS, p) for p in e.participants],
    ),
)
EVENTS = _array(object_schema(EVENT_FIELDS))


def _events(events: Any) -> list[dict[str, Any]]:
    return [to_json(EVENT_FIELDS, event) for event in events]


EVENTS_DESCRIPTION = "The business events the article reports, each company with its role."

HIT_FIELDS = (
    JsonField("id", STRING, lambda h: h.id),
    JsonField("title", STRING, lambda h: h.title),
    JsonField("date", {**NULLABLE_STRING, "format": "date-time"}, lambda h: _iso(h.date)),
    JsonField("source", NULLABLE_STRING, lambda h: h.source),
    JsonField("companies", STRINGS, lambda h: list(h.companies)),
    JsonField("technologies", STRINGS, lambda h: list(h.technologies)),
    JsonField("snippet", STRING, lambda h: h.snippet_html, "HTML: escaped text, matched words in <mark>."),
    JsonField("events", EVENTS, lambda h: _events(h.events), EVENTS_DESCRIPTION),
)

ARTICLE_FIELDS = (
    JsonField("id", STRING, lambda a: a.id),
    JsonField("title", STRING, lambda a: a.title),
    JsonField("date", {**NULLABLE_STRING, "format": "date-time"}, lambda a: _iso(a.date)),
    JsonField("source", NULLABLE_STRING, lambda a: a.source),
    JsonField("author", NULLABLE_STRING, lambda a: a.author),
    JsonField("url", NULLABLE_STRING, lambda a: a.url),
    JsonField("companies", STRINGS, lambda a: list(a.companies)),
    JsonField("technologies", STRINGS, lambda a: list(a.technologies)),
    JsonField("events", EVENTS, lambda a: _events(a.events), EVENTS_DESCRIPTION),
    JsonField("body", STRING, lambda a: a.body, "Plain text, paragraphs separated by blank lines."),
)


def _facets(result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    return {facet.name: [to_json(FACET_VALUE_FIELDS, v) for v in facet.values] for facet in result.facets}


def _by_facet(values: Any) -> dict[str, list[str]]:
    return {name: list(chosen) for name, chosen in values.items() if chosen}


RESULT_FIELDS = (
    JsonField("query", STRING, lambda r: r.request.query),
    JsonField("understood", STRING, lambda r: r.understood, "The query as the engine understood it."),
    JsonField("filters", VALUES_BY_FACET, lambda r: _by_facet(r.request.filters)),
    JsonField("excluded", VALUES_BY_FACET, lambda r: _by_facet(r.request.excluded)),
    JsonField(
        "modes",
        {"type": "object", "additionalProperties": {"type": "string", "enum": list(MODES)}},
        lambda r: {name: r.request.mode(name) for name in all_of_names()},
        "How each facet's selected values combine: any of them, or all of them (company_mode=all).",
    ),
    JsonField(
        "roles",
        _array({"type": "string", "enum": list(EVENT_ROLES)}),
        lambda r: list(r.request.roles),
        "The roles the selected companies take in the selected events (role=).",
    ),
    JsonField("from", {**NULLABLE_STRING, "format": "date"}, lambda r: _iso(r.request.date_from)),
    JsonField("to", {**NULLABLE_STRING, "format": "date"}, lambda r: _iso(r.request.date_to)),
    JsonField("sort", {"type": "string", "enum": list(SORTS)}, lambda r: r.request.sort),
    JsonField("total", INTEGER, lambda r: r.total),
    JsonField("page", INTEGER, lambda r: r.page),
    JsonField("pages", INTEGER, lambda r: r.pages),
    JsonField("per_page", INTEGER, lambda r: r.per_page),
    JsonField("took_ms", {"type": "number"}, lambda r: r.took_ms),
    JsonField("suggestion", NULLABLE_STRING, lambda r: r.suggestion, "Did you mean: a query that finds more."),
    JsonField(
        "notices",
        STRINGS,
        lambda r: list(r.notices),
        "What the search did not do as asked, such as a wildcard that stands for only its 50 most used words.",
    ),
    JsonField("hits", _array(object_schema(HIT_FIELDS)), lambda r: [to_json(HIT_FIELDS, h) for h in r.hits]),
    JsonField("facets", {"type": "object", "additionalProperties": _array(object_schema(FACET_VALUE_FIELDS))}, _facets),
    JsonField(
        "facets_truncated",
        {"type": "object", "additionalProperties": BOOLEAN},
        lambda r: {facet.name: facet.truncated for facet in r.facets},
    ),
)


def result_to_dict(result: SearchResult) -> dict[str, Any]:
    """The object ``/api/search`` returns and ``newsfacet search --json`` prints."""
    return to_json(RESULT_FIELDS, result)


TYPEAHEAD_FIELDS = (
    JsonField("facet", STRING, lambda a: a.facet),
    JsonField("prefix", STRING, lambda a: a.prefix),
    JsonField(
        "values",
        _array(object_schema(TYPEAHEAD_VALUE_FIELDS)),
        lambda a: [to_json(TYPEAHEAD_VALUE_FIELDS, v) for v in a.values],
    ),
)


ERROR_FIELDS = (
    JsonField("status", INTEGER, lambda e: e.status),
    JsonField("message", STRING, lambda e: e.message),
)
