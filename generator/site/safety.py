"""What the site may contain: an allowlist for page content, then a scan of
the built site (nothing executes that is not ours, nothing loads from another
host).

``sanitise`` runs on the HTML that Markdown made of every page (generated or
hand-written), before the theme wraps it: only the elements and attributes
our pages use survive, links keep https, mailto, tel or relative addresses.
Contributor text is inert by construction; this is the second wall.

``scan_site`` runs on the freshly built folder, theme included, parsing each
page as a browser does: a finding fails the build (the plugin's
``on_post_build``) and `reperes build` leaves the previous site in place.

Allowed scripts: files of the site itself (Material's bundle, our search
worker), JSON data blocks (Material's ``__config``), and the small inline
scripts that Material's own templates contain verbatim (read from the
installed theme, so a theme update cannot silently widen the list).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nh3
from selectolax.lexbor import LexborHTMLParser, create_tag

_URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "xlink:href", "background", "cite"}
_LOADING = {("script", "src"), ("img", "src"), ("iframe", "src"), ("embed", "src"), ("object", "data"),
            ("source", "src"), ("video", "src"), ("audio", "src"), ("video", "poster"), ("track", "src"),
            ("input", "src"), ("frame", "src")}
_LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon",
                      "manifest", "prefetch", "preconnect", "dns-prefetch"}
# Fast path of the scan: an element none of whose attributes is here, and
# whose tag is not special, has nothing to check (most of a page).
_STYLED = {"srcset", "style", "srcdoc"}  # checked whatever their value
_WEB_SCHEMES = ("https://", "http://", "mailto:", "tel:")  # an address starting so is none of javascript:, data:…
_SPECIAL_TAGS = {tag for tag, _ in _LOADING} | {"link", "meta", "base", "animate", "set", "source"}
_LOADED_BY = {tag: tuple(attr for attr in ("src", "data", "poster") if (tag, attr) in _LOADING) for tag, _ in _LOADING}
# Attribute names that neither run code nor load anything, on a tag that is not
# special, whatever their value; href is among them only when its value holds
# no colon (no scheme). An element carrying only these (almost every element of
# a page: the theme's and the content's) is skipped with one set operation.
_PLAIN_ATTRIBUTES = frozenset({
    "class", "id", "title", "href", "alt", "lang", "dir", "role", "open", "start", "colspan", "rowspan",
    "align", "width", "height", "tabindex", "hidden", "for", "name", "value", "type", "rel", "target",
    "checked", "autocomplete", "autocorrect", "autocapitalize", "placeholder", "spellcheck", "required",
    "label", "charset", "content", "translate", "xmlns", "viewbox", "viewBox", "d", "fill", "aria-label",
    "aria-hidden", "aria-labelledby", "aria-controls", "aria-expanded", "data-md-component",
    "data-md-type", "data-md-state", "data-md-scrollfix", "data-md-color-scheme", "data-md-color-primary",
    "data-md-color-accent", "data-md-color-media", "data-md-level", "data-clipboard-target",
})
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)", re.I)
_CSS_IMPORT = re.compile(r"@import\s+['\"]([^'\"]+)", re.I)
_IMPORT_SCRIPTS = re.compile(r"""importScripts\(\s*['"](https?://[^'"]+)""")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
_BLANKS = re.compile(r"[\x00-\x20\x7f]")
_EXTERNAL = re.compile(r"//|(?:https?|ftp|wss?):")  # matched at the start of a cleaned address


# --- Allowlist of page content ------------------------------------------------

# What Python-Markdown and our extensions produce (abbr, admonition, tables,
# attr_list, toc permalinks, pymdownx.details and superfences with highlight
# spans), and the guides' images of the repository, nothing more: no form, no
# media, no SVG, no image from another host.
CONTENT_TAGS = frozenset({
    "a", "abbr", "blockquote", "br", "code", "del", "details", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "span", "strong", "summary", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
})
CONTENT_ATTRIBUTES = {
    "*": {"id", "class"},  # headings' anchors, admonitions, highlighting, our status badges
    "a": {"href", "title"},  # headerlink title: Material's tooltip
    "abbr": {"title"},  # glossary tooltips
    "details": {"open"},
    "img": {"alt", "src", "title"},
    "ol": {"start"},
}
CONTENT_URL_SCHEMES = frozenset({"https", "mailto", "tel"})  # relative addresses pass too
# Removed with everything inside them (other unknown tags are removed, their text kept).
_DROPPED_WITH_CONTENT = {"script", "style", "svg", "math", "template", "noscript", "iframe", "object",
                         "textarea", "select", "title", "xmp", "noembed", "noframes"}

def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    """What the allowlist keeps of an attribute it allows: an image only from the
    site itself; no id or class of the theme's own (Material finds its
    configuration and widgets by "__config", "__search"… and "md-…": content
    that took one of them would break the theme's scripts on that page)."""
    if name == "src":
        return value if _is_local(value) else None
    if name == "id":
        return None if value.startswith("__") else value
    if name == "class":
        kept = " ".join(word for word in value.split() if not word.startswith("md-"))
        return kept or None
    return value


def _is_local(url: str) -> bool:
    """A relative address of the site itself (no scheme, no other host)."""
    cleaned = _clean_url(url)
    return not (cleaned.startswith("//") or _SCHEME.match(cleaned))


_ALLOWLIST: dict[str, Any] = {
    "tags": set(CONTENT_TAGS),
    "clean_content_tags": _DROPPED_WITH_CONTENT,
    "attributes": {tag: set(names) for tag, names in CONTENT_ATTRIBUTES.items()},
    "url_schemes": set(CONTENT_URL_SCHEMES),
    "link_rel": None,
    "strip_comments": True,
}
_CLEANER = nh3.Cleaner(**_ALLOWLIST, attribute_filter=lambda tag, name, value: _filter_attribute(tag, name, value))
# The same allowlist without the filter, which nh3 calls back in Python for
# every attribute kept (a fifth of the step on a large site).
_UNFILTERED = nh3.Cleaner(**_ALLOWLIST)
# What _filter_attribute would change, as it is written out by the allowlist
# (html5ever writes « & », « " » and the no-break space of a value as
# references, nothing else): an image's address, an id starting with « __ »,
# a class word starting with « md- », a class that is not already its words
# joined by single spaces (blanks around or between them, none at all).
_CLASS_VALUE = re.compile(r'class="([^"]*)"')


def _filter_would_change(kept: str) -> bool:
    if "<img" in kept or 'id="__' in kept or "md-" in kept:
        return True
    return any(not value or "&" in value or " ".join(value.split()) != value for value in _CLASS_VALUE.findall(kept))


def sanitise(fragment: str) -> str:
    """The HTML of a page's content, with only what the allowlist keeps."""
    kept = _UNFILTERED.clean(fragment)
    # Without anything the filter changes, the filtered output is this one.
    return _CLEANER.clean(fragment) if _filter_would_change(kept) else kept


# --- Post-build scan -----------------------------------------------------------

# Lexbor numbers each tag it knows (the same number in every document, in
# this version); a tag it does not know (animate, set, a custom element) is
# numbered by an address, different from one document to the next: those
# the scan watches are then recognised by name, under a number of ours.
_FIRST_ADDRESS = 1 << 16  # lexbor knows a few hundred tags; an address is far above


def _numbers(names: set[str]) -> dict[str, int]:
    numbers = {name: create_tag(name).tag_id for name in sorted(names)}
    ours = iter(range(-1, -len(numbers) - 1, -1))
    return {name: number if number < _FIRST_ADDRESS else next(ours) for name, number in numbers.items()}


_NUMBERS = _numbers(_SPECIAL_TAGS | {"script", "style", "template"})
_UNNUMBERED = {name: number for name, number in _NUMBERS.items() if number < 0}
_SPECIAL_NUMBERS = frozenset(_NUMBERS[name] for name in _SPECIAL_TAGS)
_SCRIPT, _STYLE, _TEMPLATE = _NUMBERS["script"], _NUMBERS["style"], _NUMBERS["template"]


def _clean_url(value: str) -> str:
    """An address as a browser reads it, or more suspicious: references decoded
    (once more than the parser did), blanks and control characters dropped
    (a browser drops tabs and line breaks anywhere, the others at the ends),
    a backslash taken for a slash (as in an http or https address: « \\\\hôte/x »
    is « //hôte/x », another host), lower case."""
    return _BLANKS.sub("", html.unescape(value)).replace("\\", "/").lower()


def is_external(url: str) -> bool:
    return _EXTERNAL.match(_clean_url(url)) is not None


@functools.cache  # a theme's templates do not change while a process runs
def theme_inline_scripts(templates: Path | None = None) -> tuple[re.Pattern[str], ...]:
    """Inline scripts of the theme's templates (default: the installed Material's), as exact patterns.

    Literal text must match exactly; a ``{{ … }}`` expression of the template
    may only produce a path-like value (no quote, no markup, no parenthesis).
    """
    if templates is None:
        import material

        templates = Path(material.__file__).parent / "templates"
    patterns = []
    for path in templates.rglob("*.html"):
        for match in re.finditer(r"<script>(.*?)</script>", path.read_text(encoding="utf-8"), re.S):
            body = match.group(1).strip()
            if "{%" in body:
                continue
            parts = re.split(r"\{\{.*?\}\}", body)
            patterns.append(re.compile(r"[\w./:-]*".join(re.escape(part) for part in parts) + r"\Z"))
    return tuple(patterns)


def _check_css(css: str, where: str, problems: list[str]) -> None:
    for url in _CSS_URL.findall(css) + _CSS_IMPORT.findall(css):
        if is_external(url) or _clean_url(url).startswith("javascript:"):
            problems.append(f"{where} charge « {url} » depuis un autre hôte")


def _check_attributes(tag: str, values: dict[str, str], problems: list[str]) -> None:
    for name, value in values.items():
        if name.startswith("on"):
            problems.append(f"attribut d'événement « {name} » sur <{tag}>")
        if (name in _URL_ATTRS or name == "srcset") and ":" in value:  # no colon, no scheme
            for url in (value.split(",") if name == "srcset" else [value]):
                cleaned = _clean_url(url.strip().split(" ")[0])
                scheme = _SCHEME.match(cleaned)
                if scheme and scheme.group(1) in ("javascript", "vbscript", "data") and not (
                    tag == "img" and cleaned.startswith("data:image/") and "svg" not in cleaned[:20]
                ):
                    problems.append(f"adresse « {scheme.group(1)}: » dans {name} de <{tag}>")
        if name == "style":
            _check_css(value, f"style de <{tag}>", problems)
        if name == "srcdoc":
            problems.append(f"document en ligne (srcdoc) dans <{tag}>")
    for attr in _LOADED_BY.get(tag, ()):
        if is_external(values.get(attr, "")):
            problems.append(f"<{tag}> charge « {values[attr]} » depuis un autre hôte")
    if tag in ("img", "source") and values.get("srcset"):
        for candidate in values["srcset"].split(","):
            if is_external(candidate.strip().split(" ")[0]):
                problems.append(f"<{tag}> charge « {candidate.strip()} » depuis un autre hôte")
    if tag == "link":
        rels = set(values.get("rel", "").lower().split())
        if rels & _LOADING_LINK_RELS and is_external(values.get("href", "")):
            problems.append(f"<link rel=\"{values.get('rel')}\"> charge « {values['href']} » depuis un autre hôte")
    if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
        problems.append("redirection <meta http-equiv=\"refresh\">")
    if tag == "base":
        problems.append("élément <base>")
    if tag in ("animate", "set") and values.get("attributename", "").lower() in ("href", "xlink:href"):
        problems.append(f"<{tag}> qui change une adresse")


# The theme's elements are the same on every page: each distinct element is
# checked once per process (a check depends only on the tag, the attributes
# and, for a script, its text and the allowed patterns).
@functools.lru_cache(maxsize=4096)
def _attribute_problems(tag: str, attributes: tuple[tuple[str, str | None], ...]) -> tuple[str, ...]:
    problems: list[str] = []
    _check_attributes(tag, {name.lower(): (value or "") for name, value in attributes}, problems)
    return tuple(problems)


@functools.lru_cache(maxsize=512)
def _script_problems(attributes: tuple[tuple[str, str | None], ...], body: str,
                     allowed_inline: tuple[re.Pattern[str], ...]) -> tuple[tuple[str, ...], str | None]:
    """(problems, src) of a ``<script>``: src for a script loaded from a file."""
    values = {name.lower(): (value or "") for name, value in attributes}
    src = values.get("src") or values.get("href") or values.get("xlink:href")  # SVG scripts use href
    kind = values.get("type", "").lower()
    if src:
        return (("<script> avec src et contenu",) if body else ()), src
    if kind in ("application/json", "application/ld+json"):
        try:
            json.loads(body)
        except ValueError:
            return ("bloc <script> de données qui n'est pas du JSON",), None
    elif not any(pattern.match(body) for pattern in allowed_inline):
        return (f"script en ligne inconnu : « {body[:60]}… »",), None
    return (), None


def scan_page(html_text: str | bytes, allowed_inline: Sequence[re.Pattern[str]]) -> tuple[list[str], list[str]]:
    """(problems, src of external-file scripts) of one page, parsed as a browser does.

    Lexbor builds the tree of the HTML standard, with scripting on as in a
    browser that runs scripts (``<noscript>`` is then text): ``<style>`` inside
    ``<svg>`` is markup, an ``<img>`` after it breaks out of the SVG, exactly
    as in Chromium.
    """
    problems: list[str] = []
    scripts: list[str] = []
    _scan_tree(LexborHTMLParser(html_text, scripting=True).root, tuple(allowed_inline), problems, scripts)
    return problems, scripts


def _scan_tree(root: Any, allowed_inline: tuple[re.Pattern[str], ...], problems: list[str],
               scripts: list[str]) -> None:
    """The elements under *root*, then the content of each ``<template>``
    among them (a fragment outside the tree, which the traversal does not enter)."""
    plain = _PLAIN_ATTRIBUTES.issuperset
    templates = []
    for node in root.traverse(include_text=False):
        attributes = node.attributes
        number = node.tag_id  # an int: cheaper than the tag's name, asked for only when needed
        if number >= _FIRST_ADDRESS:
            number = _UNNUMBERED.get(node.tag, number)
        if not attributes:
            pass
        # Fast path, as most elements carry only class, id, title and links:
        # the tokenizer lowercases attribute names (SVG's camelCase
        # adjustments, such as viewBox, name no event and no address) and
        # values come decoded. Of such an element, only a link's scheme may
        # be wrong; a link without a colon has none, nor one that starts
        # with a scheme of the web.
        elif plain(attributes) and number not in _SPECIAL_NUMBERS:
            href = attributes.get("href")
            if href and ":" in href and not href.startswith(_WEB_SCHEMES):
                problems.extend(_attribute_problems(node.tag, tuple(attributes.items())))
        elif (
            "\0on" in "\0" + "\0".join(attributes) or not _STYLED.isdisjoint(attributes)
            or number in _SPECIAL_NUMBERS
            or (not _URL_ATTRS.isdisjoint(attributes)
                and any(":" in (attributes[name] or "") for name in _URL_ATTRS.intersection(attributes)))
        ):
            problems.extend(_attribute_problems(node.tag, tuple(attributes.items())))
        if number == _SCRIPT:
            found, src = _script_problems(tuple(attributes.items()), node.text(deep=True).strip(), allowed_inline)
            problems.extend(found)
            if src:
                scripts.append(src)
        elif number == _STYLE:
            _check_css(node.text(deep=True), "<style>", problems)
        elif number == _TEMPLATE:
            templates.append(node)
    for template in templates:
        for fragment in template.template_fragments():
            _scan_tree(fragment, allowed_inline, problems, scripts)


def describe_problems(problems: list[str]) -> str:
    """The French message that fails a build, one finding per line."""
    listing = "\n".join(f"  {problem}" for problem in problems)
    return f"contenu dangereux dans le site construit ({len(problems)} problème(s)) :\n{listing}"


class ScanMemo:
    """What one process found in each page, by the page's file identity (inode,
    size, modification time): under `mkdocs serve`, a rebuild that rewrote
    three pages parses three pages. A fresh build (``reperes build``) starts
    with an empty memo, in a fresh folder: every page is parsed.

    A page may also be parsed before it is written (``prescan``, the helper
    process of a large build: aside.py); that verdict counts only for a file of
    exactly the same bytes (SHA-256), which is otherwise parsed again."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[tuple[int, int, int], list[str], list[str]]] = {}
        self.early: dict[str, tuple[bytes, tuple[re.Pattern[str], ...], list[str], list[str]]] = {}
        self.parsed = 0  # pages parsed by the last scan

    def prescan(self, relative: str, data: bytes, allowed: Sequence[re.Pattern[str]]) -> None:
        """What the page *relative* holds if it is written as *data*."""
        found, scripts = scan_page(data, allowed)
        self.early[relative] = (hashlib.sha256(data).digest(), tuple(allowed), found, scripts)

    def scan(self, page: str, relative: str, allowed: Sequence[re.Pattern[str]]) -> tuple[list[str], list[str]]:
        stat = os.stat(page)
        identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        known = self.pages.get(relative)
        if known is not None and known[0] == identity:
            return known[1], known[2]
        with open(page, "rb") as file:
            data = file.read()
        early = self.early.pop(relative, None)
        if early is not None and early[1] == tuple(allowed) and early[0] == hashlib.sha256(data).digest():
            found, scripts = early[2], early[3]
        else:
            found, scripts = scan_page(data, allowed)
            self.parsed += 1
        self.pages[relative] = (identity, found, scripts)
        return found, scripts


def _site_files(base: str) -> dict[str, list[str]]:
    """The site's pages, style sheets and scripts (".html", ".css", ".js"):
    relative paths of files (a folder named « x.css/ » is entered, not read),
    each list sorted as paths are (folder by folder). A symbolic link is
    not entered; one to a file is read, as a web server would serve it."""
    found: dict[str, list[str]] = {".html": [], ".css": [], ".js": []}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{name}/")
                elif (kind := found.get(os.path.splitext(name)[1])) is not None and not entry.is_dir():
                    kind.append(prefix + name)

    walk(base, "")
    for paths in found.values():
        paths.sort(key=lambda path: path.split("/"))
    return found


def scan_site(site: Path, memo: ScanMemo | None = None, templates: Path | None = None) -> list[str]:
    """Every problem found, as 'page: problem' lines in French (*templates*: those
    of the theme that built it, default the installed Material's)."""
    allowed = theme_inline_scripts(templates)
    memo = memo or ScanMemo()
    memo.parsed = 0
    problems: list[str] = []
    root = site.resolve()
    base = str(root)
    # Script address -> a file of the site. The address is resolved as the
    # browser resolves it, by its text ("/a/../x.js" is "/x.js"); the file it
    # names is then followed through any symbolic link: every page loads the
    # same few scripts, each file is resolved once.
    found_in_site: dict[str, bool] = {}
    files = _site_files(base)
    for relative in files[".html"]:
        folder = os.path.dirname(relative)
        found, scripts = memo.scan(os.path.join(base, relative), relative, allowed)
        problems.extend(f"{relative}: {problem}" for problem in found)
        for src in scripts:
            cleaned = _clean_url(src)
            if is_external(src) or _SCHEME.match(cleaned):
                problems.append(f"{relative}: script « {src} » qui ne vient pas du site")
                continue
            path = src.split("?")[0].split("#")[0]
            key = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(folder, path))
            if key not in found_in_site:
                target = Path(os.path.realpath(os.path.join(base, key)))
                found_in_site[key] = root in target.parents and target.is_file()
            if not found_in_site[key]:
                problems.append(f"{relative}: script « {src} » introuvable dans le site")
    for relative in files[".css"]:
        with open(os.path.join(base, relative), encoding="utf-8", errors="replace") as file:
            text = file.read()
        for url in _CSS_IMPORT.findall(text):
            if is_external(url):
                problems.append(f"{relative}: @import « {url} » depuis un autre hôte")
    for relative in files[".js"]:
        with open(os.path.join(base, relative), encoding="utf-8", errors="replace") as file:
            text = file.read()
        for host in _IMPORT_SCRIPTS.findall(text):
            problems.append(f"{relative}: importScripts « {host} » depuis un autre hôte")
    return problems
