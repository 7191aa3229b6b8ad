// JS/TS functions and classes: functions, arrows and methods with closures and `this`, instantiation and fields, builders nothing called.

import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { SourceRange } from '../../core/diagnostics';
import { missingArgument, type UncalledEntry } from '../common/interpreter-core';
import { list, NONE, num, sequenceItems, unknown, type Value } from '../common/values';
import { isShapeList, UNKNOWN_DIM, type OutputShape, type Shape } from '../../core/shape';
import { type JsInterpreter, type N, Scope, type FuncDef, type ClassDef } from './interpreter';
import { execBlock, bindPattern } from './statements';
import { evaluate } from './expressions';
import { calledIdentifiers } from './helpers';

// ---------------------------------------------------------------------------------------------
// Functions and classes
export function makeFunction(ip: JsInterpreter, node: FuncDef['node'], scope: Scope, name: string): Value & { k: 'func' } {
  const def: FuncDef = { node, closure: scope, file: ip.file, name };
  if (node.type === 'ArrowFunctionExpression') def.lexicalThis = scope.lookup('this');
  return { k: 'func', name, def };
}

export function makeClass(ip: JsInterpreter, node: TSESTree.ClassDeclaration | TSESTree.ClassExpression, scope: Scope): Value {
  const superClass = node.superClass ? evaluate(ip, node.superClass, scope) : null;
  const methods = new Map<string, Value & { k: 'func' }>();
  const getters = new Set<string>();
  if (superClass?.k === 'class') {
    for (const [k, f] of (superClass.def as ClassDef).methods) methods.set(k, f);
    for (const k of (superClass.def as ClassDef).getters) getters.add(k);
  }
  for (const el of node.body.body) {
    if (el.type === 'MethodDefinition' && !el.static && el.key.type === 'Identifier' && el.value.type === 'FunctionExpression' && el.kind !== 'set') {
      methods.set(el.kind === 'constructor' ? 'constructor' : el.key.name, makeFunction(ip, el.value, scope, el.key.name));
      if (el.kind === 'get') getters.add(el.key.name);
      else getters.delete(el.key.name);
    }
  }
  const name = node.id?.name ?? '<class>';
  const def: ClassDef = { node, closure: scope, file: ip.file, methods, getters, superClass };
  return { k: 'class', name, def, bases: superClass ? [superClass] : [] };
}

export function callFunction(ip: JsInterpreter, fn: Value & { k: 'func' }, args: Value[], thisValue: Value | null, range: SourceRange): Value {
  const def = fn.def as FuncDef;
  return ip.callFrame(def, range, () => {
    const scope = new Scope(def.closure, true);
    scope.vars.set('this', def.lexicalThis ?? thisValue ?? NONE);
    scope.vars.set('arguments', list(args));
    def.node.params.forEach((p, i) => {
      if (p.type === 'RestElement') bindPattern(ip, p.argument, list(args.slice(i)), scope, true);
      else bindPattern(ip, p, i < args.length ? args[i] : NONE, scope, true);
    });
    const body = def.node.body;
    if (!body) return unknown();
    if (body.type !== 'BlockStatement') return evaluate(ip, body, scope);
    execBlock(ip, body.body, scope);
    return NONE;
  });
}

export function instantiate(ip: JsInterpreter, cls: Value & { k: 'class' }, args: Value[], range: SourceRange): Value {
  const def = cls.def as ClassDef;
  ip.instantiatedClasses.add(def.node);
  const obj: Value & { k: 'object' } = { k: 'object', cls, attrs: new Map(), id: ip.nextObjectId++ };
  initFields(ip, def, obj);
  const ctor = def.methods.get('constructor');
  if (ctor) {
    // Constructor parameter properties (`constructor(private h = 28)`) become fields.
    const fn = ctor.def as FuncDef;
    fn.node.params.forEach((p, i) => {
      if (p.type === 'TSParameterProperty') {
        const param = p.parameter;
        const nameNode = param.type === 'AssignmentPattern' ? param.left : param;
        if (nameNode.type === 'Identifier') {
          const v = i < args.length && args[i].k !== 'none' ? args[i] : param.type === 'AssignmentPattern' ? evaluate(ip, param.right, fn.closure) : NONE;
          obj.attrs.set(nameNode.name, v);
        }
      }
    });
    callFunction(ip, ctor, args, obj, range);
  }
  return obj;
}

