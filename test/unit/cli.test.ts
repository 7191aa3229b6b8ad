// The bundled CLI (dist/cli.js, built by `npm test` first) end to end: seed models, JSON schema, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root: the nearest folder above this (bundled) test with a package.json. */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
const root = repoRoot();
const cli = path.join(root, 'dist/cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-cli-'));
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
  assert.match(r.out, / max_pooling2d \(MaxPooling2D\)\s+\(None, 111, 111, 10\)\s+0\n/);
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
