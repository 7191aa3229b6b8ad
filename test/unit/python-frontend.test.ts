// The Python front end on small snippets, one language or Keras API feature each. Expected
// figures are worked out by hand (formula beside each) — never copied from the analyser's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './helpers/python';
import type { JsonModel } from '../../src/core/analysis';

async function models(src: string, others: Record<string, string> = {}): Promise<JsonModel[]> {
  return (await analyze(src, others)).json.models;
}
async function only(src: string, others: Record<string, string> = {}): Promise<JsonModel> {
  const ms = await models(src, others);
  assert.equal(ms.length, 1, `expected one model, got ${ms.map((m) => m.name).join(', ')}`);
  return ms[0];
}
const shapes = (m: JsonModel) => m.layers.map((l) => l.outputShape);
const params = (m: JsonModel) => m.layers.map((l) => l.params);

// Conv2D(8, 3) on (10, 10, 1): (None, 8, 8, 8), 3·3·1·8 + 8 = 80 params.
const IMPORT_SPELLINGS: [string, string][] = [
  ['import tensorflow as tf', 'tf.keras.Sequential([tf.keras.layers.Conv2D(8, 3, input_shape=(10, 10, 1))])'],
  ['from tensorflow import keras', 'keras.Sequential([keras.layers.Conv2D(8, 3, input_shape=(10, 10, 1))])'],
  ['from tensorflow.keras import layers, models', 'models.Sequential([layers.Conv2D(8, 3, input_shape=(10, 10, 1))])'],
  ['import keras', 'keras.Sequential([keras.layers.Conv2D(8, 3, input_shape=(10, 10, 1))])'],
  ['from keras.layers import Conv2D as C\nfrom keras.models import Sequential', 'Sequential([C(8, 3, input_shape=(10, 10, 1))])'],
  ['from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import *', 'Sequential([Conv2D(8, 3, input_shape=(10, 10, 1))])'],
  ['import tensorflow.keras as K', 'K.Sequential([K.layers.Conv2D(8, 3, input_shape=(10, 10, 1))])'],
  ['import keras\nlayers = make_layers_module()', 'keras.Sequential([layers.Conv2D(8, 3, input_shape=(10, 10, 1))])'],
];
for (const [imports, body] of IMPORT_SPELLINGS) {
  test(`import spelling: ${imports.replace(/\n/g, ' / ')}`, async () => {
    const m = await only(`${imports}\nmodel = ${body}\n`);
    assert.deepEqual(shapes(m), [[null, 8, 8, 8]]);
    assert.deepEqual(params(m), [80]);
    assert.equal(m.name, 'model');
  });
}

test('Sequential().add with Input, input_dim and batch_input_shape', async () => {
  const ms = await models(`
from tensorflow import keras
from tensorflow.keras import layers
a = keras.Sequential()
a.add(keras.Input(shape=(8,)))
a.add(layers.Dense(4))
b = keras.Sequential([layers.Dense(4, input_dim=8)])
c = keras.Sequential([layers.Dense(4, batch_input_shape=(32, 8))])
`);
  // Dense 8→4: 8·4 + 4 = 36
  assert.deepEqual(ms.map((m) => [m.name, m.layers.length, m.outputShape, m.totalParams]), [
    ['a', 1, [null, 4], 36],
    ['b', 1, [null, 4], 36],
    ['c', 1, [32, 4], 36],
  ]);
});

test('functional API: several inputs and outputs, a shared layer counted once', async () => {
  const m = await only(`
import keras
from keras import layers as L
a = keras.Input(shape=(16,), name="a")
b = keras.Input(shape=(16,), name="b")
shared = L.Dense(8)
merged = L.concatenate([shared(a), shared(b)])
out1 = L.Dense(1, name="score")(merged)
out2 = L.Dense(3, name="cls")(merged)
two = keras.Model(inputs=[a, b], outputs=[out1, out2], name="two_heads")
`);
  assert.equal(m.name, 'two_heads');
  assert.deepEqual(m.layers.map((l) => l.name), ['a', 'b', 'dense', 'concatenate', 'score', 'cls']);
  // shared Dense 16→8: 16·8 + 8 = 136 (once); score 16·1 + 1 = 17; cls 16·3 + 3 = 51
  assert.deepEqual(params(m), [0, 0, 136, 0, 17, 51]);
  assert.equal(m.totalParams, 136 + 17 + 51);
  assert.deepEqual(m.outputShape, [[null, 1], [null, 3]]);
});

