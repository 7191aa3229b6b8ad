// Preprocessing layer rules: Rescaling, Resizing, CenterCrop, RandomCrop, Normalization, CategoryEncoding, random augmentations.

import type { Cfg } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formatShape, type RuleShape } from '../shape';
import { passThrough, positiveInt } from './core';
import { convOutputLength, explainConvLength } from './convutils';
import { readAxes, resolveAxes } from './normalization';
import type { LayerRule, RuleContext } from './types';

/**
 * Keras 3 Resizing / CenterCrop `compute_output_shape`: a rank-4 input is batched
 * (height/width at 1,2 or 2,3); any other rank is treated as an unbatched image.
 */
function resizeTo(x: RuleShape, cfg: Cfg, ctx: RuleContext): RuleShape | null {
  const h = positiveInt(cfg, 'height', ctx);
  const w = positiveInt(cfg, 'width', ctx);
  if ((h === null && !cfg.isUnknown('height')) || (w === null && !cfg.isUnknown('width'))) return null;
  const format = cfg.dataFormat();
  if (format === null) return x.map(() => null);
  const out = [...x];
  const first = (x.length === 4 ? 1 : 0) + (format === 'channels_first' ? 1 : 0);
  out[first] = h;
  out[first + 1] = w;
  return out;
}

function imageResize(className: string): LayerRule {
  return {
    className,
    inputRank: { min: 3, max: 4 },
    outputShape: (inputs, cfg, ctx) => resizeTo(inputs[0], cfg, ctx),
    exportConfig(c) {
      // tfjs 4.22's Resizing.computeOutputShape returns [height, width, input[2]] (an unbatched image's), so in a model its shape is wrong.
      if (className === 'Resizing') return { skip: "tfjs-layers' Resizing gives a wrong output shape in a model (it drops the batch dim)" };
      // tfjs 4.22's CenterCrop.computeOutputShape writes its height and width into the input's shape array, the previous layer's output shape.
      if (className === 'CenterCrop') return { skip: "tfjs-layers' CenterCrop overwrites the output shape of the layer before it" };
      return { config: c };
    },
  };
}

const randomCrop: LayerRule = {
  className: 'RandomCrop',
  inputRank: { min: 3, max: 4 },
  outputShape(inputs, cfg, ctx) {
    const h = positiveInt(cfg, 'height', ctx);
    const w = positiveInt(cfg, 'width', ctx);
    if ((h === null && !cfg.isUnknown('height')) || (w === null && !cfg.isUnknown('width'))) return null;
    const format = cfg.dataFormat();
    const out = [...inputs[0]];
    if (format === null) return out.map(() => null);
    // Height and width axes counted from the end: −3, −2 (channels_last) or −2, −1.
    const hAxis = out.length + (format === 'channels_last' ? -3 : -2);
    out[hAxis] = h;
    out[hAxis + 1] = w;
    return out;
  },
};

const normalization: LayerRule = {
  className: 'Normalization',
  outputShape(inputs, cfg, ctx) {
    const x = inputs[0];
    const axes = readAxes(cfg, 'axis', -1, true);
    if (axes === null) return [...x];
    const keep = resolveAxes(axes, x, ctx, () => `All \`axis\` values must be in the range [-ndim, ndim). Received inputs with ndim=${x.length}, while axis=${formatAxis(axes)}`);
    if (keep && keep.some((a) => x[a] === null)) {
      const d = [...new Set(keep)].sort((a, b) => a - b).find((a) => x[a] === null);
      ctx.error(DiagnosticCode.unknownDimension, `All \`axis\` values to be kept must have a known shape. Received axis=${formatAxis(axes)}, inputs.shape=${formatShape(x)}, with unknown axis at index ${d}`);
    }
    return [...x];
  },
  params(inputs, cfg) {
    const x = inputs[0];
    // Given mean and variance become constants; otherwise build() adds mean, variance (over the
    // kept axes) and a scalar `count`, all non-trainable.
    const mean = cfg.raw.mean;
    if (mean !== undefined && mean !== null) return { trainable: 0, nonTrainable: 0 };
    const axes = readAxes(cfg, 'axis', -1, true);
    if (axes === null) return { trainable: 0, nonTrainable: null };
    const keep = [...new Set(axes.map((a) => (a < 0 ? a + x.length : a)))];
    if (keep.some((a) => a < 0 || a >= x.length || x[a] === null)) return { trainable: 0, nonTrainable: null };
    const c = keep.reduce((p, a) => p * (x[a] as number), 1);
    return { trainable: 0, nonTrainable: 2 * c + 1, formula: `2·${c} + 1 = ${2 * c + 1} (non-trainable mean, variance, count)` };
  },
};

