/*
 * Repères search worker.
 *
 * Replaces the lunr-based worker of Material for MkDocs 9.8 (see main.html, which
 * points the "search" key of #__config here) and speaks the same message protocol
 * (Material: src/templates/assets/javascripts/integrations/search/worker/message):
 *
 *   UI -> worker  {type: 0 SETUP, data: {config, docs, options: {suggest}}}
 *   worker -> UI  {type: 1 READY}
 *   UI -> worker  {type: 2 QUERY, data: "<query as typed>"}
 *   worker -> UI  {type: 3 RESULT, data: {items: SearchItem[][], suggest?: string[]}}
 *
 * One inner array per page: the page's own document and its matching sections.
 * A SearchItem is {location, title, text, score, terms}: title and text are HTML
 * (matches wrapped in <mark>), terms maps each query term to whether the item
 * contains it (Material lists the missing ones and, with search.highlight,
 * passes the found ones to the target page). Material opens, on Enter, the
 * link with the highest score: scores are given so that it is always the
 * first result shown.
 *
 * The index is prepared at build time (generator/site/search.py writes
 * search/reperes-index.json, which this worker fetches itself); the word
 * analysis below (folding, tokens, stemmer) must stay in step with the one
 * there, which tests/browser/test_search.py checks on every word of the site.
 *
 * Matching is done here, not by lunr: case and accent folding, a light French
 * stemmer (plurals, -aux -> -al, feminine forms), prefix matching of the term
 * being typed, edit-distance tolerance for typos (never on the first letter), and
 * ranking that puts page titles, acronyms and callers' words (a record's
 * "appellations", a guide's "Ce que dit l'appelant") before section headings,
 * and section headings before body text. A word that matches nothing adds
 * nothing; a meta page (journal, tags, contributor pages) never comes before a
 * record's page; a scheme's result shows its status in force at build time.
 * Plain JavaScript, no dependency; the only request is for the prepared index,
 * on the site itself.
 */

"use strict"

/* ----------------------------------------------------------------------------
 * Protocol
 * ------------------------------------------------------------------------- */

const SETUP = 0
const READY = 1
const QUERY = 2
const RESULT = 3

/* ----------------------------------------------------------------------------
 * Tuning
 * ------------------------------------------------------------------------- */

const WEIGHT = {
  pageTitle: 10,      /* word of a page title (h1) */
  acronym: 8,         /* acronym of a page title, on top of pageTitle */
  alias: 7,           /* word of the callers' words of a scheme page */
  heading: 4,         /* word of a section heading */
  sectionAcronym: 2,  /* acronym of a section heading, on top of heading */
  text: 1             /* word of the body text */
}

/* Weight of a query term's expansions, relative to an exact (stemmed) match */
const EXPANSION = {
  exact: 1,
  prefix: 0.7,        /* "indemn" -> "indemnisation" (last term, being typed) */
  prefixOfWord: 0.4,  /* "ap" -> "apld" when "ap" is itself a word of the site */
  fuzzy1: 0.6,        /* one edit away: "rembourssement" */
  fuzzy2: 0.4,        /* two edits away, long words only */
  fuzzyPrefix: 0.45   /* typo in the term being typed */
}

const BM25_K1 = 1.2
const BM25_B_TEXT = 0.75
const BM25_B_TITLE = 0.3
const MAX_PREFIX_EXPANSIONS = 40
const MAX_FUZZY_EXPANSIONS = 12
const EXCERPT_LENGTH = 220
const RELATIVE_CUTOFF = 0.04   /* pages scoring below 4 % of the best are dropped */
const MAX_PHRASE_CANDIDATES = 100  /* documents whose text is looked at for phrases, best first */
const RENDERED_PAGES = 10      /* pages rendered in full: what Material shows first */
const MAX_SECTIONS = 12        /* sections listed under a page */

/* French function words, accent-folded; never searched on their own */
const STOP_WORDS = new Set((
  "a au aux avec c ce ces cet cette d dans de des du elle elles en et eux il ils " +
  "j je l la le les leur leurs lui m ma mais me mes moi mon n ne ni nos notre " +
  "nous on ou par pour qu que quel quelle qui s sa se ses si son sur t ta te tes " +
  "toi ton tu un une vos votre vous y est sont ete etre ont"
).split(" "))

/* ----------------------------------------------------------------------------
 * Text helpers
 * ------------------------------------------------------------------------- */

const ESCAPED = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }

