// Browser check in a real VS Code (code-server + headless Chromium): a person opens the seed model,
// sees the inlay hints on the layer lines and hovers a layer. Reads both from the DOM, saves
// screenshots under test/e2e/screenshots/, prints `N passed, N failed`.
//   node esbuild.mjs && node test/e2e/e2e.mjs
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SCREENSHOTS, goTo, hoverAtCursor, openFile, withWorkbench } from './screenshot.mjs';

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ok   ${name}`);
  } catch (e) {
    results.push({ name, ok: false });
    console.error(`  FAIL ${name}\n${e.stack ?? e}`);
  }
}

await withWorkbench({ ext: '.', folder: 'test/vscode/workspace', viewport: { width: 1280, height: 800 } }, async (page) => {
  await openFile(page, 'seed.py');
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');

  await check('inlay hints are drawn at the end of the layer lines (seed 002 rows)', async () => {
    // Monaco draws spaces as U+00A0.
    await page.waitForFunction(() => document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ').includes('475,241 params'), null, { timeout: 20_000 });
    const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
    for (const row of ['→ (None, 222, 222, 10) · 280 params', '→ (None, 220, 220, 10) · 910 params', '→ (None, 475240) · 0 params', '→ (None, 1) · 475,241 params']) {
      assert.ok(text.includes(row), `${row} not drawn in:\n${text}`);
    }
  });

  await check('hovering a Conv2D shows shapes, the params formula and the arithmetic', async () => {
    await goTo(page, 13, 27);
    const hover = (await hoverAtCursor(page)).replace(/\u00a0/g, ' ');
    assert.match(hover, /\(None, 222, 222, 10\) → \(None, 220, 220, 10\)/);
    assert.match(hover, /3·3·10·10 \+ 10 = 910/);
    assert.match(hover, /⌊\(222 − 3\)\/1⌋ \+ 1 = 220/);
    await page.screenshot({ path: join(SCREENSHOTS, 'hover-conv2d.png') });
  });

  await check('the status bar shows the params of the model under the cursor', async () => {
    const item = page.locator('.statusbar-item', { hasText: 'params' }).first();
    await item.waitFor({ timeout: 10_000 });
    assert.match(await item.innerText(), /477,341 params/);
  });
});

const passed = results.filter((r) => r.ok).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exitCode = passed === results.length && results.length > 0 ? 0 : 1;
