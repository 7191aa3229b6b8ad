// Symbolic sizes: where the code leaves a size open (an input's None dims, a builder parameter
// without default), each dim and weight count the analysis shows as None or `?` gets a formula in
// named symbols (`⌊H/2⌋`, `latent_size·3456 + 3456`), worked out by a pass over the analysed
// graph in call order. Layer rules supply the arithmetic only they know (`LayerRule.symbolic`).

import { callsInOrder } from './builder';
import { modelCost } from './cost';
import { Cfg } from './config';
import { constant, constantValue, formatFormula, formulaOf, sumOf, symbol, symbolsOf, type Formula, type FormulaShape } from './formula';
import type { CallNode, LayerNode, ModelGraph, SymbolicTensor } from './graph';
import { getRule, ruleFormulas } from './layers/registry';
import { inputDimNames, isShapeList, UNKNOWN_DIM, type OutputShape, type RuleShape, type Shape } from './shape';
import type { ModelSummary } from './summary';

export type { FormulaDim, FormulaShape } from './formula';

/** What the formulas add to one summary row. */
export interface SymbolicRow {
  /** Set when a dim Keras prints None (other than the batch) or the analysis `?` has a formula. */
  shape?: FormulaShape | FormulaShape[];
  /** Set when the row's weight count is unknown (`?`) and has a formula. */
  params?: Formula;
}

export interface SymbolicModel {
  /** One entry per summary row, in row order. */
  rows: (SymbolicRow | undefined)[];
  /** Set when the total is unknown and every row has a count or a formula. */
  totalParams?: Formula;
  /** Every symbol the formulas use, in first-seen order. */
  symbols: string[];
}

/**
 * Formulas of an input's dims: its own (`dimFormulas`), else a symbol for each open dim (`suffix`,
 * `_` and the input's name, added when several inputs of the model have some: `T_title`), else its size.
 */
export function inputFormulas(shape: Shape, own?: readonly (Formula | undefined)[], suffix = ''): FormulaShape {
  const names = inputDimNames(shape);
  return shape.map((d, i) => own?.[i] ?? (names[i] ? symbol((names[i] as string) + suffix) : typeof d === 'number' ? constant(d) : d));
}

const cache = new WeakMap<ModelSummary, SymbolicModel>();

/** The formulas of a summary's rows (cached per summary). */
export function symbolicModel(s: ModelSummary): SymbolicModel {
  let m = cache.get(s);
  if (!m) {
    m = computeSymbolicModel(s);
    cache.set(s, m);
  }
  return m;
}

/** Nested models deeper than this get no formulas (bounded work on pathological code). */
const MAX_DEPTH = 16;

/** One run of the pass over a model and the models nested in it. */
interface Pass {
  /** Formula shape of each tensor reached, by tensor id (one map per model call: a nested model's tensors are its own). */
  shapes: Map<number, FormulaShape>;
  /** Weight-count formula of each layer built here whose count is unknown. */
  params: Map<LayerNode, Formula | undefined>;
  /** The symbols of the inputs' and settings' formulas met, in order. */
  symbols: Set<string>;
  /** MACs of each call walked, worked out when first asked (`symbolicMacs`); a constant 0 for none. */
  macs: Map<CallNode, () => Formula | undefined>;
}

/** MACs formulas (core/cost.ts's counts where the analysis has none), worked out when first asked: hovers, not hints. */
export interface SymbolicMacs {
  /** One entry per summary row: set when the row's MACs are unknown and have a formula. */
  rows: (Formula | undefined)[];
  /** Set when the model's MACs are unknown and every row has a count or a formula. */
  total?: Formula;
}

/** The pass behind each summary's formulas, kept for `symbolicMacs`. */
const passes = new WeakMap<ModelSummary, Pass>();
const macsCache = new WeakMap<ModelSummary, SymbolicMacs>();

