// Table tests for the normalization layer rules against tfjs-layers and hand-computed Keras 3 counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { run } from './helpers/layer';
import { oracle } from './helpers/tfjs-oracle';
import { UNKNOWN, type LayerConfig } from '../../src/core/config';
import type { OutputShape, RuleShape } from '../../src/core/shape';


interface TfRow { name: string; cls: string; cfg: LayerConfig; tfjs: () => tf.layers.Layer; inputs: RuleShape[] }

const tfRows: TfRow[] = [
  { name: 'BatchNormalization 2D', cls: 'BatchNormalization', cfg: {}, tfjs: () => tf.layers.batchNormalization({}), inputs: [[null, 32]] },
  { name: 'BatchNormalization 4D channels_last', cls: 'BatchNormalization', cfg: {}, tfjs: () => tf.layers.batchNormalization({}), inputs: [[null, 26, 26, 64]] },
  { name: 'BatchNormalization axis=1', cls: 'BatchNormalization', cfg: { axis: 1 }, tfjs: () => tf.layers.batchNormalization({ axis: 1 }), inputs: [[null, 16, 8, 8]] },
  { name: 'BatchNormalization center=False', cls: 'BatchNormalization', cfg: { center: false }, tfjs: () => tf.layers.batchNormalization({ center: false }), inputs: [[null, 10]] },
  { name: 'BatchNormalization scale=False', cls: 'BatchNormalization', cfg: { scale: false }, tfjs: () => tf.layers.batchNormalization({ scale: false }), inputs: [[null, 5, 12]] },
  { name: 'BatchNormalization no center/scale', cls: 'BatchNormalization', cfg: { center: false, scale: false }, tfjs: () => tf.layers.batchNormalization({ center: false, scale: false }), inputs: [[null, 7]] },
  { name: 'BatchNormalization None spatial', cls: 'BatchNormalization', cfg: {}, tfjs: () => tf.layers.batchNormalization({}), inputs: [[null, null, null, 3]] },
  { name: 'LayerNormalization last axis', cls: 'LayerNormalization', cfg: {}, tfjs: () => tf.layers.layerNormalization({}), inputs: [[null, 10, 64]] },
  { name: 'LayerNormalization axes [1, 2]', cls: 'LayerNormalization', cfg: { axis: [1, 2] }, tfjs: () => tf.layers.layerNormalization({ axis: [1, 2] }), inputs: [[null, 10, 10, 3]] },
  { name: 'LayerNormalization axes [-2, -1]', cls: 'LayerNormalization', cfg: { axis: [-2, -1] }, tfjs: () => tf.layers.layerNormalization({ axis: [-2, -1] }), inputs: [[null, 4, 6, 5]] },
  { name: 'LayerNormalization center=False', cls: 'LayerNormalization', cfg: { center: false }, tfjs: () => tf.layers.layerNormalization({ center: false }), inputs: [[null, 20]] },
  { name: 'LayerNormalization scale=False', cls: 'LayerNormalization', cfg: { scale: false }, tfjs: () => tf.layers.layerNormalization({ scale: false }), inputs: [[null, 20]] },
];

