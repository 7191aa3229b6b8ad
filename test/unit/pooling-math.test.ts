// The pooling preview's arithmetic (webview/pool.ts geometry, webview/tensor.ts runStage on tfjs,
// webview/inputs.ts maps) checked against an independent plain-loop 2-D max/average pooling written
// here from TensorFlow's documented `same` rule: out = ⌈n/s⌉, total pad = max((out − 1)·s + k − n, 0),
// pad before = ⌊total/2⌋ (the odd cell after), padded cells excluded from averages; `valid`:
// out = ⌊(n − k)/s⌋ + 1, no output when the window does not fit.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mulberry32, type Rng } from './helpers/rng';
import { clip, feedersOf, formatValue, formula, geometry, isEmpty, outputLength, samePadding, windowOf, type Window } from '../../webview/pool';
import { SEED_4X4, at, colourMap, digitMap, featureMap, seedExample, syntheticMap, type FeatureMap } from '../../webview/inputs';
import { runStage } from '../../webview/tensor';
import type { Padding, StageSettings } from '../../src/protocol';

before(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

// ---------------------------------------------------------------------------------------------
// The independent reference: plain loops, nothing shared with webview/.

type Local = 'max' | 'avg';

interface AxisPlan {
  out: number;
  /** Padding cells before / after the axis (0 for valid). */
  before: number;
  after: number;
}

function plainAxis(n: number, k: number, s: number, padding: Padding): AxisPlan {
  if (padding === 'same') {
    const out = Math.ceil(n / s);
    const total = Math.max((out - 1) * s + k - n, 0);
    const before = Math.floor(total / 2);
    return { out, before, after: total - before };
  }
  return { out: Math.max(0, Math.floor((n - k) / s) + 1), before: 0, after: 0 };
}

interface PlainResult {
  height: number;
  width: number;
  channels: number;
  /** Row-major, channels last, like FeatureMap.data. */
  data: Float64Array;
}

function plainPool(m: FeatureMap, mode: Local, pool: [number, number], strides: [number, number], padding: Padding): PlainResult {
  const [kh, kw] = pool;
  const [sh, sw] = strides;
  const H = plainAxis(m.height, kh, sh, padding);
  const W = plainAxis(m.width, kw, sw, padding);
  const C = m.channels;
  const data = new Float64Array(H.out * W.out * C);
  for (let oy = 0; oy < H.out; oy++) {
    for (let ox = 0; ox < W.out; ox++) {
      for (let c = 0; c < C; c++) {
        let acc = mode === 'max' ? -Infinity : 0;
        let count = 0;
        for (let dy = 0; dy < kh; dy++) {
          const iy = oy * sh - H.before + dy;
          if (iy < 0 || iy >= m.height) continue;
          for (let dx = 0; dx < kw; dx++) {
            const ix = ox * sw - W.before + dx;
            if (ix < 0 || ix >= m.width) continue;
            const v = m.data[(iy * m.width + ix) * C + c];
            acc = mode === 'max' ? Math.max(acc, v) : acc + v;
            count++;
          }
        }
        if (count === 0) throw new Error(`plain loop: window (${oy}, ${ox}) is all padding`);
        data[(oy * W.out + ox) * C + c] = mode === 'max' ? acc : acc / count;
      }
    }
  }
  return { height: H.out, width: W.out, channels: C, data };
}

function plainGlobal(m: FeatureMap, mode: Local): PlainResult {
  const data = new Float64Array(m.channels);
  for (let c = 0; c < m.channels; c++) {
    let acc = mode === 'max' ? -Infinity : 0;
    for (let i = 0; i < m.height * m.width; i++) {
      const v = m.data[i * m.channels + c];
      acc = mode === 'max' ? Math.max(acc, v) : acc + v;
    }
    data[c] = mode === 'max' ? acc : acc / (m.height * m.width);
  }
  return { height: 1, width: 1, channels: m.channels, data };
}

/** Values in [−1, 1): negative windows catch padding taken as 0 by max pooling. */
function randomMap(rng: Rng, h: number, w: number, c: number): FeatureMap {
  const data = new Float32Array(h * w * c);
  for (let i = 0; i < data.length; i++) data[i] = rng() * 2 - 1;
  return featureMap(h, w, c, data);
}

/** Exact for max (tol 0), within `tol` for averages; reports the first differing index. */
function assertValues(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const ok = tol === 0 ? actual[i] === expected[i] : Math.abs(actual[i] - expected[i]) <= tol;
    if (!ok) assert.fail(`${what}: value ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

const tolOf = (mode: Local): number => (mode === 'max' ? 0 : 1e-5);

function tfPool(m: FeatureMap, mode: Local, pool: [number, number], strides: [number, number], padding: Padding): { shape: number[]; data: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(m.data, [1, m.height, m.width, m.channels]);
    const y = mode === 'max' ? tf.maxPool(x, pool, strides, padding) : tf.avgPool(x, pool, strides, padding);
    return { shape: y.shape.slice(), data: y.dataSync() as Float32Array };
  });
}

const SIZES = [1, 2, 3, 4];
/** Every (kh, kw, sh, sw) in 1..4: square and not, overlapping (s < k), tiling (s = k), skipping (s > k). */
const KERNELS: { pool: [number, number]; strides: [number, number] }[] = [];
for (const kh of SIZES) for (const kw of SIZES) for (const sh of SIZES) for (const sw of SIZES) KERNELS.push({ pool: [kh, kw], strides: [sh, sw] });

/** Input sizes, some smaller than the pool (valid: no output). */
const INPUTS: [number, number][] = [[1, 1], [1, 4], [2, 3], [3, 2], [4, 4], [5, 7], [7, 5], [9, 8]];
const CHANNELS = [1, 3, 5];
const PADDINGS: Padding[] = ['valid', 'same'];
const MODES: Local[] = ['max', 'avg'];

const describe = (mode: string, pool: number[], strides: number[], padding: Padding, m: { height: number; width: number; channels: number }) =>
  `${mode} pool ${pool.join('×')} stride ${strides.join('×')} ${padding} on ${m.height}×${m.width}×${m.channels}`;

// ---------------------------------------------------------------------------------------------
// The reference itself: its sizes agree with counting window positions one by one.

test('plain-loop output lengths equal the number of window positions (valid: window inside; same: start inside)', () => {
  let checked = 0;
  for (let n = 1; n <= 30; n++) {
    for (let k = 1; k <= 6; k++) {
      for (let s = 1; s <= 6; s++) {
        let valid = 0;
        while (valid * s + k <= n) valid++;
        let same = 0;
        while (same * s < n) same++;
        assert.equal(plainAxis(n, k, s, 'valid').out, valid, `valid n=${n} k=${k} s=${s}`);
        const p = plainAxis(n, k, s, 'same');
        assert.equal(p.out, same, `same n=${n} k=${k} s=${s}`);
        // Padding only ever extends the input up to the end of the last window.
        assert.equal(n + p.before + p.after, Math.max(n, (p.out - 1) * s + k), `same cover n=${n} k=${k} s=${s}`);
        assert.ok(p.after - p.before === 0 || p.after - p.before === 1, `same odd pad goes after n=${n} k=${k} s=${s}`);
        checked++;
      }
    }
  }
  assert.equal(checked, 30 * 36);
});

// ---------------------------------------------------------------------------------------------
// 1. tf.maxPool / tf.avgPool against the plain loop, every combination.

for (const mode of MODES) {
  for (const padding of PADDINGS) {
    for (const [h, w] of INPUTS) {
      test(`tf.${mode === 'max' ? 'maxPool' : 'avgPool'} ${padding} on ${h}×${w} (channels 1/3/5) equals the plain loop for every pool 1..4 × stride 1..4`, () => {
        const rng = mulberry32(h * 1000 + w * 10 + (padding === 'same' ? 1 : 0) + (mode === 'avg' ? 5 : 0));
        let compared = 0;
        let noOutput = 0;
        for (const c of CHANNELS) {
          const m = randomMap(rng, h, w, c);
          for (const { pool, strides } of KERNELS) {
            const what = describe(mode, pool, strides, padding, m);
            const ref = plainPool(m, mode, pool, strides, padding);
            const g = geometry(h, w, { mode, poolSize: pool, strides, padding });
            if (ref.height === 0 || ref.width === 0) {
              // Valid padding, window larger than the input: no tfjs call, the preview reports it.
              assert.equal(padding, 'valid', what);
              assert.ok('error' in g, `${what}: geometry() should return an error`);
              assert.ok(h < pool[0] || w < pool[1], what);
              if (h < pool[0]) assert.match(g.error, new RegExp(`height ${h} < pool ${pool[0]}`), what);
              if (w < pool[1]) assert.match(g.error, new RegExp(`width ${w} < pool ${pool[1]}`), what);
              noOutput++;
              continue;
            }
            assert.ok(!('error' in g), `${what}: unexpected geometry error`);
            const y = tfPool(m, mode, pool, strides, padding);
            assert.deepEqual(y.shape, [1, ref.height, ref.width, c], `${what}: shape`);
            assertValues(y.data, ref.data, tolOf(mode), what);
            compared++;
          }
        }
        assert.ok(compared > 0, 'nothing compared');
        // Exactly the pools larger than the input along some axis have no valid output.
        const misfits = KERNELS.filter(({ pool }) => pool[0] > h || pool[1] > w).length * CHANNELS.length;
        assert.equal(noOutput, padding === 'valid' ? misfits : 0);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. runStage (webview/tensor.ts) against the plain loop.

for (const padding of PADDINGS) {
  for (const [h, w, c] of [[5, 7, 3], [8, 8, 1], [9, 6, 5]] as [number, number, number][]) {
    test(`runStage max/avg ${padding} on ${h}×${w}×${c} equals the plain loop (a third of pool × stride combinations)`, () => {
      const rng = mulberry32(7 + h * 31 + w * 7 + c + (padding === 'same' ? 100 : 0));
      const m = randomMap(rng, h, w, c);
      let compared = 0;
      KERNELS.forEach(({ pool, strides }, i) => {
        if (i % 3 !== (h + w) % 3) return;
        for (const mode of MODES) {
          const what = describe(`runStage ${mode}`, pool, strides, padding, m);
          const ref = plainPool(m, mode, pool, strides, padding);
          const { output, ms } = runStage(m, { mode, poolSize: pool, strides, padding });
          assert.ok(Number.isFinite(ms) && ms >= 0, `${what}: ms`);
          assert.deepEqual([output.height, output.width, output.channels], [ref.height, ref.width, c], `${what}: shape`);
          assertValues(output.data, ref.data, tolOf(mode), what);
          compared++;
        }
      });
      assert.ok(compared >= 150, `only ${compared} compared`);
    });
  }
}

test('runStage globalMax / globalAvg keep a 1×1 map equal to the plain-loop max / mean per channel', () => {
  const rng = mulberry32(2024);
  for (const [h, w, c] of [[1, 1, 1], [1, 9, 3], [7, 1, 2], [4, 4, 5], [13, 6, 3], [28, 28, 8]] as [number, number, number][]) {
    const m = randomMap(rng, h, w, c);
    for (const [mode, local] of [['globalMax', 'max'], ['globalAvg', 'avg']] as const) {
      // Pool size, strides and padding are ignored by global pooling.
      const { output } = runStage(m, { mode, poolSize: [3, 2], strides: [2, 3], padding: 'valid' });
      const what = `${mode} on ${h}×${w}×${c}`;
      assert.deepEqual([output.height, output.width, output.channels], [1, 1, c], what);
      assertValues(output.data, plainGlobal(m, local).data, tolOf(local), what);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// 3. webview/pool.ts geometry against the plain loop.

test('outputLength and samePadding equal the plain-loop arithmetic for n 1..30, k 1..6, s 1..6', () => {
  for (let n = 1; n <= 30; n++) {
    for (let k = 1; k <= 6; k++) {
      for (let s = 1; s <= 6; s++) {
        for (const padding of PADDINGS) {
          assert.equal(outputLength(n, k, s, padding), plainAxis(n, k, s, padding).out, `${padding} n=${n} k=${k} s=${s}`);
        }
        const p = plainAxis(n, k, s, 'same');
        assert.deepEqual(samePadding(n, k, s), [p.before, p.after], `samePadding n=${n} k=${k} s=${s}`);
      }
    }
  }
});

/** Every stage on small inputs: local pooling in both paddings, plus the two global modes. */
function* smallStages(): Generator<StageSettings> {
  for (const padding of PADDINGS) for (const { pool, strides } of KERNELS) yield { mode: 'max', poolSize: pool, strides, padding };
  yield { mode: 'globalMax', poolSize: [2, 2], strides: [2, 2], padding: 'valid' };
  yield { mode: 'globalAvg', poolSize: [2, 2], strides: [2, 2], padding: 'same' };
}

const plainFor = (m: FeatureMap, s: StageSettings, local: Local): PlainResult =>
  s.mode === 'globalMax' || s.mode === 'globalAvg' ? plainGlobal(m, local) : plainPool(m, local, s.poolSize, s.strides, s.padding);

test('geometry() sizes and padding equal the plain loop, and pooling over clip(windowOf) reproduces every plain-loop value (inputs 1..7 × 1..7)', () => {
  const rng = mulberry32(99);
  let cells = 0;
  for (let h = 1; h <= 7; h++) {
    for (let w = 1; w <= 7; w++) {
      const m = randomMap(rng, h, w, 2);
      for (const s of smallStages()) {
        const what = `${s.mode} ${s.poolSize.join('×')}/${s.strides.join('×')} ${s.padding} on ${h}×${w}`;
        const g = geometry(h, w, s);
        const ref = { max: plainFor(m, s, 'max'), avg: plainFor(m, s, 'avg') };
        if (ref.max.height === 0 || ref.max.width === 0) {
          assert.ok('error' in g, `${what}: expected an error`);
          continue;
        }
        if ('error' in g) throw new Error(`${what}: unexpected error ${g.error}`);
        assert.deepEqual([g.inH, g.inW, g.outH, g.outW], [h, w, ref.max.height, ref.max.width], `${what}: sizes`);
        const global = s.mode === 'globalMax' || s.mode === 'globalAvg';
        assert.equal(g.global, global, what);
        if (!global) {
          assert.deepEqual([g.kh, g.kw, g.sh, g.sw], [...s.poolSize, ...s.strides], `${what}: window`);
          const ph = plainAxis(h, s.poolSize[0], s.strides[0], s.padding);
          const pw = plainAxis(w, s.poolSize[1], s.strides[1], s.padding);
          assert.deepEqual([g.padTop, g.padBottom, g.padLeft, g.padRight], [ph.before, ph.after, pw.before, pw.after], `${what}: padding`);
          assert.equal(g.outH, outputLength(h, s.poolSize[0], s.strides[0], s.padding), `${what}: outputLength height`);
          assert.equal(g.outW, outputLength(w, s.poolSize[1], s.strides[1], s.padding), `${what}: outputLength width`);
        }
        for (let oy = 0; oy < g.outH; oy++) {
          for (let ox = 0; ox < g.outW; ox++) {
            const win = windowOf(g, oy, ox);
            assert.deepEqual([win.y1 - win.y0 + 1, win.x1 - win.x0 + 1], [g.kh, g.kw], `${what}: window (${oy}, ${ox}) size`);
            const cw = clip(g, win);
            assert.ok(!isEmpty(cw), `${what}: clipped window (${oy}, ${ox}) is empty`);
            for (let c = 0; c < 2; c++) {
              let mx = -Infinity;
              let sum = 0;
              for (let y = cw.y0; y <= cw.y1; y++) {
                for (let x = cw.x0; x <= cw.x1; x++) {
                  mx = Math.max(mx, at(m, y, x, c));
                  sum += at(m, y, x, c);
                }
              }
              const avg = sum / ((cw.y1 - cw.y0 + 1) * (cw.x1 - cw.x0 + 1));
              const i: number = (oy * g.outW + ox) * 2 + c;
              if (mx !== ref.max.data[i]) assert.fail(`${what}: max over clip(windowOf(${oy}, ${ox})) is ${mx}, plain loop ${ref.max.data[i]}`);
              if (Math.abs(avg - ref.avg.data[i]) > 1e-12) assert.fail(`${what}: mean over clip(windowOf(${oy}, ${ox})) is ${avg}, plain loop ${ref.avg.data[i]}`);
              cells++;
            }
          }
        }
        // `same`: the last window never goes beyond the padding, and padding after is added only as far as it needs.
        if (!global && s.padding === 'same') {
          const last = windowOf(g, g.outH - 1, g.outW - 1);
          assert.ok(last.y1 <= h - 1 + g.padBottom && last.x1 <= w - 1 + g.padRight, `${what}: last window beyond padding`);
          if (g.padBottom > 0) assert.equal(last.y1, h - 1 + g.padBottom, `${what}: bottom padding not used up`);
          if (g.padRight > 0) assert.equal(last.x1, w - 1 + g.padRight, `${what}: right padding not used up`);
        }
      }
    }
  }
  assert.ok(cells > 100_000, `only ${cells} cells checked`);
});

test('feedersOf is the exact inverse of clip(windowOf): input (iy, ix) is in output (oy, ox)\'s window iff (oy, ox) is in feedersOf(iy, ix) (inputs 1..7 × 1..7, exhaustive)', () => {
  let pairs = 0;
  let skipped = 0;
  for (let h = 1; h <= 7; h++) {
    for (let w = 1; w <= 7; w++) {
      for (const s of smallStages()) {
        const g = geometry(h, w, s);
        if ('error' in g) continue;
        const what = `${s.mode} ${s.poolSize.join('×')}/${s.strides.join('×')} ${s.padding} on ${h}×${w}`;
        const windows: Window[] = [];
        for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) windows.push(clip(g, windowOf(g, oy, ox)));
        for (let iy = 0; iy < h; iy++) {
          for (let ix = 0; ix < w; ix++) {
            const f = feedersOf(g, iy, ix);
            let fed = 0;
            for (let oy = 0; oy < g.outH; oy++) {
              for (let ox = 0; ox < g.outW; ox++) {
                const cw: Window = windows[oy * g.outW + ox];
                const inWindow: boolean = iy >= cw.y0 && iy <= cw.y1 && ix >= cw.x0 && ix <= cw.x1;
                const inFeeders = oy >= f.y0 && oy <= f.y1 && ox >= f.x0 && ox <= f.x1;
                if (inWindow !== inFeeders) {
                  assert.fail(`${what}: input (${iy}, ${ix}) in window of output (${oy}, ${ox}): ${inWindow}, in feedersOf ${JSON.stringify(f)}: ${inFeeders}`);
                }
                if (inWindow) fed++;
                pairs++;
              }
            }
            assert.equal(isEmpty(f), fed === 0, `${what}: isEmpty(feedersOf(${iy}, ${ix}))`);
            if (fed === 0) skipped++;
          }
        }
      }
    }
  }
  assert.ok(pairs > 100_000, `only ${pairs} pairs checked`);
  // Strides larger than the pool skip input cells: feedersOf must report some empty ranges.
  assert.ok(skipped > 0, 'no skipped input cell seen');
});

test('feedersOf on a skipping stride (pool 1×2, stride 3×3, valid, 7×9): skipped rows and columns have empty ranges', () => {
  const g = geometry(7, 9, { mode: 'max', poolSize: [1, 2], strides: [3, 3], padding: 'valid' });
  if ('error' in g) throw new Error(g.error);
  assert.deepEqual([g.outH, g.outW], [3, 3]);
  assert.deepEqual(feedersOf(g, 3, 3), { y0: 1, y1: 1, x0: 1, x1: 1 });
  assert.deepEqual(feedersOf(g, 3, 4), { y0: 1, y1: 1, x0: 1, x1: 1 });
  assert.ok(isEmpty(feedersOf(g, 1, 0)), 'row 1 is skipped');
  assert.ok(isEmpty(feedersOf(g, 0, 2)), 'column 2 is skipped');
  assert.ok(isEmpty(feedersOf(g, 0, 8)), 'column 8 is past the last window');
});

// ---------------------------------------------------------------------------------------------
// 4. formula() strings.

test('formula() prints the issue\'s notations: valid "height: ⌊(28 − 2)/2⌋ + 1 = 14", same "width: ⌈28/2⌉ = 14"', () => {
  assert.equal(formula('height', 28, 2, 2, 'valid'), 'height: ⌊(28 − 2)/2⌋ + 1 = 14');
  assert.equal(formula('width', 28, 2, 2, 'same'), 'width: ⌈28/2⌉ = 14');
});

test('formula() operands and result equal the plain-loop output size (n 1..30, k 1..5, s 1..5, both paddings)', () => {
  const VALID = /^height: ⌊\((\d+) − (\d+)\)\/(\d+)⌋ \+ 1 = (\d+)$/;
  const SAME = /^height: ⌈(\d+)\/(\d+)⌉ = (\d+)$/;
  for (let n = 1; n <= 30; n++) {
    for (let k = 1; k <= 5; k++) {
      for (let s = 1; s <= 5; s++) {
        const v = formula('height', n, k, s, 'valid');
        const vOut = plainAxis(n, k, s, 'valid').out;
        if (vOut > 0) {
          const r = VALID.exec(v);
          assert.ok(r, `valid n=${n} k=${k} s=${s}: ${v}`);
          assert.deepEqual(r.slice(1).map(Number), [n, k, s, vOut], `valid n=${n} k=${k} s=${s}: ${v}`);
        } else {
          assert.ok(!v.includes('='), `valid n=${n} k=${k}: no result expected in ${v}`);
          assert.match(v, /does not fit/, `valid n=${n} k=${k}`);
        }
        const sm = formula('height', n, k, s, 'same');
        const r = SAME.exec(sm);
        assert.ok(r, `same n=${n} k=${k} s=${s}: ${sm}`);
        assert.deepEqual(r.slice(1).map(Number), [n, s, plainAxis(n, k, s, 'same').out], `same n=${n} k=${k} s=${s}: ${sm}`);
      }
    }
  }
});

test('formatValue() rounds to 3 decimals without trailing zeros or −0', () => {
  assert.equal(formatValue(4), '4');
  assert.equal(formatValue(2.5), '2.5');
  assert.equal(formatValue(1 / 3), '0.333');
  assert.equal(formatValue(2 / 3), '0.667');
  assert.equal(formatValue(0.1 + 0.2), '0.3');
  assert.equal(formatValue(-0.0001), '0');
  assert.equal(formatValue(-1.25), '-1.25');
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(-Infinity), '-Infinity');
});

// ---------------------------------------------------------------------------------------------
// 5. The seed examples.

test('seed 001: seedExample() is SEED_4X4 as 4×4×1', () => {
  const m = seedExample();
  assert.deepEqual([m.height, m.width, m.channels], [4, 4, 1]);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) assert.equal(at(m, y, x, 0), SEED_4X4[y][x], `(${y}, ${x})`);
});

test('seed 001: 2×2 stride 2 valid on seedExample(): max output[0,0] = 4, average 2.5 (window [[1,3],[2,4]]), via runStage and the plain loop', () => {
  const m = seedExample();
  const g = geometry(4, 4, { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' });
  if ('error' in g) throw new Error(g.error);
  assert.deepEqual(windowOf(g, 0, 0), { y0: 0, y1: 1, x0: 0, x1: 1 });
  assert.deepEqual([at(m, 0, 0, 0), at(m, 0, 1, 0), at(m, 1, 0, 0), at(m, 1, 1, 0)], [1, 3, 2, 4]);
  const max = runStage(m, { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }).output;
  const avg = runStage(m, { mode: 'avg', poolSize: [2, 2], strides: [2, 2], padding: 'valid' }).output;
  assert.deepEqual([max.height, max.width, max.channels], [2, 2, 1]);
  assert.equal(at(max, 0, 0, 0), 4);
  assert.equal(at(avg, 0, 0, 0), 2.5);
  assert.equal(formatValue(at(avg, 0, 0, 0)), '2.5');
  // The whole outputs (hand-computed from SEED_4X4) and the plain loop agree.
  assert.deepEqual(Array.from(max.data), [4, 5, 8, 9]);
  assert.deepEqual(Array.from(avg.data), [2.5, 2, 5, 5]);
  assert.deepEqual(Array.from(plainPool(m, 'max', [2, 2], [2, 2], 'valid').data), [4, 5, 8, 9]);
  assert.deepEqual(Array.from(plainPool(m, 'avg', [2, 2], [2, 2], 'valid').data), [2.5, 2, 5, 5]);
});

test('seed 000: colourMap() 28×28×3 → max 2×2 → 14×14×3 → avg 2×2 → 7×7×3 via runStage, values equal the plain loop', () => {
  const input = colourMap();
  const s1: StageSettings = { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' };
  const s2: StageSettings = { mode: 'avg', poolSize: [2, 2], strides: [2, 2], padding: 'valid' };
  const a = runStage(input, s1).output;
  assert.deepEqual([a.height, a.width, a.channels], [14, 14, 3]);
  const g1 = geometry(28, 28, s1);
  assert.ok(!('error' in g1) && g1.outH === 14 && g1.outW === 14);
  const b = runStage(a, s2).output;
  assert.deepEqual([b.height, b.width, b.channels], [7, 7, 3]);
  const g2 = geometry(14, 14, s2);
  assert.ok(!('error' in g2) && g2.outH === 7 && g2.outW === 7);
  assertValues(a.data, plainPool(input, 'max', [2, 2], [2, 2], 'valid').data, 0, 'max stage');
  assertValues(b.data, plainPool(a, 'avg', [2, 2], [2, 2], 'valid').data, 1e-5, 'avg stage');
});

// ---------------------------------------------------------------------------------------------
// 6. The input generators.

function valueRange(m: FeatureMap): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of m.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}

test('digitMap() is 28×28×1 in [0, 1] with both dark background and bright stroke pixels', () => {
  const m = digitMap();
  assert.deepEqual([m.height, m.width, m.channels, m.data.length], [28, 28, 1, 784]);
  const [lo, hi] = valueRange(m);
  assert.ok(lo >= 0 && hi <= 1, `range [${lo}, ${hi}]`);
  const dark = m.data.filter((v) => v < 0.05).length;
  const bright = m.data.filter((v) => v > 0.95).length;
  assert.ok(dark > 300, `${dark} dark pixels`);
  assert.ok(bright > 20, `${bright} bright pixels`);
});

test('colourMap() is 28×28×3 in [0, 1] and not grey (channels differ)', () => {
  const m = colourMap();
  assert.deepEqual([m.height, m.width, m.channels, m.data.length], [28, 28, 3, 28 * 28 * 3]);
  const [lo, hi] = valueRange(m);
  assert.ok(lo >= 0 && hi <= 1, `range [${lo}, ${hi}]`);
  let coloured = 0;
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) if (at(m, y, x, 0) !== at(m, y, x, 1) || at(m, y, x, 1) !== at(m, y, x, 2)) coloured++;
  assert.ok(coloured > 28 * 28 * 0.9, `${coloured} coloured pixels`);
});

test('syntheticMap(h, w, c) has the requested shape, finite values, and every pair of channels differs', () => {
  for (const [h, w, c] of [[28, 28, 8], [26, 26, 32], [13, 7, 3], [12, 20, 5], [5, 9, 2], [1, 1, 1], [3, 2, 4], [64, 10, 1]] as [number, number, number][]) {
    const m = syntheticMap(h, w, c);
    const what = `syntheticMap(${h}, ${w}, ${c})`;
    assert.deepEqual([m.height, m.width, m.channels, m.data.length], [h, w, c, h * w * c], what);
    assert.ok(m.data.every(Number.isFinite), `${what}: non-finite value`);
    if (h < 5 || w < 5) continue; // too small to draw the digit: nothing to tell channels apart
    assert.ok(m.data.some((v) => v !== 0), `${what}: all zero`);
    for (let a = 0; a < c; a++) {
      for (let b = a + 1; b < c; b++) {
        let differs = false;
        for (let i = 0; i < h * w && !differs; i++) differs = m.data[i * c + a] !== m.data[i * c + b];
        assert.ok(differs, `${what}: channels ${a} and ${b} are identical`);
      }
    }
  }
});

test('featureMap() and at() index row-major, channels last', () => {
  const m = featureMap(2, 3, 2);
  assert.equal(m.data.length, 12);
  m.data.forEach((_, i) => (m.data[i] = i));
  assert.equal(at(m, 0, 0, 0), 0);
  assert.equal(at(m, 0, 0, 1), 1);
  assert.equal(at(m, 0, 2, 1), 5);
  assert.equal(at(m, 1, 0, 0), 6);
  assert.equal(at(m, 1, 2, 1), 11);
});
