"""Child process of `make bench`: one real command, timed phase by phase.

    python phases.py REPO OUTPUT.json build  [reperes build arguments…]
    python phases.py REPO OUTPUT.json generate PROJECT DATE

``build`` runs `reperes build` itself (generator.cli.main, as the command
line does); ``generate`` runs only what precedes MkDocs in every build
(``generate_pages``: check, history, pages), for sizes where MkDocs is not
measured. The functions each phase goes through are wrapped where the build
looks them up (module globals), so the command runs unchanged; a phase whose
function is not found (the code moved) is reported as not measured, never
guessed. OUTPUT.json receives the wall and CPU time, the exit code, each phase's
wall and CPU seconds and calls, and the process's peak memory (VmHWM) just before exit.

A large build does the search index and the scan in a helper process
(generator/site/aside.py): its answer says what each cost it (CPU seconds), which
count in those phases, the rest of its time (starting, importing, reading its
messages) as the phase « auxiliaire », and its peak memory (``helper_rss_kib``).
Its CPU time is also in the build's (the helper is waited for).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import sys
import time
from pathlib import Path

from measured import cpu_seconds  # this script's folder is first on sys.path

# phase name -> (module, attribute) of the function that phase goes through
PHASES = {
    "check": [("generator.site.build", "load_corpus"), ("generator.site.build", "check_links")],
    "history": [("generator.site.build", "read_history")],
    "render": [("generator.site.build", "render_pages")],
    "generate": [("generator.site.build", "generate")],
    "mkdocs": [("mkdocs.commands.build", "build")],
    "sanitise": [("generator.site.plugin", "sanitise")],
    "scan": [("generator.site.plugin", "scan_site")],
    # the documents of each page (in on_page_content), then the prepared index
    "index": [("generator.site.plugin", "page_documents"), ("generator.site.plugin", "write_prepared_index")],
}


class Timed:
    """Wraps a function and adds up the wall and CPU time spent in it (outermost calls)."""

    def __init__(self, func) -> None:
        self.func, self.total, self.cpu, self.calls, self.depth = func, 0.0, 0.0, 0, 0

    def __call__(self, *args, **kwargs):
        self.depth += 1
        start, start_cpu = time.perf_counter(), cpu_seconds()
        try:
            return self.func(*args, **kwargs)
        finally:
            self.depth -= 1
            if not self.depth:
                self.total += time.perf_counter() - start
                self.cpu += cpu_seconds() - start_cpu
                self.calls += 1


def install() -> dict[str, list[Timed]]:
    timers: dict[str, list[Timed]] = {}
    for phase, places in PHASES.items():
        for module_name, attribute in places:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            func = getattr(module, attribute, None)
            if callable(func):
                timer = Timed(func)
                setattr(module, attribute, timer)
                timers.setdefault(phase, []).append(timer)
    return timers


class HelperReports:
    """Wraps ``Helper.finish`` and keeps what the helper answered."""

    def __init__(self) -> None:
        self.reports: list = []

    def install(self) -> None:
        try:
            from generator.site import aside
        except ImportError:
            return
        finish = aside.Helper.finish

        def recorded(helper, *args, **kwargs):
            report = finish(helper, *args, **kwargs)
            self.reports.append(report)
            return report

        aside.Helper.finish = recorded

    def add_to(self, phases: dict) -> int | None:
        """The helpers' CPU into *phases*; their largest peak memory (KiB), None without a helper."""
        if not self.reports:
            return None
        for report in self.reports:
            own = report.cpu["total"] - report.cpu["index"] - report.cpu["scan"]
            for phase, cpu in (("index", report.cpu["index"]), ("scan", report.cpu["scan"]), ("auxiliaire", own)):
                entry = phases.setdefault(phase, {"seconds": 0.0, "cpu": 0.0, "calls": 0})
                entry["seconds"] += cpu
                entry["cpu"] += cpu
                entry["calls"] += 1
        return max(report.peak_kib for report in self.reports)


def peak_kib() -> int:
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])


def main() -> None:
    repo, output, mode, *rest = sys.argv[1:]
    sys.path.insert(0, repo)
    timers = install()
    helpers = HelperReports()
    helpers.install()
    start, start_cpu = time.perf_counter(), cpu_seconds()
    if mode == "build":
        from generator.cli import main as cli_main

        code = cli_main(["build", *rest])
        written = None
    else:
        from generator.site.build import BuildState, generate_pages

        logging.getLogger("mkdocs").setLevel(logging.ERROR)
        result = generate_pages(Path(rest[0]), BuildState(), today=dt.date.fromisoformat(rest[1]))
        code = 1 if result.corpus.errors else 0
        written = len(result.written)
    wall, cpu = time.perf_counter() - start, cpu_seconds() - start_cpu
    phases = {
        phase: {"seconds": sum(t.total for t in found), "cpu": sum(t.cpu for t in found),
                "calls": sum(t.calls for t in found)}
        for phase, found in timers.items()
    }
    helper_kib = helpers.add_to(phases)
    Path(output).write_text(json.dumps({
        "wall": wall, "cpu": cpu, "code": code, "phases": phases, "rss_kib": peak_kib(), "written": written,
        "helper_rss_kib": helper_kib,
    }), encoding="utf-8")


if __name__ == "__main__":
    main()
