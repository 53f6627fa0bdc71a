"""What is in force on a date and when a record is due for review, with exact
values: records are read as `reperes` reads them (strict YAML, then the model)."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.records.corpus import load_corpus
from generator.records.freshness import ReviewState, overdue_records, review_state
from generator.records.guides import parse_guide_bytes
from generator.records.kinds import KINDS
from generator.records.loader import load_yaml
from generator.records.models import Dispositif, Etat
from generator.records.status import InForce, in_force, periods_in_force, upcoming_amounts
from generator.records.validation import validate_record
from tests.workspace import MINIMAL_SCHEME

TODAY = dt.date(2026, 11, 27)


def scheme(extra: str = "", *, timeline: str | None = None) -> Dispositif:
    text = MINIMAL_SCHEME
    if timeline is not None:
        start = text.index("historique_statut:\n")
        end = text.index("circuit:\n")
        text = text[:start] + timeline + text[end:]
    loaded, errors, _ = load_yaml("schemes/exemple.yml", (text + extra).encode())
    assert errors == []
    model, errors = validate_record(Dispositif, loaded, "schemes/exemple.yml")
    assert errors == [], [e.format_text() for e in errors]
    return model


TIMELINE = """\
historique_statut:
  - date: 2025-01-01
    etat: ouvert
    explication: Ouverture.
  - date: 2026-10-01
    etat: perturbe
    explication: Retards de paiement.
    elements_de_langage: Les paiements ont du retard.
    prochaine_mise_a_jour: 2026-12-01
  - date: 2027-01-15
    etat: paiements_bloques
    explication: Fin de la convention.
    elements_de_langage: Les paiements sont suspendus.
  - date: 2027-03-01
    etat: ferme
    explication: Le dispositif ferme.
    elements_de_langage: Les demandes ne sont plus reçues.
"""


def summary(force: InForce) -> tuple:
    return (force.etat, force.depuis, force.explication, force.elements_de_langage, force.prochaine_mise_a_jour,
            [(e.date, e.etat) for e in force.scheduled], force.started)


def test_a_single_entry_is_in_force():
    assert summary(in_force(scheme(), TODAY)) == (
        Etat.ouvert, dt.date(2025, 1, 1), "Tout fonctionne.", "Votre dossier suit son cours.", None, [], True,
    )


def test_the_last_entry_on_or_before_the_date_is_in_force_with_its_own_words():
    force = in_force(scheme(timeline=TIMELINE), TODAY)
    assert summary(force) == (
        Etat.perturbe, dt.date(2026, 10, 1), "Retards de paiement.", "Les paiements ont du retard.",
        dt.date(2026, 12, 1), [(dt.date(2027, 1, 15), Etat.paiements_bloques), (dt.date(2027, 3, 1), Etat.ferme)],
        True,
    )
    assert force.upcoming.elements_de_langage == "Les paiements sont suspendus."


def test_a_scheduled_entry_applies_on_its_own_date_with_its_own_words():
    on_the_day = in_force(scheme(timeline=TIMELINE), dt.date(2027, 1, 15))
    assert (on_the_day.etat, on_the_day.elements_de_langage) == (Etat.paiements_bloques, "Les paiements sont suspendus.")
    assert on_the_day.prochaine_mise_a_jour is None  # the earlier entry's date is not carried over
    assert [e.date for e in on_the_day.scheduled] == [dt.date(2027, 3, 1)]
    assert in_force(scheme(timeline=TIMELINE), dt.date(2027, 1, 14)).etat is Etat.perturbe
    closed = in_force(scheme(timeline=TIMELINE), dt.date(2030, 1, 1))
    assert (closed.etat, closed.elements_de_langage, closed.upcoming) == (Etat.ferme, "Les demandes ne sont plus reçues.", None)


def test_before_the_first_entry_nothing_has_started():
    force = in_force(scheme(timeline=TIMELINE), dt.date(2024, 6, 1))
    assert (force.etat, force.started, len(force.scheduled)) == (Etat.ouvert, False, 3)


def test_amount_periods_on_a_date():
    model = scheme(
        "montants:\n"
        "  - du: 2027-01-01\n    montant: 2 000 €\n"
        "  - du: 2025-01-01\n    au: 2025-12-31\n    montant: 500 €\n"
        "  - du: 2026-01-01\n    au: 2026-11-27\n    montant: 1 000 €\n"
    )
    assert [(p["m"].montant, p["state"]) for p in periods_in_force(model.montants, TODAY)] == [
        ("2 000 €", "à venir"), ("500 €", "terminée"), ("1 000 €", "en vigueur"),
    ]
    assert [m.montant for m in upcoming_amounts(model.montants, TODAY)] == ["2 000 €"]


# revu_le: 2026-11-01 with the default interval of 90 days: due on 2027-01-30.
@pytest.mark.parametrize(("today", "state"), [
    (dt.date(2027, 1, 29), ReviewState(dt.date(2027, 1, 30), False, 0)),
    (dt.date(2027, 1, 30), ReviewState(dt.date(2027, 1, 30), False, 0)),  # the due day is not late
    (dt.date(2027, 1, 31), ReviewState(dt.date(2027, 1, 30), True, 1)),
    (dt.date(2027, 3, 1), ReviewState(dt.date(2027, 1, 30), True, 30)),
])
def test_review_state_of_a_scheme(today, state):
    assert review_state(scheme(), today) == state


def test_review_state_of_a_guide_with_its_own_interval():
    raw = (b"---\ntitre: Guide\nresume: Pour les tests.\nproprietaire: site-exemple\nrevu_le: 2026-06-01\n"
           b"intervalle_revue_jours: 30\n---\n\nTexte.\n")
    guide, _, errors = parse_guide_bytes("docs/guides/guide.md", raw)
    assert errors == []
    assert review_state(guide, TODAY) == ReviewState(dt.date(2026, 7, 1), True, 149)


def test_overdue_records_lists_every_reviewed_kind(workspace):
    assert [kind.name for kind in KINDS.values() if kind.reviewed] == ["dispositif", "guide"]
    workspace.write("docs/guides/guide.md", "---\ntitre: Guide\nresume: Pour les tests.\n"
                    "proprietaire: site-exemple\nrevu_le: 2026-06-01\n---\n\nTexte.\n")
    corpus = load_corpus(workspace.root / "schemes", base=workspace.root)
    assert corpus.errors == []
    # The scheme is due on 2027-01-30, the guide on 2026-08-30.
    assert [(r.id, k.name, state) for r, k, state in overdue_records(corpus, dt.date(2027, 1, 31))] == [
        ("exemple", "dispositif", ReviewState(dt.date(2027, 1, 30), True, 1)),
        ("guide", "guide", ReviewState(dt.date(2026, 8, 30), True, 154)),
    ]
    assert [r.id for r, _, _ in overdue_records(corpus, dt.date(2027, 1, 30))] == ["guide"]
