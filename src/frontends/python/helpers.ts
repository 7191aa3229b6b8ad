// Pure helpers of the Python interpreter: arithmetic and comparison over values, slicing, string formatting, syntax predicates.

import { dictKey, num, pyRepr, pyStr, sequenceItems, str, unknown, valuesEqual, type Value } from '../common/values';
import { field, type PyNode } from './ast';
import { basename, dirname } from 'node:path';

/**
 * True for a top-level statement that cannot change imported modules: an import, or a statement
 * that calls nothing (outside the bodies of functions it defines) and assigns only plain names.
 */
export function isInert(stmt: PyNode): boolean {
  if (stmt.type === 'import_statement' || stmt.type === 'import_from_statement' || stmt.type === 'future_import_statement') return true;
  const stack = [stmt];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'call' || n.type === 'augmented_assignment' || n.type === 'delete_statement' || n.type === 'ERROR' || n.type === 'named_expression') return false;
    if (n.type === 'assignment' && n.children.some((c) => c.field === 'left' && (c.type === 'attribute' || c.type === 'subscript' || c.children.some((x) => x.type === 'attribute' || x.type === 'subscript')))) return false;
    for (const c of n.children) {
      // A function's body (and a lambda's) runs when it is called, not when it is defined.
      if (c.field === 'body' && (n.type === 'function_definition' || n.type === 'lambda')) continue;
      stack.push(c);
    }
  }
  return true;
}

/** True if `node` calls anything outside `raise` statements and nested definitions. */
/** Methods that change their receiver: a loop Shape Lens cannot run leaves the receiver unknown. */
/** Receivers a mutating call in an unrunnable loop leaves alone (modules of an API, what is unknown already). */
export const KEEP_IN_LOOPS: ReadonlySet<Value['k']> = new Set(['api', 'unknown']);
export const LOOP_MUTATORS = new Set(['append', 'extend', 'insert', 'add', 'update', 'setdefault', 'pop', 'remove', 'clear', 'sort', 'reverse', 'discard']);

/** A module's name as its parent package binds it: `pkg/sub.py` → `sub`, `pkg/__init__.py` → `pkg`. */
export function moduleBaseName(file: string): string {
  const base = basename(file);
  return base === '__init__.py' ? basename(dirname(file)) : base.replace(/\.py$/, '');
}

/** `import a.b.c` of a namespace package (no `a/__init__.py`): `a` is a module holding `b` holding `c`. */
export function namespaceChain(parts: string[], leaf: Value): Value {
  let v = leaf;
  for (let i = parts.length - 2; i >= 0; i--) v = { k: 'module', name: parts[i], attrs: new Map([[parts[i + 1], v]]) };
  return v;
}

/** Stand-ins for the interpreter's builtins in cached namespaces (each analysis has its own builtins). */
export const placeholders = new Map<string, Value & { k: 'builtin' }>();
export function placeholderBuiltin(name: string): Value & { k: 'builtin' } {
  let p = placeholders.get(name);
  if (!p) placeholders.set(name, (p = { k: 'builtin', name, call: () => unknown(name) }));
  return p;
}
export function isPlaceholderBuiltin(v: Value & { k: 'builtin' }): boolean {
  return placeholders.get(v.name) === v;
}

/** Names called anywhere inside `node` (`f(...)`), read from the source text. */
export function calledNames(node: PyNode, text: string): Set<string> {
  const out = new Set<string>();
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'call') {
      const f = field(n, 'function');
      if (f?.type === 'identifier') out.add(text.slice(f.start, f.end));
    }
    const kids = n.children;
    for (let i = 0; i < kids.length; i++) stack.push(kids[i]);
  }
  return out;
}

export const STATEMENT_TYPES = new Set([
  'expression_statement', 'import_statement', 'import_from_statement', 'function_definition', 'decorated_definition',
  'class_definition', 'if_statement', 'for_statement', 'while_statement', 'return_statement', 'with_statement', 'try_statement', 'match_statement',
]);

export function isStatement(type: string): boolean {
  return STATEMENT_TYPES.has(type);
}

export function arith(op: string, l: Value & { k: 'num' }, r: Value & { k: 'num' }): Value {
  const a = l.v;
  const b = r.v;
  const ints = l.int && r.int;
  switch (op) {
    case '+':
      return num(a + b, ints);
    case '-':
      return num(a - b, ints);
    case '*':
      return num(a * b, ints);
    case '/':
      return b === 0 ? unknown('division by zero') : num(a / b, false);
    case '//':
      return b === 0 ? unknown('division by zero') : num(Math.floor(a / b), ints);
    case '%':
      return b === 0 ? unknown('division by zero') : num(a - Math.floor(a / b) * b, ints);
    case '**':
      return num(a ** b, ints && b >= 0);
    case '<<':
      return num(a * 2 ** b, true);
    case '>>':
      return num(Math.floor(a / 2 ** b), true);
    case '&':
      return num(a & b, true);
    case '|':
      return num(a | b, true);
    case '^':
      return num(a ^ b, true);
    default:
      return unknown();
  }
}

