// Realistic tfjs programs in test/fixtures/tfjs, checked against the same networks built by @tensorflow/tfjs (the reference for tfjs code) and hand figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyzeJs } from './helpers/tfjs';
import { allDiagnostics, assertRows, assertTotals, lineOf, modelNamed, type Row } from './helpers/fixture-asserts';
import type { JsonDiagnostic, JsonFile, JsonModel, JsonShape } from '../../src/core/analysis';
import type { OutputShape } from '../../src/core/shape';
import { fixturesDir } from './helpers/paths';

// ---------------------------------------------------------------------------------------------
// Fixture files

const FIXTURES = fixturesDir('tfjs');

function read(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, ...rel.split('/')), 'utf8');
}

/** Analyses one fixture (file name = its path relative to the fixtures dir) with `siblings` readable by relative imports. */
async function analyzeFixture(rel: string, siblings: string[] = []): Promise<{ text: string; json: JsonFile }> {
  const text = read(rel);
  const others: Record<string, string> = {};
  for (const s of siblings) others[s] = read(s);
  const { json } = await analyzeJs(text, others, rel);
  return { text, json };
}


function errorsOf(json: JsonFile): JsonDiagnostic[] {
  return allDiagnostics(json).filter((d) => d.severity === 'error');
}

// ---------------------------------------------------------------------------------------------
// tfjs twins: the same network built with tfjs-layers, named the way tfjs auto-names

/** tfjs-layers' `toSnakeCase` (src/utils/generic_utils.ts), checked against tfjs itself below. */
function snake(name: string): string {
  const intermediate = name.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2');
  const insecure = intermediate.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return insecure[0] !== '_' ? insecure : `private${insecure}`;
}

/**
 * tfjs' automatic names with counters per class starting at 1 for one analysed file:
 * `nm('Conv2D')` → `conv2d_Conv2D1`, `nm('input')` → `input1`. (tfjs' own counters are per process.)
 */
function namer(): (cls: string) => string {
  const counts = new Map<string, number>();
  return (cls) => {
    const n = (counts.get(cls) ?? 0) + 1;
    counts.set(cls, n);
    return cls === 'input' ? `input${n}` : `${snake(cls)}_${cls}${n}`;
  };
}

function weightCount(ws: tf.LayerVariable[]): number {
  return ws.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);
}

/** A tfjs model's layers as summary rows (tfjs lists a Sequential's layers without its InputLayer). */
function tfRows(m: tf.LayersModel): Row[] {
  return m.layers.map((l) => {
    const trainable = weightCount(l.trainableWeights);
    const nonTrainable = weightCount(l.nonTrainableWeights);
    return {
      name: l.name,
      className: l.getClassName(),
      outputShape: l.outputShape as JsonShape,
      params: trainable + nonTrainable,
      trainableParams: trainable,
      nonTrainableParams: nonTrainable,
    };
  });
}

function tfTotals(m: tf.LayersModel): [number, number, number] {
  const trainable = weightCount(m.trainableWeights);
  const nonTrainable = weightCount(m.nonTrainableWeights);
  return [trainable + nonTrainable, trainable, nonTrainable];
}

function tfOutputShape(twin: tf.LayersModel): OutputShape {
  return (twin.outputs.length === 1 ? twin.outputs[0].shape : twin.outputs.map((o) => o.shape)) as OutputShape;
}

interface TwinOptions {
  /** Row indices whose name is not compared (unnamed nested models: tfjs says `sequential_3`, Shape Lens a variable name). */
  skipNames?: number[];
  /** Compare params only, not the trainable / non-trainable split. */
  noSplit?: boolean;
}

/** Rows of the twin in the form `assertRows` compares, nested-model class names as the analyser spells them (see the dedicated test). */
function twinRows(twin: tf.LayersModel, opts: TwinOptions = {}): Row[] {
  return tfRows(twin).map((r, i) => {
    const out: Row = { ...r };
    if (opts.skipNames?.includes(i)) delete out.name;
    if (opts.noSplit) {
      delete out.trainableParams;
      delete out.nonTrainableParams;
    }
    return out;
  });
}

/** The analyser's class name for a nested model row is compared in its own test; here both spellings of a functional model pass. */
function normaliseNested(m: JsonModel, rows: Row[]): JsonModel {
  return { ...m, layers: m.layers.map((l, i) => (rows[i]?.className === 'Model' && l.className === 'Functional' ? { ...l, className: 'Model' } : l)) };
}

/** Compares every row and the totals of an analysed model with its tfjs twin. */
function assertMatchesTwin(m: JsonModel, twin: tf.LayersModel, opts: TwinOptions = {}): void {
  const rows = twinRows(twin, opts);
  assertRows(normaliseNested(m, rows), rows);
  const [total, trainable, nonTrainable] = tfTotals(twin);
  if (opts.noSplit) assert.equal(m.totalParams, total, `total of model "${m.name}"`);
  else assertTotals(m, total, trainable, nonTrainable);
  assert.deepEqual(m.outputShape, tfOutputShape(twin), `output shape of model "${m.name}"`);
}

/** Indices of InputLayer rows and unnamed nested models: their names are checked in dedicated tests. */
function inputAndNestedRows(twin: tf.LayersModel): number[] {
  return twin.layers.flatMap((l, i) => (l.getClassName() === 'InputLayer' || l instanceof tf.Sequential ? [i] : []));
}

type SymT = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: SymT | SymT[]): SymT => layer.apply(x) as SymT;
const applyMany = (layer: tf.layers.Layer, x: SymT | SymT[]): SymT[] => layer.apply(x) as SymT[];
/** Zero initialisers: tfjs really allocates weights, and orthogonal init is slow on the CPU backend. */
const RNN_INIT = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;

