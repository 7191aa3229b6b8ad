// Runs an extension's test suite inside a real VS Code offline: code-server (installed by
// setup-code-server.sh) serves the workbench, headless Debian Chromium opens it with the test
// payload, and the suite (test/vscode/suite-runner.ts) writes a result JSON that this script prints.
//
//   node test/vscode/run-code-server.mjs <extension dir> <tests module .js> <workspace folder> <result .json>
//
// Env: SHAPE_LENS_CODE_SERVER_DIR  tools folder (default <repo>/.vscode-test/code-server)
//      SHAPE_LENS_TEST_TIMEOUT     seconds for the whole run (default 300)
//      SHAPE_LENS_TEST_GREP        run only tests whose name contains this
//      SHAPE_LENS_KEEP_RUN_DIR=1   keep the temp user-data dir and logs even on success
// Also exports startCodeServer / openWorkbench for test/e2e/ helpers.
import { spawn } from 'node:child_process';
import {
  closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TOOLS = resolve(process.env.SHAPE_LENS_CODE_SERVER_DIR || join(ROOT, '.vscode-test/code-server'));
const CODE_SERVER_ENTRY = join(TOOLS, 'node_modules/code-server/out/node/entry.js');
const CHROMIUM = process.env.SHAPE_LENS_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];
const RESULT_ENV = 'SHAPE_LENS_TEST_RESULT'; // same name as in suite-runner.ts

/** User settings for a quiet, deterministic workbench (no walkthroughs, tips, update or trust prompts). */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.commandCenter.enabled': false,
  'chat.disableAIFeatures': true,
  'files.hotExit': 'off',
  'window.restoreWindows': 'none',
  'editor.cursorBlinking': 'solid', // stable screenshots
  'workbench.reduceMotion': 'on', // no fade-ins caught half-way in screenshots
};

function fail(msg) {
  console.error(`run-code-server: ${msg}`);
  process.exit(1);
}

/** playwright-core from the tools folder (setup-code-server.sh), else from the project's node_modules. */
export function loadPlaywright() {
  for (const base of [join(TOOLS, 'package.json'), join(ROOT, 'package.json')]) {
    try {
      return createRequire(base)('playwright-core');
    } catch { /* try the next place */ }
  }
  throw new Error('playwright-core not found: run test/vscode/setup-code-server.sh');
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Last `n` lines of a text file ('' if missing). */
export function tail(file, n = 60) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts code-server on a free 127.0.0.1 port with a fresh user-data dir, extensions dir and
 * config (nothing is read from or written to ~/.config or ~/.local). `env` is added to the server's
 * environment, which the extension host inherits. Resolves once /healthz answers.
 */
export async function startCodeServer(opts = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCodeServerOnce(opts);
    } catch (e) {
      // The free port can be taken between probing and binding: retry on a new one.
      if (attempt >= 3 || !/EADDRINUSE/.test(e.message)) throw e;
    }
  }
}

async function startCodeServerOnce({ folder, env = {}, logFile } = {}) {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server not installed at ${TOOLS}: run test/vscode/setup-code-server.sh`);
  }
  const runDir = mkdtempSync(join(tmpdir(), 'shape-lens-code-server-'));
  const userDataDir = join(runDir, 'user-data');
  const extensionsDir = join(runDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify(SETTINGS, null, 2));
  const port = await freePort();
  const configFile = join(runDir, 'config.yaml');
  writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  logFile = logFile ?? join(runDir, 'code-server.log');
  mkdirSync(dirname(logFile), { recursive: true });
  const logFd = openSync(logFile, 'w');
  const args = [
    CODE_SERVER_ENTRY, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--disable-proxy', '--disable-file-downloads',
    '--ignore-last-opened', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    ...(folder ? [folder] : []),
  ];
  const child = spawn(process.execPath, args, {
    detached: true, // own process group: kill() takes the extension host and watchers with it
    stdio: ['ignore', logFd, logFd],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(runDir, 'xdg-config'),
      XDG_DATA_HOME: join(runDir, 'xdg-data'),
      XDG_CACHE_HOME: join(runDir, 'xdg-cache'),
      // No extension gallery (open-vsx by default): nothing to reach offline, no noisy failed queries.
      EXTENSIONS_GALLERY: '{}',
      ...env,
    },
  });
  closeSync(logFd);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const server = {
    port, runDir, logFile, userDataDir, child,
    base: `http://127.0.0.1:${port}`,
    get exited() { return exited; },
    /** `vscode-remote://` URI of a server-side path: the form the web workbench resolves on the server. */
    remote: (p) => `vscode-remote://127.0.0.1:${port}${resolve(p)}`,
    async kill() {
      if (exited) return;
      killGroup(child.pid, 'SIGTERM');
      for (let i = 0; i < 30 && !exited; i++) await sleep(100);
      if (!exited) killGroup(child.pid, 'SIGKILL');
    },
  };
  killOnExit(() => { if (!exited) killGroup(child.pid, 'SIGKILL'); });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${tail(logFile)}`);
    try {
      const r = await fetch(`${server.base}/healthz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`code-server did not answer on ${server.base} within 60 s:\n${tail(logFile)}`);
    }
    await sleep(200);
  }
  return server;
}

