// Tensor ops in Python model code: keras.ops, tf.*, the Keras backend, operators, indexing,
// `x.shape` and `tf.shape(x)[i]` on small models of our own. Expected shapes and totals worked by
// hand beside each case (the op arithmetic is checked against tfjs in ops-shapes.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './helpers/python';
import type { JsonFile } from '../../src/core/analysis';

function model(json: JsonFile, name: string) {
  const m = json.models.find((x) => x.name === name);
  assert.ok(m, `no model ${name} among ${json.models.map((x) => x.name)}`);
  return m;
}

/** The model's layer rows (`model.layers`): operations are rows of the summary, not layers. */
function layerRows<L extends { operation?: true }>(m: { layers: L[] }): L[] {
  return m.layers.filter((l) => !l.operation);
}

function errorsOf(json: JsonFile): string[] {
  return [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)].filter((d) => d.severity === 'error').map((d) => d.message);
}

test('a transformer-ish block with tf.reshape / tf.transpose / tf.matmul, CLS pooling, tf.concat, keras.ops.mean, K.int_shape', async () => {
  const { json } = await analyze(`
import tensorflow as tf
import keras
from keras import layers
from keras import backend as K

inputs = keras.Input(shape=(16, 32))
x = layers.Dense(64)(inputs)
b = tf.shape(x)[0]
q = tf.reshape(x, [b, -1, 4, 16])
q = tf.transpose(q, perm=[0, 2, 1, 3])
att = tf.matmul(q, q, transpose_b=True) / 4.0
att = tf.nn.softmax(att, axis=-1)
o = tf.matmul(att, q)
o = tf.transpose(o, [0, 2, 1, 3])
o = tf.reshape(o, (-1, 16, 64))
cls = o[:, 0]
m = keras.ops.mean(o, axis=1)
z = tf.concat([cls, m], axis=-1)
z = tf.expand_dims(z, 1)
z = layers.Dense(K.int_shape(z)[-1] // 2)(z)
out = layers.Dense(3)(z[:, 0, :])
model = keras.Model(inputs, out)
heads = keras.Model(inputs, q, name="heads")
scores = keras.Model(inputs, att, name="scores")
pooled = keras.Model(inputs, z, name="pooled")
`);
  assert.deepEqual(errorsOf(json), []);
  // (None, 16, 64) → reshape [batch, -1, 4, 16]: TF infers 16 → transpose → (None, 4, 16, 16).
  assert.deepEqual(model(json, 'heads').outputShape, [null, 4, 16, 16]);
  // q · qᵀ: (None, 4, 16, 16); softmax keeps it.
  assert.deepEqual(model(json, 'scores').outputShape, [null, 4, 16, 16]);
  // cls (None, 64) ++ mean (None, 64) → (None, 128) → expand_dims → (None, 1, 128) → Dense(64).
  assert.deepEqual(model(json, 'pooled').outputShape, [null, 1, 64]);
  const m = model(json, 'model');
  // Dense 32·64 + 64 = 2,112; Dense 128·64 + 64 = 8,256; Dense 64·3 + 3 = 195 → 10,563.
  assert.deepEqual(layerRows(m).map((l) => [l.className, l.outputShape, l.params]), [
    ['InputLayer', [null, 16, 32], 0],
    ['Dense', [null, 16, 64], 2112],
    ['Dense', [null, 1, 64], 8256],
    ['Dense', [null, 3], 195],
  ]);
  assert.equal(m.totalParams, 10563);
  // TensorFlow functions on KerasTensors only run in tf.keras 2: the file is analysed as such, and
  // each op is a TFOpLambda row named after its function.
  assert.equal(json.keras?.version, 2);
  assert.match(json.keras?.from ?? '', /^tf\.reshape on a Keras tensor \(line 10\), which only tf\.keras 2 accepts$/);
  assert.ok(m.layers.some((l) => l.name === 'tf.reshape' && l.className === 'TFOpLambda'), JSON.stringify(m.layers.map((l) => [l.name, l.className])));
});

