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
import html
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .corpus import Corpus, Record
from .models import ACTEURS, Domaine, Etat, EtatAnomalie

GENERATED_DIR = Path("docs") / "genere"
HANDWRITTEN_DIRS = ("contribuer",)
SOURCE_MANIFEST = ".sources"  # page -> record file, for "Modifier cette page"

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]

ETAT_SYMBOLS = {
    Etat.annonce: "⚪",
    Etat.en_deploiement: "🔵",
    Etat.ouvert: "🟢",
    Etat.perturbe: "🟠",
    Etat.paiements_bloques: "🔴",
    Etat.ferme: "⚫",
}


# --- Markdown escaping ----------------------------------------------------------

_BLOCK_START = re.compile(r"^(\s{0,3})(#|>|=+\s*$|-{2,}\s*$|_{3,}\s*$|\*{3,}\s*$|\||```|~~~|\[\^?[^\]]*\]:)")
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|#~^!])")


def md_inline(value: Any) -> str:
    """Text on one line with no Markdown meaning at all (titles, names in links)."""
    text = html.escape(" ".join(str(value).split()), quote=False)
    return _INLINE_SPECIAL.sub(r"\\\1", text).replace("{", "&#123;")


def md_block(value: Any) -> str:
    """Multi-line record text: lists, emphasis and links kept; no HTML, headings,
    quotes, tables, rules, fences or attribute lists."""
    text = html.escape(str(value).strip(), quote=False).replace("{", "&#123;")
    lines = []
    for line in text.splitlines():
        match = _BLOCK_START.match(line)
        if match:
            line = line[: match.end(1)] + "\\" + line[match.end(1):]
        lines.append(line)
    return "\n".join(lines)


def md_cell(value: Any) -> str:
    """Record text inside a table cell: one line, pipes escaped, links kept."""
    return " ".join(md_block(value).split()).replace("|", "\\|")


def date_fr(value: dt.date | None) -> str:
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def indent(text: str, width: int = 4) -> str:
    return "\n".join((" " * width + line) if line.strip() else "" for line in text.splitlines())


# --- what each page shows -------------------------------------------------------


@dataclass
class Site:
    corpus: Corpus
    today: dt.date

    def link(self, kind: str, ident: str, from_folder: str) -> str:
        folder = {"dispositif": "dispositifs", "partenaire": "partenaires", "outil": "outils", "site": "sites"}[kind]
        prefix = "" if from_folder == "" else "../"
        return f"{prefix}{folder}/{ident}.md"

    def partner_label(self, ident: str) -> str:
        if ident in ACTEURS:
            return ACTEURS[ident]
        record = self.corpus.of_kind("partenaire")[ident].model
        return record.sigle or record.nom


def review_due(revu_le: dt.date, days: int) -> dt.date:
    return revu_le + dt.timedelta(days=days)


def scheme_context(record: Record, site: Site) -> dict[str, Any]:
    scheme = record.model
    partners = site.corpus.of_kind("partenaire")
    tools = site.corpus.of_kind("outil")
    sites = site.corpus.of_kind("site")

    def actor(ident: str | None) -> str:
        if ident is None:
            return ""
        if ident in ACTEURS:
            return ACTEURS[ident]
        return f"[{md_inline(site.partner_label(ident))}](../partenaires/{ident}.md)"

    def tool(ident: str | None) -> str:
        if ident is None:
            return ""
        model = tools[ident].model
        return f"[{md_inline(model.sigle or model.nom)}](../outils/{ident}.md)"

    due = review_due(scheme.revu_le, scheme.intervalle_revue_jours)
    anomalies = sorted(scheme.anomalies, key=lambda a: (a.etat is EtatAnomalie.resolue, -a.depuis.toordinal()))
    owner = sites[scheme.site_referent].model
    return {
        "s": scheme,
        "etat_symbol": ETAT_SYMBOLS[scheme.statut.etat],
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
        "owner": f"[{md_inline(owner.nom)}](../sites/{scheme.site_referent}.md)",
        "review_due": due,
        "review_overdue": due < site.today,
        "related": [
            f"[{md_inline(site.corpus.of_kind('dispositif')[ident].model.nom)}]({ident}.md)"
            for ident in scheme.dispositifs_lies
        ],
        "abbreviations": abbreviations(site.corpus),
    }


