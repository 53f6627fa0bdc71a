"""The command line as a user meets it: French words, exit codes, no traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from gitrepo import GitRepo
from workspace import MINIMAL_FILES, Workspace

NOT_A_PROJECT = (
    "reperes : erreur : « {folder} » n'est pas dans un projet Repères (aucun dossier parent ne contient "
    "mkdocs.yml et schemes/) ; lancez la commande dans le dossier du projet ou l'un de ses sous-dossiers\n"
)


def test_no_command_shows_french_help_and_exits_2(workspace, capsys):
    result = workspace.run(capsys=capsys)
    assert result.code == 2
    assert result.err.startswith("usage : reperes")
    assert "vérifier toutes les fiches" in result.err


def test_unknown_option_is_a_usage_error_in_french(workspace, capsys):
    result = workspace.run("check", "--formt", "json", capsys=capsys)
    assert result.code == 2
    assert result.err.splitlines()[-1] == "reperes : erreur : argument inconnu : --formt"


def test_valid_corpus_summary(check):
    result = check()
    assert result.code == 0
    assert result.err == "5 fiches valides : 1 dispositif, 1 partenaire, 1 outil, 1 site référent, glossaire\n"


def test_schema_writes_then_checks(workspace, capsys):
    result = workspace.run("schema", capsys=capsys)
    assert result.code == 0
    assert (workspace.root / "schemes/_schemas/dispositif.json").exists()
    assert (workspace.root / "docs/contribuer/reference-des-champs.md").exists()
    assert workspace.run("schema", "--check", capsys=capsys).code == 0
    (workspace.root / "schemes/_schemas/outil.json").write_text("{}", encoding="utf-8")
    stale = workspace.run("schema", "--check", capsys=capsys)
    assert stale.code == 1
    assert stale.out == (
        "schemes/_schemas/outil.json:1:1: fichier: pas à jour par rapport aux modèles ; lancez « reperes schema »\n"
    )


def test_internal_error_in_one_record_is_reported_with_the_others_and_exits_3(workspace, capsys, monkeypatch):
    import generator.records.corpus

    def boom(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(generator.records.corpus, "validate_record", boom)
    result = workspace.run("check", capsys=capsys)
    assert result.code == 3
    assert "Traceback" not in result.out + result.err
    assert result.out.splitlines()[0] == (
        "schemes/exemple.yml:1:1: fichier: erreur interne en lisant ce fichier (RuntimeError: panne simulée) ; "
        "signalez-la à l'équipe Repères et relancez avec --debug pour le détail"
    )


@pytest.mark.parametrize("command", [["check"], ["build"], ["schema"], ["diff", "HEAD"]])
def test_any_unexpected_exception_exits_3_with_one_french_line(workspace, capsys, monkeypatch, command):
    import generator.project

    def boom(*args, **kwargs):
        raise KeyError("clé")

    monkeypatch.setattr(generator.project.Project, "find", boom)
    result = workspace.run(*command, capsys=capsys)
    assert result.code == 3
    assert result.out == ""
    assert result.err == (
        "reperes : erreur interne (KeyError: 'clé') ; "
        "signalez-la à l'équipe Repères et relancez avec --debug pour le détail\n"
    )


def test_debug_shows_the_traceback(workspace, capsys, monkeypatch):
    import generator.records.corpus

    def boom(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(generator.records.corpus, "validate_record", boom)
    with pytest.raises(RuntimeError, match="panne simulée"):
        workspace.run("check", "--debug", capsys=capsys)


# --- outside a project, or inside it from a subfolder ------------------------------


@pytest.mark.parametrize(
    "command",
    [["check"], ["check", "--base", "main"], ["check", "--format", "json"], ["build"],
     ["build", "--date", "2026-11-27"], ["diff", "HEAD~1"], ["schema"], ["schema", "--check"]],
    ids=lambda command: " ".join(command),
)
def test_every_command_outside_a_project_exits_2_and_writes_nothing(tmp_path, capsys, command):
    empty = tmp_path / "vide"
    empty.mkdir()
    result = Workspace.__new__(Workspace).run(*command, capsys=capsys, cwd=empty)
    assert result.code == 2
    assert result.out == ""
    assert result.err == NOT_A_PROJECT.format(folder=empty)
    assert list(empty.iterdir()) == []
    assert list(tmp_path.iterdir()) == [empty]


def test_check_from_a_subfolder_shows_paths_from_the_project_root(workspace, capsys):
    workspace.write("schemes/outils/outil-exemple.yml", "id: outil-exemple\nnom: Outil\nobjet: Sert.\nsigle: NO\n")
    result = workspace.run("check", capsys=capsys, cwd=workspace.root / "schemes" / "outils")
    assert result.code == 1
    assert result.lines == [
        "schemes/outils/outil-exemple.yml:4:8: sigle: « NO » serait lu comme un booléen par YAML ; "
        "mettez la valeur entre guillemets : \"NO\""
    ]


def test_check_from_a_subfolder_in_a_separate_process(workspace):
    result = workspace.run_process("check", cwd=workspace.root / "schemes")
    assert result.code == 0, result.err
    assert result.err == "5 fiches valides : 1 dispositif, 1 partenaire, 1 outil, 1 site référent, glossaire\n"


def test_schema_from_a_subfolder_writes_into_the_project(workspace, capsys):
    sub = workspace.root / "schemes" / "sites"
    result = workspace.run("schema", capsys=capsys, cwd=sub)
    assert result.code == 0
    assert "écrit : schemes/_schemas/dispositif.json" in result.err.splitlines()
    assert "écrit : docs/contribuer/reference-des-champs.md" in result.err.splitlines()
    assert sorted(p.name for p in sub.iterdir()) == ["site-exemple.yml"]
    assert (workspace.root / "schemes/_schemas/dispositif.json").is_file()


# --- build --date ------------------------------------------------------------------


@pytest.mark.parametrize(
    "date, message",
    [
        ("27/11/2026", "date « 27/11/2026 » au mauvais format ; écrivez AAAA-MM-JJ, par exemple 2026-11-27"),
        ("2026-W48-5", "date « 2026-W48-5 » au mauvais format ; écrivez AAAA-MM-JJ, par exemple 2026-11-27"),
        ("2026-02-30", "date « 2026-02-30 » invalide : ce jour n'existe pas ; écrivez AAAA-MM-JJ, par exemple 2026-11-27"),
    ],
)
def test_build_date_must_be_a_real_day_written_aaaa_mm_jj(workspace, capsys, date, message):
    result = workspace.run("build", "--date", date, capsys=capsys)
    assert result.code == 2
    assert result.err == f"reperes : erreur : {message}\n"
    assert not (workspace.root / "site").exists()
    assert not (workspace.root / "docs" / "genere").exists()


def test_build_help_documents_the_date_in_french(workspace, capsys):
    result = workspace.run("build", "--help", capsys=capsys)
    assert result.code == 0
    assert "--date AAAA-MM-JJ" in result.out
    assert "en vigueur à cette date" in " ".join(result.out.split())


# --- one situation, one exit code ---------------------------------------------------


@pytest.fixture
def shallow_clone(tmp_path: Path) -> Path:
    repo = GitRepo(tmp_path / "depot")
    for name, text in MINIMAL_FILES.items():
        repo.write(name, text)
    Workspace.add_site_files(repo)  # a project that builds: only the shallow history stops it
    repo.commit("Fiches\n\nPourquoi: test", "2026-05-01T10:00:00+02:00")
    repo.replace("schemes/exemple.yml", "nom: Aide exemple", "nom: Aide")
    repo.commit("Nom\n\nPourquoi: test", "2026-05-02T10:00:00+02:00")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
        check=True, timeout=60, env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1"},
    )
    return clone


def test_a_shallow_clone_exits_2_in_check_base_and_in_build(shallow_clone, capsys):
    clone = Workspace.__new__(Workspace)
    clone.root = shallow_clone
    first = "reperes : erreur : historique incomplet : ce dépôt est un clone superficiel (shallow)"
    checked = clone.run("check", "--base", "HEAD", capsys=capsys)
    built = clone.run("build", capsys=capsys)
    assert (checked.code, built.code) == (2, 2), built.err
    assert checked.err.startswith(first)
    assert built.err.startswith(first)
    assert built.err.endswith("\nreperes : le site précédent est resté en place\n")
    assert not (shallow_clone / "site").exists()


# --- hints are a field, never split back out of a message ---------------------------


def _json_errors(workspace, capsys) -> list[dict[str, object]]:
    import json

    result = workspace.run("check", "--format", "json", capsys=capsys)
    assert result.code == 1
    return [{k: e[k] for k in ("path", "line", "field", "message", "hint")} for e in json.loads(result.out)["erreurs"]]


def test_a_link_error_carries_its_hint_as_a_field_and_braces_stay_text(workspace, capsys):
    scheme = MINIMAL_FILES["schemes/exemple.yml"].replace(
        "resume: Une aide pour les tests.", 'resume: "Voir [ici](javascript:{hint}{value})."'
    )
    workspace.write("schemes/exemple.yml", scheme)
    assert _json_errors(workspace, capsys) == [{
        "path": "schemes/exemple.yml", "line": 4, "field": "resume",
        "message": "lien « javascript:{hint}{value} » interdit (schéma « javascript: »)",
        "hint": "seuls https:, mailto:, tel: et les liens internes sont acceptés",
    }]


def test_a_phone_number_error_carries_its_hint_as_a_field(workspace, capsys):
    workspace.write(
        "schemes/sites/site-exemple.yml",
        "id: site-exemple\nnom: Site\ncontact:\n  canal: telephone\n  libelle: Standard\n  valeur: douze\n",
    )
    assert _json_errors(workspace, capsys) == [{
        "path": "schemes/sites/site-exemple.yml", "line": 4, "field": "contact",
        "message": "numéro de téléphone « douze » invalide",
        "hint": "écrivez par exemple 0 809 549 549",
    }]


def test_one_line_spells_out_what_would_break_or_hide_a_line():
    from generator.errors import one_line

    assert one_line("a\nb\r\tc\x1bd\u202ee\u200bf") == "a\\nb\\r\\tc\\x1bdU+202EeU+200Bf"
    assert one_line("texte simple « é »") == "texte simple « é »"
