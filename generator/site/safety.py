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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nh3
from selectolax.lexbor import LexborHTMLParser

_URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "xlink:href", "background", "cite"}
_LOADING = {("script", "src"), ("img", "src"), ("iframe", "src"), ("embed", "src"), ("object", "data"),
            ("source", "src"), ("video", "src"), ("audio", "src"), ("video", "poster"), ("track", "src"),
            ("input", "src"), ("frame", "src")}
_LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon",
                      "manifest", "prefetch", "preconnect", "dns-prefetch"}
# Fast path of the scan: an element none of whose attributes is here, and
# whose tag is not special, has nothing to check (most of a page).
_STYLED = {"srcset", "style", "srcdoc"}  # checked whatever their value
_SPECIAL_TAGS = {tag for tag, _ in _LOADING} | {"link", "meta", "base", "animate", "set", "source"}
# Attribute names that neither run code nor load anything, on a tag that is not
# special, whatever their value; href is among them only when its value holds
# no colon (no scheme). An element carrying only these (almost every element of
# a page: the theme's and the content's) is skipped with one set operation.
_PLAIN_ATTRIBUTES = frozenset({
    "class", "id", "title", "href", "alt", "lang", "dir", "role", "open", "start", "colspan", "rowspan",
    "align", "width", "height", "tabindex", "hidden", "for", "name", "value", "type", "rel", "target",
    "checked", "autocomplete", "autocorrect", "autocapitalize", "placeholder", "spellcheck", "required",
    "label", "charset", "content", "translate", "xmlns", "viewbox", "d", "fill", "aria-label",
    "aria-hidden", "aria-labelledby", "aria-controls", "aria-expanded", "data-md-component",
    "data-md-type", "data-md-state", "data-md-scrollfix", "data-md-color-scheme", "data-md-color-primary",
    "data-md-color-accent", "data-md-color-media", "data-md-level", "data-clipboard-target",
})
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)", re.I)
_CSS_IMPORT = re.compile(r"@import\s+['\"]([^'\"]+)", re.I)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)


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


def _clean_url(value: str) -> str:
    return re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value)).lower()


def is_external(url: str) -> bool:
    cleaned = _clean_url(url)
    return cleaned.startswith("//") or bool(re.match(r"^(https?|ftp|wss?):", cleaned))


@functools.cache  # a theme's templates do not change while a process runs
def theme_inline_scripts(templates: Path | None = None) -> list[re.Pattern[str]]:
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
    return patterns


def _roots(root: Any) -> Iterator[Any]:
    """*root*, then the content of every ``<template>`` under it (a fragment outside the tree)."""
    yield root
    for node in root.css("template"):
        for fragment in node.template_fragments():
            yield from _roots(fragment)


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
    for attr in ("src", "data", "poster"):
        if (tag, attr) in _LOADING and is_external(values.get(attr, "")):
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


def _check_script(values: dict[str, str], body: str, allowed_inline: list[re.Pattern[str]],
                  problems: list[str], scripts: list[str]) -> None:
    kind = values.get("type", "").lower()
    src = values.get("src") or values.get("href") or values.get("xlink:href")  # SVG scripts use href
    if src:
        scripts.append(src)
        if body:
            problems.append("<script> avec src et contenu")
    elif kind in ("application/json", "application/ld+json"):
        try:
            json.loads(body)
        except ValueError:
            problems.append("bloc <script> de données qui n'est pas du JSON")
    elif not any(pattern.match(body) for pattern in allowed_inline):
        problems.append(f"script en ligne inconnu : « {body[:60]}… »")


def scan_page(html_text: str | bytes, allowed_inline: list[re.Pattern[str]]) -> tuple[list[str], list[str]]:
    """(problems, src of external-file scripts) of one page, parsed as a browser does.

    Lexbor builds the tree of the HTML standard, with scripting on as in a
    browser that runs scripts (``<noscript>`` is then text): ``<style>`` inside
    ``<svg>`` is markup, an ``<img>`` after it breaks out of the SVG, exactly
    as in Chromium.
    """
    problems: list[str] = []
    scripts: list[str] = []
    tree = LexborHTMLParser(html_text, scripting=True)
    plain = _PLAIN_ATTRIBUTES.issuperset
    for root in _roots(tree.root):
        for node in root.traverse(include_text=False):
            attributes = node.attributes
            tag = node.tag
            # Fast path, as most elements carry only class, id, title and
            # relative links: the tokenizer lowercases attribute names (SVG's
            # camelCase adjustments name no event and no address) and values
            # come decoded, so an address without a colon has no scheme.
            if not attributes or (plain(attributes) and tag not in _SPECIAL_TAGS
                                  and ":" not in (attributes.get("href") or "")):
                pass
            elif (
                "\0on" in "\0" + "\0".join(attributes) or not _STYLED.isdisjoint(attributes)
                or node.tag in _SPECIAL_TAGS
                or (not _URL_ATTRS.isdisjoint(attributes)
                    and any(":" in (attributes[name] or "") for name in _URL_ATTRS.intersection(attributes)))
            ):
                values = {name.lower(): (value or "") for name, value in attributes.items()}
                _check_attributes(tag, values, problems)
            if tag == "script":
                values = {name.lower(): (value or "") for name, value in attributes.items()}
                _check_script(values, node.text(deep=True).strip(), allowed_inline, problems, scripts)
            elif tag == "style":
                _check_css(node.text(deep=True), "<style>", problems)
    return problems, scripts


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
        self.early: dict[str, tuple[bytes, list[re.Pattern[str]], list[str], list[str]]] = {}
        self.parsed = 0  # pages parsed by the last scan

    def prescan(self, relative: str, data: bytes, allowed: list[re.Pattern[str]]) -> None:
        """What the page *relative* holds if it is written as *data*."""
        found, scripts = scan_page(data, allowed)
        self.early[relative] = (hashlib.sha256(data).digest(), allowed, found, scripts)

    def scan(self, page: Path, relative: str, allowed: list[re.Pattern[str]]) -> tuple[list[str], list[str]]:
        stat = page.stat()
        identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        known = self.pages.get(relative)
        if known is not None and known[0] == identity:
            return known[1], known[2]
        data = page.read_bytes()
        early = self.early.pop(relative, None)
        if early is not None and early[1] == allowed and early[0] == hashlib.sha256(data).digest():
            found, scripts = early[2], early[3]
        else:
            found, scripts = scan_page(data, allowed)
            self.parsed += 1
        self.pages[relative] = (identity, found, scripts)
        return found, scripts


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
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        folder = os.path.dirname(relative)
        found, scripts = memo.scan(page, relative, allowed)
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
    for stylesheet in sorted(site.rglob("*.css")):
        for url in _CSS_IMPORT.findall(stylesheet.read_text(encoding="utf-8", errors="replace")):
            if is_external(url):
                problems.append(f"{stylesheet.relative_to(site).as_posix()}: @import « {url} » depuis un autre hôte")
    for script in sorted(site.rglob("*.js")):
        text = script.read_text(encoding="utf-8", errors="replace")
        for host in re.findall(r"""importScripts\(\s*['"](https?://[^'"]+)""", text):
            problems.append(f"{script.relative_to(site).as_posix()}: importScripts « {host} » depuis un autre hôte")
    return problems
