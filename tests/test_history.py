"""History on throwaway git repositories with fixed authors and dates: what
changed, when, by whom and why, exactly as agents and reviewers read it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import feedparser
import pytest
from gitrepo import GitRepo, committed
from workspace import MINIMAL_FILES, Workspace, with_status

from generator.history.changelog import read_history
from generator.history.git import Git, HistoryError
from generator.records.corpus import load_corpus
from generator.site.render import generate

SCHEME = "schemes/exemple.yml"
TODAY = dt.date(2026, 11, 27)
FIX = "Référent Test <referent@exemple.invalid>"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = committed(tmp_path / "depot", MINIMAL_FILES)
    return repo


def corpus(repo: GitRepo):
    return load_corpus(repo.root / "schemes", base=repo.root)


def sha(repo: GitRepo, rev: str = "HEAD") -> str:
    return repo.git("rev-parse", rev)


def test_status_change_with_its_reason(repo: GitRepo):
    repo.write(SCHEME, with_status(repo.read(SCHEME), "2026-02-01", "paiements_bloques",
                                   "Le flux de l'OPCO n'arrive plus.", "Les paiements sont suspendus."))
    repo.commit("Bloquer les paiements\n\nPourquoi: flux OPCO non reçu depuis le 1er février",
                "2026-02-02T10:00:00+01:00", author="Agnès Dupont <agnes@exemple.invalid>")
    history = read_history(repo.root)
    newest, created = history.for_record("dispositif", "exemple")
    assert newest.sentences == ["Statut : ouvert → paiements bloqués"]
    assert newest.reason == "flux OPCO non reçu depuis le 1er février"
    assert newest.author == "Agnès Dupont"
    assert newest.when == dt.datetime(2026, 2, 2, 10, 0, tzinfo=newest.when.tzinfo)
    assert newest.when.strftime("%d/%m/%Y %H:%M %z") == "02/02/2026 10:00 +0100"
    assert created.sentences == ["Fiche créée"]
    assert history.warnings == []


def test_change_without_reason_reads_raison_non_renseignee(repo: GitRepo, monkeypatch):
    repo.replace(SCHEME, "nom: Aide exemple", "nom: Aide exemple renommée")
    repo.commit("Renommer", "2026-02-03T09:30:00+01:00")
    history = read_history(repo.root)
    assert history.for_record("dispositif", "exemple")[0].reason is None
    generate(corpus(repo), repo.root, TODAY, history=history)
    journal = (repo.root / "docs/genere/journal/index.md").read_text(encoding="utf-8")
    assert "## Semaine du 2 février 2026" in journal
    assert "- Nom : « Aide exemple » → « Aide exemple renommée »" in journal
    assert "**Pourquoi :** *raison non renseignée* — Référent Test, commit" in journal


def test_a_moved_file_keeps_its_history(repo: GitRepo):
    repo.git("mv", SCHEME, "schemes/exemple-2024.yml")
    repo.commit("Déplacer\n\nPourquoi: nouveau nommage", "2026-02-04T10:00:00+01:00")
    changes = read_history(repo.root).for_record("dispositif", "exemple")
    assert [c.sentences for c in changes] == [
        ["Fichier déplacé : schemes/exemple.yml → schemes/exemple-2024.yml"],
        ["Fiche créée"],
    ]


def test_close_then_archive(repo: GitRepo, monkeypatch):
    repo.write(SCHEME, with_status(repo.read(SCHEME), "2026-03-01", "ferme", "Fin du dispositif.",
                                   "Le dispositif est fermé."))
    repo.commit("Fermer\n\nPourquoi: fin du dispositif au 1er mars", "2026-03-01T08:00:00+01:00")
    history = read_history(repo.root)
    assert history.for_record("dispositif", "exemple")[0].sentences == ["Statut : ouvert → fermé"]
    generate(corpus(repo), repo.root, TODAY, history=history)
    page = (repo.root / "docs/genere/dispositifs/exemple.md").read_text(encoding="utf-8")
    assert '!!! note reperes-bandeau "Dispositif fermé — page archivée"' in page
    assert "**01/03/2026** — Statut : ouvert → fermé. *Pourquoi :* fin du dispositif au 1er mars" in page


def branch_with_two_commits(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "statut")
    repo.write(SCHEME, with_status(repo.read(SCHEME), "2026-04-01", "perturbe", "Retards de l'OPCO.",
                                   "Votre paiement peut avoir du retard."))
    repo.commit("Perturbé\n\nPourquoi: retards de l'OPCO", "2026-04-01T10:00:00+02:00")
    repo.replace(SCHEME, "Votre paiement peut avoir du retard.", "Votre paiement aura du retard.")
    repo.commit("Éléments de langage\n\nPourquoi: retards de l'OPCO", "2026-04-01T11:00:00+02:00")
    repo.git("checkout", "-q", "main")


def test_a_merge_gives_exactly_one_entry_per_change(repo: GitRepo):
    branch_with_two_commits(repo)
    merge = repo.merge("statut", "Merge branch 'statut'", "2026-04-02T09:00:00+02:00")
    changes = read_history(repo.root).for_record("dispositif", "exemple")
    assert len(changes) == 2
    assert changes[0].commit == merge
    assert changes[0].sentences == ["Statut : ouvert → perturbé"]
    assert changes[0].reason == "retards de l'OPCO"


def test_a_squash_merge_gives_exactly_one_entry(repo: GitRepo):
    branch_with_two_commits(repo)
    repo.merge("statut", "Statut perturbé (#12)\n\nPourquoi: retards de l'OPCO", "2026-04-02T09:00:00+02:00",
               squash=True)
    changes = read_history(repo.root).for_record("dispositif", "exemple")
    assert [c.sentences for c in changes] == [
        ["Statut : ouvert → perturbé"],
        ["Fiche créée"],
    ]
    assert changes[0].reason == "retards de l'OPCO"


def test_invalid_intermediate_commit_is_a_warning(repo: GitRepo):
    repo.replace(SCHEME, "etat: ouvert", "etat: bloque")
    broken = repo.commit("Essai\n\nPourquoi: test", "2026-05-01T10:00:00+02:00")
    repo.replace(SCHEME, "etat: bloque", "etat: paiements_bloques")
    repo.commit("Correction\n\nPourquoi: test", "2026-05-01T11:00:00+02:00")
    history = read_history(repo.root)
    assert history.warnings == [
        f"commit {broken[:7]} : schemes/exemple.yml est invalide à ce commit "
        "(schemes/exemple.yml:7:11: historique_statut[1].etat: valeur « bloque » inconnue ; valeurs possibles : annonce, "
        "en_deploiement, ouvert, perturbe, paiements_bloques, ferme) ; "
        "ses modifications sont comparées à la dernière version valide"
    ]
    assert history.for_record("dispositif", "exemple")[0].sentences == ["Statut : ouvert → paiements bloqués"]


def test_shallow_clone_is_refused_with_the_fix(repo: GitRepo, tmp_path: Path):
    repo.replace(SCHEME, "nom: Aide exemple", "nom: Aide")
    repo.commit("Nom\n\nPourquoi: test", "2026-05-02T10:00:00+02:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    with pytest.raises(HistoryError) as raised:
        read_history(clone)
    assert str(raised.value) == (
        "historique incomplet : ce dépôt est un clone superficiel (shallow), les dates et l'historique des "
        "fiches seraient faux ; dans GitHub Actions, ajoutez « fetch-depth: 0 » à l'étape actions/checkout ; "
        "en local, lancez « git fetch --unshallow » ; ou relancez avec --allow-shallow pour un historique "
        "signalé comme partiel"
    )
    partial = read_history(clone, allow_shallow=True)
    assert partial.partial is True


def test_each_commit_is_parsed_once(repo: GitRepo):
    first = read_history(repo.root)
    assert first.processed == 1
    assert read_history(repo.root).processed == 0
    repo.replace(SCHEME, "nom: Aide exemple", "nom: Aide")
    repo.commit("Nom\n\nPourquoi: test", "2026-05-02T10:00:00+02:00")
    again = read_history(repo.root)
    assert again.processed == 1
    assert len(again.changes) == len(first.changes) + 1


def test_the_main_line_is_walked_once_per_commit_built(repo: GitRepo, monkeypatch):
    walks = []
    walk = Git.mainline
    monkeypatch.setattr(Git, "mainline", lambda self, head: walks.append(head) or walk(self, head))
    first = read_history(repo.root)
    assert read_history(repo.root).changes == first.changes
    assert walks == [sha(repo)]
    repo.replace(SCHEME, "nom: Aide exemple", "nom: Aide")
    repo.commit("Nom\n\nPourquoi: test", "2026-05-02T10:00:00+02:00")
    assert len(read_history(repo.root).changes) == len(first.changes) + 1
    assert walks == [sha(repo, "HEAD~1"), sha(repo)]
    # A remembered main line that is not one (cut short, of another head, not commit ids) is walked again.
    memo, = (repo.root / ".cache/reperes/historique").glob("*/ligne-principale.json")
    saved = json.loads(memo.read_text())
    for broken in ('{"key": 1', '{"key": [], "commits": []}', json.dumps({**saved, "key": ["HEAD"]}),
                   json.dumps({**saved, "commits": ["HEAD"]})):
        memo.write_text(broken)
        assert read_history(repo.root).for_record("dispositif", "exemple")[0].sentences == [
            "Nom : « Aide exemple » → « Aide »"]
    assert walks == [sha(repo, "HEAD~1"), *[sha(repo)] * 5]


def test_replace_refs_give_their_history_and_nothing_is_kept_of_it(repo: GitRepo):
    repo.replace(SCHEME, "nom: Aide exemple", "nom: Aide")
    repo.commit("Nom\n\nPourquoi: test", "2026-05-02T10:00:00+02:00")
    whole = [c.sentences for c in read_history(repo.root).for_record("dispositif", "exemple")]
    assert whole == [["Nom : « Aide exemple » → « Aide »"], ["Fiche créée"]]
    repo.git("replace", "--graft", "HEAD")  # the last commit shown without parent
    grafted = read_history(repo.root)
    assert [c.sentences for c in grafted.for_record("dispositif", "exemple")] == [["Fiche créée"]]
    assert grafted.processed == 1  # read again, not from the cache
    repo.git("replace", "-d", sha(repo))
    again = read_history(repo.root)
    assert [c.sentences for c in again.for_record("dispositif", "exemple")] == whole


def test_a_deepened_shallow_clone_has_its_whole_history(repo: GitRepo, tmp_path: Path):
    repo.replace(SCHEME, "nom: Aide exemple", "nom: Aide")
    repo.commit("Nom\n\nPourquoi: test", "2026-05-02T10:00:00+02:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    partial = read_history(clone, allow_shallow=True)
    assert [c.sentences for c in partial.for_record("dispositif", "exemple")] == [["Fiche créée"]]
    subprocess.run(["git", "fetch", "-q", "--unshallow"], cwd=clone, check=True)
    whole = read_history(clone)
    assert whole.partial is False
    assert [c.sentences for c in whole.for_record("dispositif", "exemple")] == [
        ["Nom : « Aide exemple » → « Aide »"], ["Fiche créée"]]


def test_outside_git_history_is_unavailable(tmp_path: Path):
    Workspace(tmp_path)
    assert read_history(tmp_path).available is False


def test_atom_feed_parses(repo: GitRepo, monkeypatch):
    repo.replace(SCHEME, "etat: ouvert", "etat: perturbe")
    repo.commit("Perturbé\n\nPourquoi: retards <OPCO> & co", "2026-02-02T10:00:00+01:00")
    generate(corpus(repo), repo.root, TODAY, history=read_history(repo.root))
    feed = feedparser.parse((repo.root / "docs/genere/journal.xml").read_bytes())
    assert feed.bozo == 0, feed.bozo_exception
    assert feed.feed.title == "Repères : journal des modifications"
    first = feed.entries[0]
    assert first.title == "Aide exemple : Statut : ouvert → perturbé"
    assert first.link == "dispositifs/exemple/"
    assert first.author == "Référent Test"
    assert "Pourquoi : retards <OPCO> & co" in first.summary
    assert first.updated_parsed[:5] == (2026, 2, 2, 9, 0)


def test_future_dated_status_takes_effect_on_its_date(repo: GitRepo, monkeypatch):
    repo.write(SCHEME, with_status(repo.read(SCHEME), "2027-01-01", "ferme", "Fin programmée du dispositif.",
                                   "Le dispositif est fermé depuis le 1er janvier 2027."))
    repo.commit("Programmer la fermeture\n\nPourquoi: décret de fin", "2026-11-20T10:00:00+01:00")
    history = read_history(repo.root)
    assert history.for_record("dispositif", "exemple")[0].sentences == ["Statut programmé au 01/01/2027 : ouvert → fermé"]
    for today, expected_state, words, announced in [
        ("2026-11-27", "**Ouvert**", "Votre dossier suit son cours.", True),
        ("2027-01-01", "**Fermé**", "Le dispositif est fermé depuis le 1er janvier 2027.", False),
    ]:
        generate(corpus(repo), repo.root, dt.date.fromisoformat(today), history=read_history(repo.root))
        page = (repo.root / "docs/genere/dispositifs/exemple.md").read_text(encoding="utf-8")
        home = (repo.root / "docs/genere/index.md").read_text(encoding="utf-8")
        assert f"{expected_state}{{ .reperes-etat" in page
        said = page.split('!!! quote "À dire à l\'appelant"\n', 1)[1].split("\n\n", 1)[0]
        assert said == f"    {words}"
        assert ('!!! info "Changement programmé au 1er janvier 2027"' in page) is announced
        assert ("*À dire à partir du 1er janvier 2027 :* Le dispositif est fermé depuis le 1er janvier 2027." in page) is announced
        assert ("À partir du 1er janvier 2027 : **Fermé**" in page) is announced
        assert ("**Programmé au 1er janvier 2027 : Fermé.**" in home) is announced


# --- pull requests ------------------------------------------------------------------


@pytest.fixture
def pr(repo: GitRepo):
    """A branch `fiche` from main, as a referent's pull request."""
    repo.git("checkout", "-q", "-b", "fiche")
    return repo


