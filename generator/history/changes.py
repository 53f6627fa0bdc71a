"""What changed between two versions of a record, as French sentences.

``describe_changes`` compares two ``model_dump(mode="json")`` of the same
record and returns the changes a reader cares about, one French sentence each,
in the model's field order. The history (changelog) and the site show these
sentences as they are, so their wording is part of the contract:

- ``Fiche créée`` / ``Fiche supprimée``;
- scalars: ``Nom : « A » → « B »``, ``Résumé modifié``, ``Versée par l'ASP : oui → non``;
- lists of words: ``Appellations : ajout de « a », retrait de « b »`` (order ignored);
- lists of objects, matched by a natural key: ``Référence ajoutée : « titre »``;
- the parts of a scheme that people follow closely (status, status history,
  known issues, circuit, amounts) have sentences of their own.

Every field of every model has a French name (``FIELD_NAMES``), with its
grammatical gender so that participles agree (« Résumé modifié »,
« Explication modifiée », « Éléments de langage modifiés »).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, NamedTuple

from pydantic import BaseModel

from ..fr import format_date_fr
from ..records.introspect import fields, models
from ..records.kinds import KINDS
from ..records.models import (
    Anomalie,
    Dispositif,
    EntreeHistorique,
    Etape,
    EtatAnomalie,
    Glossaire,
    Guide,
    LabelledEnum,
    ModeOperatoire,
    Outil,
    Partenaire,
    PeriodeMontant,
)

__all__ = [
    "CREATED",
    "DELETED",
    "FIELD_NAMES",
    "GUIDE_BODY_FIELD",
    "Name",
    "all_models",
    "describe_changes",
    "field_name",
    "format_date_fr",
]

CREATED = "Fiche créée"
DELETED = "Fiche supprimée"

# Key under which the caller passes a guide's Markdown body (see guides.py).
GUIDE_BODY_FIELD = "texte"

# Text values up to this length, on one line, are quoted in sentences;
# longer ones are only said to have changed.
SHORT_TEXT = 60

_ARROW = "→"


# --- French names ------------------------------------------------------------


class Name(NamedTuple):
    """A French noun phrase and its gender/number: "m", "f", "mp" or "fp"."""

    text: str
    gender: str


def _m(text: str) -> Name:
    return Name(text, "m")


def _f(text: str) -> Name:
    return Name(text, "f")


def _mp(text: str) -> Name:
    return Name(text, "mp")


def _fp(text: str) -> Name:
    return Name(text, "fp")


# Field name -> French name, shared by every model where the field appears.
FIELD_NAMES: dict[str, Name] = {
    # record headers
    "id": _m("identifiant"),
    "nom": _m("nom"),
    "sigle": _m("sigle"),
    "titre": _m("titre"),
    "resume": _m("résumé"),
    "revu_le": _f("date de revue"),
    "intervalle_revue_jours": _m("intervalle de revue"),
    "etiquettes": _fp("étiquettes"),
    "donnee_exemple": _f("donnée d'exemple"),
    "source": _f("source"),
    # Dispositif
    "appellations": _fp("appellations"),
    "domaine": _m("domaine"),
    "versement_asp": _f("versée par l'ASP"),
    "eligibilite": _f("éligibilité"),
    "montants": _mp("montants"),
    "references": _fp("références"),
    "circuit": _m("circuit"),
    "historique_statut": _m("statut"),
    "anomalies": _fp("anomalies connues"),
    "faq": _fp("questions fréquentes"),
    "orientation": _f("orientation"),
    "modeles_reponse": _mp("modèles de réponse"),
    "site_referent": _m("site référent"),
    "dispositifs_lies": _mp("dispositifs liés"),
    # Partenaire, Outil, SiteReferent, Glossaire, Guide
    "type": _m("type"),
    "role": _m("rôle"),
    "contacts": _mp("contacts"),
    "contact": _m("contact"),
    "liens": _mp("liens"),
    "objet": _m("objet"),
    "utilisateurs": _mp("utilisateurs"),
    "url": _f("adresse"),
    "modes_operatoires": _mp("modes opératoires"),
    "termes": _mp("termes"),
    "dispositifs": _mp("dispositifs"),
    "outils": _mp("outils"),
    "partenaires": _mp("partenaires"),
    "proprietaire": _m("propriétaire"),
    # Reference
    "consulte_le": _f("date de consultation"),
    # Eligibilite
    "beneficiaires": _mp("bénéficiaires"),
    "conditions": _fp("conditions"),
    # PeriodeMontant
    "du": _f("date de début"),
    "au": _f("date de fin"),
    "montant": _m("montant"),
    "regles": _fp("règles"),
    # Etape
    "responsable": _m("responsable"),
    "outil": _m("outil"),
    "delai": _m("délai"),
    "verification": _f("vérification"),
    # EntreeHistorique
    "etat": _m("état"),
    "depuis": _f("date d'effet"),
    "explication": _f("explication"),
    "elements_de_langage": _mp("éléments de langage"),
    "prochaine_mise_a_jour": _f("prochaine mise à jour"),
    "date": _f("date"),
    # Anomalie
    "symptome": _m("symptôme"),
    "cause": _f("cause"),
    "contournement": _m("contournement"),
    "resolue_le": _f("date de résolution"),
    # QuestionReponse
    "question": _f("question"),
    "reponse": _f("réponse"),
    # Redirection, Orientation
    "cas": _m("cas"),
    "partenaire": _m("partenaire"),
    "dispositif": _m("dispositif"),
    "message": _m("message"),
    "ligne": _f("ligne"),
    "bal": _f("BAL"),
    "a_rediriger": _mp("cas à rediriger"),
    # ModeleReponse, Contact
    "canal": _m("canal"),
    "texte": _m("texte"),
    "libelle": _m("libellé"),
    "valeur": _f("valeur"),
    "horaires": _mp("horaires"),
    # ModeOperatoire
    "etapes": _fp("étapes"),
    "attention": _m("point d'attention"),
    # Terme
    "developpement": _f("forme développée"),
    "definition": _f("définition"),
}

# Where a field means something else in one model.
FIELD_NAME_OVERRIDES: dict[tuple[type[BaseModel], str], Name] = {
    (Anomalie, "depuis"): _f("date d'apparition"),
    (Guide, "proprietaire"): _m("site propriétaire"),
}

# Unit shown after integer values.
_UNITS = {"intervalle_revue_jours": " jours"}

_AGREEMENT = {"m": "", "f": "e", "mp": "s", "fp": "es"}


def field_name(model: type[BaseModel], field: str) -> Name:
    """The French name of *field* in *model*; KeyError when none is defined."""
    override = FIELD_NAME_OVERRIDES.get((model, field))
    if override is not None:
        return override
    try:
        return FIELD_NAMES[field]
    except KeyError:
        raise KeyError(f"no French name for field {model.__name__}.{field}") from None


def _agree(participle: str, gender: str) -> str:
    """« modifié » agreed with a noun's gender and number."""
    return participle + _AGREEMENT[gender]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(model: type[BaseModel], fields: Iterable[str]) -> str:
    return ", ".join(field_name(model, field).text for field in fields)


