// Python expressions: names, literals, operators, subscripts, comprehensions, attributes and calls.

import { argparseAttr, argumentParser } from './argparse';
import type { SourceRange } from '../../core/diagnostics';
import type { SymbolicTensor } from '../../core/graph';
import { shapeFromValue } from '../common/keras-runtime';
import { bool, dictKey, FALSE, list, makeDict, NONE, num, pyRepr, pyStr, sequenceItems, sizeArithmetic, str, TRUE, truthy, tuple, unknown, type CallArgs, type Value } from '../common/values';
import { field, fields, namedChildren, type PyNode } from './ast';
import { apiPath, callKerasApi, kerasNameOnUnknown } from './keras-api';
import { Scope, type ClassDef } from './modules';
import { basename } from 'node:path';
import type { PythonInterpreter } from './interpreter';
import { execAssign, assignTarget } from './statements';
import { moduleAttr, loadModule } from './imports';
import { makeFunction, callFunction, instantiate, callKerasObject, trace, userBuild } from './definitions';
import { customLayerApi, kerasObjectMethod, rememberLambda, superBuiltin } from './custom-layers';
import { dataMethod, iterate } from './methods';
import { asList, operatorOp, tensorIndex, tensorMethod, unaryOp, type KeyPart } from './ops-api';
import { arith, compareValues, pySlice, decodeEscape, formatSpec, ownString, percentFormat } from './helpers';

