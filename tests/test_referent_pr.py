"""A referent's pull request from end to end, in a real clone: the status of a
scheme changed in the forge's web editor, the reason written only in the
pull request's description, the check, the summary reviewers read, the
squash merge, and the site agents then see."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import GitRepo
from test_recheck import GUIDE
from workspace import MINIMAL_FILES, Workspace, with_status

SCHEME = "schemes/exemple.yml"
WORDS = "Votre paiement aura quelques jours de retard, car le flux de votre OPCO arrive en retard."
DESCRIPTION = """\
## Ce qui change

Le dispositif passe en « perturbé ».

Pourquoi: le flux de l'OPCO arrive en retard depuis le 3 novembre

Sources : message de l'OPCO du 3 novembre.
"""


def reperes(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`reperes ARGS` as the referent's CI runs it: a separate process in the clone."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=root, capture_output=True, text=True,
                          timeout=600)


def text_of(page: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())


@pytest.mark.slow
def test_a_status_change_from_the_web_editor_reaches_the_site(tmp_path: Path):
    origin = GitRepo(tmp_path / "origine")
    for name, text in MINIMAL_FILES.items():
        origin.write(name, text)
    Workspace.add_site_files(origin)  # type: ignore[arg-type]
    origin.write("docs/guides/paiement-en-retard.md", GUIDE)
    origin.commit("Fiches\n\nPourquoi: création des fiches", "2026-10-01T10:00:00+02:00")

    subprocess.run(["git", "clone", "-q", str(origin.root), str(tmp_path / "clone")], check=True)
    clone = GitRepo(tmp_path / "clone")  # re-initialising keeps the clone and its origin
    clone.git("checkout", "-q", "-b", "statut-perturbe")
    clone.write(SCHEME, with_status(clone.read(SCHEME), "2026-11-03", "perturbe", "Le flux de l'OPCO arrive en retard.",
                                    WORDS))
    web_edit = clone.commit("Update exemple.yml", "2026-11-03T10:00:00+01:00")  # the web editor's subject, no reason
    description = tmp_path / "description.md"

    description.write_text(DESCRIPTION.replace("Pourquoi: ", "Raison : "), encoding="utf-8")
    refused = reperes(clone.root, "check", "--base", "origin/main", "--description", str(description))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stdout.splitlines() == [
        f"schemes/exemple.yml:1:1: pourquoi: le commit {web_edit[:7]} « Update exemple.yml » modifie cette fiche "
        "sans dire pourquoi (ni la description de la pull request) ; ajoutez une ligne « Pourquoi: … » à la "
        "description de la pull request (elle devient le message du commit fusionné)"
    ]
    description.write_text(DESCRIPTION, encoding="utf-8")
    accepted = reperes(clone.root, "check", "--base", "origin/main", "--description", str(description))
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    summary = reperes(clone.root, "diff", "origin/main")
    assert summary.returncode == 0, summary.stderr
    assert "Statut : ouvert → perturbé" in summary.stdout
    assert WORDS in summary.stdout  # reviewers read the new words, not only "modifiés"

    # Squash-merged with the description as the commit message, as the contributor guide says.
    clone.git("checkout", "-q", "main")
    clone.git("merge", "-q", "--squash", "statut-perturbe")
    clone.commit(DESCRIPTION, "2026-11-03T11:00:00+01:00")

    built = reperes(clone.root, "build", "--date", "2026-11-27")
    assert built.returncode == 0, built.stdout + built.stderr
    site = clone.root / "site"
    scheme_page = text_of(site / "dispositifs/exemple/index.html")
    assert "Perturbé depuis le 3 novembre 2026" in scheme_page
    assert WORDS in scheme_page
    assert "le flux de l'OPCO arrive en retard depuis le 3 novembre" in scheme_page  # its history, with the reason
    journal = " ".join(text_of(page) for page in sorted((site / "journal").rglob("index.html")))
    assert "Statut : ouvert → perturbé" in journal
    assert "Pourquoi : le flux de l'OPCO arrive en retard depuis le 3 novembre" in journal
    guide_page = text_of(site / "guides/paiement-en-retard/index.html")
    assert "À revérifier" in guide_page
    assert "Le dispositif « Aide exemple » a changé le 03/11/2026 (Statut : ouvert → perturbé)" in guide_page
