// Table tests for the rest of Keras 3's public layers: GroupQueryAttention, MultiHeadAttention's
// attention scores, MelSpectrogram, STFTSpectrogram, ReversibleEmbedding, TernaryDense,
// SpectralNormalization, Pipeline, and tf.keras 2's RandomHeight / RandomWidth. Expected values are
// worked by hand from the Keras sources named per row, or from tfjs building the layer whose
// weights Keras' source says are the same (Dense for TernaryDense, Embedding for a tied
// ReversibleEmbedding).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { run } from './helpers/layer';
import { oracle } from './helpers/tfjs-oracle';
import { analyze } from './helpers/python';
import { UNKNOWN, type LayerConfig, type LayerSpec } from '../../src/core/config';
import type { OutputShape, RuleShape } from '../../src/core/shape';

const spec = (className: string, config: LayerConfig): LayerSpec => ({ kind: 'layerSpec', className, config });

interface Row { name: string; cls: string; cfg: LayerConfig; inputs: RuleShape[]; output: OutputShape; total: number | null; nonTrainable?: number; errors?: RegExp[] }

const rows: Row[] = [
  // keras/src/layers/attention/grouped_query_attention.py build(): head_dim D=16, Hq=8, Hkv=2, q=v=64:
  // query 64·8·16 + 8·16 = 8320; key 64·2·16 + 2·16 = 2080; value 2080; attention_output 8·16·64 + 64 = 8256 → 20736.
  { name: 'GQA', cls: 'GroupQueryAttention', cfg: { head_dim: 16, num_query_heads: 8, num_key_value_heads: 2 }, inputs: [[null, 10, 64], [null, 10, 64]], output: [null, 10, 64], total: 20736 },
  // use_gate adds gate = query's 8320 → 29056.
  { name: 'GQA use_gate', cls: 'GroupQueryAttention', cfg: { head_dim: 16, num_query_heads: 8, num_key_value_heads: 2, use_gate: true }, inputs: [[null, 10, 64], [null, 10, 64]], output: [null, 10, 64], total: 29056 },
  // No bias: 8192 + 2048 + 2048 + 8192 = 20480.
  { name: 'GQA no bias', cls: 'GroupQueryAttention', cfg: { head_dim: 16, num_query_heads: 8, num_key_value_heads: 2, use_bias: false }, inputs: [[null, 10, 64], [null, 10, 64]], output: [null, 10, 64], total: 20480 },
  // Key of another width: key 32·2·16 + 32 = 1056 instead of 2080 → 19712. Scores (B, Hq, T_q, T_key) = (None, 8, 10, 20).
  {
    name: 'GQA key, scores',
    cls: 'GroupQueryAttention',
    cfg: { head_dim: 16, num_query_heads: 8, num_key_value_heads: 2, return_attention_scores: true },
    inputs: [[null, 10, 64], [null, 20, 64], [null, 20, 32]],
    output: [[null, 10, 64], [null, 8, 10, 20]],
    total: 19712,
  },
  { name: 'GQA heads not divisible', cls: 'GroupQueryAttention', cfg: { head_dim: 16, num_query_heads: 6, num_key_value_heads: 4 }, inputs: [[null, 10, 64], [null, 10, 64]], output: null, total: null, errors: [/`num_query_heads` must be divisible by `num_key_value_heads`/] },
  { name: 'GQA query/value width', cls: 'GroupQueryAttention', cfg: { head_dim: 16, num_query_heads: 4, num_key_value_heads: 2 }, inputs: [[null, 10, 64], [null, 10, 32]], output: null, total: null, errors: [/The last dimension of `query_shape` and `value_shape` must be equal, but are 64, 32/] },
  // multi_head_attention.py compute_output_spec: scores (B, num_heads, T_q, T_q) — the query's length twice.
  // Params as without scores: q 32·4·8 + 32 = 1056; k = v 16·4·8 + 32 = 544; out 4·8·32 + 32 = 1056 → 3200.
  { name: 'MHA scores', cls: 'MultiHeadAttention', cfg: { num_heads: 4, key_dim: 8, return_attention_scores: true }, inputs: [[null, 10, 32], [null, 20, 16]], output: [[null, 10, 32], [null, 4, 10, 10]], total: 3200 },
  // attention.py compute_output_spec: scores (*query[:-1], key[-2]).
  { name: 'Attention scores', cls: 'Attention', cfg: { return_attention_scores: true }, inputs: [[null, 5, 16], [null, 7, 16]], output: [[null, 5, 16], [null, 5, 7]], total: 0 },
  { name: 'AdditiveAttention scores', cls: 'AdditiveAttention', cfg: { return_attention_scores: true }, inputs: [[null, 5, 16], [null, 7, 16]], output: [[null, 5, 16], [null, 5, 7]], total: 16 },
  // mel_spectrogram.py compute_output_shape: (B, num_mel_bins, (T + stride + 1) // stride); 16513 // 512 = 32.
  { name: 'MelSpectrogram defaults', cls: 'MelSpectrogram', cfg: {}, inputs: [[null, 16000]], output: [null, 128, 32], total: 0 },
  // (22050 + 256 + 1) // 256 = 22307 // 256 = 87.
  { name: 'MelSpectrogram settings', cls: 'MelSpectrogram', cfg: { fft_length: 1024, sequence_stride: 256, num_mel_bins: 80, sampling_rate: 22050 }, inputs: [[null, 22050]], output: [null, 80, 87], total: 0 },
  { name: 'MelSpectrogram None length', cls: 'MelSpectrogram', cfg: {}, inputs: [[null, null]], output: [null, 128, null], total: 0 },
  { name: 'MelSpectrogram fft < sequence_length', cls: 'MelSpectrogram', cfg: { fft_length: 256, sequence_length: 512 }, inputs: [[null, 1000]], output: null, total: 0, errors: [/`fft_length` must be greater than or equal to/] },
  // stft_spectrogram.py: frame 256, step 128, fft 256 → F = 129; frames ⌊(16000 − 256)/128⌋ + 1 = 124.
  // Weights real_kernel + imag_kernel, 256·1·129 each → 66048.
  { name: 'STFTSpectrogram defaults', cls: 'STFTSpectrogram', cfg: {}, inputs: [[null, 16000, 1]], output: [null, 124, 129], total: 66048 },
  // frame 200 → fft = 2^⌈log2 200⌉ = 256, F = 129; step 100: ⌊15800/100⌋ + 1 = 159 frames; 2 channels → 258.
  // mode='real': real_kernel only, 200·129 = 25800.
  { name: 'STFTSpectrogram real, 2 channels', cls: 'STFTSpectrogram', cfg: { mode: 'real', frame_length: 200, frame_step: 100 }, inputs: [[null, 16000, 2]], output: [null, 159, 258], total: 25800 },
  // expand_dims: (B, frames, F, channels); padding same: ⌈16000/100⌉ = 160.
  { name: 'STFTSpectrogram expand_dims same', cls: 'STFTSpectrogram', cfg: { mode: 'magnitude', frame_length: 200, frame_step: 100, padding: 'same', expand_dims: true }, inputs: [[null, 16000, 2]], output: [null, 160, 129, 2], total: 2 * 200 * 129 },
  // mode='stft' doubles F: 2·(512 // 2 + 1) = 514; fft 512, frame 400, step 200: ⌊(8000 − 400)/200⌋ + 1 = 39.
  { name: 'STFTSpectrogram stft channels_first', cls: 'STFTSpectrogram', cfg: { mode: 'stft', frame_length: 400, frame_step: 200, fft_length: 512, data_format: 'channels_first' }, inputs: [[null, 1, 8000]], output: [null, 514, 39], total: 2 * 400 * 257 },
  { name: 'STFTSpectrogram step > frame', cls: 'STFTSpectrogram', cfg: { frame_length: 100, frame_step: 200 }, inputs: [[null, 1000, 1]], output: null, total: null, errors: [/`frame_step` should be a positive integer not greater than `frame_length`/] },
  { name: 'STFTSpectrogram rank 2', cls: 'STFTSpectrogram', cfg: {}, inputs: [[null, 1000]], output: null, total: null, errors: [/expected ndim=3, found ndim=2/] },
  // reversible_embedding.py: tie_weights=False adds reverse_embeddings (output_dim, input_dim): 100·16 + 16·100 = 3200.
  { name: 'ReversibleEmbedding untied', cls: 'ReversibleEmbedding', cfg: { input_dim: 100, output_dim: 16, tie_weights: false }, inputs: [[null, 12]], output: [null, 12, 16], total: 3200 },
  // reverse=True: output_shape[-1] = input_dim.
  { name: 'ReversibleEmbedding reverse', cls: 'ReversibleEmbedding', cfg: { input_dim: 100, output_dim: 16, reverse: true }, inputs: [[null, 12, 16]], output: [null, 12, 100], total: 1600 },
  // spectral_normalization.py: wrapped weights + non-trainable vector_u (1, kernel.shape[-1]).
  // Dense(10) on 4 features: 4·10 + 10 = 50, u 10 → 60.
  { name: 'SpectralNormalization Dense', cls: 'SpectralNormalization', cfg: { layer: spec('Dense', { units: 10 }) }, inputs: [[null, 4]], output: [null, 10], total: 60, nonTrainable: 10 },
  // Conv2D(8, 3) on 3 channels: 3·3·3·8 + 8 = 224, u 8 → 232.
  { name: 'SpectralNormalization Conv2D', cls: 'SpectralNormalization', cfg: { layer: spec('Conv2D', { filters: 8, kernel_size: 3 }) }, inputs: [[null, 8, 8, 3]], output: [null, 6, 6, 8], total: 232, nonTrainable: 8 },
  // Conv2DTranspose kernel is (3, 3, filters, in_channels): u = 3 → 224 + 3 = 227.
  { name: 'SpectralNormalization Conv2DTranspose', cls: 'SpectralNormalization', cfg: { layer: spec('Conv2DTranspose', { filters: 8, kernel_size: 3 }) }, inputs: [[null, 8, 8, 3]], output: [null, 10, 10, 8], total: 227, nonTrainable: 3 },
  // Embedding embeddings (100, 16): u = 16 → 1600 + 16.
  { name: 'SpectralNormalization Embedding', cls: 'SpectralNormalization', cfg: { layer: spec('Embedding', { input_dim: 100, output_dim: 16 }) }, inputs: [[null, 5]], output: [null, 5, 16], total: 1616, nonTrainable: 16 },
  { name: 'SpectralNormalization SeparableConv2D', cls: 'SpectralNormalization', cfg: { layer: spec('SeparableConv2D', { filters: 8, kernel_size: 3 }) }, inputs: [[null, 8, 8, 3]], output: null, total: null, errors: [/SeparableConv2D object has no attribute 'kernel' nor 'embeddings'/] },
  { name: 'SpectralNormalization unknown layer', cls: 'SpectralNormalization', cfg: { layer: UNKNOWN }, inputs: [[null, 4]], output: null, total: null },
  // pipeline.py: the layers in turn; Rescaling, then Conv2D(4, 3): 3·3·3·4 + 4 = 112.
  { name: 'Pipeline', cls: 'Pipeline', cfg: { layers: [spec('Rescaling', { scale: 0.5 }), spec('RandomFlip', {}), spec('Conv2D', { filters: 4, kernel_size: 3 })] }, inputs: [[null, 8, 8, 3]], output: [null, 6, 6, 4], total: 112 },
  { name: 'Pipeline unknown list', cls: 'Pipeline', cfg: { layers: UNKNOWN }, inputs: [[null, 8, 8, 3]], output: null, total: null },
  // tf.keras 2 image_preprocessing.py compute_output_shape: input_shape[H_AXIS=-3] = None / [W_AXIS=-2] = None.
  { name: 'RandomHeight', cls: 'RandomHeight', cfg: { factor: 0.2 }, inputs: [[null, 32, 48, 3]], output: [null, null, 48, 3], total: 0 },
  { name: 'RandomWidth', cls: 'RandomWidth', cfg: { factor: 0.2 }, inputs: [[null, 32, 48, 3]], output: [null, 32, null, 3], total: 0 },
  { name: 'RandomWidth unbatched', cls: 'RandomWidth', cfg: { factor: 0.2 }, inputs: [[32, 48, 3]], output: [32, null, 3], total: 0 },
];

