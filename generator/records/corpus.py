"""Find record files under ``schemes/``, load and validate each one.

Layout (documented in the README and the contributor guide):

    schemes/<id>.yml               one scheme (dispositif) per file
    schemes/glossaire.yml          the glossary
    schemes/partenaires/<id>.yml   partners
    schemes/outils/<id>.yml        tools
    schemes/sites/<id>.yml         referent sites
    schemes/_schemas/*.json        JSON Schemas written by `reperes schema`
    docs/guides/<id>.md            guides (a header, then Markdown)
    docs/<dossier>/…/<nom>.md      hand-written pages (docs/contribuer/…)
    docs/briefings/posts/<nom>.md  weekly briefings (a header, then Markdown; briefings.py)
    docs/briefings/.authors.yml    the briefings' authors
    docs/…/<nom>.png (jpg, gif…)   images that guides and pages show

Anything else is reported, so that no file is silently ignored. Only regular
files are ever opened (a FIFO named like a record would block the check), and
a symbolic link anywhere under schemes/ or docs/ is refused: nothing outside
the repository can reach the site.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import stat
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from ..collector import collector_paused
from ..errors import FILE_FIELD, INTERNAL_HINT, InternalRecordError, RecordError
from ..project import GENERATED_DIR, GUIDES_DIR, today_in_paris
from .briefings import AUTHORS_FILE, POSTS_FOLDER, Auteurs, Post, check_briefings, parse_authors, parse_post
from .kinds import GLOSSARY_FILE, KINDS, SUBFOLDERS
from .loader import MAX_BYTES, Loaded, load_yaml
from .markdown import IMAGE_SUFFIXES
from .models import SLUG_MAX, SLUG_RE, WINDOWS_RESERVED
from .validation import validate_record

SCHEMA_FOLDER = "_schemas"
IGNORED_NAMES = {"README.md", "LISEZMOI.md"}
# Folders of docs/ that are not hand-written pages: guides are loaded as
# records, the theme is code reviewed by the owners, genere/ is our output.
GUIDES_FOLDER = GUIDES_DIR.name
NOT_PAGES = {GUIDES_FOLDER, "theme", GENERATED_DIR.name}
# Folders of docs/ whose files would replace the theme's (Material's assets,
# the search index) on every page.
THEME_FOLDERS = frozenset({"assets", "search"})


@dataclass(eq=False)  # identity: a record loaded once is the same object everywhere
class Record:
    kind: str
    path: str  # as shown to the user
    model: BaseModel
    loaded: Loaded
    ident: str = ""
    body: str = ""  # guides: the Markdown after the header
    body_line: int = 1  # guides: line of the file where the body starts

    def __post_init__(self) -> None:
        if not self.ident:
            self.ident = getattr(self.model, "id", self.kind)

    @property
    def id(self) -> str:
        return self.ident


@dataclass(frozen=True)
class Page:
    """A hand-written page under docs/, checked like a guide's body."""

    path: str  # as shown to the user
    relative: str  # under docs/, as in the site: "contribuer/index.md"
    text: str


