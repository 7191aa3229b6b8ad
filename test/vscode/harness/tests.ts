// Harness self-test suite: proves the runners load a tests module into a real extension host and
// that the real `vscode` API answers. SHAPE_LENS_HARNESS_FAIL=1 adds a failing test (checks the
// failure path of the runner).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runSuite, test } from '../suite-runner';

const EXT_ID = 'shape-lens-test.shape-lens-harness';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}

test('harness: extension is found and activates', async () => {
  const ext = vscode.extensions.getExtension(EXT_ID);
  assert.ok(ext, `${EXT_ID} not loaded (extensionDevelopmentPath wrong?)`);
  await ext.activate();
  assert.equal(ext.isActive, true);
});

test('harness: hover on a workspace file says hello', async () => {
  await vscode.extensions.getExtension(EXT_ID)?.activate();
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder open');
  const uri = vscode.Uri.joinPath(folder.uri, 'hello.txt');
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  assert.equal(doc.languageId, 'plaintext');
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider', uri, new vscode.Position(0, 2));
  assert.equal(hoverText(hovers), 'hello');
});

if (process.env.SHAPE_LENS_HARNESS_FAIL === '1') {
  test('harness: deliberate failure', () => {
    assert.equal(1 + 1, 3, 'this test fails on purpose');
  });
}

export function run(): Promise<unknown> {
  return runSuite();
}