test('tf.nn.depth_to_space super-resolution (ESPCN-like): shapes and total', async () => {
  const { json } = await analyze(`
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

def get_model(upscale_factor=3, channels=1):
    inputs = keras.Input(shape=(32, 32, channels))
    x = layers.Conv2D(64, 5, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(channels * (upscale_factor ** 2), 3, padding="same")(x)
    outputs = tf.nn.depth_to_space(x, upscale_factor)
    return keras.Model(inputs, outputs, name="espcn")

model = get_model()
`);
  assert.deepEqual(errorsOf(json), []);
  const m = model(json, 'espcn');
  // (None, 32, 32, 9) → depth_to_space(3) → (None, 96, 96, 1).
  assert.deepEqual(m.outputShape, [null, 96, 96, 1]);
  // 25·64 + 64 = 1,664; 9·64·64 + 64 = 36,928; 9·64·32 + 32 = 18,464; 9·32·9 + 9 = 2,601 → 59,657.
  assert.equal(m.totalParams, 59657);
  // tf.keras 2 (the only Keras that accepts tf.nn on a KerasTensor): input, 4 convs, the TFOpLambda row.
  assert.deepEqual(m.layers.map((l) => [l.name, l.className]), [
    ['input_1', 'InputLayer'], ['conv2d', 'Conv2D'], ['conv2d_1', 'Conv2D'], ['conv2d_2', 'Conv2D'], ['conv2d_3', 'Conv2D'],
    ['tf.nn.depth_to_space', 'TFOpLambda'],
  ]);
});

test('keras.ops spellings, operators and indexing; Keras 3 names ops with the layer counters', async () => {
  const { json } = await analyze(`
import keras
from keras import layers, ops

inputs = keras.Input(shape=(10, 8))
a = ops.reshape(inputs, (-1, 5, 16))
b = ops.nn.relu(a)
c = ops.numpy.transpose(b, axes=(0, 2, 1))
d = c[:, 1:-1, ::2]
e = d[..., None]
f = ops.squeeze(e, axis=-1)
g = -f * 2 + 1
h = ops.concatenate([g, g], axis=1)
s1, s2 = ops.split(h, 2, axis=1)
w = layers.Reshape((42,))(s1 @ ops.ones((3, 3)))
m = keras.Model(inputs, w)
shapes = keras.Model(inputs, [a, c, d, e, s2], name="shapes")
`);
  assert.deepEqual(errorsOf(json), []);
  const m = model(json, 'm');
  // reshape (None, 10, 8) → (None, 5, 16); transpose → (None, 16, 5); [:, 1:-1, ::2] → (None, 14, 3);
  // concat on 1 → (None, 28, 3); split in 2 → (None, 14, 3); @ (3, 3) → (None, 14, 3) → Reshape (42,).
  assert.deepEqual(layerRows(m).map((l) => [l.name, l.className, l.outputShape]), [
    ['input_layer', 'InputLayer', [null, 10, 8]],
    // ops.reshape took the name `reshape` (Keras 3's shared counters), so the layer is reshape_1.
    ['reshape_1', 'Reshape', [null, 42]],
  ]);
  assert.deepEqual(model(json, 'shapes').outputShape, [[null, 5, 16], [null, 16, 5], [null, 14, 3], [null, 14, 3, 1], [null, 14, 3]]);
});

test('several outputs, tensor methods, x.shape and comparisons', async () => {
  const { json } = await analyze(`
import tensorflow as tf
import keras
from keras import layers

inputs = keras.Input(shape=(12, 8))
a, b, c = tf.split(inputs, [2, 4, -1], axis=-1)
vals, idx = tf.math.top_k(inputs, k=3)
n = inputs.shape[-1]
r = inputs.reshape((-1, 8, 12))
mask = tf.cast(inputs > 0, "float32")
sel = tf.where(mask > 0.5, inputs, 0.0)
g = tf.gather(inputs, [0, 2, 4], axis=1)
p = tf.pad(inputs, [[0, 0], [1, 1], [0, 2]])
o = tf.one_hot(tf.argmax(inputs, axis=-1), depth=n)
red = tf.reduce_sum(inputs, axis=[1, 2], keepdims=True)
outs = keras.Model(inputs, [a, b, c, vals, idx, r, sel, g, p, o, red], name="outs")
`);
  assert.deepEqual(errorsOf(json), []);
  const m = model(json, 'outs') as unknown as { outputShape: unknown };
  assert.deepEqual(m.outputShape, [
    // split sizes [2, 4, -1] of 8: 2, 4, 2; top_k 3: values and indices.
    [null, 12, 2], [null, 12, 4], [null, 12, 2],
    [null, 12, 3], [null, 12, 3],
    // Keras 3's KerasTensor.reshape.
    [null, 8, 12],
    // where(mask > 0.5, x, 0.0) broadcasts to x.
    [null, 12, 8],
    // gather 3 rows on axis 1; pad 1 + 1 and 0 + 2.
    [null, 3, 8],
    [null, 14, 10],
    // one_hot(argmax(x, -1), depth=x.shape[-1]): (None, 12) → (None, 12, 8); reduce_sum over 1, 2 keepdims.
    [null, 12, 8],
    [null, 1, 1],
  ]);
});

