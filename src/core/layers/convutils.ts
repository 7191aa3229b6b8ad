// The one output-length arithmetic shared by convolution, pooling and transposed convolution,
// plus the data_format plumbing and error wording those families have in common.

import type { Cfg } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { add, constant, divide, formulaOf, mul, sub, type Formula, type FormulaDim, type FormulaShape } from '../formula';
import { formatShape, UNKNOWN_DIM, type RuleDim, type RuleShape } from '../shape';
import type { RuleContext, SpatialMap } from './types';

/** Padding modes of a windowed op. `causal` exists only for Conv1D and sizes like `same`. */
export type Padding = 'valid' | 'same' | 'causal';
export type DataFormat = 'channels_last' | 'channels_first';

/** Extent of a dilated kernel: `(k − 1)·d + 1`. */
export function effectiveKernel(k: number, d = 1): number {
  return (k - 1) * d + 1;
}

/**
 * Output length of a conv or pooling window along one axis, as Keras'
 * `compute_conv_output_shape` / `compute_pooling_output_shape`:
 * valid `⌊(n − K)/s⌋ + 1` with `K = (k − 1)·d + 1`; same / causal `⌈n/s⌉`.
 * Null when the input length or any setting is unknown. The result can be zero or negative
 * (n < K); the caller decides how to report that.
 */
export function convOutputLength(
  n: RuleDim,
  k: RuleDim,
  padding: Padding | null,
  stride: RuleDim,
  dilation: RuleDim = 1,
): number | null {
  if (n === null || padding === null || stride === null || stride <= 0) return null;
  if (padding !== 'valid') return Math.ceil(n / stride);
  if (k === null || dilation === null) return null;
  return Math.floor((n - effectiveKernel(k, dilation)) / stride) + 1;
}

/**
 * Output length of a transposed convolution along one axis, as Keras'
 * `compute_conv_transpose_output_shape` (K = (k − 1)·d + 1). Without `output_padding`:
 * valid `(n − 1)·s + max(K, s)`, same `n·s`. With it: valid `(n − 1)·s + K + op`,
 * same `(n − 1)·s + K mod 2 + op`. Null when anything is unknown.
 */
export function deconvOutputLength(
  n: RuleDim,
  k: RuleDim,
  padding: 'valid' | 'same' | null,
  stride: RuleDim,
  dilation: RuleDim = 1,
  outputPadding: RuleDim | undefined = undefined,
): number | null {
  if (n === null || k === null || padding === null || stride === null || dilation === null) return null;
  const kk = effectiveKernel(k, dilation);
  if (outputPadding === undefined) {
    return padding === 'valid' ? (n - 1) * stride + Math.max(kk, stride) : n * stride;
  }
  if (outputPadding === null) return null;
  return (n - 1) * stride + (padding === 'valid' ? kk : kk % 2) + outputPadding;
}

/** Hover text for one `convOutputLength` step: `⌊(28 − 3)/1⌋ + 1 = 26`, `⌈28/2⌉ = 14`. */
export function explainConvLength(n: number, k: number, padding: Padding, stride: number, dilation: number, out: number): string {
  if (padding !== 'valid') return `⌈${n}/${stride}⌉ = ${out}`;
  const kk = effectiveKernel(k, dilation);
  const kernel = dilation === 1 ? `${k}` : `${kk}`;
  const note = dilation === 1 ? '' : ` (effective kernel (${k} − 1)·${dilation} + 1 = ${kk})`;
  return `⌊(${n} − ${kernel})/${stride}⌋ + 1 = ${out}${note}`;
}

/** Hover text for one `deconvOutputLength` step: `(14 − 1)·2 + max(3, 2) = 29`, `14·2 = 28`. */
export function explainDeconvLength(
  n: number,
  k: number,
  padding: 'valid' | 'same',
  stride: number,
  dilation: number,
  outputPadding: number | undefined,
  out: number,
): string {
  const kk = effectiveKernel(k, dilation);
  const note = dilation === 1 ? '' : ` (effective kernel (${k} − 1)·${dilation} + 1 = ${kk})`;
  let body: string;
  if (outputPadding === undefined) body = padding === 'valid' ? `(${n} − 1)·${stride} + max(${kk}, ${stride})` : `${n}·${stride}`;
  else body = `(${n} − 1)·${stride} + ${padding === 'valid' ? kk : `${kk} mod 2`} + ${outputPadding}`;
  return `${body} = ${out}${note}`;
}