/**
 * Signals the process group led by `pid` (code-server was spawned detached, so it leads its own
 * group: the extension host and file watchers go with it). Guarded: a missing or tiny pid would
 * make process.kill(-pid) hit far more than our processes.
 */
function killGroup(pid, signal) {
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(-pid, signal);
  } catch { /* already gone */ }
}

const exitHooks = [];
let hooked = false;
/** Synchronous last-resort cleanup on exit / Ctrl-C, so no code-server outlives this process. */
function killOnExit(fn) {
  exitHooks.push(fn);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => { for (const f of exitHooks) f(); });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => { console.error(`run-code-server: ${sig}, stopping`); process.exit(130); });
  }
}

/** Workbench URL for `folder`, optionally with an extension under development and a tests module. */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', server.remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', server.remote(extensionTestsPath)]);
  const q = new URLSearchParams();
  if (folder) q.set('folder', resolve(folder));
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `${server.base}/?${q}`;
}

/** Launches headless Chromium and opens the workbench; browser console goes to `consoleLog`. */
export async function openWorkbench(server, opts, { consoleLog, viewport = { width: 1280, height: 800 } } = {}) {
  const { chromium } = loadPlaywright();
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run test/vscode/setup-code-server.sh`);
  // Playwright itself kills the browser it launched when this process exits or is interrupted.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport });
  const lines = [];
  page.on('console', (m) => lines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.stack ?? e}`));
  const flush = () => { if (consoleLog) writeFileSync(consoleLog, lines.join('\n') + '\n'); };
  await page.goto(workbenchUrl(server, opts));
  return { browser, page, consoleLines: lines, flushConsole: flush };
}

/**
 * Polls for a complete result JSON (the suite writes it with write-then-rename). Fails fast when
 * the extension host ends without one (tests module threw on load, run() never called the runner).
 */
async function waitForResult(resultFile, server, page, deadline) {
  let crashed = false;
  page.on('crash', () => { crashed = true; });
  let hostExitedAt = 0;
  for (;;) {
    if (existsSync(resultFile)) {
      try {
        return JSON.parse(readFileSync(resultFile, 'utf8'));
      } catch { /* partially written by a foreign writer; retry */ }
    }
    if (server.exited) throw new Error(`code-server exited during the run (${JSON.stringify(server.exited)})`);
    if (crashed) throw new Error('the workbench page crashed');
    if (!hostExitedAt) {
      const m = /Extension Host Process exited with code: (\S+)/.exec(tail(server.logFile, 200));
      if (m) hostExitedAt = Date.now();
    } else if (Date.now() - hostExitedAt > 3000) {
      throw new Error(`the extension host exited without writing ${resultFile}: the tests module failed to ` +
        'load, or its run() did not call runSuite() (see the browser console errors below)');
    }
    if (Date.now() > deadline) throw new Error(`timed out: no result in ${resultFile}`);
    await sleep(250);
  }
}

