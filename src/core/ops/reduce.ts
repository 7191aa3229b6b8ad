// Reductions along axes (`sum`, `mean`, `tf.reduce_max`, `K.mean`, `argmax`, `top_k`, `moments`):
// the axes go (or stay as 1 with keepdims); without an axis, every dim does.

import type { Cfg } from '../config';
import type { RuleDim, RuleOutputShape, RuleShape } from '../shape';
import type { LayerRule, RuleContext } from '../layers/types';
import { argError, axesArg, intArg, normAxis, opRule } from './util';

/** Keras' `reduce_shape`. `axis` undefined: all axes. */
export function reduceShape(x: RuleShape, axes: number[] | undefined, keepdims: boolean, ctx: RuleContext): RuleShape | null {
  if (axes === undefined) return keepdims ? x.map(() => 1) : [];
  const norm: number[] = [];
  for (const a of axes) {
    const n = normAxis(a, x.length, ctx, 'reduce');
    if (n === null) return null;
    norm.push(n);
  }
  return keepdims ? x.map((d, i) => (norm.includes(i) ? 1 : d)) : x.filter((_, i) => !norm.includes(i));
}

function reduction(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const axes = axesArg(cfg, 'axis');
  const keepdims = cfg.bool('keepdims', false);
  if (axes === null || keepdims === null) return null;
  return reduceShape(x, axes, keepdims, ctx);
}

/** `argmax(x, axis=None, keepdims=False)`: one axis; without it the flattened index (a scalar). */
function argReduction(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const axis = intArg(cfg, 'axis');
  const keepdims = cfg.bool('keepdims', false);
  if (axis === null || keepdims === null) return null;
  return reduceShape(x, axis === undefined ? undefined : [axis], keepdims, ctx);
}

/** `top_k(x, k=1)`: values and indices, the last dim becomes k. */
function topK(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const k = intArg(cfg, 'k') ?? (cfg.has('k') ? null : 1);
  if (k === null) return null;
  if (x.length === 0) return argError(ctx, 'top_k: input must have at least 1 dimension');
  const last = x[x.length - 1];
  if (last !== null && k > last) return argError(ctx, `input must have at least k columns. Had ${last}, needed ${k}`);
  const out: RuleDim[] = [...x.slice(0, -1), k];
  return [out, [...out]];
}

/** `moments(x, axes, keepdims=False)`: mean and variance. */
function moments(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const r = reduction(x, cfg, ctx);
  return r && !Array.isArray(r[0]) ? [r as RuleShape, [...(r as RuleShape)]] : null;
}

const first = (fn: (x: RuleShape, cfg: Cfg, ctx: RuleContext) => RuleOutputShape) => (inputs: RuleShape[], cfg: Cfg, ctx: RuleContext) => (inputs[0] ? fn(inputs[0], cfg, ctx) : null);

/** Reductions over axes, by their `keras.ops` names. */
const REDUCTIONS = ['sum', 'mean', 'max', 'min', 'prod', 'any', 'all', 'logsumexp', 'std', 'var', 'median', 'amax', 'amin', 'count_nonzero', 'norm', 'ptp', 'nansum', 'nanmean'];

export const reduceRules: LayerRule[] = [
  ...REDUCTIONS.map((n) => opRule(n, first(reduction))),
  opRule('argmax', first(argReduction)),
  opRule('argmin', first(argReduction)),
  opRule('top_k', first(topK)),
  opRule('moments', first(moments)),
];
