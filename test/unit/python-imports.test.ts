// Imports as Python resolves them: packages and their project root, relative imports, `import a.b.c`,
// a submodule not bound in `__init__.py`, modules injected through `**kwargs`
// (`get_submodules_from_kwargs` style), globals rebound under `global`, Keras' own source analysed in
// place, and the module cache (each imported module interpreted once per content).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzePython, initPythonParser } from '../../src/frontends/python/analyze';
import { ModuleCache } from '../../src/frontends/python/modules';
import { analysisToJson } from '../../src/core/analysis';
import { analyze, analyzeOnDisk, memoryHost } from './helpers/python';
import { allDiagnostics, assertRows, assertTotals, modelNamed } from './helpers/fixture-asserts';
import { fixturesDir } from './helpers/paths';

const FIXTURES = fixturesDir('python');
const INJECTED = path.join(FIXTURES, 'injected');

/** The fixture package as in-memory files keyed `injected/<name>` (root: the folder above the package). */
function injectedFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(INJECTED).filter((n) => n.endsWith('.py'))) out[`injected/${f}`] = fs.readFileSync(path.join(INJECTED, f), 'utf8');
  return out;
}

const errors = (json: ReturnType<typeof analysisToJson>) => allDiagnostics(json).filter((d) => d.severity === 'error');

test('injected package: layers/backend/models from get_submodules(kwargs), a relative and an absolute import, a circular import of the package', async () => {
  const { json } = await analyzeOnDisk(path.join(INJECTED, 'tiny_net.py'));
  assert.deepEqual(errors(json), []);
  // By hand: input 32×32×3; pad 1 → 34; 3×3 valid conv → 32, 3·3·3·16 = 432 (no bias); BN 4·16 = 64
  // (32 non-trainable); concatenate with the 3 input channels → 19; Dense 19·10 + 10 = 200.
  // classes=10 comes from `injected.settings` (absolute import), the padding from `.padding`, and the
  // name's format spec from `'%0.2f' % 1.0`.
  const m = modelNamed(json, 'tinynet_1.00_32');
  assertRows(m, [
    { className: 'InputLayer', outputShape: [null, 32, 32, 3], params: 0 },
    { name: 'block1_pad', className: 'ZeroPadding2D', outputShape: [null, 34, 34, 3], params: 0 },
    { name: 'block1_conv', className: 'Conv2D', outputShape: [null, 32, 32, 16], params: 432 },
    { name: 'block1_bn', className: 'BatchNormalization', outputShape: [null, 32, 32, 16], params: 64, nonTrainableParams: 32 },
    { name: 'block1_relu', className: 'Activation', outputShape: [null, 32, 32, 16], params: 0 },
    { name: 'merge', className: 'Concatenate', outputShape: [null, 32, 32, 19], params: 0 },
    { name: 'gap', className: 'GlobalAveragePooling2D', outputShape: [null, 19], params: 0 },
    { name: 'predictions', className: 'Dense', outputShape: [null, 10], params: 200 },
  ]);
  assertTotals(m, 696, 664, 32);
});

test('a module global some function rebinds under `global` is not a constant: what depends on it is unknown', async () => {
  const { json } = await analyzeOnDisk(path.join(INJECTED, 'tiny_net.py'));
  // settings.WIDTH = 8 at import, but settings.widen() rebinds it: the Dense's units are unknown,
  // and so is the total. The f-string name applies its format spec.
  const m = modelNamed(json, 'widenet_1.00_16');
  assert.deepEqual(m.layers.find((l) => l.name === 'flatten')?.outputShape, [null, 768]);
  assert.equal(m.layers.find((l) => l.name === 'wide')?.params, '?');
  assert.equal(m.totalParams, '?');

  const one = await analyze(
    [
      'from tensorflow import keras',
      'counter = 3',
      'UNITS = 3',
      'def bump():',
      '    global counter',
      '    counter += 1',
      'inputs = keras.Input(shape=(4,))',
      'a = keras.layers.Dense(counter, name="a")(inputs)',
      'b = keras.layers.Dense(UNITS, name="b")(inputs)',
      'model = keras.Model(inputs, [a, b], name="two")',
    ].join('\n'),
  );
  const two = modelNamed(one.json, 'two');
  assert.deepEqual(two.layers.map((l) => [l.name, l.params]), [['input_layer', 0], ['a', '?'], ['b', 15]]);
});

