// What the language server answers, from one document's analysis: hovers, inlay hints, diagnostics,
// quick fixes, code lenses and the custom requests (model tree, status bar, pooling preview target).
// Offsets stay in the analysis; `SourceMap` turns them into LSP positions of the document or of the
// notebook cell they fall in. No vscode, no connection: plain functions of the analysis.

import {
  CodeActionKind,
  DiagnosticSeverity,
  InlayHintKind,
  MarkupKind,
  type CodeAction,
  type CodeLens,
  type Diagnostic as LspDiagnostic,
  type Hover,
  type InlayHint,
  type Position,
  type Range,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis } from '../core/analysis';
import type { SummarySnapshot } from '../core/builder';
import type { Diagnostic as ShapeDiagnostic, SourceRange } from '../core/diagnostics';
import type { CodeFrom } from '../core/export';
import type { LayerNode } from '../core/graph';
import { isPoolingClass } from '../core/pooling';
import { formatCount, formatOutputShape, formatShortBytes, formatShortCount, formatWeightBytes, type Shape } from '../core/shape';
import { formatSummary, knownParams, rowHasUnknown, type ModelSummary, type SummaryRow } from '../core/summary';
import { ASSUME_COMMAND, type AssumeArgs, type InlayHintMode } from '../editor/settingKeys';
import { formatFormula } from '../core/formula';
import { symbolicMacs, symbolicModel } from '../core/symbolic';
import { formatSizeNotes, formulaParams, hintParams, hintShape, rowSymbols, symbolicRowOf } from '../core/symbolicText';
import { labTarget, runnableModelInfo } from '../panels/labTarget';
import { previewTarget } from '../panels/poolingTarget';
import { formatCostTable, modelCost, rowCost, type CostColumn } from '../core/cost';
import { describeRow, layerHoverMarkdown, modelHoverMarkdown, snapshotHoverMarkdown, type AssumptionAt } from './presentation';
import type { DocumentModels, LabParams, LabTargetResult, ModelAt, ModelInfo, Place, PoolingTargetResult, RowInfo } from './protocol';

/** One part of the analysed text: a whole document, or one code cell of a notebook. */
export interface Segment {
  uri: string;
  doc: TextDocument;
  start: number;
  end: number;
  /** A notebook cell: its 0-based index among all the notebook's cells. */
  cell?: number;
}

/** Where each part of the analysed text comes from: one document, or the code cells of a notebook. */
export class SourceMap {
  constructor(readonly segments: Segment[]) {}

  segmentOf(uri: string): Segment | undefined {
    return this.segments.find((s) => s.uri === uri);
  }

  /** The segment and LSP range an analysis range falls in (ranges in other files give undefined). */
  toRange(r: SourceRange | undefined): { segment: Segment; range: Range } | undefined {
    if (!r || r.file) return undefined;
    const segment = this.segments.find((s) => r.start >= s.start && r.start <= s.end);
    if (!segment) return undefined;
    const start = segment.doc.positionAt(r.start - segment.start);
    const end = segment.doc.positionAt(Math.min(r.end, segment.end) - segment.start);
    return { segment, range: { start, end } };
  }

  place(r: SourceRange | undefined): Place | undefined {
    const p = this.toRange(r);
    return p && { uri: p.segment.uri, range: p.range, ...(p.segment.cell !== undefined ? { cell: p.segment.cell + 1 } : {}) };
  }
}

/** One analysis of a document or notebook, with what it read (imports: re-analysis when they change). */
export interface DocumentAnalysis {
  analysis: FileAnalysis;
  map: SourceMap;
  dependencies: Set<string>;
}

export interface PlacedRow {
  model: ModelSummary;
  row: SummaryRow;
  /** Where the layer was created, in this document. */
  range: Range;
  /** Where it is called, in this document (`Conv2D(...)(x)`). */
  calls: Range[];
}

/** Placed rows per analysis and document: hints, hovers and the status bar ask for them on every request. */
const placedCache = new WeakMap<DocumentAnalysis, Map<string, PlacedRow[]>>();

/** Every summary row whose layer was created in the document `uri`, with its range there (memoised). */
export function rowsIn(doc: DocumentAnalysis, uri: string): PlacedRow[] {
  let byUri = placedCache.get(doc);
  if (!byUri) placedCache.set(doc, (byUri = new Map()));
  let rows = byUri.get(uri);
  if (!rows) byUri.set(uri, (rows = placeRows(doc, uri)));
  return rows;
}