test('the twins name layers exactly as tfjs-layers auto-names them (modulo its per-process counters)', () => {
  const made: tf.layers.Layer[] = [
    tf.layers.conv2d({ filters: 1, kernelSize: 1 }), tf.layers.conv2dTranspose({ filters: 1, kernelSize: 1 }), tf.layers.conv1d({ filters: 1, kernelSize: 1 }),
    tf.layers.leakyReLU(), tf.layers.batchNormalization(), tf.layers.upSampling2d({}), tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.globalMaxPool1d({}), tf.layers.globalAveragePooling2d({}), tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 1 }) }),
    tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 1 }) as tf.RNN }), tf.layers.gru({ units: 1 }), tf.layers.simpleRNN({ units: 1 }),
    tf.layers.embedding({ inputDim: 2, outputDim: 2 }), tf.layers.concatenate(), tf.layers.multiply(), tf.layers.reshape({ targetShape: [1] }),
    tf.layers.flatten(), tf.layers.dropout({ rate: 0.1 }), tf.layers.dense({ units: 1 }),
  ];
  for (const l of made) {
    const cls = l.getClassName();
    assert.match(l.name, new RegExp(`^${snake(cls)}_${cls}\\d+$`), cls);
  }
  assert.match(tf.input({ shape: [1] }).sourceLayer.name, /^input\d+$/);
});

// ---------------------------------------------------------------------------------------------
// tfjs-examples/mnist: constants imported from data.js

test('tfjs-examples MNIST: createConvModel with IMAGE_H / IMAGE_W / NUM_CLASSES from ./data (33,194 params)', async () => {
  const { text, json } = await analyzeFixture('mnist/index.js', ['mnist/data.js']);
  const m = modelNamed(json, 'createConvModel');
  assert.equal(m.function, 'createConvModel');
  const nm = namer();
  const twin = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], kernelSize: 3, filters: 16, activation: 'relu', name: nm('Conv2D') }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: nm('MaxPooling2D') }),
      tf.layers.conv2d({ kernelSize: 3, filters: 32, activation: 'relu', name: nm('Conv2D') }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: nm('MaxPooling2D') }),
      tf.layers.conv2d({ kernelSize: 3, filters: 32, activation: 'relu', name: nm('Conv2D') }),
      tf.layers.flatten({ name: nm('Flatten') }),
      tf.layers.dense({ units: 64, activation: 'relu', name: nm('Dense') }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: nm('Dense') }),
    ],
  });
  assertMatchesTwin(m, twin);
  // 26x26x16: 3*3*1*16 + 16 = 160; 11x11x32: 3*3*16*32 + 32 = 4,640; 3x3x32: 3*3*32*32 + 32 = 9,248;
  // flatten 288; 288*64 + 64 = 18,496; 64*10 + 10 = 650
  assertTotals(m, 160 + 4640 + 9248 + 18496 + 650, 33194, 0);
  assert.equal(m.layers[0].line, lineOf(text, 'model.add(tf.layers.conv2d({\n    inputShape'));
  assert.equal(m.layers[2].line, lineOf(text, 'tf.layers.conv2d({kernelSize: 3, filters: 32', 1));
  assert.equal(m.layers[7].line, lineOf(text, 'tf.layers.dense({units: NUM_CLASSES', 1));
  assert.equal(m.line, lineOf(text, 'const model = tf.sequential();', 1));
});

test('tfjs-examples MNIST: createDenseModel (flatten, dense 42, dense 10: 33,400 params)', async () => {
  const { text, json } = await analyzeFixture('mnist/index.js', ['mnist/data.js']);
  const m = modelNamed(json, 'createDenseModel');
  assert.equal(m.function, 'createDenseModel');
  // The conv model made the file's first Flatten and two Dense layers.
  assertRows(m, [
    { name: 'flatten_Flatten2', className: 'Flatten', outputShape: [null, 784], params: 0 }, // 28*28*1
    { name: 'dense_Dense3', className: 'Dense', outputShape: [null, 42], params: 784 * 42 + 42 }, // 32,970
    { name: 'dense_Dense4', className: 'Dense', outputShape: [null, 10], params: 42 * 10 + 10 }, // 430
  ]);
  assertTotals(m, 33400, 33400, 0);
  assert.equal(m.layers[1].line, lineOf(text, 'tf.layers.dense({units: 42'));
});

test('tfjs-examples MNIST: exactly the two models, no errors; training and UI code is not mistaken for models', async () => {
  const { json } = await analyzeFixture('mnist/index.js', ['mnist/data.js']);
  assert.deepEqual(json.models.map((m) => m.name), ['createConvModel', 'createDenseModel']);
  assert.deepEqual(errorsOf(json), []);
});

test('tfjs-examples MNIST: without data.js the image size is unknown, never guessed', async () => {
  const { json } = await analyzeJs(read('mnist/index.js'), {}, 'mnist/index.js');
  for (const m of json.models) assert.notEqual(m.totalParams, 33194);
});

test('tfjs-examples MNIST: without data.js there are no errors (unknown is not wrong)', {
}, async () => {
  const { json } = await analyzeJs(read('mnist/index.js'), {}, 'mnist/index.js');
  assert.deepEqual(errorsOf(json), []);
});

// ---------------------------------------------------------------------------------------------
// tfjs-examples/mnist-acgan style GAN

