// Wrapper layer rules: Bidirectional and TimeDistributed, evaluated through the wrapped layer's own rule.

import { Cfg, isLayerSpec, UNKNOWN, type LayerSpec } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formulaOf, plus, times, type FormulaShape } from '../formula';
import { formatShape, isShapeList, UNKNOWN_DIM, type RuleOutputShape, type RuleShape } from '../shape';
import { activationFlops } from './activation';
import { quietContext } from './convutils';
import { getRule, ruleFormulas } from './registry';
import type { CallCost, LayerRule, ParamCount, RuleContext } from './types';

const UNKNOWN_PARAMS: ParamCount = { trainable: null, nonTrainable: null };

type Inner = { output: RuleOutputShape; params: ParamCount };

/**
 * Inner evaluations are cached per config object: `outputShape` and `params` of one evaluation
 * share the Cfg, and evaluating twice would report the wrapped layer's problems twice.
 */
const cache = new WeakMap<Cfg, Map<string, Inner | null>>();

function once(cfg: Cfg, key: string, run: () => Inner | null): Inner | null {
  let m = cache.get(cfg);
  if (!m) cache.set(cfg, (m = new Map()));
  if (!m.has(key)) m.set(key, run());
  return m.get(key) ?? null;
}

/** Reads the wrapped `layer=`; reports a missing or unanalysable layer once. */
function wrapped(cfg: Cfg, ctx: RuleContext, report: boolean): LayerSpec | null {
  const spec = cfg.layer('layer');
  if (spec === undefined) {
    if (report) ctx.error(DiagnosticCode.missingArgument, `${ctx.className}.__init__() missing 1 required positional argument: 'layer'`);
    return null;
  }
  if (spec === null) {
    if (report) ctx.warning(DiagnosticCode.unknownLayer, `The layer wrapped by ${ctx.className} "${ctx.layerName}" is not known to the analysis; its output shape is unknown.`);
    return null;
  }
  return spec;
}

function sumParams(a: ParamCount, b: ParamCount, same: boolean): ParamCount {
  const add = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y);
  const trainable = add(a.trainable, b.trainable);
  const nonTrainable = add(a.nonTrainable, b.nonTrainable);
  const total = add(trainable, nonTrainable);
  const ta = add(a.trainable, a.nonTrainable);
  const tb = add(b.trainable, b.nonTrainable);
  const formula = total === null ? undefined : same ? `2·${ta} = ${total}` : `${ta} + ${tb} = ${total}`;
  return { trainable, nonTrainable, formula };
}

type MergeMode = 'concat' | 'sum' | 'mul' | 'ave' | 'none';

function mergeMode(cfg: Cfg, ctx: RuleContext, report: boolean): MergeMode | null | undefined {
  const raw = cfg.raw.merge_mode;
  if (raw === undefined) return 'concat';
  if (raw === null) return 'none';
  if (raw === UNKNOWN) return null;
  if (typeof raw === 'string' && ['concat', 'sum', 'mul', 'ave'].includes(raw)) return raw as MergeMode;
  if (report) {
    ctx.error(DiagnosticCode.invalidConfig, `Invalid merge mode. Received: ${String(raw)}. Merge mode should be one of {"sum", "mul", "ave", "concat", None}`);
  }
  return undefined;
}

function flag(spec: LayerSpec, key: string): boolean | null {
  return new Cfg(spec.config).bool(key, false);
}

function bidirectionalParts(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext) {
  const fwdSpec = wrapped(cfg, ctx, false);
  if (!fwdSpec) return null;
  const fwd = once(cfg, 'forward', () => ctx.inner(fwdSpec, [inputs[0]]));
  const back = cfg.layer('backward_layer');
  const bwd = back ? once(cfg, 'backward', () => ctx.inner(back, [inputs[0]])) : fwd;
  return fwd && bwd ? { fwd, bwd, fwdSpec, back: back ?? null } : null;
}

