// Element-wise ops: arithmetic and comparisons with NumPy broadcasting, `where` (three-way), and
// the unary functions and activations that keep their input's shape.

import { DiagnosticCode } from '../diagnostics';
import { formatShape, type RuleDim, type RuleShape } from '../shape';
import { POINTWISE, type LayerRule, type RuleContext } from '../layers/types';
import { elementwiseCost } from '../layers/core';
import { broadcastFormulas } from '../layers/merging';
import { intArg, normAxis, opRule } from './util';

/**
 * NumPy broadcasting as Keras' `broadcast_shapes` does it (None against 1 stays None, None against
 * a size takes the size); null after reporting Keras' error for sizes that cannot broadcast.
 */
export function broadcastShapes(a: RuleShape, b: RuleShape, ctx: RuleContext): RuleShape | null {
  const n = Math.max(a.length, b.length);
  const x: RuleDim[] = [...Array(n - a.length).fill(1), ...a];
  const y: RuleDim[] = [...Array(n - b.length).fill(1), ...b];
  const out: RuleDim[] = [];
  for (let i = 0; i < n; i++) {
    const p = x[i];
    const q = y[i];
    if (p === 1) out.push(q);
    else if (p === null) out.push(q === 1 ? null : q);
    else if (q === 1 || q === null || q === p) out.push(p);
    else {
      ctx.error(DiagnosticCode.shapeMismatch, `Cannot broadcast shape, the failure dim has value ${p}, which cannot be broadcasted to ${q}. Input shapes are: ${formatShape(a)} and ${formatShape(b)}.`);
      return null;
    }
  }
  return out;
}

/** Broadcasts every input together (a Python number operand is a `()` input or none). */
function broadcastAll(inputs: RuleShape[], ctx: RuleContext): RuleShape | null {
  let shape: RuleShape | null = inputs[0] ?? [];
  for (let i = 1; i < inputs.length && shape; i++) shape = broadcastShapes(shape, inputs[i], ctx);
  return shape ? [...shape] : null;
}

/** Binary (and n-ary) element-wise ops: arithmetic, comparisons, logic. */
const BINARY = [
  'add', 'subtract', 'multiply', 'divide', 'true_divide', 'floor_divide', 'mod', 'maximum', 'minimum', 'power',
  'equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal', 'logical_and', 'logical_or', 'logical_xor',
  'arctan2', 'hypot', 'squared_difference', 'divide_no_nan', 'logaddexp',
];

/** Unary ops that keep the shape (the first input's; further tensor arguments broadcast into it). */
const UNARY = [
  'negative', 'abs', 'exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sign',
  'round', 'floor', 'ceil', 'trunc', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'arcsin', 'arccos', 'arctan', 'arcsinh',
  'arccosh', 'arctanh', 'erf', 'erfc', 'erfinv', 'logical_not', 'isnan', 'isinf', 'isfinite', 'cast', 'clip', 'stop_gradient',
  'identity', 'copy', 'zeros_like', 'ones_like', 'full_like', 'nan_to_num', 'convert_to_tensor', 'saturate_cast',
  'relu', 'relu6', 'sigmoid', 'hard_sigmoid', 'softplus', 'softsign', 'silu', 'swish', 'hard_silu', 'hard_swish', 'gelu',
  'elu', 'selu', 'celu', 'leaky_relu', 'log_sigmoid', 'mish', 'tanh_shrink', 'hard_tanh', 'soft_shrink', 'hard_shrink',
  'squareplus', 'sparse_plus', 'threshold', 'dropout', 'l2_normalize', 'normalize', 'flip', 'roll', 'sort', 'argsort', 'tril', 'triu',
];

/** Automatic names Keras 3 gives ops whose class is not the function's name in CamelCase. */
const KERAS_NAMES: Record<string, string> = { abs: 'absolute' };

/**
 * The tf function tf.keras 2 names an operation's TFOpLambda row after when it differs from
 * `tf.<op>` (`tf.add(x, y)` is recorded as `tf.math.add`).
 */
const TF_NAMES: Record<string, string> = {
  add: 'tf.math.add', subtract: 'tf.math.subtract', multiply: 'tf.math.multiply', divide: 'tf.math.divide', true_divide: 'tf.math.truediv',
  floor_divide: 'tf.math.floordiv', mod: 'tf.math.floormod', maximum: 'tf.math.maximum', minimum: 'tf.math.minimum', power: 'tf.math.pow',
  equal: 'tf.math.equal', not_equal: 'tf.math.not_equal', greater: 'tf.math.greater', greater_equal: 'tf.math.greater_equal',
  less: 'tf.math.less', less_equal: 'tf.math.less_equal', logical_and: 'tf.math.logical_and', logical_or: 'tf.math.logical_or',
  logical_xor: 'tf.math.logical_xor', negative: 'tf.math.negative', logical_not: 'tf.math.logical_not',
};

