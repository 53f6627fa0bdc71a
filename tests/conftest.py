"""Shared fixtures: a minimal valid corpus in a temporary folder (see
workspace.py), and a way to run `reperes` on it exactly as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from workspace import Result, Workspace

__all__ = ["Result", "Workspace"]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


@pytest.fixture
def project(workspace: Workspace) -> Workspace:
    """The workspace with what a build needs (mkdocs.yml, theme, contributor pages)."""
    return workspace.add_site_files()


@pytest.fixture
def check(workspace: Workspace, capsys: pytest.CaptureFixture[str]):
    """check() -> Result of `reperes check` on the workspace."""

    def run(*extra: str) -> Result:
        return workspace.run("check", *extra, capsys=capsys)

    return run
