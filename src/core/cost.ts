// Cost analytics of an analysed model, one function per measure: MACs and FLOPs of each call,
// activation bytes of each output, the peak live activation memory of a forward pass, and each
// output's receptive field. Layer rules supply what only they know (`LayerRule.cost`,
// `LayerRule.spatial`); this module walks the graph. Anything unknown is null, with why.

import { callsInOrder } from './builder';
import { Cfg, type ConfigValue, type LayerConfig } from './config';
import type { CallNode, LayerNode, ModelGraph, SymbolicTensor } from './graph';
import { activationFlops } from './layers/activation';
import { getRule } from './layers/registry';
import { POINTWISE, type CallCost, type SpatialMap } from './layers/types';
import { elements, formatCount, formatOutputShape, formatShortBytes, formatShortCount, UNKNOWN_DIM, type RuleShape, type Shape } from './shape';
import type { ModelSummary, SummaryRow } from './summary';

/** Receptive field of a tensor w.r.t. the model input, one entry per spatial axis. */
export interface ReceptiveField {
  size: number[];
  /** Effective stride (jump): input pixels between neighbouring outputs. */
  stride: number[];
  /** Effective padding: how far the first output's field starts before the input's first pixel. */
  padding: number[];
  /** Set when paths that merge here see fields whose centres differ: the field is their union, first merged at this layer. */
  notAlignedAt?: string;
}

/** A measure of one call or tensor: a value, or null and why. */
export interface Measure<T> {
  value: T | null;
  why?: string;
}

/** The measures of one summary row (a layer's calls in this model; each call costs). */
export interface LayerCost {
  /** The layer's calls in this model (a shared layer is counted once per call). */
  calls: number;
  macs: number | null;
  flops: number | null;
  /** Bytes of the outputs of its calls, per sample. */
  activationBytes: number | null;
  /** Of its first call's (first) output (worked out for the whole model when first read). */
  receptiveField: ReceptiveField | null;
  /** Why a measure is null (the first reason found). */
  why?: string;
  /** Why the receptive field is null. */
  rfWhy?: string;
}

export interface ModelCost {
  /** One entry per summary row, in row order. */
  rows: LayerCost[];
  totalMacs: number | null;
  totalFlops: number | null;
  /** Every tensor of the forward pass (model inputs included), per sample. */
  activationBytes: number | null;
  /** Peak of live activations, calls in graph order, each output freed after its last consumer. */
  peakActivationBytes: number | null;
  /** Why a total is null. */
  why?: string;
}

/**
 * While a model's costs are computed: one reader per layer config, shared by `cost` and `spatial`
 * (and every call of the layer), so rules that validate their settings once per Cfg (convs) do it
 * once; and each model's calls in graph order, found once. Outside `modelCost` each call gets a
 * reader of its own.
 */
interface Session {
  readers: Map<LayerConfig, Cfg>;
  orders: Map<ModelGraph, CallNode[]>;
}
let session: Session | undefined;

function within<T>(s: Session, f: () => T): T {
  const outer = session;
  session = s;
  try {
    return f();
  } finally {
    session = outer;
  }
}

function readerOf(config: LayerConfig): Cfg {
  let cfg = session?.readers.get(config);
  if (!cfg) {
    cfg = new Cfg(config);
    session?.readers.set(config, cfg);
  }
  return cfg;
}

function orderOf(model: ModelGraph): CallNode[] {
  let calls = session?.orders.get(model);
  if (!calls) {
    calls = callsInOrder(model);
    session?.orders.set(model, calls);
  }
  return calls;
}

/** Nested models deeper than this are not costed (bounded work on pathological code). */
const MAX_DEPTH = 16;

const unknown = <T>(why: string): Measure<T> => ({ value: null, why });

function sum(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : exact(a + b);
}

/** A shape with every dim known to the analysis (None counts as known). */
function isKnown(s: Shape | null): s is RuleShape {
  if (!s) return false;
  for (let i = 0; i < s.length; i++) if (s[i] === UNKNOWN_DIM) return false;
  return true;
}