/** Names of spatial axes for messages and hovers, by spatial rank. */
export function spatialAxisNames(rank: number): string[] {
  if (rank === 1) return ['steps'];
  if (rank === 2) return ['height', 'width'];
  if (rank === 3) return ['dim1', 'dim2', 'dim3'];
  return Array.from({ length: rank }, (_, i) => `dim${i + 1}`);
}

/** Splits a batch-first shape into batch, spatial dims and channels according to `data_format`. */
export function splitChannels<D>(shape: readonly D[], format: DataFormat): { batch: D; spatial: D[]; channels: D } {
  if (format === 'channels_first') return { batch: shape[0], channels: shape[1], spatial: shape.slice(2) };
  return { batch: shape[0], channels: shape[shape.length - 1], spatial: shape.slice(1, -1) };
}

/** Inverse of `splitChannels`. */
export function joinChannels<D>(batch: D, spatial: D[], channels: D, format: DataFormat): D[] {
  return format === 'channels_first' ? [batch, channels, ...spatial] : [batch, ...spatial, channels];
}

/** Reads `padding`, lower-cased as Keras' `standardize_padding` does; reports values outside `allowed`. */
export function readPadding<P extends string>(cfg: Cfg, ctx: RuleContext, allowed: readonly P[]): P | null | 'invalid' {
  const raw = cfg.str('padding', 'valid', allowed);
  if (raw === null) return null;
  const p = raw.toLowerCase();
  if ((allowed as readonly string[]).includes(p)) return p as P;
  ctx.error(
    DiagnosticCode.invalidConfig,
    `${ctx.layerName} (${ctx.className}): The \`padding\` argument must be a list/tuple or one of {${allowed.map((a) => `'${a}'`).join(', ')}}. Received: ${raw}`,
  );
  return 'invalid';
}

/** Reports entries of an int tuple setting that are not strictly positive (Keras' `standardize_tuple`). */
export function checkPositive(ctx: RuleContext, key: string, values: (number | null)[] | null, allowZero = false): boolean {
  if (!values) return true;
  const bad = values.filter((v): v is number => v !== null && (allowZero ? v < 0 : v <= 0));
  if (bad.length === 0) return true;
  const tuple = values.length === 1 ? `(${values[0] ?? 'None'},)` : `(${values.map((v) => v ?? 'None').join(', ')})`;
  ctx.error(
    DiagnosticCode.invalidConfig,
    `${ctx.layerName} (${ctx.className}): The \`${key}\` argument must be a tuple of ${values.length} integers. Received ${key}=${tuple}, including values {${[...new Set(bad)].join(', ')}} that do not satisfy \`value ${allowZero ? '>= 0' : '> 0'}\``,
  );
  return false;
}

/** Settings of a windowed op (conv or pooling) along every spatial axis. */
export interface WindowSettings {
  kernel: (number | null)[];
  strides: (number | null)[];
  dilation: (number | null)[];
  padding: Padding | null;
}

/**
 * Output spatial dims of a conv / pooling window: runs `convOutputLength` on each axis, records the
 * arithmetic for hovers, and reports an output of zero or less as `negative-dimension`.
 * Convention: such a dim becomes null (None) in the returned list; other dims stay known.
 */
