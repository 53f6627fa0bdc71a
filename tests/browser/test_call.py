"""The call, answered on the first screen, in a real Chromium (issue 8).

On a 1280×800 desktop and a 390×844 phone: the board puts the schemes that
need attention first, with the words to say; a scheduled status change is
announced before its date and in force, with its own words, after it; on a
scheme page the words to say and the list of the page's situations are on the
first screen, and each situation leads to its answer; nothing sits outside a
phone's screen; a reply template copies as written; an acronym shows its
expansion on keyboard focus.

Expectations come from the YAML records (read here, not through the
generator). Screenshots land in /tmp/screens/call/ for a human to look at.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import BUILD_DATE, ROOT, _QuietHandler
from playwright.sync_api import Browser, Page, expect

SCREENS = Path("/tmp/screens/call")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"bureau": DESKTOP, "telephone": PHONE}

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def date_fr(value: dt.date) -> str:
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def squash(text: str) -> str:
    return " ".join(text.split())


def shown(text: str) -> str:
    """Record text as the page shows it: Markdown emphasis gone, spaces collapsed."""
    return squash(re.sub(r"[*_`]", "", text))


def record(ident: str) -> dict:
    return yaml.safe_load((ROOT / "schemes" / f"{ident}.yml").read_text(encoding="utf-8"))


def tool_record(ident: str) -> dict:
    return yaml.safe_load((ROOT / "schemes" / "outils" / f"{ident}.yml").read_text(encoding="utf-8"))


def in_force_entry(data: dict, day: dt.date) -> dict:
    return [entry for entry in data["historique_statut"] if entry["date"] <= day][-1]


SCHEME_IDS = sorted(p.stem for p in (ROOT / "schemes").glob("*.yml") if p.stem != "glossaire")


# --- a project of our own: payments blocked, a disruption, a scheduled change -------

BLOCKED = "aide-unique-apprentissage"
DISRUPTED = "pec"
BLOCKED_SINCE = dt.date(2026, 11, 20)
REOPENS = dt.date(2026, 12, 10)
BLOCKED_WORDS = "Les paiements de l'aide unique sont suspendus pour tous les employeurs depuis le 20 novembre."
REOPEN_WORDS = "Les paiements de l'aide unique ont repris le 10 décembre ; le retard est rattrapé en une fois."
DISRUPTED_WORDS = "Les formulaires du parcours emploi compétences sont traités avec une semaine de retard."
NEXT_UPDATE = dt.date(2026, 12, 1)

BLOCKED_ENTRIES = f"""\
  - date: {BLOCKED_SINCE.isoformat()}
    etat: paiements_bloques
    explication: Incident de paiement de test.
    elements_de_langage: {BLOCKED_WORDS}
    prochaine_mise_a_jour: {NEXT_UPDATE.isoformat()}
    donnee_exemple: true
  - date: {REOPENS.isoformat()}
    etat: ouvert
    explication: Reprise des paiements, exemple de test.
    elements_de_langage: {REOPEN_WORDS}
    donnee_exemple: true
"""
DISRUPTED_ENTRY = f"""\
  - date: 2026-11-25
    etat: perturbe
    explication: Retards de traitement de test.
    elements_de_langage: {DISRUPTED_WORDS}
    donnee_exemple: true
"""


def append_entries(text: str, entries: str) -> str:
    """A scheme's YAML with *entries* appended at the end of its status timeline,
    as a referent changes a status."""
    head, tail = text.split("historique_statut:\n", 1)
    match = re.search(r"^\S", tail, re.M)  # the next top-level key
    assert match is not None
    return head + "historique_statut:\n" + tail[:match.start()] + entries + tail[match.start():]


def copy_project(target: Path) -> Path:
    for folder in ("schemes", "docs/contribuer", "docs/guides", "docs/theme"):
        shutil.copytree(ROOT / folder, target / folder)
    (target / "docs/genere").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    return target


def build(project: Path, site: Path, day: dt.date) -> Path:
    from generator.site.build import build_site

    result = build_site(project, site=site, today=day, allow_shallow=True)
    assert not result.corpus.errors, [str(e) for e in result.corpus.errors]
    return site


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def incident_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The sample records plus a payment incident and a disruption, built on the
    sample build date and on the day payments resume: date -> base URL."""
    root = copy_project(tmp_path_factory.mktemp("incident") / "projet")
    for ident, entries in ((BLOCKED, BLOCKED_ENTRIES), (DISRUPTED, DISRUPTED_ENTRY)):
        path = root / "schemes" / f"{ident}.yml"
        path.write_text(append_entries(path.read_text(encoding="utf-8"), entries), encoding="utf-8")
    servers, urls = [], {}
    for day in (dt.date.fromisoformat(BUILD_DATE), REOPENS):
        site = build(root, root.parent / f"site-{day.isoformat()}", day)
        server, url = serve(site)
        servers.append(server)
        urls[day.isoformat()] = url
    try:
        yield urls
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def open_page(browser: Browser, url: str, viewport: dict[str, int]) -> Page:
    context = browser.new_context(locale="fr-FR", viewport=viewport, is_mobile=viewport is PHONE,
                                  has_touch=viewport is PHONE)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


