// The JS/TS (tfjs) front end on small snippets, one language or tfjs API feature each. Expected
// figures are worked out by hand (formula beside each) — never copied from the analyser's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeJs } from './helpers/tfjs';
import type { JsonModel } from '../../src/core/analysis';

async function models(src: string, others: Record<string, string> = {}, file = 'main.ts'): Promise<JsonModel[]> {
  return (await analyzeJs(src, others, file)).json.models;
}
async function only(src: string, others: Record<string, string> = {}, file = 'main.ts'): Promise<JsonModel> {
  const ms = await models(src, others, file);
  assert.equal(ms.length, 1, `expected one model, got ${ms.map((m) => m.name).join(', ')}`);
  return ms[0];
}
const params = (m: JsonModel) => m.layers.map((l) => l.params);

// conv2d 8 filters 3×3 on 10×10×1: (None, 8, 8, 8), 3·3·1·8 + 8 = 80.
const BODY = (tf: string) => `${tf}.sequential({ layers: [${tf}.layers.conv2d({ filters: 8, kernelSize: 3, inputShape: [10, 10, 1] })] })`;
const SPELLINGS: [string, string, string][] = [
  ['ESM namespace', "import * as tf from '@tensorflow/tfjs';", `const model = ${BODY('tf')};`],
  ['tfjs-node', "import * as tf from '@tensorflow/tfjs-node';", `const model = ${BODY('tf')};`],
  ['tfjs-node-gpu default import', "import tf from '@tensorflow/tfjs-node-gpu';", `const model = ${BODY('tf')};`],
  ['tfjs-layers', "import * as tfl from '@tensorflow/tfjs-layers';", `const model = ${BODY('tfl')};`],
  ['require', "const tf = require('@tensorflow/tfjs');", `const model = ${BODY('tf')};`],
  ['destructured require', "const { sequential, layers } = require('@tensorflow/tfjs');", 'const model = sequential({ layers: [layers.conv2d({ filters: 8, kernelSize: 3, inputShape: [10, 10, 1] })] });'],
  ['named imports with alias', "import { sequential as seq, layers as L } from '@tensorflow/tfjs';", 'const model = seq({ layers: [L.conv2d({ filters: 8, kernelSize: 3, inputShape: [10, 10, 1] })] });'],
];
for (const [name, imp, body] of SPELLINGS) {
  test(`tfjs import spelling: ${name}`, async () => {
    const m = await only(`${imp}\n${body}\n`);
    assert.deepEqual(m.layers.map((l) => [l.name, l.className, l.outputShape, l.params]), [['conv2d_Conv2D1', 'Conv2D', [null, 8, 8, 8], 80]]);
    assert.equal(m.name, 'model');
  });
}

test('re-exports: a module re-exporting tfjs and constants from another file', async () => {
  const m = await only(
    "import { tf, UNITS } from './lib';\nconst model = tf.sequential();\nmodel.add(tf.layers.dense({ units: UNITS, inputDim: 3 }));\n",
    { 'lib.ts': "export * as tf from '@tensorflow/tfjs';\nexport { UNITS } from './consts';\n", 'consts.ts': 'export const UNITS = 2 * 3;\n' },
  );
  // dense 3→6: 3·6 + 6 = 24
  assert.deepEqual(m.layers.map((l) => [l.outputShape, l.params]), [[[null, 6], 24]]);
});

test('sequential + add with inputShape, batchInputShape, inputDim; tfjs auto-names per class', async () => {
  const ms = await models(`
import * as tf from '@tensorflow/tfjs';
const a = tf.sequential();
a.add(tf.layers.dense({ units: 4, inputShape: [8] }));
a.add(tf.layers.dense({ units: 2 }));
const b = tf.sequential({ layers: [tf.layers.dense({ units: 4, batchInputShape: [16, 8] })] });
const c = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputDim: 8 })], name: 'given' });
`);
  // 8→4: 36; 4→2: 10
  assert.deepEqual(ms.map((m) => [m.name, m.layers.map((l) => l.name), m.outputShape, m.totalParams]), [
    ['a', ['dense_Dense1', 'dense_Dense2'], [null, 2], 46],
    ['b', ['dense_Dense3'], [16, 4], 36],
    ['given', ['dense_Dense4'], [null, 4], 36],
  ]);
});