/**
 * tf.profiler FLOPs per output element of the TF op behind each element-wise op it has a
 * statistic for (Add, Sub, Mul, RealDiv, Maximum, Minimum, Pow, comparisons: 1; SquaredDifference
 * 2; Neg, Square, Log, Reciprocal 1; Rsqrt 2) and of those it registers none for (0). Ops not
 * listed are not counted (unknown).
 */
const TF_FLOPS: Record<string, number> = {
  add: 1, subtract: 1, multiply: 1, divide: 1, true_divide: 1, maximum: 1, minimum: 1, power: 1,
  equal: 1, not_equal: 1, greater: 1, greater_equal: 1, less: 1, less_equal: 1, squared_difference: 2,
  negative: 1, square: 1, log: 1, reciprocal: 1, rsqrt: 2,
  abs: 0, exp: 0, sqrt: 0, sign: 0, floor: 0, ceil: 0, round: 0, cast: 0, identity: 0, copy: 0, stop_gradient: 0,
  relu: 0, relu6: 0, sigmoid: 0, tanh: 0, elu: 0, selu: 0, softplus: 0, softsign: 0, logical_and: 0, logical_or: 0, logical_not: 0,
};

/** Ops in UNARY that are not one value per position (they sort, shift or normalise along an axis). */
const ALONG_AXIS = new Set(['flip', 'roll', 'sort', 'argsort', 'tril', 'triu', 'l2_normalize', 'normalize']);

function elementwise(name: string): LayerRule {
  return {
    ...opRule(name, (inputs, _cfg, ctx) => broadcastAll(inputs, ctx), KERAS_NAMES[name]),
    tfName: TF_NAMES[name],
    cost: elementwiseCost(TF_FLOPS[name] ?? null),
    spatial: () => 'merge',
    symbolic: (inputs) => ({ output: broadcastFormulas(inputs) }),
  };
}

function unary(name: string): LayerRule {
  return {
    ...opRule(name, (inputs) => (inputs[0] ? [...inputs[0]] : null), KERAS_NAMES[name]),
    tfName: TF_NAMES[name],
    cost: elementwiseCost(TF_FLOPS[name] ?? null),
    ...(ALONG_AXIS.has(name) ? {} : { spatial: POINTWISE }),
    symbolic: (inputs) => (inputs[0] ? { output: inputs[0] } : null),
  };
}

/** `softmax(x, axis=-1)`, `log_softmax`, `sparsemax`: shape kept, the axis must exist. */
function alongAxis(name: string): LayerRule {
  return { ...alongAxisRule(name), symbolic: (inputs) => (inputs[0] ? { output: inputs[0] } : null) };
}

function alongAxisRule(name: string): LayerRule {
  return opRule(name, (inputs, cfg, ctx) => {
    const x = inputs[0];
    if (!x) return null;
    const axis = intArg(cfg, 'axis');
    if (axis === null) return [...x];
    if (axis !== undefined && normAxis(axis, x.length, ctx, name) === null) return null;
    return [...x];
  });
}

/** `where(condition, x, y)`: the three shapes broadcast together (one argument: indices, unknown count). */
const where = opRule('where', (inputs, _cfg, ctx) => (inputs.length === 1 ? [null, inputs[0].length] : broadcastAll(inputs, ctx)));

export const elementwiseRules: LayerRule[] = [
  ...BINARY.map(elementwise),
  ...UNARY.map(unary),
  ...['softmax', 'log_softmax', 'sparsemax'].map(alongAxis),
  where,
];

/** Python operator → the `keras.ops` function Keras 3 calls for it on a KerasTensor. */
export const OPERATOR_OPS: Readonly<Record<string, string>> = {
  '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'true_divide', '//': 'floor_divide', '%': 'mod', '**': 'power', '@': 'matmul',
  '<': 'less', '<=': 'less_equal', '>': 'greater', '>=': 'greater_equal', '!=': 'not_equal',
  '&': 'logical_and', '|': 'logical_or', '^': 'logical_xor',
};

/**
 * Python operator → the tf function tf.keras 2 records for it on a Keras tensor (its TFOpLambda row
 * name): `+` dispatches as `tf.__operators__.add`, the others as the math op they call.
 */
export const OPERATOR_TF_NAMES: Readonly<Record<string, string>> = {
  '+': 'tf.__operators__.add', '-': 'tf.math.subtract', '*': 'tf.math.multiply', '/': 'tf.math.truediv', '//': 'tf.math.floordiv',
  '%': 'tf.math.floormod', '**': 'tf.math.pow', '@': 'tf.linalg.matmul', '<': 'tf.math.less', '<=': 'tf.math.less_equal',
  '>': 'tf.math.greater', '>=': 'tf.math.greater_equal', '!=': 'tf.__operators__.ne', '&': 'tf.math.logical_and',
  '|': 'tf.math.logical_or', '^': 'tf.math.logical_xor',
};
