// Symbolic sizes, display: the hover's Sizes / params formula lines and "assume" links, inlay hints
// with short formulas (longer ones collapse to what Keras prints), the CLI's Param # formulas and
// Sizes note, the JSON fields, and the "assume" action's comment edit (text in, edit out).
// Expected formulas are worked by hand from Keras' arithmetic in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze } from './helpers/python';
import { repoRoot } from './helpers/paths';
import { constant, divide, mul, add, sub, symbol, type Formula } from '../../src/core/formula';
import type { FormulaShape, SymbolicRow } from '../../src/core/symbolic';
import { formatSymbolicShape, hintParams, hintShape, rowSymbols } from '../../src/core/symbolicText';
import { assumptionEdit, parseSizeValue, type OffsetEdit } from '../../src/server/assume';
import { describeAssumptions, describeRow, layerHoverMarkdown, modelHoverMarkdown } from '../../src/server/presentation';
import { assumeLinks, codeActions, documentModels, hoverAt, inlayHints, SourceMap, type DocumentAnalysis } from '../../src/server/features';
import { ASSUME_COMMAND } from '../../src/editor/settingKeys';
import { analysisToJson, type FileAnalysis } from '../../src/core/analysis';

const f = (x: Formula | null): Formula => {
  assert.ok(x, 'formula');
  return x;
};
const H = symbol('H');
const W = symbol('W');

function apply(text: string, e: OffsetEdit): string {
  return text.slice(0, e.start) + e.newText + text.slice(e.end);
}

// The "assume" action's edit

test('assume: a new comment goes at the top, after a shebang, an encoding line and the module docstring', () => {
  const py = (text: string) => apply(text, assumptionEdit(text, false, 'H', 224));
  assert.equal(py(''), '# shape-lens: H=224\n');
  assert.equal(py('import keras\n'), '# shape-lens: H=224\nimport keras\n');
  assert.equal(py('#!/usr/bin/env python3\nimport keras\n'), '#!/usr/bin/env python3\n# shape-lens: H=224\nimport keras\n');
  assert.equal(py('#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nimport keras\n'), '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# shape-lens: H=224\nimport keras\n');
  assert.equal(py('# coding=latin-1\nimport keras\n'), '# coding=latin-1\n# shape-lens: H=224\nimport keras\n');
  assert.equal(py('"""A model."""\nimport keras\n'), '"""A model."""\n# shape-lens: H=224\nimport keras\n');
  assert.equal(py('# Copyright\n\n"""A model.\n\nMore text.\n"""\nfrom __future__ import annotations\n'), '# Copyright\n\n"""A model.\n\nMore text.\n"""\n# shape-lens: H=224\nfrom __future__ import annotations\n');
  assert.equal(py("r'''Raw doc'''\nx = 1\n"), "r'''Raw doc'''\n# shape-lens: H=224\nx = 1\n");
  // A docstring that is the whole file, without a final line break.
  assert.equal(py('"""Only a docstring."""'), '"""Only a docstring."""\n# shape-lens: H=224\n');
  // An unterminated docstring: the top (nothing better is known).
  assert.equal(py('"""Never closed\nimport keras\n'), '# shape-lens: H=224\n"""Never closed\nimport keras\n');
  // Windows line breaks stay Windows line breaks.
  assert.equal(py('"""Doc."""\r\nimport keras\r\n'), '"""Doc."""\r\n# shape-lens: H=224\r\nimport keras\r\n');
  // A string that is not the first statement is no docstring.
  assert.equal(py('import keras\n"""not a docstring"""\n'), '# shape-lens: H=224\nimport keras\n"""not a docstring"""\n');
});

