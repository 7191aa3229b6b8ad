// Table tests for the vocabulary and binning layers (Keras 3 StringLookup, IntegerLookup,
// TextVectorization, Discretization, HashedCrossing; tfjs has none of them). Expected values are
// worked by hand from keras/src/layers/preprocessing/{index_lookup,text_vectorization,
// discretization,hashed_crossing}.py: vocabulary_size = (mask, int mode only) + num_oov_indices +
// tokens; compute_output_shape as written there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './helpers/layer';
import { analyze } from './helpers/python';
import { UNKNOWN, type LayerConfig } from '../../src/core/config';
import { UNKNOWN_DIM, type OutputShape, type RuleShape } from '../../src/core/shape';

interface Row { name: string; cls: string; cfg: LayerConfig; inputs: RuleShape[]; output: OutputShape; errors?: RegExp[]; data?: boolean }

const V4 = ['a', 'b', 'c', 'd'];
const Q = UNKNOWN_DIM;

const rows: Row[] = [
  // StringLookup: int keeps the shape whatever the vocabulary.
  { name: 'StringLookup int', cls: 'StringLookup', cfg: { vocabulary: V4 }, inputs: [[null, 1]], output: [null, 1] },
  // one_hot on a last dim of 1 replaces it: 1 OOV + 4 tokens = 5.
  { name: 'StringLookup one_hot (None, 1)', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'one_hot' }, inputs: [[null, 1]], output: [null, 5] },
  // one_hot on (None, 3) appends: (None, 3, 5).
  { name: 'StringLookup one_hot appends', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'one_hot' }, inputs: [[null, 3]], output: [null, 3, 5] },
  // one_hot on a rank-1 input appends (len(input_shape) > 1 fails): (None, 5).
  { name: 'StringLookup one_hot rank 1', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'one_hot' }, inputs: [[null]], output: [null, 5] },
  // multi_hot replaces the last axis; on a rank-1 input that leaves `(depth,)` as Keras' compute_output_shape does.
  { name: 'StringLookup multi_hot', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'multi_hot' }, inputs: [[null, 3]], output: [null, 5] },
  { name: 'StringLookup multi_hot rank 1', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'multi_hot' }, inputs: [[null]], output: [5] },
  // Deprecated spelling 'binary' = multi_hot. num_oov_indices=2: 2 + 4 = 6.
  { name: 'StringLookup binary, 2 OOV', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'binary', num_oov_indices: 2 }, inputs: [[null, 3]], output: [null, 6] },
  // A mask token counts only in int mode: count mode 1 + 4 = 5.
  { name: 'StringLookup count with mask', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'count', mask_token: '' }, inputs: [[null, 4]], output: [null, 5] },
  // num_oov_indices=0: 0 + 4 = 4.
  { name: 'StringLookup no OOV', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'multi_hot', num_oov_indices: 0 }, inputs: [[null, 2]], output: [null, 4] },
  // A vocabulary that starts with the OOV token is not counted twice: ['[UNK]', 'a', 'b'] → 1 + 2 = 3.
  { name: 'StringLookup special tokens given', cls: 'StringLookup', cfg: { vocabulary: ['[UNK]', 'a', 'b'], output_mode: 'multi_hot' }, inputs: [[null, 2]], output: [null, 3] },
  // pad_to_max_tokens: depth = max_tokens = 10.
  { name: 'StringLookup pad_to_max_tokens', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'multi_hot', max_tokens: 10, pad_to_max_tokens: true }, inputs: [[null, 2]], output: [null, 10] },
  // tf_idf with idf_weights: 1 + 4 = 5.
  { name: 'StringLookup tf_idf', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'tf_idf', idf_weights: [0.1, 0.2, 0.3, 0.4] }, inputs: [[null, 3]], output: [null, 5] },
  // Adapted (no vocabulary): the depth is the data's; int mode does not depend on it.
  { name: 'StringLookup adapted multi_hot', cls: 'StringLookup', cfg: { output_mode: 'multi_hot' }, inputs: [[null, 3]], output: [null, Q], data: true },
  { name: 'StringLookup adapted int', cls: 'StringLookup', cfg: {}, inputs: [[null, 3]], output: [null, 3] },
  // A vocabulary file is read by Keras, not by Shape Lens.
  { name: 'StringLookup vocabulary file', cls: 'StringLookup', cfg: { vocabulary: 'vocab.txt', output_mode: 'one_hot' }, inputs: [[null, 1]], output: [null, Q], data: true },
  // Keras' constructor errors.
  { name: 'StringLookup repeated', cls: 'StringLookup', cfg: { vocabulary: ['a', 'b', 'a'] }, inputs: [[null, 1]], output: null, errors: [/repeated term.*\['a'\]/] },
  // 1 + 4 = 5 > max_tokens 4.
  { name: 'StringLookup over max_tokens', cls: 'StringLookup', cfg: { vocabulary: V4, max_tokens: 4 }, inputs: [[null, 1]], output: null, errors: [/vocabulary size is 5; `max_tokens` is 4/] },
  { name: 'StringLookup bad mode', cls: 'StringLookup', cfg: { output_mode: 'onehot' }, inputs: [[null, 1]], output: null, errors: [/Unknown value for `output_mode` argument of StringLookup\. Allowed values are: \('int', 'one_hot', 'multi_hot', 'count', 'tf_idf'\)\. Received: output_mode=onehot/] },
  { name: 'StringLookup tf_idf without weights', cls: 'StringLookup', cfg: { vocabulary: V4, output_mode: 'tf_idf' }, inputs: [[null, 1]], output: null, errors: [/`idf_weights` argument must also be provided/] },
  { name: 'StringLookup invert one_hot', cls: 'StringLookup', cfg: { invert: true, output_mode: 'one_hot' }, inputs: [[null, 1]], output: null, errors: [/must be `'int'` when `invert` is true/] },
  { name: 'StringLookup empty', cls: 'StringLookup', cfg: { vocabulary: [] }, inputs: [[null, 1]], output: null, errors: [/Cannot set an empty vocabulary/] },
  // IntegerLookup: oov_token -1; mask 0 counted in int mode only. one_hot on (None, 1): 1 + 4 = 5.
  { name: 'IntegerLookup one_hot', cls: 'IntegerLookup', cfg: { vocabulary: [12, 36, 1138, 42], output_mode: 'one_hot' }, inputs: [[null, 1]], output: [null, 5] },
  { name: 'IntegerLookup mask in vocabulary', cls: 'IntegerLookup', cfg: { vocabulary: [12, 0, 36], mask_token: 0 }, inputs: [[null, 1]], output: null, errors: [/reserved mask token/] },
  // TextVectorization int: (batch, output_sequence_length), None when not set (Keras' None, not unknown).
  { name: 'TextVectorization int 200', cls: 'TextVectorization', cfg: { max_tokens: 20000, output_sequence_length: 200 }, inputs: [[null, 1]], output: [null, 200] },
  { name: 'TextVectorization int ragged length', cls: 'TextVectorization', cfg: { max_tokens: 20000 }, inputs: [[null, 1]], output: [null, null] },
  { name: 'TextVectorization int rank 1', cls: 'TextVectorization', cfg: { output_sequence_length: 8 }, inputs: [[null]], output: [null, 8] },
  // multi_hot splits: (None, 1) + (None,) → [:-1] + (depth,) = (None, 1, 4) with 1 OOV + 3 tokens (mask '' not counted).
  { name: 'TextVectorization multi_hot vocabulary', cls: 'TextVectorization', cfg: { vocabulary: ['the', 'cat', 'sat'], output_mode: 'multi_hot' }, inputs: [[null, 1]], output: [null, 1, 4] },
  // split=None on a rank-1 input: (None,) + (1,) → (None, 4).
  { name: 'TextVectorization split None', cls: 'TextVectorization', cfg: { vocabulary: ['the', 'cat', 'sat'], output_mode: 'count', split: null }, inputs: [[null]], output: [null, 4] },
  // tf_idf padded to max_tokens: (None, 1, 5000), known even when adapted.
  { name: 'TextVectorization tf_idf padded', cls: 'TextVectorization', cfg: { max_tokens: 5000, output_mode: 'tf_idf', pad_to_max_tokens: true }, inputs: [[null, 1]], output: [null, 1, 5000] },
  { name: 'TextVectorization adapted multi_hot', cls: 'TextVectorization', cfg: { max_tokens: 5000, output_mode: 'multi_hot' }, inputs: [[null, 1]], output: [null, 1, Q], data: true },
  { name: 'TextVectorization length with multi_hot', cls: 'TextVectorization', cfg: { output_mode: 'multi_hot', output_sequence_length: 10 }, inputs: [[null, 1]], output: null, errors: [/`output_sequence_length` must not be set if `output_mode` is not 'int'/] },
  // Discretization with boundaries [0, 1, 2]: depth 3 + 1 = 4.
  { name: 'Discretization int', cls: 'Discretization', cfg: { bin_boundaries: [0, 1, 2] }, inputs: [[null, 4]], output: [null, 4] },
  { name: 'Discretization one_hot (None, 1)', cls: 'Discretization', cfg: { bin_boundaries: [0, 1, 2], output_mode: 'one_hot' }, inputs: [[null, 1]], output: [null, 4] },
  { name: 'Discretization one_hot (None, 3)', cls: 'Discretization', cfg: { bin_boundaries: [0, 1, 2], output_mode: 'one_hot' }, inputs: [[null, 3]], output: [null, 3, 4] },
  // multi_hot: (batch, *input[2:], depth).
  { name: 'Discretization multi_hot', cls: 'Discretization', cfg: { bin_boundaries: [0, 1, 2], output_mode: 'multi_hot' }, inputs: [[null, 3]], output: [null, 4] },
  { name: 'Discretization count rank 3', cls: 'Discretization', cfg: { bin_boundaries: [0, 1, 2], output_mode: 'count' }, inputs: [[null, 3, 5]], output: [null, 5, 4] },
  { name: 'Discretization num_bins int', cls: 'Discretization', cfg: { num_bins: 4 }, inputs: [[null, 3]], output: [null, 3] },
  { name: 'Discretization num_bins adapted', cls: 'Discretization', cfg: { num_bins: 4, output_mode: 'multi_hot' }, inputs: [[null, 3]], output: [null, Q], data: true },
  { name: 'Discretization both', cls: 'Discretization', cfg: { num_bins: 4, bin_boundaries: [0, 1] }, inputs: [[null, 3]], output: null, errors: [/Both `num_bins` and `bin_boundaries` should not be set/] },
  { name: 'Discretization neither', cls: 'Discretization', cfg: {}, inputs: [[null, 3]], output: null, errors: [/You need to set either `num_bins` or `bin_boundaries`/] },
  // CategoryEncoding (category_encoding.py): 'binary' is multi_hot; its own error wording.
  { name: 'CategoryEncoding binary', cls: 'CategoryEncoding', cfg: { num_tokens: 6, output_mode: 'binary' }, inputs: [[null, 3]], output: [null, 6] },
  { name: 'CategoryEncoding num_tokens 0', cls: 'CategoryEncoding', cfg: { num_tokens: 0 }, inputs: [[null, 3]], output: null, errors: [/^invalid-config: `num_tokens` must be >= 1\. Received: num_tokens=0\.$/] },
  { name: 'CategoryEncoding num_tokens None', cls: 'CategoryEncoding', cfg: { num_tokens: null }, inputs: [[null, 3]], output: null, errors: [/num_tokens must be set/] },
  { name: 'CategoryEncoding bad mode', cls: 'CategoryEncoding', cfg: { num_tokens: 3, output_mode: 'tf_idf' }, inputs: [[null, 3]], output: null, errors: [/^invalid-config: Unknown arg for output_mode: tf_idf$/] },
  // HashedCrossing on two (None, 1): int keeps it; one_hot replaces the 1 with num_bins.
  { name: 'HashedCrossing int', cls: 'HashedCrossing', cfg: { num_bins: 5 }, inputs: [[null, 1], [null, 1]], output: [null, 1] },
  { name: 'HashedCrossing one_hot', cls: 'HashedCrossing', cfg: { num_bins: 5, output_mode: 'one_hot' }, inputs: [[null, 1], [null, 1]], output: [null, 5] },
  { name: 'HashedCrossing rank 1 one_hot', cls: 'HashedCrossing', cfg: { num_bins: 5, output_mode: 'one_hot' }, inputs: [[null], [null]], output: [null, 5] },
  { name: 'HashedCrossing one input', cls: 'HashedCrossing', cfg: { num_bins: 5 }, inputs: [[null, 1]], output: null, errors: [/Expected as input a list\/tuple of 2 tensors/] },
];