function buildGanTwins(): { discriminator: tf.LayersModel; dCnn: tf.Sequential; generator: tf.LayersModel; gCnn: tf.Sequential; combined: tf.LayersModel } {
  const nm = namer();
  const latentSize = 100;
  // buildDiscriminator(): conv2d/leakyReLU/dropout x4, flatten, then the input and two dense heads.
  const dLayers: tf.layers.Layer[] = [];
  for (const [filters, strides, padding] of [[32, 2, 'same'], [64, 1, 'same'], [128, 2, 'same'], [256, 2, 'valid']] as const) {
    dLayers.push(tf.layers.conv2d({ filters, kernelSize: 3, padding, strides, ...(filters === 32 ? { inputShape: [28, 28, 1] } : {}), name: nm('Conv2D') }));
    dLayers.push(tf.layers.leakyReLU({ alpha: 0.2, name: nm('LeakyReLU') }));
    dLayers.push(tf.layers.dropout({ rate: 0.3, name: nm('Dropout') }));
  }
  dLayers.push(tf.layers.flatten({ name: nm('Flatten') }));
  const dCnn = tf.sequential({ layers: dLayers });
  const image = tf.input({ shape: [28, 28, 1], name: nm('input') });
  const features = apply(dCnn, image);
  const realness = apply(tf.layers.dense({ units: 1, activation: 'sigmoid', name: nm('Dense') }), features);
  const aux = apply(tf.layers.dense({ units: 10, activation: 'softmax', name: nm('Dense') }), features);
  const discriminator = tf.model({ inputs: image, outputs: [realness, aux], name: 'discriminator' });

  // buildGenerator(100)
  const gCnn = tf.sequential({
    layers: [
      tf.layers.dense({ units: 3 * 3 * 384, inputShape: [latentSize], activation: 'relu', name: nm('Dense') }),
      tf.layers.reshape({ targetShape: [3, 3, 384], name: nm('Reshape') }),
      tf.layers.conv2dTranspose({ filters: 192, kernelSize: 5, strides: 1, padding: 'valid', name: nm('Conv2DTranspose') }),
      tf.layers.batchNormalization({ name: nm('BatchNormalization') }),
      tf.layers.leakyReLU({ alpha: 0.2, name: nm('LeakyReLU') }),
      tf.layers.upSampling2d({ size: [2, 2], name: nm('UpSampling2D') }),
      tf.layers.conv2d({ filters: 96, kernelSize: 5, padding: 'same', name: nm('Conv2D') }),
      tf.layers.batchNormalization({ name: nm('BatchNormalization') }),
      tf.layers.leakyReLU({ alpha: 0.2, name: nm('LeakyReLU') }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh', name: nm('Conv2DTranspose') }),
    ],
  });
  const latent = tf.input({ shape: [latentSize], name: nm('input') });
  const imageClass = tf.input({ shape: [1], name: nm('input') });
  const classEmbedding = apply(tf.layers.embedding({ inputDim: 10, outputDim: latentSize, name: nm('Embedding') }), imageClass);
  const flatEmbedding = apply(tf.layers.flatten({ name: nm('Flatten') }), classEmbedding);
  const h = apply(tf.layers.multiply({ name: nm('Multiply') }), [latent, flatEmbedding]);
  const generator = tf.model({ inputs: [latent, imageClass], outputs: apply(gCnn, h), name: 'generator' });

  // buildCombinedModel(100, generator, discriminator, ...), which freezes the discriminator.
  const cLatent = tf.input({ shape: [latentSize], name: nm('input') });
  const cClass = tf.input({ shape: [1], name: nm('input') });
  const fake = apply(generator, [cLatent, cClass]);
  discriminator.trainable = false;
  const [score, cls] = applyMany(discriminator, fake);
  const combined = tf.model({ inputs: [cLatent, cClass], outputs: [score, cls], name: 'combined' });
  return { discriminator, dCnn, generator, gCnn, combined };
}

test('ACGAN: the generator (dense, reshape, conv2dTranspose, upSampling2d, BN, leakyReLU) and its two inputs', async () => {
  const { json } = await analyzeFixture('gan/acgan.js');
  const twins = buildGanTwins();
  const g = modelNamed(json, 'generator');
  assert.equal(g.function, 'buildGenerator');
  // rows: the two inputs, embedding, flatten, multiply, the nested Sequential
  assertMatchesTwin(g, twins.generator, { skipNames: inputAndNestedRows(twins.generator) });
  // dense 100*3456 + 3456; conv2dTranspose 5*5*192*384 + 192 (3x3 → 7x7 valid); BN 4*192; conv2d 5*5*192*96 + 96;
  // BN 4*96; conv2dTranspose 5*5*96*1 + 1 (14x14 → 28x28); embedding 10*100
  const cnn = 349056 + 1843392 + 768 + 460896 + 384 + 2401;
  assertTotals(g, cnn + 1000, cnn + 1000 - 2 * 192 - 2 * 96, 2 * 192 + 2 * 96);
  assert.deepEqual(g.outputShape, [null, 28, 28, 1]);
});

test("ACGAN: the generator's inner tf.sequential is a model of its own, every row as tfjs builds it", async () => {
  const { json } = await analyzeFixture('gan/acgan.js');
  const { gCnn } = buildGanTwins();
  const inner = json.models.filter((m) => m.function === 'buildGenerator' && m.layers[0]?.className === 'Dense');
  assert.equal(inner.length, 1, JSON.stringify(json.models.map((m) => [m.name, m.function])));
  assertMatchesTwin(inner[0], gCnn);
  assert.deepEqual(inner[0].layers[2].outputShape, [null, 7, 7, 192]); // (3 - 1)*1 + 5
  assert.deepEqual(inner[0].layers[5].outputShape, [null, 14, 14, 192]); // upSampling2d 2x
});

test('ACGAN: the discriminator (strided conv2d, dropout, flatten, two dense heads)', async () => {
  const { text, json } = await analyzeFixture('gan/acgan.js');
  const twins = buildGanTwins();
  const d = modelNamed(json, 'discriminator');
  assert.equal(d.function, 'buildDiscriminator');
  // The trainable split depends on when `discriminator.trainable = false` is read; the next test checks it.
  assertMatchesTwin(d, twins.discriminator, { skipNames: inputAndNestedRows(twins.discriminator), noSplit: true });
  assert.deepEqual(d.outputShape, [[null, 1], [null, 10]]);
  const inner = json.models.find((m) => m.function === 'buildDiscriminator' && m.layers[0]?.className === 'Conv2D');
  assert.ok(inner, 'the inner Sequential of the discriminator');
  assertMatchesTwin(inner, twins.dCnn, { noSplit: true });
  // 28 → 14 (same, s2) → 14 → 7 (same, s2) → ceil((7 - 3 + 1) / 2) = 3 (valid, s2); 3*3*256 = 2,304 features
  assert.deepEqual(inner.layers.at(-1)!.outputShape, [null, 2304]);
  // A layer's line is where its constructor call starts, not where its config goes on.
  assert.equal(inner.layers[9].line, lineOf(text, "cnn.add(tf.layers.conv2d(\n      {filters: 256, kernelSize: 3, padding: 'valid'"));
});

test('ACGAN: the discriminator frozen in buildCombinedModel counts as non-trainable at the end of the file (as tfjs)', async () => {
  const { json } = await analyzeFixture('gan/acgan.js');
  const twins = buildGanTwins();
  const d = modelNamed(json, 'discriminator');
  assertTotals(d, ...tfTotals(twins.discriminator));
  assert.equal(d.trainableParams, 0);
});

test("ACGAN: freezing the discriminator leaves its nested tf.sequential trainable, as tfjs' non-recursive trainable setter does", {
}, async () => {
  const { json } = await analyzeFixture('gan/acgan.js');
  const twins = buildGanTwins();
  // tfjs: the discriminator's rows: the nested Sequential still trainable, the dense heads frozen; its totals all non-trainable.
  assertMatchesTwin(modelNamed(json, 'discriminator'), twins.discriminator, { skipNames: inputAndNestedRows(twins.discriminator) });
  const inner = json.models.find((m) => m.function === 'buildDiscriminator' && m.layers[0]?.className === 'Conv2D');
  assert.ok(inner);
  assertMatchesTwin(inner, twins.dCnn);
  assertTotals(inner, 387840, 387840, 0); // 320 + 18,496 + 73,856 + 295,168, all still trainable in tfjs
});

test('ACGAN: the combined tf.model over generator and frozen discriminator', async () => {
  const { json } = await analyzeFixture('gan/acgan.js');
  const twins = buildGanTwins();
  const c = modelNamed(json, 'combined');
  assert.equal(c.function, 'buildCombinedModel');
  assertMatchesTwin(c, twins.combined, { skipNames: inputAndNestedRows(twins.combined) });
  assert.deepEqual(c.layers.map((l) => l.name).slice(2), ['generator', 'discriminator']);
  // Only the generator trains: its 2,657,321 trainable weights; BN statistics (576) and the discriminator are frozen.
  const [dTotal] = tfTotals(twins.discriminator);
  assert.equal(c.trainableParams, 349056 + 1843392 + 384 + 460896 + 192 + 2401 + 1000);
  assert.equal(c.nonTrainableParams, 576 + dTotal);
  assert.deepEqual(errorsOf(json), []);
});

test('tfjs input names: a Sequential\'s implicit input (tfjs names it `<layer>_input`) takes no `inputN` number', async () => {
  // discriminator: input1; generator: input2, input3; combined: input4, input5 (tfjs: see the twin test above)
  const gan = (await analyzeFixture('gan/acgan.js')).json;
  assert.deepEqual(modelNamed(gan, 'discriminator').layers[0].name, 'input1');
  assert.deepEqual(modelNamed(gan, 'combined').layers.slice(0, 2).map((l) => l.name), ['input4', 'input5']);
  const twins = buildGanTwins();
  assert.deepEqual(twins.combined.layers.slice(0, 2).map((l) => l.name), ['input4', 'input5']);
  // shape-errors.js: the tf.sequential `tooDeep` comes first, the functional model's tf.input is still input1.
  assert.equal(modelNamed((await analyzeFixture('shape-errors.js')).json, 'badSkip').layers[0].name, 'input1');
});

test('ACGAN: nested models are rows of class Model, as tfjs-layers prints tf.model instances', async () => {
  const { json } = await analyzeFixture('gan/acgan.js');
  const c = modelNamed(json, 'combined');
  assert.deepEqual(c.layers.slice(2).map((l) => l.className), ['Model', 'Model']);
});

// ---------------------------------------------------------------------------------------------
// tfjs-examples/snake-dqn style DQN

function dqnTwin(nm: (c: string) => string, h: number, w: number, numActions: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 128, kernelSize: 3, strides: 1, activation: 'relu', inputShape: [h, w, 2], name: nm('Conv2D') }),
      tf.layers.batchNormalization({ name: nm('BatchNormalization') }),
      tf.layers.conv2d({ filters: 256, kernelSize: 3, strides: 1, activation: 'relu', name: nm('Conv2D') }),
      tf.layers.batchNormalization({ name: nm('BatchNormalization') }),
      tf.layers.conv2d({ filters: 256, kernelSize: 3, strides: 1, activation: 'relu', name: nm('Conv2D') }),
      tf.layers.flatten({ name: nm('Flatten') }),
      tf.layers.dense({ units: 100, activation: 'relu', name: nm('Dense') }),
      tf.layers.dropout({ rate: 0.25, name: nm('Dropout') }),
      tf.layers.dense({ units: numActions, name: nm('Dense') }),
    ],
  });
}

