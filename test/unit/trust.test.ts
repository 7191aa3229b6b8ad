// Trust: working code gets no error, and nothing Shape Lens states is a number Keras would not
// print. (1) Every realistic fixture that runs in Keras / tfjs: no error-severity diagnostic, no
// count that is null (unknown is "?"), no total that leaves an unknown row out. (2) Constructs met in
// public model code that once gave a false error or a wrong number, each written here from scratch;
// expected figures by hand beside each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from './helpers/python';
import { analyzeJs } from './helpers/tfjs';
import type { JsonDiagnostic, JsonFile } from '../../src/core/analysis';
import { repoRoot } from './helpers/paths';

const root = repoRoot();

const errorsOf = (json: JsonFile): JsonDiagnostic[] => [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)].filter((d) => d.severity === 'error');

/** Fixtures written to fail in Keras (they test the errors) or not to parse. */
const BROKEN_ON_PURPOSE = new Set(['shape_errors.py', 'syntax_error.py', 'shape-errors.js', 'syntax-error.js']);

function fixtures(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (ext.test(e.name) && !BROKEN_ON_PURPOSE.has(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

function assertHonest(json: JsonFile, label: string): void {
  assert.deepEqual(errorsOf(json), [], `${label}: error-severity diagnostics on working code`);
  for (const m of json.models) {
    for (const l of m.layers) {
      for (const n of [l.params, l.trainableParams, l.nonTrainableParams]) assert.ok(n === '?' || (Number.isInteger(n) && n >= 0), `${label} / ${m.name} / ${l.name}: count ${String(n)}`);
    }
    if (m.layers.some((l) => l.params === '?')) assert.equal(m.totalParams, '?', `${label} / ${m.name}: a total that leaves an unknown row out`);
  }
}

for (const file of fixtures(path.join(root, 'test/fixtures/python'), /\.py$/)) {
  const rel = path.relative(root, file);
  test(`trust: ${rel} has no error and no wrong-looking count`, async () => {
    const others: Record<string, string> = {};
    const { json } = await analyze(fs.readFileSync(file, 'utf8'), others, file);
    assertHonest(json, rel);
  });
}

for (const file of fixtures(path.join(root, 'test/fixtures/tfjs'), /\.(js|ts|tsx|jsx|mjs|cjs)$/)) {
  const rel = path.relative(root, file);
  test(`trust: ${rel} has no error and no wrong-looking count`, async () => {
    const { json } = await analyzeJs(fs.readFileSync(file, 'utf8'), {}, file);
    assertHonest(json, rel);
  });
}

// ---------------------------------------------------------------------------------------------
// Constructs from public model code

test('siamese towers joined by Lambda(distance)([a, b]): no arity error, the towers are counted', async () => {
  const { json } = await analyze(`
import keras
from keras import layers, ops

def distance(vects):
    x, y = vects
    return ops.sqrt(ops.maximum(ops.sum(ops.square(x - y), axis=1, keepdims=True), 1e-7))

inp = keras.Input((28, 28, 1))
x = layers.Conv2D(4, (5, 5), activation="tanh")(inp)
x = layers.AveragePooling2D(pool_size=(2, 2))(x)
x = layers.Flatten()(x)
x = layers.Dense(10, activation="tanh")(x)
tower = keras.Model(inp, x)
a = keras.Input((28, 28, 1))
b = keras.Input((28, 28, 1))
merged = layers.Lambda(distance)([tower(a), tower(b)])
out = layers.Dense(1, activation="sigmoid")(layers.BatchNormalization()(merged))
siamese = keras.Model(inputs=[a, b], outputs=out)
`);
  assertHonest(json, 'siamese');
  const tower = json.models.find((m) => m.name === 'tower')!;
  // Conv2D 5·5·1·4 + 4 = 104 → (24, 24, 4); pool → (12, 12, 4); flatten 576; Dense 576·10 + 10 = 5,770.
  assert.equal(tower.totalParams, 104 + 5770);
  const siamese = json.models.find((m) => m.name === 'siamese')!;
  // The Lambda's function is followed to (None, 1): BatchNormalization 4·1 = 4, Dense 1·1 + 1 = 2 → 5,874 + 6.
  assert.equal(siamese.totalParams, 5880);
});

test('NumPy / TensorFlow calls on arrays in a data loop are not layers and raise nothing', async () => {
  const { json } = await analyze(`
import numpy as np
import tensorflow as tf
import keras
from keras import layers

model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
batches = []
for step in range(3):
    real = np.random.normal(size=(8, 4))
    fake = np.random.normal(size=(8, 4))
    both = np.concatenate([real, fake])
    labels = np.concatenate([np.ones((8, 1)), np.zeros((8, 1))])
    pairs = tf.data.Dataset.from_tensor_slices((both, labels))
    batches.append(tf.matmul(both, both, transpose_b=True))
`);
  assertHonest(json, 'data loop');
  // Dense(2) on 4 inputs: 4·2 + 2 = 10.
  assert.deepEqual(json.models.map((m) => [m.name, m.totalParams]), [['model', 10]]);
});

test('a custom layer called with two tensors keeps both branches and makes the total ?', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Gate(layers.Layer):
    def call(self, inputs):
        a, b = inputs
        return a * keras.activations.sigmoid(b)

x = keras.Input((16,))
h = layers.Dense(8)(x)
g = layers.Dense(8)(x)
out = layers.Dense(1)(Gate()([h, g]))
model = keras.Model(x, out)
`);
  assertHonest(json, 'gate');
  const m = json.models[0];
  // Both Dense(8) on 16 inputs: 16·8 + 8 = 136 each.
  assert.deepEqual(m.layers.filter((l) => l.className === 'Dense').slice(0, 2).map((l) => l.params), [136, 136]);
});

test("Dense(units, activation=PReLU()): Keras counts the activation layer's weights in the row", async () => {
  const { json } = await analyze(`
import keras
from keras import layers
model = keras.Sequential([keras.Input((4,)), layers.Dense(125, activation=layers.PReLU())])
`);
  // 4·125 + 125 = 625 for the kernel and bias, + 125 PReLU alphas (one per unit) = 750.
  assert.deepEqual(json.models[0].layers.map((l) => l.params), [750]);
});

test('RNN with a custom cell on nested inputs: no arity or rank error', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class NestedCell(layers.Layer):
    pass

a = keras.Input((None, 10))
b = keras.Input((None, 5, 6))
out = layers.RNN(NestedCell())((a, b))
model = keras.Model([a, b], out)
`);
  assertHonest(json, 'nested rnn');
});

test('tfjs: an input size read from data is ? (not None), and no "should be defined" error', async () => {
  const { json } = await analyzeJs(`
import * as tf from '@tensorflow/tfjs';
import { loadData } from './data';
const data = loadData();
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [data.numFeatures], units: 1 }));
`);
  assertHonest(json, 'tfjs numFeatures');
  assert.deepEqual(json.models[0].layers.map((l) => [l.outputShape, l.params]), [[[null, 1], '?']]);
});

test("tfjs: embedding inputLength is tfjs' own argument, not Keras 3's deprecated one", async () => {
  const { json } = await analyzeJs(`
import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.embedding({ inputDim: 100, outputDim: 8, inputLength: 20 }));
`);
  assert.deepEqual([...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)].map((d) => d.code), []);
  // 100·8 = 800; (None, 20) → (None, 20, 8).
  assert.deepEqual(json.models[0].layers.map((l) => [l.outputShape, l.params]), [[[null, 20, 8], 800]]);
});

