"""`reperes build --moteur zensical`: the same records, checks and pages, built
by Zensical (the successor of Material for MkDocs) instead of MkDocs.

Zensical reads our mkdocs.yml but runs no MkDocs plugin, so this command does
around it what the ``reperes`` plugin does around MkDocs:

- before: ``generate_pages`` (check, history, internal links, pages), exactly
  as every MkDocs build; invalid records stop here, nothing is built;
- Zensical (strict: a warning fails the build) into a fresh staging folder,
  through a temporary copy of mkdocs.yml that only changes ``site_dir``;
- after: ``scan_site`` on the built folder, the inline scripts allowed being
  those of Zensical's own templates; the staging folder replaces site/ only
  when the scan finds nothing, as `reperes build` does.

What does not run under Zensical: the per-page allowlist (nh3, the plugin's
``on_page_content``), as Zensical has no hook for it; contributor text is
still inert by the escaping filters of the templates, and the scan of the
built site still refuses what it refuses after MkDocs. Zensical also brings
its own search (index ``search.json``, another worker protocol): our search
worker is not used there (README, « Zensical »).

Zensical lives in its own environment (`make zensical-install`:
.venv-zensical/, pinned in requirements-zensical.txt); it is run as a
command, never imported.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import UsageError
from ..scratch import remove_leftovers, temporary_path, temporary_prefix
from .build import BuildError, BuildResult, BuildState, generate_pages, site_leftovers, swap_in
from .safety import describe_problems, scan_site

ENVIRONMENT = ".venv-zensical"  # made by `make zensical-install`
_SITE_DIR = re.compile(r"^site_dir:.*$", re.M)
_AUTHORS_FILE = re.compile(r"^(?P<indent>\s*)authors_file:.*$", re.M)


def find_zensical(project: Path) -> Path:
    """The zensical command of the project's environment, else the one on PATH."""
    local = project / ENVIRONMENT / "bin" / "zensical"
    found = local if local.is_file() else (Path(which) if (which := shutil.which("zensical")) else None)
    if found is None:
        raise UsageError(
            "Zensical introuvable (ni .venv-zensical/bin/zensical ni « zensical » dans le PATH)",
            "make zensical-install l'installe dans .venv-zensical/ (versions de requirements-zensical.txt)",
        )
    return found


def zensical_templates(zensical: Path) -> Path:
    """The templates folder of the Zensical installed beside *zensical* (its scripts are the allowed ones)."""
    python = zensical.parent / "python"
    code = "import pathlib, zensical; print(pathlib.Path(zensical.__file__).parent / 'templates')"
    try:
        out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        raise UsageError(
            f"l'environnement de Zensical ({zensical.parent.parent}) est incomplet : son Python ne trouve pas zensical",
            "make zensical-install le refait",
        ) from None
    return Path(out.strip())


def zensical_config(text: str, site_dir: Path | str) -> str:
    """Our mkdocs.yml as Zensical is given it: another ``site_dir``, and the
    blog's authors read beside the posts, where they are generated (Zensical
    refuses a path out of the docs folder)."""
    text = _SITE_DIR.sub(lambda _: f"site_dir: {site_dir}", text, count=1)
    return _AUTHORS_FILE.sub(lambda m: m["indent"] + 'authors_file: "{blog}/.authors.yml"', text, count=1)


def build_with_zensical(
    project: Path, *, site: Path | None = None, today: dt.date | None = None, debug: bool = False,
    allow_shallow: bool = False,
) -> BuildResult:
    """Check and generate, build with Zensical, scan, swap in; raises BuildError on failure."""
    zensical = find_zensical(project)
    templates = zensical_templates(zensical)
    site = site or project / "site"
    result = generate_pages(project, BuildState(), today=today, debug=debug, allow_shallow=allow_shallow)
    if result.corpus.errors:
        return result
    remove_leftovers(site_leftovers(site))
    staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(site, "nouveau"), dir=site.parent))
    config = temporary_path(project / "mkdocs.yml")
    try:
        config.write_text(zensical_config((project / "mkdocs.yml").read_text(encoding="utf-8"), staging),
                          encoding="utf-8")
        completed = subprocess.run(
            [str(zensical), "build", "--strict", "--config-file", str(config)],
            cwd=project, capture_output=True, text=True,
        )
        if completed.returncode:
            output = "\n".join(f"  {line}" for line in (completed.stdout + completed.stderr).strip().splitlines())
            raise BuildError(f"la construction par Zensical a échoué (code {completed.returncode}) :\n{output}")
        problems = scan_site(staging, templates=templates)
        if problems:
            raise BuildError(describe_problems(problems))
        swap_in(staging, site)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        config.unlink(missing_ok=True)
    return result
