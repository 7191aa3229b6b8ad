// Pooling rules against tfjs-layers as the oracle (table-driven, like tfjs-layers' pooling_test.ts),
// plus hand-computed Keras expectations where tfjs lacks the feature, and the error cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { run } from './helpers/layer';
import { tfjsArgs } from './helpers/tfjs-oracle';
import { UNKNOWN, type LayerConfig } from '../../src/core/config';
import type { RuleShape } from '../../src/core/shape';
import { getRule } from '../../src/core/layers/registry';

// ---------------------------------------------------------------------------------------------
// tfjs oracle


type Factory = (args: never) => tf.layers.Layer;
const TFJS: Record<string, Factory> = {
  MaxPooling1D: tf.layers.maxPooling1d as Factory,
  MaxPooling2D: tf.layers.maxPooling2d as Factory,
  MaxPooling3D: tf.layers.maxPooling3d as Factory,
  AveragePooling1D: tf.layers.averagePooling1d as Factory,
  AveragePooling2D: tf.layers.averagePooling2d as Factory,
  AveragePooling3D: tf.layers.averagePooling3d as Factory,
  GlobalMaxPooling1D: tf.layers.globalMaxPooling1d as Factory,
  GlobalMaxPooling2D: tf.layers.globalMaxPooling2d as Factory,
  GlobalAveragePooling1D: tf.layers.globalAveragePooling1d as Factory,
  GlobalAveragePooling2D: tf.layers.globalAveragePooling2d as Factory,
};

function oracle(cls: string, cfg: LayerConfig, input: RuleShape): RuleShape {
  const layer = TFJS[cls](tfjsArgs(cfg) as never);
  const y = layer.apply(tf.input({ shape: input.slice(1) as number[] })) as tf.SymbolicTensor;
  assert.equal(layer.countParams(), 0);
  return y.shape as RuleShape;
}

interface Row {
  cls: string;
  cfg: LayerConfig;
  input: RuleShape;
}

function product<T>(...lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((a) => list.map((x) => [...a, x])), [[]]);
}

const rows: Row[] = [];
/** Strides: absent and None both mean "= pool_size". */
const STRIDES: (number | number[] | null | undefined)[] = [undefined, null, 1, 2];

function add(ops: string[], rank: number, inputs: RuleShape[], pools: (number | number[] | undefined)[], strides: (number | number[] | null | undefined)[], extra: LayerConfig = {}) {
  for (const [op, input, pool, stride, padding] of product<unknown>(ops, inputs, pools, strides, ['valid', 'same']) as [string, RuleShape, number | undefined, number | null | undefined, string][]) {
    const cfg: LayerConfig = { padding, ...extra };
    if (pool !== undefined) cfg.pool_size = pool;
    if (stride !== undefined) cfg.strides = stride;
    rows.push({ cls: `${op}Pooling${rank}D`, cfg, input });
  }
}

const OPS = ['Max', 'Average'];
// 1D (tfjs' Pooling1D has no data_format: channels_first 1D is hand-computed below)
add(OPS, 1, [[null, 100, 8], [null, null, 4], [null, 2, 5]], [undefined, 3, 5], STRIDES);
// 2D, including overlapping windows (pool 3, stride 2) and inputs too small for valid pooling
add(OPS, 2, [[null, 28, 28, 32], [null, 13, 7, 3], [null, null, 6, 2], [null, 2, 9, 1]], [undefined, 3, [2, 3], [3, 1]], [undefined, null, 2, [3, 2]]);
add(OPS, 2, [[null, 3, 28, 27], [null, 8, 5, null]], [undefined, 3, [2, 3]], [undefined, 2, [2, 1]], { data_format: 'channels_first' });
// 3D
add(OPS, 3, [[null, 10, 12, 14, 2], [null, null, 8, 3, 4]], [undefined, 3, [1, 2, 3]], [undefined, null, 1, [2, 1, 3]]);
add(OPS, 3, [[null, 2, 10, 12, 14]], [undefined, [3, 2, 4]], [undefined, 2], { data_format: 'channels_first' });

