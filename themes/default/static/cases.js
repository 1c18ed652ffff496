// The case library (/cases/): keyword search and combinable filters over the site's
// search index (search.js). The query and the filters live in the URL (?q=…&region=…),
// so a view can be bookmarked and shared, and the back button steps through earlier
// views.

import { excerpt, openIndex } from "./search.js";

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
const chips = root.querySelector(".chips");
const sort = root.querySelector("#results-sort");
const hint = root.querySelector(".results-hint");
const panel = root.querySelector(".facets-panel");
const chosenCount = root.querySelector(".facets-chosen");
// On a phone the results come first and the filters wait, folded, below them.
if (matchMedia("(max-width: 48rem)").matches) panel.open = false;
const fallback = root.querySelector(".no-script");
fallback.hidden = true;
// The pages of every case are for browsers without JavaScript: here the search lists.
root.querySelector(".library-pager").hidden = true;
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
  return { q: (params.get("q") || "").trim(), filters, sort: params.get("sort") === "year" ? "year" : "" };
}

function address(state) {
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  for (const key of keys) for (const value of state.filters[key] || []) params.append(key, value);
  if (state.sort) params.set("sort", state.sort);
  const search = params.toString();
  return location.pathname + (search ? `?${search}` : "");
}

function go(state) {
  history.pushState(null, "", address(state));
  return run();
}

// A button that takes a condition away goes with it: focus moves on to the chip now in
// its place, or to the search box, not back to the top of the page.
async function goKeepingFocus(state, index = 0) {
  await go(state);
  const buttons = chips.querySelectorAll("button");
  (buttons[Math.min(index, buttons.length - 1)] || input).focus();
}

