"""Removing page furniture from article text copied out of web pages.

Pure functions over lines and paragraphs: what a reader would not call part of
the story (image captions and slugs, "Enlarge Image", read-time lines, author
bios, share buttons, trailing wire ids) is dropped, and paragraphs that the copy
broke in two are joined again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Lines that are page controls or labels, never story text.
_CONTROL_LINE = re.compile(
    r"""^(?:
        (?:enlarge|view|expand)\s+(?:image|photo|picture)
      | see\s+(?:all\s+)?(?:photos|pictures|images|gallery)
      | (?:photo|image)\s*:.*
      | (?:share|tweet|email|print|save|comments?|advertisement|sponsored|close|menu
          |skip\s+to\s+(?:main\s+)?content|read\s+more|related\s+(?:stories|articles)
          |sign\s+up|subscribe|follow\s+us|show\s+more)
      | \d+\s+min(?:ute)?s?\s+read
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_READ_TIME = re.compile(r"^\d+\s+min(?:ute)?s?\s+read$", re.IGNORECASE)
_MEDIA_CONTROL = re.compile(r"^(?:(?:enlarge|view|expand)\s+\w+|see\s+(?:all\s+)?\w+)$", re.IGNORECASE)
# An image file slug such as "toyota-panasonic-jv-promo".
_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+){2,}$")
# A wire-service tracking id such as "MENAFN31032024000045015682ID1108040431".
_WIRE_ID = re.compile(r"^(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16,}$")
_PERSON_NAME = re.compile(r"^(?:[A-Z][a-z'’\-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z'’\-]+|[A-Z]\.)){1,3}$")
_BY_LINE = re.compile(r"^By\s+((?:[A-Z][a-z'’\-]+|[A-Z]\.)(?:\s+(?:[A-Z][a-z'’\-]+|[A-Z]\.)){1,3})\b.*$")
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’)]*$")


@dataclass(frozen=True)
class CleanText:
    """Paragraphs of story text and the author found in the byline, if any."""

    paragraphs: tuple[str, ...]
    author: str | None


def is_furniture_line(line: str) -> bool:
    """True for a line that is page furniture wherever it stands."""
    text = line.strip()
    return len(text) <= 2 or bool(_CONTROL_LINE.match(text)) or bool(_SLUG.match(text)) or bool(_WIRE_ID.match(text))


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.strip()))


def clean_lines(lines: list[str]) -> CleanText:
    """Drop furniture from the lines of a copied page and return its paragraphs.

    Blank lines separate paragraphs; lines inside a paragraph are joined with a
    space, so hard-wrapped text reads as prose.
    """
    kept = [line.strip() for line in lines]
    author, kept = _remove_byline(kept)
    kept = _remove_captions(kept)
    kept = ["" if line and is_furniture_line(line) else line for line in kept]
    return CleanText(paragraphs=tuple(_join_broken(_paragraphs(kept))), author=author)


def _remove_byline(lines: list[str]) -> tuple[str | None, list[str]]:
    """Find the author and drop the byline block (name, role, bio, read time).

    Pages like CNET's print "Name Role", a bio paragraph, the name again and then
    "N min read": everything from the first line that starts with the name to the
    read-time line is byline. A plain "By Name" line is a byline too.
    """
    for index, line in enumerate(lines):
        if not _READ_TIME.match(line):
            continue
        before = [i for i in range(index) if lines[i]]
        if before and _PERSON_NAME.match(lines[before[-1]]):
            author = lines[before[-1]]
            first = next(i for i in before if lines[i].startswith(author))
            return author, lines[:first] + lines[index + 1 :]
    for index, line in enumerate(lines[:12]):
        match = _BY_LINE.match(line)
        if match:
            return match.group(1), lines[:index] + lines[index + 1 :]
    return None, lines


def _remove_captions(lines: list[str]) -> list[str]:
    """Drop the caption line that stands just before an image or gallery control.

    A caption is short and has no sentence-ending punctuation; story text before
    a control keeps its full stop and stays.
    """
    result = list(lines)
    for index, line in enumerate(lines):
        if not _MEDIA_CONTROL.match(line) or not is_furniture_line(line):
            continue
        previous = next((i for i in range(index - 1, -1, -1) if result[i]), None)
        if previous is not None and len(result[previous]) < 120 and not ends_sentence(result[previous]):
            result[previous] = ""
    return result


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs, current = [], []
    for line in lines + [""]:
        if line:
            current.append(line)
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


def _join_broken(paragraphs: list[str]) -> list[str]:
    """Join a fragment to the paragraph after it when that one starts in lower case.

    Copying from a page that wraps a link ("Toyota" then "and Panasonic are ...")
    breaks one paragraph into two; the lower-case start shows they belong together.
    """
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and paragraph[:1].islower() and not ends_sentence(joined[-1]):
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return joined


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=[ \t]{2,}\S)")


def join_wrapped_lines(text: str) -> str:
    """Hard-wrapped lines joined; a blank line or an indented line starts a paragraph.

    Paragraphs come back separated by one blank line, whitespace inside folded.
    """
    blocks = (" ".join(block.split()) for block in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n")))
    return "\n\n".join(block for block in blocks if block)
