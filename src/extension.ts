// activate(): register the views and commands, and start the Shape Lens language server AFTER
// activate returned (activation stays fast). All analysis runs in the server: hovers, inlay hints,
// diagnostics, quick fixes and code lenses through vscode-languageclient; the tree, status bar and
// commands through the custom requests (src/server/protocol.ts). No logic of its own.

import * as vscode from 'vscode';
import { ShapeLensClient } from './editor/client';
import * as commands from './editor/commands';
import * as statusBar from './editor/statusBar';
import * as modelLab from './panels/modelLab';
import * as poolingPreview from './panels/poolingPreview';
import * as modelTree from './views/modelTree';

/** What the extension exports (the in-editor tests wait for the server and read its pid). */
export interface ShapeLensApi {
  /** Settles once the language server answered its first request (or could not start). */
  ready: Promise<void>;
  serverPid(): Promise<number | undefined>;
}

let client: ShapeLensClient | undefined;

export function activate(context: vscode.ExtensionContext): ShapeLensApi {
  const c = new ShapeLensClient(context);
  client = c;
  const tree = new modelTree.ModelTreeProvider(c);
  context.subscriptions.push(c, modelTree.register(c, tree), statusBar.register(c), commands.register(c, tree), poolingPreview.register(context.extensionUri, c), modelLab.register(context.extensionUri, c));
  setTimeout(() => void c.start(), 0);
  return { ready: c.ready, serverPid: () => c.serverPid() };
}

export function deactivate(): Promise<void> | undefined {
  return client?.stop();
}
