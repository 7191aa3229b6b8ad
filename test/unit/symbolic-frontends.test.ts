// Symbolic sizes, front ends: sizes the code leaves open by name (a builder's parameter without
// default, an argparse value without default) reach the graph as formulas (`LayerNode.settingFormulas`,
// an input's `dimFormulas`); `shape-lens:` comments assume values for them. Expected texts and
// numbers by hand beside each case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './helpers/python';
import { analyzeJs } from './helpers/tfjs';
import { evaluate, formatFormula, type Formula } from '../../src/core/formula';
import type { FileAnalysis } from '../../src/core/analysis';
import type { LayerNode, SymbolicTensor } from '../../src/core/graph';

function layer(a: FileAnalysis, name: string): LayerNode {
  for (const m of a.models) for (const r of m.rows) if (r.name === name) return r.layer;
  throw new Error(`no layer ${name} in ${a.models.flatMap((m) => m.rows.map((r) => r.name)).join(', ')}`);
}

function settings(a: FileAnalysis, name: string): Record<string, string> {
  const f = layer(a, name).settingFormulas ?? {};
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, formatFormula(v)]));
}

function dims(t: SymbolicTensor | undefined): (string | undefined)[] | undefined {
  return t?.dimFormulas?.map((f: Formula | undefined) => (f ? formatFormula(f) : undefined));
}

function modelInput(a: FileAnalysis, model: string): SymbolicTensor | undefined {
  return a.models.find((m) => m.model.name === model)?.model.inputs[0];
}

const PY_HEAD = 'import math\nimport keras\nfrom keras import layers\n';

test('python builder parameter without default: its name in settingFormulas; arithmetic on it', async () => {
  const { analysis } = await analyze(`${PY_HEAD}
def build(latent_size, img_size, n):
    x = keras.Input(shape=(32,))
    a = layers.Dense(latent_size, name='a')(x)
    b = layers.Dense(latent_size * 2, name='b')(x)
    c = layers.Dense(img_size // 4, name='c')(x)
    d = layers.Dense((n + 1) * 64, name='d')(x)
    e = layers.Dense(int(latent_size - 3), name='e')(x)
    f = layers.Dense(latent_size / 2, name='f')(x)
    g = layers.Dense(units=n * n, name='g')(x)
    h = layers.Dense(math.ceil(img_size / 3), name='h')(x)
    i = layers.Dense(math.floor((img_size - 1) / 2) + 1, name='i')(x)
    size = n
    for _ in range(40):
        size = size * size
    j = layers.Dense(size, name='j')(x)
    k = layers.Dense(latent_size * 0.5, name='k')(x)
    return keras.Model(x, [a, b, c, d, e, f, g, h, i, j, k])
`);
  assert.deepEqual(settings(analysis, 'a'), { units: 'latent_size' });
  assert.deepEqual(settings(analysis, 'b'), { units: 'latent_size·2' });
  assert.deepEqual(settings(analysis, 'c'), { units: '⌊img_size/4⌋' });
  // A product keeps the code's grouping when that reads better than its expansion (n·64 + 64).
  assert.deepEqual(settings(analysis, 'd'), { units: '(n + 1)·64' });
  assert.deepEqual(settings(analysis, 'e'), { units: 'latent_size − 3' });
  // True division is a float: no formula, the setting stays a plain unknown.
  assert.deepEqual(settings(analysis, 'f'), {});
  assert.deepEqual(settings(analysis, 'g'), { units: 'n²' });
  assert.deepEqual(settings(analysis, 'h'), { units: '⌈img_size/3⌉' });
  // ⌊(img_size − 1)/2⌋ + 1 prints with the plus taken inside: ⌊(img_size + 1)/2⌋ (7 → 4, 8 → 4, 9 → 5 as Python's math.floor((n − 1)/2) + 1).
  assert.deepEqual(settings(analysis, 'i'), { units: '⌊(img_size + 1)/2⌋' });
  const iUnits = layer(analysis, 'i').settingFormulas?.units as Formula;
  assert.deepEqual([7, 8, 9].map((n) => evaluate(iUnits, new Map([['img_size', n]]))), [4, 4, 5]);
  // n^(2^40) stops growing: a plain unknown, quickly.
  assert.deepEqual(settings(analysis, 'j'), {});
  assert.deepEqual(settings(analysis, 'k'), {});
  // The config itself still holds UNKNOWN: the number is not known.
  assert.equal(analysis.models[0].rows.find((r) => r.name === 'a')?.params, null);
});

