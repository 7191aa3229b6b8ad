// The model graph: layer instances, the calls that connect symbolic tensors, and models built from them.

import type { LayerConfig } from './config';
import type { SourceRange } from './diagnostics';
import type { Formula } from './formula';
import type { ParamCount } from './layers/types';
import type { OutputShape, Shape } from './shape';

/** One layer object (`Conv2D(32, 3)`), possibly called several times (shared weights). */
export interface LayerNode {
  id: number;
  /** Keras name: the `name=` argument or an automatic one (`conv2d_1`). */
  name: string;
  /** Canonical Keras class name (`MaxPooling2D`), `Sequential` / `Functional` for nested models. */
  className: string;
  config: LayerConfig;
  /** Where the layer object was created. */
  range?: SourceRange;
  trainable: boolean;
  /** Input shapes and output of the first call, which builds the layer. */
  inputShapes?: (Shape | null)[];
  outputShape?: OutputShape;
  /** Set once built; null params mean unknown. */
  params?: ParamCount;
  /** Arithmetic steps from the first call, for hovers. */
  explain: string[];
  /** Why part of its output shape or weights is unknown (`?`): the setting or input Shape Lens could not follow. */
  unknownWhy?: string;
  /** Every call of this layer, in order. */
  calls: CallNode[];
  /** A model used as a layer. */
  nested?: ModelGraph;
  /** The InputLayer behind an `Input(...)` tensor or a Sequential's implicit input. */
  isInput?: boolean;
  /** A user-written layer class whose own code gives its output shape and weights (a tfjs `class X extends tf.layers.Layer`). */
  custom?: CustomLayerCode;
  /**
   * Settings the code gave as a size it leaves open (`Dense(latent_size)` in a builder whose
   * `latent_size` has no default): the setting's formula by config key. The config holds UNKNOWN there.
   */
  settingFormulas?: Record<string, Formula>;
}

/** What a user-written layer's code says, run by the front end that read it. */
export interface CustomLayerCode {
  /** The output shape for these input shapes (the first call also builds the layer); `why` when part of it is unknown. */
  output(inputs: (Shape | null)[]): { output: OutputShape; why?: string };
  /** Its weights once built. */
  params(): ParamCount;
}

/** One application of a layer to tensors. */
export interface CallNode {
  layer: LayerNode;
  inputs: SymbolicTensor[];
  /**
   * Tensors passed other than as the input (`LSTM(...)(x, initial_state=[h, c])`, a custom layer's
   * second positional tensor): they connect the graph (Keras lists their layers) but are not what
   * the rule's shape is computed from.
   */
  extraInputs?: SymbolicTensor[];
  outputs: SymbolicTensor[];
  range?: SourceRange;
}

/** A Keras symbolic tensor (`KerasTensor`): a shape and where it came from. */
export interface SymbolicTensor {
  id: number;
  /** Null when the analysis cannot know the shape at all; `?` dims where it cannot know a size. */
  shape: Shape | null;
  source?: CallNode;
  outputIndex: number;
  /** Derived from a layer that reported an error: later layers do not repeat its consequences. */
  tainted?: boolean;
  /** Why the shape, or some dim of it, is unknown (`?`). */
  unknownWhy?: string;
  /** Computed under an assumption Shape Lens could not check (a branch of an undecidable `if`): models built from it have unknown totals. */
  assumed?: string;
  /**
   * An input's dims that are formulas (core/symbolic.ts), one entry per dim: `Input(shape=(None, None, 3))`
   * has `H` and `W`; `Input(shape=(img_size, img_size, 3))` with `img_size` a builder parameter
   * without default has `img_size` twice. Set on model inputs only; the rest is worked out.
   */
  dimFormulas?: (Formula | undefined)[];
}

export type ModelKind = 'sequential' | 'functional' | 'subclassed';

/** A model as Keras' summary shows it. */
export interface ModelGraph {
  id: number;
  kind: ModelKind;
  /** Keras name (`name=`), else the variable or function that holds it. */
  name: string;
  /** Where `name` came from: a module-level variable may replace a builder-function name, not a Keras one. */
  nameFrom?: 'keras' | 'function' | 'variable';
  /** `Sequential`, `Functional`, or the subclass name. */
  className: string;
  range?: SourceRange;
  /** Enclosing builder function, or null at module level. */
  functionName: string | null;
  /** The rows of the summary, in Keras order. */
  layers: LayerNode[];
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  trainable: boolean;
  /** False for a Sequential that never learned its input shape. */
  built: boolean;
  /** Where a builder nothing in this file calls got its arguments (`train.py:12`), from a call in another file. */
  argumentsFrom?: string;
  /** The other calls found in the project (their arguments are not used; the hover lists them). */
  otherCallSites?: string[];
  /** Why the model may have layers Shape Lens did not see (added in a loop it could not run): totals are unknown. */
  incomplete?: string;
  /** A Sequential without an input shape, built by its first call (its input shape is not fixed in code). */
  builtByCall?: boolean;
  /** Weights a subclassed model or layer makes itself (`add_weight`), besides its sub-layers'; null counts are unknown. */
  ownWeights?: ParamCount;
}
