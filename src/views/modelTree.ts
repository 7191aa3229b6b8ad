// Sidebar `shapeLens.modelSummary`: the active editor's (or notebook's) models → layers (name (type),
// shape, params) → totals, as the server's `shapeLens/models` answers; clicking a layer reveals its line (or cell).

import * as vscode from 'vscode';
import type { ShapeLensClient } from '../editor/client';
import { ModelsRequest, type ModelInfo, type RowInfo } from '../server/protocol';

type Node = { kind: 'model'; model: ModelInfo } | { kind: 'layer'; row: RowInfo } | { kind: 'total'; label: string; value: string };

/** The document the summary is about: the active text editor's, or the active notebook (also when a cell's editor is focused). */
export function activeDocumentUri(): string | undefined {
  const nb = vscode.window.activeNotebookEditor;
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.scheme !== 'vscode-notebook-cell') return editor.document.uri.toString();
  return nb?.notebook.uri.toString() ?? editor?.document.uri.toString();
}

export class ModelTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The document (or notebook) shown. */
  uri: string | undefined;
  private shown: ModelInfo[] = [];

  constructor(private readonly client: ShapeLensClient) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** The models of a document (or notebook) as the server has them now. */
  async models(uri = this.uri): Promise<ModelInfo[]> {
    if (!uri) return [];
    return (await this.client.request(ModelsRequest, { uri }))?.models ?? [];
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      this.shown = await this.models();
      return this.shown.map((model) => ({ kind: 'model', model }));
    }
    if (node.kind === 'model') return [...node.model.rows.map((row): Node => ({ kind: 'layer', row })), ...node.model.totals.map((t): Node => ({ kind: 'total', ...t }))];
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'model') {
      const item = new vscode.TreeItem(node.model.name, vscode.TreeItemCollapsibleState.Expanded);
      item.description = node.model.description;
      item.tooltip = node.model.tooltip;
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      item.contextValue = 'model';
      return item;
    }
    if (node.kind === 'layer') {
      const r = node.row;
      const item = new vscode.TreeItem(r.label, vscode.TreeItemCollapsibleState.None);
      item.description = r.description;
      item.iconPath = new vscode.ThemeIcon(r.hasParams ? 'symbol-field' : 'symbol-operator');
      item.contextValue = 'layer';
      if (r.tooltip) item.tooltip = r.tooltip;
      if (r.place) {
        const { uri, range } = r.place;
        item.command = { command: 'shapeLens.revealLayer', title: 'Reveal Layer', arguments: [vscode.Uri.parse(uri), range.start.line, range.start.character] };
      }
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.description = node.value;
    item.iconPath = new vscode.ThemeIcon('symbol-number');
    return item;
  }
}

export function register(client: ShapeLensClient, provider: ModelTreeProvider): vscode.Disposable {
  // The tree follows the active editor or notebook (focus moving to the tree itself keeps what it shows).
  const follow = () => {
    const uri = activeDocumentUri();
    if (uri && uri !== provider.uri) {
      provider.uri = uri;
      provider.refresh();
    }
  };
  follow();
  return vscode.Disposable.from(
    vscode.window.createTreeView('shapeLens.modelSummary', { treeDataProvider: provider, showCollapseAll: true }),
    vscode.window.onDidChangeActiveTextEditor(follow),
    vscode.window.onDidChangeActiveNotebookEditor(follow),
    client.onDidChangeAnalysis((uris) => {
      if (uris.length === 0 || (provider.uri && uris.includes(provider.uri))) provider.refresh();
    }),
  );
}
