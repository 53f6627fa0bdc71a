"""Records -> plain Markdown pages, through the Jinja templates of the package.

Data flows one way: the corpus is loaded and checked, this module computes
what each page shows (templates get data, not logic), renders it with
``StrictUndefined`` and writes only the pages whose text changed, so that
`mkdocs serve` reloads just what an edit touched.

Record text is escaped for Markdown: it may carry lists, emphasis and (safe,
already checked) links, but never HTML, headings or other structure.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from ..fr import date_fr, plural
from ..history.changelog import Change, History
from ..history.git import plain_text
from ..project import GENERATED_DIR, Project
from ..records.corpus import Corpus, Page, Record
from ..records.freshness import overdue_records, review_state
from ..records.kinds import KINDS, owner_of
from ..records.models import ACTEURS, Domaine, Etat, EtatAnomalie, url_problem
from ..records.references import references, reverse_index
from ..records.status import in_force, periods_in_force, upcoming_amounts
from ..scratch import write_atomically
from .markdown import abbreviation_line, code_block, md_block, md_cell, md_inline, md_url, yaml_string

SOURCE_MANIFEST = ".sources"  # page -> record file, for "Modifier cette page"




def indent(text: str, width: int = 4) -> str:
    return "\n".join((" " * width + line) if line.strip() else "" for line in text.splitlines())


# --- what each page shows -------------------------------------------------------


@dataclass
class Site:
    corpus: Corpus
    today: dt.date
    edit_template: str | None = None  # "https://forge/…/edit/main/{chemin}"
    history: History | None = None

    def __post_init__(self) -> None:
        self.abbr_block = abbreviations_block(self.corpus)
        self._index: dict[str, Any] | None = None

    @property
    def index(self) -> dict[str, Any]:
        """Reverse references, computed once: who mentions a partner, a tool, a site.

        "backlinks" is the reverse index itself, by (kind, id); the other keys
        are the views the pages read, by id.
        """
        if self._index is None:
            backlinks = reverse_index(self.corpus)
            index: dict[str, Any] = {"steps": {}, "fixes": {}, "redirects": {}, "tools": {}, "owned": {},
                                     "guides": {}, "backlinks": backlinks}
            for (kind, ident), found in backlinks.items():
                for record, ref in found:
                    if record.kind == "guide":
                        index["guides"].setdefault(ident, []).append(record)
                    elif record.kind != "dispositif":
                        continue
                    elif ref.role == "étape" and kind == "outil":
                        index["tools"].setdefault(ident, []).append(record)
                    elif ref.role == "étape":
                        index["steps"].setdefault(ident, []).append((record, ref.path[1] + 1, ref.holder))
                    elif ref.role == "anomalie" and ref.holder.etat is EtatAnomalie.ouverte:
                        index["fixes"].setdefault(ident, []).append((record, ref.holder))
                    elif ref.role == "redirection" and kind == "partenaire":
                        index["redirects"].setdefault(ident, []).append((record, ref.holder))
                    elif ref.role == "propriétaire":
                        index["owned"].setdefault(ident, []).append(record)
            self._index = index
        return self._index

    def edit_url(self, source: str | None) -> str | None:
        if not self.edit_template or not source:
            return None
        # The path is one segment of the address: "#", "?" or spaces in a file name stay in it.
        return self.edit_template.replace("{chemin}", quote(Path(source).as_posix(), safe="/"))

    def partner_label(self, ident: str) -> str:
        if ident in ACTEURS:
            return ACTEURS[ident]
        record = self.corpus.of_kind("partenaire")[ident].model
        return record.sigle or record.nom


def change_entries(changes: list[Change], site: Site, link_prefix: str = "../") -> list[dict[str, Any]]:
    entries = []
    for change in changes:
        record = site.corpus.of_kind(change.kind).get(change.record_id)
        entries.append({
            "c": change,
            "when": change.when,
            "reason": change.reason,
            "link": _record_link(change.kind, change.record_id, record, link_prefix),
        })
    return entries


def record_name(model: Any) -> str:
    """What a record is called on the site: its name, or a guide's title."""
    return getattr(model, "nom", None) or getattr(model, "titre", None) or ""


def link(kind: str, ident: str, label: str, prefix: str = "", anchor: str = "") -> str:
    """A Markdown link to a record's page; *prefix* leads from the current page
    to the site's root ("../" from a page in a folder)."""
    return f"[{md_inline(label)}]({prefix}{KINDS[kind].page(ident)}{anchor})"