test('unknown arguments give ?, never an error: tf.reshape(x, (-1, n)) with n unknown', async () => {
  const { json } = await analyze(`
import tensorflow as tf
import keras
from keras import layers
import config

n = config.width()
inputs = keras.Input(shape=(8, 8, 4))
x = tf.reshape(inputs, (-1, n))
y = tf.reshape(inputs, (-1, 8, n))
t = tf.transpose(inputs, perm=config.perm)
out = layers.Dense(2)(x)
model = keras.Model(inputs, out)
ys = keras.Model(inputs, y, name="ys")
ts = keras.Model(inputs, t, name="ts")
`);
  assert.deepEqual(errorsOf(json), []);
  const m = model(json, 'model');
  // TF cannot infer a -1 beside the batch's None: None; n is `?`; the Dense's kernel depends on n: unknown params.
  assert.deepEqual(layerRows(m).map((l) => [l.className, l.outputShape, l.params]), [
    ['InputLayer', [null, 8, 8, 4], 0],
    ['Dense', [null, 2], '?'],
  ]);
  assert.notEqual(typeof m.totalParams, 'number');
  assert.deepEqual(model(json, 'ys').outputShape, [null, 8, '?']);
  // An unknown permutation: the shape is unknown (even the batch dim may move).
  assert.equal(model(json, 'ts').outputShape, '?');
});

test('Keras\' own error wording when an op cannot apply', async () => {
  const { json } = await analyze(`
import keras
from keras import ops
a = keras.Input(shape=(4, 8))
b = keras.Input(shape=(3, 8))
c = a + b
d = ops.matmul(a, b)
e = ops.reshape(a, (-1, 5))
`);
  const errs = errorsOf(json);
  assert.ok(errs.some((e) => /^Cannot broadcast shape, the failure dim has value 4, which cannot be broadcasted to 3\. Input shapes are: \(None, 4, 8\) and \(None, 3, 8\)\.$/.test(e)), errs.join('\n'));
  assert.ok(errs.some((e) => e.startsWith('Inner dimensions (`x1.shape[-1]` and `x2.shape[-2]`) must be equal, but received `x1.shape=(None, 4, 8)` and `x2.shape=(None, 3, 8)`.')), errs.join('\n'));
  // A -1 next to the batch None is None in Keras 3: no error.
  assert.equal(errs.length, 2, errs.join('\n'));
});

