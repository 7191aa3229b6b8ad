// The one typed reader of Shape Lens settings (documented in package.json `contributes.configuration`).

import * as vscode from 'vscode';

export interface Settings {
  /** What the inlay hint at the end of each layer line shows. */
  inlayHints: 'shapeAndParams' | 'shapeOnly' | 'off';
  /** Report shape errors in the Problems panel. */
  diagnostics: boolean;
  /** Milliseconds after typing stops before diagnostics and the summary refresh. */
  analysisDelay: number;
  /** "Preview pooling" code lens above pooling layers. */
  poolingCodeLens: boolean;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('shapeLens');
  const mode = c.get<string>('inlayHints.mode', 'shapeAndParams');
  return {
    inlayHints: mode === 'shapeOnly' || mode === 'off' ? mode : 'shapeAndParams',
    diagnostics: c.get<boolean>('diagnostics.enabled', true),
    analysisDelay: Math.max(0, Math.min(5000, c.get<number>('analysisDelay', 200))),
    poolingCodeLens: c.get<boolean>('codeLens.poolingPreview', true),
  };
}
