// Symbolic sizes: the formula algebra (core/formula.ts) against brute-force evaluation, and the
// pass (core/symbolic.ts) on models whose formulas are worked by hand from Keras' arithmetic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, constant, divide, evaluate, formatFormula, mul, substitute, sub, symbol, type Formula } from '../../src/core/formula';
import { formatFormulaShape, symbolicMacs, symbolicModel } from '../../src/core/symbolic';
import { inputDimNames } from '../../src/core/shape';
import { GraphBuilder } from '../../src/core/builder';
import { caseSeed, emitPython, mulberry32, randomValidSpec, type ModelSpec } from './helpers/cnn-gen';
import type { ModelSummary } from '../../src/core/summary';
import { formatCostTable, modelCost, rowCost } from '../../src/core/cost';
import { costFormulas } from '../../src/core/symbolicText';
import { modelsOf } from './helpers/python';
import { analyzeJs } from './helpers/tfjs';

const H = symbol('H');
const W = symbol('W');
const ok = (f: Formula | null): Formula => {
  assert.ok(f, 'formula expected');
  return f;
};

test('formula: Keras window arithmetic prints in its simplest exact form', () => {
  // valid pool 2: ⌊(H − 2)/2⌋ + 1 = ⌊H/2⌋ (a floor plus k prints with k·d inside)
  assert.equal(formatFormula(ok(add(ok(divide(ok(sub(H, constant(2))), 2, 'floor')), constant(1)))), '⌊H/2⌋');
  // valid conv 3, stride 1: ⌊(H − 3)/1⌋ + 1 = H − 2
  assert.equal(formatFormula(ok(add(ok(divide(ok(sub(H, constant(3))), 1, 'floor')), constant(1)))), 'H − 2');
  // valid conv 3, stride 2: ⌊(H − 3)/2⌋ + 1 = ⌊(H − 1)/2⌋
  assert.equal(formatFormula(ok(add(ok(divide(ok(sub(H, constant(3))), 2, 'floor')), constant(1)))), '⌊(H − 1)/2⌋');
  // valid conv 5, stride 2: ⌊(H − 5)/2⌋ + 1 = ⌊(H − 3)/2⌋
  assert.equal(formatFormula(ok(add(ok(divide(ok(sub(H, constant(5))), 2, 'floor')), constant(1)))), '⌊(H − 3)/2⌋');
  // same, stride 2 twice: ⌈⌈H/2⌉/2⌉ = ⌈H/4⌉
  assert.equal(formatFormula(ok(divide(ok(divide(H, 2, 'ceil')), 2, 'ceil'))), '⌈H/4⌉');
  // ⌊(⌊H/2⌋ − 1)/2⌋ = ⌊(H − 2)/4⌋: floors of floors merge
  assert.equal(formatFormula(ok(divide(ok(sub(ok(divide(H, 2, 'floor')), constant(1))), 2, 'floor'))), '⌊(H − 2)/4⌋');
  // Dense after a Flatten of (⌊H/2⌋, ⌊W/2⌋, 32): params in·10 + 10
  const flat = ok(mul(ok(mul(ok(divide(H, 2, 'floor')), ok(divide(W, 2, 'floor')))), constant(32)));
  assert.equal(formatFormula(ok(add(ok(mul(flat, constant(10))), constant(10)))), '⌊H/2⌋·⌊W/2⌋·320 + 10');
  assert.equal(formatFormula(ok(add(ok(mul(symbol('latent_size'), constant(3456))), constant(3456)))), 'latent_size·3456 + 3456');
  assert.equal(formatFormula(ok(divide(ok(mul(H, constant(6))), 4, 'div'))), '(H·3/2)');
  assert.equal(divide(constant(7), 2, 'div'), null);
});

