"""Diagnostics shown to people who edit records.

Every problem found in a record becomes a ``RecordError``: a file, a position,
the field concerned, a French message and, when we know the fix, a hint.
Nothing else is ever shown to a user for bad input.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

# Field name used when a problem concerns the file as a whole (encoding,
# size) or its YAML syntax rather than one field.
FILE_FIELD = "fichier"
SYNTAX_FIELD = "syntaxe"


@dataclass(frozen=True, order=True)
class RecordError(Exception):
    """One problem in one record, in compiler form."""

    path: str
    line: int
    column: int
    field: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        return self.format_text()

    def full_message(self) -> str:
        if self.hint:
            return f"{self.message} ; {self.hint}"
        return self.message

    def format_text(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.field}: {self.full_message()}"

    def format_github(self) -> str:
        # Workflow commands: properties and message need their own escaping.
        def prop(value: str) -> str:
            return (
                value.replace("%", "%25")
                .replace("\r", "%0D")
                .replace("\n", "%0A")
                .replace(":", "%3A")
                .replace(",", "%2C")
            )

        message = (
            f"{self.field}: {self.full_message()}".replace("%", "%25")
            .replace("\r", "%0D")
            .replace("\n", "%0A")
        )
        return (
            f"::error file={prop(self.path)},line={self.line},col={self.column},"
            f"title={prop('Repères : ' + self.field)}::{message}"
        )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def format_json(errors: list[RecordError], checked: int) -> str:
    return json.dumps(
        {
            "fichiers_verifies": checked,
            "nombre_erreurs": len(errors),
            "erreurs": [error.as_dict() for error in errors],
        },
        ensure_ascii=False,
        indent=2,
    )


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 erreur', '3 erreurs' (French: 0 and 1 take the singular)."""
    word = singular if count < 2 else (plural_form or singular + "s")
    return f"{count} {word}"
