"""Editions: the site as the knowledge base stood on a week's Monday, kept
side by side on a versions branch with mike, and the current edition.

What an edition is (the answer to « what did the knowledge base say on that
date? », when a caller quotes an earlier answer):

* **a weekly edition** ``2026-S49`` holds the records of the last main-line
  commit made before that Monday 00:00 (Paris time), checked by today's
  code and built with ``--date`` = that Monday: statuses, amounts and reviews
  in force that day, and the journal up to that commit. It is frozen:
  publishing the same week again gives the same site. The records (the
  folders of RECORD_ROOTS) come from that commit; everything else (the
  presentation: ``mkdocs.yml``, the theme, the contributor guide) from the
  publishing commit, so every edition has the same selector and banner and
  passes today's checks;
* **the current edition** ``actuelle`` holds HEAD, built today, on every
  push to main; it is the default (``/`` leads to it). It is a version of its
  own, not an alias of the newest week: an alias would make the site agents
  use during calls lag up to a week behind main.

No alias, so nothing on the branch is a symbolic link (mike's default alias
type) and nginx can refuse them all (``disable_symlinks on``); redirect
aliases would 404 on assets.

An old edition is static once deployed, yet must say which fields of a page
changed since. The branch's root holds ``changements.json``, rewritten by
every publication from the records of each edition and of the current one
(field by field, as the history compares them, and the status in force on
each date); the banner's script reads it at request time. Pages absent from
it did not change: no warning.

Publishing keeps every guarantee of ``reperes build`` (our MkDocs plugin
checks, builds strictly and scans) and never corrupts the branch: one
publication at a time (a lock in the repository), the branch moved only by
compare-and-swap, the remote refetched and the publication retried when it
moved underneath (mike#238), never a force push over another's work.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import InvalidError, RecordError, UsageError
from ..fr import date_fr, format_date_fr, plural
from ..history.changelog import Versions
from ..history.changes import changed_fields, field_name
from ..history.git import Git, HistoryError, ShallowCloneError
from ..history.weeks import Week, parse_week
from ..project import CACHE_DIR, Project
from ..records.kinds import KINDS, RECORD_ROOTS, kind_of_path
from ..records.loader import load_yaml
from ..records.migrate import upgrade
from ..records.models import EntreeHistorique
from ..records.status import in_force

BRANCH = "editions"
CURRENT = "actuelle"
CURRENT_TITLE = "Édition actuelle"
CHANGES_FILE = "changements.json"
# mkdocs.yml: extra.version.provider: !ENV [REPERES_EDITIONS, ""] — the version
# selector and banner are on only in editions (a plain site has no versions.json).
PROVIDER_VARIABLE = "REPERES_EDITIONS"
ATTEMPTS = 3  # publications when the branch keeps moving underneath
LOCK_WAIT = 15 * 60  # seconds a publication waits for the one in progress
_REDIRECT = Path(__file__).parent / "templates" / "edition-redirection.html"
_NOT_FOUND = Path(__file__).parent / "templates" / "edition-introuvable.html"


class PublishError(InvalidError):
    """The edition's records are invalid: nothing was published (exit code 1)."""


class BranchError(UsageError):
    """The versions branch cannot take the edition as things stand (exit code 2)."""


# --- what is published -----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One version to deploy: its name, title, commit and the date it is built for."""

    version: str
    title: str
    commit: str
    date: dt.date


@dataclass
class PublishResult:
    target: Target
    versions: list[str] = field(default_factory=list)  # on the branch afterwards, newest first
    unchanged: bool = False  # the branch already held exactly this edition
    removed: list[str] = field(default_factory=list)  # editions dropped by --garder
    squashed: bool = False
    attempts: int = 1