export function initFields(ip: JsInterpreter, def: ClassDef, obj: Value & { k: 'object' }): void {
  if (def.superClass?.k === 'class') initFields(ip, def.superClass.def as ClassDef, obj);
  const scope = new Scope(def.closure, true);
  scope.vars.set('this', obj);
  for (const el of def.node.body.body) {
    if (el.type === 'PropertyDefinition' && !el.static && el.key.type === 'Identifier' && el.value) {
      obj.attrs.set(el.key.name, evaluate(ip, el.value, scope));
    }
  }
}

/**
 * Top-level functions, arrows and classes nothing called: run them with their defaults (classes:
 * constructed, then each uncalled method). Those no other function calls go first; a run that
 * builds no model is rolled back so it leaves no names or diagnostics behind.
 */
export function analyseUncalled(ip: JsInterpreter, program: TSESTree.Program, scope: Scope): void {
  const entries: UncalledEntry<N>[] = [];
  for (const s of program.body) {
    const d = s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? s.declaration : s;
    if (!d) continue;
    if (d.type === 'FunctionDeclaration' && d.id) entryFor(ip, d.id.name, d, scope, entries);
    if (d.type === 'ClassDeclaration' && d.id) entryFor(ip, d.id.name, d, scope, entries);
    if (d.type === 'VariableDeclaration') {
      for (const decl of d.declarations) {
        if (decl.id.type === 'Identifier' && decl.init && (decl.init.type === 'ArrowFunctionExpression' || decl.init.type === 'FunctionExpression')) {
          entryFor(ip, decl.id.name, decl.init, scope, entries);
        }
      }
    }
  }
  ip.runUncalled(entries);
}

export function entryFor(ip: JsInterpreter, name: string, node: N, scope: Scope, entries: UncalledEntry<N>[]): void {
  const v = scope.vars.get(name);
  const range = ip.range(node);
  const calls = (): Set<string> => calledIdentifiers(node);
  if (v?.k === 'func' && (v.def as FuncDef).node === node) {
    entries.push({ name, node, calls, isClass: false, speculative: true, run: () => void callFunction(ip, v, unknownArgs(ip, v), null, range) });
  } else if (v?.k === 'class' && (v.def as ClassDef).node === node) {
    entries.push({
      name,
      node,
      calls,
      isClass: true,
      speculative: true,
      run: () => {
        const ctor = (v.def as ClassDef).methods.get('constructor');
        const obj = instantiate(ip, v, ctor ? unknownArgs(ip, ctor) : [], range);
        for (const [mname, m] of (v.def as ClassDef).methods) {
          // Each method on its own: a helper method run alone must not use up names `build()` will need.
          if (mname !== 'constructor' && !ip.calledFunctions.has((m.def as FuncDef).node)) ip.rt.speculative(() => ip.guard(() => void callFunction(ip, m, unknownArgs(ip, m), obj, range)));
        }
      },
    });
  }
}

/**
 * Arguments for a function nothing calls, run to see what it builds: a parameter with a default
 * gets it (undefined), one without is unknown — a caller would pass something, not undefined.
 */
export function unknownArgs(ip: JsInterpreter, fn: Value & { k: 'func' }): Value[] {
  return (fn.def as FuncDef).node.params.map((p) => {
    const param = p.type === 'TSParameterProperty' ? p.parameter : p;
    if (param.type === 'AssignmentPattern' || param.type === 'RestElement') return NONE;
    // `({ units = 10, classes = 3 })`, React props: every field has a default, so those stand.
    if (param.type === 'ObjectPattern' && param.properties.every((q) => q.type === 'Property' && q.value.type === 'AssignmentPattern')) return NONE;
    // A parameter without default is a size the code leaves open, by its name.
    return param.type === 'Identifier' ? ip.openSize(param.name) : missingArgument();
  });
}

// ---------------------------------------------------------------------------------------------
// Custom layers: `class X extends tf.layers.Layer`