for (const row of tfRows) {
  test(`normalization (tfjs oracle): ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    const o = oracle(row.tfjs(), ...row.inputs);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.output, o.output);
    assert.equal(r.total, o.total);
    assert.equal(r.params.nonTrainable, o.nonTrainable);
  });
}

interface Row { name: string; cls: string; cfg: LayerConfig; inputs: RuleShape[]; output: OutputShape; total: number | null; nonTrainable?: number | null; formula?: string; errors?: RegExp[] }

const rows: Row[] = [
  // Keras BatchNormalization: gamma, beta, moving_mean, moving_variance of size C → 4·C, 2·C non-trainable.
  { name: 'BatchNormalization formula', cls: 'BatchNormalization', cfg: {}, inputs: [[null, 28, 28, 32]], output: [null, 28, 28, 32], total: 128, nonTrainable: 64, formula: '4·32 = 128 (64 non-trainable)' },
  // Keras 2 BatchNormalization(axis=[1, 3]): weights have shape (d1, d3) → 4·d1·d3.
  { name: 'BatchNormalization axis list', cls: 'BatchNormalization', cfg: { axis: [1, 3] }, inputs: [[null, 4, 5, 6]], output: [null, 4, 5, 6], total: 4 * 24, nonTrainable: 48 },
  // Keras 3 LayerNormalization(rms_scaling=True): gamma only.
  { name: 'LayerNormalization rms_scaling', cls: 'LayerNormalization', cfg: { rms_scaling: true }, inputs: [[null, 16]], output: [null, 16], total: 16, nonTrainable: 0 },
  // Keras 3 GroupNormalization: gamma and beta of size C (channels), whatever the number of groups.
  { name: 'GroupNormalization default groups=32', cls: 'GroupNormalization', cfg: {}, inputs: [[null, 8, 8, 64]], output: [null, 8, 8, 64], total: 128, nonTrainable: 0, formula: '2·64 = 128' },
  { name: 'GroupNormalization groups=4 axis=1', cls: 'GroupNormalization', cfg: { groups: 4, axis: 1 }, inputs: [[null, 12, 5, 5]], output: [null, 12, 5, 5], total: 24, nonTrainable: 0 },
  { name: 'GroupNormalization groups=-1 (instance norm)', cls: 'GroupNormalization', cfg: { groups: -1, center: false }, inputs: [[null, 10, 6]], output: [null, 10, 6], total: 6 },
  // Keras 3 UnitNormalization: no weights.
  { name: 'UnitNormalization', cls: 'UnitNormalization', cfg: { axis: -1 }, inputs: [[null, 3, 7]], output: [null, 3, 7], total: 0 },
  // Errors, with Keras 3's wording.
  { name: 'GroupNormalization channels not divisible', cls: 'GroupNormalization', cfg: { groups: 4 }, inputs: [[null, 10, 6]], output: [null, 10, 6], total: null, errors: [/^invalid-config: Number of groups \(4\) must be a multiple of the number of channels \(6\)\.$/] },
  { name: 'GroupNormalization more groups than channels', cls: 'GroupNormalization', cfg: {}, inputs: [[null, 10, 16]], output: [null, 10, 16], total: null, errors: [/Number of groups \(32\) cannot be more than the number of channels \(16\)/] },
  { name: 'GroupNormalization None channels', cls: 'GroupNormalization', cfg: { groups: 2 }, inputs: [[null, 4, null]], output: [null, 4, '?'], total: null, errors: [/^unknown-dimension: Axis -1 of input tensor should have a defined dimension but the layer received an input with shape \(None, 4, None\)\.$/] },
  { name: 'BatchNormalization None channels', cls: 'BatchNormalization', cfg: {}, inputs: [[null, null]], output: [null, '?'], total: null, errors: [/Axis -1 of input tensor should have a defined dimension/] },
  { name: 'LayerNormalization axis out of bounds', cls: 'LayerNormalization', cfg: { axis: 3 }, inputs: [[null, 4, 5]], output: [null, 4, 5], total: null, errors: [/^invalid-axis: Axis 3 is out of bounds for input shape \(None, 4, 5\)\. Ensure axis is within the range of input dimensions\.$/] },
  // Unknown config.
  { name: 'BatchNormalization unknown axis', cls: 'BatchNormalization', cfg: { axis: UNKNOWN }, inputs: [[null, 4]], output: [null, 4], total: null },
  { name: 'BatchNormalization unknown center', cls: 'BatchNormalization', cfg: { center: UNKNOWN }, inputs: [[null, 4]], output: [null, 4], total: null },
];

for (const row of rows) {
  test(`normalization: ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    assert.deepEqual(r.output, row.output);
    assert.equal(r.total, row.total);
    if (row.nonTrainable !== undefined) assert.equal(r.params.nonTrainable, row.nonTrainable);
    if (row.formula !== undefined) assert.equal(r.params.formula, row.formula);
    const errs = row.errors ?? [];
    assert.equal(r.errors.length, errs.length, r.errors.join('\n'));
    errs.forEach((re, i) => assert.match(r.errors[i], re));
  });
}
