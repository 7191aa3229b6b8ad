// What the pooling preview reads from an analysis: pooling settings with Keras defaults, the
// params of a model without its pooling layers (seed 002's figures, and tfjs building random
// CNNs without them), the preview target the host sends, and the message guards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelsOf as models, pythonFixture as fixture } from './helpers/python';
import { buildTfjs, caseSeed, emitPython, mulberry32, randomValidSpec, withoutPoolingSpec } from './helpers/cnn-gen';
import { paramsWithoutPooling, poolingSettings } from '../../src/core/pooling';
import { previewTarget, toStage } from '../../src/panels/poolingTarget';
import { isHostToWebview, isPreviewTarget, isWebviewToHost } from '../../src/protocol';


// ---------------------------------------------------------------------------------------------
// Settings

test('pooling settings: Keras defaults (pool 2, strides = pool, valid, channels_last)', () => {
  assert.deepEqual(poolingSettings('MaxPooling2D', {}), { op: 'max', global: false, rank: 2, poolSize: [2, 2], strides: [2, 2], padding: 'valid', dataFormat: 'channels_last', keepdims: false });
  assert.deepEqual(poolingSettings('AveragePooling2D', { pool_size: [3, 2], strides: null })?.strides, [3, 2]);
  const one = poolingSettings('AveragePooling1D', { pool_size: 3, strides: 1, padding: 'SAME' });
  assert.deepEqual([one?.op, one?.rank, one?.poolSize, one?.strides, one?.padding], ['avg', 1, [3], [1], 'same']);
  assert.equal(poolingSettings('MaxPooling3D', { pool_size: 2, data_format: 'channels_first' })?.dataFormat, 'channels_first');
  assert.deepEqual(poolingSettings('GlobalAveragePooling2D', { keepdims: true }), { op: 'avg', global: true, rank: 2, poolSize: [], strides: [], padding: 'valid', dataFormat: 'channels_last', keepdims: true });
});

test('pooling settings: null for non-pooling classes and settings the preview cannot use', () => {
  assert.equal(poolingSettings('Conv2D', {}), null);
  assert.equal(poolingSettings('MaxPooling2D', { padding: 'causal' }), null);
  assert.equal(poolingSettings('MaxPooling2D', { pool_size: 0 }), null);
  assert.equal(poolingSettings('MaxPooling2D', { strides: [2, -1] }), null);
  assert.equal(poolingSettings('MaxPooling2D', { pool_size: Symbol.for('shape-lens.unknown') as never }), null);
});

test('preview stages: 1-D pools one row, 3-D its height × width part, global modes', () => {
  assert.deepEqual(toStage(poolingSettings('MaxPooling1D', { pool_size: 4, strides: 2 })!).settings, { mode: 'max', poolSize: [1, 4], strides: [1, 2], padding: 'valid' });
  const three = toStage(poolingSettings('AveragePooling3D', { pool_size: [2, 3, 4], strides: [1, 2, 3], padding: 'same' })!);
  assert.deepEqual(three.settings, { mode: 'avg', poolSize: [3, 4], strides: [2, 3], padding: 'same' });
  assert.match(three.note ?? '', /depth the window is 2 with stride 1/);
  assert.equal(toStage(poolingSettings('GlobalMaxPooling1D', {})!).settings.mode, 'globalMax');
});

// ---------------------------------------------------------------------------------------------
// Params without pooling

test('seed 002: 8,861 params with its pooling layers, 477,341 without (the article’s figures)', async () => {
  const ms = await models(fixture('seed_002_max_pooling.py'));
  // Both are called `model` in the article: the second one has the pooling layers.
  assert.equal(ms.length, 2);
  const [withoutPooling, withPooling] = ms;
  assert.equal(withPooling.totalParams, 8861);
  const w = paramsWithoutPooling(withPooling.model);
  assert.equal(w.totalParams, 477341);
  assert.deepEqual(w.removed.map((l) => l.className), ['MaxPooling2D', 'MaxPooling2D', 'MaxPooling2D']);
  const none = paramsWithoutPooling(withoutPooling.model);
  assert.deepEqual([none.totalParams, none.removed.length], [477341, 0]);
});

