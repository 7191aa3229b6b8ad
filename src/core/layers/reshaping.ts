// Reshaping layer rules: Flatten, Reshape, Permute, RepeatVector, and ZeroPadding / Cropping /
// UpSampling in 1D–3D (each trio generated from one factory, differing only by data).

import { UNKNOWN, type Cfg, type ConfigValue } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formatCount, formatShape, UNKNOWN_DIM, type RuleDim, type RuleShape } from '../shape';
import { constant, divide, plus, productOf, times, type FormulaShape } from '../formula';
import { quietContext, reportNegative, spatialAxisNames, splitChannels, joinChannels, windowShape, type DataFormat } from './convutils';
import { NO_COST, type LayerRule, type RuleContext, type SpatialMap, type SymbolicResult } from './types';

/** A value as Python prints it in an error message: `((1, 2), (3, 4))`, `None`. */
function pyRepr(v: ConfigValue | undefined): string {
  if (v === undefined || v === null) return 'None';
  if (v === UNKNOWN) return '?';
  if (Array.isArray(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  return String(v);
}

function who(ctx: RuleContext): string {
  return `${ctx.layerName} (${ctx.className})`;
}

function product(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

// ---------------------------------------------------------------------------------------------
// Flatten

/** Keras 3: `min_ndim=1`; `(batch,)` flattens to `(batch, 1)`; any None among the rest → None. */
const flatten: LayerRule = {
  className: 'Flatten',
  // Moves data only: nothing to count; positions lose their place (no receptive field).
  cost: () => NO_COST,
  inputRank: { min: 1 },
  outputShape(inputs, cfg, ctx) {
    cfg.dataFormat(); // validated only: the transpose it implies does not change the flattened size
    const [batch, ...rest] = inputs[0];
    if (rest.length === 0) return [batch, 1];
    if (rest.some((d) => d === null)) return [batch, null];
    const n = product(rest as number[]);
    if (rest.length > 1) ctx.explain(`${rest.join('·')} = ${formatCount(n)}`);
    return [batch, n];
  },  symbolic(inputs) {
    const [batch, ...rest] = inputs[0];
    return { output: [batch, rest.length === 0 ? constant(1) : (productOf(rest) ?? UNKNOWN_DIM)] };
  },
};

// ---------------------------------------------------------------------------------------------
// Reshape

/** Keras 3 `compute_reshape_output_shape` on the non-batch dims: one -1 inferred when sizes are known. */
const reshape: LayerRule = {
  className: 'Reshape',
  cost: () => NO_COST,
  // Without -1 the target shape alone gives the output: (batch, *target_shape).
  outputWithoutInput(cfg) {
    const target = cfg.intList('target_shape');
    return target && target.every((d) => d !== null && d > 0) ? [null, ...target] : null;
  },
  outputShape(inputs, cfg, ctx) {
    const target = cfg.intList('target_shape');
    if (target === undefined) {
      ctx.error(DiagnosticCode.missingArgument, `${who(ctx)}: Reshape.__init__() missing 1 required positional argument: 'target_shape'`);
      return null;
    }
    if (target === null) return null;
    const shown = pyRepr(target.map((d) => (d === null ? UNKNOWN : d)));
    if (target.filter((d) => d === -1).length > 1) {
      ctx.error(DiagnosticCode.invalidConfig, `${who(ctx)}: The \`target_shape\` argument must not contain more than one \`-1\` value. Received: target_shape=${shown}`);
      return null;
    }
    if (target.some((d) => d !== null && d < -1)) {
      ctx.error(DiagnosticCode.invalidConfig, `${who(ctx)}: Each dimension in \`target_shape\` must be a non-negative integer, or \`-1\` for a single unknown dimension. Received: target_shape=${shown}.`);
      return null;
    }
    const [batch, ...rest] = inputs[0];
    if (rest.some((d) => d === null) || target.some((d) => d === null)) {
      return [batch, ...target.map((d) => (d === -1 ? null : d))];
    }
    const size = product(rest as number[]);
    const dims = target as number[];
    const inferAt = dims.indexOf(-1);
    const inShape = formatShape(rest);
    if (inferAt < 0) {
      if (product(dims) !== size) {
        ctx.error(
          DiagnosticCode.reshapeSize,
          `${who(ctx)}: The total size of the tensor must be unchanged. Received: input_shape=${inShape}, target_shape=${shown} (${formatCount(size)} elements vs ${formatCount(product(dims))}).`,
        );
        return null;
      }
      return [batch, ...dims];
    }
    const known = product(dims.filter((_, i) => i !== inferAt));
    if (known === 0 || size % known !== 0) {
      ctx.error(
        DiagnosticCode.reshapeSize,
        `${who(ctx)}: The total size of the tensor must be unchanged, however, the input size cannot by divided by the specified dimensions in target_shape. Received: input_shape=${inShape}, target_shape=${shown}`,
      );
      return null;
    }
    const inferred = size / known;
    ctx.explain(`-1 → ${formatCount(size)}/${formatCount(known)} = ${formatCount(inferred)}`);
    return [batch, ...dims.map((d, i) => (i === inferAt ? inferred : d))];
  },  // A −1 is the input's size over the target's other sizes, which Keras requires to divide it.
  symbolic(inputs, cfg) {
    const target = cfg.intList('target_shape');
    if (!target || target.some((d) => d === null || d < -1)) return null;
    const [batch, ...rest] = inputs[0];
    const known = (target as number[]).filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const size = productOf(rest);
    const inferred = size && known > 0 ? divide(size, known, 'div') : null;
    return { output: [batch, ...(target as number[]).map((d) => (d === -1 ? (inferred ?? UNKNOWN_DIM) : constant(d)))] };
  },
};

// ---------------------------------------------------------------------------------------------
// Permute

/** `dims` are 1-based and must be a permutation; the input rank must be len(dims) + 1. */
const permute: LayerRule = {
  className: 'Permute',
  cost: () => NO_COST,
  outputShape(inputs, cfg, ctx) {
    const dims = cfg.intList('dims');
    if (dims === undefined) {
      ctx.error(DiagnosticCode.missingArgument, `${who(ctx)}: Permute.__init__() missing 1 required positional argument: 'dims'`);
      return null;
    }
    if (dims === null || dims.some((d) => d === null)) return null;
    const sorted = [...(dims as number[])].sort((a, b) => a - b);
    if (!sorted.every((d, i) => d === i + 1)) {
      ctx.error(
        DiagnosticCode.invalidConfig,
        `${who(ctx)}: Invalid permutation argument \`dims\` for Permute Layer. The set of indices in \`dims\` must be consecutive and start from 1. Received dims=${pyRepr(dims as number[])}`,
      );
      return null;
    }
    const input = inputs[0];
    if (input.length !== dims.length + 1) {
      ctx.error(
        DiagnosticCode.rankMismatch,
        `Input 0 of layer "${ctx.layerName}" is incompatible with the layer: expected ndim=${dims.length + 1}, found ndim=${input.length}. Full shape received: ${formatShape(input)}`,
      );
      return null;
    }
    return [input[0], ...(dims as number[]).map((d) => input[d])];
  },  symbolic(inputs, cfg) {
    const dims = cfg.intList('dims');
    const input = inputs[0];
    if (!dims || dims.some((d) => d === null || d < 1 || d >= input.length) || input.length !== dims.length + 1) return null;
    return { output: [input[0], ...(dims as number[]).map((d) => input[d])] };
  },
};

// ---------------------------------------------------------------------------------------------
// RepeatVector

const repeatVector: LayerRule = {
  className: 'RepeatVector',
  cost: () => NO_COST,
  inputRank: 2,
  outputShape(inputs, cfg, ctx) {
    const n = cfg.int('n');
    if (n === undefined) {
      ctx.error(DiagnosticCode.missingArgument, `${who(ctx)}: RepeatVector.__init__() missing 1 required positional argument: 'n'`);
      return null;
    }
    return [inputs[0][0], n, inputs[0][1]];
  },  symbolic: (inputs, _cfg, setting) => ({ output: [inputs[0][0], setting('n') ?? UNKNOWN_DIM, inputs[0][1]] }),
};

// ---------------------------------------------------------------------------------------------
// ZeroPadding / Cropping: amounts per spatial axis as (before, after) pairs.

type Pair = [number | null, number | null];

function scalar(cfg: Cfg, v: ConfigValue): number | null | 'bad' {
  if (typeof v === 'number') return Math.trunc(v);
  if (v === UNKNOWN) return cfg.standIn();
  return 'bad';
}

/**
 * Reads `padding` / `cropping` as Keras normalises it: an int (symmetric on every axis); for 1D a
 * tuple of 2 ints (before, after); for 2D/3D a tuple with one entry per axis, each an int
 * (symmetric) or a tuple of 2 ints. Returns null (after reporting) for a malformed value.
 */
function readPairs(cfg: Cfg, ctx: RuleContext, key: string, rank: number, def: Pair[]): Pair[] | null {
  const v = cfg.raw[key];
  if (v === undefined) return def;
  if (v === UNKNOWN) {
    const n = cfg.standIn();
    return Array.from({ length: rank }, (): Pair => [n, n]);
  }
  const forms =
    rank === 1
      ? 'an int or a tuple of 2 ints'
      : `an int, a tuple of ${rank} ints, or a tuple of ${rank} tuples of 2 ints`;
  const bad = (): null => {
    ctx.error(DiagnosticCode.invalidConfig, `${who(ctx)}: \`${key}\` should be ${forms}. Received: ${key}=${pyRepr(v)}.`);
    return null;
  };
  let pairs: Pair[];
  if (typeof v === 'number') {
    pairs = Array.from({ length: rank }, (): Pair => [Math.trunc(v), Math.trunc(v)]);
  } else if (Array.isArray(v)) {
    if (rank === 1) {
      if (v.length !== 2) return bad();
      const a = scalar(cfg, v[0]);
      const b = scalar(cfg, v[1]);
      if (a === 'bad' || b === 'bad') return bad();
      pairs = [[a, b]];
    } else {
      if (v.length !== rank) return bad();
      pairs = [];
      for (const entry of v) {
        const one = scalar(cfg, entry);
        if (one !== 'bad') {
          pairs.push([one, one]);
        } else if (Array.isArray(entry) && entry.length === 2) {
          const a = scalar(cfg, entry[0]);
          const b = scalar(cfg, entry[1]);
          if (a === 'bad' || b === 'bad') return bad();
          pairs.push([a, b]);
        } else {
          return bad();
        }
      }
    }
  } else {
    return bad();
  }
  if (pairs.some(([a, b]) => (a !== null && a < 0) || (b !== null && b < 0))) {
    ctx.error(DiagnosticCode.invalidConfig, `${who(ctx)}: \`${key}\` cannot be negative. Received: ${key}=${pyRepr(v)}.`);
    return null;
  }
  return pairs;
}

function pairsRepr(pairs: Pair[]): string {
  const one = ([a, b]: Pair) => `(${a ?? '?'}, ${b ?? '?'})`;
  return pairs.length === 1 ? one(pairs[0]) : `(${pairs.map(one).join(', ')})`;
}

type Edit = 'pad' | 'crop';

/**
 * ZeroPadding adds `before + after` to each spatial axis; Cropping removes it and reports an axis
 * left with zero or fewer elements as `negative-dimension` (that dim becomes None).
 */
function editSpatial(edit: Edit, rank: number, withFormat: boolean, def: Pair[]) {
  const key = edit === 'pad' ? 'padding' : 'cropping';
  return (inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleShape | null => {
    const format: DataFormat | null = withFormat ? cfg.dataFormat() : 'channels_last';
    const pairs = readPairs(cfg, ctx, key, rank, def);
    if (!pairs || !format) return null;
    const input = inputs[0];
    const { batch, spatial, channels } = splitChannels(input, format);
    const names = spatialAxisNames(rank);
    const label = (i: number) => (rank > 1 ? `${names[i]}: ` : '');
    const out = spatial.map((n, i): RuleDim => {
      const [a, b] = pairs[i];
      if (n === null || a === null || b === null) return null;
      if (edit === 'pad') {
        const r = n + a + b;
        ctx.explain(`${label(i)}${n} + ${a} + ${b} = ${r}`);
        return r;
      }
      const r = n - a - b;
      if (r <= 0) {
        const keras =
          rank === 1
            ? `\`cropping\` parameter of \`Cropping1D\` layer must be smaller than the input length. Received: input_shape=${formatShape(input)}, cropping=${pairsRepr(pairs)}`
            : `Values in \`cropping\` argument should be smaller than the corresponding spatial dimension of the input. Received: input_shape=${formatShape(input)}, cropping=${pairsRepr(pairs)}`;
        reportNegative(ctx, a + b, n, names[i], undefined, a + b + 1, keras);
        return null;
      }
      ctx.explain(`${label(i)}${n} − ${a} − ${b} = ${r}`);
      return r;
    });
    return joinChannels(batch, out, channels, format);
  };
}

/** `editSpatial` on formulas: each spatial axis plus (padding) or minus (cropping) its pair. */
function editFormula(edit: Edit, rank: number, withFormat: boolean, def: Pair[]) {
  const key = edit === 'pad' ? 'padding' : 'cropping';
  return (inputs: FormulaShape[], cfg: Cfg): SymbolicResult | null => {
    const format: DataFormat | null = withFormat ? cfg.dataFormat() : 'channels_last';
    const pairs = readPairs(cfg, quietContext(edit), key, rank, def);
    if (!pairs || !format) return null;
    const sign = edit === 'pad' ? 1 : -1;
    return {
      output: windowShape(inputs[0], format, (n, i) => {
        const [a, b] = pairs[i];
        return a === null || b === null ? undefined : plus(n, sign * (a + b));
      }, splitChannels(inputs[0], format).channels),
    };
  };
}

/** `upSample` on formulas: each spatial axis times `size`. */
function upSampleFormula(rank: number) {
  return (inputs: FormulaShape[], cfg: Cfg): SymbolicResult | null => {
    const format: DataFormat | null = rank === 1 ? 'channels_last' : cfg.dataFormat();
    const size = cfg.ints('size', rank, 2);
    if (!size || !format) return null;
    return { output: windowShape(inputs[0], format, (n, i) => times(n, size[i]), splitChannels(inputs[0], format).channels) };
  };
}

function symmetric(rank: number, v: number): Pair[] {
  return Array.from({ length: rank }, (): Pair => [v, v]);
}

// ---------------------------------------------------------------------------------------------
// UpSampling: each spatial axis times `size`.

function upSample(rank: number) {
  return (inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleShape | null => {
    // UpSampling1D has no data_format in Keras; the others do.
    const format: DataFormat | null = rank === 1 ? 'channels_last' : cfg.dataFormat();
    const size = cfg.ints('size', rank, 2) ?? Array<null>(rank).fill(null);
    const bad = size.filter((s): s is number => s !== null && s <= 0);
    if (bad.length > 0) {
      ctx.error(DiagnosticCode.invalidConfig, `${who(ctx)}: Argument \`size\` should be a positive integer. Received: size=${pyRepr(size.map((s) => s ?? UNKNOWN))}`);
      return null;
    }
    if (!format) return null;
    const { batch, spatial, channels } = splitChannels(inputs[0], format);
    const names = spatialAxisNames(rank);
    const out = spatial.map((n, i) => {
      const s = size[i];
      if (n === null || s === null) return null;
      ctx.explain(`${rank > 1 ? `${names[i]}: ` : ''}${n}·${s} = ${n * s}`);
      return n * s;
    });
    return joinChannels(batch, out, channels, format);
  };
}

/** Padding and cropping shift positions: a window of 1 starting `before` earlier (padding) or later (cropping). */
function shiftMap(edit: Edit, rank: number, def: Pair[]) {
  return (_inputs: RuleShape[], _outputs: RuleShape[], cfg: Cfg): SpatialMap => {
    const pairs = readPairs(cfg, quietContext(edit), edit === 'pad' ? 'padding' : 'cropping', rank, def);
    if (!pairs || pairs.some(([a]) => a === null)) return null;
    return { kernel: Array(rank).fill(1), stride: Array(rank).fill(1), padBefore: pairs.map(([a]) => (edit === 'pad' ? (a as number) : -(a as number))) };
  };
}

const RANKS = [1, 2, 3];

/** Defaults per Keras: ZeroPadding 1 everywhere; Cropping1D/3D 1, Cropping2D 0. */
const spatialRules: LayerRule[] = RANKS.flatMap((rank): LayerRule[] => [
  {
    className: `ZeroPadding${rank}D`,
    inputRank: rank + 2,
    outputShape: editSpatial('pad', rank, true, symmetric(rank, 1)),
    cost: () => NO_COST,
    spatial: shiftMap('pad', rank, symmetric(rank, 1)),
    symbolic: editFormula('pad', rank, true, symmetric(rank, 1)),
  },
  {
    className: `Cropping${rank}D`,
    inputRank: rank + 2,
    outputShape: editSpatial('crop', rank, rank > 1, symmetric(rank, rank === 2 ? 0 : 1)),
    cost: () => NO_COST,
    spatial: shiftMap('crop', rank, symmetric(rank, rank === 2 ? 0 : 1)),
    symbolic: editFormula('crop', rank, rank > 1, symmetric(rank, rank === 2 ? 0 : 1)),
  },
  {
    className: `UpSampling${rank}D`,
    inputRank: rank + 2,
    outputShape: upSample(rank),
    symbolic: upSampleFormula(rank),
    // Nearest or bilinear resize: nothing tf.profiler counts; positions spread out (no field).
    cost: () => NO_COST,
  },
]);

export const reshapingRules: LayerRule[] = [flatten, reshape, permute, repeatVector, ...spatialRules];
