"""Field feedback on the site: the "Signaler un problème" links of every page,
and the pages that show what became of each feedback (``remontee`` records).

The links are computed here, from the records and the page's address: an
issue form of the forge (``.github/ISSUE_TEMPLATE/remontee.yml``, its fields
prefilled through the address) and, for agents without a forge account, a
``mailto:`` to the referent site that owns the page, with the same subject
and body. Every part is percent-encoded, so nothing a record holds can end
the address or the attribute it is printed in. The plugin puts them in the
page's meta (``page.meta["reperes_signaler"]``), and the theme override
``docs/theme/partials/actions.html`` shows them above the page's title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..records.kinds import KINDS, owner_of
from ..records.models import Canal, EtatRemontee, url_problem

if TYPE_CHECKING:
    from ..records.corpus import Corpus, Record
    from .render import Site

ISSUE_FORM = "remontee.yml"  # .github/ISSUE_TEMPLATE/remontee.yml
# Ids of fields of the form: the links fill in the page and the record; the agent writes the report.
FIELD_PAGE = "page"
FIELD_RECORD = "fiche"
FIELD_REPORT = "signalement"
META_KEY = "reperes_signaler"
SUBJECT_PREFIX = "Remontée"


@dataclass(frozen=True)
class Subject:
    """The record a page shows, for its feedback links."""

    kind: str
    ident: str
    name: str  # the record's name (a guide's title)
    contact: str | None  # e-mail address of the referent site that owns it


@dataclass(frozen=True)
class FeedbackLinks:
    label: str  # "Signaler un problème sur cette fiche"
    issue: str | None  # the forge's issue form, prefilled
    mail: str | None  # mailto: the owner referent site, prefilled


def _mail_address(contact: Any) -> str | None:
    """A referent site's contact, when it is an e-mail address."""
    if contact is None or contact.canal is not Canal.courriel:
        return None
    return contact.valeur.strip()


def owner_contact(corpus: Corpus, kind: str, model: Any) -> str | None:
    """E-mail address of the referent site that owns a record (its owner
    field in the kinds table), or of the site itself on a site's page."""
    owner = model.id if kind == "site" else owner_of(kind, model)
    site = corpus.of_kind("site").get(owner) if owner else None
    return _mail_address(site.model.contact) if site is not None else None


def subjects(corpus: Corpus) -> dict[str, Subject]:
    """Page source path (under docs/genere/) -> what it is about, for every record page."""
    from .render import record_name

    found = {}
    for kind in KINDS.values():
        if kind.pages is None:
            continue
        for ident, record in corpus.of_kind(kind.name).items():
            found[kind.page(ident)] = Subject(
                kind.name, ident, record_name(record.model) or ident, owner_contact(corpus, kind.name, record.model)
            )
    return found


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def page_address(page_url: str, site_url: str | None) -> str:
    """The page's address as the field reads it: absolute with site_url, else its path on the site."""
    path = page_url.lstrip("/")
    if site_url and url_problem(site_url) is None:
        return site_url.rstrip("/") + "/" + path
    return "/" + path


def _texts(subject: Subject | None, title: str, address: str) -> tuple[str, dict[str, str], str]:
    """(subject line, prefilled form fields, e-mail body): the same words in both channels."""
    if subject is not None:
        record = f"{KINDS[subject.kind].label} « {_one_line(subject.name)} » ({subject.kind} {subject.ident})"
        about = f"{KINDS[subject.kind].label} « {_one_line(subject.name)} »"
    else:
        record = "aucune"
        about = f"page « {_one_line(title)} »"
    line = f"{SUBJECT_PREFIX} : {about}"
    fields = {FIELD_PAGE: address, FIELD_RECORD: record}
    body = (
        f"Page : {address}\n"
        f"Fiche : {record}\n\n"
        "Ce qui est faux, manquant ou difficile à dire à l'appelant :\n\n\n"
        "N'écrivez aucune donnée personnelle d'un appelant (nom, numéro de dossier, SIRET).\n"
    )
    return line, fields, body


def _encode(value: str) -> str:
    """Percent-encoding of one query value or address part (RFC 3986, spaces as %20)."""
    return quote(value, safe="")


