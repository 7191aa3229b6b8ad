// Shape errors in the Problems panel (source `shape-lens`, with a code), and quick fixes where an
// obvious one exists (`padding='same'` for a window larger than its input).

import * as vscode from 'vscode';
import type { Diagnostic as ShapeDiagnostic } from '../core/diagnostics';
import { analysedLanguage, type AnalysisService } from './analysisService';
import { SELECTOR } from './inlayHints';
import { readSettings, settingId } from './settings';

const SEVERITY: Record<ShapeDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** The analysis fix behind each published diagnostic, for the quick-fix provider. */
const fixes = new WeakMap<vscode.Diagnostic, NonNullable<ShapeDiagnostic['fix']>>();

export function register(service: AnalysisService): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('shape-lens');
  const publish = (document: vscode.TextDocument) => {
    if (!analysedLanguage(document)) return;
    const doc = readSettings().diagnostics ? service.get(document) : undefined;
    if (!doc) {
      collection.delete(document.uri);
      return;
    }
    // A notebook's analysis covers all its code cells: publish to each cell document.
    const byDoc = new Map<vscode.TextDocument, vscode.Diagnostic[]>(doc.map.segments.map((s) => [s.document, []]));
    for (const d of doc.analysis.diagnostics) {
      const placed = doc.map.toRange(d.range) ?? { document, range: new vscode.Range(0, 0, 0, 0) };
      const diag = new vscode.Diagnostic(placed.range, d.message, SEVERITY[d.severity]);
      diag.source = 'shape-lens';
      diag.code = d.code;
      if (d.fix) fixes.set(diag, d.fix);
      byDoc.get(placed.document)?.push(diag);
    }
    for (const [d, list] of byDoc) collection.set(d.uri, list);
  };
  const publishVisible = () => {
    for (const e of vscode.window.visibleTextEditors) publish(e.document);
  };
  publishVisible();
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(publish),
    vscode.workspace.onDidCloseTextDocument((d) => collection.delete(d.uri)),
    vscode.window.onDidChangeVisibleTextEditors(publishVisible),
    service.onDidChange(publishVisible),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(settingId('diagnosticsEnabled'))) publishVisible();
    }),
    vscode.languages.registerCodeActionsProvider(SELECTOR, { provideCodeActions }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
  );
}

function provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
  const actions: vscode.CodeAction[] = [];
  for (const diag of context.diagnostics) {
    const fix = fixes.get(diag);
    if (!fix || diag.source !== 'shape-lens') continue;
    const edit = argumentEdit(document, diag.range, fix.arg, fix.value, analysedLanguage(document)?.id === 'tfjs');
    if (!edit) continue;
    const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    action.diagnostics = [diag];
    action.isPreferred = true;
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(document.uri, edit.range, edit.text);
    actions.push(action);
  }
  return actions;
}

/**
 * Sets `arg` in the first argument list of the layer call at `range`: replaces an existing value,
 * else appends it (`padding='same'` in Python, `padding: 'same'` in a tfjs config object).
 */
export function argumentEdit(document: vscode.TextDocument, range: vscode.Range, arg: string, pyValue: string, js: boolean): { range: vscode.Range; text: string } | undefined {
  const text = document.getText(range);
  const base = document.offsetAt(range.start);
  const open = text.indexOf('(');
  const close = open < 0 ? -1 : matchingParen(text, open);
  if (close < 0) return undefined;
  const args = text.slice(open + 1, close);
  const value = js ? pyValue.replace(/"/g, "'") : pyValue;
  const existing = new RegExp(`\\b${arg}\\s*${js ? ':' : '='}\\s*(['"])[^'"]*\\1`).exec(args);
  if (existing) {
    const start = base + open + 1 + existing.index;
    return { range: new vscode.Range(document.positionAt(start), document.positionAt(start + existing[0].length)), text: `${arg}${js ? ': ' : '='}${value}` };
  }
  if (js) {
    const brace = args.indexOf('{');
    if (brace < 0) return undefined;
    const at = document.positionAt(base + open + 1 + brace + 1);
    return { range: new vscode.Range(at, at), text: ` ${arg}: ${value},` };
  }
  const at = document.positionAt(base + close);
  return { range: new vscode.Range(at, at), text: `${args.trim() ? ', ' : ''}${arg}=${value}` };
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote && text[i - 1] !== '\\') quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
