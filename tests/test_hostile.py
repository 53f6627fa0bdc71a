"""Property test: hostile strings in every free-text field, file name and
commit message of a sample repository.

A seeded generator combines fragments of markup, URLs, Markdown structure and
control characters. Each hostile value replaces one scalar of one record or
guide header, is appended to a guide body, becomes a guide's file name, or a
commit's reason and author. Two properties must hold:

* **check and build agree**: what `reperes check` refuses, `reperes build`
  refuses with the same lines (compiler form, naming the file); what the check
  accepts, the build builds;
* **no live markup**: the site built with every accepted hostile value has the
  same structure (elements and attributes that could run, load, or rewrite the
  page) as the same site built with a harmless word in the same places.

The seed is fixed so a failure is reproducible; REPERES_HOSTILE_SEED picks
another one for exploratory runs. Other hostile inputs (file names, links,
feeds) have their own exact tests in test_inert_*.py and test_files.py.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import os
import random
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from gitrepo import GitRepo
from selectolax.lexbor import LexborHTMLParser

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
BUILD_DATE = "2026-11-27"
SEED = int(os.environ.get("REPERES_HOSTILE_SEED", "20261201"))
MUTATIONS = 60

pytestmark = pytest.mark.slow

# Each fragment is something a careless or hostile contributor could write.
FRAGMENTS = [
    "<script>alert(1)</script>",
    "<svg/x><style/x><img/src/onerror=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=https://evil.example/></iframe>",
    "[cliquez](javascript:alert(1))",
    "[cliquez](JaVaScRiPt:alert(1))",
    "[cliquez](jav&#x09;ascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![pixel](https://evil.example/p.png)",
    "[ok](https://www.service-public.fr@evil.example/)",
    "https://exemple.invalid/a)<script>alert(1)</script>",
    "<https://evil.example/>",
    "\n\n# Faux titre\n\n",
    "\n!!! danger \"Faux\"\n    alerte\n",
    "\n- - -\n",
    "\n***\n",
    "\n```\ncode\n```\n",
    "``` ` ``",
    "{: onclick=\"alert(1)\" }",
    "{ {: onclick=alert(1) } }",
    "*[AU]: <b>gras</b>",
    "[x]: javascript:alert(1)",
    "- [x]: javascript:alert(1)",
    "A | B \\| C",
    "{{ 7*7 }} {% include 'x' %}",
    "--8<-- \"/etc/passwd\"",
    "&lt;script&gt;",
    "<!-- commentaire -->",
    "\x1b[31m",
    "\x00",
    "\u202e",
    "\u200b",
    "\x02`",
    "'\"\\",
    "~~barré~~ ^^sup^^ *gras* _souligné_",
    ":material-alert:",
    "|",
    "!",
]


def hostile_strings(rng: random.Random, count: int) -> Iterator[tuple[str, str]]:
    """(marker, hostile text): each text holds its own marker word."""
    for number in range(count):
        marker = f"zq{number}zq"
        parts = rng.sample(FRAGMENTS, rng.randint(1, 3))
        parts.insert(rng.randint(0, len(parts)), marker)
        yield marker, " ".join(parts)


# --- the sample repository ---------------------------------------------------------


def sample_project(root: Path) -> GitRepo:
    repo = GitRepo(root)
    shutil.copytree(ROOT / "schemes", root / "schemes")
    for folder in ("guides", "contribuer", "theme"):
        shutil.copytree(ROOT / "docs" / folder, root / "docs" / folder)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    repo.commit("Fiches d'exemple\n\nPourquoi: point de départ du test", "2026-11-02T10:00:00+01:00")
    return repo


@dataclass(frozen=True)
class Spot:
    """A place where contributor text goes: a scalar's span, or the end of a guide body."""

    path: str  # relative to the project
    start: int  # character offsets in the original file text
    end: int
    key: str  # the mapping key it belongs to (for the report)
    quoted: bool = True  # written as a YAML double-quoted string


