"""Synthetic corpora for the benchmark: N schemes with partners, tools, sites.

Every record is valid and of realistic size (a scheme is 5–6 KiB, like the
richest sample records), so the figures say something about real use.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

SCHEME = """\
# yaml-language-server: $schema=_schemas/dispositif.json
id: {id}
nom: Dispositif synthétique numéro {n}
sigle: DS{n}
appellations:
  - prime synthétique {n}
  - aide embauche {n}
  - chômage partiel {n}
domaine: {domaine}
resume: >-
  Aide synthétique {n} créée pour mesurer les temps de vérification et de génération.
  Elle est versée chaque trimestre ; les demandes se font dans l'outil {outil}.
eligibilite:
  beneficiaires: Employeurs privés et associations (exemple {n}).
  conditions:
    - Contrat à durée indéterminée ou CDD d'au moins 3 mois.
    - Rémunération jusqu'à 2 fois le SMIC.
    - Employeur à jour de ses obligations auprès de l'URSSAF.
montants:
  - du: 2024-01-01
    au: 2024-12-31
    montant: 4 000 € au plus, 1 000 € par trimestre
    regles:
      - Versement trimestriel sur attestation.
    source: https://exemple.invalid/montants/{n}
  - du: 2025-01-01
    montant: 5 000 € au plus
    regles:
      - Proratisation au jour près.
references:
  - titre: Texte de référence {n}
    url: https://exemple.invalid/reference/{n}
    consulte_le: 2026-10-01
circuit:
  - titre: Dépôt du dossier par l'employeur
    responsable: employeur
    outil: {outil}
    delai: dans les 4 mois suivant l'embauche
    verification: Le dossier apparaît dans l'outil avec son numéro.
  - titre: Instruction par le partenaire
    responsable: {partenaire}
    outil: {outil}
    delai: 15 jours
  - titre: Transmission du flux à l'ASP
    responsable: {partenaire2}
    delai: 1 semaine
  - titre: Paiement
    responsable: partenaire-000
    outil: {outil}
    verification: L'avis de paiement est visible dans l'outil.
{statut}anomalies:
  - titre: Codes de connexion non reçus
    symptome: « Je n'ai jamais reçu mes codes pour me connecter. »
    cause: Le courrier part à l'adresse du siège.
    contournement:
      - Vérifier l'adresse du siège dans l'outil.
      - Demander un nouvel envoi des codes.
      - Rappeler sous 10 jours si rien n'arrive.
    responsable: partenaire-000
    etat: ouverte
    depuis: 2025-06-01
  - titre: Paiement sur un compte clos
    symptome: « Le paiement est parti sur mon ancien compte. »
    contournement:
      - Mettre à jour le RIB dans l'outil.
      - Traiter l'invalidation côté paiement.
    etat: resolue
    depuis: 2025-01-01
    resolue_le: 2025-03-01
faq:
  - question: Quand serai-je payé ?
    reponse: Le paiement intervient chaque trimestre après l'attestation de présence.
  - question: Puis-je cumuler avec une autre aide ?
    reponse: Non, sauf exception prévue par les textes.
orientation:
  ligne: Ligne synthétique {n}
  bal: BAL synthétique {n}
  a_rediriger:
    - cas: Questions sur le contrat lui-même
      partenaire: {partenaire}
      message: Ce point relève du partenaire.
  donnee_exemple: true
modeles_reponse:
  - titre: Dossier incomplet
    canal: courriel
    objet: Votre dossier {n}
    texte: |-
      Madame, Monsieur,

      Votre dossier est incomplet : merci de transmettre les pièces manquantes.
site_referent: site-{site}
revu_le: 2026-10-01
etiquettes:
  - synthetique
  - lot-{lot}
dispositifs_lies:
  - {lie}
"""

PARTNER = """\
id: partenaire-{n:03d}
nom: Partenaire synthétique {n}
type: opco
role: Finance et dépose les contrats (exemple {n}).
contacts:
  - canal: telephone
    libelle: Accueil
    valeur: 0 800 000 {n:03d}
liens:
  - titre: Site du partenaire {n}
    url: https://exemple.invalid/partenaire/{n}
"""

TOOL = """\
id: outil-{n:03d}
nom: Outil synthétique {n}
objet: Portail de dépôt et de suivi (exemple {n}).
utilisateurs:
  - Employeurs
