"""The shipped sample corpus: valid, editor-ready, sourced, honest about examples."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.contrib.schema import modeline
from generator.records.corpus import discover, load_corpus

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ROOT / "schemes"

# The schemes the records issue asks for, and the redirect record.
REQUIRED_SCHEMES = {
    "aej", "aide-exceptionnelle-apprentissage", "aide-unique-apprentissage",
    "aide-exceptionnelle-contrat-pro", "activite-partielle", "apld", "ameeth", "pec",
    "aide-permis-apprentis", "allocation-cej", "emplois-francs",
}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT / "schemes", base=ROOT)


def test_reperes_check_exits_0_on_the_shipped_corpus():
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "reperes"), "check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert completed.stdout == ""
    assert completed.returncode == 0, completed.stderr
    assert "fiches valides" in completed.stderr


def test_corpus_has_the_required_schemes(corpus):
    assert REQUIRED_SCHEMES <= set(corpus.of_kind("dispositif"))
    assert len(corpus.of_kind("dispositif")) >= 10


def test_redirect_record_for_an_aid_the_agency_does_not_pay(corpus):
    emplois_francs = corpus.of_kind("dispositif")["emplois-francs"].model
    assert emplois_francs.versement_asp is False
    assert emplois_francs.orientation is not None
    assert any(r.partenaire == "france-travail" for r in emplois_francs.orientation.a_rediriger)


def test_every_record_starts_with_its_schema_modeline():
    files, errors = discover(SCHEMES)
    assert errors == []
    for kind, path in files:
        if kind in ("guide", "page", "image"):
            continue  # Markdown (and images) under docs/: no editor modeline there
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == modeline(kind, path, SCHEMES), path


def test_schemas_and_field_reference_are_up_to_date():
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "reperes"), "schema", "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert completed.stdout == ""
    assert completed.returncode == 0


@pytest.mark.parametrize("kind", ["dispositif", "partenaire", "outil", "site", "glossaire"])
def test_peer_validator_accepts_every_sample_record(kind):
    """check-jsonschema (ruamel.yaml, YAML 1.2, formats checked) agrees with us."""
    files, _ = discover(SCHEMES)
    paths = [str(path) for file_kind, path in files if file_kind == kind]
    assert paths
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"),
         "--schemafile", str(SCHEMES / "_schemas" / f"{kind}.json"), *paths],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_peer_validator_rejects_what_we_reject(tmp_path):
    """The schema is not a rubber stamp: an unknown key and a bad state fail there too."""
    bad = tmp_path / "mauvais.yml"
    bad.write_text(
        (SCHEMES / "aej.yml").read_text(encoding="utf-8")
        .replace("    etat: ferme\n", "    etat: bloque\n")
        .replace("nom: Aide", "nmo: Aide"),
        encoding="utf-8",
    )
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "check-jsonschema"),
         "--schemafile", str(SCHEMES / "_schemas" / "dispositif.json"), str(bad)],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 1
    assert "'bloque' is not one of" in completed.stdout
    assert "'nmo' was unexpected" in completed.stdout


def test_facts_carry_sources(corpus):
    for record in corpus.of_kind("dispositif").values():
        scheme = record.model
        assert scheme.references, f"{record.path}: aucune référence"
        for period in scheme.montants:
            assert period.source, f"{record.path}: montant du {period.du} sans source"


def test_non_public_content_is_marked_as_example(corpus):
    for record in corpus.of_kind("dispositif").values():
        scheme = record.model
        orientation = scheme.orientation
        if orientation is not None and (orientation.ligne or orientation.bal):
            assert orientation.donnee_exemple, f"{record.path}: ligne ou BAL internes non marquées"
        for template in scheme.modeles_reponse:
            assert template.donnee_exemple, f"{record.path}: modèle « {template.titre} » non marqué"
    for record in corpus.of_kind("site").values():
        assert record.model.donnee_exemple, record.path


def test_every_acronym_used_in_sigles_is_in_the_glossary(corpus):
    glossary = {term.sigle.casefold() for term in corpus.glossary.model.termes}
    for kind in ("dispositif", "partenaire", "outil"):
        for record in corpus.of_kind(kind).values():
            sigle = record.model.sigle
            if sigle:
                assert sigle.casefold() in glossary, f"{record.path}: sigle {sigle} absent du glossaire"
