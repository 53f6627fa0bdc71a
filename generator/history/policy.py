"""The pull-request rules: what a change to the records may not do.

Every commit that changes records or weekly briefings says why (``Pourquoi:``), or the pull
request's description does, for the whole request; past entries of a status
history are never removed and their date and state never change, and their
text (explication, elements_de_langage) is changed only by a correction that
says so (a ``Correction:`` line); a record is closed, never deleted; the id of
a deleted record is never reused.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ..errors import RecordError
from ..fr import format_date_fr
from ..project import today_in_paris
from ..records.briefings import BRIEFINGS_FOLDER
from ..records.kinds import RECORD_ROOTS, kind_of_path
from .changelog import Versions, read_history
from .changes import CORRECTABLE
from .git import Git, ShallowCloneError, reason_of, subject_of

# Weekly briefings are reviewed under the records' rules (records/briefings.py).
BRIEFINGS_ROOT = f"docs/{BRIEFINGS_FOLDER}"

# (kind, id) -> (path, blob, data) of every record at a revision (Versions.records_at).
Records = dict[tuple[str, str], tuple[str, str, dict[str, Any] | None]]

_CORRECTION = re.compile(r"^correction[ \t]*:[ \t]*\S", re.I | re.M)


def has_correction(message: str | None) -> bool:
    """Whether a commit message or a description holds a `Correction: …` line."""
    return bool(message and _CORRECTION.search(message))


def pull_request_problems(project: Path, base: str, head: str = "HEAD", *, allow_shallow: bool = False,
                          description: str | None = None) -> list[RecordError]:
    """What a record pull request may not do, compared with *base*.

    *description* is the pull request's description, when known: its
    ``Pourquoi:`` line gives the reason of every commit, its ``Correction:``
    line allows correcting the text of past status entries.
    """
    with Git.require(project, "« --base »") as gitrepo:
        if gitrepo.is_shallow() and not allow_shallow:
            raise ShallowCloneError()
        hint = "vérifiez le nom de la branche (par exemple origin/main) et que l'historique a été récupéré"
        base_sha, head_sha = gitrepo.resolve(base, hint), gitrepo.resolve(head, hint)
        versions = Versions(gitrepo)
        before, after = versions.records_at(base_sha), versions.records_at(head_sha)
        commits = gitrepo.commits_between(base_sha, head_sha, (*RECORD_ROOTS, BRIEFINGS_ROOT))
        problems = missing_reasons(commits, description)
        problems += deleted_records(before, after)
        corrected = {path for info in commits if has_correction(info["message"]) for _, path, _, _ in info["files"]}
        problems += rewritten_status_history(versions, before, after, corrected, has_correction(description))
    problems += reused_ids(project, before, after, head_sha, allow_shallow=allow_shallow)
    return sorted(problems, key=lambda e: (e.path, e.line, e.column, e.message))


def missing_reasons(commits: list[dict[str, Any]], description: str | None = None) -> list[RecordError]:
    """Every commit that changes records says why (``Pourquoi:``), or the
    pull request's *description* does, for all of them."""
    if description is not None and reason_of(description) is not None:
        return []
    problems = []
    for info in commits:
        if len(info["parents"]) > 1:
            continue  # a merge brings changes checked in their own commits
        touched = [path for _, path, _, _ in info["files"]
                   if kind_of_path(path) or path.startswith(BRIEFINGS_ROOT + "/")]
        if touched and reason_of(info["message"]) is None:
            subject = subject_of(info["message"])
            for path in dict.fromkeys(touched):
                problems.append(RecordError(
                    path, 1, 1, "pourquoi",
                    f"le commit {info['commit'][:7]} « {subject} » modifie "
                    f"{'ce point hebdo' if path.startswith(BRIEFINGS_ROOT + '/') else 'cette fiche'} sans dire pourquoi"
                    + (" (ni la description de la pull request)" if description is not None else ""),
                    "ajoutez une ligne « Pourquoi: … » à la description de la pull request "
                    "(elle devient le message du commit fusionné)",
                ))
    return problems


def deleted_records(before: Records, after: Records) -> list[RecordError]:
    """A record is closed, never deleted."""
    problems = []
    for key, (path, _blob, _data) in sorted(before.items()):
        if key not in after:
            what = "le dispositif" if key[0] == "dispositif" else "la fiche"
            problems.append(RecordError(
                path, 1, 1, "fichier",
                f"{what} « {key[1]} » est supprimé(e)",
                "ne supprimez pas une fiche : passez son statut à « ferme » (elle reste en page archivée) ; "
                "son identifiant ne sera jamais réutilisé",
            ))
    return problems