test('formula: normal forms equal brute force for every size 1–200', () => {
  const cases: [string, (h: Formula) => Formula | null, (h: number) => number][] = [
    ['valid k5 s3', (h) => add(ok(divide(ok(sub(h, constant(5))), 3, 'floor')), constant(1)), (h) => Math.floor((h - 5) / 3) + 1],
    ['same s3 then valid k2 s2', (h) => add(ok(divide(ok(sub(ok(divide(h, 3, 'ceil')), constant(2))), 2, 'floor')), constant(1)), (h) => Math.floor((Math.ceil(h / 3) - 2) / 2) + 1],
    ['floor of floor plus 3', (h) => divide(ok(add(ok(divide(h, 4, 'floor')), constant(3))), 3, 'floor'), (h) => Math.floor((Math.floor(h / 4) + 3) / 3)],
    ['ceil of ceil minus 5', (h) => divide(ok(sub(ok(divide(h, 2, 'ceil')), constant(5))), 7, 'ceil'), (h) => Math.ceil((Math.ceil(h / 2) - 5) / 7)],
    ['2h+1 over 2', (h) => divide(ok(add(ok(mul(h, constant(2))), constant(1))), 2, 'floor'), (h) => Math.floor((2 * h + 1) / 2)],
    ['6h−4 over 4', (h) => divide(ok(sub(ok(mul(h, constant(6))), constant(4))), 4, 'floor'), (h) => Math.floor((6 * h - 4) / 4)],
    ['transposed (h−1)·2 + 3', (h) => add(ok(mul(ok(sub(h, constant(1))), constant(2))), constant(3)), (h) => (h - 1) * 2 + 3],
  ];
  for (const [name, build, brute] of cases) {
    const f = ok(build(H));
    for (let h = 1; h <= 200; h++) assert.equal(evaluate(f, new Map([['H', h]])), brute(h) + 0, `${name} at H=${h}: ${formatFormula(f)}`);
  }
  assert.equal(evaluate(H, new Map()), null, 'a symbol without a value');
  assert.equal(formatFormula(ok(substitute(ok(add(ok(mul(H, W)), constant(1))), new Map([['W', 3]])))), 'H·3 + 1');
});

function rows(s: ModelSummary): Record<string, { shape?: string; params?: string }> {
  const m = symbolicModel(s);
  const out: Record<string, { shape?: string; params?: string }> = {};
  s.rows.forEach((row, i) => {
    const r = m.rows[i];
    if (!r) return;
    const shape = r.shape ? (Array.isArray(r.shape[0]) ? (r.shape as never[]).map((x) => formatFormulaShape(x)).join(', ') : formatFormulaShape(r.shape as never)) : undefined;
    out[row.name] = { ...(shape ? { shape } : {}), ...(r.params ? { params: formatFormula(r.params) } : {}) };
  });
  return out;
}

test('pass: Input(shape=(None, None, 3)) through conv, pooling, upsampling, padding, cropping, concatenate', async () => {
  const [s] = await modelsOf(`
import keras
from keras import layers
inp = keras.Input(shape=(None, None, 3))
x = layers.Conv2D(32, 3, name="c1")(inp)
x = layers.MaxPooling2D(name="p1")(x)
x = layers.Conv2D(64, 3, strides=2, padding="same", name="c2")(x)
y = layers.UpSampling2D(name="up")(x)
y = layers.ZeroPadding2D(((1, 2), 0), name="pad")(y)
y = layers.Cropping2D((3, 1), name="crop")(y)
z = layers.Conv2DTranspose(8, 3, strides=2, name="t")(x)
g = layers.GlobalAveragePooling2D(name="g")(x)
model = keras.Model(inp, [y, z, g])
`);
  const r = rows(s);
  // Keras: valid 3 → H − 2; pool 2 → ⌊(H − 2 − 2)/2⌋ + 1 = ⌊H/2⌋ − 1; same stride 2 → ⌈(⌊H/2⌋ − 1)/2⌉.
  assert.equal(r.input_layer.shape, '(None, H, W, 3)');
  assert.equal(r.c1.shape, '(None, H − 2, W − 2, 32)');
  assert.equal(r.p1.shape, '(None, ⌊(H − 2)/2⌋, ⌊(W − 2)/2⌋, 32)');
  // ⌈(⌊H/2⌋ − 1)/2⌉: worked by brute force below rather than trusting one normal form.
  const c2 = symbolicModel(s).rows[s.rows.findIndex((x) => x.name === 'c2')]!.shape as Formula[];
  for (let h = 4; h < 80; h++) assert.equal(evaluate(c2[1], new Map([['H', h]])), Math.ceil((Math.floor((h - 2 - 2) / 2) + 1) / 2), `c2 at H=${h}`);
  const up = symbolicModel(s).rows[s.rows.findIndex((x) => x.name === 'up')]!.shape as Formula[];
  const pad = symbolicModel(s).rows[s.rows.findIndex((x) => x.name === 'pad')]!.shape as Formula[];
  const crop = symbolicModel(s).rows[s.rows.findIndex((x) => x.name === 'crop')]!.shape as Formula[];
  const t = symbolicModel(s).rows[s.rows.findIndex((x) => x.name === 't')]!.shape as Formula[];
  for (let h = 4; h < 80; h++) {
    const v = new Map([['H', h], ['W', h + 7]]);
    const c2h = Math.ceil((Math.floor((h - 4) / 2) + 1) / 2);
    const c2w = Math.ceil((Math.floor((h + 7 - 4) / 2) + 1) / 2);
    assert.equal(evaluate(up[1], v), 2 * c2h);
    assert.equal(evaluate(pad[1], v), 2 * c2h + 3);
    assert.equal(evaluate(pad[2], v), 2 * c2w);
    assert.equal(evaluate(crop[1], v), 2 * c2h + 3 - 6);
    assert.equal(evaluate(crop[2], v), 2 * c2w - 2);
    // Transposed valid, no output_padding: (n − 1)·s + max(K, s).
    assert.equal(evaluate(t[1], v), (c2h - 1) * 2 + 3);
  }
  assert.equal(r.g, undefined, 'global pooling: (None, 64) is known, nothing to add');
  // Params are known (channels known): no params formulas.
  assert.ok(Object.values(r).every((x) => x.params === undefined));
});

