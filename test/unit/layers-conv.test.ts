// Convolution rules against tfjs-layers as the oracle (table-driven), plus hand-computed Keras
// expectations where tfjs lacks the layer or differs from Keras, and the error cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { run } from './helpers/layer';
import { tfjsArgs } from './helpers/tfjs-oracle';
import type { LayerConfig } from '../../src/core/config';
import { UNKNOWN } from '../../src/core/config';
import type { RuleShape } from '../../src/core/shape';
import { convOutputLength, deconvOutputLength, effectiveKernel } from '../../src/core/layers/convutils';
import { getRule } from '../../src/core/layers/registry';

// ---------------------------------------------------------------------------------------------
// tfjs oracle


type Factory = (args: never) => tf.layers.Layer;
const TFJS: Record<string, Factory> = {
  Conv1D: tf.layers.conv1d as Factory,
  Conv2D: tf.layers.conv2d as Factory,
  Conv3D: tf.layers.conv3d as Factory,
  Conv2DTranspose: tf.layers.conv2dTranspose as Factory,
  Conv3DTranspose: tf.layers.conv3dTranspose as Factory,
  SeparableConv2D: tf.layers.separableConv2d as Factory,
  DepthwiseConv2D: tf.layers.depthwiseConv2d as Factory,
};

/** Output shape and param count of the same layer built by tfjs-layers on a symbolic input. */
function oracle(cls: string, cfg: LayerConfig, input: RuleShape): { shape: RuleShape; params: number } {
  const layer = TFJS[cls](tfjsArgs(cfg) as never);
  const y = layer.apply(tf.input({ shape: input.slice(1) as number[] })) as tf.SymbolicTensor;
  return { shape: y.shape as RuleShape, params: layer.countParams() };
}

/** 1D layers tfjs lacks, computed by the 2D tfjs layer on a height-1 input with a (1, k) window. */
const LIFT: Record<string, string> = { Conv1DTranspose: 'Conv2DTranspose', SeparableConv1D: 'SeparableConv2D', DepthwiseConv1D: 'DepthwiseConv2D' };
function liftedOracle(cls: string, cfg: LayerConfig, input: RuleShape): { shape: RuleShape; params: number } {
  const first = cfg.data_format === 'channels_first';
  const lift = (v: unknown, one: number) => (v === undefined ? undefined : [one, Array.isArray(v) ? v[0] : v]);
  const cfg2: LayerConfig = { ...cfg };
  for (const [key, one] of [['kernel_size', 1], ['strides', 1], ['dilation_rate', 1]] as const) {
    const v = lift(cfg[key], one);
    if (v !== undefined) cfg2[key] = v as number[];
  }
  const input2: RuleShape = first ? [input[0], input[1], 1, input[2]] : [input[0], 1, input[1], input[2]];
  const r = oracle(LIFT[cls], cfg2, input2);
  const shape = r.shape.filter((_, i) => i !== (first ? 2 : 1));
  return { shape, params: r.params };
}

/**
 * Our rule must give tfjs' shape and count. Where tfjs reports a dim <= 0 (it does not check),
 * Keras raises: the rule must report `negative-dimension` and leave that dim unknown (`?`: Keras gives no size after an error).
 */
function assertMatches(desc: string, cls: string, cfg: LayerConfig, input: RuleShape, exp: { shape: RuleShape; params: number }): void {
  const r = run(cls, cfg, input);
  const bad = exp.shape.some((d) => d !== null && d <= 0);
  const want = exp.shape.map((d) => (d !== null && d <= 0 ? '?' : d));
  assert.deepEqual(r.output, want, `${desc}: shape`);
  assert.equal(r.total, exp.params, `${desc}: params`);
  if (bad) {
    assert.ok(r.errors.length > 0 && r.errors.every((e) => e.startsWith('negative-dimension: Negative dimension size caused by subtracting')), `${desc}: ${r.errors.join('; ')}`);
  } else {
    assert.deepEqual(r.errors, [], desc);
  }
}

// ---------------------------------------------------------------------------------------------
// Table generation: each row is (class, Keras config, input shape).

interface Row {
  cls: string;
  cfg: LayerConfig;
  input: RuleShape;
}

