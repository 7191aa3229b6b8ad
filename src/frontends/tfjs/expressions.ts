// JS/TS expressions: literals, operators, members, calls and `new`.

import { tfjsTensorMethod } from './ops-api';
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { SourceRange } from '../../core/diagnostics';
import { bool, list, makeDict, NONE, num, str, unknown, type Value } from '../common/values';
import { callTfjsApi } from './tfjs-api';
import { type JsInterpreter, type N, type Expr, Scope, type FuncDef, type ClassDef } from './interpreter';
import { assignTo } from './statements';
import { importModule } from './imports';
import { makeFunction, makeClass, callFunction, instantiate, instantiateTfjsLayer, tfjsLayerMethod, tfjsSuperCall, unknownArgs } from './definitions';
import { arrayMethod, stringMethod, dictMethod, iterate } from './methods';
import { jsTruthy, jsString, binary } from './helpers';

// ---------------------------------------------------------------------------------------------
// Expressions
export function evaluate(ip: JsInterpreter, node: N, scope: Scope): Value {
  ip.budget.step();
  switch (node.type) {
    case 'Literal': {
      const v = node.value;
      if (typeof v === 'number') return num(v);
      if (typeof v === 'string') return str(v);
      if (typeof v === 'boolean') return bool(v);
      if (v === null) return NONE;
      return unknown();
    }
    case 'Identifier': {
      if (node.name === 'undefined') return NONE;
      const v = scope.lookup(node.name) ?? ip.globals.get(node.name);
      if (v) return v;
      ip.undefinedName(node);
      return unknown(`name ${node.name}`);
    }
    case 'ThisExpression':
      return scope.lookup('this') ?? NONE;
    case 'TemplateLiteral': {
      let s = '';
      for (let i = 0; i < node.quasis.length; i++) {
        s += node.quasis[i].value.cooked ?? '';
        if (i < node.expressions.length) {
          const part = jsString(evaluate(ip, node.expressions[i], scope));
          if (part === null) return unknown();
          s += part;
        }
      }
      return str(s);
    }
    case 'ArrayExpression': {
      const items: Value[] = [];
      for (const el of node.elements) {
        if (!el) items.push(NONE);
        else if (el.type === 'SpreadElement') {
          const spread = iterate(ip, evaluate(ip, el.argument, scope));
          if (!spread) return unknown();
          items.push(...spread);
        } else items.push(evaluate(ip, el, scope));
      }
      return list(items);
    }
    case 'ObjectExpression': {
      const d = makeDict([]);
      for (const p of node.properties) {
        if (p.type === 'SpreadElement') {
          const src = evaluate(ip, p.argument, scope);
          if (src.k === 'dict') for (const [k, v] of src.map) {
            d.map.set(k, v);
            d.keys.set(k, src.keys.get(k)!);
          }
          continue;
        }
        const key = propKey(ip, p, scope);
        if (key === null) continue;
        const value = p.value.type === 'FunctionExpression' || p.value.type === 'ArrowFunctionExpression'
          ? makeFunction(ip, p.value, scope, key)
          : evaluate(ip, p.value as Expr, scope);
        d.map.set(key, value);
        d.keys.set(key, str(key));
      }
      return d;
    }
    case 'FunctionExpression':
      return makeFunction(ip, node, scope, node.id?.name ?? '<function>');
    case 'ArrowFunctionExpression':
      return makeFunction(ip, node, scope, '<arrow>');
    case 'ClassExpression':
      return makeClass(ip, node, scope);
    case 'UnaryExpression':
      return unary(ip, node, scope);
    case 'UpdateExpression': {
      const cur = evaluate(ip, node.argument, scope);
      if (cur.k !== 'num') {
        assignTo(ip, node.argument, unknown(), scope);
        return unknown();
      }
      const next = num(cur.v + (node.operator === '++' ? 1 : -1));
      assignTo(ip, node.argument, next, scope);
      return node.prefix ? next : cur;
    }
    case 'BinaryExpression':
      if (node.left.type === 'PrivateIdentifier') return unknown();
      return binary(node.operator, evaluate(ip, node.left, scope), evaluate(ip, node.right, scope));
    case 'LogicalExpression': {
      const l = evaluate(ip, node.left, scope);
      if (node.operator === '??') return l.k === 'none' ? evaluate(ip, node.right, scope) : l.k === 'unknown' ? unknown() : l;
      const t = jsTruthy(l);
      if (t === null) return unknown();
      if (node.operator === '&&') return t ? evaluate(ip, node.right, scope) : l;
      return t ? l : evaluate(ip, node.right, scope);
    }
    case 'ConditionalExpression': {
      const t = jsTruthy(evaluate(ip, node.test, scope));
      if (t === null) return unknown();
      return evaluate(ip, t ? node.consequent : node.alternate, scope);
    }
    case 'AssignmentExpression': {
      let v = evaluate(ip, node.right, scope);
      if (node.operator !== '=') {
        const cur = evaluate(ip, node.left as Expr, scope);
        const op = node.operator.slice(0, -1);
        if (op === '&&' || op === '||' || op === '??') {
          const t = op === '??' ? cur.k !== 'none' : jsTruthy(cur);
          if (t === null) v = unknown();
          else v = (op === '&&' ? t : !t) ? v : cur;
        } else v = binary(op, cur, v);
      }
      assignTo(ip, node.left, v, scope);
      return v;
    }
    case 'SequenceExpression': {
      let v: Value = NONE;
      for (const e of node.expressions) v = evaluate(ip, e, scope);
      return v;
    }
    case 'MemberExpression': {
      const obj = evaluate(ip, node.object, scope);
      if (node.optional && obj.k === 'none') return NONE;
      const key = node.computed ? keyOf(ip, evaluate(ip, node.property, scope)) : node.property.type === 'Identifier' ? node.property.name : null;
      return key === null ? unknown() : getProp(ip, obj, key);
    }
    case 'ChainExpression':
      return evaluate(ip, node.expression, scope);
    case 'CallExpression':
      return evalCall(ip, node, scope);
    case 'NewExpression': {
      const callee = evaluate(ip, node.callee, scope);
      const args = evalArgs(ip, node.arguments, scope);
      if (!args) return unknown();
      if (callee.k === 'class') return instantiateTfjsLayer(ip, callee, args, ip.range(node)) ?? instantiate(ip, callee, args, ip.range(node));
      if (callee.k === 'builtin' && callee.name === 'Array') return callee.call({ positional: args, keywords: new Map() }, ip.range(node));
      return unknown();
    }
    case 'AwaitExpression':
      return evaluate(ip, node.argument, scope);
    case 'TSAsExpression':
    case 'TSNonNullExpression':
    case 'TSTypeAssertion':
    case 'TSSatisfiesExpression':
    case 'TSInstantiationExpression':
      return evaluate(ip, node.expression, scope);
    case 'SpreadElement':
      return evaluate(ip, node.argument, scope);
    default:
      return unknown();
  }
}

