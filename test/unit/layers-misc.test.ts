// Table tests for activation, regularization, preprocessing and wrapper layer rules against tfjs-layers and Keras 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { run } from './helpers/layer';
import { oracle } from './helpers/tfjs-oracle';
import { UNKNOWN, type LayerConfig, type LayerSpec } from '../../src/core/config';
import type { OutputShape, RuleShape } from '../../src/core/shape';


/** tfjs' GRU accepts `resetAfter` at runtime but its GRULayerArgs type omits it. */
const gruArgs = (a: Record<string, unknown>) => a as unknown as Parameters<typeof tf.layers.gru>[0];

const spec = (className: string, config: LayerConfig): LayerSpec => ({ kind: 'layerSpec', className, config });

interface TfRow { name: string; cls: string; cfg: LayerConfig; tfjs: () => tf.layers.Layer; inputs: RuleShape[] }

const tfRows: TfRow[] = [
  // Activations.
  { name: 'Activation relu', cls: 'Activation', cfg: { activation: 'relu' }, tfjs: () => tf.layers.activation({ activation: 'relu' }), inputs: [[null, 5, 5, 3]] },
  { name: 'ReLU', cls: 'ReLU', cfg: { max_value: 6 }, tfjs: () => tf.layers.reLU({ maxValue: 6 }), inputs: [[null, 10]] },
  { name: 'LeakyReLU', cls: 'LeakyReLU', cfg: { negative_slope: 0.2 }, tfjs: () => tf.layers.leakyReLU({ alpha: 0.2 }), inputs: [[null, 4, 4]] },
  { name: 'PReLU full', cls: 'PReLU', cfg: {}, tfjs: () => tf.layers.prelu({}), inputs: [[null, 10, 10, 3]] },
  { name: 'PReLU shared_axes [1, 2]', cls: 'PReLU', cfg: { shared_axes: [1, 2] }, tfjs: () => tf.layers.prelu({ sharedAxes: [1, 2] }), inputs: [[null, 10, 10, 3]] },
  { name: 'PReLU shared_axes 1', cls: 'PReLU', cfg: { shared_axes: 1 }, tfjs: () => tf.layers.prelu({ sharedAxes: 1 }), inputs: [[null, 7, 4]] },
  { name: 'PReLU shared None dims', cls: 'PReLU', cfg: { shared_axes: [1, 2] }, tfjs: () => tf.layers.prelu({ sharedAxes: [1, 2] }), inputs: [[null, null, null, 8]] },
  { name: 'ELU', cls: 'ELU', cfg: {}, tfjs: () => tf.layers.elu({}), inputs: [[null, 3]] },
  { name: 'Softmax', cls: 'Softmax', cfg: { axis: 1 }, tfjs: () => tf.layers.softmax({ axis: 1 }), inputs: [[null, 6, 2]] },
  { name: 'ThresholdedReLU', cls: 'ThresholdedReLU', cfg: { theta: 0.5 }, tfjs: () => tf.layers.thresholdedReLU({ theta: 0.5 }), inputs: [[null, 9]] },
  // Regularization.
  { name: 'Dropout', cls: 'Dropout', cfg: { rate: 0.5 }, tfjs: () => tf.layers.dropout({ rate: 0.5 }), inputs: [[null, 128]] },
  { name: 'SpatialDropout1D', cls: 'SpatialDropout1D', cfg: { rate: 0.2 }, tfjs: () => tf.layers.spatialDropout1d({ rate: 0.2 }), inputs: [[null, 20, 8]] },
  { name: 'GaussianNoise', cls: 'GaussianNoise', cfg: { stddev: 0.1 }, tfjs: () => tf.layers.gaussianNoise({ stddev: 0.1 }), inputs: [[null, 4, 4]] },
  { name: 'GaussianDropout', cls: 'GaussianDropout', cfg: { rate: 0.1 }, tfjs: () => tf.layers.gaussianDropout({ rate: 0.1 }), inputs: [[null, 4]] },
  { name: 'AlphaDropout', cls: 'AlphaDropout', cfg: { rate: 0.1 }, tfjs: () => tf.layers.alphaDropout({ rate: 0.1 }), inputs: [[null, 4]] },
  // Preprocessing.
  { name: 'Rescaling', cls: 'Rescaling', cfg: { scale: 1 / 255 }, tfjs: () => tf.layers.rescaling({ scale: 1 / 255 }), inputs: [[null, 32, 32, 3]] },
  { name: 'CenterCrop', cls: 'CenterCrop', cfg: { height: 5, width: 6 }, tfjs: () => tf.layers.centerCrop({ height: 5, width: 6 }), inputs: [[null, 10, 10, 3]] },
  { name: 'CategoryEncoding multi_hot', cls: 'CategoryEncoding', cfg: { num_tokens: 5 }, tfjs: () => tf.layers.categoryEncoding({ numTokens: 5 }), inputs: [[null, 3]] },
  { name: 'CategoryEncoding one_hot on (None, 1)', cls: 'CategoryEncoding', cfg: { num_tokens: 5, output_mode: 'one_hot' }, tfjs: () => tf.layers.categoryEncoding({ numTokens: 5, outputMode: 'oneHot' }), inputs: [[null, 1]] },
  { name: 'CategoryEncoding one_hot on (None, 3)', cls: 'CategoryEncoding', cfg: { num_tokens: 5, output_mode: 'one_hot' }, tfjs: () => tf.layers.categoryEncoding({ numTokens: 5, outputMode: 'oneHot' }), inputs: [[null, 3]] },
  { name: 'CategoryEncoding count', cls: 'CategoryEncoding', cfg: { num_tokens: 7, output_mode: 'count' }, tfjs: () => tf.layers.categoryEncoding({ numTokens: 7, outputMode: 'count' }), inputs: [[null, 4]] },
  // Wrappers.
  { name: 'Bidirectional LSTM concat', cls: 'Bidirectional', cfg: { layer: spec('LSTM', { units: 10 }) }, tfjs: () => tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 10 }) as tf.RNN }), inputs: [[null, 5, 8]] },
  {
    name: 'Bidirectional LSTM return_sequences sum',
    cls: 'Bidirectional',
    cfg: { layer: spec('LSTM', { units: 10, return_sequences: true }), merge_mode: 'sum' },
    tfjs: () => tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 10, returnSequences: true }) as tf.RNN, mergeMode: 'sum' }),
    inputs: [[null, 5, 8]],
  },
  { name: 'Bidirectional SimpleRNN ave', cls: 'Bidirectional', cfg: { layer: spec('SimpleRNN', { units: 3 }), merge_mode: 'ave' }, tfjs: () => tf.layers.bidirectional({ layer: tf.layers.simpleRNN({ units: 3 }) as tf.RNN, mergeMode: 'ave' }), inputs: [[null, 5, 2]] },
  { name: 'Bidirectional merge_mode None', cls: 'Bidirectional', cfg: { layer: spec('GRU', { units: 4, reset_after: false }), merge_mode: null }, tfjs: () => tf.layers.bidirectional({ layer: tf.layers.gru(gruArgs({ units: 4, resetAfter: false })) as tf.RNN, mergeMode: null as unknown as undefined }), inputs: [[null, 5, 2]] },
  { name: 'Bidirectional LSTM return_state concat', cls: 'Bidirectional', cfg: { layer: spec('LSTM', { units: 4, return_state: true }) }, tfjs: () => tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnState: true }) as tf.RNN }), inputs: [[null, 7, 3]] },
  {
    name: 'Bidirectional LSTM return_state None',
    cls: 'Bidirectional',
    cfg: { layer: spec('LSTM', { units: 4, return_state: true }), merge_mode: null },
    tfjs: () => tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnState: true }) as tf.RNN, mergeMode: null as unknown as undefined }),
    inputs: [[null, 7, 3]],
  },
  { name: 'TimeDistributed Dense', cls: 'TimeDistributed', cfg: { layer: spec('Dense', { units: 4 }) }, tfjs: () => tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4 }) }), inputs: [[null, 7, 3]] },
  { name: 'TimeDistributed Dense on 4D', cls: 'TimeDistributed', cfg: { layer: spec('Dense', { units: 2 }) }, tfjs: () => tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2 }) }), inputs: [[null, null, 5, 3]] },
  { name: 'TimeDistributed Embedding', cls: 'TimeDistributed', cfg: { layer: spec('Embedding', { input_dim: 30, output_dim: 4 }) }, tfjs: () => tf.layers.timeDistributed({ layer: tf.layers.embedding({ inputDim: 30, outputDim: 4 }) }), inputs: [[null, 6, 9]] },
];

