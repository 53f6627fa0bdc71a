"""The contributor guide (docs/contribuer/): every record field documented,
the tasks referents do in the web editor with YAML that the check accepts,
and the edit link that follows the configured forge."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from pydantic import BaseModel

from generator.project import Project
from generator.records.introspect import fields
from generator.records.kinds import KINDS
from generator.records.loader import load_yaml

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "contribuer" / "index.md"
REFERENCE = ROOT / "docs" / "contribuer" / "reference-des-champs.md"


def _paths(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    """(dotted path as the reference writes it, description) of every field, nested ones too."""
    found = []
    for name, info in fields(model).items():
        path = f"{prefix}{name}"
        found.append((path, " ".join((info.description or "").split())))
        if info.model is not None:
            found += _paths(info.model, f"{path}{'[]' if info.is_list else ''}.")
    return found


def _section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_record_field_is_in_the_field_reference(kind):
    text = REFERENCE.read_text(encoding="utf-8")
    title = KINDS[kind].label + (" (en-tête)" if KINDS[kind].suffix == ".md" else "")
    section = _section(text, title)
    missing = [path for path, _ in _paths(KINDS[kind].model) if f"\n| `{path}` |" not in section]
    assert missing == [], f"champs absents de {REFERENCE.name}, section {title} : lancez « reperes schema »"
    for path, description in _paths(KINDS[kind].model):
        row = next(line for line in section.splitlines() if line.startswith(f"| `{path}` |"))
        assert description.replace("|", "\\|").replace("<", "&lt;") in row, path


def test_the_guide_names_every_record_file_and_make_check():
    text = GUIDE.read_text(encoding="utf-8")
    for kind in KINDS.values():
        assert f"`{kind.source.replace('{id}', '<id>')}`" in text, kind.name
    assert "make check" in text
    assert ".venv/bin/reperes" not in text  # absent from a fresh clone: the guide names make targets
    assert "[référence des champs](reference-des-champs.md)" in text


TASKS = ["Changer le statut", "Ajouter une anomalie connue", "Fermer un dispositif", "Corriger une faute de frappe"]


@pytest.mark.parametrize("title", TASKS)
def test_each_web_editor_task_has_its_yaml_and_its_reason(title):
    section = _section(GUIDE.read_text(encoding="utf-8"), title)
    assert "```yaml\n" in section
    assert re.search(r"`Pourquoi: [^`]+`|^Pourquoi: \S", section, re.M), title


def _yaml_blocks(text: str) -> list[tuple[int, str]]:
    return [(text[: match.start()].count("\n") + 2, match.group(1))
            for match in re.finditer(r"```yaml\n(.*?)```", text, re.S)]


def _kind_of(data: dict) -> str | None:
    """The record kind whose model has every key of *data*."""
    return next((name for name, kind in KINDS.items() if set(data) <= set(fields(kind.model))), None)


@pytest.mark.parametrize("line, block", _yaml_blocks(GUIDE.read_text(encoding="utf-8")))
def test_every_yaml_example_of_the_guide_is_accepted(line, block):
    """Each example, pasted into a record, passes: it parses; a whole record is
    valid for its kind's model, and a part of one (a scheme's status entries,
    its known issues) has items valid for their list's model."""
    if block.startswith("  - "):  # an entry shown alone, under a list written before it
        block = "historique_statut:\n" + block
    loaded, errors, reliable = load_yaml(f"docs/contribuer/index.md:{line}", textwrap.dedent(block).encode())
    assert (errors, reliable) == ([], True)
    kind = _kind_of(loaded.data)
    assert kind is not None, sorted(loaded.data)
    model = KINDS[kind].model
    if all(name in loaded.data for name, info in fields(model).items() if info.required):
        model.model_validate(loaded.data)
        return
    for name, value in loaded.data.items():
        info = fields(model)[name]
        if info.model is not None and info.is_list:
            for item in value:
                info.model.model_validate(item)
        else:
            assert isinstance(value, str), name


def test_the_pitfalls_table_matches_what_the_check_says(workspace, check):
    # The guide says a « : » in a list item must be quoted: the check says so too.
    scheme = (workspace.root / "schemes/exemple.yml").read_text(encoding="utf-8")
    workspace.write("schemes/exemple.yml", scheme + "appellations:\n  - Rassurer l'employeur : le dossier avance\n")
    assert "mettez le texte entre guillemets : - \"Rassurer l'employeur : le dossier avance\"" in check().out
    assert "`- \"Rassurer l'employeur : le dossier avance\"`" in GUIDE.read_text(encoding="utf-8")


# --- the edit link follows the configured forge ---------------------------------


@pytest.mark.parametrize(
    "config, expected",
    [
        ("repo_url: https://github.com/asp/reperes\n", "https://github.com/asp/reperes/edit/main/{chemin}"),
        ("repo_url: https://github.com/asp/reperes/\nextra:\n  reperes:\n    branche: production\n",
         "https://github.com/asp/reperes/edit/production/{chemin}"),
        ("repo_url: https://gitlab.exemple.invalid/asp/reperes\nextra:\n  reperes:\n    forge: gitlab\n",
         "https://gitlab.exemple.invalid/asp/reperes/-/edit/main/{chemin}"),
        ("repo_url: https://github.com/asp/reperes\nextra:\n  reperes:\n"
         "    modifier: https://autre.exemple.invalid/edit?f={chemin}\n", "https://autre.exemple.invalid/edit?f={chemin}"),
        ("site_name: sans forge\n", None),
        ("repo_url: http://github.com/asp/reperes\n", None),
        ("repo_url: https://github.com/asp/reperes\nextra:\n  reperes:\n    forge: inconnue\n", None),
    ],
    ids=["github-default", "branch", "gitlab", "explicit", "no-repo", "not-https", "unknown-forge"],
)
def test_edit_link_follows_the_forge(tmp_path, config, expected):
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    (tmp_path / "schemes").mkdir()
    assert Project(tmp_path).edit_template == expected


def test_the_project_s_edit_link_is_github_s():
    assert Project(ROOT).edit_template == "https://forge.exemple.invalid/asp/reperes/edit/main/{chemin}"