/** Known output shapes of a call (batch included), or null if any dim is unknown or a shape is missing. */
function knownShapes(ts: readonly { shape: Shape | null }[]): RuleShape[] | null {
  if (ts.length === 1) {
    const s = ts[0].shape;
    return isKnown(s) ? [s] : null;
  }
  const out: RuleShape[] = [];
  for (const t of ts) {
    if (!isKnown(t.shape)) return null;
    out.push(t.shape);
  }
  return out;
}

/** A layer's calls that belong to `model` (a layer may be called in several models). */
function callsIn(model: ModelGraph, ordered = orderOf(model)): CallNode[] {
  // A model's inputs come from InputLayer calls, which `callsInOrder` stops before.
  const inputs: CallNode[] = [];
  for (const t of model.inputs) if (t.source?.layer.isInput && !inputs.includes(t.source)) inputs.push(t.source);
  return inputs.length > 0 ? [...inputs, ...ordered] : ordered;
}

/** The sum of the calls of a nested model (when called on the shapes it was built on). */
function nestedCost(call: CallNode, depth: number): Measure<CallCost> {
  const model = call.layer.nested as ModelGraph;
  if (depth > MAX_DEPTH) return unknown('models nested too deeply');
  const same = model.inputs.length === call.inputs.length && model.inputs.every((t, i) => shapesMatch(t.shape, call.inputs[i].shape));
  if (!same) return unknown(`${call.layer.name} is called on other shapes than it was built on`);
  let macs: number | null = 0;
  let flops: number | null = 0;
  let why: string | undefined;
  for (const c of callsIn(model)) {
    const r = callCost(c, depth + 1);
    macs = sum(macs, r.value?.macs ?? null);
    flops = sum(flops, r.value?.flops ?? null);
    why ??= r.why;
  }
  return { value: { macs, flops }, why };
}

function shapesMatch(a: Shape | null, b: Shape | null): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => i === 0 || d === b[i]);
}

/**
 * MACs and FLOPs of one call. MACs: one per weight multiply (Conv*, Dense) and the matmuls of
 * attention and recurrent layers; FLOPs: what tf.profiler's `float_ops` counts for the ops the
 * layer runs (2 per MAC, bias adds, pooling windows, softmax, element-wise merges), plus the
 * layer's `activation=`. Null (with why) when a shape or setting is unknown or the rule does not
 * say.
 */
export function callCost(call: CallNode, depth = 0): Measure<CallCost> {
  const layer = call.layer;
  if (layer.isInput) return { value: { macs: 0, flops: 0 } };
  if (layer.nested) return nestedCost(call, depth);
  return costOn(layer, call.inputs, call.outputs);
}

/**
 * What `callCost` counts for `layer` (not an input or a nested model) on these input and output
 * shapes: also for shapes other than the analysis' (core/pooling.ts replays a model without its
 * pooling layers).
 */
export function costOn(layer: LayerNode, inputs: readonly { shape: Shape | null }[], outputs: readonly { shape: Shape | null }[]): Measure<CallCost> {
  if (layer.custom) return unknown(`Shape Lens does not count what the code of ${layer.className} computes`);
  const rule = getRule(layer.className);
  if (!rule) return unknown(`Shape Lens has no rule for ${layer.className}`);
  const ins = knownShapes(inputs);
  const outs = knownShapes(outputs);
  if (!ins || !outs) return unknown(`a shape of ${layer.name} is not known`);
  if (!rule.cost) return unknown(`Shape Lens does not count the cost of ${layer.className}`);
  const cfg = readerOf(layer.config);
  let c: CallCost;
  try {
    c = rule.cost(ins, outs, cfg);
  } catch {
    return unknown(`Shape Lens could not count the cost of ${layer.name}`);
  }
  const act = activationFlops(layer.config.activation, outs);
  const value = { macs: exact(c.macs), flops: exact(sum(c.flops, act)) };
  if (cfg.lost) return unknown(`a setting of ${layer.name} is not known`);
  if (value.macs === null) return { value, why: c.macs === null ? `Shape Lens could not count the MACs of ${layer.name} (a size or setting it does not know)` : `the MACs of ${layer.name} are too many to count exactly` };
  if (value.flops === null) {
    const what = act === null ? `its activation ${JSON.stringify(layer.config.activation)}` : c.flops === null ? `the ops ${layer.className} runs` : 'them: too many to count exactly';
    return { value, why: `Shape Lens does not count how tf.profiler counts ${what}` };
  }
  return { value };
}

