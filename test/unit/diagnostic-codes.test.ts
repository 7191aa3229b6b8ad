// The diagnostic-code table in core/diagnostics.ts: unique kebab-case identifiers, each described
// in CODE_DOCS (the text for an "explain this diagnostic" hover) and each reported somewhere in src.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_DOCS, DiagnosticCode } from '../../src/core/diagnostics';
import { repoRoot } from './helpers/paths';

const codes = Object.values(DiagnosticCode);

test('diagnostic codes are unique kebab-case identifiers', () => {
  assert.ok(codes.length > 0);
  assert.equal(new Set(codes).size, codes.length, 'two names for one code');
  for (const c of codes) assert.match(c, /^[a-z]+(-[a-z]+)*$/, c);
});

test('every diagnostic code has a description, and every description a code', () => {
  for (const c of codes) {
    const doc = CODE_DOCS[c];
    assert.equal(typeof doc, 'string', `${c}: no description`);
    assert.ok(doc.trim().length >= 20, `${c}: description too short`);
    assert.match(doc, /[.)]$/, `${c}: description should be a sentence`);
  }
  assert.deepEqual(Object.keys(CODE_DOCS).sort(), [...codes].sort());
});

test('every diagnostic code is reported somewhere in src', () => {
  const src = path.join(repoRoot(), 'src');
  const table = path.join(src, 'core', 'diagnostics.ts');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && p !== table) files.push(p);
    }
  };
  walk(src);
  const text = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  for (const [name, code] of Object.entries(DiagnosticCode)) {
    assert.ok(new RegExp(`\\bDiagnosticCode\\.${name}\\b`).test(text), `${code} (DiagnosticCode.${name}) is never reported`);
  }
});
