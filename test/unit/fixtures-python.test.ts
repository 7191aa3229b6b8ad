// Realistic Keras files in test/fixtures/python, checked against tfjs-built twins and hand-computed Keras 3 figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyze } from './helpers/python';
import { allDiagnostics, assertRows, assertTotals, lineOf, modelNamed, type Row } from './helpers/fixture-asserts';
import type { JsonFile, JsonModel, JsonShape } from '../../src/core/analysis';
import { fixturesDir } from './helpers/paths';

// ---------------------------------------------------------------------------------------------
// Fixture files

const FIXTURES = fixturesDir('python');

function read(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, ...rel.split('/')), 'utf8');
}

/** Analyses one fixture file on its own (file name = its path relative to the fixtures dir). */
async function analyzeFixture(rel: string): Promise<{ text: string; json: JsonFile }> {
  const text = read(rel);
  const { json } = await analyze(text, {}, rel);
  return { text, json };
}


// ---------------------------------------------------------------------------------------------
// tfjs twins: the same network built with tfjs-layers, named the way Keras 3 auto-names

/** Keras' per-session name counter (`conv2d`, `conv2d_1`, ...), one per fixture file. */
function namer(): (base: string) => string {
  const counts = new Map<string, number>();
  return (base) => {
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  };
}

function weightCount(ws: tf.LayerVariable[]): number {
  return ws.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 0), 1), 0);
}

/** A tfjs model's layers as Keras summary rows (tfjs lists a Sequential's layers without its InputLayer, as Keras does). */
function tfRows(m: tf.LayersModel): Row[] {
  return m.layers.map((l) => {
    const cls = l.getClassName();
    const trainable = weightCount(l.trainableWeights);
    const nonTrainable = weightCount(l.nonTrainableWeights);
    return {
      name: l.name,
      className: cls === 'Model' ? 'Functional' : cls,
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

/** Compares every row and the totals of an analysed model with its tfjs twin. */
function assertMatchesTwin(m: JsonModel, twin: tf.LayersModel): void {
  assertRows(m, tfRows(twin));
  assertTotals(m, ...tfTotals(twin));
  const out = twin.outputs.length === 1 ? twin.outputs[0].shape : twin.outputs.map((o) => o.shape);
  assert.deepEqual(m.outputShape, out, `output shape of model "${m.name}"`);
}

type SymT = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: SymT | SymT[]): SymT => layer.apply(x) as SymT;

// ---------------------------------------------------------------------------------------------
// Seeds

test('seed 002: the CNN without and with max pooling, every row as Keras printed it', async () => {
  const { text, json } = await analyzeFixture('seed_002_max_pooling.py');
  assert.equal(json.models.length, 2);
  const [without, withPool] = json.models;
  // Rows copied from the Keras summary in /work/shared/seeds/002 (its names carry session counters).
  assertRows(without, [
    { name: 'conv2d', className: 'Conv2D', outputShape: [null, 222, 222, 10], params: 280 }, // 3*3*3*10 + 10
    { name: 'conv2d_1', className: 'Conv2D', outputShape: [null, 220, 220, 10], params: 910 }, // 3*3*10*10 + 10
    { name: 'conv2d_2', className: 'Conv2D', outputShape: [null, 218, 218, 10], params: 910 },
    { name: 'flatten', className: 'Flatten', outputShape: [null, 475240], params: 0 }, // 218*218*10
    { name: 'dense', className: 'Dense', outputShape: [null, 1], params: 475241 }, // 475240*1 + 1
  ]);
  assertTotals(without, 477341, 477341, 0);
  assertRows(withPool, [
    { name: 'conv2d_3', className: 'Conv2D', outputShape: [null, 222, 222, 10], params: 280 },
    { name: 'max_pooling2d', className: 'MaxPooling2D', outputShape: [null, 111, 111, 10], params: 0 },
    { name: 'conv2d_4', className: 'Conv2D', outputShape: [null, 109, 109, 10], params: 910 },
    { name: 'max_pooling2d_1', className: 'MaxPooling2D', outputShape: [null, 54, 54, 10], params: 0 }, // floor(109/2)
    { name: 'conv2d_5', className: 'Conv2D', outputShape: [null, 52, 52, 10], params: 910 },
    { name: 'max_pooling2d_2', className: 'MaxPooling2D', outputShape: [null, 26, 26, 10], params: 0 },
    { name: 'flatten_1', className: 'Flatten', outputShape: [null, 6760], params: 0 }, // 26*26*10
    { name: 'dense_1', className: 'Dense', outputShape: [null, 1], params: 6761 },
  ]);
  assertTotals(withPool, 8861, 8861, 0);
  // Both are assigned to `model`; the second model's multi-line first Conv2D starts on its own line.
  assert.equal(withPool.layers[0].line, lineOf(text, 'tf.keras.layers.Conv2D(', 4));
  assert.equal(without.layers[4].line, lineOf(text, 'tf.keras.layers.Dense(1', 1));
  assert.equal(allDiagnostics(json).filter((d) => d.severity === 'error').length, 0);
});

test('seed 001: Conv2D 3x3 on 28x28x1, MaxPooling2D(strides=2), Flatten, Dense 10', async () => {
  const { json } = await analyzeFixture('seed_001_pooling.py');
  assert.equal(json.models.length, 1);
  const m = modelNamed(json, 'model');
  assert.equal(m.function, null);
  const nm = namer();
  nm('input_layer'); // the InputLayer Keras builds from input_shape= takes the first name
  const twin = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape: [28, 28, 1], name: nm('conv2d') }),
      tf.layers.maxPooling2d({ poolSize: [2, 2], strides: 2, name: nm('max_pooling2d') }),
      tf.layers.flatten({ name: nm('flatten') }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: nm('dense') }),
    ],
  });
  assertMatchesTwin(m, twin);
  assertTotals(m, 54410, 54410, 0); // (3*3*1*32 + 32) + (13*13*32*10 + 10) = 320 + 54090
});