function escapeHtml(value) {
  return value.replace(/[&<>"]/g, char => ESCAPED[char])
}

/* Lower case, no accents, no ligatures: "Sécurité" -> "securite", "Œuvre" -> "oeuvre" */
function fold(value) {
  return value
    .toLowerCase()
    .replace(/œ/g, "oe")
    .replace(/æ/g, "ae")
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
}

/* An acronym as written: at least two letters, mostly capitals ("AEJ", "SYLAé") */
function isAcronym(raw) {
  const letters = raw.replace(/[^\p{L}]/gu, "")
  if (letters.length < 2)
    return false
  const capitals = letters.replace(/[^\p{Lu}]/gu, "").length
  return capitals >= 2 && capitals >= 0.7 * letters.length
}

/* Cache: word as written -> [folded, stem] */
const ANALYSED = new Map()

/*
 * Words with their offsets in the text. Digit groups written with a space
 * ("4 000") are also joined into one word ("4000"), as callers say them.
 */
function tokenize(text) {
  const tokens = []
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const start = match.index
    const end = start + match[0].length
    const previous = tokens[tokens.length - 1]
    if (
      previous && /^\d+$/.test(previous.raw) && /^\d{3}$/.test(match[0]) &&
      start - previous.end === 1 && /[\s\u00a0\u202f]/.test(text[previous.end])
    ) {
      previous.end = end
      previous.raw = previous.raw + match[0]
      continue
    }
    tokens.push({ start, end, raw: match[0] })
  }
  for (const token of tokens) {
    let analysis = ANALYSED.get(token.raw)
    if (analysis === undefined) {
      const folded = fold(token.raw)
      ANALYSED.set(token.raw, analysis = [folded, stem(folded)])
    }
    token.fold = analysis[0]
    token.stem = analysis[1]
  }
  return tokens
}

/* ----------------------------------------------------------------------------
 * French light stemmer
 *
 * After J. Savoy's light stemmer for French, as implemented by Lucene's
 * FrenchLightStemmer, applied to accent-folded words: plural -s/-x, -aux -> -al,
 * feminine and agent forms, a few derivational suffixes, final -e/-r and
 * doubled letters. Index and query go through the same function, so stems only
 * need to be consistent, not linguistically exact.
 * ------------------------------------------------------------------------- */

/* [minimum length, suffix, rewrite, stop after this rule] */
const STEM_RULES = [
  [9, "issement", w => w.slice(0, -6) + "r", true],     /* etablissement -> etablir */
  [8, "issant", w => w.slice(0, -4) + "r", true],
  [6, "ement", w => {                                    /* remboursement -> rembourse */
    w = w.slice(0, -4)
    return w.length > 3 && w.endsWith("ive") ? w.slice(0, -1) + "f" : w
  }, true],
  [11, "ficatrice", w => w.slice(0, -7) + "er", true],
  [10, "ficateur", w => w.slice(0, -6) + "er", true],
  [9, "catrice", w => w.slice(0, -7) + "quer", true],
  [8, "cateur", w => w.slice(0, -6) + "quer", true],
  [8, "atrice", w => w.slice(0, -6) + "er", true],       /* formatrice -> former */
  [7, "ateur", w => w.slice(0, -5) + "er", true],        /* formateur -> former */
  [6, "trice", w => w.slice(0, -5) + "teur", false],     /* directrice -> directeur */
  [5, "ieme", w => w.slice(0, -4), true],
  [7, "teuse", w => w.slice(0, -5) + "ter", true],
  [6, "teur", w => w.slice(0, -4) + "ter", true],
  [5, "euse", w => w.slice(0, -2), true],
  [8, "ere", w => w.slice(0, -3) + "er", true],
  [7, "ive", w => w.slice(0, -3) + "if", true],          /* collective -> collectif */
  [4, "folle", w => w.slice(0, -5) + "fou", true],
  [4, "molle", w => w.slice(0, -5) + "mou", true],
  [9, "nnelle", w => w.slice(0, -5), true],              /* professionnelle -> profession */
  [9, "nnel", w => w.slice(0, -3), true],
  [4, "ete", w => w.slice(0, -3) + "et", false],
  [8, "ique", w => w.slice(0, -4), false],
  [8, "esse", w => w.slice(0, -3), true],
  [7, "inage", w => w.slice(0, -3), true],
  [9, "isation", w => {                                  /* indemnisation -> indemn */
    w = w.slice(0, -7)
    return w.length > 5 && w.endsWith("ual") ? w.slice(0, -2) + "el" : w
  }, true],
  [9, "isateur", w => w.slice(0, -7), true],
  [8, "ation", w => w.slice(0, -5), true],               /* habilitation -> habilit */
  [8, "ition", w => w.slice(0, -5), true]
]

function stem(word) {
  if (!/^\p{L}+$/u.test(word))
    return word
  let s = word

  if (s.length > 5 && s.endsWith("x")) {
    if (s.endsWith("aux") && s[s.length - 4] !== "e")
      s = s.slice(0, -2) + "lx"
    s = s.slice(0, -1)
  }
  if (s.length > 3 && s.endsWith("x"))
    s = s.slice(0, -1)
  if (s.length > 3 && s.endsWith("s"))
    s = s.slice(0, -1)

  for (const [min, suffix, rewrite, last] of STEM_RULES)
    if (s.length > min && s.endsWith(suffix)) {
      s = rewrite(s)
      if (last)
        break
    }
  return normalizeStem(s)
}

function normalizeStem(word) {
  let s = word
  if (s.length > 4)
    s = s.replace(/(\p{L})\1+/gu, "$1")                    /* apprentissage -> aprentisage */
  if (s.length > 4 && s.endsWith("ie"))
    s = s.slice(0, -2)
  if (s.length > 4) {
    if (s.endsWith("r"))
      s = s.slice(0, -1)
    if (s.endsWith("e"))
      s = s.slice(0, -1)
    if (s.endsWith("e"))
      s = s.slice(0, -1)
    if (s.length > 1 && s[s.length - 1] === s[s.length - 2])
      s = s.slice(0, -1)
  }
  return s
}

/* ----------------------------------------------------------------------------
 * Edit distance (optimal string alignment: insert, delete, substitute, swap)
 * ------------------------------------------------------------------------- */

function editDistance(a, b, max) {
  if (Math.abs(a.length - b.length) > max)
    return max + 1
  let before = null
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, before[j - 2] + 1)
      current.push(value)
      best = Math.min(best, value)
    }
    if (best > max)
      return max + 1
    before = previous
    previous = current
  }
  return previous[b.length]
}

