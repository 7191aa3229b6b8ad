// Vocabulary and binning layer rules (Keras 3 preprocessing): StringLookup, IntegerLookup,
// TextVectorization, Discretization, HashedCrossing. A vocabulary given as a literal list is
// counted as Keras counts it; one adapted from data (or read from a file) is a size the analysis
// cannot know, so the dims that depend on it are `?` (RuleContext.dataDependent). None of these
// layers owns weights Keras counts (lookup tables and tf_idf's tf.Variable are not Keras weights).

import { Cfg, UNKNOWN, type ConfigValue, type LayerConfig } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formatShape, type RuleDim, type RuleShape } from '../shape';
import type { LayerRule, RuleContext } from './types';

const LOOKUP_MODES = ['int', 'one_hot', 'multi_hot', 'count', 'tf_idf'] as const;

/** Python's repr of a tuple of strings, as Keras' messages print `allowable_strings`. */
function pyTuple(items: readonly string[]): string {
  return `(${items.map((s) => `'${s}'`).join(', ')}${items.length === 1 ? ',' : ''})`;
}

/** `output_mode` with Keras' deprecated spellings (`binary`, `tf-idf`) mapped; null when unknown or invalid (reported). */
function outputMode(cfg: Cfg, ctx: RuleContext, allowed: readonly string[]): string | null {
  let mode = cfg.str('output_mode', 'int', allowed);
  if (mode === null) return null;
  if (allowed.includes('tf_idf')) {
    if (mode === 'binary') mode = 'multi_hot';
    if (mode === 'tf-idf') mode = 'tf_idf';
  }
  if (!allowed.includes(mode)) {
    ctx.error(DiagnosticCode.invalidConfig, `Unknown value for \`output_mode\` argument of ${ctx.className}. Allowed values are: ${pyTuple(allowed)}. Received: output_mode=${mode}`);
    return null;
  }
  return mode;
}

/** Python's repr of a config value in a message. */
function repr(v: ConfigValue): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** The data-dependent size's reason for a lookup layer without a literal vocabulary. */
function learntWhy(ctx: RuleContext, raw: ConfigValue | undefined): string {
  return typeof raw === 'string'
    ? `the vocabulary of ${ctx.layerName} is read from the file ${raw}`
    : `the vocabulary of ${ctx.layerName} is learnt by adapt() from data (or set later), so its size is not in the code`;
}

function learnt(ctx: RuleContext, why: string): number | null {
  return ctx.dataDependent ? ctx.dataDependent(why) : null;
}

interface LookupSettings {
  /** `mask_token`, undefined when None. */
  mask: ConfigValue | undefined;
  oovToken: ConfigValue;
  numOov: number | null;
  maxTokens: number | null | undefined;
  mode: string;
  invert: boolean | null;
  pad: boolean | null;
}

/**
 * `IndexLookup.vocabulary_size()` after `set_vocabulary(vocabulary)` at construction:
 * mask (int mode only) + OOV indices + the vocabulary's own tokens (special tokens given at its
 * start are not counted twice). Reports Keras' errors for an empty or repeated vocabulary, a
 * misplaced mask token and a size above `max_tokens`. A vocabulary not given as a literal list is
 * data-dependent; an unknown setting gives the run's stand-in. False when Keras raises.
 */
