// What Keras does around a custom layer's code: `add_weight` / `keras.Variable` weights,
// `build(input_shape)` before the first call, `compute_output_shape`, the tensors of a call with
// several inputs, initializers, Lambda layers whose function is followed on the input shapes, and
// subclasses of built-in layers.

import { DiagnosticCode, type SourceRange } from '../../core/diagnostics';
import type { LayerNode, SymbolicTensor } from '../../core/graph';
import type { ParamCount } from '../../core/layers/types';
import { UNKNOWN_DIM, type Shape } from '../../core/shape';
import { describeUnknown, list, makeDict, NONE, num, sequenceItems, tuple, unknown, type CallArgs, type Value } from '../common/values';
import { field, namedChildren, type PyNode } from './ast';
import { apiName, layerConfig } from './keras-api';
import { shapeFromValue } from '../common/keras-runtime';
import type { ClassDef, FuncDef } from './modules';
import type { PythonInterpreter } from './interpreter';

/** Weights an object made itself; `unknown` (why) makes its counts unknown. */
export interface OwnWeights {
  trainable: number;
  nonTrainable: number;
  unknown?: string;
}

/** A variable made by `keras.Variable(...)` / `tf.Variable(...)`: counted by the Keras object whose attribute it becomes. */
interface VariableInfo {
  size: number | null;
  trainable: boolean | null;
  why?: string;
  /** Keras 3 tracks `keras.Variable` only: a raw `tf.Variable` is not one of a layer's weights. */
  tracked: boolean;
}

const variables = new WeakMap<SymbolicTensor, VariableInfo>();
/** Variables already counted by each object. */
const counted = new WeakMap<object, Set<SymbolicTensor>>();

function weightsOf(ip: PythonInterpreter, obj: Value & { k: 'object' }): OwnWeights | undefined {
  const st = ip.kerasState.get(obj);
  if (!st) return undefined;
  st.weights ??= { trainable: 0, nonTrainable: 0 };
  return st.weights;
}

/** The graph's count of an object's own weights. */
export function ownParams(w: OwnWeights | undefined): ParamCount | undefined {
  if (!w) return undefined;
  return w.unknown ? { trainable: null, nonTrainable: null } : { trainable: w.trainable, nonTrainable: w.nonTrainable };
}

function addWeights(w: OwnWeights, size: number | null, trainable: boolean | null, why: string): void {
  if (size === null || trainable === null) {
    w.unknown ??= why;
    return;
  }
  if (trainable) w.trainable += size;
  else w.nonTrainable += size;
  if (!Number.isSafeInteger(w.trainable + w.nonTrainable)) w.unknown ??= 'its weights are too large to count exactly';
}

/** The number of elements of a weight shape (a tuple of ints), or why it is not known. */
function shapeSize(v: Value | undefined): { size: number | null; why?: string; shape: Shape | null } {
  if (!v || v.k === 'none') return { size: 1, shape: [] };
  const items = sequenceItems(v);
  if (!items) return { size: null, why: v.k === 'unknown' ? 'its shape is not known to Shape Lens' : 'its shape is not a tuple Shape Lens could follow', shape: null };
  let size = 1;
  const shape: Shape = [];
  for (const d of items) {
    if (d.k === 'num' && Number.isInteger(d.v) && d.v >= 0) {
      size *= d.v;
      shape.push(d.v);
    } else return { size: null, why: d.k === 'unknown' ? 'a dimension of its shape is not known to Shape Lens' : 'a dimension of its shape is not a size', shape: null };
  }
  return { size: Number.isSafeInteger(size) ? size : null, why: 'its size is too large to count exactly', shape };
}

function bool3(v: Value | undefined, dflt: boolean): boolean | null {
  if (!v || v.k === 'none') return dflt;
  return v.k === 'bool' ? v.v : null;
}

function weightTensor(ip: PythonInterpreter, shape: Shape | null): Value {
  return { k: 'tensor', t: ip.rt.builder.looseTensor(shape) };
}

/**
 * Methods of a Keras subclass instance Shape Lens models: `self.add_weight(...)` /
 * `self.add_variable(...)` count a weight (Keras 3: `shape` first, default `()`; a string first is
 * tf.keras 2's `name`). Undefined for other methods.
 */
