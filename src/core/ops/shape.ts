// Ops that rearrange a tensor: reshape, transpose, expand_dims / squeeze, concatenate / stack /
// split / unstack, tile / repeat / broadcast_to, pad, slice, gather / take, one_hot, flatten.

import { UNKNOWN, type Cfg, type ConfigValue } from '../config';
import type { RuleDim, RuleOutputShape, RuleShape } from '../shape';
import type { LayerRule, RuleContext } from '../layers/types';
import { broadcastShapes } from './elementwise';
import { argError, axesArg, formatShape, intArg, normAxis, opRule, product, pyList, shapeError, sizesArg } from './util';

/** Python's repr of a shape argument as the user wrote it (tuple form). */
function pyTuple(v: (number | null)[]): string {
  return formatShape(v);
}

/**
 * `reshape(x, newshape)`. Keras 3 (`keras.ops.reshape`): a -1 next to any None is None. TF
 * (`tf.reshape`, config `tf`): None entries of `newshape` are sizes known only when the model runs
 * (`tf.shape(x)[0]`); when the input has one None and `newshape` one such entry besides the -1,
 * TF takes them as the same size and infers the -1 from the rest.
 */
function reshape(x: RuleShape, cfg: Cfg, ctx: RuleContext, key = 'newshape'): RuleOutputShape {
  const target = sizesArg(cfg, key);
  if (!target) return null;
  if (target.some((d) => d !== null && d < -1)) {
    return argError(ctx, `Each dimension in \`${key}\` must be a non-negative integer, or \`-1\` for a single unknown dimension. Received: ${key}=${pyTuple(target)}.`);
  }
  const minusOnes = target.filter((d) => d === -1).length;
  if (minusOnes > 1) return argError(ctx, `There must be at most one unknown dimension (-1) in \`${key}\`. Received: ${key}=${pyTuple(target)}.`);
  const inNones = x.filter((d) => d === null).length;
  const outNones = target.filter((d) => d === null).length;
  const tfSameNone = cfg.bool('tf', false) && inNones === 1 && outNones === 1 && minusOnes === 1;
  if ((inNones > 0 || outNones > 0) && !tfSameNone) return target.map((d) => (d === -1 ? null : d));
  const size = product(x.filter((d) => d !== null)) as number;
  const known = product(target.filter((d) => d !== -1 && d !== null)) as number;
  if (minusOnes === 0) {
    if (size !== known) return shapeError(ctx, `The total size of the tensor must be unchanged. Received: input_shape=${formatShape(x)}, ${key}=${pyTuple(target)}`);
    return [...target];
  }
  if (known === 0 || size % known !== 0) {
    return shapeError(ctx, `The total size of the tensor must be unchanged, however, the input size cannot by divided by the specified dimensions in ${key}. Received: input_shape=${formatShape(x)}, ${key}=${pyTuple(target)}`);
  }
  return target.map((d) => (d === -1 ? size / known : d));
}

/** `transpose(x, axes)` / `tf.transpose(a, perm)`: reversed without axes. */
function transpose(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const axes = axesArg(cfg, 'axes');
  if (axes === undefined) return [...x].reverse();
  if (axes === null) return null;
  const n = x.length;
  if (axes.length !== n) return argError(ctx, `axis must be a list of the same length as the input shape, expected ${n}, but received ${axes.length}.`);
  if (axes.some((a) => a < -n || a >= n)) return argError(ctx, `Each axis in \`axes\` must be an integer in [-${n}, ${n}). Received: axes=${pyList(axes)}.`);
  const norm = axes.map((a) => (a + n) % n);
  if (new Set(norm).size !== n) return argError(ctx, `\`axes\` must be a valid permutation of the input dimensions (no duplicates). Received: axes=${pyList(axes)} for input of rank ${n}.`);
  return norm.map((a) => x[a]);
}

/** `expand_dims(x, axis)`: axis (or each of a list) in the output's rank. */
function expandDims(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const axes = axesArg(cfg, 'axis');
  if (axes === undefined || axes === null) return null;
  const rank = x.length + axes.length;
  const norm: number[] = [];
  for (const a of axes) {
    const n = normAxis(a, rank, ctx, 'expand_dims');
    if (n === null) return null;
    norm.push(n);
  }
  if (new Set(norm).size !== norm.length) return argError(ctx, `expand_dims: repeated axis in ${pyList(axes)}`);
  const out: RuleDim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : x[j++]);
  return out;
}