function placeRows(doc: DocumentAnalysis, uri: string): PlacedRow[] {
  const out: PlacedRow[] = [];
  for (const model of doc.analysis.models) {
    for (const row of model.rows) {
      if (row.layer.isInput && !row.layer.range) continue;
      const placed = doc.map.toRange(row.layer.range);
      if (placed && placed.segment.uri === uri) out.push({ model, row, range: placed.range, calls: callRanges(doc, uri, row.layer) });
    }
  }
  return out;
}

function callRanges(doc: DocumentAnalysis, uri: string, layer: LayerNode): Range[] {
  // Kept with the analysis: an array of exactly its length (one grown by push keeps room for 17).
  const out: Range[] = [];
  for (const c of layer.calls) {
    const placed = doc.map.toRange(c.range);
    if (placed?.segment.uri === uri) out.push(placed.range);
  }
  return out.slice();
}

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character <= b.character);
export const contains = (r: Range, p: Position) => before(r.start, p) && before(p, r.end);
const rangeSize = (r: Range) => (r.end.line - r.start.line) * 10000 + (r.end.character - r.start.character);

/** The row under the cursor: a layer whose creation or call contains it, else one created on that line. */
export function rowAt(doc: DocumentAnalysis, uri: string, position: Position): PlacedRow | undefined {
  const rows = rowsIn(doc, uri);
  const containing = rows.filter((r) => contains(r.range, position) || r.calls.some((c) => contains(c, position)));
  if (containing.length > 0) return containing.sort((a, b) => rangeSize(a.range) - rangeSize(b.range))[0];
  return rows.find((r) => r.range.start.line === position.line);
}

/** The model whose code is around `position` (its creation call or one of its layers). */
export function modelAt(doc: DocumentAnalysis, uri: string, position: Position): ModelSummary | undefined {
  const row = rowAt(doc, uri, position);
  if (row) return row.model;
  return doc.analysis.models.find((m) => {
    const placed = doc.map.toRange(m.model.range);
    return placed?.segment.uri === uri && (contains(placed.range, position) || placed.range.start.line === position.line);
  });
}

/** The `model.summary()` call under the cursor, with what it prints there. */
export function snapshotAt(doc: DocumentAnalysis, uri: string, position: Position): { snapshot: SummarySnapshot; range: Range } | undefined {
  for (const snapshot of doc.analysis.builder.snapshots) {
    if (!doc.analysis.builder.models.includes(snapshot.model)) continue;
    const placed = doc.map.toRange(snapshot.range);
    if (placed?.segment.uri === uri && contains(placed.range, position)) return { snapshot, range: placed.range };
  }
  return undefined;
}

/** ` · cell 3` for a notebook cell, else nothing. */
function cellNote(doc: DocumentAnalysis, uri: string): string {
  const cell = doc.map.segmentOf(uri)?.cell;
  return cell === undefined ? '' : ` · cell ${cell + 1}`;
}

/** The hover at a position: a `summary()` call, a layer (with a pooling preview link when the client runs commands), or a model. */
export function hoverAt(doc: DocumentAnalysis, uri: string, position: Position, commandLinks: boolean): Hover | null {
  const markdown = (value: string, range?: Range): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, ...(range ? { range } : {}) });
  const snap = snapshotAt(doc, uri, position);
  if (snap) return markdown(snapshotHoverMarkdown(snap.snapshot), snap.range);
  const placed = rowAt(doc, uri, position);
  if (placed) {
    const sym = symbolicRowOf(placed.model, placed.row);
    const assume = commandLinks ? (symbols: readonly string[]) => assumeLinks(uri, symbols) : undefined;
    const cost = rowCost(placed.model, placed.row);
    // MACs formulas are worked out when first asked: only for a row that has open sizes and no count.
    const macs = cost?.macs === null && symbolicModel(placed.model).symbols.length > 0 ? symbolicMacs(placed.model).rows[placed.model.rows.indexOf(placed.row)] : undefined;
    let text = layerHoverMarkdown(placed.row, placed.model.model.name, cellNote(doc, uri), cost, sym, assume, macs);
    if (commandLinks && isPoolingClass(placed.row.layer.className)) {
      const args = encodeURIComponent(JSON.stringify([{ uri, line: placed.range.start.line, character: placed.range.start.character }]));
      text += `[$(eye) Preview pooling](command:shapeLens.showPoolingPreview?${args})`;
    }
    return markdown(text, placed.range);
  }
  const model = modelAt(doc, uri, position);
  if (!model) return null;
  const assume = commandLinks ? (symbols: readonly string[]) => assumeLinks(uri, symbols) : undefined;
  return markdown(modelHoverMarkdown(model, doc.analysis.keras, assumptionsIn(doc), assume));
}

