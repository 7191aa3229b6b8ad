// Robustness of the Python front end: truncated, mutated and pathological inputs never throw, always finish, and stay self-consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cutPoints, mutate, prng, type Vocabulary } from './helpers/mutate';
import { checkInvariants, V, violations } from './helpers/invariants';
import { analyze } from './helpers/python';
import type { JsonFile } from '../../src/core/analysis';
import { fixturesDir } from './helpers/paths';

/** Generous per-test limit: a hang fails the test instead of the run (speed is measured in bench/). */
const TIMEOUT = 20_000;
/** The truncation/mutation sweeps run a few thousand analyses each. */
const SWEEP_TIMEOUT = 120_000;
const MUTATIONS_PER_FIXTURE = 200;

// ---------------------------------------------------------------------------------------------
// Fixtures

const FIXTURES = fixturesDir('python');

function listPy(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return listPy(path.join(dir, e.name), rel);
    return e.name.endsWith('.py') ? [rel] : [];
  }).sort();
}
const FIXTURE_FILES = listPy(FIXTURES);
const read = (rel: string) => fs.readFileSync(path.join(FIXTURES, ...rel.split('/')), 'utf8');

/** The cross-file project, keyed by path relative to project/ (as the fixture imports expect). */
function projectFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of FIXTURE_FILES) if (rel.startsWith('project/')) out[rel.slice('project/'.length)] = read(rel);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking one analysis


/** Analyses `text`; fails with the input attached if the analyser throws. */
async function check(text: string, label: string, others: Record<string, string> = {}, file = 'main.py'): Promise<JsonFile> {
  let result: Awaited<ReturnType<typeof analyze>>;
  try {
    result = await analyze(text, others, file);
  } catch (e) {
    assert.fail(`${label}: analyse threw ${(e as Error).stack ?? String(e)}\n--- input (first 2000 chars) ---\n${text.slice(0, 2000)}`);
  }
  assert.ok(result.analysis, `${label}: no analysis object`);
  assert.ok(Array.isArray(result.analysis.models) && Array.isArray(result.analysis.diagnostics), `${label}: malformed analysis`);
  checkInvariants(result.json, label);
  return result.json;
}

function codes(json: JsonFile): string[] {
  return [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)].map((d) => d.code);
}

function assertHasCode(json: JsonFile, wanted: string[]): void {
  const got = codes(json);
  assert.ok(got.some((c) => wanted.includes(c)), `expected one of ${wanted.join('/')} diagnostics, got ${JSON.stringify(got)}`);
}

// ---------------------------------------------------------------------------------------------
// Seeded mutations


const NOISE = [
  '(', ')', '[', ']', '{', '}', ':', ',', '=', '.', '\n', '    ', '\t', '\\', '"', "'", '"""', '#', '*', '**', '@', '->', ';',
  'def ', 'class ', 'lambda ', 'return ', 'yield ', 'if ', 'elif ', 'else:', 'for ', 'while ', 'in ', 'not ', 'and ', 'or ',
  'None', 'True', 'False', 'import ', 'from ', 'as ', 'with ', 'try:', 'except:', 'pass', 'break', 'continue', 'global x',
  'layers.', '.shape', '(x)', 'model.add(', 'keras.Input(shape=(', 'for _ in range(3):\n    ', 'super().__init__()', 'self.',
  '[0]', '[-1]', '[::2]', '*args', '**kwargs', 'x = x', 'f(f)', 'é', '\u0000', '\ufeff', '💥',
];
const NUMBERS = ['0', '-1', '-3', '1', '10**9', '999999999999', '1e308', '2**64', '0.5', '-0', '10**100', 'None', '(3, 3)', '"3"'];

/** Python's vocabulary; its own edit re-indents a line, the commonest half-edited state of Python code. */
const PYTHON: Vocabulary = {
  noise: NOISE,
  numbers: NUMBERS,
  languageOp(text, lines, li, pick) {
    const indent = pick(['', '  ', '    ', '        ', '\t']);
    lines[li] = indent + lines[li].trimStart();
    return { text: lines.join('\n'), op: `re-indent line ${li + 1} to ${JSON.stringify(indent)}` };
  },
};


/** Analysis context for a fixture: the project's siblings for the cross-file classifier. */
function contextFor(rel: string): { others: Record<string, string>; file: string } {
  if (!rel.startsWith('project/')) return { others: {}, file: rel };
  const others = projectFiles();
  const file = rel.slice('project/'.length);
  delete others[file];
  return { others, file };
}

