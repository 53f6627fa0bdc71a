"""Search timings in a real Chromium, for `make bench` (and runnable alone).

``measure(site_dir)`` serves a built site on 127.0.0.1 and drives Debian's
Chromium (Playwright, no browser download):

- first results after load: a ``?q=`` link opened in a fresh browser context
  (nothing cached), once Chromium has finished setting the new context up
  (``settle_browser``); the time, from the start of the navigation, at which
  the first result item is in the page (performance.now(), recorded in the page);
- keystrokes: in a loaded page, each query typed one character at a time; for
  each character, the time from the key event to the results being rendered
  (the list or the "no result" line changed), before the next character.

Figures, not a test: nothing here fails on a slow machine.

Alone: ``python tests/bench/search_bench.py SITE_DIR [--runs N]`` prints the
figures; without SITE_DIR, it builds the sample site in a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from conftest import CHROMIUM_ARGS, FIRST_RESULT_PROBE, chromium_path, served  # noqa: E402  (the browser tests' Chromium and server)

TIMEOUT = 60_000  # ms

# A ?q= link an agent could receive: words of every scheme page, sample or synthetic.
DEEP_LINK_QUERY = "chomage partiel"
# Typed one character at a time: common words, a number, a typo, an uncovered subject.
TYPED_QUERIES = ["chomage partiel", "aide embauche 12", "prime apprenti", "paiement suspendu",
                 "rembourssement", "retraite"]


# Types each query, one character at a time, and times each keystroke's results.
TYPE_QUERIES = """async (queries) => {
  const input = document.querySelector(".md-search__input")
  const list = document.querySelector(".md-search-result__list")
  const meta = document.querySelector(".md-search-result__meta")
  const keystroke = value => new Promise(resolve => {
    let start = 0
    const observer = new MutationObserver(() => {
      observer.disconnect()
      clearTimeout(timer)
      resolve(performance.now() - start)
    })
    const timer = setTimeout(() => { observer.disconnect(); resolve(null) }, 10000)
    observer.observe(list, { childList: true })
    observer.observe(meta, { childList: true, characterData: true, subtree: true })
    input.value = value
    start = performance.now()
    input.dispatchEvent(new KeyboardEvent("keyup", { key: value.slice(-1), bubbles: true }))
  })
  const times = []
  input.focus()
  for (const query of queries) {
    for (let i = 1; i <= query.length; i++)
      times.push(await keystroke(query.slice(0, i)))
    await keystroke("")
  }
  return times
}"""

RESULTS_RENDERED = """() => {
  const list = document.querySelector(".md-search-result__list")
  return !!list && list.children.length > 0
}"""


def _chromium_cpu() -> float | None:
    """CPU seconds used so far by the Chromium this process launched (Linux /proc:
    the processes descending from this one, not another user's browser), None elsewhere."""
    if not os.path.isdir("/proc"):
        return None
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        parents[int(pid)] = int(fields[1])  # ppid
        ticks[int(pid)] = int(fields[11]) + int(fields[12])  # utime, stime
    ours, frontier = set(), [os.getpid()]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in ours]
        ours.update(children)
        frontier.extend(children)
    return sum(ticks[pid] for pid in ours) / os.sysconf("SC_CLK_TCK")


