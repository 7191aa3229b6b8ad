// The extension's side of the Shape Lens language server: starts `dist/cli.js lsp --node-ipc` (the
// same bundle as the CLI) with vscode-languageclient, which provides hovers, inlay hints,
// diagnostics, quick fixes and code lenses; the tree, status bar, commands and pooling preview ask
// the custom requests of src/server/protocol.ts through `request`. If the server dies it is
// restarted, and the user is told once.

import * as vscode from 'vscode';
import { CloseAction, ErrorAction, LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import type { RequestType } from 'vscode-languageserver-protocol';
import { DidChangeAnalysisNotification, ServerInfoRequest, type InitializationOptions } from '../server/protocol';
import { ASSUME_COMMAND, SETTINGS_SECTION } from './settingKeys';

/** The languages Shape Lens reads (notebook cells of these languages included). */
export const SELECTOR = ['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact'].map((language) => ({ language }));

/** More crashes than this within CRASH_WINDOW_MS and the server is left stopped. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 3 * 60_000;

export class ShapeLensClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly changed = new vscode.EventEmitter<string[]>();
  /** Fired when the server re-analysed documents (their URIs), and when it (re)starts. */
  readonly onDidChangeAnalysis = this.changed.event;
  private resolveReady!: () => void;
  /** Settles when the server first answers (or could not start). */
  readonly ready = new Promise<void>((r) => (this.resolveReady = r));
  private crashes: number[] = [];
  private toldRestart = false;

  constructor(private readonly context: vscode.ExtensionContext) {}

  /** Starts the server (called after `activate` returned: activation does not wait for it). */
  async start(): Promise<void> {
    const module = this.context.asAbsolutePath('dist/cli.js');
    const run = { module, args: ['lsp'], transport: TransportKind.ipc };
    const serverOptions: ServerOptions = { run, debug: run };
    const initializationOptions: InitializationOptions = { commandLinks: true };
    const clientOptions: LanguageClientOptions = {
      documentSelector: SELECTOR,
      initializationOptions,
      synchronize: { configurationSection: SETTINGS_SECTION, fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{py,js,ts,jsx,tsx,mjs,cjs}') },
      // The pooling layer's hover links to the preview, with a theme icon; hovers with open sizes to "assume".
      markdown: { isTrusted: { enabledCommands: ['shapeLens.showPoolingPreview', ASSUME_COMMAND] } },
      middleware: {
        provideHover: async (document, position, token, next) => {
          const hover = await next(document, position, token);
          for (const c of hover?.contents ?? []) if (c instanceof vscode.MarkdownString) c.supportThemeIcons = true;
          return hover;
        },
      },
      diagnosticCollectionName: 'shape-lens',
      outputChannelName: 'Shape Lens',
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => this.closed(),
      },
    };
    const client = new LanguageClient('shapeLens', 'Shape Lens', serverOptions, clientOptions);
    this.client = client;
    client.onNotification(DidChangeAnalysisNotification, (p) => this.changed.fire(p.uris));
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) this.changed.fire([]);
    });
    try {
      await client.start();
    } catch (e) {
      void vscode.window.showErrorMessage(`Shape Lens: the analysis server did not start (${e instanceof Error ? e.message : String(e)}).`);
    } finally {
      this.resolveReady();
    }
  }

  /** The server's connection closed without being asked to: restart it (said once), unless it keeps crashing. */
  private closed(): { action: CloseAction; handled: boolean } {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (this.crashes.length > MAX_CRASHES) {
      void vscode.window.showErrorMessage(`Shape Lens: the analysis server stopped ${this.crashes.length} times in a few minutes; it is not restarted. Reload the window to try again.`);
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    if (!this.toldRestart) {
      this.toldRestart = true;
      void vscode.window.showInformationMessage('Shape Lens: the analysis server stopped unexpectedly and was restarted.');
    }
    return { action: CloseAction.Restart, handled: true };
  }

  /** A custom request, once the server runs; undefined if it is not running or failed (logged). */
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R | undefined> {
    await this.ready;
    const client = this.client;
    if (!client || client.state !== State.Running) return undefined;
    try {
      return await client.sendRequest(type, params);
    } catch (e) {
      client.warn(`${type.method} failed`, e);
      return undefined;
    }
  }

  /** The server process's id (the in-editor tests kill it). */
  async serverPid(): Promise<number | undefined> {
    return (await this.request(ServerInfoRequest, null))?.pid;
  }

  dispose(): void {
    this.changed.dispose();
  }

  stop(): Promise<void> | undefined {
    return this.client?.stop();
  }
}
