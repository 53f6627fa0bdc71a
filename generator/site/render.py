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
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markdown.extensions.toc import slugify

from ..fr import MONTHS, date_fr, plural
from ..history.changelog import Change, History
from ..history.git import plain_text
from ..history.recheck import Recheck, records_to_recheck
from ..project import GENERATED_DIR, Project
from ..records.briefings import BRIEFINGS_FOLDER, POSTS_FOLDER, Post
from ..records.corpus import Corpus, Page, Record
from ..records.freshness import overdue_records, review_state
from ..records.kinds import KINDS, owner_of
from ..records.models import ACTEURS, Domaine, Etat, EtatAnomalie, url_problem
from ..records.references import references, reverse_index
from ..records.status import in_force, periods_in_force, upcoming_amounts
from ..scratch import write_atomically
from .feedback import remontee_context, remontees_about, remontees_index_context
from .markdown import abbreviation_line, md_block, md_cell, md_inline, md_url, yaml_string

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
        self._rechecks: dict[tuple[str, str], list[Recheck]] | None = None

    @property
    def rechecks(self) -> dict[tuple[str, str], list[Recheck]]:
        """Reviewed records to check again since a record they depend on changed (computed once)."""
        if self._rechecks is None:
            self._rechecks = records_to_recheck(self.corpus, self.history)
        return self._rechecks

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


RECHECK_SENTENCES = 3  # sentences of one change shown in a banner
RECHECK_ITEMS = 5  # changes listed in a banner


def recheck_text(recheck: Recheck, site: Site, prefix: str) -> str:
    """« Le dispositif « [AEJ](…) » a changé le 03/11/2026 (Statut : ouvert → perturbé) », as Markdown."""
    record = site.corpus.of_kind(recheck.kind)[recheck.ident]
    name = getattr(record.model, "sigle", None) or record_name(record.model) or recheck.ident
    named = KINDS[recheck.kind].named
    sentences = [md_inline(sentence) for sentence in recheck.sentences[:RECHECK_SENTENCES]]
    more = len(recheck.sentences) - RECHECK_SENTENCES
    if more > 0:
        sentences.append(f"et {plural(more, 'autre modification', 'autres modifications')}")
    return (f"{named[:1].upper()}{named[1:]} « {link(recheck.kind, recheck.ident, name, prefix)} » a changé le "
            f"{date_fr(recheck.day, numeric=True)} ({' ; '.join(sentences)})")


def recheck_context(kind: str, record: Record, site: Site, prefix: str = "../") -> dict[str, Any]:
    """The "à revérifier" banner of a reviewed record's page."""
    rechecks = site.rechecks.get((kind, record.id), [])
    return {
        "recheck": [recheck_text(r, site, prefix) for r in rechecks[:RECHECK_ITEMS]],
        "recheck_more": max(0, len(rechecks) - RECHECK_ITEMS),
        "recheck_this": "ce guide" if kind == "guide" else "cette fiche",
    }


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


def section_ids(prefix: str, titles: list[str]) -> list[str]:
    """Stable anchors for a page's known issues or orientation cases:
    ``prefix-<slug of the title>`` (the slug Python-Markdown's toc would make),
    ``-2``, ``-3``… for a title seen twice. Search results and the situations
    list link to them; they change only when the title does."""
    ids: list[str] = []
    for title in titles:
        base = f"{prefix}-{slugify(title, '-')}".rstrip("-")
        ident, n = base, 1
        while ident in ids:
            n += 1
            ident = f"{base}-{n}"
        ids.append(ident)
    return ids


def anomaly_items(anomalies: list[Any], responsable: Any) -> list[dict[str, Any]]:
    """Known issues as the shared block shows them: open ones first, each with its anchor."""
    ordered = sorted(anomalies, key=lambda a: (a.etat is EtatAnomalie.resolue, -a.depuis.toordinal()))
    anchors = section_ids("anomalie", [a.titre for a in ordered])
    return [{"a": a, "responsable": responsable(a.responsable), "anchor": anchor}
            for a, anchor in zip(ordered, anchors, strict=True)]