def spots(repo: GitRepo) -> list[Spot]:
    """Every string scalar of every record and guide header, and every guide body."""
    found = []
    files = sorted((repo.root / "schemes").glob("**/*.yml")) + sorted((repo.root / "docs" / "guides").glob("*.md"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        relative = path.relative_to(repo.root).as_posix()
        offset = 0
        if path.suffix == ".md":
            found.append(Spot(relative, len(text), len(text), "texte", quoted=False))
            header_end = text.index("\n---\n", 4)
            offset, text = 4, text[4:header_end + 1]

        found += _string_scalars(yaml.compose(text), "", relative, offset)
    return found


def _string_scalars(node: yaml.Node, key: str, path: str, offset: int) -> list[Spot]:
    """Every string scalar under *node* (ids excepted), as spots of *path*."""
    if isinstance(node, yaml.MappingNode):
        return [spot for key_node, value in node.value for spot in _string_scalars(value, key_node.value, path, offset)]
    if isinstance(node, yaml.SequenceNode):
        return [spot for item in node.value for spot in _string_scalars(item, key, path, offset)]
    if isinstance(node, yaml.ScalarNode) and key != "id" and node.tag.endswith(":str"):
        return [Spot(path, offset + node.start_mark.index, offset + node.end_mark.index, key)]
    return []


def write_spots(root: Path, originals: dict[str, str], values: dict[Spot, str]) -> None:
    """Write every file of *originals* with *values* in place of their spots."""
    for path, original in originals.items():
        text = original
        for spot in sorted((s for s in values if s.path == path), key=lambda s: -s.start):
            value = values[spot]
            written = json.dumps(value, ensure_ascii=False) if spot.quoted else "\n" + value + "\n"
            text = text[: spot.start] + written + text[spot.end:]
        (root / path).write_text(text, encoding="utf-8")


# --- running reperes -------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.out.splitlines() if COMPILER_LINE.match(line)]


COMPILER_LINE = re.compile(r"^[^:\n]+:\d+:\d+: [^:\n]+: .+")


def run(repo: GitRepo, *args: str) -> Run:
    """`reperes ARGS` in-process in *repo*, its output captured (also from a session fixture)."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        patch.chdir(repo.root)
        try:
            code = main([*args, "--date", BUILD_DATE] if args[0] == "build" else list(args))
        except SystemExit as exc:  # pragma: no cover - usage errors
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


# --- what a page can do -------------------------------------------------------------------

# Elements that run, load, embed, or change a page's structure. Their number on
# every page must not change when hostile text replaces a harmless word.
STRUCTURAL = {
    "script", "style", "link", "meta", "base", "iframe", "frame", "object", "embed", "svg", "math",
    "img", "picture", "source", "video", "audio", "form", "input", "button", "textarea", "select",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "tr", "td", "th", "details", "summary",
    "blockquote", "pre", "template", "noscript", "dialog",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data", "xlink:href", "srcset", "background"}
SAFE_URL = re.compile(r"^(https://[^/@\s]+(/|$)|mailto:|tel:|#|\.{0,2}/|[\w.-]+(/|\.|#|$))", re.I)


def page_shape(html: str) -> tuple[collections.Counter[str], list[str]]:
    """(count of structural elements and admonitions, live-content problems) of one page."""
    tree = LexborHTMLParser(html)
    shape: collections.Counter[str] = collections.Counter()
    problems = []
    for node in tree.root.traverse(include_text=False):
        tag = node.tag
        if tag in STRUCTURAL:
            shape[tag] += 1
        classes = (node.attributes.get("class") or "").split()
        if "admonition" in classes:
            shape["admonition " + " ".join(sorted(classes))] += 1
        for name, value in node.attributes.items():
            if name.lower().startswith("on"):
                problems.append(f"<{tag} {name}>")
            if name.lower() in URL_ATTRIBUTES and value is not None:
                cleaned = re.sub(r"[\x00-\x20\x7f]", "", value)
                if cleaned and not SAFE_URL.match(cleaned):
                    problems.append(f"<{tag} {name}={value!r}>")
    return shape, problems


def site_shapes(site: Path) -> dict[str, collections.Counter[str]]:
    shapes = {}
    for page in sorted(site.rglob("*.html")):
        shape, problems = page_shape(page.read_text(encoding="utf-8"))
        assert not problems, (page.relative_to(site).as_posix(), problems)
        shapes[page.relative_to(site).as_posix()] = shape
    return shapes


# --- the test ------------------------------------------------------------------------------------


REASONS = 6


def commit_reasons(repo: GitRepo, reasons: list[tuple[str, str]], hostile: bool) -> None:
    """One commit per reason, at fixed dates; the hostile repository gets the
    hostile reason and author, the reference one the marker word."""
    for number, (marker, reason) in enumerate(reasons):
        text = reason if hostile else marker
        author = (reason.replace("<", "").replace(">", "").replace("\n", " ")[:40] if hostile else marker)
        record = repo.read("schemes/pec.yml")
        repo.write("schemes/pec.yml", re.sub(r"(?m)^revu_le: .*$", f"revu_le: 2026-11-{10 + number}", record, count=1))
        repo.commit(
            f"Modification {number} {text}\n\nPourquoi: {text}",
            f"2026-11-{10 + number}T10:00:00+01:00",
            author=f"{marker} {author.strip() or 'x'} <x@exemple.invalid>",
        )


@dataclass
class HostileRepository:
    """The sample repository with every hostile value the check accepted."""

    repo: GitRepo
    originals: dict[str, str]
    accepted: dict[Spot, tuple[str, str]]  # spot -> (marker, hostile)
    refused: list[tuple[Spot, str, Run]]  # spot, hostile, what the check said
    reasons: list[tuple[str, str]]


def hostile_repository(root: Path) -> HostileRepository:
    """Try each hostile value with `reperes check`; keep those it accepts;
    then commit them, followed by commits with hostile reasons and authors."""
    repo = sample_project(root)
    rng = random.Random(SEED)
    targets = spots(repo)
    originals = {path: (repo.root / path).read_text(encoding="utf-8") for path in {s.path for s in targets}}
    accepted: dict[Spot, tuple[str, str]] = {}
    refused: list[tuple[Spot, str, Run]] = []
    for spot, (marker, hostile) in zip(rng.sample(targets, MUTATIONS), hostile_strings(rng, MUTATIONS)):
        trial = {s: v[1] for s, v in accepted.items()} | {spot: hostile}
        write_spots(repo.root, originals, trial)
        result = run(repo, "check")
        if result.code == 0:
            accepted[spot] = (marker, hostile)
        else:
            refused.append((spot, hostile, result))
    write_spots(repo.root, originals, {s: v[1] for s, v in accepted.items()})
    repo.commit("Valeurs hostiles\n\nPourquoi: test", "2026-11-05T10:00:00+01:00")
    reasons = list(hostile_strings(random.Random(SEED + 1), REASONS))
    commit_reasons(repo, reasons, hostile=True)
    return HostileRepository(repo, originals, accepted, refused, reasons)


@dataclass
class HostileBuild:
    """The hostile repository, built once per session (fixture ``hostile_build``
    of conftest.py, shared with the browser test)."""

    hostile: HostileRepository
    built: Run  # what `reperes build` said
    site: Path  # a copy of the site it built, out of reach of later runs in the repository


def build_hostile(root: Path) -> HostileBuild:
    hostile = hostile_repository(root / "hostile")
    built = run(hostile.repo, "build")
    site = root / "site"
    if built.code == 0:
        shutil.copytree(hostile.repo.root / "site", site)
    return HostileBuild(hostile, built, site)


def test_hostile_strings_are_refused_or_inert(tmp_path, hostile_build: HostileBuild):
    hostile = hostile_build.hostile
    repo, accepted = hostile.repo, hostile.accepted
    assert len(spots(repo)) > 300  # every record, guide header and guide body of the sample corpus
    assert accepted and hostile.refused, "le test ne prouve rien s'il n'accepte ou ne refuse rien"
    for spot, value, result in hostile.refused:
        # Refused: in compiler form, naming the file that was changed, no traceback.
        assert result.code == 1, (spot, value, result.out, result.err)
        assert result.errors and all(COMPILER_LINE.match(line) for line in result.out.splitlines()), result.out
        assert any(line.startswith(spot.path + ":") for line in result.errors), (spot, value, result.out)
        assert "Traceback" not in result.err and "erreur interne" not in result.err, result.err

    # What the check accepted, the build builds.
    assert hostile_build.built.code == 0, (hostile_build.built.out, hostile_build.built.err)

    # The build refuses what the check refused, with the same lines.
    spot, value, result = hostile.refused[0]
    write_spots(repo.root, hostile.originals, {s: v[1] for s, v in accepted.items()} | {spot: value})
    built = run(repo, "build")
    assert built.code == 1 and built.errors == result.errors, (built.out, built.err)
    write_spots(repo.root, hostile.originals, {s: v[1] for s, v in accepted.items()})

    # A guide whose file name is hostile is refused by both.
    guide = sorted((repo.root / "docs" / "guides").glob("*.md"))[0]
    bad_name = guide.with_name("javascript:alert(1)<b>.md")
    shutil.copy(guide, bad_name)
    refused = run(repo, "check")
    assert refused.code == 1
    assert any(line.startswith("docs/guides/javascript:alert(1)<b>.md:1:1: fichier: ") for line in refused.out.splitlines()), refused.out
    assert run(repo, "build").code == 1
    bad_name.unlink()

    # The reference repository: the same places and commits with a harmless word.
    reference = sample_project(tmp_path / "reference")
    write_spots(reference.root, hostile.originals, {s: v[0] for s, v in accepted.items()})
    reference.commit("Valeurs hostiles\n\nPourquoi: test", "2026-11-05T10:00:00+01:00")
    commit_reasons(reference, hostile.reasons, hostile=False)
    reference_build = run(reference, "build")
    assert reference_build.code == 0, (reference_build.out, reference_build.err)

    hostile_site, reference_site = hostile_build.site, reference.root / "site"
    hostile_shapes, reference_shapes = site_shapes(hostile_site), site_shapes(reference_site)
    assert hostile_shapes.keys() == reference_shapes.keys()
    for page, shape in hostile_shapes.items():
        assert shape == reference_shapes[page], (page, shape - reference_shapes[page], reference_shapes[page] - shape)

    # The hostile text is there, shown as text: every marker is on some page.
    texts = "".join(p.read_text(encoding="utf-8") for p in hostile_site.rglob("*.html"))
    missing = [marker for marker, _ in [*accepted.values(), *hostile.reasons] if marker not in texts]
    assert not missing, missing
    # The feed stays well-formed XML with no control character.
    feed = (hostile_site / "journal.xml").read_bytes()
    ET.fromstring(feed)
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", feed)
