// Tensor operations as Python code calls them: one table from API path (`keras.ops.reshape`,
// `tf.reshape`, `tf.math.reduce_mean`, `K.mean`, ...) to the core's op rule and the Python
// signature that binds the call's arguments; plus indexing (`x[:, 0]`), operators, tensor
// methods, `tf.shape(x)[i]` and `K.int_shape`.

import type { ConfigValue } from '../../core/config';
import { UNKNOWN } from '../../core/config';
import type { SourceRange } from '../../core/diagnostics';
import type { SymbolicTensor } from '../../core/graph';
import { OP_NAMES, OPERATOR_OPS, OPERATOR_TF_NAMES } from '../../core/ops';
import { UNKNOWN_DIM, type Dim } from '../../core/shape';
import type { KerasRuntime } from '../common/keras-runtime';
import { callOp, type OpSpec } from '../common/ops-call';
import { list, num, tuple, unknown, type CallArgs, type Value } from '../common/values';

const UNARY_KERAS = [
  'negative', 'abs', 'absolute', 'exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sign', 'floor', 'ceil',
  'trunc', 'sin', 'cos', 'tan', 'sinh', 'cosh', 'tanh', 'arcsin', 'arccos', 'arctan', 'arcsinh', 'arccosh', 'arctanh', 'erf', 'erfc', 'erfinv',
  'logical_not', 'isnan', 'isinf', 'isfinite', 'stop_gradient', 'copy', 'zeros_like', 'ones_like', 'relu', 'relu6', 'sigmoid', 'hard_sigmoid',
  'softplus', 'softsign', 'silu', 'swish', 'hard_silu', 'hard_swish', 'gelu', 'elu', 'selu', 'celu', 'leaky_relu', 'log_sigmoid', 'mish',
  'tanh_shrink', 'hard_tanh', 'soft_shrink', 'hard_shrink', 'squareplus', 'sparse_plus', 'threshold', 'nan_to_num', 'convert_to_tensor',
];
const BINARY_KERAS = [
  'add', 'subtract', 'multiply', 'divide', 'true_divide', 'floor_divide', 'mod', 'maximum', 'minimum', 'power', 'equal', 'not_equal', 'greater',
  'greater_equal', 'less', 'less_equal', 'logical_and', 'logical_or', 'logical_xor', 'arctan2', 'hypot', 'divide_no_nan', 'logaddexp',
];
const REDUCE_KERAS = ['sum', 'mean', 'max', 'min', 'prod', 'any', 'all', 'logsumexp', 'std', 'var', 'median', 'amax', 'amin', 'count_nonzero'];

