// Table tests for rules added for keras.layers coverage (issue 10): RMSNormalization, adaptive
// pooling, Hashing, RandomGrayscale, CLAHE. tfjs-layers has none of these, so every expectation is
// worked out by hand from Keras 3's source (formula beside each), and the Python positional
// signatures are checked end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers/layer';
import { analyze } from './helpers/python';
import { UNKNOWN, type LayerConfig } from '../../src/core/config';
import type { OutputShape, RuleShape } from '../../src/core/shape';

interface Row { name: string; cls: string; cfg: LayerConfig; inputs: RuleShape[]; output: OutputShape; total: number | null; formula?: string; errors?: RegExp[] }

const rows: Row[] = [
  // RMSNormalization: scale of shape tuple(input_shape[a] for a in axis); default axis −1 → (C,).
  { name: 'RMSNormalization default axis', cls: 'RMSNormalization', cfg: {}, inputs: [[null, 20, 30, 10]], output: [null, 20, 30, 10], total: 10, formula: '10 (scale)' },
  // axis (1, 2) on (None, 4, 5, 3): scale (4, 5) → 4·5 = 20.
  { name: 'RMSNormalization axis (1, 2)', cls: 'RMSNormalization', cfg: { axis: [1, 2] }, inputs: [[null, 4, 5, 3]], output: [null, 4, 5, 3], total: 20, formula: '4·5 = 20 (scale)' },
  { name: 'RMSNormalization None axis dim', cls: 'RMSNormalization', cfg: {}, inputs: [[null, null]], output: [null, null], total: null },
  { name: 'RMSNormalization axis out of range', cls: 'RMSNormalization', cfg: { axis: 3 }, inputs: [[null, 4]], output: [null, 4], total: null, errors: [/tuple index out of range/] },
  // Adaptive pooling: (batch, *output_size, C) or (batch, C, *output_size), any input spatial size.
  { name: 'AdaptiveAveragePooling2D int', cls: 'AdaptiveAveragePooling2D', cfg: { output_size: 7 }, inputs: [[null, 32, 48, 64]], output: [null, 7, 7, 64], total: 0 },
  { name: 'AdaptiveMaxPooling2D tuple', cls: 'AdaptiveMaxPooling2D', cfg: { output_size: [3, 5] }, inputs: [[null, null, null, 8]], output: [null, 3, 5, 8], total: 0 },
  { name: 'AdaptiveAveragePooling2D channels_first', cls: 'AdaptiveAveragePooling2D', cfg: { output_size: [2, 4], data_format: 'channels_first' }, inputs: [[null, 16, 9, 9]], output: [null, 16, 2, 4], total: 0 },
  { name: 'AdaptiveAveragePooling1D', cls: 'AdaptiveAveragePooling1D', cfg: { output_size: 4 }, inputs: [[null, 100, 6]], output: [null, 4, 6], total: 0 },
  { name: 'AdaptiveMaxPooling1D channels_first', cls: 'AdaptiveMaxPooling1D', cfg: { output_size: [5], data_format: 'channels_first' }, inputs: [[null, 6, 100]], output: [null, 6, 5], total: 0 },
  { name: 'AdaptiveMaxPooling3D', cls: 'AdaptiveMaxPooling3D', cfg: { output_size: [2, 3, 4] }, inputs: [[null, 8, 8, 8, 1]], output: [null, 2, 3, 4, 1], total: 0 },
  { name: 'AdaptiveAveragePooling3D int', cls: 'AdaptiveAveragePooling3D', cfg: { output_size: 2 }, inputs: [[null, 8, 9, 10, 3]], output: [null, 2, 2, 2, 3], total: 0 },
  { name: 'AdaptiveAveragePooling2D missing output_size', cls: 'AdaptiveAveragePooling2D', cfg: {}, inputs: [[null, 8, 8, 3]], output: null, total: 0, errors: [/missing 1 required positional argument: 'output_size'/] },
  { name: 'AdaptiveAveragePooling2D unknown output_size', cls: 'AdaptiveAveragePooling2D', cfg: { output_size: UNKNOWN }, inputs: [[null, 8, 8, 3]], output: [null, '?', '?', 3], total: 0 },
  // Hashing: int keeps the shape; one_hot / multi_hot / count replace the last axis by num_bins.
  { name: 'Hashing int', cls: 'Hashing', cfg: { num_bins: 3 }, inputs: [[null, 4]], output: [null, 4], total: 0 },
  { name: 'Hashing one_hot', cls: 'Hashing', cfg: { num_bins: 3, output_mode: 'one_hot' }, inputs: [[null, 1]], output: [null, 3], total: 0 },
  { name: 'Hashing multi_hot', cls: 'Hashing', cfg: { num_bins: 5, output_mode: 'multi_hot' }, inputs: [[null, 4]], output: [null, 5], total: 0 },
  { name: 'Hashing bad output_mode', cls: 'Hashing', cfg: { num_bins: 5, output_mode: 'tf_idf' }, inputs: [[null, 4]], output: null, total: 0, errors: [/Invalid value for argument `output_mode`/] },
  { name: 'Hashing missing num_bins', cls: 'Hashing', cfg: {}, inputs: [[null, 4]], output: [null, 4], total: 0, errors: [/missing 1 required positional argument: 'num_bins'/] },
  { name: 'Hashing num_bins 0', cls: 'Hashing', cfg: { num_bins: 0, output_mode: 'count' }, inputs: [[null, 4]], output: null, total: 0, errors: [/^invalid-config: The `num_bins` for `Hashing` cannot be `None` or non-positive values\. Received: num_bins=0\.$/] },
  { name: 'Hashing num_bins None', cls: 'Hashing', cfg: { num_bins: null }, inputs: [[null, 4]], output: [null, 4], total: 0, errors: [/Received: num_bins=None\.$/] },
  // RandomGrayscale.compute_output_shape returns input_shape (3 channels stay 3); CLAHE likewise.
  { name: 'RandomGrayscale', cls: 'RandomGrayscale', cfg: { factor: 0.5 }, inputs: [[null, 32, 32, 3]], output: [null, 32, 32, 3], total: 0 },
  { name: 'ContrastLimitedAdaptiveHistogramEqualization', cls: 'ContrastLimitedAdaptiveHistogramEqualization', cfg: {}, inputs: [[null, 64, 64, 1]], output: [null, 64, 64, 1], total: 0 },
];

