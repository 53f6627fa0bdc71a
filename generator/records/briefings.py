"""Weekly briefings ("points hebdo"): posts of Material's blog, written by managers.

Layout under ``docs/briefings/``:

    posts/<annee>-s<semaine>.md   one briefing: a header between two « --- »
                                  lines (read by Material's blog), then Markdown
                                  checked like every hand-written page
    .authors.yml                  the authors the blog shows (Material's format)
    <nom>.png                     their pictures, files of the repository

A briefing is contributor text: its body passes the same checks as a guide or
a page (no HTML, safe links only…) and is rendered inert. The one exception is
the lines ``reperes briefing`` writes to delimit the parts it fills in
(``<!-- reperes:debut … -->``): a line that is exactly such a marker is
accepted, and removed before the page reaches MkDocs, so nothing of it can
show or run on the site.

The header keys are Material's (``date``, ``slug``, ``categories``,
``authors``, ``draft``, ``description``): the blog reads them under these
names, so they stay in English.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from ..errors import FILE_FIELD, RecordError
from .loader import decode_source, load_yaml
from .markdown import IMAGE_SUFFIXES
from .models import Date, Slug, Strict, Texte

BRIEFINGS_FOLDER = "briefings"  # under docs/, and on the site
POSTS_FOLDER = f"{BRIEFINGS_FOLDER}/posts"  # under docs/
AUTHORS_FILE = f"{BRIEFINGS_FOLDER}/.authors.yml"  # under docs/
# Categories a briefing may have (mkdocs.yml's categories_allowed says the same: a test keeps them in step).
CATEGORIES = ("Point hebdo", "Point exceptionnel")

# A line the generator writes around its parts. Nothing else of HTML is ever
# accepted: the whole line must be exactly this, and it never reaches MkDocs.
MARKER = re.compile(
    r"<!-- reperes:(?P<what>debut|fin|element) (?P<key>[a-z0-9][a-z0-9:._-]{0,200})"
    r"(?: empreinte=(?P<digest>[0-9a-f]{12}))? -->"
)


def is_marker(line: str) -> bool:
    return MARKER.fullmatch(line.rstrip("\r")) is not None


def without_markers(text: str) -> str:
    """*text* without its marker lines: what MkDocs is given."""
    return "\n".join(line for line in text.split("\n") if not is_marker(line))


def _check_avatar(value: str) -> str:
    path = PurePosixPath(value)
    if (
        value.startswith("/") or ".." in path.parts or path.parts[:1] != (BRIEFINGS_FOLDER,)
        or not value.lower().endswith(IMAGE_SUFFIXES) or "\\" in value or ":" in value
    ):
        from pydantic_core import PydanticCustomError

        raise PydanticCustomError(
            "avatar", "image « {value} » refusée : une image du dépôt est attendue, sous briefings/",
            {"value": value[:80]},
        )
    return value


class Auteur(Strict):
    """Un auteur des points hebdo, tel que le blog l'affiche."""

    name: Texte
    """Nom affiché (par exemple « Encadrement de l'Assistance Utilisateurs »)."""
    description: Texte
    """Fonction, affichée sous le nom."""
    avatar: Annotated[str, AfterValidator(_check_avatar)]
    """Image du dépôt, chemin depuis la racine du site : briefings/<nom>.png."""


class Auteurs(Strict):
    """Le fichier docs/briefings/.authors.yml."""

    authors: Annotated[dict[Slug, Auteur], Field(min_length=1)]


class EnTeteBillet(Strict):
    """L'en-tête d'un point hebdo (clés lues par le blog de Material)."""

    date: Date
    """Date de publication (le lundi qui suit la semaine)."""
    slug: Slug
    """Adresse du point sur le site : briefings/<slug>/."""
    description: Texte
    """Résumé d'une ligne, repris dans le flux des points hebdo."""
    categories: Annotated[list[Literal[CATEGORIES]], Field(min_length=1)]  # type: ignore[valid-type]
    """Catégories : Point hebdo ou Point exceptionnel."""
    authors: Annotated[list[Slug], Field(min_length=1)]
    """Identifiants d'auteurs déclarés dans docs/briefings/.authors.yml."""
    draft: bool = False
    """true : brouillon, pas encore publié sur le site."""