/** `keras.ops` (and `keras.ops.nn` / `.numpy` / `.image` / `.math` / `.core` / `.linalg`) by function name. */
const KERAS_OPS: Record<string, OpSpec> = {
  ...Object.fromEntries(UNARY_KERAS.map((n) => [n, { op: n === 'absolute' ? 'abs' : n, sig: 'x*' }])),
  ...Object.fromEntries(BINARY_KERAS.map((n) => [n, { op: n, sig: 'x1* x2*' }])),
  ...Object.fromEntries(REDUCE_KERAS.map((n) => [n, { op: n, sig: 'x* axis keepdims' }])),
  cast: { op: 'cast', sig: 'x* dtype' },
  clip: { op: 'clip', sig: 'x* x_min x_max' },
  round: { op: 'round', sig: 'x* decimals' },
  softmax: { op: 'softmax', sig: 'x* axis' },
  log_softmax: { op: 'log_softmax', sig: 'x* axis' },
  sparsemax: { op: 'sparsemax', sig: 'x* axis' },
  normalize: { op: 'normalize', sig: 'x* axis order' },
  argmax: { op: 'argmax', sig: 'x* axis keepdims' },
  argmin: { op: 'argmin', sig: 'x* axis keepdims' },
  cumsum: { op: 'cumsum', sig: 'x* axis' },
  cumprod: { op: 'cumprod', sig: 'x* axis' },
  where: { op: 'where', sig: 'condition* x1* x2*' },
  reshape: { op: 'reshape', sig: 'x* newshape' },
  transpose: { op: 'transpose', sig: 'x* axes' },
  expand_dims: { op: 'expand_dims', sig: 'x* axis' },
  squeeze: { op: 'squeeze', sig: 'x* axis' },
  concatenate: { op: 'concatenate', sig: 'xs** axis' },
  stack: { op: 'stack', sig: 'x** axis' },
  unstack: { op: 'unstack', sig: 'x* num axis' },
  split: { op: 'split', sig: 'x* indices_or_sections axis' },
  tile: { op: 'tile', sig: 'x* repeats' },
  repeat: { op: 'repeat', sig: 'x* repeats axis' },
  broadcast_to: { op: 'broadcast_to', sig: 'x* shape' },
  pad: { op: 'pad', sig: 'x* pad_width mode constant_values' },
  slice: { op: 'slice', sig: 'inputs* start_indices shape' },
  take: { op: 'take', sig: 'x* indices* axis' },
  take_along_axis: { op: 'take_along_axis', sig: 'x* indices* axis' },
  get_item: { op: 'get_item', sig: 'x* key' },
  one_hot: { op: 'one_hot', sig: 'x* num_classes axis' },
  moveaxis: { op: 'moveaxis', sig: 'x* source destination' },
  swapaxes: { op: 'swapaxes', sig: 'x* axis1 axis2' },
  ravel: { op: 'ravel', sig: 'x*' },
  flip: { op: 'flip', sig: 'x* axis' },
  roll: { op: 'roll', sig: 'x* shift axis' },
  sort: { op: 'sort', sig: 'x* axis' },
  argsort: { op: 'argsort', sig: 'x* axis' },
  tril: { op: 'tril', sig: 'x* k' },
  triu: { op: 'triu', sig: 'x* k' },
  matmul: { op: 'matmul', sig: 'x1* x2*' },
  dot: { op: 'dot', sig: 'x1* x2*' },
  tensordot: { op: 'tensordot', sig: 'x1* x2* axes' },
  outer: { op: 'outer', sig: 'x1* x2*' },
  einsum: { op: 'einsum', sig: 'subscripts ...operands' },
  top_k: { op: 'top_k', sig: 'x* k sorted' },
  moments: { op: 'moments', sig: 'x* axes=axis keepdims' },
  conv: { op: 'conv', sig: 'inputs* kernel* strides padding data_format dilation_rate' },
  depthwise_conv: { op: 'depthwise_conv', sig: 'inputs* kernel* strides padding data_format dilation_rate' },
  separable_conv: { op: 'separable_conv', sig: 'inputs* depthwise_kernel* pointwise_kernel* strides padding data_format dilation_rate' },
  max_pool: { op: 'max_pool', sig: 'inputs* pool_size strides padding data_format' },
  average_pool: { op: 'average_pool', sig: 'inputs* pool_size strides padding data_format' },
  depth_to_space: { op: 'depth_to_space', sig: 'x* block_size data_format' },
  space_to_depth: { op: 'space_to_depth', sig: 'x* block_size data_format' },
  resize: { op: 'resize', sig: 'images* size interpolation antialias crop_to_aspect_ratio pad_to_aspect_ratio fill_mode fill_value data_format' },
  extract_patches: { op: 'extract_patches', sig: 'images* size strides dilation_rate padding data_format' },
};

