"""The one walker of references between records: what it finds in the sample
corpus, the reverse index, and that a new reference field is seen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from workspace import Workspace

from generator.records import references as walker
from generator.records.corpus import Corpus, LoadCache, load_corpus
from generator.records.introspect import fields, models
from generator.records.kinds import KINDS
from generator.records.models import Etape, Slug, Strict
from generator.records.references import Target, references, references_in, reverse_index
from generator.site.render import Renderer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample() -> Corpus:
    corpus = load_corpus(ROOT / "schemes", base=ROOT)
    assert not corpus.errors
    return corpus


def found(refs: list[walker.Reference]) -> list[tuple[Any, ...]]:
    return [(ref.path, ref.kind, ref.target, ref.role) for ref in refs]


def test_every_reference_of_a_sample_scheme(sample: Corpus) -> None:
    assert found(references("dispositif", sample.of_kind("dispositif")["aej"])) == [
        (("circuit", 0, "responsable"), "employeur", "employeur", "étape"),
        (("circuit", 0, "outil"), "outil", "sylae", "étape"),
        (("circuit", 1, "responsable"), "partenaire", "asp", "étape"),
        (("circuit", 1, "outil"), "outil", "sylae", "étape"),
        (("circuit", 2, "responsable"), "employeur", "employeur", "étape"),
        (("circuit", 2, "outil"), "outil", "sylae", "étape"),
        (("circuit", 3, "responsable"), "partenaire", "asp", "étape"),
        (("circuit", 3, "outil"), "outil", "sylae", "étape"),
        (("orientation", "a_rediriger", 0, "partenaire"), "partenaire", "france-travail", "redirection"),
        (("orientation", "a_rediriger", 0, "dispositif"), "dispositif", "emplois-francs", "redirection"),
        (("site_referent",), "site", "site-alternance-embauche", "propriétaire"),
        (("dispositifs_lies", 0), "dispositif", "ameeth", "lié"),
        (("dispositifs_lies", 1), "dispositif", "embauche-pme", "lié"),
        (("dispositifs_lies", 2), "dispositif", "emplois-francs", "lié"),
    ]


def test_every_reference_of_a_sample_guide_and_tool(sample: Corpus) -> None:
    assert found(references("guide", sample.of_kind("guide")["changer-de-rib"])) == [
        (("dispositifs", 0), "dispositif", "aide-exceptionnelle-apprentissage", "guide"),
        (("dispositifs", 1), "dispositif", "aide-unique-apprentissage", "guide"),
        (("dispositifs", 2), "dispositif", "pec", "guide"),
        (("outils", 0), "outil", "sylae", "guide"),
        (("partenaires", 0), "partenaire", "asp", "guide"),
        (("proprietaire",), "site", "site-alternance-embauche", "propriétaire"),
    ]
    assert found(references("outil", sample.of_kind("outil")["sylae"])) == [
        (("anomalies", 0, "responsable"), "partenaire", "asp", "anomalie"),
    ]


def _identifier_paths(model: type[Strict], data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where a record's raw data holds an identifier that is not the record's own id
    nor a tag: found from the data and the validators, not from the walker's table."""
    out = []
    for field in fields(model).values():
        value = data.get(field.name) if isinstance(data, dict) else None
        if value is None:
            continue
        items = list(enumerate(value)) if field.is_list else [(None, value)]
        for index, item in items:
            where = path + (field.name,) + (() if index is None else (index,))
            if field.model is not None:
                out += _identifier_paths(field.model, item, where)
            elif "_check_slug" in field.validators and field.name not in ("id", "etiquettes"):
                out.append(where)
    return out


def test_the_walker_finds_every_identifier_of_the_sample_corpus(sample: Corpus) -> None:
    seen = 0
    for kind in KINDS:
        for record in sample.of_kind(kind).values():
            paths = [ref.path for ref in references(kind, record)]
            assert paths == _identifier_paths(KINDS[kind].model, record.loaded.data), record.path
            for ref in references(kind, record):  # each one a place editors can be sent to
                assert record.loaded.position(ref.path)[0] > 1, (record.path, ref.path)
            seen += len(paths)
    assert seen > 100


