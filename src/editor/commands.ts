// Palette commands (prefix "Shape Lens:"): show / copy the summary, refresh, reveal a layer, pooling preview.

import * as vscode from 'vscode';
import { formatSummary } from '../core/summary';
import { isPoolingClass } from '../core/pooling';
import { showPoolingPreview } from '../panels/poolingPreview';
import { previewTarget } from '../panels/poolingTarget';
import type { LayerNode } from '../core/graph';
import type { ModelTreeProvider } from '../views/modelTree';
import type { AnalysisService } from './analysisService';
import { modelAt, rowAt } from './lookup';

export function register(service: AnalysisService, tree: ModelTreeProvider): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('shapeLens.showSummary', () => vscode.commands.executeCommand('shapeLens.modelSummary.focus')),
    vscode.commands.registerCommand('shapeLens.refresh', () => tree.refresh()),
    vscode.commands.registerCommand('shapeLens.copySummary', async () => {
      const models = tree.models();
      if (models.length === 0) {
        void vscode.window.showInformationMessage('Shape Lens: no Keras or tfjs model in the active editor.');
        return '';
      }
      const text = models.map((m) => formatSummary(m)).join('\n\n');
      await vscode.env.clipboard.writeText(text);
      return text;
    }),
    vscode.commands.registerCommand('shapeLens.revealLayer', async (uri: vscode.Uri, line: number, character: number) => {
      const pos = new vscode.Position(line, character);
      // A notebook cell: show its notebook with the cell selected and revealed (a cell's document
      // cannot be opened as an editor of its own).
      const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document.uri.toString() === uri.toString()));
      if (notebook) {
        const index = notebook.getCells().findIndex((c) => c.document.uri.toString() === uri.toString());
        const range = new vscode.NotebookRange(index, index + 1);
        const nbEditor = await vscode.window.showNotebookDocument(notebook, { selections: [range] });
        nbEditor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
        const cellEditor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
        if (cellEditor) {
          cellEditor.selection = new vscode.Selection(pos, pos);
          cellEditor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        }
        return;
      }
      const document = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(document);
      editor.selection = new vscode.Selection(pos, pos);
      editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    vscode.commands.registerCommand('shapeLens.showPoolingPreview', async (arg?: unknown) => {
      // From a hover link or code lens: {uri, line}; from the palette: the active editor's cursor.
      const given = isLayerArg(arg) ? arg : undefined;
      const editor = vscode.window.activeTextEditor;
      const document = given ? await vscode.workspace.openTextDocument(vscode.Uri.parse(given.uri)) : editor?.document;
      const position = given ? new vscode.Position(given.line, given.character ?? 0) : editor?.selection.active;
      const doc = document && service.get(document);
      const placed = doc && document && position ? rowAt(doc, document, position) : undefined;
      const layer = placed && isPoolingClass(placed.row.layer.className) ? placed.row.layer : undefined;
      const model = layer ? placed?.model : doc && document && position ? modelAt(doc, document, position) : undefined;
      const lineOfLayer = (l: LayerNode) => {
        const r = doc?.map.toRange(l.range);
        return r && r.document === document ? r.range.start.line + 1 : null;
      };
      const target = previewTarget(
        document ? `${document.uri.toString()}#${layer ? `layer:${layer.name}` : model ? `model:${model.model.name}` : 'none'}` : 'seed',
        layer,
        model,
        lineOfLayer,
      );
      const line = layer && lineOfLayer(layer);
      if (document) target.document = document.uri.toString();
      showPoolingPreview({ target, document: document?.uri, title: layer ? `Pooling: ${layer.name}${line ? ` (line ${line})` : ''}` : 'Pooling Preview' });
    }),
  );
}

function isLayerArg(x: unknown): x is { uri: string; line: number; character?: number } {
  const a = x as { uri?: unknown; line?: unknown; character?: unknown } | undefined;
  const index = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  return typeof a === 'object' && a !== null && typeof a.uri === 'string' && index(a.line) && (a.character === undefined || index(a.character));
}
