// Model summaries: the rows and totals Keras' `model.summary()` prints, as data and as text.

import type { GraphBuilder } from './builder';
import { getRule } from './layers/registry';
import type { LayerNode, ModelGraph } from './graph';
import { formatCount, formatOutputShape, formatWeightBytes, hasUnknownDim, isShapeList, type OutputShape, type Shape } from './shape';

export interface SummaryRow {
  layer: LayerNode;
  name: string;
  className: string;
  outputShape: OutputShape;
  /** null when unknown (an unknown dim or setting). */
  params: number | null;
  trainableParams: number | null;
  nonTrainableParams: number | null;
  /** Never called, so it owns no weights yet (Keras prints `0 (unbuilt)`). */
  unbuilt: boolean;
}

export interface ModelSummary {
  model: ModelGraph;
  rows: SummaryRow[];
  outputShape: OutputShape;
  totalParams: number | null;
  trainableParams: number | null;
  nonTrainableParams: number | null;
}

export function summarize(builder: GraphBuilder, model: ModelGraph): ModelSummary {
  const rows: SummaryRow[] = [];
  for (const layer of model.layers) {
    // Tensor operations (`x + y`) connect the graph but are not rows: Keras lists Layers only.
    if (!layer.nested && getRule(layer.className)?.operation) continue;
    const p = builder.layerParams(layer);
    const unbuilt = layer.calls.length === 0 && !layer.nested;
    rows.push({
      layer,
      name: layer.name,
      className: (!layer.nested && getRule(layer.className)?.summaryClassName) || layer.className,
      outputShape: outputShapeIn(layer),
      params: p.trainable === null || p.nonTrainable === null ? null : p.trainable + p.nonTrainable,
      trainableParams: p.trainable,
      nonTrainableParams: p.nonTrainable,
      unbuilt,
    });
  }
  const totals = builder.modelParams(model);
  const outs = model.outputs.map((t) => t.shape);
  return {
    model,
    rows,
    outputShape: !model.built || model.incomplete ? null : outs.length === 1 ? outs[0] : outs.some((s) => s === null) ? null : (outs as Shape[]),
    totalParams: totals.trainable === null || totals.nonTrainable === null ? null : totals.trainable + totals.nonTrainable,
    trainableParams: totals.trainable,
    nonTrainableParams: totals.nonTrainable,
  };
}

/** True if the row shows a `?` (its shape, a dim of it, or its params). */
export function rowHasUnknown(r: SummaryRow): boolean {
  if (r.params === null && !r.unbuilt) return true;
  const s = r.outputShape;
  if (s === null) return !r.unbuilt;
  return (isShapeList(s) ? s : [s]).some((x) => hasUnknownDim(x));
}

/** Rows that show a `?`, each with why (the setting or input Shape Lens could not follow). */
export function unknownRows(s: ModelSummary): { row: SummaryRow; why: string }[] {
  return s.rows.filter(rowHasUnknown).map((row) => ({ row, why: row.layer.unknownWhy ?? 'Shape Lens could not follow how it is built' }));
}

/** The params of the rows that are known, when the total is not: "at least 1,234 + unknown". */
export function knownParams(s: ModelSummary): number {
  const seen = new Set<number>();
  let sum = 0;
  for (const r of s.rows) {
    if (seen.has(r.layer.id) || r.params === null) continue;
    seen.add(r.layer.id);
    sum += r.params;
  }
  return sum;
}

/** Lines under the summary table that say what each `?` stands for. */
export function formatUnknownNotes(s: ModelSummary): string[] {
  const rows = unknownRows(s);
  if (rows.length === 0 && s.totalParams !== null) return [];
  const out = rows.map(({ row, why }) => `  ? ${row.name}: ${why}`);
  if (s.model.incomplete) out.push(`  ? ${s.model.name}: ${s.model.incomplete}`);
  // An incomplete model (a loop or branch Shape Lens could not decide) has no safe lower bound.
  if (s.totalParams === null && !s.model.incomplete) out.push(`  Total params: at least ${formatCount(knownParams(s))} + unknown`);
  return ['? = not known to Shape Lens (not Keras\' None):', ...out];
}

/** The output shape of the layer's first call (Keras shows the shape of the call that built it). */
function outputShapeIn(layer: LayerNode): OutputShape {
  if (layer.calls.length === 0) return null;
  const call = layer.calls[0];
  const outs = call.outputs.map((t) => t.shape);
  if (outs.length === 1) return outs[0];
  return outs.some((s) => s === null) ? null : (outs as Shape[]);
}

/** The Keras summary table as text (Keras 2 layout, Keras 3 figures with thousands separators). */
export function formatSummary(s: ModelSummary, width = 80): string {
  const col1 = Math.max(29, ...s.rows.map((r) => `${r.name} (${r.className})`.length + 2));
  const col2 = Math.max(26, ...s.rows.map((r) => formatOutputShape(r.outputShape).length + 2));
  const lineLen = Math.max(width, col1 + col2 + 12);
  const line = (ch: string) => ch.repeat(lineLen);
  const pad = (text: string, n: number) => (text.length >= n ? text + ' ' : text + ' '.repeat(n - text.length));
  const out: string[] = [];
  out.push(`Model: "${s.model.name}"`);
  out.push(line('_'));
  out.push(pad(' Layer (type)', col1) + pad('Output Shape', col2) + 'Param #');
  out.push(line('='));
  for (const r of s.rows) {
    const params = r.unbuilt ? '0 (unbuilt)' : formatCount(r.params);
    out.push(pad(` ${r.name} (${r.className})`, col1) + pad(formatOutputShape(r.outputShape), col2) + params);
  }
  out.push(line('='));
  out.push(`Total params: ${formatCount(s.totalParams)} (${formatWeightBytes(s.totalParams)})`);
  out.push(`Trainable params: ${formatCount(s.trainableParams)} (${formatWeightBytes(s.trainableParams)})`);
  out.push(`Non-trainable params: ${formatCount(s.nonTrainableParams)} (${formatWeightBytes(s.nonTrainableParams)})`);
  out.push(line('_'));
  return out.join('\n');
}