for (const row of rows) {
  test(`vocabulary: ${row.name}`, () => {
    const r = run(row.cls, row.cfg, ...row.inputs);
    if (row.errors) {
      assert.equal(r.errors.length, row.errors.length, r.errors.join('\n'));
      row.errors.forEach((re, i) => assert.match(r.errors[i], re));
    } else {
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.output, row.output);
      // No weights Keras counts: lookup tables and tf_idf's tf.Variable are not Keras weights.
      assert.equal(r.total, 0);
    }
    if (row.data) assert.match(r.unknownWhy ?? '', /adapt\(\)|file/);
    else assert.equal(r.unknownWhy, undefined);
  });
}

test('vocabulary: an unknown vocabulary list or setting gives ?, never a guess', () => {
  assert.deepEqual(run('StringLookup', { vocabulary: UNKNOWN, output_mode: 'multi_hot' }, [null, 3]).output, [null, Q]);
  assert.deepEqual(run('StringLookup', { vocabulary: V4, output_mode: 'multi_hot', num_oov_indices: UNKNOWN }, [null, 3]).output, [null, Q]);
  // An unknown item at the start could be the OOV token: the count is unknown.
  assert.deepEqual(run('StringLookup', { vocabulary: [UNKNOWN, 'a'], output_mode: 'multi_hot' }, [null, 3]).output, [null, Q]);
  // Unknown items later still count one each: 1 + 3 = 4.
  assert.deepEqual(run('StringLookup', { vocabulary: ['a', UNKNOWN, 'c'], output_mode: 'multi_hot' }, [null, 3]).output, [null, 4]);
  // Huge and wrong-typed settings do not crash.
  // 1e300 is a float to Python: Keras raises (`must be either None or an integer`).
  const huge = run('TextVectorization', { output_sequence_length: 1e300 }, [null, 1]);
  assert.equal(huge.errors.length, 1);
  assert.doesNotThrow(() => run('StringLookup', { vocabulary: { a: 1 } as unknown as LayerConfig['x'] }, [null, 1]));
});

