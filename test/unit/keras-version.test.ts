// Keras 2 and Keras 3 modes: where the version comes from (a file's comment > --keras / the setting >
// the file's tf_keras import > the project's pins > 3), what tf.keras 2 prints differently (input_1,
// `model`, TFOpLambda rows, Embedding(input_length) built at once, int() units) and both summary
// tables character by character. The expected tables are what rich 15 draws for Keras 3's
// summary_utils table and what tf.keras 2.15's layer_utils.print_summary prints, each run on these
// rows outside this repository; the figures are worked by hand beside each model. The CLI's
// `--keras` and the pins it finds are tested end to end in cli.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kerasPinOfFile, kerasVersionOfFile, parseKerasVersion, type KerasVersionOption } from '../../src/core/keras-version';
import { projectKerasPin } from '../../src/node-host';
import { formatSummary } from '../../src/core/summary';
import { analysisToJson } from '../../src/core/analysis';
import { analyzePython, initPythonParser } from '../../src/frontends/python/analyze';

async function analyse(source: string, keras?: KerasVersionOption) {
  await initPythonParser();
  const analysis = analyzePython(source, 'main.py', { keras, moduleCache: null });
  return { analysis, json: analysisToJson(analysis) };
}
const as2: KerasVersionOption = { explicit: { version: 2, from: '--keras 2' } };
const as3: KerasVersionOption = { explicit: { version: 3, from: '--keras 3' } };

test('precedence: the file comment, then --keras / the setting, then tf_keras in the file, then the pins, then 3', () => {
  const pinned2 = { version: 2 as const, from: 'requirements.txt: tensorflow==2.12.0' };
  const pinned3 = { version: 3 as const, from: 'requirements.txt: keras>=3' };
  assert.deepEqual(kerasVersionOfFile('import keras\n'), { version: 3, from: 'default' });
  assert.deepEqual(kerasVersionOfFile('import keras\n', { pinned: pinned2 }), pinned2);
  // The setting / flag beats the pins; the file's comment beats both.
  assert.deepEqual(kerasVersionOfFile('import keras\n', { explicit: as3.explicit, pinned: pinned2 }), as3.explicit);
  assert.deepEqual(kerasVersionOfFile('import keras\n# shape-lens: keras=2\n', { explicit: as3.explicit, pinned: pinned3 }), { version: 2, from: '# shape-lens: keras=2 (line 2)' });
  assert.deepEqual(kerasVersionOfFile('#shape-lens:keras = 3\n', as2).version, 3);
  // tf_keras or TF_USE_LEGACY_KERAS in the file: Keras 2 over the pins, not over an explicit choice.
  assert.deepEqual(kerasVersionOfFile('import os\nimport tf_keras as keras\n', { pinned: pinned3 }), { version: 2, from: 'import tf_keras (line 2)' });
  assert.equal(kerasVersionOfFile('from tf_keras import layers\n', as3).version, 3);
  assert.equal(kerasVersionOfFile('import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow as tf\n').version, 2);
  assert.equal(kerasVersionOfFile("os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')\n").version, 2);
  assert.equal(kerasVersionOfFile('os.environ["TF_USE_LEGACY_KERAS"] = "0"\n').version, 3);
  // Not a directive: a comment elsewhere in a line, another key, another number.
  assert.equal(kerasVersionOfFile('x = 1  # shape-lens: keras=2\n').version, 3);
  assert.equal(kerasVersionOfFile('# shape-lens: keras=4\n').version, 3);
  assert.deepEqual([parseKerasVersion('2'), parseKerasVersion(3), parseKerasVersion('auto'), parseKerasVersion(undefined), parseKerasVersion('22')], [2, 3, undefined, undefined, undefined]);
});

