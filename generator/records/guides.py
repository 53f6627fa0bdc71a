"""Hand-written guides: docs/guides/<id>.md, a YAML header then Markdown.

The header (between two ``---`` lines) is a record like the others, loaded by
the strict loader and validated by the ``Guide`` model; the body is Markdown
written by referent sites, checked for what the records refuse too (HTML,
unsafe links). The body is never run through Jinja.
"""

from __future__ import annotations

import dataclasses
import re

from ..errors import FILE_FIELD, RecordError
from .loader import Loaded, load_yaml
from .models import LINK_OPEN, Guide, html_problem, link_problem, link_targets
from .validation import validate_record

BODY_FIELD = "texte"
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# Markdown attribute lists ("{: .classe }") may carry classes and ids, never
# attributes: no event handler, style or address can come through them.
_ATTR_LIST = re.compile(r"\{:?[^{}\n]*=[^{}\n]*\}")


def _shift(loaded: Loaded, offset: int) -> None:
    for table in (loaded.positions, loaded.key_positions):
        for key, (line, column) in list(table.items()):
            table[key] = (line + offset, column)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(header, body, body_line) or None when the file has no header."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r") != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r") == "---":
            return "\n".join(lines[1:index]) + "\n", "\n".join(lines[index + 1 :]), index + 2
    return None


def check_body(path: str, body: str, first_line: int) -> list[RecordError]:
    """HTML and unsafe links in the Markdown body, each at its line."""
    errors = []
    in_fence = False
    lines = body.split("\n")
    for number, line in enumerate(lines, start=first_line):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        unquoted = re.sub(r"`[^`]*`", lambda m: " " * len(m.group()), line)
        attributes = _ATTR_LIST.search(unquoted)
        if attributes:
            errors.append(RecordError(path, number, attributes.start() + 1, BODY_FIELD,
                                      f"attribut interdit dans « {attributes.group()[:40]} »",
                                      "les listes d'attributs ne peuvent porter que des classes (« { .classe } »)"))
        problem = html_problem(unquoted)
        if problem:
            column = unquoted.find(problem[1]) + 1
            errors.append(RecordError(path, number, max(column, 1), BODY_FIELD, problem[0],
                                      "écrivez du texte simple : le HTML n'est pas accepté dans les guides"))
    # Links may run over a line break: look at the whole body, then place them.
    for match, target in zip(LINK_OPEN.finditer(body), link_targets(body)):
        problem = link_problem(target)
        if problem:
            before = body[: match.end()]
            line = first_line + before.count("\n")
            column = match.end() - (before.rfind("\n") + 1) + 1  # the target itself
            errors.append(RecordError(path, line, column, BODY_FIELD, *problem))
    return errors


def parse_guide_bytes(shown: str, raw: bytes) -> tuple[Guide | None, str, list[RecordError]]:
    """A stored version of a guide (history): model, body, errors."""
    model, _, body, errors = parse_guide(shown, raw)
    return model, body, errors


def parse_guide(shown: str, raw: bytes) -> tuple[Guide | None, Loaded | None, str, list[RecordError]]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        # Let the loader produce its precise encoding message.
        _, errors, _ = load_yaml(shown, raw)
        return None, None, "", errors
    parts = split_front_matter(text)
    if parts is None:
        return None, None, "", [RecordError(
            shown, 1, 1, FILE_FIELD, "en-tête manquant",
            "un guide commence par une ligne « --- », puis titre, resume, proprietaire, revu_le…, puis « --- »",
        )]
    header, body, body_line = parts
    loaded, errors, reliable = load_yaml(shown, header.encode("utf-8"))
    errors = [dataclasses.replace(e, line=e.line + 1) for e in errors]
    errors.extend(check_body(shown, body, body_line))
    if loaded is None or not reliable:
        return None, None, "", errors
    _shift(loaded, 1)
    model, validation_errors = validate_record(Guide, loaded, shown)
    errors.extend(validation_errors)
    if errors or model is None:
        return None, None, "", errors
    return model, loaded, body, errors  # type: ignore[return-value]