test('a list filled by a loop Shape Lens cannot run is unknown, not empty: no units=0 error', async () => {
  const { json } = await analyze(`
import os
import keras
from keras import layers
class_names = []
for d in sorted(os.listdir("data")):
    class_names.append(d)
model = keras.Sequential([keras.Input((16,)), layers.Dense(len(class_names))])
`);
  assertHonest(json, 'listdir classes');
  // Dense(?) on 16 inputs: (None, ?), 16·? + ? unknown.
  assert.deepEqual(json.models[0].layers.map((l) => [l.outputShape, l.params]), [[[null, '?'], '?']]);
});

test('layers added in a loop Shape Lens cannot run: the total is ?, what follows starts from ?, and it says why once', async () => {
  const { json } = await analyze(`
import keras
from keras import layers
from config import load
model = keras.Sequential([keras.Input((4,)), layers.Dense(8)])
for units in load()["hidden"]:
    model.add(layers.Dense(units))
model.add(layers.Dense(1))
`);
  assertHonest(json, 'loop adds');
  const m = json.models[0];
  // Dense(8) on 4 inputs: 4·8 + 8 = 40, known; the last Dense's input is whatever the loop left.
  assert.deepEqual(m.layers.map((l) => [l.outputShape, l.params]), [[[null, 8], 40], ['?', '?']]);
  assert.equal(m.totalParams, '?');
  assert.match(m.unknownWhy ?? '', /loop at line 6/);
  const infos = [...json.diagnostics, ...m.diagnostics].filter((d) => d.code === 'unknown-loop');
  assert.equal(infos.length, 1);
});

