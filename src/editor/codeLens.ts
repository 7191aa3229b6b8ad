// "Preview pooling" above each pooling layer: opens the pooling preview on that layer.

import * as vscode from 'vscode';
import { isPoolingClass } from '../core/pooling';
import type { AnalysisService } from './analysisService';
import type { Shape } from '../core/shape';
import { SELECTOR } from './inlayHints';
import { rowsIn } from './lookup';
import { readSettings, settingId } from './settings';

export function register(service: AnalysisService): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses(document) {
      if (!readSettings().poolingCodeLens) return [];
      const doc = service.get(document);
      if (!doc) return [];
      const lenses: vscode.CodeLens[] = [];
      for (const placed of rowsIn(doc, document)) {
        if (!isPoolingClass(placed.row.layer.className)) continue;
        const { line, character } = placed.range.start;
        lenses.push(
          new vscode.CodeLens(placed.range, {
            title: `$(eye) Preview pooling: ${describe(placed.row.layer.inputShapes?.[0], placed.row.outputShape)}`,
            tooltip: `Open the pooling preview on ${placed.row.name}: see which input window each output value comes from`,
            command: 'shapeLens.showPoolingPreview',
            arguments: [{ uri: document.uri.toString(), line, character }],
          }),
        );
      }
      return lenses;
    },
  };
  return vscode.Disposable.from(
    changed,
    vscode.languages.registerCodeLensProvider(SELECTOR, provider),
    service.onDidChange(() => changed.fire()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(settingId('poolingCodeLens'))) changed.fire();
    }),
  );
}

function describe(input: Shape | null | undefined, output: unknown): string {
  const dims = (s: unknown) => (Array.isArray(s) ? s.slice(1).map((d) => (d === null ? 'None' : String(d))).join('×') : '?');
  return `${dims(input)} → ${dims(output)}`;
}
