"""`reperes check` as a referent meets it: ids suggested whatever their case,
a file or a subfolder given, GitHub annotations and the job summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import NOT_A_PROJECT
from workspace import Workspace

from generator.contrib import github
from generator.errors import RecordError

E = "schemes/exemple.yml"
SLUG_RULE = "uniquement des minuscules sans accent, des chiffres et des tirets (par exemple « aide-embauche-jeunes »)"


def _line_number(workspace: Workspace, name: str, text: str) -> int:
    lines = (workspace.root / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_an_id_in_capitals_is_suggested_in_lowercase(workspace, check):
    workspace.write("schemes/partenaires/opco.yml", "id: opco\nnom: OPCO\ntype: opco\nrole: Finance l'alternance.\n")
    text = (workspace.root / E).read_text(encoding="utf-8").replace("responsable: partenaire-exemple", "responsable: OPCO")
    workspace.write(E, text)
    line = _line_number(workspace, E, "responsable: OPCO")
    result = check()
    assert result.lines == [
        f"{E}:{line}:18: circuit[2].responsable: identifiant « OPCO » invalide : {SLUG_RULE} ; "
        "écrivez-le en minuscules : « opco »"
    ]
    assert result.code == 1


def test_a_reference_differing_only_by_case_suggests_the_existing_id(workspace, check):
    # A valid slug that names nothing: the suggestion ignores case and spelling alike.
    workspace.write("schemes/partenaires/opco-2i.yml", "id: opco-2i\nnom: OPCO 2i\ntype: opco\nrole: Finance.\n")
    text = (workspace.root / E).read_text(encoding="utf-8").replace("responsable: partenaire-exemple", "responsable: opco-2")
    workspace.write(E, text)
    line = _line_number(workspace, E, "responsable: opco-2")
    assert check().lines == [
        f"{E}:{line}:18: circuit[2].responsable: partenaire « opco-2 » introuvable ; vouliez-vous dire « opco-2i » ?"
    ]


def _break_tool(workspace: Workspace) -> str:
    workspace.write("schemes/outils/outil-exemple.yml", "id: outil-exemple\nnom: Outil\nobjet: Sert.\nsigle: NO\n")
    return ("schemes/outils/outil-exemple.yml:4:8: sigle: « NO » serait lu comme un booléen par YAML ; "
            "mettez la valeur entre guillemets : \"NO\"")


def test_check_of_one_file_from_its_folder_reports_that_file_only(workspace, capsys):
    tool_error = _break_tool(workspace)
    workspace.write("schemes/sites/site-exemple.yml", "id: site-exemple\nnom: NO\n")  # broken too, not asked for
    result = workspace.run("check", "outil-exemple.yml", capsys=capsys, cwd=workspace.root / "schemes" / "outils")
    assert result.lines == [tool_error]
    assert result.err == "1 erreur dans 1 fichier (1 fichier vérifié)\n"
    assert result.code == 1


def test_check_of_a_valid_file_reads_the_others_for_its_references(workspace, capsys):
    result = workspace.run("check", E, capsys=capsys)
    assert (result.code, result.out, result.err) == (0, "", "1 fichier sans erreur\n")


def test_check_of_a_file_from_outside_the_project_finds_the_project(workspace, capsys, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("ailleurs")
    tool_error = _break_tool(workspace)
    target = workspace.root / "schemes/outils/outil-exemple.yml"
    result = workspace.run("check", str(target), capsys=capsys, cwd=elsewhere)
    assert result.lines == [tool_error]  # paths still shown from the project's root
    assert result.code == 1


def test_check_of_a_file_outside_any_project_says_how(tmp_path, capsys):
    lone = tmp_path / "seule.yml"
    lone.write_text("id: seule\n", encoding="utf-8")
    result = Workspace.__new__(Workspace).run("check", str(lone), capsys=capsys, cwd=tmp_path)
    assert result.code == 2
    assert result.err == NOT_A_PROJECT.format(folder=tmp_path)


def test_check_of_a_missing_file_is_a_usage_error(check):
    result = check("schemes/absente.yml")
    assert (result.code, result.out) == (2, "")
    assert result.err == "reperes : erreur : fichier « schemes/absente.yml » introuvable\n"


# --- GitHub Actions ---------------------------------------------------------------


def _errors(count: int) -> list[RecordError]:
    return [RecordError(f"schemes/f{n:02d}.yml", n + 1, 3, "nom", f"problème {n}", "corrigez") for n in range(count)]


def test_only_the_first_ten_errors_become_annotations_the_rest_stay_in_the_log():
    lines = github.annotation_lines(_errors(12))
    assert [line.split(" ")[0] for line in lines[:10]] == ["::error"] * 10
    assert lines[10:12] == ["schemes/f10.yml:11:3: nom: problème 10 ; corrigez", "schemes/f11.yml:12:3: nom: problème 11 ; corrigez"]
    assert lines[12] == (
        "::notice title=Repères %3A 2 autres erreurs::GitHub n'annote que les 10 premières erreurs ; les 12 erreurs "
        "sont dans le résumé de l'exécution (onglet Summary) et dans ce journal"
    )
    assert github.annotation_lines(_errors(10)) == [error.format_github() for error in _errors(10)]


def test_the_job_summary_holds_every_error_in_french(workspace, check, monkeypatch, tmp_path):
    tool_error = _break_tool(workspace)
    summary = tmp_path / "resume.md"
    summary.write_text("avant\n", encoding="utf-8")  # GitHub's file may hold other steps' lines: appended
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = check("--format", "github")
    assert result.code == 1
    assert result.lines == [
        "::error file=schemes/outils/outil-exemple.yml,line=4,col=8,title=Repères %3A sigle::sigle: « NO » serait lu "
        "comme un booléen par YAML ; mettez la valeur entre guillemets : \"NO\""
    ]
    assert summary.read_text(encoding="utf-8") == (
        "avant\n"
        "## Vérification des fiches\n\n"
        "1 erreur dans 1 fichier (5 fichiers vérifiés). Chaque ligne donne le fichier, la ligne et la colonne, "
        "le champ, le problème et, après « ; », la correction.\n\n"
        f"```\n{tool_error}\n```\n"
    )


def test_contributor_text_cannot_close_the_summary_s_code_block():
    error = RecordError("schemes/a.yml", 1, 1, "nom", "valeur « ```` [lien](https://x.invalid) »")
    text = github.summary_markdown([error], 1)
    assert "\n`````\nschemes/a.yml:1:1: nom: valeur « ```` [lien](https://x.invalid) »\n`````\n" in text


def test_the_job_summary_is_cut_under_github_s_limit_with_a_french_note():
    errors = _errors(60)
    limit = 2000
    text = github.summary_markdown(errors, 60, limit=limit)
    assert len(text.encode("utf-8")) <= limit
    shown = [line for line in text.splitlines() if line.startswith("schemes/")]
    assert 10 < len(shown) < 60
    assert shown == [error.format_text() for error in errors[: len(shown)]]
    assert text.endswith(
        f"**Résumé tronqué :** {60 - len(shown)} erreurs non affichées ici (limite de 1 Kio du résumé GitHub) ; "
        "le journal de l'étape les contient toutes, et « make check » les affiche sur votre poste.\n"
    )


@pytest.mark.parametrize("count", [1, 5000])
def test_the_real_limit_is_respected(count):
    errors = [RecordError(f"schemes/{'x' * 200}-{n}.yml", 1, 1, "nom", "é" * 300) for n in range(count)]
    assert len(github.summary_markdown(errors, count).encode("utf-8")) <= github.SUMMARY_LIMIT


def test_no_summary_is_written_outside_github(workspace, check, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    _break_tool(workspace)
    assert check("--format", "github").code == 1
    assert sorted(p.name for p in Path(workspace.root).iterdir()) == ["mkdocs.yml", "schemes"]
