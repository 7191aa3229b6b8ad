// Cost analytics (core/cost.ts): MACs, tf.profiler FLOPs, activation bytes, peak live memory and
// receptive fields, against formulas worked by hand in the comments, tfjs (shapes, and the input
// positions a tfjs output's gradient reaches for receptive fields), and the CLI's --columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyze, analyzeOnDisk } from './helpers/python';
import { analyzeJs } from './helpers/tfjs';
import { repoRoot } from './helpers/paths';
import type { JsonLayer, JsonModel } from '../../src/core/analysis';
import { COST_COLUMNS, describeLayerCost, describeModelCost, dtypeBytes, modelCost } from '../../src/core/cost';
import { SUMMARY_COLUMNS } from '../../src/editor/settingKeys';
import { formatShortBytes, formatShortCount } from '../../src/core/shape';
import { layerHoverMarkdown, modelHoverMarkdown } from '../../src/server/presentation';

async function model(body: string, name?: string): Promise<JsonModel> {
  const { json } = await analyze(`import keras\nfrom keras import layers\n${body}\n`);
  const m = name ? json.models.find((x) => x.name === name) : json.models[json.models.length - 1];
  assert.ok(m, `model ${name ?? ''} missing: ${JSON.stringify(json.models.map((x) => x.name))}`);
  return m;
}

function layer(m: JsonModel, name: string): JsonLayer {
  const l = m.layers.find((x) => x.name === name);
  assert.ok(l, `layer ${name} missing: ${m.layers.map((x) => x.name).join(', ')}`);
  return l;
}

/** One layer called on an Input of `shape`: its [macs, flops]. */
async function one(shape: string, layerCode: string): Promise<[unknown, unknown]> {
  const m = await model(`x = keras.Input(shape=${shape})\ny = ${layerCode}(x)\nm = keras.Model(x, y)`);
  const l = m.layers[1];
  assert.equal(m.totalMacs, l.macs, 'the model total is the one layer');
  return [l.macs, l.flops];
}

