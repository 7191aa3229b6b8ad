// Python functions and classes: def / lambda / class, calls with bound parameters, subclassed Keras models and layers, builders nothing called.

import { basename } from 'node:path';
import { DiagnosticCode, type SourceRange } from '../../core/diagnostics';
import type { LayerNode, SymbolicTensor } from '../../core/graph';
import { replayModel } from '../../core/builder';
import { isShapeList, UNKNOWN_DIM } from '../../core/shape';
import type { Shape } from '../../core/shape';
import { defaultLayerName } from '../../core/naming';
import { missingArgument, type UncalledEntry } from '../common/interpreter-core';
import { list, makeDict, NONE, sequenceItems, str, tuple, unknown, valuesEqual, type CallArgs, type Value } from '../common/values';
import { field, namedChildren, type PyNode } from './ast';
import { alwaysRaises, buildBuiltin, builtinBaseOf, noteBuiltinBase, superBuiltin, callTensors, ownParams, replaceTensors, shapeArgs, shapesFromResult, trackVariable, userMethod } from './custom-layers';
import { apiTail } from './keras-api';
import { getRule } from '../../core/layers/registry';
import { Scope, type ClassDef, type FuncDef } from './modules';
import type { PythonInterpreter } from './interpreter';
import { execBlock } from './statements';
import { evaluate } from './expressions';
import { calledNames } from './helpers';
import { lineAt } from '../common/scope';

// ---------------------------------------------------------------------------------------------
// Functions and classes
export function defineFunction(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  const nameNode = field(node, 'name');
  if (!nameNode) return;
  const name = ip.text(nameNode);
  scope.assign(name, makeFunction(ip, node, scope, name));
}

export function makeFunction(ip: PythonInterpreter, node: PyNode, scope: Scope, name: string): Value {
  const defaults = new Map<string, Value>();
  const params = field(node, 'parameters');
  for (const p of params ? namedChildren(params) : []) {
    if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') {
      const n = field(p, 'name');
      const v = field(p, 'value');
      if (n && v) defaults.set(ip.text(n), evaluate(ip, v, scope));
    }
  }
  const def: FuncDef = { node, closure: scope, file: ip.file, defaults, name };
  return { k: 'func', name, def };
}

export function defineClass(ip: PythonInterpreter, node: PyNode, scope: Scope): void {
  const nameNode = field(node, 'name');
  const body = field(node, 'body');
  if (!nameNode || !body) return;
  const bases = field(node, 'superclasses');
  const baseValues = bases ? namedChildren(bases).filter((b) => b.type !== 'keyword_argument').map((b) => evaluate(ip, b, scope)) : [];
  let keras: 'model' | 'layer' | null = null;
  let builtinBase: string | undefined;
  for (const b of baseValues) {
    if (b.k === 'api') {
      const last = apiTail(b.path).split('.').pop() ?? '';
      if (last === 'Model' || last === 'Sequential') keras = 'model';
      else if (last === 'Layer' && !keras) keras = 'layer';
      else if (!keras && /(^|\.)layers\.([\w.]+\.)?[A-Z]\w*$/.test(apiTail(b.path)) && getRule(last)?.className === last && !getRule(last)?.operation) {
        keras = 'layer';
        builtinBase = last;
      }
    } else if (b.k === 'class') {
      keras ??= (b.def as ClassDef).keras;
    } else if (b.k === 'unknown' && bases && /\bModel\b/.test(ip.text(bases))) keras = 'model';
  }
  const classScope = new Scope(scope, scope.module ?? scope, 'class');
  const cls: ClassDef = { node, file: ip.file, attrs: classScope.vars, keras };
  if (builtinBase) noteBuiltinBase(cls, builtinBase);
  // Inherit attributes from user base classes.
  for (const b of baseValues) if (b.k === 'class') for (const [k, v] of (b.def as ClassDef).attrs) if (!classScope.vars.has(k)) classScope.vars.set(k, v);
  const saved = new Map(classScope.vars);
  classScope.vars.clear();
  execBlock(ip, namedChildren(body), classScope);
  for (const [k, v] of saved) if (!classScope.vars.has(k)) classScope.vars.set(k, v);
  const name = ip.text(nameNode);
  scope.assign(name, { k: 'class', name, def: cls, bases: baseValues });
}