def _bare(root: Path) -> Workspace:
    """A Workspace over an existing folder (no sample files written)."""
    workspace = Workspace.__new__(Workspace)
    workspace.root = root
    return workspace


def run_check(repo: GitRepo, capsys, *args: str):
    return _bare(repo.root).run("check", *args, capsys=capsys)


def test_pull_request_without_reason_is_refused(pr: GitRepo, capsys):
    pr.write(SCHEME, with_status(pr.read(SCHEME), "2026-06-01", "perturbe", "Retards.", "Votre paiement aura du retard."))
    commit = pr.commit("Modifier le statut", "2026-06-01T10:00:00+02:00")
    result = run_check(pr, capsys, "--base", "main")
    assert result.code == 1
    assert result.lines == [
        f"schemes/exemple.yml:1:1: pourquoi: le commit {commit[:7]} « Modifier le statut » modifie cette fiche "
        "sans dire pourquoi ; ajoutez une ligne « Pourquoi: … » à la description de la pull request "
        "(elle devient le message du commit fusionné)"
    ]
    pr.git("commit", "-q", "--amend", "-m", "Modifier le statut\n\nPourquoi: retards")
    assert run_check(pr, capsys, "--base", "main").code == 0


def test_rewriting_a_past_status_entry_is_refused(repo: GitRepo, capsys):
    repo.git("checkout", "-q", "-b", "fiche")
    repo.replace(SCHEME, "explication: Tout fonctionne.", "explication: Ouverture progressive.")
    repo.commit("Réécrire\n\nPourquoi: précision", "2026-06-02T10:00:00+02:00")
    result = run_check(repo, capsys, "--base", "main")
    assert result.code == 1
    assert result.lines == [
        "schemes/exemple.yml:6:5: historique_statut[1]: le texte de l'entrée du 01/01/2025 a été modifié sans "
        "ligne « Correction: » ; pour corriger son texte (explication, éléments de langage), ajoutez une ligne "
        "« Correction: … » à la description de la pull request, à côté de « Pourquoi: » ; pour un nouveau statut, "
        "rétablissez l'entrée et ajoutez-en une à la fin"
    ]


