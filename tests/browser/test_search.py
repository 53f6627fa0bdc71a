"""Search of Repères, in a real Chromium.

Material for MkDocs keeps its search interface; the worker behind it is ours
(docs/theme/assets/javascripts/reperes-search.js, wired in by docs/theme/main.html):
accent folding, French plurals, typos, prefixes, callers' words and acronyms.

Every agent query of tests/search/queries.yml is scored against our worker
directly: the worker file of the built site is evaluated in a blank page and its
``handle`` function (the one the worker runs on each message) answers each query
with the index prepared at build time (search/reperes-index.json). At least 97 %
must find their page among the first three results and 90 % first; a subject
the site does not cover (« attendu: aucun ») must find nothing. The scores and
the misses are printed, also without ``-s``, and written to
tests/output/recherche.txt. Through the real interface: Enter opens the first
result shown, for every query; a scheme's result shows its status badge; a
known issue's words land on its section; the ``?q=`` deep link and typing in the
box show exactly the pages the worker answered. Material's own lunr worker is
run on the same queries and documents, to show what it would have missed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
import yaml
from conftest import FIRST_RESULT_PROBE
from playwright.sync_api import Page, expect

from generator.site.search import PreparedIndex, read_prepared_index

ROOT = Path(__file__).resolve().parents[2]
QUERIES_FILE = ROOT / "tests" / "search" / "queries.yml"
OUR_WORKER = "assets/javascripts/reperes-search.js"
PREPARED_INDEX = "search/reperes-index.json"
TOP = 3
MIN_SCORE = 0.97  # found in the first three results
MIN_FIRST = 0.90  # found first
NOTHING = "aucun"  # « attendu » of a subject the site does not cover
TIMEOUT = 15_000  # ms: first page load starts the worker and fetches the index

QUERIES: list[dict[str, str]] = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))
COVERED = [item for item in QUERIES if item["attendu"] != NOTHING]
UNCOVERED = [item["requete"] for item in QUERIES if item["attendu"] == NOTHING]

# Waits until the worker's answer is rendered: a result item, or the "no result" text.
RESULTS_RENDERED = """([none]) => {
  const list = document.querySelector(".md-search-result__list")
  const meta = document.querySelector(".md-search-result__meta")
  return !!list && (list.children.length > 0 || (!!meta && meta.textContent.trim() === none))
}"""

# First link of each result item (one item per page, best first).
RESULT_PAGES = """items => items.map(item => {
  const link = item.querySelector("a.md-search-result__link")
  return link ? link.href : ""
})"""

# Runs a search worker directly, with Material's message protocol, on a list of queries.
RUN_WORKER = """async ({ workerUrl, index, queries }) => {
  const worker = new Worker(workerUrl)
  const next = () => new Promise((resolve, reject) => {
    worker.addEventListener("message", event => resolve(event.data), { once: true })
    worker.addEventListener("error", event => reject(new Error(event.message)), { once: true })
  })
  worker.postMessage({ type: 0, data: { config: index.config, docs: index.docs, options: { suggest: false } } })
  const ready = await next()
  const pages = []
  for (const query of queries) {
    worker.postMessage({ type: 2, data: query })
    const message = await next()
    pages.push(message.data.items.map(group => {
      const article = group.find(item => !item.location.includes("#")) || group[0]
      return article.location.split("#")[0]
    }))
  }
  worker.terminate()
  return { ready, pages }
}"""


# Our worker called directly: its file is evaluated with a CommonJS-style `module`
# (so it exports instead of listening for messages), then fed Material's messages.
RUN_DIRECT = """({ source, setup, queries }) => {
  const module = { exports: {} }
  new Function("module", source)(module)
  const { handle } = module.exports
  const { prepared, words, texts } = setup
  const ready = handle({ type: 0, data: { prepared, words: new Uint8Array(words).buffer, texts,
                                          options: { suggest: false } } })
  const pages = queries.map(query => handle({ type: 2, data: query }).data.items.map(group => {
    // Material's page item: the one without "#", else the last (a page link to a section)
    const article = group.find(item => !item.location.includes("#")) || group[group.length - 1]
    return article.location.split("#")[0]
  }))
  return { ready, pages }
}"""

# The word analysis of the worker, on a list of texts: raw word -> [folded, stem, acronym].
RUN_ANALYSIS = """({ source, texts }) => {
  const module = { exports: {} }
  new Function("module", source)(module)
  const { tokenize, isAcronym } = module.exports
  const words = {}
  for (const text of texts)
    for (const token of tokenize(text))
      words[token.raw] = [token.fold, token.stem, isAcronym(token.raw) ? "1" : ""]
  return words
}"""


def site_path(site_url: str, href: str) -> str:
    """Site-relative path of a result link: no query (?h=…), no fragment."""
    base = urlsplit(site_url).path
    path = urlsplit(href).path
    return path[len(base):] if path.startswith(base) else path


def config_of(page: Page) -> dict:
    return json.loads(page.locator("#__config").text_content() or "{}")


def search_by_deep_link(page: Page, site_url: str, query: str, where: str = "") -> list[str]:
    """Pages of the rendered results of ``query``, best first."""
    page.goto(f"{site_url}{where}?q={quote(query)}")
    none = config_of(page)["translations"]["search.result.none"]
    page.wait_for_function(RESULTS_RENDERED, arg=[none], timeout=TIMEOUT)
    hrefs = page.eval_on_selector_all(".md-search-result__list > .md-search-result__item", RESULT_PAGES)
    return [site_path(site_url, href) for href in hrefs]


def top3_report(label: str, results: list[tuple[dict, list[str]]]) -> tuple[float, float, list[str], str]:
    """Share found in the first three results, share found first, and the misses."""
    misses = []
    first = 0
    for item, pages in results:
        if item["attendu"] == NOTHING:
            first += not pages
            if pages:
                misses.append(f"  « {item['requete']} » → aucun résultat attendu ; trouvé : {', '.join(pages[:TOP])}")
            continue
        first += pages[:1] == [item["attendu"]]
        if item["attendu"] not in pages[:TOP]:
            rank = pages.index(item["attendu"]) + 1 if item["attendu"] in pages else None
            where = f"rang {rank}" if rank else "absente des résultats"
            found = ", ".join(p or "(accueil)" for p in pages[:TOP]) or "aucun résultat"
            misses.append(f"  « {item['requete']} » → {item['attendu']} ({where}) ; trouvé : {found}")
    score = 1 - len(misses) / len(results)
    first_score = first / len(results)
    found = len(results) - len(misses)

    def percent(value: float) -> str:
        return f"{100 * value:.1f}".replace(".", ",")

    text = [f"{label} : {found}/{len(results)} requêtes trouvent leur page dans les {TOP} "
            f"premiers résultats ({percent(score)} %), {first}/{len(results)} en premier ({percent(first_score)} %)."]
    text += ["Requêtes manquées :", *misses] if misses else ["Requêtes manquées : aucune."]
    return score, first_score, misses, "\n".join(text)


def show(capsys: pytest.CaptureFixture, output_dir: Path, name: str, text: str) -> None:
    """Print even when pytest captures output, and keep a copy in tests/output/."""
    (output_dir / name).write_text(text + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\n" + text)


# --- the queries file ----------------------------------------------------------------


def test_queries_file_is_well_formed(built_site: Path) -> None:
    assert len(QUERIES) >= 90, f"{len(QUERIES)} requêtes seulement dans {QUERIES_FILE.name}"
    assert len(UNCOVERED) >= 3, "au moins trois sujets non couverts"
    seen = set()
    for item in QUERIES:
        assert set(item) <= {"requete", "attendu", "cas"} and {"requete", "attendu"} <= set(item), item
        assert item["requete"] not in seen, f"requête en double : {item['requete']!r}"
        seen.add(item["requete"])
        if item["attendu"] == NOTHING:
            continue
        target = built_site / item["attendu"] / "index.html"
        assert target.is_file(), f"« {item['requete']} » : page attendue {item['attendu']!r} absente du site"


# --- top-3 score of our worker, called directly ---------------------------------------

# Queries asked by the tests below besides those of the file and RULES.
EXTRA_QUERIES = ["securite", "responsables", "aide"]


@dataclass
class Answers:
    ready: object  # what the worker answers to Material's setup message
    pages: dict[str, list[str]]  # query -> pages, best first
    problems: list[str]  # errors and warnings of the page (a failed search only warns)


@pytest.fixture(scope="module")
def answers(browser, built_site: Path) -> Answers:
    """Every query of this module, answered by our worker called directly, in one run."""
    queries = list(dict.fromkeys([item["requete"] for item in QUERIES] + [q for _, q, _ in RULES] + EXTRA_QUERIES))
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    try:
        run = page.evaluate(RUN_DIRECT, {
            "source": (built_site / OUR_WORKER).read_text(encoding="utf-8"),
            "setup": worker_setup(built_site),
            "queries": queries,
        })
    finally:
        context.close()
    return Answers(run["ready"], dict(zip(queries, run["pages"])), problems)


def prepared_index(built_site: Path) -> dict:
    return json.loads((built_site / PREPARED_INDEX).read_text(encoding="utf-8"))


def worker_setup(built_site: Path | None = None, files: PreparedIndex | None = None) -> dict:
    """What the worker is given at SETUP, every text at once (its chunks are fetched in a page)."""
    files = files if files is not None else read_prepared_index(built_site)  # type: ignore[arg-type]
    return {"prepared": files.index, "words": list(files.words), "texts": files.all_texts()}


def test_agents_queries_find_their_page_in_top_3(answers: Answers, output_dir: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    results = [(item, answers.pages[item["requete"]]) for item in QUERIES]
    score, first, misses, text = top3_report("Recherche Repères (worker appelé directement)", results)
    show(capsys, output_dir, "recherche.txt", text)
    assert answers.ready == {"type": 1}, answers.ready
    assert not answers.problems, "erreurs dans la page :\n" + "\n".join(answers.problems)
    assert score >= MIN_SCORE and first >= MIN_FIRST, text


def test_uncovered_subjects_find_nothing(answers: Answers) -> None:
    """A word that matches nothing, exactly, by prefix or within the typos allowed,
    adds nothing: "retraite" is not a typo of a word of the site."""
    found = {query: answers.pages[query][:TOP] for query in UNCOVERED if answers.pages[query]}
    assert not found, found


def test_meta_pages_never_outrank_a_record_page(answers: Answers, built_site: Path) -> None:
    """Journal, tags, contributor pages, pages to review, home and guides index come
    after every scheme, partner, tool, guide or glossary page in every answer."""
    tiers = {path: tier for path, tier, _ in prepared_index(built_site)["pages"]}
    assert tiers["dispositifs/aej/"] == 0 and tiers["guides/changer-de-rib/"] == 0
    assert all(tiers[path] == 1 for path in ("", "etiquettes/", "contribuer/",
                                             "contribuer/reference-des-champs/", "a-revoir/"))
    assert not [path for path in tiers if path.startswith("journal/")]  # the history is out of the index
    wrong = {query: pages for query, pages in answers.pages.items()
             if [tiers[p] for p in pages] != sorted(tiers[p] for p in pages)}
    assert not wrong, wrong


def test_index_is_prepared_at_build_time(built_site: Path) -> None:
    """Material's index keeps its config and no documents (the page downloads
    nothing more); the prepared index has every page Material indexed."""
    material = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert material["docs"] == [] and material["config"]["lang"] == ["fr"]
    prepared = prepared_index(built_site)
    pages = {path for path, _, _ in prepared["pages"]}
    built = {html.parent.relative_to(built_site).as_posix() + "/" for html in built_site.rglob("index.html")}
    built = {"" if path == "./" else path for path in built}
    # Left out: the 404 page, and the journal's pages (front matter « search: exclude »).
    assert {path for path in built - pages if not path.startswith("journal/")} <= {"404/"}, sorted(built - pages)
    assert "journal/" in built and not {path for path in pages if path.startswith("journal/")}
    assert len(prepared["lengths"]) == 4 * len(prepared["docs"])


def test_word_analysis_is_the_workers(browser, built_site: Path) -> None:
    """The build (generator/site/search.py) and the worker split, fold and stem
    every word of the site alike: a query finds what was indexed."""
    from generator.site.search import words_of

    files = read_prepared_index(built_site)
    texts = [doc[1] for doc in files.index["docs"]] + files.all_texts()
    texts += [alias for doc in files.index["docs"] if len(doc) > 5 for alias in doc[5]]
    texts.append("Œuvre ÆGIS Straße 4 000 € 12 500,50 ½ naïveté SYLAé x² l'OPCO")
    context = browser.new_context()
    try:
        worker = context.new_page().evaluate(RUN_ANALYSIS, {
            "source": (built_site / OUR_WORKER).read_text(encoding="utf-8"), "texts": texts})
    finally:
        context.close()
    ours = words_of(texts)
    assert len(ours) > 1000
    differ = {raw: (ours.get(raw), worker.get(raw)) for raw in set(ours) | set(worker) if ours.get(raw) != worker.get(raw)}
    assert not differ, dict(list(differ.items())[:20])


# The worker's own split of every title and text, as stem numbers, against the words file it reads.
RUN_WORDS_FILE = """({ source, setup }) => {
  const module = { exports: {} }
  new Function("module", source)(module)
  const { Index, tokenize } = module.exports
  const { prepared, words, texts } = setup
  const index = new Index(prepared, new Uint8Array(words).buffer, texts, {})
  const numbers = text => tokenize(text).map(token => index.stemNumbers.get(token.stem) || 0)
  const differ = []
  index.docs.forEach((doc, number) => {
    const pairs = [[numbers(doc.title), index.titleNumbers(number)], [numbers(doc.text), index.textNumbers(number)]]
    for (const [split, read] of pairs)
      if (split.join() !== Array.from(read).join())
        differ.push([doc.location, split.slice(0, 8), Array.from(read).slice(0, 8)])
  })
  return { docs: index.docs.length, words: index.sequences.numbers.length, differ: differ.slice(0, 10) }
}"""


def test_words_file_is_the_workers_split_of_every_document(browser, built_site: Path) -> None:
    """reperes-index.bin holds, for each document, the stem of each word of its
    title and text as the worker's tokenizer finds them: phrases ("emploi
    d'avenir") are looked for there without the texts."""
    context = browser.new_context()
    try:
        run = context.new_page().evaluate(RUN_WORDS_FILE, {
            "source": (built_site / OUR_WORKER).read_text(encoding="utf-8"), "setup": worker_setup(built_site)})
    finally:
        context.close()
    assert run["docs"] > 100 and run["words"] > 10_000, run
    assert not run["differ"], run["differ"]


