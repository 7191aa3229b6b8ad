// Methods of Python's data values (str, list, dict, tuple, set) and iteration over them.

import { bool, dictKey, list, NONE, num, pyStr, str, tuple, unknown, valuesEqual, type CallArgs, type Value } from '../common/values';
import type { PythonInterpreter } from './interpreter';
import { formatSpec } from './helpers';

/** Methods of lists, dicts and strings that model code uses to build configs and names. */
export function dataMethod(ip: PythonInterpreter, self: Value, name: string, args: CallArgs): Value {
  const a0 = args.positional[0];
  if (self.k === 'list') {
    switch (name) {
      case 'append':
        if (a0) self.items.push(a0);
        return NONE;
      case 'extend': {
        const items = a0 ? iterate(ip, a0) : null;
        if (items) self.items.push(...items);
        return NONE;
      }
      case 'insert':
        if (a0?.k === 'num' && args.positional[1]) self.items.splice(a0.v, 0, args.positional[1]);
        return NONE;
      case 'pop':
        return (a0?.k === 'num' ? self.items.splice(a0.v, 1)[0] : self.items.pop()) ?? unknown();
      case 'copy':
        return list([...self.items]);
      case 'reverse':
        self.items.reverse();
        return NONE;
      case 'index':
        return a0 ? num(self.items.findIndex((x) => valuesEqual(x, a0) === true)) : unknown();
      default:
        return unknown();
    }
  }
  if (self.k === 'dict') {
    switch (name) {
      case 'get': {
        const k = a0 ? dictKey(a0) : null;
        return (k !== null && self.map.get(k)) || args.positional[1] || NONE;
      }
      case 'items':
        return list([...self.map].map(([k, v]) => tuple([self.keys.get(k)!, v])));
      case 'keys':
        return list([...self.keys.values()]);
      case 'values':
        return list([...self.map.values()]);
      case 'update':
        if (a0?.k === 'dict') for (const [k, v] of a0.map) {
          self.map.set(k, v);
          self.keys.set(k, a0.keys.get(k)!);
        }
        for (const [k, v] of args.keywords) {
          self.map.set(k, v);
          self.keys.set(k, str(k));
        }
        return NONE;
      case 'copy':
        return { k: 'dict', map: new Map(self.map), keys: new Map(self.keys) };
      case 'setdefault': {
        const k = a0 ? dictKey(a0) : null;
        if (k === null) return unknown();
        if (!self.map.has(k)) {
          self.map.set(k, args.positional[1] ?? NONE);
          self.keys.set(k, a0!);
        }
        return self.map.get(k)!;
      }
      case 'pop': {
        const k = a0 ? dictKey(a0) : null;
        if (k === null) return unknown();
        const v = self.map.get(k) ?? args.positional[1] ?? unknown();
        self.map.delete(k);
        self.keys.delete(k);
        return v;
      }
      default:
        return unknown();
    }
  }
  if (self.k === 'str') {
    switch (name) {
      case 'format': {
        let auto = 0;
        let ok = true;
        const out = self.v.replace(/\{([^{}]*)\}/g, (_m, key: string) => {
          const [ref, spec] = key.split(':');
          const v = ref === '' ? args.positional[auto++] : /^\d+$/.test(ref) ? args.positional[Number(ref)] : args.keywords.get(ref);
          const s = v ? (spec ? formatSpec(v, spec) : pyStr(v)) : null;
          if (s === null) ok = false;
          return s ?? '';
        });
        return ok ? str(out) : unknown();
      }
      case 'upper':
        return str(self.v.toUpperCase());
      case 'lower':
        return str(self.v.toLowerCase());
      case 'strip':
        return str(self.v.trim());
      case 'join': {
        const items = a0 ? iterate(ip, a0) : null;
        if (!items || items.some((i) => i.k !== 'str')) return unknown();
        return str(items.map((i) => (i as { v: string }).v).join(self.v));
      }
      case 'replace':
        return a0?.k === 'str' && args.positional[1]?.k === 'str' ? str(self.v.split(a0.v).join((args.positional[1] as { v: string }).v)) : unknown();
      case 'startswith':
        return a0?.k === 'str' ? bool(self.v.startsWith(a0.v)) : unknown();
      case 'endswith':
        return a0?.k === 'str' ? bool(self.v.endsWith(a0.v)) : unknown();
      case 'split':
        return list((a0?.k === 'str' ? self.v.split(a0.v) : self.v.trim().split(/\s+/)).map(str));
      default:
        return unknown();
    }
  }
  return unknown();
}

/** Items of an iterable value (lists, tuples, strings, dict keys), or null if not known. */
export function iterate(ip: PythonInterpreter, v: Value): Value[] | null {
  if (v.k === 'list' || v.k === 'tuple') return v.items;
  if (v.k === 'str') return [...v.v].map(str);
  if (v.k === 'dict') return [...v.keys.values()];
  return null;
}
