"""Records' text and addresses are inert by construction (hardening issue).

What `reperes check` refuses is asserted by its exact message; what it
accepts is built for real (`reperes build`, MkDocs included) and every HTML
page of the site is parsed: the payload shows as literal text and makes no
tag, attribute, link, heading, admonition or rule.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from workspace import MINIMAL_SCHEME

ROOT = Path(__file__).resolve().parent.parent
E = "schemes/exemple.yml"


# --- helpers ------------------------------------------------------------------------


class Page(HTMLParser):
    """What a reader gets from the page's content (<article>) and its <title>."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article> when > 0
        self.in_title = False
        self.title = ""
        self.elements: list[tuple[str, dict[str, str]]] = []  # (tag, attributes) in the article
        self.headings: list[str] = []
        self.codes: list[str] = []
        self.texts: list[str] = []
        self._heading: list[str] | None = None
        self._code: list[str] | None = None
        self.feed(text)
        self.text = " ".join("".join(self.texts).split())

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "title":
            self.in_title = True
        if tag == "article":
            self.depth += 1
        elif self.depth:
            self.elements.append((tag, attributes))
            if re.fullmatch(r"h[1-6]", tag):
                self._heading = []
            if tag == "code":
                self._code = []

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag == "article":
            self.depth -= 1
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append("".join(self._heading).replace("¶", "").strip())
            self._heading = None
        if tag == "code" and self._code is not None:
            self.codes.append("".join(self._code))
            self._code = None

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.depth:
            self.texts.append(data)
            for part in (self._heading, self._code):
                if part is not None:
                    part.append(data)


def built_pages(root: Path) -> dict[str, Page]:
    return {p.relative_to(root / "site").as_posix(): Page(p.read_text(encoding="utf-8"))
            for p in sorted((root / "site").rglob("*.html"))}


def build(project, capsys) -> dict[str, Page]:
    result = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert result.code == 0, result.out + result.err
    return built_pages(project.root)


def assert_inert(pages: dict[str, Page], words: list[str]) -> None:
    """No page's content turned record text into structure or code."""
    for name, page in pages.items():
        for tag, attributes in page.elements:
            assert tag not in {"script", "img", "iframe", "svg", "style", "hr", "blockquote", "form", "input"}, (name, tag)
            assert not any(a.startswith("on") or a == "style" for a in attributes), (name, tag, attributes)
            classes = attributes.get("class", "").split()
            assert not {"danger", "failure", "bug"} & set(classes), (name, tag, classes)
            href = attributes.get("href", "")
            assert not re.match(r"\s*(javascript|data|vbscript):", href, re.I), (name, href)
            assert "evil.example" not in href and "evil.example" not in attributes.get("src", ""), (name, href)
        for heading in page.headings:
            assert not any(word in heading for word in words), (name, heading)


def scheme_with(**fields: str) -> str:
    """The minimal scheme with some top-level fields added (YAML text, already indented)."""
    return MINIMAL_SCHEME + "".join(f"{key}:{value}\n" for key, value in fields.items())


def refused(check, expected: list[str]) -> None:
    result = check()
    assert result.lines == expected
    assert result.code == 1
    assert "Traceback" not in result.out + result.err


# --- 1. addresses -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, message",
    [
        ("https://a.example/x)<b>", "le caractère « < » n'a pas sa place dans une adresse"),
        ("https://a.example/x)![](https://evil.example/p.png", "ses parenthèses ne vont pas par paires"),
        ("https:///chemin", "nom de site manquant ou illisible après https://"),
        ("https://www.service-public.fr@evil.example/",
         "elle contient un identifiant avant « @ » et mène en fait au site « evil.example » ; "
         "écrivez l'adresse du site sans identifiant"),
        ("https://a.example/\"onmouseover=\"x", "le caractère « \" » n'a pas sa place dans une adresse"),
        ("https://a.example/`code`", "le caractère « ` » n'a pas sa place dans une adresse"),
        ("https://a.example/a\\b", "le caractère « \\ » n'a pas sa place dans une adresse"),
    ],
    ids=["markup", "unbalanced", "no-host", "userinfo", "quote", "backtick", "backslash"],
)
def test_unsafe_address_is_refused_at_its_line(workspace, check, url, message):
    quoted = "'" + url.replace("'", "''") + "'"
    workspace.scheme(scheme_with(references=f"\n  - titre: Décret\n    url: {quoted}"))
    refused(check, [f"{E}:20:10: references[1].url: adresse « {url} » invalide : {message}"])


