"""What Python-Markdown (with attr_list and pymdownx.superfences, as in
mkdocs.yml) would make of contributor text, found in linear time.

Guides, hand-written pages and record fields are refused when they hold HTML,
an attribute list that is more than classes and ids, a link with another
scheme, an image from another host or a reference definition. Every finder
here gives offsets in the text, so that errors land on their line and column,
and costs one pass over the text: no regular expression that can backtrack
over the whole text, no scan started again from every occurrence (a pull
request of 256 KiB of ``](`` or backticks must not stall CI).

When it cannot be sure what the renderer will see, the scanner errs towards
live Markdown: only what Python-Markdown certainly treats as code (a fence
opened and closed at the start of a line, a code span whose backticks pair up
within its line) is exempt from the checks.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property

# A fence that superfences certainly opens: at the very start of a line, three
# or more backticks or tildes, at most a language name. It closes only on a
# line holding the very same fence (superfences wants the same length).
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})[ \t]*\.?[\w#.+-]*[ \t]*\Z")
_BACKTICKS = re.compile(r"`+")
_TAG_START = re.compile(r"<[A-Za-z/!?]")
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*)>")
LINK_OPEN = re.compile(r"\]\(")
# Inside the parentheses of a link, as Python-Markdown 3.11 reads them
# (LinkInlineProcessor.getLink): "<target>" then maybe a quoted title, or a
# bare target then maybe a title opened by the first quote and closed by the
# very last character.
_ANGLE_TARGET = re.compile(r"<([^<>]*)>\s*(?:'[^']*'|\"[^\"]*\")?\s*\Z")
_PARENS = re.compile(r"[()]")
_BRACKETS = re.compile(r"\\.|[\[\]]", re.S)
_REF_LABEL = re.compile(r"\[[^\[\]]*\]:[ \t]*\n?[ \t]*<?([^\s>]*)")
_LIST_MARKER = re.compile(r"(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]|\Z)")
_ATTR_OK = re.compile(r"\s*(?:[.#][\w-]+\s*)*")
# Ids and classes of the theme (Material reads the first element with id
# "__config"; its styles hang on "md-" classes): a page may not take them.
_ATTR_RESERVED = re.compile(r"(?<![\w-])(?:#__|\.md-)[\w-]*")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_SHOWN = 200  # characters of a target shown in a message
_INSIDE_MAX = 1000  # characters of a link's parentheses read


@dataclass(frozen=True)
class Link:
    """An inline link or image ``[text](target)``: where its target starts."""

    offset: int
    target: str  # what decides the scheme: href with whitespace removed
    shown: str  # what the contributor wrote, for messages
    image: bool
    href: str = ""  # the target as Python-Markdown reads it (may hold whitespace)


class Scan:
    """One piece of contributor Markdown and what the renderer would see in it."""

    def __init__(self, text: str, *, code: bool = True) -> None:
        self.text = text
        # code=False (record fields): nothing is exempt as code.
        self.masked, self.uncertain = mask_code(text) if code else (text, [(0, len(text))])

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        find = self.text.find
        index = find("\n")
        while index != -1:
            starts.append(index + 1)
            index = find("\n", index + 1)
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both from 0, of *offset*."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line, offset - self._line_starts[line]

    # -- HTML ------------------------------------------------------------------

    def html(self) -> list[tuple[int, str]]:
        """(offset, shown) of every "<" that a browser would read as markup:
        "<" then a letter, "/", "!" or "?". Autolinks ``<https://…>`` are links."""
        found = []
        text = self.masked
        for match in _TAG_START.finditer(text):
            start = match.start()
            if AUTOLINK.match(text, start):
                continue
            end = text.find(">", start, start + 40)
            shown = text[start : end + 1] if end != -1 else text[start : start + 40]
            found.append((start, shown.split("\n", 1)[0]))
        return found

    def autolinks(self) -> list[tuple[int, str]]:
        return [(m.start(1), m.group(1)) for m in AUTOLINK.finditer(self.masked)]

    # -- attribute lists -------------------------------------------------------

    def attribute_lists(self) -> list[tuple[int, str, str | None]]:
        """Braces that could be an attribute list carrying more than classes
        and ids (``{ onclick=… }``, ``{ {: style=… }``, ``{ hidden }``), or an
        id or class of the theme: (offset, shown, reserved name or None)."""
        found = []
        text = self.masked
        position = 0
        for line in text.split("\n"):
            first = line.find("{")
            if first != -1:
                last = line.rfind("}")
                if last > first:
                    inner = line[first + 1 : last]
                    if inner.startswith(":"):
                        inner = inner[1:]
                    reserved = _ATTR_RESERVED.search(inner)
                    if not _ATTR_OK.fullmatch(inner) or reserved:
                        found.append((position + first, line[first : last + 1][:40],
                                      reserved.group() if reserved else None))
            position += len(line) + 1
        return found

    # -- links -----------------------------------------------------------------

    def links(self, *, in_code: bool = True) -> list[Link]:
        """Every ``](`` and its target; in_code=False skips those in code."""
        text = self.text if in_code else self.masked
        closing = _matching_parens(text)
        images = self._image_opens()
        found = []
        for match in LINK_OPEN.finditer(text):
            start = match.end()
            end = closing.get(match.start() + 1)
            if end is None:
                end = text.find("\n", start)
                end = len(text) if end == -1 else end
            # Capped so that nested or unclosed links cost linear time; a
            # longer target or title is read cut (and refused as spaced).
            href = link_href(text[start : min(end, start + _INSIDE_MAX)])
            target = re.sub(r"\s+", "", href)
            shown = re.split(r"""[ \t]+["'(]""", text[start : min(end, start + _SHOWN)].strip(), maxsplit=1)[0]
            shown = re.sub(r"\s+", "", shown).strip("<>")
            found.append(Link(start, target, shown, match.start() in images, href))
        return found

    def _image_opens(self) -> set[int]:
        """Offsets of the "]" of every ``](`` that may end an image ``![…](``."""
        text = self.masked
        opens: set[int] = set()
        stack: list[int] = []
        for match in _BRACKETS.finditer(text):
            if match.group() == "[":
                stack.append(match.start())
            elif match.group() == "]" and stack:
                start = stack.pop()
                end = match.start()
                if start and text[start - 1] == "!" and text.startswith("(", end + 1):
                    opens.add(end)
        # Where code spans are in doubt the pairing of brackets is too: any
        # "](" after a "![" of the same paragraph may be an image.
        for start, end in self.uncertain:
            first = text.find("![", start, end)
            if first != -1:
                opens.update(m.start() for m in LINK_OPEN.finditer(text, first, end))
        return opens

    def reference_definitions(self) -> list[tuple[int, str, str]]:
        """(offset, label, target) of ``[label]: target`` at the start of a line,
        also inside a list item, a quote or indented."""
        found = []
        text = self.masked
        position = 0
        for line in text.split("\n"):
            index = _block_content_start(line)
            if line.startswith("[", index):
                match = _REF_LABEL.match(text, position + index)
                if match:
                    label = match.group()[: match.group().index("]:") + 2]
                    found.append((position + index, label, match.group(1)))
            position += len(line) + 1
        return found


