"""The dependency rule of the package, read from the code itself (AST, no import).

    cli → site, contrib → history → records → project → errors → fr

A module may import its own folder and anything to its right; site/ and
contrib/ do not import each other; the three shared modules are ordered
(project → errors → fr) so that they cannot form a cycle either.
generator/__init__.py and __main__.py are free. GitPython is imported only
in history/git.py, Jinja and MkDocs (and Material) only in site/, mike (which
writes the editions branch) only in site/editions.py.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

# Rank of each part of the package: a part may import parts of a higher rank.
RANKS = {"cli": 0, "site": 1, "contrib": 1, "history": 2, "records": 3, "project": 4, "errors": 5, "fr": 6}
FREE = {"__init__", "__main__"}  # generator/__init__.py, generator/__main__.py
# Third-party packages that only one part ("site/") or one module ("history/git.py") may import.
ONLY_IN = {"git": "history/git.py", "jinja2": "site/", "mkdocs": "site/", "material": "site/",
           "mike": "site/editions.py"}


def allowed_in(shown: str, place: str) -> bool:
    """Whether the file *shown* ("generator/history/git.py") is in *place*."""
    inside = shown.removeprefix("generator/")
    return inside.startswith(place) if place.endswith("/") else inside == place


def part_of(module: str) -> str | None:
    """'generator.records.loader' -> 'records'; None for the package itself and free modules."""
    parts = module.split(".")
    if parts[0] != "generator" or len(parts) < 2 or parts[1] in FREE:
        return None
    return parts[1]


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import, function-local ones included."""
    found: list[tuple[int, str]] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if node.module is None or target == "generator":
                # `from . import x` / `from generator import x`: x may be a module.
                found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, target))
    return found


def dependency_problems(root: Path = PACKAGE) -> list[str]:
    problems: list[str] = []
    edges: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        source = part_of(module)
        shown = path.relative_to(root.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=shown)
        for line, target in imported(tree, module, path.name == "__init__.py"):
            top = target.split(".")[0]
            if top in ONLY_IN and not allowed_in(shown, ONLY_IN[top]):
                problems.append(f"{shown}:{line}: imports {target} ({top} may only be imported in {ONLY_IN[top]})")
                continue
            if source is None or top != "generator":
                continue
            goal = part_of(target)
            if goal is None or goal == source or goal not in RANKS or source not in RANKS:
                continue
            edges.setdefault(source, set()).add(goal)
            if RANKS[goal] <= RANKS[source]:
                problems.append(f"{shown}:{line}: imports {target} ({source} may not import {goal})")
    problems.extend(cycles(edges))
    return problems


def cycles(edges: dict[str, set[str]]) -> list[str]:
    """Each group of parts that import one another, directly or not, once."""

    def reachable(node: str) -> set[str]:
        seen, todo = set(), [node]
        while todo:
            for goal in edges.get(todo.pop(), ()):
                if goal not in seen:
                    seen.add(goal)
                    todo.append(goal)
        return seen

    reach = {node: reachable(node) for node in edges}
    groups = {
        tuple(sorted(other for other in reach if other in reach[node] and node in reach.get(other, ())))
        for node in reach if node in reach[node]
    }
    return [f"cycle between parts of the package: {', '.join(group)}" for group in sorted(groups)]


def test_imports_follow_the_dependency_rule():
    assert dependency_problems() == []


def test_the_rule_reports_a_records_module_importing_site(tmp_path):
    copy = tmp_path / "generator"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "records" / "mauvais.py").write_text(
        '"""A records module that reaches up into the site."""\n\nfrom ..site.render import md_inline\n',
        encoding="utf-8",
    )
    assert dependency_problems(copy) == [
        "generator/records/mauvais.py:3: imports generator.site.render (records may not import site)",
        "cycle between parts of the package: history, records, site",
    ]


def test_the_rule_reports_third_party_imports_and_imports_inside_functions(tmp_path):
    copy = tmp_path / "generator"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "contrib" / "aussi.py").write_text(
        "def f():\n    import jinja2\n    from generator import cli\n    from git import Repo\n", encoding="utf-8"
    )
    assert dependency_problems(copy) == [
        "generator/contrib/aussi.py:2: imports jinja2 (jinja2 may only be imported in site/)",
        "generator/contrib/aussi.py:3: imports generator.cli (contrib may not import cli)",
        "generator/contrib/aussi.py:4: imports git (git may only be imported in history/git.py)",
        "cycle between parts of the package: cli, contrib",
    ]


def test_the_rule_keeps_gitpython_in_the_git_wrapper(tmp_path):
    copy = tmp_path / "generator"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "history" / "raccourci.py").write_text("import git\nfrom git.exc import GitCommandError\n", encoding="utf-8")
    assert dependency_problems(copy) == [
        "generator/history/raccourci.py:1: imports git (git may only be imported in history/git.py)",
        "generator/history/raccourci.py:2: imports git.exc (git may only be imported in history/git.py)",
    ]
