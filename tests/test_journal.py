"""The journal, paginated by month: the pages and addresses a reader follows,
on a real git repository with commits in three months."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from gitrepo import GitRepo, committed
from workspace import MINIMAL_FILES

from generator.history.changelog import read_history
from generator.records.corpus import load_corpus
from generator.site import render
from generator.site.render import generate

SCHEME = "schemes/exemple.yml"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = committed(tmp_path / "depot", MINIMAL_FILES)
    repo.replace(SCHEME, "nom: Aide exemple", "nom: Aide exemple renommée")
    repo.commit("Renommer\n\nPourquoi: nom officiel", "2026-02-03T09:30:00+01:00")
    repo.replace(SCHEME, "etat: ouvert", "etat: perturbe")
    # 31 March, 23:30 in Paris is still March, though 1 April in UTC+3.
    repo.commit("Perturbé\n\nPourquoi: flux en retard", "2026-04-01T00:30:00+03:00")
    return repo


def build(repo: GitRepo, **kwargs) -> dict[str, str]:
    corpus = load_corpus(repo.root / "schemes", base=repo.root)
    generate(corpus, repo.root, TODAY, history=read_history(repo.root), **kwargs)
    out = repo.root / "docs/genere"
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("journal/**/*.md")}


def test_one_page_per_month_at_a_stable_address(repo: GitRepo):
    pages = build(repo)
    assert sorted(pages) == [
        "journal/2026-01.md", "journal/2026-02.md", "journal/2026-03.md", "journal/index.md",
        "journal/site-exemple.md",
        "journal/site-exemple/2026-01.md", "journal/site-exemple/2026-02.md", "journal/site-exemple/2026-03.md",
    ]
    february = pages["journal/2026-02.md"]
    assert "# Journal des modifications — février 2026\n" in february
    assert "- Nom : « Aide exemple » → « Aide exemple renommée »" in february
    assert "Fiche créée" not in february and "Statut" not in february  # other months' changes
    # Newest first: the newer month on the left, the older on the right, both ways.
    assert "[← mars 2026](2026-03.md) · [Tous les mois](index.md) · [janvier 2026 →](2026-01.md)" in february
    assert "Statut : ouvert → perturbé" in pages["journal/2026-03.md"]
    assert "[Tous les mois](index.md) · [février 2026 →](2026-02.md)" in pages["journal/2026-03.md"]
    # The entries link to the record from journal/.
    assert "### [Aide exemple renommée](../dispositifs/exemple.md) — 03/02/2026 à 09:30" in february


def test_the_index_lists_the_months_newest_first_and_the_latest_changes(repo: GitRepo):
    index = build(repo)["journal/index.md"]
    assert "Par mois : [mars 2026](2026-03.md) (1) · [février 2026](2026-02.md) (1) · [janvier 2026](2026-01.md) (5)" in index  # the five records created
    assert index.index("Statut : ouvert → perturbé") < index.index("Nom : « Aide exemple »") < index.index("Fiche créée")
    assert "Par site référent : [Site](site-exemple.md)" in index


def test_the_index_shows_only_the_latest_changes(repo: GitRepo, monkeypatch):
    monkeypatch.setattr(render, "JOURNAL_RECENT", 2)
    index = build(repo)["journal/index.md"]
    assert "## Dernières modifications\n\nLes 2 plus récentes ; les autres sont dans les pages des mois." in index
    assert "Statut : ouvert → perturbé" in index and "Fiche créée" not in index


def test_a_referent_sites_journal_has_its_own_months(repo: GitRepo):
    pages = build(repo)
    own = pages["journal/site-exemple.md"]
    assert "# Journal des modifications : Site\n" in own
    assert "[mars 2026](site-exemple/2026-03.md) (1)" in own
    assert "Par site référent : [tous](index.md) · **[Site](site-exemple.md)**" in own
    month = pages["journal/site-exemple/2026-02.md"]
    assert "[← mars 2026](2026-03.md) · [Tous les mois](../site-exemple.md) · [janvier 2026 →](2026-01.md)" in month
    assert "### [Aide exemple renommée](../../dispositifs/exemple.md)" in month
    assert "[journal.xml]" not in month


def test_journal_pages_stay_out_of_the_search_index(repo: GitRepo):
    for path, text in build(repo).items():
        front = text.split("---\n")[1]
        assert "search:\n  exclude: true\n" in front, path


def test_an_edit_renders_only_the_journal_pages_that_name_the_record(repo: GitRepo):
    state = render.Generator.new()
    build(repo, state=state)
    # An edit that leaves the name as it is: no journal page changes.
    repo.replace(SCHEME, "etat: perturbe", "etat: ouvert")
    corpus = load_corpus(repo.root / "schemes", base=repo.root)
    history = read_history(repo.root)
    written, _ = generate(corpus, repo.root, TODAY, state=state, history=history)
    assert not [page for page in written if page.startswith("journal/")]
    repo.replace(SCHEME, "nom: Aide exemple renommée", "nom: Aide exemple rebaptisée")
    corpus = load_corpus(repo.root / "schemes", base=repo.root)
    written, _ = generate(corpus, repo.root, TODAY, state=state, history=history)
    assert "journal/2026-02.md" in written


def test_a_referent_site_cannot_take_a_months_name(workspace, check):
    workspace.write("schemes/sites/2026-11.yml", MINIMAL_FILES["schemes/sites/site-exemple.yml"].replace(
        "id: site-exemple", "id: 2026-11"))
    result = check()
    assert result.code == 1
    assert ("schemes/sites/2026-11.yml:1:5: id: l'identifiant « 2026-11 » est réservé ; "
            "choisissez un identifiant qui nomme le site référent") in result.out + result.err
