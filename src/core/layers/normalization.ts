// Normalization layer rules: BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization.

import type { Cfg } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formulaOf, times, type FormulaShape } from '../formula';
import { formatShape, type RuleShape } from '../shape';
import { sameShape } from './core';
import { POINTWISE, type LayerRule, type ParamCount, type RuleContext, type SymbolicResult } from './types';

const UNKNOWN_PARAMS: ParamCount = { trainable: null, nonTrainable: null };

/**
 * Reads an `axis` setting that may be an int or a list of ints. Returns the raw (possibly
 * negative) axes, `[]` for Python None when `noneMeansEmpty`, or null when unknown.
 */
export function readAxes(cfg: Cfg, key: string, def: number, noneMeansEmpty = false): number[] | null {
  if (noneMeansEmpty && cfg.raw[key] === null) return [];
  const list = cfg.intList(key);
  if (list === undefined || (list === null && cfg.raw[key] === null)) return [def];
  if (list === null || list.some((a) => a === null)) return null;
  return list as number[];
}

/**
 * Resolves axes against a shape's rank (negative axes count from the end). Reports an error and
 * returns null for an axis out of range.
 */
export function resolveAxes(axes: number[], shape: RuleShape, ctx: RuleContext, message?: (axis: number) => string): number[] | null {
  const rank = shape.length;
  const out: number[] = [];
  for (const a of axes) {
    if (a >= rank || a < -rank) {
      ctx.error(
        DiagnosticCode.invalidAxis,
        message
          ? message(a)
          : `Invalid axis ${a} for ${ctx.className} layer "${ctx.layerName}": the input ${formatShape(shape)} has rank ${rank}.`,
      );
      return null;
    }
    out.push(a < 0 ? a + rank : a);
  }
  return out;
}

/** Size of the weight vector over `axes`, or null (with Keras' error) when one of them is None. */
function paramSize(shape: RuleShape, axes: number[], rawAxes: number[], ctx: RuleContext, report: boolean): number | null {
  let size = 1;
  for (const a of axes) {
    const d = shape[a];
    if (d === null) {
      if (report) {
        const shown = rawAxes.length === 1 ? String(rawAxes[0]) : `[${rawAxes.join(', ')}]`;
        ctx.error(
          DiagnosticCode.unknownDimension,
          `Axis ${shown} of input tensor should have a defined dimension but the layer received an input with shape ${formatShape(shape)}.`,
        );
      }
      return null;
    }
    size *= d;
  }
  return size;
}

/** `gamma`/`beta` style counts: `k·C = total`. */
function vectorParams(k: number, size: number, nonTrainableVectors = 0): ParamCount {
  const total = (k + nonTrainableVectors) * size;
  const nt = nonTrainableVectors * size;
  return {
    trainable: k * size,
    nonTrainable: nt,
    formula: `${k + nonTrainableVectors}·${size} = ${total}${nt ? ` (${nt} non-trainable)` : ''}`,
  };
}

function check(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext, report: boolean): number | null {
  const rawAxes = readAxes(cfg, 'axis', -1);
  if (rawAxes === null) return null;
  const axes = resolveAxes(rawAxes, inputs[0], report ? ctx : silent(ctx), (a) =>
    `Axis ${a} is out of bounds for input shape ${formatShape(inputs[0])}. Ensure axis is within the range of input dimensions.`,
  );
  if (axes === null) return null;
  return paramSize(inputs[0], axes, rawAxes, ctx, report);
}

/** A context whose reports are dropped (the params pass repeats checks already reported). */
function silent(ctx: RuleContext): RuleContext {
  return { ...ctx, error: () => {}, warning: () => {}, explain: () => {} };
}

const batchNormalization: LayerRule = {
  className: 'BatchNormalization',
  outputShape(inputs, cfg, ctx) {
    check(inputs, cfg, ctx, true);
    return sameShape(inputs);
  },
  params(inputs, cfg, ctx) {
    const c = check(inputs, cfg, ctx, false);
    const center = cfg.bool('center', true);
    const scale = cfg.bool('scale', true);
    if (c === null || center === null || scale === null) return UNKNOWN_PARAMS;
    // gamma (scale) and beta (center) are trained; moving_mean and moving_variance are not.
    return vectorParams(Number(center) + Number(scale), c, 2);
  },
  // At inference tf.keras 2 runs a 4D input on its channel axis as FusedBatchNormV3, which
  // tf.profiler does not count; other inputs run as several element-wise ops (not counted here).
  cost(inputs, _outputs, cfg) {
    const axis = cfg.raw.axis;
    const x = inputs[0];
    const channelAxis = axis === undefined || axis === -1 || axis === x.length - 1 || axis === 1;
    return { macs: 0, flops: x.length === 4 && channelAxis ? 0 : null };
  },
  // An affine map per element at inference, whatever the axis.
  spatial: POINTWISE,  symbolic: (inputs, cfg, _setting, withParams) => (withParams ? vectorFormulas(inputs[0], cfg, (center, scale) => Number(center) + Number(scale) + 2) : { output: inputs[0] }),
};

