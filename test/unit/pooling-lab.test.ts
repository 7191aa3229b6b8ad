// The Pooling lab (issue 12): the model without its pooling layers as Keras JSON (src/core/export.ts
// `withoutPoolingJson`, sent in the lab's target) built by @tensorflow/tfjs with the params the
// analysis gives (seed 002: 8,861 with pooling, 477,341 without); the faster CPU kernel for a
// Conv2D's kernel gradient against tfjs' own; and the training (webview/train.ts) in node:
// deterministic for a seed, the loss falling, the output adapted to 10 classes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import asset from 'shape-lens:digits';
import { analyze } from './helpers/python';
import { caseSeed, emitPython, mulberry32 as genRng, randomValidSpec } from './helpers/cnn-gen';
import { fixturesDir } from './helpers/paths';
import { decodeDigits } from '../../webview/digits';
import { conv2dBackpropFilterNHWC, registerFastKernels } from '../../webview/kernels';
import { seededJson } from '../../webview/model';
import { buildTrainable, disposeTrainable, mulberry32, observe, resizedJson, Run, shuffled, splitData, Stopped, trainBoth, type EpochResult, type TrainEvent, type TrainRequest } from '../../webview/train';
import { withoutPoolingJson, type KerasModelJson } from '../../src/core/export';
import { labTarget } from '../../src/panels/labTarget';
import { isLabTarget } from '../../src/protocol';
import type { ModelSummary } from '../../src/core/summary';

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

async function summariesOf(text: string, file = 'lab.py'): Promise<ModelSummary[]> {
  return (await analyze(text, {}, file)).analysis.models;
}
const fixture = (file: string) => fs.readFileSync(path.join(fixturesDir('python'), file), 'utf8');
const lineOf = () => null;

async function countParams(json: object): Promise<number> {
  const m = await tf.models.modelFromJSON(seededJson(json, 0) as never);
  const n = m.countParams();
  m.dispose();
  return n;
}

// ---------------------------------------------------------------------------------------------
// The model without its pooling layers

test('seed 002: the lab target carries the JSON without pooling; tfjs builds 8,861 params with pooling and 477,341 without (what Keras printed)', async () => {
  const [without, withPooling] = await summariesOf(fixture('seed_002_max_pooling.py'));
  const target = labTarget('k', withPooling, lineOf, 'keras');
  assert.ok(isLabTarget(target));
  assert.equal(target.preview.paramsWith, 8861);
  assert.equal(target.preview.paramsWithout, 477341);
  assert.ok(target.json && target.jsonWithoutPooling);
  assert.equal(await countParams(target.json), 8861);
  assert.equal(await countParams(target.jsonWithoutPooling), 477341);
  // The same layers as the article's model written without pooling (names aside).
  const layers = (j: object) => (j as KerasModelJson).config.layers.map((l) => [l.class_name, l.config.filters ?? l.config.units ?? null]);
  const other = labTarget('k2', without, lineOf, 'keras');
  assert.deepEqual(layers(target.jsonWithoutPooling), layers(other.json!));
  // A model without pooling layers has no second model.
  assert.equal(other.jsonWithoutPooling, undefined);
});

test('a Functional model: references to a pooling output go to its input (chains of pooling layers too); global pooling stays', async () => {
  const src = `import keras
from keras import layers
inp = keras.Input(shape=(24, 24, 3))
x = layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
p = layers.MaxPooling2D()(x)
q = layers.MaxPooling2D(1)(p)
y = layers.Conv2D(4, 1)(q)
z = layers.Add()([q, y])
g = layers.GlobalAveragePooling2D()(z)
out = layers.Dense(3)(g)
model = keras.Model(inp, out)
`;
  const [summary] = await summariesOf(src);
  const target = labTarget('k', summary, lineOf, 'keras');
  assert.ok(target.json && target.jsonWithoutPooling, JSON.stringify(target.skipped));
  const names = (target.jsonWithoutPooling as KerasModelJson).config.layers.map((l) => l.class_name);
  assert.ok(!names.includes('MaxPooling2D'), names.join());
  assert.ok(names.includes('GlobalAveragePooling2D'), 'global pooling stays');
  assert.equal(await countParams(target.json), summary.totalParams);
  assert.equal(await countParams(target.jsonWithoutPooling), target.preview.paramsWithout);
  // Built by tfjs: the Add now takes the conv output directly (24×24 instead of 12×12, then 12×12 → 12×12 with pool 1).
  const m = await tf.models.modelFromJSON(target.jsonWithoutPooling as never);
  assert.deepEqual(m.getLayer('add').outputShape, [null, 24, 24, 4]);
  m.dispose();
  // No pooling layer: no JSON.
  assert.equal(withoutPoolingJson({ class_name: 'Sequential', config: { name: 'm', layers: [] }, keras_version: '2.15.0', backend: 'tensorflow' }), null);
});

