// Finding the layers and models of an analysis at an editor position, and how each is described.

import * as vscode from 'vscode';
import type { LayerNode } from '../core/graph';
import type { SummarySnapshot } from '../core/builder';
import type { ModelSummary, SummaryRow } from '../core/summary';
import type { DocumentAnalysis } from './analysisService';

export interface PlacedRow {
  model: ModelSummary;
  row: SummaryRow;
  /** Where the layer was created, in this document. */
  range: vscode.Range;
  /** Where it is called, in this document (`Conv2D(...)(x)`). */
  calls: vscode.Range[];
}

/** Placed rows per analysis and document: hints, hovers and the status bar ask for them on every request. */
const placedCache = new WeakMap<DocumentAnalysis, Map<vscode.TextDocument, PlacedRow[]>>();

/** Every summary row whose layer was created in `document`, with its editor range (memoised per analysis). */
export function rowsIn(doc: DocumentAnalysis, document: vscode.TextDocument): PlacedRow[] {
  let byDoc = placedCache.get(doc);
  if (!byDoc) placedCache.set(doc, (byDoc = new Map()));
  let rows = byDoc.get(document);
  if (!rows) byDoc.set(document, (rows = placeRows(doc, document)));
  return rows;
}

function placeRows(doc: DocumentAnalysis, document: vscode.TextDocument): PlacedRow[] {
  const out: PlacedRow[] = [];
  for (const model of doc.analysis.models) {
    for (const row of model.rows) {
      if (row.layer.isInput && !row.layer.range) continue;
      const placed = doc.map.toRange(row.layer.range);
      if (placed && placed.document === document) out.push({ model, row, range: placed.range, calls: callRanges(doc, document, row.layer) });
    }
  }
  return out;
}

/** The row under the cursor: a layer whose creation or call contains it, else one created on that line. */
export function rowAt(doc: DocumentAnalysis, document: vscode.TextDocument, position: vscode.Position): PlacedRow | undefined {
  const rows = rowsIn(doc, document);
  const containing = rows.filter((r) => r.range.contains(position) || r.calls.some((c) => c.contains(position)));
  if (containing.length > 0) return containing.sort((a, b) => rangeSize(a.range) - rangeSize(b.range))[0];
  return rows.find((r) => r.range.start.line === position.line);
}

/** The model whose code is around `position` (its creation call or one of its layers). */
export function modelAt(doc: DocumentAnalysis, document: vscode.TextDocument, position: vscode.Position): ModelSummary | undefined {
  const row = rowAt(doc, document, position);
  if (row) return row.model;
  return doc.analysis.models.find((m) => {
    const placed = doc.map.toRange(m.model.range);
    return placed?.document === document && (placed.range.contains(position) || placed.range.start.line === position.line);
  });
}

/** The `model.summary()` call under the cursor, with what it prints there. */
export function snapshotAt(doc: DocumentAnalysis, document: vscode.TextDocument, position: vscode.Position): { snapshot: SummarySnapshot; range: vscode.Range } | undefined {
  for (const snapshot of doc.analysis.builder.snapshots) {
    if (!doc.analysis.builder.models.includes(snapshot.model)) continue;
    const placed = doc.map.toRange(snapshot.range);
    if (placed?.document === document && placed.range.contains(position)) return { snapshot, range: placed.range };
  }
  return undefined;
}

function callRanges(doc: DocumentAnalysis, document: vscode.TextDocument, layer: LayerNode): vscode.Range[] {
  const out: vscode.Range[] = [];
  for (const c of layer.calls) {
    const placed = doc.map.toRange(c.range);
    if (placed?.document === document) out.push(placed.range);
  }
  return out;
}

function rangeSize(r: vscode.Range): number {
  return (r.end.line - r.start.line) * 10000 + (r.end.character - r.start.character);
}

/** `(None, 13, 13, 32) · 320 params`, or the shape only. */

export { describeRow } from '../server/presentation';
