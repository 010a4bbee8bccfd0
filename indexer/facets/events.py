"""Business events: deals and other news between or to companies, with each company's role.

An event is found where a sentence holds a phrase that reports it ("agreed to
buy", "joint venture", "qtr net"): the companies around the phrase take the
roles the event table (``data/events.tsv``) gives its side of the phrase. The
companies are those the company facet already found in the article, so an event
never names a company the article is not filed under. Background ("which it
bought in 1985"), denials and the same phrase used of other things ("launched a
bond") are passed over. Pure functions over strings: no index, no files but the
table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from indexer.article import Event, Participant
from indexer.errors import InputError
from indexer.facets.phrases import TOKEN, insert_phrase, phrase_matches
from indexer.stemming import stem
from indexer.text import prepare_text, sentence_spans

# Words just before a phrase that make it background or a denial: "which it bought", "did not buy".
_NOT_NEWS = frozenset("which who whom whose that not no never denied".split())
_ALREADY_WORDS = 5  # words before a phrase an "already" word must fall within
_NEAR = 8  # words after a phrase an "unless" word must fall within
_NEAR_WORDS = 6
# "dlrs a share", "per share": a price, not what is bought
_PRICE_WORDS = frozenset(("a", "per"))  # words after a phrase a "near" word or company must fall within
# Verbs by which the subject of a bid is its target: "received an offer", "rejected a bid".
_RECEIVING = frozenset(
    "received receives receive receiving gets got get getting rejected rejects reject rejecting "
    "considering evaluating studying weighing".split()
)
_RELATIVE_CLAUSE = re.compile(r",\s+(?:which|who)\s[^,;]*,")
_NAMING = frozenset(("called", "named", "dubbed"))
# The first words of a wire's results table: "Shr 26 cts vs 38 cts", "Net loss 433,424", "Qtly div 28 cts".
_RESULTS_TABLE_WORDS = frozenset(("shr", "net", "revs", "qtly", "qtrly", "mthly", "oper"))
_SENTENCES_IN_LEAD = 2
_LEAD_WEIGHT = 3  # a mention in the headline or lead counts as two further down


@dataclass(frozen=True)
class Trigger:
    """What a phrase that reports an event says about the companies around it."""

    type: str
    before: str  # role of the nearest company before the phrase ("" none)
    after: str  # role of the first company after it
    later: str = ""  # role of the second company after it
    every: str = ""  # role of every company of the sentence, when set
    own_company: bool = False  # nobody before: the story's own company takes ``before``
    near: frozenset[str] = frozenset()  # stems one of which (or a company) must follow the phrase, when set


@dataclass(frozen=True)
class EventTable:
    """Event types and their roles, and the phrase trie their triggers are found with."""

    roles: dict[str, tuple[str, ...]]
    trie: dict
    unless: dict[str, frozenset[str]]  # type -> stems that make a phrase mean something else
    already: dict[str, frozenset[str]]  # type -> words just before a phrase that make it one that exists
    needs: dict[str, tuple[str, ...]]  # type -> companies one of which must take part


def parse_event_table(text: str) -> EventTable:
    """Read the tab-separated rows of an event table (see ``data/events.tsv``)."""
    roles: dict[str, tuple[str, ...]] = {}
    trie: dict = {}
    unless: dict[str, frozenset[str]] = {}
    already: dict[str, frozenset[str]] = {}
    needs: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        kind, name = cells[0], cells[1] if len(cells) > 1 else ""
        if kind == "type" and len(cells) == 3:
            roles[name] = tuple(role.strip() for role in cells[2].split(",") if role.strip())
        elif kind == "trigger" and len(cells) in (4, 5) and name in roles:
            trigger = _trigger(name, cells[2], roles[name], number)
            if len(cells) == 5:
                trigger = replace(trigger, near=frozenset(_word_key(word) for word in _phrases(cells[4])))
            for phrase in _phrases(cells[3]):
                insert_phrase(trie, phrase, trigger)
        elif kind == "unless" and len(cells) == 3 and name in roles:
            unless[name] = frozenset(_word_key(word) for word in _phrases(cells[2]))
        elif kind == "already" and len(cells) == 3 and name in roles:
            already[name] = frozenset(word.lower() for word in _phrases(cells[2]))
        elif kind == "needs" and len(cells) == 3 and name in roles:
            needs[name] = _phrases(cells[2])
        else:
            raise InputError(f"event table line {number}: not a type, trigger, unless, already or needs row: {line!r}")
    return EventTable(roles, trie, unless, already, needs)


def _phrases(cell: str) -> tuple[str, ...]:
    return tuple(phrase.strip() for phrase in cell.split("|") if phrase.strip())


def _trigger(event_type: str, slots: str, roles: tuple[str, ...], number: int) -> Trigger:
    if slots.startswith("*"):
        every = slots[1:]
        if every not in roles:
            raise InputError(f"event table line {number}: {event_type} has no role {every!r}")
        return Trigger(event_type, "", "", every=every)
    parts = [part.strip() for part in slots.split("/")]
    own = parts[0].endswith("!")
    parts[0] = parts[0].rstrip("!")
    named = ["" if part == "-" else part for part in parts] + ["", ""]
    for role in named[:3]:
        if role and role not in roles:
            raise InputError(f"event table line {number}: {event_type} has no role {role!r}")
    return Trigger(event_type, named[0], named[1], named[2], own_company=own)


@lru_cache(maxsize=1)
def load_event_table() -> EventTable:
    """The event table that ships with the package."""
    return parse_event_table(resources.files("indexer.facets").joinpath("data/events.tsv").read_text("utf-8"))


@dataclass(frozen=True)
class _Mention:
    name: str
    start: int  # token position in the sentence


def extract_events(
    text: str,
    companies: Sequence[str],
    forms: Callable[[str], Iterable[str]] = lambda name: (),
    table: EventTable | None = None,
) -> tuple[Event, ...]:
    """The events ``text`` (a title line, then the body) reports, one per type, most told first.

    ``companies`` are the article's company facet values; ``forms`` gives the other
    ways a company is written (its knowledge-base aliases), to find it in a sentence.
    """
    table = table or load_event_table()
    title, _, body = prepare_text(text).partition("\n")  # as the company facet read it
    # Paragraphs first: a wire's results table has a line per figure and no full stops.
    sentences = [title] + [paragraph[a:b] for paragraph in body.split("\n\n") for a, b in sentence_spans(paragraph)]
    # A relative clause is background ("The company, which is 70 pct owned by Fried Krupp GmbH,
    # said the job losses"): its companies take no part in what the sentence reports.
    sentences = [_RELATIVE_CLAUSE.sub(",", sentence) for sentence in sentences]
    finder = _company_finder(companies, forms)
    own = next((m.name for sentence in sentences[: 1 + _SENTENCES_IN_LEAD] for m in finder(sentence)[1]), "")
    roles: dict[str, dict[str, tuple[str, int]]] = {}  # type -> company -> (role, companies in its sentence)
    told: dict[str, int] = {}
    for number, sentence in enumerate(sentences):
        tokens, mentions = finder(sentence)
        for position, end, trigger in phrase_matches(table.trie, tokens):
            if not _is_news(tokens, position, end, trigger.type, table) or not _has_near(
                tokens, mentions, end, trigger
            ):
                continue
            own_here = own if number <= _SENTENCES_IN_LEAD else ""
            participants = _participants(trigger, tokens, mentions, position, end, own_here)
            event_type = trigger.type
            if event_type == "Divestiture" and any(p.role == "acquirer" for p in participants):
                event_type = "Acquisition"  # the buyer is named: an acquisition with a seller
            in_results_table = event_type == "Earnings" and tokens[position].lower() in _RESULTS_TABLE_WORDS
            if not participants and number > 0 and not (in_results_table and number <= _SENTENCES_IN_LEAD):
                # Below the headline, a phrase no company takes part in is about something else, but for
                # a wire's results table ("Shr loss 39 cts vs profit 19 cts") whose company only the
                # headline in capitals names.
                continue
            needed = table.needs.get(event_type)
            if needed:
                if not any(p.name in needed for p in participants):
                    continue
                participants = _by_kind(participants, needed, table.roles[event_type])
            kept = roles.setdefault(event_type, {})
            for participant in participants:
                # A company has one role in an event: the one a sentence naming more of them gives.
                if kept.get(participant.name, ("", 0))[1] < len(participants):
                    kept[participant.name] = (participant.role, len(participants))
            # Told in the headline or lead, an event is the story; deeper in, it must come back.
            told[event_type] = told.get(event_type, 0) + (_LEAD_WEIGHT if number <= _SENTENCES_IN_LEAD else 1)
    found = {
        event_type: [Participant(name, role) for name, (role, _) in roles[event_type].items()]
        for event_type in roles
        if told[event_type] >= _LEAD_WEIGHT
    }
    _fold_related(found)
    return tuple(
        Event(event_type, tuple(found[event_type]))
        for event_type in sorted(found, key=lambda t: (-told[t], list(table.roles).index(t)))
    )


# Deals that say more than a partnership: their companies are not partners as well.
_MORE_THAN_PARTNERSHIP = ("Joint venture", "Supply deal", "Acquisition", "Stake")


def _fold_related(found: dict[str, list[Participant]]) -> None:
    """One deal told two ways is one event: a partnership of companies that a joint venture,
    supply deal or acquisition already joins is that deal described ("the collaboration"),
    and the sale a seller makes in an acquisition is not a divestiture besides."""
    _drop_named(found, "Partnership", {p.name for kind in _MORE_THAN_PARTNERSHIP for p in found.get(kind, ())})
    _drop_named(found, "Divestiture", {p.name for p in found.get("Acquisition", ()) if p.role == "seller"})


def _drop_named(found: dict[str, list[Participant]], event_type: str, names: set[str]) -> None:
    if event_type not in found or not names:
        return
    left = [p for p in found[event_type] if p.name not in names]
    if left:
        found[event_type] = left
    else:
        del found[event_type]


def _by_kind(
    participants: Sequence[Participant], needed: tuple[str, ...], roles: tuple[str, ...]
) -> tuple[Participant, ...]:
    """Roles that only the needed kind of company can take: a rating agency is the agency and
    the company it rates is the company, whichever side of "downgraded" each is written."""
    first, other = roles[0], roles[1] if len(roles) > 1 else roles[0]
    return tuple(Participant(p.name, first if p.name in needed else other) for p in participants)


def _company_finder(
    companies: Sequence[str], forms: Callable[[str], Iterable[str]]
) -> Callable[[str], tuple[list[str], list[_Mention]]]:
    """A function from a sentence to its tokens and the companies it names, by token position.

    Names are matched as runs of words, in any case ("BELL AND HOWELL" in a headline), but
    a word written in lower case is no name ("team" is not Team Inc).
    """
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for name in companies:
        for form in dict.fromkeys((name, *forms(name))):
            words = tuple(word.lower() for word in TOKEN.findall(form))
            if words:
                by_first.setdefault(words[0], []).append((words, name))
    for candidates in by_first.values():
        candidates.sort(key=lambda candidate: -len(candidate[0]))  # the longest name first

    def find(sentence: str) -> tuple[list[str], list[_Mention]]:
        tokens = TOKEN.findall(sentence)
        lowered = [token.lower() for token in tokens]
        mentions = []
        position = 0
        while position < len(tokens):
            match = next(
                (
                    (words, name)
                    for words, name in by_first.get(lowered[position], ())
                    if tuple(lowered[position : position + len(words)]) == words
                    and (tokens[position][:1].isupper() or tokens[position][:1].isdigit() or name[:1].islower())
                ),
                None,
            )
            if match is None:
                position += 1
                continue
            mentions.append(_Mention(match[1], position))
            position += len(match[0])
        return tokens, mentions

    return find


def _is_news(tokens: list[str], start: int, end: int, event_type: str, table: EventTable) -> bool:
    before = {token.lower() for token in tokens[max(0, start - 3) : start]}
    if before & _NOT_NEWS:
        return False
    # "its TKR Cable Co joint venture": a name may stand between the possessive and the phrase
    named_before = {token.lower() for token in tokens[max(0, start - _ALREADY_WORDS) : start]}
    if named_before & table.already.get(event_type, frozenset()):
        return False
    unless = table.unless.get(event_type, frozenset())
    return not any(
        _word_key(tokens[i]) in unless and tokens[i - 1].lower() not in _PRICE_WORDS
        for i in range(end, min(end + _NEAR, len(tokens)))
    )


def _has_near(tokens: list[str], mentions: list[_Mention], end: int, trigger: Trigger) -> bool:
    """Whether what follows a phrase is what it needs there ("sold its unit", "sold Zorbex"; not "sold wheat")."""
    wanted = trigger.near
    if not wanted:
        return True
    if any(end <= m.start < end + _NEAR_WORDS for m in mentions):
        return True
    return any(_word_key(token) in wanted for token in tokens[end : end + _NEAR_WORDS])


def _word_key(token: str) -> str:
    """A word as the "unless" and "near" lists hold it: its stem, whatever its case ("STAKE" in a headline)."""
    return stem(token.lower())


def _participants(
    trigger: Trigger, tokens: list[str], mentions: list[_Mention], start: int, end: int, own: str
) -> tuple[Participant, ...]:
    if trigger.every:
        # "a joint venture with Indo-Thai Synthetics called Thai Peroxide Co": the venture is no partner
        partners = (m.name for m in mentions if m.start == 0 or tokens[m.start - 1].lower() not in _NAMING)
        return tuple(Participant(name, trigger.every) for name in dict.fromkeys(partners))
    later, later_role = "", trigger.later
    if trigger.before == "acquirer" and trigger.after == "target":
        # "acquire cable systems from Tele-Communications": the company after "from" sells.
        source = _word_after(tokens, end, "from")
        later = next((m.name for m in mentions if m.start == source + 1), "")
        later_role = "seller" if later else ""
    elif trigger.later:
        # "sell its Quillan unit to Brillo": the company after "to" is the third party.
        to = _word_after(tokens, end, "to")
        later = next((m.name for m in mentions if m.start > to), "")
    # The seller or buyer after "from" or "to" is neither the subject nor the first party after the phrase.
    before = list(dict.fromkeys(m.name for m in mentions if m.start < start and m.name != later))
    after = list(dict.fromkeys(m.name for m in mentions if m.start >= end and m.name != later))
    # With nobody before the phrase the story's own company is its subject, unless the
    # sentence names it after the phrase ("has 8.9 pct of Bell and Howell").
    subject = before[-1] if before else (own if trigger.own_company and own not in after else "")
    if not after and not later and len(before) >= 2:
        after = [before[-2]]  # "Mazda and Panasonic agreed on the supply of": the other party
    subject_role = trigger.before
    if subject_role == "acquirer" and any(token.lower() in _RECEIVING for token in tokens[max(0, start - 6) : start]):
        subject_role = "target"  # "Spendthrift Farm said it has received three proposals to acquire"
    chosen = [(subject, subject_role), *zip(after[:1], (trigger.after,), strict=False), (later, later_role)]
    seen: dict[str, None] = {}
    participants = []
    for name, role in chosen:
        if name and role and name not in seen:
            seen[name] = None
            participants.append(Participant(name, role))
    return tuple(participants)


def _word_after(tokens: list[str], end: int, word: str) -> int:
    """Where ``word`` (any case) first stands from ``end`` on; the sentence's end when it does not."""
    return next((i for i in range(end, len(tokens)) if tokens[i].lower() == word), len(tokens))
