// The case library (/cases/): keyword search and combinable filters over the Pagefind
// bundle. The query and the filters live in the URL (?q=…&region=…), so a view can be
// bookmarked and shared, and the back button steps through earlier views.
//
// Chinese is indexed as overlapping character bigrams, each character written as two
// Canadian syllabics, which the browser's word segmenter keeps whole (see src/search.rs). The
// query is turned into the same tokens here, and excerpts back into the original text.

const LETTER = 0x1401;
const LETTERS = 620;
const CODE_LEN = 2;
const PAGE = 20;

const isHan = (c) => /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{323af}]/u.test(c);
const isCjk = (c) =>
  /[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u{20000}-\u{2fa1f}\u2018\u2019\u201c\u201d\u2026\u2014\u00b7]/u.test(c);
const foldWidth = (c) =>
  /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/.test(c) ? String.fromCharCode(c.charCodeAt(0) - 0xfee0) : c;

function encode(c) {
  let code = c.codePointAt(0);
  let out = "";
  for (let i = 0; i < CODE_LEN; i++) {
    out = String.fromCodePoint(LETTER + (code % LETTERS)) + out;
    code = Math.floor(code / LETTERS);
  }
  return out;
}

// The characters an index token stands for, or null for an ordinary word.
function decode(token) {
  const digits = [...token].map((r) => r.codePointAt(0) - LETTER);
  if (!digits.length || digits.length % CODE_LEN || digits.some((d) => d < 0 || d >= LETTERS)) return null;
  const chars = [];
  for (let i = 0; i < digits.length; i += CODE_LEN) {
    chars.push(String.fromCodePoint(digits.slice(i, i + CODE_LEN).reduce((n, d) => n * LETTERS + d, 0)));
  }
  return chars;
}

// A query as index tokens, in order: a run of Chinese characters as its bigrams (a single
// character as itself, which matches every bigram it starts), other words lower-cased.
function queryTokens(query) {
  const tokens = [];
  let han = [];
  let word = "";
  const flush = () => {
    if (han.length === 1) tokens.push(encode(han[0]));
    for (let i = 0; i + 1 < han.length; i++) tokens.push(encode(han[i]) + encode(han[i + 1]));
    if (word) tokens.push(word.toLowerCase());
    han = [];
    word = "";
  };
  for (const raw of query) {
    const c = foldWidth(raw);
    if (isHan(c)) {
      if (word) flush();
      han.push(c);
    } else if (/\s/.test(c) || isCjk(c)) {
      flush();
    } else {
      if (han.length) flush();
      word += c;
    }
  }
  flush();
  return tokens;
}

// Pagefind's excerpt (index tokens, matches in <mark>) as nodes of the original text.
function excerptNodes(excerpt, queried) {
  const parts = [];
  let marked = false;
  for (const piece of excerpt.split(/(<\/?mark>)/)) {
    if (piece === "<mark>" || piece === "</mark>") {
      marked = piece === "<mark>";
      continue;
    }
    for (const token of piece.split(/[\s\u200b]+/).filter(Boolean)) {
      const chars = decode(token);
      const text = chars ? chars[0] : token.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
      parts.push({ text, marked, pair: marked && chars?.length === 2 && queried.has(token) });
    }
  }
  // A matched bigram lights up its second character too.
  parts.forEach((part, i) => {
    if (part.pair && parts[i + 1]) parts[i + 1].marked = true;
  });
  const nodes = [];
  parts.forEach((part, i) => {
    const before = parts[i - 1];
    const spaced = before && !isCjk(before.text.slice(-1)) && !isCjk(part.text[0]) ? " " : "";
    const last = nodes[nodes.length - 1];
    if (last && (last.nodeName === "MARK") === part.marked) {
      last.textContent += spaced + part.text;
    } else {
      const node = part.marked ? document.createElement("mark") : document.createTextNode("");
      node.textContent = part.text;
      if (spaced) nodes.push(document.createTextNode(spaced));
      nodes.push(node);
    }
  });
  return nodes;
}