def _record_link(kind: str, ident: str, record: Record | None, prefix: str) -> str:
    if record is None:
        return f"« {md_inline(ident)} » (fiche supprimée)"
    if kind == "glossaire":
        return f"[Glossaire]({prefix}glossaire.md)"
    return link(kind, ident, record_name(record.model) or ident, prefix)


def scheme_context(record: Record, site: Site) -> dict[str, Any]:
    scheme = record.model
    tools = site.corpus.of_kind("outil")
    sites = site.corpus.of_kind("site")

    def actor(ident: str | None) -> str:
        if ident is None:
            return ""
        if ident in ACTEURS:
            return ACTEURS[ident]
        return link("partenaire", ident, site.partner_label(ident), "../")

    def tool(ident: str | None) -> str:
        if ident is None:
            return ""
        model = tools[ident].model
        return link("outil", ident, model.sigle or model.nom, "../")

    review = review_state(scheme, site.today)
    anomalies = sorted(scheme.anomalies, key=lambda a: (a.etat is EtatAnomalie.resolue, -a.depuis.toordinal()))
    owner = sites[scheme.site_referent].model
    force = in_force(scheme, site.today)
    history = site.history
    return {
        "force": force,
        "today": site.today,
        "periods": periods_in_force(scheme.montants, site.today),
        "upcoming_amounts": upcoming_amounts(scheme.montants, site.today),
        "history_available": history is not None and history.available,
        "history_partial": history is not None and history.partial,
        "changes": change_entries(history.for_record("dispositif", scheme.id), site) if history else [],
        "s": scheme,
        "circuit": [
            {"step": step, "actor": actor(step.responsable), "tool": tool(step.outil)} for step in scheme.circuit
        ],
        "anomalies": [{"a": a, "responsable": actor(a.responsable)} for a in anomalies],
        "redirects": [
            {
                "r": r,
                "partner": actor(r.partenaire),
                "scheme": f"[{md_inline(site.corpus.of_kind('dispositif')[r.dispositif].model.nom)}]({r.dispositif}.md)"
                if r.dispositif else "",
            }
            for r in (scheme.orientation.a_rediriger if scheme.orientation else [])
        ],
        "owner": link("site", scheme.site_referent, owner.nom, "../"),
        "review_due": review.due,
        "review_overdue": review.overdue,
        "related": [
            f"[{md_inline(site.corpus.of_kind('dispositif')[ident].model.nom)}]({ident}.md)"
            for ident in scheme.dispositifs_lies
        ],
        "guides": guides_about(site, "dispositifs", scheme.id, "../"),
        "edit_url": site.edit_url(record.path),
        "abbreviations": site.abbr_block,
    }


def guides_about(site: Site, field_name: str, ident: str, prefix: str) -> list[str]:
    return [
        link("guide", record.id, record.model.titre, prefix)
        for record in sorted(site.index["guides"].get(ident, []), key=lambda r: r.model.titre)
        if ident in getattr(record.model, field_name)
    ]


def guide_context(record: Record, site: Site) -> dict[str, Any]:
    guide = record.model
    sites = site.corpus.of_kind("site")
    review = review_state(guide, site.today)

    def links(kind: str, folder: str, idents: list[str]) -> list[str]:
        records = site.corpus.of_kind(kind)
        out = []
        for ident in idents:
            model = records[ident].model
            label = getattr(model, "sigle", None) or model.nom
            out.append(f"[{md_inline(label)}](../{folder}/{ident}.md)")
        return out

    return {
        "g": guide,
        "body": record.body.strip("\n"),
        "owner": link("site", guide.proprietaire, sites[guide.proprietaire].model.nom, "../"),
        "review_due": review.due,
        "review_overdue": review.overdue,
        "schemes": links("dispositif", "dispositifs", guide.dispositifs),
        "tools": links("outil", "outils", guide.outils),
        "partners": links("partenaire", "partenaires", guide.partenaires),
        "edit_url": site.edit_url(record.path),
        "abbreviations": site.abbr_block,
    }


def guides_index_context(site: Site) -> dict[str, Any]:
    guides = sorted(site.corpus.of_kind("guide").values(), key=lambda r: r.model.titre)
    return {
        "guides": [{"g": r.model, "link": f"{r.id}.md"} for r in guides],
        "abbreviations": site.abbr_block,
    }


