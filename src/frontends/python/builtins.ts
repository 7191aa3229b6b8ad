// Python's builtins as the interpreter models them (len, range, zip, int, isinstance ...).

import { DiagnosticCode } from '../../core/diagnostics';
import { bool, FALSE, list, makeDict, NONE, num, pyRepr, pyStr, sequenceItems, str, TRUE, truthy, tuple, unknown, type Value } from '../common/values';
import type { PythonInterpreter } from './interpreter';
import { canonicalClassName, getRule } from '../../core/layers/registry';
import { getAttr } from './expressions';
import { iterate } from './methods';
import { roundHalfEven } from './helpers';

// ---------------------------------------------------------------------------------------------
// Builtins
/**
 * Every name Python's `builtins` module has (3.12), and IPython's notebook globals: a name read that
 * is none of these and is not defined is a NameError (see `PythonInterpreter.undefinedName`).
 */
export const PYTHON_BUILTIN_NAMES: ReadonlySet<string> = new Set(
  (
    'ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError ' +
    'BrokenPipeError BufferError BytesWarning ChildProcessError ConnectionAbortedError ' +
    'ConnectionError ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError ' +
    'Ellipsis EncodingWarning EnvironmentError Exception ExceptionGroup False FileExistsError ' +
    'FileNotFoundError FloatingPointError FutureWarning GeneratorExit IOError ImportError ' +
    'ImportWarning IndentationError IndexError InterruptedError IsADirectoryError KeyError ' +
    'KeyboardInterrupt LookupError MemoryError ModuleNotFoundError NameError None NotADirectoryError ' +
    'NotImplemented NotImplementedError OSError OverflowError PendingDeprecationWarning ' +
    'PermissionError ProcessLookupError RecursionError ReferenceError ResourceWarning RuntimeError ' +
    'RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError ' +
    'SystemExit TabError TimeoutError True TypeError UnboundLocalError UnicodeDecodeError ' +
    'UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ValueError ' +
    'Warning ZeroDivisionError abs aiter all anext any ascii bin bool breakpoint bytearray bytes ' +
    'callable chr classmethod compile complex copyright credits delattr dict dir divmod enumerate ' +
    'eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input int ' +
    'isinstance issubclass iter len license list locals map max memoryview min next object oct open ' +
    'ord pow print property quit range repr reversed round set setattr slice sorted staticmethod str ' +
    'sum super tuple type vars zip display get_ipython In Out'
  ).split(' '),
);