def choose_target(git: Git, week: Week | None, today: dt.date) -> Target:
    if week is None:
        head = git.head()
        if head is None:
            raise UsageError("aucun commit à publier", "enregistrez d'abord les fiches (git commit)")
        return Target(CURRENT, CURRENT_TITLE, head, today)
    if week.monday > today:
        raise UsageError(
            f"la semaine {week.year}-W{week.number:02d} commence le lundi {format_date_fr(week.monday)} : "
            "pas encore d'édition à publier",
            "une édition montre ce qui était en vigueur un lundi passé ; pour le site du jour : reperes publish",
        )
    commit = git.last_commit_before("HEAD", week.start())
    if commit is None:
        raise UsageError(
            f"aucun commit avant le lundi {format_date_fr(week.monday)} 0 h (heure de Paris) : "
            f"pas d'édition pour la semaine {week.year}-W{week.number:02d}",
            "choisissez une semaine plus récente (git log --first-parent donne les dates)",
        )
    return Target(week.version, week.title, commit, week.monday)


# --- building one edition ------------------------------------------------------------


def _upgrade_records(tree: Path) -> None:
    """The records of an older commit rewritten in today's shape (records/migrate.py),
    so that today's check reads what they said, not how it was written."""
    import yaml

    for root in RECORD_ROOTS:
        for path in sorted((tree / root).rglob("*.yml")):
            relative = path.relative_to(tree).as_posix()
            kind = kind_of_path(relative)
            if kind is None:
                continue
            raw = path.read_bytes()
            loaded, _, reliable = load_yaml(relative, raw)
            if loaded is None or not reliable:
                continue  # the check reports it, at its line
            upgraded = upgrade(kind, loaded.data)
            if upgraded is loaded.data:
                continue
            try:
                text = yaml.safe_dump(upgraded, allow_unicode=True, sort_keys=False, width=1000)
            except yaml.YAMLError:
                continue  # a value no field accepts: the check reports it as written
            # The leading comments stay (the schema modeline); the rest is rewritten.
            lines = raw.decode("utf-8", "replace").splitlines(keepends=True)
            header = "".join(line for line in itertools.takewhile(lambda line: line.startswith("#"), lines))
            path.write_text(header + text, encoding="utf-8")


@contextlib.contextmanager
def _provider() -> Iterator[None]:
    previous = os.environ.get(PROVIDER_VARIABLE)
    os.environ[PROVIDER_VARIABLE] = "mike"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(PROVIDER_VARIABLE, None)
        else:
            os.environ[PROVIDER_VARIABLE] = previous


def build_edition(git: Git, project: Path, target: Target, presentation: str, site: Path, *,
                  debug: bool = False) -> None:
    """Build *target* into *site*: its commit's records in a work tree of their
    own, the presentation of commit *presentation*, our plugin's guarantees."""
    from .build import mkdocs_build

    scratch = Path(tempfile.mkdtemp(prefix="reperes-edition-"))
    tree = scratch / "depot"
    try:
        git.add_worktree(tree, target.commit)
        edition = Git.open(tree)
        assert edition is not None  # a work tree of this repository
        with edition:
            edition.restore_all_but(presentation, RECORD_ROOTS)
        # The history cache is keyed by commit: shared with the project's.
        (project / CACHE_DIR).mkdir(parents=True, exist_ok=True)
        (tree / CACHE_DIR.parent).mkdir(exist_ok=True)
        (tree / CACHE_DIR).symlink_to(project / CACHE_DIR, target_is_directory=True)
        _upgrade_records(tree)
        with _provider():
            result = mkdocs_build(tree, site, today=target.date, debug=debug)
        if result.corpus.errors:
            lines = "\n".join(_shown(error, tree).format_text() for error in result.corpus.errors)
            raise PublishError(
                f"{plural(len(result.corpus.errors), 'erreur')} dans les fiches du commit {target.commit[:7]} : "
                f"édition {target.version} non publiée\n{lines}"
            )
    finally:
        git.remove_worktree(tree)
        shutil.rmtree(scratch, ignore_errors=True)