/** A count that is exact in a double (≤ 2^53); larger ones are unknown rather than rounded. */
function exact(n: number | null): number | null {
  return n !== null && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** Bytes per element of a layer's output dtype (float32 unless the layer's `dtype` says otherwise); null if not a dtype Shape Lens knows. */
export function dtypeBytes(dtype: ConfigValue | undefined): number | null {
  if (dtype === undefined || dtype === null) return 4;
  if (typeof dtype !== 'string') return null;
  const d = dtype.replace(/^(tf|keras|np|numpy|torch)\./, '').toLowerCase();
  if (d === 'mixed_float16' || d === 'mixed_bfloat16') return 2;
  const bits = /^(?:float|int|uint|bfloat|complex)(\d+)$/.exec(d);
  if (bits) return Number(bits[1]) / 8;
  if (d === 'bool') return 1;
  if (d === 'half') return 2;
  if (d === 'double') return 8;
  return null;
}

/** Bytes of one tensor per sample: elements × its layer's dtype size; null (with why) when a dim is None or unknown. */
export function activationBytes(t: SymbolicTensor): Measure<number> {
  if (!isKnown(t.shape)) return unknown('its shape is not known');
  const n = elements(t.shape);
  if (n === null) return unknown('its shape has a None dimension besides the batch');
  const layer = t.source?.layer;
  const per = dtypeBytes(layer?.config.dtype);
  if (per === null) return unknown(`Shape Lens does not know the size of dtype ${JSON.stringify(layer?.config.dtype)}`);
  const bytes = exact(n * per);
  return bytes === null ? unknown('too many bytes to count exactly') : { value: bytes };
}

/**
 * Peak live activation memory of a forward pass of `model`: its inputs are live from the start,
 * each call's outputs are allocated while its inputs are still live, and a tensor is freed after
 * its last consumer (the model's outputs stay to the end). Calls run in graph order (each after
 * the calls it reads, depth-first from the outputs). A nested model adds its own peak above its
 * inputs while it runs. Null when a size is unknown.
 */
export function peakActivationBytes(model: ModelGraph, depth = 0, ordered?: CallNode[], sizeOf: (t: SymbolicTensor) => Measure<number> = activationBytes): Measure<number> {
  if (depth > MAX_DEPTH) return unknown('models nested too deeply');
  if (!model.built || model.incomplete) return unknown(model.incomplete ?? 'the model is not built');
  const calls = ordered ?? orderOf(model);
  const lastUse = new Map<number, number>();
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    for (const t of c.inputs) lastUse.set(t.id, i);
    if (c.extraInputs) for (const t of c.extraInputs) lastUse.set(t.id, i);
  }
  const outputs = model.outputs;
  const live = new Map<number, number>();
  let current = 0;
  let why: string | undefined;
  const add = (t: SymbolicTensor): boolean => {
    if (live.has(t.id)) return true;
    const b = sizeOf(t);
    if (b.value === null) {
      why = `${t.source?.layer.name ?? 'an input'}: ${b.why}`;
      return false;
    }
    live.set(t.id, b.value);
    current += b.value;
    return true;
  };
  /** Frees `t` if it is live and not a model output. */
  const free = (t: SymbolicTensor): void => {
    const bytes = live.get(t.id);
    if (bytes === undefined) return;
    for (const o of outputs) if (o.id === t.id) return;
    live.delete(t.id);
    current -= bytes;
  };
  for (const t of model.inputs) if (!add(t)) return unknown(why as string);
  let peak = current;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    if (c.layer.nested) {
      const inner = peakActivationBytes(c.layer.nested, depth + 1);
      const innerInputs = c.layer.nested.inputs.reduce<number | null>((a, t) => sum(a, activationBytes(t).value), 0);
      if (inner.value === null || innerInputs === null) return unknown(inner.why ?? `${c.layer.name}: an input size is not known`);
      peak = Math.max(peak, current + inner.value - innerInputs);
    }
    for (const t of c.outputs) if (!add(t)) return unknown(why as string);
    if (current > peak) peak = current;
    for (const t of c.inputs) if (lastUse.get(t.id) === i) free(t);
    if (c.extraInputs) for (const t of c.extraInputs) if (lastUse.get(t.id) === i) free(t);
    for (const t of c.outputs) if (!lastUse.has(t.id)) free(t);
  }
  return { value: peak };
}