@pytest.fixture(params=sorted(VIEWPORTS), ids=sorted(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return VIEWPORTS[request.param]


def on_first_screen(page: Page, locator, what: str) -> None:
    """*locator* visible, entirely within the first screen, the page not scrolled."""
    expect(locator).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (
        f"{what} : {box['y']:.0f}–{box['y'] + box['height']:.0f} px, hors du premier écran ({height} px)")


def what_to_say(page: Page):
    title = page.locator("article .admonition.quote > .admonition-title").filter(
        has_text=re.compile(r"^\s*À dire à l'appelant\s*$"))
    expect(title).to_have_count(1)
    return title.locator("xpath=..")


def said(page: Page) -> str:
    return squash(" ".join(what_to_say(page).locator(":scope > :not(.admonition-title)").all_inner_texts()))


def screenshot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), animations="disabled")


# --- the board, sorted by urgency ------------------------------------------------------


def cards(page: Page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll("article p.reperes-carte")].map(p => ({
        id: p.id, text: p.innerText.replace(/\\s+/g, " ").trim(),
        href: p.querySelector("a[href]").getAttribute("href"),
        top: p.getBoundingClientRect().top, bottom: p.getBoundingClientRect().bottom}))""")


def test_payments_blocked_come_first_on_the_board(browser: Browser, incident_sites: dict[str, str],
                                                  viewport: dict[str, int]) -> None:
    page = open_page(browser, incident_sites[BUILD_DATE], viewport)
    name = "bureau" if viewport is DESKTOP else "telephone"
    screenshot(page, f"tableau-incident-{name}")
    found = cards(page)
    assert [urlsplit(c["href"]).path for c in found] == [f"dispositifs/{BLOCKED}/", f"dispositifs/{DISRUPTED}/"]
    blocked, disrupted = found
    blocked_record = record(BLOCKED)
    assert blocked["text"] == squash(
        f"{blocked_record['nom']} ({blocked_record['sigle']}) · Paiements bloqués depuis le {date_fr(BLOCKED_SINCE)} · "
        f"Alternance À dire : {BLOCKED_WORDS} Prochaine information le {date_fr(NEXT_UPDATE)}. "
        f"Programmé au {date_fr(REOPENS)} : Ouvert. Reprise des paiements, exemple de test.")
    assert disrupted["text"].startswith(squash(record(DISRUPTED)["nom"]))
    assert f"Perturbé depuis le 25 novembre 2026 · Insertion À dire : {DISRUPTED_WORDS}" in disrupted["text"]
    # The first one entirely on the first screen, before any other scheme.
    assert 0 <= blocked["top"] and blocked["bottom"] <= viewport["height"], blocked
    first_link = page.locator("article a[href^='dispositifs/']").first
    assert first_link.get_attribute("href") == f"dispositifs/{BLOCKED}/"

    # Counts link to their group, in the board's order.
    counts = page.locator("article a.reperes-etat")
    assert [squash(t) for t in counts.all_inner_texts()] == [
        "Paiements bloqués : 1", "Perturbé : 1", "Ouvert : 6", "Fermé : 4"]
    on_first_screen(page, counts.first, "le compte « Paiements bloqués »")
    for link in counts.all():
        target = link.get_attribute("href")
        assert target and target.startswith("#")
        expect(page.locator(target)).to_have_count(1)
    # The call guides are reachable from the first screen.
    guides = page.locator("article p a[href='#guides-dappel']")
    on_first_screen(page, guides, "le lien vers les guides d'appel")
    expect(page.locator("#guides-dappel + p a[href^='guides/']").first).to_be_attached()
    counts.first.click()
    expect(page.locator("#etat-paiements_bloques")).to_be_in_viewport()
    page.context.close()


def test_open_and_closed_schemes_follow_with_domains_and_closed_ones_folded(page: Page, site_url: str) -> None:
    page.goto(site_url)
    headings = [squash(h).rstrip("¶").strip() for h in page.locator("article h2").all_inner_texts()]
    assert headings[:5] == ["À surveiller", "Guides d'appel", "Ouverts (8)", "Fermés (4)", "Dernières modifications"], headings
    expect(page.locator("#a-surveiller + p")).to_have_text(
        "Au 27 novembre 2026, aucun dispositif n'a ses paiements bloqués, n'est perturbé, en déploiement ou annoncé.")
    day = dt.date.fromisoformat(BUILD_DATE)
    closed = [i for i in SCHEME_IDS if in_force_entry(record(i), day)["etat"] == "ferme"]
    details = page.locator("#etat-ferme + details")
    expect(details).not_to_have_attribute("open", "")
    links = [urlsplit(a.get_attribute("href")).path for a in details.locator("a[href^='dispositifs/']").all()]
    assert sorted(links) == sorted(f"dispositifs/{i}/" for i in closed)
    expect(details.locator("a").first).not_to_be_visible()
    # "Dernières modifications": one list item per change, one line each on a desktop.
    recent = page.locator("h2#dernieres-modifications + ul > li")
    assert recent.count() >= 1
    for item in recent.all():
        assert item.locator("p").count() == 0  # a tight list, not paragraphs
        assert re.match(r"^\d\d/\d\d/\d{4} — ", squash(item.inner_text())), item.inner_text()


# --- a scheduled change: announced before its date, in force with its own words after --


def test_a_scheduled_change_is_announced_then_in_force_with_its_own_words(
        browser: Browser, incident_sites: dict[str, str]) -> None:
    before = open_page(browser, incident_sites[BUILD_DATE] + f"dispositifs/{BLOCKED}/", DESKTOP)
    expect(before.locator("article .reperes-statut .reperes-etat")).to_have_text("Paiements bloqués")
    assert said(before) == BLOCKED_WORDS
    announce = before.locator("article .admonition.info").filter(
        has=before.locator(".admonition-title", has_text=f"Changement programmé au {date_fr(REOPENS)}"))
    expect(announce).to_have_count(1)
    expect(announce).to_contain_text(f"À dire à partir du {date_fr(REOPENS)} : {REOPEN_WORDS}")
    expect(before.locator("article .reperes-statut")).to_contain_text(f"programmé au {date_fr(REOPENS)} : Ouvert")
    before.context.close()

    after = open_page(browser, incident_sites[REOPENS.isoformat()] + f"dispositifs/{BLOCKED}/", DESKTOP)
    expect(after.locator("article .reperes-statut .reperes-etat")).to_have_text("Ouvert")
    expect(after.locator("article .reperes-statut")).to_contain_text(f"depuis le {date_fr(REOPENS)}")
    assert said(after) == REOPEN_WORDS
    expect(after.locator("article .admonition-title", has_text="Changement programmé")).to_have_count(0)
    after.context.close()

    board = open_page(browser, incident_sites[REOPENS.isoformat()], DESKTOP)
    assert [urlsplit(c["href"]).path for c in cards(board)] == [f"dispositifs/{DISRUPTED}/"]
    row = board.locator("#domaine-alternance + ul > li").filter(has=board.locator(f"a[href='dispositifs/{BLOCKED}/']"))
    expect(row).to_contain_text(f"depuis le {date_fr(REOPENS)}. Reprise des paiements, exemple de test.")
    board.context.close()


# --- the answer on the first screen, for the article's call situations ---------------

def anomaly(data: dict, titre: str) -> dict:
    return next(a for a in data["anomalies"] if a["titre"] == titre)


def redirect(data: dict, cas: str) -> dict:
    return next(r for r in data["orientation"]["a_rediriger"] if r["cas"] == cas)


# (situation, page, link text shown in the situations list, id of the section it opens)
SITUATIONS = [
    ("aide apprenti impayée", f"dispositifs/{BLOCKED}/",
     anomaly(record(BLOCKED), "Aucun versement reçu depuis des mois")["symptome"],
     "anomalie-aucun-versement-recu-depuis-des-mois"),
    ("codes SYLAé non reçus", "outils/sylae/",
     anomaly(tool_record("sylae"), "Lettre d'inscription ou codes SYLAé non reçus")["symptome"],
     "anomalie-lettre-dinscription-ou-codes-sylae-non-recus"),
    ("paiement suspendu après la DSN", "dispositifs/aide-exceptionnelle-apprentissage/",
     anomaly(record("aide-exceptionnelle-apprentissage"), "Versement suspendu faute de DSN")["symptome"],
     "anomalie-versement-suspendu-faute-de-dsn"),
    ("retard causé par un partenaire", f"dispositifs/{BLOCKED}/",
     redirect(record(BLOCKED), "Contrat pas encore déposé, ou numéro DECA inconnu")["cas"] + " → OPCO",
     "orientation-contrat-pas-encore-depose-ou-numero-deca-inconnu"),
    ("changement de RIB", f"dispositifs/{BLOCKED}/", "Changer de coordonnées bancaires (RIB)", None),
]


@pytest.mark.parametrize(("situation", "path", "label", "section"), SITUATIONS, ids=[s[0] for s in SITUATIONS])
def test_the_answer_is_on_the_first_screen(browser: Browser, site_url: str, viewport: dict[str, int],
                                           situation: str, path: str, label: str, section: str | None) -> None:
    page = open_page(browser, site_url + path, viewport)
    if path.startswith("dispositifs/"):
        ident = path.split("/")[1]
        on_first_screen(page, what_to_say(page), "« À dire à l'appelant »")
        assert said(page) == shown(in_force_entry(record(ident), dt.date.fromisoformat(BUILD_DATE))["elements_de_langage"])
    link = page.locator("article a").filter(has_text=re.compile(rf"^\s*{re.escape(squash(label))}\s*$"))
    expect(link).to_have_count(1)
    on_first_screen(page, link, f"« {label} » ({situation})")
    if section is None:  # a call guide
        with page.expect_navigation():
            link.click()
        assert urlsplit(page.url).path.startswith("/guides/")
    else:
        assert link.get_attribute("href") == f"#{section}"
        link.click()
        target = page.locator(f"[id='{section}']")
        expect(target).to_be_in_viewport()
        box = target.bounding_box()
        assert box is not None and 0 <= box["y"] < viewport["height"] / 2, box
    page.context.close()


@pytest.mark.parametrize("ident", SCHEME_IDS)
def test_every_scheme_page_shows_its_words_and_situations_on_the_first_screen(
        browser: Browser, site_url: str, viewport: dict[str, int], ident: str) -> None:
    page = open_page(browser, site_url + f"dispositifs/{ident}/", viewport)
    on_first_screen(page, what_to_say(page), "« À dire à l'appelant »")
    data = record(ident)
    situations = page.locator("article p.reperes-situations-titre + ul")
    wanted = [squash(a["symptome"]) for a in data.get("anomalies", []) if a["etat"] == "ouverte"]
    wanted += [f"{squash(r['cas'])} → " for r in (data.get("orientation") or {}).get("a_rediriger", [])]
    if not wanted:
        expect(situations).to_have_count(0)
    else:
        on_first_screen(page, situations, "la liste « Selon ce que dit l'appelant »")
        shown_items = [squash(t) for t in situations.locator(":scope > li > a").all_text_contents()]
        assert len(shown_items) == len(wanted)
        # Known issues newest first, then orientation cases: each once.
        for w in wanted:
            assert sum(item.startswith(w) for item in shown_items) == 1, (w, shown_items)
    page.context.close()


def test_a_closed_scheme_says_so_on_the_first_screen(browser: Browser, site_url: str, viewport: dict[str, int]) -> None:
    page = open_page(browser, site_url + "dispositifs/aej/", viewport)
    banner = page.locator("article .admonition.reperes-bandeau", has_text="Dispositif fermé — page archivée")
    on_first_screen(page, banner, "le bandeau « Dispositif fermé »")
    on_first_screen(page, what_to_say(page), "« À dire à l'appelant »")
    expect(page.locator("article .reperes-statut .reperes-etat")).to_have_text("Fermé")
    page.context.close()


# --- nothing outside a phone's screen -------------------------------------------------

# Every element of the page whose box leaves the screen, but those clipped by
# an ancestor that hides its overflow (a one-line situation cut by "…") and
# Material's closed panels (navigation drawer, search), drawn off screen until
# their button opens them.
OUTSIDE_JS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = el => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX !== "visible") {
        const box = node.getBoundingClientRect();
        return box.left >= -0.5 && box.right <= width + 0.5;
      }
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".md-sidebar--primary, .md-search, .md-sidebar--secondary")) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if ((box.right > width + 0.5 || box.left < -0.5) && !clipped(el)) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} « ${(el.textContent || "").trim().slice(0, 40)} » ${Math.round(box.left)}–${Math.round(box.right)} px`);
    }
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, width, out};
}"""


