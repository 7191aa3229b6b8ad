// Differential test of the JS/TS front end: random valid CNNs written as tfjs JavaScript and
// TypeScript in six code styles and seven import spellings, analysed without running them, compared
// layer by layer with tfjs-layers. Two oracles: the spec built by tfjs (shapes, params) and the
// emitted program itself, transpiled and run against tfjs (layer names and the InputLayer rows).
// Seeded: SHAPE_LENS_SEED=<n|random>, SHAPE_LENS_CASES=<count>, SHAPE_LENS_CASE=<index> (one case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { parse } from '@typescript-eslint/typescript-estree';
import { analyzeJs } from './helpers/tfjs';
import {
  caseSeed, emitJs, expandLayers, mulberry32, randomValidSpec, tfjsArgs,
  JS_IMPORT_STYLES, JS_MODEL_STYLES, TFJS_FACTORY,
  type JsModelStyle, type JsProgram, type LayerClass, type ModelSpec, type OracleModel,
} from './helpers/cnn-gen';
import type { JsonFile, JsonLayer } from '../../src/core/analysis';

const DEFAULT_SEED = 0x7f1a2024;
const envSeed = process.env.SHAPE_LENS_SEED;
const SEED = envSeed === 'random' ? Math.floor(Math.random() * 2 ** 32) : envSeed ? Number(envSeed) >>> 0 : DEFAULT_SEED;
const COUNT = Number(process.env.SHAPE_LENS_CASES ?? 300);
const ONLY = process.env.SHAPE_LENS_CASE === undefined ? undefined : Number(process.env.SHAPE_LENS_CASE);

// ---------------------------------------------------------------------------------------------
// Running an emitted program against tfjs (the name oracle)

/** One layer of the model the program builds when run, names renumbered as in a fresh process. */
interface RunLayer {
  name: string;
  className: string;
  outputShape: (number | null)[];
  params: number;
}

/** Every tfjs package spelling resolves to the one tfjs instance (so its name counters are shared). */
const TFJS_PACKAGES = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-layers']);

