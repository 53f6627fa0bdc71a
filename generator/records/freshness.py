"""Review due: when a reviewed record (``Kind.reviewed`` in kinds.py) should
next be read again, whether it is late on a date, and what it depends on.

A reviewed record depends on the records it names (references.py: a guide's
dispositifs, outils and partenaires, a scheme's partners, tools and related
schemes), but not on its owner: a referent site's own record changing (its
contact) says nothing about what its records say. When one of them changes
after the dependent's ``revu_le``, the dependent is to be checked again;
what changed, and when, is read from the history (history/recheck.py).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple, Protocol

from .kinds import KINDS, Kind
from .references import references

if TYPE_CHECKING:
    from .corpus import Corpus, Record

# Reference roles that do not make a record depend on the one it names.
NOT_DEPENDENCIES = frozenset({"propriétaire"})


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


def dependencies(corpus: Corpus) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(kind, id) of each reviewed record -> the records it depends on,
    (kind, id) each once, in the order of its fields."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for kind in KINDS.values():
        if not kind.reviewed:
            continue
        for record in corpus.of_kind(kind.name).values():
            named = [
                (ref.kind, ref.target) for ref in references(kind.name, record)
                if ref.role not in NOT_DEPENDENCIES and ref.kind in KINDS
                and (ref.kind, ref.target) != (kind.name, record.id)
            ]
            if named:
                found[(kind.name, record.id)] = list(dict.fromkeys(named))
    return found