/** Hover links past this many open sizes are left out (the quick fixes list them all). */
const MAX_ASSUME_LINKS = 6;

/** ` · [Assume H = …](command:…)` for each open size (after the hover's open sizes line). */
export function assumeLinks(uri: string, symbols: readonly string[]): string {
  if (symbols.length === 0) return '';
  const links = symbols.slice(0, MAX_ASSUME_LINKS).map((name) => {
    const args: AssumeArgs = { uri, name };
    return `[Assume ${name} = …](command:${ASSUME_COMMAND}?${encodeURIComponent(JSON.stringify([args]))})`;
  });
  return ` · ${links.join(' · ')}`;
}

/** The values the file's `shape-lens:` comments gave that the analysis used, with their lines (in their cell, in a notebook). */
export function assumptionsIn(doc: DocumentAnalysis): AssumptionAt[] {
  return (doc.analysis.assumptions ?? []).filter((a) => a.used).map((a) => {
    const placed = doc.map.toRange(a.range);
    return { name: a.name, value: a.value, line: placed ? placed.range.start.line + 1 : null };
  });
}

/** The end of a line (before its line break). */
function lineEnd(document: TextDocument, line: number): Position {
  const text = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  return { line, character: text.replace(/\r?\n$/, '').length };
}

/**
 * Inlay hints at the end of each layer line: `→ (None, 13, 13, 32) · 320 params` (and `· 48.7 k MACs`
 * in the MACs mode). Layers created on
 * the same line (a helper called in a loop) share one hint; an operation (`x * 0.5`) has one only on
 * a line without a layer (`Dense(3)(x * 0.5)` shows the Dense).
 */
export function inlayHints(doc: DocumentAnalysis, uri: string, range: Range, mode: InlayHintMode): InlayHint[] {
  const document = doc.map.segmentOf(uri)?.doc;
  if (mode === 'off' || !document) return [];
  const byLine = new Map<number, string[]>();
  const rows = rowsIn(doc, uri);
  const layerLines = new Set(rows.filter((p) => !p.row.operation).map((p) => p.range.end.line));
  for (const placed of rows) {
    const line = placed.range.end.line;
    if (line < range.start.line || line > range.end.line) continue;
    if (placed.row.operation && layerLines.has(line)) continue;
    const macs = mode === 'shapeParamsAndMacs' ? rowCost(placed.model, placed.row)?.macs ?? null : undefined;
    // The MACs formula is worked out only for a row whose MACs the analysis does not know.
    const macsFormula = macs === null ? symbolicMacs(placed.model).rows[placed.model.rows.indexOf(placed.row)] : undefined;
    const text = describeRow(placed.row, mode !== 'shapeOnly', macs, symbolicRowOf(placed.model, placed.row), macsFormula);
    const list = byLine.get(line) ?? [];
    if (!list.includes(text)) list.push(text);
    byLine.set(line, list);
  }
  const hints: InlayHint[] = [];
  for (const [line, texts] of byLine) {
    const shown = texts.length > 3 ? [...texts.slice(0, 3), `+${texts.length - 3} more`] : texts;
    hints.push({ position: lineEnd(document, line), label: `→ ${shown.join(' | ')}`, kind: InlayHintKind.Type, paddingLeft: true });
  }
  return hints.sort((a, b) => a.position.line - b.position.line);
}

