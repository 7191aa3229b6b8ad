// Core layer rules: Dense, Embedding, Lambda, Identity and Masking (Keras 3 `keras.layers` core).

import { UNKNOWN, type Cfg, type ConfigValue } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formulaOf, plus, productOf, times, type FormulaShape } from '../formula';
import { elements, formatShape, UNKNOWN_DIM, type RuleOutputShape, type RuleShape } from '../shape';
import { NO_COST, POINTWISE, type LayerRule, type ParamCount, type RuleContext } from './types';

const UNKNOWN_PARAMS: ParamCount = { trainable: null, nonTrainable: null };

/**
 * Reads a required positive-integer argument (`units`, `output_dim`). Reports Keras' errors for a
 * missing or non-positive value; returns null when the value is missing, invalid or unknown.
 */
export function positiveInt(cfg: Cfg, key: string, ctx: RuleContext, report = true): number | null {
  const v = cfg.int(key);
  if (v === undefined) {
    if (report) ctx.error(DiagnosticCode.missingArgument, `${ctx.className}.__init__() missing 1 required positional argument: '${key}'`);
    return null;
  }
  if (v === null) return null;
  if (v <= 0) {
    if (report) ctx.error(DiagnosticCode.invalidConfig, `Received an invalid value for \`${key}\`, expected a positive integer. Received: ${key}=${v}`);
    return null;
  }
  return v;
}

/** Output of a layer that leaves its input's shape unchanged. */
export function sameShape(inputs: RuleShape[]): RuleOutputShape {
  return [...inputs[0]];
}

/**
 * A rule for a weightless layer whose output shape equals its input shape: element by element at
 * inference (each position keeps its receptive field), nothing tf.profiler counts unless the
 * rule says otherwise.
 */
export function passThrough(className: string, aliases?: string[], inputRank?: LayerRule['inputRank']): LayerRule {
  return { className, aliases, inputRank, outputShape: sameShape, cost: () => NO_COST, spatial: POINTWISE };
}

/** A cost of `perElement` tf.profiler FLOPs per output element and no MACs. */
export function elementwiseCost(perElement: number | null) {
  return (_inputs: RuleShape[], outputs: RuleShape[]) => {
    const n = elements(outputs[0]);
    return { macs: 0, flops: n === null || perElement === null ? null : n * perElement };
  };
}

/** Keras' and tfjs' default kernel initializers (the export writes the code's library's). */
export const GLOROT_KERNEL = { keras: { kernel_initializer: 'glorot_uniform' }, tfjs: { kernel_initializer: 'glorot_normal' } };

