// Benchmark: one large generated Keras Python module (many models, helpers, loops, constants):
// bare tree-sitter parse vs full `analyzePython` vs building the same models with tfjs-layers.
// Prints medians and ratios; asserts nothing. Seed: SHAPE_LENS_SEED (default fixed).
import { performance } from 'node:perf_hooks';
import { initPythonParser, parsePython } from '../src/frontends/python/parser';
import { analyzePython } from '../src/frontends/python/analyze';
import { buildTfjs, caseSeed, emitPythonModule, expandLayers, mulberry32, randomValidSpec, type ModelSpec } from '../test/unit/helpers/cnn-gen';

const SEED = process.env.SHAPE_LENS_SEED ? Number(process.env.SHAPE_LENS_SEED) >>> 0 : 0xbe4c4;
const MIN_LINES = 1500;

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

/** Valid specs until the emitted module reaches MIN_LINES lines. */
function generate(): { specs: ModelSpec[]; text: string } {
  const specs: ModelSpec[] = [];
  let text = '';
  for (let i = 0; text.split('\n').length < MIN_LINES; i++) {
    specs.push(randomValidSpec(mulberry32(caseSeed(SEED, i)), `bench_${i}`).spec);
    text = emitPythonModule(specs, mulberry32(SEED));
  }
  return { specs, text };
}

async function main(): Promise<void> {
  await initPythonParser();
  const { specs, text } = generate();
  const lines = text.split('\n').length;
  const layers = specs.reduce((a, s) => a + expandLayers(s).length, 0);

  const probe = analyzePython(text, 'bench.py');
  const found = probe.models.length;
  const errors = probe.diagnostics.filter((d) => d.severity === 'error').length;
  // Sanity figure (not an assertion): model totals as a multiset, ours vs tfjs.
  const want = specs.map((s) => buildTfjs(s).totalParams).sort((a, b) => a - b);
  const got = probe.models.map((m) => m.totalParams ?? -1).sort((a, b) => a - b);
  const agree = want.filter((v, i) => got[i] === v).length;

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

  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (v: number) => v.toFixed(2).padStart(10);
  console.log('');
  console.log(`Shape Lens benchmark — seed ${SEED}`);
  console.log(`input: ${lines} lines, ${(text.length / 1024).toFixed(1)} KB, ${specs.length} models, ${layers} layers`);
  console.log(`analysis found ${found} models, ${errors} error diagnostics; ${agree}/${specs.length} model totals equal tfjs`);
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

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
