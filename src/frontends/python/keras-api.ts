// The Keras Python API as the interpreter sees it: which dotted paths are Keras, positional
// parameter names of layer constructors, and what calling an API path does.

import { getRule, knownClassNames } from '../../core/layers/registry';
import { applicationClassNames } from '../../core/layers/applications';
import { DiagnosticCode, type SourceRange } from '../../core/diagnostics';
import type { KerasRuntime } from '../common/keras-runtime';
import { shapeFromValue } from '../common/keras-runtime';
import { configFrom, dimFormulas, layerSizes, list, NONE, num, roundedSize, sequenceItems, shapeValue, str, unknown, type CallArgs, type Value } from '../common/values';
import { UNKNOWN_DIM } from '../../core/shape';
import { NamespaceCopier } from './modules';
import { callOpApi, constantCall, isRuntimeSize, shapeCall } from './ops-api';

/** keras.applications constructors (built as real layer graphs). */
const APPLICATIONS = new Set(applicationClassNames);

/** Top-level modules whose attributes are Keras / TensorFlow API. */
const KERAS_ROOTS = new Set(['tensorflow', 'keras', 'tf_keras']);

export function isExternalRoot(moduleName: string): boolean {
  return KERAS_ROOTS.has(moduleName.split('.')[0]);
}

/**
 * Libraries Shape Lens never reads from disk, wherever they are installed (a project's root may be
 * `site-packages`): the standard library and the scientific stack. What model code uses of them
 * (`math.ceil`, `numpy.prod`) is modelled as API; the rest is unknown.
 */
const LIBRARY_ROOTS = new Set([
  '__future__', 'abc', 'argparse', 'ast', 'base64', 'bisect', 'builtins', 'collections', 'contextlib', 'copy', 'csv', 'dataclasses',
  'datetime', 'decimal', 'enum', 'fractions', 'functools', 'gc', 'glob', 'gzip', 'hashlib', 'heapq', 'importlib', 'inspect', 'io',
  'itertools', 'json', 'logging', 'math', 'multiprocessing', 'numbers', 'operator', 'os', 'pathlib', 'pickle', 'platform', 'pprint',
  'queue', 'random', 're', 'shutil', 'signal', 'statistics', 'string', 'struct', 'subprocess', 'sys', 'tarfile', 'tempfile',
  'textwrap', 'threading', 'time', 'timeit', 'traceback', 'types', 'typing', 'unittest', 'urllib', 'uuid', 'warnings', 'weakref', 'zipfile',
  'numpy', 'scipy', 'pandas', 'matplotlib', 'seaborn', 'sklearn', 'skimage', 'PIL', 'cv2', 'h5py', 'six', 'absl', 'tqdm', 'yaml',
  'requests', 'IPython', 'torch', 'torchvision', 'jax', 'flax', 'transformers', 'datasets', 'tensorflow_datasets', 'tensorflow_hub',
  'tensorflow_addons', 'tensorflow_probability', 'keras_tuner', 'keras_cv', 'keras_nlp', 'keras_hub', 'pydot', 'graphviz', 'wandb', 'mlflow',
]);

export function isLibraryModule(moduleName: string): boolean {
  return LIBRARY_ROOTS.has(moduleName.split('.')[0]);
}

/**
 * Keras modules the built-in API model stands for even when Keras' own source is analysed in place
 * (its layers, models, backend and ops are what Shape Lens knows as rules; reading their
 * implementation would be slower and know less). Other Keras modules (`applications.imagenet_utils`)
 * are then read from disk.
 */
const MODELLED_MODULES = new Set([
  'layers', 'models', 'backend', 'ops', 'activations', 'initializers', 'regularizers', 'constraints', 'optimizers', 'losses',
  'metrics', 'callbacks', 'random', 'saving', 'trainers', 'dtype_policies', 'mixed_precision', 'tree', 'engine', 'utils', 'api_export',
  'Input', 'Model', 'Sequential',
]);

export function isModelledKerasModule(moduleName: string): boolean {
  const tail = apiTail(moduleName);
  return tail !== moduleName && MODELLED_MODULES.has(tail.split('.')[0]);
}

const paths = new Map<string, Map<string, string>>();

/**
 * `base.name`, the same string each time (`layers.Conv2D` is looked up in the memos below on every
 * call: a string made anew would be hashed anew).
 */
export function apiPath(base: string, name: string): string {
  let byName = paths.get(base);
  if (!byName) {
    if (paths.size >= 50000) return `${base}.${name}`;
    paths.set(base, (byName = new Map()));
  }
  let path = byName.get(name);
  if (path === undefined) {
    path = `${base}.${name}`;
    if (byName.size < 50000) byName.set(name, path);
  }
  return path;
}

