"""The project a command works on: its root folder, the folders under it, the
`extra.reperes` settings of mkdocs.yml and the date the site is built for.

Every command starts from ``Project.find()``, so it works from any folder of
the project and paths shown to users stay relative to the project's root.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import UsageError

CONFIG_FILE = "mkdocs.yml"
SCHEMES_DIR = "schemes"
GENERATED_DIR = Path("docs") / "genere"  # pages produced from the records (git-ignored)
GUIDES_DIR = Path("docs") / "guides"  # hand-written guides
CACHE_DIR = Path(".cache") / "reperes"  # what Repères keeps between runs (git-ignored)
PARIS = "Europe/Paris"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Path from a repository's address to its file editor, by forge (extra.reperes.forge).
EDIT_PATHS = {"github": "/edit/", "gitlab": "/-/edit/"}


@dataclass
class Project:
    """A Repères project: the folder holding mkdocs.yml and schemes/."""

    root: Path
    # The day whose rules the site shows (what is in force, what is due);
    # None: today in Paris.
    date: dt.date | None = field(default=None)

    @classmethod
    def find(cls, start: Path | None = None, *, date: dt.date | None = None) -> Project:
        """The project holding *start* (default: the current folder), walking up."""
        start = (start or Path.cwd()).resolve()
        for folder in (start, *start.parents):
            if is_project(folder):
                return cls(folder, date)
        raise UsageError(
            f"« {start} » n'est pas dans un projet Repères (aucun dossier parent ne contient "
            f"{CONFIG_FILE} et {SCHEMES_DIR}/)",
            "lancez la commande dans le dossier du projet ou l'un de ses sous-dossiers",
        )

    # --- folders -------------------------------------------------------------

    @property
    def config_file(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def schemes(self) -> Path:
        return self.root / SCHEMES_DIR

    @property
    def schemas(self) -> Path:
        return self.schemes / "_schemas"

    @property
    def guides(self) -> Path:
        return self.root / GUIDES_DIR

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def cache(self) -> Path:
        return self.root / CACHE_DIR

    def shown(self, path: Path) -> str:
        """*path* as users see it: relative to the project's root when inside it."""
        path = Path(os.path.abspath(path))
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # --- settings ------------------------------------------------------------

    @cached_property
    def settings(self) -> dict[str, Any]:
        """`extra.reperes` of mkdocs.yml, read once ({} when absent or unreadable)."""
        return read_settings(self.config_file)

    @property
    def edit_template(self) -> str | None:
        """The forge's address for editing a file, with {chemin}: extra.reperes.modifier
        when set (any forge); else derived from mkdocs.yml's repo_url for the forge
        that extra.reperes.forge names, GitHub by default (…/edit/main/{chemin}) or
        GitLab (…/-/edit/main/{chemin}), on the branch extra.reperes.branche (main)."""
        value = self.settings.get("modifier")
        if value is not None:
            return value if isinstance(value, str) and value.startswith("https://") else None
        repo = read_config(self.config_file).get("repo_url")
        if not isinstance(repo, str) or not repo.startswith("https://"):
            return None
        branch = self.settings.get("branche", "main")
        if not isinstance(branch, str) or not re.fullmatch(r"[A-Za-z0-9._/-]+", branch):
            return None
        edit = EDIT_PATHS.get(self.settings.get("forge", "github"))
        return f"{repo.rstrip('/')}{edit}{branch}/{{chemin}}" if edit else None

    @property
    def feedback_mailbox(self) -> str | None:
        """extra.reperes.courriel_remontees: where the field's feedback goes on
        a page that no referent site owns (partners, tools, summaries)."""
        value = self.settings.get("courriel_remontees")
        return value.strip() if isinstance(value, str) and value.strip() else None

    def build_date(self) -> dt.date:
        """The date given to the project (``reperes build --date``), else today in Paris."""
        return self.date or today_in_paris()


def is_project(folder: Path) -> bool:
    return (folder / CONFIG_FILE).is_file() and (folder / SCHEMES_DIR).is_dir()


def read_config(config_file: Path) -> dict[str, Any]:
    """A mkdocs.yml as data ({} when absent or unreadable). MkDocs' own tags
    (!!python/name, !ENV) are read as nothing: this reading never runs code."""
    import yaml

    class _Tolerant(yaml.SafeLoader):
        pass

    _Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Tolerant) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def read_settings(config_file: Path) -> dict[str, Any]:
    """`extra.reperes` of a mkdocs.yml ({} when absent)."""
    config = read_config(config_file)
    extra = config.get("extra")
    settings = extra.get("reperes") if isinstance(extra, dict) else None
    return settings if isinstance(settings, dict) else {}


def today_in_paris() -> dt.date:
    try:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(PARIS)).date()
    except Exception:  # noqa: BLE001 - no tz database: UTC is close enough
        return dt.datetime.now(dt.UTC).date()


def parse_date(text: str) -> dt.date:
    """AAAA-MM-JJ typed by a user (``--date``); a UsageError otherwise."""
    try:
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"date « {text} » invalide : ce jour n'existe pas", "écrivez AAAA-MM-JJ, par exemple 2026-11-27"
        ) from None
    raise UsageError(f"date « {text} » au mauvais format", "écrivez AAAA-MM-JJ, par exemple 2026-11-27")
