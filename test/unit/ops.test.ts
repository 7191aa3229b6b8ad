// Tensor operations in a functional graph (Keras 3): `x + y`, `keras.ops.add(x, y)` connect the
// graph with NumPy broadcasting, are rows of the summary with no weights (Keras 3's print_summary
// lists `Functional._operations`: `add (Add)`, `true_divide (TrueDivide)`) and share Keras' automatic
// names with layers. Expected figures by hand beside each case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateLayer } from '../../src/core/layers/evaluate';
import { analyze } from './helpers/python';

test('broadcasting as Keras broadcast_shapes does it', () => {
  const out = (a: (number | null)[], b: (number | null)[]) => evaluateLayer('ops.add', {}, [a, b]);
  assert.deepEqual(out([null, 4, 8], [null, 1, 8]).output, [null, 4, 8]);
  assert.deepEqual(out([null, 4, 8], [8]).output, [null, 4, 8]);
  // None against 1 stays None; None against a size takes the size.
  assert.deepEqual(out([null, null, 8], [null, 1, 8]).output, [null, null, 8]);
  assert.deepEqual(out([null, null, 8], [null, 5, 8]).output, [null, 5, 8]);
  const bad = out([null, 4, 8], [null, 3, 8]);
  assert.equal(bad.output, null);
  assert.match(bad.problems[0]?.message ?? '', /Cannot broadcast shape, the failure dim has value 4, which cannot be broadcasted to 3/);
  // A number operand adds no tensor: the shape is the tensor's.
  assert.deepEqual(evaluateLayer('ops.multiply', {}, [[null, 7]]).output, [null, 7]);
  assert.equal(evaluateLayer('ops.add', {}, [[null, 4, 8], [null, 1, 8]]).params.trainable, 0);
});

test("residual blocks with x + inputs: every layer and operation is a row, the total is Keras'", async () => {
  const { json } = await analyze(`
import keras
from keras import layers

def encoder(inputs, head_size=16, num_heads=2, ff_dim=4):
    x = layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads)(inputs, inputs)
    x = layers.LayerNormalization(epsilon=1e-6)(x)
    res = x + inputs
    x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
    x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
    return x + res

inputs = keras.Input(shape=(20, 8))
x = inputs
for _ in range(2):
    x = encoder(x)
x = layers.GlobalAveragePooling1D()(x)
out = layers.Dense(3)(x * 0.5)
model = keras.Model(inputs, out)
merged = layers.Add()([x, x])
`);
  const m = json.models.find((x) => x.name === 'model')!;
  assert.deepEqual([...json.diagnostics, ...m.diagnostics].filter((d) => d.severity === 'error'), []);
  assert.ok(m.layers.every((l) => !l.className.startsWith('ops.')), JSON.stringify(m.layers.map((l) => l.className)));
  // Four `+` (two per block) and one `*`: rows of class Add / Multiply with 0 params.
  assert.deepEqual(m.layers.filter((l) => l.className === 'Add' || l.className === 'Multiply').map((l) => [l.name, l.params]), [
    ['add', 0],
    ['add_1', 0],
    ['add_2', 0],
    ['add_3', 0],
    ['multiply', 0],
  ]);
  // Per block: MHA q/k/v 3·(8·2·16 + 2·16) = 864 + output 2·16·8 + 8 = 264 → 1,128; LayerNorm 2·8 = 16;
  // Conv1D 8·4 + 4 = 36 and 4·8 + 8 = 40 → 1,220; two blocks 2,440; Dense 8·3 + 3 = 27 → 2,467.
  assert.equal(m.totalParams, 2467);
  assert.equal(m.layers.length, 16);
  // Four `+` and one `*` took the names add, add_1, add_2, add_3 and multiply (Keras 3 names
  // operations with the same counters as layers), so the Add layer is add_4.
  assert.equal(json.models.length, 1);
  const { json: named } = await analyze('import keras\nfrom keras import layers\na = keras.Input((4,))\nb = a + a\nc = layers.Add()([b, a])\nm = keras.Model(a, c)\n');
  assert.deepEqual(named.models[0].layers.map((l) => l.name), ['input_layer', 'add', 'add_1']);
});

test('keras.ops.add / ops.multiply with a number: rows of the graph with no weights', async () => {
  const { json } = await analyze(`
import keras
from keras import layers, ops
a = keras.Input((4, 8))
b = keras.Input((1, 8))
c = ops.add(a, b)
d = keras.ops.multiply(c, 2.0)
m = keras.Model([a, b], layers.Dense(2)(d))
`);
  const m = json.models[0];
  // (4, 8) + (1, 8) → (4, 8); Dense(2) on 8: 8·2 + 2 = 18.
  assert.deepEqual(m.layers.map((l) => [l.className, l.outputShape, l.params]), [
    ['InputLayer', [null, 4, 8], 0],
    ['InputLayer', [null, 1, 8], 0],
    ['Add', [null, 4, 8], 0],
    ['Multiply', [null, 4, 8], 0],
    ['Dense', [null, 4, 2], 18],
  ]);
});
