// The abstract interpreters' value domain, shared by the Python and JS/TS front ends: plain data
// the code computes, references into the Keras / tfjs API, layers, tensors, models, and Unknown.

import { UNKNOWN, type ConfigValue, type LayerConfig } from '../../core/config';
import type { LayerNode, ModelGraph, SymbolicTensor } from '../../core/graph';
import type { SequentialModel } from '../../core/builder';
import type { Shape } from '../../core/shape';
import { add, constant, divide, mul, sub, type Formula } from '../../core/formula';

export type Value =
  | { k: 'num'; v: number; int: boolean }
  | { k: 'str'; v: string }
  | { k: 'bool'; v: boolean }
  | { k: 'none' }
  | { k: 'tuple'; items: Value[] }
  | { k: 'list'; items: Value[] }
  /** Keys are stored by their printed form (`'a'` → `a`, `1` → `#1`); `keys` keeps the originals. */
  | { k: 'dict'; map: Map<string, Value>; keys: Map<string, Value> }
  /** A user-defined function or lambda; `def` is the front end's own syntax node + closure. */
  | { k: 'func'; name: string; def: unknown }
  /** A function implemented by the interpreter (`len`, `range`, `concatenate`). */
  | { k: 'builtin'; name: string; call: BuiltinFn }
  /** `obj.method` bound to its receiver. */
  | { k: 'bound'; self: Value; fn: Value }
  /** A user class; `def` is front-end specific. */
  | { k: 'class'; name: string; def: unknown; bases: Value[] }
  /** An instance of a user class (a subclassed model or layer, a config object). */
  | { k: 'object'; cls: Value & { k: 'class' }; attrs: Map<string, Value>; id: number }
  /** A module of the project (its namespace after running it). */
  | { k: 'module'; name: string; attrs: Map<string, Value> }
  /** A reference into the Keras / TensorFlow API by dotted path (`keras.layers.Conv2D`). */
  | { k: 'api'; path: string }
  | { k: 'layer'; node: LayerNode }
  | { k: 'tensor'; t: SymbolicTensor }
  | { k: 'model'; model: ModelGraph; seq?: SequentialModel }
  /**
   * `why` may be `call:Label` for an unknown callable's result (labels opaque layers); `range` where
   * it came from. `formula`: a size the code leaves open by name (a builder's parameter without
   * default, an argparse value without default: `latent_size`) or integer arithmetic on such sizes
   * (`latent_size * 2`); `ratio`: a true division `num / d` of one, which only `Math.floor` /
   * `Math.ceil` / `math.floor` / `math.ceil` turn back into a formula.
   */
  | { k: 'unknown'; why?: string; range?: { start: number; end: number; file?: string }; formula?: Formula; ratio?: { num: Formula; d: number } };

export interface CallArgs {
  positional: Value[];
  keywords: Map<string, Value>;
  /**
   * More may be passed than is listed: a `*args` / `**kwargs` of unknown content at the call
   * ('splat'), or a builder analysed with its defaults because nothing calls it ('uncalled'). Its
   * `*args` / `**kwargs` parameters are then unknown, and after a splat so are the parameters left
   * to their defaults (the splat may hold them).
   */
  rest?: 'splat' | 'uncalled';
}

/** `range` is the call's source range (offsets). */
export type BuiltinFn = (args: CallArgs, range: { start: number; end: number; file?: string }) => Value;

export const NONE: Value = { k: 'none' };
export const TRUE: Value = { k: 'bool', v: true };
export const FALSE: Value = { k: 'bool', v: false };

export function unknown(why?: string, range?: { start: number; end: number; file?: string }): Value {
  return range ? { k: 'unknown', why, range } : { k: 'unknown', why };
}
/** An open size: unknown to the analysis, with the formula that names it. */
export function openSize(formula: Formula, why?: string): Value {
  return { k: 'unknown', why, formula };
}

