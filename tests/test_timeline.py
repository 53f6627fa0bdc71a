"""The status timeline as `reperes check` reads it: one entry a day, oldest
first, words for what is in force and what is scheduled, at the build date."""

from __future__ import annotations

import pytest
from test_bad_input import assert_accepted, assert_refused
from workspace import MINIMAL_SCHEME, with_status

E = "schemes/exemple.yml"
WORDS = "    elements_de_langage: Votre dossier suit son cours.\n"
NO_WORDS = "ajoutez « elements_de_langage: » à cette entrée, avec la phrase à dire mot pour mot"


def closing(date: str = "2027-01-01", words: str | None = "Le dispositif est fermé.") -> str:
    return with_status(MINIMAL_SCHEME, date, "ferme", "Fin du dispositif.", words)


def test_a_scheduled_entry_with_its_words_is_accepted(workspace, check):
    workspace.scheme(closing())
    assert_accepted(check("--date", "2026-12-01"))
    assert_accepted(check("--date", "2027-01-01"))


def test_a_scheduled_entry_without_words_is_refused(workspace, check):
    workspace.scheme(closing(words=None))
    assert_refused(check("--date", "2026-12-01"), [
        f"{E}:10:5: historique_statut[2]: l'entrée programmée au 01/01/2027 n'a pas d'éléments de langage : "
        f"ce qu'il faut dire à l'appelant à partir de cette date manque ; {NO_WORDS}",
    ])


def test_the_entry_in_force_without_words_is_refused_but_a_past_one_may_have_none(workspace, check):
    workspace.scheme(MINIMAL_SCHEME.replace(WORDS, ""))
    assert_refused(check("--date", "2026-12-01"), [
        f"{E}:6:5: historique_statut[1]: l'entrée en vigueur n'a pas d'éléments de langage : "
        f"ce qu'il faut dire à l'appelant à partir de cette date manque ; {NO_WORDS}",
    ])
    # Once a later entry is in force, the first one is the past: its words are optional.
    workspace.scheme(with_status(MINIMAL_SCHEME.replace(WORDS, ""), "2026-06-01", "perturbe", "Retards.", "Patientez."))
    assert_accepted(check("--date", "2026-12-01"))


def test_entries_out_of_order_or_on_one_day_are_refused(workspace, check):
    workspace.scheme(with_status(MINIMAL_SCHEME, "2025-01-01", "perturbe", "Retards.", "Patientez."))
    assert_refused(check(), [
        f"{E}:10:11: historique_statut[2].date: deux entrées le 01/01/2025 : une seule entrée par jour ; "
        "regroupez-les en une entrée, ou datez la nouvelle du jour où elle prend effet",
    ])
    workspace.scheme(with_status(MINIMAL_SCHEME, "2024-06-01", "annonce", "Annonce.", "Bientôt."))
    assert_refused(check(), [
        f"{E}:10:11: historique_statut[2].date: entrée du 01/06/2024, antérieure à l'entrée précédente "
        "(01/01/2025) ; la chronologie se lit du plus ancien au plus récent : ajoutez les nouvelles entrées à la fin",
    ])


def test_next_update_before_its_entry_is_refused(workspace, check):
    workspace.scheme(MINIMAL_SCHEME.replace(WORDS, WORDS + "    prochaine_mise_a_jour: 2024-12-01\n"))
    assert_refused(check(), [
        f"{E}:10:28: historique_statut[1].prochaine_mise_a_jour: prochaine mise à jour le 01/12/2024, "
        "avant la date de l'entrée (01/01/2025) ; la prochaine information est annoncée après la prise d'effet "
        "de l'entrée",
    ])


def test_nothing_in_force_at_the_date_is_refused(workspace, check):
    workspace.scheme(MINIMAL_SCHEME)
    assert_refused(check("--date", "2024-12-31"), [
        f"{E}:6:11: historique_statut[1].date: aucune entrée n'est en vigueur le 31/12/2024 : la première est "
        "datée du 01/01/2025 ; commencez la chronologie au plus tard aujourd'hui (par exemple « etat: annonce » "
        "pour un dispositif annoncé mais pas encore ouvert)",
    ])


def test_the_retired_status_block_says_where_its_fields_went(workspace, check):
    workspace.scheme(MINIMAL_SCHEME + "statut:\n  etat: ouvert\n")
    assert_refused(check(), [
        f"{E}:18:1: statut: clé inconnue « statut » ; le bloc « statut » n'existe plus : le statut est l'entrée "
        "en vigueur de « historique_statut » ; déplacez « elements_de_langage » et « prochaine_mise_a_jour » dans "
        "cette entrée, puis retirez « statut »",
    ])


@pytest.mark.parametrize("date", ["2026-12-31", "2027-01-01"])
def test_the_build_reads_the_timeline_at_its_date(project, capsys, date):
    project.scheme(closing())
    result = project.run("build", "--date", date, capsys=capsys)
    assert result.code == 0, result.out + result.err
    page = (project.root / "docs/genere/dispositifs/exemple.md").read_text(encoding="utf-8")
    if date == "2026-12-31":
        assert "**Ouvert**{ .reperes-etat .reperes-ouvert }" in page
        assert '!!! info "Changement programmé au 1er janvier 2027"' in page
    else:
        assert "**Fermé**{ .reperes-etat .reperes-ferme }" in page
        assert "Changement programmé" not in page
        assert "    Le dispositif est fermé." in page
