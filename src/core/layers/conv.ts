// Convolution layer rules: Conv1D–3D, their transposes, separable and depthwise convs, built from
// one factory so the variants differ only by data (spatial rank and kind).

import type { Cfg, LayerConfig } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { divide, formulaOf, plus, productOf, times, type Formula, type FormulaShape } from '../formula';
import { formatCount, UNKNOWN_DIM, type RuleDim, type RuleShape } from '../shape';
import {
  checkPositive,
  deconvFormula,
  deconvOutputLength,
  explainDeconvLength,
  joinChannels,
  readPadding,
  channelsOf,
  product,
  quietContext,
  spatialProduct,
  reportUndefinedChannels,
  spatialAxisNames,
  splitChannels,
  windowedSpatial,
  windowFormula,
  windowMap,
  windowShape,
  type DataFormat,
  type Padding,
} from './convutils';
import { GLOROT_KERNEL } from './core';
import type { CallCost, LayerRule, ParamCount, RuleContext, SpatialMap, SymbolicResult } from './types';

/** `conv`: Conv1D–3D; `transpose`: ConvNDTranspose; `separable`: depthwise + pointwise; `depthwise`: per-channel. */
type ConvKind = 'conv' | 'transpose' | 'separable' | 'depthwise';

/** A conv layer's settings after Keras' constructor validation; null entries are unknown. */
interface ConvSetup {
  format: DataFormat | null;
  /** Output channels for conv / transpose / separable; unused (null) for depthwise. */
  filters: number | null;
  kernel: (number | null)[];
  strides: (number | null)[];
  dilation: (number | null)[];
  padding: Padding | null;
  groups: number | null;
  depthMultiplier: number | null;
  useBias: boolean | null;
  /** Transposed conv only: undefined when `output_padding` is None (Keras infers the length). */
  outputPadding: (number | null)[] | undefined;
}

const UNKNOWN_PARAMS: ParamCount = { trainable: null, nonTrainable: null };

/**
 * Settings are read once per layer evaluation (the same Cfg is handed to `outputShape` and then to
 * `params`), so constructor errors and config problems are reported once.
 */
const setups = new WeakMap<Cfg, ConvSetup | null>();

/**
 * Setups of configs that validated without a word (`validate` reports an error only where it
 * returns null; no setting Shape Lens could not read), by the config itself: another reader of the
 * same config outside the evaluator's stand-in runs (cost analytics after the analysis, another
 * call of a shared layer) takes it as it is. Validating again was 40% of what cost analytics add.
 */
const quietSetups = new WeakMap<LayerConfig, { kind: ConvKind; rank: number; setup: ConvSetup }>();

function readSetup(kind: ConvKind, rank: number, cfg: Cfg, ctx: RuleContext): ConvSetup | null {
  // Settings that validated quietly give the same setup to every reader of them (cost analytics' too).
  const known = cfg.run === undefined ? quietSetups.get(cfg.raw) : undefined;
  if (known && known.kind === kind && known.rank === rank) return known.setup;
  const mine = setups.get(cfg);
  if (mine !== undefined || setups.has(cfg)) return mine ?? null;
  const problems = cfg.problems.length;
  const s = validate(kind, rank, cfg, ctx);
  setups.set(cfg, s);
  if (s && cfg.run === undefined && !cfg.lost && cfg.problems.length === problems) quietSetups.set(cfg.raw, { kind, rank, setup: s });
  return s;
}