def test_address_is_emitted_percent_encoded(project, capsys):
    url = "https://fr.wikipedia.org/wiki/Aide_(emploi)?q=a|b#x"
    project.scheme(scheme_with(references=f"\n  - titre: Article\n    url: '{url}'"))
    pages = build(project, capsys)
    links = [a for tag, a in pages["dispositifs/exemple/index.html"].elements if tag == "a" and a.get("href", "").startswith("https://fr.")]
    assert [a["href"] for a in links] == ["https://fr.wikipedia.org/wiki/Aide_%28emploi%29?q=a%7Cb#x"]
    assert_inert(pages, [])


def test_edit_link_goes_through_the_same_filter(project, capsys):
    pages = build(project, capsys)
    edit = [a["href"] for tag, a in pages["dispositifs/exemple/index.html"].elements
            if tag == "a" and "/edit/main/" in a.get("href", "")]
    assert edit == ["https://forge.exemple.invalid/asp/reperes/edit/main/schemes/exemple.yml"]


# --- 2. glossary --------------------------------------------------------------------


@pytest.mark.parametrize(
    "term, expected",
    [
        ('sigle: "AU\\n<script>alert(1)</script>\\n# Titre"', "3:12: termes[1].sigle: le sigle tient sur une ligne"),
        ("sigle: A*B", "3:12: termes[1].sigle: caractère « * » interdit dans un sigle ; lettres, chiffres, espaces "
                       "et « - . & ' / + » seulement"),
        ('developpement: "Assistance\\n!!! danger \\"Faux\\""',
         "4:20: termes[1].developpement: texte sur une seule ligne attendu"),
        ("developpement: Assistance *Utilisateurs*",
         "4:20: termes[1].developpement: caractère « * » interdit ici : texte simple, sans mise en forme ni lien"),
    ],
    ids=["sigle-lines", "sigle-markup", "expansion-lines", "expansion-markup"],
)
def test_glossary_term_with_markup_is_refused(workspace, check, term, expected):
    key = term.split(":")[0]
    lines = {"sigle": "    sigle: AU", "developpement": "    developpement: Assistance Utilisateurs"}
    lines[key] = f"    {term}"
    workspace.write("schemes/glossaire.yml", "# Glossaire\ntermes:\n  - sigle: X\n    developpement: Y\n"
                    .replace("  - sigle: X", "  -" + lines["sigle"][3:]).replace("    developpement: Y", lines["developpement"]))
    refused(check, [f"schemes/glossaire.yml:{expected}"])


def test_abbreviations_show_their_expansion_and_nothing_else(project, capsys):
    project.write("schemes/glossaire.yml", "termes:\n  - sigle: AU\n    developpement: \"Assistance & « Utilisateurs » (AU)\"\n")
    project.scheme(MINIMAL_SCHEME.replace("Tout fonctionne.", "Tout fonctionne à l'AU."))
    pages = build(project, capsys)
    abbr = [a for tag, a in pages["dispositifs/exemple/index.html"].elements if tag == "abbr"]
    assert abbr and {a["title"] for a in abbr} == {"Assistance & « Utilisateurs » (AU)"}
    assert_inert(pages, [])


# --- 3 to 7. record text ------------------------------------------------------------

# A reference definition with a javascript: target is refused by the check
# (tests/test_inert_guides.py); a harmless one must still not become a link.
BLOCK_PAYLOAD = """\
Bonjour.
!!! danger "Faux danger"
    Faux contenu
- - -
* * *
___
- !!! danger "Faux dans une liste"
- [x]: https://exemple.invalid/faux
??? note "Faux repli"
???+ note "Faux repli ouvert"
*[AU]: Faux sigle
[^1]: Fausse note
Faux titre souligné
===
| a | b |
|---|---|
```
# Faux titre
> Fausse citation
{: .danger }
[TOC]
Fin."""

SHOWN = [
    '!!! danger "Faux danger"', "Faux contenu", "- - -", "* * *", "___", '!!! danger "Faux dans une liste"',
    "[x]: https://exemple.invalid/faux", '??? note "Faux repli"', '???+ note "Faux repli ouvert"', "*[AU]: Faux sigle",
    "[^1]: Fausse note", "Faux titre souligné ===", "| a | b |", "|---|---|", "```", "# Faux titre",
    "> Fausse citation", "{: .danger }", "[TOC]", "Fin.",
]


def _yaml_block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "\n".join(pad + line if line else "" for line in text.splitlines())


