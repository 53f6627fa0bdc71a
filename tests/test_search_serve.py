"""Under `make serve` (`mkdocs serve --dirty`), a record saved is reindexed
alone, and the search index served is the one a full build writes."""

from __future__ import annotations

import json
import subprocess

import pytest
from test_serve import BIN, dirty_server, fetch, project, wait_for  # noqa: F401  (project: the fixture)


@pytest.mark.slow
def test_index_after_a_dirty_rebuild_is_the_full_build_index(project):  # noqa: F811
    with dirty_server(project) as (port, log):
        index = f"http://127.0.0.1:{port}/search/reperes-index.json"
        assert wait_for(lambda: "Dispositif clos" in (fetch(index) or ""), 120), log.read_text(encoding="utf-8")
        record = project / "schemes" / "aej.yml"
        text = record.read_text(encoding="utf-8")
        record.write_text(text.replace("Dispositif clos ;", "Dispositif fermé depuis 2021 ;"), encoding="utf-8")
        assert wait_for(lambda: "Dispositif fermé depuis 2021" in (fetch(index) or ""), 60), log.read_text(encoding="utf-8")
        assert "Repères : 2 page(s) régénérée(s), 0 supprimée(s)" in log.read_text(encoding="utf-8")
        served = json.loads(fetch(index) or "")
    build = subprocess.run([str(BIN / "reperes"), "build"], cwd=project, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    built = json.loads((project / "site" / "search" / "reperes-index.json").read_text(encoding="utf-8"))
    assert "Dispositif fermé depuis 2021" in json.dumps(built, ensure_ascii=False)
    assert served == built