/** Calls a user function with bound arguments; a too-deep call yields Unknown. */
export function callFunction(ip: PythonInterpreter, fn: Value & { k: 'func' }, args: CallArgs, self: Value | null, range: SourceRange): Value {
  const def = fn.def as FuncDef;
  const rec = ip.opts.recordCalls;
  if (rec && !self && def.file.path === rec.file && rec.names.has(def.name)) {
    // Another file's analysis asking what this call passes: remember it, build nothing here.
    const sites = rec.out.get(def.name) ?? [];
    if (sites.length < 8) sites.push({ args: { positional: args.positional.map(plainData), keywords: new Map([...args.keywords].map(([k, v]) => [k, plainData(v)])) }, where: `${basename(ip.file.path)}:${lineAt(ip.file, range.start)}` });
    rec.out.set(def.name, sites);
    return unknown(`call:${def.name}`);
  }
  return ip.callFrame(def, range, () => {
    const scope = new Scope(def.closure, def.closure.module ?? def.closure, 'function');
    bindParams(ip, def, scope, args, self);
    const body = field(def.node, 'body');
    if (!body) return unknown();
    if (def.node.type === 'lambda') return evaluate(ip, body, scope);
    execBlock(ip, namedChildren(body), scope);
    return NONE;
  });
}

export function bindParams(ip: PythonInterpreter, def: FuncDef, scope: Scope, args: CallArgs, self: Value | null): void {
  const params = field(def.node, 'parameters');
  const positional = self ? [self, ...args.positional] : [...args.positional];
  const keywords = new Map(args.keywords);
  let pi = 0;
  let kwOnly = false;
  for (const p of params ? namedChildren(params) : []) {
    switch (p.type) {
      case 'identifier':
      case 'typed_parameter':
      case 'default_parameter':
      case 'typed_default_parameter': {
        if (p.type === 'typed_parameter' && namedChildren(p)[0]?.type === 'list_splat_pattern') {
          scope.assign(ip.text(namedChildren(namedChildren(p)[0])[0]), args.rest ? unknown('*args') : tuple(positional.slice(pi)));
          pi = positional.length;
          kwOnly = true;
          break;
        }
        if (p.type === 'typed_parameter' && namedChildren(p)[0]?.type === 'dictionary_splat_pattern') {
          scope.assign(ip.text(namedChildren(namedChildren(p)[0])[0]), args.rest ? unknown('**kwargs') : kwDict(ip, keywords));
          keywords.clear();
          break;
        }
        const nameNode = p.type === 'identifier' ? p : p.type === 'typed_parameter' ? namedChildren(p)[0] : field(p, 'name');
        if (!nameNode) break;
        const name = ip.text(nameNode);
        let v: Value | undefined;
        if (!kwOnly && pi < positional.length) v = positional[pi++];
        else if (keywords.has(name)) {
          v = keywords.get(name);
          keywords.delete(name);
        } else if (args.rest === 'splat') v = missingArgument(name);
        // A builder nothing calls: a parameter without default is a size the code leaves open, by its name.
        else v = def.defaults.get(name) ?? (args.rest === 'uncalled' ? ip.openSize(name) : missingArgument(name));
        scope.vars.set(name, v ?? missingArgument(name));
        break;
      }
      case 'list_splat_pattern': {
        const n = namedChildren(p)[0];
        if (n) scope.vars.set(ip.text(n), args.rest ? unknown('*args') : tuple(positional.slice(pi)));
        pi = positional.length;
        kwOnly = true;
        break;
      }
      case 'keyword_separator':
        kwOnly = true;
        break;
      case 'dictionary_splat_pattern': {
        const n = namedChildren(p)[0];
        if (n) scope.vars.set(ip.text(n), args.rest ? unknown('**kwargs') : kwDict(ip, keywords));
        keywords.clear();
        break;
      }
      default:
        break;
    }
  }
}

export function kwDict(ip: PythonInterpreter, keywords: Map<string, Value>): Value {
  return makeDict([...keywords].map(([k, v]) => [str(k), v]));
}