const TF_UNARY: Record<string, string> = {
  negative: 'negative', abs: 'abs', exp: 'exp', log: 'log', sqrt: 'sqrt', rsqrt: 'rsqrt', square: 'square', sign: 'sign', floor: 'floor', ceil: 'ceil',
  round: 'round', sin: 'sin', cos: 'cos', tanh: 'tanh', sigmoid: 'sigmoid', erf: 'erf', reciprocal: 'reciprocal', log1p: 'log1p', expm1: 'expm1',
  logical_not: 'logical_not', is_nan: 'isnan', is_inf: 'isinf', is_finite: 'isfinite', identity: 'identity', stop_gradient: 'stop_gradient',
  zeros_like: 'zeros_like', ones_like: 'ones_like', softplus: 'softplus', softsign: 'softsign',
};
const TF_NN_UNARY = ['relu', 'relu6', 'sigmoid', 'tanh', 'gelu', 'silu', 'swish', 'elu', 'selu', 'softplus', 'softsign', 'leaky_relu', 'dropout'];
const TF_BINARY: Record<string, string> = {
  add: 'add', subtract: 'subtract', multiply: 'multiply', divide: 'divide', truediv: 'true_divide', floordiv: 'floor_divide', floormod: 'mod',
  mod: 'mod', maximum: 'maximum', minimum: 'minimum', pow: 'power', squared_difference: 'squared_difference', divide_no_nan: 'divide_no_nan',
  equal: 'equal', not_equal: 'not_equal', greater: 'greater', greater_equal: 'greater_equal', less: 'less', less_equal: 'less_equal',
  logical_and: 'logical_and', logical_or: 'logical_or', logical_xor: 'logical_xor', atan2: 'arctan2',
};
const TF_REDUCE: Record<string, string> = {
  reduce_sum: 'sum', reduce_mean: 'mean', reduce_max: 'max', reduce_min: 'min', reduce_prod: 'prod', reduce_any: 'any', reduce_all: 'all',
  reduce_logsumexp: 'logsumexp', reduce_std: 'std', reduce_variance: 'var', reduce_euclidean_norm: 'norm',
};

