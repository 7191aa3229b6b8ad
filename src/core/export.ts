// Keras JSON export: an analysed model as `model.to_json()` writes it, in the tf.keras 2 layout that
// tfjs-layers' `tf.models.modelFromJSON` reads (and Netron opens). Topology only, no weights. A
// model is exported up to the layers tfjs-layers lacks or whose settings the analysis does not
// know; those are listed with the reason, never written with a guessed value.

import { hasUnknownValue, isLayerSpec, toSnakeCase, UNKNOWN, type ConfigValue, type LayerConfig } from './config';
import type { CallNode, LayerNode, ModelGraph, SymbolicTensor } from './graph';
import { getRule } from './layers/registry';
import { isWindowedPoolingClass } from './pooling';
import { hasUnknownDim, isShapeList, type Shape } from './shape';

export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `[layer name, node index, tensor index, call kwargs]`: one input of a layer call. */
export type NodeInput = [string, number, number, Record<string, JsonValue>];
/** `[layer name, node index, tensor index]`: a model input or output. */
export type TensorRef = [string, number, number];

export interface KerasLayerJson {
  class_name: string;
  config: { [key: string]: JsonValue };
  /** Functional models only (Sequential layers are connected in order). */
  name?: string;
  inbound_nodes?: NodeInput[][];
}

export interface KerasModelConfig {
  name: string;
  layers: KerasLayerJson[];
  /** Functional models only. */
  input_layers?: TensorRef[];
  output_layers?: TensorRef[];
}

export interface KerasModelJson {
  class_name: 'Sequential' | 'Functional';
  config: KerasModelConfig;
  keras_version: string;
  backend: string;
}

/** A layer left out of the export, and why. */
export interface SkippedLayer {
  name: string;
  className: string;
  reason: string;
}

export interface ModelExport {
  /** Null when not even the first layer could be exported (`skipped` and `reason` say why). */
  json: KerasModelJson | null;
  /** Layers of the model (summary rows) left out, in order. */
  skipped: SkippedLayer[];
  /** Why nothing of the model was exported (its input, or the kind of model), when that is the cause. */
  reason?: string;
}

/**
 * Whose API the code was written for: a setting the code leaves out has that library's default,
 * which the export writes where Keras and tfjs-layers differ (`LayerRule.defaultsDiffer`).
 */
export type CodeFrom = 'keras' | 'tfjs';

/** The layout written: tf.keras 2's, the one tfjs-layers reads (Keras 3's `to_json` nodes differ). */
export const EXPORT_KERAS_VERSION = '2.15.0';

/** Constructor arguments that declare the model's input (written as its InputLayer) or the layer's name. */
const INPUT_KEYS = new Set(['name', 'input_shape', 'batch_input_shape', 'batch_shape', 'batch_size', 'trainable']);

/** tf.keras 2's LecunNormal / LecunUniform as the VarianceScaling they are (tfjs spells the classes `LeCun…`). */
const LECUN: Record<string, JsonValue> = {
  lecun_normal: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution: 'truncated_normal', seed: null } },
  lecun_uniform: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution: 'uniform', seed: null } },
};

/** Activations tfjs-layers has, in Keras' spelling. */
const TFJS_ACTIVATIONS = new Set(['elu', 'selu', 'relu', 'relu6', 'linear', 'sigmoid', 'hard_sigmoid', 'softplus', 'softsign', 'tanh', 'softmax', 'log_softmax', 'gelu', 'mish', 'swish']);

/** How deep models, wrapped layers and settings may nest (bad input never recurses without end). */
const MAX_DEPTH = 32;

class Skip {
  constructor(readonly reason: string) {}
}

/** The Keras JSON of an analysed model, up to the layers it cannot export. Never throws. */
export function exportModel(model: ModelGraph, codeFrom: CodeFrom = 'keras'): ModelExport {
  return exportGraph(model, codeFrom, false, 0);
}