/** Error entries of the browser console, minus known offline noise. */
function consoleErrors(lines) {
  return lines.filter((l) => /^\[(error|pageerror)\]/.test(l) && !/open-vsx|ERR_NAME_NOT_RESOLVED|status of 404/.test(l));
}

async function main() {
  const [extDir, testsModule, folder, resultArg] = process.argv.slice(2);
  if (!resultArg) {
    fail('usage: node test/vscode/run-code-server.mjs <extension dir> <tests module .js> <workspace folder> <result .json>');
  }
  const ext = resolve(extDir), tests = resolve(testsModule), ws = resolve(folder), resultFile = resolve(resultArg);
  if (!existsSync(join(ext, 'package.json'))) fail(`no package.json in extension dir ${ext}`);
  if (!existsSync(tests)) fail(`tests module ${tests} not found (built?)`);
  if (!existsSync(ws) || !statSync(ws).isDirectory()) fail(`workspace folder ${ws} not found`);
  const timeoutS = Number(process.env.SHAPE_LENS_TEST_TIMEOUT || 300);
  rmSync(resultFile, { force: true });
  mkdirSync(dirname(resultFile), { recursive: true });
  const logBase = resultFile.replace(/\.json$/, '');
  const started = Date.now();

  let server, browser, result, error, consoleLines = [], flushConsole = () => {};
  try {
    server = await startCodeServer({
      folder: ws,
      logFile: `${logBase}.code-server.log`,
      env: { [RESULT_ENV]: resultFile },
    });
    const wb = await openWorkbench(server, {
      folder: ws, extensionDevelopmentPath: ext, extensionTestsPath: tests,
    }, { consoleLog: `${logBase}.browser.log` });
    browser = wb.browser;
    flushConsole = wb.flushConsole;
    consoleLines = wb.consoleLines;
    result = await waitForResult(resultFile, server, wb.page, started + timeoutS * 1000);
  } catch (e) {
    error = e;
  } finally {
    flushConsole();
    await browser?.close().catch(() => {});
    await server?.kill();
  }

  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (error || !result) {
    console.error(`run-code-server: ${error?.message ?? error}`);
    if (server) {
      console.error(`--- code-server log (${server.logFile}), last lines:\n${tail(server.logFile, 40)}`);
      const errors = consoleErrors(consoleLines);
      console.error(`--- browser console errors (all messages: ${logBase}.browser.log):\n${errors.slice(-10).join('\n')}`);
      for (const f of findExthostLogs(server.userDataDir)) console.error(`--- ${f}, last lines:\n${tail(f, 20)}`);
      console.error(`(user-data dir kept: ${server.runDir})`);
    }
    console.log(`0 passed, 1 failed`);
    process.exit(1);
  }
  if (server && process.env.SHAPE_LENS_KEEP_RUN_DIR !== '1') rmSync(server.runDir, { recursive: true, force: true });

  console.log(`(${secs} s; logs: ${logBase}.code-server.log, ${logBase}.browser.log)`);
  process.exit(reportResult(result) ? 0 : 1);
}

/**
 * Prints a suite result (suite-runner.ts format) in test order, then the closing line
 * `N passed, N failed`. Returns true when something ran and nothing failed.
 */
export function reportResult(result) {
  const failures = [...(result.failures ?? [])]; // pair with failed tests in order
  for (const t of result.tests ?? []) {
    if (t.ok) console.log(`ok   ${t.name} (${t.ms} ms)`);
    else console.log(`FAIL ${t.name} (${t.ms} ms)\n${indent(failures.shift()?.message ?? '')}`);
  }
  for (const f of failures) console.log(`FAIL ${f.name}\n${indent(f.message)}`);
  const passed = result.passed ?? 0, failed = result.failed ?? 0;
  if (passed + failed === 0) console.error('no tests ran');
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0;
}

function indent(s) {
  return String(s).split('\n').map((l) => `    ${l}`).join('\n');
}

/** Extension host logs of the run (where a suite's load errors end up). */
function findExthostLogs(userDataDir) {
  const out = [];
  const walk = (d) => {
    const names = existsSync(d) ? readdirSync(d) : [];
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^remoteexthost\.log$/.test(n)) out.push(p);
    }
  };
  walk(join(userDataDir, 'logs'));
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