// ---------------------------------------------------------------------------------------------
// Expressions
export function evaluate(ip: PythonInterpreter, node: PyNode, scope: Scope): Value {
  ip.budget.step();
  switch (node.type) {
    case 'identifier': {
      const name = ip.text(node);
      const v = scope.lookup(name) ?? ip.builtins.get(name);
      if (v) return v;
      ip.undefinedName(name, node);
      return unknown(`name ${name}`);
    }
    case 'integer': {
      const t = ip.text(node).replace(/_/g, '').toLowerCase();
      const v = t.startsWith('0x') ? parseInt(t.slice(2), 16) : t.startsWith('0o') ? parseInt(t.slice(2), 8) : t.startsWith('0b') ? parseInt(t.slice(2), 2) : Number(t.replace(/[lj]$/, ''));
      return num(v, true);
    }
    case 'float':
      return num(Number(ip.text(node).replace(/_/g, '')), false);
    case 'true':
      return TRUE;
    case 'false':
      return FALSE;
    case 'none':
      return NONE;
    case 'ellipsis':
      return unknown();
    case 'string':
      return evalString(ip, node, scope);
    case 'concatenated_string': {
      let s = '';
      for (const c of namedChildren(node)) {
        const v = evalString(ip, c, scope);
        if (v.k !== 'str') return unknown();
        s += v.v;
      }
      return str(s);
    }
    case 'parenthesized_expression': {
      const inner = namedChildren(node)[0];
      return inner ? evaluate(ip, inner, scope) : unknown();
    }
    case 'tuple':
    case 'expression_list':
      return tuple(evalItems(ip, namedChildren(node), scope));
    case 'list':
      return list(evalItems(ip, namedChildren(node), scope));
    case 'set':
      return list(evalItems(ip, namedChildren(node), scope));
    case 'dictionary': {
      const d = makeDict([]);
      for (const c of namedChildren(node)) {
        if (c.type === 'pair') {
          const k = evaluate(ip, field(c, 'key')!, scope);
          const v = evaluate(ip, field(c, 'value')!, scope);
          const key = dictKey(k);
          if (key !== null) {
            d.map.set(key, v);
            d.keys.set(key, k);
          }
        } else if (c.type === 'dictionary_splat') {
          const v = evaluate(ip, namedChildren(c)[0], scope);
          if (v.k === 'dict') for (const [k, val] of v.map) {
            d.map.set(k, val);
            d.keys.set(k, v.keys.get(k)!);
          }
        }
      }
      return d;
    }
    case 'binary_operator': {
      const l = evaluate(ip, field(node, 'left')!, scope);
      const r = evaluate(ip, field(node, 'right')!, scope);
      return binary(ip, ip.text(field(node, 'operator')!), l, r, ip.layerRange(ip.range(node)));
    }
    case 'unary_operator': {
      const v = evaluate(ip, field(node, 'argument')!, scope);
      const op = ip.text(field(node, 'operator')!);
      if (v.k === 'tensor') return unaryOp(op, v, ip.layerRange(ip.range(node)), ip.rt) ?? unknown();
      if (v.k === 'num') return op === '-' ? num(-v.v, v.int) : op === '~' ? num(~v.v, true) : v;
      if (v.k === 'bool') return op === '-' ? num(-Number(v.v), true) : num(Number(v.v), true);
      return unknown();
    }
    case 'not_operator': {
      const t = truthy(evaluate(ip, field(node, 'argument')!, scope));
      return t === null ? unknown() : bool(!t);
    }
    case 'boolean_operator': {
      const l = evaluate(ip, field(node, 'left')!, scope);
      const op = ip.text(field(node, 'operator')!);
      const t = truthy(l);
      if (t === null) return unknown();
      if (op === 'and') return t ? evaluate(ip, field(node, 'right')!, scope) : l;
      return t ? l : evaluate(ip, field(node, 'right')!, scope);
    }
    case 'comparison_operator':
      return compare(ip, node, scope);
    case 'conditional_expression': {
      const [a, cond, b] = namedChildren(node);
      const t = truthy(evaluate(ip, cond, scope));
      if (t === null) {
        // Like an undecidable `if`: a tensor (or model) from the first branch, marked assumed, so
        // the layers it went through are not dropped; plain values are unknown.
        const v = evaluate(ip, a, scope);
        const why = `Shape Lens cannot tell whether the condition at ${ip.rangeText(cond)} holds and assumed it does`;
        if (v.k === 'tensor') ip.rt.builder.assume(v.t, why);
        else if (v.k === 'model') ip.rt.incomplete(v, why);
        else return unknown(why);
        return v;
      }
      return evaluate(ip, t ? a : b, scope);
    }
    case 'attribute': {
      const obj = evaluate(ip, field(node, 'object')!, scope);
      const attr = field(node, 'attribute');
      return attr ? getAttr(ip, obj, ip.text(attr), node) : unknown();
    }
    case 'subscript':
      return evalSubscript(ip, node, scope);
    case 'call':
      return evalCall(ip, node, scope);
    case 'lambda':
      return makeFunction(ip, node, scope, '<lambda>');
    case 'list_comprehension':
    case 'generator_expression':
    case 'set_comprehension':
      return comprehension(ip, node, scope, 'list');
    case 'dictionary_comprehension':
      return comprehension(ip, node, scope, 'dict');
    case 'named_expression': {
      const v = evaluate(ip, field(node, 'value')!, scope);
      const n = field(node, 'name');
      if (n) scope.assign(ip.text(n), v);
      return v;
    }
    case 'assignment':
      return execAssign(ip, node, scope);
    case 'await':
      return evaluate(ip, namedChildren(node)[0], scope);
    default:
      return unknown();
  }
}

export function evalItems(ip: PythonInterpreter, nodes: PyNode[], scope: Scope): Value[] {
  const out: Value[] = [];
  for (const n of nodes) {
    if (n.type === 'list_splat' || n.type === 'list_splat_pattern') {
      const items = iterate(ip, evaluate(ip, namedChildren(n)[0], scope));
      if (items) out.push(...items);
      else out.push(unknown());
    } else out.push(evaluate(ip, n, scope));
  }
  return out;
}

