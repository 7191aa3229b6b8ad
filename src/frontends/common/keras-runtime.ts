// What Keras objects do when interpreted code uses them, independent of the source language:
// creating layers and models, calling them on tensors, their attributes and methods.

import { declaredInputShape, GraphBuilder, SequentialModel } from '../../core/builder';
import { defaultLayerName } from '../../core/naming';
import { getRule } from '../../core/layers/registry';
import { vocabularySize } from '../../core/layers/vocabulary';
import type { LayerConfig } from '../../core/config';
import { DiagnosticCode, type SourceRange } from '../../core/diagnostics';
import type { LayerNode, ModelGraph, SymbolicTensor } from '../../core/graph';
import { UNKNOWN_DIM, type Shape } from '../../core/shape';
import { summarize } from '../../core/summary';
import { buildApplication } from '../../core/applications/graph';
import { describeUnknown, dimFormulas, list, NONE, num, sequenceItems, shapeValue, str, toConfigValue, tuple, unknown, type LayerSizes, type Value } from './values';
import type { Formula } from '../../core/formula';

/** Values a layer call can never take as its input (Keras raises). */
const NOT_TENSORS: ReadonlySet<Value['k']> = new Set(['layer', 'model', 'module', 'api', 'class', 'func', 'builtin', 'bound', 'none']);

export class KerasRuntime {
  /** The function the interpreter is currently inside (for models' `function` field). */
  functionName: string | null = null;
  /** The layer a user-class instance stands for (a custom Keras layer added to a Sequential), from the front end. */
  objectLayer: ((v: Value) => LayerNode | undefined) | null = null;

  /** How deep the interpreter is inside a layer's `call` / a Lambda's function (TensorFlow functions are fine there). */
  layerCallDepth = 0;
  /** The first TensorFlow function applied to a KerasTensor in model code (Keras 3 rejects it; tf.keras 2 makes a TFOpLambda). */
  tfFunctionOnKerasTensor: { fn: string; range?: SourceRange } | undefined;
  /** How many places of the analysed file would fail when run (see `FileAnalysis.failures`). */
  failures = 0;
  /** Why the analysis uses its Keras version (`default` when nothing said which). */
  kerasFrom = 'default';

  constructor(readonly builder: GraphBuilder) {}

  get sink() {
    return this.builder.sink;
  }

  /** `sizes`: the settings the code gave as open sizes (see `layerSizes`). */
  layer(className: string, config: LayerConfig, range?: SourceRange, sizes?: LayerSizes): Value {
    const node = this.builder.createLayer(className, config, range);
    if (sizes?.settings) node.settingFormulas = sizes.settings;
    if (sizes?.inputDims) this.declaredDims.set(node, sizes.inputDims);
    return { k: 'layer', node };
  }

  /** The formulas of the input shape a layer declares with open sizes (a Sequential's first layer's `input_shape=(n, n, 3)`). */
  private readonly declaredDims = new WeakMap<LayerNode, (Formula | undefined)[]>();

  /** Gives the input a first layer made for itself the formulas of the shape it declared. */
  private declaredInput(node: LayerNode, input: SymbolicTensor | undefined): void {
    const dims = this.declaredDims.get(node);
    if (dims && input && input.source?.layer !== node && input.shape?.length === dims.length) input.dimFormulas ??= dims;
  }

  /**
   * `keras.applications.ResNet50(...)`: the application's real layer graph as a functional model
   * (`input_tensor=`: built on that tensor); undefined when it stays one layer (see `buildApplication`).
   */
  application(className: string, config: LayerConfig, range?: SourceRange, inputTensor?: SymbolicTensor): Value | undefined {
    const built = buildApplication(this.builder, className, config, range, inputTensor, this.functionName);
    return built ? { k: 'model', model: built.model } : undefined;
  }