test('random CNNs (the corpus of pooling-core.test.ts): every JSON without pooling the lab gets builds in tfjs with the params the analysis gives without pooling', async () => {
  let built = 0;
  for (let i = 0; i < 60; i++) {
    const rng = genRng(caseSeed(0x9001, i));
    const { spec } = randomValidSpec(rng, `cnn_${i}`);
    const program = emitPython(spec, rng);
    const ms = (await analyze(program.main, program.files)).analysis.models;
    if (ms.length !== 1) continue;
    const target = labTarget('k', ms[0], lineOf, 'keras');
    if (!target.jsonWithoutPooling) {
      // None only when there is no pooling to take out, or its params without are unknown, or nothing was exported.
      assert.ok(target.preview.removed.length === 0 || target.preview.paramsWithout === null || !target.json, `case ${i}`);
      continue;
    }
    assert.equal(await countParams(target.jsonWithoutPooling), target.preview.paramsWithout, `case ${i} (${program.style})`);
    built++;
  }
  assert.ok(built >= 15, `only ${built} models without pooling built`);
});

// ---------------------------------------------------------------------------------------------
// The kernel gradient

test("the CPU kernel for a Conv2D's kernel gradient gives tfjs' own values (strides, same and valid padding)", async () => {
  const x = tf.randomUniform([3, 9, 8, 5], -1, 1, 'float32', 1);
  const w = tf.randomUniform([3, 2, 5, 4], -1, 1, 'float32', 2);
  const cases: [[number, number], 'same' | 'valid'][] = [[[1, 1], 'valid'], [[2, 1], 'same'], [[2, 3], 'valid'], [[3, 2], 'same']];
  const grad = (strides: [number, number], pad: 'same' | 'valid') => tf.grad((k: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, strides, pad).square().sum())(w);
  const before = cases.map(([s, p]) => grad(s, p).dataSync());
  registerFastKernels();
  cases.forEach(([s, p], i) => {
    const after = grad(s, p).dataSync();
    assert.equal(after.length, before[i].length);
    for (let j = 0; j < after.length; j++) assert.ok(Math.abs(after[j] - before[i][j]) <= 1e-5 * Math.max(1, Math.abs(before[i][j])), `${s} ${p} [${j}]: ${after[j]} vs ${before[i][j]}`);
  });
  // Worked by hand: one 2×2 input, a 1×1 kernel, dy all ones: dW = Σ x.
  const dw = conv2dBackpropFilterNHWC(Float32Array.from([1, 2, 3, 4]), [1, 2, 2, 1], Float32Array.from([1, 1, 1, 1]), [1, 2, 2, 1], [1, 1, 1, 1], [1, 1], { top: 0, left: 0 });
  assert.deepEqual(Array.from(dw), [10]);
});

// ---------------------------------------------------------------------------------------------
// Training

test('the seeded shuffle: a permutation, the same for a seed, another for another seed', () => {
  const a = shuffled(100, mulberry32(3));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(shuffled(100, mulberry32(3)), a);
  assert.notDeepEqual(shuffled(100, mulberry32(4)), a);
});

test('resizing the input of the JSON: the InputLayer takes the new size; tfjs rebuilds the rest (a Dense after Flatten gets other weights)', async () => {
  const [, withPooling] = await summariesOf(fixture('seed_002_max_pooling.py'));
  const target = labTarget('k', withPooling, lineOf, 'keras');
  const r = resizedJson(target.json!, { height: 56, width: 56, channels: 3 });
  assert.ok('json' in r);
  // 56 → 54 → 27 → 25 → 12 → 10 → 5: 5·5·10 = 250 → Dense(1): 251; convs 280 + 910 + 910.
  assert.equal(await countParams(r.json), 280 + 910 + 910 + 251);
  assert.ok('error' in resizedJson({ class_name: 'Functional', config: { layers: [], input_layers: [['a', 0, 0], ['b', 0, 0]] } }, { height: 1, width: 1, channels: 1 }));
});

