// Custom layers and Lambda (issue 10, part 2): Keras 3 runs `build(input_shape)` before the first
// call, counts `add_weight` / `keras.Variable` weights (trainable or not, made in __init__ or
// build) and sub-layers' weights, uses `compute_output_shape` when written, and follows a Lambda's
// function; tfjs runs `build` + `computeOutputShape` and counts `this.addWeight`. Python figures
// are worked out by hand beside each case; tfjs figures come from tfjs running the same class.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { analyze } from './helpers/python';
import { analyzeJs } from './helpers/tfjs';
import type { JsonFile, JsonModel } from '../../src/core/analysis';

function model(json: JsonFile, name: string): JsonModel {
  const m = json.models.find((x) => x.name === name);
  assert.ok(m, `model ${name} among ${json.models.map((x) => x.name).join(', ')}`);
  return m;
}

function rows(m: JsonModel): [string, string, unknown, unknown][] {
  return m.layers.map((l) => [l.name, l.className, l.outputShape, l.params]);
}

function errors(json: JsonFile) {
  return [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)].filter((d) => d.severity === 'error');
}

test('LayerScale (ConvNeXt): add_weight(shape=(projection_dim,)) in build, one row per instance with Keras names', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class LayerScale(layers.Layer):
    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, _):
        self.gamma = self.add_weight(
            shape=(self.projection_dim,),
            initializer=keras.initializers.Constant(self.init_values),
            trainable=True,
        )

    def call(self, x):
        return x * self.gamma

def block(x, dim):
    y = layers.Conv2D(dim, 7, padding="same", groups=dim)(x)
    y = layers.LayerNormalization(epsilon=1e-6)(y)
    y = layers.Dense(4 * dim)(y)
    y = layers.Dense(dim)(y)
    y = LayerScale(1e-6, dim)(y)
    return x + y

inp = keras.Input((14, 14, 96))
x = block(inp, 96)
x = block(x, 96)
x = x * 0.5
model = keras.Model(inp, x)
`);
  assert.deepEqual(errors(json), []);
  const m = model(json, 'model');
  const scales = m.layers.filter((l) => l.className === 'LayerScale');
  // gamma: 96 weights each; the rows show the output of x * gamma.
  assert.deepEqual(scales.map((l) => [l.name, l.outputShape, l.params]), [
    ['layer_scale', [null, 14, 14, 96], 96],
    ['layer_scale_1', [null, 14, 14, 96], 96],
  ]);
  // x + y is an operation row named from Keras' counters; x * gamma inside LayerScale.call is not (Keras traces a layer's call in a graph of its own).
  const ops = m.layers.filter((l) => !['Conv2D', 'LayerNormalization', 'Dense', 'LayerScale', 'InputLayer'].includes(l.className)).map((l) => l.name);
  assert.deepEqual(ops, ['add', 'add_1', 'multiply']);
  // Per block: depthwise-grouped conv 7·7·1·96 + 96 = 4,800; LayerNorm 192; Dense 96·384 + 384 = 37,248;
  // Dense 384·96 + 96 = 36,960; LayerScale 96 → 79,296; two blocks 158,592.
  assert.equal(m.totalParams, 158592);
});

test('a build that reads input_shape[-1], weights made in __init__, trainable=False and positional shape', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Linear(layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight((self.units,), initializer="zeros")
        self.stat = self.add_weight(shape=(2, self.units), trainable=False)

    def call(self, inputs):
        return inputs

inp = keras.Input((10,))
out = Linear(4)(inp)
model = keras.Model(inp, out)
`);
  const m = model(json, 'model');
  const row = m.layers.find((l) => l.className === 'Linear')!;
  // Trainable: w 10·4 = 40, b 4 → 44; non-trainable: the scalar 1 and stat 2·4 = 8 → 9.
  assert.deepEqual([row.name, row.trainableParams, row.nonTrainableParams, row.params], ['linear', 44, 9, 53]);
  assert.deepEqual([m.totalParams, m.trainableParams, m.nonTrainableParams], [53, 44, 9]);
});