  /**
   * `Input(shape=...)` / `tf.input({shape})`: batch shape has the batch dim first; `dtype` as the
   * code gave it; `dims` the formulas of its dims that are open sizes (`dimFormulas`, batch dim first).
   */
  input(batchShape: Shape | null, range?: SourceRange, name?: string, shapeValue?: Value, dtype?: Value, dims?: (Formula | undefined)[]): Value {
    const lost = shapeValue && firstUnknown(shapeValue);
    const fitting = dims && batchShape && dims.length === batchShape.length ? dims : undefined;
    const t = this.builder.createInput(batchShape, range, name, lost ? `${describeUnknown(lost)} (in the input shape) is not known to Shape Lens` : undefined, fitting);
    if (dtype && dtype.k !== 'none' && t.source) t.source.layer.config.dtype = toConfigValue(dtype);
    return { k: 'tensor', t };
  }

  /**
   * Runs `fn` speculatively (a builder function analysed with its defaults): if it builds no
   * model, its automatic layer names and diagnostics are undone, so a helper like
   * `conv_block(x, filters)` run alone leaves no trace.
   */
  speculative(fn: () => void): void {
    const names = this.builder.saveNames();
    const models = this.builder.models.length;
    const diags = this.sink.items.length;
    const snapshots = this.builder.snapshots.length;
    this.speculation.push({ startId: this.builder.peekId(), undo: [] });
    try {
      fn();
    } finally {
      // The function is not really called: what it did to layers and models made before it is undone.
      const run = this.speculation.pop()!;
      for (let i = run.undo.length - 1; i >= 0; i--) run.undo[i]();
    }
    if (this.builder.models.length === models) {
      this.builder.restoreNames(names);
      this.sink.truncate(diags);
      this.builder.snapshots.splice(snapshots);
    }
  }

  /** Open speculative runs: objects older than `startId` get their `trainable` flag back at the end. */
  private readonly speculation: { startId: number; undo: (() => void)[] }[] = [];

  private setTrainable(o: { id: number; trainable: boolean }, trainable: boolean): void {
    const run = this.speculation[this.speculation.length - 1];
    if (run && o.id < run.startId && o.trainable !== trainable) {
      const before = o.trainable;
      run.undo.push(() => {
        o.trainable = before;
      });
    }
    o.trainable = trainable;
  }

  /** Runs another module's top level: models and diagnostics it makes belong to that module's own report. */
  isolated(fn: () => void): void {
    const models = this.builder.models.length;
    const diags = this.sink.items.length;
    try {
      fn();
    } finally {
      for (const m of this.builder.models.slice(models)) this.builder.forgetModel(m);
      this.sink.truncate(diags);
    }
  }

  /** `Sequential([...])` with optional initial layers. */
  sequential(items: Value[], name: string | null, range?: SourceRange): Value {
    const seq = this.builder.sequential(this.modelName(name), range, this.functionName);
    seq.graph.nameFrom = name ? 'keras' : this.functionName ? 'function' : undefined;
    const v: Value = { k: 'model', model: seq.graph, seq };
    for (const item of items) this.add(v, item, range);
    return v;
  }

  /**
   * A model's name: its Keras `name=`, else the builder function it is made in; '' lets the
   * interpreter name it after the first variable it is assigned to (Keras defaults come last).
   */
  private modelName(name: string | null): string {
    return name ?? this.functionName ?? '';
  }

  /** `model.add(x)` for a layer, a nested model, or an `Input` tensor. */
  add(model: Value, item: Value, range?: SourceRange): void {
    if (model.k !== 'model' || !model.seq) return;
    if (item.k === 'layer') {
      if (item.node.className === 'InputLayer' && item.node.calls[0]) model.seq.addInput(item.node.calls[0].outputs[0], range);
      else {
        const built = model.model.inputs.length > 0;
        model.seq.add(item.node, range);
        if (!built) this.declaredInput(item.node, model.model.inputs[0]);
      }
    } else if (item.k === 'model') model.seq.add(this.builder.modelAsLayer(item.model), range);
    else if (item.k === 'tensor') model.seq.addInput(item.t, range);
    else if (this.objectLayer?.(item)) model.seq.add(this.objectLayer(item)!, range);
    else {
      // A class, module, function or None added: Keras raises (often a line half-typed).
      if (NOT_TENSORS.has(item.k)) this.failure(range);
      // Something the analysis cannot follow: an opaque layer keeps later shapes honest (unknown).
      const label = item.k === 'unknown' && item.why?.startsWith('call:') ? item.why.slice(5) : 'Unknown';
      const where = (item.k === 'unknown' && item.range) || range;
      model.seq.add(this.opaqueLayer(label, where), where);
    }
  }

