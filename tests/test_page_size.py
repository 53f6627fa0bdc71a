"""A page does not grow with the site: with the navigation of sections only,
a scheme's page weighs the same at 100 and at 1,000 schemes (before, every
page carried a link to every other page, 97 % of its HTML at 1,000)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bench"))

from synthetic import write_corpus  # noqa: E402

from generator.site.build import mkdocs_build  # noqa: E402
from generator.site.render import BOARD_SHOWN  # noqa: E402

# Pages whose content does not depend on the number of schemes (a partner's
# page lists the steps of every scheme that names it: it grows, by content).
STEADY = ["dispositifs/dispositif-0001/index.html", "glossaire/index.html", "contribuer/index.html"]
BOARD = "index.html"  # shows at most BOARD_SHOWN cards a group, and how many more there are


def built_sizes(root: Path, schemes: int) -> dict[str, int]:
    write_corpus(root, schemes=schemes)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for folder in ("contribuer", "theme"):
        shutil.copytree(ROOT / "docs" / folder, root / "docs" / folder)
    (root / "docs" / "genere").mkdir()
    result = mkdocs_build(root, root / "site", today=dt.date(2026, 11, 27))
    assert not result.corpus.errors
    sizes = {page: (root / "site" / page).stat().st_size for page in [*STEADY, BOARD]}
    board = (root / "docs" / "genere" / "index.md").read_text(encoding="utf-8")
    blocked = int(re.search(r"^### Paiements bloqués \((\d+)\)", board, re.M)[1])
    assert blocked > BOARD_SHOWN  # the synthetic corpus fills every group
    assert board.count("{ .reperes-carte .reperes-carte-paiements_bloques ") == BOARD_SHOWN
    assert (f"*Et {blocked - BOARD_SHOWN} autres « Paiements bloqués » : [tous les dispositifs](dispositifs/index.md), "
            "avec leur état, ou la recherche.*") in board
    return sizes


@pytest.mark.slow
def test_a_page_does_not_grow_with_the_number_of_schemes(tmp_path: Path):
    small = built_sizes(tmp_path / "cent", 100)
    large = built_sizes(tmp_path / "mille", 1000)
    for page in STEADY:
        assert large[page] <= small[page] * 1.01, (page, small[page], large[page])
    # The board's groups are cut: it grows until they are full (a domain of
    # open schemes has fewer than BOARD_SHOWN at 100), then no more; it was
    # 484 KiB at 1,000 schemes, every scheme on it.
    assert large[BOARD] < 100 * 1024, (small[BOARD], large[BOARD])
    # And a scheme's page is far from the whole navigation's weight.
    assert large["dispositifs/dispositif-0001/index.html"] < 60 * 1024