/** `frozen`: a nested model set `trainable = False`, which Keras and tfjs pass on to each of its layers. */
function exportGraph(model: ModelGraph, from: CodeFrom, frozen: boolean, depth: number): ModelExport {
  const allSkipped = (reason: string): ModelExport => ({ json: null, reason, skipped: model.layers.map((l) => ({ name: l.name, className: l.className, reason })) });
  if (depth > MAX_DEPTH) return allSkipped('models nested too deeply');
  if (model.kind === 'subclassed') return allSkipped(`a subclassed model (${model.className}): its call() is Python code, which Keras' JSON config does not hold`);
  if (!model.built) return allSkipped('the model has no input shape, so Keras would not build it');
  if (model.incomplete) return allSkipped(`Shape Lens may not have seen all its layers: ${model.incomplete}`);
  for (const t of model.inputs) {
    if (!t.shape) return allSkipped('its input shape is not known to Shape Lens');
    if (hasUnknownValue(t.source?.layer.config.dtype)) return allSkipped('the dtype of its input is not known to Shape Lens');
    if (hasUnknownDim(t.shape)) return allSkipped(`a dim of its input shape is not known to Shape Lens${t.unknownWhy ? ` (${t.unknownWhy})` : ''}`);
  }
  return model.kind === 'sequential' ? exportSequential(model, from, frozen, depth) : exportFunctional(model, from, frozen, depth);
}

function wrap(className: 'Sequential' | 'Functional', config: KerasModelConfig): KerasModelJson {
  return { class_name: className, config, keras_version: EXPORT_KERAS_VERSION, backend: 'tensorflow' };
}

function exportSequential(model: ModelGraph, from: CodeFrom, frozen: boolean, depth: number): ModelExport {
  const input = model.inputs[0];
  if (model.inputs.length !== 1 || !input.shape) return { json: null, reason: 'a Sequential model with one input', skipped: [] };
  const inputName = input.source?.layer.name ?? `${model.layers[0]?.name ?? model.name}_input`;
  const layers: KerasLayerJson[] = [{ class_name: 'InputLayer', config: inputLayerConfig(inputName, input.shape, input.source?.layer) }];
  const skipped: SkippedLayer[] = [];
  for (const layer of model.layers) {
    if (layer.isInput) continue; // written above
    if (skipped.length > 0) {
      skipped.push({ name: layer.name, className: layer.className, reason: `follows ${skipped[0].name}, which is not exported` });
      continue;
    }
    const out = layerJson(layer, from, frozen, depth);
    if (out instanceof Skip) skipped.push({ name: layer.name, className: layer.className, reason: out.reason });
    else layers.push(out);
  }
  if (layers.length === 1) return { json: null, skipped, ...(model.layers.length === 0 ? { reason: 'the model has no layers' } : {}) };
  return { json: wrap('Sequential', { name: model.name, layers }), skipped };
}

