// Loads gateway pages in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// and fails on a console error, an uncaught exception, a failed request or any request outside
// the gateway. Keeps a full-page screenshot of each page in <outdir>. A file:// base loads files
// (bench --html reports); then nothing outside that directory may be requested.
//   node check_pages.mjs <gateway base URL | file:///dir> <outdir> <path>...
// Prints one line per page: "page <path>: ok, <n> requests, title <title>, <facts>".
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, outdir, ...paths] = process.argv.slice(2);
if (!base || !outdir || paths.length === 0) {
  console.error("usage: node check_pages.mjs <base URL> <outdir> <path>...");
  process.exit(2);
}
const allowed = base.startsWith("file:") ? base + "/" : new URL(base).origin + "/";
const profile = mkdtempSync(join(tmpdir(), "llmgw-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
  viewport: { width: 1100, height: 900 },
});
let failures = 0;
try {
  for (const path of paths) {
    const page = await context.newPage();
    const problems = [];
    const requests = [];
    page.on("console", (m) => { if (m.type() === "error") problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
    page.on("request", (r) => requests.push(r.url()));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    const answer = await page.goto(base + path, { waitUntil: "load" });
    // A file:// page has no HTTP status to check.
    if (!base.startsWith("file:") && (!answer || answer.status() !== 200)) problems.push(`status ${answer && answer.status()}`);
    for (const url of requests)
      if (!url.startsWith(allowed) && !url.startsWith("data:")) problems.push(`request outside the gateway: ${url}`);
    // What a reader sees: sections of the docs page, operations and schemas of the reference.
    const facts = await page.evaluate(() => ({
      title: document.title,
      endpoints: document.querySelectorAll("h3 .m").length,
      copy: document.querySelectorAll(".ex button").length,
      operations: document.querySelectorAll("details[id]:not([id^=schema-])").length,
      schemas: document.querySelectorAll("details[id^=schema-]").length,
      charts: document.querySelectorAll("svg.chart").length,
      warnings: Array.from(document.querySelectorAll(".warn")).map((e) => e.textContent).join(" | "),
    }));
    const shot = join(outdir, "page" + (path === "/" ? "-root" : path.replaceAll("/", "-")) + ".png");
    if (facts.operations > 0) await page.locator("details[id]").first().evaluate((d) => { d.open = true; });
    await page.screenshot({ path: shot, fullPage: true });
    if (problems.length) {
      failures++;
      console.log(`page ${path}: FAILED\n  ` + problems.join("\n  "));
    } else {
      console.log(`page ${path}: ok, ${requests.length} requests, title ${facts.title}, endpoints ${facts.endpoints}, ` +
                  `copy ${facts.copy}, operations ${facts.operations}, schemas ${facts.schemas}, charts ${facts.charts}, ` +
                  `warnings [${facts.warnings}], screenshot ${shot}`);
    }
    await page.close();
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);
