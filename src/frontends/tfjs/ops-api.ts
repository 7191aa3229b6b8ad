// tfjs tensor ops (`tf.reshape(x, shape)`, `tf.matMul(a, b)`, `x.reshape(shape)`): one table from
// the tfjs function or tensor method to the core's op rule and tfjs' positional parameters.
// (tfjs ops take concrete tensors: inside a layer's `call` they shape what the layer returns.)

import { UNKNOWN, type ConfigValue } from '../../core/config';
import type { SourceRange } from '../../core/diagnostics';
import type { SymbolicTensor } from '../../core/graph';
import type { KerasRuntime } from '../common/keras-runtime';
import { OP_NAMES } from '../../core/ops';
import { callOp, type OpSpec } from '../common/ops-call';
import type { Value } from '../common/values';

const UNARY: Record<string, string> = {
  relu: 'relu', relu6: 'relu6', sigmoid: 'sigmoid', tanh: 'tanh', elu: 'elu', selu: 'selu', softplus: 'softplus', exp: 'exp', log: 'log',
  sqrt: 'sqrt', rsqrt: 'rsqrt', square: 'square', abs: 'abs', neg: 'negative', round: 'round', floor: 'floor', ceil: 'ceil', sign: 'sign',
  sin: 'sin', cos: 'cos', reciprocal: 'reciprocal', log1p: 'log1p', expm1: 'expm1', erf: 'erf', logicalNot: 'logical_not', clone: 'identity',
  zerosLike: 'zeros_like', onesLike: 'ones_like', leakyRelu: 'leaky_relu', isNaN: 'isnan', isInf: 'isinf', isFinite: 'isfinite',
  toFloat: 'cast', toInt: 'cast', toBool: 'cast', asType: 'cast', cast: 'cast', reverse: 'flip', dropout: 'dropout',
};
const BINARY: Record<string, string> = {
  add: 'add', sub: 'subtract', mul: 'multiply', div: 'true_divide', divNoNan: 'divide_no_nan', floorDiv: 'floor_divide', mod: 'mod',
  maximum: 'maximum', minimum: 'minimum', pow: 'power', squaredDifference: 'squared_difference', equal: 'equal', notEqual: 'not_equal',
  greater: 'greater', greaterEqual: 'greater_equal', less: 'less', lessEqual: 'less_equal', logicalAnd: 'logical_and',
  logicalOr: 'logical_or', logicalXor: 'logical_xor', atan2: 'arctan2',
};
const REDUCE: Record<string, string> = { sum: 'sum', mean: 'mean', max: 'max', min: 'min', prod: 'prod', any: 'any', all: 'all', logSumExp: 'logsumexp', norm: 'norm' };

/** `tf.<name>` (and `tf.image.<name>`) → the op and tfjs' parameters in order. */
const TFJS_OPS: Record<string, OpSpec> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([n, op]) => [n, { op, sig: 'x*' }])),
  ...Object.fromEntries(Object.entries(BINARY).map(([n, op]) => [n, { op, sig: 'a* b*' }])),
  ...Object.fromEntries(Object.entries(REDUCE).map(([n, op]) => [n, { op, sig: 'x* axis keepdims' }])),
  clipByValue: { op: 'clip', sig: 'x* min max' },
  softmax: { op: 'softmax', sig: 'logits* axis' },
  logSoftmax: { op: 'log_softmax', sig: 'logits* axis' },
  argMax: { op: 'argmax', sig: 'x* axis', defaults: { axis: 0 } },
  argMin: { op: 'argmin', sig: 'x* axis', defaults: { axis: 0 } },
  cumsum: { op: 'cumsum', sig: 'x* axis', defaults: { axis: 0 } },
  where: { op: 'where', sig: 'condition* a* b*' },
  reshape: { op: 'reshape', sig: 'x* newshape' },
  flatten: { op: 'ravel', sig: 'x*' },
  transpose: { op: 'transpose', sig: 'x* axes' },
  expandDims: { op: 'expand_dims', sig: 'x* axis', defaults: { axis: 0 } },
  squeeze: { op: 'squeeze', sig: 'x* axis' },
  concat: { op: 'concatenate', sig: 'tensors** axis' },
  stack: { op: 'stack', sig: 'tensors** axis' },
  unstack: { op: 'unstack', sig: 'x* axis' },
  split: { op: 'split', sig: 'x* indices_or_sections axis', defaults: { sizes: true } },
  tile: { op: 'tile', sig: 'x* repeats', defaults: { tf: true } },
  broadcastTo: { op: 'broadcast_to', sig: 'x* shape' },
  pad: { op: 'pad', sig: 'x* pad_width constant_values', defaults: { tf: true } },
  slice: { op: 'slice', sig: 'x* start_indices shape' },
  stridedSlice: { op: 'strided_slice', sig: 'x* begin end strides begin_mask end_mask ellipsis_mask new_axis_mask shrink_axis_mask' },
  gather: { op: 'take', sig: 'x* indices* axis batch_dims', defaults: { axis: 0 } },
  oneHot: { op: 'one_hot', sig: 'indices* num_classes', defaults: { tf: true } },
  matMul: { op: 'matmul', sig: 'a* b* transpose_a transpose_b' },
  dot: { op: 'dot', sig: 't1* t2*' },
  einsum: { op: 'einsum', sig: 'subscripts ...tensors' },
  topk: { op: 'top_k', sig: 'x* k sorted', result: ['values', 'indices'] },
  moments: { op: 'moments', sig: 'x* axis keepdims', result: ['mean', 'variance'] },
  conv1d: { op: 'conv', sig: 'x* filter* strides padding data_format dilation_rate' },
  conv2d: { op: 'conv', sig: 'x* filter* strides padding data_format dilation_rate' },
  conv3d: { op: 'conv', sig: 'x* filter* strides padding data_format dilation_rate' },
  depthwiseConv2d: { op: 'depthwise_conv', sig: 'x* filter* strides padding data_format dilation_rate' },
  separableConv2d: { op: 'separable_conv', sig: 'x* depthwise_filter* pointwise_filter* strides padding dilation_rate data_format' },
  maxPool: { op: 'max_pool', sig: 'x* pool_size strides padding' },
  avgPool: { op: 'average_pool', sig: 'x* pool_size strides padding' },
  maxPool3d: { op: 'max_pool', sig: 'x* pool_size strides padding' },
  avgPool3d: { op: 'average_pool', sig: 'x* pool_size strides padding' },
  depthToSpace: { op: 'depth_to_space', sig: 'x* block_size data_format' },
  'image.resizeBilinear': { op: 'resize', sig: 'images* size' },
  'image.resizeNearestNeighbor': { op: 'resize', sig: 'images* size' },
};