function exportFunctional(model: ModelGraph, from: CodeFrom, frozen: boolean, depth: number): ModelExport {
  // The calls of this model: those its outputs are computed by (a layer may be called in other models too).
  const calls = new Set<CallNode>();
  const stack = model.outputs.map((t) => t.source).filter((c): c is CallNode => !!c);
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (calls.has(c)) continue;
    calls.add(c);
    for (const t of [...c.inputs, ...(c.extraInputs ?? [])]) if (t.source) stack.push(t.source);
  }
  const nodeIndex = new Map<CallNode, number>();
  const skippedLayers = new Map<LayerNode, string>();
  const layers: KerasLayerJson[] = [];
  const skipped: SkippedLayer[] = [];
  const exported = new Set<LayerNode>();
  for (const layer of model.layers) {
    const mine = layer.calls.filter((c) => calls.has(c));
    // A model's inbound node 0 is its own inner graph (tfjs numbers the calls after it).
    const first = layer.nested ? 1 : 0;
    mine.forEach((c, i) => nodeIndex.set(c, first + i));
    const skip = (reason: string) => {
      skippedLayers.set(layer, reason);
      skipped.push({ name: layer.name, className: layer.className, reason });
    };
    if (layer.isInput) {
      const shape = mine[0]?.outputs[0]?.shape ?? (Array.isArray(layer.outputShape) && !isShapeList(layer.outputShape) ? layer.outputShape : null);
      if (!shape || hasUnknownDim(shape)) skip('its shape is not known to Shape Lens');
      else {
        layers.push({ class_name: 'InputLayer', config: inputLayerConfig(layer.name, shape, layer), name: layer.name, inbound_nodes: [] });
        exported.add(layer);
      }
      continue;
    }
    if (mine.length === 0) continue; // not part of this model's graph
    const upstream = mine.flatMap((c) => c.inputs).map((t) => t.source?.layer).find((l) => l !== undefined && !exported.has(l));
    if (upstream) {
      skip(skippedLayers.has(upstream) ? `follows ${upstream.name}, which is not exported` : `its input comes from ${upstream.name}, not exported before it`);
      continue;
    }
    if (mine.some((c) => c.inputs.some((t) => !t.source))) {
      skip('it is called on a tensor that no Keras layer made');
      continue;
    }
    if (mine.some((c) => (c.extraInputs ?? []).length > 0)) {
      skip('it is called with tensors besides its input (initial_state=…), which the export does not write yet');
      continue;
    }
    const out = layerJson(layer, from, frozen, depth);
    if (out instanceof Skip) {
      skip(out.reason);
      continue;
    }
    out.name = layer.name;
    out.inbound_nodes = mine.map((c) => c.inputs.map((t): NodeInput => [t.source!.layer.name, nodeIndex.get(t.source!)!, t.outputIndex, {}]));
    layers.push(out);
    exported.add(layer);
  }
  const ref = (t: SymbolicTensor): TensorRef | null => (t.source && exported.has(t.source.layer) ? [t.source.layer.name, nodeIndex.get(t.source) ?? 0, t.outputIndex] : null);
  const inputs = model.inputs.map(ref);
  if (inputs.some((r) => r === null)) return { json: null, skipped, reason: 'an input of the model is not one of its InputLayers' };
  // Outputs: the model's own that were exported, then where the export stops (a skipped layer's exported inputs).
  const outputs: TensorRef[] = [];
  const seen = new Set<string>();
  const addOutput = (t: SymbolicTensor) => {
    const r = ref(t);
    if (!r || seen.has(r.join('/'))) return;
    seen.add(r.join('/'));
    outputs.push(r);
  };
  for (const t of model.outputs) addOutput(t);
  for (const layer of skippedLayers.keys()) for (const c of layer.calls) if (calls.has(c)) c.inputs.forEach(addOutput);
  if (layers.every((l) => l.class_name === 'InputLayer')) return { json: null, skipped };
  return { json: wrap('Functional', { name: model.name, layers, input_layers: inputs as TensorRef[], output_layers: outputs }), skipped };
}

/** An InputLayer's config; `dtype` only when the code gave one (else the loader's default, float32 unless a global policy says otherwise). */
function inputLayerConfig(name: string, shape: Shape, layer: LayerNode | undefined): { [key: string]: JsonValue } {
  const dtype = layer?.config.dtype;
  return { batch_input_shape: shape as (number | null)[], ...(typeof dtype === 'string' ? { dtype } : {}), sparse: false, ragged: false, name };
}

/** `{class_name, config}` of a layer (a nested model's own JSON), or why it is not exported. */
function layerJson(layer: LayerNode, from: CodeFrom, frozen: boolean, depth: number): KerasLayerJson | Skip {
  const trainable = layer.trainable && !frozen;
  const json = layerJsonOf(layer, from, trainable, depth);
  if (json instanceof Skip) return json;
  // A call whose output the analysis does not know: Keras would raise there (or before, on an input it got).
  const failed = layer.calls.find((c) => c.outputs.some((t) => !t.shape || t.tainted || hasUnknownDim(t.shape)));
  if (failed) {
    const inputsKnown = failed.inputs.every((t) => t.shape && !t.tainted && !hasUnknownDim(t.shape));
    return new Skip(inputsKnown || !layer.unknownWhy ? 'Keras would raise an error at this layer (see the diagnostics)' : `its output is not known to Shape Lens: ${layer.unknownWhy}`);
  }
  return json;
}