def test_a_deep_link_fetches_the_texts_of_the_pages_it_shows(page: Page, site_url: str, built_site: Path) -> None:
    """The worker fetches the index and its words file, then the chunks of texts
    of the pages it shows first (their snippets), and the other chunks only
    after answering."""
    files = read_prepared_index(built_site)
    assert len(files.texts) > 2, len(files.texts)
    fetched: list[str] = []
    started: list[tuple[str, float]] = []  # (path, epoch ms the request was sent)
    page.on("request", lambda request: fetched.append(site_path(site_url, request.url)))
    page.on("requestfinished", lambda request: started.append(
        (site_path(site_url, request.url), request.timing["startTime"])))
    page.add_init_script(FIRST_RESULT_PROBE)
    page.goto(site_url + "?q=" + quote("sylae"))  # the tool's page, a guide or two: not every chunk
    item = page.locator(".md-search-result__list > .md-search-result__item").first
    expect(item).to_be_visible(timeout=TIMEOUT)
    expect(item.locator(".md-search-result__article mark").first).to_be_visible()
    # What was asked for before the first result was in the page, whenever this test looks
    answered = page.evaluate("() => performance.timeOrigin + window.__reperesFirstResult")
    at_answer = [path for path, start in started if path.startswith("search/") and start <= answered]
    assert "search/reperes-index.json" in at_answer and "search/reperes-index.bin" in at_answer, at_answer
    chunks = [path for path in at_answer if path.startswith("search/reperes-textes-")]
    assert 1 <= len(chunks) < len(files.texts), at_answer
    # Then, in the background, every other chunk: later keystrokes wait for none
    for _ in range(100):
        if {"search/" + name for name in files.texts} <= set(fetched):
            break
        page.wait_for_timeout(100)
    assert {"search/" + name for name in files.texts} <= set(fetched), sorted(set(fetched))


