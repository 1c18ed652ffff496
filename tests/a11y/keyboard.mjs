// Keyboard use, as a person without a mouse meets each page: loads each URL at phone
// (390 px) and desktop (1280 px) width in the system Chromium and presses Tab until focus
// comes round again. Prints one JSON line per page and width: the controls a person can
// see that Tab never reached, and those it reached without a visible focus indicator.
// With `--operate`, instead drives the case library (the first URL) by keys alone and
// prints what each step gave. Used by tests/a11y.rs.
import { launch } from "./browser.mjs";

const WIDTHS = [390, 1280];
const CONTROLS = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

async function open(browser, url, width) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 800 });
  await page.goto(url, { waitUntil: "networkidle0" });
  if (await page.$(".library")) await page.waitForSelector('.library[aria-busy="false"]');
  return page;
}

// Numbers every control a person can see and use (not disabled, not inside a folded
// <details> unless it is its summary, with a box on the page): their descriptions.
function markControls(selector) {
  const shown = (el) => {
    if (el.disabled || el.closest("[hidden], [inert]")) return false;
    const folded = el.closest("details:not([open])");
    if (folded && el !== folded.querySelector(":scope > summary")) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && el.getClientRects().length > 0;
  };
  // The skip link sits off screen until focused: it counts.
  return [...document.querySelectorAll(selector)]
    .filter((el) => shown(el) || el.classList.contains("skip"))
    .map((el, n) => {
      el.dataset.kb = n;
      return `${el.tagName.toLowerCase()} “${(el.textContent || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 30)}”`;
    });
}

// The focused control's number, and whether its focus can be seen (an outline or a ring).
function focused() {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const ring = style.boxShadow && style.boxShadow !== "none";
  return { id: el.dataset.kb ?? null, tag: el.tagName.toLowerCase(), visible: outline || Boolean(ring) };
}

async function walk(browser, url, width) {
  const page = await open(browser, url, width);
  const controls = await page.evaluate(markControls, CONTROLS);
  const reached = new Set();
  const unseen = new Set();
  for (let presses = 0; presses < controls.length + 10; presses++) {
    await page.keyboard.press("Tab");
    const at = await page.evaluate(focused);
    if (!at || at.id === null) continue;
    if (reached.has(at.id)) break;
    reached.add(at.id);
    if (!at.visible) unseen.add(controls[at.id]);
  }
  await page.close();
  const missed = controls.filter((_, n) => !reached.has(String(n)));
  return { url, width, controls: controls.length, missed, unseen: [...unseen] };
}

// Presses `key` on the element `selector` picks, after focusing it as Tab would.
async function press(page, selector, key) {
  await page.focus(selector);
  await page.keyboard.press(key);
  await page.waitForSelector('.library[aria-busy="false"]');
}

const state = (page) =>
  page.evaluate(() => ({
    url: location.search,
    chips: [...document.querySelectorAll(".chips button")].map((b) => b.textContent),
    cards: document.querySelectorAll(".results-list .card").length,
    panelOpen: document.querySelector(".facets-panel").open,
    focus: ["chips", "card"].find((c) => document.activeElement.closest(`.${c}`)) || document.activeElement.id || document.activeElement.tagName.toLowerCase(),
  }));

async function operate(browser, url) {
  const steps = {};
  const page = await open(browser, url, 1280);
  await page.focus("#library-q");
  await page.keyboard.type("江苏");
  await press(page, "#library-q", "Enter");
  steps.typed = await state(page);
  await press(page, ".chips button", "Enter");
  steps.chipRemoved = await state(page);
  await page.goto(`${url}?region=%E6%B1%9F%E8%8B%8F%E7%9C%81&year=2023`, { waitUntil: "networkidle0" });
  await page.waitForSelector('.library[aria-busy="false"]');
  await press(page, ".chips button", "Enter");
  steps.firstOfTwoRemoved = await state(page);
  await page.goto(url, { waitUntil: "networkidle0" });
  await page.waitForSelector('.library[aria-busy="false"]');
  const facet = '.facets a[data-key="category"]';
  await press(page, facet, " ");
  steps.facetSpace = await state(page);
  await press(page, facet, "Enter");
  steps.facetEnter = await state(page);
  await press(page, "#results-sort", "ArrowDown");
  steps.sorted = await state(page);
  await press(page, ".results-more button", "Enter");
  await page.waitForFunction(() => document.activeElement.closest(".card"), { timeout: 10000 }).catch(() => {});
  steps.more = await state(page);
  await page.close();
  const phone = await open(browser, url, 390);
  steps.phoneFolded = await state(phone);
  await phone.focus(".facets-panel summary");
  await phone.keyboard.press("Enter");
  steps.phoneOpened = await state(phone);
  await phone.close();
  return steps;
}

const browser = await launch();
try {
  const urls = process.argv.slice(2).filter((a) => a !== "--operate");
  if (process.argv.includes("--operate")) {
    console.log(JSON.stringify(await operate(browser, urls[0])));
  } else {
    for (const url of urls) for (const width of WIDTHS) console.log(JSON.stringify(await walk(browser, url, width)));
  }
} finally {
  await browser.close();
}
