"""Freshness that follows changes, in a real git repository: a guide whose
scheme changed after its last review is marked "à revérifier" on its page and
on "À revoir", with what changed and when, until its own revu_le passes the
change; without a git history, nothing is said."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from gitrepo import GitRepo
from workspace import MINIMAL_FILES, MINIMAL_SCHEME, Workspace, with_status

from generator.site.build import generate_pages

TODAY = dt.date(2026, 11, 27)
GUIDE = """\
---
titre: Paiement en retard
resume: L'employeur attend un paiement.
dispositifs:
  - exemple
outils:
  - outil-exemple
proprietaire: site-exemple
revu_le: 2026-10-01
---

## Étapes

1. Situer le dossier dans le circuit.
"""
SCHEME_CHANGED = (
    "Le dispositif « [Aide exemple](../dispositifs/exemple.md) » a changé le 03/11/2026 "
    "(Statut : ouvert → perturbé)"
)
BANNER = f'!!! warning "À revérifier"\n    {SCHEME_CHANGED} : vérifiez que ce guide est toujours juste.\n'


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "depot")
    for name, text in MINIMAL_FILES.items():
        repo.write(name, text)
    Workspace.add_site_files(repo)  # type: ignore[arg-type]
    repo.write("docs/guides/paiement-en-retard.md", GUIDE)
    repo.commit("Fiches\n\nPourquoi: création", "2026-10-01T10:00:00+02:00")
    return repo


def pages(root: Path) -> tuple[str, str, str]:
    """(guide page, scheme page, À revoir page) as generated for TODAY."""
    result = generate_pages(root, today=TODAY)
    assert not result.corpus.errors, [e.format_text() for e in result.corpus.errors]
    out = root / "docs/genere"
    return tuple((out / name).read_text(encoding="utf-8")  # type: ignore[return-value]
                 for name in ("guides/paiement-en-retard.md", "dispositifs/exemple.md", "a-revoir.md"))


def recheck_rows(review: str) -> list[str]:
    section = review[review.index("## À revérifier après un changement"):]
    return [line for line in section.splitlines() if line.startswith("| [")]


def test_a_guide_is_marked_after_its_scheme_changes_and_cleared_by_its_review(repo: GitRepo):
    guide, scheme, review = pages(repo.root)
    assert "À revérifier" not in guide  # creation of what it names is no change to check
    assert recheck_rows(review) == []
    assert "Aucune fiche ni aucun guide ne dépend d'une fiche qui a changé depuis sa dernière revue." in review

    repo.write("schemes/exemple.yml", with_status(
        MINIMAL_SCHEME, "2026-11-03", "perturbe", "Retards de paiement.", "Les paiements ont du retard."))
    repo.commit("Exemple perturbé\n\nPourquoi: retards signalés", "2026-11-03T09:00:00+01:00")
    # The scheme's own review, the next day, is no change of what it says.
    repo.replace("schemes/exemple.yml", "revu_le: 2026-11-01", "revu_le: 2026-11-04")
    repo.commit("Exemple relu\n\nPourquoi: relecture", "2026-11-04T09:00:00+01:00")
    guide, scheme, review = pages(repo.root)
    assert BANNER in guide
    assert "    Une fois la relecture faite, mettez à jour sa date de revue (« revu_le ») : ce bandeau disparaîtra.\n" \
        in guide
    assert "À revérifier" not in scheme  # its partner and tool did not change
    assert recheck_rows(review) == [
        "| [Paiement en retard](guides/paiement-en-retard.md) | Guide | 1er octobre 2026 | "
        + SCHEME_CHANGED.replace("../", "")
        + " · [modifier](https://forge.exemple.invalid/asp/reperes/edit/main/docs/guides/paiement-en-retard.md) |"
    ]
    assert "1 fiche ou guide dépend d'une fiche qui a changé depuis sa dernière revue." in review

    # A second record it depends on changes: both are listed, newest first.
    repo.replace("schemes/outils/outil-exemple.yml", "objet: Sert aux tests.", "objet: Sert aux essais.")
    repo.commit("Outil\n\nPourquoi: précision", "2026-11-10T15:00:00+01:00")
    guide, _, review = pages(repo.root)
    assert (
        '!!! warning "À revérifier"\n'
        "    Des fiches dont dépend ce guide ont changé depuis sa dernière revue :\n\n"
        "    - L'outil « [Outil](../outils/outil-exemple.md) » a changé le 10/11/2026 "
        "(Objet : « Sert aux tests. » → « Sert aux essais. »).\n"
        f"    - {SCHEME_CHANGED}.\n\n"
        "    Vérifiez que ce guide est toujours juste.\n"
    ) in guide

    # The guide's own review after the changes (a revu_le-only commit) clears it.
    repo.replace("docs/guides/paiement-en-retard.md", "revu_le: 2026-10-01", "revu_le: 2026-11-12")
    repo.commit("Guide relu\n\nPourquoi: relecture après le changement de statut", "2026-11-12T10:00:00+01:00")
    guide, scheme, review = pages(repo.root)
    assert "À revérifier" not in guide
    # The scheme names the tool too, and was reviewed before the tool changed.
    assert [row.split(" | ")[0] for row in recheck_rows(review)] == ["| [Aide exemple](dispositifs/exemple.md)"]
    assert "L'outil « [Outil](../outils/outil-exemple.md) » a changé le 10/11/2026" in scheme


def test_a_review_before_the_change_does_not_clear_it(repo: GitRepo):
    repo.replace("docs/guides/paiement-en-retard.md", "revu_le: 2026-10-01", "revu_le: 2026-11-02")
    repo.commit("Guide relu\n\nPourquoi: relecture", "2026-11-02T10:00:00+01:00")
    repo.write("schemes/exemple.yml", with_status(
        MINIMAL_SCHEME, "2026-11-03", "perturbe", "Retards de paiement.", "Les paiements ont du retard."))
    repo.commit("Exemple perturbé\n\nPourquoi: retards", "2026-11-03T23:30:00+01:00")
    guide, _, _ = pages(repo.root)
    assert BANNER in guide
    # Reviewed the day of the change: cleared.
    repo.replace("docs/guides/paiement-en-retard.md", "revu_le: 2026-11-02", "revu_le: 2026-11-03")
    repo.commit("Guide relu\n\nPourquoi: relecture", "2026-11-04T10:00:00+01:00")
    guide, _, _ = pages(repo.root)
    assert "À revérifier" not in guide


def test_the_built_page_shows_the_banner(repo: GitRepo, capsys):
    repo.write("schemes/exemple.yml", with_status(
        MINIMAL_SCHEME, "2026-11-03", "perturbe", "Retards de paiement.", "Les paiements ont du retard."))
    repo.commit("Exemple perturbé\n\nPourquoi: retards", "2026-11-03T09:00:00+01:00")
    workspace = Workspace.__new__(Workspace)
    workspace.root = repo.root
    result = workspace.run("build", "--date", TODAY.isoformat(), capsys=capsys)
    assert result.code == 0, result.out + result.err
    built = (repo.root / "site/guides/paiement-en-retard/index.html").read_text(encoding="utf-8")
    admonition = built[built.index('<div class="admonition warning">'):]
    admonition = admonition[:admonition.index("</div>")]
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", admonition)).split())
    assert text == (
        "À revérifier Le dispositif « Aide exemple » a changé le 03/11/2026 (Statut : ouvert → perturbé) : "
        "vérifiez que ce guide est toujours juste. Une fois la relecture faite, mettez à jour sa date de revue "
        "(« revu_le ») : ce bandeau disparaîtra."
    )


def test_without_git_history_nothing_is_marked(project):
    project.write("docs/guides/paiement-en-retard.md", GUIDE)
    guide, _, review = pages(project.root)
    assert "À revérifier" not in guide
    assert (
        "Historique indisponible (site construit hors d'un dépôt git) : les fiches et guides dont une fiche liée "
        "a changé ne peuvent pas être signalés."
    ) in review