// ---------------------------------------------------------------------------------------------
// Everyday models

test('keras.io MNIST convnet: keras.Input inside Sequential, no InputLayer row, 34,826 params', async () => {
  const { text, json } = await analyzeFixture('mnist_convnet.py');
  assert.equal(json.models.length, 1);
  const m = modelNamed(json, 'model');
  const nm = namer();
  nm('input_layer');
  const twin = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape: [28, 28, 1], name: nm('conv2d') }),
      tf.layers.maxPooling2d({ poolSize: [2, 2], name: nm('max_pooling2d') }),
      tf.layers.conv2d({ filters: 64, kernelSize: [3, 3], activation: 'relu', name: nm('conv2d') }),
      tf.layers.maxPooling2d({ poolSize: [2, 2], name: nm('max_pooling2d') }),
      tf.layers.flatten({ name: nm('flatten') }),
      tf.layers.dropout({ rate: 0.5, name: nm('dropout') }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: nm('dense') }),
    ],
  });
  assertMatchesTwin(m, twin);
  assertTotals(m, 34826, 34826, 0); // 320 + (3*3*32*64 + 64) + (5*5*64*10 + 10) = 320 + 18496 + 16010
  assert.equal(m.layers[2].line, lineOf(text, 'layers.Conv2D(64'));
  assert.equal(m.layers[6].line, lineOf(text, 'layers.Dense(num_classes'));
  assert.equal(m.line, lineOf(text, 'model = keras.Sequential('));
});

