"""Editions served by a real web server: three weekly editions and the current
one published into a temporary repository, the versions branch exported and
served by Debian's nginx with the shipped configuration
(exploitation/nginx.conf), then read in Chromium.

nginx is started by the test on 127.0.0.1 with a configuration it writes:
pid, logs and temporary folders in a temporary directory, no privilege
needed. Locally a missing nginx skips these tests with a message; in CI
(CI=true) it fails them (.ci/run installs it).
"""

from __future__ import annotations

import getpass
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from gitrepo import GitRepo
from playwright.sync_api import Page
from test_editions_publish import edition_history, published
from test_search import search_by_deep_link
from workspace import ROOT

NGINX = Path("/usr/sbin/nginx")
EXAMPLE = ROOT / "exploitation" / "nginx.conf"
TIMEOUT = 15_000  # ms
SCREENS = Path(os.environ.get("REPERES_SCREENS", "/tmp/screens/editions"))

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def nginx_config(served: Path, port: int, scratch: Path) -> str:
    """The shipped server block, listening on loopback and serving *served*,
    inside a main configuration whose every path is under *scratch*."""
    server = EXAMPLE.read_text(encoding="utf-8")
    server, listens = re.subn(r"^(\s*)listen \d+;$", rf"\1listen 127.0.0.1:{port};", server, flags=re.M)
    server, roots = re.subn(r"^(\s*)root \S+;$", rf"\1root {served};", server, flags=re.M)
    assert (listens, roots) == (1, 1), "exploitation/nginx.conf : une ligne « listen » et une ligne « root » attendues"
    temp = "\n".join(f"    {kind}_temp_path {scratch / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""\
# Written by tests/browser/test_editions.py.
user {getpass.getuser()};
worker_processes 1;
daemon off;
pid {scratch / 'nginx.pid'};
error_log {scratch / 'error.log'} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {scratch / 'access.log'};
{temp}
{server}
}}
"""


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    repo = edition_history(tmp_path_factory.mktemp("editions-nginx") / "depot")
    published(repo.root, "2026-W48", "2026-W49", "2026-W50")
    return repo


@pytest.fixture(scope="module")
def served(editions: GitRepo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The versions branch exported as the example's comment says (git archive)."""
    folder = tmp_path_factory.mktemp("export") / "editions"
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(editions.root), "archive", "--format=tar", "editions"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    # A link someone added by hand in the export: nginx must not follow it.
    (folder / "lien").symlink_to(folder / "actuelle")
    return folder


