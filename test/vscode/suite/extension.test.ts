// The extension inside a real VS Code: hovers, inlay hints, diagnostics + quick fix, the summary,
// edits, TypeScript and notebooks, all through the public API on test/vscode/workspace files.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ASSUME_COMMAND, SETTING, SETTINGS_SECTION } from '../../../src/editor/settingKeys';

export type Case = [name: string, fn: () => Promise<void>];

const EXT_ID = 'shape-lens.shape-lens';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs test/vscode/workspace opened as the workspace folder');
  return vscode.Uri.file(path.join(folder.uri.fsPath, name));
}

/** The extension's exports (src/extension.ts `ShapeLensApi`): the language server's readiness and pid. */
interface Api {
  ready: Promise<void>;
  serverPid(): Promise<number | undefined>;
}

/** Activates the extension and waits for its language server (activation itself does not wait for it). */
async function activated(): Promise<Api> {
  const ext = vscode.extensions.getExtension<Api>(EXT_ID);
  assert.ok(ext, `extension ${EXT_ID} is not loaded`);
  const api = await ext.activate();
  await api.ready;
  return api;
}

async function open(name: string): Promise<vscode.TextDocument> {
  await activated();
  const doc = await vscode.workspace.openTextDocument(workspaceFile(name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

/** Polls `probe` until it returns a value (analysis and providers settle asynchronously). */
async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await probe();
    if (last !== undefined) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function lineOf(doc: vscode.TextDocument, needle: string, from = 0): number {
  for (let i = from; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  throw new Error(`no line with ${needle}`);
}

async function hoverText(doc: vscode.TextDocument, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos)) ?? [];
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

async function hints(doc: vscode.TextDocument): Promise<{ line: number; label: string }[]> {
  const range = new vscode.Range(0, 0, doc.lineCount, 0);
  const list = (await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range)) ?? [];
  return list.map((h) => ({ line: h.position.line, label: typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('') }));
}

/**
 * Types `typed` key by key into the empty line after the one holding `after` in a workspace file
 * whose four hints are Conv2D(16, 3) on 32×32×3 (30×30×16, 3·3·3·16 + 16 = 448), pool 15, flatten
 * 15·15·16 = 3,600 and Dense(10) 3,600·10 + 10 = 36,010: after every key (before the last one when
 * `lastKeyChangesOthers`) every other line's hints are those; `end` checks what the finished line
 * gives. The file is reverted after.
 */
async function typeKeyByKey(file: string, after: string, typed: string, lastKeyChangesOthers: boolean, end: (doc: vscode.TextDocument, line: number) => Promise<void>): Promise<void> {
  const doc = await open(file);
  const line = lineOf(doc, after) + 1;
  assert.equal(doc.lineAt(line).text, '');
  const others = (h: { line: number; label: string }[]) => JSON.stringify(h.filter((x) => x.line !== line));
  const base = await eventually(async () => {
    const h = await hints(doc);
    return h.length === 4 ? h : undefined;
  }, 'the four hints');
  assert.deepEqual(base.map((h) => h.label), ['→ (None, 30, 30, 16) · 448 params', '→ (None, 15, 15, 16) · 0 params', '→ (None, 3600) · 0 params', '→ (None, 10) · 36,010 params']);
  const editor = vscode.window.activeTextEditor!;
  try {
    for (let i = 0; i < typed.length; i++) {
      assert.ok(await editor.edit((e) => e.insert(new vscode.Position(line, i), typed[i])));
      if (lastKeyChangesOthers && i === typed.length - 1) break;
      assert.equal(others(await hints(doc)), others(base), `after typing ${JSON.stringify(typed.slice(0, i + 1))}`);
    }
    await end(doc, line);
  } finally {
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
}

export const cases: Case[] = [
  ['commands are registered', async () => {
    await open('seed.py');
    const all = await vscode.commands.getCommands(true);
    for (const c of ['shapeLens.showSummary', 'shapeLens.copySummary', 'shapeLens.showPoolingPreview', 'shapeLens.openModelLab', 'shapeLens.refresh', ASSUME_COMMAND]) assert.ok(all.includes(c), c);
  }],

  ['seed 002: inlay hints give every row of the article', async () => {
    const doc = await open('seed.py');
    const got = await eventually(async () => {
      const h = await hints(doc);
      return h.length >= 13 ? h : undefined;
    }, 'inlay hints');
    const labels = got.map((h) => h.label).join('\n');
    // Rows as printed in the article (seed 002): without pooling, then with pooling.
    for (const row of ['(None, 222, 222, 10) · 280 params', '(None, 220, 220, 10) · 910 params', '(None, 475240) · 0 params', '(None, 1) · 475,241 params', '(None, 111, 111, 10) · 0 params', '(None, 6760) · 0 params', '(None, 1) · 6,761 params']) {
      assert.ok(labels.includes(row), `missing hint ${row} in\n${labels}`);
    }
  }],

  ['hover on a layer: shapes, params formula and arithmetic; on a pooling layer, a preview link', async () => {
    const doc = await open('seed.py');
    const conv = lineOf(doc, 'tf.keras.layers.Conv2D(10, 3)');
    const text = await eventually(async () => {
      const t = await hoverText(doc, new vscode.Position(conv, doc.lineAt(conv).text.indexOf('Conv2D') + 2));
      return t.includes('Conv2D') ? t : undefined;
    }, 'a hover');
    assert.match(text, /\(None, 222, 222, 10\) → \(None, 220, 220, 10\)/);
    assert.match(text, /3·3·10·10 \+ 10 = 910/);
    assert.match(text, /⌊\(222 − 3\)\/1⌋ \+ 1 = 220/);
    const pool = lineOf(doc, 'MaxPooling2D()');
    const ptext = await hoverText(doc, new vscode.Position(pool, doc.lineAt(pool).text.indexOf('MaxPooling2D') + 2));
    assert.match(ptext, /Preview pooling/);
    assert.match(ptext, /command:shapeLens\.showPoolingPreview/);
  }],

  ['hover on a model: totals and trainable split', async () => {
    const doc = await open('seed.py');
    const line = lineOf(doc, 'model_with_pooling = ');
    const text = await hoverText(doc, new vscode.Position(line, 3));
    assert.match(text, /Total params: \*\*8,861\*\*/);
    assert.match(text, /Trainable: 8,861/);
  }],

  ['diagnostics: a negative dimension in the Problems panel with source, code and a quick fix', async () => {
    const doc = await open('broken.py');
    const diags = await eventually(() => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'shape-lens' && x.severity === vscode.DiagnosticSeverity.Error);
      return d.length > 0 ? d : undefined;
    }, 'diagnostics');
    const d = diags[0];
    assert.equal(d.code, 'negative-dimension');
    assert.match(d.message, /^Negative dimension size caused by subtracting 3 from 2/);
    assert.equal(d.range.start.line, lineOf(doc, 'layers.Conv2D(8, 3),', lineOf(doc, 'MaxPooling2D')));
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range)) ?? [];
    const fix = actions.find((a) => /padding='same'/.test(a.title));
    assert.ok(fix?.edit, `no padding quick fix in ${actions.map((a) => a.title).join(', ')}`);
    const [[, edits]] = fix.edit.entries();
    assert.equal(edits[0].newText, ", padding='same'");
  }],

  ['assume: the hover links to the command, which writes the shape-lens comment under the docstring and merges a second size; the hints follow', async () => {
    const doc = await open('open_sizes.py');
    const conv = lineOf(doc, 'layers.Conv2D(32, 3)');
    const text = await eventually(async () => {
      const t = await hoverText(doc, new vscode.Position(conv, doc.lineAt(conv).text.indexOf('Conv2D') + 2));
      return t.includes('Assume W') ? t : undefined;
    }, 'a hover with Assume links');
    assert.match(text, /Sizes: `\(None, H − 2, W − 2, 32\)`/);
    assert.match(text, /command:shapeLens\.assumeSize/);
    try {
      assert.equal(await vscode.commands.executeCommand(ASSUME_COMMAND, { uri: doc.uri.toString(), name: 'H', value: 224 }), true);
      assert.equal(doc.lineAt(1).text, '# shape-lens: H=224');
      assert.equal(doc.lineAt(2).text, 'import keras');
      assert.equal(await vscode.commands.executeCommand(ASSUME_COMMAND, { uri: doc.uri.toString(), name: 'W', value: 160 }), true);
      assert.equal(doc.lineAt(1).text, '# shape-lens: H=224, W=160');
      // Conv2D(32, 3) valid: 224 − 2 = 222, 160 − 2 = 158; MaxPooling2D(2): ⌊222/2⌋ = 111, ⌊158/2⌋ = 79.
      await eventually(async () => {
        const labels = (await hints(doc)).map((h) => h.label).join('\n');
        return labels.includes('(None, 222, 158, 32) · 896 params') && labels.includes('(None, 111, 79, 32) · 0 params') ? true : undefined;
      }, 'hints with the assumed sizes');
      // Not a size name: nothing is written.
      assert.equal(await vscode.commands.executeCommand(ASSUME_COMMAND, { uri: doc.uri.toString(), name: '1x', value: 3 }), false);
      assert.equal(doc.lineCount, 10);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }],

  ['hints update after an edit', async () => {
    const doc = await open('seed.py');
    const line = lineOf(doc, 'tf.keras.layers.Conv2D(10, 3),');
    const col = doc.lineAt(line).text.indexOf('(10, 3)');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(line, col, line, col + 7), '(10, 5)');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      // Conv2D(10, 5) on (222, 222, 10): 220 − 2 = 218; 5·5·10·10 + 10 = 2,510.
      await eventually(async () => {
        const h = await hints(doc);
        return h.some((x) => x.line === line && x.label.includes('(None, 218, 218, 10) · 2,510 params')) ? true : undefined;
      }, 'the updated hint');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }],

  ['the summary: copy as text gives the Keras table of the active editor', async () => {
    await open('seed.py');
    const text = await vscode.commands.executeCommand<string>('shapeLens.copySummary');
    assert.match(text, /Model: "model_with_pooling"/);
    assert.match(text, /Total params: 8,861 \(34\.61 KB\)/);
    assert.match(text, /Total params: 477,341 \(1\.82 MB\)/);
    assert.equal(await vscode.env.clipboard.readText(), text);
  }],

  ['TypeScript: tfjs model hints and hover', async () => {
    const doc = await open('mnist.ts');
    const got = await eventually(async () => {
      const h = await hints(doc);
      return h.length >= 4 ? h : undefined;
    }, 'TypeScript hints', 20000);
    const labels = got.map((h) => h.label).join('\n');
    // conv2d 3·3·1·16 + 16 = 160 → (26, 26, 16); pool → 13; flatten 13·13·16 = 2704; dense 2704·10 + 10 = 27,050.
    for (const row of ['(None, 26, 26, 16) · 160 params', '(None, 13, 13, 16) · 0 params', '(None, 2704) · 0 params', '(None, 10) · 27,050 params']) assert.ok(labels.includes(row), `${row} in\n${labels}`);
  }],

  ['settings: shapeOnly drops the params from hints, off removes them', async () => {
    const doc = await open('seed.py');
    const cfg = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    try {
      await cfg.update(SETTING.inlayHintsMode.key, 'shapeOnly', vscode.ConfigurationTarget.Global);
      await eventually(async () => {
        const h = await hints(doc);
        return h.length > 0 && h.every((x) => !x.label.includes('params')) && h.some((x) => x.label.includes('(None, 220, 220, 10)')) ? true : undefined;
      }, 'shape-only hints');
      await cfg.update(SETTING.inlayHintsMode.key, 'off', vscode.ConfigurationTarget.Global);
      await eventually(async () => ((await hints(doc)).length === 0 ? true : undefined), 'no hints');
    } finally {
      await cfg.update(SETTING.inlayHintsMode.key, undefined, vscode.ConfigurationTarget.Global);
    }
  }],

  ['cross-file: editing an imported constant re-analyses the importing file', async () => {
    const cfgDoc = await vscode.workspace.openTextDocument(workspaceFile('proj/config.py'));
    const doc = await open('proj/model.py');
    // Dense(8) on 4 inputs: 4·8 + 8 = 40.
    const line = lineOf(doc, 'Dense(WIDTH');
    await eventually(async () => ((await hints(doc)).some((h) => h.line === line && h.label.includes('(None, 8) · 40 params')) ? true : undefined), 'the WIDTH = 8 hint');
    const edit = new vscode.WorkspaceEdit();
    const wline = lineOf(cfgDoc, 'WIDTH = 8');
    edit.replace(cfgDoc.uri, cfgDoc.lineAt(wline).range, 'WIDTH = 16');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      // Dense(16): 4·16 + 16 = 80, from the unsaved edit in the other editor.
      await eventually(async () => ((await hints(doc)).some((h) => h.line === line && h.label.includes('(None, 16) · 80 params')) ? true : undefined), 'the WIDTH = 16 hint');
    } finally {
      await vscode.window.showTextDocument(cfgDoc);
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  }],

  ['pooling preview: the command opens a panel titled after the layer under the cursor', async () => {
    const doc = await open('seed.py');
    const line = lineOf(doc, 'MaxPooling2D()');
    const editor = vscode.window.activeTextEditor!;
    editor.selection = new vscode.Selection(line, 30, line, 30);
    await vscode.commands.executeCommand('shapeLens.showPoolingPreview');
    const tab = await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.startsWith('Pooling: max_pooling2d')), 'the pooling panel tab');
    assert.match(tab.label, new RegExp(`line ${line + 1}`));
    assert.equal((tab.input as vscode.TabInputWebview).viewType.endsWith('shapeLens.poolingPreview'), true);
  }],

  ['pooling preview: a code lens above each pooling layer opens the preview on that layer', async () => {
    const doc = await open('seed.py');
    const first = lineOf(doc, 'MaxPooling2D()');
    const lenses = await eventually(async () => {
      const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
      const mine = l.filter((x) => x.command?.command === 'shapeLens.showPoolingPreview');
      return mine.length === 3 ? mine : undefined;
    }, 'three pooling code lenses');
    const lensLines = lenses.map((l) => l.range.start.line).sort((a, b) => a - b);
    assert.deepEqual(lensLines, [first, lineOf(doc, 'MaxPooling2D()', first + 1), lineOf(doc, 'MaxPooling2D()', lineOf(doc, 'MaxPooling2D()', first + 1) + 1)]);
    // MaxPooling2D on 222×222×10: the lens names the input and output sizes.
    assert.match(lenses.find((l) => l.range.start.line === first)!.command!.title, /222×222×10 → 111×111×10/);
    const second = lenses.find((l) => l.range.start.line === lensLines[1])!;
    await vscode.commands.executeCommand(second.command!.command, ...(second.command!.arguments ?? []));
    await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === `Pooling: max_pooling2d_1 (line ${lensLines[1] + 1})`), 'the panel retargeted to max_pooling2d_1');
    // One panel, retargeted rather than duplicated.
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label.startsWith('Pooling')).length, 1);
  }],

  ['model lab: the code lens on the model line, the palette and the tree row open one panel titled after the model', async () => {
    const doc = await open('mnist_convnet.py');
    const line = lineOf(doc, 'keras.Sequential(');
    const lens = await eventually(async () => {
      const l = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
      return l.find((x) => x.command?.command === 'shapeLens.openModelLab');
    }, 'the model lab code lens');
    assert.equal(lens.range.start.line, line);
    assert.equal(lens.command!.title, '$(beaker) Open in model lab');
    assert.equal(await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? [])), true);
    const labTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label.startsWith('Model lab'));
    const tab = await eventually(() => labTabs().find((t) => t.label === 'Model lab: model'), 'the lab tab');
    assert.equal((tab.input as vscode.TabInputWebview).viewType.endsWith('shapeLens.modelLab'), true);
    // The palette (one model in the file: no quick pick) and the tree's model row retarget the same panel.
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    assert.equal(await vscode.commands.executeCommand('shapeLens.openModelLab'), true);
    assert.equal(await vscode.commands.executeCommand('shapeLens.openModelLab', { kind: 'model', model: { name: 'model' } }), true);
    assert.equal(labTabs().length, 1);
    // A model that is not there: a message, no panel change.
    assert.equal(await vscode.commands.executeCommand('shapeLens.openModelLab', { uri: doc.uri.toString(), model: 'nope' }), false);
  }],

  ['notebook: a model defined across cells is one model, hints appear in each cell', async () => {
    await activated();
    const nb = await vscode.workspace.openNotebookDocument(workspaceFile('seed001.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    assert.equal(code.length, 2);
    const second = await eventually(async () => {
      const h = await hints(code[1].document);
      return h.length >= 3 ? h : undefined;
    }, 'hints in the second cell');
    // Seed 001: conv 3·3·1·32 + 32 = 320 (cell 1); pool (None, 13, 13, 32); flatten 5,408; dense 5,408·10 + 10 = 54,090.
    const labels = second.map((h) => h.label).join('\n');
    assert.ok(labels.includes('(None, 13, 13, 32) · 0 params'), labels);
    assert.ok(labels.includes('(None, 10) · 54,090 params'), labels);
    const first = await hints(code[0].document);
    assert.ok(first.some((h) => h.label.includes('(None, 26, 26, 32) · 320 params')), JSON.stringify(first));
    // Hovers name the cell, counted among all cells from 1 (the markdown cell is cell 1).
    const pooling = await hoverText(code[1].document, new vscode.Position(0, 30));
    assert.match(pooling, /\*\*max_pooling2d\*\* \(MaxPooling2D\) · model `model` · cell 3/);
    // Copy Summary with the notebook active: its model, 320 + 54,090 = 54,410 params.
    const summary = await vscode.commands.executeCommand<string>('shapeLens.copySummary');
    assert.match(summary, /Model: "model"/);
    assert.match(summary, /Total params: 54,410/);
    // The pooling preview names the cell.
    await vscode.commands.executeCommand('shapeLens.showPoolingPreview', { uri: code[1].document.uri.toString(), line: 0, character: 30 });
    await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Pooling: max_pooling2d (cell 3, line 1)'), 'the pooling panel on the cell');
    await vscode.window.showNotebookDocument(nb);
    // Clicking a tree row of the notebook's model reveals its cell (before: "Could NOT open editor").
    await vscode.commands.executeCommand('shapeLens.revealLayer', code[1].document.uri, 0, 0);
    const active = vscode.window.activeNotebookEditor;
    assert.equal(active?.notebook.uri.toString(), nb.uri.toString());
    assert.equal(active?.selections[0]?.start, code[1].index);
  }],

  ['notebook: !pip, %matplotlib, a %%bash cell, `x = !ls` and `obj?` are never reported', async () => {
    await activated();
    const nb = await vscode.workspace.openNotebookDocument(workspaceFile('magics.ipynb'));
    await vscode.window.showNotebookDocument(nb);
    const code = nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    assert.equal(code.length, 3);
    // Dense 8·4 + 4 = 36 in the first code cell; Dense 4·2 + 2 = 10 added in the last one.
    const last = await eventually(async () => {
      const h = await hints(code[2].document);
      return h.some((x) => x.label.includes('(None, 2) · 10 params')) ? h : undefined;
    }, 'hints in the last cell');
    assert.ok(last.length >= 1);
    assert.ok((await hints(code[0].document)).some((h) => h.label.includes('(None, 4) · 36 params')));
    // The deliberate error (Conv2D(8, 5) on 4×4) shows diagnostics were published; it is the only one.
    const shapeLens = () => code.flatMap((c, i) => vscode.languages.getDiagnostics(c.document.uri).filter((d) => d.source === 'shape-lens').map((d) => ({ cell: i, line: d.range.start.line, code: String(d.code) })));
    await eventually(() => (shapeLens().some((d) => d.code === 'negative-dimension') ? true : undefined), 'the negative-dimension error');
    assert.deepEqual(shapeLens(), [{ cell: 2, line: 3, code: 'negative-dimension' }]);
  }],

  ['unknown values: ? in hints and hovers with the reason, never None or 0; summary() hover shows the model as then', async () => {
    const doc = await open('unknowns.py');
    const conv = lineOf(doc, 'layers.Conv2D(FILTERS');
    const all = await eventually(async () => {
      const h = await hints(doc);
      return h.some((x) => x.line === conv) ? h : undefined;
    }, 'hints on unknowns.py');
    // Conv2D(?, 3) on 28×28×1: (None, 26, 26, ?) with unknown weights; pooling halves the known axes.
    const label = (line: number) => all.find((h) => h.line === line)?.label ?? '';
    assert.ok(label(conv).includes('(None, 26, 26, ?) · ? params'), label(conv));
    assert.ok(label(lineOf(doc, 'layers.MaxPooling2D')).includes('(None, 13, 13, ?) · 0 params'), JSON.stringify(all));
    const hover = await hoverText(doc, new vscode.Position(conv, doc.lineAt(conv).text.indexOf('Conv2D') + 2));
    assert.match(hover, /is not known to Shape Lens/);
    assert.match(hover, /filters/);
    // The model: total ? with what is known. Dense(10) on (None, 13, 13, ?) has ?·10 + 10 weights;
    // the Dense(2) added after summary() has 10·2 + 2 = 22, all that is known.
    const model = await hoverText(doc, new vscode.Position(lineOf(doc, 'model = keras.Sequential'), 2));
    assert.match(model, /Total params: \*\*\?\*\* \(at least 22 \+ unknown\)/);
    // summary() before the last add: three rows, no dense_1.
    const at = lineOf(doc, 'model.summary()');
    const snap = await hoverText(doc, new vscode.Position(at, 8));
    assert.match(snap, /What `unknowns.summary\(\)` prints here/);
    assert.ok(!snap.includes('dense_1'), snap);
    // Keras 3 prints the box table.
    assert.match(snap, /│ conv2d \(Conv2D\)\s+│ \(None, 26, 26, \?\)\s+│\s+\? │/);
    // No error-severity diagnostic for a value Shape Lens merely does not know.
    const errors = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'shape-lens' && d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors, []);
  }],

  ['typing a layer line character by character: every other line keeps its hints, the typed line ends with its own', async () => {
    // Dense(4) on (None, 10): 10·4 + 4 = 44.
    await typeKeyByKey('typing.py', 'model.add(layers.Dense(10))', 'model.add(layers.Dense(4, activation="softmax"))', false, async (doc, line) => {
      const last = (await hints(doc)).find((h) => h.line === line);
      assert.equal(last?.label, '→ (None, 4) · 44 params');
    });
  }],

  ['typing a layer into the middle of a Sequential list: the hints below keep their values until the line is complete', async () => {
    // The comma completes the list: Conv2D(8, 3) on 15×15×16 is 13×13×8 with 3·3·16·8 + 8 = 1,160;
    // flatten 13·13·8 = 1,352; Dense(10) 1,352·10 + 10 = 13,530.
    await typeKeyByKey('typing_list.py', 'layers.MaxPooling2D(2)', '    layers.Conv2D(8, 3),', true, async (doc) => {
      const done = await eventually(async () => {
        const h = await hints(doc);
        return h.length === 5 ? h : undefined;
      }, 'five hints');
      assert.deepEqual(done.map((h) => h.label), ['→ (None, 30, 30, 16) · 448 params', '→ (None, 15, 15, 16) · 0 params', '→ (None, 13, 13, 8) · 1,160 params', '→ (None, 1352) · 0 params', '→ (None, 10) · 13,530 params']);
    });
  }],

  ['a killed language server is restarted and hints come back', async () => {
    const api = await activated();
    const doc = await open('seed.py');
    const pid = await api.serverPid();
    assert.ok(pid && pid !== process.pid, `server pid ${pid}`);
    process.kill(pid, 'SIGKILL');
    const next = await eventually(async () => {
      const p = await api.serverPid();
      return p && p !== pid ? p : undefined;
    }, 'a new server process', 20000);
    assert.notEqual(next, pid);
    // Conv2D(10, 3) on 222×222×10: 3·3·10·10 + 10 = 910, from the new server.
    await eventually(async () => ((await hints(doc)).some((h) => h.label.includes('(None, 220, 220, 10) · 910 params')) ? true : undefined), 'hints from the restarted server', 20000);
  }],
];
