// Takes the README's screenshots in a real VS Code (code-server + Chromium), checking what each
// shows: diagnostics in the Problems panel, and the Shape Lens sidebar with the seed models.
// and the model lab on the Keras MNIST convnet, and a hover with symbolic sizes. `--lab`: only the
// model lab's screenshots; `--preview`: only the pooling preview's (the lab's own lab.png is left
// as it is); `--symbolic`: only the symbolic sizes hover.
//   node esbuild.mjs && node test/e2e/readme-screens.mjs [--lab | --preview | --symbolic]
import { join } from 'node:path';
import { SCREENSHOTS, goTo, hoverAtCursor, labFrame, openFile, previewFrame, runCommand, withWorkbench } from './screenshot.mjs';

const ONLY_LAB = process.argv.includes('--lab');
const ONLY_PREVIEW = process.argv.includes('--preview');
const ONLY_SYMBOLIC = process.argv.includes('--symbolic');

if (!ONLY_LAB && !ONLY_PREVIEW && !ONLY_SYMBOLIC) await withWorkbench({ ext: '.', folder: 'test/vscode/workspace', viewport: { width: 1280, height: 800 } }, async (page) => {
  await openFile(page, 'broken.py');
  await page.waitForTimeout(1500);
  await runCommand(page, 'View: Focus Problems');
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'Negative dimension size' }).first();
  await problem.waitFor({ timeout: 20_000 });
  await page.screenshot({ path: join(SCREENSHOTS, 'diagnostics.png') });
  console.log('diagnostics.png: problem row shown');

  await openFile(page, 'seed.py');
  await page.waitForTimeout(1000);
  await runCommand(page, 'Shape Lens: Show Model Summary');
  const row = page.locator('.monaco-list-row', { hasText: 'max_pooling2d' }).first();
  await row.waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(SCREENSHOTS, 'sidebar.png') });
  console.log('sidebar.png: summary tree shown');
});

if (!ONLY_LAB && !ONLY_SYMBOLIC) await withWorkbench({ ext: '.', folder: 'test/vscode/workspace', viewport: { width: 1600, height: 1150 } }, async (page) => {
  await openFile(page, 'seed.py');
  await page.waitForTimeout(1500);
  await runCommand(page, 'View: Close Primary Side Bar');
  await page.keyboard.press('Control+G');
  await page.keyboard.type('30:20');
  await page.keyboard.press('Enter');
  await runCommand(page, 'Shape Lens: Open Pooling Preview');
  const frame = await previewFrame(page);
  // Seed 002's model: its three MaxPooling2D layers on the model's real path, params with and without pooling.
  await frame.click('#use-model');
  await frame.locator('#real-path').waitFor({ timeout: 60_000 });
  await frame.locator('#params-compare', { hasText: '477,341' }).waitFor();
  // Stage 2: its real input (after the conv in between) beside the output it pools into.
  await frame.locator('#between-2').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  const grid = frame.locator('#grid-3');
  const box = await grid.boundingBox();
  await page.mouse.move(box.x + box.width * 0.585, box.y + box.height * 0.52, { steps: 4 });
  await frame.locator('#grid-2 .hl-window').waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, 'pooling-model.png') });
  console.log('pooling-model.png: seed 002 pooling layers on the real path, stage 2 input and output side by side, hovered window');

  // Seed 000's pipeline: a 28×28×3 picture → MaxPool 2×2 → AvgPool 2×2, in RGB (chained: back to this layer, one stage added).
  await frame.click('#reset');
  await frame.selectOption('#input-select', 'colour');
  await frame.click('#add-stage');
  await frame.selectOption('#s2-mode', 'avg');
  await frame.selectOption('#view-select', 'rgb');
  await frame.locator('#pair-1').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  const cell = frame.locator('#grid-2 .cell').nth(17);
  await cell.hover();
  await frame.locator('#grid-1-2 .hl-window').waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, 'pooling-pipeline.png') });
  console.log('pooling-pipeline.png: seed 000 pipeline, hovered window');

  // The translation demo: the digit moved 1 px right, max vs average pooling's changed outputs.
  await frame.click('#s2-remove');
  await frame.selectOption('#s1-mode', 'max');
  await frame.selectOption('#input-select', 'digit');
  await frame.click('#shift-right');
  await frame.locator('#shift-max', { hasText: '28 of 196' }).waitFor();
  await frame.locator('#stage-1').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  const out = await frame.locator('#grid-1').boundingBox();
  await page.mouse.move(out.x + out.width * 0.55, out.y + out.height * 0.3, { steps: 4 });
  await frame.locator('#grid-0 .hl-window').waitFor();
  await page.screenshot({ path: join(SCREENSHOTS, 'pooling-translation.png') });
  console.log('pooling-translation.png: the digit shifted 1 px right, max vs average pooling');
});

if (!ONLY_SYMBOLIC) await withWorkbench({ ext: '.', folder: 'test/vscode/workspace', viewport: { width: 1600, height: 1150 } }, async (page) => {
  await openFile(page, 'mnist_convnet.py');
  await page.waitForTimeout(1500);
  await runCommand(page, 'View: Close Primary Side Bar');
  // The palette command: the file has one model, so no quick pick.
  await runCommand(page, 'Shape Lens: Open in Model Lab');
  const lab = await labFrame(page);
  // Digit 2 (the third sample), then the maps of the first conv and pooling layers in view.
  await lab.click('#digit-next');
  await lab.click('#digit-next');
  await lab.locator('#input-label', { hasText: 'digit 2' }).waitFor();
  await lab.locator('#app[data-ready="yes"]').waitFor();
  await page.waitForTimeout(500);
  if (!ONLY_PREVIEW) {
    await page.screenshot({ path: join(SCREENSHOTS, 'lab.png') });
    console.log('lab.png: MNIST convnet maps in the model lab');
  }

  // A pooling layer's real input in the pooling preview, then the model's real path.
  await lab.locator('section.layer[data-layer="max_pooling2d_1"] button', { hasText: 'Open in pooling preview' }).click();
  const preview = await previewFrame(page);
  await preview.click('#use-model');
  await preview.locator('#real-path').waitFor({ timeout: 30_000 });
  // Stage 2's output cell [3, 2]: its window lies in the conv output 11×11×64, not in stage 1's output.
  await preview.locator('#between-2').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await preview.locator('#grid-3 .cell').nth(17).hover();
  await preview.locator('#grid-2 .hl-window').waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SCREENSHOTS, 'lab-pooling-real.png') });
  console.log('lab-pooling-real.png: the real path 26×26×32 → 13×13×32 → 11×11×64 → 5×5×64');
});

// Symbolic sizes: Input(shape=(None, None, 3)) → Conv2D(32, 3): the hover's Sizes line and Assume links, the hints' formulas.
if (!ONLY_LAB && !ONLY_PREVIEW) await withWorkbench({ ext: '.', folder: 'test/vscode/workspace', viewport: { width: 1300, height: 900 } }, async (page) => {
  await openFile(page, 'open_sizes.py');
  await page.waitForTimeout(1500);
  await runCommand(page, 'View: Close Primary Side Bar');
  await goTo(page, 6, 14);
  const text = await hoverAtCursor(page);
  for (const want of ['Sizes: (None, H − 2, W − 2, 32)', 'Assume H = …', 'Assume W = …']) {
    if (!text.includes(want)) throw new Error(`hover-symbolic.png: the hover lacks ${JSON.stringify(want)}:\n${text}`);
  }
  await page.screenshot({ path: join(SCREENSHOTS, 'hover-symbolic.png') });
  console.log('hover-symbolic.png: Sizes line, Assume links, hints with H and W');
});
