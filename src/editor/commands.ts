// Palette commands (prefix "Shape Lens:"): show / copy the summary, refresh, reveal a layer, pooling preview, model lab;
// and the hovers' "assume" links (a value for an open size).

import * as vscode from 'vscode';
import { openModelLab } from '../panels/modelLab';
import { showPoolingPreview } from '../panels/poolingPreview';
import { PoolingTargetRequest } from '../server/protocol';
import { activeDocumentUri, type ModelTreeProvider } from '../views/modelTree';
import { assumptionEdit, isSizeName, parseSizeValue } from '../server/assume';
import type { ShapeLensClient } from './client';
import { ASSUME_COMMAND, type AssumeArgs } from './settingKeys';

export function register(client: ShapeLensClient, tree: ModelTreeProvider): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('shapeLens.showSummary', () => vscode.commands.executeCommand('shapeLens.modelSummary.focus')),
    vscode.commands.registerCommand('shapeLens.refresh', () => tree.refresh()),
    vscode.commands.registerCommand('shapeLens.copySummary', async () => {
      const models = await tree.models(activeDocumentUri() ?? tree.uri);
      if (models.length === 0) {
        void vscode.window.showInformationMessage('Shape Lens: no Keras or tfjs model in the active editor.');
        return '';
      }
      const text = models.map((m) => m.summaryText).join('\n\n');
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
      const uri = given ? given.uri : editor?.document.uri.toString();
      const position = given ? { line: given.line, character: given.character ?? 0 } : editor && { line: editor.selection.active.line, character: editor.selection.active.character };
      const found = uri && position ? await client.request(PoolingTargetRequest, { uri, position }) : undefined;
      // Nothing to preview there: the panel opens on its example.
      const { target, title } = found ?? { target: { key: 'seed', layer: null, featureMap: null, model: null }, title: 'Pooling Preview' };
      showPoolingPreview({ target, document: found && uri ? vscode.Uri.parse(uri) : undefined, title });
    }),
    vscode.commands.registerCommand(ASSUME_COMMAND, async (arg?: unknown) => {
      // From a hover link or quick fix: {uri, name}; asks for the value (given: tests) and writes it
      // into the file's shape-lens comment, which the next analysis reads.
      if (!isAssumeArg(arg)) return false;
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === arg.uri) ?? (await vscode.workspace.openTextDocument(vscode.Uri.parse(arg.uri)));
      let value = arg.value;
      if (value === undefined) {
        const typed = await vscode.window.showInputBox({
          title: `Shape Lens: assume ${arg.name}`,
          prompt: `A value for the open size ${arg.name}, written into the file's shape-lens comment`,
          placeHolder: '224',
          validateInput: (t) => (parseSizeValue(t) === null ? 'A non-negative integer' : undefined),
        });
        if (typed === undefined) return false;
        const parsed = parseSizeValue(typed);
        if (parsed === null) return false;
        value = parsed;
      }
      const e = assumptionEdit(document.getText(), document.languageId !== 'python', arg.name, value);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText);
      return vscode.workspace.applyEdit(edit);
    }),
    vscode.commands.registerCommand('shapeLens.openModelLab', async (arg?: unknown) => {
      // From the code lens: {uri, model}; from the tree: its model row; from the palette: a quick pick of the file's models.
      if (isModelArg(arg)) return openModelLab({ uri: arg.uri, model: arg.model });
      if (isTreeModel(arg) && tree.uri) return openModelLab({ uri: tree.uri, model: arg.model.name });
      const uri = activeDocumentUri() ?? tree.uri;
      const models = uri ? await tree.models(uri) : [];
      if (!uri || models.length === 0) {
        void vscode.window.showInformationMessage('Shape Lens: no Keras or tfjs model in the active editor to open in the model lab.');
        return false;
      }
      const picked = models.length === 1 ? models[0] : await vscode.window.showQuickPick(models.map((m) => ({ label: m.name, description: m.description, model: m })), { placeHolder: 'Model to open in the model lab' }).then((p) => p?.model);
      return picked ? openModelLab({ uri, model: picked.name }) : false;
    }),
  );
}

function isModelArg(x: unknown): x is { uri: string; model: string } {
  const a = x as { uri?: unknown; model?: unknown } | undefined;
  return typeof a === 'object' && a !== null && typeof a.uri === 'string' && typeof a.model === 'string';
}

/** A model row of the Model Summary tree (its context menu and inline action pass the node). */
function isTreeModel(x: unknown): x is { kind: 'model'; model: { name: string } } {
  const a = x as { kind?: unknown; model?: { name?: unknown } } | undefined;
  return typeof a === 'object' && a !== null && a.kind === 'model' && typeof a.model?.name === 'string';
}

function isLayerArg(x: unknown): x is { uri: string; line: number; character?: number } {
  const a = x as { uri?: unknown; line?: unknown; character?: unknown } | undefined;
  const index = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  return typeof a === 'object' && a !== null && typeof a.uri === 'string' && index(a.line) && (a.character === undefined || index(a.character));
}

function isAssumeArg(x: unknown): x is AssumeArgs {
  const a = x as { uri?: unknown; name?: unknown; value?: unknown } | undefined;
  return typeof a === 'object' && a !== null && typeof a.uri === 'string' && isSizeName(a.name) && (a.value === undefined || (typeof a.value === 'number' && Number.isSafeInteger(a.value) && a.value >= 0));
}
