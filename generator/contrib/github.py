"""What GitHub Actions shows of a check: annotations on the changed lines and
the full French report in the job summary.

GitHub shows at most 10 error annotations per step (50 per job) and drops the
rest silently; a job summary holds at most 1 MiB. So the first errors become
annotations, every error goes to the job summary (cut, with a French note,
before the limit) and the log keeps them all in compiler form.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import RecordError
from ..fr import plural

ANNOTATIONS_PER_STEP = 10  # GitHub's limit for error annotations in one step
SUMMARY_LIMIT = 1024 * 1024  # GitHub's limit for one step's job summary, in bytes
SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def annotation_lines(errors: Sequence[RecordError], limit: int = ANNOTATIONS_PER_STEP) -> list[str]:
    """The log of a check on GitHub: the first *limit* errors as annotations,
    the others in compiler form, then a notice saying where the full list is."""
    lines = [error.format_github() for error in errors[:limit]]
    rest = errors[limit:]
    if rest:
        lines.extend(error.format_text() for error in rest)
        lines.append(
            f"::notice title=Repères %3A {plural(len(rest), 'autre erreur', 'autres erreurs')}::"
            f"GitHub n'annote que les {limit} premières erreurs ; les {len(errors)} erreurs sont dans le "
            "résumé de l'exécution (onglet Summary) et dans ce journal"
        )
    return lines


def _fence(lines: Sequence[str]) -> str:
    """A code fence longer than any run of backticks in *lines*: nothing inside can close it."""
    longest = 0
    for line in lines:
        run = 0
        for char in line:
            run = run + 1 if char == "`" else 0
            longest = max(longest, run)
    return "`" * max(3, longest + 1)


def summary_markdown(errors: Sequence[RecordError], checked: int, limit: int = SUMMARY_LIMIT) -> str:
    """The French report of a check for the job summary, under *limit* bytes.

    Errors are shown in a code block, exactly as `make check` prints them: a
    contributor's text inside them is never read as Markdown.
    """
    head = ["## Vérification des fiches", ""]
    if not errors:
        head.append(f"Aucune erreur ({plural(checked, 'fichier vérifié', 'fichiers vérifiés')}).")
        return "\n".join(head) + "\n"
    files = len({error.path for error in errors})
    head.append(
        f"{plural(len(errors), 'erreur')} dans {plural(files, 'fichier')} "
        f"({plural(checked, 'fichier vérifié', 'fichiers vérifiés')}). Chaque ligne donne le fichier, "
        "la ligne et la colonne, le champ, le problème et, après « ; », la correction."
    )
    head.append("")
    shown = [error.format_text() for error in errors]
    fence = _fence(shown)
    note_room = 400  # bytes kept for the closing fence and the note
    budget = limit - len("\n".join(head).encode("utf-8")) - note_room
    kept: list[str] = []
    used = len(fence) + 1
    for line in shown:
        size = len(line.encode("utf-8")) + 1
        if used + size > budget:
            break
        kept.append(line)
        used += size
    body = [fence, *kept, fence]
    if len(kept) < len(shown):
        body += [
            "",
            f"**Résumé tronqué :** {plural(len(shown) - len(kept), 'erreur non affichée', 'erreurs non affichées')} "
            f"ici (limite de {limit // 1024} Kio du résumé GitHub) ; le journal de l'étape les contient toutes, "
            "et « make check » les affiche sur votre poste.",
        ]
    return "\n".join(head + body) + "\n"


def write_summary(errors: Sequence[RecordError], checked: int) -> Path | None:
    """Append the report to the job summary when running on GitHub Actions."""
    target = os.environ.get(SUMMARY_ENV)
    if not target:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(summary_markdown(errors, checked))
    return path