def test_every_identifier_field_of_the_models_is_a_reference() -> None:
    # An identifier field added to a model without saying what it names would be
    # neither checked nor shown on the pages it names.
    undeclared = [
        f"{model.__name__}.{field.name}"
        for model in models(kind.model for kind in KINDS.values())
        for field in fields(model).values()
        if "_check_slug" in field.validators and field.name not in ("id", "etiquettes")
        and (model, field.name) not in walker.TARGETS
    ]
    assert undeclared == []
    assert {target.kind for target in walker.TARGETS.values()} <= set(KINDS)


def test_reverse_index_of_a_partner(sample: Corpus) -> None:
    index = reverse_index(sample)
    assert [(record.id, ref.path, ref.role) for record, ref in index[("partenaire", "france-travail")]] == [
        ("aej", ("orientation", "a_rediriger", 0, "partenaire"), "redirection"),
        ("aide-exceptionnelle-contrat-pro", ("orientation", "a_rediriger", 0, "partenaire"), "redirection"),
        ("allocation-cej", ("orientation", "a_rediriger", 0, "partenaire"), "redirection"),
        ("emplois-francs", ("circuit", 1, "responsable"), "étape"),
        ("emplois-francs", ("orientation", "a_rediriger", 0, "partenaire"), "redirection"),
        ("pec", ("circuit", 0, "responsable"), "étape"),
        ("pec", ("circuit", 1, "responsable"), "étape"),
        ("pec", ("orientation", "a_rediriger", 0, "partenaire"), "redirection"),
        ("orienter-vers-un-partenaire", ("partenaires", 2), "guide"),
    ]
    step = index[("partenaire", "france-travail")][3][1].holder
    assert isinstance(step, Etape) and step.responsable == "france-travail"
    # Actors are named, under their own kind, never as partners.
    assert ("partenaire", "employeur") not in index and index[("employeur", "employeur")]


class Visite(Strict):
    lieu: Slug
    etapes: list[Etape] = []


class FicheEssai(Strict):
    id: Slug
    visites: list[Visite] = []
    outil_principal: Slug | None = None


def test_a_new_reference_field_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    # Declared once, in TARGETS; where it sits (here in a list of a nested
    # model) is found from the models, as are the steps nested in it.
    monkeypatch.setitem(walker.TARGETS, (FicheEssai, "outil_principal"), Target("outil", "principal"))
    monkeypatch.setitem(walker.TARGETS, (Visite, "lieu"), Target("site", "visite"))
    fiche = FicheEssai.model_validate({
        "id": "essai",
        "outil_principal": "sylae",
        "visites": [{"lieu": "site-a"}, {"lieu": "site-b", "etapes": [{"titre": "Dépôt", "responsable": "asp"}]}],
    })
    assert found(references_in(fiche)) == [
        (("visites", 0, "lieu"), "site", "site-a", "visite"),
        (("visites", 1, "lieu"), "site", "site-b", "visite"),
        (("visites", 1, "etapes", 0, "responsable"), "partenaire", "asp", "étape"),
        (("outil_principal",), "outil", "sylae", "principal"),
    ]


def test_a_tool_page_follows_the_partner_of_its_known_issues(workspace: Workspace) -> None:
    # The tool's page shows the partner that fixes each known issue: renaming
    # the partner renders the tool's page again (as `mkdocs serve` does).
    workspace.write("schemes/outils/outil-exemple.yml", """\
        id: outil-exemple
        nom: Outil
        objet: Sert aux tests.
        anomalies:
          - titre: Codes non reçus
            symptome: Je n'ai pas reçu mes codes.
            responsable: partenaire-exemple
            etat: ouverte
            depuis: 2026-01-05
        """)
    partner = "id: partenaire-exemple\nnom: Partenaire\nsigle: {}\ntype: asp\nrole: Paie.\n"
    workspace.write("schemes/partenaires/partenaire-exemple.yml", partner.format("PEX"))
    cache, renderer, today = LoadCache(), Renderer(), dt.date(2026, 11, 27)

    def tool_page() -> str:
        corpus = load_corpus(workspace.root / "schemes", cache=cache, base=workspace.root)
        assert not corpus.errors
        return renderer.render(corpus, today)["outils/outil-exemple.md"][0]

    assert "[PEX](../partenaires/partenaire-exemple.md)" in tool_page()
    workspace.write("schemes/partenaires/partenaire-exemple.yml", partner.format("PEXNOUVEAU"))
    assert "[PEXNOUVEAU](../partenaires/partenaire-exemple.md)" in tool_page()
