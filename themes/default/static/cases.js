// The case library (/cases/): keyword search and combinable filters over the site's
// search index (search.js). The query and the filters live in the URL (?q=…&region=…),
// so a view can be bookmarked and shared, and the back button steps through earlier
// views.

import { excerpt, openIndex, parseQuery } from "./search.js";

const PAGE = 20;

const root = document.querySelector(".library");
const form = root.querySelector(".library-search");
const input = form.querySelector("input[name=q]");
const links = [...root.querySelectorAll(".facets a[data-key]")];
const keys = [...new Set(links.map((a) => a.dataset.key))];
const status = root.querySelector(".results-status");
const list = root.querySelector(".results-list");
const more = root.querySelector(".results-more");
const clear = root.querySelector(".results-clear");
const fallback = root.querySelector(".no-script");
fallback.hidden = true;
const index = await openIndex(root.dataset.bundle).catch((error) => {
  // Without the index the page still offers the static term pages.
  fallback.hidden = false;
  status.textContent = `无法载入搜索索引（${error.message}），请稍后重试或按下方链接浏览。`;
  throw error;
});

function readState() {
  const params = new URLSearchParams(location.search);
  const filters = {};
  for (const key of keys) {
    // A filter row's "不限" sends an empty value: no filter.
    const values = params.getAll(key).filter((v) => v !== "");
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

// The excerpt of a card's text around the query, matches in <mark>.
function excerptNodes(pieces) {
  return pieces.map(([text, marked]) => (marked ? element("mark", "", text) : document.createTextNode(text)));
}

function card(data, parts) {
  const article = element("article", "card");
  const kind = element("p", "card-kind");
  kind.append(element("span", "tag", data.kind));
  const title = element("h3");
  const link = element("a", "", data.title);
  link.href = data.url;
  title.append(link);
  const text = element("p", "card-summary");
  const pieces = parts.length ? excerpt(data.text, parts) : null;
  if (pieces) text.append(...excerptNodes(pieces));
  else text.textContent = data.summary;
  article.append(kind, title, element("p", "card-unit", data.unit));
  article.append(element("p", "card-meta", `${data.region} · ${data.year}年`), text);
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

async function showMore(parts, ticket) {
  const page = results.slice(shown, shown + PAGE);
  const datas = await Promise.all(page.map((r) => index.doc(r.id)));
  if (ticket !== latest) return;
  list.append(...datas.map((data) => card(data, parts)));
  shown += page.length;
  more.hidden = shown >= results.length;
}

async function run() {
  const state = readState();
  const ticket = ++latest;
  input.value = state.q;
  status.textContent = "正在检索…";
  root.setAttribute("aria-busy", "true");
  const found = await index.search(state.q, state.filters);
  if (ticket !== latest) return;
  results = found.results;
  shown = 0;
  list.replaceChildren();
  showFacets(state, found.counts);
  const chosen = Object.values(state.filters).flat();
  clear.hidden = !state.q && !chosen.length;
  const what = [state.q && `“${state.q}”`, ...chosen].filter(Boolean).join(" + ");
  status.textContent = `${what ? `${what}：` : ""}找到 ${results.length} 个案例`;
  await showMore(parseQuery(state.q), ticket);
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
// Facet values are links that act as toggle buttons (aria-pressed): Space presses them too.
root.querySelector(".facets").addEventListener("keydown", (event) => {
  const link = event.target.closest("a[data-key]");
  if (!link || event.key !== " ") return;
  event.preventDefault();
  link.click();
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  go({ ...readState(), q: input.value.trim() });
});
clear.addEventListener("click", () => go({ q: "", filters: {} }));
more.addEventListener("click", () => showMore(parseQuery(readState().q), latest));
addEventListener("popstate", run);
run();
