// Fits an input picture to a model's input: resized (keeping its aspect ratio) or only padded,
// centred on zeros, and its channels repeated or merged to the model's count. Pure: no DOM, no tfjs.

import { featureMap, type FeatureMap } from './inputs';
import type { MapSize } from '../src/protocol';

export interface Fitted {
  map: FeatureMap;
  /** What was done, for the screen (empty when the picture already had the model's shape). */
  note: string;
}

/**
 * Samples the picture at the model's size: a picture that fits and is at least half the size is
 * only padded (pixels unchanged: a 28×28 digit in a 32×32 input); otherwise it is scaled by the
 * largest factor that fits (bilinear up, box average down), then padded to the size.
 */
export function fitToInput(src: FeatureMap, to: MapSize): Fitted {
  const notes: string[] = [];
  const s = Math.min(to.height / src.height, to.width / src.width);
  const scale = s >= 1 && s < 2 ? 1 : s;
  const h = Math.max(1, Math.min(to.height, Math.round(src.height * scale)));
  const w = Math.max(1, Math.min(to.width, Math.round(src.width * scale)));
  const resized = h === src.height && w === src.width ? src : resize(src, h, w);
  if (resized !== src) notes.push(`resized ${src.height}×${src.width} → ${h}×${w}`);
  const top = Math.floor((to.height - h) / 2);
  const left = Math.floor((to.width - w) / 2);
  if (h !== to.height || w !== to.width) notes.push(`padded with zeros to ${to.height}×${to.width}`);
  const out = featureMap(to.height, to.width, to.channels);
  const grey = src.channels === 3 && to.channels === 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * resized.channels;
      const o = ((y + top) * to.width + (x + left)) * to.channels;
      if (grey) out.data[o] = 0.299 * resized.data[i] + 0.587 * resized.data[i + 1] + 0.114 * resized.data[i + 2];
      else for (let c = 0; c < to.channels; c++) out.data[o + c] = resized.data[i + (c % resized.channels)];
    }
  }
  if (grey) notes.push('RGB turned to grey');
  else if (src.channels !== to.channels) notes.push(src.channels === 1 ? `grey repeated to ${to.channels} channels` : `${src.channels} channels repeated to ${to.channels}`);
  return { map: out, note: notes.join(', ') };
}

/** Bilinear when growing, box average when shrinking (each output cell averages the input area it covers). */
export function resize(src: FeatureMap, h: number, w: number): FeatureMap {
  const out = featureMap(h, w, src.channels);
  const C = src.channels;
  const fy = src.height / h;
  const fx = src.width / w;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * C;
      if (fy > 1 || fx > 1) {
        const y0 = Math.floor(y * fy);
        const y1 = Math.max(y0 + 1, Math.min(src.height, Math.ceil((y + 1) * fy)));
        const x0 = Math.floor(x * fx);
        const x1 = Math.max(x0 + 1, Math.min(src.width, Math.ceil((x + 1) * fx)));
        const n = (y1 - y0) * (x1 - x0);
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) for (let c = 0; c < C; c++) out.data[o + c] += src.data[(yy * src.width + xx) * C + c] / n;
      } else {
        const sy = Math.max(0, Math.min(src.height - 1, (y + 0.5) * fy - 0.5));
        const sx = Math.max(0, Math.min(src.width - 1, (x + 0.5) * fx - 0.5));
        const y0 = Math.floor(sy);
        const x0 = Math.floor(sx);
        const y1 = Math.min(src.height - 1, y0 + 1);
        const x1 = Math.min(src.width - 1, x0 + 1);
        const dy = sy - y0;
        const dx = sx - x0;
        for (let c = 0; c < C; c++) {
          const v = (yy: number, xx: number) => src.data[(yy * src.width + xx) * C + c];
          out.data[o + c] = (1 - dy) * ((1 - dx) * v(y0, x0) + dx * v(y0, x1)) + dy * ((1 - dx) * v(y1, x0) + dx * v(y1, x1));
        }
      }
    }
  }
  return out;
}
