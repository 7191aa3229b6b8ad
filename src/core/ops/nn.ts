// Windowed and image ops: `conv` / `depthwise_conv` / `separable_conv` / `max_pool` /
// `average_pool` (keras.ops and tf.nn spellings), `depth_to_space` / `space_to_depth`, `resize`,
// `extract_patches`. The window arithmetic is the layers' (`convutils.ts`).

import type { Cfg, ConfigValue } from '../config';
import { UNKNOWN } from '../config';
import type { RuleDim, RuleOutputShape, RuleShape } from '../shape';
import type { LayerRule, RuleContext } from '../layers/types';
import { convOutputLength, joinChannels, splitChannels, type DataFormat } from '../layers/convutils';
import { argError, formatShape, intArg, opRule, pyList, sizesArg } from './util';

/** `channels_last` / `NHWC` → channels_last; `channels_first` / `NCHW` → channels_first. */
function dataFormat(cfg: Cfg): DataFormat | null {
  const f = cfg.str('data_format', 'channels_last', ['channels_last', 'channels_first']);
  if (f === null) return null;
  if (f === 'channels_last' || f === 'channels_first') return f;
  if (/^N[DHW]*C$/.test(f)) return 'channels_last';
  if (/^NC[DHW]*$/.test(f)) return 'channels_first';
  return null;
}

/**
 * A per-spatial-axis setting (strides, pool size, dilation): one int, a list of `n`, or TF's list of
 * `n + 2` with the batch and channel entries (dropped here).
 */
function spatialArg(cfg: Cfg, key: string, n: number, def: number | null, format: DataFormat): RuleDim[] | null {
  const v: ConfigValue | undefined = cfg.raw[key];
  if (v === undefined || v === null) return def === null ? null : Array(n).fill(def);
  const list = sizesArg(cfg, key);
  if (!list) return null;
  if (list.length === 1) return Array(n).fill(list[0]);
  if (list.length === n) return list;
  if (list.length === n + 2) return format === 'channels_last' ? list.slice(1, -1) : list.slice(2);
  return null;
}

function padding(cfg: Cfg): 'valid' | 'same' | null {
  const p = cfg.str('padding', 'valid', ['valid', 'same']);
  const l = p?.toLowerCase();
  return l === 'valid' || l === 'same' ? l : null;
}

/** Spatial output lengths; null after reporting Keras' error for an empty output. */
function windowed(x: RuleShape, kernel: RuleDim[], strides: RuleDim[], dilation: RuleDim[], pad: 'valid' | 'same', format: DataFormat, ctx: RuleContext, what: string): { batch: RuleDim; spatial: RuleDim[]; channels: RuleDim } | null {
  const { batch, spatial, channels } = splitChannels(x, format);
  const out = spatial.map((d, i) => convOutputLength(d, kernel[i], pad, strides[i], dilation[i]));
  if (out.some((d) => d !== null && d <= 0)) {
    return argError(ctx, `Computed output size would be zero or negative. Received \`inputs shape=${formatShape(x)}\`, \`${what}=${pyList(kernel)}\`.`);
  }
  return { batch, spatial: out, channels };
}

