// Recurrent layer rules: SimpleRNN, LSTM, GRU, generic RNN over cells, ConvLSTM1D/2D/3D.

import { Cfg, isLayerSpec, type ConfigValue, type LayerConfig, type LayerSpec } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formulaOf, plus, times, type FormulaDim, type FormulaShape } from '../formula';
import { formatShape, UNKNOWN_DIM, type RuleOutputShape, type RuleShape } from '../shape';
import { GLOROT_KERNEL, positiveInt } from './core';
import type { LayerRule, ParamCount, RuleContext } from './types';

const UNKNOWN_PARAMS: ParamCount = { trainable: null, nonTrainable: null };

type CellKind = 'simple' | 'lstm' | 'gru';

/** Weight-set multiplier and state count of each cell type. */
const CELLS: Record<CellKind, { gates: number; states: number }> = {
  simple: { gates: 1, states: 1 },
  lstm: { gates: 4, states: 2 },
  gru: { gates: 3, states: 1 },
};

/**
 * Parameters of one recurrent cell with `units` on `inDim` features:
 * kernel gates·u·in + recurrent kernel gates·u·u + bias gates·u (GRU with reset_after: 2·gates·u).
 */
export function cellParams(kind: CellKind, inDim: number, units: number, useBias: boolean, resetAfter: boolean): ParamCount {
  const g = CELLS[kind].gates;
  const biasRows = !useBias ? 0 : kind === 'gru' && resetAfter ? 2 : 1;
  const total = g * units * (inDim + units + biasRows);
  const inner = biasRows ? `${inDim} + ${units} + ${biasRows}` : `${inDim} + ${units}`;
  return { trainable: total, nonTrainable: 0, formula: `${g > 1 ? `${g}·` : ''}${units}·(${inner}) = ${total}` };
}

/** Output list of an RNN layer: output (sequence or last step), plus states when return_state. */
function rnnOutput(batch: number | null, steps: number | null, out: RuleShape, states: RuleShape[], cfg: Cfg): RuleOutputShape {
  const seq = cfg.bool('return_sequences', false);
  const withState = cfg.bool('return_state', false);
  if (seq === null || withState === null) return null;
  const output: RuleShape = seq ? [batch, steps, ...out] : [batch, ...out];
  return withState ? [output, ...states.map((s) => [batch, ...s])] : output;
}

function lastDimError(x: RuleShape, ctx: RuleContext): void {
  ctx.error(
    DiagnosticCode.unknownDimension,
    `The last dimension of the inputs to a ${ctx.className} layer should be defined. Found None. Full input shape received: ${formatShape(x)}`,
  );
}

/** Keras' and tfjs' defaults of each cell where they differ (tfjs: glorotNormal kernels, hardSigmoid gates, no forget-gate bias of 1). */
const RNN_DEFAULTS: Record<CellKind, { keras: LayerConfig; tfjs: LayerConfig }> = {
  simple: GLOROT_KERNEL,
  lstm: {
    keras: { ...GLOROT_KERNEL.keras, recurrent_activation: 'sigmoid', unit_forget_bias: true },
    tfjs: { ...GLOROT_KERNEL.tfjs, recurrent_activation: 'hard_sigmoid', unit_forget_bias: false },
  },
  gru: { keras: { ...GLOROT_KERNEL.keras, recurrent_activation: 'sigmoid' }, tfjs: { ...GLOROT_KERNEL.tfjs, recurrent_activation: 'hard_sigmoid' } },
};

