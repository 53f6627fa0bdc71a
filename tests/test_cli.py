"""The command line as a user meets it: French words, exit codes, no traceback."""

from __future__ import annotations


def test_no_command_shows_french_help_and_exits_2(workspace, capsys):
    result = workspace.run(capsys=capsys)
    assert result.code == 2
    assert result.err.startswith("usage : reperes")
    assert "vérifier toutes les fiches" in result.err


def test_unknown_option_is_a_usage_error_in_french(workspace, capsys):
    result = workspace.run("check", "--formt", "json", capsys=capsys)
    assert result.code == 2
    assert result.err.splitlines()[-1] == "reperes : erreur : argument inconnu : --formt"


def test_missing_folder_is_a_usage_error(workspace, capsys):
    result = workspace.run("check", "nulle-part", capsys=capsys)
    assert result.code == 2
    assert result.err == "reperes : erreur : dossier « nulle-part » introuvable\n"


def test_valid_corpus_summary(check):
    result = check()
    assert result.code == 0
    assert result.err == "5 fiches valides : 1 dispositif, 1 partenaire, 1 outil, 1 site référent, glossaire\n"


def test_schema_writes_then_checks(workspace, capsys):
    result = workspace.run("schema", capsys=capsys)
    assert result.code == 0
    assert (workspace.root / "schemes/_schemas/dispositif.json").exists()
    assert (workspace.root / "docs/contribuer/reference-des-champs.md").exists()
    assert workspace.run("schema", "--check", capsys=capsys).code == 0
    (workspace.root / "schemes/_schemas/outil.json").write_text("{}", encoding="utf-8")
    stale = workspace.run("schema", "--check", capsys=capsys)
    assert stale.code == 1
    assert stale.out == (
        "schemes/_schemas/outil.json:1:1: fichier: pas à jour par rapport aux modèles ; lancez « reperes schema »\n"
    )


def test_internal_error_has_no_traceback_without_debug(workspace, capsys, monkeypatch):
    import generator.records.corpus

    def boom(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(generator.records.corpus, "validate_record", boom)
    result = workspace.run("check", capsys=capsys)
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert result.out.splitlines()[0] == (
        "schemes/exemple.yml:1:1: fichier: erreur interne en lisant ce fichier (RuntimeError: panne simulée) ; "
        "signalez-la à l'équipe Repères ; relancez avec --debug pour le détail"
    )


def test_debug_shows_the_traceback(workspace, capsys, monkeypatch):
    import pytest

    import generator.records.corpus

    def boom(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(generator.records.corpus, "validate_record", boom)
    with pytest.raises(RuntimeError, match="panne simulée"):
        workspace.run("check", "--debug", capsys=capsys)