for (const row of rows) {
  test(`coverage rules: ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    assert.deepEqual(r.output, row.output);
    assert.equal(r.total, row.total);
    if (row.formula !== undefined) assert.equal(r.params.formula, row.formula);
    const errs = row.errors ?? [];
    assert.equal(r.errors.length, errs.length, r.errors.join('\n'));
    errs.forEach((re, i) => assert.match(r.errors[i], re));
  });
}

// Positional arguments as Keras 3's __init__ signatures take them.
test('coverage rules: Python positional arguments (RandomCrop, RandomRotation, RandomZoom, AdaptivePooling, Hashing, RMSNormalization)', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(32, 40, 3)),
    layers.RandomCrop(20, 24),
    layers.RandomRotation(0.1),
    layers.RandomZoom(0.2, 0.1),
    layers.RandomTranslation(0.1, 0.2),
    layers.RandomFlip("horizontal"),
    layers.RandomContrast(0.2),
    layers.RandomBrightness(0.2),
    layers.RandomGrayscale(0.3),
    layers.AdaptiveAveragePooling2D((4, 6)),
    layers.RMSNormalization(1),
    layers.Flatten(),
    layers.Hashing(10, None, None, "one_hot"),
])
`);
  assert.equal(json.models.length, 1);
  const m = json.models[0];
  assert.deepEqual(
    m.layers.map((l) => [l.className, l.outputShape, l.params]),
    [
      // RandomCrop(height=20, width=24): (None, 20, 24, 3).
      ['RandomCrop', [null, 20, 24, 3], 0],
      ['RandomRotation', [null, 20, 24, 3], 0],
      ['RandomZoom', [null, 20, 24, 3], 0],
      ['RandomTranslation', [null, 20, 24, 3], 0],
      ['RandomFlip', [null, 20, 24, 3], 0],
      ['RandomContrast', [null, 20, 24, 3], 0],
      ['RandomBrightness', [null, 20, 24, 3], 0],
      ['RandomGrayscale', [null, 20, 24, 3], 0],
      // output_size (4, 6): (None, 4, 6, 3).
      ['AdaptiveAveragePooling2D', [null, 4, 6, 3], 0],
      // axis=1 → scale of shape (4,) → 4 params.
      ['RMSNormalization', [null, 4, 6, 3], 4],
      // 4·6·3 = 72.
      ['Flatten', [null, 72], 0],
      // one_hot replaces the last axis by num_bins = 10.
      ['Hashing', [null, 10], 0],
    ],
  );
  assert.equal(m.totalParams, 4);
});
