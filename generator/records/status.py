"""What is in force on a date: a scheme's status and its amount periods.

Record logic, not rendering: the site's pages, the home page's counts and
anything else that asks "what applies on day D" read these functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .models import Dispositif, EntreeHistorique, Etat, PeriodeMontant


@dataclass(frozen=True)
class InForce:
    """The status on a date, read from a scheme's status timeline
    (``historique_statut``): the last entry dated on or before that date is in
    force; later entries are scheduled and announced."""

    entry: EntreeHistorique
    scheduled: tuple[EntreeHistorique, ...]  # future entries, soonest first
    started: bool = True  # False when even the first entry is still to come

    @property
    def etat(self) -> Etat:
        return self.entry.etat

    @property
    def depuis(self) -> dt.date:
        return self.entry.date

    @property
    def explication(self) -> str:
        return self.entry.explication

    @property
    def elements_de_langage(self) -> str | None:
        return self.entry.elements_de_langage

    @property
    def prochaine_mise_a_jour(self) -> dt.date | None:
        return self.entry.prochaine_mise_a_jour

    @property
    def donnee_exemple(self) -> bool:
        return self.entry.donnee_exemple

    @property
    def upcoming(self) -> EntreeHistorique | None:
        return self.scheduled[0] if self.scheduled else None


def split_timeline(
    timeline: list[EntreeHistorique], today: dt.date
) -> tuple[int | None, list[int]]:
    """(index of the entry in force on *today* or None, indexes of the future entries)."""
    current = None
    future = []
    for index, entry in enumerate(timeline):
        if entry.date <= today:
            if current is None or entry.date >= timeline[current].date:
                current = index
        else:
            future.append(index)
    future.sort(key=lambda i: timeline[i].date)
    return current, future


def in_force(scheme: Dispositif, today: dt.date) -> InForce:
    """What applies on *today*. The check refuses a timeline with nothing in
    force; a scheme whose first entry is still to come (a build dated before it)
    shows that first entry, marked as not started."""
    timeline = scheme.historique_statut
    current, future = split_timeline(timeline, today)
    if current is None:
        return InForce(timeline[future[0]], tuple(timeline[i] for i in future[1:]), started=False)
    return InForce(timeline[current], tuple(timeline[i] for i in future))


def upcoming_amounts(periods: list[PeriodeMontant], today: dt.date) -> list[PeriodeMontant]:
    """Amount periods that start after the build date, soonest first."""
    return sorted((m for m in periods if m.du > today), key=lambda m: m.du)


def periods_in_force(periods: list[PeriodeMontant], today: dt.date) -> list[dict[str, Any]]:
    return [
        {"m": m, "state": "à venir" if m.du > today else ("terminée" if m.au is not None and m.au < today else "en vigueur")}
        for m in periods
    ]
