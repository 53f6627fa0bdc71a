"""In Chromium: the sample site built with every hostile value the check
accepted (see tests/test_hostile.py) runs none of them. A dialog would mean
a script ran; a request to another host would mean something loaded."""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlsplit

import pytest
from conftest import CHROMIUM_ARGS, _QuietHandler  # noqa: F401 - browser fixtures
from test_hostile import HostileBuild

pytestmark = pytest.mark.slow

TABS = 6  # pages loaded side by side


def test_no_hostile_value_runs_in_chromium(browser, hostile_build: HostileBuild) -> None:
    assert hostile_build.built.code == 0, (hostile_build.built.out, hostile_build.built.err)
    hostile, site = hostile_build.hostile, hostile_build.site
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

    def watched_tab():  # noqa: ANN202 - a Playwright page reporting its dialogs
        tab = context.new_page()
        tab.on("dialog", lambda dialog: (dialogs.append(f"{tab.url}: {dialog.message}"), dialog.dismiss()))
        return tab

    urls = [base + ("" if path == "." else path + "/") for path in pages]
    urls += [f"{base}?q={marker}" for marker in markers[:5]]
    try:
        # A few tabs at a time: they load side by side, each until its network is idle.
        for start in range(0, len(urls), TABS):
            opened = [(watched_tab(), url) for url in urls[start:start + TABS]]
            for tab, url in opened:
                tab.goto(url, wait_until="commit")
            for tab, url in opened:
                tab.wait_for_load_state("networkidle")
                if "?q=" in url:
                    tab.locator(".md-search-result__item").first.wait_for(timeout=10_000)
                tab.close()
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert dialogs == []
    assert foreign == []
