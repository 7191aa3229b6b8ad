// The user's model on tfjs, shared by the model lab and the pooling preview: built from the Keras
// JSON the language server exported, with Keras' initialisation seeded (the same seed gives the
// same weights in both panels), and run on one input to give every layer's output.

import * as tf from '@tensorflow/tfjs';
import { featureMap, type FeatureMap } from './inputs';

/** Keras' random initialisers by their snake_case names (tfjs reads the class names). */
const RANDOM_INITIALIZERS: Record<string, string> = {
  glorot_uniform: 'GlorotUniform',
  glorot_normal: 'GlorotNormal',
  he_uniform: 'HeUniform',
  he_normal: 'HeNormal',
  lecun_uniform: 'LeCunUniform',
  lecun_normal: 'LeCunNormal',
  random_uniform: 'RandomUniform',
  random_normal: 'RandomNormal',
  truncated_normal: 'TruncatedNormal',
  orthogonal: 'Orthogonal',
  variance_scaling: 'VarianceScaling',
};

/** Keras' defaults where tfjs-layers' differ: kernels start glorot-uniform (tfjs: glorot-normal). */
const KERAS_DEFAULTS: Record<string, string> = { kernel_initializer: 'glorot_uniform', depthwise_initializer: 'glorot_uniform', pointwise_initializer: 'glorot_uniform', embeddings_initializer: 'random_uniform' };
/** Layer classes whose `kernel_initializer` default applies (conv, dense and their kin). */
const HAS_KERNEL = /^(Conv\d?D|Conv\dDTranspose|Conv2DTranspose|Dense|SeparableConv\dD|LocallyConnected\dD)$/;

/**
 * A copy of the model JSON whose random initialisers carry seeds (`seed + n` for the n-th one met),
 * with Keras' default kernel initialiser written where the JSON leaves it to tfjs. Biases stay
 * zeros (tfjs' default and Keras').
 */
export function seededJson(json: object, seed: number): object {
  let n = 0;
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 64 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = walk(x, depth + 1);
    // A layer: {class_name, config}; fill in Keras' kernel default, then seed every initialiser.
    const config = out.config as Record<string, unknown> | undefined;
    if (typeof out.class_name === 'string' && config && typeof config === 'object' && !Array.isArray(config)) {
      if (HAS_KERNEL.test(out.class_name)) {
        // A separable conv has depthwise and pointwise kernels only (tfjs rejects a kernel_initializer there).
        for (const key of out.class_name.startsWith('Separable') ? ['depthwise_initializer', 'pointwise_initializer'] : ['kernel_initializer']) config[key] ??= KERAS_DEFAULTS[key];
      }
      if (out.class_name === 'Embedding') config.embeddings_initializer ??= KERAS_DEFAULTS.embeddings_initializer;
      for (const [k, x] of Object.entries(config)) if (k.endsWith('_initializer')) config[k] = seeded(x, seed + n++);
    }
    return out;
  };
  return walk(json, 0) as object;
}

function seeded(init: unknown, seed: number): unknown {
  if (typeof init === 'string') {
    const cls = RANDOM_INITIALIZERS[init] ?? (Object.values(RANDOM_INITIALIZERS).includes(init) ? init : undefined);
    return cls ? { class_name: cls, config: { seed } } : init;
  }
  if (init && typeof init === 'object' && !Array.isArray(init)) {
    const o = init as { class_name?: unknown; config?: Record<string, unknown> };
    const cls = typeof o.class_name === 'string' ? o.class_name : '';
    if (Object.values(RANDOM_INITIALIZERS).includes(cls) || cls === 'LecunNormal' || cls === 'LecunUniform') return { ...o, config: { ...(o.config ?? {}), seed: o.config?.seed ?? seed } };
  }
  return init;
}

/** One layer's output on the input that was run (batch of 1, the batch axis dropped). */
export interface LayerOutput {
  /** tfjs' output shape without the batch axis. */
  shape: number[];
  data: Float32Array;
}

