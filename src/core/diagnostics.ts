// Diagnostics as data: analysis reports problems into a sink and keeps going, never throws.

export type Severity = 'error' | 'warning' | 'info';

/**
 * Every diagnostic code, declared once. The string values are the stable identifiers seen in the
 * Problems panel and the CLI's JSON output; never rename one (users filter on them).
 */
export const DiagnosticCode = {
  // Layer rules: a layer's inputs or config (mostly Keras' own error wording).
  /** A layer class or tfjs factory the analysis has no rule for (also when wrapped); warning. */
  unknownLayer: 'unknown-layer',
  /** A constructor argument has the wrong type or value (`strides=0`, two `-1` in Reshape); error. */
  invalidConfig: 'invalid-config',
  /** A required constructor argument is missing (`Reshape()` without `target_shape`); error. */
  missingArgument: 'missing-argument',
  /** An argument Keras deprecates is passed (`Embedding(input_length=...)`); warning. */
  deprecatedArgument: 'deprecated-argument',
  /** An input's rank differs from the one the layer expects (`expected ndim=4, found ndim=3`); error. */
  rankMismatch: 'rank-mismatch',
  /** Reshape's `target_shape` does not hold the same number of elements as the input; error. */
  reshapeSize: 'reshape-size',
  /** A Lambda layer without `output_shape`, whose output cannot be known without running it; warning. */
  lambdaShape: 'lambda-shape',
  /** A size along some axis would be zero or negative (kernel larger than its input, too much pooling); error. */
  negativeDimension: 'negative-dimension',
  /** A dimension the layer's weights depend on is None (Dense's last dim, PReLU's axes); error. */
  unknownDimension: 'unknown-dimension',
  /** The channel dimension of a conv / application input is None; error. */
  undefinedChannels: 'undefined-channels',
  /** `groups` does not divide the filters or the input channels; error. */
  invalidGroups: 'invalid-groups',
  /** An `axis` / `shared_axes` outside the input's rank; error. */
  invalidAxis: 'invalid-axis',
  /** Merge-layer inputs (Add, Concatenate, Dot, ...) have incompatible shapes or count; error. */
  mergeMismatch: 'merge-mismatch',
  /** Shapes that should agree do not (inside an application model; Bidirectional's concat size); error or warning. */
  shapeMismatch: 'shape-mismatch',
  /** An application model's input is below the minimum size Keras documents for it; warning. */
  smallInput: 'small-input',
  /** The valid shape in Keras but not in tfjs-layers (conv1d `padding: 'causal'`); warning. */
  tfjsUnsupported: 'tfjs-unsupported',
  /** A TensorFlow function (`tf.reshape`) applied to a KerasTensor in model code, which Keras 3 rejects; error in Keras 3. */
  tfFunctionOnKerasTensor: 'tf-function-on-keras-tensor',
  /** A tfjs op (`tf.reshape`, `x.reshape`) applied to a SymbolicTensor while building a model, which tfjs rejects; error. */
  tfjsOpOnSymbolicTensor: 'tfjs-op-on-symbolic-tensor',

  // Model graphs: how layers are called and assembled.
  /** A single-input layer is called on several tensors; error. */
  arity: 'arity',
  /** A layer is reused on inputs of a different shape than it was built for; error. */
  sharedLayerMismatch: 'shared-layer-mismatch',
  /** An input shape has a negative or non-integer dimension; error. */
  invalidShape: 'invalid-shape',
  /** `Input` / `tf.input` without `shape` (or `batch_shape`); warning. */
  inputShape: 'input-shape',
  /** An `Input` that is not the first element of a Sequential model (ignored); warning. */
  inputNotFirst: 'input-not-first',
  /** A layer with several outputs inside a Sequential model; error. */
  sequentialMultiOutput: 'sequential-multi-output',
  /** A model output not connected to its inputs through layers the analysis followed; warning. */
  disconnectedOutput: 'disconnected-output',
  /** Some of a model's inputs or outputs are not tensors the analysis could follow; warning. */
  unknownModelIo: 'unknown-model-io',
  /** A model with no input shape, which Keras would not build either; info. */
  unbuiltModel: 'unbuilt-model',
  /** A subclassed model's `call` could not be followed to an output tensor; info. */
  subclassOutput: 'subclass-output',
  /** A subclassed model's input shape is unknown (no Input, build() or shape comment); info. */
  subclassInputShape: 'subclass-input-shape',
  /** A `shape-lens:` comment entry that is not NAME=VALUE with a non-negative integer; warning. */
  invalidAssumption: 'invalid-assumption',
  /** A `shape-lens:` comment assumes a size nothing in the file is named; info. */
  unusedAssumption: 'unused-assumption',

  // The interpreters: what they could not follow.
  /** A branch condition the analysis cannot evaluate; it assumes the branch runs; info. */
  unknownCondition: 'unknown-condition',
  /** A loop the analysis could not follow changes part of a model, which becomes unknown; info. */
  unknownLoop: 'unknown-loop',
  /** A loop or `range()` longer than the iteration budget; warning. */
  loopBudget: 'loop-budget',
  /** Analysis of the file stopped early (time / step budget or nesting depth); warning. */
  budget: 'budget',
  /** Call depth above the recursion limit; that call's result is unknown; warning. */
  recursion: 'recursion',

  // Files: reading and parsing.
  /** A syntax error (reported by the language's own extension): one entry on the broken line; information. */
  syntax: 'syntax',
  /** The Python parser is not initialised or failed on the file; error. */
  parser: 'parser',
  /** The CLI could not read a file; error. */
  readError: 'read-error',
  /** An .ipynb file that is not a notebook Shape Lens can read; error. */
  invalidNotebook: 'invalid-notebook',
  /** A notebook whose kernel language is not Python (skipped); info. */
  notebookLanguage: 'notebook-language',
  /** An unexpected exception inside Shape Lens (a bug), caught so analysis goes on; warning. */
  internal: 'internal',
} as const;