test('VectorQuantizer: add_weight(shape=(embedding_dim, num_embeddings)) is counted; a tf.Variable is ? with why (Keras 3 does not count it, tf.keras 2 does)', async () => {
  const src = (weight: string) => `
import keras
import tensorflow as tf
from keras import layers

class VectorQuantizer(layers.Layer):
    def __init__(self, num_embeddings, embedding_dim, beta=0.25, **kwargs):
        super().__init__(**kwargs)
        self.embedding_dim = embedding_dim
        self.num_embeddings = num_embeddings
        w_init = tf.random_uniform_initializer()
        ${weight}

    def call(self, x):
        return x

inp = keras.Input((7, 7, 16))
x = layers.Conv2D(16, 1)(inp)
out = VectorQuantizer(64, 16, name="vector_quantizer")(x)
model = keras.Model(inp, out)
`;
  const added = await analyze(src('self.embeddings = self.add_weight(shape=(self.embedding_dim, self.num_embeddings), initializer=w_init, trainable=True, name="embeddings_vqvae")'));
  const m = model(added.json, 'model');
  // 16·64 = 1,024; Conv2D 16·16 + 16 = 272.
  assert.deepEqual(rows(m).slice(1), [
    ['conv2d', 'Conv2D', [null, 7, 7, 16], 272],
    ['vector_quantizer', 'VectorQuantizer', [null, 7, 7, 16], 1024],
  ]);
  assert.equal(m.totalParams, 1296);
  // keras.Variable is a Keras variable: counted too.
  const kv = await analyze(src('self.embeddings = keras.Variable(w_init(shape=(self.embedding_dim, self.num_embeddings)), trainable=True)'));
  assert.equal(model(kv.json, 'model').totalParams, 1296);
  const tfv = await analyze(src('self.embeddings = tf.Variable(initial_value=w_init(shape=(self.embedding_dim, self.num_embeddings), dtype="float32"), trainable=True)'));
  const row = model(tfv.json, 'model').layers.find((l) => l.name === 'vector_quantizer')!;
  assert.equal(row.params, '?');
  assert.match(row.unknownWhy ?? '', /tf\.Variable \(1,024 weights\).*tf\.keras 2 counts it, Keras 3 does not/);
  assert.equal(model(tfv.json, 'model').totalParams, '?');
  // tf.keras 2 tracks a tf.Variable attribute: keras-io's VQ-VAE printed 1,024 for it under Keras 2.
  const k2 = await analyze(`# shape-lens: keras=2\n${src('self.embeddings = tf.Variable(initial_value=w_init(shape=(self.embedding_dim, self.num_embeddings), dtype="float32"), trainable=True)')}`);
  assert.equal(model(k2.json, 'model').layers.find((l) => l.name === 'vector_quantizer')?.params, 1024);
});

test('keras.Variable shapes: tf.zeros, tf.random.normal, a list literal, trainable=False', async () => {
  const { json } = await analyze(`
import keras
import tensorflow as tf
from keras import layers

class Holder(layers.Layer):
    def __init__(self, n):
        super().__init__()
        self.a = keras.Variable(tf.zeros((1, 10)))
        self.b = keras.Variable(tf.random.normal([n, 3]), trainable=False)
        self.c = keras.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        self.d = [keras.Variable(0.5), keras.Variable(initializer="zeros", shape=(4,))]

    def call(self, x):
        return x

inp = keras.Input((3,))
model = keras.Model(inp, Holder(5)(inp))
`);
  const row = model(json, 'model').layers.find((l) => l.className === 'Holder')!;
  // Trainable: 10 + 6 + 1 + 4 = 21; non-trainable: 5·3 = 15.
  assert.deepEqual([row.trainableParams, row.nonTrainableParams], [21, 15]);
});

