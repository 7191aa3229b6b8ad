// The browser checks' tiny runner: named checks that record a result, and the `N passed, N failed`
// summary line (exit code 1 unless every check passed and there was at least one).

const results = [];

export async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ok   ${name}`);
  } catch (e) {
    results.push({ name, ok: false });
    console.error(`  FAIL ${name}\n${e.stack ?? e}`);
  }
}

export function summary() {
  const passed = results.filter((r) => r.ok).length;
  console.log(`${passed} passed, ${results.length - passed} failed`);
  process.exitCode = passed === results.length && results.length > 0 ? 0 : 1;
}
