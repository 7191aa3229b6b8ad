// Table tests for the merge layer rules against tfjs-layers, plus Keras 3 error wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { run } from './helpers/layer';
import { oracle } from './helpers/tfjs-oracle';
import { UNKNOWN, type LayerConfig } from '../../src/core/config';
import type { OutputShape, RuleShape } from '../../src/core/shape';


interface TfRow { name: string; cls: string; cfg: LayerConfig; tfjs: () => tf.layers.Layer; inputs: RuleShape[] }

const tfRows: TfRow[] = [
  { name: 'Concatenate default axis', cls: 'Concatenate', cfg: {}, tfjs: () => tf.layers.concatenate({}), inputs: [[null, 4, 4, 3], [null, 4, 4, 5]] },
  { name: 'Concatenate axis=1', cls: 'Concatenate', cfg: { axis: 1 }, tfjs: () => tf.layers.concatenate({ axis: 1 }), inputs: [[null, 2, 5], [null, 3, 5], [null, 1, 5]] },
  { name: 'Concatenate axis=-2', cls: 'Concatenate', cfg: { axis: -2 }, tfjs: () => tf.layers.concatenate({ axis: -2 }), inputs: [[null, 7, 2, 5], [null, 7, 3, 5]] },
  { name: 'Concatenate None on concat axis', cls: 'Concatenate', cfg: { axis: 1 }, tfjs: () => tf.layers.concatenate({ axis: 1 }), inputs: [[null, null, 8], [null, 4, 8]] },
  { name: 'Concatenate None elsewhere', cls: 'Concatenate', cfg: {}, tfjs: () => tf.layers.concatenate({}), inputs: [[null, null, 8], [null, null, 2]] },
  { name: 'Add', cls: 'Add', cfg: {}, tfjs: () => tf.layers.add({}), inputs: [[null, 16], [null, 16]] },
  { name: 'Add three', cls: 'Add', cfg: {}, tfjs: () => tf.layers.add({}), inputs: [[null, 8, 8, 3], [null, 8, 8, 3], [null, 8, 8, 3]] },
  { name: 'Add broadcast 1', cls: 'Add', cfg: {}, tfjs: () => tf.layers.add({}), inputs: [[null, 4], [null, 1]] },
  { name: 'Add broadcast rank', cls: 'Add', cfg: {}, tfjs: () => tf.layers.add({}), inputs: [[null, 4], [null, 3, 4]] },
  { name: 'Add None', cls: 'Add', cfg: {}, tfjs: () => tf.layers.add({}), inputs: [[null, null, 4], [null, 5, 4]] },
  { name: 'Multiply', cls: 'Multiply', cfg: {}, tfjs: () => tf.layers.multiply({}), inputs: [[null, 10, 1], [null, 10, 6]] },
  { name: 'Average', cls: 'Average', cfg: {}, tfjs: () => tf.layers.average({}), inputs: [[null, 3, 3], [null, 3, 3]] },
  { name: 'Maximum', cls: 'Maximum', cfg: {}, tfjs: () => tf.layers.maximum({}), inputs: [[null, 12], [null, 12]] },
  { name: 'Minimum', cls: 'Minimum', cfg: {}, tfjs: () => tf.layers.minimum({}), inputs: [[null, 2, 12], [null, 1, 12]] },
  { name: 'Dot axes=1 on vectors', cls: 'Dot', cfg: { axes: 1 }, tfjs: () => tf.layers.dot({ axes: 1 }), inputs: [[null, 8], [null, 8]] },
  { name: 'Dot axes=(1, 2)', cls: 'Dot', cfg: { axes: [1, 2] }, tfjs: () => tf.layers.dot({ axes: [1, 2] }), inputs: [[null, 3, 5], [null, 10, 3]] },
  { name: 'Dot axes=-1', cls: 'Dot', cfg: { axes: -1 }, tfjs: () => tf.layers.dot({ axes: -1 }), inputs: [[null, 4, 6], [null, 7, 6]] },
  { name: 'Dot axes=2 normalize', cls: 'Dot', cfg: { axes: 2, normalize: true }, tfjs: () => tf.layers.dot({ axes: 2, normalize: true }), inputs: [[null, 4, 6], [null, 7, 6]] },
  { name: 'Dot 3D·2D', cls: 'Dot', cfg: { axes: [2, 1] }, tfjs: () => tf.layers.dot({ axes: [2, 1] }), inputs: [[null, 4, 6], [null, 6]] },
];