test('a weight of unknown shape makes the layer ? with why, never 0; so does a build that raises', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Unsure(layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.units = units
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units))
    def call(self, x):
        return x

class Broken(layers.Layer):
    def build(self, input_shape):
        raise ValueError("no")
    def call(self, x):
        return x

def make(units):
    inp = keras.Input((None, 8))
    x = Unsure(units)(inp)
    x = Broken()(x)
    return keras.Model(inp, x, name="net")

net = make(units=load_units())
`);
  const m = model(json, 'net');
  const unsure = m.layers.find((l) => l.className === 'Unsure')!;
  assert.equal(unsure.params, '?');
  assert.match(unsure.unknownWhy ?? '', /Unsure\.add_weight/);
  const broken = m.layers.find((l) => l.className === 'Broken')!;
  assert.equal(broken.params, '?');
  assert.match(broken.unknownWhy ?? '', /Broken\.build raised/);
  assert.equal(m.totalParams, '?');
});

test('build on input dims Shape Lens does not know: the weight that depends on them is ?', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Proj(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 4))
    def call(self, x):
        return x

inp = keras.Input((5, size_from_data()))
model = keras.Model(inp, Proj()(inp))
`);
  const row = model(json, 'model').layers.find((l) => l.className === 'Proj')!;
  assert.equal(row.params, '?');
});

test("Sampling with tf.shape(x)[0] and tf.random.normal: the batch is Keras' None, not ?", async () => {
  // keras-io's VAE: epsilon's shape is (batch, dim) from tf.shape; Keras prints sampling (None, 2).
  const { json } = await analyze(`
import tensorflow as tf
import keras
from keras import layers

class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = tf.shape(z_mean)[0]
        dim = tf.shape(z_mean)[1]
        epsilon = tf.random.normal(shape=(batch, dim))
        return z_mean + tf.exp(0.5 * z_log_var) * epsilon

x = keras.Input(shape=(8,))
z_mean = layers.Dense(2)(x)
z_log_var = layers.Dense(2)(x)
encoder = keras.Model(x, Sampling()([z_mean, z_log_var]), name="encoder")
`);
  assert.equal(json.keras?.version, 3);
  assert.deepEqual(rows(model(json, 'encoder')).slice(-1), [['sampling', 'Sampling', [null, 2], 0]]);
});

test('VAE Sampling called with [z_mean, z_log_var]: one row, 0 weights, build gets a list of shapes', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Sampling(layers.Layer):
    def build(self, input_shape):
        # Keras passes the shapes of a list input as a list of tuples.
        self.dims = [s[-1] for s in input_shape]
        self.bias = self.add_weight(shape=(len(input_shape), self.dims[0]))

    def call(self, inputs):
        z_mean, z_log_var = inputs
        return z_mean + 0.5 * z_log_var

encoder_inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
x = layers.Flatten()(x)
x = layers.Dense(16, activation="relu")(x)
z_mean = layers.Dense(2, name="z_mean")(x)
z_log_var = layers.Dense(2, name="z_log_var")(x)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
`);
  const m = model(json, 'encoder');
  // Conv2D 3·3·1·32 + 32 = 320; Dense 6,272·16 + 16 = 100,368; z_mean / z_log_var 16·2 + 2 = 34;
  // Sampling's bias (2, 2) = 4 → 100,760.
  assert.deepEqual(rows(m).slice(-1), [['sampling', 'Sampling', [null, 2], 4]]);
  assert.equal(m.totalParams, 100760);
});

test('a CTC-loss-style layer called with two tensors returns its first input; keyword tensors work too', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class CTCLayer(layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)

    def call(self, y_true, y_pred):
        return y_pred

image = keras.Input(shape=(32, 8), name="image")
labels = keras.Input(shape=(None,), name="label")
x = layers.Dense(11, name="dense2")(image)
out = CTCLayer("ctc_loss")(labels, x)
out2 = CTCLayer()(y_true=labels, y_pred=x)
model = keras.Model([image, labels], [out, out2])
`);
  const m = model(json, 'model');
  assert.deepEqual(
    m.layers.filter((l) => l.className === 'CTCLayer').map((l) => [l.name, l.outputShape, l.params]),
    [
      ['ctc_loss', [null, 32, 11], 0],
      ['ctc_layer', [null, 32, 11], 0],
    ],
  );
  // Both inputs are in the model: the labels' InputLayer is a row.
  assert.ok(m.layers.some((l) => l.name === 'label'));
  assert.equal(m.totalParams, 8 * 11 + 11);
});

