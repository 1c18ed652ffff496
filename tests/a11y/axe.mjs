// Runs axe-core (WCAG 2.1 A and AA rules) on each URL given, in the system Chromium at a
// phone and a desktop width, and prints one JSON line per page with its serious and
// critical violations. Used by tests/a11y.rs; `npm ci` here installs what it needs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launch } from "./browser.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const browser = await launch();
try {
  for (const url of process.argv.slice(2)) {
    for (const width of [390, 1280]) {
      const page = await browser.newPage();
      await page.setViewport({ width, height: 900 });
      await page.goto(url, { waitUntil: "networkidle0" });
      await page.evaluate(axeSource);
      const result = await page.evaluate(() =>
        axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }));
      const violations = result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
      console.log(JSON.stringify({ url, width, violations }));
      await page.close();
    }
  }
} finally {
  await browser.close();
}