export function windowedSpatial(spatial: RuleDim[], w: WindowSettings, ctx: RuleContext): RuleDim[] {
  const names = spatialAxisNames(spatial.length);
  const label = (i: number) => (spatial.length > 1 ? `${names[i]}: ` : '');
  // Axes that come out empty are reported together: one diagnostic per layer, not one per axis.
  const failed: { sub: number; n: number; axis: string }[] = [];
  const dims = spatial.map((n, i) => {
    const k = w.kernel[i];
    const s = w.strides[i];
    const d = w.dilation[i];
    const out = convOutputLength(n, k, w.padding, s, d);
    if (out === null || n === null || w.padding === null || s === null) return null;
    if (w.padding === 'valid' && (k === null || d === null)) return null;
    const kk = w.padding === 'valid' ? effectiveKernel(k as number, d as number) : 1;
    if (out <= 0) {
      failed.push({ sub: kk, n, axis: names[i] });
      return null;
    }
    ctx.explain(label(i) + explainConvLength(n, k ?? 1, w.padding, s, d ?? 1, out));
    return out;
  });
  if (failed.length > 0) {
    const [first, ...rest] = failed;
    const same = rest.every((f) => f.sub === first.sub && f.n === first.n);
    const axes = same ? failed.map((f) => f.axis).join(' and ') : first.axis;
    const more = same ? '' : `Also ${rest.map((f) => `${f.axis}: subtracting ${f.sub} from ${f.n}`).join('; ')}.`;
    reportNegative(ctx, first.sub, first.n, axes, w.padding === 'valid' ? { arg: 'padding', value: "'same'", title: "Use padding='same'" } : undefined, first.sub, more, same && failed.length > 1);
  }
  return dims;
}

/**
 * `convOutputLength` on a formula (core/formula.ts): valid `⌊(n − K)/s⌋ + 1`, same / causal
 * `⌈n/s⌉`; undefined when a setting is unknown.
 */
export function windowFormula(n: Formula, w: WindowSettings, i: number): Formula | undefined {
  const s = w.strides[i];
  if (w.padding === null || s === null || s <= 0) return undefined;
  if (w.padding !== 'valid') return divide(n, s, 'ceil') ?? undefined;
  const k = w.kernel[i];
  const d = w.dilation[i];
  if (k === null || d === null) return undefined;
  const diff = sub(n, constant(effectiveKernel(k, d)));
  const q = diff && divide(diff, s, 'floor');
  return (q && add(q, constant(1))) ?? undefined;
}

/** `deconvOutputLength` on a formula; undefined when a setting is unknown. */
export function deconvFormula(n: Formula, k: number | null, padding: 'valid' | 'same' | null, stride: number | null, dilation: number | null, outputPadding: number | null | undefined): Formula | undefined {
  if (k === null || padding === null || stride === null || dilation === null || outputPadding === null) return undefined;
  const kk = effectiveKernel(k, dilation);
  if (outputPadding === undefined && padding === 'same') return mul(n, constant(stride)) ?? undefined;
  const tail = outputPadding === undefined ? Math.max(kk, stride) : (padding === 'valid' ? kk : kk % 2) + outputPadding;
  const m = sub(n, constant(1));
  const t = m && mul(m, constant(stride));
  return (t && add(t, constant(tail))) ?? undefined;
}

/** The formula shape of a window's output (spatial axes by `windowFormula`, batch and channels as `channels`). */
export function windowShape(input: FormulaShape, format: DataFormat, spatial: (n: Formula, i: number) => Formula | undefined, channels: FormulaDim): FormulaShape {
  const parts = splitChannels(input, format);
  const out = parts.spatial.map((n, i) => {
    const f = formulaOf(n);
    return f ? (spatial(f, i) ?? UNKNOWN_DIM) : n;
  });
  return joinChannels<FormulaDim>(parts.batch, out, channels, format);
}

/**
 * Reports an output dim that would be zero or negative after taking `sub` from `n` along `axis`
 * (TensorFlow's wording), with the smallest input size that fits.
 */
export function reportNegative(
  ctx: RuleContext,
  sub: number,
  n: number,
  axis: string,
  fix?: { arg: string; value: string; title: string },
  needs = sub,
  detail = '',
  plural = false,
): void {
  const kind = n - sub < 0 ? 'Negative' : 'Zero';
  ctx.error(
    DiagnosticCode.negativeDimension,
    `${kind} dimension size caused by subtracting ${sub} from ${n} in ${ctx.layerName} (${ctx.className}) along ${axis}; needs at least ${needs} along ${plural ? 'those axes' : 'that axis'}.${detail ? ' ' + detail : ''}`,
    fix,
  );
}