test('PositionalEmbedding: two Embedding sub-layers counted inside one row', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.position_embeddings = layers.Embedding(input_dim=sequence_length, output_dim=embed_dim)

    def build(self, input_shape):
        self.position_embeddings.build(input_shape)

    def call(self, inputs):
        embedded_tokens = self.token_embeddings(inputs)
        return embedded_tokens

inputs = keras.Input(shape=(20,), dtype="int64")
x = PositionalEmbedding(20, 1000, 32)(inputs)
model = keras.Model(inputs, x)
`);
  const row = model(json, 'model').layers.find((l) => l.className === 'PositionalEmbedding')!;
  // Token embedding 1,000·32 = 32,000 + position embedding 20·32 = 640.
  assert.deepEqual([row.name, row.outputShape, row.params], ['positional_embedding', [null, 20, 32], 32640]);
});

test('compute_output_shape is used as Keras 3 uses it (call is not run), per call', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Doubler(layers.Layer):
    def call(self, x):
        return some_op_shape_lens_cannot_follow(x)
    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1] * 2)

inp = keras.Input((6,))
d = Doubler()
a = d(inp)
b = d(layers.Dense(3)(inp))
model = keras.Model(inp, [a, b])
`);
  const m = model(json, 'model');
  assert.deepEqual(m.layers.find((l) => l.className === 'Doubler')?.outputShape, [null, 12]);
  assert.deepEqual(m.outputShape, [
    [null, 12],
    [null, 6],
  ]);
});

test('Lambda: a lambda closing over a value, a def with a default, a list input, output_shape as tuple and function, unknown → ? with why', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

def double(x, factor=2.0):
    return x * factor

scale = 3.0
inp = keras.Input(shape=(8, 4))
a = layers.Lambda(lambda t: t * scale)(inp)
b = layers.Lambda(double)(a)
c = layers.Lambda(lambda ts: ts[0] + ts[1])([a, b])
d = layers.Lambda(lambda t: t, output_shape=(32,))(c)
e = layers.Lambda(lambda t: t, output_shape=lambda s: (s[0], s[1] * s[2]))(c)
f = layers.Lambda(lambda t: not_known(t))(c)
g = layers.Lambda(lambda t: t + layers.Dense(4)(t))(c)
model = keras.Model(inp, [d, e, f, g])
`);
  const m = model(json, 'model');
  assert.deepEqual(
    m.layers.filter((l) => l.className === 'Lambda').map((l) => [l.name, l.outputShape, l.params]),
    [
      ['lambda', [null, 8, 4], 0],
      ['lambda_1', [null, 8, 4], 0],
      ['lambda_2', [null, 8, 4], 0],
      ['lambda_3', [null, 32], 0],
      ['lambda_4', [null, 32], 0],
      ['lambda_5', '?', 0],
      ['lambda_6', [null, 8, 4], 0],
    ],
  );
  assert.ok(m.layers.find((l) => l.name === 'lambda_5')?.unknownWhy);
  // Only the Lambda whose function cannot be followed warns (line 15: not_known).
  const warned = [...json.diagnostics, ...m.diagnostics].filter((d) => d.code === 'lambda-shape');
  assert.deepEqual(warned.map((d) => d.line), [15]);
});

test('a custom Model subclass counts its own add_weight besides its layers', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(4)
        self.temperature = self.add_weight(shape=(), initializer="ones")

    def call(self, x):
        return self.dense(x)

net = Net()
net.build((None, 3))
`);
  // Dense 3·4 + 4 = 16, temperature 1.
  assert.equal(model(json, 'net').totalParams, 17);
});