const bidirectional: LayerRule = {
  className: 'Bidirectional',
  // The forward and the backward layer, each on the whole sequence.
  cost(inputs, _outputs, cfg) {
    const fwd = innerCost(cfg.layer('layer'), inputs);
    const bwd = innerCost(cfg.layer('backward_layer') ?? cfg.layer('layer'), inputs);
    const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
    return { macs: add(fwd.macs, bwd.macs), flops: add(fwd.flops, bwd.flops) };
  },
  outputShape(inputs, cfg, ctx) {
    if (!wrapped(cfg, ctx, true)) return null;
    const mode = mergeMode(cfg, ctx, true);
    if (mode === undefined) return null;
    const parts = bidirectionalParts(inputs, cfg, ctx);
    if (!parts) return null;
    const { fwd, bwd, fwdSpec, back } = parts;
    if (back) {
      const fb = flag(fwdSpec, 'go_backwards');
      const bb = flag(back, 'go_backwards');
      if (fb !== null && bb !== null && fb === bb) {
        ctx.error(
          DiagnosticCode.invalidConfig,
          `Forward layer and backward layer should have different \`go_backwards\` value. Received: forward_layer.go_backwards ${pyBool(fb)}, backward_layer.go_backwards=${pyBool(bb)}`,
        );
      }
      for (const a of ['stateful', 'return_sequences', 'return_state']) {
        const f = flag(fwdSpec, a);
        const b = flag(back, a);
        if (f !== null && b !== null && f !== b) {
          ctx.error(
            DiagnosticCode.invalidConfig,
            `Forward layer and backward layer are expected to have the same value for attribute "${a}", got "${pyBool(f)}" for forward layer and "${pyBool(b)}" for backward layer`,
          );
          return null;
        }
      }
    }
    if (fwd.output === null || mode === null) return null;
    const list = isShapeList(fwd.output);
    const out = list ? (fwd.output as RuleShape[])[0] : (fwd.output as RuleShape);
    const states = list ? (fwd.output as RuleShape[]).slice(1) : [];
    let merged: RuleShape[];
    if (mode === 'concat') {
      const last = out[out.length - 1];
      // Keras 3 reports twice the forward size, also when a backward_layer has a different size.
      const doubled = last === null ? null : 2 * last;
      const bOut = isShapeList(bwd.output) ? bwd.output[0] : (bwd.output as RuleShape | null);
      const bLast = bOut ? bOut[bOut.length - 1] : null;
      if (back && last !== null && bLast !== null && bLast !== last) {
        ctx.warning(DiagnosticCode.shapeMismatch, `Keras reports the concatenated size as 2·${last} = ${doubled}, but the backward layer produces ${bLast} features, so the actual output has ${last + bLast}.`);
      }
      ctx.explain(`concat: 2·${last === null ? 'None' : last} = ${doubled === null ? 'None' : doubled}`);
      merged = [[...out.slice(0, -1), doubled]];
    } else if (mode === 'none') {
      merged = [[...out], [...out]];
    } else {
      merged = [[...out]];
    }
    if (list) return [...merged, ...states, ...states.map((s) => [...s])];
    return merged.length === 1 ? merged[0] : merged;
  },
  params(inputs, cfg, ctx) {
    const parts = bidirectionalParts(inputs, cfg, ctx);
    if (!parts) return UNKNOWN_PARAMS;
    return sumParams(parts.fwd.params, parts.bwd.params, !parts.back);
  },  // The forward layer's formulas merged as `outputShape` merges them; weights forward + backward.
  symbolic(inputs, cfg) {
    const spec = cfg.layer('layer');
    const mode = mergeMode(cfg, quietContext('Bidirectional'), false);
    if (!spec || !mode) return null;
    const fwd = ruleFormulas(spec.className, spec.config, inputs, undefined, true);
    if (!fwd?.output) return null;
    const back = cfg.layer('backward_layer');
    const bwd = back ? ruleFormulas(back.className, back.config, inputs, undefined, true) : fwd;
    const list = Array.isArray(fwd.output[0]);
    const out = (list ? fwd.output[0] : fwd.output) as FormulaShape;
    const states = list ? (fwd.output as FormulaShape[]).slice(1) : [];
    const merged: FormulaShape[] = mode === 'concat' ? [[...out.slice(0, -1), times(formulaOf(out[out.length - 1]), 2) ?? UNKNOWN_DIM]] : mode === 'none' ? [out, out] : [out];
    const output = list ? [...merged, ...states, ...states] : merged.length === 1 ? merged[0] : merged;
    return { output, params: plus(fwd.params, bwd?.params) };
  },
};

