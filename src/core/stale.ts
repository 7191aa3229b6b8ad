// Typing never blanks the picture (issue 11). While a line is half-typed the front ends read the file
// around it (the line is left out, `FileAnalysis.typing`); a line that parses but is not finished
// makes the code fail where it did not (`x = layers.Dense(10)` before its `(x)`). When the text
// differs from the previous analysis' only inside that line, the previous picture stays — every
// other row, name and diagnostic — with the line's rows marked `stale` (its last good value).

import type { SourceRange } from './diagnostics';
import type { FileAnalysis } from './analysis';
import type { GraphBuilder } from './builder';
import type { LayerNode, ModelGraph } from './graph';
import type { ModelSummary } from './summary';

/**
 * The line starting at `start` was left out of the analysis: a model whose creation contains it (a
 * layer half-typed inside `Sequential([...])`), built after it from a name that line assigns
 * (`x = ...`, `const x = ...`), or bound to the name whose method the line calls (`model.add(` under
 * `model = Sequential()`), keeps its other rows but its totals are unknown until the line parses
 * again. Returns the line's range (`FileAnalysis.typing`).
 */
export function markTyping(models: ModelGraph[], text: string, start: number): SourceRange {
  const lineEnd = text.indexOf('\n', start);
  const end = lineEnd < 0 ? text.length : lineEnd;
  const line = text.slice(start, end);
  const assigned = /^\s*(?:(?:const|let|var)\s+)?([A-Za-z_$][\w$]*)\s*(?:\[[^\]]*\]\s*)?=(?![=>])/.exec(line)?.[1];
  const lineNo = text.slice(0, start).split('\n').length;
  const why = `line ${lineNo} is being typed (a syntax error Shape Lens reads around)`;
  const reads = assigned === undefined ? undefined : new RegExp(`(?<![\\w$])${assigned.replace(/\$/g, '\\$')}(?![\\w$])`);
  const receiver = /^\s*(?:await\s+)?([A-Za-z_$][\w$]*)\s*\./.exec(line)?.[1];
  const binds = receiver === undefined ? undefined : new RegExp(`^\\s*(?:(?:const|let|var)\\s+)?${receiver.replace(/\$/g, '\\$')}\\s*(?::[^=]*)?=(?![=>])`);
  // The receiver's model: the last one bound to that name before the line.
  let bound: ModelGraph | undefined;
  for (const m of models) {
    const r = m.range;
    if (!r || r.file) continue;
    const contains = r.start <= start && start <= r.end;
    const later = reads !== undefined && r.start > start && reads.test(text.slice(end, r.end));
    if (contains || later) m.incomplete ??= why;
    if (binds !== undefined && r.end < start && (!bound || bound.range!.start < r.start) && binds.test(text.slice(text.lastIndexOf('\n', r.start - 1) + 1, r.start))) bound = m;
  }
  if (bound) bound.incomplete ??= why;
  return { start, end };
}

/**
 * While a line is being typed the rest of the text is the text of `previous` (they differ inside that
 * line only), so `previous` is the picture: every other row, hover, name and diagnostic as they were,
 * and the typed line's own rows as they last were, marked `stale`. Models that contain the line or
 * read a name it assigns get totals `?` with the reason. `previous` is the analysis of the text just
 * before (it may have been carried too); it is not changed: the result is a copy with its ranges in
 * `next.text`. Otherwise (nothing typed, another file, other changes) returns `next`.
 */