/** TensorFlow (`tf.X`, `tf.math.X`, `tf.nn.X`, `tf.image.X`, `tf.linalg.X`) by the path after `tf.`. */
const TF_OPS: Record<string, OpSpec> = {
  ...Object.fromEntries(Object.entries(TF_UNARY).flatMap(([n, op]) => [[n, { op, sig: 'x*' }], [`math.${n}`, { op, sig: 'x*' }]])),
  ...Object.fromEntries(TF_NN_UNARY.map((n) => [`nn.${n}`, { op: n, sig: 'features*' }])),
  ...Object.fromEntries(Object.entries(TF_BINARY).flatMap(([n, op]) => [[n, { op, sig: 'x* y*' }], [`math.${n}`, { op, sig: 'x* y*' }]])),
  ...Object.fromEntries(Object.entries(TF_REDUCE).flatMap(([n, op]) => [[n, { op, sig: 'input_tensor* axis keepdims' }], [`math.${n}`, { op, sig: 'input_tensor* axis keepdims' }]])),
  'math.sigmoid': { op: 'sigmoid', sig: 'x*' },
  cast: { op: 'cast', sig: 'x* dtype' },
  clip_by_value: { op: 'clip', sig: 't* clip_value_min clip_value_max' },
  'nn.softmax': { op: 'softmax', sig: 'logits* axis' },
  'math.softmax': { op: 'softmax', sig: 'logits* axis' },
  'nn.log_softmax': { op: 'log_softmax', sig: 'logits* axis' },
  'math.l2_normalize': { op: 'l2_normalize', sig: 'x* axis' },
  'nn.l2_normalize': { op: 'l2_normalize', sig: 'x* axis' },
  argmax: { op: 'argmax', sig: 'input* axis', defaults: { axis: 0 } },
  'math.argmax': { op: 'argmax', sig: 'input* axis', defaults: { axis: 0 } },
  argmin: { op: 'argmin', sig: 'input* axis', defaults: { axis: 0 } },
  'math.argmin': { op: 'argmin', sig: 'input* axis', defaults: { axis: 0 } },
  cumsum: { op: 'cumsum', sig: 'x* axis', defaults: { axis: 0 } },
  'math.cumsum': { op: 'cumsum', sig: 'x* axis', defaults: { axis: 0 } },
  where: { op: 'where', sig: 'condition* x* y*' },
  reshape: { op: 'reshape', sig: 'tensor* shape=newshape', defaults: { tf: true } },
  transpose: { op: 'transpose', sig: 'a* perm=axes' },
  expand_dims: { op: 'expand_dims', sig: 'input* axis' },
  squeeze: { op: 'squeeze', sig: 'input* axis' },
  concat: { op: 'concatenate', sig: 'values** axis' },
  stack: { op: 'stack', sig: 'values** axis' },
  unstack: { op: 'unstack', sig: 'value* num axis' },
  split: { op: 'split', sig: 'value* num_or_size_splits=indices_or_sections axis', defaults: { sizes: true } },
  tile: { op: 'tile', sig: 'input* multiples=repeats', defaults: { tf: true } },
  repeat: { op: 'repeat', sig: 'input* repeats axis' },
  broadcast_to: { op: 'broadcast_to', sig: 'input* shape' },
  pad: { op: 'pad', sig: 'tensor* paddings=pad_width mode constant_values', defaults: { tf: true } },
  slice: { op: 'slice', sig: 'input_* begin=start_indices size=shape' },
  strided_slice: { op: 'strided_slice', sig: 'input_* begin end strides begin_mask end_mask ellipsis_mask new_axis_mask shrink_axis_mask' },
  gather: { op: 'take', sig: 'params* indices* validate_indices axis batch_dims', defaults: { axis: 0 } },
  one_hot: { op: 'one_hot', sig: 'indices* depth=num_classes on_value off_value axis', defaults: { tf: true } },
  matmul: { op: 'matmul', sig: 'a* b* transpose_a transpose_b adjoint_a adjoint_b', defaults: { tf: true } },
  'linalg.matmul': { op: 'matmul', sig: 'a* b* transpose_a transpose_b adjoint_a adjoint_b', defaults: { tf: true } },
  tensordot: { op: 'tensordot', sig: 'a* b* axes' },
  'linalg.tensordot': { op: 'tensordot', sig: 'a* b* axes' },
  einsum: { op: 'einsum', sig: 'subscripts ...inputs' },
  'linalg.einsum': { op: 'einsum', sig: 'subscripts ...inputs' },
  'math.top_k': { op: 'top_k', sig: 'input* k sorted' },
  'nn.top_k': { op: 'top_k', sig: 'input* k sorted' },
  'nn.moments': { op: 'moments', sig: 'x* axes=axis shift keepdims' },
  'nn.conv1d': { op: 'conv', sig: 'input* filters* stride=strides padding data_format dilations=dilation_rate' },
  'nn.conv2d': { op: 'conv', sig: 'input* filters* strides padding data_format dilations=dilation_rate' },
  'nn.conv3d': { op: 'conv', sig: 'input* filters* strides padding data_format dilations=dilation_rate' },
  'nn.convolution': { op: 'conv', sig: 'input* filters* strides padding data_format dilations=dilation_rate' },
  'nn.depthwise_conv2d': { op: 'depthwise_conv', sig: 'input* filter* strides padding data_format dilations=dilation_rate' },
  'nn.separable_conv2d': { op: 'separable_conv', sig: 'input* depthwise_filter* pointwise_filter* strides padding data_format dilations=dilation_rate' },
  ...Object.fromEntries(['max_pool', 'max_pool1d', 'max_pool2d', 'max_pool3d'].map((n) => [`nn.${n}`, { op: 'max_pool', sig: 'input* ksize=pool_size strides padding data_format' }])),
  ...Object.fromEntries(['avg_pool', 'avg_pool1d', 'avg_pool2d', 'avg_pool3d'].map((n) => [`nn.${n}`, { op: 'average_pool', sig: 'input* ksize=pool_size strides padding data_format' }])),
  'nn.depth_to_space': { op: 'depth_to_space', sig: 'input* block_size data_format' },
  'nn.space_to_depth': { op: 'space_to_depth', sig: 'input* block_size data_format' },
  'image.resize': { op: 'resize', sig: 'images* size method preserve_aspect_ratio antialias' },
  'image.extract_patches': { op: 'extract_patches', sig: 'images* sizes=size strides rates=dilation_rate padding' },
};