// -------------------------------------------------------------------------------------------------
// Receptive fields

interface Field {
  rf: ReceptiveField | null;
  why?: string;
  /** The model input the field is measured against. */
  from?: number;
}

/** The fields of a model's inputs: `seeds` (a nested model's), else a 1-pixel field per spatial axis. */
function inputFields(model: ModelGraph, seeds?: Field[]): Map<number, Field> {
  const fields = new Map<number, Field>();
  model.inputs.forEach((t, i) => {
    if (seeds?.[i]) fields.set(t.id, seeds[i]);
    else {
      const axes = t.shape && t.shape.length >= 3 ? t.shape.length - 2 : 0;
      fields.set(t.id, axes > 0 ? { rf: { size: Array(axes).fill(1), stride: Array(axes).fill(1), padding: Array(axes).fill(0) }, from: t.id } : { rf: null, why: 'the input has no spatial axes' });
    }
  });
  return fields;
}

/**
 * Receptive field of every tensor of `model` w.r.t. its input (one entry per spatial axis: the
 * axes between batch and channels), computed forward in graph order. Windows (conv, pooling,
 * padding, cropping) grow it: size + (K − 1)·jump, jump·stride, padding + pad·jump, with K the
 * dilated kernel and pad the padding before the first element ('same' as TensorFlow pads for
 * these sizes). Where paths merge (Add, Concatenate), fields with equal jumps combine into their
 * union (the largest when their centres agree, as google-research's receptive_field takes the
 * largest of aligned paths); centres that differ are marked `notAlignedAt`; jumps that differ,
 * several model inputs, and layers that mix all positions (Flatten, recurrence) give null.
 * `seeds` are the fields of a nested model's inputs.
 */
export function receptiveFields(model: ModelGraph, seeds?: Field[], depth = 0, ordered?: CallNode[]): Map<number, Field> {
  const fields = inputFields(model, seeds);
  if (depth > MAX_DEPTH) return fields;
  for (const call of ordered ?? orderOf(model)) {
    const f = callField(call, fields, depth);
    for (const t of call.outputs) fields.set(t.id, f);
  }
  return fields;
}