def test_block_constructs_in_record_text_stay_text(project, capsys):
    scheme = MINIMAL_SCHEME.replace(
        "    elements_de_langage: Votre dossier suit son cours.",
        "    elements_de_langage: " + _yaml_block(BLOCK_PAYLOAD, 6),
    )
    scheme += "faq:\n  - question: Une question ?\n    reponse: " + _yaml_block(BLOCK_PAYLOAD, 6) + "\n"
    scheme += ("eligibilite:\n  beneficiaires: Tout le monde.\n  conditions:\n"
               "    - '- !!! danger \"Faux\"'\n    - '# Faux titre de condition'\n")
    project.scheme(scheme)
    pages = build(project, capsys)
    page = pages["dispositifs/exemple/index.html"]
    for shown in SHOWN:
        assert page.text.count(shown) >= 2, shown  # in "À dire à l'appelant" and in the FAQ
    assert "!!! danger \"Faux\"" in page.text and "# Faux titre de condition" in page.text
    admonitions = [a.get("class", "") for tag, a in page.elements if tag in ("div", "details")
                   and "admonition" in a.get("class", "") or tag == "details"]
    assert admonitions == ["admonition quote", "question"]  # the template's, nothing more
    assert not [a for tag, a in page.elements if tag in ("hr", "blockquote", "table", "pre")]
    assert_inert(pages, ["Faux"])


def test_reply_template_is_prose_that_shows_every_character(project, capsys):
    texte = "Madame,\n`````\n``````\n```````\n~~~\n# pas un titre\n!!! danger\n\nCordialement."
    project.scheme(scheme_with(modeles_reponse="\n  - titre: Relance\n    canal: courriel\n    texte: "
                               + _yaml_block(texte, 6)))
    pages = build(project, capsys)
    page = pages["dispositifs/exemple/index.html"]
    # Wrapped as prose (paragraphs, no code block), every character shown as typed.
    assert not [c for c in page.codes if "Madame" in c]
    assert "Madame, ````` `````` ``````` ~~~ # pas un titre !!! danger Cordialement." in page.text
    assert_inert(pages, ["pas un titre"])


def test_title_with_markdown_characters_keeps_its_front_matter(project, capsys):
    nom = 'Aide ! * [ # | ` ~ ^ "cité" & fin'
    project.scheme(MINIMAL_SCHEME.replace("nom: Aide exemple", "nom: '" + nom + "'"))
    project.write("schemes/outils/outil-exemple.yml", "id: outil-exemple\nnom: 'Outil !*[#|`~^'\nobjet: Sert.\n")
    site = (project.root / "schemes/sites/site-exemple.yml").read_text(encoding="utf-8")
    project.write("schemes/sites/site-exemple.yml", site.replace("nom: Site", "nom: 'Site !*[#|`~^ \"x\"'"))
    pages = build(project, capsys)
    assert pages["dispositifs/exemple/index.html"].title == f"{nom} - Repères"
    assert pages["dispositifs/exemple/index.html"].headings[0] == nom
    assert pages["outils/outil-exemple/index.html"].title == "Outil !*[#|`~^ - Repères"
    assert pages["journal/site-exemple/index.html"].title == 'Journal : Site !*[#|`~^ "x" - Repères'
    assert_inert(pages, [])


def test_backslash_and_pipe_show_in_a_table_cell(project, capsys):
    project.scheme(scheme_with(montants="\n  - du: 2025-01-01\n    montant: 'A\\|B puis C | D \\ fin'"))
    pages = build(project, capsys)
    page = pages["dispositifs/exemple/index.html"]
    assert "A\\|B puis C | D \\ fin" in page.text


def test_image_in_record_text_is_refused(workspace, check):
    workspace.scheme(MINIMAL_SCHEME.replace("resume: Une aide pour les tests.",
                                            "resume: 'Voir ![carte](https://evil.example/p.png)'"))
    refused(check, [f"{E}:4:9: resume: image interdite (« ![carte](https://evil.example/p.png) ») : une image "
                    "serait chargée depuis un autre site ; écrivez un lien [texte](https://…) à la place"])


# --- 8. reserved ids ----------------------------------------------------------------


@pytest.mark.parametrize(
    "path, text, expected",
    [
        ("schemes/sites/index.yml",
         "id: index\nnom: Site\ncontact:\n  canal: courriel\n  libelle: Boîte\n  valeur: s@exemple.invalid\n",
         "schemes/sites/index.yml:1:5: id: l'identifiant « index » est réservé ; "
         "choisissez un identifiant qui nomme le site référent"),
        ("schemes/partenaires/index.yml", "id: index\nnom: P\ntype: asp\nrole: Paie.\n",
         "schemes/partenaires/index.yml:1:5: id: l'identifiant « index » est réservé ; "
         "choisissez un identifiant qui nomme le partenaire"),
        ("schemes/outils/index.yml", "id: index\nnom: O\nobjet: Sert.\n",
         "schemes/outils/index.yml:1:5: id: l'identifiant « index » est réservé ; "
         "choisissez un identifiant qui nomme l'outil"),
    ],
    ids=["site", "partenaire", "outil"],
)
def test_id_of_a_generated_page_is_refused(workspace, check, path, text, expected):
    workspace.write(path, text)
    refused(check, [expected])