test('ResNet-style functional model: residual helpers, layers.add and Add(), loop over stages', async () => {
  const { json } = await analyzeFixture('resnet_functional.py');
  assert.equal(json.models.length, 1);
  const m = modelNamed(json, 'resnet_small');
  assert.equal(m.function, 'build_resnet');

  const nm = namer();
  const conv = (x: SymT, filters: number, kernel: number, strides = 1) =>
    apply(tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding: kernel === 1 ? 'valid' : 'same', useBias: false, name: nm('conv2d') }), x);
  const bn = (x: SymT) => apply(tf.layers.batchNormalization({ name: nm('batch_normalization') }), x);
  const act = (x: SymT) => apply(tf.layers.activation({ activation: 'relu', name: nm('activation') }), x);
  const relu = (x: SymT) => apply(tf.layers.reLU({ name: nm('re_lu') }), x);
  const add = (a: SymT, b: SymT) => apply(tf.layers.add({ name: nm('add') }), [a, b]);
  const convBlock = (x: SymT, filters: number, stride: number) => {
    let shortcut = x;
    x = act(bn(conv(x, filters, 3, stride)));
    x = bn(conv(x, filters, 3));
    if (stride !== 1 || shortcut.shape[3] !== filters) shortcut = bn(conv(shortcut, filters, 1, stride));
    return relu(add(x, shortcut));
  };
  const identityBlock = (x: SymT, filters: number) => {
    const shortcut = x;
    x = relu(bn(conv(x, filters, 3)));
    x = bn(conv(x, filters, 3));
    return act(add(x, shortcut));
  };
  const inputs = tf.input({ shape: [32, 32, 3], name: nm('input_layer') });
  let x = act(bn(conv(inputs, 16, 3)));
  [16, 32, 64].forEach((filters, stage) => {
    for (let block = 0; block < 2; block++) x = block === 0 ? convBlock(x, filters, stage === 0 ? 1 : 2) : identityBlock(x, filters);
  });
  x = apply(tf.layers.globalAveragePooling2d({ name: nm('global_average_pooling2d') }), x);
  const outputs = apply(tf.layers.dense({ units: 10, activation: 'softmax', name: nm('dense') }), x);
  const twin = tf.model({ inputs, outputs, name: 'resnet_small' });
  assertMatchesTwin(m, twin);
  // conv weights (no bias) 432 + 4*2304 + 4608 + 3*9216 + 512 + 18432 + 3*36864 + 2048 = 173,488;
  // BN 4*C over 5*16 + 5*32 + 5*64 channels = 4*560 = 2,240 (half non-trainable); Dense 64*10 + 10 = 650
  assertTotals(m, 173488 + 2240 + 650, 173488 + 1120 + 650, 1120);
});

test('U-Net: Conv2DTranspose decoder with concatenate skip connections', async () => {
  const { text, json } = await analyzeFixture('unet.py');
  assert.equal(json.models.length, 1);
  const m = json.models[0];
  assert.equal(m.function, 'build_unet');

  const nm = namer();
  const conv = (x: SymT, filters: number) => apply(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', name: nm('conv2d') }), x);
  const doubleConv = (x: SymT, filters: number) => conv(conv(x, filters), filters);
  const inputs = tf.input({ shape: [128, 128, 1], name: nm('input_layer') });
  const skips: SymT[] = [];
  let x = inputs;
  let filters = 16;
  for (let i = 0; i < 3; i++) {
    x = doubleConv(x, filters);
    skips.push(x);
    x = apply(tf.layers.maxPooling2d({ poolSize: 2, name: nm('max_pooling2d') }), x);
    filters *= 2;
  }
  x = doubleConv(x, filters);
  for (const skip of skips.reverse()) {
    filters /= 2;
    x = apply(tf.layers.conv2dTranspose({ filters, kernelSize: 2, strides: 2, padding: 'same', name: nm('conv2d_transpose') }), x);
    x = apply(tf.layers.concatenate({ name: nm('concatenate') }), [x, skip]);
    x = doubleConv(x, filters);
  }
  const outputs = apply(tf.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'softmax', name: nm('conv2d') }), x);
  assertMatchesTwin(m, tf.model({ inputs, outputs }));
  // Rows in Keras order: encoder, bottleneck, then each decoder stage. Spot-check by hand too.
  assert.deepEqual(m.layers[12].outputShape, [null, 32, 32, 64]); // Conv2DTranspose(64, 2, strides=2) on 16x16
  assert.equal(m.layers[12].params, 2 * 2 * 64 * 128 + 64); // kernel (2, 2, out 64, in 128) + bias
  assert.deepEqual(m.layers[13].outputShape, [null, 32, 32, 128]); // concat 64 + 64 channels
  assert.equal(m.layers[1].line, lineOf(text, 'x = layers.Conv2D(filters, 3', 1));
});