test('python: a parameter with a default, a called builder, and data stay without formulas', async () => {
  const { analysis } = await analyze(`${PY_HEAD}
import numpy as np
x_train = np.load('x.npy')

def build(width=16, *, depth=None):
    x = keras.Input(shape=(8,))
    y = layers.Dense(width, name='w')(x)
    y = layers.Dense(len(x_train), name='data')(y)
    return keras.Model(x, y)

def helper(units):
    x = keras.Input(shape=(8,))
    return keras.Model(x, layers.Dense(units, name='called')(x))

m = helper(unknown_thing)
`);
  assert.deepEqual(settings(analysis, 'w'), {});
  assert.deepEqual(settings(analysis, 'data'), {});
  assert.deepEqual(settings(analysis, 'called'), {});
});

test('python Input(shape=(img_size, img_size, 3)) in an uncalled builder: the input tensor has dimFormulas', async () => {
  const { analysis } = await analyze(`${PY_HEAD}
def build(img_size, channels):
    x = keras.Input(shape=(img_size, img_size, 3))
    y = layers.Conv2D(8, 3)(x)
    return keras.Model(x, y)

def build_batch(t):
    x = keras.Input(batch_shape=(4, t * 2, 5))
    return keras.Model(x, layers.Dense(3)(x))

def build_seq(img_size):
    return keras.Sequential([layers.Conv2D(4, 3, input_shape=(img_size, img_size // 2, 1)), layers.Flatten()])

def build_dim(features):
    return keras.Sequential([layers.Dense(4, input_dim=features)])

def build_shape(input_shape, units):
    return keras.Sequential([layers.Dense(units, input_shape=input_shape)])

def build_later(side):
    m = keras.Sequential([layers.Conv2D(4, 3)])
    m.build((None, side, side + 1, 1))
    return m
`);
  assert.deepEqual(dims(modelInput(analysis, 'build')), [undefined, 'img_size', 'img_size', undefined]);
  assert.deepEqual(modelInput(analysis, 'build')?.shape, [null, '?', '?', 3]);
  assert.deepEqual(dims(modelInput(analysis, 'build_batch')), [undefined, 't·2', undefined]);
  assert.deepEqual(dims(modelInput(analysis, 'build_seq')), [undefined, 'img_size', '⌊img_size/2⌋', undefined]);
  assert.deepEqual(dims(modelInput(analysis, 'build_dim')), [undefined, 'features']);
  assert.deepEqual(settings(analysis, 'dense_1'), { input_dim: 'features' });
  // A parameter given as a whole shape may be a tuple: no formula for the shape, its rank unknown.
  assert.deepEqual(settings(analysis, 'dense_2'), { units: 'units' });
  assert.equal(dims(modelInput(analysis, 'build_shape')), undefined);
  assert.equal(modelInput(analysis, 'build_shape')?.shape, null);
  assert.deepEqual(dims(modelInput(analysis, 'build_later')), [undefined, 'side', 'side + 1', undefined]);
});

