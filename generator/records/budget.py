"""How much Markdown a contributor text may hold, so that what ``reperes check``
accepts builds in bounded time.

Python-Markdown is quadratic on some inputs (200,000 « [ » never finish; 6,000
take 15 s). One budget, for record text and hand-written bodies alike: at most
so many of each Markdown-active character, at most so many lines. The figures
were measured with ``markdown.markdown`` and the extensions of mkdocs.yml:
every character at its limit on one line renders in about 1 to 1.5 s on the
shared machine. The shipped texts use at most 72 « [ », 82 « * », 77 « _ »
and 278 lines per file (a fifth or less), and 448 « ` » (reference page).
"""

from __future__ import annotations

# Markdown-active character -> most occurrences admitted in one text.
MAX_CHARACTERS = {"[": 400, "]": 400, "!": 400, "*": 400, "_": 400, "&": 400, "<": 400, "`": 1000}
MAX_LINES = 2000

# A text this long or shorter is within every limit (most record fields are).
_SHORT = min(*MAX_CHARACTERS.values(), MAX_LINES)

HINT = "découpez le guide ou simplifiez le texte"


def _number(count: int) -> str:
    return f"{count:,}".replace(",", " ")  # French: 4 000


def budget_problem(text: str) -> tuple[int, str] | None:
    """(offset, French message) when *text* is over budget, else None.

    The offset is where the first character over the limit stands (the
    start of the text for too many lines), so the error names that line.
    """
    if len(text) <= _SHORT:
        return None  # no character can be over its limit, nor the lines over theirs
    for char, limit in MAX_CHARACTERS.items():
        count = text.count(char)
        if count > limit:
            offset = -1
            for _ in range(limit + 1):
                offset = text.index(char, offset + 1)
            return offset, f"texte trop chargé : {_number(count)} « {char} » (au plus {_number(limit)})"
    lines = text.count("\n") + (not text.endswith("\n"))
    if lines > MAX_LINES:
        return 0, f"texte trop chargé : {_number(lines)} lignes (au plus {_number(MAX_LINES)})"
    return None
