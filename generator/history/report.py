"""The Markdown report of ``reperes diff``: every record change between two
revisions, with the reasons its commits give."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..fr import format_date_fr
from ..project import today_in_paris
from ..records.kinds import KINDS
from .changelog import Versions
from .changes import describe_changes
from .git import Git, reason_of, subject_of


def describe_range(project: Path, base: str, head: str = "HEAD", *, inline: Callable[[str], str]) -> str:
    """Markdown summary of every record change between two revisions, with reasons.

    *inline* is the site's escaper of one-line text (``md_inline``, passed in:
    history does not import the site). Every text from git or from a record
    goes through it, so a commit message cannot add a link, a heading or
    markup to the summary GitHub shows.
    """

    def code(text: str) -> str:
        return f"`{text}`" if not any(c in text for c in "`\r\n") else inline(text)

    with Git.require(project, "« reperes diff »") as gitrepo:
        base_sha, head_sha = gitrepo.resolve(base), gitrepo.resolve(head)
        versions = Versions(gitrepo)
        before, after = versions.records_at(base_sha), versions.records_at(head_sha)
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
            sentences = describe_changes(key[0], old_data, new_data, on=today_in_paris())
            if old and new and old[0] != new[0]:
                sentences.append(f"Fichier déplacé : {old[0]} → {new[0]}")
        if not sentences:
            continue
        count += 1
        name = (new_data or old_data or {}).get("nom") or (new_data or old_data or {}).get("titre") or key[1]
        label = KINDS[key[0]].label
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
