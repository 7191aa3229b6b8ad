// Runs the bundled unit tests (out/test/unit, built by `node esbuild.mjs --tests`) with node's
// built-in test runner and prints its summary; exit code is the runner's.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function list(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? list(p) : n.endsWith('.test.js') ? [p] : [];
  });
}
const files = list('out/test/unit');
if (files.length === 0) {
  console.error('no test files found in out/test/unit');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