@pytest.fixture(scope="module")
def server(served: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not NGINX.exists():
        message = "nginx introuvable (paquet Debian « nginx ») : tests des éditions servies ignorés"
        if os.environ.get("CI"):
            pytest.fail(message + " — en CI, .ci/run doit l'installer")
        pytest.skip(message + " ; installez-le avec « apt-get install nginx-light »")
    scratch = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    config = scratch / "nginx.conf"
    config.write_text(nginx_config(served, port, scratch), encoding="utf-8")
    check = subprocess.run([str(NGINX), "-t", "-p", str(scratch), "-e", str(scratch / "error.log"),
                            "-c", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    log = scratch / "error.log"
    process = subprocess.Popen([str(NGINX), "-p", str(scratch), "-e", str(log), "-c", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/versions.json", timeout=1).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None:
                    pytest.fail("nginx s'est arrêté : " + log.read_text(encoding="utf-8", errors="replace"))
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def requests(page: Page) -> list[str]:
    """Every URL the page and its workers (search) request."""
    seen: list[str] = []
    page.context.on("request", lambda request: seen.append(request.url))
    return seen


def _only_this_host(base: str, urls: list[str]) -> None:
    strangers = [url for url in urls if not url.startswith(base + "/")]
    assert not strangers, f"requêtes vers un autre hôte : {strangers}"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_root_reaches_the_current_edition(page: Page, server: str, requests: list[str]) -> None:
    response = page.goto(server + "/")
    assert response is not None and response.status == 200
    assert page.url == server + "/actuelle/"
    assert page.locator(".md-version__current").text_content(timeout=TIMEOUT).strip() == "Édition actuelle"
    assert page.locator("[data-md-component=outdated]").is_hidden()
    _only_this_host(server, requests)


def test_selector_lists_every_edition_newest_first(page: Page, server: str) -> None:
    page.goto(server + "/actuelle/")
    links = page.locator(".md-version__list .md-version__link")
    links.first.wait_for(state="attached", timeout=TIMEOUT)
    assert [text.strip() for text in links.all_text_contents()] == [
        "Édition actuelle", "Semaine 50 (07/12/2026)", "Semaine 49 (30/11/2026)", "Semaine 48 (23/11/2026)"]


def test_old_edition_banner_names_date_link_and_changed_fields(page: Page, server: str, requests: list[str]) -> None:
    page.goto(server + "/2026-S48/dispositifs/exemple/")
    banner = page.locator("[data-reperes-edition=pret]")
    banner.wait_for(timeout=TIMEOUT)
    assert page.locator("[data-md-component=outdated]").is_visible()
    paragraphs = [text.strip() for text in banner.locator("p").all_text_contents()]
    assert paragraphs == [
        "Édition du lundi 23 novembre 2026. Cette page montre ce qui était en vigueur ce jour-là, pas ce qui l'est "
        "aujourd'hui. Voir cette page dans l'édition actuelle",
        "Depuis cette édition : statut, éléments de langage, résumé, date de revue.",
    ]
    assert page.locator(".md-version__current").text_content().strip() == "Semaine 48 (23/11/2026)"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "edition-ancienne-bandeau.png"))
    page.get_by_role("link", name="Voir cette page dans l'édition actuelle").click()
    page.wait_for_url(server + "/actuelle/dispositifs/exemple/")
    assert "Votre paiement arrive dans les prochains jours." in page.locator("article").inner_text()
    assert page.locator("[data-md-component=outdated]").is_hidden()
    _only_this_host(server, requests)


def test_no_changed_fields_on_a_page_whose_record_did_not_change(page: Page, server: str) -> None:
    page.goto(server + "/2026-S50/partenaires/partenaire-exemple/")
    banner = page.locator("[data-reperes-edition=pret]")
    banner.wait_for(timeout=TIMEOUT)
    assert banner.locator("p").count() == 1
    assert banner.inner_text().startswith("Édition du lundi 7 décembre 2026.")
    assert banner.get_by_role("link").get_attribute("href") == server + "/actuelle/partenaires/partenaire-exemple/"


def test_deleted_record_says_so_and_links_to_the_current_edition(page: Page, server: str) -> None:
    page.goto(server + "/2026-S49/outils/outil-ancien/")
    banner = page.locator("[data-reperes-edition=pret]")
    banner.wait_for(timeout=TIMEOUT)
    assert "Cette fiche n'existe plus dans l'édition actuelle." in banner.inner_text()
    assert banner.get_by_role("link").get_attribute("href") == server + "/actuelle/"


def test_search_works_inside_an_edition(page: Page, server: str, requests: list[str]) -> None:
    pages = search_by_deep_link(page, server + "/2026-S49/", "retard de paiement")
    assert pages[0] == "dispositifs/exemple/", pages
    hrefs = page.eval_on_selector_all("a.md-search-result__link", "links => links.map(link => link.href)")
    assert hrefs and all(href.startswith(server + "/2026-S49/") for href in hrefs), hrefs
    _only_this_host(server, requests)
    # The index and its reader are asked again at every visit (they name their build's
    # chunks of texts, which the next publication replaces); a chunk never changes.
    search = server + "/2026-S49/search/"
    with urllib.request.urlopen(search + "reperes-index.json", timeout=5) as response:
        assert response.headers["Cache-Control"] == "no-cache"
        chunk = json.load(response)["texts"][0][1]
    for url in (search + "reperes-index.bin", server + "/2026-S49/assets/javascripts/reperes-search.js"):
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.headers["Cache-Control"] == "no-cache", url
    with urllib.request.urlopen(search + chunk, timeout=5) as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_unknown_address_gets_the_root_404_and_links_are_not_followed(page: Page, server: str) -> None:
    response = page.goto(server + "/2026-S30/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page introuvable"
    assert page.get_by_role("link", name="Aller à l'édition actuelle").get_attribute("href") == "/actuelle/"
    assert _status(server + "/lien/index.html") in (403, 404)  # disable_symlinks on
    assert _status(server + "/actuelle/index.html") == 200


def test_banner_has_no_serious_accessibility_violation(page: Page, server: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(server + "/2026-S48/dispositifs/exemple/")
    page.locator("[data-reperes-edition=pret]").wait_for(timeout=TIMEOUT)
    results = Axe().run(page, context={"include": [["[data-md-component=outdated]"]]})
    serious = [(v["id"], v["help"]) for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