function lookupVocabularySize(cfg: Cfg, s: LookupSettings, ctx: RuleContext, report: boolean): number | null | false {
  const raw = cfg.raw.vocabulary;
  if (s.numOov === null) return null;
  const oovStart = s.mask !== undefined && s.mode === 'int' ? 1 : 0;
  const tokenStart = oovStart + s.numOov;
  if (raw === UNKNOWN) return cfg.standIn();
  if (!Array.isArray(raw)) return learnt(ctx, learntWhy(ctx, raw));
  if (raw.length === 0) {
    if (report) ctx.error(DiagnosticCode.invalidConfig, 'Cannot set an empty vocabulary. Received: vocabulary=[]');
    return false;
  }
  const special: ConfigValue[] = [...Array(oovStart).fill(s.mask ?? null), ...Array(s.numOov).fill(s.oovToken)];
  const head = raw.slice(0, tokenStart);
  // Whether the vocabulary starts with the special tokens decides the count: an unknown item there leaves it unknown.
  if (head.some((v) => v === UNKNOWN)) return cfg.standIn();
  const found = head.length === special.length && head.every((v, i) => v === special[i]);
  const tokens = found ? raw.slice(tokenStart) : raw;
  const seen = new Set<ConfigValue>();
  const repeated: ConfigValue[] = [];
  for (const t of tokens) {
    if (t === UNKNOWN || typeof t === 'object') continue;
    if (seen.has(t) && !repeated.includes(t)) repeated.push(t);
    seen.add(t);
  }
  if (repeated.length > 0) {
    if (report) ctx.error(DiagnosticCode.invalidConfig, `The passed vocabulary has at least one repeated term. Please uniquify your dataset. The repeated terms are: [${repeated.map(repr).join(', ')}]`);
    return false;
  }
  if (s.mask !== undefined && tokens.includes(s.mask)) {
    if (report) ctx.error(DiagnosticCode.invalidConfig, `Found reserved mask token at unexpected location in \`vocabulary\`. Note that passed \`vocabulary\` does not need to include the OOV and mask tokens. Either remove all mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: [${special.map(repr).join(', ')}]. Received: mask_token=${String(s.mask)}`);
    return false;
  }
  const size = tokenStart + tokens.length;
  if (typeof s.maxTokens === 'number' && size > s.maxTokens) {
    if (report) ctx.error(DiagnosticCode.invalidConfig, `Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is ${size}; \`max_tokens\` is ${s.maxTokens}.`);
    return false;
  }
  if (report) ctx.explain(`vocabulary size ${[oovStart ? 'mask 1' : '', s.numOov ? `OOV ${s.numOov}` : '', `${tokens.length} tokens`].filter(Boolean).join(' + ')} = ${size}`);
  return size;
}

/** The settings IndexLookup checks in `__init__` (Keras' errors reported); null when Keras raises or a setting is unknown. */
function lookupSettings(cfg: Cfg, ctx: RuleContext, defaults: { oovToken: ConfigValue; mask?: ConfigValue }): LookupSettings | null {
  const maxTokens = cfg.int('max_tokens');
  if (typeof maxTokens === 'number' && maxTokens <= 1) {
    ctx.error(DiagnosticCode.invalidConfig, `If set, \`max_tokens\` must be greater than 1. Received: max_tokens=${maxTokens}`);
    return null;
  }
  const pad = cfg.bool('pad_to_max_tokens', false);
  if (pad === true && (maxTokens === undefined || (maxTokens === null && cfg.raw.max_tokens === null))) {
    ctx.error(DiagnosticCode.invalidConfig, 'If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens=None');
    return null;
  }
  const numOov = cfg.int('num_oov_indices', 1);
  if (numOov !== null && numOov < 0) {
    ctx.error(DiagnosticCode.invalidConfig, `\`num_oov_indices\` must be greater than or equal to 0. Received: num_oov_indices=${numOov}`);
    return null;
  }
  const mode = outputMode(cfg, ctx, LOOKUP_MODES);
  if (mode === null) return null;
  const invert = cfg.bool('invert', false);
  if (invert === true && mode !== 'int') {
    ctx.error(DiagnosticCode.invalidConfig, `\`output_mode\` must be \`'int'\` when \`invert\` is true. Received: output_mode=${mode}`);
    return null;
  }
  if (cfg.bool('sparse', false) === true && mode === 'int') {
    ctx.error(DiagnosticCode.invalidConfig, `\`sparse\` may only be true if \`output_mode\` is \`'one_hot'\`, \`'multi_hot'\`, \`'count'\` or \`'tf_idf'\`. Received: sparse=True and output_mode=${mode}`);
    return null;
  }
  const idf = cfg.raw.idf_weights;
  const hasIdf = idf !== undefined && idf !== null;
  if (hasIdf && mode !== 'tf_idf') {
    ctx.error(DiagnosticCode.invalidConfig, `\`idf_weights\` should only be set if \`output_mode\` is \`'tf_idf'\`. Received: output_mode=${mode}`);
    return null;
  }
  const vocab = cfg.raw.vocabulary;
  if (mode === 'tf_idf' && vocab !== undefined && vocab !== null && !hasIdf) {
    ctx.error(DiagnosticCode.invalidConfig, 'When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` argument must also be provided.');
    return null;
  }
  const rawMask = Object.hasOwn(cfg.raw, 'mask_token') ? cfg.raw.mask_token : defaults.mask;
  const oovToken = Object.hasOwn(cfg.raw, 'oov_token') ? cfg.raw.oov_token : defaults.oovToken;
  return { mask: rawMask === null || rawMask === undefined ? undefined : rawMask, oovToken, numOov, maxTokens, mode, invert, pad };
}

/**
 * `IndexLookup.compute_output_shape`: `int` keeps the shape; otherwise depth = max_tokens
 * (pad_to_max_tokens) or the vocabulary size; one_hot appends it (replaces a last dim of 1 when
 * rank > 1), multi_hot / count / tf_idf replace the last axis.
 */