function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}

function timeDistributedInner(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): Inner | null {
  const spec = wrapped(cfg, ctx, false);
  const x = inputs[0];
  if (!spec || x.length < 3) return null;
  return once(cfg, 'inner', () => ctx.inner(spec, [[x[0], ...x.slice(2)]]));
}

const timeDistributed: LayerRule = {
  className: 'TimeDistributed',
  outputShape(inputs, cfg, ctx) {
    const x = inputs[0];
    if (!wrapped(cfg, ctx, true)) return null;
    if (x.length < 3) {
      ctx.error(DiagnosticCode.rankMismatch, `\`TimeDistributed\` Layer should be passed an \`input_shape\` with at least 3 dimensions, received: ${formatShape(x)}`);
      return null;
    }
    const r = timeDistributedInner(inputs, cfg, ctx);
    if (!r || r.output === null || isShapeList(r.output)) return null;
    const out = r.output as RuleShape;
    ctx.explain(`each of ${x[1] === null ? 'None' : x[1]} steps: ${formatShape([x[0], ...x.slice(2)])} → ${formatShape(out)}`);
    return [out[0], x[1], ...out.slice(1)];
  },
  params(inputs, cfg, ctx) {
    const r = timeDistributedInner(inputs, cfg, ctx);
    return r ? r.params : UNKNOWN_PARAMS;
  },
  // The wrapped layer on one step (the steps axis taken out, then put back).
  symbolic(inputs, cfg) {
    const spec = cfg.layer('layer');
    const x = inputs[0];
    if (!spec || x.length < 3) return null;
    const r = ruleFormulas(spec.className, spec.config, [[x[0], ...x.slice(2)]], undefined, true);
    const out = r?.output;
    if (!out || Array.isArray(out[0])) return null;
    const o = out as FormulaShape;
    return { output: [o[0], x[1], ...o.slice(1)], params: r.params };
  },
  // The wrapped layer once per step.
  cost(inputs, outputs, cfg) {
    const x = inputs[0];
    const steps = x[1];
    const inner = innerCost(cfg.layer('layer'), [[x[0], ...x.slice(2)]]);
    if (steps === null || x.length < 3 || outputs[0].length < 3) return { macs: null, flops: null };
    const times = (n: number | null) => (n === null ? null : n * steps);
    return { macs: times(inner.macs), flops: times(inner.flops) };
  },
};

/**
 * The cost of a wrapped layer on `inputs`, its output from its own rule (run quietly: the
 * wrapper's evaluation reported its problems); unknown when it has no cost rule.
 */
function innerCost(spec: LayerSpec | null | undefined, inputs: RuleShape[]): CallCost {
  const unknown = { macs: null, flops: null };
  const rule = spec ? getRule(spec.className) : undefined;
  if (!spec || !rule?.cost) return unknown;
  const cfg = new Cfg(spec.config);
  const out = rule.outputShape(inputs, cfg, quietContext(spec.className));
  if (out === null || isShapeList(out)) return unknown;
  const c = rule.cost(inputs, [out as RuleShape], cfg);
  const act = activationFlops(spec.config.activation, [out as RuleShape]);
  return { macs: c.macs, flops: c.flops === null || act === null ? null : c.flops + act };
}

/**
 * The last dim of the wrapped layer's `kernel` (or Embedding's `embeddings`), which sizes
 * SpectralNormalization's `vector_u`, for the classes whose kernel layout is known here.
 * Undefined for a layer with neither weight (Keras raises); null when unknown.
 */