test('the package __init__.py itself: no model, no diagnostic; importing it runs tiny_net once', async () => {
  const { json } = await analyzeOnDisk(path.join(INJECTED, '__init__.py'));
  assert.deepEqual(json.models, []);
  assert.deepEqual(allDiagnostics(json), []);
});

test('relative imports up a level, `import a.b.c` binding a, `import a.b as x`, a submodule found on first use', async () => {
  const files = {
    'app/__init__.py': '',
    'app/config.py': 'UNITS = 7\n',
    'app/nets/__init__.py': '',
    'app/nets/head.py': [
      'from tensorflow.keras import layers',
      'from .. import config',
      'def head(x):',
      '    return layers.Dense(config.UNITS, name="head")(x)',
    ].join('\n'),
  };
  const main = [
    'from tensorflow import keras',
    'import app.nets.head',
    'import app.config as cfg',
    'inputs = keras.Input(shape=(4,))',
    'out = app.nets.head.head(inputs)',
    'out = keras.layers.Dense(cfg.UNITS * 2, name="top")(out)',
    'model = keras.Model(inputs, out, name="chain")',
  ].join('\n');
  const { json } = await analyze(main, files, 'app/run.py');
  // Dense 4·7 + 7 = 35; Dense 7·14 + 14 = 112.
  const m = modelNamed(json, 'chain');
  assert.deepEqual(m.layers.map((l) => [l.name, l.params]), [['input_layer', 0], ['head', 35], ['top', 112]]);
  assert.equal(m.totalParams, 147);
  assert.deepEqual(errors(json), []);
});

test('Keras names on a module injected through **kwargs; merge helpers only on lists of tensors', async () => {
  const { json } = await analyze(
    [
      'from tensorflow.keras.models import Model, Sequential',
      'from tensorflow.keras import layers as L',
      'def residual(**kwargs):',
      '    layers = kwargs.get("layers")',
      '    inputs = layers.Input(shape=(4,))',
      '    y = layers.Dense(4, name="d")(inputs)',
      '    out = layers.add([inputs, y], name="sum")',
      '    return Model(inputs, out, name="res")',
      'def extend(model):',
      '    model.add(L.Dense(3))',
      '    return model',
    ].join('\n'),
  );
  // Dense 4·4 + 4 = 20; Add has no weights. extend(model) with an unknown `model` builds nothing.
  assert.deepEqual(json.models.map((m) => m.name), ['res']);
  const m = modelNamed(json, 'res');
  assert.deepEqual(m.layers.map((l) => [l.name, l.className, l.params]), [['input_layer', 'InputLayer', 0], ['d', 'Dense', 20], ['sum', 'Add', 0]]);
  assert.deepEqual(allDiagnostics(json).filter((d) => d.severity !== 'info'), []);
});

test("Keras' own source analysed in place reads its helper modules from disk; user code importing keras gets the API", async () => {
  const tree = {
    'keras/__init__.py': '',
    'keras/src/__init__.py': '',
    'keras/src/applications/__init__.py': '',
    'keras/src/applications/imagenet_utils.py': [
      'def obtain_input_shape(input_shape, default_size, data_format):',
      '    if input_shape is None:',
      '        if data_format == "channels_last":',
      '            return (default_size, default_size, 3)',
      '        return (3, default_size, default_size)',
      '    return input_shape',
    ].join('\n'),
  };
  const app = [
    'from keras.src import backend',
    'from keras.src import layers',
    'from keras.src.applications import imagenet_utils',
    'from keras.src.models import Functional',
    'def Tiny(input_shape=None, classes=10, name="tiny"):',
    '    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size=32, data_format=backend.image_data_format())',
    '    img_input = layers.Input(shape=input_shape)',
    '    x = layers.Conv2D(8, 3, name="conv")(img_input)',
    '    x = layers.GlobalAveragePooling2D(name="gap")(x)',
    '    x = layers.Dense(classes, name="predictions")(x)',
    '    return Functional(img_input, x, name=name)',
  ].join('\n');
  const inPlace = await analyze(app, tree, 'keras/src/applications/tiny.py');
  // 32×32×3 from imagenet_utils; conv 3·3·3·8 + 8 = 224 → 30×30×8; Dense 8·10 + 10 = 90.
  const m = modelNamed(inPlace.json, 'tiny');
  assert.deepEqual(m.layers.map((l) => [l.name, l.outputShape, l.params]), [
    ['input_layer', [null, 32, 32, 3], 0], ['conv', [null, 30, 30, 8], 224], ['gap', [null, 8], 0], ['predictions', [null, 10], 90],
  ]);
  assert.equal(m.totalParams, 314);

  // The same code in a user's project (beside a folder named keras): `keras` is the API, whose
  // imagenet_utils Shape Lens does not model, so the input shape is unknown, never the folder's:
  // the conv's weights (which depend on the input channels) are unknown, and so is the total.
  const user = await analyze(app, tree, 'my_model.py');
  const u = modelNamed(user.json, 'tiny');
  assert.notDeepEqual(u.layers[0].outputShape, [null, 32, 32, 3]);
  assert.equal(u.layers.find((l) => l.name === 'conv')?.params, '?');
  assert.equal(u.totalParams, '?');
});

