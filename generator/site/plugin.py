"""The MkDocs plugin ``reperes``: the guarantees travel with every build.

Listed under ``plugins:`` in mkdocs.yml (entry point in pyproject.toml), it
runs in `reperes build`, a plain `mkdocs build`, `mike deploy` and
`mkdocs serve` alike:

- ``on_pre_build`` loads and checks the records, reads the history and
  writes the pages (build.py ``generate_pages``); invalid records fail the
  build with the lines of `reperes check`;
- ``on_page_content`` passes the HTML of every page through the allowlist
  (safety.py ``sanitise``), after every other plugin;
- ``on_post_build`` prepares the search index (search.py) and scans the
  built site (safety.py ``scan_site``), failing the build on any finding.
  A large one-off build does both in a helper process while MkDocs renders
  the pages (aside.py), fed page by page from ``on_page_content`` and
  ``on_post_page``.

Under `mkdocs serve`, invalid records are shown and the last good pages stay
served until the records are fixed; the instance (kept across rebuilds
because it defines ``on_startup``) remembers what it loaded and wrote.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.exceptions import Abort
from mkdocs.plugins import BasePlugin, event_priority

from ..errors import plural
from ..history.git import HistoryError
from ..project import GENERATED_DIR, Project, today_in_paris
from ..records.kinds import KINDS
from . import aside
from .build import BuildResult, BuildState, generate_pages
from .feedback import META_KEY, Subject, feedback_links, subjects
from .links import page_address
from .safety import ScanMemo, describe_problems, sanitise, scan_site
from .search import IndexMemo, PageInfo, page_documents, record_pages, write_prepared_index

log = logging.getLogger("mkdocs.plugins.reperes")

UNWATCHED = frozenset({GENERATED_DIR.name, "theme"})  # folders of docs/ holding no page, guide or image of ours
# Menu sections whose folder name is not their French title.
SECTION_TITLES = {KINDS["remontee"].pages: "Remontées terrain"}
YOUNG_COLLECTION = 5_000  # allocations between two young collections while MkDocs builds (on_pre_build)


def _is_material_search(handler: Any) -> bool:
    from material.plugins.search.plugin import SearchPlugin

    return isinstance(getattr(handler, "__self__", None), SearchPlugin)


class CompiledTemplates(jinja2.BytecodeCache):
    """The theme's templates, compiled once per process: MkDocs makes a new
    Jinja environment for each build (`mkdocs serve` rebuilds), and Material's
    search and blog plugins one more for each word they translate, which would
    otherwise compile its templates again (0.3 to 0.4 s after every edit).
    Jinja checks each entry against its template's source, so an edited
    template is compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class ReperesPlugin(BasePlugin):
    def __init__(self) -> None:
        self.command = "build"
        self.today: dt.date | None = None  # None: today in Paris
        self.debug = False
        self.allow_shallow = False
        self.state = BuildState()
        self.scanned = ScanMemo()
        self.search_memo = IndexMemo()
        self.dirty = False  # `mkdocs serve --dirty`
        self.built = False  # a build of this process has finished
        self.sections: dict[str, Any] = {}  # nav pages by source path (on_nav)
        self.lit: Any = None  # the section lit for the page being rendered
        self.result: BuildResult | None = None
        self.failure: HistoryError | None = None  # why the last build stopped, for `reperes build`
        self.stopped: str | None = None  # why the plugin stopped the last build (scan findings, helper lost)
        # What each page is about, for its "Signaler un problème" links (the last valid records).
        self.subjects: dict[str, Subject] | None = None
        self.search_pages: dict[str, PageInfo] = {}
        self.mailbox: str | None = None
        self.templates = CompiledTemplates()
        self.helper: aside.Helper | None = None  # the search index and the scan of a large build (aside.py)
        # The collector's thresholds before this build froze what precedes MkDocs' pages (on_pre_build)
        self.collector: tuple[int, ...] | None = None

    def configure(self, *, today: dt.date | None = None, debug: bool = False, allow_shallow: bool = False) -> None:
        """Options of `reperes build` (--date, --debug, --allow-shallow)."""
        self.today, self.debug, self.allow_shallow = today, debug, allow_shallow

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        self.dirty = dirty
        self.built = False
        self.state = BuildState()
        self.scanned = ScanMemo()
        self._drop_helper()

    def on_shutdown(self) -> None:
        self._drop_helper()
        if self.collector is not None:  # a process that goes on after the build (tests, an embedding program)
            gc.unfreeze()
            gc.set_threshold(*self.collector)
            self.collector = None

    def on_build_error(self, *, error: Exception) -> None:
        self._drop_helper()

    def _hand(self, call: Any, *args: Any) -> Any:
        """A call to the helper; if it has ended, the build stops, in French."""
        try:
            return call(*args)
        except aside.HelperError as exc:
            self._drop_helper()
            self.stopped = str(exc)
            raise Abort(f"Repères : {exc}") from None

    def _drop_helper(self) -> None:
        helper, self.helper = self.helper, None
        if helper is not None:
            helper.close(wait=False)

    @event_priority(100)  # first: Material's search plugin makes environments in its own on_config
    def on_config(self, config: Any) -> Any:
        """`mkdocs serve --dirty` (`make serve`) rebuilds only the pages whose
        Markdown changed; the navigation lists only sections, so the others stay
        right. The sitemap (every page's address) is written by the first build
        and then left as is: a preview has no use for it."""
        if self.command == "serve" and self.dirty and self.built:
            config.theme.static_templates.discard("sitemap.xml")
        else:
            self.search_memo.clear()  # a full build: every page is indexed again
        # Our index's documents are extracted in on_page_content (search.py
        # ``page_documents``): Material's search plugin no longer parses every
        # page (its pure-Python parser was 8 s of CPU at 1,000 schemes); it still
        # writes search/search_index.json, its configuration without documents.
        handlers = config.plugins.events.get("page_context", [])
        handlers[:] = [h for h in handlers if not _is_material_search(h)]
        make_env = config.theme.get_env

        def get_env() -> jinja2.Environment:
            env = make_env()
            env.bytecode_cache = self.templates
            return env

        config.theme.get_env = get_env  # every environment of this configuration, ours and Material's
        return config

    def on_pre_build(self, *, config: Any) -> None:
        self.result, self.failure, self.stopped = None, None, None
        self._drop_helper()
        project = Path(config.config_file_path).parent
        serving = self.command == "serve"
        try:
            result = generate_pages(project, self.state, today=self.today, debug=self.debug,
                                    allow_shallow=self.allow_shallow)
        except HistoryError as exc:
            if not serving:
                self.failure = exc
                raise Abort(f"Repères : {exc}") from None
            log.warning("Repères : %s", exc)
            result = generate_pages(project, self.state, today=self.today, debug=self.debug, allow_shallow=True)
        self.result = result
        errors = result.corpus.errors
        if errors:
            for error in errors:
                log.error(error.format_text())
            if serving:
                log.error("fiches invalides : pages non régénérées (les précédentes restent en place)")
                return
            raise Abort(f"Repères : {plural(len(errors), 'erreur')} dans les fiches : site non construit")
        self.subjects = subjects(result.corpus)
        # What the search index says of each record's page (status badge, callers' words).
        self.search_pages = record_pages(result.corpus, self.today or today_in_paris())
        self.mailbox = Project(project).feedback_mailbox
        for warning in result.history.warnings if result.history else []:
            log.info("Repères : attention : %s", warning)
        if result.written or result.removed:
            log.info("Repères : %d page(s) régénérée(s), %d supprimée(s)", len(result.written), len(result.removed))
        if not serving:
            # A one-off build needs nothing more of the records, their history
            # or the rendered Markdown once the pages are written: MkDocs
            # reuses that memory (about 100 MB at 1,000 schemes).
            self.state = BuildState()
            self.result = result.summary()
            gc.collect()
            # What is left (MkDocs' configuration and files, the theme, our page summaries) lives
            # until the build ends: out of the collector's sight (gc.freeze), MkDocs' full
            # collections stop going through it again and again. And a young collection every
            # YOUNG_COLLECTION allocations rather than 700: at 1,000 schemes MkDocs' collections
            # took 1.2 to 1.4 s of CPU, 0.65 s so (peak memory within 4 MB; with fewer full
            # collections instead, 50 MB more). Both are given back at the end (on_shutdown).
            gc.freeze()
            if self.collector is None:
                self.collector = gc.get_threshold()
            gc.set_threshold(YOUNG_COLLECTION, *self.collector[1:])
            if aside.wanted(len(self.search_pages)):
                self._start_helper()

    def _start_helper(self) -> None:
        try:
            self.helper = aside.Helper(self.search_pages)
        except (OSError, ImportError) as exc:  # no process or no pipe here: everything in this process
            log.info("Repères : processus auxiliaire impossible (%s) : index et analyse dans ce processus", exc)
            self.helper = None

    def on_page_context(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        """A page outside the nav (a record's) shows its section as the current
        one: the scheme pages light « Dispositifs », a month of the journal « Journal »."""
        self.lit = None
        if page.file.src_uri not in self.sections:
            section = self.sections.get(f"{page.file.src_uri.split('/')[0]}/index.md")
            if section is not None and not section.active:
                section.active = True
                self.lit = section
        return context

    def on_env(self, env: jinja2.Environment, *, config: Any, files: Any) -> jinja2.Environment:
        if self.helper is not None:  # every page's content is known: the index can be assembled
            self._hand(self.helper.contents_done)
        return env

    @event_priority(-100)  # last: the page as MkDocs writes it
    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        if self.lit is not None:
            self.lit.active = False
            self.lit = None
        if self.helper is not None and output.strip():  # MkDocs writes no empty page
            self._hand(self.helper.output, page.file.dest_uri, output)
        return output

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        """The page's "Signaler un problème" links, for the theme (partials/actions.html)."""
        page.meta.pop(META_KEY, None)  # never what a page's front matter says
        if self.subjects is not None:
            links = feedback_links(
                self.subjects.get(page.file.src_uri), page.meta.get("title") or page.title or config.site_name,
                page.url, site_url=config.site_url, repo_url=config.repo_url, fallback_contact=self.mailbox,
            )
            page.meta[META_KEY] = {"label": links.label, "issue": links.issue, "mail": links.mail}
        return markdown

    def on_nav(self, nav: Any, *, config: Any, files: Any) -> Any:
        """Sections are named after their folder; a folder name has no accents."""
        for item in nav.items:
            if getattr(item, "is_section", False):
                folder = next((child.file.src_uri.split("/")[0] for child in item.children
                               if getattr(child, "is_page", False)), None)
                item.title = SECTION_TITLES.get(folder, item.title)
        # The nav's pages by source path: a record's page lights its section.
        self.sections = {page.file.src_uri: page for page in nav.pages}
        return nav

    @event_priority(-100)  # last: what other plugins add to the content is cleaned too
    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
        html = sanitise(html)
        title = str(page.meta.get("title", page.title))
        if self.helper is not None:
            self._hand(self.helper.content, page.url, html, title, page.meta.get("search"))
        else:
            self.search_memo.put(page.url, page_documents(html, page.url, title, page.meta))
        return html

    def on_post_build(self, *, config: Any) -> None:
        self.built = True
        if self.command == "serve" and self.dirty and self.result is not None:
            # A dirty build writes what changed and removes nothing: the page
            # of a deleted record goes with its Markdown.
            for relative in self.result.removed:
                if relative.endswith(".md"):
                    page = Path(config.site_dir) / page_address(relative).lstrip("/") / "index.html"
                    page.unlink(missing_ok=True)
        if self.helper is not None:
            helper, self.helper = self.helper, None
            problems = self._hand(helper.finish, Path(config.site_dir)).problems
        else:
            self.search_memo.forget(
                page_address(r).lstrip("/") for r in (self.result.removed if self.result else []) if r.endswith(".md"))
            write_prepared_index(Path(config.site_dir), self.search_pages, self.search_memo)
            problems = scan_site(Path(config.site_dir), self.scanned)
        if problems:
            self.stopped = describe_problems(problems)
            raise Abort(f"Repères : {self.stopped}")

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        """Rebuild when a record, a guide, a hand-written page or an image
        changes (schemes/ is in mkdocs.yml's watch, each folder of docs/ is
        watched here), not when a page is generated: docs_dir (docs/genere/)
        is written by every rebuild, whose own pages would start another one
        (and reload the browser twice), and it holds nothing written by hand.
        The theme (docs/theme/) is watched by `mkdocs serve --watch-theme`."""
        try:
            server.unwatch(config.docs_dir)
        except KeyError:  # not watched
            pass
        docs = Path(config.config_file_path).parent / "docs"
        for folder in sorted(docs.iterdir()) if docs.is_dir() else []:
            if folder.name not in UNWATCHED and folder.is_dir() and not folder.is_symlink():
                server.watch(str(folder))
        return server
