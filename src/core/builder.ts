// Builds model graphs as the front ends interpret code: layers, calls, Sequential, functional and
// subclassed models. Shapes are inferred at each call (later code may read them); problems go to
// the diagnostic sink. Shared by every front end; knows nothing about syntax.

import { canonicalClassName, getRule } from './layers/registry';
import { evaluateLayer } from './layers/evaluate';
import type { ParamCount } from './layers/types';
import { Cfg, hasUnknownValue, UNKNOWN, type ConfigValue, type LayerConfig } from './config';
import { DiagnosticCode, DiagnosticSink, type SourceRange } from './diagnostics';
import type { CallNode, LayerNode, ModelGraph, ModelKind, SymbolicTensor } from './graph';
import { defaultLayerName, keras2OperationName } from './naming';
import { keras2Config, type KerasVersion } from './keras-version';
import { summarize, type ModelSummary } from './summary';
import { formatShape, hasUnknownDim, inputDimNames, isShapeList, UNKNOWN_DIM, type Dim, type OutputShape, type Shape } from './shape';
import type { Formula } from './formula';

/** Limits that keep pathological graphs (deep nesting, huge replays) bounded. */
const MAX_NESTING = 16;

/** The layers of `model` (its nested models' included) Shape Lens has no rule for, in order (one used twice: twice). */
export function unknownLayers(model: ModelGraph): LayerNode[] {
  const out: LayerNode[] = [];
  const visit = (m: ModelGraph, depth: number): void => {
    if (depth > MAX_NESTING) return;
    for (const layer of m.layers) {
      if (layer.nested) visit(layer.nested, depth + 1);
      else if (!layer.isInput && !layer.custom && !getRule(layer.className)) out.push(layer);
    }
  };
  visit(model, 0);
  return out;
}

/**
 * How unnamed layers are named. Keras: `conv2d`, `conv2d_1`, `input_layer`. tfjs-layers:
 * `conv2d_Conv2D1`, `conv2d_Conv2D2`, `input1` (per-class counters from 1).
 */
export type NamingScheme = 'keras' | 'tfjs';

/** A model's summary as of one `model.summary()` call. */
export interface SummarySnapshot {
  model: ModelGraph;
  /** The `summary()` call. */
  range?: SourceRange;
  summary: ModelSummary;
}

export class GraphBuilder {
  readonly sink: DiagnosticSink;
  /** Every model created, in creation order. */
  readonly models: ModelGraph[] = [];
  /** Each `model.summary()` call with the model's summary as it was then (later `add`s and `trainable` changes not yet made). */
  readonly snapshots: SummarySnapshot[] = [];
  private nextId = 1;
  private readonly nameCounts = new Map<string, number>();
  private readonly modelLayers = new Map<ModelGraph, LayerNode>();

  /**
   * `kerasVersion` (Python only): 2 names and builds as tf.keras 2 did (`input_1`, TFOpLambda
   * rows, Embedding built at once); 3 as Keras 3.
   */
  /**
   * Sizes the file's `shape-lens:` comments give (core/symbolic.ts). An input's None dims with
   * those names (`inputDimNames`) take them, as if the code had them; `usedAssumptions` records which did.
   */
  assumptions: ReadonlyMap<string, number> = new Map();
  readonly usedAssumptions = new Set<string>();

  constructor(sink = new DiagnosticSink(), readonly naming: NamingScheme = 'keras', readonly kerasVersion: KerasVersion = 3) {
    this.sink = sink;
  }

  /** tf.keras 2 naming and layer defaults (Python front end in Keras 2 mode). */
  get keras2(): boolean {
    return this.naming === 'keras' && this.kerasVersion === 2;
  }

  /** The automatic name of a new layer of `className` under this builder's naming scheme. */
  autoLayerName(className: string, kerasBase: string): string {
    if (this.naming === 'keras') return this.uniqueName(kerasBase);
    const n = this.counter(className) + 1;
    this.setCounter(className, n);
    return `${kerasBase}_${className}${n}`;
  }

  private autoInputName(): string {
    // tf.keras 2: `input_1`, `input_2`, ... on a counter of its own (`backend.get_uid("input")`).
    if (this.keras2) {
      const n = this.counter('\0input') + 1;
      this.setCounter('\0input', n);
      return `input_${n}`;
    }
    if (this.naming === 'keras') return this.uniqueName('input_layer');
    const n = this.counter('input') + 1;
    this.setCounter('input', n);
    return `input${n}`;
  }