  /** A model some code Shape Lens could not run may have changed (layers added in an unknown loop): its total is unknown. */
  incomplete(model: Value & { k: 'model' }, why: string): void {
    model.model.incomplete ??= why;
    (model.seq ?? SequentialModel.of(model.model))?.lose(why);
  }

  /** `Model(inputs, outputs)` / `tf.model({inputs, outputs})`. */
  functional(inputs: Value, outputs: Value, name: string | null, range?: SourceRange): Value {
    const ins = this.tensors(inputs);
    const outs = this.tensors(outputs);
    // A layer, class, module or None as an input or output: Keras raises (often a line half-typed).
    if ((!ins && this.holdsNonTensor(inputs)) || (!outs && this.holdsNonTensor(outputs))) this.failure(range);
    // Outputs it could only partly follow: the layers behind the known ones are still rows.
    const someOuts = outs ?? this.someTensors(outputs);
    const graph = this.builder.functional(ins ?? [], someOuts, this.modelName(name), range, this.functionName);
    graph.nameFrom = name ? 'keras' : this.functionName ? 'function' : undefined;
    if (!ins || !outs) {
      const what = !ins ? 'inputs' : 'outputs';
      this.sink.warning(DiagnosticCode.unknownModelIo, `Some ${what} of this model are not tensors Shape Lens could follow: layers behind them are missing, so its total is unknown (?).`, range);
      graph.incomplete = `some of its ${what} are not tensors Shape Lens could follow`;
    }
    return { k: 'model', model: graph };
  }

  /**
   * Calls a layer or model value on a tensor (or a list of tensors for merge layers). The first
   * `positional` values of `extra` are further positional arguments: a rule with `tensorArgs`
   * (`MultiHeadAttention(query, value, key)`) gets those that are tensors as inputs, in order.
   */
  call(callee: Value, input: Value, range?: SourceRange, extra: Value[] = [], positional = 0, settings?: LayerConfig): Value {
    const node = callee.k === 'layer' ? callee.node : callee.k === 'model' ? this.builder.modelAsLayer(callee.model) : null;
    if (!node) return unknown();
    let ins = this.tensors(input);
    const takes = callee.k === 'layer' ? getRule(node.className)?.tensorArgs ?? 1 : 1;
    if (ins && ins.length === 1 && takes > 1 && positional > 0) {
      const n = Math.min(positional, takes - 1);
      const args = extra.slice(0, n);
      if (args.every((v) => v.k === 'tensor')) {
        ins = [...ins, ...args.map((v) => (v as Value & { k: 'tensor' }).t)];
        extra = extra.slice(n);
      }
    }
    // Tensors given besides the input (`initial_state=`, a second positional tensor) keep their layers in the graph.
    const more = extra.flatMap((v) => this.someTensors(v));
    if (!ins) {
      // A layer called on a layer, a class, a module, a function or None: Keras raises (often a line half-typed).
      if (NOT_TENSORS.has(input.k)) this.failure(range);
      // Keep the layer built for its params if we at least know it is called; shape unknown.
      const outs = this.builder.call(node, [this.builder.looseTensor(null)], range, more, settings);
      return outs.length === 1 ? { k: 'tensor', t: outs[0] } : list(outs.map((t) => ({ k: 'tensor', t })));
    }
    const outs = this.builder.call(node, ins, range, more, settings);
    if (outs.length === 1) return { k: 'tensor', t: outs[0] };
    return list(outs.map((t) => ({ k: 'tensor', t })));
  }