def review_context(site: Site) -> dict[str, Any]:
    """Records and guides past their review date, grouped by referent site."""
    by_site: dict[str, list[dict[str, Any]]] = {}
    for record, kind, review in overdue_records(site.corpus, site.today):
        model = record.model
        by_site.setdefault(owner_of(kind.name, model), []).append({
            "link": link(kind.name, record.id, record_name(model)), "kind": kind.label,
            "revu_le": model.revu_le, "due": review.due, "late": review.days_late,
            "edit_url": site.edit_url(record.path),
        })
    sites = site.corpus.of_kind("site")
    groups = [
        {
            "site": link("site", ident, sites[ident].model.nom),
            "entries": sorted(items, key=lambda item: -item["late"]),
        }
        for ident, items in sorted(by_site.items(), key=lambda kv: sites[kv[0]].model.nom)
    ]
    return {"groups": groups, "today": site.today, "total": sum(len(g["entries"]) for g in groups),
            "abbreviations": site.abbr_block}


def tags_context(site: Site) -> dict[str, Any]:
    tags: dict[str, list[str]] = {}
    for record in site.corpus.of_kind("dispositif").values():
        for tag in record.model.etiquettes:
            tags.setdefault(tag, []).append(link("dispositif", record.id, record.model.nom))
    for record in site.corpus.of_kind("guide").values():
        for tag in record.model.etiquettes:
            tags.setdefault(tag, []).append(link("guide", record.id, record.model.titre) + " (guide)")
    return {"tags": [(tag, sorted(links)) for tag, links in sorted(tags.items())],
            "abbreviations": site.abbr_block}


def partner_context(record: Record, site: Site) -> dict[str, Any]:
    """Responsibilities are derived from the circuits: never typed twice."""
    ident = record.id

    def scheme(scheme_record: Record) -> str:
        return link("dispositif", scheme_record.id, scheme_record.model.nom, "../")

    return {
        "edit_url": site.edit_url(record.path),
        "guides": guides_about(site, "partenaires", ident, "../"),
        "p": record.model,
        "steps": [{"scheme": scheme(r), "number": n, "step": step} for r, n, step in site.index["steps"].get(ident, [])],
        "fixes": [{"scheme": scheme(r), "a": issue} for r, issue in site.index["fixes"].get(ident, [])],
        "redirects": [{"scheme": scheme(r), "r": redirect} for r, redirect in site.index["redirects"].get(ident, [])],
        "abbreviations": site.abbr_block,
    }


def tool_context(record: Record, site: Site) -> dict[str, Any]:
    ident = record.id
    used_by = [
        link("dispositif", r.id, r.model.nom, "../")
        for r in dict.fromkeys(site.index["tools"].get(ident, []))
    ]
    tool = record.model
    return {
        "edit_url": site.edit_url(record.path),
        "guides": guides_about(site, "outils", ident, "../"),
        "o": tool,
        "used_by": used_by,
        "anomalies": [{"a": a, "responsable": (link("partenaire", a.responsable, site.partner_label(a.responsable), "../") if a.responsable else "")}
                      for a in sorted(tool.anomalies, key=lambda a: a.etat is EtatAnomalie.resolue)],
        "abbreviations": site.abbr_block,
    }


def _review_columns(model: Any, today: dt.date) -> dict[str, Any]:
    """A row of a referent site's table of what it reviews."""
    review = review_state(model, today)
    return {"revu_le": model.revu_le, "due": review.due, "overdue": review.overdue}


def site_context(record: Record, site: Site) -> dict[str, Any]:
    owned = [scheme_record.model for scheme_record in site.index["owned"].get(record.id, [])]
    guides = [
        {"link": link("guide", r.id, r.model.titre, "../"), **_review_columns(r.model, site.today)}
        for r in sorted(site.corpus.of_kind("guide").values(), key=lambda r: r.model.titre)
        if r.model.proprietaire == record.id
    ]
    return {
        "edit_url": site.edit_url(record.path),
        "owned_guides": guides,
        "site": record.model,
        "owned": [
            {
                "link": link("dispositif", s.id, s.nom, "../"),
                **_review_columns(s, site.today),
            }
            for s in sorted(owned, key=lambda s: s.nom)
        ],
        "abbreviations": site.abbr_block,
    }