const layerNormalization: LayerRule = {
  className: 'LayerNormalization',
  outputShape(inputs, cfg, ctx) {
    check(inputs, cfg, ctx, true);
    return sameShape(inputs);
  },
  params(inputs, cfg, ctx) {
    const c = check(inputs, cfg, ctx, false);
    const center = cfg.bool('center', true);
    const scale = cfg.bool('scale', true);
    const rms = cfg.bool('rms_scaling', false);
    if (c === null || center === null || scale === null || rms === null) return UNKNOWN_PARAMS;
    // rms_scaling keeps gamma and drops beta.
    const k = Number(scale || rms) + Number(center && !rms);
    return vectorParams(k, c);
  },
  cost: () => ({ macs: 0, flops: null }),
  // Normalises over the last axis by default: positions keep their fields.
  spatial: (_inputs, _outputs, cfg) => (cfg.raw.axis === undefined || cfg.raw.axis === -1 ? 'pointwise' : null),
  symbolic: (inputs, cfg, _setting, withParams) => {
    const rms = withParams ? cfg.bool('rms_scaling', false) : null;
    return rms === null ? { output: inputs[0] } : vectorFormulas(inputs[0], cfg, (center, scale) => Number(scale || rms) + Number(center && !rms));
  },
};

/**
 * Formulas of a normalization over one axis: the input's shape, and `perChannel(center, scale)`
 * vectors as long as that axis (a list of axes: the shape only).
 */
function vectorFormulas(input: FormulaShape, cfg: Cfg, perChannel: (center: boolean, scale: boolean) => number): SymbolicResult {
  const raw = cfg.raw.axis;
  const axis = raw === undefined ? -1 : typeof raw === 'number' && Number.isSafeInteger(raw) ? raw : null;
  const center = cfg.bool('center', true);
  const scale = cfg.bool('scale', true);
  const a = axis === null ? -1 : axis < 0 ? axis + input.length : axis;
  if (axis === null || a <= 0 || a >= input.length || center === null || scale === null) return { output: input };
  return { output: input, params: times(formulaOf(input[a]), perChannel(center, scale)) };
}

function groupChannels(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext, report: boolean): number | null {
  const c = check(inputs, cfg, ctx, report);
  if (c === null) return null;
  let groups = cfg.int('groups', 32);
  if (groups === null) return c;
  if (groups === -1) groups = c;
  if (c < groups) {
    if (report) ctx.error(DiagnosticCode.invalidConfig, `Number of groups (${groups}) cannot be more than the number of channels (${c}).`);
    return null;
  }
  if (groups <= 0 || c % groups !== 0) {
    // Keras' own wording (the multiple relation is stated the other way round).
    if (report) ctx.error(DiagnosticCode.invalidConfig, `Number of groups (${groups}) must be a multiple of the number of channels (${c}).`);
    return null;
  }
  if (report) ctx.explain(`${c} channels in ${groups} groups of ${c / groups}`);
  return c;
}

const groupNormalization: LayerRule = {
  className: 'GroupNormalization',
  outputShape(inputs, cfg, ctx) {
    groupChannels(inputs, cfg, ctx, true);
    return sameShape(inputs);
  },
  params(inputs, cfg, ctx) {
    const c = groupChannels(inputs, cfg, ctx, false);
    const center = cfg.bool('center', true);
    const scale = cfg.bool('scale', true);
    if (c === null || center === null || scale === null) return UNKNOWN_PARAMS;
    return vectorParams(Number(center) + Number(scale), c);
  },
  cost: () => ({ macs: 0, flops: null }),
};

/**
 * Keras 3 RMSNormalization: one trainable `scale` of shape `tuple(input_shape[a] for a in axis)`
 * (default axis −1), no input_spec; the output keeps the input's shape.
 */
const rmsNormalization: LayerRule = {
  className: 'RMSNormalization',
  outputShape: sameShape,
  params(inputs, cfg, ctx) {
    const x = inputs[0];
    const rawAxes = readAxes(cfg, 'axis', -1);
    if (rawAxes === null) return UNKNOWN_PARAMS;
    // Python indexes the shape tuple: an axis outside it is an IndexError at build.
    const axes = resolveAxes(rawAxes, x, ctx, () => 'tuple index out of range');
    if (axes === null || axes.some((a) => x[a] === null)) return UNKNOWN_PARAMS;
    const dims = axes.map((a) => x[a] as number);
    const size = dims.reduce((p, d) => p * d, 1);
    return { trainable: size, nonTrainable: 0, formula: dims.length === 1 ? `${size} (scale)` : `${dims.join('·')} = ${size} (scale)` };
  },
  cost: () => ({ macs: 0, flops: null }),
  spatial: (_inputs, _outputs, cfg) => (cfg.raw.axis === undefined || cfg.raw.axis === -1 ? 'pointwise' : null),
};

/** BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization, RMSNormalization. */
export const normalizationRules: LayerRule[] = [
  batchNormalization,
  layerNormalization,
  groupNormalization,
  { className: 'UnitNormalization', outputShape: sameShape, cost: () => ({ macs: 0, flops: null }), spatial: (_i, _o, cfg) => (cfg.raw.axis === undefined || cfg.raw.axis === -1 ? 'pointwise' : null) },
  rmsNormalization,
];
