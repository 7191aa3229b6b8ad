// Test helper: a seeded generator of random valid CNN model specs (language-neutral, Keras class
// names and snake_case configs), Python and JS/TS (tfjs) emitters that write a spec in several
// coding styles, and a tfjs-layers builder of the same spec (the oracle of the differential tests
// and the benchmark).

import { tfjsArgs as oracleArgs } from './tfjs-oracle';
import * as tf from '@tensorflow/tfjs';

// ---------------------------------------------------------------------------------------------
// Seeded randomness

import { mulberry32, type Rng } from './rng';
export { mulberry32, type Rng };

/** The seed of case `index` of a run seeded with `seed`: each case is reproducible on its own. */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Integer in [lo, hi]. */
export function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)];
}

export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

// ---------------------------------------------------------------------------------------------
// Spec types (language-neutral: Keras class names, canonical snake_case config keys)

export type Rank = 1 | 2 | 3;
export type DataFormat = 'channels_last' | 'channels_first';

/** Every layer class the generator produces; all exist in both Keras and tfjs-layers. */
export type LayerClass =
  | 'Conv1D' | 'Conv2D' | 'Conv3D' | 'SeparableConv2D' | 'DepthwiseConv2D' | 'Conv2DTranspose'
  | 'MaxPooling1D' | 'MaxPooling2D' | 'MaxPooling3D' | 'AveragePooling1D' | 'AveragePooling2D' | 'AveragePooling3D'
  | 'GlobalAveragePooling1D' | 'GlobalAveragePooling2D' | 'GlobalMaxPooling1D' | 'GlobalMaxPooling2D'
  | 'BatchNormalization' | 'Dropout' | 'Flatten' | 'Dense' | 'Activation' | 'ReLU';

/** A value bound by the surrounding code in loop styles: the block's filters / kernel, the class count. */
export interface ParamRef {
  readonly ref: 'filters' | 'kernel' | 'classes';
}

/** A config value; arrays are Python tuples / JS arrays, null is None / null. */
export type ConfigValue = number | boolean | string | null | readonly number[] | ParamRef;

/** One layer: Keras class and config with Keras keys, inserted in the class's positional order. */
export interface LayerSpec {
  readonly className: LayerClass;
  readonly config: Readonly<Record<string, ConfigValue>>;
}

/** A block of layers repeated once per `filters` entry (emitted as a loop by the loop styles). */
export interface BlockSpec {
  readonly layers: readonly LayerSpec[];
  readonly filters: readonly number[];
  readonly kernel: number | readonly number[];
}

/** A linear CNN: stem, repeated block, head (whose last Dense has `classes` units). */
export interface ModelSpec {
  readonly name: string;
  readonly rank: Rank;
  readonly dataFormat: DataFormat;
  /** Input shape without the batch dimension; null = None (spatial dims only). */
  readonly inputShape: readonly (number | null)[];
  /** A fixed batch size (`Input(batch_size=...)`); absent = None. */
  readonly batchSize?: number;
  readonly stem: readonly LayerSpec[];
  readonly block: BlockSpec;
  readonly head: readonly LayerSpec[];
  readonly numClasses: number;
}

export function isRef(v: ConfigValue | undefined): v is ParamRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Replaces refs by concrete values. */
export function resolveLayer(layer: LayerSpec, bind: { filters?: number; kernel?: number | readonly number[]; classes?: number }): LayerSpec {
  const config: Record<string, ConfigValue> = {};
  for (const [k, v] of Object.entries(layer.config)) {
    if (isRef(v)) {
      const b = bind[v.ref];
      if (b === undefined) throw new Error(`unbound ${v.ref} in ${layer.className}`);
      config[k] = b;
    } else config[k] = v;
  }
  return { className: layer.className, config };
}

/** The model's layers in order with every ref resolved (what tfjs and the flat emitters see). */
export function expandLayers(spec: ModelSpec): LayerSpec[] {
  const classes = spec.numClasses;
  const out = spec.stem.map((l) => resolveLayer(l, { classes }));
  for (const filters of spec.block.filters) {
    for (const l of spec.block.layers) out.push(resolveLayer(l, { filters, kernel: spec.block.kernel, classes }));
  }
  for (const l of spec.head) out.push(resolveLayer(l, { classes }));
  return out;
}

/** The spec with its MaxPooling/AveragePooling layers removed (global pooling kept). */
export function withoutPoolingSpec(spec: ModelSpec): ModelSpec {
  const keep = (l: LayerSpec) => !/^(Max|Average)Pooling[123]D$/.test(l.className);
  return { ...spec, stem: spec.stem.filter(keep), block: { ...spec.block, layers: spec.block.layers.filter(keep) }, head: spec.head.filter(keep) };
}

// ---------------------------------------------------------------------------------------------
// Tiny independent shape arithmetic, used only to steer generation towards valid models (the
// oracle is tfjs; a model tfjs sizes to a dim <= 0 is rejected by the caller anyway).

type Shape = number[]; // without batch

function tuple(v: ConfigValue | undefined, n: number, dflt: number): number[] {
  if (v === undefined || v === null) return Array<number>(n).fill(dflt);
  if (typeof v === 'number') return Array<number>(n).fill(v);
  if (Array.isArray(v)) return [...(v as number[])];
  throw new Error(`not a size: ${JSON.stringify(v)}`);
}

function windowLen(n: number, k: number, s: number, d: number, padding: string): number {
  const ek = (k - 1) * d + 1;
  return padding === 'same' ? Math.ceil(n / s) : Math.ceil((n - ek + 1) / s);
}

function split(shape: Shape, rank: number, df: DataFormat): { spatial: number[]; ch: number } {
  return df === 'channels_first' ? { ch: shape[0], spatial: shape.slice(1, 1 + rank) } : { ch: shape[rank], spatial: shape.slice(0, rank) };
}

function join(spatial: number[], ch: number, df: DataFormat): Shape {
  return df === 'channels_first' ? [ch, ...spatial] : [...spatial, ch];
}

function rankOf(cls: LayerClass): number {
  const m = /([123])D/.exec(cls);
  return m ? Number(m[1]) : 0;
}

/** Output shape of one resolved layer, or null when some dim would be < 1. */
export function trackShape(layer: LayerSpec, shape: Shape): Shape | null {
  const c = layer.config;
  const df = (c.data_format as DataFormat | undefined) ?? 'channels_last';
  const r = rankOf(layer.className);
  const pad = (c.padding as string | undefined) ?? 'valid';
  let out: Shape;
  switch (layer.className) {
    case 'Conv1D': case 'Conv2D': case 'Conv3D': case 'SeparableConv2D': case 'DepthwiseConv2D': {
      const { spatial, ch } = split(shape, r, df);
      const k = tuple(c.kernel_size, r, 1);
      const s = tuple(c.strides, r, 1);
      const d = tuple(c.dilation_rate, r, 1);
      const sp = spatial.map((n, i) => windowLen(n, k[i], s[i], d[i], pad));
      const outCh = layer.className === 'DepthwiseConv2D' ? ch * ((c.depth_multiplier as number | undefined) ?? 1) : (c.filters as number);
      out = join(sp, outCh, df);
      break;
    }
    case 'Conv2DTranspose': {
      const { spatial } = split(shape, 2, df);
      const k = tuple(c.kernel_size, 2, 1);
      const s = tuple(c.strides, 2, 1);
      const sp = spatial.map((n, i) => (pad === 'same' ? n * s[i] : n * s[i] + Math.max(k[i] - s[i], 0)));
      out = join(sp, c.filters as number, df);
      break;
    }
    case 'MaxPooling1D': case 'MaxPooling2D': case 'MaxPooling3D':
    case 'AveragePooling1D': case 'AveragePooling2D': case 'AveragePooling3D': {
      const { spatial, ch } = split(shape, r, df);
      const p = tuple(c.pool_size, r, 2);
      const s = c.strides === undefined || c.strides === null ? p : tuple(c.strides, r, 1);
      out = join(spatial.map((n, i) => windowLen(n, p[i], s[i], 1, pad)), ch, df);
      break;
    }
    case 'GlobalAveragePooling1D': case 'GlobalAveragePooling2D': case 'GlobalMaxPooling1D': case 'GlobalMaxPooling2D':
      out = [split(shape, r, df).ch];
      break;
    case 'Flatten':
      out = [shape.reduce((a, b) => a * b, 1)];
      break;
    case 'Dense':
      out = [...shape.slice(0, -1), c.units as number];
      break;
    default:
      out = [...shape];
  }
  return out.every((d) => Number.isInteger(d) && d >= 1) ? out : null;
}