for (const row of tfRows) {
  test(`merging (tfjs oracle): ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    const o = oracle(row.tfjs(), ...row.inputs);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.output, o.output);
    assert.equal(r.total, o.total);
  });
}

interface Row { name: string; cls: string; cfg: LayerConfig; inputs: RuleShape[]; output: OutputShape; errors?: RegExp[] }

const rows: Row[] = [
  // Keras 3 Subtract: elementwise, exactly two inputs (tfjs has no Subtract layer).
  { name: 'Subtract', cls: 'Subtract', cfg: {}, inputs: [[null, 8], [null, 8]], output: [null, 8] },
  { name: 'Subtract broadcast', cls: 'Subtract', cfg: {}, inputs: [[null, 3, 8], [null, 1, 8]], output: [null, 3, 8] },
  // Keras 3 Merge: a single known batch size is kept.
  { name: 'Add fixed batch', cls: 'Add', cfg: {}, inputs: [[32, 4], [null, 4]], output: [32, 4] },
  // Keras 3 Concatenate takes non-axis dims from the first input.
  { name: 'Concatenate None in first input', cls: 'Concatenate', cfg: {}, inputs: [[null, null, 2], [null, 5, 3]], output: [null, null, 5] },
  { name: 'Concatenate unknown axis', cls: 'Concatenate', cfg: { axis: UNKNOWN }, inputs: [[null, 2, 3], [null, 2, 3]], output: null },
  // Keras 3 Dot: a rank-1 result gets a trailing 1.
  { name: 'Dot vectors → (None, 1)', cls: 'Dot', cfg: { axes: -1 }, inputs: [[null, 5], [null, 5]], output: [null, 1] },
  // Errors with Keras 3's wording.
  {
    name: 'Concatenate mismatch',
    cls: 'Concatenate',
    cfg: {},
    inputs: [[null, 4, 4, 3], [null, 5, 5, 3]],
    output: null,
    errors: [/^merge-mismatch: A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis\. Received: input_shape=\[\(None, 4, 4, 3\), \(None, 5, 5, 3\)\]$/],
  },
  { name: 'Concatenate rank mismatch', cls: 'Concatenate', cfg: {}, inputs: [[null, 4, 3], [null, 3]], output: null, errors: [/requires inputs with matching shapes except for the concatenation axis/] },
  { name: 'Concatenate batch mismatch', cls: 'Concatenate', cfg: {}, inputs: [[2, 3], [4, 3]], output: null, errors: [/requires inputs with matching shapes/] },
  { name: 'Add incompatible', cls: 'Add', cfg: {}, inputs: [[null, 4], [null, 5]], output: null, errors: [/^merge-mismatch: Inputs have incompatible shapes\. Received shapes \(4,\) and \(5,\)$/] },
  { name: 'Multiply incompatible rank-broadcast', cls: 'Multiply', cfg: {}, inputs: [[null, 3], [null, 2, 4]], output: null, errors: [/Received shapes \(2, 4\) and \(3,\)/] },
  { name: 'Add batch sizes differ', cls: 'Add', cfg: {}, inputs: [[2, 4], [3, 4]], output: null, errors: [/^merge-mismatch: Cannot merge tensors with different batch sizes\. Received tensors with shapes \[\(2, 4\), \(3, 4\)\]$/] },
  { name: 'Subtract with 3 inputs', cls: 'Subtract', cfg: {}, inputs: [[null, 4], [null, 4], [null, 4]], output: null, errors: [/^merge-mismatch: A `Subtract` layer should be called on exactly 2 inputs\. Received: input_shape=\[\(None, 4\), \(None, 4\), \(None, 4\)\]$/] },
  { name: 'Dot mismatch', cls: 'Dot', cfg: { axes: 1 }, inputs: [[null, 4], [null, 5]], output: null, errors: [/^merge-mismatch: Incompatible input shapes: axis values 4 \(at axis 1\) != 5 \(at axis 1\)\. Full input shapes: \(None, 4\), \(None, 5\)$/] },
  { name: 'Dot three inputs', cls: 'Dot', cfg: { axes: 1 }, inputs: [[null, 4], [null, 4], [null, 4]], output: null, errors: [/A `Dot` layer should be called on a list of 2 inputs/] },
  { name: 'Dot over batch axis', cls: 'Dot', cfg: { axes: 0 }, inputs: [[null, 4], [null, 4]], output: null, errors: [/Cannot perform batch_dot over axis 0/] },
];

for (const row of rows) {
  test(`merging: ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    assert.deepEqual(r.output, row.output);
    assert.equal(r.total, 0);
    const errs = row.errors ?? [];
    assert.equal(r.errors.length, errs.length, r.errors.join('\n'));
    errs.forEach((re, i) => assert.match(r.errors[i], re));
  });
}

test('merging: tfjs also rejects the mismatches reported as errors', () => {
  const ins = (...shapes: RuleShape[]) => shapes.map((s) => tf.input({ batchShape: s }));
  assert.throws(() => tf.layers.concatenate({}).apply(ins([null, 4, 4, 3], [null, 5, 5, 3])));
  assert.throws(() => tf.layers.add({}).apply(ins([null, 4], [null, 5])));
  assert.throws(() => tf.layers.dot({ axes: 1 }).apply(ins([null, 4], [null, 5])));
});
