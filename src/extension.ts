// activate(): build the shared services, then register each feature. No logic of its own.

import * as vscode from 'vscode';
import { AnalysisService } from './editor/analysisService';
import * as codeLens from './editor/codeLens';
import * as commands from './editor/commands';
import * as diagnostics from './editor/diagnostics';
import * as hover from './editor/hover';
import * as inlayHints from './editor/inlayHints';
import { readSettings } from './editor/settings';
import * as statusBar from './editor/statusBar';
import * as poolingPreview from './panels/poolingPreview';
import * as modelTree from './views/modelTree';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const service = new AnalysisService(
    context.extensionPath,
    () => readSettings().analysisDelay,
    () => readSettings().kerasVersion,
  );
  context.subscriptions.push(service);
  await service.init();
  const tree = new modelTree.ModelTreeProvider(service);
  context.subscriptions.push(
    inlayHints.register(service),
    hover.register(service),
    diagnostics.register(service),
    modelTree.register(service, tree),
    statusBar.register(service),
    commands.register(service, tree),
    codeLens.register(service),
    poolingPreview.register(context.extensionUri),
  );
}

export function deactivate(): void {}
