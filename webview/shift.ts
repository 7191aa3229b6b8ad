// The translation demo: the input moved by whole pixels (the uncovered edge filled with zeros), and
// how much max pooling's and average pooling's outputs change when it moves. Pure: the pooling
// itself is passed in (tfjs in the webview and in the node tests).

import { featureMap, type FeatureMap } from './inputs';
import type { StageSettings } from '../src/protocol';

export interface Shift {
  /** Rows down (negative: up) and columns right (negative: left). */
  dy: number;
  dx: number;
}

/** The map moved by `dy` rows and `dx` columns; cells moved in from outside are 0. */
export function shiftMap(m: FeatureMap, dy: number, dx: number): FeatureMap {
  const out = featureMap(m.height, m.width, m.channels);
  const C = m.channels;
  for (let y = Math.max(0, dy); y < Math.min(m.height, m.height + dy); y++) {
    const x0 = Math.max(0, dx);
    const x1 = Math.min(m.width, m.width + dx);
    if (x1 <= x0) break;
    out.data.set(m.data.subarray(((y - dy) * m.width + (x0 - dx)) * C, ((y - dy) * m.width + (x1 - dx)) * C), (y * m.width + x0) * C);
  }
  return out;
}

export interface Change {
  /** Output values (positions × channels) that differ, of `total`. */
  changed: number;
  total: number;
  /** Largest |after − before|, in float32 (0 when nothing changed). */
  maxAbs: number;
}

/** How `after` differs from `before` (maps of one shape; null otherwise). */
export function change(before: FeatureMap, after: FeatureMap): Change | null {
  if (before.height !== after.height || before.width !== after.width || before.channels !== after.channels) return null;
  let changed = 0;
  let maxAbs = 0;
  for (let i = 0; i < before.data.length; i++) {
    const a = before.data[i];
    const b = after.data[i];
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    changed++;
    // In float32, as tfjs computes it (the maps hold float32 values).
    const d = Math.fround(Math.abs(b - a));
    if (!(d <= maxAbs)) maxAbs = d;
  }
  return { changed, total: before.data.length, maxAbs };
}

/** 1 where `after` differs from `before`, per value (maps of one shape; null otherwise). */
export function changedValues(before: FeatureMap, after: FeatureMap): Uint8Array | null {
  if (before.height !== after.height || before.width !== after.width || before.channels !== after.channels) return null;
  const out = new Uint8Array(before.data.length);
  for (let i = 0; i < out.length; i++) {
    const a = before.data[i];
    const b = after.data[i];
    out[i] = a === b || (Number.isNaN(a) && Number.isNaN(b)) ? 0 : 1;
  }
  return out;
}

export interface Translation {
  max: Change;
  avg: Change;
}

export type Pool = (input: FeatureMap, settings: StageSettings) => FeatureMap;

/**
 * Max and average pooling with the stage's window (its global form for a global stage) on `input`
 * and on `input` shifted: how many output values each changes and by how much at most. Null when
 * the window has no output on this input.
 */
export function translation(input: FeatureMap, settings: StageSettings, shift: Shift, pool: Pool): Translation | null {
  const global = settings.mode === 'globalMax' || settings.mode === 'globalAvg';
  const moved = shiftMap(input, shift.dy, shift.dx);
  const one = (mode: StageSettings['mode']): Change | null => {
    const s = { ...settings, mode };
    const before = pool(input, s);
    if (before.height * before.width === 0) return null;
    return change(before, pool(moved, s));
  };
  const max = one(global ? 'globalMax' : 'max');
  const avg = one(global ? 'globalAvg' : 'avg');
  return max && avg ? { max, avg } : null;
}

/** `1 px right`, `2 px left and 1 px up`, `not shifted`. */
export function describeShift(s: Shift): string {
  const parts: string[] = [];
  if (s.dx) parts.push(`${Math.abs(s.dx)} px ${s.dx > 0 ? 'right' : 'left'}`);
  if (s.dy) parts.push(`${Math.abs(s.dy)} px ${s.dy > 0 ? 'down' : 'up'}`);
  return parts.length ? parts.join(' and ') : 'not shifted';
}
