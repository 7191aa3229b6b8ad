// "A number shown is a number Keras would print": Keras' None and "unknown to Shape Lens" (`?`)
// stay apart through the core, the JSON report and the printed summary; unknown never becomes 0,
// None, a dropped layer or an error. Expected figures are worked out by hand beside each case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './helpers/python';
import { analyzeJs } from './helpers/tfjs';
import { evaluateLayer } from '../../src/core/layers/evaluate';
import { UNKNOWN } from '../../src/core/config';
import { formatShape } from '../../src/core/shape';
import { formatSummary, formatUnknownNotes } from '../../src/core/summary';
import type { JsonModel } from '../../src/core/analysis';

const errors = (json: { diagnostics: { severity: string }[]; models: { diagnostics: { severity: string }[] }[] }) =>
  [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)].filter((d) => d.severity === 'error');
const rows = (m: JsonModel) => m.layers.map((l) => [l.name, l.outputShape, l.params]);

test('a dim unknown to the analysis prints ? and None prints None', () => {
  assert.equal(formatShape([null, '?', 32]), '(None, ?, 32)');
  assert.equal(formatShape(null), '?');
});

test('rules on unknown input dims: what does not depend on them is exact', () => {
  // Conv2D(32, 3) on (None, ?, ?, 3): the sizes are unknown, the weights are not: 3·3·3·32 + 32 = 896.
  const conv = evaluateLayer('Conv2D', { filters: 32, kernel_size: 3 }, [[null, '?', '?', 3]]);
  assert.deepEqual(conv.output, [null, '?', '?', 32]);
  assert.equal(conv.params.trainable, 896);
  assert.deepEqual(conv.problems, []);
  // Dense(10) on (None, ?): its output is known, its weights (?·10 + 10) are not — and no
  // "last dimension should be defined" error: the size exists, Shape Lens just cannot see it.
  const dense = evaluateLayer('Dense', { units: 10 }, [[null, '?']]);
  assert.deepEqual(dense.output, [null, 10]);
  assert.equal(dense.params.trainable, null);
  assert.deepEqual(dense.problems, []);
  // MaxPooling2D on (None, ?, 4, 3): only the unknown axis stays unknown.
  assert.deepEqual(evaluateLayer('MaxPooling2D', {}, [[null, '?', 4, 3]]).output, [null, '?', 2, 3]);
  // Flatten of (None, ?, 4, 3) is (None, ?), not (None, None).
  assert.deepEqual(evaluateLayer('Flatten', {}, [[null, '?', 4, 3]]).output, [null, '?']);
});

test("Keras' own None still raises where Keras raises", () => {
  // Dense on (None, None): Keras 3 raises "The last dimension of the inputs to a Dense layer should be defined".
  const r = evaluateLayer('Dense', { units: 10 }, [[null, null]]);
  assert.ok(r.problems.some((p) => p.severity === 'error'), JSON.stringify(r.problems));
});

test('an error that holds whatever the unknown value is, is reported', () => {
  // Conv2D(8, 5) on (None, ?, 3, 1): the width 3 < 5 fails for any height.
  const r = evaluateLayer('Conv2D', { filters: 8, kernel_size: 5 }, [[null, '?', 3, 1]]);
  assert.ok(r.problems.some((p) => p.code === 'negative-dimension' && p.severity === 'error'), JSON.stringify(r.problems));
  // ...but an unknown kernel size on a small map is not an error: it may well fit.
  const k = evaluateLayer('Conv2D', { filters: 8, kernel_size: UNKNOWN }, [[null, 3, 3, 1]]);
  assert.deepEqual(k.problems, []);
});

test('a size from data is ? through the model, the total is ?, and nothing is an error', async () => {
  const { json } = await analyze(`
import keras
from keras import layers
from data import load

x_train = load()
inp = keras.Input(shape=(x_train.shape[1],))
h = layers.Dense(64, activation="relu")(inp)
out = layers.Dense(10)(h)
model = keras.Model(inp, out)
`);
  const m = json.models[0];
  // Dense(64) on (None, ?): (None, 64), ?·64 + 64 unknown; Dense(10) on (None, 64): 64·10 + 10 = 650.
  assert.deepEqual(rows(m), [
    ['input_layer', [null, '?'], 0],
    ['dense', [null, 64], '?'],
    ['dense_1', [null, 10], 650],
  ]);
  assert.equal(m.totalParams, '?');
  assert.equal(m.trainableParams, '?');
  assert.deepEqual(errors(json), []);
});

