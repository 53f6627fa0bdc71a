"""`reperes codeowners`: each record reviewed by its referent site's forge
team, code and configuration by the core team, and a check that fails when
.github/CODEOWNERS is out of date."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
from workspace import ROOT, Workspace

from generator.cli import main
from generator.contrib.codeowners import CORE_PATHS

SITE = "schemes/sites/site-exemple.yml"
CORE = "@asp/reperes"
TEAM = "@asp/site-exemple"


@pytest.fixture
def owned(workspace: Workspace) -> Workspace:
    workspace.write("mkdocs.yml", f'site_name: Repères (essai)\nextra:\n  reperes:\n    equipe_coeur: "{CORE}"\n')
    site = (workspace.root / SITE).read_text(encoding="utf-8")
    workspace.write(SITE, site + f'equipe_forge: "{TEAM}"\n')
    return workspace


def owners_of(codeowners: str, path: str) -> list[str]:
    """GitHub's rule for the patterns we write: the last matching line wins."""
    found: list[str] = []
    for line in codeowners.splitlines():
        if not line or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        if pattern == "*" or (pattern.endswith("/") and ("/" + path).startswith(pattern)) \
                or fnmatch.fnmatchcase("/" + path, pattern):
            found = owners
    return found


def test_codeowners_written_from_the_records(owned: Workspace, capsys):
    result = owned.run("codeowners", capsys=capsys)
    assert (result.code, result.err) == (0, "écrit : .github/CODEOWNERS\n")
    text = (owned.root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    records = text[text.index("# Tout le dépôt"):text.index("# Code, gabarits")]
    assert records == (
        "# Tout le dépôt\n"
        f"* {CORE}\n"
        "\n"
        "# Dispositif : chaque fiche, par l'équipe de son site référent\n"
        f"/schemes/exemple.yml {TEAM}\n"
        "\n"
        "# Site référent : la fiche de chaque site, par son équipe et l'équipe Repères\n"
        f"/{SITE} {TEAM} {CORE}\n"
        "\n"
    )
    assert text.startswith("# Produit par « reperes codeowners » à partir des fiches : ne pas modifier à la main.\n")
    assert owners_of(text, "schemes/exemple.yml") == [TEAM]
    assert owners_of(text, "schemes/partenaires/partenaire-exemple.yml") == [CORE]  # no owner site: core
    for core_path in ("generator/site/templates/scheme.md.jinja", "mkdocs.yml", ".github/workflows/ci.yml",
                      "schemes/_schemas/dispositif.json", "docs/contribuer/index.md", ".github/CODEOWNERS"):
        assert owners_of(text, core_path) == [CORE], core_path
    assert owned.run("codeowners", "--check", capsys=capsys).code == 0
    again = owned.run("codeowners", capsys=capsys)
    assert (again.code, again.err) == (0, "à jour : .github/CODEOWNERS\n")


def test_check_fails_when_a_site_changes_team(owned: Workspace, capsys):
    assert owned.run("codeowners", capsys=capsys).code == 0
    site = (owned.root / SITE).read_text(encoding="utf-8")
    owned.write(SITE, site.replace(TEAM, "@asp/nouvelle-equipe"))
    result = owned.run("codeowners", "--check", capsys=capsys)
    assert (result.code, result.out) == (
        1, ".github/CODEOWNERS:1:1: fichier: pas à jour par rapport aux fiches ; lancez « reperes codeowners »\n"
    )
    assert owned.run("codeowners", capsys=capsys).code == 0
    assert owners_of((owned.root / ".github/CODEOWNERS").read_text(encoding="utf-8"), "schemes/exemple.yml") == [
        "@asp/nouvelle-equipe"
    ]


def test_missing_file_is_out_of_date(owned: Workspace, capsys):
    assert owned.run("codeowners", "--check", capsys=capsys).code == 1
    assert not (owned.root / ".github").exists()


def test_core_team_must_be_configured(workspace: Workspace, capsys):
    result = workspace.run("codeowners", capsys=capsys)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "reperes : erreur : équipe Repères introuvable dans mkdocs.yml ; ajoutez sous extra.reperes la ligne "
        "equipe_coeur: \"@organisation/equipe\"\n"
    )


def test_invalid_records_produce_no_codeowners(owned: Workspace, capsys):
    owned.write(SITE, (owned.root / SITE).read_text(encoding="utf-8").replace(f'"{TEAM}"', '"asp site"'))
    result = owned.run("codeowners", capsys=capsys)
    assert result.code == 1
    assert result.err == (
        "reperes : 1 erreur dans les fiches : CODEOWNERS non produit ; lancez « make check » et corrigez-les d'abord\n"
    )
    check = owned.run("check", capsys=capsys)
    assert check.lines == [
        f"{SITE}:7:15: equipe_forge: équipe « asp site » invalide sur la forge ; écrivez « @organisation/equipe » "
        "(ou « @identifiant » pour une personne), entre guillemets"
    ]
    assert not (owned.root / ".github").exists()


def test_unquoted_team_says_to_quote(owned: Workspace, capsys):
    owned.write(SITE, (owned.root / SITE).read_text(encoding="utf-8").replace(f'"{TEAM}"', TEAM))
    assert owned.run("check", capsys=capsys).lines == [
        f"{SITE}:7:15: syntaxe: le caractère « @ » ne peut pas commencer une valeur ; "
        "mettez la valeur entre guillemets : \"@…\""
    ]


def test_the_repository_s_codeowners_is_up_to_date(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["codeowners", "--check"]) == 0, capsys.readouterr().out
    text = (ROOT / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert owners_of(text, "generator/cli.py") == owners_of(text, "mkdocs.yml")
    assert all(Path(ROOT, path.strip("/")).exists() for path in CORE_PATHS if "pre-commit" not in path)
