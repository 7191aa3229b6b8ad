// The canonical layer config: snake_case keys (Keras' Python spelling) with typed, forgiving readers.

/** A config value the front end could not determine (a parameter bound to an unknown value). */
export const UNKNOWN = Symbol.for('shape-lens.unknown');
export type Unknown = typeof UNKNOWN;

/** A layer described by class name and config, used where a layer wraps another (Bidirectional). */
export interface LayerSpec {
  kind: 'layerSpec';
  className: string;
  config: LayerConfig;
}

export type ConfigValue =
  | number
  | string
  | boolean
  | null
  | Unknown
  | LayerSpec
  | ConfigValue[]
  | { [key: string]: ConfigValue };

/** Canonical config: snake_case keys. Absent keys mean "Keras default". */
export type LayerConfig = Record<string, ConfigValue>;

export function isLayerSpec(v: ConfigValue | undefined): v is LayerSpec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as LayerSpec).kind === 'layerSpec';
}

/** `kernelSize` → `kernel_size`; `batchInputShape` → `batch_input_shape`; snake_case passes through. */
export function toSnakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Problems a reader met in the config (wrong type, wrong tuple length); reported by the caller. */
export interface ConfigProblem {
  key: string;
  message: string;
}

/** True if a setting (or a nested setting) is a value the front end could not determine. */
export function hasUnknownValue(v: ConfigValue | LayerConfig | undefined, depth = 0): boolean {
  if (v === UNKNOWN) return true;
  if (depth > 8 || v === null || v === undefined || typeof v !== 'object') return false;
  return Object.values(v as Record<string, ConfigValue>).some((x) => hasUnknownValue(x, depth + 1));
}

/**
 * Stand-ins for unknown integer settings in the evaluator's runs (see `evaluate.ts`): small and
 * distinct, so any shape or count that depends on the setting differs between runs.
 */
const INT_SAMPLES = [2, 3, 5];

/**
 * Typed access to a canonical config. Every reader returns `null` for a value the analysis does
 * not know (UNKNOWN) and the default for an absent key; a value of the wrong type is recorded as
 * a problem and treated as unknown, so rules never throw.
 *
 * With a `run` index the readers replace UNKNOWN by that run's stand-in instead (an integer
 * sample, the run-th choice of an enumerated string, alternating booleans): the evaluator runs a
 * rule several times and keeps only what every run agrees on. A reader that has no stand-in sets
 * `lost`: its null may then not be Keras' None.
 */
export class Cfg {
  readonly problems: ConfigProblem[] = [];
  /** A reader returned null for an UNKNOWN it could not stand in for. */
  lost = false;
  constructor(readonly raw: LayerConfig, readonly run?: number) {}

  /**
   * The run's stand-in for an unknown integer, or null (and `lost`) outside runs. Rules with a
   * reader of their own call it where they meet UNKNOWN.
   */
  standIn(): number | null {
    if (this.run === undefined) {
      this.lost = true;
      return null;
    }
    return INT_SAMPLES[this.run % INT_SAMPLES.length];
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  isUnknown(key: string): boolean {
    return this.raw[key] === UNKNOWN;
  }

  /** An integer setting (`filters`, `units`). */
  int(key: string, def: number): number | null;
  int(key: string): number | null | undefined;
  int(key: string, def?: number): number | null | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return v === null && def === undefined ? null : def;
    if (v === UNKNOWN) return this.standIn();
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    this.problems.push({ key, message: `expected an integer for \`${key}\`; received ${typeof v === 'number' ? v : JSON.stringify(v)}` });
    return null;
  }

  /** A float setting (`rate`, `epsilon`). */
  num(key: string, def: number): number | null {
    const v = this.raw[key];
    if (v === undefined) return def;
    if (typeof v === 'number') return v;
    if (v === UNKNOWN) return this.standIn();
    this.problems.push({ key, message: `expected a number for \`${key}\`` });
    return null;
  }