test('nested model as a layer; trainable=False set afterwards moves its params to non-trainable', async () => {
  const ms = await models(`
import keras
from keras import layers
feat = keras.Sequential([layers.Conv2D(4, 3, input_shape=(10, 10, 1)), layers.Flatten()], name="features")
inp = keras.Input((10, 10, 1))
y = layers.Dense(5)(feat(inp))
outer = keras.Model(inp, y)
feat.trainable = False
`);
  const outer = ms.find((m) => m.name === 'outer')!;
  // Conv 3·3·1·4 + 4 = 40; flatten 8·8·4 = 256; Dense 256·5 + 5 = 1285
  assert.deepEqual(outer.layers.map((l) => [l.name, l.className, l.outputShape, l.params]), [
    ['input_layer_1', 'InputLayer', [null, 10, 10, 1], 0],
    ['features', 'Sequential', [null, 256], 40],
    ['dense', 'Dense', [null, 5], 1285],
  ]);
  assert.equal(outer.trainableParams, 1285);
  assert.equal(outer.nonTrainableParams, 40);
});

test('helper function in a loop over constants, f-string and % names, **kwargs, closures', async () => {
  const m = await only(`
from tensorflow import keras
from tensorflow.keras import layers
FILTERS = [8, 16]
COMMON = dict(padding="same", use_bias=False)

def make_act(kind):
    def act():
        return layers.Activation(kind)
    return act

relu = make_act("relu")

def conv_block(x, filters, *, idx, **kw):
    x = layers.Conv2D(filters, 3, name=f"conv_{idx}", **kw)(x)
    x = layers.BatchNormalization(name="bn_%d" % idx)(x)
    return relu()(x)

def build(input_shape=(16, 16, 3), classes=4):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for i, f in enumerate(FILTERS):
        x = conv_block(x, f, idx=i + 1, **COMMON)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(classes)(x))
`);
  assert.equal(m.name, 'build');
  assert.equal(m.function, 'build');
  assert.deepEqual(m.layers.map((l) => l.name), [
    'input_layer', 'conv_1', 'bn_1', 'activation', 'max_pooling2d', 'conv_2', 'bn_2', 'activation_1', 'max_pooling2d_1', 'flatten', 'dense',
  ]);
  // conv_1: 3·3·3·8 (no bias) = 216; bn_1: 4·8 = 32; conv_2: 3·3·8·16 = 1152; bn_2: 4·16 = 64;
  // 16→8→4 spatial; flatten 4·4·16 = 256; dense 256·4 + 4 = 1028
  assert.deepEqual(params(m), [0, 216, 32, 0, 0, 1152, 64, 0, 0, 0, 1028]);
  assert.deepEqual(m.layers[9].outputShape, [null, 256]);
  assert.equal(m.nonTrainableParams, 16 + 32); // BN moving mean+variance: 2·8 + 2·16
});

test('if / elif / else on known values and while with break', async () => {
  const m = await only(`
import keras
from keras import layers
MODE = "small"
if MODE == "large":
    width = 64
elif MODE == "small":
    width = 8
else:
    width = 1
model = keras.Sequential([keras.Input((4,))])
n = 0
while True:
    model.add(layers.Dense(width))
    n += 1
    if n >= 3:
        break
`);
  // 4→8: 40; 8→8: 72; 8→8: 72
  assert.deepEqual(params(m), [40, 72, 72]);
});

test('constants and helpers imported from other files (absolute and relative)', async () => {
  const m = await only(
    `
from tensorflow import keras
from config import IMG_SIZE, CHANNELS
from .blocks import conv_bn
inputs = keras.Input(shape=(IMG_SIZE, IMG_SIZE, CHANNELS))
x = conv_bn(inputs, 4)
model = keras.Model(inputs, x)
`,
    {
      'config.py': 'IMG_SIZE = 12\nCHANNELS = 2 + 1\n',
      'blocks.py': 'from tensorflow.keras import layers\n\ndef conv_bn(x, f, k=3):\n    x = layers.Conv2D(f, k)(x)\n    return layers.BatchNormalization()(x)\n',
    },
  );
  // Conv 3·3·3·4 + 4 = 112 on 12→10; BN 4·4 = 16
  assert.deepEqual(shapes(m).slice(1), [[null, 10, 10, 4], [null, 10, 10, 4]]);
  assert.deepEqual(params(m), [0, 112, 16]);
  // Layers created in another file point at the call site in this file.
  assert.equal(m.layers[1].line, 6);
});