const SEVERITY: Record<ShapeDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** The diagnostics of each segment (every segment listed, so a cell whose last problem went is cleared). */
export function diagnosticsByUri(doc: DocumentAnalysis): Map<string, LspDiagnostic[]> {
  const out = new Map<string, LspDiagnostic[]>(doc.map.segments.map((s) => [s.uri, []]));
  const first = doc.map.segments[0];
  for (const d of doc.analysis.diagnostics) {
    // A range in another file (an imported helper) is reported at the top of this document.
    const placed = doc.map.toRange(d.range) ?? (first && { segment: first, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    if (!placed) continue;
    out.get(placed.segment.uri)?.push({ severity: SEVERITY[d.severity], code: d.code, source: 'shape-lens', message: d.message, range: placed.range });
  }
  return out;
}

/**
 * Quick fixes for the Shape Lens diagnostics the client sends back (`padding='same'` for a window
 * larger than its input), and at `range` "Assume a value for H" for each open size of the layer
 * (else the model) there.
 */
export function codeActions(doc: DocumentAnalysis, uri: string, asked: LspDiagnostic[], js: boolean, range?: Range): CodeAction[] {
  const document = doc.map.segmentOf(uri)?.doc;
  if (!document) return [];
  const actions: CodeAction[] = range ? assumeActions(doc, uri, range.start) : [];
  for (const diag of asked) {
    if (diag.source !== 'shape-lens') continue;
    // The fix comes from this server's own analysis: the diagnostic with that code at that range.
    const found = doc.analysis.diagnostics.find((d) => {
      const placed = d.fix && d.code === diag.code ? doc.map.toRange(d.range) : undefined;
      return placed?.segment.uri === uri && samePosition(placed.range.start, diag.range.start) && samePosition(placed.range.end, diag.range.end);
    });
    const fix = found?.fix;
    if (!fix) continue;
    const edit = argumentEdit(document, diag.range, fix.arg, fix.value, js);
    if (!edit) continue;
    actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: true, edit: { changes: { [uri]: [{ range: edit.range, newText: edit.text }] } } });
  }
  return actions;
}

/** "Assume a value for H" (the assume command, which asks for it) for the open sizes of the layer, else the model, at `position`. */
function assumeActions(doc: DocumentAnalysis, uri: string, position: Position): CodeAction[] {
  const placed = rowAt(doc, uri, position);
  const model = placed ? undefined : modelAt(doc, uri, position);
  const symbols = placed ? rowSymbols(symbolicRowOf(placed.model, placed.row)) : model ? symbolicModel(model).symbols : [];
  return symbols.map((name) => {
    const args: AssumeArgs = { uri, name };
    const title = `Assume a value for ${name} (shape-lens comment)`;
    return { title, kind: CodeActionKind.QuickFix, command: { title, command: ASSUME_COMMAND, arguments: [args] } };
  });
}

const samePosition = (a: Position, b: Position) => a.line === b.line && a.character === b.character;

/**
 * Sets `arg` in the first argument list of the layer call at `range`: replaces an existing value,
 * else appends it (`padding='same'` in Python, `padding: 'same'` in a tfjs config object).
 */
export function argumentEdit(document: TextDocument, range: Range, arg: string, pyValue: string, js: boolean): { range: Range; text: string } | undefined {
  const text = document.getText(range);
  const base = document.offsetAt(range.start);
  const open = text.indexOf('(');
  const close = open < 0 ? -1 : matchingParen(text, open);
  if (close < 0) return undefined;
  const args = text.slice(open + 1, close);
  const value = js ? pyValue.replace(/"/g, "'") : pyValue;
  const existing = new RegExp(`\\b${arg}\\s*${js ? ':' : '='}\\s*(['"])[^'"]*\\1`).exec(args);
  if (existing) {
    const start = base + open + 1 + existing.index;
    return { range: { start: document.positionAt(start), end: document.positionAt(start + existing[0].length) }, text: `${arg}${js ? ': ' : '='}${value}` };
  }
  if (js) {
    const brace = args.indexOf('{');
    if (brace < 0) return undefined;
    const at = document.positionAt(base + open + 1 + brace + 1);
    return { range: { start: at, end: at }, text: ` ${arg}: ${value},` };
  }
  const at = document.positionAt(base + close);
  return { range: { start: at, end: at }, text: `${args.trim() ? ', ' : ''}${arg}=${value}` };
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote && text[i - 1] !== '\\') quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * "Open in model lab" on each model's line (the client's `shapeLens.openModelLab` on that model) and
 * "Preview pooling" above each pooling layer (`shapeLens.showPoolingPreview` on that layer).
 */