// MACs: one per weight multiply; FLOPs: tf.profiler's Conv2D / DepthwiseConv2dNative 2 per MAC,
// BiasAdd one per output element, MatMul 2 per MAC, pooling the window's area per output element.
const LAYERS: [input: string, code: string, macs: number | '?', flops: number | '?'][] = [
  // 10×10×3, 3×3 valid → 8×8×8: 64·9·3·8 = 13,824 MACs; 2·13,824 + 64·8 bias = 28,160.
  ['(10, 10, 3)', 'layers.Conv2D(8, 3)', 13_824, 28_160],
  // same, stride 2 → 5×5×8: 25·9·3·8 = 5,400; no bias: 10,800.
  ["(10, 10, 3)", "layers.Conv2D(8, 3, strides=2, padding='same', use_bias=False)", 5_400, 10_800],
  // groups=2 on 4 channels → each filter sees 2: 64·9·2·8 = 9,216; 18,432 + 512.
  ['(10, 10, 4)', 'layers.Conv2D(8, 3, groups=2)', 9_216, 18_944],
  // dilation 2: K = 5, 10 → 6: 36·9·3·8 = 7,776 (a MAC per weight, not per dilated tap); 15,552 + 288.
  ['(10, 10, 3)', 'layers.Conv2D(8, 3, dilation_rate=2)', 7_776, 15_840],
  // depthwise ×2 → 8×8×6: 64·9·6 = 3,456; 6,912 + 384.
  ['(10, 10, 3)', 'layers.DepthwiseConv2D(3, depth_multiplier=2)', 3_456, 7_296],
  // separable: depthwise 64·9·3 = 1,728 + pointwise 64·3·8 = 1,536 → 3,264; 6,528 + 512.
  ['(10, 10, 3)', 'layers.SeparableConv2D(8, 3)', 3_264, 7_040],
  // transposed, stride 2 valid: 5 → (5 − 1)·2 + 3 = 11; each input position × kernel: 25·9·2·4 = 1,800; 3,600 + 121·4.
  ['(5, 5, 2)', 'layers.Conv2DTranspose(4, 3, strides=2)', 1_800, 4_084],
  // causal Conv1D keeps 20 steps: 20·3·2·4 = 480; 960 + 80.
  ["(20, 2)", "layers.Conv1D(4, 3, padding='causal', dilation_rate=2)", 480, 1_040],
  // Conv3D 6³×2, 3³ valid → 4³×4: 64·27·2·4 = 13,824; 27,648 + 256.
  ['(6, 6, 6, 2)', 'layers.Conv3D(4, 3)', 13_824, 27_904],
  // Dense on 7 rows of 3: 7·3·5 = 105; 210 + 35.
  ['(7, 3)', 'layers.Dense(5)', 105, 245],
  // + Softmax: 5 FLOPs per output element (35): 245 + 175.
  ["(7, 3)", "layers.Dense(5, activation='softmax')", 105, 420],
  // ReLU: no tf.profiler statistic.
  ["(7, 3)", "layers.Dense(5, activation='relu')", 105, 245],
  // An activation tf.profiler's count is not modelled for: FLOPs unknown, MACs still known.
  ["(7, 3)", "layers.Dense(5, activation='gelu')", 105, '?'],
  // 8×8×3 max 2×2 → 4×4×3 = 48 outputs · 4 = 192.
  ['(8, 8, 3)', 'layers.MaxPooling2D()', 0, 192],
  // average 3×3 stride 1 same → 8×8×3 = 192 outputs · 9.
  ["(8, 8, 3)", "layers.AveragePooling2D(3, strides=1, padding='same')", 0, 1_728],
  // Mean: one per input element; Max: no statistic.
  ['(8, 8, 3)', 'layers.GlobalAveragePooling2D()', 0, 192],
  ['(8, 8, 3)', 'layers.GlobalMaxPooling2D()', 0, 0],
  // FusedBatchNormV3 on a 4D input: nothing counted; a 2D input runs as several ops (not modelled).
  ['(8, 8, 3)', 'layers.BatchNormalization()', 0, 0],
  ['(3,)', 'layers.BatchNormalization()', 0, '?'],
  ['(8, 8, 3)', 'layers.Dropout(0.5)', 0, 0],
  ['(8, 8, 3)', 'layers.Softmax()', 0, 960],
  // Recurrent: steps · gates · units · (in + units): 5·4·6·(4 + 6) = 1,200 (LSTM), 900 (GRU), 300 (SimpleRNN).
  ['(5, 4)', 'layers.LSTM(6)', 1_200, '?'],
  ['(5, 4)', 'layers.GRU(6)', 900, '?'],
  ['(5, 4)', 'layers.SimpleRNN(6)', 300, '?'],
  // Both directions: 2·1,200.
  ['(5, 4)', 'layers.Bidirectional(layers.LSTM(6))', 2_400, '?'],
  // The wrapped Dense per step: 5·(4·3) = 60 MACs; 5·(24 + 3) = 135 FLOPs.
  ['(5, 4)', 'layers.TimeDistributed(layers.Dense(3))', 60, 135],
  // A lookup: no multiply.
  ['(5,)', 'layers.Embedding(100, 8)', 0, 0],
  ['(8, 8, 3)', 'layers.Flatten()', 0, 0],
  ['(8, 8, 3)', 'layers.ZeroPadding2D()', 0, 0],
  // What a Lambda computes is not read: unknown, never 0.
  ['(8, 8, 3)', 'layers.Lambda(lambda t: t * 2, output_shape=(8, 8, 3))', '?', '?'],
];

for (const [input, code, macs, flops] of LAYERS) {
  test(`cost: ${code} on ${input}: ${macs} MACs, ${flops} FLOPs`, async () => {
    assert.deepEqual(await one(input, code), [macs, flops]);
  });
}