test('robustness: recursion in build or call, a huge weight, a build with odd arguments', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Loop(layers.Layer):
    def build(self, input_shape):
        self.build(input_shape)
    def call(self, x):
        return self(x)

class Huge(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(10**9, 10**9, 10**9))
    def call(self, x):
        return x

class Odd(layers.Layer):
    def build(self, input_shape, *args, **kwargs):
        self.w = self.add_weight(shape="not a shape")
    def call(self, x, *rest, **kw):
        return x

inp = keras.Input((4,))
x = Loop()(inp)
y = Huge()(inp)
z = Odd()(inp)
model = keras.Model(inp, [x, y, z])
`);
  const m = model(json, 'model');
  for (const cls of ['Loop', 'Huge', 'Odd']) {
    const row = m.layers.find((l) => l.className === cls);
    assert.ok(row, cls);
    assert.ok(row.params === '?' || row.params === 0, `${cls}: ${String(row.params)}`);
  }
  assert.equal(m.layers.find((l) => l.className === 'Huge')?.params, '?');
  assert.equal(m.layers.find((l) => l.className === 'Odd')?.params, '?');
  assert.equal(m.totalParams, '?');
});

test('add_weight in a loop Shape Lens cannot run makes the layer ?, never a partial count', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Many(layers.Layer):
    def __init__(self, n):
        super().__init__()
        self.ws = []
        for i in range(n):
            self.ws.append(self.add_weight(shape=(3,)))
    def call(self, x):
        return x

inp = keras.Input((3,))
model = keras.Model(inp, Many(count_from_config())(inp))
`);
  assert.equal(model(json, 'model').layers.find((l) => l.className === 'Many')?.params, '?');
});

// ---------------------------------------------------------------------------------------------
// tfjs: the same class run by tfjs is the oracle.

test('tfjs custom layers: build + addWeight, computeOutputShape, className — as tfjs itself counts them', async () => {
  const source = `
import * as tf from '@tensorflow/tfjs';
class Antirectifier extends tf.layers.Layer {
  constructor(config) { super(config); }
  build(inputShape) {
    const d = inputShape[inputShape.length - 1];
    this.kernel = this.addWeight('kernel', [d, 3], 'float32', tf.initializers.ones());
    this.moving = this.addWeight('moving', [5], 'float32', tf.initializers.zeros(), undefined, false);
  }
  computeOutputShape(inputShape) { return [inputShape[0], inputShape[1] * 2]; }
  call(inputs) { return inputs; }
  static get className() { return 'Antirectifier'; }
}
class Identityish extends tf.layers.Layer {
  static className = 'Identityish';
  call(inputs) { return inputs; }
}
class Renamed extends Identityish {
  getClassName() { return 'Shown'; }
}
const model = tf.sequential();
model.add(tf.layers.dense({units: 4, inputShape: [6]}));
model.add(new Antirectifier());
model.add(new Antirectifier({name: 'second'}));
model.add(new Identityish());
model.add(new Renamed({name: 'renamed'}));
model.summary();
`;
  const { json } = await analyzeJs(source, {}, 'main.js');
  const m = model(json, 'model');

  // The oracle: the same classes in tfjs.
  class Antirectifier extends tf.layers.Layer {
    kernel?: tf.LayerVariable;
    moving?: tf.LayerVariable;
    override build(inputShape: tf.Shape | tf.Shape[]): void {
      const s = inputShape as tf.Shape;
      const d = s[s.length - 1] as number;
      this.kernel = this.addWeight('kernel', [d, 3], 'float32', tf.initializers.ones());
      this.moving = this.addWeight('moving', [5], 'float32', tf.initializers.zeros(), undefined, false);
    }
    override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
      const s = inputShape as tf.Shape;
      return [s[0], (s[1] as number) * 2];
    }
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
      return inputs;
    }
    static get className(): string {
      return 'Antirectifier';
    }
  }
  class Identityish extends tf.layers.Layer {
    static className = 'Identityish';
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
      return inputs;
    }
  }
  class Renamed extends Identityish {
    override getClassName(): string {
      return 'Shown';
    }
  }
  const ref = tf.sequential();
  ref.add(tf.layers.dense({ units: 4, inputShape: [6] }));
  ref.add(new Antirectifier({}));
  ref.add(new Antirectifier({ name: 'second' }));
  ref.add(new Identityish({}));
  ref.add(new Renamed({ name: 'renamed' }));
  const expected = ref.layers.map((l) => [l.name, l.getClassName(), (l.outputShape as (number | null)[]), l.countParams()]);
  assert.deepEqual(rows(m), expected);
  const trainable = ref.trainableWeights.reduce((s, w) => s + w.shape.reduce((p: number, d) => p * (d ?? 0), 1), 0);
  assert.deepEqual([m.totalParams, m.trainableParams], [ref.countParams(), trainable]);
  ref.dispose();
});

