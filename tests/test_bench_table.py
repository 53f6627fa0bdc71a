"""The bench's table: a figure is shown where it was measured, « non mesuré »
where it was not, and a line measured in no run at all is left out (the
generation alone is only timed when a build is over the budget)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "bench"))

from bench import table  # noqa: E402


def line(text: str, label: str) -> str:
    (found,) = [row for row in text.splitlines() if row.startswith(label)]
    return found


def test_a_figure_measured_at_one_size_only_says_so_at_the_other():
    runs = [[{"schemes": 100, "serve_edit_s": 0.8}, {"schemes": 3000}]]
    shown = line(table(runs), "mkdocs serve : de l'enregistrement à la page (s)")
    assert shown.split()[-7:] == ["0,8", "✔", "non", "mesuré", "≤", "3", "s"]


def test_a_line_measured_in_no_run_is_left_out():
    runs = [[{"schemes": 100, "build_cpu": 11.2}], [{"schemes": 100, "build_cpu": 10.9}]]
    text = table(runs)
    assert "sans MkDocs" not in text
    assert "10,9–11,2" in line(text, "reperes build, cache d'historique plein (s)")


def test_a_goal_missed_in_one_run_is_marked_missed():
    runs = [[{"schemes": 1000, "serve_edit_s": 1.2}], [{"schemes": 1000, "serve_edit_s": 3.4}]]
    text = table(runs)
    assert line(text, "mkdocs serve : de l'enregistrement à la page (s)").split()[-5:] == ["1,2–3,4", "✘", "≤", "3", "s"]
    assert "✔ objectif atteint à chaque exécution, ✘ manqué à une exécution au moins" in text
