// Host side of the model lab: one webview panel (webview/lab.ts) that builds the user's model in
// tfjs from its Keras JSON and shows each layer's feature maps. The language server owns the
// analysis: the host asks it for the lab's target (LabTargetRequest), asks again when the
// document's analysis changes (the panel never shows stale shapes or params), and serves the
// webview's requests (pick a workspace image, reveal a line, open the pooling preview on a pooling
// layer's real input). Messages from the webview are validated before use.

import * as vscode from 'vscode';
import type { ShapeLensClient } from '../editor/client';
import { isLabTarget, isLabToHost, type HostToLab, type LabTarget, type LabToHost } from '../protocol';
import { LabTargetRequest } from '../server/protocol';
import { pickImage, revealLine, showPoolingPreview, webviewHtml } from './poolingPreview';

export const LAB_VIEW_TYPE = 'shapeLens.modelLab';

/** Which model the lab shows: a document and the model's name in it. */
export interface LabRequest {
  uri: string;
  model: string;
}

let extensionUri: vscode.Uri | undefined;
let lspClient: ShapeLensClient | undefined;
let current: ModelLabPanel | undefined;

/** The target shown when the model is no longer in its document (renamed, deleted): nothing stale. */
export function goneTarget(request: LabRequest): LabTarget {
  return {
    key: `${request.uri}#model:${request.model}`,
    document: request.uri,
    name: request.model,
    layers: [],
    json: null,
    skipped: [],
    reason: `the model ${request.model} is no longer in ${vscode.Uri.parse(request.uri).path.split('/').pop() ?? 'its document'} (renamed or removed?): open the lab again from the model`,
    input: null,
    inputShape: '?',
    preview: { name: request.model, paramsWith: null, paramsWithout: null, removed: [], pooling: [] },
  };
}

class ModelLabPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private request: LabRequest | null = null;
  private target: LabTarget | null = null;
  /** Answers of older requests are dropped (an edit's answer must not be overwritten by an earlier one). */
  private generation = 0;

  constructor(readonly panel: vscode.WebviewPanel, private readonly root: vscode.Uri, private readonly client: ShapeLensClient) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(root, 'dist', 'webview')] };
    panel.iconPath = vscode.Uri.joinPath(root, 'media', 'shape-lens.svg');
    // The Pooling lab trains in a web worker: its script (dist/webview/train-worker.js) is fetched
    // from the panel's own resources and started from a blob: URL (a worker must be same-origin, and
    // the resources are served from another origin than the page). No eval, no other network.
    panel.webview.html = webviewHtml(panel.webview, root, 'lab', 'Model lab', 'model-lab', [`connect-src ${panel.webview.cspSource}`, 'worker-src blob:']);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isLabToHost(m)) void this.handle(m).catch((e: unknown) => console.error('Shape Lens model lab:', e));
      }),
      client.onDidChangeAnalysis((uris) => {
        if (this.request && (uris.length === 0 || uris.includes(this.request.uri))) void this.refresh();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** After a window reload: the target the webview saved, asked for again (the code may have changed). */
  restore(target: LabTarget): void {
    if (!target.document) return;
    this.request = { uri: target.document, model: target.name };
    void this.refresh();
  }

  show(request: LabRequest, target: LabTarget, title: string): void {
    this.generation++;
    this.request = request;
    this.target = target;
    this.panel.title = title;
    this.post({ type: 'lab', target });
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  /** The model as the server has it now (after an edit): re-exported, so shapes and params follow the code. */
  private async refresh(): Promise<void> {
    const request = this.request;
    if (!request) return;
    const generation = ++this.generation;
    const found = await this.client.request(LabTargetRequest, { uri: request.uri, model: request.model });
    if (generation !== this.generation || this.request !== request) return;
    // Restored after a window reload before its document is open in the server: keep the saved state until it is.
    if (!found && !this.target) return;
    const target = found?.target ?? goneTarget(request);
    if (JSON.stringify(target) === JSON.stringify(this.target)) return;
    this.target = target;
    this.post({ type: 'lab', target });
  }

  private post(m: HostToLab): void {
    void this.panel.webview.postMessage(m);
  }

  private async handle(m: LabToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.post({ type: 'lab', target: this.target });
        return;
      case 'revealLine':
        if (this.request) await revealLine(vscode.Uri.parse(this.request.uri), m.line);
        return;
      case 'pickImage':
        this.post(await pickImage().catch((e: unknown): HostToLab => ({ type: 'imageError', message: `Could not list or read images: ${e instanceof Error ? e.message : String(e)}` })));
        return;
      case 'openPooling': {
        const target = this.target;
        const layer = target?.layers.find((l) => l.name === m.layer)?.pooling;
        if (!target || !layer) return;
        const { height, width, channels } = m.real.map;
        showPoolingPreview({
          target: { key: `${target.key}#layer:${layer.name}#real`, layer, featureMap: { height, width, channels }, model: target.preview, document: target.document, real: m.real },
          document: target.document ? vscode.Uri.parse(target.document) : undefined,
          title: `Pooling: ${layer.name} (real input)`,
        });
        return;
      }
    }
  }

  dispose(): void {
    if (current === this) current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/** Opens (or reveals and retargets) the lab on a model; says so when the server has no such model. */
export async function openModelLab(request: LabRequest): Promise<boolean> {
  if (!extensionUri || !lspClient) throw new Error('Shape Lens: the model lab is not registered.');
  const found = await lspClient.request(LabTargetRequest, { uri: request.uri, model: request.model });
  if (!found) {
    void vscode.window.showInformationMessage(`Shape Lens: no model named ${request.model} in this document.`);
    return false;
  }
  if (!current) {
    const panel = vscode.window.createWebviewPanel(LAB_VIEW_TYPE, found.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    current = new ModelLabPanel(panel, extensionUri, lspClient);
  }
  current.show(request, found.target, found.title);
  return true;
}

/** Keeps the extension's location and client, and restores a lab left open when the window reloads. */
export function register(root: vscode.Uri, client: ShapeLensClient): vscode.Disposable {
  extensionUri = root;
  lspClient = client;
  return vscode.Disposable.from(
    vscode.window.registerWebviewPanelSerializer(LAB_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        current?.dispose();
        current = new ModelLabPanel(panel, root, client);
        const target = (state as { target?: unknown } | undefined)?.target;
        if (isLabTarget(target)) current.restore(target);
      },
    }),
    { dispose: () => current?.dispose() },
  );
}