  /** Keras' automatic naming: `conv2d`, `conv2d_1`, ... per process (here: per analysis). */
  uniqueName(base: string): string {
    const n = this.counter(base);
    this.setCounter(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  /** An automatic-name counter: how many names were made from `base` (every read of one goes through here). */
  protected counter(base: string): number {
    return this.nameCounts.get(base) ?? 0;
  }

  protected setCounter(base: string, n: number): void {
    this.nameCounts.set(base, n);
  }

  /** The id the next layer, tensor or model will get: everything made before has a smaller one. */
  peekId(): number {
    return this.nextId;
  }

  /** `model.summary()`: remembers what Keras would print at this point. */
  snapshot(model: ModelGraph, range?: SourceRange): void {
    if (this.snapshots.length < 1000) this.snapshots.push({ model, range, summary: summarize(this, model) });
  }

  /** The automatic-name counters, to roll back a speculative run (a helper analysed with defaults). */
  saveNames(): Map<string, number> {
    return new Map(this.nameCounts);
  }

  restoreNames(saved: Map<string, number>): void {
    this.nameCounts.clear();
    for (const [k, v] of saved) this.nameCounts.set(k, v);
  }

  /** `clear_session()`: every counter back to 0. */
  clearNames(): void {
    this.nameCounts.clear();
  }

  /** Whether a counter moved since `saveNames` gave `saved`. */
  namesMovedSince(saved: Map<string, number>): boolean {
    const now = this.saveNames();
    return now.size !== saved.size || [...now].some(([k, n]) => saved.get(k) !== n);
  }

  /**
   * A new layer object. Unknown classes are kept (shape unknown) with a warning. `tfName` is the
   * tf API name of an operation as written (`tf.__operators__.add` for `x + y`), Keras 2's row name.
   */
  createLayer(className: string, config: LayerConfig, range?: SourceRange, tfName?: string): LayerNode {
    const canonical = canonicalClassName(className);
    const rule = getRule(canonical);
    if (this.keras2) config = keras2Config(canonical, config);
    let name: string;
    if (typeof config.name === 'string') name = config.name;
    else if (this.keras2 && rule?.operation) name = this.uniqueName(tfName ?? keras2OperationName(canonical, rule.tfName));
    else name = this.autoLayerName(canonical, rule?.defaultName?.(new Cfg(config)) ?? defaultLayerName(canonical));
    return {
      id: this.nextId++,
      name,
      className: canonical,
      config,
      range,
      trainable: config.trainable !== false,
      explain: [],
      calls: [],
    };
  }

  /**
   * `Input(shape=...)`: an InputLayer and its tensor. `batchShape` includes the batch dim; `why`
   * says where an unknown size in it comes from; `dimFormulas` are the formulas of its `?` dims
   * the front end knows (a builder parameter without default: see `SymbolicTensor.dimFormulas`).
   */
  createInput(batchShape: Shape | null, range?: SourceRange, name?: string, why?: string, dimFormulas?: (Formula | undefined)[]): SymbolicTensor {
    const inputName = name ?? this.autoInputName();
    batchShape = this.assumedShape(this.validShape(batchShape, range), inputName);
    const layer: LayerNode = {
      id: this.nextId++,
      name: inputName,
      className: 'InputLayer',
      config: { batch_shape: batchShape ?? UNKNOWN },
      range,
      trainable: true,
      explain: [],
      calls: [],
      isInput: true,
      inputShapes: [],
      outputShape: batchShape,
      params: { trainable: 0, nonTrainable: 0 },
    };
    const call: CallNode = { layer, inputs: [], outputs: [], range };
    const t = this.tensor(batchShape, call, 0);
    if (dimFormulas?.some((f) => f !== undefined)) t.dimFormulas = dimFormulas;
    if (!batchShape || hasUnknownDim(batchShape)) {
      t.unknownWhy = why ?? 'the input shape is not a value Shape Lens could follow';
      layer.unknownWhy = t.unknownWhy;
    }
    call.outputs = [t];
    addCall(layer, call);
    return t;
  }

  /**
   * The shape with the None dims `assumptions` give a value replaced by it: `H_image` (this input,
   * named `image`, as the formulas of a model with several open inputs name it) or `H` (every input).
   */
  private assumedShape(shape: Shape | null, inputName: string): Shape | null {
    if (!shape || this.assumptions.size === 0) return shape;
    const names = inputDimNames(shape);
    return shape.map((d, i) => {
      const base = names[i];
      if (base === undefined) return d;
      const own = `${base}_${inputName}`;
      const name = this.assumptions.has(own) ? own : base;
      const v = this.assumptions.get(name);
      if (v === undefined) return d;
      this.usedAssumptions.add(name);
      return v;
    });
  }

  /** Keras rejects negative and non-integer dims ("Negative dimensions are not allowed"); they become None. */
  private validShape(shape: Shape | null, range?: SourceRange): Shape | null {
    if (!shape) return shape;
    return shape.map((d) => {
      if (typeof d !== 'number' || (Number.isSafeInteger(d) && d >= 0)) return d;
      this.sink.error(DiagnosticCode.invalidShape, d < 0 ? `Negative dimensions are not allowed in an input shape; received ${d}.` : `Input dimensions must be integers; received ${d}.`, range);
      return null;
    });
  }

  /** Marks a tensor as computed under an assumption (see `SymbolicTensor.assumed`); later tensors inherit it. */
  assume(t: SymbolicTensor, why: string): void {
    t.assumed ??= why;
  }

  /** A tensor of a known shape but no history (e.g. a subclassed model's `call` argument). */
  looseTensor(shape: Shape | null): SymbolicTensor {
    return this.tensor(shape, undefined, 0);
  }

  /**
   * Calls `layer` on `inputs` (several for merge layers), building it on the first call. Returns one
   * tensor per output (LSTM with return_state gives several).
   */
  call(layer: LayerNode, inputs: SymbolicTensor[], range?: SourceRange, extraInputs: SymbolicTensor[] = [], callSettings?: LayerConfig): SymbolicTensor[] {
    // tfjs and tf.keras 2 read `lstm.apply([x, h, c])` as the sequence and its initial states.
    if (inputs.length > 1 && (this.naming === 'tfjs' || this.keras2) && getRule(layer.className)?.statesInInputList) {
      extraInputs = [...inputs.slice(1), ...extraInputs];
      inputs = inputs.slice(0, 1);
    }
    const shapes = inputs.map((t) => t.shape);
    // Inputs derived from an earlier error: report nothing new (the first error is the cause).
    let tainted = inputs.some((t) => t.tainted);
    let output: OutputShape;
    let why: string | undefined;
    if (layer.nested) {
      output = this.callNested(layer, shapes, range);
      if (output === null || hasUnknownDim(isShapeList(output) ? output.flat() : output)) {
        const nested = layer.nested;
        why = nested.kind === 'subclassed' && nested.outputs.length === 0 ? `Shape Lens could not follow ${nested.className}.call (in ${layer.name}) to an output` : inputs.find((t) => t.unknownWhy)?.unknownWhy ?? `the output of ${layer.name} is not known to Shape Lens`;
        if (layer.calls.length === 0) layer.unknownWhy = why;
      }
    } else if (layer.custom) {
      const r = layer.custom.output(shapes);
      output = r.output;
      why = r.why;
      if (layer.calls.length === 0) {
        layer.params = finiteParams(layer.custom.params());
        if (why) layer.unknownWhy = why;
      }
    } else {
      const r = evaluateLayer(layer.className, callSettings ? { ...layer.config, ...callSettings } : layer.config, shapes, layer.name);
      output = r.output;
      if (!r.known) why = `Shape Lens has no rule for the layer class ${layer.className}`;
      else if (r.partlyUnknown || output === null || hasUnknownDim(isShapeList(output) ? output.flat() : output)) why = r.unknownWhy ?? unknownCause(layer, inputs);
      if (r.problems.some((p) => p.severity === 'error')) tainted = true;
      for (const p of inputs.some((t) => t.tainted) ? [] : r.problems) {
        this.sink.report({
          severity: p.severity,
          code: p.code,
          message: p.message,
          range: range ?? layer.range,
          fix: p.fix ? { kind: 'set-arg', ...p.fix } : undefined,
        });
      }
      // Unknown classes (custom layers) and Lambda take whatever their `call` takes.
      const arity = r.known ? getRule(layer.className)?.arity ?? 'single' : 'any';
      if (arity === 'single' && inputs.length > 1) {
        this.sink.error(DiagnosticCode.arity, `Layer "${layer.name}" (${layer.className}) expects 1 input, but it received ${inputs.length} input tensors.`, range);
      }
      if (layer.calls.length === 0) {
        layer.params = finiteParams(r.params);
        layer.explain = r.explain;
        if (why) layer.unknownWhy = why;
      } else if (layer.params && !this.sameParams(layer.params, r.params)) {
        this.sink.error(DiagnosticCode.sharedLayerMismatch, `Layer "${layer.name}" is reused on inputs of a different shape than when it was built, which would need different weights.`, range);
      }
    }
    // The results are kept as long as the document is open: arrays of exactly their length
    // (a rule's shape grown by push keeps room for 17 dims).
    output = isShapeList(output) ? output.map((s) => s.slice()) : output && output.slice();
    if (layer.calls.length === 0) {
      layer.inputShapes = shapes;
      layer.outputShape = output;
      if (layer.explain.length > 0) layer.explain = layer.explain.slice();
    }
    const call: CallNode = { layer, inputs, outputs: [], range };
    if (extraInputs.length > 0) call.extraInputs = extraInputs;
    const outs = isShapeList(output) ? output : [output as Shape | null];
    const inheritedWhy = why ?? inputs.find((t) => t.unknownWhy)?.unknownWhy;
    const assumed = [...inputs, ...extraInputs].find((t) => t.assumed)?.assumed;
    call.outputs = outs.map((s, i) => {
      const t = this.tensor(s, call, i);
      if (tainted) t.tainted = true;
      if (inheritedWhy && (!s || hasUnknownDim(s))) t.unknownWhy = inheritedWhy;
      if (assumed) t.assumed = assumed;
      return t;
    });
    addCall(layer, call);
    return call.outputs;
  }

  /** A new Sequential model; layers are added with `SequentialModel.add`. */
  sequential(name: string, range?: SourceRange, functionName: string | null = null): SequentialModel {
    const graph = this.newModel('sequential', 'Sequential', name, range, functionName);
    graph.built = false;
    return new SequentialModel(this, graph);
  }

  /** `Model(inputs, outputs)`: a functional model, with its layers in Keras summary order. */
  functional(inputs: SymbolicTensor[], outputs: SymbolicTensor[], name: string, range?: SourceRange, functionName: string | null = null, className = 'Functional'): ModelGraph {
    const graph = this.newModel('functional', className, name, range, functionName);
    graph.inputs = inputs;
    graph.outputs = outputs;
    graph.layers = functionalLayerOrder(inputs, outputs);
    const assumed = outputs.find((t) => t.assumed)?.assumed;
    if (assumed) graph.incomplete = assumed;
    for (const t of outputs) {
      if (!t.source) this.sink.warning(DiagnosticCode.disconnectedOutput, `An output of model "${name}" is not connected to its inputs through layers Shape Lens could follow.`, range);
    }
    return graph;
  }

  /** A subclassed model: layers in attribute order, graph from its `call`. */
  subclassed(className: string, name: string, layers: LayerNode[], inputs: SymbolicTensor[], outputs: SymbolicTensor[], range?: SourceRange, functionName: string | null = null): ModelGraph {
    const graph = this.newModel('subclassed', className, name, range, functionName);
    graph.layers = layers;
    graph.inputs = inputs;
    graph.outputs = outputs;
    graph.built = inputs.length > 0;
    return graph;
  }

  /** The layer object standing for `model` when it is used inside another model. */
  modelAsLayer(model: ModelGraph): LayerNode {
    let node = this.modelLayers.get(model);
    if (!node) {
      node = {
        id: this.nextId++,
        name: model.name,
        // tfjs prints a nested tf.model as class `Model`, Keras 3 as `Functional`.
        className: model.className === 'Sequential' ? 'Sequential' : model.kind === 'subclassed' ? model.className : this.naming === 'tfjs' ? 'Model' : 'Functional',
        config: {},
        range: model.range,
        trainable: model.trainable,
        explain: [],
        calls: [],
        nested: model,
      };
      this.modelLayers.set(model, node);
    }
    return node;
  }

  /**
   * One warning per layer Shape Lens has no rule for, once the models are known, and only for
   * layers in a model (a NumPy call on arrays in a data loop is nobody's layer). `unknownIn` gives
   * a model's (an incremental analysis remembers them for models it reuses).
   */
  reportUnknownLayers(unknownIn: (model: ModelGraph) => readonly LayerNode[] = unknownLayers): void {
    const seen = new Set<LayerNode>();
    for (const m of this.models) {
      for (const layer of unknownIn(m)) {
        if (seen.has(layer)) continue;
        seen.add(layer);
        const what = /^[A-Z]/.test(layer.className) && !layer.className.includes('.') ? `Unknown layer class "${layer.className}"` : `\`${layer.className}(...)\` is not a layer Shape Lens knows`;
        this.sink.warning(DiagnosticCode.unknownLayer, `${what}: its output shape and weights are unknown (?), and so are the shapes after it.`, layer.range);
      }
    }
  }

  /** Removes a model from the list of top-level models (it was only used nested). */
  forgetModel(model: ModelGraph): void {
    const i = this.models.indexOf(model);
    if (i >= 0) this.models.splice(i, 1);
  }

  /** Totals over the model's unique layers; nested models count their own totals. */
  modelParams(model: ModelGraph): ParamCount {
    // A subclass whose `call` could not be followed may create weights Shape Lens never saw.
    if (model.kind === 'subclassed' && model.outputs.length === 0 && model.built) return { trainable: null, nonTrainable: null };
    if (model.incomplete) return { trainable: null, nonTrainable: null };
    let trainable: number | null = model.ownWeights ? model.ownWeights.trainable : 0;
    let nonTrainable: number | null = model.ownWeights ? model.ownWeights.nonTrainable : 0;
    const seen = new Set<number>();
    for (const layer of model.layers) {
      if (seen.has(layer.id)) continue;
      seen.add(layer.id);
      const p = this.layerParams(layer);
      trainable = trainable === null || p.trainable === null ? null : trainable + p.trainable;
      nonTrainable = nonTrainable === null || p.nonTrainable === null ? null : nonTrainable + p.nonTrainable;
    }
    return model.trainable ? { trainable, nonTrainable } : { trainable: 0, nonTrainable: sumOrNull(trainable, nonTrainable) };
  }

  /**
   * A layer's params with its `trainable` flag applied (read at summary time, since code often sets
   * `layer.trainable = False` after building). Unbuilt layers own no weights yet (Keras: `0 (unbuilt)`).
   */
  layerParams(layer: LayerNode): ParamCount {
    const raw = layer.nested ? this.modelParams(layer.nested) : layer.params ?? { trainable: 0, nonTrainable: 0 };
    const trainable = layer.nested ? layer.nested.trainable && layer.trainable : layer.trainable;
    return trainable ? raw : { trainable: 0, nonTrainable: sumOrNull(raw.trainable, raw.nonTrainable), formula: raw.formula };
  }

  // ---------------------------------------------------------------------------------------------

  private newModel(kind: ModelKind, className: string, name: string, range: SourceRange | undefined, functionName: string | null): ModelGraph {
    const graph: ModelGraph = {
      id: this.nextId++,
      kind,
      name,
      className,
      range,
      functionName,
      layers: [],
      inputs: [],
      outputs: [],
      trainable: true,
      built: true,
    };
    this.models.push(graph);
    return graph;
  }

  private tensor(shape: Shape | null, source: CallNode | undefined, outputIndex: number): SymbolicTensor {
    return { id: this.nextId++, shape, source, outputIndex };
  }

  private sameParams(a: ParamCount, b: ParamCount): boolean {
    const ta = sumOrNull(a.trainable, a.nonTrainable);
    const tb = sumOrNull(b.trainable, b.nonTrainable);
    return ta === null || tb === null || ta === tb;
  }

  /** A model used as a layer: build it on these shapes if it was not built, then replay it. */
  private callNested(layer: LayerNode, shapes: (Shape | null)[], range?: SourceRange): OutputShape {
    const model = layer.nested as ModelGraph;
    if (model.kind === 'sequential' && !model.built) {
      const seq = SequentialModel.of(model);
      if (seq && shapes.length === 1 && shapes[0]) {
        seq.build(shapes[0], range);
        model.builtByCall = model.built;
      } else if (seq && model.layers.length > 0) {
        // Keras builds it on this call; Shape Lens cannot see the input, so not its weights either (never 0).
        model.incomplete ??= 'it is built by a call on an input Shape Lens could not follow';
      }
    }
    if (this.naming === 'keras' && model.kind === 'functional' && !this.fitsInputs(layer, model, shapes, range)) return null;
    return replayModel(model, shapes, 0);
  }

  /**
   * Keras checks a functional model's call against its Inputs' shapes (`Functional.input_spec`)
   * before any layer runs; a size that differs is a ValueError.
   */
  private fitsInputs(layer: LayerNode, model: ModelGraph, shapes: (Shape | null)[], range?: SourceRange): boolean {
    for (let i = 0; i < shapes.length && i < model.inputs.length; i++) {
      const want = model.inputs[i].shape;
      const got = shapes[i];
      if (!want || !got || want.length !== got.length) continue;
      if (got.some((d, k) => k > 0 && typeof d === 'number' && typeof want[k] === 'number' && d !== want[k])) {
        this.sink.error(DiagnosticCode.shapeMismatch, `Input ${i} of layer "${layer.name}" is incompatible with the layer: expected shape=${formatShape([null, ...want.slice(1)])}, found shape=${formatShape(got)}.`, range);
        return false;
      }
    }
    return true;
  }
}

/** A Sequential being assembled with `add`, building layers as soon as its input shape is known. */
export class SequentialModel {
  private static readonly byGraph = new WeakMap<ModelGraph, SequentialModel>();
  private last: SymbolicTensor | null = null;

  constructor(private readonly builder: GraphBuilder, readonly graph: ModelGraph) {
    SequentialModel.byGraph.set(graph, this);
  }

  static of(graph: ModelGraph): SequentialModel | undefined {
    return SequentialModel.byGraph.get(graph);
  }

  /** `model.add(Input(shape=...))` or `Sequential([Input(...), ...])`. */
  addInput(t: SymbolicTensor, range?: SourceRange): void {
    if (this.graph.layers.length > 0 || this.last) {
      this.builder.sink.warning(DiagnosticCode.inputNotFirst, 'An Input can only be the first element of a Sequential model; this one is ignored.', range);
      return;
    }
    this.start(t);
    // tfjs lists an explicitly added InputLayer as a row of the Sequential; Keras does not.
    if (this.builder.naming === 'tfjs' && t.source?.layer.isInput) this.graph.layers.push(t.source.layer);
  }

  /** `model.add(layer)`: builds the layer now if the model knows its input shape. */
  add(layer: LayerNode, range?: SourceRange): void {
    if (!this.last && this.graph.layers.length === 0) {
      // Keras 3 builds a Sequential whose first layer is a built functional model on that model's input shape.
      const nestedInput = this.builder.naming === 'keras' && layer.nested?.kind === 'functional' && layer.nested.inputs.length === 1 ? layer.nested.inputs[0].shape : undefined;
      const batchShape = nestedInput ?? declaredInputShape(layer.config);
      // tfjs and tf.keras 2 name the implicit input after the first layer (`dense_Dense1_input`,
      // `dense_input`), outside the `inputN` / `input_N` count.
      const name = this.builder.naming === 'tfjs' || this.builder.keras2 ? `${layer.name}_input` : undefined;
      if (batchShape !== undefined) {
        const unknownKey = ['input_shape', 'batch_input_shape', 'batch_shape', 'input_dim', 'batch_size'].find((k) => hasUnknownValue(layer.config[k]));
        const input = this.builder.createInput(batchShape, layer.range, name, unknownKey ? `\`${unknownKey}\` of ${layer.name} is not a value Shape Lens could follow` : undefined);
        this.start(input);
      }
    }
    this.graph.layers.push(layer);
    if (this.last) this.last = this.callOn(layer, this.last, layer.range ?? range);
  }

  /** `model.build((None, 28, 28, 1))`, or the first call on a tensor, for a model added without an input shape. */
  build(batchShape: Shape | null, range?: SourceRange): void {
    if (this.graph.built) return;
    const first = this.graph.layers[0];
    this.start(this.builder.createInput(batchShape, range, this.builder.keras2 && first ? `${first.name}_input` : undefined));
    for (const layer of this.graph.layers) {
      if (!this.last) break;
      this.last = this.callOn(layer, this.last, range);
    }
  }

  /** Code Shape Lens could not run may have added layers: what comes after starts from an unknown shape. */
  lose(why: string): void {
    if (!this.last) return;
    const t = this.builder.looseTensor(null);
    t.unknownWhy = why;
    this.last = t;
  }

  /** `model.pop()`. */
  pop(): void {
    this.graph.layers.pop();
    const prev = this.graph.layers[this.graph.layers.length - 1];
    if (prev && this.graph.inputs.length > 0) {
      const call = prev.calls.find((c) => c.outputs.length > 0);
      this.last = call?.outputs[0] ?? this.last;
      this.graph.outputs = this.last ? [this.last] : [];
    } else if (this.graph.inputs.length > 0) {
      this.last = this.graph.inputs[0];
      this.graph.outputs = [this.last];
    }
  }

  private start(input: SymbolicTensor): void {
    this.graph.inputs = [input];
    this.graph.outputs = [input];
    this.graph.built = true;
    this.last = input;
  }

  private callOn(layer: LayerNode, input: SymbolicTensor, range?: SourceRange): SymbolicTensor {
    const outs = this.builder.call(layer, [input], range ?? layer.range);
    if (outs.length !== 1) {
      this.builder.sink.error(DiagnosticCode.sequentialMultiOutput, `Layer "${layer.name}" returns ${outs.length} tensors; a Sequential model needs layers with a single output.`, range ?? layer.range);
    }
    this.graph.outputs = [outs[0]];
    return outs[0];
  }
}

/**
 * The batch input shape a first layer declares through `input_shape=`, `batch_input_shape=`,
 * `batch_shape=` or `input_dim=` (tfjs spellings are normalised by the front end). undefined if none.
 */
export function declaredInputShape(config: LayerConfig): Shape | null | undefined {
  const dim = (d: ConfigValue | undefined): Dim => (typeof d === 'number' ? d : d === null || d === undefined ? null : UNKNOWN_DIM);
  const dims = (v: ConfigValue): Shape | null => (Array.isArray(v) ? v.map(dim) : typeof v === 'number' ? [v] : null);
  const batchDim = dim(config.batch_size);
  if (config.batch_input_shape !== undefined) return dims(config.batch_input_shape);
  if (config.batch_shape !== undefined) return dims(config.batch_shape);
  if (config.input_shape !== undefined) {
    const d = dims(config.input_shape);
    return d ? [batchDim, ...d] : null;
  }
  if (config.input_dim !== undefined && !isEmbedding(config)) {
    return [batchDim, dim(config.input_dim)];
  }
  return undefined;
}

/** Embedding's `input_dim` is its vocabulary size, not an input shape. */
function isEmbedding(config: LayerConfig): boolean {
  return config.output_dim !== undefined;
}

/** Why a layer's output or weights are partly unknown: its settings, else its inputs. */
function unknownCause(layer: LayerNode, inputs: SymbolicTensor[]): string {
  const keys = Object.keys(layer.config).filter((k) => k !== 'name' && hasUnknownValue(layer.config[k]));
  if (keys.length > 0) return `${keys.map((k) => `\`${k}\``).join(', ')} of ${layer.name} ${keys.length === 1 ? 'is not a value' : 'are not values'} Shape Lens could follow`;
  const from = inputs.find((t) => t.unknownWhy);
  if (from) return from.unknownWhy!;
  const src = inputs.find((t) => t.source)?.source?.layer;
  return src ? `the output of ${src.name} is not known to Shape Lens` : 'its input shape is not known to Shape Lens';
}

/** Counts too large to be exact (from absurd sizes) are unknown, never Infinity. */
function finiteParams(p: ParamCount): ParamCount {
  const ok = (n: number | null) => (n !== null && Number.isSafeInteger(n) ? n : null);
  return { trainable: ok(p.trainable), nonTrainable: ok(p.nonTrainable), formula: p.formula };
}

function sumOrNull(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

/**
 * Keras' functional layer order (`map_graph`): depth-first from the outputs gives each layer a
 * traversal index and each call a depth; layers are listed by decreasing depth, ties by index.
 */
export function functionalLayerOrder(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): LayerNode[] {
  const inputIds = new Set(inputs.map((t) => t.id));
  const finished = new Set<CallNode>();
  const ordered: CallNode[] = [];
  const layerIndex = new Map<LayerNode, number>();
  let steps = 0;

  const visit = (tensor: SymbolicTensor): void => {
    const call = tensor.source;
    if (!call || finished.has(call) || ++steps > 100000) return;
    if (!layerIndex.has(call.layer)) layerIndex.set(call.layer, layerIndex.size);
    finished.add(call); // marked early: graphs from analysed code cannot be cyclic, but stay safe
    if (!inputIds.has(tensor.id)) for (const t of allInputs(call)) visit(t);
    ordered.push(call);
  };
  for (const t of outputs) visit(t);

  const callDepth = new Map<CallNode, number>();
  const layerDepth = new Map<LayerNode, number>();
  for (let i = ordered.length - 1; i >= 0; i--) {
    const call = ordered[i];
    let depth = callDepth.get(call) ?? 0;
    depth = Math.max(depth, layerDepth.get(call.layer) ?? 0);
    layerDepth.set(call.layer, depth);
    callDepth.set(call, depth);
    for (const t of allInputs(call)) {
      if (t.source && finished.has(t.source)) callDepth.set(t.source, Math.max(depth + 1, callDepth.get(t.source) ?? 0));
    }
  }
  for (const t of inputs) {
    const layer = t.source?.layer;
    if (layer && !layerDepth.has(layer)) {
      layerDepth.set(layer, 0);
      layerIndex.set(layer, -1);
    }
  }
  return [...layerDepth.keys()].sort((a, b) => (layerDepth.get(b)! - layerDepth.get(a)!) || (layerIndex.get(a)! - layerIndex.get(b)!));
}

function allInputs(call: CallNode): SymbolicTensor[] {
  return call.extraInputs ? [...call.inputs, ...call.extraInputs] : call.inputs;
}

/**
 * Output shapes of `model` applied to inputs of `shapes`, computed without recording calls: walks
 * the model's own calls in order, re-evaluating each layer rule on the new shapes.
 */
export function replayModel(model: ModelGraph, shapes: (Shape | null)[], depth: number): OutputShape {
  if (depth > MAX_NESTING || !model.built) return null;
  const known = new Map<number, Shape | null>();
  model.inputs.forEach((t, i) => known.set(t.id, shapes[i] ?? null));
  for (const call of callsInOrder(model)) {
    const ins = call.inputs.map((t) => (known.has(t.id) ? known.get(t.id)! : t.shape));
    let out: OutputShape;
    if (call.layer.nested) out = replayModel(call.layer.nested, ins, depth + 1);
    else if (call.layer.isInput) out = call.outputs[0]?.shape ?? null;
    else if (call.layer.custom) out = call.layer.custom.output(ins).output;
    else out = evaluateLayer(call.layer.className, call.layer.config, ins, call.layer.name).output;
    const outs = isShapeList(out) ? out : [out as Shape | null];
    call.outputs.forEach((t, i) => known.set(t.id, outs[i] ?? null));
  }
  const result = model.outputs.map((t) => (known.has(t.id) ? known.get(t.id)! : t.shape));
  if (result.length === 0) return null; // a `call` Shape Lens could not follow to an output
  if (result.length === 1) return result[0];
  return result.some((s) => s === null) ? null : (result as Shape[]);
}

/**
 * The calls that lead from the model's inputs to its outputs, each after the calls it reads
 * (iterative: deep graphs do not grow the stack). Used to replay a model on other shapes.
 */
export function callsInOrder(model: ModelGraph): CallNode[] {
  const calls: CallNode[] = [];
  const seen = new Set<CallNode>();
  const inputIds = new Set(model.inputs.map((t) => t.id));
  // Depth-first from the outputs: a tensor is pushed once to expand its call's inputs, then again
  // (marked in `expanded`, a parallel stack) to emit the call once they are done.
  const stack: SymbolicTensor[] = [];
  const expanded: boolean[] = [];
  for (let i = model.outputs.length - 1; i >= 0; i--) {
    stack.push(model.outputs[i]);
    expanded.push(false);
  }
  while (stack.length > 0 && seen.size < 100000) {
    const t = stack.pop()!;
    const done = expanded.pop()!;
    const src = t.source;
    if (inputIds.has(t.id) || !src) continue;
    if (done) {
      if (!seen.has(src)) {
        seen.add(src);
        calls.push(src);
      }
      continue;
    }
    if (seen.has(src)) continue;
    stack.push(t);
    expanded.push(true);
    const ins = src.inputs;
    const extra = src.extraInputs;
    if (extra) {
      for (let i = extra.length - 1; i >= 0; i--) {
        stack.push(extra[i]);
        expanded.push(false);
      }
    }
    for (let i = ins.length - 1; i >= 0; i--) {
      stack.push(ins[i]);
      expanded.push(false);
    }
  }
  return calls;
}

/** A layer's calls (most have one: an array of one, not one grown by push with room for 17). */
function addCall(layer: LayerNode, call: CallNode): void {
  if (layer.calls.length === 0) layer.calls = [call];
  else layer.calls.push(call);
}
