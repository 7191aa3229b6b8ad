// Every Shape Lens setting's key and default, declared once and checked against package.json
// `contributes.configuration` by a unit test. No vscode here: the language server reads the values
// (src/server/settings.ts); tested in plain node.

/** The configuration section all settings sit under. */
export const SETTINGS_SECTION = 'shapeLens';

/** Inlay hint modes, in package.json's `enum` order. */
export const INLAY_HINT_MODES = ['shapeAndParams', 'shapeParamsAndMacs', 'shapeOnly', 'off'] as const;
export type InlayHintMode = (typeof INLAY_HINT_MODES)[number];

/** `shapeLens.kerasVersion` values, in package.json's `enum` order: auto = the project's pins, else 3. */
export const KERAS_VERSION_SETTINGS = ['auto', '2', '3'] as const;
export type KerasVersionSetting = (typeof KERAS_VERSION_SETTINGS)[number];

/** Columns Copy Summary can have besides the layer and its shape (the CLI's `--columns`, core/cost.ts `COST_COLUMNS`). */
export const SUMMARY_COLUMNS = ['params', 'macs', 'flops', 'memory', 'rf'] as const;
export type SummaryColumn = (typeof SUMMARY_COLUMNS)[number];

/**
 * The "assume" command: gives an open size (`H`, `latent_size`) a value by writing it into the
 * file's `shape-lens:` comment. Argument: `AssumeArgs`. The server's hover links and quick fixes
 * name it; the client registers it.
 */
export const ASSUME_COMMAND = 'shapeLens.assumeSize';

/** What the hover links and quick fixes pass to `ASSUME_COMMAND`; `value` skips the input box (tests). */
export interface AssumeArgs {
  uri: string;
  name: string;
  value?: number;
}

/** Each setting's key (relative to the section) and default, plus its bounds where package.json declares them. */
export const SETTING = {
  inlayHintsMode: { key: 'inlayHints.mode', default: 'shapeAndParams' as InlayHintMode },
  diagnosticsEnabled: { key: 'diagnostics.enabled', default: true },
  analysisDelay: { key: 'analysisDelay', default: 200, minimum: 0, maximum: 5000 },
  poolingCodeLens: { key: 'codeLens.poolingPreview', default: true },
  labCodeLens: { key: 'codeLens.modelLab', default: true },
  kerasVersion: { key: 'kerasVersion', default: 'auto' as KerasVersionSetting },
  copySummaryColumns: { key: 'copySummary.columns', default: [] as SummaryColumn[] },
} as const;

export type SettingName = keyof typeof SETTING;

/** The full id (`shapeLens.inlayHints.mode`), as package.json and `affectsConfiguration` spell it. */
export function settingId(name: SettingName): string {
  return `${SETTINGS_SECTION}.${SETTING[name].key}`;
}