/** One of the stable diagnostic identifiers (`negative-dimension`, `unknown-layer`, ...). */
export type DiagnosticCode = (typeof DiagnosticCode)[keyof typeof DiagnosticCode];

/**
 * What each code means, in words for users: the text for an "explain this diagnostic" hover.
 * A Record so the compiler insists on an entry for every code.
 */
export const CODE_DOCS: Record<DiagnosticCode, string> = {
  'unknown-layer': 'Shape Lens has no rule for this layer class, so its output shape and weights are unknown (?), and so are the shapes after it.',
  'invalid-config': 'A constructor argument has a type or value Keras would reject when the layer is created or built.',
  'missing-argument': 'A required constructor argument is missing; Keras raises a TypeError when the layer is created.',
  'deprecated-argument': 'This argument is deprecated in Keras 3 and has no effect; remove it.',
  'rank-mismatch': 'An input has a different number of dimensions than the layer accepts; Keras raises when the layer is called.',
  'reshape-size': 'The target shape of Reshape does not hold the same number of elements as its input.',
  'lambda-shape': "The output shape of a Lambda layer cannot be known without running its function: pass output_shape=(...) (without the batch dimension) to declare it.",
  'negative-dimension': 'The output would have a zero or negative size along some axis: the input is too small for the kernel, strides or pooling applied to it.',
  'unknown-dimension': "A dimension the layer's weights depend on is None, so Keras cannot build the layer.",
  'undefined-channels': "The channel dimension of the input is None, so the layer's kernel cannot be created.",
  'invalid-groups': '`groups` must be a positive integer that divides both the number of filters and the number of input channels.',
  'invalid-axis': "An axis argument lies outside the input's dimensions.",
  'merge-mismatch': 'The inputs of this merge layer have shapes (or a count) it cannot combine.',
  'shape-mismatch': 'Two shapes that must agree here do not; the shape shown may differ from what Keras computes or runs.',
  'small-input': 'The input is smaller than the minimum size Keras documents for this application model; Keras rejects it when weights are loaded.',
  'tfjs-unsupported': 'Valid in Keras, but not implemented by tfjs-layers: the model would fail when it runs in TensorFlow.js.',
  'tfjs-op-on-symbolic-tensor': "tfjs ops take concrete tensors: on a model's SymbolicTensor `tf.reshape(x, ...)` throws \"must be a Tensor or TensorLike, but got 'SymbolicTensor'\" and `x.reshape` is not a function. Use a layer (tf.layers.reshape, tf.layers.add, ...) or a custom layer (class extends tf.layers.Layer).",
  'tf-function-on-keras-tensor': 'Keras 3 raises "A KerasTensor cannot be used as input to a TensorFlow function": use the keras.ops function, wrap the TensorFlow call in a layer, or analyse the file as tf.keras 2 (shapeLens.kerasVersion, # shape-lens: keras=2).',
  'arity': 'A layer that takes one tensor is called on several; Keras raises when the layer is called.',
  'shared-layer-mismatch': 'A layer is reused on inputs of a different shape than the one it was built on, which would need different weights.',
  'invalid-shape': 'An input shape has a negative or non-integer dimension.',
  'input-shape': 'The model input has no shape, so the shapes of the layers after it are unknown.',
  'input-not-first': 'An Input can only be the first element of a Sequential model; this one is ignored.',
  'sequential-multi-output': 'Every layer in a Sequential model must return a single tensor.',
  'disconnected-output': "A model output is not connected to the model's inputs through layers Shape Lens could follow.",
  'unknown-model-io': "Some of the model's inputs or outputs are values Shape Lens could not follow, so its layer list and totals are incomplete.",
  'unbuilt-model': 'The model has no input shape, so Keras would not build it either: give it an Input, an input_shape on its first layer, or call build().',
  'subclass-output': "Shape Lens could not follow the subclassed model's call() to an output tensor.",
  'subclass-input-shape': 'The input shape of this subclassed model is unknown: call it on an Input, call build(), or add a "# shape-lens: input_shape=(...)" comment.',
  'invalid-assumption': 'A "shape-lens:" comment entry must be NAME=VALUE with a whole number of 0 or more (`# shape-lens: H=224, latent_size=64`); this one is ignored.',
  'unused-assumption': 'A "shape-lens:" comment gives a value to a size nothing in the file is named: an input\'s open dims are H, W (T for sequences), a builder parameter or argparse value without default goes by its own name.',
  'unknown-condition': 'Shape Lens cannot tell whether this condition holds, so it assumes the branch runs.',
  'unknown-loop': 'Shape Lens could not follow this loop, and it changes part of a model: what it changes is unknown (?) afterwards.',
  'loop-budget': 'The loop runs more iterations than Shape Lens follows; what depends on it is unknown.',
  'budget': 'Analysis of this file stopped early (too long, too many steps, or nested too deeply); shapes after this point are unknown.',
  'recursion': 'The call nests deeper than Shape Lens follows; the result of this call is unknown.',
  'syntax': 'Information: the file has a syntax error here (the language\'s own extension reports it); Shape Lens reads the rest of the file as far as it can and keeps every other model.',
  'parser': 'The Python parser is not available or could not parse this file.',
  'read-error': 'The file could not be read.',
  'invalid-notebook': 'The file is not a Jupyter notebook Shape Lens can read.',
  'notebook-language': "The notebook's kernel language is not Python, so it is skipped.",
  'internal': 'Shape Lens hit an internal error (a bug; please report it) and skipped part of the analysis.',
};

