"""« Signaler un problème sur cette fiche » on every built page: the forge's
issue form and a mailto: to the owner referent site, both prefilled with the
page and the record, read back from the built HTML and decoded."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
import yaml

from generator.site.feedback import FIELD_PAGE, FIELD_RECORD, FIELD_REPORT, ISSUE_FORM

ROOT = Path(__file__).resolve().parent.parent
FORGE = "https://forge.exemple.invalid/asp/reperes"
FALLBACK = "remontees-reperes@exemple.invalid"  # extra.reperes.courriel_remontees of mkdocs.yml
BODY = (
    "Page : {page}\r\nFiche : {record}\r\n\r\n"
    "Ce qui est faux, manquant ou difficile à dire à l'appelant :\r\n\r\n\r\n"
    "N'écrivez aucune donnée personnelle d'un appelant (nom, numéro de dossier, SIRET).\r\n"
)
# A name with every character that could end an address, a query value or an attribute.
NAME = 'Aide & co #1 ? "oui" 100 % = 50+50 / an'


def signaler(page: Path) -> tuple[str, list[tuple[str, str]]]:
    """(the line's text, [(link text, href as the browser reads it)]) of a built page."""
    built = page.read_text(encoding="utf-8")
    found = re.search(r'<p class="reperes-signaler">(.*?)</p>', built, re.S)
    assert found, f"pas de lien « Signaler » dans {page}"
    links = [(html.unescape(text), html.unescape(href))
             for href, text in re.findall(r'<a href="([^"]*)" rel="nofollow">([^<]*)</a>', found.group(1))]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).split()), links


def decoded_query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workspace import Workspace

    project = Workspace(tmp_path_factory.mktemp("signaler")).add_site_files()
    scheme = (project.root / "schemes/exemple.yml").read_text(encoding="utf-8")
    project.write("schemes/exemple.yml", scheme.replace("nom: Aide exemple", f"nom: '{NAME}'"), dedent=False)
    with pytest.MonkeyPatch.context() as patch:
        from generator.cli import main

        patch.chdir(project.root)
        assert main(["build", "--date", "2026-11-27"]) == 0
    return project.root / "site"


def test_a_scheme_page_opens_the_issue_form_and_writes_to_its_referent_site(built: Path):
    text, links = signaler(built / "dispositifs/exemple/index.html")
    assert text == "Signaler un problème sur cette fiche · par courriel, sans compte sur la forge"
    (issue_text, issue), (mail_text, mail) = links
    assert issue_text == "Signaler un problème sur cette fiche"
    subject = f"Remontée : Dispositif « {NAME} »"
    record = f"Dispositif « {NAME} » (dispositif exemple)"
    assert issue == (
        f"{FORGE}/issues/new?template=remontee.yml"
        "&title=Remont%C3%A9e%20%3A%20Dispositif%20%C2%AB%20Aide%20%26%20co%20%231%20%3F%20%22oui%22%20100%20%25"
        "%20%3D%2050%2B50%20%2F%20an%20%C2%BB"
        "&page=%2Fdispositifs%2Fexemple%2F"
        "&fiche=Dispositif%20%C2%AB%20Aide%20%26%20co%20%231%20%3F%20%22oui%22%20100%20%25%20%3D%2050%2B50%20%2F"
        "%20an%20%C2%BB%20%28dispositif%20exemple%29"
    )
    assert decoded_query(issue) == [
        ("template", "remontee.yml"), ("title", subject), ("page", "/dispositifs/exemple/"), ("fiche", record),
    ]
    assert mail_text == "par courriel, sans compte sur la forge"
    parts = urlsplit(mail)
    assert (parts.scheme, unquote(parts.path)) == ("mailto", "site@exemple.invalid")
    assert decoded_query(mail) == [
        ("subject", subject), ("body", BODY.format(page="/dispositifs/exemple/", record=record)),
    ]
    # Nothing in the address can end it or the attribute: only unreserved characters and escapes.
    for url in (issue, mail):
        assert re.fullmatch(r"[A-Za-z0-9:/.?=&%_@~-]+", url), url


def test_the_line_is_above_the_title(built: Path):
    page = (built / "dispositifs/exemple/index.html").read_text(encoding="utf-8")
    article = page[page.index("<article"):]
    assert article.index('class="reperes-signaler"') < article.index("<h1")


@pytest.mark.parametrize(
    "path, label, record, mailbox",
    [
        ("sites/site-exemple/index.html", "fiche", "Site référent « Site » (site site-exemple)", "site@exemple.invalid"),
        ("partenaires/partenaire-exemple/index.html", "fiche",
         "Partenaire « Partenaire » (partenaire partenaire-exemple)", FALLBACK),
        ("contribuer/index.html", "page", "aucune", FALLBACK),
        ("index.html", "page", "aucune", FALLBACK),
    ],
    ids=["site", "partner", "contributor-page", "home"],
)
def test_every_page_has_the_links(built: Path, path: str, label: str, record: str, mailbox: str):
    _, links = signaler(built / path)
    (issue_text, issue), (_, mail) = links
    assert issue_text == f"Signaler un problème sur cette {label}"
    address = "/" + path.removesuffix("index.html")
    query = dict(decoded_query(issue))
    assert (query["page"], query["fiche"]) == (address, record)
    assert unquote(urlsplit(mail).path) == mailbox
    assert dict(decoded_query(mail))["body"] == BODY.format(page=address, record=record)


def test_the_issue_form_has_the_fields_the_links_fill():
    form = yaml.safe_load((ROOT / ".github/ISSUE_TEMPLATE" / ISSUE_FORM).read_text(encoding="utf-8"))
    fields = {item["id"]: item["type"] for item in form["body"] if "id" in item}
    assert fields[FIELD_PAGE] == "input" and fields[FIELD_RECORD] == "input"
    assert fields[FIELD_REPORT] == "textarea"
    assert form["name"] == "Remontée terrain"


def test_without_a_forge_only_the_mail_remains(project, capsys):
    config = (project.root / "mkdocs.yml").read_text(encoding="utf-8")
    project.write("mkdocs.yml", re.sub(r"(?m)^repo_(url|name):.*\n", "", config), dedent=False)
    project.write("docs/contribuer/essai.md", "# Essai\n\nUne page.\n")
    result = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert result.code == 0, result.out + result.err
    text, links = signaler(project.root / "site/contribuer/essai/index.html")
    assert text == "Signaler un problème sur cette page (par courriel)"
    ((_, mail),) = links
    assert mail.startswith(f"mailto:{FALLBACK}?subject=Remont%C3%A9e%20%3A%20page%20%C2%AB%20Essai%20%C2%BB&body=")