def _shown(error: RecordError, tree: Path) -> RecordError:
    """*error* with its path from the edition's work tree, as in the repository."""
    path = Path(os.path.abspath(error.path))
    with contextlib.suppress(ValueError):
        return dataclasses.replace(error, path=path.relative_to(tree.resolve()).as_posix())
    return error


# --- what changed since each edition --------------------------------------------------


def _model(kind: str, data: dict[str, Any]) -> Any:
    return KINDS[kind].model.model_validate_json(json.dumps(data))


def _status_labels(before: dict[str, Any], before_date: dt.date, after: dict[str, Any],
                   after_date: dt.date) -> list[str]:
    """What an agent reads of the status in force on each date, compared."""
    old, new = in_force(_model("dispositif", before), before_date), in_force(_model("dispositif", after), after_date)
    labels = []
    if (old.etat, old.depuis, old.explication) != (new.etat, new.depuis, new.explication):
        labels.append("statut")
    for name in ("elements_de_langage", "prochaine_mise_a_jour"):
        if getattr(old, name) != getattr(new, name):
            labels.append(field_name(EntreeHistorique, name).text)
    if old.scheduled != new.scheduled:
        labels.append("statuts à venir")
    return labels


_STATUS_FIELDS = {"historique_statut"}


def changed_labels(kind: str, before: dict[str, Any], before_date: dt.date, after: dict[str, Any],
                   after_date: dt.date) -> list[str]:
    """French names of what differs on a record's page between an edition
    (*before*, built for *before_date*) and the current one."""
    model = KINDS[kind].model
    fields = changed_fields(kind, before, after)
    labels = []
    if kind == "dispositif":
        labels = _status_labels(before, before_date, after, after_date)
        fields = [name for name in fields if name not in _STATUS_FIELDS]
    labels += [field_name(model, name).text for name in fields if name != "texte" or kind != "guide"]
    if kind == "guide" and "texte" in fields:
        labels.append("texte du guide")
    return list(dict.fromkeys(labels))


def page_of(kind: str, ident: str) -> str | None:
    """A record's page, as the site's URL from an edition's root ("dispositifs/aej/")."""
    if KINDS[kind].pages is None:
        return None
    return PurePosixPath(KINDS[kind].page(ident)).with_suffix("").as_posix() + "/"  # use_directory_urls


def edition_changes(git: Git, editions: list[dict[str, Any]], current: dict[str, Any]) -> dict[str, Any]:
    """changements.json: for each edition, the pages whose record changed since
    (their changed fields), or null for a record since deleted."""
    versions = Versions(git)
    now_date = dt.date.fromisoformat(current["date"])
    now = versions.records_at(current["commit"])
    out: dict[str, Any] = {"actuelle": {"version": CURRENT, **current}, "editions": {}}
    for edition in editions:
        date = dt.date.fromisoformat(edition["date"])
        pages: dict[str, list[str] | None] = {}
        for (kind, ident), (_, blob, data) in sorted(versions.records_at(edition["commit"]).items()):
            page = page_of(kind, ident)
            if page is None or data is None:
                continue
            later = now.get((kind, ident))
            if later is None or later[2] is None:
                pages[page] = None
                continue
            if later[1] == blob and date == now_date:
                continue
            labels = changed_labels(kind, data, date, later[2], now_date)
            if labels:
                pages[page] = labels
        out["editions"][edition["version"]] = {"date": edition["date"], "titre": edition["title"], "pages": pages}
    return out


# --- the versions branch ----------------------------------------------------------------


def _duration(seconds: float) -> str:
    if seconds >= 60:
        return f"{seconds / 60:g} min".replace(".", ",")
    return f"{seconds:g} s".replace(".", ",")