/** The MACs formulas of a summary's rows and its total (cached per summary). */
export function symbolicMacs(s: ModelSummary): SymbolicMacs {
  let m = macsCache.get(s);
  if (m) return m;
  symbolicModel(s);
  const pass = passes.get(s);
  m = { rows: s.rows.map(() => undefined) };
  if (pass) {
    try {
      m = computeMacs(s, pass);
    } catch {
      // A formula never breaks a hover.
    }
  }
  macsCache.set(s, m);
  return m;
}

function computeMacs(s: ModelSummary, pass: Pass): SymbolicMacs {
  const costs = modelCost(s);
  const of = (c: CallNode) => {
    const f = pass.macs.get(c);
    return f ? f() : undefined;
  };
  const rows = s.rows.map((row, i): Formula | undefined => {
    if (costs.rows[i]?.macs !== null) return undefined;
    // Its calls in this model (those the walk reached).
    const calls = row.layer.calls.filter((c) => pass.macs.has(c));
    const f = calls.length > 0 ? sumOf(calls.map(of)) : undefined;
    // A constant can only be a layer without weight multiplies (0 whatever the sizes).
    return f && (constantValue(f) === null || constantValue(f) === 0) ? f : undefined;
  });
  const out: SymbolicMacs = { rows };
  const model = s.model;
  if (costs.totalMacs === null && model.built && !model.incomplete) {
    // Every row once: its count where known, else its formula.
    const parts = s.rows.map((row, i) => {
      const known = costs.rows[i]?.macs;
      if (known !== null && known !== undefined) return constant(known);
      if (row.unbuilt) return constant(0);
      return rows[i] ?? sumOf(row.layer.calls.filter((c) => pass.macs.has(c)).map(of));
    });
    const total = sumOf(parts);
    if (total && constantValue(total) === null) out.total = total;
  }
  return out;
}

function computeSymbolicModel(s: ModelSummary): SymbolicModel {
  const model = s.model;
  if (!hasOpenSizes(model, 0)) return { rows: s.rows.map(() => undefined), symbols: [] };
  const pass: Pass = { shapes: new Map(), params: new Map(), symbols: new Set(), macs: new Map() };
  try {
    walk(model, undefined, pass, 0);
  } catch {
    // Never let a formula break the analysis: whatever was reached stays.
  }
  passes.set(s, pass);
  const rows = s.rows.map((row) => rowFormulas(row.layer, row.outputShape, row.params, pass));
  const out: SymbolicModel = { rows, symbols: [] };
  if (s.totalParams === null && !model.incomplete && !(model.kind === 'subclassed' && model.outputs.length === 0)) {
    const seen = new Set<LayerNode>();
    const parts: (Formula | undefined)[] = [model.ownWeights ? countFormula(model.ownWeights.trainable, model.ownWeights.nonTrainable) : constant(0)];
    s.rows.forEach((row, i) => {
      if (seen.has(row.layer)) return;
      seen.add(row.layer);
      parts.push(row.params !== null ? constant(row.params) : rows[i]?.params);
    });
    const total = sumOf(parts);
    if (total && constantValue(total) === null) out.totalParams = total;
  }
  // Every formula is made from the inputs' and the settings' symbols: those that reached a row.
  if (rows.some((r) => r)) out.symbols = [...pass.symbols];
  return out;
}

function countFormula(trainable: number | null, nonTrainable: number | null): Formula | undefined {
  return trainable === null || nonTrainable === null ? undefined : constant(trainable + nonTrainable);
}

/** True when an input has a size other than the batch that is None or `?`, or a layer a setting that is a formula (else the pass has nothing to add). */
function hasOpenSizes(model: ModelGraph, depth: number): boolean {
  for (const t of model.inputs) {
    const shape = t.shape;
    if (shape) for (let i = 1; i < shape.length; i++) if (typeof shape[i] !== 'number') return true;
  }
  for (const layer of model.layers) {
    if (layer.settingFormulas) return true;
    if (layer.nested && depth < MAX_DEPTH && hasOpenSizes(layer.nested, depth + 1)) return true;
  }
  return false;
}

