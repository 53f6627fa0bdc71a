"""Under Zensical, the sample site keeps a working search: Zensical's own
(our theme override leaves its markup and worker alone), in real Chromium.
Its dialog speaks English (« Search », « 13 results »): Zensical 0.0.73 has
no French for it.

Our search worker speaks Material's protocol and is not used there; README,
« Zensical », says what moving would cost.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from conftest import BUILD_DATE, ROOT, served

ENVIRONMENT = ROOT / ".venv-zensical"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def zensical_url(tmp_path_factory: pytest.TempPathFactory):
    if not (ENVIRONMENT / "bin" / "zensical").is_file():
        message = "Zensical absent (.venv-zensical/) : « make zensical-install » l'installe, « make test » aussi"
        if os.environ.get("CI"):
            pytest.fail(message + " — en CI, make test doit l'installer")
        pytest.skip(message)
    from generator.site.zensical import build_with_zensical

    project = tmp_path_factory.mktemp("zensical")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "schemes", project / "schemes")
    for folder in ("contribuer", "guides", "theme"):
        if (ROOT / "docs" / folder).is_dir():
            shutil.copytree(ROOT / "docs" / folder, project / "docs" / folder)
    (project / ".venv-zensical").symlink_to(ENVIRONMENT)
    result = build_with_zensical(project, today=dt.date.fromisoformat(BUILD_DATE), allow_shallow=True)
    assert not result.corpus.errors, [str(e) for e in result.corpus.errors]
    with served(project / "site") as url:
        yield url


@pytest.mark.parametrize("query", ["apprentissage", "aprentisage"])
def test_zensical_search_finds_the_apprenticeship_schemes(page, zensical_url, query):
    page.goto(zensical_url)
    page.wait_for_load_state("networkidle")
    # The search box of the header, as a user clicks it (Material's markup,
    # from our override, would leave Zensical's header with a bare form).
    page.get_by_role("button", name="Recherche").click()
    page.keyboard.type(query)
    # Zensical's own dialog (in a shadow root, which Playwright's locators pierce).
    results = page.get_by_role("listbox", name="Search results").get_by_role("option")
    results.first.wait_for(state="visible", timeout=15_000)
    # Zensical answers each keystroke: the first list shown can be that of a
    # shorter query. Read it once it has stayed the same for half a second.
    addresses: list[str | None] = []
    for _ in range(30):
        shown = [results.nth(i).get_attribute("href") for i in range(results.count())]
        if shown == addresses:
            break
        addresses = shown
        page.wait_for_timeout(500)
    assert any("/dispositifs/aide-unique-apprentissage/" in address for address in addresses), addresses