# --- values ------------------------------------------------------------------


def _quote(text: str) -> str:
    return f"« {text.strip()} »"


def _is_short(text: str) -> bool:
    text = text.strip()
    return len(text) <= SHORT_TEXT and "\n" not in text


def _yes_no(value: Any) -> str:
    return "oui" if value else "non"


# Labels kept as written inside a sentence: proper nouns that do not look like one.
_PROPER_LABELS = {"Cap emploi"}


def _label_in_sentence(label: str) -> str:
    """A closed-vocabulary label inside a sentence: lowercase first letter,
    except for acronyms (« OPCO ») and proper nouns (« France Travail »)."""
    words = label.split()
    if not words or label in _PROPER_LABELS:
        return label
    first = words[0]
    if len(first) > 1 and first.isupper():
        return label
    if any(word[:1].isupper() for word in words[1:]):
        return label
    return label[:1].lower() + label[1:]


def _enum_text(enum: type[Enum] | None, value: Any) -> str:
    if enum is not None and issubclass(enum, LabelledEnum):
        try:
            return _label_in_sentence(enum(value).label)
        except ValueError:
            pass  # a value since removed from the vocabulary: show it raw
    return str(value)


def _join_fr(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


# --- model introspection -----------------------------------------------------


def _shape(model: type[BaseModel], field: str) -> tuple[str, Any]:
    """("text" | "bool" | "int" | "date" | "enum" | "strlist" | "objlist" | "obj", inner type)."""
    info = fields(model)[field]
    if info.is_list:
        return ("objlist", info.model) if info.model is not None else ("strlist", info.type)
    if info.model is not None:
        return "obj", info.model
    if info.enum is not None:
        return "enum", info.enum
    if isinstance(info.type, type):
        if issubclass(info.type, bool):
            return "bool", info.type
        if issubclass(info.type, int):
            return "int", info.type
        if issubclass(info.type, dt.date):
            return "date", info.type
    return "text", str


def _get(model: type[BaseModel], data: dict[str, Any] | None, field: str) -> Any:
    """data[field], or the model's default when an older dump lacks it."""
    if data is not None and field in data:
        return data[field]
    return fields(model)[field].default()


# --- comparison --------------------------------------------------------------

# Lists whose order is meaningful; every other list is compared as a bag.
_ORDERED = {(Dispositif, "circuit"), (Anomalie, "contournement"), (ModeOperatoire, "etapes")}


def _norm_text(value: Any) -> Any:
    """Text without the whitespace a reader does not see (trailing spaces, final newline)."""
    if not isinstance(value, str):
        return value
    return "\n".join(line.rstrip() for line in value.strip().splitlines())


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _canon_field(model: type[BaseModel], field: str, value: Any) -> Any:
    """A comparable form of one field's value: whitespace and unordered lists normalised."""
    shape, inner = _shape(model, field)
    if value is None:
        return None
    if shape == "text":
        return _norm_text(value)
    if shape in ("strlist", "objlist"):
        items = [_canon_obj(inner, item) if shape == "objlist" else _norm_text(item) for item in value]
        return items if (model, field) in _ORDERED else sorted(items, key=_sort_key)
    if shape == "obj":
        return _canon_obj(inner, value)
    return value


def _canon_obj(model: type[BaseModel], data: dict[str, Any] | None) -> Any:
    if not isinstance(data, dict):
        return data
    return {field: _canon_field(model, field, _get(model, data, field)) for field in fields(model)}


def _same(model: type[BaseModel], field: str, before: Any, after: Any) -> bool:
    return _canon_field(model, field, before) == _canon_field(model, field, after)


def _changed_fields(model: type[BaseModel], before: dict[str, Any], after: dict[str, Any],
                    skip: Iterable[str] = ()) -> list[str]:
    skipped = set(skip)
    return [
        field for field in fields(model)
        if field not in skipped and not _same(model, field, _get(model, before, field), _get(model, after, field))
    ]


def _pair(before: list[dict[str, Any]], after: list[dict[str, Any]],
          key: Callable[[dict[str, Any]], Any],
          fallback: Callable[[int, dict[str, Any], int, dict[str, Any]], bool] | None = None) -> dict[int, int]:
    """after index -> before index: same key first (in order of occurrence),
    then *fallback* for items left over on both sides."""
    free: dict[Any, deque[int]] = defaultdict(deque)
    for index, item in enumerate(before):
        free[_sort_key(key(item))].append(index)
    pairs: dict[int, int] = {}
    for index, item in enumerate(after):
        slots = free.get(_sort_key(key(item)))
        if slots:
            pairs[index] = slots.popleft()
    if fallback is not None:
        taken = set(pairs.values())
        for index, item in enumerate(after):
            if index in pairs:
                continue
            for old, old_item in enumerate(before):
                if old not in taken and fallback(old, old_item, index, item):
                    pairs[index] = old
                    taken.add(old)
                    break
    return pairs


def _removed(before: list[Any], pairs: dict[int, int]) -> list[int]:
    taken = set(pairs.values())
    return [index for index in range(len(before)) if index not in taken]


# --- generic fields ----------------------------------------------------------


def _describe_scalar(model: type[BaseModel], field: str, before: Any, after: Any) -> list[str]:
    name = field_name(model, field)
    label = _cap(name.text)
    shape, inner = _shape(model, field)
    added, removed = _agree("ajouté", name.gender), _agree("retiré", name.gender)

    def shown(value: Any) -> str:
        if shape == "bool":
            return _yes_no(value)
        if shape == "int":
            return f"{value}{_UNITS.get(field, '')}"
        if shape == "date":
            return format_date_fr(value)
        if shape == "enum":
            return _enum_text(inner, value)
        return _quote(str(value))

    if shape == "text":
        short = all(_is_short(str(value)) for value in (before, after) if value is not None)
        if before is not None and after is not None:
            if short:
                return [f"{label} : {shown(before)} {_ARROW} {shown(after)}"]
            return [f"{label} {_agree('modifié', name.gender)}"]
        if not short:
            return [f"{label} {added if after is not None else removed}"]
    if before is None:
        return [f"{label} {added} : {shown(after)}"]
    if after is None:
        return [f"{label} {removed}" + (f" : {shown(before)}" if shape == "text" else "")]
    if shape == "int" and field in _UNITS:
        return [f"{label} : {before} {_ARROW} {shown(after)}"]
    return [f"{label} : {shown(before)} {_ARROW} {shown(after)}"]


def _describe_revu_le(model: type[BaseModel], field: str, before: Any, after: Any) -> list[str]:
    if after is None:
        return ["Date de revue retirée"]
    if before is None:
        return [f"Revue le {format_date_fr(after)}"]
    return [f"Revue le {format_date_fr(after)} (au lieu du {format_date_fr(before)})"]


def _describe_words(model: type[BaseModel], field: str, before: Any, after: Any) -> list[str]:
    """A list of words or ids, compared as a bag: additions and removals only."""
    before_items = [str(item).strip() for item in before or []]
    after_items = [str(item).strip() for item in after or []]
    left = Counter(_norm_text(item) for item in before_items)
    added = []
    for item in after_items:
        if left[_norm_text(item)] > 0:
            left[_norm_text(item)] -= 1
        else:
            added.append(item)
    right = Counter(_norm_text(item) for item in after_items)
    removed = []
    for item in before_items:
        if right[_norm_text(item)] > 0:
            right[_norm_text(item)] -= 1
        else:
            removed.append(item)
    if not added and not removed:
        return []
    name = field_name(model, field)
    label = _cap(name.text)
    if not all(_is_short(item) for item in added + removed):
        return [f"{label} {_agree('modifié', name.gender)}"]
    parts = []
    if added:
        parts.append("ajout de " + _join_fr([_quote(item) for item in added]))
    if removed:
        parts.append("retrait de " + _join_fr([_quote(item) for item in removed]))
    return [f"{label} : {', '.join(parts)}"]


def _describe_object(model: type[BaseModel], field: str, before: Any, after: Any) -> list[str]:
    """A nested object (eligibilite, orientation, contact), summed up in one sentence."""
    name = field_name(model, field)
    label = _cap(name.text)
    if before is None:
        return [f"{label} {_agree('ajouté', name.gender)}"]
    if after is None:
        return [f"{label} {_agree('retiré', name.gender)}"]
    _, inner = _shape(model, field)
    changed = _changed_fields(inner, before, after)
    if not changed:
        return []
    return [f"{label} {_agree('modifié', name.gender)} ({_names(inner, changed)})"]


class _ListSpec(NamedTuple):
    """How to tell the items of a list of objects apart, and how to name them."""

    noun: Name  # « Référence », « Question fréquente »…
    key: tuple[str, ...]  # fields that identify an item
    label: str  # field shown between « »
    anchor: str  # an item whose key changed is the same item if this field did not
    renamed: str = "renommé"  # participle when the label changes


_REFERENCE = _ListSpec(_f("référence"), ("url",), "titre", "titre")
_KEYED_LISTS: dict[tuple[type[BaseModel], str], _ListSpec] = {
    (Dispositif, "references"): _REFERENCE,
    (Outil, "references"): _REFERENCE,
    (Partenaire, "liens"): _REFERENCE._replace(noun=_m("lien")),
    (Dispositif, "faq"): _ListSpec(_f("question fréquente"), ("question",), "question", "reponse", "reformulé"),
    (Dispositif, "modeles_reponse"): _ListSpec(_m("modèle de réponse"), ("titre",), "titre", "texte"),
    (Partenaire, "contacts"): _ListSpec(_m("contact"), ("libelle", "canal"), "libelle", "valeur"),
    (Outil, "modes_operatoires"): _ListSpec(_m("mode opératoire"), ("titre",), "titre", "etapes"),
    (Glossaire, "termes"): _ListSpec(_m("sigle"), ("sigle",), "sigle", "developpement"),
}


def _describe_keyed_list(model: type[BaseModel], field: str, before: Any, after: Any) -> list[str]:
    spec = _KEYED_LISTS[(model, field)]
    _, item_model = _shape(model, field)
    before, after = list(before or []), list(after or [])

    def key(item: dict[str, Any]) -> Any:
        return [_canon_field(item_model, part, _get(item_model, item, part)) for part in spec.key]

    def same_anchor(_old: int, old_item: dict[str, Any], _new: int, new_item: dict[str, Any]) -> bool:
        old_value = _get(item_model, old_item, spec.anchor)
        return bool(old_value) and _same(item_model, spec.anchor, old_value, _get(item_model, new_item, spec.anchor))

    pairs = _pair(before, after, key, same_anchor)
    noun, gender = _cap(spec.noun.text), spec.noun.gender
    sentences = []
    for index, item in enumerate(after):
        label = _get(item_model, item, spec.label)
        if index not in pairs:
            sentences.append(f"{noun} {_agree('ajouté', gender)} : {_quote(label)}")
            continue
        old = before[pairs[index]]
        old_label = _get(item_model, old, spec.label)
        skip = ()
        if not _same(item_model, spec.label, old_label, label):
            sentences.append(f"{noun} {_quote(old_label)} {_agree(spec.renamed, gender)} en {_quote(label)}")
            skip = (spec.label,)
        if _changed_fields(item_model, old, item, skip):
            sentences.append(f"{noun} {_quote(label)} {_agree('modifié', gender)}")
    for index in _removed(before, pairs):
        label = _get(item_model, before[index], spec.label)
        sentences.append(f"{noun} {_agree('retiré', gender)} : {_quote(label)}")
    return sentences


# --- the parts of a scheme that have sentences of their own ------------------


def _describe_timeline(
    model: type[BaseModel], field: str, before: Any, after: Any, on: dt.date | None = None
) -> list[str]:
    """The status timeline: a new entry is a status change, in force or
    scheduled (dated after *on*, the day of the change); an edited entry is
    told field by field; a removed one is told too."""
    before, after = list(before or []), list(after or [])
    state = fields(EntreeHistorique)["etat"].enum

    def same_date(_old: int, old_item: dict[str, Any], _new: int, new_item: dict[str, Any]) -> bool:
        return old_item.get("date") == new_item.get("date")

    pairs = _pair(before, after, lambda item: _canon_obj(EntreeHistorique, item), same_date)
    sentences = []
    for index, item in enumerate(after):
        day = format_date_fr(item["date"])
        if index not in pairs:
            new_state = _enum_text(state, item.get("etat"))
            previous = after[index - 1] if index else None
            change = (
                f"{_enum_text(state, previous.get('etat'))} {_ARROW} {new_state}" if previous is not None
                else new_state
            )
            if on is not None and dt.date.fromisoformat(str(item["date"])) > on:
                sentences.append(f"Statut programmé au {day} : {change}")
            elif previous is None:
                sentences.append(f"Statut : {change} (depuis le {day})")
            else:
                sentences.append(f"Statut : {change}" + ("" if index == len(after) - 1 else f" (entrée du {day})"))
        else:
            sentences.extend(_describe_entry(before[pairs[index]], item, day, latest=index == len(after) - 1))
    for index in _removed(before, pairs):
        sentences.append(f"Statut : entrée du {format_date_fr(before[index]['date'])} retirée")
    return sentences


def _describe_entry(before: dict[str, Any], after: dict[str, Any], day: str, *, latest: bool) -> list[str]:
    """One timeline entry edited in place (its date unchanged); an entry other
    than the latest one is named by its date."""
    of = "" if latest else f" du {day}"

    def get(data: dict[str, Any], name: str) -> Any:
        return _get(EntreeHistorique, data, name)

    sentences = []
    state = fields(EntreeHistorique)["etat"].enum
    if get(before, "etat") != get(after, "etat"):
        sentences.append(
            f"Statut{of} : {_enum_text(state, get(before, 'etat'))} {_ARROW} {_enum_text(state, get(after, 'etat'))}"
        )
    if not _same(EntreeHistorique, "explication", get(before, "explication"), get(after, "explication")):
        sentences.append(f"Explication du statut{of} modifiée")
    if not _same(EntreeHistorique, "elements_de_langage", get(before, "elements_de_langage"), get(after, "elements_de_langage")):
        sentences.append(f"Éléments de langage{of} modifiés")
    old_next, new_next = get(before, "prochaine_mise_a_jour"), get(after, "prochaine_mise_a_jour")
    if old_next != new_next:
        if new_next is None:
            sentences.append(f"Prochaine mise à jour{of} retirée")
        elif old_next is None:
            sentences.append(f"Prochaine mise à jour{of} annoncée le {format_date_fr(new_next)}")
        else:
            sentences.append(
                f"Prochaine mise à jour{of} : {format_date_fr(new_next)} (au lieu du {format_date_fr(old_next)})"
            )
    if bool(get(before, "donnee_exemple")) != bool(get(after, "donnee_exemple")):
        sentences.append(f"Statut du {day} modifié ({field_name(EntreeHistorique, 'donnee_exemple').text})")
    return sentences


def _describe_anomalies(model: type[BaseModel], field: str, before: Any, after: Any) -> list[str]:
    before, after = list(before or []), list(after or [])

    def title(item: dict[str, Any]) -> str:
        return _norm_text(item.get("titre") or "")

    def renamed(old: int, old_item: dict[str, Any], new: int, new_item: dict[str, Any]) -> bool:
        return old == new and old_item.get("depuis") == new_item.get("depuis")

    pairs = _pair(before, after, title, renamed)
    sentences = []
    for index, item in enumerate(after):
        name = _quote(item["titre"])
        if index not in pairs:
            sentences.append(f"Anomalie connue ajoutée : {name}")
            continue
        old = before[pairs[index]]
        skip = ["titre"]
        if title(old) != title(item):
            sentences.append(f"Anomalie {_quote(old['titre'])} renommée en {name}")
        old_state, new_state = _get(Anomalie, old, "etat"), _get(Anomalie, item, "etat")
        if old_state != new_state:
            skip += ["etat", "resolue_le"]
            if new_state == EtatAnomalie.resolue.value:
                solved = _get(Anomalie, item, "resolue_le")
                sentences.append(f"Anomalie {name} résolue" + (f" le {format_date_fr(solved)}" if solved else ""))
            else:
                sentences.append(f"Anomalie {name} rouverte")
        changed = _changed_fields(Anomalie, old, item, skip)
        if changed:
            sentences.append(f"Anomalie {name} modifiée ({_names(Anomalie, changed)})")
    for index in _removed(before, pairs):
        sentences.append(f"Anomalie connue retirée : {_quote(before[index]['titre'])}")
    return sentences


def _steps_in_place(pairs: list[tuple[int, int]]) -> set[int]:
    """Indexes in *pairs* ((after, before), sorted by before) of the steps that
    kept their order: a longest run of increasing after indexes, preferring
    steps that moved least, so that the steps told as moved are the ones a
    reader sees move."""
    if not pairs:
        return set()
    # score: (steps kept, -total displacement)
    score = [(1, -abs(new - old)) for new, old in pairs]
    previous = [-1] * len(pairs)
    for i, (new, old) in enumerate(pairs):
        for j in range(i):
            if pairs[j][0] < new:
                candidate = (score[j][0] + 1, score[j][1] - abs(new - old))
                if candidate > score[i]:
                    score[i], previous[i] = candidate, j
    end = max(range(len(pairs)), key=lambda i: (score[i], -i))
    kept = set()
    while end != -1:
        kept.add(end)
        end = previous[end]
    return kept


def _pair_steps(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> tuple[dict[int, int], set[int]]:
    """(after index -> before index, after indexes of moved steps).

    A step whose title is in both versions is the same step; it has moved only
    when it changed places with other such steps. Steps left over are paired
    by position between two steps that stayed put (a retitled step, or the
    same position when nothing was inserted).
    """
    pairs = _pair(before, after, lambda step: _norm_text(step.get("titre")))
    ordered = sorted(pairs.items(), key=lambda pair: pair[1])  # by before index
    kept = _steps_in_place(ordered)
    anchors = [ordered[i] for i in sorted(kept)]
    moved = {ordered[i][0] for i in range(len(ordered)) if i not in kept}

    def gap(index: int, side: int) -> int:
        return sum(1 for anchor in anchors if anchor[side] < index)

    taken_before = set(pairs.values())
    left_before: dict[int, list[int]] = defaultdict(list)
    for old in range(len(before)):
        if old not in taken_before:
            left_before[gap(old, 1)].append(old)
    left_after: dict[int, list[int]] = defaultdict(list)
    for new in range(len(after)):
        if new not in pairs:
            left_after[gap(new, 0)].append(new)
    for slot, news in left_after.items():
        for new, old in zip(news, left_before.get(slot, [])):
            pairs[new] = old
    return pairs, moved


def _describe_circuit(model: type[BaseModel], field: str, before: Any, after: Any) -> list[str]:
    before, after = list(before or []), list(after or [])
    pairs, moved = _pair_steps(before, after)
    sentences = []
    for index, step in enumerate(after):
        number = index + 1
        if index not in pairs:
            sentences.append(f"Étape {number} ajoutée au circuit : {_quote(step['titre'])}")
            continue
        old = before[pairs[index]]
        if index in moved:
            sentences.append(f"Étape {_quote(step['titre'])} déplacée de {pairs[index] + 1} à {number}")
        if old.get("responsable") != step.get("responsable"):
            sentences.append(
                f"Étape {number} du circuit : responsable {old.get('responsable')} {_ARROW} {step.get('responsable')}"
            )
        old_tool, new_tool = _get(Etape, old, "outil"), _get(Etape, step, "outil")
        if old_tool != new_tool:
            if old_tool is None:
                sentences.append(f"Étape {number} du circuit : outil ajouté : {new_tool}")
            elif new_tool is None:
                sentences.append(f"Étape {number} du circuit : outil retiré")
            else:
                sentences.append(f"Étape {number} du circuit : outil {old_tool} {_ARROW} {new_tool}")
        changed = _changed_fields(Etape, old, step, skip=("responsable", "outil"))
        if changed:
            sentences.append(f"Étape {number} du circuit modifiée ({_names(Etape, changed)})")
    for index in _removed(before, pairs):
        sentences.append(f"Étape {index + 1} retirée du circuit : {_quote(before[index]['titre'])}")
    return sentences


def _describe_amounts(model: type[BaseModel], field: str, before: Any, after: Any) -> list[str]:
    before, after = list(before or []), list(after or [])

    def moved_start(old: int, old_item: dict[str, Any], new: int, new_item: dict[str, Any]) -> bool:
        return old == new and _same(PeriodeMontant, "montant", old_item.get("montant"), new_item.get("montant"))

    pairs = _pair(before, after, lambda period: period.get("du"), moved_start)
    sentences = []
    for index, period in enumerate(after):
        start = format_date_fr(period["du"])
        if index not in pairs:
            amount = period.get("montant") or ""
            shown = f" : {_quote(amount)}" if _is_short(amount) else ""
            sentences.append(f"Nouvelle période de montant à partir du {start}{shown}")
            continue
        old = before[pairs[index]]
        old_start = format_date_fr(old["du"])
        if old["du"] != period["du"]:
            sentences.append(f"Période de montant du {old_start} : début fixé au {start}")
        if not _same(PeriodeMontant, "montant", old.get("montant"), period.get("montant")):
            sentences.append(f"Montant en vigueur au {start} modifié")
        old_end, new_end = _get(PeriodeMontant, old, "au"), _get(PeriodeMontant, period, "au")
        if old_end != new_end:
            if new_end is None:
                sentences.append(f"Période de montant du {start} : fin retirée")
            elif old_end is None:
                sentences.append(f"Période de montant du {start} : fin fixée au {format_date_fr(new_end)}")
            else:
                sentences.append(
                    f"Période de montant du {start} : fin fixée au {format_date_fr(new_end)} "
                    f"(au lieu du {format_date_fr(old_end)})"
                )
        if not _same(PeriodeMontant, "regles", _get(PeriodeMontant, old, "regles"), _get(PeriodeMontant, period, "regles")):
            sentences.append(f"Règles de la période du {start} modifiées")
        if not _same(PeriodeMontant, "source", _get(PeriodeMontant, old, "source"), _get(PeriodeMontant, period, "source")):
            sentences.append(f"Source de la période du {start} modifiée")
    for index in _removed(before, pairs):
        sentences.append(f"Période de montant du {format_date_fr(before[index]['du'])} retirée")
    return sentences


_Describer = Callable[[type[BaseModel], str, Any, Any], list[str]]

_SPECIAL: dict[tuple[type[BaseModel], str], _Describer] = {
    (Dispositif, "historique_statut"): _describe_timeline,
    (Dispositif, "anomalies"): _describe_anomalies,
    (Outil, "anomalies"): _describe_anomalies,
    (Dispositif, "circuit"): _describe_circuit,
    (Dispositif, "montants"): _describe_amounts,
    **{key: _describe_keyed_list for key in _KEYED_LISTS},
}


def _describer(model: type[BaseModel], field: str) -> _Describer:
    special = _SPECIAL.get((model, field))
    if special is not None:
        return special
    if field == "revu_le":
        return _describe_revu_le
    shape, _ = _shape(model, field)
    if shape == "strlist":
        return _describe_words
    if shape == "obj":
        return _describe_object
    if shape == "objlist":
        raise KeyError(f"no way to describe the list {model.__name__}.{field}")
    return _describe_scalar


# --- entry point -------------------------------------------------------------


def describe_changes(
    kind: str, before: dict[str, Any] | None, after: dict[str, Any] | None, *, on: dt.date | None = None
) -> list[str]:
    """The changes from *before* to *after* (two dumps of one record of *kind*),
    as French sentences in the model's field order; [] when nothing changed.

    ``before is None`` means the record was created, ``after is None`` that it
    was deleted. For guides, the Markdown body is passed under the key "texte".
    *on* is the day of the change: a status entry dated after it is "programmé".
    """
    try:
        model = KINDS[kind].model
    except KeyError:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}") from None
    if before is None and after is None:
        return []
    if before is None:
        return [CREATED]
    if after is None:
        return [DELETED]
    sentences: list[str] = []
    for field in fields(model):
        old, new = _get(model, before, field), _get(model, after, field)
        if _same(model, field, old, new):
            continue
        if (model, field) == (Dispositif, "historique_statut"):
            sentences.extend(_describe_timeline(model, field, old, new, on))
        else:
            sentences.extend(_describer(model, field)(model, field, old, new))
    if model is Guide and _norm_text(before.get(GUIDE_BODY_FIELD)) != _norm_text(after.get(GUIDE_BODY_FIELD)):
        sentences.append("Texte du guide modifié")
    return sentences


def all_models() -> list[type[BaseModel]]:
    """Every model used by a record kind, each once, kinds first."""
    return models(row.model for row in KINDS.values())
