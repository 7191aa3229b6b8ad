// The layer-rule contract: a Keras class name plus pure functions from input shapes and config
// to output shape and parameter count. Rules report problems to the context; they never throw.

import type { Formula, FormulaShape } from '../formula';
import type { Cfg, LayerConfig, LayerSpec } from '../config';
import type { DiagnosticCode } from '../diagnostics';
import type { RuleOutputShape, RuleShape } from '../shape';

/** Weights a layer creates. `null` means the analysis cannot know (an unknown dim or setting). */
export interface ParamCount {
  trainable: number | null;
  nonTrainable: number | null;
  /** How the count was obtained, for hovers: `3·3·1·32 + 32 = 320`. */
  formula?: string;
}

export interface RuleContext {
  /** The layer's Keras name (`conv2d_1`), for messages. */
  readonly layerName: string;
  readonly className: string;
  /** Reports a problem with the layer's inputs or config (the layer's output becomes unknown if the rule returns null). */
  error(code: DiagnosticCode, message: string, fix?: { arg: string; value: string; title: string }): void;
  warning(code: DiagnosticCode, message: string): void;
  /** Records one step of shape arithmetic, shown in hovers: `⌊(28 − 3)/1⌋ + 1 = 26`. */
  explain(step: string): void;
  /**
   * A size that depends on data the layer is adapted to (a vocabulary learnt by `adapt`): returns
   * a stand-in that differs between the evaluator's runs, so the dims and counts computed from it
   * are unknown (`?`), with `why` as the reason.
   */
  dataDependent?(why: string): number | null;
  /** Runs another rule (the wrapped layer of Bidirectional / TimeDistributed) on the given inputs. */
  inner(spec: LayerSpec, inputs: RuleShape[]): { output: RuleOutputShape; params: ParamCount };
}