def test_texts_that_cannot_be_had_leave_results_without_snippets(page: Page, site_url: str) -> None:
    """A chunk of texts the server no longer has (a cached index, a publication
    meanwhile): the results still show, by title, and the chunk is not asked for
    again at every keystroke."""
    asked: list[str] = []

    def gone(route) -> None:
        asked.append(route.request.url.rsplit("/", 1)[-1])
        route.fulfill(status=404, body="")

    page.context.route("**/search/reperes-textes-*.json", gone)
    page.goto(site_url + "?q=" + quote("sylae"))
    results = page.locator(".md-search-result__list > .md-search-result__item")
    expect(results.first).to_be_visible(timeout=TIMEOUT)
    expect(results.first.locator(".md-search-result__article h1")).not_to_be_empty()
    assert results.first.locator("mark").count() >= 1  # the title's words, marked
    first_asked = sorted(set(asked))
    assert first_asked, "aucun groupe de textes demandé"
    search = page.locator(".md-search__input")
    search.fill("")
    page.keyboard.type("sylae", delay=30)
    expect(results.first).to_be_visible(timeout=TIMEOUT)
    page.wait_for_timeout(1500)  # the background loading, after the first answer, asks once for each
    assert len(asked) == len(set(asked)), sorted(asked)


def test_an_index_and_words_file_of_two_builds_are_fetched_again(page: Page, site_url: str) -> None:
    """A publication between the two requests (or a words file of another build
    in the browser's cache): the worker sees the key differ, asks for both files
    again bypassing the cache, and answers with them."""
    asked: list[str] = []  # files asked for, in order
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)

    def other_build(route) -> None:
        asked.append("bin")
        response = route.fetch()
        if asked.count("bin") > 1:
            route.fulfill(response=response)
            return
        words = response.body()
        route.fulfill(response=response, body=b"0123456789abcdef" + words[16:])

    def index(route) -> None:
        asked.append("json")
        route.continue_()

    page.context.route("**/search/reperes-index.bin", other_build)
    page.context.route("**/search/reperes-index.json", index)
    page.goto(site_url + "?q=" + quote("sylae"))
    results = page.locator(".md-search-result__list > .md-search-result__item")
    expect(results.first).to_be_visible(timeout=TIMEOUT)
    # Both files once, then both again
    assert sorted(asked[:2]) == sorted(asked[2:]) == ["bin", "json"], asked
    assert not [w for w in warnings if "illisible" in w], warnings