export function evalString(ip: PythonInterpreter, node: PyNode, scope: Scope): Value {
  if (node.type !== 'string') return evaluate(ip, node, scope);
  const startNode = node.children.find((c) => c.type === 'string_start');
  const prefix = startNode ? ip.text(startNode).replace(/['"]/g, '').toLowerCase() : '';
  const raw = prefix.includes('r');
  let s = '';
  for (const c of node.children) {
    if (c.type === 'string_content') {
      const t = ip.text(c);
      s += raw ? t : t;
      // escape sequences are separate children in tree-sitter-python; content is literal
    } else if (c.type === 'escape_sequence') {
      s += raw ? ip.text(c) : decodeEscape(ip.text(c));
    } else if (c.type === 'interpolation') {
      const e = field(c, 'expression');
      const v = e ? evaluate(ip, e, scope) : unknown();
      const conv = c.children.find((x) => x.type === 'type_conversion');
      const spec = c.children.find((x) => x.type === 'format_specifier');
      // The spec's text is not a node of its own (the compact tree keeps only its ':'): it runs to the closing brace.
      const specText = spec ? ip.file.text.slice(spec.start + 1, c.end - 1) : '';
      const rendered = conv && ip.text(conv) === '!r' ? pyRepr(v) : spec ? formatSpec(v, specText) : pyStr(v);
      if (rendered === null) return unknown();
      s += rendered;
    }
  }
  return str(ownString(s));
}

export function compare(ip: PythonInterpreter, node: PyNode, scope: Scope): Value {
  const operands = namedChildren(node);
  const ops = fields(node, 'operators').map((o) => ip.text(o).replace(/\s+/g, ' '));
  let left = evaluate(ip, operands[0], scope);
  if (ops.length === 1 && operands.length === 2) {
    // `x > 0` on a tensor is a Keras operation (`ops.greater`).
    const right = evaluate(ip, operands[1], scope);
    const op = operatorOp(ops[0], left, right, ip.layerRange(ip.range(node)), ip.rt);
    if (op) return op;
    const r = compareValues(ops[0], left, right);
    return r === null ? unknown() : bool(r);
  }
  let result: boolean | null = true;
  for (let i = 0; i < ops.length && i + 1 < operands.length; i++) {
    const right = evaluate(ip, operands[i + 1], scope);
    const r = compareValues(ops[i], left, right);
    if (r === false) return FALSE;
    if (r === null) result = null;
    left = right;
  }
  return result === null ? unknown() : bool(result);
}

export function binary(ip: PythonInterpreter, op: string, l: Value, r: Value, range?: SourceRange): Value {
  // Arithmetic on KerasTensors is a Keras operation (`x + inputs` in a residual block, `q @ k`).
  const tensorOp = operatorOp(op, l, r, range, ip.rt);
  if (tensorOp) return tensorOp;
  if (l.k === 'bool') l = num(Number(l.v), true);
  if (r.k === 'bool') r = num(Number(r.v), true);
  if (l.k === 'num' && r.k === 'num') return arith(op, l, r);
  const size = sizeArithmetic(op, l, r);
  if (size) return size;
  if (op === '+') {
    if (l.k === 'str' && r.k === 'str') return str(l.v + r.v);
    if (l.k === 'list' && r.k === 'list') return list([...l.items, ...r.items]);
    if (l.k === 'tuple' && r.k === 'tuple') return tuple([...l.items, ...r.items]);
  }
  if (op === '*') {
    const [seq, n] = l.k === 'num' ? [r, l] : [l, r];
    if (n.k === 'num' && n.int) {
      const times = Math.max(0, n.v);
      const size = times * (seq.k === 'str' ? seq.v.length : seq.k === 'list' || seq.k === 'tuple' ? seq.items.length : 0);
      // Beyond this the value would only cost memory; code using it gets Unknown, not a wrong size.
      if (size > 100000) return unknown('repetition too large');
      if (seq.k === 'str') return str(seq.v.repeat(times));
      if (seq.k === 'list' || seq.k === 'tuple') {
        const items: Value[] = [];
        for (let i = 0; i < times; i++) items.push(...seq.items);
        return seq.k === 'list' ? list(items) : tuple(items);
      }
    }
  }
  if (op === '%' && l.k === 'str') return percentFormat(l.v, r);
  return unknown();
}

export function evalSubscript(ip: PythonInterpreter, node: PyNode, scope: Scope): Value {
  const obj = evaluate(ip, field(node, 'value')!, scope);
  const subs = fields(node, 'subscript');
  if (obj.k === 'tensor') return tensorSubscript(ip, obj.t, subs, node, scope);
  if (subs.length !== 1) return unknown();
  const sub = subs[0];
  if (sub.type === 'slice') {
    const parts: (number | null)[] = [null, null, null];
    let idx = 0;
    for (const c of sub.children) {
      if (c.type === ':') idx++;
      else if (c.named) {
        const v = evaluate(ip, c, scope);
        if (v.k !== 'num' && v.k !== 'none') return unknown();
        parts[idx] = v.k === 'num' ? v.v : null;
      }
    }
    const items = obj.k === 'str' ? [...obj.v].map(str) : sequenceItems(obj);
    if (!items) return unknown();
    const sliced = pySlice(items, parts[0], parts[1], parts[2]);
    if (obj.k === 'str') return str(sliced.map((x) => (x as { v: string }).v).join(''));
    return obj.k === 'list' ? list(sliced) : tuple(sliced);
  }
  const key = evaluate(ip, sub, scope);
  if (obj.k === 'dict') {
    const k = dictKey(key);
    return (k !== null && obj.map.get(k)) || unknown();
  }
  const items = obj.k === 'str' ? [...obj.v].map(str) : sequenceItems(obj);
  if (items && key.k === 'num') {
    const i = key.v < 0 ? items.length + key.v : key.v;
    return items[i] ?? unknown();
  }
  return unknown();
}

/** `x[:, 0]`, `x[..., None]`, `x[:, 1:-1, ::2]`, `tf.shape(x)[0]` on a tensor. */
function tensorSubscript(ip: PythonInterpreter, t: SymbolicTensor, subs: PyNode[], node: PyNode, scope: Scope): Value {
  const parts: KeyPart[] = [];
  // `x[a, b]` may also arrive as one tuple subscript.
  const items = subs.length === 1 && subs[0].type === 'tuple' ? namedChildren(subs[0]) : subs;
  for (const sub of items) {
    if (sub.type === 'ellipsis') parts.push('ellipsis');
    else if (sub.type === 'slice') {
      const bounds: Value[] = [NONE, NONE, NONE];
      let idx = 0;
      for (const c of sub.children) {
        if (c.type === ':') idx++;
        else if (c.named && idx < 3) bounds[idx] = evaluate(ip, c, scope);
      }
      parts.push({ slice: [bounds[0], bounds[1], bounds[2]] });
    } else parts.push(evaluate(ip, sub, scope));
  }
  return tensorIndex(t, parts, items === subs && subs.length === 1, ip.layerRange(ip.range(node)), ip.rt);
}

export function comprehension(ip: PythonInterpreter, node: PyNode, scope: Scope, kind: 'list' | 'dict'): Value {
  const body = field(node, 'body');
  if (!body) return unknown();
  const clauses = node.children.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
  const inner = new Scope(scope, scope.module ?? scope, 'function');
  const out: Value[] = [];
  const pairs: [Value, Value][] = [];
  let ok = true;
  const run = (i: number): void => {
    if (!ok) return;
    if (i === clauses.length) {
      if (kind === 'dict' && body.type === 'pair') pairs.push([evaluate(ip, field(body, 'key')!, inner), evaluate(ip, field(body, 'value')!, inner)]);
      else out.push(evaluate(ip, body, inner));
      return;
    }
    const c = clauses[i];
    if (c.type === 'if_clause') {
      const t = truthy(evaluate(ip, namedChildren(c)[0], inner));
      if (t === null) ok = false;
      else if (t) run(i + 1);
      return;
    }
    const items = iterate(ip, evaluate(ip, field(c, 'right')!, inner));
    const left = field(c, 'left');
    if (!items || !left) {
      ok = false;
      return;
    }
    if (items.length > ip.budget.limits.loopIterations) {
      ok = false;
      return;
    }
    for (const item of items) {
      assignTarget(ip, left, item, inner);
      run(i + 1);
    }
  };
  run(0);
  if (!ok) return unknown();
  return kind === 'dict' ? makeDict(pairs) : list(out);
}

export function getAttr(ip: PythonInterpreter, obj: Value, name: string, node: PyNode): Value {
  switch (obj.k) {
    case 'api':
      return { k: 'api', path: apiPath(obj.path, name) };
    case 'module': {
      const v = moduleAttr(ip, obj, name);
      if (v) return v;
      // A package's submodule nothing imported yet (Python would need the import; be lenient).
      const rec = ip.moduleRecs.get(obj);
      const sub = rec && basename(rec.path) === '__init__.py' ? ip.opts.host?.resolver.resolve(rec.path, name, 1) : undefined;
      return sub ? loadModule(ip, sub).value : unknown(`${obj.name}.${name}`);
    }
    case 'object': {
      const v = obj.attrs.get(name);
      if (v) return v;
      const cv = (obj.cls.def as ClassDef).attrs.get(name);
      if (cv?.k === 'func') return { k: 'bound', self: obj, fn: cv };
      if (cv) return cv;
      const base = ip.kerasState.get(obj)?.base;
      const fromBase = base && ip.rt.attr({ k: 'layer', node: base }, name);
      if (fromBase) return fromBase;
      if (ip.kerasState.has(obj)) return { k: 'bound', self: obj, fn: { k: 'builtin', name, call: () => unknown() } };
      return unknown();
    }
    case 'class': {
      const v = (obj.def as ClassDef).attrs.get(name);
      return v ?? unknown();
    }
    case 'unknown':
      return argparseAttr(ip, obj, name) ?? kerasNameOnUnknown(name) ?? unknown();
    case 'layer':
    case 'model':
    case 'tensor': {
      const v = ip.rt.attr(obj, name);
      if (v) return v;
      return { k: 'bound', self: obj, fn: { k: 'builtin', name, call: () => unknown() } };
    }
    case 'dict':
    case 'list':
    case 'str':
    case 'tuple':
      return { k: 'bound', self: obj, fn: { k: 'builtin', name, call: () => unknown() } };
    default:
      void node;
      return unknown();
  }
}

export function evalCall(ip: PythonInterpreter, node: PyNode, scope: Scope): Value {
  const fnNode = field(node, 'function');
  const argNode = field(node, 'arguments');
  if (!fnNode) return unknown();
  const args: CallArgs = { positional: [], keywords: new Map() };
  if (argNode?.type === 'generator_expression') args.positional.push(evaluate(ip, argNode, scope));
  else if (argNode) {
    const argNodes = namedChildren(argNode);
    for (let i = 0; i < argNodes.length; i++) {
      const a = argNodes[i];
      if (a.type === 'keyword_argument') {
        const n = field(a, 'name');
        const v = field(a, 'value');
        if (n && v) args.keywords.set(ip.text(n), evaluate(ip, v, scope));
      } else if (a.type === 'list_splat') {
        const items = iterate(ip, evaluate(ip, namedChildren(a)[0], scope));
        if (items) args.positional.push(...items);
        else {
          args.positional.push(unknown());
          args.rest = 'splat';
        }
      } else if (a.type === 'dictionary_splat') {
        const d = evaluate(ip, namedChildren(a)[0], scope);
        if (d.k === 'dict') for (const [k, v] of d.map) args.keywords.set(k, v);
        else args.rest = 'splat';
      } else args.positional.push(evaluate(ip, a, scope));
    }
  }
  const viaSuper = superCall(ip, fnNode, args, scope);
  if (viaSuper) return viaSuper;
  const callee = evaluate(ip, fnNode, scope);
  const result = callValue(ip, callee, args, ip.range(node), scope);
  if (result.k === 'unknown' && (callee.k === 'unknown' || callee.k === 'api')) {
    // An unknown callable: applied to tensors, an opaque layer keeps the graph connected;
    // otherwise its result is labelled so a Sequential it is added to can show it.
    const inner = fnNode.type === 'call' ? field(fnNode, 'function') ?? fnNode : fnNode;
    const label = ip.text(inner).replace(/\s+/g, '').slice(0, 60);
    const tensors = args.positional.flatMap((a) => ip.rt.tensors(a) ?? []);
    const where = ip.layerRange(ip.range(node));
    if (tensors.length > 0) return ip.rt.opaque(label, tensors, where);
    // An open size (`math.floor(size / 2)`) keeps its formula.
    if (!result.formula && (result.why === undefined || !result.why.startsWith('call:'))) return unknown(`call:${label}`, where);
  }
  return result;
}

/**
 * `super().method(...)` inside a method: runs the first user base class that defines it; for
 * `super().__init__(name=...)` in a Keras subclass, records the Keras name.
 */
export function superCall(ip: PythonInterpreter, fnNode: PyNode, args: CallArgs, scope: Scope): Value | undefined {
  if (fnNode.type !== 'attribute') return undefined;
  const obj = field(fnNode, 'object');
  const fnName = obj?.type === 'call' ? field(obj, 'function') : undefined;
  if (!fnName || ip.text(fnName) !== 'super') return undefined;
  const method = ip.text(field(fnNode, 'attribute') ?? fnNode);
  const self = scope.lookup('self');
  if (self?.k !== 'object') return unknown();
  const st = ip.kerasState.get(self);
  const name = args.keywords.get('name');
  if (st && method === '__init__' && name?.k === 'str') st.kerasName = name.v;
  for (const base of self.cls.bases) {
    if (base.k !== 'class') continue;
    const fn = (base.def as ClassDef).attrs.get(method);
    if (fn?.k === 'func') return callFunction(ip, fn, args, self, ip.range(fnNode));
  }
  return superBuiltin(ip, self, method, args, ip.layerRange(ip.range(fnNode))) ?? NONE;
}

export function callValue(ip: PythonInterpreter, callee: Value, args: CallArgs, range: SourceRange, scope: Scope): Value {
  switch (callee.k) {
    case 'func':
      return callFunction(ip, callee, args, null, range);
    case 'builtin':
      return callee.call(args, range);
    case 'class':
      return instantiate(ip, callee, args, range);
    case 'api': {
      const custom = customLayerApi(ip, callee.path, args);
      if (custom) return custom;
      const made = callKerasApi(callee.path, args, ip.layerRange(range), ip.rt) ?? argumentParser(callee.path, range) ?? unknown();
      rememberLambda(ip, made, args, (fn, a) => callValue(ip, fn, a, range, scope));
      return made;
    }
    case 'layer':
    case 'model':
      // Other tensors passed (`initial_state=[h, c]`, a second positional tensor) keep their layers in the graph.
      return ip.rt.callWith(callee, args.positional, args.keywords, ip.layerRange(range));
    case 'object': {
      if (ip.kerasState.has(callee)) return callKerasObject(ip, callee, args.positional[0] ?? unknown(), args, range);
      const call = (callee.cls.def as ClassDef).attrs.get('__call__');
      return call?.k === 'func' ? callFunction(ip, call, args, callee, range) : unknown();
    }
    case 'bound':
      return callMethod(ip, callee.self, callee.fn, args, range, scope);
    default:
      return unknown();
  }
}

export function callMethod(ip: PythonInterpreter, self: Value, fn: Value, args: CallArgs, range: SourceRange, _scope: Scope): Value {
  if (fn.k === 'func') return userBuild(ip, self, fn, args, range) ?? callFunction(ip, fn, args, self, range);
  const name = fn.k === 'builtin' ? fn.name : '';
  if (self.k === 'object' && ip.kerasState.has(self)) {
    const st = ip.kerasState.get(self)!;
    const own = kerasObjectMethod(ip, self, name, args);
    if (own) return own;
    if (name === 'build') {
      const shape = args.positional[0] ? shapeFromValue(args.positional[0]) : undefined;
      if (shape !== undefined && !st.traced) {
        st.buildShape = shape;
        if (st.tracked.length > 0 || (self.cls.def as ClassDef).attrs.has('call')) trace(ip, self, [shape], { positional: [], keywords: new Map() }, range);
      }
      return NONE;
    }
    if (name === 'summary' || name === 'compile' || name === 'fit') return NONE;
    if (st.traced) return ip.rt.method(st.traced, name, args.positional, range) ?? unknown();
    return unknown();
  }
  if (self.k === 'tensor') {
    const r = tensorMethod(self.t, name, args, ip.layerRange(range), ip.rt);
    if (r) return r;
  }
  if (self.k === 'layer' || self.k === 'model' || self.k === 'tensor') {
    return ip.rt.method(self, name, args.positional, ip.layerRange(range)) ?? unknown();
  }
  if (name === 'as_list') return asList(self) ?? unknown();
  return dataMethod(ip, self, name, args);
}