test('subclassed models: build(), a shape comment, and no shape at all', async () => {
  const ms = await models(`
import keras
from keras import layers

class Net(keras.Model):
    def __init__(self, classes=3, **kwargs):
        super().__init__(name="net", **kwargs)
        self.conv = layers.Conv2D(4, 3)
        self.pool = layers.GlobalAveragePooling2D()
        self.head = layers.Dense(classes)

    def call(self, x, training=False):
        return self.head(self.pool(self.conv(x)))

net = Net()
net.build((None, 9, 9, 2))

# shape-lens: input_shape=(None, 6)
class Mlp(keras.Model):
    def __init__(self):
        super().__init__()
        self.d1 = layers.Dense(5)
        self.d2 = layers.Dense(1)
    def call(self, x):
        return self.d2(self.d1(x))

class NoShape(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = layers.Dense(2)
    def call(self, x):
        return self.d(x)
`);
  const net = ms.find((m) => m.name === 'net')!;
  // conv 3·3·2·4 + 4 = 76 → (None, 7, 7, 4); pool → (None, 4); head 4·3 + 3 = 15
  assert.deepEqual(net.layers.map((l) => [l.className, l.outputShape, l.params]), [
    ['Conv2D', [null, 7, 7, 4], 76],
    ['GlobalAveragePooling2D', [null, 4], 0],
    ['Dense', [null, 3], 15],
  ]);
  const mlp = ms.find((m) => m.name === 'mlp')!;
  assert.deepEqual(params(mlp), [35, 6]); // 6·5 + 5; 5·1 + 1
  const none = ms.find((m) => m.name === 'no_shape')!;
  assert.deepEqual(shapes(none), ['?']);
  assert.ok(none.diagnostics.some((d) => d.code === 'subclass-input-shape'));
});

test('model names: name= beats function name beats variable name', async () => {
  const ms = await models(`
import keras
from keras import layers
def make():
    m = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    return m
def make_named():
    return keras.Sequential([layers.Dense(1, input_shape=(2,))], name="given")
top = keras.Sequential([layers.Dense(1, input_shape=(2,))])
`);
  assert.deepEqual(ms.map((m) => [m.name, m.function]).sort(), [['given', 'make_named'], ['make', 'make'], ['top', null]].sort());
});

test('a builder calling other builders is analysed once (no duplicate sub-models)', async () => {
  const ms = await models(`
import keras
from keras import layers
def build_generator(z=4):
    return keras.Sequential([layers.Dense(8, input_shape=(z,))], name="generator")
def build_discriminator():
    return keras.Sequential([layers.Dense(1, input_shape=(8,))], name="discriminator")
def build_gan():
    g = build_generator()
    d = build_discriminator()
    z = keras.Input((4,))
    return keras.Model(z, d(g(z)), name="gan")
`);
  assert.deepEqual(ms.map((m) => m.name).sort(), ['discriminator', 'gan', 'generator']);
  const gan = ms.find((m) => m.name === 'gan')!;
  // generator 4·8 + 8 = 40; discriminator 8·1 + 1 = 9
  assert.equal(gan.totalParams, 49);
});

test('shape errors: negative dimension with the smallest input that fits, and a quick-fix hint', async () => {
  const { json, analysis } = await analyze(`
import keras
from keras import layers
model = keras.Sequential([
    layers.Conv2D(4, 3, input_shape=(2, 2, 1)),
    layers.Flatten(),
])
`);
  const d = json.models[0].diagnostics.find((x) => x.code === 'negative-dimension');
  assert.ok(d, JSON.stringify(json));
  assert.equal(d.severity, 'error');
  assert.match(d.message, /^Negative dimension size caused by subtracting 3 from 2/);
  assert.match(d.message, /3/);
  assert.equal(d.line, 5);
  const raw = analysis.diagnostics.find((x) => x.code === 'negative-dimension');
  assert.equal(raw?.fix?.arg, 'padding');
});