const dense: LayerRule = {
  className: 'Dense',
  inputRank: { min: 2 },
  defaultsDiffer: GLOROT_KERNEL,
  outputShape(inputs, cfg, ctx) {
    const x = inputs[0];
    const units = positiveInt(cfg, 'units', ctx);
    if (x[x.length - 1] === null) {
      ctx.error(
        DiagnosticCode.unknownDimension,
        `The last dimension of the inputs to a Dense layer should be defined. Found None. Full input shape received: ${formatShape(x)}`,
      );
    }
    if (units === null && !cfg.isUnknown('units')) return null;
    return [...x.slice(0, -1), units];
  },
  params(inputs, cfg, ctx) {
    const inDim = inputs[0][inputs[0].length - 1];
    const units = positiveInt(cfg, 'units', ctx, false);
    const useBias = cfg.bool('use_bias', true);
    if (inDim === null || units === null || useBias === null) return UNKNOWN_PARAMS;
    const bias = useBias ? units : 0;
    const lora = cfg.int('lora_rank');
    if (typeof lora === 'number' && lora > 0) {
      // LoRA freezes the kernel and trains two low-rank factors instead.
      const a = inDim * lora;
      const b = lora * units;
      return {
        trainable: a + b + bias,
        nonTrainable: inDim * units,
        formula: `${inDim}·${lora} + ${lora}·${units}${useBias ? ` + ${units}` : ''} = ${a + b + bias} (+ ${inDim}·${units} = ${inDim * units} frozen kernel)`,
      };
    }
    const total = inDim * units + bias;
    return { trainable: total, nonTrainable: 0, formula: `${inDim}·${units}${useBias ? ` + ${units}` : ''} = ${total}` };
  },
  // One MAC per kernel weight per row (every position of the axes before the last); LoRA adds its
  // two factors. tf.profiler: MatMul 2 per MAC, BiasAdd one per output element.
  cost(inputs, outputs, cfg) {
    const x = inputs[0];
    const rows = elements(x.slice(0, -1));
    const inDim = x[x.length - 1];
    const units = outputs[0][outputs[0].length - 1];
    const useBias = cfg.bool('use_bias', true);
    const lora = cfg.int('lora_rank');
    if (rows === null || inDim === null || units === null || useBias === null || lora === null) return { macs: null, flops: null };
    const macs = rows * (inDim * units + (lora && lora > 0 ? inDim * lora + lora * units : 0));
    return { macs, flops: 2 * macs + (useBias ? rows * units : 0) };
  },
  spatial: (inputs) => (inputs[0].length >= 3 ? 'pointwise' : null),
  // The last axis becomes `units`; weights as `params` counts them (a LoRA kernel counted frozen too).
  symbolic(inputs, cfg, setting, withParams) {
    const x = inputs[0];
    const units = setting('units');
    const inDim = formulaOf(x[x.length - 1]);
    const useBias = cfg.bool('use_bias', true);
    const lora = cfg.int('lora_rank');
    const output: FormulaShape = [...x.slice(0, -1), units ?? UNKNOWN_DIM];
    if (useBias === null || cfg.isUnknown('lora_rank')) return { output };
    const low = typeof lora === 'number' && lora > 0 ? plus(times(inDim, lora), times(lora, units)) : 0;
    // `cost`: one MAC per kernel weight (and LoRA factor) per row.
    const macs = () => times(productOf(x.slice(1, -1)), plus(times(inDim, units), low));
    return { output, macs, ...(withParams ? { params: plus(times(inDim, units), useBias ? units : 0, low) } : {}) };
  },
};

const embedding: LayerRule = {
  className: 'Embedding',
  outputShape(inputs, cfg, ctx) {
    if (cfg.has('input_length')) ctx.warning(DiagnosticCode.deprecatedArgument, 'Argument `input_length` is deprecated. Just remove it.');
    positiveInt(cfg, 'input_dim', ctx);
    const outDim = positiveInt(cfg, 'output_dim', ctx);
    if (outDim === null && !cfg.isUnknown('output_dim')) return null;
    return [...inputs[0], outDim];
  },
  params(_inputs, cfg, ctx) {
    const inDim = positiveInt(cfg, 'input_dim', ctx, false);
    const outDim = positiveInt(cfg, 'output_dim', ctx, false);
    if (inDim === null || outDim === null) return UNKNOWN_PARAMS;
    const lora = cfg.int('lora_rank');
    if (typeof lora === 'number' && lora > 0) {
      const t = inDim * lora + lora * outDim;
      return { trainable: t, nonTrainable: inDim * outDim, formula: `${inDim}·${lora} + ${lora}·${outDim} = ${t} (+ ${inDim}·${outDim} = ${inDim * outDim} frozen embeddings)` };
    }
    return { trainable: inDim * outDim, nonTrainable: 0, formula: `${inDim}·${outDim} = ${inDim * outDim}` };
  },
  // A lookup (Gather): no multiply, nothing tf.profiler counts.
  cost: () => NO_COST,
  symbolic(inputs, cfg, setting, withParams) {
    const inDim = setting('input_dim');
    const outDim = setting('output_dim');
    const lora = cfg.int('lora_rank');
    const output: FormulaShape = [...inputs[0], outDim ?? UNKNOWN_DIM];
    if (!withParams || cfg.isUnknown('lora_rank')) return { output };
    const low = typeof lora === 'number' && lora > 0 ? plus(times(inDim, lora), times(lora, outDim)) : 0;
    return { output, params: plus(times(inDim, outDim), low) };
  },
};

