"""Under `make serve` (`mkdocs serve --dirty`), a record saved is reindexed
alone, and the search index served is the one a full build writes."""

from __future__ import annotations

import json
import subprocess
import urllib.request

import pytest
from test_serve import BIN, dirty_server, fetch, project, wait_for  # noqa: F401  (project: the fixture)

from generator.site.search import read_prepared_index


def served_texts(port: int) -> str:
    """The texts of the served index, every chunk it names ("" while none is served)."""
    index = fetch(f"http://127.0.0.1:{port}/search/reperes-index.json")
    if not index:
        return ""
    chunks = [fetch(f"http://127.0.0.1:{port}/search/{name}") or "" for _, name in json.loads(index)["texts"]]
    return "".join(chunks)


@pytest.mark.slow
def test_index_after_a_dirty_rebuild_is_the_full_build_index(project):  # noqa: F811
    with dirty_server(project) as (port, log):
        assert wait_for(lambda: "Dispositif clos" in served_texts(port), 120), log.read_text(encoding="utf-8")
        record = project / "schemes" / "aej.yml"
        text = record.read_text(encoding="utf-8")
        record.write_text(text.replace("Dispositif clos ;", "Dispositif fermé depuis 2021 ;"), encoding="utf-8")
        assert wait_for(lambda: "Dispositif fermé depuis 2021" in served_texts(port), 60), log.read_text(encoding="utf-8")
        assert "Repères : 2 page(s) régénérée(s), 0 supprimée(s)" in log.read_text(encoding="utf-8")
        served = json.loads(fetch(f"http://127.0.0.1:{port}/search/reperes-index.json") or "")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search/reperes-index.bin", timeout=10) as response:
            served_words = response.read()
    build = subprocess.run([str(BIN / "reperes"), "build"], cwd=project, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    built = read_prepared_index(project / "site")
    assert "Dispositif fermé depuis 2021 ;" in json.dumps(built.all_texts(), ensure_ascii=False)
    # The chunks are named by their content, the words file's key is its hash: same index, same files
    assert served == built.index
    assert served_words == built.words
