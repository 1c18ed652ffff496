// Where the case library's first result stands on a phone: loads each URL at 390×800 in
// the system Chromium, waits for the search to finish and prints one JSON line with the
// first result card's top edge and the viewport's height. Used by tests/a11y.rs.
import { launch } from "./browser.mjs";

const browser = await launch();
try {
  for (const url of process.argv.slice(2)) {
    const page = await browser.newPage();
    await page.setViewport({ width: 390, height: 800 });
    await page.goto(url, { waitUntil: "networkidle0" });
    await page.waitForSelector('.library[aria-busy="false"]');
    const found = await page.evaluate(() => ({
      top: document.querySelector(".results-list .card")?.getBoundingClientRect().top ?? null,
      height: innerHeight,
      filtersOpen: document.querySelector(".facets-panel").open,
    }));
    console.log(JSON.stringify({ url, ...found }));
    await page.close();
  }
} finally {
  await browser.close();
}