export function codeLenses(doc: DocumentAnalysis, uri: string, show: { pooling: boolean; lab: boolean } = { pooling: true, lab: true }): CodeLens[] {
  const lenses: CodeLens[] = [];
  if (show.lab) {
    for (const m of doc.analysis.models) {
      const placed = doc.map.toRange(m.model.range);
      if (!placed || placed.segment.uri !== uri || m.rows.length === 0) continue;
      const { line, character } = placed.range.start;
      lenses.push({ range: placed.range, command: { title: '$(beaker) Open in model lab', command: 'shapeLens.openModelLab', arguments: [{ uri, model: m.model.name, line, character }] } });
    }
  }
  for (const placed of rowsIn(doc, uri)) {
    if (!show.pooling || !isPoolingClass(placed.row.layer.className)) continue;
    const { line, character } = placed.range.start;
    lenses.push({
      range: placed.range,
      command: {
        title: `$(eye) Preview pooling: ${sizes(placed.row.layer.inputShapes?.[0], placed.row.outputShape)}`,
        command: 'shapeLens.showPoolingPreview',
        arguments: [{ uri, line, character }],
      },
    });
  }
  return lenses;
}

function sizes(input: Shape | null | undefined, output: unknown): string {
  const dims = (s: unknown) => (Array.isArray(s) ? s.slice(1).map((d) => (d === null ? 'None' : String(d))).join('×') : '?');
  return `${dims(input)} → ${dims(output)}`;
}

/** The model tree's data for every model of the analysis. */
export function documentModels(doc: DocumentAnalysis, uri: string, columns: readonly CostColumn[] = []): DocumentModels {
  return { uri, models: doc.analysis.models.map((m) => modelInfo(doc, m, columns)) };
}

function modelInfo(doc: DocumentAnalysis, m: ModelSummary, columns: readonly CostColumn[]): ModelInfo {
  const cost = modelCost(m);
  const sym = symbolicModel(m);
  const totalFormula = m.totalParams === null ? sym.totalParams : undefined;
  const unknown = m.model.incomplete ? `\n? ${m.model.incomplete}` : '';
  const keras = m.style === 'keras2' ? '\nas tf.keras 2 prints it' : m.style === 'keras3' ? '\nas Keras 3 prints it' : '';
  const rows = m.rows.map(
    (r, i): RowInfo => ({
      label: `${r.name} (${r.className})`,
      // Short formulas where Keras prints None or `?`, as the inlay hints show them.
      description: `${hintShape(r.outputShape, sym.rows[i]?.shape) ?? formatOutputShape(r.outputShape)} · ${r.unbuilt ? '0 (unbuilt)' : r.params === null ? hintParams(sym.rows[i]?.params) ?? '?' : formatCount(r.params)}${r.stale ? ' (stale)' : ''}`,
      hasParams: !!r.params,
      ...(rowHasUnknown(r) ? { tooltip: `? is not known to Shape Lens (not Keras' None): ${r.layer.unknownWhy ?? 'it could not follow how this layer is built'}` } : {}),
      ...(doc.map.place(r.layer.range) ? { place: doc.map.place(r.layer.range) } : {}),
    }),
  );
  return {
    name: m.model.name,
    description: `${m.model.className} · ${hintParams(totalFormula) ?? formatCount(m.totalParams)} params`,
    tooltip: `${m.model.name}${m.model.functionName ? ` (built in ${m.model.functionName}())` : ''}\noutput ${formatOutputShape(m.outputShape)}${unknown}${keras}`,
    rows,
    totals: [
      { label: 'Total params', value: totalFormula ? formatFormula(totalFormula) : m.totalParams === null ? (m.model.incomplete ? '?' : `? (at least ${formatCount(knownParams(m))} + unknown)`) : `${formatCount(m.totalParams)} (${formatWeightBytes(m.totalParams)})` },
      { label: 'Trainable params', value: formatCount(m.trainableParams) },
      { label: 'Non-trainable params', value: formatCount(m.nonTrainableParams) },
      // Per sample; the hover and README say the conventions.
      { label: 'MACs', value: cost.totalMacs === null ? '?' : `${formatCount(cost.totalMacs)} (${formatShortCount(cost.totalMacs)})` },
      { label: 'FLOPs', value: cost.totalFlops === null ? '?' : `${formatCount(cost.totalFlops)} (${formatShortCount(cost.totalFlops)})` },
      { label: 'Activations', value: `${formatShortBytes(cost.activationBytes)} (peak ${formatShortBytes(cost.peakActivationBytes)})` },
    ],
    summaryText: columns.length > 0 ? formatCostTable(m, columns) : [formatSummary(m, undefined, undefined, formulaParams(m)), ...formatSizeNotes(m)].join('\n'),
    paramsText: `${formatCount(m.totalParams)} params`,
    ...(doc.map.place(m.model.range) ? { place: doc.map.place(m.model.range) } : {}),
  };
}

