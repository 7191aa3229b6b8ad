// What the pooling preview needs from an analysis: a pooling layer's settings as Keras resolves
// them (defaults included), the pooling layers of a model in order, the model's parameter count
// if its windowed pooling layers were removed (seed 002: 8,861 with, 477,341 without), and its
// MACs and FLOPs with and without them and what each one saves (the same replay).

import { callsInOrder } from './builder';
import { Cfg, type LayerConfig } from './config';
import { costOn, modelCost, type Measure } from './cost';
import type { LayerNode, ModelGraph, SymbolicTensor } from './graph';
import { evaluateLayer } from './layers/evaluate';
import { totalParams, type CallCost } from './layers/types';
import { isShapeList, type OutputShape, type Shape } from './shape';
import type { ModelSummary } from './summary';

export interface PoolingSettings {
  op: 'max' | 'avg';
  /** GlobalMax/GlobalAveragePooling: one value per channel. */
  global: boolean;
  /** Spatial rank: 1, 2 or 3. */
  rank: number;
  /** Per spatial axis; for global pooling, empty. */
  poolSize: number[];
  strides: number[];
  padding: 'valid' | 'same';
  dataFormat: 'channels_last' | 'channels_first';
  keepdims: boolean;
}

const POOLING = /^(Global)?(Max|Average)Pooling([123])D$/;

/** True for MaxPooling/AveragePooling 1D–3D and their global forms (canonical class names). */
export function isPoolingClass(className: string): boolean {
  return POOLING.test(className);
}

/** True for the windowed (non-global) pooling classes: the layers "without pooling" removes. */
export function isWindowedPoolingClass(className: string): boolean {
  const m = POOLING.exec(className);
  return m !== null && m[1] === undefined;
}

/**
 * The settings Keras would use for a pooling layer of `className` with `config`: `pool_size`
 * defaults to 2 per axis and `strides` to `pool_size`. Null when not a pooling layer or when a
 * setting is unknown to the analysis or invalid (the layer's diagnostics say why).
 */
export function poolingSettings(className: string, config: LayerConfig): PoolingSettings | null {
  const m = POOLING.exec(className);
  if (!m) return null;
  const global = m[1] !== undefined;
  const op = m[2] === 'Max' ? 'max' : 'avg';
  const rank = Number(m[3]);
  const cfg = new Cfg(config);
  const dataFormat = cfg.dataFormat();
  if (dataFormat === null) return null;
  if (global) {
    const keepdims = cfg.bool('keepdims', false);
    if (keepdims === null) return null;
    return { op, global, rank, poolSize: [], strides: [], padding: 'valid', dataFormat, keepdims };
  }
  const pool = cfg.ints('pool_size', rank, 2);
  const rawStrides = config['strides'];
  const strides = rawStrides === undefined || rawStrides === null ? pool : cfg.ints('strides', rank, 1);
  const padding = cfg.str('padding', 'valid')?.toLowerCase();
  if (!allPositive(pool) || !allPositive(strides) || (padding !== 'valid' && padding !== 'same')) return null;
  return { op, global, rank, poolSize: pool, strides, padding, dataFormat, keepdims: false };
}

function allPositive(v: (number | null)[] | null): v is number[] {
  return v !== null && v.every((x) => x !== null && x > 0);
}

export interface ModelPoolingLayer {
  layer: LayerNode;
  settings: PoolingSettings;
}

/** The model's pooling layers with readable settings, in summary order (nested models included). */
export function poolingLayersOf(model: ModelGraph, depth = 0): ModelPoolingLayer[] {
  const out: ModelPoolingLayer[] = [];
  if (depth > 16) return out;
  for (const layer of model.layers) {
    if (layer.nested) {
      out.push(...poolingLayersOf(layer.nested, depth + 1));
      continue;
    }
    const settings = poolingSettings(layer.className, layer.config);
    if (settings) out.push({ layer, settings });
  }
  return out;
}

export interface WithoutPooling {
  /** Total params (trainable + non-trainable) with the windowed pooling layers removed; null when unknown. */
  totalParams: number | null;
  /** The layers removed (empty: the model has no windowed pooling layer). */
  removed: LayerNode[];
}

/**
 * Replays `model` with every MaxPooling/AveragePooling layer replaced by the identity and sums the
 * parameters each layer would create on its new input shapes (shared layers counted once, nested
 * models replayed the same way). Global pooling layers stay: removing them changes the rank.
 */
export function paramsWithoutPooling(model: ModelGraph): WithoutPooling {
  const removed: LayerNode[] = [];
  const counted = new Set<number>();
  let total: number | null = 0;
  const add = (n: number | null) => (total = total === null || n === null ? null : total + n);
  if (!model.built) return { totalParams: null, removed };
  replay(model, model.inputs.map((t) => t.shape), 0, { removes: isWindowedPooling, removed, counted, add, firstParams: new Map() });
  return { totalParams: total, removed };
}