function kernelLastDim(spec: LayerSpec, input: RuleShape): number | null | undefined {
  const cfg = new Cfg(spec.config);
  const channelsIn = () => {
    const f = cfg.dataFormat();
    return f === null ? null : f === 'channels_first' ? input[1] ?? null : input[input.length - 1] ?? null;
  };
  switch (spec.className) {
    case 'Dense':
    case 'TernaryDense':
      return cfg.int('units') ?? null;
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
    case 'Convolution1D':
    case 'Convolution2D':
    case 'Convolution3D':
      return cfg.int('filters') ?? null;
    case 'Conv1DTranspose':
    case 'Conv2DTranspose':
    case 'Conv3DTranspose':
    case 'Convolution1DTranspose':
    case 'Convolution2DTranspose':
    case 'Convolution3DTranspose':
      // kernel (*kernel_size, filters, input_channels)
      return channelsIn();
    case 'DepthwiseConv1D':
    case 'DepthwiseConv2D':
      return cfg.int('depth_multiplier', 1);
    case 'Embedding':
    case 'ReversibleEmbedding':
      return cfg.int('output_dim') ?? null;
    case 'SeparableConv1D':
    case 'SeparableConv2D':
    case 'SeparableConvolution1D':
    case 'SeparableConvolution2D':
    case 'BatchNormalization':
    case 'LayerNormalization':
      return undefined;
    default:
      return null;
  }
}

/**
 * Keras 3 SpectralNormalization(layer): the wrapped layer's shape and weights plus a
 * non-trainable `vector_u` of shape (1, kernel.shape[-1]).
 */
const spectralNormalization: LayerRule = {
  className: 'SpectralNormalization',
  outputShape(inputs, cfg, ctx) {
    const spec = wrapped(cfg, ctx, true);
    if (!spec) return null;
    const iters = cfg.int('power_iterations', 1);
    if (iters !== null && iters <= 0) {
      ctx.error(DiagnosticCode.invalidConfig, `\`power_iterations\` should be greater than zero. Received: \`power_iterations=${iters}\``);
      return null;
    }
    const r = once(cfg, 'inner', () => ctx.inner(spec, inputs));
    if (kernelLastDim(spec, inputs[0]) === undefined) {
      ctx.error(DiagnosticCode.invalidConfig, `${spec.className} object has no attribute 'kernel' nor 'embeddings'`);
      return null;
    }
    return r ? r.output : null;
  },
  params(inputs, cfg, ctx) {
    const spec = wrapped(cfg, ctx, false);
    if (!spec) return UNKNOWN_PARAMS;
    const r = once(cfg, 'inner', () => ctx.inner(spec, inputs));
    const u = kernelLastDim(spec, inputs[0]);
    if (!r || u === undefined || u === null) return UNKNOWN_PARAMS;
    const p = r.params;
    const nonTrainable = p.nonTrainable === null ? null : p.nonTrainable + u;
    const total = p.trainable === null || nonTrainable === null ? null : p.trainable + nonTrainable;
    return { trainable: p.trainable, nonTrainable, formula: total === null ? undefined : `${p.trainable! + p.nonTrainable!} (${spec.className}) + ${u} (vector_u) = ${total}` };
  },
};

/**
 * Keras 3 Pipeline(layers): the layers applied in turn (its `call`); their weights are tracked
 * by the pipeline, so its row counts their sum.
 */
function pipelineRun(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): { output: RuleShape; params: ParamCount } | null {
  const raw = cfg.raw.layers;
  if (!Array.isArray(raw) || raw.length > 256) {
    if (raw === UNKNOWN) cfg.lost = true;
    return null;
  }
  return once(cfg, 'pipeline', () => {
    let x: RuleShape = inputs[0];
    let params: ParamCount = { trainable: 0, nonTrainable: 0 };
    for (const spec of raw) {
      if (!isLayerSpec(spec)) return null;
      const r = ctx.inner(spec, [x]);
      if (r.output === null || isShapeList(r.output)) return null;
      x = r.output as RuleShape;
      params = sumParams(params, r.params, false);
    }
    return { output: x, params: { ...params, formula: undefined } };
  }) as { output: RuleShape; params: ParamCount } | null;
}

const pipeline: LayerRule = {
  className: 'Pipeline',
  outputShape: (inputs, cfg, ctx) => pipelineRun(inputs, cfg, ctx)?.output ?? null,
  params: (inputs, cfg, ctx) => pipelineRun(inputs, cfg, ctx)?.params ?? UNKNOWN_PARAMS,
};

/** Bidirectional, TimeDistributed, SpectralNormalization, Pipeline. */
export const wrapperRules: LayerRule[] = [bidirectional, timeDistributed, spectralNormalization, pipeline];
