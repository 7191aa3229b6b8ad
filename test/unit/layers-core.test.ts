// Table tests for the core layer rules (Dense, Embedding, Lambda, Identity, Masking) against tfjs-layers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { run } from './helpers/layer';
import { oracle } from './helpers/tfjs-oracle';
import { UNKNOWN, type LayerConfig } from '../../src/core/config';
import type { OutputShape, RuleShape } from '../../src/core/shape';


interface TfRow { name: string; cls: string; cfg: LayerConfig; tfjs: () => tf.layers.Layer; inputs: RuleShape[] }

const tfRows: TfRow[] = [
  { name: 'Dense 2D', cls: 'Dense', cfg: { units: 10 }, tfjs: () => tf.layers.dense({ units: 10 }), inputs: [[null, 784]] },
  { name: 'Dense 6760→1', cls: 'Dense', cfg: { units: 1 }, tfjs: () => tf.layers.dense({ units: 1 }), inputs: [[null, 6760]] },
  { name: 'Dense no bias', cls: 'Dense', cfg: { units: 32, use_bias: false }, tfjs: () => tf.layers.dense({ units: 32, useBias: false }), inputs: [[null, 64]] },
  { name: 'Dense on 3D applies to last axis', cls: 'Dense', cfg: { units: 8 }, tfjs: () => tf.layers.dense({ units: 8 }), inputs: [[null, 5, 16]] },
  { name: 'Dense on 4D', cls: 'Dense', cfg: { units: 2 }, tfjs: () => tf.layers.dense({ units: 2 }), inputs: [[null, 7, 7, 3]] },
  { name: 'Dense fixed batch', cls: 'Dense', cfg: { units: 4 }, tfjs: () => tf.layers.dense({ units: 4 }), inputs: [[16, 3]] },
  { name: 'Embedding 2D', cls: 'Embedding', cfg: { input_dim: 1000, output_dim: 64 }, tfjs: () => tf.layers.embedding({ inputDim: 1000, outputDim: 64 }), inputs: [[null, 10]] },
  { name: 'Embedding None length', cls: 'Embedding', cfg: { input_dim: 50, output_dim: 8 }, tfjs: () => tf.layers.embedding({ inputDim: 50, outputDim: 8 }), inputs: [[null, null]] },
  { name: 'Embedding 3D input', cls: 'Embedding', cfg: { input_dim: 20, output_dim: 3 }, tfjs: () => tf.layers.embedding({ inputDim: 20, outputDim: 3 }), inputs: [[null, 4, 5]] },
  { name: 'Masking', cls: 'Masking', cfg: { mask_value: 0 }, tfjs: () => tf.layers.masking({ maskValue: 0 }), inputs: [[null, 7, 3]] },
];

for (const row of tfRows) {
  test(`core (tfjs oracle): ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    const o = oracle(row.tfjs(), ...row.inputs);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.output, o.output);
    assert.equal(r.total, o.total);
    assert.equal(r.params.nonTrainable, o.nonTrainable);
  });
}

interface Row { name: string; cls: string; cfg: LayerConfig; inputs: RuleShape[]; output: OutputShape; total: number | null; nonTrainable?: number | null; errors?: RegExp[]; warnings?: RegExp[] }

const rows: Row[] = [
  // Keras 3 Identity: returns its input; no weights.
  { name: 'Identity', cls: 'Identity', cfg: {}, inputs: [[null, 3, 4]], output: [null, 3, 4], total: 0 },
  // Keras 3 Embedding: the deprecated Keras 2 `input_length` is accepted with Keras' warning.
  { name: 'Embedding input_length (Keras 2)', cls: 'Embedding', cfg: { input_dim: 100, output_dim: 16, input_length: 10 }, inputs: [[null, 10]], output: [null, 10, 16], total: 1600, warnings: [/input_length` is deprecated/] },
  // Keras 3 Dense(lora_rank=r): kernel frozen (in·units), trainable A (in·r) + B (r·units) + bias.
  { name: 'Dense LoRA', cls: 'Dense', cfg: { units: 8, lora_rank: 2 }, inputs: [[null, 16]], output: [null, 8], total: 16 * 8 + 16 * 2 + 2 * 8 + 8, nonTrainable: 128 },
  // Lambda with output_shape: Keras prepends the input's batch dim to the declared shape.
  { name: 'Lambda output_shape tuple', cls: 'Lambda', cfg: { function: UNKNOWN, output_shape: [5, 2] }, inputs: [[null, 10]], output: [null, 5, 2], total: 0 },
  { name: 'Lambda output_shape list of tuples', cls: 'Lambda', cfg: { function: UNKNOWN, output_shape: [[3], [4, 1]] }, inputs: [[8, 10]], output: [[8, 3], [8, 4, 1]], total: 0 },
  { name: 'Lambda without output_shape', cls: 'Lambda', cfg: { function: UNKNOWN }, inputs: [[null, 10]], output: null, total: 0, warnings: [/output_shape=/] },
  // Errors.
  { name: 'Dense on None last dim', cls: 'Dense', cfg: { units: 4 }, inputs: [[null, null]], output: [null, 4], total: null, errors: [/^unknown-dimension: The last dimension of the inputs to a Dense layer should be defined\. Found None\. Full input shape received: \(None, None\)$/] },
  { name: 'Dense rank 1', cls: 'Dense', cfg: { units: 4 }, inputs: [[null]], output: null, total: null, errors: [/expected min_ndim=2, found ndim=1/] },
  { name: 'Dense units=0', cls: 'Dense', cfg: { units: 0 }, inputs: [[null, 3]], output: null, total: null, errors: [/expected a positive integer\. Received: units=0/] },
  { name: 'Dense missing units', cls: 'Dense', cfg: {}, inputs: [[null, 3]], output: null, total: null, errors: [/missing 1 required positional argument: 'units'/] },
  // Unknown config: dims and params become unknown, no error.
  { name: 'Dense unknown units', cls: 'Dense', cfg: { units: UNKNOWN }, inputs: [[null, 3]], output: [null, '?'], total: null },
  { name: 'Embedding unknown output_dim', cls: 'Embedding', cfg: { input_dim: 10, output_dim: UNKNOWN }, inputs: [[null, 5]], output: [null, 5, '?'], total: null },
];

for (const row of rows) {
  test(`core: ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    assert.deepEqual(r.output, row.output);
    assert.equal(r.total, row.total);
    if (row.nonTrainable !== undefined) assert.equal(r.params.nonTrainable, row.nonTrainable);
    const errs = row.errors ?? [];
    assert.equal(r.errors.length, errs.length, r.errors.join('\n'));
    errs.forEach((re, i) => assert.match(r.errors[i], re));
    const warns = r.problems.filter((p) => p.severity === 'warning').map((p) => p.message);
    assert.equal(warns.length, (row.warnings ?? []).length, warns.join('\n'));
    (row.warnings ?? []).forEach((re, i) => assert.match(warns[i], re));
  });
}

test('core: Dense formula uses the · notation', () => {
  assert.equal(run('Dense', { units: 1 }, [null, 6760]).params.formula, '6760·1 + 1 = 6761');
  assert.equal(run('Dense', { units: 3, use_bias: false }, [null, 4]).params.formula, '4·3 = 12');
  assert.equal(run('Embedding', { input_dim: 1000, output_dim: 64 }, [null, 10]).params.formula, '1000·64 = 64000');
});
