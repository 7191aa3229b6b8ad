// Pure helpers of the JS/TS interpreter: truthiness, string conversion, operators, syntax walks.

import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { bool, num, sizeArithmetic, str, unknown, valuesEqual, type Value } from '../common/values';
import type { N } from './interpreter';

/** `export { a as "b" }`: names may be identifiers or string literals. */
export function moduleExportName(n: TSESTree.Identifier | TSESTree.StringLiteral): string {
  return n.type === 'Identifier' ? n.name : n.value;
}

/** JS truthiness; null when it cannot be known. */
export function jsTruthy(v: Value): boolean | null {
  switch (v.k) {
    case 'num':
      return v.v !== 0 && !Number.isNaN(v.v);
    case 'str':
      return v.v.length > 0;
    case 'bool':
      return v.v;
    case 'none':
      return false;
    case 'unknown':
      return null;
    default:
      return true;
  }
}

/** JS `String(v)` for values that have a known one. */
export function jsString(v: Value): string | null {
  switch (v.k) {
    case 'str':
      return v.v;
    case 'num':
      return String(v.v);
    case 'bool':
      return String(v.v);
    case 'none':
      return 'undefined';
    case 'list':
    case 'tuple': {
      const parts = v.items.map((x) => (x.k === 'none' ? '' : jsString(x)));
      return parts.some((p) => p === null) ? null : parts.join(',');
    }
    default:
      return null;
  }
}

export function binary(op: string, l: Value, r: Value): Value {
  if (op === '+' && (l.k === 'str' || r.k === 'str')) {
    const a = jsString(l);
    const b = jsString(r);
    return a === null || b === null ? unknown() : str(a + b);
  }
  if (op === '===' || op === '==' || op === '!==' || op === '!=') {
    const e = valuesEqual(l, r);
    if (e === null) return unknown();
    return bool(op.startsWith('!') ? !e : e);
  }
  const lb = l.k === 'bool' ? num(Number(l.v)) : l;
  const rb = r.k === 'bool' ? num(Number(r.v)) : r;
  // JS has no integer division: `/` of an open size waits for `Math.floor` / `Math.ceil`.
  const size = sizeArithmetic(op, lb, rb);
  if (size) return size;
  if (lb.k !== 'num' || rb.k !== 'num') {
    if ((op === '<' || op === '>' || op === '<=' || op === '>=') && l.k === 'str' && r.k === 'str') {
      return bool(op === '<' ? l.v < r.v : op === '>' ? l.v > r.v : op === '<=' ? l.v <= r.v : l.v >= r.v);
    }
    return unknown();
  }
  const a = lb.v;
  const b = rb.v;
  switch (op) {
    case '+':
      return num(a + b);
    case '-':
      return num(a - b);
    case '*':
      return num(a * b);
    case '/':
      return num(a / b);
    case '%':
      return num(a % b);
    case '**':
      return num(a ** b);
    case '<':
      return bool(a < b);
    case '>':
      return bool(a > b);
    case '<=':
      return bool(a <= b);
    case '>=':
      return bool(a >= b);
    case '&':
      return num(a & b);
    case '|':
      return num(a | b);
    case '^':
      return num(a ^ b);
    case '<<':
      return num(a << b);
    case '>>':
      return num(a >> b);
    case '>>>':
      return num(a >>> b);
    default:
      return unknown();
  }
}

export function isLoop(n: N): boolean {
  return n.type === 'ForStatement' || n.type === 'ForOfStatement' || n.type === 'ForInStatement' || n.type === 'WhileStatement' || n.type === 'DoWhileStatement';
}

/** Identifiers a statement assigns to (`x = ...`, `x += ...`, `x++`), not counting nested functions. */
/** Methods that change their receiver: a loop Shape Lens cannot run leaves the receiver unknown. */
/** Receivers a mutating call in an unrunnable loop leaves alone (API namespaces, builtins, what is unknown already). */
export const KEEP_IN_LOOPS: ReadonlySet<Value['k']> = new Set(['api', 'unknown', 'builtin']);
export const JS_MUTATORS = new Set(['push', 'unshift', 'splice', 'pop', 'shift', 'sort', 'reverse', 'fill', 'set', 'add', 'delete', 'clear']);

export function assignedIdentifiers(node: N): Set<string> {
  const out = new Set<string>();
  walkEstree(node, (o) => {
    if (o.type === 'AssignmentExpression' && o.left.type === 'Identifier') out.add(o.left.name);
    if (o.type === 'UpdateExpression' && o.argument.type === 'Identifier') out.add(o.argument.name);
    return !(o.type === 'FunctionDeclaration' || o.type === 'FunctionExpression' || o.type === 'ArrowFunctionExpression');
  });
  return out;
}

/**
 * Visits every ESTree node under `node` (iteratively, bounded); `visit` returning false skips
 * that node's children.
 */
export function walkEstree(node: N, visit: (n: N) => boolean | void): void {
  const stack: unknown[] = [node];
  let steps = 0;
  while (stack.length && steps++ < 200000) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    const o = n as Record<string, unknown>;
    if (typeof o.type === 'string' && visit(n as N) === false) continue;
    for (const k in o) if (k !== 'parent' && k !== 'range' && k !== 'loc') stack.push(o[k]);
  }
}

/** True if a statement always leaves its block (throw/return), so an unknown `if` guarding it is a guard clause. */
export function alwaysExits(stmt: N): boolean {
  if (stmt.type === 'ThrowStatement' || stmt.type === 'ReturnStatement') return true;
  if (stmt.type === 'BlockStatement') return stmt.body.length > 0 && alwaysExits(stmt.body[stmt.body.length - 1]);
  return false;
}

/** Names a declaration introduces (for `export const a = 1, b = 2`). */
export function declaredNames(d: N): string[] {
  if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration' || d.type === 'TSEnumDeclaration') && d.id) return [d.id.name];
  if (d.type === 'VariableDeclaration') return d.declarations.flatMap((x) => patternNames(x.id));
  return [];
}

export function patternNames(p: N): string[] {
  switch (p.type) {
    case 'Identifier':
      return [p.name];
    case 'ObjectPattern':
      return p.properties.flatMap((x) => (x.type === 'RestElement' ? patternNames(x.argument) : patternNames(x.value)));
    case 'ArrayPattern':
      return p.elements.flatMap((x) => (x ? patternNames(x) : []));
    case 'AssignmentPattern':
      return patternNames(p.left);
    case 'RestElement':
      return patternNames(p.argument);
    default:
      return [];
  }
}

/** `calledIdentifiers` by node: trees are kept across analyses by incremental.ts (only their ranges change). */
const calledCache = new WeakMap<N, Set<string>>();

/** Identifiers called anywhere inside a node (`f(...)`, `new F()`); the set is shared: read only. */
export function calledIdentifiers(node: N): Set<string> {
  const hit = calledCache.get(node);
  if (hit) return hit;
  const out = new Set<string>();
  walkEstree(node, (o) => {
    if ((o.type === 'CallExpression' || o.type === 'NewExpression') && o.callee.type === 'Identifier') out.add(o.callee.name);
  });
  calledCache.set(node, out);
  return out;
}