/** The Keras backend (`from keras import backend as K`, `tf.keras.backend`) by function name. */
const BACKEND_OPS: Record<string, OpSpec> = {
  ...Object.fromEntries(['abs', 'exp', 'log', 'sqrt', 'square', 'sign', 'round', 'sigmoid', 'tanh', 'relu', 'elu', 'softplus', 'softsign', 'hard_sigmoid', 'stop_gradient', 'zeros_like', 'ones_like', 'identity'].map((n) => [n, { op: n, sig: 'x*' }])),
  ...Object.fromEntries(['maximum', 'minimum', 'equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal'].map((n) => [n, { op: n, sig: 'x* y*' }])),
  pow: { op: 'power', sig: 'x* a*' },
  ...Object.fromEntries(['sum', 'mean', 'max', 'min', 'prod', 'any', 'all', 'std', 'var', 'logsumexp'].map((n) => [n, { op: n, sig: 'x* axis keepdims' }])),
  argmax: { op: 'argmax', sig: 'x* axis', defaults: { axis: -1 } },
  argmin: { op: 'argmin', sig: 'x* axis', defaults: { axis: -1 } },
  softmax: { op: 'softmax', sig: 'x* axis' },
  l2_normalize: { op: 'l2_normalize', sig: 'x* axis' },
  clip: { op: 'clip', sig: 'x* min_value max_value' },
  cast: { op: 'cast', sig: 'x* dtype' },
  cumsum: { op: 'cumsum', sig: 'x* axis', defaults: { axis: 0 } },
  reshape: { op: 'reshape', sig: 'x* shape=newshape', defaults: { tf: true } },
  permute_dimensions: { op: 'transpose', sig: 'x* pattern=axes' },
  transpose: { op: 'transpose', sig: 'x*' },
  expand_dims: { op: 'expand_dims', sig: 'x* axis', defaults: { axis: -1 } },
  squeeze: { op: 'squeeze', sig: 'x* axis' },
  concatenate: { op: 'concatenate', sig: 'tensors** axis', defaults: { axis: -1 } },
  stack: { op: 'stack', sig: 'x** axis' },
  tile: { op: 'tile', sig: 'x* n=repeats', defaults: { tf: true } },
  repeat_elements: { op: 'repeat', sig: 'x* rep=repeats axis' },
  flatten: { op: 'ravel', sig: 'x*' },
  batch_flatten: { op: 'batch_flatten', sig: 'x*' },
  one_hot: { op: 'one_hot', sig: 'indices* num_classes', defaults: { tf: true } },
  gather: { op: 'take', sig: 'reference* indices*', defaults: { axis: 0 } },
  dot: { op: 'matmul', sig: 'x* y*' },
  switch: { op: 'where', sig: 'condition* then_expression* else_expression*' },
  dropout: { op: 'dropout', sig: 'x* level' },
};

/** The spec for an API path's tail (`ops.nn.relu`, `math.reduce_mean`, `backend.mean`) and how it is named. */
const specs = new Map<string, { spec: OpSpec; nameBase?: string } | null>();

/** The op a path names (memoised: asked on every API call). */
function specFor(path: string, tail: string): { spec: OpSpec; nameBase?: string } | undefined {
  let found = specs.get(path);
  if (found === undefined) {
    found = findSpec(path, tail) ?? null;
    if (specs.size < 50000) specs.set(path, found);
  }
  return found ?? undefined;
}

