"""The links between records: the one walker of references.

A reference is a field whose value is the id of another record (a circuit
step's ``responsable`` names a partner, a guide's ``outils`` name tools…).
Where such fields sit in a record is found by walking the models
(``introspect.fields``); which fields they are, and what they point to, is
declared once, in ``TARGETS`` (the owner fields come from the kinds table).
The cross-record check (references resolve), the site's reverse index (who
mentions a partner) and the pages' dependencies all read ``references`` and
``reverse_index``.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass

from pydantic import BaseModel

from .corpus import Corpus, Record
from .introspect import fields
from .kinds import KINDS
from .loader import Path as DataPath
from .models import ACTEURS, Anomalie, Dispositif, Etape, Guide, Redirection, Remontee


@dataclass(frozen=True)
class Target:
    """What a reference field points to."""

    kind: str  # a record kind: "partenaire", "outil", "site", "dispositif"
    role: str  # what the link means: "étape", "anomalie", "redirection", "propriétaire", "lié", "guide", "remontée"
    actors: bool = False  # may name an actor instead (ACTEURS: "employeur", "beneficiaire")


# (model, field) -> what it points to. A new reference field is one row here;
# where it sits in the records is found by walking the models. The owner
# fields of the kinds table point to referent sites.
TARGETS: dict[tuple[type[BaseModel], str], Target] = {
    (Etape, "responsable"): Target("partenaire", "étape", actors=True),
    (Etape, "outil"): Target("outil", "étape"),
    (Anomalie, "responsable"): Target("partenaire", "anomalie"),
    (Redirection, "partenaire"): Target("partenaire", "redirection"),
    (Redirection, "dispositif"): Target("dispositif", "redirection"),
    (Dispositif, "dispositifs_lies"): Target("dispositif", "lié"),
    (Guide, "dispositifs"): Target("dispositif", "guide"),
    (Guide, "outils"): Target("outil", "guide"),
    (Guide, "partenaires"): Target("partenaire", "guide"),
    **{(Remontee, kind): Target(kind, "remontée") for kind in ("dispositif", "guide", "outil", "partenaire")},
    **{(kind.model, kind.owner): Target("site", "propriétaire") for kind in KINDS.values() if kind.owner},
}


@dataclass(frozen=True)
class Reference:
    """One id written in a record that names another record (or an actor)."""

    path: DataPath  # where in the record: ("circuit", 2, "responsable"), for record.loaded.position
    kind: str  # what it names: a record kind, or an actor ("employeur") when the field allows one
    target: str  # the id written
    role: str  # Target.role
    holder: BaseModel  # the object whose field it is (the step, the known issue, the record itself…)
    declared: Target  # the field's declaration: the kind it must name, whether actors may stand in


@functools.cache
def _plan(model: type[BaseModel]) -> tuple[tuple[str, bool, Target | None, type[BaseModel] | None], ...]:
    """The fields of *model* worth visiting: (name, is a list, target if a reference, nested model)."""
    plan = []
    for field in fields(model).values():
        target = TARGETS.get((model, field.name))
        if target is not None or field.model is not None:
            plan.append((field.name, field.is_list, target, field.model))
    return tuple(plan)


def _walk(obj: BaseModel, path: DataPath, found: list[Reference]) -> None:
    """Append the references of *obj* (at *path* in its record) to *found*, in field order."""
    for name, is_list, target, nested in _plan(type(obj)):
        value = getattr(obj, name)
        if value is None:
            continue
        for index, item in enumerate(value) if is_list else ((None, value),):
            where = path + (name,) if index is None else path + (name, index)
            if target is not None:
                kind = item if target.actors and item in ACTEURS else target.kind
                found.append(Reference(where, kind, item, target.role, obj, target))
            elif nested is not None and isinstance(item, BaseModel):
                _walk(item, where, found)


def references_in(model: BaseModel) -> list[Reference]:
    """Every reference in a validated record (or part of one), in field order."""
    found: list[Reference] = []
    _walk(model, (), found)
    return found


# A record loaded once is the same object until its file changes (LoadCache):
# its references are walked once, not at every regeneration of `mkdocs serve`.
_WALKED: weakref.WeakKeyDictionary[Record, list[Reference]] = weakref.WeakKeyDictionary()


def references(kind: str, record: Record) -> list[Reference]:
    """Every reference written in *record*, of kind *kind*, in the order of its fields."""
    if KINDS[kind].model is not type(record.model):
        raise ValueError(f"record {record.path} is not of kind {kind!r}")
    found = _WALKED.get(record)
    if found is None:
        found = _WALKED[record] = references_in(record.model)
    return found


Backlinks = dict[tuple[str, str], list[tuple[Record, Reference]]]


def reverse_index(corpus: Corpus) -> Backlinks:
    """(kind, id) -> the records that name it, with where: records in the order
    of the kinds table and of the corpus, references in field order."""
    index: Backlinks = {}
    for kind in KINDS:
        for record in corpus.of_kind(kind).values():
            for reference in references(kind, record):
                index.setdefault((reference.kind, reference.target), []).append((record, reference))
    return index
