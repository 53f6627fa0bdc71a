"""Hand-written guides: a YAML header checked like a record, a Markdown body
checked for HTML and unsafe links, each problem at its line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

GUIDE = """\
---
titre: Changer de RIB
resume: Un employeur a changé de compte bancaire.
dispositifs:
  - exemple
outils:
  - outil-exemple
proprietaire: site-exemple
revu_le: 2026-11-01
---

## Étapes

1. Vérifier le RIB dans [l'outil](../outils/outil-exemple.md).
2. Rappeler sous 10 jours.
"""


def test_valid_guide_is_counted(workspace, check):
    workspace.write("docs/guides/changer-de-rib.md", GUIDE)
    result = check()
    assert result.code == 0
    assert result.err == "6 fiches valides : 1 dispositif, 1 partenaire, 1 outil, 1 site référent, 1 guide, glossaire\n"


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("proprietaire: site-exemple", "proprietaire: site-exemplee",
         "docs/guides/changer-de-rib.md:8:15: proprietaire: site référent « site-exemplee » introuvable ; "
         "vouliez-vous dire « site-exemple » ?"),
        ("  - outil-exemple", "  - outil-inconnu",
         "docs/guides/changer-de-rib.md:7:5: outils[1]: outil « outil-inconnu » introuvable ; "
         "créez schemes/outils/outil-inconnu.yml, ou utilisez un identifiant existant"),
        ("revu_le: 2026-11-01", "revu_le: 2026-02-30",
         "docs/guides/changer-de-rib.md:9:10: revu_le: date « 2026-02-30 » invalide : ce jour n'existe pas"),
        ("titre: Changer de RIB", "titr: Changer de RIB",
         "docs/guides/changer-de-rib.md:2:1: titr: clé inconnue « titr » ; vouliez-vous dire « titre » ?"),
        ("2. Rappeler sous 10 jours.", "2. Rappeler <b>vite</b>.",
         "docs/guides/changer-de-rib.md:15:13: texte: HTML interdit (« <b> ») : écrivez du texte simple, "
         "le HTML ne serait pas affiché ; pour montrer une balise telle quelle, mettez-la entre accents graves (`<b>`)"),
        ("2. Rappeler sous 10 jours.", "2. [Cliquez](javascript:alert(1)).",
         "docs/guides/changer-de-rib.md:15:14: texte: lien « javascript:alert(1) » interdit (schéma « javascript: ») ; "
         "seuls https:, mailto:, tel: et les liens internes sont acceptés"),
    ],
    ids=["unknown-owner", "unknown-tool", "invalid-date", "misspelt-key", "html-in-body", "javascript-in-body"],
)
def test_guide_errors_point_at_their_line(workspace, check, old, new, expected):
    workspace.write("docs/guides/changer-de-rib.md", GUIDE.replace(old, new))
    result = check()
    assert result.code == 1
    assert result.lines == [expected]
    assert "Traceback" not in result.out + result.err


def test_guide_without_header(workspace, check):
    workspace.write("docs/guides/sans-entete.md", "## Étapes\n\n1. Faire.\n")
    result = check()
    assert result.lines == [
        "docs/guides/sans-entete.md:1:1: fichier: en-tête manquant ; un guide commence par une ligne « --- », "
        "puis titre, resume, proprietaire, revu_le…, puis « --- »"
    ]


def test_html_inside_code_is_not_refused(workspace, check):
    body = GUIDE.replace("2. Rappeler sous 10 jours.", "2. Tapez `<Entrée>`.\n\n```text\n<pas du HTML>\n```")
    workspace.write("docs/guides/changer-de-rib.md", body)
    assert check().code == 0


def test_guide_page_review_page_and_edit_links(workspace, capsys, monkeypatch):
    shutil.copy(ROOT / "mkdocs.yml", workspace.root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs" / "contribuer", workspace.root / "docs" / "contribuer")
    workspace.write("docs/guides/changer-de-rib.md", GUIDE.replace("revu_le: 2026-11-01", "revu_le: 2026-06-01"))
    from generator.records.corpus import load_corpus
    from generator.site.render import generate

    generate(load_corpus(workspace.root / "schemes", base=workspace.root), workspace.root, dt.date(2026, 11, 27))
    out = workspace.root / "docs" / "genere"
    guide = (out / "guides/changer-de-rib.md").read_text(encoding="utf-8")
    assert '!!! warning "Guide à revoir"' in guide
    assert "Relecture prévue le 30 août 2026" in guide
    assert guide.count("[Modifier cette page](https://forge.exemple.invalid/asp/reperes/edit/main/"
                       "docs/guides/changer-de-rib.md)") == 1
    scheme = (out / "dispositifs/exemple.md").read_text(encoding="utf-8")
    assert "[Modifier cette page](https://forge.exemple.invalid/asp/reperes/edit/main/schemes/exemple.yml)" in scheme
    assert "**Guides d'appel :** [Changer de RIB](../guides/changer-de-rib.md)\n" in scheme
    review = (out / "a-revoir.md").read_text(encoding="utf-8")
    assert "## [Site](sites/site-exemple.md)" in review
    assert "| [Changer de RIB](guides/changer-de-rib.md) | Guide | 1er juin 2026 | 30 août 2026 | 89 jours" in review