# handle() with texts fetched by chunk: a promise while a shown page's texts are missing.
RUN_CHUNKED = """async ({ source, prepared, words, chunks, failing, query }) => {
  const module = { exports: {} }
  new Function("module", source)(module)
  const { handle } = module.exports
  const asked = []
  const texts = name => {
    asked.push(name)
    return name === failing ? Promise.reject(new Error("404 " + name)) : Promise.resolve(chunks[name])
  }
  handle({ type: 0, data: { prepared, words: new Uint8Array(words).buffer, texts, options: { suggest: false } } })
  const answers = []
  for (let round = 0; round < 2; round++) {
    // Twice at once (two keystrokes before the texts arrive), then once more
    const replies = round === 0 ? [handle({ type: 2, data: query }), handle({ type: 2, data: query })]
                                : [handle({ type: 2, data: query })]
    for (const reply of replies) {
      const promised = typeof reply.then === "function"
      const message = await reply
      answers.push({ promised, type: message.type, asked: [...asked],
                     first: message.data.items[0].map(item => item.text) })
    }
  }
  return answers
}"""


@pytest.mark.parametrize("fails", [False, True], ids=["textes-servis", "textes-introuvables"])
def test_a_query_waits_only_for_the_texts_of_the_pages_it_shows(browser, built_site: Path, fails: bool) -> None:
    """handle() answers with a promise while the shown pages' chunks are missing,
    asks for those chunks only, once; a chunk that cannot be had gives results
    without snippets, and the next query answers at once."""
    files = read_prepared_index(built_site)
    given = {"source": (built_site / OUR_WORKER).read_text(encoding="utf-8"), "prepared": files.index,
             "words": list(files.words), "chunks": files.texts, "failing": None, "query": "sylae"}
    context = browser.new_context()
    page = context.new_page()
    try:
        answers = page.evaluate(RUN_CHUNKED, given)
        asked = answers[0]["asked"]
        if fails:  # the chunks the first answer needs, one of them gone
            answers = page.evaluate(RUN_CHUNKED, {**given, "failing": asked[0]})
    finally:
        context.close()
    assert 1 <= len(asked) < len(files.texts), asked
    assert [(a["promised"], a["type"]) for a in answers] == [(True, 3), (True, 3), (False, 3)], answers
    assert len(set(asked)) == len(asked)  # each chunk asked for once, by the two queries at once
    assert all(a["asked"] == asked for a in answers)  # and never again
    assert answers[2]["first"] == answers[1]["first"] == answers[0]["first"]
    # The first result's texts (its page's chunk is the first asked for): snippets, or none when gone
    if fails:
        assert all(text == "" for text in answers[0]["first"]), answers[0]["first"]
    else:
        assert any(answers[0]["first"]), answers[0]["first"]


