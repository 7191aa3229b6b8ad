// Benchmark: one large generated Keras Python module and one large tfjs TypeScript module (many
// models, helpers, loops, constants): bare parse (tree-sitter / typescript-estree) vs full analysis
// (`analyzePython` / `analyzeTfjs`) vs building the same models with tfjs-layers; re-analysis of a
// one-line edit with the incremental Python and JS/TS analyses vs the full analysis.
// Prints medians and ratios; asserts nothing. Seed: SHAPE_LENS_SEED (default fixed);
// SHAPE_LENS_BENCH=incremental,incremental-tfjs runs only those sections.
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { parse as parseEstree } from '@typescript-eslint/typescript-estree';
import { initPythonParser, parsePython } from '../src/frontends/python/parser';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzePython } from '../src/frontends/python/analyze';
import { parseFast } from '../src/frontends/python/fast-parse';
import { IncrementalPython, type UpdateStats } from '../src/frontends/python/incremental';
import { diskHost } from '../test/unit/helpers/python';
import { ModuleCache } from '../src/frontends/python/modules';
import { analyzeTfjs } from '../src/frontends/tfjs/analyze';
import { IncrementalTfjs, type TfjsUpdateStats } from '../src/frontends/tfjs/incremental';
import { analysisToJson } from '../src/core/analysis';
import { modelCost } from '../src/core/cost';
import { symbolicModel } from '../src/core/symbolic';
import { runStage } from '../webview/tensor';
import { featureMap, syntheticMap, type FeatureMap } from '../webview/inputs';
import { buildTfjs, caseSeed, emitJsModule, emitPythonModule, expandLayers, mulberry32, randomValidSpec, type ModelSpec } from '../test/unit/helpers/cnn-gen';

const SEED = process.env.SHAPE_LENS_SEED ? Number(process.env.SHAPE_LENS_SEED) >>> 0 : 0xbe4c4;
const MIN_LINES = 1500;
/** The tfjs module's minimum size (JS spells the same models in fewer lines than Python's). */
const MIN_JS_LINES = 1200;

interface Timing {
  name: string;
  runs: number;
  median: number;
  min: number;
  max: number;
}

function time(name: string, warmup: number, runs: number, fn: () => void): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const mid = ms.length >> 1;
  const median = ms.length % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
  return { name, runs, median, min: ms[0], max: ms[ms.length - 1] };
}

/** Valid specs until the module `emit` writes reaches `minLines` lines (emitted every `every` specs: large modules). */
function generate(emit: (specs: readonly ModelSpec[], rng: ReturnType<typeof mulberry32>) => string, minLines: number, every = 1): { specs: ModelSpec[]; text: string } {
  const specs: ModelSpec[] = [];
  let text = '';
  for (let i = 0; text.split('\n').length < minLines; i++) {
    specs.push(randomValidSpec(mulberry32(caseSeed(SEED, i)), `bench_${i}`).spec);
    if (specs.length % every === 0) text = emit(specs, mulberry32(SEED));
  }
  return { specs, text };
}

/**
 * A module of about `lines` lines: the first n specs, n found by a few proportional guesses (emitting
 * is linear; growing one spec at a time would be quadratic at 20,000 lines).
 */
