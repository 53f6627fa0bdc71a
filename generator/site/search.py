"""The search index, prepared once at build time for our search worker.

Material's search plugin parsed every page (a pure-Python HTML parser, 8 s of
CPU at 1,000 schemes) and wrote every section to ``search/search_index.json``,
which its interface downloaded on every page view and handed to the worker,
which then had to strip, split, stem and count every word again. Here the
plugin's ``on_page_content`` splits each sanitised page into the same
documents (``page_documents``, Material's rules) and keeps their analysis per
page (``IndexMemo``: a `mkdocs serve --dirty` rebuild analyses only the pages
it rebuilt); ``on_post_build`` writes the prepared index (``write_prepared_index``):
``search/reperes-index.json``, what ranks (the counts of each stem in each field,
or postings, the vocabulary, titles, and what only the records know), beside
``reperes-index.bin`` (the stems of each document's words in order, where
phrases are looked for) and the plain texts in chunks of pages, which the
worker fetches only for the pages it shows. What the records say is: each page's kind (record page or meta page), the
status in force of a scheme (its badge in the results) and the callers' words
of each page (``appellations`` of a record, the « … » phrases of a guide's
"Ce que dit l'appelant"). Material's page handler is switched off in our
builds (plugin.py ``on_config``): its ``search_index.json`` keeps its config and
no documents, so the interface no longer downloads and copies them.

The word analysis (accent folding, tokens, acronyms, the light French stemmer)
must give exactly what the worker (docs/theme/assets/javascripts/
reperes-search.js) computes for a query: tests/browser/test_search.py runs
both on every word of the sample site and compares.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import json
import os
import re
import sys
import tempfile
import unicodedata
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selectolax.lexbor import LexborHTMLParser

from ..collector import collector_paused

if TYPE_CHECKING:
    from ..records.corpus import Corpus

MATERIAL_INDEX = "search/search_index.json"  # Material's search plugin's (configuration, no documents)
INDEX_NAME = "reperes-index.json"  # next to it
WORDS_NAME = "reperes-index.bin"  # the stems of each document's words, in order (``_words_file``)
TEXTS_PREFIX = "reperes-textes-"  # + hash + ".json": the plain texts of consecutive pages
TEXTS_CHUNK = 32 * 1024  # characters of text a chunk holds at least (but its last page)
FORMAT = 2  # bumped when the worker must read the files differently

# Fields of a document, by weight class (same numbers in the worker)
TITLE, ACRONYM, ALIAS, TEXT = range(4)

# Page tiers: a meta page (contributor guide, field reference, journal, tags,
# pages to review, home board, guides index) never outranks a record's page.
CONTENT, META = 0, 1

STOP_WORDS = frozenset((
    "a au aux avec c ce ces cet cette d dans de des du elle elles en et eux il ils "
    "j je l la le les leur leurs lui m ma mais me mes moi mon n ne ni nos notre "
    "nous on ou par pour qu que quel quelle qui s sa se ses si son sur t ta te tes "
    "toi ton tu un une vos votre vous y est sont ete etre ont"
).split())

CALLER_SECTION = "ce que dit l'appelant"  # a guide's section of callers' phrases (folded title)
QUOTED = re.compile(r"«\s*([^»]+?)\s*»")

try:  # Counter's own counting loop (C in CPython), into a plain dict: no Counter per field and document
    from collections import _count_elements  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python
    def _count_elements(mapping: dict[Any, int], iterable: Iterable[Any]) -> None:
        for element in iterable:
            mapping[element] = mapping.get(element, 0) + 1

# --- word analysis (mirrors the worker: keep both in step) --------------------------------

_BLOCK_TAG = re.compile(
    r"^(p|div|br|hr|li|ul|ol|dl|dt|dd|tr|td|th|table|thead|tbody|h[1-6]|pre|blockquote|details|summary|"
    r"section|article|figure|figcaption)$", re.I)
_TAG = re.compile(r"</?([a-z][a-z0-9]*)\b[^>]*>", re.I)
_ENTITY = re.compile(r"&(#x[0-9a-f]+|#[0-9]+|[a-z]+);", re.I)
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\u00a0"}
_WORD = re.compile(r"[^\W_]+")  # letters and numbers: the worker's [\p{L}\p{N}]+
_DIGITS = re.compile(r"[0-9]+")
_SPACE = re.compile(r"\s+")


def _entity(match: re.Match[str]) -> str:
    entity = match.group(1)
    if entity[0] == "#":
        try:
            code = int(entity[2:], 16) if entity[1] in "xX" else int(entity[1:])
        except ValueError:
            return match.group(0)
        return chr(code) if 0 < code <= 0x10FFFF else match.group(0)
    return _ENTITIES.get(entity.lower(), match.group(0))


def html_to_text(html: str) -> str:
    """HTML of Material's index -> plain text; block elements become spaces."""
    text = _TAG.sub(lambda m: " " if _BLOCK_TAG.match(m.group(1)) else "", html)
    text = re.sub(r"<[^>]*>", "", text)
    return _SPACE.sub(" ", _ENTITY.sub(_entity, text)).strip()


def fold(value: str) -> str:
    """Lower case, no accents, no ligatures: "Sécurité" -> "securite"."""
    value = value.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFD", value) if not unicodedata.category(c).startswith("M"))


def is_acronym(raw: str) -> bool:
    """At least two letters, mostly capitals ("AEJ", "SYLAé")."""
    letters = [c for c in raw if c.isalpha()]
    if len(letters) < 2:
        return False
    capitals = sum(1 for c in letters if unicodedata.category(c) == "Lu")
    return capitals >= 2 and capitals >= 0.7 * len(letters)


# [minimum length, suffix, rewrite, stop after this rule]: the worker's STEM_RULES
def _ement(w: str) -> str:
    w = w[:-4]
    return w[:-1] + "f" if len(w) > 3 and w.endswith("ive") else w


