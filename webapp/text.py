"""The characters a page or feed may carry: one function strips the rest, wherever text is written out.

XML 1.0 forbids the C0 controls but tab, newline and carriage return, lone
surrogates, U+FFFE and U+FFFF; one of them anywhere makes a feed that no reader
parses. HTML reports the same ones, and also DEL, the C1 controls and the
noncharacters, as parse errors. Article text, facet values and the query can
hold any of them (an ingested file, a ``%01`` in a URL), so every value a
template writes and every value the feed writes passes through
:func:`displayable`.
"""

from __future__ import annotations

import re

from markupsafe import Markup

_PLANE_ENDS = "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17))
_UNDISPLAYABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff" + _PLANE_ENDS + "]"
)


def displayable(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids or HTML reports as errors (a Markup stays Markup)."""
    cleaned = _UNDISPLAYABLE.sub("", text)
    return Markup(cleaned) if isinstance(text, Markup) else cleaned


def finalize(value: object) -> object:
    """Jinja's ``finalize``: every value a template writes out, text made :func:`displayable` first."""
    return displayable(value) if isinstance(value, str) else value


def thousands(number: int) -> str:
    """``23390`` as ``23,390``: counts on the pages are read at a glance, not digit by digit."""
    return f"{number:,}"
