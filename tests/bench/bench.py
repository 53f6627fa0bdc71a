"""`make bench`: the figures of issue 11, side by side, at several sizes.

    python tests/bench/bench.py [--tailles 100,1000,3000] [--commits 5000]
                                [--budget 900] [--serve-jusqua 1000]
                                [--resultats FICHIER.json]
    python tests/bench/bench.py --tableau run1.json run2.json run3.json

For each size, a synthetic project (tests/bench/synthetic.py) in a git
repository of 5,000 commits, merge commits included (history_bench.py), then:

- `reperes check` in-process (discovery, strict loading, validation, the
  rules between records, internal links), best of several runs, against two
  floors: a libyaml *event* pass (``yaml.parse`` with the C parser: what the
  strict loader reads, its true floor) and a full ``CSafeLoader`` load; the
  real command in its own process, wall time and peak memory;
- the history read cold (no cache) in its own process;
- the whole `reperes build`, cold (no history cache) and warm, each in its
  own process with its phases (check, history, generate, MkDocs, the
  allowlist inside MkDocs, scan: phases.py), against a plain `mkdocs build`
  of the same generated pages without our plugin; warm pairs alternated,
  as many as fit in PAIRS_SECONDS (``build_pairs``: 5 at 100 schemes, 3 at
  1,000 here, one where a pair takes longer), each side's least CPU time and
  least wall time kept (noise only ever adds). From 100 schemes the build does its search index and scan
  in a helper process, on the other core (generator/site/aside.py): the
  ratio to MkDocs is then the wall time's, what a user waits for (the CPU
  time, both processes, is shown beside it), and the build's memory the
  largest sum of both processes' (sampled), each one's own peak beside it;
- HTML size per page (median, largest) of the built site;
- search timings from real Chromium, through ``measure(site)`` of
  tests/bench/search_bench.py when that file exists ("non mesuré" otherwise;
  it returns a dict with ``first_result_ms``, ``keystroke_median_ms``,
  ``keystroke_p90_ms``, ``index_bytes``);
- the regeneration after editing one record in a warm process, as under
  `make serve`, with the 5,000-commit history;
- edit to page under `mkdocs serve --dirty` (what `make serve` runs): the server is started on the project,
  a record is edited, the page is polled until it shows the change;
- Zensical (.venv-zensical/, `make zensical-install`) building the same pages,
  then our scan of its output;
- the peak memory (VmHWM) of every child process.

Up to 1,000 schemes (--toujours-jusqua) everything runs; above, a build
whose projected time (from the smaller sizes of the same run) is over
--budget seconds is not run and is shown as such: at 3,000 schemes the
MkDocs builds may be left out, never silently.

One table is printed, French labels, each figure next to its goal. With
--resultats the figures are also written as JSON; --tableau prints one
table from several such files, each figure as the range over the runs.

A benchmark prints figures; it never fails on a slow machine.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from history_bench import build_repository, count_commits, measure_history  # noqa: E402
from measured import cpu_seconds, run_measured, run_sampled  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from test_serve import fetch, free_port  # noqa: E402  (the serve tests' port and polling)

BUILD_DATE = dt.date(2026, 11, 27)
PLAIN_CONFIG = "mkdocs-sans-reperes.yml"
ZENSICAL_CONFIG = "mkdocs-zensical-banc.yml"
ZENSICAL_PYTHON = ROOT / ".venv-zensical" / "bin" / "python"
EDITED = "dispositif-0005"
MB = 1e6  # goals are in MB (10^6 bytes), as issue 11 writes them


# --- The project -----------------------------------------------------------------


def prepare_project(root: Path, schemes: int, commits: int) -> Path:
    """Synthetic records in a repository of *commits* commits; mkdocs.yml, the theme, the contributor pages."""
    build_repository(root, schemes, commits)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("custom_dir: docs/theme", f"custom_dir: {ROOT / 'docs' / 'theme'}")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    # The same site without our plugin: what MkDocs alone costs.
    plain = re.sub(r"\n  - reperes\n", "\n", config)
    (root / PLAIN_CONFIG).write_text(plain, encoding="utf-8")
    for folder in ("contribuer",):  # the guides name the sample records: not copied
        if (ROOT / "docs" / folder).is_dir():
            shutil.copytree(ROOT / "docs" / folder, root / "docs" / folder)
    (root / "docs" / "genere").mkdir(parents=True, exist_ok=True)
    return root


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


# --- Check -----------------------------------------------------------------------


def best_of(runs: int, **funcs) -> dict[str, float]:
    """Least CPU time of *runs* calls of each function (single-threaded work: what it costs,
    whatever the machine's load), called in turn: a ratio of two of them compares calls made
    under the same conditions, not one side's quiet minute with the other's busy one."""
    best = dict.fromkeys(funcs, math.inf)
    for _ in range(runs):
        for name, func in funcs.items():
            start = cpu_seconds()
            func()
            best[name] = min(best[name], cpu_seconds() - start)
    return best


def event_floor(files: list[Path]) -> None:
    """What the strict loader cannot go below: reading each file and libyaml's events."""
    for path in files:
        for _ in yaml.parse(path.read_bytes(), Loader=yaml.CSafeLoader):
            pass


def full_load_floor(files: list[Path]) -> None:
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def in_process_check(project: Path, links: bool = True) -> None:
    """What `reperes check` does, without printing (*links*: with the internal links' check)."""
    from generator.records.corpus import load_corpus
    from generator.site.links import check_links

    corpus = load_corpus(project / "schemes", base=project)
    if links:
        corpus.errors.extend(check_links(corpus))
    if corpus.errors:
        raise SystemExit(f"corpus synthétique invalide : {corpus.errors[0].format_text()}")


CHECK_RUNS = 5  # the check and its floors take a second or two at 1,000 schemes: more calls, less noise


def bench_check(project: Path, runs: int, figures: dict) -> None:
    files = sorted((project / "schemes").rglob("*.yml"))
    figures["files"] = len(files)
    figures["corpus_mib"] = sum(p.stat().st_size for p in files) / 1024 / 1024
    in_process_check(project)  # valid, and warm caches of the OS
    figures.update(best_of(
        max(runs, CHECK_RUNS),
        check_cpu=lambda: in_process_check(project),
        load_cpu=lambda: in_process_check(project, links=False),
        events_cpu=lambda: event_floor(files),
        csafe_cpu=lambda: full_load_floor(files),
    ))
    record_measured(figures, "check_cmd", "reperes check", run_measured(["generator", "check"], project, child_env()))


def least_cpu(runs: list, cpu, code):
    """The run of least CPU time among those that succeeded (a failure stops early:
    never the figure kept while another run succeeded)."""
    succeeded = [run for run in runs if not code(run)]
    return min(succeeded or runs, key=cpu)


def record_measured(figures: dict, key: str, what: str, measured) -> None:
    figures[f"{key}_s"], figures[f"{key}_cpu"] = measured.wall, measured.cpu
    figures[f"{key}_rss_mb"] = measured.peak_mib * 1024 * 1024 / MB
    if measured.code:
        said = f" ; fin de sa sortie d'erreur : {measured.error}" if measured.error else ""
        figures.setdefault("problems", []).append(f"{what} : code de sortie {measured.code}{said}")


# --- Builds ------------------------------------------------------------------------


def run_phases(project: Path, mode: str, *args: str) -> dict:
    with tempfile.NamedTemporaryFile("r", suffix=".json", dir=project.parent) as out:
        wall, cpu, code, _, tree_kib = run_sampled(
            [sys.executable, str(HERE / "phases.py"), str(ROOT), out.name, mode, *args], project, child_env())
        text = Path(out.name).read_text(encoding="utf-8")
    result = json.loads(text) if text else {"code": code or -1}
    # The whole process (interpreter, imports, exit), as a plain mkdocs build is measured;
    # phases.py's own figures start after its imports: they give the phases.
    result.update(process_wall=wall, process_cpu=cpu, tree_rss_kib=tree_kib)
    return result


def record_build(figures: dict, key: str, result: dict, wall: float | None = None) -> None:
    """*wall*: the least wall time of several runs (default: this run's)."""
    figures[f"{key}_s"] = wall or result.get("process_wall") or result.get("wall")
    figures[f"{key}_cpu"] = result.get("process_cpu") or result.get("cpu")
    main_kib, helper_kib = result.get("rss_kib"), result.get("helper_rss_kib")
    figures[f"{key}_main_rss_mb"] = main_kib * 1024 / MB if main_kib else None
    figures[f"{key}_helper_rss_mb"] = helper_kib * 1024 / MB if helper_kib else None
    # Both processes: the larger of their sampled sum and the sum of their own peaks (which may
    # not be at the same moment: an upper bound); one process: its own peak.
    peak_kib = max(result.get("tree_rss_kib") or 0, (main_kib or 0) + (helper_kib or 0))
    figures[f"{key}_rss_mb"] = peak_kib * 1024 / MB if peak_kib else None
    phases = result.get("phases", {})
    for phase in ("check", "history", "render", "generate", "mkdocs", "sanitise", "scan", "index", "auxiliaire"):
        figures[f"{key}_{phase}_cpu"] = phases[phase]["cpu"] if phases.get(phase, {}).get("calls") else None
    # Our steps the plugin runs inside the mkdocs build call (the allowlist is counted in MkDocs' share);
    # the helper's CPU time is in that call's (it is waited for there).
    mkdocs, inside = figures.get(f"{key}_mkdocs_cpu"), ("check", "history", "render", "generate", "scan", "index")
    if mkdocs is not None and all(figures.get(f"{key}_{p}_cpu") is not None for p in inside):
        # MkDocs' own share: the mkdocs build call, less our hooks inside it.
        figures[f"{key}_mkdocs_own_cpu"] = mkdocs - sum(figures[f"{key}_{p}_cpu"] for p in inside) - (
            figures.get(f"{key}_auxiliaire_cpu") or 0)
    if result.get("code"):
        figures.setdefault("problems", []).append(f"{key} : code de sortie {result.get('code')}")


def clear_history_cache(project: Path) -> None:
    shutil.rmtree(project / ".cache" / "reperes", ignore_errors=True)


def html_sizes(site: Path, figures: dict) -> None:
    sizes = sorted(p.stat().st_size for p in site.rglob("*.html") if p.name != "404.html")
    if sizes:
        figures["pages"] = len(sizes)
        figures["html_median_kib"] = statistics.median(sizes) / 1024
        figures["html_max_kib"] = sizes[-1] / 1024
        figures["html_total_mib"] = sum(sizes) / 1024 / 1024


# Warm pairs (reperes build, then plain mkdocs build), alternated: as many as fit in this many
# seconds, from what the first pair took, between 2 and MAX_PAIRS (at 1,000 schemes here, 3;
# at 100, 5); one only where a pair takes longer (3,000). The machine's noise only ever adds:
# each side's least time of more pairs is closer to what it costs.
PAIRS_SECONDS = 240
MAX_PAIRS = 5


def build_pairs(pair_seconds: float) -> int:
    if pair_seconds >= PAIRS_SECONDS:
        return 1
    return max(2, min(MAX_PAIRS, int(PAIRS_SECONDS // pair_seconds)))


def measure_plain_mkdocs(project: Path):
    """A plain `mkdocs build` of the same pages (mkdocs.yml without « reperes »)."""
    site = project.parent / "site-mkdocs"
    return run_measured(["mkdocs", "build", "-q", "-f", PLAIN_CONFIG, "-d", str(site)], project, child_env())


def zensical_build(project: Path, figures: dict) -> None:
    if not ZENSICAL_PYTHON.exists():
        figures.setdefault("problems", []).append("Zensical absent (make zensical-install) : non mesuré")
        return
    from generator.site.zensical import zensical_config

    site = project / "site-zensical"  # Zensical wants site_dir inside the project
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    # The configuration `reperes build --moteur zensical` gives Zensical.
    (project / ZENSICAL_CONFIG).write_text(zensical_config(config, site.name), encoding="utf-8")
    measured = run_measured(
        ["zensical", "build", "--clean", "-f", ZENSICAL_CONFIG], project, {**os.environ}, python=str(ZENSICAL_PYTHON))
    record_measured(figures, "zensical", "zensical build", measured)
    if measured.code:
        return
    try:
        from generator.site.safety import scan_site
        from generator.site.zensical import zensical_templates
    except ImportError:
        return
    templates = zensical_templates(ZENSICAL_PYTHON.parent / "zensical")
    start = cpu_seconds()
    problems = scan_site(site, templates=templates)
    figures["zensical_scan_cpu"] = cpu_seconds() - start
    if problems:
        figures.setdefault("problems", []).append(f"analyse du site Zensical : {len(problems)} problème(s)")


def search_timings(site: Path, figures: dict) -> None:
    """Chromium figures from tests/bench/search_bench.py (the search engineer's), when it is there."""
    if not (HERE / "search_bench.py").exists():
        return
    from search_bench import measure

    try:
        found = measure(site)
    except Exception as exc:  # a figure missing, never a crashed bench
        figures.setdefault("problems", []).append(f"recherche : {type(exc).__name__}: {exc}")
        return
    for key, ours, scale in (("first_result_ms", "search_first_s", 1e-3), ("keystroke_median_ms", "search_key_ms", 1),
                             ("keystroke_p90_ms", "search_key_p90_ms", 1), ("index_bytes", "search_index_mib", 2**-20)):
        if found.get(key) is not None:
            figures[ours] = float(found[key]) * scale
    if found.get("keystrokes_without_result"):
        figures.setdefault("problems", []).append(
            f"recherche : {found['keystrokes_without_result']} frappe(s) sans résultat affiché")


# --- Edits ---------------------------------------------------------------------------


def edit_record(project: Path, token: str) -> None:
    """Change what the edited scheme's page shows first (its summary), as a contributor would."""
    path = project / "schemes" / f"{EDITED}.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^resume: >-\n  .*$", f"resume: >-\n  {token}", text, count=1, flags=re.M),
                    encoding="utf-8")


def regeneration(project: Path, figures: dict) -> None:
    """One edited record, pages regenerated in a warm process (what `make serve` does before MkDocs)."""
    import logging

    from generator.site.build import BuildState, generate_pages

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    state = BuildState()
    generate_pages(project, state, today=BUILD_DATE)
    edit_record(project, "Résumé modifié pour la mesure de régénération.")
    start, start_cpu = time.perf_counter(), cpu_seconds()
    result = generate_pages(project, state, today=BUILD_DATE)
    figures["regeneration_s"], figures["regeneration_cpu"] = time.perf_counter() - start, cpu_seconds() - start_cpu
    figures["regeneration_pages"] = len(result.written)


def vmhwm_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            return int(next(line for line in status if line.startswith("VmHWM:")).split()[1]) * 1024 / MB
    except (OSError, StopIteration):
        return None


def serve_loop(project: Path, figures: dict, timeout: float) -> None:
    """What `make serve` runs (`mkdocs serve --dirty`) on the project: seconds
    from saving a record to the page showing it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/dispositifs/{EDITED}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        start = time.perf_counter()
        while fetch(url) is None:
            if server.poll() is not None or time.perf_counter() - start > timeout:
                figures.setdefault("problems", []).append("mkdocs serve : la page n'a jamais été servie")
                return
            time.sleep(0.5)
        figures["serve_start_s"] = time.perf_counter() - start
        time.sleep(2)  # the watcher is armed once the first build is served
        token = f"Résumé modifié à {time.time_ns()}"
        edit_record(project, token)
        start = time.perf_counter()
        while token not in (fetch(url) or ""):
            if server.poll() is not None or time.perf_counter() - start > timeout:
                figures.setdefault("problems", []).append(f"mkdocs serve : modification non servie après {timeout:.0f} s")
                return
            time.sleep(0.05)
        figures["serve_edit_s"] = time.perf_counter() - start
    finally:
        figures["serve_rss_mb"] = vmhwm_mb(server.pid)
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- One size --------------------------------------------------------------------------


class Budget:
    """Projects a build's time at a larger size from the smaller sizes of this run.

    Up to *always* schemes everything runs (the goals are set at 1,000); above,
    a build whose projected wall time exceeds *seconds* is left out, and said so.
    """

    def __init__(self, seconds: float, always: int) -> None:
        self.seconds, self.always = seconds, always
        self.seen: dict[str, list[tuple[int, float]]] = {}

    def projected(self, what: str, size: int) -> float | None:
        points = sorted(self.seen.get(what, []))
        if not points:
            return None
        (n1, t1), (n2, t2) = (points[-2], points[-1]) if len(points) > 1 else ((0, 0.0), points[-1])
        exponent = math.log(t2 / t1) / math.log(n2 / n1) if n1 and t1 > 0 else 1.0
        return t2 * (size / n2) ** max(exponent, 1.0)

    def allows(self, what: str, size: int, figures: dict) -> bool:
        if size <= self.always:
            return True
        estimate = self.projected(what, size)
        if estimate is not None and estimate > self.seconds:
            figures.setdefault("skipped", []).append(
                f"{what} : non lancé, {estimate:.0f} s estimées (au-delà du budget de {self.seconds:.0f} s)")
            return False
        return True

    def add(self, what: str, size: int, seconds: float | None) -> None:
        if seconds:
            self.seen.setdefault(what, []).append((size, seconds))


def bench_size(schemes: int, args: argparse.Namespace, budget: Budget, save=lambda figures: None) -> dict:
    """Every figure at one size; *save* is called with what is measured so far before each step."""
    figures: dict = {"schemes": schemes, "load_start": os.getloadavg()[0]}

    def progress(message: str) -> None:
        save(figures)
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix=f"reperes-bench-{schemes}-") as tmp:
        start = time.perf_counter()
        project = prepare_project(Path(tmp) / "projet", schemes, args.commits)
        figures["repo_s"] = time.perf_counter() - start
        figures["commits"], figures["merges"] = count_commits(project)
        progress(f"{schemes} dispositifs : projet prêt ({figures['commits']} commits) ; vérification")
        bench_check(project, args.runs, figures)

        progress(f"{schemes} dispositifs : historique à froid")
        clear_history_cache(project)
        history = measure_history(project, ROOT)
        figures["history_s"], figures["history_cpu"] = history["seconds"], history.get("cpu")
        figures["history_rss_mb"] = history["rss_kib"] * 1024 / MB

        if not args.sans_mkdocs and budget.allows("reperes build", schemes, figures):
            progress(f"{schemes} dispositifs : reperes build à froid puis à chaud")
            clear_history_cache(project)
            date = ["--date", BUILD_DATE.isoformat()]
            record_build(figures, "build_cold", run_phases(project, "build", *date))
            warm = [run_phases(project, "build", *date)]
            budget.add("reperes build", schemes, figures.get("build_cold_s"))
            html_sizes(project / "site", figures)
            if budget.allows("mkdocs build", schemes, figures):
                progress(f"{schemes} dispositifs : mkdocs build seul")
                plain = [measure_plain_mkdocs(project)]
                budget.add("mkdocs build", schemes, plain[0].wall)
                pairs = build_pairs((warm[0].get("wall") or math.inf) + plain[0].wall)
                for pair in range(2, pairs + 1):
                    # Each side's least CPU time and least wall time over the pairs, as for the check.
                    progress(f"{schemes} dispositifs : reperes build et mkdocs build, paire {pair} sur {pairs}")
                    warm.append(run_phases(project, "build", *date))
                    plain.append(measure_plain_mkdocs(project))
                kept = least_cpu(plain, lambda m: m.cpu, lambda m: m.code)
                record_measured(figures, "mkdocs", "mkdocs build", kept)
                figures["mkdocs_s"] = least_cpu(plain, lambda m: m.wall, lambda m: m.code).wall
                for other in plain:
                    if other is not kept and other.code:
                        said = f" ; fin de sa sortie d'erreur : {other.error}" if other.error else ""
                        figures.setdefault("problems", []).append(
                            f"mkdocs build (autre paire) : code de sortie {other.code}{said}")
                figures["build_pairs"] = len(plain)
            kept_build = least_cpu(warm, lambda r: r.get("process_cpu") or math.inf, lambda r: r.get("code"))
            fastest = least_cpu(warm, lambda r: r.get("process_wall") or math.inf, lambda r: r.get("code"))
            record_build(figures, "build", kept_build, fastest.get("process_wall"))
            for other in warm:
                if other is not kept_build and other.get("code"):
                    figures.setdefault("problems", []).append(
                        f"reperes build (autre paire) : code de sortie {other.get('code')}")
            progress(f"{schemes} dispositifs : recherche")
            search_timings(project / "site", figures)
        else:
            progress(f"{schemes} dispositifs : génération des pages seule")
            record_build(figures, "generate_only", run_phases(project, "generate", str(project), BUILD_DATE.isoformat()))

        progress(f"{schemes} dispositifs : régénération après une modification")
        regeneration(project, figures)
        if budget.allows("zensical build", schemes, figures):
            progress(f"{schemes} dispositifs : Zensical")
            zensical_build(project, figures)
            budget.add("zensical build", schemes, figures.get("zensical_s"))
        if (schemes <= args.serve_jusqua and not args.sans_mkdocs
                and budget.allows("reperes build", schemes, {})):
            progress(f"{schemes} dispositifs : mkdocs serve, de la modification à la page")
            serve_loop(project, figures, args.serve_timeout)
    figures["load_end"] = os.getloadavg()[0]
    return figures


# --- The table -------------------------------------------------------------------------

# (key or function of a run's figures, French label, unit format, goal text, goal test)
def ratio(a: str, b: str):
    def compute(f: dict) -> float | None:
        return f[a] / f[b] if f.get(a) is not None and f.get(b) else None
    return compute


def first(*keys: str):
    def compute(f: dict) -> float | None:
        return next((f[k] for k in keys if f.get(k) is not None), None)
    return compute


def build_ratio(f: dict) -> float | None:
    """reperes build / mkdocs build: in wall time when the build had a helper process (what
    a user waits for, the helper working on another core), in CPU time otherwise."""
    return ratio("build_s", "mkdocs_s")(f) if f.get("build_helper_rss_mb") else ratio("build_cpu", "mkdocs_cpu")(f)


LE_300 = ("≤ 300 Mo", lambda v: v <= 300)
ROWS = [
    ("Corpus et machine", None, None, None, None),
    ("files", "fichiers YAML", "{:.0f}", "", None),
    ("corpus_mib", "taille des fiches (Mio)", "{:.1f}", "", None),
    ("commits", "commits de l'historique", "{:.0f}", "", None),
    ("merges", "  dont commits de fusion", "{:.0f}", "", None),
    ("load_start", "charge de la machine au début (1 min)", "{:.1f}", "", None),
    ("load_end", "charge de la machine à la fin (1 min)", "{:.1f}", "", None),
    ("Vérification (temps CPU, moindre de 5 appels alternés ou plus)", None, None, None, None),
    ("check_cpu", "reperes check, dans le processus (s)", "{:.2f}", "", None),
    ("load_cpu", "  dont fiches et règles, sans les liens internes (s)", "{:.2f}", "", None),
    ("events_cpu", "plancher : événements libyaml (s)", "{:.2f}", "", None),
    (ratio("check_cpu", "events_cpu"), "rapport check / événements libyaml", "{:.2f}", "≤ 3", lambda v: v <= 3),
    (ratio("load_cpu", "events_cpu"), "  sans les liens internes", "{:.2f}", "", None),
    ("csafe_cpu", "chargement complet CSafeLoader (s)", "{:.2f}", "", None),
    (ratio("check_cpu", "csafe_cpu"), "rapport check / CSafeLoader", "{:.2f}", "", None),
    ("check_cmd_cpu", "commande reperes check, temps CPU (s)", "{:.2f}", "", None),
    ("check_cmd_s", "  temps écoulé (s)", "{:.2f}", "", None),
    ("check_cmd_rss_mb", "  mémoire maximale (Mo)", "{:.0f}", *LE_300),
    ("Historique", None, None, None, None),
    ("history_cpu", "lecture à froid, temps CPU, git compris (s)", "{:.1f}", "", None),
    ("history_s", "  temps écoulé (s)", "{:.1f}", "", None),
    ("history_rss_mb", "  mémoire maximale (Mo)", "{:.0f}", *LE_300),
    ("Construction (temps CPU sauf mention)", None, None, None, None),
    ("build_cold_cpu", "reperes build, cache d'historique vide (s)", "{:.1f}", "", None),
    ("build_cold_s", "  temps écoulé (s)", "{:.1f}", "", None),
    ("build_cold_rss_mb", "  mémoire maximale (Mo) (²)", "{:.0f}", *LE_300),
    ("build_cold_helper_rss_mb", "    dont processus auxiliaire seul (Mo)", "{:.0f}", "", None),
    ("build_cpu", "reperes build, cache d'historique plein (s)", "{:.1f}", "", None),
    ("build_pairs", "  paires reperes build / mkdocs build alternées (moindre de chaque)", "{:.0f}", "", None),
    ("build_s", "  temps écoulé (s)", "{:.1f}", "", None),
    ("build_rss_mb", "  mémoire maximale (Mo) (²)", "{:.0f}", *LE_300),
    ("build_main_rss_mb", "    processus principal seul (Mo)", "{:.0f}", "", None),
    ("build_helper_rss_mb", "    processus auxiliaire seul (Mo)", "{:.0f}", "", None),
    (first("build_check_cpu", "generate_only_check_cpu"), "  vérification (s)", "{:.2f}", "", None),
    (first("build_history_cpu", "generate_only_history_cpu"), "  historique, cache plein (s)", "{:.2f}", "", None),
    (first("build_render_cpu", "generate_only_render_cpu"), "  rendu des pages (s)", "{:.2f}", "", None),
    (first("build_generate_cpu", "generate_only_generate_cpu"), "  écriture des pages (s)", "{:.2f}", "", None),
    ("build_mkdocs_own_cpu", "  MkDocs (s)", "{:.1f}", "", None),
    ("build_sanitise_cpu", "    dont liste blanche, dans MkDocs (s)", "{:.2f}", "", None),
    ("build_scan_cpu", "  analyse du site construit (s)", "{:.2f}", "", None),
    ("build_index_cpu", "  index de recherche : documents et préparation (s)", "{:.2f}", "", None),
    ("build_auxiliaire_cpu", "  processus auxiliaire : démarrage, messages (s)", "{:.2f}", "", None),
    ("generate_only_cpu", "vérification, historique et pages, sans MkDocs (s)", "{:.1f}", "", None),
    ("generate_only_rss_mb", "  mémoire maximale (Mo)", "{:.0f}", *LE_300),
    ("mkdocs_cpu", "mkdocs build seul, mêmes pages (s)", "{:.1f}", "", None),
    ("mkdocs_s", "  temps écoulé (s)", "{:.1f}", "", None),
    ("mkdocs_rss_mb", "  mémoire maximale (Mo)", "{:.0f}", "", None),
    (build_ratio, "rapport reperes build / mkdocs build (¹)", "{:.2f}", "≤ 1,1", lambda v: v <= 1.1),
    (ratio("build_s", "mkdocs_s"), "  en temps écoulé", "{:.2f}", "", None),
    (ratio("build_cpu", "mkdocs_cpu"), "  en temps CPU (processus auxiliaire compris)", "{:.2f}", "", None),
    (ratio("build_scan_cpu", "mkdocs_cpu"), "analyse / mkdocs build", "{:.1%}", "≤ 5 %", lambda v: v <= 0.05),
    ("Pages", None, None, None, None),
    ("pages", "pages HTML", "{:.0f}", "", None),
    ("html_median_kib", "HTML par page, médiane (Kio)", "{:.0f}", "≤ 60 Kio", lambda v: v <= 60),
    ("html_max_kib", "HTML par page, maximum (Kio)", "{:.0f}", "", None),
    ("html_total_mib", "HTML du site (Mio)", "{:.0f}", "", None),
    ("Recherche (Chromium, temps écoulé)", None, None, None, None),
    ("search_first_s", "lien ?q= : premiers résultats (s)", "{:.2f}", "≤ 1 s", lambda v: v <= 1),
    ("search_key_ms", "frappe, médiane (ms)", "{:.0f}", "≤ 50 ms", lambda v: v <= 50),
    ("search_key_p90_ms", "frappe, 90e centile (ms)", "{:.0f}", "", None),
    ("search_index_mib", "index de recherche (Mio)", "{:.1f}", "", None),
    ("Modifier et voir", None, None, None, None),
    ("regeneration_cpu", "régénération après une modification, CPU (s)", "{:.2f}", "≤ 0,5 s", lambda v: v <= 0.5),
    ("regeneration_s", "  temps écoulé (s)", "{:.2f}", "", None),
    ("regeneration_pages", "  pages réécrites", "{:.0f}", "", None),
    ("serve_start_s", "mkdocs serve : démarrage, temps écoulé (s)", "{:.1f}", "", None),
    ("serve_edit_s", "mkdocs serve : de l'enregistrement à la page (s)", "{:.1f}", "≤ 3 s", lambda v: v <= 3),
    ("serve_rss_mb", "  mémoire maximale (Mo)", "{:.0f}", *LE_300),
    ("Zensical 0.0.73 (mêmes pages)", None, None, None, None),
    ("zensical_cpu", "zensical build, temps CPU (s)", "{:.1f}", "", None),
    ("zensical_s", "  temps écoulé (s)", "{:.1f}", "", None),
    ("zensical_rss_mb", "  mémoire maximale (Mo)", "{:.0f}", "", None),
    (ratio("zensical_cpu", "mkdocs_cpu"), "rapport zensical / mkdocs build, temps CPU", "{:.2f}", "", None),
    (ratio("zensical_s", "mkdocs_s"), "  en temps écoulé", "{:.2f}", "", None),
    ("zensical_scan_cpu", "analyse du site Zensical (s)", "{:.2f}", "", None),
]


def french(text: str) -> str:
    """1234.5 -> « 1 234,5 » (French digit grouping and decimal comma)."""
    return text.replace(",", "\u202f").replace(".", ",")


def size_label(size: int) -> str:
    return f"{french(format(size, ','))} dispositifs"


def show(values: list[float], fmt: str) -> str:
    low, high = min(values), max(values)
    shown = fmt.replace("{:", "{:,")
    first_text = french(shown.format(low))
    return first_text if shown.format(low) == shown.format(high) else f"{first_text}–{french(shown.format(high))}"


def table(runs: list[list[dict]]) -> str:
    sizes = sorted({f["schemes"] for run in runs for f in run})
    by_size = {size: [f for run in runs for f in run if f["schemes"] == size] for size in sizes}
    label_width = max(len(row[1] or row[0]) for row in ROWS)
    headers = [size_label(size) for size in sizes]
    widths = [max(len(h), 14) for h in headers]
    lines = [
        f"Banc d'essai Repères — {len(runs)} exécution(s) ; fourchette min–max quand il y en a plusieurs",
        "",
        f"{'':<{label_width}}  " + "  ".join(f"{h:>{w}}" for h, w in zip(headers, widths)) + "  objectif",
    ]
    for key, label, fmt, goal, test in ROWS:
        if label is None:
            lines.append(f"— {key}")
            continue
        compute = key if callable(key) else (lambda f, k=key: f.get(k))
        measured = {size: [v for v in (compute(f) for f in by_size[size]) if v is not None] for size in sizes}
        if not any(measured.values()):
            continue  # measured in none of the runs (the step did not apply): no line of « non mesuré »
        cells = []
        for size, width in zip(sizes, widths):
            values = measured[size]
            if not values:
                cell = "non mesuré"
            else:
                cell = show(values, fmt)
                if test is not None:
                    cell += " ✔" if all(test(v) for v in values) else " ✘"
            cells.append(f"{cell:>{width}}")
        lines.append(f"{label:<{label_width}}  " + "  ".join(cells) + (f"  {goal}" if goal else ""))
    notes = sorted({f"{size_label(f['schemes'])} : {note}" for run in runs for f in run
                    for note in f.get("skipped", []) + f.get("problems", [])})
    if not any(f.get("search_first_s") is not None for run in runs for f in run):
        notes.append("recherche : non mesuré (tests/bench/search_bench.py absent ou en échec)")
    if notes:
        lines += ["", "Remarques :"] + [f"  {note}" for note in notes]
    lines += ["", "✔ objectif atteint à chaque exécution, ✘ manqué à une exécution au moins ; "
              "Mo = 10⁶ octets, Kio/Mio = 1 024 / 1 024² octets.",
              "Les rapports et objectifs de durée portent sur le temps CPU (processus et git), qui ne dépend pas "
              "de la charge de la machine ;", "le temps écoulé est donné à côté ; sous mkdocs serve et dans "
              "Chromium, seul le temps écoulé a un sens.",
              "(¹) Une exception : à partir de 100 pages de fiches, reperes build travaille aussi sur un second "
              "cœur (processus auxiliaire) ;", "    ce rapport porte alors sur le temps écoulé (moindre de chaque "
              "côté, processus entier), le temps CPU des deux processus est donné dessous.",
              "(²) Avec le processus auxiliaire : la plus grande de la somme des deux processus (échantillonnée "
              "toutes les 20 ms)", "    et de la somme de leurs deux maximums (borne haute)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Banc d'essai de Repères (issue 11).")
    parser.add_argument("--tailles", default="100,1000,3000", help="nombres de dispositifs, séparés par des virgules")
    parser.add_argument("--commits", type=int, default=5000, help="commits de l'historique synthétique")
    parser.add_argument("--runs", type=int, default=3,
                        help="répétitions des mesures dans le processus (meilleure ; la vérification : au moins 5)")
    parser.add_argument("--budget", type=float, default=900,
                        help="durée estimée au-delà de laquelle une construction n'est pas lancée (s)")
    parser.add_argument("--toujours-jusqua", type=int, default=1000,
                        help="taille jusqu'à laquelle toutes les constructions sont lancées, quel que soit le budget")
    parser.add_argument("--sans-mkdocs", action="store_true",
                        help="sans les constructions MkDocs ni mkdocs serve (vérification, historique, pages, Zensical)")
    parser.add_argument("--serve-jusqua", type=int, default=1000, help="taille maximale pour la mesure sous mkdocs serve")
    parser.add_argument("--serve-timeout", type=float, default=600, help="attente maximale sous mkdocs serve (s)")
    parser.add_argument("--resultats", type=Path, help="écrire aussi les figures dans ce fichier JSON")
    parser.add_argument("--tableau", type=Path, nargs="+", help="afficher le tableau de plusieurs fichiers de résultats")
    args = parser.parse_args(argv)
    if args.tableau:
        print(table([json.loads(p.read_text(encoding="utf-8")) for p in args.tableau]))
        return 0
    sizes = [int(s) for s in args.tailles.replace("_", "").split(",") if s.strip()]
    budget, results = Budget(args.budget, args.toujours_jusqua), []
    def save(current: dict | None = None) -> None:
        if args.resultats:  # what is measured so far survives an interrupted run
            args.resultats.write_text(json.dumps(results + ([current] if current else []), indent=1), encoding="utf-8")

    for size in sorted(sizes):
        results.append(bench_size(size, args, budget, save))
        save()
    print(table([results]))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
