// Host side of the pooling preview. For now a minimal panel showing the layer's settings and the
// output-size arithmetic; the interactive tfjs preview is the next step (see the README).

import * as vscode from 'vscode';
import { formatOutputShape, formatShape } from '../core/shape';
import type { SummaryRow } from '../core/summary';

let panel: vscode.WebviewPanel | undefined;

/** Opens (or reveals) the panel for `row`, or for the seed example when no layer is given. */
export function showPoolingPreview(row: SummaryRow | undefined, where: string): void {
  panel ??= vscode.window.createWebviewPanel('shapeLens.poolingPreview', 'Pooling Preview', vscode.ViewColumn.Beside, { enableScripts: false, localResourceRoots: [] });
  panel.onDidDispose(() => (panel = undefined));
  panel.title = row ? `Pooling: ${row.name} (${where})` : 'Pooling Preview';
  panel.webview.html = html(panel.webview, row);
  panel.reveal(vscode.ViewColumn.Beside, true);
}

function html(webview: vscode.Webview, row: SummaryRow | undefined): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  const body = row
    ? `<h2>${esc(row.name)} (${esc(row.className)})</h2>
       <p>${esc((row.layer.inputShapes ?? []).map((s) => formatShape(s)).join(', '))} → ${esc(formatOutputShape(row.outputShape))}</p>
       <pre>${esc(row.layer.explain.join('\n'))}</pre>`
    : `<h2>Max and average pooling</h2><p>For the 2×2 window [[1, 3], [2, 4]]: max = 4, average = (1+3+2+4)/4 = 2.5.</p>`;
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline';">
<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground)} pre{font-family:var(--vscode-editor-font-family)}</style>
</head><body>${body}<p><em>The interactive tfjs pooling preview comes next.</em></p></body></html>`;
}