function recurrent(className: string, kind: CellKind): LayerRule {
  return {
    className,
    inputRank: 3,
    statesInInputList: true,
    outputShape(inputs, cfg, ctx) {
      const x = inputs[0];
      const units = positiveInt(cfg, 'units', ctx);
      if (units === null && !cfg.isUnknown('units')) return null;
      if (x[2] === null) lastDimError(x, ctx);
      return rnnOutput(x[0], x[1], [units], Array(CELLS[kind].states).fill([units]), cfg);
    },
    params(inputs, cfg, ctx) {
      const inDim = inputs[0][2];
      const units = positiveInt(cfg, 'units', ctx, false);
      const useBias = cfg.bool('use_bias', true);
      const resetAfter = cfg.bool('reset_after', true);
      if (inDim === null || units === null || useBias === null || resetAfter === null) return UNKNOWN_PARAMS;
      return cellParams(kind, inDim, units, useBias, resetAfter);
    },
    // Steps pass through with return_sequences; the rest is `units`; weights as `cellParams` counts them.
    symbolic(inputs, cfg, setting, withParams) {
      const x = inputs[0];
      const units = setting('units');
      const seq = cfg.bool('return_sequences', false);
      const withState = cfg.bool('return_state', false);
      const useBias = cfg.bool('use_bias', true);
      const resetAfter = cfg.bool('reset_after', true);
      if (seq === null || withState === null) return null;
      const u: FormulaDim = units ?? UNKNOWN_DIM;
      const output: FormulaShape = seq ? [x[0], x[1], u] : [x[0], u];
      const states: FormulaShape[] = Array.from({ length: CELLS[kind].states }, () => [x[0], u]);
      const biasRows = !withParams || useBias === null || resetAfter === null ? null : !useBias ? 0 : kind === 'gru' && resetAfter ? 2 : 1;
      const params = biasRows === null ? undefined : times(CELLS[kind].gates, units, plus(formulaOf(x[2]), units, biasRows));
      // `cost`: steps · gates · units · (in + units).
      const macs = () => times(formulaOf(x[1]), CELLS[kind].gates, units, plus(formulaOf(x[2]), units));
      return { output: withState ? [output, ...states] : output, params, macs };
    },
    // Each step multiplies its input by the kernel and its state by the recurrent kernel, for every
    // gate: steps · gates · units · (in + units) MACs. tf.profiler's count of the loop's ops is not
    // modelled (FLOPs unknown).
    cost(inputs, outputs) {
      const [, steps, inDim] = inputs[0];
      const out = outputs[0];
      const units = out[out.length - 1];
      if (steps === null || inDim === null || units === null) return { macs: null, flops: null };
      return { macs: steps * CELLS[kind].gates * units * (inDim + units), flops: null };
    },
    defaultsDiffer: RNN_DEFAULTS[kind],
    // tfjs-layers' GRU is the original variant only (it rejects reset_after=True, Keras' default).
    ...(kind === 'gru'
      ? { exportConfig: (c: LayerConfig) => (c.reset_after === false ? { config: c } : { skip: "tfjs-layers' GRU has only reset_after=False (Keras' default is True)" }) }
      : {}),
  };
}

const CELL_CLASSES: Record<string, CellKind> = { SimpleRNNCell: 'simple', LSTMCell: 'lstm', GRUCell: 'gru' };

/** Flattens `cell=` (a cell, a list of cells, or StackedRNNCells) into cell specs; null if unknown. */
function cellSpecs(v: ConfigValue | undefined): LayerSpec[] | null {
  if (Array.isArray(v)) {
    const out: LayerSpec[] = [];
    for (const c of v) {
      const sub = cellSpecs(c);
      if (!sub) return null;
      out.push(...sub);
    }
    return out;
  }
  if (isLayerSpec(v)) {
    if (v.className === 'StackedRNNCells') return cellSpecs(v.config.cells);
    return [v];
  }
  return null;
}