test('snake DQN: createDeepQNetwork(9, 12, NUM_ACTIONS) at module level, NUM_ACTIONS = ALL_ACTIONS.length', async () => {
  const { text, json } = await analyzeFixture('snake-dqn/dqn.js');
  const m = modelNamed(json, 'wideBoardNetwork');
  assert.equal(m.function, 'createDeepQNetwork');
  assertMatchesTwin(m, dqnTwin(namer(), 9, 12, 3));
  // 7x10x128: 3*3*2*128 + 128 = 2,432; BN 512; 5x8x256: 3*3*128*256 + 256 = 295,168; BN 1,024;
  // 3x6x256: 3*3*256*256 + 256 = 590,080; flatten 4,608; 4608*100 + 100 = 460,900; 100*3 + 3 = 303
  assertTotals(m, 2432 + 512 + 295168 + 1024 + 590080 + 460900 + 303, 1349651, 768);
  assert.equal(m.layers[3].line, lineOf(text, 'model.add(tf.layers.batchNormalization());', 2));
});

test('snake DQN: createAgentNetworks() with default args (9 x 9, width defaults to height); the target network is frozen', async () => {
  const { json } = await analyzeFixture('snake-dqn/dqn.js');
  const nm = namer();
  dqnTwin(nm, 9, 12, 3); // the module-level network takes the first names
  const online = dqnTwin(nm, 9, 9, 3);
  const target = dqnTwin(nm, 9, 9, 3);
  target.trainable = false;
  const nets = json.models.filter((m) => m.name !== 'wideBoardNetwork');
  assert.equal(nets.length, 2, JSON.stringify(json.models.map((m) => m.name)));
  for (const m of nets) assert.equal(m.function, 'createDeepQNetwork');
  assertMatchesTwin(nets[0], online);
  // The per-row trainable split of the frozen network is checked in the next test.
  assertMatchesTwin(nets[1], target, { noSplit: true });
  // 7x7x128 → 5x5x256 → 3x3x256: dense 2304*100 + 100 = 230,500
  assert.equal(nets[0].totalParams, 2432 + 512 + 295168 + 1024 + 590080 + 230500 + 303);
  assertTotals(nets[1], 1120019, 0, 1120019);
});

