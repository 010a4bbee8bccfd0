"""Company facets: knowledge-base matching plus discovery of unknown companies from context.

Every variant a text may use (``Panasonic Holdings``, ``Panasonic's``, ``<PC>``)
resolves to one canonical name; a unit (``Panasonic Energy``) counts under its
parent when the text names the parent too. Names the knowledge base lacks are found from their context: a
legal form after them (``Acme Widgets Inc``), a ticker (``Key Tronic <KTCC>``),
a descriptor before them (``branding firm SalterBaxter``), a company word at
their end (``Tyson Foods``), or cue phrases (``shares of``, ``'s chief
executive``). Guards keep people, places, institutions and ordinary words out.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from indexer.facets.company_kb import (
    NOT_A_COMPANY,
    Alias,
    CompanyKnowledgeBase,
    insert_alias,
    load_knowledge_base,
    tokens_of,
    variant_key,
)
from indexer.facets.company_names import FoundNames, fold, merge_variants, shouted, split_joined, strip_possessive
from indexer.facets.lexicon import load_lexicon
from indexer.text import prepare_text, sentence_spans, word_spans

_EXCHANGE_TICKER = re.compile(r"^[0-9A-Z]{1,6}\.[A-Z]{1,2}$")
_MONTHS_AND_DAYS = frozenset(
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday".split()
)
_FUNCTION_WORDS = frozenset("And Or Of The In On For To At By As From With".split())
# A given name or a title, a middle initial, a surname: "Kevin Hawkins", "Mr. Gates", "John F. Smith".
_PERSON = re.compile(r"\b([A-Z][a-z]+)(\.?) (?:[A-Z]\. )?([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b(?! (?:[A-Z]|&))")
_QUALIFIER = re.compile(r"-(?:based|backed|owned|listed|controlled|run|led)$")
_DEMONYM = re.compile(r"[a-z](?:ian|ean|ese|ish)$")
_JOINER = re.compile(r"^[ \t&'.]*$")
# What separates the items of a list: "HMV, Monsoon, Body Shop and Tesco"
_LIST_GAP = re.compile(r"\s*,\s*(?:(and|or)\s+)?|\s+(and|or)\s+")
_INSIDE_NAMES = frozenset(("of", "&"))
_CONJUNCTION = re.compile(r"\s+(?:and|&)\s+")
_AND_CO = frozenset(("co", "cos", "company"))  # "Smith and Co" is a legal form
_COMMA_BEFORE_CO = re.compile(r",.*(?:\band|&)\s*(?:co|cos|company)\b", re.IGNORECASE)
_LEGAL_WORD = re.compile(r"[\s,]*([A-Za-z]+)\.?")
_MAX_RUN = 8


class Token(NamedTuple):
    """A word of a sentence; a named tuple because millions are made per build and it is built fastest."""

    text: str
    lower: str
    start: int  # character offsets in the sentence
    end: int
    loud: bool  # the line is in capitals or Title Case, so case says nothing
    joined: bool  # only spaces (or "&") separate it from the previous token
    capital: bool  # written with a capital, as a name is (see :func:`_capitalised`)


@dataclass(frozen=True)
class _Scan:
    """What the reading of one text goes by besides the extractor's own knowledge.

    Passed to the methods that need it rather than kept on the extractor, so
    texts scanned at the same time in several threads never see each other's.
    """

    surnames: frozenset[str]  # of the people the text names: alone, they are people, not companies
    learning: bool  # read for names to learn: only the knowledge base counts, only confirmed names are found
    year: int | None = None  # when the text was published: a ticker names the company that held it then
    seen: list[str] = field(default_factory=list)  # while learning: every name discovered, as written


@dataclass(frozen=True)
class TextNames:
    """What one text teaches: names its context confirms, and every name it writes."""

    confirmed: tuple[str, ...]  # by a legal form or ticker: recognised in every article
    seen: tuple[str, ...]  # discovered with any evidence: how the collection spells them


class CompanyExtractor:
    """Finds companies in texts; remembers names confirmed in texts it has learned from.

    A name discovered with strong evidence in one article (``Paion AG``) is then
    recognised in others where it stands alone (``Paion said``).

    One extractor is safe to share between threads. What a scan needs to know
    of its own text (the people it names, whether it is read to learn) travels
    with the scan, never on the extractor; learning names takes a lock, and a
    text read meanwhile sees the names learned so far.
    """

    def __init__(self, knowledge_base: CompanyKnowledgeBase | None = None) -> None:
        self.kb = knowledge_base or load_knowledge_base()
        self.lexicon = load_lexicon()
        self.learned: dict[str, str] = {}  # lower-case name -> name as confirmed
        self._learned_trie: dict = {}
        # variant_key -> the lower-case names learned with it, in the order they were learned
        self._learned_by_key: dict[str, list[str]] = {}
        self.spellings: dict[str, None] = {}  # every discovered spelling seen, in the order seen
        self._spelled_by_key: dict[str, list[str]] = {}  # variant_key -> those spellings
        self._learning_lock = threading.Lock()  # one learner at a time keeps the first spelling seen

    def learn(self, texts: Iterable[str]) -> None:
        """Confirm names from their context in ``texts``, and their spellings, for later extraction."""
        for text in texts:
            names = self.names_in(text)
            self.learn_names(names.confirmed)
            self.learn_spellings(names.seen)

    def confirmed_names(self, text: str) -> list[str]:
        """Names a legal form or ticker confirms in this one text, in order."""
        return list(self.names_in(text).confirmed)

    def names_in(self, text: str) -> TextNames:
        """Names a legal form or ticker confirms in this one text, and every name it writes, in order.

        Depends on the text and the knowledge base alone, never on names learned
        before, so texts can be read in any order or in parallel processes, and
        learning from the results in text order learns the same.
        """
        scan = _Scan(frozenset(), learning=True)
        found = self._scan(prepare_text(text), scan)
        return TextNames(tuple(found.counts), tuple(dict.fromkeys(scan.seen)))

    def learn_spellings(self, names: Iterable[str]) -> None:
        """Remember how the collection writes names it discovered, so every article writes a
        company one way ("CalMat" wherever one article wrote "Calmat"): the first spelling seen
        not in capitals, else the first seen."""
        with self._learning_lock:
            for name in names:
                if name not in self.spellings:
                    self.spellings[name] = None
                    self._spelled_by_key.setdefault(variant_key(name), []).append(name)

    def learn_names(self, names: Iterable[str]) -> None:
        """Remember confirmed names; the first spelling seen of a name is kept.

        What is learned depends on the names and their order alone, so an extractor that
        learns the names another kept (a worker process, an update reading them back from
        the index) matches and spells every name as that one does.
        """
        with self._learning_lock:
            for name in names:
                # A bare everyday word or an initial confirmed in one text ("United's
                # chief executive") says too little to be a company everywhere.
                if name not in self.kb.canonical_names:
                    name = strip_possessive(name)  # "<Amplicon Inc's>" confirms Amplicon Inc
                if len(name) < 3 or self._single_ambiguous(name):
                    continue
                lower = name.lower()
                if lower not in self.learned:
                    self.learned[lower] = name
                    self._learned_by_key.setdefault(variant_key(name), []).append(lower)
                    insert_alias(self._learned_trie, Alias(tokens_of(name), name, False))

    def extract(self, text: str, source: str | None = None, year: int | None = None) -> tuple[str, ...]:
        """Canonical companies named in ``text``, most mentioned first.

        ``source`` is the article's publisher or wire: never a company facet of it.
        ``year`` is when it was published: a ticker names the company that held it then.
        """
        found = self._scan(prepare_text(text), _Scan(frozenset(), learning=False, year=year))
        for name in list(found.counts):
            settled = self._settled_spelling(self._without_possessive(name))
            if settled != name:
                fold(found, name, settled)
        for name in list(found.counts):
            parts = self._joined_parts(name, found)
            if parts:
                split_joined(found, name, parts)
        names = merge_variants(found, self.kb)
        excluded = {source.lower()} if source else set()
        kept = [name for name in names if name.lower() not in excluded]
        return tuple(sorted(kept, key=lambda n: (-found.counts[n], found.first[n])))

    def written_forms(self, name: str) -> tuple[str, ...]:
        """Other ways an article writes the company ``name``: its knowledge-base aliases, and
        the first word of a longer name when that word is a name of its own ("Fairchild"
        for Fairchild Industries, not "General" for General Masonry)."""
        forms = self.kb.written_forms(name)
        words = name.split()
        short = words[0].rstrip(",")
        if len(words) > 1 and len(short) >= 4 and short[:1].isupper() and not self._is_ordinary(short):
            forms = (*forms, short)
        return forms

    def _is_known_name(self, name: str) -> bool:
        """A name the knowledge base or the collection vouches for as written, possessive and all ("Moody's")."""
        return name in self.kb.canonical_names or name.lower() in self.learned

    def _without_possessive(self, name: str) -> str:
        """ "Hoechst AG's" and "Salomon Brothers'" are Hoechst AG and Salomon Brothers; "Moody's" stays."""
        return name if self._is_known_name(name) else strip_possessive(name)

    def _joined_parts(self, name: str, found: FoundNames) -> list[str]:
        """The companies a name joins ("Chase Manhattan and Security Pacific"), each a known
        company or named on its own in the text, or nothing when it is one name of its own
        ("Procter and Gamble", "Marks & Spencer")."""
        if self._is_known_name(name):
            return []
        parts = [part.strip() for part in _CONJUNCTION.split(name)]
        if len(parts) < 2 or not all(parts):
            return []
        settled = [self._settled_spelling(part) for part in parts]
        if all(
            part in found.counts or part in self.kb.canonical_names or part.lower() in self.learned for part in settled
        ):
            return settled
        return []

    def _settled_spelling(self, name: str) -> str:
        """The one spelling of a name across the collection: the knowledge base's canonical
        name, else the spelling the collection confirmed, else the name as written; out of
        capitals either way.

        Discovery takes a name as the text writes it ("Pepsico Inc", "GENCORP INC");
        without this, every article's spelling would be a facet value of its own.
        """
        key = variant_key(name)
        return self.kb.spellings.get(key) or self._as_the_company_writes_it(self._learned_spelling(key, name))

    def _learned_spelling(self, key: str, name: str) -> str:
        """The spelling learned for a variant key, the first not in capitals, else the first:
        of the names confirmed, else of the spellings seen; ``name`` itself when none was learned.

        ("Kidder, Peabody" and "KIDDER PEABODY" are two names learned, one spelling.)
        Derived from :attr:`learned` and :attr:`spellings` alone, so every extractor that
        learned the same agrees.
        """
        spellings = (
            [self.learned[lower] for lower in self._learned_by_key.get(key, ())]
            or self._spelled_by_key.get(key)
            or [name]
        )
        return next((spelling for spelling in spellings if not shouted(spelling)), spellings[0])

    def _as_the_company_writes_it(self, name: str) -> str:
        """``name`` with single spaces, and out of capitals where a text shouted it.

        A Reuters slug or headline writes "BANK OF CHINA" or "JOHN LABATT LTD"; the
        company writes "Bank of China". A short word that is not an everyday word
        stays in capitals: it is more likely initials ("GEC", "ICI") than a word.
        """
        words = name.split()
        if not shouted(name):
            return " ".join(words)
        written = []
        for index, word in enumerate(words):
            if index and word.lower() in _LOWER_IN_NAMES:
                word = word.lower()
            elif len(word.strip("'.")) > 3 or self.lexicon.is_common_word(word.lower()):
                word = "-".join(part.capitalize() for part in word.split("-"))  # "Temple-Inland"
            written.append(word)
        return " ".join(written)

    # -- scanning --------------------------------------------------------------

    def _scan(self, text: str, reading: _Scan) -> FoundNames:
        found = FoundNames()
        scan = replace(reading, surnames=self._person_surnames(text))  # the same list of names seen
        position = 0
        for line_number, line in enumerate(text.split("\n")):
            # Title Case says nothing in a headline; in the body only capitals do.
            loud = _is_loud(line) if line_number == 0 else not any(c.islower() for c in line)
            weight = 2 if line_number == 0 else 1  # the headline weighs more
            for start, end in sentence_spans(line):
                sentence = line[start:end]
                spans = word_spans(sentence)
                tokens = []
                previous_end = -1
                for a, b in spans:
                    word = sentence[a:b]
                    gap = sentence[previous_end:a] if previous_end >= 0 else None
                    joined = gap is not None and (gap == " " or _JOINER.match(gap) is not None)
                    tokens.append(Token(word, word.lower(), a, b, loud, joined, _capitalised(word)))
                    previous_end = b
                for name in self._sentence(scan, sentence, tokens):
                    found.add(name, position, weight)
                    position += 1
        return found

    def _sentence(self, scan: _Scan, sentence: str, tokens: list[Token]) -> list[str]:
        names: list[str] = []
        listed = {} if scan.learning else self._listed_beside_known(scan, sentence, tokens)
        i, ended_at = 0, -1  # ended_at: where the last name found ends
        commas = _COMMA_BEFORE_CO.search(sentence) is not None  # most sentences hold no "X, Y and Co"
        while i < len(tokens):
            name_end, name = self._comma_name_at(scan, sentence, tokens, i) if commas else (0, "")
            if name_end:
                (scan.seen if scan.learning else names).append(name)
                i = ended_at = self._skip_legal_forms(tokens, name_end)
                continue
            if self._opens_named_bracket(sentence, tokens, i):
                # "<Daiwa Securities America Inc>": the brackets hold one name, whatever
                # known names are inside it.
                i, name = self._bracketed(scan, sentence, tokens, i, after_name=False)
                if name:
                    names.append(name)
                continue
            alias, length = self._known_at(scan, tokens, i)
            if alias is not None and alias.canonical == NOT_A_COMPANY and self._continues(tokens, i + length):
                alias = None  # "Korea" is not a company, "Korea First Bank" is
            company = alias if alias is not None and alias.canonical != NOT_A_COMPANY else None
            if alias is not None and not (company is not None and self._heads_longer_name(scan, tokens, i + length)):
                if company is not None and not scan.learning and self._accept_known(scan, company, tokens, i):
                    names.append(company.canonical)
                i = ended_at = self._skip_legal_forms(tokens, i + length)
                continue
            if not scan.learning and "-" in tokens[i].text:
                name = self._known_in_compound(tokens[i].text)
                if name:
                    names.append(name)
                    i = ended_at = i + 1
                    continue
            if not scan.learning and _EXCHANGE_TICKER.match(tokens[i].text):
                name = self.kb.canonical_for_ticker(tokens[i].text, scan.year)
                if name:
                    names.append(name)
            if sentence[tokens[i].start - 1 : tokens[i].start] == "<":
                i, name = self._bracketed(scan, sentence, tokens, i, bool(names) and ended_at == i)
                if name:
                    names.append(name)
                continue
            if i in listed:
                found = self._candidate(scan, sentence, tokens, i, listed[i], floor=2)
                if found:
                    names.append(found[0])
                    i = ended_at = self._skip_legal_forms(tokens, listed[i])
                    continue
            end = self._run_end(scan, tokens, i)
            if end > i and end < len(tokens) and tokens[end].joined and self._is_company_at(scan, tokens, end):
                i = end  # "F. Hoffmann-La" before "Roche": the front of a known name
                continue
            if end > i:
                # Learning takes only names a legal form or ticker confirms: one wrong
                # name learned would be wrong in every article.
                minimum = 3 if scan.learning else 1
                candidates = self._discover(scan, sentence, tokens, i, end)
                discovered = [name for name, evidence in candidates if evidence >= minimum]
                if scan.learning:
                    scan.seen.extend(name for name, _ in candidates)
                names.extend(discovered)
                i = self._skip_legal_forms(tokens, end)
                ended_at = i if discovered else -1
            else:
                i += 1
        return names

    def _known_in_compound(self, word: str) -> str | None:
        """The known company a hyphenated word is made with ("Ex-WorldCom", "Microsoft-backed").

        Only a name that is never an everyday word, a given name or a place counts:
        "Apple-like" says nothing.
        """
        for part in word.split("-"):
            aliases = self.kb.trie.get(part.lower(), {}).get("", ())
            for alias in aliases:
                if part[:1].isupper() and alias.tokens == (part,) and not alias.ambiguous:
                    return alias.canonical if alias.canonical != NOT_A_COMPANY else None
        return None

    def _listed_beside_known(self, scan: _Scan, sentence: str, tokens: list[Token]) -> dict[int, int]:
        """The other items of each list that names a known company: start -> end of each.

        "retailers including HMV, Monsoon, Jessops, Body Shop and Tesco": the items of
        one list are things of one kind, so beside Tesco the others are companies too
        (each still has to pass the guards against people, places and institutions).
        """
        items = []
        i = 0
        while i < len(tokens):
            if not tokens[i].capital or tokens[i].loud:
                i += 1
                continue
            end = i + 1
            while end < len(tokens) and end - i < _MAX_RUN and tokens[end].joined:
                if tokens[end].capital:
                    end += 1
                elif (
                    tokens[end].lower in _INSIDE_NAMES
                    and self._continues(tokens, end + 1)
                    and not self._is_company_at(scan, tokens, end + 1)
                    and tokens[i].text not in self.lexicon.first_names
                ):
                    end += 2  # "House of Fraser", not "CEOs of Nissan" nor "Mark Zurack of Goldman"
                else:
                    break
            items.append((i, end))
            i = end
        # A list is "A and B" or "A, B and C": commas, then "and" or "or" before the last item.
        listed: dict[int, int] = {}
        run: list[tuple[int, int]] = []
        for item in items:
            gap = _LIST_GAP.fullmatch(sentence[tokens[run[-1][1] - 1].end : tokens[item[0]].start]) if run else None
            if gap is None:
                run = [item]
            elif not (gap.group(1) or gap.group(2)):
                run.append(item)
            else:
                run.append(item)
                if self._lists_companies(scan, tokens, run):
                    listed.update(
                        (a, b)
                        for a, b in run
                        if not self._names_whole(scan, tokens, a, b)
                        and not (a == 0 and b == 1 and self._is_ordinary(tokens[0].text))  # "Yesterday, ..."
                    )
                run = []
        return listed

    def _lists_companies(self, scan: _Scan, tokens: list[Token], run: list[tuple[int, int]]) -> bool:
        """Whether a list of capitalised items is a list of companies: one of them a known
        company by itself, not an owner ("Sony's Playstation, Microsoft's X-Box"), not a
        list of brands or products, and not one name with commas ("Sears, Roebuck and Co")."""
        lex = self.lexicon
        before = [t.lower for t in tokens[max(0, run[0][0] - 3) : run[0][0]]]
        if any(word in lex.not_after or word.rstrip("s") in lex.not_after for word in before):
            return False  # "confectionery brands including Cadbury, Trident and Halls"
        if any(tokens[a].lower in lex.legal_forms for a, _ in run):
            return False  # "Goldman, Sachs and Co", "Sears, Roebuck and Co": one name
        owned = {b for a, b in run if b < len(tokens) and tokens[b].lower == "'s"}
        if owned or any(a > 0 and tokens[a - 1].lower == "'s" for a, _ in run):
            return False
        return any(self._names_whole(scan, tokens, a, b) for a, b in run)

    def _comma_name_at(self, scan: _Scan, sentence: str, tokens: list[Token], start: int) -> tuple[int, str]:
        """A partnership's name written with a comma before "and Co" ("Kidder, Peabody and Co",
        "Goldman, Sachs & Co"), and where it ends; (0, "") if none is at ``start``.

        Read from the left as one name, its second half is never a company of its own; when
        the first half is a known company's name it is that company ("Sears, Roebuck and Co").
        """
        lex = self.lexicon
        while start < len(tokens) and (
            tokens[start].text in lex.name_starts_never
            or tokens[start].text in _FUNCTION_WORDS
            or tokens[start].lower in lex.descriptors
        ):
            start += 1  # "Advisers Goldman, Sachs and Co", "Bank Brown, Shipley and Co"
        first_end = self._short_run_end(tokens, start)
        if first_end == start or first_end >= len(tokens) or tokens[first_end].joined:
            return 0, ""
        if sentence[tokens[first_end - 1].end : tokens[first_end].start].strip() != ",":
            return 0, ""
        if " ".join(t.text for t in tokens[start:first_end]) in lex.places:
            return 0, ""  # "In London, Barclays and Co"
        end = self._short_run_end(tokens, first_end)
        if end == first_end or end >= len(tokens):
            return 0, ""
        and_co = tokens[end].lower == "and" and end + 1 < len(tokens) and tokens[end + 1].lower in _AND_CO
        ampersand_co = tokens[end].lower in _AND_CO and "&" in sentence[tokens[end - 1].end : tokens[end].start]
        if not (and_co or ampersand_co):
            return 0, ""
        if self._names_whole(scan, tokens, start, first_end):
            return end, self._known_at(scan, tokens, start)[0].canonical
        return end, sentence[tokens[start].start : tokens[end - 1].end]

    def _short_run_end(self, tokens: list[Token], start: int) -> int:
        """End of one or two joined capitalised words at ``start``, legal forms excluded."""
        end = start
        while (
            end < len(tokens)
            and end - start < 2
            and tokens[end].capital
            and tokens[end].lower not in _AND_CO
            and (end == start or tokens[end].joined)
        ):
            end += 1
        return end

    def _names_whole(self, scan: _Scan, tokens: list[Token], start: int, end: int) -> bool:
        """Whether a known company's name (and legal forms) is all of ``tokens[start:end]``."""
        alias, length = self._known_at(scan, tokens, start)
        return (
            alias is not None
            and alias.canonical != NOT_A_COMPANY
            and self._skip_legal_forms(tokens, start + length) >= end
        )

    def _known_at(self, scan: _Scan, tokens: list[Token], start: int) -> tuple[Alias | None, int]:
        """The longest knowledge-base (or else learned) alias at ``start`` whose case fits.

        In a headline in capitals a learned single word ("CTS") could be any word.
        While learning, only the knowledge base counts: see :meth:`confirmed_names`.
        """
        found = _longest_in(self.kb.trie, tokens, start)
        if found[0] is None and self._learned_trie and not scan.learning:
            found = _longest_in(self._learned_trie, tokens, start)
            if found[0] is not None and found[1] == 1 and tokens[start].loud:
                return None, 0
        return found

    def _person_surnames(self, text: str) -> frozenset[str]:
        """Surnames of the people a text names ("Kevin Hawkins" -> "Hawkins").

        A person is later called by the surname alone, which must not read as a company.
        """
        surnames = set()
        for first, dot, last in _PERSON.findall(text):
            # After a given name a full stop ends the sentence ("cities such as Paris. Boeing
            # said"): only a title is abbreviated with one ("Mr. Gates").
            if first in self.lexicon.person_titles or (first in self.lexicon.first_names and not dot):
                surnames.add(last)
        return frozenset(surnames)

    def _single_ambiguous(self, name: str) -> bool:
        tokens = tokens_of(name)
        return len(tokens) == 1 and self._is_ordinary(tokens[0])

    def _accept_known(self, scan: _Scan, alias: Alias, tokens: list[Token], start: int) -> bool:
        if len([t for t in alias.tokens if t != "'s"]) == 1 and (
            tokens[start].text in scan.surnames
            or (
                start > 0
                and (
                    tokens[start - 1].text in self.lexicon.first_names
                    or tokens[start - 1].text in self.lexicon.person_titles
                )
            )
        ):
            return False  # "Harrison Ford", "Bill Gates", "Mr Gates"
        if not alias.ambiguous:
            return True
        end = start + len(alias.tokens)
        if not tokens[start].loud and self._legal_form_at(tokens, end) and end - start >= 2:
            return True  # "Dow Chemical Co said": a legal form confirms the name wherever it stands
        if (
            alias.canonical not in self.kb.curated
            and len(alias.tokens) == 1
            and (tokens[start].text in self.lexicon.places or tokens[start].text in self.lexicon.first_names)
        ):
            return False  # "Phoenix, Arizona"; a generated entry needs an unambiguous name
        # A word that is also an ordinary word, a name or a place counts only where
        # its capital letter means something: mid-sentence in normal text, and not
        # as the tail of a longer name ("First National Bank").
        previous = tokens[start - 1] if start > 0 else None
        return (
            previous is not None
            and not tokens[start].loud
            and not (tokens[start].joined and previous.capital and previous.text not in _FUNCTION_WORDS)
        )

    def _heads_longer_name(self, scan: _Scan, tokens: list[Token], end: int) -> bool:
        """ "Apple" in "Apple Daily", "Nomura" in "Nomura Securities": another, longer name."""
        following = tokens[end] if end < len(tokens) else None
        return bool(
            following
            and following.joined
            and following.capital
            and following.lower not in self.lexicon.legal_forms
            and not following.loud
            and not self._is_company_at(scan, tokens, end)
        )

    def _skip_legal_forms(self, tokens: list[Token], i: int) -> int:
        if i + 1 < len(tokens) and tokens[i].lower == "and" and tokens[i + 1].lower in _AND_CO:
            i += 1  # "and Co"
        while self._legal_form_at(tokens, i):
            i += 1
        return i

    def _run_end(self, scan: _Scan, tokens: list[Token], start: int) -> int:
        """End of the run of capitalised words at ``start`` (connected by "and")."""
        lex = self.lexicon
        i = start
        while i < len(tokens) and i - start < _MAX_RUN:
            token = tokens[i]
            if i > start and (
                not token.joined or token.text in _FUNCTION_WORDS or self._is_company_at(scan, tokens, i)
            ):
                break
            if token.capital and not (
                i > start and token.lower in lex.legal_forms and token.lower not in lex.company_heads
            ):
                i += 1
            elif (
                i > start
                and self._continues(tokens, i + 1)
                and (
                    token.lower in ("and", "und")
                    or (token.lower in lex.connectors_after_head and tokens[i - 1].lower in lex.company_heads)
                )
            ):
                i += 1  # "Dainippon Ink and Chemicals", "Fichtel und Sachs", "Canadian Imperial Bank of Commerce"
            else:
                break
        while i > start and not tokens[i - 1].capital:
            i -= 1
        return i

    def _continues(self, tokens: list[Token], i: int) -> bool:
        return i < len(tokens) and tokens[i].joined and tokens[i].capital

    def _is_company_at(self, scan: _Scan, tokens: list[Token], i: int) -> bool:
        alias = self._known_at(scan, tokens, i)[0]
        return alias is not None and alias.canonical != NOT_A_COMPANY

    # -- discovery -------------------------------------------------------------

    def _discover(self, scan: _Scan, sentence: str, tokens: list[Token], start: int, end: int) -> list[tuple[str, int]]:
        lex = self.lexicon
        if (
            start >= 2
            and tokens[start - 1].lower in ("of", "for")
            and (
                tokens[start - 2].lower in lex.institution_heads
                or (tokens[start - 2].lower in lex.institution_before_of and tokens[start - 2].capital)
            )
        ):
            return []  # "Association of Payment and Clearing Services", "House of Representatives"
        if self._excluded(tokens, start, end):
            return []  # "US Securities and Exchange Commission" is not "US Securities"
        joins = [i for i in range(start, end) if tokens[i].lower == "and"]
        # "Dainippon Ink and Chemicals Inc" is one name: ordinary words around "and"
        # and a legal form at the end. "BellSouth and SBC Communications" is two.
        # ... but "Chase Manhattan and Security Pacific Corp" is two: one side of a name's
        # "and" is one word, not initials ("Procter and Gamble", "Systems and Computer Technology").
        whole = not joins or (
            len(joins) == 1
            and self._is_ordinary(tokens[joins[0] - 1].text)
            and (joins[0] - start == 1 or end - joins[0] == 2)
            and not any(tokens[i].text.isupper() for i in (start, end - 1))  # "Paramount Pictures and MCA"
            and self._evidence(sentence, tokens, start, end) >= 3
        )
        found = self._candidate(scan, sentence, tokens, start, end) if whole else None
        if found:
            return [found]
        # "Michael Foods and Kenneth Bowman": try the parts on either side of "and".
        parts, part_start = [], start
        for i in range(start, end + 1):
            if i == end or tokens[i].lower == "and":
                if part_start < i and (part_start, i) != (start, end):
                    found = self._candidate(scan, sentence, tokens, part_start, i)
                    if found:
                        parts.append(found)
                part_start = i + 1
        return parts

    def _candidate(
        self, scan: _Scan, sentence: str, tokens: list[Token], start: int, end: int, floor: int = 0
    ) -> tuple[str, int] | None:
        """The company name the run ``start:end`` is, with the strength of its evidence, if the
        guards let it be one; ``floor`` is evidence the caller has from beyond the run's context."""
        lex = self.lexicon
        while start < end and (
            (tokens[start].text in lex.name_starts_never and not self._names_a_company(tokens, start, end))
            or tokens[start].lower == "and"
            or tokens[start].text in _FUNCTION_WORDS
            or tokens[start].lower in lex.legal_forms
            or _RATING_GRADE.match(tokens[start].text)
            or (
                start == 0
                and end > 1
                and tokens[0].lower.endswith(("ing", "ed"))
                and self.lexicon.is_common_word(tokens[0].text)
            )
        ):
            start += 1  # "Adding Morton-Thiokol": a verb opening the sentence
        for i in range(end - 1, start - 1, -1):
            if _QUALIFIER.search(tokens[i].text):
                start = i + 1  # "Hong Kong-based Techtronic Industries"
                break
        if start == 0 and end > 1 and tokens[0].lower in lex.descriptors and tokens[1].capital:
            start, floor = 1, max(floor, 2)  # "Miner Highland Gold said", "Carmaker Zorbex"
        if start >= end:
            return None
        alias, length = self._known_at(scan, tokens, start)
        if alias is not None and alias.canonical == NOT_A_COMPANY and start + length >= end:
            return None  # "European" in "And European firms"
        run = tokens[start:end]
        words = [t.text for t in run]
        evidence = max(floor, self._evidence(sentence, tokens, start, end))
        if evidence == 0 or self._excluded(tokens, start, end):
            return None
        hard = evidence >= 3  # a legal form or a ticker
        if len(run) == 1 and (
            len(words[0]) < 2
            or run[0].lower in lex.company_heads
            or run[0].lower in lex.generic_words
            or _EXCHANGE_TICKER.match(words[0])
        ):
            return None  # an initial, "Partners" or "International" alone, a ticker such as "QCOM.O"
        if (
            len(run) == 1
            and (self._is_ordinary(words[0]) or (words[0].isupper() and len(words[0]) <= 5))
            and evidence < 2
        ):
            return None
        if run[0].loud:
            # In a headline in capitals, capitals mean nothing; a legal form or ticker after
            # the words still says a name ends there, and the collection, writing it in
            # lower case elsewhere, says where it starts ("TEMPLE-INLAND INC <TIN> 1ST QTR NET").
            return self._name_written_elsewhere(scan, sentence, tokens, start, end, evidence) if hard else None
        legal = end < len(tokens) and tokens[end].lower in lex.legal_forms
        if (
            not legal
            and evidence < 3
            and len(run) <= 3
            and words[0] in lex.first_names
            and run[-1].lower not in lex.company_heads
        ):
            return None  # "William Makower", "Mark Bailin"
        if len(run) == 1 and words[0] in scan.surnames and not hard:
            return None  # "Hawkins" after "Kevin Hawkins"
        if all(self._is_ordinary(w) for w in words) and evidence < 2:
            return None  # "Social Services", "Mobile Communications", "Chemical Brothers"
        if len(run) == 2 and len(words[0].rstrip(".")) == 1 and not hard:
            return None  # "J Smit": an initial and a surname
        if (
            legal
            and start >= 2
            and tokens[start - 1].lower == "'s"
            and tokens[start - 1].joined
            and run[0].joined
            and self._is_ordinary(tokens[start - 2].text)
            and tokens[start - 2].lower not in lex.legal_forms
        ):
            run = tokens[start - 2 : end]  # "Fireman's Fund Corp" is not "Fund"; "Sony's Zorbex Inc" is Zorbex
        elif legal and len(run) == 1 and self._is_ordinary(words[0]):
            return sentence[run[0].start : tokens[end].end], evidence  # "Time Inc", "Lynch Corp": not "Time"
        return sentence[run[0].start : run[-1].end], evidence

    def _name_written_elsewhere(
        self, scan: _Scan, sentence: str, tokens: list[Token], start: int, end: int, evidence: int
    ) -> tuple[str, int] | None:
        """The longest tail of a run in capitals that the collection wrote as a name in
        ordinary case ("PRIME MEDICAL SERVICES" in "GROUP SEEKS PRIME MEDICAL SERVICES INC")."""
        if scan.learning:
            return None
        for first in range(start, end):
            name = sentence[tokens[first].start : tokens[end - 1].end]
            key = variant_key(name)
            if key in self._spelled_by_key or key in self._learned_by_key:
                return name, evidence
        return None

    def _bracketed(
        self, scan: _Scan, sentence: str, tokens: list[Token], i: int, after_name: bool
    ) -> tuple[int, str | None]:
        """``<IBM>`` is a ticker; ``<Zenex Oil Pty Ltd>`` is a company's name (Reuters style).

        A ticker right after a name belongs to that name and adds nothing; alone it
        names its company. Returns where scanning goes on and the name found.
        """
        close = sentence.find(">", tokens[i].start, tokens[i].start + 60)
        if close < 0 or "<" in sentence[tokens[i].start : close] or ")" in sentence[tokens[i].start : close]:
            close = tokens[i].end
        inside = [j for j in range(i, len(tokens)) if close < 0 or tokens[j].end <= close]
        if len(inside) <= 1:
            known = None if after_name or scan.learning else self.kb.canonical_for_ticker(tokens[i].text, scan.year)
            return i + 1, known
        end = inside[-1] + 1
        while end > i + 1 and (
            tokens[end - 1].lower in self.lexicon.legal_forms or tokens[end - 1].lower in ("and", "'s")
        ):
            end -= 1  # "<Kidder, Peabody and Co>" is "Kidder, Peabody"
        words = sentence[tokens[i].start : tokens[end - 1].end]
        alias = self._known_at(scan, tokens, i)[0]
        if alias is not None and alias.canonical != NOT_A_COMPANY and len(alias.tokens) == end - i:
            return inside[-1] + 1, alias.canonical
        single = end - i == 1 and (
            self._is_ordinary(tokens[i].text)
            or tokens[i].lower in self.lexicon.company_heads
            or tokens[i].lower in self.lexicon.generic_words
        )
        if single and end <= inside[-1] and self._is_ordinary(tokens[i].text):
            # "<Best Co Inc>", "<Time Inc>": an everyday word is a company's name only with its legal form
            return inside[-1] + 1, sentence[tokens[i].start : tokens[end].end]
        if single or self._excluded(tokens, i, end):
            return inside[-1] + 1, None  # "<Bancorp>" alone, "<Federal Reserve>"
        return inside[-1] + 1, words

    def _opens_named_bracket(self, sentence: str, tokens: list[Token], i: int) -> bool:
        """Whether ``tokens[i]`` opens angle brackets that hold several words (a name, not a ticker)."""
        if sentence[tokens[i].start - 1 : tokens[i].start] != "<":
            return False
        close = sentence.find(">", tokens[i].start, tokens[i].start + 60)
        return close > tokens[i].end and "<" not in sentence[tokens[i].start : close]

    def _ticker_follows(self, sentence: str, offset: int) -> bool:
        """A ticker in angle brackets right after the name (and its legal form)."""
        rest = sentence[offset : offset + 40]
        while True:
            match = _LEGAL_WORD.match(rest)
            if not match or match.group(1).lower() not in self.lexicon.legal_forms:
                break
            rest = rest[match.end() :]
        return bool(re.match(r"\s*<[A-Z0-9]", rest))

    def _evidence(self, sentence: str, tokens: list[Token], start: int, end: int) -> int:
        """How strongly the context says the run is a company: 0 none, 1 some, 2 strong, 3 certain."""
        lex = self.lexicon
        after = tokens[end] if end < len(tokens) else None
        beyond = tokens[end + 1].lower if end + 1 < len(tokens) else ""
        # "Internet Corporation for Assigned Names": a name goes on after the legal-form word
        name_goes_on = beyond in ("for", "of", "on") and self._continues(tokens, end + 2)
        if after and after.lower == "and" and beyond in _AND_CO and tokens[end + 1].capital:
            return 3  # "Kleinwort Grieveson and Co", "Samuel Montagu and Co Ltd"
        if after and after.lower in lex.legal_forms and not name_goes_on and (after.capital or len(after.text) <= 4):
            # "Internet Corporation for Assigned Names" is not a legal form.
            if after.lower not in lex.weak_legal_forms:
                return 3  # "Key Tronic corp", "Acme Widgets Inc"
        if self._ticker_follows(sentence, tokens[end - 1].end):
            return 3
        signals = [0]
        if after and after.lower in lex.weak_legal_forms and after.capital and not name_goes_on:
            single_word = end - start == 1 and self._is_ordinary(tokens[start].text)
            signals.append(1 if single_word else 2)  # "Williams Holdings", not "G7 Group"
        before = [t.lower for t in tokens[max(0, start - 4) : start]]
        if before and before[-1] in lex.descriptors and tokens[start - 1].text.islower() and tokens[start].joined:
            signals.append(2)  # "branding firm SalterBaxter", not "the company, Yury Boyko" nor "Group B"
        following = [t.lower for t in tokens[end : end + 4]]
        if lex.strong_cues_after.start(following):
            signals.append(2)  # "Paion's shares"
        opens_with_a_word = start == 0 and self.lexicon.is_common_word(tokens[0].text)  # "Neither Brazil, the"
        if not opens_with_a_word and self._described_after(sentence, tokens, end):
            signals.append(2)  # "Aerospatiale, a French aerospace company, ordered"
        if (
            start >= 3
            and tokens[start - 1].lower == "of"
            and tokens[start - 2].capital
            and tokens[start - 3].text in lex.first_names
            and tokens[start - 2].joined
        ):
            signals.append(2)  # "Mark Bailin of Rymer International Seafood"
        if lex.cues_after.start(following):
            signals.append(1)
        if lex.cues_before.end(before):
            signals.append(1)
        if tokens[end - 1].lower in lex.company_heads and end - start >= 2:
            signals.append(1)  # "Tyson Foods"
        if signals.count(1) >= 2:
            return max(2, max(signals))  # two hints together: "Toll Brothers reported"
        return max(signals)

    def _described_after(self, sentence: str, tokens: list[Token], end: int) -> bool:
        """Whether an apposition says what the run is: ", a French aerospace company," or
        ", the retail chain that"; not ", a company spokesman" (a person) nor ", the Bank of
        England said" (a name, not a description)."""
        if end + 1 >= len(tokens) or tokens[end].lower not in _ARTICLES:
            return False
        if sentence[tokens[end - 1].end : tokens[end].start].strip() != ",":
            return False
        for i in range(end + 1, min(end + 5, len(tokens))):
            word = tokens[i].lower
            if tokens[i].text == word and (word in self.lexicon.descriptors or word in _APPOSITION_HEADS):
                closing = sentence[tokens[i].end : tokens[i + 1].start] if i + 1 < len(tokens) else "."
                return closing.strip()[:1] in (",", ".", ";", ")", "-") or (
                    i + 1 < len(tokens) and tokens[i + 1].lower in _AFTER_APPOSITION
                )
            if word in _INSIDE_APPOSITION_NEVER or sentence[tokens[i - 1].end : tokens[i].start].strip():
                return False  # "a director of the company"; punctuation ends the apposition
        return False

    def _excluded(self, tokens: list[Token], start: int, end: int) -> bool:
        lex = self.lexicon
        words = [t.text for t in tokens[start:end]]
        name = " ".join(words)
        if name in lex.places or any(w in _MONTHS_AND_DAYS for w in words):
            return True
        if len(words) == 1 and _DEMONYM.search(words[0]):
            return True  # "Indonesian"
        if words[-1].lower() in lex.institution_heads or any(w.lower() in lex.institution_anywhere for w in words):
            return True
        if end < len(tokens) and tokens[end].lower in lex.not_after:
            return True  # "Everybody Online project"
        if any(word in lex.person_titles for word in words) and not self._ends_as_company(tokens, end):
            return True  # "Chancellor Gordon Brown"; "General Refractories Co" is a company
        return start > 0 and tokens[start - 1].text in lex.person_titles

    def _names_a_company(self, tokens: list[Token], start: int, end: int) -> bool:
        """A proper name that never starts a company alone ("Dow", "Reuters") starts one when the
        run goes on to a company's head word or legal form: "Dow Chemical Co", "Reuters Holdings"."""
        word = tokens[start].text
        return end - start >= 2 and not self.lexicon.is_common_word(word) and self._ends_as_company(tokens, end)

    def _ends_as_company(self, tokens: list[Token], end: int) -> bool:
        """The run ends in a company's head word ("Chemical", "Mills") or a legal form follows it."""
        return tokens[end - 1].lower in self.lexicon.company_heads or self._legal_form_at(tokens, end)

    def _legal_form_at(self, tokens: list[Token], i: int) -> bool:
        """A legal form written as one ("Co", "N.V"), not the word "company" in a sentence."""
        return i < len(tokens) and tokens[i].lower in self.lexicon.legal_forms and tokens[i].capital

    def _is_ordinary(self, word: str) -> bool:
        lex = self.lexicon
        return lex.is_common_word(word) or word in lex.places or word in lex.first_names