/** The status bar: the model at the position; in a notebook cell with no model line there, the first model with a layer in the cell. */
export function statusModelAt(doc: DocumentAnalysis, uri: string, position: Position): ModelAt | null {
  const inCell = doc.map.segmentOf(uri)?.cell !== undefined;
  const model = modelAt(doc, uri, position) ?? (inCell ? rowsIn(doc, uri)[0]?.model : undefined);
  if (!model) return null;
  const formula = model.totalParams === null ? hintParams(symbolicModel(model).totalParams) : undefined;
  return {
    name: model.model.name,
    text: `$(layers) ${formula ?? formatCount(model.totalParams)} params`,
    tooltip: `${model.model.name}: ${formatCount(model.totalParams)} params (${formatCount(model.trainableParams)} trainable) — Shape Lens`,
  };
}

const codeFromOf = (doc: DocumentAnalysis): CodeFrom => (doc.analysis.language === 'python' ? 'keras' : 'tfjs');

/** The model lab's target: the model named (the first of that name), else the model at the position. */
export function labTargetFor(doc: DocumentAnalysis, uri: string, params: LabParams): LabTargetResult | null {
  const model = params.model !== undefined ? doc.analysis.models.find((m) => m.model.name === params.model) : params.position ? modelAt(doc, uri, params.position) : undefined;
  if (!model) return null;
  const lineOf = (l: LayerNode) => {
    const r = doc.map.toRange(l.range);
    return r && r.segment.uri === uri ? r.range.start.line + 1 : null;
  };
  const target = labTarget(`${uri}#model:${model.model.name}`, model, lineOf, codeFromOf(doc));
  target.document = uri;
  return { target, title: `Model lab: ${model.model.name}` };
}

/** What the pooling preview opens on at a position: the pooling layer there, else the model there (lines and cells as in that document). */
export function poolingTargetAt(doc: DocumentAnalysis, uri: string, position: Position, names: { model?: string; layer?: string } = {}): PoolingTargetResult | null {
  let layer: LayerNode | undefined;
  let model: ModelSummary | undefined;
  if (names.model !== undefined) {
    // An open preview following edits: the same model and layer by name (null when they are gone).
    model = doc.analysis.models.find((m) => m.model.name === names.model);
    layer = names.layer !== undefined ? model?.rows.find((r) => r.layer.name === names.layer && isPoolingClass(r.layer.className))?.layer : undefined;
    if (!model || (names.layer !== undefined && !layer)) return null;
  } else {
    const placed = rowAt(doc, uri, position);
    layer = placed && isPoolingClass(placed.row.layer.className) ? placed.row.layer : undefined;
    model = layer ? placed?.model : modelAt(doc, uri, position);
  }
  const lineOf = (l: LayerNode) => {
    const r = doc.map.toRange(l.range);
    return r && r.segment.uri === uri ? r.range.start.line + 1 : null;
  };
  const target = previewTarget(`${uri}#${layer ? `layer:${layer.name}` : model ? `model:${model.model.name}` : 'none'}`, layer, model, lineOf);
  target.document = uri;
  // With the model's JSON, the preview's "Use the model's pooling layers" runs the real model.
  if (model) target.model = runnableModelInfo(model, lineOf, codeFromOf(doc));
  const line = layer && lineOf(layer);
  const cell = doc.map.segmentOf(uri)?.cell;
  const where = [cell !== undefined ? `cell ${cell + 1}` : '', line ? `line ${line}` : ''].filter(Boolean).join(', ');
  return { target, title: layer ? `Pooling: ${layer.name}${where ? ` (${where})` : ''}` : 'Pooling Preview' };
}
