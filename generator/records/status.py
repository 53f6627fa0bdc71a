"""What is in force on a date: a scheme's status and its amount periods.

Record logic, not rendering: the site's pages, the home page's counts and
anything else that asks "what applies on day D" read these functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .models import Dispositif, Etat, PeriodeMontant


@dataclass
class InForce:
    """What is in force on the build date: status entries dated in the future
    take effect on their date; the next scheduled one is announced."""

    etat: Etat
    depuis: dt.date
    explication: str
    scheduled_applied: bool  # a dated entry newer than `statut` now applies
    upcoming: Any  # next future EntreeHistorique, or None


def in_force(scheme: Dispositif, today: dt.date) -> InForce:
    statut = scheme.statut
    etat, depuis, explication, applied = statut.etat, statut.depuis, statut.explication, False
    upcoming = None
    for entry in scheme.historique_statut:
        if entry.date <= today:
            if entry.date > depuis:
                etat, depuis, explication, applied = entry.etat, entry.date, entry.explication, True
        elif upcoming is None or entry.date < upcoming.date:
            upcoming = entry
    if statut.depuis > today and not applied:
        # The written status itself is scheduled: announce it, show the last one in force.
        past = [e for e in scheme.historique_statut if e.date <= today]
        if past:
            etat, depuis, explication = past[-1].etat, past[-1].date, past[-1].explication
        upcoming = upcoming if upcoming is not None and upcoming.date < statut.depuis else statut
    if upcoming is not None:
        when = getattr(upcoming, "date", None) or upcoming.depuis
        upcoming = {"date": when, "etat": upcoming.etat, "explication": upcoming.explication}
    return InForce(etat, depuis, explication, applied, upcoming)


def upcoming_amounts(periods: list[PeriodeMontant], today: dt.date) -> list[PeriodeMontant]:
    """Amount periods that start after the build date, soonest first."""
    return sorted((m for m in periods if m.du > today), key=lambda m: m.du)


def periods_in_force(periods: list[PeriodeMontant], today: dt.date) -> list[dict[str, Any]]:
    return [
        {"m": m, "state": "à venir" if m.du > today else ("terminée" if m.au is not None and m.au < today else "en vigueur")}
        for m in periods
    ]
