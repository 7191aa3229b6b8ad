// Inlay hints at the end of each layer line: `→ (None, 13, 13, 32) · 320 params`.

import * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';
import { describeRow, rowsIn } from './lookup';
import { readSettings, settingId } from './settings';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'python' },
  { language: 'javascript' },
  { language: 'typescript' },
  { language: 'javascriptreact' },
  { language: 'typescriptreact' },
];

export function register(service: AnalysisService): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.InlayHintsProvider = {
    onDidChangeInlayHints: changed.event,
    provideInlayHints(document, range) {
      const mode = readSettings().inlayHints;
      if (mode === 'off') return [];
      const doc = service.get(document);
      if (!doc) return [];
      // Layers created on the same line (a helper called in a loop) share one hint; an operation
      // (`x * 0.5`) has one only on a line without a layer (`Dense(3)(x * 0.5)` shows the Dense).
      const byLine = new Map<number, string[]>();
      const rows = rowsIn(doc, document);
      const layerLines = new Set(rows.filter((p) => !p.row.operation).map((p) => p.range.end.line));
      for (const placed of rows) {
        const line = placed.range.end.line;
        if (line < range.start.line || line > range.end.line) continue;
        if (placed.row.operation && layerLines.has(line)) continue;
        const text = describeRow(placed.row, mode === 'shapeAndParams');
        const list = byLine.get(line) ?? [];
        if (!list.includes(text)) list.push(text);
        byLine.set(line, list);
      }
      const hints: vscode.InlayHint[] = [];
      for (const [line, texts] of byLine) {
        const end = document.lineAt(line).range.end;
        const shown = texts.length > 3 ? [...texts.slice(0, 3), `+${texts.length - 3} more`] : texts;
        const hint = new vscode.InlayHint(end, `→ ${shown.join(' | ')}`, vscode.InlayHintKind.Type);
        hint.paddingLeft = true;
        hints.push(hint);
      }
      return hints;
    },
  };
  return vscode.Disposable.from(
    changed,
    vscode.languages.registerInlayHintsProvider(SELECTOR, provider),
    service.onDidChange(() => changed.fire()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(settingId('inlayHintsMode'))) changed.fire();
    }),
  );
}

export { SELECTOR };
