"""In Chromium: the sample site built with every hostile value the check
accepted (see tests/test_hostile.py) runs none of them. A dialog would mean
a script ran; a request to another host would mean something loaded."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import CHROMIUM_ARGS, _QuietHandler  # noqa: F401 - browser fixtures
from test_hostile import Run, hostile_repository, run

pytestmark = pytest.mark.slow


def test_no_hostile_value_runs_in_chromium(browser, tmp_path: Path, capsys, monkeypatch) -> None:
    def runner(repo, *args: str) -> Run:  # noqa: ANN001
        return run(repo, capsys, monkeypatch, *args)

    hostile = hostile_repository(tmp_path / "hostile", runner)
    built = runner(hostile.repo, "build")
    assert built.code == 0, (built.out, built.err)
    site = hostile.repo.root / "site"
    markers = [marker for marker, _ in [*hostile.accepted.values(), *hostile.reasons]]
    # Every page that shows a hostile value, and the search for each marker.
    pages = sorted({
        page.relative_to(site).parent.as_posix()
        for page in site.rglob("index.html")
        if any(marker in page.read_text(encoding="utf-8") for marker in markers)
    })
    assert len(pages) >= 5, pages

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    context = browser.new_context(locale="fr-FR")
    dialogs: list[str] = []
    foreign: list[str] = []
    context.on("request", lambda request: foreign.append(request.url)
               if urlsplit(request.url).hostname not in ("127.0.0.1", None) else None)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    try:
        for path in pages:
            page.goto(base + ("" if path == "." else path + "/"))
            page.wait_for_load_state("networkidle")
        for marker in markers[:5]:
            page.goto(f"{base}?q={marker}")
            page.wait_for_load_state("networkidle")
            page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert dialogs == []
    assert foreign == []
