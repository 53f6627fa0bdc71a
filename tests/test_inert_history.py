"""Text from git (reasons, authors, subjects, dates) is immutable once merged:
whatever it carries, it is shown as plain text everywhere and never makes a
build fail. Real throwaway repositories, real builds, as agents read them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import feedparser
import markdown
import pytest
from gitrepo import GitRepo
from workspace import MINIMAL_FILES, ROOT

from generator.history.changelog import CACHE_DIR, _cache_version, read_history

# Real repositories and full builds: git-heavy work (make test, not make test-fast).
pytestmark = pytest.mark.slow

SCHEME = "schemes/exemple.yml"
PIRATE = "Pirate [x](javascript:alert(3)) **gras** `code` # &amp; fin"

# (the `Pourquoi:` line as committed, the reason a reader sees)
HOSTILE = [
    ("voir [ici](javascript:alert(1))", "voir [ici](javascript:alert(1))"),
    ("<img src=x onerror=alert(1)> <script>alert(2)</script> &lt;i&gt;",
     "<img src=x onerror=alert(1)> <script>alert(2)</script> &lt;i&gt;"),
    ("début\n  # Faux titre\n  !!! danger \"Alerte\"\n  *[AU]: Pirate\n  | a | b |\n  ---",
     "début # Faux titre !!! danger \"Alerte\" *[AU]: Pirate | a | b | ---"),
    ("```\n  `code` ``double`` <https://exemple.invalid/x>", "``` `code` ``double`` <https://exemple.invalid/x>"),
    ("clic {: onclick=\"alert(1)\" } [lien]: javascript:alert(1) ![i](https://pixel.invalid/p.png)",
     "clic {: onclick=\"alert(1)\" } [lien]: javascript:alert(1) ![i](https://pixel.invalid/p.png)"),
    ("couleur \x1b[31mrouge\x1b[0m \x85\x9b fin\u202e à l'envers",
     "couleur [31mrouge[0m fin à l'envers"),
]
# 2026-03-04T09:00:00Z with the committer's clock at "+99:59" (git stores it as given).
ODD_ZONE_DATE = "@1772614800 +9959"


def _text(html: str) -> str:
    """What a reader sees of a page: its text, entities decoded, blanks collapsed."""
    body = html[html.index("<article"):html.index("</article>")]
    body = re.sub(r"</?(?:p|li|ul|ol|h\d|div|blockquote)\b[^>]*>", " ", body)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", body)).split())


def _assert_inert(html: str) -> None:
    body = html[html.index("<article"):html.index("</article>")]
    assert not re.search(r"href=[\"']?\s*javascript:", body, re.I)
    assert not re.search(r"<[^>]+\son\w+\s*=", body)  # no event handler attribute
    assert "<script" not in body and "<img" not in body
    assert len(re.findall(r"<h1[\s>]", body)) == 1  # only the page title
    assert "Faux titre</h" not in body
    assert "admonition danger" not in body and "Alerte</p>" not in body


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`reperes ARGS` as CI runs it, in its own process (guarded by a timeout)."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args, *(["--date", "2026-11-27"] if args[0] == "build" else [])], cwd=root, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _project(root: Path) -> GitRepo:
    """A git repository holding the minimal corpus and what `reperes build` needs."""
    repo = GitRepo(root)
    for name, text in MINIMAL_FILES.items():
        repo.write(name, text)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "docs" / "contribuer", root / "docs" / "contribuer")
    shutil.copytree(ROOT / "docs" / "theme", root / "docs" / "theme")
    (root / "docs" / "genere").mkdir()
    repo.commit("Fiches initiales\n\nPourquoi: première version des fiches", "2026-01-05T10:00:00+01:00")
    return repo


def _edit(repo: GitRepo, number: int) -> None:
    text = repo.read(SCHEME)
    repo.write(SCHEME, re.sub(r"(?m)^resume: .*$", f"resume: Résumé numéro {number}.", text))


def _commit_with_nul(repo: GitRepo, message: bytes, author: bytes) -> str:
    """Rewrite HEAD as a commit whose message holds a NUL (git commit refuses
    one; a commit object made otherwise, e.g. by fast-import, can carry it)."""
    tree, parent = repo.git("rev-parse", "HEAD^{tree}"), repo.git("rev-parse", "HEAD^")
    ident = author + b" <pirate@exemple.invalid> 1772182800 +0100"
    raw = b"tree %s\nparent %s\nauthor %s\ncommitter %s\n\n%s\n" % (
        tree.encode(), parent.encode(), ident, ident, message)
    sha = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin", "--literally"], cwd=repo.root,
                         input=raw, capture_output=True, check=True, timeout=60).stdout.decode().strip()
    repo.git("update-ref", "HEAD", sha)
    return sha


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """Hostile commits merged on main, then `check --base` and `build`."""
    repo = _project(tmp_path_factory.mktemp("inerte") / "depot")
    base = repo.git("rev-parse", "HEAD")
    commits = []
    for number, (reason, _seen) in enumerate(HOSTILE, start=1):
        _edit(repo, number)
        author = f"{PIRATE} <pirate@exemple.invalid>" if number == 1 else "Référent Test <referent@exemple.invalid>"
        sha = repo.commit(f"Étape {number} [s](javascript:alert(9))\n\nPourquoi: {reason}",
                          f"2026-02-{number + 1:02d}T10:00:00+01:00", author=author)
        commits.append(sha)
    _edit(repo, 90)
    repo.commit("Provisoire\n\nPourquoi: provisoire", "2026-02-27T10:00:00+01:00")
    nul = _commit_with_nul(repo, "Nul\n\nPourquoi: avant\x00après \x1b fin".encode(), b"Nul\x1bAuteur")
    _edit(repo, 99)
    odd = repo.commit("Fuseau\n\nPourquoi: horloge du poste déréglée", ODD_ZONE_DATE)
    check = _run(repo.root, "check", "--base", base)
    build = _run(repo.root, "build")
    diff = _run(repo.root, "diff", base)
    return {"repo": repo, "commits": commits, "nul": nul, "odd": odd, "check": check, "build": build,
            "diff": diff, "site": repo.root / "site"}


def test_check_accepts_and_build_succeeds_with_hostile_history(built):
    for result in (built["check"], built["build"], built["diff"]):
        assert result.returncode == 0, result.stdout + result.stderr
        assert "erreur interne" not in result.stderr
    assert built["check"].stdout == ""
    assert built["build"].stderr.splitlines()[-1].startswith("site construit dans site/ (")


def test_journal_shows_hostile_reasons_and_authors_as_text(built):
    html = (built["site"] / "journal/index.html").read_text(encoding="utf-8")
    _assert_inert(html)
    text = _text(html)
    for number, ((_, seen), sha) in enumerate(zip(HOSTILE, built["commits"]), start=1):
        author = PIRATE if number == 1 else "Référent Test"
        assert f"Pourquoi : {seen} — {author}, commit {sha[:7]}" in text
    assert f"Pourquoi : avantaprès fin — NulAuteur, commit {built['nul'][:7]}" in text
    article = html[html.index("<article"):]
    assert "<table" not in article and "<hr" not in article
    assert 'title="Pirate"' not in article  # no abbreviation defined by a reason


def test_scheme_history_shows_hostile_reasons_as_text(built):
    html = (built["site"] / "dispositifs/exemple/index.html").read_text(encoding="utf-8")
    _assert_inert(html)
    text = _text(html)
    section = text[text.index("Historique des modifications"):]
    for number, ((_, seen), sha) in enumerate(zip(HOSTILE, built["commits"]), start=1):
        author = PIRATE if number == 1 else "Référent Test"
        assert f"→ « Résumé numéro {number}. ». Pourquoi : {seen} ({author}, {sha[:7]})" in section


def test_home_page_recent_changes_stay_inert(built):
    html = (built["site"] / "index.html").read_text(encoding="utf-8")
    _assert_inert(html)
    text = _text(html)
    assert "04/03/2026 — Aide exemple : Résumé : « Résumé numéro 90. » → « Résumé numéro 99. » 27/02/2026" in text


def test_feed_is_well_formed_without_control_characters(built):
    raw = (built["site"] / "journal.xml").read_bytes()
    ET.fromstring(raw)  # well-formed XML 1.0
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xef\xbf[\xbe\xbf]", raw)
    feed = feedparser.parse(raw)
    assert feed.bozo == 0, feed.bozo_exception
    summaries = [" ".join(entry.summary.split()) for entry in feed.entries]
    for _, seen in HOSTILE:
        assert any(summary.endswith(f"» Pourquoi : {seen}") for summary in summaries), seen
    assert any(summary.endswith("» Pourquoi : avantaprès fin") for summary in summaries)
    assert PIRATE in [entry.author for entry in feed.entries]


def test_commit_with_an_impossible_time_zone_is_listed(built):
    html = (built["site"] / "journal/index.html").read_text(encoding="utf-8")
    text = _text(html)
    # Treated as UTC: 09:00 UTC is 10:00 in Paris, a Wednesday of the week of 2 March.
    week = text.index("Semaine du 2 mars 2026")
    entry = text.index(f"Aide exemple — 04/03/2026 à 10:00¶ Résumé : « Résumé numéro 90. » → « Résumé numéro 99. » "
                       f"Pourquoi : horloge du poste déréglée — Référent Test, commit {built['odd'][:7]}")
    assert week < entry
    feed = feedparser.parse((built["site"] / "journal.xml").read_bytes())
    assert feed.entries[0].updated == "2026-03-04T10:00:00+01:00"


def test_diff_summary_is_inert_markdown(built):
    out = built["diff"].stdout
    first = built["commits"][0][:7]
    assert (f"> **Pourquoi :** voir \\[ici\\](javascript:alert(1)) — Pirate \\[x\\](javascript:alert(3)) "
            f"\\*\\*gras\\*\\* \\`code\\` \\# &amp;amp; fin, 02/02/2026, commit {first} « Étape 1 \\[s\\](javascript:alert(9)) »"
            in out.splitlines())
    html = markdown.markdown(out, extensions=["abbr", "admonition", "tables", "attr_list"])
    assert "<a " not in html and "<script" not in html and "<img" not in html and "<table" not in html
    assert not re.search(r"<[^>]+\son\w+\s*=", html) and "<abbr" not in html and "admonition" not in html
    assert len(re.findall(r"<h[1-6]", html)) == 2  # the summary's title and the one record's heading


def test_ill_shaped_cache_entries_are_recomputed_and_rewritten(tmp_path: Path):
    repo = GitRepo(tmp_path / "depot")
    for name, text in MINIMAL_FILES.items():
        repo.write(name, text)
    repo.commit("Fiches initiales\n\nPourquoi: première version", "2026-01-05T10:00:00+01:00")
    _edit(repo, 1)
    sha = repo.commit("Résumé\n\nPourquoi: plus clair", "2026-01-06T10:00:00+01:00")
    expected = read_history(repo.root)
    entry = repo.root / CACHE_DIR / _cache_version() / f"{sha}.json"
    good = entry.read_text(encoding="utf-8")
    valid = json.loads(good)
    shapes = [
        "[]", "null", '"texte"', "{", f'{{"commit": "{sha}"}}',
        json.dumps({**valid, "changes": [{"x": 1}]}),
        json.dumps({**valid, "warnings": [1]}),
        json.dumps({**valid, "state": {"paths": [["a"]], "valid": []}}),
        json.dumps({**valid, "changes": [{**valid["changes"][0], "date": "2026-01-06T10:00:00+99:59"}]}),
        json.dumps({**valid, "changes": [{**valid["changes"][0], "reason": "a\ud800\x1b"}]}),
        json.dumps({**valid, "changes": [{**valid["changes"][0], "kind": "inconnu"}]}),
    ]
    for shape in shapes:
        entry.write_text(shape, encoding="utf-8", errors="surrogatepass")
        history = read_history(repo.root)
        assert history.changes == expected.changes, shape
        assert history.processed == 1, shape
        assert entry.read_text(encoding="utf-8") == good, shape
    entry.write_bytes(b"\xff\xfe invalide")
    assert read_history(repo.root).changes == expected.changes
    assert entry.read_text(encoding="utf-8") == good


@pytest.mark.slow  # over 2 s: three runs over a 256 KiB commit message
def test_huge_pathological_reason_is_processed(tmp_path: Path):
    """256 KiB of `](`, backticks and brackets: read in linear time and shown
    cut, so that Markdown never gets it whole (the processes' timeout only
    keeps a regression from hanging the suite)."""
    repo = _project(tmp_path / "depot")
    base = repo.git("rev-parse", "HEAD")
    _edit(repo, 1)
    pattern = "`" * 200 + "](" * 20000 + "[a" * 20000 + "](javascript:x" * 4000 + "\\" * 20000 + "<!--" * 10000
    reason = (pattern + " " * 20000)[: 256 * 1024]
    message = f"Énorme\n\nPourquoi: {reason}\n  suite [b](javascript:y)\n"
    (tmp_path / "message").write_text(message, encoding="utf-8")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-F", str(tmp_path / "message"), date="2026-02-02T10:00:00+01:00")
    shown = "`" * 200 + "](" * 150 + " […]"
    assert _run(repo.root, "check", "--base", base).returncode == 0
    diff = _run(repo.root, "diff", base)
    assert diff.returncode == 0, diff.stderr
    escaped = "\\`" * 200 + "\\](" * 150 + " \\[…\\]"
    assert f"> **Pourquoi :** {escaped} — Référent Test" in diff.stdout
    build = _run(repo.root, "build")
    assert build.returncode == 0, build.stdout + build.stderr
    html = (repo.root / "site/journal/index.html").read_text(encoding="utf-8")
    _assert_inert(html)
    assert f"Pourquoi : {shown} — Référent Test" in _text(html)


def test_commit_with_a_date_git_cannot_read_is_listed(tmp_path: Path):
    # git fsck calls it badDateOverflow; git log prints no date for it.
    repo = _project(tmp_path / "depot")
    base = repo.git("rev-parse", "HEAD")
    _edit(repo, 7)
    repo.commit("Provisoire\n\nPourquoi: provisoire", "2026-02-27T10:00:00+01:00")
    tree, parent = repo.git("rev-parse", "HEAD^{tree}"), repo.git("rev-parse", "HEAD^")
    raw = (f"tree {tree}\nparent {parent}\nauthor Référent Test <referent@exemple.invalid> -1 -9959\n"
           "committer C <c@d> -1 -9959\n\nDate illisible\n\nPourquoi: horloge hors limites\n").encode()
    sha = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin", "--literally"], cwd=repo.root,
                         input=raw, capture_output=True, check=True, timeout=60).stdout.decode().strip()
    repo.git("update-ref", "HEAD", sha)
    for args in (("check", "--base", base), ("build",), ("diff", base)):
        result = _run(repo.root, *args)
        assert result.returncode == 0, (args, result.stdout + result.stderr)
        assert "erreur interne" not in result.stderr
    journal = _text((repo.root / "site/journal/index.html").read_text(encoding="utf-8"))
    assert "Pourquoi : horloge hors limites" in journal
