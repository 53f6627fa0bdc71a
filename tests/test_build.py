"""`reperes build` on real records: pages produced, text never becomes
structure or code, and a failed build leaves the previous site intact."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import pytest
from workspace import with_status

ROOT = Path(__file__).resolve().parent.parent
DATE = "2026-11-27"
TODAY = dt.date.fromisoformat(DATE)


@pytest.mark.slow
def test_build_writes_a_page_per_record(project, capsys, monkeypatch):
    result = project.run("build", "--date", DATE, capsys=capsys)
    assert result.code == 0, result.out + result.err
    site = project.root / "site"
    for page in ["index.html", "dispositifs/exemple/index.html", "partenaires/partenaire-exemple/index.html",
                 "outils/outil-exemple/index.html", "sites/site-exemple/index.html", "glossaire/index.html"]:
        assert (site / page).is_file(), page
    scheme = (site / "dispositifs/exemple/index.html").read_text(encoding="utf-8")
    article = scheme[scheme.index("<article"):]
    # What to tell the caller comes before the circuit.
    assert article.index("Votre dossier suit son cours.") < article.index("Circuit, du dossier au paiement")


@pytest.mark.slow
def test_record_text_cannot_inject_structure_or_code(project, capsys, monkeypatch):
    scheme = (project.root / "schemes/exemple.yml").read_text(encoding="utf-8")
    scheme = scheme.replace(
        "resume: Une aide pour les tests.",
        "resume: Une aide pour les tests.\neligibilite:\n  beneficiaires: "
        '"Texte {{ 7*7 }} {% include \'x\' %}\\n\\n# Faux titre\\n\\n--8<-- \\"/etc/passwd\\""',
    ).replace("explication: Tout fonctionne.", "explication: \"Attention {: onclick='alert(1)' } *gras*\"")
    project.write("schemes/exemple.yml", scheme, dedent=False)
    result = project.run("build", "--date", DATE, capsys=capsys)
    assert result.code == 0, result.out + result.err
    html = (project.root / "site/dispositifs/exemple/index.html").read_text(encoding="utf-8")
    text = unescape(re.sub(r"<[^>]+>", "", html))
    assert "Texte {{ 7*7 }} {% include 'x' %}" in text
    assert len(re.findall(r"<h1[^>]*>", html)) == 1  # only the page title
    assert "# Faux titre" in text
    assert not re.search(r"<[^>]+\son\w+=", html)  # no event handler attribute anywhere
    assert "{: onclick='alert(1)' }" in text
    assert '--8<-- "/etc/passwd"' in text and "root:" not in text


@pytest.mark.slow
def test_invalid_records_leave_the_previous_site_intact(project, capsys, monkeypatch):
    assert project.run("build", "--date", DATE, capsys=capsys).code == 0
    before = (project.root / "site/index.html").read_text(encoding="utf-8")
    project.write("schemes/exemple.yml", (project.root / "schemes/exemple.yml").read_text(encoding="utf-8")
                  .replace("etat: ouvert", "etat: bloque"), dedent=False)
    result = project.run("build", "--date", DATE, capsys=capsys)
    assert result.code == 1
    assert result.lines == [
        "schemes/exemple.yml:7:11: historique_statut[1].etat: valeur « bloque » inconnue ; valeurs possibles : annonce, "
        "en_deploiement, ouvert, perturbe, paiements_bloques, ferme"
    ]
    assert result.err == "1 erreur : site non construit, le site précédent reste en place\n"
    assert (project.root / "site/index.html").read_text(encoding="utf-8") == before


@pytest.mark.slow
def test_failed_mkdocs_build_leaves_the_previous_site_intact(project, capsys, monkeypatch):
    assert project.run("build", "--date", DATE, capsys=capsys).code == 0
    before = sorted(p.relative_to(project.root) for p in (project.root / "site").rglob("*"))
    # A broken link in a hand-written page fails the strict build (the link
    # check, which refuses it first, is switched off to reach MkDocs).
    monkeypatch.setattr("generator.site.build.check_links", lambda *args, **kwargs: [])
    project.write("docs/contribuer/index.md", "# Guide\n\n[lien cassé](nulle-part.md)\n")
    result = project.run("build", "--date", DATE, capsys=capsys)
    assert result.code == 1
    assert "la construction du site a échoué" in result.err
    assert "nulle-part.md" in result.err
    assert result.err.endswith("reperes : le site précédent est resté en place\n")
    assert sorted(p.relative_to(project.root) for p in (project.root / "site").rglob("*")) == before
    assert not [p for p in project.root.iterdir() if p.name.startswith(".site.")]


def test_regeneration_rewrites_only_changed_pages(project, capsys, monkeypatch):
    from generator.records.corpus import load_corpus
    from generator.site.render import generate

    first, _ = generate(load_corpus(project.root / "schemes", base=project.root), project.root, TODAY)
    assert "dispositifs/exemple.md" in first
    again, removed = generate(load_corpus(project.root / "schemes", base=project.root), project.root, TODAY)
    assert (again, removed) == ([], [])
    tool = project.root / "schemes/outils/outil-exemple.yml"
    tool.write_text(tool.read_text(encoding="utf-8").replace("Sert aux tests.", "Sert encore aux tests."), encoding="utf-8")
    changed, _ = generate(load_corpus(project.root / "schemes", base=project.root), project.root, TODAY)
    assert changed == ["outils/outil-exemple.md"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "markdown, trace",
    [
        ("<img src=x onerror=alert(1)>", "onerror"),
        ("<svg onload=alert(1)></svg>", "onload"),
        ("<script>alert(1)</script>", "alert(1)"),
        ("![suivi](https://traceur.example/pixel.png)", "traceur.example"),
        ("[clic](javascript:alert(1))", "javascript:"),
        ("<svg/x><style/x><img/src/onerror=alert(1)>", "onerror"),
    ],
    ids=["onerror", "svg-onload", "script", "external-image", "javascript-link", "svg-style-breakout"],
)
def test_hostile_html_in_a_handwritten_page_is_removed(project, capsys, monkeypatch, markdown, trace):
    """The allowlist is the second line: with the checks of hand-written pages
    switched off (tests/test_inert_guides.py shows they refuse each of these),
    their HTML is still cleaned (and the scan is the backstop)."""
    monkeypatch.setattr("generator.records.guides.check_page_text", lambda *args, **kwargs: [])
    project.write("docs/contribuer/index.md", f"# Guide\n\nAvant {markdown} après\n")
    result = project.run("build", "--date", DATE, capsys=capsys)
    assert result.code == 0, result.err
    page = (project.root / "site/contribuer/index.html").read_text(encoding="utf-8")
    assert trace not in page
    # What may stay: the link's text, an image that loads nothing from elsewhere.
    assert re.search(r'<p>Avant (<a>clic</a> |<img( alt="suivi"| src="x"| src="")?> )?\s*après</p>', page)


@pytest.mark.slow
def test_build_date_shows_what_is_in_force_that_day(project, capsys):
    project.write("schemes/exemple.yml", with_status((project.root / "schemes/exemple.yml").read_text(encoding="utf-8"),
                  "2027-01-01", "ferme", "Fin programmée.", "Cette aide a pris fin."), dedent=False)
    pages = {}
    for date in ("2026-12-31", "2027-01-01"):
        result = project.run("build", "--date", date, capsys=capsys)
        assert result.code == 0, result.out + result.err
        html = (project.root / "site/dispositifs/exemple/index.html").read_text(encoding="utf-8")
        pages[date] = unescape(re.sub(r"<[^>]+>", " ", html))
    assert "À partir du 1er janvier 2027 : Fermé" in " ".join(pages["2026-12-31"].split())
    assert "Fermé depuis le 1er janvier 2027" in " ".join(pages["2027-01-01"].split())
    assert "Fermé depuis" not in " ".join(pages["2026-12-31"].split())
    assert "Cette aide a pris fin." in pages["2027-01-01"] and "Votre dossier suit son cours." not in pages["2027-01-01"]
