"""Editions (reperes publish): which commit a week's edition holds, what the
versions branch holds after publications, what changed since each edition,
and publications that cannot corrupt the branch (lock, moved remote, squash).

Every repository is real (gitrepo.py), every edition a real strict build."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import GitRepo
from workspace import MINIMAL_SCHEME, ROOT, Workspace

from generator.errors import UsageError
from generator.site.editions import changed_labels, choose_target, parse_week

# The scheme's status timeline, entry by entry, as three commits add them.
DISRUPTED = """\
  - date: 2026-11-25
    etat: perturbe
    explication: Retards de paiement.
    elements_de_langage: Les paiements ont du retard, votre dossier n'est pas perdu.
"""
RESUMED = """\
  - date: 2026-11-30
    etat: ouvert
    explication: Paiements repris.
    elements_de_langage: Votre paiement arrive dans les prochains jours.
"""
TODAY = "2026-12-09"  # the current edition's date in these tests


def edition_history(root: Path) -> GitRepo:
    """A project whose main line spans three weeks (dates in Paris time):

    * 18/11 (week 47): first records, with a tool later removed;
    * 25/11 (week 48): the scheme is disrupted;
    * 30/11 00:30 (Monday of week 49, still Sunday in UTC): payments resume, the
      summary is rewritten, the tool removed;
    * 08/12 (week 50): the scheme is reviewed.
    """
    workspace = Workspace(root).add_site_files()
    workspace.write("schemes/outils/outil-ancien.yml", "id: outil-ancien\nnom: Outil ancien\nobjet: Retiré ensuite.\n")
    repo = GitRepo(root)
    repo.commit("Fiches de départ\n\nPourquoi: premières fiches", "2026-11-18T10:00:00+01:00")
    repo.replace("schemes/exemple.yml", "circuit:", DISRUPTED + "circuit:")
    repo.commit("Exemple : paiements en retard\n\nPourquoi: incident de paiement", "2026-11-25T10:00:00+01:00")
    repo.replace("schemes/exemple.yml", "circuit:", RESUMED + "circuit:")
    repo.replace("schemes/exemple.yml", "resume: Une aide pour les tests.", "resume: Une aide pour les tests, revue.")
    (root / "schemes/outils/outil-ancien.yml").unlink()
    repo.commit("Exemple : paiements repris\n\nPourquoi: incident clos", "2026-11-30T00:30:00+01:00")
    repo.replace("schemes/exemple.yml", "revu_le: 2026-11-01", "revu_le: 2026-12-08")
    repo.commit("Exemple : revue\n\nPourquoi: revue mensuelle", "2026-12-08T09:00:00+01:00")
    return repo


def publish(root: Path, *args: str, date: str = TODAY) -> subprocess.CompletedProcess[str]:
    """`reperes publish` as a separate process, as CI runs it."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "publish", "--date", date, *args],
        cwd=root, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def published(root: Path, *weeks: str) -> None:
    """The current edition, then one edition per week, each publication checked."""
    for args in ([], *(["--week", week] for week in weeks)):
        result = publish(root, *args)
        assert result.returncode == 0, result.stderr


def branch_file(repo: GitRepo, path: str, branch: str = "editions") -> str:
    return repo.git("show", f"{branch}:{path}")


# --- which commit, which date --------------------------------------------------------


def test_week_names_its_monday_version_and_title() -> None:
    week = parse_week("2026-W49")
    assert (week.monday, week.version, week.title) == (dt.date(2026, 11, 30), "2026-S49", "Semaine 49 (30/11/2026)")
    assert parse_week("2027-W01").version == "2027-S01"  # zero-padded: mike sorts 2027-S01 after 2026-S52