/** The field of a call's outputs, from its inputs' `fields`. */
function callField(call: CallNode, fields: Map<number, Field>, depth: number): Field {
  const layer = call.layer;
  // The inputs' fields (tensors from outside the model have none): one, or all of them.
  let first: Field | undefined;
  let inFields: Field[] | undefined;
  if (call.inputs.length === 1) first = fields.get(call.inputs[0].id);
  else {
    inFields = [];
    for (const t of call.inputs) {
      const f = fields.get(t.id);
      if (f) inFields.push(f);
    }
    first = inFields[0];
  }
  if (!first) return { rf: null, why: `${layer.name} reads no tensor of the model` };
  if (layer.nested) {
    if (inFields && inFields.length !== call.inputs.length) return { rf: null, why: `${layer.name} reads a tensor from outside the model` };
    const inner = receptiveFields(layer.nested, inFields ?? [first], depth + 1);
    return inner.get(layer.nested.outputs[0]?.id ?? -1) ?? { rf: null, why: `the output of ${layer.name} is not known` };
  }
  if (inFields) {
    for (const f of inFields) if (f.rf === null) return f;
  } else if (first.rf === null) return first;
  const rule = layer.custom ? undefined : getRule(layer.className);
  // A layer that keeps positions, on known shapes: its input's field (what the steps below give, without their arrays).
  if (rule?.spatial === POINTWISE && !inFields && call.outputs.length === 1) {
    const out = call.outputs[0].shape;
    if (isKnown(call.inputs[0].shape) && isKnown(out)) return first.rf && first.rf.size.length === out.length - 2 ? first : { rf: null, why: `${layer.name} changes the spatial axes` };
  }
  // Shapes of the inputs that have fields only.
  const ins = knownShapes(inFields && inFields.length !== call.inputs.length ? call.inputs.filter((t) => fields.has(t.id)) : call.inputs);
  const outs = knownShapes(call.outputs);
  if (!rule?.spatial || !ins || !outs) return { rf: null, why: !ins || !outs ? `a shape of ${layer.name} is not known` : `Shape Lens does not know how ${layer.className} maps positions` };
  let map: SpatialMap;
  try {
    map = rule.spatial(ins, outs, readerOf(layer.config));
  } catch {
    map = null;
  }
  if (map === null) {
    const open = [...ins, ...outs].some((x) => x.slice(1).some((d) => d === null));
    return { rf: null, why: open ? `the receptive field of ${layer.name} depends on a size that is None` : `${layer.className} mixes positions a receptive field does not describe` };
  }
  const axes = outs[0].length - 2;
  if (map === 'pointwise') return first.rf && first.rf.size.length === axes ? first : { rf: null, why: `${layer.name} changes the spatial axes` };
  if (map === 'merge') return mergeFields(inFields ?? [first], layer.name, axes);
  const rf = first.rf as ReceptiveField;
  if (rf.size.length !== map.kernel.length || axes !== rf.size.length) return { rf: null, why: `${layer.name} changes the spatial axes` };
  // Copies of the input's arrays (their final length; one pushed onto [] gets room for 17), overwritten below.
  const next: ReceptiveField = { size: rf.size.slice(), stride: rf.stride.slice(), padding: rf.padding.slice() };
  for (let i = 0; i < axes; i++) {
    const j = rf.stride[i];
    const size = rf.size[i] + (map.kernel[i] - 1) * j;
    const stride = j * map.stride[i];
    const padding = rf.padding[i] + map.padBefore[i] * j;
    if (!Number.isSafeInteger(size) || !Number.isSafeInteger(stride) || !Number.isSafeInteger(padding)) return { rf: null, why: `the receptive field of ${layer.name} is too large to give exactly` };
    next.size[i] = size;
    next.stride[i] = stride;
    next.padding[i] = padding;
  }
  if (rf.notAlignedAt) next.notAlignedAt = rf.notAlignedAt;
  return { rf: next, from: first.from };
}