/** Keras' message for an undefined channel dim, which makes the layer's weights unknowable. */
export function reportUndefinedChannels(ctx: RuleContext, shape: RuleShape, format: DataFormat): void {
  ctx.error(
    DiagnosticCode.undefinedChannels,
    `${ctx.layerName} (${ctx.className}): The channel dimension of the inputs should be defined. The input_shape received is ${formatShape(shape)}, where axis ${format === 'channels_first' ? 1 : -1} (0-based) is the channel dimension, which found to be \`None\`.`,
  );
}

/**
 * How a conv or pooling window maps positions (receptive fields, core/cost.ts): the dilated
 * kernel, the stride, and the padding before the first element, which for `same` is TensorFlow's
 * `⌊max((out − 1)·s + K − n, 0)/2⌋` on these sizes and for `causal` all `K − 1` before. Null when
 * a size or setting is unknown. `input` and `output` are whole shapes (batch and channels too).
 */
export function windowMap(input: RuleShape, output: RuleShape, format: DataFormat, w: WindowSettings): SpatialMap {
  const axes = Math.max(input.length - 2, 0);
  // Arrays of their final length (one pushed onto [] gets room for 17).
  const kernel = new Array<number>(axes);
  const stride = new Array<number>(axes);
  const padBefore = new Array<number>(axes);
  const first = format === 'channels_first' ? 2 : 1;
  for (let i = 0; i < axes; i++) {
    const n = input[first + i];
    const out = i < output.length - 2 ? output[first + i] : undefined;
    const k = w.kernel[i];
    const s = w.strides[i];
    const d = w.dilation[i];
    if (k === null || s === null || d === null || w.padding === null) return null;
    const kk = effectiveKernel(k, d);
    kernel[i] = kk;
    stride[i] = s;
    // `same` pads (K − 1)/2 before at stride 1 whatever the size; at larger strides it depends on the size (None: unknown).
    if (w.padding === 'same' && s !== 1 && (n === null || out === null || out === undefined)) return null;
    padBefore[i] = w.padding === 'valid' ? 0 : w.padding === 'causal' ? kk - 1 : s === 1 ? Math.floor((kk - 1) / 2) : Math.floor(Math.max(((out as number) - 1) * s + kk - (n as number), 0) / 2);
  }
  return { kernel, stride, padBefore };
}

/** Product of `dims[from..to)`, or null if one is unknown (None). */
export function product(dims: readonly RuleDim[], from: number, to: number): number | null {
  let p = 1;
  for (let i = from; i < to; i++) {
    const d = dims[i];
    if (d === null) return null;
    p *= d;
  }
  return p;
}

/** Product of the spatial dims of a batch-first shape (`splitChannels(shape, format).spatial`). */
export function spatialProduct(shape: RuleShape, format: DataFormat): number | null {
  return format === 'channels_first' ? product(shape, 2, shape.length) : product(shape, 1, shape.length - 1);
}

/** The channel dim of a batch-first shape (`splitChannels(shape, format).channels`). */
export function channelsOf<D>(shape: readonly D[], format: DataFormat): D {
  return format === 'channels_first' ? shape[1] : shape[shape.length - 1];
}

const quietContexts = new Map<string, RuleContext>();

/** A layer context that records nothing: rules' readers run again for cost and receptive fields. */
export function quietContext(className: string): RuleContext {
  let ctx = quietContexts.get(className);
  if (!ctx) {
    ctx = makeQuietContext(className);
    quietContexts.set(className, ctx);
  }
  return ctx;
}

function makeQuietContext(className: string): RuleContext {
  return {
    layerName: className,
    className,
    error: () => {},
    warning: () => {},
    explain: () => {},
    inner: () => ({ output: null, params: { trainable: null, nonTrainable: null } }),
  };
}
