// The pooling preview's layout and translation demo: how large a map is drawn and when a stage's
// input and output sit side by side (webview/layout.ts), and the demo's numbers (webview/shift.ts)
// against @tensorflow/tfjs shifting the tensor itself (pad + slice) and running its own
// maxPool / avgPool, the differences counted with tfjs ops.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from './helpers/rng';
import { CELL_PX, gridSize, IMAGE_PX, MIN_CELL_PX, MIN_PAIR_MAP_PX, PAIR_GAP_PX, pairLayout } from '../../webview/layout';
import { change, changedValues, describeShift, shiftMap, translation, type Shift } from '../../webview/shift';
import { formatValue } from '../../webview/pool';
import { colourMap, digitMap, featureMap, seedExample, type FeatureMap } from '../../webview/inputs';
import { runStage } from '../../webview/tensor';
import { isPreviewTarget, type StageSettings } from '../../src/protocol';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from './helpers/python';
import { fixturesDir } from './helpers/paths';
import { buildModel, disposeModel } from '../../webview/model';
import { realPath } from '../../webview/realpath';
import { runnableModelInfo } from '../../src/panels/labTarget';

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

// ---------------------------------------------------------------------------------------------
// Layout

test('gridSize: small maps are cells of 44 px, shrunk to fit, and an image once a value no longer reads', () => {
  assert.deepEqual(gridSize(4, 4), { cells: true, cellPx: CELL_PX, cellH: CELL_PX });
  assert.deepEqual(gridSize(10, 10, 0, 0, 410), { cells: true, cellPx: 41, cellH: 41 });
  // 10 columns in 250 px: cells of 25 px are below MIN_CELL_PX, so an image (its cells at most 24 px).
  const small = gridSize(10, 10, 0, 0, 250);
  assert.equal(small.cells, false);
  assert.equal(small.cellPx * 10, 240);
  assert.ok(MIN_CELL_PX > 25);
  // 28×28 is an image of 320 px with room, scaled down without.
  assert.deepEqual(gridSize(28, 28), { cells: false, cellPx: IMAGE_PX / 28, cellH: IMAGE_PX / 28 });
  assert.equal(gridSize(28, 28, 0, 0, 200).cellPx * 28, 200);
  // The padding ring counts in the width: 4×4 with one column of padding each side is 6 cells wide.
  assert.equal(gridSize(4, 4, 2, 2, 200).cellPx, 33);
  // A 1 × 500 sequence stays a visible row.
  const thin = gridSize(1, 500);
  assert.equal(thin.cellPx, IMAGE_PX / 500);
  assert.ok(thin.cellH >= 20);
});

test('gridSize: never wider than the room it is given, for any map size and room (bad values included)', () => {
  const rng = mulberry32(12);
  for (let i = 0; i < 2000; i++) {
    const h = 1 + Math.floor(rng() * (rng() < 0.5 ? 12 : 3000));
    const w = 1 + Math.floor(rng() * (rng() < 0.5 ? 12 : 3000));
    const pad = Math.floor(rng() * 4);
    const room = 20 + Math.floor(rng() * 1500);
    const g = gridSize(h, w, pad, pad, room);
    assert.ok((w + pad) * g.cellPx <= room + 1e-9, `${h}×${w} in ${room}: ${(w + pad) * g.cellPx}`);
    assert.ok(g.cellPx > 0 && g.cellH >= g.cellPx);
    if (g.cells) assert.ok(g.cellPx >= MIN_CELL_PX && Number.isInteger(g.cellPx));
  }
  for (const bad of [NaN, -5, 0, Infinity]) {
    const g = gridSize(28, 28, 0, 0, bad);
    assert.ok(Number.isFinite(g.cellPx) && g.cellPx > 0, `maxPx ${bad}`);
  }
});

