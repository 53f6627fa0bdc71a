"""The pull request's description, where `reperes check --base` finds it.

A referent who edits a record in the forge's web editor writes the reason in
the pull request's description, not in a commit message. On GitHub Actions
the event that started the workflow is saved as JSON at $GITHUB_EVENT_PATH;
for a pull request, its description is ``pull_request.body``. Elsewhere (a
laptop, another CI), ``--description FILE`` gives it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import UsageError

EVENT_ENV = "GITHUB_EVENT_PATH"
MAX_DESCRIPTION = 256 * 1024  # GitHub caps a description at 65,536 characters


def read_description(path: Path | None = None) -> str | None:
    """The description given by *path*, else the one of the pull request whose
    event GitHub Actions saved; None when there is none (a push, a merge queue)."""
    if path is not None:
        return _read(path, f"fichier de description « {path} »")
    event = os.environ.get(EVENT_ENV)
    if not event:
        return None
    try:
        data = json.loads(_read(Path(event), f"événement GitHub « {event} »"))
    except json.JSONDecodeError:
        raise UsageError(
            f"événement GitHub « {event} » illisible (JSON invalide)",
            "relancez le flux de travail ; en local, donnez la description avec --description FICHIER",
        ) from None
    request = data.get("pull_request") if isinstance(data, dict) else None
    if not isinstance(request, dict):
        return None
    body = request.get("body")
    return body if isinstance(body, str) else ""


def _read(path: Path, what: str) -> str:
    try:
        raw = path.read_bytes()[: MAX_DESCRIPTION + 1]
    except OSError as exc:
        raise UsageError(f"{what} illisible : {exc.strerror or exc}", "vérifiez le chemin du fichier") from None
    if len(raw) > MAX_DESCRIPTION:
        raise UsageError(f"{what} trop volumineux (plus de {MAX_DESCRIPTION // 1024} Kio)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{what} n'est pas encodé en UTF-8", "enregistrez-le en UTF-8") from None