test('module cache: a second analysis of a file importing a package interprets no module again; a changed file is read afresh', async () => {
  await initPythonParser();
  const files = injectedFiles();
  const cache = new ModuleCache();
  const main = 'injected/tiny_net.py';
  const run = (fs2: Record<string, string>) => analysisToJson(analyzePython(fs2[main], main, { host: memoryHost(fs2), moduleCache: cache }));
  const first = run(files);
  // __init__.py, its tiny_net (a module besides the analysed file), settings.py and padding.py.
  assert.deepEqual(cache.stats, { interpreted: 4, reused: 0 });
  const second = run(files);
  assert.deepEqual(cache.stats, { interpreted: 4, reused: 4 });
  assert.deepEqual(second.models.map((m) => [m.name, m.totalParams]), first.models.map((m) => [m.name, m.totalParams]));
  assert.equal(modelNamed(second, 'tinynet_1.00_32').totalParams, 696);

  // Padding of 2 instead of 1: 36 → 34 after the 3×3 conv; the cache must not answer with the old module.
  const changed = { ...files, 'injected/padding.py': files['injected/padding.py'].replace('half = kernel_size // 2', 'half = kernel_size // 2 + 1') };
  const third = run(changed);
  assert.equal(cache.stats.interpreted, 8);
  assert.deepEqual(modelNamed(third, 'tinynet_1.00_32').layers.find((l) => l.name === 'block1_conv')?.outputShape, [null, 34, 34, 16]);
  // And back: an image for the same modules with older texts was replaced (the cache keeps the
  // latest edit of a module group), so the first texts are interpreted again, with the first result.
  assert.equal(modelNamed(run(files), 'tinynet_1.00_32').totalParams, 696);
  assert.deepEqual(cache.stats, { interpreted: 12, reused: 4 });
});

test('module cache: state a builder changes in a cached module (a global, a list) does not leak into the next analysis', async () => {
  await initPythonParser();
  const cache = new ModuleCache();
  const files = {
    'lib/__init__.py': '',
    'lib/reg.py': ['SIZES = [4]', 'def add_size(n):', '    SIZES.append(n)', '    return SIZES'].join('\n'),
  };
  const main = [
    'from tensorflow import keras',
    'from lib import reg',
    'reg.add_size(6)',
    'inputs = keras.Input(shape=(2,))',
    'x = keras.layers.Dense(len(reg.SIZES) * 10, name="d")(inputs)',
    'model = keras.Model(inputs, x, name="m")',
  ].join('\n');
  for (let i = 0; i < 3; i++) {
    const json = analysisToJson(analyzePython(main, 'main.py', { host: memoryHost({ ...files, 'main.py': main }), moduleCache: cache }));
    // SIZES has 2 items after add_size(6) in every analysis: Dense(20) on 2 inputs = 60.
    assert.equal(modelNamed(json, 'm').totalParams, 60, `analysis ${i + 1}`);
  }
  assert.deepEqual(cache.stats, { interpreted: 2, reused: 4 });
});

test('copy.deepcopy of a block table (EfficientNet style) is a copy, not unknown: its loop builds every block', async () => {
  const { json } = await analyze(
    [
      'import copy',
      'from tensorflow import keras',
      'BLOCKS = [{"filters": 8, "repeats": 2}, {"filters": 16, "repeats": 1}]',
      'def Net(blocks_args=BLOCKS):',
      '    blocks_args = copy.deepcopy(blocks_args)',
      '    inputs = keras.Input(shape=(8, 8, 4))',
      '    x = inputs',
      '    for args in blocks_args:',
      '        for _ in range(args.pop("repeats")):',
      '            x = keras.layers.Conv2D(args["filters"], 1)(x)',
      '    return keras.Model(inputs, x, name="net")',
      'net = Net()',
      'again = Net()',
    ].join('\n'),
  );
  // Three 1×1 convs: 4·8 + 8 = 40, 8·8 + 8 = 72, 8·16 + 16 = 144 — in both models: the pops
  // emptied the copy, never BLOCKS.
  for (const m of json.models) assert.deepEqual(m.layers.map((l) => l.params), [0, 40, 72, 144], m.name);
  assert.equal(json.models.length, 2);
});

