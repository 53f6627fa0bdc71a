"""What a weekly briefing says: one ISO week of the history, grouped by its effect on a call.

``week_briefing(project, week)`` reads the main line's history (changelog.py)
for the week's commits (Monday to Sunday, Europe/Paris), compares each record
changed by a commit with its version at the commit's first parent, and reads
what is in force from the records as they stood at the end of the week (the
last main-line commit before Monday 00:00): a briefing of a past week says the
same thing whenever it is prepared again.

Each item of the history carries a key naming its commit, so that a briefing
prepared again refreshes its items in place (site/briefing.py). Items read
from the state of the records (what takes effect soon, disruptions still
running, reviews due) are keyed by what they are about.

Only data here (plain text, never Markdown): site/briefing.py writes the page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..records.kinds import KINDS, owner_of
from ..records.models import Etat, EtatAnomalie
from ..records.status import in_force
from .changelog import Change, Versions, read_history
from .changes import CREATED
from .git import Git, NotARepositoryError
from .weeks import Week, last_week, parse_week, week_of

__all__ = ["Briefing", "Item", "RecordRef", "Week", "last_week", "parse_week", "week_briefing", "week_of"]

# States a caller hears about even when nothing changed this week.
DISRUPTED = (Etat.perturbe, Etat.paiements_bloques, Etat.en_deploiement)
# How far "what takes effect soon" looks, from the Monday after the week.
AHEAD_DAYS = 14


# --- what the briefing holds ----------------------------------------------------------


@dataclass(frozen=True)
class RecordRef:
    """A record named in a briefing: its kind, id and name, and whether the site has its page."""

    kind: str
    ident: str
    name: str
    exists: bool = True


@dataclass
class Item:
    """One generated item: *key* names it across runs (its commit, or what it is about)."""

    key: str
    record: RecordRef | None
    reason: str | None = None  # the commit's « Pourquoi: »
    commit: str | None = None  # short id
    day: dt.date | None = None  # the commit's day (Paris)
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Briefing:
    week: Week
    commits: int = 0
    partial: bool = False  # shallow clone: the history may be incomplete
    available: bool = True  # False outside git
    words: list[Item] = field(default_factory=list)  # éléments de langage changed
    statuses: list[Item] = field(default_factory=list)
    issues: list[Item] = field(default_factory=list)
    partners: list[Item] = field(default_factory=list)  # partner, circuit and orientation changes
    created: list[Item] = field(default_factory=list)
    upcoming: list[Item] = field(default_factory=list)
    running: list[Item] = field(default_factory=list)
    reviews: list[Item] = field(default_factory=list)  # fields["site"]: the referent site's name
    feedback: list[Item] = field(default_factory=list)
    feedback_kind: bool = False  # whether field feedback records exist in this version

    @property
    def counts(self) -> dict[str, int]:
        return {"statuses": len(self.statuses), "words": len(self.words), "issues": len(self.issues),
                "running": len(self.running), "upcoming": len(self.upcoming)}


# --- records, as stored in git --------------------------------------------------------


def _name(kind: str, data: dict[str, Any] | None, ident: str) -> str:
    if kind == "glossaire":
        return "Glossaire des sigles"
    if not data:
        return ident
    name = data.get("nom") or data.get("titre") or ident
    sigle = data.get("sigle")
    return f"{name} ({sigle})" if sigle and sigle.casefold() not in name.casefold() else name


def _models(records: dict[tuple[str, str], tuple[str, str, dict[str, Any] | None]]) -> dict[tuple[str, str], Any]:
    """(kind, id) -> validated model of each record stored at a commit (invalid ones left out)."""
    models = {}
    for (kind, ident), (_path, _blob, data) in records.items():
        if data is None or kind not in KINDS:
            continue
        data = {key: value for key, value in data.items() if not (kind == "guide" and key == "texte")}
        try:
            models[(kind, ident)] = KINDS[kind].model.model_validate_json(json.dumps(data))
        except ValueError:  # a version the current models no longer read
            continue
    return models


def _key(*parts: str) -> str:
    """An item key: lowercase ASCII, only what marker lines accept."""
    text = unicodedata.normalize("NFKD", ":".join(parts)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9:._-]+", "-", text.lower()).strip("-")[:200]


# --- reading the week --------------------------------------------------------------------


def week_briefing(project: Path, week: Week, *, allow_shallow: bool = False) -> Briefing:
    """What the briefing of *week* says, read from the repository holding *project*."""
    briefing = Briefing(week, feedback_kind="remontee" in KINDS)
    history = read_history(project, allow_shallow=allow_shallow)
    if not history.available:
        raise NotARepositoryError("« reperes briefing »")
    briefing.partial = history.partial
    changes = [c for c in reversed(history.changes) if week.monday <= c.when.date() <= week.sunday]  # oldest first
    with Git.require(project, "« reperes briefing »") as gitrepo:
        versions = Versions(gitrepo)
        end = gitrepo.last_commit_before(history.head, week.end()) if history.head else None
        state = _models(versions.records_at(end)) if end else {}
        commits: dict[str, list[Change]] = {}
        for change in changes:
            commits.setdefault(change.commit, []).append(change)
        briefing.commits = len(commits)
        for sha, group in commits.items():
            parent = gitrepo.first_parent(sha)
            before = versions.records_at(parent) if parent else {}
            after = versions.records_at(sha)
            _read_commit(briefing, group, before, after, state)
    _read_state(briefing, state)
    return briefing


def _ref(kind: str, ident: str, data: dict[str, Any] | None, state: dict) -> RecordRef:
    return RecordRef(kind, ident, _name(kind, data, ident), exists=(kind, ident) in state)


def _read_commit(briefing: Briefing, group: list[Change], before: dict, after: dict, state: dict) -> None:
    created: dict[str, list[tuple[RecordRef, str | None]]] = {}
    first = group[0]
    day = first.when.date()
    for change in group:
        key = (change.kind, change.record_id)
        old = before.get(key, (None, None, None))[2]
        new = after.get(key, (None, None, None))[2]
        ref = _ref(change.kind, change.record_id, new or old, state)
        base = dict(reason=change.reason, commit=change.short, day=day, record=ref)
        if change.sentences == [CREATED]:
            model = state.get(key)
            etat = in_force(model, day).etat.label if change.kind == "dispositif" and model is not None else None
            created.setdefault(change.kind, []).append((ref, etat))
        if new is None or old is None:
            continue  # a new record is told once, in « Nouvelles fiches », and read on its page
        if change.kind == "dispositif":
            _timeline(briefing, change, old, new, base)
        if change.kind in ("dispositif", "outil"):
            _anomalies(briefing, change, old, new, base)
        moved = [s for s in change.sentences if change.kind == "partenaire" or s.startswith(("Étape", "Orientation"))]
        if moved:
            briefing.partners.append(Item(_key(change.short, change.kind, change.record_id, "partenaires"),
                                          fields={"sentences": moved}, **base))
    for kind, refs in created.items():
        briefing.created.append(Item(_key(first.short, "creation", kind), None, first.reason, first.short, day,
                                     fields={"label": KINDS[kind].label, "records": refs}))


def _label(etat: str | None) -> str:
    return Etat(etat).label if etat else ""


def _timeline(briefing: Briefing, change: Change, old: dict | None, new: dict, base: dict) -> None:
    """New status entries (in force or scheduled), and words to say that changed."""
    old_entries = {entry["date"]: entry for entry in (old or {}).get("historique_statut", [])}
    timeline = new["historique_statut"]
    ordered = sorted(timeline, key=lambda entry: entry["date"])
    day = base["day"]
    # The entry in force on the commit's day (entries sorted by date).
    current = max((i for i, entry in enumerate(ordered) if dt.date.fromisoformat(entry["date"]) <= day), default=None)
    for index, entry in enumerate(ordered):
        previous = old_entries.get(entry["date"])
        when = dt.date.fromisoformat(entry["date"])
        if previous is None:
            prior = ordered[index - 1]["etat"] if index else None
            briefing.statuses.append(Item(
                _key(change.short, "dispositif", change.record_id, "statut", entry["date"]),
                fields={"before": _label(prior), "after": _label(entry["etat"]), "date": when,
                        "scheduled": when > day, "explication": entry["explication"]},
                **base,
            ))
        words = entry.get("elements_de_langage")
        old_words = previous.get("elements_de_langage") if previous else None
        # Words still to say: those of the entry in force on the commit's day, or of a later one.
        still_said = when > day or index == current
        if words and words != old_words and still_said:
            briefing.words.append(Item(
                _key(change.short, "dispositif", change.record_id, "mots", entry["date"]),
                fields={"text": words, "previous": old_words, "etat": _label(entry["etat"]), "date": when,
                        "scheduled": when > day},
                **base,
            ))


def _anomalies(briefing: Briefing, change: Change, old: dict | None, new: dict, base: dict) -> None:
    def title(item: dict[str, Any]) -> str:
        return " ".join(str(item.get("titre", "")).split()).casefold()

    previous = {title(item): item for item in (old or {}).get("anomalies", [])}
    for item in new.get("anomalies", []):
        was = previous.get(title(item))
        state = item.get("etat")
        opened = state == EtatAnomalie.ouverte.value and (was is None or was.get("etat") != state)
        solved = state == EtatAnomalie.resolue.value and was is not None and was.get("etat") != state
        if not (opened or solved):
            continue
        briefing.issues.append(Item(
            _key(change.short, change.kind, change.record_id, "anomalie", title(item)[:60]),
            fields={"opened": opened, "title": item["titre"], "symptome": item.get("symptome", ""),
                    "contournement": list(item.get("contournement") or []),
                    "resolue_le": dt.date.fromisoformat(item["resolue_le"]) if item.get("resolue_le") else None,
                    "reopened": opened and was is not None},
            **base,
        ))


# --- what stands at the end of the week ---------------------------------------------------


def _read_state(briefing: Briefing, state: dict[tuple[str, str], Any]) -> None:
    monday = briefing.week.next_monday
    horizon = monday + dt.timedelta(days=AHEAD_DAYS)
    schemes = sorted(((ident, model) for (kind, ident), model in state.items() if kind == "dispositif"),
                     key=lambda pair: pair[1].nom.casefold())
    for ident, scheme in schemes:
        ref = RecordRef("dispositif", ident, _name("dispositif", scheme.model_dump(), ident))
        force = in_force(scheme, monday)
        previous = force.etat
        for entry in (force.entry, *force.scheduled) if not force.started else force.scheduled:
            if monday <= entry.date < horizon:
                briefing.upcoming.append(Item(
                    _key("a-venir", "dispositif", ident, "statut", entry.date.isoformat()), ref,
                    fields={"date": entry.date, "what": "statut", "before": previous.label,
                            "after": entry.etat.label, "explication": entry.explication,
                            "text": entry.elements_de_langage},
                ))
            previous = entry.etat
        # Entries dated during the week itself took effect then: told as changes, not as coming.
        for period in scheme.montants:
            if monday <= period.du < horizon:
                briefing.upcoming.append(Item(
                    _key("a-venir", "dispositif", ident, "montant", period.du.isoformat()), ref,
                    fields={"date": period.du, "what": "montant", "amount": period.montant,
                            "rules": list(period.regles)},
                ))
        if force.started and force.etat in DISRUPTED:
            briefing.running.append(Item(
                _key("en-cours", "dispositif", ident), ref,
                fields={"etat": force.etat.label, "since": force.depuis, "explication": force.explication,
                        "text": force.elements_de_langage, "next": force.prochaine_mise_a_jour},
            ))
    briefing.upcoming.sort(key=lambda item: (item.fields["date"], item.record.name.casefold()))
    _reviews(briefing, state, monday)
    if briefing.feedback_kind:
        _feedback(briefing, state)


def _reviews(briefing: Briefing, state: dict[tuple[str, str], Any], monday: dt.date) -> None:
    from ..records.freshness import review_state

    sites = {ident: model.nom for (kind, ident), model in state.items() if kind == "site"}
    found = []
    for (kind, ident), model in state.items():
        if not KINDS[kind].reviewed:
            continue
        review = review_state(model, monday)
        if review.overdue:
            owner = owner_of(kind, model)
            found.append(Item(
                _key("revue", kind, ident), RecordRef(kind, ident, _name(kind, model.model_dump(), ident)),
                fields={"site": sites.get(owner, owner or ""), "due": review.due, "late": review.days_late,
                        "label": KINDS[kind].label},
            ))
    briefing.reviews = sorted(found, key=lambda i: (i.fields["site"].casefold(), i.fields["due"], i.record.name))


def _feedback(briefing: Briefing, state: dict[tuple[str, str], Any]) -> None:
    """Field feedback (« remontee » records) received or answered in the week."""
    week = briefing.week
    found = []
    for (kind, ident), model in state.items():
        if kind != "remontee":
            continue
        day = getattr(model, "date", None)
        treated = getattr(model, "traitee_le", None)
        # Received this week, or answered this week: the field sees what became of it.
        if not any(d is not None and week.monday <= d <= week.sunday for d in (day, treated)):
            continue
        about = next(((k, getattr(model, k)) for k in ("dispositif", "guide", "outil", "partenaire")
                      if getattr(model, k, None)), None)
        target = None
        if about is not None:
            target_kind = about[0]
            target_model = state.get((target_kind, about[1]))
            target = RecordRef(target_kind, about[1],
                               _name(target_kind, target_model.model_dump() if target_model else None, about[1]),
                               exists=target_model is not None)
        etat = getattr(model, "etat", None)
        found.append(Item(
            _key("remontee", ident), target,
            fields={"ident": ident, "date": day, "text": getattr(model, "signalement", ""),
                    "etat": getattr(etat, "label", str(etat or "")), "reponse": getattr(model, "reponse", None),
                    "modification": getattr(model, "modification", None),
                    "site": getattr(model, "site_referent", None)},
        ))
    briefing.feedback = sorted(found, key=lambda i: (i.fields["date"], i.fields["ident"]))
