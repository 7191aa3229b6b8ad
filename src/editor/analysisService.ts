// One analysis per document version, shared by every editor feature: Python files, notebook code
// cells (analysed together, in order, IPython syntax blanked: frontends/python/notebook.ts), JS/TS
// files. Offsets stay in the analysis; `SourceMap` turns them into editor positions at the edge.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FileAnalysis } from '../core/analysis';
import { keepLastGood } from '../core/stale';
import type { SourceRange } from '../core/diagnostics';
import type { FrontEnd, FrontEndInfo, ProjectHost } from '../frontends/common/frontend';
import { projectKerasPin, pythonCallers, readSmallFile } from '../node-host';
import type { KerasVersion } from '../core/keras-version';
import { settingId } from './settingKeys';
import { joinCells } from '../frontends/python/notebook';
import { eagerFrontEnds, frontEndForLanguage, loadFrontEnd } from '../frontends/registry';

const MAX_BYTES = 5 * 1024 * 1024;

/** Where each part of the analysed text comes from: one document, or the code cells of a notebook. */
export class SourceMap {
  constructor(readonly segments: { document: vscode.TextDocument; start: number; end: number }[]) {}

  /** The document and range an analysis range falls in (ranges from other files give undefined). */
  toRange(r: SourceRange | undefined): { document: vscode.TextDocument; range: vscode.Range } | undefined {
    if (!r || r.file) return undefined;
    const seg = this.segments.find((s) => r.start >= s.start && r.start <= s.end);
    if (!seg) return undefined;
    const start = seg.document.positionAt(r.start - seg.start);
    const end = seg.document.positionAt(Math.min(r.end, seg.end) - seg.start);
    return { document: seg.document, range: new vscode.Range(start, end) };
  }

  /** The analysis offset of a position in one of the documents. */
  toOffset(document: vscode.TextDocument, position: vscode.Position): number | undefined {
    const seg = this.segments.find((s) => s.document === document);
    return seg ? seg.start + document.offsetAt(position) : undefined;
  }
}

export interface DocumentAnalysis {
  analysis: FileAnalysis;
  map: SourceMap;
  /** Project files the analysis read (imports), for re-analysis when they change. */
  dependencies: Set<string>;
}

interface Entry {
  key: string;
  result: DocumentAnalysis;
}

/** The front end an editor document is analysed with, or undefined if Shape Lens ignores it. */
export function analysedLanguage(document: vscode.TextDocument): FrontEndInfo | undefined {
  return frontEndForLanguage(document.languageId);
}

