"""Throwaway git repositories with fixed authors and dates, for history tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitRepo:
    """A real repository; every commit has the author and date it is given."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Référent Test")
        self.git("config", "user.email", "referent@exemple.invalid")
        self.git("config", "commit.gpgSign", "false")
        self.git("config", "core.autocrlf", "false")
        # As in the real repository: the history cache is never committed.
        (root / ".gitignore").write_text("/.cache/\n/docs/genere/\n/site/\n", encoding="utf-8")

    def git(self, *args: str, date: str | None = None, author: str | None = None) -> str:
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.root)}
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        if author:
            name, email = author.split(" <")
            env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = name
            env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = email.rstrip(">")
        completed = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True
        )
        return completed.stdout.strip()

    def write(self, name: str, text: str) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def read(self, name: str) -> str:
        return (self.root / name).read_text(encoding="utf-8")

    def replace(self, name: str, old: str, new: str) -> None:
        text = self.read(name)
        assert old in text, f"{old!r} absent de {name}"
        self.write(name, text.replace(old, new, 1))

    def commit(self, message: str, date: str, author: str = "Référent Test <referent@exemple.invalid>") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, date=date, author=author)
        return self.git("rev-parse", "HEAD")

    def merge(self, branch: str, message: str, date: str, *, squash: bool = False) -> str:
        if squash:
            self.git("merge", "-q", "--squash", branch, date=date)
            return self.commit(message, date)
        self.git("merge", "-q", "--no-ff", branch, "-m", message, date=date)
        return self.git("rev-parse", "HEAD")


def committed(root: Path, files: dict[str, str], *, branch: str | None = None) -> GitRepo:
    """A repository holding *files* in one commit with its reason; on *branch*
    (a referent's pull request) when given."""
    repo = GitRepo(root)
    for name, text in files.items():
        repo.write(name, text)
    repo.commit("Fiches initiales\n\nPourquoi: première version des fiches", "2026-01-05T10:00:00+01:00")
    if branch:
        repo.git("checkout", "-q", "-b", branch)
    return repo
