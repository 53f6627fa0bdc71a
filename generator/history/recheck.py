"""Freshness that follows changes: which reviewed records are to be checked
again because a record they depend on changed since their last review.

A reviewed record (a guide, a scheme) depends on the records it names
(records/freshness.py ``dependencies``). Each content change of one of them
(``changes.content_sentences``: not a creation, a review date or a moved
file) made after the day of the dependent's ``revu_le`` marks the dependent
"à revérifier", until its own ``revu_le`` reaches that day: a commit that
only moves the dependent's ``revu_le`` clears it. Changes and their dates
come from the history; without one (no git repository), nothing is marked:
nothing is known, so nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..records.corpus import Corpus
from ..records.freshness import dependencies
from .changelog import Change, History
from .changes import content_sentences


@dataclass(frozen=True)
class Recheck:
    """One change of a record that another one depends on."""

    kind: str  # the record that changed
    ident: str
    change: Change
    sentences: tuple[str, ...]  # what changed in it (content sentences)

    @property
    def day(self) -> dt.date:
        """The day of the change, in Paris (what the site shows)."""
        return self.change.when.date()


def records_to_recheck(corpus: Corpus, history: History | None) -> dict[tuple[str, str], list[Recheck]]:
    """(kind, id) of each reviewed record to check again -> the changes since
    its review that make it so, newest first. Empty without a history."""
    if history is None or not history.available:
        return {}
    found: dict[tuple[str, str], list[Recheck]] = {}
    for (kind, ident), named in dependencies(corpus).items():
        reviewed = corpus.of_kind(kind)[ident].model.revu_le
        rechecks = []
        for target_kind, target in named:
            for change in history.for_record(target_kind, target):  # newest first
                if change.when.date() <= reviewed:
                    break
                sentences = content_sentences(change.sentences)
                if sentences:
                    rechecks.append(Recheck(target_kind, target, change, tuple(sentences)))
        if rechecks:
            found[(kind, ident)] = sorted(rechecks, key=lambda r: r.change.when, reverse=True)
    return found