test('python argparse: a value without default is named, one with a default keeps it', async () => {
  const { analysis } = await analyze(`${PY_HEAD}
import argparse

parser = argparse.ArgumentParser(description='train')
parser.add_argument('--latent-size', type=int)
parser.add_argument('--units', type=int, default=32)
parser.add_argument('depth', type=int)
parser.add_argument('--width', dest='w', type=int)
parser.add_argument('--heads', type=int, default=None)
parser.add_argument('--flag', action='store_true')
parser.add_argument('--sizes', type=int, nargs='+')
args = parser.parse_args()

x = keras.Input(shape=(10,))
a = layers.Dense(args.latent_size, name='a')(x)
b = layers.Dense(args.units, name='b')(x)
c = layers.Dense(args.depth * 2, name='c')(x)
d = layers.Dense(args.w, name='d')(x)
e = layers.Dense(args.heads, name='e')(x)
f = layers.Dense(args.sizes, name='f')(x)
g = layers.Dense(args.nothing_added, name='g')(x)
h = layers.Dense(3 if args.flag else 5, name='h')(x)
model = keras.Model(x, [a, b, c, d, e, f, g, h])
`);
  assert.deepEqual(settings(analysis, 'a'), { units: 'latent_size' });
  assert.deepEqual(settings(analysis, 'b'), {});
  // Dense(32) on 10 features: 10·32 + 32 = 352.
  assert.equal(analysis.models[0].rows.find((r) => r.name === 'b')?.params, 352);
  assert.deepEqual(settings(analysis, 'c'), { units: 'depth·2' });
  assert.deepEqual(settings(analysis, 'd'), { units: 'w' });
  assert.deepEqual(settings(analysis, 'e'), { units: 'heads' });
  // A list of values and an attribute no add_argument made stay plain unknowns.
  assert.deepEqual(settings(analysis, 'f'), {});
  assert.deepEqual(settings(analysis, 'g'), {});
  // store_true defaults to False: Dense(5) on 10 features, 10·5 + 5 = 55.
  assert.equal(row(analysis, 'h').params, 55);
  assert.ok(!analysis.diagnostics.some((d) => d.severity === 'error'));
});

test('python argparse: ArgumentParser imported by name, set_defaults, parse_known_args', async () => {
  const { analysis } = await analyze(`${PY_HEAD}
from argparse import ArgumentParser

p = ArgumentParser()
p.add_argument('--units', type=int)
p.add_argument('--hidden', type=int)
p.set_defaults(hidden=7)
args, rest = p.parse_known_args()

x = keras.Input(shape=(10,))
model = keras.Model(x, [layers.Dense(args.units, name='a')(x), layers.Dense(args.hidden, name='b')(x)])
`);
  assert.deepEqual(settings(analysis, 'a'), { units: 'units' });
  // Dense(7) on 10 features: 77.
  assert.equal(analysis.models[0].rows.find((r) => r.name === 'b')?.params, 77);
});

const JS_HEAD = "import * as tf from '@tensorflow/tfjs';\n";

test('tfjs builder parameter without default: settingFormulas and input dimFormulas', async () => {
  const { analysis } = await analyzeJs(`${JS_HEAD}
export function build(latentSize, imgSize) {
  const x = tf.input({ shape: [imgSize, imgSize, 3] });
  const y = tf.layers.conv2d({ filters: latentSize * 2, kernelSize: 3, name: 'conv' }).apply(x);
  const z = tf.layers.flatten().apply(y);
  const a = tf.layers.dense({ units: Math.floor(imgSize / 4), name: 'a' }).apply(z);
  const b = tf.layers.dense({ units: Math.ceil((latentSize + 1) / 2), name: 'b' }).apply(z);
  const c = tf.layers.dense({ units: latentSize / 2, name: 'c' }).apply(z);
  const d = tf.layers.dense({ units: Math.round(latentSize / 2), name: 'd' }).apply(z);
  return tf.model({ inputs: x, outputs: [a, b, c, d] });
}

const buildSeq = (features) => tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [features - 1] })] });
`);
  assert.deepEqual(settings(analysis, 'conv'), { filters: 'latentSize·2' });
  assert.deepEqual(settings(analysis, 'a'), { units: '⌊imgSize/4⌋' });
  assert.deepEqual(settings(analysis, 'b'), { units: '⌈(latentSize + 1)/2⌉' });
  assert.deepEqual(settings(analysis, 'c'), {});
  assert.deepEqual(settings(analysis, 'd'), {});
  const build = analysis.models.find((m) => m.rows.some((r) => r.name === 'conv'));
  assert.deepEqual(dims(build?.model.inputs[0]), [undefined, 'imgSize', 'imgSize', undefined]);
  const seq = analysis.models.find((m) => m.model.kind === 'sequential');
  assert.deepEqual(dims(seq?.model.inputs[0]), [undefined, 'features − 1']);
});