test('cost: MultiHeadAttention MACs are its four projections and its two attention matmuls', async () => {
  const m = await model(`q = keras.Input(shape=(4, 8))\nv = keras.Input(shape=(6, 8))\ny = layers.MultiHeadAttention(num_heads=2, key_dim=3)(q, v)\nm = keras.Model([q, v], y)`);
  // H = 2, K = V = 3, Tq = 4, Tk = 6, q = k = v = O = 8:
  // query 4·8·2·3 = 192, key 6·8·2·3 = 288, value 288, scores 2·4·6·3 = 144, weighted values 144,
  // output 4·2·3·8 = 192: 1,248.
  assert.equal(layer(m, 'multi_head_attention').macs, 1_248);
});

test('cost: the output shapes the figures are computed from are the ones tfjs builds', () => {
  // The transposed conv and the dilated conv above, in tfjs.
  const t = tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2 }).apply(tf.input({ shape: [5, 5, 2] })) as tf.SymbolicTensor;
  assert.deepEqual(t.shape, [null, 11, 11, 4]);
  const d = tf.layers.conv2d({ filters: 8, kernelSize: 3, dilationRate: 2 }).apply(tf.input({ shape: [10, 10, 3] })) as tf.SymbolicTensor;
  assert.deepEqual(d.shape, [null, 6, 6, 8]);
});

test('cost: merges count one tf.profiler op per extra input per element', async () => {
  const m = await model(`a = keras.Input(shape=(4, 4, 2))
b = layers.Conv2D(2, 1)(a)
c = layers.Conv2D(2, 1)(a)
s = layers.Add()([a, b, c])
d = layers.Subtract()([a, b])
v = layers.Average()([a, b])
k = layers.Concatenate()([s, d, v])
m = keras.Model(a, k)`);
  // 4·4·2 = 32 elements: Add of 3 = 2 AddV2 (64); Subtract 32; Average 1 add + 1 divide (64); ConcatV2 0.
  assert.deepEqual(['add', 'subtract', 'average', 'concatenate'].map((n) => layer(m, n).flops), [64, 32, 64, 0]);
  // The convs: 16·2·2 = 64 MACs each.
  assert.equal(m.totalMacs, 128);
  // 2·64 + 32 bias each (2·160), plus 64 + 32 + 64.
  assert.equal(m.totalFlops, 480);
});

test('cost: a shared layer costs once per call; its row sums its calls', async () => {
  const m = await model(`a = keras.Input(shape=(3,))
b = keras.Input(shape=(3,))
d = layers.Dense(4)
y = layers.Add()([d(a), d(b)])
m = keras.Model([a, b], y)`);
  const dense = layer(m, 'dense');
  // 3·4 = 12 MACs per call; FLOPs 2·12 + 4 = 28 per call.
  assert.deepEqual([dense.macs, dense.flops], [24, 56]);
  // Each call's (4,) output: 16 bytes, twice.
  assert.equal(dense.activationBytes, 32);
  assert.equal(m.totalMacs, 24);
  // + the Add: 4.
  assert.equal(m.totalFlops, 60);
});

test('cost: nested models add their own calls', async () => {
  const m = await model(`inner = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(4), layers.Dense(2)], name='inner')
x = keras.Input(shape=(6,))
y = inner(x)
m = keras.Model(x, y, name='outer')`, 'outer');
  // 6·4 + 4·2 = 32 MACs; FLOPs 2·32 + 4 + 2 = 70.
  assert.deepEqual([layer(m, 'inner').macs, layer(m, 'inner').flops, m.totalMacs, m.totalFlops], [32, 70, 32, 70]);
});

