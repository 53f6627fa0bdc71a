"""Internal links of guides and hand-written pages, resolved before MkDocs.

A link to a page the site will not have, or to a heading that page does not
have, is reported at its line and column, in French, with a "vouliez-vous
dire" when a close name exists (GitHub Docs and GOV.UK block merges on broken
internal links the same way). The pages are those the build produces: the
generated pages are those of ``render.Renderer``'s plan (one fact, one place:
no table of their names or headings to keep in step), plus the hand-written
pages. A page's text is rendered in memory only when a link's anchor points
into it (`reperes check`), or taken from the build that rendered it anyway. Heading anchors are computed by Python-Markdown itself,
with the extensions of mkdocs.yml, so ``toc``'s slugs, de-duplication and
``{ #id }`` are exactly the site's.

Called by ``reperes check`` and by ``reperes build`` (before MkDocs).
"""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
from collections.abc import Mapping
from urllib.parse import unquote

from ..errors import FILE_FIELD, RecordError
from ..history.changelog import History
from ..records.briefings import POSTS_FOLDER
from ..records.corpus import Corpus, Page
from ..records.guides import BODY_FIELD
from ..records.markdown import Scan, is_image_path
from ..records.models import link_problem
from ..records.validation import did_you_mean
from .render import LazyPages, Renderer, abbreviations_block

# The block and heading extensions of mkdocs.yml (test_links checks they agree).
MARKDOWN_EXTENSIONS = ["abbr", "admonition", "tables", "attr_list", "toc", "pymdownx.details",
                       "pymdownx.superfences"]


def page_anchors(text: str) -> set[str]:
    """Ids of the headings of one page, as Python-Markdown's toc gives them."""
    import markdown

    md = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS)
    md.convert(text)
    anchors: set[str] = set()
    stack = list(md.toc_tokens)  # type: ignore[attr-defined]
    while stack:
        token = stack.pop()
        anchors.add(token["id"])
        stack.extend(token["children"])
    return anchors


class _Site:
    """The pages of the site and their anchors: the generated pages' names are
    all known, their text is rendered only when a link's anchor points into
    one (*rendered* may be ``render.LazyPages``); hand-written pages by path."""

    def __init__(self, rendered: Mapping[str, tuple[str, str | None]], handwritten: dict[str, str],
                 images: set[str]) -> None:
        self.rendered = rendered
        self.handwritten = handwritten
        self.images = images
        self._anchors: dict[str, set[str]] = {}

    def __contains__(self, page: str) -> bool:
        return page in self.handwritten or page in self.rendered

    def paths(self) -> set[str]:
        return {*self.rendered, *self.handwritten}

    def anchors(self, page: str) -> set[str]:
        if page not in self._anchors:
            text = self.handwritten[page] if page in self.handwritten else self.rendered[page][0]
            self._anchors[page] = page_anchors(text)
        return self._anchors[page]


def check_links(corpus: Corpus, *, today: dt.date | None = None, history: History | None = None,
                rendered: Mapping[str, tuple[str, str | None]] | None = None) -> list[RecordError]:
    """Broken internal links of guides and hand-written pages.

    Needs a corpus without errors (the pages are planned to know them): with
    other errors, nothing is reported here and the check runs once they are
    fixed. A build passes the pages it rendered (*rendered*): they are
    rendered once, and only those that changed since the last build. Alone
    (`reperes check`), the renderer's plan gives every page's name and only
    the pages a link's anchor points into are rendered.
    """
    if corpus.errors:
        return []
    if rendered is None:
        rendered = LazyPages(Renderer().plan(corpus, today or corpus.today, None, history))
    abbreviations = abbreviations_block(corpus)
    handwritten: dict[str, str] = {}
    errors: list[RecordError] = []
    generated_folders = {path.split("/", 1)[0] for path in rendered if "/" in path}
    for relative, page in sorted(corpus.pages.items()):
        folder = relative.split("/", 1)[0]
        if folder in generated_folders and not relative.startswith(POSTS_FOLDER + "/"):  # briefings: beside their index
            errors.append(RecordError(page.path, 1, 1, FILE_FIELD,
                                      f"dossier docs/{folder}/ réservé aux pages produites depuis les fiches",
                                      "placez les pages écrites à la main dans un autre dossier, par exemple docs/contribuer/"))
            continue
        handwritten[relative] = page.text.rstrip("\n") + "\n" + abbreviations
    errors.extend(_check_addresses([corpus.pages[r] for r in sorted(handwritten) if r not in rendered], rendered))
    site = _Site(rendered, handwritten, corpus.images)
    sources = [(f"guides/{r.id}.md", r.path, r.body, r.body_line) for r in corpus.of_kind("guide").values()]
    sources += [(relative, page.path, page.text, 1) for relative, page in corpus.pages.items() if relative in handwritten]
    for page, shown, text, first_line in sorted(sources):
        errors.extend(_check_page(site, page, shown, text, first_line))
    return errors