async function train(json: object, seed: number, epochs: number, count = 120) {
  const tensors = tf.memory().numTensors;
  const t = await buildTrainable(json, seed);
  const run = new Run(t, splitData(decodeDigits(asset), count, 0.2), seed);
  const results: EpochResult[] = [];
  let pauses = 0;
  while (results.length < epochs) {
    const r = await run.step(async () => void pauses++);
    if (r) results.push(r);
  }
  const out = { t: { notes: t.notes, params: t.params, slice: t.slice }, results, batches: run.batches.map((b) => b.loss), pauses };
  run.dispose();
  disposeTrainable(t);
  assert.equal(tf.memory().numTensors, tensors, 'every tensor of the run is freed');
  return out;
}

test("seed 002's model trained on the digits: Dense(1, sigmoid) replaced by Dense(10, softmax) (said so); the same seed gives the same numbers, another seed others; the loss falls", async () => {
  const [, withPooling] = await summariesOf(fixture('seed_002_max_pooling.py'));
  const target = labTarget('k', withPooling, lineOf, 'keras');
  const small = resizedJson(target.json!, { height: 28, width: 28, channels: 3 });
  assert.ok('json' in small);
  const a = await train(small.json, 1, 3);
  assert.match(a.t.notes.join(), /dense_1 \(Dense\(1, sigmoid\)\) is replaced by Dense\(10, softmax\)/);
  // 28 → 26 → 13 → 11 → 5 → 3 → 1: 10 values → Dense(10): 110; convs 2,100.
  assert.equal(a.t.params, 280 + 910 + 910 + 110);
  const b = await train(small.json, 1, 3);
  assert.deepEqual(b.results.map((r) => [r.loss, r.accuracy, r.valLoss, r.valAccuracy]), a.results.map((r) => [r.loss, r.accuracy, r.valLoss, r.valAccuracy]));
  assert.deepEqual(b.batches, a.batches);
  const c = await train(small.json, 2, 1);
  assert.notEqual(c.results[0].loss, a.results[0].loss);
  // 96 training digits: 3 batches per epoch; 24 held out. Keras' mean loss, epoch by epoch.
  assert.equal(a.batches.length, 9);
  assert.ok(a.results[2].loss < a.results[0].loss, a.results.map((r) => r.loss).join());
  for (const r of a.results) for (const v of [r.loss, r.valLoss]) assert.ok(Number.isFinite(v) && v > 0);
  assert.ok(a.pauses >= 9, 'the training yields at least once per batch');
});

test('slicing a batch does not change the step: trained in slices of 1 the weights equal those of whole batches (up to float rounding); dropout masks are seeded', async () => {
  const src = (dropout: string) => `import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(12, 12, 1)), layers.Conv2D(3, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten(), ${dropout}layers.Dense(10, activation="softmax")])
`;
  const [summary] = await summariesOf(src(''));
  const json = labTarget('k', summary, lineOf, 'keras').json!;
  const data = splitData(decodeDigits(asset), 80, 0.2);
  const stepped = async (slice: number | null) => {
    const t = await buildTrainable(json, 5);
    if (slice) t.slice = slice;
    const run = new Run(t, data, 5);
    await run.step(async () => undefined);
    await run.step(async () => undefined);
    const w = t.model.getWeights().map((x) => Array.from(x.dataSync()));
    run.dispose();
    disposeTrainable(t);
    return { w, notes: t.notes, whole: t.slice };
  };
  const a = await stepped(null);
  assert.deepEqual(a.notes, [], 'a 10-class softmax output is kept');
  assert.equal(a.whole, 32, 'a small model takes whole batches');
  const b = await stepped(1);
  assert.equal(a.w.length, b.w.length);
  a.w.forEach((w, i) => w.forEach((v, j) => assert.ok(Math.abs(v - b.w[i][j]) <= 1e-4, `weight ${i}[${j}]: ${v} vs ${b.w[i][j]}`)));
  // With dropout: random per step, the same for the same seed.
  const [withDropout] = await summariesOf(src('layers.Dropout(0.5), '));
  const dj = labTarget('k', withDropout, lineOf, 'keras').json!;
  assert.equal((await buildTrainable(dj, 1)).random, true);
  const r1 = await train(dj, 3, 1, 80);
  const r2 = await train(dj, 3, 1, 80);
  assert.deepEqual(r1.batches, r2.batches);
});

