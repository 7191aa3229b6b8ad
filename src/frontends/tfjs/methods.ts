// Methods of JS values (arrays, strings, Map / Set / object helpers) and iteration over them.

import { bool, FALSE, list, NONE, num, sequenceItems, str, TRUE, unknown, valuesEqual, type Value } from '../common/values';
import type { JsInterpreter } from './interpreter';
import { callFunction } from './definitions';
import { jsTruthy, jsString } from './helpers';

export function builtinFn(ip: JsInterpreter, name: string, call: (args: Value[]) => Value): Value {
  return { k: 'builtin', name, call: (a) => call(a.positional) };
}

export function callable(ip: JsInterpreter, f: Value | undefined, args: Value[]): Value {
  if (!f) return unknown();
  if (f.k === 'func') return callFunction(ip, f, args, null, { start: 0, end: 0 });
  if (f.k === 'builtin') return f.call({ positional: args, keywords: new Map() }, { start: 0, end: 0 });
  return unknown();
}

export function arrayMethod(ip: JsInterpreter, arr: Value & { k: 'list' | 'tuple' }, key: string): Value {
  const items = arr.items;
  const cap = (n: number) => n <= ip.budget.limits.loopIterations;
  switch (key) {
    case 'push':
      return builtinFn(ip, key, (a) => {
        items.push(...a);
        return num(items.length);
      });
    case 'pop':
      return builtinFn(ip, key, () => items.pop() ?? NONE);
    case 'shift':
      return builtinFn(ip, key, () => items.shift() ?? NONE);
    case 'unshift':
      return builtinFn(ip, key, (a) => {
        items.unshift(...a);
        return num(items.length);
      });
    case 'concat':
      return builtinFn(ip, key, (a) => {
        const out = [...items];
        for (const x of a) {
          const xs = sequenceItems(x);
          if (xs) out.push(...xs);
          else out.push(x);
        }
        return list(out);
      });
    case 'slice':
      return builtinFn(ip, key, (a) => {
        const s = a[0]?.k === 'num' ? a[0].v : 0;
        const e = a[1]?.k === 'num' ? a[1].v : undefined;
        return list(items.slice(s, e));
      });
    case 'splice':
      // Mutates the array (`shape.splice(-2, 1)` in a computeOutputShape): done exactly, or the array's content is lost.
      return builtinFn(ip, key, (a) => {
        const start = a[0]?.k === 'num' ? a[0].v : null;
        const count = a.length < 2 ? items.length : a[1]?.k === 'num' ? a[1].v : null;
        if (start === null || count === null || !Number.isInteger(start) || !Number.isInteger(count)) {
          items.splice(0, items.length, unknown('an array changed by splice'));
          return unknown();
        }
        return list(items.splice(start, Math.max(0, count), ...a.slice(2)));
      });
    case 'map':
    case 'forEach':
    case 'filter':
      return builtinFn(ip, key, (a) => {
        if (!cap(items.length)) return unknown();
        const out: Value[] = [];
        for (let i = 0; i < items.length; i++) {
          const r = callable(ip, a[0], [items[i], num(i), arr]);
          if (key === 'map') out.push(r);
          else if (key === 'filter') {
            const t = jsTruthy(r);
            if (t === null) return unknown();
            if (t) out.push(items[i]);
          }
        }
        return key === 'forEach' ? NONE : list(out);
      });
    case 'reduce':
      return builtinFn(ip, key, (a) => {
        if (!cap(items.length)) return unknown();
        let acc = a.length > 1 ? a[1] : items[0];
        for (let i = a.length > 1 ? 0 : 1; i < items.length; i++) acc = callable(ip, a[0], [acc, items[i], num(i), arr]);
        return acc ?? unknown();
      });
    case 'includes':
      return builtinFn(ip, key, (a) => {
        const r = items.map((x) => valuesEqual(x, a[0] ?? NONE));
        return r.includes(true) ? TRUE : r.includes(null) ? unknown() : FALSE;
      });
    case 'indexOf':
      return builtinFn(ip, key, (a) => num(items.findIndex((x) => valuesEqual(x, a[0] ?? NONE) === true)));
    case 'join':
      return builtinFn(ip, key, (a) => {
        const parts = items.map(jsString);
        if (parts.some((p) => p === null)) return unknown();
        return str(parts.join(a[0]?.k === 'str' ? a[0].v : ','));
      });
    case 'reverse':
      return builtinFn(ip, key, () => {
        items.reverse();
        return arr;
      });
    case 'fill':
      return builtinFn(ip, key, (a) => {
        items.fill(a[0] ?? NONE);
        return arr;
      });
    case 'keys':
      return builtinFn(ip, key, () => list(items.map((_, i) => num(i))));
    case 'entries':
      return builtinFn(ip, key, () => list(items.map((x, i) => list([num(i), x]))));
    case 'flat':
      return builtinFn(ip, key, () => list(items.flatMap((x) => sequenceItems(x) ?? [x])));
    default:
      return unknown();
  }
}