test('assume: JS/TS files get a // comment after a shebang only', () => {
  const js = (text: string) => apply(text, assumptionEdit(text, true, 'latentSize', 64));
  assert.equal(js("import * as tf from '@tensorflow/tfjs';\n"), "// shape-lens: latentSize=64\nimport * as tf from '@tensorflow/tfjs';\n");
  assert.equal(js('#!/usr/bin/env node\n"use strict";\n'), '#!/usr/bin/env node\n// shape-lens: latentSize=64\n"use strict";\n');
  assert.equal(js('// shape-lens: H=2\nconst x = 1;\n'), '// shape-lens: H=2, latentSize=64\nconst x = 1;\n');
  // A Python comment in a JS file is not its comment.
  assert.equal(js('# shape-lens: H=2\n'), '// shape-lens: latentSize=64\n# shape-lens: H=2\n');
});

test('assume: an existing shape-lens sizes line is merged into (value replaced or entry appended); keras= and input_shape= lines are left alone', () => {
  const py = (text: string, name = 'W', value = 32) => apply(text, assumptionEdit(text, false, name, value));
  assert.equal(py('import keras\n# shape-lens: H=224\nx = 1\n'), 'import keras\n# shape-lens: H=224, W=32\nx = 1\n');
  assert.equal(py('# shape-lens: H=224, W=7   \n'), '# shape-lens: H=224, W=32   \n');
  assert.equal(py('#shape-lens:W = 7,H=1\n'), '#shape-lens:W=32,H=1\n');
  // A malformed value is replaced too.
  assert.equal(py('# shape-lens: W=abc\n'), '# shape-lens: W=32\n');
  assert.equal(py('# shape-lens: H=224 W=1\n', 'T', 5), '# shape-lens: H=224 W=1, T=5\n');
  assert.equal(py('# shape-lens: H=224,\n', 'T', 5), '# shape-lens: H=224, T=5\n');
  // Not a sizes line: the Keras version, an input shape, free text.
  assert.equal(py('# shape-lens: keras=2\nimport keras\n'), '# shape-lens: W=32\n# shape-lens: keras=2\nimport keras\n');
  assert.equal(py('import keras\nclass M(keras.Model):\n    # shape-lens: input_shape=(None, 8)\n    pass\n'), '# shape-lens: W=32\nimport keras\nclass M(keras.Model):\n    # shape-lens: input_shape=(None, 8)\n    pass\n');
  assert.equal(py('# shape-lens: H is the height\n'), '# shape-lens: W=32\n# shape-lens: H is the height\n');
  // The first sizes line takes it, a later one is left.
  assert.equal(py('# shape-lens: H=1\n# shape-lens: T=3\n'), '# shape-lens: H=1, W=32\n# shape-lens: T=3\n');
});

test('assume: the input box takes a non-negative integer only', () => {
  assert.deepEqual(['224', ' 7 ', '0', '007'].map(parseSizeValue), [224, 7, 0, 7]);
  assert.deepEqual(['', '-3', '2.5', '1e3', 'abc', '0x10', '99999999999999999999'].map(parseSizeValue), [null, null, null, null, null, null, null]);
});

// Display of formulas given by hand (the rows are real analyses)

const CNN = `import keras
from keras import layers
x = keras.Input(shape=(None, None, 3))
y = layers.Conv2D(32, 3)(x)
z = layers.MaxPooling2D(2)(y)
m = keras.Model(x, z)
`;

test('display: hint shapes show short formulas for None dims, collapse long ones to what Keras prints', () => {
  const h2 = f(sub(H, constant(2)));
  const shape: FormulaShape = [null, h2, f(sub(W, constant(2))), constant(32)];
  assert.equal(formatSymbolicShape(shape), '(None, H − 2, W − 2, 32)');
  assert.equal(hintShape([null, null, null, 32], shape), '(None, H − 2, W − 2, 32)');
  // A dim whose formula is over 16 characters shows as Keras prints it.
  const long = f(add(f(mul(f(divide(f(sub(H, constant(1))), 3, 'floor')), constant(7))), constant(5)));
  assert.equal(hintShape([null, null, '?', 32], [null, long, long, constant(32)]), '(None, None, ?, 32)');
  // The whole shape over 48 characters: all as Keras prints it (undefined: the caller's default).
  const mid = f(add(f(mul(H, W)), constant(123456)));
  assert.equal(hintShape([null, null, null, null, null], [null, mid, mid, mid, mid]), undefined);
  // Several outputs, and a rank mismatch (no formula used).
  assert.equal(hintShape([[null, null], [null, 4]], [[null, H], [null, constant(4)]]), '[(None, H), (None, 4)]');
  assert.equal(hintShape([null, null], [null, H, constant(3)]), undefined);
  assert.equal(hintParams(f(add(f(mul(symbol('latent_size'), constant(3456))), constant(3456)))), 'latent_size·3456 + 3456');
  assert.equal(hintParams(f(add(f(mul(symbol('a_really_long_symbol_name'), constant(3456789))), constant(3456)))), undefined);
  // W·T is kept as T·W (factors in name order).
  assert.deepEqual(rowSymbols({ shape: [null, h2, f(mul(W, symbol('T')))], params: f(mul(symbol('latent_size'), H)) }), ['H', 'T', 'W', 'latent_size']);
});

