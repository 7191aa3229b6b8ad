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
  private waiters: (() => void)[] = [];

  constructor(private readonly proc: ChildProcessWithoutNullStreams) {
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
          if (body.id !== undefined) this.send({ id: body.id, result: null }); // server-to-client requests (registrations)
          else this.notifications.push(body);
          for (const w of this.waiters.splice(0)) w();
        }
      }
    });
  }

  private send(m: object): void {
    const json = JSON.stringify({ jsonrpc: '2.0', ...m });
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`);
  }

  request(method: string, params: unknown): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  /** The first notification matching `pred`, waiting for it if needed. */
  async waitFor(pred: (m: Message) => boolean): Promise<Message> {
    for (;;) {
      const hit = this.notifications.find(pred);
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

    // Inlay hints for the layer lines: 13·13·32 = 5,408 → Dense 54,090.
    const hints = await client.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } } });
    const labels = (hints.result as { position: { line: number }; label: string }[]).map((h) => [h.position.line, h.label.trim()]);
    assert.deepEqual(labels, [
      [5, '(None, 26, 26, 32) · 320 params'],
      [6, '(None, 13, 13, 32) · 0 params'],
      [7, '(None, 5408) · 0 params'],
      [8, '(None, 10) · 54,090 params'],
    ]);

    // An edit by range: kernel 3 → 30 on a 28×28 map is Keras' negative-dimension error, on that line.
    const line5 = '    layers.Conv2D(32, 3, activation="relu"),';
    client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 5, character: line5.indexOf('3,') }, end: { line: 5, character: line5.indexOf('3,') + 1 } }, text: '30' }],
    });
    const second = await client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { version?: number }).version === 2);
    const errors = (second.params as { diagnostics: { severity: number; code: string; range: { start: { line: number } } }[] }).diagnostics.filter((d) => d.severity === 1);
    assert.deepEqual(errors.map((d) => [d.code, d.range.start.line]), [['negative-dimension', 5]]);

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