export function kerasObjectMethod(ip: PythonInterpreter, self: Value & { k: 'object' }, name: string, args: CallArgs): Value | undefined {
  if (name !== 'add_weight' && name !== 'add_variable') return undefined;
  const w = weightsOf(ip, self);
  if (!w) return undefined;
  const legacyName = args.positional[0]?.k === 'str';
  const shapeV = args.keywords.get('shape') ?? (legacyName ? args.positional[1] : args.positional[0]);
  const { size, why, shape } = shapeSize(shapeV);
  const trainable = bool3(args.keywords.get('trainable'), true);
  const what = `${self.cls.name}.${name}(...)`;
  addWeights(w, size, trainable, size === null ? `${what}: ${why}` : `${what}: whether it is trainable is not known`);
  if (args.rest === 'splat' && !args.keywords.has('shape')) w.unknown ??= `${what}: its arguments are not known`;
  return weightTensor(ip, shape);
}

/**
 * API calls of custom-layer code the Keras API model does not cover: `tf.Variable(...)` /
 * `keras.Variable(...)`, and initializers (`tf.random_uniform_initializer()`,
 * `keras.initializers.GlorotUniform()`), whose call gives a tensor of the asked shape.
 */
export function customLayerApi(ip: PythonInterpreter, path: string, args: CallArgs): Value | undefined {
  const { last } = apiName(path);
  if (last === 'Variable') return variable(ip, path, args);
  if (isInitializer(path)) {
    return {
      k: 'builtin',
      name: last,
      call: (a) => {
        const s = shapeSize(a.keywords.get('shape') ?? a.positional[0]);
        return weightTensor(ip, s.shape);
      },
    };
  }
  return undefined;
}

const initializers = new Map<string, boolean>();

/** `keras.initializers.GlorotUniform`, `tf.random_uniform_initializer` (memoised: asked on every API call). */
function isInitializer(path: string): boolean {
  let is = initializers.get(path);
  if (is === undefined) {
    const { tail, last } = apiName(path);
    is = /(^|\.)initializers\.[A-Z]\w*$/.test(tail) || /^[a-z_]+_initializer$/.test(last);
    if (initializers.size < 50000) initializers.set(path, is);
  }
  return is;
}

function variable(ip: PythonInterpreter, path: string, args: CallArgs): Value {
  const tracked = !(path.startsWith('tensorflow.') && !path.startsWith('tensorflow.keras.'));
  const init = args.keywords.get(tracked ? 'initializer' : 'initial_value') ?? args.keywords.get('initial_value') ?? args.positional[0];
  const shapeKw = args.keywords.get('shape');
  let size: number | null;
  let why: string | undefined;
  let shape: Shape | null;
  if (tracked && shapeKw) ({ size, why, shape } = shapeSize(shapeKw));
  else ({ size, why, shape } = valueShape(init));
  const trainable = bool3(args.keywords.get('trainable') ?? (tracked ? undefined : args.positional[1]), true);
  const t = ip.rt.builder.looseTensor(shape);
  variables.set(t, { size, trainable, why: size === null ? `a Variable's ${why ?? 'shape is not known'}` : 'whether a Variable is trainable is not known', tracked });
  return { k: 'tensor', t };
}

/** The shape of an initial value: a tensor, a number, a (nested) list literal. */
function valueShape(v: Value | undefined): { size: number | null; why?: string; shape: Shape | null } {
  if (!v) return { size: null, why: 'initial value is missing', shape: null };
  if (v.k === 'num' || v.k === 'bool') return { size: 1, shape: [] };
  if (v.k === 'tensor') {
    const s = v.t.shape;
    if (!s || s.some((d) => typeof d !== 'number')) return { size: null, why: 'initial value has a shape Shape Lens does not know', shape: s };
    return shapeSize(tuple(s.map((d) => num(d as number))));
  }
  const items = sequenceItems(v);
  if (items) {
    const dims: number[] = [];
    let level: Value[] | null = items;
    for (let depth = 0; level && depth < 16; depth++) {
      dims.push(level.length);
      const first: Value | undefined = level[0];
      const sub: Value[] | null = first ? sequenceItems(first) : null;
      if (sub && level.some((x) => sequenceItems(x)?.length !== sub.length)) return { size: null, why: 'initial value is not a regular array', shape: null };
      if (!sub && level.some((x) => x.k !== 'num' && x.k !== 'bool')) return { size: null, why: 'initial value holds values Shape Lens does not know', shape: null };
      level = sub;
    }
    return shapeSize(tuple(dims.map((d) => num(d))));
  }
  return { size: null, why: v.k === 'unknown' ? `initial value is ${describeUnknown(v)}` : 'initial value has a shape Shape Lens does not know', shape: null };
}