test('U-Net: a model only returned by its builder is named after the variable it is assigned to', async () => {
  const { json } = await analyzeFixture('unet.py');
  assert.equal(json.models[0].name, 'unet');
});

test('cross-file: constants from an absolute import, helpers from a relative import', async () => {
  const rel = 'project/models/classifier.py';
  const text = read(rel);
  const others = {
    'config.py': read('project/config.py'),
    'models/__init__.py': read('project/models/__init__.py'),
    'models/blocks.py': read('project/models/blocks.py'),
  };
  const { json } = await analyze(text, others, 'models/classifier.py');
  assert.equal(json.models.length, 1);
  const m = modelNamed(json, 'project_classifier');
  assert.equal(m.function, 'build_classifier');
  assert.deepEqual(allDiagnostics(json).filter((d) => d.severity !== 'info'), []);

  const nm = namer();
  const convBn = (x: SymT, filters: number, strides = 1) => {
    x = apply(tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, name: nm('conv2d') }), x);
    x = apply(tf.layers.batchNormalization({ name: nm('batch_normalization') }), x);
    return apply(tf.layers.activation({ activation: 'relu', name: nm('activation') }), x);
  };
  const inputs = tf.input({ shape: [64, 64, 3], name: nm('input_layer') });
  let x = inputs;
  for (const filters of [32, 64, 128]) x = convBn(convBn(x, filters), filters, 2);
  x = apply(tf.layers.globalAveragePooling2d({ name: nm('global_average_pooling2d') }), x);
  x = apply(tf.layers.dropout({ rate: 0.25, name: nm('dropout') }), x);
  const outputs = apply(tf.layers.dense({ units: 5, activation: 'softmax', name: nm('dense') }), x);
  assertMatchesTwin(m, tf.model({ inputs, outputs }));
  // conv 864 + 9216 + 18432 + 36864 + 73728 + 147456 = 286,560; BN 4*(2*32 + 2*64 + 2*128) = 1,792; Dense 645
  assertTotals(m, 286560 + 1792 + 645, 286560 + 896 + 645, 896);
  // Layers made in blocks.py are placed at the call site in the main file.
  assert.equal(m.layers[1].line, lineOf(text, 'x = conv_bn(x, filters)'));
  assert.equal(m.layers[4].line, lineOf(text, 'x = conv_bn(x, filters, strides=2)'));
  assert.equal(m.layers.at(-1)!.line, lineOf(text, 'outputs = classifier_head('));
});

test('cross-file: without the sibling files the model is not invented, and nothing throws', async () => {
  const { json } = await analyze(read('project/models/classifier.py'), {}, 'models/classifier.py');
  for (const m of json.models) assert.notEqual(m.totalParams, 288997);
});

test('subclassed keras.Model: shapes from model.build((None, 32, 32, 3))', async () => {
  const { text, json } = await analyzeFixture('subclassed_models.py');
  assert.equal(json.models.length, 2);
  const cnn = modelNamed(json, 'cnn');
  const nm = namer();
  // A subclassed model has no InputLayer; rows follow the order layers are assigned in __init__.
  const twin = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [32, 32, 3], name: nm('conv2d') }),
      tf.layers.maxPooling2d({ poolSize: 2, name: nm('max_pooling2d') }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', name: nm('conv2d') }),
      tf.layers.globalAveragePooling2d({ name: nm('global_average_pooling2d') }),
      tf.layers.dropout({ rate: 0.3, name: nm('dropout') }),
      tf.layers.dense({ units: 100, name: nm('dense') }),
    ],
  });
  assertMatchesTwin(cnn, twin);
  assertTotals(cnn, 25892, 25892, 0); // 896 + 18496 + (64*100 + 100)
  assert.equal(cnn.layers[0].line, lineOf(text, 'self.conv1 = layers.Conv2D'));

  const mlp = modelNamed(json, 'mnist_mlp'); // name= passed to super().__init__
  const twin2 = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1], name: nm('flatten') }),
      tf.layers.dense({ units: 128, activation: 'relu', name: nm('dense') }),
      tf.layers.batchNormalization({ name: nm('batch_normalization') }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: nm('dense') }),
    ],
  });
  assertMatchesTwin(mlp, twin2);
  assertTotals(mlp, 102282, 102026, 256); // 784*128 + 128 + 4*128 + 128*10 + 10; BN moving stats 2*128
});