@contextlib.contextmanager
def publication_lock(git: Git, say: Callable[[str], None], wait: float = LOCK_WAIT) -> Iterator[None]:
    """One publication at a time in this repository (all its work trees)."""
    import fcntl

    path = git.common_dir() / "reperes-publication.lock"
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    say("une autre publication est en cours dans ce dépôt : attente de sa fin")
                    told = True
                if time.monotonic() > deadline:
                    raise UsageError(
                        f"une autre publication occupe le dépôt depuis plus de {_duration(wait)}",
                        f"vérifiez qu'aucune commande « reperes publish » ne tourne encore ({path})",
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    """mike runs git in the current folder."""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def _compose(git: Git, work: str, base: str | None, target: Target, site: Path, keep: int | None,
             result: PublishResult) -> str | None:
    """Every commit of this publication, on the scratch branch *work* started at
    *base*; its tip (None: nothing to commit)."""
    from mike import commands as mike
    from mike import git_utils

    git.point_branch(work, base)
    result.unchanged = False
    try:
        with mike.deploy({"site_dir": str(site), "use_directory_urls": True}, target.version, target.title,
                         branch=work, alias_type=mike.AliasType.copy,
                         message=f"Édition {target.version} : commit {target.commit[:7]}, "
                                 f"en vigueur le {format_date_fr(target.date)}",
                         set_props=[("date", target.date.isoformat()), ("commit", target.commit)]):
            pass  # built already, by build_edition
    except git_utils.GitEmptyCommit:
        result.unchanged = True
    listed = [info.to_json() for info in mike.list_versions(work)]
    if keep is not None:
        weekly = [info["version"] for info in listed if info["version"] != CURRENT]
        result.removed = weekly[keep:]
        if result.removed:
            mike.delete(result.removed, branch=work, message=f"Éditions retirées (gardées : {keep}) : "
                        + ", ".join(result.removed))
            listed = [info for info in listed if info["version"] not in result.removed]
    result.versions = [info["version"] for info in listed]
    current = next((info for info in listed if info["version"] == CURRENT), None)
    if current is None:
        raise BranchError(
            "l'édition actuelle n'est pas encore publiée : les éditions ne peuvent dire ce qui a changé depuis",
            "publiez-la d'abord : reperes publish",
        )
    editions = [
        {"version": info["version"], "title": info["title"], **(info.get("properties") or {})}
        for info in listed if info["version"] != CURRENT
    ]
    changes = edition_changes(git, editions, dict(current.get("properties") or {}))
    try:
        with git_utils.Commit(work, "Éditions : accueil, page introuvable et changements depuis chaque édition") as commit:
            commit.add_file(git_utils.FileInfo(
                CHANGES_FILE, json.dumps(changes, ensure_ascii=False, indent=1, sort_keys=True) + "\n"))
            commit.add_file(git_utils.FileInfo("index.html", _REDIRECT.read_text(encoding="utf-8")))
            commit.add_file(git_utils.FileInfo("404.html", _NOT_FOUND.read_text(encoding="utf-8")))
    except git_utils.GitEmptyCommit:
        pass
    if keep is not None and git.branch_commits(work) > 1:
        squashed = git.squash_branch(work, f"Éditions : {', '.join(result.versions)} (historique resserré)")
        git.point_branch(work, squashed)
        result.squashed = True
    return git.ref_sha(f"refs/heads/{work}")


def _compose_or_explain(git: Git, work: str, base: str | None, target: Target, site: Path, keep: int | None,
                        result: PublishResult) -> str | None:
    from mike.git_utils import GitError

    try:
        return _compose(git, work, base, target, site, keep, result)
    except GitError as exc:  # mike runs git itself: its errors are English and unhinted
        raise BranchError(
            f"mike n'a pas pu écrire la branche des éditions : {' '.join(str(exc).split())}",
            "vérifiez l'identité des commits (git config user.name et user.email) et l'état du dépôt",
        ) from None


def _sync(git: Git, branch: str, remote: str, ours: str | None) -> tuple[str | None, str | None]:
    """(base to build on, remote's commit): the local branch brought up to the remote's."""
    remote_sha = git.fetch_branch(remote, branch)
    local = git.ref_sha(f"refs/heads/{branch}")
    if remote_sha is None or local == remote_sha:
        return local, remote_sha
    if local is None or local == ours or git.is_ancestor(local, remote_sha):
        if not git.move_branch(branch, remote_sha, local):
            raise BranchError(f"la branche « {branch} » a changé pendant sa mise à jour depuis « {remote} »")
        return remote_sha, remote_sha
    if git.is_ancestor(remote_sha, local):
        return local, remote_sha  # earlier publications not pushed yet: they go with this one
    raise BranchError(
        f"la branche « {branch} » de ce dépôt et celle de « {remote} » ont divergé : publication refusée",
        f"si la branche locale n'a rien à garder : git branch -D {branch} (elle sera reprise de « {remote} »)",
    )


def publish(project: Project, week: Week | None, *, branch: str = BRANCH, remote: str | None = None,
            keep: int | None = None, debug: bool = False, say: Callable[[str], None] = lambda _: None,
            lock_wait: float = LOCK_WAIT) -> PublishResult:
    """Build an edition (a week's, or the current one) and deploy it on *branch*."""
    if keep is not None and keep < 1:
        raise UsageError("--garder doit valoir au moins 1", "par exemple --garder 12 pour trois mois d'éditions")
    with Git.require(project.root, "reperes publish") as git:
        if git.is_shallow():
            raise ShallowCloneError("une édition demande tout l'historique")
        if git.current_branch() == branch:
            raise UsageError(
                f"la branche des éditions « {branch} » est la branche de travail de ce dossier",
                "publiez depuis main, ou nommez une autre branche avec --branche",
            )
        if remote is not None and not git.has_remote(remote):
            raise UsageError(f"dépôt distant « {remote} » inconnu", "git remote -v liste ceux de ce dépôt")
        target = choose_target(git, week, project.build_date())
        presentation = git.head() or target.commit
        site = Path(tempfile.mkdtemp(prefix="reperes-edition-site-"))
        try:
            say(f"construction de l'édition {target.version} (commit {target.commit[:7]}, "
                f"en vigueur le {date_fr(target.date)})")
            build_edition(git, project.root, target, presentation, site, debug=debug)
            with publication_lock(git, say, lock_wait):
                return _deploy(git, branch, remote, target, site, keep, say)
        finally:
            shutil.rmtree(site, ignore_errors=True)


def _deploy(git: Git, branch: str, remote: str | None, target: Target, site: Path, keep: int | None,
            say: Callable[[str], None]) -> PublishResult:
    result = PublishResult(target)
    work = f"reperes-publication-{os.getpid()}"
    ours: str | None = None
    try:
        for attempt in range(1, ATTEMPTS + 1):
            result.attempts = attempt
            if remote is not None:
                base, remote_sha = _sync(git, branch, remote, ours)
            else:
                base, remote_sha = git.ref_sha(f"refs/heads/{branch}"), None
            with _in(git.root):
                tip = _compose_or_explain(git, work, base, target, site, keep, result)
            if tip != base and not git.move_branch(branch, tip, base):
                say(f"la branche « {branch} » a changé pendant la publication : nouvelle tentative")
                continue
            ours = tip
            if remote is not None and tip != remote_sha:
                if not git.push_branch(remote, branch, remote_sha):
                    say(f"la branche « {branch} » de « {remote} » a changé pendant la publication : "
                        "relecture et nouvelle tentative")
                    continue
            return result
    finally:
        git.point_branch(work, None)
    raise BranchError(
        f"la branche « {branch} » a changé pendant chacune des {ATTEMPTS} tentatives : édition {target.version} "
        "non publiée",
        "d'autres publications tournent en même temps ; relancez la commande quand elles seront finies",
    )


__all__ = [
    "BRANCH", "CHANGES_FILE", "CURRENT", "BranchError", "HistoryError", "PublishError", "PublishResult", "Target", "Week",
    "build_edition", "changed_labels", "choose_target", "edition_changes", "parse_week", "publish",
]