/** A Variable assigned to an attribute of a Keras object: Keras 3 counts a `keras.Variable` among its weights (not a raw `tf.Variable`). */
export function trackVariable(ip: PythonInterpreter, obj: Value & { k: 'object' }, v: Value): void {
  if (v.k !== 'tensor') return;
  const info = variables.get(v.t);
  if (!info) return;
  const seen = counted.get(obj) ?? new Set<SymbolicTensor>();
  counted.set(obj, seen);
  if (seen.has(v.t)) return;
  seen.add(v.t);
  const w = weightsOf(ip, obj);
  if (!w) return;
  if (!info.tracked && !ip.rt.builder.keras2) {
    // Keras 3 tracks its own Variables only; tf.keras 2 counts a tf.Variable attribute too.
    const size = info.size === null ? 'an unknown number of' : `${info.size.toLocaleString('en-US')}`;
    w.unknown ??= `${obj.cls.name} keeps a tf.Variable (${size} weights): tf.keras 2 counts it, Keras 3 does not (use self.add_weight)`;
    return;
  }
  addWeights(w, info.size, info.trainable, `${obj.cls.name}: ${info.why ?? 'a Variable is not known'}`);
}

/** A weight made in a loop Shape Lens cannot run or a branch it cannot decide (`self.add_weight` in its body): the object's own weights are unknown. */
export function loseWeightsInLoop(ip: PythonInterpreter, call: PyNode, self: Value | undefined, why: string): void {
  const fn = field(call, 'function');
  if (!fn || self?.k !== 'object') return;
  const text = ip.text(fn);
  if (!/(^|\.)(add_weight|add_variable|Variable)$/.test(text)) return;
  const w = weightsOf(ip, self);
  if (w) w.unknown ??= `${self.cls.name} makes weights in code Shape Lens cannot follow (${why})`;
}

// ---------------------------------------------------------------------------------------------
// Calls: the tensors passed, build, compute_output_shape

/** The tensors of a call, in order (positional arguments, then keywords other than `training`); nested lists, tuples and dicts included. */
export function callTensors(ip: PythonInterpreter, args: CallArgs): SymbolicTensor[] {
  const out: SymbolicTensor[] = [];
  const walk = (v: Value, depth: number): void => {
    if (v.k === 'tensor') out.push(v.t);
    else if (depth < 8) for (const x of sequenceItems(v) ?? (v.k === 'dict' ? [...v.map.values()] : [])) walk(x, depth + 1);
  };
  for (const v of args.positional) walk(v, 0);
  for (const [k, v] of args.keywords) if (k !== 'training') walk(v, 0);
  return out;
}

/** The call's arguments with each tensor replaced by `fresh(t)` (same structure), in the order `callTensors` lists them. */
export function replaceTensors(args: CallArgs, fresh: (t: SymbolicTensor) => Value): CallArgs {
  const map = (v: Value, depth: number): Value => {
    if (v.k === 'tensor') return fresh(v.t);
    if (depth >= 8) return v;
    if (v.k === 'list' || v.k === 'tuple') return { k: v.k, items: v.items.map((x) => map(x, depth + 1)) };
    if (v.k === 'dict') return { k: 'dict', map: new Map([...v.map].map(([k, x]) => [k, map(x, depth + 1)])), keys: v.keys };
    return v;
  };
  const positional = args.positional.map((v) => map(v, 0));
  const keywords = new Map([...args.keywords].map(([k, v]) => [k, k === 'training' ? v : map(v, 0)]));
  return { positional, keywords, rest: args.rest };
}

/** A shape as Keras passes it to `build` / `compute_output_shape`: a tuple of ints and None (an unknown dim is unknown). */
export function shapeArg(shape: Shape | null): Value {
  if (!shape) return unknown('an input shape Shape Lens does not know');
  return tuple(shape.map((d) => (d === null ? NONE : typeof d === 'number' ? num(d, true) : unknown('a dimension Shape Lens does not know'))));
}

/** The shapes of a call argument, in its structure (a list of tensors gives a list of shapes). */
function shapesOf(v: Value, depth = 0): Value {
  if (v.k === 'tensor') return shapeArg(v.t.shape);
  if (depth < 8 && (v.k === 'list' || v.k === 'tuple')) return { k: v.k, items: v.items.map((x) => shapesOf(x, depth + 1)) };
  if (depth < 8 && v.k === 'dict') return makeDict([...v.keys].map(([k, key]) => [key, shapesOf(v.map.get(k)!, depth + 1)]));
  return NONE;
}

