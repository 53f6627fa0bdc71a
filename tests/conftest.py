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


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory: pytest.TempPathFactory):
    """The sample repository with every hostile value the check accepted, built
    once for test_hostile.py and tests/browser/test_hostile_browser.py."""
    from test_hostile import build_hostile

    return build_hostile(tmp_path_factory.mktemp("hostile"))
