// Incremental JS/TS analysis (src/frontends/tfjs/incremental.ts): the program parsed in pieces
// must be the whole parse's program, node for node with ranges, or decline; and `update` after
// every step of random edit scripts must equal a from-scratch `analyzeTfjs` of the same text.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parse } from '@typescript-eslint/typescript-estree';
import { analyzeTfjs, estreeOptions } from '../../src/frontends/tfjs/analyze';
import { cutsOf, IncrementalTfjs, keptTrees, type TfjsUpdateStats } from '../../src/frontends/tfjs/incremental';
import type { FileAnalysis } from '../../src/core/analysis';
import { analysisToJson } from '../../src/core/analysis';
import { caseSeed, emitJsModule, mulberry32, randomValidSpec, type ModelSpec } from './helpers/cnn-gen';
import { memoryJsHost } from './helpers/tfjs';
import { tfjsFrontEnd } from '../../src/frontends/tfjs/frontend';
import type { ProjectHost } from '../../src/frontends/common/frontend';
import { fixtureSources } from './helpers/paths';

/** Every tfjs fixture: path relative to the fixtures folder → text. */
function fixtures(): Record<string, string> {
  return Object.fromEntries(fixtureSources('tfjs'));
}

function generated(n: number, seed: number): string {
  const specs: ModelSpec[] = [];
  for (let i = 0; i < n; i++) specs.push(randomValidSpec(mulberry32(caseSeed(seed, i)), `m_${i}`).spec);
  return emitJsModule(specs, mulberry32(seed));
}

/** The whole parse's program, or null where it has a syntax error. */
function wholeProgram(text: string, file: string): unknown {
  try {
    return parse(text, estreeOptions(file));
  } catch {
    return null;
  }
}

/** Parses `text` in pieces with `doc` and checks the program against the whole parse; the number of pieces (0: declined). */
function checkProgram(doc: IncrementalTfjs, text: string, label: string): number {
  const got = doc.parsePieces(text);
  if (!got.program) return 0;
  assert.deepStrictEqual(got.program, wholeProgram(text, doc.file), label);
  return got.pieces;
}

/** What the editor shows of an analysis, with exact offsets. */
function normal(a: FileAnalysis): string {
  return JSON.stringify({
    json: analysisToJson(a),
    diagnostics: a.diagnostics.map((d) => [d.severity, d.code, d.message, d.range]),
    ranges: a.models.map((m) => [m.model.name, m.model.range, m.rows.map((r) => [r.layer.range, r.layer.calls.map((c) => c.range)])]),
    typing: a.typing,
    failures: a.failures,
  });
}

test('cuts before column-0 words that may start a statement, not before continuing words', () => {
  const text = 'a = 1\nb = 2\n  c\n(d)\nelse_ = 3\nelse {}\ninstanceof X\n$e = 4\n_f = 5\nfrom "x"\n';
  const lines = cutsOf(text, 1).map((at) => text.slice(at, text.indexOf('\n', at)));
  // Never before the first candidate line (the first piece holds code).
  assert.deepEqual(lines, ['a = 1', 'b = 2', 'else_ = 3', '$e = 4', '_f = 5']);
  // Fewer cuts when grouping, and they depend only on the line cut before.
  const gen = generated(10, 7);
  const all = cutsOf(gen, 1);
  const some = cutsOf(gen, 4);
  assert.ok(some.length > 4 && some.length < all.length / 2, `${some.length} of ${all.length}`);
  const edited = `const extra = 1;\n${gen}`;
  assert.deepEqual(cutsOf(edited, 4).slice(2).map((c) => c - 17), some.slice(1));
});

test('pieces give the whole parse program on every fixture, cut at every possible line and grouped', () => {
  const files = fixtures();
  assert.ok(Object.keys(files).length >= 12);
  let cut = 0;
  for (const [name, text] of Object.entries(files)) {
    for (const every of [1, 4]) if (checkProgram(new IncrementalTfjs(name, {}, every), text, `${name} every ${every}`) > 1) cut++;
  }
  assert.ok(cut >= 18, `${cut} parses in pieces`);
});

test('pieces give the whole parse program on generated modules (.ts and .mts)', () => {
  for (const seed of [1, 2, 3]) {
    const text = generated(12, seed);
    for (const file of ['gen.ts', 'gen.mts']) {
      assert.ok(checkProgram(new IncrementalTfjs(file, {}, 1), text, `${file} ${seed}`) > 50);
      assert.ok(checkProgram(new IncrementalTfjs(file, {}, 4), text, `${file} ${seed}`) > 10);
    }
  }
});

