"""Contributor text -> Markdown that means nothing but what it says.

Every record value reaches a page through one of these filters, chosen by
where it lands: ``md_inline`` (titles, names, link texts: no Markdown at all),
``md_block`` (multi-line text: lists, emphasis and checked links kept, every
other block construct escaped), ``md_cell`` (the same on one line, for table
cells and list items), ``md_url`` (link targets), ``yaml_string`` (front
matter values) and ``abbreviation_line`` (the glossary's ``*[SIGLE]: développement`` lines).

Escaping is by construction: the constructs Python-Markdown and the enabled
extensions (mkdocs.yml: abbr, admonition, tables, attr_list, toc,
pymdownx.details, pymdownx.superfences) read are neutralised here, whatever
the checker let through; the post-build scan is only a backstop.
"""

from __future__ import annotations

import functools
import html
import json
import re
from typing import Any

# C0 and C1 control characters but tab and line feed. Python-Markdown deletes
# STX/ETX (its placeholder marks) before parsing, so "``\x02`" would become
# "```" *after* our escaping looked at it: they go before anything else.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(value: Any) -> str:
    """Text as Markdown will read it: line feeds only, no control character, no tab."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).expandtabs(4)


def _entity(char: str) -> str:
    return f"&#{ord(char)};"


# --- inline text ------------------------------------------------------------------

# Characters Python-Markdown (with the tables extension) can escape with a backslash
# and that mean something inline. "~" and "^" mean nothing here (no tilde or caret
# extension) and a backslash before them would show.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|#!])")


# The same texts come back on many pages (a partner's name on every scheme it
# serves, a status on the board and its page): each escaper reads a value as
# its text, str(value), and remembers what it made of the last ones.
_MEMO = 1 << 15


def md_inline(value: Any) -> str:
    """Text on one line with no Markdown meaning at all (titles, names in links)."""
    return _md_inline(str(value))


@functools.lru_cache(maxsize=_MEMO)
def _md_inline(value: str) -> str:
    text = html.escape(" ".join(clean(value).split()), quote=False)
    return _INLINE_SPECIAL.sub(r"\\\1", text).replace("{", "&#123;").replace("}", "&#125;")


# --- block text -------------------------------------------------------------------

# Where a line's content starts once list markers are read: block constructs are
# parsed again inside list items ("- # titre" is a heading in a list item).
_SPACES = re.compile(r"[ ]*")
_LIST_MARKER = re.compile(r"(?:[-*+]|\d+\.)[ ]+(?=\S)")
# A block construct at the start of a line's content (after spaces and list markers).
_CONSTRUCT = re.compile(
    r"""
    \#                                   # ATX heading (no space needed)
    | >                                  # block quote
    | !!! | \?\?\?                       # admonition, pymdownx.details (and ???+)
    | ```|~~~                            # fences (pymdownx.superfences)
    | \*\[                               # abbreviation definition
    | (?:-[ ]{0,2}){3,}[ ]*$             # rules, spaced or not
    | (?:_[ ]{0,2}){3,}[ ]*$
    | (?:\*[ ]{0,2}){3,}[ ]*$
    | (?:=+|-+)[ ]*$                     # setext heading underline
    """,
    re.X,
)
# "[x]:" anywhere is a reference definition (or a footnote, or an abbreviation)
# to Python-Markdown once it sits at the start of a line or of a list item.
_DEFINITION = re.compile(r"\[(?=[^\[\]\n]*\][ ]?:)")
_IMAGE = re.compile(r"!\[")
_TOC_MARKER = "[TOC]"


def _escape_line(line: str) -> str:
    position = 0
    while True:
        position = _SPACES.match(line, position).end()
        if _CONSTRUCT.match(line, position):
            return line[:position] + _entity(line[position]) + line[position + 1:]
        marker = _LIST_MARKER.match(line, position)
        if marker is None:
            return line
        position = marker.end()


def md_block(value: Any) -> str:
    """Multi-line record text: lists, emphasis and links kept; no HTML, headings,
    quotes, tables, rules, fences, admonitions, definitions, images or attribute lists.

    Backslashes show as typed. Braces and pipes become entities, so attribute
    lists ("{ .classe }") and table cells can never be opened by record text.
    """
    return _md_block(str(value))


@functools.lru_cache(maxsize=_MEMO)
def _md_block(value: str) -> str:
    text = html.escape(clean(value).strip(), quote=False).replace("\\", "\\\\")
    text = text.replace("{", "&#123;").replace("}", "&#125;").replace("|", "&#124;")
    text = _IMAGE.sub(r"\\![", text)
    text = _DEFINITION.sub(r"\\[", text).replace(_TOC_MARKER, "\\" + _TOC_MARKER)
    return "\n".join(_escape_line(line) for line in text.splitlines())


def md_cell(value: Any) -> str:
    """Record text inside a table cell or on one line: md_block, joined."""
    return _md_cell(str(value))


@functools.lru_cache(maxsize=_MEMO)
def _md_cell(value: str) -> str:
    return " ".join(_md_block(value).split())


# --- link targets -----------------------------------------------------------------

# Characters that could end a Markdown link target, open markup or split a table
# cell; whitespace and controls too. Everything else is left as written.
_URL_UNSAFE = re.compile(r"""[\s\x00-\x1f\x7f-\x9f()<>"'`\\\[\]{}|]""")


def md_url(value: Any) -> str:
    """A link target, percent-encoded wherever Markdown could read something else."""
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{byte:02X}" for byte in m.group().encode("utf-8")), str(value))


# --- front matter -----------------------------------------------------------------


def yaml_string(value: Any) -> str:
    """A front matter value: one line, HTML-escaped (themes print titles as they
    are), as a JSON string, which is a valid YAML double-quoted string."""
    return json.dumps(html.escape(" ".join(clean(value).split()), quote=False), ensure_ascii=False)


# --- glossary ---------------------------------------------------------------------


def abbreviation_line(sigle: Any, expansion: Any) -> str | None:
    """``*[SIGLE]: développement``, one line, or None if nothing is left of the sigle.

    The abbr extension reads the sigle up to "]" (never a backslash) and puts
    the expansion in a title attribute: both on one line, no bracket, entities
    for HTML in the expansion (the sigle is only ever matched against text).
    """
    term = re.sub(r"[\[\]\\]", "", " ".join(clean(sigle).split()))
    if not term:
        return None
    return f"*[{term}]: {html.escape(' '.join(clean(expansion).split()), quote=False)}"
