// Pooling layer rules: Max/Average pooling 1D–3D and their global forms, generated from one
// factory each so the variants differ only by data (operation and spatial rank).

import type { Cfg } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { elements, type RuleShape } from '../shape';
import { constant } from '../formula';
import { checkPositive, joinChannels, product, quietContext, readPadding, spatialAxisNames, splitChannels, windowedSpatial, windowFormula, windowMap, windowShape, type WindowSettings } from './convutils';
import type { LayerRule, RuleContext } from './types';

type PoolOp = 'Max' | 'Average';

/** Keras' short alias prefix: MaxPool2D, AvgPool2D. */
const SHORT: Record<PoolOp, string> = { Max: 'Max', Average: 'Avg' };

/**
 * `pool_size` defaults to 2 per axis; `strides` defaults to `pool_size` when absent or None
 * (Keras' `compute_pooling_output_shape`); the window arithmetic is the shared conv one.
 */
function poolOutput(rank: number, inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleShape | null {
  const w = poolWindow(rank, cfg, ctx);
  if (!w) return null;
  const { batch, spatial, channels } = splitChannels(inputs[0], w.format);
  const out = windowedSpatial(spatial, w, ctx);
  return joinChannels(batch, out, channels, w.format);
}

/** The pooling window's settings; null if Keras would raise or the data format is unknown. */
function poolWindow(rank: number, cfg: Cfg, ctx: RuleContext): (WindowSettings & { format: 'channels_last' | 'channels_first' }) | null {
  const pool = cfg.ints('pool_size', rank, 2) ?? Array<null>(rank).fill(null);
  const rawStrides = cfg.raw['strides'];
  const strides = rawStrides === undefined || rawStrides === null ? [...pool] : (cfg.ints('strides', rank, 1) ?? Array<null>(rank).fill(null));
  const padding = readPadding(cfg, ctx, ['valid', 'same'] as const);
  const format = cfg.dataFormat();
  let ok = padding !== 'invalid';
  ok = checkPositive(ctx, 'pool_size', pool) && ok;
  ok = checkPositive(ctx, 'strides', strides) && ok;
  if (!ok || format === null) return null;
  return { kernel: pool, strides, dilation: Array<number>(rank).fill(1), padding: padding as 'valid' | 'same' | null, format };
}

/** `poolWindow` read once per Cfg for cost analytics (its `cost` and `spatial`), reporting nothing. */
const quietWindows = new WeakMap<Cfg, ReturnType<typeof poolWindow>>();
function quietWindow(rank: number, cfg: Cfg): ReturnType<typeof poolWindow> {
  let w = quietWindows.get(cfg);
  if (w === undefined) {
    w = poolWindow(rank, cfg, quietContext('pool'));
    quietWindows.set(cfg, w);
  }
  return w;
}

function poolRule(op: PoolOp, rank: number): LayerRule {
  return {
    className: `${op}Pooling${rank}D`,
    aliases: [`${SHORT[op]}Pool${rank}D`],
    inputRank: rank + 2,
    outputShape: (inputs, cfg, ctx) => poolOutput(rank, inputs, cfg, ctx),
    // tf.profiler's AvgPool / MaxPool: the window's area per output element; no MACs.
    cost(_inputs, outputs, cfg) {
      const w = quietWindow(rank, cfg);
      const n = elements(outputs[0]);
      const area = w ? product(w.kernel, 0, w.kernel.length) : null;
      return { macs: 0, flops: n === null || area === null ? null : n * area };
    },
    spatial(inputs, outputs, cfg) {
      const w = quietWindow(rank, cfg);
      return w ? windowMap(inputs[0], outputs[0], w.format, w) : null;
    },
    symbolic(inputs, cfg) {
      const w = quietWindow(rank, cfg);
      return w ? { output: windowShape(inputs[0], w.format, (n, i) => windowFormula(n, w, i), splitChannels(inputs[0], w.format).channels) } : null;
    },
  };
}

/** Global pooling drops the spatial axes, or keeps them as 1s with `keepdims=True`. */
function globalPoolOutput(op: PoolOp, rank: number, inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleShape | null {
  const format = cfg.dataFormat();
  const keepdims = cfg.bool('keepdims', false);
  if (format === null || keepdims === null) return null;
  const { batch, channels } = splitChannels(inputs[0], format);
  ctx.explain(`${op === 'Max' ? 'max' : 'mean'} over ${spatialAxisNames(rank).join(', ')}${keepdims ? ' (kept as size 1)' : ''}`);
  return keepdims ? joinChannels(batch, Array<number>(rank).fill(1), channels, format) : [batch, channels];
}

function globalPoolRule(op: PoolOp, rank: number): LayerRule {
  return {
    className: `Global${op}Pooling${rank}D`,
    aliases: [`Global${SHORT[op]}Pool${rank}D`],
    inputRank: rank + 2,
    outputShape: (inputs, cfg, ctx) => globalPoolOutput(op, rank, inputs, cfg, ctx),
    // tf.profiler counts Mean as one FLOP per input element and registers nothing for Max.
    cost: (inputs) => ({ macs: 0, flops: op === 'Max' ? 0 : elements(inputs[0]) }),
    // The channels are the input's (the spatial axes go, or stay as 1s).
    symbolic(inputs, cfg) {
      const format = cfg.dataFormat();
      const keepdims = cfg.bool('keepdims', false);
      if (format === null || keepdims === null) return null;
      const { batch, channels } = splitChannels(inputs[0], format);
      return { output: keepdims ? joinChannels(batch, Array(rank).fill(constant(1)), channels, format) : [batch, channels] };
    },
  };
}

/**
 * Keras 3 adaptive pooling (`BaseAdaptivePooling.compute_output_shape`): `(batch, *output_size, C)`
 * or `(batch, C, *output_size)`, whatever the input's spatial size; no weights, no input_spec.
 */
function adaptivePoolRule(op: PoolOp, rank: number): LayerRule {
  return {
    className: `Adaptive${op}Pooling${rank}D`,
    outputShape(inputs, cfg, ctx) {
      const x = inputs[0];
      if (!cfg.has('output_size')) {
        ctx.error(DiagnosticCode.missingArgument, `${ctx.className}.__init__() missing 1 required positional argument: 'output_size'`);
        return null;
      }
      const size = cfg.ints('output_size', rank, null);
      const format = cfg.dataFormat();
      if (size === null || format === null) return null;
      return format === 'channels_last' ? [x[0] ?? null, ...size, x[x.length - 1] ?? null] : [x[0] ?? null, x[1] ?? null, ...size];
    },
  };
}

const OPS: PoolOp[] = ['Max', 'Average'];
const RANKS = [1, 2, 3];

export const poolingRules: LayerRule[] = OPS.flatMap((op) => RANKS.flatMap((rank) => [poolRule(op, rank), globalPoolRule(op, rank), adaptivePoolRule(op, rank)]));