for (const row of tfRows) {
  test(`misc (tfjs oracle): ${row.name}`, () => {
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
  // Keras SpatialDropout2D/3D: shape unchanged, input_spec ndim 4 / 5 (not in tfjs).
  { name: 'SpatialDropout2D', cls: 'SpatialDropout2D', cfg: { rate: 0.2 }, inputs: [[null, 8, 8, 3]], output: [null, 8, 8, 3], total: 0 },
  { name: 'SpatialDropout3D', cls: 'SpatialDropout3D', cfg: { rate: 0.2 }, inputs: [[null, 4, 8, 8, 3]], output: [null, 4, 8, 8, 3], total: 0 },
  { name: 'ActivityRegularization', cls: 'ActivityRegularization', cfg: { l1: 0.01 }, inputs: [[null, 4]], output: [null, 4], total: 0 },
  // Keras PReLU: alpha = input shape without batch → 10·10·3.
  { name: 'PReLU formula', cls: 'PReLU', cfg: {}, inputs: [[null, 10, 10, 3]], output: [null, 10, 10, 3], total: 300, formula: '10·10·3 = 300' },
  // Keras 3 Resizing.compute_output_shape: rank 4 → (batch, height, width, C) or (batch, C, height, width).
  { name: 'Resizing', cls: 'Resizing', cfg: { height: 224, width: 160 }, inputs: [[null, 32, 48, 3]], output: [null, 224, 160, 3], total: 0 },
  { name: 'Resizing channels_first', cls: 'Resizing', cfg: { height: 64, width: 64, data_format: 'channels_first' }, inputs: [[null, 3, 32, 32]], output: [null, 3, 64, 64], total: 0 },
  { name: 'Resizing None spatial', cls: 'Resizing', cfg: { height: 8, width: 9 }, inputs: [[null, null, null, 1]], output: [null, 8, 9, 1], total: 0 },
  { name: 'CenterCrop channels_first', cls: 'CenterCrop', cfg: { height: 5, width: 6, data_format: 'channels_first' }, inputs: [[null, 3, 10, 10]], output: [null, 3, 5, 6], total: 0 },
  // Keras 3 RandomCrop: height/width axes −3, −2 (channels_last).
  { name: 'RandomCrop', cls: 'RandomCrop', cfg: { height: 20, width: 24 }, inputs: [[null, 32, 32, 3]], output: [null, 20, 24, 3], total: 0 },
  { name: 'RandomFlip', cls: 'RandomFlip', cfg: { mode: 'horizontal' }, inputs: [[null, 32, 32, 3]], output: [null, 32, 32, 3], total: 0 },
  { name: 'RandomRotation', cls: 'RandomRotation', cfg: { factor: 0.1 }, inputs: [[null, 32, 32, 3]], output: [null, 32, 32, 3], total: 0 },
  { name: 'RandomZoom', cls: 'RandomZoom', cfg: { height_factor: 0.1 }, inputs: [[null, 32, 32, 3]], output: [null, 32, 32, 3], total: 0 },
  { name: 'RandomTranslation', cls: 'RandomTranslation', cfg: { height_factor: 0.1, width_factor: 0.1 }, inputs: [[null, 32, 32, 3]], output: [null, 32, 32, 3], total: 0 },
  { name: 'RandomContrast', cls: 'RandomContrast', cfg: { factor: 0.2 }, inputs: [[null, 32, 32, 3]], output: [null, 32, 32, 3], total: 0 },
  { name: 'RandomBrightness', cls: 'RandomBrightness', cfg: { factor: 0.2 }, inputs: [[null, 32, 32, 3]], output: [null, 32, 32, 3], total: 0 },
  // Keras 3 Normalization (adapt case): non-trainable mean (C), variance (C) and a scalar count → 2·C + 1.
  { name: 'Normalization 3 features', cls: 'Normalization', cfg: {}, inputs: [[null, 3]], output: [null, 3], total: 7, nonTrainable: 7, formula: '2·3 + 1 = 7 (non-trainable mean, variance, count)' },
  { name: 'Normalization image channels', cls: 'Normalization', cfg: { axis: -1 }, inputs: [[null, 32, 32, 3]], output: [null, 32, 32, 3], total: 7 },
  { name: 'Normalization axis (1, 2)', cls: 'Normalization', cfg: { axis: [1, 2] }, inputs: [[null, 4, 5, 3]], output: [null, 4, 5, 3], total: 2 * 20 + 1 },
  { name: 'Normalization axis=None', cls: 'Normalization', cfg: { axis: null }, inputs: [[null, 4, 5]], output: [null, 4, 5], total: 3 },
  // With mean and variance given, Keras 3 stores them as constants, not weights.
  { name: 'Normalization with mean/variance', cls: 'Normalization', cfg: { mean: 0.5, variance: 0.25 }, inputs: [[null, 3]], output: [null, 3], total: 0 },
  // Keras 3 CategoryEncoding one_hot on a batch-only input appends the token axis.
  { name: 'CategoryEncoding one_hot (None,)', cls: 'CategoryEncoding', cfg: { num_tokens: 4, output_mode: 'one_hot' }, inputs: [[null]], output: [null, 4], total: 0 },
  // Keras Bidirectional params: forward + backward copies of the wrapped layer.
  { name: 'Bidirectional GRU (Keras default reset_after)', cls: 'Bidirectional', cfg: { layer: spec('GRU', { units: 8 }) }, inputs: [[null, 5, 4]], output: [null, 16], total: 2 * 3 * 8 * (4 + 8 + 2), formula: `2·${3 * 8 * 14} = ${2 * 3 * 8 * 14}` },
  {
    name: 'Bidirectional with backward_layer',
    cls: 'Bidirectional',
    cfg: { layer: spec('LSTM', { units: 4, return_sequences: true }), backward_layer: spec('LSTM', { units: 4, return_sequences: true, go_backwards: true }), merge_mode: 'mul' },
    inputs: [[null, 5, 3]],
    output: [null, 5, 4],
    total: 2 * 4 * 4 * (3 + 4 + 1),
  },
  { name: 'TimeDistributed params = inner params', cls: 'TimeDistributed', cfg: { layer: spec('Dense', { units: 4 }) }, inputs: [[null, 7, 3]], output: [null, 7, 4], total: 16, formula: '3·4 + 4 = 16' },
  // Errors.
  { name: 'SpatialDropout2D rank 3', cls: 'SpatialDropout2D', cfg: { rate: 0.2 }, inputs: [[null, 8, 3]], output: null, total: 0, errors: [/expected ndim=4, found ndim=3/] },
  { name: 'TimeDistributed rank 2', cls: 'TimeDistributed', cfg: { layer: spec('Dense', { units: 4 }) }, inputs: [[null, 3]], output: null, total: null, errors: [/^rank-mismatch: `TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, received: \(None, 3\)$/] },
  { name: 'Bidirectional on rank 2', cls: 'Bidirectional', cfg: { layer: spec('LSTM', { units: 4 }) }, inputs: [[null, 3]], output: null, total: null, errors: [/expected ndim=3, found ndim=2/] },
  { name: 'Bidirectional invalid merge_mode', cls: 'Bidirectional', cfg: { layer: spec('LSTM', { units: 4 }), merge_mode: 'max' }, inputs: [[null, 5, 3]], output: null, total: 2 * 4 * 4 * 8, errors: [/^invalid-config: Invalid merge mode\. Received: max\./] },
  {
    name: 'Bidirectional backward_layer without go_backwards',
    cls: 'Bidirectional',
    cfg: { layer: spec('LSTM', { units: 4 }), backward_layer: spec('LSTM', { units: 4 }) },
    inputs: [[null, 5, 3]],
    output: [null, 8],
    total: 2 * 4 * 4 * 8,
    errors: [/Forward layer and backward layer should have different `go_backwards` value/],
  },
  { name: 'PReLU None dim', cls: 'PReLU', cfg: {}, inputs: [[null, null, 3]], output: [null, '?', 3], total: null, errors: [/^unknown-dimension: /] },
  { name: 'Normalization None kept axis', cls: 'Normalization', cfg: {}, inputs: [[null, null]], output: [null, '?'], total: null, errors: [/All `axis` values to be kept must have a known shape\. Received axis=\(-1,\), inputs\.shape=\(None, None\), with unknown axis at index 1/] },
  { name: 'CategoryEncoding missing num_tokens', cls: 'CategoryEncoding', cfg: {}, inputs: [[null, 3]], output: null, total: 0, errors: [/num_tokens must be set/] },
  // Unknown config.
  { name: 'Resizing unknown height', cls: 'Resizing', cfg: { height: UNKNOWN, width: 9 }, inputs: [[null, 4, 4, 3]], output: [null, '?', 9, 3], total: 0 },
  { name: 'TimeDistributed unknown layer', cls: 'TimeDistributed', cfg: { layer: UNKNOWN }, inputs: [[null, 7, 3]], output: null, total: null },
];

for (const row of rows) {
  test(`misc: ${row.name}`, () => {
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

test('misc: Lambda-free wrappers report a wrapped unknown class once', () => {
  const r = run('TimeDistributed', { layer: spec('NoSuchLayer', {}) }, [null, 7, 3]);
  assert.equal(r.output, null);
  assert.equal(r.problems.filter((p) => p.code === 'unknown-layer').length, 1);
});

test('misc: tfjs-layers Resizing differs from Keras 3 on batched input (Keras expectations are hand-computed)', () => {
  const o = oracle(tf.layers.resizing({ height: 5, width: 6 }), [null, 10, 10, 3]);
  assert.notDeepEqual(o.output, [null, 5, 6, 3]);
  assert.deepEqual(run('Resizing', { height: 5, width: 6 }, [null, 10, 10, 3]).output, [null, 5, 6, 3]);
});
