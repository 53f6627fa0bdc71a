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
be started. For one-off builds, ``REPERES_AUXILIAIRE=oui`` or ``non`` decides
instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..collector import collector_paused
from .safety import ScanMemo, scan_site, theme_inline_scripts
from .search import IndexAssembly, PageInfo, PreparedIndex, analyse_page, page_documents, write_index

FROM_RECORD_PAGES = 100
CHOICE = "REPERES_AUXILIAIRE"  # oui: always a helper process; non: never; otherwise by size
PENDING_MESSAGES = 64  # pages waiting for the helper (then MkDocs waits for it: memory stays bounded)
WAIT_SECONDS = 0.5  # how often a build waiting for room checks that the helper is alive
STOP_SECONDS = 10.0
M_TRIM_THRESHOLD = -1  # glibc's <malloc.h>
TRIM_BYTES = 32 << 20


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
    peak_kib: int  # the helper's peak memory (VmHWM)
    parsed: int  # pages the final scan parsed (those not handed over, or changed since)


class Helper:
    """The parent's side. Messages are pickled at once (what is sent is what the
    page was then), queued (at most PENDING_MESSAGES) and written to the
    helper's pipe by a thread, so MkDocs does not wait while the helper is busy;
    one answer comes back on another pipe. Each process holds only its own end
    of each pipe: when one dies, the other reads the end of its pipe (or cannot
    write to it) at once, even in the middle of a message."""

    def __init__(self, pages: dict[str, PageInfo]) -> None:
        # A fresh interpreter (spawn): nothing of the build's memory is copied, no thread forked.
        context = multiprocessing.get_context("spawn")
        inbox, self._inbox = context.Pipe(duplex=False)
        self._answers, answers = context.Pipe(duplex=False)
        self._process = context.Process(target=_serve, args=(inbox, answers), name="reperes-auxiliaire", daemon=True)
        with _interrupts_ignored():  # Ctrl-C while the helper starts is the build's, not the helper's
            self._process.start()
        inbox.close()
        answers.close()
        self._pending: queue.Queue[bytes | None] = queue.Queue(maxsize=PENDING_MESSAGES)
        self._broken = False  # the helper's pipe is closed: it has ended
        self._sender = threading.Thread(target=self._send_all, name="reperes-auxiliaire-envoi", daemon=True)
        self._sender.start()
        self._put(("records", pages))

    def content(self, path: str, html: str, title: str, search: Any) -> None:
        """A page's sanitised content (``on_page_content``): its search documents."""
        self._put(("content", path, html, title, search))

    def contents_done(self) -> None:
        """Every page's content has been sent (``on_env``): the index can be assembled."""
        self._put(("assemble",))

    def output(self, relative: str, html: str) -> None:
        """A page about to be written at *relative* in the site (``on_post_page``)."""
        self._put(("output", relative, html))

    def finish(self, site_dir: Path) -> Report:
        """Write the prepared index into *site_dir* and scan it; the helper then ends.
        Raises HelperError (it ended without answering) or HelperFailed (its code failed)."""
        try:
            self._put(("finish", str(site_dir)))
            try:
                answer = self._answers.recv()
            except EOFError:
                raise self._lost() from None
        except BaseException:
            self.close(wait=False)
            raise
        self.close()
        if answer[0] == "error":
            failure = HelperFailed(answer[1])
            failure.add_note(f"dans le processus auxiliaire :\n{answer[2]}")
            raise failure
        return Report(*answer[1:])

    def close(self, wait: bool = True) -> None:
        """End the helper: after its answer, let it end (*wait*); otherwise at once."""
        if wait:
            self._process.join(STOP_SECONDS)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_SECONDS)
        self._broken = True  # the sender drops what is left, and ends at None
        while self._sender.is_alive():
            with contextlib.suppress(queue.Full):
                self._pending.put(None, timeout=WAIT_SECONDS)
                break
        self._sender.join(STOP_SECONDS)
        self._answers.close()

    def _put(self, message: tuple[Any, ...]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        while not self._broken:
            try:
                self._pending.put(data, timeout=WAIT_SECONDS)
                return
            except queue.Full:
                if not self._process.is_alive():
                    break
        raise self._lost()

    def _send_all(self) -> None:
        """The sender thread: queued messages to the helper's pipe, until told to stop
        or until the pipe is closed (the helper ended: what is left is dropped)."""
        while (data := self._pending.get()) is not None:
            if self._broken:
                continue
            try:
                self._inbox.send_bytes(data)
            except OSError:
                self._broken = True
        self._inbox.close()  # here: no other thread writes to it

    def _lost(self) -> HelperError:
        self._process.join(1)  # it is ending: its exit code
        code = self._process.exitcode
        if code is not None and code < 0:
            reason = f"signal {-code}" + (" : mémoire insuffisante ?" if -code == signal.SIGKILL else "")
        elif code is not None:
            reason = f"code de sortie {code}"
        else:
            reason = "sans code de sortie"
        return HelperError(
            f"le processus auxiliaire (index de recherche, analyse du site) s'est arrêté sans répondre ({reason}) : "
            "construction arrêtée ; relancez-la, ou avec REPERES_AUXILIAIRE=non pour tout faire dans un seul processus"
        )


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """SIGINT ignored while a process starts: it inherits that, and keeps it
    (Python installs its Ctrl-C handler only where SIGINT is not ignored)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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
            self.prepared.encode_all()  # the JSON too, while MkDocs renders: « finish » only writes it

    def output(self, relative: str, html: str) -> None:
        start = _cpu()
        # The bytes MkDocs writes (mkdocs.commands.build._build_page)
        self.scans.prescan(relative, html.encode("utf-8", errors="xmlcharrefreplace"), self.allowed)
        self.cpu["scan"] += _cpu() - start

    def finish(self, site: str) -> tuple[list[str], dict[str, float], int, int]:
        start = _cpu()
        if self.prepared is None:  # a page's content came after « assemble »
            self._assemble()
        write_index(Path(site), self.prepared)
        self.prepared, self.assembly = None, IndexAssembly({})
        self.cpu["index"] += _cpu() - start
        start = _cpu()
        problems = scan_site(Path(site), self.scans)
        self.cpu["scan"] += _cpu() - start
        return problems, {**self.cpu, "total": _cpu()}, _peak_kib(), self.scans.parsed


def _serve(inbox: Any, answers: Any) -> None:
    """The helper process: every message in order, then one answer. The end
    of its pipe before « finish » (the build ended or was killed): it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the build, which ends the helper
    _keep_freed_memory()
    try:
        worker = _Worker()
        while True:
            try:
                message = pickle.loads(inbox.recv_bytes())
            except (EOFError, OSError):  # the pipe's end, even in the middle of a message
                return
            if message[0] == "finish":
                answer: tuple[Any, ...] = ("done", *worker.finish(*message[1:]))
                break
            getattr(worker, message[0])(*message[1:])
    except BaseException as exc:  # noqa: BLE001 - told to the build, which fails with it
        answer = ("error", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    with contextlib.suppress(OSError):  # the build is gone: nobody to tell
        answers.send(answer)


def _keep_freed_memory() -> None:
    """Memory freed at the top of the heap kept (up to TRIM_BYTES) for what is
    allocated next, rather than given back to the system at once (glibc).

    Each page's tree is built, then freed: given back, its memory had to be
    asked for and zeroed again, page by page, for the next page (480,000 page
    faults for 1,000 schemes, a third of the parse's time). The peak does not
    move: what is kept is what the next page uses. Elsewhere (no glibc), nothing
    changes."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this interpreter runs on
    except (OSError, AttributeError):
        return
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    mallopt(M_TRIM_THRESHOLD, TRIM_BYTES)


def _cpu() -> float:
    return time.process_time()


def _peak_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
    except (OSError, StopIteration, ValueError):
        import resource  # not on Windows, where /proc is not either

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
