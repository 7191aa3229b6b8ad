// The settings declared in src/editor/settingKeys.ts (read by settings.ts) match package.json
// `contributes.configuration`: the same keys, defaults, bounds and inlay-hint modes, both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INLAY_HINT_MODES, KERAS_VERSION_SETTINGS, SETTING, SETTINGS_SECTION, SUMMARY_COLUMNS, settingId, type SettingName } from '../../src/editor/settingKeys';
import { readSettings } from '../../src/server/settings';
import { repoRoot } from './helpers/paths';

interface Declared {
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
}
const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Declared> } };
};
const declared = pkg.contributes.configuration.properties;
const names = Object.keys(SETTING) as SettingName[];

test('every setting in settingKeys.ts is in package.json with the same default and bounds', () => {
  for (const name of names) {
    const id = settingId(name);
    const d = declared[id];
    assert.ok(d, `${id} is not declared in package.json`);
    const s: { default: unknown; minimum?: number; maximum?: number } = SETTING[name];
    assert.deepEqual(d.default, s.default, `${id}: default`);
    assert.equal(d.minimum, s.minimum, `${id}: minimum`);
    assert.equal(d.maximum, s.maximum, `${id}: maximum`);
  }
  assert.deepEqual(declared[settingId('inlayHintsMode')].enum, [...INLAY_HINT_MODES]);
  assert.deepEqual(declared[settingId('kerasVersion')].enum, [...KERAS_VERSION_SETTINGS]);
});

test('every Shape Lens setting in package.json is in settingKeys.ts', () => {
  const ids = new Set(names.map(settingId));
  for (const id of Object.keys(declared)) {
    assert.ok(id.startsWith(`${SETTINGS_SECTION}.`), `${id}: outside the ${SETTINGS_SECTION} section`);
    assert.ok(ids.has(id), `${id} is in package.json but not in settingKeys.ts`);
  }
  assert.equal(ids.size, names.length, 'two names for one key');
});

test("the server's settings reader: a client's nested section or dotted keys; wrong types and out-of-range values give the defaults or the bounds", () => {
  assert.deepEqual(readSettings(undefined), { inlayHints: 'shapeAndParams', diagnostics: true, analysisDelay: 200, poolingCodeLens: true, labCodeLens: true, kerasVersion: undefined, copySummaryColumns: [] });
  assert.deepEqual(readSettings({ inlayHints: { mode: 'shapeOnly' }, diagnostics: { enabled: false }, analysisDelay: 50, codeLens: { poolingPreview: false, modelLab: false }, kerasVersion: '2', copySummary: { columns: ['macs', 'rf', 'macs'] } }), {
    inlayHints: 'shapeOnly',
    diagnostics: false,
    analysisDelay: 50,
    poolingCodeLens: false,
    labCodeLens: false,
    kerasVersion: 2,
    copySummaryColumns: ['macs', 'rf'],
  });
  // A column Shape Lens does not know: the default (Keras' table), not a partial list.
  assert.deepEqual(readSettings({ 'copySummary.columns': ['macs', 'watts'] }).copySummaryColumns, []);
  assert.deepEqual(declared[settingId('copySummaryColumns')] as unknown as { items: { enum: string[] } }, { ...declared[settingId('copySummaryColumns')], items: { type: 'string', enum: [...SUMMARY_COLUMNS] } });
  assert.equal(readSettings({ 'inlayHints.mode': 'off' }).inlayHints, 'off');
  const bad = readSettings({ inlayHints: { mode: 'loud' }, diagnostics: 'no', analysisDelay: 1e12, codeLens: null, kerasVersion: 'auto' });
  assert.deepEqual(bad, { inlayHints: 'shapeAndParams', diagnostics: true, analysisDelay: 5000, poolingCodeLens: true, labCodeLens: true, kerasVersion: undefined, copySummaryColumns: [] });
  assert.equal(readSettings({ analysisDelay: -5 }).analysisDelay, 0);
  assert.equal(readSettings({ analysisDelay: Number.NaN }).analysisDelay, 200);
  assert.equal(readSettings('shapeLens').inlayHints, 'shapeAndParams');
});