/** Parameter names of a user function, `self` excluded. */
function paramNames(ip: PythonInterpreter, fn: Value & { k: 'func' }): string[] {
  const params = field((fn.def as FuncDef).node, 'parameters');
  const names: string[] = [];
  for (const p of params ? namedChildren(params) : []) {
    const n = p.type === 'identifier' ? p : p.type === 'typed_parameter' ? namedChildren(p)[0] : field(p, 'name');
    if (n?.type === 'identifier') names.push(ip.file.text.slice(n.start, n.end));
  }
  return names.slice(1);
}

/**
 * Arguments for `build` / `compute_output_shape` as Keras aligns them: one parameter takes the
 * shape of the call's first argument; several take `<arg>_shape` for each call argument `<arg>`.
 */
export function shapeArgs(ip: PythonInterpreter, target: Value & { k: 'func' }, callFn: Value | undefined, args: CallArgs): CallArgs {
  const names = paramNames(ip, target);
  const first = args.positional[0] ?? [...args.keywords.values()][0];
  if (names.length <= 1) return { positional: [first ? shapesOf(first) : NONE], keywords: new Map() };
  const callNames = callFn?.k === 'func' ? paramNames(ip, callFn) : [];
  const keywords = new Map<string, Value>();
  callNames.forEach((n, i) => {
    const v = i < args.positional.length ? args.positional[i] : args.keywords.get(n);
    if (v && names.includes(`${n}_shape`)) keywords.set(`${n}_shape`, shapesOf(v));
  });
  return { positional: [], keywords };
}

/** True if the function's body raises unconditionally (a `raise` among its top-level statements): Keras fails there. */
export function alwaysRaises(fn: Value & { k: 'func' }): boolean {
  const body = field((fn.def as FuncDef).node, 'body');
  return !!body && namedChildren(body).some((n) => n.type === 'raise_statement');
}

/** The user-written method `name` of a class (its own or a user base class's). */
export function userMethod(cls: Value & { k: 'class' }, name: string): (Value & { k: 'func' }) | undefined {
  const v = (cls.def as ClassDef).attrs.get(name);
  return v?.k === 'func' ? v : undefined;
}

/** Output shapes from a `compute_output_shape` result: a shape tuple, or a list/tuple of them; null if not known. */
export function shapesFromResult(v: Value): (Shape | null)[] | null {
  const items = sequenceItems(v);
  if (!items) return null;
  if (items.length > 0 && items.every((x) => sequenceItems(x) !== null)) return items.map((x) => dimsOf(x));
  return [dimsOf(v)];
}

function dimsOf(v: Value): Shape | null {
  const items = sequenceItems(v);
  if (!items) return null;
  return items.map((d) => (d.k === 'num' && Number.isInteger(d.v) && d.v >= 0 ? d.v : d.k === 'none' ? null : UNKNOWN_DIM));
}

// ---------------------------------------------------------------------------------------------
// Lambda

/**
 * A `Lambda(...)` layer just created: unless its `output_shape` is a tuple (the rule reads it), its
 * output comes from its code as Keras 3 computes it — a function `output_shape(input_shape)`, else
 * the function itself run on tensors of the input shapes (Keras runs it symbolically), in
 * functional calls and Sequential models alike. `callFn` calls an interpreter value.
 */
