"""Post-build scan of the site: nothing executes that is not ours, nothing
loads from another host.

Run by `reperes build` on the freshly built folder, before it replaces the
live site: a finding fails the build and the previous site stays in place.

Allowed scripts: files of the site itself (Material's bundle, our search
worker), JSON data blocks (Material's ``__config``), and the small inline
scripts that Material's own templates contain verbatim (read from the
installed theme, so a theme update cannot silently widen the list).
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

_URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "xlink:href", "background", "cite"}
_LOADING = {("script", "src"), ("img", "src"), ("iframe", "src"), ("embed", "src"), ("object", "data"),
            ("source", "src"), ("video", "src"), ("audio", "src"), ("video", "poster"), ("track", "src"),
            ("input", "src"), ("frame", "src")}
_LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon",
                      "manifest", "prefetch", "preconnect", "dns-prefetch"}
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)", re.I)
_CSS_IMPORT = re.compile(r"@import\s+['\"]([^'\"]+)", re.I)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)


def _clean_url(value: str) -> str:
    return re.sub(r"[\x00-\x20\x7f]", "", html.unescape(value)).lower()


def is_external(url: str) -> bool:
    cleaned = _clean_url(url)
    return cleaned.startswith("//") or bool(re.match(r"^(https?|ftp|wss?):", cleaned))


def theme_inline_scripts() -> list[re.Pattern[str]]:
    """Inline scripts of the installed Material templates, as exact patterns.

    Literal text must match exactly; a ``{{ … }}`` expression of the template
    may only produce a path-like value (no quote, no markup, no parenthesis).
    """
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


class _PageScanner(HTMLParser):
    def __init__(self, allowed_inline: list[re.Pattern[str]]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_inline = allowed_inline
        self.problems: list[str] = []
        self.scripts: list[str] = []  # src of external-file scripts
        self._script: dict[str, str] | None = None
        self._script_text: list[str] = []
        self._style = False
        self._style_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"attribut d'événement « {name} » sur <{tag}>")
            if name in _URL_ATTRS or name == "srcset":
                for url in (value.split(",") if name == "srcset" else [value]):
                    cleaned = _clean_url(url.strip().split(" ")[0])
                    scheme = _SCHEME.match(cleaned)
                    if scheme and scheme.group(1) in ("javascript", "vbscript", "data") and not (
                        tag == "img" and cleaned.startswith("data:image/") and "svg" not in cleaned[:20]
                    ):
                        self.problems.append(f"adresse « {scheme.group(1)}: » dans {name} de <{tag}>")
            if name == "style":
                self._check_css(value, f"style de <{tag}>")
        for attr in ("src", "data", "poster"):
            if (tag, attr) in _LOADING and is_external(values.get(attr, "")):
                self.problems.append(f"<{tag}> charge « {values[attr]} » depuis un autre hôte")
        if tag in ("img", "source") and values.get("srcset"):
            for candidate in values["srcset"].split(","):
                if is_external(candidate.strip().split(" ")[0]):
                    self.problems.append(f"<{tag}> charge « {candidate.strip()} » depuis un autre hôte")
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & _LOADING_LINK_RELS and is_external(values.get("href", "")):
                self.problems.append(f"<link rel=\"{values.get('rel')}\"> charge « {values['href']} » depuis un autre hôte")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append("redirection <meta http-equiv=\"refresh\">")
        if tag == "base":
            self.problems.append("élément <base>")
        if tag == "script":
            self._script = values
            self._script_text = []
        if tag == "style":
            self._style = True
            self._style_text = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script_text.append(data)
        if self._style:
            self._style_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            attrs, body = self._script, "".join(self._script_text).strip()
            self._script = None
            kind = attrs.get("type", "").lower()
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
                if body:
                    self.problems.append("<script> avec src et contenu")
            elif kind in ("application/json", "application/ld+json"):
                try:
                    json.loads(body)
                except ValueError:
                    self.problems.append("bloc <script> de données qui n'est pas du JSON")
            elif not any(pattern.match(body) for pattern in self.allowed_inline):
                self.problems.append(f"script en ligne inconnu : « {body[:60]}… »")
        if tag == "style" and self._style:
            self._style = False
            self._check_css("".join(self._style_text), "<style>")

    def _check_css(self, css: str, where: str) -> None:
        for url in _CSS_URL.findall(css) + _CSS_IMPORT.findall(css):
            if is_external(url) or _clean_url(url).startswith("javascript:"):
                self.problems.append(f"{where} charge « {url} » depuis un autre hôte")


def scan_site(site: Path) -> list[str]:
    """Every problem found, as 'page: problem' lines in French."""
    allowed = theme_inline_scripts()
    problems: list[str] = []
    root = site.resolve()
    for page in sorted(site.rglob("*.html")):
        scanner = _PageScanner(allowed)
        scanner.feed(page.read_text(encoding="utf-8", errors="replace"))
        scanner.close()
        relative = page.relative_to(site).as_posix()
        problems.extend(f"{relative}: {problem}" for problem in scanner.problems)
        for src in scanner.scripts:
            cleaned = _clean_url(src)
            if is_external(src) or _SCHEME.match(cleaned):
                problems.append(f"{relative}: script « {src} » qui ne vient pas du site")
                continue
            path = src.split("?")[0].split("#")[0]
            target = ((root / path.lstrip("/")) if path.startswith("/") else (page.parent / path)).resolve()
            if root not in target.parents or not target.is_file():
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