/** The formula of an integer or an open size; null for anything else. */
export function formulaOf(v: Value): Formula | null {
  if (v.k === 'num') return v.int && Number.isSafeInteger(v.v) ? constant(v.v) : null;
  return v.k === 'unknown' ? v.formula ?? null : null;
}

/**
 * Integer arithmetic with an open size (`latent_size * 2`, `img_size // 4`, `(n + 1) * 64`): an
 * open size with the result's formula. `/` keeps `num / d` for a later floor or ceiling (a positive
 * integer `d`); a plain unknown for a non-integer operand or a formula grown too large. undefined
 * when neither side is an open size, for another operator, or an operand that is no number (the
 * caller's own rules apply: `'%d' % size`, `[64] * depth`).
 */
export function sizeArithmetic(op: string, l: Value, r: Value): Value | undefined {
  if (!(l.k === 'unknown' && l.formula) && !(r.k === 'unknown' && r.formula)) return undefined;
  if (op !== '+' && op !== '-' && op !== '*' && op !== '/' && op !== '//') return undefined;
  const a = formulaOf(l);
  const b = formulaOf(r);
  if (!a || !b) return l.k === 'num' || r.k === 'num' ? unknown() : undefined;
  let f: Formula | null = null;
  if (op === '+') f = add(a, b);
  else if (op === '-') f = sub(a, b);
  else if (op === '*') f = mul(a, b);
  else if (op === '//' || op === '/') {
    const d = r.k === 'num' ? r.v : null;
    if (d === null || !Number.isSafeInteger(d) || d <= 0) return unknown();
    if (op === '/') return { k: 'unknown', ratio: { num: a, d } };
    f = divide(a, d, 'floor');
  }
  return f && f.key.length <= MAX_FORMULA ? openSize(f) : unknown();
}

/** Longest formula (its canonical text) arithmetic keeps: `n = n * n` in a loop stops growing there. */
const MAX_FORMULA = 240;

/** `floor(x)` / `ceil(x)` of an open size or of a `ratio` (`Math.floor(size / 4)`); undefined for anything else. */
export function roundedSize(v: Value, kind: 'floor' | 'ceil'): Value | undefined {
  if (v.k !== 'unknown') return undefined;
  if (v.formula) return v;
  if (!v.ratio) return undefined;
  const f = divide(v.ratio.num, v.ratio.d, kind);
  return f && f.key.length <= MAX_FORMULA ? openSize(f) : unknown();
}

export function num(v: number, int = Number.isInteger(v)): Value {
  return { k: 'num', v, int };
}
export function str(v: string): Value {
  return { k: 'str', v };
}
export function bool(v: boolean): Value {
  return v ? TRUE : FALSE;
}
export function tuple(items: Value[]): Value {
  return { k: 'tuple', items };
}
export function list(items: Value[]): Value {
  return { k: 'list', items };
}

export function isUnknown(v: Value): v is Value & { k: 'unknown' } {
  return v.k === 'unknown';
}

/** Items of a tuple or list, or null. */
export function sequenceItems(v: Value): Value[] | null {
  return v.k === 'tuple' || v.k === 'list' ? v.items : null;
}

/** Python truthiness; null when it cannot be known. */
export function truthy(v: Value): boolean | null {
  switch (v.k) {
    case 'num':
      return v.v !== 0;
    case 'str':
      return v.v.length > 0;
    case 'bool':
      return v.v;
    case 'none':
      return false;
    case 'tuple':
    case 'list':
      return v.items.length > 0;
    case 'dict':
      return v.map.size > 0;
    case 'unknown':
      return null;
    case 'api':
      // A Keras / TF function or module is truthy; a name from a module Shape Lens cannot read is a value it does not know.
      return API_ROOTS.has(v.path.split('.')[0]) ? true : null;
    default:
      return true;
  }
}

