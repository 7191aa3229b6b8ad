// Host side of the pooling preview: one webview panel (webview/ bundle) that runs max and average
// pooling on tfjs. The host renders the HTML shell (CSP with a fresh nonce, scripts only from the
// built webview folder), tells the webview what it was opened on, and serves its requests (pick a
// workspace image, reveal a line). It follows edits: when the document's analysis changes it asks
// the language server again for the same model and layer, and shows the new target if it changed.
// Messages from the webview are validated before use.

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ShapeLensClient } from '../editor/client';
import { PoolingTargetRequest } from '../server/protocol';
import { isPreviewTarget, isWebviewToHost, MAX_IMAGE_BYTES, type HostToWebview, type ImageErrorMessage, type ImageMessage, type PreviewTarget, type WebviewToHost } from '../protocol';

export const VIEW_TYPE = 'shapeLens.poolingPreview';

const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp', webp: 'image/webp' };

/** What the panel shows: the target, and the document its line numbers refer to. */
export interface PreviewRequest {
  target: PreviewTarget;
  document?: vscode.Uri;
  title: string;
}

let extensionUri: vscode.Uri | undefined;
let lspClient: ShapeLensClient | undefined;
let current: PoolingPreviewPanel | undefined;

class PoolingPreviewPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private request: PreviewRequest | null = null;

  /** Answers of older requests are dropped. */
  private generation = 0;

  constructor(readonly panel: vscode.WebviewPanel, private readonly root: vscode.Uri, client?: ShapeLensClient) {
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(root, 'dist', 'webview')] };
    panel.iconPath = vscode.Uri.joinPath(root, 'media', 'shape-lens.svg');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isWebviewToHost(m)) void this.handle(m).catch((e: unknown) => console.error('Shape Lens pooling preview:', e));
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    if (client) {
      this.disposables.push(
        client.onDidChangeAnalysis((uris) => {
          const doc = this.request?.target.document;
          if (doc && (uris.length === 0 || uris.includes(doc))) void this.refresh(client);
        }),
      );
    }
  }

  /**
   * The same model and layer as the server has them now: shown when its layer or model info changed
   * (settings, shapes, params, the model's JSON), so nothing stale stays on screen. A real input
   * from the model lab is dropped then (it came from the old model).
   */
  private async refresh(client: ShapeLensClient): Promise<void> {
    const request = this.request;
    const t = request?.target;
    if (!request || !t?.document || !t.model) return;
    const generation = ++this.generation;
    const found = await client.request(PoolingTargetRequest, { uri: t.document, position: { line: 0, character: 0 }, model: t.model.name, ...(t.layer ? { layer: t.layer.name } : {}) });
    if (!found || generation !== this.generation || this.request !== request) return;
    if (JSON.stringify([found.target.layer, found.target.model]) === JSON.stringify([t.layer, t.model])) return;
    this.show({ ...request, target: found.target, title: found.title }, false);
  }

  /** After a window reload: the target the webview saved, so Go to line still knows the document. */
  restore(target: PreviewTarget): void {
    this.request = { target, document: target.document ? vscode.Uri.parse(target.document) : undefined, title: this.panel.title };
  }

  show(request: PreviewRequest, reveal = true): void {
    this.generation++;
    this.request = request;
    this.panel.title = request.title;
    this.post({ type: 'show', target: request.target });
    if (reveal) this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  private post(m: HostToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private async handle(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        // A (re)loaded webview: what it shows now; null after a window reload keeps its saved state.
        this.post({ type: 'show', target: this.request?.target ?? null });
        return;
      case 'revealLine':
        if (this.request?.document) await revealLine(this.request.document, m.line);
        return;
      case 'pickImage':
        this.post(await pickImage().catch((e: unknown): HostToWebview => ({ type: 'imageError', message: `Could not list or read images: ${e instanceof Error ? e.message : String(e)}` })));
        return;
    }
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.root, 'main', 'Pooling preview', 'pooling-preview');
  }

  dispose(): void {
    if (current === this) current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

/**
 * A panel's HTML shell: a fresh nonce per render; nothing but the built webview folder may load.
 * `bundle` is the webview entry (dist/webview/<bundle>.js and .css). `csp`: the panel's own
 * directives added to the policy (the model lab's worker).
 */
export function webviewHtml(webview: vscode.Webview, root: vscode.Uri, bundle: string, title: string, kind: string, csp: string[] = []): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview', name)).toString();
  const policy = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} blob: data:`, `script-src 'nonce-${nonce}'`, ...csp].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${asset(`${bundle}.css`)}">
<title>${title}</title>
</head>
<body>
<main id="app" data-shape-lens="${kind}"></main>
<script nonce="${nonce}" src="${asset(`${bundle}.js`)}"></script>
</body>
</html>`;
}