function product<T>(...lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((a) => list.map((x) => [...a, x])), [[]]);
}

const rows: Row[] = [];
let flip = false;
/** Window settings: strides and dilation never both > 1 (Keras rejects that combination). */
function windows(kernels: (number | number[])[], strides: (number | number[])[], dilations: (number | number[])[]) {
  const out: { kernel_size: number | number[]; strides?: number | number[]; dilation_rate?: number | number[] }[] = [];
  for (const k of kernels) {
    for (const s of strides) out.push({ kernel_size: k, strides: s });
    for (const d of dilations) out.push({ kernel_size: k, dilation_rate: d });
  }
  return out;
}

function add(cls: string, inputs: RuleShape[], wins: ReturnType<typeof windows>, extra: LayerConfig[] = [{}]) {
  for (const [input, win, padding, more] of product<unknown>(inputs, wins, ['valid', 'same'], extra) as [RuleShape, LayerConfig, string, LayerConfig][]) {
    flip = !flip;
    rows.push({ cls, input, cfg: { ...win, padding, ...more, ...(flip ? {} : { use_bias: false }) } });
  }
}

// Conv1D
add('Conv1D', [[null, 100, 8], [null, 10, 3], [null, null, 4]], windows([1, 3, 7], [1, 3], [2]), [{ filters: 16 }]);
add('Conv1D', [[null, 3, 10]], windows([3, 5], [2], [3]), [{ filters: 4, data_format: 'channels_first' }]);
// Conv2D
add(
  'Conv2D',
  [[null, 28, 28, 1], [null, 32, 30, 3], [null, 7, 9, 16], [null, null, 12, 2]],
  windows([1, 3, [3, 5], 5], [1, 2, [2, 3]], [2, [2, 1]]),
  [{ filters: 32 }],
);
add('Conv2D', [[null, 3, 32, 30], [null, 8, 5, 6]], windows([3, [2, 4]], [1, 2], [2]), [{ filters: 8, data_format: 'channels_first' }]);
// Conv3D
add('Conv3D', [[null, 10, 12, 14, 2], [null, null, 8, 8, 4]], windows([3, [1, 3, 2]], [1, 2, [1, 2, 3]], [2]), [{ filters: 6 }]);
add('Conv3D', [[null, 2, 10, 12, 14]], windows([3], [2], [[1, 2, 3]]), [{ filters: 5, data_format: 'channels_first' }]);
// Conv2DTranspose / Conv3DTranspose (tfjs ignores dilation for these, so dilation 1 only here)
add('Conv2DTranspose', [[null, 7, 7, 16], [null, 14, 10, 3], [null, null, 5, 2]], windows([3, 4, [3, 5], 1], [1, 2, [2, 3]], []), [{ filters: 8 }]);
add('Conv2DTranspose', [[null, 3, 14, 10]], windows([3, [2, 5]], [1, 2], []), [{ filters: 4, data_format: 'channels_first' }]);
add('Conv3DTranspose', [[null, 5, 6, 7, 2], [null, 2, 5, 6, 7]], windows([3, [2, 3, 4]], [1, 2], []), [{ filters: 4 }]);
add('Conv3DTranspose', [[null, 2, 5, 6, 7]], windows([3], [2], []), [{ filters: 4, data_format: 'channels_first' }]);
// SeparableConv2D / DepthwiseConv2D
add('SeparableConv2D', [[null, 28, 28, 3], [null, 9, 7, 8]], windows([3, [3, 5]], [1, 2], [2]), [{ filters: 16 }, { filters: 4, depth_multiplier: 3 }]);
add('SeparableConv2D', [[null, 3, 20, 18]], windows([3], [2], [2]), [{ filters: 8, depth_multiplier: 2, data_format: 'channels_first' }]);
// (tfjs' DepthwiseConv2D ignores dilation when sizing its output, so dilation is hand-computed below)
add('DepthwiseConv2D', [[null, 28, 28, 3], [null, 9, 7, 8]], windows([3, [3, 5]], [1, 2], []), [{}, { depth_multiplier: 4 }]);
add('DepthwiseConv2D', [[null, 3, 20, 18]], windows([3], [2], []), [{ depth_multiplier: 2, data_format: 'channels_first' }]);
// 1D layers tfjs lacks, via the height-1 2D layer
add('Conv1DTranspose', [[null, 10, 4], [null, 3, 10]], windows([3, 4], [1, 2, 3], []), [{ filters: 6 }]);
add('Conv1DTranspose', [[null, 3, 10]], windows([3], [2], []), [{ filters: 6, data_format: 'channels_first' }]);
add('SeparableConv1D', [[null, 50, 6], [null, 6, 5]], windows([3, 5], [1, 2], [2]), [{ filters: 10 }, { filters: 4, depth_multiplier: 2 }]);
add('DepthwiseConv1D', [[null, 50, 6], [null, 6, 5]], windows([3, 5], [1, 2], []), [{}, { depth_multiplier: 3 }]);
add('DepthwiseConv1D', [[null, 6, 50]], windows([3], [2], []), [{ depth_multiplier: 2, data_format: 'channels_first' }]);