function maxEdits(length) {
  return length >= 8 ? 2 : length >= 5 ? 1 : 0
}

/* ----------------------------------------------------------------------------
 * Index
 *
 * Prepared at build time (generator/site/search.py), in three parts:
 *
 * search/reperes-index.json, what ranks:
 *   pages     [path, tier (0: a record's page, 1: a meta page), badge [label, state] or null]
 *   docs      [location ("#…" for a section of its page), title, page,
 *             1 if the page itself, boost?, callers' words?]
 *   lengths   words of each field, four numbers per document
 *   average   average length of each field over the documents having it
 *   stems     every stem found in a document, sorted; a stem's number is 1 + its place
 *   postings  for each stem: [doc (delta), tf code, …]; the code packs the tf of each field
 *   words     [folded word, stem, documents], sorted by word
 *   words_file  {name, key, width} of the words file
 *   texts     [first doc, file name] of each chunk of texts
 * search/reperes-index.bin, the words file: after its 16-byte key, the number of
 *   documents, the offsets of each document's title and text words, then the
 *   stem number of each word (0: a stem no document is found by), as typed
 *   arrays; phrases are looked for there, nothing is split or parsed.
 * search/reperes-textes-….json: the plain texts of consecutive pages, fetched
 *   only for the pages a result shows (snippets), then, after the first answer,
 *   in the background.
 * A document's words are split only when a result shows it.
 * ------------------------------------------------------------------------- */

/* Fields of a document, by weight class */
const TITLE = 0
const ACRONYM = 1
const ALIAS = 2
const TEXT = 3

/* Page tiers: a meta page never outranks a record's page */
const META = 1

const FORMAT = 2

function decodeCounts(code) {
  return [code >>> 11, (code >>> 10) & 1, (code >>> 6) & 15, code & 63]
}

class Doc {

  constructor(row, number, index) {
    const [location, title, page, article, boost, aliases] = row
    this.number = number
    this.index = index
    this.href = location
    this.title = title
    this.page = page
    this.isArticle = article === 1
    this.boost = typeof boost === "number" ? boost : 1
    this.aliasPhrases = aliases || []
  }

  get location() {
    return this.href.startsWith("#") ? this.index.pages[this.page].path + this.href : this.href
  }

  /* "" until its chunk of texts is loaded (Index.loadTexts) */
  get text() {
    return this.index.texts[this.number] || ""
  }

  get titleTokens() {
    if (this._title === undefined) {
      this._title = tokenize(this.title)
      for (const token of this._title)
        token.acronym = isAcronym(token.raw)
    }
    return this._title
  }

  get textTokens() {
    if (this._text === undefined) {
      const tokens = tokenize(this.text)
      if (this.index.texts[this.number] === undefined)
        return tokens    /* not loaded (yet): split again once it is */
      this._text = tokens
    }
    return this._text
  }

  get aliases() {
    if (this._aliases === undefined)
      this._aliases = this.aliasPhrases.map(phrase => tokenize(phrase))
    return this._aliases
  }
}

/* The stems of a document matching each query term: Map-like (has, get, entries) */
class TermStems {

  constructor(terms) {
    this.lists = new Array(terms)
  }

  add(t, stemValue) {
    const list = this.lists[t]
    if (list === undefined)
      this.lists[t] = [stemValue]
    else if (Array.isArray(list)) {
      if (!list.includes(stemValue))
        list.push(stemValue)
    } else
      list.add(stemValue)
  }

  has(t) {
    return this.lists[t] !== undefined
  }

  get(t) {
    let list = this.lists[t]
    if (Array.isArray(list))
      this.lists[t] = list = new Set(list)
    return list
  }

  * [Symbol.iterator]() {
    for (let t = 0; t < this.lists.length; t++)
      if (this.lists[t] !== undefined)
        yield [t, this.get(t)]
  }
}

/* A document matching a query: its best score for each term, and the stems matched */
class Hit {

  constructor(terms) {
    this.best = new Float64Array(terms)
    this.stems = new TermStems(terms)
  }
}

/* The words file (ArrayBuffer) -> offsets and stem numbers, checked against the index's key */
function readWords(buffer, meta) {
  const key = new TextDecoder().decode(new Uint8Array(buffer, 0, 16))
  if (key !== meta.key)
    throw new TypeError(`Fichier des mots d'une autre construction (${key}, attendu ${meta.key})`)
  const count = new Uint32Array(buffer, 16, 1)[0]
  const offsets = new Uint32Array(buffer, 20, 2 * count + 1)
  const start = 20 + 4 * (2 * count + 1)
  const numbers = meta.width === 2
    ? new Uint16Array(buffer, start, (buffer.byteLength - start) / 2)
    : new Uint32Array(buffer, start, (buffer.byteLength - start) / 4)
  return { offsets, numbers }
}

class Index {