/** What the formulas add to a row: its output's (first call) and its weights', where they say more than the analysis. */
function rowFormulas(layer: LayerNode, outputShape: OutputShape, params: number | null, pass: Pass): SymbolicRow | undefined {
  const row: SymbolicRow = {};
  const call = layer.calls.find((c) => c.outputs.some((t) => pass.shapes.has(t.id)));
  if (call && outputShape) {
    const shapes = call.outputs.map((t) => pass.shapes.get(t.id));
    const adds = shapes.some((f, i) => f && call.outputs[i].shape && addsToShape(call.outputs[i].shape as Shape, f));
    if (adds && shapes.every((f) => f)) row.shape = shapes.length === 1 ? shapes[0] : (shapes as FormulaShape[]);
  }
  if (params === null) {
    const f = layerParams(layer, pass, 0);
    if (f && constantValue(f) === null) row.params = f;
  }
  return row.shape || row.params ? row : undefined;
}

/** True when a dim the shape has as None (not the batch) or `?` has a formula. */
function addsToShape(shape: Shape, f: FormulaShape): boolean {
  for (let i = 1; i < shape.length; i++) if (typeof shape[i] !== 'number' && formulaOf(f[i])) return true;
  return false;
}

/** A layer's weight count as a formula: its known count, a nested model's rows summed, or what its rule gave at its first call. */
function layerParams(layer: LayerNode, pass: Pass, depth: number): Formula | undefined {
  if (layer.nested) {
    const m = layer.nested;
    if (depth > MAX_DEPTH || m.incomplete || (m.kind === 'subclassed' && m.outputs.length === 0)) return undefined;
    const parts: (Formula | undefined)[] = [m.ownWeights ? countFormula(m.ownWeights.trainable, m.ownWeights.nonTrainable) : constant(0)];
    for (const inner of new Set(m.layers)) parts.push(layerParams(inner, pass, depth + 1));
    return sumOf(parts);
  }
  const p = layer.params;
  if (!p || layer.calls.length === 0) return constant(0);
  const known = countFormula(p.trainable, p.nonTrainable);
  return known ?? pass.params.get(layer);
}

/** A shape as formulas: its known sizes as constants, None and `?` as they are. */
function shapeFormulas(shape: Shape): FormulaShape {
  return shape.map((d) => (typeof d === 'number' ? constant(d) : d));
}

/**
 * Works out the formula shape of every tensor of `model` in call order: its inputs from `seeds`
 * (a nested model's call) or their own formulas, each call by its rule's `symbolic` hook.
 */
