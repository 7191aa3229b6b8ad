// Harness self-test extension: one hover provider for plain text that always says "hello".
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.languages.registerHoverProvider({ scheme: 'file', language: 'plaintext' }, {
      provideHover: () => new vscode.Hover(new vscode.MarkdownString('hello')),
    }),
  );
}

export function deactivate(): void {}