test('subclassed keras.Model through a project base class', async () => {
  const { json } = await analyzeFixture('subclassed_base_class.py');
  const m = modelNamed(json, 'regressor');
  assertRows(m, [
    { name: 'dense', className: 'Dense', outputShape: [null, 16], params: 8 * 16 + 16 },
    { name: 'dense_1', className: 'Dense', outputShape: [null, 1], params: 16 + 1 },
  ]);
  assertTotals(m, 161, 161, 0);
});

test('a layerless base class is not reported as a model', async () => {
  const { json } = await analyzeFixture('subclassed_base_class.py');
  assert.deepEqual(json.models.map((x) => x.name), ['regressor']);
});

test('nested model: a Sequential feature extractor is one row of the functional classifier', async () => {
  const { json } = await analyzeFixture('nested_model.py');
  assert.equal(json.models.length, 2);
  const nm = namer();
  nm('input_layer');
  const fe = tf.sequential({
    name: 'feature_extractor',
    layers: [
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', inputShape: [64, 64, 3], name: nm('conv2d') }),
      tf.layers.maxPooling2d({ poolSize: 2, name: nm('max_pooling2d') }),
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', name: nm('conv2d') }),
      tf.layers.maxPooling2d({ poolSize: 2, name: nm('max_pooling2d') }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', name: nm('conv2d') }),
      tf.layers.globalAveragePooling2d({ name: nm('global_average_pooling2d') }),
    ],
  });
  const inputs = tf.input({ shape: [64, 64, 3], name: 'image' });
  let x = apply(fe, inputs);
  x = apply(tf.layers.dense({ units: 64, activation: 'relu', name: nm('dense') }), x);
  x = apply(tf.layers.dropout({ rate: 0.2, name: nm('dropout') }), x);
  const outputs = apply(tf.layers.dense({ units: 3, activation: 'softmax', name: 'species' }), x);
  const clf = tf.model({ inputs, outputs, name: 'species_classifier' });
  assertMatchesTwin(modelNamed(json, 'feature_extractor'), fe);
  assertMatchesTwin(modelNamed(json, 'species_classifier'), clf);
  const row = modelNamed(json, 'species_classifier').layers[1];
  assert.deepEqual([row.name, row.className, row.params], ['feature_extractor', 'Sequential', 448 + 4640 + 18496]);
  assertTotals(modelNamed(json, 'species_classifier'), 27939, 27939, 0); // 23584 + (64*64 + 64) + (64*3 + 3)
});

test('text models: Embedding + Bidirectional LSTM (keras.io IMDB example, 2,757,761 params)', async () => {
  const { json } = await analyzeFixture('text_rnn.py');
  assert.equal(json.models.length, 2);
  const nm = namer();
  const inputs = tf.input({ shape: [null], dtype: 'int32', name: nm('input_layer') });
  // Zero initialisers: tfjs really allocates and initialises weights, and orthogonal init is slow on the CPU backend.
  const init = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros' } as const;
  let x = apply(tf.layers.embedding({ inputDim: 20000, outputDim: 128, embeddingsInitializer: 'zeros', name: nm('embedding') }), inputs);
  x = apply(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 64, returnSequences: true, ...init, name: nm('lstm') }) as tf.RNN, name: nm('bidirectional') }), x);
  x = apply(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 64, ...init, name: nm('lstm') }) as tf.RNN, name: nm('bidirectional') }), x);
  const outputs = apply(tf.layers.dense({ units: 1, activation: 'sigmoid', name: nm('dense') }), x);
  const m = modelNamed(json, 'bilstm');
  assertMatchesTwin(m, tf.model({ inputs, outputs }));
  // 20000*128 + 2 * 2*4*(64*(128+64) + 64) + (128 + 1)
  assertTotals(m, 2560000 + 2 * 98816 + 129, 2757761, 0);
});

