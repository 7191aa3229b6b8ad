// Tensor-op shape rules (src/core/ops) against @tensorflow/tfjs running the same op in node on
// seeded random shapes (broadcasting, negative axes, batch dim concrete); ops tfjs lacks against
// shapes worked by hand from the TF / Keras docs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { opOutputShape } from '../../src/core/ops';
import { UNKNOWN, type LayerConfig } from '../../src/core/config';
import type { OutputShape, Shape } from '../../src/core/shape';
import { mulberry32 } from './helpers/rng';

const rng = mulberry32(20261126);
const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const randShape = (rank: number, lo = 1, hi = 5) => Array.from({ length: rank }, () => int(lo, hi));
const pick = <T>(xs: T[]): T => xs[Math.floor(rng() * xs.length)];
const CASES = 40;

function out(op: string, inputs: (Shape | null)[], args: LayerConfig = {}): OutputShape {
  const r = opOutputShape(op, inputs, args);
  assert.deepEqual(r.problems.filter((p) => p.severity === 'error'), [], `${op} ${JSON.stringify(inputs)} ${JSON.stringify(args)}`);
  return r.output;
}

function errors(op: string, inputs: Shape[], args: LayerConfig = {}): string[] {
  return opOutputShape(op, inputs, args).problems.filter((p) => p.severity === 'error').map((p) => p.message);
}

/** Runs `fn` in tfjs and returns the shape(s) it produced. */
function tfShape(fn: () => tf.Tensor | tf.Tensor[]): number[] | number[][] {
  return tf.tidy(() => {
    const r = fn();
    return Array.isArray(r) ? r.map((t) => t.shape) : r.shape;
  });
}

const z = (s: number[]) => tf.zeros(s);

test('broadcasting of element-wise ops matches tfjs, and incompatible sizes report Keras\' message', () => {
  for (let i = 0; i < CASES; i++) {
    const a = randShape(int(0, 4));
    // b: a suffix of a with some dims set to 1, sometimes with extra leading dims.
    let b = a.slice(int(0, a.length)).map((d) => (rng() < 0.3 ? 1 : d));
    if (rng() < 0.3 && b.length === a.length) b = [...randShape(int(1, 2)), ...b];
    const [x, y] = rng() < 0.5 ? [a, b] : [b, a];
    for (const [op, fn] of [['add', tf.add], ['multiply', tf.mul], ['maximum', tf.maximum], ['greater', tf.greater], ['true_divide', tf.div]] as const) {
      assert.deepEqual(out(op, [x, y]), tfShape(() => fn(z(x), z(y))), `${op} ${x} ${y}`);
    }
  }
  assert.throws(() => tf.add(z([2, 4, 8]), z([2, 3, 8])));
  assert.match(errors('add', [[2, 4, 8], [2, 3, 8]])[0], /^Cannot broadcast shape, the failure dim has value 4, which cannot be broadcasted to 3\. Input shapes are: \(2, 4, 8\) and \(2, 3, 8\)\.$/);
  // Keras' None: against 1 it stays None, against a size it takes the size.
  assert.deepEqual(out('add', [[null, null, 8], [null, 5, 1]]), [null, 5, 8]);
});

test('where broadcasts its three operands as tfjs does', () => {
  for (let i = 0; i < CASES; i++) {
    const a = randShape(int(1, 4));
    const c = a.map((d) => (rng() < 0.3 ? 1 : d));
    const y = a.slice(int(0, a.length));
    const expected = tfShape(() => tf.where(tf.zeros(c, 'bool'), z(a), z(y)));
    assert.deepEqual(out('where', [c, a, y]), expected, `${c} ${a} ${y}`);
  }
});

