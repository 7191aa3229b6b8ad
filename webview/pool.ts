// Pooling geometry, pure: output sizes as Keras computes them, the padding TensorFlow adds for
// `same`, the input window behind each output cell and the output cells each input cell feeds, and
// the size formulas shown next to the controls. No DOM and no tfjs: unit-tested in plain node.

import type { StageSettings } from '../src/protocol';

export interface Geometry {
  inH: number;
  inW: number;
  outH: number;
  outW: number;
  /** Window size and step per axis (the whole input for global pooling). */
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  /** Cells of implicit padding before each axis (`same`; TensorFlow puts the odd one after). */
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
  global: boolean;
}

/** Output length along one axis: valid ⌊(n − k)/s⌋ + 1 (0 when the window does not fit), same ⌈n/s⌉. */
export function outputLength(n: number, k: number, s: number, padding: 'valid' | 'same'): number {
  if (padding === 'same') return Math.ceil(n / s);
  return n >= k ? Math.floor((n - k) / s) + 1 : 0;
}

/** Padding TensorFlow adds along one axis for `same`: [before, after]. */
export function samePadding(n: number, k: number, s: number): [number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + k - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** The geometry of a stage on an inH × inW input, or why it has no output. */
export function geometry(inH: number, inW: number, s: StageSettings): Geometry | { error: string } {
  if (s.mode === 'globalMax' || s.mode === 'globalAvg') {
    return { inH, inW, outH: 1, outW: 1, kh: inH, kw: inW, sh: 1, sw: 1, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, global: true };
  }
  const [kh, kw] = s.poolSize;
  const [sh, sw] = s.strides;
  const outH = outputLength(inH, kh, sh, s.padding);
  const outW = outputLength(inW, kw, sw, s.padding);
  if (outH < 1 || outW < 1) {
    const axes = [outH < 1 ? `height ${inH} < pool ${kh}` : '', outW < 1 ? `width ${inW} < pool ${kw}` : ''].filter(Boolean).join(', ');
    return { error: `The ${kh}×${kw} window does not fit in the ${inH}×${inW} input with padding='valid' (${axes}): Keras reports a negative dimension here. Use padding='same' or a smaller pool size.` };
  }
  const [padTop, padBottom] = s.padding === 'same' ? samePadding(inH, kh, sh) : [0, 0];
  const [padLeft, padRight] = s.padding === 'same' ? samePadding(inW, kw, sw) : [0, 0];
  return { inH, inW, outH, outW, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, global: false };
}

/** Inclusive cell ranges; rows/cols outside 0..in−1 are padding. */
export interface Window {
  y0: number;
  y1: number;
  x0: number;
  x1: number;
}

/** The input window of output cell (oy, ox), in input coordinates (may reach into the padding). */
export function windowOf(g: Geometry, oy: number, ox: number): Window {
  const y0 = oy * g.sh - g.padTop;
  const x0 = ox * g.sw - g.padLeft;
  return { y0, y1: y0 + g.kh - 1, x0, x1: x0 + g.kw - 1 };
}

/** The window clipped to the input: the cells that are actually pooled. */
export function clip(g: Geometry, w: Window): Window {
  return { y0: Math.max(w.y0, 0), y1: Math.min(w.y1, g.inH - 1), x0: Math.max(w.x0, 0), x1: Math.min(w.x1, g.inW - 1) };
}

/** The output cells whose windows contain input cell (iy, ix); empty ranges (y0 > y1) when a stride skips it. */
export function feedersOf(g: Geometry, iy: number, ix: number): Window {
  const range = (i: number, pad: number, k: number, s: number, out: number): [number, number] => [
    Math.max(0, Math.ceil((i + pad - k + 1) / s)),
    Math.min(out - 1, Math.floor((i + pad) / s)),
  ];
  const [y0, y1] = range(iy, g.padTop, g.kh, g.sh, g.outH);
  const [x0, x1] = range(ix, g.padLeft, g.kw, g.sw, g.outW);
  return { y0, y1, x0, x1 };
}

export const isEmpty = (w: Window): boolean => w.y0 > w.y1 || w.x0 > w.x1;

/** The output-size formula along one axis, as the hovers print conv arithmetic. */
export function formula(axis: string, n: number, k: number, s: number, padding: 'valid' | 'same'): string {
  if (padding === 'same') return `${axis}: ⌈${n}/${s}⌉ = ${Math.ceil(n / s)}`;
  const out = outputLength(n, k, s, 'valid');
  return n >= k ? `${axis}: ⌊(${n} − ${k})/${s}⌋ + 1 = ${out}` : `${axis}: ${n} − ${k} < 0: the window does not fit`;
}

/** `4` / `2.5` / `0.333`: up to 3 significant decimals, no trailing zeros. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const r = Math.round(v * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}
