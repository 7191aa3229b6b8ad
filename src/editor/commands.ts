// Palette commands (prefix "Shape Lens:"): show / copy the summary, refresh, reveal a layer, pooling preview.

import * as vscode from 'vscode';
import { formatSummary } from '../core/summary';
import { showPoolingPreview } from '../panels/poolingPreview';
import type { ModelTreeProvider } from '../views/modelTree';
import type { AnalysisService } from './analysisService';
import { rowAt } from './lookup';

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
      const document = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(document);
      const pos = new vscode.Position(line, character);
      editor.selection = new vscode.Selection(pos, pos);
      editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }),
    vscode.commands.registerCommand('shapeLens.showPoolingPreview', async (arg?: { uri: string; line: number }) => {
      const editor = vscode.window.activeTextEditor;
      const document = arg ? await vscode.workspace.openTextDocument(vscode.Uri.parse(arg.uri)) : editor?.document;
      const position = arg ? new vscode.Position(arg.line, 0) : editor?.selection.active;
      const doc = document && service.get(document);
      const placed = doc && document && position ? rowAt(doc, document, position) : undefined;
      const pooling = placed && /Pooling[123]D$/.test(placed.row.className) ? placed.row : undefined;
      showPoolingPreview(pooling, pooling && document && position ? `line ${position.line + 1}` : '');
    }),
  );
}