function encodedShape(x: RuleShape, mode: string, depth: RuleDim): RuleShape {
  if (mode === 'int') return [...x];
  if (mode === 'one_hot') return x.length > 1 && x[x.length - 1] === 1 ? [...x.slice(0, -1), depth] : [...x, depth];
  return [...x.slice(0, -1), depth];
}

function lookupDepth(cfg: Cfg, s: LookupSettings, ctx: RuleContext): RuleDim {
  if (s.pad) return s.maxTokens ?? null;
  return lookupVocabularySize(cfg, s, ctx, false) || null;
}

/** The constructor's checks of a literal vocabulary (Keras raises whatever the output mode); false when it raises. */
function vocabularyAccepted(cfg: Cfg, s: LookupSettings, ctx: RuleContext): boolean {
  return !Array.isArray(cfg.raw.vocabulary) || lookupVocabularySize(cfg, s, ctx, true) !== false;
}

function lookupRule(className: string, defaults: { oovToken: ConfigValue }): LayerRule {
  return {
    className,
    outputShape(inputs, cfg, ctx) {
      const s = lookupSettings(cfg, ctx, defaults);
      if (!s) return null;
      if (!vocabularyAccepted(cfg, s, ctx)) return null;
      return encodedShape(inputs[0], s.mode, s.mode === 'int' ? null : lookupDepth(cfg, s, ctx));
    },
  };
}

const stringLookup = lookupRule('StringLookup', { oovToken: '[UNK]' });
const integerLookup = lookupRule('IntegerLookup', { oovToken: -1 });

// ---------------------------------------------------------------------------------------------
// TextVectorization

const TEXT_VECTORIZATION_DEFAULTS = { oovToken: '[UNK]', mask: '' };

/**
 * Keras 3 `compute_output_shape`: int → `(batch, output_sequence_length)` (None when not set);
 * otherwise the inner StringLookup's shape on the split input: `input + (None,)` when splitting,
 * `input + (1,)` for a rank ≤ 1 input with split=None.
 */
const textVectorization: LayerRule = {
  className: 'TextVectorization',
  outputShape(inputs, cfg, ctx) {
    const x = inputs[0];
    const s = lookupSettings(cfg, ctx, TEXT_VECTORIZATION_DEFAULTS);
    if (!s) return null;
    const seqRaw = cfg.raw.output_sequence_length;
    const hasSeq = seqRaw !== undefined && seqRaw !== null;
    if (s.mode !== 'int' && hasSeq) {
      ctx.error(DiagnosticCode.invalidConfig, `\`output_sequence_length\` must not be set if \`output_mode\` is not 'int'. Received output_sequence_length=${repr(seqRaw)}.`);
      return null;
    }
    if (s.mode !== 'int' && cfg.bool('ragged', false) === true) {
      ctx.error(DiagnosticCode.invalidConfig, `\`ragged\` must not be true if \`output_mode\` is \`'int'\`. Received: ragged=True and output_mode=${s.mode}`);
      return null;
    }
    if (!vocabularyAccepted(cfg, s, ctx)) return null;
    if (s.mode === 'int') {
      const len = hasSeq ? cfg.int('output_sequence_length') : null;
      if (hasSeq && len === null) return null;
      return [x[0] ?? null, len ?? null];
    }
    const splitNone = cfg.raw.split === null;
    const split = splitNone ? (x.length <= 1 ? [...x, 1] : [...x]) : [...x, null];
    return encodedShape(split, s.mode, lookupDepth(cfg, s, ctx));
  },
};

// ---------------------------------------------------------------------------------------------
// Discretization

/**
 * Keras 3 `compute_output_shape`: int keeps the shape; depth = len(bin_boundaries) + 1, or
 * num_bins (adapted: Keras' depth is then the number of boundaries learnt + 1, which the data
 * decides); one_hot appends depth (replaces a last dim of 1, rank > 1); multi_hot / count give
 * `(batch, *input[2:], depth)` for rank ≥ 2 and `(depth,)` below.
 */