const names = new Map<string, { tail: string; last: string }>();

/** Strips the package prefix: `tensorflow.keras.layers.Conv2D` → `layers.Conv2D`. */
export function apiTail(path: string): string {
  return apiName(path).tail;
}

/** A path's tail (`apiTail`) and last part (`Conv2D`), memoised: asked on every API call. */
export function apiName(path: string): { tail: string; last: string } {
  let n = names.get(path);
  if (n === undefined) {
    const tail = stripPrefix(path);
    n = { tail, last: tail.slice(tail.lastIndexOf('.') + 1) };
    if (names.size < 50000) names.set(path, n);
  }
  return n;
}

function stripPrefix(path: string): string {
  for (const prefix of ['tensorflow.python.keras.', 'tensorflow.keras.', 'tf_keras.src.', 'tf_keras.', 'keras.src.', 'keras.', 'tensorflow.']) {
    if (path.startsWith(prefix)) return path.slice(prefix.length);
  }
  return path;
}

/** Merge helpers (`layers.concatenate([a, b])`) and the class each creates. */
const MERGE_FUNCTIONS: Record<string, string> = {
  concatenate: 'Concatenate', add: 'Add', subtract: 'Subtract', multiply: 'Multiply',
  average: 'Average', maximum: 'Maximum', minimum: 'Minimum', dot: 'Dot',
};

/** Prefix of API paths read off a value of unknown origin (`layers.add` when `layers` came from a caller). */
const UNKNOWN_ORIGIN = '?.';

/** Keras backend functions whose results the analysis knows (`image_data_format()` and `backend()` give Keras' defaults). */
const BACKEND_FUNCTIONS = new Set(['image_data_format', 'int_shape', 'backend']);

/**
 * What a name read off a value of unknown origin stands for. Library code gets its `layers`,
 * `backend`, `models` and `utils` modules from its callers (`get_submodules_from_kwargs(kwargs)`),
 * so these are taken as Keras': class names are Keras' classes, `image_data_format()` and
 * `int_shape()` Keras' backend functions, and merge helpers (`layers.add([a, b])`) apply only to
 * lists of tensors (`something.add(x)` is rarely Keras'). Any other name stays unknown.
 */
export function kerasNameOnUnknown(name: string): Value | undefined {
  if (/^[A-Z]/.test(name)) {
    if (name === 'Model' || name === 'Sequential' || name === 'Functional') return { k: 'api', path: `keras.models.${name}` };
    if (getRule(name) || name === 'Input' || name === 'InputLayer') return { k: 'api', path: `keras.layers.${name}` };
    return undefined;
  }
  if (BACKEND_FUNCTIONS.has(name)) return { k: 'api', path: `keras.backend.${name}` };
  if (Object.hasOwn(MERGE_FUNCTIONS, name)) return { k: 'api', path: `${UNKNOWN_ORIGIN}layers.${name}` };
  return undefined;
}

/** Binds positional and keyword arguments of a layer constructor to canonical config keys. */
export function layerConfig(className: string, args: CallArgs): ReturnType<typeof configFrom> {
  return configFrom(layerSettings(className, args));
}

/** A layer constructor's arguments by canonical config key (positional ones named by the rule's `pythonArgs`). */
function layerSettings(className: string, args: CallArgs): [string, Value][] {
  // Only the canonical name binds positionally, as before the table moved to the rules (an alias such
  // as `MaxPool2D(2)` still drops its positional arguments: a known gap, kept by this refactor).
  const rule = getRule(className);
  const names = rule?.className === className ? rule.pythonArgs ?? [] : [];
  const entries: [string, Value][] = [];
  args.positional.forEach((v, i) => {
    if (i < names.length) entries.push([names[i], v]);
  });
  for (const [k, v] of args.keywords) entries.push([k, v]);
  return entries;
}

/** A layer made from constructor arguments, with the settings they give as open sizes. */
function makeLayer(rt: KerasRuntime, className: string, args: CallArgs, range: SourceRange): Value {
  const entries = layerSettings(className, args);
  return rt.layer(className, configFrom(entries), range, layerSizes(entries));
}

function arg(args: CallArgs, index: number, name: string): Value | undefined {
  return args.keywords.get(name) ?? args.positional[index];
}

function nameArg(args: CallArgs, index = -1): string | null {
  const v = args.keywords.get('name') ?? (index >= 0 ? args.positional[index] : undefined);
  return v?.k === 'str' ? v.v : null;
}