/** Walks a stack of cells from `inDim`: output size, state sizes and total params (null if unknown). */
function walkCells(specs: LayerSpec[], inDim: number | null, ctx: RuleContext, report: boolean) {
  let dim = inDim;
  const states: (number | null)[] = [];
  let params: number | null = 0;
  const formulas: string[] = [];
  for (const spec of specs) {
    const kind = CELL_CLASSES[spec.className];
    if (!kind) {
      if (report) ctx.warning(DiagnosticCode.unknownLayer, `Unknown RNN cell class "${spec.className}" in ${ctx.className}; its output shape is unknown.`);
      return null;
    }
    const cfg = new Cfg(spec.config);
    const units = cfg.int('units');
    const u = typeof units === 'number' && units > 0 ? units : null;
    const useBias = cfg.bool('use_bias', true);
    const resetAfter = cfg.bool('reset_after', true);
    if (dim === null || u === null || useBias === null || resetAfter === null) params = null;
    else if (params !== null) {
      const p = cellParams(kind, dim, u, useBias, resetAfter);
      params += p.trainable ?? 0;
      formulas.push(p.formula ?? '');
    }
    for (let i = 0; i < CELLS[kind].states; i++) states.push(u);
    dim = u;
  }
  return { outDim: dim, states, params, formulas };
}

const rnn: LayerRule = {
  className: 'RNN',
  inputRank: 3,
  statesInInputList: true,
  // A custom cell may take nested inputs (`RNN(cell)((x1, x2))`); their shapes are the cell's business.
  arity: 'any',
  outputShape(inputs, cfg, ctx) {
    if (inputs.length > 1) return null;
    const x = inputs[0];
    const specs = cellSpecs(cfg.raw.cell);
    if (!specs || specs.length === 0) {
      ctx.warning(DiagnosticCode.unknownLayer, `The cell of ${ctx.className} layer "${ctx.layerName}" is not known to the analysis; its output shape is unknown.`);
      return null;
    }
    const walk = walkCells(specs, x[2], ctx, true);
    if (!walk) return null;
    return rnnOutput(x[0], x[1], [walk.outDim], walk.states.map((s) => [s]), cfg);
  },
  params(inputs, cfg, ctx) {
    if (inputs.length > 1) return UNKNOWN_PARAMS;
    const specs = cellSpecs(cfg.raw.cell);
    if (!specs || specs.length === 0) return UNKNOWN_PARAMS;
    const walk = walkCells(specs, inputs[0][2], ctx, false);
    if (!walk || walk.params === null) return UNKNOWN_PARAMS;
    const formula = walk.formulas.length === 1 ? walk.formulas[0] : `${walk.formulas.map((f) => f.replace(/ = \d+$/, '')).join(' + ')} = ${walk.params}`;
    return { trainable: walk.params, nonTrainable: 0, formula };
  },
};

/**
 * Keras 3 `compute_conv_output_shape` for one spatial dim: valid ⌊(n − d·(k−1) − 1)/s⌋ + 1,
 * same ⌊(n − 1)/s⌋ + 1. Null for an unknown size.
 */
export function convLength(n: number | null, k: number | null, s: number | null, d: number | null, padding: string | null): number | null {
  if (n === null || k === null || s === null || d === null || padding === null || s <= 0) return null;
  if (padding === 'same') return Math.floor((n - 1) / s) + 1;
  return Math.floor((n - d * (k - 1) - 1) / s) + 1;
}

interface ConvLstmGeometry {
  channels: number | null;
  state: RuleShape;
  kernel: (number | null)[];
}