  /**
   * A layer or model called with positional and keyword arguments: tensors the rule names
   * (`mha(query=x, value=y)`, `LayerRule.tensorArgNames`) join the positional ones in `call`'s
   * order, and the rule's `callSettings` (`return_attention_scores=True`) reach it as settings.
   */
  callWith(callee: Value, positional: Value[], keywords: ReadonlyMap<string, Value>, range?: SourceRange): Value {
    const rule = callee.k === 'layer' ? getRule(callee.node.className) : undefined;
    // Most layers' `call` names its tensor `inputs` (`Dense(3)(inputs=x)`).
    const names = rule?.tensorArgNames ?? ['inputs'];
    const pos = [...positional];
    const kw = new Map(keywords);
    for (let i = pos.length; i < names.length && kw.has(names[i]); i++) {
      pos.push(kw.get(names[i])!);
      kw.delete(names[i]);
    }
    let settings: LayerConfig | undefined;
    for (const key of rule?.callSettings ?? []) {
      const v = kw.get(key);
      if (v === undefined) continue;
      (settings ??= {})[key] = toConfigValue(v);
      kw.delete(key);
    }
    return pos[0] ? this.call(callee, pos[0], range, [...pos.slice(1), ...kw.values()], pos.length - 1, settings) : unknown();
  }

  /**
   * A tensor operation (`x + y`, `keras.ops.multiply(a, b)`): a row of the functional model's
   * summary with no weights (Keras 3 `add (Add)`, tf.keras 2 `tf.__operators__.add (TFOpLambda)`).
   * `inputs` are the tensor operands (a number operand adds none); `tfName` is the tf function
   * as written, when it is not the rule's (`x + y` is `tf.__operators__.add`, `tf.add` `tf.math.add`).
   */
  operation(op: string, inputs: SymbolicTensor[], range?: SourceRange, config: LayerConfig = {}, nameBase?: string, several = false, tfName?: string): Value {
    // `nameBase`: ops Keras does not name with its layer counters (`tf.reshape`) count on their own
    // (in Keras 2 every operation does: the builder names it after its tf function).
    // An op on concrete tensors only (`ops.ones((3, 3)) * 2`, `tf.shape(x)[0] + 1`) runs eagerly in
    // Keras: no Operation, no name taken.
    const eager = !inputs.some((t) => this.symbolic(t));
    // Inside a layer's call Keras traces in a graph of its own: its operations take no names either.
    const name = eager || this.layerCallDepth > 0 ? `ops.${op}` : nameBase && !this.builder.keras2 ? this.builder.uniqueName(nameBase) : undefined;
    const node = this.builder.createLayer(`ops.${op}`, name ? { ...config, name } : config, range, tfName ?? nameBase);
    const called = this.builder.call(node, inputs, range);
    // An eager result is a constant to the graph, not an Operation's output (no summary row).
    const outs = eager ? called.map((t) => this.builder.looseTensor(t.shape)) : called;
    // An op that returns several tensors (`split`, `top_k`) whose count is unknown is unknown.
    if (several) return outs.length === 1 && !outs[0].shape ? unknown() : tuple(outs.map((t) => ({ k: 'tensor', t })));
    return outs.length === 1 ? { k: 'tensor', t: outs[0] } : unknown();
  }