test('pass: a None sequence length through Embedding, LSTM, Conv1D, Dense; a Flatten makes Dense weights a formula', async () => {
  const [s] = await modelsOf(`
import keras
from keras import layers
inp = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(1000, 16, name="emb")(inp)
x = layers.Conv1D(8, 5, name="conv")(x)
x = layers.LSTM(4, return_sequences=True, name="lstm")(x)
x = layers.Dense(3, name="d")(x)
model = keras.Model(inp, x)
`);
  const r = rows(s);
  assert.equal(r.input_layer.shape, '(None, T)');
  assert.equal(r.emb.shape, '(None, T, 16)');
  assert.equal(r.conv.shape, '(None, T − 4, 8)');
  assert.equal(r.lstm.shape, '(None, T − 4, 4)');
  assert.equal(r.d.shape, '(None, T − 4, 3)');
});

test('pass: Flatten of open sizes gives a Dense weight count and a total as formulas (Keras raises on a None last dim at run time, so the count is `?` today)', async () => {
  const [s] = await modelsOf(`
import keras
from keras import layers
model = keras.Sequential([
    keras.Input(shape=(None, None, 1)),
    layers.Conv2D(32, 3, name="c"),
    layers.MaxPooling2D(name="p"),
    layers.Flatten(name="f"),
    layers.Dense(10, name="d"),
])
`);
  const r = rows(s);
  // Conv valid 3 then pool 2: ⌊(H − 2 − 2)/2⌋ + 1 = ⌊(H − 2)/2⌋.
  assert.equal(r.f.shape, '(None, ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·32)');
  // Dense: in·10 + 10.
  assert.equal(r.d.params, '⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 10');
  // Conv: 3·3·1·32 + 32 = 320.
  assert.equal(formatFormula(symbolicModel(s).totalParams!), '⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 330');
});

test('pass: a model with an open size per input names each input', async () => {
  const [s] = await modelsOf(`
import keras
from keras import layers
a = keras.Input(shape=(None, 4), name="a")
b = keras.Input(shape=(None, 4), name="b")
x = layers.Concatenate(axis=1, name="cat")([a, b])
model = keras.Model([a, b], x)
`);
  const r = rows(s);
  assert.equal(r.cat.shape, '(None, T_a + T_b, 4)');
});

