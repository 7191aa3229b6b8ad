// Activation layer rules: Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU.

import { UNKNOWN, type ConfigValue } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { elements, formatShape, type RuleShape } from '../shape';
import { elementwiseCost, passThrough, sameShape } from './core';
import { POINTWISE, type LayerRule } from './types';

const prelu: LayerRule = {
  className: 'PReLU',
  outputShape: sameShape,
  params(inputs, cfg, ctx) {
    const x = inputs[0];
    // alpha has the input's shape without batch, with each 1-based `shared_axes` dim set to 1.
    const alpha = x.slice(1);
    const raw = cfg.raw.shared_axes;
    if (raw === UNKNOWN) return { trainable: null, nonTrainable: 0 };
    if (raw !== undefined && raw !== null) {
      const shared = cfg.intList('shared_axes');
      if (!shared || shared.some((a) => a === null)) return { trainable: null, nonTrainable: 0 };
      for (const a of shared as number[]) {
        if (a < 1 || a > alpha.length) {
          ctx.error(DiagnosticCode.invalidAxis, `Invalid shared_axes ${a} for PReLU on input ${formatShape(x)}: axes are 1-based and exclude the batch dimension.`);
          return { trainable: null, nonTrainable: 0 };
        }
        alpha[a - 1] = 1;
      }
    }
    if (alpha.some((d) => d === null)) {
      ctx.error(DiagnosticCode.unknownDimension, `PReLU needs every non-shared input dimension to be defined. Full input shape received: ${formatShape(x)}`);
      return { trainable: null, nonTrainable: 0 };
    }
    const n = (alpha as number[]).reduce((a, b) => a * b, 1);
    return { trainable: n, nonTrainable: 0, formula: alpha.length > 1 ? `${alpha.join('·')} = ${n}` : `${n}` };
  },
  // Element-wise, but several TF ops whose FLOPs Shape Lens does not count.
  cost: () => ({ macs: 0, flops: null }),
  spatial: POINTWISE,
};

/**
 * FLOPs tf.profiler counts for a layer's `activation=` on its output: 0 for the ops it registers
 * no statistic for (Relu, Relu6, Sigmoid, Tanh, Elu, Selu, Softplus, Softsign), 5 per element
 * for Softmax; null for the rest.
 */
export function activationFlops(activation: ConfigValue | undefined, outputs: RuleShape[]): number | null {
  if (activation === undefined || activation === null) return 0;
  if (typeof activation !== 'string') return null;
  const per = ACTIVATION_FLOPS[activation.toLowerCase()];
  if (per === undefined) return null;
  let n: number | null = 0;
  for (const s of outputs) {
    const e = elements(s);
    n = n === null || e === null ? null : n + e;
  }
  return n === null ? null : per * n;
}

const ACTIVATION_FLOPS: Record<string, number> = {
  linear: 0, relu: 0, relu6: 0, sigmoid: 0, tanh: 0, elu: 0, selu: 0, softplus: 0, softsign: 0, exponential: 0, softmax: 5,
};

/** Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU. */
export const activationRules: LayerRule[] = [
  // Its `activation` is counted as every layer's is (core/cost.ts).
  passThrough('Activation'),
  {
    ...passThrough('ReLU'),
    // tf.keras 2 runs Relu, Relu6 or LeakyRelu (no tf.profiler statistic) unless a threshold or another max_value clips.
    cost(_inputs, _outputs, cfg) {
      const threshold = cfg.num('threshold', 0);
      const max = cfg.raw.max_value;
      return threshold === 0 && (max === undefined || max === null || max === 6) ? { macs: 0, flops: 0 } : { macs: 0, flops: null };
    },
    exportConfig: (c) =>
      (c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0 ? { skip: "tfjs-layers' ReLU has only max_value (no negative_slope or threshold)" } : { config: c },
  },
  {
    ...passThrough('LeakyReLU'),
    // Keras 3's `negative_slope` is tf.keras 2's and tfjs' `alpha` (both default 0.3).
    exportConfig: ({ negative_slope, ...rest }) => ({ config: negative_slope === undefined ? rest : { alpha: negative_slope, ...rest } }),
  },
  prelu,
  {
    ...passThrough('ELU'),
    // tfjs 4.22's ELU constructor throws on any alpha but 1.
    exportConfig: (c) => ((c.alpha ?? 1) !== 1 ? { skip: "tfjs-layers' ELU has only alpha=1" } : { config: c }),
  },
  // tf.profiler: Softmax is 5 FLOPs per element; along another axis than the last it mixes positions.
  { ...passThrough('Softmax'), cost: elementwiseCost(5), spatial: (_i, _o, cfg) => (cfg.raw.axis === undefined || cfg.raw.axis === -1 ? 'pointwise' : null) },
  // inputs * cast(inputs > theta): Greater and Mul per element.
  { ...passThrough('ThresholdedReLU'), cost: elementwiseCost(2) },
];
