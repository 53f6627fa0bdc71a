"""What changed and why: the records' history, read from git.

The only module that talks to git. It walks the main line (first parents) of
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
  only that commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import RecordError, UsageError
from ..project import CACHE_DIR as PROJECT_CACHE
from ..records.kinds import KINDS, RECORD_ROOTS, kind_of_path
from ..records.loader import load_yaml
from ..records.validation import validate_record
from ..scratch import write_atomically
from .changes import describe_changes, format_date_fr

CACHE_DIR = PROJECT_CACHE / "historique"
PARIS = "Europe/Paris"
# Horizontal blanks only: "\s" would let the reason start on a later line.
_REASON = re.compile(r"^pourquoi[ \t]*:[ \t]*(.*)$", re.I | re.M)
_EMPTY = "0" * 40
# Characters never shown from git (messages, authors, file names are immutable
# once merged): C0 and C1 controls but tab and line ends, DEL, lone surrogates,
# U+FFFE/U+FFFF (none of these are XML 1.0 characters or readable text) and
# the bidirectional overrides and isolates (they reorder what a reader sees).
# A character class: linear on any input.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")
# A time zone offset git accepts but no clock has (fast-import takes "+9959").
_MAX_OFFSET_MINUTES = 24 * 60 - 1


# Characters of a reason, a subject or an author shown anywhere. A commit
# message has no size limit, and Markdown's cost grows faster than the text
# (every escaped character is a placeholder): 256 KiB of "](" would take the
# build hours. No real reason is this long; the rest is cut, visibly.
SHOWN_LIMIT = 500


def shorten(text: str) -> str:
    """*text*, cut to SHOWN_LIMIT characters with a visible mark."""
    return text if len(text) <= SHOWN_LIMIT else text[:SHOWN_LIMIT].rstrip() + " […]"


def subject_of(message: str) -> str:
    """The first line of a commit message, as shown."""
    return shorten(message.split("\n", 1)[0].strip())


def plain_text(value: str) -> str:
    """*value* without the characters that no page, feed or terminal may show."""
    return _UNSHOWABLE.sub("", value)


def commit_date(timestamp: int, offset: str) -> str:
    """ISO 8601 date of a commit from git's raw form ("1767607200 +0100").

    The instant is the timestamp; the offset only says how the committer's
    clock read it. An offset out of range (git stores "+9959" as given) or
    unreadable is treated as UTC: the instant stays right, and with it the
    Paris date and week the journal shows.
    """
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    match = re.fullmatch(r"([+-])(\d\d)(\d\d)", offset)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        if minutes <= _MAX_OFFSET_MINUTES and int(match.group(3)) < 60:
            sign = -1 if match.group(1) == "-" else 1
            moment = moment.astimezone(dt.timezone(dt.timedelta(minutes=sign * minutes)))
    return moment.isoformat()


class HistoryError(UsageError):
    """History cannot be read; the French message says why and how to fix it."""


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

    @property
    def when(self) -> dt.datetime:
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
    model, errors = validate_record(KINDS[kind].model, loaded, path)
    if model is None:
        guessed = loaded.data.get("id") if isinstance(loaded.data, dict) else None
        return None, guessed if isinstance(guessed, str) else stem, errors
    data = model.model_dump(mode="json")
    return data, data.get("id", kind) if kind != "glossaire" else "glossaire", []


def reason_of(message: str) -> str | None:
    """The `Pourquoi:` line of a commit message, with its indented continuation."""
    match = _REASON.search(message)
    if not match:
        return None
    lines = [match.group(1).strip()]
    for line in message[match.end():].split("\n")[1:]:
        if line.startswith((" ", "\t")) and line.strip():
            lines.append(line.strip())
        else:
            break
    reason = " ".join(part for part in lines if part)
    return shorten(reason) if reason else None


# --- git --------------------------------------------------------------------------


def _cache_version() -> str:
    """Cached entries are valid for this exact code of parsing and describing."""
    package = Path(__file__).parent.parent
    digest = hashlib.sha256()
    # Every module that reads or describes records: no list to keep in step.
    for path in sorted([*(package / "records").glob("*.py"), *(package / "history").glob("*.py")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


class _Git:
    def __init__(self, project: Path) -> None:
        import git

        try:
            self.repo = git.Repo(project)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            self.repo = None
        self._blobs: dict[str, bytes] = {}
        self._parsed: dict[tuple[str, str], Any] = {}

    def is_shallow(self) -> bool:
        return self.repo.git.rev_parse("--is-shallow-repository").strip() == "true"

    def head(self) -> str | None:
        try:
            return self.repo.head.commit.hexsha
        except ValueError:  # no commit yet
            return None

    def mainline(self, head: str) -> list[str]:
        """Main-line commits that touched records, oldest first."""
        out = self.repo.git.rev_list("--first-parent", "--reverse", head, "--", *RECORD_ROOTS)
        return out.split()

    def details(self, commits: list[str]) -> list[dict[str, Any]]:
        """Author, date, message and changed record paths of each commit.

        Nothing written by a committer travels in git log's output: it gives
        only hashes, the raw date and NUL-separated paths; authors and messages
        come from the commit objects, whose size git states, so no character of
        a message or name can shift the parsing.
        """
        if not commits:
            return []
        entries = []
        tokens = self._log_stdin(commits).split("\0")
        index = 0
        while index < len(tokens):
            token = tokens[index].strip()
            index += 1
            if token.startswith(":"):
                _, _, old_blob, new_blob, status = token[1:].split(" ")[:5]
                path = plain_text(tokens[index]) if index < len(tokens) else ""
                entries[-1]["files"].append((status[0], path, old_blob, new_blob))
                index += 1
            elif token:
                sha, timestamp, offset, *parents = token.split(" ")
                entries.append({"commit": sha, "parents": parents, "date": commit_date(int(timestamp), offset),
                                "files": []})
        for entry, (author, message) in zip(entries, self._commit_texts([e["commit"] for e in entries])):
            entry["author"], entry["message"] = author, message
        return entries

    def _log_stdin(self, commits: list[str]) -> str:
        import subprocess

        completed = subprocess.run(
            ["git", "log", "--no-walk=unsorted", "--stdin", "--diff-merges=first-parent", "--raw", "-z",
             "--no-abbrev", "--no-renames", "--date=raw", "--format=%H %cd %P", "--", *RECORD_ROOTS],
            cwd=self.repo.working_tree_dir, input="\n".join(commits) + "\n",
            capture_output=True, text=True, encoding="utf-8", errors="replace", check=True,
        )
        return completed.stdout

    def _commit_texts(self, commits: list[str]) -> list[tuple[str, str]]:
        """(author name, message) of each commit, read from its object, shown-safe."""
        texts = []
        for sha in commits:
            raw = self.repo.odb.stream(bytes.fromhex(sha)).read()
            header, _, body = raw.partition(b"\n\n")
            author, encoding = "", "utf-8"
            for line in header.split(b"\n"):
                if line.startswith(b"author "):
                    author = line[len(b"author "):].rsplit(b" <", 1)[0].decode("utf-8", "replace")
                elif line.startswith(b"encoding "):
                    encoding = line[len(b"encoding "):].decode("ascii", "replace").strip()
            try:
                message = body.decode(encoding, "replace")
            except LookupError:  # unknown encoding name in the commit
                message = body.decode("utf-8", "replace")
            texts.append((shorten(plain_text(" ".join(author.split()))), plain_text(message).strip()))
        return texts

    def merged_messages(self, first_parent: str, other_parent: str) -> list[str]:
        shas = self.repo.git.rev_list(f"{first_parent}..{other_parent}").split()
        return [message for _, message in self._commit_texts(shas) if message]

    def parsed(self, kind: str, path: str, sha: str) -> tuple[dict[str, Any] | None, str | None, list[RecordError]]:
        """parse_record of a blob, once per blob (a version is the next one's "before")."""
        key = (kind, sha)
        if key not in self._parsed:
            self._parsed[key] = parse_record(kind, path, self.blob(sha))
        return self._parsed[key]

    def blob(self, sha: str) -> bytes:
        return self.repo.odb.stream(bytes.fromhex(sha)).read()

    def files_at(self, revision: str) -> dict[str, str]:
        """Record paths -> blob sha at *revision*."""
        out = self.repo.git.ls_tree("-r", "-z", revision, "--", *RECORD_ROOTS)
        files = {}
        for item in out.split("\0"):
            if not item:
                continue
            meta, path = item.split("\t", 1)
            files[plain_text(path)] = meta.split()[2]
        return files

    def resolve(self, revision: str) -> str:
        return self.repo.git.rev_parse("--verify", f"{revision}^{{commit}}").strip()

    def commits_between(self, base: str, head: str) -> list[dict[str, Any]]:
        """Commits of base..head (every parent), oldest first, with their record paths."""
        shas = self.repo.git.rev_list("--reverse", f"{base}..{head}").split()
        return self.details(shas)


# --- reading the history ----------------------------------------------------------


def current_head(project: Path) -> str | None:
    """The commit HEAD points at (None outside git or before the first commit)."""
    gitrepo = _Git(project)
    return gitrepo.head() if gitrepo.repo is not None else None


def read_history(project: Path, *, allow_shallow: bool = False, use_cache: bool = True) -> History:
    gitrepo = _Git(project)
    if gitrepo.repo is None:
        return History(available=False)
    head = gitrepo.head()
    if head is None:
        return History(available=True, head=None)
    partial = False
    if gitrepo.is_shallow():
        if not allow_shallow:
            raise HistoryError(
                "historique incomplet : ce dépôt est un clone superficiel (shallow), les dates et "
                "l'historique des fiches seraient faux",
                "dans GitHub Actions, ajoutez « fetch-depth: 0 » à l'étape actions/checkout ; en local, "
                "lancez « git fetch --unshallow » ; ou relancez avec --allow-shallow pour un historique "
                "signalé comme partiel",
            )
        partial = True

    commits = gitrepo.mainline(head)
    cache_dir = project / CACHE_DIR / _cache_version()
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

    history = History(head=head, partial=partial, processed=len(missing))
    # Replayed state: where each record lives and its last valid version.
    path_ids: dict[str, tuple[str, str]] = {}
    last_valid: dict[tuple[str, str], str] = {}  # (kind, id) -> blob sha
    for sha in commits:
        entry = cached.get(sha)
        if entry is None:
            entry = _process_commit(gitrepo, details[sha], path_ids, last_valid)
            if use_cache:
                cache_dir.mkdir(parents=True, exist_ok=True)
                write_atomically(cache_dir / f"{sha}.json", json.dumps(entry, ensure_ascii=False))
        _replay(entry, path_ids, last_valid)
        history.warnings.extend(entry["warnings"])
        for change in entry["changes"]:
            history.changes.append(Change(**change))
    history.changes.reverse()
    return history


_CHANGE_TEXTS = ("commit", "date", "author", "subject", "kind", "record_id", "path")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and not _UNSHOWABLE.search(value)


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
    gitrepo: _Git, info: dict[str, Any], path_ids: dict[str, tuple[str, str]], last_valid: dict
) -> dict[str, Any]:
    sha, message = info["commit"], info["message"]
    reason = reason_of(message)
    if reason is None and len(info["parents"]) > 1:
        reasons = [r for r in (reason_of(m) for m in gitrepo.merged_messages(*info["parents"][:2])) if r]
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
        data, record_id, errors = gitrepo.parsed(kind, path, new_blob)
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

    def emit(key: tuple[str, str], path: str, before_blob: str | None, after: dict | None,
             after_blob: str | None, old_path: str | None = None, deleted: bool = False) -> None:
        before = None
        if before_blob is not None:
            before, _, _ = gitrepo.parsed(key[0], old_path or path, before_blob)
        if deleted:
            sentences = describe_changes(key[0], before, None)
        elif after is None:
            return  # invalid version: described once it is valid again
        else:
            sentences = describe_changes(key[0], before, after)
            if old_path and old_path != path:
                sentences = sentences + [f"Fichier déplacé : {old_path} → {path}"]
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