test('pins: which requirement makes a project Keras 2 or 3, in each file format', () => {
  const pin = (file: string, text: string) => kerasPinOfFile(file, text);
  const cases: [string, string, 2 | 3 | undefined, string?][] = [
    ['requirements.txt', 'numpy\ntensorflow==2.12.0\n', 2, 'requirements.txt: tensorflow==2.12.0'],
    ['requirements.txt', 'tensorflow==2.15.1', 2],
    ['requirements.txt', 'tensorflow==2.16.1', 3],
    ['requirements.txt', 'tensorflow<2.16', 2],
    ['requirements.txt', 'tensorflow>=2.10,<2.16', 2],
    ['requirements.txt', 'tensorflow<=2.15', 2],
    ['requirements.txt', 'tensorflow~=2.13.0', 2],
    ['requirements.txt', 'tensorflow~=2.13', undefined],
    ['requirements.txt', 'tensorflow>=2.16', 3],
    ['requirements.txt', 'tensorflow>=2.4', undefined],
    ['requirements.txt', 'tensorflow[and-cuda]==2.14.0', 2],
    ['requirements.txt', 'tensorflow-gpu==2.10.0', 2],
    ['requirements.txt', 'tensorflow-gpu', 2],
    ['requirements.txt', 'tensorflow', undefined],
    ['requirements.txt', 'tensorflow==1.15.5', 2],
    ['requirements.txt', 'keras<3', 2],
    ['requirements.txt', 'keras==2.*', 2],
    ['requirements.txt', 'keras==2.15.0', 2],
    ['requirements.txt', 'keras>=3', 3],
    ['requirements.txt', 'keras==3.3.3', 3],
    ['requirements.txt', 'tf-keras~=2.16', 2],
    ['requirements.txt', 'tf_keras', 2],
    ['requirements.txt', 'keras-tuner==1.4.0\nkeras-cv<0.5', undefined],
    ['requirements.txt', '# tensorflow==2.12\ntensorflow>=2.17', 3],
    ['pyproject.toml', '[project]\nname = "keras-demo"\ndependencies = ["numpy", "tensorflow>=2.10,<2.16"]\n', 2],
    ['pyproject.toml', '[tool.poetry.dependencies]\npython = "^3.10"\ntensorflow = "2.13.0"\n', 2, 'pyproject.toml: tensorflow = "2.13.0"'],
    ['pyproject.toml', '[tool.poetry.dependencies]\ntensorflow = "^2.12"\n', undefined],
    ['pyproject.toml', '[tool.poetry.dependencies]\ntensorflow = "~2.12"\n', 2],
    ['pyproject.toml', '[tool.poetry.dependencies]\nkeras = {version = "^3.0", optional = true}\n', 3],
    ['Pipfile', '[packages]\ntensorflow = "==2.11.0"\nnumpy = "*"\n', 2],
    ['Pipfile', '[packages]\ntensorflow = "*"\n', undefined],
    ['setup.py', 'from setuptools import setup\nsetup(name="x", install_requires=["tensorflow>=2.8,<2.16", "pillow"])\n', 2],
    ['setup.cfg', '[options]\ninstall_requires =\n    keras>=3.0\n    numpy\n', 3],
    ['environment.yml', 'name: tf\ndependencies:\n  - python=3.10\n  - tensorflow=2.12\n', 2, 'environment.yml: tensorflow=2.12'],
    ['environment.yml', 'dependencies:\n  - pip:\n    - tensorflow==2.17.0\n', 3],
  ];
  for (const [file, text, version, from] of cases) {
    const got = pin(file, text);
    assert.equal(got?.version, version, `${file}: ${text}`);
    if (from) assert.equal(got?.from, from);
  }
  // Huge or odd input never throws.
  assert.equal(pin('requirements.txt', 'tensorflow'.repeat(100000)), undefined);
  assert.equal(pin('requirements.txt', 'tensorflow==\nkeras<<3\n==2.1'), undefined);
});