const isWindowedPooling = (layer: LayerNode) => isWindowedPoolingClass(layer.className);

interface ReplayState {
  /** The layers replaced by the identity. */
  removes(layer: LayerNode): boolean;
  removed: LayerNode[];
  counted: Set<number>;
  add(n: number | null): void;
  /** Params of each layer on its first call, to catch a shared layer whose later call would need other weights. */
  firstParams?: Map<number, number | null>;
  /** The MACs and FLOPs of each call replayed (null: unknown, and why). */
  cost?(c: Measure<CallCost>, where: string): void;
  /** Calls replayed so far (bounds the work of `poolingCost`). */
  calls?: { n: number };
}

/** A nested model whose input shape is fixed in code (Input, input_shape=, build()): Keras would not rebuild it for a new shape. */
function hasFixedInput(model: ModelGraph): boolean {
  return !model.builtByCall;
}

/** Two shapes that differ in a known non-batch dim. */
function differs(a: Shape | null, b: Shape | null): boolean {
  if (!a || !b) return false;
  if (a.length !== b.length) return true;
  return a.some((d, i) => i > 0 && d !== null && b[i] !== null && d !== b[i]);
}

function replay(model: ModelGraph, shapes: (Shape | null)[], depth: number, st: ReplayState): OutputShape {
  if (depth > 16) {
    st.add(null);
    st.cost?.({ value: null, why: 'models nested too deeply' }, model.name);
    return null;
  }
  const known = new Map<number, Shape | null>();
  model.inputs.forEach((t, i) => known.set(t.id, shapes[i] ?? null));
  const shapeOf = (t: SymbolicTensor) => (known.has(t.id) ? known.get(t.id)! : t.shape);
  for (const call of callsInOrder(model)) {
    const layer = call.layer;
    const ins = call.inputs.map(shapeOf);
    let out: OutputShape;
    if (st.calls) st.calls.n++;
    if (layer.isInput) {
      out = call.outputs[0]?.shape ?? null;
    } else if (st.removes(layer)) {
      if (!st.removed.includes(layer)) st.removed.push(layer);
      out = ins[0] ?? null;
    } else if (layer.nested) {
      const first = !st.counted.has(layer.id);
      st.counted.add(layer.id);
      // Built for a fixed input shape: without pooling it would receive another one, which Keras rejects.
      if (hasFixedInput(layer.nested) && layer.nested.inputs.some((t, i) => differs(t.shape, ins[i] ?? null))) {
        st.add(null);
        st.cost?.({ value: null, why: `Keras would not run ${layer.name} on another input shape than the one it is built for` }, layer.name);
      }
      // A shared nested model owns its weights once: count them on its first call only.
      const inner: ReplayState = first ? st : { ...st, add: (n) => (n === null ? st.add(null) : undefined) };
      out = replay(layer.nested, ins, depth + 1, inner);
    } else {
      const ev = evaluateLayer(layer.className, layer.config, ins, layer.name);
      const params = ev.output === null && ev.problems.some((p) => p.severity === 'error') ? null : totalParams(ev.params);
      if (!st.counted.has(layer.id)) {
        st.counted.add(layer.id);
        st.firstParams?.set(layer.id, params);
        st.add(params);
      } else if (st.firstParams?.has(layer.id) && st.firstParams.get(layer.id) !== params) {
        // A shared layer called on shapes that need other weights: Keras would fail, so the total is unknown.
        st.add(null);
      }
      out = ev.output;
      if (st.cost) {
        const error = ev.problems.find((p) => p.severity === 'error');
        const outs = isShapeList(out) ? out : [out as Shape | null];
        st.cost(error ? { value: null, why: `Keras would raise an error here: ${error.message}` } : costOn(layer, ins.map((shape) => ({ shape })), outs.map((shape) => ({ shape }))), layer.name);
      }
    }
    const outs = isShapeList(out) ? out : [out as Shape | null];
    call.outputs.forEach((t, i) => known.set(t.id, outs[i] ?? null));
  }
  const result = model.outputs.map(shapeOf);
  if (result.length === 1) return result[0];
  return result.some((s) => s === null) ? null : (result as Shape[]);
}

// -------------------------------------------------------------------------------------------------
// MACs with and without pooling

/** MACs and FLOPs of one forward pass of one sample (core/cost.ts' convention); null and why when unknown. */
export interface PassCost {
  macs: number | null;
  flops: number | null;
  why?: string;
}

