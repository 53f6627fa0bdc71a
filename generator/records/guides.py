"""Hand-written guides: docs/guides/<id>.md, a YAML header then Markdown.

The header (between two ``---`` lines) is a record like the others, loaded by
the strict loader and validated by the ``Guide`` model; the body is Markdown
written by referent sites, checked for what the records refuse too (HTML,
unsafe links, attribute lists, characters). The body is never run through
Jinja. Hand-written pages under docs/ go through the same checks.
"""

from __future__ import annotations

import dataclasses
import re

from ..errors import FILE_FIELD, RecordError
from .budget import HINT as BUDGET_HINT
from .budget import budget_problem
from .loader import MAX_ERRORS_PER_FILE, Loaded, character_errors, decode_source, load_yaml
from .markdown import IMAGE_SUFFIXES, Link, Scan, is_image_path
from .models import Guide, link_problem
from .validation import validate_record

BODY_FIELD = "texte"
_HTML_HINT = "pour montrer une balise telle quelle, mettez-la entre accents graves (`<b>`)"


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
    """What the records refuse, in Markdown written by hand (a guide's body, a
    page): HTML, attribute lists, unsafe links, images from another host,
    reference definitions. Each problem at its line; code is exempt only where
    the renderer certainly sees code (see ``markdown.mask_code``)."""
    scan = Scan(body)
    found: list[tuple[int, str, str | None]] = []  # (offset, message, hint)
    over = budget_problem(body)
    if over:
        found.append((over[0], over[1], BUDGET_HINT))
    lines_with_html: set[int] = set()
    for offset, shown in scan.html():
        line = scan.position(offset)[0]
        if line not in lines_with_html:  # one per line is enough to act
            lines_with_html.add(line)
            found.append((offset, f"HTML interdit (« {shown} ») : écrivez du texte simple, le HTML ne serait pas affiché",
                          _HTML_HINT))
    for offset, shown, reserved in scan.attribute_lists():
        if reserved:
            found.append((offset, f"« {reserved} » réservé au thème dans « {shown} »",
                          "choisissez un autre nom, qui ne commence ni par « __ » ni par « md- »"))
            continue
        found.append((offset, f"attribut interdit dans « {shown} »",
                      "les listes d'attributs ne peuvent porter que des classes (« { .classe } ») ; "
                      "pour écrire une accolade, mettez-la entre accents graves (`{`)"))
    for offset, label, _ in scan.reference_definitions():
        found.append((offset, f"définition de lien « {label[:40]} » interdite",
                      "écrivez le lien en entier : [texte](adresse)"))
    # Links may run over a line break: targets are read from the whole body.
    for link in scan.links():
        problem = link_problem(link.target, link.shown)
        if problem is None:
            problem = spaced_link_problem(link)
        if problem is None and link.image:
            problem = image_problem(link.target, link.shown)
        if problem:
            found.append((link.offset, *problem))
    for offset, target in scan.autolinks():
        problem = link_problem(target)
        if problem:
            found.append((offset, *problem))
    errors = []
    for offset, message, hint in sorted(found, key=lambda item: item[0]):
        if len(errors) == MAX_ERRORS_PER_FILE:
            line, column = scan.position(offset)
            errors.append(RecordError(path, first_line + line, column + 1, FILE_FIELD,
                                      "trop d'erreurs dans ce fichier ; les suivantes ne sont pas affichées"))
            break
        line, column = scan.position(offset)
        errors.append(RecordError(path, first_line + line, column + 1, BODY_FIELD, message, hint))
    return errors


def spaced_link_problem(link: Link) -> tuple[str, str] | None:
    """A target with whitespace inside: MkDocs would look for another file
    than the link check (and a browser would drop the line breaks)."""
    if not re.search(r"\s", link.href):
        return None
    return (f"adresse « {link.href} » avec une espace ou un retour à la ligne",
            "écrivez l'adresse sans espace ; un titre s'écrit entre guillemets après l'adresse : "
            "[texte](adresse \"titre\")")


def image_problem(target: str, shown: str) -> tuple[str, str | None] | None:
    """An image must be a file of the repository, by a relative path (message, hint)."""
    if _has_scheme(target) or target.startswith(("/", "\\")):
        return (f"image « {shown} » hors du dépôt interdite (le site ne charge rien depuis un autre site)",
                "placez l'image sous docs/ et appelez-la par un chemin relatif, par exemple ../contribuer/capture.png")
    if not is_image_path(target.split("#")[0]):
        return (f"image « {shown} » : format non accepté",
                f"formats acceptés : {', '.join(s.lstrip('.') for s in IMAGE_SUFFIXES)}")
    return None


def _has_scheme(target: str) -> bool:
    return re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target) is not None or "&" in target or "%" in target[:12]


def parse_guide_bytes(shown: str, raw: bytes) -> tuple[Guide | None, str, list[RecordError]]:
    """A stored version of a guide (history): model, body, errors."""
    model, _, body, errors = parse_guide(shown, raw)
    return model, body, errors



def parse_guide(
    shown: str, raw: bytes, size: int | None = None
) -> tuple[Guide | None, Loaded | None, str, list[RecordError]]:
    """A guide file's bytes -> (model, header, body, errors); the same bytes
    -> text rules as records (size, encoding, characters)."""
    text, errors = decode_source(shown, raw, size)
    if text is None:
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
    errors.extend(check_page_text(shown, body, body_line))
    if loaded is None or not reliable:
        return None, None, "", errors
    _shift(loaded, 1)
    model, validation_errors = validate_record(Guide, loaded, shown)
    errors.extend(validation_errors)
    if errors or model is None:
        return None, None, "", errors
    return model, loaded, body, errors  # type: ignore[return-value]


def body_line(text: str) -> int:
    """Line where a guide's body starts (after its header)."""
    parts = split_front_matter(text)
    return parts[2] if parts else 1


def check_page_text(shown: str, body: str, first_line: int = 1) -> list[RecordError]:
    """Characters, then Markdown, of hand-written text (a guide's body, a page)."""
    return character_errors(shown, body, first_line=first_line, field_name=BODY_FIELD) + check_body(
        shown, body, first_line
    )


def parse_page(shown: str, raw: bytes, size: int | None = None) -> tuple[str | None, list[RecordError]]:
    """A hand-written page under docs/ -> (text, errors): same rules as a guide's body."""
    text, errors = decode_source(shown, raw, size)
    if text is None:
        return None, errors
    if text.split("\n", 1)[0].rstrip("\r") == "---":
        return None, [RecordError(
            shown, 1, 1, FILE_FIELD, "en-tête « --- » non accepté dans une page",
            "retirez-le : le titre de la page est sa première ligne « # Titre »",
        )]
    errors = check_page_text(shown, text)
    return (None if errors else text), errors
