// The Shape Lens language server (`shape-lens lsp --stdio` / `--node-ipc`): the same analysis as the
// CLI behind standard LSP requests — diagnostics, hovers, inlay hints, quick fixes, code lenses —
// and the custom requests of ./protocol.ts (model tree, status bar, pooling preview target), so any
// LSP client (Neovim, JupyterLab's jupyterlab-lsp, the VS Code extension) gets Keras shapes and params.
// Documents are text documents or notebooks (LSP 3.17 notebook sync: the code cells analysed together,
// in order, results mapped back to each cell). Each change re-analyses the whole document, in
// `analysisOf` (the one place an incremental analysis plugs in).

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  NotebookCellKind,
  NotebookDocuments,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { keepLastGood } from '../core/stale';
import type { FileAnalysis } from '../core/analysis';
import type { FrontEnd, FrontEndOptions, IncrementalAnalysis, ProjectHost } from '../frontends/common/frontend';
import { joinCells } from '../frontends/python/notebook';
import { frontEndForFile, frontEndForLanguage, loadFrontEnd } from '../frontends/registry';
import { settingId } from '../editor/settingKeys';
import { projectKerasPin, pythonCallers, readSmallFile } from '../node-host';
import { codeActions, codeLenses, diagnosticsByUri, documentModels, hoverAt, inlayHints, labTargetFor, poolingTargetAt, SourceMap, statusModelAt, type DocumentAnalysis, type Segment } from './features';
import { readSettings, type Settings } from './settings';
import { DidChangeAnalysisNotification, LabTargetRequest, ModelAtRequest, ModelsRequest, PoolingTargetRequest, ServerInfoRequest, type InitializationOptions } from './protocol';

