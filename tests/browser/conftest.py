"""Browser fixtures: the sample site, built once, served on 127.0.0.1, and
Debian's Chromium driven by Playwright.

Locally the browser tests are skipped with a clear message when Chromium is
absent; in CI (CI=true) a missing Chromium is a failure, never a skip.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "output"
BUILD_DATE = "2026-11-27"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
# Records, in the page, when the first search result item is in it (performance.now(),
# from the start of the navigation): the browser tests and the bench read it.
FIRST_RESULT_PROBE = """
new MutationObserver((records, observer) => {
  if (document.querySelector(".md-search-result__list > .md-search-result__item")) {
    window.__reperesFirstResult = performance.now()
    observer.disconnect()
  }
}).observe(document, { childList: true, subtree: true })
"""
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a browser test (make test-fast leaves them out)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str | None:
    explicit = os.environ.get("REPERES_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample records, built by `reperes build` into a temporary folder."""
    from generator.site.build import build_site

    site = tmp_path_factory.mktemp("site") / "site"
    # A CI checkout may be shallow: the pages then say the history is partial.
    result = build_site(ROOT, site=site, allow_shallow=True, today=dt.date.fromisoformat(BUILD_DATE))
    assert not result.corpus.errors, [str(e) for e in result.corpus.errors]
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    """Base URL of a built site, served on loopback only (also used by tests/bench/search_bench.py)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """Base URL of the built site, served on loopback only."""
    with served(built_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium introuvable (paquet Debian « chromium ») : tests navigateur ignorés"
        if os.environ.get("CI"):
            pytest.fail(message + " — en CI, .ci/run doit l'installer")
        pytest.skip(message + " ; installez-le avec « apt-get install chromium »")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