// ---------------------------------------------------------------------------------------------
// Truncations and mutations of every fixture

test('fixtures are present', () => {
  assert.ok(FIXTURE_FILES.length >= 12, `found ${FIXTURE_FILES.join(', ')}`);
});

for (const rel of FIXTURE_FILES) {
  test(`every prefix of ${rel} analyses without throwing`, { timeout: SWEEP_TIMEOUT }, async () => {
    const text = read(rel);
    const { others, file } = contextFor(rel);
    for (const cut of cutPoints(text)) await check(text.slice(0, cut), `${rel} cut at ${cut}`, others, file);
  });

  test(`${MUTATIONS_PER_FIXTURE} seeded mutations of ${rel} analyse without throwing`, { timeout: SWEEP_TIMEOUT }, async () => {
    const text = read(rel);
    const { others, file } = contextFor(rel);
    for (let i = 0; i < MUTATIONS_PER_FIXTURE; i++) {
      const seed = 1000 * FIXTURE_FILES.indexOf(rel) + i;
      const m = mutate(text, prng(seed), PYTHON);
      await check(m.text, `${rel} seed ${seed} [${m.ops.join('; ')}]`, others, file);
    }
  });
}

test('mutated sibling modules of the cross-file project analyse without throwing', { timeout: SWEEP_TIMEOUT }, async () => {
  const files = projectFiles();
  const main = files['models/classifier.py'];
  for (const sibling of ['models/blocks.py', 'config.py']) {
    for (let i = 0; i < 100; i++) {
      const m = mutate(files[sibling], prng(50_000 + i), PYTHON);
      await check(main, `${sibling} seed ${50_000 + i} [${m.ops.join('; ')}]`, { ...files, [sibling]: m.text }, 'models/classifier.py');
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Pathological inputs

const HEADER = 'import keras\nfrom keras import layers\n';

test('while True: pass stops at the loop budget', { timeout: TIMEOUT }, async () => {
  assertHasCode(await check('while True: pass\n', 'while True'), ['loop-budget', 'budget']);
});

test('while True adding layers stops at a budget with a bounded model', { timeout: TIMEOUT }, async () => {
  const json = await check(`${HEADER}model = keras.Sequential()\nmodel.add(keras.Input((4,)))\nwhile True:\n    model.add(layers.Dense(1))\n`, 'while True add');
  assertHasCode(json, ['loop-budget', 'budget']);
});

test('a counting while loop to 10**9 stops at the loop budget', { timeout: TIMEOUT }, async () => {
  assertHasCode(await check('i = 0\nwhile i < 10**9:\n    i += 1\n', 'counting while'), ['loop-budget', 'budget']);
});

test('infinite recursion is cut with a recursion diagnostic', { timeout: TIMEOUT }, async () => {
  assertHasCode(await check('def f(x): return f(x)\nf(1)\n', 'recursion'), ['recursion', 'budget']);
});

test('mutual recursion is cut with a recursion diagnostic', { timeout: TIMEOUT }, async () => {
  assertHasCode(await check('def a(n):\n    return b(n + 1)\n\ndef b(n):\n    return a(n * 2)\n\na(0)\n', 'mutual recursion'), ['recursion', 'budget']);
});

test('recursive instantiation in __init__ is cut', { timeout: TIMEOUT }, async () => {
  assertHasCode(await check('class A:\n    def __init__(self):\n        self.child = A()\n\nA()\n', 'recursive __init__'), ['recursion', 'budget']);
});

test('recursion in a builder function is cut', { timeout: TIMEOUT }, async () => {
  const src = `${HEADER}def build(depth):\n    m = keras.Sequential([keras.Input((4,)), layers.Dense(2)])\n    build(depth + 1)\n    return m\n\nmodel = build(0)\n`;
  const json = await check(src, 'recursive builder');
  assertHasCode(json, ['recursion', 'budget']);
});

test('for i in range(10**9) stops at the loop budget', { timeout: TIMEOUT }, async () => {
  assertHasCode(await check('for i in range(10**9):\n    pass\n', 'range 10**9'), ['loop-budget', 'budget']);
});

test('a 10**6 loop of model.add stops at the loop budget with a consistent model', { timeout: TIMEOUT }, async () => {
  const json = await check(`${HEADER}model = keras.Sequential([keras.Input((4,))])\nfor _ in range(10**6):\n    model.add(layers.Dense(4))\n`, 'add loop');
  assertHasCode(json, ['loop-budget', 'budget']);
});

test('a comprehension over range(10**9) terminates', { timeout: TIMEOUT }, async () => {
  const json = await check(`${HEADER}xs = [i for i in range(10**9)]\nmodel = keras.Sequential([layers.Dense(4) for _ in range(10**7)])\n`, 'huge comprehension');
  assertHasCode(json, ['loop-budget', 'budget']);
});

test('range(10**12): len, iteration and list() terminate; a known length is right', { timeout: TIMEOUT }, async () => {
  const json = await check(`${HEADER}r = range(10**12)\nn = len(r)\nfor i in r:\n    pass\nxs = list(range(10**12))\ntotal = sum(range(10**9))\n`, 'range 10**12');
  assertHasCode(json, ['loop-budget', 'budget']);
});

test('5,000-deep nested parentheses', { timeout: TIMEOUT }, async () => {
  const src = `${HEADER}units = ${'('.repeat(5000)}3${')'.repeat(5000)}\nmodel = keras.Sequential([keras.Input((4,)), layers.Dense(units)])\n`;
  const json = await check(src, 'deep parens');
  const m = json.models[0];
  // Either the value is followed (Dense(3) on 4 features: 4*3 + 3) or a budget diagnostic says why not.
  if (!codes(json).includes('budget')) assert.equal(m?.totalParams, 15, JSON.stringify(codes(json)));
});

test('5,000-deep nested lists', { timeout: TIMEOUT }, async () => {
  await check(`x = ${'['.repeat(5000)}1${']'.repeat(5000)}\ny = x[0][0]\nprint(x)\n`, 'deep lists');
});

test('5,000-deep unbalanced brackets', { timeout: TIMEOUT }, async () => {
  await check(`x = ${'(['.repeat(5000)}\n${HEADER}`, 'deep unbalanced');
});

test('2,000-deep nested calls', { timeout: TIMEOUT }, async () => {
  await check(`def f(v):\n    return v\n\nx = ${'f('.repeat(2000)}1${')'.repeat(2000)}\n`, 'deep calls');
});

test('a 50,000-term expression on one line', { timeout: TIMEOUT }, async () => {
  await check(`x = ${'1 + '.repeat(50_000)}1\n`, 'long sum');
});

test('300-deep nested blocks', { timeout: TIMEOUT }, async () => {
  let src = '';
  for (let i = 0; i < 300; i++) src += `${' '.repeat(i)}if True:\n`;
  src += `${' '.repeat(300)}x = 1\n`;
  await check(src, 'deep blocks');
});

test('a 50,000-line file of repeated layer lines', { timeout: TIMEOUT }, async () => {
  const src = `${HEADER}model = keras.Sequential()\nmodel.add(keras.Input((8,)))\n${'model.add(layers.Dense(8))\n'.repeat(50_000)}`;
  const json = await check(src, '50k lines');
  const m = json.models[0];
  assert.ok(m, 'the model is found');
  // Either every layer is there (each Dense(8) on 8 features: 8*8 + 8) or a budget stopped the analysis.
  if (!codes(json).includes('budget')) {
    assert.equal(m.layers.length, 50_000);
    assert.equal(m.totalParams, 50_000 * 72);
  }
});

test("string multiplication 'a' * 10**9 does not allocate; a known length is right", { timeout: TIMEOUT }, async () => {
  const json = await check(`${HEADER}s = 'a' * 10**9\nn = len(s)\nmodel = keras.Sequential([keras.Input((4,)), layers.Dense(n)])\n`, 'string mult');
  const total = json.models[0]?.totalParams;
  if (typeof total === 'number') assert.equal(total, 4 * 10 ** 9 + 10 ** 9);
});

test('list multiplication [0] * 10**9 does not allocate; a known length is right', { timeout: TIMEOUT }, async () => {
  const json = await check(`${HEADER}xs = [0] * 10**9\nn = len(xs)\nmodel = keras.Sequential([keras.Input((4,)), layers.Dense(n)])\n`, 'list mult');
  const total = json.models[0]?.totalParams;
  if (typeof total === 'number') assert.equal(total, 4 * 10 ** 9 + 10 ** 9);
});

test('repeated doubling of a string and a list terminates', { timeout: TIMEOUT }, async () => {
  await check("s = 'ab'\nfor _ in range(200):\n    s = s + s\nl = [1]\nfor _ in range(200):\n    l = l + l\nm = [0]\nfor _ in range(200):\n    m *= 2\nprint(len(s), len(l))\n", 'doubling');
});

test('10**10**10 terminates; a Dense with that many units gets no finite wrong count', { timeout: TIMEOUT }, async () => {
  const json = await check(`${HEADER}big = 10**10**10\nsmall = big % 7\nmodel = keras.Sequential([keras.Input((4,)), layers.Dense(10**10**10)])\n`, 'power tower');
  const m = json.models[0];
  if (m && typeof m.totalParams === 'number') assert.fail(`a Dense(10**10**10) cannot have ${m.totalParams} params`);
});

test('self-referential list and dict can be printed and compared', { timeout: TIMEOUT }, async () => {
  await check("a = []\na.append(a)\nprint(a)\ns = str(a)\nb = a == a\nd = {}\nd['d'] = d\nprint(d)\nt = repr(d)\n", 'self reference');
});

test('a generator that never ends terminates', { timeout: TIMEOUT }, async () => {
  await check('def g():\n    while True:\n        yield 1\n\nfor x in g():\n    pass\nys = list(g())\n', 'endless generator');
});

test('1,000-deep class inheritance down from keras.Model', { timeout: TIMEOUT }, async () => {
  let src = `${HEADER}class C0(keras.Model):\n    pass\n`;
  for (let i = 1; i < 1000; i++) src += `class C${i}(C${i - 1}):\n    pass\n`;
  src += 'class Net(C999):\n    def __init__(self):\n        super().__init__()\n        self.d = layers.Dense(3)\n\n    def call(self, x):\n        return self.d(x)\n\nnet = Net()\nnet.build((None, 4))\n';
  const json = await check(src, 'deep inheritance');
  const net = json.models.find((m) => m.name === 'net');
  if (net && typeof net.totalParams === 'number') assert.equal(net.totalParams, 15); // 4*3 + 3
});

test('class names rebound into a base-class loop', { timeout: TIMEOUT }, async () => {
  await check('class A:\n    pass\n\nclass B(A):\n    pass\n\nclass A(B):\n    def f(self):\n        return self.g()\n    def g(self):\n        return self.f()\n\nA().f()\nB.__bases__\n', 'rebound bases');
});

test('cyclic and self imports terminate', { timeout: TIMEOUT }, async () => {
  const others = { 'a.py': 'from b import X\nY = 1\n', 'b.py': 'from a import Y\nX = 2\n' };
  await check('import main\nfrom main import *\nfrom a import Y\nimport b\n', 'cyclic imports', others);
});

test('an empty file', { timeout: TIMEOUT }, async () => {
  const json = await check('', 'empty');
  assert.deepEqual(json.models, []);
});

test('a file of only comments and blank lines', { timeout: TIMEOUT }, async () => {
  const json = await check('# model = keras.Sequential([layers.Dense(1)])\n\n   # shape-lens: input_shape=(None, 28, 28, 1)\n#\n\n', 'comments');
  assert.deepEqual(json.models, []);
});

test('binary garbage', { timeout: TIMEOUT }, async () => {
  const rnd = prng(7);
  for (let k = 0; k < 20; k++) {
    let s = '';
    for (let i = 0; i < 4000; i++) s += String.fromCharCode(Math.floor(rnd() * 256));
    await check(s, `garbage ${k}`);
  }
  await check('\u0000'.repeat(1000), 'NULs');
  await check('\ud800x = 1\udfff\n', 'lone surrogates');
});

test('a BOM and CRLF line endings give the same models and lines', { timeout: TIMEOUT }, async () => {
  const text = read('mnist_convnet.py');
  const plain = await check(text, 'mnist');
  const crlf = await check(`\ufeff${text.replace(/\n/g, '\r\n')}`, 'mnist BOM CRLF');
  assert.deepEqual(crlf.models.map((m) => m.layers), plain.models.map((m) => m.layers));
  assert.deepEqual(crlf.models.map((m) => m.totalParams), [34826]);
});

test('tab indentation gives the same models as spaces', { timeout: TIMEOUT }, async () => {
  const text = read('resnet_functional.py');
  const tabs = text.replace(/^( {4})+/gm, (m) => '\t'.repeat(m.length / 4));
  assert.notEqual(tabs, text);
  const plain = await check(text, 'resnet');
  const tabbed = await check(tabs, 'resnet tabs');
  assert.deepEqual(tabbed.models.map((m) => [m.name, m.totalParams, m.layers.length]), plain.models.map((m) => [m.name, m.totalParams, m.layers.length]));
});

test('unicode identifiers and strings', { timeout: TIMEOUT }, async () => {
  const json = await check(`${HEADER}größe = 4\nname = "模型 💥"\nmodel = keras.Sequential([keras.Input((größe,)), layers.Dense(größe)], name=name)\n`, 'unicode');
  assert.equal(json.models[0]?.totalParams, 20); // 4*4 + 4
});

test('malformed and extreme shape-lens comments', { timeout: TIMEOUT }, async () => {
  const comments = ['input_shape=(', 'input_shape=(None, -5, 0.5, 1e308)', 'input_shape=[[[[', 'input_shape=(None,' + ' 10**9,'.repeat(300) + ')', 'input_shape=()', 'input_shape=(None, "a", None)', 'input_shape'];
  for (const c of comments) {
    const src = `${HEADER}# shape-lens: ${c}\nclass Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n        self.flat = layers.Flatten()\n        self.d = layers.Dense(3)\n\n    def call(self, x):\n        return self.d(self.flat(x))\n`;
    await check(src, `comment ${c.slice(0, 40)}`);
  }
});

test('odd arguments to model.build and keras.Input', { timeout: TIMEOUT }, async () => {
  const cases = ['None', '()', '(None,)', '[None, 4]', '"abc"', '(None, 4) * 500', '((None, 4), (None, 5))', '{1: 2}', 'lambda: 0'];
  for (const c of cases) {
    await check(`${HEADER}m = keras.Sequential([layers.Dense(3)])\nm.build(${c})\ni = keras.Input(shape=${c})\nn = keras.Model(i, layers.Dense(2)(i))\n`, `build ${c}`);
  }
  const rank = await check(`${HEADER}i = keras.Input(shape=(2,) * 500)\no = layers.Dense(3)(i)\nm = keras.Model(i, o)\n`, 'rank 501');
  const m = rank.models.find((x) => x.name === 'm');
  if (m && typeof m.totalParams === 'number') assert.equal(m.totalParams, 2 * 3 + 3);
});

test('5,000 small models built in a loop', { timeout: TIMEOUT }, async () => {
  const json = await check(`${HEADER}models = []\nfor i in range(5000):\n    models.append(keras.Sequential([keras.Input((4,)), layers.Dense(i + 1)]))\n`, 'many models');
  assert.ok(json.models.length <= 5000);
  for (const [i, m] of json.models.entries()) if (typeof m.totalParams === 'number') assert.equal(m.totalParams, 5 * (i + 1)); // 4*(i+1) + (i+1)
});

// ---------------------------------------------------------------------------------------------
// Verdicts on the invariants recorded by every analysis above (node:test runs top-level tests in order)

function assertNoViolations(kind: string): void {
  const v = violations.get(kind);
  assert.ok(!v, v && `${v.count} × ${kind}, e.g.\n${v.examples.join('\n')}`);
}

test(`invariant: no ${V.internal}`, () => assertNoViolations(V.internal));
test(`invariant: no ${V.negativeDim}`, () => assertNoViolations(V.negativeDim));
test(`invariant: no ${V.badDim}`, () => assertNoViolations(V.badDim));
test(`invariant: no ${V.negativeCount}`, () => assertNoViolations(V.negativeCount));
test(`invariant: no ${V.badCount}`, () => assertNoViolations(V.badCount));
test(`invariant: ${V.split.replace('!=', '==')}`, () => assertNoViolations(V.split));
test(`invariant: model total == sum of its rows`, () => assertNoViolations(V.sum));

test('a TensorFlow function after 60 residual blocks: the graph walk visits each tensor once', { timeout: 30_000 }, async () => {
  // Each Add has two paths back to the input: walking paths instead of tensors is 2^60 steps (an
  // Xception notebook hung before). tf.reshape on the result asks whether it is a KerasTensor.
  const blocks = Array.from({ length: 60 }, () => 'y = layers.Dense(8)(x)\nx = layers.Add()([x, y])').join('\n');
  const { json } = await analyze(`
import tensorflow as tf
import keras
from keras import layers
inp = keras.Input((8,))
x = inp
${blocks}
out = tf.reshape(x, (-1, 2, 4))
m = keras.Model(inp, out, name="m")
`);
  const m = json.models.find((x) => x.name === 'm')!;
  // 60 × Dense(8) on 8 features: 60 · (8·8 + 8) = 4,320; analysed as tf.keras 2 (the tf.reshape).
  assert.equal(m.totalParams, 4320);
  assert.equal(json.keras?.version, 2);
});