def situations(anomalies: list[dict[str, Any]], redirects: list[dict[str, Any]], guides: list[str]) -> dict[str, Any]:
    """What the top of a page lists under what to say: what the caller may be
    calling about, each leading to its answer further down (open known issues,
    orientation cases), and the call guides."""
    return {
        "anomalies": [item for item in anomalies if item["a"].etat is EtatAnomalie.ouverte],
        "redirects": redirects,
        "guides": guides,
    }


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
    owner = sites[scheme.site_referent].model
    force = in_force(scheme, site.today)
    history = site.history
    anomalies = anomaly_items(scheme.anomalies, actor)
    cases = scheme.orientation.a_rediriger if scheme.orientation else []
    redirects = [
        {
            "r": r,
            "partner": actor(r.partenaire),
            "partner_label": site.partner_label(r.partenaire),
            "scheme": f"[{md_inline(site.corpus.of_kind('dispositif')[r.dispositif].model.nom)}]({r.dispositif}.md)"
            if r.dispositif else "",
            "anchor": anchor,
        }
        for r, anchor in zip(cases, section_ids("orientation", [r.cas for r in cases]), strict=True)
    ]
    guides = guides_about(site, "dispositifs", scheme.id, "../")
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
        "anomalies": anomalies,
        "redirects": redirects,
        "situations": situations(anomalies, redirects, guides),
        "owner": link("site", scheme.site_referent, owner.nom, "../"),
        "review_due": review.due,
        "review_overdue": review.overdue,
        "related": [
            f"[{md_inline(site.corpus.of_kind('dispositif')[ident].model.nom)}]({ident}.md)"
            for ident in scheme.dispositifs_lies
        ],
        "remontees": remontees_about(site, "dispositif", scheme.id),
        **recheck_context("dispositif", record, site),
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
        "remontees": remontees_about(site, "guide", record.id),
        **recheck_context("guide", record, site),
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
    # Records to check again since a record they depend on changed, by owner, most recent change first.
    to_recheck: dict[str, list[dict[str, Any]]] = {}
    for (kind, ident), rechecks in site.rechecks.items():
        record = site.corpus.of_kind(kind)[ident]
        to_recheck.setdefault(owner_of(kind, record.model), []).append({
            "link": link(kind, ident, record_name(record.model)), "kind": KINDS[kind].label,
            "revu_le": record.model.revu_le, "changes": [recheck_text(r, site, "") for r in rechecks],
            "latest": rechecks[0].change.when, "edit_url": site.edit_url(record.path),
        })
    recheck_groups = [
        {
            "site": link("site", ident, sites[ident].model.nom),
            "entries": sorted(items, key=lambda item: item["latest"], reverse=True),
        }
        for ident, items in sorted(to_recheck.items(), key=lambda kv: sites[kv[0]].model.nom)
    ]
    return {"groups": groups, "today": site.today, "total": sum(len(g["entries"]) for g in groups),
            "recheck_groups": recheck_groups, "recheck_total": sum(len(g["entries"]) for g in recheck_groups),
            "history_available": site.history is not None and site.history.available,
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
        "remontees": remontees_about(site, "partenaire", ident),
        "abbreviations": site.abbr_block,
    }