  /*
   * prepared: reperes-index.json; words: reperes-index.bin (an ArrayBuffer);
   * texts: every document's text (an array), or a function fetching a chunk
   * of texts by its file name (a promise of its array of texts).
   */
  constructor(prepared, words, texts, options) {
    if (!prepared || prepared.format !== FORMAT)
      throw new TypeError("Index de recherche préparé absent ou d'un autre format")
    this.options = options || {}
    this.pages = prepared.pages.map(([path, tier, badge]) => ({ path, tier, badge, article: -1, chunk: -1 }))
    this.docs = prepared.docs.map((row, number) => new Doc(row, number, this))
    for (const doc of this.docs)
      if (doc.isArticle)
        this.pages[doc.page].article = doc.number
    this.lengths = prepared.lengths
    this.average = prepared.average
    this.stems = prepared.stems
    this.stemNumbers = new Map(prepared.stems.map((stemValue, i) => [stemValue, i + 1]))
    this.encoded = prepared.postings
    this.decoded = new Map()    /* stem -> [[doc number, counts per field]] */
    this.words = prepared.words
    this.sequences = readWords(words, prepared.words_file)

    /* Texts: chunks of consecutive pages; a page's chunk is that of its first document */
    this.chunks = prepared.texts.map(([first, name], c) => ({
      first, name, end: c + 1 < prepared.texts.length ? prepared.texts[c + 1][0] : this.docs.length, loading: null
    }))
    let chunk = 0
    for (const doc of this.docs) {
      while (chunk + 1 < this.chunks.length && this.chunks[chunk + 1].first <= doc.number)
        chunk++
      if (this.pages[doc.page].chunk < 0)
        this.pages[doc.page].chunk = chunk
    }
    this.texts = new Array(this.docs.length)
    if (Array.isArray(texts)) {
      texts.forEach((text, number) => { this.texts[number] = text })
      for (const c of this.chunks) {
        c.loading = Promise.resolve()
        c.loaded = true
      }
      this.fetchTexts = null
    } else
      this.fetchTexts = texts
  }

  /* Stem numbers of a document's title or text words, in order (0: found nowhere) */
  titleNumbers(number) {
    return this.sequences.numbers.subarray(this.sequences.offsets[2 * number], this.sequences.offsets[2 * number + 1])
  }

  textNumbers(number) {
    return this.sequences.numbers.subarray(this.sequences.offsets[2 * number + 1], this.sequences.offsets[2 * number + 2])
  }

  /* Chunks of texts not loaded yet among those of some pages */
  missingChunks(pages) {
    const missing = new Set()
    for (const page of pages) {
      const chunk = this.chunks[this.pages[page].chunk]
      if (chunk !== undefined && chunk.loaded !== true && chunk.failed !== true)
        missing.add(chunk)
    }
    return [...missing]
  }

  /* Loads chunks of texts; a chunk that cannot be had leaves its texts empty (no
     snippet), and is not asked for again: later queries do not wait for it */
  loadTexts(chunks) {
    return Promise.all(chunks.map(chunk => {
      if (chunk.loading === null)
        chunk.loading = this.fetchTexts(chunk.name)
          .then(texts => {
            if (!Array.isArray(texts) || texts.length !== chunk.end - chunk.first)
              throw new TypeError(`Textes de la recherche d'une autre construction : ${chunk.name}`)
            texts.forEach((text, i) => { this.texts[chunk.first + i] = text })
            chunk.loaded = true
          })
          .catch(error => {
            console.warn("Textes de la recherche illisibles :", error)
            chunk.failed = true
          })
      return chunk.loading
    }))
  }

  /* Documents holding a stem, with the tf of each field; [] if none */
  postings(stemValue) {
    let list = this.decoded.get(stemValue)
    if (list === undefined) {
      list = []
      const number = this.stemNumbers.get(stemValue)
      const row = number === undefined ? null : this.encoded[number - 1]
      if (Array.isArray(row)) {
        let number = 0
        for (let i = 0; i + 1 < row.length; i += 2) {
          number += row[i]
          list.push([number, decodeCounts(row[i + 1])])
        }
      }
      this.decoded.set(stemValue, list)
    }
    return list
  }

  has(stemValue) {
    return this.postings(stemValue).length > 0
  }

  idf(stemValue) {
    const df = this.postings(stemValue).length
    const n = this.docs.length
    return Math.log(1 + (n - df + 0.5) / (df + 0.5))
  }

