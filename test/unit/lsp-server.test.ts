// The language server over stdio, driven by a plain JSON-RPC client (no LSP library on this side):
// initialize, didOpen, didChange with a range, hover, inlayHint and publishDiagnostics, as any
// editor's client would send them. Expected figures worked by hand (seed-style convnet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './helpers/paths';

const cli = path.join(repoRoot(), 'dist/cli.js');

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** A minimal LSP client: Content-Length framing, requests by id, notifications collected. */
class Client {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  readonly notifications: Message[] = [];
  /** Requests the server sent (registrations, workspace/configuration, refreshes), in order. */
  readonly serverRequests: Message[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    /** The answer to a server-to-client request (default null). */
    private readonly answer: (m: Message) => unknown = () => null,
  ) {
    proc.stdout.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const headerEnd = this.buffer.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
        if (this.buffer.length < headerEnd + 4 + length) return;
        const body = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as Message;
        this.buffer = this.buffer.subarray(headerEnd + 4 + length);
        if (body.id !== undefined && !body.method) this.pending.get(body.id)?.(body);
        else if (body.method) {
          if (body.id !== undefined) {
            this.serverRequests.push(body);
            this.send({ id: body.id, result: this.answer(body) });
          } else this.notifications.push(body);
          for (const w of this.waiters.splice(0)) w();
        }
      }
    });
  }

  private frame(m: object): string {
    const json = JSON.stringify({ jsonrpc: '2.0', ...m });
    return `Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`;
  }

  private send(m: object): void {
    this.proc.stdin.write(this.frame(m));
  }

  request(method: string, params: unknown): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ id, method, params });
    });
  }

  /** A request and its `$/cancelRequest` in one write: the server reads the cancellation before it handles the request. */
  requestCancelled(method: string, params: unknown): Promise<Message> {
    const id = this.nextId++;
    return new Promise<Message>((resolve) => {
      this.pending.set(id, resolve);
      this.proc.stdin.write(this.frame({ id, method, params }) + this.frame({ method: '$/cancelRequest', params: { id } }));
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The first notification (or server request) matching `pred`, waiting for it if needed. */
  async waitFor(pred: (m: Message) => boolean, from: Message[] = this.notifications): Promise<Message> {
    for (;;) {
      const hit = from.find(pred);
      if (hit) return hit;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

const SOURCE = `import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, 3, activation="relu"),
    layers.MaxPooling2D(2),
    layers.Flatten(),
    layers.Dense(10),
], name="convnet")
`;

test('the language server over stdio: diagnostics, hover and inlay hints follow the document and its edits', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-lsp-'));
  const file = path.join(dir, 'net.py');
  fs.writeFileSync(file, SOURCE);
  const uri = pathToFileURL(file).toString();
  const proc = spawn(process.execPath, [cli, 'lsp', '--stdio'], { cwd: dir });
  const client = new Client(proc);
  try {
    const init = await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: {} });
    const caps = (init.result as { capabilities: Record<string, unknown> }).capabilities;
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.inlayHintProvider, true);
    client.notify('initialized', {});
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });

    // A valid model: diagnostics are published, and none is an error.
    const first = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { version?: number }).version === 1);
    assert.deepEqual((first.params as { diagnostics: { severity: number }[] }).diagnostics.filter((d) => d.severity === 1), []);

    // Hover on the Conv2D line: (None, 28, 28, 1) → (None, 26, 26, 32), 3·3·1·32 + 32 = 320.
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 12 } });
    const value = (hover.result as { contents: { kind: string; value: string } }).contents.value;
    assert.match(value, /\*\*conv2d\*\* \(Conv2D\) · model `convnet`/);
    assert.match(value, /\(None, 28, 28, 1\) → \(None, 26, 26, 32\)/);
    assert.match(value, /Params: .*320/);
    // Its cost: 26·26 positions · 9 · 1 · 32 = 194,688 MACs; 26·26·32·4 B = 84.5 KB; a 3×3 window.
    assert.match(value, /MACs 195 k · out 84\.5 KB · RF 3×3, stride 1/);

    // Inlay hints for the layer lines: 13·13·32 = 5,408 → Dense 54,090.
    const hints = await client.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } } });
    const labels = (hints.result as { position: { line: number }; label: string }[]).map((h) => [h.position.line, h.label.trim()]);
    assert.deepEqual(labels, [
      [5, '→ (None, 26, 26, 32) · 320 params'],
      [6, '→ (None, 13, 13, 32) · 0 params'],
      [7, '→ (None, 5408) · 0 params'],
      [8, '→ (None, 10) · 54,090 params'],
    ]);

    // An edit by range: kernel 3 → 30 on a 28×28 map is Keras' negative-dimension error, on that line.
    const line5 = '    layers.Conv2D(32, 3, activation="relu"),';
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 5, character: line5.indexOf('3,') }, end: { line: 5, character: line5.indexOf('3,') + 1 } }, text: '30' }],
    });
    const second = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { version?: number }).version === 2);
    const errors = (second.params as { diagnostics: { severity: number; code: string; source: string; range: { start: { line: number } } }[] }).diagnostics.filter((d) => d.severity === 1);
    assert.deepEqual(errors.map((d) => [d.code, d.range.start.line]), [['negative-dimension', 5]]);

    // Its quick fix: padding='same' appended to the Conv2D's arguments (28 + 0 padding ≥ kernel 30 fails; 'same' keeps 28).
    const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: errors[0].range, context: { diagnostics: errors } });
    const [action] = actions.result as { title: string; kind: string; isPreferred: boolean; edit: { changes: Record<string, { range: { start: { line: number; character: number } }; newText: string }[]> } }[];
    assert.equal(action.kind, 'quickfix');
    assert.match(action.title, /padding='same'/);
    const edited = '    layers.Conv2D(32, 30, activation="relu"),';
    assert.deepEqual(action.edit.changes[uri], [{ range: { start: { line: 5, character: edited.indexOf(')') }, end: { line: 5, character: edited.indexOf(')') } }, newText: ", padding='same'" }]);
    // A diagnostic the server did not publish (another source, or no fix) gets no action.
    const none = await client.request('textDocument/codeAction', { textDocument: { uri }, range: errors[0].range, context: { diagnostics: [{ ...errors[0], source: 'pylance' }] } });
    assert.deepEqual(none.result, []);

    // Two changes in one burst (typing): diagnostics follow the last version only. Back to kernel 3:
    // no error any more.
    const at = line5.indexOf('3,');
    client.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ range: { start: { line: 5, character: at }, end: { line: 5, character: at + 2 } }, text: '3' }] });
    client.notify('textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [{ range: { start: { line: 9, character: 0 }, end: { line: 9, character: 0 } }, text: '' }] });
    const fourth = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { version?: number }).version === 4);
    assert.deepEqual((fourth.params as { diagnostics: { severity: number }[] }).diagnostics.filter((d) => d.severity === 1), []);
    assert.ok(!client.notifications.some((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { version?: number }).version === 3));

    const shutdown = await client.request('shutdown', null);
    assert.equal(shutdown.error, undefined);
    client.notify('exit', null);
    const code = await new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
    assert.equal(code, 0);
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Starts the server in `dir` and initializes it with `capabilities`; `answer` replies to its requests. */
async function start(dir: string, capabilities: object, answer?: (m: Message) => unknown, initializationOptions?: object): Promise<{ client: Client; proc: ChildProcessWithoutNullStreams; init: Message }> {
  const proc = spawn(process.execPath, [cli, 'lsp', '--stdio'], { cwd: dir });
  const client = new Client(proc, answer);
  const init = await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities, initializationOptions });
  client.notify('initialized', {});
  return { client, proc, init };
}

