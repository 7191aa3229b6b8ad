// Hovers on a layer (input → output shape, the params formula, the conv/pool arithmetic, a pooling
// preview link) and on a model (totals and trainable split).

import * as vscode from 'vscode';
import type { ModelSummary } from '../core/summary';
import { layerHoverMarkdown, modelHoverMarkdown, snapshotHoverMarkdown } from '../server/presentation';
import type { AnalysisService } from './analysisService';
import { SELECTOR } from './inlayHints';
import { modelAt, rowAt, snapshotAt, type PlacedRow } from './lookup';
import type { SummarySnapshot } from '../core/builder';
import { isPoolingClass } from '../core/pooling';
import type { KerasVersionChoice } from '../core/keras-version';

export function register(service: AnalysisService): vscode.Disposable {
  return vscode.languages.registerHoverProvider(SELECTOR, {
    provideHover(document, position) {
      const doc = service.get(document);
      if (!doc) return undefined;
      const snap = snapshotAt(doc, document, position);
      if (snap) return new vscode.Hover(snapshotMarkdown(snap.snapshot), snap.range);
      const placed = rowAt(doc, document, position);
      if (placed) return new vscode.Hover(layerMarkdown(placed, document), placed.range);
      const model = modelAt(doc, document, position);
      return model ? new vscode.Hover(modelMarkdown(model, doc.analysis.keras)) : undefined;
    },
  });
}

function layerMarkdown(p: PlacedRow, document: vscode.TextDocument): vscode.MarkdownString {
  const md = new vscode.MarkdownString(layerHoverMarkdown(p.row, p.model.model.name), true);
  md.isTrusted = { enabledCommands: ['shapeLens.showPoolingPreview'] };
  if (isPoolingClass(p.row.layer.className)) {
    const args = encodeURIComponent(JSON.stringify([{ uri: document.uri.toString(), line: p.range.start.line, character: p.range.start.character }]));
    md.appendMarkdown(`[$(eye) Preview pooling](command:shapeLens.showPoolingPreview?${args})`);
  }
  return md;
}

function snapshotMarkdown(s: SummarySnapshot): vscode.MarkdownString {
  return new vscode.MarkdownString(snapshotHoverMarkdown(s));
}

function modelMarkdown(m: ModelSummary, keras?: KerasVersionChoice): vscode.MarkdownString {
  return new vscode.MarkdownString(modelHoverMarkdown(m, keras));
}