test('display: the hover and hint of a row with formulas, and the model hover with assumptions', async () => {
  const { analysis } = await analyze(CNN);
  const s = analysis.models[0];
  const conv = s.rows[1];
  assert.equal(conv.name, 'conv2d');
  const sym: SymbolicRow = { shape: [null, f(sub(H, constant(2))), f(sub(W, constant(2))), constant(32)] };
  // 3·3·3·32 + 32 = 896 params; the hint puts the formulas where Keras prints None.
  assert.equal(describeRow(conv, true, undefined, sym), '(None, H − 2, W − 2, 32) · 896 params');
  assert.equal(describeRow(conv, true), '(None, None, None, 32) · 896 params');
  assert.equal(describeRow(conv, false, undefined, sym), '(None, H − 2, W − 2, 32)');
  const hover = layerHoverMarkdown(conv, 'functional', '', undefined, sym);
  // Keras' own None stays in the shape line; the Sizes line says what they are.
  assert.match(hover, /→ \(None, None, None, 32\)\n/);
  assert.match(hover, /Sizes: `\(None, H − 2, W − 2, 32\)`/);
  assert.match(hover, /Open sizes: `H`, `W`/);
  assert.doesNotMatch(layerHoverMarkdown(conv, 'functional'), /Sizes:|Open sizes/);
  // Unknown params with a formula: the formula in place of `?`, in the hint and the hover.
  const unknown = { ...conv, params: null };
  const psym: SymbolicRow = { params: f(add(f(mul(symbol('latent_size'), constant(3456))), constant(3456))) };
  assert.equal(describeRow(unknown, true, undefined, psym), '(None, None, None, 32) · latent_size·3456 + 3456 params');
  assert.equal(describeRow(unknown, true), '(None, None, None, 32) · ? params');
  assert.match(layerHoverMarkdown(unknown, 'functional', '', undefined, psym), /Params: `latent_size·3456 \+ 3456`/);
  assert.match(layerHoverMarkdown(unknown, 'functional', '', undefined, psym), /Open sizes: `latent_size` \(the code gives it no value/);
  assert.equal(describeAssumptions([{ name: 'H', value: 224, line: 2 }, { name: 'W', value: 224, line: 2 }]), 'with H = 224, W = 224 (shape-lens comment, line 2)');
  assert.equal(describeAssumptions([{ name: 'H', value: 1, line: 2 }, { name: 'T', value: 9, line: 5 }]), 'with H = 1, T = 9 (shape-lens comments, lines 2, 5)');
  assert.match(modelHoverMarkdown(s, undefined, [{ name: 'H', value: 224, line: 1 }]), /Sizes with H = 224 \(shape-lens comment, line 1\)/);
  assert.doesNotMatch(modelHoverMarkdown(s), /shape-lens comment/);
});

/** The server's view of one analysed Python document. */
function docOf(analysis: FileAnalysis, uri = 'file:///m.py'): DocumentAnalysis {
  const doc = TextDocument.create(uri, 'python', 1, analysis.text);
  return { analysis, map: new SourceMap([{ uri, doc, start: 0, end: analysis.text.length }]), dependencies: new Set() };
}

test('display: assume links name the command with {uri, name}, one per open size', () => {
  const links = assumeLinks('file:///m.py', ['H', 'W']);
  const found = [...links.matchAll(/\[Assume (\w+) = …\]\(command:([\w.]+)\?([^)]*)\)/g)];
  assert.deepEqual(found.map((m) => m[1]), ['H', 'W']);
  assert.equal(found[0][2], ASSUME_COMMAND);
  assert.deepEqual(JSON.parse(decodeURIComponent(found[1][3])), [{ uri: 'file:///m.py', name: 'W' }]);
  assert.ok(links.startsWith(' · [Assume H'));
  assert.equal(assumeLinks('file:///m.py', []), '');
  assert.equal(assumeLinks('u', ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']).match(/command:/g)?.length, 6);
});

test('display: a file without open sizes has no assume link or action, and its hints are as before', async () => {
  const { analysis } = await analyze('import keras\nfrom keras import layers\nx = keras.Input(shape=(8, 8, 3))\ny = layers.Conv2D(4, 3)(x)\nm = keras.Model(x, y)\n');
  const d = docOf(analysis);
  const hover = hoverAt(d, 'file:///m.py', { line: 3, character: 8 }, true);
  assert.ok(hover && typeof hover.contents === 'object' && 'value' in hover.contents);
  assert.doesNotMatch(hover.contents.value, /Assume|Sizes:/);
  assert.deepEqual(codeActions(d, 'file:///m.py', [], false, { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }), []);
  // 3·3·3·4 + 4 = 112 params.
  assert.deepEqual(inlayHints(d, 'file:///m.py', { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, 'shapeAndParams').map((h) => h.label), ['→ (None, 8, 8, 3) · 0 params', '→ (None, 6, 6, 4) · 112 params']);
});

// Real analyses (the symbolic pass): Input(shape=(None, None, 3)) → Conv2D(32, 3) → MaxPooling2D(2).
// Worked by hand: a valid 3×3 conv takes 2 from each side, H − 2; pooling 2 (stride 2, valid) gives
// ⌊(H − 2 − 2)/2⌋ + 1 = ⌊(H − 2)/2⌋ (the pass prints it so, = ⌊H/2⌋ − 1). Params are known:
// 3·3·3·32 + 32 = 896.

test('real pass: hover Sizes lines, assume links and quick fixes, hints with the formulas', async () => {
  const { analysis } = await analyze(CNN);
  const d = docOf(analysis);
  const uri = 'file:///m.py';
  const hoverValue = (line: number, character: number) => {
    const h = hoverAt(d, uri, { line, character }, true);
    assert.ok(h && typeof h.contents === 'object' && 'value' in h.contents, `a hover at ${line}:${character}`);
    return h.contents.value;
  };
  const conv = hoverValue(3, 14);
  assert.match(conv, /→ \(None, None, None, 32\)\n/);
  assert.match(conv, /Sizes: `\(None, H − 2, W − 2, 32\)`/);
  assert.match(conv, /Params: 3·3·3·32 \+ 32 = 896\n\n/);
  // MACs: (H − 2)·(W − 2) positions · 3·3·3 · 32 = (H − 2)·(W − 2)·864.
  // The receptive field needs no size: a valid 3×3 window.
  assert.match(conv, /MACs \? · out \? · RF 3×3, stride 1\n\nMACs: `\(H − 2\)·\(W − 2\)·864`\n\n/);
  assert.match(conv, /`\?`: the sizes are open \(`H`, `W`\); the MACs are the formula above/);
  assert.doesNotMatch(conv, /could not count/);
  // The links follow the open sizes line, before the cost lines (a hover's height is limited).
  assert.match(conv, /Open sizes: `H`, `W` \(the code gives them no value; the formulas are in them\) · \[Assume H = …\]\(command:[^)]*\) · \[Assume W = …\]\(command:[^)]*\)\n\nMACs/);
  assert.match(conv, /\[Assume H = …\]\(command:shapeLens\.assumeSize\?/);
  assert.match(conv, /\[Assume W = …\]/);
  assert.match(hoverValue(4, 14), /Sizes: `\(None, ⌊\(H − 2\)\/2⌋, ⌊\(W − 2\)\/2⌋, 32\)`/);
  // Without command links (another LSP client): the formulas, no links.
  const plain = hoverAt(d, uri, { line: 4, character: 14 }, false);
  assert.ok(plain && 'value' in (plain.contents as object));
  assert.doesNotMatch((plain.contents as { value: string }).value, /Assume/);
  const model = hoverValue(5, 2);
  assert.match(model, /Total params: \*\*896\*\*/);
  assert.match(model, /Open sizes: `H`, `W`/);
  // Pooling has no MACs: the total is the conv's.
  assert.match(model, /\n\nMACs: `\(H − 2\)·\(W − 2\)·864`/);
  assert.match(model, /\[Assume H = …\]/);
  // Quick fixes on the model line and on a layer line: one per open size, running the command.
  const at = (line: number) => codeActions(d, uri, [], false, { start: { line, character: 0 }, end: { line, character: 0 } });
  assert.deepEqual(at(5).map((a) => [a.title, a.command?.command, a.command?.arguments]), [
    ['Assume a value for H (shape-lens comment)', ASSUME_COMMAND, [{ uri, name: 'H' }]],
    ['Assume a value for W (shape-lens comment)', ASSUME_COMMAND, [{ uri, name: 'W' }]],
  ]);
  assert.equal(at(3).length, 2);
  assert.deepEqual(at(1), []);
  const all = { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } };
  assert.deepEqual(inlayHints(d, uri, all, 'shapeAndParams').map((h) => h.label), ['→ (None, H, W, 3) · 0 params', '→ (None, H − 2, W − 2, 32) · 896 params', '→ (None, ⌊(H − 2)/2⌋, ⌊(W − 2)/2⌋, 32) · 0 params']);
  assert.deepEqual(inlayHints(d, uri, all, 'shapeOnly').map((h) => h.label), ['→ (None, H, W, 3)', '→ (None, H − 2, W − 2, 32)', '→ (None, ⌊(H − 2)/2⌋, ⌊(W − 2)/2⌋, 32)']);
  // MACs of a conv on open sizes: the formula, (H − 2)·(W − 2) positions · 3·3·3 · 32.
  assert.equal(inlayHints(d, uri, all, 'shapeParamsAndMacs')[1].label, '→ (None, H − 2, W − 2, 32) · 896 params · (H − 2)·(W − 2)·864 MACs');
  assert.deepEqual(inlayHints(d, uri, all, 'off'), []);
});

test('real pass: JSON shapeFormula and symbols; the CLI prints the Sizes note under Keras\' table', async () => {
  const { json } = await analyze(CNN);
  const m = json.models[0];
  assert.deepEqual(m.layers.map((l) => l.shapeFormula), ['(None, H, W, 3)', '(None, H − 2, W − 2, 32)', '(None, ⌊(H − 2)/2⌋, ⌊(W − 2)/2⌋, 32)']);
  // Keras' own None stays in outputShape.
  assert.deepEqual(m.layers[1].outputShape, [null, null, null, 32]);
  assert.deepEqual(m.symbols, ['H', 'W']);
  assert.equal(m.layers[1].paramsFormula, undefined);
  assert.deepEqual(m.layers.map((l) => l.macsFormula), [undefined, '(H − 2)·(W − 2)·864', undefined]);
  assert.equal(m.totalMacsFormula, '(H − 2)·(W − 2)·864');
  assert.equal(m.totalParamsFormula, undefined);
  assert.equal(json.assumptions, undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symshow-'));
  try {
    const file = path.join(dir, 'fcn.py');
    fs.writeFileSync(file, CNN);
    const r = spawnSync(process.execPath, [path.join(repoRoot(), 'dist/cli.js'), 'summary', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.includes('│ conv2d (Conv2D)                      │ (None, None, None, 32)      │             896 │'), r.stdout);
    assert.ok(r.stdout.includes(' Total params: 896 (3.50 KB)\n'), r.stdout);
    assert.ok(r.stdout.includes('Sizes (formulas in H, W):\n  input_layer: (None, H, W, 3)\n  conv2d: (None, H − 2, W − 2, 32)\n  max_pooling2d: (None, ⌊(H − 2)/2⌋, ⌊(W − 2)/2⌋, 32)\n'), r.stdout);
    // A model without open sizes has no note.
    fs.writeFileSync(file, 'import keras\nfrom keras import layers\nm = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(3)])\n');
    const plain = spawnSync(process.execPath, [path.join(repoRoot(), 'dist/cli.js'), 'summary', file], { encoding: 'utf8' });
    assert.doesNotMatch(plain.stdout, /Sizes/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Input(shape=(None, None, 1)) → Conv2D(32, 3) → MaxPooling2D → Flatten → Dense(10). By hand:
// pool gives ⌊(H − 2)/2⌋ × ⌊(W − 2)/2⌋ × 32, Flatten their product, Dense in·10 + 10 weights;
// conv 3·3·1·32 + 32 = 320, so the total is ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 330. (Keras itself
// raises on a Dense whose last input dim is None: the count is `?`, the formula says what it is.)
const FLAT = `import keras
from keras import layers
model = keras.Sequential([
    keras.Input(shape=(None, None, 1)),
    layers.Conv2D(32, 3),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(10),
])
`;

test('real pass: a params formula in place of ? in the hover, the hint, the tree, the JSON and the CLI table', async () => {
  const { analysis, json } = await analyze(FLAT);
  const d = docOf(analysis);
  const uri = 'file:///m.py';
  const dense = hoverAt(d, uri, { line: 7, character: 8 }, true);
  assert.ok(dense && 'value' in (dense.contents as object));
  const text = (dense.contents as { value: string }).value;
  assert.match(text, /Params: `⌊\(H − 2\)\/2⌋·⌊\(W − 2\)\/2⌋·320 \+ 10`/);
  assert.match(text, /Open sizes: `H`, `W`/);
  const model = hoverAt(d, uri, { line: 2, character: 2 }, true);
  assert.match((model?.contents as { value: string }).value, /Total params: \*\*⌊\(H − 2\)\/2⌋·⌊\(W − 2\)\/2⌋·320 \+ 330\*\*/);
  const all = { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } };
  // Flatten's one dim, ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·32, is over 16 characters: the hint keeps Keras' None.
  // The Dense count (32 characters) fits.
  assert.deepEqual(inlayHints(d, uri, all, 'shapeAndParams').map((h) => h.label).slice(2), ['→ (None, None) · 0 params', '→ (None, 10) · ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 10 params']);
  const m = json.models[0];
  assert.equal(m.layers[3].params, '?');
  assert.equal(m.layers[3].paramsFormula, '⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 10');
  assert.equal(m.layers[2].shapeFormula, '(None, ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·32)');
  assert.equal(m.totalParams, '?');
  assert.equal(m.totalParamsFormula, '⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 330');
  // MACs: conv (H − 2)·(W − 2)·9·32 = ·288; Dense in·10 = ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320.
  assert.equal(m.layers[0].macsFormula, '(H − 2)·(W − 2)·288');
  assert.equal(m.layers[3].macsFormula, '⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320');
  const tree = documentModels(d, uri).models[0];
  assert.equal(tree.totals[0].value, '⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 330');
  assert.equal(tree.rows[3].description, '(None, 10) · ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 10');
  // The total (33 characters) is too long for the tree's one-line description.
  assert.match(tree.description, /· \? params$/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symshow-'));
  try {
    const file = path.join(dir, 'flat.py');
    fs.writeFileSync(file, FLAT);
    const r = spawnSync(process.execPath, [path.join(repoRoot(), 'dist/cli.js'), 'summary', file], { encoding: 'utf8' });
    // Keras 3's Param # column is 15 wide: the formula wraps there at its spaces, as rich wraps any cell.
    assert.ok(r.stdout.includes('│ dense (Dense)                        │ (None, 10)                  │ ⌊(H − 2)/2⌋·⌊(W │\n'), r.stdout);
    assert.ok(r.stdout.includes('  flatten: (None, ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·32)\n  dense params: ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 10\n  Total params: ⌊(H − 2)/2⌋·⌊(W − 2)/2⌋·320 + 330\n'), r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('assumptions: the model hover says which values a shape-lens comment gave (and where); the JSON lists them', async () => {
  // The front end fills `assumptions`; here they are set as it would for this text.
  const text = `# shape-lens: H=224, W=160, T=3\n${CNN}`;
  const { analysis } = await analyze(text);
  const at = (name: string) => text.indexOf(`${name}=`);
  analysis.assumptions = [
    { name: 'H', value: 224, range: { start: at('H'), end: at('H') + 5 }, used: true },
    { name: 'W', value: 160, range: { start: at('W'), end: at('W') + 5 }, used: true },
    { name: 'T', value: 3, range: { start: at('T'), end: at('T') + 3 }, used: false },
  ];
  const d = docOf(analysis);
  const model = hoverAt(d, 'file:///m.py', { line: 6, character: 2 }, true);
  // The unused T is the front end's diagnostic to report, not the hover's.
  assert.match((model?.contents as { value: string }).value, /Sizes with H = 224, W = 160 \(shape-lens comment, line 1\)/);
  const json = analysisToJson(analysis);
  assert.deepEqual(json.assumptions, [
    { name: 'H', value: 224, line: 1, used: true },
    { name: 'W', value: 160, line: 1, used: true },
    { name: 'T', value: 3, line: 1, used: false },
  ]);
});

// With the front ends: a builder's parameter without a default is an open size; the comment gives it a value.
const DECODER = `"""A decoder whose latent size is a parameter."""
import keras
from keras import layers

def build_decoder(latent_size):
    z = keras.Input(shape=(latent_size,))
    x = layers.Dense(3456)(z)
    return keras.Model(z, x)
`;

test('end to end: a builder parameter is an open size (latent_size·3456 + 3456); the assume edit then gives the number', async () => {
  const uri = 'file:///m.py';
  const { analysis } = await analyze(DECODER);
  const d = docOf(analysis);
  const dense = hoverAt(d, uri, { line: 6, character: 14 }, true);
  // Dense(3456) on latent_size inputs: latent_size·3456 weights + 3456 biases.
  assert.match((dense?.contents as { value: string }).value, /Params: `latent_size·3456 \+ 3456`/);
  assert.match((dense?.contents as { value: string }).value, /Open sizes: `latent_size` \(the code gives it no value; the formulas are in it\) · \[Assume latent_size = …\]/);
  const all = { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } };
  assert.deepEqual(inlayHints(d, uri, all, 'shapeAndParams').map((h) => h.label), ['→ (None, latent_size) · 0 params', '→ (None, 3456) · latent_size·3456 + 3456 params']);
  // What the assume command writes, then analysed again: 64·3456 + 3456 = 224,640.
  const edit = assumptionEdit(DECODER, false, 'latent_size', 64);
  const assumed = apply(DECODER, edit);
  assert.ok(assumed.startsWith('"""A decoder whose latent size is a parameter."""\n# shape-lens: latent_size=64\nimport keras\n'));
  const again = await analyze(assumed);
  const d2 = docOf(again.analysis);
  assert.deepEqual(inlayHints(d2, uri, { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } }, 'shapeAndParams').map((h) => h.label), ['→ (None, 64) · 0 params', '→ (None, 3456) · 224,640 params']);
  const model = hoverAt(d2, uri, { line: 8, character: 12 }, true);
  const text = (model?.contents as { value: string }).value;
  assert.match(text, /Total params: \*\*224,640\*\*/);
  assert.match(text, /Sizes with latent\\_size = 64 \(shape-lens comment, line 2\)/);
  assert.doesNotMatch(text, /Open sizes|Assume/);
  assert.deepEqual(again.json.assumptions, [{ name: 'latent_size', value: 64, line: 2, used: true }]);
});
