"""What every build does, and `reperes build`: MkDocs (strict) with our plugin,
into a fresh folder swapped in only on success.

``generate_pages`` is the first step of every build, whoever starts it: the
plugin's ``on_pre_build`` calls it under `reperes build`, a plain
`mkdocs build`, `mike deploy` and `mkdocs serve` alike; the plugin then
sanitises each page and scans the built site (plugin.py).

MkDocs empties its site_dir before building (mkdocs#154): `reperes build`
builds into a fresh sibling folder and swaps it in only when the build
succeeded, so a failed build leaves the previous ``site/`` intact. Every
temporary name is unique (scratch.py): two builds at once both succeed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..collector import collector_paused
from ..errors import InvalidError, UsageError
from ..history.changelog import History, current_head, read_history
from ..records.corpus import Corpus, LoadCache, load_corpus
from ..scratch import remove_leftovers, temporary_prefix, unique_sibling
from .links import check_links
from .render import GENERATED_DIR, Generator, generate, render_pages

PLUGIN_NAME = "reperes"  # entry point of the MkDocs plugin (pyproject.toml)


class BuildError(InvalidError):
    """The site could not be built; the message is French and shown as is."""


@dataclass
class BuildResult:
    corpus: Corpus
    history: History | None = None
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> BuildResult:
        """What `reperes build` reports of a generation that succeeded, without
        the records or the history's changes (the memory they hold)."""
        history = None if self.history is None else dataclasses.replace(self.history, changes=[])
        corpus = Corpus(self.corpus.root, errors=self.corpus.errors, files_checked=self.corpus.files_checked)
        return BuildResult(corpus, history, self.written, self.removed, self.warnings)


@dataclass
class BuildState:
    """What survives between two builds of one process (`mkdocs serve`): only
    changed records are parsed again, only the pages that show them are
    rendered, and the history is read again only when HEAD moves."""

    cache: LoadCache = field(default_factory=LoadCache)
    generator: Generator = field(default_factory=Generator.new)
    history: History | None = None


def generate_pages(
    project: Path, state: BuildState | None = None, *, today: dt.date | None = None, debug: bool = False,
    allow_shallow: bool = False,
) -> BuildResult:
    """Load and check the records, read the history, write the pages into docs/genere/.

    Nothing is written when a record is invalid (the result carries the
    errors). Raises HistoryError when the history cannot be read.
    """
    state = state or BuildState()
    generated = project / GENERATED_DIR
    if generated.is_dir():
        remove_leftovers(generated.rglob(".*.tmp"))
    corpus = load_corpus(project / "schemes", debug=debug, cache=state.cache, base=project, today=today)
    result = BuildResult(corpus)
    if corpus.errors:
        return result
    history = state.history
    # Editing a record does not move HEAD: keep the history read last time.
    if history is None or history.head != current_head(project):
        history = read_history(project, allow_shallow=allow_shallow)
        state.history = history
    result.history = history
    # Rendered once: the link check reads the pages that are then written. The collector
    # waits (collector_paused): a full collection would walk every record again.
    with collector_paused():
        rendered = render_pages(corpus, project, today, state.generator, history)
    corpus.errors.extend(check_links(corpus, rendered=rendered))  # before MkDocs, at path:line
    if corpus.errors:
        return result
    result.written, result.removed = generate(corpus, project, today, state=state.generator, history=history,
                                              rendered=rendered)
    return result


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def mkdocs_build(
    project: Path, site_dir: Path, *, today: dt.date | None = None, debug: bool = False, allow_shallow: bool = False
) -> BuildResult:
    """Run MkDocs (strict) into *site_dir*, our plugin doing check, generation and scan.

    Returns the plugin's result (with the record errors, if any: then nothing
    was built); raises BuildError, or HistoryError, on failure.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    plugin = None
    try:
        # MkDocs refuses a docs_dir that does not exist yet (fresh clone).
        (project / GENERATED_DIR).mkdir(parents=True, exist_ok=True)
        config = load_config(str(project / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
        plugin = config.plugins.get(PLUGIN_NAME)
        if plugin is None:
            raise UsageError(
                "mkdocs.yml : l'extension « reperes » n'est pas dans plugins",
                "ajoutez « - reperes » sous « plugins: » : sans elle, rien ne vérifie ce qui est publié",
            )
        plugin.configure(today=today, debug=debug, allow_shallow=allow_shallow)
        _restore_blog_scratch(config)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        if plugin is not None and plugin.failure is not None:
            raise plugin.failure from None
        if plugin is not None and plugin.result is not None and plugin.result.corpus.errors:
            return plugin.result
        if plugin is not None and plugin.stopped is not None:
            raise BuildError(plugin.stopped) from None
        details = "\n".join(f"  {m}" for m in handler.messages)
        raise BuildError(f"la construction du site a échoué : {exc}\n{details}".rstrip()) from None
    finally:
        logger.removeHandler(handler)
    plugin.result.warnings = handler.messages
    return plugin.result


def _restore_blog_scratch(config: object) -> None:
    """MkDocs keeps one instance of a plugin that has ``on_startup`` for the
    whole process; Material's blog makes its scratch folder once, when created,
    and removes it at ``on_shutdown``: a second build in the same process
    (tests, `reperes` called twice) would find it gone."""
    for name, instance in config.plugins.items():  # type: ignore[attr-defined]
        scratch = getattr(instance, "temp_dir", None)
        if name.endswith("blog") and isinstance(scratch, str):
            os.makedirs(scratch, exist_ok=True)


def swap_in(new: Path, target: Path, attempts: int = 20) -> None:
    """Replace *target* by *new* with two renames; the old tree is then removed.

    Another build may swap its own folder in between our two renames: then
    *target* exists again and is not empty, and we move it aside once more.
    """
    for _ in range(attempts):
        old = unique_sibling(target, "ancien")
        try:
            os.replace(target, old)
        except FileNotFoundError:
            old = None
        try:
            os.replace(new, target)
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    raise BuildError(f"impossible de remplacer « {target.name} » : d'autres constructions le remplacent sans cesse")


def site_leftovers(site: Path) -> list[Path]:
    """Folders left beside *site* by builds (killed or in progress)."""
    if not site.parent.is_dir():
        return []
    return [
        path for role in ("nouveau", "ancien")
        for path in site.parent.glob(f".{site.name}.{role}-*")
    ]


def build_site(
    project: Path, *, site: Path | None = None, today: dt.date | None = None, debug: bool = False,
    allow_shallow: bool = False,
) -> BuildResult:
    site = site or project / "site"
    remove_leftovers(site_leftovers(site))
    staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(site, "nouveau"), dir=site.parent))
    try:
        result = mkdocs_build(project, staging, today=today, debug=debug, allow_shallow=allow_shallow)
        if result.corpus.errors:
            shutil.rmtree(staging, ignore_errors=True)
            return result
        swap_in(staging, site)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result