const root = document.querySelector(".library");
const form = root.querySelector(".library-search");
const input = form.querySelector("input[name=q]");
const links = [...root.querySelectorAll(".facets a[data-key]")];
const keys = [...new Set(links.map((a) => a.dataset.key))];
const status = root.querySelector(".results-status");
const list = root.querySelector(".results-list");
const more = root.querySelector(".results-more");
const clear = root.querySelector(".results-clear");
root.querySelector(".no-script").hidden = true;
const pagefind = await import(`${root.dataset.bundle}pagefind.js`);
await pagefind.options({ excerptLength: 60 });

function readState() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const key of keys) {
    const values = params.getAll(key);
    if (values.length) filters[key] = values;
  }
  return { q: (params.get("q") || "").trim(), filters };
}

function go(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const key of keys) for (const value of state.filters[key] || []) params.append(key, value);
  const search = params.toString();
  history.pushState(null, "", location.pathname + (search ? `?${search}` : ""));
  run();
}

function element(name, className, text) {
  const node = document.createElement(name);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function card(data, queried) {
  const article = element("article", "card");
  const kind = element("p", "card-kind");
  kind.append(element("span", "tag", data.meta.kind));
  const title = element("h3");
  const link = element("a", "", data.meta.title);
  link.href = data.url;
  title.append(link);
  const text = element("p", "card-summary");
  if (queried.size) text.append(...excerptNodes(data.excerpt, queried));
  else text.textContent = data.meta.summary;
  article.append(kind, title, element("p", "card-unit", data.meta.unit));
  article.append(element("p", "card-meta", `${data.meta.region} · ${data.meta.year}年`), text);
  return article;
}

function showFacets(state, counts) {
  for (const link of links) {
    const { key, value } = link.dataset;
    const chosen = (state.filters[key] || []).includes(value);
    const count = counts?.[key]?.[value] ?? 0;
    link.setAttribute("role", "button");
    link.setAttribute("aria-pressed", String(chosen));
    link.classList.toggle("empty", !chosen && count === 0);
    link.querySelector(".count").textContent = count;
  }
}

let results = [];
let shown = 0;
let latest = 0;

async function showMore(queried, ticket) {
  const page = results.slice(shown, shown + PAGE);
  const datas = await Promise.all(page.map((r) => r.data()));
  if (ticket !== latest) return;
  list.append(...datas.map((data) => card(data, queried)));
  shown += page.length;
  more.hidden = shown >= results.length;
}

async function run() {
  const state = readState();
  const ticket = ++latest;
  input.value = state.q;
  const tokens = queryTokens(state.q);
  const filters = Object.fromEntries(Object.entries(state.filters).map(([k, v]) => [k, { any: v }]));
  status.textContent = "正在检索…";
  root.setAttribute("aria-busy", "true");
  const search = tokens.length
    ? await pagefind.search([...new Set(tokens)].join(" "), { filters })
    : await pagefind.search(null, { filters, sort: { year: "desc" } });
  // Cases holding the query as one phrase (its tokens at consecutive positions) first.
  const phrase = tokens.length > 1 && !/\s/.test(state.q) ? await pagefind.search(`"${tokens.join(" ")}"`, { filters }) : null;
  if (ticket !== latest) return;
  const first = new Set((phrase?.results || []).map((r) => r.id));
  results = [...(phrase?.results || []), ...search.results.filter((r) => !first.has(r.id))];
  shown = 0;
  list.replaceChildren();
  showFacets(state, search.filters);
  const chosen = Object.values(state.filters).flat();
  clear.hidden = !state.q && !chosen.length;
  const what = [state.q && `“${state.q}”`, ...chosen].filter(Boolean).join(" + ");
  status.textContent = `${what ? `${what}：` : ""}找到 ${results.length} 个案例`;
  await showMore(new Set(tokens), ticket);
  if (ticket === latest) root.setAttribute("aria-busy", "false");
}

root.querySelector(".facets").addEventListener("click", (event) => {
  const link = event.target.closest("a[data-key]");
  if (!link) return;
  event.preventDefault();
  const state = readState();
  const { key, value } = link.dataset;
  const values = state.filters[key] || [];
  state.filters[key] = values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
  go(state);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  go({ ...readState(), q: input.value.trim() });
});
clear.addEventListener("click", () => go({ q: "", filters: {} }));
more.addEventListener("click", () => showMore(new Set(queryTokens(readState().q)), latest));
addEventListener("popstate", run);
run();