test('project pins are found from the file upward: the nearest folder decides, the walk stops at .git or a workspace root', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-pins-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const mk = (rel: string, text = '') => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  assert.equal(projectKerasPin(mk('proj0/src/net.py', 'import keras\n'), [path.join(root, 'proj0')]), undefined);
  const file = mk('proj/src/models/net.py', 'import keras\n');
  mk('proj/requirements.txt', 'numpy\ntensorflow==2.12.0\n');
  assert.deepEqual(projectKerasPin(file), { version: 2, from: path.join('..', '..', 'requirements.txt: tensorflow==2.12.0') });
  // A pin nearer the file wins (a fresh folder: pins are cached for a few seconds per folder).
  const other = mk('proj2/src/net.py', 'import keras\n');
  mk('proj2/requirements.txt', 'tensorflow==2.12.0\n');
  mk('proj2/src/pyproject.toml', '[project]\ndependencies = ["keras>=3"]\n');
  assert.deepEqual(projectKerasPin(other), { version: 3, from: 'pyproject.toml: keras>=3' });
  // requirements.txt is read before the other files of a folder; a folder pinning nothing is passed.
  const third = mk('proj3/a/b/net.py');
  mk('proj3/a/b/requirements-dev.txt', 'pytest\n');
  mk('proj3/a/setup.py', 'install_requires=["tensorflow>=2.16"]');
  mk('proj3/a/requirements.txt', 'tf-keras\n');
  assert.deepEqual(projectKerasPin(third), { version: 2, from: path.join('..', 'requirements.txt: tf-keras') });
  // The walk stops at a repository root or a workspace folder.
  const inRepo = mk('proj4/repo/net.py');
  mk('proj4/requirements.txt', 'tensorflow==2.12.0\n');
  fs.mkdirSync(path.join(root, 'proj4/repo/.git'));
  assert.equal(projectKerasPin(inRepo), undefined);
  const inWorkspace = mk('proj5/ws/net.py');
  mk('proj5/requirements.txt', 'tensorflow==2.12.0\n');
  assert.equal(projectKerasPin(inWorkspace, [path.join(root, 'proj5/ws')]), undefined);
  assert.equal(projectKerasPin(inWorkspace, [path.join(root, 'proj5')])?.version, 2);
});

const SIDE_BY_SIDE = `
import keras
from keras import layers

# Embedding(input_length=10): tf.keras 2 declares input_shape=(10,) and builds the Sequential at once.
emb = keras.Sequential([layers.Embedding(1000, 64, input_length=10), layers.LSTM(32), layers.Dense(1)], name="emb")

inp = keras.Input(shape=(8,))
x = layers.Dense(4)(inp)
y = x * 0.5
z = x + y
fn = keras.Model(inp, z, name="fn")
unnamed = [keras.Model(inp, layers.Dense(2)(z))]
`;

test('side by side: Embedding(input_length), operations as TFOpLambda rows (2) and as ops rows (3), names', async () => {
  const k2 = (await analyse(SIDE_BY_SIDE, as2)).json;
  const k3 = (await analyse(SIDE_BY_SIDE, as3)).json;
  assert.deepEqual(k2.keras, { version: 2, from: '--keras 2' });
  assert.deepEqual(k3.keras, { version: 3, from: '--keras 3' });
  const emb2 = k2.models.find((m) => m.name === 'emb')!;
  const emb3 = k3.models.find((m) => m.name === 'emb')!;
  // Embedding 1000·64 = 64,000; LSTM 4·(64·32 + 32·32 + 32) = 12,416; Dense 32 + 1 = 33.
  assert.deepEqual(emb2.layers.map((l) => [l.name, l.outputShape, l.params]), [
    ['embedding', [null, 10, 64], 64000],
    ['lstm', [null, 32], 12416],
    ['dense', [null, 1], 33],
  ]);
  assert.equal(emb2.totalParams, 76449);
  // Keras 3 ignores input_length (and warns it is deprecated): nothing is built.
  assert.deepEqual(emb3.layers.map((l) => [l.name, l.outputShape, l.params]), [
    ['embedding', '?', 0],
    ['lstm', '?', 0],
    ['dense', '?', 0],
  ]);
  assert.ok(!k2.diagnostics.concat(emb2.diagnostics).some((d) => /input_length/.test(d.message)));

  const fn2 = k2.models.find((m) => m.name === 'fn')!;
  const fn3 = k3.models.find((m) => m.name === 'fn')!;
  assert.deepEqual(fn2.layers.map((l) => [l.name, l.className, l.params]), [
    ['input_1', 'InputLayer', 0],
    ['dense_1', 'Dense', 36],
    ['tf.math.multiply', 'TFOpLambda', 0],
    ['tf.__operators__.add', 'TFOpLambda', 0],
  ]);
  assert.deepEqual(fn3.layers.map((l) => [l.name, l.className, l.params]), [
    ['input_layer', 'InputLayer', 0],
    ['dense_1', 'Dense', 36],
    ['multiply', 'Multiply', 0],
    ['add', 'Add', 0],
  ]);
  assert.ok(!fn3.layers.some((l) => /OpLambda/.test(l.className)));
  // Dense(4) on 8: 8·4 + 4 = 36 in both.
  assert.equal(fn2.totalParams, 36);
  assert.equal(fn3.totalParams, 36);
  // A model no variable names: Keras 2 `model`, Keras 3 `functional`.
  assert.ok(k2.models.some((m) => m.name === 'model'), k2.models.map((m) => m.name).join());
  assert.ok(k3.models.some((m) => m.name === 'functional'), k3.models.map((m) => m.name).join());
});