async function stop(client: Client, proc: ChildProcessWithoutNullStreams): Promise<void> {
  await client.request('shutdown', null);
  client.notify('exit', null);
  await new Promise<void>((r) => proc.on('exit', () => r()));
}

const lines = SOURCE.split('\n');

test('the language server: code lenses, quick-fix-free documents, the custom requests (models, model at, pooling target, lab target, server info)', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-lsp-'));
  const file = path.join(dir, 'net.py');
  fs.writeFileSync(file, SOURCE);
  const uri = pathToFileURL(file).toString();
  const { client, proc, init } = await start(dir, {}, undefined, { commandLinks: true });
  try {
    const caps = (init.result as { capabilities: Record<string, unknown> }).capabilities;
    assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix'] });
    assert.ok(caps.notebookDocumentSync);
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });

    // Two lenses: "Open in model lab" on the model's line (3), and above the MaxPooling2D (line 6):
    // 26×26×32 → 13×13×32, opening the preview on it.
    const lenses = (await client.request('textDocument/codeLens', { textDocument: { uri } })).result as { range: { start: { line: number; character: number } }; command: { title: string; command: string; arguments: unknown[] } }[];
    assert.equal(lenses.length, 2);
    assert.equal(lenses[0].range.start.line, 3);
    assert.equal(lenses[0].command.title, '$(beaker) Open in model lab');
    assert.equal(lenses[0].command.command, 'shapeLens.openModelLab');
    assert.deepEqual(lenses[0].command.arguments, [{ uri, model: 'convnet', line: 3, character: lines[3].indexOf('keras') }]);
    assert.equal(lenses[1].range.start.line, 6);
    assert.equal(lenses[1].command.title, '$(eye) Preview pooling: 26×26×32 → 13×13×32');
    assert.equal(lenses[1].command.command, 'shapeLens.showPoolingPreview');
    assert.deepEqual(lenses[1].command.arguments, [{ uri, line: 6, character: lines[6].indexOf('layers') }]);

    // The pooling layer's hover links to the preview (the client said it runs command links).
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 12 } });
    assert.match((hover.result as { contents: { value: string } }).contents.value, /\[\$\(eye\) Preview pooling\]\(command:shapeLens\.showPoolingPreview\?/);

    // The model tree: conv 3·3·1·32 + 32 = 320, dense 5,408·10 + 10 = 54,090; total 54,410 (× 4 bytes = 212.54 KB).
    const models = (await client.request('shapeLens/models', { uri })).result as { uri: string; models: { name: string; description: string; rows: { label: string; description: string; place?: { uri: string; range: { start: { line: number } } } }[]; totals: { label: string; value: string }[]; summaryText: string; paramsText: string }[] };
    assert.equal(models.uri, uri);
    assert.equal(models.models.length, 1);
    const m = models.models[0];
    assert.equal(m.name, 'convnet');
    assert.equal(m.description, 'Sequential · 54,410 params');
    assert.deepEqual(m.rows.map((r) => [r.label, r.description, r.place?.range.start.line]), [
      ['conv2d (Conv2D)', '(None, 26, 26, 32) · 320', 5],
      ['max_pooling2d (MaxPooling2D)', '(None, 13, 13, 32) · 0', 6],
      ['flatten (Flatten)', '(None, 5408) · 0', 7],
      ['dense (Dense)', '(None, 10) · 54,090', 8],
    ]);
    assert.equal(m.rows[0].place?.uri, uri);
    assert.deepEqual(m.totals[0], { label: 'Total params', value: '54,410 (212.54 KB)' });
    // Cost totals: conv 26²·9·32 = 194,688 + dense 5,408·10 = 54,080 MACs; FLOPs 2·194,688 + 21,632
    // bias + pool 13²·32·4 = 21,632 + dense 2·54,080 + 10; bytes 3,136 + 86,528 + 2·21,632 + 40
    // (130 KB), peak conv + pool 108,160 (106 KB).
    assert.deepEqual(m.totals.slice(3), [
      { label: 'MACs', value: '248,768 (249 k)' },
      { label: 'FLOPs', value: '540,810 (541 k)' },
      { label: 'Activations', value: '130 KB (peak 106 KB)' },
    ]);
    assert.match(m.summaryText, /Model: "convnet"/);
    assert.match(m.summaryText, /Total params: 54,410 \(212\.54 KB\)/);
    assert.equal(m.paramsText, '54,410 params');

    // The status bar: the model at the cursor (a layer line), none on the import line.
    const at = await client.request('shapeLens/modelAt', { uri, position: { line: 8, character: 5 } });
    assert.deepEqual(at.result, { name: 'convnet', text: '$(layers) 54,410 params', tooltip: 'convnet: 54,410 params (54,410 trainable) — Shape Lens' });
    assert.equal((await client.request('shapeLens/modelAt', { uri, position: { line: 0, character: 0 } })).result, null);

    // The pooling preview on the MaxPooling2D: a 26×26×32 feature map, 2×2 windows, line 7 (1-based).
    const pool = (await client.request('shapeLens/poolingTarget', { uri, position: { line: 6, character: 10 } })).result as { title: string; target: { document: string; layer: { name: string; line: number; settings: unknown }; featureMap: unknown; model: { name: string; paramsWith: number } } };
    assert.equal(pool.title, 'Pooling: max_pooling2d (line 7)');
    assert.equal(pool.target.document, uri);
    assert.equal(pool.target.layer.name, 'max_pooling2d');
    assert.equal(pool.target.layer.line, 7);
    assert.deepEqual(pool.target.layer.settings, { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' });
    assert.deepEqual(pool.target.featureMap, { height: 26, width: 26, channels: 32 });
    assert.equal(pool.target.model.paramsWith, 54410);
    // With the model's JSON (it exports whole): the preview's "Use the model's pooling layers" runs the real path.
    const poolModel = pool.target.model as unknown as { json: { class_name: string }; input: unknown };
    assert.equal(poolModel.json.class_name, 'Sequential');
    assert.deepEqual(poolModel.input, { height: 28, width: 28, channels: 1 });
    // An open preview following edits asks by name: the same layer wherever it now is; gone: null.
    const byName = (await client.request('shapeLens/poolingTarget', { uri, position: { line: 0, character: 0 }, model: 'convnet', layer: 'max_pooling2d' })).result as typeof pool;
    assert.equal(byName.target.layer.line, 7);
    assert.deepEqual(byName.target.featureMap, { height: 26, width: 26, channels: 32 });
    assert.equal((await client.request('shapeLens/poolingTarget', { uri, position: { line: 0, character: 0 }, model: 'convnet', layer: 'dense' })).result, null);
    assert.equal((await client.request('shapeLens/poolingTarget', { uri, position: { line: 0, character: 0 }, model: 'gone' })).result, null);
    // Not on a pooling layer: the model's preview, no layer.
    const onDense = (await client.request('shapeLens/poolingTarget', { uri, position: { line: 8, character: 10 } })).result as { title: string; target: { layer: unknown; model: { name: string } } };
    assert.equal(onDense.title, 'Pooling Preview');
    assert.equal(onDense.target.layer, null);
    assert.equal(onDense.target.model.name, 'convnet');

    // The model lab: by name (the tree, the palette) or at a position (a layer line).
    type Lab = { title: string; target: { key: string; document: string; name: string; layers: { name: string; outputShape: string; params: number; line: number; pooling?: { name: string } }[]; json: { class_name: string }; skipped: unknown[]; input: unknown } };
    const lab = (await client.request('shapeLens/labTarget', { uri, model: 'convnet' })).result as Lab;
    assert.equal(lab.title, 'Model lab: convnet');
    assert.equal(lab.target.key, `${uri}#model:convnet`);
    assert.equal(lab.target.document, uri);
    assert.deepEqual(lab.target.layers.map((l) => [l.name, l.outputShape, l.params, l.line, l.pooling?.name]), [
      ['conv2d', '(None, 26, 26, 32)', 320, 6, undefined],
      ['max_pooling2d', '(None, 13, 13, 32)', 0, 7, 'max_pooling2d'],
      ['flatten', '(None, 5408)', 0, 8, undefined],
      ['dense', '(None, 10)', 54090, 9, undefined],
    ]);
    assert.equal(lab.target.json.class_name, 'Sequential');
    assert.deepEqual(lab.target.skipped, []);
    assert.deepEqual(lab.target.input, { height: 28, width: 28, channels: 1 });
    const labAt = (await client.request('shapeLens/labTarget', { uri, position: { line: 8, character: 6 } })).result as Lab;
    assert.equal(labAt.target.name, 'convnet');
    assert.equal((await client.request('shapeLens/labTarget', { uri, model: 'nope' })).result, null);
    assert.equal((await client.request('shapeLens/labTarget', { uri, position: { line: 0, character: 0 } })).result, null);

    // Documents the server does not have: null, never an error.
    const other = await client.request('shapeLens/models', { uri: pathToFileURL(path.join(dir, 'closed.py')).toString() });
    assert.equal(other.error, undefined);
    assert.equal(other.result, null);
    assert.equal((await client.request('textDocument/hover', { textDocument: { uri: 'untitled:nothing' }, position: { line: 0, character: 0 } })).result, null);
    // Bad positions (past the end, negative) are no error either.
    const far = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 9999, character: 9999 } });
    assert.equal(far.error, undefined);

    const info = await client.request('shapeLens/serverInfo', null);
    assert.deepEqual(info.result, { pid: proc.pid });
    await stop(client, proc);
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the language server: settings from workspace/configuration, re-read on didChangeConfiguration', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-lsp-'));
  const file = path.join(dir, 'net.py');
  fs.writeFileSync(file, SOURCE);
  const uri = pathToFileURL(file).toString();
  let section: object = { inlayHints: { mode: 'shapeOnly' }, codeLens: { poolingPreview: false, modelLab: false } };
  const { client, proc } = await start(dir, { workspace: { configuration: true, inlayHint: { refreshSupport: true } } }, (m) => (m.method === 'workspace/configuration' ? [section] : null));
  try {
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: SOURCE } });
    const range = { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } };
    const labels = async () => ((await client.request('textDocument/inlayHint', { textDocument: { uri }, range })).result as { label: string }[]).map((h) => h.label);
    assert.deepEqual(await labels(), ['→ (None, 26, 26, 32)', '→ (None, 13, 13, 32)', '→ (None, 5408)', '→ (None, 10)']);
    assert.deepEqual((await client.request('textDocument/codeLens', { textDocument: { uri } })).result, []);
    // Keras 2 asked for by the setting: the model hover says so.
    section = { inlayHints: { mode: 'off' }, kerasVersion: '2', codeLens: { poolingPreview: false } };
    client.notify('workspace/didChangeConfiguration', { settings: null });
    await client.waitFor((m) => m.method === 'workspace/inlayHint/refresh', client.serverRequests);
    assert.deepEqual(await labels(), []);
    // The MACs mode: conv 194,688, pool and flatten 0, dense 5,408·10 = 54,080.
    section = { inlayHints: { mode: 'shapeParamsAndMacs' }, kerasVersion: '2', codeLens: { poolingPreview: false }, copySummary: { columns: ['macs', 'rf'] } };
    client.notify('workspace/didChangeConfiguration', { settings: null });
    await client.waitFor((m) => m.method === 'workspace/inlayHint/refresh' && client.serverRequests.filter((r) => r.method === 'workspace/inlayHint/refresh').length >= 2, client.serverRequests);
    assert.deepEqual(await labels(), ['→ (None, 26, 26, 32) · 320 params · 195 k MACs', '→ (None, 13, 13, 32) · 0 params · 0 MACs', '→ (None, 5408) · 0 params · 0 MACs', '→ (None, 10) · 54,090 params · 54.1 k MACs']);
    // Copy Summary with the chosen columns.
    const copied = ((await client.request('shapeLens/models', { uri })).result as { models: { summaryText: string }[] }).models[0].summaryText;
    assert.match(copied, /conv2d \(Conv2D\)\s+\(None, 26, 26, 32\)\s+194,688\s+3×3 \/1×1/);
    assert.match(copied, /Total: MACs 248,768 \(per sample\)/);
    // The model lab's lens alone (its setting back to its default).
    assert.deepEqual(((await client.request('textDocument/codeLens', { textDocument: { uri } })).result as { command: { command: string } }[]).map((l) => l.command.command), ['shapeLens.openModelLab']);
    const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 2 } });
    assert.match((hover.result as { contents: { value: string } }).contents.value, /Keras 2 \(setting shapeLens\.kerasVersion\)/);
    await stop(client, proc);
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the language server: a notebook is one program across its code cells, results mapped to each cell, cells named', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-lsp-'));
  const nbUri = pathToFileURL(path.join(dir, 'book.ipynb')).toString();
  const cell = (i: number) => `vscode-notebook-cell:${path.join(dir, 'book.ipynb')}#cell${i}`;
  const cells = [
    { kind: 1, languageId: 'markdown', text: '# A convnet' },
    { kind: 2, languageId: 'python', text: '!pip install keras\nimport keras\nfrom keras import layers\nmodel = keras.Sequential(name="nb")\nmodel.add(keras.Input(shape=(28, 28, 1)))\nmodel.add(layers.Conv2D(32, 3))\n' },
    { kind: 2, languageId: 'python', text: 'model.add(layers.MaxPooling2D(2))\nmodel.add(layers.Flatten())\nmodel.add(layers.Dense(10))\nmodel.add(layers.Conv2D(8, 3))\n' },
  ];
  const { client, proc } = await start(dir, {});
  try {
    client.notify('notebookDocument/didOpen', {
      notebookDocument: { uri: nbUri, notebookType: 'jupyter-notebook', version: 1, cells: cells.map((c, i) => ({ kind: c.kind, document: cell(i) })) },
      cellTextDocuments: cells.map((c, i) => ({ uri: cell(i), languageId: c.languageId, version: 1, text: c.text })),
    });
    // Hints in each cell at its own lines: conv 3·3·1·32 + 32 = 320 in the second cell; pool 13, flatten 5,408, dense 54,090 in the third.
    const range = { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } };
    const hintsOf = async (i: number) => ((await client.request('textDocument/inlayHint', { textDocument: { uri: cell(i) }, range })).result as { position: { line: number }; label: string }[]).map((h) => [h.position.line, h.label]);
    assert.deepEqual(await hintsOf(1), [[5, '→ (None, 26, 26, 32) · 320 params']]);
    assert.deepEqual((await hintsOf(2)).slice(0, 3), [
      [0, '→ (None, 13, 13, 32) · 0 params'],
      [1, '→ (None, 5408) · 0 params'],
      [2, '→ (None, 10) · 54,090 params'],
    ]);
    assert.deepEqual(await hintsOf(0), []);
    // A hover names the cell, counted among all cells from 1 (the markdown cell is cell 1).
    const hover = await client.request('textDocument/hover', { textDocument: { uri: cell(2) }, position: { line: 0, character: 14 } });
    assert.match((hover.result as { contents: { value: string } }).contents.value, /\*\*max_pooling2d\*\* \(MaxPooling2D\) · model `nb` · cell 3/);
    // A Conv2D on the flat (None, 10) is Keras' error (it wants rank 4), published to the third cell, at its line 3.
    const diag = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === cell(2));
    const errors = (diag.params as { diagnostics: { severity: number; range: { start: { line: number } } }[] }).diagnostics.filter((d) => d.severity === 1);
    assert.deepEqual(errors.map((d) => d.range.start.line), [3]);
    await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === cell(1));
    // The tree asked by the notebook's URI or a cell's: one model, rows placed in their cells.
    for (const asked of [nbUri, cell(1)]) {
      const models = (await client.request('shapeLens/models', { uri: asked })).result as { uri: string; models: { name: string; rows: { place?: { uri: string; cell?: number; range: { start: { line: number } } } }[] }[] };
      assert.equal(models.uri, nbUri);
      assert.deepEqual(models.models.map((x) => x.name), ['nb']);
      assert.deepEqual(models.models[0].rows.slice(0, 4).map((r) => [r.place?.uri, r.place?.cell, r.place?.range.start.line]), [
        [cell(1), 2, 5],
        [cell(2), 3, 0],
        [cell(2), 3, 1],
        [cell(2), 3, 2],
      ]);
    }
    // The status bar in a cell with no model line at the cursor: the cell's model.
    assert.equal(((await client.request('shapeLens/modelAt', { uri: cell(2), position: { line: 9, character: 0 } })).result as { name: string }).name, 'nb');
    // The pooling preview names the cell.
    assert.equal(((await client.request('shapeLens/poolingTarget', { uri: cell(2), position: { line: 0, character: 14 } })).result as { title: string }).title, 'Pooling: max_pooling2d (cell 3, line 1)');
    // An edit in a cell: Dense(10) → Dense(20), 5,408·20 + 20 = 108,180.
    client.notify('notebookDocument/didChange', {
      notebookDocument: { uri: nbUri, version: 2 },
      change: { cells: { textContent: [{ document: { uri: cell(2), version: 2 }, changes: [{ range: { start: { line: 2, character: 23 }, end: { line: 2, character: 25 } }, text: '20' }] }] } },
    });
    assert.deepEqual((await hintsOf(2))[2], [2, '→ (None, 20) · 108,180 params']);
    await stop(client, proc);
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the language server: editing an imported file re-analyses its importer (new hints, refresh asked); a request cancelled before it is handled analyses nothing', { timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-lsp-'));
  const config = path.join(dir, 'config.py');
  const model = path.join(dir, 'model.py');
  fs.writeFileSync(config, 'WIDTH = 8\n');
  const modelText = 'import keras\nfrom keras import layers\nfrom config import WIDTH\n\nmodel = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(WIDTH)], name="m")\n';
  fs.writeFileSync(model, modelText);
  const [configUri, modelUri] = [config, model].map((f) => pathToFileURL(f).toString());
  const { client, proc } = await start(dir, { workspace: { inlayHint: { refreshSupport: true } } });
  try {
    client.notify('textDocument/didOpen', { textDocument: { uri: modelUri, languageId: 'python', version: 1, text: modelText } });
    client.notify('textDocument/didOpen', { textDocument: { uri: configUri, languageId: 'python', version: 1, text: 'WIDTH = 8\n' } });
    const range = { start: { line: 0, character: 0 }, end: { line: 6, character: 0 } };
    const labels = async () => ((await client.request('textDocument/inlayHint', { textDocument: { uri: modelUri }, range })).result as { label: string }[]).map((h) => h.label);
    // Dense(8) on 4 inputs: 4·8 + 8 = 40.
    assert.deepEqual(await labels(), ['→ (None, 8) · 40 params']);
    const refreshes = client.serverRequests.length;
    // The unsaved edit in the other document counts: Dense(16), 4·16 + 16 = 80.
    client.notify('textDocument/didChange', { textDocument: { uri: configUri, version: 2 }, contentChanges: [{ range: { start: { line: 0, character: 8 }, end: { line: 0, character: 9 } }, text: '16' }] });
    await client.waitFor((m) => m.method === 'workspace/inlayHint/refresh' && client.serverRequests.indexOf(m) >= refreshes, client.serverRequests);
    assert.deepEqual(await labels(), ['→ (None, 16) · 80 params']);
    // A request cancelled before the server handles it analyses nothing (the hover on the Dense would be
    // a layer's), and the server goes on.
    const position = { line: 4, character: 60 };
    const cancelled = await client.requestCancelled('textDocument/hover', { textDocument: { uri: modelUri }, position });
    assert.deepEqual([cancelled.result, cancelled.error], [null, undefined]);
    const answered = await client.request('textDocument/hover', { textDocument: { uri: modelUri }, position });
    assert.match((answered.result as { contents: { value: string } }).contents.value, /\*\*dense\*\* \(Dense\)/);
    assert.deepEqual(await labels(), ['→ (None, 16) · 80 params']);
    await stop(client, proc);
  } finally {
    proc.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