def issue_url(repo_url: str | None, line: str, fields: dict[str, str]) -> str | None:
    """The forge's issue form, prefilled: ``{repo_url}/issues/new?template=…&title=…&<field>=…``."""
    if not repo_url or url_problem(repo_url) is not None:
        return None
    query = [("template", ISSUE_FORM), ("title", line), *fields.items()]
    return repo_url.rstrip("/") + "/issues/new?" + "&".join(f"{key}={_encode(value)}" for key, value in query)


_MAILBOX = re.compile(r"[^@\s?#&%/]+@[^@\s?#&%/]+")


def mail_url(address: str | None, line: str, body: str) -> str | None:
    """``mailto:address?subject=…&body=…`` (RFC 6068), or None without a usable address."""
    if not address or not _MAILBOX.fullmatch(address):
        return None
    body = body.replace("\n", "\r\n")  # RFC 6068: line breaks are CRLF
    return f"mailto:{quote(address, safe='@')}?subject={_encode(line)}&body={_encode(body)}"


def feedback_links(
    subject: Subject | None, title: str, page_url: str, *, site_url: str | None, repo_url: str | None,
    fallback_contact: str | None = None,
) -> FeedbackLinks:
    """The two ways to report a problem on one page."""
    address = page_address(page_url, site_url)
    line, fields, body = _texts(subject, title, address)
    contact = subject.contact if subject is not None and subject.contact else fallback_contact
    return FeedbackLinks(
        label=f"Signaler un problème sur cette {'fiche' if subject is not None else 'page'}",
        issue=issue_url(repo_url, line, fields),
        mail=mail_url(contact, line, body),
    )


# --- remontées on the site -----------------------------------------------------


def concerned(record: Record, site: Site, prefix: str, shown_on: tuple[str, str] | None = None) -> list[str]:
    """Links to the records a remontée is about (but the page it is shown on)."""
    from .render import link, record_name

    links = []
    for kind in ("dispositif", "guide", "outil", "partenaire"):
        ident = getattr(record.model, kind)
        if ident is None or (kind, ident) == shown_on:
            continue
        target = site.corpus.of_kind(kind)[ident]
        links.append(f"{KINDS[kind].label} " + link(kind, ident, record_name(target.model) or ident, prefix))
    return links


def _entry(record: Record, site: Site, prefix: str, shown_on: tuple[str, str] | None = None) -> dict[str, Any]:
    from .render import link

    model = record.model
    sites = site.corpus.of_kind("site")
    return {
        "r": model,
        "link": f"{prefix}{KINDS['remontee'].page(record.id)}",
        "concerned": concerned(record, site, prefix, shown_on),
        "site": link("site", model.site_referent, sites[model.site_referent].model.nom, prefix),
    }


def _newest_first(records: list[Record]) -> list[Record]:
    return sorted(records, key=lambda r: (r.model.traitee_le or r.model.date, r.model.date, r.id), reverse=True)


def remontees_index_context(site: Site) -> dict[str, Any]:
    """The "Remontées terrain" page: by état, newest first."""
    records = list(site.corpus.of_kind("remontee").values())
    groups = []
    for etat in EtatRemontee:
        members = _newest_first([r for r in records if r.model.etat is etat])
        groups.append({"etat": etat, "entries": [_entry(r, site, "../") | {"link": f"{r.id}.md"} for r in members]})
    return {"groups": groups, "total": len(records), "abbreviations": site.abbr_block}


def remontee_context(record: Record, site: Site) -> dict[str, Any]:
    return {**_entry(record, site, "../"), "edit_url": site.edit_url(record.path), "abbreviations": site.abbr_block}


def remontees_about(site: Site, kind: str, ident: str, prefix: str = "../") -> list[dict[str, Any]]:
    """The remontées about one record, newest first, for its page."""
    found = [
        record for record, ref in site.index["backlinks"].get((kind, ident), ())
        if record.kind == "remontee" and ref.role == "remontée"
    ]
    return [_entry(r, site, prefix, (kind, ident)) for r in _newest_first(list(dict.fromkeys(found)))]
