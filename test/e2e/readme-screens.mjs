// Takes the README's screenshots in a real VS Code (code-server + Chromium), checking what each
// shows: diagnostics in the Problems panel, and the Shape Lens sidebar with the seed models.
//   node esbuild.mjs && node test/e2e/readme-screens.mjs
import { join } from 'node:path';
import { SCREENSHOTS, openFile, withWorkbench } from './screenshot.mjs';

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  await page.keyboard.type(title);
  await page.waitForTimeout(400);
  await page.keyboard.press('Enter');
}

await withWorkbench({ ext: '.', folder: 'test/vscode/workspace', viewport: { width: 1280, height: 800 } }, async (page) => {
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