function formatAxis(axes: number[]): string {
  return axes.length === 1 ? `(${axes[0]},)` : `(${axes.join(', ')})`;
}

const categoryEncoding: LayerRule = {
  className: 'CategoryEncoding',
  outputShape(inputs, cfg, ctx) {
    const x = inputs[0];
    if (!cfg.has('num_tokens') || cfg.raw.num_tokens === null) {
      ctx.error(DiagnosticCode.missingArgument, 'num_tokens must be set to use this layer. If the number of tokens is not known beforehand, use the IntegerLookup layer instead.');
      return null;
    }
    let n = cfg.int('num_tokens') ?? null;
    if (n !== null && n < 1) {
      ctx.error(DiagnosticCode.invalidConfig, `\`num_tokens\` must be >= 1. Received: num_tokens=${n}.`);
      n = null;
    }
    let mode = cfg.str('output_mode', 'multi_hot', ['multi_hot', 'one_hot', 'count']);
    if (mode === null) return null;
    // Keras' deprecated spelling.
    if (mode === 'binary') mode = 'multi_hot';
    if (!['multi_hot', 'one_hot', 'count'].includes(mode)) {
      ctx.error(DiagnosticCode.invalidConfig, `Unknown arg for output_mode: ${mode}`);
      return null;
    }
    // Keras 3: one_hot appends a token axis unless the last dim is 1 (then replaces it, rank ≥ 2);
    // multi_hot and count replace the last axis.
    if (mode === 'one_hot' && (x[x.length - 1] !== 1 || x.length === 1)) return [...x, n];
    return [...x.slice(0, -1), n];
  },
};

/** Augmentation layers that leave the shape unchanged (identity at inference). */
const RANDOM_PASS_THROUGH = [
  'RandomFlip',
  'RandomRotation',
  'RandomZoom',
  'RandomTranslation',
  'RandomContrast',
  'RandomBrightness',
  'RandomHue',
  'RandomSaturation',
  'RandomSharpness',
  'RandomShear',
  'RandomColorJitter',
  'RandomColorDegeneration',
  'RandomPosterization',
  'RandomInvert',
  'RandomErasing',
  'RandomGaussianBlur',
  'RandomPerspective',
  'RandomElasticTransform',
  'Solarization',
  'AutoContrast',
  'Equalization',
  'RandAugment',
  'AugMix',
  'CutMix',
  'MixUp',
  // Keras 3 RandomGrayscale.compute_output_shape returns the input shape (channels kept).
  'RandomGrayscale',
  'ContrastLimitedAdaptiveHistogramEqualization',
];

/**
 * Keras 3 Hashing.compute_output_shape: `int` keeps the shape; `one_hot`, `multi_hot` and `count`
 * replace the last axis by `num_bins` (a scalar input becomes `(num_bins,)`).
 */