const discretization: LayerRule = {
  className: 'Discretization',
  outputShape(inputs, cfg, ctx) {
    const x = inputs[0];
    const mode = outputMode(cfg, ctx, ['int', 'one_hot', 'multi_hot', 'count']);
    if (mode === null) return null;
    if (mode === 'int' && cfg.bool('sparse', false) === true) {
      ctx.error(DiagnosticCode.invalidConfig, `\`sparse=True\` may only be used if \`output_mode\` is \`'one_hot'\`, \`'multi_hot'\`, or \`'count'\`. Received: sparse=True and output_mode=int`);
      return null;
    }
    const rawBins = cfg.raw.num_bins;
    const rawBounds = cfg.raw.bin_boundaries;
    const hasBins = rawBins !== undefined && rawBins !== null;
    const hasBounds = rawBounds !== undefined && rawBounds !== null;
    const bins = hasBins ? cfg.int('num_bins') : undefined;
    if (typeof bins === 'number' && bins < 0) {
      ctx.error(DiagnosticCode.invalidConfig, `\`num_bins\` must be greater than or equal to 0. Received: \`num_bins=${bins}\``);
      return null;
    }
    if (hasBins && hasBounds) {
      ctx.error(DiagnosticCode.invalidConfig, `Both \`num_bins\` and \`bin_boundaries\` should not be set. Received: \`num_bins=${repr(rawBins)}\` and \`bin_boundaries=${Array.isArray(rawBounds) ? `[${rawBounds.map((v) => repr(v as ConfigValue)).join(', ')}]` : repr(rawBounds)}\``);
      return null;
    }
    if (!hasBins && !hasBounds) {
      ctx.error(DiagnosticCode.missingArgument, 'You need to set either `num_bins` or `bin_boundaries`.');
      return null;
    }
    if (mode === 'int') return [...x];
    let depth: RuleDim;
    if (hasBounds) depth = Array.isArray(rawBounds) ? rawBounds.length + 1 : rawBounds === UNKNOWN ? cfg.standIn() : null;
    else depth = learnt(ctx, `the bins of ${ctx.layerName} are learnt by adapt() from data: Keras' depth is the number of bin boundaries found + 1 (at most num_bins=${bins ?? '?'})`);
    if (mode === 'one_hot') return x.length > 1 && x[x.length - 1] === 1 ? [...x.slice(0, -1), depth] : [...x, depth];
    return x.length >= 2 ? [x[0], ...x.slice(2), depth] : [depth];
  },
};

// ---------------------------------------------------------------------------------------------
// HashedCrossing

/** Keras 3 `compute_output_shape` on exactly two inputs whose last dims agree. */
const hashedCrossing: LayerRule = {
  className: 'HashedCrossing',
  arity: 'multi',
  outputShape(inputs, cfg, ctx) {
    const mode = outputMode(cfg, ctx, ['int', 'one_hot']);
    if (!cfg.has('num_bins')) ctx.error(DiagnosticCode.missingArgument, `HashedCrossing.__init__() missing 1 required positional argument: 'num_bins'`);
    const bins = cfg.int('num_bins') ?? null;
    if (inputs.length !== 2) {
      ctx.error(DiagnosticCode.mergeMismatch, `Expected as input a list/tuple of 2 tensors. Received input_shape=[${inputs.map(formatShape).join(', ')}]`);
      return null;
    }
    const [a, b] = inputs;
    if (a[a.length - 1] !== b[b.length - 1]) {
      ctx.error(DiagnosticCode.shapeMismatch, `Expected the two input tensors to have identical shapes. Received input_shape=[${inputs.map(formatShape).join(', ')}]`);
      return null;
    }
    if (mode === null) return null;
    if (mode === 'int') return [...a];
    return a[a.length - 1] !== 1 ? [...a, bins] : [...a.slice(0, -1), bins];
  },
};

/**
 * `layer.vocabulary_size()` of a StringLookup / IntegerLookup / TextVectorization made with
 * `config`: a number for a literal vocabulary, null when unknown or not a vocabulary layer.
 */
export function vocabularySize(className: string, config: LayerConfig): number | null {
  const defaults = className === 'TextVectorization' ? TEXT_VECTORIZATION_DEFAULTS : className === 'StringLookup' ? { oovToken: '[UNK]' } : className === 'IntegerLookup' ? { oovToken: -1 } : null;
  if (!defaults) return null;
  const cfg = new Cfg(config);
  const quiet: RuleContext = { layerName: '', className, error: () => undefined, warning: () => undefined, explain: () => undefined, inner: () => ({ output: null, params: { trainable: null, nonTrainable: null } }) };
  const s = lookupSettings(cfg, quiet, defaults);
  if (!s) return null;
  const n = lookupVocabularySize(cfg, s, quiet, false);
  return cfg.lost || n === false ? null : n;
}

/** StringLookup, IntegerLookup, TextVectorization, Discretization, HashedCrossing. */
export const vocabularyRules: LayerRule[] = [stringLookup, integerLookup, textVectorization, discretization, hashedCrossing];