def page_address(relative: str) -> str:
    """The address MkDocs gives a page (use_directory_urls): "a/b.md" and
    "a/b/index.md" are both "/a/b/"."""
    folder, name = posixpath.split(relative)
    stem = posixpath.splitext(name)[0]
    parts = [part for part in (folder, "" if stem == "index" else stem) if part]
    return "/" + "".join(f"{part}/" for part in parts)


def _check_addresses(handwritten: list[Page], rendered: Mapping[str, object]) -> list[RecordError]:
    """Two pages with one address: MkDocs would keep one and drop the other."""
    taken = {page_address(path): f"la page produite « {path} »" for path in rendered}
    errors = []
    for page in handwritten:
        address = page_address(page.relative)
        if address in taken:
            errors.append(RecordError(page.path, 1, 1, FILE_FIELD,
                                      f"adresse « {address} » déjà prise par {taken[address]}",
                                      "deux pages ne peuvent pas avoir la même adresse : renommez ou déplacez ce fichier"))
        else:
            taken[address] = page.path
    return errors


def _check_page(site: _Site, page: str, shown: str, text: str, first_line: int) -> list[RecordError]:
    scan = Scan(text)
    errors = []
    for link in scan.links(in_code=False):
        problem = _link_problem(site, page, link.target, link.image)
        if problem:
            line, column = scan.position(link.offset)
            message, hint = problem
            errors.append(RecordError(shown, first_line + line, column + 1, BODY_FIELD, message, hint))
    return errors


def _link_problem(site: _Site, page: str, target: str, image: bool) -> tuple[str, str | None] | None:
    if link_problem(target) is not None or ":" in target.split("/")[0] or target.startswith("//"):
        return None  # another scheme: refused (or allowed) by the body check
    path, _, anchor = target.partition("#")
    folder = posixpath.dirname(page)
    resolved = posixpath.normpath(posixpath.join(folder, unquote(path))) if path else page
    if resolved == ".." or resolved.startswith("../"):
        return f"lien « {target} » hors du site", "un lien mène à une autre page du site, par exemple ../dispositifs/aej.md"
    if image or is_image_path(path):
        if resolved in site.images:
            return None
        choices = [posixpath.relpath(p, folder or ".") for p in sorted(site.images)]
        return f"image « {path} » introuvable", did_you_mean(path, choices) or "placez l'image sous docs/, à côté de la page"
    if resolved not in site:
        # File names of the target's folder are compared (a shared
        # "../dispositifs/" would make any two paths look alike).
        near = {posixpath.basename(p): p for p in sorted(site.paths())
                if p.endswith(".md") and posixpath.dirname(p) == posixpath.dirname(resolved)}
        close = difflib.get_close_matches(posixpath.basename(resolved), list(near), n=1, cutoff=0.6)
        hint = f"vouliez-vous dire « {posixpath.relpath(near[close[0]], folder or '.')} » ?" if close else None
        if hint is None and not path.endswith(".md"):
            hint = "un lien interne mène à un fichier .md, par exemple ../dispositifs/aej.md"
        return f"lien vers « {path} » : cette page n'existe pas", hint
    if anchor:
        anchors = site.anchors(resolved)
        if unquote(anchor) not in anchors:
            where = "cette page" if resolved == page else f"« {path} »"
            return f"ancre « #{anchor} » introuvable dans {where}", did_you_mean(anchor, sorted(anchors))
    return None
