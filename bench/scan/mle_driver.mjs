// Node driver for the scan benchmark's peer: reads every Markdown and HTML
// file under DIR with npm markdown-link-extractor (pinned in package.json)
// and prints one JSON line: files, bytes, links, extract_seconds.
//
//   node scan/mle_driver.mjs DIR
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const markdownLinkExtractor = require("markdown-link-extractor");

function* markdownFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* markdownFiles(path);
    else if (/\.(md|markdown|mdx|html|htm)$/.test(entry.name)) yield path;
  }
}

const root = process.argv[2];
if (!root) {
  console.error("usage: node scan/mle_driver.mjs DIR");
  process.exit(1);
}
const started = process.hrtime.bigint();
let files = 0, bytes = 0, links = 0;
for (const path of markdownFiles(root)) {
  const text = readFileSync(path, "utf8");
  files += 1;
  bytes += Buffer.byteLength(text);
  links += markdownLinkExtractor(text).length;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ files, bytes, links, extract_seconds: seconds }));