/** What a custom tfjs layer instance made: its weights (`this.addWeight`) and the config its constructor gave `super`. */
interface CustomLayerState {
  trainable: number;
  nonTrainable: number;
  unknown?: string;
  superConfig?: Value;
}

const customLayers = new WeakMap<object, CustomLayerState>();

/** True if the class extends `tf.layers.Layer` (directly or through user classes). */
function isTfjsLayerClass(cls: Value & { k: 'class' }): boolean {
  let c: Value | null = cls;
  for (let depth = 0; c?.k === 'class' && depth < 16; depth++) {
    const sup: Value | null = (c.def as ClassDef).superClass;
    if (sup?.k === 'api') return /(^|\.)layers\.Layer$/.test(sup.path);
    c = sup;
  }
  return false;
}

/** The class's `static className` (a field or a getter, inherited like JS statics); undefined if none. */
function staticClassName(ip: JsInterpreter, cls: Value & { k: 'class' }): string | undefined {
  let c: Value | null = cls;
  for (let depth = 0; c?.k === 'class' && depth < 16; depth++) {
    const def = c.def as ClassDef;
    for (const el of def.node.body.body) {
      if ((el.type !== 'PropertyDefinition' && el.type !== 'MethodDefinition') || !el.static || el.key.type !== 'Identifier' || el.key.name !== 'className') continue;
      let v: Value = unknown();
      if (el.type === 'PropertyDefinition' && el.value) v = evaluate(ip, el.value, def.closure);
      else if (el.type === 'MethodDefinition' && el.kind === 'get' && el.value.type === 'FunctionExpression') v = callFunction(ip, makeFunction(ip, el.value, def.closure, 'className'), [], c, ip.range(el));
      return v.k === 'str' ? v.v : undefined;
    }
    c = def.superClass;
  }
  return undefined;
}

/**
 * `new X(config)` of a custom tfjs layer: runs the constructor like any class, then stands for a
 * layer named as tfjs names it (`config.name`, else `x_X1`) whose class is `X.className`. On its
 * first `apply`, tfjs runs `build(inputShape)` (weights from `this.addWeight`), then
 * `computeOutputShape(inputShape)` (the input shape when not written) on every symbolic call;
 * `call` is not run symbolically. Only `addWeight` weights count (tfjs does not track sub-layers).
 */
export function instantiateTfjsLayer(ip: JsInterpreter, cls: Value & { k: 'class' }, args: Value[], range: SourceRange): Value | undefined {
  if (!isTfjsLayerClass(cls)) return undefined;
  const def = cls.def as ClassDef;
  ip.instantiatedClasses.add(def.node);
  const obj: Value & { k: 'object' } = { k: 'object', cls, attrs: new Map(), id: ip.nextObjectId++ };
  const state: CustomLayerState = { trainable: 0, nonTrainable: 0 };
  customLayers.set(obj, state);
  initFields(ip, def, obj);
  const ctor = def.methods.get('constructor');
  if (ctor) callFunction(ip, ctor, args, obj, range);
  else state.superConfig = args[0];
  const config = state.superConfig;
  const nameV = config?.k === 'dict' ? config.map.get('name') : undefined;
  const trainableV = config?.k === 'dict' ? config.map.get('trainable') : undefined;
  // tfjs prints `getClassName()`: the static `className` (`undefined` without one, and then it
  // cannot make a name: the constructor throws unless the config names the layer — left unknown).
  const getClassName = def.methods.get('getClassName');
  const written = getClassName ? callFunction(ip, getClassName, [], obj, range) : undefined;
  const className = written?.k === 'str' ? written.v : staticClassName(ip, cls);
  if (className === undefined && nameV?.k !== 'str') return obj;
  const node = ip.rt.builder.createLayer(className ?? 'undefined', nameV?.k === 'str' ? { name: nameV.v } : {}, ip.layerRange(range));
  if (trainableV?.k === 'bool') node.trainable = trainableV.v;
  let built = false;
  const shapeValue = (s: Shape | null): Value => (s ? list(s.map((d) => (d === null ? NONE : typeof d === 'number' ? num(d) : unknown('a dimension Shape Lens does not know')))) : unknown('an input shape Shape Lens does not know'));
  const whyPrefix = `${cls.name}`;
  node.custom = {
    output(inputs) {
      const shapeArg = inputs.length === 1 ? shapeValue(inputs[0]) : list(inputs.map(shapeValue));
      if (!built) {
        built = true;
        const build = def.methods.get('build');
        if (build) {
          const r = callFunction(ip, build, [shapeArg], obj, range);
          if (r.k === 'unknown' && (r.why === 'threw' || r.why === 'recursion')) state.unknown ??= `${whyPrefix}.build did not finish on these input shapes`;
        }
      }
      const cos = def.methods.get('computeOutputShape');
      if (!cos) return { output: inputs.length === 1 ? inputs[0] : inputs.some((s) => s === null) ? null : (inputs as Shape[]) };
      const out = outputShapes(callFunction(ip, cos, [shapeArg], obj, range));
      return out === null ? { output: null, why: `${whyPrefix}.computeOutputShape gave no shape Shape Lens could follow` } : { output: out, why: hasUnknown(out) ? `${whyPrefix}.computeOutputShape gave a shape Shape Lens could not follow fully` : undefined };
    },
    params() {
      return state.unknown ? { trainable: null, nonTrainable: null } : { trainable: state.trainable, nonTrainable: state.nonTrainable };
    },
  };
  if (state.unknown) node.unknownWhy = state.unknown;
  return { k: 'layer', node };
}

