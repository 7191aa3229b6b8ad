// Sidebar `shapeLens.modelSummary`: the active editor's models → layers (name (type), shape,
// params) → totals; clicking a layer reveals its line.

import * as vscode from 'vscode';
import { formatCount, formatOutputShape, formatWeightBytes } from '../core/shape';
import { knownParams, rowHasUnknown, type ModelSummary, type SummaryRow } from '../core/summary';
import type { AnalysisService } from '../editor/analysisService';

type Node =
  | { kind: 'model'; model: ModelSummary }
  | { kind: 'layer'; model: ModelSummary; row: SummaryRow }
  | { kind: 'total'; label: string; value: string };

export class ModelTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  document: vscode.TextDocument | undefined;

  constructor(private readonly service: AnalysisService) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** Models of the active editor's analysis. */
  models(): ModelSummary[] {
    const doc = this.document && this.service.get(this.document);
    return doc?.analysis.models ?? [];
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.models().map((model) => ({ kind: 'model', model }));
    if (node.kind === 'model') {
      const m = node.model;
      return [
        ...m.rows.map((row): Node => ({ kind: 'layer', model: m, row })),
        { kind: 'total', label: 'Total params', value: m.totalParams === null ? (m.model.incomplete ? '?' : `? (at least ${formatCount(knownParams(m))} + unknown)`) : `${formatCount(m.totalParams)} (${formatWeightBytes(m.totalParams)})` },
        { kind: 'total', label: 'Trainable params', value: formatCount(m.trainableParams) },
        { kind: 'total', label: 'Non-trainable params', value: formatCount(m.nonTrainableParams) },
      ];
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'model') {
      const m = node.model;
      const item = new vscode.TreeItem(m.model.name, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${m.model.className} · ${formatCount(m.totalParams)} params`;
      const unknown = m.model.incomplete ? `\n? ${m.model.incomplete}` : '';
      const keras = m.style === 'keras2' ? '\nas tf.keras 2 prints it' : m.style === 'keras3' ? '\nas Keras 3 prints it' : '';
      item.tooltip = `${m.model.name}${m.model.functionName ? ` (built in ${m.model.functionName}())` : ''}\noutput ${formatOutputShape(m.outputShape)}${unknown}${keras}`;
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      item.contextValue = 'model';
      return item;
    }
    if (node.kind === 'layer') {
      const r = node.row;
      const item = new vscode.TreeItem(`${r.name} (${r.className})`, vscode.TreeItemCollapsibleState.None);
      item.description = `${formatOutputShape(r.outputShape)} · ${r.unbuilt ? '0 (unbuilt)' : formatCount(r.params)}`;
      item.iconPath = new vscode.ThemeIcon(r.params ? 'symbol-field' : 'symbol-operator');
      item.contextValue = 'layer';
      if (rowHasUnknown(r)) item.tooltip = `? is not known to Shape Lens (not Keras' None): ${r.layer.unknownWhy ?? 'it could not follow how this layer is built'}`;
      const placed = this.document && this.service.get(this.document)?.map.toRange(r.layer.range);
      if (placed) {
        item.command = { command: 'shapeLens.revealLayer', title: 'Reveal Layer', arguments: [placed.document.uri, placed.range.start.line, placed.range.start.character] };
      }
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.description = node.value;
    item.iconPath = new vscode.ThemeIcon('symbol-number');
    return item;
  }
}

export function register(service: AnalysisService, provider: ModelTreeProvider): vscode.Disposable {
  const follow = (editor: vscode.TextEditor | undefined) => {
    if (editor) provider.document = editor.document;
    provider.refresh();
  };
  follow(vscode.window.activeTextEditor);
  return vscode.Disposable.from(
    vscode.window.createTreeView('shapeLens.modelSummary', { treeDataProvider: provider, showCollapseAll: true }),
    vscode.window.onDidChangeActiveTextEditor(follow),
    service.onDidChange(() => provider.refresh()),
  );
}