def assert_inside_the_screen(page: Page) -> None:
    for summary in page.locator("article details > summary").all():  # folded parts too
        summary.click()
    found = page.evaluate(OUTSIDE_JS)
    assert found["width"] == PHONE["width"]
    assert not found["out"], "hors de l'écran :\n" + "\n".join(found["out"])
    assert found["scrollWidth"] <= PHONE["width"], found["scrollWidth"]


@pytest.mark.parametrize("path", ["", *(f"dispositifs/{i}/" for i in SCHEME_IDS)],
                         ids=["tableau", *SCHEME_IDS])
def test_nothing_outside_a_phone_screen(browser: Browser, site_url: str, path: str) -> None:
    page = open_page(browser, site_url + path, PHONE)
    assert_inside_the_screen(page)
    page.context.close()


def test_nothing_outside_a_phone_screen_on_a_board_with_incidents(browser: Browser,
                                                                  incident_sites: dict[str, str]) -> None:
    page = open_page(browser, incident_sites[BUILD_DATE], PHONE)
    assert_inside_the_screen(page)
    page.context.close()


# --- reply templates: prose, copied as written ----------------------------------------

REPLY_SCHEME = "aide-exceptionnelle-apprentissage"


def test_a_reply_template_wraps_as_prose_and_copies_as_written(browser: Browser, site_url: str) -> None:
    context = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url.rstrip("/"))
    page = context.new_page()
    page.goto(site_url + f"dispositifs/{REPLY_SCHEME}/")
    page.wait_for_load_state("networkidle")
    template = record(REPLY_SCHEME)["modeles_reponse"][0]
    box = page.locator("article .admonition.reperes-modele").first
    expect(box.locator("pre, code")).to_have_count(0)
    paragraphs = [squash(p) for p in template["texte"].split("\n\n")]
    assert [squash(t) for t in box.locator(":scope > p").all_inner_texts()] == paragraphs
    button = box.get_by_role("button", name="Copier le texte")
    button.scroll_into_view_if_needed()
    button.click()
    expect(box.get_by_role("status")).to_have_text("Texte copié.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == "\n\n".join(paragraphs)
    screenshot(page, "modele-de-reponse-telephone")
    context.close()


# --- keyboard: acronyms show their expansion on focus ------------------------------------


def test_an_acronym_shows_its_expansion_on_keyboard_focus(page: Page, site_url: str) -> None:
    glossary = yaml.safe_load((ROOT / "schemes/glossaire.yml").read_text(encoding="utf-8"))
    expansion = next(squash(t["developpement"]) for t in glossary["termes"] if t["sigle"] == "ASP")
    page.goto(site_url + f"dispositifs/{BLOCKED}/")
    page.wait_for_load_state("networkidle")
    abbr = page.locator("article abbr").filter(has_text=re.compile(r"^ASP$")).first
    expect(abbr).to_have_attribute("tabindex", "0")
    tooltip = page.get_by_role("tooltip").filter(has_text=expansion)
    expect(tooltip).to_have_count(0)
    # Tab from the element just before it: the keyboard, not a click, brings the focus.
    abbr.evaluate("""el => { const before = document.createElement("button"); before.id = "avant";
                             el.before(before); before.focus(); }""")
    page.keyboard.press("Tab")
    assert abbr.evaluate("el => el === document.activeElement")
    expect(tooltip).to_be_visible()
    tooltip_id = tooltip.get_attribute("id")
    assert tooltip_id and tooltip_id in (abbr.get_attribute("aria-describedby") or "").split()
    page.keyboard.press("Tab")
    expect(tooltip).not_to_be_visible()


# --- screenshots for a human ----------------------------------------------------------


@pytest.mark.parametrize(("path", "name"), [("", "tableau"), (f"dispositifs/{BLOCKED}/", "fiche-aide-unique"),
                                            ("dispositifs/aide-exceptionnelle-apprentissage/", "fiche-aide-exceptionnelle")])
def test_screenshots(browser: Browser, site_url: str, viewport: dict[str, int], path: str, name: str) -> None:
    page = open_page(browser, site_url + path, viewport)
    suffix = "bureau" if viewport is DESKTOP else "telephone"
    screenshot(page, f"{name}-{suffix}")
    page.screenshot(path=str(SCREENS / f"{name}-{suffix}-complet.png"), full_page=True, animations="disabled")
    assert (SCREENS / f"{name}-{suffix}.png").stat().st_size > 0
    page.context.close()