def home_context(site: Site) -> dict[str, Any]:
    groups = []
    schemes = [r.model for r in site.corpus.of_kind("dispositif").values()]
    for domaine in Domaine:
        members = sorted((s for s in schemes if s.domaine is domaine), key=lambda s: (in_force(s, site.today).etat is Etat.ferme, s.nom))
        if members:
            groups.append({"domaine": domaine, "schemes": [
                {"s": s, "link": f"dispositifs/{s.id}.md", "force": in_force(s, site.today),
                 "amounts": upcoming_amounts(s.montants, site.today)} for s in members
            ]})
    return {
        "overdue": len(overdue_records(site.corpus, site.today)),
        "guides": [
            link("guide", r.id, r.model.titre)
            for r in sorted(site.corpus.of_kind("guide").values(), key=lambda r: r.model.titre)
        ],
        "groups": groups,
        "today": site.today,
        "counts": {etat: sum(1 for s in schemes if in_force(s, site.today).etat is etat) for etat in Etat},
        "recent": change_entries(site.history.changes[:5], site, "") if site.history else [],
        "abbreviations": site.abbr_block,
    }


def _owner(change: Change, site: Site) -> str | None:
    record = site.corpus.of_kind(change.kind).get(change.record_id)
    if record is None:
        return None
    return owner_of(change.kind, record.model)


def journal_context(site: Site, owner: str | None = None) -> dict[str, Any]:
    """Changes newest first, grouped by week (Monday, Europe/Paris)."""
    history = site.history
    changes = [c for c in (history.changes if history else []) if owner is None or _owner(c, site) == owner]
    prefix = "../"  # every journal page lives in journal/
    weeks: list[dict[str, Any]] = []
    for entry in change_entries(changes, site, prefix):
        monday = entry["when"].date() - dt.timedelta(days=entry["when"].weekday())
        if not weeks or weeks[-1]["monday"] != monday:
            weeks.append({"monday": monday, "entries": []})
        weeks[-1]["entries"].append(entry)
    sites = site.corpus.of_kind("site")
    owners = sorted({o for o in (_owner(c, site) for c in (history.changes if history else [])) if o in sites})
    return {
        "weeks": weeks,
        "owner": sites[owner].model if owner else None,
        "site_filters": [(f"[{md_inline(sites[o].model.nom)}]({o}.md)", o == owner)
                         for o in owners],
        "scheme_filters": [
            link("dispositif", r.id, r.model.sigle or r.model.nom, "../", "#historique-des-modifications")
            for r in sorted(site.corpus.of_kind("dispositif").values(), key=lambda r: r.model.nom)
            if history and history.for_record("dispositif", r.id)
        ],
        "available": history is not None and history.available,
        "partial": history is not None and history.partial,
        "abbreviations": site.abbr_block,
    }


