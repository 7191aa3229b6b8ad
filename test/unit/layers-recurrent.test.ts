// Table tests for the recurrent layer rules against tfjs-layers and the Keras 3 formulas.
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
  { name: 'SimpleRNN', cls: 'SimpleRNN', cfg: { units: 32 }, tfjs: () => tf.layers.simpleRNN({ units: 32 }), inputs: [[null, 10, 8]] },
  { name: 'SimpleRNN return_sequences', cls: 'SimpleRNN', cfg: { units: 4, return_sequences: true }, tfjs: () => tf.layers.simpleRNN({ units: 4, returnSequences: true }), inputs: [[null, null, 3]] },
  { name: 'SimpleRNN return_state', cls: 'SimpleRNN', cfg: { units: 4, return_state: true }, tfjs: () => tf.layers.simpleRNN({ units: 4, returnState: true }), inputs: [[null, 7, 3]] },
  { name: 'SimpleRNN no bias', cls: 'SimpleRNN', cfg: { units: 6, use_bias: false }, tfjs: () => tf.layers.simpleRNN({ units: 6, useBias: false }), inputs: [[null, 7, 3]] },
  { name: 'LSTM', cls: 'LSTM', cfg: { units: 64 }, tfjs: () => tf.layers.lstm({ units: 64 }), inputs: [[null, 20, 100]] },
  { name: 'LSTM return_sequences', cls: 'LSTM', cfg: { units: 16, return_sequences: true }, tfjs: () => tf.layers.lstm({ units: 16, returnSequences: true }), inputs: [[null, 20, 8]] },
  { name: 'LSTM return_state', cls: 'LSTM', cfg: { units: 4, return_state: true }, tfjs: () => tf.layers.lstm({ units: 4, returnState: true }), inputs: [[null, 7, 3]] },
  { name: 'LSTM return_sequences + return_state', cls: 'LSTM', cfg: { units: 4, return_sequences: true, return_state: true }, tfjs: () => tf.layers.lstm({ units: 4, returnSequences: true, returnState: true }), inputs: [[8, 7, 3]] },
  { name: 'LSTM go_backwards (no effect on shape)', cls: 'LSTM', cfg: { units: 5, go_backwards: true }, tfjs: () => tf.layers.lstm({ units: 5, goBackwards: true }), inputs: [[null, 7, 3]] },
  { name: 'LSTM no bias', cls: 'LSTM', cfg: { units: 5, use_bias: false }, tfjs: () => tf.layers.lstm({ units: 5, useBias: false }), inputs: [[null, 7, 3]] },
  { name: 'GRU reset_after=False', cls: 'GRU', cfg: { units: 12, reset_after: false }, tfjs: () => tf.layers.gru(gruArgs({ units: 12, resetAfter: false })), inputs: [[null, 9, 5]] },
  { name: 'GRU reset_after=False return_state', cls: 'GRU', cfg: { units: 4, reset_after: false, return_state: true, return_sequences: true }, tfjs: () => tf.layers.gru(gruArgs({ units: 4, resetAfter: false, returnState: true, returnSequences: true })), inputs: [[null, 7, 3]] },
  { name: 'GRU reset_after=False no bias', cls: 'GRU', cfg: { units: 4, reset_after: false, use_bias: false }, tfjs: () => tf.layers.gru(gruArgs({ units: 4, resetAfter: false, useBias: false })), inputs: [[null, 7, 3]] },
  { name: 'RNN(LSTMCell)', cls: 'RNN', cfg: { cell: spec('LSTMCell', { units: 6 }) }, tfjs: () => tf.layers.rnn({ cell: tf.layers.lstmCell({ units: 6 }) }), inputs: [[null, 7, 3]] },
  {
    name: 'RNN(stacked cells) return_sequences',
    cls: 'RNN',
    cfg: { cell: [spec('SimpleRNNCell', { units: 6 }), spec('GRUCell', { units: 4, reset_after: false })], return_sequences: true },
    tfjs: () => tf.layers.rnn({ cell: [tf.layers.simpleRNNCell({ units: 6 }), tf.layers.gruCell({ units: 4, resetAfter: false })], returnSequences: true }),
    inputs: [[null, 7, 3]],
  },
  { name: 'ConvLSTM2D', cls: 'ConvLSTM2D', cfg: { filters: 4, kernel_size: 3 }, tfjs: () => tf.layers.convLstm2d({ filters: 4, kernelSize: 3 }), inputs: [[null, 5, 10, 10, 3]] },
  { name: 'ConvLSTM2D same, return_sequences', cls: 'ConvLSTM2D', cfg: { filters: 8, kernel_size: [3, 5], padding: 'same', return_sequences: true }, tfjs: () => tf.layers.convLstm2d({ filters: 8, kernelSize: [3, 5], padding: 'same', returnSequences: true }), inputs: [[null, null, 16, 12, 2]] },
  { name: 'ConvLSTM2D strides 2', cls: 'ConvLSTM2D', cfg: { filters: 2, kernel_size: 3, strides: 2 }, tfjs: () => tf.layers.convLstm2d({ filters: 2, kernelSize: 3, strides: 2 }), inputs: [[null, 4, 11, 9, 1]] },
  { name: 'ConvLSTM2D return_state', cls: 'ConvLSTM2D', cfg: { filters: 2, kernel_size: 3, return_state: true }, tfjs: () => tf.layers.convLstm2d({ filters: 2, kernelSize: 3, returnState: true }), inputs: [[null, 4, 8, 8, 1]] },
];