test('snake DQN: every row of the frozen target network is non-trainable (tfjs: model.trainable = false freezes its layers\' weights)', async () => {
  const { json } = await analyzeFixture('snake-dqn/dqn.js');
  const nm = namer();
  dqnTwin(nm, 9, 12, 3);
  dqnTwin(nm, 9, 9, 3);
  const target = dqnTwin(nm, 9, 9, 3);
  target.trainable = false;
  const frozen = json.models.filter((m) => m.name !== 'wideBoardNetwork')[1];
  assert.ok(frozen);
  assertMatchesTwin(frozen, target);
  for (const l of frozen.layers) assert.equal(l.trainableParams, 0, l.name);
});

test('snake DQN: a board of size 0 is rejected by the validation `throw` before any layer is made', async () => {
  const { json } = await analyzeFixture('snake-dqn/dqn.js');
  assert.equal(json.models.length, 3, JSON.stringify(json.models.map((m) => m.name)));
  assert.deepEqual(errorsOf(json), []);
  for (const m of json.models) assert.notDeepEqual(m.layers[0]?.outputShape?.slice(0, 2), [null, -2]);
});

// ---------------------------------------------------------------------------------------------
// TypeScript class, CommonJS

test('TypeScript class: build() with typed fields and an options interface (tabular_classifier)', async () => {
  const { text, json } = await analyzeFixture('tabular-classifier.ts');
  assert.equal(json.language, 'typescript');
  assert.equal(json.models.length, 1);
  const m = modelNamed(json, 'tabular_classifier');
  const nm = namer();
  const twin = tf.sequential({
    name: 'tabular_classifier',
    layers: [
      tf.layers.dense({ inputShape: [20], units: 64, activation: 'relu', name: nm('Dense') }),
      tf.layers.dropout({ rate: 0.1, name: nm('Dropout') }),
      tf.layers.dense({ units: 32, activation: 'relu', name: nm('Dense') }),
      tf.layers.batchNormalization({ name: nm('BatchNormalization') }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: nm('Dense') }),
    ],
  });
  assertMatchesTwin(m, twin);
  // 20*64 + 64 = 1,344; 64*32 + 32 = 2,080; BN 4*32 (64 moving statistics); 32*3 + 3 = 99
  assertTotals(m, 1344 + 2080 + 128 + 99, 1344 + 2080 + 64 + 99, 64);
  assert.equal(m.layers[2].line, lineOf(text, 'this.model.add(tf.layers.dense({ units, activation'));
  assert.deepEqual(errorsOf(json), []);
});

test('CommonJS: require(tfjs-node), destructured layers/sequential, module.exports; both builders with their defaults', async () => {
  const { text, json } = await analyzeFixture('boston-housing.cjs');
  assert.equal(json.language, 'javascript');
  assert.deepEqual(json.models.map((m) => [m.name, m.function]), [['createModel', 'createModel'], ['createAutoencoder', 'createAutoencoder']]);
  const nm = namer();
  const mlp = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [12], units: 50, activation: 'sigmoid', name: nm('Dense') }),
      tf.layers.dense({ units: 50, activation: 'sigmoid', name: nm('Dense') }),
      tf.layers.dense({ units: 1, name: nm('Dense') }),
    ],
  });
  assertMatchesTwin(modelNamed(json, 'createModel'), mlp);
  assertTotals(modelNamed(json, 'createModel'), 650 + 2550 + 51, 3251, 0); // 12*50 + 50; 50*50 + 50; 50 + 1
  const ae = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [64], units: 32, activation: 'relu', name: nm('Dense') }),
      tf.layers.dense({ units: 8, activation: 'relu', name: nm('Dense') }),
      tf.layers.dense({ units: 32, activation: 'relu', name: nm('Dense') }),
      tf.layers.dense({ units: 64, activation: 'sigmoid', name: nm('Dense') }),
    ],
  });
  assertMatchesTwin(modelNamed(json, 'createAutoencoder'), ae);
  assertTotals(modelNamed(json, 'createAutoencoder'), 2080 + 264 + 288 + 2112, 4744, 0); // 64*32+32; 32*8+8; 8*32+32; 32*64+64
  assert.equal(modelNamed(json, 'createModel').layers[1].line, lineOf(text, 'model.add(tf.layers.dense({units: hiddenUnits[i]'));
  assert.equal(modelNamed(json, 'createAutoencoder').layers[3].line, lineOf(text, "layers.dense({units: inputDim, activation: 'sigmoid'})"));
});

// ---------------------------------------------------------------------------------------------
// Text models