test('params without pooling: functional graphs, shared layers counted once, nested models replayed', async () => {
  const ms = await models(`
import keras
from keras import layers
inner = keras.Sequential([layers.Conv2D(4, 3), layers.MaxPooling2D(), layers.Flatten()], name="inner")
inp = keras.Input((16, 16, 3))
shared = layers.Dense(5)
x = layers.AveragePooling2D(4)(inp)
x = inner(x)
a = shared(x)
b = shared(x)
out = layers.Add()([a, b])
model = keras.Model(inp, out)
`);
  const model = ms.find((m) => m.model.name !== 'inner')!;
  // Without pooling: conv 3·3·3·4 + 4 = 112 on 16×16 → 14×14×4 = 784 features; Dense 784·5 + 5 = 3925 (once).
  const w = paramsWithoutPooling(model.model);
  assert.equal(w.totalParams, 112 + 3925);
  assert.deepEqual(w.removed.map((l) => l.className).sort(), ['AveragePooling2D', 'MaxPooling2D']);
  // As written: 16/4 = 4 → conv 2×2×4 → pool 1×1×4 → Dense 4·5 + 5 = 25.
  assert.equal(model.totalParams, 112 + 25);
});

test('params without pooling are unknown where Keras could not build the model without its pooling layers', async () => {
  // A nested model with a fixed 14×14×4 input would receive 28×28×4.
  const [, outer] = await models(`
import keras
from keras import layers
head = keras.Sequential([keras.Input((14, 14, 4)), layers.Flatten(), layers.Dense(10)])
model = keras.Sequential([keras.Input((28, 28, 4)), layers.MaxPooling2D(), head])
`);
  assert.equal(outer.totalParams, 14 * 14 * 4 * 10 + 10);
  assert.deepEqual([paramsWithoutPooling(outer.model).totalParams, paramsWithoutPooling(outer.model).removed.length], [null, 1]);
  // One Dense shared by a pooled and an unpooled branch: without pooling its two calls need different weights.
  const [m] = await models(`
import keras
from keras import layers
inp = keras.Input((8, 8, 2))
shared = layers.Dense(3)
a = shared(layers.Flatten()(layers.AveragePooling2D(2)(inp)))
b = shared(layers.Flatten()(layers.Conv2D(2, 5)(inp)))
model = keras.Model(inp, layers.Add()([a, b]))
`);
  assert.equal(m.totalParams, 4 * 4 * 2 * 3 + 3 + (5 * 5 * 2 * 2 + 2));
  assert.equal(paramsWithoutPooling(m.model).totalParams, null);
});

test('params without pooling equal tfjs building the same random CNNs without their pooling layers', async () => {
  let compared = 0;
  let withPooling = 0;
  for (let i = 0; i < 60; i++) {
    const rng = mulberry32(caseSeed(0x9001, i));
    const { spec } = randomValidSpec(rng, `cnn_${i}`);
    const stripped = withoutPoolingSpec(spec);
    let expected: number | null;
    try {
      const oracle = buildTfjs(stripped);
      const tooBig = oracle.layers.some((l) => l.outputShape.some((d) => d !== null && d < 1));
      expected = tooBig ? null : oracle.totalParams;
    } catch {
      expected = null; // e.g. Flatten of a None dim feeding Dense: unknown
    }
    const program = emitPython(spec, rng);
    const ms = await models(program.main, program.files);
    if (ms.length !== 1) continue;
    const got = paramsWithoutPooling(ms[0].model);
    if (got.removed.length > 0) withPooling++;
    if (expected === null) assert.equal(got.totalParams, null, `case ${i}: tfjs cannot build it without pooling, the analysis should not know`);
    else assert.equal(got.totalParams, expected, `case ${i} (${program.style})`);
    compared++;
  }
  assert.ok(compared >= 50, `only ${compared} cases compared`);
  assert.ok(withPooling >= 15, `only ${withPooling} cases had pooling layers to remove`);
});

// ---------------------------------------------------------------------------------------------
// The target the host sends