@dataclass
class Corpus:
    root: Path
    records: dict[str, dict[str, Record]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    errors: list[RecordError] = field(default_factory=list)
    files_checked: int = 0
    # Ids (file names) of records that exist but failed their own checks:
    # references to them are not reported a second time.
    broken: dict[str, set[str]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    # Hand-written pages that passed their checks, by path under docs/
    # ("contribuer/index.md"), and the images found under docs/.
    pages: dict[str, Page] = field(default_factory=dict)
    images: set[str] = field(default_factory=set)
    # Weekly briefings that passed their checks (also in pages), by path under docs/.
    posts: dict[str, Post] = field(default_factory=dict)
    authors: Auteurs | None = None  # docs/briefings/.authors.yml, when valid
    # The date the status timelines are read at (the build date).
    today: dt.date = field(default_factory=today_in_paris)

    def of_kind(self, kind: str) -> dict[str, Record]:
        return self.records[kind]

    @property
    def glossary(self) -> Record | None:
        return self.records["glossaire"].get("glossaire")


def display_path(path: Path, base: Path | None = None) -> str:
    """Path relative to *base* (the project's root; default: the working
    directory) when possible: what editors and CI annotations jump to."""
    if base is not None:  # the common case, a file under the project: no path arithmetic
        text = os.fspath(path)
        prefix = _base_prefix(os.fspath(base))
        if prefix is not None and text.startswith(prefix) and os.path.normpath(text) == text:
            return text[len(prefix):]
    try:
        return os.path.relpath(path, base)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


@functools.lru_cache(maxsize=16)
def _base_prefix(base: str) -> str | None:
    """« /projet/ » for an absolute base: what relpath would strip from a path under it."""
    if not os.path.isabs(base):
        return None
    normal = os.path.normpath(base)
    return None if normal == os.sep else normal + os.sep


class NotRegularFile(OSError):
    """A FIFO, socket or device where a file was expected: never opened."""


def read_source(path: Path) -> tuple[bytes, int]:
    """(bytes, size) of a regular file, at most MAX_BYTES + 1 bytes read.

    Opened without following a symbolic link and without blocking, then
    checked to be a regular file before anything is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path)
        # At most MAX_BYTES + 1 bytes, whatever the size said (the file may grow meanwhile).
        wanted = MAX_BYTES + 1
        chunks = []
        while wanted > 0:
            chunk = os.read(descriptor, min(wanted, info.st_size + 1))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks), info.st_size
    finally:
        os.close(descriptor)


_NOT_REGULAR = (
    "n'est pas un fichier ordinaire (tube, socket ou périphérique) : il n'est pas lu",
    "remplacez-le par un vrai fichier",
)
_SYMLINK_HINT = "remplacez-le par le fichier lui-même : rien hors du dépôt ne doit entrer dans le site"


def slug_problem(name: str, suffix: str) -> str | None:
    """Why a file or folder name may not be used in the site's addresses."""
    stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
    if SLUG_RE.match(stem) and len(stem) <= SLUG_MAX and stem not in WINDOWS_RESERVED:
        return None
    return f"nom « {name} » invalide : uniquement des minuscules sans accent, des chiffres et des tirets"


def suggest_slug(name: str, suffix: str) -> str:
    import unicodedata

    stem = name[: -len(suffix)] if suffix and name.endswith(suffix) else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_stem))[:SLUG_MAX] or "page"
    if slug in WINDOWS_RESERVED:
        slug += "-1"
    return slug + suffix


def symlinks_under(folder: Path) -> list[Path]:
    """Every symbolic link under *folder* (never followed), the folder included."""
    if folder.is_symlink():
        return [folder]
    found = []
    folders = [str(folder)]
    while folders:  # os.walk without its stat of each entry: the directory's own entry types
        try:
            entries = os.scandir(folders.pop())
        except OSError:  # gone or unreadable, as os.walk skips it
            continue
        with entries:
            for entry in entries:
                if entry.is_symlink():
                    found.append(Path(entry.path))
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
    return sorted(found)


def discover(root: Path, base: Path | None = None) -> tuple[list[tuple[str, Path]], list[RecordError]]:
    """(kind, path) for every record file, and errors for unexpected entries.

    Kinds are those of KINDS, plus "page" (a hand-written page) and "image".
    """
    found: list[tuple[str, Path]] = []
    errors: list[RecordError] = []

    def unexpected(path: Path, message: str, hint: str | None = None) -> None:
        errors.append(RecordError(display_path(path, base), 1, 1, FILE_FIELD, message, hint))

    docs = root.parent / "docs"
    links = set(symlinks_under(root)) | (set(symlinks_under(docs)) if os.path.lexists(docs) else set())
    for link in sorted(links):
        unexpected(link, "lien symbolique interdit", _SYMLINK_HINT)

    def scan(folder: Path, kind: str | None) -> None:
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            name = entry.name
            if name.startswith(".") or name in IGNORED_NAMES or entry in links:
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
            if not entry.is_file():
                unexpected(entry, f"« {name} » {_NOT_REGULAR[0]}", _NOT_REGULAR[1])
            elif name.endswith(".yml"):
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

    def scan_docs(folder: Path, guides: bool) -> None:
        """docs/guides/ (guides=True) or a folder of hand-written pages."""
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            name = entry.name
            if name.startswith(".") or name in IGNORED_NAMES or entry in links:
                continue
            suffix = ".md" if name.endswith(".md") else next(
                (s for s in IMAGE_SUFFIXES if name.endswith(s)), ""
            )
            if entry.is_dir() and not guides:
                problem = slug_problem(name, "")
                if problem:
                    unexpected(entry, f"dossier : {problem}", f"renommez-le, par exemple en « {suggest_slug(name, '')} »")
                else:
                    scan_docs(entry, guides=False)
                continue
            if entry.is_dir() or not suffix:
                what = "un guide est un fichier .md" if guides else "une page est un fichier .md"
                unexpected(entry, f"fichier inattendu « {name} » : {what} (ou une image "
                           f"{', '.join(s.lstrip('.') for s in IMAGE_SUFFIXES)})")
                continue
            if not entry.is_file():
                unexpected(entry, f"« {name} » {_NOT_REGULAR[0]}", _NOT_REGULAR[1])
                continue
            problem = slug_problem(name, suffix)
            if problem:
                unexpected(entry, problem, f"renommez le fichier, par exemple en « {suggest_slug(name, suffix)} »")
            elif suffix != ".md":
                found.append(("image", entry))
            elif guides and name == "index.md":
                unexpected(entry, "« index.md » est produit automatiquement", "donnez un autre nom à ce guide")
            else:
                found.append(("guide" if guides else "page", entry))

    if root not in links:
        scan(root, None)
    if docs.is_dir() and docs not in links:
        for entry in sorted(docs.iterdir(), key=lambda p: p.name):
            name = entry.name
            if name.startswith(".") or name in IGNORED_NAMES or entry in links:
                continue
            if entry.is_dir() and name == GUIDES_FOLDER:
                scan_docs(entry, guides=True)
            elif entry.is_dir() and name in THEME_FOLDERS:
                unexpected(entry, f"dossier docs/{name}/ réservé au thème",
                           "ses fichiers remplaceraient ceux du thème sur toutes les pages ; "
                           "placez pages et images dans un autre dossier, par exemple docs/contribuer/")
            elif entry.is_dir() and name not in NOT_PAGES:
                problem = slug_problem(name, "")
                if problem:
                    unexpected(entry, f"dossier : {problem}", f"renommez-le, par exemple en « {suggest_slug(name, '')} »")
                else:
                    scan_docs(entry, guides=False)
            elif not entry.is_dir():
                unexpected(entry, f"fichier inattendu « {name} » à la racine de docs/",
                           "placez les pages dans un dossier, par exemple docs/contribuer/")
    return found, errors


