// Differential test of the incremental Python analysis: for every Python fixture and generated
// module, seeded random edit scripts (characters and whole lines inserted and deleted anywhere,
// half-typed lines included); after every step the incremental result must equal a from-scratch
// `analyzePython` of the same text (models, rows, shapes, params, names, ranges, diagnostics,
// summary snapshots), and its tree must equal `toAst` of a full parse.
// Seeded: SHAPE_LENS_SEED=<n|random>, SHAPE_LENS_EDIT_SCRIPTS=<count> (default 200).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureSources } from './helpers/paths';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzePython, initPythonParser } from '../../src/frontends/python/analyze';
import { IncrementalPython } from '../../src/frontends/python/incremental';
import { keptTrees } from '../../src/frontends/python/incremental-groups';
import { CHUNKED_FROM } from '../../src/frontends/python/chunked-parse';
import { parsePython, treeSitterModule } from '../../src/frontends/python/parser';
import { toAst, type PyNode } from '../../src/frontends/python/ast';
import type { FileAnalysis } from '../../src/core/analysis';
import type { SourceRange } from '../../src/core/diagnostics';
import type { LayerNode, ModelGraph } from '../../src/core/graph';
import type { ModelSummary } from '../../src/core/summary';
import { caseSeed, emitPython, emitPythonModule, mulberry32, randomValidSpec, PY_MODEL_STYLES, type ModelSpec, type Rng } from './helpers/cnn-gen';

const envSeed = process.env.SHAPE_LENS_SEED;
const SEED = envSeed === 'random' ? Math.floor(Math.random() * 2 ** 32) : envSeed ? Number(envSeed) >>> 0 : 0x1ec5eed;
const SCRIPTS = Number(process.env.SHAPE_LENS_EDIT_SCRIPTS ?? 200);
const STEPS = 12;

const r = (x?: SourceRange): string => (x ? `${x.file ?? ''}${x.start}-${x.end}` : '-');

function layerJson(l: LayerNode, seen: Set<ModelGraph>): unknown {
  return {
    name: l.name, cls: l.className, range: r(l.range), out: l.outputShape, params: l.params, why: l.unknownWhy, explain: l.explain, trainable: l.trainable,
    calls: l.calls.map((c) => ({ range: r(c.range), in: c.inputs.map((t) => [t.shape, t.unknownWhy, t.assumed]), out: c.outputs.map((t) => [t.shape, t.unknownWhy, t.assumed]) })),
    nested: l.nested && !seen.has(l.nested) ? modelJson(l.nested, seen) : l.nested?.name,
  };
}

function modelJson(m: ModelGraph, seen = new Set<ModelGraph>()): unknown {
  seen.add(m);
  return { name: m.name, kind: m.kind, cls: m.className, range: r(m.range), fn: m.functionName, built: m.built, incomplete: m.incomplete, layers: m.layers.map((l) => layerJson(l, seen)) };
}

function summaryJson(s: ModelSummary): unknown {
  return { rows: s.rows.map((x) => [x.name, x.className, x.outputShape, x.params, x.trainableParams, x.nonTrainableParams, x.unbuilt, x.operation, r(x.layer.range)]), out: s.outputShape, total: s.totalParams, trainable: s.trainableParams, non: s.nonTrainableParams, style: s.style };
}

/** Everything an editor or the CLI reads from an analysis, with ranges as offsets. */
export function normalise(a: FileAnalysis): string {
  return JSON.stringify({
    keras: a.keras,
    typing: a.typing,
    failures: a.failures,
    models: a.models.map((s) => ({ model: modelJson(s.model), summary: summaryJson(s) })),
    snapshots: a.builder.snapshots.map((s) => ({ model: s.model.name, range: r(s.range), summary: summaryJson(s.summary) })),
    diagnostics: a.diagnostics.map((d) => [d.severity, d.code, d.message, r(d.range)]),
  });
}

/** Comments left out: a document opened by the hand-written parser has none (the interpreter skips them). */
function stripAst(n: PyNode): unknown {
  return [n.type, n.start, n.end, n.named, n.field, n.hasError, n.missing, uncommented(n).map(stripAst)];
}

function uncommented(n: PyNode): PyNode[] {
  return n.children.filter((c) => c.type !== 'comment');
}