def partner_context(record: Record, site: Site) -> dict[str, Any]:
    """Responsibilities are derived from the circuits: never typed twice."""
    ident = record.id
    steps, fixes, redirects = [], [], []
    for scheme_record in site.corpus.of_kind("dispositif").values():
        scheme = scheme_record.model
        link = f"[{md_inline(scheme.nom)}](../dispositifs/{scheme.id}.md)"
        for number, step in enumerate(scheme.circuit, start=1):
            if step.responsable == ident:
                steps.append({"scheme": link, "number": number, "step": step})
        for issue in scheme.anomalies:
            if issue.responsable == ident and issue.etat is EtatAnomalie.ouverte:
                fixes.append({"scheme": link, "a": issue})
        if scheme.orientation:
            for redirect in scheme.orientation.a_rediriger:
                if redirect.partenaire == ident:
                    redirects.append({"scheme": link, "r": redirect})
    return {
        "p": record.model,
        "steps": steps,
        "fixes": fixes,
        "redirects": redirects,
        "abbreviations": abbreviations(site.corpus),
    }


def tool_context(record: Record, site: Site) -> dict[str, Any]:
    ident = record.id
    used_by = []
    for scheme_record in site.corpus.of_kind("dispositif").values():
        scheme = scheme_record.model
        if any(step.outil == ident for step in scheme.circuit):
            used_by.append(f"[{md_inline(scheme.nom)}](../dispositifs/{scheme.id}.md)")
    tool = record.model
    return {
        "o": tool,
        "used_by": used_by,
        "anomalies": [{"a": a, "responsable": (f"[{md_inline(site.partner_label(a.responsable))}](../partenaires/{a.responsable}.md)" if a.responsable else "")}
                      for a in sorted(tool.anomalies, key=lambda a: a.etat is EtatAnomalie.resolue)],
        "abbreviations": abbreviations(site.corpus),
    }


def site_context(record: Record, site: Site) -> dict[str, Any]:
    owned = [
        scheme_record.model for scheme_record in site.corpus.of_kind("dispositif").values()
        if scheme_record.model.site_referent == record.id
    ]
    return {
        "site": record.model,
        "owned": [
            {
                "link": f"[{md_inline(s.nom)}](../dispositifs/{s.id}.md)",
                "revu_le": s.revu_le,
                "due": review_due(s.revu_le, s.intervalle_revue_jours),
                "overdue": review_due(s.revu_le, s.intervalle_revue_jours) < site.today,
            }
            for s in sorted(owned, key=lambda s: s.nom)
        ],
        "abbreviations": abbreviations(site.corpus),
    }


def home_context(site: Site) -> dict[str, Any]:
    groups = []
    schemes = [r.model for r in site.corpus.of_kind("dispositif").values()]
    for domaine in Domaine:
        members = sorted((s for s in schemes if s.domaine is domaine), key=lambda s: (s.statut.etat is Etat.ferme, s.nom))
        if members:
            groups.append({"domaine": domaine, "schemes": [
                {"s": s, "symbol": ETAT_SYMBOLS[s.statut.etat], "link": f"dispositifs/{s.id}.md"} for s in members
            ]})
    return {
        "groups": groups,
        "today": site.today,
        "counts": {etat: sum(1 for s in schemes if s.statut.etat is etat) for etat in Etat},
        "symbols": ETAT_SYMBOLS,
        "abbreviations": abbreviations(site.corpus),
    }


def glossary_context(site: Site) -> dict[str, Any]:
    glossary = site.corpus.glossary
    terms = sorted(glossary.model.termes, key=lambda t: t.sigle.casefold()) if glossary else []
    return {"terms": terms, "abbreviations": abbreviations(site.corpus)}