test('pairLayout: side by side when each map gets at least MIN_PAIR_MAP_PX, else stacked at full width', () => {
  assert.deepEqual(pairLayout(868), { sideBySide: true, maxPx: 414 });
  const edge = 2 * MIN_PAIR_MAP_PX + PAIR_GAP_PX;
  assert.deepEqual(pairLayout(edge), { sideBySide: true, maxPx: MIN_PAIR_MAP_PX });
  assert.deepEqual(pairLayout(edge - 1), { sideBySide: false, maxPx: edge - 1 });
  assert.deepEqual(pairLayout(NaN), { sideBySide: false, maxPx: MIN_PAIR_MAP_PX });
  for (let w = 0; w < 3000; w += 7) {
    const l = pairLayout(w);
    if (l.sideBySide) assert.ok(2 * l.maxPx + PAIR_GAP_PX <= w);
  }
  // A 28×28 picture and its 14×14 output both fit at their full 320 px in a panel 868 px wide.
  const l = pairLayout(868);
  assert.equal(gridSize(28, 28, 0, 0, l.maxPx).cellPx * 28, IMAGE_PX);
  assert.equal(gridSize(14, 14, 0, 0, l.maxPx).cellPx * 14, IMAGE_PX);
});

// ---------------------------------------------------------------------------------------------
// Translation: the reference is tfjs itself

/** The map as a [1, h, w, c] tensor moved by tfjs: zeros padded on the side it moves away from, then cut back to size. */
function tfShift(m: FeatureMap, s: Shift): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.tensor4d(m.data, [1, m.height, m.width, m.channels]);
    const py = Math.min(Math.abs(s.dy), m.height);
    const px = Math.min(Math.abs(s.dx), m.width);
    const padded = tf.pad(x, [[0, 0], [s.dy > 0 ? py : 0, s.dy < 0 ? py : 0], [s.dx > 0 ? px : 0, s.dx < 0 ? px : 0], [0, 0]]);
    return tf.slice(padded, [0, s.dy < 0 ? py : 0, s.dx < 0 ? px : 0, 0], [1, m.height, m.width, m.channels]);
  });
}

function tfPool(x: tf.Tensor4D, s: StageSettings, op: 'max' | 'avg'): tf.Tensor4D {
  if (s.mode === 'globalMax' || s.mode === 'globalAvg') return (op === 'max' ? tf.max(x, [1, 2], true) : tf.mean(x, [1, 2], true)) as tf.Tensor4D;
  return op === 'max' ? tf.maxPool(x, s.poolSize, s.strides, s.padding) : tf.avgPool(x, s.poolSize, s.strides, s.padding);
}

/** Changed values and the largest |Δ|, counted by tfjs. */
function tfChange(m: FeatureMap, s: StageSettings, shift: Shift, op: 'max' | 'avg'): { changed: number; total: number; maxAbs: number } {
  return tf.tidy(() => {
    const x = tf.tensor4d(m.data, [1, m.height, m.width, m.channels]);
    const a = tfPool(x, s, op);
    const b = tfPool(tfShift(m, shift), s, op);
    return { changed: tf.notEqual(a, b).sum().dataSync()[0], total: a.size, maxAbs: tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] };
  });
}

