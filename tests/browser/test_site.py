"""What an agent of the Assistance Utilisateurs sees, in a real Chromium.

Expectations come from the YAML records under schemes/ (read here, not through
the generator): the status board, the "À dire à l'appelant" block first on a
scheme page, acronym tooltips, the search deep link, requests that never leave
the local server, accessibility (RGAA: no serious or critical axe violation)
and full-page screenshots in tests/output/ for a human to look at.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import struct
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import yaml
from conftest import BUILD_DATE
from playwright.sync_api import Page, expect

from generator.records.models import Domaine, Etat

ROOT = Path(__file__).resolve().parents[2]
SCHEMES = ROOT / "schemes"
VIEWPORT_HEIGHT = 900  # the `page` fixture's viewport is 1280×900

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]

SCHEME_PAGE = "dispositifs/activite-partielle/"


def date_fr(value: dt.date) -> str:
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def in_force_entry(record: dict) -> dict:
    """The entry of the record's status timeline in force on the build date."""
    day = dt.date.fromisoformat(BUILD_DATE)
    return [entry for entry in record["historique_statut"] if entry["date"] <= day][-1]


def squash(text: str) -> str:
    return " ".join(text.split())


def load_schemes() -> dict[str, dict]:
    records = {}
    for path in sorted(SCHEMES.glob("*.yml")):
        if path.name == "glossaire.yml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        records[data.get("id", path.stem)] = data
    return records


def load_glossary() -> dict[str, str]:
    data = yaml.safe_load((SCHEMES / "glossaire.yml").read_text(encoding="utf-8"))
    return {term["sigle"]: squash(term["developpement"]) for term in data["termes"]}


SCHEMES_BY_ID = load_schemes()


def scheme_title(record: dict) -> str:
    return squash(record["nom"]) + (f" ({record['sigle']})" if record.get("sigle") else "")


def h1_text(page: Page) -> str:
    return squash(page.locator("article h1").first.inner_text()).rstrip("¶").strip()


# --- the status board ---------------------------------------------------------------

BOARD_JS = """() => {
  const article = document.querySelector("article.md-content__inner");
  const groups = [];
  for (const node of article.querySelectorAll("h2, table")) {
    if (node.tagName === "H2") {
      groups.push({heading: node.textContent.replace("¶", "").trim(), tables: []});
    } else if (groups.length) {
      groups[groups.length - 1].tables.push({
        headers: [...node.querySelectorAll("thead th")].map(th => th.textContent.trim()),
        rows: [...node.querySelectorAll("tbody tr")].map(tr => ({
          cells: [...tr.children].map(td => td.innerText.replace(/\\s+/g, " ").trim()),
          links: [...tr.querySelectorAll("a[href]")].map(a => ({href: a.href, text: a.innerText.trim()})),
        })),
      });
    }
  }
  return groups;
}"""


def test_home_status_board(page: Page, site_url: str) -> None:
    page.goto(site_url)
    groups = {g["heading"]: g["tables"] for g in page.evaluate(BOARD_JS)}
    problems = []
    for domaine in Domaine:
        members = {i: r for i, r in SCHEMES_BY_ID.items() if r["domaine"] == domaine.value}
        if not members:
            continue
        tables = groups.get(domaine.label)
        if tables is None:
            problems.append(f"pas de titre « {domaine.label} » sur le tableau de bord")
            continue
        if len(tables) != 1:
            problems.append(f"« {domaine.label} » : {len(tables)} tableaux au lieu d'un")
            continue
        table = tables[0]
        if table["headers"] != ["Dispositif", "État", "Depuis", "En bref"]:
            problems.append(f"« {domaine.label} » : colonnes {table['headers']}")
        seen = {}
        for row in table["rows"]:
            paths = [urlsplit(link["href"]).path for link in row["links"]]
            scheme_links = [p for p in paths if re.fullmatch(r"/dispositifs/[^/]+/", p)]
            if len(scheme_links) != 1:
                problems.append(f"« {domaine.label} » : ligne sans lien unique vers une fiche : {row}")
                continue
            seen[scheme_links[0].split("/")[2]] = row
        if set(seen) != set(members):
            problems.append(f"« {domaine.label} » : fiches {sorted(seen)}, attendu {sorted(members)}")
        for ident, row in seen.items():
            record = members.get(ident)
            if record is None:
                continue
            etat = Etat(in_force_entry(record)["etat"])
            state, since = row["cells"][1], row["cells"][2]
            if not (state == etat.label or state.endswith(" " + etat.label)):
                problems.append(f"{ident} : état affiché « {state} », attendu « {etat.label} »")
            if since != date_fr(in_force_entry(record)["date"]):
                problems.append(f"{ident} : « depuis » affiché « {since} », attendu « {date_fr(in_force_entry(record)['date'])} »")
            if row["links"][0]["text"] != squash(record["nom"]):
                problems.append(f"{ident} : lien « {row['links'][0]['text']} », attendu « {squash(record['nom'])} »")
    shown = [heading for heading in groups if heading in {d.label for d in Domaine}]
    wanted = [d.label for d in Domaine if any(r["domaine"] == d.value for r in SCHEMES_BY_ID.values())]
    if shown != wanted:
        problems.append(f"domaines dans l'ordre {shown}, attendu {wanted}")
    assert not problems, "\n".join(problems)
    for table in page.locator("article table").all():
        expect(table).to_be_visible()