test('bad imports never throw or hang: self-import, cycles, a 400-module chain, beyond the top package, broken modules, namespace packages', async () => {
  const chain: Record<string, string> = {};
  for (let i = 0; i < 400; i++) chain[`m${i}.py`] = `import m${i + 1}\nfrom m${i + 1} import *\nX${i} = ${i}\n`;
  chain['m400.py'] = 'import m0\nUNITS = 5\n';
  const cases: { main: string; files: Record<string, string>; file?: string }[] = [
    { main: 'import main\nfrom main import *\nimport main as again\n', files: {} },
    { main: 'import a\n', files: { 'a.py': 'from b import *\n', 'b.py': 'from c import *\n', 'c.py': 'import a\nfrom a import nothing\n' } },
    { main: 'import m0\nfrom tensorflow import keras\ni = keras.Input(shape=(2,))\nm = keras.Model(i, keras.layers.Dense(m0.m1.m2.X2)(i))\n', files: chain },
    { main: 'from .... import far\nfrom ..x import y\nfrom . import z\n', files: {}, file: 'p/q.py' },
    { main: 'import broken\nfrom broken import *\n', files: { 'broken.py': 'def f(:\n  class\n\x00\x01 import import\n' } },
    { main: 'import ns.sub\nimport ns.sub.deep as d\nprint(ns.sub.V, d.W)\n', files: { 'ns/sub/__init__.py': 'V = 1\n', 'ns/sub/deep.py': 'W = 2\n' } },
    { main: 'from . import *\nimport __init__\n', files: { '__init__.py': 'from . import *\n' }, file: 'main.py' },
  ];
  for (const c of cases) {
    const t0 = Date.now();
    const { analysis } = await analyze(c.main, c.files, c.file);
    assert.ok(Date.now() - t0 < 5000, `${c.main.split('\n')[0]}: ${Date.now() - t0} ms`);
    assert.ok(analysis.diagnostics.every((d) => d.severity !== 'error'), c.main.split('\n')[0]);
  }
});

test('module cache: modules sharing a dependency the main file imported first are reused together; after other code ran they are not', async () => {
  await initPythonParser();
  const files = {
    'config.py': 'FILTERS = [4, 8]\nUNITS = 3\n',
    'blocks.py': 'from tensorflow.keras import layers\nimport config\ndef stack(x):\n    for f in config.FILTERS:\n        x = layers.Dense(f)(x)\n    return x\n',
  };
  const main = [
    'import config',
    'from config import FILTERS',
    'import blocks',
    'from tensorflow import keras',
    'inputs = keras.Input(shape=(2,))',
    'model = keras.Model(inputs, keras.layers.Dense(config.UNITS)(blocks.stack(inputs)), name="m")',
  ].join('\n');
  const cache = new ModuleCache();
  const run = (text: string) => analysisToJson(analyzePython(text, 'main.py', { host: memoryHost({ ...files, 'main.py': text }), moduleCache: cache }));
  // Dense 2·4 + 4 = 12, 4·8 + 8 = 40, 8·3 + 3 = 27.
  assert.equal(modelNamed(run(main), 'm').totalParams, 79);
  assert.deepEqual(cache.stats, { interpreted: 2, reused: 0 });
  assert.equal(modelNamed(run(main), 'm').totalParams, 79);
  assert.deepEqual(cache.stats, { interpreted: 2, reused: 2 }, 'config from its image, blocks from the image that took config in');
  // The main file changes config before importing blocks: blocks must see the change, so neither
  // image is used for it (blocks runs again, on this analysis's config).
  const mutating = main.replace('import blocks', 'config.FILTERS.append(16)\nimport blocks');
  // Dense 2·4 + 4 = 12, 4·8 + 8 = 40, 8·16 + 16 = 144, 16·3 + 3 = 51.
  assert.equal(modelNamed(run(mutating), 'm').totalParams, 247);
  assert.equal(cache.stats.interpreted, 3);
  assert.equal(modelNamed(run(main), 'm').totalParams, 79);
});
