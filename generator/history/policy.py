"""The pull-request rules: what a change to the records may not do.

Every commit that changes records says why (``Pourquoi:``); past entries of a
status history are never edited or removed; a record is closed, never
deleted; the id of a deleted record is never reused.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import RecordError
from ..fr import format_date_fr
from ..records.kinds import kind_of_path
from .changelog import Versions, read_history
from .git import HistoryError, _exists, _Git, reason_of, subject_of


def pull_request_problems(project: Path, base: str, head: str = "HEAD", *, allow_shallow: bool = False) -> list[RecordError]:
    """What a record pull request may not do, compared with *base*.

    Every commit that changes records says why (`Pourquoi:`); past entries of
    a status history are never edited or removed; a record is closed, never
    deleted; the id of a deleted record is never reused.
    """
    gitrepo = _Git(project)
    versions = Versions(gitrepo)
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

    before, after = versions.records_at(base_sha), versions.records_at(head_sha)
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
            line, column = versions.position(new_path, new_blob, loc if new_entries else ("historique_statut",))
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
