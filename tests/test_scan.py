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
    ],
)
def test_plain_attributes_never_hide_a_dangerous_one(allowed, markup, finding):
    assert scan_page(f"<!doctype html><html><body>{markup}</body></html>", allowed) == ([finding], [])


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
