"""The post-build scan's fast path: an element whose attributes are all plain
is skipped with one set operation, and still nothing dangerous passes; under
`mkdocs serve`, only the pages a rebuild rewrote are parsed again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.site.safety import ScanMemo, scan_page, scan_site, theme_inline_scripts


@pytest.fixture(scope="module")
def allowed():
    return theme_inline_scripts()


@pytest.mark.parametrize(
    "markup, finding",
    [
        # Plain attributes beside the dangerous one.
        ('<p class="a" id="b" title="c" onclick="x">t</p>', "attribut d'événement « onclick » sur <p>"),
        ("<div class=x ONMOUSEOVER=y>z</div>", "attribut d'événement « onmouseover » sur <div>"),
        ('<a href="x" name="y" rel="z" target="_blank" type="text/html" onfocus=alert(1)>x</a>',
         "attribut d'événement « onfocus » sur <a>"),
        ("<details open ontoggle=alert(1)>x</details>", "attribut d'événement « ontoggle » sur <details>"),
        # href is plain only without a colon.
        ('<a class="md-nav__link" href=" JAVASCRIPT:alert(1)">x</a>', "adresse « javascript: » dans href de <a>"),
        ('<a href="data:text/html,x" title=t>x</a>', "adresse « data: » dans href de <a>"),
        ('<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>', "adresse « javascript: » dans href de <a>"),
        # Attributes outside the plain set, and special tags, whatever their attributes.
        ('<span title="x" style="background:url(//evil.example/x)">y</span>',
         "style de <span> charge « //evil.example/x » depuis un autre hôte"),
        ('<button formaction="javascript:alert(1)">x</button>', "adresse « javascript: » dans formaction de <button>"),
        ('<img alt="x" src="https://evil.example/x.png">', "<img> charge « https://evil.example/x.png » depuis un autre hôte"),
        ('<input type="image" src="https://evil.example/i.png">',
         "<input> charge « https://evil.example/i.png » depuis un autre hôte"),
        ('<link rel="stylesheet" href="https://evil.example/x.css">',
         "<link rel=\"stylesheet\"> charge « https://evil.example/x.css » depuis un autre hôte"),
        ('<meta content="0;url=https://evil.example" http-equiv="refresh">', "redirection <meta http-equiv=\"refresh\">"),
        ('<base href="/">', "élément <base>"),
        # A browser reads a backslash as a slash in an http(s) address: another host.
        ('<img alt="x" src="\\\\evil.example/x.png">', "<img> charge « \\\\evil.example/x.png » depuis un autre hôte"),
        ('<link rel="stylesheet" href="/\\evil.example/x.css">',
         "<link rel=\"stylesheet\"> charge « /\\evil.example/x.css » depuis un autre hôte"),
        # Tags lexbor does not number (each document numbers them its own way), and its own.
        ('<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>', "<animate> qui change une adresse"),
        ("<x-fiche onclick=alert(1)>x</x-fiche>", "attribut d'événement « onclick » sur <x-fiche>"),
        ('<svg viewBox="0 0 1 1" onload="alert(1)"></svg>', "attribut d'événement « onload » sur <svg>"),
        ('<a href="https://ok.example/" onclick="alert(1)">x</a>', "attribut d'événement « onclick » sur <a>"),
    ],
)
def test_plain_attributes_never_hide_a_dangerous_one(allowed, markup, finding):
    assert scan_page(f"<!doctype html><html><body>{markup}</body></html>", allowed) == ([finding], [])


def test_an_element_seen_on_every_page_is_reported_on_every_page(tmp_path: Path):
    """The theme's elements are checked once per process: the verdict still counts for each page."""
    site = tmp_path / "site"
    for name in ("a", "b"):
        (site / name).mkdir(parents=True)
        (site / name / "index.html").write_text(
            '<!doctype html><link rel="icon" href="https://evil.example/i.png"><script>alert(1)</script>',
            encoding="utf-8")
    assert scan_site(site) == [
        f"{name}/index.html: {finding}" for name in ("a", "b") for finding in (
            "<link rel=\"icon\"> charge « https://evil.example/i.png » depuis un autre hôte",
            "script en ligne inconnu : « alert(1)… »",
        )
    ]


def test_the_site_is_scanned_folder_by_folder(tmp_path: Path):
    site = tmp_path / "site"
    for page in ("a.html", "a-b/index.html", "a/index.html", "a/b/index.html", "b.css/index.html"):
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        (site / page).write_text("<!doctype html><p onclick=x>", encoding="utf-8")
    (site / "a" / "style.css").write_text("@import 'https://evil.example/x.css';", encoding="utf-8")
    (site / "a-b" / "w.js").write_text("importScripts('https://evil.example/w.js')", encoding="utf-8")
    finding = "attribut d'événement « onclick » sur <p>"
    assert scan_site(site) == [
        f"a/b/index.html: {finding}", f"a/index.html: {finding}", f"a-b/index.html: {finding}", f"a.html: {finding}",
        f"b.css/index.html: {finding}",
        "a/style.css: @import « https://evil.example/x.css » depuis un autre hôte",
        "a-b/w.js: importScripts « https://evil.example/w.js » depuis un autre hôte",
    ]


def test_plain_elements_pass(allowed):
    markup = '<a class="x" href="../a/#b" id="y" title="z">ok</a><td colspan="2" align="left">c</td>'
    assert scan_page(f"<!doctype html><html><body>{markup}</body></html>", allowed) == ([], [])


def test_a_rebuild_parses_only_the_pages_it_rewrote(tmp_path: Path):
    site = tmp_path / "site"
    for name in ("a", "b", "c"):
        (site / name).mkdir(parents=True)
        (site / name / "index.html").write_text(f"<!doctype html><p>{name}</p>", encoding="utf-8")
    memo = ScanMemo()
    assert scan_site(site, memo) == [] and memo.parsed == 3
    assert scan_site(site, memo) == [] and memo.parsed == 0
    page = site / "b" / "index.html"
    page.write_text("<!doctype html><p onclick=alert(1)>b</p>", encoding="utf-8")
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 1_000_000))
    assert scan_site(site, memo) == ["b/index.html: attribut d'événement « onclick » sur <p>"]
    assert memo.parsed == 1
    # A finding stays a finding until the page is fixed.
    assert scan_site(site, memo) == ["b/index.html: attribut d'événement « onclick » sur <p>"]
