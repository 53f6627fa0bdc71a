"""ISO weeks (Monday to Sunday, Europe/Paris), as users type them: « 2026-W49 ».

One definition for every feature that works by the week: the weekly
briefing (briefing.py) and the weekly editions (site/editions.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import UsageError
from ..fr import date_fr, format_date_fr
from ..project import PARIS

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def next_monday(self) -> dt.date:
        """The Monday after the week: the day its briefing is read."""
        return self.monday + dt.timedelta(days=7)

    @property
    def iso(self) -> str:
        """« 2026-W49 », as typed."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def slug(self) -> str:
        """« 2026-s49 »: a briefing's file name and address (s: semaine)."""
        return f"{self.year}-s{self.number:02d}"

    @property
    def version(self) -> str:
        """« 2026-S49 »: an edition's version name."""
        return f"{self.year}-S{self.number:02d}"

    @property
    def title(self) -> str:
        return f"Semaine {self.number} ({format_date_fr(self.monday)})"

    @property
    def span_fr(self) -> str:
        """« du 23 au 29 novembre 2026 », « du 30 novembre au 6 décembre 2026 »."""
        start, end = self.monday, self.sunday
        if start.year != end.year:
            return f"du {date_fr(start)} au {date_fr(end)}"
        if start.month != end.month:
            return f"du {date_fr(start).rsplit(' ', 1)[0]} au {date_fr(end)}"
        return f"du {date_fr(start).split(' ', 1)[0]} au {date_fr(end)}"

    def start(self) -> dt.datetime:
        """Monday 00:00, Paris time."""
        return _paris_midnight(self.monday)

    def end(self) -> dt.datetime:
        """The next Monday 00:00, Paris time: the week is what comes before."""
        return _paris_midnight(self.next_monday)


def _paris_midnight(day: dt.date) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(0, 0), ZoneInfo(PARIS))


def parse_week(text: str) -> Week:
    """« 2026-W49 » (ISO week) typed by a user; a UsageError otherwise."""
    match = _WEEK.fullmatch(text.strip())
    hint = "écrivez l'année et la semaine ISO, par exemple 2026-W49"
    if not match:
        raise UsageError(f"semaine « {text} » au mauvais format", hint)
    year, number = int(match.group(1)), int(match.group(2))
    try:
        dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise UsageError(f"semaine « {text} » inexistante : l'année {year} n'a pas de semaine {number}", hint) from None
    return Week(year, number)


def week_of(day: dt.date) -> Week:
    year, number, _ = day.isocalendar()
    return Week(year, number)


def last_week(today: dt.date) -> Week:
    """The last complete week before *today*."""
    return week_of(today - dt.timedelta(days=7))
