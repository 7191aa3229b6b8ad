// How symbolic sizes (core/symbolic.ts) are written where the display needs them: a row's shape
// formulas (one or several outputs), the symbols still open, a short form for inlay hints that
// falls back to Keras' own `None` / `?` when a formula is too long, and the CLI's footnote.

import { formatFormula, symbolsOf, type Formula } from './formula';
import { isShapeList, UNKNOWN_DIM, type OutputShape, type Shape } from './shape';
import type { CostFormulas } from './cost';
import { formatFormulaShape, symbolicMacs, symbolicModel, type FormulaShape, type SymbolicRow } from './symbolic';
import type { ModelSummary, SummaryRow, UnknownParamsText } from './summary';

/** Inlay hints: a dim's formula longer than this shows as Keras prints the dim (`None` or `?`). */
export const HINT_MAX_DIM = 16;
/** Inlay hints: a shape with formulas longer than this shows as Keras prints it. */
export const HINT_MAX_SHAPE = 48;
/** Inlay hints: a params formula longer than this shows `?` (the hover has it). */
export const HINT_MAX_PARAMS = 32;

/** A row's shape formulas as Python prints the tuple (a list for several outputs), in full. */
export function formatSymbolicShape(s: FormulaShape | FormulaShape[], maxDim = Infinity): string {
  return isShapeList(s) ? `[${s.map((x) => formatFormulaShape(x, maxDim)).join(', ')}]` : formatFormulaShape(s, maxDim);
}

/** The symbols a row's formulas use, in first-seen order. */
export function rowSymbols(row: SymbolicRow | undefined, out: string[] = []): string[] {
  if (!row) return out;
  if (row.shape) for (const s of isShapeList(row.shape) ? row.shape : [row.shape]) for (const d of s) if (d !== null && d !== UNKNOWN_DIM) symbolsOf(d, out);
  if (row.params) symbolsOf(row.params, out);
  return out;
}

/**
 * The shape an inlay hint shows: each dim's formula where it is at most `maxDim` characters, else
 * the dim as Keras prints it (`None`, `?`, a number); all of it as Keras prints it when the result
 * is longer than `maxShape`.
 */
export function hintShape(keras: OutputShape, formulas: FormulaShape | FormulaShape[] | undefined, maxDim = HINT_MAX_DIM, maxShape = HINT_MAX_SHAPE): string | undefined {
  if (!formulas || !keras) return undefined;
  const kerasList: Shape[] = isShapeList(keras) ? keras : [keras];
  const formulaList = isShapeList(formulas) ? formulas : [formulas];
  if (kerasList.length !== formulaList.length || kerasList.some((s, i) => s.length !== formulaList[i].length)) return undefined;
  const one = (s: Shape, f: FormulaShape) => {
    const parts = s.map((d, i) => {
      const x = f[i];
      if (x === null || x === UNKNOWN_DIM || x === undefined) return d === null ? 'None' : String(d);
      const text = formatFormula(x);
      return text.length <= maxDim ? text : d === null ? 'None' : String(d);
    });
    return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
  };
  const text = isShapeList(keras) ? `[${kerasList.map((s, i) => one(s, formulaList[i])).join(', ')}]` : one(kerasList[0], formulaList[0]);
  return text.length <= maxShape ? text : undefined;
}

/** A params formula short enough for an inlay hint, else undefined. */
export function hintParams(f: Formula | undefined, max = HINT_MAX_PARAMS): string | undefined {
  if (!f) return undefined;
  const text = formatFormula(f);
  return text.length <= max ? text : undefined;
}

/** For `formatSummary`: a `?` params cell prints its formula in the open sizes. */
export function formulaParams(s: ModelSummary): UnknownParamsText {
  const rows = symbolicModel(s).rows;
  return (i) => {
    const f = rows[i]?.params;
    return f && formatFormula(f);
  };
}

/** The formulas for `formatCostTable`'s `?` cells and totals (MACs worked out only when the table has that column). */
export function costFormulas(s: ModelSummary, withMacs: boolean): CostFormulas {
  const m = symbolicModel(s);
  const macs = withMacs && m.symbols.length > 0 ? symbolicMacs(s) : undefined;
  const text = (f: Formula | undefined) => f && formatFormula(f);
  return {
    params: (i) => text(m.rows[i]?.params),
    macs: (i) => text(macs?.rows[i]),
    ...(m.totalParams ? { totalParams: formatFormula(m.totalParams) } : {}),
    ...(macs?.total ? { totalMacs: formatFormula(macs.total) } : {}),
  };
}

/** The formulas of one row, looked up in its summary (undefined when it has none). */
export function symbolicRowOf(s: ModelSummary, row: SummaryRow): SymbolicRow | undefined {
  const sym = symbolicModel(s);
  // Most models have no open size: no row lookup for their hints.
  if (sym.symbols.length === 0) return undefined;
  const i = s.rows.indexOf(row);
  return i < 0 ? undefined : sym.rows[i];
}

/**
 * The CLI's footnote under a summary: what the None and `?` dims, `?` params and total are in the
 * open sizes (`  conv2d: (None, H − 2, W − 2, 32)`); nothing when there is no formula.
 */
export function formatSizeNotes(s: ModelSummary): string[] {
  const sym = symbolicModel(s);
  const out: string[] = [];
  s.rows.forEach((r, i) => {
    const { shape, params } = sym.rows[i] ?? {};
    if (shape) out.push(`  ${r.name}: ${formatSymbolicShape(shape)}`);
    // The table wraps a long formula in its narrow Param # column: here it is on one line.
    if (params) out.push(`  ${r.name} params: ${formatFormula(params)}`);
  });
  if (sym.totalParams) out.push(`  Total params: ${formatFormula(sym.totalParams)}`);
  if (out.length === 0) return [];
  return [`Sizes${sym.symbols.length > 0 ? ` (formulas in ${sym.symbols.join(', ')})` : ''}:`, ...out];
}
