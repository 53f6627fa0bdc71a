"""The search index and the scan of a large build, in a second process.

MkDocs converts and renders the pages one after the other, on one core. On a
large site the plugin (plugin.py) hands each page's sanitised content
(``on_page_content``) and each page as it is about to be written
(``on_post_page``) to a helper process, which extracts and analyses the
search documents (search.py) and parses the page for the scan (safety.py)
while MkDocs goes on with the next pages on the other core; the index is
assembled as soon as every page's content is known (``on_env``), while the
pages are rendered. ``on_post_build`` then waits for the helper to write the
prepared index and to scan the whole built folder, exactly as the plugin
does in process: every file is read again, and a page parsed before it was
written counts only if the file holds the same bytes (``ScanMemo.prescan``).

At 1,000 schemes this takes the search documents, the index and the scan
(about a third of the time our plugin adds to MkDocs) out of the build's
waiting time; the CPU time is the same, spent on the machine's other core.

The work stays in process for small builds (fewer than ``FROM_RECORD_PAGES``
record pages: starting a Python process and importing the parsers costs more
than it saves), on a single core (the helper would only take turns with
MkDocs), under `mkdocs serve` (a `--dirty` rebuild redoes a few pages,
and the index's memo lives between rebuilds) and wherever a process cannot
be started. ``REPERES_AUXILIAIRE=oui`` or ``non`` decides instead.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import resource
import signal
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..collector import collector_paused
from .safety import ScanMemo, scan_site, theme_inline_scripts
from .search import (
    IndexAssembly,
    IndexMemo,
    PageInfo,
    PreparedIndex,
    analyse_page,
    page_documents,
    write_prepared_index,
)

FROM_RECORD_PAGES = 100
CHOICE = "REPERES_AUXILIAIRE"  # oui: always a helper process; non: never; otherwise by size
ANSWER_CHECK_SECONDS = 0.5  # how often the build, waiting for the answer, checks the helper is alive
PARENT_CHECK_SECONDS = 1.0  # how often an idle helper checks the build is alive (killed: it ends too)
STOP_SECONDS = 10.0


def wanted(record_pages: int) -> bool:
    """Whether a one-off build of a site with *record_pages* record pages uses a helper."""
    choice = os.environ.get(CHOICE, "").strip().lower()
    if choice == "oui":
        return True
    if choice == "non":
        return False
    return record_pages >= FROM_RECORD_PAGES and usable_cores() >= 2


def usable_cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class HelperError(RuntimeError):
    """The helper stopped without an answer; the message is French."""


class HelperFailed(RuntimeError):
    """An error in the helper's code (an internal error, as it would be in process):
    its type and message, its traceback in the notes."""


@dataclass
class Report:
    """The helper's answer: the scan's findings, and what it cost (for `make bench`)."""

    problems: list[str]
    cpu: dict[str, float]  # seconds: "index" (documents, analysis, files), "scan", "total" (imports included)
    peak_kib: int  # the helper's VmHWM


class Helper:
    """The parent's side: messages go through a queue (its feeder thread writes
    them, MkDocs does not wait for the helper), one answer comes back."""

    def __init__(self, pages: dict[str, PageInfo]) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: `mkdocs serve` has threads
        self._inbox: Any = context.Queue()
        self._outbox: Any = context.Queue()
        self._process = context.Process(
            target=_serve, args=(self._inbox, self._outbox), name="reperes-auxiliaire", daemon=True)
        self._process.start()
        self._inbox.put(("records", pages))

    def content(self, path: str, html: str, title: str, search: Any) -> None:
        """A page's sanitised content (``on_page_content``): its search documents."""
        self._inbox.put(("content", path, html, title, search))

    def contents_done(self) -> None:
        """Every page's content has been sent (``on_env``): the index can be assembled."""
        self._inbox.put(("assemble",))

    def output(self, relative: str, html: str) -> None:
        """A page about to be written at *relative* in the site (``on_post_page``)."""
        self._inbox.put(("output", relative, html))

    def finish(self, site_dir: Path) -> Report:
        """Write the prepared index into *site_dir* and scan it; the helper then ends."""
        self._inbox.put(("finish", str(site_dir)))
        try:
            answer = self._answer()
        finally:
            self.close()
        if answer[0] == "error":
            failure = HelperFailed(answer[1])
            failure.add_note(f"dans le processus auxiliaire :\n{answer[2]}")
            raise failure
        return Report(*answer[1:])

    def _answer(self) -> tuple[Any, ...]:
        while True:
            try:
                return self._outbox.get(timeout=ANSWER_CHECK_SECONDS)
            except queue.Empty:
                if self._process.is_alive():
                    continue
            try:  # it may have answered just before it ended
                return self._outbox.get(timeout=ANSWER_CHECK_SECONDS)
            except queue.Empty:
                raise HelperError(
                    "le processus auxiliaire (index de recherche, analyse du site) s'est arrêté sans répondre "
                    f"(code {self._process.exitcode}) : site non construit",
                ) from None

    def close(self, wait: bool = True) -> None:
        """End the helper: after its answer, let it end (*wait*); otherwise at once."""
        if wait:
            self._process.join(STOP_SECONDS)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_SECONDS)
        self._inbox.cancel_join_thread()  # what is still queued goes nowhere
        self._inbox.close()
        self._outbox.close()