def abbreviations(corpus: Corpus) -> list[tuple[str, str]]:
    """Markdown abbreviation definitions: every acronym shows its expansion."""
    glossary = corpus.glossary
    if glossary is None:
        return []
    out = []
    for term in glossary.model.termes:
        sigle = term.sigle.replace("]", "")
        out.append((sigle, " ".join(term.developpement.split())))
    return out


# --- rendering and writing ------------------------------------------------------


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown output: every record value goes through md_* filters
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(inline=md_inline, block=md_block, cell=md_cell, date=date_fr, indent4=indent)
    env.globals.update(Etat=Etat, EtatAnomalie=EtatAnomalie)
    return env


def render_pages(corpus: Corpus, today: dt.date) -> dict[str, tuple[str, str | None]]:
    """Page path (relative to the generated folder) -> (Markdown, source file)."""
    env = environment()
    site = Site(corpus, today)
    pages: dict[str, tuple[str, str | None]] = {}
    pages["index.md"] = (env.get_template("home.md.jinja").render(**home_context(site)), None)
    pages["glossaire.md"] = (
        env.get_template("glossary.md.jinja").render(**glossary_context(site)),
        corpus.glossary.path if corpus.glossary else None,
    )
    kinds = [
        ("dispositif", "dispositifs", "scheme.md.jinja", scheme_context),
        ("partenaire", "partenaires", "partner.md.jinja", partner_context),
        ("outil", "outils", "tool.md.jinja", tool_context),
        ("site", "sites", "site.md.jinja", site_context),
    ]
    for kind, folder, template_name, context in kinds:
        template = env.get_template(template_name)
        for ident, record in sorted(corpus.of_kind(kind).items()):
            pages[f"{folder}/{ident}.md"] = (template.render(**context(record, site)), record.path)
    return pages


def copy_handwritten(docs: Path) -> dict[str, tuple[str, str | None]]:
    pages: dict[str, tuple[str, str | None]] = {}
    for folder in HANDWRITTEN_DIRS:
        for path in sorted((docs / folder).rglob("*.md")):
            relative = path.relative_to(docs).as_posix()
            pages[relative] = (path.read_text(encoding="utf-8"), f"docs/{relative}")
    return pages


def write_pages(pages: dict[str, tuple[str, str | None]], out: Path) -> tuple[list[str], list[str]]:
    """Write changed pages atomically; remove pages that no longer exist.

    Returns (written, removed) page paths.
    """
    out.mkdir(parents=True, exist_ok=True)
    written, removed = [], []
    manifest_lines = []
    for relative, (text, source) in sorted(pages.items()):
        target = out / relative
        if source:
            manifest_lines.append(f"{relative}\t{source}")
        if target.exists() and target.read_text(encoding="utf-8") == text:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        written.append(relative)
    for path in sorted(out.rglob("*.md")):
        relative = path.relative_to(out).as_posix()
        if relative not in pages:
            path.unlink()
            removed.append(relative)
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    manifest = "\n".join(manifest_lines) + "\n"
    manifest_path = out / SOURCE_MANIFEST
    if not manifest_path.exists() or manifest_path.read_text(encoding="utf-8") != manifest:
        manifest_path.write_text(manifest, encoding="utf-8")
    return written, removed


def generate(corpus: Corpus, project: Path, today: dt.date | None = None) -> tuple[list[str], list[str]]:
    today = today or build_date()
    docs = project / "docs"
    pages = render_pages(corpus, today)
    pages.update(copy_handwritten(docs))
    return write_pages(pages, project / GENERATED_DIR)


def build_date() -> dt.date:
    """Today in Europe/Paris, or REPERES_DATE (AAAA-MM-JJ) for reproducible builds."""
    forced = os.environ.get("REPERES_DATE")
    if forced:
        return dt.date.fromisoformat(forced)
    try:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo("Europe/Paris")).date()
    except Exception:  # noqa: BLE001 - no tz database: UTC is close enough
        return dt.datetime.now(dt.timezone.utc).date()


def clean(project: Path) -> None:
    shutil.rmtree(project / GENERATED_DIR, ignore_errors=True)