function row(a: FileAnalysis, name: string) {
  for (const m of a.models) for (const r of m.rows) if (r.name === name) return r;
  throw new Error(`no row ${name}`);
}

function codes(a: FileAnalysis, code: string) {
  return a.diagnostics.filter((d) => d.code === code).map((d) => ({ severity: d.severity, text: d.range ? a.text.slice(d.range.start, d.range.end) : undefined }));
}

test('# shape-lens: latent_size=64 gives the builder parameter its number; used', async () => {
  const src = `${PY_HEAD}# shape-lens: latent_size=64

def build(latent_size):
    x = keras.Input(shape=(32,))
    y = layers.Dense(latent_size, name='enc')(x)
    z = layers.Dense(latent_size * 2, name='dec')(y)
    return keras.Model(x, z)
`;
  const { analysis } = await analyze(src);
  // Dense(64) on 32 features: 32·64 + 64 = 2112; Dense(128) on 64: 64·128 + 128 = 8320.
  assert.equal(row(analysis, 'enc').params, 2112);
  assert.deepEqual(row(analysis, 'enc').outputShape, [null, 64]);
  assert.equal(row(analysis, 'dec').params, 8320);
  assert.deepEqual(settings(analysis, 'enc'), {});
  assert.equal(analysis.models[0].totalParams, 2112 + 8320);
  const a = analysis.assumptions ?? [];
  assert.equal(a.length, 1);
  assert.deepEqual({ name: a[0].name, value: a[0].value, used: a[0].used }, { name: 'latent_size', value: 64, used: true });
  assert.equal(src.slice(a[0].range.start, a[0].range.end), 'latent_size=64');
  assert.deepEqual(codes(analysis, 'unused-assumption'), []);
});

test('# shape-lens: H=224, W=224 binds an input\'s None dims: Conv2D(32, 3) gives (None, 222, 222, 32)', async () => {
  const src = `${PY_HEAD}
inputs = keras.Input(shape=(None, None, 3))  # shape-lens: H=224, W=224
outputs = layers.Conv2D(32, 3)(inputs)
model = keras.Model(inputs, outputs)
`;
  const { analysis } = await analyze(src);
  // 'valid' 3×3: 224 − 3 + 1 = 222; weights 3·3·3·32 + 32 = 896.
  assert.deepEqual(row(analysis, 'conv2d').outputShape, [null, 222, 222, 32]);
  assert.equal(row(analysis, 'conv2d').params, 896);
  assert.deepEqual(analysis.assumptions?.map((a) => [a.name, a.value, a.used, src.slice(a.range.start, a.range.end)]), [['H', 224, true, 'H=224'], ['W', 224, true, 'W=224']]);
  // Without the comment, the same file keeps Keras' None.
  const plain = (await analyze(src.replace('  # shape-lens: H=224, W=224', ''))).analysis;
  assert.deepEqual(row(plain, 'conv2d').outputShape, [null, null, null, 32]);
  assert.equal(plain.assumptions, undefined);
});

test('shape-lens assumptions: malformed entries warn, unused ones are a note naming the open sizes', async () => {
  const src = `${PY_HEAD}# shape-lens: H=abc, W=-3, K=5, latent=2.5,
# shape-lens: input_shape=(None, 28, 28, 1)
# shape-lens: keras=3

def build(units):
    x = keras.Input(shape=(None, 3))
    return keras.Model(x, layers.Dense(units)(x))
`;
  const { analysis } = await analyze(src);
  assert.deepEqual(codes(analysis, 'invalid-assumption'), [
    { severity: 'warning', text: 'H=abc' },
    { severity: 'warning', text: 'W=-3' },
    { severity: 'warning', text: 'latent=2.5' },
  ]);
  assert.deepEqual(codes(analysis, 'unused-assumption'), [{ severity: 'info', text: 'K=5' }]);
  const note = analysis.diagnostics.find((d) => d.code === 'unused-assumption');
  assert.match(note?.message ?? '', /open sizes here: T, units;/);
  assert.deepEqual(analysis.assumptions?.map((a) => [a.name, a.used]), [['K', false]]);
  assert.ok(!analysis.diagnostics.some((d) => d.severity === 'error'));
});

