"""The weekly briefing's page: ``reperes briefing --week 2026-W49`` writes
``docs/briefings/posts/2026-s49.md``, a draft post of Material's blog.

What the generator writes sits between marker lines, invisible on the site
(records/briefings.py removes them before MkDocs sees the page)::

    <!-- reperes:debut statuts -->
    <!-- reperes:element 1a2b3c4:dispositif:aej:statut:2026-12-07 empreinte=0123456789ab -->
    - **Aide…** : Ouvert → **Fermé** …
    <!-- reperes:fin statuts -->

Preparing the briefing again (a commit landed in the week, a record was
fixed) refreshes it, and never loses what the manager wrote:

- everything outside the blocks (the header, the manager's sections, any
  line added between two blocks) is kept byte for byte;
- in a block, each item is matched by its key (its commit, or what it is
  about), never duplicated, and rewritten only if nobody touched it since it
  was written: its « empreinte » is the digest of the text written under it;
- an item the manager edited (the digest no longer matches) is kept as
  edited, even when the history no longer gives it; to get the generated
  text back, delete the item with its marker line. An item emptied but whose
  marker line stays remains empty: that is how a manager drops an item;
- a block the manager deleted, markers included, is not written again.

Release-drafter rewrites the whole draft on every run; this keeps the
manager's work by construction.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidError, RecordError
from ..history.briefing import Briefing, Item, RecordRef
from ..records.briefings import AUTHORS_FILE, BRIEFINGS_FOLDER, CATEGORIES, MARKER, POSTS_FOLDER
from ..records.kinds import KINDS
from ..scratch import write_atomically
from .markdown import md_inline, yaml_string
from .render import environment, link

POST_PREFIX = "../../"  # from docs/briefings/posts/ to the site's root
DEFAULT_AUTHOR = "encadrement"
MANAGER_SECTIONS = ("Notes de l'encadrement", "Points soulevés par le terrain")

# (block name, heading, text when empty), in the order of the page.
BLOCKS = (
    ("resume", None, None),  # always one item: the week's summary
    ("mots", "Ce qu'il faut dire désormais", "Aucun élément de langage modifié cette semaine."),
    ("statuts", "Changements de statut", "Aucun changement de statut cette semaine."),
    ("anomalies", "Anomalies connues ouvertes et résolues", "Aucune anomalie ouverte ni résolue cette semaine."),
    ("partenaires", "Partenaires et circuits", "Aucun changement de partenaire ni de circuit cette semaine."),
    ("nouvelles-fiches", "Nouvelles fiches", "Aucune nouvelle fiche cette semaine."),
    ("a-venir", "Ce qui prend effet dans les deux semaines", "Rien de programmé pour les deux semaines qui viennent."),
    ("en-cours", "Perturbations toujours en cours", "Aucune perturbation en cours."),
    ("revues", "Fiches et guides à revoir, par site référent", "Aucune fiche ni aucun guide en retard de revue."),
    ("remontees", "Remontées du terrain de la semaine", "Aucune remontée du terrain enregistrée cette semaine."),
)


class MarkerError(InvalidError):
    """The marker lines of an existing briefing no longer pair up: nothing is written."""

    def __init__(self, shown: str, errors: list[RecordError]) -> None:
        super().__init__(f"marqueurs du point hebdo {shown} à rétablir : fichier non réécrit",
                         "rétablissez les lignes « <!-- reperes:… --> » comme la commande les avait écrites")
        self.errors = errors


def digest(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:12]


# --- the generated blocks -----------------------------------------------------------


def _record_link(ref: RecordRef | None) -> str:
    if ref is None:
        return ""
    if not ref.exists:
        return md_inline(ref.name)
    if KINDS[ref.kind].pages is None:  # the glossary: one page
        return f"[{md_inline(ref.name)}]({POST_PREFIX}glossaire.md)"
    return link(ref.kind, ref.ident, ref.name, POST_PREFIX)


def generated_blocks(briefing: Briefing) -> dict[str, list[tuple[str, str]]]:
    """Block name -> [(item key, Markdown)], for every block of BLOCKS."""
    macros = environment().get_template("briefing.md.jinja").module

    def text(value: Any) -> str:
        return str(value).strip("\n")

    def items(name: str, found: list[Item], macro: Any) -> list[tuple[str, str]]:
        return [(item.key, text(macro(item, _record_link(item.record)))) for item in found]

    blocks: dict[str, list[tuple[str, str]]] = {
        "resume": [("resume", text(macros.summary(briefing, f"{POST_PREFIX}journal/index.md")))],
        "mots": items("mots", briefing.words, macros.words),
        "statuts": items("statuts", briefing.statuses, macros.status),
        "anomalies": items("anomalies", briefing.issues, macros.issue),
        "partenaires": items("partenaires", briefing.partners, macros.partner),
        "nouvelles-fiches": [
            (item.key, text(macros.created(item, [
                _record_link(ref) + (f" ({md_inline(etat.lower())})" if etat else "")
                for ref, etat in item.fields["records"]
            ])))
            for item in briefing.created
        ],
        "a-venir": items("a-venir", briefing.upcoming, macros.upcoming),
        "en-cours": items("en-cours", briefing.running, macros.running),
        "remontees": items("remontees", briefing.feedback, macros.feedback),
    }
    by_site: dict[str, list[dict[str, Any]]] = {}
    for item in briefing.reviews:
        by_site.setdefault(item.fields["site"], []).append(
            {"link": _record_link(item.record), "label": item.fields["label"], "due": item.fields["due"]})
    blocks["revues"] = [
        ("revues:" + digest(site), text(macros.reviews(site, entries))) for site, entries in by_site.items()
    ]
    for name, heading, empty in BLOCKS:
        found = blocks[name]
        if not found and empty:
            found.append((f"{name}:vide", text(macros.empty(empty))))
        if heading is not None:
            found.insert(0, (f"{name}:titre", text(macros.heading(heading))))
    return {name: found for name, found in blocks.items() if found}


def _block_lines(name: str, items: list[tuple[str, str, str]]) -> list[str]:
    """A block as written: (key, digest, text) items between its markers."""
    lines = [f"<!-- reperes:debut {name} -->"]
    for key, mark, body in items:
        lines.append(f"<!-- reperes:element {key} empreinte={mark} -->")
        lines.extend(body.split("\n") if body else [])
        lines.append("")
    if lines[-1] == "":
        lines.pop()
    lines.append(f"<!-- reperes:fin {name} -->")
    return lines


def new_post(briefing: Briefing, author: str) -> str:
    week = briefing.week
    blocks = generated_blocks(briefing)
    counts = []
    for count, one, many in ((len(briefing.statuses), "changement de statut", "changements de statut"),
                             (len(briefing.words), "élément de langage modifié", "éléments de langage modifiés"),
                             (len(briefing.issues), "anomalie ouverte ou résolue", "anomalies ouvertes ou résolues"),
                             (len(briefing.upcoming), "échéance à venir", "échéances à venir"),
                             (len(briefing.running), "perturbation en cours", "perturbations en cours")):
        if count:
            counts.append(f"{count} {one if count == 1 else many}")
    description = f"Semaine {week.span_fr}" + (" : " + ", ".join(counts) if counts else " : rien de nouveau pour les appels")
    lines = [
        "---",
        f"date: {week.next_monday.isoformat()}",
        f"slug: {week.slug}",
        f"description: {yaml_string(description)}",
        "categories:",
        f"  - {CATEGORIES[0]}",
        "authors:",
        f"  - {author}",
        "draft: true",
        "---",
        "",
        f"# Point hebdo, semaine {week.number} ({week.span_fr})",
        "",
    ]
    for name, _heading, _empty in BLOCKS:
        if name in blocks:
            lines += _block_lines(name, [(key, digest(body), body) for key, body in blocks[name]]) + [""]
    for heading in MANAGER_SECTIONS:
        lines += [f"## {heading}", "", ""]
    return "\n".join(lines).rstrip("\n") + "\n\n"


# --- preparing it again ---------------------------------------------------------------


@dataclass
class _Item:
    key: str
    mark: str | None
    lines: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.lines).strip("\n")

    @property
    def edited(self) -> bool:
        return self.mark is None or digest(self.body) != self.mark


@dataclass
class _Block:
    name: str
    items: list[_Item] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)  # lines before the first item


def _parse(shown: str, text: str) -> tuple[list[list[str] | _Block], list[RecordError]]:
    """The page as a sequence of kept lines and blocks; the marker problems, each at its line."""
    parts: list[list[str] | _Block] = [[]]
    errors: list[RecordError] = []
    block: _Block | None = None
    names: set[str] = set()
    start = 0
    for number, line in enumerate(text.split("\n"), 1):
        match = MARKER.fullmatch(line.rstrip("\r"))
        if match is None:
            if block is None:
                parts[-1].append(line)  # type: ignore[union-attr]
            elif block.items:
                block.items[-1].lines.append(line)
            else:
                block.loose.append(line)
            continue
        what, key = match.group("what"), match.group("key")
        if what == "debut":
            if block is not None:
                errors.append(RecordError(shown, number, 1, "texte", f"bloc « {key} » ouvert dans le bloc « {block.name} »",
                                          f"ajoutez « <!-- reperes:fin {block.name} --> » avant la ligne {number}"))
                continue
            if key in names:
                errors.append(RecordError(shown, number, 1, "texte", f"bloc « {key} » présent deux fois",
                                          "gardez un seul bloc de ce nom"))
            names.add(key)
            block, start = _Block(key), number
            parts.append(block)
        elif what == "fin":
            if block is None or key != block.name:
                errors.append(RecordError(shown, number, 1, "texte", f"fin du bloc « {key} » sans son début",
                                          "rétablissez la ligne de début du bloc, ou retirez celle-ci"))
                continue
            block = None
            parts.append([])
        else:
            if block is None:
                errors.append(RecordError(shown, number, 1, "texte", f"élément « {key} » hors de tout bloc",
                                          "un élément se place entre les lignes de début et de fin d'un bloc"))
                continue
            if any(item.key == key for item in block.items):
                errors.append(RecordError(shown, number, 1, "texte", f"élément « {key} » présent deux fois",
                                          "gardez-en un seul"))
            block.items.append(_Item(key, match.group("digest")))
    if block is not None:
        errors.append(RecordError(shown, start, 1, "texte", f"bloc « {block.name} » jamais fermé",
                                  f"ajoutez la ligne « <!-- reperes:fin {block.name} --> » à la fin du bloc"))
    return parts, errors


@dataclass
class Written:
    path: Path
    created: bool
    refreshed: int = 0  # generated items rewritten or added
    kept: list[str] = field(default_factory=list)  # keys of items kept as the manager edited them


def refresh_post(shown: str, existing: str, briefing: Briefing) -> tuple[str, int, list[str]]:
    """*existing* with its blocks refreshed: (text, items refreshed, keys of edited items kept)."""
    parts, errors = _parse(shown, existing)
    if errors:
        raise MarkerError(shown, errors)
    generated = generated_blocks(briefing)
    refreshed, kept = 0, []
    lines: list[str] = []
    for part in parts:
        if isinstance(part, list):
            lines.extend(part)
            continue
        fresh = generated.get(part.name, [])
        old = {item.key: item for item in part.items}
        items: list[tuple[str, str, str]] = []
        for key, body in fresh:
            previous = old.pop(key, None)
            if previous is not None and previous.edited:
                items.append((key, previous.mark or digest(previous.body), previous.body))
                kept.append(key)
                continue
            if previous is None or previous.body != body:
                refreshed += 1
            items.append((key, digest(body), body))
        for key, previous in old.items():  # no longer generated: kept only if edited
            if previous.edited:
                items.append((key, previous.mark or digest(previous.body), previous.body))
                kept.append(key)
        loose = "\n".join(part.loose).strip("\n")
        block = _block_lines(part.name, items)
        if loose:
            block[1:1] = loose.split("\n")  # text written before the first item stays where it was
        lines.extend(block)
    return "\n".join(lines), refreshed, kept


def write_briefing(project: Path, briefing: Briefing, *, author: str | None = None) -> Written:
    """Write or refresh docs/briefings/posts/<slug>.md (and a first authors file)."""
    docs = project / "docs"
    path = docs / POSTS_FOLDER / f"{briefing.week.slug}.md"
    shown = path.relative_to(project).as_posix()
    _ensure_authors(docs)
    if path.is_symlink():
        raise InvalidError(f"{shown} est un lien symbolique : point hebdo non écrit",
                           "remplacez-le par le fichier lui-même")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = new_post(briefing, author or _first_author(docs))
        write_atomically(path, text)
        return Written(path, True, sum(len(items) for items in generated_blocks(briefing).values()))
    existing = path.read_text(encoding="utf-8")
    text, refreshed, kept = refresh_post(shown, existing, briefing)
    if text != existing:
        write_atomically(path, text)
    return Written(path, False, refreshed, kept)


def _first_author(docs: Path) -> str:
    import yaml

    try:
        data = yaml.safe_load((docs / AUTHORS_FILE).read_text(encoding="utf-8"))
        authors = list((data or {}).get("authors") or {})
    except (OSError, yaml.YAMLError, AttributeError):
        authors = []
    return DEFAULT_AUTHOR if DEFAULT_AUTHOR in authors or not authors else str(authors[0])


def _ensure_authors(docs: Path) -> None:
    """A first authors file and its picture, when the project has none."""
    authors = docs / AUTHORS_FILE
    if authors.exists() or authors.is_symlink():
        return
    authors.parent.mkdir(parents=True, exist_ok=True)
    picture = f"{BRIEFINGS_FOLDER}/{DEFAULT_AUTHOR}.png"
    if not (docs / picture).exists():
        (docs / picture).write_bytes(avatar_png())
    write_atomically(authors, (
        "# Auteurs des points hebdo (format du blog de Material : name, description, avatar).\n"
        "authors:\n"
        f"  {DEFAULT_AUTHOR}:\n"
        "    name: Encadrement de l'Assistance Utilisateurs\n"
        "    description: Point hebdomadaire des équipes\n"
        f"    avatar: {picture}\n"
    ))


def avatar_png(size: int = 96) -> bytes:
    """A plain disc in the site's indigo, as a PNG: the default author's picture."""
    rows = []
    centre, radius = (size - 1) / 2, size / 2 - 1
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            inside = (x - centre) ** 2 + (y - centre) ** 2 <= radius ** 2
            row += bytes((63, 81, 181, 255)) if inside else bytes((0, 0, 0, 0))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + chunk(b"IEND", b""))