test('the Keras backend (K.*), tf.image / keras.ops.image, conv and pool ops on variables, tf.newaxis', async () => {
  const { json } = await analyze(`
import tensorflow as tf
import keras
from tensorflow.keras import backend as K
from keras import layers, ops

img = keras.Input(shape=(64, 48, 3))
r1 = tf.image.resize(img, (32, 32))
r2 = ops.image.resize(img, size=(16, 24))
pt = tf.image.extract_patches(images=img, sizes=[1, 8, 8, 1], strides=[1, 8, 8, 1], rates=[1, 1, 1, 1], padding="VALID")
pk = ops.image.extract_patches(img, 16)
kernel = tf.random.normal((3, 3, 3, 10))
cv = tf.nn.conv2d(img, kernel, strides=[1, 2, 2, 1], padding="SAME")
mp = tf.nn.max_pool2d(cv, ksize=2, strides=2, padding="VALID")
ap = ops.average_pool(img, pool_size=3, strides=1, padding="same")
s2d = tf.nn.space_to_depth(img, 2)
seq = keras.Input(shape=(7, 5))
k1 = K.mean(seq, axis=1, keepdims=True)
k2 = K.concatenate([seq, seq])
k3 = K.expand_dims(seq)
k4 = K.permute_dimensions(seq, (0, 2, 1))
k5 = K.batch_flatten(seq)
k6 = K.reshape(seq, (-1, 35))
k7 = seq[:, tf.newaxis]
k8 = tf.stack([seq, seq], axis=1)
k9 = tf.einsum("bij,bkj->bik", seq, seq)
images = keras.Model(img, [r1, r2, pt, pk, cv, mp, ap, s2d], name="images")
backend = keras.Model(seq, [k1, k2, k3, k4, k5, k6, k7, k8, k9], name="backend")
`);
  assert.deepEqual(errorsOf(json), []);
  assert.deepEqual(model(json, 'images').outputShape, [
    [null, 32, 32, 3],
    [null, 16, 24, 3],
    // 8×8 patches every 8 pixels of 64×48: 8 × 6 patches of 8·8·3 = 192 values.
    [null, 8, 6, 192],
    // keras.ops.image.extract_patches(img, 16): 4 × 3 patches of 16·16·3 = 768.
    [null, 4, 3, 768],
    // SAME with stride 2: ⌈64/2⌉ = 32, ⌈48/2⌉ = 24; 10 filters; then 2×2 pooling.
    [null, 32, 24, 10],
    [null, 16, 12, 10],
    [null, 64, 48, 3],
    [null, 32, 24, 12],
  ]);
  assert.deepEqual(model(json, 'backend').outputShape, [
    [null, 1, 5],
    [null, 7, 10],
    [null, 7, 5, 1],
    [null, 5, 7],
    [null, 35],
    [null, 35],
    [null, 1, 7, 5],
    [null, 2, 7, 5],
    [null, 7, 7],
  ]);
});

test('x.shape gives ints and None, an unknown dim an unknown value (never None); tf.shape(x)[i] of a known dim is its size', async () => {
  const { json } = await analyze(`
import tensorflow as tf
import keras
from keras import layers
import data

inputs = keras.Input(shape=(data.length(), 16))
x = layers.Dense(8)(inputs)
batch, steps, width = x.shape
flag = batch is None
a = layers.Dense(width * 2)(x)
b = layers.Dense(tf.shape(x)[-1] + 1)(x)
c = layers.Dense(4)(x) if steps is None else layers.Dense(5)(x)
m = keras.Model(inputs, [a, b], name="m")
`);
  const m = model(json, 'm');
  // width 8: Dense(16) has 8·16 + 16 = 144 params; Dense(9) 8·9 + 9 = 81.
  const dense = m.layers.filter((l) => l.className === 'Dense').map((l) => [l.outputShape, l.params]);
  assert.deepEqual(dense.slice(0, 3), [[[null, '?', 8], 136], [[null, '?', 16], 144], [[null, '?', 9], 81]]);
});

test('Keras 3 names ops with the layer counters: ops.softmax, ops.concatenate and x - y take softmax, concatenate, subtract', async () => {
  const { json } = await analyze(`
import keras
from keras import layers, ops
a = keras.Input((4, 4))
b = ops.softmax(a / 2.0)
c = ops.concatenate([b, a - b], axis=-1)
d = layers.Softmax()(c)
e = layers.Concatenate()([d, d])
f = layers.Subtract()([e, e])
m = keras.Model(a, f)
`);
  assert.deepEqual(errorsOf(json), []);
  // Operations are rows of Keras 3's summary (model._operations) in graph order: the layers after
  // them take the next numbers of the same counters.
  assert.deepEqual(model(json, 'm').layers.map((l) => [l.name, l.outputShape]), [
    ['input_layer', [null, 4, 4]],
    ['true_divide', [null, 4, 4]],
    ['softmax', [null, 4, 4]],
    ['subtract', [null, 4, 4]],
    ['concatenate', [null, 4, 8]],
    ['softmax_1', [null, 4, 8]],
    ['concatenate_1', [null, 4, 16]],
    ['subtract_1', [null, 4, 16]],
  ]);
});

test('ops on constants run eagerly in Keras and take no name; a size from ops.shape is no layer either', async () => {
  const { json } = await analyze(`
import tensorflow as tf
import keras
from keras import layers, ops
a = keras.Input((4, 3))
w = ops.ones((3, 3)) * 2.0
n = ops.shape(a)[1] * 2
b = layers.Multiply()([a, a @ w])
m = keras.Model(a, b)
`);
  assert.deepEqual(errorsOf(json), []);
  // Only \`a @ w\` is an Operation on a KerasTensor (a Matmul row); the multiply by 2.0 on constants is eager.
  assert.deepEqual(model(json, 'm').layers.map((l) => [l.name, l.className, l.outputShape]), [
    ['input_layer', 'InputLayer', [null, 4, 3]],
    ['matmul', 'Matmul', [null, 4, 3]],
    ['multiply', 'Multiply', [null, 4, 3]],
  ]);
});

