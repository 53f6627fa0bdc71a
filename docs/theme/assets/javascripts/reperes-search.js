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
 * One inner array per page: the page's own document (location without "#") and
 * its matching sections, best first. A SearchItem is {location, title, text, tags?,
 * score, terms}: title and text are HTML (matches wrapped in <mark>), terms maps
 * each query term to whether the item contains it (Material lists the missing
 * ones and, with search.highlight, passes the found ones to the target page).
 *
 * Matching is done here, not by lunr: case and accent folding, a light French
 * stemmer (plurals, -aux -> -al, feminine forms), prefix matching of the term
 * being typed, edit-distance tolerance for typos, and ranking that puts page
 * titles, acronyms and callers' words ("Les appelants disent aussi : « … »")
 * before section headings, and section headings before body text. Plain
 * JavaScript, no dependency, no network access.
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

/* Marker of the callers' words paragraph on scheme pages (generator template) */
const ALIAS_PARAGRAPH = /appelants disent aussi\s*:?\s*([\s\S]*?)<\/p>/i

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

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0" }
const BLOCK_TAG = /^(p|div|br|hr|li|ul|ol|dl|dt|dd|tr|td|th|table|thead|tbody|h[1-6]|pre|blockquote|details|summary|section|article|figure|figcaption)$/i

function decodeEntities(value) {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, entity) => {
    if (entity[0] === "#") {
      const code = entity[1] === "x" || entity[1] === "X"
        ? parseInt(entity.slice(2), 16)
        : parseInt(entity.slice(1), 10)
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : match
    }
    const char = ENTITIES[entity.toLowerCase()]
    return char === undefined ? match : char
  })
}

/* HTML of the search index -> plain text; block elements become spaces */
function htmlToText(html) {
  const text = html.replace(/<\/?([a-z][a-z0-9]*)\b[^>]*>/gi,
    (_, tag) => BLOCK_TAG.test(tag) ? " " : "")
  return decodeEntities(text.replace(/<[^>]*>/g, "")).replace(/\s+/g, " ").trim()
}

function escapeHtml(value) {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
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
 * ------------------------------------------------------------------------- */

/* Fields of a document, by weight class */
const TITLE = 0
const ACRONYM = 1
const ALIAS = 2
const TEXT = 3

class Index {

  constructor(docs, options) {
    this.options = options || {}
    this.docs = []
    this.postings = new Map()    /* stem -> Map(doc number -> [tf per field]) */
    this.words = new Map()       /* folded word -> {stem, docs: Set of doc numbers} */
    const articles = new Map()

    for (const source of docs) {
      const [path] = source.location.split("#")
      const article = articles.get(path)
      const doc = {
        location: source.location,
        path,
        article: article === undefined ? null : article,
        tags: source.tags,
        boost: typeof source.boost === "number" ? source.boost : 1,
        title: htmlToText(source.title || ""),
        text: htmlToText(source.text || ""),
        aliases: []
      }
      if (article === undefined)
        articles.set(path, doc)
      doc.titleTokens = tokenize(doc.title)
      doc.textTokens = tokenize(doc.text)
      for (const token of doc.titleTokens)
        token.acronym = isAcronym(token.raw)

      /* Callers' words of a scheme page: each « … » of the marked paragraph */
      if (doc.article === null) {
        const paragraph = ALIAS_PARAGRAPH.exec(source.text || "")
        if (paragraph)
          for (const [, alias] of htmlToText(paragraph[1]).matchAll(/«\s*([^»]+?)\s*»/g))
            doc.aliases.push(tokenize(alias))
      }
      this.add(doc)
    }

    /* Average field lengths over the documents having the field, for length normalisation */
    const total = [0, 0, 0, 0]
    const having = [0, 0, 0, 0]
    for (const doc of this.docs)
      for (let f = 0; f < 4; f++)
        if (doc.lengths[f] > 0) {
          total[f] += doc.lengths[f]
          having[f]++
        }
    this.average = total.map((sum, f) => Math.max(1, sum / Math.max(1, having[f])))
    this.vocabulary = [...this.words.keys()]
  }

  add(doc) {
    const number = this.docs.length
    this.docs.push(doc)
    const fields = [
      [TITLE, doc.titleTokens],
      [ACRONYM, doc.titleTokens.filter(token => token.acronym)],
      [ALIAS, doc.aliases.flat()],
      [TEXT, doc.textTokens]
    ]
    doc.lengths = [0, 0, 0, 0]
    for (const [field, tokens] of fields)
      for (const token of tokens) {
        if (STOP_WORDS.has(token.fold) && !token.acronym)
          continue
        doc.lengths[field]++
        let postings = this.postings.get(token.stem)
        if (postings === undefined)
          this.postings.set(token.stem, postings = new Map())
        let counts = postings.get(number)
        if (counts === undefined) {
          postings.set(number, counts = [0, 0, 0, 0])
        }
        counts[field]++
        let word = this.words.get(token.fold)
        if (word === undefined)
          this.words.set(token.fold, word = { stem: token.stem, docs: new Set() })
        word.docs.add(number)
      }
  }

  idf(stem) {
    const postings = this.postings.get(stem)
    const df = postings ? postings.size : 0
    const n = this.docs.length
    return Math.log(1 + (n - df + 0.5) / (df + 0.5))
  }

  /* ------------------------------------------------------------------------ */

  /* Stems a query term may stand for, each with a weight */
  expand(term) {
    const expansions = new Map()
    const put = (stemValue, weight) => {
      if (this.postings.has(stemValue) && (expansions.get(stemValue) || 0) < weight)
        expansions.set(stemValue, weight)
    }
    put(term.stem, EXPANSION.exact)

    /* Term being typed: every indexed word it starts */
    if (term.prefix && term.fold.length >= 2) {
      const candidates = []
      for (const word of this.vocabulary)
        if (word.length > term.fold.length && word.startsWith(term.fold))
          candidates.push(word)
      candidates
        .sort((a, b) => this.words.get(b).docs.size - this.words.get(a).docs.size)
        .slice(0, MAX_PREFIX_EXPANSIONS)
        .forEach(word => put(this.words.get(word).stem, EXPANSION.prefix))
    }

    /* Nothing found: tolerate typos in words (not in numbers) */
    if (expansions.size === 0 && !/\d/.test(term.fold)) {
      const max = maxEdits(term.fold.length)
      const maxStem = Math.min(max, maxEdits(term.stem.length))
      if (max > 0) {
        const found = []
        for (const word of this.vocabulary) {
          const distance = Math.min(
            editDistance(term.fold, word, max),
            maxStem > 0 ? editDistance(term.stem, this.words.get(word).stem, maxStem) : max + 1
          )
          if (distance <= max)
            found.push([word, distance <= 1 ? EXPANSION.fuzzy1 : EXPANSION.fuzzy2, distance])
          else if (term.prefix && word.length > term.fold.length &&
                   editDistance(term.fold, word.slice(0, term.fold.length), max) <= max)
            found.push([word, EXPANSION.fuzzyPrefix, max + 1])
        }
        found
          .sort((a, b) => a[2] - b[2] ||
            this.words.get(b[0]).docs.size - this.words.get(a[0]).docs.size)
          .slice(0, MAX_FUZZY_EXPANSIONS)
          .forEach(([word, weight]) => put(this.words.get(word).stem, weight))
      }
    }
    return expansions
  }

  /* Score of one stem in one document, before the term's weight and idf */
  fieldScore(doc, counts) {
    const isArticle = doc.article === null
    const saturate = (tf, length, average, b) => tf === 0 ? 0 :
      tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - b + b * length / average))
    let score = 0
    score += (isArticle ? WEIGHT.pageTitle : WEIGHT.heading) *
      saturate(counts[TITLE], doc.lengths[TITLE], this.average[TITLE], BM25_B_TITLE)
    if (counts[ACRONYM] > 0)
      score += isArticle ? WEIGHT.acronym : WEIGHT.sectionAcronym
    score += WEIGHT.alias *
      saturate(counts[ALIAS], doc.lengths[ALIAS], this.average[ALIAS], BM25_B_TITLE)
    score += WEIGHT.text *
      saturate(counts[TEXT], doc.lengths[TEXT], this.average[TEXT], BM25_B_TEXT)
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
        for (const number of this.postings.get(stemValue).keys())
          excluded.add(number)

    /* Score every document containing at least one term */
    const hits = new Map()       /* doc number -> {best: Map(term -> score), stems: Map(term -> Set)} */
    query.terms.forEach((term, t) => {
      for (const [stemValue, weight] of term.expansions) {
        const idf = this.idf(stemValue)
        for (const [number, counts] of this.postings.get(stemValue)) {
          if (excluded.has(number))
            continue
          const doc = this.docs[number]
          const score = weight * idf * this.fieldScore(doc, counts)
          let hit = hits.get(number)
          if (hit === undefined)
            hits.set(number, hit = { best: new Map(), stems: new Map() })
          hit.best.set(t, Math.max(hit.best.get(t) || 0, score))
          if (!hit.stems.has(t))
            hit.stems.set(t, new Set())
          hit.stems.get(t).add(stemValue)
        }
      }
    })

    /* Coverage: favour documents containing all terms, and phrases */
    const requiredIndexes = query.terms
      .map((term, t) => term.optional ? -1 : t)
      .filter(t => t >= 0)
    for (const [number, hit] of hits) {
      const doc = this.docs[number]
      let score = 0
      for (const value of hit.best.values())
        score += value
      const matched = requiredIndexes.filter(t => hit.best.has(t))
      const coverage = matched.length / requiredIndexes.length
      if (matched.length === requiredIndexes.length)
        score += this.phraseBonus(doc, hit, requiredIndexes)
      hit.score = score * coverage * coverage * doc.boost
      hit.matched = new Set(matched)
    }

    /* Group by page: the best section counts, the others a little */
    const pages = new Map()
    for (const [number, hit] of hits) {
      if (hit.score <= 0)
        continue
      const path = this.docs[number].path
      let page = pages.get(path)
      if (page === undefined)
        pages.set(path, page = { path, hits: [], matched: new Set() })
      page.hits.push([number, hit])
      for (const t of hit.matched)
        page.matched.add(t)
    }
    /* A page scores its best document, plus its best evidence for each term
       wherever it is on the page, weighed by the share of terms it holds */
    for (const page of pages.values()) {
      page.hits.sort((a, b) => b[1].score - a[1].score)
      const scores = page.hits.map(([, hit]) => hit.score)
      const coverage = page.matched.size / requiredIndexes.length
      const evidence = new Map()
      for (const [, hit] of page.hits)
        for (const [t, value] of hit.best)
          evidence.set(t, Math.max(evidence.get(t) || 0, value))
      let termwise = 0
      for (const value of evidence.values())
        termwise += value
      page.score = scores[0] + 0.5 * termwise * coverage * coverage +
        0.3 * ((scores[1] || 0) + (scores[2] || 0))
    }
    const ranked = [...pages.values()].sort((a, b) => b.score - a.score)
    const top = ranked.length ? ranked[0].score : 0
    const kept = ranked.filter(page => page.score >= RELATIVE_CUTOFF * top)

    /* Render items the way Material's result template expects them */
    const items = kept.map(page => {
      const group = page.hits.map(([number, hit]) =>
        this.render(this.docs[number], hit, query))
      /* Material needs the page itself in each group; it links to the page
         with the words found in its sections, for search.highlight */
      if (!page.hits.some(([number]) => this.docs[number].article === null)) {
        const article = this.docs.find(doc => doc.path === page.path && doc.article === null)
        const stems = new Map()
        for (const [, hit] of page.hits)
          for (const [t, found] of hit.stems)
            stems.set(t, new Set([...(stems.get(t) || []), ...found]))
        if (article)
          group.push(this.render(article, { score: 0, stems }, query))
      }
      return group
    })

    const result = { items }
    if (this.options.suggest)
      result.suggest = this.suggest(query)
    return result
  }

  /*
   * Bonus of a document containing all the query's terms in its title, or in
   * one of its callers' words; more if that callers' phrase is exactly the query
   * ("prime apprenti" is said of several schemes, as is "prime apprenti permis").
   */
  phraseBonus(doc, hit, required) {
    const weight = required.reduce((sum, t) =>
      sum + Math.max(...[...hit.stems.get(t)].map(s => this.idf(s))), 0)
    const has = (tokens, t) => tokens.some(token => hit.stems.get(t).has(token.stem))
    let bonus = 0
    if (required.length > 1 && required.every(t => has(doc.titleTokens, t)))
      bonus += 3 * weight * (doc.article === null ? 2 : 1)
    let alias = 0
    for (const tokens of doc.aliases) {
      if (!required.every(t => has(tokens, t)))
        continue
      const words = tokens.filter(token => !STOP_WORDS.has(token.fold))
      const exact = words.every(token => required.some(t => hit.stems.get(t).has(token.stem)))
      alias = Math.max(alias, (required.length > 1 ? 5 : 0) + (exact ? 3 : 0))
    }
    /* Terms next to each other in the text: "emploi d'avenir", "bulletin de paie" */
    if (required.length > 1) {
      const positions = []
      doc.textTokens.forEach((token, position) => {
        for (const t of required)
          if (hit.stems.get(t).has(token.stem))
            positions.push([position, t])
      })
      if (shortestSpan(positions, required.length) <= required.length + 2)
        bonus += 2 * weight
    }
    return bonus + alias * weight
  }

  /* ------------------------------------------------------------------------ */

  /*
   * A result as Material's template renders it. "terms" lists each query term
   * (false: shown as missing) and the words matched, as written on the page
   * ("sécurité" for "securite"), which search.highlight then marks on the page.
   * A word being typed is replaced by the words it completes, or "par" would be
   * marked everywhere.
   */
  render(doc, hit, query) {
    const stems = new Set()
    const terms = {}
    const tokens = doc.titleTokens.concat(doc.textTokens)
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

    const item = {
      location: doc.location,
      title: markTokens(doc.title, doc.titleTokens, stems),
      text: excerpt(doc.text, doc.textTokens, stems),
      score: hit.score,
      terms
    }
    if (doc.tags)
      item.tags = doc.tags
    return item
  }

  /* Completion of the term being typed, for the search.suggest feature */
  suggest(query) {
    const last = query.terms[query.terms.length - 1]
    if (!last || !last.prefix || last.raw !== last.fold)
      return []
    let best = null
    for (const word of this.vocabulary)
      if (word.length > last.fold.length && word.startsWith(last.fold) &&
          (best === null || this.words.get(word).docs.size > this.words.get(best).docs.size))
        best = word
    return best === null ? [] : [best]
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
 * ------------------------------------------------------------------------- */

let index = null

function handle(message) {
  switch (message.type) {
    case SETUP:
      index = new Index(message.data.docs || [], message.data.options)
      return { type: READY }
    case QUERY:
      try {
        return { type: RESULT, data: index ? index.search(String(message.data || "")) : { items: [] } }
      } catch (error) {
        console.warn("Recherche impossible :", message.data, error)
        return { type: RESULT, data: { items: [] } }
      }
    default:
      throw new TypeError("Invalid message type")
  }
}

if (typeof self !== "undefined" && typeof self.addEventListener === "function" &&
    typeof module === "undefined")
  self.addEventListener("message", event => {
    self.postMessage(handle(event.data))
  })

/* Exposed for tests run outside a browser (Node) */
if (typeof module !== "undefined")
  module.exports = { Index, handle, parseQuery, stem, fold, tokenize, editDistance }
