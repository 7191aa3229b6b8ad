// Status bar: total params of the model under the cursor.

import * as vscode from 'vscode';
import { formatCount } from '../core/shape';
import type { AnalysisService } from './analysisService';
import { modelAt } from './lookup';

export function register(service: AnalysisService): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('shapeLens.params', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Shape Lens: model params';
  item.command = 'shapeLens.showSummary';
  const update = () => {
    const editor = vscode.window.activeTextEditor;
    const doc = editor && service.get(editor.document);
    const model = doc && editor ? modelAt(doc, editor.document, editor.selection.active) : undefined;
    if (!model) {
      item.hide();
      return;
    }
    item.text = `$(layers) ${formatCount(model.totalParams)} params`;
    item.tooltip = `${model.model.name}: ${formatCount(model.totalParams)} params (${formatCount(model.trainableParams)} trainable) — Shape Lens`;
    item.show();
  };
  update();
  return vscode.Disposable.from(item, vscode.window.onDidChangeTextEditorSelection(update), vscode.window.onDidChangeActiveTextEditor(update), service.onDidChange(update));
}
