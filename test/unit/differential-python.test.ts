// Differential tests: hundreds of random valid CNNs, written as Keras Python in rotating styles,
// analysed by the Python front end and compared layer by layer with the same models built by
// tfjs-layers (the oracle). Seeded: SHAPE_LENS_SEED=<n|random>, SHAPE_LENS_CASES=<count>,
// SHAPE_LENS_CASE=<index> (run one case).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from './helpers/python';
import {
  caseSeed, emitPython, expandLayers, mulberry32, randomValidSpec,
  PY_IMPORT_STYLES, PY_MODEL_STYLES, TFJS_FACTORY,
  type LayerClass, type ModelSpec, type OracleModel, type PyModelStyle, type PyProgram,
} from './helpers/cnn-gen';
import type { JsonFile } from '../../src/core/analysis';

const DEFAULT_SEED = 0x5eed2024;
const envSeed = process.env.SHAPE_LENS_SEED;
const SEED = envSeed === 'random' ? Math.floor(Math.random() * 2 ** 32) : envSeed ? Number(envSeed) >>> 0 : DEFAULT_SEED;
const COUNT = Number(process.env.SHAPE_LENS_CASES ?? 300);
const ONLY = process.env.SHAPE_LENS_CASE === undefined ? undefined : Number(process.env.SHAPE_LENS_CASE);

interface Case {
  index: number;
  spec: ModelSpec;
  program: PyProgram;
  oracle: OracleModel;
  /** Specs tfjs sized to a dim <= 0 (the generator's own arithmetic should make this rare). */
  rejected: number;
}

/** Case `index`: style and import style rotate with the index, everything else comes from its seed. */
function makeCase(index: number): Case {
  const rng = mulberry32(caseSeed(SEED, index));
  const { spec, oracle, rejected } = randomValidSpec(rng, `cnn_${index}`);
  const style = PY_MODEL_STYLES[index % PY_MODEL_STYLES.length];
  const importStyle = PY_IMPORT_STYLES[Math.floor(index / PY_MODEL_STYLES.length) % PY_IMPORT_STYLES.length];
  return { index, spec, program: emitPython(spec, rng, style, importStyle), oracle, rejected };
}

function reproduce(c: Case): string {
  const files = Object.entries(c.program.files).map(([p, t]) => `--- ${p} ---\n${t}`);
  return [
    `case #${c.index} [${c.program.style}, ${c.program.importStyle}] — reproduce: SHAPE_LENS_SEED=${SEED} SHAPE_LENS_CASE=${c.index}`,
    '--- main.py ---',
    c.program.main,
    ...files,
  ].join('\n');
}

const fmt = (v: unknown) => JSON.stringify(v);

/** Every difference between our JSON and the oracle, as readable lines. */
function compare(json: JsonFile, oracle: OracleModel): string[] {
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
  return out;
}

const indices = ONLY !== undefined ? [ONLY] : Array.from({ length: COUNT }, (_, i) => i);
const started = Date.now();
const cases = indices.map(makeCase);
const generationMs = Date.now() - started;

for (const style of PY_MODEL_STYLES) {
  const mine = cases.filter((c) => c.program.style === style);
  if (mine.length === 0) continue;
  test(`Python analysis matches tfjs-layers: ${style} (${mine.length} random models, seed ${SEED})`, async (t) => {
    const failures: { c: Case; problems: string[] }[] = [];
    const t0 = Date.now();
    for (const c of mine) {
      const { json } = await analyze(c.program.main, c.program.files);
      const problems = compare(json, c.oracle);
      if (problems.length > 0) failures.push({ c, problems });
    }
    t.diagnostic(`seed ${SEED} (override with SHAPE_LENS_SEED); ${mine.length} models analysed in ${Date.now() - t0} ms`);
    if (failures.length > 0) {
      const shown = failures.slice(0, 3).map((f) => `${f.problems.join('\n')}\n${reproduce(f.c)}`);
      const list = failures.map((f) => `#${f.c.index} [${f.c.program.importStyle}]: ${f.problems[0]}`);
      assert.fail(`${failures.length}/${mine.length} ${style} models differ from tfjs (seed ${SEED}):\n${list.join('\n')}\n\n${shown.join('\n\n')}`);
    }
  });
}

test('the generator is reproducible and covers every layer class and style', (t) => {
  t.diagnostic(`seed ${SEED}: ${cases.length} models generated and built in tfjs in ${generationMs} ms; ${cases.reduce((a, c) => a + c.rejected, 0)} rejected by tfjs`);
  const again = makeCase(cases[0].index);
  assert.equal(again.program.main, cases[0].program.main, 'same seed and index, same source');
  if (ONLY !== undefined || COUNT < 200) return;
  const seen = new Set<string>(cases.flatMap((c) => expandLayers(c.spec).map((l) => l.className)));
  const missing = (Object.keys(TFJS_FACTORY) as LayerClass[]).filter((c) => !seen.has(c));
  assert.deepEqual(missing, [], 'layer classes never generated');
  const combos = new Set(cases.map((c) => `${c.program.style}/${c.program.importStyle}`));
  assert.equal(combos.size, PY_MODEL_STYLES.length * PY_IMPORT_STYLES.length, 'every style × import style');
  const styles = new Set<PyModelStyle>(cases.map((c) => c.program.style));
  assert.equal(styles.size, PY_MODEL_STYLES.length);
  assert.ok(cases.some((c) => c.spec.dataFormat === 'channels_first'), 'channels_first models');
  assert.ok([1, 2, 3].every((r) => cases.some((c) => c.spec.rank === r)), '1D, 2D and 3D models');
});
