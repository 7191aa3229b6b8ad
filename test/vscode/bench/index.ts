// Editor benchmarks inside a real VS Code (run by `npm run bench:vscode`): activation time, hover
// latency once analysed, and re-analysis after a one-line edit in a 1,000-line file. Each figure
// has a baseline measured in the same run (the same VS Code round trip with no analysis behind it).
// Prints figures; asserts only that they were measured.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runSuite, test } from '../suite-runner';

const EXT_ID = 'shape-lens.shape-lens';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A 1,000+ line Keras module: builder functions with helpers, loops and constants. */
function bigModule(): string {
  const lines = ['import tensorflow as tf', 'from tensorflow.keras import layers', '', 'FILTERS = [16, 32, 64]', ''];
  for (let i = 0; lines.length < 1000; i++) {
    lines.push(
      `def block_${i}(x, filters, k=3):`,
      '    x = layers.Conv2D(filters, k, padding="same", activation="relu")(x)',
      '    x = layers.BatchNormalization()(x)',
      '    return layers.MaxPooling2D()(x)',
      '',
      `def build_${i}(input_shape=(64, 64, 3), classes=${(i % 9) + 2}):`,
      '    inputs = tf.keras.Input(shape=input_shape)',
      '    x = inputs',
      '    for f in FILTERS:',
      `        x = block_${i}(x, f)`,
      '    x = layers.Flatten()(x)',
      '    x = layers.Dense(64, activation="relu")(x)',
      '    outputs = layers.Dense(classes, activation="softmax")(x)',
      `    return tf.keras.Model(inputs, outputs, name="model_${i}")`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Inlay hints for a viewport-sized range (the editor asks for the visible lines only). */
async function hints(doc: vscode.TextDocument, around = 0): Promise<vscode.InlayHint[]> {
  const range = new vscode.Range(Math.max(0, around - 30), 0, Math.min(doc.lineCount, around + 30), 0);
  return (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range)) ?? [];
}

const figures: Record<string, { median: number; baseline: number; unit: string; note: string }> = {};

test('activation', async () => {
  const ext = vscode.extensions.getExtension(EXT_ID);
  if (!ext) throw new Error('extension not loaded');
  if (ext.isActive) throw new Error('the benchmark must run first, before anything activates the extension');
  const t0 = performance.now();
  const api = (await ext.activate()) as { ready: Promise<void> };
  const activation = performance.now() - t0;
  // Baseline: activating an extension that is already active (the API round trip alone).
  const t1 = performance.now();
  await ext.activate();
  figures.activation = { median: activation, baseline: performance.now() - t1, unit: 'ms', note: 'one cold activation (the language server starts after activate returns)' };
  await api.ready;
  figures.serverReady = { median: performance.now() - t0, baseline: activation, unit: 'ms', note: 'activation until the language server answered initialize (off the activation path); baseline: activation' };
}, 60_000);

test('hover latency', async () => {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(folder, 'seed.py')));
  await vscode.window.showTextDocument(doc);
  const line = doc.getText().split('\n').findIndex((l) => l.includes('Conv2D(10, 3)'));
  const pos = new vscode.Position(line, doc.lineAt(line).text.indexOf('Conv2D') + 2);
  // The baseline: the same round trip to a hover provider of this extension host that does nothing.
  const plain = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'a do-nothing provider here\n'.repeat(40) });
  const nothing = vscode.languages.registerHoverProvider({ language: 'plaintext' }, { provideHover: () => undefined });
  const time = async (d: vscode.TextDocument, p: vscode.Position) => {
    const t = performance.now();
    await vscode.commands.executeCommand('vscode.executeHoverProvider', d.uri, p);
    return performance.now() - t;
  };
  for (let i = 0; i < 5; i++) await time(doc, pos); // analysed and cached
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < 40; i++) {
    ours.push(await time(doc, pos));
    base.push(await time(plain, new vscode.Position(3, 3)));
  }
  nothing.dispose();
  figures.hover = { median: median(ours), baseline: median(base), unit: 'ms', note: 'vscode.executeHoverProvider on a layer of seed.py, analysis cached; baseline: same call on a plaintext file whose hover provider does nothing' };
}, 60_000);

test('re-analysis after a one-line edit in a 1,000-line file', async () => {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const file = path.join(folder, '.bench-big.py');
  fs.writeFileSync(file, bigModule());
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    await hints(doc);
    const target = doc.getText().split('\n').findIndex((l) => l.includes('Dense(64'));
    const col = doc.lineAt(target).text.indexOf('64');
    const ours: number[] = [];
    const base: number[] = [];
    for (let i = 0; i < 15; i++) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(target, col, target, col + 2), i % 2 ? '64' : '65');
      await vscode.workspace.applyEdit(edit);
      // Hints for the new version: the service analyses it on demand (nothing is cached yet).
      let t = performance.now();
      await hints(doc, target);
      ours.push(performance.now() - t);
      // Baseline: the same request again, now served from the cache.
      t = performance.now();
      await hints(doc, target);
      base.push(performance.now() - t);
    }
    figures.reanalysis = { median: median(ours), baseline: median(base), unit: 'ms', note: `${doc.lineCount} lines; hints for the 60 visible lines right after an edit (re-analysis included); baseline: the same request from cache` };
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  } finally {
    fs.rmSync(file, { force: true });
  }
}, 120_000);

export async function run(): Promise<void> {
  try {
    await runSuite();
  } finally {
    const out = process.env.SHAPE_LENS_TEST_RESULT;
    if (out) fs.writeFileSync(`${out}.bench.json`, JSON.stringify(figures, null, 2));
  }
}