// Query words that name a filter value (a term's name or alias, a kind, a year) become
// that filter, shown as a chip; the other words stay the query. `装备制造 江苏` is the
// category and the region.
function lift(state) {
  const rest = [];
  const filters = { ...state.filters };
  for (const word of state.q.split(/\s+/).filter(Boolean)) {
    // Compared folded, so 江蘇 and ＡＩ name their terms too.
    const folded = index.foldText(word);
    const names = (a) => [a.dataset.value, ...(a.dataset.aliases || "").split("|")];
    const link = links.find((a) => names(a).some((n) => n && index.foldText(n) === folded));
    if (!link) {
      rest.push(word);
      continue;
    }
    const { key, value } = link.dataset;
    const values = filters[key] || [];
    if (!values.includes(value)) filters[key] = [...values, value];
  }
  return { ...state, q: rest.join(" "), filters };
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

// The card as listing pages show it (rendered by the theme's partials/card.html at
// build time), its summary replaced by the excerpt around the query when there is one.
function card(data, wanted) {
  const template = document.createElement("template");
  template.innerHTML = data.card;
  const article = template.content.firstElementChild;
  const pieces = wanted.length ? excerpt(data.text, wanted, index.fold) : null;
  const summary = article.querySelector(".card-summary");
  if (pieces && summary) summary.replaceChildren(...excerptNodes(pieces));
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

// The matches, then the related cases (every piece of the query, only scattered).
let results = [];
let matches = 0;
let shown = 0;
let latest = 0;

async function showMore(wanted, ticket) {
  const page = results.slice(shown, shown + PAGE);
  const datas = await Promise.all(page.map((r) => index.doc(r.id)));
  if (ticket !== latest) return;
  const cards = datas.map((data) => card(data, wanted));
  const split = matches - shown;
  if (split >= 0 && split < cards.length) {
    const heading = element("h3", "results-related", `相关结果（${results.length - matches} 个）：含有检索词的各部分，但不相连`);
    cards.splice(split, 0, heading);
  }
  list.append(...cards);
  shown += page.length;
  more.hidden = shown >= results.length;
  more.querySelector("button").textContent = `显示更多（还有 ${results.length - shown} 个）`;
}

// The chosen query and filters as buttons that each take one away.
function showChips(state) {
  const items = [];
  if (state.q) items.push([`“${state.q}”`, { ...state, q: "" }]);
  for (const [key, values] of Object.entries(state.filters)) {
    for (const value of values) {
      const filters = { ...state.filters, [key]: values.filter((v) => v !== value) };
      items.push([key === "year" ? `${value}年` : value, { ...state, filters }]);
    }
  }
  chips.replaceChildren(...items.map(([label, without], index) => {
    const button = element("button", "", `${label} ✕`);
    button.type = "button";
    button.setAttribute("aria-label", `去掉条件：${label}`);
    button.addEventListener("click", () => goKeepingFocus(without, index));
    const item = element("li");
    item.append(button);
    return item;
  }));
  chips.hidden = items.length === 0;
  const filterCount = items.length - (state.q ? 1 : 0);
  chosenCount.textContent = filterCount ? `（已选 ${filterCount} 项）` : "";
}

// With nothing found: a near spelling that finds something (您是不是要找 智能排产？), and
// the one condition to drop that gives the most cases.
async function showHint(state, ticket) {
  hint.replaceChildren();
  hint.hidden = true;
  if (matches) return;
  const suggestion = state.q && (await index.suggest(state.q));
  if (suggestion && (await index.search(suggestion, state.filters)).results.length && ticket === latest) {
    const button = element("button", "", suggestion);
    button.type = "button";
    button.addEventListener("click", () => goKeepingFocus({ ...state, q: suggestion }));
    const line = element("p", "", "您是不是要找 ");
    line.append(button, "？");
    hint.append(line);
    hint.hidden = false;
  }
  const options = [];
  for (const [key, values] of Object.entries(state.filters)) {
    for (const value of values) {
      const filters = { ...state.filters, [key]: values.filter((v) => v !== value) };
      const found = await index.search(state.q, filters);
      if (found.results.length) options.push([value, { ...state, filters }, found.results.length]);
    }
  }
  if (state.q) {
    const found = await index.search("", state.filters);
    if (found.results.length) options.push([`关键词“${state.q}”`, { ...state, q: "" }, found.results.length]);
  }
  if (ticket !== latest || !options.length) return;
  hint.hidden = false;
  options.sort((a, b) => b[2] - a[2]);
  hint.append(element("p", "", "没有同时符合全部条件的案例。去掉一个条件试试："));
  for (const [label, without, count] of options) {
    const button = element("button", "", `去掉${label}（${count} 个）`);
    button.type = "button";
    button.addEventListener("click", () => goKeepingFocus(without));
    hint.append(button);
  }
}

async function run() {
  let state = readState();
  const lifted = lift(state);
  if (lifted.q !== state.q) {
    // A query from the header's box or a link: its filter words become filters in place.
    history.replaceState(null, "", address(lifted));
    state = lifted;
  }
  const ticket = ++latest;
  input.value = state.q;
  status.textContent = "正在检索…";
  root.setAttribute("aria-busy", "true");
  const found = await index.search(state.q, state.filters);
  if (ticket !== latest) return;
  sort.value = state.sort;
  // Newest batch first; within a year, the search's own order.
  const sorted = (hits) => (state.sort === "year" ? [...hits].sort((a, b) => index.docs[b.id].year - index.docs[a.id].year) : hits);
  results = [...sorted(found.results), ...sorted(found.related)];
  matches = found.results.length;
  shown = 0;
  list.replaceChildren();
  showFacets(state, found.counts);
  const chosen = Object.values(state.filters).flat();
  clear.hidden = !state.q && !chosen.length;
  const what = [state.q && `“${state.q}”`, ...chosen].filter(Boolean).join(" + ");
  const related = results.length - matches;
  status.textContent = `${what ? `${what}：` : ""}找到 ${matches} 个案例${related ? `，另有 ${related} 个相关结果` : ""}`;
  showChips(state);
  await showMore(index.highlights(state.q), ticket);
  await showHint(state, ticket);
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
clear.addEventListener("click", () => goKeepingFocus({ q: "", filters: {}, sort: readState().sort }));
sort.addEventListener("change", () => go({ ...readState(), sort: sort.value }));
// Focus goes to the first of the cards just shown, where reading goes on.
more.addEventListener("click", async () => {
  const first = shown;
  await showMore(index.highlights(readState().q), latest);
  list.querySelectorAll(".card h3 a")[first]?.focus();
});
addEventListener("popstate", run);
run();