test('# shape-lens in a notebook cell; argparse value assumed', async () => {
  const { analyzeNotebook } = await import('../../src/frontends/python/analyze');
  const cell = (s: string) => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: s });
  const nb = JSON.stringify({
    nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { language: 'python', name: 'python3' } },
    cells: [
      cell('import argparse\nimport keras\nfrom keras import layers\np = argparse.ArgumentParser()\np.add_argument("--hidden", type=int)\nargs = p.parse_args([])\n'),
      cell('# shape-lens: hidden=10\nx = keras.Input(shape=(4,))\nm = keras.Model(x, layers.Dense(args.hidden)(x))\n'),
    ],
  });
  const a = analyzeNotebook(nb, 'nb.ipynb');
  // Dense(10) on 4 features: 4·10 + 10 = 50.
  assert.equal(row(a, 'dense').params, 50);
  assert.deepEqual(a.assumptions?.map((x) => [x.name, x.used]), [['hidden', true]]);
});

test('// shape-lens in JS/TS: a builder parameter and an input\'s None dims', async () => {
  const src = `${JS_HEAD}// shape-lens: latentSize=10, H=28, W=28
/* shape-lens: unusedName=3 */
export function build(latentSize) {
  const x = tf.input({ shape: [null, null, 3] });
  const y = tf.layers.conv2d({ filters: 8, kernelSize: 3, name: 'conv' }).apply(x);
  const z = tf.layers.globalAveragePooling2d({}).apply(y);
  const out = tf.layers.dense({ units: latentSize, name: 'out' }).apply(z);
  return tf.model({ inputs: x, outputs: out });
}
`;
  const { analysis } = await analyzeJs(src);
  // 28 − 3 + 1 = 26; conv weights 3·3·3·8 + 8 = 224; Dense(10) on 8: 8·10 + 10 = 90.
  assert.deepEqual(row(analysis, 'conv').outputShape, [null, 26, 26, 8]);
  assert.equal(row(analysis, 'conv').params, 224);
  assert.equal(row(analysis, 'out').params, 90);
  assert.deepEqual(analysis.assumptions?.map((a) => [a.name, a.value, a.used]), [['latentSize', 10, true], ['H', 28, true], ['W', 28, true], ['unusedName', 3, false]]);
  assert.deepEqual(codes(analysis, 'unused-assumption'), [{ severity: 'info', text: 'unusedName=3' }]);
});

/** What must be equal between an incremental and a full analysis: rows, formulas, diagnostics and assumptions. */
function essentials(a: FileAnalysis): string {
  const f = (x: Formula | undefined) => (x ? formatFormula(x) : null);
  return JSON.stringify({
    models: a.models.map((m) => ({
      name: m.model.name,
      total: m.totalParams,
      inputs: m.model.inputs.map((t) => [t.shape, t.dimFormulas?.map(f)]),
      rows: m.rows.map((r) => [r.name, r.outputShape, r.params, Object.entries(r.layer.settingFormulas ?? {}).map(([k, v]) => [k, f(v)])]),
    })),
    diagnostics: a.diagnostics.map((d) => [d.severity, d.code, d.message, d.range?.start, d.range?.end]),
    assumptions: a.assumptions,
  });
}

const INCREMENTAL_PY = `${PY_HEAD}# shape-lens: latent_size=64

def build(latent_size):
    x = keras.Input(shape=(32,))
    return keras.Model(x, layers.Dense(latent_size)(x))

other = keras.Sequential([keras.Input((8,)), layers.Dense(16), layers.Dense(4)])
`;