/** Instantiates a user class: runs `__init__`; Keras subclasses get tracked layers. */
export function instantiate(ip: PythonInterpreter, cls: Value & { k: 'class' }, args: CallArgs, range: SourceRange): Value {
  const def = cls.def as ClassDef;
  ip.instantiatedClasses.add(def.node);
  const obj: Value & { k: 'object' } = { k: 'object', cls, attrs: new Map(), id: ip.nextObjectId++ };
  if (def.keras) {
    ip.rt.objectLayer ??= (v) => objectAsLayer(ip, v);
    ip.kerasState.set(obj, { tracked: [], kerasName: null, called: false, range: ip.layerRange(range) });
    if (def.keras === 'model') ip.kerasModels.push(obj);
    const nameArg = args.keywords.get('name');
    if (nameArg?.k === 'str') ip.kerasState.get(obj)!.kerasName = nameArg.v;
  }
  const init = def.attrs.get('__init__');
  if (init?.k === 'func') callFunction(ip, init, args, obj, range);
  // A subclass of a built-in layer without its own __init__ passes its arguments to the built-in's.
  else if (def.keras === 'layer' && builtinBaseOf(cls)) superBuiltin(ip, obj, '__init__', args, ip.layerRange(range));
  // Keras names a layer when it is made (`layer_scale`, `layer_scale_1`, ...) unless `super().__init__(name=...)` named it.
  const st = ip.kerasState.get(obj);
  if (st && def.keras === 'layer' && !st.kerasName) st.kerasName = ip.rt.builder.uniqueName(defaultLayerName(cls.name));
  return obj;
}

/** Records layers (and Keras variables) assigned to attributes of a Keras subclass, in assignment order. */
export function track(ip: PythonInterpreter, obj: Value & { k: 'object' }, value: Value): void {
  const st = ip.kerasState.get(obj);
  if (!st) return;
  const add = (v: Value) => {
    if ((v.k === 'layer' || v.k === 'model' || (v.k === 'object' && ip.kerasState.has(v))) && !st.tracked.some((t) => valuesEqual(t, v) === true)) st.tracked.push(v);
    trackVariable(ip, obj, v);
  };
  add(value);
  for (const item of sequenceItems(value) ?? (value.k === 'dict' ? [...value.map.values()] : [])) add(item);
}

/**
 * Calls a Keras subclass instance: traces it once (build, then `call` or `compute_output_shape`),
 * then reuses the traced graph. Every tensor passed (`layer([a, b])`, `layer(a, b)`, `mask=m`) is
 * one of its inputs.
 */
export function callKerasObject(ip: PythonInterpreter, obj: Value & { k: 'object' }, _input: Value, args: CallArgs, range: SourceRange): Value {
  const st = ip.kerasState.get(obj)!;
  st.called = true;
  // The first argument must be tensors Shape Lens follows (positional, or the first keyword).
  const first = args.positional[0] ?? [...args.keywords.values()][0];
  if (!first || !ip.rt.tensors(first)) return unknown();
  if (!st.traced) trace(ip, obj, [], args, range, args);
  if (!st.traced) return unknown();
  const tensors = callTensors(ip, args).map((t): Value => ({ k: 'tensor', t }));
  const out = ip.rt.call(st.traced, tensors.length === 1 ? tensors[0] : list(tensors), ip.layerRange(range));
  // `compute_output_shape` gives each call's output from that call's shapes (Keras 3 does not run `call` then).
  const cos = userMethod(obj.cls, 'compute_output_shape');
  if (cos) {
    const outs = ip.rt.tensors(out) ?? [];
    const shapes = shapesFromResult(callFunction(ip, cos, shapeArgs(ip, cos, userMethod(obj.cls, 'call'), args), obj, range));
    if (shapes && shapes.length === outs.length) outs.forEach((t, i) => (t.shape = shapes[i]));
  }
  return out;
}

/**
 * Traces a Keras subclass on fresh inputs of the call's shapes (`callArgs`, or one input per shape
 * in `shapes` for `model.build(...)`): runs its `build(input_shape)` if written, then its
 * `compute_output_shape` if written (Keras 3 uses it instead of running `call` symbolically), else
 * its `call`, and records the graph with the weights it made itself.
 */
