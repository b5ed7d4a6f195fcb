// replay_check.mjs WACZ URL TEXT: serves ReplayWeb.page (npm replaywebpage)
// and WACZ on loopback with Range/HEAD support, opens the
// <replay-web-page> embed for URL in headless Chromium (playwright-core,
// Debian's chromium; no host name resolves, so only loopback answers) and
// checks that the replayed page shows TEXT, that the WACZ was read and that
// the page's images decode (IGNORE_BROKEN=SUBSTRING names an image known not
// to be captured; at least one image must still decode).
// Prints "replayed URL: N images, M decoded" and exits 0; exits 1 with a
// reason, followed by the request/console log (printed live with
// REPLAY_DEBUG=1).
import { createServer } from "node:http";
import { statSync, createReadStream } from "node:fs";
import { dirname, join, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const [waczPath, archivedUrl, expectedText] = process.argv.slice(2);
if (!expectedText) {
  console.error("usage: node replay_check.mjs WACZ URL TEXT");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const rwp = join(here, "node_modules", "replaywebpage");
const started = Date.now();
const log = [];
const debug = (...parts) => {
  const line = `${Date.now() - started}ms ${parts.join(" ")}`;
  if (process.env.REPLAY_DEBUG) console.error(line);
  else log.push(line);
};
const fail = (msg) => {
  console.error(`FAIL: ${msg}`);
  if (log.length) console.error(log.join("\n"));
  process.exit(1);  // playwright kills the browser it launched on exit
};
setTimeout(() => fail("timed out after 90 s"), 90_000).unref();

const types = { ".js": "application/javascript", ".html": "text/html", ".wacz": "application/zip",
  ".json": "application/json", ".wasm": "application/wasm" };
const pageHtml = (body) => `<!doctype html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`;
// The embed registers "<replayBase>sw.js?serveIndex=1"; the warm-up must
// register that same script URL. A different one (plain sw.js) makes the
// embed start an update, and the embed's iframe can then load under the old
// worker and wait forever for a controller: the WACZ is never requested
// (about 1 run in 5 on the loaded 2-core machine).
// serviceWorker.ready would wait for a worker controlling this page, which
// is outside the scope, so poll the registration for its active worker.
const warmup = pageHtml(`<script>
  navigator.serviceWorker.register("/replay/sw.js?serveIndex=1", { scope: "/replay/" }).then((reg) => {
    const check = () => reg.active && reg.active.state === "activated" ?
      (document.title = "ready") : setTimeout(check, 100);
    check();
  }, (e) => { document.title = "error " + e; });
</script>`);
const embed = pageHtml(`<script src="/replay/ui.js"></script>
<replay-web-page style="display:block;width:1000px;height:800px" source="/archive.wacz"
  url="${archivedUrl}" replayBase="/replay/" embed="replayonly"></replay-web-page>`);

let waczRequests = 0;
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  debug("request:", req.method, req.url, req.headers.range || "");
  if (path === "/warmup.html" || path === "/embed.html") {
    res.writeHead(200, { "Content-Type": "text/html" });
    return res.end(path === "/warmup.html" ? warmup : embed);
  }
  let file;
  if (path === "/archive.wacz") {
    file = waczPath;
    waczRequests++;
  } else if (path.startsWith("/replay/")) {
    file = join(rwp, path.slice("/replay/".length) || "index.html");
  }
  if (!file || path.includes("..")) { res.writeHead(404); return res.end(); }
  let size;
  try { size = statSync(file).size; } catch { res.writeHead(404); return res.end(); }
  const headers = { "Content-Type": types[extname(file)] || "application/octet-stream",
    "Accept-Ranges": "bytes", "Service-Worker-Allowed": "/" };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || "");
  if (range && (range[1] !== "" || range[2] !== "")) {
    const start = range[1] === "" ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    const end = range[1] === "" || range[2] === "" ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start > end || start >= size) { res.writeHead(416, { "Content-Range": `bytes */${size}` }); return res.end(); }
    res.writeHead(206, { ...headers, "Content-Range": `bytes ${start}-${end}/${size}`, "Content-Length": end - start + 1 });
    if (req.method === "HEAD") return res.end();
    return createReadStream(file, { start, end }).pipe(res);
  }
  res.writeHead(200, { ...headers, "Content-Length": size });
  if (req.method === "HEAD") return res.end();
  createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/lib/chromium/chromium",
  // No name resolves, so nothing but the loopback server can be reached
  // (a proxy cannot do this: playwright forces loopback through it).
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
});
try {
  const context = await browser.newContext();
  context.on("serviceworker", (w) => debug("service worker:", w.url()));
  const page = await context.newPage();
  page.on("console", (m) => debug("console:", m.text()));
  page.on("pageerror", (e) => debug("pageerror:", e.message));
  page.on("framenavigated", (f) => debug("frame:", f.url()));
  page.on("response", (r) => r.status() >= 400 && debug("response:", r.status(), r.url()));
  await page.goto(`${origin}/warmup.html`);
  await page.waitForFunction(() => document.title !== "", null, { timeout: 20_000 })
    .catch(() => fail("the service worker did not activate within 20 s"));
  const title = await page.title();
  if (title !== "ready") fail(`service worker registration: ${title}`);
  await page.goto(`${origin}/embed.html`);
  // The replayed page is a nested frame under /replay/w/<coll>/<ts>mp_/URL.
  let frame = null;
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline && !frame) {
    for (const f of page.frames()) {
      if (f.url().includes("mp_/") && f.url().includes(archivedUrl.replace(/^https?:\/\//, ""))) {
        const text = await f.evaluate(() => document.body ? document.body.innerText : "").catch(() => "");
        if (text.includes(expectedText)) frame = f;
      }
    }
    if (!frame) await page.waitForTimeout(250);
  }
  if (!frame) fail(`the replayed page never showed "${expectedText}" (frames: ${page.frames().map((f) => f.url()).join(" ")})`);
  if (!waczRequests) fail("the page was shown but the WACZ was never read");
  await frame.waitForFunction(() => [...document.images].every((i) => i.complete), null, { timeout: 15_000 })
    .catch(() => fail("the replayed page's images did not finish loading within 15 s"));
  const images = await frame.evaluate(() => [...document.images]
    .filter((i) => i.getAttribute("src")).map((i) => [i.getAttribute("src"), i.naturalWidth]));
  const ignore = process.env.IGNORE_BROKEN;
  const decoded = images.filter(([, w]) => w > 0);
  const broken = images.filter(([src, w]) => !(w > 0) && !(ignore && src.includes(ignore)));
  console.log(`replayed ${archivedUrl}: ${images.length} images, ${decoded.length} decoded`);
  if (!decoded.length) fail(`no image decoded in the replayed page: ${JSON.stringify(images)}`);
  if (broken.length) fail(`images not decoded: ${JSON.stringify(broken)}`);
} finally {
  await browser.close();
  server.close();
}
