// The one typed reader of the Shape Lens settings, in the language server (which gets them through
// workspace/configuration); keys and defaults are declared in src/editor/settingKeys.ts.

import { parseKerasVersion, type KerasVersion } from '../core/keras-version';
import { INLAY_HINT_MODES, SETTING, SUMMARY_COLUMNS, type InlayHintMode, type SummaryColumn } from '../editor/settingKeys';

export interface Settings {
  /** What the inlay hint at the end of each layer line shows. */
  inlayHints: InlayHintMode;
  /** Report shape errors in the Problems panel. */
  diagnostics: boolean;
  /** Milliseconds after typing stops before diagnostics and the summary refresh. */
  analysisDelay: number;
  /** "Preview pooling" code lens above pooling layers. */
  poolingCodeLens: boolean;
  /** "Open in model lab" code lens on each model's line. */
  labCodeLens: boolean;
  /** Keras 2 or 3 for every Python file (a file's `# shape-lens: keras=N` comment still wins); undefined: the project's pins, else 3. */
  kerasVersion: KerasVersion | undefined;
  /** Copy Summary's columns (`params`, `macs`, ...); empty: Keras' own summary table. */
  copySummaryColumns: SummaryColumn[];
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
  const { inlayHintsMode, diagnosticsEnabled, analysisDelay, poolingCodeLens, labCodeLens, kerasVersion, copySummaryColumns } = SETTING;
  const columns = get(copySummaryColumns.key);
  const mode = get(inlayHintsMode.key);
  const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
  const delay = get(analysisDelay.key);
  return {
    inlayHints: (INLAY_HINT_MODES as readonly unknown[]).includes(mode) ? (mode as InlayHintMode) : inlayHintsMode.default,
    diagnostics: bool(get(diagnosticsEnabled.key), diagnosticsEnabled.default),
    analysisDelay: typeof delay === 'number' && Number.isFinite(delay) ? Math.max(analysisDelay.minimum, Math.min(analysisDelay.maximum, delay)) : analysisDelay.default,
    poolingCodeLens: bool(get(poolingCodeLens.key), poolingCodeLens.default),
    labCodeLens: bool(get(labCodeLens.key), labCodeLens.default),
    kerasVersion: parseKerasVersion(get(kerasVersion.key)),
    copySummaryColumns: Array.isArray(columns) && columns.every((c) => (SUMMARY_COLUMNS as readonly unknown[]).includes(c)) ? [...new Set(columns as SummaryColumn[])] : [...copySummaryColumns.default],
  };
}