const hashing: LayerRule = {
  className: 'Hashing',
  outputShape(inputs, cfg, ctx) {
    const x = inputs[0];
    const raw = cfg.int('num_bins');
    let bins = positiveInt(cfg, 'num_bins', ctx, raw === undefined);
    if (raw !== undefined && cfg.raw.num_bins !== undefined && (cfg.raw.num_bins === null || (typeof raw === 'number' && raw <= 0))) {
      ctx.error(DiagnosticCode.invalidConfig, `The \`num_bins\` for \`Hashing\` cannot be \`None\` or non-positive values. Received: num_bins=${raw ?? 'None'}.`);
      bins = null;
    }
    const mode = cfg.str('output_mode', 'int');
    if (mode === null) return null;
    if (!['int', 'one_hot', 'multi_hot', 'count'].includes(mode)) {
      ctx.error(DiagnosticCode.invalidConfig, `Invalid value for argument \`output_mode\`. Expected one of ('int', 'one_hot', 'multi_hot', 'count'). Received: output_mode=${mode}`);
      return null;
    }
    if (mode === 'int') return [...x];
    if (bins === null && !cfg.isUnknown('num_bins')) return null;
    return [...x.slice(0, -1), bins];
  },
};

/**
 * tf.keras 2 RandomHeight / RandomWidth (not in Keras 3's namespace): `compute_output_shape`
 * sets the height (axis −3) or width (axis −2) to None, whatever the factor.
 */
function randomResize(className: string, axis: number): LayerRule {
  return {
    className,
    inputRank: { min: 3, max: 4 },
    outputShape(inputs) {
      const out = [...inputs[0]];
      out[out.length + axis] = null;
      return out;
    },
  };
}

/**
 * Keras 3 MelSpectrogram: `(batch, num_mel_bins, ⌊(T + sequence_stride + 1) / sequence_stride⌋)`
 * (a rank-1 input gives `(num_mel_bins, frames)`); no weights.
 */
const melSpectrogram: LayerRule = {
  className: 'MelSpectrogram',
  outputShape(inputs, cfg, ctx) {
    const x = inputs[0];
    const fft = cfg.int('fft_length', 2048);
    const stride = cfg.int('sequence_stride', 512);
    const mel = cfg.int('num_mel_bins', 128);
    const seqLen = cfg.raw.sequence_length === undefined || cfg.raw.sequence_length === null ? fft : cfg.int('sequence_length', 0);
    if (fft !== null && seqLen !== null && fft < seqLen) {
      ctx.error(DiagnosticCode.invalidConfig, `\`fft_length\` must be greater than or equal to   \`sequence_length\`. Received: \`sequence_length\`=${seqLen}, \`fft_length\`=${fft}.`);
      return null;
    }
    const t = x.length === 1 ? x[0] : x[1];
    const frames = t === null || t === undefined ? null : stride === null || stride === 0 ? null : Math.floor((t + stride + 1) / stride);
    if (t !== null && t !== undefined && frames !== null) ctx.explain(`⌊(${t} + ${stride} + 1)/${stride}⌋ = ${frames} frames`);
    return x.length === 1 ? [mel, frames] : [x[0], mel, frames];
  },
};

/**
 * Keras 3 STFTSpectrogram on `(batch, time, channels)` (channels_last): a strided 1D conv of
 * width frame_length (stride frame_step, default frame_length // 2) with
 * `F = fft_length // 2 + 1` frequency bins (fft_length default: the next power of two ≥
 * frame_length; `mode='stft'` doubles F). Output `(batch, frames, F·channels)`, or with
 * expand_dims `(batch, frames, F, channels)`. Weights: `real_kernel` (unless mode='imag') and
 * `imag_kernel` (unless mode='real'), each frame_length·1·(fft_length // 2 + 1), trainable.
 */
