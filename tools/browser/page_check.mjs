// page_check.mjs FILE SHOT [--filter VERDICT] [--min-images N]: opens the
// local page FILE (file://) in headless Chromium (playwright-core, Debian's
// chromium; no host name resolves) at 1280x900 and checks that it renders
// (a body with text), that every image with a src decodes (at least N of
// them, default 0), that the page is no wider than the window (no
// horizontal overflow at 1280 px), and that no request leaves file:// (nor
// data:). With --filter VERDICT (the HTML report), clicks that verdict's
// filter button and checks that exactly the rows of that verdict stay
// visible. Writes a PNG screenshot to SHOT and prints one summary line;
// exits 1 with a reason.
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const [file, shot] = args;
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (!shot) {
  console.error("usage: node page_check.mjs FILE SHOT [--filter VERDICT] [--min-images N]");
  process.exit(2);
}
const fail = (msg) => {
  console.error(`FAIL: ${file}: ${msg}`);
  process.exit(1);  // playwright kills the browser it launched on exit
};
setTimeout(() => fail("timed out after 60 s"), 60_000).unref();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/lib/chromium/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--allow-file-access-from-files", "--host-resolver-rules=MAP * ~NOTFOUND"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const outside = [];
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith("file://") && !url.startsWith("data:")) outside.push(url);
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  await page.waitForFunction(() => [...document.images].every((i) => i.complete), null,
    { timeout: 15_000 }).catch(() => fail("images did not finish loading within 15 s"));
  const state = await page.evaluate(() => ({
    text: document.body ? document.body.innerText.trim().length : 0,
    images: [...document.images].filter((i) => i.getAttribute("src"))
      .map((i) => [i.getAttribute("src"), i.naturalWidth]),
    scrollWidth: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  if (!state.text) fail("the page shows no text");
  const broken = state.images.filter(([, w]) => !(w > 0));
  if (broken.length) fail(`images not decoded: ${JSON.stringify(broken)}`);
  const minImages = Number(option("--min-images") || 0);
  if (state.images.length < minImages) {
    fail(`${state.images.length} images, want at least ${minImages}`);
  }
  if (state.scrollWidth > state.width) {
    fail(`wider than the window: ${state.scrollWidth} px > ${state.width} px`);
  }
  let filtered = "";
  const verdict = option("--filter");
  if (verdict) {
    await page.click(`#summary button[data-filter="${verdict}"]`);
    // The filter applies on the hashchange event the click causes.
    await page.waitForFunction((v) => document.body.getAttribute("data-filter") === v,
      verdict, { timeout: 10_000 }).catch(() => fail(`filter ${verdict} was not applied`));
    const rows = await page.evaluate((v) => [...document.querySelectorAll("tr.link")]
      .map((r) => [r.getAttribute("data-verdict"), !r.hidden]), verdict);
    const wrong = rows.filter(([v, shown]) => shown !== (v === verdict));
    if (wrong.length || !rows.some(([, shown]) => shown)) {
      fail(`filter ${verdict}: rows shown ${JSON.stringify(rows)}`);
    }
    filtered = `, filter ${verdict}: ${rows.filter(([, s]) => s).length} rows`;
  }
  if (errors.length) fail(`script errors: ${errors.join("; ")}`);
  if (outside.length) fail(`requests outside file://: ${outside.join(" ")}`);
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`${file}: renders, ${state.images.length} images decoded, ` +
    `${state.scrollWidth} px wide${filtered}, no request outside file://`);
} finally {
  await browser.close();
}
