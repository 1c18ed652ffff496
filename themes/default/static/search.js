// The search engine of the case library: it loads the static index that `anli build`
// writes under /search/ (see src/search.rs for the files) and answers a query and filters
// in the browser.
//
// Text becomes tokens exactly as src/search.rs makes them: each Chinese character is the
// bigram it starts (the last of a run alone), each run of ASCII letters and digits is a
// lower-cased word (full-width ones folded), and any other character only separates.
// Every token takes one position. A query's space-separated parts must all be found;
// cases holding every part as a phrase (its tokens at consecutive positions) rank first,
// then by BM25 with title tokens counting five times.

const VERSION = 1;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{323af}]/u;
const WORD = /[0-9A-Za-z]/;
const TITLE_WEIGHT = 5;
const K1 = 1.2;
const B = 0.75;

const foldWidth = (c) =>
  /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/.test(c) ? String.fromCharCode(c.charCodeAt(0) - 0xfee0) : c;

// The tokens of `text` as {token, at, start, end}: `at` the position, `start`/`end` the
// stretch of `text` it covers (a bigram both its characters).
export function tokenize(text) {
  const chars = [];
  for (let i = 0; i < text.length; ) {
    const c = String.fromCodePoint(text.codePointAt(i));
    chars.push({ c, start: i });
    i += c.length;
  }
  const tokens = [];
  let word = null;
  const endWord = (end) => {
    if (word) tokens.push({ token: word.text.toLowerCase(), at: tokens.length, start: word.start, end });
    word = null;
  };
  chars.forEach(({ c, start }, i) => {
    const ascii = foldWidth(c);
    if (WORD.test(ascii)) {
      word ??= { text: "", start };
      word.text += ascii;
      return;
    }
    endWord(start);
    if (HAN.test(c)) {
      const next = chars[i + 1];
      const pair = next && HAN.test(next.c);
      const end = pair ? next.start + next.c.length : start + c.length;
      tokens.push({ token: pair ? c + next.c : c, at: tokens.length, start, end });
    }
  });
  endWord(text.length);
  return tokens;
}

// A query part as the tokens to look up, with their offsets from the first. The lone
// last character of a run is covered by the bigram before it and left out; a lone
// character anywhere else matches every token it starts (`prefix`).
function queryTokens(part) {
  const tokens = tokenize(part);
  const needed = tokens.filter((t, i) => !(isLoneHan(t) && i > 0 && HAN.test(tokens[i - 1].token)));
  return needed.map((t) => ({ token: t.token, offset: t.at - needed[0].at, prefix: isLoneHan(t) }));
}

const isLoneHan = (t) => HAN.test(t.token) && [...t.token].length === 1;

// A query as its parts, each a list of tokens; parts without tokens are dropped.
export function parseQuery(query) {
  return query
    .split(/\s+/)
    .map(queryTokens)
    .filter((part) => part.length);
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

// FNV-1a of a token's key (a Chinese token's first character, else the whole word), as in
// src/search.rs, picks its shard.
function shardOf(token, shards) {
  const key = HAN.test(token) ? String.fromCodePoint(token.codePointAt(0)) : token;
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % shards;
}

export async function openIndex(base) {
  const response = await fetch(`${base}index.json`);
  if (!response.ok) throw new Error(`${base}index.json: ${response.status}`);
  const index = await response.json();
  if (index.version !== VERSION) throw new Error(`搜索索引版本 ${index.version}，需要 ${VERSION}`);
  return new Index(base, index);
}

class Index {
  constructor(base, { shards, filters, docs }) {
    this.base = base;
    this.shardCount = shards;
    this.filters = filters;
    // Per case: year, length, title length, and its filter values as [key, value] numbers.
    this.docs = docs.map(([year, length, titleLength, ...ids]) => {
      const values = [];
      for (let i = 0; i < ids.length; i += 2) values.push([ids[i], ids[i + 1]]);
      return { year, length, titleLength, values };
    });
    this.averageLength = this.docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, this.docs.length);
    this.shards = new Map();
    this.fragments = new Map();
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

  // The cases holding a query token: case number → sorted positions.
  async postings({ token, prefix }) {
    const shard = await this.shard(shardOf(token, this.shardCount));
    const lists = prefix ? [...shard].filter(([t]) => t.startsWith(token)).map(([, list]) => list) : [shard.get(token)];
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

  // The cases matching `query` and the chosen filters ({key: [values]}), best first, and
  // per filter value the count of cases it would show with the other keys' choices.
  async search(query, chosen) {
    const parts = parseQuery(query);
    const matched = parts.length ? await this.match(parts) : this.docs.map((_, id) => ({ id, phrase: false, score: 0 }));
    const wanted = this.filters.map(({ key, values }) => {
      const names = chosen[key] || [];
      return names.length ? new Set(names.map((v) => values.indexOf(v))) : null;
    });
    const counts = Object.fromEntries(this.filters.map(({ key }) => [key, {}]));
    const results = [];
    for (const hit of matched) {
      const doc = this.docs[hit.id];
      const failing = wanted
        .map((set, key) => (set && !doc.values.some(([k, v]) => k === key && set.has(v)) ? key : -1))
        .filter((key) => key >= 0);
      if (!failing.length) results.push(hit);
      if (failing.length > 1) continue;
      for (const [key, value] of doc.values) {
        if (failing.length && failing[0] !== key) continue;
        const { key: name, values } = this.filters[key];
        counts[name][values[value]] = (counts[name][values[value]] || 0) + 1;
      }
    }
    results.sort((a, b) => b.phrase - a.phrase || b.score - a.score || a.id - b.id);
    return { results, counts };
  }

  // The cases holding every token of every part, with their phrase flag and score.
  async match(parts) {
    const tokens = parts.flat();
    const lists = await Promise.all(tokens.map((t) => this.postings(t)));
    const [rarest] = [...lists].sort((a, b) => a.size - b.size);
    const hits = [];
    for (const id of rarest.keys()) {
      if (!lists.every((list) => list.has(id))) continue;
      let list = 0;
      const phrase = parts.every((part) => {
        const positions = part.map(() => lists[list++].get(id));
        return positions[0].some((start) => part.every((t, i) => positions[i].includes(start + t.offset)));
      });
      hits.push({ id, phrase, score: this.score(id, lists) });
    }
    return hits;
  }

  score(id, lists) {
    const doc = this.docs[id];
    const n = this.docs.length;
    return lists.reduce((sum, list) => {
      const idf = Math.log(1 + (n - list.size + 0.5) / (list.size + 0.5));
      const tf = list.get(id).reduce((sum, at) => sum + (at < doc.titleLength ? TITLE_WEIGHT : 1), 0);
      return sum + (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.length) / this.averageLength));
    }, 0);
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

// The stretch of `text` around its densest run of query tokens, as [text, marked] pieces
// (matched tokens merged), or null when the text holds none.
export function excerpt(text, parts, length = 80) {
  const wanted = parts.flat();
  const found = tokenize(text).filter((t) => wanted.some((w) => (w.prefix ? t.token.startsWith(w.token) : t.token === w.token)));
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
