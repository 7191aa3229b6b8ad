// A workspace image the host read for a panel: decoded by the browser, scaled down, alpha dropped.

import type { ImageMessage } from '../src/protocol';

export interface SavedImage {
  name: string;
  note: string;
  height: number;
  width: number;
  /** RGB in [0, 1], channels last. */
  data: number[];
}

/** Largest side of a workspace image after scaling down (cells stay visible when pooled). */
export const IMAGE_SIDE = 112;

export async function decodeImage(m: ImageMessage, maxSide = IMAGE_SIDE): Promise<SavedImage> {
  const bin = atob(m.base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes], { type: m.mime }));
  } catch {
    throw new Error(`${m.name} is not an image this webview can decode (PNG, JPEG, GIF, BMP or WebP).`);
  }
  if (bitmap.width * bitmap.height > 50_000_000) throw new Error(`${m.name} is ${bitmap.width}×${bitmap.height}: too large to preview.`);
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This webview cannot draw images (no 2D canvas).');
  ctx.drawImage(bitmap, 0, 0, width, height);
  const px = ctx.getImageData(0, 0, width, height).data;
  const data: number[] = new Array(width * height * 3);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = px[i * 4 + c] / 255;
  const note = scale < 1 ? `Scaled from ${bitmap.width}×${bitmap.height} to ${width}×${height}; alpha dropped.` : `${width}×${height}, alpha dropped.`;
  return { name: m.name, note, height, width, data };
}
