// tfjs tensor ops and tensor methods in the JS/TS front end: their shapes feed layer sizes the way
// model code reads them (`t.shape[1]`). Expected values from tfjs running the same ops in node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { analyzeJs } from './helpers/tfjs';

test('tf.* ops and tensor methods on concrete tensors: shapes as tfjs computes them', async () => {
  const src = `
import * as tf from '@tensorflow/tfjs';
const w = tf.randomNormal([8, 4]);
const a = tf.matMul(tf.zeros([2, 8]), w);              // [2, 4]
const b = a.reshape([-1, 2]).transpose();             // [2, 4]
const c = tf.concat([b, b], 1).expandDims(0);         // [1, 2, 8]
const d = tf.sum(c, -1, true);                        // [1, 2, 1]
const parts = tf.split(tf.zeros([6, 10]), [3, -1], 1); // [6, 3], [6, 7]
const top = tf.topk(tf.zeros([5, 9]), 2);             // values [5, 2]
const img = tf.image.resizeBilinear(tf.zeros([1, 8, 8, 3]), [16, 12]);
const conv = tf.conv2d(img, tf.zeros([3, 3, 3, 5]), 2, 'same');   // [1, 8, 6, 5]
const model = tf.sequential();
model.add(tf.layers.dense({ units: c.shape[2] + d.shape[1], inputShape: [parts[1].shape[1]] }));
model.add(tf.layers.dense({ units: top.values.shape[1] * conv.shape[3] }));
`;
  const { json } = await analyzeJs(src);
  // The same ops in tfjs.
  const shapes = tf.tidy(() => {
    const w = tf.randomNormal([8, 4]);
    const a = tf.matMul(tf.zeros([2, 8]), w);
    const b = a.reshape([-1, 2]).transpose();
    const c = tf.concat([b, b], 1).expandDims(0);
    const d = tf.sum(c, -1, true);
    const parts = tf.split(tf.zeros([6, 10]), [3, -1], 1);
    const top = tf.topk(tf.zeros([5, 9]), 2);
    const img = tf.image.resizeBilinear(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D, [16, 12]);
    const conv = tf.conv2d(img, tf.zeros([3, 3, 3, 5]) as tf.Tensor4D, 2, 'same');
    return { c: c.shape, d: d.shape, p1: parts[1].shape, top: top.values.shape, conv: conv.shape };
  });
  const units1 = shapes.c[2]! + shapes.d[1]!;
  const units2 = shapes.top[1]! * shapes.conv[3]!;
  const inDim = shapes.p1[1]!;
  const m = json.models[0];
  assert.deepEqual(m.layers.map((l) => [l.outputShape, l.params]), [
    [[null, units1], inDim * units1 + units1],
    [[null, units2], units1 * units2 + units2],
  ]);
  assert.deepEqual([units1, units2, inDim], [10, 10, 7]);
});

test('a tfjs op on a model SymbolicTensor is the error tfjs throws; on a concrete tensor it is fine', async () => {
  const { json } = await analyzeJs(`
import * as tf from '@tensorflow/tfjs';
const x = tf.input({ shape: [4] });
const h = tf.layers.dense({ units: 8 }).apply(x) as tf.SymbolicTensor;
const bad = tf.reshape(h, [-1, 2, 4]);
const bad2 = (h as any).reshape([-1, 2, 4]);
const layer = tf.layers.dense({ units: 6 });
const [a, b] = tf.split(layer.apply(tf.zeros([1, 4])) as tf.Tensor, 2, 1);
export const m = tf.model({ inputs: x, outputs: h });
`);
  const errs = [...json.diagnostics, ...json.models.flatMap((mm) => mm.diagnostics)].filter((d) => d.severity === 'error');
  // tfjs itself: tf.reshape(symbolic) throws "Argument 'x' passed to 'reshape' must be a Tensor or
  // TensorLike, but got 'SymbolicTensor'"; symbolic.reshape is not a function; split of an eager apply works.
  assert.deepEqual(errs.map((d) => [d.code, d.line]), [
    ['tfjs-op-on-symbolic-tensor', 5],
    ['tfjs-op-on-symbolic-tensor', 6],
  ]);
  assert.match(errs[0].message, /must be a Tensor or TensorLike, but got 'SymbolicTensor'/);
});
