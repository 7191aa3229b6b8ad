// Which Keras a file is written for: Keras 3 (`keras` 3, TF ≥ 2.16) or tf.keras 2 (TF ≤ 2.15,
// `tf_keras`). Pure: the hosts read the project's pin files and pass what they found; the file's
// own text is read here. Precedence: a `# shape-lens: keras=N` comment in the file > the CLI's
// `--keras` / the editor setting > the file's own imports (`tf_keras`, `TF_USE_LEGACY_KERAS`) >
// the project's pins > Keras 3.

import type { ConfigValue, LayerConfig } from './config';

export type KerasVersion = 2 | 3;

/** The version an analysis uses and why (`requirements.txt: tensorflow==2.12.0`). */
export interface KerasVersionChoice {
  version: KerasVersion;
  from: string;
}

/** What the host knows besides the file: a version asked for (CLI flag, setting) and one pinned by the project. */
export interface KerasVersionOption {
  explicit?: KerasVersionChoice;
  pinned?: KerasVersionChoice;
}

export const DEFAULT_KERAS: KerasVersionChoice = { version: 3, from: 'default' };

/** `2`, `'2'`, `3`, `'3'` → the version; anything else (`auto`, unset) → undefined. */
export function parseKerasVersion(v: unknown): KerasVersion | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  return s === '2' ? 2 : s === '3' ? 3 : undefined;
}