/** A source range as character offsets into one file's text (converted to positions at the edge). */
export interface SourceRange {
  start: number;
  end: number;
  /** The file the offsets belong to, when not the file being analysed (imported helpers). */
  file?: string;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier, e.g. `negative-dimension`, `rank-mismatch`, `unknown-layer`. */
  code: DiagnosticCode;
  message: string;
  range?: SourceRange;
  /** Machine-readable hint for a quick fix, e.g. `{ kind: 'set-arg', arg: 'padding', value: "'same'" }`. */
  fix?: { kind: 'set-arg'; arg: string; value: string; title: string };
}

/** Collects diagnostics; bounded so a pathological file cannot flood the editor. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly limit = 500) {}

  report(d: Diagnostic): void {
    const key = this.keyOf(d);
    if (this.seen.has(key) || this.items.length >= this.limit) return;
    this.seen.add(key);
    this.items.push(d);
  }

  /** Drops what was reported after the first `length` items (a rolled-back speculative run); it may be reported again. */
  truncate(length: number): void {
    if (length >= this.items.length) return;
    this.items.splice(length);
    this.seen.clear();
    for (const d of this.items) this.seen.add(this.keyOf(d));
  }

  /**
   * One report per cause: an error per message and place; a warning or note per code and place (a
   * Lambda in a helper called 37 times is one cause, whatever each layer is named).
   */
  private keyOf(d: Diagnostic): string {
    const where = `${d.range?.file ?? ''}|${d.range?.start ?? ''}`;
    return d.severity === 'error' ? `${d.code}|${d.message}|${where}` : `${d.code}|${where}`;
  }
  error(code: DiagnosticCode, message: string, range?: SourceRange): void {
    this.report({ severity: 'error', code, message, range });
  }
  warning(code: DiagnosticCode, message: string, range?: SourceRange): void {
    this.report({ severity: 'warning', code, message, range });
  }
  info(code: DiagnosticCode, message: string, range?: SourceRange): void {
    this.report({ severity: 'info', code, message, range });
  }
}