export function installBuiltins(ip: PythonInterpreter): void {
  const b = (name: string, call: (a: Value[], kw: Map<string, Value>) => Value) =>
    ip.builtins.set(name, { k: 'builtin', name, call: (args) => call(args.positional, args.keywords) });
  const nums = (a: Value[]) => (a.every((x) => x.k === 'num' || x.k === 'bool') ? a.map((x) => Number((x as { v: number | boolean }).v)) : null);
  b('range', (a) => {
    const n = nums(a);
    if (!n || n.length === 0) return unknown();
    const [start, stop, step] = n.length === 1 ? [0, n[0], 1] : [n[0], n[1], n[2] ?? 1];
    if (step === 0) return unknown();
    const count = Math.max(0, Math.ceil((stop - start) / step));
    if (count > ip.budget.limits.loopIterations) {
      ip.rt.sink.warning(DiagnosticCode.loopBudget, `range() of ${count} items is more than Shape Lens follows (${ip.budget.limits.loopIterations}); what depends on it is unknown.`);
      return unknown('range too large');
    }
    const items: Value[] = [];
    for (let i = start; step > 0 ? i < stop : i > stop; i += step) items.push(num(i, true));
    return list(items);
  });
  b('len', (a) => {
    const v = a[0];
    if (!v) return unknown();
    if (v.k === 'str') return num(v.v.length);
    if (v.k === 'dict') return num(v.map.size);
    const items = sequenceItems(v);
    return items ? num(items.length) : unknown();
  });
  b('int', (a) => {
    const v = a[0];
    if (!v) return num(0);
    if (v.k === 'num') return num(Math.trunc(v.v), true);
    if (v.k === 'bool') return num(Number(v.v), true);
    if (v.k === 'str' && /^\s*[-+]?\d+\s*$/.test(v.v)) return num(parseInt(v.v, 10), true);
    // An open size is an integer already.
    if (v.k === 'unknown' && v.formula) return v;
    return unknown();
  });
  b('float', (a) => {
    const v = a[0];
    if (!v) return num(0, false);
    if (v.k === 'num') return num(v.v, false);
    if (v.k === 'str' && !Number.isNaN(Number(v.v))) return num(Number(v.v), false);
    return unknown();
  });
  b('str', (a) => {
    const s = a[0] ? pyStr(a[0]) : '';
    return s === null ? unknown() : str(s);
  });
  b('repr', (a) => {
    const s = a[0] ? pyRepr(a[0]) : null;
    return s === null ? unknown() : str(s);
  });
  b('bool', (a) => {
    const t = a[0] ? truthy(a[0]) : false;
    return t === null ? unknown() : bool(t);
  });
  b('abs', (a) => (a[0]?.k === 'num' ? num(Math.abs(a[0].v), a[0].int) : unknown()));
  b('round', (a) => {
    if (a[0]?.k !== 'num') return unknown();
    const nd = a[1]?.k === 'num' ? a[1].v : 0;
    if (nd === 0) return num(roundHalfEven(a[0].v), true);
    const f = 10 ** nd;
    return num(Math.round(a[0].v * f) / f, false);
  });
  const minmax = (pick: (x: number, y: number) => boolean) => (a: Value[]) => {
    const items = a.length === 1 ? iterate(ip, a[0]) : a;
    const n = items ? nums(items) : null;
    if (!n || n.length === 0) return unknown();
    let best = 0;
    n.forEach((x, i) => {
      if (pick(x, n[best])) best = i;
    });
    return items![best];
  };
  b('min', minmax((x, y) => x < y));
  b('max', minmax((x, y) => x > y));
  b('sum', (a) => {
    const items = a[0] ? iterate(ip, a[0]) : null;
    const n = items ? nums(items) : null;
    if (!n) return unknown();
    const start = a[1]?.k === 'num' ? a[1].v : 0;
    return num(n.reduce((p, x) => p + x, start), items!.every((x) => x.k !== 'num' || x.int));
  });
  b('list', (a) => (a[0] ? (iterate(ip, a[0]) ? list([...iterate(ip, a[0])!]) : unknown()) : list([])));
  b('tuple', (a) => (a[0] ? (iterate(ip, a[0]) ? tuple([...iterate(ip, a[0])!]) : unknown()) : tuple([])));
  b('dict', (a, kw) => {
    const d = makeDict([...kw].map(([k, v]) => [str(k), v] as [Value, Value]));
    if (a[0]?.k === 'dict') for (const [k, v] of a[0].map) {
      d.map.set(k, v);
      d.keys.set(k, a[0].keys.get(k)!);
    }
    return d;
  });
  b('enumerate', (a) => {
    const items = a[0] ? iterate(ip, a[0]) : null;
    const start = a[1]?.k === 'num' ? a[1].v : 0;
    return items ? list(items.map((v, i) => tuple([num(i + start, true), v]))) : unknown();
  });
  b('zip', (a) => {
    const lists = a.map((x) => iterate(ip, x));
    if (lists.some((l) => !l) || lists.length === 0) return unknown();
    const n = Math.min(...lists.map((l) => l!.length));
    return list(Array.from({ length: n }, (_, i) => tuple(lists.map((l) => l![i]))));
  });
  b('reversed', (a) => {
    const items = a[0] ? iterate(ip, a[0]) : null;
    return items ? list([...items].reverse()) : unknown();
  });
  b('sorted', (a) => {
    const items = a[0] ? iterate(ip, a[0]) : null;
    const n = items ? nums(items) : null;
    if (!items || !n) return unknown();
    return list(items.map((v, i) => [v, n[i]] as const).sort((x, y) => x[1] - y[1]).map((x) => x[0]));
  });
  b('any', (a) => {
    const items = a[0] ? iterate(ip, a[0]) : null;
    if (!items) return unknown();
    const t = items.map(truthy);
    return t.some((x) => x === true) ? TRUE : t.some((x) => x === null) ? unknown() : FALSE;
  });
  b('all', (a) => {
    const items = a[0] ? iterate(ip, a[0]) : null;
    if (!items) return unknown();
    const t = items.map(truthy);
    return t.some((x) => x === false) ? FALSE : t.some((x) => x === null) ? unknown() : TRUE;
  });
  b('isinstance', (a) => {
    const [v, t] = a;
    if (!v || !t) return unknown();
    if (t.k === 'tuple') {
      let result: Value = FALSE;
      for (const one of t.items) {
        const r = isInstance(v, one);
        if (r.k === 'bool' && r.v) return r;
        if (r.k !== 'bool') result = unknown();
      }
      return result;
    }
    return isInstance(v, t);
  });
  const isInstance = (v: Value, t: Value): Value => {
    if (t.k === 'api' || t.k === 'class') return kerasIsInstance(v, t);
    if (t.k !== 'builtin') return unknown();
    const kinds: Record<string, string[]> = { int: ['num'], float: ['num'], str: ['str'], list: ['list'], tuple: ['tuple'], dict: ['dict'], bool: ['bool'] };
    const ks = kinds[t.name];
    if (!ks || v.k === 'unknown') return unknown();
    if (t.name === 'int' && v.k === 'num') return bool(v.int);
    if (t.name === 'float' && v.k === 'num') return bool(!v.int);
    return bool(ks.includes(v.k));
  };
  b('print', () => NONE);
  b('getattr', (a) => {
    if (!a[0] || a[1]?.k !== 'str') return unknown();
    const v = getAttr(ip, a[0], a[1].v, { type: 'identifier', start: 0, end: 0, named: true, field: null, children: [], hasError: false, missing: false });
    return v.k === 'unknown' && a[2] ? a[2] : v;
  });
  b('hasattr', () => unknown());
  b('divmod', (a) => {
    const n = nums(a);
    return n && n.length === 2 && n[1] !== 0 ? tuple([num(Math.floor(n[0] / n[1]), true), num(n[0] - Math.floor(n[0] / n[1]) * n[1], true)]) : unknown();
  });
  b('pow', (a) => {
    const n = nums(a);
    return n && n.length >= 2 ? num(n[0] ** n[1]) : unknown();
  });
}

