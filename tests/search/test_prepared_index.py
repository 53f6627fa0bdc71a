"""The search index prepared at build time (generator/site/search.py), without a browser."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from generator.site.search import (
    CONTENT,
    META,
    TEXTS_CHUNK,
    IndexMemo,
    PageInfo,
    prepare,
    read_prepared_index,
    stem,
    tokenize,
    write_prepared_index,
)


def material_index(*docs: tuple[str, str, str]) -> dict:
    return {"config": {"lang": ["fr"]}, "docs": [{"location": loc, "title": title, "text": text} for loc, title, text in docs]}


def decode(prepared: dict, stem_value: str) -> list[tuple[int, list[int]]]:
    row, number, out = prepared["postings"][prepared["stems"].index(stem_value)], 0, []
    for i in range(0, len(row), 2):
        number += row[i]
        code = row[i + 1]
        out.append((number, [code >> 11, (code >> 10) & 1, (code >> 6) & 15, code & 63]))
    return out


def test_pages_carry_tier_badge_and_callers_words() -> None:
    index = material_index(
        ("dispositifs/aej/", "Aide à l'embauche des jeunes (AEJ)", "<p>Les appelants disent aussi : « prime jeune ».</p>"),
        ("dispositifs/aej/#circuit", "Circuit", "<p>Dépôt des <strong>demandes</strong> &amp; paiement</p>"),
        ("guides/rib/", "Changer de RIB", ""),
        ("guides/rib/#ce-que-dit-lappelant", "Ce que dit l'appelant", "<ul><li>« J'ai changé de banque. »</li></ul>"),
        ("journal/", "Journal", "<p>AEJ modifiée</p>"),
    )
    pages = {"dispositifs/aej/": PageInfo(CONTENT, ("Fermé", "ferme"), ["AEJ", "prime jeune"]),
             "guides/rib/": PageInfo(CONTENT, None, ["nouveau RIB"])}
    files = prepare(index, pages)
    prepared = files.index
    assert prepared["pages"] == [["dispositifs/aej/", CONTENT, ["Fermé", "ferme"]],
                                 ["guides/rib/", CONTENT, None], ["journal/", META, None]]
    # Plain text, entities decoded, block elements as spaces
    assert prepared["docs"][1] == ["#circuit", "Circuit", 0, 0]
    assert files.all_texts()[1] == "Dépôt des demandes & paiement"
    # A guide's "Ce que dit l'appelant" phrases join its own callers' words, on the page's document
    assert prepared["docs"][2][5] == ["nouveau RIB", "J'ai changé de banque."]
    assert len(prepared["docs"][3]) == 4  # a section carries no callers' words
    # "banque": once in the callers' words of the guide (doc 2), once in the text of its section (doc 3)
    assert decode(prepared, stem("banque")) == [(2, [0, 0, 1, 0]), (3, [0, 0, 0, 1])]
    # "AEJ": title and acronym of the scheme page, callers' words, and the journal's text
    assert decode(prepared, "aej") == [(0, [1, 1, 1, 0]), (4, [0, 0, 0, 1])]
    assert ["aej", "aej", 2] in prepared["words"]
    assert prepared["words"] == sorted(prepared["words"])
    assert prepared["stems"] == sorted(prepared["stems"]) and len(prepared["postings"]) == len(prepared["stems"])


def test_words_file_holds_each_documents_stems_in_order() -> None:
    """reperes-index.bin: the stem of every word of each title and text, function
    words included (phrases are looked for there), as numbers: 1 + the stem's
    place in "stems", 0 for a stem no document is found by."""
    files = prepare(material_index(("a/", "Prime AU mérite", "<p>La prime de 4 000 € au mérite</p>"),
                                   ("a/#b", "Banque", "")), {})
    number = {s: n for n, s in enumerate(files.index["stems"], 1)}
    assert files.index["words_file"]["width"] == 2 and files.words[:16].decode() == files.index["words_file"]["key"]
    assert files.sequences() == [
        ([number["prim"], number["au"], number[stem("merite")]],
         [0, number["prim"], 0, number["4000"], number["au"], number[stem("merite")]]),
        ([number[stem("banque")]], []),
    ]


def test_texts_are_chunked_by_consecutive_pages() -> None:
    """Texts come in chunks of whole pages, of TEXTS_CHUNK characters at least
    but the last; the index says each chunk's first document."""
    long_text = "mot " * (TEXTS_CHUNK // 6)  # two pages fill a chunk
    docs = [(f"p{n}/", f"Page {n}", long_text) for n in range(5)] + [("p5/#s", "Section", "fin")]
    files = prepare(material_index(*docs), {})
    assert [first for first, _ in files.index["texts"]] == [0, 2, 4]
    assert files.all_texts() == [long_text.strip()] * 5 + ["fin"]


def test_words_are_split_as_callers_say_numbers() -> None:
    assert [t.raw for t in tokenize("aide de 4 000 € et 12 500,50")] == ["aide", "de", "4000", "et", "12500", "50"]
    assert [t.stem for t in tokenize("Indemnisations apprentissage")] == ["indemn", "aprentisag"]


def test_prepared_file_is_written_beside_material_config(tmp_path: Path) -> None:
    search = tmp_path / "search"
    search.mkdir()
    config = json.dumps({"config": {"lang": ["fr"]}, "docs": []})
    (search / "search_index.json").write_text(config)
    (search / "search_index.json").chmod(0o644)
    memo = IndexMemo()
    memo.put("", [{"location": "", "title": "Accueil", "text": "Bonjour"}])
    written = write_prepared_index(tmp_path, {}, memo)
    assert written == search / "reperes-index.json"
    assert (search / "search_index.json").read_text() == config  # Material's configuration, left as it wrote it
    assert json.loads(written.read_text())["pages"] == [["", META, None]]
    assert written.stat().st_mode & 0o777 == 0o644
    chunk = json.loads(written.read_text())["texts"][0][1]
    assert sorted(p.name for p in search.iterdir()) == sorted([chunk, "reperes-index.bin", "reperes-index.json",
                                                               "search_index.json"])
    assert read_prepared_index(tmp_path).all_texts() == ["Bonjour"]
    # Another text: another chunk, the earlier one removed
    memo.put("", [{"location": "", "title": "Accueil", "text": "Bonsoir"}])
    write_prepared_index(tmp_path, {}, memo)
    assert not (search / chunk).exists() and len(list(search.glob("reperes-textes-*.json"))) == 1
    assert read_prepared_index(tmp_path).all_texts() == ["Bonsoir"]
    assert write_prepared_index(tmp_path / "nothing", {}, memo) is None


def test_a_dirty_serve_build_keeps_the_pages_it_did_not_rebuild():
    """`make serve` rebuilds only changed pages: the memo keeps every other
    page's documents and analysis, drops a removed page's, and the index is the
    one the same pages would give at once."""
    pages = {"dispositifs/aej/": PageInfo(CONTENT, None, ["prime jeune"])}
    memo = IndexMemo()
    memo.put("dispositifs/aej/", [{"location": "dispositifs/aej/", "title": "AEJ", "text": "Aide"},
                                  {"location": "dispositifs/aej/#a", "title": "A", "text": "Circuit"}])
    memo.put("dispositifs/pec/", [{"location": "dispositifs/pec/", "title": "PEC", "text": "Contrat"}])
    memo.put("guides/rib/", [{"location": "guides/rib/", "title": "RIB", "text": "Banque"}])
    memo.prepared(pages)
    kept = memo.analysed["dispositifs/pec/"][2]
    memo.put("dispositifs/aej/", [{"location": "dispositifs/aej/", "title": "AEJ modifiée", "text": "Aide"}])
    memo.forget(["guides/rib/"])
    prepared = memo.prepared(pages)
    assert [doc[1] for doc in prepared.index["docs"]] == ["AEJ modifiée", "PEC"]
    assert memo.analysed["dispositifs/pec/"][2] is kept  # not analysed again
    assert "guides/rib/" not in memo.analysed
    assert prepared == prepare(material_index(("dispositifs/aej/", "AEJ modifiée", "Aide"),
                                              ("dispositifs/pec/", "PEC", "Contrat")), pages)
    memo.clear()
    memo.put("dispositifs/pec/", [{"location": "dispositifs/pec/", "title": "PEC", "text": "Contrat"}])
    assert [doc[1] for doc in memo.prepared(pages).index["docs"]] == ["PEC"]


WORDS = ("aide embauche jeune contrat paiement dossier employeur salarie prime versement refus "
         "relance attestation OPCO DDETS apprentissage convention retard plateforme saisie").split()


def _random_docs(rnd: random.Random, path: str, count: int) -> list[dict]:
    def text(n: int) -> str:
        return " ".join(rnd.choice(WORDS) for _ in range(n))
    return [{"location": path + (f"#s{n}" if n else ""), "title": text(rnd.randint(1, 3)), "text": text(rnd.randint(0, 30))}
            for n in range(count)]


def test_edited_pages_are_merged_in_place_as_every_page_at_once_would_be(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a save under `make serve`, the kept assembly takes the new
    analysis of each page rebuilt (one to three at a time) in place of the
    old one: a stem new to the site, a stem gone from it, a title, a badge,
    a text that grows or shrinks. The files are byte for byte those of the
    same pages prepared at once. A page with another number of documents,
    or texts whose chunks change bounds, assembles every page again."""
    monkeypatch.setattr("generator.site.search.TEXTS_CHUNK", 400)  # several chunks of texts
    rnd = random.Random(11)
    paths = [f"dispositifs/d{n:02}/" for n in range(30)] + ["guides/rib/", "journal/"]
    pages = {path: PageInfo(CONTENT, ("Ouvert", "ouvert"), ["prime jeune"]) for path in paths[:30]}
    memo = IndexMemo()
    for path in paths:
        memo.put(path, _random_docs(rnd, path, rnd.randint(1, 4)))
    memo.prepared(pages)
    assert memo.patched is None
    patched = replaced = gone = 0
    unique: dict[str, str] = {}  # page -> the word only it holds
    for build in range(80):
        for path in rnd.sample(paths, rnd.randint(1, 3)):
            docs = [dict(doc) for doc in memo.docs[path]]
            doc = docs[0]
            kind = rnd.randrange(5)
            if kind == 0 and path in unique:  # the page's own word removed: its stem leaves the site
                doc["text"] = doc["text"].replace(unique.pop(path), "")
                gone += 1
            elif kind == 0:  # a word of this page only: a stem new to the site
                unique[path] = f"unique{build}"
                doc["text"] += f" {unique[path]}"
            elif kind == 1:
                doc["text"] = " ".join(word for word in doc["text"].split()[: rnd.randint(0, 8)]
                                       if word != unique.get(path)) + (f" {unique[path]}" if path in unique else "")
            elif kind == 2:
                doc["title"] = f"{rnd.choice(WORDS)} {rnd.choice(WORDS)}"
            elif kind == 3 and path in pages:
                pages = {**pages, path: PageInfo(CONTENT, rnd.choice([None, ("Fermé", "ferme")]), ["prime"])}
            elif kind == 4 and path not in unique:
                docs = _random_docs(rnd, path, rnd.randint(1, 4))
            for doc in docs:  # plain text as page_documents gives it (and prepare reads it)
                doc["text"] = " ".join(doc["text"].split())
            memo.put(path, docs)
        got = memo.prepared(pages)
        want = prepare(material_index(*((doc["location"], doc["title"], doc["text"])
                                        for docs in memo.docs.values() for doc in docs)), pages)
        assert (got.json_text(), got.words, got.texts) == (json.dumps(want.index, ensure_ascii=False, separators=(",", ":")),
                                                          want.words, want.texts), f"build {build}"
        if memo.patched is None:
            replaced += 1
        else:
            patched += memo.patched
    assert patched > 60 and replaced > 5 and gone > 5  # both ways taken, stems gone from the site


def test_index_words_are_the_tokenizer_words() -> None:
    """The index counts words without their positions (raw_words); they are the
    words the worker's tokenizer finds, numbers joined alike."""
    from generator.site.search import raw_words

    for text in ("aide de 4 000 € et 12 500,50", "1 000 000 ou 12 3456 _12 345 a1 000", "Prime\u00a0: 1\u202f500 €",
                 "l'AEJ, SYLAé et 2² 000", "", "x_y 10\u00a0000\n000"):
        assert raw_words(text) == [t.raw for t in tokenize(text)], text


def test_a_function_word_counts_only_as_an_acronym_of_a_title() -> None:
    """"AU" in a title is an acronym (the worker finds it typed in capitals);
    "au" or "AU" in a text is a function word, counted nowhere."""
    prepared = prepare(material_index(("a/", "Aide AU logement", "<p>au loyer, AU mois</p>"),
                                      ("b/", "Loyer", "<p>AU total</p>")), {}).index
    assert decode(prepared, "au") == [(0, [1, 1, 0, 0])]
    assert ["au", "au", 1] in prepared["words"]
    assert prepared["lengths"] == [3, 1, 0, 2, 1, 0, 0, 1]