# What an image file starts with, by the suffixes that name it.
_IMAGE_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"), ".webp": (b"RIFF",),
}


def image_file_problem(path: Path) -> tuple[str, str] | None:
    """Why an image file may not be copied into the site as it is (message, hint), or None.

    Copied byte for byte, it must be the image its name says (a page or a
    script renamed .png would be served from the site) and within the size cap.
    """
    try:
        raw, size = read_source(path)
    except NotRegularFile:
        return f"« {path.name} » {_NOT_REGULAR[0]}", _NOT_REGULAR[1]
    except OSError as exc:
        return f"lecture impossible : {exc.strerror or exc}", "vérifiez le fichier"
    if size > MAX_BYTES:
        return (f"image trop volumineuse ({-(-size // 1024)} Kio ; maximum {MAX_BYTES // 1024} Kio)",
                "réduisez-la ou enregistrez-la en JPEG")
    suffix = path.suffix.lower()
    signatures = _IMAGE_SIGNATURES[suffix]
    if not raw.startswith(signatures) or (suffix == ".webp" and raw[8:12] != b"WEBP"):
        return (f"« {path.name} » n'est pas une image {suffix.lstrip('.').upper()}",
                "enregistrez l'image dans ce format, ou donnez au fichier l'extension de son format")
    return None


def load_file(
    kind: str, path: Path, *, debug: bool = False, base: Path | None = None
) -> tuple[Record | None, list[RecordError]]:
    """Load and validate one record file. Never raises for bad input."""
    shown = display_path(path, base)
    try:
        raw, size = read_source(path)
        if kind == "guide":
            from .guides import body_line, parse_guide

            guide, loaded_guide, body, errors = parse_guide(shown, raw, size)
            if guide is None or loaded_guide is None:
                return None, errors
            first = body_line(raw.decode("utf-8-sig"))
            return Record(kind, shown, guide, loaded_guide, ident=path.stem, body=body, body_line=first), errors
        loaded, errors, reliable = load_yaml(shown, raw, size, positions=False)  # read again on an error
        if loaded is None or not reliable:
            return None, errors
        model, validation_errors = validate_record(KINDS[kind].model, loaded, shown)
        errors.extend(validation_errors)
        if model is None:
            return None, errors
        loaded.release_data()  # the model holds it; read again if ever asked for
        return Record(kind, shown, model, loaded), errors
    except NotRegularFile:
        return None, [RecordError(shown, 1, 1, FILE_FIELD, f"« {path.name} » {_NOT_REGULAR[0]}", _NOT_REGULAR[1])]
    except OSError as exc:
        if path.is_symlink():
            return None, [RecordError(shown, 1, 1, FILE_FIELD, "lien symbolique interdit", _SYMLINK_HINT)]
        return None, [RecordError(shown, 1, 1, FILE_FIELD, f"lecture impossible : {exc.strerror or exc}")]
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
        if debug:
            raise
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return None, [
            InternalRecordError(shown, 1, 1, FILE_FIELD, f"erreur interne en lisant ce fichier ({detail})", INTERNAL_HINT)
        ]