test('pass: tfjs tf.input({shape: [null, null, 3]})', async () => {
  const [s] = (await analyzeJs(`
const tf = require('@tensorflow/tfjs');
const input = tf.input({shape: [null, null, 3]});
const c = tf.layers.conv2d({filters: 4, kernelSize: 5, strides: 2, name: 'c'}).apply(input);
const model = tf.model({inputs: input, outputs: c});
`)).analysis.models;
  // valid 5, stride 2: ⌊(H − 5)/2⌋ + 1 = ⌊(H − 3)/2⌋
  assert.equal(rows(s).c.shape, '(None, ⌊(H − 3)/2⌋, ⌊(W − 3)/2⌋, 4)');
});

test('pass: wrappers and tensor ops keep the formulas (Bidirectional concat doubles, TimeDistributed puts the steps back, x + y broadcasts)', async () => {
  const [s] = await modelsOf(`
import keras
from keras import layers
inp = keras.Input(shape=(None, 16))
x = layers.Bidirectional(layers.LSTM(8, return_sequences=True), name="bi")(inp)
y = layers.TimeDistributed(layers.Dense(16), name="td")(x)
z = y + inp
w = keras.ops.relu(z)
model = keras.Model(inp, w)
`);
  const r = rows(s);
  assert.equal(r.bi.shape, '(None, T, 16)');
  assert.equal(r.td.shape, '(None, T, 16)');
  const names = Object.keys(r);
  // The op rows (Keras 3 lists `add`, `relu`) keep T.
  assert.deepEqual(names, ["input_layer", "bi", "td", "add", "relu"], JSON.stringify(r));
  for (const n of names) assert.equal(r[n].shape, "(None, T, 16)", n);
});

test('random CNNs written with open spatial sizes: every formula, at the sizes of the same CNN tfjs builds, equals tfjs (shapes, weights) and the MACs of that CNN', async () => {
  // Each generated CNN (convs valid/same with strides and dilation, transposed convs, pooling,
  // BN, Flatten, Dense, 1–3 spatial axes, both data formats) is written with None for its spatial
  // sizes; its formulas are evaluated at the sizes the generator chose and compared with the
  // shapes and weights tfjs-layers gives the CNN built at those sizes.
  let dims = 0;
  let counts = 0;
  let models = 0;
  let macs = 0;
  let totals = 0;
  for (let i = 0; i < 40; i++) {
    const rng = mulberry32(caseSeed(0x5e1b, i));
    const { spec, oracle } = randomValidSpec(rng, `cnn_${i}`);
    const open: ModelSpec = { ...spec, inputShape: spec.inputShape.map((d, j) => (spec.dataFormat === 'channels_first' ? (j === 0 ? d : null) : j === spec.inputShape.length - 1 ? d : null)) };
    const program = emitPython(open, rng);
    const ms = await modelsOf(program.main, program.files);
    if (ms.length !== 1) continue;
    const s = ms[0];
    const m = symbolicModel(s);
    // The symbols' values: the sizes the generator chose, by the names Shape Lens gives open dims.
    const batchShape = [null, ...open.inputShape];
    const values = new Map<string, number>();
    inputDimNames(batchShape).forEach((n, j) => {
      if (n) values.set(n, spec.inputShape[j - 1] as number);
    });
    const rowsIn = s.rows.map((r, k) => ({ r, f: m.rows[k] })).filter((x) => x.r.className !== 'InputLayer');
    assert.equal(rowsIn.length, oracle.layers.length, `case ${i} (${program.style}): rows`);
    models++;
    rowsIn.forEach(({ r, f }, k) => {
      const want = oracle.layers[k];
      const shape = r.outputShape as (number | string | null)[];
      shape.forEach((d, j) => {
        if (j === 0 || typeof d === 'number') return;
        const g = f?.shape ? (f.shape as (Formula | null | string)[])[j] : undefined;
        assert.ok(g && typeof g === 'object', `case ${i} ${r.name} dim ${j}: no formula for ${String(d)} (${program.style})`);
        assert.equal(evaluate(g, values), want.outputShape[j], `case ${i} ${r.name} dim ${j}: ${formatFormula(g)}`);
        dims++;
      });
      if (r.params === null && f?.params) {
        assert.equal(evaluate(f.params, values), want.params, `case ${i} ${r.name} params: ${formatFormula(f.params)}`);
        counts++;
      }
    });
    if (m.totalParams) assert.equal(evaluate(m.totalParams, values), oracle.totalParams, `case ${i}: total ${formatFormula(m.totalParams)}`);
    // MACs: the formulas at the generator's sizes equal the counts of the same CNN written with those sizes.
    const fixed = emitPython(spec, mulberry32(caseSeed(0x5e1c, i)));
    const [concrete] = await modelsOf(fixed.main, fixed.files);
    const costs = modelCost(concrete).rows.filter((_, k) => concrete.rows[k].className !== 'InputLayer');
    assert.equal(costs.length, rowsIn.length, `case ${i}: rows of the fixed-size CNN`);
    const mm = symbolicMacs(s);
    const macRows = mm.rows.filter((_, k) => s.rows[k].className !== 'InputLayer');
    rowsIn.forEach(({ r }, k) => {
      const f = macRows[k];
      if (!f) return;
      assert.equal(evaluate(f, values), costs[k].macs, `case ${i} ${r.name} MACs: ${formatFormula(f)}`);
      macs++;
    });
    if (mm.total) {
      assert.equal(evaluate(mm.total, values), modelCost(concrete).totalMacs, `case ${i}: total MACs ${formatFormula(mm.total)}`);
      totals++;
    }
  }
  assert.ok(models >= 30, `only ${models} models`);
  assert.ok(dims >= 300, `only ${dims} dims compared`);
  assert.ok(counts >= 5, `only ${counts} weight counts compared`);
  assert.ok(macs >= 100 && totals >= 20, `only ${macs} MACs and ${totals} total MACs compared`);
});

