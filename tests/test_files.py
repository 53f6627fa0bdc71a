"""Only regular files of the repository are read: a FIFO, socket or device is
reported without being opened, a symbolic link under schemes/ or docs/ is
refused, and nothing outside the repository is ever copied into the site.
Each check runs in a child process with a timeout, so that a regression
fails instead of hanging the suite."""

from __future__ import annotations

import os
import socket

import pytest

NOT_REGULAR = ("n'est pas un fichier ordinaire (tube, socket ou périphérique) : il n'est pas lu ; "
               "remplacez-le par un vrai fichier")
SYMLINK = ("lien symbolique interdit ; remplacez-le par le fichier lui-même : rien hors du dépôt "
           "ne doit entrer dans le site")


@pytest.mark.parametrize("name", ["schemes/x.yml", "schemes/partenaires/y.yml", "docs/guides/z.md",
                                  "docs/contribuer/t.md"])
def test_fifo_is_reported_not_opened(workspace, name):
    (workspace.root / name).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(workspace.root / name)
    result = workspace.run_process("check")  # timeout=120: a blocking open fails the test
    assert result.code == 1
    assert result.out.splitlines() == [f"{name}:1:1: fichier: « {name.rsplit('/', 1)[1]} » {NOT_REGULAR}"]


def test_socket_is_reported_not_opened(workspace):
    path = workspace.root / "schemes/s.yml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = workspace.run_process("check")
    finally:
        server.close()
    assert result.out.splitlines() == [f"schemes/s.yml:1:1: fichier: « s.yml » {NOT_REGULAR}"]


@pytest.mark.parametrize(
    "link, target",
    [("docs/contribuer/env.md", "/proc/self/environ"), ("docs/guides/g.md", "/etc/passwd"),
     ("schemes/autre.yml", "/etc/hostname"), ("schemes/_schemas/x.json", "/etc/hostname"),
     ("docs/contribuer", "/etc"), ("docs/theme/extra.html", "/etc/passwd"), ("docs/genere", "/tmp")],
    ids=["environ-page", "guide", "record", "schemas", "folder", "theme", "generated-folder"],
)
def test_symlinks_are_refused_anywhere_under_schemes_and_docs(workspace, link, target):
    path = workspace.root / link
    if path.is_dir():
        os.rmdir(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)
    result = workspace.run_process("check")
    assert result.code == 1
    assert result.out.splitlines() == [f"{link}:1:1: fichier: {SYMLINK}"]


def test_handwritten_pages_are_copied_without_following_links(workspace, monkeypatch):
    from generator.site.render import copy_handwritten

    workspace.write("docs/contribuer/index.md", "# Contribuer\n")
    os.symlink("/proc/self/environ", workspace.root / "docs/contribuer/env.md")
    os.mkfifo(workspace.root / "docs/contribuer/tube.md")
    monkeypatch.setenv("REPERES_SECRET_CANARY", "ne-doit-pas-sortir")
    pages = copy_handwritten(workspace.root / "docs")
    assert sorted(pages) == ["contribuer/index.md"]
    assert all("ne-doit-pas-sortir" not in text for text, _ in pages.values())