test('functional: tf.input, stored layers applied later, merge on arrays, multiple outputs', async () => {
  const m = await only(`
import * as tf from '@tensorflow/tfjs';
const a = tf.input({ shape: [16], name: 'a' });
const b = tf.input({ shape: [16], name: 'b' });
const shared = tf.layers.dense({ units: 8 });
const merged = tf.layers.concatenate().apply([shared.apply(a), shared.apply(b)]) as tf.SymbolicTensor;
const out1 = tf.layers.dense({ units: 1, name: 'score' }).apply(merged);
const out2 = tf.layers.dense({ units: 3, name: 'cls' }).apply(merged);
export const twoHeads = tf.model({ inputs: [a, b], outputs: [out1, out2] as tf.SymbolicTensor[] });
`);
  assert.equal(m.name, 'twoHeads');
  assert.deepEqual(m.layers.map((l) => l.name), ['a', 'b', 'dense_Dense1', 'concatenate_Concatenate1', 'score', 'cls']);
  // shared 16·8 + 8 = 136 once; 16·1 + 1 = 17; 16·3 + 3 = 51
  assert.deepEqual(params(m), [0, 0, 136, 0, 17, 51]);
});

test("tf.layers.input is tfjs' alias of tf.input", async () => {
  // tfjs-examples' translation.ts spells it this way; tfjs: tf.layers.input({shape: [null, 5]}) is a SymbolicTensor.
  const m = await only(`
import * as tf from '@tensorflow/tfjs';
const x = tf.layers.input({ shape: [null, 5], name: 'seq' });
const y = tf.layers.lstm({ units: 4 }).apply(x) as tf.SymbolicTensor;
export const enc = tf.model({ inputs: x, outputs: y });
`);
  // LSTM 4·(5·4 + 4·4 + 4) = 160
  assert.deepEqual(m.layers.map((l) => [l.name, l.outputShape, l.params]), [
    ['seq', [null, null, 5], 0],
    ['lstm_LSTM1', [null, 4], 160],
  ]);
});

test('helpers: function and arrow with defaults, closures, spreads, template names, for / for...of / classic for', async () => {
  const m = await only(`
import * as tf from '@tensorflow/tfjs';
const FILTERS = [8, 16];
const common = { padding: 'same', useBias: false };
const act = (kind: string) => () => tf.layers.activation({ activation: kind });
const relu = act('relu');
function convBlock(x: tf.SymbolicTensor, filters: number, kernelSize = 3, idx = 0): tf.SymbolicTensor {
  let y = tf.layers.conv2d({ ...common, filters, kernelSize, name: \`conv_\${idx}\` }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({}).apply(y) as tf.SymbolicTensor;
  return relu().apply(y) as tf.SymbolicTensor;
}
export function build(inputShape = [16, 16, 3], classes = 4) {
  const input = tf.input({ shape: inputShape });
  let x = input;
  let i = 1;
  for (const f of FILTERS) {
    x = convBlock(x, f, undefined, i++);
    x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x)!;
  }
  for (let k = 0; k < 2; k++) x = tf.layers.dropout({ rate: 0.1 }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: classes }).apply(tf.layers.flatten().apply(x));
  return tf.model({ inputs: input, outputs: out as tf.SymbolicTensor });
}
`);
  assert.equal(m.name, 'build');
  assert.equal(m.function, 'build');
  assert.deepEqual(m.layers.map((l) => l.name).slice(1, 5), ['conv_1', 'batch_normalization_BatchNormalization1', 'activation_Activation1', 'max_pooling2d_MaxPooling2D1']);
  // conv_1 3·3·3·8 = 216 (no bias); BN 4·8 = 32; conv_2 3·3·8·16 = 1152; BN 4·16 = 64;
  // 16→8→4; flatten 4·4·16 = 256; dense 256·4 + 4 = 1028
  assert.deepEqual(params(m), [0, 216, 32, 0, 0, 1152, 64, 0, 0, 0, 0, 0, 1028]);
  assert.equal(m.nonTrainableParams, 16 + 32);
});

test('a class with a build() method nothing calls; constructor parameter properties', async () => {
  const m = await only(`
import * as tf from '@tensorflow/tfjs';
export class Net {
  private model!: tf.Sequential;
  constructor(private readonly inputSize = 6, private hidden: number = 5) {}
  build(): tf.Sequential {
    this.model = tf.sequential();
    this.model.add(tf.layers.dense({ units: this.hidden, inputShape: [this.inputSize] }));
    this.model.add(tf.layers.dense({ units: 1 }));
    return this.model;
  }
}
`);
  // 6·5 + 5 = 35; 5·1 + 1 = 6
  assert.deepEqual(params(m), [35, 6]);
  assert.equal(m.function, 'build');
});