export function trace(ip: PythonInterpreter, obj: Value & { k: 'object' }, shapes: (Shape | null)[], args: CallArgs, range: SourceRange, callArgs?: CallArgs): void {
  const st = ip.kerasState.get(obj)!;
  const def = obj.cls.def as ClassDef;
  const callFn = userMethod(obj.cls, 'call');
  const shaped = (s: Shape | null): Value => ({ k: 'tensor', t: ip.rt.builder.looseTensor(s) });
  const base: CallArgs = callArgs ?? {
    positional: [shapes.length === 1 ? shaped(shapes[0]) : list(shapes.map(shaped))],
    keywords: new Map([...args.keywords].filter(([k]) => k === 'training' || k === 'mask')),
  };
  // The trace's own InputLayers are not layers of the model.
  const inputTensors: SymbolicTensor[] = [];
  const fresh = replaceTensors(base, (t) => {
    const v = ip.rt.input(t.shape, st.range, `${obj.cls.name}_input_${inputTensors.length}`) as Value & { k: 'tensor' };
    inputTensors.push(v.t);
    return v;
  });
  st.weights ??= { trainable: 0, nonTrainable: 0 };
  const build = userMethod(obj.cls, 'build');
  if (build && !st.built) {
    st.built = true;
    const r = callFunction(ip, build, shapeArgs(ip, build, callFn, fresh), obj, range);
    if (alwaysRaises(build)) st.weights.unknown ??= `${obj.cls.name}.build raised an exception (Keras stops there)`;
    else if (r.k === 'unknown' && (r.why === 'threw' || r.why === 'recursion')) st.weights.unknown ??= `${obj.cls.name}.build ${r.why === 'threw' ? 'raised an exception' : 'recursed too deeply'} on these input shapes`;
  }
  // A built-in base (`class MyDense(layers.Dense)`) is built by Keras' own build when the class writes none.
  const firstArg = fresh.positional[0] ?? [...fresh.keywords.values()][0];
  if (st.base && !build && firstArg?.k === 'tensor') buildBuiltin(ip, st.base, firstArg.t.shape);
  let outputs: SymbolicTensor[];
  const cos = userMethod(obj.cls, 'compute_output_shape');
  if (cos) {
    const found = shapesFromResult(callFunction(ip, cos, shapeArgs(ip, cos, callFn, fresh), obj, range));
    outputs = (found ?? [null]).map((s) => ip.rt.builder.looseTensor(s));
    if (!found) outputs[0].unknownWhy = `${obj.cls.name}.compute_output_shape gave no shape Shape Lens could follow`;
  } else {
    // TensorFlow functions are fine inside a layer's call (Keras runs it in a graph of its own).
    ip.rt.layerCallDepth++;
    let out: Value;
    try {
      out = callFn ? callFunction(ip, callFn, fresh, obj, range) : st.base && firstArg ? ip.rt.call({ k: 'layer', node: st.base }, firstArg, st.range) : unknown();
    } finally {
      ip.rt.layerCallDepth--;
    }
    outputs = ip.rt.tensors(out) ?? [];
  }
  if (st.base && !st.tracked.some((v) => v.k === 'layer' && v.node === st.base)) st.tracked.unshift({ k: 'layer', node: st.base });
  const layers = st.tracked.map((v) => (v.k === 'layer' ? v.node : v.k === 'model' ? ip.rt.builder.modelAsLayer(v.model) : kerasObjectLayer(ip, v as Value & { k: 'object' })));
  // A written `build` ends what a layer can make (Keras 3 locks its state): if its sub-layers are all built, its weights are known even when `call` is not followed.
  if (outputs.length === 0 && build && layers.every((l) => l && (l.params !== undefined || l.calls.length > 0 || (l.nested && l.nested.built)))) {
    outputs = [ip.rt.builder.looseTensor(null)];
    outputs[0].unknownWhy = `Shape Lens could not follow ${obj.cls.name}.call to an output`;
  }
  const name = st.kerasName ?? defaultLayerName(obj.cls.name);
  const graph = ip.rt.builder.subclassed(obj.cls.name, name, layers.filter((l): l is NonNullable<typeof l> => !!l), inputTensors, outputs, st.range, ip.rt.functionName);
  graph.ownWeights = ownParams(st.weights);
  if (st.weights.unknown) {
    if (def.keras === 'model') graph.incomplete ??= st.weights.unknown;
    else ip.rt.builder.modelAsLayer(graph).unknownWhy = st.weights.unknown;
  }
  if (def.keras === 'layer') ip.rt.builder.forgetModel(graph);
  st.traced = { k: 'model', model: graph };
  if (outputs.length === 0) ip.rt.sink.info(DiagnosticCode.subclassOutput, `Shape Lens could not follow ${obj.cls.name}.call to an output tensor.`, st.range);
}

