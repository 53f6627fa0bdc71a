"""`reperes build`: check, generate, then `mkdocs build --strict`, atomically.

MkDocs empties its site_dir before building (mkdocs#154): we build into a
fresh sibling folder and swap it in only when the build succeeded, so a
failed build leaves the previous ``site/`` intact.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidError
from ..records.corpus import Corpus, load_corpus
from ..history.changelog import History, read_history
from .links import check_links
from .render import generate
from .safety import scan_site


class BuildError(InvalidError):
    """The site could not be built; the message is French and shown as is."""


@dataclass
class BuildResult:
    corpus: Corpus
    history: History | None = None
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def mkdocs_build(project: Path, site_dir: Path) -> list[str]:
    """Run MkDocs (strict) into *site_dir*; return its warnings, raise on failure."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    previous = os.environ.get("REPERES_GENERATED")
    os.environ["REPERES_GENERATED"] = "1"
    try:
        config = load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        build(config)
    except MkDocsException as exc:
        details = "\n".join(f"  {m}" for m in handler.messages)
        raise BuildError(f"la construction du site a échoué : {exc}\n{details}".rstrip()) from None
    finally:
        logger.removeHandler(handler)
        if previous is None:
            os.environ.pop("REPERES_GENERATED", None)
        else:
            os.environ["REPERES_GENERATED"] = previous
    return handler.messages


def swap_in(new: Path, target: Path) -> None:
    """Replace *target* by *new* with two renames; the old tree is then removed."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.ancien-{os.getpid()}")
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_site(
    project: Path, *, site: Path | None = None, debug: bool = False, allow_shallow: bool = False,
    today: dt.date | None = None,
) -> BuildResult:
    site = site or project / "site"
    corpus = load_corpus(project / "schemes", debug=debug, base=project)
    result = BuildResult(corpus)
    if corpus.errors:
        return result
    result.history = read_history(project, allow_shallow=allow_shallow)
    corpus.errors.extend(check_links(corpus, today=today, history=result.history))  # before MkDocs, at path:line
    if corpus.errors:
        return result
    result.written, result.removed = generate(corpus, project, today, history=result.history)
    staging = Path(tempfile.mkdtemp(prefix=f".{site.name}.nouveau-", dir=site.parent))
    try:
        result.warnings = mkdocs_build(project, staging)
        problems = scan_site(staging)
        if problems:
            listing = "\n".join(f"  {problem}" for problem in problems)
            raise BuildError(f"contenu dangereux dans le site construit ({len(problems)} problème(s)) :\n{listing}")
        swap_in(staging, site)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result