export function rememberLambda(ip: PythonInterpreter, layer: Value, args: CallArgs, callFn: (fn: Value, a: CallArgs) => Value): void {
  if (layer.k !== 'layer' || layer.node.className !== 'Lambda') return;
  const node = layer.node;
  const fn = args.keywords.get('function') ?? args.positional[0];
  const declared = args.keywords.get('output_shape') ?? args.positional[1];
  const extra = args.keywords.get('arguments') ?? args.positional[3];
  if (!fn || (declared && declared.k !== 'none' && declared.k !== 'func' && declared.k !== 'bound' && declared.k !== 'builtin')) return;
  let warned = false;
  node.custom = {
    output(shapes) {
      const inputs = shapes.map((s): Value => ({ k: 'tensor', t: ip.rt.builder.looseTensor(s) }));
      const arg = inputs.length === 1 ? inputs[0] : list(inputs);
      let found: (Shape | null)[] | null;
      let why: string;
      if (declared && declared.k !== 'none') {
        found = shapesFromResult(callFn(declared, { positional: [shapesOf(arg)], keywords: new Map() }));
        why = `the output_shape function of ${node.name} gave no shape Shape Lens could follow`;
      } else {
        // Its operations run on tensors of no model (Keras traces it in a graph of its own): no names, no rows.
        const keywords = extra?.k === 'dict' ? new Map([...extra.map]) : new Map<string, Value>();
        const names = ip.rt.builder.saveNames();
        ip.rt.layerCallDepth++;
        let out: Value;
        try {
          out = callFn(fn, { positional: [arg], keywords });
        } finally {
          ip.rt.layerCallDepth--;
          ip.rt.builder.restoreNames(names);
        }
        const outs = ip.rt.tensors(out);
        found = outs ? outs.map((t) => t.shape) : null;
        why = outs?.find((t) => t.unknownWhy)?.unknownWhy ?? `Shape Lens could not follow the function of ${node.name} to ${outs ? 'a known shape' : 'a tensor'}`;
      }
      const known = !!found && found.length > 0 && found.every((x) => x !== null && !x.includes(UNKNOWN_DIM));
      if (!known && !warned) {
        warned = true;
        ip.rt.sink.warning(
          DiagnosticCode.lambdaShape,
          `The output shape of Lambda layer "${node.name}" cannot be known without running its function. Pass output_shape=(...) (without the batch dimension) to declare it.`,
          node.range,
        );
      }
      const output = !found || found.length === 0 ? null : found.length === 1 ? found[0] : found.some((x) => x === null) ? null : (found as Shape[]);
      return { output, why: known ? undefined : why };
    },
    params: () => ({ trainable: 0, nonTrainable: 0 }),
  };
}

// ---------------------------------------------------------------------------------------------
// Subclasses of built-in layers: `class MyDense(layers.Dense)`

const builtinBases = new WeakMap<object, string>();

/** Records that a user class derives directly from the built-in layer class `className`. */
export function noteBuiltinBase(def: ClassDef, className: string): void {
  builtinBases.set(def, className);
}

/** The built-in layer class a user class derives from (through user classes too), if any. */
export function builtinBaseOf(cls: Value & { k: 'class' }, depth = 0): string | undefined {
  const own = builtinBases.get(cls.def as object);
  if (own || depth > 16) return own;
  for (const b of cls.bases) if (b.k === 'class') {
    const found = builtinBaseOf(b, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Builds a built-in layer on `shape` without recording a call (its weights exist, its rows show real calls). */
export function buildBuiltin(ip: PythonInterpreter, node: LayerNode, shape: Shape | null): void {
  if (node.calls.length > 0 || node.params !== undefined) return;
  ip.rt.builder.call(node, [ip.rt.builder.looseTensor(shape)]);
  node.calls.length = 0;
  node.inputShapes = undefined;
  node.outputShape = undefined;
}

/**
 * `super().__init__(...)`, `super().build(...)`, `super().call(...)` in a subclass of a built-in
 * layer: the built-in part is a layer of the base class made from the `__init__` arguments, built
 * and called where Keras' own methods would be. Undefined when the class has no built-in base or
 * the method is not one of these.
 */
export function superBuiltin(ip: PythonInterpreter, self: Value & { k: 'object' }, method: string, args: CallArgs, range: SourceRange): Value | undefined {
  const base = builtinBaseOf(self.cls);
  const st = ip.kerasState.get(self);
  if (!base || !st) return undefined;
  if (method === '__init__') {
    const keywords = new Map([...args.keywords].filter(([k]) => k !== 'name'));
    const config = layerConfig(base, { positional: args.positional, keywords });
    const layer = ip.rt.layer(base, { ...config, name: `${self.cls.name}.${base}` }, range);
    if (layer.k === 'layer') st.base = layer.node;
    return NONE;
  }
  if (!st.base) return undefined;
  if (method === 'build') {
    const shape = args.positional[0] ? shapeFromValue(args.positional[0]) : undefined;
    if (shape !== undefined) buildBuiltin(ip, st.base, shape);
    return NONE;
  }
  if (method === 'call') {
    const input = args.positional[0] ?? [...args.keywords.values()][0];
    return input ? ip.rt.call({ k: 'layer', node: st.base }, input, range) : unknown();
  }
  return undefined;
}
