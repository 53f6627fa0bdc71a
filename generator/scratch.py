"""Temporary files and folders that name their owner, and removal of those a
killed build left behind.

Every temporary name is unique and carries the id of the process that made
it (``.index.md.4242-9f3a1c2b.tmp``, ``.site.nouveau-4242-k3j2h1g0``), so two
builds at once never write to the same temporary path, and the next build can
tell a leftover of a dead process from the work in progress of a live one.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

# A leftover whose owner cannot be told (older name without a pid, or a
# system where a pid cannot be probed) is removed once this old.
ORPHAN_AGE = 10 * 60  # seconds
# A live owner pid that old is another process that got the same pid.
STALE_AGE = 24 * 60 * 60

_OWNER = re.compile(r"[.-](\d+)-[0-9A-Za-z_]+(?:\.tmp)?\Z")


def temporary_path(target: Path) -> Path:
    """A fresh hidden sibling of *target* for writing before ``os.replace``."""
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def temporary_prefix(target: Path, role: str) -> str:
    """Prefix for ``tempfile.mkdtemp`` of a sibling folder of *target* (role: nouveau, ancien)."""
    return f".{target.name}.{role}-{os.getpid()}-"


def unique_sibling(target: Path, role: str) -> Path:
    """A sibling path of *target* that does not exist yet, for a rename."""
    return target.with_name(temporary_prefix(target, role) + secrets.token_hex(4))


def write_atomically(target: Path, text: str) -> None:
    """Write *text* to *target* through a temporary file, so readers never see half of it."""
    tmp = temporary_path(target)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _owner_alive(pid: int) -> bool | None:
    """True or False when it can be told; None when it cannot."""
    if os.name != "posix":
        return None  # os.kill(pid, 0) is not a probe on Windows
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, another user's
        return True
    return True


def is_leftover(path: Path, now: float | None = None) -> bool:
    """Whether *path* (a temporary file or folder) was abandoned by a build."""
    try:
        age = (now if now is not None else time.time()) - path.lstat().st_mtime
    except FileNotFoundError:
        return False
    match = _OWNER.search(path.name)
    alive = _owner_alive(int(match.group(1))) if match else None
    if alive is None:
        return age > ORPHAN_AGE
    return not alive or age > STALE_AGE


def remove_leftovers(paths: Iterable[Path]) -> list[Path]:
    """Remove those of *paths* that are leftovers; return what was removed."""
    removed = []
    now = time.time()
    for path in paths:
        if not is_leftover(path, now):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed
