// The search engine of the case library: it loads the static index that `anli build`
// writes under /search/ (see src/outputs/search/mod.rs for the files) and answers a
// query and filters in the browser.
//
// Text becomes tokens exactly as the index makes them: characters folded (traditional
// to simplified with the index's table, full-width letters and digits to ASCII), each
// Chinese character the bigram it starts (the last of a run alone), each run of ASCII
// letters and digits a lower-cased word; any other character only separates. Every
// token takes one position, and each case's positions run through five fields: title,
// unit, vocabulary terms, summary with key figures, body.
//
// A query is words separated by spaces; a word that names a vocabulary term also finds
// the term's other names (AI → 人工智能), and a word of letters finds the words it
// begins (ME → MES). A case matches when it holds every word: as written (a phrase), or
// its pieces close together in one field (故障预测 in the term 设备故障诊断与预测). Cases that hold
// every piece only scattered are "related", after the matches and not counted. Matches
// rank by the field each word is found in (title and unit, then terms, then summary and
// figures, then body), a phrase before pieces, then by BM25 over the weighted fields.

const VERSION = 5;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{323af}]/u;
const WORD = /[0-9A-Za-z]/;
const LETTER = /[a-z]/;
// Per field: the position it starts at (src/outputs/search holds the same numbers), its
// rank (title and unit alike) and its weight in BM25.
const FIELD_STARTS = [0, 256, 512, 1024, 4096];
const FIELD_RANK = [4, 4, 3, 2, 1];
const FIELD_WEIGHT = [6, 4, 3, 2, 1];
// The pieces of a word count as the word within this many positions of one another:
// in a title, unit or the terms (故障预测 in 设备故障诊断与预测), and in running text,
// where two characters may come between (质量数据追溯, not 柔性显示模组产线).
const NEAR_IN_TERMS = 8;
const NEAR_IN_TEXT = 4;
// Words of letters expand to at most this many words they begin.
const PREFIX_LIMIT = 50;
const K1 = 1.2;
const B = 0.75;
// Filter keys whose values are alternatives to one another: a category and a
// sub-industry, a scenario group and a scenario.
const GROUPS = [["category", "industry"], ["scenario_group", "scenario"]];

const foldWidth = (c) =>
  /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/.test(c) ? String.fromCharCode(c.charCodeAt(0) - 0xfee0) : c;

// The tokens of `text` as {token, at, start, end}: `at` the position, `start`/`end` the
// stretch of `text` it covers (a bigram both its characters). `fold` maps a character.
export function tokenize(text, fold = foldWidth) {
  const chars = [];
  for (let i = 0; i < text.length; ) {
    const raw = String.fromCodePoint(text.codePointAt(i));
    chars.push({ c: fold(raw), start: i, length: raw.length });
    i += raw.length;
  }
  const tokens = [];
  let word = null;
  const endWord = (end) => {
    if (word) tokens.push({ token: word.text.toLowerCase(), at: tokens.length, start: word.start, end });
    word = null;
  };
  chars.forEach(({ c, start, length }, i) => {
    if (WORD.test(c)) {
      word ??= { text: "", start };
      word.text += c;
      return;
    }
    endWord(start);
    if (HAN.test(c)) {
      const next = chars[i + 1];
      const pair = next && HAN.test(next.c);
      const end = pair ? next.start + next.length : start + length;
      tokens.push({ token: pair ? c + next.c : c, at: tokens.length, start, end });
    }
  });
  endWord(text.length);
  return tokens;
}

const isLoneHan = (token) => HAN.test(token) && [...token].length === 1;

// One spelling of a query word as the tokens to look up, each with its offset from the
// first and whether it matches every token it begins (a lone Chinese character, a word
// of letters). Only the pieces that cover every character without overlap are needed:
// 数字 at p and 孪生 at p + 2 are the phrase 数字孪生, which 字孪 adds nothing to.
function spelling(text, fold) {
  const tokens = tokenize(text, fold);
  // The lone last character of a run is covered by the bigram before it.
  const needed = tokens.filter((t, i) => !(isLoneHan(t.token) && i > 0 && HAN.test(tokens[i - 1].token)));
  if (!needed.length) return null;
  let coveredTo = -1;
  const pieces = [];
  needed.forEach((t, i) => {
    const offset = t.at - needed[0].at;
    const end = offset + ([...t.token].length === 2 && HAN.test(t.token) ? 1 : 0);
    if (offset > coveredTo || (i === needed.length - 1 && end > coveredTo)) {
      coveredTo = end;
      const prefix = isLoneHan(t.token) || (LETTER.test(t.token) && t.token.length >= 2);
      pieces.push({ token: t.token, offset, prefix });
    }
  });
  return pieces;
}

class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }
  varint() {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.bytes[this.at++];
      n += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return n;
    }
  }
}

function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

// A token's key: a Chinese token's first character, a word itself.
const keyOf = (token) => (HAN.test(token) ? String.fromCodePoint(token.codePointAt(0)) : token);

async function load(url, as) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return as === "json" ? response.json() : new Uint8Array(await response.arrayBuffer());
}

export async function openIndex(base) {
  const [index, cases] = await Promise.all([load(`${base}index.json`, "json"), load(`${base}cases.bin`)]);
  if (index.version !== VERSION) throw new Error(`搜索索引版本 ${index.version}，需要 ${VERSION}`);
  return new Index(base, index, cases);
}

// The smallest edit distance between `query` and any stretch of `text`, and that
// stretch (Sellers' algorithm): 智能牌产 in 车间智能排产 is 1, at 智能排产.
function nearestStretch(query, text) {
  const q = [...query];
  const t = [...text];
  let row = t.map((_, j) => ({ cost: 0, from: j })).concat([{ cost: 0, from: t.length }]);
  for (let i = 1; i <= q.length; i++) {
    const next = [{ cost: i, from: 0 }];
    for (let j = 1; j <= t.length; j++) {
      const options = [
        { cost: row[j - 1].cost + (q[i - 1] === t[j - 1] ? 0 : 1), from: row[j - 1].from },
        { cost: row[j].cost + 1, from: row[j].from },
        { cost: next[j - 1].cost + 1, from: next[j - 1].from },
      ];
      next.push(options.reduce((a, b) => (b.cost < a.cost ? b : a)));
    }
    row = next;
  }
  // The cheapest stretch; of equally cheap ones, the one nearest the query's length
  // (数字孪生 rather than 数字孪 for 数字孪升).
  let best = { cost: Infinity, text: "", off: Infinity };
  row.forEach((cell, j) => {
    const off = Math.abs(j - cell.from - q.length);
    if (j > 0 && (cell.cost < best.cost || (cell.cost === best.cost && off < best.off))) {
      best = { cost: cell.cost, text: t.slice(cell.from, j).join(""), off };
    }
  });
  return best;
}

class Index {
  constructor(base, index, cases) {
    const { shards, split, filters, fold, words, names } = index;
    this.base = base;
    this.shardCount = shards;
    // Keys with shards of their own (a common first character), as src/outputs/search
    // writes them, after the shared shards: key → {start, parts}.
    this.split = new Map();
    let start = shards;
    for (const [key, parts] of split) {
      this.split.set(key, { start, parts });
      start += parts;
    }
    this.filters = filters;
    // Per case, from cases.bin: its length (a byte, 2^(q/8) − 1), then its filter values
    // as [key, value] numbers and its year (a filter value too), read from the packed
    // bits that follow the lengths: per key a bit per value, or the value's number + 1.
    let bit = index.cases * 8;
    const next = () => (cases[bit >> 3] >> (bit++ & 7)) & 1;
    this.docs = Array.from({ length: index.cases }, (_, id) => {
      const doc = { length: 2 ** (cases[id] / 8) - 1, values: [], year: 0 };
      filters.forEach(({ key, values, bits, multiple }, k) => {
        let number = 0;
        for (let i = 0; i < bits; i++) {
          if (!next()) continue;
          if (multiple) doc.values.push([k, i]);
          else number += 2 ** i;
        }
        if (number) doc.values.push([k, number - 1]);
        if (number && key === "year") doc.year = Number(values[number - 1]);
      });
      return doc;
    });
    const pairs = [...fold];
    this.folding = new Map();
    for (let i = 0; i + 1 < pairs.length; i += 2) this.folding.set(pairs[i], pairs[i + 1]);
    this.words = words;
    this.names = names;
    this.shards = new Map();
    this.fragments = new Map();
  }

  fold = (c) => {
    const ascii = foldWidth(c);
    return this.folding.get(ascii) ?? ascii;
  };

  foldText(text) {
    return [...text].map(this.fold).join("").toLowerCase();
  }

  // A query as its words, each with its spellings: as typed, and a vocabulary term's
  // other names when the word is one of them.
  parse(query) {
    return query
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => {
        const folded = this.foldText(word);
        const group = this.names.find((names) => names.some((n) => this.foldText(n) === folded));
        // The term's name (first) always; not an alias inside the word typed: 新 of
        // 新疆 or 电子 of 电子信息 would find 新能源 and 电子围栏. Nor a name that holds
        // the word typed (工业互联网平台 for 工业互联网): it finds no case the word does not.
        const others = (group || [])
          .map((n) => this.foldText(n))
          .filter((n, i) => !n.includes(folded) && (i === 0 || !folded.includes(n)));
        const texts = [...new Set([folded, ...others])];
        return texts.map((t) => spelling(t, this.fold)).filter(Boolean);
      })
      .filter((spellings) => spellings.length);
  }

  // Every token a query can match, to mark in an excerpt.
  highlights(query) {
    return this.parse(query).flat(2);
  }

  // One shard as a map from token to where its postings lie.
  shard(n) {
    if (!this.shards.has(n)) {
      const load = fetch(`${this.base}shards/${n}.bin`)
        .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`shards/${n}.bin: ${r.status}`))))
        .then((buffer) => {
          const bytes = new Uint8Array(buffer);
          const reader = new Reader(bytes);
          const tokens = new Map();
          const decoder = new TextDecoder();
          for (let count = reader.varint(); count > 0; count--) {
            const length = reader.varint();
            const token = decoder.decode(bytes.subarray(reader.at, reader.at + length));
            reader.at += length;
            const cases = reader.varint();
            const size = reader.varint();
            tokens.set(token, { bytes, at: reader.at, cases });
            reader.at += size;
          }
          return tokens;
        });
      this.shards.set(n, load);
    }
    return this.shards.get(n);
  }

  // The shards that may hold `token`: the one it hashes to, or for a lone character
  // whose key has shards of its own, all of them.
  shardsOf(token, prefix) {
    const own = this.split.get(keyOf(token));
    if (!own) return [fnv1a(keyOf(token)) % this.shardCount];
    if (prefix) return Array.from({ length: own.parts }, (_, i) => own.start + i);
    return [own.start + (fnv1a(token) % own.parts)];
  }

  // The index's words of letters that begin with `start`, at most PREFIX_LIMIT.
  wordsStarting(start) {
    let low = 0;
    let high = this.words.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.words[mid] < start) low = mid + 1;
      else high = mid;
    }
    const found = [];
    for (let i = low; i < this.words.length && this.words[i].startsWith(start) && found.length < PREFIX_LIMIT; i++) {
      found.push(this.words[i]);
    }
    return found;
  }

  // The cases holding a query token: case number → sorted positions. A lone Chinese
  // character stands for every token it begins; a word of letters for every word.
  async postings({ token, prefix }) {
    const lone = prefix && HAN.test(token);
    const words = prefix && !lone ? this.wordsStarting(token) : [token];
    const wanted = words.flatMap((word) => this.shardsOf(word, lone).map((n) => [word, n]));
    const shards = await Promise.all(wanted.map(([, n]) => this.shard(n)));
    const lists = [];
    wanted.forEach(([word], i) => {
      if (!lone) lists.push(shards[i].get(word));
      else for (const [t, list] of shards[i]) if (t.startsWith(token)) lists.push(list);
    });
    const found = new Map();
    for (const list of lists.filter(Boolean)) {
      const reader = new Reader(list.bytes, list.at);
      let doc = 0;
      for (let i = 0; i < list.cases; i++) {
        doc += reader.varint();
        const positions = found.get(doc) ?? [];
        let at = 0;
        for (let n = reader.varint(); n > 0; n--) positions.push((at += reader.varint()));
        found.set(doc, positions);
      }
    }
    if (lists.length > 1) for (const positions of found.values()) positions.sort((a, b) => a - b);
    return found;
  }

  // The cases matching `query` and the chosen filters ({key: [values]}), best first;
  // the related cases after them; and per filter value the count of matching cases it
  // would show with the other filters' choices.
  async search(query, chosen) {
    const words = this.parse(query);
    const hits = words.length
      ? await this.match(words)
      : this.docs.map((_, id) => ({ id, real: true, rank: 0, score: 0 }));
    const groupOf = (key) => GROUPS.findIndex((g) => g.includes(key));
    // The chosen values per filter group (a key alone is its own group).
    const groups = new Map();
    this.filters.forEach(({ key, values }, k) => {
      const group = groupOf(key) >= 0 ? `g${groupOf(key)}` : key;
      for (const name of chosen[key] || []) {
        if (!groups.has(group)) groups.set(group, new Set());
        groups.get(group).add(`${k}:${values.indexOf(name)}`);
      }
    });
    const groupKey = (k) => (groupOf(this.filters[k].key) >= 0 ? `g${groupOf(this.filters[k].key)}` : this.filters[k].key);
    const counts = Object.fromEntries(this.filters.map(({ key }) => [key, {}]));
    const results = [];
    const related = [];
    for (const hit of hits) {
      const doc = this.docs[hit.id];
      const failing = [...groups].filter(([, set]) => !doc.values.some(([k, v]) => set.has(`${k}:${v}`))).map(([g]) => g);
      if (!failing.length) (hit.real ? results : related).push(hit);
      if (!hit.real || failing.length > 1) continue;
      for (const [k, v] of doc.values) {
        if (failing.length && failing[0] !== groupKey(k)) continue;
        const { key, values } = this.filters[k];
        counts[key][values[v]] = (counts[key][values[v]] || 0) + 1;
      }
    }
    const order = (a, b) => b.rank - a.rank || b.score - a.score || a.id - b.id;
    results.sort(order);
    related.sort(order);
    return { results, related, counts };
  }

  // The field of position `at`.
  field(doc, at) {
    let field = 0;
    while (field + 1 < FIELD_STARTS.length && at >= FIELD_STARTS[field + 1]) field++;
    return field;
  }

  // How case `id` holds one spelling of a word: its strength (2 as a phrase, 1 as
  // pieces close together in one field, 0 only scattered, -1 not at all) and the value
  // of its best occurrence (the field's rank, twice, and one more for a phrase).
  held(id, doc, tokens, lists) {
    const at = tokens.map((_, i) => lists[i].get(id));
    if (at.some((positions) => !positions)) return { strength: -1, value: 0 };
    let strength = 0;
    let value = 0;
    const [first, ...rest] = at;
    for (const start of first) {
      const field = this.field(doc, start);
      const base = start - tokens[0].offset;
      const phrase = tokens.every((t, i) => at[i].includes(base + t.offset));
      const near = FIELD_RANK[field] >= 3 ? NEAR_IN_TERMS : NEAR_IN_TEXT;
      const close = phrase || rest.every((positions) => positions.some((p) => Math.abs(p - start) <= near && this.field(doc, p) === field));
      if (!close) continue;
      strength = Math.max(strength, phrase ? 2 : 1);
      value = Math.max(value, FIELD_RANK[field] * 2 + (phrase ? 1 : 0));
    }
    return { strength, value };
  }

  // The cases holding the pieces of every word in some spelling, each with whether it
  // is a real match, its rank (the fields its words are found in) and its BM25 score.
  async match(words) {
    const tokens = new Map();
    for (const t of words.flat(2)) tokens.set(`${t.prefix}:${t.token}`, t);
    const keys = [...tokens.keys()];
    const fetched = await Promise.all(keys.map((k) => this.postings(tokens.get(k))));
    const listOf = new Map(keys.map((k, i) => [k, fetched[i]]));
    const lists = (spelling) => spelling.map((t) => listOf.get(`${t.prefix}:${t.token}`));
    // Candidates: the cases of the rarest piece of each word's spellings, together.
    const candidates = new Set();
    for (const spelling of words[0]) {
      const [rarest] = [...lists(spelling)].sort((a, b) => a.size - b.size);
      for (const id of rarest.keys()) candidates.add(id);
    }
    const hits = [];
    for (const id of candidates) {
      const doc = this.docs[id];
      let real = true;
      let rank = 0;
      let score = 0;
      for (const spellings of words) {
        let best = null;
        for (const spelling of spellings) {
          const held = this.held(id, doc, spelling, lists(spelling));
          if (held.strength < 0) continue;
          // A real match beats a scattered one, then the better occurrence wins.
          const realer = best && held.strength > 0 !== best.strength > 0;
          const better = !best || (realer ? held.strength > 0 : held.value > best.value);
          if (better) {
            best = { ...held, score: this.score(id, doc, lists(spelling)) };
          }
        }
        if (!best) {
          real = null;
          break;
        }
        real &&= best.strength > 0;
        rank += best.value;
        score += best.score;
      }
      if (real !== null) hits.push({ id, real, rank, score });
    }
    return hits;
  }

  // BM25 over the weighted fields: a token in the title counts FIELD_WEIGHT[0] times.
  score(id, doc, lists) {
    const n = this.docs.length;
    return lists.reduce((sum, list) => {
      const positions = list.get(id);
      if (!positions) return sum;
      const idf = Math.log(1 + (n - list.size + 0.5) / (list.size + 0.5));
      const tf = positions.reduce((sum, at) => sum + FIELD_WEIGHT[this.field(doc, at)], 0);
      return sum + (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / this.averageLength));
    }, 0);
  }

  // For a query that finds nothing: the vocabulary name, case title or unit, or the
  // stretch of one, or the word of letters nearest to it, if one is near enough (one
  // edit in up to four characters, two in more). Titles and units load only now.
  async suggest(query) {
    const wanted = this.foldText(query.trim());
    const length = [...wanted].length;
    if (length < 2) return null;
    this.titles ??= fetch(`${this.base}names.json`).then((r) => (r.ok ? r.json() : []));
    const allowed = length <= 4 ? 1 : 2;
    let best = null;
    for (const name of [...this.names.flat(), ...this.words, ...(await this.titles)]) {
      const near = nearestStretch(wanted, this.foldText(name));
      if (near.cost === 0 || near.cost > allowed) continue;
      if (!best || near.cost < best.cost || (near.cost === best.cost && near.off < best.off)) best = near;
    }
    return best?.text || null;
  }

  // The result card of case `id`: its url, title, card (HTML, as listing pages show it)
  // and text (for the excerpt).
  doc(id) {
    if (!this.fragments.has(id)) {
      this.fragments.set(
        id,
        fetch(`${this.base}docs/${id}.json`).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`docs/${id}.json`)))),
      );
    }
    return this.fragments.get(id);
  }
}

// The stretch of `text` around its densest run of query tokens (from `highlights`), as
// [text, marked] pieces (matched tokens merged), or null when the text holds none.
export function excerpt(text, wanted, fold, length = 80) {
  const found = tokenize(text, fold).filter((t) => wanted.some((w) => (w.prefix ? t.token.startsWith(w.token) : t.token === w.token)));
  if (!found.length) return null;
  // The window (as shown) that covers the most distinct query tokens, then the most.
  const window = (t) => {
    const from = Math.max(0, t.start - Math.floor(length / 4));
    return [from, Math.min(text.length, from + length)];
  };
  let best = { distinct: 0, count: 0, range: null };
  for (const t of found) {
    const [from, to] = window(t);
    const inside = found.filter((f) => f.start >= from && f.end <= to);
    const distinct = new Set(inside.map((f) => f.token)).size;
    if (distinct > best.distinct || (distinct === best.distinct && inside.length > best.count)) {
      best = { distinct, count: inside.length, range: [from, to] };
    }
  }
  const [from, to] = best.range;
  const marks = [];
  for (const t of found) {
    if (t.end <= from || t.start >= to) continue;
    const last = marks[marks.length - 1];
    if (last && t.start <= last[1]) last[1] = Math.max(last[1], t.end);
    else marks.push([Math.max(from, t.start), Math.min(to, t.end)]);
  }
  const pieces = from > 0 ? [["…", false]] : [];
  let at = from;
  for (const [start, end] of marks) {
    if (start > at) pieces.push([text.slice(at, start), false]);
    pieces.push([text.slice(start, Math.min(end, to)), true]);
    at = Math.min(end, to);
  }
  if (at < to) pieces.push([text.slice(at, to), false]);
  if (to < text.length) pieces.push(["…", false]);
  return pieces;
}
