// Keras JSON export (src/core/export.ts): every model of the Python and tfjs fixtures and of a
// random-CNN corpus is exported, built by @tensorflow/tfjs' `tf.models.modelFromJSON`, and each
// exported layer's output shape and params compared with the analysis' row. Figures: how many
// models were exported whole, partly and not at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { analyze, analyzeOnDisk } from './helpers/python';
import { analyzeJs } from './helpers/tfjs';
import { fixturesDir, fixtureSources } from './helpers/paths';
import { caseSeed, emitJs, emitPython, mulberry32, randomValidSpec, JS_MODEL_STYLES, PY_MODEL_STYLES } from './helpers/cnn-gen';
import { exportModel, type KerasModelJson, type ModelExport } from '../../src/core/export';
import type { FileAnalysis } from '../../src/core/analysis';
import type { ModelSummary } from '../../src/core/summary';

interface Tally {
  whole: number;
  partly: number;
  none: number;
}

const CORPUS = Number(process.env.SHAPE_LENS_EXPORT_CASES ?? 150);

/** The output shapes of a tfjs layer's first call in the model built from JSON (a nested model's inbound node 0 is its own graph). */
function tfjsOutputShape(layer: tf.layers.Layer): unknown {
  const nodes = layer.inboundNodes;
  const node = layer instanceof tf.LayersModel && nodes.length > 1 ? nodes[1] : nodes[0];
  const shapes = node.outputShapes as unknown[];
  return shapes.length === 1 ? shapes[0] : shapes;
}

function weightCount(ws: tf.LayerVariable[]): number {
  return ws.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d ?? NaN), 1), 0);
}

/** Builds the exported JSON with tfjs and lists every difference from the analysis' rows. */
async function crossCheck(summary: ModelSummary, exp: ModelExport): Promise<string[]> {
  const json = exp.json as KerasModelJson;
  const problems: string[] = [];
  let model: tf.LayersModel;
  try {
    // A JSON round trip: what a file holds, no shared objects. Recurrent kernels start at zeros
    // here, not orthogonal (a QR per matrix, seconds each on tfjs' CPU backend): weights' values
    // are not what is compared.
    const parsed = JSON.parse(JSON.stringify(json), (_k, v: unknown) => {
      const o = v as { class_name?: string; config?: Record<string, unknown> } | null;
      if (o && typeof o === 'object' && ['LSTM', 'GRU', 'SimpleRNN'].includes(o.class_name ?? '') && o.config) o.config.recurrent_initializer = 'zeros';
      return v;
    });
    model = await tf.models.modelFromJSON(parsed);
  } catch (e) {
    return [`tfjs could not build the export: ${(e as Error).message}\n${JSON.stringify(json).slice(0, 2000)}`];
  }
  try {
    const skipped = new Set(exp.skipped.map((s) => s.name));
    let compared = 0;
    for (const row of summary.rows) {
      if (skipped.has(row.name) || row.layer.isInput) continue;
      let layer: tf.layers.Layer;
      try {
        layer = model.getLayer(row.name);
      } catch {
        problems.push(`${row.name}: exported but not in the tfjs model`);
        continue;
      }
      compared++;
      const shape = JSON.stringify(tfjsOutputShape(layer));
      if (shape !== JSON.stringify(row.outputShape)) problems.push(`${row.name} (${row.className}): shape ${JSON.stringify(row.outputShape)} ≠ tfjs ${shape}`);
      if (layer.countParams() !== row.params) problems.push(`${row.name} (${row.className}): params ${row.params} ≠ tfjs ${layer.countParams()}`);
      const trainable = weightCount(layer.trainableWeights);
      const nonTrainable = weightCount(layer.nonTrainableWeights);
      if (trainable !== row.trainableParams || nonTrainable !== row.nonTrainableParams) {
        problems.push(`${row.name} (${row.className}): trainable/non-trainable ${row.trainableParams}/${row.nonTrainableParams} ≠ tfjs ${trainable}/${nonTrainable}`);
      }
    }
    if (compared === 0) problems.push('no layer was compared');
  } finally {
    model.dispose();
  }
  return problems;
}

