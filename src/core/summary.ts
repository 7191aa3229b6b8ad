// Model summaries: the rows and totals Keras' `model.summary()` prints, as data and as text (the
// box-drawn table of Keras 3, the classic table of tf.keras 2.13–2.15, tfjs' plain layout).

import { callsInOrder, type GraphBuilder } from './builder';
import { getRule } from './layers/registry';
import type { CallNode, LayerNode, ModelGraph, SymbolicTensor } from './graph';
import { keras2OperationClass, keras3OperationClass } from './naming';
import { formatCount, formatOutputShape, formatShape, formatWeightBytes, hasUnknownDim, isShapeList, type OutputShape, type Shape } from './shape';

/** Whose summary layout and rows: Keras 3, tf.keras 2, or TensorFlow.js. */
export type SummaryStyle = 'keras3' | 'keras2' | 'tfjs';

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
  /** A tensor operation (`x + y`): Keras 3 `add (Add)`, tf.keras 2 `tf.__operators__.add (TFOpLambda)`. */
  operation?: boolean;
  /** The last good value of a half-typed line, carried from the previous analysis (core/stale.ts). */
  stale?: boolean;
}

export interface ModelSummary {
  model: ModelGraph;
  rows: SummaryRow[];
  outputShape: OutputShape;
  totalParams: number | null;
  trainableParams: number | null;
  nonTrainableParams: number | null;
  style: SummaryStyle;
}