test('incremental python: with a shape-lens comment, equal to a full analysis when the comment or other code is edited', async () => {
  const { IncrementalPython } = await import('../../src/frontends/python/incremental');
  const { analyzePython, initPythonParser } = await import('../../src/frontends/python/analyze');
  await initPythonParser();
  const doc = new IncrementalPython('main.py');
  const steps = [
    INCREMENTAL_PY,
    INCREMENTAL_PY.replace('layers.Dense(16)', 'layers.Dense(17)'),
    INCREMENTAL_PY.replace('latent_size=64', 'latent_size=32'),
    INCREMENTAL_PY.replace('latent_size=64', 'latent_size=x'),
    INCREMENTAL_PY.replace('latent_size=64', 'latent_size=x, H=5'),
    INCREMENTAL_PY.replace('# shape-lens: latent_size=64\n', ''),
    INCREMENTAL_PY.replace('# shape-lens: latent_size=64\n', '').replace('layers.Dense(16)', 'layers.Dense(18)'),
    INCREMENTAL_PY,
    INCREMENTAL_PY.replace('# shape-lens: latent_size=64\n', '').replace('other = ', '# shape-lens: latent_size=64\nother = '),
  ];
  const ran: [string, number][] = [];
  for (const text of steps) {
    const a = doc.update(text);
    ran.push([doc.last.mode, doc.last.ran]);
    assert.equal(essentials(a), essentials(analyzePython(text, 'main.py')), text);
  }
  // Groups run: both at first; one for an edit elsewhere; both when the values change (a new name,
  // a malformed entry dropped, the comment gone or back); one when the comment moves (same values).
  assert.deepEqual(ran, [['incremental', 2], ['incremental', 1], ['incremental', 2], ['incremental', 2], ['incremental', 2], ['incremental', 2], ['incremental', 1], ['incremental', 2], ['incremental', 1]]);
  // Dense(32) on 32 features under latent_size=32: 32·32 + 32 = 1056.
  assert.deepEqual(doc.update(steps[2]).models.find((m) => m.model.name === 'build')?.rows.map((r) => r.params), [0, 1056]);
  doc.dispose();
});

const INCREMENTAL_JS = `${JS_HEAD}// shape-lens: units=5

export function build(units) {
  const x = tf.input({ shape: [4] });
  return tf.model({ inputs: x, outputs: tf.layers.dense({ units }).apply(x) });
}

export const other = tf.sequential({ layers: [tf.layers.dense({ units: 16, inputShape: [8] }), tf.layers.dense({ units: 4 })] });
`;

test('incremental tfjs: with a shape-lens comment, equal to a full analysis when the comment or other code is edited', async () => {
  const { IncrementalTfjs } = await import('../../src/frontends/tfjs/incremental');
  const { analyzeTfjs } = await import('../../src/frontends/tfjs/analyze');
  const doc = new IncrementalTfjs('main.ts', {}, 1);
  const steps = [
    INCREMENTAL_JS,
    INCREMENTAL_JS.replace('units: 16', 'units: 17'),
    INCREMENTAL_JS.replace('units=5', 'units=6'),
    INCREMENTAL_JS.replace('units=5', 'units=-1'),
    INCREMENTAL_JS.replace('// shape-lens: units=5\n', ''),
    INCREMENTAL_JS.replace('// shape-lens: units=5\n', '').replace('units: 16', 'units: 18'),
    INCREMENTAL_JS,
  ];
  const runs: [string, number][] = [];
  for (const text of steps) {
    const a = doc.update(text);
    runs.push([doc.last.run, doc.last.ran]);
    assert.equal(essentials(a), essentials(analyzeTfjs(text, 'main.ts')), text);
  }
  // `units=-1` (malformed) → no comment: the same values (none), nothing runs again.
  assert.deepEqual(runs, [['groups', 2], ['groups', 1], ['groups', 2], ['groups', 2], ['groups', 0], ['groups', 1], ['groups', 2]]);
  // Dense(6) on 4 features: 4·6 + 6 = 30.
  assert.deepEqual(doc.update(steps[2]).models.find((m) => m.model.name === 'build')?.rows.map((r) => r.params), [0, 30]);
});

/** A random edit: characters typed or deleted, a number changed (assumed values too), a line moved. */
function randomEdit(rng: () => number, text: string, snippets: string[]): string {
  const at = Math.floor(rng() * (text.length + 1));
  const lines = text.split('\n');
  switch (Math.floor(rng() * 4)) {
    case 0:
      return text.slice(0, at) + snippets[Math.floor(rng() * snippets.length)] + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rng() * 3));
    case 2: {
      const nums = [...text.matchAll(/\b\d+\b/g)];
      const m = nums[Math.floor(rng() * nums.length)];
      return m ? text.slice(0, m.index) + String(1 + Math.floor(rng() * 40)) + text.slice(m.index + m[0].length) : text;
    }
    default: {
      const i = Math.floor(rng() * lines.length);
      const j = Math.floor(rng() * lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
  }
}