test('unknown settings: ? where they matter, never None, never 0', async () => {
  const { json } = await analyze(`
import keras
from keras import layers
from config import FILTERS

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(FILTERS, 3),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(10),
])
`);
  const m = json.models[0];
  // Conv2D(?, 3) on 28×28×1: (None, 26, 26, ?); pool: (None, 13, 13, ?); flatten 13·13·? = ?.
  assert.deepEqual(rows(m), [
    ['conv2d', [null, 26, 26, '?'], '?'],
    ['max_pooling2d', [null, 13, 13, '?'], 0],
    ['flatten', [null, '?'], 0],
    ['dense', [null, 10], '?'],
  ]);
  assert.equal(m.totalParams, '?');
  assert.deepEqual(errors(json), []);
  assert.match(m.layers[0].unknownWhy ?? '', /`filters` of conv2d/);
  assert.match(m.layers[3].unknownWhy ?? '', /`filters` of conv2d/);
});

test('Lambda and custom layers called on two tensors: no arity error, no dropped layer, the function followed', async () => {
  const { json } = await analyze(`
import keras
from keras import layers, ops

def euclidean_distance(vects):
    x, y = vects
    return ops.sqrt(ops.sum(ops.square(x - y), axis=1, keepdims=True))

a = keras.Input(shape=(28, 28, 1))
b = keras.Input(shape=(28, 28, 1))
tower = keras.Sequential([layers.Conv2D(4, 3), layers.Flatten()])
ta = tower(a)
tb = tower(b)
d = layers.Lambda(euclidean_distance)([ta, tb])
out = layers.Dense(1, activation="sigmoid")(d)
model = keras.Model([a, b], out)
`);
  const m = json.models.find((x) => x.name === 'model')!;
  assert.deepEqual(errors(json), []);
  assert.deepEqual(m.layers.map((l) => l.className), ['InputLayer', 'InputLayer', 'Sequential', 'Lambda', 'Dense']);
  // The tower: Conv2D(4, 3) on 28×28×1 = 3·3·1·4 + 4 = 40 params; Flatten 26·26·4 = 2704.
  assert.deepEqual(m.layers[2].outputShape, [null, 2704]);
  assert.equal(m.layers[2].params, 40);
  // The Lambda's function is followed: sqrt(sum(square(x - y), axis=1, keepdims=True)) is (None, 1);
  // Dense(1) on it 1·1 + 1 = 2 → 42.
  assert.deepEqual(m.layers[3].outputShape, [null, 1]);
  assert.equal(m.totalParams, 42);
});

test('a custom layer with two inputs keeps the layers before it and makes the total ?', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

class Fuse(layers.Layer):
    pass

q = keras.Input(shape=(10, 8))
v = keras.Input(shape=(10, 8))
enc = layers.LSTM(16, return_sequences=True)(q)
fused = Fuse()([enc, v])
out = layers.Dense(3)(fused)
model = keras.Model([q, v], out)
`);
  const m = json.models[0];
  assert.deepEqual(errors(json), []);
  // LSTM(16) on 8 features: 4·(8·16 + 16·16 + 16) = 1,600.
  const lstm = m.layers.find((l) => l.className === 'LSTM');
  assert.deepEqual([lstm?.outputShape, lstm?.params], [[null, 10, 16], 1600]);
  assert.ok(m.layers.some((l) => l.className === 'Fuse'));
  assert.equal(m.totalParams, '?');
});

test('the printed summary says what each ? stands for and how much is known', async () => {
  const { json, analysis } = await analyze(`
import keras
from keras import layers
from config import UNITS
model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(UNITS), layers.Dense(2, name="head")])
`);
  const s = analysis.models[0];
  assert.equal(json.models[0].totalParams, '?');
  const text = formatSummary(s);
  assert.match(text, /dense \(Dense\)[│\s]+\(None, \?\)[│\s]+\?/);
  assert.match(text, /Total params: \? \(\?\)/);
  // head: Dense(2) on (None, ?) has ?·2 + 2 weights: unknown too, so nothing is known for sure.
  const notes = formatUnknownNotes(s).join('\n');
  assert.match(notes, /not known to Shape Lens \(not Keras' None\)/);
  assert.match(notes, /\? dense: `units` of dense is not a value Shape Lens could follow/);
  assert.match(notes, /\? head: `units` of dense/);
  assert.match(notes, /at least 0 \+ unknown/);
});

test('tfjs: a switch on an unknown value runs the first case that does not throw, marks it assumed, and drops no layer', async () => {
  // Modelled on tfjs-examples' addition-rnn: the RNN type comes from the UI. Before, no case ran,
  // the first layer was lost and the model printed Total params 0.
  const { json } = await analyzeJs(`
