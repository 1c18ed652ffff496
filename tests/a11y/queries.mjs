// The search regression suite's runner: opens the case library of the site served at
// the first argument in the system Chromium, loads its own search engine (search.js) and
// index there, and runs each query of the JSON file named by the second argument
// ([{query, filters}]). Prints one JSON line per query: the cases found (as `kind/slug`,
// best first), the related ones after them, and the suggestion when nothing is found.
// Used by tests/search.rs.
import { readFileSync } from "node:fs";
import { launch } from "./browser.mjs";

const [base, file] = process.argv.slice(2);
const queries = JSON.parse(readFileSync(file, "utf8"));
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${base}cases/`, { waitUntil: "networkidle0" });
  const answers = await page.evaluate(async (base, queries) => {
    const { openIndex } = await import(`${base}search.js`);
    const index = await openIndex(`${base}search/`);
    const prefix = new URL(base).pathname;
    const id = async (hit) => (await index.doc(hit.id)).url.slice(prefix.length).replace(/\/$/, "");
    const answers = [];
    for (const { query, filters } of queries) {
      // A filter written as one value is a list of one.
      const chosen = Object.fromEntries(Object.entries(filters || {}).map(([k, v]) => [k, [].concat(v).map(String)]));
      const found = await index.search(query, chosen);
      answers.push({
        query,
        results: await Promise.all(found.results.map(id)),
        related: await Promise.all(found.related.map(id)),
        suggestion: found.results.length ? null : await index.suggest(query),
      });
    }
    return answers;
  }, base, queries);
  for (const answer of answers) console.log(JSON.stringify(answer));
} finally {
  await browser.close();
}