test('assumptions bind an input\'s open dims by their names: `H` every input, `H_name` one input', () => {
  const b = new GraphBuilder();
  b.assumptions = new Map([['H', 224], ['W_photo', 160]]);
  const photo = b.createInput([null, null, null, 3], undefined, 'photo');
  const mask = b.createInput([null, null, null, 1], undefined, 'mask');
  const seq = b.createInput([null, null], undefined, 'tokens');
  assert.deepEqual(photo.shape, [null, 224, 160, 3]);
  assert.deepEqual(mask.shape, [null, 224, null, 1]);
  assert.deepEqual(seq.shape, [null, null]);
  assert.deepEqual([...b.usedAssumptions].sort(), ['H', 'W_photo']);
});

test('bad input: 1,000 alternating valid-conv / same-pool layers give formulas while they stay short, then plain None', async () => {
  const lines = ['import keras', 'from keras import layers', 'model = keras.Sequential([keras.Input(shape=(None, None, 3))])'];
  for (let i = 0; i < 1000; i++) lines.push(i % 2 ? "model.add(layers.MaxPooling2D(3, strides=2, padding='same'))" : "model.add(layers.Conv2D(8, 3, strides=2, padding='valid'))");
  const [s] = await modelsOf(lines.join('\n'));
  const m = symbolicModel(s);
  const withFormulas = m.rows.filter((r) => r?.shape).length;
  assert.ok(withFormulas >= 20 && withFormulas <= 30, `${withFormulas} rows with formulas`);
  // ⌊(H − 3)/2⌋ + 1 then ⌈·/2⌉, alternately: the formulas agree with the arithmetic done step by step.
  let h = 100_000_000;
  s.rows.forEach((row, i) => {
    h = i % 2 ? Math.ceil(h / 2) : Math.floor((h - 3) / 2) + 1;
    const f = m.rows[i]?.shape as Formula[] | undefined;
    if (f) assert.equal(evaluate(f[1], new Map([['H', 100_000_000]])), h, `${row.name}: ${formatFormula(f[1])}`);
  });
  assert.equal(formatFormula((m.rows[2]?.shape as Formula[])[1]), '⌊⌈⌊(H − 5)/2⌋/2⌉/2⌋');
});