# --- pull requests --------------------------------------------------------------


def _records_at(gitrepo: _Git, revision: str) -> dict[tuple[str, str], tuple[str, str, dict[str, Any] | None]]:
    """(kind, id) -> (path, blob, data) of every record stored at *revision*."""
    records = {}
    for path, blob in gitrepo.files_at(revision).items():
        kind = kind_of_path(path)
        if kind is None:
            continue
        data, record_id, _ = gitrepo.parsed(kind, path, blob)
        records[(kind, record_id or PurePosixPath(path).stem)] = (path, blob, data)
    return records


def _position(gitrepo: _Git, path: str, blob: str, loc: tuple[str | int, ...]) -> tuple[int, int]:
    if path.endswith(".md"):
        return 1, 1
    loaded, _, _ = load_yaml(path, gitrepo.blob(blob))
    return loaded.position(loc) if loaded is not None else (1, 1)


def pull_request_problems(project: Path, base: str, head: str = "HEAD", *, allow_shallow: bool = False) -> list[RecordError]:
    """What a record pull request may not do, compared with *base*.

    Every commit that changes records says why (`Pourquoi:`); past entries of
    a status history are never edited or removed; a record is closed, never
    deleted; the id of a deleted record is never reused.
    """
    gitrepo = _Git(project)
    if gitrepo.repo is None:
        raise HistoryError("« --base » demande un dépôt git", "lancez la commande dans un clone du dépôt")
    if gitrepo.is_shallow() and not allow_shallow:
        raise HistoryError(
            "historique incomplet : ce dépôt est un clone superficiel (shallow)",
            "dans GitHub Actions, ajoutez « fetch-depth: 0 » à l'étape actions/checkout ; "
            "en local, lancez « git fetch --unshallow »",
        )
    try:
        base_sha, head_sha = gitrepo.resolve(base), gitrepo.resolve(head)
    except Exception:  # noqa: BLE001 - GitCommandError: unknown revision
        raise HistoryError(
            f"révision « {base if not _exists(gitrepo, base) else head} » introuvable",
            "vérifiez le nom de la branche (par exemple origin/main) et que l'historique a été récupéré",
        ) from None
    problems: list[RecordError] = []

    for info in gitrepo.commits_between(base_sha, head_sha):
        if len(info["parents"]) > 1:
            continue  # a merge brings changes checked in their own commits
        touched = [path for _, path, _, _ in info["files"] if kind_of_path(path)]
        if touched and reason_of(info["message"]) is None:
            subject = subject_of(info["message"])
            for path in dict.fromkeys(touched):
                problems.append(RecordError(
                    path, 1, 1, "pourquoi",
                    f"le commit {info['commit'][:7]} « {subject} » modifie cette fiche sans dire pourquoi",
                    "ajoutez une ligne « Pourquoi: … » à la description de la pull request "
                    "(elle devient le message du commit fusionné)",
                ))

    before, after = _records_at(gitrepo, base_sha), _records_at(gitrepo, head_sha)
    for key, (path, _blob, data) in sorted(before.items()):
        if key not in after:
            what = "le dispositif" if key[0] == "dispositif" else "la fiche"
            problems.append(RecordError(
                path, 1, 1, "fichier",
                f"{what} « {key[1]} » est supprimé(e)",
                "ne supprimez pas une fiche : passez son statut à « ferme » (elle reste en page archivée) ; "
                "son identifiant ne sera jamais réutilisé",
            ))
            continue
        new_path, new_blob, new_data = after[key]
        if key[0] != "dispositif" or data is None or new_data is None:
            continue
        old_entries, new_entries = data["historique_statut"], new_data["historique_statut"]
        for index, entry in enumerate(old_entries):
            if index < len(new_entries) and new_entries[index] == entry:
                continue
            loc: tuple[str | int, ...] = ("historique_statut", min(index, max(len(new_entries) - 1, 0)))
            line, column = _position(gitrepo, new_path, new_blob, loc if new_entries else ("historique_statut",))
            problems.append(RecordError(
                new_path, line, column, f"historique_statut[{index + 1}]",
                f"l'entrée du {format_date_fr(entry['date'])} a été modifiée ou supprimée : "
                "l'historique du statut ne se réécrit pas",
                "rétablissez-la telle quelle et ajoutez une nouvelle entrée à la fin",
            ))
            break

    new_ids = [key for key in after if key not in before]
    if new_ids:
        history = read_history(project, allow_shallow=allow_shallow)
        deleted = {}
        for change in history.changes:
            if change.sentences == ["Fiche supprimée"] and change.commit != head_sha:
                deleted.setdefault((change.kind, change.record_id), change)
        for key in new_ids:
            if key in deleted:
                path = after[key][0]
                gone = deleted[key]
                problems.append(RecordError(
                    path, 1, 1, "id",
                    f"l'identifiant « {key[1]} » a déjà servi à une fiche supprimée "
                    f"(commit {gone.short}, {gone.when:%d/%m/%Y})",
                    "choisissez un autre identifiant : un identifiant n'est jamais réutilisé",
                ))
    return sorted(problems, key=lambda e: (e.path, e.line, e.column, e.message))