/** Shows a line (1-based) of a document in the first editor column (a notebook cell: in its notebook). */
export async function revealLine(uri: vscode.Uri, oneBased: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const line = Math.min(oneBased - 1, document.lineCount - 1);
  // A notebook cell cannot be shown as an editor of its own: reveal it in its notebook.
  if (uri.scheme === 'vscode-notebook-cell') {
    await vscode.commands.executeCommand('shapeLens.revealLayer', uri, line, document.lineAt(line).firstNonWhitespaceCharacterIndex);
    return;
  }
  const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One });
  const pos = new vscode.Position(line, document.lineAt(line).firstNonWhitespaceCharacterIndex);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/** Lets the user pick an image file of the workspace; its bytes (or why not) for the webview. */
export async function pickImage(): Promise<ImageMessage | ImageErrorMessage> {
  // `undefined` keeps the user's files.exclude; the extension list covers the usual spellings.
  const found = await vscode.workspace.findFiles('**/*.{png,jpg,jpeg,gif,bmp,webp,PNG,JPG,JPEG,GIF,BMP,WEBP,Png,Jpg,Jpeg}', undefined, 5000);
  const files = found.filter((u) => !/\/(node_modules|\.git)\//.test(u.path)).slice(0, 2000);
  if (files.length === 0) return { type: 'imageError', message: 'No image files (PNG, JPEG, GIF, BMP, WebP) in this workspace.' };
  const items = files
    .map((uri) => ({ label: uri.path.split('/').pop() ?? uri.path, description: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.description.localeCompare(b.description));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Image to pool (read in the preview; up to 8 MB)', matchOnDescription: true });
  if (!picked) return { type: 'imageError', message: 'No image was picked.' };
  const name = picked.label;
  try {
    const stat = await vscode.workspace.fs.stat(picked.uri);
    if (stat.size > MAX_IMAGE_BYTES) {
      return { type: 'imageError', message: `${name} is ${(stat.size / 1048576).toFixed(1)} MB; the preview reads images up to ${MAX_IMAGE_BYTES / 1048576} MB.` };
    }
    const bytes = await vscode.workspace.fs.readFile(picked.uri);
    const ext = name.split('.').pop()?.toLowerCase() ?? '';
    return { type: 'image', name, mime: IMAGE_TYPES[ext] ?? 'application/octet-stream', base64: Buffer.from(bytes).toString('base64') };
  } catch (e) {
    return { type: 'imageError', message: `Could not read ${name}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Opens (or reveals and retargets) the preview. */
export function showPoolingPreview(request: PreviewRequest): void {
  if (!extensionUri) throw new Error('Shape Lens: the pooling preview is not registered.');
  if (!current) {
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, request.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    current = new PoolingPreviewPanel(panel, extensionUri, lspClient);
  }
  current.show(request);
}

/** Keeps the extension's location (and the client, to follow edits) and restores a preview left open when the window reloads. */
export function register(root: vscode.Uri, client?: ShapeLensClient): vscode.Disposable {
  extensionUri = root;
  lspClient = client;
  return vscode.Disposable.from(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        current?.dispose();
        current = new PoolingPreviewPanel(panel, root, client);
        const target = (state as { target?: unknown } | undefined)?.target;
        if (isPreviewTarget(target)) current.restore(target);
      },
    }),
    { dispose: () => current?.dispose() },
  );
}
