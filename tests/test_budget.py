"""The complexity budget: what `reperes check` accepts builds in bounded time
(Python-Markdown is quadratic on « [ » and friends), and what is over budget
gets a French error at its line. Loader fixes of the same review: line
separators at their true line, libyaml's syntax errors in French."""

from __future__ import annotations

import pytest
from workspace import MINIMAL_SCHEME

from generator.records.budget import MAX_CHARACTERS, MAX_LINES

E = "schemes/exemple.yml"
G = "docs/guides/charge.md"
HINT = "découpez le guide ou simplifiez le texte"
HEADER = """\
---
titre: Guide chargé
resume: Un guide très chargé.
dispositifs:
  - exemple
proprietaire: site-exemple
revu_le: 2026-11-01
---

"""


def worst_body() -> str:
    """Every Markdown-active character at its limit, and as many list items as lines allowed."""
    head = "- " + "![" * MAX_CHARACTERS["!"] + "*a" * MAX_CHARACTERS["*"] + "_a" * MAX_CHARACTERS["_"]
    head += "&" * MAX_CHARACTERS["&"] + "`" * MAX_CHARACTERS["`"] + "\n"
    body = head + "- x\n" * (MAX_LINES - len(HEADER.splitlines()) - 2)
    assert all(body.count(char) <= limit for char, limit in MAX_CHARACTERS.items())
    return body


@pytest.mark.slow
def test_worst_admitted_guide_builds(project):
    project.write(G, HEADER + worst_body(), dedent=False)
    assert project.run_process("check").code == 0
    result = project.run_process("build", "--date", "2026-11-27")  # timeout=120: a hang fails
    assert result.code == 0, result.out + result.err


@pytest.mark.slow
def test_worst_admitted_record_text_builds(project):
    text = "[" * MAX_CHARACTERS["["] + "<" * MAX_CHARACTERS["<"]
    project.scheme(MINIMAL_SCHEME.replace("explication: Tout fonctionne.", f"explication: '{text}'"))
    assert project.run_process("check").code == 0
    result = project.run_process("build", "--date", "2026-11-27")
    assert result.code == 0, result.out + result.err


@pytest.mark.parametrize("char", list(MAX_CHARACTERS))
def test_record_text_over_budget_is_refused(workspace, check, char):
    text = (char + "a") * 4000
    workspace.scheme(MINIMAL_SCHEME.replace("explication: Tout fonctionne.", f"explication: '{text}'"))
    result = check()
    limit = f"{MAX_CHARACTERS[char]:,}".replace(",", " ")
    assert result.lines == [f"{E}:8:18: historique_statut[1].explication: texte trop chargé : 4 000 « {char} » (au plus {limit}) ; {HINT}"]
    assert result.code == 1


def test_guide_over_budget_is_refused_at_its_line(workspace, check):
    workspace.write(G, HEADER + "Texte.\n" + "[" * 200_000 + "\n", dedent=False)
    result = check()
    assert result.lines == [f"{G}:11:{MAX_CHARACTERS['['] + 1}: texte: texte trop chargé : 200 000 « [ » (au plus 400) ; {HINT}"]
    assert result.code == 1


def test_guide_with_too_many_lines_is_refused(workspace, check):
    workspace.write(G, HEADER + "- x\n" * 50_000, dedent=False)
    assert check().lines == [f"{G}:9:1: texte: texte trop chargé : 50 001 lignes (au plus 2 000) ; {HINT}"]


# --- loader: line separators and French syntax errors -------------------------

INVISIBLE = "supprimez-le (il a pu être collé depuis un courriel ou un traitement de texte)"


def test_line_separators_are_refused_at_their_true_position(workspace, check):
    text = MINIMAL_SCHEME.replace(
        "nom: Aide exemple", "nom: \"Parcours\u2028emploi\u2029compétences\u0085x\"", 1
    ).replace("revu_le: 2026-11-01", "revu_le: 2026-11-01\nid: double")
    workspace.write(E, text.encode("utf-8"))
    assert check().lines == [
        f"{E}:2:15: nom: caractère invisible interdit U+2028 LINE SEPARATOR ; {INVISIBLE}",
        f"{E}:2:22: nom: caractère invisible interdit U+2029 PARAGRAPH SEPARATOR ; {INVISIBLE}",
        f"{E}:2:34: nom: caractère de contrôle interdit U+0085 ; {INVISIBLE}",
        f"{E}:18:1: id: clé « id » en double (déjà présente ligne 1) ; "
        "gardez une seule occurrence : YAML ne garderait que la dernière",
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            "id: exemple\nnom: Aide\n  exemple\nx\n",
            "5:1: syntaxe: deux-points « : » manquant après une clé ; "
            "écrivez « clé: valeur » ; une valeur sur plusieurs lignes s'écrit après « | » ou entre guillemets",
            id="could-not-find-colon",
        ),
        pytest.param(
            "id: exemple\nnom: 'Aide' exemple\n",
            "2:13: syntaxe: indentation incorrecte ou texte en trop après une valeur ; "
            "alignez la clé sur les autres clés du même niveau, ou mettez la valeur entre guillemets",
            id="expected-key",
        ),
        pytest.param(
            "id: exemple\nnom: !x!y Aide\n",
            "2:6: syntaxe: étiquette YAML « ! » inconnue ; mettez la valeur entre guillemets",
            id="undefined-tag-handle",
        ),
        pytest.param(
            "id: exemple\nnom: \"Aide\n",
            "2:6: syntaxe: guillemet non fermé ; fermez le guillemet ouvert plus haut",
            id="unclosed-quote",
        ),
        pytest.param(
            "id: exemple\nnom: \"Aide\\q\"\n",
            "2:11: syntaxe: séquence d'échappement inconnue après « \\ » entre guillemets doubles ; "
            "utilisez des guillemets simples, ou doublez la barre oblique « \\\\ »",
            id="unknown-escape",
        ),
        pytest.param(
            "id: exemple\n...\nnom\n",
            "3:1: syntaxe: texte en trop après la fin de l'enregistrement ; vérifiez l'indentation, ou retirez ce qui suit",
            id="document-start",
        ),
        pytest.param(
            "id: exemple\nnom: [" + "[" * 2000 + "\n",
            "2:1005: syntaxe: imbrication trop profonde ; 24 niveaux au plus : simplifiez la structure",
            id="nesting-depth",
        ),
    ],
)
def test_syntax_errors_are_in_french(workspace, check, text, expected):
    workspace.write(E, text.encode("utf-8"))
    assert check().lines == [f"{E}:{expected}"]