@dataclasses.dataclass(frozen=True)
class Post:
    """A briefing that passed its checks."""

    header: EnTeteBillet
    title: str  # the first heading of the body
    text: str  # what MkDocs is given: header and body, markers removed
    relative: str  # under docs/: "briefings/posts/2026-s48.md"


def parse_post(shown: str, relative: str, raw: bytes, size: int | None = None) -> tuple[Post | None, list[RecordError]]:
    """A briefing's bytes -> (post, errors). Never raises for bad input."""
    from .guides import _shift, check_page_text, split_front_matter
    from .validation import validate_record

    text, errors = decode_source(shown, raw, size)
    if text is None:
        return None, errors
    parts = split_front_matter(text)
    if parts is None:
        return None, [RecordError(
            shown, 1, 1, FILE_FIELD, "en-tête manquant",
            "un point hebdo commence par une ligne « --- », puis date, slug, description, categories, "
            "authors, puis « --- » (lancez « reperes briefing --week AAAA-Sss » pour le préparer)",
        )]
    header, body, first_line = parts
    loaded, errors, reliable = load_yaml(shown, header.encode("utf-8"))
    errors = [dataclasses.replace(e, line=e.line + 1) for e in errors]
    # Marker lines are blanked for the check, so every other line keeps its number.
    checked = "\n".join("" if is_marker(line) else line for line in body.split("\n"))
    errors.extend(check_page_text(shown, checked, first_line))
    title = next((line[2:].strip() for line in checked.split("\n") if line.startswith("# ")), "")
    if not title:
        errors.append(RecordError(shown, first_line, 1, "texte", "titre manquant",
                                  "la première ligne du texte est le titre : « # Point hebdo … »"))
    if loaded is None or not reliable:
        return None, errors
    _shift(loaded, 1)
    model, validation_errors = validate_record(EnTeteBillet, loaded, shown)
    errors.extend(validation_errors)
    if errors or model is None:
        return None, errors
    return Post(model, title, without_markers(text), relative), []  # type: ignore[arg-type]


def parse_authors(shown: str, raw: bytes, size: int | None = None) -> tuple[Auteurs | None, list[RecordError]]:
    from .validation import validate_record

    loaded, errors, reliable = load_yaml(shown, raw, size)
    if loaded is None or not reliable:
        return None, errors
    model, validation_errors = validate_record(Auteurs, loaded, shown)
    return model, errors + validation_errors  # type: ignore[return-value]


def check_briefings(posts: dict[str, Post], authors: Auteurs | None, authors_shown: str,
                    shown: dict[str, str], images: set[str]) -> list[RecordError]:
    """What only holds across files: authors declared, pictures present, one address per briefing."""
    errors = []
    declared = authors.authors if authors is not None else {}
    if authors is not None:
        for ident, author in declared.items():
            if author.avatar not in images:
                errors.append(RecordError(
                    authors_shown, 1, 1, f"authors.{ident}.avatar", f"image « {author.avatar} » introuvable",
                    "ajoutez l'image dans docs/briefings/ ou corrigez le chemin",
                ))
    slugs: dict[str, str] = {}
    for relative, post in sorted(posts.items()):
        for ident in post.header.authors:
            if ident not in declared:
                known = ", ".join(sorted(declared)) or "aucun"
                errors.append(RecordError(
                    shown[relative], 2, 1, "authors", f"auteur « {ident} » non déclaré",
                    f"déclarez-le dans docs/{AUTHORS_FILE} (auteurs déclarés : {known})",
                ))
        slug = post.header.slug
        if slug in slugs:
            errors.append(RecordError(
                shown[relative], 2, 1, "slug", f"adresse « {slug} » déjà prise par {slugs[slug]}",
                "chaque point hebdo a son propre slug, par exemple 2026-s49",
            ))
        slugs.setdefault(slug, shown[relative])
    return errors