  /**
   * An int-or-tuple setting (`kernel_size`, `strides`, `pool_size`) normalised to `rank` entries,
   * as Keras' `normalize_tuple` does. `null` entries are unknown.
   */
  ints(key: string, rank: number, def: number | readonly number[] | null): (number | null)[] | null {
    const v = this.raw[key];
    if (v === undefined || (v === null && def !== null)) {
      if (def === null) return null;
      return typeof def === 'number' ? Array(rank).fill(def) : [...def];
    }
    if (v === UNKNOWN) return Array(rank).fill(this.standIn());
    if (v === null) return Array(rank).fill(null);
    if (typeof v === 'number') return Array(rank).fill(this.integer(key, v));
    if (Array.isArray(v)) {
      if (v.length !== rank) {
        this.problems.push({ key, message: `\`${key}\` must be an integer or a tuple of ${rank} integers; received ${v.length} values` });
        return Array(rank).fill(null);
      }
      return v.map((x) => (typeof x === 'number' ? this.integer(key, x) : x === UNKNOWN ? this.standIn() : null));
    }
    this.problems.push({ key, message: `\`${key}\` must be an integer or a tuple of ${rank} integers` });
    return Array(rank).fill(null);
  }

  /** A list of integers of any length (`target_shape`, `dims`, `shape`). */
  intList(key: string): (number | null)[] | null | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (v === UNKNOWN) {
      this.lost = true;
      return null;
    }
    if (v === null) return null;
    if (typeof v === 'number') return [this.integer(key, v)];
    if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? this.integer(key, x) : x === UNKNOWN ? this.standIn() : null));
    this.problems.push({ key, message: `\`${key}\` must be a tuple of integers` });
    return null;
  }

  /** One entry of an integer tuple: NaN, fractions and unsafe sizes are problems and unknown. */
  private integer(key: string, v: number): number | null {
    if (Number.isSafeInteger(v)) return v;
    this.problems.push({ key, message: `\`${key}\` must contain integers; received ${v}` });
    return null;
  }

  /**
   * A string setting (`padding`, `data_format`). `choices` are the values Keras accepts, which
   * the evaluator's runs try in turn when the setting is unknown.
   */
  str(key: string, def: string, choices?: readonly string[]): string | null;
  str(key: string): string | null | undefined;
  str(key: string, def?: string, choices?: readonly string[]): string | null | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return def;
    if (v === UNKNOWN) {
      if (this.run !== undefined && choices && choices.length > 0) return choices[this.run % choices.length];
      this.lost = true;
      return null;
    }
    if (typeof v === 'string') return v;
    this.problems.push({ key, message: `expected a string for \`${key}\`` });
    return null;
  }

  bool(key: string, def: boolean): boolean | null {
    const v = this.raw[key];
    if (v === undefined || v === null) return def;
    if (v === UNKNOWN) {
      if (this.run !== undefined) return this.run % 2 === 1;
      this.lost = true;
      return null;
    }
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    this.problems.push({ key, message: `expected True or False for \`${key}\`` });
    return null;
  }

  /** A nested layer (`layer=` of Bidirectional / TimeDistributed, `backward_layer=`). */
  layer(key: string): LayerSpec | null | undefined {
    const v = this.raw[key];
    if (v === undefined) return undefined;
    if (isLayerSpec(v)) return v;
    if (v === UNKNOWN) this.lost = true;
    return null;
  }

  /** `data_format`, defaulting to channels_last; `null` if unknown. */
  dataFormat(): 'channels_last' | 'channels_first' | null {
    const f = this.str('data_format', 'channels_last', ['channels_last', 'channels_first']);
    if (f === null) return null;
    if (f === 'channels_last' || f === 'channels_first') return f;
    this.problems.push({ key: 'data_format', message: `\`data_format\` must be "channels_last" or "channels_first"; received "${f}"` });
    return null;
  }
}