export function unary(ip: JsInterpreter, node: TSESTree.UnaryExpression, scope: Scope): Value {
  // `typeof name` is how JS asks whether a global exists: no ReferenceError.
  if (node.operator === 'typeof' && node.argument.type === 'Identifier' && !scope.lookup(node.argument.name) && !ip.globals.has(node.argument.name)) return unknown();
  const v = evaluate(ip, node.argument, scope);
  switch (node.operator) {
    case '-':
      return v.k === 'num' ? num(-v.v) : unknown();
    case '+':
      return v.k === 'num' ? v : v.k === 'str' && v.v.trim() !== '' && !Number.isNaN(Number(v.v)) ? num(Number(v.v)) : unknown();
    case '!': {
      const t = jsTruthy(v);
      return t === null ? unknown() : bool(!t);
    }
    case '~':
      return v.k === 'num' ? num(~v.v) : unknown();
    case 'typeof':
      return v.k === 'unknown' ? unknown() : str(v.k === 'num' ? 'number' : v.k === 'str' ? 'string' : v.k === 'bool' ? 'boolean' : v.k === 'none' ? 'undefined' : v.k === 'func' || v.k === 'builtin' || v.k === 'class' ? 'function' : 'object');
    case 'void':
      return NONE;
    default:
      return unknown();
  }
}

export function propKey(ip: JsInterpreter, p: TSESTree.Property, scope: Scope): string | null {
  if (!p.computed && p.key.type === 'Identifier') return p.key.name;
  if (p.key.type === 'Literal') return String(p.key.value);
  return keyOf(ip, evaluate(ip, p.key, scope));
}

export function keyOf(ip: JsInterpreter, v: Value): string | null {
  if (v.k === 'str') return v.v;
  if (v.k === 'num') return String(v.v);
  return null;
}

export function evalArgs(ip: JsInterpreter, nodes: TSESTree.CallExpressionArgument[], scope: Scope): Value[] | null {
  const out: Value[] = [];
  for (const a of nodes) {
    if (a.type === 'SpreadElement') {
      const items = iterate(ip, evaluate(ip, a.argument, scope));
      if (!items) return null;
      out.push(...items);
    } else out.push(evaluate(ip, a, scope));
  }
  return out;
}