def load_page(path: Path, docs: Path) -> tuple[Page | None, list[RecordError]]:
    """Read and check one hand-written page. Never raises for bad input."""
    from .guides import parse_page

    shown = display_path(path)
    raw, size, problem = _read_checked(path, shown)
    if raw is None:
        return None, problem
    text, errors = parse_page(shown, raw, size)
    if text is None:
        return None, errors
    return Page(shown, path.relative_to(docs).as_posix(), text), errors


def load_post(path: Path, docs: Path) -> tuple[Post | None, list[RecordError]]:
    """Read and check one weekly briefing. Never raises for bad input."""
    shown = display_path(path)
    raw, size, problem = _read_checked(path, shown)
    if raw is None:
        return None, problem
    return parse_post(shown, path.relative_to(docs).as_posix(), raw, size)


def _read_checked(path: Path, shown: str) -> tuple[bytes | None, int, list[RecordError]]:
    """(bytes, size, []) of a regular file, or (None, 0, [the problem])."""
    try:
        raw, size = read_source(path)
    except NotRegularFile:
        return None, 0, [RecordError(shown, 1, 1, FILE_FIELD, f"« {path.name} » {_NOT_REGULAR[0]}", _NOT_REGULAR[1])]
    except OSError as exc:
        return None, 0, [RecordError(shown, 1, 1, FILE_FIELD, f"lecture impossible : {exc.strerror or exc}")]
    return raw, size, []


def _check_briefings(corpus: Corpus, docs: Path) -> list[RecordError]:
    """The authors file (when briefings or the file exist) and what holds across briefings."""
    path = docs / AUTHORS_FILE
    shown = display_path(path)
    if not corpus.posts and not os.path.lexists(path):
        return []
    errors: list[RecordError] = []
    authors = None
    if os.path.islink(path):
        errors.append(RecordError(shown, 1, 1, FILE_FIELD, "lien symbolique interdit", _SYMLINK_HINT))
    elif not os.path.lexists(path):
        errors.append(RecordError(shown, 1, 1, FILE_FIELD, "fichier des auteurs manquant",
                                  "créez-le : chaque auteur a name, description et avatar"))
    else:
        raw, size, problem = _read_checked(path, shown)
        errors.extend(problem)
        if raw is not None:
            authors, found = parse_authors(shown, raw, size)
            errors.extend(found)
            corpus.authors = authors
    if errors and authors is None:
        return errors
    return errors + check_briefings(corpus.posts, authors, shown,
                                    {rel: page.path for rel, page in corpus.pages.items()}, corpus.images)


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
    root: Path, *, debug: bool = False, cache: LoadCache | None = None, base: Path | None = None,
    today: dt.date | None = None,
) -> Corpus:
    """Every record under *root*; paths shown relative to *base* (default: the working directory)."""
    with collector_paused():
        return _load_corpus(root, debug=debug, cache=cache, base=base, today=today)


def _load_corpus(
    root: Path, *, debug: bool, cache: LoadCache | None, base: Path | None, today: dt.date | None,
) -> Corpus:
    from .checks import check_corpus  # cross-record rules need every record first

    corpus = Corpus(root=root, today=today or today_in_paris())
    files, corpus.errors = discover(root, base)
    seen_ids: dict[tuple[str, str], Record] = {}
    docs = root.parent / "docs"
    for kind, path in files:
        if kind == "image":
            problem = image_file_problem(path)
            if problem:
                corpus.errors.append(RecordError(display_path(path, base), 1, 1, FILE_FIELD, *problem))
            else:
                corpus.images.add(path.relative_to(docs).as_posix())
            continue
        if kind == "page" and path.relative_to(docs).as_posix().startswith(POSTS_FOLDER + "/"):
            post, errors = load_post(path, docs)
            corpus.errors.extend(errors)
            if post is not None:
                corpus.posts[post.relative] = post
                corpus.pages[post.relative] = Page(display_path(path), post.relative, post.text)
            continue
        if kind == "page":  # not a record: not counted in the summary's records
            page, errors = load_page(path, docs)
            corpus.errors.extend(errors)
            if page is not None:
                corpus.pages[page.relative] = page
            continue
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
    corpus.errors.extend(_check_briefings(corpus, docs))
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