def test_reserved_ids_cover_every_generated_page(workspace):
    """The table of reserved ids agrees with the pages render.py writes."""
    import datetime as dt

    from generator.records.checks import RESERVED_IDS
    from generator.records.corpus import load_corpus
    from generator.records.kinds import KINDS
    from generator.site.render import Renderer

    folders_of = {kind.name: kind.pages for kind in KINDS.values() if kind.pages}

    corpus = load_corpus(workspace.root / "schemes")
    pages = Renderer().render(corpus, dt.date(2026, 11, 27))
    record_pages = {KINDS[r.kind].page(r.id) for kind in folders_of for r in corpus.of_kind(kind).values()}
    record_pages |= {f"journal/{ident}.md" for ident in corpus.of_kind("site")}
    folders = {kind: {folder} for kind, folder in folders_of.items()} | {"site": {"sites", "journal"}}
    for page in set(pages) - record_pages:
        folder, _, name = page.rpartition("/")
        for kind, kind_folders in folders.items():
            if folder in kind_folders:
                assert name.removesuffix(".md") in RESERVED_IDS[kind], (kind, page)
    assert "index" in RESERVED_IDS["site"] and "journal/index.md" in pages


# --- 9. dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, where",
    [
        ("revu_le: 2026-11-01", "revu_le: 9999-12-31", "17:10: revu_le"),
        ("date: 2025-01-01", "date: 1899-01-01", "6:11: historique_statut[1].date"),
        ("revu_le: 2026-11-01", "revu_le: 2101-01-01", "17:10: revu_le"),
    ],
    ids=["year-9999", "too-old", "after-2100"],
)
def test_implausible_date_is_refused_at_its_line(workspace, check, old, new, where):
    workspace.scheme(MINIMAL_SCHEME.replace(old, new))
    value = new.split(": ")[1]
    refused(check, [f"{E}:{where}: date « {value} » hors de la plage acceptée (1990-01-01 à 2100-12-31)"])


def test_last_accepted_date_builds(project, capsys):
    project.scheme(MINIMAL_SCHEME.replace("revu_le: 2026-11-01", "revu_le: 2100-12-31"))
    pages = build(project, capsys)
    assert "31 décembre 2100" in pages["dispositifs/exemple/index.html"].text


@pytest.mark.parametrize("target", ["../outils/outil-exemple.md", "#circuit", "exemple.md"])
def test_relative_link_in_record_text_is_refused(workspace, check, target):
    # The same text shows on the scheme's page, the board and the partner's page:
    # a relative link would be broken on all but one, and the build would fail.
    workspace.scheme(MINIMAL_SCHEME.replace("resume: Une aide pour les tests.", f"resume: 'Voir [ici]({target})'"))
    refused(check, [f"{E}:4:9: resume: lien interne « {target} » : le texte d'une fiche paraît sur plusieurs pages ; "
                    "pour renvoyer à une autre fiche, utilisez les champs prévus (dispositifs_lies, outil, "
                    "partenaire…) ; sinon, une adresse complète en https://"])


def test_link_in_record_text_with_a_user_before_the_host_is_refused(workspace, check):
    # « https://www.service-public.fr@evil.example/ » reads as service-public.fr and leads to evil.example.
    target = "https://www.service-public.fr@evil.example/"
    workspace.scheme(MINIMAL_SCHEME.replace("resume: Une aide pour les tests.", f"resume: 'Voir [ici]({target})'"))
    refused(check, [f"{E}:4:9: resume: lien « {target} » trompeur : il contient un identifiant avant « @ » et mène "
                    "en fait au site « evil.example » ; écrivez l'adresse du site sans identifiant"])


@pytest.mark.parametrize("url", [
    "https://www.service-public.fr/particuliers/vosdroits/F1234", "https://a.example", "https://localhost",
    "https://a.example/chemin?x=1&y=2#ancre", "https://a.example/a:b;c,d!e*f$g@h~i%20+j",
    "https://a.example.", "https://A.example/", "https://a.example:8443/", "https://a.example:99999/",
    "https://a..example/", "https://-a.example/", "https://a-.example/", "https://a_b.example/",
    "https://user@a.example/", "https://a.example/x)", "https://a.example/(x)", "https://a.example/x y",
    "https://a.example/\x7f", "https://a.example/<", "https://", "http://a.example/", "HTTPS://a.example/",
    "https://a.example/é", "https://é.example/", "https://a.example//", "https://a.example?", "https://a.example#",
])
def test_plain_addresses_need_no_rule_by_rule_reading(url):
    """The shortcut for plain addresses says what the rules say, one by one."""
    from generator.records.models import url_problem, url_rules

    assert url_problem(url) == url_rules(url)