test('tf.keras 2 int()s float units and filters; Keras 3 rejects them', async () => {
  const src = 'import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((8,)), layers.Dense(31.25), layers.Reshape((31, 1)), layers.Conv1D(2.5, 3)])\n';
  const k2 = (await analyse(src, as2)).json.models[0];
  // Dense(31) on 8: 8·31 + 31 = 279; Conv1D(2, 3) on 1 channel: 3·1·2 + 2 = 8, length 31 - 2 = 29.
  assert.deepEqual(k2.layers.map((l) => [l.outputShape, l.params]), [
    [[null, 31], 279],
    [[null, 31, 1], 0],
    [[null, 29, 2], 8],
  ]);
  const k3 = await analyse(src, as3);
  assert.ok(k3.analysis.diagnostics.some((d) => d.severity === 'error'), 'Keras 3 raises on Dense(31.25)');
});

test('the Keras 3 table, character by character (rich draws Keras 3 summary_utils table so)', async () => {
  const src = `
import keras
from keras import layers
inp = keras.Input(shape=(8,))
x = layers.Dense(4)(inp)
fn = keras.Model(inp, x + x * 0.5, name="fn")
tiny = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, name="hidden"), layers.Reshape((4, 1)), layers.MaxPooling1D(2)], name="tiny")
`;
  const { analysis } = await analyse(src, as3);
  const text = (name: string) => formatSummary(analysis.models.find((m) => m.model.name === name)!);
  // Dense(4) on 8: 36 weights, 144 bytes of float32. Sequential: line length 88, columns 38 / 29 / 17.
  assert.equal(text('tiny'), [
    'Model: "tiny"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩',
    '│ hidden (Dense)                       │ (None, 4)                   │              36 │',
    '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
    '│ reshape (Reshape)                    │ (None, 4, 1)                │               0 │',
    '├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤',
    '│ max_pooling1d (MaxPooling1D)         │ (None, 2, 1)                │               0 │',
    '└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘',
    ' Total params: 36 (144.00 B)',
    ' Trainable params: 36 (144.00 B)',
    ' Non-trainable params: 0 (0.00 B)',
  ].join('\n'));
  // Not a chain (dense feeds two operations): line length 108 with Connected to, columns 31 / 27 / 17 / 28.
  assert.equal(text('fn'), [
    'Model: "fn"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩',
    '│ input_layer (InputLayer)      │ (None, 8)                 │               0 │ -                          │',
    '├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤',
    '│ dense (Dense)                 │ (None, 4)                 │              36 │ input_layer[0][0]          │',
    '├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤',
    '│ multiply (Multiply)           │ (None, 4)                 │               0 │ dense[0][0]                │',
    '├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤',
    '│ add (Add)                     │ (None, 4)                 │               0 │ dense[0][0],               │',
    '│                               │                           │                 │ multiply[0][0]             │',
    '└───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘',
    ' Total params: 36 (144.00 B)',
    ' Trainable params: 36 (144.00 B)',
    ' Non-trainable params: 0 (0.00 B)',
  ].join('\n'));
});