function layerJsonOf(layer: LayerNode, from: CodeFrom, trainable: boolean, depth: number): KerasLayerJson | Skip {
  if (layer.nested) {
    const inner = exportGraph(layer.nested, from, !trainable, depth + 1);
    if (!inner.json || inner.skipped.length > 0) {
      const first = inner.skipped[0];
      return new Skip(`a nested model that is not exported whole${first ? `: ${first.name} (${first.className}) ${first.reason}` : inner.reason ? `: ${inner.reason}` : ''}`);
    }
    return { class_name: inner.json.class_name, config: { ...(inner.json.config as unknown as { [key: string]: JsonValue }), trainable } };
  }
  if (layer.custom) return new Skip('a custom layer: its code is not part of a Keras JSON config');
  const spec = layerConfig(layer.className, layer.config, from, depth);
  if (spec instanceof Skip) return spec;
  return { class_name: spec.class_name, config: { name: layer.name, trainable, ...spec.config } };
}

/** The class name and exported settings of a layer (or a wrapped layer spec). */
function layerConfig(className: string, raw: LayerConfig, from: CodeFrom, depth: number): { class_name: string; config: { [key: string]: JsonValue } } | Skip {
  if (depth > MAX_DEPTH) return new Skip('layers nested too deeply');
  const rule = getRule(className);
  if (!rule) return new Skip(`Shape Lens has no rule for ${className}, so it does not know its config`);
  if (rule.operation) return new Skip(`a tensor operation (${className}); tfjs-layers has no layer for it`);
  if (!rule.tfjsFactories || rule.tfjsFactories.length === 0) return new Skip(`tfjs-layers has no ${rule.className} layer`);
  // Defaults that differ between Keras and tfjs are written as the code's own library has them.
  const given: LayerConfig = { ...(rule.defaultsDiffer?.[from] ?? {}) };
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || INPUT_KEYS.has(k)) continue;
    // Keras 2's `input_dim=` of a first layer is its input shape, except where it is a setting (Embedding).
    if (k === 'input_dim' && !rule.pythonArgs?.includes('input_dim')) continue;
    if (hasUnknownValue(v)) return new Skip(`its setting \`${k}\` is not known to Shape Lens`);
    given[k] = v;
  }
  const adjusted = rule.exportConfig ? rule.exportConfig(given) : { config: given };
  if ('skip' in adjusted) return new Skip(adjusted.skip);
  const config: { [key: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(adjusted.config)) {
    const j = toJson(k, v, from, depth);
    if (j instanceof Skip) return j;
    config[k] = j;
  }
  return { class_name: rule.className, config };
}

/** A config value as JSON: identifiers in Keras' snake_case spelling, wrapped layers as `{class_name, config}`. */
function toJson(key: string, v: ConfigValue, from: CodeFrom, depth: number): JsonValue | Skip {
  if (depth > MAX_DEPTH) return new Skip(`its setting \`${key}\` is nested too deeply`);
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : new Skip(`its setting \`${key}\` is ${v}, which JSON cannot hold`);
  if (typeof v === 'string') {
    // The front ends' stand-in for a user function or a call they did not follow (`<function f>`).
    if (/^<function .*>$/.test(v)) return new Skip(`its setting \`${key}\` is ${v.slice(1, -1)}, which a JSON config cannot hold`);
    // Keras' constructors lower-case these (`standardize_padding`, `standardize_data_format`).
    if (key === 'padding' || key === 'data_format') return v.toLowerCase();
    // tfjs code spells identifiers in camelCase (`glorotNormal`, `leCunNormal`); Keras in snake_case.
    const id = /^[a-z][A-Za-z0-9]*$/.test(v) ? toSnakeCase(v).replace(/^le_cun_/, 'lecun_') : v;
    if ((key === 'activation' || key === 'recurrent_activation') && !TFJS_ACTIVATIONS.has(id)) return new Skip(`tfjs-layers has no activation '${id}'`);
    return key.endsWith('_initializer') && LECUN[id] !== undefined ? LECUN[id] : id;
  }
  if (v === UNKNOWN) return new Skip(`its setting \`${key}\` is not known to Shape Lens`);
  if (isLayerSpec(v)) {
    const inner = layerConfig(v.className, v.config, from, depth + 1);
    if (inner instanceof Skip) return new Skip(`its ${key} ${v.className}: ${inner.reason}`);
    return inner;
  }
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const x of v) {
      const j = toJson(key, x, from, depth + 1);
      if (j instanceof Skip) return j;
      out.push(j);
    }
    return out;
  }
  const out: { [k: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) {
    const j = toJson(key, x, from, depth + 1);
    if (j instanceof Skip) return j;
    out[k] = j;
  }
  return out;
}

