"""describe_changes: the French sentences of the changelog, one rule at a time.

Every before/after pair is a real model dump: a small record validated by its
model, then ``model_dump(mode="json")``, exactly as the history passes them.
"""

from __future__ import annotations

import copy
import datetime as dt
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.history.changes import describe_changes, field_name, format_date_fr
from generator.records.introspect import fields, models
from generator.records.kinds import KINDS

ROOT = Path(__file__).resolve().parent.parent

# --- building records ------------------------------------------------------------


def dump(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate *data* as a record of *kind* and dump it as the history does."""
    return KINDS[kind].model.model_validate(data).model_dump(mode="json")


IN_FORCE = {
    "date": "2025-09-01",
    "etat": "ouvert",
    "explication": "Le téléservice est ouvert.",
    "elements_de_langage": "Vous pouvez déposer votre demande dans SYLAé.",
}

ANOMALIE = {
    "titre": "Codes SYLAé non reçus",
    "symptome": "« Je n'ai pas reçu mes codes SYLAé. »",
    "contournement": ["Vérifier les courriers indésirables.", "Redemander les codes."],
    "etat": "ouverte",
    "depuis": "2025-10-01",
}


def scheme(**changes: Any) -> dict[str, Any]:
    """A small valid scheme (as YAML would give it), with *changes* applied."""
    data: dict[str, Any] = {
        "id": "aide-test",
        "nom": "Aide de test",
        "domaine": "embauche",
        "resume": "Une aide pour les tests.",
        "appellations": ["prime", "aide test"],
        "montants": [{"du": "2025-11-01", "montant": "4 000 €", "regles": ["Versement trimestriel."]}],
        "circuit": [
            {"titre": "Dépôt de la demande", "responsable": "employeur", "outil": "sylae"},
            {"titre": "Instruction", "responsable": "asp", "outil": "sylae"},
            {"titre": "Avis de l'OPCO", "responsable": "opco"},
            {"titre": "Paiement", "responsable": "asp"},
        ],
        "historique_statut": [
            {"date": "2024-03-01", "etat": "annonce", "explication": "Annonce du dispositif."},
            dict(IN_FORCE),
        ],
        "anomalies": [copy.deepcopy(ANOMALIE)],
        "site_referent": "site-test",
        "revu_le": "2026-05-01",
    }
    data.update(copy.deepcopy(changes))
    return dump("dispositif", data)


def changed(
    before: dict[str, Any], edit: typing.Callable[[dict[str, Any]], None], kind: str = "dispositif",
    on: dt.date | None = None,
) -> list[str]:
    """Sentences for *before* edited in place by *edit* (the result is validated again) on the day *on*."""
    raw = copy.deepcopy(before)
    edit(raw)
    after = dump(kind, raw)
    return describe_changes(kind, before, after, on=on)


@pytest.fixture
def base() -> dict[str, Any]:
    return scheme()


# --- dates, creation, deletion, nothing ----------------------------------------------


def test_format_date_fr() -> None:
    assert format_date_fr("2025-11-01") == "01/11/2025"
    assert format_date_fr("2026-12-31") == "31/12/2026"


def test_created_and_deleted(base: dict[str, Any]) -> None:
    assert describe_changes("dispositif", None, base) == ["Fiche créée"]
    assert describe_changes("dispositif", base, None) == ["Fiche supprimée"]
    assert describe_changes("dispositif", None, None) == []


def test_unknown_kind_fails(base: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="unknown record kind"):
        describe_changes("fiche", base, base)


def test_nothing_changed(base: dict[str, Any]) -> None:
    assert describe_changes("dispositif", base, scheme()) == []


def test_sample_records_unchanged_give_nothing() -> None:
    paths = {"dispositif": sorted((ROOT / "schemes").glob("*.yml")),
             "partenaire": sorted((ROOT / "schemes" / "partenaires").glob("*.yml")),
             "outil": sorted((ROOT / "schemes" / "outils").glob("*.yml")),
             "site": sorted((ROOT / "schemes" / "sites").glob("*.yml"))}
    count = 0
    for kind, files in paths.items():
        for path in files:
            real_kind = "glossaire" if path.name == "glossaire.yml" else kind
            record = dump(real_kind, yaml.safe_load(path.read_text(encoding="utf-8")))
            assert describe_changes(real_kind, record, copy.deepcopy(record)) == [], path
            count += 1
    assert count > 10


def test_reorder_and_invisible_whitespace_give_nothing(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["appellations"].reverse()
        raw["resume"] += "\n"
        raw["historique_statut"][-1]["elements_de_langage"] += "  "
        raw["historique_statut"].reverse()
        raw["anomalies"][0]["symptome"] = " " + raw["anomalies"][0]["symptome"]

    assert changed(base, edit) == []


def test_missing_field_in_an_older_dump_takes_the_default(base: dict[str, Any]) -> None:
    older = copy.deepcopy(base)
    del older["intervalle_revue_jours"], older["etiquettes"]
    assert describe_changes("dispositif", older, base) == []


# --- status ------------------------------------------------------------------------


def latest(raw: dict[str, Any]) -> dict[str, Any]:
    return raw["historique_statut"][-1]


CHANGE_DAY = dt.date(2025, 11, 3)


def test_status_change_is_an_entry_appended(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["historique_statut"].append({
            "date": "2025-11-01", "etat": "paiements_bloques", "explication": "Incident.",
            "elements_de_langage": "Les paiements sont suspendus.",
        })

    assert changed(base, edit, on=CHANGE_DAY) == ["Statut : ouvert → paiements bloqués"]


def test_scheduled_status_change_says_programme(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["historique_statut"].append({
            "date": "2027-01-01", "etat": "ferme", "explication": "Fin du dispositif.",
            "elements_de_langage": "Le dispositif est fermé depuis le 1er janvier 2027.",
        })

    assert changed(base, edit, on=dt.date(2026, 12, 1)) == ["Statut programmé au 01/01/2027 : ouvert → fermé"]
    # Told on its own date or later, the same entry is a status change in force.
    assert changed(base, edit, on=dt.date(2027, 1, 1)) == ["Statut : ouvert → fermé"]


def test_status_texts_changed(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        latest(raw)["explication"] = "Un incident bloque les paiements."
        latest(raw)["elements_de_langage"] = "Les paiements reprendront bientôt."

    assert changed(base, edit) == ["Explication du statut modifiée", "Éléments de langage modifiés"]


def test_elements_de_langage_changed(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        latest(raw)["elements_de_langage"] = "Merci de patienter."

    assert changed(base, edit) == ["Éléments de langage modifiés"]


def test_next_update_announced_moved_and_withdrawn(base: dict[str, Any]) -> None:
    def timeline(**extra: str) -> dict[str, Any]:
        return scheme(historique_statut=[base["historique_statut"][0], {**IN_FORCE, **extra}])

    announced = timeline(prochaine_mise_a_jour="2026-12-01")
    assert describe_changes("dispositif", base, announced) == ["Prochaine mise à jour annoncée le 01/12/2026"]
    moved = timeline(prochaine_mise_a_jour="2026-12-15")
    assert describe_changes("dispositif", announced, moved) == [
        "Prochaine mise à jour : 15/12/2026 (au lieu du 01/12/2026)"
    ]
    assert describe_changes("dispositif", moved, base) == ["Prochaine mise à jour retirée"]


def test_status_example_flag(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        latest(raw)["donnee_exemple"] = True

    assert changed(base, edit) == ["Statut du 01/09/2025 modifié (donnée d'exemple)"]


def test_past_entries_rewritten_or_removed_are_told_by_their_date(base: dict[str, Any]) -> None:
    def rewrite(raw: dict[str, Any]) -> None:
        raw["historique_statut"][0]["explication"] = "Annonce par décret."

    assert changed(base, rewrite) == ["Explication du statut du 01/03/2024 modifiée"]

    def drop(raw: dict[str, Any]) -> None:
        del raw["historique_statut"][0]

    assert changed(base, drop) == ["Statut : entrée du 01/03/2024 retirée"]


# --- known issues ------------------------------------------------------------------


def test_anomaly_added_and_removed(base: dict[str, Any]) -> None:
    def add(raw: dict[str, Any]) -> None:
        raw["anomalies"].append({**ANOMALIE, "titre": "Paiement en retard", "depuis": "2025-12-01"})

    assert changed(base, add) == ["Anomalie connue ajoutée : « Paiement en retard »"]

    def remove(raw: dict[str, Any]) -> None:
        raw["anomalies"] = []

    assert changed(base, remove) == ["Anomalie connue retirée : « Codes SYLAé non reçus »"]


def test_anomaly_resolved_then_reopened(base: dict[str, Any]) -> None:
    def resolve(raw: dict[str, Any]) -> None:
        raw["anomalies"][0].update(etat="resolue", resolue_le="2026-02-03")

    resolved = copy.deepcopy(base)
    resolve(resolved)
    resolved = dump("dispositif", resolved)
    assert describe_changes("dispositif", base, resolved) == ["Anomalie « Codes SYLAé non reçus » résolue le 03/02/2026"]
    assert describe_changes("dispositif", resolved, base) == ["Anomalie « Codes SYLAé non reçus » rouverte"]


def test_anomaly_reworded(base: dict[str, Any]) -> None:
    def reword(raw: dict[str, Any]) -> None:
        raw["anomalies"][0]["symptome"] = "« Mes codes ne sont jamais arrivés. »"
        raw["anomalies"][0]["contournement"].reverse()  # the steps are ordered

    assert changed(base, reword) == ["Anomalie « Codes SYLAé non reçus » modifiée (symptôme, contournement)"]


def test_anomaly_renamed_at_same_position_with_same_date(base: dict[str, Any]) -> None:
    def rename(raw: dict[str, Any]) -> None:
        raw["anomalies"][0]["titre"] = "Codes SYLAé jamais reçus"
        raw["anomalies"][0]["cause"] = "Envoi par courrier postal."

    assert changed(base, rename) == [
        "Anomalie « Codes SYLAé non reçus » renommée en « Codes SYLAé jamais reçus »",
        "Anomalie « Codes SYLAé jamais reçus » modifiée (cause)",
    ]


def test_anomaly_with_new_title_and_date_is_another_issue(base: dict[str, Any]) -> None:
    def replace(raw: dict[str, Any]) -> None:
        raw["anomalies"][0].update(titre="Autre problème", depuis="2026-01-05")

    assert changed(base, replace) == [
        "Anomalie connue ajoutée : « Autre problème »",
        "Anomalie connue retirée : « Codes SYLAé non reçus »",
    ]


def test_tool_anomalies_use_the_same_sentences() -> None:
    outil = dump("outil", {"id": "sylae", "nom": "SYLAé", "objet": "Portail employeurs.", "anomalies": [ANOMALIE]})

    def resolve(raw: dict[str, Any]) -> None:
        raw["anomalies"][0].update(etat="resolue", resolue_le="2026-02-03", responsable="asp")

    assert changed(outil, resolve, "outil") == [
        "Anomalie « Codes SYLAé non reçus » résolue le 03/02/2026",
        "Anomalie « Codes SYLAé non reçus » modifiée (responsable)",
    ]


# --- circuit ------------------------------------------------------------------------


def test_circuit_step_responsable_changed(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["circuit"][2]["responsable"] = "ddets"

    assert changed(base, edit) == ["Étape 3 du circuit : responsable opco → ddets"]


def test_circuit_step_tool_and_details(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["circuit"][0]["outil"] = None
        raw["circuit"][1]["outil"] = "portail-activite-partielle"
        raw["circuit"][1]["delai"] = "15 jours"
        raw["circuit"][2]["outil"] = "sylae"

    assert changed(base, edit) == [
        "Étape 1 du circuit : outil retiré",
        "Étape 2 du circuit : outil sylae → portail-activite-partielle",
        "Étape 2 du circuit modifiée (délai)",
        "Étape 3 du circuit : outil ajouté : sylae",
    ]


def test_circuit_step_added_and_removed_at_the_end(base: dict[str, Any]) -> None:
    def add(raw: dict[str, Any]) -> None:
        raw["circuit"].append({"titre": "Contrôle a posteriori", "responsable": "asp"})

    assert changed(base, add) == ["Étape 5 ajoutée au circuit : « Contrôle a posteriori »"]

    def remove(raw: dict[str, Any]) -> None:
        raw["circuit"].pop()

    assert changed(base, remove) == ["Étape 4 retirée du circuit : « Paiement »"]


def test_circuit_step_inserted_in_the_middle_moves_nothing(base: dict[str, Any]) -> None:
    def insert(raw: dict[str, Any]) -> None:
        raw["circuit"].insert(1, {"titre": "Signature du contrat", "responsable": "beneficiaire"})
        raw["circuit"][3]["verification"] = "L'avis apparaît dans SYLAé."

    assert changed(base, insert) == [
        "Étape 2 ajoutée au circuit : « Signature du contrat »",
        "Étape 4 du circuit modifiée (vérification)",
    ]


def test_circuit_step_moved(base: dict[str, Any]) -> None:
    def move(raw: dict[str, Any]) -> None:
        raw["circuit"].append(raw["circuit"].pop(0))

    assert changed(base, move) == ["Étape « Dépôt de la demande » déplacée de 1 à 4"]

    def swap(raw: dict[str, Any]) -> None:
        raw["circuit"][1], raw["circuit"][2] = raw["circuit"][2], raw["circuit"][1]
        raw["circuit"][1]["delai"] = "1 mois"

    # Two neighbours swapped: one of them (always the same) is told as moved.
    assert changed(base, swap) == [
        "Étape « Avis de l'OPCO » déplacée de 3 à 2",
        "Étape 2 du circuit modifiée (délai)",
    ]


def test_circuit_step_retitled_in_place(base: dict[str, Any]) -> None:
    def retitle(raw: dict[str, Any]) -> None:
        raw["circuit"][1]["titre"] = "Instruction de la demande"
        raw["circuit"].append({"titre": "Archivage", "responsable": "asp"})

    assert changed(base, retitle) == [
        "Étape 2 du circuit modifiée (titre)",
        "Étape 5 ajoutée au circuit : « Archivage »",
    ]


def test_circuit_step_removed_in_the_middle(base: dict[str, Any]) -> None:
    def remove(raw: dict[str, Any]) -> None:
        del raw["circuit"][2]

    assert changed(base, remove) == ["Étape 3 retirée du circuit : « Avis de l'OPCO »"]


# --- amounts -----------------------------------------------------------------------


def test_amount_changed(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["montants"][0]["montant"] = "5 000 €"

    assert changed(base, edit) == ["Montant en vigueur au 01/11/2025 modifié"]


def test_period_end_and_rules(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["montants"][0]["au"] = "2026-12-31"
        raw["montants"][0]["regles"] = ["Versement mensuel."]

    assert changed(base, edit) == [
        "Période de montant du 01/11/2025 : fin fixée au 31/12/2026",
        "Règles de la période du 01/11/2025 modifiées",
    ]


def test_new_period_and_removed_period(base: dict[str, Any]) -> None:
    def add(raw: dict[str, Any]) -> None:
        raw["montants"][0]["au"] = "2026-12-31"
        raw["montants"].append({"du": "2027-01-01", "montant": "5 000 €"})

    assert changed(base, add) == [
        "Période de montant du 01/11/2025 : fin fixée au 31/12/2026",
        "Nouvelle période de montant à partir du 01/01/2027 : « 5 000 € »",
    ]

    def remove(raw: dict[str, Any]) -> None:
        raw["montants"] = []

    assert changed(base, remove) == ["Période de montant du 01/11/2025 retirée"]


# --- scalars -------------------------------------------------------------------------


def test_scalar_fields(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["nom"] = "Aide de test renforcée"
        raw["sigle"] = "ADT"
        raw["domaine"] = "activite_partielle"
        raw["versement_asp"] = False
        raw["resume"] = "Une aide pour les tests, désormais renforcée.\nElle est versée chaque trimestre par l'ASP."
        raw["site_referent"] = "site-alternance"
        raw["revu_le"] = "2026-11-20"
        raw["intervalle_revue_jours"] = 180

    assert changed(base, edit) == [
        "Nom : « Aide de test » → « Aide de test renforcée »",
        "Sigle ajouté : « ADT »",
        "Domaine : aides à l'embauche → activité partielle",
        "Versée par l'ASP : oui → non",
        "Résumé modifié",
        "Site référent : « site-test » → « site-alternance »",
        "Revue le 20/11/2026 (au lieu du 01/05/2026)",
        "Intervalle de revue : 90 → 180 jours",
    ]


def test_optional_text_removed(base: dict[str, Any]) -> None:
    with_sigle = scheme(sigle="ADT")
    assert describe_changes("dispositif", with_sigle, base) == ["Sigle retiré : « ADT »"]


def test_long_text_is_only_said_to_change() -> None:
    before = dump("partenaire", {"id": "opco-ep", "nom": "OPCO EP", "type": "opco", "role": "Finance l'alternance."})
    long_role = "Finance l'alternance et accompagne les entreprises de proximité dans leurs projets de formation."

    def edit(raw: dict[str, Any]) -> None:
        raw["role"] = long_role
        raw["type"] = "france_travail"

    assert changed(before, edit, "partenaire") == ["Type : OPCO → France Travail", "Rôle modifié"]


def test_partner_review_date_set_then_withdrawn() -> None:
    before = dump("partenaire", {"id": "asp", "nom": "ASP", "type": "asp", "role": "Verse les aides."})
    after = dump("partenaire", {"id": "asp", "nom": "ASP", "type": "asp", "role": "Verse les aides.",
                                "revu_le": "2026-11-20"})
    assert describe_changes("partenaire", before, after) == ["Revue le 20/11/2026"]
    assert describe_changes("partenaire", after, before) == ["Date de revue retirée"]


# --- lists of words ------------------------------------------------------------------


def test_appellations_diff(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["appellations"] = ["aide test", "chômage partiel"]

    assert changed(base, edit) == ["Appellations : ajout de « chômage partiel », retrait de « prime »"]


def test_word_lists_with_several_items(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["etiquettes"] = ["embauche", "jeunes", "sylae"]
        raw["dispositifs_lies"] = ["aej"]

    assert changed(base, edit) == [
        "Étiquettes : ajout de « embauche », « jeunes » et « sylae »",
        "Dispositifs liés : ajout de « aej »",
    ]


# --- lists of objects -------------------------------------------------------------------


def test_faq_added_modified_reformulated_removed() -> None:
    q1 = {"question": "Quand suis-je payé ?", "reponse": "Chaque trimestre."}
    q2 = {"question": "Qui contacter ?", "reponse": "L'ASP."}
    q3 = {"question": "Puis-je cumuler ?", "reponse": "Non."}
    before = scheme(faq=[q1, q2, q3])
    after = scheme(faq=[
        {**q1, "reponse": "Chaque mois."},
        {**q2, "question": "Qui dois-je contacter ?"},
        {"question": "Quel montant ?", "reponse": "4 000 €."},
    ])
    assert describe_changes("dispositif", before, after) == [
        "Question fréquente « Quand suis-je payé ? » modifiée",
        "Question fréquente « Qui contacter ? » reformulée en « Qui dois-je contacter ? »",
        "Question fréquente ajoutée : « Quel montant ? »",
        "Question fréquente retirée : « Puis-je cumuler ? »",
    ]


def test_references_and_reply_templates() -> None:
    ref = {"titre": "Décret n° 2020-982", "url": "https://www.legifrance.gouv.fr/decret"}
    model = {"titre": "Demande hors délai", "canal": "courriel", "texte": "Madame, Monsieur, …"}
    before = scheme(references=[ref], modeles_reponse=[model])
    after = scheme(
        references=[ref, {"titre": "Fiche pratique", "url": "https://travail-emploi.gouv.fr/fiche"}],
        modeles_reponse=[{**model, "objet": "Votre demande"}],
    )
    assert describe_changes("dispositif", before, after) == [
        "Référence ajoutée : « Fiche pratique »",
        "Modèle de réponse « Demande hors délai » modifié",
    ]


def test_reference_address_changed_is_the_same_reference() -> None:
    ref = {"titre": "Décret n° 2020-982", "url": "https://www.legifrance.gouv.fr/decret"}
    before = scheme(references=[ref])
    after = scheme(references=[{**ref, "url": "https://www.legifrance.gouv.fr/jorf/decret"}])
    assert describe_changes("dispositif", before, after) == ["Référence « Décret n° 2020-982 » modifiée"]


def test_partner_contacts_and_links() -> None:
    contact = {"canal": "telephone", "libelle": "Assistance employeurs", "valeur": "0 809 549 549"}
    data = {"id": "asp", "nom": "ASP", "type": "asp", "role": "Verse les aides.", "contacts": [contact]}
    before = dump("partenaire", data)

    def edit(raw: dict[str, Any]) -> None:
        raw["contacts"][0]["horaires"] = "du lundi au vendredi, de 9 h à 17 h"
        raw["liens"] = [{"titre": "Site de l'ASP", "url": "https://www.asp-public.fr"}]

    assert changed(before, edit, "partenaire") == [
        "Contact « Assistance employeurs » modifié",
        "Lien ajouté : « Site de l'ASP »",
    ]


def test_glossary_terms() -> None:
    before = dump("glossaire", {"termes": [
        {"sigle": "ASP", "developpement": "Agence de services et de paiement"},
        {"sigle": "X", "developpement": "Inconnu"},
    ]})
    after = dump("glossaire", {"termes": [
        {"sigle": "ASP", "developpement": "Agence de services et de paiement", "definition": "Verse les aides."},
        {"sigle": "DSN", "developpement": "Déclaration sociale nominative"},
    ]})
    assert describe_changes("glossaire", before, after) == [
        "Sigle « ASP » modifié",
        "Sigle ajouté : « DSN »",
        "Sigle retiré : « X »",
    ]


def test_tool_fields() -> None:
    before = dump("outil", {"id": "sylae", "nom": "SYLAé", "objet": "Portail employeurs.",
                            "utilisateurs": ["employeurs"],
                            "modes_operatoires": [{"titre": "Changer de RIB", "etapes": ["Se connecter."]}]})

    def edit(raw: dict[str, Any]) -> None:
        raw["utilisateurs"].append("prescripteurs")
        raw["url"] = "https://sylae.asp-public.fr"
        raw["modes_operatoires"][0]["etapes"].append("Ouvrir « Mes coordonnées ».")

    assert changed(before, edit, "outil") == [
        "Utilisateurs : ajout de « prescripteurs »",
        "Adresse ajoutée : « https://sylae.asp-public.fr »",
        "Mode opératoire « Changer de RIB » modifié",
    ]


# --- nested objects -------------------------------------------------------------------


def test_eligibility_added_modified_removed(base: dict[str, Any]) -> None:
    eligibilite = {"beneficiaires": "Employeurs privés.", "conditions": ["CDI."]}
    with_eligibility = scheme(eligibilite=eligibilite)
    assert describe_changes("dispositif", base, with_eligibility) == ["Éligibilité ajoutée"]
    more = scheme(eligibilite={**eligibilite, "conditions": ["CDI.", "Jeune de moins de 26 ans."]})
    assert describe_changes("dispositif", with_eligibility, more) == ["Éligibilité modifiée (conditions)"]
    reordered = scheme(eligibilite={**eligibilite, "conditions": ["Jeune de moins de 26 ans.", "CDI."]})
    assert describe_changes("dispositif", more, reordered) == []
    assert describe_changes("dispositif", more, base) == ["Éligibilité retirée"]


def test_orientation_modified(base: dict[str, Any]) -> None:
    orientation = {"ligne": "Ligne 1", "donnee_exemple": True}
    before = scheme(orientation=orientation)
    after = scheme(orientation={**orientation, "ligne": "Ligne 2", "a_rediriger": [
        {"cas": "Emplois francs", "partenaire": "france-travail"}]})
    assert describe_changes("dispositif", before, after) == ["Orientation modifiée (ligne, cas à rediriger)"]
    official = scheme(orientation={**orientation, "donnee_exemple": False})
    assert describe_changes("dispositif", before, official) == ["Orientation modifiée (donnée d'exemple)"]


def test_site_contact_and_example_flag() -> None:
    data = {"id": "site-test", "nom": "Site de test",
            "contact": {"canal": "courriel", "libelle": "BAL du site", "valeur": "site@example.fr"}}
    before = dump("site", data)

    def edit(raw: dict[str, Any]) -> None:
        raw["contact"]["valeur"] = "bal@example.fr"
        raw["contact"]["horaires"] = "en semaine"
        raw["donnee_exemple"] = True

    assert changed(before, edit, "site") == [
        "Contact modifié (valeur, horaires)",
        "Donnée d'exemple : non → oui",
    ]


# --- guides ----------------------------------------------------------------------------


def test_guide_header_and_body() -> None:
    header = {"titre": "Changer de RIB", "resume": "Quand un employeur change de banque.",
              "proprietaire": "site-test", "revu_le": "2026-01-15", "dispositifs": ["aej"]}
    before = {**dump("guide", header), "texte": "# Changer de RIB\n\nÉtape 1.\n"}
    after = {**dump("guide", {**header, "dispositifs": ["aej", "pec"], "outils": ["sylae"]}),
             "texte": "# Changer de RIB\n\nÉtape 1.\nÉtape 2.\n"}
    assert describe_changes("guide", before, after) == [
        "Dispositifs : ajout de « pec »",
        "Outils : ajout de « sylae »",
        "Texte du guide modifié",
    ]
    same_text = {**after, "texte": after["texte"] + "\n\n"}
    assert describe_changes("guide", after, same_text) == []


# --- order and names ---------------------------------------------------------------------


def test_sentences_follow_the_model_field_order(base: dict[str, Any]) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["dispositifs_lies"] = ["aej"]
        raw["historique_statut"].append({**IN_FORCE, "date": "2025-10-01", "etat": "perturbe"})
        raw["nom"] = "Aide renommée"
        raw["circuit"][3]["responsable"] = "opco"
        raw["montants"][0]["montant"] = "5 000 €"

    assert changed(base, edit) == [
        "Nom : « Aide de test » → « Aide renommée »",
        "Montant en vigueur au 01/11/2025 modifié",
        "Étape 4 du circuit : responsable asp → opco",
        "Statut : ouvert → perturbé",
        "Dispositifs liés : ajout de « aej »",
    ]


def test_every_model_field_has_a_french_name() -> None:
    seen = models(row.model for row in KINDS.values())
    missing = []
    for model in seen:
        for name in fields(model):
            try:
                french = field_name(model, name)
            except KeyError:
                missing.append(f"{model.__name__}.{name}")
            else:
                assert french.text and french.gender in {"m", "f", "mp", "fp"}, (model.__name__, name)
    assert not missing, f"fields without a French name: {', '.join(missing)}"
    assert len(seen) >= 19  # the six kinds and their parts


def test_annotations_are_walked_through_unions() -> None:
    # Guard the walker above: Optional[Model] and list[Model] are both followed.
    from generator.records.models import Dispositif, Eligibilite, Etape

    assert fields(Dispositif)["eligibilite"].model is Eligibilite
    assert fields(Dispositif)["eligibilite"].optional and not fields(Dispositif)["eligibilite"].is_list
    assert fields(Dispositif)["circuit"].model is Etape
    assert fields(Dispositif)["circuit"].is_list