test('cost: unknown sizes make the figures ? with a reason, never 0, and the totals with them', async () => {
  const m = await model(`def build(size):
    x = keras.Input(shape=(size, size, 3))
    y = layers.Conv2D(8, 3)(x)
    y = layers.GlobalAveragePooling2D()(y)
    y = layers.Dense(2)(y)
    return keras.Model(x, y)
m = build(int(input()))`);
  const conv = layer(m, 'conv2d');
  assert.deepEqual([conv.macs, conv.flops, conv.activationBytes, conv.receptiveField], ['?', '?', '?', null]);
  assert.ok(conv.costUnknownWhy, 'says why');
  // The Dense after the global pooling is known: 8·2 = 16 MACs.
  assert.equal(layer(m, 'dense').macs, 16);
  assert.deepEqual([m.totalMacs, m.totalFlops, m.activationBytes, m.peakActivationBytes], ['?', '?', '?', '?']);
  assert.ok(m.costUnknownWhy);
});

test('cost: counts beyond 2^53 are unknown rather than rounded; tensor ops count as tf.profiler does', async () => {
  const m = await model(`x = keras.Input(shape=(1000000, 1000000, 64))\ny = layers.Conv2D(1024, 3, padding='same')(x)\nm = keras.Model(x, y)`);
  // 10^12 positions · 9 · 64 · 1,024 ≈ 5.9·10^17 > 2^53.
  assert.deepEqual([layer(m, 'conv2d').macs, m.totalMacs], ['?', '?']);
  assert.match(layer(m, 'conv2d').costUnknownWhy ?? '', /too many to count exactly/);
  const ops = await model(`x = keras.Input(shape=(4, 3))\ny = layers.Dense(3)(x)\nz = y * 2 + x\nm = keras.Model(x, z)`);
  // Dense 4·3·3 = 36 MACs, 72 + 12 FLOPs; Mul and AddV2: 12 each.
  assert.deepEqual([ops.totalMacs, ops.totalFlops], [36, 108]);
});

test('cost: a None size besides the batch makes bytes unknown, not 0', async () => {
  const m = await model(`x = keras.Input(shape=(None, 8))\ny = layers.Dense(4)(x)\nm = keras.Model(x, y)`);
  const d = layer(m, 'dense');
  assert.deepEqual([d.macs, d.activationBytes], ['?', '?']);
});

test('cost: activation bytes per sample follow the layer dtype (float32 unless it says otherwise)', async () => {
  const m = await model(`x = keras.Input(shape=(3,))
a = layers.Dense(10)(x)
b = layers.Dense(10, dtype='float16')(x)
c = layers.Dense(10, dtype='mixed_float16')(x)
d = layers.Dense(10, dtype='float64')(x)
m = keras.Model(x, [a, b, c, d])`);
  assert.deepEqual(['dense', 'dense_1', 'dense_2', 'dense_3'].map((n) => layer(m, n).activationBytes), [40, 20, 20, 80]);
  // Input 12 + 40 + 20 + 20 + 80.
  assert.equal(m.activationBytes, 172);
  assert.deepEqual([dtypeBytes('bfloat16'), dtypeBytes('int8'), dtypeBytes('bool'), dtypeBytes('int64'), dtypeBytes('complex')], [2, 1, 1, 8, null]);
});

test('cost: peak live memory frees each tensor after its last consumer; inputs count until theirs', async () => {
  const m = await model(`x = keras.Input(shape=(28, 28, 1))
y = layers.Conv2D(32, 3, activation='relu')(x)
y = layers.MaxPooling2D()(y)
a = layers.Conv2D(32, 3, padding='same')(y)
b = layers.Conv2D(32, 1)(y)
y = layers.Add()([a, b])
y = layers.Flatten()(y)
y = layers.Dense(10)(y)
m = keras.Model(x, y)`);
  // Bytes: input 28·28·4 = 3,136; conv 26·26·32·4 = 86,528; pool 13·13·32·4 = 21,632 (and so a, b,
  // add, flatten); dense 40. Live: input + conv = 89,664, input freed; + pool = 108,160 (the peak),
  // conv freed; + a = 43,264; + b = 64,896, pool freed → 43,264; + add = 64,896 → 21,632; ...
  assert.equal(m.peakActivationBytes, 108_160);
  assert.equal(m.activationBytes, 3_136 + 86_528 + 5 * 21_632 + 40);
});