test('tfjs ZLayer (VAE) applied to [zMean, zLogVar]: computeOutputShape gives the first shape, as tfjs does', async () => {
  const { json } = await analyzeJs(`
import * as tf from '@tensorflow/tfjs';
class ZLayer extends tf.layers.Layer {
  constructor(config) { super(config); }
  computeOutputShape(inputShape) { return inputShape[0]; }
  call(inputs, kwargs) { return inputs[0]; }
  static get className() { return 'ZLayer'; }
}
tf.serialization.registerClass(ZLayer);
const inputs = tf.input({shape: [784], name: 'encoder_input'});
const x = tf.layers.dense({units: 64, activation: 'relu'}).apply(inputs);
const zMean = tf.layers.dense({units: 2, name: 'z_mean'}).apply(x);
const zLogVar = tf.layers.dense({units: 2, name: 'z_log_var'}).apply(x);
const z = new ZLayer({name: 'z', outputShape: [2]}).apply([zMean, zLogVar]);
const encoder = tf.model({inputs, outputs: [zMean, zLogVar, z], name: 'encoder'});
`, {}, 'main.js');
  class ZLayer extends tf.layers.Layer {
    override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
      return (inputShape as tf.Shape[])[0];
    }
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
      return (inputs as tf.Tensor[])[0];
    }
    static get className(): string {
      return 'ZLayer';
    }
  }
  const inputs = tf.input({ shape: [784], name: 'encoder_input' });
  const x = tf.layers.dense({ units: 64, activation: 'relu' }).apply(inputs) as tf.SymbolicTensor;
  const zMean = tf.layers.dense({ units: 2, name: 'z_mean' }).apply(x) as tf.SymbolicTensor;
  const zLogVar = tf.layers.dense({ units: 2, name: 'z_log_var' }).apply(x) as tf.SymbolicTensor;
  const z = new ZLayer({ name: 'z' }).apply([zMean, zLogVar]) as tf.SymbolicTensor;
  const ref = tf.model({ inputs, outputs: [zMean, zLogVar, z], name: 'encoder' });
  const m = model(json, 'encoder');
  const zRow = m.layers.find((l) => l.name === 'z')!;
  const refZ = ref.getLayer('z');
  assert.deepEqual([zRow.className, zRow.outputShape, zRow.params], [refZ.getClassName(), refZ.outputShape, refZ.countParams()]);
  assert.equal(m.totalParams, ref.countParams());
  ref.dispose();
});

test('a custom layer in a Sequential list and in model.add: traced on the shape it gets there', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Scale(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1] * 2, input_shape[-1]))
    def call(self, x):
        return x * 2.0

