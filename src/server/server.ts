// The Shape Lens language server (`shape-lens lsp --stdio` / `--node-ipc`): the same analysis as the
// CLI and the editor behind standard LSP requests — diagnostics, hovers and inlay hints — so any
// LSP client (Neovim, JupyterLab's jupyterlab-lsp, VS Code) gets Keras shapes and params.
// First step of issue 11: each change re-analyses the whole document (incremental analysis next).

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DiagnosticSeverity,
  MarkupKind,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type InlayHint,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { FileAnalysis } from '../core/analysis';
import type { SourceRange } from '../core/diagnostics';
import { keepLastGood } from '../core/stale';
import type { ModelSummary, SummaryRow } from '../core/summary';
import type { ProjectHost } from '../frontends/common/frontend';
import { frontEndForFile, frontEndForLanguage, loadFrontEnd } from '../frontends/registry';
import { projectKerasPin, pythonCallers, readSmallFile } from '../node-host';
import { describeRow, layerHoverMarkdown, modelHoverMarkdown, snapshotHoverMarkdown } from './presentation';

const host: ProjectHost = {
  readFile: readSmallFile,
  absolute: (file) => path.resolve(file),
  callers: (file) => pythonCallers(file, readSmallFile),
};

/** A document's path for the analysis: the file's own for `file:` URIs, else the URI itself. */
function fileOf(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

/** The pause after the last change before diagnostics are computed and published. */
const PUBLISH_DELAY_MS = 120;

interface Analysed {
  version: number;
  analysis: FileAnalysis;
}

/** Wires the Shape Lens features to `connection` and starts listening. */
export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const analysed = new Map<string, Analysed>();

  async function analysisOf(doc: TextDocument): Promise<FileAnalysis | undefined> {
    const hit = analysed.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.analysis;
    const file = fileOf(doc.uri);
    const info = frontEndForLanguage(doc.languageId) ?? frontEndForFile(file);
    if (!info) return undefined;
    try {
      const frontEnd = loadFrontEnd(info);
      await frontEnd.init?.();
      const keras = info.id === 'python' && doc.uri.startsWith('file:') ? { pinned: projectKerasPin(file) } : undefined;
      // While a line is half-typed, the rest keeps the picture of the last analysis (core/stale.ts).
      const analysis = keepLastGood(hit?.analysis, frontEnd.analyse(doc.getText(), file, { host, keras }));
      analysed.set(doc.uri, { version: doc.version, analysis });
      return analysis;
    } catch (e) {
      connection.console.error(`Shape Lens could not analyse ${doc.uri}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** Ranges in this document only (a layer made by an imported helper belongs to that file). */
  const here = (r: SourceRange | undefined): r is SourceRange => !!r && r.file === undefined;

  function rows(a: FileAnalysis): { row: SummaryRow; model: ModelSummary }[] {
    return a.models.flatMap((model) => model.rows.filter((row) => here(row.layer.range) && !(row.layer.isInput && !row.layer.range)).map((row) => ({ row, model })));
  }

  async function publish(doc: TextDocument): Promise<void> {
    const a = await analysisOf(doc);
    if (!a || documents.get(doc.uri)?.version !== doc.version) return;
    const diagnostics: LspDiagnostic[] = a.diagnostics.map((d) => {
      const r = here(d.range) ? d.range : { start: 0, end: 0 };
      return {
        severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
        code: d.code,
        source: 'shape-lens',
        message: d.message,
        range: { start: doc.positionAt(r.start), end: doc.positionAt(r.end) },
      };
    });
    await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      inlayHintProvider: true,
    },
    serverInfo: { name: 'shape-lens' },
  }));

  // Typing sends a change per keystroke: diagnostics follow the last one after a short pause (hovers
  // and hints asked for meanwhile analyse the version they are asked about).
  const timers = new Map<string, NodeJS.Timeout>();
  documents.onDidChangeContent((change) => {
    const uri = change.document.uri;
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        const doc = documents.get(uri);
        if (doc) void publish(doc);
      }, PUBLISH_DELAY_MS),
    );
  });
  documents.onDidClose((e) => {
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    analysed.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    const a = doc && (await analysisOf(doc));
    if (!doc || !a) return null;
    const offset = doc.offsetAt(params.position);
    const line = params.position.line;
    const contains = (r: SourceRange) => r.start <= offset && offset <= r.end;
    const markdown = (value: string) => ({ contents: { kind: MarkupKind.Markdown, value } });
    for (const s of a.builder.snapshots) {
      if (a.builder.models.includes(s.model) && here(s.range) && contains(s.range)) return markdown(snapshotHoverMarkdown(s));
    }
    const all = rows(a);
    const inside = all.filter(({ row }) => contains(row.layer.range!) || row.layer.calls.some((c) => here(c.range) && contains(c.range)));
    const hit = inside.sort((x, y) => x.row.layer.range!.end - x.row.layer.range!.start - (y.row.layer.range!.end - y.row.layer.range!.start))[0] ?? all.find(({ row }) => doc.positionAt(row.layer.range!.start).line === line);
    if (hit) return markdown(layerHoverMarkdown(hit.row, hit.model.model.name));
    const model = a.models.find((m) => here(m.model.range) && (contains(m.model.range) || doc.positionAt(m.model.range.start).line === line));
    return model ? markdown(modelHoverMarkdown(model, a.keras)) : null;
  });

  connection.languages.inlayHint.on(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    const a = doc && (await analysisOf(doc));
    if (!doc || !a) return [];
    const first = params.range.start.line;
    const last = params.range.end.line;
    const byLine = new Map<number, SummaryRow>();
    for (const { row } of rows(a)) {
      const end = doc.positionAt(row.layer.range!.end);
      if (end.line < first || end.line > last) continue;
      // One hint per line: the layer's, else an operation's (as the editor does).
      const seen = byLine.get(end.line);
      if (!seen || (seen.operation && !row.operation)) byLine.set(end.line, row);
    }
    const hints: InlayHint[] = [];
    for (const [line, row] of byLine) {
      const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
      hints.push({ position: { line, character: text.length }, label: `  ${describeRow(row, true)}`, paddingLeft: true });
    }
    return hints.sort((x, y) => x.position.line - y.position.line);
  });

  documents.listen(connection);
  connection.listen();
}