test('declines where a cut is not certain', () => {
  const cases: [string, string][] = [
    ['let\nx = 1;\ny = 2;\n', 'a.ts'], // `let` / `x = 1` parse alone, together one declaration
    ['x = 1;\n"use strict";\ny = 2;\n', 'a.ts'], // a string statement would become a directive (never cut: not a word)
    ['const s = `\nfoo = 1\n`;\nbar = 2;\n', 'a.ts'], // inside a template literal
    ['/*\nfoo = 1\n*/\nbar = 2;\n', 'a.ts'], // inside a comment
    ['const e = <div>\nfoo\n</div>;\nbar = 2;\n', 'a.tsx'], // inside JSX
    ['import * as tf from "x";\nawait (f);\nz = 1;\n', 'a.ts'], // a script piece of a module holding await
  ];
  for (const [text, file] of cases) {
    const doc = new IncrementalTfjs(file, {}, 1);
    const got = doc.parsePieces(text);
    if (got.program) assert.deepStrictEqual(got.program, wholeProgram(text, file), text);
    else assert.ok(got.reason, text);
    // Either way the analysis is the full analysis's.
    assert.equal(normal(doc.update(text)), normal(analyzeTfjs(text, file, { edited: doc.editedHint })), text);
  }
  assert.equal(new IncrementalTfjs('a.ts', {}, 1).parsePieces('let\nx = 1;\ny = 2;\n').program, undefined);
  // A kept piece with a new piece after it: the cut between them is checked again.
  const doc = new IncrementalTfjs('a.ts', {}, 1);
  assert.ok(doc.parsePieces('foo();\nlet\nif (a) {}\n').program);
  assert.equal(doc.parsePieces('foo();\nlet\nbar = 1;\n').program, undefined);
  assert.equal(normal(doc.update('foo();\nlet\nbar = 1;\n')), normal(analyzeTfjs('foo();\nlet\nbar = 1;\n', 'a.ts')));
});

test('a one-line edit parses one piece again; the rest are reused and shifted', () => {
  const text = generated(16, 11);
  const doc = new IncrementalTfjs('gen.ts');
  doc.update(text);
  assert.equal(doc.last.mode, 'pieces');
  assert.equal(doc.last.parsed, doc.last.pieces);
  const at = text.indexOf('units: ', text.length >> 1) + 'units: '.length;
  for (const edit of [`${text.slice(0, at)}1${text.slice(at)}`, `${text.slice(0, at)}${text.slice(at + 1)}`, `// header\n${text}`]) {
    const a = doc.update(edit);
    assert.equal(doc.last.mode, 'pieces');
    assert.ok(doc.last.parsed <= 2 && doc.last.pieces > 20, JSON.stringify(doc.last));
    assert.deepStrictEqual(doc.parsePieces(edit).program, wholeProgram(edit, 'gen.ts'));
    assert.equal(normal(a), normal(analyzeTfjs(edit, 'gen.ts', { edited: doc.editedHint })));
  }
  // A half-typed line: found by a whole parse, blanked, the rest from pieces. The first whole
  // parse is typescript's from scratch; the next keystrokes reparse it around the line only.
  const lineAt = text.lastIndexOf('\n', at) + 1;
  for (const [k, typed] of ['model.add(tf.layers.dense({ units: ', 'model.add(tf.layers.dense({ units: 3', 'model.add(tf.layers.dense({ units: 32', 'model.add(tf.layers.dense({ units: 3'].entries()) {
    const broken = `${text.slice(0, lineAt)}${typed}\n${text.slice(lineAt)}`;
    const a = doc.update(broken);
    assert.equal(doc.last.mode, 'pieces', JSON.stringify(doc.last));
    assert.ok(doc.last.repairs >= 1 && doc.last.parsed <= 2, JSON.stringify(doc.last));
    assert.equal(doc.last.fresh, k === 0 ? 1 : 0, JSON.stringify(doc.last));
    assert.equal(normal(a), normal(analyzeTfjs(broken, 'gen.ts', { edited: doc.editedHint })));
    assert.ok(a.diagnostics.some((d) => d.code === 'syntax'));
  }
  // Trimmed (the server does it when idle): the source file kept for the reparse is let go, so the
  // next keystroke parses the whole text from scratch once; the analysis is the same.
  doc.trim();
  const typed = `${text.slice(0, lineAt)}model.add(tf.layers.dense({ units: 32,\n${text.slice(lineAt)}`;
  const a = doc.update(typed);
  assert.equal(doc.last.fresh, 1, JSON.stringify(doc.last));
  assert.equal(normal(a), normal(analyzeTfjs(typed, 'gen.ts', { edited: doc.editedHint })));
});