const COMMENT = /^[ \t]*#[ \t]*shape-lens:[ \t]*keras[ \t]*=[ \t]*([23])\b/im;
const TF_KERAS_IMPORT = /^[ \t]*(?:import[ \t]+tf_keras\b|from[ \t]+tf_keras\b)/m;
const LEGACY_ENV = /TF_USE_LEGACY_KERAS["'][ \t]*\]?[ \t]*(?:=|,)[ \t]*["']?(?:1|true|True)\b/;

/** The version one file is analysed with (see the precedence at the top). */
export function kerasVersionOfFile(text: string, option: KerasVersionOption = {}): KerasVersionChoice {
  const comment = COMMENT.exec(text);
  if (comment) return { version: comment[1] === '2' ? 2 : 3, from: `# shape-lens: keras=${comment[1]} (line ${lineAt(text, comment.index)})` };
  if (option.explicit) return option.explicit;
  const tfKeras = TF_KERAS_IMPORT.exec(text);
  if (tfKeras) return { version: 2, from: `import tf_keras (line ${lineAt(text, tfKeras.index)})` };
  const legacy = LEGACY_ENV.exec(text);
  if (legacy) return { version: 2, from: `TF_USE_LEGACY_KERAS=1 (line ${lineAt(text, legacy.index)})` };
  return option.pinned ?? DEFAULT_KERAS;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Project files that pin packages, in the order they are read within one folder. */
export function isPinFile(name: string): boolean {
  return /^requirements[\w.-]*\.(txt|in)$/i.test(name) || ['pyproject.toml', 'setup.py', 'setup.cfg', 'environment.yml', 'environment.yaml', 'Pipfile'].includes(name);
}

type Version = number[];

/** `2.15.0` → [2, 15, 0]; `2.*` → [2]; null if not a version. */
function parseVersion(s: string): Version | null {
  const m = /^v?(\d+(?:\.\d+)*)(?:\.\*)?/.exec(s.trim());
  return m ? m[1].split('.').map(Number) : null;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The smallest version above every version starting with `v` (`2.15` → 2.16, `2` → 3). */
function nextAfter(v: Version): Version {
  return [...v.slice(0, -1), v[v.length - 1] + 1];
}

/**
 * The range a specifier allows, as [lowest allowed, first excluded) (either end open). Understands
 * PEP 440 (`==2.15.*`, `<2.16`, `~=2.12.0`, `>=3`), conda (`=2.12`, `2.12.*`) and poetry (`^2.12`,
 * `~2.12`, a bare `2.12.0`). Unknown operators allow anything.
 */
function allowedRange(spec: string): { low?: Version; high?: Version } {
  let low: Version | undefined;
  let high: Version | undefined;
  const raise = (v: Version) => {
    if (!low || compare(v, low) > 0) low = v;
  };
  const cap = (v: Version) => {
    if (!high || compare(v, high) < 0) high = v;
  };
  for (const part of spec.split(',')) {
    const m = /^\s*(===|==|~=|!=|<=|>=|<|>|=|\^|~)?\s*(v?\d[\w.*+!-]*)\s*$/.exec(part);
    if (!m) continue;
    const op = m[1] ?? '==';
    const v = parseVersion(m[2]);
    if (!v) continue;
    const star = m[2].includes('*');
    switch (op) {
      case '==':
      case '===':
      case '=':
        raise(v);
        // `==2.15.0` allows only 2.15.0; `=2.12` (conda) and `==2.*` any version starting so.
        cap(star || op === '=' ? nextAfter(v) : nextAfter([...v, 0, 0, 0].slice(0, Math.max(3, v.length))));
        break;
      case '<':
        cap(v);
        break;
      case '<=':
        cap(nextAfter([...v, 0, 0, 0].slice(0, Math.max(3, v.length))));
        break;
      case '>=':
      case '>':
        raise(v);
        break;
      case '~=':
        raise(v);
        if (v.length >= 2) cap(nextAfter(v.slice(0, -1)));
        break;
      case '^':
        raise(v);
        cap(nextAfter(v.slice(0, Math.max(1, v.findIndex((x) => x !== 0) + 1))));
        break;
      case '~':
        raise(v);
        cap(nextAfter(v.slice(0, Math.min(2, v.length))));
        break;
    }
  }
  return { low, high };
}

/** The Keras version a requirement forces, or undefined if it allows both. */
function versionOfRequirement(pkg: string, spec: string): KerasVersion | undefined {
  const name = pkg.toLowerCase().replace(/_/g, '-');
  if (name === 'tf-keras') return 2;
  // tensorflow-gpu's last release is 2.12: any pin of it is Keras 2.
  if (name === 'tensorflow-gpu') return 2;
  const threshold: Version = name === 'keras' ? [3] : [2, 16];
  const { low, high } = allowedRange(spec);
  if (high && compare(high, threshold) <= 0) return 2;
  if (low && compare(low, threshold) >= 0) return 3;
  return undefined;
}

const PACKAGES = 'tensorflow(?:-gpu|-cpu|-macos|-intel|-aarch64)?|tf[-_]keras|keras';
/** `name <spec>` in PEP 508 strings, requirements lines and conda lists. */
const PEP508 = new RegExp(`(?<![\\w.-])(${PACKAGES})(?![\\w.-])[ \\t]*(?:\\[[^\\]\\n]{0,100}\\])?[ \\t]*((?:(?:===|==|~=|!=|<=|>=|<|>|=)[ \\t]*v?\\d[\\w.*+!-]{0,40}[ \\t]*,?[ \\t]*){0,8})`, 'gi');
/** `name = "spec"` / `name = {version = "spec"}` in TOML (poetry, Pipfile). */
const TOML = new RegExp(`^[ \\t]*["']?(${PACKAGES})["']?[ \\t]*=[ \\t]*(?:\\{[^}\\n]*version\\s*=\\s*)?["']([^"'\\n]*)["']`, 'gim');

/**
 * The Keras version a project file pins (`requirements.txt`, `pyproject.toml`, `setup.py` /
 * `setup.cfg` install_requires, `environment.yml`, `Pipfile`), with the requirement that says so;
 * undefined when the file pins neither.
 */
export function kerasPinOfFile(fileName: string, text: string): KerasVersionChoice | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  // Comments say nothing about what is installed (setup.py's `#` and TOML's `#` alike).
  const clean = text.length > 1_000_000 ? '' : text.replace(/(^|\s)#.*$/gm, '$1');
  const found: { at: number; version: KerasVersion; req: string }[] = [];
  if (/\.toml$|^Pipfile$/i.test(base)) {
    for (const m of clean.matchAll(TOML)) {
      const spec = m[2].trim();
      const v = versionOfRequirement(m[1], /^[\d]/.test(spec) ? `==${spec}` : spec === '*' ? '' : spec);
      if (v) found.push({ at: m.index ?? 0, version: v, req: `${m[1]} = "${spec}"` });
    }
  }
  for (const m of clean.matchAll(PEP508)) {
    const spec = m[2].trim().replace(/,$/, '');
    const name = m[1].toLowerCase().replace(/_/g, '-');
    // A bare name pins nothing, except the packages that are Keras 2 whatever their version.
    if (!spec && name !== 'tf-keras' && name !== 'tensorflow-gpu') continue;
    if (!spec && !isRequirementContext(clean, m.index ?? 0)) continue;
    const v = versionOfRequirement(m[1], spec);
    if (v) found.push({ at: m.index ?? 0, version: v, req: `${m[1]}${spec}` });
  }
  if (found.length === 0) return undefined;
  found.sort((a, b) => a.at - b.at);
  // tf-keras next to keras 3 still means tf.keras code may be Keras 2: the first Keras 2 pin wins.
  const pick = found.find((f) => f.version === 2) ?? found[0];
  return { version: pick.version, from: `${base}: ${pick.req}` };
}

/**
 * A bare package name counts where requirements are listed: a line of its own, a string, a list
 * item. Only the 200 characters before it are read (a huge one-line file stays linear).
 */
function isRequirementContext(text: string, at: number): boolean {
  const from = Math.max(0, at - 200);
  const window = text.slice(from, at);
  const nl = window.lastIndexOf('\n');
  const before = nl >= 0 ? window.slice(nl + 1) : window;
  const lineStart = nl >= 0 || from === 0;
  return (lineStart && /^[ \t]*(?:-[ \t]*)?["']?$/.test(before)) || /["'][ \t]*$/.test(before);
}

/**
 * A layer's config as tf.keras 2 reads it where Keras 2 and 3 differ in what changes shapes:
 * Embedding always declares its input shape (`(input_length,)`, else `(None,)`), so a Sequential
 * starting with one is built at once (Keras 3 ignores `input_length`); Dense `units` and conv
 * `filters` given as floats are truncated by `int()` (Keras 3 rejects them); UpSampling1D `size` too.
 */
export function keras2Config(className: string, config: LayerConfig): LayerConfig {
  const declares = ['input_shape', 'batch_input_shape', 'batch_shape'].some((k) => config[k] !== undefined);
  if (className === 'Embedding' && !declares) {
    const { input_length: len, ...rest } = config;
    const shape: ConfigValue = len === undefined || len === null ? [null] : typeof len === 'number' ? [len] : len;
    return { ...rest, input_shape: shape };
  }
  const intKey = className === 'Dense' ? 'units' : /^(Conv|SeparableConv|DepthwiseConv)/.test(className) ? 'filters' : className === 'UpSampling1D' ? 'size' : undefined;
  const v = intKey ? config[intKey] : undefined;
  if (intKey && typeof v === 'number' && Number.isFinite(v) && !Number.isInteger(v)) return { ...config, [intKey]: Math.trunc(v) };
  return config;
}