export interface PoolingCost {
  /** The model as written: core/cost.ts `modelCost`'s totals (what the hover shows). */
  with: PassCost;
  /** The model replayed without its MaxPooling/AveragePooling layers (as `paramsWithoutPooling`). */
  without: PassCost;
  /**
   * What each windowed pooling layer saves: the model's MACs with that layer alone taken out (a
   * shared layer: all its calls) minus the model's MACs. Null with why when either is unknown.
   */
  saves: Map<LayerNode, Measure<number>>;
}

/** Layer calls replayed for the per-layer savings of one model, at most (one replay per pooling layer). */
export const MAX_SAVINGS_CALLS = 5_000;

const costs = new WeakMap<ModelSummary, PoolingCost>();

/** MACs and FLOPs of `summary`'s model with and without its pooling layers, and what each saves (cached per summary). */
export function poolingCost(summary: ModelSummary): PoolingCost {
  let c = costs.get(summary);
  if (!c) {
    c = computePoolingCost(summary);
    costs.set(summary, c);
  }
  return c;
}

function computePoolingCost(summary: ModelSummary): PoolingCost {
  const model = summary.model;
  const written = modelCost(summary);
  // Why a count is unknown: the first row whose count is (`written.why` may be about activation bytes).
  const row = written.rows.findIndex((r) => r.calls > 0 && (r.macs === null || r.flops === null) && r.why);
  const countWhy = row >= 0 ? `${summary.rows[row].name}: ${written.rows[row].why}` : written.why;
  const withPooling: PassCost = { macs: written.totalMacs, flops: written.totalFlops, ...((written.totalMacs === null || written.totalFlops === null) && countWhy ? { why: countWhy } : {}) };
  const saves = new Map<LayerNode, Measure<number>>();
  const notBuilt = !model.built ? 'the model is not built' : model.incomplete;
  if (notBuilt) return { with: withPooling, without: { macs: null, flops: null, why: notBuilt }, saves };
  const all = replayCost(model, isWindowedPooling);
  const pooling = all.removed;
  if (pooling.length === 0) return { with: withPooling, without: withPooling, saves };
  if (withPooling.macs === null) {
    // Nothing saved is known without the model's own MACs: no more replays.
    for (const layer of pooling) saves.set(layer, { value: null, why: withPooling.why ?? 'the MACs of the model are not known' });
    return { with: withPooling, without: { macs: all.macs, flops: all.flops, ...(all.why ? { why: all.why } : {}) }, saves };
  }
  // The replay of the model as written must give the hover's counts, else its differences would not be what a layer saves.
  const asWritten = replayCost(model, () => false);
  const mismatch = asWritten.macs !== withPooling.macs || asWritten.flops !== withPooling.flops;
  const MISMATCH = 'Shape Lens could not replay the model as written to the MACs and FLOPs it shows';
  const without: PassCost = mismatch ? { macs: null, flops: null, why: MISMATCH } : { macs: all.macs, flops: all.flops, ...(all.why ? { why: all.why } : {}) };
  const saving = (p: PassCost): Measure<number> => {
    if (mismatch) return { value: null, why: MISMATCH };
    return p.macs === null ? { value: null, why: p.why ?? 'a count is not known' } : { value: p.macs - (withPooling.macs as number) };
  };
  if (pooling.length === 1) {
    saves.set(pooling[0], saving(all));
    return { with: withPooling, without, saves };
  }
  const work = all.calls * pooling.length;
  for (const layer of pooling) {
    saves.set(layer, work > MAX_SAVINGS_CALLS ? { value: null, why: `Shape Lens replays the model once per pooling layer up to ${MAX_SAVINGS_CALLS.toLocaleString('en-US')} layer calls in all; this one would take ${work.toLocaleString('en-US')}` } : saving(replayCost(model, (l) => l === layer)));
  }
  return { with: withPooling, without, saves };
}

/** The MACs and FLOPs of `model` replayed with the layers `removes` selects replaced by the identity. */
function replayCost(model: ModelGraph, removes: (layer: LayerNode) => boolean): PassCost & { removed: LayerNode[]; calls: number } {
  const removed: LayerNode[] = [];
  const calls = { n: 0 };
  let macs: number | null = 0;
  let flops: number | null = 0;
  let why: string | undefined;
  const add = (a: number | null, b: number | null | undefined) => (a === null || b === null || b === undefined || !Number.isSafeInteger(a + b) ? null : a + b);
  const cost = (c: Measure<CallCost>, where: string) => {
    macs = add(macs, c.value?.macs);
    flops = add(flops, c.value?.flops);
    if (c.why) why ??= `${where}: ${c.why}`;
    else if ((macs === null || flops === null) && why === undefined) why = `${where}: too many to count exactly`;
  };
  replay(model, model.inputs.map((t) => t.shape), 0, { removes, removed, counted: new Set(), add: () => undefined, cost, calls });
  return { macs, flops, ...(why ? { why } : {}), removed, calls: calls.n };
}