for (const row of tfRows) {
  test(`recurrent (tfjs oracle): ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    const o = oracle(row.tfjs(), ...row.inputs);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.output, o.output);
    assert.equal(r.total, o.total);
    assert.equal(r.params.nonTrainable, 0);
  });
}

interface Row { name: string; cls: string; cfg: LayerConfig; inputs: RuleShape[]; output: OutputShape; total: number | null; formula?: string; errors?: RegExp[] }

const rows: Row[] = [
  // Keras 3 GRU default reset_after=True: kernel 3u·in + recurrent 3u·u + bias (2, 3u) → 3·u·(in + u + 2)
  // (tfjs-layers cannot build reset_after=True, so these are from the Keras formula).
  { name: 'GRU default reset_after=True', cls: 'GRU', cfg: { units: 12 }, inputs: [[null, 9, 5]], output: [null, 12], total: 3 * 12 * (5 + 12 + 2), formula: '3·12·(5 + 12 + 2) = 684' },
  { name: 'GRU reset_after=True 64 on 100', cls: 'GRU', cfg: { units: 64, reset_after: true, return_sequences: true }, inputs: [[null, 20, 100]], output: [null, 20, 64], total: 3 * 64 * (100 + 64 + 2) },
  { name: 'GRU reset_after=True no bias', cls: 'GRU', cfg: { units: 4, use_bias: false }, inputs: [[null, 7, 3]], output: [null, 4], total: 3 * 4 * (3 + 4) },
  { name: 'GRU return_state (one state)', cls: 'GRU', cfg: { units: 4, return_state: true }, inputs: [[null, 7, 3]], output: [[null, 4], [null, 4]], total: 3 * 4 * (3 + 4 + 2) },
  { name: 'RNN(GRUCell) default reset_after', cls: 'RNN', cfg: { cell: spec('GRUCell', { units: 4 }), return_state: true }, inputs: [[null, 7, 3]], output: [[null, 4], [null, 4]], total: 3 * 4 * (3 + 4 + 2) },
  // Keras LSTM: 4·u·(in + u + 1).
  { name: 'LSTM formula', cls: 'LSTM', cfg: { units: 64 }, inputs: [[null, 20, 100]], output: [null, 64], total: 42240, formula: '4·64·(100 + 64 + 1) = 42240' },
  { name: 'SimpleRNN formula', cls: 'SimpleRNN', cfg: { units: 32 }, inputs: [[null, 10, 8]], output: [null, 32], total: 1312, formula: '32·(8 + 32 + 1) = 1312' },
  // Keras 3 ConvLSTM1D: kernel k·c·4f + recurrent k·f·4f + bias 4f; output (batch, steps', filters).
  { name: 'ConvLSTM1D', cls: 'ConvLSTM1D', cfg: { filters: 3, kernel_size: 2 }, inputs: [[null, 6, 10, 4]], output: [null, 9, 3], total: 2 * 4 * 12 + 2 * 3 * 12 + 12 },
  // channels_first: (batch, time, channels, rows, cols) → (batch, filters, rows', cols').
  { name: 'ConvLSTM2D channels_first', cls: 'ConvLSTM2D', cfg: { filters: 4, kernel_size: 3, data_format: 'channels_first' }, inputs: [[null, 5, 3, 10, 10]], output: [null, 4, 8, 8], total: 9 * 3 * 16 + 9 * 4 * 16 + 16 },
  { name: 'ConvLSTM3D', cls: 'ConvLSTM3D', cfg: { filters: 2, kernel_size: 3, padding: 'same', return_sequences: true }, inputs: [[null, 4, 6, 6, 6, 1]], output: [null, 4, 6, 6, 6, 2], total: 27 * 1 * 8 + 27 * 2 * 8 + 8 },
  // Errors.
  { name: 'LSTM rank 2', cls: 'LSTM', cfg: { units: 4 }, inputs: [[null, 3]], output: null, total: null, errors: [/^rank-mismatch: Input 0 of layer "layer" is incompatible with the layer: expected ndim=3, found ndim=2\. Full shape received: \(None, 3\)$/] },
  { name: 'LSTM None features', cls: 'LSTM', cfg: { units: 4 }, inputs: [[null, 7, null]], output: [null, 4], total: null, errors: [/^unknown-dimension: The last dimension of the inputs to a LSTM layer should be defined/] },
  { name: 'ConvLSTM2D negative size', cls: 'ConvLSTM2D', cfg: { filters: 2, kernel_size: 5 }, inputs: [[null, 3, 4, 4, 1]], output: null, total: null, errors: [/^negative-dimension: Computed output size would be negative/] },
  { name: 'LSTM missing units', cls: 'LSTM', cfg: {}, inputs: [[null, 7, 3]], output: null, total: null, errors: [/missing 1 required positional argument: 'units'/] },
  // Unknown config.
  { name: 'LSTM unknown units', cls: 'LSTM', cfg: { units: UNKNOWN }, inputs: [[null, 7, 3]], output: [null, '?'], total: null },
  { name: 'LSTM unknown return_sequences', cls: 'LSTM', cfg: { units: 4, return_sequences: UNKNOWN }, inputs: [[null, 7, 3]], output: null, total: 4 * 4 * (3 + 4 + 1) },
];

for (const row of rows) {
  test(`recurrent: ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    assert.deepEqual(r.output, row.output);
    assert.equal(r.total, row.total);
    if (row.formula !== undefined) assert.equal(r.params.formula, row.formula);
    const errs = row.errors ?? [];
    assert.equal(r.errors.length, errs.length, r.errors.join('\n'));
    errs.forEach((re, i) => assert.match(r.errors[i], re));
  });
}

test('recurrent: tfjs-layers cannot build GRU with reset_after=True (Keras default)', () => {
  assert.throws(() => tf.layers.gru(gruArgs({ units: 4, resetAfter: true })), /reset_after/);
});
