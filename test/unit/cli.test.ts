// The bundled CLI (dist/cli.js, built by `npm test` first) end to end: seed models, JSON schema, exit codes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { repoRoot } from './helpers/paths';

const root = repoRoot();
const cli = path.join(root, 'dist/cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Temporary folders the tests made, removed when they end. */
const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

function tmpFile(name: string, text: string): string {
  const dir = tmpDir();
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

test('seed 002: both CNNs with every row as the article prints them', () => {
  const r = run('summary', 'examples/seed_pooling_cnn.py', '--json');
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  const [file] = doc.files;
  assert.equal(file.language, 'python');
  const byName = Object.fromEntries(file.models.map((m: { name: string }) => [m.name, m]));
  const without = byName.model_without_pooling;
  const withPool = byName.model_with_pooling;
  // Rows and totals as printed in the article (seed 002).
  assert.deepEqual(without.layers.map((l: { outputShape: unknown; params: number }) => [l.outputShape, l.params]), [
    [[null, 222, 222, 10], 280],
    [[null, 220, 220, 10], 910],
    [[null, 218, 218, 10], 910],
    [[null, 475240], 0],
    [[null, 1], 475241],
  ]);
  assert.equal(without.totalParams, 477341);
  assert.deepEqual(withPool.layers.map((l: { outputShape: unknown; params: number }) => [l.outputShape, l.params]), [
    [[null, 222, 222, 10], 280],
    [[null, 111, 111, 10], 0],
    [[null, 109, 109, 10], 910],
    [[null, 54, 54, 10], 0],
    [[null, 52, 52, 10], 910],
    [[null, 26, 26, 10], 0],
    [[null, 6760], 0],
    [[null, 1], 6761],
  ]);
  assert.equal(withPool.totalParams, 8861);
  assert.equal(withPool.trainableParams, 8861);
  assert.equal(withPool.nonTrainableParams, 0);
  // Schema: every documented key is present with the documented type.
  for (const m of file.models) {
    for (const k of ['name', 'function', 'line', 'layers', 'outputShape', 'totalParams', 'trainableParams', 'nonTrainableParams', 'diagnostics']) assert.ok(k in m, k);
    for (const l of m.layers) for (const k of ['name', 'className', 'line', 'outputShape', 'params', 'trainableParams', 'nonTrainableParams']) assert.ok(k in l, k);
  }
  assert.equal(without.layers[0].className, 'Conv2D');
  assert.equal(without.layers[0].line, 6);
  assert.ok(Array.isArray(file.diagnostics));
});

test('human output is the Keras table with thousands separators', () => {
  const r = run('summary', 'examples/seed_pooling_cnn.py');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Model: "model_with_pooling"/);
  // Keras 3's box table: the row as `│ name (Class) │ shape │ params │`, params right-aligned.
  assert.match(r.out, /│ max_pooling2d \(MaxPooling2D\) +│ \(None, 111, 111, 10\) +│ +0 │\n/);
  assert.match(r.out, /Total params: 477,341 \(1\.82 MB\)/);
  assert.match(r.out, /Total params: 8,861 \(34\.61 KB\)/);
});

test('seed 001: the tutorial model', () => {
  const p = tmpFile('seed001.py', `import tensorflow as tf
model = tf.keras.Sequential([
tf.keras.layers.Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)),
tf.keras.layers.MaxPooling2D(pool_size=(2, 2), strides=2),
tf.keras.layers.Flatten(),
tf.keras.layers.Dense(10, activation='softmax')
])
`);
  const r = run('summary', p, '--json');
  assert.equal(r.code, 0, r.err);
  const m = JSON.parse(r.out).files[0].models[0];
  // 3·3·1·32 + 32 = 320; 26 → 13; 13·13·32 = 5408; 5408·10 + 10 = 54090
  assert.deepEqual(m.layers.map((l: { outputShape: unknown; params: number }) => [l.outputShape, l.params]), [
    [[null, 26, 26, 32], 320],
    [[null, 13, 13, 32], 0],
    [[null, 5408], 0],
    [[null, 10], 54090],
  ]);
});

test('exit code 1 on a shape error, with file:line in human output', () => {
  const p = tmpFile('bad.py', 'import keras\nm = keras.Sequential([\n    keras.layers.MaxPooling2D(4, input_shape=(2, 2, 3)),\n])\n');
  const r = run('summary', p);
  assert.equal(r.code, 1);
  assert.match(r.out, /bad\.py:3: error \[negative-dimension\] Negative dimension size caused by subtracting 4 from 2/);
});

test('tfjs example: constants imported from a data module, tfjs layer names', () => {
  const r = run('summary', 'examples/tfjs-mnist/index.js', '--json');
  assert.equal(r.code, 0, r.err);
  const [file] = JSON.parse(r.out).files;
  assert.equal(file.language, 'javascript');
  const m = file.models[0];
  assert.equal(m.name, 'createConvModel');
  assert.equal(m.function, 'createConvModel');
  // 3·3·1·16 + 16 = 160; 26→13; 3·3·16·32 + 32 = 4,640; 11→5; 3·3·32·32 + 32 = 9,248; 3·3·32 = 288;
  // 288·64 + 64 = 18,496; 64·10 + 10 = 650
  assert.deepEqual(m.layers.map((l: { params: number }) => l.params), [160, 0, 4640, 0, 9248, 0, 18496, 650]);
  assert.equal(m.totalParams, 33194);
  assert.equal(m.layers[0].name, 'conv2d_Conv2D1');
});

test('usage errors exit 2; --help exits 0; directories are searched', () => {
  assert.equal(run().code, 2);
  assert.equal(run('summary').code, 2);
  assert.equal(run('summary', 'no/such/file.py').code, 2);
  const help = run('--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /shape-lens summary/);
  const dir = run('summary', 'examples', '--json');
  assert.ok(JSON.parse(dir.out).files.length >= 1);
});

// ---------------------------------------------------------------------------------------------
// Notebooks, folders, usage errors

const NOTEBOOKS = path.join(root, 'test/fixtures/notebooks');

function tmpDir(prefix = 'shape-lens-cli-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

interface JsonRow {
  className: string;
  outputShape: (number | null)[];
  params: number;
  line: number;
  cell?: number;
}

test('notebook: the CNN across cells, IPython lines never reported, lines counted per cell', () => {
  const r = run('summary', path.join(NOTEBOOKS, 'small_cnn.ipynb'), '--json');
  assert.equal(r.code, 0, r.err);
  const [file] = JSON.parse(r.out).files;
  assert.equal(file.language, 'python');
  assert.deepEqual(file.diagnostics, []);
  assert.equal(file.models.length, 1);
  const m = file.models[0];
  assert.equal(m.name, 'small_cnn');
  assert.deepEqual(m.diagnostics, []);
  // 3·3·1·32 + 32 = 320; 26 → 13; 3·3·32·64 + 64 = 18,496; 11 → 5; 5·5·64 = 1,600; 1,600·10 + 10 = 16,010.
  assert.deepEqual(m.layers.map((l: JsonRow) => [l.outputShape, l.params]), [
    [[null, 26, 26, 32], 320],
    [[null, 13, 13, 32], 0],
    [[null, 11, 11, 64], 18496],
    [[null, 5, 5, 64], 0],
    [[null, 1600], 0],
    [[null, 10], 16010],
  ]);
  assert.equal(m.totalParams, 34826);
  // Cell 1 is markdown, cell 2 starts the model (after !pip and %matplotlib), cell 3 is %%bash.
  assert.deepEqual(m.layers.map((l: JsonRow) => [l.cell, l.line]), [[2, 8], [2, 9], [4, 4], [4, 5], [4, 6], [4, 7]]);
  const human = run('summary', path.join(NOTEBOOKS, 'small_cnn.ipynb'));
  assert.equal(human.code, 0, human.err);
  assert.match(human.out, /Total params: 34,826 /);
  assert.doesNotMatch(human.out, /syntax|error|warning|info/);
});

test('notebook: a shape error names its cell and the line in that cell', () => {
  const file = path.join(NOTEBOOKS, 'shape_error.ipynb');
  const r = run('summary', file);
  assert.equal(r.code, 1);
  // Conv2D(8, 5) on a 4×4 input, third cell (after a markdown cell), its third line.
  assert.match(r.out, /shape_error\.ipynb:cell 3:3: error \[negative-dimension\] Negative dimension size caused by subtracting 5 from 4/);
  assert.doesNotMatch(r.out, /autoreload|load_ext|syntax/);
  const j = run('summary', file, '--json');
  assert.equal(j.code, 1);
  const [f] = JSON.parse(j.out).files;
  const all = [...f.diagnostics, ...f.models.flatMap((m: { diagnostics: unknown[] }) => m.diagnostics)];
  assert.deepEqual(all.map((d: { code: string; cell: number; line: number }) => [d.code, d.cell, d.line]), [['negative-dimension', 3, 3]]);
});

test('notebook: a malformed .ipynb is one clear line for that file, the others still analysed', () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'broken.ipynb'), '{"cells": [{"cell_type": "code", "source": ["x = 1\\n"');
  fs.copyFileSync(path.join(NOTEBOOKS, 'small_cnn.ipynb'), path.join(dir, 'ok.ipynb'));
  const r = run('summary', dir);
  assert.equal(r.code, 1, 'an unreadable notebook is an error-severity diagnostic');
  assert.equal(r.err, '');
  const lines = r.out.split('\n').filter((l) => l.includes('broken.ipynb'));
  assert.equal(lines.length, 2, r.out); // the file header and its one diagnostic
  assert.match(lines[1], /broken\.ipynb: error \[invalid-notebook\] Not a notebook Shape Lens can read: not valid JSON \(.+\)\.$/);
  assert.match(r.out, /Total params: 34,826 /);
  const j = JSON.parse(run('summary', dir, '--json').out);
  assert.deepEqual(j.files.map((f: { file: string; models: unknown[] }) => [path.basename(f.file), f.models.length]), [['broken.ipynb', 0], ['ok.ipynb', 1]]);
});