export function evalCall(ip: JsInterpreter, node: TSESTree.CallExpression, scope: Scope): Value {
  const range = ip.range(node);
  // `require('x')`
  if (node.callee.type === 'Identifier' && node.callee.name === 'require' && !scope.lookup('require') && node.arguments[0]?.type === 'Literal' && typeof node.arguments[0].value === 'string') {
    return importModule(ip, node.arguments[0].value);
  }
  let receiver: Value | null = null;
  let callee: Value;
  let methodName = '';
  if (node.callee.type === 'MemberExpression') {
    receiver = evaluate(ip, node.callee.object, scope);
    if (node.callee.optional && receiver.k === 'none') return NONE;
    const key = node.callee.computed ? keyOf(ip, evaluate(ip, node.callee.property, scope)) : node.callee.property.type === 'Identifier' ? node.callee.property.name : null;
    if (key === null) return unknown();
    methodName = key;
    callee = getProp(ip, receiver, key);
  } else callee = evaluate(ip, node.callee, scope);
  if (node.optional && callee.k === 'none') return NONE;
  const args = evalArgs(ip, node.arguments, scope);
  if (!args) return unknown();
  if (node.callee.type === 'Super') tfjsSuperCall(scope.lookup('this'), args);
  const own = tfjsLayerMethod(ip, receiver, methodName, args);
  if (own) return own;
  const result = callValue(ip, callee, receiver, methodName, args, range);
  if (result.k === 'unknown' && (callee.k === 'unknown' || callee.k === 'api')) {
    // Callbacks handed to code we cannot follow (`useMemo(() => createModel())`, `.then(m => ...)`)
    // are run once, speculatively: kept only if they build a model.
    for (const a of args) {
      if (a.k === 'func' && !ip.calledFunctions.has((a.def as FuncDef).node)) ip.rt.speculative(() => ip.guard(() => void callFunction(ip, a, unknownArgs(ip, a), null, range)));
    }
    // An unknown callable applied to tensors: an opaque layer keeps the graph connected.
    const tensors = args.flatMap((a) => ip.rt.tensors(a) ?? []);
    const label = ip.text(node.callee).replace(/\s+/g, '').slice(0, 60);
    if (tensors.length > 0 && methodName !== 'apply') return ip.rt.opaque(label, tensors, ip.layerRange(range));
    if (!result.why?.startsWith('call:')) return unknown(`call:${label}`, ip.layerRange(range));
  }
  return result;
}

export function callValue(ip: JsInterpreter, callee: Value, receiver: Value | null, methodName: string, args: Value[], range: SourceRange): Value {
  switch (callee.k) {
    case 'func':
      return callFunction(ip, callee, args, receiver, range);
    case 'builtin':
      return callee.call({ positional: args, keywords: new Map() }, range);
    case 'api':
      return callTfjsApi(callee.path, { positional: args, keywords: new Map() }, ip.layerRange(range), ip.rt) ?? unknown();
    case 'class':
      return unknown('class called without new');
    default:
      break;
  }
  // Methods of layers, models and tensors (`layer.apply(x)`, `model.add(l)`, `model.summary()`).
  if (receiver && (receiver.k === 'layer' || receiver.k === 'model' || receiver.k === 'tensor')) {
    if (receiver.k === 'tensor') {
      const op = tfjsTensorMethod(receiver.t, methodName, args, ip.layerRange(range), ip.rt);
      if (op) return op;
    }
    return ip.rt.method(receiver, methodName, args, ip.layerRange(range)) ?? unknown();
  }
  return unknown();
}

// ---------------------------------------------------------------------------------------------
// Properties and built-in methods
export function getProp(ip: JsInterpreter, obj: Value, key: string): Value {
  switch (obj.k) {
    case 'api':
      return { k: 'api', path: `${obj.path}.${key}` };
    case 'module':
      return obj.attrs.get(key) ?? unknown();
    case 'dict':
      return obj.map.get(key) ?? dictMethod(ip, obj, key) ?? NONE;
    case 'list':
    case 'tuple':
      if (key === 'length') return num(obj.items.length);
      if (/^\d+$/.test(key)) return obj.items[Number(key)] ?? NONE;
      return arrayMethod(ip, obj, key);
    case 'str':
      if (key === 'length') return num(obj.v.length);
      if (/^\d+$/.test(key)) return str(obj.v[Number(key)] ?? '');
      return stringMethod(ip, obj, key);
    case 'object': {
      const v = obj.attrs.get(key);
      if (v) return v;
      const def = obj.cls.def as ClassDef;
      const m = def.methods.get(key);
      if (m && def.getters.has(key)) return callFunction(ip, m, [], obj, { start: 0, end: 0 });
      return m ?? unknown();
    }
    case 'class': {
      for (const el of (obj.def as ClassDef).node.body.body) {
        if (el.type === 'PropertyDefinition' && el.static && el.key.type === 'Identifier' && el.key.name === key && el.value) {
          return evaluate(ip, el.value, (obj.def as ClassDef).closure);
        }
      }
      return unknown();
    }
    case 'builtin':
      return ip.globals.get(`${obj.name}.${key}`) ?? unknown();
    case 'layer':
    case 'model':
    case 'tensor': {
      const v = ip.rt.attr(obj, key);
      if (v) return v.k === 'tuple' ? list(v.items) : v;
      return unknown();
    }
    default:
      return unknown();
  }
}
