// Typing never blanks the picture (issue 11). While a line is half-typed the front ends read the file
// around it (the line is left out, `FileAnalysis.typing`); a line that parses but is not finished
// makes the code fail where it did not (`x = layers.Dense(10)` before its `(x)`). When the text
// differs from the previous analysis' only inside that line, the previous picture stays — every
// other row, name and diagnostic — with the line's rows marked `stale` (its last good value).

import type { SourceRange } from './diagnostics';
import type { FileAnalysis } from './analysis';
import type { LayerNode, ModelGraph } from './graph';
import type { ModelSummary } from './summary';

/**
 * The line starting at `start` was left out of the analysis: a model whose creation contains it (a
 * layer half-typed inside `Sequential([...])`), or built after it from a name that line assigns
 * (`x = ...`, `const x = ...`), keeps its other rows but its totals are unknown until the line
 * parses again. Returns the line's range (`FileAnalysis.typing`).
 */
export function markTyping(models: ModelGraph[], text: string, start: number): SourceRange {
  const lineEnd = text.indexOf('\n', start);
  const end = lineEnd < 0 ? text.length : lineEnd;
  const line = text.slice(start, end);
  const assigned = /^\s*(?:(?:const|let|var)\s+)?([A-Za-z_$][\w$]*)\s*(?:\[[^\]]*\]\s*)?=(?![=>])/.exec(line)?.[1];
  const lineNo = text.slice(0, start).split('\n').length;
  const why = `line ${lineNo} is being typed (a syntax error Shape Lens reads around)`;
  const reads = assigned === undefined ? undefined : new RegExp(`(?<![\\w$])${assigned.replace(/\$/g, '\\$')}(?![\\w$])`);
  for (const m of models) {
    const r = m.range;
    if (!r || r.file) continue;
    const contains = r.start <= start && start <= r.end;
    const later = reads !== undefined && r.start > start && reads.test(text.slice(end, r.end));
    if (contains || later) m.incomplete ??= why;
  }
  return { start, end };
}

/**
 * While a line is being typed the rest of the text is the text of `previous` (they differ inside that
 * line only), so `previous` is the picture: every other row, hover, name and diagnostic as they were,
 * and the typed line's own rows as they last were, marked `stale`. Models that contain the line or
 * read a name it assigns get totals `?` with the reason. `previous` is the analysis of the text just
 * before (it may have been carried too) and is consumed: its ranges are moved to `next.text`.
 * Otherwise (nothing typed, another file, other changes) returns `next` unchanged.
 */
export function keepLastGood(previous: FileAnalysis | undefined, next: FileAnalysis): FileAnalysis {
  if (!previous || previous.file !== next.file || previous.language !== next.language) return next;
  const diff = changedRegion(previous.text, next.text);
  if (!diff) return next;
  const typing = next.typing ?? failingEdit(previous, next, diff);
  if (!typing || diff.start < typing.start || diff.newEnd > typing.end) return next;
  // The typed line as it was in the previous text (the same line: nothing before or after it changed).
  const old = { start: typing.start, end: typing.end + (diff.oldEnd - diff.newEnd) };
  const map = (offset: number): number => (offset < diff.oldEnd ? Math.min(offset, typing.end) : offset + diff.newEnd - diff.oldEnd);
  const onLine = (r: SourceRange | undefined): boolean => !!r && r.file === undefined && r.start <= old.end && r.end >= old.start;
  const keep = previous.diagnostics.filter((d) => !onLine(d.range));
  const stale = (m: ModelSummary): void => {
    let touched = false;
    m.rows = m.rows.map((row) => {
      if (!onLine(row.layer.range)) return row;
      touched = true;
      return row.stale ? row : { ...row, stale: true };
    });
    if (touched) {
      m.totalParams = m.trainableParams = m.nonTrainableParams = null;
      m.model.incomplete ??= `line ${lineNumber(next.text, typing.start)} is being typed; its row shows the last value it had`;
    }
  };
  for (const m of previous.models) stale(m);
  for (const s of previous.builder.snapshots) stale(s.summary);
  moveRanges(previous, map);
  // The others the typed line reaches (built after it from a name it assigns).
  markTyping(previous.models.map((m) => m.model), next.text, typing.start);
  for (const m of previous.models) if (m.model.incomplete) m.totalParams = m.trainableParams = m.nonTrainableParams = null;
  // `failures` stay the last good analysis' count: the baseline the next keystroke is compared with.
  return { ...previous, text: next.text, cells: next.cells, typing, diagnostics: [...keep, ...next.diagnostics.filter((d) => onLine(d.range))] };
}

/**
 * The edited line when the edit is inside one line and made the code fail where it did not before
 * (`FileAnalysis.failures`): it parses, but it is not finished (`x = lay`, `x = layers.Dense(10)`
 * before its `(x)`). Only while that line is the one being edited: after an edit elsewhere the fresh
 * analysis shows what the unfinished line does.
 */
function failingEdit(previous: FileAnalysis, next: FileAnalysis, diff: { start: number; newEnd: number }): SourceRange | undefined {
  const start = next.text.lastIndexOf('\n', diff.start - 1) + 1;
  const lineEnd = next.text.indexOf('\n', diff.start);
  const end = lineEnd < 0 ? next.text.length : lineEnd;
  if (diff.newEnd > end || (previous.typing && previous.typing.start !== start)) return undefined;
  return (next.failures?.length ?? 0) > (previous.failures?.length ?? 0) ? { start, end } : undefined;
}

/** Moves every source range the editor features read (each range object once) through `map`. */
function moveRanges(a: FileAnalysis, map: (offset: number) => number): void {
  const seen = new Set<SourceRange>();
  const move = (r: SourceRange | undefined): void => {
    if (!r || r.file !== undefined || seen.has(r)) return;
    seen.add(r);
    r.start = map(r.start);
    r.end = map(r.end);
  };
  const layer = (l: LayerNode): void => {
    move(l.range);
    for (const c of l.calls) move(c.range);
  };
  for (const m of a.builder.models) {
    move(m.range);
    for (const l of m.layers) layer(l);
  }
  for (const m of a.models) for (const row of m.rows) layer(row.layer);
  for (const s of a.builder.snapshots) {
    move(s.range);
    for (const row of s.summary.rows) layer(row.layer);
  }
  for (const d of a.diagnostics) move(d.range);
}

function lineNumber(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The one region where `a` and `b` differ: `[start, oldEnd)` of `a` became `[start, newEnd)` of `b`. */
export function changedRegion(a: string, b: string): { start: number; oldEnd: number; newEnd: number } | undefined {
  if (a === b) return undefined;
  const max = Math.min(a.length, b.length);
  let start = 0;
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let tail = 0;
  while (tail < max - start && a.charCodeAt(a.length - 1 - tail) === b.charCodeAt(b.length - 1 - tail)) tail++;
  return { start, oldEnd: a.length - tail, newEnd: b.length - tail };
}
