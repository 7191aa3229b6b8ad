// Symbolic sizes, front ends: sizes the code leaves open by name (a builder's parameter without
// default, an argparse value without default) reach the graph as formulas (`LayerNode.settingFormulas`,
// an input's `dimFormulas`); `shape-lens:` comments assume values for them. Expected texts and
// numbers by hand beside each case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './helpers/python';
import { analyzeJs } from './helpers/tfjs';
import { formatFormula, type Formula } from '../../src/core/formula';
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

const PY_HEAD = 'import keras\nfrom keras import layers\n';

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
    return keras.Model(x, [a, b, c, d, e, f, g])
`);
  assert.deepEqual(settings(analysis, 'a'), { units: 'latent_size' });
  assert.deepEqual(settings(analysis, 'b'), { units: 'latent_size·2' });
  assert.deepEqual(settings(analysis, 'c'), { units: '⌊img_size/4⌋' });
  assert.deepEqual(settings(analysis, 'd'), { units: 'n·64 + 64' });
  assert.deepEqual(settings(analysis, 'e'), { units: 'latent_size − 3' });
  // True division is a float: no formula, the setting stays a plain unknown.
  assert.deepEqual(settings(analysis, 'f'), {});
  assert.deepEqual(settings(analysis, 'g'), { units: 'n·n' });
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
`);
  assert.deepEqual(dims(modelInput(analysis, 'build')), [undefined, 'img_size', 'img_size', undefined]);
  assert.deepEqual(modelInput(analysis, 'build')?.shape, [null, '?', '?', 3]);
  assert.deepEqual(dims(modelInput(analysis, 'build_batch')), [undefined, 't·2', undefined]);
  assert.deepEqual(dims(modelInput(analysis, 'build_seq')), [undefined, 'img_size', '⌊img_size/2⌋', undefined]);
  assert.deepEqual(dims(modelInput(analysis, 'build_dim')), [undefined, 'features']);
  assert.deepEqual(settings(analysis, 'dense_1'), { input_dim: 'features' });
});

test('python argparse: a value without default is named, one with a default keeps it', async () => {
  const { analysis } = await analyze(`${PY_HEAD}
import argparse

parser = argparse.ArgumentParser(description='train')
parser.add_argument('--latent-size', type=int)
parser.add_argument('--units', type=int, default=32)
parser.add_argument('depth', type=int)
parser.add_argument('--width', dest='w', type=int)
args = parser.parse_args()

x = keras.Input(shape=(10,))
a = layers.Dense(args.latent_size, name='a')(x)
b = layers.Dense(args.units, name='b')(x)
c = layers.Dense(args.depth * 2, name='c')(x)
d = layers.Dense(args.w, name='d')(x)
model = keras.Model(x, [a, b, c, d])
`);
  assert.deepEqual(settings(analysis, 'a'), { units: 'latent_size' });
  assert.deepEqual(settings(analysis, 'b'), {});
  // Dense(32) on 10 features: 10·32 + 32 = 352.
  assert.equal(analysis.models[0].rows.find((r) => r.name === 'b')?.params, 352);
  assert.deepEqual(settings(analysis, 'c'), { units: 'depth·2' });
  assert.deepEqual(settings(analysis, 'd'), { units: 'w' });
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