function findSpec(path: string, tail: string): { spec: OpSpec; nameBase?: string } | undefined {
  const keras = /^ops\.(?:(?:nn|numpy|image|math|core|linalg)\.)?(\w+)$/.exec(tail);
  if (keras) {
    const spec = KERAS_OPS[keras[1]];
    // Keras 3 names an op with its layer counters (class name in snake_case).
    return spec && Object.hasOwn(KERAS_OPS, keras[1]) ? { spec } : undefined;
  }
  const backend = /^backend\.(\w+)$/.exec(tail);
  if (backend) return Object.hasOwn(BACKEND_OPS, backend[1]) ? { spec: BACKEND_OPS[backend[1]], nameBase: `tf.${BACKEND_OPS[backend[1]].op}` } : undefined;
  if (path.startsWith('tensorflow.') && Object.hasOwn(TF_OPS, tail)) return { spec: TF_OPS[tail], nameBase: `tf.${tail}` };
  return undefined;
}

/**
 * What the interpreter knows about tensors that stand for sizes: `shapeOf` the tensor `tf.shape(x)`
 * (x's dims), `dynamic` the scalar `tf.shape(x)[0]` of a None dim (a size known when the model runs).
 */
interface ShapeTensors {
  shapeOf: WeakMap<SymbolicTensor, Dim[]>;
  dynamic: WeakSet<SymbolicTensor>;
}

const st: ShapeTensors = { shapeOf: new WeakMap(), dynamic: new WeakSet() };

/** A Python value as an op argument: numbers, strings, lists; a run-time size is None; other tensors unknown. */
function argConfig(v: Value, depth = 0): ConfigValue {
  switch (v.k) {
    case 'num':
      return v.v;
    case 'bool':
      return v.v;
    case 'str':
      return v.v;
    case 'none':
      return null;
    case 'tuple':
    case 'list':
      return depth > 4 ? UNKNOWN : v.items.map((x) => argConfig(x, depth + 1));
    case 'tensor': {
      if (st.dynamic.has(v.t)) return null;
      const dims = st.shapeOf.get(v.t);
      if (dims) return dims.map((d) => (d === UNKNOWN_DIM ? UNKNOWN : d));
      return UNKNOWN;
    }
    case 'api':
      // `tf.float32` and other dtypes: a name, not a size.
      return v.path.split('.').pop() ?? UNKNOWN;
    default:
      return UNKNOWN;
  }
}

/**
 * Calls the op an API path stands for, if it is one and some operand is a tensor; undefined for
 * anything else (constants, unknown paths), which the caller handles as before.
 */
export function callOpApi(path: string, tail: string, args: CallArgs, range: SourceRange, rt: KerasRuntime): Value | undefined {
  const found = specFor(path, tail);
  if (!found) return undefined;
  const folded = foldSizes(found.spec.op, args);
  if (folded) return folded;
  // A TensorFlow function (not keras.ops, not the Keras backend) on a KerasTensor: Keras 3 rejects it.
  if (path.startsWith('tensorflow.') && !/(^|\.)keras\./.test(path) && found.nameBase) {
    rt.tfFunction(found.nameBase, [...args.positional, ...args.keywords.values()].flatMap((v) => rt.tensors(v) ?? []), range);
  }
  return callOp(found.spec, args, range, rt, found.nameBase, argConfig);
}

/** `tf.math.reduce_prod(x.shape[1:])`, `K.sum([a, b])`: a product or sum of known sizes is that number. */
function foldSizes(op: string, args: CallArgs): Value | undefined {
  if ((op !== 'prod' && op !== 'sum') || args.positional.length !== 1 || args.keywords.size > 0) return undefined;
  const x = args.positional[0];
  if (x.k !== 'tuple' && x.k !== 'list') return undefined;
  if (x.items.some((i) => i.k === 'tensor' || i.k === 'tuple' || i.k === 'list')) return undefined;
  if (!x.items.every((i) => i.k === 'num' && i.int)) return unknown('size');
  const vals = x.items.map((i) => (i as { v: number }).v);
  return num(op === 'prod' ? vals.reduce((p, q) => p * q, 1) : vals.reduce((p, q) => p + q, 0), true);
}

/**
 * Constants that code builds sizes and position ids from: `keras.ops.arange(n)`, `tf.range(a, b)`,
 * `tf.eye(n)`: a tensor of their (known or unknown) length.
 */