  /** A tensor that derives from a model input (a KerasTensor), not only from constants. */
  /**
   * A TensorFlow function (`tf.reshape`) applied to `inputs`: in Keras 3 model code (not inside a
   * layer's call) on a KerasTensor it raises — an error when the file is known to be Keras 3, and
   * remembered so an analysis that merely defaulted to Keras 3 can be redone as tf.keras 2.
   */
  tfFunction(fn: string, inputs: SymbolicTensor[], range: SourceRange | undefined): void {
    if (this.builder.keras2 || this.layerCallDepth > 0 || !inputs.some((t) => this.fromModelInput(t))) return;
    this.tfFunctionOnKerasTensor ??= { fn, range };
    if (this.kerasFrom !== 'default') {
      this.sink.error(DiagnosticCode.tfFunctionOnKerasTensor, `A KerasTensor cannot be used as input to a TensorFlow function (${fn}) in Keras 3 (${this.kerasFrom}): use keras.ops or a layer instead.`, range);
    }
  }

  /**
   * A tfjs op on `inputs` (`tf.reshape(x, ...)`, or the method `x.reshape(...)`): on a SymbolicTensor
   * of model code tfjs throws, so it is an error; the shape is still followed.
   */
  tfjsOp(fn: string, inputs: SymbolicTensor[], range: SourceRange | undefined, method: boolean): void {
    if (this.layerCallDepth > 0 || !inputs.some((t) => this.fromModelInput(t))) return;
    const message = method
      ? `\`${fn.replace(/^tf\./, '')}\` is not a method of a tfjs SymbolicTensor (model building): tfjs throws "x.${fn.replace(/^tf\./, '')} is not a function". Use a layer or a custom layer.`
      : `Argument passed to '${fn.replace(/^tf\./, '')}' must be a Tensor or TensorLike, but got 'SymbolicTensor': tfjs ops do not apply to a model's SymbolicTensors. Use a layer or a custom layer.`;
    this.sink.error(DiagnosticCode.tfjsOpOnSymbolicTensor, message, range);
  }

  /** A tensor computed from a model Input (a KerasTensor / SymbolicTensor for certain), not from data. */
  private fromModelInput(t: SymbolicTensor): boolean {
    // A tensor's graph never changes once made: remember the answer (every tf function asks).
    const known = this.fromInput.get(t);
    if (known !== undefined) return known;
    // Each tensor once: graphs with residual branches (Xception) have exponentially many paths.
    const seen = new Set<SymbolicTensor>();
    const stack = [t];
    let found = false;
    while (stack.length > 0 && !found) {
      const u = stack.pop()!;
      const call = u.source;
      if (!call) continue;
      if (call.layer.isInput || this.fromInput.get(u) === true) found = true;
      else {
        for (const i of call.extraInputs ? [...call.inputs, ...call.extraInputs] : call.inputs) {
          if (!seen.has(i) && this.fromInput.get(i) !== false) {
            seen.add(i);
            stack.push(i);
          }
        }
      }
    }
    this.fromInput.set(t, found);
    return found;
  }

  private readonly fromInput = new WeakMap<SymbolicTensor, boolean>();

  private symbolic(t: SymbolicTensor): boolean {
    // Through operations only, each tensor once (`x = x * 0.5 + x` repeated must not go exponential).
    const seen = new Set<SymbolicTensor>();
    const stack = [t];
    while (stack.length > 0) {
      const call = stack.pop()!.source;
      if (!call) continue;
      if (!getRule(call.layer.className)?.operation) return true;
      for (const i of call.inputs) {
        if (!seen.has(i)) {
          seen.add(i);
          stack.push(i);
        }
      }
    }
    return false;
  }

  /**
   * Something the analysis cannot follow (a custom function, `tf.reshape`) applied to tensors: a
   * layer of unknown class `label` keeps the graph connected, with unknown output shape.
   */
  opaque(label: string, inputs: SymbolicTensor[], range?: SourceRange): Value {
    const node = this.opaqueLayer(label, range);
    const outs = this.builder.call(node, inputs, range);
    return outs.length === 1 ? { k: 'tensor', t: outs[0] } : list(outs.map((t) => ({ k: 'tensor', t })));
  }