def test_deleting_a_record_is_refused_and_its_id_never_reused(pr: GitRepo, capsys):
    pr.git("rm", "-q", "schemes/outils/outil-exemple.yml")
    pr.replace(SCHEME, "    outil: outil-exemple\n", "")
    pr.commit("Retirer l'outil\n\nPourquoi: outil abandonné", "2026-06-01T10:00:00+02:00")
    result = run_check(pr, capsys, "--base", "main")
    assert result.lines == [
        "schemes/outils/outil-exemple.yml:1:1: fichier: la fiche « outil-exemple » est supprimé(e) ; ne supprimez "
        "pas une fiche : passez son statut à « ferme » (elle reste en page archivée) ; son identifiant ne sera "
        "jamais réutilisé"
    ]
    # Merged anyway (say, by an administrator): then an id may not come back.
    pr.git("checkout", "-q", "main")
    pr.merge("fiche", "Merge branch 'fiche'", "2026-06-02T10:00:00+02:00")
    pr.git("checkout", "-q", "-b", "retour")
    pr.write("schemes/outils/outil-exemple.yml", MINIMAL_FILES["schemes/outils/outil-exemple.yml"])
    pr.commit("Recréer l'outil\n\nPourquoi: erreur", "2026-06-03T10:00:00+02:00")
    result = run_check(pr, capsys, "--base", "main")
    assert result.lines == [
        f"schemes/outils/outil-exemple.yml:1:1: id: l'identifiant « outil-exemple » a déjà servi à une fiche "
        f"supprimée (commit {sha(pr, 'main')[:7]}, 02/06/2026) ; choisissez un autre identifiant : un identifiant "
        "n'est jamais réutilisé"
    ]