test(`conv rules match tfjs-layers (${rows.length} rows)`, async (t) => {
  for (const row of rows) {
    const desc = `${row.cls}(${JSON.stringify(row.cfg)}) on ${JSON.stringify(row.input)}`;
    await t.test(desc, () => {
      const exp = LIFT[row.cls] ? liftedOracle(row.cls, row.cfg, row.input) : oracle(row.cls, row.cfg, row.input);
      assertMatches(desc, row.cls, row.cfg, row.input, exp);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-computed Keras expectations (tfjs lacks the feature or differs from Keras).

interface HandRow extends Row {
  shape: RuleShape | null;
  params: number | null;
  why: string;
}

const hand: HandRow[] = [
  // causal: Keras sizes it like `same` (⌈n/s⌉); tfjs' convOutputLength treats it as valid.
  { cls: 'Conv1D', cfg: { filters: 4, kernel_size: 3, padding: 'causal' }, input: [null, 10, 2], shape: [null, 10, 4], params: 3 * 2 * 4 + 4, why: 'causal ⌈10/1⌉' },
  { cls: 'Conv1D', cfg: { filters: 4, kernel_size: 3, padding: 'causal', dilation_rate: 4 }, input: [null, 10, 2], shape: [null, 10, 4], params: 28, why: 'causal + dilation' },
  { cls: 'Conv1D', cfg: { filters: 8, kernel_size: 2, padding: 'CAUSAL', strides: 3 }, input: [null, 10, 2], shape: [null, 4, 8], params: 2 * 2 * 8 + 8, why: 'causal ⌈10/3⌉, padding lower-cased' },
  { cls: 'Conv1D', cfg: { filters: 8, kernel_size: 5, padding: 'causal' }, input: [null, 3, 2], shape: [null, 3, 8], params: 88, why: 'causal never shrinks below the input' },
  // groups: kernel prod(k)·(c_in/groups)·filters (tfjs has no groups).
  { cls: 'Conv2D', cfg: { filters: 32, kernel_size: 3, groups: 2 }, input: [null, 28, 28, 64], shape: [null, 26, 26, 32], params: 3 * 3 * 32 * 32 + 32, why: 'groups=2' },
  { cls: 'Conv2D', cfg: { filters: 64, kernel_size: 3, groups: 64, padding: 'same' }, input: [null, 14, 14, 64], shape: [null, 14, 14, 64], params: 9 * 64 + 64, why: 'groups = channels (depthwise-like)' },
  { cls: 'Conv1D', cfg: { filters: 12, kernel_size: 5, groups: 3, use_bias: false }, input: [null, 20, 6], shape: [null, 16, 12], params: 5 * 2 * 12, why: 'groups=3, no bias' },
  { cls: 'Conv3D', cfg: { filters: 8, kernel_size: 2, groups: 4, data_format: 'channels_first' }, input: [null, 4, 5, 5, 5], shape: [null, 8, 4, 4, 4], params: 8 * 1 * 8 + 8, why: 'groups, channels_first' },
  // transposed conv with dilation (tfjs ignores it): valid (n − 1)·s + max(K, s), K = (k − 1)·d + 1.
  { cls: 'Conv2DTranspose', cfg: { filters: 4, kernel_size: 3, dilation_rate: 2 }, input: [null, 10, 10, 2], shape: [null, 14, 14, 4], params: 9 * 2 * 4 + 4, why: 'K=5: 9·1 + 5' },
  { cls: 'Conv2DTranspose', cfg: { filters: 4, kernel_size: 3, dilation_rate: 2, padding: 'same' }, input: [null, 10, 10, 2], shape: [null, 10, 10, 4], params: 76, why: 'same: n·s' },
  // output_padding: valid (n − 1)·s + K + op; same (n − 1)·s + K mod 2 + op.
  { cls: 'Conv2DTranspose', cfg: { filters: 3, kernel_size: 3, strides: 2, padding: 'same', output_padding: 1 }, input: [null, 7, 7, 5], shape: [null, 14, 14, 3], params: 9 * 5 * 3 + 3, why: '6·2 + 1 + 1' },
  { cls: 'Conv2DTranspose', cfg: { filters: 3, kernel_size: 3, strides: 2, output_padding: 1 }, input: [null, 7, 7, 5], shape: [null, 16, 16, 3], params: 138, why: '6·2 + 3 + 1' },
  { cls: 'Conv2DTranspose', cfg: { filters: 3, kernel_size: 4, strides: 2, padding: 'same', output_padding: 0 }, input: [null, 7, 7, 5], shape: [null, 12, 12, 3], params: 16 * 5 * 3 + 3, why: 'even kernel: 6·2 + 0 + 0' },
  { cls: 'Conv2DTranspose', cfg: { filters: 3, kernel_size: [3, 4], strides: [2, 3], padding: 'same', output_padding: [1, 2] }, input: [null, 7, 7, 5], shape: [null, 14, 20, 3], params: 12 * 5 * 3 + 3, why: 'per-axis op' },
  { cls: 'Conv1DTranspose', cfg: { filters: 2, kernel_size: 5, strides: 3, output_padding: 2 }, input: [null, 4, 3], shape: [null, 16, 2], params: 5 * 3 * 2 + 2, why: '3·3 + 5 + 2' },
  { cls: 'Conv3DTranspose', cfg: { filters: 2, kernel_size: 3, dilation_rate: [1, 2, 3] }, input: [null, 4, 4, 4, 1], shape: [null, 6, 8, 10, 2], params: 27 * 2 + 2, why: 'K = 3, 5, 7' },
  { cls: 'Conv3DTranspose', cfg: { filters: 2, kernel_size: 3, strides: 2, output_padding: 1, padding: 'same', data_format: 'channels_first' }, input: [null, 3, 4, null, 6], shape: [null, 2, 8, null, 12], params: 27 * 3 * 2 + 2, why: 'channels_first, None stays None' },
  // depthwise with dilation (tfjs ignores dilation here): ⌊(n − K)/s⌋ + 1, K = (k − 1)·d + 1.
  { cls: 'DepthwiseConv2D', cfg: { kernel_size: 3, dilation_rate: 2 }, input: [null, 28, 28, 3], shape: [null, 24, 24, 3], params: 9 * 3 + 3, why: 'K=5' },
  { cls: 'DepthwiseConv2D', cfg: { kernel_size: [3, 5], dilation_rate: [2, 3], depth_multiplier: 4, use_bias: false }, input: [null, 28, 28, 3], shape: [null, 24, 16, 12], params: 15 * 3 * 4, why: 'K=5, 13' },
  { cls: 'DepthwiseConv2D', cfg: { kernel_size: 3, dilation_rate: 2, depth_multiplier: 2, data_format: 'channels_first' }, input: [null, 3, 20, 18], shape: [null, 6, 16, 14], params: 9 * 6 + 6, why: 'channels_first' },
  { cls: 'DepthwiseConv1D', cfg: { kernel_size: 5, dilation_rate: 2, depth_multiplier: 3 }, input: [null, 50, 6], shape: [null, 42, 18], params: 5 * 18 + 18, why: 'K=9' },
  { cls: 'DepthwiseConv1D', cfg: { kernel_size: 3, dilation_rate: 2, padding: 'same' }, input: [null, 50, 6], shape: [null, 50, 6], params: 3 * 6 + 6, why: 'same' },
  // None spatial dims stay None; unknown channels make weights unknown (checked separately).
  { cls: 'SeparableConv1D', cfg: { filters: 4, kernel_size: 3, data_format: 'channels_first' }, input: [null, 6, null], shape: [null, 4, null], params: 3 * 6 + 6 * 4 + 4, why: 'channels_first, None length' },
];

test(`conv rules match hand-computed Keras values (${hand.length} rows)`, async (t) => {
  for (const row of hand) {
    const desc = `${row.cls}(${JSON.stringify(row.cfg)}) on ${JSON.stringify(row.input)} [${row.why}]`;
    await t.test(desc, () => {
      const r = run(row.cls, row.cfg, row.input);
      assert.deepEqual(r.output, row.shape, desc);
      assert.equal(r.total, row.params, desc);
      assert.deepEqual(r.errors, [], desc);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// The shared arithmetic (Keras formulas; values worked by hand).

test('convOutputLength / deconvOutputLength follow the Keras formulas', () => {
  const conv: [number | null, number, 'valid' | 'same' | 'causal', number, number, number | null][] = [
    [28, 3, 'valid', 1, 1, 26],
    [28, 3, 'valid', 2, 1, 13],
    [28, 3, 'same', 2, 1, 14],
    [27, 3, 'same', 2, 1, 14],
    [28, 3, 'valid', 1, 2, 24],
    [10, 3, 'causal', 1, 4, 10],
    [2, 3, 'valid', 1, 1, 0],
    [1, 3, 'valid', 2, 1, 0],
    [null, 3, 'valid', 1, 1, null],
  ];
  for (const [n, k, p, s, d, want] of conv) assert.equal(convOutputLength(n, k, p, s, d), want, `${n} ${k} ${p} ${s} ${d}`);
  assert.equal(effectiveKernel(3, 2), 5);
  const deconv: [number, number, 'valid' | 'same', number, number, number | undefined, number][] = [
    [7, 3, 'valid', 2, 1, undefined, 15],
    [7, 3, 'same', 2, 1, undefined, 14],
    [7, 1, 'valid', 3, 1, undefined, 21],
    [7, 3, 'same', 2, 1, 1, 14],
    [7, 3, 'valid', 2, 1, 1, 16],
    [10, 3, 'valid', 1, 2, undefined, 14],
  ];
  for (const [n, k, p, s, d, op, want] of deconv) assert.equal(deconvOutputLength(n, k, p, s, d, op), want, `${n} ${k} ${p} ${s} ${d} ${op}`);
});

// ---------------------------------------------------------------------------------------------
// Errors, hovers, unknowns.

test('negative dimension: message names layer, axis, minimum size and offers padding=same', () => {
  const r = run('Conv2D', { filters: 8, kernel_size: 5 }, [null, 3, 10, 3]);
  assert.deepEqual(r.output, [null, '?', 6, 8]);
  assert.equal(r.total, 5 * 5 * 3 * 8 + 8);
  const p = r.problems.filter((x) => x.code === 'negative-dimension');
  assert.equal(p.length, 1);
  assert.match(p[0].message, /^Negative dimension size caused by subtracting 5 from 3 /);
  assert.match(p[0].message, /layer \(Conv2D\)/);
  assert.match(p[0].message, /along height/);
  assert.match(p[0].message, /needs at least 5 along that axis/);
  assert.deepEqual(p[0].fix, { arg: 'padding', value: "'same'", title: "Use padding='same'" });
});

test('negative dimension with dilation uses the effective kernel', () => {
  const r = run('Conv1D', { filters: 2, kernel_size: 3, dilation_rate: 3 }, [null, 6, 1]);
  assert.deepEqual(r.output, [null, '?', 2]);
  assert.match(r.errors[0], /subtracting 7 from 6 .*needs at least 7/);
});

test('wrong input rank uses Keras wording', () => {
  const r = run('Conv2D', { filters: 8, kernel_size: 3 }, [null, 28, 28]);
  assert.equal(r.output, null);
  assert.deepEqual(r.errors, [
    'rank-mismatch: Input 0 of layer "layer" is incompatible with the layer: expected min_ndim=4, found ndim=3. Full shape received: (None, 28, 28)',
  ]);
  const r3 = run('Conv1D', { filters: 8, kernel_size: 3 }, [null, 4, 28, 28]);
  assert.match(r3.errors[0], /expected max_ndim=3, found ndim=4/);
});

test('groups must divide filters and input channels', () => {
  const a = run('Conv2D', { filters: 30, kernel_size: 3, groups: 4 }, [null, 8, 8, 8]);
  assert.equal(a.output, null);
  assert.equal(a.total, null);
  assert.deepEqual(a.errors, ['invalid-groups: layer (Conv2D): The number of filters must be evenly divisible by the number of groups. Received: groups=4, filters=30.']);
  const b = run('Conv2D', { filters: 8, kernel_size: 3, groups: 4 }, [null, 8, 8, 6]);
  assert.equal(b.output, null);
  assert.equal(b.total, null);
  assert.deepEqual(b.errors, [
    'invalid-groups: layer (Conv2D): The number of input channels must be evenly divisible by the number of groups. Received groups=4, but the input has 6 channels (full input shape is (None, 8, 8, 6)).',
  ]);
});

test('constructor checks Keras makes', () => {
  const cases: [string, LayerConfig, RegExp][] = [
    ['Conv2D', { filters: 8, kernel_size: 3, padding: 'causal' }, /The `padding` argument must be a list\/tuple or one of \{'valid', 'same'\}\. Received: causal/],
    ['Conv2D', { filters: 8, kernel_size: 3, strides: 2, dilation_rate: 2 }, /`strides > 1` not supported in conjunction with `dilation_rate > 1`/],
    ['Conv2DTranspose', { filters: 8, kernel_size: 3, strides: 2, output_padding: 2 }, /`output_padding` must be < `strides`/],
    ['Conv2D', { filters: 0, kernel_size: 3 }, /Invalid value for argument `filters`/],
    ['Conv2D', { kernel_size: 3 }, /missing 1 required positional argument: 'filters'/],
    ['Conv2D', { filters: 3 }, /missing 1 required positional argument: 'kernel_size'/],
    ['DepthwiseConv2D', { kernel_size: 3, depth_multiplier: 0 }, /depth_multiplier/],
    ['Conv2D', { filters: 4, kernel_size: [3, 0] }, /kernel_size/],
    ['SeparableConv1D', { filters: 4, kernel_size: 3, padding: 'causal' }, /Received: causal/],
  ];
  for (const [cls, cfg, re] of cases) {
    const r = run(cls, cfg, cls.includes('1D') ? [null, 10, 4] : [null, 10, 10, 4]);
    assert.equal(r.output, null, `${cls} ${JSON.stringify(cfg)}`);
    assert.equal(r.errors.length, 1, `${cls} ${JSON.stringify(cfg)}: ${r.errors.join('; ')}`);
    assert.match(r.errors[0], re);
  }
});

test('unknown channel dim: shape known where possible, params unknown with Keras message', () => {
  const r = run('Conv2D', { filters: 8, kernel_size: 3 }, [null, 10, 10, null]);
  assert.deepEqual(r.output, [null, 8, 8, 8]);
  assert.equal(r.total, null);
  assert.deepEqual(r.errors, [
    'undefined-channels: layer (Conv2D): The channel dimension of the inputs should be defined. The input_shape received is (None, 10, 10, None), where axis -1 (0-based) is the channel dimension, which found to be `None`.',
  ]);
  const d = run('DepthwiseConv2D', { kernel_size: 3, data_format: 'channels_first' }, [null, null, 10, 10]);
  assert.deepEqual(d.output, [null, '?', 8, 8]);
  assert.equal(d.total, null);
  assert.match(d.errors[0], /axis 1 \(0-based\)/);
});

test('unknown config values give unknown (?) dims and params without errors; what does not depend on them stays exact', () => {
  const a = run('Conv2D', { filters: UNKNOWN, kernel_size: 3 }, [null, 10, 10, 3]);
  assert.deepEqual(a.output, [null, 8, 8, '?']);
  assert.equal(a.total, null);
  assert.deepEqual(a.errors, []);
  const b = run('Conv2D', { filters: 4, kernel_size: UNKNOWN }, [null, 10, 10, 3]);
  assert.deepEqual(b.output, [null, '?', '?', 4]);
  assert.equal(b.total, null);
  const c = run('Conv2D', { filters: 4, kernel_size: 3, padding: UNKNOWN }, [null, 10, 10, 3]);
  assert.deepEqual(c.output, [null, '?', '?', 4]);
  assert.equal(c.total, 112);
  const d = run('Conv2D', { filters: 4, kernel_size: [3, UNKNOWN], strides: [1, UNKNOWN] }, [null, 10, 10, 3]);
  assert.deepEqual(d.output, [null, 8, '?', 4]);
  assert.equal(d.total, null);
  const e = run('Conv2D', { filters: 4, kernel_size: 3, data_format: UNKNOWN }, [null, 10, 10, 3]);
  // channels_last gives (None, 8, 8, 4), channels_first (None, 4, 8, 1): only the width is certain.
  assert.deepEqual(e.output, [null, '?', 8, '?']);
  assert.equal(e.total, null);
  assert.deepEqual(e.errors, []);
  const f = run('Conv2D', { filters: 4, kernel_size: 3, strides: UNKNOWN, padding: 'same' }, [null, 10, 10, 3]);
  assert.deepEqual(f.output, [null, '?', '?', 4]);
  assert.equal(f.total, 112);
  assert.deepEqual(f.errors, []);
});

test('hover arithmetic and param formulas', () => {
  const a = run('Conv2D', { filters: 32, kernel_size: 3 }, [null, 28, 28, 1]);
  assert.deepEqual(a.explain, ['height: ⌊(28 − 3)/1⌋ + 1 = 26', 'width: ⌊(28 − 3)/1⌋ + 1 = 26']);
  assert.equal(a.params.formula, '3·3·1·32 + 32 = 320');
  const b = run('Conv1D', { filters: 4, kernel_size: 3, padding: 'same', strides: 2, use_bias: false }, [null, 28, 2]);
  assert.deepEqual(b.explain, ['⌈28/2⌉ = 14']);
  assert.equal(b.params.formula, '3·2·4 = 24');
  const c = run('Conv1D', { filters: 4, kernel_size: 3, dilation_rate: 2 }, [null, 28, 2]);
  assert.deepEqual(c.explain, ['⌊(28 − 5)/1⌋ + 1 = 24 (effective kernel (3 − 1)·2 + 1 = 5)']);
  const d = run('Conv2DTranspose', { filters: 16, kernel_size: 3, strides: 2 }, [null, 14, 14, 32]);
  assert.deepEqual(d.explain, ['height: (14 − 1)·2 + max(3, 2) = 29', 'width: (14 − 1)·2 + max(3, 2) = 29']);
  assert.equal(d.params.formula, '3·3·32·16 + 16 = 4,624');
  const e = run('SeparableConv2D', { filters: 64, kernel_size: 3 }, [null, 10, 10, 32]);
  assert.equal(e.params.formula, '3·3·32·1 + 32·1·64 + 64 = 2,400');
  const f = run('DepthwiseConv2D', { kernel_size: 3, depth_multiplier: 2 }, [null, 10, 10, 32]);
  assert.equal(f.params.formula, '3·3·32·2 + 32·2 = 640');
  const g = run('Conv2D', { filters: 32, kernel_size: 3, groups: 2 }, [null, 10, 10, 64]);
  assert.equal(g.params.formula, '3·3·(64/2)·32 + 32 = 9,248');
});

test('aliases resolve to the conv rules', () => {
  const aliases: [string, string][] = [
    ['Convolution1D', 'Conv1D'],
    ['Convolution2D', 'Conv2D'],
    ['Convolution3D', 'Conv3D'],
    ['Convolution1DTranspose', 'Conv1DTranspose'],
    ['Convolution2DTranspose', 'Conv2DTranspose'],
    ['Convolution3DTranspose', 'Conv3DTranspose'],
    ['SeparableConvolution1D', 'SeparableConv1D'],
    ['SeparableConvolution2D', 'SeparableConv2D'],
    ['DepthwiseConv1D', 'DepthwiseConv1D'],
    ['DepthwiseConv2D', 'DepthwiseConv2D'],
  ];
  for (const [alias, cls] of aliases) assert.equal(getRule(alias)?.className, cls, alias);
});
