"""Field feedback recorded by a referent (``remontee`` records): checked like
any record, each rule at the line to fix, and shown on the "Remontées
terrain" page and on the page of the record it is about."""

from __future__ import annotations

import pytest

from generator.history.changes import describe_changes

RECEIVED = """\
id: statut-faux
date: 2026-11-03
dispositif: exemple
signalement: Le statut affiché ne correspond pas à ce que voient les employeurs.
site_referent: site-exemple
etat: recue
"""

STUDIED = """\
id: delai-absent
date: 2026-11-10
dispositif: exemple
outil: outil-exemple
signalement: La fiche ne dit pas sous quel délai l'outil montre le paiement.
site_referent: site-exemple
etat: a_l_etude
reponse: Nous vérifions le délai auprès du partenaire.
"""

INTEGRATED = """\
id: etape-manquante
date: 2026-10-01
dispositif: exemple
signalement: Une étape manque dans le circuit.
site_referent: site-exemple
etat: integree
reponse: Merci, l'étape est ajoutée.
modification: Circuit complété le 05/10/2026.
traitee_le: 2026-10-05
"""

REFUSED = """\
id: numero-direct
date: 2026-10-20
partenaire: partenaire-exemple
signalement: Ajouter le numéro direct d'un conseiller.
site_referent: site-exemple
etat: refusee
reponse: Refusée, ce n'est pas un canal public.
traitee_le: 2026-10-21
"""


def test_remontees_are_checked_and_counted(workspace, check):
    for text in (RECEIVED, STUDIED, INTEGRATED, REFUSED):
        workspace.write(f"schemes/remontees/{text.split()[1]}.yml", text)
    result = check()
    assert result.code == 0, result.out + result.err
    assert result.err == (
        "9 fiches valides : 1 dispositif, 1 partenaire, 1 outil, 1 site référent, 4 remontées terrain, glossaire\n"
    )


@pytest.mark.parametrize(
    "text, old, new, expected",
    [
        (RECEIVED, "dispositif: exemple\n", "",
         "1:1: remontee: remontée sans fiche concernée ; ajoutez « dispositif: », « guide: », « outil: » ou "
         "« partenaire: » avec l'identifiant de la fiche"),
        (STUDIED, "reponse: Nous vérifions le délai auprès du partenaire.\n", "",
         "7:7: etat: remontée « à l'étude » sans réponse ; ajoutez « reponse: » : le terrain voit ce qu'est "
         "devenu son signalement"),
        (REFUSED, "traitee_le: 2026-10-21\n", "",
         "6:7: etat: remontée « refusée » sans date de traitement ; ajoutez « traitee_le: AAAA-MM-JJ »"),
        (STUDIED, "etat: a_l_etude\n", "etat: a_l_etude\ntraitee_le: 2026-11-12\n",
         "8:13: traitee_le: remontée « à l'étude » avec une date de traitement ; passez « etat: integree » ou "
         "« etat: refusee », ou retirez « traitee_le »"),
        (INTEGRATED, "traitee_le: 2026-10-05", "traitee_le: 2026-09-30",
         "9:13: traitee_le: remontée traitée le 30/09/2026, avant d'être reçue (le 01/10/2026) ; « traitee_le » "
         "est au plus tôt la date de réception « date »"),
        (INTEGRATED, "modification: Circuit complété le 05/10/2026.\n", "",
         "6:7: etat: remontée intégrée sans la modification qu'elle a entraînée ; ajoutez « modification: » "
         "(par exemple « Statut de l'AEJ mis à jour le 03/11/2026 »)"),
        (REFUSED, "etat: refusee\n", "etat: refusee\nmodification: Rien.\n",
         "7:15: modification: remontée « refusée » avec une modification ; seule une remontée intégrée a conduit "
         "à une modification : passez « etat: integree » ou retirez « modification »"),
        (RECEIVED, "etat: recue", "etat: traitee",
         "6:7: etat: valeur « traitee » inconnue ; valeurs possibles : recue, a_l_etude, integree, refusee"),
        (RECEIVED, "dispositif: exemple", "dispositif: exemple-inconnu",
         "3:13: dispositif: dispositif « exemple-inconnu » introuvable ; vouliez-vous dire « exemple » ?"),
        (RECEIVED, "dispositif: exemple", "guide: changer-de-rib",
         "3:8: guide: guide « changer-de-rib » introuvable ; créez docs/guides/changer-de-rib.md, ou utilisez un "
         "identifiant existant"),
    ],
    ids=["no-record", "no-answer", "no-date", "date-while-open", "done-before-received", "no-change",
         "change-when-refused", "unknown-state", "unknown-scheme", "unknown-guide"],
)
def test_each_rule_is_told_at_the_line_to_fix(workspace, check, text, old, new, expected):
    assert old in text
    workspace.write("schemes/remontees/r.yml", text.replace(old, new).replace(text.split()[1], "r", 1))
    result = check()
    assert result.code == 1
    assert result.out == f"schemes/remontees/r.yml:{expected}\n"


