"""French words for what users read: dates and plurals, in one place."""

from __future__ import annotations

import datetime as dt

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def date_fr(value: dt.date | str | None, *, numeric: bool = False) -> str:
    """A date as French readers write it: « 1er novembre 2025 », or with
    *numeric* « 01/11/2025 ». Accepts a date or an ISO string; None gives ""."""
    if value is None:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if numeric:
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def format_date_fr(value: dt.date | str) -> str:
    """"2025-11-01" -> "01/11/2025" (the history's sentences)."""
    return date_fr(value, numeric=True)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 erreur', '3 erreurs' (French: 0 and 1 take the singular)."""
    word = singular if count < 2 else (plural_form or singular + "s")
    return f"{count} {word}"
