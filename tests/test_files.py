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
    from generator.records.corpus import load_corpus
    from generator.site.render import copy_handwritten

    workspace.write("docs/contribuer/index.md", "# Contribuer\n")
    os.symlink("/proc/self/environ", workspace.root / "docs/contribuer/env.md")
    os.mkfifo(workspace.root / "docs/contribuer/tube.md")
    monkeypatch.setenv("REPERES_SECRET_CANARY", "ne-doit-pas-sortir")
    corpus = load_corpus(workspace.root / "schemes", base=workspace.root)
    assert {error.path for error in corpus.errors} == {"docs/contribuer/env.md", "docs/contribuer/tube.md"}
    pages = copy_handwritten(corpus.pages)
    assert sorted(pages) == ["contribuer/index.md"]
    assert all("ne-doit-pas-sortir" not in text for text, _ in pages.values())


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_an_image_must_be_what_its_name_says(workspace, check):
    # Copied byte for byte into the site: a page or a script renamed .png would be served from it.
    workspace.write("docs/contribuer/capture.png", PNG)
    workspace.write("docs/contribuer/lien.png", b"<svg><script>alert(1)</script></svg>")
    workspace.write("docs/contribuer/photo.jpg", PNG)
    result = check()
    assert result.code == 1
    assert result.lines == [
        "docs/contribuer/lien.png:1:1: fichier: « lien.png » n'est pas une image PNG ; enregistrez l'image dans "
        "ce format, ou donnez au fichier l'extension de son format",
        "docs/contribuer/photo.jpg:1:1: fichier: « photo.jpg » n'est pas une image JPG ; enregistrez l'image dans "
        "ce format, ou donnez au fichier l'extension de son format",
    ]


def test_the_theme_s_folders_are_refused_under_docs(workspace, check):
    # docs/assets/images/favicon.png would replace Material's favicon on every page.
    workspace.write("docs/assets/images/favicon.png", PNG)
    result = check()
    assert result.code == 1
    assert result.lines == [
        "docs/assets:1:1: fichier: dossier docs/assets/ réservé au thème ; ses fichiers remplaceraient ceux du "
        "thème sur toutes les pages ; placez pages et images dans un autre dossier, par exemple docs/contribuer/"
    ]
