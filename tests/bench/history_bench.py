"""The history part of `make bench`: a synthetic repository of 5,000 commits
over 1,000 records, built with `git fast-import` (seconds, not minutes)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from synthetic import ETATS, write_corpus


def build_repository(root: Path, schemes: int, commits: int) -> Path:
    """One commit with the corpus, then *commits* commits changing one scheme each."""
    write_corpus(root, schemes=schemes)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    files = sorted(p for p in (root / "schemes").rglob("*.yml"))
    texts = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8") for p in files}
    stream: list[bytes] = []

    def data(payload: bytes) -> None:
        stream.append(b"data %d\n" % len(payload) + payload + b"\n")

    # fast-import marks: give each commit a mark equal to its number + 1.
    def commit_marked(number: int, message: str, changes: dict[str, str]) -> None:
        stream.append(b"commit refs/heads/main\nmark :%d\n" % (number + 1))
        when = 1_700_000_000 + number * 3600
        stream.append(f"author Référent Bench <bench@exemple.invalid> {when} +0100\n".encode())
        stream.append(f"committer Référent Bench <bench@exemple.invalid> {when} +0100\n".encode())
        data(message.encode())
        if number:
            stream.append(b"from :%d\n" % number)
        for path, text in changes.items():
            stream.append(f"M 100644 inline {path}\n".encode())
            data(text.encode())

    commit_marked(0, "Fiches initiales\n\nPourquoi: reprise des fiches existantes\n", texts)
    scheme_paths = sorted(p for p in texts if p.count("/") == 1 and p != "schemes/glossaire.yml")
    for number in range(1, commits + 1):
        path = scheme_paths[(number * 7) % len(scheme_paths)]
        text = texts[path]
        old_state = next(e for e in ETATS if f"  etat: {e}\n" in text)
        new_state = ETATS[(ETATS.index(old_state) + 1) % len(ETATS)]
        text = text.replace(f"  etat: {old_state}\n", f"  etat: {new_state}\n", 1)
        text = text.replace("Explication synthétique", "Explication revue", 1) if number % 3 == 0 else text
        texts[path] = text
        commit_marked(number, f"Statut {new_state}\n\nPourquoi: mise à jour n° {number}\n", {path: text})
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    return root


def measure(root: Path, repo_root: Path) -> dict[str, float]:
    """Run read_history in a child process: seconds, commits processed, peak RSS (MiB)."""
    code = (
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(repo_root)!r})\n"
        "from generator.history.changelog import read_history\n"
        "start = time.perf_counter()\n"
        f"history = read_history(__import__('pathlib').Path({str(root)!r}))\n"
        "elapsed = time.perf_counter() - start\n"
        "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1]\n"
        "print(elapsed, history.processed, len(history.changes), int(peak) / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return {"seconds": float(out[0]), "processed": int(out[1]), "changes": int(out[2]), "rss": float(out[3])}


def bench_history(tmp: Path, repo_root: Path, schemes: int = 1000, commits: int = 5000) -> None:
    start = time.perf_counter()
    root = build_repository(tmp / "depot", schemes, commits)
    made = time.perf_counter() - start
    print(f"dépôt synthétique : {commits} commits sur {schemes} dispositifs, créé en {made:.1f} s")
    cold = measure(root, repo_root)
    warm = measure(root, repo_root)
    path = root / "schemes" / "dispositif-0001.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("Explication", "Nouvelle explication", 1), encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@exemple.invalid",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "b@exemple.invalid"}
    subprocess.run(["git", "commit", "-q", "-am", "Un commit de plus\n\nPourquoi: mesure"], cwd=root, env=env, check=True)
    after_one = measure(root, repo_root)
    share = after_one["seconds"] / cold["seconds"]
    verdict = "objectif atteint" if share <= 0.05 else "OBJECTIF NON ATTEINT"
    print(f"historique à froid                              : {cold['seconds']:.2f} s "
          f"({cold['processed']} commits lus, {cold['changes']} modifications), mémoire {cold['rss']:.0f} Mio")
    print(f"historique à chaud (tout en cache)              : {warm['seconds']:.2f} s ({warm['processed']} commit lu)")
    print(f"historique après un nouveau commit              : {after_one['seconds']:.2f} s "
          f"({after_one['processed']} commit lu), mémoire {after_one['rss']:.0f} Mio")
    print(f"part du temps à froid                           : {share:.1%}  (objectif ≤ 5 % : {verdict})")
