// The TensorFlow.js API as the JS/TS interpreter sees it: which modules are tfjs, the `tf.layers`
// factories and the Keras classes they create, camelCase config normalised to the core's
// snake_case, tfjs defaults that differ from Keras, and what calling an API path does.

import { toSnakeCase, type ConfigValue, type LayerConfig } from '../../core/config';
import { ruleForTfjsFactory } from '../../core/layers/registry';
import { DiagnosticCode, type SourceRange } from '../../core/diagnostics';
import type { KerasRuntime } from '../common/keras-runtime';
import { UNKNOWN_DIM, type Shape } from '../../core/shape';
import { shapeFromValue } from '../common/keras-runtime';
import { dimFormulas, layerSizes, sequenceItems, toConfigValue, unknown, type CallArgs, type Value } from '../common/values';
import type { Formula } from '../../core/formula';
import { callTfjsOp } from './ops-api';

/** Packages whose exports are the tfjs API (`tf`). */
const TFJS_PACKAGES = new Set(['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-core']);

/** API paths are rooted at `tf` whatever the import spelling. */
export const TF_ROOT = 'tf';

export function isTfjsPackage(spec: string): boolean {
  return TFJS_PACKAGES.has(spec);
}

/** tfjs spellings of config values that Keras spells differently, by setting. */
const KERAS_SPELLING: Record<string, Record<string, string>> = {
  data_format: { channelsLast: 'channels_last', channelsFirst: 'channels_first' },
  output_mode: { oneHot: 'one_hot', multiHot: 'multi_hot' },
};

/**
 * tfjs defaults that differ from Keras 3. GRU: tfjs-layers implements only the original variant
 * (no `resetAfter` option, params 3·u·(in + u + 1)), Keras 3 defaults to reset_after=True.
 */
const TFJS_DEFAULTS: Record<string, LayerConfig> = {
  GRU: { reset_after: false },
};

/**
 * tfjs layer args (one camelCase object) → the core's canonical snake_case config, with tfjs'
 * defaults where they differ from Keras. Nested layers (`layer:` of wrappers) become layer specs.
 */
export function tfjsConfig(className: string, args: Value | undefined): LayerConfig {
  const config: LayerConfig = { ...(TFJS_DEFAULTS[className] ?? {}) };
  if (!args || args.k !== 'dict') return config;
  for (const [key, v] of args.map) {
    const snake = toSnakeCase(key);
    let value: ConfigValue = toConfigValue(v);
    if (typeof value === 'string' && Object.hasOwn(KERAS_SPELLING, snake)) value = KERAS_SPELLING[snake][value] ?? value;
    config[snake] = value;
  }
  // tfjs' Embedding always declares its input: batchInputShape [batchSize, inputLength] (null when absent).
  if (className === 'Embedding' && config.input_shape === undefined && config.batch_input_shape === undefined) {
    const len = config.input_length;
    const batch = config.batch_size;
    config.batch_input_shape = [batch === undefined ? null : batch, ...(Array.isArray(len) ? len : [len === undefined ? null : len])] as ConfigValue[];
  }
  // `inputLength` is tfjs' own (not Keras 3's deprecated `input_length`): used above, not passed on.
  if (className === 'Embedding') delete config.input_length;
  return config;
}

function prop(args: Value | undefined, key: string): Value | undefined {
  return args?.k === 'dict' ? args.map.get(key) : undefined;
}

function nameOf(args: Value | undefined): string | null {
  const n = prop(args, 'name');
  return n?.k === 'str' ? n.v : null;
}

/** The formulas of the open-size dims of `tf.input({...})`'s shape (see `inputShape`), batch dim first. */
function inputDimFormulas(args: Value | undefined): (Formula | undefined)[] | undefined {
  const batchShape = prop(args, 'batchShape') ?? prop(args, 'batchInputShape');
  if (batchShape) return dimFormulas(batchShape);
  const dims = dimFormulas(prop(args, 'shape') ?? prop(args, 'inputShape'));
  return dims && [undefined, ...dims];
}

