// The model's real path for the pooling preview: every layer's output in model order on one input,
// with models nested in the model (a Sequential used as a layer) opened up into their own layers,
// and for each layer the layer whose output it reads.

import * as tf from '@tensorflow/tfjs';
import { MAX_RUN_VALUES, probeModel, runModel, type BuiltModel, type LayerOutput } from './model';
import type { FeatureMap } from './inputs';

export interface PathLayer {
  name: string;
  className: string;
  out: LayerOutput;
  /** The layer whose output this one reads (null for the model input). */
  source: string | null;
  /** A nested model (its own layers are listed before it). */
  container?: boolean;
}

const MAX_NESTING = 8;

/** Probes of nested models, made once per model object. */
const probes = new WeakMap<tf.LayersModel, Omit<BuiltModel, 'ms'>>();

/** Every layer of `built` run on `input`, nested models opened up, in model order (the model input first). */
export function realPath(built: BuiltModel, input: FeatureMap): PathLayer[] {
  return walk(built, runModel(built, input), null, 0);
}

function walk(built: Omit<BuiltModel, 'ms'>, outs: Map<string, LayerOutput>, outerSource: string | null, depth: number): PathLayer[] {
  const inputName = built.names[0];
  // Inside a nested model its input layer stands for the outer layer that feeds the nested model.
  const resolve = (n: string | undefined) => (n === undefined ? null : n === inputName && depth > 0 ? outerSource : n);
  const path: PathLayer[] = [];
  if (depth === 0) path.push({ name: inputName, className: 'InputLayer', out: outs.get(inputName)!, source: null });
  for (const name of built.names.slice(1)) {
    const layer = built.model.getLayer(name);
    const out = outs.get(name);
    if (!out) continue;
    const source = resolve(built.inputOf.get(name));
    if (layer instanceof tf.LayersModel && depth < MAX_NESTING) {
      const inner = nestedRun(layer, source ? path.find((p) => p.name === source)?.out : undefined);
      if (inner) path.push(...walk(inner.probe, inner.outs, source, depth + 1));
      path.push({ name, className: layer.getClassName(), out, source, container: true });
      continue;
    }
    path.push({ name, className: layer.getClassName(), out, source });
  }
  return path;
}

/** The nested model run on the output that reaches it (null when it cannot be probed or is too large). */
function nestedRun(model: tf.LayersModel, input: LayerOutput | undefined): { probe: Omit<BuiltModel, 'ms'>; outs: Map<string, LayerOutput> } | null {
  if (!input) return null;
  let probe = probes.get(model);
  if (!probe) {
    try {
      probe = probeModel(model);
    } catch {
      return null;
    }
    probes.set(model, probe);
  }
  if (!(probe.values <= MAX_RUN_VALUES)) return null;
  const ys = tf.tidy(() => {
    const y = probe.probe.predict(tf.tensor(input.data, [1, ...input.shape]));
    return Array.isArray(y) ? y : [y];
  });
  const outs = new Map<string, LayerOutput>();
  ys.forEach((t, i) => {
    outs.set(probe.names[i], { shape: t.shape.slice(1), data: t.dataSync() as Float32Array });
    t.dispose();
  });
  return { probe, outs };
}