test('receptive fields with open sizes: valid and stride-1 same windows do not depend on the size; a strided same window says it does', async () => {
  const [s] = await modelsOf(`
import keras
from keras import layers
inp = keras.Input(shape=(None, None, 3))
x = layers.Conv2D(8, 3, name="c")(inp)
x = layers.Conv2D(8, 5, padding="same", name="s1")(x)
x = layers.MaxPooling2D(2, name="p")(x)
x = layers.MaxPooling2D(3, strides=2, padding="same", name="s2")(x)
model = keras.Model(inp, x)
`);
  const rf = (name: string) => {
    const row = s.rows.find((r) => r.name === name)!;
    const c = rowCost(s, row)!;
    return c.receptiveField ? `${c.receptiveField.size[0]}/${c.receptiveField.stride[0]}/${c.receptiveField.padding[0]}` : c.rfWhy;
  };
  // Worked by hand: 3 → 3 + 4 = 7 (padding 2 before) → 7 + 1 = 8, stride 2.
  assert.equal(rf('c'), '3/1/0');
  assert.equal(rf('s1'), '7/1/2');
  assert.equal(rf('p'), '8/2/2');
  assert.equal(rf('s2'), 'the receptive field of s2 depends on a size that is None');
});

test('cost table: `?` params and MACs cells print their formulas (a builder parameter: latent_size·3456 + 3456)', async () => {
  const [s] = await modelsOf(`
import keras
from keras import layers
def build(latent_size):
    inp = keras.Input(shape=(latent_size,))
    x = layers.Dense(6 * 6 * 96, name="d")(inp)
    x = layers.Flatten(name="f")(x)
    return keras.Model(inp, x)
`);
  const table = formatCostTable(s, ['params', 'macs'], costFormulas(s, true));
  const row = (name: string) => table.split('\n').find((l) => l.startsWith(`${name} (`))!.replace(/\s+/g, ' ');
  // Dense: in·3456 + 3456 weights, in·3456 MACs.
  assert.equal(row('d'), 'd (Dense) (None, 3456) latent_size·3456 + 3456 latent_size·3456');
  assert.equal(row('f'), 'f (Flatten) (None, 3456) 0 0');
  assert.match(table, /Total: params latent_size·3456 \+ 3456 · MACs latent_size·3456 \(per sample\)/);
  assert.doesNotMatch(table, /^\? /m);
});

test('a transformer block on a None sequence length: T passes through MultiHeadAttention, and its MACs formula equals the counts at fixed lengths', async () => {
  const source = (len: string) => `
import keras
from keras import layers
inp = keras.Input(shape=(${len},), dtype="int32")
x = layers.Embedding(1000, 64, name="emb")(inp)
a = layers.MultiHeadAttention(num_heads=2, key_dim=16, name="mha")(x, x)
x = layers.LayerNormalization(name="ln")(x + a)
x = layers.Dense(32, name="d")(x)
x = layers.GlobalAveragePooling1D(name="g")(x)
model = keras.Model(inp, x)
`;
  const [s] = await modelsOf(source('None'));
  const r = rows(s);
  assert.equal(r.mha.shape, '(None, T, 64)');
  assert.equal(r.ln.shape, '(None, T, 64)');
  assert.equal(r.d.shape, '(None, T, 32)');
  const m = symbolicMacs(s);
  const mha = m.rows[s.rows.findIndex((x) => x.name === 'mha')]!;
  for (const t of [1, 7, 50]) {
    const [fixed] = await modelsOf(source(String(t)));
    const at = new Map([['T', t]]);
    const known = modelCost(fixed);
    assert.equal(evaluate(mha, at), known.rows[fixed.rows.findIndex((x) => x.name === 'mha')].macs, `mha MACs at T=${t}: ${formatFormula(mha)}`);
    assert.equal(evaluate(m.total!, at), known.totalMacs, `total MACs at T=${t}: ${formatFormula(m.total!)}`);
  }
});

test('formula: repeated factors print as powers', () => {
  const T = symbol('T');
  assert.equal(formatFormula(ok(add(ok(mul(ok(mul(T, T)), constant(64))), ok(mul(T, constant(8192)))))), 'T²·64 + T·8192');
  const side = ok(sub(symbol('n'), constant(4)));
  assert.equal(formatFormula(ok(mul(ok(mul(side, side)), constant(16)))), '(n − 4)²·16');
  let p: Formula = H;
  for (let i = 0; i < 11; i++) p = ok(mul(p, H));
  assert.equal(formatFormula(p), 'H¹²');
});