  /**
   * A layer for code the analysis cannot follow. `FancyAttention` gives class `FancyAttention`,
   * name `fancy_attention`; a function like `tf.reshape` keeps its dotted name as Keras 2 did.
   */
  private opaqueLayer(label: string, range?: SourceRange): LayerNode {
    const last = label.split('.').pop() || label;
    const className = /^[A-Z]/.test(last) ? last : label;
    const name = this.builder.uniqueName(/^[A-Z]/.test(last) ? defaultLayerName(last) : label);
    return this.builder.createLayer(className, { name }, range);
  }

  /** Remembers where the analysed file's own code would fail when run. */
  failure(range: SourceRange | undefined): void {
    if (range && range.file === undefined) this.failures++;
  }

  /** Tensors in a value (one tensor, or a list/tuple/dict of them); null if any is not a tensor. */
  tensors(v: Value): SymbolicTensor[] | null {
    if (v.k === 'tensor') return [v.t];
    const items = sequenceItems(v) ?? (v.k === 'dict' ? [...v.map.values()] : null);
    if (!items) return null;
    const out: SymbolicTensor[] = [];
    for (const item of items) {
      const t = this.tensors(item);
      if (!t) return null;
      out.push(...t);
    }
    return out;
  }

  /** A value that is, or holds, one a model's inputs and outputs can never be. */
  private holdsNonTensor(v: Value, depth = 0): boolean {
    if (NOT_TENSORS.has(v.k)) return true;
    const items = depth < 8 ? sequenceItems(v) ?? (v.k === 'dict' ? [...v.map.values()] : null) : null;
    return !!items && items.some((x) => this.holdsNonTensor(x, depth + 1));
  }

  /** The tensors Shape Lens can follow in a value (skipping what it cannot). */
  private someTensors(v: Value, depth = 0): SymbolicTensor[] {
    if (v.k === 'tensor') return [v.t];
    const items = depth < 8 ? sequenceItems(v) ?? (v.k === 'dict' ? [...v.map.values()] : null) : null;
    return items ? items.flatMap((x) => this.someTensors(x, depth + 1)) : [];
  }

  /** Attributes of layers, models and tensors that model code reads. */
  attr(v: Value, name: string): Value | undefined {
    if (v.k === 'tensor') {
      if (name === 'shape') return v.t.shape ? shapeValue(v.t.shape) : unknown();
      if (name === 'ndim' || name === 'rank') return v.t.shape ? num(v.t.shape.length) : unknown();
      if (name === 'dtype') return str('float32');
      return undefined;
    }
    if (v.k === 'layer') return this.layerAttr(v.node, name);
    if (v.k === 'model') return this.modelAttr(v.model, name);
    return undefined;
  }

  private layerAttr(node: LayerNode, name: string): Value | undefined {
    if ((name === 'input' || name === 'output') && node.calls.length === 0) this.selfBuild(node);
    const firstOut = node.calls[0]?.outputs;
    switch (name) {
      case 'name':
        return str(node.name);
      case 'trainable':
        return { k: 'bool', v: node.trainable };
      case 'output':
        return firstOut?.length === 1 ? { k: 'tensor', t: firstOut[0] } : firstOut ? list(firstOut.map((t) => ({ k: 'tensor', t }))) : unknown();
      case 'input':
        return node.calls[0]?.inputs.length === 1 ? { k: 'tensor', t: node.calls[0].inputs[0] } : unknown();
      case 'output_shape':
      case 'outputShape':
        return firstOut?.length === 1 && firstOut[0].shape ? shapeValue(firstOut[0].shape) : unknown();
      case 'filters':
      case 'units':
      case 'kernel_size':
      case 'pool_size':
      case 'strides':
        return node.config[name] !== undefined ? configToValue(node.config[name]) : unknown();
      default:
        return undefined;
    }
  }

