"""Publication dates in the forms news sources write them, normalized to aware UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from indexer.errors import InputError

# Forms that neither ISO 8601 nor RFC 822 cover, seen in real feeds and corpora.
_EXTRA_FORMATS = (
    "%d-%b-%Y %H:%M:%S.%f",  # Reuters-21578: 26-FEB-1987 15:01:01.79
    "%d-%b-%Y %H:%M:%S",
    "%d-%b-%Y",
    "%a, %d %B %Y",  # Fri, 17 July 2020
    "%d %B %Y",
    "%B %d, %Y",  # March 31, 2024
    "%b %d, %Y",
    "%d-%b-%y",  # 18-Jul-20
    "%Y/%m/%d",
)


_TRAILING_CODE = re.compile(r"^(.*\d)(?:\s?[A-Z]{1,3})+$")


def parse_date(text: str) -> datetime:
    """Read a date in ISO 8601, RFC 822 or one of the other common news forms.

    A value without a timezone is taken as UTC. Raises :class:`InputError`
    when the text is not a date in any known form.
    """
    value = " ".join(str(text).split())
    if not value:
        raise InputError("empty date")
    parsed = _parse_any(value)
    if parsed is None:
        # Wire feeds sometimes glue a desk code onto the time ("00:02:59.13RM").
        trimmed = _TRAILING_CODE.sub(r"\1", value)
        parsed = _parse_any(trimmed) if trimmed != value else None
    if parsed is None:
        raise InputError(f"unrecognised date {value[:40]!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date_or_none(text: str | None) -> datetime | None:
    """Like :func:`parse_date`, but a missing or unreadable date is ``None``."""
    if text is None:
        return None
    try:
        return parse_date(text)
    except InputError:
        return None


def _parse_any(value: str) -> datetime | None:
    iso = re.sub(r"Z$", "+00:00", value)
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _EXTRA_FORMATS:
        try:
            return datetime.strptime(value.title() if "%b" in fmt else value, fmt)
        except ValueError:
            continue
    return None