/** Key under which a dict stores `v`, or null for unhashable / unknown keys. */
export function dictKey(v: Value): string | null {
  switch (v.k) {
    case 'str':
      return v.v;
    case 'num':
      return `#${v.v}`;
    case 'bool':
      return `#${v.v ? 1 : 0}`;
    case 'none':
      return '#None';
    case 'tuple': {
      const parts = v.items.map(dictKey);
      return parts.some((p) => p === null) ? null : `(${parts.join(',')})`;
    }
    default:
      return null;
  }
}

export function makeDict(entries: [Value, Value][]): Value & { k: 'dict' } {
  const d: Value & { k: 'dict' } = { k: 'dict', map: new Map(), keys: new Map() };
  for (const [k, v] of entries) {
    const key = dictKey(k);
    if (key !== null) {
      d.map.set(key, v);
      d.keys.set(key, k);
    }
  }
  return d;
}

/** Structural equality for plain data; null when it cannot be known. */
export function valuesEqual(a: Value, b: Value): boolean | null {
  if (a.k === 'unknown' || b.k === 'unknown') return null;
  if (a.k === 'num' && b.k === 'num') return a.v === b.v;
  if ((a.k === 'bool' || a.k === 'num') && (b.k === 'bool' || b.k === 'num')) return Number((a as { v: number | boolean }).v) === Number((b as { v: number | boolean }).v);
  if (a.k === 'str' && b.k === 'str') return a.v === b.v;
  if (a.k === 'none' || b.k === 'none') return a.k === b.k;
  if ((a.k === 'tuple' && b.k === 'tuple') || (a.k === 'list' && b.k === 'list')) {
    if (a.items.length !== b.items.length) return false;
    let result: boolean | null = true;
    for (let i = 0; i < a.items.length; i++) {
      const e = valuesEqual(a.items[i], b.items[i]);
      if (e === false) return false;
      if (e === null) result = null;
    }
    return result;
  }
  if (a.k === 'api' && b.k === 'api') return a.path === b.path;
  if (a.k === 'layer' && b.k === 'layer') return a.node === b.node;
  if (a.k === 'model' && b.k === 'model') return a.model === b.model;
  if (a.k === 'tensor' && b.k === 'tensor') return a.t === b.t;
  if (a.k === 'object' && b.k === 'object') return a === b;
  if (a.k !== b.k) return a.k === 'tensor' || b.k === 'tensor' ? null : false;
  return null;
}

/** Python's `str()` / f-string rendering for values that have one; null otherwise. */
export function pyStr(v: Value): string | null {
  switch (v.k) {
    case 'str':
      return v.v;
    case 'num':
      return v.int ? String(v.v) : pyFloat(v.v);
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple': {
      const parts = v.items.map(pyRepr);
      if (parts.some((p) => p === null)) return null;
      return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
    }
    case 'list': {
      const parts = v.items.map(pyRepr);
      return parts.some((p) => p === null) ? null : `[${parts.join(', ')}]`;
    }
    default:
      return null;
  }
}

export function pyRepr(v: Value): string | null {
  if (v.k === 'str') return `'${v.v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return pyStr(v);
}

function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x)) return `${x}.0`;
  return String(x);
}

/** A shape as the tuple Python code sees (`x.shape`): None for Keras' None, Unknown for `?`. */
export function shapeValue(shape: Shape): Value {
  return tuple(shape.map((d) => (d === null ? NONE : typeof d === 'number' ? num(d, true) : unknown('size'))));
}

/** What an Unknown stands for, in words for a hover: "the result of `load_data()`". */
export function describeUnknown(v: Value & { k: 'unknown' }): string {
  const why = v.why ?? '';
  if (why.startsWith('call:')) return `the result of \`${why.slice(5)}(...)\``;
  if (why.startsWith('argument ')) return `the argument \`${why.slice(9)}\``;
  if (why.startsWith('name ')) return `\`${why.slice(5)}\``;
  if (why === 'loop budget') return 'a value changed in a loop Shape Lens stopped following';
  if (why === 'size') return 'a size';
  return why ? `a value (${why})` : 'a value';
}