function hasUnknown(out: OutputShape): boolean {
  const shapes = out === null ? [] : isShapeList(out) ? out : [out];
  return shapes.some((s) => s.some((d) => d === UNKNOWN_DIM));
}

/** A `computeOutputShape` result: one shape (an array of numbers and nulls) or an array of them. */
function outputShapes(v: Value): OutputShape {
  const items = sequenceItems(v);
  if (!items) return null;
  const dims = (x: Value): Shape | null => {
    const ds = sequenceItems(x);
    return ds ? ds.map((d) => (d.k === 'num' && Number.isInteger(d.v) && d.v >= 0 ? d.v : d.k === 'none' ? null : UNKNOWN_DIM)) : null;
  };
  if (items.length > 0 && items.every((x) => sequenceItems(x) !== null)) {
    const all = items.map(dims);
    return all.some((s) => s === null) ? null : (all as Shape[]);
  }
  return dims(v);
}

/** `super(config)` in a custom layer's constructor: the config tfjs names it from. */
export function tfjsSuperCall(thisValue: Value | undefined, args: Value[]): void {
  const st = thisValue?.k === 'object' ? customLayers.get(thisValue) : undefined;
  if (st) st.superConfig = args[0];
}

/**
 * `this.addWeight(name, shape, dtype, initializer, regularizer, trainable)` in a custom tfjs
 * layer: counts the weight; returns a tensor of its shape. Undefined for other calls.
 */
export function tfjsLayerMethod(ip: JsInterpreter, receiver: Value | null, method: string, args: Value[]): Value | undefined {
  const st = receiver?.k === 'object' ? customLayers.get(receiver) : undefined;
  if (!st || method !== 'addWeight') return undefined;
  const shapeV = args[1];
  const items = shapeV ? sequenceItems(shapeV) : null;
  let size: number | null = items ? 1 : null;
  const shape: number[] = [];
  for (const d of items ?? []) {
    if (d.k === 'num' && Number.isInteger(d.v) && d.v >= 0 && size !== null) {
      size *= d.v;
      shape.push(d.v);
    } else size = null;
  }
  const trainableV = args[5];
  const trainable = !trainableV || trainableV.k === 'none' ? true : trainableV.k === 'bool' ? trainableV.v : null;
  const what = `${(receiver as Value & { k: 'object' }).cls.name}.addWeight(...)`;
  if (size === null || !Number.isSafeInteger(size)) st.unknown ??= `${what}: its shape is not known to Shape Lens`;
  else if (trainable === null) st.unknown ??= `${what}: whether it is trainable is not known`;
  else if (trainable) st.trainable += size;
  else st.nonTrainable += size;
  return { k: 'tensor', t: ip.rt.builder.looseTensor(size === null ? null : shape) };
}