def rewritten_status_history(versions: Versions, before: Records, after: Records,
                             corrected: set[str] = frozenset(), correct_all: bool = False,
                             today: dt.date | None = None) -> list[RecordError]:
    """Past entries of a status history are never removed, their date and state
    never change, and their text changes only by a declared correction (a
    ``Correction:`` line in a commit changing *corrected* paths, or in the
    description: *correct_all*). An entry still to come on *today* (a
    scheduled change) has said nothing yet: it may be edited, moved or withdrawn."""
    today = today or today_in_paris()
    problems = []
    for key, (_path, _blob, data) in sorted(before.items()):
        if key not in after:
            continue
        new_path, new_blob, new_data = after[key]
        if key[0] != "dispositif" or data is None or new_data is None:
            continue
        old_entries, new_entries = data["historique_statut"], new_data["historique_statut"]
        for index, entry in enumerate(old_entries):
            new_entry = new_entries[index] if index < len(new_entries) else None
            if new_entry == entry:
                continue
            if dt.date.fromisoformat(str(entry["date"])) > today:
                break  # this entry and the later ones are still scheduled
            loc: tuple[str | int, ...] = ("historique_statut", min(index, max(len(new_entries) - 1, 0)))
            line, column = versions.position(new_path, new_blob, loc if new_entries else ("historique_statut",))
            day = format_date_fr(entry["date"])
            text_only = new_entry is not None and all(
                new_entry.get(field) == entry.get(field) for field in set(entry) | set(new_entry)
                if field not in CORRECTABLE
            )
            if text_only and (correct_all or new_path in corrected):
                continue
            if text_only:
                message = f"le texte de l'entrée du {day} a été modifié sans ligne « Correction: »"
                hint = (
                    "pour corriger son texte (explication, éléments de langage), ajoutez une ligne "
                    "« Correction: … » à la description de la pull request, à côté de « Pourquoi: » ; "
                    "pour un nouveau statut, rétablissez l'entrée et ajoutez-en une à la fin"
                )
            else:
                message = (
                    f"l'entrée du {day} a été modifiée ou supprimée : l'historique du statut ne se réécrit pas"
                )
                hint = (
                    "rétablissez sa date et son état et ajoutez une nouvelle entrée à la fin "
                    "(seul son texte se corrige, avec une ligne « Correction: »)"
                )
            problems.append(RecordError(new_path, line, column, f"historique_statut[{index + 1}]", message, hint))
            break
    return problems


def reused_ids(project: Path, before: Records, after: Records, head_sha: str, *,
               allow_shallow: bool) -> list[RecordError]:
    """The id of a deleted record is never reused."""
    new_ids = [key for key in after if key not in before]
    if not new_ids:
        return []
    history = read_history(project, allow_shallow=allow_shallow)
    deleted = {}
    for change in history.changes:
        if change.sentences == ["Fiche supprimée"] and change.commit != head_sha:
            deleted.setdefault((change.kind, change.record_id), change)
    problems = []
    for key in new_ids:
        if key in deleted:
            gone = deleted[key]
            problems.append(RecordError(
                after[key][0], 1, 1, "id",
                f"l'identifiant « {key[1]} » a déjà servi à une fiche supprimée "
                f"(commit {gone.short}, {gone.when:%d/%m/%Y})",
                "choisissez un autre identifiant : un identifiant n'est jamais réutilisé",
            ))
    return problems


def commit_message_problems(project: Path, message: str) -> list[RecordError]:
    """The commit about to be made (the commit-msg hook): when it changes
    records, its message says why. Lines git drops (« # … ») do not count."""
    kept = "\n".join(line for line in message.split("\n") if not line.startswith("#"))
    if reason_of(kept) is not None:
        return []
    with Git.require(project, "« reperes pourquoi »") as gitrepo:
        if gitrepo.is_merging():
            return []  # a merge brings changes whose own commits said why (as missing_reasons)
        touched = [path for path in gitrepo.staged_paths() if kind_of_path(path)]
    return [
        RecordError(
            path, 1, 1, "pourquoi", "ce commit modifie cette fiche sans dire pourquoi",
            "ajoutez au message une ligne « Pourquoi: … » (dans une pull request, la ligne de sa description suffit)",
        )
        for path in touched
    ]

