"""The project of `make bench`: synthetic records in a git repository whose
history has *commits* commits, merge commits included, built with
`git fast-import` (seconds, not minutes).

The first commit adds the corpus; each later one changes one scheme's status
in force (and, one time in three, its explanation). One change in ten is made
on a side branch and brought back by a merge commit, as a pull request
merged with a merge commit would be: the history then has exactly as many
commits as asked, about one in eleven being a merge.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from synthetic import change_status, write_corpus

MERGE_EVERY = 10  # one change in ten comes through a merge commit


def build_repository(root: Path, schemes: int, commits: int) -> Path:
    """The corpus under root/schemes, committed, then changed until the history has *commits* commits."""
    write_corpus(root, schemes=schemes)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    files = sorted(p for p in (root / "schemes").rglob("*.yml"))
    texts = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in files}
    stream: list[bytes] = []
    marks = 0

    def data(payload: bytes) -> None:
        stream.append(b"data %d\n" % len(payload) + payload + b"\n")

    def commit(branch: str, message: str, changes: dict[str, str], parents: list[int]) -> int:
        nonlocal marks
        marks += 1
        stream.append(f"commit refs/heads/{branch}\nmark :{marks}\n".encode())
        when = 1_700_000_000 + marks * 3600
        for role in ("author", "committer"):
            stream.append(f"{role} Référent Bench <bench@exemple.invalid> {when} +0100\n".encode())
        data(message.encode())
        if parents:
            stream.append(b"from :%d\n" % parents[0])
        for parent in parents[1:]:
            stream.append(b"merge :%d\n" % parent)
        for path, text in changes.items():
            stream.append(f"M 100644 inline {path}\n".encode())
            data(text.encode())
        return marks

    head = commit("main", "Fiches initiales\n\nPourquoi: reprise des fiches existantes\n", texts, [])
    scheme_paths = sorted(p for p in texts if p.count("/") == 1 and p != "schemes/glossaire.yml")
    change = 0
    while marks < commits:
        change += 1
        path = scheme_paths[(change * 7) % len(scheme_paths)]
        text, new_state = change_status(texts[path])
        if change % 3 == 0:
            text = text.replace("Explication synthétique", "Explication revue", 1)
        texts[path] = text
        message = f"Statut {new_state}\n\nPourquoi: mise à jour n° {change}\n"
        if change % MERGE_EVERY == 0 and marks + 2 <= commits:
            side = commit(f"travail-{change}", message, {path: text}, [head])
            head = commit("main", f"Fusion de la branche « travail-{change} »\n", {}, [head, side])
        else:
            head = commit("main", message, {path: text}, [head])
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    return root


def count_commits(root: Path) -> tuple[int, int]:
    """(commits reachable from HEAD, merge commits among them)."""
    def count(*args: str) -> int:
        return int(subprocess.run(["git", "rev-list", "--count", *args, "HEAD"], cwd=root,
                                  capture_output=True, text=True, check=True).stdout)
    return count(), count("--merges")


HISTORY_CHILD = """
import json, pathlib, sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[3])
from generator.history.changelog import read_history
from measured import cpu_seconds as cpu
start, start_cpu = time.perf_counter(), cpu()
history = read_history(pathlib.Path(sys.argv[2]))
elapsed, used = time.perf_counter() - start, cpu() - start_cpu
peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1]
print(json.dumps({"seconds": elapsed, "cpu": used, "processed": history.processed, "rss_kib": int(peak)}))
"""


def measure_history(root: Path, repo_root: Path) -> dict[str, float]:
    """read_history in a child process: wall and CPU seconds, commits read, peak memory (KiB)."""
    import json

    out = subprocess.run([sys.executable, "-c", HISTORY_CHILD, str(repo_root), str(root), str(Path(__file__).parent)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])
