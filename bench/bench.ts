// Benchmark: one large generated Keras Python module and one large tfjs TypeScript module (many
// models, helpers, loops, constants): bare parse (tree-sitter / typescript-estree) vs full analysis
// (`analyzePython` / `analyzeTfjs`) vs building the same models with tfjs-layers.
// Prints medians and ratios; asserts nothing. Seed: SHAPE_LENS_SEED (default fixed).
import { performance } from 'node:perf_hooks';
import { parse as parseEstree } from '@typescript-eslint/typescript-estree';
import { initPythonParser, parsePython } from '../src/frontends/python/parser';
import { analyzePython } from '../src/frontends/python/analyze';
import { analyzeTfjs } from '../src/frontends/tfjs/analyze';
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

/** Valid specs until the module `emit` writes reaches `minLines` lines. */
function generate(emit: (specs: readonly ModelSpec[], rng: ReturnType<typeof mulberry32>) => string, minLines: number): { specs: ModelSpec[]; text: string } {
  const specs: ModelSpec[] = [];
  let text = '';
  for (let i = 0; text.split('\n').length < minLines; i++) {
    specs.push(randomValidSpec(mulberry32(caseSeed(SEED, i)), `bench_${i}`).spec);
    text = emit(specs, mulberry32(SEED));
  }
  return { specs, text };
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (v: number) => v.toFixed(2).padStart(10);

/** The table both sections print: input size, agreement with tfjs, the three timings and their ratios. */
function report(title: string, input: { text: string; specs: ModelSpec[]; found: number; errors: number; agree: number }, parse: Timing, analysis: Timing, build: Timing): void {
  const lines = input.text.split('\n').length;
  const layers = input.specs.reduce((a, s) => a + expandLayers(s).length, 0);
  console.log('');
  console.log(`${title} — seed ${SEED}`);
  console.log(`input: ${lines} lines, ${(input.text.length / 1024).toFixed(1)} KB, ${input.specs.length} models, ${layers} layers`);
  console.log(`analysis found ${input.found} models, ${input.errors} error diagnostics; ${input.agree}/${input.specs.length} model totals equal tfjs`);
  console.log('');
  console.log(`${pad('phase', 24)}${'runs'.padStart(6)}${'median ms'.padStart(11)}${'min ms'.padStart(11)}${'max ms'.padStart(11)}`);
  for (const t of [parse, analysis, build]) {
    console.log(`${pad(t.name, 24)}${String(t.runs).padStart(6)} ${num(t.median)} ${num(t.min)} ${num(t.max)}`);
  }
  console.log('');
  console.log(`${pad('analysis / parse', 24)}${(analysis.median / parse.median).toFixed(2).padStart(8)}×`);
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
  const analysis = time('analyzePython (full)', 10, 30, () => {
    analyzePython(text, 'bench.py');
  });
  const build = time('tfjs-layers build', 2, 15, () => {
    for (const s of specs) buildTfjs(s);
  });

  report('Shape Lens benchmark', { text, specs, found, errors, agree }, parse, analysis, build);
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

async function main(): Promise<void> {
  await python();
  await tfjs();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
