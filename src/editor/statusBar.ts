// Status bar: total params of the model under the cursor (in a notebook, of the focused cell), asked of the server.

import * as vscode from 'vscode';
import { ModelAtRequest, type PositionParams } from '../server/protocol';
import type { ShapeLensClient } from './client';

/** Where the status bar looks: the active editor's cursor, or the selected cell of the active notebook. */
function cursor(): PositionParams | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor) return { uri: editor.document.uri.toString(), position: { line: editor.selection.active.line, character: editor.selection.active.character } };
  const nb = vscode.window.activeNotebookEditor;
  const index = nb?.selections[0]?.start;
  if (!nb || index === undefined || index >= nb.notebook.cellCount) return undefined;
  return { uri: nb.notebook.cellAt(index).document.uri.toString(), position: { line: 0, character: 0 } };
}

export function register(client: ShapeLensClient): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('shapeLens.params', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Shape Lens: model params';
  item.command = 'shapeLens.showSummary';
  let asked = 0;
  const update = async () => {
    const mine = ++asked;
    const at = cursor();
    const model = at && (await client.request(ModelAtRequest, at));
    if (mine !== asked) return; // a later update is on its way
    if (!model) {
      item.hide();
      return;
    }
    item.text = model.text;
    item.tooltip = model.tooltip;
    item.show();
  };
  const later = () => void update();
  later();
  return vscode.Disposable.from(
    item,
    vscode.window.onDidChangeTextEditorSelection(later),
    vscode.window.onDidChangeActiveTextEditor(later),
    vscode.window.onDidChangeActiveNotebookEditor(later),
    vscode.window.onDidChangeNotebookEditorSelection(later),
    client.onDidChangeAnalysis(later),
  );
}
