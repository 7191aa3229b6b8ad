// Reshaping rules against tfjs-layers as the oracle (table-driven), plus hand-computed Keras
// expectations where tfjs lacks the layer or differs from Keras, and the error cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { run } from './helpers/layer';
import { tfjsArgs } from './helpers/tfjs-oracle';
import { UNKNOWN, type LayerConfig } from '../../src/core/config';
import type { RuleShape, Shape } from '../../src/core/shape';

// ---------------------------------------------------------------------------------------------
// tfjs oracle

/** tfjs args; tfjs' UpSampling2D needs the [rows, cols] form of an int size (Keras normalises an int itself). */
function upsamplingArgs(cfg: LayerConfig): Record<string, unknown> {
  const out = tfjsArgs(cfg);
  if (typeof out.size === 'number') out.size = [out.size, out.size];
  return out;
}

type Factory = (args: never) => tf.layers.Layer;
const TFJS: Record<string, Factory> = {
  Flatten: tf.layers.flatten as Factory,
  Permute: tf.layers.permute as Factory,
  RepeatVector: tf.layers.repeatVector as Factory,
  ZeroPadding2D: tf.layers.zeroPadding2d as Factory,
  Cropping2D: tf.layers.cropping2D as Factory,
  UpSampling2D: tf.layers.upSampling2d as Factory,
};

function oracle(cls: string, cfg: LayerConfig, input: RuleShape): RuleShape {
  const layer = TFJS[cls](upsamplingArgs(cfg) as never);
  const y = layer.apply(tf.input({ shape: input.slice(1) as number[] })) as tf.SymbolicTensor;
  assert.equal(layer.countParams(), 0);
  return y.shape as RuleShape;
}

/**
 * 1D layers tfjs lacks, computed by the 2D tfjs layer on a height-1 input that is left untouched
 * (padding / cropping (0, 0) or size 1 on the height axis).
 */
const LIFT: Record<string, { cls: string; key: string; keep: number | number[] }> = {
  ZeroPadding1D: { cls: 'ZeroPadding2D', key: 'padding', keep: [0, 0] },
  Cropping1D: { cls: 'Cropping2D', key: 'cropping', keep: [0, 0] },
  UpSampling1D: { cls: 'UpSampling2D', key: 'size', keep: 1 },
};
const DEFAULT_1D: Record<string, number> = { ZeroPadding1D: 1, Cropping1D: 1, UpSampling1D: 2 };
function liftedOracle(cls: string, cfg: LayerConfig, input: RuleShape): RuleShape {
  const { cls: cls2, key, keep } = LIFT[cls];
  const v = cfg[key] ?? DEFAULT_1D[cls];
  const along = key === 'size' ? v : typeof v === 'number' ? [v, v] : v;
  const shape = oracle(cls2, { [key]: [keep, along] as number[] }, [input[0], 1, input[1], input[2]]);
  return [shape[0], shape[2], shape[3]];
}

interface Row {
  cls: string;
  cfg: LayerConfig;
  input: RuleShape;
}