def test_diff_prints_readable_french(pr: GitRepo, capsys):
    base = sha(pr)
    pr.write(SCHEME, with_status(pr.read(SCHEME), "2026-06-01", "paiements_bloques", "Flux OPCO non reçu.",
                                 "Les paiements sont suspendus."))
    commit = pr.commit("Bloquer\n\nPourquoi: flux OPCO non reçu", "2026-06-01T10:00:00+02:00")
    result = _bare(pr.root).run("diff", base, capsys=capsys)
    assert result.code == 0
    assert result.out == (
        f"## Modifications des fiches ({base[:7]} → {commit[:7]})\n"
        "\n"
        "### Dispositif « Aide exemple » (`schemes/exemple.yml`)\n"
        "\n"
        "- Statut : ouvert → paiements bloqués ; explication : « Flux OPCO non reçu. » ; "
        "éléments de langage : « Les paiements sont suspendus. »\n"
        "\n"
        f"> **Pourquoi :** flux OPCO non reçu — Référent Test, 01/06/2026, commit {commit[:7]} « Bloquer »\n"
    )
    unknown = _bare(pr.root).run("diff", "nulle-part", capsys=capsys)
    assert unknown.code == 2
    assert unknown.err == (
        "reperes : erreur : révision « nulle-part » introuvable ; vérifiez son nom (git log --oneline)\n"
    )