def settle_browser(timeout: float = 5.0) -> None:
    """Wait until Chromium is idle: a new context and page make it load its
    own interface in the background (0.6 to 1.5 s of CPU here, for about
    0.75 s), which on 2 cores would be counted in our page's load. An agent's
    browser is already open when a link is clicked; the site's files are
    still fetched fresh (new context, nothing cached)."""
    deadline = time.monotonic() + timeout
    before = _chromium_cpu()
    if before is None:
        time.sleep(1.5)
        return
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = _chromium_cpu() or 0.0
        if now - before < 0.02:  # less than 8 % of a core over the last quarter second
            return
        before = now


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(site_dir: Path, *, runs: int = 5, deep_link_query: str = DEEP_LINK_QUERY,
            typed: list[str] | None = None) -> dict[str, object]:
    """Search timings of a built site, in milliseconds (medians and ranges over *runs*)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium introuvable (paquet Debian « chromium »)")
    typed = TYPED_QUERIES if typed is None else typed
    first: list[float] = []
    keystrokes: list[float] = []
    missed = 0
    with served(Path(site_dir)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
                try:
                    page = context.new_page()
                    page.add_init_script(FIRST_RESULT_PROBE)
                    settle_browser()
                    page.goto(f"{url}?q={quote(deep_link_query)}")
                    page.wait_for_function("() => window.__reperesFirstResult !== undefined", timeout=TIMEOUT)
                    first.append(page.evaluate("() => window.__reperesFirstResult"))
                finally:
                    context.close()
            context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
            try:
                page = context.new_page()
                page.goto(f"{url}?q={quote(deep_link_query)}")  # the worker is ready once results show
                page.wait_for_function(RESULTS_RENDERED, timeout=TIMEOUT)
                for _ in range(max(1, runs // 2)):
                    times = page.evaluate(TYPE_QUERIES, typed)
                    missed += sum(1 for t in times if t is None)
                    keystrokes.extend(t for t in times if t is not None)
            finally:
                context.close()
        finally:
            browser.close()
    search = Path(site_dir) / "search"
    return {
        "first_result_ms": statistics.median(first),
        "first_result_range_ms": (min(first), max(first)),
        "keystroke_median_ms": statistics.median(keystrokes),
        "keystroke_p90_ms": _percentile(keystrokes, 0.9),
        "keystroke_max_ms": max(keystrokes),
        "keystrokes": len(keystrokes),
        "keystrokes_without_result": missed,
        "index_bytes": sum(f.stat().st_size for f in search.glob("*.*")) if search.is_dir() else 0,
        # what the worker fetches before it ranks: the index and its words file, not the texts' chunks
        "index_first_bytes": sum(f.stat().st_size for f in search.glob("reperes-index.*")) if search.is_dir() else 0,
    }


def describe(figures: dict[str, object]) -> str:
    """French lines for `make bench`, each against its goal."""
    def ms(value: object) -> str:
        return f"{float(value):.0f} ms".replace(".", ",")  # type: ignore[arg-type]

    low, high = figures["first_result_range_ms"]  # type: ignore[misc]
    first = float(figures["first_result_ms"])  # type: ignore[arg-type]
    median = float(figures["keystroke_median_ms"])  # type: ignore[arg-type]
    lines = [
        f"recherche, premiers résultats d'un lien ?q= après chargement : {ms(first)} "
        f"(de {ms(low)} à {ms(high)} ; objectif ≤ 1 000 ms : {'atteint' if first <= 1000 else 'NON ATTEINT'})",
        f"recherche, frappe (médiane sur {figures['keystrokes']} touches) : {ms(median)}, 90e centile "
        f"{ms(figures['keystroke_p90_ms'])}, maximum {ms(figures['keystroke_max_ms'])} "
        f"(objectif médiane ≤ 50 ms : {'atteint' if median <= 50 else 'NON ATTEINT'})",
        f"recherche, index téléchargé : {int(figures['index_bytes']) / 1024 / 1024:.1f} Mio, dont "  # type: ignore[arg-type]
        f"{int(figures['index_first_bytes']) / 1024 / 1024:.1f} Mio pour classer les résultats (les textes des pages affichées en plus)".replace(".", ","),  # type: ignore[arg-type]
    ]
    if figures["keystrokes_without_result"]:
        lines.append(f"recherche : {figures['keystrokes_without_result']} touches sans résultat affiché en 10 s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Temps de la recherche dans Chromium, sur un site construit.")
    parser.add_argument("site", nargs="?", type=Path, help="dossier du site construit (par défaut : le site d'exemple)")
    parser.add_argument("--runs", type=int, default=5, help="chargements mesurés (5 par défaut)")
    args = parser.parse_args(argv)
    if args.site is not None:
        print(describe(measure(args.site, runs=args.runs)))
        return 0
    sys.path.insert(0, str(ROOT))
    from generator.site.build import build_site

    with tempfile.TemporaryDirectory(prefix="reperes-bench-recherche-") as tmp:
        site = Path(tmp) / "site"
        build_site(ROOT, site=site, allow_shallow=True)
        print(describe(measure(site, runs=args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