/**
 * Calls a Keras API path with arguments. Returns undefined for paths that are not Keras model
 * building (the interpreter then returns Unknown).
 */
export function callKerasApi(path: string, args: CallArgs, range: SourceRange, rt: KerasRuntime): Value | undefined {
  const { tail, last } = apiName(path);

  // `keras.ops.reshape(x, ...)`, `tf.concat([a, b], -1)`, `K.mean(x)`: an operation on tensors (part of the graph, not a row).
  if (last === 'shape') {
    const shape = shapeCall(tail, path, args, rt);
    if (shape) return shape;
  }
  const op = callOpApi(path, tail, args, range, rt) ?? constantCall(tail, path, args, rt);
  if (op) return op;

  if (last === 'Sequential') {
    const layers = arg(args, 0, 'layers');
    const items = layers && (layers.k === 'list' || layers.k === 'tuple') ? layers.items : [];
    return rt.sequential(items, nameArg(args, 2), range);
  }
  if (last === 'Model' || last === 'Functional') {
    const inputs = arg(args, 0, 'inputs');
    const outputs = arg(args, 1, 'outputs');
    if (!inputs || !outputs) return undefined;
    return rt.functional(inputs, outputs, nameArg(args, 2), range);
  }
  if (last === 'Input' || last === 'InputLayer') {
    const batchShape = arg(args, -1, 'batch_shape') ?? args.keywords.get('batch_input_shape');
    const shapeV = arg(args, 0, 'shape') ?? args.keywords.get('input_shape');
    const batchSize = arg(args, 1, 'batch_size');
    let shape = batchShape ? shapeFromValue(batchShape) : undefined;
    if (shape === undefined && shapeV) {
      const s = shapeFromValue(shapeV);
      shape = s === null || s === undefined ? null : [batchSize?.k === 'num' ? batchSize.v : null, ...s];
    }
    if (shape === undefined) {
      rt.sink.warning(DiagnosticCode.inputShape, '`Input` needs `shape=` (or `batch_shape=`) for Shape Lens to know the model\'s shapes.', range);
      shape = null;
    }
    const dims = batchShape ? dimFormulas(batchShape) : dimFormulas(shapeV);
    const t = rt.input(shape, range, nameArg(args) ?? undefined, batchShape ?? shapeV, arg(args, 2, 'dtype'), dims && !batchShape ? [undefined, ...dims] : dims);
    if (last === 'InputLayer' && t.k === 'tensor' && t.t.source) return { k: 'layer', node: t.t.source.layer };
    return t;
  }
  const mergeClass = MERGE_FUNCTIONS[last];
  if (mergeClass && /(^|\.)layers\.[a-z]+$/.test(tail)) {
    const inputs = arg(args, 0, 'inputs');
    if (path.startsWith(UNKNOWN_ORIGIN) && !(inputs && rt.tensors(inputs))) return undefined;
    const rest: CallArgs = { positional: args.positional.slice(1), keywords: new Map([...args.keywords].filter(([k]) => k !== 'inputs')) };
    const layer = makeLayer(rt, mergeClass, rest, range);
    return inputs ? rt.call(layer, inputs, range) : unknown();
  }
  // A known class, or an unknown one under `layers.` (kept as a layer of unknown shape so the graph stays connected).
  // A class of another library that takes `input_shape=` (`hub.KerasLayer(url, input_shape=[])`) is
  // a Keras layer too: its shape and weights are unknown, but it builds the Sequential it starts.
  const declaresInput = /^[A-Z]/.test(last) && (args.keywords.has('input_shape') || args.keywords.has('batch_input_shape'));
  if (getRule(last) || /(^|\.)layers\.[A-Z]\w*$/.test(tail) || declaresInput) {
    // `ResNet50(input_tensor=x)`: Keras builds it on that tensor right away (its shape is the input shape).
    const inputTensor = args.keywords.get('input_tensor');
    let bound = args;
    if (inputTensor?.k === 'tensor' && inputTensor.t.shape && !args.keywords.has('input_shape')) {
      bound = { positional: args.positional, keywords: new Map(args.keywords).set('input_shape', shapeValue(inputTensor.t.shape.slice(1))) };
    }
    // An application is its real layer graph (a functional model), unless a setting is unknown or wrong.
    const app = APPLICATIONS.has(last) ? rt.application(last, layerConfig(last, bound), range, inputTensor?.k === 'tensor' ? inputTensor.t : undefined) : undefined;
    if (app) return app;
    const layer = makeLayer(rt, last, bound, range);
    if (inputTensor?.k === 'tensor') rt.call(layer, inputTensor, range);
    return layer;
  }
  // Keras' defaults (keras.json): code that branches on them takes the branch Keras would.
  if (last === 'image_data_format') return str('channels_last');
  if (last === 'backend' && /(^|\.)backend\.backend$/.test(tail)) return str('tensorflow');
  if (last === 'int_shape') {
    const t = args.positional[0];
    return t ? rt.attr(t, 'shape') ?? unknown() : unknown();
  }
  // `clear_session()` resets Keras' automatic names (both versions: `dense` and `input_1` / `input_layer` again).
  if (last === 'clear_session' && /(^|\.)backend\.clear_session$|^utils\.clear_session$/.test(tail)) {
    rt.builder.clearNames();
    return NONE;
  }
  if (last === 'clear_session' || last === 'set_image_data_format' || last === 'set_seed' || last === 'seed') return NONE;
  if (['zeros', 'ones', 'normal', 'uniform', 'random_normal', 'random_uniform', 'truncated_normal'].includes(last)) {
    const s = arg(args, 0, 'shape');
    // `tf.random.normal(shape=(tf.shape(x)[0], d))`: a run-time size of a None dim is None.
    const items = s && sequenceItems(s);
    const shape = items ? items.map((d) => (d.k === 'num' ? d.v : d.k === 'none' || isRuntimeSize(d) ? null : UNKNOWN_DIM)) : s ? shapeFromValue(s) : undefined;
    return shape ? { k: 'tensor', t: rt.builder.looseTensor(shape) } : unknown();
  }
  if (path === 'copy.deepcopy' || path === 'copy.copy') return copyValue(args.positional[0], path === 'copy.deepcopy');
  if (path === 'numpy.linspace') return linspace(arg(args, 0, 'start'), arg(args, 1, 'stop'), arg(args, 2, 'num') ?? num(50));
  if (path === 'math.ceil' || path === 'math.floor' || path === 'math.sqrt' || path === 'numpy.prod' || path === 'math.prod') {
    const x = args.positional[0];
    if (path.endsWith('prod')) {
      const items = x && (x.k === 'tuple' || x.k === 'list') ? x.items : null;
      if (!items || items.some((i) => i.k !== 'num')) return unknown();
      return num(items.reduce((p, i) => p * (i as { v: number }).v, 1));
    }
    if (x?.k !== 'num') return (x && path !== 'math.sqrt' && roundedSize(x, path === 'math.ceil' ? 'ceil' : 'floor')) || unknown();
    if (path === 'math.sqrt') return num(Math.sqrt(x.v), false);
    return num(path === 'math.ceil' ? Math.ceil(x.v) : Math.floor(x.v), true);
  }
  return undefined;
}