def test_the_changelog_tells_what_became_of_a_remontee():
    before = {"id": "r", "date": "2026-11-03", "dispositif": "aej", "signalement": "Le statut est faux.",
              "site_referent": "s", "etat": "recue", "donnee_exemple": False}
    after = {**before, "etat": "integree", "reponse": "Merci, statut corrigé.",
             "modification": "Statut de l'AEJ mis à jour le 03/11/2026", "traitee_le": "2026-11-04"}
    assert describe_changes("remontee", before, after) == [
        "État : reçue → intégrée",
        "Réponse ajoutée : « Merci, statut corrigé. »",
        "Modification ajoutée : « Statut de l'AEJ mis à jour le 03/11/2026 »",
        "Date de traitement ajoutée : 04/11/2026",
    ]
    studied = {**before, "etat": "a_l_etude", "site_referent": "t",
               "reponse": "Nous vérifions auprès du partenaire avant de modifier la fiche, réponse sous huit jours."}
    assert describe_changes("remontee", before, studied) == [
        "Site référent qui la traite : « s » → « t »", "État : reçue → à l'étude", "Réponse ajoutée",
    ]


def test_the_remontees_page_groups_by_state_newest_first(project, capsys):
    newer_refusal = REFUSED.replace("numero-direct", "autre-refus").replace("2026-10-21", "2026-10-25")
    for text in (RECEIVED, STUDIED, INTEGRATED, REFUSED, newer_refusal):
        project.write(f"schemes/remontees/{text.split()[1]}.yml", text)
    result = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert result.code == 0, result.out + result.err
    page = (project.root / "docs/genere/remontees/index.md").read_text(encoding="utf-8")
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == ["## Reçue (1)", "## À l'étude (1)", "## Intégrée (1)", "## Refusée (2)"]
    refused = page[page.index("## Refusée"):]
    assert refused.index("(autre-refus.md)") < refused.index("(numero-direct.md)")
    assert (
        "- [Remontée du 10 novembre 2026](delai-absent.md) — **À l'étude** — Dispositif "
        "[Aide exemple](../dispositifs/exemple.md), Outil [Outil](../outils/outil-exemple.md)\n\n"
        "    *Signalé :* La fiche ne dit pas sous quel délai l'outil montre le paiement.\n\n"
        "    *Réponse :* Nous vérifions le délai auprès du partenaire.\n"
    ) in page
    assert (
        "    *Réponse :* pas encore de réponse : [Site](../sites/site-exemple.md) l'a reçue et répondra ici.\n"
    ) in page
    assert "    *Modification :* Circuit complété le 05/10/2026.\n" in page

    scheme = (project.root / "docs/genere/dispositifs/exemple.md").read_text(encoding="utf-8")
    section = scheme[scheme.index("## Remontées du terrain sur cette fiche"):scheme.index("## Suivi de la fiche")]
    # Newest first, without naming the page's own record again.
    assert section.index("(../remontees/delai-absent.md)") < section.index("(../remontees/statut-faux.md)") \
        < section.index("(../remontees/etape-manquante.md)")
    assert "- [Remontée du 10 novembre 2026](../remontees/delai-absent.md) — **À l'étude** — Outil " in section
    assert "Dispositif [Aide exemple]" not in section
    partner = (project.root / "docs/genere/partenaires/partenaire-exemple.md").read_text(encoding="utf-8")
    assert "(../remontees/numero-direct.md) — **Refusée** le 21 octobre 2026\n" in partner

    detail = (project.root / "docs/genere/remontees/statut-faux.md").read_text(encoding="utf-8")
    assert "# Remontée du 3 novembre 2026\n" in detail
    assert "**Reçue** · traitée par [Site](../sites/site-exemple.md)\n" in detail
    assert "Concerne : Dispositif [Aide exemple](../dispositifs/exemple.md).\n" in detail
    assert "Pas encore de réponse : [Site](../sites/site-exemple.md) a reçu la remontée et y répondra ici.\n" in detail
    built = (project.root / "site/remontees/index.html").read_text(encoding="utf-8")
    assert "Remontées terrain" in built


def test_without_remontees_the_page_says_so_and_records_say_nothing(project, capsys):
    result = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert result.code == 0, result.out + result.err
    page = (project.root / "docs/genere/remontees/index.md").read_text(encoding="utf-8")
    assert "Aucune remontée enregistrée pour l'instant." in page  # in the nav, reachable before the first one
    assert (project.root / "site/remontees/index.html").is_file()
    scheme = (project.root / "docs/genere/dispositifs/exemple.md").read_text(encoding="utf-8")
    assert "Remontées du terrain" not in scheme
