"""A project folder with a valid minimal corpus, and `reperes` run on it as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent

MINIMAL_SCHEME = """\
id: exemple
nom: Aide exemple
domaine: embauche
resume: Une aide pour les tests.
historique_statut:
  - date: 2025-01-01
    etat: ouvert
    explication: Tout fonctionne.
    elements_de_langage: Votre dossier suit son cours.
circuit:
  - titre: Dépôt
    responsable: employeur
    outil: outil-exemple
  - titre: Paiement
    responsable: partenaire-exemple
site_referent: site-exemple
revu_le: 2026-11-01
"""

MINIMAL_FILES = {
    # What makes a folder a project (see generator/project.py); test_build copies the real one over it.
    "mkdocs.yml": "site_name: Repères (essai)\n",
    "schemes/exemple.yml": MINIMAL_SCHEME,
    "schemes/partenaires/partenaire-exemple.yml": "id: partenaire-exemple\nnom: Partenaire\ntype: asp\nrole: Paie.\n",
    "schemes/outils/outil-exemple.yml": "id: outil-exemple\nnom: Outil\nobjet: Sert aux tests.\n",
    "schemes/sites/site-exemple.yml": (
        "id: site-exemple\nnom: Site\ncontact:\n  canal: courriel\n  libelle: Boîte\n  valeur: site@exemple.invalid\n"
    ),
    "schemes/glossaire.yml": "termes:\n  - sigle: AU\n    developpement: Assistance Utilisateurs\n",
}


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


class Workspace:
    """A project folder with a valid minimal corpus; tests break it on purpose."""

    def __init__(self, root: Path) -> None:
        self.root = root
        for name, text in MINIMAL_FILES.items():
            self.write(name, text)

    def write(self, name: str, text: str | bytes, *, dedent: bool = True) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if dedent else text, encoding="utf-8", newline="")
        return path

    def add_site_files(self) -> Workspace:
        """What a build needs besides the records, as a fresh clone has them: the
        real mkdocs.yml, theme and contributor pages, and the generated folder
        holding only its .gitkeep."""
        shutil.copy(ROOT / "mkdocs.yml", self.root / "mkdocs.yml")
        shutil.copytree(ROOT / "docs" / "contribuer", self.root / "docs" / "contribuer")
        shutil.copytree(ROOT / "docs" / "theme", self.root / "docs" / "theme")
        (self.root / "docs" / "genere").mkdir(exist_ok=True)
        shutil.copy(ROOT / "docs" / "genere" / ".gitkeep", self.root / "docs" / "genere" / ".gitkeep")
        return self

    def scheme(self, text: str) -> Path:
        """Replace the sample scheme with *text* (dedented)."""
        return self.write("schemes/exemple.yml", text)

    def run(self, *args: str, capsys: pytest.CaptureFixture[str], cwd: Path | None = None) -> Result:
        """Run `reperes ARGS` in-process from *cwd* (default: the workspace folder)."""
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(cwd or self.root)
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    def run_process(self, *args: str, cwd: Path | None = None) -> Result:
        """Run the installed `reperes` as a separate process, as in CI."""
        completed = subprocess.run(
            [sys.executable, "-m", "generator", *args],
            cwd=cwd or self.root, capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)


def with_status(text: str, date: str, etat: str, explication: str, words: str | None = None) -> str:
    """A scheme's YAML *text* (shaped like MINIMAL_SCHEME) with a status entry
    appended to its timeline: how a referent changes a status."""
    entry = f"  - date: {date}\n    etat: {etat}\n    explication: {explication}\n"
    if words is not None:
        entry += f"    elements_de_langage: {words}\n"
    head, tail = text.split("circuit:\n", 1)
    return head + entry + "circuit:\n" + tail