/** Reads the config and applies the checks Keras makes in the layer constructor; null if Keras would raise. */
function validate(kind: ConvKind, rank: number, cfg: Cfg, ctx: RuleContext): ConvSetup | null {
  const who = `${ctx.layerName} (${ctx.className})`;
  let ok = true;
  const missing = (arg: string) => {
    ctx.error(DiagnosticCode.missingArgument, `${who}: ${ctx.className}.__init__() missing 1 required positional argument: '${arg}'`);
    ok = false;
  };

  let filters: number | null = null;
  if (kind !== 'depthwise') {
    const f = cfg.int('filters');
    if (f === undefined) missing('filters');
    else filters = f;
    if (filters !== null && filters <= 0) {
      ctx.error(DiagnosticCode.invalidConfig, `${who}: Invalid value for argument \`filters\`. Expected a strictly positive value. Received filters=${filters}.`);
      ok = false;
    }
  }
  const kernel = cfg.ints('kernel_size', rank, null);
  if (kernel === null && !cfg.has('kernel_size')) missing('kernel_size');
  const strides = cfg.ints('strides', rank, 1) ?? Array<null>(rank).fill(null);
  const dilation = cfg.ints('dilation_rate', rank, 1) ?? Array<null>(rank).fill(null);
  const allowed: Padding[] = kind === 'conv' && rank === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same'];
  const padding = readPadding(cfg, ctx, allowed);
  if (padding === 'invalid') ok = false;
  const format = cfg.dataFormat();
  const useBias = cfg.bool('use_bias', true);

  ok = checkPositive(ctx, 'kernel_size', kernel) && ok;
  ok = checkPositive(ctx, 'strides', strides) && ok;
  ok = checkPositive(ctx, 'dilation_rate', dilation) && ok;

  let groups: number | null = 1;
  if (kind === 'conv') {
    groups = cfg.int('groups', 1);
    if (groups !== null && groups <= 0) {
      ctx.error(DiagnosticCode.invalidGroups, `${who}: The number of groups must be a positive integer. Received: groups=${groups}.`);
      ok = false;
    } else if (groups !== null && filters !== null && filters > 0 && filters % groups !== 0) {
      ctx.error(DiagnosticCode.invalidGroups, `${who}: The number of filters must be evenly divisible by the number of groups. Received: groups=${groups}, filters=${filters}.`);
      ok = false;
    }
  }

  let depthMultiplier: number | null = 1;
  if (kind === 'separable' || kind === 'depthwise') {
    depthMultiplier = cfg.int('depth_multiplier', 1);
    if (depthMultiplier !== null && depthMultiplier <= 0) {
      ctx.error(DiagnosticCode.invalidConfig, `${who}: Invalid value for argument \`depth_multiplier\`. Expected a strictly positive value. Received depth_multiplier=${depthMultiplier}.`);
      ok = false;
    }
  }

  let outputPadding: (number | null)[] | undefined;
  if (kind === 'transpose' && cfg.raw['output_padding'] !== undefined && cfg.raw['output_padding'] !== null) {
    outputPadding = cfg.ints('output_padding', rank, 0) ?? Array<null>(rank).fill(null);
    ok = checkPositive(ctx, 'output_padding', outputPadding, true) && ok;
    const tooBig = outputPadding.some((p, i) => p !== null && strides[i] !== null && p >= (strides[i] as number));
    if (tooBig) {
      ctx.error(DiagnosticCode.invalidConfig, `${who}: \`output_padding\` must be < \`strides\`. output_padding=${tuple(outputPadding)}, strides=${tuple(strides)}`);
      ok = false;
    }
  }

  const maxOf = (v: (number | null)[]) => Math.max(...v.map((x) => x ?? 1));
  if (maxOf(strides) > 1 && maxOf(dilation) > 1) {
    ctx.error(
      DiagnosticCode.invalidConfig,
      `${who}: \`strides > 1\` not supported in conjunction with \`dilation_rate > 1\`. Received: strides=${tuple(strides)} and dilation_rate=${tuple(dilation)}`,
    );
    ok = false;
  }

  if (!ok) return null;
  return {
    format,
    filters,
    kernel: kernel ?? Array<null>(rank).fill(null),
    strides,
    dilation,
    padding: padding === 'invalid' ? null : padding,
    groups,
    depthMultiplier,
    useBias,
    outputPadding,
  };
}