/** Tensor methods that are the same op with the tensor first (`x.reshape(shape)` = `tf.reshape(x, shape)`). */
const METHODS = new Set([
  ...Object.keys(UNARY), ...Object.keys(BINARY), ...Object.keys(REDUCE), 'clipByValue', 'softmax', 'logSoftmax', 'argMax', 'argMin', 'cumsum',
  'reshape', 'flatten', 'transpose', 'expandDims', 'squeeze', 'concat', 'stack', 'unstack', 'split', 'tile', 'broadcastTo', 'pad', 'slice',
  'stridedSlice', 'gather', 'oneHot', 'matMul', 'dot', 'topk', 'conv1d', 'conv2d', 'depthwiseConv2d', 'maxPool', 'avgPool', 'depthToSpace',
]);

/** A JS value as an op argument: numbers, strings, arrays; a tensor (a run-time value) is unknown. */
function argConfig(v: Value, depth = 0): ConfigValue {
  switch (v.k) {
    case 'num':
    case 'bool':
    case 'str':
      return v.v;
    case 'none':
      return null;
    case 'tuple':
    case 'list':
      return depth > 4 ? UNKNOWN : v.items.map((x) => argConfig(x, depth + 1));
    default:
      return UNKNOWN;
  }
}

/** `tf.reshape(x, [-1, 4])`, `tf.image.resizeBilinear(img, [64, 64])`: undefined when not an op on tensors. */
export function callTfjsOp(path: string, args: Value[], range: SourceRange, rt: KerasRuntime): Value | undefined {
  const name = path.startsWith('tf.') ? path.slice(3) : null;
  if (name === null || !Object.hasOwn(TFJS_OPS, name)) return undefined;
  rt.tfjsOp(`tf.${name}`, args.flatMap((v) => rt.tensors(v) ?? []), range, false);
  return callOp(TFJS_OPS[name], { positional: args, keywords: new Map() }, range, rt, `tf.${name}`, argConfig);
}

/** `x.reshape([-1, 4])`, `x.matMul(w)`, `x.concat(y, 1)`: the op with the tensor first. */
export function tfjsTensorMethod(t: SymbolicTensor, name: string, args: Value[], range: SourceRange, rt: KerasRuntime): Value | undefined {
  if (!METHODS.has(name)) return undefined;
  rt.tfjsOp(`tf.${name}`, [t], range, true);
  // `a.concat(b, axis)` / `a.stack(b, axis)`: the receiver and the others make the list.
  if (name === 'concat' || name === 'stack') {
    const others = args[0]?.k === 'list' ? args[0].items : args[0] ? [args[0]] : [];
    return callOp(TFJS_OPS[name], { positional: [{ k: 'list', items: [{ k: 'tensor', t }, ...others] }, ...args.slice(1)], keywords: new Map() }, range, rt, `tf.${name}`, argConfig);
  }
  return callOp(TFJS_OPS[name], { positional: [{ k: 'tensor', t }, ...args], keywords: new Map() }, range, rt, `tf.${name}`, argConfig);
}

/** Ops the table names that have no rule (a test keeps this empty). */
export function tableOpsWithoutRule(): string[] {
  return Object.values(TFJS_OPS).map((s) => s.op).filter((op) => !OP_NAMES.has(op));
}