test('text models: Embedding + GRU (reset_after=True, the Keras default) + Bidirectional(merge_mode="sum")', async () => {
  const { json } = await analyzeFixture('text_rnn.py');
  const m = modelNamed(json, 'gru_classifier');
  // tfjs cannot build reset_after=True GRUs, so these are by hand:
  // GRU params = 3 * (units*input_dim + units*units + 2*units) with reset_after=True (two bias vectors).
  assertRows(m, [
    { name: 'embedding_1', className: 'Embedding', outputShape: [null, 200, 64], params: 20000 * 64 },
    { name: 'gru', className: 'GRU', outputShape: [null, 200, 32], params: 3 * (32 * 64 + 32 * 32 + 2 * 32) }, // 9,408
    { name: 'bidirectional_2', className: 'Bidirectional', outputShape: [null, 16], params: 2 * 3 * (16 * 32 + 16 * 16 + 2 * 16) }, // 4,800; "sum" keeps 16
    { name: 'dense_1', className: 'Dense', outputShape: [null, 1], params: 16 + 1 },
  ]);
  assertTotals(m, 1280000 + 9408 + 4800 + 17, 1294225, 0);
});

test('transfer learning: a frozen user-built backbone used as a layer', async () => {
  const { json } = await analyzeFixture('transfer_learning.py');
  assert.equal(json.models.length, 2);
  const nm = namer();
  const bIn = tf.input({ shape: [96, 96, 3], name: nm('input_layer') });
  let x = bIn;
  for (const filters of [32, 64, 128]) {
    x = apply(tf.layers.separableConv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name: nm('separable_conv2d') }), x);
    x = apply(tf.layers.batchNormalization({ name: nm('batch_normalization') }), x);
    x = apply(tf.layers.activation({ activation: 'relu', name: nm('activation') }), x);
    x = apply(tf.layers.maxPooling2d({ poolSize: 2, name: nm('max_pooling2d') }), x);
  }
  const base = tf.model({ inputs: bIn, outputs: x, name: 'backbone' });
  base.trainable = false;
  const inputs = tf.input({ shape: [96, 96, 3], name: nm('input_layer') });
  x = apply(tf.layers.rescaling({ scale: 1 / 127.5, offset: -1, name: nm('rescaling') }), inputs);
  x = apply(base, x);
  x = apply(tf.layers.globalAveragePooling2d({ name: nm('global_average_pooling2d') }), x);
  x = apply(tf.layers.dropout({ rate: 0.2, name: nm('dropout') }), x);
  const outputs = apply(tf.layers.dense({ units: 5, name: nm('dense') }), x);
  const head = tf.model({ inputs, outputs, name: 'flower_classifier' });

  const backbone = modelNamed(json, 'backbone');
  assert.equal(backbone.function, 'make_backbone');
  assertRows(backbone, tfRows(base).map(({ name, className, outputShape, params }) => ({ name, className, outputShape, params })));
  // Separable conv without bias: 3*3*C_in + C_in*filters → 27+96, 288+2048, 576+8192; BN 4*(32+64+128)
  assert.equal(backbone.totalParams, 123 + 2336 + 8768 + 896);

  const m = modelNamed(json, 'flower_classifier');
  assertMatchesTwin(m, head);
  assert.deepEqual(m.layers[2].className, 'Functional');
  assertTotals(m, 12123 + 645, 645, 12123); // everything in the frozen backbone is non-trainable
});