# --- a handful of queries through Material's interface -----------------------------------

# (query of the file, what it tests); each must show what the worker answered.
INTERFACE_QUERIES = ["aide 4000 euros jeune", "professionalisation", "ameth"]


@pytest.mark.parametrize("query", INTERFACE_QUERIES)
def test_deep_link_shows_what_the_worker_answers(page: Page, site_url: str, answers: Answers, query: str) -> None:
    expected = next(item["attendu"] for item in QUERIES if item["requete"] == query)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    pages = search_by_deep_link(page, site_url, query)
    assert expected in pages[:TOP], pages
    # Material renders the first results and the rest on scrolling: the same, in the same order.
    assert pages == answers.pages[query][:len(pages)], (pages, answers.pages[query])
    assert not errors, "erreurs dans la page :\n" + "\n".join(errors)


# --- our worker is the one Material runs -----------------------------------------------


def test_every_page_names_our_worker(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert pages
    wrong = []
    for html in pages:
        match = re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                          html.read_text(encoding="utf-8"), re.S)
        worker = json.loads(match.group(1)).get("search", "") if match else "(pas de __config)"
        if not worker.endswith(OUR_WORKER):
            wrong.append(f"{html.relative_to(built_site)} : {worker}")
    assert not wrong, "pages qui ne chargent pas notre worker :\n" + "\n".join(wrong)


def test_page_config_points_material_to_our_worker(page: Page, site_url: str, built_site: Path) -> None:
    """Material's default __config names its lunr worker (assets/javascripts/workers/
    search.<hash>.min.js), which misses "securite" or "responsables": ours must be
    named instead, resolve from a nested page, and be the worker actually started."""
    workers: list[str] = []
    page.on("worker", lambda worker: workers.append(worker.url))
    page.goto(f"{site_url}dispositifs/aej/?q={quote('securite')}")
    worker = config_of(page)["search"]
    assert urljoin(page.url, worker) == site_url + OUR_WORKER, worker
    assert (built_site / OUR_WORKER).is_file()
    expect(page.locator(".md-search-result__list a[href]").first).to_be_visible(timeout=TIMEOUT)
    assert workers == [site_url + OUR_WORKER], workers
    assert "workers/search." not in (page.locator("#__config").text_content() or "")


