// Neovim's built-in LSP client (Debian's `neovim`, which .ci/run installs; without it this test
// fails, it does not skip) with the README's set-up (src/server/clients/nvim.lua), headless: it
// opens a Keras file and reads the hover the Shape Lens server sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './helpers/paths';

const root = repoRoot();

test('Neovim (headless) with the README set-up receives the hover of a Conv2D', { timeout: 90_000 }, () => {
  const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  assert.equal(nvim.status, 0, 'nvim is not installed (Debian package neovim; .ci/run installs it)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-lens-nvim-'));
  try {
    const file = path.join(dir, 'net.py');
    fs.writeFileSync(file, 'import keras\nfrom keras import layers\n\ninputs = keras.Input(shape=(28, 28, 1))\nx = layers.Conv2D(32, 3)(inputs)\nmodel = keras.Model(inputs, x, name="tiny")\n');
    const out = path.join(dir, 'hover.md');
    const r = spawnSync('nvim', ['--headless', '-u', 'NONE', '-i', 'NONE', '-c', 'filetype on', '-c', `luafile ${path.join(root, 'src/server/clients/nvim.lua')}`, '-c', `luafile ${path.join(root, 'test/lsp/nvim-hover.lua')}`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 80_000,
      env: { ...process.env, SHAPE_LENS_CLI: path.join(root, 'dist/cli.js'), SHAPE_LENS_FILE: file, SHAPE_LENS_OUT: out, SHAPE_LENS_LINE: '4', SHAPE_LENS_COL: '8', HOME: dir, XDG_STATE_HOME: dir, XDG_DATA_HOME: dir },
    });
    assert.ok(fs.existsSync(out), `nvim wrote nothing (status ${r.status}): ${r.stderr}`);
    const hover = fs.readFileSync(out, 'utf8');
    // 3·3·1·32 + 32 = 320; (None, 28, 28, 1) → (None, 26, 26, 32).
    assert.match(hover, /\*\*conv2d\*\* \(Conv2D\) · model `tiny`/);
    assert.match(hover, /\(None, 28, 28, 1\) → \(None, 26, 26, 32\)/);
    assert.match(hover, /320/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