test('folders are searched recursively (notebooks included, hidden folders skipped)', () => {
  const dir = tmpDir();
  fs.mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
  fs.mkdirSync(path.join(dir, '.ipynb_checkpoints'));
  fs.copyFileSync(path.join(NOTEBOOKS, 'small_cnn.ipynb'), path.join(dir, 'sub', 'deeper', 'book.ipynb'));
  fs.copyFileSync(path.join(NOTEBOOKS, 'small_cnn.ipynb'), path.join(dir, '.ipynb_checkpoints', 'book-checkpoint.ipynb'));
  fs.writeFileSync(path.join(dir, 'sub', 'notes.txt'), 'not code');
  // Dense on 8 features: 8·3 + 3 = 27.
  fs.writeFileSync(path.join(dir, 'top.py'), 'import keras\nm = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3)])\n');
  const r = run('summary', dir, '--json');
  assert.equal(r.code, 0, r.err);
  const files = JSON.parse(r.out).files as { file: string; models: { totalParams: number }[] }[];
  assert.deepEqual(files.map((f) => [path.relative(dir, f.file), f.models.map((m) => m.totalParams)]), [
    [path.join('sub', 'deeper', 'book.ipynb'), [34826]],
    ['top.py', [27]],
  ]);
});

test('an empty folder and files without models say so and exit 0', () => {
  const empty = tmpDir();
  const r = run('summary', empty);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /: no \.py, \.ipynb or JS\/TS file in this folder\n/);
  assert.match(r.out, /no Keras or TensorFlow\.js model found in 0 files\n$/);
  const plain = tmpDir();
  fs.writeFileSync(path.join(plain, 'util.py'), 'def add(a, b):\n    return a + b\n');
  fs.writeFileSync(path.join(plain, 'plot.ipynb'), JSON.stringify({ cells: [{ cell_type: 'code', metadata: {}, source: ['%matplotlib inline\n', 'import matplotlib.pyplot as plt\n'] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  fs.mkdirSync(path.join(plain, 'lib'));
  fs.writeFileSync(path.join(plain, 'lib', 'index.js'), 'export const x = 1;\n');
  const p = run('summary', plain);
  assert.equal(p.code, 0, p.err);
  assert.match(p.out, /no Keras or TensorFlow\.js model found in 3 files\n$/);
  assert.equal((p.out.match(/\(no Keras or TensorFlow\.js model found\)/g) ?? []).length, 3);
  // With --json, stdout stays one JSON document and the note goes to stderr.
  const j = run('summary', plain, '--json');
  assert.equal(j.code, 0);
  assert.equal(JSON.parse(j.out).files.length, 3);
  assert.match(j.err, /shape-lens: no Keras or TensorFlow\.js model found in 3 files/);
});

test('an unknown option or command is named, with the usage, exit 2; -h is help', () => {
  const opt = run('summary', 'examples/seed_pooling_cnn.py', '--jsn');
  assert.equal(opt.code, 2);
  assert.equal(opt.out, '');
  assert.match(opt.err, /^shape-lens: unknown option --jsn \(did you mean --json\?\)\n/);
  assert.match(opt.err, /Usage: shape-lens summary/);
  const short = run('summary', 'examples', '-x');
  assert.equal(short.code, 2);
  assert.match(short.err, /^shape-lens: unknown option -x\n/);
  const cmd = run('sumary', 'x.py');
  assert.equal(cmd.code, 2);
  assert.match(cmd.err, /^shape-lens: unknown command sumary \(did you mean summary\?\)\n/);
  assert.match(cmd.err, /Usage: shape-lens summary/);
  const other = run('train', 'x.py');
  assert.equal(other.code, 2);
  assert.match(other.err, /^shape-lens: unknown command train\n/);
  const none = run('summary', '--json');
  assert.equal(none.code, 2);
  assert.match(none.err, /^shape-lens: summary needs at least one file or folder\n/);
  const h = run('-h');
  assert.equal(h.code, 0);
  assert.match(h.out, /Usage: shape-lens summary FILE_OR_DIR\.\.\. \[--json\]/);
  assert.match(h.out, /\.ipynb/);
  // `--` ends the options: a file named like an option is a path (here a missing one).
  const dashed = run('summary', '--', '--json');
  assert.equal(dashed.code, 2);
  assert.match(dashed.err, /no such file or directory: --json/);
});

test('--at-summary prints each model as of its summary() calls; unknowns are "?" in JSON and explained in text', () => {
  const f = tmpFile('at_summary.py', [
    'import keras',
    'from keras import layers',
    'from settings import UNITS',
    'm = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, name="d1")], name="m")',
    'm.summary()',
    'm.add(layers.Dense(UNITS, name="d2"))',
    '',
  ].join('\n'));
  const human = run('summary', f, '--at-summary');
  assert.equal(human.code, 0, human.err);
  // Dense(4) on 8 inputs: 8·4 + 4 = 36, all there is at line 5.
  assert.match(human.out, /Total params: 36 \(144\.00 B\)\n[^]*\(as of m\.summary\(\) on line 5\)/);
  const final = run('summary', f);
  assert.match(final.out, / d2 \(Dense\)[│\s]+\(None, \?\)[│\s]+\?/);
  assert.match(final.out, /Total params: \? \(\?\)/);
  assert.match(final.out, /\? d2: `units` of d2 is not a value Shape Lens could follow/);
  assert.match(final.out, /Total params: at least 36 \+ unknown/);
  const json = JSON.parse(run('summary', f, '--json').out);
  const m = json.files[0].models[0];
  assert.deepEqual([m.layers[1].outputShape, m.layers[1].params, m.totalParams], [[null, '?'], '?', '?']);
  const at = JSON.parse(run('summary', f, '--json', '--at-summary').out).files[0].models;
  assert.deepEqual(at.map((x: { atSummaryLine: number; totalParams: number }) => [x.atSummaryLine, x.totalParams]), [[5, 36]]);
});

test('--keras 2 / --keras=3 / the project pins / a file comment choose the summary; the header and JSON say which and why', () => {
  const dir = tmpDir('shape-lens-keras-');
  const file = path.join(dir, 'net.py');
  fs.writeFileSync(file, 'import keras\nfrom keras import layers\ni = keras.Input((8,))\nm = keras.Model(i, layers.Dense(4)(i) * 0.5, name="m")\n');
  // No pin: Keras 3 (the multiply operation is a row `multiply (Multiply)`).
  const plain = run('summary', file);
  assert.equal(plain.code, 0, plain.err);
  assert.match(plain.out, /net\.py \(Keras 3: no Keras 2 pin found\)\n/);
  assert.match(plain.out, /│ multiply \(Multiply\) +│ \(None, 4\) +│ +0 │/);
  // A pin next to the file: tf.keras 2's table, names and TFOpLambda row.
  fs.writeFileSync(path.join(dir, 'requirements.txt'), 'numpy\ntensorflow==2.12.0\n');
  const pinned = run('summary', file);
  assert.match(pinned.out, /net\.py \(Keras 2: requirements\.txt: tensorflow==2\.12\.0\)\n/);
  assert.match(pinned.out, /\n input_1 \(InputLayer\) +\[\(None, 8\)\] +0 {9}\n/);
  assert.match(pinned.out, /\n tf\.math\.multiply \(TFOpLamb  \(None, 4\) +0 {9}\n da\) +\n/);
  const json = JSON.parse(run('summary', file, '--json').out);
  assert.deepEqual(json.files[0].keras, { version: 2, from: 'requirements.txt: tensorflow==2.12.0' });
  assert.deepEqual(json.files[0].models[0].layers.map((l: { name: string }) => l.name), ['input_1', 'dense', 'tf.math.multiply']);
  // The flag beats the pin, in both spellings; a file's comment beats the flag.
  assert.deepEqual(JSON.parse(run('summary', file, '--json', '--keras', '3').out).files[0].keras, { version: 3, from: '--keras 3' });
  assert.deepEqual(JSON.parse(run('summary', '--keras=3', file, '--json').out).files[0].keras, { version: 3, from: '--keras 3' });
  fs.writeFileSync(file, `# shape-lens: keras=2\n${fs.readFileSync(file, 'utf8')}`);
  assert.deepEqual(JSON.parse(run('summary', file, '--json', '--keras=3').out).files[0].keras, { version: 2, from: '# shape-lens: keras=2 (line 1)' });
  // Bad values are usage errors.
  for (const bad of [['--keras', '4'], ['--keras'], ['--keras=auto']]) {
    const r = run('summary', file, ...bad);
    assert.equal(r.code, 2, bad.join(' '));
    assert.match(r.err, /--keras takes 2 or 3/);
  }
});

// ---------------------------------------------------------------------------------------------
// export

test('export: an example\'s Keras JSON to a file, read back and built by tfjs with the summary\'s shapes and params', async () => {
  const out = path.join(tmpDir(), 'model.json');
  const r = run('export', 'examples/seed_pooling_cnn.py', '--model', 'model_with_pooling', '--out', out);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '');
  assert.equal(r.err, '');
  const json = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(json.class_name, 'Sequential');
  const summary = JSON.parse(run('summary', 'examples/seed_pooling_cnn.py', '--json').out).files[0].models.find((m: { name: string }) => m.name === 'model_with_pooling');
  const model = await tf.models.modelFromJSON(json);
  try {
    const rows = summary.layers.map((l: { name: string }) => {
      const layer = model.getLayer(l.name);
      return { name: l.name, outputShape: layer.outputShape, params: layer.countParams() };
    });
    assert.deepEqual(rows, summary.layers.map((l: { name: string; outputShape: unknown; params: number }) => ({ name: l.name, outputShape: l.outputShape, params: l.params })));
    assert.equal(model.countParams(), summary.totalParams);
    assert.equal(model.countParams(), 8861);
  } finally {
    model.dispose();
  }
  // Without --out: the same JSON on stdout.
  const stdout = run('export', 'examples/seed_pooling_cnn.py', '--model', 'model_with_pooling');
  assert.equal(stdout.code, 0, stdout.err);
  assert.deepEqual(JSON.parse(stdout.out), json);
});

test('export: --model picks among several; a partial export lists what it left out and exits 1; errors are one line, never a stack', () => {
  const several = run('export', 'test/fixtures/python/text_rnn.py');
  assert.equal(several.code, 1);
  assert.equal(several.out, '');
  assert.equal(several.err, 'shape-lens: test/fixtures/python/text_rnn.py builds 2 models ("bilstm", "gru_classifier"): pick one with --model NAME\n');
  const whole = run('export', 'test/fixtures/python/text_rnn.py', '--model', 'bilstm');
  assert.equal(whole.code, 0, whole.err);
  assert.equal(JSON.parse(whole.out).config.name, 'bilstm');
  const part = run('export', 'test/fixtures/python/text_rnn.py', '--model=gru_classifier');
  assert.equal(part.code, 1);
  assert.deepEqual(JSON.parse(part.out).config.layers.map((l: { class_name: string }) => l.class_name), ['InputLayer', 'Embedding']);
  assert.match(part.err, /^shape-lens: model "gru_classifier" exported without 3 of its layers:\n {2}gru \(GRU\): tfjs-layers' GRU has only reset_after=False/);
  const tfjs = run('export', 'test/fixtures/tfjs/nested.mjs', '--model', 'species_classifier');
  assert.equal(tfjs.code, 0, tfjs.err);
  assert.equal(JSON.parse(tfjs.out).class_name, 'Functional');
  const failures: [string[], number, RegExp][] = [
    [['export', 'test/fixtures/python/text_rnn.py', '--model', 'nope'], 1, /^shape-lens: test\/fixtures\/python\/text_rnn\.py: no model named "nope" \(its models: "bilstm", "gru_classifier"\)\n$/],
    [['export', 'test/fixtures/python/subclassed_models.py', '--model', 'cnn'], 1, /^shape-lens: model "cnn" cannot be exported: a subclassed model \(SmallCNN\)/],
    [['export', 'no/such/file.py'], 2, /^shape-lens: no such file or directory: no\/such\/file\.py\n$/],
    [['export', 'test/fixtures'], 2, /^shape-lens: export takes a file, not a folder/],
    [['export'], 2, /^shape-lens: export needs a file\n/],
    [['export', 'a.py', 'b.py'], 2, /^shape-lens: export takes one file \(got 2\)\n/],
    [['export', 'test/fixtures/python/mnist_convnet.py', '--json'], 2, /^shape-lens: --json is an option of summary, not export\n/],
    [['summary', 'test/fixtures/python/mnist_convnet.py', '--out', 'x.json'], 2, /^shape-lens: --out is an option of export, not summary\n/],
    [['export', 'test/fixtures/python/mnist_convnet.py', '--model'], 2, /^shape-lens: --model needs a model name\n/],
    [['export', 'test/fixtures/python/mnist_convnet.py', '--out', path.join(tmpDir(), 'missing', 'x.json')], 1, /^shape-lens: cannot write .*x\.json: ENOENT/],
    [['export', 'test/fixtures/python/syntax_error.py', '--model', 'encoder', '--keras', '4'], 2, /^shape-lens: --keras takes 2 or 3/],
  ];
  for (const [args, code, err] of failures) {
    const r = run(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, err, args.join(' '));
    assert.doesNotMatch(r.err, /\n\s+at /, `${args.join(' ')}: a stack trace`);
  }
});
