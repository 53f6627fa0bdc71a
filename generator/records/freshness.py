"""Review due: when a reviewed record (``Kind.reviewed`` in kinds.py) should
next be read again, and whether it is late on a date."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple, Protocol

from .kinds import KINDS, Kind

if TYPE_CHECKING:
    from .corpus import Corpus, Record


class Reviewed(Protocol):
    """A record of a kind with ``reviewed=True``."""

    revu_le: dt.date
    intervalle_revue_jours: int


class ReviewState(NamedTuple):
    due: dt.date  # next review date
    overdue: bool  # the due date has passed (the due day itself is not late)
    days_late: int  # days since the due date; 0 when not overdue


def review_due(revu_le: dt.date, days: int) -> dt.date:
    """Next review date; dates are checked to end by 2100, this never overflows anyway."""
    try:
        return revu_le + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


def review_state(model: Reviewed, today: dt.date) -> ReviewState:
    """Due date, whether it has passed on *today*, and by how many days."""
    due = review_due(model.revu_le, model.intervalle_revue_jours)
    overdue = due < today
    return ReviewState(due, overdue, (today - due).days if overdue else 0)


def overdue_records(corpus: Corpus, today: dt.date) -> list[tuple[Record, Kind, ReviewState]]:
    """Records of every reviewed kind past their review date on *today*, kind by kind."""
    return [
        (record, kind, state)
        for kind in KINDS.values() if kind.reviewed
        for record in corpus.of_kind(kind.name).values()
        if (state := review_state(record.model, today)).overdue
    ]
