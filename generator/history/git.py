"""The git wrapper: the only code that calls GitPython or runs ``git``.

What comes out of git is made showable here, once: messages, authors and
file names lose the characters no page, feed or terminal may show, and are
cut to a readable length.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import UsageError
from ..records.kinds import RECORD_ROOTS

# Horizontal blanks only: "\s" would let the reason start on a later line.
_REASON = re.compile(r"^pourquoi[ \t]*:[ \t]*(.*)$", re.I | re.M)
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


def is_plain_text(value: str) -> bool:
    """Whether *value* has none of the characters plain_text removes."""
    return not _UNSHOWABLE.search(value)


def commit_date(timestamp: int, offset: str) -> str:
    """ISO 8601 date of a commit from git's raw form ("1767607200 +0100").

    The instant is the timestamp; the offset only says how the committer's
    clock read it. An offset out of range (git stores "+9959" as given) or
    unreadable is treated as UTC: the instant stays right, and with it the
    Paris date and week the journal shows.
    """
    try:
        moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    except (OverflowError, OSError, ValueError):  # a date git itself calls an overflow
        moment = dt.datetime.fromtimestamp(0, dt.UTC)
    match = re.fullmatch(r"([+-])(\d\d)(\d\d)", offset)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        if minutes <= _MAX_OFFSET_MINUTES and int(match.group(3)) < 60:
            sign = -1 if match.group(1) == "-" else 1
            moment = moment.astimezone(dt.timezone(dt.timedelta(minutes=sign * minutes)))
    return moment.isoformat()


class HistoryError(UsageError):
    """History cannot be read; the French message says why and how to fix it."""


class NotARepositoryError(HistoryError):
    """A command that needs git was run outside a repository."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} demande un dépôt git", "lancez la commande dans un clone du dépôt")


class ShallowCloneError(HistoryError):
    """A shallow clone: dates and history would be wrong."""

    def __init__(self, consequence: str | None = None, *, can_allow: bool = False) -> None:
        super().__init__(
            "historique incomplet : ce dépôt est un clone superficiel (shallow)"
            + (f", {consequence}" if consequence else ""),
            "dans GitHub Actions, ajoutez « fetch-depth: 0 » à l'étape actions/checkout ; "
            "en local, lancez « git fetch --unshallow »"
            + (" ; ou relancez avec --allow-shallow pour un historique signalé comme partiel" if can_allow else ""),
        )


class UnknownRevisionError(HistoryError):
    """A revision (branch, tag, commit) that the repository does not have."""

    def __init__(self, revision: str, hint: str) -> None:
        super().__init__(f"révision « {revision} » introuvable", hint)
        self.revision = revision


def _one_line(text: str) -> str:
    """What git printed, on one line (for a message)."""
    return " ".join(plain_text(text).split())


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