test('the tf.keras 2 table, character by character (tf.keras 2.15 layer_utils.print_summary prints it so)', async () => {
  const src = `
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
inp = keras.Input(shape=(8,))
x = layers.Dense(4)(inp)
fn = keras.Model(inp, x + x * 0.5, name="fn")
tiny = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, name="hidden"), layers.Reshape((4, 1)), layers.MaxPooling1D(2)], name="tiny")
`;
  const { analysis } = await analyse(`# shape-lens: keras=2\n${src}`);
  const text = (name: string) => formatSummary(analysis.models.find((m) => m.model.name === name)!);
  // Line length 65, columns at 29 / 55; a name longer than 26 characters continues on the next line;
  // counts without separators, sizes in "Byte" below 1 KB (2.13+).
  assert.equal(text('tiny'), [
    'Model: "tiny"',
    '_________________________________________________________________',
    ' Layer (type)                Output Shape              Param #   ',
    '=================================================================',
    ' hidden (Dense)              (None, 4)                 36        ',
    '                                                                 ',
    ' reshape (Reshape)           (None, 4, 1)              0         ',
    '                                                                 ',
    ' max_pooling1d (MaxPooling1  (None, 2, 1)              0         ',
    ' D)                                                              ',
    '                                                                 ',
    '=================================================================',
    'Total params: 36 (144.00 Byte)',
    'Trainable params: 36 (144.00 Byte)',
    'Non-trainable params: 0 (0.00 Byte)',
    '_________________________________________________________________',
  ].join('\n'));
  // Functional, not a chain: line length 98, columns at 29 / 58 / 68; the InputLayer's shape is a
  // list; Connected to is the Python list, broken after `',`.
  assert.equal(text('fn'), [
    'Model: "fn"',
    '__________________________________________________________________________________________________',
    ' Layer (type)                Output Shape                 Param #   Connected to                  ',
    '==================================================================================================',
    ' input_1 (InputLayer)        [(None, 8)]                  0         []                            ',
    '                                                                                                  ',
    ' dense (Dense)               (None, 4)                    36        [\'input_1[0][0]\']             ',
    '                                                                                                  ',
    ' tf.math.multiply (TFOpLamb  (None, 4)                    0         [\'dense[0][0]\']               ',
    ' da)                                                                                              ',
    '                                                                                                  ',
    ' tf.__operators__.add (TFOp  (None, 4)                    0         [\'dense[0][0]\',               ',
    ' Lambda)                                                             \'tf.math.multiply[0][0]\']    ',
    '                                                                                                  ',
    '==================================================================================================',
    'Total params: 36 (144.00 Byte)',
    'Trainable params: 36 (144.00 Byte)',
    'Non-trainable params: 0 (0.00 Byte)',
    '__________________________________________________________________________________________________',
  ].join('\n'));
});

test('rows as real printed summaries show them (Keras 3 notebook, tf.keras 2 book and tutorial outputs)', async () => {
  // A Keras 3 notebook's InputLayer row of a (150, 150, 3) input: columns 38 / 29 / 17 at 88.
  const k3 = await analyse('import keras\nfrom keras import layers\ni = keras.Input((150, 150, 3))\nm = keras.Model(i, layers.Rescaling(1 / 255)(i))\n', as3);
  assert.ok(formatSummary(k3.analysis.models[0]).includes('\n│ input_layer (InputLayer)             │ (None, 150, 150, 3)         │               0 │\n'));
  // tf.keras 2: a Flatten of 28×28 (a book's printed summary); a subclassed model's rows are `multiple`.
  const k2 = await analyse(
    `import tensorflow as tf
m = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=[28, 28]), tf.keras.layers.Dense(10)])
class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.d = tf.keras.layers.Dense(10)
    def call(self, x):
        return self.d(x)
net = Net()
net.build((None, 784))
`,
    as2,
  );
  const [seq, sub] = k2.analysis.models;
  assert.ok(formatSummary(seq).includes('\n flatten (Flatten)           (None, 784)               0         \n'), formatSummary(seq));
  // 784·10 + 10 = 7,850.
  // The layer is named after its class (`dense_1`: the Sequential's Dense took `dense`), not its attribute.
  assert.ok(formatSummary(sub).includes('\n dense_1 (Dense)             multiple                  7850      \n'), formatSummary(sub));
});

test('clear_session() resets the automatic names in both versions', async () => {
  const src = `
import tensorflow as tf
from tensorflow import keras
a = keras.layers.InputLayer(input_shape=[4])
b = keras.layers.Dense(2)
keras.backend.clear_session()
i = keras.Input(shape=(4,))
m = keras.Model(i, keras.layers.Dense(2)(i), name="m")
`;
  const names = async (keras: KerasVersionOption) => (await analyse(src, keras)).json.models.find((x) => x.name === 'm')!.layers.map((l) => l.name);
  assert.deepEqual(await names(as2), ['input_1', 'dense']);
  assert.deepEqual(await names(as3), ['input_layer', 'dense']);
});