function convLstmGeometry(rank: number, x: RuleShape, cfg: Cfg, ctx: RuleContext, report: boolean): ConvLstmGeometry | null {
  const filters = positiveInt(cfg, 'filters', ctx, report);
  if (filters === null && !cfg.isUnknown('filters')) return null;
  const kernel = cfg.ints('kernel_size', rank, null);
  if (kernel === null) {
    if (report) ctx.error(DiagnosticCode.missingArgument, `${ctx.className}.__init__() missing 1 required positional argument: 'kernel_size'`);
    return null;
  }
  const strides = cfg.ints('strides', rank, 1) ?? Array(rank).fill(null);
  const dilation = cfg.ints('dilation_rate', rank, 1) ?? Array(rank).fill(null);
  const padRaw = cfg.str('padding', 'valid', ['valid', 'same']);
  const padding = padRaw === null ? null : padRaw.toLowerCase();
  const format = cfg.dataFormat();
  if (format === null) return null;
  const step = x.slice(2); // one time step without batch
  const channels = format === 'channels_last' ? step[step.length - 1] : step[0];
  const spatial = format === 'channels_last' ? step.slice(0, -1) : step.slice(1);
  if (report && spatial.some((d) => d === null)) {
    ctx.error(
      DiagnosticCode.unknownDimension,
      `ConvLSTM layers only support static input shapes for the spatial dimension. Received invalid input shape: input_shape=${formatShape([x[0], ...step])}`,
    );
  }
  if (report && channels === null) {
    ctx.error(DiagnosticCode.unknownDimension, `The channel dimension of the inputs (last axis) should be defined. Found None. Full input shape received: input_shape=${formatShape([x[0], ...step])}`);
  }
  const out: (number | null)[] = [];
  for (let i = 0; i < rank; i++) {
    const len = convLength(spatial[i], kernel[i], strides[i], dilation[i], padding);
    if (len !== null && len <= 0) {
      if (report) {
        ctx.error(
          DiagnosticCode.negativeDimension,
          `Computed output size would be negative. Received \`inputs shape=${formatShape([x[0], ...step])}\`, \`kernel shape=${formatShape([...kernel, channels, filters === null ? null : 4 * filters])}\`, \`dilation_rate=${formatShape(dilation)}\`.`,
        );
      }
      return null;
    }
    if (report && len !== null) {
      const n = spatial[i] as number;
      ctx.explain(
        padding === 'same'
          ? `⌊(${n} − 1)/${strides[i]}⌋ + 1 = ${len}`
          : `⌊(${n} − ${dilation[i] === 1 ? '' : `${dilation[i]}·`}(${kernel[i]} − 1) − 1)/${strides[i]}⌋ + 1 = ${len}`,
      );
    }
    out.push(len);
  }
  const state = format === 'channels_last' ? [...out, filters] : [filters, ...out];
  return { channels, state, kernel };
}

function convLstm(rank: number): LayerRule {
  return {
    className: `ConvLSTM${rank}D`,
    inputRank: rank + 3,
    statesInInputList: true,
    defaultsDiffer: RNN_DEFAULTS.lstm,
    outputShape(inputs, cfg, ctx) {
      const x = inputs[0];
      const g = convLstmGeometry(rank, x, cfg, ctx, true);
      if (!g) return null;
      return rnnOutput(x[0], x[1], g.state, [g.state, g.state], cfg);
    },
    params(inputs, cfg, ctx) {
      const g = convLstmGeometry(rank, inputs[0], cfg, ctx, false);
      const filters = positiveInt(cfg, 'filters', ctx, false);
      const useBias = cfg.bool('use_bias', true);
      if (!g || g.channels === null || filters === null || useBias === null || g.kernel.some((k) => k === null)) return UNKNOWN_PARAMS;
      const k = (g.kernel as number[]).reduce((a, b) => a * b, 1);
      const c = g.channels;
      // kernel k·c·4f, recurrent kernel k·f·4f, bias 4f.
      const total = 4 * filters * (k * (c + filters) + (useBias ? 1 : 0));
      return {
        trainable: total,
        nonTrainable: 0,
        formula: `4·${filters}·(${k}·(${c} + ${filters})${useBias ? ' + 1' : ''}) = ${total}`,
      };
    },
  };
}

/** SimpleRNN, LSTM, GRU, RNN (cells), ConvLSTM1D/2D/3D. */
export const recurrentRules: LayerRule[] = [
  recurrent('SimpleRNN', 'simple'),
  recurrent('LSTM', 'lstm'),
  recurrent('GRU', 'gru'),
  rnn,
  convLstm(1),
  convLstm(2),
  convLstm(3),
];
