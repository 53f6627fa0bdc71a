"""`reperes new`: a record that passes the check as written, every field of
its model shown with its French description."""

from __future__ import annotations

import re

import pytest
from workspace import Workspace

from generator.contrib.scaffold import NEW_KINDS
from generator.records.introspect import fields
from generator.records.kinds import KINDS

PATHS = {
    "dispositif": "schemes/essai.yml",
    "partenaire": "schemes/partenaires/essai.yml",
    "outil": "schemes/outils/essai.yml",
    "site": "schemes/sites/essai.yml",
    "guide": "docs/guides/essai.md",
}
SUMMARY = "{n} fiches valides : {d} dispositif{ds}, {p} partenaire{ps}, {o} outil{os}, {s} site{ss} référent{ss}{g}, glossaire\n"


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_new_record_passes_the_check(workspace: Workspace, capsys, kind):
    result = workspace.run("new", kind, "essai", capsys=capsys)
    owner = " (site référent : site-exemple)" if KINDS[kind].owner else ""
    assert (result.code, result.out) == (0, "")
    assert result.err == (
        f"créé : {PATHS[kind]}{owner}\ncomplétez les valeurs « À compléter. », puis lancez « make check »\n"
    )
    check = workspace.run("check", capsys=capsys)
    assert (check.code, check.out) == (0, ""), check.out
    counts = {name: 1 for name in ("dispositif", "partenaire", "outil", "site")} | {"guide": 0}
    counts[kind] += 1
    assert check.err == SUMMARY.format(
        n=6, d=counts["dispositif"], ds="s" if counts["dispositif"] > 1 else "", p=counts["partenaire"],
        ps="s" if counts["partenaire"] > 1 else "", o=counts["outil"], os="s" if counts["outil"] > 1 else "",
        s=counts["site"], ss="s" if counts["site"] > 1 else "", g=", 1 guide" if counts["guide"] else "",
    )


@pytest.mark.parametrize("kind", NEW_KINDS)
def test_every_field_of_the_model_is_there_after_its_description(workspace: Workspace, capsys, kind):
    assert workspace.run("new", kind, "essai", capsys=capsys).code == 0
    lines = (workspace.root / PATHS[kind]).read_text(encoding="utf-8").splitlines()
    for name, info in fields(KINDS[kind].model).items():
        at = next((i for i, line in enumerate(lines) if re.fullmatch(rf"(# )?{name}:.*", line)), None)
        assert at is not None, f"{name} absent"
        comment = []
        for line in reversed(lines[:at]):
            if not line.startswith("# ") or re.match(r"# [a-z_]+:", line) or line.startswith("#   "):
                break
            comment.insert(0, line[2:])
        described = " ".join(comment)
        assert described.startswith(" ".join(info.description.split())[:40]), (name, described)
        assert described.endswith("Facultatif : retirez « # » pour le remplir.") is (
            lines[at].startswith("# ")
        ), name


def test_new_scheme_says_it_is_to_be_completed(workspace: Workspace, capsys):
    workspace.run("new", "dispositif", "essai", capsys=capsys)
    text = (workspace.root / PATHS["dispositif"]).read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=_schemas/dispositif.json\n")
    assert "\nid: essai\n" in text and "\nnom: À compléter.\n" in text
    assert "\nsite_referent: site-exemple\n" in text
    assert "\n    elements_de_langage: À compléter.\n" in text  # the entry in force says what to say
    assert "\n    donnee_exemple: true\n" in text
    site = workspace.run("new", "site", "essai", capsys=capsys)
    assert site.code == 0
    site_text = (workspace.root / PATHS["site"]).read_text(encoding="utf-8")
    assert "\ndonnee_exemple: true\n" in site_text
    assert '\n# equipe_forge: "@organisation/equipe"\n' in site_text


def test_new_record_never_overwrites(workspace: Workspace, capsys):
    before = (workspace.root / "schemes/exemple.yml").read_text(encoding="utf-8")
    result = workspace.run("new", "dispositif", "exemple", capsys=capsys)
    assert (result.code, result.err) == (
        2, "reperes : erreur : « schemes/exemple.yml » existe déjà ; choisissez un autre identifiant\n"
    )
    assert (workspace.root / "schemes/exemple.yml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["dispositif", "Mon-Aide"], "identifiant « Mon-Aide » invalide ; uniquement des minuscules sans accent, "
         "des chiffres et des tirets, par exemple aide-embauche-jeunes"),
        (["dispositif", "journal"], "l'identifiant « journal » est réservé ; choisissez un identifiant qui nomme "
         "le dispositif"),
        (["guide", "essai", "--site", "site-exempel"], "site référent « site-exempel » introuvable ; "
         "vouliez-vous dire « site-exemple » ?"),
    ],
)
def test_new_refuses_what_would_not_check(workspace: Workspace, capsys, args, message):
    result = workspace.run("new", *args, capsys=capsys)
    assert (result.code, result.out, result.err) == (2, "", f"reperes : erreur : {message}\n")
    assert not (workspace.root / "docs").exists()
    assert sorted(p.name for p in (workspace.root / "schemes").iterdir()) == [
        "exemple.yml", "glossaire.yml", "outils", "partenaires", "sites",
    ]


def test_a_scheme_needs_a_referent_site(workspace: Workspace, capsys):
    (workspace.root / "schemes/sites/site-exemple.yml").unlink()
    result = workspace.run("new", "dispositif", "essai", capsys=capsys)
    assert (result.code, result.err) == (2, (
        "reperes : erreur : le dispositif doit être tenu par un site référent, et il n'y en a aucun ; "
        "créez d'abord le site : reperes new site ID\n"
    ))
