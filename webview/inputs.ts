// The preview's built-in inputs, as height × width × channels float maps: the 4×4 example of the
// pooling article (seed 001), a digit-like 28×28×1 map, a 28×28×3 colour picture, and synthetic
// feature maps of any size (a digit through oriented edge filters, one per channel) standing in
// for a layer's real input. Pure: no DOM, no tfjs.

export interface FeatureMap {
  height: number;
  width: number;
  channels: number;
  /** Row-major, channels last: data[(y * width + x) * channels + c]. */
  data: Float32Array;
}

export function featureMap(height: number, width: number, channels: number, data?: Float32Array): FeatureMap {
  return { height, width, channels, data: data ?? new Float32Array(height * width * channels) };
}

export const at = (m: FeatureMap, y: number, x: number, c: number): number => m.data[(y * m.width + x) * m.channels + c];

/**
 * Seed 001's example: its top-left 2×2 window is [[1, 3], [2, 4]] (max 4, average 2.5); the other
 * windows are chosen so that max and average pick different cells.
 */
export const SEED_4X4 = [
  [1, 3, 5, 2],
  [2, 4, 1, 0],
  [7, 2, 9, 6],
  [3, 8, 4, 1],
];

export function seedExample(): FeatureMap {
  return featureMap(4, 4, 1, Float32Array.from(SEED_4X4.flat()));
}

/** Distance from (px, py) to the segment a–b. */
function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** A handwritten-looking "7" with a crossbar, drawn in a unit square: polylines of [x, y] points. */
const SEVEN: [number, number][][] = [
  [[0.25, 0.27], [0.3, 0.24], [0.72, 0.23], [0.7, 0.3], [0.56, 0.52], [0.44, 0.78]],
  [[0.4, 0.5], [0.66, 0.5]],
];

/** The digit as a size × width grey map in [0, 1] (anti-aliased pen of ~2 px at 28×28). */
function digit(height: number, width: number): Float32Array {
  const out = new Float32Array(height * width);
  const scale = Math.min(height, width);
  const pen = (1.2 / 28) * scale;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5 - (width - scale) / 2) / scale;
      const v = (y + 0.5 - (height - scale) / 2) / scale;
      let d = Infinity;
      for (const line of SEVEN) {
        for (let i = 1; i < line.length; i++) d = Math.min(d, segDist(u, v, line[i - 1][0], line[i - 1][1], line[i][0], line[i][1]) * scale);
      }
      out[y * width + x] = Math.max(0, Math.min(1, pen + 0.5 - d));
    }
  }
  return out;
}

export function digitMap(): FeatureMap {
  return featureMap(28, 28, 1, digit(28, 28));
}

/** A small landscape: sky gradient, a sun, a red roof and green hills, RGB in [0, 1]. */
export function colourMap(): FeatureMap {
  const m = featureMap(28, 28, 3);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      let rgb: [number, number, number] = [0.35 + y * 0.012, 0.55 + y * 0.01, 0.95];
      if (Math.hypot(x - 20.5, y - 6.5) < 4) rgb = [1, 0.85, 0.2];
      const hill = 19 + 3 * Math.sin(x / 4.5);
      if (y > hill) rgb = [0.15, 0.55 + 0.15 * Math.sin(x + y), 0.2];
      if (x >= 4 && x <= 12 && y >= 15 && y <= 22) rgb = [0.85, 0.82, 0.75];
      if (y >= 11 && y < 15 && Math.abs(x - 8) <= (y - 10) * 1.5) rgb = [0.8, 0.15, 0.1];
      if (x >= 7 && x <= 9 && y >= 19 && y <= 22) rgb = [0.35, 0.2, 0.1];
      m.data.set(rgb, (y * 28 + x) * 3);
    }
  }
  return m;
}

/** Largest synthetic map generated (values); wider layers show their first channels. */
export const MAX_SYNTHETIC_VALUES = 4_000_000;

/**
 * A stand-in for a layer's input of height × width × channels: the digit at that size, seen
 * through one oriented edge filter per channel (ReLU of a directional derivative), so channels
 * differ the way a conv layer's feature maps do.
 */
export function syntheticMap(height: number, width: number, channels: number): FeatureMap {
  const img = digit(height, width);
  const m = featureMap(height, width, channels);
  const px = (y: number, x: number) => (y < 0 || x < 0 || y >= height || x >= width ? 0 : img[y * width + x]);
  for (let c = 0; c < channels; c++) {
    const theta = (Math.PI * 2 * c) / Math.max(channels, 1) + 0.3;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const bias = channels === 1 ? 1 : 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const gx = px(y, x + 1) - px(y, x - 1);
        const gy = px(y + 1, x) - px(y - 1, x);
        const v = bias ? img[y * width + x] : Math.max(0, cos * gx + sin * gy + 0.25 * img[y * width + x] * Math.cos(theta * 3));
        m.data[(y * width + x) * channels + c] = v;
      }
    }
  }
  return m;
}

/** One channel (or all) as a new map. */
export function channelOf(m: FeatureMap, c: number): FeatureMap {
  const out = featureMap(m.height, m.width, 1);
  for (let i = 0; i < m.height * m.width; i++) out.data[i] = m.data[i * m.channels + c];
  return out;
}

/** Smallest and largest value (for colour scales shared by every stage). */
export function range(m: FeatureMap): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of m.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [0, 1] : [lo, hi];
}
