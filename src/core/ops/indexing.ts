// Indexing a tensor: `x[:, 0]`, `x[..., None]`, `x[:, 1:-1, ::2]` (Keras' GetItem) and
// `tf.strided_slice` with its masks, which TF turns into the same kind of key.
//
// A key is a list of items in the config (`key`): an integer index, null for `None` / newaxis,
// `'...'` for Ellipsis, or `{start, stop, step}` for a slice (null entries: omitted).

import { UNKNOWN, type Cfg, type ConfigValue } from '../config';
import type { RuleDim, RuleOutputShape, RuleShape } from '../shape';
import type { LayerRule, RuleContext } from '../layers/types';
import { argError, formatShape, opRule, sizesArg } from './util';

type KeyItem = number | null | '...' | { start: number | null; stop: number | null; step: number | null };

/** Python's `len(range(*slice(start, stop, step).indices(n)))`. */
export function sliceLength(n: number, start: number | null, stop: number | null, step: number | null): number {
  const s = step ?? 1;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let a: number;
  let b: number;
  if (s > 0) {
    a = start === null ? 0 : clamp(start < 0 ? start + n : start, 0, n);
    b = stop === null ? n : clamp(stop < 0 ? stop + n : stop, 0, n);
    return Math.max(0, Math.ceil((b - a) / s));
  }
  a = start === null ? n - 1 : clamp(start < 0 ? start + n : start, -1, n - 1);
  b = stop === null ? -1 : clamp(stop < 0 ? stop + n : stop, -1, n - 1);
  return Math.max(0, Math.ceil((a - b) / -s));
}

function pyItem(k: KeyItem): string {
  if (k === null) return 'None';
  if (k === '...') return 'Ellipsis';
  if (typeof k === 'number') return String(k);
  const p = (v: number | null) => (v === null ? 'None' : String(v));
  return `slice(${p(k.start)}, ${p(k.stop)}, ${p(k.step)})`;
}

/** The key as Python prints it in Keras' messages: `5` or `(slice(None, None, None), 5)`. */
function pyKey(key: KeyItem[], single: boolean): string {
  if (single && key.length === 1) return pyItem(key[0]);
  return key.length === 1 ? `(${pyItem(key[0])},)` : `(${key.map(pyItem).join(', ')})`;
}

/** Reads the key; null when some part is not known (a tensor index, an unknown slice object). */
function readKey(cfg: Cfg): KeyItem[] | null {
  const raw = cfg.raw.key;
  const items: ConfigValue[] = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const int = (v: ConfigValue | undefined): number | null | undefined => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    if (v === UNKNOWN) return cfg.standIn() ?? undefined;
    return undefined;
  };
  const out: KeyItem[] = [];
  for (const it of items) {
    if (it === null || it === '...') out.push(it);
    else if (typeof it === 'number' || it === UNKNOWN) {
      const v = int(it);
      if (v === undefined || v === null) return null;
      out.push(v);
    } else if (typeof it === 'object' && !Array.isArray(it) && 'start' in it) {
      const o = it as Record<string, ConfigValue>;
      const [start, stop, step] = [int(o.start), int(o.stop), int(o.step)];
      if (start === undefined || stop === undefined || step === undefined) return null;
      out.push({ start, stop, step });
    } else return null;
  }
  return out;
}

/** The shape of `x[key]` as Keras' GetItem computes it (a None dim sliced stays None). */
export function getItemShape(x: RuleShape, key: KeyItem[], ctx: RuleContext, single: boolean): RuleOutputShape {
  const rest = [...key];
  const ellipses = rest.filter((k) => k === '...').length;
  if (ellipses > 1) return argError(ctx, `Slice should only have one ellipsis. Received: \`${pyKey(key, single)}\``);
  if (ellipses === 0) rest.push('...');
  let remaining = [...x];
  const out: RuleDim[] = [];
  while (rest.length > 0) {
    const k = rest.shift()!;
    if (k === '...') {
      const needed = rest.length - rest.filter((r) => r === null).length;
      const consumed = remaining.length - needed;
      if (consumed < 0) return argError(ctx, `Array has shape ${formatShape(x)} but slice has to many indices. Received: \`${pyKey(key, single)}\``);
      out.push(...remaining.slice(0, consumed));
      remaining = remaining.slice(consumed);
      continue;
    }
    if (k === null) {
      out.push(1);
      continue;
    }
    if (remaining.length === 0) return argError(ctx, `Array has shape ${formatShape(x)} but slice has to many indices. Received: \`${pyKey(key, single)}\``);
    const n = remaining.shift()!;
    if (typeof k === 'number') {
      if (n !== null) {
        const i = k >= 0 ? k : k + n;
        if (i < 0 || i >= n) return argError(ctx, `Array has shape ${formatShape(x)} but out-of-bounds index ${pyKey(key, single)} was requested.`);
      }
    } else {
      if (k.step === 0) return argError(ctx, 'slice step cannot be zero');
      out.push(n === null ? null : sliceLength(n, k.start, k.stop, k.step));
    }
  }
  return out;
}

const getItem = opRule('get_item', (inputs, cfg, ctx) => {
  const x = inputs[0];
  const key = x && readKey(cfg);
  return x && key ? getItemShape(x, key, ctx, !Array.isArray(cfg.raw.key)) : null;
});

/**
 * `tf.strided_slice(x, begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
 * shrink_axis_mask)`: each position of `begin` is a slice, an index (shrink), a new axis or the
 * ellipsis, as its mask bits say.
 */
const stridedSlice = opRule('strided_slice', (inputs, cfg, ctx) => {
  const x = inputs[0];
  const begin = sizesArg(cfg, 'begin');
  const end = sizesArg(cfg, 'end');
  const strides = sizesArg(cfg, 'strides') ?? begin?.map(() => 1);
  if (!x || !begin || !end || !strides || begin.length !== end.length || strides.length !== begin.length) return null;
  if ([...begin, ...end, ...strides].some((d) => d === null)) return null;
  const mask = (k: string): number | null => {
    const v = cfg.raw[k];
    return v === undefined || v === null ? 0 : typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
  };
  const [bm, em, elm, nam, sam] = ['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'].map(mask);
  if (bm === null || em === null || elm === null || nam === null || sam === null) return null;
  const key: KeyItem[] = [];
  for (let i = 0; i < begin.length; i++) {
    const bit = 2 ** i;
    if (Math.floor(elm / bit) % 2) key.push('...');
    else if (Math.floor(nam / bit) % 2) key.push(null);
    else if (Math.floor(sam / bit) % 2) {
      if (begin[i] === null) return null;
      key.push(begin[i] as number);
    } else {
      key.push({ start: Math.floor(bm / bit) % 2 ? null : begin[i], stop: Math.floor(em / bit) % 2 ? null : end[i], step: strides[i] });
    }
  }
  return getItemShape(x, key, ctx, false);
});

export const indexingRules: LayerRule[] = [getItem, stridedSlice];