/**
 * `isinstance` against a Keras class (`keras.layers.Dropout`, `keras.Model`) or a user class: a
 * built-in layer is an instance of its own class and of `Layer`, not of another built-in class
 * (Keras' built-in layers do not derive from one another in ways model code tests); a user
 * object follows its bases. Anything else is unknown.
 */
function kerasIsInstance(v: Value, t: Value & ({ k: 'api' } | { k: 'class' })): Value {
  if (t.k === 'class') {
    if (v.k !== 'object') return v.k === 'unknown' || v.k === 'layer' || v.k === 'model' ? unknown() : FALSE;
    const derives = (c: Value, depth: number): boolean => c === t || (c.k === 'class' && depth < 16 && c.bases.some((b) => derives(b, depth + 1)));
    return bool(derives(v.cls, 0));
  }
  const name = t.path.split('.').pop() ?? '';
  if (!/^[A-Z]/.test(name)) return unknown();
  if (v.k === 'layer') {
    if (name === 'Layer' || name === 'Operation') return TRUE;
    if (canonicalClassName(name) === v.node.className) return TRUE;
    return getRule(name) ? FALSE : unknown();
  }
  if (v.k === 'model') {
    if (name === 'Model' || name === 'Layer' || name === 'Operation') return TRUE;
    if (name === 'Sequential') return bool(!!v.seq);
    if (name === 'Functional') return bool(!v.seq && v.model.kind === 'functional');
    return getRule(name) ? FALSE : unknown();
  }
  if (v.k === 'object') {
    const derives = (c: Value, depth: number): boolean =>
      c.k === 'api' ? c.path.split('.').pop() === name : c.k === 'class' && depth < 16 && c.bases.some((b) => derives(b, depth + 1));
    return derives(v.cls, 0) ? TRUE : unknown();
  }
  return v.k === 'num' || v.k === 'str' || v.k === 'bool' || v.k === 'none' || v.k === 'list' || v.k === 'tuple' || v.k === 'dict' ? FALSE : unknown();
}
