"""The MkDocs plugin carries the guarantees: a plain `mkdocs build` refuses
invalid records and unsafe pages as `reperes build` does; the allowlist keeps
what our pages use and nothing else; builds may run at the same time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gitrepo import GitRepo

from generator.site.safety import sanitise

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BAD_STATE = "schemes/exemple.yml:7:11: historique_statut[1].etat: valeur « bloque » inconnue ; valeurs possibles : annonce, " \
    "en_deploiement, ouvert, perturbe, paiements_bloques, ferme"
SVG_BREAKOUT = "<svg/x><style/x><img/src/onerror=alert(1)>"


def mkdocs_alone(root: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build` as a user or `mike` runs it, without `reperes`."""
    return subprocess.run(
        [str(BIN / "mkdocs"), "build"], cwd=root, capture_output=True, text=True, timeout=300,
    )


def plant_in_theme(root: Path, markup: str) -> None:
    """Raw HTML in a block of the theme override: where contributor text cannot go."""
    main = root / "docs" / "theme" / "main.html"
    main.write_text(
        main.read_text(encoding="utf-8") + f"\n{{% block announce %}}{markup}{{% endblock %}}\n", encoding="utf-8"
    )


@pytest.mark.slow
def test_mkdocs_build_alone_refuses_invalid_records(project, capsys):
    project.write("schemes/exemple.yml", (project.root / "schemes/exemple.yml").read_text(encoding="utf-8")
                  .replace("etat: ouvert", "etat: bloque"), dedent=False)
    assert project.run("check", capsys=capsys).lines == [BAD_STATE]
    built = mkdocs_alone(project.root)
    assert built.returncode == 1
    lines = built.stderr.splitlines()
    assert f"ERROR   -  {BAD_STATE}" in lines
    assert built.stdout.splitlines()[-1] == "Repères : 1 erreur dans les fiches : site non construit"
    assert not (project.root / "site").exists()
    assert not [p for p in (project.root / "docs" / "genere").iterdir() if p.name != ".gitkeep"]


@pytest.mark.slow
def test_mkdocs_build_alone_generates_and_checks_hand_written_pages(project):
    built = mkdocs_alone(project.root)
    assert built.returncode == 0, built.stderr
    assert "Votre dossier suit son cours." in (project.root / "site/dispositifs/exemple/index.html").read_text(
        encoding="utf-8")
    # A hand-written page is checked like a guide, by mkdocs alone too
    # (the allowlist behind it: tests/test_build.py).
    project.write("docs/contribuer/index.md", f"# Guide\n\nAvant {SVG_BREAKOUT} après\n")
    built = mkdocs_alone(project.root)
    assert built.returncode == 1
    assert ("ERROR   -  docs/contribuer/index.md:3:7: texte: HTML interdit (« <svg/x> ») : écrivez du texte simple, "
            "le HTML ne serait pas affiché ; pour montrer une balise telle quelle, mettez-la entre accents graves (`<b>`)"
            ) in built.stderr.splitlines()


@pytest.mark.slow
@pytest.mark.parametrize(
    "markup, finding",
    [
        ('<a href="javascript:alert(1)">annonce</a>', "index.html: adresse « javascript: » dans href de <a>"),
        (SVG_BREAKOUT, "index.html: attribut d'événement « onerror » sur <img>"),
    ],
    ids=["javascript-link", "svg-style-breakout"],
)
def test_mkdocs_build_alone_fails_when_the_theme_plants_a_payload(project, markup, finding):
    plant_in_theme(project.root, markup)
    built = mkdocs_alone(project.root)
    assert built.returncode == 1
    lines = built.stdout.splitlines()  # where MkDocs prints the message that stops it
    assert any(line.startswith("Repères : contenu dangereux dans le site construit (") for line in lines), built.stderr
    assert f"  {finding}" in lines
    assert f"  dispositifs/exemple/{finding}" in lines