test('loops that build nothing (plotting, clean-up) produce nothing', async () => {
  const { json } = await analyze(`
import os
import matplotlib.pyplot as plt
import keras
from keras import layers
model = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
history = model.fit(x, y)
for key in history.history:
    plt.plot(history.history[key])
for f in os.listdir("checkpoints"):
    os.remove(f)
while not done():
    step()
`);
  assert.deepEqual([...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)], []);
  assert.equal(json.models[0].totalParams, 10);
});

test('tfjs: a class that fills an array in a loop over file text: its size is ? (not 0), no error', async () => {
  const { json } = await analyzeJs(`
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
class TextData {
  constructor(text) {
    this.chars = [];
    for (const c of text) if (this.chars.indexOf(c) === -1) this.chars.push(c);
  }
  size() { return this.chars.length; }
}
const data = new TextData(fs.readFileSync('corpus.txt', 'utf8'));
const model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [10], units: data.size() }));
`);
  assertHonest(json, 'tfjs chars');
  assert.deepEqual(json.models[0].layers.map((l) => [l.outputShape, l.params]), [[[null, '?'], '?']]);
});

test('tfjs: a builder nothing calls gets unknown options (not undefined); a custom layer output makes the total ?, never 0', async () => {
  const { json } = await analyzeJs(`
import * as tf from '@tensorflow/tfjs';
class Sampler extends tf.layers.Layer {
  computeOutputShape(s) { return s[0]; }
  call(inputs) { return inputs[0]; }
}
export function encoder(opts) {
  const { originalDim, latentDim } = opts;
  const inputs = tf.input({ shape: [originalDim] });
  const mean = tf.layers.dense({ units: latentDim }).apply(inputs);
  const logVar = tf.layers.dense({ units: latentDim }).apply(inputs);
  const z = new Sampler({}).apply([mean, logVar]);
  return tf.model({ inputs, outputs: [mean, logVar, z], name: 'encoder' });
}
`, {}, 'model.js');
  assertHonest(json, 'tfjs encoder');
  const m = json.models.find((x) => x.name === 'encoder')!;
  assert.deepEqual(m.layers.map((l) => l.className), ['InputLayer', 'Dense', 'Dense']);
  assert.equal(m.totalParams, '?');
  assert.match(m.unknownWhy ?? '', /outputs/);
});

test('LSTM(...)(x, initial_state=[h, c]): the encoder stays in the model (Keras prints 258,698)', async () => {
  const { json } = await analyze(`
import keras
from keras import layers
enc_in = layers.Input(shape=(None,))
enc_emb = layers.Embedding(input_dim=1000, output_dim=64)(enc_in)
out, h, c = layers.LSTM(64, return_state=True, name="encoder")(enc_emb)
dec_in = layers.Input(shape=(None,))
dec_emb = layers.Embedding(input_dim=2000, output_dim=64)(dec_in)
dec_out = layers.LSTM(64, name="decoder")(dec_emb, initial_state=[h, c])
model = keras.Model([enc_in, dec_in], layers.Dense(10)(dec_out))
`);
  assertHonest(json, 'initial_state');
  const m = json.models[0];
  // Embeddings 1000·64 = 64,000 and 2000·64 = 128,000; each LSTM 4·(64·64 + 64·64 + 64) = 33,024; Dense 64·10 + 10 = 650.
  assert.deepEqual(m.layers.map((l) => l.name), ['input_layer', 'input_layer_1', 'embedding', 'embedding_1', 'encoder', 'decoder', 'dense']);
  assert.equal(m.totalParams, 64000 + 128000 + 33024 * 2 + 650);
});