def test_material_lunr_worker_misses_what_ours_finds(page: Page, site_url: str, built_site: Path, answers: Answers,
                                                     output_dir: Path, capsys: pytest.CaptureFixture) -> None:
    """Same index, same protocol, same queries: Material's own worker (still shipped
    under assets/javascripts/workers/), run in the page, against ours."""
    material = sorted(built_site.glob("assets/javascripts/workers/search.*.min.js"))
    assert material, "worker de recherche de Material introuvable dans le site"
    page.goto(site_url)
    queries = [item["requete"] for item in QUERIES] + EXTRA_QUERIES
    config = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    files = read_prepared_index(built_site)
    docs = [{"location": (files.index["pages"][doc[2]][0] if doc[0].startswith("#") else "") + doc[0],
             "title": doc[1], "text": text} for doc, text in zip(files.index["docs"], files.all_texts())]
    run = page.evaluate(RUN_WORKER, {"workerUrl": site_url + material[0].relative_to(built_site).as_posix(),
                                     "queries": queries, "index": {"config": config, "docs": docs}})
    assert run["ready"] == {"type": 1}, run["ready"]
    runs = {"Material (lunr)": dict(zip(queries, run["pages"])), "Repères": answers.pages}

    reports = []
    scores = {}
    for label, pages in runs.items():
        scores[label], _, _, text = top3_report(f"{label}, worker seul",
                                             [(item, pages[item["requete"]]) for item in QUERIES])
        reports.append(text)
    show(capsys, output_dir, "recherche-material.txt", "\n\n".join(reports))

    # Unaccented and plural words: lunr appends "*" to every term and then skips
    # the French stemmer, and never folds accents.
    assert "dispositifs/aide-exceptionnelle-apprentissage/" not in runs["Material (lunr)"]["securite"]
    assert "dispositifs/aide-exceptionnelle-apprentissage/" in runs["Repères"]["securite"][:TOP]
    assert runs["Repères"]["responsables"], "« responsables » ne trouve pas « responsable »"
    assert scores["Material (lunr)"] < MIN_SCORE <= scores["Repères"], scores


# One query per matching rule of the worker, so that a broken rule is named.
RULES = [
    ("accents", "securite sociale", "dispositifs/aide-exceptionnelle-apprentissage/"),
    ("accents et capitales", "SÉCURITÉ", "dispositifs/aide-exceptionnelle-apprentissage/"),
    ("pluriel en -s", "indemnisations", "outils/portail-activite-partielle/"),
    ("pluriel en -aux", "canaux publics", "partenaires/"),
    ("féminin, pluriel", "travailleur handicape", "dispositifs/ameeth/"),
    ("préfixe du mot en cours", "indemnisa", "outils/portail-activite-partielle/"),
    ("faute de frappe (1)", "rembourssement", "dispositifs/aide-exceptionnelle-apprentissage/"),
    ("faute de frappe (2)", "profesionalisation", "dispositifs/aide-exceptionnelle-contrat-pro/"),
    ("lettres inversées", "sylea", "outils/sylae/"),
    ("mot de l'appelant", "chomage technique", "dispositifs/activite-partielle/"),
    ("sigle", "AMEETH", "dispositifs/ameeth/"),
    ("nombre écrit sans espace", "57000 dossiers", "dispositifs/aide-exceptionnelle-apprentissage/"),
    ("mots voisins dans le texte", "emploi d'avenir", "glossaire/"),
]


def test_each_matching_rule(answers: Answers) -> None:
    broken = [f"{rule} : « {query} » → {expected} ; trouvé : {answers.pages[query][:TOP]}"
              for rule, query, expected in RULES
              if not any(found.startswith(expected) for found in answers.pages[query][:TOP])]
    assert not broken, "règles en défaut :\n" + "\n".join(broken)


# --- the interface, used by hand ----------------------------------------------------------


def test_typing_in_the_search_box_shows_highlighted_results(page: Page, site_url: str) -> None:
    page.goto(site_url + "dispositifs/aej/")
    page.locator(".md-search__input").click()
    search = page.locator(".md-search__input")
    expect(search).to_be_focused()
    page.keyboard.type("indemnisations refusees", delay=30)
    results = page.locator(".md-search-result__list")
    first = results.locator(".md-search-result__item").first
    expect(first).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".md-search-result__meta")).to_contain_text("trouvé")
    assert results.locator("mark").count() > 0, "aucun mot surligné dans les résultats"
    assert "indemnisation" in " ".join(results.locator("mark").all_inner_texts()).lower()
    pages = [site_path(site_url, href) for href in
             page.eval_on_selector_all(".md-search-result__list > .md-search-result__item", RESULT_PAGES)]
    assert "dispositifs/activite-partielle/" in pages[:TOP], pages

    # While typing: the last word is a prefix.
    search.fill("")
    page.keyboard.type("permis appren", delay=30)
    expect(first.locator("a").first).to_have_attribute(
        "href", re.compile(re.escape(f"{site_url}dispositifs/aide-permis-apprentis/?")), timeout=TIMEOUT)

    # Enter opens the best result; search.highlight marks the words on that page,
    # as written there (accented), although the query had no accents.
    search.fill("")
    page.keyboard.type("securite sociale", delay=30)
    expect(first).to_be_visible(timeout=TIMEOUT)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert site_path(site_url, page.url) == "dispositifs/aide-exceptionnelle-apprentissage/", page.url
    marks = page.locator("article mark[data-md-highlight]")
    expect(marks.first).to_be_visible(timeout=TIMEOUT)
    assert any("sécurité" in text.lower() for text in marks.all_inner_texts()), marks.all_inner_texts()