test('tf.math.reduce_prod of known sizes is their product (a Dense sized from a shape)', async () => {
  const { json } = await analyze(`
import tensorflow as tf
import keras
from keras import layers
inputs = keras.Input((4, 5, 3))
units = tf.math.reduce_prod(inputs.shape[1:])
x = layers.Flatten()(inputs)
x = layers.Dense(units)(x)
m = keras.Model(inputs, x)
`);
  assert.deepEqual(errorsOf(json), []);
  // 4·5·3 = 60 units on 60 inputs: 60·60 + 60 = 3,660.
  assert.deepEqual(model(json, 'm').layers.map((l) => [l.className, l.outputShape, l.params]).at(-1), ['Dense', [null, 60], 3660]);
});

test('every API spelling in the Python and tfjs tables names an op that has a rule', async () => {
  const py = await import('../../src/frontends/python/ops-api');
  const js = await import('../../src/frontends/tfjs/ops-api');
  assert.deepEqual(py.tableOpsWithoutRule(), []);
  assert.deepEqual(js.tableOpsWithoutRule(), []);
});

test('Keras 3 patch encoding: ops.shape(x)[0] is None, so a reshape to (batch, -1, d) keeps -1 as None; ops.arange positions', async () => {
  const { json } = await analyze(`
import keras
from keras import layers, ops
images = keras.Input((32, 32, 3))
batch_size = ops.shape(images)[0]
patches = ops.image.extract_patches(images, size=4)
patches = ops.reshape(patches, (batch_size, -1, 4 * 4 * 3))
positions = ops.expand_dims(ops.arange(start=0, stop=64, step=1), axis=0)
encoded = layers.Dense(16)(patches)
pos = layers.Embedding(input_dim=64, output_dim=16)(positions)
m = keras.Model(images, encoded, name="m")
p = keras.Model(images, [patches], name="p")
`);
  assert.deepEqual(errorsOf(json), []);
  // (None, 8, 8, 48) reshaped to (None, -1, 48): Keras 3 leaves the -1 None beside a None.
  assert.deepEqual(model(json, 'p').outputShape, [null, null, 48]);
  // Dense 48·16 + 16 = 784.
  assert.equal(model(json, 'm').totalParams, 784);
});

test('a TensorFlow function on a KerasTensor: tf.keras 2 code when nothing says which Keras, an error when Keras 3 is known, fine inside a layer', async () => {
  const src = (head: string) => `${head}
import tensorflow as tf
import keras
from keras import layers

class Scale(layers.Layer):
    def call(self, x):
        return tf.math.multiply(x, 2.0)

inputs = keras.Input(shape=(4, 6))
x = Scale()(inputs)
y = tf.reshape(x, (-1, 24))
m = keras.Model(inputs, y, name="m")
`;
  // Nothing says which Keras: the tf.reshape proves tf.keras 2 (Keras 3 rejects it), no error.
  const auto = (await analyze(src(''))).json;
  assert.equal(auto.keras?.version, 2);
  assert.match(auto.keras?.from ?? '', /^tf\.reshape on a Keras tensor \(line 12\)/);
  assert.deepEqual(errorsOf(auto), []);
  assert.deepEqual(model(auto, 'm').layers.map((l) => [l.name, l.className, l.outputShape]), [
    ['input_1', 'InputLayer', [null, 4, 6]],
    ['scale', 'Scale', [null, 4, 6]],
    ['tf.reshape', 'TFOpLambda', [null, 24]],
  ]);
  // Keras 3 said in the file: Keras raises "A KerasTensor cannot be used as input to a TensorFlow function".
  const k3 = (await analyze(src('# shape-lens: keras=3'))).json;
  assert.equal(k3.keras?.version, 3);
  const errs = [...k3.diagnostics, ...k3.models.flatMap((x) => x.diagnostics)].filter((d) => d.severity === 'error');
  assert.deepEqual(errs.map((d) => d.code), ['tf-function-on-keras-tensor']);
  assert.match(errs[0].message, /\(tf\.reshape\)/);
});