@pytest.mark.parametrize(("text", "message"), [
    ("2026-49", "semaine « 2026-49 » au mauvais format"),
    ("2026-W54", "semaine « 2026-W54 » inexistante : l'année 2026 n'a pas de semaine 54"),
])
def test_week_written_wrong_is_refused_in_french(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_week(text)
    assert caught.value.message == message
    assert caught.value.hint == "écrivez l'année et la semaine ISO, par exemple 2026-W49"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    return edition_history(tmp_path_factory.mktemp("editions") / "depot")


def test_edition_holds_last_commit_before_monday_midnight_in_paris(history: GitRepo) -> None:
    from generator.history.git import Git

    commits = history.git("log", "--format=%H", "--reverse").split()
    with Git.open(history.root) as git:
        week49 = choose_target(git, parse_week("2026-W49"), dt.date(2026, 12, 9))
        week50 = choose_target(git, parse_week("2026-W50"), dt.date(2026, 12, 9))
        current = choose_target(git, None, dt.date(2026, 12, 9))
    # 30/11 00:30 in Paris is 29/11 23:30 in UTC: after the Monday that opens week 49.
    assert (week49.commit, week49.date) == (commits[1], dt.date(2026, 11, 30))
    assert (week50.commit, week50.date) == (commits[2], dt.date(2026, 12, 7))
    assert (current.version, current.title, current.commit, current.date) == (
        "actuelle", "Édition actuelle", commits[3], dt.date(2026, 12, 9))


@pytest.mark.parametrize(("args", "message"), [
    (["--week", "2026-W47"], "reperes : erreur : aucun commit avant le lundi 16/11/2026 0 h (heure de Paris) : "
     "pas d'édition pour la semaine 2026-W47 ; choisissez une semaine plus récente (git log --first-parent "
     "donne les dates)"),
    (["--week", "2026-W51"], "reperes : erreur : la semaine 2026-W51 commence le lundi 14/12/2026 : pas encore "
     "d'édition à publier ; une édition montre ce qui était en vigueur un lundi passé ; pour le site du jour : "
     "reperes publish"),
    (["--week", "2026-W49", "--garder", "0"], "reperes : erreur : --garder doit valoir au moins 1 ; par exemple "
     "--garder 12 pour trois mois d'éditions"),
    (["--garder", "douze"], "reperes publish : erreur : argument --garder : « douze » n'est pas un nombre entier"),
    (["--distant", "ailleurs"], "reperes : erreur : dépôt distant « ailleurs » inconnu ; git remote -v liste "
     "ceux de ce dépôt"),
    (["--branche", "main"], "reperes : erreur : la branche des éditions « main » est la branche de travail de ce "
     "dossier ; publiez depuis main, ou nommez une autre branche avec --branche"),
])
def test_publication_refused_before_building(history: GitRepo, args: list[str], message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(history.root)
        try:
            code = main(["publish", "--date", TODAY, *args])
        except SystemExit as exc:  # argparse
            code = exc.code
    assert (code, capsys.readouterr().err.strip().splitlines()[-1]) == (2, message)
    assert history.git("branch", "--list", "editions") == ""


@pytest.mark.slow
def test_weekly_edition_needs_the_current_one_first(tmp_path: Path) -> None:
    repo = edition_history(tmp_path / "depot")
    result = publish(repo.root, "--week", "2026-W49")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "reperes : erreur : l'édition actuelle n'est pas encore publiée : les éditions ne peuvent dire ce qui a "
        "changé depuis ; publiez-la d'abord : reperes publish")
    assert repo.git("branch", "--list", "editions") == ""


# --- what changed since an edition ---------------------------------------------------------


def _scheme(*entries: dict, resume: str = "Une aide.") -> dict:
    return {
        "id": "exemple", "nom": "Aide exemple", "domaine": "embauche", "resume": resume,
        "historique_statut": list(entries),
        "circuit": [{"titre": "Dépôt", "responsable": "employeur"}],
        "site_referent": "site-exemple", "revu_le": "2026-11-01",
    }


OPEN = {"date": "2025-01-01", "etat": "ouvert", "explication": "Tout va.", "elements_de_langage": "Ça suit son cours."}


def test_scheduled_status_taking_effect_is_a_change_without_any_commit() -> None:
    scheduled = {"date": "2026-12-01", "etat": "ferme", "explication": "Fin du dispositif.",
                 "elements_de_langage": "Le dispositif est fermé."}
    record = _scheme(OPEN, scheduled)
    assert changed_labels("dispositif", record, dt.date(2026, 11, 30), record, dt.date(2026, 12, 2)) == [
        "statut", "éléments de langage", "statuts à venir"]
    assert changed_labels("dispositif", record, dt.date(2026, 11, 2), record, dt.date(2026, 11, 30)) == []


def test_words_alone_and_plain_fields_are_named() -> None:
    reworded = dict(OPEN, elements_de_langage="Votre dossier avance.")
    assert changed_labels("dispositif", _scheme(OPEN), dt.date(2026, 11, 30),
                          _scheme(reworded, resume="Une aide revue."), dt.date(2026, 12, 2)) == [
        "éléments de langage", "résumé"]


# --- the versions branch --------------------------------------------------------------------


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = edition_history(tmp_path_factory.mktemp("branche") / "depot")
    published(repo.root, "2026-W48", "2026-W49", "2026-W50")
    return repo


@pytest.mark.slow
def test_selector_lists_current_then_editions_newest_first(editions: GitRepo) -> None:
    versions = json.loads(branch_file(editions, "versions.json"))
    commits = editions.git("log", "--format=%H", "--reverse", "main").split()
    assert [(v["version"], v["title"], v["aliases"], v["properties"]) for v in versions] == [
        ("actuelle", "Édition actuelle", [], {"date": "2026-12-09", "commit": commits[3]}),
        ("2026-S50", "Semaine 50 (07/12/2026)", [], {"date": "2026-12-07", "commit": commits[2]}),
        ("2026-S49", "Semaine 49 (30/11/2026)", [], {"date": "2026-11-30", "commit": commits[1]}),
        ("2026-S48", "Semaine 48 (23/11/2026)", [], {"date": "2026-11-23", "commit": commits[0]}),
    ]
    tree = editions.git("ls-tree", "--name-only", "editions").split()
    assert tree == [".nojekyll", "2026-S48", "2026-S49", "2026-S50", "404.html", "actuelle", "changements.json",
                    "index.html", "versions.json"]
    # No alias, so no symbolic link anywhere on the branch (nginx refuses them all).
    modes = {line.split()[0] for line in editions.git("ls-tree", "-r", "editions").splitlines()}
    assert modes == {"100644"}


@pytest.mark.slow
def test_each_edition_shows_what_was_in_force_on_its_monday(editions: GitRepo) -> None:
    page = "dispositifs/exemple/index.html"
    week48 = branch_file(editions, f"2026-S48/{page}")
    week49 = branch_file(editions, f"2026-S49/{page}")
    current = branch_file(editions, f"actuelle/{page}")
    assert "Tout fonctionne." in week48 and "Retards de paiement." not in week48
    assert "Les paiements ont du retard, votre dossier" in week49
    assert "Paiements repris." not in week49  # committed at 00:30 on that Monday
    assert "Votre paiement arrive dans les prochains jours." in current
    assert branch_file(editions, "2026-S48/outils/outil-ancien/index.html")
    assert "outil-ancien" not in editions.git("ls-tree", "-r", "--name-only", "editions", "actuelle/outils/")


@pytest.mark.slow
def test_changes_since_each_edition_per_page(editions: GitRepo) -> None:
    changes = json.loads(branch_file(editions, "changements.json"))
    commits = editions.git("log", "--format=%H", "--reverse", "main").split()
    assert changes["actuelle"] == {"version": "actuelle", "date": "2026-12-09", "commit": commits[3]}
    assert {version: edition["pages"] for version, edition in changes["editions"].items()} == {
        "2026-S48": {
            "dispositifs/exemple/": ["statut", "éléments de langage", "résumé", "date de revue"],
            "outils/outil-ancien/": None,
        },
        "2026-S49": {
            "dispositifs/exemple/": ["statut", "éléments de langage", "résumé", "date de revue"],
            "outils/outil-ancien/": None,
        },
        "2026-S50": {"dispositifs/exemple/": ["date de revue"]},
    }
    assert changes["editions"]["2026-S49"]["date"] == "2026-11-30"


@pytest.mark.slow
def test_republishing_a_week_changes_nothing(editions: GitRepo) -> None:
    before = editions.git("rev-parse", "editions")
    result = publish(editions.root, "--week", "2026-W49")
    assert result.returncode == 0, result.stderr
    assert "édition 2026-S49 « Semaine 49 (30/11/2026) » déjà publiée, inchangée sur la branche editions" in result.stderr
    assert editions.git("rev-parse", "editions") == before


@pytest.mark.slow
def test_root_leads_to_the_current_edition_and_has_a_404(editions: GitRepo) -> None:
    index = branch_file(editions, "index.html")
    assert '<meta http-equiv="refresh" content="0; url=actuelle/">' in index
    assert "<script" not in index and "<script" not in branch_file(editions, "404.html")
    assert "Page introuvable" in branch_file(editions, "404.html")


# --- publications that cannot corrupt the branch ---------------------------------------------


@pytest.mark.slow
def test_two_publications_at_once_both_land(tmp_path: Path) -> None:
    repo = edition_history(tmp_path / "depot")
    published(repo.root)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "generator", "publish", "--date", TODAY, "--week"]
    runs = [subprocess.Popen([*command, week], cwd=repo.root, env=env, stderr=subprocess.PIPE, text=True)
            for week in ("2026-W49", "2026-W50")]
    errors = [run.communicate(timeout=300)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    versions = [v["version"] for v in json.loads(branch_file(repo, "versions.json"))]
    assert versions == ["actuelle", "2026-S50", "2026-S49"]
    assert set(json.loads(branch_file(repo, "changements.json"))["editions"]) == {"2026-S49", "2026-S50"}
    assert repo.git("branch", "--list", "reperes-publication-*") == ""  # scratch branches gone


def _remote(repo: GitRepo, tmp_path: Path) -> Path:
    remote = tmp_path / "distant.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    repo.git("remote", "add", "origin", str(remote))
    return remote


# A hook that, once, lets another publisher's commit land on the remote's
# branch between our fetch and our push (the race of mike#238).
PRE_PUSH = """\
#!/bin/sh
[ -e "{marker}" ] && exit 0
touch "{marker}"
remote={remote}
tip=$(git --git-dir="$remote" rev-parse refs/heads/editions)
blob=$(echo "publiée ailleurs" | git --git-dir="$remote" hash-object -w --stdin)
tree=$( (git --git-dir="$remote" ls-tree "$tip"; printf '100644 blob %s\\tautre.txt\\n' "$blob") \
        | git --git-dir="$remote" mktree)
commit=$(git --git-dir="$remote" commit-tree "$tree" -p "$tip" -m "Publication d'ailleurs")
git --git-dir="$remote" update-ref refs/heads/editions "$commit"
"""


@pytest.mark.slow
def test_remote_moved_underneath_is_refetched_and_kept(tmp_path: Path) -> None:
    repo = edition_history(tmp_path / "depot")
    remote = _remote(repo, tmp_path)
    assert publish(repo.root, "--distant", "origin").returncode == 0
    hook = repo.root / ".git" / "hooks" / "pre-push"
    marker = tmp_path / "deja-vu"
    hook.write_text(PRE_PUSH.format(remote=remote, marker=marker), encoding="utf-8")
    hook.chmod(0o755)
    result = publish(repo.root, "--week", "2026-W49", "--distant", "origin")
    assert result.returncode == 0, result.stderr
    assert ("reperes : la branche « editions » de « origin » a changé pendant la publication : relecture et "
            "nouvelle tentative") in result.stderr
    pushed = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "--name-only", "editions"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert marker.exists()  # the other publication did land in between
    assert "autre.txt" in pushed and "2026-S49" in pushed and "actuelle" in pushed  # nothing lost
    assert repo.git("rev-parse", "editions") == subprocess.run(
        ["git", "--git-dir", str(remote), "rev-parse", "editions"], capture_output=True, text=True).stdout.strip()


@pytest.mark.slow
def test_diverged_branches_are_refused_in_french(tmp_path: Path) -> None:
    repo = edition_history(tmp_path / "depot")
    remote = _remote(repo, tmp_path)
    first = publish(repo.root, "--distant", "origin")
    head = repo.git("rev-parse", "--short=7", "HEAD")
    assert (first.returncode, first.stderr.splitlines()) == (0, [
        f"reperes : construction de l'édition actuelle (commit {head}, en vigueur le 9 décembre 2026)",
        f"édition actuelle publiée sur la branche editions (commit {head}, en vigueur le 09/12/2026), envoyée à origin",
        "éditions : actuelle",
    ])
    assert publish(repo.root, "--week", "2026-W49").returncode == 0  # local only
    other = tmp_path / "autre"
    subprocess.run(["git", "clone", "-q", "--branch", "editions", str(remote), str(other)], check=True)
    (other / "autre.txt").write_text("autre\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(other), "add", "autre.txt"], check=True)
    subprocess.run(["git", "-C", str(other), "-c", "user.name=Autre", "-c", "user.email=autre@exemple.invalid",
                    "commit", "-q", "-m", "Autre"], check=True)
    subprocess.run(["git", "-C", str(other), "push", "-q", "origin", "editions"], check=True)
    before = repo.git("rev-parse", "editions")
    result = publish(repo.root, "--week", "2026-W50", "--distant", "origin")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "reperes : erreur : la branche « editions » de ce dépôt et celle de « origin » ont divergé : publication "
        "refusée ; si la branche locale n'a rien à garder : git branch -D editions (elle sera reprise de « origin »)")
    assert repo.git("rev-parse", "editions") == before


@pytest.mark.slow
def test_keep_last_editions_and_squash_the_branch(tmp_path: Path) -> None:
    repo = edition_history(tmp_path / "depot")
    remote = _remote(repo, tmp_path)
    for args in ([], ["--week", "2026-W48"], ["--week", "2026-W49"]):
        assert publish(repo.root, *args, "--distant", "origin").returncode == 0
    assert int(repo.git("rev-list", "--count", "editions")) == 6  # two commits per publication
    result = publish(repo.root, "--week", "2026-W50", "--distant", "origin", "--garder", "2")
    assert result.returncode == 0, result.stderr
    assert "éditions retirées : 2026-S48" in result.stderr and "branche resserrée en un seul commit" in result.stderr
    assert repo.git("rev-list", "--count", "editions") == "1"
    assert [v["version"] for v in json.loads(branch_file(repo, "versions.json"))] == ["actuelle", "2026-S50", "2026-S49"]
    assert set(json.loads(branch_file(repo, "changements.json"))["editions"]) == {"2026-S49", "2026-S50"}
    assert "2026-S48" not in repo.git("ls-tree", "--name-only", "editions").split()
    remote_tip = subprocess.run(["git", "--git-dir", str(remote), "rev-parse", "editions"],
                                capture_output=True, text=True).stdout.strip()
    assert remote_tip == repo.git("rev-parse", "editions")  # pushed with a lease, not blindly forced


@pytest.mark.slow
def test_invalid_records_at_that_monday_publish_nothing(tmp_path: Path) -> None:
    repo = edition_history(tmp_path / "depot")
    repo.replace("schemes/exemple.yml", "etat: perturbe", "etat: bloque")
    repo.commit("Exemple : état mal écrit\n\nPourquoi: essai", "2026-12-01T09:00:00+01:00")
    repo.replace("schemes/exemple.yml", "etat: bloque", "etat: perturbe")
    repo.commit("Exemple : état corrigé\n\nPourquoi: essai", "2026-12-10T09:00:00+01:00")
    published(repo.root)
    before = repo.git("rev-parse", "editions")
    result = publish(repo.root, "--week", "2026-W50")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-2] == "reperes : erreur : 1 erreur dans les fiches du commit " + repo.git(
        "rev-parse", "--short=7", "HEAD~1") + " : édition 2026-S50 non publiée"
    assert lines[-1].startswith("schemes/exemple.yml:") and "« bloque »" in lines[-1], lines[-1]
    assert repo.git("rev-parse", "editions") == before


