"""A weekly briefing in Chromium: the post on the site, its archive and
category pages in French, and its print version on two A4 pages at most,
without navigation. Screenshots go to /tmp/screens/briefing/ (and
tests/output/), the print version converted from the PDF when pdftoppm exists."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import served
from test_briefing import POST, week_49
from workspace import ROOT

from generator.cli import main

SCREENS = Path("/tmp/screens/briefing")
A4_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def _build(repo_root: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(repo_root)
        assert main(["briefing", "--week", "2026-W49"]) == 0
        post = repo_root / POST
        post.write_text(post.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
        shutil.copy(ROOT / "mkdocs.yml", repo_root / "mkdocs.yml")
        for folder in ("theme", "contribuer"):
            shutil.copytree(ROOT / "docs" / folder, repo_root / "docs" / folder)
        assert main(["build", "--date", "2026-12-07"]) == 0
    capsys.readouterr()
    return repo_root / "site"


@pytest.fixture
def briefing_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    site = _build(week_49(tmp_path).root, capsys)
    with served(site) as url:
        yield url


def _save(name: str, data: bytes, output_dir: Path) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    for folder in (SCREENS, output_dir):
        (folder / name).write_bytes(data)
    return SCREENS / name


def _print_png(pdf: Path, page, output_dir: Path, name: str = "point-hebdo-impression") -> Path:
    """The PDF's first pages as PNG: pdftoppm when installed, else Chromium's print emulation."""
    tool = shutil.which("pdftoppm")
    if tool:
        subprocess.run([tool, "-png", "-r", "80", str(pdf), str(SCREENS / name)], check=True,
                       timeout=60)
        made = sorted(SCREENS.glob(f"{name}-*.png"))
        for png in made:
            shutil.copy(png, output_dir / png.name)
        return made[0]
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    return _save(f"{name}-1.png", page.screenshot(full_page=True), output_dir)


def test_briefing_reads_on_screen_and_prints_on_two_a4_pages(briefing_site, page, output_dir):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(briefing_site + "briefings/2026-s49/")
    assert page.title().startswith("Point hebdo, semaine 49")
    article = page.locator("article")
    assert article.locator("h2", has_text="Ce qu'il faut dire désormais").count() == 1
    assert "Les paiements sont retardés ; je note votre demande" in article.locator("blockquote").first.inner_text()
    assert "reperes:" not in page.content()  # markers never reach the site
    assert page.locator("time").first.inner_text() == "7 décembre 2026"
    _save("point-hebdo-ecran.png", page.screenshot(full_page=True), output_dir)

    pdf_bytes = page.pdf(format="A4", print_background=False)
    pdf = _save("point-hebdo.pdf", pdf_bytes, output_dir)
    pages = len(A4_PAGE.findall(pdf_bytes))
    assert 1 <= pages <= 2, f"{pages} pages A4"
    page.emulate_media(media="print")
    for hidden in (".md-header", ".md-sidebar--primary", ".md-footer", ".md-search"):
        for element in page.locator(hidden).all():
            assert not element.is_visible(), hidden
    assert page.locator("article h1").is_visible()
    page.emulate_media(media="screen")
    _print_png(pdf, page, output_dir)
    assert all(url.startswith(briefing_site) for url in requests), [u for u in requests if not u.startswith(briefing_site)]


def test_blog_index_archive_and_category_are_french(briefing_site, page):
    page.goto(briefing_site + "briefings/")
    assert page.locator("article h2 a", has_text="Point hebdo, semaine 49").count() == 1
    # The excerpt is the title and the week's summary, then a link to read on.
    assert page.locator("a", has_text="Continuer à lire").count() == 1
    nav = page.locator(".md-nav").first.inner_text()
    assert "Archives" in nav and "Catégories" in nav
    page.goto(briefing_site + "briefings/archive/2026/12/")
    assert page.locator("h1").inner_text().replace("¶", "").strip() == "décembre 2026"
    page.goto(briefing_site + "briefings/category/point-hebdo/")
    assert page.locator("article h2 a", has_text="Point hebdo, semaine 49").count() == 1
    page.goto(briefing_site)
    link = page.locator("a", has_text="Point hebdo, semaine 49").first
    assert link.get_attribute("href") == "briefings/2026-s49/"


def test_sample_briefing_on_the_sample_site(site_url, page, output_dir):
    page.goto(site_url + "briefings/2026-s48/")
    assert page.locator("article h1").inner_text().startswith("Point hebdo, semaine 48")
    assert page.locator("article h2", has_text="Notes de l'encadrement").count() == 1
    _save("point-hebdo-exemple.png", page.screenshot(full_page=True), output_dir)
    pdf_bytes = page.pdf(format="A4")
    assert len(A4_PAGE.findall(pdf_bytes)) <= 2
    _print_png(_save("point-hebdo-exemple.pdf", pdf_bytes, output_dir), page, output_dir, "point-hebdo-exemple-impression")
    assert dt.date(2026, 11, 30).isoformat() in page.locator("time").first.get_attribute("datetime")
