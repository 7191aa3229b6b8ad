// What the pooling preview is opened on, as protocol data: the pooling layer's settings mapped to
// the webview's 2-D stages, its inferred input, and the model's pooling stack and params with and
// without pooling. No vscode: unit-tested in plain node.

import type { LayerNode } from '../core/graph';
import { splitChannels } from '../core/layers/convutils';
import type { Measure } from '../core/cost';
import { isPoolingClass, paramsWithoutPooling, poolingCost, poolingLayersOf, poolingSettings, type PassCost, type PoolingSettings } from '../core/pooling';
import { formatOutputShape, formatShape, formatShortCount, type Dim, type Shape } from '../core/shape';
import type { ModelSummary } from '../core/summary';
import { MAX_SIDE, MAX_WINDOW, type CountFigure, type LayerInfo, type ModelInfo, type PassFigures, type PreviewTarget, type StageSettings } from '../protocol';

/** 1-based line of a layer in the document the preview was opened from, or null (another file). */
export type LineOf = (layer: LayerNode) => number | null;

/** The preview's 2-D stage for Keras settings: 1-D pools a 1 × length map; 3-D shows its height × width part. */
export function toStage(s: PoolingSettings): { settings: StageSettings; note?: string } {
  if (s.global) return { settings: { mode: s.op === 'max' ? 'globalMax' : 'globalAvg', poolSize: [1, 1], strides: [1, 1], padding: 'valid' } };
  const padding = s.padding;
  const mode = s.op;
  if (s.rank === 1) {
    return { settings: { mode, poolSize: [1, s.poolSize[0]], strides: [1, s.strides[0]], padding }, note: '1-D pooling: the sequence is drawn as one row (height 1).' };
  }
  if (s.rank === 3) {
    return {
      settings: { mode, poolSize: [s.poolSize[1], s.poolSize[2]], strides: [s.strides[1], s.strides[2]], padding },
      note: `3-D pooling: the preview pools height × width; along depth the window is ${s.poolSize[0]} with stride ${s.strides[0]}.`,
    };
  }
  return { settings: { mode, poolSize: [s.poolSize[0], s.poolSize[1]], strides: [s.strides[0], s.strides[1]], padding } };
}

/** Texts are cut to what the protocol guard accepts (a pathological name must not drop the whole message). */
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** A count as the hover prints it (core/shape.ts `formatShortCount`), with why it is unknown. */
export function countFigure(m: Measure<number>): CountFigure {
  const f: CountFigure = { value: m.value, text: formatShortCount(m.value) };
  if (m.value === null) f.why = cut(m.why ?? 'Shape Lens does not know it', 2000);
  return f;
}

const passFigures = (p: PassCost): PassFigures => ({ macs: countFigure({ value: p.macs, why: p.why }), flops: countFigure({ value: p.flops, why: p.why }) });

/** `layer`'s settings for the preview; `saves`: the MACs it saves its model (core/pooling.ts `poolingCost`), when known to be in one. */
export function layerInfo(layer: LayerNode, lineOf: LineOf, saves?: Measure<number>): LayerInfo {
  const settings = poolingSettings(layer.className, layer.config);
  const stage = settings ? toStage(settings) : null;
  const tooLarge = stage !== null && [...stage.settings.poolSize, ...stage.settings.strides].some((v) => v > MAX_WINDOW);
  const input = layer.inputShapes?.[0] ?? null;
  const info: LayerInfo = {
    name: cut(layer.name, 500),
    className: cut(layer.className, 200),
    line: lineOf(layer),
    inputShape: cut(formatShape(input), 500),
    outputShape: cut(formatOutputShape(layer.outputShape ?? null), 500),
    dataFormat: settings?.dataFormat ?? 'channels_last',
    settings: stage && !tooLarge ? stage.settings : null,
  };
  if (tooLarge) info.note = `Pool sizes and strides above ${MAX_WINDOW} are not previewed.`;
  else if (stage?.note) info.note = stage.note;
  if (settings?.global && settings.keepdims) info.keepdims = true;
  if (saves) info.saves = countFigure(saves);
  return info;
}

/** Height × width × channels of a pooling layer's input, when the analysis knows them all. */
export function featureMapOf(layer: LayerNode): PreviewTarget['featureMap'] {
  const settings = poolingSettings(layer.className, layer.config);
  const input: Shape | null = layer.inputShapes?.[0] ?? null;
  if (!settings || !input || input.length !== settings.rank + 2) return null;
  const { spatial, channels } = splitChannels(input, settings.dataFormat);
  const [height, width] = settings.rank === 1 ? [1, spatial[0]] : settings.rank === 2 ? spatial : [spatial[1], spatial[2]];
  if (!isSize(height) || !isSize(width) || !isSize(channels)) return null;
  return { height, width, channels };
}

const isSize = (d: Dim | undefined): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1 && d <= MAX_SIDE;

export function modelInfo(summary: ModelSummary, lineOf: LineOf): ModelInfo {
  const without = paramsWithoutPooling(summary.model);
  const cost = poolingCost(summary);
  return {
    name: cut(summary.model.name, 500),
    paramsWith: summary.totalParams,
    paramsWithout: without.removed.length > 0 ? without.totalParams : summary.totalParams,
    removed: without.removed.map((l) => cut(l.name, 500)),
    costWith: passFigures(cost.with),
    costWithout: passFigures(cost.without),
    pooling: poolingLayersOf(summary.model).slice(0, 1000).map((p) => layerInfo(p.layer, lineOf, cost.saves.get(p.layer))),
  };
}

/** The target for `layer` (a pooling layer) of `model`; either may be absent. */
export function previewTarget(key: string, layer: LayerNode | undefined, model: ModelSummary | undefined, lineOf: LineOf): PreviewTarget {
  const pooling = layer && isPoolingClass(layer.className) ? layer : undefined;
  return {
    key,
    layer: pooling ? layerInfo(pooling, lineOf) : null,
    featureMap: pooling ? featureMapOf(pooling) : null,
    model: model ? modelInfo(model, lineOf) : null,
  };
}