/** Reads `shape` / `batchShape` of `tf.input({...})` (`inputShape` / `batchInputShape` of `tf.layers.inputLayer`), + `batchSize`, as a batch shape. */
function inputShape(args: Value | undefined): Shape | null | undefined {
  const batchShape = prop(args, 'batchShape') ?? prop(args, 'batchInputShape');
  if (batchShape) return shapeFromValue(batchShape) ?? null;
  const shape = prop(args, 'shape') ?? prop(args, 'inputShape');
  if (!shape) return undefined;
  const dims = shapeFromValue(shape);
  if (!dims) return null;
  const batch = prop(args, 'batchSize');
  return [batch === undefined || batch.k === 'none' ? null : batch.k === 'num' ? batch.v : UNKNOWN_DIM, ...dims];
}

/**
 * Calls a tfjs API path (`tf.layers.conv2d`, `tf.sequential`, `tf.input`, `tf.model`).
 * Returns undefined for paths that do not build models (the interpreter returns Unknown).
 */
export function callTfjsApi(path: string, args: CallArgs, range: SourceRange, rt: KerasRuntime): Value | undefined {
  // `tf.layers.input` is tfjs' alias of `tf.input` (a SymbolicTensor, not a layer).
  const parts = path === `${TF_ROOT}.layers.input` ? [TF_ROOT, 'input'] : path.split('.');
  if (parts[0] !== TF_ROOT) return undefined;
  const op = callTfjsOp(path, args.positional, range, rt);
  if (op) return op;
  const last = parts[parts.length - 1];
  const a0 = args.positional[0];
  if (parts.length === 3 && parts[1] === 'layers') {
    const cls = last === 'inputLayer' ? 'InputLayer' : ruleForTfjsFactory(last)?.className;
    if (!cls) {
      rt.sink.warning(DiagnosticCode.unknownLayer, `Unknown tfjs layer factory tf.layers.${last}: its output shape is unknown.`, range);
      return rt.layer(last, {}, range);
    }
    if (cls === 'InputLayer') {
      const t = rt.input(inputShape(a0) ?? null, range, nameOf(a0) ?? undefined, a0, prop(a0, 'dtype'), inputDimFormulas(a0));
      return t.k === 'tensor' && t.t.source ? { k: 'layer', node: t.t.source.layer } : t;
    }
    const config = tfjsConfig(cls, a0);
    if (cls === 'Conv1D' && config.padding === 'causal') {
      // tfjs-layers sizes causal like 'valid' and throws when the layer runs; match its shapes, say so.
      rt.sink.warning(DiagnosticCode.tfjsUnsupported, "tfjs-layers does not implement padding 'causal' for conv1d: model.summary() shows the 'valid' length and the model fails when it runs. Use 'same', or pad the sequence on the left before the layer.", range);
      config.padding = 'valid';
    }
    return rt.layer(cls, config, range, a0?.k === 'dict' ? layerSizes([...a0.map].map(([k, v]) => [toSnakeCase(k), v])) : undefined);
  }
  if (parts.length !== 2) return undefined;
  switch (last) {
    case 'sequential': {
      const layers = prop(a0, 'layers');
      return rt.sequential(layers ? sequenceItems(layers) ?? [] : [], nameOf(a0), range);
    }
    case 'model': {
      const inputs = prop(a0, 'inputs');
      const outputs = prop(a0, 'outputs');
      if (!inputs || !outputs) return undefined;
      return rt.functional(inputs, outputs, nameOf(a0), range);
    }
    case 'input': {
      const shape = inputShape(a0);
      if (shape === undefined) rt.sink.warning(DiagnosticCode.inputShape, '`tf.input` needs `shape` (or `batchShape`) for Shape Lens to know the model\'s shapes.', range);
      return rt.input(shape ?? null, range, nameOf(a0) ?? undefined, a0, prop(a0, 'dtype'), inputDimFormulas(a0));
    }
    case 'zeros':
    case 'ones':
    case 'randomNormal':
    case 'randomUniform': {
      const shape = a0 ? shapeFromValue(a0) : undefined;
      return shape ? { k: 'tensor', t: rt.builder.looseTensor(shape) } : unknown();
    }
    default:
      return undefined;
  }
}