_RATING_GRADE = re.compile(r"^(?:AAA|AA|A|BBB|BB|B|CCC|CC|C)-(?:minus|plus)$", re.IGNORECASE)  # "A-minus Data General"
_ARTICLES = frozenset(("a", "an", "the"))
_APPOSITION_HEADS = frozenset(("group", "concern", "business"))  # ", a Dutch electronics group,"
# "a director of", and "the central bank": a central bank is no company
_INSIDE_APPOSITION_NEVER = frozenset(("of", "for", "at", "with", "to", "by", "from", "in", "on", "central"))
_AFTER_APPOSITION = frozenset(("that", "which", "whose", "based", "in", "with", "and", "controlled", "owned"))
# Words a name in capitals keeps in lower case once written as the company writes it.
_LOWER_IN_NAMES = frozenset("of and the for de du des la le et van von der den del y in on at".split())


def _longest_in(trie: dict, tokens: list[Token], start: int) -> tuple[Alias | None, int]:
    best: tuple[Alias | None, int] = (None, 0)
    node, i = trie, start
    while i < len(tokens) and tokens[i].lower in node and (i == start or tokens[i].joined):
        node = node[tokens[i].lower]
        i += 1
        for alias in node.get("", ()):
            if _case_fits(alias.tokens, tokens[start:i]):
                best = (alias, i - start)
    return best


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or (word[:1].isdigit() and any(c.isupper() for c in word))


def _case_fits(alias: tuple[str, ...], window: list[Token]) -> bool:
    """Exact case, or any case where the text is in capitals (a Reuters headline)."""
    for written, token in zip(alias, window, strict=False):
        if token.text == written:
            continue
        if token.text.isupper() and token.text == written.upper() and (token.loud or len(written) >= 4):
            continue  # "KEY TRONIC" in a headline, "INTEL Corp" in a body
        return False
    return True


def _is_loud(line: str) -> bool:
    """A line in capitals, or a headline in Title Case, where capitals mean nothing."""
    words = re.findall(r"[A-Za-z][A-Za-z'&.\-]*", line)
    if not words:
        return False
    if not any(c.islower() for c in line):
        return True
    long_words = [w for w in words if len(w) > 3]
    return (
        len(words) <= 20 and len(long_words) >= 4 and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.8
    )