export function stringMethod(ip: JsInterpreter, s: Value & { k: 'str' }, key: string): Value {
  switch (key) {
    case 'toUpperCase':
      return builtinFn(ip, key, () => str(s.v.toUpperCase()));
    case 'toLowerCase':
      return builtinFn(ip, key, () => str(s.v.toLowerCase()));
    case 'trim':
      return builtinFn(ip, key, () => str(s.v.trim()));
    case 'repeat':
      return builtinFn(ip, key, (a) => (a[0]?.k === 'num' && a[0].v * s.v.length <= 100000 && a[0].v >= 0 ? str(s.v.repeat(a[0].v)) : unknown('repeat too large')));
    case 'padStart':
    case 'padEnd':
      return builtinFn(ip, key, (a) => (a[0]?.k === 'num' && a[0].v <= 10000 ? str(key === 'padStart' ? s.v.padStart(a[0].v, a[1]?.k === 'str' ? a[1].v : ' ') : s.v.padEnd(a[0].v, a[1]?.k === 'str' ? a[1].v : ' ')) : unknown()));
    case 'split':
      return builtinFn(ip, key, (a) => (a[0]?.k === 'str' ? list(s.v.split(a[0].v).map(str)) : unknown()));
    case 'startsWith':
      return builtinFn(ip, key, (a) => (a[0]?.k === 'str' ? bool(s.v.startsWith(a[0].v)) : unknown()));
    case 'endsWith':
      return builtinFn(ip, key, (a) => (a[0]?.k === 'str' ? bool(s.v.endsWith(a[0].v)) : unknown()));
    case 'includes':
      return builtinFn(ip, key, (a) => (a[0]?.k === 'str' ? bool(s.v.includes(a[0].v)) : unknown()));
    case 'replace':
      return builtinFn(ip, key, (a) => (a[0]?.k === 'str' && a[1]?.k === 'str' ? str(s.v.replace(a[0].v, a[1].v)) : unknown()));
    default:
      return unknown();
  }
}

export function dictMethod(ip: JsInterpreter, d: Value & { k: 'dict' }, key: string): Value | undefined {
  if (key === 'hasOwnProperty') return builtinFn(ip, key, (a) => (a[0]?.k === 'str' ? bool(d.map.has(a[0].v)) : unknown()));
  return undefined;
}

/** Items of an iterable (arrays, strings), or null if not known. */
export function iterate(ip: JsInterpreter, v: Value): Value[] | null {
  if (v.k === 'list' || v.k === 'tuple') return v.items;
  if (v.k === 'str') return [...v.v].map(str);
  return null;
}

export function keysOf(ip: JsInterpreter, v: Value): Value[] | null {
  if (v.k === 'dict') return [...v.map.keys()].map(str);
  if (v.k === 'list' || v.k === 'tuple') return v.items.map((_, i) => str(String(i)));
  return null;
}