/**
 * The module's own span is read by nothing (a leading comment moves its start, and a document
 * opened by the hand-written parser keeps no comments): its statements are compared.
 */
function stripRoot(n: PyNode): unknown {
  return [n.type, n.hasError, uncommented(n).map(stripAst)];
}

// -------------------------------------------------------------------------------------------------
// Edit scripts

const SNIPPETS = [
  'x', '1', '(', ')', ',', ' ', '\n', '#', '"', "'", ':', '=', '0', 'layers.Dense(', 'layers.Dense(10)', 'Conv2D(64, kernel_size=(',
  '\nmodel.add(layers.Dense(3))\n', '\nx = layers.Dense(7)(x)\n', '\ny = 3\n', '\ndef f():\n    return 1\n', '    ', 'model', 'input_shape',
];

interface Step {
  kind: string;
  text: string;
}

/** One random edit of `text`: characters or a whole line inserted or deleted, or a line half-typed. */
export function randomEdit(rng: Rng, text: string): Step {
  const lines = text.split('\n');
  const at = Math.floor(rng() * (text.length + 1));
  const kind = Math.floor(rng() * 7);
  switch (kind) {
    case 0: {
      const s = SNIPPETS[Math.floor(rng() * SNIPPETS.length)];
      return { kind: `insert ${JSON.stringify(s)} at ${at}`, text: text.slice(0, at) + s + text.slice(at) };
    }
    case 1: {
      const n = 1 + Math.floor(rng() * 4);
      return { kind: `delete ${n} at ${at}`, text: text.slice(0, at) + text.slice(at + n) };
    }
    case 2: {
      const i = Math.floor(rng() * lines.length);
      return { kind: `delete line ${i + 1}`, text: [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n') };
    }
    case 3: {
      // Copy a line elsewhere (a layer line duplicated, a statement moved).
      const i = Math.floor(rng() * lines.length);
      const j = Math.floor(rng() * (lines.length + 1));
      return { kind: `copy line ${i + 1} to ${j + 1}`, text: [...lines.slice(0, j), lines[i], ...lines.slice(j)].join('\n') };
    }
    case 4: {
      // Half of a line typed, then the rest (two steps would be better; one random cut suffices).
      const i = Math.floor(rng() * lines.length);
      const cut = Math.floor(rng() * (lines[i].length + 1));
      return { kind: `truncate line ${i + 1} at ${cut}`, text: [...lines.slice(0, i), lines[i].slice(0, cut), ...lines.slice(i + 1)].join('\n') };
    }
    case 5: {
      // A number changed (a Dense width, a kernel size).
      const nums = [...text.matchAll(/\b\d+\b/g)];
      if (nums.length === 0) return { kind: 'no-op', text };
      const m = nums[Math.floor(rng() * nums.length)];
      const v = String(1 + Math.floor(rng() * 64));
      return { kind: `number at ${m.index} → ${v}`, text: text.slice(0, m.index) + v + text.slice(m.index! + m[0].length) };
    }
    default: {
      // Swap two lines.
      const i = Math.floor(rng() * lines.length);
      const j = Math.floor(rng() * lines.length);
      const out = [...lines];
      [out[i], out[j]] = [out[j], out[i]];
      return { kind: `swap lines ${i + 1} and ${j + 1}`, text: out.join('\n') };
    }
  }
}

// -------------------------------------------------------------------------------------------------
// Corpus

function fixtures(): { name: string; text: string }[] {
  return fixtureSources('python', '.py').map(([name, text]) => ({ name, text }));
}

function generated(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const specs: ModelSpec[] = [];
  for (let i = 0; i < 10; i++) {
    const rng = mulberry32(caseSeed(SEED, i));
    const spec = randomValidSpec(rng, `gen_${i}`).spec;
    specs.push(spec);
    out.push({ name: `cnn-gen ${i} (${PY_MODEL_STYLES[i % PY_MODEL_STYLES.length]})`, text: emitPython(spec, rng, PY_MODEL_STYLES[i % PY_MODEL_STYLES.length]).main });
  }
  const module = emitPythonModule(specs, mulberry32(SEED));
  out.push({ name: 'cnn-gen module of 10 models', text: module });
  // The same as tf.keras 2 (its own automatic names: `input_1`, operation rows), and with a helper
  // that rebinds a module name under `global` (read as unknown everywhere).
  out.push({ name: 'cnn-gen module of 10 models, Keras 2', text: `# shape-lens: keras=2\n${module}` });
  out.push({ name: 'cnn-gen module of 10 models, a global', text: `${module}\n\nWIDTH = 8\n\n\ndef widen():\n    global WIDTH\n    WIDTH = WIDTH * 2\n\n\nextra = keras.Sequential([keras.Input((4,)), layers.Dense(WIDTH)])\n` });
  // List constants: only read (copied into each group), and ones that escape (grouped with their readers).
  const lists = `import keras
from keras import layers

FILTERS = [8, 16]
SIZES = [3, 5]
GROW = [4]


def build_a():
    inputs = keras.Input((32, 32, 3))
    x = inputs
    for f in FILTERS:
        x = layers.Conv2D(f, SIZES[0], padding="same")(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(len(FILTERS))(x), name="a")


def build_b():
    inputs = keras.Input((16,))
    x = layers.Dense(FILTERS[-1] * 2)(inputs)
    return keras.Model(inputs, layers.Dense(max(SIZES))(x), name="b")


def grow(widths):
    widths.append(widths[-1] * 2)
    return widths


a = build_a()
b = build_b()
c = keras.Sequential([keras.Input((4,))] + [layers.Dense(w) for w in grow(GROW)], name="c")
d = keras.Sequential([keras.Input((4,)), layers.Dense(GROW[-1])], name="d")
`;
  out.push({ name: 'list constants read and escaping', text: lists });
  return out;
}

/** Runs one edit script; returns a message describing the first step whose results differ. */
function runScript(name: string, start: string, rng: Rng, steps: number, stats: { incremental: number; full: number; ran: number; groups: number }, treesAtLastStepOnly = false): string | undefined {
  // Only the step budget: a time budget would make two analyses of the same text differ on a busy machine.
  const opts = { limits: { millis: 600_000 } };
  const doc = new IncrementalPython('main.py', opts);
  try {
    let text = start;
    let previous = start;
    const history: string[] = ['open'];
    for (let i = 0; i <= steps; i++) {
      if (i > 0) {
        const step = randomEdit(rng, text);
        history.push(step.kind);
        text = step.text;
      }
      const inc = doc.update(text);
      // The editor's analysis knows which line is being typed: a syntax error is read around it first
      // (and then around the lines of the call that began on it, which only the incremental analyser's last tree knows).
      if (text !== previous && doc.editedHint?.start !== editedLine(previous, text)) return `${name}: the edited line is ${doc.editedHint?.start}, not ${editedLine(previous, text)}, after ${history.join(' / ')}`;
      previous = text;
      const full = analyzePython(text, 'main.py', { ...opts, edited: doc.editedHint });
      if (doc.last.mode === 'incremental') {
        stats.incremental++;
        stats.ran += doc.last.ran;
        stats.groups += doc.last.groups;
      } else stats.full++;
      // A line being typed is read around (blanked), as the full analysis does.
      // (`root()` copies every released tree again: asked for only at the end, later updates meet released trees.)
      const tree = treesAtLastStepOnly && i < steps ? undefined : parsePython(doc.analysedText)!;
      const ast = tree && toAst(tree, undefined, treeSitterModule()).root;
      tree?.delete();
      const mine = ast && doc.root();
      if (ast && mine && JSON.stringify(stripRoot(mine)) !== JSON.stringify(stripRoot(ast))) {
        const [theirs, ours] = [uncommented(ast), uncommented(mine)];
        const i = theirs.findIndex((c, k) => JSON.stringify(stripAst(c)) !== JSON.stringify(stripAst(ours[k] ?? c)));
        const at = (n?: PyNode): string => (n ? JSON.stringify(stripAst(n)).slice(0, 300) : 'none');
        return `${name}: the tree differs from a full parse after ${history.join(' / ')}: top-level node ${i} (roots ${JSON.stringify(stripAst(ast)).slice(0, 80)} vs ${JSON.stringify(stripAst(mine)).slice(0, 80)})\n full: ${at(theirs[i])}\n mine: ${at(ours[i])}\n--- text ---\n${text}`;
      }
      const a = normalise(inc);
      const b = normalise(full);
      if (a !== b) {
        let k = 0;
        while (k < a.length && a[k] === b[k]) k++;
        return `${name}: results differ (mode ${doc.last.mode}) after ${history.join(' / ')}\n incremental: …${a.slice(Math.max(0, k - 200), k + 200)}\n full:        …${b.slice(Math.max(0, k - 200), k + 200)}\n--- text ---\n${text}`;
      }
    }
    return undefined;
  } finally {
    doc.dispose();
  }
}

test('incremental analysis equals a full analysis after every step of random edit scripts', async () => {
  await initPythonParser();
  const corpus = [...fixtures(), ...generated()];
  assert.ok(corpus.length >= 20, `corpus: ${corpus.length} files`);
  const stats = { incremental: 0, full: 0, ran: 0, groups: 0 };
  const failures: string[] = [];
  for (let i = 0; i < SCRIPTS && failures.length < 3; i++) {
    const file = corpus[i % corpus.length];
    const rng = mulberry32(caseSeed(SEED, 1000 + i));
    const failure = runScript(`script ${i} on ${file.name} (seed ${SEED})`, file.text, rng, STEPS, stats);
    if (failure) failures.push(failure);
  }
  if (process.env.SHAPE_LENS_EDIT_STATS) console.log(JSON.stringify(stats));
  assert.deepEqual(failures, [], failures.join('\n\n'));
  // The scripts must exercise the incremental path, not only the fallback.
  assert.ok(stats.incremental > stats.full / 4, `incremental ${stats.incremental} vs full ${stats.full}`);
  assert.ok(stats.ran < stats.groups, `groups re-run ${stats.ran} of ${stats.groups}`);
});

test('with every statement tree released after each update (copied again when run), results and trees still equal a full analysis', async () => {
  await initPythonParser();
  const corpus = [...fixtures(), ...generated()];
  const stats = { incremental: 0, full: 0, ran: 0, groups: 0 };
  const failures: string[] = [];
  const chars = keptTrees.chars;
  keptTrees.chars = 0;
  try {
    for (let i = 0; i < Math.ceil(SCRIPTS / 4) && failures.length < 3; i++) {
      const file = corpus[(i * 7) % corpus.length];
      const failure = runScript(`released trees: script ${i} on ${file.name} (seed ${SEED})`, file.text, mulberry32(caseSeed(SEED, 5000 + i)), STEPS, stats, true);
      if (failure) failures.push(failure);
    }
  } finally {
    keptTrees.chars = chars;
  }
  assert.deepEqual(failures, [], failures.join('\n\n'));
  assert.ok(stats.incremental > stats.full / 4, `incremental ${stats.incremental} vs full ${stats.full}`);
});

test('a large file is opened in pieces; edits after release the trees beyond the kept budget and copy them again: equal to a full analysis', async () => {
  await initPythonParser();
  const specs: ModelSpec[] = [];
  for (let i = 0; specs.length < 200; i++) specs.push(randomValidSpec(mulberry32(caseSeed(SEED, 9000 + i)), `big_${i}`).spec);
  // Comments and blank lines between statements (pieces are cut at statement starts only).
  const text = emitPythonModule(specs, mulberry32(SEED)).replace(/\n\n(?=[a-z])/g, '\n\n# next\n\n');
  assert.ok(text.length >= CHUNKED_FROM * 2, `${text.length} characters`);
  const doc = new IncrementalPython('big.py', { limits: { millis: 600_000 } });
  const check = (t: string, label: string): void => {
    const inc = doc.update(t);
    assert.equal(doc.last.mode, 'incremental', `${label}: ${doc.last.reason}`);
    assert.equal(normalise(inc), normalise(analyzePython(t, 'big.py', { limits: { millis: 600_000 } })), label);
    const lines = (doc as unknown as { tops: { start: number; line: number }[] }).tops.map((s) => s.line);
    assert.deepEqual(lines, (doc as unknown as { tops: { start: number }[] }).tops.map((s) => t.slice(0, s.start).split('\n').length - 1), `${label}: statement lines`);
  };
  try {
    check(text, 'open');
    // A width in the middle, then one near the end, then a line added at the start (every statement moves).
    let t = text;
    for (const from of [t.length >> 1, t.length - 2000]) {
      const at = t.slice(from).search(/Dense\(\d/) + from + 'Dense('.length;
      t = `${t.slice(0, at)}7${t.slice(at)}`;
      check(t, `width edit at ${at}`);
    }
    t = `# a comment\n${t}`;
    check(t, 'a line added at the start');
    const tree = parsePython(t)!;
    const ast = toAst(tree, undefined, treeSitterModule()).root;
    tree.delete();
    assert.equal(JSON.stringify(stripRoot(doc.root())), JSON.stringify(stripRoot(ast)));
  } finally {
    doc.dispose();
  }
});

const TWO_MODELS = `from tensorflow import keras
from tensorflow.keras import layers

a = keras.Sequential([keras.Input((8,)), layers.Dense(16), layers.Dense(4)])

b = keras.Sequential()
b.add(keras.Input((8,)))
b.add(layers.Dense(32))
b.add(layers.Dense(2))
`;

test('a width edit re-runs only the group of that model', async () => {
  await initPythonParser();
  const doc = new IncrementalPython('main.py');
  doc.update(TWO_MODELS);
  const text = TWO_MODELS.replace('layers.Dense(32)', 'layers.Dense(33)');
  const a = doc.update(text);
  assert.equal(doc.last.mode, 'incremental');
  assert.equal(doc.last.ran, 1);
  assert.equal(doc.last.copied, 1);
  assert.equal(normalise(a), normalise(analyzePython(text, 'main.py')));
  assert.deepEqual(a.models[1].rows.map((r) => [r.name, r.params]), [['dense_2', 8 * 33 + 33], ['dense_3', 33 * 2 + 2]]);
  doc.dispose();
});

test('new options with the same text (the Keras setting changed) give what a full analysis with them gives', async () => {
  await initPythonParser();
  const doc = new IncrementalPython('main.py');
  doc.update(TWO_MODELS);
  const keras2 = { keras: { explicit: { version: 2 as const, from: 'setting shapeLens.kerasVersion' } } };
  const a = doc.update(TWO_MODELS, keras2);
  assert.equal(a.keras?.version, 2);
  assert.equal(normalise(a), normalise(analyzePython(TWO_MODELS, 'main.py', keras2)));
  // And back.
  assert.equal(normalise(doc.update(TWO_MODELS, {})), normalise(analyzePython(TWO_MODELS, 'main.py')));
  doc.dispose();
});

test('a list constant only read (iterated, indexed, len) is copied into each group; one that escapes joins its readers', async () => {
  await initPythonParser();
  const text = `from tensorflow import keras
from tensorflow.keras import layers

FILTERS = [16, 32]

a = keras.Sequential([keras.Input((8,))] + [layers.Dense(f) for f in FILTERS])

b = keras.Sequential([keras.Input((8,)), layers.Dense(FILTERS[0]), layers.Dense(len(FILTERS))])
`;
  const doc = new IncrementalPython('main.py');
  doc.update(text);
  assert.equal(doc.last.groups, 2);
  const edited = text.replace('layers.Dense(len(FILTERS))', 'layers.Dense(len(FILTERS) + 1)');
  assert.equal(normalise(doc.update(edited)), normalise(analyzePython(edited, 'main.py')));
  assert.equal(doc.last.ran, 1);
  // FILTERS.append in one model's code: the list is shared state, the two are one group.
  const escaping = edited.replace('\nb = ', '\nFILTERS.append(64)\nb = ');
  const r = doc.update(escaping);
  assert.equal(normalise(r), normalise(analyzePython(escaping, 'main.py')));
  assert.equal(doc.last.groups, 1);
  // b: Dense(16) on 8 inputs, 8·16 + 16; Dense(len(FILTERS) + 1) sees the appended width: 3 + 1 = 4 units, 16·4 + 4.
  assert.deepEqual(r.models[1].rows.map((x) => x.params), [8 * 16 + 16, 16 * 4 + 4]);
  doc.dispose();
});

test("a layer added to the first model renames the second model's layers (Keras counts across the file)", async () => {
  await initPythonParser();
  const doc = new IncrementalPython('main.py');
  doc.update(TWO_MODELS);
  const text = TWO_MODELS.replace('layers.Dense(16), ', 'layers.Dense(16), layers.Dense(16), ');
  const a = doc.update(text);
  assert.equal(doc.last.mode, 'incremental');
  assert.deepEqual(a.models[1].rows.map((r) => r.name), ['dense_3', 'dense_4']);
  assert.equal(normalise(a), normalise(analyzePython(text, 'main.py')));
  doc.dispose();
});

test('a line being typed is read around without a full analysis; a syntax error over several lines, globals() are analysed whole', async () => {
  await initPythonParser();
  const doc = new IncrementalPython('main.py');
  doc.update(TWO_MODELS);
  // Typed key by key to the end of a call: only the line's own region is parsed again, the models run incrementally.
  const line = TWO_MODELS.indexOf('b.add(layers.Dense(2))');
  const lineEnd = TWO_MODELS.indexOf('\n', line);
  for (const typed of ['b.add(layers.Dense(2, ', 'b.add(layers.Dense(2, activation=', 'b.add(layers.Dense(2, activation="relu"', 'b.add(layers.Dense(2, activation="relu"))']) {
    const text = TWO_MODELS.slice(0, line) + typed + TWO_MODELS.slice(lineEnd);
    const a = doc.update(text);
    const done = typed.endsWith('))');
    assert.equal(normalise(a), normalise(analyzePython(text, 'main.py', { edited: { start: line, end: line } })), typed);
    assert.equal(doc.last.mode, 'incremental', typed);
    assert.deepEqual(a.typing, done ? undefined : { start: line, end: line + typed.length }, typed);
    // Model b holds the line: its totals are unknown while it is typed; a keeps its own.
    assert.deepEqual(a.models.map((m) => m.totalParams), done ? [8 * 16 + 16 + 16 * 4 + 4, 8 * 32 + 32 + 32 * 2 + 2] : [8 * 16 + 16 + 16 * 4 + 4, null], typed);
    assert.deepEqual(a.diagnostics.map((d) => d.code), done ? [] : ['syntax'], typed);
  }
  // Told nothing of where the user types, the full analysis reads around the same line here.
  const half = TWO_MODELS.replace('b.add(layers.Dense(2))', 'b.add(layers.Dense(2, activation=');
  assert.equal(normalise(doc.update(half)), normalise(analyzePython(half, 'main.py')));
  // A paste of several lines that do not parse: the whole file.
  const pasted = TWO_MODELS.replace('b.add(layers.Dense(2))', 'b.add(layers.Dense(2,\n    activation=(');
  assert.equal(normalise(doc.update(pasted)), normalise(analyzePython(pasted, 'main.py')));
  assert.deepEqual([doc.last.mode, doc.last.reason], ['full', 'a syntax error']);
  // A half-typed line put in with its line break (pasted, or a line duplicated then cut): read around, incrementally.
  doc.update(TWO_MODELS);
  const at = TWO_MODELS.indexOf('b.add(layers.Dense(2))');
  const inserted = `${TWO_MODELS.slice(0, at)}x = layers.Dense(\n${TWO_MODELS.slice(at)}`;
  const edited = { start: at, end: at + 'x = layers.Dense('.length };
  assert.equal(normalise(doc.update(inserted)), normalise(analyzePython(inserted, 'main.py', { edited })));
  assert.deepEqual([doc.last.mode, doc.editedHint], ['incremental', edited]);
  assert.deepEqual(doc.update(inserted.replace('Dense(\n', 'Dense(6\n')).typing, { start: at, end: at + 'x = layers.Dense(6'.length });
  assert.equal(doc.last.mode, 'incremental');
  // A document opened half-typed is analysed whole; the next keystroke on that line reads it around, by groups.
  const opened = new IncrementalPython('main.py');
  opened.update(inserted);
  assert.deepEqual([opened.last.mode, opened.last.reason], ['full', 'a syntax error']);
  const typedOn = inserted.replace('Dense(\n', 'Dense(6\n');
  const typed = opened.update(typedOn);
  assert.equal(normalise(typed), normalise(analyzePython(typedOn, 'main.py', { edited: opened.editedHint })));
  assert.deepEqual([opened.last.mode, typed.typing], ['incremental', { start: at, end: at + 'x = layers.Dense(6'.length }]);
  const dynamic = `${TWO_MODELS}globals()['c'] = a\n`;
  assert.equal(normalise(doc.update(dynamic)), normalise(analyzePython(dynamic, 'main.py')));
  assert.equal(doc.last.mode, 'full');
  // Back to plain code: incremental again.
  doc.update(TWO_MODELS);
  doc.update(TWO_MODELS.replace('Dense(4)', 'Dense(5)'));
  assert.equal(doc.last.mode, 'incremental');
  doc.dispose();
});

test('the first line of a call over several lines, retyped key by key: the lines of the call are read around, incrementally', async () => {
  await initPythonParser();
  const text = `from tensorflow import keras
from tensorflow.keras import layers

a = keras.Sequential([keras.Input((8,)), layers.Dense(4)], name="a")
c = keras.Sequential([
    keras.Input((8,)),
    layers.Dense(
        16,
        activation="relu",
    ),
    layers.Dense(2),
], name="c")
`;
  const doc = new IncrementalPython('main.py');
  doc.update(text);
  const line = text.indexOf('    layers.Dense(\n');
  const callEnd = text.indexOf('    ),') + '    )'.length;
  const first = '    layers.Dense(';
  for (let n = first.length - 1; n >= 4; n--) {
    const typed = text.slice(0, line) + first.slice(0, n) + text.slice(line + first.length);
    const a = doc.update(typed);
    const at = `${JSON.stringify(first.slice(0, n))}`;
    assert.equal(doc.last.mode, 'incremental', at);
    // Told the same lines, the whole analysis reads around them too.
    assert.equal(normalise(a), normalise(analyzePython(typed, 'main.py', { edited: doc.editedHint })), at);
    assert.equal(doc.editedHint?.start, line, at);
    // The call's lines, to its closing bracket (the text is shorter by what was erased).
    assert.ok(doc.editedHint!.end >= callEnd - (first.length - n), at);
    assert.equal(a.typing?.start, line, at);
    // a keeps its total (8·4 + 4 = 36); c, which holds the lines, is unknown.
    assert.deepEqual(a.models.map((m) => m.totalParams), [36, null], at);
  }
  doc.dispose();
});

test('subclassed models: a number edit stays incremental; moving an input-shape comment away from its class re-runs', async () => {
  await initPythonParser();
  const file = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'python', 'subclassed_models.py');
  const text = fs.readFileSync(file, 'utf8');
  const doc = new IncrementalPython('main.py');
  doc.update(text);
  const n = /\b(\d+)\b/.exec(text.slice(text.indexOf('class ')))!;
  const at = text.indexOf('class ') + n.index;
  const edited = `${text.slice(0, at)}${Number(n[1]) + 1}${text.slice(at + n[1].length)}`;
  assert.equal(normalise(doc.update(edited)), normalise(analyzePython(edited, 'main.py')));
  assert.equal(doc.last.mode, 'incremental');
  const comment = text.search(/#\s*shape-lens:\s*input_shape/);
  assert.ok(comment >= 0, 'the fixture has an input-shape comment');
  const lineEnd = text.indexOf('\n', comment);
  const moved = `${text.slice(0, lineEnd)}\n\n\n\n\n${text.slice(lineEnd)}`;
  assert.equal(normalise(doc.update(moved)), normalise(analyzePython(moved, 'main.py')));
  doc.dispose();
});

/** The start of the line of `text` an edit of `old` stayed inside (undefined: several lines, or none). */
function editedLine(old: string, text: string): number | undefined {
  let start = 0;
  while (start < old.length && start < text.length && old[start] === text[start]) start++;
  if (start === old.length && start === text.length) return undefined;
  let tail = 0;
  while (tail < old.length - start && tail < text.length - start && old[old.length - 1 - tail] === text[text.length - 1 - tail]) tail++;
  const changed = text.slice(start, text.length - tail);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  if (!changed.includes('\n')) return lineStart;
  // Lines only inserted (at most 20 line breaks besides a final one) are lines being typed too.
  const removed = old.length - tail - start;
  const breaks = changed.split('\n').length - 1 - (changed.endsWith('\n') ? 1 : 0);
  return removed === 0 && breaks <= 20 ? lineStart : undefined;
}