const pool = (m: FeatureMap, s: StageSettings) => runStage(m, s).output;
const MAX2: StageSettings = { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' };

test('shiftMap moves the map as tfjs pad + slice does, for any shift (beyond the map: all zeros)', () => {
  const rng = mulberry32(7);
  for (let i = 0; i < 200; i++) {
    const m = featureMap(1 + Math.floor(rng() * 9), 1 + Math.floor(rng() * 9), 1 + Math.floor(rng() * 3));
    for (let j = 0; j < m.data.length; j++) m.data[j] = rng() * 10 - 5;
    const s = { dy: Math.floor(rng() * 25) - 12, dx: Math.floor(rng() * 25) - 12 };
    const want = tfShift(m, s);
    assert.deepEqual(Array.from(shiftMap(m, s.dy, s.dx).data), Array.from(want.dataSync()), JSON.stringify(s));
    want.dispose();
  }
});

test("seed example shifted 1 px right: max pooling changes 2 of 4 outputs (by ≤ 2), average all 4 (by ≤ 2.5)", () => {
  // Worked by hand: the shifted map's windows give max [[2, 5], [7, 9]] vs [[4, 5], [8, 9]],
  // average [[0.75, 3.25], [2.5, 5.75]] vs [[2.5, 2], [5, 5]].
  const t = translation(seedExample(), MAX2, { dy: 0, dx: 1 }, pool);
  assert.deepEqual(t, { max: { changed: 2, total: 4, maxAbs: 2 }, avg: { changed: 4, total: 4, maxAbs: 2.5 } });
  assert.deepEqual(t?.max, tfChange(seedExample(), MAX2, { dy: 0, dx: 1 }, 'max'));
  assert.deepEqual(t?.avg, tfChange(seedExample(), MAX2, { dy: 0, dx: 1 }, 'avg'));
});

test('the digit shifted 1 px right: the numbers the preview shows, equal to tfjs on the shifted tensor; max pooling changes fewer outputs', () => {
  const t = translation(digitMap(), MAX2, { dy: 0, dx: 1 }, pool);
  assert.ok(t);
  const want = { max: tfChange(digitMap(), MAX2, { dy: 0, dx: 1 }, 'max'), avg: tfChange(digitMap(), MAX2, { dy: 0, dx: 1 }, 'avg') };
  assert.equal(t.max.changed, want.max.changed);
  assert.equal(t.avg.changed, want.avg.changed);
  assert.equal(t.max.maxAbs, want.max.maxAbs);
  assert.equal(t.avg.maxAbs, want.avg.maxAbs);
  assert.ok(t.max.changed < t.avg.changed, `max ${t.max.changed} vs average ${t.avg.changed}`);
  // What test/e2e/webview.mjs expects on screen (|Δ| as the preview rounds it).
  assert.deepEqual([t.max.changed, t.max.total, t.avg.changed, t.avg.total], DIGIT_RIGHT);
  assert.deepEqual([formatValue(t.max.maxAbs), formatValue(t.avg.maxAbs)], ['0.908', '0.5']);
});

/** The digit 28×28×1 shifted 1 px right, 2×2 / 2 valid: [max changed, of, average changed, of] (tfjs, above). */
const DIGIT_RIGHT = [28, 196, 49, 196];

test('translation equals tfjs for random maps, windows, paddings, global pooling and shifts', () => {
  const rng = mulberry32(2026);
  const modes: StageSettings['mode'][] = ['max', 'avg', 'globalMax', 'globalAvg'];
  for (let i = 0; i < 150; i++) {
    const m = featureMap(1 + Math.floor(rng() * 12), 1 + Math.floor(rng() * 12), 1 + Math.floor(rng() * 3));
    // Integers in a small range: ties and unchanged windows happen, so "changed" is really tested.
    for (let j = 0; j < m.data.length; j++) m.data[j] = Math.floor(rng() * 4);
    const k: [number, number] = [1 + Math.floor(rng() * 3), 1 + Math.floor(rng() * 3)];
    const s: StageSettings = { mode: modes[Math.floor(rng() * 4)], poolSize: k, strides: [1 + Math.floor(rng() * 3), 1 + Math.floor(rng() * 3)], padding: rng() < 0.5 ? 'valid' : 'same' };
    const shift = { dy: Math.floor(rng() * 5) - 2, dx: Math.floor(rng() * 5) - 2 };
    const fits = s.padding === 'same' || s.mode.startsWith('global') || (m.height >= k[0] && m.width >= k[1]);
    if (!fits) continue;
    const t = translation(m, s, shift, pool);
    assert.ok(t, JSON.stringify({ s, shift }));
    assert.deepEqual(t.max, tfChange(m, s, shift, 'max'), JSON.stringify({ h: m.height, w: m.width, s, shift }));
    assert.deepEqual(t.avg, tfChange(m, s, shift, 'avg'), JSON.stringify({ h: m.height, w: m.width, s, shift }));
  }
});

test('changedValues marks exactly the values change() counts, on random maps', () => {
  const rng = mulberry32(99);
  for (let i = 0; i < 100; i++) {
    const a = featureMap(1 + Math.floor(rng() * 6), 1 + Math.floor(rng() * 6), 1 + Math.floor(rng() * 3));
    for (let j = 0; j < a.data.length; j++) a.data[j] = Math.floor(rng() * 3);
    const b = featureMap(a.height, a.width, a.channels, a.data.map((v) => (rng() < 0.3 ? v + 1 : v)));
    const marks = changedValues(a, b)!;
    assert.equal(marks.reduce((n, m) => n + m, 0), change(a, b)!.changed);
    marks.forEach((m, j) => assert.equal(m, a.data[j] === b.data[j] ? 0 : 1));
  }
  assert.equal(changedValues(featureMap(1, 1, 1), featureMap(1, 2, 1)), null);
});

test('change: shapes that differ give null; NaN against NaN is unchanged; describeShift', () => {
  assert.equal(change(featureMap(2, 2, 1), featureMap(2, 3, 1)), null);
  const a = featureMap(1, 2, 1, Float32Array.from([NaN, 1]));
  const b = featureMap(1, 2, 1, Float32Array.from([NaN, 4]));
  assert.deepEqual(change(a, b), { changed: 1, total: 2, maxAbs: 3 });
  assert.equal(describeShift({ dy: 0, dx: 1 }), '1 px right');
  assert.equal(describeShift({ dy: -2, dx: -1 }), '1 px left and 2 px up');
  assert.equal(describeShift({ dy: 0, dx: 0 }), 'not shifted');
  // The colour picture: three channels, 588 values compared per pooling.
  assert.equal(translation(colourMap(), MAX2, { dy: 1, dx: 0 }, pool)?.max.total, 588);
});

// ---------------------------------------------------------------------------------------------
// The real path of models the preview could not run before: nested models; 3-D pooling says why not

const kerasShape = (shape: number[]) => `(None, ${shape.join(', ')})`;

test("a Sequential used as a layer (nested_model.py): the preview runs it; each pooling layer's real input is the conv output the editor shows, and tf.maxPool of it is the layer's own output", async () => {
  const text = fs.readFileSync(path.join(fixturesDir('python'), 'nested_model.py'), 'utf8');
  const outer = (await analyze(text, {}, 'nested_model.py')).analysis.models.find((m) => m.model.name === 'species_classifier');
  assert.ok(outer);
  const info = runnableModelInfo(outer, () => null, 'keras');
  assert.ok(info.json, info.runWhy);
  assert.equal(info.runWhy, undefined);
  assert.deepEqual(info.input, { height: 64, width: 64, channels: 3 });
  assert.deepEqual(info.pooling.map((p) => p.name), ['max_pooling2d', 'max_pooling2d_1', 'global_average_pooling2d']);
  assert.ok(isPreviewTarget(JSON.parse(JSON.stringify({ key: 'k', layer: null, featureMap: null, model: info }))));
  const built = await buildModel(info.json, 0);
  try {
    const input = featureMap(64, 64, 3);
    const rng = mulberry32(3);
    for (let i = 0; i < input.data.length; i++) input.data[i] = rng();
    const layers = realPath(built, input);
    const byName = new Map(layers.map((l) => [l.name, l]));
    // The nested model's layers, in order, then the nested model itself and the outer layers after it.
    assert.deepEqual(
      layers.map((l) => `${l.name}<${l.source ?? ''}`),
      ['image<', 'conv2d<image', 'max_pooling2d<conv2d', 'conv2d_1<max_pooling2d', 'max_pooling2d_1<conv2d_1', 'conv2d_2<max_pooling2d_1', 'global_average_pooling2d<conv2d_2', 'feature_extractor<image', 'dense<feature_extractor', 'dropout<dense', 'species<dropout'],
    );
    for (const p of info.pooling) {
      const layer = byName.get(p.name)!;
      const source = byName.get(layer.source!)!;
      assert.equal(kerasShape(source.out.shape), p.inputShape, p.name);
      assert.equal(kerasShape(layer.out.shape), p.outputShape, p.name);
    }
    for (const name of ['max_pooling2d', 'max_pooling2d_1']) {
      const src = byName.get(byName.get(name)!.source!)!.out;
      const pooled = tf.tidy(() => tf.maxPool(tf.tensor4d(src.data, [1, src.shape[0], src.shape[1], src.shape[2]]), 2, 2, 'valid').dataSync());
      assert.deepEqual(Array.from(pooled), Array.from(byName.get(name)!.out.data), name);
    }
    // The nested model's output is its last layer's.
    assert.deepEqual(Array.from(byName.get('feature_extractor')!.out.data), Array.from(byName.get('global_average_pooling2d')!.out.data));
  } finally {
    disposeModel(built);
  }
});

test('3-D pooling, a layer tfjs lacks, a model that cannot be exported: no real path, and why', async () => {
  const info = async (src: string) => runnableModelInfo((await analyze(src)).analysis.models[0], () => null, 'keras');
  const volume = await info(`import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(8, 16, 16, 1)), layers.Conv3D(4, 3), layers.MaxPooling3D(), layers.Flatten()])
`);
  assert.equal(volume.json, undefined);
  assert.match(volume.runWhy ?? '', /^max_pooling3d is 3-D pooling: the preview pools 2-D maps/);
  const lacking = await info(`import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(8, 3), layers.RandomFlip(), layers.MaxPooling2D(), layers.Flatten()])
`);
  assert.equal(lacking.json, undefined);
  assert.match(lacking.runWhy ?? '', /^max_pooling2d \(MaxPooling2D\) is not exported for tfjs: /);
  const sequence = await info(`import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(10,)), layers.Reshape((10, 1)), layers.MaxPooling1D()])
`);
  assert.equal(sequence.json, undefined);
  assert.match(sequence.runWhy ?? '', /the lab feeds images/);
  assert.ok(isPreviewTarget(JSON.parse(JSON.stringify({ key: 'k', layer: null, featureMap: null, model: volume }))));
  assert.equal(isPreviewTarget({ key: 'k', layer: null, featureMap: null, model: { ...volume, runWhy: 5 } }), false);
});

test("every fixture model the preview can run: each pooling layer's real input and output in tfjs have the shapes the editor shows (1-D, nested, U-Net skips, separable convs)", async () => {
  const dir = fixturesDir('python');
  const ran: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.py')).sort()) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const summary of (await analyze(text, {}, file)).analysis.models) {
      const info = runnableModelInfo(summary, () => null, 'keras');
      if (!info.json || !info.input) continue;
      const built = await buildModel(info.json, 0);
      try {
        const layers = realPath(built, featureMap(info.input.height, info.input.width, info.input.channels));
        const byName = new Map(layers.map((l) => [l.name, l]));
        for (const p of info.pooling) {
          const layer = byName.get(p.name);
          assert.ok(layer?.source, `${file} ${summary.model.name}: ${p.name} is not on the real path`);
          assert.equal(kerasShape(byName.get(layer.source)!.out.shape), p.inputShape, `${file} ${p.name} input`);
          assert.equal(kerasShape(layer.out.shape), p.outputShape, `${file} ${p.name} output`);
        }
        ran.push(`${file}:${summary.model.name}`);
      } finally {
        disposeModel(built);
      }
    }
  }
  // Among them a 1-D model, a nested one, the U-Net and the transfer-learning backbone (separable convs, built with Keras' initialisers).
  for (const m of ['conv1d_3d.py:har_model', 'nested_model.py:species_classifier', 'unet.py:unet', 'transfer_learning.py:backbone', 'transfer_learning.py:flower_classifier']) assert.ok(ran.includes(m), `${m} not run (ran: ${ran.join(', ')})`);
});