export interface LayerRule {
  /** The Keras class name this rule is registered under (`Conv2D`). */
  className: string;
  /** Other Keras names for the same class (`Convolution2D`, `MaxPool2D`). */
  aliases?: string[];
  /**
   * Expected input rank including the batch dim, checked before `outputShape` with Keras' wording
   * (`expected ndim=4, found ndim=3`). Omit to accept any rank.
   */
  inputRank?: number | { min: number; max?: number };
  /**
   * A tensor operation, not a layer (`x + y`, `keras.ops.add`): it connects the graph, shapes
   * tensors and owns no weights; a summary row with 0 params (Keras 3 `add (Add)`, tf.keras 2
   * `tf.__operators__.add (TFOpLambda)`), none in tfjs.
   */
  operation?: boolean;
  /**
   * An operation's canonical tf API name (`tf.math.multiply`): tf.keras 2 makes a TFOpLambda row of
   * that name for a tf op on a Keras tensor. Omitted: `tf.` + the op's name.
   */
  tfName?: string;
  /**
   * A recurrent layer: tfjs and tf.keras 2 read a list input `[sequence, h, c]` as the sequence and
   * its initial states (Keras 3 does not unpack it).
   */
  statesInInputList?: true;
  /** Default Keras name when code gives none (`resnet50`); else the snake_case class name. */
  defaultName?(cfg: Cfg): string;
  /** Class shown in summaries when it differs from the registered one (`Functional` for applications). */
  summaryClassName?: string;
  /** `multi` for merge layers, which take a list of tensors; `any` when the layer's own code decides (Lambda). */
  arity?: 'single' | 'multi' | 'any';
  /**
   * How many positional tensors the layer's `call` takes (`MultiHeadAttention(query, value, key)`:
   * 3). The front ends pass the tensors given as further positional arguments as extra inputs, in
   * order, so the rule sees `[query, value]` or `[query, value, key]`. Omitted: 1 (the others only
   * connect the graph). Use with `arity: 'any'`.
   */
  tensorArgs?: number;
  /**
   * Names of those positional tensors when given by keyword (`mha(query=x, value=y, key=z)`),
   * in `call`'s order.
   */
  tensorArgNames?: readonly string[];
  /**
   * `call` keyword arguments that change the output (`return_attention_scores`, `reverse`): the
   * front ends give their values to the rule as settings of that call.
   */
  callSettings?: readonly string[];
  /**
   * Output shape for known input shapes (one entry per input tensor; a single-input layer gets one).
   * Return null when it cannot be known; report why through `ctx`.
   */
  outputShape(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): RuleOutputShape;
  /**
   * The output shape when the input shape is unknown, for layers whose output does not depend on
   * it (`Lambda(output_shape=...)`, `Reshape` without -1). Omitted: unknown.
   */
  outputWithoutInput?(cfg: Cfg): RuleOutputShape;
  /** Parameters created when the layer is built on these inputs; omitted means none. */
  params?(inputs: RuleShape[], cfg: Cfg, ctx: RuleContext): ParamCount;
  /**
   * The Keras JSON export (`core/export.ts`): the settings the code gave (absent keys are Keras
   * defaults) as tf.keras 2's `get_config` spells them and tfjs-layers reads them, or `skip` with
   * why tfjs cannot build the layer as configured. Omitted: the settings as given.
   */
  exportConfig?(config: LayerConfig): { config: LayerConfig } | { skip: string };
  /**
   * Defaults Keras and tfjs-layers differ on that do not change shapes (initializers, recurrent
   * activation), as each library has them in Keras' spelling: the export writes the code's
   * library's value when the code gave none, so the JSON means the same to both loaders.
   */
  defaultsDiffer?: { keras: LayerConfig; tfjs: LayerConfig };
  /** The Python constructor's positional parameters, in order (Keras 3); set from signatures.ts by the registry. */
  pythonArgs?: readonly string[];
  /** `tf.layers.<factory>` names that make this class in tfjs; set from signatures.ts by the registry. */
  tfjsFactories?: readonly string[];
  /**
   * What one call costs on these fully known input and output shapes (core/cost.ts): MACs (one per
   * weight multiply, and the matmuls of attention and recurrent layers) and FLOPs as tf.profiler
   * counts the ops the layer runs. Omitted: unknown (null), with the reason that Shape Lens does
   * not count this class.
   */
  cost?(inputs: RuleShape[], outputs: RuleShape[], cfg: Cfg): CallCost;
  /**
   * How the output's positions see the input's along each spatial axis, for receptive fields
   * (core/cost.ts). Omitted: unknown.
   */
  spatial?(inputs: RuleShape[], outputs: RuleShape[], cfg: Cfg): SpatialMap;
  /**
   * Formulas of the output's dims and of the weight count (core/symbolic.ts), from the inputs'
   * formula shapes (constants for known sizes); `setting(key)` is a setting's formula (its number
   * as a constant, or the formula of a size the code left open), undefined when it has none.
   * Only dims the analysis left None or `?` are read from `output`, and `params` only when
   * `withParams` (the analysis does not know the count). Omitted: a layer whose output is its
   * input (`sameShape`) keeps its input's dims; any other has no formulas.
   */
  symbolic?(inputs: FormulaShape[], cfg: Cfg, setting: (key: string) => Formula | undefined, withParams: boolean): SymbolicResult | null;
}

/**
 * What `LayerRule.symbolic` gives: the output's formula shape(s), the weight count's, and the
 * call's MACs as `cost` counts them (worked out only when asked: hovers), where known.
 */
export interface SymbolicResult {
  output?: FormulaShape | FormulaShape[];
  params?: Formula | null;
  macs?: () => Formula | undefined;
}

/** The cost of one layer call; null counts are unknown. */
export interface CallCost {
  macs: number | null;
  flops: number | null;
}

/** A call that computes nothing tf.profiler counts (data movement, identity at inference). */
export const NO_COST: CallCost = { macs: 0, flops: 0 };

/**
 * How a layer maps positions along the spatial axes of its input (those between batch and
 * channels): `pointwise` keeps each position's receptive field (activations, BN, Dense on the
 * last axis), `merge` combines its inputs' (Add, Concatenate on channels), a `window` is a
 * conv or pooling window (effective kernel with dilation, stride, padding before the first
 * element), null when positions mix in a way receptive fields do not describe (Flatten,
 * recurrence, global pooling, upsampling).
 */
export type SpatialMap = 'pointwise' | 'merge' | { kernel: number[]; stride: number[]; padBefore: number[] } | null;

/** `spatial` of a layer that keeps positions. */
export const POINTWISE = (): SpatialMap => 'pointwise';

export const NO_PARAMS: ParamCount = { trainable: 0, nonTrainable: 0 };

/** Sum of trainable + non-trainable, or null if either is unknown. */
export function totalParams(p: ParamCount): number | null {
  return p.trainable === null || p.nonTrainable === null ? null : p.trainable + p.nonTrainable;
}
