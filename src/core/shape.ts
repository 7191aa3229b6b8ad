// Keras shapes: batch-first dimension lists where a dim is a size, Keras' None, or unknown to the
// analysis, and their printed forms.

/** A dimension Shape Lens could not follow (a size from data, an argument it cannot see). Printed `?`. */
export const UNKNOWN_DIM = '?';
export type UnknownDim = typeof UNKNOWN_DIM;

/** What a layer rule computes with: a size, or null for Keras' None (batch, free length). */
export type RuleDim = number | null;
export type RuleShape = RuleDim[];
export type RuleOutputShape = RuleShape | RuleShape[] | null;

/** One dimension: a size, null for Keras' None, or `?` when unknown to the analysis. */
export type Dim = RuleDim | UnknownDim;
/** A Keras shape, batch dimension first: `[null, 26, '?', 32]` prints as `(None, 26, ?, 32)`. */
export type Shape = Dim[];
/** What a layer produces: one shape, several (LSTM with return_state), or unknown (null). */
export type OutputShape = Shape | Shape[] | null;

export function isUnknownDim(d: Dim | undefined): d is UnknownDim {
  return d === UNKNOWN_DIM;
}

/** True if some dim is unknown to the analysis. */
export function hasUnknownDim(s: readonly Dim[] | null | undefined): boolean {
  return !!s && s.some(isUnknownDim);
}

/** The shape as a rule sees it, or null when a dim is unknown (the evaluator resolves those). */
export function asRuleShape(s: Shape): RuleShape | null {
  return hasUnknownDim(s) ? null : (s as RuleShape);
}

export function isShapeList<S extends readonly unknown[]>(s: S | S[] | null | undefined): s is S[] {
  return Array.isArray(s) && s.length > 0 && Array.isArray(s[0]);
}

/** Formats a shape as Python prints the tuple: `(None, 10)`, `(None,)`, `()`; `?` for what is unknown. */
export function formatShape(s: Shape | null | undefined): string {
  if (!s) return '?';
  const parts = s.map((d) => (d === null ? 'None' : String(d)));
  if (parts.length === 1) return `(${parts[0]},)`;
  return `(${parts.join(', ')})`;
}

/** Formats one or several output shapes as Keras' summary does (`[(None, 4), (None, 4)]`). */
export function formatOutputShape(s: OutputShape | undefined): string {
  if (isShapeList(s)) return `[${s.map(formatShape).join(', ')}]`;
  return formatShape(s as Shape | null | undefined);
}

/** `1234567` → `1,234,567`; null (unknown) → `?`. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Size of float32 weights as Keras 3 prints it: `1.82 MB`, `34.61 KB`, `0.00 B`. */
export function formatWeightBytes(params: number | null | undefined): string {
  if (params === null || params === undefined) return '?';
  const bytes = params * 4;
  const units: [number, string][] = [[1024 ** 4, 'TB'], [1024 ** 3, 'GB'], [1024 ** 2, 'MB'], [1024, 'KB']];
  for (const [size, unit] of units) if (bytes >= size) return `${(bytes / size).toFixed(2)} ${unit}`;
  return `${bytes.toFixed(2)} B`;
}

/** Product of the dims; null if any is None or unknown. */
export function prodDims(dims: readonly Dim[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    p *= d;
  }
  return p;
}

/** Elements per sample (batch dim excluded); null if a dim is None or unknown. */
export function elements(shape: readonly Dim[]): number | null {
  let p = 1;
  for (let i = 1; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number') return null;
    p *= d;
  }
  return p;
}

export function shapesEqual(a: Shape | null | undefined, b: Shape | null | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => d === b[i]);
}

/** A count in short form with 3 significant digits: `86.7 M`, `1.23 G`, `512`; null → `?`. */
export function formatShortCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, unit] of units) if (Math.abs(n) >= size) return `${threeDigits(n / size)} ${unit}`;
  return String(Math.round(n));
}

/** Bytes of activations in short form (1 KB = 1024 B, as Keras' weight sizes): `392 KB`, `1.53 MB`; null → `?`. */
export function formatShortBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '?';
  const units: [number, string][] = [[1024 ** 4, 'TB'], [1024 ** 3, 'GB'], [1024 ** 2, 'MB'], [1024, 'KB']];
  for (const [size, unit] of units) if (n >= size) return `${threeDigits(n / size)} ${unit}`;
  return `${Math.round(n)} B`;
}

function threeDigits(x: number): string {
  if (x >= 100) return String(Math.round(x));
  return x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** Names of an input's open dims by rank, channels last: (batch, T), (batch, T, F), (batch, H, W, C), (batch, D, H, W, C). */
const DIM_NAMES: Record<number, string[]> = { 2: ['T'], 3: ['T', 'F'], 4: ['H', 'W', 'C'], 5: ['D', 'H', 'W', 'C'] };

/**
 * The symbol of each dim of an input's batch shape that is None (batch excluded; undefined for
 * the rest): `(None, None, None, 3)` → `[undefined, 'H', 'W', undefined]`. Ranks above 5 use `N1`, `N2` ….
 */
export function inputDimNames(batchShape: Shape): (string | undefined)[] {
  const names = DIM_NAMES[batchShape.length];
  return batchShape.map((d, i) => (i === 0 || d !== null ? undefined : names ? names[i - 1] : `N${i}`));
}