/** Roots of API references whose names are settings Keras understands (`tf.nn.relu`, `np.float32`). */
const API_ROOTS = new Set(['tensorflow', 'keras', 'tf_keras', 'tf', 'numpy', 'np']);

/**
 * Converts an interpreter value to a layer config value: data stays data, layers become nested
 * layer specs (for wrappers), callables become their name, anything unknown becomes UNKNOWN.
 */
export function toConfigValue(v: Value, depth = 0): ConfigValue {
  if (depth > 16) return UNKNOWN;
  switch (v.k) {
    case 'num':
      return v.v;
    case 'str':
      return v.v;
    case 'bool':
      return v.v;
    case 'none':
      return null;
    case 'tuple':
    case 'list':
      return v.items.map((x) => toConfigValue(x, depth + 1));
    case 'dict': {
      const o: Record<string, ConfigValue> = {};
      for (const [key, val] of v.map) o[key] = toConfigValue(val, depth + 1);
      return o;
    }
    case 'layer':
      return { kind: 'layerSpec', className: v.node.className, config: v.node.config };
    case 'api': {
      // `tf.nn.relu` → 'relu'; a name from a module Shape Lens could not read is not a setting it knows.
      const parts = v.path.split('.');
      return API_ROOTS.has(parts[0]) ? parts[parts.length - 1] : UNKNOWN;
    }
    case 'func':
    case 'builtin':
      return `<function ${v.name}>`;
    default:
      return UNKNOWN;
  }
}

/** Builds a canonical config from keyword values (keys already canonical snake_case). */
export function configFrom(entries: Iterable<[string, Value]>): LayerConfig {
  const config: LayerConfig = {};
  for (const [key, value] of entries) config[key] = toConfigValue(value);
  return config;
}

/** What a layer's arguments give as open sizes (`Dense(latent_size)`, `input_shape=(img_size, img_size, 3)`). */
export interface LayerSizes {
  /** Top-level settings that are open sizes: formula by config key (`LayerNode.settingFormulas`). */
  settings?: Record<string, Formula>;
  /** The formulas of the batch input shape the layer declares (`input_shape`, `batch_input_shape`, `input_dim`), batch dim first. */
  inputDims?: (Formula | undefined)[];
}

/** The open sizes among a layer's settings (keys already canonical snake_case); undefined when none. */
export function layerSizes(entries: Iterable<[string, Value]>): LayerSizes | undefined {
  let settings: Record<string, Formula> | undefined;
  let inputDims: (Formula | undefined)[] | undefined;
  let embedding = false;
  let inputDim: Formula | undefined;
  for (const [key, v] of entries) {
    if (key === 'output_dim') embedding = true;
    if (key === 'input_shape' || key === 'batch_input_shape' || key === 'batch_shape') {
      // A shape, not a size (a parameter named by itself may hold a whole tuple): only its items count.
      const dims = dimFormulas(v);
      if (dims) inputDims = key === 'input_shape' ? [undefined, ...dims] : dims;
    } else if (v.k === 'unknown' && v.formula) {
      (settings ??= {})[key] = v.formula;
      if (key === 'input_dim') inputDim = v.formula;
    }
  }
  // Embedding's `input_dim` is its vocabulary size, not an input shape.
  if (!inputDims && inputDim && !embedding) inputDims = [undefined, inputDim];
  return settings || inputDims ? { settings, inputDims } : undefined;
}

/** The formulas of a shape's open-size dims (`(img_size, img_size, 3)`), one entry per dim; undefined when it has none. */
export function dimFormulas(shape: Value | undefined): (Formula | undefined)[] | undefined {
  const items = shape && sequenceItems(shape);
  if (!items || !items.some((d) => d.k === 'unknown' && d.formula)) return undefined;
  return items.map((d) => (d.k === 'unknown' ? d.formula : undefined));
}