export function keepLastGood(previous: FileAnalysis | undefined, next: FileAnalysis): FileAnalysis {
  if (!previous || previous.file !== next.file || previous.language !== next.language) return next;
  // Most keystrokes: the text parses and fails nowhere new (no comparison of the texts needed).
  if (!next.typing && (next.failures ?? 0) <= (previous.failures ?? 0)) return next;
  const diff = changedRegion(previous.text, next.text);
  if (!diff) return next;
  const typing = next.typing ?? failingEdit(previous, next, diff);
  if (!typing || diff.start < typing.start || diff.newEnd > typing.end) return next;
  // The typed line as it was in the previous text (the same line: nothing before or after it changed).
  const old = { start: typing.start, end: typing.end + (diff.oldEnd - diff.newEnd) };
  // An incremental analyser shares what it reused with `next` and has moved its ranges already.
  const current = rangesOf(next);
  const onLine = (r: SourceRange | undefined): boolean => {
    if (!r || r.file !== undefined) return false;
    const line = current.has(r) ? typing : old;
    return r.start <= line.end && r.end >= line.start;
  };
  const map = (offset: number): number => (offset < diff.oldEnd ? Math.min(offset, typing.end) : offset + diff.newEnd - diff.oldEnd);
  const carry = new Carry((r) => (current.has(r) ? r.start : map(r.start)), (r) => (current.has(r) ? r.end : map(r.end)), onLine, `line ${lineNumber(next.text, typing.start)} is being typed; its row shows the last value it had`);
  const models = previous.models.map((m) => carry.summary(m));
  const snapshots = previous.builder.snapshots.map((s) => ({ ...s, model: carry.graph(s.model), range: carry.range(s.range), summary: carry.summary(s.summary) }));
  // The others the typed line reaches (built after it from a name it assigns).
  markTyping(models.map((m) => m.model), next.text, typing.start);
  for (const m of [...models, ...snapshots.map((s) => s.summary)]) if (m.model.incomplete) m.totalParams = m.trainableParams = m.nonTrainableParams = null;
  // The builder as it was, but with the carried models and summaries (hovers read both).
  const builder = Object.create(previous.builder, { models: { value: previous.builder.models.map((m) => carry.graph(m)) }, snapshots: { value: snapshots } }) as GraphBuilder;
  const diagnostics = [...previous.diagnostics.filter((d) => !onLine(d.range)).map((d) => (d.range ? { ...d, range: carry.range(d.range) } : d)), ...next.diagnostics.filter((d) => onLine(d.range))];
  // `failures` stay the last good analysis' count: the baseline the next keystroke is compared with.
  return { ...previous, text: next.text, cells: next.cells, typing, builder, models, diagnostics };
}

/**
 * The edited line when the edit is inside one line and made the code fail where it did not before
 * (`FileAnalysis.failures`): it parses, but it is not finished (`x = lay`, `x = layers.Dense(10)`
 * before its `(x)`). Only while that line is the one being edited: after an edit elsewhere the fresh
 * analysis shows what the unfinished line does.
 */
function failingEdit(previous: FileAnalysis, next: FileAnalysis, diff: { start: number; newEnd: number }): SourceRange | undefined {
  const line = editedLine(next.text, diff);
  if (!line || (previous.typing && previous.typing.start !== line.start)) return undefined;
  return (next.failures ?? 0) > (previous.failures ?? 0) ? line : undefined;
}

/**
 * The line of `text` (start, end before its line break) an edit stayed inside — the edit's new span
 * `[start, newEnd)` from `changedRegion` — or undefined when it spans a line break.
 */
export function editedLine(text: string, diff: { start: number; newEnd: number }): SourceRange | undefined {
  const start = text.lastIndexOf('\n', diff.start - 1) + 1;
  const lineEnd = text.indexOf('\n', diff.start);
  const end = lineEnd < 0 ? text.length : lineEnd;
  return diff.newEnd > end ? undefined : { start, end };
}

/** Copies of the previous analysis' models, layers and ranges, moved to the new text (each object copied once). */
class Carry {
  private readonly layers = new Map<LayerNode, LayerNode>();
  private readonly graphs = new Map<ModelGraph, ModelGraph>();

  constructor(
    private readonly start: (r: SourceRange) => number,
    private readonly end: (r: SourceRange) => number,
    private readonly onLine: (r: SourceRange | undefined) => boolean,
    private readonly why: string,
  ) {}