function trackAll(layers: readonly LayerSpec[], shape: Shape): Shape | null {
  let s: Shape | null = shape;
  for (const l of layers) {
    if (!s) return null;
    s = trackShape(l, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Random spec generation

interface GenState {
  rank: Rank;
  df: DataFormat;
  /** Some input dims will be None: no Flatten, BatchNormalization on the channel axis. */
  noneDims: boolean;
}

/** An int or a per-axis tuple (sometimes a 1-tuple for 1D). */
function size(rng: Rng, rank: number, lo: number, hi: number, tupleP = 0.35): number | number[] {
  if (chance(rng, tupleP)) {
    const same = chance(rng, 0.4);
    const first = int(rng, lo, hi);
    return Array.from({ length: rank }, () => (same ? first : int(rng, lo, hi)));
  }
  return int(rng, lo, hi);
}

function maxOf(v: number | readonly number[]): number {
  return typeof v === 'number' ? v : Math.max(...v);
}

const ACTIVATIONS = ['relu', 'relu', 'tanh', 'sigmoid', 'elu', 'selu', 'linear'];

/** Config of a Conv{r}D in Keras positional order (filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias). */
function convConfig(rng: Rng, st: GenState, filters: number | ParamRef, kernel: number | readonly number[] | ParamRef, allowStride: boolean, allowDilation = true): Record<string, ConfigValue> {
  const cfg: Record<string, ConfigValue> = { filters, kernel_size: kernel };
  let strided = false;
  const u = rng();
  if (allowStride && u < 0.2) {
    cfg.strides = size(rng, st.rank, 1, 2, 0.4);
    strided = maxOf(cfg.strides as number | number[]) > 1;
  } else if (u < 0.3) cfg.strides = chance(rng, 0.5) ? 1 : Array<number>(st.rank).fill(1);
  const p = rng();
  if (p < 0.45) cfg.padding = 'same';
  else if (p < 0.7) cfg.padding = 'valid';
  if (st.df === 'channels_first') cfg.data_format = 'channels_first';
  else if (chance(rng, 0.08)) cfg.data_format = 'channels_last';
  // Keras rejects strides > 1 together with dilation > 1.
  if (allowDilation && !strided && chance(rng, 0.2)) cfg.dilation_rate = size(rng, st.rank, 1, 3, 0.4);
  if (chance(rng, 0.35)) cfg.activation = chance(rng, 0.1) ? null : pick(rng, ACTIVATIONS);
  if (chance(rng, 0.2)) cfg.use_bias = chance(rng, 0.8) ? false : true;
  return cfg;
}

function poolLayer(rng: Rng, st: GenState): LayerSpec {
  const kind = chance(rng, 0.6) ? 'MaxPooling' : 'AveragePooling';
  const cfg: Record<string, ConfigValue> = {};
  if (chance(rng, 0.7)) cfg.pool_size = size(rng, st.rank, 2, 3, 0.3);
  const s = rng();
  if (s < 0.15) cfg.strides = null;
  else if (s < 0.45) cfg.strides = size(rng, st.rank, 1, 3, 0.3);
  const p = rng();
  if (p < 0.35) cfg.padding = 'same';
  else if (p < 0.5) cfg.padding = 'valid';
  // tfjs' Pooling1D has no data_format; 2D and 3D pooling do.
  if (st.df === 'channels_first') cfg.data_format = 'channels_first';
  return { className: `${kind}${st.rank}D` as LayerClass, config: cfg };
}

function bnLayer(rng: Rng, st: GenState): LayerSpec {
  const cfg: Record<string, ConfigValue> = {};
  if (st.df === 'channels_first') {
    if (st.noneDims || chance(rng, 0.85)) cfg.axis = 1;
  } else if (chance(rng, 0.2)) cfg.axis = -1;
  if (chance(rng, 0.15)) {
    cfg.axis ??= -1;
    cfg.momentum = 0.9;
    cfg.epsilon = 0.001;
  }
  if (chance(rng, 0.1)) cfg.center = false;
  if (chance(rng, 0.1)) cfg.scale = false;
  return { className: 'BatchNormalization', config: cfg };
}

function actLayer(rng: Rng): LayerSpec {
  if (chance(rng, 0.35)) return { className: 'ReLU', config: chance(rng, 0.4) ? { max_value: 6 } : {} };
  return { className: 'Activation', config: { activation: pick(rng, ACTIVATIONS) } };
}

/** A 2D-only layer: SeparableConv2D, DepthwiseConv2D or Conv2DTranspose (no dilation: tfjs sizes those differently from Keras). */
function special2d(rng: Rng, st: GenState): LayerSpec {
  const which = rng();
  const strides = chance(rng, 0.3) ? size(rng, 2, 1, 2, 0.3) : undefined;
  const padding = chance(rng, 0.6) ? pick(rng, ['same', 'valid']) : undefined;
  const df = st.df === 'channels_first' ? 'channels_first' : undefined;
  const kernel = size(rng, 2, 1, 4, 0.3);
  const cfg: Record<string, ConfigValue> = {};
  const put = (k: string, v: ConfigValue | undefined) => {
    if (v !== undefined) cfg[k] = v;
  };
  if (which < 0.4) {
    put('filters', pick(rng, [8, 16, 32]));
    put('kernel_size', kernel);
    put('strides', strides);
    put('padding', padding);
    put('data_format', df);
    put('depth_multiplier', chance(rng, 0.4) ? int(rng, 1, 3) : undefined);
    put('activation', chance(rng, 0.3) ? 'relu' : undefined);
    put('use_bias', chance(rng, 0.2) ? false : undefined);
    return { className: 'SeparableConv2D', config: cfg };
  }
  if (which < 0.7) {
    put('kernel_size', kernel);
    put('strides', strides);
    put('padding', padding);
    put('depth_multiplier', chance(rng, 0.5) ? int(rng, 1, 3) : undefined);
    put('data_format', df);
    put('activation', chance(rng, 0.3) ? 'relu' : undefined);
    put('use_bias', chance(rng, 0.2) ? false : undefined);
    return { className: 'DepthwiseConv2D', config: cfg };
  }
  put('filters', pick(rng, [4, 8, 16]));
  put('kernel_size', kernel);
  put('strides', strides);
  put('padding', padding);
  put('data_format', df);
  put('activation', chance(rng, 0.3) ? 'relu' : undefined);
  put('use_bias', chance(rng, 0.2) ? false : undefined);
  return { className: 'Conv2DTranspose', config: cfg };
}

/** Tries `make` a few times until the layer keeps every dim >= 1; returns the layer and new shape. */
function tryLayer(shape: Shape, make: () => LayerSpec, tries = 6): { layer: LayerSpec; shape: Shape } | null {
  for (let i = 0; i < tries; i++) {
    const layer = make();
    const s = trackShape(layer, shape);
    if (s) return { layer, shape: s };
  }
  return null;
}

function randomInput(rng: Rng, st: GenState): Shape {
  let spatial: number[];
  let ch: number;
  if (st.rank === 1) {
    spatial = [int(rng, 24, 160)];
    ch = int(rng, 1, 12);
  } else if (st.rank === 2) {
    const h = int(rng, 12, 72);
    spatial = [h, chance(rng, 0.6) ? h : int(rng, 12, 72)];
    ch = pick(rng, [1, 3, 3, 4]);
  } else {
    spatial = [int(rng, 8, 22), int(rng, 8, 22), int(rng, 8, 22)];
    ch = pick(rng, [1, 2, 3]);
  }
  return join(spatial, ch, st.df);
}

function randomBlock(rng: Rng, st: GenState, shape: Shape): { block: BlockSpec; shape: Shape } {
  for (let attempt = 0; attempt < 12; attempt++) {
    const kernel = st.rank === 3 ? size(rng, 3, 1, 3, 0.3) : size(rng, st.rank, 1, st.rank === 1 ? 7 : 5, 0.35);
    const filtersRef: ParamRef = { ref: 'filters' };
    const kernelRef: ParamRef = { ref: 'kernel' };
    const layers: LayerSpec[] = [{ className: `Conv${st.rank}D` as LayerClass, config: convConfig(rng, st, filtersRef, kernelRef, true) }];
    if (chance(rng, 0.5)) layers.push(bnLayer(rng, st));
    if (chance(rng, 0.35)) layers.push(actLayer(rng));
    if (chance(rng, 0.3)) layers.push({ className: `Conv${st.rank}D` as LayerClass, config: convConfig(rng, st, filtersRef, chance(rng, 0.5) ? kernelRef : size(rng, st.rank, 1, 3, 0.3), false) });
    if (chance(rng, 0.7)) layers.push(poolLayer(rng, st));
    if (chance(rng, 0.25)) layers.push({ className: 'Dropout', config: { rate: pick(rng, [0.1, 0.2, 0.25, 0.3, 0.5]) } });
    const n = int(rng, 1, st.rank === 3 ? 3 : 4);
    const base = pick(rng, [4, 8, 16, 32]);
    const filters: number[] = [];
    let s: Shape = shape;
    for (let i = 0; i < n; i++) {
      const f = Math.min(base * 2 ** i, st.rank === 3 ? 32 : 128) + (chance(rng, 0.15) ? int(rng, 1, 7) : 0);
      const next = trackAll(layers.map((l) => resolveLayer(l, { filters: f, kernel })), s);
      if (!next) break;
      filters.push(f);
      s = next;
    }
    if (filters.length > 0) return { block: { layers, filters, kernel }, shape: s };
  }
  // Fallback that always fits: a 'same' conv.
  const block: BlockSpec = { layers: [{ className: `Conv${st.rank}D` as LayerClass, config: { filters: { ref: 'filters' }, kernel_size: { ref: 'kernel' }, padding: 'same', ...(st.df === 'channels_first' ? { data_format: 'channels_first' } : {}) } }], filters: [16], kernel: 3 };
  return { block, shape: trackAll(expandBlock(block), shape)! };
}

function expandBlock(block: BlockSpec): LayerSpec[] {
  return block.filters.flatMap((filters) => block.layers.map((l) => resolveLayer(l, { filters, kernel: block.kernel })));
}

/**
 * A random valid CNN (by the generator's own arithmetic). 1D/2D/3D convs with random windows,
 * pooling, BatchNormalization, Dropout, activations, a reduction (Flatten / global pooling / none)
 * and one or two Dense layers; 2D models may hold SeparableConv2D, DepthwiseConv2D, Conv2DTranspose
 * and use channels_first.
 */
export function randomSpec(rng: Rng, name = 'cnn'): ModelSpec {
  const rank = pick(rng, [1, 1, 2, 2, 2, 2, 3] as const);
  const df: DataFormat = rank === 2 && chance(rng, 0.25) ? 'channels_first' : 'channels_last';
  const st: GenState = { rank, df, noneDims: rank !== 3 && chance(rng, 0.15) };
  const inputShape = randomInput(rng, st);
  let shape: Shape = inputShape;
  const stem: LayerSpec[] = [];
  const nStem = int(rng, 0, 2);
  for (let i = 0; i < nStem; i++) {
    const u = rng();
    const r = tryLayer(shape, () => {
      if (u < 0.45) return { className: `Conv${rank}D` as LayerClass, config: convConfig(rng, st, pick(rng, [8, 16, 32]), rank === 3 ? size(rng, 3, 1, 3) : size(rng, rank, 1, rank === 1 ? 9 : 7), true) };
      if (u < 0.6 && rank === 2) return special2d(rng, st);
      if (u < 0.7) return bnLayer(rng, st);
      if (u < 0.8) return actLayer(rng);
      return poolLayer(rng, st);
    });
    if (r) {
      stem.push(r.layer);
      shape = r.shape;
    }
  }
  const b = randomBlock(rng, st, shape);
  shape = b.shape;
  const head: LayerSpec[] = [];
  const push = (l: LayerSpec) => {
    const s = trackShape(l, shape);
    if (!s) return false;
    head.push(l);
    shape = s;
    return true;
  };
  if (rank === 2 && chance(rng, 0.3)) {
    const r = tryLayer(shape, () => special2d(rng, st));
    if (r) push(r.layer);
  }
  if (chance(rng, 0.2)) push(bnLayer(rng, st));
  const red = rng();
  const gp = (kind: string): LayerSpec => ({ className: `${kind}${rank}D` as LayerClass, config: df === 'channels_first' ? { data_format: 'channels_first' } : {} });
  // tfjs has no Global*Pooling3D: 3D models flatten (or apply Dense to the last axis).
  // Otherwise (red >= 0.9) no reduction: Dense applies to the last axis.
  // With None dims: global pooling only (Flatten needs every dim; Dense may need the last one).
  if (st.noneDims) push(gp(red < 0.5 ? 'GlobalAveragePooling' : 'GlobalMaxPooling'));
  else if (rank === 3 ? red < 0.9 : red < 0.5) push({ className: 'Flatten', config: {} });
  else if (rank !== 3 && red < 0.7) push(gp('GlobalAveragePooling'));
  else if (rank !== 3 && red < 0.9) push(gp('GlobalMaxPooling'));
  if (chance(rng, 0.3)) push({ className: 'Dropout', config: { rate: pick(rng, [0.2, 0.3, 0.5]) } });
  // Keep the Dense kernel small enough for tfjs to initialise quickly.
  const last = shape[shape.length - 1];
  const budget = 1_500_000;
  if (chance(rng, 0.6)) {
    const units = Math.max(1, Math.min(pick(rng, [16, 32, 64, 128, 256]), Math.floor(budget / last)));
    const cfg: Record<string, ConfigValue> = { units };
    if (chance(rng, 0.7)) cfg.activation = chance(rng, 0.05) ? null : pick(rng, ['relu', 'relu', 'tanh', 'sigmoid']);
    if (chance(rng, 0.15)) cfg.use_bias = false;
    push({ className: 'Dense', config: cfg });
    if (chance(rng, 0.3)) push({ className: 'Dropout', config: { rate: 0.5 } });
  }
  const numClasses = pick(rng, [1, 2, 5, 10, 10, 100].filter((n) => n * shape[shape.length - 1] <= budget));
  const final: Record<string, ConfigValue> = { units: { ref: 'classes' } };
  if (chance(rng, 0.75)) final.activation = numClasses === 1 ? 'sigmoid' : 'softmax';
  head.push({ className: 'Dense', config: final });
  // The generator sized everything on concrete dims; None dims stay None through every layer.
  let input: (number | null)[] = inputShape;
  if (st.noneDims) {
    const spatial = df === 'channels_first' ? [1, 2] : Array.from({ length: rank }, (_, i) => i);
    const nulls = spatial.filter(() => chance(rng, 0.6));
    if (nulls.length === 0) nulls.push(pick(rng, spatial));
    input = inputShape.map((d, i) => (nulls.includes(i) ? null : d));
  }
  const batchSize = chance(rng, 0.08) ? pick(rng, [1, 8, 32]) : undefined;
  return { name, rank, dataFormat: df, inputShape: input, ...(batchSize ? { batchSize } : {}), stem, block: b.block, head, numClasses };
}

// ---------------------------------------------------------------------------------------------
// tfjs oracle

/** Keras snake_case config → tfjs-layers camelCase args (refs must be resolved). */
export function tfjsArgs(config: Readonly<Record<string, ConfigValue>>): Record<string, unknown> {
  for (const v of Object.values(config)) if (isRef(v)) throw new Error(`unresolved ${v.ref}`);
  return oracleArgs(config as Parameters<typeof oracleArgs>[0]);
}

/** tfjs-layers factory name of each class (`tf.layers[name]`). */
export const TFJS_FACTORY: Record<LayerClass, string> = {
  Conv1D: 'conv1d', Conv2D: 'conv2d', Conv3D: 'conv3d',
  SeparableConv2D: 'separableConv2d', DepthwiseConv2D: 'depthwiseConv2d', Conv2DTranspose: 'conv2dTranspose',
  MaxPooling1D: 'maxPooling1d', MaxPooling2D: 'maxPooling2d', MaxPooling3D: 'maxPooling3d',
  AveragePooling1D: 'averagePooling1d', AveragePooling2D: 'averagePooling2d', AveragePooling3D: 'averagePooling3d',
  GlobalAveragePooling1D: 'globalAveragePooling1d', GlobalAveragePooling2D: 'globalAveragePooling2d',
  GlobalMaxPooling1D: 'globalMaxPooling1d', GlobalMaxPooling2D: 'globalMaxPooling2d',
  BatchNormalization: 'batchNormalization', Dropout: 'dropout', Flatten: 'flatten', Dense: 'dense',
  Activation: 'activation', ReLU: 'reLU',
};

export interface OracleLayer {
  className: string;
  outputShape: (number | null)[];
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
}

export interface OracleModel {
  layers: OracleLayer[];
  outputShape: (number | null)[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

function weightCount(ws: { shape: (number | null)[] }[]): number {
  return ws.reduce((a, w) => a + w.shape.reduce<number>((p, d) => p * (d ?? NaN), 1), 0);
}

/** Builds the spec with tfjs-layers (functional, on a symbolic input) and reads shapes and counts. */
export function buildTfjs(spec: ModelSpec): OracleModel {
  const factories = tf.layers as unknown as Record<string, (args: unknown) => tf.layers.Layer>;
  const input = spec.batchSize ? tf.input({ batchShape: [spec.batchSize, ...spec.inputShape] }) : tf.input({ shape: [...spec.inputShape] });
  let x: tf.SymbolicTensor = input;
  const layers: OracleLayer[] = [];
  for (const l of expandLayers(spec)) {
    const layer = factories[TFJS_FACTORY[l.className]](tfjsArgs(l.config));
    x = layer.apply(x) as tf.SymbolicTensor;
    const trainable = weightCount(layer.trainableWeights);
    const nonTrainable = weightCount(layer.nonTrainableWeights);
    layers.push({ className: layer.getClassName(), outputShape: [...x.shape], params: layer.countParams(), trainableParams: trainable, nonTrainableParams: nonTrainable });
  }
  const model = tf.model({ inputs: input, outputs: x });
  try {
    const trainable = weightCount(model.trainableWeights);
    const nonTrainable = weightCount(model.nonTrainableWeights);
    return { layers, outputShape: [...x.shape], totalParams: model.countParams(), trainableParams: trainable, nonTrainableParams: nonTrainable };
  } finally {
    model.dispose();
  }
}

/**
 * A random spec tfjs accepts with every dim >= 1, with its oracle. Specs tfjs sizes to <= 0 (the
 * generator's own arithmetic should make that rare) are drawn again from the same `rng`.
 */
export function randomValidSpec(rng: Rng, name = 'cnn'): { spec: ModelSpec; oracle: OracleModel; rejected: number } {
  for (let rejected = 0; rejected <= 20; rejected++) {
    const spec = randomSpec(rng, name);
    const oracle = buildTfjs(spec);
    if (oracle.layers.every((l) => l.outputShape.every((d) => d === null || d >= 1))) return { spec, oracle, rejected };
  }
  throw new Error(`${name}: the generator keeps producing models tfjs sizes to <= 0`);
}

// ---------------------------------------------------------------------------------------------
// Python emission

/** How the model is written. */
export type PyModelStyle = 'sequential-list' | 'sequential-add' | 'functional' | 'helper-loop' | 'config-import';
export const PY_MODEL_STYLES: readonly PyModelStyle[] = ['sequential-list', 'sequential-add', 'functional', 'helper-loop', 'config-import'];

/** How Keras is imported and spelled. */
export type PyImportStyle = 'tf' | 'tf-alias' | 'tf-keras' | 'tf-keras-layers' | 'keras3' | 'keras3-layers' | 'from-import-aliases' | 'star';
export const PY_IMPORT_STYLES: readonly PyImportStyle[] = ['tf', 'tf-alias', 'tf-keras', 'tf-keras-layers', 'keras3', 'keras3-layers', 'from-import-aliases', 'star'];

/** Keras positional parameters per class (Keras 3 and tf.keras 2 agree for these). */
const CONV_POS = ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'groups', 'activation', 'use_bias'];
const POOL_POS = ['pool_size', 'strides', 'padding', 'data_format'];
export const PY_POSITIONAL: Record<LayerClass, readonly string[]> = {
  Conv1D: CONV_POS, Conv2D: CONV_POS, Conv3D: CONV_POS,
  SeparableConv2D: ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'depth_multiplier', 'activation', 'use_bias'],
  DepthwiseConv2D: ['kernel_size', 'strides', 'padding', 'depth_multiplier', 'data_format', 'dilation_rate', 'activation', 'use_bias'],
  Conv2DTranspose: ['filters', 'kernel_size', 'strides', 'padding', 'output_padding', 'data_format', 'dilation_rate', 'activation', 'use_bias'],
  MaxPooling1D: POOL_POS, MaxPooling2D: POOL_POS, MaxPooling3D: POOL_POS,
  AveragePooling1D: POOL_POS, AveragePooling2D: POOL_POS, AveragePooling3D: POOL_POS,
  GlobalAveragePooling1D: ['data_format', 'keepdims'], GlobalAveragePooling2D: ['data_format', 'keepdims'],
  GlobalMaxPooling1D: ['data_format', 'keepdims'], GlobalMaxPooling2D: ['data_format', 'keepdims'],
  BatchNormalization: ['axis', 'momentum', 'epsilon', 'center', 'scale'],
  Dropout: ['rate', 'noise_shape', 'seed'],
  Flatten: ['data_format'],
  Dense: ['units', 'activation', 'use_bias'],
  Activation: ['activation'],
  ReLU: ['max_value', 'negative_slope', 'threshold'],
};

/** Spellings of the Keras API objects under one import style. */
interface PyNames {
  header: string[];
  layer(cls: LayerClass): string;
  sequential: string;
  model: string;
  input: string;
}

function initials(cls: string): string {
  return cls.replace(/[a-z]+/g, '').replace(/D$/, 'd') || cls;
}

/** Import lines and spellings for an import style; `used` are the classes to import by name. */
function pyNames(style: PyImportStyle, used: readonly LayerClass[], rng: Rng): PyNames {
  switch (style) {
    case 'tf': {
      const viaModels = chance(rng, 0.3);
      return {
        header: ['import tensorflow as tf'],
        layer: (c) => `tf.keras.layers.${c}`,
        sequential: viaModels ? 'tf.keras.models.Sequential' : 'tf.keras.Sequential',
        model: viaModels ? 'tf.keras.models.Model' : 'tf.keras.Model',
        input: chance(rng, 0.5) ? 'tf.keras.Input' : 'tf.keras.layers.Input',
      };
    }
    case 'tf-alias':
      return { header: ['import tensorflow as tf', '', 'L = tf.keras.layers'], layer: (c) => `L.${c}`, sequential: 'tf.keras.Sequential', model: 'tf.keras.Model', input: 'L.Input' };
    case 'tf-keras':
      return { header: ['from tensorflow import keras'], layer: (c) => `keras.layers.${c}`, sequential: 'keras.Sequential', model: 'keras.Model', input: 'keras.Input' };
    case 'tf-keras-layers':
      return { header: ['from tensorflow import keras', 'from tensorflow.keras import layers'], layer: (c) => `layers.${c}`, sequential: 'keras.Sequential', model: 'keras.Model', input: chance(rng, 0.5) ? 'keras.Input' : 'layers.Input' };
    case 'keras3':
      return { header: ['import keras'], layer: (c) => `keras.layers.${c}`, sequential: 'keras.Sequential', model: 'keras.Model', input: 'keras.Input' };
    case 'keras3-layers':
      return { header: ['import keras', 'from keras import layers'], layer: (c) => `layers.${c}`, sequential: 'keras.Sequential', model: 'keras.Model', input: 'keras.layers.Input' };
    case 'from-import-aliases': {
      const root = chance(rng, 0.5) ? 'keras' : 'tensorflow.keras';
      const alias = new Map<string, string>();
      const taken = new Set<string>();
      for (const c of used) {
        if (!chance(rng, 0.5)) continue;
        let a = initials(c);
        while (taken.has(a) || (used as readonly string[]).includes(a)) a += '_';
        taken.add(a);
        alias.set(c, a);
      }
      const items = used.map((c) => (alias.has(c) ? `${c} as ${alias.get(c)}` : c));
      const seqAlias = chance(rng, 0.3) ? 'Seq' : 'Sequential';
      const header = chance(rng, 0.5) && items.length > 2
        ? [`from ${root}.layers import (`, ...items.map((i) => `    ${i},`), ')']
        : [`from ${root}.layers import ${items.join(', ')}`];
      header.push(`from ${root}.models import ${seqAlias === 'Seq' ? 'Sequential as Seq' : 'Sequential'}, Model`, `from ${root} import Input`);
      return { header, layer: (c) => alias.get(c) ?? c, sequential: seqAlias, model: 'Model', input: 'Input' };
    }
    case 'star': {
      const root = chance(rng, 0.5) ? 'keras' : 'tensorflow.keras';
      return { header: [`from ${root}.layers import *`, `from ${root}.models import Sequential, Model`], layer: (c) => c, sequential: 'Sequential', model: 'Model', input: 'Input' };
    }
  }
}

type Refs = Partial<Record<ParamRef['ref'], string>>;

interface EmitCtx {
  rng: Rng;
  names: PyNames;
  /** Suffix for module-level names, so many models can share one file. */
  suffix: string;
  /** The program's string quote. */
  quote: string;
}

/** Python literal of a config value; refs become the names in `refs`; sizes as tuples or lists. */
function pyValue(ctx: EmitCtx, v: ConfigValue, refs: Refs = {}, lists = false): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `${ctx.quote}${v}${ctx.quote}`;
  if (isRef(v)) {
    const name = refs[v.ref];
    if (!name) throw new Error(`no name for ref ${v.ref}`);
    return name;
  }
  return pyTuple(v as readonly number[], lists);
}

function pyTuple(items: readonly (number | null)[], list = false): string {
  const s = items.map((d) => (d === null ? 'None' : String(d)));
  if (list) return `[${s.join(', ')}]`;
  return s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`;
}

/** `layers.Conv2D(32, 3, padding='same')`: a random-length positional prefix, then keywords. */
function pyLayerCall(ctx: EmitCtx, layer: LayerSpec, refs: Refs = {}, extra: string[] = []): string {
  const keys = Object.keys(layer.config);
  const order = PY_POSITIONAL[layer.className];
  let maxPos = 0;
  while (maxPos < order.length && keys.includes(order[maxPos])) maxPos++;
  const nPos = maxPos === 0 || chance(ctx.rng, 0.25) ? 0 : int(ctx.rng, 1, maxPos);
  const lists = chance(ctx.rng, 0.15);
  const args: string[] = [];
  for (let i = 0; i < nPos; i++) args.push(pyValue(ctx, layer.config[order[i]], refs, lists));
  for (const k of keys) {
    if (order.indexOf(k) >= 0 && order.indexOf(k) < nPos) continue;
    const v = layer.config[k];
    // Keras lower-cases padding: 'SAME' is the same as 'same'.
    const text = k === 'padding' && typeof v === 'string' && chance(ctx.rng, 0.05) ? `${ctx.quote}${v.toUpperCase()}${ctx.quote}` : pyValue(ctx, v, refs, lists);
    args.push(`${k}=${text}`);
  }
  return `${ctx.names.layer(layer.className)}(${[...args, ...extra].join(', ')})`;
}

/** `Input(...)` for a spec, with `shape` the literal or a parameter name. */
function pyInput(ctx: EmitCtx, spec: ModelSpec, shapeExpr?: string): string {
  const I = ctx.names.input;
  const literal = shapeExpr === undefined;
  const shape = shapeExpr ?? pyTuple(spec.inputShape, chance(ctx.rng, 0.1));
  if (spec.batchSize) {
    return literal && chance(ctx.rng, 0.5) ? `${I}(batch_shape=${pyTuple([spec.batchSize, ...spec.inputShape])})` : `${I}(shape=${shape}, batch_size=${spec.batchSize})`;
  }
  const u = ctx.rng();
  if (u < 0.15) return `${I}(${shape})`;
  if (u < 0.25 && literal) return `${I}(batch_shape=${pyTuple([null, ...spec.inputShape])})`;
  return `${I}(shape=${shape})`;
}

/** Indents non-empty lines by `n` units (Python: four spaces; the JS emitters pass two). */
function indent(lines: string[], n = 1, unit = '    '): string[] {
  const pad = unit.repeat(n);
  return lines.map((l) => (l ? pad + l : l));
}

/** Every class the spec uses, plus BatchNormalization (helpers may guard one behind a flag). */
function usedClasses(spec: ModelSpec): LayerClass[] {
  const seen = new Set<LayerClass>();
  for (const l of [...spec.stem, ...spec.block.layers, ...spec.head]) seen.add(l.className);
  seen.add('BatchNormalization');
  return [...seen];
}

function modelName(ctx: EmitCtx, spec: ModelSpec): string | null {
  return chance(ctx.rng, 0.4) ? `${ctx.quote}${spec.name}${ctx.suffix}${ctx.quote}` : null;
}

/** Flat layers (refs resolved) written one by one in Sequential-list, Sequential-add or functional form. */
function flatBody(ctx: EmitCtx, spec: ModelSpec, style: 'sequential-list' | 'sequential-add' | 'functional'): string[] {
  const layers = expandLayers(spec);
  const m = `model${ctx.suffix}`;
  const name = modelName(ctx, spec);
  const nameArg = name ? `, name=${name}` : '';
  const { names } = ctx;
  if (style === 'sequential-list') {
    // input_shape= on the first layer, or an Input first (needed for a fixed batch size).
    const withInput = spec.batchSize !== undefined || chance(ctx.rng, 0.1);
    const shapeKw = `input_shape=${pyTuple(spec.inputShape, chance(ctx.rng, 0.1))}`;
    const items = layers.map((l, i) => pyLayerCall(ctx, l, {}, i === 0 && !withInput ? [shapeKw] : []) + ',');
    if (withInput) items.unshift(`${pyInput(ctx, spec)},`);
    const u = ctx.rng();
    if (u < 0.2) return [`stack${ctx.suffix} = [`, ...indent(items), ']', `${m} = ${names.sequential}(stack${ctx.suffix}${nameArg})`];
    if (u < 0.4) return [`${m} = ${names.sequential}(layers=[`, ...indent(items), `]${nameArg})`];
    return [`${m} = ${names.sequential}([`, ...indent(items), `]${nameArg})`];
  }
  if (style === 'sequential-add') {
    const out = [`${m} = ${names.sequential}(${name ? `name=${name}` : ''})`, `${m}.add(${pyInput(ctx, spec)})`];
    layers.forEach((l, i) => {
      if (chance(ctx.rng, 0.15)) out.push(`layer_${i}${ctx.suffix} = ${pyLayerCall(ctx, l)}`, `${m}.add(layer_${i}${ctx.suffix})`);
      else out.push(`${m}.add(${pyLayerCall(ctx, l)})`);
    });
    return out;
  }
  const inp = `inputs${ctx.suffix}`;
  const outs = `outputs${ctx.suffix}`;
  const x = chance(ctx.rng, 0.5) ? 'x' : 'h';
  const out: string[] = [`${inp} = ${pyInput(ctx, spec)}`];
  // The last two layers are sometimes nested: Dense(...)(Flatten()(x)).
  const nest = layers.length >= 2 && chance(ctx.rng, 0.25);
  const straight = nest ? layers.length - 2 : layers.length;
  for (let i = 0; i < straight; i++) {
    const target = i === layers.length - 1 ? outs : x;
    const arg = i === 0 ? inp : x;
    if (chance(ctx.rng, 0.15)) out.push(`layer_${i}${ctx.suffix} = ${pyLayerCall(ctx, layers[i])}`, `${target} = layer_${i}${ctx.suffix}(${arg})`);
    else out.push(`${target} = ${pyLayerCall(ctx, layers[i])}(${arg})`);
  }
  if (nest) out.push(`${outs} = ${pyLayerCall(ctx, layers[straight + 1])}(${pyLayerCall(ctx, layers[straight])}(${straight === 0 ? inp : x}))`);
  const kw = chance(ctx.rng, 0.5);
  out.push(`${m} = ${names.model}(${kw ? `inputs=${inp}, outputs=${outs}` : `${inp}, ${outs}`}${nameArg})`);
  return out;
}

/** The statements of a `for` loop over the filters constant, binding `f` (or an indexed element). */
function loopHeader(ctx: EmitCtx, filtersExpr: string): { head: string[]; f: string } {
  const u = ctx.rng();
  if (u < 0.5) return { head: [`for f in ${filtersExpr}:`], f: 'f' };
  if (u < 0.75) return { head: [`for i, n_filters in enumerate(${filtersExpr}):`], f: 'n_filters' };
  return { head: [`for i in range(len(${filtersExpr})):`, `    f = ${filtersExpr}[i]`], f: 'f' };
}

/** Names of the loop styles' constants (possibly qualified: `cfg.FILTERS`). */
interface LoopNames {
  filters: string;
  kernel: string;
  inputShape: string;
  numClasses: string;
}

/**
 * `def conv_block(x, filters, k, ...)`: the block's layers, some behind flags the call sets
 * (`if use_bn:`, `if dropout > 0:`), and sometimes a guarded layer the call switches off.
 * Returns the definition and the extra call arguments.
 */
function helperDef(ctx: EmitCtx, spec: ModelSpec, name: string, functional: boolean, kernelDefault: string | null): { def: string[]; callArgs: string[] } {
  const target = functional ? 'x' : 'model';
  const apply = (call: string) => (functional ? `x = ${call}(x)` : `model.add(${call})`);
  const refs: Refs = { filters: 'filters', kernel: 'k' };
  const params = [target, 'filters', kernelDefault ? `k=${kernelDefault}` : 'k'];
  const callArgs: string[] = [];
  const body: string[] = [];
  const hasBn = spec.block.layers.some((l) => l.className === 'BatchNormalization');
  for (const l of spec.block.layers) {
    if (l.className === 'BatchNormalization' && chance(ctx.rng, 0.5)) {
      const dflt = chance(ctx.rng, 0.5);
      params.push(`use_bn=${dflt ? 'True' : 'False'}`);
      if (!dflt || chance(ctx.rng, 0.3)) callArgs.push('use_bn=True');
      body.push('if use_bn:', `    ${apply(pyLayerCall(ctx, l, refs))}`);
    } else if (l.className === 'Dropout' && chance(ctx.rng, 0.5)) {
      params.push('dropout=0.0');
      callArgs.push(`dropout=${pyValue(ctx, l.config.rate)}`);
      body.push('if dropout > 0:', `    ${apply(`${ctx.names.layer('Dropout')}(dropout)`)}`);
    } else body.push(apply(pyLayerCall(ctx, l, refs)));
  }
  if (!hasBn && chance(ctx.rng, 0.3)) {
    // A layer the call leaves off.
    params.push('batch_norm=False');
    if (chance(ctx.rng, 0.3)) callArgs.push('batch_norm=False');
    body.splice(1, 0, 'if batch_norm:', `    ${apply(`${ctx.names.layer('BatchNormalization')}()`)}`);
  }
  return { def: [`def ${name}(${params.join(', ')}):`, ...indent(body), `    return ${target}`], callArgs };
}

/**
 * A `build_model` function: stem, a loop over the filters calling a helper (or the block inline),
 * head. Functional or Sequential-add, chosen at random. Without `defaults` its parameters have none.
 */
function loopFunction(ctx: EmitCtx, spec: ModelSpec, consts: LoopNames, opts: { helper: boolean; defaults?: { inputShape: string; numClasses: string } }): string[] {
  const { names, suffix } = ctx;
  const functional = chance(ctx.rng, 0.6);
  const classes = { classes: 'num_classes' };
  const out: string[] = [];
  const helper = `conv_block${suffix}`;
  const kernelDefault = opts.helper && chance(ctx.rng, 0.3);
  let callArgs: string[] = [];
  if (opts.helper) {
    const h = helperDef(ctx, spec, helper, functional, kernelDefault ? consts.kernel : null);
    callArgs = h.callArgs;
    out.push(...h.def, '', '');
  }
  const body: string[] = [];
  if (functional) {
    body.push(`inputs = ${pyInput(ctx, spec, 'input_shape')}`, 'x = inputs');
    for (const l of spec.stem) body.push(`x = ${pyLayerCall(ctx, l, classes)}(x)`);
  } else {
    body.push(`model = ${names.sequential}()`, `model.add(${pyInput(ctx, spec, 'input_shape')})`);
    for (const l of spec.stem) body.push(`model.add(${pyLayerCall(ctx, l, classes)})`);
  }
  const loop = loopHeader(ctx, consts.filters);
  body.push(...loop.head);
  if (opts.helper) {
    const target = functional ? 'x' : 'model';
    const args = chance(ctx.rng, 0.25)
      ? [target, `filters=${loop.f}`, ...(kernelDefault ? [] : [`k=${consts.kernel}`]), ...callArgs]
      : [target, loop.f, ...(kernelDefault ? [] : [consts.kernel]), ...callArgs];
    const call = `${helper}(${args.join(', ')})`;
    body.push(`    ${functional ? `x = ${call}` : call}`);
  } else {
    for (const l of spec.block.layers) {
      const call = pyLayerCall(ctx, l, { filters: loop.f, kernel: consts.kernel });
      body.push(`    ${functional ? `x = ${call}(x)` : `model.add(${call})`}`);
    }
  }
  spec.head.forEach((l, i) => {
    const call = pyLayerCall(ctx, l, classes);
    if (!functional) body.push(`model.add(${call})`);
    else body.push(`${i === spec.head.length - 1 ? 'outputs' : 'x'} = ${call}(x)`);
  });
  const name = modelName(ctx, spec);
  if (functional) body.push(`return ${names.model}(inputs, outputs${name ? `, name=${name}` : ''})`);
  else body.push('return model');
  const params = opts.defaults ? `input_shape=${opts.defaults.inputShape}, num_classes=${opts.defaults.numClasses}` : 'input_shape, num_classes';
  out.push(`def build_model${suffix}(${params}):`, ...indent(body));
  return out;
}

/** Module constants of the loop styles; FILTERS as a comprehension when it doubles from a base. */
function constLines(ctx: EmitCtx, spec: ModelSpec, c: LoopNames, lists: boolean): string[] {
  const f = spec.block.filters;
  const doubling = f.length >= 2 && f.every((v, i) => v === f[0] * 2 ** i);
  const filters = doubling && chance(ctx.rng, 0.6)
    ? [`BASE_FILTERS${ctx.suffix} = ${f[0]}`, `${c.filters} = [BASE_FILTERS${ctx.suffix} * 2 ** i for i in range(${f.length})]`]
    : [`${c.filters} = ${pyTuple(f, lists)}`];
  return [
    `${c.inputShape} = ${pyTuple(spec.inputShape)}`,
    ...filters,
    `${c.kernel} = ${pyValue(ctx, spec.block.kernel)}`,
    `${c.numClasses} = ${spec.numClasses}`,
  ];
}

/** Python source of one spec: `main` plus the other files it imports (path → text). */
export interface PyProgram {
  main: string;
  files: Record<string, string>;
  style: PyModelStyle;
  importStyle: PyImportStyle;
}

/** Emits one spec as a Python program in the given (or a random) style. */
export function emitPython(spec: ModelSpec, rng: Rng, style: PyModelStyle = pick(rng, PY_MODEL_STYLES), importStyle: PyImportStyle = pick(rng, PY_IMPORT_STYLES)): PyProgram {
  const names = pyNames(importStyle, usedClasses(spec), rng);
  const ctx: EmitCtx = { rng, names, suffix: '', quote: chance(rng, 0.3) ? '"' : "'" };
  const files: Record<string, string> = {};
  const lines: string[] = [`"""Generated model ${spec.name} (${style}, ${importStyle})."""`, ...names.header, '', ''];
  const plain: LoopNames = { filters: 'FILTERS', kernel: 'KERNEL', inputShape: 'INPUT_SHAPE', numClasses: 'NUM_CLASSES' };
  if (style === 'sequential-list' || style === 'sequential-add' || style === 'functional') {
    lines.push(...flatBody(ctx, spec, style));
  } else if (style === 'helper-loop') {
    // Defaults are literals or the module constants; nothing calls build_model.
    const lit = chance(rng, 0.5);
    const defaults = lit ? { inputShape: pyTuple(spec.inputShape), numClasses: String(spec.numClasses) } : { inputShape: plain.inputShape, numClasses: plain.numClasses };
    lines.push(...constLines(ctx, spec, plain, chance(rng, 0.7)), '', '', ...loopFunction(ctx, spec, plain, { helper: true, defaults }));
  } else {
    const inPackage = chance(rng, 0.3);
    const mod = inPackage ? 'settings.config' : 'config';
    if (inPackage) files['settings/__init__.py'] = '';
    files[inPackage ? 'settings/config.py' : 'config.py'] = ['"""Hyper-parameters."""', ...constLines(ctx, spec, plain, chance(rng, 0.7)), ''].join('\n');
    const qualified = chance(rng, 0.35);
    const c: LoopNames = qualified ? { filters: 'cfg.FILTERS', kernel: 'cfg.KERNEL', inputShape: 'cfg.INPUT_SHAPE', numClasses: 'cfg.NUM_CLASSES' } : plain;
    lines.splice(1 + names.header.length, 0, qualified ? `import ${mod} as cfg` : `from ${mod} import INPUT_SHAPE, FILTERS, KERNEL, NUM_CLASSES`);
    if (chance(rng, 0.4)) {
      // Uncalled, with the imported constants as defaults.
      lines.push(...loopFunction(ctx, spec, c, { helper: chance(rng, 0.5), defaults: { inputShape: c.inputShape, numClasses: c.numClasses } }));
    } else {
      lines.push(...loopFunction(ctx, spec, c, { helper: chance(rng, 0.5) }));
      lines.push('', '', `model = build_model(${chance(rng, 0.5) ? `${c.inputShape}, ${c.numClasses}` : `input_shape=${c.inputShape}, num_classes=${c.numClasses}`})`);
    }
  }
  lines.push('');
  return { main: lines.join('\n'), files, style, importStyle };
}

/**
 * One Python module holding many models (for the benchmark): one import header, each spec in a
 * rotating style with suffixed names (`build_model_3`, `FILTERS_3`, `model_3`), no other files.
 */
export function emitPythonModule(specs: readonly ModelSpec[], rng: Rng): string {
  const names = pyNames('tf-keras-layers', [], rng);
  const lines: string[] = ['"""Many generated models in one module."""', ...names.header, '', ''];
  specs.forEach((spec, i) => {
    const ctx: EmitCtx = { rng, names, suffix: `_${i}`, quote: "'" };
    const style = PY_MODEL_STYLES[i % 4];
    lines.push(`# --- model ${i}: ${style}`);
    if (style === 'helper-loop') {
      const c: LoopNames = { filters: `FILTERS_${i}`, kernel: `KERNEL_${i}`, inputShape: `INPUT_SHAPE_${i}`, numClasses: `NUM_CLASSES_${i}` };
      lines.push(...constLines(ctx, spec, c, true), '', '', ...loopFunction(ctx, spec, c, { helper: chance(rng, 0.7), defaults: { inputShape: c.inputShape, numClasses: c.numClasses } }));
    } else {
      lines.push(...flatBody(ctx, spec, style as 'sequential-list' | 'sequential-add' | 'functional'));
    }
    lines.push('', '');
  });
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// JS / TS (tfjs) emission

/** How the model is written in JS/TS. */
export type JsModelStyle = 'sequential-add' | 'sequential-list' | 'functional' | 'helper-loop' | 'config-import' | 'class-build';
export const JS_MODEL_STYLES: readonly JsModelStyle[] = ['sequential-add', 'sequential-list', 'functional', 'helper-loop', 'config-import', 'class-build'];

/** How tfjs is imported and spelled. */
export type JsImportStyle = 'tfjs' | 'tfjs-node' | 'tfjs-node-gpu' | 'tfjs-layers' | 'require' | 'named' | 'named-alias';
export const JS_IMPORT_STYLES: readonly JsImportStyle[] = ['tfjs', 'tfjs-node', 'tfjs-node-gpu', 'tfjs-layers', 'require', 'named', 'named-alias'];

/** Other tfjs factory names of a class (`tf.layers.maxPool2d` is `maxPooling2d`). */
export const TFJS_FACTORY_ALIASES: Partial<Record<LayerClass, readonly string[]>> = {
  MaxPooling1D: ['maxPool1d'], MaxPooling2D: ['maxPool2d'],
  AveragePooling1D: ['avgPool1d', 'avgPooling1d'], AveragePooling2D: ['avgPool2d', 'avgPooling2d'], AveragePooling3D: ['avgPool3d', 'avgPooling3d'],
  GlobalMaxPooling1D: ['globalMaxPool1d'], GlobalMaxPooling2D: ['globalMaxPool2d'],
};

/** Factories tfjs lets you call without an args object (the others read fields of it). */
const TFJS_NO_ARGS = new Set<LayerClass>(['Flatten', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'BatchNormalization', 'ReLU']);

/** A JS/TS program: the main file, the files it imports, and how to get its model when run. */
export interface JsProgram {
  /** Path of the main file: `main.ts`, `main.js`, `main.mjs` or `main.cjs`. */
  file: string;
  main: string;
  /** Other files by POSIX path (`config.ts`, `settings/config.cjs`). */
  files: Record<string, string>;
  style: JsModelStyle;
  importStyle: JsImportStyle;
  /** An expression that, evaluated after the main module's body, yields the model (`model`, `buildModel()`, `new Net().build()`). */
  entry: string;
}

/** Spellings of the tfjs API under one import style. */
interface JsNames {
  header: string[];
  /** The layers namespace: `tf.layers`, `tfl.layers`, `layers`, `L`. */
  layers: string;
  sequential: string;
  model: string;
  input: string;
  /** TypeScript type names (null in JS, or where the style imports none). */
  types: { tensor: string; sequential: string; model: string; layer: string | null } | null;
  /** Variable names that do not clash with named imports. */
  modelVar: string;
  inputVar: string;
}

interface JsCtx {
  rng: Rng;
  names: JsNames;
  ts: boolean;
  /** Suffix for module-level names, so many models can share one file. */
  suffix: string;
  /** String quote. */
  q: string;
  /** Statement terminator: `;` or nothing (ASI). */
  semi: string;
  /** A shared config object spread into conv layers (`{ ...common, filters: 32 }`). */
  common: { name: string; cls: LayerClass; entries: [string, ConfigValue][] } | null;
}

/** The tfjs packages that re-export the whole API (tfjs-layers only has the layers part). */
const TFJS_NODE_PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

function jsNames(style: JsImportStyle, ts: boolean, rng: Rng, q: string, semi: string): JsNames {
  const s = semi;
  const nsTypes = (ns: string) => (ts ? { tensor: `${ns}.SymbolicTensor`, sequential: `${ns}.Sequential`, model: `${ns}.LayersModel`, layer: `${ns}.layers.Layer` } : null);
  const base = { modelVar: 'model', inputVar: pick(rng, ['input', 'inputs', 'inp']) };
  const nsStyle = (pkg: string, ns: string): JsNames => {
    const header = [`import * as ${ns} from ${q}${pkg}${q}${s}`];
    let layers = `${ns}.layers`;
    if (chance(rng, 0.2)) {
      header.push('', `const L = ${ns}.layers${s}`);
      layers = 'L';
    }
    return { header, layers, sequential: `${ns}.sequential`, model: `${ns}.model`, input: `${ns}.input`, types: nsTypes(ns), ...base };
  };
  switch (style) {
    case 'tfjs': return nsStyle('@tensorflow/tfjs', 'tf');
    case 'tfjs-node': return nsStyle('@tensorflow/tfjs-node', 'tf');
    case 'tfjs-node-gpu': return nsStyle('@tensorflow/tfjs-node-gpu', 'tf');
    case 'tfjs-layers': return nsStyle('@tensorflow/tfjs-layers', 'tfl');
    case 'require': {
      const pkg = pick(rng, ['@tensorflow/tfjs', '@tensorflow/tfjs', '@tensorflow/tfjs-node']);
      if (chance(rng, 0.6)) {
        const header = [`const tf = require(${q}${pkg}${q})${s}`];
        return { header, layers: 'tf.layers', sequential: 'tf.sequential', model: 'tf.model', input: 'tf.input', types: null, ...base };
      }
      return {
        header: [`const { input, layers, model, sequential } = require(${q}${pkg}${q})${s}`],
        layers: 'layers', sequential: 'sequential', model: 'model', input: 'input', types: null, modelVar: 'net', inputVar: 'inputs',
      };
    }
    case 'named': {
      const pkg = pick(rng, ['@tensorflow/tfjs', '@tensorflow/tfjs', TFJS_NODE_PACKAGES[1]]);
      const typeNames = ['LayersModel', 'Sequential', 'SymbolicTensor'];
      const header = ts && chance(rng, 0.5)
        ? [`import { input, layers, model, sequential } from ${q}${pkg}${q}${s}`, `import type { ${typeNames.join(', ')} } from ${q}${pkg}${q}${s}`]
        : [`import { input, layers, model, sequential${ts ? `, ${typeNames.join(', ')}` : ''} } from ${q}${pkg}${q}${s}`];
      const types = ts ? { tensor: 'SymbolicTensor', sequential: 'Sequential', model: 'LayersModel', layer: null } : null;
      return { header, layers: 'layers', sequential: 'sequential', model: 'model', input: 'input', types, modelVar: 'net', inputVar: 'inputs' };
    }
    case 'named-alias': {
      const pkg = pick(rng, TFJS_NODE_PACKAGES);
      if (chance(rng, 0.5)) {
        // The namespace for the rest, an alias for the layers.
        const header = [`import * as tf from ${q}${pkg}${q}${s}`, `import { layers as L } from ${q}${pkg}${q}${s}`];
        return { header, layers: 'L', sequential: 'tf.sequential', model: 'tf.model', input: 'tf.input', types: nsTypes('tf'), ...base };
      }
      const typeImport = ts ? [`import type { SymbolicTensor as ST, LayersModel as Net, Sequential as Seq } from ${q}${pkg}${q}${s}`] : [];
      const header = [`import { input as Input, layers as tfl, model as makeModel, sequential as makeSequential } from ${q}${pkg}${q}${s}`, ...typeImport];
      const types = ts ? { tensor: 'ST', sequential: 'Seq', model: 'Net', layer: null } : null;
      return { header, layers: 'tfl', sequential: 'makeSequential', model: 'makeModel', input: 'Input', types, ...base };
    }
  }
}

/** JS literal of a value (refs become the names in `refs`). */
function jsLit(ctx: JsCtx, v: ConfigValue | readonly (number | null)[], refs: Refs = {}): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v === 'string') return `${ctx.q}${v}${ctx.q}`;
  if (!Array.isArray(v)) {
    const name = refs[(v as ParamRef).ref];
    if (!name) throw new Error(`no name for ref ${(v as ParamRef).ref}`);
    return name;
  }
  return `[${(v as readonly (number | null)[]).map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** tfjs key of a Keras key (`kernel_size` → `kernelSize`), through the oracle's own conversion. */
function jsKey(key: string): string {
  return Object.keys(tfjsArgs({ [key]: 0 }))[0];
}

/** One property of a layer's args object: `kernelSize: 3`, `dataFormat: 'channelsFirst'`, shorthand `filters`. */
function jsProp(ctx: JsCtx, key: string, v: ConfigValue, refs: Refs): string {
  const k = jsKey(key);
  if (isRef(v)) {
    const name = refs[v.ref];
    if (!name) throw new Error(`no name for ref ${v.ref}`);
    return name === k && chance(ctx.rng, 0.8) ? k : `${k}: ${name}`;
  }
  return `${k}: ${jsLit(ctx, tfjsArgs({ [key]: v })[k] as ConfigValue)}`;
}

function jsFactory(ctx: JsCtx, cls: LayerClass): string {
  const aliases = TFJS_FACTORY_ALIASES[cls];
  const f = aliases && chance(ctx.rng, 0.45) ? pick(ctx.rng, aliases) : TFJS_FACTORY[cls];
  return `${ctx.names.layers}.${f}`;
}

const SAME = (a: ConfigValue, b: ConfigValue) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `tf.layers.conv2d({ filters: 32, kernelSize: 3 })`; `extra` props (the input shape) go first or
 * last; conv layers may spread the shared config and override some of its keys after the spread.
 */
function jsLayerCall(ctx: JsCtx, layer: LayerSpec, refs: Refs = {}, extra: string[] = [], name?: string): string {
  const factory = jsFactory(ctx, layer.className);
  let entries = Object.entries(layer.config);
  const props: string[] = [];
  const c = ctx.common;
  let spread: string | null = null;
  let overrides = false;
  if (c && c.cls === layer.className && c.entries.every(([k]) => k in layer.config)) {
    spread = `...${c.name}`;
    entries = entries.filter(([k, v]) => {
      const shared = c.entries.find((e) => e[0] === k);
      if (!shared) return true;
      if (SAME(shared[1], v)) return false;
      overrides = true;
      return true;
    });
  }
  for (const [k, v] of entries) props.push(jsProp(ctx, k, v, refs));
  if (spread) {
    // The spread must come before keys that override it; otherwise anywhere.
    if (overrides || chance(ctx.rng, 0.7)) props.unshift(spread);
    else props.push(spread);
  }
  if (name) props.push(`name: ${name}`);
  const all = chance(ctx.rng, 0.6) ? [...extra, ...props] : [...props, ...extra];
  if (all.length === 0) return TFJS_NO_ARGS.has(layer.className) && chance(ctx.rng, 0.6) ? `${factory}()` : `${factory}({})`;
  return `${factory}({ ${all.join(', ')} })`;
}

/** `layer.apply(x)`, cast to the symbolic tensor type in TS. */
function jsApply(ctx: JsCtx, layerExpr: string, arg: string, cast = true): string {
  const call = `${layerExpr}.apply(${arg})`;
  const T = ctx.names.types?.tensor;
  if (!ctx.ts || !T || !cast) return call;
  return chance(ctx.rng, 0.15) ? `<${T}>${call}` : `${call} as ${T}`;
}

/** `tf.input({ shape: [...] })`; `shapeExpr` a name holding the shape instead of the literal. */
function jsInput(ctx: JsCtx, spec: ModelSpec, shapeExpr?: string): string {
  const I = ctx.names.input;
  const withShape = (batch: number | null) => (shapeExpr === undefined ? jsLit(ctx, [batch, ...spec.inputShape]) : `[${batch}, ...${shapeExpr}]`);
  const name = chance(ctx.rng, 0.12) ? `, name: ${ctx.q}image${ctx.q}` : '';
  if (spec.batchSize) return `${I}({ batchShape: ${withShape(spec.batchSize)}${name} })`;
  if (chance(ctx.rng, 0.15)) return `${I}({ batchShape: ${withShape(null)}${name} })`;
  return `${I}({ shape: ${shapeExpr ?? jsLit(ctx, spec.inputShape)}${name} })`;
}

/** Input-shape props of a Sequential's first layer (`inputShape`, `batchInputShape`, `batchSize`). */
function jsSeqInputProps(ctx: JsCtx, spec: ModelSpec, shapeExpr?: string): string[] {
  const shape = shapeExpr ?? jsLit(ctx, spec.inputShape);
  const inputShape = shapeExpr === 'inputShape' && chance(ctx.rng, 0.7) ? 'inputShape' : `inputShape: ${shape}`;
  const batchShape = (b: number | null) => (shapeExpr === undefined ? jsLit(ctx, [b, ...spec.inputShape]) : `[${b}, ...${shapeExpr}]`);
  if (spec.batchSize) return chance(ctx.rng, 0.5) ? [`batchInputShape: ${batchShape(spec.batchSize)}`] : [inputShape, `batchSize: ${spec.batchSize}`];
  if (chance(ctx.rng, 0.12)) return [`batchInputShape: ${batchShape(null)}`];
  return [inputShape];
}

/** `tf.layers.inputLayer({ inputShape: [...] })`. */
function jsInputLayer(ctx: JsCtx, spec: ModelSpec, shapeExpr?: string): string {
  return `${ctx.names.layers}.inputLayer({ ${jsSeqInputProps(ctx, spec, shapeExpr).join(', ')} })`;
}

/** A short tag for explicit layer names (`conv`, `pool`, `bn`). */
function jsTag(cls: LayerClass): string {
  if (cls.includes('Conv')) return 'conv';
  if (cls.includes('Pooling')) return 'pool';
  return { BatchNormalization: 'bn', Dropout: 'drop', Flatten: 'flatten', Dense: 'dense', Activation: 'act', ReLU: 'relu' }[cls as string] ?? 'layer';
}

/** Picks a shared conv config (`const common = { padding: 'same', activation: 'relu' }`) or none. */
function jsCommon(ctx: JsCtx, spec: ModelSpec): { decl: string[]; common: JsCtx['common'] } {
  const cls = `Conv${spec.rank}D` as LayerClass;
  const convs = [...spec.stem, ...spec.block.layers, ...spec.head].filter((l) => l.className === cls);
  if (convs.length === 0 || !chance(ctx.rng, 0.3)) return { decl: [], common: null };
  const keys = ['padding', 'activation', 'data_format', 'strides', 'use_bias', 'dilation_rate'].filter((k) => {
    const v = convs[0].config[k];
    return v !== undefined && !isRef(v) && convs.every((l) => k in l.config);
  });
  if (keys.length === 0) return { decl: [], common: null };
  const chosen = keys.filter(() => chance(ctx.rng, 0.75));
  if (chosen.length === 0) chosen.push(keys[0]);
  const entries = chosen.map((k): [string, ConfigValue] => [k, convs[0].config[k]]);
  const name = `${pick(ctx.rng, ['common', 'convDefaults', 'CONV_ARGS'])}${ctx.suffix}`;
  const body = entries.map(([k, v]) => jsProp(ctx, k, v, {})).join(', ');
  const type = ctx.ts && chance(ctx.rng, 0.3) ? ' as const' : '';
  return { decl: [`const ${name} = { ${body} }${type}${ctx.semi}`], common: { name, cls, entries } };
}

/** Layers applied one by one to a symbolic tensor, in chained, SSA, objects-first, reduce or nested form. */
function jsFunctionalChain(ctx: JsCtx, layers: readonly { call: string }[], input: string, output: string, declareOutput: string): string[] {
  const s = ctx.semi;
  const T = ctx.ts ? ctx.names.types?.tensor : undefined;
  const out: string[] = [];
  const n = layers.length;
  const u = ctx.rng();
  if (u < 0.12 && n >= 2) {
    // An array of layer objects folded over the input.
    const stack = `stack${ctx.suffix}`;
    const LT = ctx.ts ? ctx.names.types?.layer : null;
    out.push(`const ${stack}${LT ? `: ${LT}[]` : ''} = [`, ...indent(layers.map((l) => `${l.call},`), 1, '  '), `]${s}`);
    out.push(T
      ? `${declareOutput}${output} = ${stack}.reduce<${T}>((t, layer) => layer.apply(t) as ${T}, ${input})${s}`
      : `${declareOutput}${output} = ${stack}.reduce((t, layer) => layer.apply(t), ${input})${s}`);
    return out;
  }
  if (u < 0.3) {
    // Layer objects first, then applied (the last two sometimes nested).
    const vars = layers.map((l, i) => `layer${i}${ctx.suffix}`);
    layers.forEach((l, i) => out.push(`const ${vars[i]} = ${l.call}${s}`));
    const nest = n >= 2 && chance(ctx.rng, 0.3);
    const straight = nest ? n - 2 : n;
    let prev = input;
    for (let i = 0; i < straight; i++) {
      const v = i === n - 1 ? output : `h${i}${ctx.suffix}`;
      out.push(`${i === n - 1 ? declareOutput : 'const '}${v} = ${jsApply(ctx, vars[i], prev)}${s}`);
      prev = v;
    }
    if (nest) out.push(`${declareOutput}${output} = ${jsApply(ctx, vars[n - 1], `${vars[n - 2]}.apply(${prev})`)}${s}`);
    return out;
  }
  // Inline construction and application: `x = L.conv2d({...}).apply(x)`, the last two sometimes nested.
  const x = `${pick(ctx.rng, ['x', 'h', 'y'])}${ctx.suffix}`;
  const nest = n >= 2 && chance(ctx.rng, 0.25);
  const straight = nest ? n - 2 : n;
  let declared = false;
  let prev = input;
  for (let i = 0; i < straight; i++) {
    const last = i === n - 1;
    const target = last ? output : x;
    const rhs = jsApply(ctx, layers[i].call, prev);
    if (last) out.push(`${declareOutput}${target} = ${rhs}${s}`);
    else if (!declared) {
      out.push(`let ${x}${T && chance(ctx.rng, 0.5) ? `: ${T}` : ''} = ${rhs}${s}`);
      declared = true;
    } else out.push(`${x} = ${rhs}${s}`);
    prev = x;
  }
  if (nest) out.push(`${declareOutput}${output} = ${jsApply(ctx, layers[n - 1].call, `${layers[n - 2].call}.apply(${prev})`)}${s}`);
  return out;
}

/** A flat model: every layer written out (refs resolved), at module level. Returns lines and the model's variable. */
function jsFlatBody(ctx: JsCtx, spec: ModelSpec, style: 'sequential-add' | 'sequential-list' | 'functional'): { lines: string[]; model: string } {
  const { names, semi: s, suffix, q } = ctx;
  const layers = expandLayers(spec);
  const m = `${names.modelVar}${suffix}`;
  const modelName = chance(ctx.rng, 0.4) ? `${q}${spec.name}${suffix}${q}` : null;
  const named = chance(ctx.rng, 0.2);
  const layerName = (l: LayerSpec, i: number) => (named && chance(ctx.rng, 0.5) ? `${q}${jsTag(l.className)}_${i}${q}` : undefined);
  const { decl, common } = jsCommon(ctx, spec);
  ctx.common = common;
  const out = [...decl];
  const types = ctx.ts ? names.types : null;
  if (style === 'sequential-add' || style === 'sequential-list') {
    const viaInputLayer = chance(ctx.rng, 0.15);
    const calls = layers.map((l, i) => jsLayerCall(ctx, l, {}, i === 0 && !viaInputLayer ? jsSeqInputProps(ctx, spec) : [], layerName(l, i)));
    if (viaInputLayer) calls.unshift(jsInputLayer(ctx, spec));
    const annot = types && chance(ctx.rng, 0.4) ? `: ${types.sequential}` : '';
    if (style === 'sequential-add') {
      out.push(`const ${m}${annot} = ${names.sequential}(${modelName ? `{ name: ${modelName} }` : ''})${s}`);
      calls.forEach((call, i) => {
        if (chance(ctx.rng, 0.15)) out.push(`const layer${i}${suffix} = ${call}${s}`, `${m}.add(layer${i}${suffix})${s}`);
        else out.push(`${m}.add(${call})${s}`);
      });
    } else {
      // The head is sometimes added after construction.
      const later = calls.length >= 3 && chance(ctx.rng, 0.25) ? calls.splice(calls.length - int(ctx.rng, 1, 2)) : [];
      const items = indent(calls.map((c) => `${c},`), 1, '  ');
      const nameProp = modelName ? `name: ${modelName}` : null;
      if (chance(ctx.rng, 0.25)) {
        const LT = types?.layer;
        out.push(`const stack${suffix}${LT ? `: ${LT}[]` : ''} = [`, ...items, `]${s}`);
        out.push(`const ${m}${annot} = ${names.sequential}({ layers: stack${suffix}${nameProp ? `, ${nameProp}` : ''} })${s}`);
      } else {
        out.push(`const ${m}${annot} = ${names.sequential}({`, '  layers: [', ...indent(items, 1, '  '), '  ],', ...(nameProp ? [`  ${nameProp},`] : []), `})${s}`);
      }
      for (const c of later) out.push(`${m}.add(${c})${s}`);
    }
    ctx.common = null;
    return { lines: out, model: m };
  }
  const inp = `${names.inputVar}${suffix}`;
  const outs = `${pick(ctx.rng, ['output', 'outputs', 'logits'])}${suffix}`;
  const calls = layers.map((l, i) => ({ call: jsLayerCall(ctx, l, {}, [], layerName(l, i)) }));
  out.push(`const ${inp}${types && chance(ctx.rng, 0.3) ? `: ${types.tensor}` : ''} = ${jsInput(ctx, spec)}${s}`);
  out.push(...jsFunctionalChain(ctx, calls, inp, outs, 'const '));
  const io = inp === 'inputs' && outs === 'outputs' && chance(ctx.rng, 0.6) ? 'inputs, outputs' : `inputs: ${inp}, outputs: ${outs}`;
  const annot = types && chance(ctx.rng, 0.4) ? `: ${types.model}` : '';
  out.push(`const ${m}${annot} = ${names.model}({ ${io}${modelName ? `, name: ${modelName}` : ''} })${s}`);
  ctx.common = null;
  return { lines: out, model: m };
}

/** Names of the loop styles' constants (possibly qualified: `cfg.FILTERS`, `this.filters`). */
interface JsConsts {
  filters: string;
  kernel: string;
  inputShape: string;
  numClasses: string;
}

interface JsLoop {
  /** Lines before the loop body (declarations, the loop head) and after it. */
  open: string[];
  close: string[];
  /** Expressions of the iteration's filters and index (null: no index), and the kernel if the loop binds it. */
  f: string;
  i: string | null;
  kernel?: string;
}

/**
 * A loop over the filters: `for...of`, a classic indexed `for`, `.entries()`, `.forEach`, a
 * destructuring `for (const { filters, kernelSize } of blocks)` over mapped objects, and (for
 * doubling filters) a counter doubled at the end of each iteration.
 */
function jsLoop(ctx: JsCtx, spec: ModelSpec, filtersExpr: string, kernelExpr: string): JsLoop {
  const s = ctx.semi;
  const f = spec.block.filters;
  const doubling = f.length >= 2 && f.every((v, i) => v === f[0] * 2 ** i);
  const u = ctx.rng();
  if (doubling && chance(ctx.rng, 0.35)) {
    return {
      open: [`let nf = ${filtersExpr}[0]${ctx.ts ? '!' : ''}${s}`, `for (let i = 0; i < ${filtersExpr}.length; i++) {`],
      close: [`  nf *= 2${s}`, '}'], f: 'nf', i: 'i',
    };
  }
  if (u < 0.3) return { open: [`for (const f of ${filtersExpr}) {`], close: ['}'], f: 'f', i: null };
  if (u < 0.55) {
    const head = `for (let i = 0; i < ${filtersExpr}.length; i++) {`;
    if (chance(ctx.rng, 0.3)) return { open: [head], close: ['}'], f: `${filtersExpr}[i]`, i: 'i' };
    return { open: [head, `  const f = ${filtersExpr}[i]${ctx.ts && chance(ctx.rng, 0.6) ? '!' : ''}${s}`], close: ['}'], f: 'f', i: 'i' };
  }
  if (u < 0.7) return { open: [`for (const [i, f] of ${filtersExpr}.entries()) {`], close: ['}'], f: 'f', i: 'i' };
  if (u < 0.85) {
    const decl = `const blocks = ${filtersExpr}.map((f) => ({ filters: f, kernelSize: ${kernelExpr} }))${s}`;
    if (chance(ctx.rng, 0.5)) return { open: [decl, 'for (const { filters, kernelSize } of blocks) {'], close: ['}'], f: 'filters', i: null, kernel: 'kernelSize' };
    return { open: [decl, 'for (const [i, { filters, kernelSize }] of blocks.entries()) {'], close: ['}'], f: 'filters', i: 'i', kernel: 'kernelSize' };
  }
  return { open: [`${filtersExpr}.forEach((f${ctx.ts ? ': number' : ''}, i${ctx.ts ? ': number' : ''}) => {`], close: [`})${s}`], f: 'f', i: 'i' };
}

/** What a builder asks of its block helper. */
interface HelperOpts {
  name: string;
  /** The kernel's expression at the call site and the parameter's default (null: none). */
  kernel: { name: string; dflt: string | null };
  /** A class method called as `this.name(...)`. */
  method: boolean;
}

interface JsHelper {
  def: string[];
  /** It takes a name prefix (the call must pass one that differs per iteration). */
  prefixed: boolean;
  call: (target: string, f: string, prefix: string | null) => string;
}

interface HelperParam {
  name: string;
  tsType: string;
  /** Default value text, or null for a required parameter. */
  dflt: string | null;
  /** What the call passes (null: nothing, the default applies). */
  value: string | null;
}

/**
 * A block helper (`function convBlock(x, filters, kernelSize = 3) {...}`, an arrow, an options
 * object, or a class method) with the block's layers, some behind flags the call sets (`if (useBn)`,
 * `if (dropout > 0)`) and sometimes a guarded layer the call leaves off. Returns the definition and
 * a function writing a call.
 */
function jsHelper(ctx: JsCtx, spec: ModelSpec, h: HelperOpts, functional: boolean, indexed: boolean): JsHelper {
  const { name, kernel, method } = h;
  const { semi: s, names } = ctx;
  const T = ctx.ts ? names.types?.tensor ?? 'any' : null;
  const target = functional ? 'x' : names.modelVar;
  const form = method ? 'method' : pick(ctx.rng, ['function', 'function', 'arrow', 'options'] as const);
  const fName = form === 'arrow' ? 'f' : 'filters';
  const kName = form === 'arrow' ? 'k' : 'kernelSize';
  const sizeType = 'number | number[]';
  const params: HelperParam[] = [
    { name: fName, tsType: 'number', dflt: null, value: '' },
    { name: kName, tsType: sizeType, dflt: kernel.dflt, value: kernel.dflt === null || chance(ctx.rng, 0.3) ? kernel.name : null },
  ];
  const refs: Refs = { filters: fName, kernel: kName };
  // Explicit names need the loop index to stay unique.
  const withPrefix = indexed && chance(ctx.rng, 0.5);
  const body: string[] = [];
  const apply = (call: string) => (functional ? `x = ${jsApply(ctx, call, 'x')}${s}` : `${target}.add(${call})${s}`);
  const layerName = (l: LayerSpec, k: number) => (withPrefix ? `\`\${prefix}_${jsTag(l.className)}${k}\`` : undefined);
  const hasBn = spec.block.layers.some((l) => l.className === 'BatchNormalization');
  spec.block.layers.forEach((l, k) => {
    if (l.className === 'BatchNormalization' && chance(ctx.rng, 0.5)) {
      const dflt = chance(ctx.rng, 0.5);
      params.push({ name: 'useBn', tsType: 'boolean', dflt: String(dflt), value: !dflt || chance(ctx.rng, 0.3) ? 'true' : null });
      body.push('if (useBn) {', `  ${apply(jsLayerCall(ctx, l, refs, [], layerName(l, k)))}`, '}');
    } else if (l.className === 'Dropout' && chance(ctx.rng, 0.5)) {
      params.push({ name: 'dropout', tsType: 'number', dflt: '0', value: jsLit(ctx, l.config.rate) });
      const nm = layerName(l, k);
      body.push('if (dropout > 0) {', `  ${apply(`${ctx.names.layers}.dropout({ rate: dropout${nm ? `, name: ${nm}` : ''} })`)}`, '}');
    } else body.push(apply(jsLayerCall(ctx, l, refs, [], layerName(l, k))));
  });
  if (!hasBn && chance(ctx.rng, 0.3)) {
    params.push({ name: 'batchNorm', tsType: 'boolean', dflt: 'false', value: chance(ctx.rng, 0.3) ? 'false' : null });
    body.splice(1, 0, 'if (batchNorm) {', `  ${apply(`${ctx.names.layers}.batchNormalization()`)}`, '}');
  }
  if (withPrefix) params.push({ name: 'prefix', tsType: 'string', dflt: null, value: '' });
  if (functional || chance(ctx.rng, 0.4)) body.push(`return ${target}${s}`);
  const targetType = ctx.ts ? (functional ? T : names.types?.sequential ?? 'any') : null;
  const retType = ctx.ts ? (functional ? `: ${T}` : '') : '';
  const typed = (p: HelperParam) => `${p.name}${ctx.ts && (p.dflt === null || chance(ctx.rng, 0.5)) ? `: ${p.tsType}` : ''}${p.dflt !== null ? ` = ${p.dflt}` : ''}`;
  const targetParam = `${target}${targetType ? `: ${targetType}` : ''}`;
  let def: string[];
  let paramText: string;
  if (form === 'options') {
    const pattern = `{ ${params.map((p) => (p.dflt !== null ? `${p.name} = ${p.dflt}` : p.name)).join(', ')} }`;
    const type = ctx.ts ? `: { ${params.map((p) => `${p.name}${p.dflt !== null ? '?' : ''}: ${p.tsType}`).join('; ')} }` : '';
    paramText = `${targetParam}, ${pattern}${type}`;
  } else paramText = [targetParam, ...params.map(typed)].join(', ');
  if (form === 'arrow') def = [`const ${name} = (${paramText})${retType} => {`, ...indent(body, 1, '  '), `}${s}`];
  else if (form === 'method') def = [`${ctx.ts ? 'private ' : ''}${name}(${paramText})${retType} {`, ...indent(body, 1, '  '), '}'];
  else def = [`function ${name}(${paramText})${retType} {`, ...indent(body, 1, '  '), '}'];
  const call = (t: string, f: string, prefix: string | null): string => {
    const values = params.map((p) => (p.name === fName ? f : p.name === 'prefix' ? prefix : p.value));
    const callee = method ? `this.${name}` : name;
    if (form === 'options') {
      const props = params.flatMap((p, i) => {
        const v = values[i];
        if (v === null) return [];
        return [v === p.name ? p.name : `${p.name}: ${v}`];
      });
      return `${callee}(${t}, { ${props.join(', ')} })`;
    }
    let last = -1;
    values.forEach((v, i) => {
      if (v !== null) last = i;
    });
    const args = values.slice(0, last + 1).map((v, i) => v ?? (chance(ctx.rng, 0.5) ? 'undefined' : params[i].dflt!));
    return `${callee}(${[t, ...args].join(', ')})`;
  };
  return { def, call, prefixed: withPrefix };
}

/**
 * The body of a model builder: stem, a loop over the filters calling a helper (or the block
 * inline), head, `return`. Functional or Sequential at random. `inShape` and `classes` are
 * expressions (parameters, constants or `this.` fields).
 */
function jsBuilderBody(ctx: JsCtx, spec: ModelSpec, consts: JsConsts, inShape: string, classes: string, helperOpts: HelperOpts | null, functional: boolean): { body: string[]; helperDef: string[] } {
  const { names, semi: s, q } = ctx;
  const T = ctx.ts ? names.types?.tensor : undefined;
  const body: string[] = [];
  const classRefs: Refs = { classes };
  const m = names.modelVar;
  const loop = jsLoop(ctx, spec, consts.filters, consts.kernel);
  const kernelExpr = loop.kernel ?? consts.kernel;
  const helper = helperOpts ? jsHelper(ctx, spec, { ...helperOpts, kernel: { ...helperOpts.kernel, name: kernelExpr } }, functional, loop.i !== null) : null;
  const named = helper ? helper.prefixed : loop.i !== null && chance(ctx.rng, 0.5);
  const prefix = named ? `\`block\${${loop.i}${chance(ctx.rng, 0.3) ? ' + 1' : ''}}\`` : null;
  const inner: string[] = [];
  let seqInputDone = false;
  if (functional) {
    const inp = names.inputVar;
    body.push(`const ${inp} = ${jsInput(ctx, spec, inShape)}${s}`);
    body.push(`let x${T && chance(ctx.rng, 0.6) ? `: ${T}` : ''} = ${inp}${s}`);
    for (const l of spec.stem) body.push(`x = ${jsApply(ctx, jsLayerCall(ctx, l, classRefs), 'x')}${s}`);
  } else {
    const annot = ctx.ts && names.types && chance(ctx.rng, 0.3) ? `: ${names.types.sequential}` : '';
    // Without a stem the loop's first layer needs the input shape: an input layer, or a spread on iteration 0.
    const useInputLayer = spec.stem.length === 0 ? helper !== null || loop.i === null || chance(ctx.rng, 0.4) : chance(ctx.rng, 0.2);
    if (useInputLayer && chance(ctx.rng, 0.3)) body.push(`const ${m}${annot} = ${names.sequential}({ layers: [${jsInputLayer(ctx, spec, inShape)}] })${s}`);
    else {
      body.push(`const ${m}${annot} = ${names.sequential}()${s}`);
      if (useInputLayer) body.push(`${m}.add(${jsInputLayer(ctx, spec, inShape)})${s}`);
    }
    seqInputDone = useInputLayer;
    spec.stem.forEach((l, i) => body.push(`${m}.add(${jsLayerCall(ctx, l, classRefs, i === 0 && !seqInputDone ? jsSeqInputProps(ctx, spec, inShape) : [])})${s}`));
    if (spec.stem.length > 0) seqInputDone = true;
  }
  if (helper) {
    const call = helper.call(functional ? 'x' : m, loop.f, prefix);
    inner.push(functional ? `x = ${call}${s}` : `${call}${s}`);
  } else {
    spec.block.layers.forEach((l, k) => {
      const refs: Refs = { filters: loop.f, kernel: kernelExpr };
      const nm = prefix ? `\`block\${${loop.i}}_${jsTag(l.className)}${k}\`` : undefined;
      let extra: string[] = [];
      if (!functional && !seqInputDone && k === 0) {
        // Only the first iteration's first layer carries the input shape.
        extra = [`...(${loop.i} === 0 ? { ${jsSeqInputProps(ctx, spec, inShape).join(', ')} } : {})`];
      }
      const call = jsLayerCall(ctx, l, refs, extra, nm);
      inner.push(functional ? `x = ${jsApply(ctx, call, 'x')}${s}` : `${m}.add(${call})${s}`);
    });
  }
  body.push(...loop.open, ...indent(inner, 1, '  '), ...loop.close);
  const modelName = chance(ctx.rng, 0.3) ? `${q}${spec.name}${ctx.suffix}${q}` : null;
  if (functional) {
    spec.head.forEach((l, i) => {
      const last = i === spec.head.length - 1;
      body.push(`${last ? 'const outputs' : 'x'} = ${jsApply(ctx, jsLayerCall(ctx, l, classRefs, [], last && chance(ctx.rng, 0.2) ? `${q}logits${q}` : undefined), 'x')}${s}`);
    });
    const inp = names.inputVar;
    body.push(`return ${names.model}({ ${inp === 'inputs' ? 'inputs' : `inputs: ${inp}`}, outputs${modelName ? `, name: ${modelName}` : ''} })${s}`);
  } else {
    for (const l of spec.head) body.push(`${m}.add(${jsLayerCall(ctx, l, classRefs)})${s}`);
    body.push(`return ${m}${s}`);
  }
  return { body, helperDef: helper?.def ?? [] };
}

/** Module constants of the loop styles: `export const FILTERS = [16, 32, 64]`, doubling from a base, per-dim image sizes. */
function jsConstDecls(ctx: JsCtx, spec: ModelSpec, c: JsConsts, opts: { dims: boolean }): { name: string; expr: string; deps: string[] }[] {
  const f = spec.block.filters;
  const doubling = f.length >= 2 && f.every((v, i) => v === f[0] * 2 ** i);
  const out: { name: string; expr: string; deps: string[] }[] = [];
  const sfx = ctx.suffix;
  if (opts.dims && spec.inputShape.every((d) => d !== null)) {
    const dimNames = spec.rank === 1 ? ['SEQ_LEN'] : spec.rank === 2 ? ['IMAGE_H', 'IMAGE_W'] : ['DEPTH', 'IMAGE_H', 'IMAGE_W'];
    const spatial = spec.dataFormat === 'channels_first' ? spec.inputShape.slice(1) : spec.inputShape.slice(0, -1);
    const ch = spec.dataFormat === 'channels_first' ? spec.inputShape[0] : spec.inputShape[spec.inputShape.length - 1];
    dimNames.forEach((n, i) => out.push({ name: `${n}${sfx}`, expr: String(spatial[i]), deps: [] }));
    out.push({ name: `CHANNELS${sfx}`, expr: String(ch), deps: [] });
    const names = [...dimNames.map((n) => `${n}${sfx}`)];
    const all = spec.dataFormat === 'channels_first' ? [`CHANNELS${sfx}`, ...names] : [...names, `CHANNELS${sfx}`];
    out.push({ name: c.inputShape, expr: `[${all.join(', ')}]`, deps: all });
  } else out.push({ name: c.inputShape, expr: jsLit(ctx, spec.inputShape), deps: [] });
  if (doubling && chance(ctx.rng, 0.5)) {
    const base = `BASE_FILTERS${sfx}`;
    out.push({ name: base, expr: String(f[0]), deps: [] });
    const expr = chance(ctx.rng, 0.5)
      ? `Array.from({ length: ${f.length} }, (_, i) => ${base} * 2 ** i)`
      : `${jsLit(ctx, f.map((_, i) => 2 ** i))}.map((m) => ${base} * m)`;
    out.push({ name: c.filters, expr, deps: [base] });
  } else out.push({ name: c.filters, expr: jsLit(ctx, f), deps: [] });
  out.push({ name: c.kernel, expr: jsLit(ctx, spec.block.kernel as ConfigValue), deps: [] });
  out.push({ name: c.numClasses, expr: String(spec.numClasses), deps: [] });
  return out;
}

function jsConstLines(ctx: JsCtx, decls: { name: string; expr: string }[], exported: boolean): string[] {
  return decls.map((d) => {
    const type = ctx.ts && d.expr.startsWith('[') && chance(ctx.rng, 0.3) ? (d.expr.includes('null') ? ': (number | null)[]' : ': number[]') : '';
    return `${exported ? 'export ' : ''}const ${d.name}${type} = ${d.expr}${ctx.semi}`;
  });
}

/**
 * A model builder function: `function buildModel(inputShape = [..], numClasses = N) {...}` (or an
 * arrow), with its helper before it. With `defaults` nothing needs to call it; without, parameters
 * have no defaults and the caller writes the call.
 */
function jsBuilderFunction(ctx: JsCtx, spec: ModelSpec, consts: JsConsts, opts: { helper: boolean; defaults?: { inputShape: string; numClasses: string }; exported: 'esm' | 'none' }): { lines: string[]; name: string } {
  const { suffix, names } = ctx;
  const functional = chance(ctx.rng, 0.6);
  const out: string[] = [];
  const { decl, common } = jsCommon(ctx, spec);
  ctx.common = common;
  out.push(...decl);
  if (decl.length) out.push('');
  const kernelDefault = chance(ctx.rng, 0.4) ? (chance(ctx.rng, 0.5) ? consts.kernel : jsLit(ctx, spec.block.kernel as ConfigValue)) : null;
  const helperOpts = opts.helper ? { name: `convBlock${suffix}`, kernel: { name: consts.kernel, dflt: kernelDefault }, method: false } : null;
  const { body, helperDef } = jsBuilderBody(ctx, spec, consts, 'inputShape', 'numClasses', helperOpts, functional);
  if (helperDef.length) out.push(...helperDef, '');
  ctx.common = null;
  const shapeType = spec.inputShape.includes(null) ? '(number | null)[]' : 'number[]';
  const p = (n: string, type: string, d: string | undefined) => `${n}${ctx.ts && (d === undefined || chance(ctx.rng, 0.4)) ? `: ${type}` : ''}${d !== undefined ? ` = ${d}` : ''}`;
  let params = `${p('inputShape', shapeType, opts.defaults?.inputShape)}, ${p('numClasses', 'number', opts.defaults?.numClasses)}`;
  if (opts.defaults && chance(ctx.rng, 0.2)) {
    // One options object, itself defaulted: `buildModel({ inputShape = [..], numClasses = 10 } = {})`.
    const type = ctx.ts ? `: { inputShape?: ${shapeType}; numClasses?: number }` : '';
    params = `{ inputShape = ${opts.defaults.inputShape}, numClasses = ${opts.defaults.numClasses} }${type} = {}`;
  }
  const ret = ctx.ts && names.types && chance(ctx.rng, 0.5) ? `: ${functional ? names.types.model : names.types.sequential}` : '';
  const name = `buildModel${suffix}`;
  const exp = opts.exported === 'esm' && chance(ctx.rng, 0.4) ? 'export ' : '';
  if (chance(ctx.rng, 0.25)) out.push(`${exp}const ${name} = (${params})${ret} => {`, ...indent(body, 1, '  '), `}${ctx.semi}`);
  else out.push(`${exp}function ${name}(${params})${ret} {`, ...indent(body, 1, '  '), '}');
  return { lines: out, name };
}

/** A class whose `build()` method creates and returns the model; nothing calls it. */
function jsClass(ctx: JsCtx, spec: ModelSpec, esm: boolean): { lines: string[]; name: string; consts: string[] } {
  const { names, suffix, semi: s } = ctx;
  const cls = `${pick(ctx.rng, ['Net', 'ConvNet', 'Classifier', 'ModelFactory'])}${suffix}`;
  const fields = chance(ctx.rng, 0.35);
  const plain: JsConsts = { filters: `FILTERS${suffix}`, kernel: `KERNEL${suffix}`, inputShape: `INPUT_SHAPE${suffix}`, numClasses: `NUM_CLASSES${suffix}` };
  const consts: JsConsts = fields ? { filters: 'this.filters', kernel: 'this.kernel', inputShape: 'this.inputShape', numClasses: 'this.numClasses' } : plain;
  const decls = jsConstDecls(ctx, spec, plain, { dims: false });
  const members: string[] = [];
  const constLines: string[] = [];
  const mod = ctx.ts ? 'readonly ' : '';
  const priv = ctx.ts ? 'private ' : '';
  if (fields) {
    // Instance fields (`private readonly filters = [...]`, read as `this.filters`); helpers stay module constants.
    const map: [string, string][] = [['inputShape', plain.inputShape], ['filters', plain.filters], ['kernel', plain.kernel], ['numClasses', plain.numClasses]];
    for (const d of decls) if (!map.some(([, c]) => c === d.name)) constLines.push(`const ${d.name} = ${d.expr}${s}`);
    for (const [n, c] of map) members.push(`${priv}${mod}${n} = ${decls.find((x) => x.name === c)!.expr}${s}`);
    members.push('');
  } else constLines.push(...jsConstLines(ctx, decls, false));
  const functional = chance(ctx.rng, 0.6);
  const flat = chance(ctx.rng, 0.3);
  let body: string[];
  if (flat) {
    const style = functional ? 'functional' : pick(ctx.rng, ['sequential-add', 'sequential-list'] as const);
    const saved = ctx.suffix;
    ctx.suffix = '';
    const r = jsFlatBody(ctx, spec, style);
    ctx.suffix = saved;
    body = [...r.lines, `return ${r.model}${s}`];
  } else {
    const { decl, common } = jsCommon(ctx, spec);
    ctx.common = common;
    constLines.push(...decl);
    const method = chance(ctx.rng, 0.5);
    const helperOpts = chance(ctx.rng, 0.6) ? { name: method ? 'convBlock' : `convBlock${suffix}`, kernel: { name: consts.kernel, dflt: null }, method } : null;
    const r = jsBuilderBody(ctx, spec, consts, consts.inputShape, consts.numClasses, helperOpts, functional);
    body = r.body;
    if (method) members.push(...r.helperDef, ...(r.helperDef.length ? [''] : []));
    else if (r.helperDef.length) constLines.push('', ...r.helperDef);
    ctx.common = null;
  }
  const ret = ctx.ts && names.types ? `: ${functional ? names.types.model : names.types.sequential}` : '';
  const exp = esm && chance(ctx.rng, 0.5) ? (chance(ctx.rng, 0.3) ? 'export default ' : 'export ') : '';
  const lines = [`${exp}class ${cls} {`, ...indent([...members, `build()${ret} {`, ...indent(body, 1, '  '), '}'], 1, '  '), '}'];
  return { lines, name: cls, consts: constLines };
}

/** Emits one spec as a JS/TS program in the given (or a random) style. */
export function emitJs(spec: ModelSpec, rng: Rng, style: JsModelStyle = pick(rng, JS_MODEL_STYLES), importStyle: JsImportStyle = pick(rng, JS_IMPORT_STYLES)): JsProgram {
  const cjs = importStyle === 'require';
  const ext = cjs ? pick(rng, ['js', 'js', 'cjs']) : style === 'class-build' && chance(rng, 0.75) ? 'ts' : pick(rng, ['ts', 'ts', 'js', 'mjs']);
  const ts = ext === 'ts';
  const q = chance(rng, 0.3) ? '"' : "'";
  const semi = chance(rng, 0.15) ? '' : ';';
  const names = jsNames(importStyle, ts, rng, q, semi);
  const ctx: JsCtx = { rng, names, ts, suffix: '', q, semi, common: null };
  const files: Record<string, string> = {};
  const lines: string[] = [`// Generated model ${spec.name} (${style}, ${importStyle}).`, ...names.header, ''];
  const plain: JsConsts = { filters: 'FILTERS', kernel: 'KERNEL', inputShape: 'INPUT_SHAPE', numClasses: 'NUM_CLASSES' };
  let entry: string;
  if (style === 'sequential-add' || style === 'sequential-list' || style === 'functional') {
    const r = jsFlatBody(ctx, spec, style);
    lines.push(...r.lines);
    entry = r.model;
    if (chance(rng, 0.3)) lines.push('', cjs ? `module.exports = { ${r.model} }${semi}` : `export { ${r.model} }${semi}`);
  } else if (style === 'helper-loop') {
    const decls = jsConstDecls(ctx, spec, plain, { dims: chance(rng, 0.3) });
    lines.push(...jsConstLines(ctx, decls, false), '');
    const called = chance(rng, 0.2);
    const lit = chance(rng, 0.5);
    const defaults = called ? undefined : lit ? { inputShape: jsLit(ctx, spec.inputShape), numClasses: String(spec.numClasses) } : { inputShape: plain.inputShape, numClasses: plain.numClasses };
    const b = jsBuilderFunction(ctx, spec, plain, { helper: true, defaults, exported: cjs ? 'none' : 'esm' });
    lines.push(...b.lines);
    if (called) {
      lines.push('', `const ${names.modelVar} = ${b.name}(${plain.inputShape}, ${plain.numClasses})${semi}`);
      entry = names.modelVar;
    } else entry = `${b.name}()`;
    if (cjs && chance(rng, 0.5)) lines.push('', `module.exports = { ${b.name} }${semi}`);
  } else if (style === 'config-import') {
    const inDir = chance(rng, 0.25);
    const dims = chance(rng, 0.4);
    const decls = jsConstDecls(ctx, spec, plain, { dims });
    // The config file's kind follows the main file's; the specifier is one its resolvers accept.
    const cfgExt = ext === 'cjs' ? pick(rng, ['js', 'cjs']) : ext;
    const cfgPath = `${inDir ? 'settings/' : ''}config.${cfgExt}`;
    const stem = `./${inDir ? 'settings/' : ''}config`;
    const spec2 = cfgExt === 'cjs' || cfgExt === 'mjs' ? `${stem}.${cfgExt}` : chance(rng, 0.4) ? `${stem}.js` : stem;
    const cfgLines = ['// Hyper-parameters.'];
    if (cjs) {
      const u = rng();
      if (u < 0.35 && decls.every((d) => d.deps.length === 0)) cfgLines.push('module.exports = {', ...decls.map((d) => `  ${d.name}: ${d.expr},`), `}${semi}`);
      else if (u < 0.65) cfgLines.push(...decls.map((d) => `exports.${d.name} = ${d.deps.reduce((e, n) => e.replace(new RegExp(`\\b${n}\\b`, 'g'), `exports.${n}`), d.expr)}${semi}`));
      else cfgLines.push(...jsConstLines(ctx, decls, false), '', `module.exports = { ${decls.map((d) => d.name).join(', ')} }${semi}`);
    } else cfgLines.push(...jsConstLines(ctx, decls, true));
    files[cfgPath] = [...cfgLines, ''].join('\n');
    const dimNames = decls.filter((d) => d.name !== plain.inputShape && decls.find((x) => x.name === plain.inputShape)!.deps.includes(d.name)).map((d) => d.name);
    const imported = [...(dims && dimNames.length ? dimNames : [plain.inputShape]), plain.filters, plain.kernel, plain.numClasses];
    const qualified = chance(rng, 0.3);
    const c: JsConsts = qualified ? { filters: 'cfg.FILTERS', kernel: 'cfg.KERNEL', inputShape: 'cfg.INPUT_SHAPE', numClasses: 'cfg.NUM_CLASSES' } : plain;
    const importLine = cjs
      ? qualified ? `const cfg = require(${q}${spec2}${q})${semi}` : `const { ${imported.join(', ')} } = require(${q}${spec2}${q})${semi}`
      : qualified ? `import * as cfg from ${q}${spec2}${q}${semi}` : `import { ${imported.join(', ')} } from ${q}${spec2}${q}${semi}`;
    lines.splice(1 + names.header.filter((l) => l.startsWith('import') || l.includes('require(')).length, 0, importLine);
    const shapeExpr = !qualified && dims && dimNames.length ? decls.find((d) => d.name === plain.inputShape)!.expr : c.inputShape;
    if (chance(rng, 0.4)) {
      // Uncalled, with the imported constants as defaults.
      const b = jsBuilderFunction(ctx, spec, c, { helper: chance(rng, 0.5), defaults: { inputShape: shapeExpr, numClasses: c.numClasses }, exported: cjs ? 'none' : 'esm' });
      lines.push(...b.lines);
      entry = `${b.name}()`;
    } else {
      const b = jsBuilderFunction(ctx, spec, c, { helper: chance(rng, 0.5), exported: 'none' });
      lines.push(...b.lines, '', `const ${names.modelVar} = ${b.name}(${shapeExpr}, ${c.numClasses})${semi}`);
      entry = names.modelVar;
      if (!cjs && chance(rng, 0.4)) lines.push(`export default ${names.modelVar}${semi}`);
    }
  } else {
    const k = jsClass(ctx, spec, !cjs);
    lines.push(...k.consts, '', ...k.lines);
    if (cjs && chance(rng, 0.5)) lines.push('', `module.exports = { ${k.name} }${semi}`);
    entry = `new ${k.name}().build()`;
  }
  lines.push('');
  return { file: `main.${ext}`, main: lines.join('\n'), files, style, importStyle, entry };
}

/**
 * One TypeScript module holding many models (for the benchmark): one import header, each spec in a
 * rotating style (Sequential, functional, helper + loop builders, classes) with suffixed names
 * (`buildModel_3`, `FILTERS_3`, `model_3`), no other files.
 */
export function emitJsModule(specs: readonly ModelSpec[], rng: Rng): string {
  const names = jsNames('tfjs', true, rng, "'", ';');
  const lines: string[] = ['// Many generated models in one module.', ...names.header, ''];
  const styles: JsModelStyle[] = ['sequential-add', 'functional', 'helper-loop', 'sequential-list', 'class-build', 'helper-loop'];
  specs.forEach((spec, i) => {
    const ctx: JsCtx = { rng, names, ts: true, suffix: `_${i}`, q: "'", semi: ';', common: null };
    const style = styles[i % styles.length];
    lines.push(`// --- model ${i}: ${style}`);
    if (style === 'helper-loop') {
      const c: JsConsts = { filters: `FILTERS_${i}`, kernel: `KERNEL_${i}`, inputShape: `INPUT_SHAPE_${i}`, numClasses: `NUM_CLASSES_${i}` };
      const decls = jsConstDecls(ctx, spec, c, { dims: chance(rng, 0.3) });
      lines.push(...jsConstLines(ctx, decls, true), '');
      lines.push(...jsBuilderFunction(ctx, spec, c, { helper: chance(rng, 0.7), defaults: { inputShape: c.inputShape, numClasses: c.numClasses }, exported: 'esm' }).lines);
    } else if (style === 'class-build') {
      const k = jsClass(ctx, spec, true);
      lines.push(...k.consts, '', ...k.lines);
    } else {
      lines.push(...jsFlatBody(ctx, spec, style as 'sequential-add' | 'sequential-list' | 'functional').lines);
    }
    lines.push('');
  });
  return lines.join('\n');
}