# --- from the board to a scheme page, where what to say comes first -----------------


@pytest.mark.parametrize("ident", sorted(SCHEMES_BY_ID))
def test_home_board_link_opens_the_scheme_showing_what_to_say_first(page: Page, site_url: str, ident: str) -> None:
    page.goto(site_url)
    link = page.locator(f'article table a[href="dispositifs/{ident}/"]')
    expect(link).to_have_count(1)
    with page.expect_navigation() as navigation:
        link.click()
    response = navigation.value
    assert response is not None and response.status == 200, response and response.status
    assert urlsplit(page.url).path == f"/dispositifs/{ident}/"
    assert h1_text(page) == scheme_title(SCHEMES_BY_ID[ident])
    assert_what_to_say_comes_first(page, SCHEMES_BY_ID[ident])


def assert_what_to_say_comes_first(page: Page, record: dict) -> None:
    """On the scheme page just opened: "À dire à l'appelant" on the first screen, before any section."""
    assert page.viewport_size == {"width": 1280, "height": VIEWPORT_HEIGHT}
    assert page.evaluate("window.scrollY") == 0
    title = page.locator("article .admonition > .admonition-title").filter(
        has_text=re.compile(r"^\s*À dire à l'appelant\s*$"))
    expect(title).to_have_count(1)
    block = title.locator("xpath=..")
    expect(block).to_be_visible()

    said = squash(" ".join(block.locator(":scope > :not(.admonition-title)").all_inner_texts()))
    expected = squash(re.sub(r"[*_`]", "", in_force_entry(record)["elements_de_langage"]))
    assert said == expected

    box = block.bounding_box()
    assert box is not None
    bottom = box["y"] + box["height"]
    assert box["y"] >= 0 and bottom <= VIEWPORT_HEIGHT, (
        f"« À dire à l'appelant » occupe {box['y']:.0f}–{bottom:.0f} px : hors du premier écran ({VIEWPORT_HEIGHT} px)")

    for heading, present in (("Anomalies connues", bool(record.get("anomalies"))),
                             ("Circuit, du dossier au paiement", bool(record.get("circuit")))):
        section = page.locator("article h2").filter(has_text=re.compile(rf"^\s*{re.escape(heading)}"))
        expect(section).to_have_count(1 if present else 0)
        if present:
            top = section.bounding_box()["y"]
            assert top >= bottom, f"« {heading} » ({top:.0f} px) avant « À dire à l'appelant » ({bottom:.0f} px)"
    # Nothing else titled comes before it either.
    for heading_box in (h.bounding_box() for h in page.locator("article h2").all()):
        assert heading_box is not None and heading_box["y"] >= bottom


# --- acronyms -----------------------------------------------------------------------


@pytest.mark.parametrize(("path", "sigle"), [(SCHEME_PAGE, "ASP"), ("dispositifs/aide-unique-apprentissage/", "DSN")])
def test_acronym_tooltip_shows_its_expansion(page: Page, site_url: str, path: str, sigle: str) -> None:
    expansion = load_glossary()[sigle]
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    abbr = page.locator("article abbr").filter(has_text=re.compile(rf"^{re.escape(sigle)}$")).first
    tooltip = page.get_by_role("tooltip").filter(has_text=expansion)
    expect(tooltip).to_have_count(0)

    abbr.scroll_into_view_if_needed()
    abbr.hover()
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_text(expansion)
    # Fully faded in, tied to the acronym for assistive technologies, and next to it.
    tooltip.evaluate("el => new Promise(r => { const t = () => getComputedStyle(el).opacity === '1' ? r() : requestAnimationFrame(t); t(); })")
    tooltip_id = tooltip.get_attribute("id")
    assert tooltip_id and tooltip_id in (abbr.get_attribute("aria-describedby") or "").split()
    tip, host = tooltip.bounding_box(), abbr.bounding_box()
    assert tip and host
    gap = min(abs(tip["y"] - (host["y"] + host["height"])), abs((tip["y"] + tip["height"]) - host["y"]))  # below or above
    assert gap < 60, (tip, host)
    assert abs((tip["x"] + tip["width"] / 2) - (host["x"] + host["width"] / 2)) < tip["width"], (tip, host)


# --- search deep link ---------------------------------------------------------------


@pytest.mark.parametrize("query", ["SYLAé", "sylae"])
def test_search_deep_link_shows_results(page: Page, site_url: str, query: str) -> None:
    page.goto(f"{site_url}?q={quote(query)}")
    results = page.locator(".md-search-result__list")
    expect(results).to_be_visible()
    expect(results.locator("a[href]").first).to_be_visible(timeout=15_000)
    expect(page.locator(".md-search__input")).to_have_value(query)
    if query == "SYLAé":
        # The tool page's exact title: found by any worker (Material's lunr ranks
        # the guide "Codes SYLAé…" first, so the rank is not asserted).
        tool = [a for a in results.locator("a[href]").all()
                if urlsplit(a.get_attribute("href") or "").path.endswith("/outils/sylae/")]
        assert tool, "la page de l'outil SYLAé n'est pas dans les résultats"
        assert squash(tool[0].inner_text()).startswith("SYLAé")


