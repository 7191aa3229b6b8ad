// `npm run bench`: the model lab's first paint in headless Chromium (the built dist/webview/lab.js in
// the e2e stand-in page): from navigation to the MNIST convnet's maps drawn, the lab's own
// `data-first-paint` (performance.now() when the first maps were on screen). Median of 5 fresh pages
// on the CPU backend (the lab's default). Goal: < 1 s. Skipped when Chromium or Playwright is missing.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.SHAPE_LENS_CHROMIUM || '/usr/bin/chromium';

async function main() {
  let playwright;
  try {
    const { loadPlaywright } = await import('../test/vscode/run-code-server.mjs');
    playwright = loadPlaywright();
  } catch {
    playwright = null;
  }
  if (!playwright || !existsSync(CHROMIUM) || !existsSync(join(ROOT, 'dist/webview/lab.js'))) {
    console.log('\nModel lab first paint skipped: needs Chromium, playwright-core (npm run test:vscode:setup) and `node esbuild.mjs`.');
    return;
  }
  const { CHROMIUM_ARGS } = await import('../test/vscode/run-code-server.mjs');
  const { pageHtml, targetsOf } = await import('../test/e2e/page.mjs');
  const [target] = await targetsOf(join(ROOT, 'test/fixtures/python/mnist_convnet.py'));
  const url = pageHtml('lab');
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const paints = [];
  try {
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage();
      await page.goto(url);
      await page.evaluate((t) => window.postMessage({ type: 'lab', target: t }, '*'), target);
      await page.locator('#app[data-ready="yes"]').waitFor({ timeout: 60_000 });
      paints.push(Number(await page.locator('#app').getAttribute('data-first-paint')));
      await page.close();
    }
  } finally {
    await browser.close();
  }
  paints.sort((a, b) => a - b);
  console.log(`\nModel lab first paint (MNIST convnet, 7 layers, CPU backend, headless Chromium): median ${paints[2]} ms, ${paints[0]}–${paints[4]} ms over 5 pages (goal < 1,000 ms: ${paints[2] < 1000 ? 'met' : 'not met'})`);
}

await main();
