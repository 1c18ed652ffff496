// What a visitor's browser downloads to search a built site: loads the site's own
// search.js in Node with `fetch` reading the output folder, and for each query reports
// the bytes fetched, startup (index.json) included for the first query of a fresh page.
// Usage: node benches/search-weight.mjs <output dir> [query …]
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, ...given] = process.argv.slice(2);
const queries = given.length ? given : ["智能排产", "数字孪生", "5G专网", "焊接", "故障预测", "AGV", "质量检测", "能耗", "汽车", "工业互联网"];
// Bytes as stored, and as a server that compresses (gzip) sends them.
let fetched = 0;
let zipped = 0;
globalThis.fetch = async (url) => {
  const bytes = readFileSync(join(dir, url.replace(/^\//, "")));
  fetched += bytes.length;
  zipped += gzipSync(bytes).length;
  return {
    ok: true,
    json: async () => JSON.parse(bytes.toString("utf8")),
    arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  };
};
const { openIndex } = await import(pathToFileURL(join(dir, "search.js")).href);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const firsts = [];
const alone = [];
const zippedFirsts = [];
for (const query of queries) {
  // A fresh page: the index, then the query.
  fetched = 0;
  zipped = 0;
  const index = await openIndex("/search/");
  const startup = fetched;
  const found = await index.search(query, {});
  firsts.push(fetched);
  zippedFirsts.push(zipped);
  alone.push(fetched - startup);
  console.log(`${query}: ${found.results.length} found; startup ${(startup / 1024).toFixed(0)} KB, query ${((fetched - startup) / 1024).toFixed(0)} KB, first query in all ${(fetched / 1024).toFixed(0)} KB`);
}
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(`median: query ${kb(median(alone))} (max ${kb(Math.max(...alone))}); first query with startup ${kb(median(firsts))}, gzip ${kb(median(zippedFirsts))}`);
