"""`make serve` as a referent uses it: the site on 127.0.0.1, pages
regenerated when a record changes, and an invalid record reported without
taking the site down, until it is fixed."""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("schemes", "docs/contribuer", "docs/guides", "docs/theme"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")  # the plugin comes by its entry point
    return tmp_path


@contextlib.contextmanager
def dirty_server(project: Path) -> Iterator[tuple[int, Path]]:
    """`reperes build`, then `mkdocs serve --dirty` as `make serve` runs it: (port, its log)."""
    build = subprocess.run([str(BIN / "reperes"), "build"], cwd=project, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    port = free_port()
    log = project / "serve.log"
    with open(log, "w", encoding="utf-8") as output:
        server = subprocess.Popen(
            [str(BIN / "mkdocs"), "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        yield port, log
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_serve_regenerates_changed_pages(project: Path):
    with dirty_server(project) as (port, log):
        page = f"http://127.0.0.1:{port}/dispositifs/aej/"
        assert wait_for(lambda: (fetch(page) or "").find("Dispositif clos") >= 0), log.read_text(encoding="utf-8")

        record = project / "schemes" / "aej.yml"
        text = record.read_text(encoding="utf-8")
        record.write_text(text.replace("Dispositif clos ;", "Dispositif fermé depuis 2021 ;"), encoding="utf-8")
        assert wait_for(lambda: "Dispositif fermé depuis 2021" in (fetch(page) or ""), 60), log.read_text(encoding="utf-8")
        assert "Repères : 2 page(s) régénérée(s), 0 supprimée(s)" in log.read_text(encoding="utf-8")
        # One rebuild for one save: the pages it writes into docs/genere/ start no other
        # (the watcher looks at it every 0.5 s); no list of the pages outside the menu.
        time.sleep(2)
        messages = log.read_text(encoding="utf-8")
        assert messages.count("Detected file changes") == 1, messages
        assert "not included in the \"nav\"" not in messages
        watching = next(line for line in messages.splitlines() if "Watching paths for changes" in line)
        assert "'docs/guides'" in watching and "'docs/contribuer'" in watching and "'schemes'" in watching
        assert "docs/genere" not in watching and "docs/theme" not in watching
        generated = project / "docs" / "genere"
        assert "Dispositif fermé depuis 2021" in (generated / "index.md").read_text(encoding="utf-8")

        record.write_text(text.replace("etat: ferme\n", "etat: fermé\n"), encoding="utf-8")
        assert wait_for(lambda: "pages non régénérées" in log.read_text(encoding="utf-8"), 60)
        messages = log.read_text(encoding="utf-8")
        assert "schemes/aej.yml:" in messages and "historique_statut[2].etat: valeur « fermé » inconnue" in messages
        # The previous pages stay served (once MkDocs is done with the build it went on with).
        assert wait_for(lambda: "Dispositif fermé depuis 2021" in (fetch(page) or ""), 60), log.read_text(encoding="utf-8")

        record.write_text(text.replace("Dispositif clos ;", "Dispositif réparé ;"), encoding="utf-8")
        assert wait_for(lambda: "Dispositif réparé" in (fetch(page) or ""), 60), log.read_text(encoding="utf-8")
        # Only the changed pages were rebuilt, and their navigation is the site's:
        # the sections, « Dispositifs » lit as the current one.
        html = fetch(page) or ""
        assert re.search(r'md-nav__item--active">\s*<a href="\.\./" class="md-nav__link">\s*'
                         r'<span class="md-ellipsis">\s*Dispositifs\s*</span>', html), html
        assert html.count('class="md-nav__link') < 40

        # A new record's page appears; once the record is deleted, its page goes too.
        added = project / "schemes" / "partenaires" / "partenaire-essai.yml"
        added.write_text("id: partenaire-essai\nnom: Partenaire d'essai\ntype: autre\nrole: Essai.\n", encoding="utf-8")
        address = f"http://127.0.0.1:{port}/partenaires/partenaire-essai/"
        assert wait_for(lambda: "Partenaire d&#39;essai" in (fetch(address) or "")
                        or "Partenaire d'essai" in (fetch(address) or ""), 60), log.read_text(encoding="utf-8")
        added.unlink()
        assert wait_for(lambda: fetch(address) is None, 60), log.read_text(encoding="utf-8")
