"""The search index, prepared once at build time for our search worker.

Material's search plugin writes ``search/search_index.json``: every page and
section as HTML, which its interface downloads on every page view and hands to
the worker, which then had to strip, split, stem and count every word again
(1.0 to 1.7 s at 1,000 schemes). Here the plugin's ``on_post_build`` reads that
file once and writes ``search/reperes-index.json``: the plain text of each
document, the counts of each stem in each field (postings), the vocabulary and
what only the records know: each page's kind (record page or meta page), the
status in force of a scheme (its badge in the results) and the callers' words
of each page (``appellations`` of a record, the « … » phrases of a guide's
"Ce que dit l'appelant"). ``search_index.json`` keeps Material's config and no
documents, so the interface no longer downloads and copies them.

The word analysis (accent folding, tokens, acronyms, the light French stemmer)
must give exactly what the worker (docs/theme/assets/javascripts/
reperes-search.js) computes for a query: tests/browser/test_search.py runs
both on every word of the sample site and compares.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..records.corpus import Corpus
from ..records.kinds import KINDS
from ..records.status import in_force

INDEX_NAME = "reperes-index.json"  # next to Material's search/search_index.json
FORMAT = 1  # bumped when the worker must read the file differently

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


# --- the prepared index -------------------------------------------------------------------


@dataclass
class PageInfo:
    """What the records say of a page of the site."""

    tier: int = META
    badge: tuple[str, str] | None = None  # (label, state value) of a scheme's status in force
    aliases: list[str] = field(default_factory=list)


def record_pages(corpus: Corpus | None, today: dt.date) -> dict[str, PageInfo]:
    """Site path ("dispositifs/aej/") -> what the records say of it."""
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


def prepare(material_index: dict[str, Any], pages: dict[str, PageInfo]) -> dict[str, Any]:
    """The prepared index, from Material's search index and what the records say."""
    docs: list[list[Any]] = []
    page_rows: list[list[Any]] = []
    page_numbers: dict[str, int] = {}
    lengths: list[int] = []
    postings: dict[str, list[int]] = {}  # stem -> [doc, code, doc, code…] (doc as a delta)
    last_doc: dict[str, int] = {}
    words: dict[str, list[Any]] = {}  # folded -> [stem, set of docs]
    articles: dict[int, int] = {}  # page -> its article's doc
    aliases_of: dict[int, list[str]] = {}

    sources = material_index.get("docs", [])
    for source in sources:
        path = source["location"].split("#")[0]
        if path not in page_numbers:
            info = pages.get(path, PageInfo())
            page_numbers[path] = len(page_rows)
            page_rows.append([path, info.tier, list(info.badge) if info.badge else None])
            aliases_of[page_numbers[path]] = list(info.aliases)
    # A guide's "Ce que dit l'appelant": each « … » counts as callers' words of the page.
    for source in sources:
        title = html_to_text(source.get("title") or "")
        if "#" in source["location"] and fold(title) == CALLER_SECTION:
            page = page_numbers[source["location"].split("#")[0]]
            if pages.get(page_rows[page][0], PageInfo()).tier == CONTENT:
                aliases_of[page].extend(QUOTED.findall(html_to_text(source.get("text") or "")))

    for number, source in enumerate(sources):
        location = source["location"]
        page = page_numbers[location.split("#")[0]]
        is_article = page not in articles
        if is_article:
            articles[page] = number
        title = html_to_text(source.get("title") or "")
        text = html_to_text(source.get("text") or "")
        boost = source.get("boost", 1)
        title_tokens = tokenize(title)
        aliases = aliases_of[page] if is_article else []
        alias_tokens = [token for alias in aliases for token in tokenize(alias)]
        fields = (
            (TITLE, title_tokens),
            (ACRONYM, [t for t in title_tokens if is_acronym(t.raw)]),
            (ALIAS, alias_tokens),
            (TEXT, tokenize(text)),
        )
        counts: dict[str, list[int]] = {}
        doc_lengths = [0, 0, 0, 0]
        for index, tokens in fields:
            for token in tokens:
                if token.fold in STOP_WORDS and not (index in (TITLE, ACRONYM) and is_acronym(token.raw)):
                    continue
                doc_lengths[index] += 1
                counts.setdefault(token.stem, [0, 0, 0, 0])[index] += 1
                word = words.get(token.fold)
                if word is None:
                    word = words[token.fold] = [token.stem, set()]
                word[1].add(number)
        for stem_value, (title_tf, acronym_tf, alias_tf, text_tf) in counts.items():
            row = postings.setdefault(stem_value, [])
            row.append(number - last_doc.get(stem_value, 0))
            last_doc[stem_value] = number
            # tf per field in one number: text (6 bits), callers' words (4), acronym (1), title (rest)
            row.append(min(text_tf, 63) | min(alias_tf, 15) << 6 | min(acronym_tf, 1) << 10 | min(title_tf, 31) << 11)
        lengths.extend(doc_lengths)
        # A section's location is written from its "#": the page's path is in `pages`.
        path = page_rows[page][0]
        short = location[len(path):] if location.startswith(path + "#") else location
        row_doc: list[Any] = [short, title, text, page, 1 if is_article else 0]
        if boost != 1 or aliases:
            row_doc.append(boost)
        if aliases:
            row_doc.append(aliases)
        docs.append(row_doc)

    total = [0, 0, 0, 0]
    having = [0, 0, 0, 0]
    for start in range(0, len(lengths), 4):
        for f in range(4):
            if lengths[start + f]:
                total[f] += lengths[start + f]
                having[f] += 1
    average = [max(1.0, round(total[f] / max(1, having[f]), 3)) for f in range(4)]
    vocabulary = sorted(words.items())
    return {
        "format": FORMAT,
        "pages": page_rows,
        "docs": docs,
        "lengths": lengths,
        "average": average,
        "postings": postings,
        "words": [[word, value[0], len(value[1])] for word, value in vocabulary],
    }