def test_future_amount_is_announced(repo: GitRepo, monkeypatch):
    repo.write(SCHEME, repo.read(SCHEME) + "montants:\n  - du: 2025-01-01\n    au: 2026-12-31\n"
               "    montant: 4 000 €\n    source: https://exemple.invalid/a\n  - du: 2027-01-01\n"
               "    montant: 5 000 €\n    source: https://exemple.invalid/b\n")
    repo.commit("Montant 2027\n\nPourquoi: décret", "2026-11-20T10:00:00+01:00")
    generate(corpus(repo), repo.root, TODAY, history=read_history(repo.root))
    page = (repo.root / "docs/genere/dispositifs/exemple.md").read_text(encoding="utf-8")
    assert '!!! info "Nouveau montant à partir du 1er janvier 2027"\n    5 000 €' in page
    assert "- **Du 1er janvier 2025 au 31 décembre 2026** (en vigueur) : 4 000 €" in page
    assert "- **Du 1er janvier 2027** (à venir) : 5 000 €" in page
    home = (repo.root / "docs/genere/index.md").read_text(encoding="utf-8")
    assert "**Nouveau montant à partir du 1er janvier 2027.**" in home


# --- what git cannot give: typed errors, each with its French hint ----------------


def test_unknown_revisions_name_the_missing_one_with_the_command_s_hint(pr: GitRepo, capsys):
    checked = run_check(pr, capsys, "--base", "nulle-part")
    assert (checked.code, checked.err) == (2, (
        "reperes : erreur : révision « nulle-part » introuvable ; vérifiez le nom de la branche "
        "(par exemple origin/main) et que l'historique a été récupéré\n"
    ))
    diffed = _bare(pr.root).run("diff", "HEAD", "ailleurs", capsys=capsys)
    assert (diffed.code, diffed.err) == (2, (
        "reperes : erreur : révision « ailleurs » introuvable ; vérifiez son nom (git log --oneline)\n"
    ))


def test_commands_that_need_git_say_so_outside_a_repository(workspace, capsys):
    checked = workspace.run("check", "--base", "main", capsys=capsys)
    assert (checked.code, checked.err) == (2, (
        "reperes : erreur : « --base » demande un dépôt git ; lancez la commande dans un clone du dépôt\n"
    ))
    diffed = workspace.run("diff", "main", capsys=capsys)
    assert (diffed.code, diffed.err) == (2, (
        "reperes : erreur : « reperes diff » demande un dépôt git ; lancez la commande dans un clone du dépôt\n"
    ))


def test_the_repository_s_git_processes_end_with_the_reading(repo: GitRepo):
    blob = repo.git("rev-parse", f"HEAD:{SCHEME}")
    with Git.open(repo.root) as gitrepo:
        assert gitrepo.blob(blob) == repo.read(SCHEME).encode()
        batch = gitrepo.repo.git.cat_file_all.proc  # GitPython's `git cat-file --batch`
        assert batch.poll() is None
    assert batch.wait(timeout=10) is not None
