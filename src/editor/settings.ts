// The one typed reader of Shape Lens settings (documented in package.json `contributes.configuration`);
// the keys and defaults are declared in settingKeys.ts, re-exported here.

import * as vscode from 'vscode';
import { parseKerasVersion, type KerasVersion } from '../core/keras-version';
import { INLAY_HINT_MODES, SETTING, SETTINGS_SECTION, type InlayHintMode } from './settingKeys';

export { SETTING, SETTINGS_SECTION, settingId, type SettingName } from './settingKeys';

export interface Settings {
  /** What the inlay hint at the end of each layer line shows. */
  inlayHints: InlayHintMode;
  /** Report shape errors in the Problems panel. */
  diagnostics: boolean;
  /** Milliseconds after typing stops before diagnostics and the summary refresh. */
  analysisDelay: number;
  /** "Preview pooling" code lens above pooling layers. */
  poolingCodeLens: boolean;
  /** Keras 2 or 3 for every Python file (a file's `# shape-lens: keras=N` comment still wins); undefined: the project's pins, else 3. */
  kerasVersion: KerasVersion | undefined;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const { inlayHintsMode, diagnosticsEnabled, analysisDelay, poolingCodeLens, kerasVersion } = SETTING;
  const mode = c.get<string>(inlayHintsMode.key, inlayHintsMode.default);
  return {
    inlayHints: (INLAY_HINT_MODES as readonly string[]).includes(mode) ? (mode as InlayHintMode) : inlayHintsMode.default,
    diagnostics: c.get<boolean>(diagnosticsEnabled.key, diagnosticsEnabled.default),
    analysisDelay: Math.max(analysisDelay.minimum, Math.min(analysisDelay.maximum, c.get<number>(analysisDelay.key, analysisDelay.default))),
    poolingCodeLens: c.get<boolean>(poolingCodeLens.key, poolingCodeLens.default),
    kerasVersion: parseKerasVersion(c.get<unknown>(kerasVersion.key, kerasVersion.default)),
  };
}