@pytest.mark.slow
def test_a_publication_waits_for_the_one_in_progress(tmp_path: Path) -> None:
    import fcntl

    from generator.project import Project
    from generator.site.editions import publish as publish_edition

    repo = edition_history(tmp_path / "depot")
    told: list[str] = []
    with open(repo.root / ".git" / "reperes-publication.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another publication holds the repository
        with pytest.raises(UsageError) as caught:
            publish_edition(Project(repo.root, dt.date(2026, 12, 9)), None, say=told.append, lock_wait=0.5)
    assert told[-1] == "une autre publication est en cours dans ce dépôt : attente de sa fin"
    assert caught.value.message == "une autre publication occupe le dépôt depuis plus de 0,5 s"
    assert repo.git("branch", "--list", "editions") == ""


RETIRED_SHAPE = """\
# yaml-language-server: $schema=_schemas/dispositif.json
id: exemple
nom: Aide exemple
domaine: embauche
resume: Une aide pour les tests.
statut:
  etat: ouvert
  depuis: 2025-01-01
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


@pytest.mark.slow
def test_edition_of_a_commit_in_a_retired_shape_reads_what_it_said(tmp_path: Path) -> None:
    """Before December 2026 a scheme had a `statut:` block: the edition reads it
    upgraded (records/migrate.py), and the same words written in today's shape
    are no change."""
    root = tmp_path / "depot"
    workspace = Workspace(root).add_site_files()
    workspace.scheme(RETIRED_SHAPE)
    repo = GitRepo(root)
    repo.commit("Fiches de départ\n\nPourquoi: premières fiches", "2026-11-18T10:00:00+01:00")
    workspace.scheme("# yaml-language-server: $schema=_schemas/dispositif.json\n" + MINIMAL_SCHEME)
    repo.commit("Statut : une seule chronologie\n\nPourquoi: nouveau format", "2026-12-02T10:00:00+01:00")
    published(repo.root, "2026-W48")
    page = branch_file(repo, "2026-S48/dispositifs/exemple/index.html")
    assert "Tout fonctionne." in page and "Votre dossier suit son cours." in page
    assert json.loads(branch_file(repo, "changements.json"))["editions"]["2026-S48"]["pages"] == {}


@pytest.mark.slow
def test_readme_sample_editions_are_reproducible(tmp_path: Path) -> None:
    """The README's commands, run as written on a clone of this repository."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.split("#")[0].split() for line in readme.splitlines()
                if line.startswith(".venv/bin/reperes publish --date")]
    assert len(commands) == 2, commands
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", "--detach"], check=True)
    branches = subprocess.run(["git", "-C", str(clone), "for-each-ref", "--format=%(refname:short)", "refs/heads/"],
                              capture_output=True, text=True, check=True).stdout.split()
    if branches:
        subprocess.run(["git", "-C", str(clone), "branch", "-q", "-D", *branches], check=True)
    subprocess.run(["git", "-C", str(clone), "config", "user.name", "Référent Test"], check=True)
    subprocess.run(["git", "-C", str(clone), "config", "user.email", "referent@exemple.invalid"], check=True)
    for command in commands:
        result = subprocess.run([sys.executable, "-m", "generator", *command[1:]], cwd=clone, capture_output=True,
                                text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert result.returncode == 0, result.stderr
    versions = json.loads(subprocess.run(["git", "-C", str(clone), "show", "editions:versions.json"],
                                         capture_output=True, text=True, check=True).stdout)
    assert [(v["version"], v["title"], v["properties"]["date"]) for v in versions] == [
        ("actuelle", "Édition actuelle", "2026-12-01"), ("2026-S49", "Semaine 49 (30/11/2026)", "2026-11-30")]