/** Fields of paths that meet at `name`: their union when jumps agree (see `receptiveFields`). */
function mergeFields(fs: Field[], name: string, axes: number): Field {
  const rfs = fs.map((f) => f.rf as ReceptiveField);
  for (const r of rfs) if (r.size.length !== axes) return { rf: null, why: `${name} merges tensors with other spatial axes` };
  for (const f of fs) if (f.from !== fs[0].from) return { rf: null, why: `${name} merges paths from different model inputs` };
  // Copies of the first field's arrays (`axes` long), overwritten below.
  const out: ReceptiveField = { size: rfs[0].size.slice(), stride: rfs[0].stride.slice(), padding: rfs[0].padding.slice() };
  let aligned = true;
  for (let i = 0; i < axes; i++) {
    const jump = rfs[0].stride[i];
    for (const r of rfs) {
      if (r.stride[i] !== jump) return { rf: null, why: `the paths merged at ${name} are not aligned: their effective strides differ (${[...new Set(rfs.map((x) => x.stride[i]))].join(', ')})` };
    }
    // Each field spans [−padding, −padding + size − 1]; aligned when their centres (start + end) agree.
    let start = Infinity;
    let end = -Infinity;
    const centre = -2 * rfs[0].padding[i] + rfs[0].size[i] - 1;
    for (const r of rfs) {
      const s = -r.padding[i];
      const e = s + r.size[i] - 1;
      if (s < start) start = s;
      if (e > end) end = e;
      if (s + e !== centre) aligned = false;
    }
    out.size[i] = end - start + 1;
    out.stride[i] = jump;
    out.padding[i] = -start;
  }
  const earlier = rfs.find((r) => r.notAlignedAt)?.notAlignedAt;
  if (earlier) out.notAlignedAt = earlier;
  else if (!aligned) out.notAlignedAt = name;
  return { rf: out, from: fs[0].from };
}

// -------------------------------------------------------------------------------------------------
// The model

const cache = new WeakMap<ModelSummary, ModelCost>();

/**
 * Every measure of a summary's rows and the model's totals (cached per summary). The receptive
 * fields are worked out for the whole model the first time a row's `receptiveField` or `rfWhy` is
 * read (hovers, JSON, the rf column): totals and MACs alone (sidebar, inlay hints) do not pay for them.
 */
export function modelCost(s: ModelSummary): ModelCost {
  let c = cache.get(s);
  if (!c) {
    c = within({ readers: new Map(), orders: new Map() }, () => computeModelCost(s));
    cache.set(s, c);
  }
  return c;
}

/** The measures of one row of `s` (undefined for a row that is not `s`'s). */
export function rowCost(s: ModelSummary, row: SummaryRow): LayerCost | undefined {
  const i = s.rows.indexOf(row);
  return i < 0 ? undefined : modelCost(s).rows[i];
}

/** What one call of a row's layer gave (`more`: the layer's later calls in this model, in order). */
interface CallMeasures {
  cost: Measure<CallCost>;
  bytes: number | null;
  bytesWhy?: string;
  call: CallNode;
  more?: CallMeasures[];
}

/** The receptive fields of a model's tensors, worked out for the whole model when first asked (with the session its costs were computed in). */
class ModelFields {
  #fields: Map<number, Field> | undefined;
  constructor(
    private readonly model: ModelGraph,
    private readonly ordered: CallNode[],
    private readonly session: Session,
  ) {}

  of(t: SymbolicTensor | undefined): Field | undefined {
    this.#fields ??= within(this.session, () => receptiveFields(this.model, undefined, 0, this.ordered));
    return t ? this.#fields.get(t.id) : undefined;
  }
}

/** A row of a layer called in the model: its receptive field is read from `ModelFields` when asked. */
class RowCost implements LayerCost {
  declare why?: string;
  readonly #fields: ModelFields;
  readonly #output: SymbolicTensor | undefined;
  constructor(
    public calls: number,
    public macs: number | null,
    public flops: number | null,
    public activationBytes: number | null,
    why: string | undefined,
    fields: ModelFields,
    output: SymbolicTensor | undefined,
  ) {
    if (why) this.why = why;
    this.#fields = fields;
    this.#output = output;
  }

  get receptiveField(): ReceptiveField | null {
    return this.#fields.of(this.#output)?.rf ?? null;
  }

  get rfWhy(): string | undefined {
    const field = this.#fields.of(this.#output);
    return field?.rf ? undefined : (field?.why ?? 'its output is not a tensor of this model');
  }

  /** The row as plain data, every measure included (JSON.stringify, the language server's messages). */
  toJSON(): LayerCost {
    const rfWhy = this.rfWhy;
    return { calls: this.calls, macs: this.macs, flops: this.flops, activationBytes: this.activationBytes, receptiveField: this.receptiveField, ...(this.why ? { why: this.why } : {}), ...(rfWhy ? { rfWhy } : {}) };
  }
}

