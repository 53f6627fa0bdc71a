"""`make bench`: figures for the checker and the site at 1,000 synthetic schemes.

Prints, for the same files:
- the time of `reperes check` (in-process: discovery, strict loading,
  validation, cross-record rules), best of several runs;
- the floor: the time merely to parse the files with libyaml
  (`yaml.load(..., Loader=yaml.CSafeLoader)`), best of several runs;
- their ratio (goal ≤ 3);
- the wall time and peak memory (max RSS) of the real command in its own
  process (goal ≤ 300 MB).

Then, for the site (same corpus):
- generation time (records -> Markdown, cold) against the time of a plain
  `mkdocs build` of the same generated Markdown, without our plugin
  (goal: generation ≤ 10 %);
- the same build with our plugin, and, side by side with the plain build,
  what its guarantees cost: the allowlist sanitiser (every page's HTML)
  and the post-build scan (whole site, with its throughput);
- the time to regenerate after editing one record in a warm process, as
  under `make serve` (goal ≤ 0.5 s), and how many pages were rewritten;
- the wall time and peak memory of the whole `reperes build` command.

A benchmark prints figures; it never fails a build on a slow machine.
And for the history: a synthetic repository of 5,000 commits over 1,000
records; the cold history time, the time after one new commit (goal ≤ 5 %
of cold) and peak memory.

Set BENCH_SITE=0 or BENCH_HISTORY=0 to skip a part (the site takes minutes).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measured import run_measured  # noqa: E402
from synthetic import write_corpus  # noqa: E402

from generator.records.corpus import load_corpus  # noqa: E402

SCHEMES = int(os.environ.get("BENCH_SCHEMES", "1000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
BUILD_DATE = dt.date(2026, 11, 27)


def best_of(runs: int, func) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def parse_floor(files: list[Path]) -> None:
    for path in files:
        with open(path, "rb") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)


def run_command(folder: Path) -> tuple[float, float, int]:
    """Wall time (s), peak memory (MiB) and exit code of `reperes check` in a child process."""
    return run_measured(["generator", "check", str(folder)], folder.parent, {**os.environ, "PYTHONPATH": str(ROOT)})


def verdict(ok: bool) -> str:
    return "objectif atteint" if ok else "OBJECTIF NON ATTEINT"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="reperes-bench-") as tmp:
        folder = write_corpus(Path(tmp), schemes=SCHEMES)
        files = sorted(folder.rglob("*.yml"))
        size = sum(path.stat().st_size for path in files)
        print(f"Corpus synthétique : {len(files)} fichiers ({SCHEMES} dispositifs), {size / 1024 / 1024:.1f} Mio")

        (folder.parent / "mkdocs.yml").write_text("site_name: Banc d'essai\n", encoding="utf-8")  # a project
        corpus = load_corpus(folder, base=folder.parent)
        if corpus.errors:
            for error in corpus.errors[:10]:
                print(error)
            print("le corpus synthétique est invalide : figures sans objet")
            return 1
        check_time = best_of(RUNS, lambda: load_corpus(folder, base=folder.parent))
        floor_time = best_of(RUNS, lambda: parse_floor(files))
        wall, peak_mib, code = run_command(folder)

    ratio = check_time / floor_time
    print(f"reperes check (dans le processus, meilleur de {RUNS}) : {check_time:.3f} s")
    print(f"plancher libyaml (yaml.load CSafeLoader)       : {floor_time:.3f} s")
    print(f"rapport check / plancher                        : {ratio:.2f}  (objectif ≤ 3 : {verdict(ratio <= 3)})")
    print(f"commande complète « reperes check » (processus) : {wall:.3f} s, code de sortie {code}")
    print(f"mémoire maximale (VmHWM) de la commande         : {peak_mib:.0f} Mio  (objectif ≤ 300 Mo : {verdict(peak_mib <= 300 / 1.048576)})")
    if os.environ.get("BENCH_SITE", "1") != "0":
        bench_site()
    if os.environ.get("BENCH_HISTORY", "1") != "0":
        from history_bench import bench_history

        with tempfile.TemporaryDirectory(prefix="reperes-bench-historique-") as tmp:
            bench_history(Path(tmp), ROOT, schemes=SCHEMES, commits=5 * SCHEMES)
    return 0


def prepare_project(root: Path) -> Path:
    """A project folder: the synthetic records, mkdocs.yml and the contributor pages."""
    import shutil

    write_corpus(root, schemes=SCHEMES)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    theme = ROOT / "docs" / "theme"
    if theme.is_dir():
        config = config.replace("custom_dir: docs/theme", f"custom_dir: {theme}")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    # The same site without our plugin: what MkDocs alone costs.
    assert "\n  - reperes\n" in config
    (root / PLAIN_CONFIG).write_text(config.replace("\n  - reperes\n", "\n"), encoding="utf-8")
    shutil.copytree(ROOT / "docs" / "contribuer", root / "docs" / "contribuer")
    return root


PLAIN_CONFIG = "mkdocs-sans-reperes.yml"


def plain_mkdocs_build(project: Path, site_dir: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(project / PLAIN_CONFIG), site_dir=str(site_dir)))


class Timed:
    """Wraps a function and adds up the time spent in it."""

    def __init__(self, func) -> None:
        self.func, self.total, self.calls = func, 0.0, 0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.func(*args, **kwargs)
        finally:
            self.total += time.perf_counter() - start
            self.calls += 1


def bench_site() -> None:
    import logging

    from generator.records.corpus import LoadCache
    from generator.site import plugin
    from generator.site.build import mkdocs_build
    from generator.site.render import Generator, generate

    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # MkDocs' own notices are not figures
    with tempfile.TemporaryDirectory(prefix="reperes-bench-site-") as tmp:
        project = prepare_project(Path(tmp) / "projet")
        cache, state = LoadCache(), Generator.new()
        corpus = load_corpus(project / "schemes", cache=cache, base=project)
        start = time.perf_counter()
        written, _ = generate(corpus, project, BUILD_DATE, state=state)
        generation = time.perf_counter() - start

        start = time.perf_counter()
        plain_mkdocs_build(project, Path(tmp) / "site-mkdocs")
        mkdocs_time = time.perf_counter() - start

        sanitiser, scanner = Timed(plugin.sanitise), Timed(plugin.scan_site)
        plugin.sanitise, plugin.scan_site = sanitiser, scanner
        try:
            start = time.perf_counter()
            mkdocs_build(project, Path(tmp) / "site-reperes", today=BUILD_DATE)
            plugin_time = time.perf_counter() - start
        finally:
            plugin.sanitise, plugin.scan_site = sanitiser.func, scanner.func
        html_mib = sum(page.stat().st_size for page in (Path(tmp) / "site-reperes").rglob("*.html")) / 1024 / 1024

        record = project / "schemes" / "dispositif-0005.yml"
        record.write_text(
            record.read_text(encoding="utf-8").replace("Explication synthétique du statut 5", "Statut modifié"),
            encoding="utf-8",
        )
        start = time.perf_counter()
        corpus = load_corpus(project / "schemes", cache=cache, base=project)
        rewritten, _ = generate(corpus, project, BUILD_DATE, state=state)
        regeneration = time.perf_counter() - start

        build_wall, build_peak, build_code = run_measured(
            ["generator", "build", "--date", BUILD_DATE.isoformat()], project,
            {**os.environ, "PYTHONPATH": str(ROOT)},
        )

    share = generation / mkdocs_time
    print(f"génération des pages (froid, {len(written)} pages)      : {generation:.3f} s")
    print(f"mkdocs build seul (sans l'extension reperes)    : {mkdocs_time:.1f} s")
    print(f"part de la génération                           : {share:.1%}  (objectif ≤ 10 % : {verdict(share <= 0.10)})")
    print(f"mkdocs build avec l'extension reperes           : {plugin_time:.1f} s "
          f"(génération, liste blanche, analyse comprises)")
    print(f"{f'  dont liste blanche (nh3, {sanitiser.calls} pages)':<48}: {sanitiser.total:.3f} s  "
          f"({sanitiser.total / mkdocs_time:.1%} du mkdocs build seul)")
    print(f"{f'  dont analyse du site ({html_mib:.0f} Mio de HTML)':<48}: {scanner.total:.3f} s  "
          f"({scanner.total / mkdocs_time:.1%} du mkdocs build seul, {html_mib / scanner.total:.0f} Mio/s)")
    print(f"régénération après modification d'une fiche     : {regeneration:.3f} s, "
          f"{len(rewritten)} page(s) réécrite(s) : {', '.join(rewritten)}  "
          f"(objectif ≤ 0,5 s : {verdict(regeneration <= 0.5)})")
    print(f"commande complète « reperes build »             : {build_wall:.1f} s, "
          f"code de sortie {build_code}, mémoire maximale {build_peak:.0f} Mio "
          f"({build_wall / mkdocs_time:.2f} × le mkdocs build seul)")


if __name__ == "__main__":
    sys.exit(main())
