"""`reperes build --moteur zensical`: the checked pages built by Zensical 0.0.73
(.venv-zensical/, `make zensical-install`), then scanned as MkDocs' output is.

Without the environment these tests are skipped with the reason; in CI
(CI=true) a missing environment is a failure: `make test` installs it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = ROOT / ".venv-zensical"
DATE = "2026-11-27"


@pytest.fixture
def zensical_project(project):
    if not (ENVIRONMENT / "bin" / "zensical").is_file():
        message = "Zensical absent (.venv-zensical/) : « make zensical-install » l'installe, « make test » aussi"
        if os.environ.get("CI"):
            pytest.fail(message + " — en CI, make test doit l'installer")
        pytest.skip(message)
    (project.root / ".venv-zensical").symlink_to(ENVIRONMENT)
    return project


@pytest.mark.slow
def test_zensical_builds_the_checked_pages(zensical_project, capsys):
    result = zensical_project.run("build", "--moteur", "zensical", "--date", DATE, capsys=capsys)
    assert result.code == 0, result.out + result.err
    assert result.err.splitlines()[-1].startswith("site construit dans site/ (")
    site = zensical_project.root / "site"
    page = (site / "dispositifs/exemple/index.html").read_text(encoding="utf-8")
    assert "Votre dossier suit son cours." in page
    # Zensical built it, with its own search: its index (MkDocs writes
    # search/search_index.json), and the worker its pages name (our
    # theme override leaves that key alone under Zensical).
    assert "items" in json.loads((site / "search.json").read_text(encoding="utf-8"))
    config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>', page).group(1))
    assert (site / "dispositifs" / "exemple" / config["search"]).resolve().is_file()
    # Nothing left beside the project: the temporary copy of mkdocs.yml is gone.
    assert sorted(p.name for p in zensical_project.root.iterdir() if p.name.startswith(".mkdocs")) == []


@pytest.mark.slow
def test_zensical_build_stops_on_invalid_records(zensical_project, capsys):
    text = (zensical_project.root / "schemes/exemple.yml").read_text(encoding="utf-8")
    zensical_project.write("schemes/exemple.yml", text.replace("domaine: embauche", "domaine: embauchee"))
    result = zensical_project.run("build", "--moteur", "zensical", "--date", DATE, capsys=capsys)
    assert result.code == 1
    assert result.lines[0].startswith("schemes/exemple.yml:3:10: domaine: valeur « embauchee » inconnue")
    assert result.err.splitlines()[-1] == "1 erreur : site non construit, le site précédent reste en place"
    assert not (zensical_project.root / "site").exists()


@pytest.mark.slow
def test_the_scan_fails_a_zensical_build_and_keeps_the_previous_site(zensical_project, capsys):
    assert zensical_project.run("build", "--moteur", "zensical", "--date", DATE, capsys=capsys).code == 0
    before = (zensical_project.root / "site/dispositifs/exemple/index.html").read_text(encoding="utf-8")
    # A theme change that slips an inline script into every page.
    main = zensical_project.root / "docs/theme/main.html"
    main.write_text(main.read_text(encoding="utf-8") + "\n{% block scripts %}{{ super() }}"
                    "<script>fetch('/x')</script>{% endblock %}\n", encoding="utf-8")
    result = zensical_project.run("build", "--moteur", "zensical", "--date", DATE, capsys=capsys)
    assert result.code == 1, result.out + result.err
    assert "reperes : erreur : contenu dangereux dans le site construit" in result.err
    assert "dispositifs/exemple/index.html: script en ligne inconnu : « fetch('/x')… »" in result.err
    assert result.err.splitlines()[-1] == "reperes : le site précédent est resté en place"
    assert (zensical_project.root / "site/dispositifs/exemple/index.html").read_text(encoding="utf-8") == before


def test_without_zensical_the_command_says_how_to_install_it(project, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "vide"))
    result = project.run("build", "--moteur", "zensical", capsys=capsys)
    assert result.code == 2
    assert result.err.splitlines() == [
        "reperes : erreur : Zensical introuvable (ni .venv-zensical/bin/zensical ni « zensical » dans le PATH) ; "
        "make zensical-install l'installe dans .venv-zensical/ (versions de requirements-zensical.txt)",
        "reperes : le site précédent est resté en place",
    ]