function computeModelCost(s: ModelSummary): ModelCost {
  const model = s.model;
  const ordered = model.built ? orderOf(model) : [];
  const calls = model.built ? callsIn(model, ordered) : [];
  let why: string | undefined = !model.built ? 'the model is not built' : model.incomplete;
  let totalMacs: number | null = why ? null : 0;
  let totalFlops: number | null = why ? null : 0;
  // Every tensor once: the model's inputs (their InputLayer calls) and each call's outputs.
  let bytes: number | null = why === 'the model is not built' || model.incomplete ? null : 0;
  const byLayer = new Map<LayerNode, CallMeasures>();
  const sizes = new Map<number, Measure<number>>();
  for (const c of calls) {
    const cost = callCost(c);
    totalMacs = sum(totalMacs, cost.value?.macs ?? null);
    totalFlops = sum(totalFlops, cost.value?.flops ?? null);
    if (cost.why) why ??= `${c.layer.name}: ${cost.why}`;
    let out: number | null = 0;
    let bytesWhy: string | undefined;
    for (const t of c.outputs) {
      const b = activationBytes(t);
      sizes.set(t.id, b);
      out = sum(out, b.value);
      bytesWhy ??= b.why;
    }
    if (bytesWhy) why ??= `${c.layer.name}: ${bytesWhy}`;
    bytes = sum(bytes, out);
    const entry: CallMeasures = { cost, bytes: out, bytesWhy, call: c };
    const earlier = byLayer.get(c.layer);
    if (!earlier) byLayer.set(c.layer, entry);
    else (earlier.more ??= []).push(entry);
  }
  const peak = peakActivationBytes(model, 0, ordered, (t) => sizes.get(t.id) ?? activationBytes(t));
  if (peak.value === null) why ??= peak.why;
  const fields = new ModelFields(model, ordered, session as Session);
  const notCalled = 'the layer is not called in this model';
  const rows = s.rows.map((row): LayerCost => {
    const mine = byLayer.get(row.layer);
    if (!mine) return { calls: 0, macs: null, flops: null, activationBytes: null, receptiveField: null, why: notCalled, rfWhy: notCalled };
    let macs = mine.cost.value?.macs ?? null;
    let flops = mine.cost.value?.flops ?? null;
    let act = mine.bytes;
    let rowWhy = mine.cost.why ?? (mine.bytesWhy && `its output's size is not known: ${mine.bytesWhy}`);
    if (mine.more) {
      for (const m of mine.more) {
        macs = sum(macs, m.cost.value?.macs ?? null);
        flops = sum(flops, m.cost.value?.flops ?? null);
        act = sum(act, m.bytes);
        rowWhy ??= m.cost.why ?? (m.bytesWhy && `its output's size is not known: ${m.bytesWhy}`);
      }
    }
    return new RowCost(mine.more ? mine.more.length + 1 : 1, macs, flops, act, rowWhy, fields, mine.call.outputs[0]);
  });
  return { rows, totalMacs, totalFlops, activationBytes: bytes, peakActivationBytes: peak.value, ...(why ? { why } : {}) };
}

/** `RF 7×7, stride 2` (one number per axis, joined when they differ); null → undefined. */
export function formatReceptiveField(rf: ReceptiveField | null): string | undefined {
  if (!rf) return undefined;
  const stride = rf.stride.every((x) => x === rf.stride[0]) ? String(rf.stride[0]) : rf.stride.join('×');
  return `RF ${rf.size.join('×')}, stride ${stride}${rf.notAlignedAt ? ` (paths not aligned at ${rf.notAlignedAt})` : ''}`;
}

/** A layer's cost for hovers: `MACs 86.7 M · out 392 KB · RF 7×7, stride 2` (unknown parts `?`; a shared layer says its calls). */
export function describeLayerCost(c: LayerCost): string {
  const parts = [`MACs ${formatShortCount(c.macs)}`, `out ${formatShortBytes(c.activationBytes)}`];
  const rf = formatReceptiveField(c.receptiveField);
  if (rf) parts.push(rf);
  return parts.join(' · ') + (c.calls > 1 ? ` (${c.calls} calls)` : '');
}