test('CommonJS: module.exports from a data module, require of a relative file; .js import of a .ts file', async () => {
  const ms = await models(
    `
const tf = require('@tensorflow/tfjs-node');
const { IMAGE_H, IMAGE_W } = require('./data');
const sizes = require('./sizes.js');
function createModel() {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [IMAGE_H, IMAGE_W, 1] }));
  model.add(tf.layers.dense({ units: sizes.HIDDEN }));
  return model;
}
module.exports = { createModel };
`,
    { 'data.js': 'module.exports = { IMAGE_H: 4, IMAGE_W: 5 };\n', 'sizes.ts': 'export const HIDDEN = 3;\n' },
    'main.js',
  );
  assert.equal(ms.length, 1);
  // flatten 4·5·1 = 20; dense 20·3 + 3 = 63
  assert.deepEqual(ms[0].layers.map((l) => [l.outputShape, l.params]), [[[null, 20], 0], [[null, 3], 63]]);
});

test('tfjs defaults: GRU has no reset_after (3·u·(in + u + 1)); aliases avgPool2d / globalMaxPool2d', async () => {
  const ms = await models(`
import * as tf from '@tensorflow/tfjs';
const seq = tf.sequential();
seq.add(tf.layers.gru({ units: 4, inputShape: [10, 3] }));
const img = tf.sequential();
img.add(tf.layers.avgPool2d({ poolSize: 2, inputShape: [8, 8, 2] }));
img.add(tf.layers.globalMaxPool2d({}));
`);
  assert.deepEqual(ms.map((x) => x.totalParams), [3 * 4 * (3 + 4 + 1), 0]);
  assert.deepEqual(ms[1].layers.map((l) => [l.className, l.outputShape]), [['AveragePooling2D', [null, 4, 4, 2]], ['GlobalMaxPooling2D', [null, 2]]]);
});

test('nested sequential applied inside tf.model; layer.apply on an unknown function keeps the graph', async () => {
  const m = (await models(`
import * as tf from '@tensorflow/tfjs';
import { customOp } from 'some-lib';
const features = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [6] })], name: 'features' });
const inp = tf.input({ shape: [6] });
const y = customOp(features.apply(inp) as tf.SymbolicTensor);
const out = tf.layers.dense({ units: 2 }).apply(y);
const outer = tf.model({ inputs: inp, outputs: out as tf.SymbolicTensor });
`)).find((x) => x.name === 'outer')!;
  // features 6·4 + 4 = 28
  assert.deepEqual(m.layers.map((l) => [l.className, l.outputShape, l.params]), [
    ['InputLayer', [null, 6], 0],
    ['Sequential', [null, 4], 28],
    ['customOp', '?', '?'],
    ['Dense', '?', '?'],
  ]);
});

test('shape errors in tfjs code are reported with the layer line', async () => {
  const { json } = await analyzeJs("import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\nm.add(tf.layers.conv2d({ filters: 2, kernelSize: 5, inputShape: [3, 3, 1] }));\n");
  const d = json.models[0].diagnostics.find((x) => x.code === 'negative-dimension');
  assert.ok(d, JSON.stringify(json));
  assert.match(d.message, /^Negative dimension size caused by subtracting 5 from 3/);
  assert.equal(d.line, 3);
});

test('syntax errors: a half-typed line is skipped, models around it are found', async () => {
  const { json } = await analyzeJs(`import * as tf from '@tensorflow/tfjs';
const first = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
const broken = tf.layers.dense({ units:
const second = tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [3] })] });
`);
  assert.deepEqual(json.models.map((m) => [m.name, m.totalParams]), [['first', 8], ['second', 20]]);
  assert.ok(json.diagnostics.some((d) => d.code === 'syntax' && d.line === 3), JSON.stringify(json.diagnostics));
});

test('never runs user code; budgets end loops and recursion with diagnostics', async () => {
  const { json } = await analyzeJs(`import * as tf from '@tensorflow/tfjs';
require('fs').writeFileSync('/tmp/shape-lens-must-not-exist', 'x');
process.exit(3);
function f(x) { return f(x); }
f(1);
while (true) {}
const m = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
`, {}, 'main.js');
  const codes = json.diagnostics.map((d) => d.code);
  assert.ok(codes.includes('recursion'), codes.join());
  assert.ok(codes.includes('loop-budget'), codes.join());
  assert.equal(json.models.length, 1);
  const fs = await import('node:fs');
  assert.equal(fs.existsSync('/tmp/shape-lens-must-not-exist'), false);
});