const rows: Row[] = [];
// Flatten (tfjs requires rank >= 3 and fully known dims; the rest is hand-computed below)
for (const input of [[null, 28, 28, 1], [null, 10, 64], [null, 4, 5, 6, 7], [null, 1, 1]] as RuleShape[]) {
  rows.push({ cls: 'Flatten', cfg: {}, input });
  rows.push({ cls: 'Flatten', cfg: { data_format: 'channels_first' }, input });
}
// Permute
for (const [dims, input] of [
  [[2, 1], [null, 10, 64]],
  [[1, 2], [null, 10, 64]],
  [[3, 1, 2], [null, 4, 5, 6]],
  [[2, 3, 1], [null, null, 5, 6]],
  [[4, 3, 2, 1], [null, 2, 3, 4, 5]],
] as [number[], RuleShape][]) rows.push({ cls: 'Permute', cfg: { dims }, input });
// RepeatVector
for (const [n, input] of [[3, [null, 32]], [1, [null, 5]], [10, [null, null]]] as [number, RuleShape][]) rows.push({ cls: 'RepeatVector', cfg: { n }, input });
// ZeroPadding2D / Cropping2D: int, symmetric pair, and ((top, bottom), (left, right)) forms.
// tfjs' Cropping2D has no default and turns None dims into numbers, so those cases are hand-computed.
const PAIRS: (number | number[] | number[][] | undefined)[] = [undefined, 0, 2, [1, 3], [[1, 2], [3, 4]], [[0, 9], [5, 0]]];
for (const amount of PAIRS) {
  for (const [input, format] of [
    [[null, 28, 28, 3], undefined],
    [[null, 12, null, 3], undefined],
    [[null, 3, 28, 20], 'channels_first'],
  ] as [RuleShape, string | undefined][]) {
    for (const [cls, key] of [['ZeroPadding2D', 'padding'], ['Cropping2D', 'cropping']]) {
      if (cls === 'Cropping2D' && (amount === undefined || input.includes(null))) continue;
      const cfg: LayerConfig = {};
      if (amount !== undefined) cfg[key] = amount as number;
      if (format) cfg.data_format = format;
      rows.push({ cls, cfg, input });
    }
  }
}
// UpSampling2D
for (const size of [undefined, 1, 3, [2, 3]] as (number | number[] | undefined)[]) {
  for (const [input, format] of [[[null, 14, 14, 8], undefined], [[null, null, 5, 2], undefined], [[null, 8, 14, 10], 'channels_first']] as [RuleShape, string | undefined][]) {
    const cfg: LayerConfig = { interpolation: 'bilinear' };
    if (size !== undefined) cfg.size = size;
    if (format) cfg.data_format = format;
    rows.push({ cls: 'UpSampling2D', cfg, input });
  }
}
// 1D forms via the height-1 2D layer
for (const input of [[null, 20, 4], [null, null, 3]] as RuleShape[]) {
  for (const padding of [undefined, 0, 3, [1, 4]]) rows.push({ cls: 'ZeroPadding1D', cfg: padding === undefined ? {} : { padding }, input });
  if (input[1] !== null) for (const cropping of [undefined, 0, 3, [1, 4], [0, 7]]) rows.push({ cls: 'Cropping1D', cfg: cropping === undefined ? {} : { cropping }, input });
  for (const size of [undefined, 1, 4]) rows.push({ cls: 'UpSampling1D', cfg: size === undefined ? {} : { size }, input });
}

