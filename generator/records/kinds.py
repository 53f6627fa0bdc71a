"""The record kinds, in one table that every feature reads.

Where a kind's files live, the model that checks them, the folder of its pages
on the site, its French labels, the field naming the referent site that owns
it and whether it is reviewed: adding a kind, or a feature that needs to know
about kinds, means one row or one column here, never a copy elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from pydantic import BaseModel

from ..project import GUIDES_DIR, SCHEMES_DIR
from .models import Dispositif, Glossaire, Guide, Outil, Partenaire, Remontee, SiteReferent


@dataclass(frozen=True)
class Kind:
    name: str  # in messages, schema file names and the history: "dispositif"
    model: type[BaseModel]
    source: str  # where its files are, from the project root; "{id}" is the record's id
    pages: str | None  # folder of its pages on the site; None: a single page or none
    label: str  # French, capitalised: "Dispositif"
    named: str  # French, with its article: "le dispositif"
    owner: str | None  # field naming the referent site that owns the record
    reviewed: bool  # has revu_le and intervalle_revue_jours

    @property
    def folder(self) -> str:
        """Folder of its files, from the project root ("schemes/partenaires")."""
        return PurePosixPath(self.source).parent.as_posix()

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.source).suffix

    @property
    def single(self) -> bool:
        """One file for the whole kind (the glossary)."""
        return "{id}" not in self.source

    def page(self, ident: str) -> str:
        """Its page on the site, from the site's root, as a Markdown source path."""
        if self.pages is None:
            raise ValueError(f"record kind {self.name!r} has no page folder")
        return f"{self.pages}/{ident}.md"


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("dispositif", Dispositif, f"{SCHEMES_DIR}/{{id}}.yml", "dispositifs", "Dispositif", "le dispositif",
             "site_referent", True),
        Kind("partenaire", Partenaire, f"{SCHEMES_DIR}/partenaires/{{id}}.yml", "partenaires", "Partenaire",
             "le partenaire", None, False),
        Kind("outil", Outil, f"{SCHEMES_DIR}/outils/{{id}}.yml", "outils", "Outil", "l'outil", None, False),
        Kind("site", SiteReferent, f"{SCHEMES_DIR}/sites/{{id}}.yml", "sites", "Site référent", "le site référent",
             None, False),
        Kind("glossaire", Glossaire, f"{SCHEMES_DIR}/glossaire.yml", None, "Glossaire", "le glossaire", None, False),
        Kind("guide", Guide, f"{GUIDES_DIR.as_posix()}/{{id}}.md", "guides", "Guide", "le guide", "proprietaire", True),
        Kind("remontee", Remontee, f"{SCHEMES_DIR}/remontees/{{id}}.yml", "remontees", "Remontée terrain",
             "la remontée", "site_referent", False),
    )
}

# Folders under schemes/ that hold one kind each: {"partenaires": "partenaire", …}.
SUBFOLDERS: dict[str, str] = {
    PurePosixPath(kind.folder).name: kind.name
    for kind in KINDS.values() if kind.folder.startswith(f"{SCHEMES_DIR}/")
}
GLOSSARY_FILE = PurePosixPath(KINDS["glossaire"].source).name
# The folders that hold records, from the project root (what git is asked about):
# schemes/ with its subfolders, and each folder outside it.
RECORD_ROOTS: tuple[str, ...] = tuple(sorted(
    {SCHEMES_DIR if kind.folder.split("/")[0] == SCHEMES_DIR else kind.folder for kind in KINDS.values()}
))


def kind_of_path(path: str) -> str | None:
    """Kind of the record stored at *path* (project-relative, with "/"), if any."""
    parts = PurePosixPath(path)
    for kind in KINDS.values():  # the glossary first: its file sits beside the schemes
        if kind.single and path == kind.source:
            return kind.name
    for kind in KINDS.values():
        if not kind.single and parts.parent.as_posix() == kind.folder and parts.suffix == kind.suffix \
                and parts.stem != "index":
            return kind.name
    return None


def owner_of(kind: str, model: BaseModel) -> str | None:
    """Id of the referent site that owns a record, when its kind has one."""
    field = KINDS[kind].owner
    return getattr(model, field) if field else None