function transpile(text: string): string {
  // Always as `.ts`: TypeScript leaves `.mjs` input as ESM whatever the module option says.
  return ts.transpileModule(text, {
    fileName: 'module.ts',
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
}

/** Node-style resolution of a relative specifier among the program's files (`.js` written for `.ts` too). */
function resolveFile(files: Record<string, string>, from: string, spec: string): string {
  const base = path.posix.join(path.posix.dirname(from), spec);
  const stem = base.replace(/\.(js|mjs|cjs|ts)$/, '');
  for (const p of [base, `${stem}.ts`, `${stem}.js`, `${stem}.mjs`, `${stem}.cjs`]) if (files[p] !== undefined) return p;
  throw new Error(`cannot resolve ${spec} from ${from}`);
}

/**
 * tfjs numbers default layer names with process-wide per-class counters and offers no reset: read
 * each counter's current value by creating one throw-away layer per class, so names from the run
 * can be renumbered as in a fresh process (`conv2d_Conv2D17` → `conv2d_Conv2D1`).
 */
function probeCounters(classes: Iterable<LayerClass>): Map<string, number> {
  const factories = tf.layers as unknown as Record<string, (args: unknown) => tf.layers.Layer>;
  const minimal: Partial<Record<LayerClass, Record<string, unknown>>> = {
    Conv1D: { filters: 1, kernelSize: 1 }, Conv2D: { filters: 1, kernelSize: 1 }, Conv3D: { filters: 1, kernelSize: 1 },
    SeparableConv2D: { filters: 1, kernelSize: 1 }, DepthwiseConv2D: { kernelSize: 1 }, Conv2DTranspose: { filters: 1, kernelSize: 1 },
    Dense: { units: 1 }, Dropout: { rate: 0.5 }, Activation: { activation: 'relu' },
  };
  const counters = new Map<string, number>();
  for (const c of classes) {
    const layer = factories[TFJS_FACTORY[c]](minimal[c] ?? {});
    counters.set(c, Number(/(\d+)$/.exec(layer.name)![1]));
  }
  const input = tf.input({ shape: [1] });
  counters.set('InputLayer', Number(/(\d+)$/.exec(input.sourceLayer.name)![1]));
  return counters;
}

/** tfjs' default name of the `n`-th layer of a class: `${snake(class)}_${class}${n}`, inputs `input${n}`. */
function defaultName(className: string, n: number): string {
  if (className === 'InputLayer') return `input${n}`;
  const snake = className.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return `${snake}_${className}${n}`;
}

/** Transpiles and runs the program with tfjs, evaluates its entry and reads the model's layers. */
function runProgram(program: JsProgram, classes: Iterable<LayerClass>): RunLayer[] {
  const counters = probeCounters(classes);
  const all: Record<string, string> = { ...program.files, [program.file]: program.main };
  const cache = new Map<string, { exports: Record<string, unknown> }>();
  const load = (file: string): Record<string, unknown> => {
    const hit = cache.get(file);
    if (hit) return hit.exports;
    const mod = { exports: {} as Record<string, unknown> };
    cache.set(file, mod);
    let text = all[file];
    if (file === program.file) text += `\n;module.exports.__shapeLensEntry = () => (${program.entry});\n`;
    const req = (spec: string): unknown => (TFJS_PACKAGES.has(spec) ? tf : load(resolveFile(all, file, spec)));
    new Function('require', 'module', 'exports', transpile(text))(req, mod, mod.exports);
    return mod.exports;
  };
  const entry = load(program.file).__shapeLensEntry as () => tf.LayersModel;
  const model = entry();
  try {
    return model.layers.map((l) => {
      const className = l.getClassName();
      const m = new RegExp(`^${defaultName(className, 0).slice(0, -1)}(\\d+)$`).exec(l.name);
      const name = m ? defaultName(className, Number(m[1]) - (counters.get(className) ?? 0)) : l.name;
      return { name, className, outputShape: [...(l.outputShape as (number | null)[])], params: l.countParams() };
    });
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Cases

interface Case {
  index: number;
  spec: ModelSpec;
  program: JsProgram;
  oracle: OracleModel;
  /** Specs tfjs sized to a dim <= 0 (the generator's own arithmetic should make this rare). */
  rejected: number;
}

/** Case `index`: style and import style rotate with the index, everything else comes from its seed. */
function makeCase(index: number): Case {
  const rng = mulberry32(caseSeed(SEED, index));
  const { spec, oracle, rejected } = randomValidSpec(rng, `cnn_${index}`);
  const style = JS_MODEL_STYLES[index % JS_MODEL_STYLES.length];
  const importStyle = JS_IMPORT_STYLES[Math.floor(index / JS_MODEL_STYLES.length) % JS_IMPORT_STYLES.length];
  return { index, spec, program: emitJs(spec, rng, style, importStyle), oracle, rejected };
}

function reproduce(c: Case): string {
  const files = Object.entries(c.program.files).map(([p, t]) => `--- ${p} ---\n${t}`);
  return [
    `case #${c.index} [${c.program.style}, ${c.program.importStyle}, ${c.program.file}] — reproduce: SHAPE_LENS_SEED=${SEED} SHAPE_LENS_CASE=${c.index} node --test out/test/unit/differential-tfjs.test.js`,
    `--- ${c.program.file} ---`,
    c.program.main,
    ...files,
  ].join('\n');
}

const fmt = (v: unknown) => JSON.stringify(v);

/** Every difference between our JSON and the oracles, as readable lines. */
function compare(json: JsonFile, oracle: OracleModel, run: RunLayer[] | null): string[] {
  const out: string[] = [];
  const errors = [...json.diagnostics, ...json.models.flatMap((m) => m.diagnostics)].filter((d) => d.severity === 'error');
  for (const d of errors) out.push(`error diagnostic (line ${d.line}): ${d.code}: ${d.message}`);
  if (json.models.length !== 1) {
    out.push(`expected 1 model, got ${json.models.length}: ${fmt(json.models.map((m) => m.name))}`);
    if (json.models.length === 0) return out;
  }
  const m = json.models[0];
  const ours = m.layers.filter((l) => l.className !== 'InputLayer');
  if (ours.length !== oracle.layers.length) {
    out.push(`layer count ${ours.length} ≠ tfjs ${oracle.layers.length}\n  ours: ${ours.map((l) => l.className).join(', ')}\n  tfjs: ${oracle.layers.map((l) => l.className).join(', ')}`);
  }
  const n = Math.min(ours.length, oracle.layers.length);
  for (let i = 0; i < n; i++) {
    const a = ours[i];
    const e = oracle.layers[i];
    const where = `layer ${i} ${e.className} (ours ${a.name}, line ${a.line})`;
    if (a.className !== e.className) out.push(`${where}: class ${a.className} ≠ ${e.className}`);
    if (fmt(a.outputShape) !== fmt(e.outputShape)) out.push(`${where}: shape ${fmt(a.outputShape)} ≠ tfjs ${fmt(e.outputShape)}`);
    if (a.params !== e.params) out.push(`${where}: params ${a.params} ≠ tfjs ${e.params}`);
    if (a.trainableParams !== e.trainableParams) out.push(`${where}: trainable ${a.trainableParams} ≠ tfjs ${e.trainableParams}`);
    if (a.nonTrainableParams !== e.nonTrainableParams) out.push(`${where}: non-trainable ${a.nonTrainableParams} ≠ tfjs ${e.nonTrainableParams}`);
  }
  if (fmt(m.outputShape) !== fmt(oracle.outputShape)) out.push(`model output ${fmt(m.outputShape)} ≠ tfjs ${fmt(oracle.outputShape)}`);
  if (m.totalParams !== oracle.totalParams) out.push(`total params ${m.totalParams} ≠ tfjs ${oracle.totalParams}`);
  if (m.trainableParams !== oracle.trainableParams) out.push(`trainable params ${m.trainableParams} ≠ tfjs ${oracle.trainableParams}`);
  if (m.nonTrainableParams !== oracle.nonTrainableParams) out.push(`non-trainable params ${m.nonTrainableParams} ≠ tfjs ${oracle.nonTrainableParams}`);
  if (run) out.push(...compareNames(m.layers, run));
  return out;
}

/** Rows (InputLayer included) and names against the program as tfjs runs it, counters as in a fresh process. */
function compareNames(ours: readonly JsonLayer[], run: readonly RunLayer[]): string[] {
  const rows = (ls: readonly { name: string; className: string }[]) => ls.map((l) => `${l.name} (${l.className})`);
  if (ours.length !== run.length) return [`rows ${fmt(rows(ours))} ≠ tfjs run ${fmt(rows(run))}`];
  const out: string[] = [];
  run.forEach((e, i) => {
    const a = ours[i];
    if (a.name !== e.name || a.className !== e.className) out.push(`row ${i}: name ${a.name} (${a.className}) ≠ tfjs run ${e.name} (${e.className})`);
    else if (e.className === 'InputLayer' && fmt(a.outputShape) !== fmt(e.outputShape)) out.push(`row ${i}: input shape ${fmt(a.outputShape)} ≠ tfjs run ${fmt(e.outputShape)}`);
  });
  return out;
}

/** The emitted program means the spec: it parses, runs, and builds the oracle's layers. */
function checkProgram(c: Case): { run: RunLayer[] | null; problems: string[] } {
  const problems: string[] = [];
  for (const [file, text] of Object.entries({ ...c.program.files, [c.program.file]: c.program.main })) {
    try {
      parse(text, { range: true, loc: false, jsx: false });
    } catch (e) {
      problems.push(`${file} does not parse: ${(e as Error).message}`);
    }
  }
  let run: RunLayer[] | null = null;
  try {
    run = runProgram(c.program, new Set(expandLayers(c.spec).map((l) => l.className)));
  } catch (e) {
    problems.push(`running the program failed: ${(e as Error).stack ?? String(e)}`);
    return { run: null, problems };
  }
  const layers = run.filter((l) => l.className !== 'InputLayer');
  const got = layers.map((l) => `${l.className} ${fmt(l.outputShape)} ${l.params}`);
  const want = c.oracle.layers.map((l) => `${l.className} ${fmt(l.outputShape)} ${l.params}`);
  if (fmt(got) !== fmt(want)) problems.push(`the program builds\n  ${got.join('\n  ')}\nnot the spec's\n  ${want.join('\n  ')}`);
  return { run, problems };
}

const indices = ONLY !== undefined ? [ONLY] : Array.from({ length: COUNT }, (_, i) => i);
const started = Date.now();
const cases = indices.map(makeCase);
const generationMs = Date.now() - started;

/** Runs of the emitted programs, shared by the generator check and the name comparison. */
const runs = new Map<number, { run: RunLayer[] | null; problems: string[] }>();
let runMs = 0;
function runOf(c: Case): { run: RunLayer[] | null; problems: string[] } {
  let r = runs.get(c.index);
  if (!r) {
    const t0 = Date.now();
    r = checkProgram(c);
    runMs += Date.now() - t0;
    runs.set(c.index, r);
  }
  return r;
}

test(`the emitted JS/TS programs parse and build the spec's model when run (${cases.length} programs, seed ${SEED})`, (t) => {
  const bad = cases.map((c) => ({ c, problems: runOf(c).problems })).filter((f) => f.problems.length > 0);
  t.diagnostic(`${cases.length} programs parsed, transpiled and run in ${runMs} ms`);
  if (bad.length > 0) {
    const shown = bad.slice(0, 3).map((f) => `${f.problems.join('\n')}\n${reproduce(f.c)}`);
    assert.fail(`${bad.length}/${cases.length} emitted programs are wrong (a generator bug, seed ${SEED}):\n${bad.map((f) => `#${f.c.index}: ${f.problems[0].split('\n')[0]}`).join('\n')}\n\n${shown.join('\n\n')}`);
  }
});

for (const style of JS_MODEL_STYLES) {
  const mine = cases.filter((c) => c.program.style === style);
  if (mine.length === 0) continue;
  test(`JS/TS analysis matches tfjs-layers: ${style} (${mine.length} random models, seed ${SEED})`, async (t) => {
    const failures: { c: Case; problems: string[] }[] = [];
    const t0 = Date.now();
    for (const c of mine) {
      const { json } = await analyzeJs(c.program.main, c.program.files, c.program.file);
      const problems = compare(json, c.oracle, runOf(c).run);
      if (problems.length > 0) failures.push({ c, problems });
    }
    t.diagnostic(`seed ${SEED} (override with SHAPE_LENS_SEED); ${mine.length} models analysed and compared in ${Date.now() - t0} ms`);
    if (failures.length > 0) {
      const shown = failures.slice(0, 3).map((f) => `${f.problems.join('\n')}\n${reproduce(f.c)}`);
      const list = failures.map((f) => `#${f.c.index} [${f.c.program.importStyle}, ${f.c.program.file}]: ${f.problems[0].split('\n')[0]}`);
      assert.fail(`${failures.length}/${mine.length} ${style} models differ from tfjs (seed ${SEED}):\n${list.join('\n')}\n\n${shown.join('\n\n')}`);
    }
  });
}

test('the JS/TS generator is reproducible and covers every layer class, style and spelling', (t) => {
  t.diagnostic(`seed ${SEED}: ${cases.length} models generated and built in tfjs in ${generationMs} ms; ${cases.reduce((a, c) => a + c.rejected, 0)} rejected by tfjs`);
  const again = makeCase(cases[0].index);
  assert.equal(again.program.main, cases[0].program.main, 'same seed and index, same source');
  // The oracle's argument conversion is the one the emitters use.
  assert.deepEqual(tfjsArgs({ data_format: 'channels_first', kernel_size: [3, 3] }), { dataFormat: 'channelsFirst', kernelSize: [3, 3] });
  if (ONLY !== undefined || COUNT < 200) return;
  const seen = new Set<string>(cases.flatMap((c) => expandLayers(c.spec).map((l) => l.className)));
  const missing = (Object.keys(TFJS_FACTORY) as LayerClass[]).filter((c) => !seen.has(c));
  assert.deepEqual(missing, [], 'layer classes never generated');
  const combos = new Set(cases.map((c) => `${c.program.style}/${c.program.importStyle}`));
  assert.equal(combos.size, JS_MODEL_STYLES.length * JS_IMPORT_STYLES.length, 'every style × import style');
  const styles = new Set<JsModelStyle>(cases.map((c) => c.program.style));
  assert.equal(styles.size, JS_MODEL_STYLES.length);
  const exts = new Set(cases.map((c) => path.posix.extname(c.program.file)));
  assert.deepEqual([...exts].sort(), ['.cjs', '.js', '.mjs', '.ts'], 'TS, JS, ESM and CommonJS files');
  const all = cases.map((c) => [c.program.main, ...Object.values(c.program.files)].join('\n')).join('\n');
  for (const needle of ['...common', '...convDefaults', '${prefix}', 'for (const f of', 'for (let i = 0;', '.entries()', '.forEach((f', 'as tf.SymbolicTensor', ']!', 'module.exports', 'exports.', "require('./", 'tf.layers.inputLayer', 'class ', 'build()', '.reduce', 'maxPool', 'avgPool', "dataFormat: 'channelsFirst'", 'kernelSize = ', '=> {', 'import type', 'nf *= 2', 'of blocks', '} = {})', '.add(', 'batchInputShape', 'batchShape', "name: 'image'"]) {
    assert.ok(all.includes(needle), `no program contains ${needle}`);
  }
  assert.ok(cases.some((c) => c.spec.dataFormat === 'channels_first'), 'channels_first models');
  assert.ok([1, 2, 3].every((r) => cases.some((c) => c.spec.rank === r)), '1D, 2D and 3D models');
});
