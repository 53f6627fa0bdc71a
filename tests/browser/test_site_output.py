"""The built sample site, read as files (no browser): a page for every record,
no broken internal link or anchor, and nothing in it that runs code it should
not or loads anything from another host.

Pages are parsed with the standard library's ``html.parser``, which decodes
character references in attribute values, so ``jav&#x61;script:`` is seen as
``javascript:``.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMES = ROOT / "schemes"

# Record kind -> (folder of its YAML files under schemes/, folder of its pages in the site).
KINDS = {
    "dispositif": ("", "dispositifs"),
    "partenaire": ("partenaires", "partenaires"),
    "outil": ("outils", "outils"),
    "site": ("sites", "sites"),
}
NOT_RECORDS = {"glossaire.yml"}  # the glossary is one page, not one page per record

# A made-up origin to resolve links against: the site is served at a root.
ORIGIN = "http://site.invalid"
EXTERNAL_SCHEMES = {"https", "mailto", "tel"}
SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):")

# Attributes holding one URL (``srcset`` and meta refresh are handled apart).
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster",
                  "background", "cite", "longdesc", "ping", "manifest", "icon"}
# <link rel=…> values that make the browser fetch (or connect to) the href.
LOADING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "prerender", "icon",
                "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "manifest",
                "preconnect", "dns-prefetch"}
CSS_URL_RE = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.I | re.S)
CSS_IMPORT_RE = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.I)

# --- the inline scripts MkDocs Material writes, allowed by exact content -------------
#
# Material 9 puts three small inline scripts and one JSON block in every page
# (material/templates/base.html and partials/palette.html). Each is allowed only
# with exactly this text: any other inline script — or a new Material release
# that changes one of these — fails the test and must be reviewed here.
#
# 1. In <head>: helpers to keep preferences in localStorage, scoped to the site
#    (``__md_scope`` is the site root, relative to the page: the only variable part).
MD_SCOPE_SCRIPT = (
    "__md_scope=new URL({base},location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),"
    "__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+\".\"+e)),"
    "__md_set=(e,_,t=localStorage,a=__md_scope)=>{{try{{t.setItem(a.pathname+\".\"+e,JSON.stringify(_))}}catch(e){{}}}}"
)
# 2. In the header: applies the colour palette saved by __md_set before first paint.
PALETTE_SCRIPT = (
    'var palette=__md_get("__palette");if(palette&&palette.color){if("(prefers-color-scheme)"===palette.color.media)'
    '{var media=matchMedia("(prefers-color-scheme: light)"),input=document.querySelector(media.matches?'
    "\"[data-md-color-media='(prefers-color-scheme: light)']\":\"[data-md-color-media='(prefers-color-scheme: dark)']\");"
    'palette.color.media=input.getAttribute("data-md-color-media"),palette.color.scheme=input.getAttribute("data-md-color-scheme"),'
    'palette.color.primary=input.getAttribute("data-md-color-primary"),palette.color.accent=input.getAttribute("data-md-color-accent")}'
    'for(var[key,value]of Object.entries(palette.color))document.body.setAttribute("data-md-color-"+key,value)}'
)
# 3. After the content: opens the content tab (pymdownx.tabbed) named by the URL's #hash.
TABBED_SCRIPT = (
    "var target=document.getElementById(location.hash.slice(1));"
    'target&&target.name&&(target.checked=target.name.startsWith("__tabbed_"))'
)
# 4. <script id="__config" type="application/json">: the theme's settings (base URL,
#    features, search worker, French strings) read by the bundle. A JSON data block
#    is never executed; it is checked as JSON, and the worker it names must be one
#    of the site's own files under assets/.
CONFIG_KEYS = {"annotate", "base", "features", "search", "tags", "translations", "version"}


# --- parsing ------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str]]
    line: int

    def get(self, name: str) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return None


@dataclass
class Script:
    attrs: dict[str, str]
    text: str
    line: int


@dataclass
class Page:
    path: Path  # relative to the site root
    elements: list[Element] = field(default_factory=list)
    ids: Counter = field(default_factory=Counter)
    names: set[str] = field(default_factory=set)
    scripts: list[Script] = field(default_factory=list)
    styles: list[tuple[str, int]] = field(default_factory=list)
    h1: str | None = None

    @property
    def url(self) -> str:
        return f"{ORIGIN}/{self.path.as_posix()}"

    def where(self, line: int) -> str:
        return f"{self.path.as_posix()}:{line}"


class _Parser(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self._script: Script | None = None
        self._style: list[str] | None = None
        self._style_line = 0
        self._h1: list[str] | None = None
        self._in_headerlink = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        clean = [(key.lower(), value or "") for key, value in attrs]
        element = Element(tag, clean, line)
        self.page.elements.append(element)
        for key, value in clean:
            if key == "id":
                self.page.ids[value] += 1
            elif key == "name" and tag == "a":  # <a name> is also a fragment target
                self.page.names.add(value)
        if tag == "script":
            self._script = Script(dict(clean), "", line)
        elif tag == "style":
            self._style, self._style_line = [], line
        elif tag == "h1" and self.page.h1 is None:
            self._h1 = []
        elif tag == "a" and self._h1 is not None and "headerlink" in (element.get("class") or "").split():
            self._in_headerlink += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.text += data
        elif self._style is not None:
            self._style.append(data)
        elif self._h1 is not None and not self._in_headerlink:
            self._h1.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.page.scripts.append(self._script)
            self._script = None
        elif tag == "style" and self._style is not None:
            self.page.styles.append(("".join(self._style), self._style_line))
            self._style = None
        elif tag == "a" and self._in_headerlink:
            self._in_headerlink -= 1
        elif tag == "h1" and self._h1 is not None:
            self.page.h1 = " ".join("".join(self._h1).split())
            self._h1 = None


def parse_page(site: Path, path: Path) -> Page:
    page = Page(path.relative_to(site))
    parser = _Parser(page)
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return page


@pytest.fixture(scope="module")
def pages(built_site: Path) -> dict[str, Page]:
    """Every HTML file of the site, by path relative to its root."""
    found = {p.relative_to(built_site).as_posix(): parse_page(built_site, p) for p in sorted(built_site.rglob("*.html"))}
    assert "index.html" in found, "le site construit n'a pas de page d'accueil"
    return found


# --- records ------------------------------------------------------------------------


def load_records(kind: str) -> dict[str, dict]:
    """id -> record, read from the YAML files under schemes/ (not through the generator)."""
    folder = SCHEMES / KINDS[kind][0]
    records = {}
    for path in sorted(folder.glob("*.yml")):
        if path.name in NOT_RECORDS:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        records[data.get("id", path.stem)] = data
    return records


def expected_title(record: dict) -> str:
    title = " ".join(str(record["nom"]).split())
    if record.get("sigle"):
        title += f" ({record['sigle']})"
    return title


# --- URLs ---------------------------------------------------------------------------


def normalized(url: str) -> str:
    """What a browser sees as the scheme: entities already decoded by the parser,
    then ASCII whitespace and control characters dropped (browsers strip them)."""
    return re.sub(r"[\x00-\x20\x7f]", "", url).lower()


def scheme_of(url: str) -> str | None:
    match = SCHEME_RE.match(normalized(url))
    return match.group(1) if match else None


def is_elsewhere(url: str) -> bool:
    """True when loading *url* would contact another host (any scheme but data:,
    or a protocol-relative //host URL)."""
    text = normalized(url)
    if text.startswith("//") or text.startswith("\\\\") or text.startswith("/\\") or text.startswith("\\/"):
        return True
    scheme = scheme_of(url)
    return scheme is not None and scheme != "data"


def resolve(site: Path, page: Page, url: str) -> tuple[Path | None, str, str | None]:
    """Internal *url* seen from *page* -> (file of the site or None, fragment, problem)."""
    absolute = urljoin(page.url, url.strip())
    parts = urlsplit(absolute)
    if f"{parts.scheme}://{parts.netloc}" != ORIGIN:
        return None, parts.fragment, f"sort du site ({absolute})"
    # Browsers treat %2e%2e as "..": decode, then remove dot segments.
    decoded = unquote(parts.path)
    path = "/" + posixpath.normpath(decoded).lstrip("/")
    if decoded.endswith("/") and not path.endswith("/"):
        path += "/"
    target = site / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    elif target.is_dir():
        return None, parts.fragment, f"dossier sans « / » final ({path})"
    try:
        target.resolve().relative_to(site.resolve())
    except ValueError:
        return None, parts.fragment, f"sort du dossier du site ({path})"
    if not target.is_file():
        return None, parts.fragment, f"fichier absent ({path})"
    return target, parts.fragment, None


def srcset_urls(value: str) -> list[str]:
    return [candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()]


def expected_base(page: Page) -> str:
    """Material's relative site root for a page. 404.html, served at any depth,
    uses the absolute path of site_url ("/" when unset): taken from its config,
    provided it is a path on this host."""
    if page.path.as_posix() == "404.html":
        for script in page.scripts:
            if script.attrs.get("id") == "__config":
                try:
                    base = json.loads(script.text).get("base", "")
                except (ValueError, AttributeError):
                    break
                if isinstance(base, str) and base.startswith("/") and not base.startswith("//"):
                    return base
        return "/"
    depth = len(page.path.parts) - 1
    return "." if depth == 0 else "/".join([".."] * depth)


# --- a page for every record --------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_page_for_every_record(kind: str, built_site: Path, pages: dict[str, Page]) -> None:
    records = load_records(kind)
    assert records, f"aucune fiche « {kind} » sous schemes/{KINDS[kind][0]}"
    folder = KINDS[kind][1]
    problems = []
    for ident, record in records.items():
        key = f"{folder}/{ident}/index.html"
        if key not in pages:
            problems.append(f"{ident} : pas de page {key}")
            continue
        if pages[key].h1 != expected_title(record):
            problems.append(f"{key} : titre {pages[key].h1!r}, attendu {expected_title(record)!r}")
    stale = sorted(
        key for key in pages
        if key.startswith(f"{folder}/") and key != f"{folder}/index.html"  # the section's own index
        and key.removeprefix(f"{folder}/").split("/")[0] not in records
    )
    problems += [f"{key} : page sans fiche (fiche supprimée ?)" for key in stale]
    assert not problems, "\n".join(problems)


def test_a_page_for_every_guide(pages: dict[str, Page]) -> None:
    guides = sorted(p for p in (ROOT / "docs" / "guides").glob("*.md"))
    assert len(guides) >= 5
    problems = []
    for path in guides:
        header = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        key = f"guides/{path.stem}/index.html"
        if key not in pages:
            problems.append(f"{path.stem} : pas de page {key}")
        elif pages[key].h1 != header["titre"]:
            problems.append(f"{key} : titre {pages[key].h1!r}, attendu {header['titre']!r}")
    assert "guides/index.html" in pages
    assert not problems, "\n".join(problems)


def test_glossary_page_lists_every_term(built_site: Path) -> None:
    glossary = yaml.safe_load((SCHEMES / "glossaire.yml").read_text(encoding="utf-8"))
    text = (built_site / "glossaire" / "index.html").read_text(encoding="utf-8")
    missing = [t["sigle"] for t in glossary["termes"] if html.escape(t["sigle"], quote=False) not in text]
    assert not missing, f"sigles absents de la page du glossaire : {missing}"


# --- links and anchors --------------------------------------------------------------


def test_no_broken_internal_link_or_anchor(built_site: Path, pages: dict[str, Page], output_dir: Path) -> None:
    broken: list[str] = []
    external: dict[str, set[str]] = defaultdict(set)
    checked = 0
    for page in pages.values():
        for element in page.elements:
            urls = [(key, value) for key, value in element.attrs if key in URL_ATTRIBUTES]
            if element.get("srcset"):
                urls += [("srcset", u) for u in srcset_urls(element.get("srcset") or "")]
            for attribute, url in urls:
                if not url.strip():
                    broken.append(f"{page.where(element.line)} <{element.tag} {attribute}=\"\"> : adresse vide")
                    continue
                scheme = scheme_of(url)
                if scheme is not None or normalized(url).startswith("//"):
                    if scheme in EXTERNAL_SCHEMES:
                        external[url].add(page.path.as_posix())
                    elif scheme != "data":  # data: and javascript: are the safety tests' business
                        if scheme != "javascript":
                            broken.append(f"{page.where(element.line)} <{element.tag} {attribute}={url!r}> : schéma non autorisé")
                    continue
                checked += 1
                target, fragment, problem = resolve(built_site, page, url)
                if problem:
                    broken.append(f"{page.where(element.line)} <{element.tag} {attribute}={url!r}> : {problem}")
                    continue
                if fragment and attribute == "href" and target is not None and target.suffix == ".html":
                    target_page = pages[target.relative_to(built_site).as_posix()]
                    targets = set(target_page.ids) | target_page.names
                    if fragment not in targets and unquote(fragment) not in targets:
                        broken.append(
                            f"{page.where(element.line)} <{element.tag} href={url!r}> : "
                            f"ancre « {unquote(fragment)} » absente de {target.relative_to(built_site).as_posix()}"
                        )
    listing = output_dir / "liens-externes.txt"
    listing.write_text(
        "".join(f"{url}\t{', '.join(sorted(where))}\n" for url, where in sorted(external.items())), encoding="utf-8"
    )
    assert checked > 100, f"trop peu de liens internes vérifiés ({checked}) : l'analyse des pages a-t-elle échoué ?"
    assert not broken, f"{len(broken)} lien(s) interne(s) cassé(s) :\n" + "\n".join(broken)


def test_anchors_are_unique(pages: dict[str, Page]) -> None:
    """An id present twice makes #fragment links land on the first one only."""
    duplicates = [
        f"{page.path.as_posix()} : id « {ident} » × {count}"
        for page in pages.values() for ident, count in page.ids.items() if count > 1
    ]
    assert not duplicates, "\n".join(duplicates)


# --- safety scan --------------------------------------------------------------------


def test_no_javascript_url(pages: dict[str, Page]) -> None:
    found = []
    for page in pages.values():
        for element in page.elements:
            values = [(k, v) for k, v in element.attrs if k in URL_ATTRIBUTES]
            values += [("srcset", u) for u in srcset_urls(element.get("srcset") or "")]
            if (element.get("http-equiv") or "").lower() == "refresh":
                values.append(("content", (element.get("content") or "").split("=", 1)[-1]))
            for attribute, value in values:
                if scheme_of(value) in ("javascript", "vbscript"):
                    found.append(f"{page.where(element.line)} <{element.tag} {attribute}={value!r}>")
                elif scheme_of(value) == "data" and attribute in ("href", "src", "action", "formaction", "data"):
                    found.append(f"{page.where(element.line)} <{element.tag} {attribute}={value[:60]!r}…> (data:)")
    assert not found, "adresses exécutables dans le site :\n" + "\n".join(found)


def test_no_inline_event_handler(pages: dict[str, Page]) -> None:
    found = [
        f"{page.where(element.line)} <{element.tag} {key}=…>"
        for page in pages.values() for element in page.elements
        for key, _ in element.attrs if key.startswith("on")
    ]
    assert not found, "attributs de gestionnaire d'événement (on*=) :\n" + "\n".join(found)


def test_scripts_are_the_sites_own_or_known_inline(built_site: Path, pages: dict[str, Page]) -> None:
    assets = (built_site / "assets").resolve()
    kinds: Counter = Counter()
    problems = []
    for page in pages.values():
        base = expected_base(page)
        for script in page.scripts:
            where = page.where(script.line)
            src = script.attrs.get("src")
            if src is not None:
                target, _, problem = (None, "", "pas un fichier du site (adresse absolue, externe ou data:)") if (scheme_of(src) or normalized(src).startswith("//")) \
                    else resolve(built_site, page, src)
                if problem or target is None:
                    problems.append(f"{where} <script src={src!r}> : {problem}")
                elif not target.resolve().is_relative_to(assets):
                    problems.append(f"{where} <script src={src!r}> : hors de assets/")
                elif script.text.strip():
                    problems.append(f"{where} <script src={src!r}> a aussi un contenu")
                else:
                    kinds["fichier du site sous assets/"] += 1
                continue
            text = script.text.strip()
            kind = script.attrs.get("type", "").lower()
            if kind == "application/json" and script.attrs.get("id") == "__config" and len(script.attrs) == 2:
                problems += check_config(built_site, page, text, base, where)
                kinds["configuration JSON de Material (__config)"] += 1
            elif kind or len(script.attrs):
                problems.append(f"{where} <script {script.attrs}> inattendu : {text[:200]!r}")
            elif text == MD_SCOPE_SCRIPT.format(base=json.dumps(base)):
                kinds["__md_scope / __md_get / __md_set"] += 1
            elif text == PALETTE_SCRIPT:
                kinds["palette enregistrée"] += 1
            elif text == TABBED_SCRIPT:
                kinds["onglet désigné par #ancre"] += 1
            else:
                problems.append(f"{where} script en ligne inconnu : {text[:200]!r}")
    assert not problems, "scripts non autorisés :\n" + "\n".join(problems)
    # Each page carries exactly one of each known script, and the bundle.
    for label in ("__md_scope / __md_get / __md_set", "configuration JSON de Material (__config)",
                  "fichier du site sous assets/"):
        assert kinds[label] >= len(pages), (label, dict(kinds))


def check_config(site: Path, page: Page, text: str, base: str, where: str) -> list[str]:
    try:
        config = json.loads(text)
    except ValueError as exc:
        return [f"{where} __config n'est pas du JSON : {exc}"]
    problems = []
    if not isinstance(config, dict) or not set(config) <= CONFIG_KEYS:
        return [f"{where} __config : clés inattendues {sorted(set(config) - CONFIG_KEYS) if isinstance(config, dict) else config!r}"]
    if config.get("base") != base:
        problems.append(f"{where} __config.base = {config.get('base')!r}, attendu {base!r}")
    worker = config.get("search")
    if worker is not None:
        target, _, problem = (None, "", "pas un fichier du site (adresse absolue, externe ou data:)") if (scheme_of(worker) or normalized(worker).startswith("//")) \
            else resolve(site, page, worker)
        if problem or target is None or not target.resolve().is_relative_to((site / "assets").resolve()):
            problems.append(f"{where} __config.search = {worker!r} : pas un fichier du site sous assets/ ({problem})")
    return problems


def test_nothing_loads_from_another_host(built_site: Path, pages: dict[str, Page]) -> None:
    found = []
    for page in pages.values():
        for element in page.elements:
            where = f"{page.where(element.line)} <{element.tag}"
            loads = [(k, v) for k, v in element.attrs if k in ("src", "data", "poster", "background", "manifest")]
            loads += [("srcset", u) for u in srcset_urls(element.get("srcset") or "")]
            loads += [("imagesrcset", u) for u in srcset_urls(element.get("imagesrcset") or "")]
            rels = set((element.get("rel") or "").lower().split())
            if element.tag == "link" and rels & LOADING_RELS:
                loads.append(("href", element.get("href") or ""))
            if element.tag == "base":
                loads.append(("href", element.get("href") or ""))
            if (element.get("http-equiv") or "").lower() == "refresh":
                loads.append(("content", (element.get("content") or "").split("=", 1)[-1]))
            for attribute, url in loads:
                if is_elsewhere(url):
                    found.append(f"{where} {attribute}={url!r}>")
            style = element.get("style")
            if style:
                found += [f"{where} style=…url({u!r})…>" for u in css_external_urls(style)]
        for css, line in page.styles:
            found += [f"{page.where(line)} <style> url({u!r})" for u in css_external_urls(css)]
    for stylesheet in sorted(built_site.rglob("*.css")):
        found += [f"{stylesheet.relative_to(built_site)} url({u!r})"
                  for u in css_external_urls(stylesheet.read_text(encoding="utf-8"))]
    assert not found, "chargements depuis un autre hôte :\n" + "\n".join(found)


def css_external_urls(css: str) -> list[str]:
    urls = [m.group(2) for m in CSS_URL_RE.finditer(css)] + [m.group(1) for m in CSS_IMPORT_RE.finditer(css)]
    return [u for u in urls if is_elsewhere(u)]


def test_search_index_holds_no_active_content(built_site: Path) -> None:
    """Material's search would show index snippets as HTML: its index holds none
    (our worker reads the prepared search/reperes-index.json, plain text that it
    escapes: tests/browser/test_search.py::test_results_escape_the_index_text)."""
    index = built_site / "search" / "search_index.json"
    assert index.is_file(), "pas d'index de recherche (search/search_index.json) dans le site"
    assert json.loads(index.read_text(encoding="utf-8")).get("docs") == [], "documents dans l'index de Material"
    prepared = json.loads((built_site / "search" / "reperes-index.json").read_text(encoding="utf-8"))
    assert prepared["docs"], "index de recherche vide"
