"""The helper process of a large build (generator/site/aside.py): the same
site, byte for byte, as when everything runs in the build's process; the
same refusals; a page changed after it was handed over is scanned as
written; a helper that dies or fails stops the build, in French, and never
outlives it."""

from __future__ import annotations

import datetime as dt
import filecmp
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from test_plugin import SVG_BREAKOUT, plant_in_theme

from generator.site import aside
from generator.site.safety import ScanMemo, scan_site
from generator.site.search import IndexMemo, PageInfo, page_documents, read_prepared_index, write_prepared_index

ROOT = Path(__file__).resolve().parent.parent
BUILD_DATE = dt.date(2026, 11, 27)


def counting_finishes(monkeypatch: pytest.MonkeyPatch) -> list[aside.Report]:
    """The helpers' answers in this process (a build that used none leaves the list empty)."""
    reports: list[aside.Report] = []
    finish = aside.Helper.finish

    def recorded(helper: aside.Helper, site_dir: Path) -> aside.Report:
        reports.append(finish(helper, site_dir))
        return reports[-1]

    monkeypatch.setattr(aside.Helper, "finish", recorded)
    return reports


def different_files(left: Path, right: Path) -> list[str]:
    """Files missing on one side or not identical, relative to *left*."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp, prefix: str) -> None:
        found.extend(prefix + name for name in comparison.left_only + comparison.right_only + comparison.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files,
                                               shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return found


@pytest.mark.slow
def test_the_helper_builds_the_sample_site_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.site.build import build_site

    reports = counting_finishes(monkeypatch)
    monkeypatch.setenv(aside.CHOICE, "non")
    build_site(ROOT, site=tmp_path / "seul", allow_shallow=True, today=BUILD_DATE)
    assert reports == []
    monkeypatch.setenv(aside.CHOICE, "oui")
    build_site(ROOT, site=tmp_path / "aide", allow_shallow=True, today=BUILD_DATE)
    assert len(reports) == 1 and reports[0].problems == []
    assert reports[0].cpu["index"] > 0 and reports[0].cpu["scan"] > 0 and reports[0].peak_kib > 0
    # Every page was parsed as it was handed over, then found written with the same bytes:
    # the final scan parses only what MkDocs writes without on_post_page (404.html).
    assert reports[0].parsed == 1
    assert different_files(tmp_path / "seul", tmp_path / "aide") == []
    assert (tmp_path / "aide" / "search" / "reperes-index.json").is_file()


@pytest.mark.slow
def test_the_helper_refuses_the_theme_payload_and_keeps_the_previous_site(project, capsys, monkeypatch) -> None:
    reports = counting_finishes(monkeypatch)
    monkeypatch.setenv(aside.CHOICE, "oui")
    assert project.run("build", "--date", "2026-11-27", capsys=capsys).code == 0
    before = (project.root / "site/index.html").read_text(encoding="utf-8")
    plant_in_theme(project.root, SVG_BREAKOUT)
    result = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert len(reports) == 2
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].startswith("reperes : erreur : contenu dangereux dans le site construit (")
    assert "  index.html: attribut d'événement « onerror » sur <img>" in lines
    assert "  dispositifs/exemple/index.html: attribut d'événement « onerror » sur <img>" in lines
    assert lines[-1] == "reperes : le site précédent est resté en place"
    assert (project.root / "site/index.html").read_text(encoding="utf-8") == before


@pytest.mark.slow
def test_a_helper_that_dies_stops_the_build_in_french(project, capsys, monkeypatch) -> None:
    monkeypatch.setenv(aside.CHOICE, "oui")
    assert project.run("build", "--date", "2026-11-27", capsys=capsys).code == 0
    before = (project.root / "site/index.html").read_text(encoding="utf-8")
    output = aside.Helper.output

    def killing(helper: aside.Helper, relative: str, html: str) -> None:
        os.kill(helper._process.pid, signal.SIGKILL)
        output(helper, relative, html)

    monkeypatch.setattr(aside.Helper, "output", killing)
    result = project.run("build", "--date", "2026-11-27", capsys=capsys)
    assert result.code == 1
    assert result.err.splitlines() == [
        "reperes : erreur : le processus auxiliaire (index de recherche, analyse du site) s'est arrêté sans "
        "répondre (signal 9 : mémoire insuffisante ?) : construction arrêtée ; relancez-la, ou avec "
        "REPERES_AUXILIAIRE=non pour tout faire dans un seul processus",
        "reperes : le site précédent est resté en place",
    ]
    assert (project.root / "site/index.html").read_text(encoding="utf-8") == before
    assert not [p for p in project.root.iterdir() if p.name.startswith(".site.")]


def test_an_error_in_the_helper_is_an_internal_error_with_its_traceback(tmp_path: Path) -> None:
    helper = aside.Helper({})
    helper._put(("inconnu",))
    with pytest.raises(aside.HelperFailed) as raised:
        helper.finish(tmp_path)
    assert str(raised.value) == "AttributeError: '_Worker' object has no attribute 'inconnu'"
    notes = "\n".join(raised.value.__notes__)
    assert notes.startswith("dans le processus auxiliaire :\nTraceback (most recent call last):")
    assert not helper._process.is_alive()


def site_with_material_index(root: Path) -> Path:
    (root / "search").mkdir(parents=True)
    (root / "search" / "search_index.json").write_text('{"config": {}, "docs": []}', encoding="utf-8")
    return root


PAGES = {
    "dispositifs/aej/": ("<h1 id='aej'>AEJ</h1><p>Aide à l'embauche des jeunes.</p>"
                         "<h2 id='paiement'>Paiement</h2><p>Versée chaque trimestre.</p>", "AEJ"),
    "guides/": ("<h1 id='guides'>Guides</h1><p>Ce que dit l'appelant, ce qu'on répond.</p>", "Guides"),
    "dispositifs/sylae/": ("<p>Sylaé : la plateforme des employeurs.</p>", "SYLAé"),
}
INFO = {"dispositifs/aej/": PageInfo(0, ("Ouvert", "ouvert"), ["aide jeunes"]),
        "dispositifs/sylae/": PageInfo(0, None, [])}


def test_a_page_after_the_assembly_is_in_the_index(tmp_path: Path) -> None:
    """The index is assembled when every content is known (``on_env``); a page
    that comes later (a plugin adding one) is still indexed, where in-process
    builds put it: last."""
    memo = IndexMemo()
    for path, (html, title) in PAGES.items():
        memo.put(path, page_documents(html, path, title, {}))
    write_prepared_index(site_with_material_index(tmp_path / "seul"), INFO, memo)
    helper = aside.Helper(INFO)
    for number, (path, (html, title)) in enumerate(PAGES.items()):
        helper.content(path, html, title, None)
        if number == 1:
            helper.contents_done()
    helper.finish(site_with_material_index(tmp_path / "aide"))
    assert different_files(tmp_path / "seul", tmp_path / "aide") == []
    assert [page[0] for page in read_prepared_index(tmp_path / "aide").index["pages"]] == list(PAGES)


def test_a_page_changed_after_it_was_handed_over_is_scanned_as_written(tmp_path: Path) -> None:
    from generator.site.safety import theme_inline_scripts

    allowed = theme_inline_scripts()
    site = tmp_path / "site"
    for name in ("a", "b"):
        (site / name).mkdir(parents=True)
    handed = "<!doctype html><p>rien à signaler</p>"
    memo = ScanMemo()
    memo.prescan("a/index.html", handed.encode(), allowed)
    memo.prescan("b/index.html", handed.encode(), allowed)
    (site / "a" / "index.html").write_text(handed, encoding="utf-8")
    (site / "b" / "index.html").write_text("<!doctype html><p onclick=alert(1)>rien</p>", encoding="utf-8")
    (site / "c.html").write_text("<!doctype html><base href='https://ailleurs.invalid/'>", encoding="utf-8")
    assert scan_site(site, memo) == [
        "b/index.html: attribut d'événement « onclick » sur <p>",
        "c.html: élément <base>",
    ]
    assert memo.parsed == 2  # the page written as it was handed over is not parsed again


@pytest.mark.parametrize("handed_over_allows", [False, True])
def test_a_verdict_under_another_allowlist_is_not_reused(tmp_path: Path, handed_over_allows: bool) -> None:
    """The script is allowed by one allowlist and not by the other, either way round."""
    from generator.site.safety import theme_inline_scripts

    site = tmp_path / "site"
    site.mkdir()
    page = "<!doctype html><script>window.reperes = 1</script>"
    (site / "index.html").write_text(page, encoding="utf-8")
    templates = tmp_path / "theme"
    templates.mkdir()
    (templates / "main.html").write_text("<script>window.reperes = 1</script>", encoding="utf-8")
    allowing, refusing = theme_inline_scripts(templates), theme_inline_scripts()
    memo = ScanMemo()
    memo.prescan("index.html", page.encode(), allowing if handed_over_allows else refusing)
    found = scan_site(site, memo, templates=None if handed_over_allows else templates)
    assert found == (["index.html: script en ligne inconnu : « window.reperes = 1… »"] if handed_over_allows else [])
    assert memo.parsed == 1


@pytest.mark.parametrize(
    "value, pages, cores, expected",
    [("", 99, 2, False), ("", 100, 2, True), ("", 5000, 1, False), ("oui", 1, 1, True), (" OUI ", 1, 2, True),
     ("non", 5000, 2, False), ("peut-être", 5000, 2, True)],
)
def test_a_large_build_on_two_cores_uses_a_helper_unless_told(monkeypatch, value, pages, cores, expected) -> None:
    monkeypatch.setenv(aside.CHOICE, value)
    monkeypatch.setattr(aside, "usable_cores", lambda: cores)
    assert aside.wanted(pages) is expected


@pytest.mark.parametrize("sending", [False, True], ids=["idle", "mid-message"])
def test_the_helper_ends_when_the_build_is_killed(tmp_path: Path, sending: bool) -> None:
    """Idle, or in the middle of reading pages larger than its pipe holds: it ends."""
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from generator.site import aside
        if __name__ == "__main__":
            helper = aside.Helper({{}})
            for number in range({3 if sending else 0}):
                helper.output(f"{{number}}.html", "<p>" + "x" * 20_000_000)
            print(helper._process.pid, flush=True)
            time.sleep(600)
    """)
    (tmp_path / "build.py").write_text(script, encoding="utf-8")
    build = subprocess.Popen([sys.executable, str(tmp_path / "build.py")], stdout=subprocess.PIPE, text=True)
    try:
        helper_pid = int(build.stdout.readline())
        os.kill(helper_pid, 0)  # alive
        build.kill()
        build.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _running(helper_pid):
            time.sleep(0.1)
        assert not _running(helper_pid)
    finally:
        build.kill()
        build.stdout.close()


def _running(pid: int) -> bool:
    """Alive and not a zombie (its parent gone, init reaps it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