model = keras.Sequential([keras.Input((5,)), layers.Dense(8), Scale(), layers.Dense(3)])
other = keras.Sequential()
other.add(keras.Input((4,)))
other.add(Scale(name="s"))
`);
  // Dense 5·8 + 8 = 48; Scale (16, 8) = 128; Dense 8·3 + 3 = 27 → 203.
  assert.deepEqual(rows(model(json, 'model')), [
    ['dense', 'Dense', [null, 8], 48],
    ['scale', 'Scale', [null, 8], 128],
    ['dense_1', 'Dense', [null, 3], 27],
  ]);
  assert.equal(model(json, 'model').totalParams, 203);
  // (8, 4) = 32.
  assert.deepEqual(rows(model(json, 'other')), [['s', 'Scale', [null, 4], 32]]);
});

test('add_weight under an if Shape Lens cannot decide makes the layer ?; under a decided one it counts', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Maybe(layers.Layer):
    def __init__(self, use_bias, extra):
        super().__init__()
        self.use_bias = use_bias
        self.extra = extra
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 2))
        if self.use_bias:
            self.b = self.add_weight(shape=(2,))
        if self.extra:
            self.e = self.add_weight(shape=(7,))
    def call(self, x):
        return x

inp = keras.Input((3,))
a = Maybe(True, False)(inp)
b = Maybe(True, flag_from_somewhere())(inp)
model = keras.Model(inp, [a, b])
`);
  const [known, unsure] = model(json, 'model').layers.filter((l) => l.className === 'Maybe');
  // 3·2 + 2 = 8.
  assert.equal(known.params, 8);
  assert.equal(unsure.params, '?');
});

test('tfjs computeOutputShape that edits a copy of the shape (slice + splice), as tfjs-examples GetLastTimestepLayer', async () => {
  const { json } = await analyzeJs(`
import * as tf from '@tensorflow/tfjs';
class GetLastTimestepLayer extends tf.layers.Layer {
  constructor(config) { super(config || {}); }
  computeOutputShape(inputShape) {
    const outputShape = inputShape.slice();
    outputShape.splice(outputShape.length - 2, 1);
    return outputShape;
  }
  call(input) { return input; }
  static get className() { return 'GetLastTimestepLayer'; }
}
const inp = tf.input({shape: [7, 4]});
const last = new GetLastTimestepLayer({name: 'encoderLast'}).apply(inp);
const model = tf.model({inputs: inp, outputs: last});
`, {}, 'main.js');
  class GetLastTimestepLayer extends tf.layers.Layer {
    override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
      const outputShape = (inputShape as tf.Shape).slice();
      outputShape.splice(outputShape.length - 2, 1);
      return outputShape;
    }
    override call(input: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
      return input;
    }
    static get className(): string {
      return 'GetLastTimestepLayer';
    }
  }
  const inp = tf.input({ shape: [7, 4] });
  const last = new GetLastTimestepLayer({ name: 'encoderLast' }).apply(inp) as tf.SymbolicTensor;
  const row = model(json, 'model').layers.find((l) => l.name === 'encoderLast')!;
  assert.deepEqual([row.className, row.outputShape, row.params], ['GetLastTimestepLayer', last.shape, 0]);
});

test('a custom sub-layer built explicitly in build is built once (Keras keeps it built), and counted in its parent row', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Inner(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 3))
    def call(self, x):
        return x

class Outer(layers.Layer):
    def __init__(self):
        super().__init__()
        self.inner = Inner()
        self.dense = layers.Dense(2)
    def build(self, input_shape):
        self.inner.build(input_shape)
        self.bias = self.add_weight(shape=(2,), trainable=False)
    def call(self, x):
        return self.dense(self.inner(x))