test('through the front end: incremental(file).update gives what analyse gives, imports read through the host', () => {
  const files = fixtures();
  const reads: string[] = [];
  const host: ProjectHost = {
    readFile: (f) => {
      reads.push(f);
      return files[f.split(path.sep).join('/')];
    },
  };
  const doc = tfjsFrontEnd.incremental!('mnist/index.js');
  let text = files['mnist/index.js'];
  for (const step of [0, 1, 2]) {
    if (step > 0) text = text.replace(/\b(\d+)\b/, (m) => String(Number(m) + 1));
    reads.length = 0;
    const got = doc.update(text, { host });
    assert.ok(reads.length > 0, 'the imported module is read through the host each update');
    assert.equal(normal(got), normal(tfjsFrontEnd.analyse(text, 'mnist/index.js', { host })), `step ${step}`);
  }
  // The server's idle trim reaches the front end's document (its adapter once dropped it).
  assert.equal(typeof doc.trim, 'function');
  doc.trim!();
  assert.ok(normal(doc.update(text, { host })).includes('conv2d'));
  doc.dispose();
});

// ---------------------------------------------------------------------------------------------
// Differential: random edit scripts

type Rng = () => number;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** One random edit of `text`: characters or lines inserted, deleted, duplicated, half-typed. */
function edit(rng: Rng, text: string): string {
  const at = int(rng, 0, text.length);
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  let lineEnd = text.indexOf('\n', at);
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd);
  const pieces = ['(', ')', '{', '}', '[', ']', ';', ',', '\n', '`', "'", '"', '/', '*', ' ', 'x', '1', '0', '.', '=', '<', 'let ', 'else ', '\nfoo = 1;\n', '\nconst ', 'tf.layers.dense({units: 4})', 'await ', '//', '/*', '*/'];
  switch (int(rng, 0, 7)) {
    case 0:
      return text.slice(0, at) + pieces[int(rng, 0, pieces.length - 1)] + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(Math.min(text.length, at + int(rng, 1, 12)));
    case 2: // delete the line
      return text.slice(0, lineStart) + text.slice(Math.min(text.length, lineEnd + 1));
    case 3: // duplicate the line
      return `${text.slice(0, lineEnd)}\n${line}${text.slice(lineEnd)}`;
    case 4: {
      // a half-typed copy of some other line, at the start of a line
      const lines = text.split('\n');
      const src = lines[int(rng, 0, lines.length - 1)];
      return `${text.slice(0, lineStart)}${src.slice(0, int(rng, 0, src.length))}\n${text.slice(lineStart)}`;
    }
    case 5: {
      // a number changed (the common keystroke)
      const m = /\d+/.exec(text.slice(at));
      if (!m) return text;
      const p = at + m.index;
      return `${text.slice(0, p)}${int(rng, 1, 300)}${text.slice(p + m[0].length)}`;
    }
    case 6: // a character deleted
      return text.slice(0, at) + text.slice(at + 1);
    default: // the line's indentation removed (column-0 text that was inside a block)
      return text.slice(0, lineStart) + line.trimStart() + text.slice(lineEnd);
  }
}

test('differential: update equals analyzeTfjs after every step of random edit scripts', (t) => {
  randomEditScripts(t, 8);
});