test("trainBoth (what the lab's worker runs): both models built, batches alternating, each model's numbers those of its own Run; a stop ends it 'stopped' and frees every tensor; a model tfjs cannot build ends in an error", async () => {
  const [, withPooling] = await summariesOf(fixture('seed_002_max_pooling.py'));
  const target = labTarget('k', withPooling, lineOf, 'keras');
  const request: TrainRequest = { run: 7, jsons: { with: target.json!, without: target.jsonWithoutPooling! }, size: { height: 28, width: 28, channels: 3 }, resized: true, seed: 1, count: 120, split: 0.2, epochs: 1 };
  const digits = decodeDigits(asset);
  const tensors = tf.memory().numTensors;
  const events: TrainEvent[] = [];
  await trainBoth(request, digits, async () => undefined, (e) => events.push(e));
  assert.equal(tf.memory().numTensors, tensors, 'every tensor of the run is freed');
  assert.ok(events.every((e) => e.run === 7));
  assert.deepEqual(events.at(-1), { type: 'end', run: 7, phase: 'done' });
  const built = events.filter((e) => e.type === 'built');
  // 28×28×3 with a 10-class output: convs 2,100 + Dense(10) on 1×1×10 (110) / on 22×22×10 (48,410), as in the lab's e2e check.
  assert.deepEqual(built.map((e) => [e.which, e.params, e.batchesPerEpoch, e.train, e.val]), [['with', 2210, 3, 96, 24], ['without', 50510, 3, 96, 24]]);
  // 3 batches an epoch, one model then the other.
  assert.deepEqual(events.filter((e) => e.type === 'batch').map((e) => e.which), Array.from({ length: 6 }, (_, i) => (i % 2 ? 'without' : 'with')));
  // The same numbers as the with-pooling model trained alone by its Run (what the unit test above checks for determinism).
  const alone = await train((resizedJson(target.json!, request.size) as { json: object }).json, 1, 1);
  const epochs = events.filter((e): e is Extract<TrainEvent, { type: 'epoch' }> => e.type === 'epoch' && e.which === 'with').map((e) => e.epoch);
  assert.deepEqual(epochs.map((r) => [r.loss, r.accuracy, r.valLoss, r.valAccuracy]), alone.results.map((r) => [r.loss, r.accuracy, r.valLoss, r.valAccuracy]));
  // Stopped at the fifth pause: an end 'stopped', nothing after it, no tensor left.
  const stopped: TrainEvent[] = [];
  let n = 0;
  await trainBoth(request, digits, async () => {
    if (++n === 5) throw new Stopped();
  }, (e) => stopped.push(e));
  assert.deepEqual(stopped.at(-1), { type: 'end', run: 7, phase: 'stopped' });
  assert.equal(stopped.filter((e) => e.type === 'end').length, 1);
  assert.equal(tf.memory().numTensors, tensors, 'a stopped run frees its tensors');
  // A JSON tfjs cannot build: the error names the model and the size trained.
  const failed: TrainEvent[] = [];
  await trainBoth({ ...request, jsons: { with: { class_name: 'Sequential', config: { name: 'm', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 4, 4, 1] } }, { class_name: 'NoSuchLayer', config: {} }] } }, without: target.jsonWithoutPooling! } }, digits, async () => undefined, (e) => failed.push(e));
  assert.equal(failed.length, 1);
  assert.match((failed[0] as { error?: string }).error ?? '', /^tfjs could not build the model with pooling at 28×28 \(try the model's input size\): /);
  assert.equal(tf.memory().numTensors, tensors);
});

test('observations come from the numbers: chance, learning, overfitting, divergence', () => {
  const e = (epoch: number, loss: number, accuracy: number, valLoss: number, valAccuracy: number): EpochResult => ({ epoch, loss, accuracy, valLoss, valAccuracy, ms: 1 });
  assert.match(observe(e(1, 2.3, 0.1, 2.3, 0.1), null), /chance/);
  assert.match(observe(e(1, 1.5, 0.5, 1.4, 0.55), null), /starts learning/);
  assert.match(observe(e(2, 1.0, 0.7, 1.0, 0.7), e(1, 1.5, 0.5, 1.4, 0.55)), /learning/);
  // Seed 002 without pooling, epochs 3 → 4: loss 5.84 → 3.59, accuracy 0.92 → 0.95, val loss 35.26 → 34.28: falls; the gap (0.95 − 0.72) says overfitting.
  assert.match(observe(e(4, 3.5921, 0.9527, 34.2759, 0.72), e(3, 5.8424, 0.92, 35.2553, 0.732)), /above validation: overfitting/);
  // Seed 002 with pooling, epochs 3 → 4: val loss 0.5547 → 0.5677 while accuracy climbs.
  assert.match(observe(e(4, 0.4084, 0.8207, 0.5677, 0.744), e(3, 0.5104, 0.7533, 0.5547, 0.754)), /validation loss rises while training accuracy climbs: overfitting/);
  assert.match(observe(e(2, NaN, 0.1, NaN, 0.1), null), /diverged/);
});
