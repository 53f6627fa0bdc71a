"""Run a command in a fresh process and report its wall time, CPU time and
peak memory.

Peak memory is the kernel's VmHWM of the child itself, read just before it
exits: ru_maxrss of a child can carry the parent's high-water mark from
before exec, which would credit the command with the benchmark's memory.

CPU time (user + system, the child's and that of the processes it waited
for, such as git) is what the figures are compared on: on a shared machine
wall time also counts the time spent waiting for a core.

A command that works in two processes at once (`reperes build` with its
helper) is also sampled (``run_sampled``): the memory of the whole tree of
processes, every few milliseconds, and its largest sum.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_WRAPPER = """
import atexit, runpy, sys
target = sys.argv[1]
def report():
    with open('/proc/self/status') as status:
        peak = next(line for line in status if line.startswith('VmHWM:')).split()[1]
    with open(target, 'w') as out:
        out.write(peak)
atexit.register(report)
sys.argv = sys.argv[2:]
runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)
"""


@dataclass
class Measured:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    peak_mib: float
    code: int
    error: str = ""  # the last lines the command wrote on stderr, when it failed, joined by « | »


ERROR_LINES = 5


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of the children it waited for (git),
    to the microsecond: os.times() counts in clock ticks (10 ms), a tenth of some figures."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_child(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds, exit code, stderr's last lines on a failure) of *argv*;
    standard output discarded."""
    return _run(argv, cwd, env, sample=False)[:4]


def run_measured(module_args: list[str], cwd: Path, env: dict[str, str], python: str = sys.executable) -> Measured:
    """`python -m MODULE ARGS` measured (*python*: another environment's)."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak_file:
        wall, cpu, code, error = run_child([python, "-c", _WRAPPER, peak_file.name, *module_args], cwd, env)
        text = Path(peak_file.name).read_text().strip()
    return Measured(wall, cpu, int(text) / 1024 if text else float("nan"), code, error)


SAMPLE_SECONDS = 0.02


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0


def _tree(pid: int) -> list[int]:
    """*pid* and all its descendants (Linux: /proc/PID/task/TID/children)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    pending.extend(int(child) for child in children.read().split())
            except OSError:
                pass
    return found


def run_sampled(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, str, int]:
    """``run_child``, and the largest sum of the resident memory of the process and its
    descendants in KiB, sampled every SAMPLE_SECONDS."""
    return _run(argv, cwd, env, sample=True)


def _run(argv: list[str], cwd: Path, env: dict[str, str], sample: bool) -> tuple[float, float, int, str, int]:
    with tempfile.TemporaryFile("w+b") as errors:
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        done = threading.Event()

        def sampling() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, sum(_rss_kib(pid) for pid in _tree(child.pid)))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sampling, daemon=True)
        if sample:
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        if sample:
            sampler.join()
        child.returncode = code = os.waitstatus_to_exitcode(status)
        tail = ""
        if code:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            tail = " | ".join(line.strip() for line in lines[-ERROR_LINES:])
    return wall, usage.ru_utime + usage.ru_stime, code, tail, peak