test(`reshaping rules match tfjs-layers (${rows.length} rows)`, async (t) => {
  for (const row of rows) {
    const desc = `${row.cls}(${JSON.stringify(row.cfg)}) on ${JSON.stringify(row.input)}`;
    await t.test(desc, () => {
      const exp = LIFT[row.cls] ? liftedOracle(row.cls, row.cfg, row.input) : oracle(row.cls, row.cfg, row.input);
      const r = run(row.cls, row.cfg, row.input);
      assert.deepEqual(r.output, exp, desc);
      assert.equal(r.total, 0, desc);
      assert.deepEqual(r.errors, [], desc);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Reshape: tfjs does not infer -1 on symbolic inputs (it looks at the batch dim too), so the
// oracle runs the tfjs layer on a concrete batch of 2 and reads the real result shape.

const reshapes: [number[], RuleShape][] = [
  [[3, 4], [null, 12]],
  [[-1, 2, 2], [null, 12]],
  [[-1], [null, 4, 5, 6]],
  [[6, -1], [null, 4, 5, 6]],
  [[2, -1, 3], [null, 4, 5, 6]],
  [[7, 7, 64], [null, 3136]],
  [[1, 1, -1], [null, 8, 8]],
  [[-1, 1], [null, 10]],
];
test(`Reshape infers -1 like a real reshape (${reshapes.length} rows)`, async (t) => {
  for (const [target, input] of reshapes) {
    const desc = `Reshape(${JSON.stringify(target)}) on ${JSON.stringify(input)}`;
    await t.test(desc, () => {
      const layer = tf.layers.reshape({ targetShape: [...target] }); // tfjs rewrites the array it is given
      const y = layer.apply(tf.zeros([2, ...(input.slice(1) as number[])])) as tf.Tensor;
      const exp: RuleShape = [null, ...y.shape.slice(1)];
      y.dispose();
      const r = run('Reshape', { target_shape: target }, input);
      assert.deepEqual(r.output, exp, desc);
      assert.deepEqual(r.errors, [], desc);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-computed Keras expectations (tfjs lacks the layer or differs from Keras).

const hand: (Row & { shape: RuleShape | null; why: string })[] = [
  // Keras 3 Flatten: min_ndim=1 (tfjs: 3); (batch,) → (batch, 1).
  { cls: 'Flatten', cfg: {}, input: [null, 10], shape: [null, 10], why: 'rank 2' },
  { cls: 'Flatten', cfg: {}, input: [null], shape: [null, 1], why: 'rank 1 gets a unit axis' },
  { cls: 'Flatten', cfg: {}, input: [null, null], shape: [null, null], why: 'rank 2 None' },
  { cls: 'Flatten', cfg: {}, input: [32, 4, 5], shape: [32, 20], why: 'fixed batch kept' },
  // Keras: any None among the flattened dims makes the result None (tfjs refuses such inputs).
  { cls: 'Flatten', cfg: {}, input: [null, null, 3], shape: [null, null], why: 'None dim' },
  { cls: 'Flatten', cfg: { data_format: 'channels_first' }, input: [null, 7, null, 2], shape: [null, null], why: 'None dim, cf' },
  // Cropping2D default ((0, 0), (0, 0)); None dims stay None; mixed int / pair entries.
  { cls: 'Cropping2D', cfg: {}, input: [null, 28, 28, 3], shape: [null, 28, 28, 3], why: 'default no crop' },
  { cls: 'Cropping2D', cfg: { cropping: [[1, 2], [3, 4]] }, input: [null, 12, null, 3], shape: [null, 9, null, 3], why: 'None width' },
  { cls: 'Cropping2D', cfg: { cropping: [[0, 5], 2], data_format: 'channels_first' }, input: [null, 3, 28, 20], shape: [null, 3, 23, 16], why: 'mixed, cf' },
  { cls: 'ZeroPadding2D', cfg: { padding: [[0, 5], 2] }, input: [null, 28, 28, 3], shape: [null, 33, 32, 3], why: 'mixed' },
  { cls: 'Cropping1D', cfg: { cropping: [1, 4] }, input: [null, null, 3], shape: [null, null, 3], why: 'None length' },
  // Reshape with unknown dims: -1 becomes None (Keras compute_reshape_output_shape).
  { cls: 'Reshape', cfg: { target_shape: [-1, 5] }, input: [null, null, 10], shape: [null, null, 5], why: 'None input' },
  { cls: 'Reshape', cfg: { target_shape: [4, 5] }, input: [null, null], shape: [null, 4, 5], why: 'None input, no -1' },
  { cls: 'Reshape', cfg: { target_shape: [-1, 5] }, input: [16, 4, 10], shape: [16, 8, 5], why: 'batch untouched' },
  // 3D forms (tfjs lacks them).
  { cls: 'ZeroPadding3D', cfg: {}, input: [null, 4, 5, 6, 2], shape: [null, 6, 7, 8, 2], why: 'default 1' },
  { cls: 'ZeroPadding3D', cfg: { padding: [1, 2, 3] }, input: [null, 4, 5, 6, 2], shape: [null, 6, 9, 12, 2], why: 'symmetric per axis' },
  { cls: 'ZeroPadding3D', cfg: { padding: [[0, 1], [2, 3], 4], data_format: 'channels_first' }, input: [null, 2, 4, null, 6], shape: [null, 2, 5, null, 14], why: 'mixed pairs, cf' },
  { cls: 'Cropping3D', cfg: {}, input: [null, 4, 5, 6, 2], shape: [null, 2, 3, 4, 2], why: 'default 1' },
  { cls: 'Cropping3D', cfg: { cropping: [[0, 1], 1, [2, 0]], data_format: 'channels_first' }, input: [null, 2, 4, 5, 6], shape: [null, 2, 3, 3, 4], why: 'mixed, cf' },
  { cls: 'UpSampling3D', cfg: {}, input: [null, 4, 5, null, 2], shape: [null, 8, 10, null, 2], why: 'default 2' },
  { cls: 'UpSampling3D', cfg: { size: [1, 2, 3], data_format: 'channels_first' }, input: [null, 2, 4, 5, 6], shape: [null, 2, 4, 10, 18], why: 'cf' },
  // Keras' ZeroPadding1D takes data_format.
  { cls: 'ZeroPadding1D', cfg: { padding: [2, 3], data_format: 'channels_first' }, input: [null, 4, 10], shape: [null, 4, 15], why: 'cf' },
  { cls: 'RepeatVector', cfg: { n: 4 }, input: [null, 7], shape: [null, 4, 7], why: 'n' },
];

test(`reshaping rules match hand-computed Keras values (${hand.length} rows)`, async (t) => {
  for (const row of hand) {
    const desc = `${row.cls}(${JSON.stringify(row.cfg)}) on ${JSON.stringify(row.input)} [${row.why}]`;
    await t.test(desc, () => {
      const r = run(row.cls, row.cfg, row.input);
      assert.deepEqual(r.output, row.shape, desc);
      assert.equal(r.total, 0, desc);
      assert.deepEqual(r.errors, [], desc);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Errors, hovers, unknowns.

test('Reshape size mismatches use Keras wording', () => {
  const a = run('Reshape', { target_shape: [3, 5] }, [null, 4, 10]);
  assert.equal(a.output, null);
  assert.equal(a.errors.length, 1);
  assert.match(a.errors[0], /^reshape-size: layer \(Reshape\): The total size of the tensor must be unchanged\. Received: input_shape=\(4, 10\), target_shape=\(3, 5\)/);
  const b = run('Reshape', { target_shape: [-1, 7] }, [null, 4, 10]);
  assert.equal(b.output, null);
  assert.match(b.errors[0], /input size cannot by divided by the specified dimensions in target_shape\. Received: input_shape=\(4, 10\), target_shape=\(-1, 7\)/);
  const c = run('Reshape', { target_shape: [-1, -1] }, [null, 4, 10]);
  assert.equal(c.output, null);
  assert.match(c.errors[0], /must not contain more than one `-1` value/);
  const d = run('Reshape', { target_shape: [-1, 0] }, [null, 4, 10]);
  assert.equal(d.output, null);
  assert.equal(d.errors.length, 1);
});

test('Permute checks dims and rank', () => {
  const a = run('Permute', { dims: [0, 1] }, [null, 3, 4]);
  assert.equal(a.output, null);
  assert.match(a.errors[0], /Invalid permutation argument `dims` for Permute Layer\. The set of indices in `dims` must be consecutive and start from 1\. Received dims=\(0, 1\)/);
  const b = run('Permute', { dims: [2, 1] }, [null, 3, 4, 5]);
  assert.equal(b.output, null);
  assert.deepEqual(b.errors, ['rank-mismatch: Input 0 of layer "layer" is incompatible with the layer: expected ndim=3, found ndim=4. Full shape received: (None, 3, 4, 5)']);
});

test('wrong input rank uses Keras wording', () => {
  assert.deepEqual(run('RepeatVector', { n: 3 }, [null, 3, 4]).errors, [
    'rank-mismatch: Input 0 of layer "layer" is incompatible with the layer: expected ndim=2, found ndim=3. Full shape received: (None, 3, 4)',
  ]);
  assert.match(run('ZeroPadding2D', {}, [null, 3, 4]).errors[0], /expected ndim=4, found ndim=3/);
  assert.match(run('UpSampling1D', {}, [null, 3, 4, 5]).errors[0], /expected ndim=3, found ndim=4/);
});

test('cropping that leaves nothing is reported per axis', () => {
  const a = run('Cropping2D', { cropping: [[3, 3], 1] }, [null, 5, 10, 3]);
  assert.deepEqual(a.output, [null, '?', 8, 3]);
  assert.equal(a.errors.length, 1);
  assert.match(a.errors[0], /^negative-dimension: Negative dimension size caused by subtracting 6 from 5 in layer \(Cropping2D\) along height; needs at least 7 along that axis\./);
  assert.match(a.errors[0], /Values in `cropping` argument should be smaller than the corresponding spatial dimension of the input/);
  const b = run('Cropping1D', { cropping: [2, 3] }, [null, 5, 7]);
  assert.deepEqual(b.output, [null, '?', 7]);
  assert.match(b.errors[0], /^negative-dimension: Zero dimension size caused by subtracting 5 from 5 .*needs at least 6/);
  assert.match(b.errors[0], /`cropping` parameter of `Cropping1D` layer must be smaller than the input length/);
});

test('malformed padding / cropping / size settings', () => {
  assert.match(run('ZeroPadding2D', { padding: [1, 2, 3] }, [null, 5, 5, 1]).errors[0], /`padding` should be an int, a tuple of 2 ints, or a tuple of 2 tuples of 2 ints\. Received: padding=\(1, 2, 3\)/);
  assert.match(run('ZeroPadding1D', { padding: [1] }, [null, 5, 1]).errors[0], /`padding` should be an int or a tuple of 2 ints/);
  assert.match(run('Cropping2D', { cropping: -1 }, [null, 5, 5, 1]).errors[0], /cannot be negative/);
  assert.match(run('UpSampling2D', { size: [0, 2] }, [null, 5, 5, 1]).errors[0], /Argument `size` should be a positive integer/);
});

test('unknown settings give unknown (?) dims without errors', () => {
  const cases: [string, LayerConfig, RuleShape, Shape | null][] = [
    ['ZeroPadding2D', { padding: UNKNOWN }, [null, 5, 5, 1], [null, '?', '?', 1]],
    ['ZeroPadding2D', { padding: [[1, UNKNOWN], 2] }, [null, 5, 5, 1], [null, '?', 9, 1]],
    ['Cropping2D', { cropping: [UNKNOWN, 1] }, [null, 5, 5, 1], [null, '?', 3, 1]],
    ['UpSampling2D', { size: [UNKNOWN, 2] }, [null, 5, 5, 1], [null, '?', 10, 1]],
    ['RepeatVector', { n: UNKNOWN }, [null, 5], [null, '?', 5]],
    // Only 2 fits 10 values; other stand-ins fail, so nothing is certain about the output.
    ['Reshape', { target_shape: [UNKNOWN, 5] }, [null, 10], null],
    ['Reshape', { target_shape: UNKNOWN }, [null, 10], null],
    ['Permute', { dims: UNKNOWN }, [null, 3, 4], null],
    ['UpSampling2D', { data_format: UNKNOWN }, [null, 5, 5, 1], [null, '?', 10, '?']], // channels_first: (None, 5, 10, 2)
  ];
  for (const [cls, cfg, input, want] of cases) {
    const r = run(cls, cfg, input);
    assert.deepEqual(r.output, want, `${cls} ${String(JSON.stringify(cfg))}`);
    assert.deepEqual(r.errors, [], cls);
  }
});

test('hover arithmetic', () => {
  assert.deepEqual(run('Flatten', {}, [null, 7, 7, 64]).explain, ['7·7·64 = 3,136']);
  assert.deepEqual(run('Reshape', { target_shape: [-1, 4] }, [null, 6, 10]).explain, ['-1 → 60/4 = 15']);
  assert.deepEqual(run('ZeroPadding2D', { padding: [[1, 2], 0] }, [null, 5, 5, 1]).explain, ['height: 5 + 1 + 2 = 8', 'width: 5 + 0 + 0 = 5']);
  assert.deepEqual(run('Cropping1D', {}, [null, 5, 1]).explain, ['5 − 1 − 1 = 3']);
  assert.deepEqual(run('UpSampling1D', { size: 3 }, [null, 5, 1]).explain, ['5·3 = 15']);
});