inp = keras.Input((5,))
model = keras.Model(inp, Outer()(inp))
`);
  const row = model(json, 'model').layers.find((l) => l.className === 'Outer')!;
  // Inner w 5·3 = 15 (once), Dense 5·2 + 2 = 12, bias 2 non-trainable → 27 trainable, 2 non-trainable.
  assert.deepEqual([row.name, row.outputShape, row.trainableParams, row.nonTrainableParams], ['outer', [null, 2], 27, 2]);
});

test('subclasses of built-in layers (class MyDense(layers.Dense)): the built-in weights, its call or super().call, one row', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class ScaledDense(layers.Dense):
    def __init__(self, units, scale=2.0, **kwargs):
        super().__init__(units, **kwargs)
        self.scale = scale
    def call(self, inputs):
        return super().call(inputs) * self.scale

class PlainConv(layers.Conv2D):
    pass

class WithBias(layers.Dense):
    def build(self, input_shape):
        super().build(input_shape)
        self.extra = self.add_weight(shape=(self.units,))

inp = keras.Input((8, 8, 3))
x = PlainConv(4, 3)(inp)
x = layers.Flatten()(x)
x = ScaledDense(5, name="scaled")(x)
x = WithBias(2)(x)
model = keras.Model(inp, x)
`);
  const m = model(json, 'model');
  // PlainConv 3·3·3·4 + 4 = 112 on (8, 8, 3) → (6, 6, 4) → 144; ScaledDense 144·5 + 5 = 725;
  // WithBias Dense 5·2 + 2 = 12 + extra 2 = 14.
  assert.deepEqual(rows(m).slice(1), [
    ['plain_conv', 'PlainConv', [null, 6, 6, 4], 112],
    ['flatten', 'Flatten', [null, 144], 0],
    ['scaled', 'ScaledDense', [null, 5], 725],
    ['with_bias', 'WithBias', [null, 2], 14],
  ]);
});

test('an Antirectifier-style layer in a Sequential: build on input_shape[-1], call followed through tensor ops', async () => {
  const { json } = await analyze(`
import keras
import tensorflow as tf
from keras import layers

class Antirectifier(layers.Layer):
    def build(self, input_shape):
        d = input_shape[-1]
        self.kernel = self.add_weight(shape=(d * 2, d), initializer="he_normal")

    def call(self, inputs):
        inputs -= tf.reduce_mean(inputs, axis=-1, keepdims=True)
        pos = tf.nn.relu(inputs)
        neg = tf.nn.relu(-inputs)
        both = tf.concat([pos, neg], axis=-1)
        return tf.matmul(both, self.kernel)

model = keras.Sequential([keras.Input((100,)), layers.Dense(64), Antirectifier(), layers.Dense(10)])
`);
  const m = model(json, 'model');
  // Dense 100·64 + 64 = 6,464; kernel (128, 64) = 8,192, output (None, 128) @ (128, 64) = (None, 64);
  // Dense 64·10 + 10 = 650 → 15,306.
  assert.deepEqual(rows(m), [
    ['dense', 'Dense', [null, 64], 6464],
    ['antirectifier', 'Antirectifier', [null, 64], 8192],
    ['dense_1', 'Dense', [null, 10], 650],
  ]);
  assert.equal(m.totalParams, 15306);
});

test('Lambda in a Sequential: the function is followed on the shape it gets there', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

model = keras.Sequential([
    keras.Input((28, 28)),
    layers.Lambda(lambda x: x / 255.0),
    layers.Flatten(),
    layers.Lambda(lambda x: [x, x * 2.0]),
])
`);
  assert.deepEqual(rows(model(json, 'model')).map((r) => r.slice(0, 3)), [
    ['lambda', 'Lambda', [null, 28, 28]],
    ['flatten', 'Flatten', [null, 784]],
    ['lambda_1', 'Lambda', [[null, 784], [null, 784]]],
  ]);
  assert.deepEqual([...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)].filter((d) => d.code === 'lambda-shape'), []);
});