# --- the helper's side --------------------------------------------------------------------


class _Worker:
    """What the plugin does in process (plugin.py), message by message. Each
    page's documents are analysed and merged into the index as they come
    (``IndexAssembly``): nothing else of them is kept."""

    def __init__(self) -> None:
        self.scans = ScanMemo()
        self.allowed = theme_inline_scripts()  # scan_site's default: the installed Material's
        self.assembly = IndexAssembly({})
        self.prepared: PreparedIndex | None = None  # the assembly's result, while no page came after it
        self.cpu = {"index": 0.0, "scan": 0.0}

    def records(self, pages: dict[str, PageInfo]) -> None:
        self.assembly = IndexAssembly(pages)
        self.prepared = None

    def content(self, path: str, html: str, title: str, search: Any) -> None:
        start = _cpu()
        docs = page_documents(html, path, title, {} if search is None else {"search": search})
        if docs:  # as IndexMemo.prepared: a page without documents has no row
            with collector_paused():
                self.assembly.add(path, analyse_page(path, docs, self.assembly.pages.get(path, PageInfo())))
        self.prepared = None
        self.cpu["index"] += _cpu() - start

    def assemble(self) -> None:
        start = _cpu()
        self._assemble()
        self.cpu["index"] += _cpu() - start

    def _assemble(self) -> None:
        with collector_paused():
            self.prepared = self.assembly.result()

    def output(self, relative: str, html: str) -> None:
        start = _cpu()
        # The bytes MkDocs writes (mkdocs.commands.build._build_page)
        self.scans.prescan(relative, html.encode("utf-8", errors="xmlcharrefreplace"), self.allowed)
        self.cpu["scan"] += _cpu() - start

    def finish(self, site: str) -> tuple[list[str], dict[str, float], int]:
        start = _cpu()
        if self.prepared is None:  # a page's content came after « assemble »
            self._assemble()
        write_prepared_index(Path(site), self.assembly.pages, IndexMemo(), self.prepared)
        self.prepared, self.assembly = None, IndexAssembly({})
        self.cpu["index"] += _cpu() - start
        start = _cpu()
        problems = scan_site(Path(site), self.scans)
        self.cpu["scan"] += _cpu() - start
        return problems, {**self.cpu, "total": _cpu()}, _peak_kib()


def _serve(inbox: Any, outbox: Any) -> None:
    """The helper process: every message in order, then one answer."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which ends the helper
    parent = multiprocessing.parent_process()
    gc.freeze()  # the modules just imported: never walked again by the collector
    try:
        worker = _Worker()
        while True:
            try:
                message = inbox.get(timeout=PARENT_CHECK_SECONDS)
            except queue.Empty:
                if parent is not None and not parent.is_alive():
                    return  # the build was killed
                continue
            kind = message[0]
            if kind == "finish":
                outbox.put(("done", *worker.finish(*message[1:])))
                return
            getattr(worker, kind)(*message[1:])
    except BaseException as exc:  # noqa: BLE001 - told to the build, which fails with it
        outbox.put(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    finally:
        outbox.close()
        outbox.join_thread()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
