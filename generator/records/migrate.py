"""Older shapes of records, read in today's shape.

Records in the working tree must have the current shape (the check says how
to write it). Older revisions, read from git by the history, the pull-request
rules and the weekly editions, keep the shape they were written in; each
upgrade here turns one retired shape into the current one, so that comparing
two revisions compares what they said, not how it was written.
"""

from __future__ import annotations

from typing import Any

# Fields of the retired `statut:` block that now live on the timeline's entries.
_STATUS_FIELDS = ("etat", "explication", "elements_de_langage", "prochaine_mise_a_jour", "donnee_exemple")


def upgrade(kind: str, data: Any) -> Any:
    """*data* (one record as parsed from YAML) in the current shape; data that is
    not a mapping, or already current, is returned as is."""
    if kind == "dispositif" and isinstance(data, dict) and "statut" in data:
        return _status_block_to_timeline(data)
    return data


def _status_block_to_timeline(data: dict[str, Any]) -> dict[str, Any]:
    """Until December 2026 a scheme had a `statut:` block (the status in force,
    with its words) beside `historique_statut:` (dated states). The block
    becomes the timeline's entry of its date: merged into the entry of that
    date when there is one (the block's text wins: it is what the page showed
    as the status in force), inserted in date order otherwise."""
    data = dict(data)
    status = data.pop("statut")
    timeline = data.get("historique_statut")
    timeline = [dict(e) if isinstance(e, dict) else e for e in timeline] if isinstance(timeline, list) else []
    if not isinstance(status, dict):
        data["historique_statut"] = timeline
        return data
    since = status.get("depuis")
    entry = {"date": since, **{name: status[name] for name in _STATUS_FIELDS if name in status}}
    for index, old in enumerate(timeline):
        if isinstance(old, dict) and old.get("date") == since:
            timeline[index] = {**old, **entry}
            break
    else:
        position = len(timeline)
        for index, old in enumerate(timeline):
            if isinstance(old, dict) and _later(old.get("date"), since):
                position = index
                break
        timeline.insert(position, entry)
    data["historique_statut"] = timeline
    return data


def _later(value: Any, than: Any) -> bool:
    try:
        return value > than
    except TypeError:
        return False


# Keys of retired shapes, by model: what to tell whoever still writes them.
RETIRED_KEYS: dict[tuple[str, str], str] = {
    ("Dispositif", "statut"): (
        "le bloc « statut » n'existe plus : le statut est l'entrée en vigueur de « historique_statut » ; "
        "déplacez « elements_de_langage » et « prochaine_mise_a_jour » dans cette entrée, puis retirez « statut »"
    ),
}