export class AnalysisService implements vscode.Disposable {
  private readonly cache = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Front ends whose `init()` has resolved (the others' analyses wait for it). */
  private readonly ready = new Set<string>();
  /** Fired (debounced) when a document's analysis may have changed: features refresh on it. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly extensionPath: string,
    private readonly delay: () => number,
    /** `shapeLens.kerasVersion` when set (else the project's pins decide). */
    private readonly kerasVersion: () => KerasVersion | undefined = () => undefined,
  ) {
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(settingId('kerasVersion'))) return;
        for (const key of [...this.cache.keys()]) this.schedule(key);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => this.invalidate(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(this.keyFor(d).id)),
      vscode.workspace.onDidSaveTextDocument((d) => this.invalidate(d)),
    );
  }

  /** Initialises the front ends that load eagerly (the Python parser's wasm); analyses wait for them. */
  async init(): Promise<void> {
    // Only the bundled front ends: a lazy one (tfjs, with the TypeScript parser) loads when its first document opens.
    for (const { info, frontEnd } of eagerFrontEnds()) {
      if (!frontEnd.init) continue;
      await frontEnd.init(path.join(this.extensionPath, 'dist'));
      this.ready.add(info.id);
    }
  }

  /** The document's front end if it is ready to analyse (lazily loaded ones need no init). */
  private frontEnd(info: FrontEndInfo): FrontEnd | undefined {
    const fe = loadFrontEnd(info);
    return !fe.init || this.ready.has(info.id) ? fe : undefined;
  }

  /** The analysis for the document's current version (computed now if stale; never throws). */
  get(document: vscode.TextDocument): DocumentAnalysis | undefined {
    const info = analysedLanguage(document);
    const fe = info && this.frontEnd(info);
    if (!fe) return undefined;
    const { id, version, segments } = this.keyFor(document);
    const hit = this.cache.get(id);
    const key = `${version}|keras:${this.kerasVersion() ?? 'auto'}`;
    if (hit && hit.key === key) return hit.result;
    const result = this.analyse(document, fe, segments, hit?.result.analysis);
    if (result) this.cache.set(id, { key, result });
    return result;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }

  /**
   * Cache identity: a plain document by URI and version; a notebook cell by its notebook, keyed by
   * every code cell's version (a model defined across cells is one analysis).
   */
  private keyFor(document: vscode.TextDocument): { id: string; version: string; segments: vscode.TextDocument[] } {
    const nb = document.uri.scheme === 'vscode-notebook-cell' ? notebookOf(document) : undefined;
    if (nb) {
      const cells = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python').map((c) => c.document);
      return { id: nb.uri.toString(), version: cells.map((c) => `${c.uri.fragment}@${c.version}`).join('|'), segments: cells };
    }
    return { id: document.uri.toString(), version: String(document.version), segments: [document] };
  }

  private analyse(document: vscode.TextDocument, fe: FrontEnd, docs: vscode.TextDocument[], previous?: FileAnalysis): DocumentAnalysis | undefined {
    // One text for all the notebook's code cells (or the one document), IPython syntax blanked in notebooks.
    const notebook = document.uri.scheme === 'vscode-notebook-cell';
    const { text, spans } = joinCells(docs.map((d, index) => ({ index, source: d.getText() })), { ipython: notebook && fe.ipythonCells === true });
    const segments = spans.map((s) => ({ document: docs[s.cell], start: s.start, end: s.end }));
    const file = document.uri.scheme === 'file' ? document.uri.fsPath : docs.length > 1 ? notebookOf(document)?.uri.fsPath ?? document.uri.fsPath : document.uri.fsPath;
    const dependencies = new Set<string>();
    try {
      const asked = this.kerasVersion();
      // Python only: an explicit setting, else the pins found above the file (a comment in the file wins over both).
      const keras = fe.id !== 'python' ? undefined : asked ? { explicit: { version: asked, from: `setting ${settingId('kerasVersion')}` } } : { pinned: projectKerasPin(file, vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath) ?? []) };
      // While a line is half-typed, the rest keeps the picture of the last analysis (core/stale.ts).
      const analysis = keepLastGood(previous, fe.analyse(text, file, { host: this.host(dependencies), keras }));
      return { analysis, map: new SourceMap(segments), dependencies };
    } catch (e) {
      // The analysers never throw by design; if one does, the editor must not see it.
      console.error('Shape Lens: analysis failed', e);
      return undefined;
    }
  }

  /** Re-analysis after an edit: this document and every analysed document importing it. */
  private invalidate(document: vscode.TextDocument): void {
    const changedPath = document.uri.fsPath;
    const affected = new Set<string>();
    const { id } = this.keyFor(document);
    if (this.cache.has(id) || analysedLanguage(document)) affected.add(id);
    for (const [key, entry] of this.cache) if (entry.result.dependencies.has(changedPath)) affected.add(key);
    for (const key of affected) {
      if (key !== id) this.cache.delete(key);
      this.schedule(key);
    }
  }

  private schedule(key: string): void {
    const old = this.timers.get(key);
    if (old) clearTimeout(old);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.changed.fire(vscode.Uri.parse(key));
      }, this.delay()),
    );
  }

  /** Reads an imported file: the open editor's text if it has one (unsaved edits count), else disk. */
  private read(p: string, deps: Set<string>): string | undefined {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === p);
    if (open) {
      deps.add(p);
      return open.getText();
    }
    try {
      const st = fs.statSync(p);
      if (!st.isFile() || st.size > MAX_BYTES) return undefined;
      deps.add(p);
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  }

  private host(deps: Set<string>): ProjectHost {
    return {
      readFile: (p) => this.read(p, deps),
      roots: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      // Files that call this file's builders (found on disk; the analysis then reads the ones it uses
      // like imports, open editors first, so editing a caller re-analyses this file).
      callers: (file) => pythonCallers(file, readSmallFile),
    };
  }
}

function notebookOf(cell: vscode.TextDocument): vscode.NotebookDocument | undefined {
  return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === cell));
}
