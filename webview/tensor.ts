// Runs the pooling itself on tfjs: WebGL when the webview has it, else the CPU backend.

import * as tf from '@tensorflow/tfjs';
import type { StageSettings } from '../src/protocol';
import { featureMap, type FeatureMap } from './inputs';

export interface Backend {
  name: string;
  /** Set when WebGL was not available and the CPU backend is used instead (or why nothing runs). */
  fallback?: string;
  /** No backend could start. */
  failed?: boolean;
}

/** Picks WebGL (or the CPU backend when `prefer` says so), falling back to the CPU backend (and saying why). */
export async function initBackend(prefer: 'webgl' | 'cpu' = 'webgl'): Promise<Backend> {
  if (prefer === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    return { name: tf.getBackend() };
  }
  let reason = 'WebGL is not available in this webview';
  try {
    if (await tf.setBackend('webgl')) {
      await tf.ready();
      return { name: tf.getBackend() };
    }
  } catch (e) {
    reason = `WebGL failed to start (${e instanceof Error ? e.message : String(e)})`;
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return { name: tf.getBackend(), fallback: `${reason}: using the CPU backend.` };
}

export interface StageRun {
  output: FeatureMap;
  /** Wall time of the tfjs op including reading the result back (ms). */
  ms: number;
}

/** One pooling stage on `input` (height × width × channels). Global pooling keeps a 1×1 map. */
export function runStage(input: FeatureMap, s: StageSettings): StageRun {
  const t0 = performance.now();
  const out = tf.tidy(() => {
    const x = tf.tensor4d(input.data, [1, input.height, input.width, input.channels]);
    switch (s.mode) {
      case 'max':
        return tf.maxPool(x, s.poolSize, s.strides, s.padding);
      case 'avg':
        return tf.avgPool(x, s.poolSize, s.strides, s.padding);
      case 'globalMax':
        return tf.max(x, [1, 2], true);
      case 'globalAvg':
        return tf.mean(x, [1, 2], true);
    }
  });
  const [, h, w, c] = out.shape;
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return { output: featureMap(h, w, c, Float32Array.from(data)), ms: performance.now() - t0 };
}

export const TFJS_VERSION: string = tf.version.tfjs;