def atom_feed(site: Site, limit: int = 50) -> str:
    """An Atom feed of the latest changes (links relative to the site root)."""
    from xml.sax.saxutils import escape, quoteattr

    history = site.history
    changes = history.changes[:limit] if history else []
    updated = changes[0].when.isoformat() if changes else f"{site.today.isoformat()}T00:00:00+00:00"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">',
        "  <title>Repères : journal des modifications</title>",
        "  <id>urn:reperes:journal</id>",
        f"  <updated>{updated}</updated>",
        '  <link rel="alternate" href="journal/"/>',
    ]
    for change in changes:
        record = site.corpus.of_kind(change.kind).get(change.record_id)
        name = record_name(record.model) if record else None
        title = f"{name or change.record_id} : {change.sentences[0]}"
        href = "glossaire/" if change.kind == "glossaire" else f"{KINDS[change.kind].pages}/{change.record_id}/"
        summary = "\n".join(f"- {sentence}" for sentence in change.sentences)
        summary += f"\nPourquoi : {change.reason or 'raison non renseignée'}"
        lines += [
            "  <entry>",
            f"    <title>{escape(title)}</title>",
            f"    <id>urn:reperes:{change.commit}:{change.kind}:{escape(change.record_id)}</id>",
            f"    <updated>{change.when.isoformat()}</updated>",
            f"    <author><name>{escape(change.author)}</name></author>",
            f"    <link rel=\"alternate\" href={quoteattr(href)}/>",
            f"    <summary type=\"text\">{escape(summary)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    # Only XML 1.0 characters, whatever a commit or a record carries: git text
    # is cleaned when read, this keeps the whole feed well-formed by construction.
    return plain_text("\n".join(lines)) + "\n"


def glossary_context(site: Site) -> dict[str, Any]:
    glossary = site.corpus.glossary
    terms = sorted(glossary.model.termes, key=lambda t: t.sigle.casefold()) if glossary else []
    return {"terms": terms, "edit_url": site.edit_url(glossary.path if glossary else None),
            "abbreviations": site.abbr_block}


def abbreviations_block(corpus: Corpus) -> str:
    """Markdown abbreviation definitions: every acronym shows its expansion."""
    glossary = corpus.glossary
    if glossary is None:
        return ""
    lines = [abbreviation_line(term.sigle, term.developpement) for term in glossary.model.termes]
    lines = [line for line in lines if line]
    return "\n\n" + "\n".join(lines) + "\n"


# --- rendering and writing ------------------------------------------------------


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator.site", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown output: every record value goes through md_* filters
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(inline=md_inline, block=md_block, cell=md_cell, url=md_url, yaml=yaml_string,
                       code=code_block, date=date_fr, indent4=indent, nombre=plural)
    env.globals.update(Etat=Etat, EtatAnomalie=EtatAnomalie)
    return env


# Pages whose content depends on every record: always rendered (there are few).
_SUMMARY_PAGES = [
    ("index.md", "home.md.jinja", home_context),
    ("glossaire.md", "glossary.md.jinja", glossary_context),
    ("a-revoir.md", "review.md.jinja", review_context),
    ("etiquettes.md", "tags.md.jinja", tags_context),
]

_RECORD_PAGES = [
    ("guide", "guide.md.jinja", guide_context),
    ("dispositif", "scheme.md.jinja", scheme_context),
    ("partenaire", "partner.md.jinja", partner_context),
    ("outil", "tool.md.jinja", tool_context),
    ("site", "site.md.jinja", site_context),
]


def page_dependencies(kind: str, record: Record, site: Site) -> frozenset[Record]:
    """Every record whose content shows on this record's page: those it names
    and those that name it."""
    deps = {record for record, _ in site.index["backlinks"].get((kind, record.id), ())}
    for ref in references(kind, record):
        target = site.corpus.of_kind(ref.kind).get(ref.target) if ref.kind in KINDS else None  # actors: no record
        if target is not None:
            deps.add(target)
    return frozenset(deps)


class Renderer:
    """Renders pages, re-rendering only those whose records changed.

    Records loaded through a ``LoadCache`` stay the same objects while their
    file is unchanged, so a page whose records are all the same objects as
    last time keeps its text. Kept alive by `mkdocs serve` between edits.
    """

    def __init__(self) -> None:
        self.env = environment()
        self._pages: dict[str, tuple[Any, str]] = {}
        self.rendered = 0  # pages actually rendered by the last call

    def render(
        self, corpus: Corpus, today: dt.date, edit_template: str | None = None, history: History | None = None
    ) -> dict[str, tuple[str, str | None]]:
        """Page path (relative to the generated folder) -> (Markdown, source file)."""
        site = Site(corpus, today, edit_template, history)
        everywhere = (today, edit_template, corpus.glossary,
                      (history.head, history.partial, history.available) if history else None)
        pages: dict[str, tuple[str, str | None]] = {}
        cache: dict[str, tuple[Any, str]] = {}
        self.rendered = 0
        for path, template_name, context in _SUMMARY_PAGES:
            source = corpus.glossary.path if (path == "glossaire.md" and corpus.glossary) else None
            pages[path] = (self.env.get_template(template_name).render(**context(site)), source)
            self.rendered += 1
        journal = self.env.get_template("journal.md.jinja")
        pages["journal/index.md"] = (journal.render(**journal_context(site)), None)
        for owner in corpus.of_kind("site"):
            pages[f"journal/{owner}.md"] = (journal.render(**journal_context(site, owner)), None)
        pages["journal.xml"] = (atom_feed(site), None)
        self.rendered += 1 + len(corpus.of_kind("site"))
        if corpus.of_kind("guide"):
            pages["guides/index.md"] = (
                self.env.get_template("guides.md.jinja").render(**guides_index_context(site)), None
            )
            self.rendered += 1
        for kind, template_name, context in _RECORD_PAGES:
            template = self.env.get_template(template_name)
            for ident, record in sorted(corpus.of_kind(kind).items()):
                path = KINDS[kind].page(ident)
                key = (everywhere, record, page_dependencies(kind, record, site))
                previous = self._pages.get(path)
                if previous is not None and previous[0] == key:
                    text = previous[1]
                else:
                    text = template.render(**context(record, site))
                    self.rendered += 1
                cache[path] = (key, text)
                pages[path] = (text, record.path)
        self._pages = cache
        return pages


def copy_handwritten(pages: dict[str, Page], abbreviations: str = "") -> dict[str, tuple[str, str | None]]:
    """Hand-written pages, as the check read them (corpus.pages: regular files
    only, never through a symbolic link, so nothing outside the repository,
    such as ``env.md -> /proc/self/environ``, reaches the site), with the
    glossary's abbreviations appended."""
    return {
        relative: (page.text.rstrip("\n") + "\n" + abbreviations, f"docs/{relative}")
        for relative, page in sorted(pages.items())
    }


def copy_images(images: set[str], docs: Path, out: Path) -> None:
    """Images of guides and pages (corpus.images, paths under docs/), copied as
    the check read them: regular files, never through a symbolic link."""
    from ..records.corpus import read_source

    for relative in sorted(images):
        raw, _ = read_source(docs / relative)
        target = out / relative
        if target.is_file() and not target.is_symlink() and target.read_bytes() == raw:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(raw)
        os.replace(tmp, target)


def write_pages(
    pages: dict[str, tuple[str, str | None]], out: Path, written_before: dict[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """Write changed pages atomically; remove pages that no longer exist.

    *written_before* remembers what this process last wrote, to avoid reading
    every page back; it is updated. Returns (written, removed) page paths.
    """
    memory = written_before if written_before is not None else {}
    out.mkdir(parents=True, exist_ok=True)
    written, removed = [], []
    manifest_lines = []
    for relative, (text, source) in sorted(pages.items()):
        target = out / relative
        if source:
            manifest_lines.append(f"{relative}\t{source}")
        if memory.get(relative) == text and target.exists():
            continue
        if relative not in memory and target.exists() and target.read_text(encoding="utf-8") == text:
            memory[relative] = text
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, text)  # unique temporary name: concurrent builds never collide
        memory[relative] = text
        written.append(relative)
    for path in sorted([*out.rglob("*.md"), *out.rglob("*.xml")]):
        relative = path.relative_to(out).as_posix()
        if relative not in pages:
            path.unlink(missing_ok=True)  # a concurrent build may have removed it first
            memory.pop(relative, None)
            removed.append(relative)
    if removed:
        for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
            try:
                if not any(folder.iterdir()):
                    folder.rmdir()
            except OSError:  # removed, or written into, by a concurrent build
                pass
    manifest = "\n".join(manifest_lines) + "\n"
    manifest_path = out / SOURCE_MANIFEST
    if memory.get(SOURCE_MANIFEST) != manifest:
        if not manifest_path.exists() or manifest_path.read_text(encoding="utf-8") != manifest:
            write_atomically(manifest_path, manifest)
        memory[SOURCE_MANIFEST] = manifest
    return written, removed


def checked_edit_template(project: Project) -> str | None:
    """extra.reperes.modifier, checked like a record's address (templates print
    it through the url filter); None when absent or not a plain https address."""
    value = project.edit_template
    if value is None or url_problem(value.replace("{chemin}", "chemin")) is not None:
        return None
    return value


@dataclass
class Generator:
    """What survives between two generations in one process (mkdocs serve)."""

    renderer: Renderer
    written: dict[str, str]

    @classmethod
    def new(cls) -> Generator:
        return cls(Renderer(), {})


def generate(
    corpus: Corpus,
    project: Path,
    today: dt.date | None = None,
    state: Generator | None = None,
    history: History | None = None,
) -> tuple[list[str], list[str]]:
    """Render every page and write those that changed into docs/genere/."""
    state = state or Generator.new()
    settings = Project(project, today)
    pages = state.renderer.render(corpus, settings.build_date(), checked_edit_template(settings), history)
    pages.update(copy_handwritten(corpus.pages, abbreviations_block(corpus)))
    copy_images(corpus.images, project / "docs", project / GENERATED_DIR)
    return write_pages(pages, project / GENERATED_DIR, state.written)