test('1D conv on sensor data and 3D channels_first conv on volumes', async () => {
  const { json } = await analyzeFixture('conv1d_3d.py');
  assert.equal(json.models.length, 2);
  const nm = namer();
  nm('input_layer');
  const har = tf.sequential({
    layers: [
      tf.layers.conv1d({ filters: 64, kernelSize: 3, activation: 'relu', inputShape: [128, 9], name: nm('conv1d') }),
      tf.layers.conv1d({ filters: 64, kernelSize: 3, activation: 'relu', name: nm('conv1d') }),
      tf.layers.dropout({ rate: 0.5, name: nm('dropout') }),
      tf.layers.maxPooling1d({ poolSize: 2, name: nm('max_pooling1d') }),
      tf.layers.conv1d({ filters: 32, kernelSize: 5, strides: 2, padding: 'same', name: nm('conv1d') }),
      tf.layers.globalAveragePooling1d({ name: nm('global_average_pooling1d') }),
      tf.layers.dense({ units: 100, activation: 'relu', name: nm('dense') }),
      tf.layers.dense({ units: 6, activation: 'softmax', name: nm('dense') }),
    ],
  });
  assertMatchesTwin(modelNamed(json, 'har_model'), har);
  assertTotals(modelNamed(json, 'har_model'), 28322, 28322, 0); // 1792 + 12352 + (5*64*32 + 32) + (32*100 + 100) + (100*6 + 6)

  // tfjs has no GlobalAveragePooling3D: by hand, channels first (C, D, H, W).
  const vol = modelNamed(json, 'volume_net');
  assert.equal(vol.function, 'build_volume_net');
  assertRows(vol, [
    { name: 'input_layer_1', className: 'InputLayer', outputShape: [null, 1, 32, 64, 64], params: 0 },
    { name: 'conv3d', className: 'Conv3D', outputShape: [null, 8, 32, 64, 64], params: 3 * 3 * 3 * 1 * 8 + 8 }, // same padding
    { name: 'max_pooling3d', className: 'MaxPooling3D', outputShape: [null, 8, 16, 32, 32], params: 0 },
    // D: 16-3+1 = 14; H, W: ceil((32-3+1)/2) = 15
    { name: 'conv3d_1', className: 'Conv3D', outputShape: [null, 16, 14, 15, 15], params: 3 * 3 * 3 * 8 * 16 + 16 },
    { name: 'batch_normalization', className: 'BatchNormalization', outputShape: [null, 16, 14, 15, 15], params: 4 * 16, trainableParams: 2 * 16, nonTrainableParams: 2 * 16 },
    { name: 'global_average_pooling3d', className: 'GlobalAveragePooling3D', outputShape: [null, 16], params: 0 },
    { name: 'dense_2', className: 'Dense', outputShape: [null, 2], params: 16 * 2 + 2 }, // dense, dense_1 are har_model's
  ]);
  assertTotals(vol, 224 + 3472 + 64 + 34, 224 + 3472 + 32 + 34, 32);
});

// ---------------------------------------------------------------------------------------------
// Broken files

test('half-typed line in the middle: a syntax diagnostic and both models', async () => {
  const { text, json } = await analyzeFixture('syntax_error.py');
  const syntax = allDiagnostics(json).filter((d) => d.code === 'syntax');
  assert.ok(syntax.length >= 1, 'expected a syntax diagnostic');
  assert.ok(syntax.some((d) => d.line === lineOf(text, 'bottleneck = layers.Dense(')), JSON.stringify(syntax));
  assert.deepEqual(json.models.map((m) => m.name), ['encoder', 'decoder']);
  assertRows(modelNamed(json, 'encoder'), [
    { className: 'Dense', outputShape: [null, 64], params: 784 * 64 + 64 },
    { className: 'Dense', outputShape: [null, 32], params: 64 * 32 + 32 },
  ]);
  assertTotals(modelNamed(json, 'encoder'), 52320, 52320, 0);
  assertRows(modelNamed(json, 'decoder'), [
    { className: 'Dense', outputShape: [null, 64], params: 32 * 64 + 64 },
    { className: 'Dense', outputShape: [null, 784], params: 64 * 784 + 784 },
  ]);
  assertTotals(modelNamed(json, 'decoder'), 53072, 53072, 0);
});