test('preview target for seed 001’s MaxPooling2D: its settings, its 26×26×32 input, the model', async () => {
  const [m] = await models(fixture('seed_001_pooling.py'));
  const layer = m.rows.find((r) => r.className === 'MaxPooling2D')!.layer;
  const t = previewTarget('k', layer, m, () => 6);
  assert.ok(isPreviewTarget(t), 'the target passes the protocol guard');
  assert.deepEqual(t.layer, {
    name: 'max_pooling2d', className: 'MaxPooling2D', line: 6, inputShape: '(None, 26, 26, 32)', outputShape: '(None, 13, 13, 32)',
    dataFormat: 'channels_last', settings: { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
  });
  assert.deepEqual(t.featureMap, { height: 26, width: 26, channels: 32 });
  // Without pooling, Dense sees 26·26·32 = 21,632 features: 21,632·10 + 10 + conv 320.
  assert.deepEqual([t.model?.paramsWith, t.model?.paramsWithout, t.model?.removed], [320 + 13 * 13 * 32 * 10 + 10, 320 + 21632 * 10 + 10, ['max_pooling2d']]);
  assert.equal(t.model?.pooling.length, 1);
});

test('preview target away from a pooling layer: no layer, no feature map; unknown sizes give no feature map', async () => {
  const [m] = await models(fixture('seed_001_pooling.py'));
  const conv = m.rows.find((r) => r.className === 'Conv2D')!.layer;
  const t = previewTarget('k', conv, m, () => null);
  assert.deepEqual([t.layer, t.featureMap], [null, null]);
  const [u] = await models('import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((None, None, 3)), layers.MaxPooling2D()])\n');
  const t2 = previewTarget('k', u.rows.find((r) => r.className === 'MaxPooling2D')!.layer, u, () => 3);
  assert.equal(t2.featureMap, null);
  assert.equal(t2.layer?.inputShape, '(None, None, None, 3)');
  assert.ok(isPreviewTarget(t2));
});

test('every fixture’s pooling layers give targets the webview guard accepts; oversized settings are dropped, not sent', async () => {
  let layers = 0;
  for (const name of ['seed_001_pooling.py', 'seed_002_max_pooling.py', 'conv1d_3d.py', 'resnet_functional.py', 'unet.py', 'mnist_convnet.py', 'text_rnn.py']) {
    for (const m of await models(fixture(name))) {
      for (const row of m.rows) {
        const t = previewTarget(`k`, row.layer, m, () => 1);
        assert.ok(isPreviewTarget(t), `${name}: ${row.name}`);
        if (t.layer) layers++;
      }
    }
  }
  assert.ok(layers >= 8, `only ${layers} pooling layers in the fixtures`);
  const [big] = await models('import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((3000000, 2)), layers.MaxPooling1D(5000)])\n');
  const t = previewTarget('k', big.rows.find((r) => r.className === 'MaxPooling1D')!.layer, big, () => 2);
  assert.ok(isPreviewTarget(t));
  assert.deepEqual([t.layer?.settings, t.featureMap], [null, null]);
  assert.match(t.layer?.note ?? '', /above 4096/);
});

// ---------------------------------------------------------------------------------------------
// Guards

test('webview → host guard: exact messages only', () => {
  assert.ok(isWebviewToHost({ type: 'ready' }));
  assert.ok(isWebviewToHost({ type: 'pickImage' }));
  assert.ok(isWebviewToHost({ type: 'revealLine', line: 30 }));
  for (const bad of [null, 'ready', [], { type: 'ready', extra: 1 }, { type: 'revealLine', line: 0 }, { type: 'revealLine', line: 2.5 }, { type: 'revealLine', line: '3' }, { type: 'runCode', code: 'x' }, { type: 'revealLine' }]) {
    assert.equal(isWebviewToHost(bad), false, JSON.stringify(bad));
  }
});

test('host → webview guard: targets, images and errors are checked field by field', () => {
  const stage = { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' };
  const layer = { name: 'p', className: 'MaxPooling2D', line: 1, inputShape: '(None, 4, 4, 1)', outputShape: '(None, 2, 2, 1)', dataFormat: 'channels_last', settings: stage };
  const target = { key: 'k', layer, featureMap: { height: 4, width: 4, channels: 1 }, model: { name: 'm', paramsWith: 1, paramsWithout: null, removed: ['p'], pooling: [layer] } };
  assert.ok(isHostToWebview({ type: 'show', target }));
  assert.ok(isHostToWebview({ type: 'show', target: null }));
  assert.ok(isHostToWebview({ type: 'image', name: 'a.png', mime: 'image/png', base64: 'AAAA' }));
  assert.ok(isHostToWebview({ type: 'imageError', message: 'no' }));
  const broken = [
    { ...target, key: 3 },
    { ...target, featureMap: { height: 0, width: 4, channels: 1 } },
    { ...target, layer: { ...layer, settings: { ...stage, poolSize: [2] } } },
    { ...target, layer: { ...layer, settings: { ...stage, mode: 'median' } } },
    { ...target, layer: { ...layer, dataFormat: 'nhwc' } },
    { ...target, model: { ...target.model, paramsWith: -1 } },
    { ...target, model: { ...target.model, pooling: [{ ...layer, line: -2 }] } },
  ];
  for (const t of broken) assert.equal(isHostToWebview({ type: 'show', target: t }), false, JSON.stringify(t));
  assert.equal(isHostToWebview({ type: 'image', name: 'a.png', mime: 'image/png' }), false);
  assert.equal(isHostToWebview({ type: 'nope' }), false);
});
