"""`reperes new KIND ID`: a new record, valid as written, with a French
comment on each field.

Fields, their order, their descriptions (the models' docstrings), which are
required and which vocabulary a field takes all come from the models, read
through ``records/introspect.py``: a field added to a model appears in every
new record. Required fields get a value the check accepts (« À compléter. »,
today's date, the first value of a vocabulary, an existing referent site);
optional ones are written commented out, ready to uncomment. A record that
can say it is an example (``donnee_exemple``) says so until it is filled in.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pydantic import BaseModel

from ..errors import InternalError, UsageError
from ..records.corpus import load_file
from ..records.introspect import ModelField, fields
from ..records.kinds import KINDS
from ..records.models import SLUG_MAX, SLUG_RE, WINDOWS_RESERVED, Contact, EntreeHistorique
from ..records.validation import did_you_mean
from .schema import modeline

# The kinds `reperes new` writes (the glossary is one file that already exists).
NEW_KINDS = ("dispositif", "partenaire", "outil", "site", "guide")

TEXT = "À compléter."
COMMENT_WIDTH = 96

# Values a field needs beyond its type: the rules that tie fields together
# (a contact's value must match its channel) or that another check enforces
# (the status entry in force says what to say).
_VALUES: dict[tuple[type[BaseModel], str], str] = {
    (Contact, "canal"): "courriel",
    (Contact, "valeur"): "a-completer@exemple.invalid",
}
_ALSO_FILLED = {(EntreeHistorique, "elements_de_langage")}
# Fields naming the referent site that owns the record (KINDS' owner field).
_OWNER_FIELDS = {kind.owner for kind in KINDS.values() if kind.owner}
# Values by the validator a field's type carries (Url, ForgeTeam, Slug).
_VALIDATED = {
    "_check_https": "https://exemple.invalid/a-completer",
    "_check_forge_team": '"@organisation/equipe"',
    "_check_slug": "identifiant-a-completer",
}


@dataclass(frozen=True)
class Scaffold:
    kind: str
    ident: str
    site: str | None  # the referent site written in the owner field
    today: dt.date


def _comment(pad: str, text: str) -> list[str]:
    return [f"{pad}# {line}" for line in textwrap.wrap(text, COMMENT_WIDTH - len(pad) - 2)]


def _scalar(model: type[BaseModel], name: str, info: ModelField, new: Scaffold) -> str:
    if (model, name) in _VALUES:
        return _VALUES[(model, name)]
    if name == "id":
        return new.ident
    if name in _OWNER_FIELDS and new.site:
        return new.site
    if name == "donnee_exemple":
        return "true"
    enum = info.enum
    if enum is not None:
        return next(iter(enum)).value  # type: ignore[attr-defined]
    kind = info.type if isinstance(info.type, type) else None
    if kind is not None and issubclass(kind, bool):
        return "true" if info.default() else "false"
    if kind is not None and issubclass(kind, int):
        return str(info.default() if info.default() is not None else 1)
    if kind is not None and issubclass(kind, dt.date):
        return new.today.isoformat()
    return next((value for validator, value in _VALIDATED.items() if validator in info.validators), TEXT)


def _about(info: ModelField, required: bool) -> str:
    text = (info.description or "").strip()
    enum: type[Enum] | None = info.enum
    if enum is not None and "valeurs possibles" not in text and not any(m.value in text for m in enum):
        text += " Valeurs possibles : " + ", ".join(str(member.value) for member in enum) + "."
    return text + ("" if required else " Facultatif : retirez « # » pour le remplir.")


def _emit(model: type[BaseModel], indent: int, new: Scaffold, *, commented: bool) -> list[str]:
    lines: list[str] = []
    for name, info in fields(model).items():
        example = name == "donnee_exemple"  # written true: the values are not real yet
        required = (info.required or (model, name) in _ALSO_FILLED or example) and not commented
        pad = " " * indent
        about = _about(info, required or commented)
        if example and required:
            about += " Laissez true tant que les valeurs « À compléter. » ne sont pas remplacées."
        lines += _comment(pad, about)
        value_lines = _field(model, name, info, indent, new, commented=not required)
        lines += value_lines
    return lines


def _field(model: type[BaseModel], name: str, info: ModelField, indent: int, new: Scaffold, *,
           commented: bool) -> list[str]:
    pad = " " * indent
    mark = "# " if commented else ""
    sub = info.model
    if sub is None:
        value = _scalar(model, name, info, new)
        return [f"{pad}{mark}{name}:", f"{pad}{mark}  - {value}"] if info.is_list else [f"{pad}{mark}{name}: {value}"]
    if commented:  # the required fields of one item, to show the shape
        inner = [f"{sub_name}: {_scalar(sub, sub_name, sub_info, new)}"
                 for sub_name, sub_info in fields(sub).items() if sub_info.required]
        if info.is_list:
            inner = [("- " if i == 0 else "  ") + line for i, line in enumerate(inner)]
        return [f"{pad}# {name}:", *(f"{pad}#   {line}" for line in inner)]
    body = _emit(sub, indent + (4 if info.is_list else 2), new, commented=False)
    if info.is_list:
        first = next(i for i, line in enumerate(body) if not line.lstrip().startswith("#"))
        body[first] = " " * (indent + 2) + "- " + body[first].lstrip()
    return [f"{pad}{name}:", *body]


def record_text(new: Scaffold, target: Path, schemes_root: Path) -> str:
    """The text of the new record of *new.kind* written at *target*."""
    kind = KINDS[new.kind]
    header = [
        f"# {kind.label} « {new.ident} » créé par « reperes new » le {new.today:%d/%m/%Y} : chaque champ est",
        "# précédé de sa description ; remplacez « À compléter. » et les valeurs d'exemple,",
        "# puis lancez « make check ». Référence : docs/contribuer/reference-des-champs.md",
        "",
    ]
    body = _emit(kind.model, 0, new, commented=False)
    if new.kind == "guide":
        return "\n".join(["---", *header, *body, "---", "", f"## {TEXT}", "", f"{TEXT}", ""])
    return "\n".join([modeline(new.kind, target, schemes_root), *header, *body, ""])


def check_ident(ident: str, kind: str) -> None:
    if not SLUG_RE.match(ident) or len(ident) > SLUG_MAX or ident in WINDOWS_RESERVED:
        raise UsageError(
            f"identifiant « {ident} » invalide",
            "uniquement des minuscules sans accent, des chiffres et des tirets, par exemple aide-embauche-jeunes",
        )
    from ..records.checks import RESERVED_IDS

    if ident in RESERVED_IDS.get(kind, ()):
        raise UsageError(f"l'identifiant « {ident} » est réservé", f"choisissez un identifiant qui nomme {KINDS[kind].named}")


def pick_site(kind: str, wanted: str | None, sites: list[str]) -> str | None:
    """The referent site written in a new record's owner field."""
    if KINDS[kind].owner is None:
        return None
    if wanted is not None:
        if wanted not in sites:
            hint = did_you_mean(wanted, sites) or ("sites existants : " + ", ".join(sites) if sites else None)
            raise UsageError(f"site référent « {wanted} » introuvable", hint)
        return wanted
    if not sites:
        raise UsageError(
            f"{KINDS[kind].named} doit être tenu par un site référent, et il n'y en a aucun",
            "créez d'abord le site : reperes new site ID",
        )
    return sites[0]


def write_record(root: Path, new: Scaffold) -> Path:
    """Write the new record under the project *root*; refuse to overwrite one.
    The text is checked before it is written: nothing invalid reaches the disk."""
    from ..scratch import temporary_path, write_atomically

    target = root / KINDS[new.kind].source.replace("{id}", new.ident)
    if target.exists():
        raise UsageError(f"« {target.relative_to(root).as_posix()} » existe déjà", "choisissez un autre identifiant")
    text = record_text(new, target, root / "schemes")
    probe = temporary_path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        probe.write_text(text, encoding="utf-8")
        record, errors = load_file(new.kind, probe, base=root)
    finally:
        probe.unlink(missing_ok=True)
    if record is None or errors:
        detail = "; ".join(error.format_text() for error in errors[:3])
        raise InternalError(f"la fiche produite pour « {new.ident} » n'est pas valide ({detail})")
    write_atomically(target, text)
    return target