def _exists(gitrepo: _Git, revision: str) -> bool:
    try:
        gitrepo.resolve(revision)
        return True
    except Exception:  # noqa: BLE001
        return False


def describe_range(project: Path, base: str, head: str = "HEAD", *, inline: Callable[[str], str]) -> str:
    """Markdown summary of every record change between two revisions, with reasons.

    *inline* is the site's escaper of one-line text (``md_inline``, passed in:
    history does not import the site). Every text from git or from a record
    goes through it, so a commit message cannot add a link, a heading or
    markup to the summary GitHub shows.
    """

    def code(text: str) -> str:
        return f"`{text}`" if not any(c in text for c in "`\r\n") else inline(text)
    gitrepo = _Git(project)
    if gitrepo.repo is None:
        raise HistoryError("« reperes diff » demande un dépôt git", "lancez la commande dans un clone du dépôt")
    try:
        base_sha, head_sha = gitrepo.resolve(base), gitrepo.resolve(head)
    except Exception:  # noqa: BLE001
        missing = base if not _exists(gitrepo, base) else head
        raise HistoryError(f"révision « {missing} » introuvable", "vérifiez son nom (git log --oneline)") from None
    before, after = _records_at(gitrepo, base_sha), _records_at(gitrepo, head_sha)
    commits = [c for c in gitrepo.commits_between(base_sha, head_sha) if len(c["parents"]) <= 1]
    lines = [f"## Modifications des fiches ({base_sha[:7]} → {head_sha[:7]})", ""]
    keys = sorted(set(before) | set(after), key=lambda k: (k[0] != "dispositif", k[0], k[1]))
    count = 0
    for key in keys:
        old = before.get(key)
        new = after.get(key)
        old_data = old[2] if old else None
        new_data = new[2] if new else None
        if old and new and old[1] == new[1]:
            continue
        path = (new or old)[0]
        if new is not None and new_data is None:
            sentences = ["Fiche invalide dans cette version : lancez « reperes check »"]
        else:
            sentences = describe_changes(key[0], old_data, new_data)
            if old and new and old[0] != new[0]:
                sentences.append(f"Fichier déplacé : {old[0]} → {new[0]}")
        if not sentences:
            continue
        count += 1
        name = (new_data or old_data or {}).get("nom") or (new_data or old_data or {}).get("titre") or key[1]
        label = {"dispositif": "Dispositif", "partenaire": "Partenaire", "outil": "Outil", "site": "Site référent",
                 "glossaire": "Glossaire", "guide": "Guide"}[key[0]]
        lines.append(f"### {label} « {inline(name)} » ({code(path)})")
        lines.append("")
        lines.extend(f"- {inline(sentence)}" for sentence in sentences)
        lines.append("")
        paths = {p for p in (old[0] if old else None, new[0] if new else None) if p}
        for info in commits:
            if paths & {p for _, p, _, _ in info["files"]}:
                reason = reason_of(info["message"]) or "raison non renseignée"
                when = dt.datetime.fromisoformat(info["date"])
                subject = subject_of(info["message"])
                lines.append(
                    f"> **Pourquoi :** {inline(reason)} — {inline(info['author'])}, "
                    f"{format_date_fr(when.date().isoformat())}, commit {info['commit'][:7]} « {inline(subject)} »"
                )
                lines.append("")
    if count == 0:
        lines.append("Aucune fiche modifiée.")
        lines.append("")
    return "\n".join(lines)
