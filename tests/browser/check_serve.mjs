// Uses the aekit explorer (aekit serve) in headless Chromium as a person would: the scatter shows
// every test example, hovering a point shows its image and reconstruction, moving the crosshair
// changes the decoded image, two clicks give an interpolation strip. For codes wider than 2, one
// slider per dimension moves the decoded code; for a conditional model, choosing another class
// changes the decoded image. No console error, no failed or outside request. Saves a screenshot
// and checks that it is not blank.
//
//   node check_serve.mjs URL SCREENSHOT.png
import { chromium } from 'playwright-core';

const [url, screenshot] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error('usage: node check_serve.mjs URL SCREENSHOT.png');
  process.exit(2);
}
const origin = new URL(url).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const problems = [];
const check = (ok, message) => { if (!ok) problems.push(message); };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed request: ${request.url().slice(0, 80)}`));
  page.on('request', (request) => {
    const address = request.url();
    if (!address.startsWith(origin) && !address.startsWith('blob:') && !address.startsWith('data:')) {
      problems.push(`outside request: ${address}`);
    }
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.points !== undefined, null, { timeout: 20000 });
  const points = Number(await page.evaluate(() => document.body.dataset.points));
  check(points === 10000, `expected 10000 points on the scatter, found ${points}`);
  // The canvas really has them: coloured pixels.
  const coloured = await page.evaluate(() => {
    const canvas = document.getElementById('plot');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 200 || pixels[i + 2] < 200) ++n;
    return n;
  });
  check(coloured > 2000, `the scatter has only ${coloured} coloured pixels`);

  // A fingerprint of an image element's pixels (after it has loaded).
  const fingerprint = (selector) => page.evaluate(async (selector) => {
    const img = document.querySelector(selector);
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) sum = (sum * 31 + data[i]) % 1000000007;
    return { width: img.naturalWidth, height: img.naturalHeight, sum };
  }, selector);

  // Hovering a point shows that example and its reconstruction.
  const at = await page.evaluate(() => window.aekitExplorer.screenOf(0));
  await page.mouse.move(at.x, at.y);
  await page.waitForFunction(() => document.getElementById('hover').dataset.index !== undefined, null, { timeout: 10000 });
  const hovered = await fingerprint('#hover-image');
  const reconstructed = await fingerprint('#hover-reconstruction');
  check(hovered.width === 28 && reconstructed.width === 28,
        `hover images are ${hovered.width} and ${reconstructed.width} pixels wide, expected 28`);

  // Moving the crosshair decodes the code under it: another place, another image.
  const box = await page.locator('#plot').boundingBox();
  const decodedAt = async (fx, fy) => {
    const before = await page.evaluate(() => document.getElementById('decoded').dataset.code);
    await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height, { steps: 5 });
    await page.waitForFunction((b) => document.getElementById('decoded').dataset.code !== b, before, { timeout: 10000 });
    await page.waitForTimeout(300);  // the last of the coalesced requests lands
    return { code: await page.evaluate(() => document.getElementById('decoded').dataset.code),
             image: await fingerprint('#decoded') };
  };
  const first = await decodedAt(0.1, 0.1);
  const second = await decodedAt(0.9, 0.85);
  check(first.code !== second.code, 'the crosshair moved but the decoded code did not change');
  check(first.image.sum !== second.image.sum, 'the crosshair moved but the decoded image did not change');
  check(first.image.width === 28, `the decoded image is ${first.image.width} pixels wide, expected 28`);

  // Two clicked points give the path between them.
  const ends = await page.evaluate(() => {
    const { x, y } = window.aekitExplorer.state;
    let far = 1; let best = -1;
    for (let i = 1; i < x.length; ++i) {
      const d = (x[i] - x[0]) ** 2 + (y[i] - y[0]) ** 2;
      if (d > best) { best = d; far = i; }
    }
    return [window.aekitExplorer.screenOf(0), window.aekitExplorer.screenOf(far)];
  });
  await page.mouse.click(ends[0].x, ends[0].y);
  await page.mouse.click(ends[1].x, ends[1].y);
  await page.waitForFunction(() => document.getElementById('strip').dataset.ends !== undefined, null, { timeout: 10000 });
  const strip = await fingerprint('#strip');
  check(strip.width > 10 * 28 && strip.height >= 28, `the path strip is ${strip.width} x ${strip.height}`);

  // Wider codes: one slider per dimension, and moving one changes that dimension of the code.
  const info = await page.evaluate(() => window.aekitExplorer.state.info);
  let extra = '';
  if (info.latent_dim > 2) {
    const sliders = await page.locator('#sliders input').count();
    check(sliders === Math.min(info.latent_dim, 32), `expected ${Math.min(info.latent_dim, 32)} sliders, found ${sliders}`);
    const before = await page.evaluate(() => document.getElementById('decoded').dataset.code);
    const value = await page.evaluate((high) => {
      const input = document.querySelectorAll('#sliders input')[2];
      input.value = String(high);
      input.dispatchEvent(new Event('input'));
      return Number(input.value);
    }, info.ranges.high[2]);
    await page.waitForFunction((b) => document.getElementById('decoded').dataset.code !== b, before, { timeout: 10000 });
    await page.waitForTimeout(300);
    const code = JSON.parse(await page.evaluate(() => document.getElementById('decoded').dataset.code));
    check(Math.abs(code[2] - value) < 1e-6, `slider 2 set to ${value}, decoded code has ${code[2]}`);
    extra += `; ${sliders} sliders`;
  }
  // Conditional models: another class, another decoded image of the same code.
  if (info.classes > 0) {
    const options = await page.locator('#class option').count();
    check(options === info.classes, `expected ${info.classes} classes to choose from, found ${options}`);
    const before = await fingerprint('#decoded');
    const src = await page.evaluate(() => document.getElementById('decoded').src);
    await page.selectOption('#class', '1');
    await page.waitForFunction((s) => document.getElementById('decoded').src !== s, src, { timeout: 10000 });
    const after = await fingerprint('#decoded');
    check(before.sum !== after.sum, 'choosing another class did not change the decoded image');
    extra += `; ${options} classes`;
  }

  // The screenshot is not blank: many colours, much that is not background.
  const shot = await page.screenshot({ path: screenshot, fullPage: true });
  const look = await page.evaluate(async (data) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const pixels = g.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    let inked = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      if (pixels[i] + pixels[i + 1] + pixels[i + 2] < 600) ++inked;
    }
    return { colours: colours.size, inked: inked / (pixels.length / 4) };
  }, shot.toString('base64'));
  check(look.colours > 50 && look.inked > 0.02,
        `the screenshot looks blank: ${look.colours} colours, ${(100 * look.inked).toFixed(1)}% inked`);
  console.log(`${points} points, ${coloured} coloured pixels; hover 28x28; crosshair codes ${first.code} -> ${second.code}; ` +
              `strip ${strip.width}x${strip.height}${extra}; screenshot ${look.colours} colours, ${(100 * look.inked).toFixed(1)}% inked`);
} finally {
  await browser.close();
}
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log('explorer OK');