const objectNodes = new WeakMap<object, LayerNode>();

/**
 * The layer a custom Keras layer instance stands for where a layer is expected before any call
 * (`Sequential([..., Antirectifier(), ...])`, `model.add(...)`): a node that traces the instance
 * on the first shapes it is called with (build, then call or compute_output_shape), replays that
 * trace on later shapes, and counts what the trace counted.
 */
export function objectAsLayer(ip: PythonInterpreter, v: Value): LayerNode | undefined {
  if (v.k !== 'object') return undefined;
  const st = ip.kerasState.get(v);
  if (!st || (v.cls.def as ClassDef).keras !== 'layer') return undefined;
  if (st.traced) return ip.rt.builder.modelAsLayer(st.traced.model);
  const node = objectNodes.get(v);
  if (node) return node;
  const made = ip.rt.builder.createLayer(v.cls.name, { name: st.kerasName ?? defaultLayerName(v.cls.name) }, st.range);
  made.custom = {
    output(shapes) {
      st.called = true;
      if (!st.traced) trace(ip, v, shapes, { positional: [], keywords: new Map() }, st.range);
      const output = st.traced ? replayModel(st.traced.model, shapes, 0) : null;
      const known = output !== null && !(isShapeList(output) ? output.flat() : output).includes(UNKNOWN_DIM);
      return { output, why: known ? undefined : (st.weights?.unknown ?? `Shape Lens could not follow ${v.cls.name}.call to a known shape`) };
    },
    params() {
      return st.traced ? ip.rt.builder.modelParams(st.traced.model) : { trainable: null, nonTrainable: null };
    },
  };
  objectNodes.set(v, made);
  return made;
}

/**
 * `layer.build(input_shape)` called explicitly on a custom Keras layer with a written `build`
 * (an outer layer building its sub-layer): runs it once, as Keras' `built` flag does; undefined
 * for any other method.
 */
export function userBuild(ip: PythonInterpreter, self: Value, fn: Value & { k: 'func' }, args: CallArgs, range: SourceRange): Value | undefined {
  if (self.k !== 'object' || fn !== userMethod(self.cls, 'build')) return undefined;
  const st = ip.kerasState.get(self);
  if (!st) return undefined;
  if (st.built) return NONE;
  st.built = true;
  st.weights ??= { trainable: 0, nonTrainable: 0 };
  return callFunction(ip, fn, args, self, range);
}

export function kerasObjectLayer(ip: PythonInterpreter, obj: Value & { k: 'object' }) {
  const st = ip.kerasState.get(obj);
  if (!st?.traced) return undefined;
  return ip.rt.builder.modelAsLayer(st.traced.model);
}

/** Subclassed models that were never called: trace them from a known input shape, else list them unbuilt. */
export function finishKerasModels(ip: PythonInterpreter): void {
  for (const obj of ip.kerasModels) {
    const st = ip.kerasState.get(obj)!;
    // A base class with helper methods but no layers is not a model anyone wants summarised.
    if (st.traced || st.tracked.length === 0) continue;
    const shape = st.buildShape !== undefined ? st.buildShape : shapeCommentFor(ip, (obj.cls.def as ClassDef).node);
    ip.guard(() => {
      if (shape !== undefined) trace(ip, obj, [shape], { positional: [], keywords: new Map() }, st.range);
      else {
        const layers = st.tracked.flatMap((v) => (v.k === 'layer' ? [v.node] : v.k === 'model' ? [ip.rt.builder.modelAsLayer(v.model)] : []));
        ip.rt.builder.subclassed(obj.cls.name, st.kerasName ?? defaultLayerName(obj.cls.name), layers, [], [], st.range, null);
        ip.rt.sink.info(DiagnosticCode.subclassInputShape, `The input shape of ${obj.cls.name} is unknown: call it on an Input, call model.build(...), or add a comment "# shape-lens: input_shape=(None, 28, 28, 1)".`, st.range);
      }
    });
  }
}

