// Keras shapes: batch-first dimension lists with null for None, and their printed forms.

/** One dimension: a size, or null for None (unknown / batch). */
export type Dim = number | null;
/** A Keras shape, batch dimension first: `[null, 26, 26, 32]` prints as `(None, 26, 26, 32)`. */
export type Shape = Dim[];
/** What a layer produces: one shape, several (LSTM with return_state), or unknown (null). */
export type OutputShape = Shape | Shape[] | null;

export function isShapeList(s: OutputShape | undefined): s is Shape[] {
  return Array.isArray(s) && s.length > 0 && Array.isArray(s[0]);
}

/** Formats a shape as Python prints the tuple: `(None, 10)`, `(None,)`, `()`. Unknown is `?`. */
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

/** Product of known dims; null if any is unknown. */
export function prodDims(dims: readonly Dim[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

export function shapesEqual(a: Shape | null | undefined, b: Shape | null | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => d === b[i]);
}