function isDimList(v: ConfigValue): v is (number | null)[] {
  return Array.isArray(v) && v.every((d) => d === null || typeof d === 'number' || d === UNKNOWN);
}

function toDims(v: ConfigValue[]): RuleShape {
  return v.map((d) => (typeof d === 'number' ? Math.trunc(d) : null));
}

/** Lambda's declared `output_shape` (a tuple without the batch dim, or a list of them); undefined if not declared. */
function declaredLambdaShape(cfg: Cfg, batch: number | null): RuleOutputShape | undefined {
  const raw = cfg.raw.output_shape;
  if (Array.isArray(raw)) {
    if (isDimList(raw)) return [batch, ...toDims(raw)];
    if (raw.every((s) => Array.isArray(s) && isDimList(s))) return raw.map((s) => [batch, ...toDims(s as ConfigValue[])]);
  }
  if (typeof raw === 'number') return [batch, Math.trunc(raw)];
  return undefined;
}

const lambda: LayerRule = {
  className: 'Lambda',
  // Keras passes a list of tensors to the function as one argument (`Lambda(f)([a, b])`).
  arity: 'any',
  outputShape(inputs, cfg, ctx) {
    // Keras: a tuple output_shape excludes the batch dimension, which is taken from the input.
    const declared = declaredLambdaShape(cfg, inputs[0][0] ?? null);
    if (declared !== undefined) return declared;
    ctx.warning(
      DiagnosticCode.lambdaShape,
      `The output shape of Lambda layer "${ctx.layerName}" cannot be known without running its function. ` +
        'Pass output_shape=(...) (without the batch dimension) to declare it.',
    );
    return null;
  },
  outputWithoutInput: (cfg) => declaredLambdaShape(cfg, null) ?? null,
};

/**
 * Keras 3 ReversibleEmbedding (an Embedding): `reverse=True` in the call maps `(..., output_dim)`
 * back to `(..., input_dim)` logits; `tie_weights=False` adds `reverse_embeddings`
 * (output_dim, input_dim).
 */
const reversibleEmbedding: LayerRule = {
  className: 'ReversibleEmbedding',
  callSettings: ['reverse'],
  outputShape(inputs, cfg, ctx) {
    const reverse = cfg.bool('reverse', false);
    if (reverse === null) return null;
    if (!reverse) return embedding.outputShape(inputs, cfg, ctx);
    const inDim = positiveInt(cfg, 'input_dim', ctx);
    positiveInt(cfg, 'output_dim', ctx);
    return [...inputs[0].slice(0, -1), inDim];
  },
  params(inputs, cfg, ctx) {
    const base = embedding.params!(inputs, cfg, ctx);
    const tie = cfg.bool('tie_weights', true);
    const inDim = positiveInt(cfg, 'input_dim', ctx, false);
    const outDim = positiveInt(cfg, 'output_dim', ctx, false);
    if (tie === null || base.trainable === null || inDim === null || outDim === null) return UNKNOWN_PARAMS;
    if (tie) return base;
    const t = base.trainable + outDim * inDim;
    return { trainable: t, nonTrainable: base.nonTrainable, formula: `${inDim}·${outDim} + ${outDim}·${inDim} (reverse_embeddings) = ${t}` };
  },
};

/** Keras 3 TernaryDense: Dense's shape and weights (kernel input·units, bias units); no LoRA. */
const ternaryDense: LayerRule = { ...dense, className: 'TernaryDense' };

/** Dense, Embedding, Lambda, Identity, Masking, ReversibleEmbedding, TernaryDense. */
export const coreRules: LayerRule[] = [
  dense,
  embedding,
  reversibleEmbedding,
  ternaryDense,
  lambda,
  passThrough('Identity'),
  // tf.keras 2: inputs * cast(any(not_equal(inputs, mask_value))): NotEqual and Mul per element.
  { ...passThrough('Masking'), cost: elementwiseCost(2) },
];