test('text models: the sentiment buildModel switch for lstm, cnn, gru and bidirectionalLSTM', async () => {
  const { json } = await analyzeFixture('text-models.ts');
  const nm = namer();
  const emb = () => tf.layers.embedding({ inputDim: 10000, outputDim: 128, inputLength: 100, embeddingsInitializer: 'zeros', name: nm('Embedding') });
  const head = () => tf.layers.dense({ units: 1, activation: 'sigmoid', name: nm('Dense') });
  const lstm = tf.sequential({ layers: [emb(), tf.layers.lstm({ units: 32, ...RNN_INIT, name: nm('LSTM') }), head()] });
  const cnn = tf.sequential({
    layers: [
      emb(),
      tf.layers.dropout({ rate: 0.5, name: nm('Dropout') }),
      tf.layers.conv1d({ filters: 250, kernelSize: 5, strides: 1, padding: 'valid', activation: 'relu', name: nm('Conv1D') }),
      tf.layers.globalMaxPool1d({ name: nm('GlobalMaxPooling1D') }),
      tf.layers.dense({ units: 250, activation: 'relu', name: nm('Dense') }),
      head(),
    ],
  });
  const gru = tf.sequential({ layers: [emb(), tf.layers.gru({ units: 32, ...RNN_INIT, name: nm('GRU') }), head()] });
  const e4 = emb();
  const innerLstm = tf.layers.lstm({ units: 32, ...RNN_INIT, name: nm('LSTM') }) as tf.RNN;
  const bi = tf.sequential({ layers: [e4, tf.layers.bidirectional({ layer: innerLstm, mergeMode: 'concat', name: nm('Bidirectional') }), head()] });

  assertMatchesTwin(modelNamed(json, 'lstmModel'), lstm);
  assertMatchesTwin(modelNamed(json, 'cnnModel'), cnn);
  assertMatchesTwin(modelNamed(json, 'gruModel'), gru);
  assertMatchesTwin(modelNamed(json, 'biLstmModel'), bi);
  for (const n of ['lstmModel', 'cnnModel', 'gruModel', 'biLstmModel']) assert.equal(modelNamed(json, n).function, 'buildModel');
  // By hand: embedding 10000*128; LSTM 4*(32*(128+32) + 32) = 20,608; tfjs GRU 3*32*(128+32+1) = 15,456 (no reset_after)
  assert.deepEqual(modelNamed(json, 'lstmModel').layers.map((l) => l.params), [1280000, 20608, 33]);
  assert.deepEqual(modelNamed(json, 'gruModel').layers.map((l) => l.params), [1280000, 15456, 33]);
  assert.deepEqual(modelNamed(json, 'cnnModel').layers[2].outputShape, [null, 96, 250]); // 100 - 5 + 1
  assert.deepEqual(modelNamed(json, 'biLstmModel').layers[1].outputShape, [null, 64]); // concat 2*32
});

test('text models: the functional tagger, bidirectional LSTM (concat) and GRU (ave) with a timeDistributed dense head', async () => {
  const { text, json } = await analyzeFixture('text-models.ts');
  const m = modelNamed(json, 'pos_tagger');
  assert.equal(m.function, 'buildTagger');
  const nm = namer();
  // buildModel ran four times first: Embedding1-4, LSTM1-2, GRU1, Bidirectional1, Dense1-5.
  for (const [cls, n] of [['Embedding', 4], ['LSTM', 2], ['GRU', 1], ['Bidirectional', 1], ['Dense', 5]] as const) for (let i = 0; i < n; i++) nm(cls);
  const tokens = tf.input({ shape: [50], dtype: 'int32', name: 'tokens' });
  let x = apply(tf.layers.embedding({ inputDim: 5000, outputDim: 64, embeddingsInitializer: 'zeros', name: nm('Embedding') }), tokens);
  const l1 = tf.layers.lstm({ units: 32, returnSequences: true, ...RNN_INIT, name: nm('LSTM') }) as tf.RNN;
  x = apply(tf.layers.bidirectional({ layer: l1, mergeMode: 'concat', name: nm('Bidirectional') }), x);
  const g1 = tf.layers.gru({ units: 16, returnSequences: true, ...RNN_INIT, name: nm('GRU') }) as tf.RNN;
  x = apply(tf.layers.bidirectional({ layer: g1, mergeMode: 'ave', name: nm('Bidirectional') }), x);
  const d = tf.layers.dense({ units: 17, activation: 'softmax', name: nm('Dense') });
  const tags = apply(tf.layers.timeDistributed({ layer: d, name: nm('TimeDistributed') }), x);
  assertMatchesTwin(m, tf.model({ inputs: tokens, outputs: tags, name: 'pos_tagger' }));
  // 5000*64; 2*4*(32*(64+32) + 32) = 24,832 → 50x64; 2*3*16*(64+16+1) = 7,776 → 50x16 (ave); 16*17 + 17 = 289
  assert.deepEqual(m.layers.map((l) => l.params), [0, 320000, 24832, 7776, 289]);
  assert.deepEqual(m.outputShape, [null, 50, 17]);
  // A layer's line is where its constructor call starts: `tf.layers` on the line before `.timeDistributed(`.
  assert.equal(m.layers[4].line, lineOf(text, 'const tags = tf.layers'));
});

// ---------------------------------------------------------------------------------------------
// Functional models: several inputs and outputs, shared layers, nesting

test('multi-input / multi-output ticket model: shared embedding, concatenate of three, two named heads', async () => {
  const { text, json } = await analyzeFixture('multi-io.ts');
  const m = modelNamed(json, 'ticketModel');
  assert.equal(m.function, null);
  const nm = namer();
  const title = tf.input({ shape: [null], name: 'title' });
  const body = tf.input({ shape: [null], name: 'body' });
  const tags = tf.input({ shape: [12], name: 'tags' });
  const shared = tf.layers.embedding({ inputDim: 10000, outputDim: 64, embeddingsInitializer: 'zeros', name: nm('Embedding') });
  const tw = apply(shared, title);
  const bw = apply(shared, body);
  const tfeat = apply(tf.layers.lstm({ units: 128, ...RNN_INIT, name: nm('LSTM') }), tw);
  const bfeat = apply(tf.layers.lstm({ units: 32, ...RNN_INIT, name: nm('LSTM') }), bw);
  const merged = apply(tf.layers.concatenate({ name: nm('Concatenate') }), [tfeat, bfeat, tags]);
  const priority = apply(tf.layers.dense({ units: 1, name: 'priority' }), merged);
  const department = apply(tf.layers.dense({ units: 4, name: 'department' }), merged);
  const twin = tf.model({ inputs: [title, body, tags], outputs: [priority, department] });
  assertMatchesTwin(m, twin);
  // shared embedding counted once: 640,000; LSTM 4*(128*(64+128) + 128) = 98,816; 4*(32*(64+32) + 32) = 12,416;
  // concat 128 + 32 + 12 = 172; 172 + 1 = 173; 172*4 + 4 = 692
  assertTotals(m, 640000 + 98816 + 12416 + 173 + 692, 752097, 0);
  assert.deepEqual(m.outputShape, [[null, 1], [null, 4]]);
  const concat = m.layers.find((l) => l.className === 'Concatenate');
  assert.ok(concat);
  assert.deepEqual(concat.outputShape, [null, 172]);
  assert.equal(concat.line, lineOf(text, 'tf.layers.concatenate().apply([titleFeatures'));
});