/** A document's path for the analysis: the file's own for `file:` URIs, else the URI itself. */
function fileOf(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

/** What one analysis covers: a text document, or a notebook's code cells. */
interface Unit {
  /** The document's or the notebook's URI. */
  key: string;
  languageId: string;
  file: string;
  /** The documents analysed together, in order, each with its cell index in a notebook. */
  parts: { uri: string; doc: TextDocument; cell?: number }[];
  notebook: boolean;
  /** Changes whenever any part changes. */
  version: string;
}

interface Cached {
  version: string;
  result: DocumentAnalysis | undefined;
}

/** Wires the Shape Lens features to `connection` and starts listening. */
/** How the server runs: `collectGarbage`, a full collection it may ask for when idle after analysing a large document. */
export interface ServerOptions {
  collectGarbage?: () => void;
}

/** Text this long (about 5,000 lines) makes the server collect garbage once idle after analysing it. */
const LARGE_TEXT = 200_000;
/** How long after the last such analysis (no typing in between). */
const COLLECT_AFTER_MS = 2_000;

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const notebooks = new NotebookDocuments(TextDocument);
  const cache = new Map<string, Cached>();
  const openNotebooks = new Set<string>();
  let settings: Settings = readSettings(undefined);
  let settingsLoaded: Promise<void> = Promise.resolve();
  let capabilities: ClientCapabilities = {};
  let roots: string[] = [];
  let commandLinks = false;

  const log = (what: string, e: unknown) => connection.console.error(`Shape Lens: ${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);

  /** The unit a URI belongs to: a notebook (asked by its own URI or a cell's), or a text document. */
  function unitOf(uri: string): Unit | undefined {
    const nb = notebooks.getNotebookDocument(uri) ?? notebooks.findNotebookDocumentForCell(uri);
    if (nb) {
      const parts: Unit['parts'] = [];
      nb.cells.forEach((cell, index) => {
        const doc = cell.kind === NotebookCellKind.Code ? notebooks.getCellTextDocument(cell) : undefined;
        if (doc && doc.languageId === 'python') parts.push({ uri: doc.uri, doc, cell: index });
      });
      return { key: nb.uri, languageId: 'python', file: fileOf(nb.uri), parts, notebook: true, version: `${nb.version}|${parts.map((p) => `${p.uri}@${p.doc.version}`).join('|')}` };
    }
    const doc = documents.get(uri);
    return doc && { key: uri, languageId: doc.languageId, file: fileOf(uri), parts: [{ uri, doc }], notebook: false, version: String(doc.version) };
  }

  /** Reads an imported file: an open document's text if it has one (unsaved edits count), else disk. */
  function read(p: string, deps: Set<string>): string | undefined {
    const open = documents.all().find((d) => d.uri.startsWith('file:') && fileOf(d.uri) === p);
    const text = open ? open.getText() : readSmallFile(p);
    if (text !== undefined) deps.add(p);
    return text;
  }

  /**
   * THE per-document analysis: the cached one for the unit's current version, else analysed now.
   * Never throws (undefined: not a document Shape Lens reads, or the analysis failed and was logged).
   */
  async function analysisOf(unit: Unit): Promise<DocumentAnalysis | undefined> {
    const version = `${unit.version}|keras:${settings.kerasVersion ?? 'auto'}`;
    const hit = cache.get(unit.key);
    if (hit && hit.version === version) return hit.result;
    const info = frontEndForLanguage(unit.languageId) ?? frontEndForFile(unit.file);
    if (!info) return undefined;
    try {
      const frontEnd = loadFrontEnd(info);
      await frontEnd.init?.();
      // One text for all the notebook's code cells (or the one document), IPython syntax blanked in notebooks.
      const { text, spans } = joinCells(unit.parts.map((p, i) => ({ index: i, source: p.doc.getText() })), { ipython: unit.notebook && frontEnd.ipythonCells === true });
      const segments: Segment[] = spans.map((s) => ({ ...unit.parts[s.cell], start: s.start, end: s.end }));
      const dependencies = new Set<string>();
      const host: ProjectHost = { readFile: (p) => read(p, dependencies), absolute: (f) => path.resolve(f), roots, callers: (f) => pythonCallers(f, readSmallFile) };
      // Python only: the setting, else the pins found above the file (a comment in the file wins over both).
      const keras = info.id !== 'python' ? undefined : settings.kerasVersion ? { explicit: { version: settings.kerasVersion, from: `setting ${settingId('kerasVersion')}` } } : unit.key.startsWith('file:') ? { pinned: projectKerasPin(unit.file, roots) } : undefined;
      // While a line is half-typed, the rest keeps the picture of the last analysis (core/stale.ts).
      const analysis = keepLastGood(hit?.result?.analysis, analyse(frontEnd, unit, text, { host, keras }));
      if (text.length >= LARGE_TEXT) collectWhenIdle();
      const result: DocumentAnalysis = { analysis, map: new SourceMap(segments), dependencies };
      // The unit may have changed while the front end loaded: cache only what is still current.
      if (unitOf(unit.key)?.version === unit.version) cache.set(unit.key, { version, result });
      return result;
    } catch (e) {
      log(`could not analyse ${unit.key}`, e);
      return undefined;
    }
  }

  /**
   * A large document's analysis leaves V8's heap at its peak (RSS stays there: 215 MB after opening a
   * 20,000-line TypeScript module). When the server has been idle for a while, the open documents let
   * go of what only speeds up their next update (`IncrementalAnalysis.trim`) and one full collection,
   * compacting (cli.ts), returns those pages (the module's old space: 134 MB with 51 MB live before,
   * 53 MB after). Every new large analysis puts it off again.
   */
  let collectTimer: ReturnType<typeof setTimeout> | undefined;
  function collectWhenIdle(): void {
    const collect = options.collectGarbage;
    if (!collect) return;
    if (collectTimer) clearTimeout(collectTimer);
    collectTimer = setTimeout(() => {
      collectTimer = undefined;
      for (const entry of incremental.values()) entry.doc.trim?.();
      collect();
    }, COLLECT_AFTER_MS);
    collectTimer.unref?.();
  }

  /** Each open document's incremental analysis (by unit key), for front ends that have one. */
  const incremental = new Map<string, { frontEnd: string; file: string; doc: IncrementalAnalysis }>();

  /** The unit's text analysed: incrementally when its front end can (the edit's work only), else whole. */
  function analyse(frontEnd: FrontEnd, unit: Unit, text: string, options: FrontEndOptions): FileAnalysis {
    if (!frontEnd.incremental) return frontEnd.analyse(text, unit.file, options);
    let entry = incremental.get(unit.key);
    if (!entry || entry.frontEnd !== frontEnd.id || entry.file !== unit.file) {
      entry?.doc.dispose();
      entry = { frontEnd: frontEnd.id, file: unit.file, doc: frontEnd.incremental(unit.file) };
      incremental.set(unit.key, entry);
    }
    try {
      return entry.doc.update(text, options);
    } catch (e) {
      // Never expected; the whole analysis is the answer, and the document starts afresh next time.
      log(`incremental analysis of ${unit.key} failed`, e);
      forget(unit.key);
      return frontEnd.analyse(text, unit.file, options);
    }
  }

  /** Drops what is kept for a closed document. */
  function forget(key: string): void {
    incremental.get(key)?.doc.dispose();
    incremental.delete(key);
  }

  /** The analysis for a request about `uri`, unless the request was cancelled first. */
  async function requested(uri: string, token?: CancellationToken): Promise<{ doc: DocumentAnalysis; unit: Unit } | undefined> {
    await settingsLoaded;
    const unit = unitOf(uri);
    if (!unit || token?.isCancellationRequested) return undefined;
    const doc = await analysisOf(unit);
    return doc && { doc, unit };
  }

  /** A request handler that answers `fallback` instead of throwing, and logs why. */
  function guard<P, R>(name: string, fallback: R, fn: (params: P, token: CancellationToken) => Promise<R>): (params: P, token: CancellationToken) => Promise<R> {
    return async (params, token) => {
      try {
        if (token?.isCancellationRequested) return fallback;
        return await fn(params, token);
      } catch (e) {
        log(name, e);
        return fallback;
      }
    };
  }

  /** A notification or event handler that logs instead of throwing. */
  function safely<T>(name: string, fn: (e: T) => void): (e: T) => void {
    return (e) => {
      try {
        fn(e);
      } catch (err) {
        log(name, err);
      }
    };
  }

  // Publishing: diagnostics follow the last change after the analysis delay (hovers and hints asked
  // for meanwhile analyse the version they are asked about); then the client is told the analysis changed.
  const timers = new Map<string, NodeJS.Timeout>();
  const needsRefresh = new Set<string>();
  /** Per unit, the URIs diagnostics were last published to (a removed cell's are cleared). */
  const published = new Map<string, Set<string>>();

  function schedule(key: string, refresh = false): void {
    clearTimeout(timers.get(key));
    if (refresh) needsRefresh.add(key);
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        publish(key).catch((e: unknown) => log(`publishing ${key}`, e));
      }, settings.analysisDelay),
    );
  }

  async function publish(key: string): Promise<void> {
    await settingsLoaded;
    const unit = unitOf(key);
    if (!unit) return;
    const doc = await analysisOf(unit);
    if (unitOf(key)?.version !== unit.version) return; // a newer change has its own timer
    const byUri = doc && settings.diagnostics ? diagnosticsByUri(doc) : new Map(unit.parts.map((p) => [p.uri, []]));
    const before = published.get(key) ?? new Set();
    for (const uri of before) if (!byUri.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
    published.set(key, new Set(byUri.keys()));
    for (const [uri, diagnostics] of byUri) {
      const version = unit.parts.find((p) => p.uri === uri)?.doc.version;
      void connection.sendDiagnostics({ uri, version, diagnostics });
    }
    void connection.sendNotification(DidChangeAnalysisNotification, { uris: [...new Set([key, ...unit.parts.map((p) => p.uri)])] });
    if (needsRefresh.delete(key)) refreshClient();
  }

  /** Asks the client to ask again for hints and lenses (after a change it did not make in that document). */
  function refreshClient(): void {
    if (capabilities.workspace?.inlayHint?.refreshSupport) connection.languages.inlayHint.refresh().catch((e: unknown) => log('inlay hint refresh', e));
    if (capabilities.workspace?.codeLens?.refreshSupport) connection.sendRequest(CodeLensRefreshRequest.type).catch((e: unknown) => log('code lens refresh', e));
  }

  /** Re-analysis of every open document that read `file` (an import), after it changed. */
  function dependentsChanged(file: string, except?: string): void {
    for (const [key, entry] of cache) {
      if (key === except || !entry.result?.dependencies.has(file)) continue;
      cache.delete(key);
      schedule(key, true);
    }
  }

  function allUnitKeys(): string[] {
    return [...documents.keys(), ...openNotebooks];
  }

  async function loadSettings(pushed?: unknown): Promise<void> {
    try {
      const section = capabilities.workspace?.configuration ? await connection.workspace.getConfiguration('shapeLens') : (pushed as { shapeLens?: unknown } | undefined)?.shapeLens;
      settings = readSettings(section);
    } catch (e) {
      log('reading the settings', e);
    }
  }

  connection.onInitialize((params: InitializeParams) => {
    capabilities = params.capabilities ?? {};
    commandLinks = (params.initializationOptions as InitializationOptions | undefined)?.commandLinks === true;
    const folders = params.workspaceFolders?.map((f) => fileOf(f.uri)) ?? (params.rootUri ? [fileOf(params.rootUri)] : []);
    roots = folders.filter((f) => path.isAbsolute(f));
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        // Every cell synced, so a cell's number among all cells (markdown included) is known.
        notebookDocumentSync: { notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' } }] },
        hoverProvider: true,
        inlayHintProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'shape-lens' },
    };
  });

  connection.onInitialized(() => {
    settingsLoaded = loadSettings();
  });

  connection.onDidChangeConfiguration(
    safely('didChangeConfiguration', (params) => {
      settingsLoaded = loadSettings(params.settings).then(() => {
        for (const key of allUnitKeys()) schedule(key, true);
      });
    }),
  );

  connection.onDidChangeWatchedFiles(
    safely('didChangeWatchedFiles', (params) => {
      for (const change of params.changes) if (!documents.get(change.uri)) dependentsChanged(fileOf(change.uri));
    }),
  );

  documents.onDidChangeContent(
    safely('didChange', (change) => {
      schedule(change.document.uri);
      if (change.document.uri.startsWith('file:')) dependentsChanged(fileOf(change.document.uri), change.document.uri);
    }),
  );
  documents.onDidClose(
    safely('didClose', (e) => {
      const uri = e.document.uri;
      clearTimeout(timers.get(uri));
      timers.delete(uri);
      cache.delete(uri);
      forget(uri);
      published.delete(uri);
      void connection.sendDiagnostics({ uri, diagnostics: [] });
      // Its importers read the file from disk again.
      if (uri.startsWith('file:')) dependentsChanged(fileOf(uri));
    }),
  );
  notebooks.onDidOpen(
    safely('notebook didOpen', (nb) => {
      openNotebooks.add(nb.uri);
      schedule(nb.uri);
    }),
  );
  notebooks.onDidChange(safely('notebook didChange', (e) => schedule(e.notebookDocument.uri)));
  notebooks.onDidClose(
    safely('notebook didClose', (nb) => {
      openNotebooks.delete(nb.uri);
      clearTimeout(timers.get(nb.uri));
      timers.delete(nb.uri);
      cache.delete(nb.uri);
      forget(nb.uri);
      for (const uri of published.get(nb.uri) ?? []) void connection.sendDiagnostics({ uri, diagnostics: [] });
      published.delete(nb.uri);
    }),
  );

  connection.onHover(
    guard('hover', null, async (params, token) => {
      const got = await requested(params.textDocument.uri, token);
      return got ? hoverAt(got.doc, params.textDocument.uri, params.position, commandLinks) : null;
    }),
  );

  connection.languages.inlayHint.on(
    guard('inlay hints', [], async (params, token) => {
      const got = await requested(params.textDocument.uri, token);
      return got ? inlayHints(got.doc, params.textDocument.uri, params.range, settings.inlayHints) : [];
    }),
  );

  connection.onCodeLens(
    guard('code lenses', [], async (params, token) => {
      if (!settings.poolingCodeLens && !settings.labCodeLens) return [];
      const got = await requested(params.textDocument.uri, token);
      return got ? codeLenses(got.doc, params.textDocument.uri, { pooling: settings.poolingCodeLens, lab: settings.labCodeLens }) : [];
    }),
  );

  connection.onCodeAction(
    guard('code actions', [], async (params, token) => {
      const got = await requested(params.textDocument.uri, token);
      // The "assume" actions run a command only the VS Code client registers.
      return got ? codeActions(got.doc, params.textDocument.uri, params.context.diagnostics, got.doc.analysis.language !== 'python', commandLinks ? params.range : undefined) : [];
    }),
  );

  connection.onRequest(
    ModelsRequest,
    guard('models', null, async (params, token) => {
      const got = await requested(params.uri, token);
      return got ? documentModels(got.doc, got.unit.key, settings.copySummaryColumns) : null;
    }),
  );

  connection.onRequest(
    ModelAtRequest,
    guard('model at', null, async (params, token) => {
      const got = await requested(params.uri, token);
      return got ? statusModelAt(got.doc, params.uri, params.position) : null;
    }),
  );

  connection.onRequest(
    PoolingTargetRequest,
    guard('pooling target', null, async (params, token) => {
      const got = await requested(params.uri, token);
      return got ? poolingTargetAt(got.doc, params.uri, params.position, { model: params.model, layer: params.layer }) : null;
    }),
  );

  connection.onRequest(
    LabTargetRequest,
    guard('lab target', null, async (params, token) => {
      const got = await requested(params.uri, token);
      return got ? labTargetFor(got.doc, params.uri, params) : null;
    }),
  );

  connection.onRequest(ServerInfoRequest, () => ({ pid: process.pid }));

  documents.listen(connection);
  notebooks.listen(connection);
  connection.listen();
}
