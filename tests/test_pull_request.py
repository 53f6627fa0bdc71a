"""A referent's pull request from the forge's web editor: the reason written in
the description, and corrections of a past status entry's text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import GitRepo, committed
from test_history import SCHEME, _bare, run_check
from workspace import MINIMAL_FILES

from generator.history.changelog import read_history
from generator.history.changes import describe_changes

NO_REASON = (
    "sans dire pourquoi (ni la description de la pull request) ; ajoutez une ligne « Pourquoi: … » à la "
    "description de la pull request (elle devient le message du commit fusionné)"
)
LATER_STATUS = (
    "  - date: 2025-09-01\n    etat: ouvert\n    explication: Tout fonctionne.\n"
    "    elements_de_langage: Votre dossier suit son cours.\n"
)
NEW_STATUS = (
    "  - date: 2026-05-30\n    etat: perturbe\n    explication: Le flux de l'OPCO arrive en retard.\n"
    "    elements_de_langage: Votre paiement aura quelques jours de retard.\n"
)


@pytest.fixture
def pr(tmp_path: Path) -> GitRepo:
    """main with the sample records and one past status entry; a branch `fiche` for the request."""
    scheme = MINIMAL_FILES[SCHEME].replace("explication: Tout fonctionne.", "explication: Ouverture du dipositif.")
    return committed(tmp_path / "depot", {**MINIMAL_FILES, SCHEME: scheme.replace("circuit:\n", LATER_STATUS + "circuit:\n")},
                     branch="fiche")


def _edit_in_web_editor(pr: GitRepo) -> str:
    """A status change committed as the web editor does: a subject, no reason."""
    pr.replace(SCHEME, "circuit:\n", NEW_STATUS + "circuit:\n")
    return pr.commit("Update exemple.yml", "2026-06-01T10:00:00+02:00")


def _description(tmp_path: Path, text: str) -> str:
    path = tmp_path / "description.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_reason_in_the_description_file_covers_the_request(pr: GitRepo, capsys, tmp_path):
    commit = _edit_in_web_editor(pr)
    described = _description(tmp_path, "## Ce qui change\n\nStatut perturbé.\n\nPourquoi: flux OPCO en retard\n")
    assert run_check(pr, capsys, "--base", "main", "--description", described).code == 0
    silent = _description(tmp_path, "## Ce qui change\n\nStatut perturbé.\n")
    result = run_check(pr, capsys, "--base", "main", "--description", silent)
    assert result.code == 1
    assert result.lines == [f"schemes/exemple.yml:1:1: pourquoi: le commit {commit[:7]} « Update exemple.yml » "
                            f"modifie cette fiche {NO_REASON}"]


@pytest.mark.parametrize("body, code", [("Pourquoi: flux OPCO en retard", 0), (None, 1), ("", 1)])
def test_reason_read_from_the_github_event(pr: GitRepo, capsys, tmp_path, monkeypatch, body, code):
    _edit_in_web_editor(pr)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "edited", "pull_request": {"number": 7, "body": body}}), encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    result = run_check(pr, capsys, "--base", "main")
    assert result.code == code
    if code:
        assert result.lines[0].endswith(NO_REASON)


def test_a_push_event_has_no_description(pr: GitRepo, capsys, tmp_path, monkeypatch):
    commit = _edit_in_web_editor(pr)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main", "head_commit": {"message": "x"}}), encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    assert run_check(pr, capsys, "--base", "main").lines == [
        f"schemes/exemple.yml:1:1: pourquoi: le commit {commit[:7]} « Update exemple.yml » modifie cette fiche "
        "sans dire pourquoi ; ajoutez une ligne « Pourquoi: … » à la description de la pull request "
        "(elle devient le message du commit fusionné)"
    ]


def test_unreadable_description_is_a_usage_error(pr: GitRepo, capsys, tmp_path):
    _edit_in_web_editor(pr)
    result = run_check(pr, capsys, "--base", "main", "--description", str(tmp_path / "absente.md"))
    assert result.code == 2
    assert result.err.startswith(f"reperes : erreur : fichier de description « {tmp_path / 'absente.md'} » illisible : ")


# --- corrections of a past status entry ------------------------------------------


def _fix_typo(pr: GitRepo, message: str) -> None:
    pr.replace(SCHEME, "explication: Ouverture du dipositif.", "explication: Ouverture du dispositif.")
    pr.commit(message, "2026-06-02T10:00:00+02:00")


def _entry_line(pr: GitRepo) -> int:
    return next(n for n, line in enumerate(pr.read(SCHEME).splitlines(), 1) if line.startswith("  - date: 2025-01-0"))


UNDECLARED = (
    "le texte de l'entrée du 01/01/2025 a été modifié sans ligne « Correction: » ; pour corriger son texte "
    "(explication, éléments de langage), ajoutez une ligne « Correction: … » à la description de la pull request, "
    "à côté de « Pourquoi: » ; pour un nouveau statut, rétablissez l'entrée et ajoutez-en une à la fin"
)


def test_a_typo_in_a_past_entry_needs_a_correction_line(pr: GitRepo, capsys, tmp_path):
    _fix_typo(pr, "Corriger une faute\n\nPourquoi: faute de frappe")
    result = run_check(pr, capsys, "--base", "main")
    assert result.lines == [f"schemes/exemple.yml:{_entry_line(pr)}:5: historique_statut[1]: {UNDECLARED}"]
    described = _description(tmp_path, "Pourquoi: faute de frappe\nCorrection: entrée du 01/01/2025, « dispositif »\n")
    assert run_check(pr, capsys, "--base", "main", "--description", described).code == 0


def test_a_correction_line_in_the_commit_is_enough(pr: GitRepo, capsys):
    _fix_typo(pr, "Corriger une faute\n\nPourquoi: faute de frappe\nCorrection: « dipositif » → « dispositif »")
    assert run_check(pr, capsys, "--base", "main").code == 0


@pytest.mark.parametrize(
    "old, new",
    [("    etat: ouvert\n", "    etat: perturbe\n"), ("  - date: 2025-01-01", "  - date: 2025-01-02")],
    ids=["state", "date"],
)
def test_a_correction_never_changes_a_past_date_or_state(pr: GitRepo, capsys, old, new):
    pr.replace(SCHEME, old, new)
    pr.commit("Corriger\n\nPourquoi: erreur\nCorrection: l'entrée", "2026-06-02T10:00:00+02:00")
    result = run_check(pr, capsys, "--base", "main")
    assert result.code == 1
    assert result.lines == [
        f"schemes/exemple.yml:{_entry_line(pr)}:5: historique_statut[1]: l'entrée du 01/01/2025 a été modifiée ou "
        "supprimée : l'historique du statut ne se réécrit pas ; rétablissez sa date et son état et ajoutez une "
        "nouvelle entrée à la fin (seul son texte se corrige, avec une ligne « Correction: »)"
    ]


def test_a_correction_is_told_as_such_in_the_history(pr: GitRepo, capsys):
    _fix_typo(pr, "Corriger une faute\n\nPourquoi: faute de frappe\nCorrection: « dipositif »")
    newest = read_history(pr.root).for_record("dispositif", "exemple")[0]
    assert newest.sentences == ["Correction du 01/01/2025 : explication « Ouverture du dispositif. »"]
    assert newest.reason == "faute de frappe"
    diff = _bare(pr.root).run("diff", "main", capsys=capsys)
    assert "- Correction du 01/01/2025 : explication « Ouverture du dispositif. »\n" in diff.out


def test_correction_sentences_name_each_corrected_text():
    entry = {"date": "2025-01-01", "etat": "ouvert", "explication": "Ouverture.", "donnee_exemple": False}
    long_text = "Le dossier est en cours d'instruction ; le paiement suivra dans les trente jours qui viennent."
    corrected = {**entry, "explication": long_text}
    latest = {**entry, "date": "2025-09-01"}
    before, after = {"historique_statut": [entry, latest]}, {"historique_statut": [corrected, latest]}
    assert describe_changes("dispositif", before, after) == ["Correction du 01/01/2025 : explication corrigée"]
    assert describe_changes("dispositif", before, after, with_text=True) == [f"Correction du 01/01/2025 : explication corrigée : « {long_text} »"]
    # The latest entry's text is the status's own: told as such.
    assert describe_changes("dispositif", {"historique_statut": [entry]}, {"historique_statut": [corrected]}) == [
        "Explication du statut modifiée"
    ]


SCHEDULED = (
    "  - date: 2099-01-01\n    etat: ferme\n    explication: Fin programmée.\n"
    "    elements_de_langage: Le dispositif fermera le 1er janvier 2099.\n"
)


def test_a_scheduled_entry_may_be_reworded_moved_or_withdrawn_before_its_date(tmp_path, capsys):
    """It has said nothing yet: only entries already in force are history."""
    scheme = MINIMAL_FILES[SCHEME].replace("circuit:\n", SCHEDULED + "circuit:\n")
    pr = committed(tmp_path / "depot", {**MINIMAL_FILES, SCHEME: scheme}, branch="fiche")
    pr.replace(SCHEME, "  - date: 2099-01-01\n    etat: ferme\n    explication: Fin programmée.\n",
               "  - date: 2099-03-01\n    etat: ferme\n    explication: Fin reportée au 1er mars.\n")
    pr.commit("Reporter la fermeture\n\nPourquoi: décret modifié", "2026-06-02T10:00:00+02:00")
    assert run_check(pr, capsys, "--base", "main").code == 0
    pr.write(SCHEME, MINIMAL_FILES[SCHEME])
    pr.commit("Retirer la fermeture programmée\n\nPourquoi: décret abrogé", "2026-06-03T10:00:00+02:00")
    assert run_check(pr, capsys, "--base", "main").code == 0