/** A model's cost totals for hovers: `MACs 569 M · FLOPs 1.14 G · activations 64.8 MB · peak 6.18 MB`. */
export function describeModelCost(c: ModelCost): string {
  return `MACs ${formatShortCount(c.totalMacs)} · FLOPs ${formatShortCount(c.totalFlops)} · activations ${formatShortBytes(c.activationBytes)} · peak ${formatShortBytes(c.peakActivationBytes)}`;
}

/** Columns `summary --columns` can show besides the layer and its output shape. */
export const COST_COLUMNS = ['params', 'macs', 'flops', 'memory', 'rf'] as const;
export type CostColumn = (typeof COST_COLUMNS)[number];

/**
 * A summary table with the chosen columns: params, MACs and FLOPs exact, memory (output bytes per
 * sample) and receptive field short; `?` where unknown; totals below.
 */
/** Formulas in open sizes (core/symbolic.ts) for the cells and totals the analysis has as `?`: by row index; undefined keeps `?`. */
export interface CostFormulas {
  params(row: number): string | undefined;
  macs(row: number): string | undefined;
  totalParams?: string;
  totalMacs?: string;
}

export function formatCostTable(s: ModelSummary, columns: readonly CostColumn[], formulas?: CostFormulas): string {
  const c = modelCost(s);
  const head: Record<CostColumn, string> = { params: 'Param #', macs: 'MACs', flops: 'FLOPs', memory: 'Memory', rf: 'Receptive field' };
  const cell = (col: CostColumn, i: number): string => {
    const row = s.rows[i];
    const lc = c.rows[i];
    if (col === 'params') return row.unbuilt ? '0 (unbuilt)' : row.params === null ? (formulas?.params(i) ?? '?') : formatCount(row.params);
    if (col === 'macs') return lc.macs === null ? (formulas?.macs(i) ?? '?') : formatCount(lc.macs);
    if (col === 'flops') return formatCount(lc.flops);
    if (col === 'memory') return formatShortBytes(lc.activationBytes);
    return lc.receptiveField ? `${lc.receptiveField.size.join('×')} /${lc.receptiveField.stride.join('×')}${lc.receptiveField.notAlignedAt ? ' (not aligned)' : ''}` : '-';
  };
  const table = [
    ['Layer (type)', 'Output Shape', ...columns.map((col) => head[col])],
    ...s.rows.map((r, i) => [`${r.name} (${r.className})`, formatOutputShape(r.outputShape), ...columns.map((col) => cell(col, i))]),
  ];
  const widths = table[0].map((_, k) => Math.max(...table.map((r) => r[k].length)));
  const line = (r: string[]) => r.map((x, k) => (k >= 2 && columns[k - 2] !== 'rf' ? x.padStart(widths[k]) : x.padEnd(widths[k]))).join('  ').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  const totals = [
    ...(columns.includes('params') ? [`params ${s.totalParams === null ? (formulas?.totalParams ?? '?') : formatCount(s.totalParams)}`] : []),
    ...(columns.includes('macs') ? [`MACs ${c.totalMacs === null ? (formulas?.totalMacs ?? '?') : formatCount(c.totalMacs)}`] : []),
    ...(columns.includes('flops') ? [`FLOPs ${formatCount(c.totalFlops)}`] : []),
    ...(columns.includes('memory') ? [`activations ${formatShortBytes(c.activationBytes)}`, `peak ${formatShortBytes(c.peakActivationBytes)}`] : []),
  ];
  const out = [`Model: "${s.model.name}"`, line(table[0]), rule, ...table.slice(1).map(line), rule];
  if (totals.length > 0) out.push(`Total: ${totals.join(' · ')} (per sample)`);
  if (c.why && totals.length > 0 && !formulas?.totalMacs) out.push(`? ${c.why}`);
  return out.join('\n');
}