  private modelAttr(model: ModelGraph, name: string): Value | undefined {
    switch (name) {
      case 'name':
        return str(model.name);
      case 'layers':
        // Tensor operations (`x + 3.0`) connect the graph but are no Layers: Keras' `model.layers` leaves them out.
        return list(model.layers.filter((l) => (model.kind !== 'sequential' || !l.isInput) && (l.nested || !getRule(l.className)?.operation)).map((node) => (node.nested ? { k: 'model', model: node.nested } : { k: 'layer', node })));
      case 'inputs':
        return list(model.inputs.map((t) => ({ k: 'tensor', t })));
      case 'outputs':
        return list(model.outputs.map((t) => ({ k: 'tensor', t })));
      case 'input':
        return model.inputs.length === 1 ? { k: 'tensor', t: model.inputs[0] } : model.inputs.length ? list(model.inputs.map((t) => ({ k: 'tensor', t }))) : unknown();
      case 'output':
        return model.outputs.length === 1 ? { k: 'tensor', t: model.outputs[0] } : model.outputs.length ? list(model.outputs.map((t) => ({ k: 'tensor', t }))) : unknown();
      case 'output_shape':
      case 'outputShape':
        return model.outputs.length === 1 && model.outputs[0].shape ? shapeValue(model.outputs[0].shape) : unknown();
      case 'input_shape':
      case 'inputShape':
        return model.inputs.length === 1 && model.inputs[0].shape ? shapeValue(model.inputs[0].shape) : unknown();
      case 'trainable':
        return { k: 'bool', v: model.trainable };
      default:
        return undefined;
    }
  }

  /**
   * `base.input` / `base.output` of a layer never called but declaring its input shape (a
   * `keras.applications` model used as `Model(base.input, head(base.output))`): Keras builds it on
   * its own Input; so do we.
   */
  private selfBuild(node: LayerNode): void {
    const shape = declaredInputShape(node.config);
    if (shape === undefined) return;
    const input = this.builder.createInput(shape, node.range);
    this.declaredInput(node, input);
    this.builder.call(node, [input], node.range);
  }

  /** `layer.trainable = False`, `model.trainable = False`. Returns false if not handled. */
  setAttr(v: Value, name: string, value: Value): boolean {
    if (name !== 'trainable' || value.k !== 'bool') return false;
    if (v.k === 'layer') this.setTrainable(v.node, value.v);
    else if (v.k === 'model') this.setModelTrainable(v.model, value.v, 0);
    else return false;
    return true;
  }

  /** Keras and tfjs set `trainable` on every layer of the model, nested models included. */
  private setModelTrainable(model: ModelGraph, trainable: boolean, depth: number): void {
    if (depth > 16) return;
    this.setTrainable(model, trainable);
    this.setTrainable(this.builder.modelAsLayer(model), trainable);
    for (const layer of model.layers) {
      // tfjs only sets the weights its direct layers own: a nested model keeps its own flag.
      if (layer.nested) {
        if (this.builder.naming === 'keras') this.setModelTrainable(layer.nested, trainable, depth + 1);
      } else this.setTrainable(layer, trainable);
    }
  }

