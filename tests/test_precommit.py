"""The pre-commit hooks on a throwaway repository: a commit that breaks a
record is stopped with the check's `path:line` message, and a commit that
changes a record without « Pourquoi: » is stopped by the commit-msg hook.

pre-commit (pinned in constraints.txt) is what referents install with
`make pre-commit`; the test drives the real tool and real git hooks."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from gitrepo import GitRepo
from workspace import MINIMAL_FILES, ROOT

pytestmark = pytest.mark.slow  # real git hooks: a check per commit

SCHEME = "schemes/exemple.yml"
PRE_COMMIT = ROOT / ".venv" / "bin" / "pre-commit"


@pytest.fixture
def hooked(tmp_path: Path) -> GitRepo:
    """The sample records in a repository whose hooks are this project's
    .pre-commit-config.yaml, installed by pre-commit."""
    if not PRE_COMMIT.exists():
        pytest.fail("pre-commit absent de .venv : lancez make install")
    repo = GitRepo(tmp_path / "depot")
    for name, text in MINIMAL_FILES.items():
        repo.write(name, text)
    shutil.copy(ROOT / ".pre-commit-config.yaml", repo.root / ".pre-commit-config.yaml")
    (repo.root / ".venv").symlink_to(ROOT / ".venv")  # the hooks run .venv/bin/reperes, as in a clone
    repo.write(".gitignore", repo.read(".gitignore") + "/.venv\n")
    repo.commit("Fiches initiales\n\nPourquoi: première version", "2026-01-05T10:00:00+01:00")
    subprocess.run([str(PRE_COMMIT), "install"], cwd=repo.root, env=_env(repo), check=True, capture_output=True)
    return repo


def _env(repo: GitRepo) -> dict[str, str]:
    return {
        **os.environ, "HOME": str(repo.root), "GIT_CONFIG_NOSYSTEM": "1",
        "PRE_COMMIT_HOME": str(repo.root.parent / "pre-commit-cache"),
        "GIT_AUTHOR_DATE": "2026-06-01T10:00:00+02:00", "GIT_COMMITTER_DATE": "2026-06-01T10:00:00+02:00",
    }


def _commit(repo: GitRepo, message: str) -> subprocess.CompletedProcess[str]:
    repo.git("add", "-A")
    # Git shows what its hooks print on stderr: as the referent sees it, both streams together.
    return subprocess.run(["git", "commit", "-q", "-m", message], cwd=repo.root, env=_env(repo),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)


def test_a_commit_that_breaks_a_record_is_stopped_at_its_line(hooked: GitRepo):
    head = hooked.git("rev-parse", "HEAD")
    hooked.replace(SCHEME, "nom: Aide exemple", "nom: Étape 1: dépôt")
    result = _commit(hooked, "Renommer\n\nPourquoi: nouveau nom")
    assert result.returncode == 1
    assert (
        "schemes/exemple.yml:2:6: syntaxe: « : » suivi d'une espace dans un texte sans guillemets : YAML y lit "
        "une nouvelle « clé: valeur » ; mettez le texte entre guillemets : nom: \"Étape 1: dépôt\"\n"
    ) in result.stdout
    assert "Repères : vérifier les fiches" in result.stdout and "Failed" in result.stdout
    assert hooked.git("rev-parse", "HEAD") == head  # nothing committed


def test_a_commit_without_reason_is_stopped_by_the_commit_msg_hook(hooked: GitRepo):
    head = hooked.git("rev-parse", "HEAD")
    hooked.replace(SCHEME, "nom: Aide exemple", "nom: Aide exemple renommée")
    refused = _commit(hooked, "Renommer\n\n# Pourquoi: (une ligne de commentaire ne compte pas)")
    assert refused.returncode == 1
    assert (
        "schemes/exemple.yml:1:1: pourquoi: ce commit modifie cette fiche sans dire pourquoi ; ajoutez au message "
        "une ligne « Pourquoi: … » (dans une pull request, la ligne de sa description suffit)\n"
    ) in refused.stdout
    assert hooked.git("rev-parse", "HEAD") == head
    accepted = _commit(hooked, "Renommer\n\nPourquoi: nom officiel")
    assert accepted.returncode == 0, accepted.stdout
    assert hooked.git("log", "-1", "--format=%s") == "Renommer"


def test_a_merge_needs_no_reason_of_its_own(hooked: GitRepo):
    hooked.git("checkout", "-q", "-b", "fiche")
    hooked.replace(SCHEME, "nom: Aide exemple", "nom: Aide exemple renommée")
    assert _commit(hooked, "Renommer\n\nPourquoi: nom officiel").returncode == 0
    hooked.git("checkout", "-q", "main")
    merged = subprocess.run(["git", "merge", "--no-ff", "-q", "fiche", "-m", "Merge branch 'fiche'"], cwd=hooked.root,
                            env=_env(hooked), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert merged.returncode == 0, merged.stdout
    assert hooked.git("log", "-1", "--format=%s") == "Merge branch 'fiche'"


def test_a_commit_of_other_files_needs_no_reason(hooked: GitRepo):
    hooked.write("LISEZMOI.md", "Notes.\n")
    assert _commit(hooked, "Notes").returncode == 0


def test_the_published_hooks_work_in_another_repository(tmp_path: Path):
    """`.pre-commit-hooks.yaml` as another repository of records uses it:
    pre-commit builds its own environment from this project (pip install),
    then stops the broken record with the same message."""
    other = GitRepo(tmp_path / "autre")
    for name, text in MINIMAL_FILES.items():
        other.write(name, text)
    other.replace(SCHEME, "nom: Aide exemple", "nom: Étape 1: dépôt")
    other.git("add", "-A")
    result = subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), "reperes-check", "--files", SCHEME],
        cwd=other.root, env=_env(other), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900,
    )
    assert result.returncode == 1, result.stdout
    assert "schemes/exemple.yml:2:6: syntaxe: « : » suivi d'une espace dans un texte sans guillemets" in result.stdout
