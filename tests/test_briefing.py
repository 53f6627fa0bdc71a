"""`reperes briefing`: the weekly briefing, prepared from a real git history,
refreshed without losing or duplicating what the manager wrote, checked as
contributor text, and published through the blog and its feed."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from gitrepo import GitRepo
from workspace import MINIMAL_FILES, MINIMAL_SCHEME, Workspace, with_status

from generator.cli import main
from generator.history.weeks import parse_week
from generator.records.briefings import CATEGORIES
from generator.records.corpus import load_corpus
from generator.site.render import Renderer

ROOT = Path(__file__).resolve().parent.parent
SCHEME = "schemes/exemple.yml"
POST = "docs/briefings/posts/2026-s49.md"
WORDS = "Les paiements sont retardés ; je note votre demande et vous serez rappelé sous 5 jours."
ISSUE = """\
anomalies:
  - titre: Attestation refusée par le portail
    symptome: Le portail affiche « format invalide » à l'envoi de l'attestation.
    contournement:
      - Enregistrer l'attestation au format PDF.
      - La déposer depuis l'onglet « Documents ».
    etat: ouverte
    depuis: 2026-12-02
"""


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def week_49(tmp_path: Path) -> GitRepo:
    """A repository whose week 2026-W49 (30 November – 6 December) has a status
    change with new words, an issue opened and a status scheduled soon."""
    repo = GitRepo(tmp_path / "depot")
    for name, text in MINIMAL_FILES.items():
        repo.write(name, text)
    repo.commit("Fiches initiales\n\nPourquoi: première version des fiches", "2026-11-20T10:00:00+01:00")
    perturbed = with_status(MINIMAL_SCHEME, "2026-12-01", "perturbe", "Le flux de paiement est interrompu.", WORDS)
    repo.write(SCHEME, perturbed)
    repo.commit("Exemple : paiements perturbés\n\nPourquoi: le flux de l'ASP est coupé depuis lundi",
                "2026-12-01T09:30:00+01:00")
    with_issue = perturbed.replace("site_referent:", ISSUE + "site_referent:", 1)
    repo.write(SCHEME, with_issue)
    repo.commit("Exemple : anomalie de l'attestation\n\nPourquoi: signalée par trois appelants",
                "2026-12-02T14:00:00+01:00")
    scheduled = with_status(with_issue, "2026-12-10", "ouvert", "Le flux est rétabli.", "Votre paiement suit son cours.")
    repo.write(SCHEME, scheduled)
    repo.commit("Exemple : retour à la normale programmé\n\nPourquoi: la DGEFP annonce la reprise le 10",
                "2026-12-04T11:00:00+01:00")
    return repo


def test_week_is_an_iso_week_monday_to_sunday():
    week = parse_week("2026-W49")
    assert (week.monday.isoformat(), week.sunday.isoformat(), week.slug) == ("2026-11-30", "2026-12-06", "2026-s49")
    assert week.span_fr == "du 30 novembre au 6 décembre 2026"
    assert parse_week("2026-W01").monday.isoformat() == "2025-12-29"  # ISO: the week of the first Thursday


@pytest.mark.parametrize(("value", "message"), [
    ("2026-49", "reperes : erreur : semaine « 2026-49 » au mauvais format ; écrivez l'année et la semaine ISO, "
                "par exemple 2026-W49"),
    ("2026-W54", "reperes : erreur : semaine « 2026-W54 » inexistante : l'année 2026 n'a pas de semaine 54 ; "
                 "écrivez l'année et la semaine ISO, par exemple 2026-W49"),
])
def test_a_bad_week_is_a_french_usage_error(workspace, capsys, value, message):
    code, out, err = run(workspace.root, capsys, "briefing", "--week", value)
    assert (code, out, err.strip()) == (2, "", message)
    assert not (workspace.root / "docs" / "briefings").exists()


@pytest.mark.slow  # a real git repository and its history
def test_briefing_groups_the_week_by_its_effect_on_the_call(tmp_path, capsys):
    repo = week_49(tmp_path)
    code, out, err = run(repo.root, capsys, "briefing", "--week", "2026-W49")
    assert (code, out) == (0, "")
    assert err == "écrit : docs/briefings/posts/2026-s49.md (point hebdo de la semaine 2026-W49, brouillon : « draft: true »)\n"
    text = repo.read(POST)
    assert text.startswith(
        "---\ndate: 2026-12-07\nslug: 2026-s49\n"
        'description: "Semaine du 30 novembre au 6 décembre 2026 : 2 changements de statut, '
        '2 éléments de langage modifiés, 1 anomalie ouverte ou résolue, 1 échéance à venir, 1 perturbation en cours"\n'
        "categories:\n  - Point hebdo\nauthors:\n  - encadrement\ndraft: true\n---\n\n"
        "# Point hebdo, semaine 49 (du 30 novembre au 6 décembre 2026)\n"
    )
    visible = "\n".join(line for line in text.splitlines() if not line.startswith("<!-- reperes:"))
    # The new words, verbatim, with why.
    assert (
        "- **[Aide exemple](../../dispositifs/exemple.md)**, depuis le 1er décembre 2026 (Perturbé) :\n\n"
        f"    > {WORDS}\n\n"
        "    Pourquoi : le flux de l'ASP est coupé depuis lundi"
    ) in visible
    # The status change and the one scheduled, each with its reason.
    assert (
        "- **[Aide exemple](../../dispositifs/exemple.md)** : Ouvert → **Perturbé** depuis le 1er décembre 2026. "
        "Le flux de paiement est interrompu.\n  Pourquoi : le flux de l'ASP est coupé depuis lundi"
    ) in visible
    assert "Perturbé → **Ouvert** prévu au 10 décembre 2026. Le flux est rétabli.\n  Pourquoi : la DGEFP annonce la reprise le 10" in visible
    # The issue opened, with its workaround steps.
    assert (
        "- **Nouvelle : Attestation refusée par le portail** ([Aide exemple](../../dispositifs/exemple.md)). "
        "Le portail affiche « format invalide » à l'envoi de l'attestation. Pourquoi : signalée par trois appelants.\n"
        "  Contournement :\n\n    1. Enregistrer l'attestation au format PDF.\n"
        "    2. La déposer depuis l'onglet « Documents »."
    ) in visible
    # What takes effect in the next two weeks, and the disruption still running.
    assert ("- **10 décembre 2026**, [Aide exemple](../../dispositifs/exemple.md) : Perturbé → **Ouvert**. "
            "Le flux est rétabli.\n\n    > Votre paiement suit son cours.") in visible
    assert ("## Perturbations toujours en cours\n\n- **[Aide exemple](../../dispositifs/exemple.md)** : "
            "**Perturbé** depuis le 1er décembre 2026. Le flux de paiement est interrompu.\n\n"
            f"    > {WORDS}") in visible
    # The record is past its review date on the Monday after the week (revu_le 2026-11-01 + 30 days? no: 365).
    assert "## Fiches et guides à revoir, par site référent\n\n*Aucune fiche ni aucun guide en retard de revue.*" in visible
    assert visible.rstrip().endswith("## Notes de l'encadrement\n\n\n## Points soulevés par le terrain")
    # No field feedback recorded this week: the section says so.
    assert "## Remontées du terrain de la semaine\n\n*Aucune remontée du terrain enregistrée cette semaine.*" in visible


@pytest.mark.slow  # a real git repository and its history
def test_rerun_keeps_the_managers_lines_and_duplicates_nothing(tmp_path, capsys):
    repo = week_49(tmp_path)
    assert run(repo.root, capsys, "briefing", "--week", "2026-W49")[0] == 0
    first = repo.read(POST)
    # Unchanged history: the same file, byte for byte.
    code, _, err = run(repo.root, capsys, "briefing", "--week", "2026-W49")
    assert code == 0 and repo.read(POST) == first
    assert err == "mis à jour : docs/briefings/posts/2026-s49.md (0 élément rafraîchi, 0 élément modifié à la main conservé)\n"

    # The manager writes notes, a line between two blocks, and rewords one generated item.
    note = "- Rappeler aux équipes de noter le numéro de dossier avant tout rappel."
    repo.replace(POST, "## Notes de l'encadrement\n", f"## Notes de l'encadrement\n\n{note}\n")
    between = "Point d'équipe à 14 h pour en parler."
    repo.replace(POST, "<!-- reperes:debut anomalies -->", f"{between}\n\n<!-- reperes:debut anomalies -->")
    repo.replace(POST, "Le flux de paiement est interrompu.\n  Pourquoi",
                 "Le flux de paiement est interrompu (précisé par l'encadrement).\n  Pourquoi")
    repo.commit("Point hebdo : notes\n\nPourquoi: notes de l'encadrement", "2026-12-07T09:00:00+01:00")
    # Later in the week, another change lands (committed on Saturday).
    text = repo.read(SCHEME).replace("revu_le: 2026-11-01", "revu_le: 2026-12-05")
    repo.write(SCHEME, text.replace("      - La déposer depuis", "      - Vérifier la taille (2 Mo au plus).\n      - La déposer depuis"))
    repo.git("add", SCHEME)
    repo.git("commit", "-q", "-m", "Exemple : revue\n\nPourquoi: relecture du site référent",
             date="2026-12-05T16:00:00+01:00")

    code, out, err = run(repo.root, capsys, "briefing", "--week", "2026-W49")
    assert (code, out) == (0, "")
    assert err == "mis à jour : docs/briefings/posts/2026-s49.md (1 élément rafraîchi, 1 élément modifié à la main conservé)\n"
    second = repo.read(POST)
    assert second.count(note) == 1 and second.count(between) == 1
    assert "Le flux de paiement est interrompu (précisé par l'encadrement)." in second  # the edit kept
    assert "Le flux de paiement est interrompu.\n  Pourquoi" not in second  # and not written a second time
    keys = re.findall(r"<!-- reperes:element (\S+)", second)
    assert len(keys) == len(set(keys))
    for heading in ("## Changements de statut", "## Notes de l'encadrement", "## Perturbations toujours en cours"):
        assert second.count(heading) == 1
    # The header the manager owns is never rewritten; the rest of the file is what it was outside the blocks.
    assert second.split("# Point hebdo", 1)[0] == first.split("# Point hebdo", 1)[0]
    # A third run changes nothing more.
    assert run(repo.root, capsys, "briefing", "--week", "2026-W49")[0] == 0
    assert repo.read(POST) == second


@pytest.mark.slow  # a real git repository and its history
def test_an_item_emptied_by_the_manager_stays_empty(tmp_path, capsys):
    repo = week_49(tmp_path)
    run(repo.root, capsys, "briefing", "--week", "2026-W49")
    text = repo.read(POST)
    start = text.index("- **Nouvelle : Attestation")
    end = text.index("<!-- reperes:fin anomalies -->")
    repo.write(POST, text[:start] + text[end:])
    run(repo.root, capsys, "briefing", "--week", "2026-W49")
    assert "Attestation refusée" not in repo.read(POST).split("## Ce qui prend effet")[0]


@pytest.mark.slow  # a real git repository and its history
def test_broken_markers_are_reported_and_nothing_is_written(tmp_path, capsys):
    repo = week_49(tmp_path)
    run(repo.root, capsys, "briefing", "--week", "2026-W49")
    text = repo.read(POST).replace("<!-- reperes:fin statuts -->\n", "", 1)
    repo.write(POST, text)
    nested = text[: text.index("<!-- reperes:debut anomalies -->")].count("\n") + 1
    code, out, err = run(repo.root, capsys, "briefing", "--week", "2026-W49")
    assert code == 1
    assert out.splitlines()[0] == (
        f"{POST}:{nested}:1: texte: bloc « anomalies » ouvert dans le bloc « statuts » ; "
        f"ajoutez « <!-- reperes:fin statuts --> » avant la ligne {nested}"
    )
    assert err == (f"reperes : erreur : marqueurs du point hebdo {POST} à rétablir : fichier non réécrit ; "
                   "rétablissez les lignes « <!-- reperes:… --> » comme la commande les avait écrites\n")
    assert repo.read(POST) == text


# --- the briefing as contributor text ----------------------------------------------------


def briefing_workspace(workspace: Workspace, body: str, header: str | None = None) -> Workspace:
    header = header or ("date: 2026-12-07\nslug: 2026-s49\ndescription: Semaine calme.\n"
                        "categories:\n  - Point hebdo\nauthors:\n  - encadrement\n")
    workspace.write("docs/briefings/posts/2026-s49.md", f"---\n{header}---\n\n{body}", dedent=False)
    workspace.write("docs/briefings/.authors.yml", "authors:\n  encadrement:\n    name: Encadrement\n"
                    "    description: Point hebdo\n    avatar: briefings/encadrement.png\n", dedent=False)
    from generator.site.briefing import avatar_png

    workspace.write("docs/briefings/encadrement.png", avatar_png())
    return workspace


def test_a_valid_briefing_passes_the_check(workspace, check):
    briefing_workspace(workspace, "# Point hebdo\n\n<!-- reperes:debut notes -->\n- Rien.\n<!-- reperes:fin notes -->\n")
    result = check()
    assert result.code == 0, result.out


@pytest.mark.parametrize(("body", "line", "message"), [
    ("# Point\n\n<b>gras</b>\n", 13, "HTML interdit (« <b> ») : écrivez du texte simple, le HTML ne serait pas affiché"),
    # A marker followed by anything else on its line is HTML like any other.
    ("# Point\n\n<!-- reperes:debut x --> <img src=x onerror=alert(1)>\n", 13, "HTML interdit (« <!-- reperes:debut x --> ») : écrivez du texte simple, le HTML ne serait pas affiché"),
    ("# Point\n\n[lien](javascript:alert(1))\n", 13, None),
])
def test_a_briefing_is_checked_like_every_page(workspace, check, body, line, message):
    briefing_workspace(workspace, body)
    result = check()
    assert result.code == 1
    assert result.lines[0].startswith(f"docs/briefings/posts/2026-s49.md:{line}:")
    if message:
        assert message in result.lines[0]


def test_briefing_header_and_authors_are_checked(workspace, check):
    briefing_workspace(workspace, "# Point hebdo\n", header=(
        "date: 2026-12-07\nslug: 2026-s49\ndescription: Semaine calme.\n"
        "categories:\n  - Brèves\nauthors:\n  - inconnu\n"))
    result = check()
    assert result.code == 1
    assert any(line.startswith("docs/briefings/posts/2026-s49.md:6:5: categories[1]:") for line in result.lines), result.out
    briefing_workspace(workspace, "# Point hebdo\n", header=(
        "date: 2026-12-07\nslug: 2026-s49\ndescription: Semaine calme.\n"
        "categories:\n  - Point hebdo\nauthors:\n  - inconnu\n"))
    assert check().lines == [
        "docs/briefings/posts/2026-s49.md:2:1: authors: auteur « inconnu » non déclaré ; "
        "déclarez-le dans docs/briefings/.authors.yml (auteurs déclarés : encadrement)"
    ]


def test_an_authors_picture_from_another_host_is_refused(workspace, check):
    briefing_workspace(workspace, "# Point hebdo\n")
    workspace.write("docs/briefings/.authors.yml", "authors:\n  encadrement:\n    name: Encadrement\n"
                    "    description: Point hebdo\n    avatar: https://traceur.exemple.invalid/a.png\n", dedent=False)
    lines = check().lines
    assert lines == ["docs/briefings/.authors.yml:5:13: authors.encadrement.avatar: image "
                     "« https://traceur.exemple.invalid/a.png » refusée : une image du dépôt est attendue, sous briefings/"]


def test_categories_agree_with_mkdocs_yml():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    blog = next(p["blog"] for p in config["plugins"] if isinstance(p, dict) and "blog" in p)
    assert tuple(blog["categories_allowed"]) == CATEGORIES
    assert blog["authors_file"] == "../briefings/.authors.yml"


# --- the section and its feed --------------------------------------------------------------


def test_the_feed_lists_published_briefings_and_feedparser_reads_it(workspace):
    briefing_workspace(workspace, "# Point hebdo, semaine 49\n\nSemaine calme.\n")
    workspace.write("docs/briefings/posts/2026-s48.md", (
        "---\ndate: 2026-11-30\nslug: 2026-s48\ndescription: Brouillon.\ncategories:\n  - Point hebdo\n"
        "authors:\n  - encadrement\ndraft: true\n---\n\n# Point hebdo, semaine 48\n"), dedent=False)
    corpus = load_corpus(workspace.root / "schemes", base=workspace.root)
    assert not corpus.errors
    pages = Renderer().render(corpus, parse_week("2026-W50").monday)
    feed = feedparser.parse(pages["briefings.xml"][0])
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Repères : points hebdo"
    assert [(e.title, e.link, e.summary, e.author, e.id) for e in feed.entries] == [
        ("Point hebdo, semaine 49", "briefings/2026-s49/", "Semaine calme.", "Encadrement", "urn:reperes:briefing:2026-s49"),
    ]
    assert feed.entries[0].tags[0].term == "Point hebdo"
    home = pages["index.md"][0]
    assert "Dernier point hebdo : [Point hebdo, semaine 49](briefings/posts/2026-s49.md), publié le 7 décembre 2026." in home
    # A site built for an earlier day does not announce a briefing dated after it.
    earlier = Renderer().render(corpus, parse_week("2026-W49").monday)["index.md"][0]
    assert "Dernier point hebdo" not in earlier


@pytest.mark.slow  # a real git repository and its history
def test_the_sample_briefing_is_what_the_command_writes_from_the_sample_history():
    """docs/briefings/posts/2026-s48.md was written by `reperes briefing --week 2026-W48`:
    its generated parts are what the command gives today (the manager's text aside)."""
    from generator.history.briefing import week_briefing
    from generator.site.briefing import refresh_post

    shown = "docs/briefings/posts/2026-s48.md"
    text = (ROOT / shown).read_text(encoding="utf-8")
    try:
        briefing = week_briefing(ROOT, parse_week("2026-W48"), allow_shallow=True)
    except Exception as exc:  # noqa: BLE001 - a clone without history
        pytest.skip(f"historique indisponible : {exc}")
    refreshed, changed, kept = refresh_post(shown, text, briefing)
    assert (refreshed, changed) == (text, 0)


@pytest.mark.slow  # a real git repository and its history
def test_a_briefing_pull_request_says_why_like_a_record_one(tmp_path, capsys):
    repo = week_49(tmp_path)
    assert run(repo.root, capsys, "briefing", "--week", "2026-W49")[0] == 0
    repo.commit("Point hebdo 2026-W49\n\nPourquoi: point de la semaine", "2026-12-07T08:00:00+01:00")
    repo.git("switch", "-q", "-c", "notes")
    repo.replace(POST, "## Notes de l'encadrement\n", "## Notes de l'encadrement\n\n- Une note.\n")
    edit = repo.commit("Notes", "2026-12-07T09:00:00+01:00")
    code, out, _ = run(repo.root, capsys, "check", "--base", "main")
    assert code == 1
    assert out.splitlines() == [
        f"{POST}:1:1: pourquoi: le commit {edit[:7]} « Notes » modifie ce point hebdo sans dire pourquoi ; "
        "ajoutez une ligne « Pourquoi: … » à la description de la pull request "
        "(elle devient le message du commit fusionné)"
    ]


def test_monday_workflow_prepares_last_week_and_opens_a_draft_pull_request():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "briefing.yml").read_text(encoding="utf-8"))
    assert workflow[True]["schedule"] == [{"cron": "0 6 * * 1"}]  # YAML 1.1 reads « on » as True
    job = workflow["jobs"]["point-hebdo"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    script = "\n".join(step.get("run", "") for step in steps)
    assert "date -d '7 days ago' +%G-W%V" in script
    assert '.venv/bin/reperes briefing --week "$ISO"' in script
    assert "gh pr create --draft" in script and "Pourquoi: point hebdo de la semaine $ISO" in script


@pytest.mark.slow  # a real git repository and its history
def test_hostile_record_text_and_reasons_stay_inert_in_the_briefing(tmp_path, capsys):
    """Record text and commit reasons land in the briefing through the Markdown
    filters: no marker, heading, HTML or link can be forged from them, and the
    briefing still passes the check."""
    repo = GitRepo(tmp_path / "depot")
    for name, text in MINIMAL_FILES.items():
        repo.write(name, text)
    repo.commit("Fiches initiales\n\nPourquoi: première version", "2026-11-20T10:00:00+01:00")
    words = "|\n      # Faux titre\n      !!! danger \"Faux encadré\"\n      *[AU]: faux sigle"
    repo.write(SCHEME, with_status(MINIMAL_SCHEME, "2026-12-01", "perturbe", "Panne.", words))
    repo.commit("Panne\n\nPourquoi: <!-- reperes:debut piege --> <img src=x onerror=alert(1)>",
                "2026-12-01T09:00:00+01:00")
    code, out, err = run(repo.root, capsys, "briefing", "--week", "2026-W49")
    assert (code, out) == (0, ""), err
    text = repo.read(POST)
    markers = [line for line in text.splitlines() if line.startswith("<!-- reperes:")]
    assert all(re.fullmatch(r"<!-- reperes:(debut|fin|element) [a-z0-9:._-]+( empreinte=[0-9a-f]{12})? -->", m)
               for m in markers)
    assert "reperes:debut piege" not in "\n".join(markers) and "<img" not in text
    assert "Pourquoi : &lt;!-- reperes:debut piege --&gt; &lt;img src=x onerror=alert(1)&gt;" in text
    assert "\n    > &#35; Faux titre\n    > &#33;!! danger" in text
    # Prepared again, the hostile text forges no block: the same file.
    assert run(repo.root, capsys, "briefing", "--week", "2026-W49")[0] == 0
    assert repo.read(POST) == text
    code, out, _ = run(repo.root, capsys, "check")
    assert (code, out) == (0, "")


@pytest.mark.slow  # a real git repository and its history
def test_partner_circuit_and_amount_changes(tmp_path, capsys):
    repo = GitRepo(tmp_path / "depot")
    for name, text in MINIMAL_FILES.items():
        repo.write(name, text)
    repo.commit("Fiches initiales\n\nPourquoi: première version", "2026-11-20T10:00:00+01:00")
    repo.replace("schemes/partenaires/partenaire-exemple.yml", "role: Paie.", "role: Paie et recouvre.")
    repo.replace(SCHEME, "  - titre: Dépôt\n", "  - titre: Dépôt en ligne\n")
    repo.replace(SCHEME, "site_referent:", "montants:\n  - du: 2026-12-14\n    montant: 1 200 € par trimestre\n"
                 "site_referent:")
    repo.commit("Circuit, rôle, montant\n\nPourquoi: convention de gestion 2027", "2026-12-02T10:00:00+01:00")
    assert run(repo.root, capsys, "briefing", "--week", "2026-W49")[0] == 0
    visible = "\n".join(line for line in repo.read(POST).splitlines() if not line.startswith("<!-- reperes:"))
    assert ("## Partenaires et circuits\n\n"
            "- **[Aide exemple](../../dispositifs/exemple.md)** : Étape 1 du circuit modifiée (titre).\n"
            "  Pourquoi : convention de gestion 2027\n\n"
            "- **[Partenaire](../../partenaires/partenaire-exemple.md)** : Rôle : « Paie. » → « Paie et recouvre. ».\n"
            "  Pourquoi : convention de gestion 2027") in visible
    assert ("## Ce qui prend effet dans les deux semaines\n\n"
            "- **14 décembre 2026**, [Aide exemple](../../dispositifs/exemple.md) : nouveau montant, "
            "1 200 € par trimestre.") in visible


def test_outside_git_the_briefing_says_it_needs_the_history(workspace, capsys):
    result = workspace.run("briefing", "--week", "2026-W49", capsys=capsys)
    assert (result.code, result.out, result.err) == (
        2, "", "reperes : erreur : « reperes briefing » demande un dépôt git ; lancez la commande dans un clone du dépôt\n")
    assert not (workspace.root / "docs" / "briefings").exists()


def test_without_a_week_the_briefing_is_last_weeks():
    from generator.history.weeks import last_week, week_of

    assert last_week(parse_week("2026-W50").monday).iso == "2026-W49"
    assert last_week(parse_week("2026-W50").monday + __import__("datetime").timedelta(days=6)).iso == "2026-W49"
    assert week_of(parse_week("2027-W01").monday).iso == "2027-W01"


FEEDBACK = """\
id: 2026-12-02-exemple-attestation
date: 2026-11-20
dispositif: exemple
signalement: Trois appelants disent que le portail refuse l'attestation en PDF.
site_referent: site-exemple
etat: integree
reponse: Le contournement est ajouté à la fiche.
modification: Anomalie « Attestation refusée par le portail » ajoutée le 02/12/2026.
traitee_le: 2026-12-03
"""


@pytest.mark.slow  # a real git repository and its history
def test_field_feedback_answered_this_week_is_in_the_briefing(tmp_path, capsys):
    """Received before the week, answered in it: the field sees what became of it."""
    repo = week_49(tmp_path)
    repo.write("schemes/remontees/2026-12-02-exemple-attestation.yml", FEEDBACK)
    repo.commit("Remontée de l'attestation\n\nPourquoi: réponse à la remontée", "2026-12-03T10:00:00+01:00")
    assert run(repo.root, capsys, "briefing", "--week", "2026-W49")[0] == 0
    visible = "\n".join(line for line in repo.read(POST).splitlines() if not line.startswith("<!-- reperes:"))
    assert (
        "## Remontées du terrain de la semaine\n\n"
        "- **20 novembre 2026**, [Aide exemple](../../dispositifs/exemple.md) (Intégrée) : Trois appelants disent "
        "que le portail refuse l'attestation en PDF. Réponse : Le contournement est ajouté à la fiche. "
        "Modification : Anomalie « Attestation refusée par le portail » ajoutée le 02/12/2026.\n"
    ) in visible
    # The week after, it is no news any more.
    assert run(repo.root, capsys, "briefing", "--week", "2026-W50")[0] == 0
    later = repo.read("docs/briefings/posts/2026-s50.md")
    assert "*Aucune remontée du terrain enregistrée cette semaine.*" in later
