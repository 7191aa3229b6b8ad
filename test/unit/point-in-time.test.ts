// A model's summary as of each `model.summary()` call, and `trainable` changes made by code that
// never runs. Expected figures by hand: Dense(4) on 8 inputs = 8·4 + 4 = 36; Dense(2) on 4 = 10.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './helpers/python';
import { analysisToJson } from '../../src/core/analysis';

const SRC = `
import keras
from keras import layers

base = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, name="d1")], name="base")
base.summary()
base.add(layers.Dense(2, name="d2"))
base.summary()

def fine_tune():
    base.trainable = False

def freeze_all(m):
    for l in m.layers:
        l.trainable = False
`;

test('--at-summary: each summary() call shows the model as it was then', async () => {
  const { analysis } = await analyze(SRC);
  const json = analysisToJson(analysis, 'main.py', true);
  assert.deepEqual(
    json.models.map((m) => [m.name, m.atSummaryLine, m.layers.map((l) => l.name), m.totalParams]),
    [
      ['base', 6, ['d1'], 36],
      ['base', 8, ['d1', 'd2'], 46],
    ],
  );
});

test('without --at-summary the model is reported as at the end of the file', async () => {
  const { json } = await analyze(SRC);
  assert.deepEqual(json.models.map((m) => [m.name, m.atSummaryLine, m.totalParams]), [['base', undefined, 46]]);
});

test('trainable = False inside a function that is never called does not freeze the model', async () => {
  const { json } = await analyze(SRC);
  assert.deepEqual([json.models[0].trainableParams, json.models[0].nonTrainableParams], [46, 0]);
});

test('a freeze that does run counts from then on; the earlier summary() stays trainable', async () => {
  const { analysis, json } = await analyze(`${SRC}\nbase.summary()\nfreeze_all(base)\nbase.summary()\n`);
  assert.deepEqual([json.models[0].trainableParams, json.models[0].nonTrainableParams], [0, 46]);
  const at = analysisToJson(analysis, 'main.py', true).models.map((m) => [m.trainableParams, m.nonTrainableParams]);
  assert.deepEqual(at, [
    [36, 0],
    [46, 0],
    [46, 0],
    [0, 46],
  ]);
});

test('a summary() inside a builder function that is never called is not reported', async () => {
  const { analysis } = await analyze(`
import keras
from keras import layers
m = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4)])
def show():
    m.summary()
`);
  assert.equal(analysisToJson(analysis, 'main.py', true).models.length, 1);
  assert.equal(analysisToJson(analysis, 'main.py', true).models[0].atSummaryLine, undefined);
});