/** `conv(inputs, kernel, strides=1, padding='valid', data_format, dilation_rate=1)` and the depthwise / separable kinds. */
function conv(kind: 'conv' | 'depthwise' | 'separable') {
  return (inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape => {
    const [x, k, pointwise] = inputs;
    const format = dataFormat(cfg);
    const pad = padding(cfg);
    if (!x || !k || !format || !pad) return null;
    const n = x.length - 2;
    if (n < 1) return null;
    if (k.length !== x.length) {
      return argError(ctx, `Kernel shape must have the same length as input, but received kernel of shape ${formatShape(k)} and input of shape ${formatShape(x)}.`);
    }
    const strides = spatialArg(cfg, 'strides', n, 1, format);
    const dilation = spatialArg(cfg, 'dilation_rate', n, 1, format);
    if (!strides || !dilation) return null;
    const w = windowed(x, k.slice(0, n), strides, dilation, pad, format, ctx, 'kernel shape');
    if (!w) return null;
    const kIn = k[n];
    const kOut = k[n + 1];
    let channels: RuleDim;
    if (kind === 'conv') channels = kOut;
    else if (kind === 'depthwise') channels = kIn === null || kOut === null ? null : kIn * kOut;
    else channels = pointwise ? pointwise[pointwise.length - 1] : null;
    return joinChannels(w.batch, w.spatial, channels, format);
  };
}

/** `max_pool(inputs, pool_size, strides=None, padding='valid')` / `tf.nn.max_pool2d(input, ksize, strides, padding)`. */
function pool(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const x = inputs[0];
  const format = dataFormat(cfg);
  const pad = padding(cfg);
  if (!x || !format || !pad) return null;
  const n = x.length - 2;
  if (n < 1) return null;
  const size = spatialArg(cfg, 'pool_size', n, null, format);
  if (!size) return null;
  const strides = cfg.raw.strides === undefined || cfg.raw.strides === null ? size : spatialArg(cfg, 'strides', n, null, format);
  if (!strides) return null;
  const w = windowed(x, size, strides, Array(n).fill(1), pad, format, ctx, 'pool_size');
  return w && joinChannels(w.batch, w.spatial, w.channels, format);
}

/** `depth_to_space(x, block_size)`: (b, h, w, c) → (b, h·r, w·r, c/r²). */
function depthToSpace(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const x = inputs[0];
  const r = intArg(cfg, 'block_size');
  const format = dataFormat(cfg);
  if (!x || r === null || r === undefined || !format || r < 1) return null;
  if (x.length !== 4) return argError(ctx, `\`depth_to_space\` requires a 4D input tensor. Received: x.shape=${formatShape(x)}`);
  const { batch, spatial, channels: c } = splitChannels(x, format);
  if (c !== null && c % (r * r) !== 0) return argError(ctx, `The number of channels (${c}) must be divisible by block_size**2 (${r * r}).`);
  return joinChannels(batch, spatial.map((d) => (d === null ? null : d * r)), c === null ? null : c / (r * r), format);
}

/** `space_to_depth(x, block_size)`: (b, h, w, c) → (b, h/r, w/r, c·r²). */
function spaceToDepth(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const x = inputs[0];
  const r = intArg(cfg, 'block_size');
  const format = dataFormat(cfg);
  if (!x || r === null || r === undefined || !format || r < 1) return null;
  if (x.length !== 4) return argError(ctx, `\`space_to_depth\` requires a 4D input tensor. Received: x.shape=${formatShape(x)}`);
  const { batch, spatial, channels: c } = splitChannels(x, format);
  const [h, w] = spatial;
  if (h !== null && h % r !== 0) return argError(ctx, `Height (${h}) must be divisible by block_size (${r}).`);
  if (w !== null && w % r !== 0) return argError(ctx, `Width (${w}) must be divisible by block_size (${r}).`);
  return joinChannels(batch, spatial.map((d) => (d === null ? null : d / r)), c === null ? null : c * r * r, format);
}

/** `resize(images, size)` on 3-D or 4-D images; TF's `preserve_aspect_ratio` makes the size depend on the input (unknown). */
function resize(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const x = inputs[0];
  const size = sizesArg(cfg, 'size');
  const format = dataFormat(cfg);
  if (!x || !size || !format) return null;
  if (cfg.raw.preserve_aspect_ratio === true || cfg.raw.preserve_aspect_ratio === UNKNOWN) return null;
  if (size.length !== 2) return argError(ctx, `Expected \`size\` to be a tuple of 2 integers. Received: size=${pyList(size)}`);
  if (x.length !== 3 && x.length !== 4) return argError(ctx, `Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). Received input with shape: images.shape=${formatShape(x)}`);
  if (x.length === 3) return format === 'channels_last' ? [size[0], size[1], x[2]] : [x[0], size[0], size[1]];
  const { batch, channels } = splitChannels(x, format);
  return joinChannels(batch, size, channels, format);
}

/**
 * `extract_patches(images, size, strides=None, dilation_rate=1, padding='valid')` (Keras; strides
 * default to the size) / `tf.image.extract_patches(images, sizes, strides, rates, padding)`:
 * (b, h', w', kh·kw·c).
 */
function extractPatches(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  const x = inputs[0];
  const format = dataFormat(cfg);
  const pad = padding(cfg);
  if (!x || !format || !pad) return null;
  if (x.length !== 4 && x.length !== 3) return null;
  const img = x.length === 3 ? [null, ...x] : x;
  const size = spatialArg(cfg, 'size', 2, null, format);
  if (!size) return null;
  const strides = cfg.raw.strides === undefined || cfg.raw.strides === null ? size : spatialArg(cfg, 'strides', 2, null, format);
  const dilation = spatialArg(cfg, 'dilation_rate', 2, 1, format);
  if (!strides || !dilation) return null;
  const w = windowed(img, size, strides, dilation, pad, format, ctx, 'size');
  if (!w) return null;
  const depth = size[0] === null || size[1] === null || w.channels === null ? null : size[0] * size[1] * w.channels;
  const out = joinChannels(w.batch, w.spatial, depth, format);
  return x.length === 3 ? out.slice(1) : out;
}

export const nnRules: LayerRule[] = [
  opRule('conv', conv('conv')),
  opRule('depthwise_conv', conv('depthwise')),
  opRule('separable_conv', conv('separable')),
  opRule('max_pool', pool),
  opRule('average_pool', pool),
  opRule('depth_to_space', depthToSpace),
  opRule('space_to_depth', spaceToDepth),
  opRule('resize', resize),
  opRule('extract_patches', extractPatches),
];