test('cost: receptive fields by hand: windows, stride, same padding, dilation, causal, padding layers', async () => {
  const m = await model(`x = keras.Input(shape=(32, 32, 3))
a = layers.Conv2D(4, 3)(x)
b = layers.Conv2D(4, 3, strides=2, padding='same')(a)
c = layers.MaxPooling2D(2)(b)
d = layers.Conv2D(4, 3, dilation_rate=2, padding='same')(c)
e = layers.ZeroPadding2D(((2, 0), (0, 0)))(d)
f = layers.Cropping2D(((1, 0), (0, 0)))(e)
g = layers.Dense(3)(f)
h = layers.Flatten()(g)
m = keras.Model(x, h)`);
  const rf = (n: string) => layer(m, n).receptiveField;
  // a: 3, jump 1, pad 0.
  assert.deepEqual(rf('conv2d'), { size: [3, 3], stride: [1, 1], padding: [0, 0] });
  // b: 30 → 15 same stride 2: TF pads (15 − 1)·2 + 3 − 30 = 1 in total, 0 before: 3 + 2·1 = 5, jump 2.
  assert.deepEqual(rf('conv2d_1'), { size: [5, 5], stride: [2, 2], padding: [0, 0] });
  // c: 2×2 pool on jump 2: 5 + 1·2 = 7, jump 4.
  assert.deepEqual(rf('max_pooling2d'), { size: [7, 7], stride: [4, 4], padding: [0, 0] });
  // d: dilated K = 5, same on 7 → 7 pads 4, 2 before: 7 + 4·4 = 23; padding 2·4 = 8.
  assert.deepEqual(rf('conv2d_2'), { size: [23, 23], stride: [4, 4], padding: [8, 8] });
  // e: 2 rows of zeros before along height: padding 8 + 2·4 = 16; f: one cropped: 16 − 4 = 12.
  assert.deepEqual(rf('zero_padding2d'), { size: [23, 23], stride: [4, 4], padding: [16, 8] });
  assert.deepEqual(rf('cropping2d'), { size: [23, 23], stride: [4, 4], padding: [12, 8] });
  // Dense on the last axis keeps positions; Flatten has none.
  assert.deepEqual(rf('dense'), rf('cropping2d'));
  assert.equal(rf('flatten'), null);

  const c1 = await model(`x = keras.Input(shape=(50, 2))\ny = layers.Conv1D(2, 3, padding='causal', dilation_rate=4)(x)\nm = keras.Model(x, y)`);
  // K = 9, all 8 padded before.
  assert.deepEqual(layer(c1, 'conv1d').receptiveField, { size: [9], stride: [1], padding: [8] });
});

test('cost: merged paths: aligned takes the largest; centres that differ are said; strides that differ are null', async () => {
  const m = await model(`x = keras.Input(shape=(10, 10, 1))
a = layers.Conv2D(1, 3)(x)
b = layers.Cropping2D(((0, 2), (1, 1)))(x)
y = layers.Add()([a, b])
m = keras.Model(x, y)`);
  // a covers rows [0, 2] of the first output, b row [0, 0] (and columns [1, 1] vs [0, 2]): the
  // union is 3×3; along height the centres (1 vs 0) differ.
  assert.deepEqual(layer(m, 'add').receptiveField, { size: [3, 3], stride: [1, 1], padding: [0, 0], notAlignedAt: 'add' });

  const s = await model(`x = keras.Input(shape=(8, 8, 1))
a = layers.Conv2D(1, 1, strides=2)(x)
b = layers.Cropping2D(2)(x)
y = layers.Add()([a, b])
m = keras.Model(x, y)`);
  assert.equal(layer(s, 'add').receptiveField, null);
  assert.match(layer(s, 'add').receptiveFieldWhy ?? '', /not aligned: their effective strides differ \(2, 1\)/);
});