/** `scriptsPerCase` random edit scripts per fixture (and two generated modules), each step checked against `analyzeTfjs`. */
function randomEditScripts(t: TestContext, scriptsPerCase: number): TfjsUpdateStats[] {
  const stats: TfjsUpdateStats[] = [];
  const files = fixtures();
  const host = memoryJsHost(files);
  const cases: [string, string][] = [...Object.entries(files), ['gen.ts', generated(6, 5)], ['gen.mts', generated(4, 6)]];
  let steps = 0;
  let incremental = 0;
  let clean = 0;
  let grouped = 0;
  let scripts = 0;
  for (const [ci, [name, original]] of cases.entries()) {
    for (let s = 0; s < scriptsPerCase; s++) {
      scripts++;
      const rng = mulberry32(caseSeed(0x7e57, ci * 100 + s));
      const doc = new IncrementalTfjs(name, { host }, s % 2 === 0 ? 1 : 4);
      let text = original;
      for (let step = 0; step < 8; step++) {
        if (step > 0) text = edit(rng, text);
        const got = doc.update(text);
        const label = `${name} script ${s} step ${step}`;
        assert.equal(normal(got), normal(analyzeTfjs(text, name, { host, edited: doc.editedHint })), label);
        stats.push(doc.last);
        if (doc.last.mode === 'pieces') incremental++;
        if (doc.last.run === 'groups') grouped++;
        if (doc.last.mode === 'pieces' && doc.last.repairs === 0) {
          clean++;
          // (Trees let go are stand-ins in the program.)
          if (keptTrees.chars > 0) assert.deepStrictEqual(doc.parsePieces(text).program, wholeProgram(text, name), label);
        }
        steps++;
      }
    }
  }
  t.diagnostic(`${scripts} scripts, ${steps} steps: ${incremental} in pieces, ${clean} of them without a repair; ${grouped} interpreted by groups`);
  assert.ok(scripts >= 12 * scriptsPerCase, `${scripts} scripts`);
  // Most steps end in pieces (the rest have a doubtful cut, or too many errors), many of them after a repair.
  assert.ok(incremental > steps / 2 && clean > steps / 5 && incremental - clean > steps / 5, `${incremental} of ${steps} steps in pieces, ${clean} without a repair`);
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Differential: statement-level edits that keep the text valid, so most steps are interpreted by
// groups: builders' bodies, constants they read, layers added and removed before others (automatic
// names), names bound again, aliases, mutations, calls of builders nothing called.

/** Statements to insert at a top-level line (`N`: a fresh number; `M`: a model name, `B`: a builder name, `C`: a constant of the text). */
const INSERTS = [
  'const extra_N = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });',
  'tf.layers.dense({ units: 2 });',
  'const lone_N = tf.layers.conv2d({ filters: 2, kernelSize: 1 });',
  'B();',
  'const built_N = B();',
  'C = 7;',
  'M.summary();',
  'const alias_N = M;\nalias_N.add(tf.layers.dense({ units: 1 }));',
  'function helper_N() {\n  return tf.layers.dense({ units: 5 });\n}',
  'const x = 1;',
  'let input = tf.input({ shape: [3] });',
  'var counter = 0;\ncounter++;',
  'if (true) {\n  var flagged = tf.layers.dense({ units: 3 });\n}',
  'class Extra_N {\n  build() {\n    return tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2] })] });\n  }\n}',
  'module.exports = { M };',
  'M = tf.sequential();',
  'const f_N = () => tf.model({ inputs: tf.input({ shape: [2] }), outputs: tf.layers.dense({ units: 1 }).apply(tf.input({ shape: [2] })) });',
  'M.layers[0].trainable = false;',
];

/** One edit of `text` that usually keeps it valid. */
function validEdit(rng: Rng, text: string, n: number): string {
  const lines = text.split('\n');
  const pick = <T>(xs: T[]): T | undefined => (xs.length > 0 ? xs[int(rng, 0, xs.length - 1)] : undefined);
  const names = (re: RegExp): string[] => [...new Set([...text.matchAll(re)].map((m) => m[1]))];
  const lineOf = (test: (l: string) => boolean): number | undefined => pick(lines.map((l, i) => (test(l) ? i : -1)).filter((i) => i >= 0));
  const join = (ls: string[]): string => ls.join('\n');
  switch (int(rng, 0, 6)) {
    case 0: {
      // a number changed (a layer argument, a constant a builder reads)
      const i = lineOf((l) => /\d/.test(l));
      if (i === undefined) return text;
      lines[i] = lines[i].replace(/\d+/, () => String(int(rng, 1, 40)));
      return join(lines);
    }
    case 1: {
      // a layer line inside a function or class duplicated (a builder's body changed)
      const i = lineOf((l) => /^\s+.*tf\.layers\.\w+\(.*;\s*$/.test(l));
      if (i === undefined) return text;
      lines.splice(i, 0, lines[i]);
      return join(lines);
    }
    case 2: {
      // a one-line statement deleted (layers after it renumbered)
      const i = lineOf((l) => /^[\w$].*;\s*$/.test(l) && !/^(import|export \{)/.test(l));
      if (i === undefined) return text;
      lines.splice(i, 1);
      return join(lines);
    }
    case 3: {
      // two one-line top-level statements swapped
      const i = lineOf((l, ) => /^[\w$].*;\s*$/.test(l));
      if (i === undefined || i + 1 >= lines.length || !/^[\w$].*;\s*$/.test(lines[i + 1])) return text;
      [lines[i], lines[i + 1]] = [lines[i + 1], lines[i]];
      return join(lines);
    }
    case 4: {
      // a layer factory changed
      const i = lineOf((l) => /tf\.layers\.(dense|conv2d|flatten|batchNormalization)\(/.test(l));
      if (i === undefined) return text;
      lines[i] = lines[i].replace(/tf\.layers\.(dense|conv2d|flatten|batchNormalization)\(/, () => `tf.layers.${pick(['dense', 'conv2d', 'flatten', 'batchNormalization', 'dropout'])}(`);
      return join(lines);
    }
    case 5: {
      // a name bound again or read instead of another
      const models = names(/\b(model_\d+|input_\d+|h_\d+)\b/g);
      const a = pick(models);
      const b = pick(models);
      if (!a || !b) return text;
      const i = lineOf((l) => l.includes(a));
      if (i === undefined) return text;
      lines[i] = lines[i].replace(a, b);
      return join(lines);
    }
    default: {
      // a statement inserted at a top-level line
      const at = lineOf((l) => /^([\w$]|\/\/|$)/.test(l)) ?? lines.length;
      const model = pick(names(/^(?:export )?(?:const|let) (\w+)(?::[^=]+)? = tf\.(?:sequential|model)\(/gm)) ?? 'model_0';
      const builder = pick(names(/^(?:export )?(?:function (\w+)|const (\w+) = \()/gm).filter(Boolean)) ?? pick(names(/^(?:export )?const (\w+) = \(/gm)) ?? 'buildModel_2';
      const constant = pick(names(/^(?:export )?const ([A-Z][A-Z_0-9]*) = \d+;/gm)) ?? 'KERNEL';
      const stmt = pick(INSERTS)!.replace(/\bM\b/g, model).replace(/\bB\b/g, builder).replace(/\bC\b/g, constant).replace(/_N\b/g, `_n${n}`);
      lines.splice(at, 0, stmt);
      return join(lines);
    }
  }
}

test('differential: statement-level edits (builders, constants, automatic names) by groups equal analyzeTfjs', (t) => {
  validEditScripts(t, 4);
});

/** `scriptsPerCase` scripts of statement-level edits per case, each step checked against `analyzeTfjs`. */
function validEditScripts(t: TestContext, scriptsPerCase: number): TfjsUpdateStats[] {
  const stats: TfjsUpdateStats[] = [];
  const files = fixtures();
  const host = memoryJsHost(files);
  const cases: [string, string][] = [['gen1.ts', generated(8, 11)], ['gen2.ts', generated(10, 12)], ['gen3.js', generated(6, 13)], ...Object.entries(files).filter(([name]) => !name.includes('syntax-error'))];
  let steps = 0;
  let grouped = 0;
  let reused = 0;
  for (const [ci, [name, original]] of cases.entries()) {
    for (let s = 0; s < scriptsPerCase; s++) {
      const rng = mulberry32(caseSeed(0x9a0c, ci * 100 + s));
      const doc = new IncrementalTfjs(name, { host }, s % 2 === 0 ? 1 : 4);
      let text = original;
      for (let step = 0; step < 12; step++) {
        if (step > 0) text = validEdit(rng, text, step);
        const got = doc.update(text);
        assert.equal(normal(got), normal(analyzeTfjs(text, name, { host, edited: doc.editedHint })), `${name} script ${s} step ${step}`);
        stats.push(doc.last);
        steps++;
        if (doc.last.run === 'groups') {
          grouped++;
          if (doc.last.ran < doc.last.groups) reused++;
        }
      }
    }
  }
  t.diagnostic(`${steps} steps: ${grouped} interpreted by groups, ${reused} of them reusing some group's run`);
  assert.ok(grouped > steps / 2 && reused > steps / 3, `${grouped} of ${steps} steps by groups, ${reused} reusing runs`);
  return stats;
}

test("with every piece's trees let go after each update (parsed again when their group runs), both differentials and typing key by key still equal analyzeTfjs", (t) => {
  const chars = keptTrees.chars;
  keptTrees.chars = 0;
  try {
    const stats = [...randomEditScripts(t, 3), ...validEditScripts(t, 2), ...typeLinesKeyByKey(t)];
    const copied = stats.reduce((n, s) => n + s.copied, 0);
    t.diagnostic(`${copied} pieces parsed again in ${stats.length} steps`);
    assert.ok(copied > stats.length, `${copied} pieces parsed again in ${stats.length} steps`);
  } finally {
    keptTrees.chars = chars;
  }
});

test('a one-line edit runs only the group it is in; a builder and the constant it reads run together', () => {
  const text = generated(8, 21);
  const doc = new IncrementalTfjs('gen.ts');
  doc.update(text);
  assert.equal(doc.last.run, 'groups');
  assert.ok(doc.last.groups >= 8, `${doc.last.groups} groups`);
  const at = text.indexOf('units: ') + 'units: '.length;
  const edited = `${text.slice(0, at)}7${text.slice(at)}`;
  const got = doc.update(edited);
  assert.equal(doc.last.run, 'groups');
  assert.equal(doc.last.ran, 1);
  assert.equal(normal(got), normal(analyzeTfjs(edited, 'gen.ts', { edited: doc.editedHint })));
  // A constant read by a builder: its statement is in the builder's group (not copied: it is a list).
  const m = /^export const (FILTERS_\d+)(?:: number\[\])? = \[(\d+)/m.exec(edited);
  assert.ok(m, 'a FILTERS constant');
  const changed = edited.replace(m[0], m[0].slice(0, -m[2].length) + String(Number(m[2]) + 1));
  assert.equal(normal(doc.update(changed)), normal(analyzeTfjs(changed, 'gen.ts', { edited: doc.editedHint })));
  assert.equal(doc.last.ran, 1);
});

test('a layer line typed key by key stays by groups (the line left out while it does not parse), each step as analyzeTfjs', (t) => {
  typeLinesKeyByKey(t);
});

/** Four kinds of layer lines typed key by key in a generated module, each step checked against `analyzeTfjs`; the updates' stats. */
function typeLinesKeyByKey(t: TestContext): TfjsUpdateStats[] {
  const stats: TfjsUpdateStats[] = [];
  const text = generated(8, 31);
  const lines = text.split('\n');
  // A top-level `model.add(...)` (the line after it starts with the same model: `model_0.` reads on
  // into it), a reassignment at top level, a line of a builder's body, an element of a layer list.
  const kinds = [/^model_\d+\.add\(tf\.layers\./, /^y_\d+ = tf\.layers\./, /^ {2}x = tf\.layers\./, /^ {4}tf\.layers\.\w+\(\{/];
  let typingSteps = 0;
  let dangling = 0;
  for (const kind of kinds) {
    const i = lines.findIndex((l, j) => kind.test(l) && j + 1 < lines.length && kind.test(lines[j + 1]));
    assert.ok(i >= 0, String(kind));
    const line = lines[i];
    const doc = new IncrementalTfjs('gen.ts');
    const before = lines.slice(0, i).join('\n') + '\n';
    const after = '\n' + lines.slice(i + 1).join('\n');
    let last: FileAnalysis | undefined;
    for (let n = 0; n <= line.length; n++) {
      const typed = before + line.slice(0, n) + after;
      const got = doc.update(typed);
      stats.push(doc.last);
      const label = `${line} (${n} characters)`;
      assert.equal(doc.last.run, 'groups', `${label}: ${doc.last.runReason}`);
      assert.equal(normal(got), normal(analyzeTfjs(typed, 'gen.ts', { edited: doc.editedHint })), label);
      assert.equal(got.text, typed);
      if (got.typing) {
        typingSteps++;
        if (!got.diagnostics.some((d) => d.code === 'syntax')) dangling++;
        // The next keystroke on a line left out runs again only the group holding it (none when it is a statement of its own).
        if (last?.typing?.start === got.typing.start) assert.ok(doc.last.ran <= (kind.source.startsWith('^ ') ? 1 : 0), `${label}: ran ${doc.last.ran} of ${doc.last.groups}`);
      }
      last = got;
    }
    // The line typed whole: the module's analysis again, by groups.
    assert.equal(normal(last!), normal(analyzeTfjs(text, 'gen.ts')));
  }
  t.diagnostic(`${typingSteps} steps with a line left out, ${dangling} of them a dangling dot`);
  assert.ok(typingSteps > 60 && dangling >= 1, `${typingSteps} steps with a line being typed, ${dangling} dangling`);
  return stats;
}
