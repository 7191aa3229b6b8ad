// The result of analysing one file, and its JSON form for `shape-lens summary --json`.

import { GraphBuilder } from './builder';
import { modelCost } from './cost';
import { DiagnosticCode, DiagnosticSink, type Diagnostic, type SourceRange } from './diagnostics';
import type { KerasVersionChoice } from './keras-version';
import type { ModelGraph } from './graph';
import { rowHasUnknown, summarize, type ModelSummary } from './summary';
import type { OutputShape } from './shape';
import { formatFormula } from './formula';
import { symbolicMacs, symbolicModel } from './symbolic';
import { formatSymbolicShape } from './symbolicText';

export type Language = 'python' | 'javascript' | 'typescript';

export interface FileAnalysis {
  file: string;
  language: Language;
  text: string;
  builder: GraphBuilder;
  models: ModelSummary[];
  diagnostics: Diagnostic[];
  /** A notebook's code cells in `text`, in order (absent for plain files). */
  cells?: CellSpan[];
  /** Python: the Keras version the file was analysed as, and why. */
  keras?: KerasVersionChoice;
  /** The half-typed line the analysis read around (left out until it parses; see core/stale.ts). */
  typing?: SourceRange;
  /**
   * How many places of the file's own code would fail when run (a name nothing defines, a layer
   * called on something that is not a tensor) or do nothing (`model.add` alone): more of them after
   * an edit inside one line means it is being typed.
   */
  failures?: number;
  /**
   * Values the file's `# shape-lens: H=224, latent_size=64` comments (`// shape-lens:` in JS/TS)
   * give to open sizes: the analysis used them as if the code had them (see core/symbolic.ts).
   */
  assumptions?: Assumption[];
}

/** One `NAME=VALUE` of a `shape-lens:` comment. */
export interface Assumption {
  name: string;
  value: number;
  /** Where `NAME=VALUE` is in the text. */
  range: SourceRange;
  /** False when nothing in the analysis had a size of that name to give it to. */
  used: boolean;
}

/** Where one notebook cell's text lies in an analysed text that joins several cells. */
export interface CellSpan {
  /** 0-based index of the cell among all the notebook's cells. */
  cell: number;
  start: number;
  /** Offset just past the cell's text (the joining newline there still belongs to the cell). */
  end: number;
}

/** An analysis that found nothing because the file could not be read as source (one diagnostic says why). */
export function unreadableFile(file: string, language: Language, diagnostic: Diagnostic): FileAnalysis {
  const sink = new DiagnosticSink();
  sink.report(diagnostic);
  return { file, language, text: '', builder: new GraphBuilder(sink), models: [], diagnostics: sink.items };
}

/**
 * Summaries of every model the builder holds, named by Keras defaults where code gave no name.
 * `summary` may return a summary made earlier of an unchanged model (the incremental analysis does).
 */
export function collectModels(builder: GraphBuilder, summary: (m: ModelGraph) => ModelSummary = (m) => summarize(builder, m)): ModelSummary[] {
  for (const m of builder.models) {
    // Keras 3 names a functional model `functional`; tf.keras 2 `model` (Functional hides its class name).
    if (!m.name) m.name = builder.uniqueName(m.kind === 'sequential' ? 'sequential' : builder.keras2 ? 'model' : 'functional');
    if (m.kind === 'sequential' && !m.built && m.layers.length > 0) {
      builder.sink.info(DiagnosticCode.unbuiltModel, `Model "${m.name}" has no input shape, so Keras would not build it either: start it with keras.Input(shape=...), pass input_shape= to its first layer, or call ${m.name}.build((None, ...)).`, m.range);
    }
  }
  builder.reportUnknownLayers();
  return builder.models.map(summary);
}