test('cost: receptive field agrees with the input positions a tfjs output reaches (gradient support)', async () => {
  // The same graph in Keras (analysed) and tfjs (run): kernels of ones, average pooling, so every
  // input row in the field changes the output.
  const m = await model(`x = keras.Input(shape=(21, 21, 1))
y = layers.Conv2D(2, 3, strides=2, padding='same')(x)
a = layers.Conv2D(2, 3, padding='same', dilation_rate=2)(y)
b = layers.AveragePooling2D(3, strides=1, padding='same')(y)
s = layers.Add()([a, b])
z = layers.Conv2D(1, 3)(s)
m = keras.Model(x, z)`);
  const rf = layer(m, 'conv2d_2').receptiveField;
  assert.ok(rf);
  const input = tf.input({ shape: [21, 21, 1] });
  const ones = { kernelInitializer: 'ones', biasInitializer: 'zeros' } as const;
  const y = tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', ...ones }).apply(input) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', dilationRate: 2, ...ones }).apply(y) as tf.SymbolicTensor;
  const b = tf.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(y) as tf.SymbolicTensor;
  const z = tf.layers.conv2d({ filters: 1, kernelSize: 3, ...ones }).apply(tf.layers.add().apply([a, b]) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const net = tf.model({ inputs: input, outputs: z });
  assert.deepEqual(z.shape, [null, 9, 9, 1]);
  // tfjs has no gradient of dilated convs: light one input row at a time and see which outputs move.
  const reached: number[][] = [[], [], []];
  for (let r = 0; r < 21; r++) {
    const lit = tf.tidy(() => tf.oneHot(tf.tensor1d([r], 'int32'), 21).reshape([1, 21, 1, 1]).tile([1, 1, 21, 1]));
    const out = (await (net.predict(lit) as tf.Tensor).array()) as number[][][][];
    [0, 4, 8].forEach((i, k) => {
      if (out[0][i][i][0] !== 0) reached[k].push(r);
    });
  }
  [0, 4, 8].forEach((i, k) => {
    // The field of output i spans [i·jump − padding, i·jump − padding + size − 1], cut to the input.
    const start = i * rf.stride[0] - rf.padding[0];
    const want = [Math.max(0, start), Math.min(20, start + rf.size[0] - 1)];
    const rows = reached[k];
    assert.deepEqual([rows[0], rows[rows.length - 1], rows.length], [...want, want[1] - want[0] + 1], `output ${i}: input rows that reach it`);
  });
});

test('cost: tfjs models get the same figures', async () => {
  const { json } = await analyzeJs(`import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.conv2d({ inputShape: [10, 10, 3], filters: 8, kernelSize: 3 }));
model.add(tf.layers.flatten());
model.add(tf.layers.dense({ units: 2 }));
`);
  const m = json.models[0];
  // conv 13,824 MACs (as above) + dense 512·2 = 1,024.
  assert.equal(m.totalMacs, 14_848);
  // 28,160 + 2·1,024 + 2.
  assert.equal(m.totalFlops, 30_210);
});

// -------------------------------------------------------------------------------------------------
// Keras Applications, analysed in place (Debian python3-keras-applications): published figures.


const APPS = '/usr/lib/python3/dist-packages/keras_applications';

async function app(file: string): Promise<JsonModel> {
  const { json } = await analyzeOnDisk(path.join(APPS, file));
  return json.models[0];
}

/**
 * The papers print their figures with a few digits: the exact count must be what that rounds to,
 * or truncates to (MobileNet rounds 568.7 M to 569; the ResNet paper's 3.8 G for 3.86 G and
 * MobileNetV2's 300 M for 300.8 M are truncated).
 */
function printed(exact: number, paper: number, unit: number): boolean {
  return Math.round(exact / unit) === paper || Math.floor(exact / unit) === paper;
}

const PAPERS: [file: string, what: string, paper: number, unit: number][] = [
  ['mobilenet.py', 'MobileNet 1.0-224: 569 million mult-adds (MobileNet paper, Table 8)', 569, 1e6],
  ['mobilenet_v2.py', 'MobileNetV2 1.0-224: 300 million MACs (MobileNetV2 paper, Table 3)', 300, 1e6],
  ['vgg16.py', 'VGG16: 15.47 billion (conv + FC)', 1547, 1e7],
  ['resnet50.py', 'ResNet50: 3.8 billion multiply-adds (ResNet paper, Table 1)', 38, 1e8],
];