@pytest.mark.slow
def test_reperes_build_refuses_the_theme_payload_and_keeps_the_previous_site(project, capsys, monkeypatch):
    assert project.run("build", "--date", "2026-11-27", capsys=capsys).code == 0
    before = (project.root / "site/index.html").read_text(encoding="utf-8")
    plant_in_theme(project.root, SVG_BREAKOUT)
    result = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].startswith("reperes : erreur : contenu dangereux dans le site construit (")
    assert "  index.html: attribut d'événement « onerror » sur <img>" in lines
    assert lines[-1] == "reperes : le site précédent est resté en place"
    assert (project.root / "site/index.html").read_text(encoding="utf-8") == before
    assert not [p for p in project.root.iterdir() if p.name.startswith(".site.")]


def test_sanitise_removes_a_hostile_fragment():
    hostile = (
        '<p onclick="x()">Appelez <a href="javascript:alert(1)">ici</a>, <a href="JaVaScRiPt:alert(1)">là</a>, '
        '<a href="jav&#x09;ascript:alert(1)">encore</a>, <a href="data:text/html,x">data</a>, '
        '<a href="vbscript:x">vb</a> ou <a href="tel:3939" style="color:red" target="_blank">3939</a>'
        '<svg onload="alert(1)"><text>svg</text></svg><style>p{}</style><img src=x onerror=alert(1)>'
        '<iframe src="https://ailleurs.example"></iframe><script>alert(1)</script>'
        '<img src="https://ailleurs.example/p.png" alt="pixel"><img src="//ailleurs.example/p.png">'
        '<img src="\\\\ailleurs.example/p.png"><img src="/\\ailleurs.example/p.png">'
        '<form action="https://ailleurs.example"><input name="q"></form><!-- note --></p>'
    )
    # <form> closes the paragraph, as in a browser: its </p> then opens an empty one.
    # An image keeps only a relative address: nothing loads from another host
    # (a browser reads « \\\\hôte/p.png » and « /\\hôte/p.png » as « //hôte/p.png »).
    assert sanitise(hostile) == (
        '<p>Appelez <a>ici</a>, <a>là</a>, <a>encore</a>, <a>data</a>, <a>vb</a> ou <a href="tel:3939">3939</a>'
        '<img src="x"><img alt="pixel"><img><img><img></p><p></p>'
    )


def test_sanitise_keeps_what_our_pages_use():
    ours = (
        '<h2 id="circuit">Circuit<a class="headerlink" href="#circuit" title="Lien vers cette section">¶</a></h2>\n'
        '<div class="admonition warning">\n<p class="admonition-title">Attention</p>\n'
        '<p><strong class="reperes-etat reperes-ouvert">Ouvert</strong> <abbr title="Assistance Utilisateurs">AU</abbr>'
        ' <a href="../partenaires/asp/">ASP</a> <a href="https://www.asp.gouv.fr/">site</a>'
        ' <a href="mailto:au@exemple.invalid">écrire</a></p>\n</div>\n'
        '<details class="question" open=""><summary>Que dire ?</summary><ol start="2"><li><em>ceci</em></li></ol>'
        '</details>\n<table>\n<thead>\n<tr>\n<th>Du</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1<br>2</td>\n</tr>\n'
        '</tbody>\n</table>\n<div class="highlight"><pre><span></span><code><span class="n">x</span>\n</code></pre></div>'
        '\n<blockquote><p>cité</p></blockquote><hr><ul><li><code>schemes/</code></li></ul>'
    )
    assert sanitise(ours) == ours


def _sample_pages(site: Path) -> list[str]:
    return ["index.html", "dispositifs/exemple/index.html", "partenaires/partenaire-exemple/index.html",
            "outils/outil-exemple/index.html", "sites/site-exemple/index.html", "glossaire/index.html",
            "contribuer/index.html", "search/search_index.json", "404.html"]