export function constantCall(tail: string, path: string, args: CallArgs, rt: KerasRuntime): Value | undefined {
  const name = /^ops\.(?:numpy\.)?(arange|eye)$/.exec(tail)?.[1] ?? (path.startsWith('tensorflow.') && /^(range|eye)$/.test(tail) ? tail : undefined);
  if (!name) return undefined;
  const n = (v: Value | undefined): number | null | undefined => (v === undefined || v.k === 'none' ? undefined : v.k === 'num' ? v.v : null);
  const p = args.positional;
  if (name === 'eye') {
    const rows = n(p[0] ?? args.keywords.get('num_rows') ?? args.keywords.get('N'));
    const cols = n(p[1] ?? args.keywords.get('num_columns') ?? args.keywords.get('M')) ?? rows;
    if (rows === undefined) return undefined;
    return { k: 'tensor', t: rt.builder.looseTensor([rows ?? UNKNOWN_DIM, cols ?? UNKNOWN_DIM]) };
  }
  let start = n(p[0] ?? args.keywords.get('start'));
  let stop = n(p[1] ?? args.keywords.get('stop') ?? args.keywords.get('limit'));
  const step = n(p[2] ?? args.keywords.get('step') ?? args.keywords.get('delta')) ?? 1;
  if (stop === undefined) [start, stop] = [0, start];
  const from = start ?? (start === undefined ? 0 : null);
  const to = stop ?? null;
  const len = from === null || to === null || step === null || step === 0 ? UNKNOWN_DIM : Math.max(0, Math.ceil((to - from) / step));
  return { k: 'tensor', t: rt.builder.looseTensor([len]) };
}

/** `tf.shape(x)` / `K.shape(x)`: a 1-D tensor holding x's shape; `keras.ops.shape(x)` is x.shape itself. */
export function shapeCall(tail: string, path: string, args: CallArgs, rt: KerasRuntime): Value | undefined {
  const x = args.positional[0] ?? args.keywords.get('input') ?? args.keywords.get('x');
  if (x?.k !== 'tensor') return undefined;
  if (tail === 'ops.shape' || tail === 'ops.core.shape') return rt.attr(x, 'shape');
  if (!((tail === 'shape' && path.startsWith('tensorflow.')) || tail === 'backend.shape')) return undefined;
  const dims = x.t.shape;
  const t = rt.builder.looseTensor(dims ? [dims.length] : null);
  if (dims) st.shapeOf.set(t, dims);
  return { k: 'tensor', t };
}

/** A scalar `tf.shape(x)[i]` of a None dim: a size known only when the model runs (Keras' None). */
export function isRuntimeSize(v: Value): boolean {
  return v.k === 'tensor' && st.dynamic.has(v.t);
}

/** `tf.shape(x)[i]`: the size (a number when known, a run-time size for None); slices give a tuple of those. */
export function shapeTensorItem(t: SymbolicTensor, key: Value, rt: KerasRuntime): Value | undefined {
  const dims = st.shapeOf.get(t);
  if (!dims) return undefined;
  const dim = (d: Dim): Value => {
    if (typeof d === 'number') return num(d, true);
    if (d === null) {
      const s = rt.builder.looseTensor([]);
      st.dynamic.add(s);
      return { k: 'tensor', t: s };
    }
    return unknown('size');
  };
  if (key.k === 'num' && Number.isInteger(key.v)) {
    const i = key.v < 0 ? key.v + dims.length : key.v;
    return i >= 0 && i < dims.length ? dim(dims[i]) : unknown();
  }
  return undefined;
}

/** `x[key]` on a tensor, with the key items already evaluated (a slice as `{start, stop, step}` values). */
export type KeyPart = Value | { slice: [Value, Value, Value] } | 'ellipsis';