test('unary ops, activations, cast and softmax keep the shape', () => {
  const s = [2, 3, 4];
  for (const [op, fn] of [['relu', tf.relu], ['sigmoid', tf.sigmoid], ['tanh', tf.tanh], ['exp', tf.exp], ['sqrt', tf.sqrt], ['abs', tf.abs], ['negative', tf.neg], ['softplus', tf.softplus], ['round', tf.round], ['floor', tf.floor], ['square', tf.square], ['log', tf.log]] as const) {
    assert.deepEqual(out(op, [s]), tfShape(() => fn(z(s))), op);
  }
  assert.deepEqual(out('cast', [s], { dtype: 'int32' }), tfShape(() => tf.cast(z(s), 'int32')));
  assert.deepEqual(out('clip', [s], { x_min: 0, x_max: 1 }), tfShape(() => tf.clipByValue(z(s), 0, 1)));
  assert.deepEqual(out('softmax', [s], { axis: -1 }), tfShape(() => tf.softmax(z(s), -1)));
  assert.deepEqual(out('log_softmax', [s], { axis: -1 }), tfShape(() => tf.logSoftmax(z(s), -1)));
  assert.match(errors('softmax', [s], { axis: 3 })[0], /axis 3 is out of bounds for an array with dimension 3/);
});

test('reshape with -1 matches tfjs; Keras\' and TF\'s handling of None; Keras\' errors', () => {
  for (let i = 0; i < CASES; i++) {
    const s = randShape(int(1, 4));
    const size = s.reduce((p, q) => p * q, 1);
    // A random factorisation of the size, one factor replaced by -1.
    const target: number[] = [];
    let rest = size;
    while (rest > 1 && target.length < 4) {
      const divs = Array.from({ length: rest }, (_, k) => k + 1).filter((d) => rest % d === 0 && d > 1);
      const d = pick(divs);
      target.push(d);
      rest /= d;
    }
    if (target.length === 0) target.push(1);
    target[int(0, target.length - 1)] = -1;
    assert.deepEqual(out('reshape', [s], { newshape: target }), tfShape(() => tf.reshape(z(s), target)), `${s} → ${target}`);
  }
  // keras.ops.reshape: a -1 next to a None is None.
  assert.deepEqual(out('reshape', [[null, 4, 8]], { newshape: [-1, 4, 2, 4] }), [null, 4, 2, 4]);
  // tf.reshape(x, [tf.shape(x)[0], -1, 4]): TF takes the run-time size for the None and infers the -1.
  assert.deepEqual(out('reshape', [[null, 4, 8]], { newshape: [null, -1, 4], tf: true }), [null, 8, 4]);
  assert.match(errors('reshape', [[2, 3]], { newshape: [4, 2] })[0], /^The total size of the tensor must be unchanged\. Received: input_shape=\(2, 3\), newshape=\(4, 2\)$/);
  assert.match(errors('reshape', [[2, 3]], { newshape: [4, -1] })[0], /the input size cannot by divided by the specified dimensions in newshape/);
  assert.match(errors('reshape', [[2, 3]], { newshape: [-1, -1] })[0], /There must be at most one unknown dimension \(-1\)/);
  assert.throws(() => tf.reshape(z([2, 3]), [4, 2]));
  // An unknown size in the target: those dims and the -1 are `?`, no error.
  assert.deepEqual(opOutputShape('reshape', [[null, 6, 4]], { newshape: [-1, UNKNOWN] }).output, [null, '?']);
  assert.deepEqual(opOutputShape('reshape', [[2, 6, 4]], { newshape: [-1, UNKNOWN] }).problems, []);
});

test('transpose, expand_dims, squeeze with negative axes match tfjs', () => {
  for (let i = 0; i < CASES; i++) {
    const s = randShape(int(1, 5));
    const perm = s.map((_, k) => k).sort(() => rng() - 0.5);
    const neg = perm.map((p) => (rng() < 0.5 ? p - s.length : p));
    assert.deepEqual(out('transpose', [s], { axes: neg }), tfShape(() => tf.transpose(z(s), perm)));
    assert.deepEqual(out('transpose', [s]), tfShape(() => tf.transpose(z(s))));
    const ax = int(-(s.length + 1), s.length);
    assert.deepEqual(out('expand_dims', [s], { axis: ax }), tfShape(() => tf.expandDims(z(s), ax)), `expand ${s} ${ax}`);
    const sq = s.map((d) => (rng() < 0.4 ? 1 : d + 1));
    const ones = sq.map((d, k) => (d === 1 ? k : -1)).filter((k) => k >= 0);
    assert.deepEqual(out('squeeze', [sq]), tfShape(() => tf.squeeze(z(sq))));
    if (ones.length > 0) {
      const axis = pick(ones) - (rng() < 0.5 ? sq.length : 0);
      assert.deepEqual(out('squeeze', [sq], { axis }), tfShape(() => tf.squeeze(z(sq), [axis])));
    }
  }
  assert.match(errors('transpose', [[2, 3, 4]], { axes: [0, 1] })[0], /^axis must be a list of the same length as the input shape, expected 3, but received 2\.$/);
  assert.match(errors('transpose', [[2, 3, 4]], { axes: [0, 1, 1] })[0], /must be a valid permutation/);
  assert.deepEqual(out('transpose', [[null, 5, 8, 2]], { axes: [0, 2, 1, 3] }), [null, 8, 5, 2]);
  assert.deepEqual(out('expand_dims', [[null, 8]], { axis: [1, 3] }), [null, 1, 8, 1]);
});