@pytest.mark.slow
def test_two_builds_at_once_both_succeed(project):
    repo = GitRepo(project.root)
    repo.commit("Fiches d'exemple\n\nPourquoi: tests", "2026-11-01T10:00:00+01:00")
    env = dict(os.environ)
    builds = [
        subprocess.Popen([str(BIN / "reperes"), "build", "--date", "2026-11-27"], cwd=project.root, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outcomes = [build.communicate(timeout=300) for build in builds]
    for build, (_, err) in zip(builds, outcomes):
        assert build.returncode == 0, err
    site = project.root / "site"
    for page in _sample_pages(site):
        assert (site / page).is_file(), page
    assert not [p for p in project.root.iterdir() if p.name.startswith(".site.")]
    assert not list((project.root / "docs" / "genere").rglob("*.tmp"))
    assert not list((project.root / ".cache").rglob("*.tmp"))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=60)
    return child.pid


def test_leftovers_of_a_killed_build_are_removed_by_the_next(project, capsys, monkeypatch):
    dead, alive = _dead_pid(), os.getpid()
    root, generated = project.root, project.root / "docs" / "genere"
    hour_ago = time.time() - 3600
    leftovers = {
        root / f".site.nouveau-{dead}-k3j2h1g0": True,
        root / f".site.ancien-{dead}-9f3a1c2b": True,
        root / ".site.nouveau-ab_cd123": True,  # no owner to ask, an hour old
        generated / f".index.md.{dead}-9f3a1c2b.tmp": True,
        generated / "dispositifs" / ".exemple.md.tmp": True,  # no owner to ask, an hour old
        root / f".site.nouveau-{alive}-enc0urs0": False,  # a build in progress
        generated / f".index.md.{alive}-0badc0de.tmp": False,
        generated / ".journal.xml.tmp": False,  # no owner to ask, but fresh
    }
    for path in leftovers:
        if ".site." in path.name:
            (path / "assets").mkdir(parents=True)
            (path / "index.html").write_text("ancien", encoding="utf-8")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("moitié", encoding="utf-8")
        if "ab_cd123" in path.name or path.name == ".exemple.md.tmp":
            os.utime(path, (hour_ago, hour_ago))
    assert project.run("build", "--date", "2026-11-27", capsys=capsys).code == 0
    assert {path: not path.exists() for path in leftovers} == leftovers
    assert (root / "site" / "index.html").is_file()


def test_leftovers_are_git_ignored(tmp_path):
    repo = GitRepo(tmp_path)
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    names = [".site.nouveau-4242-k3j2h1g0/index.html", ".site.ancien-4242-9f3a1c2b/index.html",
             "docs/genere/.index.md.4242-9f3a1c2b.tmp", "docs/genere/dispositifs/exemple.md",
             ".cache/reperes/historique/v1/.abc.4242-9f3a1c2b.tmp"]
    for name in names:
        repo.write(name, "x")
    repo.write("docs/genere/.gitkeep", "")
    ignored = subprocess.run(["git", "check-ignore", *names, "docs/genere/.gitkeep"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert ignored.stdout.splitlines() == names


def test_swap_in_survives_another_build_swapping_in_between(tmp_path, monkeypatch):
    """Two renames are not one: another build may put its site in place between ours."""
    from generator.site import build

    site, ours, theirs = tmp_path / "site", tmp_path / ".site.nouveau-1-a", tmp_path / ".site.nouveau-2-b"
    for folder, text in ((site, "ancien"), (ours, "nôtre"), (theirs, "leur")):
        folder.mkdir()
        (folder / "index.html").write_text(text, encoding="utf-8")
    real_replace, calls = os.replace, []

    def replace(source, destination):
        real_replace(source, destination)
        calls.append(Path(source).name)
        if len(calls) == 1:  # right after we moved the live site aside
            real_replace(theirs, site)

    monkeypatch.setattr(build.os, "replace", replace)
    build.swap_in(ours, site)
    assert (site / "index.html").read_text(encoding="utf-8") == "nôtre"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "markup, finding",
    [
        (SVG_BREAKOUT, "attribut d'événement « onerror » sur <img>"),
        # With scripting on, <noscript> is text: the <img> is live, not inside a title.
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
         "attribut d'événement « onerror » sur <img>"),
        ("<template><template><b onclick=alert(1)></b></template></template>", "attribut d'événement « onclick » sur <b>"),
        ('<a href="x"onclick="alert(1)">x</a>', "attribut d'événement « onclick » sur <a>"),
        ('<a href="java&#x09;script&colon;alert(1)">x</a>', "adresse « javascript: » dans href de <a>"),
        ('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "adresse « javascript: » dans xlink:href de <a>"),
        ('<svg><a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg>', "<set> qui change une adresse"),
        ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', "document en ligne (srcdoc) dans <iframe>"),
    ],
    ids=["svg-style-breakout", "noscript-mxss", "nested-template", "no-space", "entities", "svg-xlink", "svg-set", "srcdoc"],
)
def test_scan_reads_a_page_as_a_browser_does(markup, finding):
    from generator.site.safety import scan_page, theme_inline_scripts

    assert scan_page(f"<!doctype html><html><body>{markup}</body></html>", theme_inline_scripts()) == ([finding], [])


def test_build_refuses_a_configuration_without_the_plugin(workspace, capsys):
    # Without the plugin nothing would check what is published: a configuration error (2).
    result = workspace.run("build", capsys=capsys)
    assert result.code == 2
    assert result.err.splitlines()[:2] == [
        "reperes : erreur : mkdocs.yml : l'extension « reperes » n'est pas dans plugins ; ajoutez « - reperes » "
        "sous « plugins: » : sans elle, rien ne vérifie ce qui est publié",
        "reperes : le site précédent est resté en place",
    ]


def test_sanitise_keeps_the_theme_s_own_ids_and_classes_to_the_theme():
    # Material reads its configuration from the first element with id "__config":
    # a heading that took it would stop every theme script on the page.
    taken = '<h2 id="__config">Piège</h2><p class="md-dialog note">a</p><div class="md-search">b</div>'
    assert sanitise(taken) == '<h2>Piège</h2><p class="note">a</p><div>b</div>'
    # Written with character references, or as a class of blanks only: the same outcome
    encoded = '<h2 id="&#95;_config">Piège</h2><p class="&#109;d-dialog\tnote">a</p><div class=" ">b</div>'
    assert sanitise(encoded) == '<h2>Piège</h2><p class="note">a</p><div>b</div>'


@pytest.mark.parametrize("fragment", [
    '<p class="&nbsp;">a</p>', '<p class="a  b">a</p>', '<p class="\ta">a</p>', '<p class="a ">a</p>',
    '<p class="">a</p>', '<p class="a&amp;b">a</p>', '<p class="a b" id="x">a</p>', '<p id="_x">a</p>',
    '<img src="https://ailleurs.example/p.png" alt="a">', '<img src="images/p.png" alt="a">',
    '<p>md-texte</p>', '<span class="n">x</span><span class="p">(</span>',
])
def test_sanitise_shortcut_gives_what_the_filter_gives(fragment):
    """sanitise skips the attribute filter only where the filter would change nothing."""
    from generator.site.safety import _CLEANER

    assert sanitise(fragment) == _CLEANER.clean(fragment)


@pytest.mark.slow
def test_a_build_hides_what_precedes_mkdocs_pages_from_the_collector_then_gives_it_back(project, capsys, monkeypatch):
    """One-off builds freeze what is left after the pre-build (gc.freeze) and collect
    the young objects less often while MkDocs works: its collections no longer walk
    the same objects again and again. A process that goes on after the build (this
    one) gets the collector back as it was: nothing frozen, the same thresholds."""
    import gc

    from generator.site.plugin import YOUNG_COLLECTION, ReperesPlugin

    seen: list[tuple[int, tuple[int, ...]]] = []
    content = ReperesPlugin.on_page_content

    def watching(self, html, **kwargs):
        seen.append((gc.get_freeze_count(), gc.get_threshold()))
        return content(self, html, **kwargs)

    monkeypatch.setattr(ReperesPlugin, "on_page_content", watching)
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    assert project.run("build", "--date", "2026-11-27", capsys=capsys).code == 0
    assert seen and min(frozen for frozen, _ in seen) > 10_000  # the configuration, the theme, the pages' summaries
    assert {threshold for _, threshold in seen} == {(YOUNG_COLLECTION, *before[1:])}
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