test("conv1d padding 'causal': tfjs' own output length (as 'valid') and a warning that tfjs cannot run it", async () => {
  const { json } = await analyzeJs("import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential({ layers: [tf.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal', inputShape: [10, 4] })] });\n");
  // tfjs-layers: symbolic output [null, 8, 2] (10 − 3 + 1), params 3·4·2 + 2 = 26; running it throws NotImplementedError.
  assert.deepEqual(json.models[0].layers.map((l) => [l.outputShape, l.params]), [[[null, 8, 2], 26]]);
  assert.ok(json.models[0].diagnostics.some((d) => d.code === 'tfjs-unsupported'));
});

test('syntax repair terminates when the lines above the error are blank up to the top of the file', async () => {
  // Found by mutation: `const const` on line 4, a half-typed line 12, and an empty first line.
  const text = "\nimport * as tf from '@tensorflow/tfjs';\n\nconst const encoder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 64 })] });\n\nconst bottleneck = tf.layers.dense({units: 16, activation:\n\nexport const decoder = tf.sequential({ layers: [tf.layers.dense({ units: 784, inputShape: [16] })] });\n";
  const { json } = await analyzeJs(text, {}, 'main.js');
  assert.ok(json.diagnostics.some((d) => d.code === 'syntax'));
  // decoder: 16·784 + 784 = 13,328
  assert.ok(json.models.some((m) => m.name === 'decoder' && m.totalParams === 13328), JSON.stringify(json.models.map((m) => m.name)));
});

test('a helper method declared before build() leaves no trace in the names build() gives', async () => {
  const m = await only(`import * as tf from '@tensorflow/tfjs';
class Net {
  convBlock(x, filters) { return tf.layers.conv2d({ filters, kernelSize: 3 }).apply(x); }
  build() {
    const input = tf.input({ shape: [28, 28, 1] });
    return tf.model({ inputs: input, outputs: this.convBlock(input, 8) });
  }
}
`, {}, 'main.js');
  // tfjs names as in a fresh process: input1, conv2d_Conv2D1; 3·3·1·8 + 8 = 80.
  assert.deepEqual(m.layers.map((l) => [l.name, l.outputShape, l.params]), [['input1', [null, 28, 28, 1], 0], ['conv2d_Conv2D1', [null, 26, 26, 8], 80]]);
});

test('a size lost to an unknown import is unknown (?), not Keras None, and not a "should be defined" error', async () => {
  const { json } = await analyzeJs("import * as tf from '@tensorflow/tfjs';\nimport { UNITS } from './missing';\nconst m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: UNITS }), tf.layers.dense({ units: 3 })] });\n");
  const m = json.models[0];
  assert.deepEqual(m.layers.map((l) => l.outputShape), [[null, '?'], [null, 3]]);
  assert.deepEqual(m.layers.map((l) => l.params), ['?', '?']);
  assert.equal(m.totalParams, '?');
  assert.deepEqual([...m.diagnostics, ...json.diagnostics].filter((d) => d.severity === 'error'), []);
});

test('destructured parameter defaults apply when the argument is missing', async () => {
  const m = await only("import * as tf from '@tensorflow/tfjs';\nexport function build({ units = 10 } = {}) {\n  return tf.sequential({ name: 'b', layers: [tf.layers.dense({ inputShape: [4], units })] });\n}\n");
  assert.equal(m.totalParams, 4 * 10 + 10);
});

test('a <script> page: the global tf without an import, class getters and static fields', async () => {
  const m = await only(`
class Net {
  static UNITS = 16;
  get inputSize() { return 8; }
  build() {
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [this.inputSize], units: Net.UNITS }));
    model.add(tf.layers.dense({ units: 2 }));
    return model;
  }
}
const model = new Net().build();
`, {}, 'page.js');
  // 8·16 + 16 = 144; 16·2 + 2 = 34.
  assert.deepEqual(m.layers.map((l) => [l.outputShape, l.params]), [[[null, 16], 144], [[null, 2], 34]]);
});

test('a local binding named tf is not the global tfjs', async () => {
  const { json } = await analyzeJs('const tf = { sequential: () => null, layers: {} };\nconst m = tf.sequential();\n');
  assert.equal(json.models.length, 0);
});