test('concatenate, stack, unstack, split match tfjs (negative axes, count and sizes)', () => {
  for (let i = 0; i < CASES; i++) {
    const s = randShape(int(1, 4));
    const axis = int(-s.length, s.length - 1);
    const ax = axis < 0 ? axis + s.length : axis;
    const others = Array.from({ length: int(1, 3) }, () => s.map((d, k) => (k === ax ? int(1, 5) : d)));
    const all = [s, ...others];
    assert.deepEqual(out('concatenate', all, { axis }), tfShape(() => tf.concat(all.map(z), axis)), `concat ${JSON.stringify(all)} ${axis}`);
    const sa = int(-(s.length + 1), s.length);
    assert.deepEqual(out('stack', [s, s, s], { axis: sa }), tfShape(() => tf.stack([z(s), z(s), z(s)], sa)));
    assert.deepEqual(out('unstack', [s], { axis }), tfShape(() => tf.unstack(z(s), axis)));
    const n = s[ax];
    const divs = Array.from({ length: n }, (_, k) => k + 1).filter((d) => n % d === 0);
    const k = pick(divs);
    assert.deepEqual(out('split', [s], { indices_or_sections: k, axis }), tfShape(() => tf.split(z(s), k, axis)));
    if (n >= 2) {
      const first = int(1, n - 1);
      const sizes = rng() < 0.5 ? [first, n - first] : [first, -1];
      assert.deepEqual(out('split', [s], { indices_or_sections: sizes, axis, sizes: true }), tfShape(() => tf.split(z(s), sizes, axis)));
    }
  }
  // keras.ops.split with indices: numpy's cut points.
  assert.deepEqual(out('split', [[null, 10]], { indices_or_sections: [3, 7], axis: 1 }), [[null, 3], [null, 4], [null, 3]]);
  assert.deepEqual(out('concatenate', [[null, 4, 8], [null, 4, 2]], { axis: -1 }), [null, 4, 10]);
  assert.match(errors('concatenate', [[2, 4, 8], [2, 3, 2]], { axis: -1 })[0], /^Every value in `xs` must have the same shape except on the `axis` dim\. But found element of shape \(2, 3, 2\), which is different from the first element's shape \(2, 4, 8\)\.$/);
  // Keras' Concatenate keeps the first shape's None where another input has a size.
  assert.deepEqual(out('concatenate', [[null, null, 8], [null, 5, 2]], { axis: -1 }), [null, null, 10]);
  assert.match(errors('stack', [[2, 4], [2, 3]])[0], /^Every value in `x` must have the same shape\. But found element of shape \(2, 3\),  which is different/);
  assert.throws(() => tf.concat([z([2, 4, 8]), z([2, 3, 2])], -1));
});

test('tile, repeat, pad, broadcast_to, cumsum match tfjs', () => {
  for (let i = 0; i < CASES; i++) {
    const s = randShape(int(1, 4));
    const reps = s.map(() => int(1, 3));
    assert.deepEqual(out('tile', [s], { repeats: reps, tf: true }), tfShape(() => tf.tile(z(s), reps)));
    const pads = s.map(() => [int(0, 2), int(0, 2)]);
    assert.deepEqual(out('pad', [s], { pad_width: pads, tf: true }), tfShape(() => tf.pad(z(s), pads as [number, number][])));
    const target = [int(1, 3), ...s];
    assert.deepEqual(out('broadcast_to', [s.map((d) => (rng() < 0.4 ? 1 : d))], { shape: target }), tfShape(() => tf.broadcastTo(z(s.map((d) => (rng() < 0 ? 1 : d))), target)));
    const axis = int(-s.length, s.length - 1);
    // (tfjs' cumsum mishandles negative axes: it gets the same axis counted from the front.)
    assert.deepEqual(out('cumsum', [s], { axis }), tfShape(() => tf.cumsum(z(s), axis < 0 ? axis + s.length : axis)));
  }
  // keras.ops.tile: a shorter repeats is padded with 1s in front; repeat without axis flattens.
  assert.deepEqual(out('tile', [[2, 3, 4]], { repeats: [2, 2] }), [2, 6, 8]);
  assert.deepEqual(out('repeat', [[2, 3]], { repeats: 2 }), [12]);
  assert.deepEqual(out('repeat', [[null, 3, 4]], { repeats: 2, axis: -2 }), [null, 6, 4]);
  assert.deepEqual(out('cumsum', [[2, 3]]), [6]);
});

test('matmul with batch broadcasting and transposes matches tfjs; 1-D operands as Keras does', () => {
  for (let i = 0; i < CASES; i++) {
    const [m, k, n] = [int(1, 5), int(1, 5), int(1, 5)];
    const batch = randShape(int(0, 2));
    const b2 = batch.slice(int(0, batch.length)).map((d) => (rng() < 0.3 ? 1 : d));
    const [ba, bb] = rng() < 0.5 ? [batch, b2] : [b2, batch];
    const ta = rng() < 0.3;
    const tb = rng() < 0.3;
    const a = [...ba, ...(ta ? [k, m] : [m, k])];
    const b = [...bb, ...(tb ? [n, k] : [k, n])];
    assert.deepEqual(out('matmul', [a, b], { transpose_a: ta, transpose_b: tb }), tfShape(() => tf.matMul(z(a), z(b), ta, tb)), `${a} @ ${b} ${ta} ${tb}`);
  }
  // 1-D operands (numpy): (3,) @ (3, 4) → (4,); (2, 3) @ (3,) → (2,); (3,) @ (3,) → ().
  assert.deepEqual(out('matmul', [[3], [3, 4]]), [4]);
  assert.deepEqual(out('matmul', [[2, 3], [3]]), [2]);
  assert.deepEqual(out('matmul', [[3], [3]]), []);
  // tf.matmul takes matrices only: unknown, no guess.
  assert.deepEqual(opOutputShape('matmul', [[3], [3, 4]], { tf: true }), { output: null, problems: [] });
  assert.deepEqual(out('matmul', [[null, 8, 16], [16, 4]]), [null, 8, 4]);
  assert.match(errors('matmul', [[2, 3], [4, 5]])[0], /^Inner dimensions \(`x1.shape\[-1\]` and `x2.shape\[-2\]`\) must be equal, but received `x1.shape=\(2, 3\)` and `x2.shape=\(4, 5\)`\.$/);
  assert.throws(() => tf.matMul(z([2, 3]), z([4, 5])));
});

test('einsum: the patterns tfjs runs, and `...` / implicit outputs worked by hand', () => {
  for (let i = 0; i < CASES / 4; i++) {
    const [b, m, k, n] = [int(1, 4), int(1, 4), int(1, 4), int(1, 4)];
    for (const [eq, shapes] of [
      ['ij,jk->ik', [[m, k], [k, n]]],
      ['bij,bjk->bik', [[b, m, k], [b, k, n]]],
      ['ij->ji', [[m, k]]],
      ['ij,ij->ij', [[m, k], [m, k]]],
      ['i,j->ij', [[m], [k]]],
      ['ij->i', [[m, k]]],
    ] as [string, number[][]][]) {
      assert.deepEqual(out('einsum', shapes, { subscripts: eq }), tfShape(() => tf.einsum(eq, ...shapes.map(z))), eq);
    }
  }
  // Implicit output: the letters used once, in alphabetical order.
  assert.deepEqual(out('einsum', [[2, 3], [3, 4]], { subscripts: 'ij,jk' }), [2, 4]);
  assert.deepEqual(out('einsum', [[2, 3]], { subscripts: 'ba' }), [3, 2]);
  // `...` broadcasts: (2, 3, 4, 5) and (3, 5, 6) → (2, 3, 4, 6).
  assert.deepEqual(out('einsum', [[2, 3, 4, 5], [3, 5, 6]], { subscripts: '...ij,...jk->...ik' }), [2, 3, 4, 6]);
  // EinsumDense-like attention scores: (None, 8, 2, 16) · (None, 10, 2, 16) → (None, 2, 8, 10).
  assert.deepEqual(out('einsum', [[null, 8, 2, 16], [null, 10, 2, 16]], { subscripts: 'aecd,abcd->acbe' }), [null, 2, 10, 8]);
  assert.equal(errors('einsum', [[2, 3], [4, 5]], { subscripts: 'ij,jk->ik' }).length, 1);
  assert.match(errors('einsum', [[null, 3]], { subscripts: 'ijk->i' })[0], /^Number of dimensions in the subscript does not match the number of dimensions in the operand, received subscript `ijk` and operand of shape \[-1, 3\]\.$/);
  assert.match(errors('einsum', [[2, 3]], { subscripts: 'ij,jk->ik' })[0], /Number of operands \(1\) does not match the number of input specs \(2\)/);
});

test('reductions with axis int / list / None, keepdims and negative axes match tfjs', () => {
  const fns: [string, (x: tf.Tensor, axis?: number | number[], keep?: boolean) => tf.Tensor][] = [
    ['sum', tf.sum], ['mean', tf.mean], ['max', tf.max], ['min', tf.min], ['prod', tf.prod], ['logsumexp', tf.logSumExp],
    ['any', (x, a, k) => tf.any(tf.cast(x, 'bool'), a, k)], ['all', (x, a, k) => tf.all(tf.cast(x, 'bool'), a, k)],
  ];
  for (let i = 0; i < CASES; i++) {
    const s = randShape(int(1, 4));
    const axes = s.map((_, k) => k).filter(() => rng() < 0.5).map((a) => (rng() < 0.5 ? a - s.length : a));
    const keepdims = rng() < 0.5;
    const [name, fn] = pick(fns);
    const axis = axes.length === 0 ? undefined : axes.length === 1 && rng() < 0.5 ? axes[0] : axes;
    const args: LayerConfig = { keepdims };
    if (axis !== undefined) args.axis = axis;
    assert.deepEqual(out(name, [s], args), tfShape(() => fn(z(s), axis, keepdims)), `${name} ${s} ${JSON.stringify(args)}`);
    const a1 = int(-s.length, s.length - 1);
    assert.deepEqual(out('argmax', [s], { axis: a1 }), tfShape(() => tf.argMax(z(s), a1)));
    assert.deepEqual(out('argmin', [s], { axis: a1 }), tfShape(() => tf.argMin(z(s), a1)));
    const m = tfShape(() => { const r = tf.moments(z(s), axes.length ? axes : undefined, keepdims); return [r.mean, r.variance]; });
    assert.deepEqual(out('moments', [s], axes.length ? { axis: axes, keepdims } : { keepdims }), m);
  }
  assert.deepEqual(out('mean', [[null, 10, 64]], { axis: 1 }), [null, 64]);
  assert.deepEqual(out('argmax', [[null, 10]]), []);
  assert.match(errors('sum', [[2, 3]], { axis: 2 })[0], /^axis 2 is out of bounds for an array with dimension 2\.$/);
});

test('top_k, one_hot, gather / take match tfjs', () => {
  for (let i = 0; i < CASES; i++) {
    const s = randShape(int(1, 4), 2, 5);
    const k = int(1, s[s.length - 1]);
    assert.deepEqual(out('top_k', [s], { k }), tfShape(() => { const r = tf.topk(z(s), k); return [r.values, r.indices]; }));
    const idx = randShape(int(1, 3));
    const depth = int(2, 6);
    assert.deepEqual(out('one_hot', [idx], { num_classes: depth }), tfShape(() => tf.oneHot(tf.zeros(idx, 'int32'), depth)));
    const axis = int(-s.length, s.length - 1);
    assert.deepEqual(out('take', [s, idx], { axis }), tfShape(() => tf.gather(z(s), tf.zeros(idx, 'int32'), axis)), `gather ${s} ${idx} ${axis}`);
    // batch_dims: indices share the leading dim of params.
    const bidx = [s[0], int(1, 3)];
    if (s.length >= 2) assert.deepEqual(out('take', [s, bidx], { axis: 1, batch_dims: 1 }), tfShape(() => tf.gather(z(s), tf.zeros(bidx, 'int32'), 1, 1)));
  }
  assert.deepEqual(out('one_hot', [[null, 5]], { num_classes: 10, axis: 1 }), [null, 10, 5]);
  // Keras' OneHot takes -1 or an axis in [0, rank); TF's also the rank itself.
  assert.match(errors('one_hot', [[null, 5]], { num_classes: 10, axis: 2 })[0], /^axis must be -1 or between \[0, 2\), but received 2\.$/);
  assert.deepEqual(out('one_hot', [[null, 5]], { num_classes: 10, axis: 2, tf: true }), [null, 5, 10]);
  assert.deepEqual(out('take', [[100, 16], [null, 20]]), [null, 20]);
  assert.deepEqual(out('take', [[100, 16], [null, 20]], { axis: 0 }), [null, 20, 16]);
});

test('slice, strided slice and indexing match tfjs', () => {
  for (let i = 0; i < CASES; i++) {
    const s = randShape(int(1, 4), 2, 6);
    const begin = s.map((d) => int(0, d - 1));
    const size = s.map((d, k) => (rng() < 0.3 ? -1 : int(1, d - begin[k])));
    assert.deepEqual(out('slice', [s], { start_indices: begin, shape: size }), tfShape(() => tf.slice(z(s), begin, size)));
    // Non-empty ranges (tfjs fails on empty ones), each bound sometimes counted from the end.
    const b = s.map((d) => int(0, d - 1));
    const e = b.map((x, k) => int(x + 1, s[k]));
    b.forEach((x, k) => (b[k] = rng() < 0.4 ? x - s[k] : x));
    e.forEach((x, k) => (e[k] = rng() < 0.4 && x < s[k] ? x - s[k] : x));
    // (tfjs' kernel reads out of range with negative strides: those are checked by hand below.)
    const st = s.map(() => pick([1, 2, 3]));
    const bm = int(0, 2 ** s.length - 1);
    const em = int(0, 2 ** s.length - 1);
    // (tfjs' kernel also reads out of range with shrink_axis_mask: index items are checked by hand below.)
    const sm = 0;
    const sb = b;
    const args: LayerConfig = { begin: b, end: e, strides: st, begin_mask: bm, end_mask: em, shrink_axis_mask: sm };
    let expected;
    try {
      expected = tfShape(() => tf.stridedSlice(z(s), sb, e, st, bm, em, 0, 0, sm));
    } catch (err) {
      throw new Error(`${s} ${JSON.stringify(args)} ${(err as Error).message}`);
    }
    assert.deepEqual(out('strided_slice', [s], args), expected, `${s} ${JSON.stringify(args)}`);
  }
  // x[:, 0] (CLS pooling), x[..., None], x[:, 1:-1, ::2], x[:, tf.newaxis]: worked by hand.
  const x = [null, 10, 7, 4];
  assert.deepEqual(out('get_item', [x], { key: [{ start: null, stop: null, step: null }, 0] }), [null, 7, 4]);
  assert.deepEqual(out('get_item', [x], { key: ['...', null] }), [null, 10, 7, 4, 1]);
  assert.deepEqual(out('get_item', [x], { key: [{ start: null, stop: null, step: null }, { start: 1, stop: -1, step: null }, { start: null, stop: null, step: 2 }] }), [null, 8, 4, 4]);
  assert.deepEqual(out('get_item', [x], { key: [{ start: null, stop: null, step: null }, null] }), [null, 1, 10, 7, 4]);
  assert.deepEqual(out('get_item', [x], { key: ['...', -1] }), [null, 10, 7]);
  assert.deepEqual(out('get_item', [x], { key: 0 }), [10, 7, 4]);
  // tf.strided_slice with masks: x[1:, 2, ..., tf.newaxis] spelled as TF does (shrink bit 1, ellipsis bit 2, new axis bit 3).
  assert.deepEqual(out('strided_slice', [[5, 6, 7, 8]], { begin: [1, 2, 0, 0], end: [0, 3, 0, 0], strides: [1, 1, 1, 1], end_mask: 1, shrink_axis_mask: 2, ellipsis_mask: 4, new_axis_mask: 8 }), [4, 7, 8, 1]);
  // Negative steps as Python counts them on a length of 10: [::-1] 10, [5:1:-2] 2, [-1:-4:-1] 3, [8:2] 0.
  const len = (start: number | null, stop: number | null, step: number | null) => out('get_item', [[10]], { key: [{ start, stop, step }] });
  assert.deepEqual([len(null, null, -1), len(5, 1, -2), len(-1, -4, -1), len(8, 2, null)], [[10], [2], [3], [0]]);
  assert.match(errors('get_item', [[2, 3] as Shape], { key: [0, 5] })[0], /^Array has shape \(2, 3\) but out-of-bounds index \(0, 5\) was requested\.$/);
  // An index Shape Lens does not know: the rank is still known only if... it is not: unknown, no error.
  assert.deepEqual(opOutputShape('get_item', [x], { key: [{ start: null, stop: null, step: null }, { start: UNKNOWN, stop: null, step: null }] }).output, [null, '?', 7, 4]);
});

test('depth_to_space, space_to_depth, resize match tfjs; Keras\' divisibility errors', () => {
  for (let i = 0; i < CASES; i++) {
    const r = int(2, 3);
    const s = [int(1, 3), int(1, 4), int(1, 4), r * r * int(1, 3)];
    assert.deepEqual(out('depth_to_space', [s], { block_size: r }), tfShape(() => tf.depthToSpace(z(s) as tf.Tensor4D, r)));
    const size: [number, number] = [int(1, 9), int(1, 9)];
    assert.deepEqual(out('resize', [s], { size }), tfShape(() => tf.image.resizeBilinear(z(s) as tf.Tensor4D, size)));
    assert.deepEqual(out('resize', [s.slice(1)], { size }), tfShape(() => tf.image.resizeBilinear(z(s.slice(1)) as tf.Tensor3D, size)));
  }
  assert.deepEqual(out('depth_to_space', [[null, 24, 24, 12]], { block_size: 2, data_format: 'NHWC' }), [null, 48, 48, 3]);
  // tfjs has no spaceToDepth: TF's docs, (1, 4, 4, 1) with block 2 → (1, 2, 2, 4); channels first (1, 3, 4, 6) → (1, 12, 2, 3).
  assert.deepEqual(out('space_to_depth', [[1, 4, 4, 1]], { block_size: 2 }), [1, 2, 2, 4]);
  assert.deepEqual(out('space_to_depth', [[1, 3, 4, 6]], { block_size: 2, data_format: 'NCHW' }), [1, 12, 2, 3]);
  assert.match(errors('depth_to_space', [[null, 8, 8, 6]], { block_size: 2 })[0], /^The number of channels \(6\) must be divisible by block_size\*\*2 \(4\)\.$/);
  assert.match(errors('space_to_depth', [[null, 7, 8, 3]], { block_size: 2 })[0], /^Height \(7\) must be divisible by block_size \(2\)\.$/);
});

test('conv and pool ops (keras.ops and tf.nn spellings) match tfjs', () => {
  for (let i = 0; i < CASES; i++) {
    const [h, w, c, f] = [int(5, 12), int(5, 12), int(1, 4), int(1, 5)];
    const [kh, kw] = [int(1, 3), int(1, 3)];
    const stride = int(1, 3);
    const dil = stride === 1 ? int(1, 2) : 1;
    const padding = pick(['valid', 'same'] as const);
    const x = [2, h, w, c];
    const k = [kh, kw, c, f];
    const expected = tfShape(() => tf.conv2d(z(x) as tf.Tensor4D, z(k) as tf.Tensor4D, stride, padding, 'NHWC', dil));
    assert.deepEqual(out('conv', [x, k], { strides: stride, padding, dilation_rate: dil }), expected);
    // tf.nn.conv2d's spelling: strides [1, s, s, 1], 'SAME', 'NHWC'.
    assert.deepEqual(out('conv', [x, k], { strides: [1, stride, stride, 1], padding: padding.toUpperCase(), data_format: 'NHWC', dilation_rate: [dil, dil] }), expected);
    const m = int(1, 3);
    assert.deepEqual(out('depthwise_conv', [x, [kh, kw, c, m]], { strides: stride, padding }), tfShape(() => tf.depthwiseConv2d(z(x) as tf.Tensor4D, z([kh, kw, c, m]) as tf.Tensor4D, stride, padding)));
    const pool = int(1, 3);
    const ps = int(1, 3);
    assert.deepEqual(out('max_pool', [x], { pool_size: pool, strides: ps, padding }), tfShape(() => tf.maxPool(z(x) as tf.Tensor4D, pool, ps, padding)));
    assert.deepEqual(out('average_pool', [x], { pool_size: [1, pool, pool, 1], strides: [1, ps, ps, 1], padding: padding.toUpperCase() }), tfShape(() => tf.avgPool(z(x) as tf.Tensor4D, pool, ps, padding)));
    const x1 = [2, h, c];
    assert.deepEqual(out('conv', [x1, [kh, c, f]], { strides: stride, padding }), tfShape(() => tf.conv1d(z(x1) as tf.Tensor3D, z([kh, c, f]) as tf.Tensor3D, stride, padding)));
  }
  // keras.ops.max_pool: strides default to the pool size.
  assert.deepEqual(out('max_pool', [[null, 28, 28, 3]], { pool_size: 2 }), [null, 14, 14, 3]);
  assert.match(errors('conv', [[1, 2, 2, 1], [3, 3, 1, 4]])[0], /Computed output size would be zero or negative/);
});

test('extract_patches worked by hand from the TF docs', () => {
  // tf.image.extract_patches docs: 10×10 images, 3×3 patches every 5 pixels → (1, 2, 2, 9).
  assert.deepEqual(out('extract_patches', [[1, 10, 10, 1]], { size: [1, 3, 3, 1], strides: [1, 5, 5, 1], dilation_rate: [1, 1, 1, 1], padding: 'VALID' }), [1, 2, 2, 9]);
  // With rates 2 the patch spans 5 pixels: ⌊(10 − 5)/5⌋ + 1 = 2.
  assert.deepEqual(out('extract_patches', [[1, 10, 10, 1]], { size: [1, 3, 3, 1], strides: [1, 5, 5, 1], dilation_rate: [1, 2, 2, 1], padding: 'VALID' }), [1, 2, 2, 9]);
  // keras.ops.image.extract_patches(images, 16): strides default to the size (ViT patches of 224×224×3).
  assert.deepEqual(out('extract_patches', [[null, 224, 224, 3]], { size: 16 }), [null, 14, 14, 768]);
  assert.deepEqual(out('extract_patches', [[null, 32, 32, 3]], { size: [6, 6], strides: [6, 6], padding: 'same' }), [null, 6, 6, 108]);
});

test('unknown arguments give `?`, never an error', () => {
  for (const [op, shape, args] of [
    ['reshape', [null, 8, 8], { newshape: [-1, UNKNOWN] }],
    ['transpose', [null, 8, 4], { axes: UNKNOWN }],
    ['mean', [null, 8, 4], { axis: UNKNOWN }],
    ['concatenate', [null, 8, 4], { axis: UNKNOWN }],
    ['tile', [null, 8], { repeats: [1, UNKNOWN] }],
    ['one_hot', [null, 8], { num_classes: UNKNOWN }],
    ['depth_to_space', [null, 8, 8, 12], { block_size: UNKNOWN }],
    ['resize', [null, 8, 8, 3], { size: [UNKNOWN, 64] }],
    ['split', [null, 8], { indices_or_sections: UNKNOWN, axis: 1 }],
  ] as [string, Shape, LayerConfig][]) {
    const r = opOutputShape(op, [shape], args);
    assert.deepEqual(r.problems.filter((p) => p.severity === 'error'), [], op);
  }
  assert.deepEqual(opOutputShape('tile', [[null, 8]], { repeats: [1, UNKNOWN] }).output, [null, '?']);
  assert.deepEqual(opOutputShape('one_hot', [[null, 8]], { num_classes: UNKNOWN }).output, [null, 8, '?']);
  assert.deepEqual(opOutputShape('resize', [[null, 8, 8, 3]], { size: [UNKNOWN, 64] }).output, [null, '?', 64, 3]);
  // Unknown input dims: what does not depend on them stays exact.
  assert.deepEqual(opOutputShape('matmul', [[null, '?', 16], [16, 4]]).output, [null, '?', 4]);
  assert.deepEqual(opOutputShape('mean', [[null, '?', 16]], { axis: 1 }).output, [null, 16]);
});