@dataclass
class IndexMemo:
    """Material's search documents by page, kept between the builds of one
    `mkdocs serve --dirty` (`make serve`): a dirty build indexes only the pages
    it rebuilds, and the prepared index must still hold every page."""

    docs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def merge(self, material_docs: list[dict[str, Any]], *, partial: bool, removed: Iterable[str] = ()) -> list[dict[str, Any]]:
        fresh: dict[str, list[dict[str, Any]]] = {}
        for doc in material_docs:
            fresh.setdefault(str(doc.get("location", "")).split("#", 1)[0], []).append(doc)
        if partial:
            for page in removed:
                self.docs.pop(page, None)
            self.docs.update(fresh)
        else:
            self.docs = fresh
        return [doc for docs in self.docs.values() for doc in docs]


def write_prepared_index(
    site_dir: Path, pages: dict[str, PageInfo], memo: IndexMemo | None = None, *,
    partial: bool = False, removed: Iterable[str] = (),
) -> Path | None:
    """Write search/reperes-index.json and leave Material's index without documents;
    *pages* is what the records say of their pages (``record_pages``). With a
    *memo*, a *partial* build's documents replace those of the pages it rebuilt,
    the pages *removed* (site paths, "dispositifs/aej/") leave the index.

    Returns the prepared file, or None when the site has no search index
    (search plugin not listed)."""
    material_file = site_dir / "search" / "search_index.json"
    if not material_file.is_file():
        return None
    material = json.loads(material_file.read_text(encoding="utf-8"))
    if memo is not None:
        material["docs"] = memo.merge(material.get("docs", []), partial=partial, removed=removed)
    prepared = prepare(material, pages)
    target = material_file.with_name(INDEX_NAME)
    mode = material_file.stat().st_mode & 0o777
    _write_json(target, prepared, mode)
    _write_json(material_file, {"config": material.get("config", {}), "docs": []}, mode)
    return target


def _write_json(path: Path, value: Any, mode: int) -> None:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, mode)  # as readable as the file MkDocs wrote
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def words_of(texts: Iterable[str]) -> dict[str, list[str]]:
    """Raw word -> [folded, stem, "1" if acronym]: what tests compare with the worker."""
    return {t.raw: [t.fold, t.stem, "1" if is_acronym(t.raw) else ""] for text in texts for t in tokenize(text)}