/** `squeeze(x, axis=None)`: without axis, every size-1 dim goes (None dims stay). */
function squeeze(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const axes = axesArg(cfg, 'axis');
  if (axes === null) return null;
  if (axes === undefined) return x.filter((d) => d !== 1);
  const norm: number[] = [];
  for (const a of axes) {
    const n = normAxis(a, x.length, ctx, 'squeeze');
    if (n === null) return null;
    if (x[n] !== 1 && x[n] !== null) return argError(ctx, `Cannot squeeze axis ${a}, because the dimension is not 1.`);
    norm.push(n);
  }
  return x.filter((_, i) => !norm.includes(i));
}

/** Keras' `shape_equal(a, b, axis, allow_none=True)`: equal ranks, equal sizes off `skip` (None matches anything). */
function sameShape(a: RuleShape, b: RuleShape, skip: number): boolean {
  return a.length === b.length && a.every((d, i) => i === skip || d === null || b[i] === null || d === b[i]);
}

/** `concatenate(xs, axis=0)`: the first shape with the axis sizes added (Keras keeps its Nones). */
function concatenate(xs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  if (xs.length === 0) return null;
  const axis = intArg(cfg, 'axis') ?? (cfg.has('axis') ? null : 0);
  if (axis === null) return null;
  const first = xs[0];
  const ax = normAxis(axis, first.length, ctx, 'concatenate');
  if (ax === null) return null;
  let total: RuleDim = 0;
  for (const s of xs) {
    if (!sameShape(s, first, ax)) {
      return shapeError(ctx, `Every value in \`xs\` must have the same shape except on the \`axis\` dim. But found element of shape ${formatShape(s)}, which is different from the first element's shape ${formatShape(first)}.`);
    }
    total = total === null || s[ax] === null ? null : total + (s[ax] as number);
  }
  return first.map((d, i) => (i === ax ? total : d));
}

/** `stack(xs, axis=0)`: equal shapes, a new axis of their count (Keras keeps the first's Nones). */
function stack(xs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  if (xs.length === 0) return null;
  const axis = intArg(cfg, 'axis') ?? (cfg.has('axis') ? null : 0);
  if (axis === null) return null;
  const first = xs[0];
  const ax = normAxis(axis, first.length + 1, ctx, 'stack');
  if (ax === null) return null;
  for (const s of xs) {
    if (!sameShape(s, first, -1)) {
      return shapeError(ctx, `Every value in \`x\` must have the same shape. But found element of shape ${formatShape(s)},  which is different from the first element's shape ${formatShape(first)}.`);
    }
  }
  const out: RuleDim[] = [...first];
  out.splice(ax, 0, xs.length);
  return out;
}

/** `unstack(x, num=None, axis=0)`: one tensor per entry of the axis (which must be a size). */
function unstack(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const axis = intArg(cfg, 'axis') ?? (cfg.has('axis') ? null : 0);
  if (axis === null) return null;
  const ax = normAxis(axis, x.length, ctx, 'unstack');
  if (ax === null) return null;
  const n = x[ax];
  if (n === null || n > 4096) return null;
  const rest = x.filter((_, i) => i !== ax);
  return Array.from({ length: n }, () => [...rest]);
}

/**
 * `split(x, indices_or_sections, axis=0)` (Keras: a count of equal parts, or the indices to cut
 * at) and `tf.split(value, num_or_size_splits, axis=0)` (config `sizes`: a count, or the sizes).
 */
function split(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const axis = intArg(cfg, 'axis') ?? (cfg.has('axis') ? null : 0);
  if (axis === null) return null;
  const ax = normAxis(axis, x.length, ctx, 'split');
  if (ax === null) return null;
  const n = x[ax];
  const raw = cfg.raw.indices_or_sections;
  const sizesGiven = cfg.bool('sizes', false);
  const part = (d: RuleDim): RuleShape => x.map((s, i) => (i === ax ? d : s));
  if (typeof raw === 'number' || raw === UNKNOWN) {
    const k = intArg(cfg, 'indices_or_sections');
    if (k === null || k === undefined || k <= 0 || k > 4096) return null;
    if (n !== null && n % k !== 0) return argError(ctx, `array split does not result in an equal division: ${n} is not divisible by ${k}`);
    return Array.from({ length: k }, () => part(n === null ? null : n / k));
  }
  const list = sizesArg(cfg, 'indices_or_sections');
  if (!list || list.length > 4096 || list.some((d) => d === null)) return null;
  const vals = list as number[];
  if (sizesGiven) {
    const minus = vals.indexOf(-1);
    const sum = vals.reduce((a, b) => (b === -1 ? a : a + b), 0);
    const sizes = vals.map((d) => (d === -1 ? (n === null ? null : n - sum) : d));
    if (n !== null && minus < 0 && sum !== n) return shapeError(ctx, `Determined shape must either match input shape along split_dim exactly if fully specified, or be less than the size of the input along split_dim if not fully specified.  Got: ${sum}`);
    return sizes.map(part);
  }
  if (n === null) return [...vals, null].map(() => part(null));
  const cuts = [0, ...vals.map((v) => Math.min(Math.max(v < 0 ? v + n : v, 0), n)), n];
  return cuts.slice(1).map((c, i) => part(Math.max(0, c - cuts[i])));
}