  range<R extends SourceRange | undefined>(r: R): R {
    return (r && r.file === undefined ? { start: this.start(r), end: this.end(r) } : r) as R;
  }

  /** Whether `r` is where it was (no copy of what holds it needed). */
  private stays(r: SourceRange | undefined): boolean {
    return !r || r.file !== undefined || (this.start(r) === r.start && this.end(r) === r.end);
  }

  /**
   * The layer moved to the new text: the same object when none of its ranges moves (those an
   * incremental analysis shares with the new analysis were moved in place; those before the line
   * stay). A 20,000-line module's layers were all copied at each keystroke on a half-typed line.
   */
  layer(l: LayerNode): LayerNode {
    let copy = this.layers.get(l);
    if (!copy) {
      copy = this.stays(l.range) && l.calls.every((c) => this.stays(c.range)) ? l : { ...l, range: this.range(l.range), calls: l.calls.map((c) => ({ ...c, range: this.range(c.range) })) };
      this.layers.set(l, copy);
    }
    return copy;
  }

  graph(m: ModelGraph): ModelGraph {
    let copy = this.graphs.get(m);
    if (!copy) {
      copy = { ...m, range: this.range(m.range), layers: m.layers.map((l) => this.layer(l)) };
      this.graphs.set(m, copy);
    }
    return copy;
  }

  /** A summary whose rows on the typed line are stale, its totals `?` then. */
  summary(m: ModelSummary): ModelSummary {
    let touched = false;
    const rows = m.rows.map((row) => {
      const stale = this.onLine(row.layer.range);
      touched ||= stale;
      return { ...row, layer: this.layer(row.layer), ...(stale && { stale: true }) };
    });
    const model = this.graph(m.model);
    if (touched) model.incomplete ??= this.why;
    return { ...m, model, rows };
  }
}

/** Every source range object `a` holds that the editor features read. */
function rangesOf(a: FileAnalysis): Set<SourceRange> {
  const out = new Set<SourceRange>();
  const add = (r: SourceRange | undefined): void => {
    if (r) out.add(r);
  };
  const layer = (l: LayerNode): void => {
    add(l.range);
    for (const c of l.calls) add(c.range);
  };
  for (const m of a.builder.models) {
    add(m.range);
    for (const l of m.layers) layer(l);
  }
  for (const m of a.models) for (const row of m.rows) layer(row.layer);
  for (const s of a.builder.snapshots) {
    add(s.range);
    for (const row of s.summary.rows) layer(row.layer);
  }
  for (const d of a.diagnostics) add(d.range);
  return out;
}

function lineNumber(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The one region where `a` and `b` differ: `[start, oldEnd)` of `a` became `[start, newEnd)` of `b`
 * (undefined when equal). Runs on every keystroke over the whole text: common prefix and suffix are
 * found by galloping and halving over native slice comparisons, not character by character in JS.
 */
export function changedRegion(a: string, b: string): { start: number; oldEnd: number; newEnd: number } | undefined {
  if (a === b) return undefined;
  const min = Math.min(a.length, b.length);
  const start = commonLength(min, (i, j) => a.slice(i, j) === b.slice(i, j));
  const tail = commonLength(min - start, (i, j) => a.slice(a.length - j, a.length - i) === b.slice(b.length - j, b.length - i));
  return { start, oldEnd: a.length - tail, newEnd: b.length - tail };
}

/** The longest `n ≤ max` with `same(0, n)`, where `same(i, j)` says the slices `[i, j)` agree. */
function commonLength(max: number, same: (i: number, j: number) => boolean): number {
  let lo = 0;
  let step = 1024;
  // Gallop while whole blocks agree, then halve.
  while (lo < max && same(lo, Math.min(max, lo + step))) {
    lo = Math.min(max, lo + step);
    step *= 2;
  }
  let hi = Math.min(max, lo + step);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (same(lo, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