test('a custom layer called with two positional tensors keeps the layers behind the second one', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class LossEndpoint(layers.Layer):
    def call(self, y_true, y_pred):
        self.add_loss(keras.ops.mean(y_true - y_pred))
        return y_pred

image = layers.Input(shape=(8,), name="image")
labels = layers.Input(shape=(4,), name="label")
x = layers.Dense(4, name="features")(image)
out = LossEndpoint(name="loss")(labels, x)
model = keras.Model([image, labels], out)
`);
  assertHonest(json, 'two positional');
  const m = json.models[0];
  assert.ok(m.layers.some((l) => l.name === 'features'), JSON.stringify(m.layers.map((l) => l.name)));
  assert.ok(m.layers.some((l) => l.name === 'image'));
});

test('tfjs: a callback given to code Shape Lens cannot follow gets unknown arguments, not undefined (no false None error)', async () => {
  const { json } = await analyzeJs(`
const tf = require('@tensorflow/tfjs');
import('./data.js').then((exports) => {
  const { FLAT_SIZE } = exports;
  const input = tf.input({ shape: [FLAT_SIZE] });
  const out = tf.layers.dense({ units: 4 }).apply(input);
  const model = tf.model({ inputs: input, outputs: out, name: 'enc' });
});
`, {}, 'train.js');
  assertHonest(json, 'then callback');
  const m = json.models.find((x) => x.name === 'enc')!;
  // Dense(4) on (None, ?): (None, 4) with ?·4 + 4 weights.
  assert.deepEqual(m.layers.map((l) => [l.outputShape, l.params]), [[[null, '?'], 0], [[null, 4], '?']]);
});

test('an if Shape Lens cannot decide: models that depend on it have unknown totals and say why; checks that only raise and __main__ guards are not assumptions', async () => {
  const { json } = await analyze(`
import keras
from keras import layers
from config import USE_BN, WIDE

def check(weights):
    if weights not in {"imagenet", None}:
        raise ValueError("bad weights")

inp = keras.Input((32, 32, 3))
x = layers.Conv2D(8, 3)(inp)
if USE_BN:
    x = layers.BatchNormalization()(x)
if WIDE:
    units = 64
else:
    units = 16
out = layers.Dense(units)(layers.Flatten()(x))
model = keras.Model(inp, out, name="m")

def main():
    return keras.Sequential([keras.Input((4,)), layers.Dense(2)], name="plain")

if __name__ == "__main__":
    main()
`);
  assertHonest(json, 'undecidable if');
  const m = json.models.find((x) => x.name === 'm')!;
  assert.equal(m.totalParams, '?');
  assert.match(m.unknownWhy ?? '', /condition at line 12/);
  // units is 64 or 16: unknown, so the Dense row is (None, ?) and ?, not the first branch's 64.
  assert.deepEqual(m.layers.find((l) => l.className === 'Dense')?.outputShape, [null, '?']);
  // Dense(2) on 4 inputs: 4·2 + 2 = 10, in a function run under `if __name__ == "__main__"`.
  assert.equal(json.models.find((x) => x.name === 'plain')?.totalParams, 10);
  const infos = [...json.diagnostics, ...json.models.flatMap((x) => x.diagnostics)].filter((d) => d.code === 'unknown-condition');
  assert.deepEqual(infos.map((d) => d.line), [12]);
});

test('tfjs: an if Shape Lens cannot decide makes the model it adds to incomplete (total ?), with why', async () => {
  const { json } = await analyzeJs(`
import * as tf from '@tensorflow/tfjs';
import { settings } from './settings';
const model = tf.sequential({ name: 'net' });
model.add(tf.layers.dense({ inputShape: [4], units: 8 }));
if (settings.dropout) model.add(tf.layers.dropout({ rate: 0.5 }));
model.add(tf.layers.dense({ units: 1 }));
`);
  assertHonest(json, 'tfjs if');
  const m = json.models[0];
  assert.equal(m.totalParams, '?');
  assert.match(m.unknownWhy ?? '', /condition on line 6/);
});

test('a Sequential block built by a call on an input Shape Lens cannot follow: its total is ?, never 0', async () => {
  const { json } = await analyze(`
import keras
from keras import layers
from blocks import Mystery

block = keras.Sequential([layers.LayerNormalization(), layers.Conv2D(8, 2, strides=2)], name="down")
inp = keras.Input((32, 32, 3))
x = Mystery()(inp)
x = block(x)
model = keras.Model(inp, x, name="net")
`);
  assertHonest(json, 'nested sequential on unknown');
  assert.equal(json.models.find((m) => m.name === 'down')?.totalParams, '?');
  assert.equal(json.models.find((m) => m.name === 'net')?.totalParams, '?');
});

test('one warning per cause: a Lambda in a helper called five times is one lambda-shape warning', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

def block(x):
    return layers.Lambda(lambda t: mystery(t))(x)

x = inp = keras.Input((4,))
for _ in range(5):
    x = block(x)
model = keras.Model(inp, x)
`);
  const lambdas = [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)].filter((d) => d.code === 'lambda-shape');
  assert.equal(lambdas.length, 1);
  assert.equal(json.models[0].layers.filter((l) => l.className === 'Lambda').length, 5);
});