  /* Rows of the vocabulary starting with a prefix (binary search, no scan) */
  wordsStartingWith(prefix) {
    let low = 0
    let high = this.words.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.words[middle][0] < prefix)
        low = middle + 1
      else
        high = middle
    }
    const rows = []
    for (let i = low; i < this.words.length && this.words[i][0].startsWith(prefix); i++)
      rows.push(this.words[i])
    return rows
  }

  /* ------------------------------------------------------------------------ */

  /*
   * Stems a query term may stand for, each with a weight. A term that matches
   * nothing exactly, by prefix or within the allowed typos expands to nothing,
   * so it adds nothing: "retraite" finds no page rather than every page.
   */
  expand(term) {
    const expansions = new Map()
    const put = (stemValue, weight) => {
      if (this.has(stemValue) && (expansions.get(stemValue) || 0) < weight)
        expansions.set(stemValue, weight)
    }
    put(term.stem, EXPANSION.exact)

    /* Term being typed: the indexed words it starts, less if it is a word already */
    if (term.prefix && term.fold.length >= 2) {
      const weight = expansions.size ? EXPANSION.prefixOfWord : EXPANSION.prefix
      this.wordsStartingWith(term.fold)
        .filter(([word]) => word.length > term.fold.length)
        .sort((a, b) => b[2] - a[2])
        .slice(0, MAX_PREFIX_EXPANSIONS)
        .forEach(([, stemValue]) => put(stemValue, weight))
    }

    /* Nothing found: tolerate typos in words (not in numbers), never in the first letter */
    if (expansions.size === 0 && !/\d/.test(term.fold)) {
      const max = maxEdits(term.fold.length)
      const maxStem = Math.min(max, maxEdits(term.stem.length))
      if (max > 0) {
        const found = []
        for (const [word, stemValue, df] of this.words) {
          if (word[0] !== term.fold[0])
            continue
          let distance = editDistance(term.fold, word, max)
          if (maxStem > 0) {
            const stemDistance = editDistance(term.stem, stemValue, maxStem)
            if (stemDistance <= maxStem)
              distance = Math.min(distance, stemDistance)
          }
          if (distance <= max)
            found.push([stemValue, distance <= 1 ? EXPANSION.fuzzy1 : EXPANSION.fuzzy2, distance, df])
          else if (term.prefix && word.length > term.fold.length &&
                   editDistance(term.fold, word.slice(0, term.fold.length), max) <= max)
            found.push([stemValue, EXPANSION.fuzzyPrefix, max + 1, df])
        }
        found
          .sort((a, b) => a[2] - b[2] || b[3] - a[3])
          .slice(0, MAX_FUZZY_EXPANSIONS)
          .forEach(([stemValue, weight]) => put(stemValue, weight))
      }
    }
    return expansions
  }

  /* Score of one stem in one document, before the term's weight and idf */
  fieldScore(doc, counts) {
    const at = doc.number * 4
    const saturate = (tf, length, average, b) => tf === 0 ? 0 :
      tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - b + b * length / average))
    let score = 0
    score += (doc.isArticle ? WEIGHT.pageTitle : WEIGHT.heading) *
      saturate(counts[TITLE], this.lengths[at + TITLE], this.average[TITLE], BM25_B_TITLE)
    if (counts[ACRONYM] > 0)
      score += doc.isArticle ? WEIGHT.acronym : WEIGHT.sectionAcronym
    score += WEIGHT.alias *
      saturate(counts[ALIAS], this.lengths[at + ALIAS], this.average[ALIAS], BM25_B_TITLE)
    score += WEIGHT.text *
      saturate(counts[TEXT], this.lengths[at + TEXT], this.average[TEXT], BM25_B_TEXT)
    return score
  }

  /* ------------------------------------------------------------------------ */

  search(input) {
    const query = parseQuery(input)
    if (query.terms.length === 1 && !/\s/.test(input.trim()) && query.terms[0].fold.length >= 2)
      query.terms[0].optional = false     /* a single word being typed: "pour" -> "pourcentage" */
    const required = query.terms.filter(term => !term.optional)
    if (required.length === 0)
      return { items: [] }

    /* Expansions of every term; excluded terms remove documents */
    for (const term of query.terms)
      term.expansions = this.expand(term)
    const excluded = new Set()
    for (const term of query.excluded)
      for (const stemValue of this.expand(term).keys())
        for (const [number] of this.postings(stemValue))
          excluded.add(number)

    /* Score every document containing at least one term */
    const n = query.terms.length
    const slots = new Array(this.docs.length)
    const hits = []              /* [doc number, Hit] */
    query.terms.forEach((term, t) => {
      for (const [stemValue, weight] of term.expansions) {
        const idf = this.idf(stemValue)
        for (const [number, counts] of this.postings(stemValue)) {
          if (excluded.has(number))
            continue
          const score = weight * idf * this.fieldScore(this.docs[number], counts)
          let hit = slots[number]
          if (hit === undefined) {
            slots[number] = hit = new Hit(n)
            hits.push([number, hit])
          }
          if (score > hit.best[t])
            hit.best[t] = score
          hit.stems.add(t, stemValue)
        }
      }
    })

    /* Coverage: favour documents containing all terms; phrases are looked for
       in the best candidates only, so a common word costs no full scan */
    const requiredIndexes = query.terms
      .map((term, t) => term.optional ? -1 : t)
      .filter(t => t >= 0)
    const complete = []
    for (const entry of hits) {
      const hit = entry[1]
      let score = 0
      let matched = 0
      for (let t = 0; t < n; t++)
        if (hit.stems.has(t)) {
          score += hit.best[t]
          if (!query.terms[t].optional)
            matched++
        }
      const coverage = matched / requiredIndexes.length
      hit.base = score
      hit.coverage = coverage
      if (matched === requiredIndexes.length)
        complete.push(entry)
    }
    for (const [number, hit] of complete)
      hit.base += this.phraseBonus(this.docs[number], hit, requiredIndexes, query.terms)
    if (requiredIndexes.length > 1) {
      complete.sort((a, b) => b[1].base - a[1].base)
      for (const [number, hit] of complete.slice(0, MAX_PHRASE_CANDIDATES))
        hit.base += this.nearBonus(this.docs[number], hit, requiredIndexes)
    }
    for (const [number, hit] of hits)
      hit.score = hit.base * hit.coverage * hit.coverage * this.docs[number].boost

    /* Group by page: the best section counts, the others a little */
    const pages = new Map()
    for (const [number, hit] of hits) {
      if (hit.score <= 0)
        continue
      const page = this.docs[number].page
      let group = pages.get(page)
      if (group === undefined)
        pages.set(page, group = { page, hits: [], matched: new Set(), evidence: new Float64Array(n) })
      group.hits.push([number, hit])
      for (let t = 0; t < n; t++)
        if (hit.stems.has(t)) {
          if (!query.terms[t].optional)
            group.matched.add(t)
          if (hit.best[t] > group.evidence[t])
            group.evidence[t] = hit.best[t]
        }
    }
    /* A page scores its best document, plus its best evidence for each term
       wherever it is on the page, weighed by the share of terms it holds */
    for (const group of pages.values()) {
      group.hits.sort((a, b) => b[1].score - a[1].score)
      const scores = group.hits.map(([, hit]) => hit.score)
      const coverage = group.matched.size / requiredIndexes.length
      let termwise = 0
      for (const value of group.evidence)
        termwise += value
      group.score = scores[0] + 0.5 * termwise * coverage * coverage +
        0.3 * ((scores[1] || 0) + (scores[2] || 0))
    }
    const all = [...pages.values()]
    const top = all.reduce((best, group) => Math.max(best, group.score), 0)
    const ranked = all
      .filter(group => group.score >= RELATIVE_CUTOFF * top)
      .sort((a, b) => this.pages[a.page].tier - this.pages[b.page].tier || b.score - a.score)

    /* Items as Material's template expects them; only the pages shown first are
       rendered in full (their texts loaded first), the others (shown on
       scrolling) by their title */
    const render = () => {
      let cap = Infinity
      const items = ranked.map((group, rank) => {
        cap = Math.min(cap, group.score)
        return this.renderPage(group, query, cap, rank < RENDERED_PAGES)
      })
      const result = { items }
      if (this.options.suggest)
        result.suggest = this.suggest(query)
      return result
    }
    const missing = this.missingChunks(ranked.slice(0, RENDERED_PAGES).map(group => group.page))
    return missing.length === 0 ? render() : this.loadTexts(missing).then(render)
  }

  /*
   * One page's results. Material opens, on Enter, the link with the highest
   * score: the page's link gets the page's rank score (never above the page
   * before it, as a meta page comes after every record's page), its sections
   * no more. When a section answers better than the page's top (a known issue,
   * a guide's step), the page's link goes to that section.
   */
  renderPage(group, query, cap, full) {
    const info = this.pages[group.page]
    const article = info.article >= 0 ? this.docs[info.article] : null
    const [bestNumber, bestHit] = group.hits[0]
    const articleHit = group.hits.find(([number]) => number === info.article)
    if (!full)    /* shown on scrolling only: the page's link and title, no section */
      return [this.render(article || this.docs[bestNumber], articleHit ? articleHit[1] : bestHit,
                          query, cap, false, info.badge)]
    const stems = new Map()
    for (const [, hit] of group.hits)
      for (const [t, found] of hit.stems) {
        const all = stems.get(t)
        if (all === undefined)
          stems.set(t, new Set(found))
        else
          for (const s of found)
            all.add(s)
      }
    const target = this.landing(group, articleHit, query, stems)
    const sections = []
    for (const [number, hit] of group.hits.slice(0, MAX_SECTIONS + 1))
      if (number !== info.article && (target === null || number !== target.number))
        sections.push(this.render(this.docs[number], hit, query, Math.min(hit.score, cap), true))
    sections.splice(MAX_SECTIONS)

    const targetHit = target === null ? null : group.hits.find(([number]) => number === target.number)[1]
    const head = target !== null
      ? this.render(target, targetHit, query, cap, true, info.badge, article || target)
      : article
        ? this.render(article, articleHit ? articleHit[1] : { stems }, query, cap, true, info.badge)
        : this.render(this.docs[bestNumber], bestHit, query, cap, true)
    /* Material takes the last item as the page when every location has a "#" */
    if (target !== null)
      return [...sections, head]
    return [head, ...sections]
  }

  /*
   * The section a page's link opens, or null for the top of the page. When the
   * page's title and callers' words lack some of the words the page matched: the section whose heading holds them all (a known issue's title,
   * typed as the caller says it; the shortest heading if several), or else the
   * best section when it answers better than the top.
   */
  landing(group, articleHit, query, stems) {
    const terms = [...group.matched].filter(t => !query.terms[t].optional)
    const covers = doc => terms.every(t => doc.titleTokens.some(token => stems.get(t).has(token.stem)))
    const article = this.pages[group.page].article
    const head = article >= 0 ? this.docs[article] : null   /* its title and callers' words */
    const top = head !== null && terms.every(t => head.titleTokens.concat(...head.aliases)
      .some(token => stems.get(t).has(token.stem)))
    if (terms.length && !top) {
      let best = null
      for (const [number] of group.hits) {
        const doc = this.docs[number]
        if (doc.isArticle || !covers(doc))
          continue
        if (best === null || doc.titleTokens.length < best.titleTokens.length)
          best = doc
      }
      if (best !== null)
        return best
    }
    const [bestNumber, bestHit] = group.hits[0]
    return !this.docs[bestNumber].isArticle &&
      (!articleHit || bestHit.score > articleHit[1].score) ? this.docs[bestNumber] : null
  }

  /*
   * Bonus of a document containing all the query's terms in its title, or in
   * one of its callers' words; more if that callers' phrase is exactly the query
   * ("prime apprenti" is said of several schemes, as is "prime apprenti permis"),
   * and more again if the query is that phrase word for word, not completed
   * ("ap" is said of activité partielle; "APLD" only starts with it).
   */
  phraseBonus(doc, hit, required, terms) {
    const weight = required.reduce((sum, t) =>
      sum + Math.max(...[...hit.stems.get(t)].map(s => this.idf(s))), 0)
    const has = (tokens, t) => tokens.some(token => hit.stems.get(t).has(token.stem))
    const title = this.titleNumbers(doc.number)
    const inTitle = t => {
      const found = hit.stems.get(t)
      for (const number of title)
        if (number !== 0 && found.has(this.stems[number - 1]))
          return true
      return false
    }
    let bonus = 0
    if (required.length > 1 && required.every(inTitle))
      bonus += 3 * weight * (doc.isArticle ? 2 : 1)
    let alias = 0
    for (const tokens of doc.aliases) {
      if (!required.every(t => has(tokens, t)))
        continue
      const words = tokens.filter(token => !STOP_WORDS.has(token.fold))
      const exact = words.every(token => required.some(t => hit.stems.get(t).has(token.stem)))
      const verbatim = exact && words.length === required.length &&
        words.every(token => required.some(t => terms[t].stem === token.stem))
      alias = Math.max(alias, (required.length > 1 ? 5 : 0) + (exact ? 3 : 0) + (verbatim ? 8 : 0))
    }
    return bonus + alias * weight
  }

  /* Bonus of the terms next to each other in the text: "emploi d'avenir", "bulletin de paie" */
  nearBonus(doc, hit, required) {
    const positions = []
    this.textNumbers(doc.number).forEach((number, position) => {
      if (number === 0)
        return
      const stemValue = this.stems[number - 1]
      for (const t of required)
        if (hit.stems.get(t).has(stemValue))
          positions.push([position, t])
    })
    if (shortestSpan(positions, required.length) > required.length + 2)
      return 0
    return 2 * required.reduce((sum, t) => sum + Math.max(...[...hit.stems.get(t)].map(s => this.idf(s))), 0)
  }

  /* ------------------------------------------------------------------------ */

  /*
   * A result as Material's template renders it. "terms" lists each query term
   * (false: shown as missing) and the words matched, as written on the page
   * ("sécurité" for "securite"), which search.highlight then marks on the page.
   * A word being typed is replaced by the words it completes, or "par" would be
   * marked everywhere. Not in full (a page shown only on scrolling): its title
   * alone, so that neither its words are split nor its text sent.
   */
  render(doc, hit, query, score, full, badge, titleDoc = doc) {
    const stems = new Set()
    const terms = {}
    const tokens = full ? titleDoc.titleTokens.concat(doc.textTokens) : titleDoc.titleTokens
    query.terms.forEach((term, t) => {
      if (!hit.stems.has(t)) {
        if (!term.optional)
          terms[term.display] = false
        return
      }
      const found = hit.stems.get(t)
      for (const s of found)
        stems.add(s)
      if (!term.prefix)
        terms[term.display] = true
      const surfaces = new Set()
      for (const token of tokens)
        if (found.has(token.stem) && surfaces.size < 3)
          surfaces.add(token.raw.toLowerCase())
      for (const surface of surfaces)
        terms[surface] = true
    })

    let title = markTokens(titleDoc.title, titleDoc.titleTokens, stems)
    if (badge)
      title += ` <span class="reperes-etat reperes-${escapeHtml(badge[1])}">${escapeHtml(badge[0])}</span>`
    return {
      location: doc.location,
      title,
      text: full ? excerpt(doc.text, doc.textTokens, stems) : "",
      score,
      terms
    }
  }

  /* Completion of the term being typed, for the search.suggest feature */
  suggest(query) {
    const last = query.terms[query.terms.length - 1]
    if (!last || !last.prefix || last.raw !== last.fold)
      return []
    let best = null
    for (const row of this.wordsStartingWith(last.fold))
      if (row[0].length > last.fold.length && (best === null || row[2] > best[2]))
        best = row
    return best === null ? [] : [best[0]]
  }
}