function walk(model: ModelGraph, seeds: (FormulaShape | undefined)[] | undefined, pass: Pass, depth: number): void {
  const open = model.inputs.filter((t) => t.shape && inputDimNames(t.shape).some((n) => n !== undefined)).length;
  model.inputs.forEach((t, i) => {
    const seed = seeds?.[i];
    if (seed) pass.shapes.set(t.id, seed);
    else if (t.shape && !pass.shapes.has(t.id)) pass.shapes.set(t.id, noteSymbols(inputFormulas(t.shape, t.dimFormulas, open > 1 ? `_${t.source?.layer.name ?? i + 1}` : ''), pass));
  });
  if (depth > MAX_DEPTH) return;
  for (const call of callsInOrder(model)) {
    const layer = call.layer;
    if (layer.isInput) {
      pass.macs.set(call, () => constant(0));
      const t = call.outputs[0];
      if (t?.shape && !pass.shapes.has(t.id)) pass.shapes.set(t.id, noteSymbols(inputFormulas(t.shape, t.dimFormulas), pass));
      continue;
    }
    const ins: FormulaShape[] = [];
    for (const t of call.inputs) {
      const f = pass.shapes.get(t.id) ?? (t.shape ? shapeFormulas(t.shape) : undefined);
      if (!f) break;
      ins.push(f);
    }
    if (ins.length !== call.inputs.length || ins.length === 0) continue;
    let outs: (FormulaShape | undefined)[];
    if (layer.nested) {
      // The nested model's tensors get this call's formulas; its outputs are read back at once.
      const inner: Pass = { shapes: new Map(), params: pass.params, symbols: pass.symbols, macs: new Map() };
      walk(layer.nested, ins, inner, depth + 1);
      outs = layer.nested.outputs.map((t) => inner.shapes.get(t.id));
      pass.macs.set(call, () => sumOf([...inner.macs.values()].map((f) => f())));
    } else {
      if (layer.settingFormulas) for (const f of Object.values(layer.settingFormulas)) for (const name of symbolsOf(f)) pass.symbols.add(name);
      const r = layer.custom ? null : ruleFormulas(layer.className, layer.config, ins, layer.settingFormulas, !layer.params || layer.params.trainable === null || layer.params.nonTrainable === null);
      if (r?.params !== undefined && !pass.params.has(layer)) pass.params.set(layer, r.params ?? undefined);
      const o = r?.output;
      outs = !o ? [] : isShapeList(o) ? o : [o];
      pass.macs.set(call, r?.macs ?? (() => (layer.custom ? undefined : noMacs(layer, call))));
    }
    call.outputs.forEach((t, i) => {
      if (t.shape) pass.shapes.set(t.id, settle(t.shape, outs[i]));
    });
  }
}

/** Records the symbols of an input's formulas; returns them. */
function noteSymbols(shape: FormulaShape, pass: Pass): FormulaShape {
  for (const d of shape) {
    const f = formulaOf(d);
    if (f) for (const name of symbolsOf(f)) pass.symbols.add(name);
  }
  return shape;
}

/**
 * 0 for a call of a layer that does no weight multiplies whatever its sizes (pooling, BN,
 * activations, merges): its rule's `cost` gives 0 MACs with the open sizes at a stand-in. MACs
 * are sums of products of sizes, so none at a positive size means none at every size.
 */
function noMacs(layer: LayerNode, call: CallNode): Formula | undefined {
  const rule = getRule(layer.className);
  if (!rule?.cost) return undefined;
  const standIn = (t: SymbolicTensor) => (t.shape ? t.shape.map((d) => (typeof d === 'number' ? d : 7)) : null);
  const ins = call.inputs.map(standIn);
  const outs = call.outputs.map(standIn);
  if (ins.some((x) => !x) || outs.some((x) => !x)) return undefined;
  try {
    return rule.cost(ins as RuleShape[], outs as RuleShape[], new Cfg(layer.config)).macs === 0 ? constant(0) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tensor's formula shape: its known sizes, and where the analysis has None or `?` (batch
 * aside) the rule's formula when it has a symbol in it (a constant there would contradict the
 * analysis, which knows why it has none: an error, a size from data).
 */
function settle(shape: Shape, f: FormulaShape | undefined): FormulaShape {
  return shape.map((d, i) => {
    if (typeof d === 'number') return constant(d);
    const g = i > 0 && f && f.length === shape.length ? formulaOf(f[i]) : undefined;
    return g && constantValue(g) === null ? g : d;
  });
}

/**
 * Display text of a formula shape, as Python prints the tuple: `(None, ⌊H/2⌋, ⌊W/2⌋, 32)`. A dim
 * whose formula is longer than `maxDim` characters prints `?` (the hover gives it in full).
 */
export function formatFormulaShape(s: FormulaShape, maxDim = Infinity): string {
  const parts = s.map((d) => {
    if (d === null) return 'None';
    if (d === UNKNOWN_DIM) return '?';
    const text = formatFormula(d);
    return text.length > maxDim ? '?' : text;
  });
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}
