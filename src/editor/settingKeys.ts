// Every Shape Lens setting's key and default, declared once and checked against package.json
// `contributes.configuration` by a unit test, and the one typed reader of their values. No vscode
// here: the language server reads the settings (workspace/configuration); tested in plain node.

import { parseKerasVersion, type KerasVersion } from '../core/keras-version';

/** The configuration section all settings sit under. */
export const SETTINGS_SECTION = 'shapeLens';

/** Inlay hint modes, in package.json's `enum` order. */
export const INLAY_HINT_MODES = ['shapeAndParams', 'shapeOnly', 'off'] as const;
export type InlayHintMode = (typeof INLAY_HINT_MODES)[number];

/** `shapeLens.kerasVersion` values, in package.json's `enum` order: auto = the project's pins, else 3. */
export const KERAS_VERSION_SETTINGS = ['auto', '2', '3'] as const;
export type KerasVersionSetting = (typeof KERAS_VERSION_SETTINGS)[number];

/** Each setting's key (relative to the section) and default, plus its bounds where package.json declares them. */
export const SETTING = {
  inlayHintsMode: { key: 'inlayHints.mode', default: 'shapeAndParams' as InlayHintMode },
  diagnosticsEnabled: { key: 'diagnostics.enabled', default: true },
  analysisDelay: { key: 'analysisDelay', default: 200, minimum: 0, maximum: 5000 },
  poolingCodeLens: { key: 'codeLens.poolingPreview', default: true },
  kerasVersion: { key: 'kerasVersion', default: 'auto' as KerasVersionSetting },
} as const;

export type SettingName = keyof typeof SETTING;

/** The full id (`shapeLens.inlayHints.mode`), as package.json and `affectsConfiguration` spell it. */
export function settingId(name: SettingName): string {
  return `${SETTINGS_SECTION}.${SETTING[name].key}`;
}

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

/**
 * The settings from the `shapeLens` section as a client sends it (nested objects, `{ inlayHints: { mode } }`,
 * or dotted keys); anything missing or of the wrong type is the default.
 */
export function readSettings(section: unknown): Settings {
  const get = (key: string): unknown => {
    if (typeof section !== 'object' || section === null) return undefined;
    const flat = (section as Record<string, unknown>)[key];
    if (flat !== undefined) return flat;
    let v: unknown = section;
    for (const part of key.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
    return v;
  };
  const { inlayHintsMode, diagnosticsEnabled, analysisDelay, poolingCodeLens, kerasVersion } = SETTING;
  const mode = get(inlayHintsMode.key);
  const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
  const delay = get(analysisDelay.key);
  return {
    inlayHints: (INLAY_HINT_MODES as readonly unknown[]).includes(mode) ? (mode as InlayHintMode) : inlayHintsMode.default,
    diagnostics: bool(get(diagnosticsEnabled.key), diagnosticsEnabled.default),
    analysisDelay: typeof delay === 'number' && Number.isFinite(delay) ? Math.max(analysisDelay.minimum, Math.min(analysisDelay.maximum, delay)) : analysisDelay.default,
    poolingCodeLens: bool(get(poolingCodeLens.key), poolingCodeLens.default),
    kerasVersion: parseKerasVersion(get(kerasVersion.key)),
  };
}