class Git:
    """The repository holding a project, for one reading: use it in a ``with``
    block, which closes it (GitPython keeps ``git cat-file`` processes open
    per repository until then)."""

    def __init__(self, repo: Any) -> None:
        self.repo = repo

    @classmethod
    def open(cls, project: Path) -> Git | None:
        """The repository holding *project*; None outside git."""
        import git

        try:
            return cls(git.Repo(project))
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return None

    @classmethod
    def require(cls, project: Path, what: str) -> Git:
        """The repository holding *project*, needed by *what* (« reperes diff »)."""
        gitrepo = cls.open(project)
        if gitrepo is None:
            raise NotARepositoryError(what)
        return gitrepo

    def __enter__(self) -> Git:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.repo.close()

    def is_shallow(self) -> bool:
        return self.repo.git.rev_parse("--is-shallow-repository").strip() == "true"

    def rewrites_history(self) -> bool:
        """Whether git shows commits with other parents than they were made with
        (replace refs, grafts): the same commit then has another history."""
        if (Path(self.repo.common_dir) / "info" / "grafts").is_file():
            return True
        if os.environ.get("GIT_NO_REPLACE_OBJECTS"):
            return False
        return bool(self.repo.git.for_each_ref("--count=1", "refs/replace/").strip())

    def head(self) -> str | None:
        try:
            return self.repo.head.commit.hexsha
        except ValueError:  # no commit yet
            return None

    def mainline(self, head: str) -> list[str]:
        """Main-line commits that touched records, oldest first."""
        out = self.repo.git.rev_list("--first-parent", "--reverse", head, "--", *RECORD_ROOTS)
        return out.split()

    def details(self, commits: list[str], roots: tuple[str, ...] = RECORD_ROOTS) -> list[dict[str, Any]]:
        """Author, date, message and changed record paths of each commit.

        Nothing written by a committer travels in git log's output: it gives
        only hashes, the raw date and NUL-separated paths; authors and messages
        come from the commit objects, whose size git states, so no character of
        a message or name can shift the parsing.
        """
        if not commits:
            return []
        entries = []
        tokens = self._log_stdin(commits, roots).split("\0")
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
                # "sha timestamp offset parents…"; a date git cannot read
                # (fsck's badDateOverflow) comes out empty: epoch, never a crash.
                sha, *rest = token.split(" ")
                stamp = rest[0] if rest and re.fullmatch(r"-?\d{1,15}", rest[0]) else None
                offset = rest[1] if stamp is not None and len(rest) > 1 else ""
                parents = [part for part in rest if re.fullmatch(r"[0-9a-f]{40}", part)]
                entries.append({"commit": sha, "parents": parents,
                                "date": commit_date(int(stamp) if stamp else 0, offset), "files": []})
        for entry, (author, message) in zip(entries, self._commit_texts([e["commit"] for e in entries])):
            entry["author"], entry["message"] = author, message
        return entries

    def _log_stdin(self, commits: list[str], roots: tuple[str, ...]) -> str:
        import subprocess

        completed = subprocess.run(
            ["git", "log", "--no-walk=unsorted", "--stdin", "--diff-merges=first-parent", "--raw", "-z",
             "--no-abbrev", "--no-renames", "--date=raw", "--format=%H %cd %P", "--", *roots],
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

    def resolve(self, revision: str, hint: str = "vérifiez son nom (git log --oneline)") -> str:
        """The commit *revision* names; UnknownRevisionError, with *hint*, if none."""
        try:
            return self.repo.git.rev_parse("--verify", f"{revision}^{{commit}}").strip()
        except Exception:  # noqa: BLE001 - GitCommandError, or a name git cannot be given
            raise UnknownRevisionError(revision, hint) from None

    def first_parent(self, commit: str) -> str | None:
        """The first parent of *commit*; None for a root commit."""
        out = self.repo.git.rev_list("--parents", "-1", commit).split()
        return out[1] if len(out) > 1 else None

    def is_merging(self) -> bool:
        """Whether the commit being made concludes a merge (git keeps MERGE_HEAD meanwhile)."""
        return (Path(self.repo.git_dir) / "MERGE_HEAD").exists()

    def staged_paths(self) -> list[str]:
        """Paths the next commit changes (added, modified, deleted or renamed), as shown."""
        out = self.repo.git.diff("--cached", "--name-only", "-z", "--no-renames")
        return [plain_text(path) for path in out.split("\0") if path]

    def commits_between(self, base: str, head: str, roots: tuple[str, ...] = RECORD_ROOTS) -> list[dict[str, Any]]:
        """Commits of base..head (every parent), oldest first, with their paths under *roots*."""
        shas = self.repo.git.rev_list("--reverse", f"{base}..{head}").split()
        return self.details(shas, roots)


    # --- editions: the versions branch and snapshots of a past commit -------------

    def run(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """``git ARGS`` in the work tree, its outcome returned (never raised)."""
        return subprocess.run(
            ["git", *args], cwd=self.repo.working_tree_dir, input=input,
            capture_output=True, text=True, encoding="utf-8", errors="replace", check=False,
        )

    @property
    def root(self) -> Path:
        """The work tree's top folder."""
        return Path(self.repo.working_tree_dir)

    def common_dir(self) -> Path:
        """The repository's own folder, shared by all its work trees (.git)."""
        return Path(self.repo.git.rev_parse("--path-format=absolute", "--git-common-dir").strip())

    def last_commit_before(self, revision: str, moment: dt.datetime) -> str | None:
        """The newest main-line commit of *revision* made before *moment* (committer date)."""
        out = self.repo.git.rev_list("-1", "--first-parent", f"--before={moment.isoformat()}", revision)
        return out.strip() or None

    def committed_at(self, revision: str) -> dt.datetime:
        """Committer date of *revision*."""
        stamp, offset = self.repo.git.log("-1", "--format=%ct %cd", "--date=format:%z", revision).split()
        return dt.datetime.fromisoformat(commit_date(int(stamp), offset))

    def add_worktree(self, path: Path, commit: str) -> None:
        """A detached work tree of *commit* at *path* (files as they were then)."""
        self.repo.git.worktree("add", "--detach", "--force", str(path), commit)

    def remove_worktree(self, path: Path) -> None:
        self.run("worktree", "remove", "--force", str(path))
        self.run("worktree", "prune")

    def restore_all_but(self, revision: str, kept: tuple[str, ...]) -> None:
        """Every file of the work tree as at *revision*, but those under the folders *kept*."""
        pathspec = [".", *(f":(exclude){folder}" for folder in kept)]
        self.repo.git.rm("-r", "-q", "-f", "--ignore-unmatch", "--", *pathspec)
        self.repo.git.checkout(revision, "--", *pathspec)

    def point_branch(self, branch: str, commit: str | None) -> None:
        """Point *branch* at *commit* unconditionally; None deletes it (a scratch branch)."""
        if commit is None:
            self.run("update-ref", "-d", f"refs/heads/{branch}")
        else:
            self.repo.git.update_ref(f"refs/heads/{branch}", commit)

    def ref_sha(self, ref: str) -> str | None:
        """The commit *ref* ("refs/heads/editions") points at; None if absent."""
        completed = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        return completed.stdout.strip() or None

    def current_branch(self) -> str | None:
        """The branch checked out here; None on a detached HEAD."""
        completed = self.run("symbolic-ref", "--quiet", "--short", "HEAD")
        return completed.stdout.strip() or None

    def has_remote(self, remote: str) -> bool:
        return remote in self.run("remote").stdout.split()

    def fetch_branch(self, remote: str, branch: str) -> str | None:
        """Fetch *branch* of *remote* into refs/remotes/; its commit, None when the remote has none."""
        completed = self.run("fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
        if completed.returncode != 0:
            if self.run("ls-remote", "--exit-code", "--heads", remote, branch).returncode == 2:
                return None  # the remote has no such branch yet
            raise HistoryError(
                f"impossible de lire la branche « {branch} » du dépôt distant « {remote} » : "
                + _one_line(completed.stderr),
                "vérifiez l'accès au dépôt distant (git fetch)",
            )
        return self.ref_sha(f"refs/remotes/{remote}/{branch}")

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.run("merge-base", "--is-ancestor", older, newer).returncode == 0

    def move_branch(self, branch: str, new: str, expected: str | None) -> bool:
        """Point *branch* at *new* only if it still points at *expected* (None: does not exist).

        Compare-and-swap by git itself: False when the branch moved meanwhile."""
        old = expected or "0" * 40
        return self.run("update-ref", f"refs/heads/{branch}", new, old).returncode == 0

    def push_branch(self, remote: str, branch: str, expected: str | None) -> bool:
        """Push *branch* to *remote* if the remote's branch is still *expected* (None: absent).

        ``--force-with-lease`` with an explicit value: a squashed branch can be
        pushed, but never over what another publication pushed meanwhile.
        False when the remote moved underneath."""
        completed = self.run(
            "push", "--quiet", "--porcelain", f"--force-with-lease=refs/heads/{branch}:{expected or ''}",
            remote, f"refs/heads/{branch}:refs/heads/{branch}",
        )
        if completed.returncode == 0:
            return True
        if "stale info" in completed.stdout + completed.stderr or "rejected" in completed.stdout + completed.stderr:
            return False
        raise HistoryError(
            f"impossible d'envoyer la branche « {branch} » au dépôt distant « {remote} » : "
            + _one_line(completed.stderr or completed.stdout),
            "vérifiez les droits d'écriture sur le dépôt distant (git push)",
        )

    def squash_branch(self, branch: str, message: str) -> str:
        """One parentless commit holding the tree of *branch*'s tip (not yet pointed at)."""
        tree = self.repo.git.rev_parse(f"refs/heads/{branch}^{{tree}}").strip()
        return self.repo.git.commit_tree(tree, "-m", message).strip()

    def branch_commits(self, branch: str) -> int:
        return int(self.repo.git.rev_list("--count", f"refs/heads/{branch}").strip())
