// What every tensor-op rule shares: the rule factory, and readers for the arguments ops take
// (an axis, a list of axes, a shape list) from the canonical config, with the evaluator's
// stand-ins for values the analysis does not know.

import { UNKNOWN, type Cfg, type ConfigValue } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formatShape, type RuleOutputShape, type RuleShape } from '../shape';
import type { LayerRule, RuleContext } from '../layers/types';

export type OpShapeFn = (inputs: RuleShape[], cfg: Cfg, ctx: RuleContext) => RuleOutputShape;

/**
 * An op rule: registered as `ops.<name>`, part of the graph but no summary row, no weights.
 * `kerasName` is the automatic name Keras 3 gives the op (its class name in snake_case,
 * `abs` → `absolute`) when called through `keras.ops`.
 */
export function opRule(name: string, outputShape: OpShapeFn, kerasName = name): LayerRule {
  return { className: `ops.${name}`, operation: true, arity: 'any', defaultName: () => kerasName, outputShape };
}

/** Python's repr of a list of ints / None, as Keras puts it in messages: `[0, 2, 1]`. */
export function pyList(v: readonly (number | null)[]): string {
  return `[${v.map((d) => (d === null ? 'None' : String(d))).join(', ')}]`;
}

export { formatShape };

/** One integer argument (`axis=-1`); undefined when absent, null when unknown or not an integer. */
export function intArg(cfg: Cfg, key: string): number | null | undefined {
  const v = cfg.raw[key];
  if (v === undefined || v === null) return undefined;
  if (v === UNKNOWN) return cfg.standIn();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/**
 * An axis argument that may be one int, a list of ints or None: undefined when absent or None,
 * null when unknown (a list of unknown length), else the list (entries unknown stand in per run).
 */
export function axesArg(cfg: Cfg, key: string): number[] | null | undefined {
  const v = cfg.raw[key];
  if (v === undefined || v === null) return undefined;
  const one = (x: ConfigValue): number | null => (typeof x === 'number' && Number.isSafeInteger(x) ? x : x === UNKNOWN ? cfg.standIn() : null);
  if (Array.isArray(v)) {
    const out = v.map(one);
    return out.some((x) => x === null) ? null : (out as number[]);
  }
  if (v === UNKNOWN) {
    cfg.lost = true;
    return null;
  }
  const x = one(v);
  return x === null ? null : [x];
}

/**
 * A list of sizes (a shape, `perm`, `multiples`): entries are ints, None (a size only known when
 * the model runs, `tf.shape(x)[0]`) or unknown (stand-ins per run). Null when the list itself is
 * unknown.
 */
export function sizesArg(cfg: Cfg, key: string): (number | null)[] | null | undefined {
  const v = cfg.raw[key];
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return [v];
  if (!Array.isArray(v)) {
    if (v === UNKNOWN) cfg.lost = true;
    return null;
  }
  const out: (number | null)[] = [];
  for (const x of v) {
    if (typeof x === 'number' && Number.isSafeInteger(x)) out.push(x);
    else if (x === null) out.push(null);
    else if (x === UNKNOWN) {
      const s = cfg.standIn();
      if (s === null) return null;
      out.push(s);
    } else return null;
  }
  return out;
}

/**
 * An axis in `[-rank, rank)` made non-negative; null after reporting Keras' error when it is out
 * of range (`what` names the op for the message).
 */
export function normAxis(axis: number, rank: number, ctx: RuleContext, _what: string): number | null {
  if (axis < -rank || axis >= rank) {
    ctx.error(DiagnosticCode.invalidConfig, `axis ${axis} is out of bounds for an array with dimension ${rank}.`);
    return null;
  }
  return axis < 0 ? axis + rank : axis;
}

/** Product of sizes, null if any is None. */
export function product(dims: readonly (number | null)[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

/** Reports a shape problem. */
export function shapeError(ctx: RuleContext, message: string): null {
  ctx.error(DiagnosticCode.shapeMismatch, message);
  return null;
}

/** Reports a problem with an argument. */
export function argError(ctx: RuleContext, message: string): null {
  ctx.error(DiagnosticCode.invalidConfig, message);
  return null;
}