test('shape errors: a 3x3 valid conv on a 2x2 map is a negative-dimension error', async () => {
  const { text, json } = await analyzeFixture('shape_errors.py');
  const m = modelNamed(json, 'too_deep');
  assert.deepEqual(m.layers[3].outputShape, [null, 2, 2, 8]); // 16 → 8 → 4 → 2
  const neg = allDiagnostics(json).filter((d) => d.code === 'negative-dimension');
  assert.ok(neg.length >= 1, 'expected a negative-dimension diagnostic');
  for (const d of neg) {
    assert.equal(d.severity, 'error');
    assert.ok(d.message.startsWith('Negative dimension size caused by subtracting 3 from 2'), d.message);
    assert.equal(d.line, lineOf(text, 'layers.Conv2D(16, 3)'));
  }
});

test('shape errors: layers after the negative dimension get no cascading errors', async () => {
  const { json } = await analyzeFixture('shape_errors.py');
  const errors = modelNamed(json, 'too_deep').diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual([...new Set(errors.map((d) => d.code))], ['negative-dimension']);
});

test('shape errors: Concatenate of (32, 32) and (16, 16) maps is a merge-mismatch error', async () => {
  const { text, json } = await analyzeFixture('shape_errors.py');
  const m = modelNamed(json, 'bad_skip');
  assert.deepEqual(m.layers.map((l) => l.className), ['InputLayer', 'Conv2D', 'Conv2D', 'Concatenate', 'Conv2D']);
  const mm = allDiagnostics(json).filter((d) => d.code === 'merge-mismatch');
  assert.equal(mm.length, 1);
  assert.equal(mm[0].severity, 'error');
  assert.equal(mm[0].line, lineOf(text, 'merged = layers.Concatenate()'));
  assert.equal(m.layers[3].outputShape, '?');
});

test('unknown custom layer in a functional model: a warning and unknown shapes after it', async () => {
  const { text, json } = await analyzeFixture('shape_errors.py');
  const m = modelNamed(json, 'custom_functional');
  const warn = allDiagnostics(json).filter((d) => d.code === 'unknown-layer' && d.line === lineOf(text, 'attended = FancyAttention('));
  assert.equal(warn.length, 1);
  assert.equal(warn[0].severity, 'warning');
  const dense = m.layers.find((l) => l.className === 'Dense');
  assert.ok(dense);
  assert.equal(dense.outputShape, '?');
  assert.equal(dense.params, '?');
  assert.equal(m.totalParams, '?');
});

test('unknown custom layer in a functional model: its row is named after the class', async () => {
  const { json } = await analyzeFixture('shape_errors.py');
  const row = modelNamed(json, 'custom_functional').layers[1];
  // The Sequential above made the file's first FancyAttention, so Keras names this one `_1`.
  assert.deepEqual([row.name, row.className], ['fancy_attention_1', 'FancyAttention']);
});

test('unknown custom layer in a Sequential list: a warning on its line', async (t) => {
  const { text, json } = await analyzeFixture('shape_errors.py');
  const warn = allDiagnostics(json).filter((d) => d.code === 'unknown-layer' && d.severity === 'warning');
  assert.ok(warn.length >= 1);
  assert.ok(modelNamed(json, 'custom'));
  await t.test('… pointing at the custom layer, not at the model', () => {
    assert.ok(warn.some((d) => d.line === lineOf(text, 'FancyAttention(num_heads=4),')), JSON.stringify(warn));
  });
});

test('unknown custom layer in a Sequential list: Dense after it has unknown shape and params', async () => {
  const { json } = await analyzeFixture('shape_errors.py');
  const m = modelNamed(json, 'custom');
  const dense = m.layers.find((l) => l.className === 'Dense');
  assert.ok(dense);
  assert.equal(dense.params, '?');
  assert.equal(dense.outputShape, '?');
  assert.equal(m.totalParams, '?');
});