import * as tf from '@tensorflow/tfjs';
export function make(rnnType: string) {
  const model = tf.sequential();
  switch (rnnType) {
    case 'Bad':
      throw new Error('no');
    case 'GRU':
      model.add(tf.layers.gru({ units: 16, inputShape: [7, 12] }));
      break;
    case 'LSTM':
      model.add(tf.layers.lstm({ units: 16, inputShape: [7, 12] }));
      break;
    default:
      throw new Error('unsupported');
  }
  model.add(tf.layers.dense({ units: 3 }));
  return model;
}
`);
  const m = json.models.find((x) => x.name === 'make');
  assert.ok(m, JSON.stringify(json.models.map((x) => x.name)));
  // GRU (tfjs resetAfter false): 3·(12·16 + 16·16 + 16) = 1,392. What follows an assumed layer in
  // a Sequential is not certain (another case could add another shape): ?, not dropped.
  assert.deepEqual(rows(m).map(([n, s, p]) => [String(n).replace(/\d+$/, ''), s, p]), [
    ['gru_GRU', [null, 16], 1392],
    ['dense_Dense', '?', '?'],
  ]);
  // The other case would have given an LSTM (1,856): the total is not certain.
  assert.equal(m.totalParams, '?');
  const infos = [...json.diagnostics, ...m.diagnostics].filter((d) => d.code === 'unknown-condition');
  assert.ok(infos.some((d) => /switch on line 5 .*assumed case 'GRU'/.test(d.message)), JSON.stringify(infos));
});

test('Python match: decided like Python where it can be, assumed (never skipped) where it cannot', async () => {
  const src = (subject: string) => `
import sys
import keras
from keras import layers
from enum import Enum
class Size(Enum):
    SMALL = "small"
kind = ${subject}
model = keras.Sequential([keras.Input((8,))], name="m")
match kind:
    case "bad":
        raise ValueError(kind)
    case "small" | "tiny":
        model.add(layers.Dense(4))
    case width if width == 64:
        model.add(layers.Dense(64))
    case _:
        raise ValueError(kind)
model.add(layers.Dense(1))
`;
  const rowsOf = async (subject: string) => {
    const { json } = await analyze(src(subject));
    const m = json.models.find((x) => x.name === 'm')!;
    return { rows: rows(m), total: m.totalParams, json };
  };
  // "tiny" takes the | pattern: Dense(4) 8·4 + 4 = 36, then Dense(1) 4 + 1 = 5.
  const tiny = await rowsOf('"tiny"');
  assert.deepEqual([tiny.rows, tiny.total], [[['dense', [null, 4], 36], ['dense_1', [null, 1], 5]], 41]);
  // 64 falls to the capture with a guard: Dense(64) 8·64 + 64 = 576, Dense(1) 64 + 1 = 65.
  const wide = await rowsOf('64');
  assert.deepEqual([wide.rows, wide.total], [[['dense', [null, 64], 576], ['dense_1', [null, 1], 65]], 641]);
  // From argv: never a model without its middle layer (before: Dense(1) alone, Total params 9).
  const unknownKind = await rowsOf('sys.argv[1]');
  assert.deepEqual(unknownKind.rows, [['dense', [null, 4], 36], ['dense_1', '?', '?']]);
  assert.equal(unknownKind.total, '?');
  assert.ok(unknownKind.json.models.flatMap((m) => m.diagnostics).concat(unknownKind.json.diagnostics).some((d) => d.code === 'unknown-condition' && /assumed `case "small" \| "tiny"`/.test(d.message)));
  assert.deepEqual(errors(unknownKind.json), []);
});

test('a conditional expression Shape Lens cannot decide keeps the layers of the branch it assumes', async () => {
  const { json } = await analyze(`
import sys
import keras
from keras import layers
flag = sys.argv[1] == "x"
inp = keras.Input((8,))
x = layers.Dense(4)(inp) if flag else layers.Dense(16)(inp)
out = layers.Dense(1, activation="sigmoid" if flag else None)(x)
model = keras.Model(inp, out, name="m")
`);
  const m = json.models.find((x) => x.name === 'm')!;
  // Before: x was unknown and Dense(4) was missing from the model. 8·4 + 4 = 36; 4 + 1 = 5.
  assert.deepEqual(rows(m), [['input_layer', [null, 8], 0], ['dense', [null, 4], 36], ['dense_1', [null, 1], 5]]);
  assert.equal(m.totalParams, '?');
  assert.deepEqual(errors(json), []);
});

test('a layer of another library that declares input_shape builds its Sequential: ?, never Total params 0', async () => {
  // handson-ml2 / t81_558: hub.KerasLayer(url, input_shape=[], dtype=tf.string) first in a Sequential.
  // Keras builds the model (48,191,433 params in the notebook); before, Shape Lens showed it unbuilt, 0.
  const { json } = await analyze(`
import tensorflow as tf
import tensorflow_hub as hub
from tensorflow import keras
model = keras.Sequential([
    hub.KerasLayer("https://tfhub.dev/google/nnlm-en-dim50/2", dtype=tf.string, input_shape=[]),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
], name="m")
`);
  const m = json.models.find((x) => x.name === 'm')!;
  assert.deepEqual(rows(m), [['keras_layer', '?', '?'], ['dense', '?', '?'], ['dense_1', '?', '?']]);
  assert.equal(m.totalParams, '?');
  assert.ok(!json.diagnostics.concat(m.diagnostics).some((d) => d.code === 'unbuilt-model'));
});