test('unknown layer classes and Lambda keep analysis going with unknown shapes', async () => {
  const { json } = await analyze(`
import keras
from keras import layers
from mylib import Fancy
inp = keras.Input((4,))
x = layers.Dense(3)(inp)
x = layers.Lambda(lambda t: mystery(t))(x)
y = layers.Lambda(lambda t: t, output_shape=(3,))(x)
z = layers.Dense(2)(layers.UnknownThing(5)(y))
model = keras.Model(inp, z)
`);
  const m = json.models[0];
  assert.deepEqual(m.layers.map((l) => [l.className, l.outputShape]), [
    ['InputLayer', [null, 4]],
    ['Dense', [null, 3]],
    ['Lambda', '?'],
    ['Lambda', [null, 3]],
    ['UnknownThing', '?'],
    ['Dense', '?'],
  ]);
  const codes = [...m.diagnostics, ...json.diagnostics].map((d) => d.code);
  assert.ok(codes.includes('unknown-layer'));
  assert.ok(codes.includes('lambda-shape'));
});

test('syntax errors: models before and after a broken line are still found', async () => {
  const { json } = await analyze(`
import keras
from keras import layers
first = keras.Sequential([layers.Dense(2, input_shape=(3,))])
broken = keras.Sequential([layers.Dense(
second = keras.Sequential([layers.Dense(5, input_shape=(3,))])
`);
  const names = json.models.map((m) => m.name);
  assert.ok(names.includes('first'), names.join());
  assert.ok(json.models.some((m) => m.totalParams === 20), JSON.stringify(names)); // 3·5 + 5
  assert.ok(json.diagnostics.some((d) => d.code === 'syntax'));
});

test('tensor shapes read back by code: x.shape[-1], int_shape, model.output_shape', async () => {
  const m = await only(`
import keras
from keras import layers, backend as K
inp = keras.Input((6, 6, 3))
x = layers.Conv2D(5, 1)(inp)
ch = x.shape[-1]
y = layers.Dense(ch * 2)(layers.Flatten()(x))
w = K.int_shape(y)[1]
out = layers.Dense(w // 5)(y)
model = keras.Model(inp, out)
`);
  // conv 1·1·3·5 + 5 = 20; flatten 6·6·5 = 180; dense 180·10 + 10 = 1810; dense 10·2 + 2 = 22
  assert.deepEqual(params(m), [0, 20, 0, 1810, 22]);
});

test('budgets: infinite loops and recursion end with a diagnostic', async () => {
  const { json } = await analyze(`
import keras
def f(x):
    return f(x)
f(1)
while True:
    pass
model = keras.Sequential([keras.layers.Dense(1, input_shape=(1,))])
`);
  const codes = json.diagnostics.map((d) => d.code);
  assert.ok(codes.includes('recursion'), codes.join());
  assert.ok(codes.includes('loop-budget'), codes.join());
  assert.equal(json.models.length, 1);
});

test('keras.applications: input_tensor, frozen base, Sequential with input_shape', async () => {
  const ms = await models(`
import tensorflow as tf
from tensorflow.keras.applications import *
inputs = tf.keras.Input(shape=(160, 160, 3))
base = MobileNetV2(input_tensor=inputs, include_top=False, weights="imagenet")
base.trainable = False
x = tf.keras.layers.GlobalAveragePooling2D()(base.output)
model = tf.keras.Model(inputs, tf.keras.layers.Dense(5)(x))
clf = tf.keras.Sequential([tf.keras.applications.ResNet50(include_top=False, input_shape=(224, 224, 3)), tf.keras.layers.Flatten()])
`);
  const m = ms.find((x) => x.name === 'model')!;
  // input_tensor=: Keras builds MobileNetV2's layers on `inputs` itself, so the model reaching
  // base.output through them lists them all (Keras' get_source_inputs): its Input, 153 layers
  // (154 without the top, less its own Input), the head. MobileNetV2 no-top: 2,257,984 params
  // (keras.io applications table minus the 1280·1000 + 1000 top); 160 px / 32 = 5; head Dense
  // 1280·5 + 5 = 6,405.
  assert.equal(m.layers.length, 1 + 153 + 2);
  assert.deepEqual(m.layers.slice(0, 2).map((l) => [l.name, l.className, l.outputShape, l.params]), [
    ['input_layer', 'InputLayer', [null, 160, 160, 3], 0],
    ['Conv1', 'Conv2D', [null, 80, 80, 32], 864],
  ]);
  assert.deepEqual(m.layers.slice(-3).map((l) => [l.name, l.className, l.outputShape, l.params]), [
    ['out_relu', 'ReLU', [null, 5, 5, 1280], 0],
    ['global_average_pooling2d', 'GlobalAveragePooling2D', [null, 1280], 0],
    ['dense', 'Dense', [null, 5], 6405],
  ]);
  assert.equal(m.totalParams, 2257984 + 6405);
  assert.equal(m.trainableParams, 6405);
  const clf = ms.find((x) => x.name === 'clf')!;
  // ResNet50 no-top: 23,587,712 of which 53,120 BatchNormalization moving statistics; 7·7·2048 = 100,352.
  assert.deepEqual(clf.layers.map((l) => l.outputShape), [[null, 7, 7, 2048], [null, 100352]]);
  assert.equal(clf.nonTrainableParams, 53120);
});