/** Python tuple text: `(2, 2)`, `(3,)`. */
function tuple(v: (number | null)[]): string {
  const parts = v.map((x) => (x === null ? 'None' : String(x)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

function mul(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a * b;
}

/** Output channels: `filters`, or `c_in · depth_multiplier` for depthwise convs. */
function outChannels(kind: ConvKind, s: ConvSetup, cin: RuleDim): RuleDim {
  return kind === 'depthwise' ? mul(cin, s.depthMultiplier) : s.filters;
}

/** Transposed conv spatial dims; a zero or negative result is reported and becomes None. */
function transposedSpatial(spatial: RuleDim[], s: ConvSetup, ctx: RuleContext): RuleDim[] {
  const names = spatialAxisNames(spatial.length);
  const padding = s.padding === 'causal' ? null : s.padding;
  return spatial.map((n, i) => {
    const op = s.outputPadding === undefined ? undefined : s.outputPadding[i];
    const out = deconvOutputLength(n, s.kernel[i], padding, s.strides[i], s.dilation[i], op);
    if (out === null) return null;
    const text = explainDeconvLength(n as number, s.kernel[i] as number, padding as 'valid' | 'same', s.strides[i] as number, s.dilation[i] as number, op ?? undefined, out);
    if (out <= 0) {
      ctx.error(DiagnosticCode.negativeDimension, `Transposed convolution in ${ctx.layerName} (${ctx.className}) gives a ${out < 0 ? 'negative' : 'zero'} size along ${names[i]}: ${text}.`);
      return null;
    }
    ctx.explain((spatial.length > 1 ? `${names[i]}: ` : '') + text);
    return out;
  });
}

function outputShape(kind: ConvKind, rank: number, inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleShape | null {
  const s = readSetup(kind, rank, cfg, ctx);
  if (!s || !s.format) return null;
  const input = inputs[0];
  const { batch, spatial, channels } = splitChannels(input, s.format);
  if (kind === 'conv' && channels !== null && s.groups !== null && channels % s.groups !== 0) {
    ctx.error(
      DiagnosticCode.invalidGroups,
      `${ctx.layerName} (${ctx.className}): The number of input channels must be evenly divisible by the number of groups. Received groups=${s.groups}, but the input has ${channels} channels (full input shape is ${tuple(input)}).`,
    );
    return null;
  }
  const outSpatial = kind === 'transpose' ? transposedSpatial(spatial, s, ctx) : windowedSpatial(spatial, s, ctx);
  return joinChannels(batch, outSpatial, outChannels(kind, s, channels), s.format);
}

function params(kind: ConvKind, rank: number, inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): ParamCount {
  const s = readSetup(kind, rank, cfg, ctx);
  if (!s || !s.format) return UNKNOWN_PARAMS;
  const input = inputs[0];
  const cin = splitChannels(input, s.format).channels;
  if (cin === null) {
    reportUndefinedChannels(ctx, input, s.format);
    return UNKNOWN_PARAMS;
  }
  if (s.kernel.some((k) => k === null) || s.useBias === null) return UNKNOWN_PARAMS;
  const k = s.kernel as number[];
  const kText = k.join('·');
  const kProd = k.reduce((a, b) => a * b, 1);
  const f = s.filters;
  const dm = s.depthMultiplier;
  const bias = (n: number) => (s.useBias ? n : 0);
  const biasText = (n: number | string) => (s.useBias ? ` + ${n}` : '');
  let total: number;
  let text: string;
  switch (kind) {
    case 'conv': {
      const g = s.groups;
      if (f === null || g === null || cin % g !== 0) return UNKNOWN_PARAMS;
      total = kProd * (cin / g) * f + bias(f);
      text = `${kText}·${g === 1 ? cin : `(${cin}/${g})`}·${f}${biasText(f)}`;
      break;
    }
    case 'transpose':
      if (f === null) return UNKNOWN_PARAMS;
      total = kProd * cin * f + bias(f);
      text = `${kText}·${cin}·${f}${biasText(f)}`;
      break;
    case 'separable':
      if (f === null || dm === null) return UNKNOWN_PARAMS;
      total = kProd * cin * dm + cin * dm * f + bias(f);
      text = `${kText}·${cin}·${dm} + ${cin}·${dm}·${f}${biasText(f)}`;
      break;
    case 'depthwise':
      if (dm === null) return UNKNOWN_PARAMS;
      total = kProd * cin * dm + bias(cin * dm);
      text = `${kText}·${cin}·${dm}${biasText(`${cin}·${dm}`)}`;
      break;
  }
  return { trainable: total, nonTrainable: 0, formula: `${text} = ${formatCount(total)}` };
}

/**
 * MACs of one call: output positions × kernel × input channels per group × filters (conv); ×
 * c_in·depth_multiplier (depthwise); depthwise then pointwise (separable); each input position ×
 * kernel × c_in × filters (transposed). FLOPs as tf.profiler counts Conv2D, DepthwiseConv2dNative
 * and BiasAdd: 2 per MAC plus one per output element for the bias (Conv1D runs as Conv2D; Conv3D
 * and transposed convs are counted the same way).
 */
function cost(kind: ConvKind, rank: number, input: RuleShape, output: RuleShape, cfg: Cfg): CallCost {
  const s = readSetup(kind, rank, cfg, quietContext(kind));
  if (!s || !s.format || s.useBias === null || s.kernel.some((k) => k === null)) return { macs: null, flops: null };
  const k = product(s.kernel, 0, s.kernel.length);
  const inPos = spatialProduct(input, s.format);
  const outPos = spatialProduct(output, s.format);
  const cin = channelsOf(input, s.format);
  const cout = channelsOf(output, s.format);
  if (k === null || inPos === null || outPos === null || cin === null || cout === null) return { macs: null, flops: null };
  let macs: number;
  if (kind === 'conv') {
    if (s.groups === null) return { macs: null, flops: null };
    macs = outPos * k * (cin / s.groups) * cout;
  } else if (kind === 'transpose') macs = inPos * k * cin * cout;
  else if (kind === 'depthwise') macs = outPos * k * cout;
  else {
    if (s.depthMultiplier === null) return { macs: null, flops: null };
    macs = outPos * k * cin * s.depthMultiplier + outPos * cin * s.depthMultiplier * cout;
  }
  return { macs, flops: 2 * macs + (s.useBias ? outPos * cout : 0) };
}

/** The window a conv's output positions see (transposed convs spread positions out: not described). */
function spatial(kind: ConvKind, rank: number, input: RuleShape, output: RuleShape, cfg: Cfg): SpatialMap {
  const s = readSetup(kind, rank, cfg, quietContext(kind));
  if (kind === 'transpose' || !s || !s.format) return null;
  return windowMap(input, output, s.format, s);
}

/**
 * Formulas (core/symbolic.ts): each spatial axis by the window (or transposed window) arithmetic,
 * channels `filters` (`c_in·depth_multiplier` for depthwise), weights as `params` counts them.
 */
function symbolic(kind: ConvKind, rank: number, input: FormulaShape, cfg: Cfg, setting: (key: string) => Formula | undefined, withParams: boolean): SymbolicResult | null {
  const s = readSetup(kind, rank, cfg, quietContext(kind));
  if (!s || !s.format) return null;
  const cin = formulaOf(splitChannels(input, s.format).channels);
  const dm = s.depthMultiplier;
  const filters = setting('filters');
  const cout = kind === 'depthwise' ? times(cin, dm) : filters;
  const padding = s.padding === 'causal' ? null : s.padding;
  const along =
    kind === 'transpose'
      ? (n: Formula, i: number) => deconvFormula(n, s.kernel[i], padding, s.strides[i], s.dilation[i], s.outputPadding === undefined ? undefined : s.outputPadding[i])
      : (n: Formula, i: number) => windowFormula(n, s, i);
  const output = windowShape(input, s.format, along, cout ?? UNKNOWN_DIM);
  if (s.kernel.some((k) => k === null) || s.useBias === null) return { output };
  const k = product(s.kernel, 0, s.kernel.length);
  const macs = () => convMacs(kind, s, k, input, output);
  if (!withParams) return { output, macs };
  const bias = (n: Formula | undefined) => (s.useBias ? n : 0);
  let params: Formula | undefined;
  if (kind === 'conv') params = s.groups === null || !cin ? undefined : plus(times(k, divide(cin, s.groups, 'div'), filters), bias(filters));
  else if (kind === 'transpose') params = plus(times(k, cin, filters), bias(filters));
  else if (kind === 'separable') params = plus(times(k, cin, dm), times(cin, dm, filters), bias(filters));
  else params = plus(times(k, cin, dm), bias(times(cin, dm)));
  return { output, params, macs };
}

/** `cost`'s MACs on formula shapes. */
function convMacs(kind: ConvKind, s: ConvSetup, k: number | null, input: FormulaShape, output: FormulaShape): Formula | undefined {
  const format = s.format as DataFormat;
  const positions = (x: FormulaShape) => productOf(splitChannels(x, format).spatial);
  const cin = formulaOf(channelsOf(input, format));
  const cout = formulaOf(channelsOf(output, format));
  if (kind === 'conv') return s.groups === null || !cin ? undefined : times(positions(output), k, divide(cin, s.groups, 'div'), cout);
  if (kind === 'transpose') return times(positions(input), k, cin, cout);
  if (kind === 'depthwise') return times(positions(output), k, cout);
  return plus(times(positions(output), k, cin, s.depthMultiplier), times(positions(output), cin, s.depthMultiplier, cout));
}

/** One rule per (kind, spatial rank); the name and aliases are the only other data. */
function convRule(kind: ConvKind, rank: number, className: string, aliases: string[] = []): LayerRule {
  return {
    className,
    aliases,
    // Keras declares min_ndim = rank + 2 and rejects higher ranks later, so this gives its wording.
    inputRank: { min: rank + 2, max: rank + 2 },
    outputShape: (inputs, cfg, ctx) => outputShape(kind, rank, inputs, cfg, ctx),
    params: (inputs, cfg, ctx) => params(kind, rank, inputs, cfg, ctx),
    cost: (inputs, outputs, cfg) => cost(kind, rank, inputs[0], outputs[0], cfg),
    spatial: (inputs, outputs, cfg) => spatial(kind, rank, inputs[0], outputs[0], cfg),
    symbolic: (inputs, cfg, setting, withParams) => symbolic(kind, rank, inputs[0], cfg, setting, withParams),
    // tfjs' conv kernels default to glorotNormal (separable ones to glorotUniform, as Keras).
    ...(kind === 'separable'
      ? {}
      : { defaultsDiffer: kind === 'depthwise' ? { keras: { depthwise_initializer: 'glorot_uniform' }, tfjs: { depthwise_initializer: 'glorot_normal' } } : GLOROT_KERNEL }),
    exportConfig(c) {
      if ((c.groups ?? 1) !== 1) return { skip: "tfjs-layers' convolutions have no groups" };
      if (c.output_padding !== undefined && c.output_padding !== null) return { skip: "tfjs-layers' transposed convolutions have no output_padding" };
      // tfjs 4.22 sizes a causal Conv1D as valid and throws when it runs (conv1dWithBias).
      if (typeof c.padding === 'string' && c.padding.toLowerCase() === 'causal') return { skip: "tfjs-layers has no causal padding" };
      return { config: c };
    },
  };
}

export const convRules: LayerRule[] = [
  convRule('conv', 1, 'Conv1D', ['Convolution1D']),
  convRule('conv', 2, 'Conv2D', ['Convolution2D']),
  convRule('conv', 3, 'Conv3D', ['Convolution3D']),
  convRule('transpose', 1, 'Conv1DTranspose', ['Convolution1DTranspose']),
  convRule('transpose', 2, 'Conv2DTranspose', ['Convolution2DTranspose']),
  convRule('transpose', 3, 'Conv3DTranspose', ['Convolution3DTranspose']),
  convRule('separable', 1, 'SeparableConv1D', ['SeparableConvolution1D']),
  convRule('separable', 2, 'SeparableConv2D', ['SeparableConvolution2D']),
  convRule('depthwise', 1, 'DepthwiseConv1D'),
  convRule('depthwise', 2, 'DepthwiseConv2D'),
];
