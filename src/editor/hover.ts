// Hovers on a layer (input → output shape, the params formula, the conv/pool arithmetic, a pooling
// preview link) and on a model (totals and trainable split).

import * as vscode from 'vscode';
import { formatCount, formatOutputShape, formatShape, formatWeightBytes } from '../core/shape';
import { formatSummary, formatUnknownNotes, knownParams, rowHasUnknown, unknownRows, type ModelSummary } from '../core/summary';
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
  const { row } = p;
  const layer = row.layer;
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['shapeLens.showPoolingPreview'] };
  md.appendMarkdown(`**${row.name}** (${row.className}) · model \`${p.model.model.name}\`\n\n`);
  const ins = (layer.inputShapes ?? []).map((s) => formatShape(s));
  const arrow = ins.length > 0 ? `${ins.join(', ')} → ` : '';
  md.appendCodeblock(`${arrow}${formatOutputShape(row.outputShape)}`, 'text');
  if (row.unbuilt) md.appendMarkdown('Params: 0 (unbuilt: the model never receives an input shape)\n\n');
  else {
    const params = layer.nested ? `${formatCount(row.params)} (the nested model's total)` : layer.params?.formula ? `${layer.params.formula}` : formatCount(row.params);
    md.appendMarkdown(`Params: ${params}`);
    if (row.nonTrainableParams) md.appendMarkdown(` · ${formatCount(row.nonTrainableParams)} non-trainable`);
    md.appendMarkdown('\n\n');
  }
  if (layer.explain.length > 0) md.appendCodeblock(layer.explain.join('\n'), 'text');
  if (rowHasUnknown(row)) md.appendMarkdown(`\`?\` is not known to Shape Lens (it is not Keras' \`None\`): ${escape(layer.unknownWhy ?? 'it could not follow how this layer is built')}.\n\n`);
  if (isPoolingClass(layer.className)) {
    const args = encodeURIComponent(JSON.stringify([{ uri: document.uri.toString(), line: p.range.start.line, character: p.range.start.character }]));
    md.appendMarkdown(`[$(eye) Preview pooling](command:shapeLens.showPoolingPreview?${args})`);
  }
  return md;
}

/** `model.summary()`: the table Keras prints at that call (later `add`s and `trainable` changes not yet made). */
function snapshotMarkdown(s: SummarySnapshot): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`What \`${s.model.name}.summary()\` prints here:\n\n`);
  md.appendCodeblock([formatSummary(s.summary), ...formatUnknownNotes(s.summary)].join('\n'), 'text');
  return md;
}

function modelMarkdown(m: ModelSummary, keras?: KerasVersionChoice): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${m.model.name}** (${m.model.className}) · ${m.rows.length} layers${keras ? ` · Keras ${keras.version} (${escape(keras.from === 'default' ? 'no Keras 2 pin found' : keras.from)})` : ''}\n\n`);
  md.appendMarkdown(`Output: \`${formatOutputShape(m.outputShape)}\`\n\n`);
  if (m.model.argumentsFrom && m.model.functionName) {
    md.appendMarkdown(`Built by \`${m.model.functionName}()\` with the arguments of the call in \`${m.model.argumentsFrom}\``);
    if (m.model.otherCallSites?.length) md.appendMarkdown(` (other calls: ${m.model.otherCallSites.map((w) => `\`${w}\``).join(', ')})`);
    md.appendMarkdown('\n\n');
  }
  if (m.totalParams === null) {
    const unknown = unknownRows(m);
    md.appendMarkdown(m.model.incomplete ? `Total params: **?** (${escape(m.model.incomplete)})\n\n` : `Total params: **?** (at least ${formatCount(knownParams(m))} + unknown)\n\n`);
    if (unknown.length > 0) md.appendMarkdown(`Not known to Shape Lens: ${unknown.slice(0, 5).map(({ row, why }) => `\`${row.name}\` (${escape(why)})`).join(', ')}${unknown.length > 5 ? `, and ${unknown.length - 5} more` : ''}\n\n`);
  } else md.appendMarkdown(`Total params: **${formatCount(m.totalParams)}** (${formatWeightBytes(m.totalParams)})\n\n`);
  md.appendMarkdown(`Trainable: ${formatCount(m.trainableParams)} · Non-trainable: ${formatCount(m.nonTrainableParams)}`);
  return md;
}

/** Text from the analysis inside Markdown: backticks in it stay code, nothing else is markup. */
function escape(text: string): string {
  return text.replace(/[\\*_[\]<>]/g, (c) => `\\${c}`);
}