for (const row of rows) {
  test(`extra: ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    if (row.errors) {
      assert.equal(r.errors.length, row.errors.length, r.errors.join('\n'));
      row.errors.forEach((re, i) => assert.match(r.errors[i], re));
    } else {
      assert.deepEqual(r.errors, []);
      assert.equal(r.total, row.total);
      if (row.nonTrainable !== undefined) assert.equal(r.params.nonTrainable, row.nonTrainable);
    }
    if (row.output !== null || !row.errors) assert.deepEqual(r.output, row.output);
  });
}

// Layers whose weights Keras' source builds exactly as a tfjs layer's: tfjs is the oracle.
const tfRows: { name: string; cls: string; cfg: LayerConfig; tfjs: () => tf.layers.Layer; inputs: RuleShape[] }[] = [
  // ternary_dense.py build(): kernel (input_dim, units) + bias (units,), as Dense.
  { name: 'TernaryDense = Dense weights', cls: 'TernaryDense', cfg: { units: 10 }, tfjs: () => tf.layers.dense({ units: 10 }), inputs: [[null, 32]] },
  { name: 'TernaryDense no bias on 3D', cls: 'TernaryDense', cfg: { units: 7, use_bias: false }, tfjs: () => tf.layers.dense({ units: 7, useBias: false }), inputs: [[null, 5, 6]] },
  // reversible_embedding.py with tie_weights=True (default): Embedding's weights and output.
  { name: 'ReversibleEmbedding tied = Embedding', cls: 'ReversibleEmbedding', cfg: { input_dim: 1000, output_dim: 64 }, tfjs: () => tf.layers.embedding({ inputDim: 1000, outputDim: 64 }), inputs: [[null, 20]] },
];

for (const row of tfRows) {
  test(`extra (tfjs oracle): ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    const o = oracle(row.tfjs(), ...row.inputs);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.output, o.output);
    assert.equal(r.total, o.total);
  });
}

