// Browser check in a real VS Code (code-server + headless Chromium): a person opens the seed model,
// sees the inlay hints on the layer lines and hovers a layer. Reads both from the DOM, saves
// screenshots under test/e2e/screenshots/, prints `N passed, N failed`.
//   node esbuild.mjs && node test/e2e/e2e.mjs
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, summary } from './check.mjs';
import { SCREENSHOTS, goTo, hoverAtCursor, labFrame, openFile, previewFrame, runCommand, withWorkbench } from './screenshot.mjs';

// The lab's check edits this workspace file in the editor and undoes it; whatever happens, the file on disk stays as it was.
const MNIST = 'test/vscode/workspace/mnist_convnet.py';
const mnistText = readFileSync(MNIST, 'utf8');

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

  await check('a size Shape Lens cannot follow is ? in the hints and the hover says why', async () => {
    await openFile(page, 'unknowns.py');
    await page.waitForFunction(() => document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent?.replace(/\u00a0/g, ' ').includes('(None, 26, 26, ?) · ? params'), null, { timeout: 20_000 });
    await goTo(page, 8, 17);
    const hover = (await hoverAtCursor(page)).replace(/\u00a0/g, ' ');
    assert.match(hover, /\(None, 28, 28, 1\) → \(None, 26, 26, \?\)/);
    assert.match(hover, /is not known to Shape Lens \(it is not Keras' None\): `?filters`? of conv2d is not a value Shape Lens could follow/);
    await page.screenshot({ path: join(SCREENSHOTS, 'hover-unknown.png') });
  });

  let frame;
  await check("the pooling preview opens on seed 001's MaxPooling2D with the layer's settings and shapes", async () => {
    await openFile(page, 'seed001.py');
    await page.waitForFunction(() => document.querySelector('.editor-group-container.active .monaco-editor .view-lines')?.textContent?.includes('params'), null, { timeout: 20_000 });
    await goTo(page, 6, 10);
    await runCommand(page, 'Shape Lens: Open Pooling Preview');
    await page.locator('.tabs-container .tab', { hasText: 'Pooling: max_pooling2d (line 6)' }).waitFor({ timeout: 20_000 });
    frame = await previewFrame(page);
    assert.match(await frame.locator('#title').innerText(), /max_pooling2d \(MaxPooling2D\)/);
    assert.match(await frame.locator('#layer-info').innerText(), /Line 6: \(None, 26, 26, 32\) → \(None, 13, 13, 32\)/);
    assert.equal(await frame.locator('#keras-shape-1').innerText(), '(None, 13, 13, 32)');
    assert.match(await frame.locator('#formula-1').innerText(), /height: ⌊\(26 − 2\)\/2⌋ \+ 1 = 13/);
    assert.match(await frame.locator('#params-compare').innerText(), /54,410 params with its 1 pooling layer; 216,650 without/);
    assert.match(await frame.locator('#status').innerText(), /tfjs 4\.\d+\.\d+ · backend: (webgl|cpu).* · pooling took \d+\.\d+ ms/);
    await page.screenshot({ path: join(SCREENSHOTS, 'pooling-layer.png') });
  });

  await check('seed 001 example in the panel: max 4 and average 2.5 for [[1, 3], [2, 4]], hovered window highlighted', async () => {
    if (!frame) throw new Error('no panel');
    await frame.selectOption('#input-select', 'seed');
    await frame.locator('#grid-1 .cell').first().waitFor();
    assert.equal(await frame.locator('#shape-1').innerText(), '2×2×1');
    assert.equal(await frame.locator('#grid-1 .cell').first().innerText(), '4');
    await frame.locator('#grid-1 .cell').first().hover();
    assert.deepEqual(await frame.locator('#grid-0 .cell.in-window').allInnerTexts(), ['1', '3', '2', '4']);
    assert.match(await frame.locator('#explain').innerText(), /max\(1, 3, 2, 4\) = 4/);
    await frame.selectOption('#s1-mode', 'avg');
    assert.equal(await frame.locator('#grid-1 .cell').first().innerText(), '2.5');
    await frame.locator('#grid-1 .cell').nth(1).hover();
    await frame.locator('#grid-1 .cell').first().hover();
    assert.equal(await frame.locator('#grid-0 .cell.in-window').count(), 4);
    assert.match(await frame.locator('#explain').innerText(), /\(1 \+ 3 \+ 2 \+ 4\) \/ 4 = 2\.5/);
    await page.screenshot({ path: join(SCREENSHOTS, 'pooling-seed.png') });
  });

  await check('an image picked from the workspace is pooled; a file that is not an image gets a clear message', async () => {
    if (!frame) throw new Error('no panel');
    for (const [name, expect] of [['stripes.png', /Loaded stripes\.png/], ['bad.png', /bad\.png is not an image/]]) {
      await frame.click('#pick-image');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(name);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
      await page.keyboard.press('Enter');
      await frame.locator('#image-message', { hasText: expect }).waitFor({ timeout: 15_000 });
    }
    assert.match(await frame.locator('#input-select').inputValue(), /image/);
    assert.equal(await frame.locator('#shape-0').innerText(), '24×32×3');
    assert.equal(await frame.locator('#image-message').getAttribute('role'), 'alert');
  });

  let lab;
  await check('the model lab opens from the code lens on the MNIST convnet: maps of 32, 32, 64, 64 channels with the editor’s shapes', async () => {
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'mnist_convnet.py');
    const lens = page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Open in model lab' }).first();
    await lens.waitFor({ timeout: 20_000 });
    await lens.click();
    await page.locator('.tabs-container .tab', { hasText: 'Model lab: model' }).waitFor({ timeout: 20_000 });
    lab = await labFrame(page);
    for (const [name, channels, shape] of [['conv2d', 32, '(None, 26, 26, 32)'], ['max_pooling2d', 32, '(None, 13, 13, 32)'], ['conv2d_1', 64, '(None, 11, 11, 64)'], ['max_pooling2d_1', 64, '(None, 5, 5, 64)']]) {
      const l = lab.locator(`section.layer[data-layer="${name}"]`);
      assert.equal(await l.locator('.keras-shape').innerText(), shape, name);
      assert.equal(await l.locator('.maps canvas').count(), channels, name);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-vscode.png') });
  });

  await check("a pooling layer in the lab opens the pooling preview on its real input; the preview's model path is the real one", async () => {
    if (!lab) throw new Error('no lab');
    await lab.locator('section.layer[data-layer="max_pooling2d_1"] button', { hasText: 'Open in pooling preview' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'Pooling: max_pooling2d_1 (real input)' }).waitFor({ timeout: 20_000 });
    const preview = await previewFrame(page);
    assert.equal(await preview.locator('#input-select').inputValue(), 'real');
    assert.equal(await preview.locator('#shape-0').innerText(), '11×11×64');
    assert.equal(await preview.locator('#keras-shape-1').innerText(), '(None, 5, 5, 64)');
    await preview.click('#use-model');
    await preview.locator('#real-path').waitFor({ timeout: 30_000 });
    assert.deepEqual(await preview.locator('#pipeline .shape').allInnerTexts(), ['26×26×32', '13×13×32', '11×11×64', '5×5×64']);
    await page.screenshot({ path: join(SCREENSHOTS, 'pooling-real-path.png') });
  });

  await check('the lab and the preview follow an edit of the model: Conv2D(32 → 16) re-exported, no stale shapes or params', async () => {
    if (!lab) throw new Error('no lab');
    // The file's editor, left of the lab and the preview.
    await page.locator('.tabs-container .tab', { hasText: 'mnist_convnet.py' }).first().click();
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor();
    await goTo(page, 8, 23);
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.type('16');
    const conv = lab.locator('section.layer[data-layer="conv2d"]');
    await conv.locator('.maps[data-channels="16"]').waitFor({ timeout: 30_000 });
    assert.equal(await conv.locator('.keras-shape').innerText(), '(None, 26, 26, 16)');
    assert.match(await conv.locator('.params').innerText(), /160 params/);
    assert.match(await lab.locator('section.layer[data-layer="conv2d_1"] .params').innerText(), /9,280 params/);
    // The pooling preview opened from the lab follows too: the model's params (160 + 9,280 + 16,010).
    const preview = await previewFrame(page);
    await preview.locator('#params-compare', { hasText: '25,450 params' }).waitFor({ timeout: 30_000 });
    // Back as it was, by undoing the typing in the file's editor (the workspace file is shared by the runs).
    await page.locator('.tabs-container .tab', { hasText: 'mnist_convnet.py' }).first().click();
    await goTo(page, 8, 23);
    const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines');
    for (let i = 0; i < 4 && !(await lines.innerText()).includes('Conv2D(32'); i++) await page.keyboard.press('Control+Z');
    await conv.locator('.maps[data-channels="32"]').waitFor({ timeout: 30_000 });
  });

  await check("the Pooling lab inside VS Code: seed 002's model trains 2 epochs on 1,000 digits with and without its pooling layers (8,861 / 477,341 params), both curves, the loss falls", async () => {
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, 'seed.py');
    // From the palette: the file has two models, picked in a quick pick.
    await runCommand(page, 'Shape Lens: Open in Model Lab');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'model_with_pooling' }).first().click();
    await page.locator('.tabs-container .tab', { hasText: 'Model lab: model_with_pooling' }).waitFor({ timeout: 20_000 });
    const lab = await labFrame(page);
    assert.match(await lab.locator('#lab-params').innerText(), /^8,861 params with its 3 pooling layers, 477,341 without them\. MACs per sample: 26\.4 M with pooling, 100 M without/);
    await lab.locator('#train-epochs').fill('2');
    await lab.locator('#train-epochs').dispatchEvent('change');
    assert.equal(await lab.locator('#train-count').inputValue(), '1000');
    await lab.locator('#train-start').click();
    await lab.locator('#pooling-lab[data-phase="done"]').waitFor({ timeout: 600_000 });
    for (const w of ['with', 'without']) {
      assert.equal(await lab.locator(`#chart-loss polyline.series.${w}.val`).getAttribute('data-points'), '2', w);
      const rows = lab.locator(`#epochs-${w} tbody tr`);
      assert.equal(await rows.count(), 2, w);
      const loss = async (i) => Number((await rows.nth(i).locator('td').allInnerTexts())[1]);
      assert.ok((await loss(1)) < (await loss(0)), `${w}: the loss falls`);
    }
    assert.match(await lab.locator('#params-without').innerText(), /^477,341 params/);
    // Trained in the lab's web worker (its script fetched from the extension's resources, started from a blob: URL), not the fallback.
    const status = await lab.locator('#train-status').innerText();
    assert.match(status, / · in a web worker \(tfjs cpu backend\)\.$/, status);
    console.log(`       ${status}`);
    await lab.locator('#chart-loss').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'lab-training-vscode.png') });
  });

  await check('a notebook: the status bar shows the model of the focused cell, the sidebar follows the notebook', async () => {
    // Quick Open, as openFile does, but a notebook has no text editor of its own to wait for.
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('magics.ipynb');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'magics.ipynb' }).first().waitFor();
    await page.keyboard.press('Enter');
    // Dense(2) on (None, 4): 4·2 + 2 = 10, added in the fourth cell (the workbench keeps hidden notebook editors too).
    await page.waitForFunction(() => [...document.querySelectorAll('.notebook-editor')].some((e) => e.textContent?.replace(/\u00a0/g, ' ').includes('(None, 2) · 10 params')), null, { timeout: 20_000 });
    // The sidebar follows the notebook as soon as it is active (no cell editor focused yet).
    await runCommand(page, 'Shape Lens: Show Model Summary');
    // Conv2D(8, 5) on 4×4×1: 5·5·1·8 + 8 = 208, the notebook's second model (no other workspace file has it);
    // the first: Dense(4) on 8 inputs 8·4 + 4 = 36, plus 10 = 46.
    await page.locator('.monaco-list-row', { hasText: 'Sequential · 208 params' }).first().waitFor({ timeout: 20_000 });
    await page.locator('.monaco-list-row', { hasText: 'Sequential · 46 params' }).first().waitFor({ timeout: 5_000 });
    // The status bar: the model of the line clicked in the fourth cell.
    await page.locator('.notebook-editor .view-line', { hasText: 'model.add(tf.keras.layers.Dense(2))' }).first().click();
    await page.locator('.statusbar-item', { hasText: '46 params' }).first().waitFor({ timeout: 10_000 });
  });
});

if (readFileSync(MNIST, 'utf8') !== mnistText) {
  writeFileSync(MNIST, mnistText);
  console.error(`  note: ${MNIST} was saved during the run; restored`);
}
summary();
