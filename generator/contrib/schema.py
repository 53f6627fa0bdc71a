"""JSON Schemas of the record kinds, written from the Pydantic models.

Editors (VS Code with the YAML extension, IntelliJ…) read the
``# yaml-language-server: $schema=…`` line at the top of each record and
complete and validate fields while referents type.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from ..records.introspect import ModelField, fields
from ..records.kinds import KINDS

SCHEMA_BASE_URI = "https://reperes.invalid/schemas/"


class _FrenchSchema(GenerateJsonSchema):
    """Drop Pydantic's English auto-titles; keep the French descriptions."""

    def field_title_should_be_set(self, schema: Any) -> bool:  # noqa: D102
        return False


def schema_for(kind: str) -> dict[str, Any]:
    model = KINDS[kind].model
    schema = model.model_json_schema(schema_generator=_FrenchSchema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{SCHEMA_BASE_URI}{kind}.json"
    schema["title"] = f"Repères : {kind}"
    return schema


def schema_text(kind: str) -> str:
    return json.dumps(schema_for(kind), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def schema_file_name(kind: str) -> str:
    return f"{kind}.json"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in KINDS:
        target = folder / schema_file_name(kind)
        text = schema_text(kind)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            tmp = target.with_suffix(".json.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
        written.append(target)
    return written


def stale_schemas(folder: Path) -> list[Path]:
    stale = []
    for kind in KINDS:
        target = folder / schema_file_name(kind)
        if not target.exists() or target.read_text(encoding="utf-8") != schema_text(kind):
            stale.append(target)
    return stale


def modeline(kind: str, record_path: Path, schemes_root: Path) -> str:
    """The first line every record carries, relative to the record's folder."""
    depth = len(record_path.relative_to(schemes_root).parts) - 1
    prefix = "../" * depth
    return f"# yaml-language-server: $schema={prefix}_schemas/{schema_file_name(kind)}"


# --- the field reference of the contributor guide -----------------------------

REFERENCE_DOC = Path("docs") / "contribuer" / "reference-des-champs.md"


def _describe_type(field: ModelField) -> str:
    """French description of a field's type."""
    if field.is_list:
        return "liste de : " + _describe_item(field)
    return _describe_item(field)


def _describe_item(field: ModelField) -> str:
    """French description of a field's value, or of one of its items."""
    if "_check_slug" in field.validators:
        return "identifiant"
    if "_check_https" in field.validators:
        return "adresse https://"
    if "_parse_date" in field.validators or field.type is datetime.date:
        return "date AAAA-MM-JJ"
    if field.enum is not None:
        return "une valeur parmi : " + ", ".join(f"`{m.value}`" for m in field.enum)
    if field.model is not None:
        return "ensemble de champs (ci-dessous)"
    if field.type is bool:
        return "`true` ou `false`"
    if field.type is int:
        return "nombre entier"
    if field.type is str:
        return "texte"
    return getattr(field.type, "__name__", str(field.type))


def _field_rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for field in fields(model).values():
        description = _describe_type(field)
        required = "oui" if field.required else "non"
        text = (field.description or "").replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")
        path = f"{prefix}{field.name}"
        rows.append(f"| `{path}` | {description} | {required} | {text} |")
        if field.model is not None:
            list_suffix = "[]" if field.is_list else ""
            rows.extend(_field_rows(field.model, f"{path}{list_suffix}."))
    return rows


def reference_text() -> str:
    lines = [
        "# Référence des champs",
        "",
        "*Page produite par `reperes schema` à partir des modèles : ne pas la modifier à la main.*",
        "",
        "Chaque type de fiche, ses champs, leur type, s'ils sont obligatoires et leur description.",
        "`[]` après un nom signale une liste : chaque élément a les champs indiqués.",
        "",
    ]
    for kind, row in KINDS.items():
        model = row.model
        title, location = row.label, row.source.replace("{id}", "<id>")
        if row.suffix == ".md":  # a Markdown file: the record is its YAML header
            title, location = f"{title} (en-tête)", f"{location}, entre deux lignes « --- »"
        lines += [
            f"## {title}",
            "",
            f"Fichier : `{location}`. Schéma pour l'éditeur : `schemes/_schemas/{schema_file_name(kind)}`.",
            "",
            (model.__doc__ or "").strip().replace("<", "&lt;"),  # "<id>" would be an HTML tag
            "",
            "| Champ | Type | Obligatoire | Description |",
            "|---|---|---|---|",
            *_field_rows(model, ""),
            "",
        ]
    return "\n".join(lines)


def write_reference(path: Path = REFERENCE_DOC) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = reference_text()
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(".md.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def reference_is_stale(path: Path = REFERENCE_DOC) -> bool:
    return not path.exists() or path.read_text(encoding="utf-8") != reference_text()
