"""An event as a sentence, "Panasonic supplies Mazda", from its type and each company's role.

A sentence is words and companies in turn, so the article page can link each
company and the command line can print it plain. Each type has templates, the
fullest first; the first whose roles the event has is used. In a template
``{role}`` stands for the companies in that role ("Nissan", "Nissan and
Honda"); a role written twice gives its first company to the first place and
the rest to the second ("{partner} partners with {partner}"); ``{one|more}``
is worded for how many companies the place before it holds ("supplies" or
"supply"). A company the template has no place for, or an event of a type
without templates (one added to the event table later), is listed with its role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.article import Event, Participant

SentencePart = str | Participant

TEMPLATES: dict[str, tuple[str, ...]] = {
    "Acquisition": (
        "{acquirer} {acquires|acquire} {target} from {seller}",
        "{acquirer} {acquires|acquire} {target}",
        "{target} {is|are} acquired from {seller}",
        "{acquirer} {acquires|acquire} a business from {seller}",
        "{target} {is|are} acquired",
        "{acquirer} {makes an acquisition|merge}",
        "{seller} {sells|sell} a business",
    ),
    "Stake": (
        "{investor} {takes|take} a stake in {investee} from {seller}",
        "{investor} {takes|take} a stake in {investee}",
        "{investor} {buys|buy} a stake from {seller}",
        "{seller} {sells|sell} a stake in {investee}",
        "{investor} {takes|take} a stake",
        "A stake in {investee} changes hands",
        "{seller} {sells|sell} a stake",
    ),
    "Divestiture": (
        "{seller} {sells|sell} {target} to {acquirer}",
        "{seller} {sells|sell} {target}",
        "{target} {is|are} sold to {acquirer}",
        "{seller} {sells|sell} a business to {acquirer}",
        "{seller} {sells|sell} a business",
        "{target} {is|are} sold",
        "{acquirer} {buys|buy} a business",
    ),
    "Joint venture": ("{partner} {forms|form} a joint venture",),
    "Partnership": (
        "{partner} {partners|partner} with {partner}",
        "{partner} {enters|enter} a partnership",
    ),
    "Supply deal": (
        "{supplier} {supplies|supply} {customer}",
        "{supplier} {wins|win} a supply deal",
        "{customer} {places|place} an order",
    ),
    "Earnings": ("{company} {reports|report} results",),
    "Rating action": (
        "{agency} {rates|rate} {company}",
        "{agency} {takes|take} a rating action",
        "{company} {is|are} rated",
    ),
    "Job cuts": ("{company} {cuts|cut} jobs",),
    "Product launch": ("{company} {launches a product|launch products}",),
    "Legal action": (
        "{plaintiff} {sues|sue} {company}",
        "{company} {faces|face} legal action",
        "{plaintiff} {takes|take} legal action",
    ),
    "Executive change": ("{company} {has a change of leadership|have changes of leadership}",),
}

_PLACE = re.compile(r"\{([^{}]*)\}")


def event_sentence(event: Event) -> tuple[SentencePart, ...]:
    """The sentence that tells ``event``: words (``str``) and its companies (:class:`Participant`)."""
    by_role: dict[str, list[Participant]] = {}
    for participant in event.participants:
        by_role.setdefault(participant.role, []).append(participant)
    for template in TEMPLATES.get(event.type, ()):
        roles = [place for place in _PLACE.findall(template) if "|" not in place]
        if all(len(by_role.get(role, ())) >= roles.count(role) for role in roles):
            parts = _filled(template, by_role)
            left = [p for role, people in by_role.items() if role not in roles for p in people]
            return (*parts, *_listed(left, "; ")) if left else parts
    return _listed(event.participants, "") or (f"{event.type} reported",)


def sentence_text(event: Event) -> str:
    """The sentence as plain text, its type after a colon: "Panasonic supplies Mazda: Supply deal"."""
    words = "".join(part if isinstance(part, str) else part.name for part in event_sentence(event))
    return f"{words}: {event.type}"


def _filled(template: str, by_role: dict[str, list[Participant]]) -> tuple[SentencePart, ...]:
    parts: list[SentencePart] = []
    remaining = {role: list(people) for role, people in by_role.items()}
    places = _PLACE.findall(template)
    subject = 1  # how many companies the last place held, for the wording after it
    for index, (words, place) in enumerate(zip(_PLACE.split(template)[::2], [*places, None], strict=True)):
        parts.append(words)
        if place is None:
            break
        if "|" in place:
            one, more = place.split("|", 1)
            parts.append(one if subject == 1 else more)
            continue
        # A role's last place takes every company left in it; an earlier one, the first.
        last = place not in places[index + 1 :]
        taken = remaining[place] if last else remaining[place][:1]
        remaining[place] = remaining[place][len(taken) :]
        subject = len(taken)
        parts.extend(_joined(taken))
    return _merged(parts)


def _joined(people: Sequence[Participant]) -> list[SentencePart]:
    """Companies as a list in words: "A", "A and B", "A, B and C"."""
    parts: list[SentencePart] = []
    for index, person in enumerate(people):
        if index:
            parts.append(" and " if index == len(people) - 1 else ", ")
        parts.append(person)
    return parts


def _listed(people: Sequence[Participant], opening: str) -> tuple[SentencePart, ...]:
    """Companies each with its role in brackets: "Panasonic (supplier), Mazda (customer)"."""
    parts: list[SentencePart] = []
    for index, person in enumerate(people):
        parts += [", " if index else opening, person, f" ({person.role})"]
    return _merged(parts)


def _merged(parts: list[SentencePart]) -> tuple[SentencePart, ...]:
    """Adjacent words as one, empty ones left out."""
    merged: list[SentencePart] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return tuple(merged)