export interface BuiltModel {
  model: tf.LayersModel;
  /** Every layer whose output the probe returns, in model order (the input layer first). */
  names: string[];
  /** The source layer of each layer's first input (its real input), by layer name. */
  inputOf: Map<string, string>;
  probe: tf.LayersModel;
  /** The model input's shape without the batch axis. */
  inputShape: (number | null)[];
  /** Values in every layer's output for one input (what a run holds in memory). */
  values: number;
  /** Time to build (ms). */
  ms: number;
}

/** Builds the model from its JSON (seeded) and a probe model that returns every layer's output. */
export async function buildModel(json: object, seed: number): Promise<BuiltModel> {
  const t0 = performance.now();
  const model = await tf.models.modelFromJSON(seededJson(json, seed) as tf.io.ModelJSON['modelTopology'] as never);
  if (model.inputs.length !== 1) throw new Error(`the model has ${model.inputs.length} inputs; the lab feeds models of one input`);
  const names: string[] = [];
  const outputs: tf.SymbolicTensor[] = [];
  const inputOf = new Map<string, string>();
  const inputLayer = model.inputs[0].sourceLayer;
  names.push(inputLayer.name);
  outputs.push(model.inputs[0]);
  for (const layer of model.layers) {
    if (layer === inputLayer || layer.getClassName() === 'InputLayer') continue;
    let out: tf.SymbolicTensor | tf.SymbolicTensor[];
    try {
      out = layer.output;
    } catch {
      // A layer called more than once (shared) or a nested model: its first call in this model.
      try {
        out = layer.getOutputAt(layer.inboundNodes.length - 1);
      } catch {
        continue;
      }
    }
    if (Array.isArray(out)) continue;
    const source = layer.inboundNodes[layer.inboundNodes.length - 1]?.inboundLayers[0];
    if (source) inputOf.set(layer.name, source.getClassName() === 'InputLayer' ? inputLayer.name : source.name);
    names.push(layer.name);
    outputs.push(out);
  }
  const probe = tf.model({ inputs: model.inputs, outputs });
  const values = outputs.reduce((sum, o) => sum + o.shape.slice(1).reduce<number>((a, d) => a * (d ?? NaN), 1), 0);
  return { model, names, inputOf, probe, inputShape: model.inputs[0].shape.slice(1), values, ms: performance.now() - t0 };
}

/** Runs `input` (height × width × channels, or height × width for a rank-3 model input) through the model. */
/** The most values the layers' outputs may hold for one run (4 bytes each: 240 MB). */
export const MAX_RUN_VALUES = 60_000_000;

export function runModel(built: BuiltModel, input: FeatureMap): Map<string, LayerOutput> {
  if (!(built.values <= MAX_RUN_VALUES)) {
    throw new Error(`its layers' outputs hold ${Number.isFinite(built.values) ? built.values.toLocaleString('en-US') : 'an unknown number of'} values for one input; the lab runs models of up to ${MAX_RUN_VALUES.toLocaleString('en-US')}`);
  }
  const shape = built.inputShape.length === 2 ? [1, input.height, input.width] : [1, input.height, input.width, input.channels];
  const results = new Map<string, LayerOutput>();
  const outs = tf.tidy(() => {
    const x = tf.tensor(input.data, shape);
    const y = built.probe.predict(x);
    return Array.isArray(y) ? y : [y];
  });
  outs.forEach((t, i) => {
    results.set(built.names[i], { shape: t.shape.slice(1), data: t.dataSync() as Float32Array });
    t.dispose();
  });
  return results;
}

/** A layer's output as a height × width × channels map (rank-3 outputs: height × width × channels; 1-D: a row), or null. */
export function asFeatureMap(out: LayerOutput): FeatureMap | null {
  const s = out.shape;
  if (s.length === 3) return featureMap(s[0], s[1], s[2], out.data);
  if (s.length === 2) return featureMap(1, s[0], s[1], out.data);
  return null;
}

/** Frees the model's weights (the probe shares its layers: disposing one container may already free them). */
export function disposeModel(built: BuiltModel | null): void {
  if (!built) return;
  for (const m of [built.probe, built.model]) {
    try {
      m.dispose();
    } catch {
      // already disposed through the other container
    }
  }
}