def link_href(inside: str) -> str:
    """The target of a link from what its parentheses hold, as Python-Markdown
    reads it: ``<a b> "t"`` -> ``a b``, ``a.md 'titre'`` -> ``a.md``,
    ``a.md (titre)`` -> ``a.md (titre)`` (no title without quotes)."""
    inside = inside.strip()
    angle = _ANGLE_TARGET.match(inside)
    if angle:
        return angle.group(1).strip()
    quotes = [inside.find(q) for q in "'\"" if q in inside]
    for first in sorted(quotes):
        # A title: from this quote to the same quote closing the parentheses.
        if len(inside) > first + 1 and inside[-1] == inside[first]:
            return inside[:first].strip()
    return inside


def _block_content_start(line: str) -> int:
    """Index where a line's content starts, after indentation, ">" and list markers."""
    index, size = 0, len(line)
    while index < size:
        char = line[index]
        if char in " \t>":
            index += 1
            continue
        marker = _LIST_MARKER.match(line, index)
        if marker is None:
            break
        index = marker.end()
    return index


def _matching_parens(text: str) -> dict[int, int]:
    """Offset of each "(" -> offset of its ")", in one pass."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for match in _PARENS.finditer(text):
        if match.group() == "(":
            stack.append(match.start())
        elif stack:
            pairs[stack.pop()] = match.start()
    return pairs


def mask_code(text: str) -> tuple[str, list[tuple[int, int]]]:
    """(text with certain code blanked, uncertain paragraphs).

    The masked text keeps every offset and line break. Fences count as code
    only when superfences certainly sees one (see ``_FENCE_OPEN``); an
    unclosed fence is live text. A paragraph whose backticks do not all pair
    up within their own lines (escaped, unmatched, spanning lines) keeps all
    of its code spans live, and is listed as uncertain (start, end offsets).
    """
    lines = text.split("\n")
    code = [False] * len(lines)
    fence, opened = "", 0
    for index, line in enumerate(lines):
        bare = line.rstrip("\r")
        if not fence:
            match = _FENCE_OPEN.match(bare)
            if match:
                fence, opened = match.group(1), index
        elif bare.rstrip(" \t") == fence:
            for number in range(opened, index + 1):
                code[number] = True
            fence = ""
    out: list[str] = []
    uncertain: list[tuple[int, int]] = []
    paragraph: list[str] = []
    paragraph_start = offset = 0

    def flush(end: int) -> None:
        if not paragraph:
            return
        spans = [_line_code_spans(line) for line in paragraph]
        if any(s is None for s in spans):
            out.extend(paragraph)
            uncertain.append((paragraph_start, end))
        else:
            for line, line_spans in zip(paragraph, spans):
                for start, stop in reversed(line_spans):  # type: ignore[union-attr]
                    line = line[:start] + " " * (stop - start) + line[stop:]
                out.append(line)
        paragraph.clear()

    for index, line in enumerate(lines):
        if code[index] or not line.strip():
            flush(offset)
            out.append(" " * len(line) if code[index] else line)
            paragraph_start = offset + len(line) + 1
        else:
            if not paragraph:
                paragraph_start = offset
            paragraph.append(line)
        offset += len(line) + 1
    flush(offset)
    return "\n".join(out), uncertain


def _line_code_spans(line: str) -> list[tuple[int, int]] | None:
    """Code spans of one line, or None when its backticks do not pair up
    surely (a run with no run of the same length after it, or an escaped one)."""
    if "`" not in line:
        return []
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    spans = []
    index = 0
    while index < len(runs):
        start, stop = runs[index]
        if start and line[start - 1] == "\\":
            return None
        length = stop - start
        partner = index + 1
        while partner < len(runs) and runs[partner][1] - runs[partner][0] != length:
            partner += 1
        if partner == len(runs):
            return None
        spans.append((start, runs[partner][1]))
        index = partner + 1
    return spans


def is_image_path(target: str) -> bool:
    return target.lower().endswith(IMAGE_SUFFIXES)
