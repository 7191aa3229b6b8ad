// Second runner for machines that can download VS Code: the same tests module, run by
// @vscode/test-electron in a desktop VS Code. Offline it stops within seconds and points at
// run-code-server.mjs instead of hanging on the download.
//
//   node test/vscode/run-electron.mjs <extension dir> <tests module .js> <workspace folder> <result .json>
//
// Env: SHAPE_LENS_VSCODE_EXECUTABLE  use this VS Code binary (no download)
//      SHAPE_LENS_VSCODE_VERSION     version to download (default "stable")
// Linux without a display: run it under `xvfb-run -a`.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { reportResult } from './run-code-server.mjs';

const RESULT_ENV = 'SHAPE_LENS_TEST_RESULT'; // same name as in suite-runner.ts
const RELEASES_API = 'https://update.code.visualstudio.com/api/releases/stable';

function fail(msg) {
  console.error(`run-electron: ${msg}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

/** A VS Code already downloaded by @vscode/test-electron into ./.vscode-test (its default cache). */
function cachedVSCode() {
  const cache = resolve('.vscode-test');
  return existsSync(cache) && readdirSync(cache).some((n) => n.startsWith('vscode-'));
}

async function canDownload() {
  try {
    const r = await fetch(RELEASES_API, { signal: AbortSignal.timeout(5000) });
    return r.ok;
  } catch {
    return false;
  }
}

async function main() {
  const [extDir, testsModule, folder, resultArg] = process.argv.slice(2);
  if (!resultArg) {
    fail('usage: node test/vscode/run-electron.mjs <extension dir> <tests module .js> <workspace folder> <result .json>');
  }
  const ext = resolve(extDir), tests = resolve(testsModule), ws = resolve(folder), resultFile = resolve(resultArg);
  if (!existsSync(join(ext, 'package.json'))) fail(`no package.json in extension dir ${ext}`);
  if (!existsSync(tests)) fail(`tests module ${tests} not found (built?)`);
  if (!existsSync(ws)) fail(`workspace folder ${ws} not found`);

  const vscodeExecutablePath = process.env.SHAPE_LENS_VSCODE_EXECUTABLE || undefined;
  if (!vscodeExecutablePath && !cachedVSCode() && !(await canDownload())) {
    fail('cannot download VS Code (no connection to update.code.visualstudio.com) and none is cached in ' +
      '.vscode-test/. Offline, run the same suite with: node test/vscode/run-code-server.mjs ' +
      `${extDir} ${testsModule} ${folder} ${resultArg}  (after test/vscode/setup-code-server.sh), ` +
      'or set SHAPE_LENS_VSCODE_EXECUTABLE to a local VS Code.');
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.error('run-electron: no DISPLAY; if VS Code fails to start, run this under `xvfb-run -a`.');
  }

  rmSync(resultFile, { force: true });
  let exitCode;
  try {
    exitCode = await runTests({
      vscodeExecutablePath,
      version: process.env.SHAPE_LENS_VSCODE_VERSION || undefined,
      extensionDevelopmentPath: ext,
      extensionTestsPath: tests,
      extensionTestsEnv: { [RESULT_ENV]: resultFile },
      // Fresh profile, no other extensions, nothing that prompts.
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } catch (e) {
    // runTests rejects when VS Code exits non-zero (a failing suite rejects from run()).
    exitCode = e?.code ?? 1;
    if (!existsSync(resultFile)) fail(`VS Code run failed: ${e?.message ?? e}`);
  }
  if (!existsSync(resultFile)) fail(`VS Code exited (${exitCode}) without writing ${resultFile}`);
  const ok = reportResult(JSON.parse(readFileSync(resultFile, 'utf8')));
  process.exit(ok && exitCode === 0 ? 0 : 1);
}

main().catch((e) => fail(e?.stack ?? String(e)));