/** 1-based line of an offset; `lineStarts` from `lineStartsOf`. */
export function lineOf(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** The span an offset of the joined text falls in (its end, the joining newline, included). */
export function spanAt(spans: readonly CellSpan[], offset: number): CellSpan | undefined {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid];
    if (offset < s.start) hi = mid - 1;
    else if (offset > s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/**
 * 1-based line of an offset of `a.text`, and for a notebook the 1-based cell (counting all cells)
 * with the line counted within that cell.
 */
export function positionOf(a: FileAnalysis, lineStarts: number[], offset: number): { line: number; cell?: number } {
  const line = lineOf(lineStarts, offset);
  const span = a.cells && spanAt(a.cells, offset);
  return span ? { line: line - lineOf(lineStarts, span.start) + 1, cell: span.cell + 1 } : { line };
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export interface JsonDiagnostic {
  severity: string;
  code: string;
  message: string;
  line: number | null;
  /** Notebooks: the 1-based cell (counting all cells) that `line` is counted in. */
  cell?: number;
  file?: string;
}

/** Unknown to the analysis, in JSON: `"?"` (Keras' None stays `null`). */
export type JsonUnknown = '?';
/** A shape in JSON: `[null, 26, "?", 32]`, several shapes for multi-output layers, or `"?"`. */
export type JsonShape = Exclude<OutputShape, null> | JsonUnknown;
export type JsonCount = number | JsonUnknown;

export interface JsonLayer {
  name: string;
  className: string;
  line: number | null;
  cell?: number;
  outputShape: JsonShape;
  params: JsonCount;
  trainableParams: JsonCount;
  nonTrainableParams: JsonCount;
  /** Why a `"?"` in this row is unknown. */
  unknownWhy?: string;
  /** A tensor operation (`x + y`: Keras 3 `Add`, tf.keras 2 `TFOpLambda`), not in `model.layers`. */
  operation?: true;
  /** Multiply-accumulates of the layer's calls in this model, per sample (core/cost.ts). */
  macs: JsonCount;
  /** FLOPs as tf.profiler counts them, per sample. */
  flops: JsonCount;
  /** Bytes of its calls' outputs, per sample. */
  activationBytes: JsonCount;
  /** Of its (first call's) output w.r.t. the model input, one entry per spatial axis; null where unknown. */
  receptiveField: { size: number[]; stride: number[]; padding: number[]; notAlignedAt?: string } | null;
  /** Why a cost figure is `"?"`. */
  costUnknownWhy?: string;
  /** Why the receptive field is null. */
  receptiveFieldWhy?: string;
  /** The output shape with the None / `"?"` dims that have one as formulas in the open sizes: `(None, ⌊H/2⌋ − 1, ⌊W/2⌋ − 1, 32)`. */
  shapeFormula?: string;
  /** `params` (`"?"`) as a formula in the open sizes: `latent_size·3456 + 3456`. */
  paramsFormula?: string;
  /** `macs` (`"?"`) as a formula in the open sizes. */
  macsFormula?: string;
}

export interface JsonModel {
  name: string;
  function: string | null;
  line: number | null;
  cell?: number;
  layers: JsonLayer[];
  outputShape: JsonShape;
  totalParams: JsonCount;
  trainableParams: JsonCount;
  nonTrainableParams: JsonCount;
  /** A builder nothing in this file calls, run with the arguments of a call in another file (`train.py:12`). */
  argumentsFrom?: string;
  /** Other calls of that builder found in the project, whose arguments are not used. */
  otherCallSites?: string[];
  /** Why the totals are `"?"` although every row is known (layers added by code Shape Lens could not run). */
  unknownWhy?: string;
  /** With `--at-summary`: the line of the `model.summary()` call this entry is as of. */
  atSummaryLine?: number | null;
  /** MACs of a forward pass, per sample (every call of a shared layer counts). */
  totalMacs: JsonCount;
  totalFlops: JsonCount;
  /** Bytes of every tensor of the forward pass (inputs included), per sample. */
  activationBytes: JsonCount;
  /** Most bytes live at once in a forward pass in graph order, per sample. */
  peakActivationBytes: JsonCount;
  /** Why a cost total is `"?"`. */
  costUnknownWhy?: string;
  /** `totalParams` (`"?"`) as a formula in the open sizes. */
  totalParamsFormula?: string;
  /** `totalMacs` (`"?"`) as a formula in the open sizes. */
  totalMacsFormula?: string;
  /** The open sizes the formulas use (`H`, `latent_size`), in first-seen order; absent when none. */
  symbols?: string[];
  diagnostics: JsonDiagnostic[];
}

export interface JsonFile {
  file: string;
  language: Language;
  /** Python: the Keras version the summaries follow and why (`requirements.txt: tensorflow==2.12.0`). */
  keras?: KerasVersionChoice;
  models: JsonModel[];
  /** The values the file's `shape-lens:` comments give open sizes; `used` false when nothing took one. */
  assumptions?: { name: string; value: number; line: number | null; cell?: number; used: boolean }[];
  diagnostics: JsonDiagnostic[];
}

/**
 * The `--json` document for one file. A diagnostic goes with the model whose layer or call it
 * points into; the rest stay at file level.
 */
/**
 * The summaries to report: each model as Keras prints it at the end of the file, or with
 * `atSummary` as of each of its `model.summary()` calls (models never summarised stay as at the end).
 */
export function reportedSummaries(a: FileAnalysis, atSummary = false): { summary: ModelSummary; at?: SourceRange }[] {
  if (!atSummary) return a.models.map((summary) => ({ summary }));
  return a.models.flatMap((summary) => {
    const snaps = a.builder.snapshots.filter((s) => s.model === summary.model);
    return snaps.length === 0 ? [{ summary }] : snaps.map((s) => ({ summary: s.summary, at: s.range }));
  });
}

export function analysisToJson(a: FileAnalysis, displayPath = a.file, atSummary = false): JsonFile {
  const starts = lineStartsOf(a.text);
  // `line` (and in a notebook `cell`, where known) of a range in this file.
  const where = (r?: SourceRange): { line: number | null; cell?: number } => {
    if (!r || r.file) return { line: null };
    const p = positionOf(a, starts, r.start);
    return p.cell === undefined ? { line: p.line } : { line: p.line, cell: p.cell };
  };
  const diag = (d: Diagnostic): JsonDiagnostic => ({ severity: d.severity, code: d.code, message: d.message, ...where(d.range), ...(d.range?.file ? { file: d.range.file } : {}) });
  const claimed = new Set<Diagnostic>();
  const models = reportedSummaries(a, atSummary).map(({ summary: m, at }): JsonModel => {
    const ranges: SourceRange[] = [];
    if (m.model.range) ranges.push(m.model.range);
    for (const r of m.rows) {
      if (r.layer.range) ranges.push(r.layer.range);
      for (const c of r.layer.calls) if (c.range) ranges.push(c.range);
    }
    const mine = a.diagnostics.filter((d) => !claimed.has(d) && d.range && ranges.some((r) => !d.range!.file && !r.file && d.range!.start >= r.start && d.range!.end <= r.end));
    mine.forEach((d) => claimed.add(d));
    const cost = modelCost(m);
    const sym = symbolicModel(m);
    // MACs formulas are worked out when asked: only for models with open sizes.
    const macs = sym.symbols.length > 0 ? symbolicMacs(m) : undefined;
    return {
      name: m.model.name,
      function: m.model.functionName,
      ...where(m.model.range),
      layers: m.rows.map((r, i) => ({
        name: r.name,
        className: r.className,
        ...where(r.layer.range),
        outputShape: r.outputShape ?? '?',
        params: r.params ?? '?',
        trainableParams: r.trainableParams ?? '?',
        nonTrainableParams: r.nonTrainableParams ?? '?',
        ...(r.layer.unknownWhy && rowHasUnknown(r) ? { unknownWhy: r.layer.unknownWhy } : {}),
        ...(r.operation ? { operation: true as const } : {}),
        macs: cost.rows[i].macs ?? '?',
        flops: cost.rows[i].flops ?? '?',
        activationBytes: cost.rows[i].activationBytes ?? '?',
        receptiveField: cost.rows[i].receptiveField,
        ...(cost.rows[i].why ? { costUnknownWhy: cost.rows[i].why } : {}),
        ...(cost.rows[i].rfWhy ? { receptiveFieldWhy: cost.rows[i].rfWhy } : {}),
        ...(sym.rows[i]?.shape ? { shapeFormula: formatSymbolicShape(sym.rows[i]!.shape!) } : {}),
        ...(sym.rows[i]?.params ? { paramsFormula: formatFormula(sym.rows[i]!.params!) } : {}),
        ...(macs?.rows[i] ? { macsFormula: formatFormula(macs.rows[i]!) } : {}),
      })),
      outputShape: m.outputShape ?? '?',
      totalParams: m.totalParams ?? '?',
      trainableParams: m.trainableParams ?? '?',
      nonTrainableParams: m.nonTrainableParams ?? '?',
      ...(at ? { atSummaryLine: where(at).line } : {}),
      totalMacs: cost.totalMacs ?? '?',
      totalFlops: cost.totalFlops ?? '?',
      activationBytes: cost.activationBytes ?? '?',
      peakActivationBytes: cost.peakActivationBytes ?? '?',
      ...(cost.why ? { costUnknownWhy: cost.why } : {}),
      ...(sym.totalParams ? { totalParamsFormula: formatFormula(sym.totalParams) } : {}),
      ...(macs?.total ? { totalMacsFormula: formatFormula(macs.total) } : {}),
      ...(sym.symbols.length > 0 ? { symbols: [...sym.symbols] } : {}),
      ...(m.model.incomplete ? { unknownWhy: m.model.incomplete } : {}),
      ...(m.model.argumentsFrom ? { argumentsFrom: m.model.argumentsFrom } : {}),
      ...(m.model.otherCallSites ? { otherCallSites: m.model.otherCallSites } : {}),
      diagnostics: mine.map(diag),
    };
  });
  const assumptions = a.assumptions?.map((x) => ({ name: x.name, value: x.value, ...where(x.range), used: x.used }));
  return {
    file: displayPath,
    language: a.language,
    ...(a.keras ? { keras: { version: a.keras.version, from: a.keras.from } } : {}),
    models,
    ...(assumptions && assumptions.length > 0 ? { assumptions } : {}),
    diagnostics: a.diagnostics.filter((d) => !claimed.has(d)).map(diag),
  };
}
