"""Run a command's Python module in a fresh process and report its peak memory.

Peak memory is the kernel's VmHWM of the child itself, read just before it
exits: ru_maxrss of a child can carry the parent's high-water mark from
before exec, which would credit the command with the benchmark's memory.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
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


def run_measured(module_args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, peak MiB, exit code) of `python -m MODULE ARGS`."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak_file:
        start = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-c", _WRAPPER, peak_file.name, *module_args],
            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        elapsed = time.perf_counter() - start
        text = Path(peak_file.name).read_text().strip()
    return elapsed, (int(text) / 1024 if text else float("nan")), completed.returncode