export function compareValues(op: string, l: Value, r: Value): boolean | null {
  switch (op) {
    case '==':
      return valuesEqual(l, r);
    case '!=': {
      const e = valuesEqual(l, r);
      return e === null ? null : !e;
    }
    case 'is':
      return l.k === 'none' || r.k === 'none' ? (l.k === 'unknown' || r.k === 'unknown' ? null : l.k === r.k) : valuesEqual(l, r);
    case 'is not': {
      const e = compareValues('is', l, r);
      return e === null ? null : !e;
    }
    case 'in':
    case 'not in': {
      let found: boolean | null = null;
      if (r.k === 'str' && l.k === 'str') found = r.v.includes(l.v);
      else if (r.k === 'dict') {
        const k = dictKey(l);
        found = k === null ? null : r.map.has(k);
      } else {
        const items = sequenceItems(r);
        if (items) {
          found = false;
          for (const x of items) {
            const e = valuesEqual(l, x);
            if (e === true) {
              found = true;
              break;
            }
            if (e === null) found = null;
          }
        }
      }
      return found === null ? null : op === 'in' ? found : !found;
    }
    default: {
      const a = l.k === 'num' || l.k === 'bool' ? Number(l.v) : l.k === 'str' ? l.v : null;
      const b = r.k === 'num' || r.k === 'bool' ? Number(r.v) : r.k === 'str' ? r.v : null;
      if (a === null || b === null || typeof a !== typeof b) return null;
      if (op === '<') return a < b;
      if (op === '>') return a > b;
      if (op === '<=') return a <= b;
      if (op === '>=') return a >= b;
      return null;
    }
  }
}

export function pySlice<T>(items: T[], start: number | null, stop: number | null, step: number | null): T[] {
  const n = items.length;
  const st = step ?? 1;
  if (st === 0) return [];
  const norm = (i: number | null, def: number) => (i === null ? def : i < 0 ? Math.max(n + i, st > 0 ? 0 : -1) : Math.min(i, st > 0 ? n : n - 1));
  const out: T[] = [];
  if (st > 0) for (let i = norm(start, 0); i < norm(stop, n); i += st) out.push(items[i]);
  else for (let i = norm(start, n - 1); i > norm(stop, -1); i += st) out.push(items[i]);
  return out;
}

export function decodeEscape(e: string): string {
  const map: Record<string, string> = { '\\n': '\n', '\\t': '\t', '\\\\': '\\', "\\'": "'", '\\"': '"', '\\r': '\r', '\\0': '\0' };
  return map[e] ?? e;
}

/** A subset of Python's format spec: `d`, `.2f`, `03d`, `>5`. */
export function formatSpec(v: Value, spec: string): string | null {
  if (v.k !== 'num') return pyStr(v);
  const m = /^(0?)(\d*)(?:\.(\d+))?([dfe%s]?)$/.exec(spec);
  if (!m) return pyStr(v);
  let s = m[3] !== undefined ? v.v.toFixed(Number(m[3])) : m[4] === 'd' ? String(Math.trunc(v.v)) : pyStr(v) ?? '';
  if (m[4] === 'f' && m[3] === undefined) s = v.v.toFixed(6);
  const width = m[2] ? Number(m[2]) : 0;
  if (s.length < width) s = (m[1] ? '0' : ' ').repeat(width - s.length) + s;
  return s;
}

/** Python `'%s_%d' % (a, b)` formatting. */
export function percentFormat(fmt: string, args: Value): Value {
  const items = args.k === 'tuple' ? args.items : [args];
  let i = 0;
  let ok = true;
  const out = fmt.replace(/%([-0 ]?\d*(?:\.\d+)?)([sdifr%])/g, (_m, flags: string, conv: string) => {
    if (conv === '%') return '%';
    const v = items[i++];
    if (!v) {
      ok = false;
      return '';
    }
    const s = conv === 'r' ? pyRepr(v) : conv === 's' ? pyStr(v) : formatSpec(v, `${flags}${conv === 'i' ? 'd' : conv}`);
    if (s === null) ok = false;
    return s ?? '';
  });
  return ok ? str(out) : unknown();
}

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * `s` as a string of its own. A slice of 13 characters or more of a text is a view that keeps the
 * whole text alive (V8's sliced strings): names and values kept across edits would keep a version
 * of a large file per edit. Slicing a concatenation copies it first.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : `${s} `.slice(0, -1);
}
