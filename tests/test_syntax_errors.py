"""YAML syntax mistakes a referent makes, reported in French at the line to fix
with the likely cause, and the file's other errors still reported.

Each case appends a few lines to the valid sample scheme; the expected line
numbers count from the first appended line (``N``), so they hold whatever
the sample scheme looks like.
"""

from __future__ import annotations

import pytest
from test_bad_input import SCHEME, assert_no_traceback, summary

E = "schemes/exemple.yml"
N = len(SCHEME.splitlines()) + 1  # line number of the first appended line

# A second, independent mistake: it must be reported too once parsing resumes.
BAD_DAY = "revu_le: 2024-02-30"
BAD_DAY_ERROR = "revu_le: date « 2024-02-30 » invalide : ce jour n'existe pas"


def scheme_with(block: str) -> str:
    """The sample scheme, its review date made invalid, then *block*."""
    text = SCHEME.replace("revu_le: 2026-11-01", BAD_DAY)
    assert text != SCHEME
    return text + block


def revu_le_line() -> int:
    return next(number for number, line in enumerate(SCHEME.splitlines(), 1) if line.startswith("revu_le:"))


def refused(check, expected: list[str]) -> None:
    result = check()
    assert result.lines == expected
    assert result.err == summary(len(expected))
    assert result.code == 1
    assert_no_traceback(result)


CASES = [
    pytest.param(
        "orientation:\n  ligne: 0 800 000 000\nbal: Boîte des dossiers\n  donnee_exemple: true\n",
        f"{E}:{N + 2}:1: syntaxe: clé « bal » moins indentée que les clés voisines : YAML lit la ligne {N + 3} "
        f"comme la suite de son texte ; indentez « bal » de 2 espaces, comme « ligne » (ligne {N + 1}) ; "
        f"ou, si elle est bien placée, retirez l'indentation de la ligne {N + 3}",
        id="key-moved-to-column-1",
    ),
    pytest.param(
        "orientation:\n  ligne: 0 800 000 000\n   bal: Boîte des dossiers\n",
        f"{E}:{N + 2}:4: syntaxe: clé « bal » trop indentée : YAML la lit comme la suite du texte de « ligne » "
        f"(ligne {N + 1}) ; alignez « bal » sur « ligne » (2 espaces en début de ligne)",
        id="key-one-space-too-far",
    ),
    pytest.param(
        "orientation:\n  ligne: 0 800 000 000\n bal: Boîte des dossiers\n",
        f"{E}:{N + 2}:2: syntaxe: clé « bal » mal indentée (1 espace), à aucun niveau des clés au-dessus ; "
        f"alignez-la sur « ligne » (ligne {N + 1}, 2 espaces) ou sur la clé dont elle dépend",
        id="key-one-space-short",
    ),
    pytest.param(
        "sigle: Aide\nexemple en deux lignes\n",
        f"{E}:{N + 1}:1: syntaxe: ligne sans « clé: » : suite du texte de « sigle » (ligne {N}), pas assez indentée ; "
        "indentez-la de 2 espaces, plus que « sigle » ; ou écrivez tout le texte sur une seule ligne",
        id="continuation-at-column-1",
    ),
    pytest.param(
        "faq:\n  - question: Quand suis-je payé ?\n    reponse: Le mois qui suit\n    la demande.\n",
        f"{E}:{N + 3}:5: syntaxe: ligne sans « clé: » : suite du texte de « reponse » (ligne {N + 2}), "
        "pas assez indentée ; indentez-la de 6 espaces, plus que « reponse » ; "
        "ou écrivez tout le texte sur une seule ligne",
        id="continuation-of-a-nested-text",
    ),
    pytest.param(
        "appellations:\n  - prime à l'embauche\n  des jeunes\n",
        f"{E}:{N + 2}:3: syntaxe: ligne sans « clé: » : suite de l'élément de liste de la ligne {N + 1}, "
        "pas assez indentée ; indentez-la de 4 espaces, comme le texte après le tiret ; "
        "ou écrivez tout le texte sur une seule ligne",
        id="continuation-of-a-list-item",
    ),
    pytest.param(
        "sigle: Reset: étape 1\n",
        f"{E}:{N}:8: syntaxe: « : » suivi d'une espace dans un texte sans guillemets : YAML y lit une nouvelle "
        "« clé: valeur » ; mettez le texte entre guillemets : sigle: \"Reset: étape 1\"",
        id="colon-in-a-value",
    ),
    pytest.param(
        "appellations:\n  - Rassurer l'employeur : le dossier avance\n",
        f"{E}:{N + 1}:5: syntaxe: « : » suivi d'une espace dans un texte sans guillemets : YAML y lit une "
        "nouvelle « clé: valeur » ; mettez le texte entre guillemets : - \"Rassurer l'employeur : le dossier avance\"",
        id="colon-in-a-list-item",
    ),
    pytest.param(
        "faq:\n  - question: Et le « paiement » ?\n    reponse: Voir la \"FAQ\" : rubrique paiement, page 2 du guide des employeurs\n",
        f"{E}:{N + 2}:14: syntaxe: « : » suivi d'une espace dans un texte sans guillemets : YAML y lit une "
        "nouvelle « clé: valeur » ; mettez le texte entre guillemets : reponse: \"Voir la \\\"FAQ\\\" : rubrique paiement, page…\"",
        id="colon-in-a-long-value-with-quotes",
    ),
]


@pytest.mark.parametrize("block, expected", CASES)
def test_syntax_mistake_is_explained_and_the_rest_still_checked(workspace, check, block, expected):
    workspace.scheme(scheme_with(block))
    refused(check, sorted([expected, f"{E}:{revu_le_line()}:10: {BAD_DAY_ERROR}"], key=_line_of))


def _line_of(message: str) -> int:
    return int(message.split(":")[1])


def test_text_after_a_hash_still_says_to_quote(workspace, check):
    workspace.scheme(scheme_with("sigle: Tapez # puis 1\n"))
    refused(check, [
        f"{E}:{revu_le_line()}:10: {BAD_DAY_ERROR}",
        f"{E}:{N}:14: sigle: le texte après « # » est ignoré (YAML le lit comme un commentaire) ; si « # » fait "
        "partie du texte, mettez toute la valeur entre guillemets ; sinon placez le commentaire sur sa propre ligne",
    ])


def test_several_mistakes_of_one_file_are_all_reported(workspace, check):
    workspace.scheme(scheme_with("sigle: Reset: étape 1\nappellations:\n  - Rassurer l'employeur : le dossier avance\n"))
    result = check()
    assert [line.split(": ")[0] for line in result.lines] == [
        f"{E}:{revu_le_line()}:10", f"{E}:{N}:8", f"{E}:{N + 2}:5",
    ]


def test_a_mistake_that_cannot_be_repaired_stops_at_its_line(workspace, check):
    # A stray closing quote: nothing sure to repair, so nothing after it is guessed.
    workspace.scheme(scheme_with('sigle: "AE" J\n'))
    result = check()
    assert result.lines == [
        f"{E}:{N}:13: syntaxe: indentation incorrecte ou texte en trop après une valeur ; "
        "alignez la clé sur les autres clés du même niveau, ou mettez la valeur entre guillemets"
    ]


def test_repair_keeps_later_lines_in_place_with_crlf(workspace, check):
    text = scheme_with("sigle: Reset: étape 1\n").replace("\n", "\r\n")
    workspace.write(E, text.encode("utf-8"))
    assert [line.split(": ")[0] for line in check().lines] == [f"{E}:{revu_le_line()}:10", f"{E}:{N}:8"]
