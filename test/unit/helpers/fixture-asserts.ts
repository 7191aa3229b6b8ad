// Assertions the fixture suites share: lines of a fixture, expected rows, totals, diagnostics.
import assert from 'node:assert/strict';
import type { JsonCount, JsonDiagnostic, JsonFile, JsonModel, JsonShape } from '../../../src/core/analysis';

/** 1-based line of the `nth` (1-based) occurrence of `needle` in `text`; fails loudly if absent. */
export function lineOf(text: string, needle: string, nth = 1): number {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `fixture text lacks occurrence ${nth} of ${JSON.stringify(needle)}`);
  }
  return text.slice(0, at).split('\n').length;
}

export interface Row {
  name?: string;
  className: string;
  /** `'?'` where the analysis cannot know it; null dims are Keras' None. */
  outputShape: JsonShape;
  params: JsonCount;
  trainableParams?: JsonCount;
  nonTrainableParams?: JsonCount;
}

export function modelNamed(json: JsonFile, name: string): JsonModel {
  const m = json.models.find((x) => x.name === name);
  assert.ok(m, `model "${name}" not found; models: ${JSON.stringify(json.models.map((x) => x.name))}`);
  return m;
}

/** The analyser's rows reduced to the fields `expected` specifies (names and the trainable split only where given). */
export function actualRows(m: JsonModel, expected: Row[]): Row[] {
  return m.layers.map((l, i) => {
    const e = expected[i];
    const r: Row = { className: l.className, outputShape: l.outputShape, params: l.params };
    if (e?.name !== undefined) r.name = l.name;
    if (e?.trainableParams !== undefined) r.trainableParams = l.trainableParams;
    if (e?.nonTrainableParams !== undefined) r.nonTrainableParams = l.nonTrainableParams;
    return r;
  });
}

export function assertRows(m: JsonModel, expected: Row[]): void {
  assert.deepEqual(actualRows(m, expected), expected, `rows of model "${m.name}"`);
}

export function assertTotals(m: JsonModel, total: JsonCount, trainable: JsonCount, nonTrainable: JsonCount): void {
  assert.deepEqual(
    { total: m.totalParams, trainable: m.trainableParams, nonTrainable: m.nonTrainableParams },
    { total, trainable, nonTrainable },
    `totals of model "${m.name}"`,
  );
}

export function allDiagnostics(json: JsonFile): JsonDiagnostic[] {
  return [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)];
}