def test_no_result_says_so_in_french(page: Page, site_url: str) -> None:
    page.goto(site_url)
    page.locator(".md-search__input").click()
    page.keyboard.type("xqzwv", delay=30)
    expect(page.locator(".md-search-result__meta")).to_have_text("Aucun document trouvé", timeout=TIMEOUT)
    expect(page.locator(".md-search-result__list > *")).to_have_count(0)


def test_deep_link_from_a_nested_page_links_to_the_right_pages(page: Page, site_url: str) -> None:
    pages = search_by_deep_link(page, site_url, "chomage partiel", where="dispositifs/aej/")
    assert pages[0] == "dispositifs/activite-partielle/", pages
    links = page.eval_on_selector_all(".md-search-result__list a.md-search-result__link", "as => as.map(a => a.href)")
    assert all(link.startswith(site_url) for link in links), links
    section = [link for link in links if "#" in link]
    assert section, "aucun lien vers une section"
    # Missing terms are listed by Material's template ("Non trouvé") for partial matches.
    page.goto(f"{site_url}?q={quote('sylae zzzz')}")
    expect(page.locator(".md-search-result__terms").first).to_contain_text("zzzz", timeout=TIMEOUT)


# --- what the agent sees and opens ------------------------------------------------------

# First link of the first result item, as Material renders it, and where Enter goes.
FIRST_LINK = """() => {
  const link = document.querySelector(".md-search-result__list > .md-search-result__item a.md-search-result__link")
  return link ? link.href : null
}"""


def without_query(url: str) -> str:
    """A result link without Material's ?h=… (search.highlight), fragment kept."""
    parts = urlsplit(url)
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


def press_enter_in_search(page: Page) -> None:
    """Enter in the search box, then wait for the result page (its address has
    Material's ?h=; the search page's own ?q= updates are not navigations to wait for)."""
    page.locator(".md-search__input").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "h=" in urlsplit(url).query, timeout=TIMEOUT)


def test_enter_opens_the_first_result_shown(page: Page, site_url: str) -> None:
    """For every query of the file: Enter in the search box opens the page of the
    first result shown (Material opens the link with the highest score)."""
    wrong = []
    for item in COVERED:
        page.goto(f"{site_url}?q={quote(item['requete'])}")
        none = config_of(page)["translations"]["search.result.none"]
        page.wait_for_function(RESULTS_RENDERED, arg=[none], timeout=TIMEOUT)
        first = page.evaluate(FIRST_LINK)
        if first is None:
            wrong.append(f"« {item['requete']} » : aucun résultat")
            continue
        press_enter_in_search(page)
        if without_query(page.url) != without_query(first):
            wrong.append(f"« {item['requete']} » : premier résultat {without_query(first)}, "
                         f"Entrée ouvre {without_query(page.url)}")
    assert not wrong, "\n".join(wrong)


def test_uncovered_subject_says_no_document_found(page: Page, site_url: str) -> None:
    for query in UNCOVERED:
        page.goto(f"{site_url}?q={quote(query)}")
        expect(page.locator(".md-search-result__meta")).to_have_text("Aucun document trouvé", timeout=TIMEOUT)
        expect(page.locator(".md-search-result__list > *")).to_have_count(0)


@pytest.mark.parametrize(("query", "scheme"), [("activite partielle", "dispositifs/activite-partielle/"),
                                               ("AEJ", "dispositifs/aej/")])
def test_scheme_result_shows_its_status_badge(page: Page, site_url: str, query: str, scheme: str) -> None:
    """The badge of the result is the one the scheme page shows (status in force at build time)."""
    page.goto(f"{site_url}{scheme}")
    on_page = page.locator("article .reperes-etat").first.inner_text().strip()
    page.goto(f"{site_url}?q={quote(query)}")
    item = page.locator(".md-search-result__item", has=page.locator(f"a[href^='{site_url}{scheme}']")).first
    badge = item.locator("a.md-search-result__link").first.locator(".reperes-etat")
    expect(badge).to_have_text(on_page, timeout=TIMEOUT)
    assert on_page in {"Ouvert", "Fermé"}, on_page