modes_operatoires:
  - titre: Changer de coordonnées bancaires
    etapes:
      - Se connecter.
      - Ouvrir l'onglet coordonnées bancaires.
      - Saisir le nouveau RIB.
      - Demander le traitement de l'invalidation.
    attention: Sans l'invalidation, le prochain paiement part sur l'ancien compte.
"""

SITE = """\
id: site-{n}
nom: Site référent synthétique {n}
contact:
  canal: courriel
  libelle: Boîte du site
  valeur: site{n}@exemple.invalid
donnee_exemple: true
"""

# The status as the models in force read it: a `statut:` block beside the
# history (before the status timeline), or the history alone, whose entry in
# force carries what to say to the caller.
PAST_ENTRIES = """\
historique_statut:
  - date: 2024-01-01
    etat: en_deploiement
    explication: Ouverture progressive.
  - date: 2024-03-01
    etat: ouvert
    explication: Ouverture complète.
  - date: 2026-0{mois}-01
    etat: {etat}
"""
SAYING = """\
Votre dossier est bien enregistré. Le versement interviendra dès réception du flux
transmis par le partenaire ; vous pouvez suivre l'avancement dans votre espace."""
EXPLANATION = "Explication synthétique du statut {n}, avec la cause d'un éventuel retard en amont."

STATUS_BLOCK = f"""\
statut:
  etat: {{etat}}
  depuis: 2026-0{{mois}}-01
  explication: {EXPLANATION}
  elements_de_langage: >-
{textwrap.indent(SAYING, "    ")}
  prochaine_mise_a_jour: 2026-12-15
{PAST_ENTRIES}    explication: Dernier changement.
"""

STATUS_TIMELINE = f"""\
{PAST_ENTRIES}    explication: Dernier changement. {EXPLANATION}
    elements_de_langage: >-
{textwrap.indent(SAYING, "      ")}
    prochaine_mise_a_jour: 2026-12-15
"""

# The line holding the status in force, in either shape.
_STATUS_LINE = re.compile(r"^( +)etat: (\w+)\n(?=\1(?:depuis: |explication: Dernier changement))", re.M)


def status_template() -> str:
    """The status shape that the installed models accept."""
    from generator.records.models import Dispositif

    return STATUS_BLOCK if "statut" in Dispositif.model_fields else STATUS_TIMELINE


def change_status(text: str) -> tuple[str, str]:
    """The scheme's text with its status in force moved to the next state, and that state."""
    match = _STATUS_LINE.search(text)
    new_state = ETATS[(ETATS.index(match.group(2)) + 1) % len(ETATS)]
    return text[: match.start()] + f"{match.group(1)}etat: {new_state}\n" + text[match.end():], new_state


GLOSSARY = "termes:\n" + "".join(
    f"  - sigle: S{n}\n    developpement: Sigle synthétique {n}\n" for n in range(60)
)

ETATS = ["ouvert", "perturbe", "paiements_bloques", "en_deploiement", "annonce", "ferme"]
DOMAINES = ["alternance", "embauche", "activite_partielle", "insertion", "jeunes"]


def scheme_id(n: int) -> str:
    return f"dispositif-{n:04d}"


def write_corpus(root: Path, schemes: int = 1000, partners: int = 50, tools: int = 20, sites: int = 5) -> Path:
    """Write a valid corpus under root/schemes and return that folder."""
    folder = root / "schemes"
    for sub in ("partenaires", "outils", "sites"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for n in range(partners):
        (folder / "partenaires" / f"partenaire-{n:03d}.yml").write_text(PARTNER.format(n=n), encoding="utf-8")
    for n in range(tools):
        (folder / "outils" / f"outil-{n:03d}.yml").write_text(TOOL.format(n=n), encoding="utf-8")
    for n in range(sites):
        (folder / "sites" / f"site-{n}.yml").write_text(SITE.format(n=n), encoding="utf-8")
    (folder / "glossaire.yml").write_text(GLOSSARY, encoding="utf-8")
    status = status_template()
    for n in range(schemes):
        fields = dict(
            id=scheme_id(n), n=n, domaine=DOMAINES[n % len(DOMAINES)], outil=f"outil-{n % tools:03d}",
            partenaire=f"partenaire-{n % partners:03d}", partenaire2=f"partenaire-{(n * 7) % partners:03d}",
            etat=ETATS[n % len(ETATS)], mois=1 + n % 9, site=n % sites, lot=n % 10,
            lie=scheme_id((n + 1) % schemes),
        )
        text = SCHEME.format(statut=status.format(**fields), **fields)
        (folder / f"{scheme_id(n)}.yml").write_text(text, encoding="utf-8")
    return folder