for (const [file, what, paper, unit] of PAPERS) {
  test(`cost: keras_applications ${file}: ${what}`, async () => {
    const m = await app(file);
    assert.equal(typeof m.totalMacs, 'number', `${file}: ${m.costUnknownWhy}`);
    console.log(`  ${file}: ${(m.totalMacs as number).toLocaleString('en-US')} MACs, ${(m.totalFlops as number).toLocaleString('en-US')} FLOPs, peak ${formatShortBytes(m.peakActivationBytes as number)}`);
    assert.ok(printed(m.totalMacs as number, paper, unit), `${file}: ${m.totalMacs} MACs do not print as ${paper}·${unit}`);
  });
}

test('cost: keras_applications exact MAC counts (conv and dense weight multiplies worked from the layer shapes)', async () => {
  // VGG16 by hand: 224² ·(3·64 + 64·64)·9 + 112²·(64·128 + 128·128)·9 + 56²·(128·256 + 2·256·256)·9
  // + 28²·(256·512 + 2·512·512)·9 + 14²·3·512·512·9 + 25,088·4,096 + 4,096² + 4,096·1,000.
  const vgg = 224 ** 2 * (3 * 64 + 64 * 64) * 9 + 112 ** 2 * (64 * 128 + 128 * 128) * 9 + 56 ** 2 * (128 * 256 + 2 * 256 * 256) * 9 + 28 ** 2 * (256 * 512 + 2 * 512 * 512) * 9 + 14 ** 2 * 3 * 512 * 512 * 9 + 25_088 * 4_096 + 4_096 * 4_096 + 4_096 * 1_000;
  assert.equal((await app('vgg16.py')).totalMacs, vgg);
  assert.equal(vgg, 15_470_264_320);
});

test('cost: keras_applications receptive fields match google-research receptive_field tables', async () => {
  // VGG16 block5_pool: 212, stride 32, padding 90.
  assert.deepEqual(layer(await app('vgg16.py'), 'block5_pool').receptiveField, { size: [212, 212], stride: [32, 32], padding: [90, 90] });
  // MobileNet v1 Conv2d_13_pointwise (Keras conv_pw_13) at 224: 315, stride 32, padding 126.
  assert.deepEqual(layer(await app('mobilenet.py'), 'conv_pw_13').receptiveField, { size: [315, 315], stride: [32, 32], padding: [126, 126] });
  // InceptionV3 Mixed_7c (Keras mixed10): 1311, stride 32, padding 618; every branch aligned.
  assert.deepEqual(layer(await app('inception_v3.py'), 'mixed10').receptiveField, { size: [1311, 1311], stride: [32, 32], padding: [618, 618] });
});

// -------------------------------------------------------------------------------------------------
// Where it shows

test('cost: hover lines say MACs, output bytes and receptive field, and the model totals', async () => {
  const { analysis } = await analyze(`import keras
from keras import layers
x = keras.Input(shape=(28, 28, 1))
y = layers.Conv2D(32, 7, strides=2, padding='same')(x)
m = keras.Model(x, y)
`);
  const s = analysis.models[0];
  const row = s.rows[1];
  const c = modelCost(s).rows[1];
  // 14·14 positions · 49 · 1 · 32 = 307,328 MACs; 14·14·32·4 = 25,088 B = 24.5 KB; RF 7, stride 2.
  assert.equal(describeLayerCost(c), 'MACs 307 k · out 24.5 KB · RF 7×7, stride 2');
  assert.match(layerHoverMarkdown(row, 'm', '', c), /MACs 307 k · out 24\.5 KB · RF 7×7, stride 2/);
  assert.match(layerHoverMarkdown(row, 'm', '', c), /one MAC per weight multiply/);
  assert.equal(describeModelCost(modelCost(s)), 'MACs 307 k · FLOPs 621 k · activations 27.6 KB · peak 27.6 KB');
  assert.match(modelHoverMarkdown(s), /MACs 307 k · FLOPs 621 k/);
  assert.deepEqual([formatShortCount(86_700_000), formatShortCount(999), formatShortCount(1_540_000_000), formatShortBytes(392 * 1024), formatShortBytes(null)], ['86.7 M', '999', '1.54 G', '392 KB', '?']);
});