test('a custom layer that makes its own weights (add_weight / Variable): its params are ?, never 0', async () => {
  const { json } = await analyze(`
import keras
import tensorflow as tf
from keras import layers

class Codebook(layers.Layer):
    def __init__(self, n, dim, **kwargs):
        super().__init__(**kwargs)
        self.embeddings = tf.Variable(tf.random.uniform((dim, n)), trainable=True)
    def call(self, x):
        return x + 0.0

inp = keras.Input((7, 7, 16))
out = Codebook(64, 16, name="codebook")(inp)
model = keras.Model(inp, out)
`);
  assertHonest(json, 'own weights');
  const m = json.models.find((x) => x.name === 'model')!;
  assert.equal(m.layers.find((l) => l.name === 'codebook')?.params, '?');
  assert.equal(m.totalParams, '?');
});

test('isinstance(layer, keras class) while rebuilding a Sequential: MC Dropout replaces each Dropout (handson-ml 11)', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class MCDropout(layers.Dropout):
    def call(self, inputs, training=None):
        return super().call(inputs, training=True)

model = keras.Sequential([
    keras.Input((28, 28)),
    layers.Flatten(),
    layers.Dropout(rate=0.2),
    layers.Dense(100, activation="relu"),
    layers.Dropout(rate=0.2),
    layers.Dense(10, activation="softmax"),
], name="base")
Dropout = layers.Dropout
mc_model = keras.Sequential([keras.Input((28, 28))] + [
    MCDropout(layer.rate) if isinstance(layer, Dropout) else layer
    for layer in model.layers
], name="mc")
checks = [isinstance(model.layers[0], layers.Layer), isinstance(model.layers[0], layers.Dense), isinstance(model, keras.Sequential), isinstance(3, layers.Layer)]
probe = keras.Sequential([keras.Input((4,))] + [layers.Dense(1) for ok in checks if ok], name="probe")
`);
  const mc = json.models.find((m) => m.name === 'mc')!;
  // Before: isinstance was unknown, the MCDropout rows were missing. 784·100 + 100 = 78,500; 100·10 + 10 = 1,010.
  assert.deepEqual(mc.layers.map((l) => [l.name, l.className, l.outputShape, l.params]), [
    ['flatten', 'Flatten', [null, 784], 0],
    ['mc_dropout', 'MCDropout', [null, 784], 0],
    ['dense', 'Dense', [null, 100], 78500],
    ['mc_dropout_1', 'MCDropout', [null, 100], 0],
    ['dense_1', 'Dense', [null, 10], 1010],
  ]);
  assert.equal(mc.totalParams, 79510);
  // Flatten is a Layer (True), not a Dense (False); the model is a Sequential (True); 3 is no Layer (False): two Dense(1).
  assert.equal(json.models.find((m) => m.name === 'probe')!.layers.length, 2);
});
