// Invariants every analysis result must satisfy, checked by the robustness suites: strict
// structure (asserted at once) and numeric invariants (recorded, judged once per kind at the end).
import assert from 'node:assert/strict';
import type { JsonDiagnostic, JsonFile, JsonShape } from '../../../src/core/analysis';

/**
 * Invariant violations seen anywhere in this file, by kind, with the first few inputs that showed
 * them. The sweeps assert only "no throw"; the tests at the end turn each kind into one verdict.
 */
export const violations = new Map<string, { count: number; examples: string[] }>();
export function violation(kind: string, detail: string): void {
  const v = violations.get(kind) ?? { count: 0, examples: [] };
  v.count++;
  if (v.examples.length < (Number(process.env.SL_EXAMPLES) || 5)) v.examples.push(detail);
  violations.set(kind, v);
}

export const V = {
  internal: 'internal error caught by the analyser',
  negativeDim: 'negative dimension in an output shape',
  badDim: 'non-integer or non-finite dimension in an output shape',
  negativeCount: 'negative parameter count',
  badCount: 'non-integer or non-finite parameter count',
  split: 'trainable + non-trainable != params',
  sum: 'model total != sum of its rows',
  nullCount: 'a count is null in JSON (unknown must be "?")',
  unknownInTotal: 'a known model total although a row is unknown',
} as const;

function checkDim(d: unknown, where: string, s: JsonShape): void {
  if (d === null || d === '?') return;
  if (typeof d !== 'number' || !Number.isFinite(d) || !Number.isInteger(d)) violation(V.badDim, `${where}: ${JSON.stringify(s)} has ${String(d)}`);
  else if (d < 0) violation(V.negativeDim, `${where}: ${JSON.stringify(s)}`);
}

function checkShape(s: JsonShape, where: string): void {
  if (s === '?') return;
  assert.ok(Array.isArray(s), `${where}: shape is not an array`);
  const shapes = s.length > 0 && Array.isArray(s[0]) ? (s as unknown[][]) : [s as unknown[]];
  for (const one of shapes) {
    assert.ok(Array.isArray(one), `${where}: shape list holds a non-array`);
    for (const d of one) checkDim(d, where, s);
  }
}

function checkCount(n: unknown, where: string): void {
  if (n === '?') return;
  if (n === null) return violation(V.nullCount, where);
  if (typeof n !== 'number' || !Number.isFinite(n) || !Number.isInteger(n)) violation(V.badCount, `${where}: ${String(n)}`);
  else if (n < 0) violation(V.negativeCount, `${where}: ${n}`);
}

/** Checks the structure strictly and records the numeric invariants every result should satisfy. */
export function checkInvariants(json: JsonFile, label: string): void {
  assert.doesNotThrow(() => JSON.stringify(json), `${label}: JSON form is not serialisable`);
  const diags: JsonDiagnostic[] = [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)];
  for (const d of diags) {
    assert.ok(['error', 'warning', 'info'].includes(d.severity), `${label}: severity ${d.severity}`);
    assert.equal(typeof d.code, 'string', label);
    assert.equal(typeof d.message, 'string', label);
    assert.ok(d.line === null || (Number.isInteger(d.line) && d.line >= 1), `${label}: diagnostic line ${String(d.line)}`);
    if (d.code === 'internal') violation(V.internal, `${label}: ${d.message}`);
  }
  for (const m of json.models) {
    const where = `${label} / model ${m.name}`;
    assert.equal(typeof m.name, 'string', where);
    assert.ok(Array.isArray(m.layers), where);
    checkShape(m.outputShape, where);
    for (const n of [m.totalParams, m.trainableParams, m.nonTrainableParams]) checkCount(n, where);
    if (typeof m.totalParams === 'number' && typeof m.trainableParams === 'number' && typeof m.nonTrainableParams === 'number' && m.trainableParams + m.nonTrainableParams !== m.totalParams) {
      violation(V.split, `${where}: ${m.trainableParams} + ${m.nonTrainableParams} != ${m.totalParams}`);
    }
    for (const l of m.layers) {
      const lw = `${where} / layer ${l.name}`;
      assert.equal(typeof l.name, 'string', lw);
      assert.equal(typeof l.className, 'string', lw);
      assert.ok(l.line === null || (Number.isInteger(l.line) && l.line >= 1), `${lw}: line ${String(l.line)}`);
      checkShape(l.outputShape, lw);
      for (const n of [l.params, l.trainableParams, l.nonTrainableParams]) checkCount(n, lw);
      if (typeof l.params === 'number' && typeof l.trainableParams === 'number' && typeof l.nonTrainableParams === 'number' && l.trainableParams + l.nonTrainableParams !== l.params) {
        violation(V.split, `${lw}: ${l.trainableParams} + ${l.nonTrainableParams} != ${l.params}`);
      }
    }
    // Float sums lose precision above 2**53; only exact totals can be compared with their rows.
    if (typeof m.totalParams === 'number' && m.layers.some((l) => l.params === '?')) violation(V.unknownInTotal, `${where}: total ${m.totalParams}`);
    if (typeof m.totalParams === 'number' && m.totalParams <= Number.MAX_SAFE_INTEGER && m.layers.every((l) => l.params !== '?')) {
      const sum = m.layers.reduce((acc, l) => acc + (typeof l.params === 'number' ? l.params : 0), 0);
      if (sum !== m.totalParams) violation(V.sum, `${where}: total ${m.totalParams}, rows sum to ${sum}`);
    }
  }
}