export function summarize(builder: GraphBuilder, model: ModelGraph): ModelSummary {
  const rows: SummaryRow[] = [];
  const style: SummaryStyle = builder.naming === 'tfjs' ? 'tfjs' : builder.kerasVersion === 2 ? 'keras2' : 'keras3';
  for (const layer of model.layers) {
    const rule = layer.nested ? undefined : getRule(layer.className);
    // Tensor operations are rows of Keras' summaries (Keras 3 lists `Functional._operations`,
    // tf.keras 2 makes each a TFOpLambda layer); tfjs has none.
    if (rule?.operation && style === 'tfjs') continue;
    const p = builder.layerParams(layer);
    const unbuilt = layer.calls.length === 0 && !layer.nested;
    const className = rule?.operation ? (style === 'keras2' ? keras2OperationClass(layer.name) : rule.summaryClassName ?? keras3OperationClass(layer.className)) : rule?.summaryClassName || layer.className;
    rows.push({
      layer,
      name: layer.name,
      className,
      outputShape: outputShapeIn(layer),
      params: p.trainable === null || p.nonTrainable === null ? null : p.trainable + p.nonTrainable,
      trainableParams: p.trainable,
      nonTrainableParams: p.nonTrainable,
      unbuilt,
      ...(rule?.operation ? { operation: true } : {}),
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
    style,
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

/**
 * The summary table as the model's Keras prints it: Keras 3's box-drawn table, tf.keras 2's
 * classic one, or tfjs' plain layout. `lineLength` is Keras' `line_length` (Keras 3 defaults to 88,
 * 108 with a Connected-to column, clipped as Keras clips it to a terminal of `terminalColumns`;
 * tf.keras 2 to 65 and 98). `unknownParams` gives the text of a `?` params cell (the CLI: its
 * formula in the open sizes).
 */
export function formatSummary(s: ModelSummary, lineLength?: number, terminalColumns?: number, unknownParams?: UnknownParamsText): string {
  if (s.style === 'keras3') return formatKeras3Summary(s, lineLength, terminalColumns, unknownParams);
  if (s.style === 'keras2') return formatKeras2Summary(s, lineLength, unknownParams);
  return formatPlainSummary(s, undefined, unknownParams);
}

/** The text of row `index`'s params cell when they are unknown; undefined: `?`. */
export type UnknownParamsText = (index: number) => string | undefined;

/** tfjs-style plain table (Keras 3 figures with thousands separators). */
export function formatPlainSummary(s: ModelSummary, width = 80, unknownParams?: UnknownParamsText): string {
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
  for (const [i, r] of s.rows.entries()) {
    const params = r.unbuilt ? '0 (unbuilt)' : r.params === null ? unknownParams?.(i) ?? '?' : formatCount(r.params);
    out.push(pad(` ${r.name} (${r.className})`, col1) + pad(formatOutputShape(r.outputShape), col2) + params);
  }
  out.push(line('='));
  out.push(`Total params: ${formatCount(s.totalParams)} (${formatWeightBytes(s.totalParams)})`);
  out.push(`Trainable params: ${formatCount(s.trainableParams)} (${formatWeightBytes(s.trainableParams)})`);
  out.push(`Non-trainable params: ${formatCount(s.nonTrainableParams)} (${formatWeightBytes(s.nonTrainableParams)})`);
  out.push(line('_'));
  return out.join('\n');
}

/**
 * Keras' `sequential_like` (summary_utils.py / layer_utils.py): a Sequential or subclassed model, or
 * a functional one whose graph is a single chain (one input, each call one input tensor, no layer
 * called twice). Otherwise the table gets a Connected-to column.
 */
function sequentialLike(model: ModelGraph): boolean {
  if (model.kind !== 'functional') return true;
  if (model.inputs.length !== 1 || new Set(model.outputs.map((t) => t.source)).size !== 1) return false;
  const consumed = new Set<number>();
  const layers = new Set<LayerNode>();
  for (const call of callsInOrder(model)) {
    // Constants an operation takes (`x * 0.5`) are not graph tensors: only those a layer made count.
    const ins = (call.extraInputs ? [...call.inputs, ...call.extraInputs] : call.inputs).filter((t) => t.source);
    if (ins.length > 1 || layers.has(call.layer)) return false;
    layers.add(call.layer);
    for (const t of ins) {
      if (consumed.has(t.id)) return false;
      consumed.add(t.id);
    }
  }
  return true;
}

/** `dense[0][0]` for each tensor a layer's calls in this model take (Keras' node and tensor indices). */
function connections(layer: LayerNode, inModel: Set<CallNode>): string[] {
  const out: string[] = [];
  for (const call of layer.calls) {
    if (!inModel.has(call)) continue;
    const ins: SymbolicTensor[] = call.extraInputs ? [...call.inputs, ...call.extraInputs] : call.inputs;
    for (const t of ins) if (t.source) out.push(`${t.source.layer.name}[${t.source.layer.calls.indexOf(t.source)}][${t.outputIndex}]`);
  }
  return out;
}

/** The calls of a functional model (those between its inputs and outputs, and its inputs' own). */
function modelCalls(model: ModelGraph): Set<CallNode> {
  const calls = new Set(callsInOrder(model));
  for (const t of model.inputs) if (t.source) calls.add(t.source);
  return calls;
}

/** Keras 3's shape text: `(None, 26, 26, 32)`, a rank-1 shape `(None)` (no tuple comma), several as a list. */
function keras3Shape(s: OutputShape): string {
  const one = (x: Shape | null) => (x ? `(${x.map((d) => (d === null ? 'None' : String(d))).join(', ')})` : '?');
  if (isShapeList(s)) return `[${s.map(one).join(', ')}]`;
  return one(s);
}

/** Keras 3 shows the output of the layer's last call. */
function lastOutputShape(r: SummaryRow): OutputShape {
  const calls = r.layer.calls;
  if (calls.length <= 1 || r.layer.nested) return r.outputShape;
  const outs = calls[calls.length - 1].outputs.map((t) => t.shape);
  if (outs.length === 1) return outs[0];
  return outs.some((x) => x === null) ? null : (outs as Shape[]);
}

/** Keras 3's `model.summary()` text: a rich table (heavy head, a line between rows), then the totals. */
export function formatKeras3Summary(s: ModelSummary, lineLength?: number, terminalColumns?: number, unknownParams?: UnknownParamsText): string {
  const seq = sequentialLike(s.model);
  // Keras: min(default, terminal columns - 4); narrower than rich can draw is not clipped further.
  const length = lineLength ?? Math.min(seq ? 88 : 108, terminalColumns !== undefined && terminalColumns >= 40 ? terminalColumns - 4 : Infinity);
  const positions = seq ? [0.45, 0.8, 1.0] : [0.3, 0.56, 0.74, 1.0];
  const header = seq ? ['Layer (type)', 'Output Shape', 'Param #'] : ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const right = [false, false, true, false];
  const inModel = seq ? new Set<CallNode>() : modelCalls(s.model);
  const rows = s.rows.map((r, i) => {
    const params = r.operation ? '0' : r.unbuilt ? '0 (unbuilt)' : r.params === null ? unknownParams?.(i) ?? '?' : formatCount(r.params);
    const fields = [`${r.name} (${r.className})`, keras3Shape(lastOutputShape(r)), params];
    if (!seq) fields.push(connections(r.layer, inModel).join(', ') || '-');
    return fields;
  });
  const out = [`Model: "${s.model.name}"`, ...richTable(positions, length, header, right, rows)];
  const total = (label: string, n: number | null) => ` ${label}: ${formatCount(n)} (${formatWeightBytes(n)})`;
  out.push(total('Total params', s.totalParams), total('Trainable params', s.trainableParams), total('Non-trainable params', s.nonTrainableParams));
  return out.join('\n');
}

/**
 * The lines of the table Keras 3 has rich draw (`rich.table.Table(*columns, width=line_length,
 * show_lines=True)`, heavy head), columns sized from `positions` of `lineLength`.
 */
export function richTable(positions: number[], lineLength: number, header: string[], right: boolean[], rows: string[][]): string[] {
  const widths = richColumnWidths(positions, lineLength);
  const rule = (l: string, fill: string, mid: string, r: string) => l + widths.map((w) => fill.repeat(w + 2)).join(mid) + r;
  const out = [rule('┏', '━', '┳', '┓'), ...richRow(header, widths, right, '┃', true), rule('┡', '━', '╇', '┩')];
  rows.forEach((fields, i) => {
    if (i > 0) out.push(rule('├', '─', '┼', '┤'));
    out.push(...richRow(fields, widths, right, '│'));
  });
  out.push(rule('└', '─', '┴', '┘'));
  return out;
}

/**
 * Column content widths of Keras 3's table: Keras sizes columns from `positions` and makes the
 * table `line_length` wide; rich then takes the padding (1 each side) and the borders out of the
 * columns evenly (`ratio_reduce`, Python's round half to even).
 */
function richColumnWidths(positions: number[], lineLength: number): number[] {
  const widths: number[] = [];
  let current = 0;
  for (const p of positions) {
    const w = Math.trunc(p * lineLength) - current;
    widths.push(w + 2);
    current += w;
  }
  let excess = widths.reduce((a, b) => a + b, 0) - (lineLength - (positions.length + 1));
  let ratioLeft = widths.length;
  const reduced = widths.map((w) => {
    if (excess <= 0) return w;
    const cut = Math.min(w, roundHalfEven(excess / ratioLeft));
    excess -= cut;
    ratioLeft -= 1;
    return w - cut;
  });
  return reduced.map((w) => Math.max(1, w - 2));
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5 + 1e-9) return f + 1;
  if (d < 0.5 - 1e-9) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** One table row of rich cells (wrapped at spaces; top-aligned, the header bottom-aligned), between `bar`s. */
function richRow(fields: string[], widths: number[], right: boolean[], bar: string, header = false): string[] {
  const cells = fields.map((f, i) => richCell(f, widths[i], right[i]));
  const height = Math.max(...cells.map((c) => c.length));
  const lines: string[] = [];
  const cellLine = (c: string[], i: number, y: number) => (header ? c[y - (height - c.length)] : c[y]) ?? ' '.repeat(widths[i]);
  for (let y = 0; y < height; y++) lines.push(bar + cells.map((c, i) => ` ${cellLine(c, i, y)} `).join(bar) + bar);
  return lines;
}

/**
 * A cell's lines as rich wraps them: words (with their trailing spaces) go on a line while they
 * fit; a word longer than the width gets a line of its own, cut with `…`.
 */
function richCell(text: string, width: number, alignRight: boolean): string[] {
  const lines: string[] = [];
  let line = '';
  for (const m of text.matchAll(/\s*\S+\s*/g)) {
    const word = m[0];
    if (line.length > 0 && width - line.length < word.trimEnd().length) {
      lines.push(line);
      line = '';
    }
    line += word;
  }
  lines.push(line);
  return lines.map((l) => {
    let t = l.length > width ? l.trimEnd() : l;
    if (alignRight) t = t.trimEnd();
    if (t.length > width) t = `${t.slice(0, width - 1)}…`;
    return alignRight ? t.padStart(width) : t.padEnd(width);
  });
}

/** tf.keras 2's shape text: the Python repr (`(None, 10)`, `(None,)`); InputLayer rows are a list (`[(None, 8)]`). */
function keras2Shape(r: SummaryRow, model: ModelGraph): string {
  // Layers of a subclassed model are called on plain tensors: no node, `output_shape` raises.
  if (model.kind === 'subclassed') return 'multiple';
  const calls = r.layer.nested ? [] : r.layer.calls;
  if (calls.length > 1) {
    const texts = new Set(calls.map((c) => formatOutputShape(c.outputs.length === 1 ? c.outputs[0].shape : (c.outputs.map((t) => t.shape) as Shape[]))));
    if (texts.size > 1) return 'multiple';
  }
  if (r.layer.isInput && r.outputShape && !isShapeList(r.outputShape)) return `[${formatShape(r.outputShape)}]`;
  return formatOutputShape(r.outputShape);
}

/** tf.keras 2.13–2.15's `model.summary()` text (layer_utils.print_summary). */
export function formatKeras2Summary(s: ModelSummary, lineLength?: number, unknownParams?: UnknownParamsText): string {
  const seq = sequentialLike(s.model);
  const length = lineLength ?? (seq ? 65 : 98);
  const inModel = seq ? new Set<CallNode>() : modelCalls(s.model);
  const rows = s.rows.map((r, i) => {
    const params = r.unbuilt ? '0 (unused)' : r.params === null ? unknownParams?.(i) ?? '?' : String(r.params);
    const fields = [`${r.name} (${r.className})`, keras2Shape(r, s.model), params];
    if (!seq) fields.push(`[${connections(r.layer, inModel).map((c) => `'${c}'`).join(', ')}]`);
    return fields;
  });
  const header = seq ? ['Layer (type)', 'Output Shape', 'Param #'] : ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const out = [`Model: "${s.model.name}"`, ...classicTable(seq ? [0.45, 0.85, 1.0] : [0.3, 0.6, 0.7, 1.0], length, header, rows)];
  const size = (n: number | null) => formatWeightBytes(n).replace(/ B$/, ' Byte');
  const count = (n: number | null) => (n === null ? '?' : String(n));
  out.push(`Total params: ${count(s.totalParams)} (${size(s.totalParams)})`);
  out.push(`Trainable params: ${count(s.trainableParams)} (${size(s.trainableParams)})`);
  out.push(`Non-trainable params: ${count(s.nonTrainableParams)} (${size(s.nonTrainableParams)})`);
  out.push('_'.repeat(length));
  return out.join('\n');
}

/** tf.keras 2's table: rules of `_` and `=`, each row followed by a blank line of `lineLength` spaces. */
export function classicTable(positions: number[], lineLength: number, header: string[], rows: string[][]): string[] {
  const at = positions.map((p) => Math.trunc(lineLength * p));
  const out = ['_'.repeat(lineLength), ...keras2Row(header, at), '='.repeat(lineLength)];
  for (const fields of rows) out.push(...keras2Row(fields, at), ' '.repeat(lineLength));
  out.push('='.repeat(lineLength));
  return out;
}

/**
 * One row of tf.keras 2's table: each field cut at its column's width (a cell may continue on the
 * next lines, broken after `),` `},` `],` `',` when it can), columns starting at `positions`.
 */
function keras2Row(fields: string[], positions: number[]): string[] {
  const left = [...fields];
  const lines: string[] = [];
  const last = positions.length - 1;
  while (left.some((x) => x.length > 0) && lines.length < 200) {
    let line = '';
    for (let col = 0; col < left.length; col++) {
      const start = col > 0 ? positions[col - 1] : 0;
      const space = col !== last ? 2 : 0;
      let cutoff = Math.max(1, positions[col] - start - space - (col !== last ? 1 : 0));
      let fit = left[col].slice(0, cutoff);
      const breaks = ['),', '},', '],', "',"].map((b) => fit.indexOf(b)).filter((i) => i >= 0).map((i) => i + 2);
      if (breaks.length > 0) {
        cutoff = Math.min(...breaks);
        fit = fit.slice(0, cutoff);
      }
      if (col === 0) line += ' ';
      line += fit + ' '.repeat(space);
      left[col] = left[col].slice(cutoff);
      line += ' '.repeat(Math.max(0, positions[col] - line.length));
    }
    lines.push(line);
  }
  return lines;
}