test('extra: unknown settings give ?, not a guess', () => {
  assert.deepEqual(run('GroupQueryAttention', { head_dim: UNKNOWN, num_query_heads: 8, num_key_value_heads: 2 }, [null, 10, 64], [null, 10, 64]).total, null);
  assert.deepEqual(run('STFTSpectrogram', { frame_length: UNKNOWN }, [null, 1000, 1]).output, [null, '?', '?']);
  assert.deepEqual(run('MelSpectrogram', { num_mel_bins: UNKNOWN }, [null, 16000]).output, [null, '?', 32]);
  assert.equal(run('MultiHeadAttention', { num_heads: 2, key_dim: 4, return_attention_scores: UNKNOWN }, [null, 3, 8], [null, 3, 8]).output, null);
});

test('extra: keyword tensors and return_attention_scores through the Python front end', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

q = keras.Input(shape=(10, 32))
v = keras.Input(shape=(20, 16))
out, scores = layers.MultiHeadAttention(num_heads=4, key_dim=8)(q, v, return_attention_scores=True)
y = layers.MultiHeadAttention(num_heads=2, key_dim=8, name="kw")(query=q, value=v, key=v)
g = layers.GroupQueryAttention(head_dim=8, num_query_heads=4, num_key_value_heads=2)(q, q)
model = keras.Model([q, v], [out, scores, y, g])

tok = keras.Input(shape=(12,), dtype="int32")
emb = layers.ReversibleEmbedding(100, 16, tie_weights=False)
logits = emb(emb(tok), reverse=True)
lm = keras.Model(tok, logits)
`);
  assert.deepEqual(json.diagnostics.filter((d) => d.severity === 'error'), []);
  const [model, lm] = json.models;
  const by = new Map(model.layers.map((l) => [l.name, l]));
  assert.deepEqual(by.get('multi_head_attention')?.outputShape, [[null, 10, 32], [null, 4, 10, 10]]);
  assert.equal(by.get('multi_head_attention')?.params, 3200);
  // kw: q 32·2·8 + 16 = 528; k = v 16·2·8 + 16 = 272; out 2·8·32 + 32 = 544 → 1616.
  assert.deepEqual(by.get('kw')?.outputShape, [null, 10, 32]);
  assert.equal(by.get('kw')?.params, 1616);
  // Keras' class name is GroupedQueryAttention: q 32·4·8 + 32 = 1056; k = v 32·2·8 + 16 = 528; out 4·8·32 + 32 = 1056 → 3168.
  assert.equal(by.get('grouped_query_attention')?.className, 'GroupedQueryAttention');
  assert.equal(by.get('grouped_query_attention')?.params, 3168);
  assert.equal(model.totalParams, 3200 + 1616 + 3168);
  // The reversed call maps back to the 100 tokens: (None, 12, 100); weights 100·16 + 16·100 = 3200 once.
  assert.deepEqual(lm.outputShape, [null, 12, 100]);
  assert.equal(lm.totalParams, 3200);
});

test('extra: a layer called with inputs= by keyword', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

x = keras.Input(shape=(8,))
y = layers.Dense(3)(inputs=x)
model = keras.Model(x, y)
`);
  assert.deepEqual(json.diagnostics.filter((d) => d.severity === 'error'), []);
  // Dense 8·3 + 3 = 27.
  assert.deepEqual(json.models[0].layers.map((l) => [l.name, l.outputShape, l.params]), [['input_layer', [null, 8], 0], ['dense', [null, 3], 27]]);
});