  /** Methods of models (and layers) that affect shapes or return figures. undefined: not a known method. */
  method(v: Value, name: string, args: Value[], range?: SourceRange): Value | undefined {
    if (v.k === 'model') {
      const seq = v.seq ?? SequentialModel.of(v.model);
      switch (name) {
        case 'add':
          if (args[0]) this.add({ ...v, seq }, args[0], range);
          return NONE;
        case 'pop':
          seq?.pop();
          return NONE;
        case 'build': {
          const shape = args[0] ? shapeFromValue(args[0]) : undefined;
          if (seq && shape !== undefined && !v.model.built) {
            seq.build(shape, range);
            // `model.build((None, size, size, 3))` with open sizes: its input has their formulas.
            const dims = dimFormulas(args[0]);
            const input = v.model.inputs[0];
            if (dims && input?.shape?.length === dims.length) input.dimFormulas ??= dims;
          }
          return NONE;
        }
        case 'count_params':
        case 'countParams': {
          const s = summarize(this.builder, v.model);
          return s.totalParams === null ? unknown() : num(s.totalParams);
        }
        case 'get_layer':
        case 'getLayer': {
          const key = args[0];
          const layers = v.model.layers;
          const found = key?.k === 'str' ? layers.find((l) => l.name === key.v) : key?.k === 'num' ? layers[key.v] : undefined;
          if (!found) return unknown();
          return found.nested ? { k: 'model', model: found.nested } : { k: 'layer', node: found };
        }
        case 'apply':
          return args[0] ? this.call(v, args[0], range, args.slice(1)) : unknown();
        case 'summary':
          this.builder.snapshot(v.model, range);
          return NONE;
        case 'compile':
        case 'fit':
        case 'evaluate':
        case 'save':
        case 'load_weights':
        case 'save_weights':
          return NONE;
        default:
          return undefined;
      }
    }
    if (v.k === 'layer') {
      if (name === 'count_params' || name === 'countParams') {
        const p = this.builder.layerParams(v.node);
        return p.trainable === null || p.nonTrainable === null ? unknown() : num(p.trainable + p.nonTrainable);
      }
      if (name === 'apply' && args[0]) return this.call(v, args[0], range, args.slice(1));
      // `layer.build(input_shape)` (a custom layer building its sub-layer): its weights exist from
      // then on, but it has no call yet (a summary row shows the shape of its first real call).
      if (name === 'build') {
        const node = v.node;
        const shape = args[0] ? shapeFromValue(args[0]) : undefined;
        if (shape !== undefined && node.calls.length === 0 && node.params === undefined && !node.isInput) {
          this.builder.call(node, [this.builder.looseTensor(shape)], range);
          node.calls.length = 0;
          node.inputShapes = undefined;
          node.outputShape = undefined;
        }
        return NONE;
      }
      // StringLookup / IntegerLookup / TextVectorization with a literal vocabulary.
      if (name === 'vocabulary_size') {
        const n = vocabularySize(v.node.className, v.node.config);
        return n === null ? unknown() : num(n);
      }
    }
    return undefined;
  }
}

/**
 * Uncalled top-level definitions in the order to analyse them: those no other one calls first (a
 * `build_gan` calling `build_generator` must not make the generator twice), then the rest.
 */
export function rootsFirst<T>(items: T[], name: (t: T) => string, calls: (t: T) => Set<string>): T[] {
  const names = new Set(items.map(name));
  const calledByOthers = new Set<string>();
  for (const t of items) for (const n of calls(t)) if (names.has(n) && n !== name(t)) calledByOthers.add(n);
  return [...items.filter((t) => !calledByOthers.has(name(t))), ...items.filter((t) => calledByOthers.has(name(t)))];
}

/** The first Unknown inside `v` (itself, or an item of a sequence or dict). */
export function firstUnknown(v: Value, depth = 0): (Value & { k: 'unknown' }) | undefined {
  if (v.k === 'unknown') return v;
  const items = sequenceItems(v) ?? (v.k === 'dict' ? [...v.map.values()] : null);
  if (depth >= 8 || !items) return undefined;
  for (const x of items) {
    const u = firstUnknown(x, depth + 1);
    if (u) return u;
  }
  return undefined;
}

/**
 * A Python/JS shape value (`(None, 28, 28, 1)` / `[null, 28, 28, 1]`) as a Shape; undefined if not
 * a sequence. None / null is Keras' None; anything else that is not a number is unknown (`?`).
 */
export function shapeFromValue(v: Value): Shape | null | undefined {
  const items = sequenceItems(v);
  if (!items) return v.k === 'num' ? [v.v] : v.k === 'unknown' ? null : undefined;
  return items.map((d) => (d.k === 'num' ? d.v : d.k === 'none' ? null : UNKNOWN_DIM));
}

function configToValue(c: unknown): Value {
  if (typeof c === 'number') return num(c);
  if (typeof c === 'string') return str(c);
  if (Array.isArray(c)) return tuple(c.map(configToValue));
  return unknown();
}