def tool_context(record: Record, site: Site) -> dict[str, Any]:
    ident = record.id
    used_by = [
        link("dispositif", r.id, r.model.nom, "../")
        for r in dict.fromkeys(site.index["tools"].get(ident, []))
    ]
    tool = record.model
    anomalies = anomaly_items(tool.anomalies, lambda partner: (
        link("partenaire", partner, site.partner_label(partner), "../") if partner else ""))
    guides = guides_about(site, "outils", ident, "../")
    return {
        "edit_url": site.edit_url(record.path),
        "remontees": remontees_about(site, "outil", ident),
        "o": tool,
        "used_by": used_by,
        "anomalies": anomalies,
        "situations": situations(anomalies, [], guides),
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


# The board's order: what the agent must know before picking up first.
URGENT = (Etat.paiements_bloques, Etat.perturbe, Etat.en_deploiement, Etat.annonce)
BOARD_ORDER = (*URGENT, Etat.ouvert, Etat.ferme)


# Cards of one group shown on the board: a group of more (a large site) shows
# the latest changes of state and says how many more the list of all schemes
# holds, so the board stays light (and its search quick) whatever the site's size.
BOARD_SHOWN = 12


def _latest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A group of the board, by name; when it is cut, the latest changes of state first."""
    if len(items) <= BOARD_SHOWN:
        return items
    return sorted(items, key=lambda i: i["force"].depuis, reverse=True)


def home_context(site: Site) -> dict[str, Any]:
    """The board: schemes by urgency of what is in force on the build date
    (blocked, disrupted, rolling out, announced: each with the words to say),
    then open ones by domain, then closed ones."""
    schemes = sorted((r.model for r in site.corpus.of_kind("dispositif").values()), key=lambda s: s.nom)
    items = [
        {"s": s, "link": f"dispositifs/{s.id}.md", "force": in_force(s, site.today),
         "amounts": upcoming_amounts(s.montants, site.today)}
        for s in schemes
    ]
    by_state = {etat: [i for i in items if i["force"].etat is etat] for etat in BOARD_ORDER}
    open_schemes = by_state[Etat.ouvert]
    return {
        "shown": BOARD_SHOWN,
        "overdue": len(overdue_records(site.corpus, site.today)),
        "guides": [
            link("guide", r.id, r.model.titre)
            for r in sorted(site.corpus.of_kind("guide").values(), key=lambda r: r.model.titre)
        ],
        "urgent": [(etat, _latest_first(by_state[etat])) for etat in URGENT if by_state[etat]],
        "open_by_domain": [
            (domaine, _latest_first(members)) for domaine in Domaine
            if (members := [i for i in open_schemes if i["s"].domaine is domaine])
        ],
        "closed": _latest_first(by_state[Etat.ferme]),
        "today": site.today,
        "counts": [(etat, len(by_state[etat])) for etat in BOARD_ORDER if by_state[etat]],
        "recent": change_entries(site.history.changes[:8], site, "") if site.history else [],
        "briefing": latest_briefing(site),
        "abbreviations": site.abbr_block,
    }


def status_badge(etat: Etat) -> str:
    """A status as the board shows it (reperes.css colours ``.reperes-<état>``)."""
    return f"**{etat.label}**{{ .reperes-etat .reperes-{etat.value} }}"


def _section(title: str, intro: str, columns: list[str], rows: list[list[str]], summary: str, empty: str,
             site: Site) -> dict[str, Any]:
    return {"title": title, "intro": intro, "columns": columns, "rows": rows, "summary": summary,
            "empty": empty, "abbreviations": site.abbr_block}


def schemes_index_context(site: Site) -> dict[str, Any]:
    """Every scheme, by name, with its status in force: the Dispositifs section's page."""
    sites = site.corpus.of_kind("site")
    rows = []
    for record in sorted(site.corpus.of_kind("dispositif").values(), key=lambda r: (r.model.nom.casefold(), r.id)):
        scheme = record.model
        force = in_force(scheme, site.today)
        name = link("dispositif", record.id, scheme.nom, "../") + (f" ({md_inline(scheme.sigle)})" if scheme.sigle else "")
        rows.append([name, scheme.domaine.label, status_badge(force.etat), date_fr(force.depuis),
                     link("site", scheme.site_referent, sites[scheme.site_referent].model.nom, "../")])
    return _section(
        "Dispositifs", "Tous les dispositifs, par ordre alphabétique, avec leur état en vigueur. "
        "Par domaine : [tableau de bord](../index.md).",
        ["Dispositif", "Domaine", "État", "Depuis", "Site référent"], rows,
        plural(len(rows), "dispositif"), "Aucun dispositif.", site)


def partners_index_context(site: Site) -> dict[str, Any]:
    rows = [
        [link("partenaire", r.id, r.model.nom, "../") + (f" ({md_inline(r.model.sigle)})" if r.model.sigle else ""),
         r.model.type.label, md_cell(r.model.role)]
        for r in sorted(site.corpus.of_kind("partenaire").values(), key=lambda r: (r.model.nom.casefold(), r.id))
    ]
    return _section("Partenaires", "Les organismes avec qui les dispositifs sont gérés : rôle, contacts, "
                    "étapes des circuits dont ils ont la charge.", ["Partenaire", "Type", "Rôle"], rows,
                    plural(len(rows), "partenaire"), "Aucun partenaire.", site)


def tools_index_context(site: Site) -> dict[str, Any]:
    rows = [
        [link("outil", r.id, r.model.nom, "../") + (f" ({md_inline(r.model.sigle)})" if r.model.sigle else ""),
         md_cell(r.model.objet)]
        for r in sorted(site.corpus.of_kind("outil").values(), key=lambda r: (r.model.nom.casefold(), r.id))
    ]
    return _section("Outils", "Les applications utilisées dans les circuits : modes opératoires et anomalies connues.",
                    ["Outil", "Objet"], rows, plural(len(rows), "outil"), "Aucun outil.", site)


def sites_index_context(site: Site) -> dict[str, Any]:
    owned = site.index["owned"]
    rows = [
        [link("site", r.id, r.model.nom, "../"), str(len(owned.get(r.id, []))),
         f"{md_cell(r.model.contact.libelle)} — {md_cell(r.model.contact.valeur)}"]
        for r in sorted(site.corpus.of_kind("site").values(), key=lambda r: (r.model.nom.casefold(), r.id))
    ]
    return _section("Sites référents", "Les sites qui tiennent les fiches à jour et les relisent.",
                    ["Site référent", "Dispositifs suivis", "Contact"], rows, plural(len(rows), "site référent", "sites référents"),
                    "Aucun site référent.", site)


def _owner(change: Change, site: Site) -> str | None:
    record = site.corpus.of_kind(change.kind).get(change.record_id)
    if record is None:
        return None
    return owner_of(change.kind, record.model)


# The journal: one page per month (journal/2026-11/), newest first, and an
# index of the months with the latest changes; the same for each referent
# site (journal/<site>/ and journal/<site>/2026-11/). A page's size depends on
# one month's activity, never on the length of the history.
JOURNAL_RECENT = 50  # changes shown on an index page


def period_of(change: Change) -> str:
    """The month a change belongs to, in Paris: "2026-11" (its page's name,
    of the form records/checks.py reserves: no referent site takes it)."""
    when = change.when
    return f"{when.year:04d}-{when.month:02d}"


def period_label(period: str) -> str:
    year, month = period.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def _weeks(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries (newest first) grouped by week (Monday, Europe/Paris)."""
    weeks: list[dict[str, Any]] = []
    for entry in entries:
        monday = entry["when"].date() - dt.timedelta(days=entry["when"].weekday())
        if not weeks or weeks[-1]["monday"] != monday:
            weeks.append({"monday": monday, "entries": []})
        weeks[-1]["entries"].append(entry)
    return weeks


@dataclass
class JournalPage:
    """One page of the journal: its path, what it shows and what its text depends on."""

    path: str
    owner: str | None  # a referent site's id, or None: every change
    period: str | None  # "2026-11", or None: the index (months and latest changes)
    changes: list[Change]  # newest first: the month's, or the latest ones
    periods: list[tuple[str, int]]  # (month, number of changes), newest first, of this owner
    filters: list[str]  # referent sites offered as filters (index pages only)

    def key(self, site: Site) -> tuple[Any, ...]:
        """What the page's text depends on besides the build's settings (the
        history's head among them): the records its entries name (their names
        and links), the referent sites it names, the months it lists."""
        sites = site.corpus.of_kind("site")
        entries = []
        for change in self.changes:
            record = site.corpus.of_kind(change.kind).get(change.record_id)
            # What an entry shows of its record: the name in its link (editing
            # anything else in a record leaves the journal as it is).
            entries.append((change.commit, change.kind, change.record_id,
                            None if record is None else record_name(record.model)))
        named = tuple(sites[o].model.nom if o in sites else None
                      for o in [*([self.owner] if self.owner else []), *self.filters])
        return (self.path, named, tuple(self.periods), tuple(entries))


def journal_pages(site: Site) -> list[JournalPage]:
    """Every page of the journal, for the whole site and for each referent site."""
    changes = site.history.changes if site.history else []
    sites = site.corpus.of_kind("site")
    by_owner: dict[str | None, list[Change]] = {None: list(changes)}
    for change in changes:
        owner = _owner(change, site)
        if owner in sites:
            by_owner.setdefault(owner, []).append(change)
    filters = sorted(owner for owner in by_owner if owner is not None)
    pages = []
    for owner in [None, *sorted(sites)]:
        owned = by_owner.get(owner, [])
        months: dict[str, list[Change]] = {}
        for change in owned:
            months.setdefault(period_of(change), []).append(change)
        periods = [(period, len(items)) for period, items in months.items()]
        folder = "journal/" if owner is None else f"journal/{owner}/"
        pages.append(JournalPage("journal/index.md" if owner is None else f"journal/{owner}.md", owner, None,
                                 owned[:JOURNAL_RECENT], periods, filters))
        pages += [JournalPage(f"{folder}{period}.md", owner, period, items, periods, [])
                  for period, items in months.items()]
    return pages


def journal_context(site: Site, page: JournalPage) -> dict[str, Any]:
    """What one journal page shows; its links are relative to the page itself."""
    history = site.history
    depth = page.path.count("/")
    prefix = "../" * depth  # to the site's root
    journal = "../" * (depth - 1)  # to journal/
    home = f"{journal}{page.owner}.md" if page.owner else f"{journal}index.md"  # this owner's index
    months_folder = "" if page.period else (f"{page.owner}/" if page.owner else "")
    periods = [period for period, _ in page.periods]
    newer = older = None
    if page.period is not None:
        at = periods.index(page.period)
        newer = periods[at - 1] if at > 0 else None
        older = periods[at + 1] if at + 1 < len(periods) else None
    sites = site.corpus.of_kind("site")
    return {
        "weeks": _weeks(change_entries(page.changes, site, prefix)),
        "owner": sites[page.owner].model if page.owner else None,
        "period": period_label(page.period) if page.period else None,
        "home": home,
        "newer": (period_label(newer), f"{newer}.md") if newer else None,
        "older": (period_label(older), f"{older}.md") if older else None,
        "periods": [(period_label(period), f"{months_folder}{period}.md", count) for period, count in page.periods],
        "shown": len(page.changes),
        "more": len(page.changes) < sum(count for _, count in page.periods) if page.period is None else False,
        "feed": f"{prefix}journal.xml",
        "site_filters": [(f"[{md_inline(sites[o].model.nom)}]({journal}{o}.md)", o == page.owner)
                         for o in page.filters],
        "all": f"{journal}index.md",
        "schemes": f"{prefix}dispositifs/index.md",
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


# --- weekly briefings ------------------------------------------------------------


def published_posts(site: Site) -> list[Post]:
    """Briefings the blog publishes, newest first: all but drafts (as Material's blog decides)."""
    posts = [p for p in site.corpus.posts.values() if not p.header.draft]
    return sorted(posts, key=lambda p: (p.header.date, p.header.slug), reverse=True)


def latest_briefing(site: Site, prefix: str = "") -> dict[str, Any] | None:
    """The newest published briefing dated on or before the build date, linked
    from *prefix* (the page's way to the site's root)."""
    posts = [post for post in published_posts(site) if post.header.date <= site.today]
    if not posts:
        return None
    post = posts[0]
    return {"link": f"[{md_inline(post.title)}]({prefix}{post.relative})", "date": post.header.date}


def briefings_context(site: Site) -> dict[str, Any]:
    return {"posts": published_posts(site), "abbreviations": site.abbr_block}


def briefings_feed(site: Site, limit: int = 50) -> str:
    """The Atom feed of the published briefings (links relative to the site root),
    written like journal.xml: the blog plugin has none of its own, and
    mkdocs-rss-plugin would bring another build tool (properdocs) in."""
    from xml.sax.saxutils import escape, quoteattr

    posts = published_posts(site)[:limit]
    updated = f"{(posts[0].header.date if posts else site.today).isoformat()}T00:00:00+00:00"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">',
        "  <title>Repères : points hebdo</title>",
        "  <id>urn:reperes:briefings</id>",
        f"  <updated>{updated}</updated>",
        f'  <link rel="alternate" href="{BRIEFINGS_FOLDER}/"/>',
    ]
    authors = site.corpus.authors.authors if site.corpus.authors else {}
    for post in posts:
        href = f"{BRIEFINGS_FOLDER}/{post.header.slug}/"
        lines += [
            "  <entry>",
            f"    <title>{escape(post.title)}</title>",
            f"    <id>urn:reperes:briefing:{escape(post.header.slug)}</id>",
            f"    <updated>{post.header.date.isoformat()}T00:00:00+00:00</updated>",
            *(f"    <author><name>{escape(authors[a].name if a in authors else a)}</name></author>"
              for a in post.header.authors),
            *(f"    <category term={quoteattr(c)}/>" for c in post.header.categories),
            f"    <link rel=\"alternate\" href={quoteattr(href)}/>",
            f"    <summary type=\"text\">{escape(post.header.description)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
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
                       date=date_fr, indent4=indent, nombre=plural)
    env.globals.update(Etat=Etat, EtatAnomalie=EtatAnomalie)
    return env


# Pages whose content depends on every record: always rendered (there are few).
_SUMMARY_PAGES = [
    ("index.md", "home.md.jinja", home_context),
    ("glossaire.md", "glossary.md.jinja", glossary_context),
    ("a-revoir.md", "review.md.jinja", review_context),
    ("etiquettes.md", "tags.md.jinja", tags_context),
    # The sections' index pages (mkdocs.yml's nav): records are reached from
    # these, the board and search, never from every page's sidebar.
    ("dispositifs/index.md", "section.md.jinja", schemes_index_context),
    ("partenaires/index.md", "section.md.jinja", partners_index_context),
    ("outils/index.md", "section.md.jinja", tools_index_context),
    ("sites/index.md", "section.md.jinja", sites_index_context),
    ("guides/index.md", "guides.md.jinja", guides_index_context),
]

_RECORD_PAGES = [
    ("guide", "guide.md.jinja", guide_context),
    ("dispositif", "scheme.md.jinja", scheme_context),
    ("partenaire", "partner.md.jinja", partner_context),
    ("outil", "tool.md.jinja", tool_context),
    ("site", "site.md.jinja", site_context),
    ("remontee", "remontee.md.jinja", remontee_context),
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

    def plan(
        self, corpus: Corpus, today: dt.date, edit_template: str | None = None, history: History | None = None
    ) -> dict[str, Planned]:
        """Every page the site will have, in order, none rendered yet: page path
        (relative to the generated folder) -> how to render it. The link check
        needs every page's name but only the text of the pages a link's anchor
        points into (``LazyPages``); a build renders them all (``render``)."""
        site = Site(corpus, today, edit_template, history)
        everywhere = (today, edit_template, corpus.glossary,
                      (history.head, history.partial, history.available) if history else None)
        env = self.env
        plan: dict[str, Planned] = {}

        def template_page(template_name: str, context: Callable[[], dict[str, Any]]) -> Callable[[], str]:
            return lambda: env.get_template(template_name).render(**context())

        for path, template_name, summary in _SUMMARY_PAGES:
            source = corpus.glossary.path if (path == "glossaire.md" and corpus.glossary) else None
            plan[path] = Planned(template_page(template_name, lambda summary=summary: summary(site)), source)
        for page in journal_pages(site):
            plan[page.path] = Planned(
                template_page("journal.md.jinja", lambda page=page: journal_context(site, page)), None,
                lambda page=page: (everywhere, page.key(site)),
            )
        plan["journal.xml"] = Planned(lambda: atom_feed(site), None, counted=False)
        plan[f"{BRIEFINGS_FOLDER}/index.md"] = Planned(
            template_page("briefings.md.jinja", lambda: briefings_context(site)), None
        )
        plan["briefings.xml"] = Planned(lambda: briefings_feed(site), None)
        # Always there (and in the nav): the field sees where its feedback goes, even before the first one.
        plan["remontees/index.md"] = Planned(
            template_page("remontees.md.jinja", lambda: remontees_index_context(site)), None
        )
        for kind, template_name, context in _RECORD_PAGES:
            for ident, record in sorted(corpus.of_kind(kind).items()):
                plan[KINDS[kind].page(ident)] = Planned(
                    template_page(template_name, lambda record=record, context=context: context(record, site)),
                    record.path,
                    lambda kind=kind, record=record: (everywhere, record, page_dependencies(kind, record, site)),
                )
        return plan

    def render(
        self, corpus: Corpus, today: dt.date, edit_template: str | None = None, history: History | None = None
    ) -> dict[str, tuple[str, str | None]]:
        """Page path (relative to the generated folder) -> (Markdown, source file)."""
        pages: dict[str, tuple[str, str | None]] = {}
        cache: dict[str, tuple[Any, str]] = {}
        self.rendered = 0
        for path, planned in self.plan(corpus, today, edit_template, history).items():
            if planned.key is None:
                text = planned.render()
                self.rendered += planned.counted
            else:
                key = planned.key()
                previous = self._pages.get(path)
                if previous is not None and previous[0] == key:
                    text = previous[1]
                else:
                    text = planned.render()
                    self.rendered += 1
                cache[path] = (key, text)
            pages[path] = (text, planned.source)
        self._pages = cache
        return pages


@dataclass(frozen=True)
class Planned:
    """One page of the plan: its text on demand, its source file, and the key
    that says whether the text rendered last time is still right (None: always
    rendered again)."""

    render: Callable[[], str]
    source: str | None
    key: Callable[[], Any] | None = None
    counted: bool = True  # in Renderer.rendered


class LazyPages(Mapping[str, tuple[str, str | None]]):
    """The pages of a plan as ``Renderer.render`` returns them, each rendered
    the first time it is read: every name is known at once, a text costs only
    when asked for."""

    def __init__(self, plan: dict[str, Planned]) -> None:
        self._plan = plan
        self._texts: dict[str, str] = {}

    def __getitem__(self, path: str) -> tuple[str, str | None]:
        planned = self._plan[path]
        if path not in self._texts:
            self._texts[path] = planned.render()
        return self._texts[path], planned.source

    def __contains__(self, path: object) -> bool:
        return path in self._plan

    def __iter__(self) -> Iterator[str]:
        return iter(self._plan)

    def __len__(self) -> int:
        return len(self._plan)


def copy_handwritten(pages: dict[str, Page], abbreviations: str = "") -> dict[str, tuple[str, str | None]]:
    """Hand-written pages, as the check read them (corpus.pages: regular files
    only, never through a symbolic link, so nothing outside the repository,
    such as ``env.md -> /proc/self/environ``, reaches the site), with the
    glossary's abbreviations appended."""
    return {
        relative: (_excerpted(relative, page.text).rstrip("\n") + "\n" + abbreviations, f"docs/{relative}")
        for relative, page in sorted(pages.items())
    }


EXCERPT_SEPARATOR = "<!-- more -->"  # Material's blog: what comes before it is the post's excerpt


def _excerpted(relative: str, text: str) -> str:
    """A briefing's text with the blog's excerpt separator before its first
    section: the index and archives show the title and the week's summary.
    Written by Repères, never by contributors (their HTML is refused)."""
    if not relative.startswith(POSTS_FOLDER + "/"):
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("## "):
            return "\n".join([*lines[:index], EXCERPT_SEPARATOR, "", *lines[index:]])
    return text


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
    warm = bool(memory)  # this process wrote or read every page of the folder before
    out.mkdir(parents=True, exist_ok=True)
    written, removed = [], []
    manifest_lines = []
    base = str(out)
    for relative, (text, source) in sorted(pages.items()):
        if source:
            manifest_lines.append(f"{relative}\t{source}")
        if memory.get(relative) == text and os.path.exists(os.path.join(base, relative)):
            continue
        target = out / relative
        if relative not in memory and target.exists() and target.read_text(encoding="utf-8") == text:
            memory[relative] = text
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, text)  # unique temporary name: concurrent builds never collide
        memory[relative] = text
        written.append(relative)
    if warm:
        # Under `mkdocs serve`: what this process knows is on disk is all that can be stale.
        stale = [out / relative for relative in memory if relative != SOURCE_MANIFEST and relative not in pages]
    else:
        stale = [*out.rglob("*.md"), *out.rglob("*.xml")]
    for path in sorted(stale):
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


def render_pages(
    corpus: Corpus, project: Path, today: dt.date | None = None, state: Generator | None = None,
    history: History | None = None,
) -> dict[str, tuple[str, str | None]]:
    """Every generated page, as the project's settings ask (build date, edit link)."""
    state = state or Generator.new()
    settings = Project(project, today)
    return state.renderer.render(corpus, settings.build_date(), checked_edit_template(settings), history)


def generate(
    corpus: Corpus,
    project: Path,
    today: dt.date | None = None,
    state: Generator | None = None,
    history: History | None = None,
    rendered: dict[str, tuple[str, str | None]] | None = None,
) -> tuple[list[str], list[str]]:
    """Render every page (unless *rendered* by render_pages already) and write
    those that changed into docs/genere/."""
    state = state or Generator.new()
    pages = dict(rendered) if rendered is not None else render_pages(corpus, project, today, state, history)
    pages.update(copy_handwritten(corpus.pages, abbreviations_block(corpus)))
    if corpus.authors is not None:
        # The blog's authors, as checked, beside the posts: Zensical reads them
        # only from inside the docs folder (MkDocs reads docs/briefings/ itself).
        pages[f"{BRIEFINGS_FOLDER}/.authors.yml"] = (json.dumps(corpus.authors.model_dump(mode="json"), ensure_ascii=False), None)
    copy_images(corpus.images, project / "docs", project / GENERATED_DIR)
    return write_pages(pages, project / GENERATED_DIR, state.written)