/** Global pooling rows (tfjs has 1D and 2D; keepdims and 3D are hand-computed below). */
const globals: Row[] = [];
for (const op of OPS) {
  for (const input of [[null, 10, 4], [null, null, 7]] as RuleShape[]) globals.push({ cls: `Global${op}Pooling1D`, cfg: {}, input });
  for (const input of [[null, 7, 7, 512], [null, null, null, 3]] as RuleShape[]) globals.push({ cls: `Global${op}Pooling2D`, cfg: {}, input });
  for (const input of [[null, 64, 7, 7], [null, 3, null, 5]] as RuleShape[]) globals.push({ cls: `Global${op}Pooling2D`, cfg: { data_format: 'channels_first' }, input });
}

test(`pooling rules match tfjs-layers (${rows.length + globals.length} rows)`, async (t) => {
  for (const row of [...rows, ...globals]) {
    const desc = `${row.cls}(${JSON.stringify(row.cfg)}) on ${JSON.stringify(row.input)}`;
    await t.test(desc, () => {
      const exp = oracle(row.cls, row.cfg, row.input);
      const r = run(row.cls, row.cfg, row.input);
      // tfjs does not check: a dim <= 0 is where Keras raises; the rule reports it and gives None.
      const bad = exp.some((d) => d !== null && d <= 0);
      assert.deepEqual(r.output, exp.map((d) => (d !== null && d <= 0 ? '?' : d)), desc);
      assert.equal(r.total, 0, desc);
      if (bad) assert.ok(r.errors.length > 0 && r.errors.every((e) => e.startsWith('negative-dimension: Negative dimension size caused by subtracting')), desc);
      else assert.deepEqual(r.errors, [], desc);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Hand-computed Keras expectations.

const hand: (Row & { shape: RuleShape; why: string })[] = [
  // Keras' Pooling1D takes data_format (tfjs' does not).
  { cls: 'MaxPooling1D', cfg: { data_format: 'channels_first' }, input: [null, 3, 10], shape: [null, 3, 5], why: '⌊(10 − 2)/2⌋ + 1' },
  { cls: 'AveragePooling1D', cfg: { pool_size: 3, strides: 2, data_format: 'channels_first' }, input: [null, 3, 10], shape: [null, 3, 4], why: '⌊(10 − 3)/2⌋ + 1' },
  { cls: 'AveragePooling1D', cfg: { pool_size: 3, padding: 'same', data_format: 'channels_first' }, input: [null, 3, 10], shape: [null, 3, 4], why: '⌈10/3⌉' },
  { cls: 'MaxPooling2D', cfg: { pool_size: 2, padding: 'SAME' }, input: [null, 5, 5, 1], shape: [null, 3, 3, 1], why: 'padding is case-insensitive' },
  // keepdims keeps the pooled axes as 1s (tfjs has no keepdims).
  { cls: 'GlobalAveragePooling1D', cfg: { keepdims: true }, input: [null, 10, 4], shape: [null, 1, 4], why: 'keepdims' },
  { cls: 'GlobalMaxPooling1D', cfg: { keepdims: true, data_format: 'channels_first' }, input: [null, 4, 10], shape: [null, 4, 1], why: 'keepdims cf' },
  { cls: 'GlobalMaxPooling2D', cfg: { keepdims: true }, input: [null, 7, 7, 512], shape: [null, 1, 1, 512], why: 'keepdims' },
  { cls: 'GlobalAveragePooling2D', cfg: { keepdims: true, data_format: 'channels_first' }, input: [null, 64, 7, 7], shape: [null, 64, 1, 1], why: 'keepdims cf' },
  { cls: 'GlobalAveragePooling2D', cfg: { keepdims: false }, input: [null, 7, 7, 512], shape: [null, 512], why: 'explicit False' },
  // Global 3D (tfjs lacks it).
  { cls: 'GlobalMaxPooling3D', cfg: {}, input: [null, 4, 5, 6, 8], shape: [null, 8], why: '3D' },
  { cls: 'GlobalAveragePooling3D', cfg: { data_format: 'channels_first' }, input: [null, 8, 4, 5, 6], shape: [null, 8], why: '3D cf' },
  { cls: 'GlobalAveragePooling3D', cfg: { keepdims: true }, input: [null, 4, 5, 6, 8], shape: [null, 1, 1, 1, 8], why: '3D keepdims' },
  { cls: 'GlobalMaxPooling3D', cfg: { keepdims: true, data_format: 'channels_first' }, input: [null, null, 4, 5, 6], shape: [null, null, 1, 1, 1], why: '3D keepdims cf, None channels' },
];

test(`pooling rules match hand-computed Keras values (${hand.length} rows)`, async (t) => {
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
// Errors, hovers, unknowns, aliases.

test('pool window larger than the input: negative-dimension with fix', () => {
  const r = run('MaxPooling2D', { pool_size: 3 }, [null, 2, 9, 1]);
  assert.deepEqual(r.output, [null, '?', 3, 1]);
  const p = r.problems.filter((x) => x.code === 'negative-dimension');
  assert.equal(p.length, 1);
  assert.match(p[0].message, /^Negative dimension size caused by subtracting 3 from 2 in layer \(MaxPooling2D\) along height; needs at least 3 along that axis/);
  assert.deepEqual(p[0].fix, { arg: 'padding', value: "'same'", title: "Use padding='same'" });
  // same padding never shrinks to zero
  assert.deepEqual(run('MaxPooling2D', { pool_size: 3, padding: 'same' }, [null, 2, 9, 1]).errors, []);
});

test('wrong input rank uses Keras wording', () => {
  const r = run('MaxPooling2D', {}, [null, 28, 28]);
  assert.equal(r.output, null);
  assert.deepEqual(r.errors, ['rank-mismatch: Input 0 of layer "layer" is incompatible with the layer: expected ndim=4, found ndim=3. Full shape received: (None, 28, 28)']);
  const g = run('GlobalAveragePooling1D', {}, [null, 28, 28, 3]);
  assert.match(g.errors[0], /expected ndim=3, found ndim=4/);
});

test('invalid pooling settings', () => {
  const a = run('AveragePooling2D', { padding: 'causal' }, [null, 8, 8, 1]);
  assert.equal(a.output, null);
  assert.match(a.errors[0], /The `padding` argument must be a list\/tuple or one of \{'valid', 'same'\}\. Received: causal/);
  const b = run('MaxPooling1D', { pool_size: 0 }, [null, 8, 1]);
  assert.equal(b.output, null);
  assert.match(b.errors[0], /pool_size/);
  const c = run('MaxPooling2D', { pool_size: [2, 2, 2] }, [null, 8, 8, 1]);
  assert.match(c.errors.join(' '), /`pool_size` must be an integer or a tuple of 2 integers/);
});

test('unknown settings give unknown (?) dims without errors', () => {
  const a = run('MaxPooling2D', { pool_size: UNKNOWN }, [null, 8, 8, 1]);
  assert.deepEqual(a.output, [null, '?', '?', 1]);
  assert.deepEqual(a.errors, []);
  const b = run('MaxPooling2D', { pool_size: [2, UNKNOWN] }, [null, 8, 8, 1]);
  assert.deepEqual(b.output, [null, 4, '?', 1]);
  const c = run('MaxPooling2D', { strides: UNKNOWN, padding: 'same' }, [null, 8, 8, 1]);
  assert.deepEqual(c.output, [null, '?', '?', 1]);
  const d = run('GlobalMaxPooling2D', { keepdims: UNKNOWN }, [null, 8, 8, 1]);
  assert.equal(d.output, null);
  // channels_last gives (None, 4, 4, 1); channels_first pools the (8, 1) map and fails.
  const e = run('MaxPooling2D', { data_format: UNKNOWN }, [null, 8, 8, 1]);
  assert.deepEqual(e.output, [null, '?', 4, '?']);
  assert.deepEqual(e.errors, []);
});

test('hover arithmetic', () => {
  assert.deepEqual(run('MaxPooling2D', {}, [null, 26, 26, 32]).explain, ['height: ⌊(26 − 2)/2⌋ + 1 = 13', 'width: ⌊(26 − 2)/2⌋ + 1 = 13']);
  assert.deepEqual(run('AveragePooling1D', { padding: 'same' }, [null, 27, 3]).explain, ['⌈27/2⌉ = 14']);
});

test('aliases resolve to the pooling rules', () => {
  for (const rank of [1, 2, 3]) {
    assert.equal(getRule(`MaxPool${rank}D`)?.className, `MaxPooling${rank}D`);
    assert.equal(getRule(`AvgPool${rank}D`)?.className, `AveragePooling${rank}D`);
    assert.equal(getRule(`GlobalMaxPool${rank}D`)?.className, `GlobalMaxPooling${rank}D`);
    assert.equal(getRule(`GlobalAvgPool${rank}D`)?.className, `GlobalAveragePooling${rank}D`);
  }
});