function cli(...args: string[]) {
  const root = repoRoot();
  return spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), ...args], { cwd: root, encoding: 'utf8' });
}

test('cost: a row worked out without its receptive field gives it when read, and as JSON', async () => {
  const { analysis } = await analyze(`import keras
from keras import layers
x = keras.Input(shape=(28, 28, 1))
y = layers.Conv2D(32, 7, strides=2, padding='same')(x)
z = layers.Flatten()(y)
m = keras.Model(x, z)
`);
  const rows = modelCost(analysis.models[0]).rows;
  // 14·14·49·1·32 = 307,328 MACs; 2·307,328 + 14·14·32 bias = 620,928 FLOPs; 14·14·32·4 = 25,088 B.
  // 'same' on 28 with stride 2 and K 7: TensorFlow pads ⌊max((14 − 1)·2 + 7 − 28, 0)/2⌋ = 2 before.
  const conv = { calls: 1, macs: 307_328, flops: 620_928, activationBytes: 25_088, receptiveField: { size: [7, 7], stride: [2, 2], padding: [2, 2] } };
  assert.deepEqual(JSON.parse(JSON.stringify(rows[1])), conv);
  assert.deepEqual({ calls: rows[1].calls, macs: rows[1].macs, flops: rows[1].flops, activationBytes: rows[1].activationBytes, receptiveField: rows[1].receptiveField }, conv);
  assert.equal(rows[1].rfWhy, undefined);
  assert.deepEqual(JSON.parse(JSON.stringify(rows[2])), { calls: 1, macs: 0, flops: 0, activationBytes: 25_088, receptiveField: null, rfWhy: 'Shape Lens does not know how Flatten maps positions' });
  assert.equal(rows[2].rfWhy, 'Shape Lens does not know how Flatten maps positions');
});

test('cost: summary --columns rejects what it does not know, and is no option of export', () => {
  const bad = cli('summary', 'examples/seed_pooling_cnn.py', '--columns=macs,watts');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--columns takes a comma-separated list of params, macs, flops, memory, rf \(got "watts"\)/);
  const exp = cli('export', 'examples/seed_pooling_cnn.py', '--columns', 'macs');
  assert.equal(exp.status, 2);
  assert.match(exp.stderr, /--columns is an option of summary, not export/);
});

test("cost: Copy Summary's column setting offers the CLI's columns", () => {
  assert.deepEqual([...SUMMARY_COLUMNS], [...COST_COLUMNS]);
});

test('cost: summary --columns on seed 002 shows what each pooling layer saves', () => {
  const r = cli('summary', 'examples/seed_pooling_cnn.py', '--columns', 'params,macs,memory,rf');
  assert.equal(r.status, 0, r.stderr);
  // Without pooling: 222²·27·10 = 13,306,680; 220²·90·10 = 43,560,000; 218²·900 = 42,771,600;
  // dense 218²·10 = 475,240: 100,113,520. With pooling: 13,306,680 + 109²·900 = 10,692,900 +
  // 52²·900 = 2,433,600 + 26²·10 = 6,760: 26,439,940.
  assert.match(r.stdout, /Total: params [\d,]+ · MACs 100,113,520 · activations/);
  assert.match(r.stdout, /MACs 26,439,940/);
  assert.match(r.stdout, /conv2d_1 \(Conv2D\)\s+\(None, 220, 220, 10\)\s+910\s+43,560,000\s+1\.85 MB\s+5×5 \/1×1/);
});
