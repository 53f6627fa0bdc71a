"""Our build extracts the search documents itself (search.py ``page_documents``):
the same sections, titles and texts as Material's search plugin, whose parser
no longer runs in our build."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from material.plugins.search.plugin import SearchIndex
from selectolax.lexbor import LexborHTMLParser

from generator.site.search import html_to_text, page_documents

ROOT = Path(__file__).resolve().parent.parent


def material_documents(html: str, url: str, title: str, meta: dict | None = None) -> list[dict]:
    """What Material's search plugin indexes of a page, in plain text."""
    index = SearchIndex()
    index.add_entry_from_context(SimpleNamespace(content=html, url=url, title=title, meta=meta or {}, toc=[]))
    docs = []
    for entry in index.entries:
        doc = {"location": entry["location"], "title": html_to_text(entry["title"]), "text": html_to_text(entry["text"])}
        if "boost" in entry:
            doc["boost"] = entry["boost"]
        docs.append(doc)
    return docs


FRAGMENTS = [
    # A record's page: title with permalink, sections, lists, code, entities, an empty paragraph
    '<h1 id="aej">Aide &amp; <em>jeunes</em><a class="headerlink" href="#aej" title="Lien">¶</a></h1>\n'
    '<p>Montant : 4 000 €<br>par an</p>\n<p> </p><p></p>\n'
    '<h2 id="circuit">Circuit <code>SYLAé</code><a class="headerlink" href="#circuit">¶</a></h2>\n'
    '<ul>\n<li>Dépôt &lt;en ligne&gt;</li>\n<li><p>Paiement</p>\n</li>\n</ul>\n'
    '<pre><code>ligne 1\n  ligne 2\n</code></pre>\n<h3>Sans ancre</h3><p>reste dans Circuit</p>',
    # No h1: a preface section titled after the page; a heading nested in a block closes with it
    '<p>Avant tout titre</p><div class="admonition"><h2 id="dedans">Dedans</h2><p>texte du bloc</p></div>'
    '<p>après le bloc</p><details><summary>Plus</summary><h3 id="d">Détail</h3><table><tr><td>a</td>'
    '<td>b</td></tr></table></details><p>fin</p>',
    # Excluded section and skipped line numbers
    '<h1 id="t">Titre</h1><p>un</p><h2 id="x" data-search-exclude>Exclu</h2><p>caché</p>'
    '<h2 id="y">Visible</h2><div class="linenodiv"><pre>1\n2</pre></div><div><p>code</p></div><p>deux</p>',
    "",
    "<p>Texte sans titre</p>",
]


@pytest.mark.parametrize("html", FRAGMENTS)
def test_documents_are_material_documents(html: str) -> None:
    for url, title, meta in (("dispositifs/aej/", "AEJ &amp; co", {}), ("", "Accueil", {"search": {"boost": 2}})):
        assert page_documents(html, url, title, meta) == material_documents(html, url, title, meta)


def test_an_excluded_page_has_no_documents() -> None:
    assert page_documents("<h1 id='a'>A</h1><p>b</p>", "a/", "A", {"search": {"exclude": True}}) == []


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.site.build import build_site

    site = tmp_path_factory.mktemp("site") / "site"
    build_site(ROOT, site=site, allow_shallow=True, today=dt.date(2026, 11, 27))
    return site


@pytest.mark.slow
def test_every_page_of_the_sample_site_splits_as_material_does(sample_site: Path) -> None:
    """Each built page's article (the sanitised content and the theme's markup
    around it) gives the same documents through both."""
    pages = sorted(sample_site.rglob("index.html"))
    assert len(pages) > 30
    for page in pages:
        article = LexborHTMLParser(page.read_text(encoding="utf-8")).css_first("article")
        if article is None:
            continue
        html = article.inner_html or ""
        url = page.parent.relative_to(sample_site).as_posix() + "/"
        assert page_documents(html, url, "Titre", {}) == material_documents(html, url, "Titre"), page
    # And the built index holds the documents of the pages, Material's file only its configuration.
    prepared = json.loads((sample_site / "search" / "reperes-index.json").read_text(encoding="utf-8"))
    assert "dispositifs/aej/" in [row[0] for row in prepared["pages"]]
    assert json.loads((sample_site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"] == []
