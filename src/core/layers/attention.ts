// Attention layer rules (Keras 3 `keras.layers`): MultiHeadAttention, Attention, AdditiveAttention
// and EinsumDense, the projection MultiHeadAttention is built from.

import { UNKNOWN, type Cfg } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { constant, constantShape, formulaOf, plus, productOf, times, type FormulaShape } from '../formula';
import { formatShape, type RuleOutputShape, type RuleShape } from '../shape';
import { positiveInt } from './core';
import type { LayerRule, ParamCount, RuleContext } from './types';

const UNKNOWN_PARAMS: ParamCount = { trainable: null, nonTrainable: null };

/** Product of known dims, or null if any is unknown. */
function prod(dims: (number | null)[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

/**
 * An `output_shape` setting (int or tuple; None entries allowed) as a list, as Keras' layers
 * normalise it; `undefined` when absent or None, null when it cannot be read.
 */
function shapeSetting(cfg: Cfg, key: string): (number | null)[] | null | undefined {
  const v = cfg.raw[key];
  if (v === undefined || v === null) return undefined;
  if (v === UNKNOWN) {
    cfg.lost = true;
    return null;
  }
  if (typeof v === 'number') return Number.isSafeInteger(v) ? [v] : null;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' && Number.isSafeInteger(x) ? x : x === UNKNOWN ? cfg.standIn() : null));
  return null;
}

// ---------------------------------------------------------------------------------------------
// MultiHeadAttention

/**
 * `mha(query, value)` / `mha(query, value, key)`: the front ends give the rule all positional
 * tensors in order (`tensorArgs: 3`). Output: the query's shape with its last dim replaced by
 * `output_shape` (default: unchanged), as Keras' `compute_output_shape`. The call's
 * `return_attention_scores=True` (given to the rule as a setting) adds the scores as a second output.
 *
 * Weights (Keras' `build`, four EinsumDense sublayers, last-dim projections whatever the rank or
 * `attention_axes`): with H = num_heads, K = key_dim, V = value_dim (default K), O = output_shape
 * (default the query's last dim) and bias when use_bias:
 *   query  q·H·K + H·K      key  k·H·K + H·K      value  v·H·V + H·V
 *   output H·V·∏O + ∏O      gate (use_gate)  q·H·V + H·V
 */
const multiHeadAttention: LayerRule = {
  className: 'MultiHeadAttention',
  arity: 'any',
  tensorArgs: 3,
  tensorArgNames: ['query', 'value', 'key'],
  callSettings: ['return_attention_scores'],
  inputRank: { min: 3 },
  outputShape(inputs, cfg, ctx) {
    const heads = positiveInt(cfg, 'num_heads', ctx);
    const keyDim = positiveInt(cfg, 'key_dim', ctx);
    if (inputs.length < 2) return null; // value not followed (or given by keyword): unknown
    const [query, value] = inputs;
    const key = inputs[2] ?? value;
    const mid = (s: RuleShape) => s.slice(1, -1);
    const vm = mid(value);
    const km = mid(key);
    if (vm.length !== km.length || vm.some((d, i) => d !== null && km[i] !== null && d !== km[i])) {
      ctx.error(DiagnosticCode.shapeMismatch, `All dimensions of \`value\` and \`key\`, except the last one, must be equal. Received: value_shape=${formatShape(value)} and key_shape=${formatShape(key)}`);
      return null;
    }
    if (heads === null || keyDim === null) return null;
    const out = shapeSetting(cfg, 'output_shape');
    const scores = cfg.bool('return_attention_scores', false);
    if (out === null || scores === null) return null;
    const output = out && out.length > 0 ? [...query.slice(0, -1), ...out] : [...query];
    // Keras 3's compute_output_spec gives the scores (B, num_heads, T_q, T_q): the query's length twice.
    return scores ? [output, [query[0], heads, query[1] ?? null, query[1] ?? null]] : output;
  },
  params(inputs, cfg, ctx) {
    if (inputs.length < 2) return UNKNOWN_PARAMS;
    const H = positiveInt(cfg, 'num_heads', ctx, false);
    const K = positiveInt(cfg, 'key_dim', ctx, false);
    const rawV = cfg.int('value_dim');
    const V = rawV === undefined || rawV === 0 ? K : rawV;
    const useBias = cfg.bool('use_bias', true);
    const useGate = cfg.bool('use_gate', false);
    const [query, value] = inputs;
    const key = inputs[2] ?? value;
    const q = query[query.length - 1];
    const v = value[value.length - 1];
    const k = key[key.length - 1];
    const out = shapeSetting(cfg, 'output_shape');
    const O = out === null ? null : out && out.length > 0 ? prod(out) : q;
    if (H === null || K === null || V === null || useBias === null || useGate === null || q === null || v === null || k === null || O === null) return UNKNOWN_PARAMS;
    const b = (n: number) => (useBias ? n : 0);
    const parts: [string, number, string][] = [
      ['query', q * H * K + b(H * K), `${q}·${H}·${K}${useBias ? ` + ${H}·${K}` : ''}`],
      ['key', k * H * K + b(H * K), `${k}·${H}·${K}${useBias ? ` + ${H}·${K}` : ''}`],
      ['value', v * H * V + b(H * V), `${v}·${H}·${V}${useBias ? ` + ${H}·${V}` : ''}`],
      ['output', H * V * O + b(O), `${H}·${V}·${O}${useBias ? ` + ${O}` : ''}`],
    ];
    if (useGate) parts.push(['gate', q * H * V + b(H * V), `${q}·${H}·${V}${useBias ? ` + ${H}·${V}` : ''}`]);
    const total = parts.reduce((s, p) => s + p[1], 0);
    return { trainable: total, nonTrainable: 0, formula: `${parts.map(([n, , f]) => `${n} ${f}`).join(', ')}: ${parts.map((p) => p[1]).join(' + ')} = ${total}` };
  },
  /**
   * MACs with Tq / Tk the query's / value's positions (the axes between batch and features,
   * attended jointly by default): projections Tq·q·H·K + Tk·k·H·K + Tk·v·H·V, scores H·Tq·Tk·K,
   * weighted values H·Tq·Tk·V, output Tq·H·V·O (and the gate Tq·q·H·V). Other `attention_axes`
   * are not counted; FLOPs are not (tf.profiler registers no statistic for Einsum).
   */
  cost(inputs, outputs, cfg) {
    const unknown = { macs: null, flops: null };
    if (inputs.length < 2 || (cfg.raw.attention_axes !== undefined && cfg.raw.attention_axes !== null)) return unknown;
    const H = cfg.int('num_heads');
    const K = cfg.int('key_dim');
    const rawV = cfg.int('value_dim');
    const V = rawV === undefined || rawV === 0 ? K : rawV;
    const useGate = cfg.bool('use_gate', false);
    const [query, value] = inputs;
    const key = inputs[2] ?? value;
    const last = (x: RuleShape) => x[x.length - 1];
    const Tq = prod(query.slice(1, -1));
    const Tk = prod(value.slice(1, -1));
    const out = outputs[0];
    const O = prod(out.slice(query.length - 1));
    const [q, k, v] = [last(query), last(key), last(value)];
    if (typeof H !== 'number' || typeof K !== 'number' || typeof V !== 'number' || useGate === null) return unknown;
    if (Tq === null || Tk === null || O === null || q === null || k === null || v === null) return unknown;
    const macs = Tq * q * H * K + Tk * k * H * K + Tk * v * H * V + H * Tq * Tk * K + H * Tq * Tk * V + Tq * H * V * O + (useGate ? Tq * q * H * V : 0);
    return { macs, flops: null };
  },
  // The output has the query's dims (a sequence length passes through); MACs as `cost` counts them.
  symbolic(inputs, cfg) {
    if (inputs.length < 2) return null;
    const [query, value] = inputs;
    const key = inputs[2] ?? value;
    const out = shapeSetting(cfg, 'output_shape');
    const scores = cfg.bool('return_attention_scores', false);
    const H = cfg.int('num_heads');
    const K = cfg.int('key_dim');
    if (out === null || scores === null || typeof H !== 'number' || typeof K !== 'number') return null;
    const output: FormulaShape = out && out.length > 0 ? [...query.slice(0, -1), ...constantShape(out)] : [...query];
    const macs = () => {
      const rawV = cfg.int('value_dim');
      const V = rawV === undefined || rawV === 0 ? K : rawV;
      const useGate = cfg.bool('use_gate', false);
      if (typeof V !== 'number' || useGate === null || (cfg.raw.attention_axes !== undefined && cfg.raw.attention_axes !== null)) return undefined;
      const last = (x: FormulaShape) => formulaOf(x[x.length - 1]);
      const Tq = productOf(query.slice(1, -1));
      const Tk = productOf(value.slice(1, -1));
      const O = productOf(output.slice(query.length - 1));
      const [q, k, v] = [last(query), last(key), last(value)];
      return plus(times(Tq, q, H, K), times(Tk, k, H, K), times(Tk, v, H, V), times(H, Tq, Tk, K), times(H, Tq, Tk, V), times(Tq, H, V, O), useGate ? times(Tq, q, H, V) : 0);
    };
    return { output: scores ? [output, [query[0], constant(H), query[1] ?? null, query[1] ?? null]] : output, macs };
  },
};

// ---------------------------------------------------------------------------------------------
// GroupQueryAttention (class GroupedQueryAttention)

/**
 * Keras 3 `GroupedQueryAttention` (public name `GroupQueryAttention`): `(query, value[, key])`;
 * the output has the query's shape (`compute_output_shape`; query and value must share their last
 * dim). With `return_attention_scores=True` a second output `(B, num_query_heads, T_q, T_kv)`
 * (T_kv from the key when given).
 *
 * Weights (`build`, EinsumDense sublayers): with Hq = num_query_heads, Hkv = num_key_value_heads,
 * D = head_dim, F = the query's last dim, and bias when use_bias:
 *   query  q·Hq·D + Hq·D     key  k·Hkv·D + Hkv·D     value  v·Hkv·D + Hkv·D
 *   output Hq·D·F + F        gate (use_gate)  q·Hq·D + Hq·D
 */
function gqaSettings(cfg: Cfg, ctx: RuleContext, report: boolean): { Hq: number | null; Hkv: number | null; D: number | null } | null {
  const D = positiveInt(cfg, 'head_dim', ctx, report);
  const Hq = positiveInt(cfg, 'num_query_heads', ctx, report);
  const Hkv = positiveInt(cfg, 'num_key_value_heads', ctx, report);
  if (Hq !== null && Hkv !== null && Hq % Hkv !== 0) {
    if (report) ctx.error(DiagnosticCode.invalidConfig, '`num_query_heads` must be divisible by `num_key_value_heads`.');
    return null;
  }
  return { Hq, Hkv, D };
}

const groupedQueryAttention: LayerRule = {
  className: 'GroupedQueryAttention',
  aliases: ['GroupQueryAttention'],
  arity: 'any',
  tensorArgs: 3,
  tensorArgNames: ['query', 'value', 'key'],
  callSettings: ['return_attention_scores'],
  outputShape(inputs, cfg, ctx) {
    const s = gqaSettings(cfg, ctx, true);
    if (inputs.length < 2 || !s) return null;
    const [query, value] = inputs;
    const key = inputs[2] ?? value;
    const qd = query[query.length - 1];
    const vd = value[value.length - 1];
    if (qd !== vd) {
      ctx.error(DiagnosticCode.shapeMismatch, `The last dimension of \`query_shape\` and \`value_shape\` must be equal, but are ${qd ?? 'None'}, ${vd ?? 'None'}. Received: query_shape=${formatShape(query)}, value_shape=${formatShape(value)}`);
      return null;
    }
    const vm = value.slice(1, -1);
    const km = key.slice(1, -1);
    if (vm.length !== km.length || vm.some((d, i) => d !== km[i])) {
      ctx.error(DiagnosticCode.shapeMismatch, `All dimensions of \`value\` and \`key\`, except the last one, must be equal. Received: value_shape=${formatShape(value)} and key_shape=${formatShape(key)}`);
      return null;
    }
    const scores = cfg.bool('return_attention_scores', false);
    if (scores === null) return null;
    if (!scores) return [...query];
    return [[...query], [query[0], s.Hq, query[1] ?? null, key[1] ?? null]];
  },
  params(inputs, cfg, ctx) {
    const s = gqaSettings(cfg, ctx, false);
    const useBias = cfg.bool('use_bias', true);
    const useGate = cfg.bool('use_gate', false);
    if (inputs.length < 2 || !s) return UNKNOWN_PARAMS;
    const { Hq, Hkv, D } = s;
    const [query, value] = inputs;
    const key = inputs[2] ?? value;
    const q = query[query.length - 1];
    const v = value[value.length - 1];
    const k = key[key.length - 1];
    if (Hq === null || Hkv === null || D === null || useBias === null || useGate === null || q === null || v === null || k === null) return UNKNOWN_PARAMS;
    const bq = useBias ? Hq * D : 0;
    const bkv = useBias ? Hkv * D : 0;
    const b = (h: number) => (useBias ? ` + ${h}·${D}` : '');
    const parts: [string, number, string][] = [
      ['query', q * Hq * D + bq, `${q}·${Hq}·${D}${b(Hq)}`],
      ['key', k * Hkv * D + bkv, `${k}·${Hkv}·${D}${b(Hkv)}`],
    ];
    if (useGate) parts.push(['gate', q * Hq * D + bq, `${q}·${Hq}·${D}${b(Hq)}`]);
    parts.push(['value', v * Hkv * D + bkv, `${v}·${Hkv}·${D}${b(Hkv)}`]);
    parts.push(['attention_output', Hq * D * q + (useBias ? q : 0), `${Hq}·${D}·${q}${useBias ? ` + ${q}` : ''}`]);
    const total = parts.reduce((sum, p) => sum + p[1], 0);
    return { trainable: total, nonTrainable: 0, formula: `${parts.map(([n, , f]) => `${n} ${f}`).join(', ')}: ${parts.map((p) => p[1]).join(' + ')} = ${total}` };
  },
};

// ---------------------------------------------------------------------------------------------
// Attention / AdditiveAttention: called on [query, value] or [query, value, key].

function checkList(inputs: RuleShape[], ctx: RuleContext): boolean {
  if (inputs.length < 2 || inputs.length > 3) {
    ctx.error(DiagnosticCode.mergeMismatch, `${ctx.className} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: ${inputs.length}.`);
    return false;
  }
  return true;
}

/**
 * Keras' `compute_output_shape`: `(*query_shape[:-1], value_shape[-1])`; with the call's
 * `return_attention_scores=True` also the scores `(*query_shape[:-1], key_shape[-2])`.
 */
function attentionOutput(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape {
  if (!checkList(inputs, ctx)) return null;
  const [query, value] = inputs;
  const key = inputs[2] ?? value;
  const out = [...query.slice(0, -1), value[value.length - 1]];
  const scores = cfg.bool('return_attention_scores', false);
  if (scores === null) return null;
  return scores ? [out, [...query.slice(0, -1), key[key.length - 2] ?? null]] : out;
}

/** Dot-product attention: a scalar `scale` if use_scale, a scalar `concat_score_weight` if score_mode='concat'. */
const attention: LayerRule = {
  className: 'Attention',
  arity: 'multi',
  callSettings: ['return_attention_scores'],
  outputShape(inputs, cfg, ctx) {
    const mode = cfg.str('score_mode', 'dot', ['dot', 'concat']);
    if (mode !== null && mode !== 'dot' && mode !== 'concat') {
      ctx.error(DiagnosticCode.invalidConfig, `Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. Received: score_mode=${mode}`);
      return null;
    }
    return attentionOutput(inputs, cfg, ctx);
  },
  params(_inputs, cfg) {
    const useScale = cfg.bool('use_scale', false);
    const mode = cfg.str('score_mode', 'dot', ['dot', 'concat']);
    if (useScale === null || mode === null) return UNKNOWN_PARAMS;
    const n = (useScale ? 1 : 0) + (mode === 'concat' ? 1 : 0);
    return { trainable: n, nonTrainable: 0, formula: n ? `${[useScale ? 'scale 1' : '', mode === 'concat' ? 'concat_score_weight 1' : ''].filter(Boolean).join(' + ')} = ${n}` : undefined };
  },
};

/** Additive (Bahdanau) attention: a `scale` vector of the query's last dim if use_scale (default True). */
const additiveAttention: LayerRule = {
  className: 'AdditiveAttention',
  arity: 'multi',
  callSettings: ['return_attention_scores'],
  outputShape: attentionOutput,
  params(inputs, cfg) {
    const useScale = cfg.bool('use_scale', true);
    if (useScale === null) return UNKNOWN_PARAMS;
    if (!useScale) return { trainable: 0, nonTrainable: 0 };
    const dim = inputs[0][inputs[0].length - 1];
    return dim === null ? UNKNOWN_PARAMS : { trainable: dim, nonTrainable: 0, formula: `scale ${dim}` };
  },
};

// ---------------------------------------------------------------------------------------------
// EinsumDense

interface EinsumShapes {
  kernel: (number | null)[];
  bias: (number | null)[] | null;
  output: (number | null)[];
}

/**
 * Keras' `_analyze_einsum_string` / `_analyze_split_string`: kernel, bias and full output shape
 * of `equation` on `input` with the partial `outputShape`. Reports Keras' errors; returns null
 * for an equation it rejects.
 */
export function analyzeEinsum(equation: string, biasAxes: string | null, input: RuleShape, outputShape: (number | null)[], ctx: RuleContext): EinsumShapes | null {
  const s = equation.replace(/\.\.\./g, '0');
  let m = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)/.exec(s);
  let leftElided = false;
  if (!m) {
    m = /^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)/.exec(s);
    leftElided = !!m;
  }
  m ??= /^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0/.exec(s);
  if (!m) {
    ctx.error(DiagnosticCode.invalidConfig, `Invalid einsum equation '${equation}'. Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....`);
    return null;
  }
  const [, inSpec, wSpec, outSpec] = m;
  const elided = input.length - inSpec.length;
  const out: (number | null)[] = [input[0], ...outputShape];
  if (elided > 0 && leftElided) {
    for (let i = 1; i < elided; i++) out.splice(1, 0, input[i]);
  } else if (elided > 0) {
    for (let i = input.length - elided; i < input.length; i++) out.push(input[i]);
  }
  const at = (arr: (number | null)[], i: number) => arr[i < 0 ? arr.length + i : i] ?? null;
  const inMap = new Map<string, number>();
  const outMap = new Map<string, number>();
  [...inSpec].forEach((c, i) => inMap.set(c, leftElided ? i + elided - input.length : i));
  [...outSpec].forEach((c, i) => outMap.set(c, leftElided ? i + elided : i));
  for (const c of inSpec) {
    const o = outMap.get(c);
    if (o === undefined) continue;
    const iv = at(input, inMap.get(c)!);
    const ov = at(out, o);
    if (ov !== null && iv !== null && ov !== iv) {
      ctx.error(DiagnosticCode.shapeMismatch, `Input shape and output shape do not match at shared dimension '${c}'. Input shape is ${iv}, and output shape is ${ov}.`);
      return null;
    }
  }
  for (const c of outSpec) {
    if (!inSpec.includes(c) && !wSpec.includes(c)) {
      ctx.error(DiagnosticCode.invalidConfig, `Dimension '${c}' was specified in the output '${outSpec}' but has no corresponding dim in the input spec '${inSpec}' or weight spec '${outSpec}'`);
      return null;
    }
  }
  const kernel: (number | null)[] = [];
  for (const c of wSpec) {
    if (outMap.has(c)) kernel.push(at(out, outMap.get(c)!));
    else if (inMap.has(c)) kernel.push(at(input, inMap.get(c)!));
    else {
      ctx.error(DiagnosticCode.invalidConfig, `Weight dimension '${c}' did not have a match in either the input spec '${inSpec}' or the output spec '${outSpec}'. For this layer, the weight must be fully specified.`);
      return null;
    }
  }
  let bias: (number | null)[] | null = null;
  if (biasAxes !== null) {
    const skip = leftElided ? elided : 0;
    for (const c of biasAxes) {
      if (!outSpec.includes(c)) {
        ctx.error(DiagnosticCode.invalidConfig, `Bias dimension '${c}' was requested, but is not part of the output spec '${outSpec}'`);
        return null;
      }
    }
    const first = Math.min(...[...biasAxes].map((c) => outSpec.indexOf(c)));
    bias = [...outSpec.slice(first)].map((c) => (biasAxes.includes(c) ? at(out, outSpec.indexOf(c) + Math.max(skip, 0)) : 1));
  }
  return { kernel, bias, output: out };
}

function einsumSetup(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): EinsumShapes | null {
  const equation = cfg.str('equation');
  if (equation === undefined) {
    ctx.error(DiagnosticCode.missingArgument, `EinsumDense.__init__() missing 1 required positional argument: 'equation'`);
    return null;
  }
  const partial = shapeSetting(cfg, 'output_shape');
  if (partial === undefined && !cfg.has('output_shape')) {
    ctx.error(DiagnosticCode.missingArgument, `EinsumDense.__init__() missing 1 required positional argument: 'output_shape'`);
    return null;
  }
  const biasAxes = cfg.str('bias_axes');
  if (equation === null || partial === null || biasAxes === null || partial === undefined) return null;
  return analyzeEinsum(equation, biasAxes ?? null, inputs[0], partial, ctx);
}

const einsumDense: LayerRule = {
  className: 'EinsumDense',
  outputShape(inputs, cfg, ctx) {
    const r = einsumSetup(inputs, cfg, ctx);
    return r ? r.output : null;
  },
  params(inputs, cfg, ctx) {
    const silent: RuleContext = { ...ctx, error: () => undefined, warning: () => undefined, explain: () => undefined };
    const r = einsumSetup(inputs, cfg, silent);
    if (!r) return UNKNOWN_PARAMS;
    const k = prod(r.kernel);
    const b = r.bias ? prod(r.bias) : 0;
    if (k === null || b === null) return UNKNOWN_PARAMS;
    const dims = (a: (number | null)[]) => a.join('·');
    return { trainable: k + b, nonTrainable: 0, formula: `${dims(r.kernel)}${r.bias ? ` + ${dims(r.bias)}` : ''} = ${k + b}` };
  },
};

export const attentionRules: LayerRule[] = [multiHeadAttention, groupedQueryAttention, attention, additiveAttention, einsumDense];