/**
 * Functions and model classes defined at module level that nothing called: analyse them with
 * their defaults. Functions no other module function calls go first (a `build_gan` that calls
 * `build_generator` must not make the generator twice); a run that builds no model (a helper
 * like `conv_block(x, filters)`) is rolled back so it leaves no names or diagnostics behind.
 */
/** Builder functions nothing called run with their defaults (speculatively); model classes are always reported (unbuilt if nothing gives their input shape). */
export function analyseUncalled(ip: PythonInterpreter, root: PyNode, scope: Scope): void {
  const entries: UncalledEntry<PyNode>[] = [];
  const noArgs = (): CallArgs => ({ positional: [], keywords: new Map(), rest: 'uncalled' });
  for (const stmt of namedChildren(root)) {
    const def = stmt.type === 'decorated_definition' ? field(stmt, 'definition') : stmt;
    const nameNode = def && field(def, 'name');
    if (!def || !nameNode) continue;
    const name = ip.text(nameNode);
    const v = scope.vars.get(name);
    const range = { start: def.start, end: def.end };
    const calls = (): Set<string> => calledNames(def, ip.main.text);
    if (def.type === 'function_definition' && v?.k === 'func' && (v.def as FuncDef).node === def) {
      // A call in another file of the project gives its arguments (the first one found); else unknown ones.
      const sites = ip.opts.callSites?.get(name) ?? [];
      const site = sites[0];
      const run = (): void => {
        const before = ip.rt.builder.models.length;
        callFunction(ip, v, site ? site.args : noArgs(), null, range);
        if (site) {
          for (const m of ip.rt.builder.models.slice(before)) {
            m.argumentsFrom = site.where;
            if (sites.length > 1) m.otherCallSites = sites.slice(1).map((s) => s.where);
          }
        }
      };
      entries.push({ name, node: def, calls, isClass: false, speculative: true, run });
    }
    if (def.type === 'class_definition' && v?.k === 'class' && (v.def as ClassDef).keras === 'model') {
      entries.push({ name, node: def, calls, isClass: true, speculative: false, run: () => void instantiate(ip, v, noArgs(), range) });
    }
  }
  ip.runUncalled(entries);
}

export function scanShapeComments(ip: PythonInterpreter, text: string): void {
  const re = /#\s*shape-lens:\s*input_shape\s*=\s*([([][^)\]]*[)\]])/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const dims = m[1].slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    ip.shapeComments.push({ offset: m.index, shape: dims.map((d) => (/^\d+$/.test(d) ? Number(d) : null)) });
  }
}

/** A `# shape-lens: input_shape=...` comment inside the class or on the lines just above it. */
export function shapeCommentFor(ip: PythonInterpreter, cls: PyNode): (number | null)[] | undefined {
  const lineStart = ip.main.text.lastIndexOf('\n', Math.max(0, cls.start - 1));
  let above = lineStart;
  for (let i = 0; i < 3 && above > 0; i++) above = ip.main.text.lastIndexOf('\n', above - 1);
  const c = ip.shapeComments.find((sc) => sc.offset >= Math.max(0, above) && sc.offset < cls.end);
  return c?.shape;
}

/** A value passed from another file's analysis: plain data only (layers and tensors belong to that analysis). */
function plainData(v: Value, depth = 0): Value {
  switch (v.k) {
    case 'num':
    case 'str':
    case 'bool':
    case 'none':
      return v;
    case 'tuple':
    case 'list':
      return depth < 8 ? { k: v.k, items: v.items.map((x) => plainData(x, depth + 1)) } : unknown('argument');
    default:
      return unknown('an argument from another file that is not plain data');
  }
}
