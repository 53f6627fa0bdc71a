"""Pydantic validation errors -> RecordErrors in French, at the right line."""

from __future__ import annotations

import difflib
import re
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import RecordError
from .introspect import fields
from .loader import Ambiguous, Loaded, Path, dotted
from .migrate import RETIRED_KEYS


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not matches:
        lowered = {choice.lower(): choice for choice in choices}
        if word.lower() in lowered:
            matches = [lowered[word.lower()]]
    return f"vouliez-vous dire « {matches[0]} » ?" if matches else None


def _model_at(model: type[BaseModel], loc: Path) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = fields(current).get(part)
        if field is None:
            return None
        current = field.model
    return current


def _enum_at(model: type[BaseModel], loc: Path) -> type[Enum] | None:
    parent = _model_at(model, tuple(p for p in loc[:-1]))
    last = next((p for p in reversed(loc) if isinstance(p, str)), None)
    if parent is None or last is None or last not in fields(parent):
        return None
    return fields(parent)[last].enum


def shown(value: Any) -> str:
    if isinstance(value, Ambiguous):
        return value.text
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return "…"
    return str(value)


_EXPECTED = {
    "string_type": "du texte",
    "int_type": "un nombre entier",
    "int_parsing": "un nombre entier",
    "bool_type": "true ou false",
    "date_type": "une date AAAA-MM-JJ",
    "list_type": "une liste (éléments commençant par « - »)",
    "dict_type": "un ensemble de « clé: valeur »",
    "model_type": "un ensemble de « clé: valeur »",
    "model_attributes_type": "un ensemble de « clé: valeur »",
}


def _type_error(kind: str, value: Any) -> tuple[str, str | None]:
    expected = _EXPECTED[kind]
    if value is None:
        return "valeur vide", "complétez ce champ, ou retirez la ligne s'il est facultatif"
    if kind == "bool_type":
        return f"seules les valeurs true ou false sont acceptées (reçu « {shown(value)} »)", None
    if isinstance(value, Ambiguous):
        what = "un booléen" if value.kind == "booléen" else "un nombre"
        if kind == "string_type":
            return (
                f"« {value.text} » serait lu comme {what} par YAML",
                f"mettez la valeur entre guillemets : \"{value.text}\"",
            )
        if kind in ("int_type", "int_parsing"):
            return f"nombre « {value.text} » ambigu ; {expected} est attendu, écrit simplement (par exemple 90)", None
        return f"{expected} est attendu(e), reçu « {value.text} »", None
    if kind == "string_type" and isinstance(value, (bool, int, float)):
        return (
            f"du texte est attendu, reçu {'un booléen' if isinstance(value, bool) else 'un nombre'}",
            f"mettez la valeur entre guillemets : \"{shown(value)}\"",
        )
    if kind in ("list_type",):
        return f"{expected} est attendue", None
    if isinstance(value, dict):
        return f"{expected} est attendu, pas un ensemble de « clé: valeur »", None
    if isinstance(value, list):
        return f"{expected} est attendu, pas une liste", None
    if kind in ("int_type", "int_parsing") and isinstance(value, str):
        return f"un nombre entier est attendu, reçu « {value} »", "écrivez le nombre sans guillemets"
    return f"{expected} est attendu, reçu « {shown(value)} »", None


def translate(error: dict[str, Any], model: type[BaseModel]) -> tuple[str, str | None]:
    """French message and hint for one Pydantic error."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    loc = tuple(error["loc"])
    if kind == "missing":
        return "champ obligatoire manquant", f"ajoutez « {loc[-1]}: … »"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = _model_at(model, loc[:-1])
        allowed = list(fields(parent)) if parent else []
        hint = RETIRED_KEYS.get((parent.__name__, key)) if parent else None
        hint = hint or did_you_mean(key, allowed)
        if hint is None and allowed:
            hint = "clés possibles : " + ", ".join(allowed)
        return f"clé inconnue « {key} »", hint
    if kind in _EXPECTED:
        return _type_error(kind, value)
    if kind == "enum":
        enum_cls = _enum_at(model, loc)
        values = [member.value for member in enum_cls] if enum_cls else re.findall(r"'([^']+)'", str(ctx.get("expected", "")))
        text = shown(value)
        message = f"valeur « {text} » inconnue ; valeurs possibles : {', '.join(values)}"
        if isinstance(value, (Ambiguous, bool)) and text.lower() not in values:
            return message, did_you_mean(text, values) or f"mettez la valeur entre guillemets si elle est voulue : \"{text}\""
        return message, did_you_mean(text, values) if text else None
    if kind == "string_too_short":
        return "texte vide", "complétez ce champ, ou retirez la ligne s'il est facultatif"
    if kind == "string_too_long":
        return f"texte trop long ({len(value)} caractères ; maximum {ctx.get('max_length')})", None
    if kind == "too_short":
        return f"au moins {ctx.get('min_length')} élément(s) attendu(s)", None
    if kind == "too_long":
        return f"au plus {ctx.get('max_length')} éléments", None
    if kind == "greater_than_equal":
        return f"la valeur doit être au moins {ctx.get('ge')} (reçu {shown(value)})", None
    if kind == "less_than_equal":
        return f"la valeur doit être au plus {ctx.get('le')} (reçu {shown(value)})", None
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"])), None
    # Our own PydanticCustomError messages are already French; their hint is a field.
    return error["msg"], ctx.get("hint")


def validate_record(
    model: type[BaseModel], loaded: Loaded, path: str
) -> tuple[BaseModel | None, list[RecordError]]:
    try:
        return model.model_validate(loaded.data), []
    except ValidationError as exc:
        errors: list[RecordError] = []
        raw_errors = exc.errors(include_url=False)
        # A misspelt key ("nmo") also makes the right one ("nom") missing: say
        # it once, on the misspelt key, where the fix is.
        suggested = set()
        for error in raw_errors:
            if error["type"] == "extra_forbidden":
                loc = tuple(error["loc"])
                parent = _model_at(model, loc[:-1])
                if parent is not None:
                    match = difflib.get_close_matches(str(loc[-1]), list(fields(parent)), n=1, cutoff=0.6)
                    if match:
                        suggested.add(loc[:-1] + (match[0],))
        for error in raw_errors:
            loc: Path = tuple(error["loc"])
            if error["type"] == "missing" and loc in suggested:
                continue
            if error["type"] == "extra_forbidden":
                line, column = loaded.position(loc, key=True)
            elif error["type"] == "missing":
                line, column = loaded.position(loc[:-1], key=True) if loc[:-1] else loaded.position(())
            else:
                line, column = loaded.position(loc)
            message, hint = translate(error, model)
            errors.append(RecordError(path, line, column, dotted(loc) or model.__name__.lower(), message, hint))
        return None, errors