/** `tile(x, repeats)`: a shorter `repeats` is padded with 1s in front, a shorter input with 1-dims. */
function tile(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const reps = sizesArg(cfg, 'repeats');
  if (!reps) return null;
  if (cfg.bool('tf', false) && reps.length !== x.length) {
    return shapeError(ctx, `Expected multiples argument to be a vector of length ${x.length} but got length ${reps.length}`);
  }
  const n = Math.max(reps.length, x.length);
  const a: RuleDim[] = [...Array(n - x.length).fill(1), ...x];
  const r: RuleDim[] = [...Array(n - reps.length).fill(1), ...reps];
  return a.map((d, i) => (d === null || r[i] === null ? null : d * (r[i] as number)));
}

/** `repeat(x, repeats, axis=None)`: without an axis the input is flattened first. */
function repeat(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const reps = sizesArg(cfg, 'repeats');
  if (!reps) return null;
  const axis = intArg(cfg, 'axis');
  if (axis === null) return null;
  const total = (n: RuleDim): RuleDim => {
    if (n === null || reps.some((d) => d === null)) return null;
    if (reps.length === 1) return n * (reps[0] as number);
    if (reps.length !== n) return null;
    return (reps as number[]).reduce((p, q) => p + q, 0);
  };
  if (axis === undefined) return [total(product(x))];
  const ax = normAxis(axis, x.length, ctx, 'repeat');
  if (ax === null) return null;
  return x.map((d, i) => (i === ax ? total(d) : d));
}

/** `broadcast_to(x, shape)`. */
function broadcastTo(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const target = sizesArg(cfg, 'shape');
  if (!target) return null;
  const b = broadcastShapes(x, target, ctx);
  return b ? [...target] : null;
}

/**
 * `pad(x, pad_width)`: a `[before, after]` pair per dim (or one pair, or one int, for every dim).
 * TF's `paddings` (config `tf`) must have a pair per dim.
 */
function pad(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const raw = cfg.raw.pad_width;
  const int = (v: ConfigValue): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : v === UNKNOWN ? cfg.standIn() : null);
  let pairs: (number | null)[][];
  if (typeof raw === 'number' || raw === UNKNOWN) pairs = x.map(() => [int(raw), int(raw)]);
  else if (Array.isArray(raw) && raw.every((p) => Array.isArray(p))) pairs = (raw as ConfigValue[][]).map((p) => p.map(int));
  else if (Array.isArray(raw) && raw.length === 2) pairs = x.map(() => (raw as ConfigValue[]).map(int));
  else return null;
  if (pairs.length === 1 && x.length > 1 && !cfg.bool('tf', false)) pairs = x.map(() => pairs[0]);
  if (pairs.length !== x.length) return shapeError(ctx, `The first dimension of paddings must be the rank of inputs: ${pairs.length} pairs for an input of shape ${formatShape(x)}.`);
  return x.map((d, i) => {
    const [a, b] = pairs[i].length === 1 ? [pairs[i][0], pairs[i][0]] : pairs[i];
    return d === null || a === null || b === null || a === undefined || b === undefined ? null : d + a + b;
  });
}

/** `slice(x, start_indices, shape)` (Keras: the output is `shape`) / `tf.slice(x, begin, size)` (-1: to the end). */
function slice(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const size = sizesArg(cfg, 'shape');
  if (!size) return null;
  if (size.length !== x.length) return shapeError(ctx, `Expected size[0] in [0, ${x.length}], but got ${size.length}`);
  const begin = sizesArg(cfg, 'start_indices');
  return size.map((s, i) => {
    if (s !== -1) return s;
    const b = begin?.[i];
    return x[i] === null || b === null || b === undefined ? null : x[i]! - b;
  });
}

/** `take(x, indices, axis=None)` / `tf.gather(params, indices, axis=0, batch_dims=0)`. */
function take(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const [x, idx = []] = inputs;
  if (!x) return null;
  const axis = intArg(cfg, 'axis');
  const batchDims = intArg(cfg, 'batch_dims') ?? 0;
  if (axis === null || batchDims === null) return null;
  if (axis === undefined) return [...idx];
  const ax = normAxis(axis, x.length, ctx, 'take');
  if (ax === null) return null;
  const b = batchDims < 0 ? batchDims + idx.length : batchDims;
  return [...x.slice(0, ax), ...idx.slice(b), ...x.slice(ax + 1)];
}

