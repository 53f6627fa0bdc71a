"""Diagnostics shown to people who edit records, and the errors of the commands.

Every problem found in a record becomes a ``RecordError``: a file, a position,
the field concerned, a French message and, when we know the fix, a hint.
Nothing else is ever shown to a user for bad input.

Anything else that stops a command is a ``ReperesError``: a French message,
a hint as its own field, and the exit code of its kind. cli.py is the only
place that turns them into text and exit codes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass

from .fr import plural  # noqa: F401 - re-exported: callers import it from here

# Field name used when a problem concerns the file as a whole (encoding,
# size) or its YAML syntax rather than one field.
FILE_FIELD = "fichier"
SYNTAX_FIELD = "syntaxe"

# Characters that would break "one problem, one line" or hide what a value
# holds: line breaks, control characters, bidi overrides, zero-width spaces.
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """*text* on one line, every invisible character spelled out (\\n, \\x1b, U+202E):
    a contributor's value quoted in a message can neither add a line nor hide."""
    if not _UNSHOWABLE.search(text):
        return text

    def spell(match: re.Match[str]) -> str:
        char = match.group()
        if char in _NAMED:
            return _NAMED[char]
        return f"\\x{ord(char):02x}" if unicodedata.category(char) == "Cc" else f"U+{ord(char):04X}"

    return _UNSHOWABLE.sub(spell, text)


# What to do about a bug in Repères, wherever one is reported.
INTERNAL_HINT = "signalez-la à l'équipe Repères et relancez avec --debug pour le détail"


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
            return one_line(f"{self.message} ; {self.hint}")
        return one_line(self.message)

    def format_text(self) -> str:
        return f"{one_line(self.path)}:{self.line}:{self.column}: {one_line(self.field)}: {self.full_message()}"

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
            f"{one_line(self.field)}: {self.full_message()}".replace("%", "%25")
            .replace("\r", "%0D")
            .replace("\n", "%0A")
        )
        return (
            f"::error file={prop(one_line(self.path))},line={self.line},col={self.column},"
            f"title={prop('Repères : ' + self.field)}::{message}"
        )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class InternalRecordError(RecordError):
    """A bug met while reading one record: reported with the others, but the
    command then exits as for an internal error. Same fields as RecordError."""


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


class ReperesError(Exception):
    """A command cannot go on. The French *message* says why, the *hint* how to fix it."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ; {self.hint}" if self.hint else self.message


class UsageError(ReperesError):
    """Usage or environment: bad argument, missing folder, not in a project,
    shallow clone, unknown revision."""

    exit_code = 2


class InvalidError(ReperesError):
    """Invalid records, or a site that failed to build."""

    exit_code = 1


class InternalError(ReperesError):
    """A bug in Repères itself."""

    exit_code = 3