test('vocabulary: text classification with TextVectorization(max_tokens=20000, output_sequence_length=200) through the Python front end', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

max_features = 20000
vectorize_layer = layers.TextVectorization(max_tokens=max_features, output_mode="int", output_sequence_length=200)
vectorize_layer.adapt(text_ds)

inputs = keras.Input(shape=(1,), dtype="string")
x = vectorize_layer(inputs)
x = layers.Embedding(max_features, 128)(x)
x = layers.Dropout(0.5)(x)
x = layers.Conv1D(128, 7, padding="valid", activation="relu", strides=3)(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(128, activation="relu")(x)
predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
model = keras.Model(inputs, predictions)
`);
  assert.deepEqual(json.diagnostics.filter((d) => d.severity === 'error'), []);
  const rows = json.models[0].layers.map((l) => [l.name, l.outputShape, l.params]);
  // Embedding 20000·128 = 2,560,000; Conv1D ⌊(200 − 7)/3⌋ + 1 = 65, 7·128·128 + 128 = 114,816;
  // Dense 128·128 + 128 = 16,512; predictions 128 + 1 = 129.
  assert.deepEqual(rows, [
    ['input_layer', [null, 1], 0],
    ['text_vectorization', [null, 200], 0],
    ['embedding', [null, 200, 128], 2560000],
    ['dropout', [null, 200, 128], 0],
    ['conv1d', [null, 65, 128], 114816],
    ['global_max_pooling1d', [null, 128], 0],
    ['dense', [null, 128], 16512],
    ['predictions', [null, 1], 129],
  ]);
  assert.equal(json.models[0].totalParams, 2691457);
});

test('vocabulary: a literal StringLookup vocabulary feeds CategoryEncoding and Embedding(vocabulary_size())', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

vocab = ["a", "b", "c", "d"]
lookup = layers.StringLookup(vocabulary=vocab, mask_token="[MASK]")
inputs = keras.Input(shape=(3,), dtype="string")
ids = lookup(inputs)
onehot = layers.CategoryEncoding(num_tokens=lookup.vocabulary_size(), output_mode="multi_hot")(ids)
emb = layers.Embedding(lookup.vocabulary_size(), 8)(ids)
flat = layers.Flatten()(emb)
out = layers.Dense(1)(layers.Concatenate()([onehot, flat]))
model = keras.Model(inputs, out)
`);
  assert.deepEqual(json.diagnostics.filter((d) => d.severity === 'error'), []);
  const by = new Map(json.models[0].layers.map((l) => [l.name, l]));
  // vocabulary_size() in int mode with a mask: 1 mask + 1 OOV + 4 = 6.
  assert.deepEqual(by.get('string_lookup')?.outputShape, [null, 3]);
  assert.deepEqual(by.get('category_encoding')?.outputShape, [null, 6]);
  // Embedding 6·8 = 48; Concatenate 6 + 3·8 = 30; Dense 30 + 1 = 31.
  assert.equal(by.get('embedding')?.params, 48);
  assert.equal(by.get('dense')?.params, 31);
  assert.equal(json.models[0].totalParams, 79);
});

test('vocabulary: an adapted StringLookup is ? only where Keras\' figure depends on the data', async () => {
  const { json } = await analyze(`
import keras
from keras import layers

ids = layers.StringLookup()
ids.adapt(train_ds.map(lambda x, y: x))
hot = layers.StringLookup(output_mode="one_hot")
hot.adapt(words)
inputs = keras.Input(shape=(1,), dtype="string")
a = ids(inputs)
b = hot(inputs)
out = layers.Dense(4)(b)
model = keras.Model(inputs, [a, out])
`);
  assert.deepEqual(json.diagnostics.filter((d) => d.severity === 'error'), []);
  const by = new Map(json.models[0].layers.map((l) => [l.name, l]));
  assert.deepEqual(by.get('string_lookup')?.outputShape, [null, 1]);
  assert.equal(by.get('string_lookup')?.params, 0);
  assert.deepEqual(by.get('string_lookup_1')?.outputShape, [null, '?']);
  assert.equal(by.get('string_lookup_1')?.params, 0);
  // Dense(4) on the learnt vocabulary: ? params; the total with it.
  assert.equal(by.get('dense')?.params, '?');
  assert.equal(json.models[0].totalParams, '?');
});