function generateSized(emit: (specs: readonly ModelSpec[], rng: ReturnType<typeof mulberry32>) => string, lines: number): { specs: ModelSpec[]; text: string } {
  const specs: ModelSpec[] = [];
  const more = (n: number) => {
    for (let i = specs.length; i < n; i++) specs.push(randomValidSpec(mulberry32(caseSeed(SEED, i)), `bench_${i}`).spec);
  };
  let n = 8;
  let text = '';
  for (let round = 0; round < 6; round++) {
    more(n);
    text = emit(specs.slice(0, n), mulberry32(SEED));
    const got = text.split('\n').length;
    if (Math.abs(got - lines) < lines * 0.03) break;
    n = Math.max(1, Math.round((n * lines) / got));
  }
  return { specs: specs.slice(0, n), text };
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (v: number) => v.toFixed(2).padStart(10);

/** The table both sections print: input size, agreement with tfjs, the three timings and their ratios. */
function report(title: string, input: { text: string; specs: ModelSpec[]; found: number; errors: number; agree: number }, parse: Timing, analysis: Timing, build: Timing, fastParse?: Timing): void {
  const lines = input.text.split('\n').length;
  const layers = input.specs.reduce((a, s) => a + expandLayers(s).length, 0);
  console.log('');
  console.log(`${title} — seed ${SEED}`);
  console.log(`input: ${lines} lines, ${(input.text.length / 1024).toFixed(1)} KB, ${input.specs.length} models, ${layers} layers`);
  console.log(`analysis found ${input.found} models, ${input.errors} error diagnostics; ${input.agree}/${input.specs.length} model totals equal tfjs`);
  console.log('');
  console.log(`${pad('phase', 24)}${'runs'.padStart(6)}${'median ms'.padStart(11)}${'min ms'.padStart(11)}${'max ms'.padStart(11)}`);
  for (const t of [parse, ...(fastParse ? [fastParse] : []), analysis, build]) {
    console.log(`${pad(t.name, 24)}${String(t.runs).padStart(6)} ${num(t.median)} ${num(t.min)} ${num(t.max)}`);
  }
  console.log('');
  console.log(`${pad('analysis / parse', 24)}${(analysis.median / parse.median).toFixed(2).padStart(8)}×`);
  if (fastParse) console.log(`${pad('parseFast / parse', 24)}${(fastParse.median / parse.median).toFixed(2).padStart(8)}×`);
  console.log(`${pad('tfjs build / analysis', 24)}${(build.median / analysis.median).toFixed(2).padStart(8)}×`);
  console.log(`${pad('analysis per 1k lines', 24)}${((analysis.median * 1000) / lines).toFixed(2).padStart(8)} ms`);
  console.log('');
}

/** Model totals as multisets, ours vs tfjs: the size of their intersection (a sanity figure, not an assertion). */
function agreement(specs: readonly ModelSpec[], totals: (number | null)[]): number {
  const left = new Map<number, number>();
  for (const t of totals) if (t !== null) left.set(t, (left.get(t) ?? 0) + 1);
  let agree = 0;
  for (const s of specs) {
    const want = buildTfjs(s).totalParams;
    const n = left.get(want) ?? 0;
    if (n > 0) {
      left.set(want, n - 1);
      agree++;
    }
  }
  return agree;
}

async function python(): Promise<void> {
  await initPythonParser();
  const { specs, text } = generate(emitPythonModule, MIN_LINES);

  const probe = analyzePython(text, 'bench.py');
  const found = probe.models.length;
  const errors = probe.diagnostics.filter((d) => d.severity === 'error').length;
  const agree = agreement(specs, probe.models.map((m) => m.totalParams));

  const parse = time('tree-sitter parse', 20, 30, () => {
    const tree = parsePython(text);
    if (!tree) throw new Error('parser not ready');
    tree.delete();
  });
  // The hand-written parser analyzePython tries first (fast-parse.ts): the same tree, built in JS.
  const fastParse = time('parseFast', 20, 30, () => {
    if (!parseFast(text)) throw new Error('parseFast refused the bench module');
  });
  const analysis = time('analyzePython (full)', 10, 30, () => {
    analyzePython(text, 'bench.py');
  });
  const build = time('tfjs-layers build', 2, 15, () => {
    for (const s of specs) buildTfjs(s);
  });

  report('Shape Lens benchmark', { text, specs, found, errors, agree }, parse, analysis, build, fastParse);
}

/**
 * Re-analysis after a one-line edit (a Dense width in a model in the middle of the module, changed
 * back and forth) with `IncrementalPython`, against the full analysis of the same texts, for a
 * ~1,000-line and a ~20,000-line generated module. Also where the incremental time goes (medians
 * of each phase) and whether the two results agree.
 */
async function incremental(): Promise<void> {
  await initPythonParser();
  console.log('');
  console.log(`Shape Lens benchmark (incremental Python analysis after a one-line edit) — seed ${SEED}`);
  console.log('');
  console.log(`${pad('module', 22)}${'open'.padStart(10)}${'edit median'.padStart(13)}${'edit min'.padStart(10)}${'full median'.padStart(13)}${'full/edit'.padStart(11)}   phases (parse / run / merge)           groups  same`);
  for (const minLines of [1000, 20000]) {
    const { text } = generate(emitPythonModule, minLines, minLines > 5000 ? 20 : 1);
    const at = text.indexOf('layers.Dense(', text.length >> 1) + 'layers.Dense('.length;
    const width = /^\d+/.exec(text.slice(at))?.[0] ?? '1';
    const texts = [text, text.slice(0, at) + String(Number(width) + 1) + text.slice(at + width.length)];
    // Opening: a new document's first update (every piece parsed, every group run), warmed up like the full analysis.
    const open = time('open', minLines > 5000 ? 1 : 3, minLines > 5000 ? 3 : 10, () => {
      const d = new IncrementalPython('bench.py');
      d.update(text);
      d.dispose();
    }).median;
    const doc = new IncrementalPython('bench.py');
    doc.update(text);
    const phases: NonNullable<UpdateStats['ms']>[] = [];
    let i = 0;
    const edit = time('edit', 10, minLines > 5000 ? 40 : 100, () => {
      doc.update(texts[++i % 2]);
      if (doc.last.ms) phases.push(doc.last.ms);
    });
    const full = time('full', minLines > 5000 ? 1 : 5, minLines > 5000 ? 5 : 20, () => {
      analyzePython(texts[++i % 2], 'bench.py');
    });
    // A line being typed: the Dense line cut after its width (a syntax error), one more digit typed and taken back.
    const lineEnd = text.indexOf('\n', at);
    const cut = at + width.length;
    const broken = [text.slice(0, cut) + text.slice(lineEnd), text.slice(0, cut) + '0' + text.slice(lineEnd)];
    doc.update(broken[0]);
    const typing = time('typing', 10, minLines > 5000 ? 40 : 100, () => {
      doc.update(broken[++i % 2]);
    });
    const typingMode = doc.last.mode;
    const typingSame = JSON.stringify(analysisToJson(doc.update(broken[0]))) === JSON.stringify(analysisToJson(analyzePython(broken[0], 'bench.py')));
    const last = doc.update(texts[0]);
    const reference = analyzePython(texts[0], 'bench.py');
    const same = JSON.stringify(analysisToJson(last)) === JSON.stringify(analysisToJson(reference));
    const med = (k: keyof NonNullable<UpdateStats['ms']>): string => {
      const xs = phases.map((p) => p[k]).sort((a, b) => a - b);
      return (xs[xs.length >> 1] ?? 0).toFixed(1);
    };
    const lines = text.split('\n').length;
    console.log(`${pad(`${lines} lines`, 22)}${open.toFixed(0).padStart(8)}ms${num(edit.median)}ms${edit.min.toFixed(2).padStart(8)}ms${num(full.median)}ms${(full.median / edit.median).toFixed(0).padStart(10)}×   ${`${med('parse')} / ${med('run')} / ${med('merge')} ms`.padEnd(36)}${String(doc.last.groups).padStart(7)}  ${same ? 'yes' : 'NO'}`);
    console.log(`${pad('', 22)}a line being typed (a syntax error): ${typing.median.toFixed(2)} ms median (${typingMode}; full ${full.median.toFixed(0)} ms)  same as analysed whole: ${typingSame ? 'yes' : 'NO'}`);
    doc.dispose();
  }
  console.log('');
}

async function tfjs(): Promise<void> {
  const { specs, text } = generate(emitJsModule, MIN_JS_LINES);
  const probe = analyzeTfjs(text, 'bench.ts');
  const found = probe.models.length;
  const errors = probe.diagnostics.filter((d) => d.severity === 'error').length;
  const agree = agreement(specs, probe.models.map((m) => m.totalParams));

  const parse = time('typescript-estree parse', 20, 30, () => {
    parseEstree(text, { range: true, loc: false });
  });
  const analysis = time('analyzeTfjs (full)', 10, 30, () => {
    analyzeTfjs(text, 'bench.ts');
  });
  const build = time('tfjs-layers build', 2, 15, () => {
    for (const s of specs) buildTfjs(s);
  });
  report('Shape Lens benchmark (tfjs, TypeScript)', { text, specs, found, errors, agree }, parse, analysis, build);
}

/**
 * Re-analysis after a one-line edit (a Dense `units` number in the middle of the module, changed
 * back and forth) with `IncrementalTfjs`, against the full `analyzeTfjs` of the same texts and the
 * bare typescript-estree parse, for ~1,000- and ~20,000-line generated TypeScript modules; where
 * the incremental time goes (medians of its phases) and whether both results agree.
 */
async function incrementalTfjs(): Promise<void> {
  console.log('');
  console.log(`Shape Lens benchmark (incremental tfjs analysis after a one-line edit) — seed ${SEED}`);
  console.log('');
  console.log(
    `${pad('module', 14)}${'open'.padStart(9)}${'edit'.padStart(9)}${'edit min'.padStart(10)}${'full'.padStart(9)}${'parse'.padStart(9)}${'broken'.padStart(9)}${'full/edit'.padStart(11)}   ${'phases: pieces / interpret'.padEnd(28)}${'parsed/pieces'.padStart(14)}${'ran/groups'.padStart(12)}  same`,
  );
  for (const want of SCALE_LINES) {
    const { text } = generateSized(emitJsModule, want);
    const big = want > 5000;
    const at = (text.length >> 1) + text.slice(text.length >> 1).search(/units: \d/) + 'units: '.length;
    const units = /^\d+/.exec(text.slice(at))?.[0] ?? '1';
    const texts = [text, text.slice(0, at) + String(Number(units) + 1) + text.slice(at + units.length)];
    const open = time('open', big ? 1 : 5, big ? 3 : 10, () => new IncrementalTfjs('bench.ts').update(text)).median;
    const doc = new IncrementalTfjs('bench.ts');
    doc.update(text);
    const phases: TfjsUpdateStats[] = [];
    let i = 0;
    const edit = time('edit', big ? 3 : 10, big ? 15 : 60, () => {
      doc.update(texts[++i % 2]);
      phases.push(doc.last);
    });
    const full = time('full', big ? 2 : 10, big ? 7 : 30, () => {
      analyzeTfjs(texts[++i % 2], 'bench.ts');
    });
    // A half-typed line: a whole parse finds its error (as analyzeTfjs does), the text with the line blanked comes from pieces.
    const lineAt = text.lastIndexOf('\n', at) + 1;
    const broken = `${text.slice(0, lineAt)}model.add(tf.layers.dense({ units: \n${text.slice(lineAt)}`;
    const typing = time('typing', big ? 1 : 5, big ? 5 : 20, () => doc.update(broken));
    // A line being typed, as in the Python section: the Dense line cut after its `units` number (a
    // syntax error), one more digit typed and taken back (an edit inside that line).
    const cut = at + units.length;
    const lineEnd = text.indexOf('\n', at);
    const typed = [text.slice(0, cut) + text.slice(lineEnd), text.slice(0, cut) + '0' + text.slice(lineEnd)];
    doc.update(typed[0]);
    const keys: TfjsUpdateStats[] = [];
    const keystroke = time('keystroke', big ? 3 : 10, big ? 15 : 60, () => {
      doc.update(typed[++i % 2]);
      keys.push(doc.last);
    });
    const keyRun = keys.every((k) => k.run === 'groups') ? 'groups' : `whole: ${keys.find((k) => k.run !== 'groups')?.runReason}`;
    const keySame = JSON.stringify(analysisToJson(doc.update(typed[0]))) === JSON.stringify(analysisToJson(analyzeTfjs(typed[0], 'bench.ts', { edited: doc.editedHint })));
    doc.update(texts[0]);
    const parse = time('parse', big ? 3 : 20, big ? 10 : 30, () => parseEstree(texts[++i % 2], { range: true, loc: false }));
    const last = doc.update(texts[0]);
    const same = JSON.stringify(analysisToJson(last)) === JSON.stringify(analysisToJson(analyzeTfjs(texts[0], 'bench.ts')));
    const med = (k: 'parse' | 'analyse'): string => {
      const xs = phases.map((p) => p.ms[k]).sort((a, b) => a - b);
      return (xs[xs.length >> 1] ?? 0).toFixed(1);
    };
    const lines = text.split('\n').length;
    console.log(
      `${pad(`${lines} lines`, 14)}${open.toFixed(1).padStart(9)}${edit.median.toFixed(2).padStart(9)}${edit.min.toFixed(2).padStart(10)}${full.median.toFixed(2).padStart(9)}${parse.median.toFixed(2).padStart(9)}${typing.median.toFixed(2).padStart(9)}` +
        `${`${(full.median / edit.median).toFixed(1)}×`.padStart(11)}   ${`${med('parse')} / ${med('analyse')} ms`.padEnd(28)}${`${phases[phases.length - 1].parsed}/${phases[phases.length - 1].pieces}`.padStart(14)}${`${phases[phases.length - 1].ran}/${phases[phases.length - 1].groups}`.padStart(12)}  ${same && phases.every((p) => p.mode === 'pieces' && p.run === 'groups') ? 'yes' : 'NO'}`,
    );
    const keyMed = (k: 'parse' | 'analyse'): string => {
      const xs = keys.map((p) => p.ms[k]).sort((a, b) => a - b);
      return (xs[xs.length >> 1] ?? 0).toFixed(1);
    };
    console.log(`${pad('', 14)}a line being typed (a syntax error): ${keystroke.median.toFixed(2)} ms median (${keyMed('parse')} / ${keyMed('analyse')} ms; interpreted ${keyRun}; full ${full.median.toFixed(0)} ms)  same as analysed whole: ${keySame ? 'yes' : 'NO'}`);
    doc.dispose();
  }
  console.log('(medians in ms; "open": the first update of a new document, every piece parsed and every group run; "parse": bare typescript-estree parse of the whole text; "broken": an update while a line is half-typed: a whole parse finds the error, the repaired text comes from pieces and is interpreted by groups; "a line being typed": one more digit typed and taken back on a half-typed line (parse / interpret medians); "ran/groups": groups of top-level statements run again / all)');
  console.log('');
}

/**
 * Files that import a package, analysed with their imports resolved from disk: bare parse of the
 * file (and of every file its package holds) vs analysis with a cold module cache vs the second
 * analysis (warm cache: no module interpreted again).
 */
async function imports(): Promise<void> {
  await initPythonParser();
  const fixtures = path.join(__dirname, '..', '..', 'test', 'fixtures', 'python', 'injected');
  const cases = [
    path.join(fixtures, 'tiny_net.py'),
    ...['vgg16.py', 'mobilenet.py', 'densenet.py'].map((f) => path.join('/usr/lib/python3/dist-packages/keras_applications', f)),
  ].filter((f) => fs.existsSync(f));
  console.log('');
  console.log('Shape Lens benchmark (Python imports resolved from disk, module cache)');
  console.log('');
  console.log(`${pad('file', 34)}${'parse'.padStart(9)}${'parse pkg'.padStart(11)}${'cold'.padStart(9)}${'warm'.padStart(9)}${'warm/parse pkg'.padStart(16)}${'interpreted 2nd'.padStart(17)}${'reused 2nd'.padStart(12)}`);
  for (const file of cases) {
    const text = fs.readFileSync(file, 'utf8');
    const pkg = fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.py')).map((f) => fs.readFileSync(path.join(path.dirname(file), f), 'utf8'));
    const parseOne = time('parse', 5, 20, () => parsePython(text)?.delete());
    const parsePkg = time('parse package', 3, 10, () => {
      for (const t of pkg) parsePython(t)?.delete();
    });
    const cold = time('cold', 2, 10, () => {
      analyzePython(text, file, { host: diskHost, moduleCache: new ModuleCache() });
    });
    const cache = new ModuleCache();
    analyzePython(text, file, { host: diskHost, moduleCache: cache });
    const before = { ...cache.stats };
    analyzePython(text, file, { host: diskHost, moduleCache: cache });
    const second = { interpreted: cache.stats.interpreted - before.interpreted, reused: cache.stats.reused - before.reused };
    const warm = time('warm', 3, 20, () => {
      analyzePython(text, file, { host: diskHost, moduleCache: cache });
    });
    const name = `${path.basename(path.dirname(file))}/${path.basename(file)}`;
    console.log(
      `${pad(name, 34)}${num(parseOne.median).slice(1).padStart(9)}${num(parsePkg.median).padStart(11)}${num(cold.median).slice(1).padStart(9)}${num(warm.median).slice(1).padStart(9)}` +
        `${`${(warm.median / parsePkg.median).toFixed(2)}×`.padStart(16)}${String(second.interpreted).padStart(17)}${String(second.reused).padStart(12)}`,
    );
  }
  console.log('(medians in ms; "parse pkg": tree-sitter parse of every .py file in the package folder)');
  console.log('');
}

/** Sizes the scaling section measures: the per-1,000-line cost should not grow between them. */
const SCALE_LINES = [1000, 20000];

/**
 * Linear in size? Bare parse vs full analysis for generated modules of about 1,000 and 20,000
 * lines; the analysis/parse ratio and the per-1,000-line costs at both sizes.
 */
async function scaling(): Promise<void> {
  await initPythonParser();
  const fronts = [
    {
      name: 'Python',
      emit: emitPythonModule,
      parse: (text: string) => parsePython(text)?.delete(),
      analyse: (text: string) => analyzePython(text, 'bench.py'),
    },
    {
      name: 'TypeScript',
      emit: emitJsModule,
      parse: (text: string) => parseEstree(text, { range: true, loc: false }),
      analyse: (text: string) => analyzeTfjs(text, 'bench.ts'),
    },
  ];
  console.log('');
  console.log(`Shape Lens benchmark (scaling: bare parse vs full analysis by file size) — seed ${SEED}`);
  console.log('');
  console.log(
    `${pad('front end', 12)}${'lines'.padStart(7)}${'models'.padStart(8)}${'parse ms'.padStart(10)}${'analysis ms'.padStart(13)}${'analysis/parse'.padStart(16)}${'parse/1k'.padStart(10)}${'analysis/1k'.padStart(13)}${'min ratio'.padStart(11)}`,
  );
  for (const f of fronts) {
    const perK: number[] = [];
    for (const want of SCALE_LINES) {
      const { specs, text } = generateSized(f.emit, want);
      const lines = text.split('\n').length;
      const big = lines > 5000;
      const parse = time('parse', big ? 3 : 20, big ? 10 : 30, () => f.parse(text));
      const analysis = time('analysis', big ? 2 : 10, big ? 7 : 30, () => f.analyse(text));
      perK.push((analysis.median * 1000) / lines);
      console.log(
        `${pad(f.name, 12)}${String(lines).padStart(7)}${String(specs.length).padStart(8)}${num(parse.median)}${num(analysis.median).padStart(13)}` +
          `${`${(analysis.median / parse.median).toFixed(2)}×`.padStart(16)}${((parse.median * 1000) / lines).toFixed(2).padStart(10)}${((analysis.median * 1000) / lines).toFixed(2).padStart(13)}` +
          `${`${(analysis.min / parse.min).toFixed(2)}×`.padStart(11)}`,
      );
    }
    console.log(`${pad(f.name, 12)} analysis per 1k lines, ${SCALE_LINES[1]} vs ${SCALE_LINES[0]}: ${(perK[1] / perK[0]).toFixed(2)}× (goal ≤ 1.20×)`);
  }
  console.log('(medians in ms; "min ratio": fastest analysis / fastest parse, the figure least disturbed by other processes; goal: analysis/parse ≤ 1.5×)');
  console.log('');
}

/**
 * The language server's memory with a 20,000-line Python file open, then (another server) a
 * 20,000-line TypeScript one: the built server (`dist/cli.js lsp --stdio`) driven over JSON-RPC;
 * VmRSS from /proc after its diagnostics for the file are published, against its RSS right after
 * `initialize`; then again after three keystrokes on a line half-typed in the middle of the file.
 */
async function serverMemory(): Promise<void> {
  const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  if (!fs.existsSync(cli) || !fs.existsSync('/proc/self/status')) {
    console.log('(server memory: needs dist/cli.js and /proc; skipped)');
    return;
  }
  await serverMemoryWith(cli, generateSized(emitPythonModule, SCALE_LINES[1]).text, 'big.py', 'python', 'Python');
  await serverMemoryWith(cli, generateSized(emitJsModule, SCALE_LINES[1]).text, 'big.ts', 'typescript', 'TypeScript');
}

async function serverMemoryWith(cli: string, text: string, name: string, languageId: string, label: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-bench-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).toString();
  const proc = spawn(process.execPath, [cli, 'lsp', '--stdio'], { cwd: dir, stdio: ['pipe', 'pipe', 'ignore'] });
  const rss = (field = 'VmRSS') => {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  };
  // A minimal JSON-RPC client: Content-Length framing, responses by id, notifications by method.
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const waiting: { match: (m: { id?: number; method?: string; params?: unknown }) => boolean; resolve: () => void }[] = [];
  proc.stdout.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString('ascii'))?.[1]);
      if (buffer.length < end + 4 + length) return;
      const msg = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString('utf8')) as { id?: number; method?: string; params?: unknown };
      buffer = buffer.subarray(end + 4 + length);
      if (msg.method && msg.id !== undefined) send({ id: msg.id, result: null });
      for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i].match(msg)) waiting.splice(i, 1)[0].resolve();
    }
  });
  const send = (m: object) => {
    const json = JSON.stringify({ jsonrpc: '2.0', ...m });
    proc.stdin.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`);
  };
  const until = (match: (m: { id?: number; method?: string; params?: unknown }) => boolean) => new Promise<void>((resolve) => waiting.push({ match, resolve }));
  const request = (method: string, params: unknown) => {
    const id = nextId++;
    const done = until((m) => m.id === id && !m.method);
    send({ id, method, params });
    return done;
  };
  try {
    await request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: {} });
    send({ method: 'initialized', params: {} });
    const idle = rss();
    const t0 = performance.now();
    const published = until((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri?: string }).uri === uri);
    send({ method: 'textDocument/didOpen', params: { textDocument: { uri, languageId, version: 1, text } } });
    await published;
    const ms = performance.now() - t0;
    await request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } } });
    const open = rss();
    const peak = rss('VmHWM');
    // The server collects garbage once idle for 2 s after a large document (server.ts): RSS then.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));
    await settle();
    const openSettled = rss();
    // Then a line half-typed in the middle of the file, three keystrokes (each a syntax error: the
    // analysis reads around the line and keeps what it needs to find the next one's error).
    const lines = text.split('\n');
    const mid = lines.length >> 1;
    const typed = languageId === 'python' ? ['x = layers.Dense(', '6', '4', ','] : ['const x = tf.layers.dense({ units: ', '6', '4', ','];
    let version = 1;
    let character = 0;
    for (const piece of typed) {
      const changed = until((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri?: string }).uri === uri);
      const insert = character === 0 ? `${piece}\n` : piece;
      send({ method: 'textDocument/didChange', params: { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: { line: mid, character }, end: { line: mid, character } }, text: insert }] } });
      character += piece.length;
      await changed;
    }
    await request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: mid - 100, character: 0 }, end: { line: mid + 100, character: 0 } } });
    const typing = rss();
    const typingPeak = rss('VmHWM');
    await settle();
    const typingSettled = rss();
    console.log('');
    console.log(`Shape Lens benchmark (language server memory, ${lines.length}-line ${label} file open)`);
    console.log('');
    console.log(`${pad('RSS after initialize', 34)}${idle.toFixed(1).padStart(8)} MB`);
    console.log(`${pad('RSS with the file open', 34)}${open.toFixed(1).padStart(8)} MB`);
    console.log(`${pad('  … idle 3 s later', 34)}${openSettled.toFixed(1).padStart(8)} MB   (goal ≤ 150 MB)`);
    console.log(`${pad('peak RSS (VmHWM)', 34)}${peak.toFixed(1).padStart(8)} MB`);
    console.log(`${pad('didOpen → diagnostics published', 34)}${ms.toFixed(0).padStart(8)} ms`);
    console.log(`${pad('RSS after 3 keystrokes, half-typed', 34)}${typing.toFixed(1).padStart(8)} MB`);
    console.log(`${pad('  … idle 3 s later', 34)}${typingSettled.toFixed(1).padStart(8)} MB   (goal ≤ 150 MB)`);
    console.log(`${pad('peak RSS since start (VmHWM)', 34)}${typingPeak.toFixed(1).padStart(8)} MB`);
    console.log('');
    await request('shutdown', null);
    send({ method: 'exit', params: null });
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Baseline for the preview's pooling: a plain 2×2/2 valid max-pool loop over a channels-last map. */
function loopMaxPool(m: FeatureMap): FeatureMap {
  const oh = Math.floor((m.height - 2) / 2) + 1;
  const ow = Math.floor((m.width - 2) / 2) + 1;
  const out = featureMap(oh, ow, m.channels);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      for (let c = 0; c < m.channels; c++) {
        let best = -Infinity;
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) best = Math.max(best, m.data[((2 * y + dy) * m.width + 2 * x + dx) * m.channels + c]);
        out.data[(y * ow + x) * m.channels + c] = best;
      }
    }
  }
  return out;
}

/** The pooling preview's work on seed 002's stack: 222×222×10 through three 2×2 max pools. */
async function pooling(): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const stage = { mode: 'max' as const, poolSize: [2, 2] as [number, number], strides: [2, 2] as [number, number], padding: 'valid' as const };
  const input = syntheticMap(222, 222, 10);
  const gen = time('synthetic 222×222×10 input', 3, 15, () => {
    syntheticMap(222, 222, 10);
  });
  const pipeline = time('tfjs cpu: 3 max pools', 5, 30, () => {
    let m = input;
    for (let i = 0; i < 3; i++) m = runStage(m, stage).output;
  });
  const loop = time('plain loop: 3 max pools', 5, 30, () => {
    let m = input;
    for (let i = 0; i < 3; i++) m = loopMaxPool(m);
  });
  console.log('');
  console.log('Shape Lens benchmark (pooling preview, node, tfjs CPU backend; the webview uses WebGL when it has it)');
  console.log('');
  console.log(`${pad('phase', 28)}${'runs'.padStart(6)}${'median ms'.padStart(11)}${'min ms'.padStart(11)}${'max ms'.padStart(11)}`);
  for (const t of [gen, pipeline, loop]) console.log(`${pad(t.name, 28)}${String(t.runs).padStart(6)} ${num(t.median)} ${num(t.min)} ${num(t.max)}`);
  console.log('');
  console.log(`${pad('tfjs / plain loop', 28)}${(pipeline.median / loop.median).toFixed(2).padStart(8)}×`);
  console.log('');
}

/**
 * Cost analytics (core/cost.ts: MACs, FLOPs, activation bytes, peak memory, receptive fields of
 * every model) on top of the full analysis, in the same run: the generated module and Keras
 * Applications' InceptionV3 and ResNet50 analysed in place. The issue's budget: ≤ 10% more.
 * `modelCost` gives the totals and each row's MACs, FLOPs and bytes (sidebar, model hover, inlay
 * hints); receptive fields are worked out for the whole model when a row's is first read (layer
 * hover, JSON, the rf column): "cost alone" is the first, "with RF" both.
 */
async function cost(): Promise<void> {
  await initPythonParser();
  const { text } = generate(emitPythonModule, MIN_LINES);
  const inputs: [string, () => ReturnType<typeof analyzePython>][] = [[`generated (${text.split('\n').length} lines)`, () => analyzePython(text, 'bench.py')]];
  for (const f of ['inception_v3.py', 'resnet50.py']) {
    const file = path.join('/usr/lib/python3/dist-packages/keras_applications', f);
    if (fs.existsSync(file)) inputs.push([f, () => analyzePython(fs.readFileSync(file, 'utf8'), file, { host: diskHost })]);
  }
  console.log('');
  console.log(`Shape Lens benchmark (cost analytics on top of the analysis) — seed ${SEED}`);
  console.log('');
  console.log(`${pad('input', 30)}${'analysis'.padStart(10)}${'+ cost'.padStart(10)}${'cost alone'.padStart(12)}${'cost/analysis'.padStart(15)}${'with RF'.padStart(10)}${'with RF/analysis'.padStart(18)}`);
  for (const [name, analyse] of inputs) {
    // Interleaved, so both see the same load on a shared machine.
    const bare: number[] = [];
    const withCost: number[] = [];
    for (let i = 0; i < 23; i++) {
      let t0 = performance.now();
      analyse();
      if (i >= 3) bare.push(performance.now() - t0);
      t0 = performance.now();
      for (const m of analyse().models) modelCost(m);
      if (i >= 3) withCost.push(performance.now() - t0);
    }
    // The cost of a fresh analysis's models (new layer configs: nothing cached from an earlier run),
    // then each row's receptive field read as a layer hover or the JSON report does.
    const costMs: number[] = [];
    const rfMs: number[] = [];
    for (let i = 0; i < 23; i++) {
      const models = analyse().models;
      const t0 = performance.now();
      for (const m of models) modelCost(m);
      const t1 = performance.now();
      for (const m of models) for (const row of modelCost(m).rows) void row.receptiveField;
      if (i >= 3) {
        costMs.push(t1 - t0);
        rfMs.push(performance.now() - t0);
      }
    }
    const a = median(bare);
    const alone = median(costMs);
    const rf = median(rfMs);
    const pct = (ms: number, width: number) => `${((ms / a) * 100).toFixed(1)}%`.padStart(width);
    // Cost figures in hundredths: ResNet50's are a few tenths of a ms.
    const fine = (ms: number, width: number) => `${ms.toFixed(2)}`.padStart(width - 2) + 'ms';
    console.log(`${pad(name, 30)}${withMs(a)}${withMs(median(withCost))}${fine(alone, 12)}${pct(alone, 15)}${fine(rf, 10)}${pct(rf, 18)}`);
  }
  console.log('(medians in ms, analysis and analysis + cost interleaved; "cost alone": modelCost of every model of one analysis (totals, MACs, FLOPs, bytes, peak); "with RF": and every row\'s receptive field)');
  console.log('');
}

/**
 * Symbolic sizes (core/symbolic.ts): the formulas of every model of a fresh analysis, against the
 * analysis itself: the generated module (known sizes: nothing to work out) and Keras
 * Applications built with open input sizes, `(None, None, 3)`. Issue 13's budget: ≤ 10% more.
 */
async function symbolic(): Promise<void> {
  await initPythonParser();
  const { text } = generate(emitPythonModule, MIN_LINES);
  // Keras Applications' source (Debian python3-keras-applications) called as keras 2.2 did, with open sizes.
  const dir = '/usr/lib/python3/dist-packages';
  const driver = (module: string, fn: string) =>
    `import keras\nfrom keras_applications import ${module}\nmodel = ${module}.${fn}(include_top=False, weights=None, input_shape=(None, None, 3), backend=keras.backend, layers=keras.layers, models=keras.models, utils=keras.utils)\n`;
  const inputs: [string, () => ReturnType<typeof analyzePython>][] = [[`generated (${text.split('\n').length} lines)`, () => analyzePython(text, 'bench.py')]];
  for (const [module, fn] of [['resnet50', 'ResNet50'], ['inception_v3', 'InceptionV3'], ['mobilenet_v2', 'MobileNetV2']]) {
    if (!fs.existsSync(path.join(dir, 'keras_applications', `${module}.py`))) continue;
    const source = driver(module, fn);
    inputs.push([`${fn}, (None, None, 3)`, () => analyzePython(source, path.join(dir, 'zz_shape_lens_bench.py'), { host: diskHost })]);
  }
  // keras.applications as Shape Lens builds them (a recorded graph: an analysis much cheaper than reading the source).
  const builtin = 'import keras\nmodel = keras.applications.InceptionV3(include_top=False, weights=None, input_shape=(None, None, 3))\n';
  inputs.push(['keras.applications.InceptionV3', () => analyzePython(builtin, 'bench.py')]);
  console.log('');
  console.log(`Shape Lens benchmark (symbolic sizes on top of the analysis) — seed ${SEED}`);
  console.log('');
  console.log(`${pad('input', 34)}${'analysis'.padStart(10)}${'formulas'.padStart(12)}${'formulas/analysis'.padStart(20)}${'rows with formulas'.padStart(20)}`);
  for (const [name, analyse] of inputs) {
    const bare: number[] = [];
    const sym: number[] = [];
    let rows = 0;
    for (let i = 0; i < 43; i++) {
      const t0 = performance.now();
      const models = analyse().models;
      const ta = performance.now();
      // The cost analytics the formulas read (MACs known without them), computed first: the sidebar and hovers have them already.
      for (const m of models) modelCost(m);
      const t1 = performance.now();
      rows = 0;
      for (const m of models) rows += symbolicModel(m).rows.filter((r) => r).length;
      if (i >= 3) {
        bare.push(ta - t0);
        sym.push(performance.now() - t1);
      }
    }
    const a = median(bare);
    const f = median(sym);
    console.log(`${pad(name, 34)}${withMs(a)}${`${f.toFixed(2)}`.padStart(10)}ms${`${((f / a) * 100).toFixed(1)}%`.padStart(20)}${String(rows).padStart(20)}`);
  }
  console.log('(medians in ms over 40 runs; "formulas": symbolicModel of every model of that analysis, which is fresh each run, after its cost analytics)');
  console.log('');
}

function median(ms: number[]): number {
  const v = [...ms].sort((x, y) => x - y);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function withMs(ms: number, width = 10): string {
  return `${ms.toFixed(1)}`.padStart(width - 2) + 'ms';
}

async function main(): Promise<void> {
  // SHAPE_LENS_BENCH=scaling,memory runs only those sections.
  const only = process.env.SHAPE_LENS_BENCH?.split(',');
  const sections: [string, () => Promise<void>][] = [
    ['imports', imports],
    ['python', python],
    ['incremental', incremental],
    ['tfjs', tfjs],
    ['incremental-tfjs', incrementalTfjs],
    ['scaling', scaling],
    ['memory', serverMemory],
    ['pooling', pooling],
    ['cost', cost],
    ['symbolic', symbolic],
  ];
  for (const [name, run] of sections) if (!only || only.includes(name)) await run();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
