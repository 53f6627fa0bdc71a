"""What changed and why: the records' history, read from git.

It walks the main line (first parents) of
the commits that touched records, compares each record with its previous
valid version, keyed by record id (so a moved or renamed file keeps its
history), and describes the changes field by field (``changes.py``).

* A merge or a squash merge gives exactly one entry per change: each main-line
  commit is compared with its first parent.
* The reason is the ``Pourquoi:`` line of the commit message (a squash-merged
  pull request carries its description there); for a merge commit without
  one, the lines of the merged commits.
* A commit where a record was invalid yields a warning, not a crash; the next
  valid version is compared with the last valid one.
* A shallow clone is detected and refused (dates and history would be wrong)
  unless the caller allows it, and the history is then labelled partial.
* Each commit is parsed once: its entry is cached by commit id under
  ``.cache/reperes/historique/``, so a build after one new commit processes
  only that commit. The list of main-line commits is kept there too, for the
  last commit built: a build on the same commit (every rebuild of `make serve`)
  does not walk the whole history again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import RecordError
from ..project import CACHE_DIR as PROJECT_CACHE
from ..records.kinds import KINDS, kind_of_path
from ..records.loader import load_yaml
from ..records.migrate import upgrade
from ..records.validation import validate_record
from ..scratch import write_atomically
from .changes import MOVED, describe_changes
from .git import Git, ShallowCloneError, is_plain_text, reason_of, subject_of

CACHE_DIR = PROJECT_CACHE / "historique"
MAINLINE_FILE = "ligne-principale.json"  # in the cache: the main line of the last commit built
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256
PARIS = "Europe/Paris"


@dataclass
class Change:
    """The changes of one record in one commit."""

    commit: str
    date: str  # ISO 8601 with offset (committer date)
    author: str
    subject: str
    reason: str | None
    kind: str
    record_id: str
    path: str
    sentences: list[str]
    old_path: str | None = None

    @property
    def short(self) -> str:
        return self.commit[:7]

    @functools.cached_property
    def when(self) -> dt.datetime:
        """The commit's date in Paris (computed once: every journal page asks)."""
        moment = dt.datetime.fromisoformat(self.date)
        try:
            from zoneinfo import ZoneInfo

            return moment.astimezone(ZoneInfo(PARIS))
        except Exception:  # noqa: BLE001 - no tz database: keep the commit's offset
            return moment


@dataclass
class History:
    changes: list[Change] = field(default_factory=list)  # newest first
    warnings: list[str] = field(default_factory=list)
    available: bool = True
    partial: bool = False
    head: str | None = None
    processed: int = 0  # commits parsed in this run (the others came from the cache)

    def for_record(self, kind: str, record_id: str) -> list[Change]:
        """Changes of one record, newest first (indexed once: pages ask per record)."""
        index = self.__dict__.get("_by_record")
        if index is None:
            index = {}
            for change in self.changes:
                index.setdefault((change.kind, change.record_id), []).append(change)
            self.__dict__["_by_record"] = index
        return index.get((kind, record_id), [])


# --- record files at a commit ---------------------------------------------------


def parse_record(kind: str, path: str, raw: bytes) -> tuple[dict[str, Any] | None, str | None, list[RecordError]]:
    """(data, record id, errors) of one stored version of a record."""
    stem = PurePosixPath(path).stem
    if kind == "guide":
        from ..records.guides import parse_guide_bytes

        model, body, errors = parse_guide_bytes(path, raw)
        if model is None:
            return None, stem, errors
        data = model.model_dump(mode="json")
        data["texte"] = body
        return data, stem, []
    loaded, errors, reliable = load_yaml(path, raw)
    if loaded is None or not reliable:
        return None, stem, errors
    loaded.data = upgrade(kind, loaded.data)  # a revision written in a retired shape
    model, errors = validate_record(KINDS[kind].model, loaded, path)
    if model is None:
        guessed = loaded.data.get("id") if isinstance(loaded.data, dict) else None
        return None, guessed if isinstance(guessed, str) else stem, errors
    data = model.model_dump(mode="json")
    return data, data.get("id", kind) if kind != "glossaire" else "glossaire", []