export function tensorIndex(t: SymbolicTensor, parts: KeyPart[], single: boolean, range: SourceRange, rt: KerasRuntime): Value {
  if (single && parts.length === 1 && parts[0] !== 'ellipsis' && !('slice' in (parts[0] as object))) {
    const item = shapeTensorItem(t, parts[0] as Value, rt);
    if (item) return item;
  }
  const int = (v: Value): ConfigValue => (v.k === 'num' && Number.isInteger(v.v) ? v.v : v.k === 'none' ? null : v.k === 'bool' ? Number(v.v) : UNKNOWN);
  const key: ConfigValue[] = parts.map((p): ConfigValue => {
    if (p === 'ellipsis') return '...';
    if ('slice' in p) return { start: int(p.slice[0]), stop: int(p.slice[1]), step: int(p.slice[2]) };
    const v = p as Value;
    if (v.k === 'none' || (v.k === 'api' && /(^|\.)newaxis$/.test(v.path))) return null;
    if (v.k === 'num' && Number.isInteger(v.v)) return v.v;
    if (v.k === 'tensor' && st.dynamic.has(v.t)) return UNKNOWN;
    return UNKNOWN;
  });
  return rt.operation('get_item', [t], range, { key: single ? key[0] : key }, undefined, false, 'tf.__operators__.getitem');
}

/** Python operators on tensors (`x + y`, `x @ w`, `-x`, `x > 0`): the `keras.ops` function Keras calls. */
export function operatorOp(op: string, l: Value, r: Value, range: SourceRange | undefined, rt: KerasRuntime): Value | undefined {
  const name = OPERATOR_OPS[op];
  if (!name || (l.k !== 'tensor' && r.k !== 'tensor')) return undefined;
  const ok = (v: Value) => v.k === 'tensor' || v.k === 'num' || v.k === 'bool';
  if (!ok(l) || !ok(r)) return undefined;
  if (name === 'matmul' && (l.k !== 'tensor' || r.k !== 'tensor')) return undefined;
  const operand = (v: Value): SymbolicTensor => (v.k === 'tensor' ? v.t : rt.builder.looseTensor([]));
  return rt.operation(name, [operand(l), operand(r)], range, {}, undefined, false, OPERATOR_TF_NAMES[op]);
}

/** Unary operators on a tensor: `-x` (negative), `~x` (logical_not), `+x` (itself). */
export function unaryOp(op: string, v: Value, range: SourceRange | undefined, rt: KerasRuntime): Value | undefined {
  if (v.k !== 'tensor') return undefined;
  if (op === '+') return v;
  return rt.operation(op === '-' ? 'negative' : 'logical_not', [v.t], range);
}

/** Methods of tensors: Keras 3's `x.reshape(shape)` / `x.squeeze(axis)`, TF's `x.get_shape()`, `x.numpy()`. */
export function tensorMethod(t: SymbolicTensor, name: string, args: CallArgs, range: SourceRange, rt: KerasRuntime): Value | undefined {
  if (name === 'get_shape') return t.shape ? rt.attr({ k: 'tensor', t }, 'shape') : unknown();
  if (name === 'reshape') {
    const shape = args.positional.length > 1 ? tuple(args.positional) : args.positional[0] ?? args.keywords.get('newshape');
    return shape ? rt.operation('reshape', [t], range, { newshape: argConfig(shape) }) : undefined;
  }
  if (name === 'squeeze') {
    const axis = args.positional[0] ?? args.keywords.get('axis');
    return rt.operation('squeeze', [t], range, axis ? { axis: argConfig(axis) } : {});
  }
  return undefined;
}

/** `x.shape.as_list()` (TF's TensorShape): the dims as a list. */
export function asList(v: Value): Value | undefined {
  return v.k === 'tuple' ? list([...v.items]) : undefined;
}

/** Ops the tables name that have no rule (a test keeps this empty). */
export function tableOpsWithoutRule(): string[] {
  return [...Object.values(KERAS_OPS), ...Object.values(TF_OPS), ...Object.values(BACKEND_OPS)].map((s) => s.op).filter((op) => !OP_NAMES.has(op));
}

