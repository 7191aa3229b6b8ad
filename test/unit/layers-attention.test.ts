// Table tests for the attention layer rules (Keras 3 MultiHeadAttention, Attention,
// AdditiveAttention, EinsumDense; tfjs has none of them): hand-computed shapes and params.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers/layer';
import { analyze } from './helpers/python';
import type { LayerConfig } from '../../src/core/config';
import type { OutputShape, RuleShape } from '../../src/core/shape';

interface Row { name: string; cls: string; cfg: LayerConfig; inputs: RuleShape[]; output: OutputShape; total: number | null; errors?: RegExp[] }

const rows: Row[] = [
  // keras-io examples/timeseries/md/timeseries_classification_transformer.md prints
  // `multi_head_attention (MultiHead (None, 500, 1) 7169`: key_dim=256, num_heads=4 on (None, 500, 1).
  // q, k, v: 1·4·256 + 4·256 = 2048 each; output 4·256·1 + 1 = 1025; 3·2048 + 1025 = 7169.
  { name: 'MHA keras-io timeseries transformer', cls: 'MultiHeadAttention', cfg: { num_heads: 4, key_dim: 256, dropout: 0.25 }, inputs: [[null, 500, 1], [null, 500, 1]], output: [null, 500, 1], total: 7169 },
  // q 32·2·16 + 32 = 1056; k 8·2·16 + 32 = 288; v 8·2·16 + 32 = 288; out 2·16·32 + 32 = 1056 → 2688.
  { name: 'MHA query ≠ value', cls: 'MultiHeadAttention', cfg: { num_heads: 2, key_dim: 16 }, inputs: [[null, 10, 32], [null, 20, 8]], output: [null, 10, 32], total: 2688 },
  // No bias, key given, value_dim=8, output_shape=6: q 32·2·16 = 1024; k 4·2·16 = 128; v 8·2·8 = 128; out 2·8·6 = 96 → 1376.
  { name: 'MHA key, value_dim, output_shape, no bias', cls: 'MultiHeadAttention', cfg: { num_heads: 2, key_dim: 16, value_dim: 8, use_bias: false, output_shape: 6 }, inputs: [[null, 10, 32], [null, 20, 8], [null, 20, 4]], output: [null, 10, 6], total: 1376 },
  // use_gate adds q·H·V + H·V = 32·2·16 + 32 = 1056 to 2688 → 3744.
  { name: 'MHA use_gate', cls: 'MultiHeadAttention', cfg: { num_heads: 2, key_dim: 16, use_gate: true }, inputs: [[null, 10, 32], [null, 20, 8]], output: [null, 10, 32], total: 3744 },
  // 4D input, default attention axes; same per-vector projections: q=k=v 8·2·4 + 8 = 72 each; out 2·4·8 + 8 = 72 → 288.
  { name: 'MHA rank 4', cls: 'MultiHeadAttention', cfg: { num_heads: 2, key_dim: 4 }, inputs: [[null, 5, 6, 8], [null, 5, 6, 8]], output: [null, 5, 6, 8], total: 288 },
  { name: 'MHA key/value mismatch', cls: 'MultiHeadAttention', cfg: { num_heads: 2, key_dim: 4 }, inputs: [[null, 10, 8], [null, 20, 8], [null, 21, 8]], output: null, total: null, errors: [/All dimensions of `value` and `key`/] },
  { name: 'MHA missing key_dim', cls: 'MultiHeadAttention', cfg: { num_heads: 2 }, inputs: [[null, 10, 8], [null, 10, 8]], output: null, total: null, errors: [/missing 1 required positional argument: 'key_dim'/] },
  // Attention: (*query[:-1], value[-1]); no weights by default.
  { name: 'Attention', cls: 'Attention', cfg: {}, inputs: [[null, 5, 16], [null, 7, 16]], output: [null, 5, 16], total: 0 },
  { name: 'Attention value dim', cls: 'Attention', cfg: {}, inputs: [[null, 5, 16], [null, 7, 8], [null, 7, 16]], output: [null, 5, 8], total: 0 },
  // scalar scale + scalar concat_score_weight = 2.
  { name: 'Attention use_scale concat', cls: 'Attention', cfg: { use_scale: true, score_mode: 'concat' }, inputs: [[null, 5, 16], [null, 7, 16]], output: [null, 5, 16], total: 2 },
  { name: 'Attention one input', cls: 'Attention', cfg: {}, inputs: [[null, 5, 16]], output: null, total: 0, errors: [/accepts inputs list of length 2 or 3/] },
  // AdditiveAttention: scale vector of the query's last dim (use_scale defaults True) = 16.
  { name: 'AdditiveAttention', cls: 'AdditiveAttention', cfg: {}, inputs: [[null, 5, 16], [null, 7, 16]], output: [null, 5, 16], total: 16 },
  { name: 'AdditiveAttention no scale', cls: 'AdditiveAttention', cfg: { use_scale: false }, inputs: [[null, 5, 16], [null, 7, 16]], output: [null, 5, 16], total: 0 },
  // EinsumDense 'ab,bc->ac': kernel 32·64, bias c 64 → 2112.
  { name: 'EinsumDense dense', cls: 'EinsumDense', cfg: { equation: 'ab,bc->ac', output_shape: 64, bias_axes: 'c' }, inputs: [[null, 32]], output: [null, 64], total: 2112 },
  // '...b,bc->...c' on (None, 10, 32): output (None, 10, 64), kernel 32·64 = 2048, no bias.
  { name: 'EinsumDense left ellipsis', cls: 'EinsumDense', cfg: { equation: '...b,bc->...c', output_shape: 64 }, inputs: [[null, 10, 32]], output: [null, 10, 64], total: 2048 },
  // 'abc,cde->abde' output_shape (10, 4, 8), bias 'de': kernel 32·4·8 = 1024 + bias 4·8 = 32 → 1056.
  { name: 'EinsumDense heads projection', cls: 'EinsumDense', cfg: { equation: 'abc,cde->abde', output_shape: [10, 4, 8], bias_axes: 'de' }, inputs: [[null, 10, 32]], output: [null, 10, 4, 8], total: 1056 },
  // Keras 3 keeps a None of output_shape as None (compute_output_shape does not fill it); kernel 128·64 + bias 64 = 8256.
  { name: 'EinsumDense None in output_shape', cls: 'EinsumDense', cfg: { equation: 'abc,cd->abd', output_shape: [null, 64], bias_axes: 'd' }, inputs: [[null, 32, 128]], output: [null, null, 64], total: 8256 },
  // 'ab...,bc->ac...' right ellipsis on (None, 32, 7): output (None, 64, 7), kernel 32·64 = 2048.
  { name: 'EinsumDense right ellipsis', cls: 'EinsumDense', cfg: { equation: 'ab...,bc->ac...', output_shape: 64 }, inputs: [[null, 32, 7]], output: [null, 64, 7], total: 2048 },
  { name: 'EinsumDense bad equation', cls: 'EinsumDense', cfg: { equation: 'ab,bc,cd->ad', output_shape: 4 }, inputs: [[null, 32]], output: null, total: null, errors: [/Invalid einsum equation/] },
];

