// The front-end registry: file extensions and VS Code language ids pick the right front end, and
// looking one up loads nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frontEndForFile, frontEndForLanguage, frontEnds, loadFrontEnd } from '../../src/frontends/registry';

test('file extensions pick the front end (case-insensitive); unknown ones none', () => {
  assert.equal(frontEndForFile('model.py')?.id, 'python');
  assert.equal(frontEndForFile('book.IPYNB')?.id, 'python');
  for (const f of ['a.js', 'a.mjs', 'a.cjs', 'a.jsx', 'a.ts', 'a.mts', 'a.cts', 'a.tsx']) assert.equal(frontEndForFile(f)?.id, 'tfjs', f);
  assert.equal(frontEndForFile('notes.txt'), undefined);
  assert.equal(frontEndForFile('Makefile'), undefined);
});

test('VS Code language ids pick the front end', () => {
  assert.equal(frontEndForLanguage('python')?.id, 'python');
  for (const l of ['javascript', 'typescript', 'javascriptreact', 'typescriptreact']) assert.equal(frontEndForLanguage(l)?.id, 'tfjs', l);
  assert.equal(frontEndForLanguage('markdown'), undefined);
});

test('every front end loads, declares what its entry says, and analyses', async () => {
  const ids = new Set<string>();
  for (const info of frontEnds) {
    assert.ok(!ids.has(info.id), `duplicate id ${info.id}`);
    ids.add(info.id);
    const fe = loadFrontEnd(info);
    assert.equal(fe.id, info.id);
    assert.deepEqual(fe.fileExtensions, info.fileExtensions);
    await fe.init?.();
    const a = fe.analyse('', `empty${info.fileExtensions[0]}`);
    assert.equal(a.models.length, 0);
    assert.equal(a.language, info.languageOf(`empty${info.fileExtensions[0]}`));
  }
  assert.equal(frontEndForFile('x.ts')?.languageOf('x.ts'), 'typescript');
  assert.equal(frontEndForFile('x.jsx')?.languageOf('x.jsx'), 'javascript');
});