const RANDOM_PY = `${PY_HEAD}# shape-lens: latent_size=16, H=12, W=10

def build(latent_size, depth):
    x = keras.Input(shape=(None, None, 3))
    y = layers.Conv2D(latent_size, 3)(x)
    y = layers.Flatten()(y)
    return keras.Model(x, layers.Dense(depth * 2)(y))

a = keras.Sequential([keras.Input((8,)), layers.Dense(16), layers.Dense(4)])
# shape-lens: depth=3
`;

const RANDOM_JS = `${JS_HEAD}// shape-lens: units=5, H=9

export function build(units, depth) {
  const x = tf.input({ shape: [null, 7, 3] });
  const y = tf.layers.conv2d({ filters: units, kernelSize: 3 }).apply(x);
  return tf.model({ inputs: x, outputs: tf.layers.dense({ units: depth * 2 }).apply(tf.layers.flatten().apply(y)) });
}

export const other = tf.sequential({ layers: [tf.layers.dense({ units: 16, inputShape: [8] }), tf.layers.dense({ units: 4 })] });
// shape-lens: depth=2
`;

test('incremental python and tfjs with shape-lens comments: random edit scripts equal a full analysis at every step', async () => {
  const { IncrementalPython } = await import('../../src/frontends/python/incremental');
  const { analyzePython, initPythonParser } = await import('../../src/frontends/python/analyze');
  const { IncrementalTfjs } = await import('../../src/frontends/tfjs/incremental');
  const { analyzeTfjs } = await import('../../src/frontends/tfjs/analyze');
  const { mulberry32 } = await import('./helpers/rng');
  await initPythonParser();
  const pySnippets = ['# shape-lens: depth=4\n', ', W=3', 'x', '=', ',', '\n', ' ', '1', 'latent_size', ' * 2'];
  const jsSnippets = ['// shape-lens: depth=4\n', ', H=3', 'x', '=', ',', '\n', ' ', '1', 'units', ' * 2'];
  for (let seed = 1; seed <= 4; seed++) {
    const rng = mulberry32(seed);
    const py = new IncrementalPython('main.py');
    let text = RANDOM_PY;
    for (let step = 0; step < 40; step++) {
      const got = essentials(py.update(text));
      assert.equal(got, essentials(analyzePython(text, 'main.py', { edited: py.editedHint })), `python seed ${seed} step ${step}:\n${text}`);
      text = randomEdit(rng, text, pySnippets);
    }
    py.dispose();
    const js = new IncrementalTfjs('main.ts', {}, 1);
    text = RANDOM_JS;
    for (let step = 0; step < 40; step++) {
      const got = essentials(js.update(text));
      assert.equal(got, essentials(analyzeTfjs(text, 'main.ts', { edited: js.editedHint })), `tfjs seed ${seed} step ${step}:\n${text}`);
      text = randomEdit(rng, text, jsSnippets);
    }
  }
});

const DATA_PY = `${PY_HEAD}import numpy as np

data = np.load("data.npz")
x_train, y_train = data["x"], data["y"]
num_classes = len(np.unique(y_train))
n_features = x_train.shape[1]
hidden = len(y_train)
hidden = hidden // 2

def helper():
    width = x_train.shape[2]
    return layers.Dense(width, name="in_fn")

for _ in range(2):
    step = x_train.shape[0]

model = keras.Sequential([
    keras.Input(shape=(n_features,)),
    layers.Dense(64, name="a"),
    layers.Dense(hidden, name="b"),
    layers.Dense(step, name="c"),
    helper(),
    layers.Dense(num_classes, name="out"),
])
`;