function stftSettings(cfg: Cfg, ctx: RuleContext, report: boolean) {
  const frame = cfg.int('frame_length', 256);
  const stepRaw = cfg.raw.frame_step;
  const step = stepRaw === undefined || stepRaw === null ? (frame === null ? null : Math.floor(frame / 2)) : cfg.int('frame_step', 0);
  const fftRaw = cfg.raw.fft_length;
  const fft = fftRaw === undefined || fftRaw === null ? (frame === null || frame <= 0 ? null : 2 ** Math.ceil(Math.log2(frame))) : cfg.int('fft_length', 0);
  const mode = cfg.str('mode', 'log', STFT_MODES);
  const padding = cfg.str('padding', 'valid', ['valid', 'same']);
  const problem = (m: string) => {
    if (report) ctx.error(DiagnosticCode.invalidConfig, m);
    return null;
  };
  if (stepRaw !== undefined && stepRaw !== null && step !== null && frame !== null && (step > frame || step < 1)) return problem(`\`frame_step\` should be a positive integer not greater than \`frame_length\`. Received frame_step=${step}, frame_length=${frame}`);
  if (fftRaw !== undefined && fftRaw !== null && fft !== null && frame !== null && fft < frame) return problem(`\`fft_length\` should be not less than \`frame_length\`. Received fft_length=${fft}, frame_length=${frame}`);
  if (mode !== null && !STFT_MODES.includes(mode)) return problem(`Output mode is invalid, it must be one of ${STFT_MODES.join(', ')}. Received: mode=${mode}`);
  if (padding !== null && padding !== 'valid' && padding !== 'same') return problem(`Padding is invalid, it should be 'valid', 'same'. Received: padding=${padding}`);
  return { frame, step, fft, mode, padding: padding as 'valid' | 'same' | null };
}

const STFT_MODES = ['log', 'magnitude', 'psd', 'real', 'imag', 'angle', 'stft'];

const stftSpectrogram: LayerRule = {
  className: 'STFTSpectrogram',
  inputRank: 3,
  outputShape(inputs, cfg, ctx) {
    const s = stftSettings(cfg, ctx, true);
    const format = cfg.dataFormat();
    const expand = cfg.bool('expand_dims', false);
    if (!s || format === null || expand === null) return null;
    const x = inputs[0];
    const [batch, t, c] = format === 'channels_last' ? [x[0], x[1], x[2]] : [x[0], x[2], x[1]];
    const freq = s.fft === null || s.mode === null ? null : (Math.floor(s.fft / 2) + 1) * (s.mode === 'stft' ? 2 : 1);
    const frames = convOutputLength(t, s.frame, s.padding, s.step);
    if (t !== null && s.frame !== null && s.step !== null && s.padding !== null && frames !== null) ctx.explain(explainConvLength(t, s.frame, s.padding, s.step, 1, frames));
    if (expand) return format === 'channels_last' ? [batch, frames, freq, c] : [batch, c, frames, freq];
    const filters = freq === null || c === null ? null : freq * c;
    return format === 'channels_last' ? [batch, frames, filters] : [batch, filters, frames];
  },
  params(_inputs, cfg, ctx) {
    const s = stftSettings(cfg, ctx, false);
    if (!s || s.frame === null || s.fft === null || s.mode === null) return { trainable: null, nonTrainable: null };
    const one = s.frame * (Math.floor(s.fft / 2) + 1);
    const kernels = (s.mode !== 'imag' ? 1 : 0) + (s.mode !== 'real' ? 1 : 0);
    return { trainable: kernels * one, nonTrainable: 0, formula: `${kernels}·${s.frame}·${Math.floor(s.fft / 2) + 1} = ${kernels * one}` };
  },
};

/** Rescaling, Resizing, CenterCrop, RandomCrop, Normalization, CategoryEncoding, Hashing, pass-through augmentations. */
export const preprocessingRules: LayerRule[] = [
  passThrough('Rescaling'),
  imageResize('Resizing'),
  imageResize('CenterCrop'),
  randomCrop,
  normalization,
  categoryEncoding,
  hashing,
  ...RANDOM_PASS_THROUGH.map((name) => passThrough(name)),
  randomResize('RandomHeight', -3),
  randomResize('RandomWidth', -2),
  melSpectrogram,
  stftSpectrogram,
];