/** Exports every model of an analysis, checks the exported ones against tfjs, and counts them. */
async function checkAnalysis(label: string, a: FileAnalysis, tally: Tally, failures: string[], report?: string[]): Promise<void> {
  for (const s of a.models) {
    const t0 = Date.now();
    const exp = exportModel(s.model);
    if (!exp.json) tally.none++;
    else if (exp.skipped.length > 0) tally.partly++;
    else tally.whole++;
    if (report) report.push(`${label} ${s.model.name}: ${!exp.json ? 'not exported' : exp.skipped.length > 0 ? 'partly' : 'whole'}${exp.reason ? ` (${exp.reason})` : !exp.json && exp.skipped[0] ? ` (${exp.skipped[0].name}: ${exp.skipped[0].reason})` : ''}${exp.skipped.length > 0 && exp.json ? ` — skipped ${exp.skipped.map((k) => `${k.name}: ${k.reason}`).join('; ')}` : ''}`);
    // Every skipped layer has a reason; never an exported `?`.
    for (const k of exp.skipped) assert.ok(k.reason.length > 0, `${label} ${k.name}: a skipped layer without a reason`);
    if (exp.json) {
      assert.ok(!JSON.stringify(exp.json).includes('"?"'), `${label} ${s.model.name}: an unknown value was exported`);
      const problems = await crossCheck(s, exp);
      if (problems.length > 0) failures.push(`${label} ${s.model.name}:\n  ${problems.join('\n  ')}`);
    }
    if (process.env.EXPORT_TIMING) console.log(label, s.model.name, Date.now() - t0);
  }
}

test('every fixture model tfjs can build: the exported JSON built by tfjs has the analysis\' shapes and params', async () => {
  const tally: Tally = { whole: 0, partly: 0, none: 0 };
  const failures: string[] = [];
  const report: string[] = [];
  const pyDir = fixturesDir('python');
  for (const [rel] of fixtureSources('python', '.py')) {
    if (rel.endsWith('__init__.py')) continue;
    const { analysis } = await analyzeOnDisk(path.join(pyDir, ...rel.split('/')));
    await checkAnalysis(`python/${rel}`, analysis, tally, failures, report);
  }
  const tfjsFiles = Object.fromEntries(fixtureSources('tfjs'));
  for (const [rel, text] of Object.entries(tfjsFiles)) {
    if (!/\.(m|c)?[jt]sx?$/.test(rel)) continue;
    const { analysis } = await analyzeJs(text, tfjsFiles, rel);
    await checkAnalysis(`tfjs/${rel}`, analysis, tally, failures, report);
  }
  console.log(`fixtures: ${tally.whole} exported whole, ${tally.partly} partly, ${tally.none} not at all\n${report.join('\n')}`);
  assert.deepEqual(failures, []);
  assert.ok(tally.whole >= 30, `whole: ${tally.whole}`);
  assert.ok(tally.partly >= 1, `partly: ${tally.partly}`);
});

test(`random-CNN corpus (${CORPUS} specs, as Python and as tfjs): every model exports whole and tfjs agrees with the analysis`, async () => {
  const tally: Tally = { whole: 0, partly: 0, none: 0 };
  const failures: string[] = [];
  const report: string[] = [];
  for (let i = 0; i < CORPUS; i++) {
    const rng = mulberry32(caseSeed(0xe4907, i));
    const { spec } = randomValidSpec(rng, `cnn_${i}`);
    const py = emitPython(spec, rng, PY_MODEL_STYLES[i % PY_MODEL_STYLES.length]);
    const { analysis: pa } = await analyze(py.main, py.files);
    await checkAnalysis(`corpus #${i} python ${py.style}`, pa, tally, failures, report);
    const js = emitJs(spec, rng, JS_MODEL_STYLES[i % JS_MODEL_STYLES.length]);
    const { analysis: ja } = await analyzeJs(js.main, js.files, js.file);
    await checkAnalysis(`corpus #${i} tfjs ${js.style}`, ja, tally, failures, report);
  }
  console.log(`corpus: ${tally.whole} exported whole, ${tally.partly} partly, ${tally.none} not at all`);
  assert.deepEqual(failures, []);
  // Every generated layer is one tfjs has: all models export whole.
  assert.equal(tally.whole, 2 * CORPUS, report.filter((r) => !r.endsWith('whole')).join('\n'));
});