/** `np.linspace(start, stop, num)` of plain numbers (drop-path rates per block): a list of floats (the array's items). */
function linspace(start: Value | undefined, stop: Value | undefined, n: Value): Value {
  if (start?.k !== 'num' || stop?.k !== 'num' || n.k !== 'num' || !Number.isInteger(n.v) || n.v < 0 || n.v > 100000) return unknown();
  const step = n.v > 1 ? (stop.v - start.v) / (n.v - 1) : 0;
  return list(Array.from({ length: n.v }, (_, i) => num(i === n.v - 1 && n.v > 1 ? stop.v : start.v + i * step, false)));
}

/**
 * `copy.copy` / `copy.deepcopy` of the data model code copies (configs, block tables); a copy of a
 * layer, tensor or model is unknown (Keras objects are not copied that way in model code).
 */
function copyValue(v: Value | undefined, deep: boolean): Value {
  if (!v) return unknown();
  if (!deep) {
    if (v.k === 'list') return { k: 'list', items: [...v.items] };
    if (v.k === 'dict') return { k: 'dict', map: new Map(v.map), keys: new Map(v.keys) };
    return v.k === 'num' || v.k === 'str' || v.k === 'bool' || v.k === 'none' || v.k === 'tuple' ? v : unknown('copy');
  }
  const copier = new NamespaceCopier((b) => b);
  const out = copier.value(v);
  return copier.failed ? unknown('deepcopy of a Keras object') : out;
}

/** Names `from keras.layers import *` binds. */
export function starImportNames(path: string): string[] {
  const tail = apiTail(path);
  const apps = new Set(applicationClassNames);
  if (tail === 'layers' || tail.endsWith('.layers')) {
    return [...knownClassNames().filter((n) => !apps.has(n)), 'Input', 'InputLayer', ...Object.keys(MERGE_FUNCTIONS)];
  }
  if (tail === 'applications' || tail.startsWith('applications.')) return [...apps];
  if (tail === 'models') return ['Sequential', 'Model'];
  return [];
}
