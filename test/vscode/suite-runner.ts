// A tiny test runner for suites that run inside a real VS Code extension host (no mocha needed):
// register tests with `test(name, fn)`, then `export function run() { return runSuite(); }`.
// Writes {passed, failed, failures:[{name, message}], tests:[...]} as JSON for the launching script.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One registered test: an async function that throws (e.g. an assert) to fail. */
interface TestCase {
  name: string;
  fn: () => unknown;
  timeoutMs: number;
}

/** What the launching script reads (run-code-server.mjs prints it; run-electron.mjs reads the exit code). */
export interface SuiteResult {
  passed: number;
  failed: number;
  failures: { name: string; message: string }[];
  tests: { name: string; ok: boolean; ms: number }[];
}

const tests: TestCase[] = [];

/** Registers a test. `timeoutMs` bounds one test so a hung promise cannot stall the whole run. */
export function test(name: string, fn: () => unknown, timeoutMs = 30_000): void {
  tests.push({ name, fn, timeoutMs });
}

/** Env var naming the result file; both runners set it. */
export const RESULT_ENV = 'SHAPE_LENS_TEST_RESULT';

function withTimeout(p: Promise<unknown>, ms: number, name: string): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${name}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Runs every registered test in order (filtered by the SHAPE_LENS_TEST_GREP substring, if set),
 * logs one line per test, writes the result JSON (to $SHAPE_LENS_TEST_RESULT, else `resultFile`),
 * and rejects if any test failed, so @vscode/test-electron sees a non-zero exit code too.
 */
export async function runSuite(resultFile?: string): Promise<SuiteResult> {
  const grep = process.env.SHAPE_LENS_TEST_GREP;
  const result: SuiteResult = { passed: 0, failed: 0, failures: [], tests: [] };
  for (const t of tests) {
    if (grep && !t.name.includes(grep)) continue;
    const start = Date.now();
    try {
      await withTimeout(Promise.resolve().then(t.fn), t.timeoutMs, t.name);
      result.passed++;
      result.tests.push({ name: t.name, ok: true, ms: Date.now() - start });
      console.log(`  ok   ${t.name}`);
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      result.failed++;
      result.failures.push({ name: t.name, message });
      result.tests.push({ name: t.name, ok: false, ms: Date.now() - start });
      console.error(`  FAIL ${t.name}\n${message}`);
    }
  }
  const out = process.env[RESULT_ENV] || resultFile;
  if (out) {
    // Write-then-rename: the launcher polls for the file and must never read half of it.
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(`${out}.tmp`, JSON.stringify(result, null, 2));
    renameSync(`${out}.tmp`, out);
  }
  console.log(`${result.passed} passed, ${result.failed} failed`);
  if (result.failed > 0) throw new Error(`${result.failed} test(s) failed`);
  return result;
}
