// JS globals as the interpreter models them (Math, Array, Object, JSON, console ...).

import { bool, FALSE, list, NONE, num, roundedSize, str, unknown, type Value } from '../common/values';
import { TF_ROOT } from './tfjs-api';
import type { JsInterpreter } from './interpreter';
import { builtinFn, callable } from './methods';
import { jsTruthy, jsString } from './helpers';

/**
 * Globals of browsers, node and the language that the interpreter does not model: reading one is no
 * ReferenceError (see `JsInterpreter.undefinedName`). Those it models are in `ip.globals`.
 */
export const JS_GLOBAL_NAMES: ReadonlySet<string> = new Set(
  (
    'globalThis window self document navigator location history screen console alert confirm prompt fetch Request Response Headers URL URLSearchParams ' +
    'Blob File FileReader FormData Image ImageData HTMLElement HTMLImageElement HTMLCanvasElement HTMLVideoElement OffscreenCanvas ' +
    'CanvasRenderingContext2D WebGLRenderingContext WebGL2RenderingContext Worker SharedArrayBuffer Atomics MessageChannel Event CustomEvent EventTarget ' +
    'AbortController AbortSignal WebSocket XMLHttpRequest localStorage sessionStorage indexedDB caches crypto performance requestAnimationFrame ' +
    'cancelAnimationFrame requestIdleCallback setTimeout clearTimeout setInterval clearInterval setImmediate clearImmediate queueMicrotask ' +
    'structuredClone atob btoa TextEncoder TextDecoder process require module exports __dirname __filename Buffer global ' +
    'Object Function Array Number String Boolean Symbol BigInt Math JSON Date RegExp Error TypeError RangeError SyntaxError ReferenceError EvalError ' +
    'URIError AggregateError Promise Proxy Reflect Map Set WeakMap WeakSet WeakRef FinalizationRegistry ArrayBuffer DataView Int8Array Uint8Array ' +
    'Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array Float64Array BigInt64Array BigUint64Array Intl WebAssembly ' +
    'isNaN isFinite parseInt parseFloat encodeURI encodeURIComponent decodeURI decodeURIComponent escape unescape eval arguments NaN Infinity ' +
    'undefined tf'
  ).split(' '),
);

export function installGlobals(ip: JsInterpreter): void {
  const g = (name: string, call: (a: Value[]) => Value) => ip.globals.set(name, builtinFn(ip, name, call));
  const nums = (a: Value[]) => (a.every((x) => x.k === 'num') ? a.map((x) => (x as { v: number }).v) : null);
  for (const ns of ['Math', 'Object', 'Array', 'Number', 'JSON', 'console', 'String', 'Boolean', 'process']) ip.globals.set(ns, { k: 'builtin', name: ns, call: () => unknown() });
  const math1: Record<string, (x: number) => number> = { floor: Math.floor, ceil: Math.ceil, round: Math.round, sqrt: Math.sqrt, abs: Math.abs, trunc: Math.trunc, log2: Math.log2, log: Math.log, exp: Math.exp, sign: Math.sign };
  for (const [k, f] of Object.entries(math1)) g(`Math.${k}`, (a) => (a[0]?.k === 'num' ? num(f(a[0].v)) : (a[0] && (k === 'floor' || k === 'ceil') && roundedSize(a[0], k)) || unknown()));
  g('Math.max', (a) => {
    const n = nums(a);
    return n ? num(Math.max(...n)) : unknown();
  });
  g('Math.min', (a) => {
    const n = nums(a);
    return n ? num(Math.min(...n)) : unknown();
  });
  g('Math.pow', (a) => {
    const n = nums(a);
    return n && n.length === 2 ? num(n[0] ** n[1]) : unknown();
  });
  g('Math.random', () => unknown('random'));
  ip.globals.set('Math.PI', num(Math.PI));
  g('Number.isInteger', (a) => (a[0]?.k === 'num' ? bool(Number.isInteger(a[0].v)) : a[0]?.k === 'unknown' ? unknown() : FALSE));
  g('Number', (a) => (a[0]?.k === 'num' ? a[0] : a[0]?.k === 'str' && !Number.isNaN(Number(a[0].v)) ? num(Number(a[0].v)) : unknown()));
  g('parseInt', (a) => (a[0]?.k === 'str' && /^\s*-?\d+/.test(a[0].v) ? num(parseInt(a[0].v, 10)) : a[0]?.k === 'num' ? num(Math.trunc(a[0].v)) : unknown()));
  g('parseFloat', (a) => (a[0]?.k === 'str' && !Number.isNaN(parseFloat(a[0].v)) ? num(parseFloat(a[0].v)) : unknown()));
  g('String', (a) => {
    const s = a[0] ? jsString(a[0]) : '';
    return s === null ? unknown() : str(s);
  });
  g('Boolean', (a) => {
    const t = a[0] ? jsTruthy(a[0]) : false;
    return t === null ? unknown() : bool(t);
  });
  g('Object.keys', (a) => (a[0]?.k === 'dict' ? list([...a[0].map.keys()].map(str)) : unknown()));
  g('Object.values', (a) => (a[0]?.k === 'dict' ? list([...a[0].map.values()]) : unknown()));
  g('Object.entries', (a) => (a[0]?.k === 'dict' ? list([...a[0].map].map(([k, v]) => list([str(k), v]))) : unknown()));
  g('Object.assign', (a) => {
    const target = a[0];
    if (target?.k !== 'dict') return unknown();
    for (const src of a.slice(1)) if (src.k === 'dict') for (const [k, v] of src.map) {
      target.map.set(k, v);
      target.keys.set(k, src.keys.get(k)!);
    }
    return target;
  });
  g('Object.freeze', (a) => a[0] ?? NONE);
  g('Array.isArray', (a) => bool(a[0]?.k === 'list' || a[0]?.k === 'tuple'));
  g('Array.from', (a) => {
    const src = a[0];
    let items: Value[] | null = null;
    if (src?.k === 'list' || src?.k === 'tuple') items = src.items;
    else if (src?.k === 'str') items = [...src.v].map(str);
    else if (src?.k === 'dict') {
      const n = src.map.get('length');
      if (n?.k === 'num' && n.v >= 0 && n.v <= ip.budget.limits.loopIterations) items = Array.from({ length: n.v }, () => NONE);
    }
    if (!items) return unknown();
    if (a[1]) return list(items.map((x, i) => callable(ip, a[1], [x, num(i)])));
    return list([...items]);
  });
  g('Array', (a) => {
    if (a.length === 1 && a[0].k === 'num') return a[0].v >= 0 && a[0].v <= ip.budget.limits.loopIterations ? list(Array.from({ length: a[0].v }, () => NONE)) : unknown('array too large');
    return list(a);
  });
  g('JSON.stringify', () => unknown());
  for (const k of ['log', 'info', 'warn', 'error', 'debug']) g(`console.${k}`, () => NONE);
  ip.globals.set('NaN', num(NaN, false));
  // A page that loads tfjs with <script src=".../tfjs"> uses the global `tf` without importing it.
  ip.globals.set('tf', { k: 'api', path: TF_ROOT });
  ip.globals.set('Infinity', num(Infinity, false));
}
