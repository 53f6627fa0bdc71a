"""Guides and hand-written pages obey the records' rules: no HTML however it is
written, no attribute beyond classes and ids, no other scheme, no image from
another host, no file name that is not a slug, internal links that resolve,
the same characters and size, and every check in linear time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from html import unescape
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE_PATH = "docs/guides/changer-de-rib.md"
HEADER = """\
---
titre: Changer de RIB
resume: Un employeur a changé de compte bancaire.
outils:
  - outil-exemple
proprietaire: site-exemple
revu_le: 2026-11-01
---

## Étapes

"""
FIRST = 12  # line of the body's first line after HEADER
HTML_HINT = "pour montrer une balise telle quelle, mettez-la entre accents graves (`<b>`)"


def guide(workspace, body: str, path: str = GUIDE_PATH) -> None:
    workspace.write(path, HEADER + body, dedent=False)


def html_error(line: int, column: int, shown: str, path: str = GUIDE_PATH) -> str:
    return (f"{path}:{line}:{column}: texte: HTML interdit (« {shown} ») : écrivez du texte simple, "
            f"le HTML ne serait pas affiché ; {HTML_HINT}")


SCHEME_HINT = "seuls https:, mailto:, tel: et les liens internes sont acceptés"
REF_HINT = "écrivez le lien en entier : [texte](adresse)"
ATTR_HINT = ("les listes d'attributs ne peuvent porter que des classes (« { .classe } ») ; "
             "pour écrire une accolade, mettez-la entre accents graves (`{`)")


@pytest.mark.parametrize(
    "body, expected",
    [
        ("<img/src/onerror=alert(1)>\n", [html_error(FIRST, 1, "<img/src/onerror=alert(1)>")]),
        ("Texte <svg/x><style/x><img/src/onerror=alert(1)>\n", [html_error(FIRST, 7, "<svg/x>")]),
        ("Un <!-- commentaire --> caché\n", [html_error(FIRST, 4, "<!-- commentaire -->")]),
        ("Voir <javascript:alert(1)>\n",
         [f"{GUIDE_PATH}:{FIRST}:7: texte: lien « javascript:alert(1) » interdit (schéma « javascript: ») ; {SCHEME_HINT}"]),
        ("[x]: javascript:alert(1)\n",
         [f"{GUIDE_PATH}:{FIRST}:1: texte: définition de lien « [x]: » interdite ; {REF_HINT}"]),
        ("- item\n\n  [x]: javascript:alert(1)\n",
         [f"{GUIDE_PATH}:{FIRST + 2}:3: texte: définition de lien « [x]: » interdite ; {REF_HINT}"]),
        ("> - [x]:\n>   javascript:alert(1)\n",
         [f"{GUIDE_PATH}:{FIRST}:5: texte: définition de lien « [x]: » interdite ; {REF_HINT}"]),
        ("Titre { {: onclick=alert(1)}\n",
         [f"{GUIDE_PATH}:{FIRST}:7: texte: attribut interdit dans « {{ {{: onclick=alert(1)}} » ; {ATTR_HINT}"]),
        ("Paragraphe\n{: hidden }\n",
         [f"{GUIDE_PATH}:{FIRST + 1}:1: texte: attribut interdit dans « {{: hidden }} » ; {ATTR_HINT}"]),
        # ~~~ does not close a backtick fence: never closed, it is live text.
        ("```\n~~~\n<img src=x onerror=alert(1)>\n", [html_error(FIRST + 2, 1, "<img src=x onerror=alert(1)>")]),
        # A shorter fence does not close a longer one, and an unclosed fence is no fence.
        ("````\n```\n<b>gras</b>\n", [html_error(FIRST + 2, 1, "<b>")]),
        # Indented, the fence may belong to a list or a code block: checked.
        ("    ```\n<b>gras</b>\n    ```\n", [html_error(FIRST + 1, 1, "<b>")]),
        # A code span on line 2 is not one when line 1 opened a span that closes on line 2.
        ("Tapez `a\nb` <b>x</b>` fin`\n", [html_error(FIRST + 1, 4, "<b>")]),
        ("Échappé \\`<b>x</b>`\n", [html_error(FIRST, 11, "<b>")]),
        ("![suivi](https://evil.example/p.png)\n",
         [f"{GUIDE_PATH}:{FIRST}:10: texte: image « https://evil.example/p.png » hors du dépôt interdite "
          "(le site ne charge rien depuis un autre site) ; placez l'image sous docs/ et appelez-la par un chemin "
          "relatif, par exemple ../contribuer/capture.png"]),
        ("Texte \u202e inversé\n",
         [f"{GUIDE_PATH}:{FIRST}:7: texte: caractère invisible interdit U+202E RIGHT-TO-LEFT OVERRIDE ; "
          "supprimez-le (il a pu être collé depuis un courriel ou un traitement de texte)"]),
        ("Texte \x1b[31m rouge\n",
         [f"{GUIDE_PATH}:{FIRST}:7: texte: caractère de contrôle interdit U+001B ; "
          "supprimez-le (il a pu être collé depuis un courriel ou un traitement de texte)"]),
    ],
    ids=["img-slash", "svg-style-img", "comment", "autolink-scheme", "ref-def", "ref-def-in-list",
         "ref-def-in-quote-next-line", "nested-braces", "attr-own-line", "tilde-does-not-close",
         "shorter-fence", "indented-fence", "span-across-lines", "escaped-backtick", "external-image",
         "bidi", "escape-char"],
)
def test_hostile_guide_body_is_refused_at_its_line(workspace, check, body, expected):
    guide(workspace, body)
    result = check()
    assert result.code == 1
    assert result.lines == expected
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize(
    "name, suggestion",
    [("javascript:alert(1).md", "javascript-alert-1.md"), ("mon guide.md", "mon-guide.md"),
     ("a<b]c(d.md", "a-b-c-d.md"), ("Réponse.md", "reponse.md")],
)
def test_guide_file_names_must_be_slugs(workspace, check, name, suggestion):
    guide(workspace, "Texte.\n", path=f"docs/guides/{name}")
    result = check()
    assert result.lines == [
        f"docs/guides/{name}:1:1: fichier: nom « {name} » invalide : uniquement des minuscules sans accent, "
        f"des chiffres et des tirets ; renommez le fichier, par exemple en « {suggestion} »"
    ]


def test_handwritten_page_names_and_folders_must_be_slugs(workspace, check):
    workspace.write("docs/contribuer/Page Un.md", "# Page\n")
    workspace.write("docs/Aide (1)/x.md", "# Page\n")
    result = check()
    assert result.lines == [
        "docs/Aide (1):1:1: fichier: dossier : nom « Aide (1) » invalide : uniquement des minuscules sans accent, "
        "des chiffres et des tirets ; renommez-le, par exemple en « aide-1 »",
        "docs/contribuer/Page Un.md:1:1: fichier: nom « Page Un.md » invalide : uniquement des minuscules sans "
        "accent, des chiffres et des tirets ; renommez le fichier, par exemple en « page-un.md »",
    ]


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ("<img src=x onerror=alert(1)>", "docs/contribuer/index.md:3:1: texte: HTML interdit (« <img src=x onerror=alert(1)> ») : "
         f"écrivez du texte simple, le HTML ne serait pas affiché ; {HTML_HINT}"),
        ("<script>alert(1)</script>", "docs/contribuer/index.md:3:1: texte: HTML interdit (« <script> ») : "
         f"écrivez du texte simple, le HTML ne serait pas affiché ; {HTML_HINT}"),
        ("[clic](javascript:alert(1))", "docs/contribuer/index.md:3:8: texte: lien « javascript:alert(1) » interdit "
         f"(schéma « javascript: ») ; {SCHEME_HINT}"),
        ("![suivi](https://traceur.example/pixel.png)", "docs/contribuer/index.md:3:10: texte: image "
         "« https://traceur.example/pixel.png » hors du dépôt interdite (le site ne charge rien depuis un autre site) ; "
         "placez l'image sous docs/ et appelez-la par un chemin relatif, par exemple ../contribuer/capture.png"),
    ],
    ids=["onerror", "script", "javascript-link", "external-image"],
)
def test_handwritten_pages_get_the_guides_checks(workspace, check, markdown, expected):
    workspace.write("docs/contribuer/index.md", f"# Guide\n\n{markdown}\n")
    result = check()
    assert result.code == 1
    assert result.lines == [expected]


def test_oversized_guide_is_refused_not_cut(workspace, check):
    guide(workspace, "Texte.\n" * 40_000)
    result = check()
    assert result.lines == [
        f"{GUIDE_PATH}:1:1: fichier: fichier trop volumineux (274 Kio ; maximum 256 Kio) ; "
        "découpez le contenu ou retirez les textes copiés en double"
    ]


@pytest.mark.parametrize(
    "escape, expected",
    [
        ("\\x00", "caractère de contrôle interdit U+0000 (écrit « \\x00 » entre guillemets)"),
        ("\\u202e", "caractère invisible interdit U+202E RIGHT-TO-LEFT OVERRIDE (écrit « \\u202e » entre guillemets)"),
        ("\\u200b", "caractère invisible interdit U+200B ZERO WIDTH SPACE (écrit « \\u200b » entre guillemets)"),
        ("\\e", "caractère de contrôle interdit U+001B (écrit « \\x1b » entre guillemets)"),
    ],
    ids=["nul", "bidi", "zero-width", "escape"],
)
def test_record_escapes_obey_the_character_rule(workspace, check, escape, expected):
    text = (workspace.root / "schemes/exemple.yml").read_text(encoding="utf-8")
    workspace.scheme(text.replace("nom: Aide exemple", f'nom: "Aide {escape} exemple"'))
    result = check()
    assert result.lines == [f"schemes/exemple.yml:2:6: nom: {expected} ; supprimez cette séquence d'échappement"]


def test_escaped_key_is_checked_too(workspace, check):
    text = (workspace.root / "schemes/exemple.yml").read_text(encoding="utf-8")
    workspace.scheme(text + '"sigle\\u200b": AE\n')
    result = check()
    assert result.lines[0] == (
        "schemes/exemple.yml:18:1: sigle: caractère invisible interdit U+200B ZERO WIDTH SPACE "
        "(écrit « \\u200b » entre guillemets) ; supprimez cette séquence d'échappement"
    )


# --- internal links -----------------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
    [
        ("[x](../dispositifs/nexiste-pas.md)\n",
         f"{GUIDE_PATH}:{FIRST}:5: texte: lien vers « ../dispositifs/nexiste-pas.md » : cette page n'existe pas"),
        ("[x](../dispositifs/exemplee.md)\n",
         f"{GUIDE_PATH}:{FIRST}:5: texte: lien vers « ../dispositifs/exemplee.md » : cette page n'existe pas ; "
         "vouliez-vous dire « ../dispositifs/exemple.md » ?"),
        ("[x](#nexiste-pas)\n", f"{GUIDE_PATH}:{FIRST}:5: texte: ancre « #nexiste-pas » introuvable dans cette page"),
        ("[x](#Etapes)\n", f"{GUIDE_PATH}:{FIRST}:5: texte: ancre « #Etapes » introuvable dans cette page ; "
         "vouliez-vous dire « etapes » ?"),
        ("[x](../outils/outil-exemple.md#circuit)\n",
         f"{GUIDE_PATH}:{FIRST}:5: texte: ancre « #circuit » introuvable dans « ../outils/outil-exemple.md »"),
        ("[x](../../README.md)\n", f"{GUIDE_PATH}:{FIRST}:5: texte: lien « ../../README.md » hors du site ; "
         "un lien mène à une autre page du site, par exemple ../dispositifs/aej.md"),
        ("[x](/dispositifs/exemple.md)\n", f"{GUIDE_PATH}:{FIRST}:5: texte: lien absolu « /dispositifs/exemple.md » ; "
         "écrivez un lien relatif à la page (par exemple ../dispositifs/aej.md)"),
        ("![schéma](schema.png)\n", f"{GUIDE_PATH}:{FIRST}:11: texte: image « schema.png » introuvable ; "
         "placez l'image sous docs/, à côté de la page"),
    ],
    ids=["missing-page", "close-page", "missing-anchor", "anchor-case", "generated-anchor", "outside",
         "absolute", "missing-image"],
)
def test_internal_links_are_resolved_before_mkdocs(workspace, check, body, expected):
    guide(workspace, body)
    result = check()
    assert result.code == 1
    assert result.lines == [expected]


def test_links_that_resolve_pass(workspace, check):
    workspace.write("docs/contribuer/index.md", "# Contribuer\n\n## Écrire un guide\n\n## Écrire un guide\n")
    guide(workspace, "[a](#etapes) [b](../dispositifs/exemple.md#circuit-du-dossier-au-paiement) "
                     "[c](../contribuer/index.md#ecrire-un-guide_1) [d](../index.md) [e](index.md) "
                     "[f](../journal/index.md) `[g](nulle-part.md)`\n")
    result = check()
    assert result.code == 0, result.out


# --- an accepted hostile-looking guide is inert in the built site --------------------


def test_accepted_guide_with_code_is_inert_in_the_built_site(project, capsys, monkeypatch):
    guide(project, textwrap.dedent("""\
        Tapez `<img src=x onerror=alert(1)>` puis ``{: onclick=alert(1)}``.

        ````text
        ```
        <script>alert(1)</script>
        ```
        ````

        Suite { .remarque }
        """))
    assert project.run("check", capsys=capsys).code == 0
    result = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert result.code == 0, result.out + result.err
    html = (project.root / "site/guides/changer-de-rib/index.html").read_text(encoding="utf-8")
    article = html[html.index("<article"):html.index("</article>")]
    assert not re.search(r"<[^>]+\son\w+=", article)
    assert "<script" not in article and "<img" not in article
    text = unescape(re.sub(r"<[^>]+>", "", article))
    assert "<img src=x onerror=alert(1)>" in text and "<script>alert(1)</script>" in text
    assert "{: onclick=alert(1)}" in text


# --- linear time ---------------------------------------------------------------------

PATTERNS = ["](", "[", "<", "`", "{", "!", "![", "<a ", "[x](", "&#x09;", "](\n", "```\n", "- [", "\\`"]

_LINEAR = """
import sys
from generator.records.guides import check_body
from generator.records.models import _check_text
size = 256 * 1024
for pattern in {patterns!r}:
    text = pattern * (size // len(pattern))
    check_body("guide.md", text, 1)
    try:
        _check_text(text)
    except Exception:
        pass
print("fini")
"""


@pytest.mark.slow  # over 2 s: 256 KiB of each pattern
def test_every_text_check_runs_in_linear_time():
    """256 KiB of each pathological pattern, in a child with a timeout: a
    quadratic check would take minutes and fail here instead of hanging."""
    completed = subprocess.run(
        [sys.executable, "-c", _LINEAR.format(patterns=PATTERNS)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.stdout == "fini\n", completed.stderr


def test_link_check_follows_mkdocs_extensions():
    import yaml

    from generator.site.links import MARKDOWN_EXTENSIONS

    class Tolerant(yaml.SafeLoader):
        pass

    Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Tolerant)
    names = [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]
    assert sorted(names) == sorted(MARKDOWN_EXTENSIONS)


def test_image_of_the_repository_is_shown(project, capsys, monkeypatch):
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
    project.write("docs/guides/capture-sylae.png", png)
    guide(project, "![Écran de SYLAé](capture-sylae.png)\n")
    result = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert result.code == 0, result.out + result.err
    html = (project.root / "site/guides/changer-de-rib/index.html").read_text(encoding="utf-8")
    assert '<img alt="Écran de SYLAé" src="../capture-sylae.png"' in html
    assert (project.root / "site/guides/capture-sylae.png").read_bytes() == png


# --- what the check accepts, the build builds (review of 2026-12) --------------------

SPACE_HINT = ("écrivez l'adresse sans espace ; un titre s'écrit entre guillemets après l'adresse : "
              "[texte](adresse \"titre\")")


@pytest.mark.parametrize(
    "body, expected, corrected",
    [
        ("[x](<../contribuer/index .md>)\n",
         f"{GUIDE_PATH}:{FIRST}:5: texte: adresse « ../contribuer/index .md » avec une espace ou un retour à la "
         f"ligne ; {SPACE_HINT}",
         "[x](<../contribuer/index.md>)\n"),
        # Python-Markdown reads no title in parentheses: the target would be "index.md (titre)".
        ("[x](../contribuer/index.md (titre))\n",
         f"{GUIDE_PATH}:{FIRST}:5: texte: adresse « ../contribuer/index.md (titre) » avec une espace ou un retour "
         f"à la ligne ; {SPACE_HINT}",
         "[x](../contribuer/index.md \"titre\")\n"),
        # The first letter is a Cyrillic "ј": no scheme for a URL parser, no page either.
        ("[x](\u0458avascript:alert(1))\n",
         f"{GUIDE_PATH}:{FIRST}:5: texte: lien « \u0458avascript:alert(1) » interdit (adresse avec « : » qui n'est "
         f"pas un schéma accepté) ; {SCHEME_HINT}",
         "[x](https://www.asp-public.fr)\n"),
    ],
    ids=["space-in-angle-target", "parenthesised-title", "look-alike-scheme"],
)
def test_what_the_check_refuses_mkdocs_would_refuse_and_the_hint_builds(project, capsys, body, expected, corrected):
    guide(project, body)
    result = project.run("check", capsys=capsys)
    assert (result.code, result.lines) == (1, [expected])
    guide(project, corrected)
    assert project.run("check", capsys=capsys).code == 0
    built = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert built.code == 0, built.out + built.err


def test_line_break_in_a_target_is_still_read_as_browsers_do(workspace, check):
    guide(workspace, "[x](java\nscript:alert(1))\n")
    assert check().lines == [
        f"{GUIDE_PATH}:{FIRST}:5: texte: lien « javascript:alert(1) » interdit (schéma « javascript: ») ; {SCHEME_HINT}"
    ]


def test_look_alike_scheme_is_refused_in_records_too(workspace, check):
    text = (workspace.root / "schemes/exemple.yml").read_text(encoding="utf-8")
    workspace.scheme(text.replace("explication: Tout fonctionne.", "explication: Voir [x](\u0458avascript:alert(1))."))
    assert check().lines == [
        "schemes/exemple.yml:8:18: historique_statut[1].explication: lien « \u0458avascript:alert(1) » interdit (adresse avec « : » "
        f"qui n'est pas un schéma accepté) ; {SCHEME_HINT}"
    ]


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ("docs/contribuer/zz.md", "docs/contribuer/zz/index.md",
         "docs/contribuer/zz/index.md:1:1: fichier: adresse « /contribuer/zz/ » déjà prise par docs/contribuer/zz.md"),
        ("docs/glossaire/index.md", None,
         "docs/glossaire/index.md:1:1: fichier: adresse « /glossaire/ » déjà prise par la page produite "
         "« glossaire.md »"),
    ],
    ids=["two-pages", "page-and-generated-page"],
)
def test_two_pages_with_one_address_are_refused(workspace, check, first, second, expected):
    for path in filter(None, (first, second)):
        workspace.write(path, "# Page\n")
    assert check().lines == [
        f"{expected} ; deux pages ne peuvent pas avoir la même adresse : renommez ou déplacez ce fichier"
    ]


@pytest.mark.parametrize(
    "body, column, name, shown",
    [("## Piège { #__config }\n", 10, "#__config", "{ #__config }"),
     ("Paragraphe\n{: .note .md-typeset }\n", 1, ".md-typeset", "{: .note .md-typeset }")],
    ids=["material-id", "material-class"],
)
def test_theme_ids_and_classes_are_refused(workspace, check, body, column, name, shown):
    guide(workspace, body)
    line = FIRST + body.count("\n") - 1
    assert check().lines == [
        f"{GUIDE_PATH}:{line}:{column}: texte: « {name} » réservé au thème dans « {shown} » ; "
        "choisissez un autre nom, qui ne commence ni par « __ » ni par « md- »"
    ]
