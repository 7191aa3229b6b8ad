// The test oracle: the same layer built by @tensorflow/tfjs-layers on symbolic inputs.

import * as tf from '@tensorflow/tfjs';
import type { ConfigValue } from '../../../src/core/config';
import type { OutputShape, RuleShape } from '../../../src/core/shape';

/** Keras snake_case config → tfjs-layers camelCase args (`data_format` values renamed, arrays copied since tfjs may mutate them). */
export function tfjsArgs(config: Readonly<Record<string, ConfigValue>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    const key = k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[key] = k === 'data_format' ? (v === 'channels_first' ? 'channelsFirst' : 'channelsLast') : Array.isArray(v) ? [...v] : v;
  }
  return out;
}

/** Applies `layer` to symbolic inputs of the given batch shapes; reads its output shape and weight counts. */
export function oracle(layer: tf.layers.Layer, ...shapes: RuleShape[]): { output: OutputShape; total: number; nonTrainable: number } {
  const ins = shapes.map((s) => tf.input({ batchShape: s }));
  const y = layer.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor | tf.SymbolicTensor[];
  const output = Array.isArray(y) ? y.map((t) => t.shape) : y.shape;
  const nonTrainable = layer.nonTrainableWeights.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d as number), 1), 0);
  return { output: output as OutputShape, total: layer.countParams(), nonTrainable };
}