/* Fewest consecutive words holding all terms; positions: [[position, term]] by position */
function shortestSpan(positions, terms) {
  const counts = new Map()
  let best = Infinity
  let start = 0
  for (let end = 0; end < positions.length; end++) {
    const term = positions[end][1]
    counts.set(term, (counts.get(term) || 0) + 1)
    while (counts.size === terms) {
      best = Math.min(best, positions[end][0] - positions[start][0] + 1)
      const first = positions[start][1]
      counts.set(first, counts.get(first) - 1)
      if (counts.get(first) === 0)
        counts.delete(first)
      start++
    }
  }
  return best
}

/* ----------------------------------------------------------------------------
 * Query parsing
 * ------------------------------------------------------------------------- */

/*
 * Terms of a query as typed. Lunr's syntax characters are ignored, "-word"
 * excludes a word, and the last word is a prefix unless followed by a space.
 * Function words are dropped, except acronyms typed in capitals ("AU") and the
 * word being typed, which then only adds to the score ("pour" -> "pourcentage").
 */
function parseQuery(input) {
  const typing = !/\s$/.test(input)
  const parts = input
    .replace(/[~^]\d*/g, " ")                          /* lunr's fuzziness and boosts */
    .replace(/(\d)[\s\u00a0\u202f]+(?=\d{3}(?!\d))/g, "$1") /* "4 000" -> "4000", as indexed */
    .replace(/["*:+()[\]{}]/g, " ")
    .split(/\s+/)
    .filter(Boolean)
  const terms = []
  const excluded = []
  const seen = new Set()
  parts.forEach((part, p) => {
    const negative = part.length > 1 && part.startsWith("-")
    const tokens = tokenize(negative ? part.slice(1) : part)
    tokens.forEach((token, i) => {
      const last = typing && p === parts.length - 1 && i === tokens.length - 1
      const term = {
        raw: token.raw,
        display: token.raw.toLowerCase(),
        fold: token.fold,
        stem: token.stem,
        prefix: last && !negative,
        optional: false
      }
      if (negative) {
        excluded.push(term)
        return
      }
      if (STOP_WORDS.has(term.fold) && !isAcronym(term.raw)) {
        if (!term.prefix)
          return
        term.optional = true
      }
      const key = term.stem + (term.prefix ? "*" : "")
      if (seen.has(key))
        return
      seen.add(key)
      terms.push(term)
    })
  })
  return { terms, excluded }
}

/* ----------------------------------------------------------------------------
 * Result rendering
 * ------------------------------------------------------------------------- */

/* Escaped text of [start, end), with the matching words in <mark> */
function markTokens(text, tokens, stems, start = 0, end = text.length) {
  let html = ""
  let cursor = start
  for (const token of tokens) {
    if (token.start < start || token.end > end || !stems.has(token.stem))
      continue
    html += escapeHtml(text.slice(cursor, token.start)) +
      "<mark>" + escapeHtml(text.slice(token.start, token.end)) + "</mark>"
    cursor = token.end
  }
  return html + escapeHtml(text.slice(cursor, end))
}

/* A window of the text around the densest group of matches */
function excerpt(text, tokens, stems) {
  if (!text)
    return ""
  const matches = tokens.filter(token => stems.has(token.stem))
  let from = 0
  if (matches.length && text.length > EXCERPT_LENGTH) {
    let best = -1
    for (let i = 0; i < matches.length; i++) {
      const distinct = new Set()
      for (let j = i; j < matches.length && matches[j].end - matches[i].start <= EXCERPT_LENGTH - 40; j++)
        distinct.add(matches[j].stem)
      if (distinct.size > best) {
        best = distinct.size
        from = matches[i].start
      }
    }
    from = Math.max(0, from - 40)
  }
  let to = Math.min(text.length, from + EXCERPT_LENGTH)

  /* Cut at word boundaries */
  if (from > 0) {
    const space = text.indexOf(" ", from)
    from = space === -1 || space > from + 20 ? from : space + 1
  }
  if (to < text.length) {
    const space = text.lastIndexOf(" ", to)
    to = space > from + 20 ? space : to
  }
  const html = markTokens(text, tokens, stems, from, to)
  return "<p>" + (from > 0 ? "… " : "") + html + (to < text.length ? " …" : "") + "</p>"
}

/* ----------------------------------------------------------------------------
 * Worker
 *
 * The prepared index is fetched by the worker itself, as soon as it starts,
 * next to Material's search/search_index.json (which holds no documents):
 * the page neither downloads nor copies the documents. The index and its
 * words file are fetched at once; texts, by chunk, when a result shows them.
 * Messages are answered in order; a query sent before the index is loaded
 * waits for it.
 * ------------------------------------------------------------------------- */

const PREPARED_INDEX = "../../search/reperes-index.json"  /* from assets/javascripts/ */
const WORDS_FILE = "../../search/reperes-index.bin"

let index = null

function failed(error, query) {
  console.warn("Recherche impossible :", query, error)
  return { type: RESULT, data: { items: [] } }
}

/*
 * Answer to one message (a promise of it when texts are fetched first);
 * SETUP carries the prepared index, its words file and texts (tests, or the
 * worker below).
 */
function handle(message) {
  switch (message.type) {
    case SETUP: {
      const { prepared, words, texts, options } = message.data
      index = new Index(prepared, words, texts, options)
      return { type: READY }
    }
    case QUERY:
      try {
        const data = index ? index.search(String(message.data || "")) : { items: [] }
        return typeof data.then === "function"
          ? data.then(items => ({ type: RESULT, data: items }), error => failed(error, message.data))
          : { type: RESULT, data }
      } catch (error) {
        return failed(error, message.data)
      }
    default:
      throw new TypeError("Invalid message type")
  }
}

if (typeof self !== "undefined" && typeof self.addEventListener === "function" &&
    typeof module === "undefined") {
  const get = (path, cache, read) => fetch(new URL(path, self.location.href), { cache })
    .then(response => {
      if (!response.ok)
        throw new Error(`${response.status} ${response.url}`)
      return read(response)
    })
  const load = cache => Promise.all([
    get(PREPARED_INDEX, cache, response => response.json()),
    get(WORDS_FILE, cache, response => response.arrayBuffer())
  ])
  const fetchTexts = name => get(new URL(name, new URL(PREPARED_INDEX, self.location.href)).href,
                                 "default", response => response.json())
  const loaded = load("default")
  let queue = Promise.resolve()
  let answered = false
  self.addEventListener("message", event => {
    const message = event.data
    queue = queue
      .then(async () => {
        if (message.type !== SETUP)
          return handle(message)
        try {
          const setup = files => handle({
            type: SETUP, data: { ...message.data, prepared: files[0], words: files[1], texts: fetchTexts }
          })
          try {
            return setup(await loaded)
          } catch (error) {   /* index and words file of two builds (a cached one): both again */
            return setup(await load("reload"))
          }
        } catch (error) {
          console.warn("Index de recherche illisible :", error)
          index = null
          return { type: READY }
        }
      })
      .then(reply => {
        self.postMessage(reply)
        /* After the first answer, the other texts, one chunk at a time: later
           keystrokes do not wait for them */
        if (reply.type === RESULT && !answered && index !== null) {
          answered = true
          const current = index
          setTimeout(() => current.chunks.reduce(
            (previous, chunk) => previous.then(() => current.loadTexts([chunk])), Promise.resolve()), 500)
        }
      })
  })
}

/* Exposed for tests run outside a worker */
if (typeof module !== "undefined")
  module.exports = { Index, handle, parseQuery, stem, fold, tokenize, isAcronym, editDistance }