/** `take_along_axis(x, indices, axis)`: the indices' size on the axis, the rest broadcast. */
function takeAlongAxis(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const [x, idx] = inputs;
  if (!x || !idx) return null;
  const axis = intArg(cfg, 'axis');
  if (axis === null || axis === undefined) return null;
  if (x.length !== idx.length) return shapeError(ctx, `\`x\` and \`indices\` must have the same number of dimensions, but receive shape ${pyList(x)} and ${pyList(idx)}.`);
  const ax = normAxis(axis, x.length, ctx, 'take_along_axis');
  if (ax === null) return null;
  const base = x.map((d, i) => (i === ax ? idx[i] : d));
  return broadcastShapes(base, idx, ctx);
}

/**
 * `one_hot(x, num_classes, axis=-1)`: a new axis of `num_classes`, last for -1, else before dim
 * `axis` of the input (Keras: in `[0, rank)`; TF, config `tf`: up to `rank`).
 */
function oneHot(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const n = intArg(cfg, 'num_classes');
  const axis = intArg(cfg, 'axis') ?? (cfg.has('axis') ? null : -1);
  if (n === undefined || axis === null) return null;
  const max = cfg.bool('tf', false) ? x.length : x.length - 1;
  if (axis !== -1 && (axis < 0 || axis > max)) return argError(ctx, `axis must be -1 or between [0, ${x.length}), but received ${axis}.`);
  const out: RuleDim[] = [...x];
  out.splice(axis === -1 ? x.length : axis, 0, n);
  return out;
}

/** `moveaxis(x, source, destination)`. */
function moveaxis(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const src = axesArg(cfg, 'source');
  const dst = axesArg(cfg, 'destination');
  if (!src || !dst || src.length !== dst.length) return null;
  const s = src.map((a) => normAxis(a, x.length, ctx, 'moveaxis'));
  const d = dst.map((a) => normAxis(a, x.length, ctx, 'moveaxis'));
  if (s.some((a) => a === null) || d.some((a) => a === null)) return null;
  const order = x.map((_, i) => i).filter((i) => !s.includes(i));
  const pairs = d.map((di, k) => [di as number, s[k] as number]).sort((p, q) => p[0] - q[0]);
  for (const [di, si] of pairs) order.splice(di, 0, si);
  return order.map((i) => x[i]);
}

/** `swapaxes(x, axis1, axis2)`. */
function swapaxes(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const a = intArg(cfg, 'axis1');
  const b = intArg(cfg, 'axis2');
  if (a === null || b === null || a === undefined || b === undefined) return null;
  const i = normAxis(a, x.length, ctx, 'swapaxes');
  const j = normAxis(b, x.length, ctx, 'swapaxes');
  if (i === null || j === null) return null;
  const out = [...x];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}

/** `cumsum(x, axis=None)` / `cumprod`: flattened without an axis. */
function cumulative(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const axis = intArg(cfg, 'axis');
  if (axis === null) return null;
  if (axis === undefined) return [product(x)];
  return normAxis(axis, x.length, ctx, 'cumsum') === null ? null : [...x];
}

const first = (fn: (x: RuleShape, cfg: Cfg, ctx: RuleContext) => RuleOutputShape) => (inputs: RuleShape[], cfg: Cfg, ctx: RuleContext) => (inputs[0] ? fn(inputs[0], cfg, ctx) : null);

export const shapeRules: LayerRule[] = [
  opRule('reshape', first((x, cfg, ctx) => reshape(x, cfg, ctx))),
  opRule('transpose', first(transpose)),
  opRule('expand_dims', first(expandDims)),
  opRule('squeeze', first(squeeze)),
  opRule('concatenate', concatenate),
  opRule('stack', stack),
  opRule('unstack', first(unstack)),
  opRule('split', first(split)),
  opRule('tile', first(tile)),
  opRule('repeat', first(repeat)),
  opRule('broadcast_to', first(broadcastTo)),
  opRule('pad', first(pad)),
  opRule('slice', first(slice)),
  opRule('take', take),
  opRule('take_along_axis', takeAlongAxis),
  opRule('one_hot', first(oneHot)),
  opRule('moveaxis', first(moveaxis)),
  opRule('swapaxes', first(swapaxes)),
  opRule('cumsum', first(cumulative)),
  opRule('cumprod', first(cumulative)),
  opRule('ravel', first((x) => [product(x)])),
  // tf.keras.backend.batch_flatten: the batch dim kept, the rest multiplied.
  opRule('batch_flatten', first((x) => [x[0] ?? null, product(x.slice(1))])),
];