# --- every request stays on the local server ---------------------------------------

BROWSED = ["", SCHEME_PAGE, "partenaires/asp/", "outils/sylae/", "glossaire/"]


def test_every_request_stays_on_the_local_server(browser, site_url: str, built_site: Path) -> None:
    """Every network request (pages, assets, the search worker and what it
    imports) goes to the local server. ``data:`` and ``blob:`` never show as
    network requests in Playwright, so the DevTools protocol is watched too:
    the only ``data:`` URLs allowed are SVG images written verbatim in the
    site's own stylesheets (Material draws its icons as CSS masks); no
    ``data:`` or ``blob:`` script, worker, frame or stylesheet is allowed."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    requests: list[tuple[str, str]] = []
    protocol: list[tuple[str, str]] = []
    workers: list[str] = []
    context.on("request", lambda r: requests.append((r.resource_type, r.url)))
    # Should anything try to leave, it is recorded above, then stopped here.
    context.route(lambda url: not url.startswith(site_url), lambda route: route.abort())
    try:
        page = context.new_page()
        page.on("worker", lambda w: workers.append(w.url))
        cdp = context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", lambda e: protocol.append((e.get("type", ""), e["request"]["url"])))
        cdp.send("Network.enable")
        script_sources: set[str] = set()
        for path in BROWSED:
            page.goto(site_url + path)
            page.wait_for_load_state("networkidle")
            for summary in page.locator("article details > summary").all():
                summary.click()
            for abbr in page.locator("article abbr").all()[:3]:
                abbr.scroll_into_view_if_needed()
                abbr.hover()
            page.mouse.wheel(0, 20_000)
            page.wait_for_load_state("networkidle")
            script_sources |= set(page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)"))
        # A search typed in the header, then a result opened, then a deep link.
        page.locator(".md-search__input").click()
        page.keyboard.type("sylae", delay=20)
        expect(page.locator(".md-search-result__list a[href]").first).to_be_visible(timeout=15_000)
        with page.expect_navigation():
            page.locator(".md-search-result__list a[href]").first.click()
        page.wait_for_load_state("networkidle")
        page.goto(f"{site_url}?q={quote('SYLAé')}")
        expect(page.locator(".md-search-result__list a[href]").first).to_be_visible(timeout=15_000)
        page.wait_for_load_state("networkidle")
        script_sources |= set(page.evaluate("[...document.scripts].map(s => s.src).filter(Boolean)"))
    finally:
        context.close()

    documents = {urlsplit(url).path for kind, url in requests if kind == "document"}
    assert {"/" + path for path in BROWSED} <= documents, documents
    assert workers, "aucun worker de recherche démarré"
    outside = sorted({f"{kind} {url}" for kind, url in requests if not url.startswith(site_url)})
    outside += sorted({f"worker {url}" for url in workers if not url.startswith(site_url)})
    outside += sorted({f"<script src> {url}" for url in script_sources if not url.startswith(site_url)})

    stylesheets = "".join(p.read_text(encoding="utf-8") for p in sorted((built_site / "assets").rglob("*.css")))
    for kind, url in set(protocol):
        if url.startswith(site_url):
            continue
        if kind == "Image" and url.startswith("data:image/svg+xml") and url in stylesheets:
            continue  # one of the theme's icons, written in our own CSS
        outside.append(f"{kind} {url[:120]}")
    assert not outside, "requêtes hors du serveur local :\n" + "\n".join(outside)


# --- accessibility (RGAA) -----------------------------------------------------------


@pytest.mark.parametrize("path", ["", SCHEME_PAGE], ids=["accueil", "fiche-dispositif"])
def test_no_serious_accessibility_violation(page: Page, site_url: str, output_dir: Path, path: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    name = path.strip("/").replace("/", "-") or "accueil"
    (output_dir / f"axe-{name}.json").write_text(
        json.dumps(results.response["violations"], ensure_ascii=False, indent=2), encoding="utf-8")
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    report = []
    for violation in serious:
        report.append(f"{violation['id']} ({violation['impact']}) : {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = squash(node.get("failureSummary", ""))
            report.append(f"    {node['target']} {squash(node['html'])[:160]}\n      {summary[:300]}")
    if serious:
        pytest.fail(f"violations axe graves sur /{path} :\n" + "\n".join(report), pytrace=False)


# --- screenshots for a human --------------------------------------------------------


@pytest.mark.parametrize(("path", "filename"), [("", "accueil.png"), (SCHEME_PAGE, "fiche-activite-partielle.png")])
def test_full_page_screenshot(page: Page, site_url: str, output_dir: Path, path: str, filename: str) -> None:
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    target = output_dir / filename
    page.screenshot(path=str(target), full_page=True, animations="disabled")
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == 1280 and height > VIEWPORT_HEIGHT, (width, height)
