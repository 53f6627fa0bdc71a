"""Find record files under ``schemes/``, load and validate each one.

Layout (documented in the README and the contributor guide):

    schemes/<id>.yml               one scheme (dispositif) per file
    schemes/glossaire.yml          the glossary
    schemes/partenaires/<id>.yml   partners
    schemes/outils/<id>.yml        tools
    schemes/sites/<id>.yml         referent sites
    schemes/_schemas/*.json        JSON Schemas written by `reperes schema`

Anything else is reported, so that no file is silently ignored.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from ..errors import FILE_FIELD, INTERNAL_HINT, InternalRecordError, RecordError
from ..project import GUIDES_DIR
from .loader import MAX_BYTES, Loaded, load_yaml
from .models import KINDS
from .validation import validate_record

SUBFOLDERS = {"partenaires": "partenaire", "outils": "outil", "sites": "site"}
GLOSSARY_FILE = "glossaire.yml"
SCHEMA_FOLDER = "_schemas"
IGNORED_NAMES = {"README.md", "LISEZMOI.md"}


@dataclass(eq=False)  # identity: a record loaded once is the same object everywhere
class Record:
    kind: str
    path: str  # as shown to the user
    model: BaseModel
    loaded: Loaded
    ident: str = ""
    body: str = ""  # guides: the Markdown after the header

    def __post_init__(self) -> None:
        if not self.ident:
            self.ident = getattr(self.model, "id", self.kind)

    @property
    def id(self) -> str:
        return self.ident


@dataclass
class Corpus:
    root: Path
    records: dict[str, dict[str, Record]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    errors: list[RecordError] = field(default_factory=list)
    files_checked: int = 0
    # Ids (file names) of records that exist but failed their own checks:
    # references to them are not reported a second time.
    broken: dict[str, set[str]] = field(default_factory=lambda: {kind: set() for kind in KINDS})

    def of_kind(self, kind: str) -> dict[str, Record]:
        return self.records[kind]

    @property
    def glossary(self) -> Record | None:
        return self.records["glossaire"].get("glossaire")


def display_path(path: Path, base: Path | None = None) -> str:
    """Path relative to *base* (the project's root; default: the working
    directory) when possible: what editors and CI annotations jump to."""
    try:
        return os.path.relpath(path, base)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def discover(root: Path, base: Path | None = None) -> tuple[list[tuple[str, Path]], list[RecordError]]:
    """(kind, path) for every record file, and errors for unexpected entries."""
    found: list[tuple[str, Path]] = []
    errors: list[RecordError] = []

    def unexpected(path: Path, message: str, hint: str | None = None) -> None:
        errors.append(RecordError(display_path(path, base), 1, 1, FILE_FIELD, message, hint))

    def scan(folder: Path, kind: str | None) -> None:
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            name = entry.name
            if name.startswith(".") or name in IGNORED_NAMES:
                continue
            if entry.is_symlink():
                unexpected(entry, "lien symbolique interdit dans les fiches", "remplacez-le par un vrai fichier")
                continue
            if entry.is_dir():
                if kind is None and name in SUBFOLDERS:
                    scan(entry, SUBFOLDERS[name])
                elif kind is None and name == SCHEMA_FOLDER:
                    continue
                else:
                    hint = (
                        f"dossiers possibles : {', '.join(SUBFOLDERS)}" if kind is None
                        else "les fiches de ce dossier sont des fichiers .yml, sans sous-dossier"
                    )
                    unexpected(entry, f"dossier inattendu « {name} »", hint)
                continue
            if name.endswith(".yml"):
                if kind is None and name == GLOSSARY_FILE:
                    found.append(("glossaire", entry))
                else:
                    found.append((kind or "dispositif", entry))
            elif name.lower().endswith((".yaml", ".yml")):
                unexpected(
                    entry, f"extension de « {name} » non reconnue",
                    f"renommez le fichier en {name.rsplit('.', 1)[0]}.yml",
                )
            else:
                unexpected(entry, f"fichier inattendu « {name} » : les fiches sont des fichiers .yml")

    scan(root, None)
    guides = guides_folder(root)
    if guides.is_dir():
        for entry in sorted(guides.iterdir(), key=lambda p: p.name):
            if entry.name.startswith(".") or entry.name in IGNORED_NAMES:
                continue
            if entry.is_symlink() or not entry.is_file():
                unexpected(entry, f"« {entry.name} » inattendu dans les guides", "un guide est un fichier .md")
            elif entry.suffix != ".md":
                unexpected(entry, f"fichier inattendu « {entry.name} » : un guide est un fichier .md")
            elif entry.stem == "index":
                unexpected(entry, "« index.md » est produit automatiquement", "donnez un autre nom à ce guide")
            else:
                found.append(("guide", entry))
    return found, errors


def guides_folder(schemes_root: Path) -> Path:
    """docs/guides/ beside the records folder."""
    return schemes_root.parent / GUIDES_DIR


def load_file(
    kind: str, path: Path, *, debug: bool = False, base: Path | None = None
) -> tuple[Record | None, list[RecordError]]:
    """Load and validate one record file. Never raises for bad input."""
    shown = display_path(path, base)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            raw = handle.read(MAX_BYTES + 1)
        if kind == "guide":
            from .guides import parse_guide

            guide, loaded_guide, body, errors = parse_guide(shown, raw)
            if guide is None or loaded_guide is None:
                return None, errors
            return Record(kind, shown, guide, loaded_guide, ident=path.stem, body=body), errors
        loaded, errors, reliable = load_yaml(shown, raw, size)
        if loaded is None or not reliable:
            return None, errors
        model, validation_errors = validate_record(KINDS[kind], loaded, shown)
        errors.extend(validation_errors)
        if model is None:
            return None, errors
        return Record(kind, shown, model, loaded), errors
    except OSError as exc:
        return None, [RecordError(shown, 1, 1, FILE_FIELD, f"lecture impossible : {exc.strerror or exc}")]
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
        if debug:
            raise
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return None, [
            InternalRecordError(shown, 1, 1, FILE_FIELD, f"erreur interne en lisant ce fichier ({detail})", INTERNAL_HINT)
        ]


class LoadCache:
    """Files already loaded, keyed by path, valid while size and mtime hold.

    An unchanged file gives back the very same Record object, which lets the
    renderer know which pages need rendering again.
    """

    def __init__(self) -> None:
        self.entries: dict[Path, tuple[tuple[int, int, int], Record | None, list[RecordError]]] = {}

    def load(
        self, kind: str, path: Path, debug: bool, base: Path | None = None
    ) -> tuple[Record | None, list[RecordError]]:
        try:
            stat = path.stat()
        except OSError:
            return load_file(kind, path, debug=debug, base=base)
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        entry = self.entries.get(path)
        if entry is not None and entry[0] == stamp:
            return entry[1], entry[2]
        record, errors = load_file(kind, path, debug=debug, base=base)
        self.entries[path] = (stamp, record, errors)
        return record, errors


def load_corpus(
    root: Path, *, debug: bool = False, cache: LoadCache | None = None, base: Path | None = None
) -> Corpus:
    """Every record under *root*; paths shown relative to *base* (default: the working directory)."""
    from .checks import check_corpus  # cross-record rules need every record first

    corpus = Corpus(root=root)
    files, corpus.errors = discover(root, base)
    seen_ids: dict[tuple[str, str], Record] = {}
    for kind, path in files:
        corpus.files_checked += 1
        if cache is not None:
            record, errors = cache.load(kind, path, debug, base)
            errors = list(errors)
        else:
            record, errors = load_file(kind, path, debug=debug, base=base)
        corpus.errors.extend(errors)
        if record is None:
            corpus.broken[kind].add(path.stem)
            continue
        key = (kind, record.id.casefold())
        if key in seen_ids:
            # Reported by check_corpus with both locations; keep the first.
            corpus.errors.extend(_duplicate_id(record, seen_ids[key]))
            continue
        seen_ids[key] = record
        corpus.records[kind][record.id] = record
    corpus.errors.extend(check_corpus(corpus))
    corpus.errors.sort(key=lambda e: (e.path, e.line, e.column, e.field, e.message))
    return corpus


def _duplicate_id(record: Record, first: Record) -> list[RecordError]:
    line, column = record.loaded.position(("id",))
    first_line, _ = first.loaded.position(("id",))
    return [
        RecordError(
            record.path, line, column, "id",
            f"identifiant « {record.id} » déjà utilisé par {first.path}:{first_line}",
            "chaque fiche a son propre identifiant",
        )
    ]