def _isation(w: str) -> str:
    w = w[:-7]
    return w[:-2] + "el" if len(w) > 5 and w.endswith("ual") else w


_STEM_RULES: list[tuple[int, str, Callable[[str], str], bool]] = [
    (9, "issement", lambda w: w[:-6] + "r", True),
    (8, "issant", lambda w: w[:-4] + "r", True),
    (6, "ement", _ement, True),
    (11, "ficatrice", lambda w: w[:-7] + "er", True),
    (10, "ficateur", lambda w: w[:-6] + "er", True),
    (9, "catrice", lambda w: w[:-7] + "quer", True),
    (8, "cateur", lambda w: w[:-6] + "quer", True),
    (8, "atrice", lambda w: w[:-6] + "er", True),
    (7, "ateur", lambda w: w[:-5] + "er", True),
    (6, "trice", lambda w: w[:-5] + "teur", False),
    (5, "ieme", lambda w: w[:-4], True),
    (7, "teuse", lambda w: w[:-5] + "ter", True),
    (6, "teur", lambda w: w[:-4] + "ter", True),
    (5, "euse", lambda w: w[:-2], True),
    (8, "ere", lambda w: w[:-3] + "er", True),
    (7, "ive", lambda w: w[:-3] + "if", True),
    (4, "folle", lambda w: w[:-5] + "fou", True),
    (4, "molle", lambda w: w[:-5] + "mou", True),
    (9, "nnelle", lambda w: w[:-5], True),
    (9, "nnel", lambda w: w[:-3], True),
    (4, "ete", lambda w: w[:-3] + "et", False),
    (8, "ique", lambda w: w[:-4], False),
    (8, "esse", lambda w: w[:-3], True),
    (7, "inage", lambda w: w[:-3], True),
    (9, "isation", _isation, True),
    (9, "isateur", lambda w: w[:-7], True),
    (8, "ation", lambda w: w[:-5], True),
    (8, "ition", lambda w: w[:-5], True),
]
_DOUBLED = re.compile(r"([^\W\d_])\1+")


def stem(word: str) -> str:
    """Light French stemmer of an accent-folded word (the worker's ``stem``)."""
    if not word.isalpha():
        return word
    s = word
    if len(s) > 5 and s.endswith("x"):
        if s.endswith("aux") and s[-4] != "e":
            s = s[:-2] + "lx"
        s = s[:-1]
    if len(s) > 3 and s.endswith("x"):
        s = s[:-1]
    if len(s) > 3 and s.endswith("s"):
        s = s[:-1]
    for minimum, suffix, rewrite, last in _STEM_RULES:
        if len(s) > minimum and s.endswith(suffix):
            s = rewrite(s)
            if last:
                break
    return _normalize_stem(s)


def _normalize_stem(s: str) -> str:
    if len(s) > 4:
        s = _DOUBLED.sub(r"\1", s)
    if len(s) > 4 and s.endswith("ie"):
        s = s[:-2]
    if len(s) > 4:
        if s.endswith("r"):
            s = s[:-1]
        if s.endswith("e"):
            s = s[:-1]
        if s.endswith("e"):
            s = s[:-1]
        if len(s) > 1 and s[-1] == s[-2]:
            s = s[:-1]
    return s


@dataclass
class Token:
    raw: str
    fold: str
    stem: str


_ANALYSED: dict[str, tuple[str, str]] = {}


def tokenize(text: str) -> list[Token]:
    """Words of a text; digit groups written with a space ("4 000") are joined."""
    spans: list[list[Any]] = []  # [start, end, raw]
    for match in _WORD.finditer(text):
        start, end, raw = match.start(), match.end(), match.group(0)
        if spans:
            previous = spans[-1]
            if (_DIGITS.fullmatch(previous[2]) and len(raw) == 3 and _DIGITS.fullmatch(raw)
                    and start - previous[1] == 1 and text[previous[1]] in " \t\n\r\f\v\u00a0\u202f"):
                previous[1], previous[2] = end, previous[2] + raw
                continue
        spans.append([start, end, raw])
    tokens = []
    for _, _, raw in spans:
        analysis = _ANALYSED.get(raw)
        if analysis is None:
            folded = fold(raw)
            analysis = _ANALYSED[raw] = (folded, stem(folded))
        tokens.append(Token(raw, *analysis))
    return tokens


_JOINED = re.compile(r"(?<![^\W_])([0-9]+)[ \t\n\r\f\v\u00a0\u202f](?=[0-9]{3}(?![^\W_]))")
_DIGIT = re.compile(r"[0-9]")
# A word as written -> what the index counts of it (None: a function word, not counted)
_INDEXED_STEM: dict[str, str | None] = {}
_TITLE_STEM: dict[str, str | None] = {}  # in a title: an acronym counts even if a function word ("AU")
_ACRONYM_STEM: dict[str, str | None] = {}  # only acronyms count
_FOLDED: dict[str, str | None] = {}  # the word folded, None for a function word (not in the vocabulary)
_TITLE_FOLDED: dict[str, str | None] = {}  # in a title, as _TITLE_STEM
_STEM_OF_FOLDED: dict[str, str] = {}
_STEM: dict[str, str] = {}  # a word as written -> its stem, function word or not (the worker's token.stem)
_fold_title = functools.lru_cache(maxsize=8192)(fold)  # section titles repeat from page to page


def raw_words(text: str) -> list[str]:
    """The words of ``tokenize`` as written, without their positions (faster: the index's case)."""
    return _WORD.findall(_JOINED.sub(r"\1", text) if _DIGIT.search(text) else text)


def _learn(raw: str) -> None:
    """Analyse a word as written once, for every later document (tables above)."""
    folded = fold(raw)
    stem_value = stem(folded)
    stop, acronym = folded in STOP_WORDS, is_acronym(raw)
    _INDEXED_STEM[raw] = None if stop else stem_value
    _TITLE_STEM[raw] = None if stop and not acronym else stem_value
    _ACRONYM_STEM[raw] = stem_value if acronym else None
    _FOLDED[raw] = None if stop else folded
    _TITLE_FOLDED[raw] = None if stop and not acronym else folded
    _STEM_OF_FOLDED[folded] = stem_value
    _STEM[raw] = stem_value