for (const row of rows) {
  test(`attention: ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    if (row.errors) {
      assert.equal(r.errors.length, row.errors.length, r.errors.join('\n'));
      row.errors.forEach((re, i) => assert.match(r.errors[i], re));
    } else {
      assert.deepEqual(r.errors, []);
      assert.equal(r.total, row.total);
    }
    assert.deepEqual(r.output, row.output);
  });
}

test('attention: MultiHeadAttention called on (x, x) through the Python front end', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

inputs = keras.Input(shape=(10, 32))
x = layers.MultiHeadAttention(num_heads=4, key_dim=64)(inputs, inputs)
x = layers.GlobalAveragePooling1D()(x)
outputs = layers.Dense(2)(x)
model = keras.Model(inputs, outputs)
`);
  const errors = json.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, []);
  const rows = json.models[0].layers;
  const mha = rows.find((l) => l.className === 'MultiHeadAttention');
  assert.ok(mha);
  // q = k = v: 32·4·64 + 4·64 = 8448 each; output 4·64·32 + 32 = 8224; 3·8448 + 8224 = 33568.
  assert.deepEqual(mha.outputShape, [null, 10, 32]);
  assert.equal(mha.params, 33568);
  // 33568 + Dense 32·2 + 2 = 66 → 33634.
  assert.equal(json.models[0].totalParams, 33634);
});