test('pin files that are huge or adversarial are read in linear time', () => {
  const t0 = Date.now();
  assert.equal(kerasPinOfFile('pyproject.toml', '\n'.repeat(900_000)), undefined);
  assert.equal(kerasPinOfFile('requirements.txt', 'tensorflow['.repeat(60_000)), undefined);
  assert.equal(kerasPinOfFile('Pipfile', `${' '.repeat(200_000)}\ntensorflow = "==2.11"`)?.version, 2);
  // A 200,000-character version is still a 2.x pin; what is quoted of it stays short.
  const long = kerasPinOfFile('requirements.txt', `tensorflow==${'2.'.repeat(100_000)}`);
  assert.equal(long?.version, 2);
  assert.ok((long?.from.length ?? 0) < 100);
  assert.equal(kerasPinOfFile('setup.py', `x = [${'"tensorflow-gpu", '.repeat(50_000)}]`)?.version, 2);
  assert.equal(kerasPinOfFile('setup.py', `x = ${'tensorflow-gpu '.repeat(50_000)}`), undefined);
  assert.ok(Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
});

test("MobileNetV2's preprocessing written out (x / 127.5 - 1): the rows real summaries show in each version", async () => {
  const src = `
import tensorflow as tf
from tensorflow import keras
inputs = keras.Input(shape=(160, 160, 3))
x = inputs / 127.5
x = x - 1
x = keras.layers.GlobalAveragePooling2D()(x)
model = keras.Model(inputs, keras.layers.Dense(1)(x))
`;
  const rows = async (keras: KerasVersionOption) => (await analyse(src, keras)).json.models[0].layers.map((l) => `${l.name} (${l.className}) ${JSON.stringify(l.outputShape)} ${l.params}`);
  // tf.keras 2 (transfer-learning tutorials printed `tf.math.truediv (TFOpLambda)` then
  // `tf.math.subtract (TFOpLambda)`); Keras 3 notebooks `true_divide (TrueDivide)`, `subtract (Subtract)`.
  // Dense(1) on 3 channels: 3 + 1 = 4.
  assert.deepEqual(await rows(as2), [
    'input_1 (InputLayer) [null,160,160,3] 0',
    'tf.math.truediv (TFOpLambda) [null,160,160,3] 0',
    'tf.math.subtract (TFOpLambda) [null,160,160,3] 0',
    'global_average_pooling2d (GlobalAveragePooling2D) [null,3] 0',
    'dense (Dense) [null,1] 4',
  ]);
  assert.deepEqual(await rows(as3), [
    'input_layer (InputLayer) [null,160,160,3] 0',
    'true_divide (TrueDivide) [null,160,160,3] 0',
    'subtract (Subtract) [null,160,160,3] 0',
    'global_average_pooling2d (GlobalAveragePooling2D) [null,3] 0',
    'dense (Dense) [null,1] 4',
  ]);
});

test('Keras 3 fits its table to the terminal (line length min(88, columns - 4)), tf.keras 2 does not', async () => {
  const src = 'import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input((8,)), layers.Dense(4)], name="m")\n';
  const k3 = (await analyse(src, as3)).analysis.models[0];
  // 80 columns: line length 76, columns 34 / 26 / 16 → 33 / 24 / 15 once rich takes padding and borders out.
  const lines = formatSummary(k3, undefined, 80).split('\n');
  assert.equal(lines[1], `┏${'━'.repeat(33)}┳${'━'.repeat(24)}┳${'━'.repeat(15)}┓`);
  assert.equal(lines[4], `│ dense (Dense)${' '.repeat(19)}│ (None, 4)${' '.repeat(14)}│${' '.repeat(12)}36 │`);
  assert.equal(formatSummary(k3, undefined, 200).split('\n')[1].length, 88);
  const k2 = (await analyse(src, as2)).analysis.models[0];
  assert.equal(formatSummary(k2, undefined, 50).split('\n')[1].length, 65);
});
