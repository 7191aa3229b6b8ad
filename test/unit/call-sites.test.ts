// Builders get real arguments: a function whose parameters have no defaults, called nowhere in its
// own file, takes the arguments of its first call in another file of the project (else they are
// unknown, `?`). Expected figures by hand beside each case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyzePython, initPythonParser } from '../../src/frontends/python/analyze';
import { analysisToJson } from '../../src/core/analysis';
import { memoryHost } from './helpers/python';
import { repoRoot } from './helpers/paths';

const MODEL = `
import keras
from keras import layers

def build_model(input_shape, num_classes, width=32):
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(width, 3, activation="relu")(inputs)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="classifier")
`;
const TRAIN = `from model import build_model

IMG = 28
model = build_model((IMG, IMG, 1), num_classes=10)
`;

async function analyse(files: Record<string, string>, main: string, callers: string[]) {
  await initPythonParser();
  const host = { ...memoryHost(files), callers: () => callers };
  return analysisToJson(analyzePython(files[main], main, { host, moduleCache: null }));
}

test("a builder called in another file takes that call's arguments", async () => {
  const json = await analyse({ 'model.py': MODEL, 'train.py': TRAIN }, 'model.py', ['train.py']);
  const m = json.models.find((x) => x.name === 'classifier')!;
  // Conv2D(32, 3) on 28×28×1: 3·3·1·32 + 32 = 320; Dense(10) on 32: 32·10 + 10 = 330.
  assert.deepEqual(m.layers.map((l) => [l.outputShape, l.params]), [
    [[null, 28, 28, 1], 0],
    [[null, 26, 26, 32], 320],
    [[null, 32], 0],
    [[null, 10], 330],
  ]);
  assert.equal(m.totalParams, 650);
  assert.equal(m.argumentsFrom, 'train.py:4');
});

test('without a call anywhere, the parameters without defaults are unknown (?), never guessed', async () => {
  const json = await analyse({ 'model.py': MODEL }, 'model.py', []);
  const m = json.models.find((x) => x.name === 'classifier')!;
  // The input shape is unknown; the Conv2D's weights need only its channels, which are unknown too.
  assert.equal(m.layers[0].outputShape, '?');
  assert.equal(m.totalParams, '?');
  assert.equal(m.argumentsFrom, undefined);
});

test('the first call found wins; sizes the other file computes (here from a tensor\'s shape) count too', async () => {
  const other = 'from model import build_model\nimport keras\nm = build_model(keras.Input((8, 8, 3)).shape[1:], 5)\n';
  const json = await analyse({ 'model.py': MODEL, 'train.py': TRAIN, 'other.py': other }, 'model.py', ['train.py', 'other.py']);
  const first = json.models.find((x) => x.name === 'classifier')!;
  assert.equal(first.totalParams, 650);
  assert.deepEqual([first.argumentsFrom, first.otherCallSites], ['train.py:4', ['other.py:3']]);
  const json2 = await analyse({ 'model.py': MODEL, 'other.py': other }, 'model.py', ['other.py']);
  // (8, 8, 3) read from a tensor's shape in other.py is plain data: 3·3·3·32 + 32 = 896; Dense(5) on 32: 165.
  assert.equal(json2.models.find((x) => x.name === 'classifier')!.totalParams, 896 + 165);
});

test('CLI: the callers of a file are found in its project on disk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-callers-'));
  fs.writeFileSync(path.join(dir, 'model.py'), MODEL);
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.writeFileSync(path.join(dir, 'scripts', 'train.py'), TRAIN.replace('from model import', 'from model import'));
  fs.writeFileSync(path.join(dir, 'unrelated.py'), 'import os\nprint(os.getcwd())\n');
  try {
    const r = spawnSync(process.execPath, [path.join(repoRoot(), 'dist/cli.js'), 'summary', path.join(dir, 'model.py'), '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout).files[0].models[0];
    assert.deepEqual([m.name, m.totalParams, m.argumentsFrom], ['classifier', 650, 'train.py:4']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