/**
 * The model's exported JSON with its MaxPooling/AveragePooling layers taken out (each replaced by
 * the identity, as `paramsWithoutPooling` in pooling.ts replays it): Sequential layers are dropped,
 * a Functional model's references to a pooling layer's output point at that call's input, nested
 * models the same way. Global pooling layers stay. Null when the JSON has no windowed pooling layer
 * or one cannot be taken out (several inputs or outputs of a call).
 */
export function withoutPoolingJson(json: KerasModelJson): KerasModelJson | null {
  const removed = { count: 0 };
  const config = stripPooling(json.class_name, json.config, removed, 0);
  if (!config || removed.count === 0) return null;
  return { ...json, config };
}

function stripPooling(className: string, config: KerasModelConfig, removed: { count: number }, depth: number): KerasModelConfig | null {
  if (depth > MAX_DEPTH || !Array.isArray(config.layers)) return null;
  const nested = (l: KerasLayerJson): KerasLayerJson | null => {
    if (l.class_name !== 'Sequential' && l.class_name !== 'Functional' && l.class_name !== 'Model') return l;
    const inner = stripPooling(l.class_name, l.config as unknown as KerasModelConfig, removed, depth + 1);
    return inner ? { ...l, config: inner as unknown as { [key: string]: JsonValue } } : null;
  };
  const kept: KerasLayerJson[] = [];
  if (className === 'Sequential') {
    for (const l of config.layers) {
      if (isWindowedPoolingClass(l.class_name)) removed.count++;
      else {
        const n = nested(l);
        if (!n) return null;
        kept.push(n);
      }
    }
    return { ...config, layers: kept };
  }
  // Functional: where each removed call's output now comes from (its own input, followed through chains).
  const bypass = new Map<string, TensorRef>();
  const key = (r: TensorRef | NodeInput) => `${r[0]}/${r[1]}/${r[2]}`;
  const resolve = (r: TensorRef): TensorRef => {
    for (let i = 0; i < 10_000; i++) {
      const next = bypass.get(key(r));
      if (!next) return r;
      r = next;
    }
    return r;
  };
  for (const l of config.layers) {
    if (!isWindowedPoolingClass(l.class_name)) continue;
    const nodes = l.inbound_nodes ?? [];
    if (typeof l.name !== 'string' || nodes.some((n) => n.length !== 1)) return null;
    nodes.forEach((n, i) => bypass.set(`${l.name}/${i}/0`, [n[0][0], n[0][1], n[0][2]]));
    removed.count++;
  }
  for (const l of config.layers) {
    if (isWindowedPoolingClass(l.class_name)) continue;
    const n = nested(l);
    if (!n) return null;
    const inbound = n.inbound_nodes?.map((node) => node.map((ref): NodeInput => {
      const [name, index, tensor] = resolve([ref[0], ref[1], ref[2]]);
      return [name, index, tensor, ref[3]];
    }));
    kept.push(inbound ? { ...n, inbound_nodes: inbound } : n);
  }
  const outputs = (config.output_layers ?? []).map(resolve);
  return { ...config, layers: kept, output_layers: outputs };
}