test('a Sequential without any input shape is unbuilt, as in Keras, with a hint', async () => {
  const m = await only('import keras\nm = keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(1)])\n');
  // Keras prints `?` and `0 (unbuilt)` for these rows too.
  assert.deepEqual(shapes(m), ['?', '?']);
  assert.equal(m.totalParams, 0);
  assert.ok(m.diagnostics.some((d) => d.code === 'unbuilt-model' && d.severity === 'info'));
});

test('a variable a loop was still changing when the budget stopped it is unknown afterwards', async () => {
  const { json } = await analyze(`
import keras
n = 0
while n < 10**9:
    n += 1
model = keras.Sequential([keras.layers.Dense(n, input_shape=(2,))])
`);
  const m = json.models[0];
  assert.deepEqual(m.layers.map((l) => [l.outputShape, l.params]), [[[null, '?'], '?']]);
  assert.ok(json.diagnostics.some((d) => d.code === 'loop-budget'));
});

test('a half-typed line: one information entry on that line only, every model kept', async () => {
  const src = `import keras
from keras import layers
a = keras.Sequential([keras.Input((8,)), layers.Dense(4)], name="a")
x = layers.Conv2D(64, kernel_size=(
b = keras.Sequential([keras.Input((4,)), layers.Dense(2)], name="b")
`;
  const { analysis, json } = await analyze(src);
  const syntax = analysis.diagnostics.filter((d) => d.code === 'syntax');
  // Python's extension reports the error; Shape Lens says once that it reads around it, and never
  // squiggles from there to the end of the file.
  assert.equal(syntax.length, 1);
  assert.equal(syntax[0].severity, 'info');
  const r = syntax[0].range!;
  assert.ok(!src.slice(r.start, r.end).includes('\n'), JSON.stringify(r));
  assert.deepEqual(analysis.diagnostics.filter((d) => d.severity !== 'info'), []);
  assert.deepEqual(json.models.map((m) => [m.name, m.totalParams]), [['a', 36], ['b', 10]]); // 8·4 + 4; 4·2 + 2
});

test('a layer half-typed inside Sequential([...]): the other rows stay, the total is ? until it parses, the note is on that line', async () => {
  const src = `import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.MaxPooling2D(2),
    layers.Conv2D(64, kernel_size=(
    layers.Flatten(),
    layers.Dense(10),
], name="convnet")
other = keras.Sequential([keras.Input((4,)), layers.Dense(2)], name="other")
`;
  const { analysis, json } = await analyze(src);
  // Before: the whole Sequential was one syntax error and no model was found (every hint blanked).
  const m = json.models.find((x) => x.name === 'convnet')!;
  assert.deepEqual(m.layers.map((l) => l.name), ['conv2d', 'max_pooling2d', 'flatten', 'dense']);
  assert.deepEqual(m.layers.slice(0, 2).map((l) => [l.outputShape, l.params]), [[[null, 26, 26, 32], 320], [[null, 13, 13, 32], 0]]);
  assert.equal(m.totalParams, '?');
  // A model that does not contain the line and does not read what it assigns stays exact: 4·2 + 2.
  assert.equal(json.models.find((x) => x.name === 'other')!.totalParams, 10);
  const syntax = analysis.diagnostics.filter((d) => d.code === 'syntax');
  assert.equal(syntax.length, 1);
  assert.equal(src.slice(0, syntax[0].range!.start).split('\n').length, 8);
});

test('a half-typed functional line: models built from the name it assigns have unknown totals', async () => {
  const { json } = await analyze(`import keras
from keras import layers
inp = keras.Input((8,))
x = layers.Dense(4)(inp)
x = layers.Dense(16, activation=
out = layers.Dense(1)(x)
m = keras.Model(inp, out, name="m")
`);
  const m = json.models.find((x) => x.name === 'm')!;
  assert.equal(m.totalParams, '?');
});