# --- documents of a page, split at headings as Material's search plugin does ----------------

# Material for MkDocs (plugins/search/plugin.py, ``Parser``) keeps these tags'
# markup in a section's text, skips the content of the others listed, and
# never enters a void element; the documents below are the plain text of what
# it would write (``html_to_text`` of its title and text), without its
# pure-Python HTML parser (8 s of CPU at 1,000 schemes).
_KEPT = frozenset(("p", "code", "pre", "li", "ol", "ul", "sub", "sup"))
_SKIPPED = frozenset(("object", "script", "style"))
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


class _Section:
    __slots__ = ("tag", "depth", "title", "text", "id", "excluded")

    def __init__(self, tag: str, depth: float = 0, excluded: bool = False) -> None:
        self.tag, self.depth, self.excluded = tag, depth, excluded
        self.title: list[str] = []
        self.text: list[str] = []
        self.id: str | None = None


class _Splitter:
    """Material's ``Parser`` over the tree of a parsed page (selectolax): the
    same sections, titles and texts, its quirks included (elements compared by
    tag name, a heading nested in an element closing its section with it).

    Material asks, at every tag and text, whether some open element has a
    given name (a skipped one, ``pre``, the section's heading): counts of the
    open elements by name answer without walking them. An element's attributes
    are read only where they can matter: a heading, a link (the permalink), and
    every element when the page has an excluded part or line numbers."""

    def __init__(self, attributes_everywhere: bool = True) -> None:
        self.depth = 0  # elements open
        self.open: dict[str, int] = {}  # tag name -> elements of that name open
        self.headerlinks = 0  # permalinks (« a.headerlink ») open
        self.links: list[bool] = []  # for each « a » open: is it a permalink
        self.skip: set[str] = set(_SKIPPED)
        self.skipping = False  # an element named in skip is open
        self.attributes_everywhere = attributes_everywhere
        self.section: _Section | None = None
        self.data: list[_Section] = []

    def _ensure(self) -> _Section:
        if self.section is None:
            self.section = _Section("hx")
            self.data.append(self.section)
        return self.section

    def _target(self, section: _Section) -> list[str]:
        return section.title if self.open.get(section.tag) else section.text

    def _skipping(self) -> bool:
        open_ = self.open
        return any(open_.get(tag) for tag in self.skip)

    def walk(self, node: Any) -> None:
        everywhere = self.attributes_everywhere
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.handle_data(child.text_content or "")
            elif tag.startswith("-"):  # comment, doctype
                continue
            elif tag in _VOID:
                continue
            else:
                attrs = child.attributes if everywhere or tag in _HEADINGS or tag == "a" else _NO_ATTRIBUTES
                self.start(tag, attrs)
                self.walk(child)
                self.end(tag)

    def start(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.depth += 1
        self.open[tag] = self.open.get(tag, 0) + 1
        if tag == "a":
            permalink = attrs.get("class") == "headerlink"
            self.links.append(permalink)
            self.headerlinks += permalink
        if tag in self.skip:
            self.skipping = True
        if tag in _HEADINGS and "id" in attrs:
            if tag != "h1" and not self.data:
                self.section = _Section("hx", self.depth)
                self.data.append(self.section)
            section = _Section(tag, self.depth, "data-search-exclude" in attrs)
            if self.data:
                section.id = attrs["id"]
            self.section = section
            self.data.append(section)
        section = self._ensure()
        if attrs and ("data-search-exclude" in attrs or attrs.get("class") == "linenodiv"):
            self.skip.add(tag)
            self.skipping = True
            return
        if tag in _KEPT and not self.skipping:
            self._target(section).append(_OPENING[tag])

    def end(self, tag: str) -> None:
        section = self.section
        assert section is not None
        if section.depth > self.depth:
            for previous in reversed(self.data):
                if previous.depth <= self.depth:
                    section.depth = float("inf")
                    self.section = section = previous
                    break
        self.depth -= 1
        self.open[tag] -= 1
        if tag == "a":
            self.headerlinks -= self.links.pop()
        if tag in self.skip:
            if tag not in _SKIPPED:
                self.skip.discard(tag)
            self.skipping = self._skipping()
            return
        if tag in _KEPT and not self.skipping:
            data = self._target(section)
            index = data.index(_OPENING[tag])
            if all(item.isspace() for item in data[index + 1:]):
                del data[index:]
            else:
                data.append(_CLOSING[tag])

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        pre = self.open.get("pre")
        if not pre:
            data = data.replace("\n", " ") if not data.isspace() else " "
        section = self._ensure()
        if self.open.get(section.tag):
            if not self.headerlinks:
                section.title.append(data)
        elif data.isspace():
            if not section.text or not section.text[-1].isspace() or pre:
                section.text.append(data)
        else:
            section.text.append(data)


_NO_ATTRIBUTES: dict[str, str | None] = {}


class _Mark:
    """Where Material writes a kept tag's markup into a section (« <p> »,
    « </p> »): what ``html_to_text`` makes of it, a space or nothing. Texts are
    kept as they are (Material escapes them and ``html_to_text`` reads them back)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def isspace(self) -> bool:
        return False


_OPENING = {tag: _Mark(" " if _BLOCK_TAG.match(tag) else "") for tag in _KEPT}
_CLOSING = {tag: _Mark(" " if _BLOCK_TAG.match(tag) else "") for tag in _KEPT}


def _plain(parts: list[Any]) -> str:
    """A section's title or text: what ``html_to_text`` reads of Material's markup."""
    return _SPACE.sub(" ", "".join(part if type(part) is str else part.text for part in parts)).strip()


def page_documents(html: str, url: str, title: str, meta: dict[str, Any]) -> list[dict[str, Any]]:
    """A page's documents for the index, as Material's search plugin makes them
    (its page, then each section with an ``id``d heading), in plain text:
    [{"location", "title", "text", "boost"?}]. *url* is the page's (``page.url``),
    *title* the page's title when its first section has no heading; a page whose
    front matter says ``search: exclude: true`` has none."""
    search = meta.get("search") or {}
    if not isinstance(search, dict):
        search = {}
    if search.get("exclude"):
        return []
    body = LexborHTMLParser(html).body
    # Attributes matter beyond headings and links only where a part is excluded or numbered
    splitter = _Splitter(body is not None and body.css_first("[data-search-exclude], .linenodiv") is not None)
    if body is not None:
        splitter.walk(body)
    docs = []
    for section in splitter.data:
        if section.excluded:
            continue
        location = url + "#" + section.id if section.id else url
        doc: dict[str, Any] = {
            "location": location,
            # Material takes the page's title as it is (not escaped) for a section without heading
            "title": _plain(section.title) if section.title else html_to_text(title.strip()),
            "text": _plain(section.text),
        }
        if "boost" in search:
            doc["boost"] = search["boost"]
        docs.append(doc)
    return docs


# --- the prepared index -------------------------------------------------------------------


@dataclass
class PageInfo:
    """What the records say of a page of the site."""

    tier: int = META
    badge: tuple[str, str] | None = None  # (label, state value) of a scheme's status in force
    aliases: list[str] = field(default_factory=list)


def record_pages(corpus: Corpus | None, today: dt.date) -> dict[str, PageInfo]:
    """Site path ("dispositifs/aej/") -> what the records say of it."""
    # Here, not at the top: the build's helper process (aside.py) imports this
    # module without the records' models.
    from ..records.kinds import KINDS
    from ..records.status import in_force

    pages: dict[str, PageInfo] = {}
    if corpus is None:
        return pages
    for name, kind in KINDS.items():
        for record in corpus.of_kind(name).values():
            path = "glossaire/" if kind.single else f"{kind.pages}/{record.id}/"
            info = PageInfo(CONTENT, aliases=list(getattr(record.model, "appellations", [])))
            if name == "dispositif":
                etat = in_force(record.model, today).etat
                info.badge = (etat.label, etat.value)
            pages[path] = info
    return pages


@dataclass
class _Analysed:
    """A page's documents, analysed: what the prepared index holds of them,
    with the doc numbers counted from the page's first document."""

    docs: list[list[Any]]  # rows of "docs"
    texts: list[str]  # plain text of each document (in the texts' chunks)
    sequences: list[tuple[list[str], list[str]]]  # stems of each document's title and text words, in order
    lengths: list[int]  # four per document
    postings: dict[str, list[int]]  # stem -> [first doc of the page, code, delta, code…]
    last: dict[str, int]  # stem -> the page's last doc holding it
    words: dict[str, int]  # folded -> documents of the page (its stem: _STEM_OF_FOLDED)
    totals: tuple[list[int], list[int]]  # words of each field, documents having the field


def analyse_page(path: str, sources: list[dict[str, Any]], info: PageInfo) -> _Analysed:
    """One page's documents (plain text, the page's own first) -> its share of the index."""
    aliases = list(info.aliases)
    if info.tier == CONTENT:  # a guide's "Ce que dit l'appelant": each « … » counts as callers' words
        for source in sources:
            if "#" in source["location"] and _fold_title(source.get("title") or "") == CALLER_SECTION:
                aliases.extend(QUOTED.findall(source.get("text") or ""))
    docs: list[list[Any]] = []
    texts: list[str] = []
    sequences: list[tuple[list[str], list[str]]] = []
    lengths: list[int] = []
    postings: dict[str, list[int]] = {}
    last: dict[str, int] = {}
    folds: dict[str, int] = {}  # folded word -> documents of the page
    total, having = [0, 0, 0, 0], [0, 0, 0, 0]
    indexed, folded_of = _INDEXED_STEM, _FOLDED
    title_stem, acronym_stem, title_folded = _TITLE_STEM.__getitem__, _ACRONYM_STEM.__getitem__, _TITLE_FOLDED.__getitem__
    postings_get = postings.get
    for number, source in enumerate(sources):
        location = source["location"]
        is_article = number == 0
        title = source.get("title") or ""
        text = source.get("text") or ""
        boost = source.get("boost", 1)
        doc_aliases = aliases if is_article else []
        title_raws = raw_words(title)
        alias_raws = [raw for alias in doc_aliases for raw in raw_words(alias)]
        text_raws = raw_words(text)
        for raw in set(text_raws).union(title_raws, alias_raws).difference(indexed):  # words met for the first time
            _learn(raw)
        # Stems counted per field; a function word counts nowhere, unless an acronym of the title
        # (plain dicts filled by Counter's C helper: no Counter object per field and document)
        title_counts: dict[str | None, int] = {}
        acronym_counts: dict[str | None, int] = {}
        alias_counts: dict[str | None, int] = {}
        text_counts: dict[str | None, int] = {}
        if title_raws:
            _count_elements(title_counts, map(title_stem, title_raws))
            _count_elements(acronym_counts, map(acronym_stem, title_raws))
        if alias_raws:
            _count_elements(alias_counts, map(indexed.__getitem__, alias_raws))
        _count_elements(text_counts, map(indexed.__getitem__, text_raws))
        fields = (title_counts, acronym_counts, alias_counts, text_counts)
        for counts in fields:
            counts.pop(None, None)
        doc_lengths = [sum(counts.values()) for counts in fields]
        doc_folds = set(map(title_folded, title_raws))
        doc_folds.update(map(folded_of.__getitem__, alias_raws), map(folded_of.__getitem__, text_raws))
        doc_folds.discard(None)
        _count_elements(folds, doc_folds)
        # The stems of the title and callers' words first, then those only in the text (most of
        # them: their code is their tf), in the order of {**title, **aliases, **text}.
        named = {**title_counts, **alias_counts} if title_counts or alias_counts else {}
        text_tf_of, alias_tf_of = text_counts.get, alias_counts.get
        codes = [
            # tf per field in one number: text (6 bits), callers' words (4), acronym (1), title (rest)
            (stem_value, min(text_tf_of(stem_value, 0), 63) | min(alias_tf_of(stem_value, 0), 15) << 6
             | (stem_value in acronym_counts) << 10 | min(title_counts.get(stem_value, 0), 31) << 11)
            for stem_value in named
        ]
        codes.extend((stem_value, tf if tf < 63 else 63) for stem_value, tf in text_counts.items()
                     if stem_value not in named)
        for stem_value, code in codes:
            row = postings_get(stem_value)
            if row is None:
                postings[stem_value] = [number, code]
            else:
                row.append(number - last[stem_value])
                row.append(code)
            last[stem_value] = number
        lengths.extend(doc_lengths)
        for f in range(4):
            if doc_lengths[f]:
                total[f] += doc_lengths[f]
                having[f] += 1
        # A section's location is written from its "#": the page's path is in `pages`.
        short = location[len(path):] if location.startswith(path + "#") else location
        row_doc: list[Any] = [short, title, -1, 1 if is_article else 0]  # -1: the page's number
        if boost != 1 or doc_aliases:
            row_doc.append(boost)
        if doc_aliases:
            row_doc.append(doc_aliases)
        docs.append(row_doc)
        texts.append(text)
        sequences.append((list(map(_STEM.__getitem__, title_raws)), list(map(_STEM.__getitem__, text_raws))))
    return _Analysed(docs, texts, sequences, lengths, postings, last, folds, (total, having))


@dataclass
class PreparedIndex:
    """The files of the prepared index: what ranks (``index``, reperes-index.json,
    and ``words``, reperes-index.bin) and the texts shown in the results, in
    chunks of consecutive pages (``texts``: file name -> texts of its documents),
    which the worker fetches only for the pages it shows."""

    index: dict[str, Any]
    words: bytes
    texts: dict[str, list[str]]
    # ``index`` as written (reperes-index.json), when the assembly keeps it in pieces (IndexMemo)
    text: str | None = field(default=None, compare=False, repr=False)
    # The JSON of the texts' chunks the assembly wrote to name them (file name -> JSON)
    chunk_json: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _index_bytes: bytes | None = field(default=None, init=False, compare=False, repr=False)
    _chunk_bytes: dict[str, bytes] = field(default_factory=dict, init=False, compare=False, repr=False)

    def json_text(self) -> str:
        return self.text if self.text is not None else _json_text(self.index)

    def index_bytes(self) -> bytes:
        """reperes-index.json's bytes, encoded once."""
        if self._index_bytes is None:
            self._index_bytes = self.json_text().encode()
        return self._index_bytes

    def chunk_bytes(self, name: str) -> bytes:
        """The bytes of the texts' chunk *name*, encoded once (its JSON dropped then)."""
        data = self._chunk_bytes.get(name)
        if data is None:
            data = self._chunk_bytes[name] = (self.chunk_json.pop(name, None) or _json_text(self.texts[name])).encode()
        return data

    def encode_all(self) -> None:
        """Encode the index and every chunk now (a large build's helper, while MkDocs renders the pages)."""
        self.index_bytes()
        for name in self.texts:
            self.chunk_bytes(name)

    def all_texts(self) -> list[str]:
        """The text of every document, in order."""
        return [text for _, name in self.index["texts"] for text in self.texts[name]]

    def sequences(self) -> list[tuple[list[int], list[int]]]:
        """Stem numbers (1 + place in ``stems``, 0: a stem of no posting) of each document's title and text words."""
        return _read_words(self.words, self.index["words_file"])


def _words_file(
    numbers: array[int], offsets: array[int], final: list[int], stems: int,
) -> tuple[bytes, dict[str, Any]]:
    """reperes-index.bin: a 16-byte key (hex, the JSON says the same), the
    number of documents, the offsets of each document's title and text words
    (uint32, 2 per document and the end), then each word's stem number
    (uint16, or uint32 past 65,535 stems), little-endian. The worker reads
    it as typed arrays: nothing to parse. *numbers* are provisional stem
    numbers; *final* gives each its number (1 + place among the *stems*
    sorted, 0: a stem of no posting)."""
    width = 2 if stems < 0xFFFF else 4
    body = array("I", [(len(offsets) - 1) // 2]) + offsets
    packed = array("H" if width == 2 else "I", map(final.__getitem__, numbers))
    if sys.byteorder != "little":
        body.byteswap()
        packed.byteswap()
    data = body.tobytes() + packed.tobytes()
    key = hashlib.sha256(data).hexdigest()[:16]
    return key.encode("ascii") + data, {"name": WORDS_NAME, "key": key, "width": width}


def _read_words(data: bytes, meta: dict[str, Any]) -> list[tuple[list[int], list[int]]]:
    body = array("I")
    body.frombytes(data[16:20])
    count = body[0]
    offsets = array("I")
    offsets.frombytes(data[20:24 + 8 * count])
    numbers = array("H" if meta["width"] == 2 else "I")
    numbers.frombytes(data[24 + 8 * count:])
    if sys.byteorder != "little":
        offsets.byteswap()
        numbers.byteswap()
    return [(list(numbers[offsets[2 * d]:offsets[2 * d + 1]]), list(numbers[offsets[2 * d + 1]:offsets[2 * d + 2]]))
            for d in range(count)]


def _chunk_starts(sizes: Iterable[int]) -> list[int]:
    """The pages that start a chunk of texts, from each page's characters of text (``IndexAssembly.add``)."""
    starts, size = [], TEXTS_CHUNK
    for page, page_size in enumerate(sizes):
        if size >= TEXTS_CHUNK:
            starts.append(page)
            size = 0
        size += page_size
    return starts


class IndexAssembly:
    """The prepared index, page by page (``add``, in the site's order), then
    ``result``. A page's analysis is merged as it comes: the helper process
    of a large build (aside.py) keeps nothing of it but the merge. The stems
    of the documents' words are numbered as they are met (arrays of
    provisional numbers), then renumbered once the stems are sorted.

    A *patchable* assembly (`mkdocs serve`, IndexMemo) also keeps each page's
    analysis and where its share of each stem's postings lies, so that a page
    analysed again is merged in place of the previous one (``replace``)
    instead of every page being merged again, and the postings' JSON is kept
    stem by stem: after an edit, only what the edited page touches is redone."""

    def __init__(self, pages: dict[str, PageInfo], *, patchable: bool = False) -> None:
        self.pages = pages
        self.page_rows: list[list[Any]] = []
        # Provisional stem numbers of every document's title words, then text words, one after
        # the other, and where each ends: reperes-index.bin's layout (``_words_file``)
        self.numbers: array[int] = array("I")
        self.offsets: array[int] = array("I", [0])
        self.provisional: dict[str, int] = {}  # stem -> provisional number (1 + order met)
        self.chunks: list[tuple[int, list[str]]] = []  # [first doc, texts]
        self.chunk_first_pages: list[int] = []  # the first page of each chunk
        self.chunk_size = TEXTS_CHUNK
        self.docs: list[list[Any]] = []
        self.lengths: list[int] = []
        self.postings: dict[str, list[int]] = {}  # stem -> [doc, code, doc, code…] (doc as a delta)
        self.last_doc: dict[str, int] = {}
        self.words: dict[str, list[Any]] = {}  # folded -> [stem, documents]
        self.total, self.having = [0, 0, 0, 0], [0, 0, 0, 0]
        # Patchable only: each page's (path, analysis), first doc and characters of text; for each
        # stem, the pages holding it and where each one's run starts in its postings; JSON kept
        self.layout: list[tuple[str, _Analysed]] | None = [] if patchable else None
        self.page_offsets: list[int] = []
        self.sizes: list[int] = []
        self.runs: dict[str, tuple[array[int], array[int]]] = {}
        self.postings_json: dict[str, str] = {}
        self.chunk_names: list[str | None] = []

    def add(self, path: str, part: _Analysed) -> None:
        info = self.pages.get(path, PageInfo())
        page = len(self.page_rows)
        self.page_rows.append([path, info.tier, list(info.badge) if info.badge else None])
        docs = self.docs
        offset = len(docs)
        for row_doc in part.docs:
            row = list(row_doc)
            row[2] = page
            docs.append(row)
        provisional = self.provisional
        met = set().union(*(stems for sequence in part.sequences for stems in sequence))
        for stem_value in met.difference(provisional):  # any order: ``result`` renumbers them by the sorted stems
            provisional[stem_value] = len(provisional) + 1
        number, numbers, offsets = provisional.__getitem__, self.numbers, self.offsets
        for sequence in part.sequences:
            for stems in sequence:
                numbers.extend(map(number, stems))
                offsets.append(len(numbers))
        if self.chunk_size >= TEXTS_CHUNK:
            self.chunks.append((offset, []))
            self.chunk_first_pages.append(page)
            self.chunk_size = 0
        self.chunks[-1][1].extend(part.texts)
        self.chunk_size += sum(map(len, part.texts))
        self.lengths.extend(part.lengths)
        postings, last_doc, page_last = self.postings, self.last_doc, part.last
        postings_get = postings.get
        for stem_value, local in part.postings.items():
            row = postings_get(stem_value)
            if row is None:
                postings[stem_value] = row = local.copy()  # the memo's analysis stays as it is
                row[0] += offset
            else:
                start = len(row)
                row += local
                row[start] += offset - last_doc[stem_value]  # the page's first doc, as a delta
            last_doc[stem_value] = offset + page_last[stem_value]
        self._count(part, 1)
        if self.layout is not None:
            self.layout.append((path, part))
            self.page_offsets.append(offset)
            self.sizes.append(sum(map(len, part.texts)))
            runs = self.runs
            for stem_value, local in part.postings.items():
                run = runs.get(stem_value)
                if run is None:
                    runs[stem_value] = run = (array("I"), array("I"))
                run[0].append(page)
                run[1].append(len(postings[stem_value]) - len(local))

    def _count(self, part: _Analysed, sign: int) -> None:
        """The page's words and field totals added (*sign* 1) or taken away (-1)."""
        words = self.words
        for folded, count in part.words.items():
            word = words.get(folded)
            if word is None:
                words[folded] = [_STEM_OF_FOLDED[folded], count]
            else:
                word[1] += sign * count
                if not word[1]:
                    del words[folded]
        for f in range(4):
            self.total[f] += sign * part.totals[0][f]
            self.having[f] += sign * part.totals[1][f]

    def replace(self, page: int, path: str, part: _Analysed) -> bool:
        """The page at *page* (its place in the site's order) analysed again,
        merged in place of its previous analysis: the result is the one of
        an assembly of every page at once. Only when it has as many
        documents and the texts' chunks keep their bounds; False otherwise,
        and the assembly is then to be made again (it may be half changed)."""
        assert self.layout is not None, "not a patchable assembly"
        old_path, old = self.layout[page]
        sizes = self.sizes
        size = sum(map(len, part.texts))
        if old_path != path or len(part.docs) != len(old.docs):
            return False
        if size != sizes[page]:
            was, sizes[page] = sizes[page], size
            if _chunk_starts(sizes) != self.chunk_first_pages:
                sizes[page] = was
                return False
        self.layout[page] = (path, part)
        self.last_doc.clear()  # what ``add`` needs, no longer right: no page is added after a replaced one
        offset, count = self.page_offsets[page], len(part.docs)
        info = self.pages.get(path, PageInfo())
        self.page_rows[page] = [path, info.tier, list(info.badge) if info.badge else None]
        for number, row_doc in enumerate(part.docs):
            row = list(row_doc)
            row[2] = page
            self.docs[offset + number] = row
        self.lengths[4 * offset:4 * (offset + count)] = part.lengths
        self._count(old, -1)
        self._count(part, 1)
        self._replace_words(offset, count, part)
        # The page's texts, in their chunk (same bounds: checked above)
        chunk = bisect.bisect_right(self.chunk_first_pages, page) - 1
        first, texts = self.chunks[chunk]
        texts[offset - first:offset - first + count] = part.texts
        self.chunk_names[chunk] = None
        for stem_value in old.postings.keys() | part.postings.keys():
            self._replace_run(stem_value, page, offset, part)
        return True

    def _replace_words(self, offset: int, count: int, part: _Analysed) -> None:
        """The stem numbers of the page's documents' words (reperes-index.bin), in place."""
        provisional = self.provisional
        met = set().union(*(stems for sequence in part.sequences for stems in sequence))
        for stem_value in met.difference(provisional):
            provisional[stem_value] = len(provisional) + 1
        number, offsets = provisional.__getitem__, self.offsets
        start, end = offsets[2 * offset], offsets[2 * (offset + count)]
        numbers = array("I")
        ends = array("I")
        for sequence in part.sequences:
            for stems in sequence:
                numbers.extend(map(number, stems))
                ends.append(start + len(numbers))
        self.numbers[start:end] = numbers
        shift = len(numbers) - (end - start)
        offsets[2 * offset + 1:2 * (offset + count) + 1] = ends
        if shift:
            tail = 2 * (offset + count) + 1
            offsets[tail:] = array("I", [at + shift for at in offsets[tail:]])

    def _replace_run(self, stem_value: str, page: int, offset: int, part: _Analysed) -> None:
        """The page's run of one stem's postings: [its first doc as a delta from the previous
        page's last doc holding the stem, code, delta, code…], and the next page's first delta."""
        layout, page_offsets, postings = self.layout, self.page_offsets, self.postings
        assert layout is not None
        pages, starts = self.runs.setdefault(stem_value, (array("I"), array("I")))
        row = postings.setdefault(stem_value, [])
        place = bisect.bisect_left(pages, page)
        had = place < len(pages) and pages[place] == page
        after = place + 1 if had else place  # the next page holding the stem, if any
        begin = starts[place] if place < len(pages) else len(row)
        end = starts[after] if after < len(pages) else len(row)

        def last_doc_of(at: int) -> int:  # the last doc of the stem on the page at pages[at]
            held = pages[at]
            return page_offsets[held] + layout[held][1].last[stem_value]

        before = last_doc_of(place - 1) if place else 0
        local = part.postings.get(stem_value)
        if local is None:
            run: list[int] = []
            last = before
        else:
            run = local.copy()
            run[0] += offset - before
            last = offset + part.last[stem_value]
        row[begin:end] = run
        shift = len(run) - (end - begin)
        if after < len(pages):
            following = pages[after]
            row[begin + len(run)] = page_offsets[following] + layout[following][1].postings[stem_value][0] - last
        if shift:
            starts[after:] = array("I", [at + shift for at in starts[after:]])
        if local is None and had:
            del pages[place], starts[place]
        elif local is not None and not had:
            pages.insert(place, page)
            starts.insert(place, begin)
        self.postings_json.pop(stem_value, None)
        if not pages:  # a stem of that page only, gone
            del postings[stem_value], self.runs[stem_value]

    def result(self) -> PreparedIndex:
        total, having, postings = self.total, self.having, self.postings
        average = [max(1.0, round(total[f] / max(1, having[f]), 3)) for f in range(4)]
        stems = sorted(postings)
        numbers = {s: number for number, s in enumerate(stems, 1)}
        # provisional number -> final one (0: a stem of no posting, a function word)
        final = [0] * (len(self.provisional) + 1)
        for stem_value, number in self.provisional.items():
            final[number] = numbers.get(stem_value, 0)
        words_data, words_meta = _words_file(self.numbers, self.offsets, final, len(stems))
        texts: dict[str, list[str]] = {}
        chunk_json: dict[str, str] = {}
        named: list[list[Any]] = []
        names = self.chunk_names
        names.extend([None] * (len(self.chunks) - len(names)))
        for chunk, (first, chunk_texts) in enumerate(self.chunks):
            name = names[chunk]
            if name is None:
                written = _json_text(chunk_texts)
                name = TEXTS_PREFIX + hashlib.sha256(written.encode()).hexdigest()[:16] + ".json"
                chunk_json[name] = written
                if self.layout is not None:
                    names[chunk] = name
            texts[name] = chunk_texts
            named.append([first, name])
        index = {
            "format": FORMAT,
            "pages": self.page_rows,
            "docs": self.docs,
            "lengths": self.lengths,
            "average": average,
            # a list, not an object: a stem like "4000" would come first among a JavaScript object's keys
            "stems": stems,
            "postings": [postings[s] for s in stems],
            "words": [[word, value[0], value[1]] for word, value in sorted(self.words.items())],
            "words_file": words_meta,
            "texts": named,
        }
        text = None
        if self.layout is not None:  # the JSON, each stem's postings written again only when they changed
            kept = self.postings_json
            pieces = []
            for stem_value in stems:
                piece = kept.get(stem_value)
                if piece is None:
                    piece = kept[stem_value] = _json_text(postings[stem_value])
                pieces.append(piece)
            text = "{" + ",".join(
                f'"{key}":' + ("[" + ",".join(pieces) + "]" if key == "postings" else _json_text(value))
                for key, value in index.items()) + "}"
        return PreparedIndex(index, words_data, texts, text, chunk_json)


def _assemble(analysed: Iterable[tuple[str, _Analysed]], pages: dict[str, PageInfo]) -> PreparedIndex:
    """The prepared index of pages analysed one by one (``analyse_page``), in order."""
    assembly = IndexAssembly(pages)
    for path, part in analysed:
        assembly.add(path, part)
    return assembly.result()


def prepare(material_index: dict[str, Any], pages: dict[str, PageInfo]) -> PreparedIndex:
    """The prepared index, from a search index in Material's format (title and
    text as HTML) and what the records say of the pages."""
    by_page: dict[str, list[dict[str, Any]]] = {}
    for source in material_index.get("docs", []):
        plain = dict(source, title=html_to_text(source.get("title") or ""), text=html_to_text(source.get("text") or ""))
        by_page.setdefault(source["location"].split("#")[0], []).append(plain)
    return _assemble(((path, analyse_page(path, docs, pages.get(path, PageInfo()))) for path, docs in by_page.items()),
                     pages)


@dataclass
class IndexMemo:
    """The documents of every page of the site, by page in build order, and
    their analysis, kept between the builds of one `mkdocs serve --dirty`
    (`make serve`): a dirty build extracts and analyses only the pages it
    rebuilds and merges only those into the assembly kept from the last
    build (``IndexAssembly.replace``), and the prepared index still holds
    every page, as a full build would write it."""

    docs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    analysed: dict[str, tuple[list[dict[str, Any]], PageInfo, _Analysed]] = field(default_factory=dict)
    # The last assembly, patched when the next build changes pages in place (IndexAssembly.replace)
    assembly: IndexAssembly | None = None
    patched: int | None = None  # pages merged in place by the last ``prepared`` (None: every page merged)

    def put(self, path: str, docs: list[dict[str, Any]]) -> None:
        """The documents of a page just built (site path, "dispositifs/aej/")."""
        self.docs[path] = docs

    def clear(self) -> None:
        """Before a full build: every page is extracted again (analyses are kept, for unchanged pages)."""
        self.docs.clear()

    def forget(self, paths: Iterable[str]) -> None:
        """Pages no longer in the site (site paths)."""
        for path in paths:
            self.docs.pop(path, None)

    def prepared(self, pages: dict[str, PageInfo]) -> PreparedIndex:
        """The prepared index of every page. It shares its lists with the
        kept assembly: the next call changes them in place (write it first)."""
        parts: list[tuple[str, _Analysed]] = []
        for path, docs in self.docs.items():
            if not docs:
                continue
            info = pages.get(path, PageInfo())
            known = self.analysed.get(path)
            if known is None or known[0] is not docs and known[0] != docs or known[1] != info:
                known = self.analysed[path] = (docs, info, analyse_page(path, docs, info))
            parts.append((path, known[2]))
        for path in [p for p in self.analysed if p not in self.docs]:
            del self.analysed[path]
        assembly, self.assembly, self.patched = self.assembly, None, None
        if assembly is not None and assembly.layout is not None and len(assembly.layout) == len(parts):
            assembly.pages = pages
            changed = [(page, path, part) for page, ((path, part), (_, before))
                       in enumerate(zip(parts, assembly.layout)) if part is not before]
            if all(assembly.replace(page, path, part) for page, path, part in changed):
                self.assembly, self.patched = assembly, len(changed)
        if self.assembly is None:  # pages added, removed or reordered, or changed in shape: every page merged
            self.assembly = IndexAssembly(pages, patchable=True)
            for path, part in parts:
                self.assembly.add(path, part)
        return self.assembly.result()


def prepare_index(pages: dict[str, PageInfo], memo: IndexMemo) -> PreparedIndex:
    """The prepared index of the documents of *memo* (every page of the site)
    and of what the records say of their pages (``record_pages``)."""
    # Hundreds of thousands of small lists and counters, none of them cyclic:
    # the cyclic collector would walk the whole build's memory again and again
    # (a third of this step's time at 1,000 schemes).
    with collector_paused():
        return memo.prepared(pages)


def write_prepared_index(site_dir: Path, pages: dict[str, PageInfo], memo: IndexMemo) -> Path | None:
    """``write_index`` of the index prepared from *pages* and *memo* (``prepare_index``),
    or None, without preparing it, when the site has no search index."""
    if not (site_dir / MATERIAL_INDEX).is_file():
        return None
    return write_index(site_dir, prepare_index(pages, memo))


def write_index(site_dir: Path, prepared: PreparedIndex) -> Path | None:
    """Write search/reperes-index.json, reperes-index.bin and the texts' chunks
    of *prepared*. The chunks are named by their content (a chunk kept in a
    browser's cache is the right one), written before the index that names
    them; chunks of an earlier build are removed.

    Returns the prepared file, or None when the site has no search index
    (search plugin not listed)."""
    material_file = site_dir / MATERIAL_INDEX
    if not material_file.is_file():
        return None
    target = material_file.with_name(INDEX_NAME)
    mode = material_file.stat().st_mode & 0o777
    for name in prepared.texts:
        if not (target.parent / name).is_file():  # (`mkdocs serve`: most chunks are there already)
            _write_bytes(target.parent / name, prepared.chunk_bytes(name), mode)
    _write_bytes(target.with_name(WORDS_NAME), prepared.words, mode)
    _write_bytes(target, prepared.index_bytes(), mode)
    for stale in target.parent.glob(TEXTS_PREFIX + "*.json"):
        if stale.name not in prepared.texts:
            stale.unlink(missing_ok=True)
    return target


def read_prepared_index(site_dir: Path) -> PreparedIndex:
    """The prepared index of a built site, as ``write_prepared_index`` wrote it."""
    folder = site_dir / "search"
    index = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
    texts = {name: json.loads((folder / name).read_text(encoding="utf-8")) for _, name in index["texts"]}
    return PreparedIndex(index, (folder / WORDS_NAME).read_bytes(), texts)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _write_bytes(path: Path, data: bytes, mode: int) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)  # as readable as the file MkDocs wrote
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def words_of(texts: Iterable[str]) -> dict[str, list[str]]:
    """Raw word -> [folded, stem, "1" if acronym]: what tests compare with the worker."""
    return {t.raw: [t.fold, t.stem, "1" if is_acronym(t.raw) else ""] for text in texts for t in tokenize(text)}