def known_issues(built_site: Path) -> list[tuple[str, str, str]]:
    """(page, anchor, title) of each known issue of the sample records' pages."""
    found = []
    for html in sorted(built_site.glob("*/*/index.html")):
        text = html.read_text(encoding="utf-8")
        if 'id="anomalies-connues"' not in text:
            continue
        after = text.split('id="anomalies-connues"', 1)[1].split("<h2", 1)[0]
        for anchor, title in re.findall(r'<h3 id="([^"]+)">(.*?)<a class="headerlink"', after):
            found.append((html.parent.relative_to(built_site).as_posix() + "/", anchor, re.sub(r"<[^>]+>", "", title)))
    return found


def test_a_known_issue_search_lands_on_its_section(page: Page, site_url: str, built_site: Path) -> None:
    """Typing a known issue's title: the result of its page links to its section;
    when that result is the first, Enter opens the page with the section in view,
    not the top of the page."""
    issues = known_issues(built_site)
    assert len(issues) >= 5, issues
    wrong = []
    opened = 0
    for path, anchor, title in issues:
        page.goto(f"{site_url}?q={quote(title)}")
        expect(page.locator(".md-search-result__list > .md-search-result__item").first).to_be_visible(timeout=TIMEOUT)
        links = [without_query(href) for href in page.eval_on_selector_all(
            ".md-search-result__list > .md-search-result__item", RESULT_PAGES)]
        mine = [link for link in links if link.split("#")[0] == f"/{path}"]
        if mine != [f"/{path}#{anchor}"]:
            wrong.append(f"« {title} » : résultat de la page {mine or 'absent'}, au lieu de /{path}#{anchor}")
            continue
        if links[0] != mine[0]:
            continue
        press_enter_in_search(page)
        assert without_query(page.url) == f"/{path}#{anchor}", page.url
        expect(page.locator(f"[id='{anchor}']")).to_be_in_viewport()
        opened += 1
    assert not wrong, "\n".join(wrong)
    assert opened >= len(issues) // 2, f"{opened} anomalies sur {len(issues)} en premier résultat"


def test_more_results_appear_on_scrolling(page: Page, site_url: str, answers: Answers) -> None:
    """Material shows ten pages, then more as the list is scrolled; the later
    ones (rendered without their full excerpt) link to the same pages."""
    query = "aide"
    expected = answers.pages.get(query) or []
    page.goto(f"{site_url}?q={query}")
    items = page.locator(".md-search-result__list > .md-search-result__item")
    expect(items.first).to_be_visible(timeout=TIMEOUT)
    assert items.count() == 10
    assert len(expected) > 14, expected
    page.locator(".md-search__scrollwrap").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    expect(items).to_have_count(14, timeout=TIMEOUT)  # Material adds four at a time
    hrefs = page.eval_on_selector_all(".md-search-result__list > .md-search-result__item", RESULT_PAGES)
    assert [site_path(site_url, href) for href in hrefs] == expected[:len(hrefs)]


# Our worker on a tiny prepared index whose text looks like markup.
RUN_HOSTILE = """({ source, setup, query }) => {
  const module = { exports: {} }
  new Function("module", source)(module)
  const { handle } = module.exports
  const { prepared, words, texts } = setup
  handle({ type: 0, data: { prepared, words: new Uint8Array(words).buffer, texts, options: {} } })
  return handle({ type: 2, data: query }).data.items
}"""


def test_results_escape_the_index_text(browser, built_site: Path) -> None:
    """The prepared index is plain text (entities decoded: a record's « <img …> » is
    text); the worker escapes it, so a result shows it and never runs it."""
    from generator.site.search import CONTENT, PageInfo, prepare

    hostile = '<img src=x onerror="alert(1)"> chomage & <script>alert(2)</script>'
    prepared = prepare({"docs": [
        {"location": "dispositifs/x/", "title": "Chomage &lt;b&gt;partiel&lt;/b&gt;", "text": hostile.replace("<", "&lt;")},
        {"location": "dispositifs/x/#a", "title": "Section &lt;svg onload=alert(3)&gt;", "text": "chomage " + hostile},
    ]}, {"dispositifs/x/": PageInfo(CONTENT, ("Ouvert", "ouvert"), ["<i>chomage</i>"])})
    context = browser.new_context()
    try:
        items = context.new_page().evaluate(RUN_HOSTILE, {
            "source": (built_site / OUR_WORKER).read_text(encoding="utf-8"), "setup": worker_setup(files=prepared),
            "query": "chomage"})
    finally:
        context.close()
    shown = [item[key] for group in items for item in group for key in ("title", "text")]
    assert items and any("&lt;img" in html for html in shown), shown
    markup = [re.sub(r"</?(mark|p)>|<span class=\"reperes-etat reperes-ouvert\">|</span>", "", html) for html in shown]
    assert not any("<" in html for html in markup), shown