test('python: a size from data bound once at module level is an open size named after its variable; rebound, in a loop or in a function it stays ?', async () => {
  const { analysis } = await analyze(DATA_PY);
  const m = analysis.models.find((x) => x.model.name === 'model')!;
  assert.deepEqual(m.model.inputs[0].dimFormulas?.map((f) => f && formatFormula(f)), [undefined, 'n_features']);
  assert.deepEqual(settings(analysis, 'out'), { units: 'num_classes' });
  // `hidden` is bound twice, `step` in a loop, `width` inside a function: no names.
  assert.deepEqual(settings(analysis, 'b'), {});
  assert.deepEqual(settings(analysis, 'c'), {});
  assert.deepEqual(settings(analysis, 'in_fn'), {});
  // With values: Dense(64) on 20 features 20·64 + 64 = 1344; Dense(10) on its input.
  const { analysis: valued } = await analyze(`# shape-lens: n_features=20, num_classes=10\n${DATA_PY}`);
  const v = valued.models.find((x) => x.model.name === 'model')!;
  assert.deepEqual(v.rows.map((r) => [r.name, r.params]).filter(([n]) => n === 'a' || n === 'out'), [['a', 1344], ['out', null]]);
  assert.deepEqual(valued.assumptions?.map((a) => [a.name, a.used]), [['n_features', true], ['num_classes', true]]);
});

test('incremental python: sizes from data are named as in a full analysis as the file is edited', async () => {
  const { IncrementalPython } = await import('../../src/frontends/python/incremental');
  const { analyzePython, initPythonParser } = await import('../../src/frontends/python/analyze');
  await initPythonParser();
  const doc = new IncrementalPython('main.py');
  const steps = [
    DATA_PY,
    DATA_PY.replace('layers.Dense(64, name="a")', 'layers.Dense(65, name="a")'),
    DATA_PY.replace('hidden = hidden // 2\n', ''),
    DATA_PY.replace('n_features = x_train.shape[1]', 'n_features = x_train.shape[1]\nn_features = n_features + 1'),
    `# shape-lens: num_classes=3\n${DATA_PY}`,
    DATA_PY,
  ];
  for (const text of steps) assert.equal(essentials(doc.update(text)), essentials(analyzePython(text, 'main.py')), text);
  doc.dispose();
});

const DATA_JS = `${JS_HEAD}import { loadData } from './data';

const data = loadData();
const numFeatures = data.xs.shape[1];
const numClasses = data.classes.length;
let hidden = data.hidden;
for (const n of [1, 2]) {
  const step = data.sizes[n];
}

export const model = tf.sequential({
  layers: [
    tf.layers.dense({ units: 64, inputShape: [numFeatures], name: 'a' }),
    tf.layers.dense({ units: hidden, name: 'b' }),
    tf.layers.dense({ units: numClasses, name: 'out' }),
  ],
});
`;

test('tfjs: a size from data in a top-level const is an open size named after it; a let stays ?; a comment gives it a value; incremental = full', async () => {
  const { analysis } = await analyzeJs(DATA_JS);
  assert.deepEqual(dims(modelInput(analysis, 'model')), [undefined, 'numFeatures']);
  assert.deepEqual(settings(analysis, 'out'), { units: 'numClasses' });
  assert.deepEqual(settings(analysis, 'b'), {});
  const { analysis: valued } = await analyzeJs(`// shape-lens: numFeatures=20\n${DATA_JS}`);
  // Dense(64) on 20 features: 20·64 + 64 = 1344.
  assert.equal(valued.models.find((m) => m.model.name === 'model')?.rows.find((r) => r.name === 'a')?.params, 1344);
  const { IncrementalTfjs } = await import('../../src/frontends/tfjs/incremental');
  const { analyzeTfjs } = await import('../../src/frontends/tfjs/analyze');
  const doc = new IncrementalTfjs('main.ts', {}, 1);
  const steps = [DATA_JS, DATA_JS.replace('units: 64', 'units: 65'), DATA_JS.replace('const numClasses', 'let numClasses'), `// shape-lens: numClasses=3\n${DATA_JS}`, DATA_JS];
  for (const text of steps) assert.equal(essentials(doc.update(text)), essentials(analyzeTfjs(text, 'main.ts')), text);
  doc.dispose();
});
