// Opens a yuma report from disk in headless Chromium and says what a person would see.
// Usage: node check_report.mjs REPORT.html SCREENSHOT.png
// Prints one JSON object: console errors, page errors, every request the page made (none is
// allowed but the report file itself), the box of every chart's <svg> in page pixels, and the
// page size. tests/report_browser.rs judges it.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [report, screenshot] = process.argv.slice(2);
const executablePath = process.env.YUMA_CHROMIUM || '/usr/bin/chromium';
const profile = mkdtempSync(join(tmpdir(), 'yuma-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: 1500, height: 1000 },
  deviceScaleFactor: 1,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const result = { console_errors: [], page_errors: [], requests: [], charts: [] };
try {
  const page = context.pages()[0] || (await context.newPage());
  const url = pathToFileURL(resolve(report)).href;
  page.on('console', (m) => { if (m.type() === 'error') result.console_errors.push(m.text()); });
  page.on('pageerror', (e) => result.page_errors.push(String(e)));
  context.on('request', (r) => { if (r.url() !== url) result.requests.push(r.url()); });
  // Anything but the report itself is refused (and recorded above).
  await context.route('**/*', (route) =>
    route.request().url() === url ? route.continue() : route.abort());
  await page.goto(url, { waitUntil: 'load' });
  result.charts = await page.$$eval('figure.chart', (figures) => figures.map((f) => {
    const svg = f.querySelector('svg');
    const r = (svg || f).getBoundingClientRect();
    return { id: f.id, has_svg: !!svg, x: r.left + window.scrollX, y: r.top + window.scrollY,
      width: r.width, height: r.height };
  }));
  result.page = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
  }));
  await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