test('siamese scorer: one dense tower applied to both inputs, tf.layers.concatenate().apply([a, b])', async () => {
  const { json } = await analyzeFixture('multi-io.ts');
  const m = modelNamed(json, 'buildSiamese');
  assert.equal(m.function, 'buildSiamese');
  const nm = namer();
  nm('Concatenate'); // the ticket model's
  const left = tf.input({ shape: [32], name: nm('input') });
  const right = tf.input({ shape: [32], name: nm('input') });
  const tower = tf.layers.dense({ units: 16, activation: 'relu', name: nm('Dense') });
  const joined = apply(tf.layers.concatenate({ name: nm('Concatenate') }), [apply(tower, left), apply(tower, right)]);
  const score = apply(tf.layers.dense({ units: 1, activation: 'sigmoid', name: nm('Dense') }), joined);
  assertMatchesTwin(m, tf.model({ inputs: [left, right], outputs: score }));
  assertTotals(m, 32 * 16 + 16 + 32 + 1, 561, 0); // the shared tower's 528 weights once; concat 16 + 16 = 32
});

test('nested: a tf.sequential feature extractor applied inside tf.model is one row with its total', async () => {
  const { text, json } = await analyzeFixture('nested.mjs');
  assert.deepEqual(json.models.map((m) => m.name), ['feature_extractor', 'species_classifier']);
  const nm = namer();
  const fe = tf.sequential({
    name: 'feature_extractor',
    layers: [
      tf.layers.conv2d({ inputShape: [64, 64, 3], filters: 16, kernelSize: 3, activation: 'relu', name: nm('Conv2D') }),
      tf.layers.maxPooling2d({ poolSize: 2, name: nm('MaxPooling2D') }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', name: nm('Conv2D') }),
      tf.layers.maxPooling2d({ poolSize: 2, name: nm('MaxPooling2D') }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', name: nm('Conv2D') }),
      tf.layers.globalAveragePooling2d({ name: nm('GlobalAveragePooling2D') }),
    ],
  });
  const image = tf.input({ shape: [64, 64, 3], name: 'image' });
  let x = apply(fe, image);
  x = apply(tf.layers.dense({ units: 64, activation: 'relu', name: nm('Dense') }), x);
  x = apply(tf.layers.dropout({ rate: 0.2, name: nm('Dropout') }), x);
  const species = apply(tf.layers.dense({ units: 3, activation: 'softmax', name: 'species' }), x);
  const clf = tf.model({ inputs: image, outputs: species, name: 'species_classifier' });
  assertMatchesTwin(modelNamed(json, 'feature_extractor'), fe);
  assertMatchesTwin(modelNamed(json, 'species_classifier'), clf);
  const row = modelNamed(json, 'species_classifier').layers[1];
  // 3*3*3*16 + 16 = 448; 3*3*16*32 + 32 = 4,640; 3*3*32*64 + 64 = 18,496
  assert.deepEqual([row.name, row.className, row.params, row.outputShape], ['feature_extractor', 'Sequential', 448 + 4640 + 18496, [null, 64]]);
  assertTotals(modelNamed(json, 'species_classifier'), 23584 + 64 * 64 + 64 + 64 * 3 + 3, 27939, 0);
  assert.equal(row.line, lineOf(text, 'export const featureExtractor = tf.sequential({'));
  assert.equal(modelNamed(json, 'species_classifier').line, lineOf(text, 'export const classifier = tf.model('));
});

// ---------------------------------------------------------------------------------------------
// JSX

test('JSX: a model built by a builder that a React (TSX) component calls in useMemo', {
}, async () => {
  const { text, json } = await analyzeFixture('IrisPlayground.tsx');
  assert.equal(allDiagnostics(json).filter((d) => d.code === 'syntax').length, 0);
  const m = modelNamed(json, 'iris');
  assert.equal(m.function, 'buildIrisModel');
  assertRows(m, [
    { name: 'dense_Dense1', className: 'Dense', outputShape: [null, 10], params: 4 * 10 + 10 },
    { name: 'dense_Dense2', className: 'Dense', outputShape: [null, 3], params: 10 * 3 + 3 },
  ]);
  assertTotals(m, 83, 83, 0);
  assert.equal(m.layers[0].line, lineOf(text, "tf.layers.dense({ units: hiddenUnits, activation: 'sigmoid'"));
});

test('JSX: a model built inline in a useMemo callback of a React (JSX) component', {
}, async () => {
  const { text, json } = await analyzeFixture('ModelCard.jsx');
  assert.equal(allDiagnostics(json).filter((d) => d.code === 'syntax').length, 0);
  const m = modelNamed(json, 'iris_card');
  // ModelCard's destructured defaults: units = 10, classes = 3
  assertRows(m, [
    { name: 'dense_Dense1', className: 'Dense', outputShape: [null, 10], params: 4 * 10 + 10 },
    { name: 'dense_Dense2', className: 'Dense', outputShape: [null, 3], params: 10 * 3 + 3 },
  ]);
  assert.equal(m.layers[1].line, lineOf(text, 'm.add(tf.layers.dense({units: classes'));
});

// ---------------------------------------------------------------------------------------------
// Broken files

test('half-typed line followed by a blank line: a syntax diagnostic there, and the model before it', async () => {
  const { text, json } = await analyzeFixture('syntax-error.js');
  const syntax = allDiagnostics(json).filter((d) => d.code === 'syntax');
  assert.ok(syntax.length >= 1, 'expected a syntax diagnostic');
  const typed = lineOf(text, 'const bottleneck = tf.layers.dense(');
  // The parser notices at `export` two lines on; the diagnostic may sit on either line.
  assert.ok(syntax.some((d) => d.line === typed || d.line === typed + 2), JSON.stringify(syntax));
  assertRows(modelNamed(json, 'encoder'), [
    { className: 'Dense', outputShape: [null, 64], params: 784 * 64 + 64 },
    { className: 'Dense', outputShape: [null, 32], params: 64 * 32 + 32 },
  ]);
  assertTotals(modelNamed(json, 'encoder'), 52320, 52320, 0);
});

test('half-typed line in the middle: the model after it is found too', async () => {
  const { json } = await analyzeFixture('syntax-error.js');
  assert.deepEqual(json.models.map((m) => m.name), ['encoder', 'decoder']);
  assertRows(modelNamed(json, 'decoder'), [
    { className: 'Dense', outputShape: [null, 64], params: 32 * 64 + 64 },
    { className: 'Dense', outputShape: [null, 784], params: 64 * 784 + 784 },
  ]);
  assertTotals(modelNamed(json, 'decoder'), 53072, 53072, 0);
});

test('half-typed line directly followed by code: a syntax diagnostic on it, both models analysed', async () => {
  const text = read('syntax-error.js').replace('activation:\n\n', 'activation:\n');
  const { json } = await analyzeJs(text, {}, 'syntax-error.js');
  const syntax = allDiagnostics(json).filter((d) => d.code === 'syntax');
  assert.deepEqual(syntax.map((d) => d.line), [lineOf(text, 'const bottleneck = tf.layers.dense(')]);
  assert.deepEqual(json.models.map((m) => [m.name, m.totalParams]), [['encoder', 52320], ['decoder', 53072]]); // 784*64+64 + 64*32+32; 32*64+64 + 64*784+784
  assert.deepEqual(modelNamed(json, 'decoder').layers.map((l) => [l.outputShape, l.line]), [
    [[null, 64], lineOf(text, 'tf.layers.dense({inputShape: [32]')],
    [[null, 784], lineOf(text, 'tf.layers.dense({units: 784')],
  ]);
});

test('shape errors: a 5x5 valid conv2d on a 2x2 map is a negative-dimension error on its line', async () => {
  const { text, json } = await analyzeFixture('shape-errors.js');
  const m = modelNamed(json, 'tooDeep');
  assertRows(m.layers.length >= 4 ? { ...m, layers: m.layers.slice(0, 4) } : m, [
    { name: 'conv2d_Conv2D1', className: 'Conv2D', outputShape: [null, 16, 16, 8], params: 3 * 3 * 3 * 8 + 8 },
    { name: 'max_pooling2d_MaxPooling2D1', className: 'MaxPooling2D', outputShape: [null, 8, 8, 8], params: 0 },
    { name: 'max_pooling2d_MaxPooling2D2', className: 'MaxPooling2D', outputShape: [null, 4, 4, 8], params: 0 },
    { name: 'max_pooling2d_MaxPooling2D3', className: 'MaxPooling2D', outputShape: [null, 2, 2, 8], params: 0 },
  ]);
  const neg = allDiagnostics(json).filter((d) => d.code === 'negative-dimension');
  assert.ok(neg.length >= 1, JSON.stringify(allDiagnostics(json)));
  for (const d of neg) {
    assert.equal(d.severity, 'error');
    assert.ok(d.message.startsWith('Negative dimension size caused by subtracting 5 from 2'), d.message);
    assert.equal(d.line, lineOf(text, 'tf.layers.conv2d({filters: 16, kernelSize: 5})'));
  }
  // No cascade: layers after the bad conv get unknown dimensions, not more errors, and no negative numbers.
  assert.deepEqual([...new Set(m.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))], ['negative-dimension']);
  // Keras raises at the conv: nothing after it has a size.
  assert.deepEqual(m.layers[4].outputShape, [null, '?', '?', 16]);
  assert.equal(m.totalParams, '?');
});

test('shape errors: concatenating 32x32 and 16x16 maps is a merge-mismatch error', async () => {
  const { text, json } = await analyzeFixture('shape-errors.js');
  const m = modelNamed(json, 'badSkip');
  assert.deepEqual(m.layers.map((l) => l.className), ['InputLayer', 'Conv2D', 'Conv2D', 'Concatenate', 'Conv2D']);
  // (the InputLayer's name is checked with the other tfjs input names above)
  assert.deepEqual(m.layers.slice(0, 3).map((l, i) => [i === 0 ? 'input' : l.name, l.outputShape, l.params]), [
    ['input', [null, 32, 32, 3], 0],
    ['conv2d_Conv2D3', [null, 32, 32, 8], 3 * 3 * 3 * 8 + 8],
    ['conv2d_Conv2D4', [null, 16, 16, 8], 3 * 3 * 8 * 8 + 8], // ceil(32 / 2)
  ]);
  const mm = allDiagnostics(json).filter((d) => d.code === 'merge-mismatch');
  assert.equal(mm.length, 1, JSON.stringify(allDiagnostics(json)));
  assert.equal(mm[0].severity, 'error');
  assert.equal(mm[0].line, lineOf(text, 'tf.layers.concatenate().apply([full, half])'));
  assert.equal(m.layers[3].outputShape, '?');
});

test('shape errors: tfjs itself refuses the mismatched concatenate (the error is real)', () => {
  const input = tf.input({ shape: [32, 32, 3] });
  const full = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }), input);
  const half = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }), full);
  assert.throws(() => tf.layers.concatenate().apply([full, half]), /matching shapes/);
});
