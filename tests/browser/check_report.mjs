// Opens an aekit report in headless Chromium (Debian's /usr/bin/chromium) and checks that the
// page is whole: every image decoded with a real size, the expected number of figures, no
// console error, no failed request, the metrics table filled. Writes a full-page screenshot.
//
//   node check_report.mjs REPORT.html SCREENSHOT.png EXPECTED_IMAGES
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [report, screenshot, expectedText] = process.argv.slice(2);
if (!report || !screenshot || !expectedText) {
  console.error('usage: node check_report.mjs REPORT.html SCREENSHOT.png EXPECTED_IMAGES');
  process.exit(2);
}
const expected = Number(expectedText);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed request: ${request.url().slice(0, 80)}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith('file:') && !url.startsWith('data:')) problems.push(`external request: ${url}`);
  });
  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  const images = await page.evaluate(() =>
    Array.from(document.images).map((img) => ({
      alt: img.alt,
      complete: img.complete,
      width: img.naturalWidth,
      height: img.naturalHeight,
      inline: img.src.startsWith('data:image/png;base64,'),
    })),
  );
  if (images.length !== expected) problems.push(`expected ${expected} images, found ${images.length}`);
  for (const image of images) {
    if (!image.complete || image.width === 0 || image.height === 0) {
      problems.push(`image not loaded: ${image.alt}`);
    }
    if (!image.inline) problems.push(`image not embedded: ${image.alt}`);
  }
  const rows = await page.evaluate(() => document.querySelectorAll('table tr').length);
  if (rows < 5) problems.push(`metrics table has ${rows} rows`);
  const empty = await page.evaluate(() =>
    Array.from(document.querySelectorAll('td')).filter((td) => td.textContent.trim() === '').length,
  );
  if (empty > 0) problems.push(`${empty} empty table cells`);
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`${images.length} images (${images.map((i) => `${i.width}x${i.height}`).join(', ')}), ${rows} table rows`);
} finally {
  await browser.close();
}
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log('report OK');
