// Browser-level helpers on the same code-server the in-editor runner uses: open a file in the
// workbench, hover a position like a person would, and save what the screen shows.
//
//   node test/e2e/screenshot.mjs --ext <extension dir> --folder <workspace> --file <path in workspace>
//        --line <1-based> --col <1-based> [--expect <text the hover must contain>] [--out <png>]
//
// Default --out: test/e2e/screenshots/hover.png. Exits non-zero if --expect is not in the hover.
// Also exported (withWorkbench, openFile, goTo, runCommand, previewFrame, labFrame, hoverAtCursor, hoverText) for e2e suites.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openWorkbench, startCodeServer, tail } from '../vscode/run-code-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = join(ROOT, 'test/e2e/screenshots');

/**
 * Starts code-server with `ext` loaded as the extension under development, opens `folder` in
 * headless Chromium, waits for the workbench, runs `fn(page)`, and always tears everything down.
 */
export async function withWorkbench({ ext, folder, viewport }, fn) {
  const server = await startCodeServer({ folder: resolve(folder) });
  let browser;
  try {
    const wb = await openWorkbench(server, { folder: resolve(folder), extensionDevelopmentPath: ext && resolve(ext) },
      { viewport, consoleLog: join(server.runDir, 'browser.log') });
    browser = wb.browser;
    const page = wb.page;
    // Ready = the explorer has listed the folder (the remote file system and extension host are up).
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    return await fn(page);
  } catch (e) {
    e.message += `\n--- code-server log, last lines:\n${tail(server.logFile, 20)}`;
    throw e;
  } finally {
    await browser?.close().catch(() => {});
    await server.kill();
    if (process.env.SHAPE_LENS_KEEP_RUN_DIR !== '1') rmSync(server.runDir, { recursive: true, force: true });
  }
}

/** Opens `relPath` (relative to the workspace folder) with Quick Open and waits for its editor tab. */
export async function openFile(page, relPath) {
  const base = relPath.split('/').pop();
  // The row whose file name is exactly `base` (Quick Open may rank a recently opened seed001.py above seed.py).
  const exact = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const tab = page.locator(`.tabs-container .tab.active[aria-label*="${base}"]`);
  const rows = page.locator('.quick-input-list .monaco-list-row');
  // A click on a row the list is redrawing can open another file or nothing (CI saw both): try again.
  for (let attempt = 0; ; attempt++) {
    await page.locator('.monaco-workbench').click({ position: { x: 5, y: 400 } }); // keyboard focus in the page
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(relPath);
    const row = rows.filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
    await row.waitFor();
    // The list re-sorts as its "recently opened" results arrive (a click then lands on another row): click once it stays the same for 300 ms.
    let before = '';
    for (let i = 0; i < 20; i++) {
      const now = (await rows.allTextContents()).join('|');
      if (now === before) break;
      before = now;
      await page.waitForTimeout(300);
    }
    await row.click();
    try {
      await tab.waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      if (attempt >= 2) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor();
}

/** Runs a palette command by its title. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The frame of the pooling preview webview (VS Code nests it in two iframes), once it has drawn. */
export async function previewFrame(page, timeout = 30_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (await f.locator('#app[data-shape-lens="pooling-preview"] #grid-1').count().catch(() => 0)) return f;
    }
    await page.waitForTimeout(250);
  }
  throw new Error('pooling preview webview not found among the page frames');
}

/** The frame of the model lab webview, once it has run its model. */
export async function labFrame(page, timeout = 60_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (await f.locator('#app[data-shape-lens="model-lab"][data-ready="yes"]').count().catch(() => 0)) return f;
    }
    await page.waitForTimeout(250);
  }
  throw new Error('model lab webview not found among the page frames');
}

/** Moves the cursor to a 1-based line and column with Go to Line (Ctrl+G). */
export async function goTo(page, line, col) {
  const input = page.locator('.quick-input-widget input');
  // Ctrl+G goes to whatever has focus, and the quick input closes when focus moves on: right after a
  // tab click, or while a webview beside redraws after an edit, the key can land elsewhere or the
  // input close before it is filled (CI saw both). Focus the active editor's text and try again.
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Control+G');
    try {
      await input.waitFor({ state: 'visible', timeout: 5_000 });
      await input.fill(`:${line}:${col}`, { timeout: 5_000 });
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      await page.keyboard.press('Escape');
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
    }
  }
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

/** Hovers the mouse over the character right of the cursor; returns the hover's text. */
export async function hoverAtCursor(page, { timeout = 10_000 } = {}) {
  const cursor = page.locator('.editor-group-container.active .monaco-editor .cursors-layer .cursor').first();
  await cursor.waitFor({ state: 'attached' });
  const box = await cursor.boundingBox();
  if (!box) throw new Error('editor cursor not visible');
  const x = box.x + 4, y = box.y + box.height / 2;
  await page.mouse.move(x + 200, y + 200);
  await page.mouse.move(x, y, { steps: 5 });
  return hoverText(page, { timeout });
}

/** Text of the visible editor hover (waits for one). */
export async function hoverText(page, { timeout = 10_000 } = {}) {
  const hover = page.locator('.monaco-editor .monaco-hover:not(.hidden) .monaco-hover-content').first();
  await hover.waitFor({ state: 'visible', timeout });
  // Let any fade-in finish so a screenshot shows the hover as a person sees it.
  await hover.evaluate((el) => {
    const root = el.closest('.monaco-resizable-hover') ?? el.closest('.monaco-hover') ?? el;
    const done = root.getAnimations({ subtree: true }).map((a) => a.finished.catch(() => {}));
    return Promise.race([Promise.all(done), new Promise((r) => setTimeout(r, 1000))]);
  });
  return (await hover.innerText()).trim();
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument: ${argv[i]}`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (!a.folder || !a.file || !a.line || !a.col) {
    console.error('usage: node test/e2e/screenshot.mjs --ext DIR --folder DIR --file REL --line N --col N [--expect TEXT] [--out PNG]');
    process.exit(2);
  }
  const out = resolve(a.out ?? join(SCREENSHOTS, 'hover.png'));
  mkdirSync(dirname(out), { recursive: true });
  const text = await withWorkbench({ ext: a.ext, folder: a.folder }, async (page) => {
    await openFile(page, a.file);
    await goTo(page, Number(a.line), Number(a.col));
    const t = await hoverAtCursor(page);
    await page.screenshot({ path: out });
    return t;
  });
  console.log(`hover: ${JSON.stringify(text)}`);
  console.log(`screenshot: ${out}`);
  if (a.expect !== undefined && !text.includes(a.expect)) {
    console.error(`expected the hover to contain ${JSON.stringify(a.expect)}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
