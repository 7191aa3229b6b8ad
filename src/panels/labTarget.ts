// What the model lab is opened on, as protocol data: the analysis' rows (the shapes the editor
// shows), the model's Keras JSON (src/core/export.ts) that the webview builds with tfjs, the layers
// the export left out and why, and the input an image is fitted to. No vscode: unit-tested in node.

import { exportModel, withoutPoolingJson, type CodeFrom, type ModelExport } from '../core/export';
import { isPoolingClass, poolingCost } from '../core/pooling';
import { formatOutputShape, formatShape, type Shape } from '../core/shape';
import type { ModelSummary } from '../core/summary';
import { MAX_LAB_INPUT_VALUES, MAX_SIDE, type LabLayer, type LabTarget, type MapSize, type ModelInfo } from '../protocol';
import { layerInfo, modelInfo, type LineOf } from './poolingTarget';

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The model input as height × width × channels, when it is one the lab can feed an image to. */
export function labInputOf(shape: Shape | null | undefined, channelsFirst: boolean): MapSize | null {
  if (!shape || channelsFirst) return null;
  const size = (d: unknown): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1 && d <= MAX_SIDE;
  // (None, H, W, C): an image; (None, H, W): a grey image without its channel axis (fed as H × W).
  const [, height, width, channels = 1] = shape;
  if ((shape.length !== 4 && shape.length !== 3) || !size(height) || !size(width) || !size(channels)) return null;
  if (height * width * channels > MAX_LAB_INPUT_VALUES) return null;
  return { height, width, channels };
}

/** Does any exported layer (or nested one) use channels-first data? The lab draws channels-last maps only. */
function usesChannelsFirst(json: unknown, depth = 0): boolean {
  if (depth > 40 || typeof json !== 'object' || json === null) return false;
  if ((json as { data_format?: unknown }).data_format === 'channels_first') return true;
  return Object.values(json).some((v) => usesChannelsFirst(v, depth + 1));
}

/** The lab's target for `summary` (a model of the document `key` names). */
export function labTarget(key: string, summary: ModelSummary, lineOf: LineOf, codeFrom: CodeFrom): LabTarget {
  const exp = exportModel(summary.model, codeFrom);
  const layers: LabLayer[] = summary.rows.slice(0, 10_000).map((r) => {
    const l: LabLayer = { name: cut(r.name, 500), className: cut(r.className, 200), line: lineOf(r.layer), outputShape: cut(formatOutputShape(r.outputShape), 500), params: r.params };
    if (isPoolingClass(r.layer.className)) l.pooling = layerInfo(r.layer, lineOf, poolingCost(summary).saves.get(r.layer));
    return l;
  });
  const inputShape = summary.model.inputs[0]?.shape ?? null;
  const preview = modelInfo(summary, lineOf);
  const input = inputOf(summary, exp);
  const target: LabTarget = {
    key,
    name: cut(summary.model.name, 500),
    layers,
    json: exp.json,
    skipped: exp.skipped.slice(0, 10_000).map((s) => ({ name: cut(s.name, 500), className: cut(s.className, 200), reason: cut(s.reason, 2000) })),
    input,
    inputShape: cut(formatShape(inputShape), 500),
    preview,
  };
  if (exp.reason) target.reason = cut(exp.reason, 2000);
  // The Pooling lab's second model: only when the analysis knows its params (the lab shows them).
  const without = exp.json && preview.removed.length > 0 && preview.paramsWithout !== null ? withoutPoolingJson(exp.json) : null;
  if (without) target.jsonWithoutPooling = without;
  if (exp.json && !input) target.inputWhy = inputWhy(summary, exp);
  attachRun(preview, summary, exp, input);
  return target;
}

/** Why the lab cannot feed an exported model. */
function inputWhy(summary: ModelSummary, exp: ModelExport): string {
  const inputs = summary.model.inputs;
  if (inputs.length !== 1) return `the lab feeds models of one input; this one has ${inputs.length}`;
  if (usesChannelsFirst(exp.json)) return "the lab draws channels-last maps; this model uses data_format='channels_first'";
  const shape = inputs[0].shape;
  const values = shape ? shape.slice(1).reduce<number>((a, d) => a * (typeof d === 'number' ? d : NaN), 1) : NaN;
  if (values > MAX_LAB_INPUT_VALUES) return `its input ${formatShape(shape)} holds ${values.toLocaleString('en-US')} values; the lab feeds inputs of up to ${MAX_LAB_INPUT_VALUES.toLocaleString('en-US')}`;
  return `the lab feeds images, (None, height, width, channels) or (None, height, width); this model's input is ${formatShape(shape)}`;
}

function inputOf(summary: ModelSummary, exp: ModelExport): MapSize | null {
  return exp.json && summary.model.inputs.length === 1 ? labInputOf(summary.model.inputs[0]?.shape, usesChannelsFirst(exp.json)) : null;
}

/**
 * Lets the pooling preview run the real model (each pooling layer gets its real input, convolutions
 * included): the model's JSON and input, when the export reaches every pooling layer.
 */
function attachRun(preview: ModelInfo, summary: ModelSummary, exp: ModelExport, input: MapSize | null): void {
  if (preview.pooling.length === 0) return;
  const why = (text: string) => (preview.runWhy = cut(text, 2000));
  const volume = preview.pooling.find((p) => p.className.endsWith('3D'));
  if (volume) return void why(`${volume.name} is 3-D pooling: the preview pools 2-D maps (height × width), while its real input is a volume with depth`);
  if (!exp.json) return void why(`Shape Lens could not export this model for tfjs${exp.reason ? ` (${exp.reason})` : ''}`);
  if (!input) return void why(inputWhy(summary, exp));
  const exported = new Set<string>();
  collectNames(exp.json.config.layers, exported);
  const missing = preview.pooling.find((p) => !exported.has(p.name));
  if (missing) {
    const skip = exp.skipped.find((s) => s.name === missing.name);
    return void why(`${missing.name} (${missing.className}) is not exported for tfjs${skip ? `: ${skip.reason}` : ''}`);
  }
  preview.json = exp.json;
  preview.input = input;
}

/** Names of the exported layers, those of nested models (a Sequential used as a layer) included. */
function collectNames(layers: { config: { [key: string]: unknown } }[], into: Set<string>, depth = 0): void {
  if (depth > 16) return;
  for (const l of layers) {
    if (typeof l.config.name === 'string') into.add(l.config.name);
    if (Array.isArray(l.config.layers)) collectNames(l.config.layers as typeof layers, into, depth + 1);
  }
}

/** The preview's model info for `summary`, able to run the real model when it can be exported. */
export function runnableModelInfo(summary: ModelSummary, lineOf: LineOf, codeFrom: CodeFrom): ModelInfo {
  const info = modelInfo(summary, lineOf);
  const exp = exportModel(summary.model, codeFrom);
  attachRun(info, summary, exp, inputOf(summary, exp));
  return info;
}
