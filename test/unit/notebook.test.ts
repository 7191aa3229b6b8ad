// Notebooks (src/frontends/python/notebook.ts): .ipynb parsing, IPython syntax blanked with offsets
// kept, cells joined with a map back to cells, and the analysis of the notebook fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { blankIPython, joinCells, parseNotebook } from '../../src/frontends/python/notebook';
import { analyzeNotebook, analyzePython, initPythonParser } from '../../src/frontends/python/analyze';
import { analysisToJson, lineStartsOf, positionOf, spanAt } from '../../src/core/analysis';

/** test/fixtures/notebooks, found by walking up from the bundle (out/test/unit). */
function fixture(name: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'notebooks', name);
    if (fs.existsSync(candidate)) return fs.readFileSync(candidate, 'utf8');
    if (path.dirname(dir) === dir) throw new Error(`test/fixtures/notebooks/${name} not found above ${__dirname}`);
  }
}

function notebook(cells: [kind: string, source: string | string[]][], language = 'python'): string {
  return JSON.stringify({
    cells: cells.map(([cell_type, source]) => ({ cell_type, metadata: {}, source, ...(cell_type === 'code' ? { outputs: [], execution_count: null } : {}) })),
    metadata: { kernelspec: { name: 'k', display_name: 'k', language }, language_info: { name: language } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

// ---------------------------------------------------------------------------------------------
// parseNotebook

test('parseNotebook: code cells in order, indices among all cells, source as a list or a string', () => {
  const nb = parseNotebook(notebook([
    ['markdown', '# title'],
    ['code', ['import keras\n', 'x = 1\n']],
    ['raw', 'raw text'],
    ['code', 'y = 2'],
  ]));
  assert.ok(nb.ok);
  assert.deepEqual(nb.cells, [{ index: 1, source: 'import keras\nx = 1\n' }, { index: 3, source: 'y = 2' }]);
  assert.equal(nb.language, 'python');
});

test('parseNotebook: a cell VS Code marks as another language is left out but still counted', () => {
  const doc = JSON.parse(notebook([['code', 'ls -la'], ['code', 'x = 1']]));
  doc.cells[0].metadata = { vscode: { languageId: 'shellscript' } };
  const nb = parseNotebook(JSON.stringify(doc));
  assert.ok(nb.ok);
  assert.deepEqual(nb.cells, [{ index: 1, source: 'x = 1' }]);
});

test('parseNotebook: nbformat 3 worksheets with `input`', () => {
  const nb = parseNotebook(JSON.stringify({ worksheets: [{ cells: [{ cell_type: 'markdown', source: 'a' }, { cell_type: 'code', input: ['x = 1\n', 'y = 2'] }] }], nbformat: 3 }));
  assert.ok(nb.ok);
  assert.deepEqual(nb.cells, [{ index: 1, source: 'x = 1\ny = 2' }]);
  assert.equal(nb.language, undefined);
});

test('parseNotebook: the kernel language is reported (lower case)', () => {
  const nb = parseNotebook(notebook([['code', 'x <- 1']], 'R'));
  assert.ok(nb.ok);
  assert.equal(nb.language, 'r');
});

test('parseNotebook: malformed files give a one-line reason, never throw', () => {
  const cases: [string, RegExp][] = [
    ['{"cells": [', /^not valid JSON \(.+\)$/],
    ['', /^not valid JSON/],
    ['[1, 2]', /^not a notebook: the JSON is not an object$/],
    ['{"nbformat": 4}', /^not a notebook: no "cells" list$/],
    ['{"cells": [{"source": "x = 1"}]}', /^cell 1 has no "cell_type"$/],
    ['{"cells": [{"cell_type": "markdown", "source": "a"}, {"cell_type": "code", "source": 42}]}', /^cell 2: "source" is neither a string nor a list of strings$/],
    ['{"cells": [{"cell_type": "code", "source": ["a", null]}]}', /^cell 1: "source"/],
  ];
  for (const [json, reason] of cases) {
    const nb = parseNotebook(json);
    assert.equal(nb.ok, false, json);
    if (!nb.ok) {
      assert.match(nb.error, reason, json);
      assert.ok(!nb.error.includes('\n'), json);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// joinCells

test('joinCells: each cell then a newline; spans map offsets back to cells', () => {
  const j = joinCells([{ index: 1, source: 'a = 1\nb = 2' }, { index: 4, source: 'c = 3\n' }]);
  assert.equal(j.text, 'a = 1\nb = 2\nc = 3\n\n');
  assert.deepEqual(j.spans, [{ cell: 1, start: 0, end: 11 }, { cell: 4, start: 12, end: 18 }]);
  assert.equal(spanAt(j.spans, 0)?.cell, 1);
  assert.equal(spanAt(j.spans, 11)?.cell, 1); // the joining newline belongs to the cell before it
  assert.equal(spanAt(j.spans, 12)?.cell, 4);
  assert.equal(spanAt(j.spans, 18)?.cell, 4);
  assert.equal(spanAt(j.spans, 19), undefined);
  // IPython syntax is blanked only when asked (the editor's plain .py files are not notebooks).
  assert.equal(joinCells([{ index: 0, source: '!ls' }]).text, '!ls\n');
  assert.equal(joinCells([{ index: 0, source: '!ls' }], { ipython: true }).text, '   \n');
});

// ---------------------------------------------------------------------------------------------
// blankIPython: expected texts written by hand (`·` stands for a space to keep lengths readable)

const dots = (s: string) => s.replace(/·/g, ' ');
const BLANKING: [name: string, input: string, expected: string][] = [
  ['shell line', '!pip install -q tensorflow\nimport keras\n', '··························\nimport keras\n'],
  ['double-bang shell line', '!!ls\nx = 1', '····\nx = 1'],
  ['line magic', '%matplotlib inline\nx = 1', '··················\nx = 1'],
  ['magic with a percent sign inside', '%config InlineBackend.figure_format = "retina"', '··············································'],
  ['indented shell line keeps its block', 'def f():\n    !ls -la\n', 'def f():\n    0······\n'],
  ['shell line continued with a backslash', '!echo a \\\n  b\nx = 1', '·········\n···\nx = 1'],
  ['magic continued inside brackets', '%timeit f(a,\n  b)\nx = 1', '············\n····\nx = 1'],
  ['assignment from the shell', 'files = !ls data\nx = 1', '················\nx = 1'],
  ['assignment from a magic', 'r = %timeit -o f()', '··················'],
  ['%time keeps the statement', '%time model = build()', 'if 1: model = build()'],
  ['%time keeps the assigned expression', 'x = %time f()', 'x =······ f()'],
  ['%time with a compound statement is blanked', '%time for i in range(3): f()', '····························'],
  ['trailing help', 'model.summary?\nx = 1', '··············\nx = 1'],
  ['trailing double help', 'layers.Conv2D??', '···············'],
  ['leading help', '?layers.Dense', '·············'],
  ['indented help', 'if True:\n    x?\n', 'if True:\n    0·\n'],
  ['autocall escape', '/print 1 2', '··········'],
  ['%%bash cell skipped entirely', '%%bash\necho "$(date)"\nif [ -d x ]; then ls; fi\n', '······\n··············\n························\n'],
  ['%%writefile cell skipped entirely', '%%writefile model.py\nimport keras\n', '····················\n············\n'],
  ['unknown cell magic skipped entirely', '%%sql\nSELECT 1', '·····\n········'],
  ['%%html after blank lines', '\n  \n%%html\n<b>x</b>', '\n  \n······\n········'],
  ['%%time cell keeps its body', '%%time\nmodel.fit(x)\n', '······\nmodel.fit(x)\n'],
  ['%%capture cell body is processed too', '%%capture out\n!pip install x\ny = 1', '·············\n··············\ny = 1'],
  ['%%timeit in the middle of a cell is a line escape', 'x = 1\n%%timeit\n', 'x = 1\n········\n'],
  ['CRLF line ends kept', '!ls\r\nx = 1\r\n', '···\r\nx = 1\r\n'],
];

test('blankIPython: every IPython form, by hand', () => {
  for (const [name, input, expected] of BLANKING) {
    const out = blankIPython(input);
    assert.equal(out, dots(expected), name);
    assert.equal(out.length, input.length, name);
  }
});

const UNTOUCHED: [name: string, input: string][] = [
  ['modulo', 'x = a % b'],
  ['a continuation line starting with %', 'y = (a\n     % b)'],
  ['a continuation line starting with / after a backslash', 'y = a \\\n    / b'],
  ['a string holding shell text', 's = """\n!not magic\n%not magic\n"""\nx = 1'],
  ['not-equal', 'z = a != b'],
  ['percent formatting', 's = "%d items" % n'],
  ['a comment ending with a question mark', "d = {'k': 1}  # why?"],
  ['a string ending with a question mark', 'print("why?")'],
  ['keyword argument then a percent', 'f(a=1 % 2)'],
  ['augmented assignment', 'x %= 3'],
  ['plain Python', 'import keras\nmodel = keras.Sequential()\n'],
  ['dict literal over lines', 'd = {\n  "a": 1,\n}\n'],
];

test('blankIPython: Python that looks like IPython is left alone', () => {
  for (const [name, input] of UNTOUCHED) assert.equal(blankIPython(input), input, name);
});

// ---------------------------------------------------------------------------------------------
// The notebook fixtures, analysed

interface Row {
  name: string;
  className: string;
  outputShape: (number | null)[];
  params: number;
  line: number;
  cell?: number;
}

test('small_cnn.ipynb: the CNN built across cells, nothing reported about the IPython lines', async () => {
  await initPythonParser();
  const a = analyzeNotebook(fixture('small_cnn.ipynb'), 'small_cnn.ipynb');
  assert.deepEqual(a.diagnostics, []);
  assert.deepEqual(a.cells?.map((c) => c.cell), [1, 2, 3]);
  const json = analysisToJson(a);
  assert.equal(json.models.length, 1);
  const [m] = json.models;
  assert.equal(m.name, 'small_cnn');
  // Conv 3·3·1·32 + 32 = 320 → 26×26; pool 13; conv 3·3·32·64 + 64 = 18,496 → 11; pool ⌊11/2⌋ = 5;
  // flatten 5·5·64 = 1,600; dense 1,600·10 + 10 = 16,010. Total 320 + 18,496 + 16,010 = 34,826.
  assert.deepEqual((m.layers as Row[]).map((l) => [l.className, l.outputShape, l.params]), [
    ['Conv2D', [null, 26, 26, 32], 320],
    ['MaxPooling2D', [null, 13, 13, 32], 0],
    ['Conv2D', [null, 11, 11, 64], 18496],
    ['MaxPooling2D', [null, 5, 5, 64], 0],
    ['Flatten', [null, 1600], 0],
    ['Dense', [null, 10], 16010],
  ]);
  assert.equal(m.totalParams, 34826);
  // Lines are counted within each cell; cells among all cells, 1-based (the markdown cell is 1).
  assert.deepEqual((m.layers as Row[]).map((l) => [l.cell, l.line]), [[2, 8], [2, 9], [4, 4], [4, 5], [4, 6], [4, 7]]);
  assert.deepEqual([m.cell, m.line], [2, 7]);
});

test('small_cnn.ipynb: without the blanking the same cells are not Python (the test above can fail)', async () => {
  await initPythonParser();
  const nb = parseNotebook(fixture('small_cnn.ipynb'));
  assert.ok(nb.ok);
  const raw = analyzePython(joinCells(nb.cells).text, 'raw.py');
  assert.ok(raw.diagnostics.some((d) => d.code === 'syntax'), JSON.stringify(raw.diagnostics));
});

test('shape_error.ipynb: the negative dimension is reported in cell 3, line 3', async () => {
  await initPythonParser();
  const a = analyzeNotebook(fixture('shape_error.ipynb'), 'shape_error.ipynb');
  // Conv2D(8, 5) on 4×4×1: 4 − 5 + 1 < 1, so Keras refuses to build it.
  assert.deepEqual(a.diagnostics.map((d) => [d.severity, d.code]), [['error', 'negative-dimension']]);
  const d = a.diagnostics[0];
  assert.deepEqual(positionOf(a, lineStartsOf(a.text), d.range!.start), { line: 3, cell: 3 });
  const json = analysisToJson(a);
  const all = [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)];
  assert.deepEqual(all.map((x) => [x.code, x.cell, x.line]), [['negative-dimension', 3, 3]]);
});

test('analyzeNotebook: malformed JSON and other kernels give one diagnostic and no models', async () => {
  await initPythonParser();
  const bad = analyzeNotebook('{"cells": [', 'bad.ipynb');
  assert.equal(bad.models.length, 0);
  assert.deepEqual(bad.diagnostics.map((d) => [d.severity, d.code]), [['error', 'invalid-notebook']]);
  assert.match(bad.diagnostics[0].message, /^Not a notebook Shape Lens can read: not valid JSON/);
  const r = analyzeNotebook(notebook([['code', 'library(keras)']], 'R'), 'r.ipynb');
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.message]), [['info', 'notebook-language', 'Not a Python notebook (kernel language: r); skipped.']]);
});

test('analyzeNotebook: a model across cells with %time, %%time and help lines', async () => {
  await initPythonParser();
  const a = analyzeNotebook(notebook([
    ['code', 'import keras\n%time model = keras.Sequential([keras.Input(shape=(8,))])'],
    ['markdown', 'text'],
    ['code', '%%time\nmodel.add(keras.layers.Dense(4))\nmodel.add?\n'],
    ['code', 'head = %time keras.layers.Dense(2)\nmodel.add(head)\n!nvidia-smi'],
  ]), 'timed.ipynb');
  assert.deepEqual(a.diagnostics, []);
  const [m] = analysisToJson(a).models;
  // Dense 8·4 + 4 = 36; Dense 4·2 + 2 = 10.
  assert.deepEqual(m.layers.map((l) => [l.outputShape, l.params, l.cell, l.line]), [
    [[null, 4], 36, 3, 2],
    [[null, 2], 10, 4, 1],
  ]);
});

test('blankIPython: on seeded random text it keeps every length and line break, and stays linear', () => {
  let seed = 9;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pieces = ['!', '%', '%%', '?', '??', '=', ' = ', '"', "'", '"""', "'''", '\\', '\n', '\r\n', '(', ')', '[', ']', '#', ' ', '    ', 'x', 'time ', 'bash', ',', ';', '/', '0', 'f(a)'];
  for (let n = 0; n < 400; n++) {
    let s = '';
    const len = Math.floor(rand() * 60);
    for (let k = 0; k < len; k++) s += pieces[Math.floor(rand() * pieces.length)];
    const out = blankIPython(s);
    assert.equal(out.length, s.length, JSON.stringify(s));
    for (let k = 0; k < s.length; k++) {
      if (s[k] === '\n' || s[k] === '\r') assert.equal(out[k], s[k], JSON.stringify(s));
      else if (out[k] !== s[k]) assert.ok(out[k] === ' ' || out[k] === '0' || 'if 1:'.includes(out[k]), JSON.stringify(s));
    }
  }
  // 50,000 lines that each open a triple quote after an escape: one pass, not one per line.
  const big = '!echo """\n'.repeat(50_000);
  const t0 = Date.now();
  assert.equal(blankIPython(big).trim(), '');
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
});