# --- the cache ---------------------------------------------------------------


def _cache_version() -> str:
    """Cached entries are valid for this exact code of parsing and describing."""
    package = Path(__file__).parent.parent
    digest = hashlib.sha256()
    # Every module that reads or describes records: no list to keep in step.
    for path in sorted([*(package / "records").glob("*.py"), *(package / "history").glob("*.py")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# --- stored versions of records ------------------------------------------------


class Versions:
    """Stored versions of records read through *git*, each blob parsed once
    (a version is the next one's "before")."""

    def __init__(self, git: Git) -> None:
        self.git = git
        self._parsed: dict[tuple[str, str], Any] = {}

    def parsed(self, kind: str, path: str, sha: str) -> tuple[dict[str, Any] | None, str | None, list[RecordError]]:
        """parse_record of a blob, once per blob (a version is the next one's "before")."""
        key = (kind, sha)
        if key not in self._parsed:
            self._parsed[key] = parse_record(kind, path, self.git.blob(sha))
        return self._parsed[key]


    def forget(self, kind: str, sha: str) -> None:
        """Drop a parsed version no longer needed as a "before" (cold memory:
        5,000 commits would otherwise keep 5,000 parsed records)."""
        self._parsed.pop((kind, sha), None)

    def records_at(self, revision: str) -> dict[tuple[str, str], tuple[str, str, dict[str, Any] | None]]:
        """(kind, id) -> (path, blob, data) of every record stored at *revision*."""
        records = {}
        for path, blob in self.git.files_at(revision).items():
            kind = kind_of_path(path)
            if kind is None:
                continue
            data, record_id, _ = self.parsed(kind, path, blob)
            records[(kind, record_id or PurePosixPath(path).stem)] = (path, blob, data)
        return records


    def position(self, path: str, blob: str, loc: tuple[str | int, ...]) -> tuple[int, int]:
        if path.endswith(".md"):
            return 1, 1
        loaded, _, _ = load_yaml(path, self.git.blob(blob))
        return loaded.position(loc) if loaded is not None else (1, 1)


# --- reading the history ----------------------------------------------------------


def current_head(project: Path) -> str | None:
    """The commit HEAD points at (None outside git or before the first commit)."""
    gitrepo = Git.open(project)
    if gitrepo is None:
        return None
    with gitrepo:
        return gitrepo.head()


def read_history(project: Path, *, allow_shallow: bool = False, use_cache: bool = True) -> History:
    gitrepo = Git.open(project)
    if gitrepo is None:
        return History(available=False)
    with gitrepo:
        head = gitrepo.head()
        if head is None:
            return History(available=True, head=None)
        partial = gitrepo.is_shallow()
        if partial and not allow_shallow:
            raise ShallowCloneError("les dates et l'historique des fiches seraient faux", can_allow=True)
        return _replay_history(gitrepo, project, head, partial=partial, use_cache=use_cache)


def _mainline(gitrepo: Git, cache_dir: Path, head: str, use_cache: bool) -> list[str]:
    """``Git.mainline`` of *head*, remembered for the last commit built (a
    commit's ancestry never changes; a cache file of another shape, or naming
    anything but commit ids, is ignored)."""
    memo = cache_dir / MAINLINE_FILE
    key = head  # the record folders are in the code that names cache_dir
    if use_cache:
        try:
            saved = json.loads(memo.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = None
        if isinstance(saved, dict) and saved.get("key") == key and isinstance(saved.get("commits"), list) \
                and all(isinstance(sha, str) and _SHA.fullmatch(sha) for sha in saved["commits"]):
            return saved["commits"]
    commits = gitrepo.mainline(head)
    if use_cache:
        cache_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(memo, json.dumps({"key": key, "commits": commits}))
    return commits


def _replay_history(gitrepo: Git, project: Path, head: str, *, partial: bool, use_cache: bool) -> History:
    # A shallow clone's oldest commits look like roots and its main line
    # stops short: nothing read there is kept for the day it is deepened.
    # Replace refs and grafts give a commit other parents: nothing is kept
    # or read either while they are there.
    use_cache = use_cache and not partial and not gitrepo.rewrites_history()
    cache_dir = project / CACHE_DIR / _cache_version()
    commits = _mainline(gitrepo, cache_dir, head, use_cache)
    cached: dict[str, dict[str, Any]] = {}
    if use_cache and cache_dir.is_dir():
        for sha in commits:
            entry_path = cache_dir / f"{sha}.json"
            try:
                entry = json.loads(entry_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # absent, unreadable or not JSON
                continue
            if _is_entry(entry, sha):
                cached[sha] = entry  # otherwise processed again, and rewritten
    missing = [sha for sha in commits if sha not in cached]
    details = {entry["commit"]: entry for entry in gitrepo.details(missing)}
    versions = Versions(gitrepo)

    history = History(head=head, partial=partial, processed=len(missing))
    # Replayed state: where each record lives and its last valid version.
    path_ids: dict[str, tuple[str, str]] = {}
    last_valid: dict[tuple[str, str], str] = {}  # (kind, id) -> blob sha
    for sha in commits:
        entry = cached.get(sha)
        if entry is None:
            entry = _process_commit(versions, details[sha], path_ids, last_valid)
            if use_cache:
                cache_dir.mkdir(parents=True, exist_ok=True)
                write_atomically(cache_dir / f"{sha}.json", json.dumps(entry, ensure_ascii=False))
            replaced = {(key[0], key[1]): last_valid.get((key[0], key[1])) for key, _ in entry["state"]["valid"]}
            _replay(entry, path_ids, last_valid)
            for key, old_blob in replaced.items():
                if old_blob is not None and old_blob != last_valid.get(key):
                    versions.forget(key[0], old_blob)  # the next "before" of this record is its new version
        else:
            _replay(entry, path_ids, last_valid)
        history.warnings.extend(entry["warnings"])
        for change in entry["changes"]:
            history.changes.append(Change(**change))
    history.changes.reverse()
    return history


_CHANGE_TEXTS = ("commit", "date", "author", "subject", "kind", "record_id", "path")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and is_plain_text(value)


def _is_key(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(_is_text(part) for part in value)


def _is_change(change: Any) -> bool:
    if not isinstance(change, dict) or set(change) != {f.name for f in fields(Change)}:
        return False
    if not all(_is_text(change[name]) for name in _CHANGE_TEXTS) or change["kind"] not in KINDS:
        return False
    if not all(value is None or _is_text(value) for value in (change["reason"], change["old_path"])):
        return False
    if not isinstance(change["sentences"], list) or not all(_is_text(s) for s in change["sentences"]):
        return False
    try:
        dt.datetime.fromisoformat(change["date"])
    except ValueError:
        return False
    return True


def _is_entry(entry: Any, sha: str) -> bool:
    """Whether a cached entry has exactly the shape _process_commit writes: a
    cache file of another shape (edited, truncated, older code) is missing."""
    if not isinstance(entry, dict) or set(entry) != {"commit", "changes", "warnings", "state"}:
        return False
    state = entry["state"]
    if entry["commit"] != sha or not isinstance(state, dict) or set(state) != {"paths", "valid"}:
        return False
    if not isinstance(entry["changes"], list) or not all(_is_change(c) for c in entry["changes"]):
        return False
    if not isinstance(entry["warnings"], list) or not all(_is_text(w) for w in entry["warnings"]):
        return False
    paths, valid = state["paths"], state["valid"]
    return (
        isinstance(paths, list) and isinstance(valid, list)
        and all(isinstance(p, list) and len(p) == 2 and _is_text(p[0]) and (p[1] is None or _is_key(p[1]))
                for p in paths)
        and all(isinstance(v, list) and len(v) == 2 and _is_key(v[0]) and (v[1] is None or _is_text(v[1]))
                for v in valid)
    )


def _replay(entry: dict[str, Any], path_ids: dict[str, tuple[str, str]], last_valid: dict) -> None:
    for path, key in entry["state"]["paths"]:
        if key is None:
            path_ids.pop(path, None)
        else:
            path_ids[path] = (key[0], key[1])
    for key, blob in entry["state"]["valid"]:
        last_valid[(key[0], key[1])] = blob


def _process_commit(
    versions: Versions, info: dict[str, Any], path_ids: dict[str, tuple[str, str]], last_valid: dict
) -> dict[str, Any]:
    sha, message = info["commit"], info["message"]
    reason = reason_of(message)
    if reason is None and len(info["parents"]) > 1:
        reasons = [r for r in (reason_of(m) for m in versions.git.merged_messages(*info["parents"][:2])) if r]
        reason = " ; ".join(dict.fromkeys(reasons)) or None
    subject = subject_of(message)
    warnings: list[str] = []
    state_paths: list[tuple[str, Any]] = []
    state_valid: list[tuple[Any, str]] = []
    removed: dict[tuple[str, str], str] = {}  # key -> old path
    added: dict[tuple[str, str], tuple[str, dict | None, str]] = {}  # key -> (path, data, blob)
    modified: list[tuple[tuple[str, str], str, dict | None, str]] = []

    for status, path, _old_blob, new_blob in info["files"]:
        kind = kind_of_path(path)
        if kind is None:
            continue
        if status == "D":
            key = path_ids.get(path)
            if key is not None:
                removed[key] = path
            state_paths.append((path, None))
            continue
        data, record_id, errors = versions.parsed(kind, path, new_blob)
        key = (kind, record_id or PurePosixPath(path).stem)
        if data is None:
            first = errors[0] if errors else None
            detail = f" ({first.format_text()})" if first else ""
            warnings.append(
                f"commit {sha[:7]} : {path} est invalide à ce commit{detail} ; "
                "ses modifications sont comparées à la dernière version valide"
            )
        previous_key = path_ids.get(path)
        if previous_key is not None and previous_key != key:
            removed[previous_key] = path  # same file, other id: the old record is gone
        state_paths.append((path, list(key)))
        if status == "A" or previous_key != key:
            added[key] = (path, data, new_blob)
        else:
            modified.append((key, path, data, new_blob))

    changes = []
    day = dt.datetime.fromisoformat(info["date"]).date()

    def emit(key: tuple[str, str], path: str, before_blob: str | None, after: dict | None,
             after_blob: str | None, old_path: str | None = None, deleted: bool = False) -> None:
        before = None
        if before_blob is not None:
            before, _, _ = versions.parsed(key[0], old_path or path, before_blob)
        if deleted:
            sentences = describe_changes(key[0], before, None)
        elif after is None:
            return  # invalid version: described once it is valid again
        else:
            sentences = describe_changes(key[0], before, after, on=day)
            if old_path and old_path != path:
                sentences = sentences + [f"{MOVED} : {old_path} → {path}"]
            state_valid.append((list(key), after_blob))
        if sentences:
            changes.append(asdict(Change(
                commit=sha, date=info["date"], author=info["author"], subject=subject, reason=reason,
                kind=key[0], record_id=key[1], path=path, sentences=sentences, old_path=old_path,
            )))

    for key, (path, data, blob) in added.items():
        old_path = removed.pop(key, None)
        emit(key, path, last_valid.get(key) if old_path else None, data, blob, old_path=old_path)
    for key, path, data, blob in modified:
        emit(key, path, last_valid.get(key), data, blob)
    for key, path in removed.items():
        if last_valid.get(key) is not None:
            emit(key, path, last_valid[key], None, None, deleted=True)
        state_valid.append((list(key), None))
    return {
        "commit": sha,
        "changes": changes,
        "warnings": warnings,
        "state": {"paths": state_paths, "valid": state_valid},
    }


