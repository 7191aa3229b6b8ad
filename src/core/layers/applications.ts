// keras.applications models (ResNet50, MobileNetV2, EfficientNetB0, ...): each architecture is
// replayed from the Keras 3 source (keras/src/applications/*.py), naming and emitting every layer
// Keras creates, so the front ends build the model's real layer graph (`core/applications/graph.ts`)
// and the replay's own sums and arithmetic give the rule used when that graph cannot be built (a
// setting Shape Lens cannot read, or a ValueError Keras would raise, which the rule reports).

import { Cfg, UNKNOWN, type ConfigValue, type LayerConfig } from '../config';
import { DiagnosticCode } from '../diagnostics';
import { formatCount, formatShape, type RuleDim, type RuleShape } from '../shape';
import { convOutputLength, explainConvLength, reportNegative } from './convutils';
import type { LayerRule, ParamCount, RuleContext } from './types';

// ---------------------------------------------------------------------------------------------
// A two-track tensor and the layers the applications use

/**
 * A feature map inside an application. `h`/`w` follow the tensor the model is called on;
 * `bh`/`bw` follow the model's own Input, which is what Keras sees while it builds the model
 * (`correct_pad` and NASNet's `_adjust_block` read those, and their choice is then frozen into
 * the layers). Channels are always known: the architecture fixes them. `ref` is the recorder's
 * handle of the tensor (see `LayerRecorder`).
 */
interface T {
  h: RuleDim;
  w: RuleDim;
  bh: RuleDim;
  bw: RuleDim;
  c: number;
  ref?: unknown;
}

type Pad = 'same' | 'valid';
type Pads = [[number, number], [number, number]];

interface ConvOpts {
  s?: number;
  pad?: Pad;
  bias?: boolean;
  groups?: number;
  act?: string;
}

/**
 * Receives every layer an application's Keras code creates, in call order, with the handles of its
 * input tensors, and returns the handle of its output: the graph builder turns the replay into the
 * model's real layer graph (`core/applications/graph.ts`).
 */
export interface LayerRecorder {
  layer(className: string, config: LayerConfig, inputs: unknown[]): unknown;
  /** A Sequential model `name` of these layers (class name, config), called on `input`. */
  sequential(name: string, layers: [string, LayerConfig][], input: unknown): unknown;
}

const positive = (n: number | null): RuleDim => (n === null || n <= 0 ? null : n);

/**
 * A label is the Keras layer name, optionally followed by the arithmetic shown in hovers
 * (`conv1_conv 7×7/2`); a label starting with `*` is a layer Keras names automatically.
 */
function layerName(label: string): { name?: string } {
  return label.startsWith('*') ? {} : { name: label.split(' ')[0] };
}

/**
 * Replays layer calls on two-track tensors, summing weights as each Keras layer's `build` creates
 * them, recording the spatial arithmetic for hovers and reporting the first dimension that would
 * become zero or negative. With a recorder, also emits each layer with its Keras name and config.
 */
class Net {
  trainable = 0;
  nonTrainable = 0;
  failed = false;
  private readonly seen = new Set<string>();

  constructor(
    private readonly ctx: RuleContext,
    private readonly model: string,
    private readonly minSize: number,
    private readonly recorder?: LayerRecorder,
  ) {}

  /** Whether layers are being emitted (settings that only add weightless layers matter then). */
  get recording(): boolean {
    return this.recorder !== undefined;
  }

  /** Records one layer called on `inputs` (a list for merge layers) giving `out`. */
  private rec(className: string, config: LayerConfig, inputs: T | T[], out: T): T {
    if (!this.recorder) return out;
    if (this.capture) {
      this.capture.push([className, config]);
      return out;
    }
    const ref = this.recorder.layer(className, config, (Array.isArray(inputs) ? inputs : [inputs]).map((t) => t.ref));
    return { ...out, ref };
  }

  /** Conv2D (`groups` for ConvNeXt's depthwise conv); kernel `k` or `[kh, kw]`. */
  conv(x: T, label: string, filters: number, k: number | [number, number], o: ConvOpts = {}): T {
    const [kh, kw] = typeof k === 'number' ? [k, k] : k;
    const groups = o.groups ?? 1;
    const s = o.s ?? 1;
    this.trainable += kh * kw * (x.c / groups) * filters + (o.bias === false ? 0 : filters);
    const out = { ...this.window(x, label, kh, kw, s, o.pad ?? 'valid'), c: filters };
    return this.rec('Conv2D', { ...layerName(label), filters, kernel_size: [kh, kw], strides: [s, s], padding: o.pad ?? 'valid', use_bias: o.bias !== false, ...(groups !== 1 ? { groups } : {}), ...(o.act ? { activation: o.act } : {}) }, x, out);
  }

  /** DepthwiseConv2D (bias off, as every application builds it). */
  dw(x: T, label: string, k: number, o: { s?: number; pad?: Pad; mult?: number } = {}): T {
    const mult = o.mult ?? 1;
    const s = o.s ?? 1;
    this.trainable += k * k * x.c * mult;
    const out = { ...this.window(x, label, k, k, s, o.pad ?? 'valid'), c: x.c * mult };
    return this.rec('DepthwiseConv2D', { ...layerName(label), kernel_size: [k, k], strides: [s, s], padding: o.pad ?? 'valid', depth_multiplier: mult, use_bias: false }, x, out);
  }

  /** SeparableConv2D without bias: depthwise `k·k·c` plus pointwise `c·filters`. */
  sep(x: T, label: string, filters: number, k: number, o: { s?: number; pad?: Pad } = {}): T {
    const s = o.s ?? 1;
    this.trainable += k * k * x.c + x.c * filters;
    const out = { ...this.window(x, label, k, k, s, o.pad ?? 'valid'), c: filters };
    return this.rec('SeparableConv2D', { ...layerName(label), filters, kernel_size: [k, k], strides: [s, s], padding: o.pad ?? 'valid', use_bias: false }, x, out);
  }

  /** BatchNormalization: gamma (unless `scale=False`) and beta trainable, moving mean/variance not. */
  bn(x: T, label = '*', scale = true): T {
    this.trainable += (scale ? 2 : 1) * x.c;
    this.nonTrainable += 2 * x.c;
    return this.rec('BatchNormalization', { ...layerName(label), axis: -1, ...(scale ? {} : { scale: false }) }, x, { ...x });
  }

  /** A layer without weights that keeps the shape (Activation, ReLU, Dropout, Rescaling). */
  same(x: T, className: string, label: string, config: LayerConfig = {}): T {
    return this.rec(className, { ...layerName(label), ...config }, x, { ...x });
  }

  /** `Activation(fn, name=label)`. */
  act(x: T, label: string, fn = 'relu'): T {
    return this.same(x, 'Activation', label, { activation: fn });
  }

  /** LayerNormalization over the channel axis (gamma and beta). */
  layerNorm(x: T, label: string): T {
    this.trainable += 2 * x.c;
    return this.rec('LayerNormalization', { ...layerName(label), axis: -1, epsilon: 1e-6 }, x, { ...x });
  }

  /** ConvNeXt's LayerScale: a trainable `gamma` per channel. */
  layerScale(x: T, label: string): T {
    this.trainable += x.c;
    return this.rec(LAYER_SCALE, { ...layerName(label), projection_dim: x.c }, x, { ...x });
  }

  /** InceptionResNetV2's `CustomScaleLayer(scale)([x, r])`: `x + r·scale`, no weights, named automatically. */
  customScale(x: T, r: T): T {
    return this.rec(CUSTOM_SCALE, {}, [x, r], { ...x });
  }

  /** A tensor operation on two tensors of one shape (`inputs + x`): no summary row. */
  op2(a: T, b: T, name: string): T {
    return this.rec(`ops.${name}`, {}, [a, b], { ...a });
  }

  /**
   * A Sequential model inside the application (ConvNeXt's stem): the layers `body` makes are its
   * rows, and the application gets one row for it.
   */
  group(x: T, name: string, body: (x: T) => T): T {
    const outer = this.capture;
    this.capture = [];
    let out: T;
    try {
      out = body(x);
    } finally {
      const layers = this.capture;
      this.capture = outer;
      if (this.recorder) out = { ...out!, ref: this.recorder.sequential(name, layers, x.ref) };
    }
    return out;
  }

  private capture: [string, LayerConfig][] | null = null;

  /** Dense on the last axis. */
  fc(x: T, label: string, units: number, act?: string): T {
    this.trainable += x.c * units + units;
    return this.rec('Dense', { ...layerName(label), units, ...(act ? { activation: act } : {}) }, x, { ...x, c: units });
  }

  /** Global pooling to a vector (`keepdims` keeps a 1×1 map). */
  global(x: T, label: string, max = false, keepdims = false): T {
    const out = { ...x, h: 1, w: 1, bh: 1, bw: 1 };
    return this.rec(max ? 'GlobalMaxPooling2D' : 'GlobalAveragePooling2D', { ...layerName(label), ...(keepdims ? { keepdims: true } : {}) }, x, out);
  }

  /** Flatten of the map the model was built on (VGG's top). */
  flatten(x: T, label: string): T {
    const c = (x.bh ?? 0) * (x.bw ?? 0) * x.c;
    return this.rec('Flatten', layerName(label), x, { h: 1, w: 1, bh: 1, bw: 1, c });
  }

  /** A tensor operation on one tensor and a number (`x + 3.0`): connects the graph, no summary row. */
  op(x: T, name: string): T {
    return this.rec(`ops.${name}`, {}, x, { ...x });
  }

  /** Reshape to a vector (`target` without batch dim) or a map. */
  reshape(x: T, label: string, target: number[]): T {
    const out = target.length === 1 ? { h: 1, w: 1, bh: 1, bw: 1, c: target[0] } : { h: target[0], w: target[1], bh: target[0], bw: target[1], c: target[2] };
    return this.rec('Reshape', { ...layerName(label), target_shape: target }, x, out);
  }

  /**
   * Squeeze-and-excitation as EfficientNet builds it: `{p}se_squeeze` (GAP), `se_reshape` to 1×1,
   * `se_reduce` / `se_expand` 1×1 convs with bias, `se_excite` multiplying the map.
   */
  squeezeExcite(x: T, p: string, squeezed: number, act: string): T {
    let se = this.reshape(this.global(x, `${p}se_squeeze`), `${p}se_reshape`, [1, 1, x.c]);
    se = this.conv(se, `${p}se_reduce`, squeezed, 1, { pad: 'same', act });
    se = this.conv(se, `${p}se_expand`, x.c, 1, { pad: 'same', act: 'sigmoid' });
    return this.rec('Multiply', layerName(`${p}se_excite`), [x, se], { ...x });
  }

  pool(x: T, label: string, k: number, s: number, pad: Pad = 'valid', className = 'MaxPooling2D'): T {
    return this.rec(className, { ...layerName(label), pool_size: [k, k], strides: [s, s], padding: pad }, x, this.window(x, label, k, k, s, pad));
  }

  zpad(x: T, label: string, p: Pads): T {
    const grow = (n: RuleDim, a: number, b: number) => (n === null ? null : n + a + b);
    const out = { ...x, h: grow(x.h, ...p[0]), w: grow(x.w, ...p[1]), bh: grow(x.bh, ...p[0]), bw: grow(x.bw, ...p[1]) };
    if (x.h !== null && out.h !== null) this.note(`${label}: ${x.h} + ${p[0][0]} + ${p[0][1]} = ${out.h}`, x.w !== null && out.w !== null ? `${label}: ${x.w} + ${p[1][0]} + ${p[1][1]} = ${out.w}` : null);
    return this.rec('ZeroPadding2D', { ...layerName(label), padding: p }, x, out);
  }

  crop(x: T, p: Pads, label = '*'): T {
    const shrink = (n: RuleDim, a: number, b: number) => (n === null ? null : positive(n - a - b));
    return this.rec('Cropping2D', { ...layerName(label), cropping: p }, x, { ...x, h: shrink(x.h, ...p[0]), w: shrink(x.w, ...p[1]), bh: shrink(x.bh, ...p[0]), bw: shrink(x.bw, ...p[1]) });
  }

  /** `imagenet_utils.correct_pad`: read from the shape the model is being built on. */
  correctPad(x: T, k: number): Pads {
    const adjust = x.bh === null ? [1, 1] : [1 - (x.bh % 2), 1 - ((x.bw ?? 0) % 2)];
    const c = Math.floor(k / 2);
    return [
      [c - adjust[0], c],
      [c - adjust[1], c],
    ];
  }

  /** Add (or a squeeze-and-excitation Multiply): Add's inputs must agree; reports the first disagreement Keras would raise on. */
  add(a: T, b: T, label: string, className = 'Add'): T {
    // Multiply only scales a map by a pooled 1×1 gate (squeeze-and-excitation): it broadcasts.
    if (className === 'Add' && !this.failed && ((a.h !== null && b.h !== null && a.h !== b.h) || (a.w !== null && b.w !== null && a.w !== b.w) || a.c !== b.c)) {
      this.failed = true;
      this.ctx.error(
        DiagnosticCode.shapeMismatch,
        `${this.who()}: Inputs have incompatible shapes at ${label.replace(/^\*/, '')}: ${formatShape([null, a.h, a.w, a.c])} and ${formatShape([null, b.h, b.w, b.c])}.`,
      );
    }
    return this.rec(className, layerName(label), [a, b], { ...a });
  }

  concat(xs: T[], label: string): T {
    const [first] = xs;
    for (const x of xs.slice(1)) {
      if (!this.failed && ((first.h !== null && x.h !== null && first.h !== x.h) || (first.w !== null && x.w !== null && first.w !== x.w))) {
        this.failed = true;
        this.ctx.error(
          DiagnosticCode.shapeMismatch,
          `${this.who()}: A \`Concatenate\` layer requires inputs with matching shapes except for the concatenation axis at ${label.replace(/^\*/, '')}: ${formatShape([null, first.h, first.w, first.c])} and ${formatShape([null, x.h, x.w, x.c])}.`,
        );
      }
    }
    return this.rec('Concatenate', { ...layerName(label), axis: -1 }, xs, { ...first, c: xs.reduce((s, x) => s + x.c, 0) });
  }

  private who(): string {
    return `${this.ctx.layerName} (${this.model})`;
  }

  private window(x: T, label: string, kh: number, kw: number, s: number, pad: Pad): T {
    const h = this.axis(x.h, kh, s, pad, label, 'height');
    const w = this.axis(x.w, kw, s, pad, label, 'width');
    const bh = x.bh === null ? null : positive(convOutputLength(x.bh, kh, pad, s));
    const bw = x.bw === null ? null : positive(convOutputLength(x.bw, kw, pad, s));
    const step = (n: RuleDim, k: number, out: RuleDim) => (n !== null && out !== null && out !== n ? `${label}: ${explainConvLength(n, k, pad, s, 1, out)}` : null);
    const sh = step(x.h, kh, h);
    const sw = step(x.w, kw, w);
    if (sh !== null || sw !== null) this.note(sh, sw);
    return { h, w, bh, bw, c: x.c };
  }

  private axis(n: RuleDim, k: number, s: number, pad: Pad, label: string, axis: string): RuleDim {
    if (n === null) return null;
    const out = convOutputLength(n, k, pad, s) as number;
    if (out > 0) return out;
    if (!this.failed) {
      this.failed = true;
      reportNegative(
        this.ctx,
        k,
        n,
        axis,
        undefined,
        k,
        `(at ${label} inside ${this.model}; ${this.model} expects inputs of at least ${this.minSize}x${this.minSize}).`,
      );
    }
    return null;
  }

  /**
   * Records one spatial step (`label: arithmetic`) for hovers, height then width if they differ;
   * arithmetic already shown under another label (parallel branches, shortcuts) is skipped.
   */
  private note(h: string | null, w: string | null): void {
    const steps = h !== null && w !== null && h === w ? [h] : [h && w ? `height ${h}` : h, h && w ? `width ${w}` : w];
    for (const step of steps) {
      if (step === null) continue;
      const arithmetic = step.slice(step.indexOf(': ') + 2);
      if (this.seen.has(arithmetic)) continue;
      this.seen.add(arithmetic);
      this.ctx.explain(step.replace(/^((?:height |width )?)\*/, '$1'));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Shared settings of every application

type Weights = 'imagenet' | 'none' | 'file';

/** The settings every application reads, with unknown values as null. */
interface Common {
  includeTop: boolean | null;
  weights: Weights | null;
  classes: number | null;
  pooling: 'avg' | 'max' | 'none' | null;
  /** The model's declared `input_shape` (no batch dim): undefined if absent, null if unknown. */
  inputShape: RuleDim[] | null | undefined;
  /** `input_tensor=` given: the model is built on the tensor it is then called on. */
  inputTensor: boolean;
}

function readWeights(v: ConfigValue | undefined): Weights | null {
  if (v === undefined) return 'imagenet';
  if (v === null) return 'none';
  if (v === UNKNOWN) return null;
  if (v === 'imagenet') return 'imagenet';
  return typeof v === 'string' ? 'file' : null;
}

function readInputShape(v: ConfigValue | undefined): RuleDim[] | null | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return null;
  if (v.some((d) => d !== null && typeof d !== 'number')) return null;
  return v.map((d) => (typeof d === 'number' ? Math.trunc(d) : null));
}

function readCommon(cfg: Cfg): Common {
  const pooling = cfg.raw.pooling;
  return {
    includeTop: cfg.bool('include_top', true),
    weights: readWeights(cfg.raw.weights),
    classes: cfg.int('classes', 1000),
    pooling: pooling === undefined || pooling === null ? 'none' : pooling === 'avg' || pooling === 'max' ? pooling : typeof pooling === 'string' ? 'none' : null,
    inputShape: readInputShape(cfg.raw.input_shape),
    inputTensor: cfg.raw.input_tensor !== undefined && cfg.raw.input_tensor !== null,
  };
}

/** Python's repr of a shape tuple without batch dim: `(224, 224, 3)`, `(None, None, 3)`. */
const tuple = (dims: RuleDim[]): string => (dims.length === 1 ? `(${dims[0] ?? 'None'},)` : `(${dims.map((d) => d ?? 'None').join(', ')})`);

/** `f"{alpha:0.2f}"`. */
const fixed2 = (alpha: number) => alpha.toFixed(2);

/**
 * `imagenet_utils.obtain_input_shape` (channels_last): the shape the model's Input gets, or
 * 'error' after reporting Keras' ValueError, or null when a setting is unknown.
 */
function obtainInputShape(c: Common, defaultSize: number, minSize: number, ctx: RuleContext): RuleDim[] | null | 'error' {
  if (c.inputShape === null || c.includeTop === null) return null;
  // Python truthiness: an empty tuple counts as not given.
  const given = c.inputShape !== undefined && c.inputShape.length > 0 ? c.inputShape : undefined;
  const rgb: RuleDim[] = [defaultSize, defaultSize, 3];
  if (c.includeTop && c.weights !== 'none' && c.weights !== 'file') {
    // weights='imagenet' (or unknown, which only matters when the shapes differ).
    if (given !== undefined && tuple(given) !== tuple(rgb)) {
      if (c.weights === null) return null;
      ctx.error(
        DiagnosticCode.invalidConfig,
        `${ctx.layerName} (${ctx.className}): When setting \`include_top=True\` and loading \`imagenet\` weights, \`input_shape\` should be ${tuple(rgb)}.  Received: input_shape=${tuple(given)}`,
        { arg: 'include_top', value: 'False', title: 'Use include_top=False' },
      );
      return 'error';
    }
    return rgb;
  }
  let shape: RuleDim[];
  if (given !== undefined) {
    if (given.length !== 3) {
      ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (${ctx.className}): \`input_shape\` must be a tuple of three integers.`);
      return 'error';
    }
    if (given[2] !== 3 && c.weights === 'imagenet') {
      ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (${ctx.className}): The input must have 3 channels; Received \`input_shape=${tuple(given)}\``, {
        arg: 'weights',
        value: 'None',
        title: 'Use weights=None (random initialization)',
      });
      return 'error';
    }
    if ((given[0] !== null && given[0] < minSize) || (given[1] !== null && given[1] < minSize)) {
      ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (${ctx.className}): Input size must be at least ${minSize}x${minSize}; Received: input_shape=${tuple(given)}`);
      return 'error';
    }
    shape = given;
  } else {
    shape = c.includeTop ? rgb : [null, null, 3];
  }
  if (c.includeTop && shape.includes(null)) {
    ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (${ctx.className}): If \`include_top\` is True, you should specify a static \`input_shape\`. Received: input_shape=${tuple(shape)}`);
    return 'error';
  }
  return shape;
}

/** A context that drops reports: `params` re-runs the analysis `outputShape` already reported on. */
function silent(ctx: RuleContext): RuleContext {
  return { ...ctx, error: () => undefined, warning: () => undefined, explain: () => undefined };
}

/** For settings read outside a rule call (`defaultName`). */
const NO_REPORTS: RuleContext = silent({
  layerName: '',
  className: '',
  error: () => undefined,
  warning: () => undefined,
  explain: () => undefined,
  inner: () => ({ output: null, params: { trainable: null, nonTrainable: null } }),
});

// ---------------------------------------------------------------------------------------------
// Application definitions

/** What an application does with the common settings and its own (`alpha`, ...). */
interface AppDef {
  className: string;
  /** Keras' model name for these settings (`resnet50`, `mobilenetv2_1.00_224`). */
  name(cfg: Cfg): string;
  /** Default input size (224; 299 for Inception/Xception; per EfficientNet variant). */
  defaultSize: number;
  minSize: number;
  /** Input shape the model is built on; defaults to `obtainInputShape`. */
  inputShape?(c: Common, cfg: Cfg, ctx: RuleContext): RuleDim[] | null | 'error';
  /** Application-specific ValueErrors (alpha with imagenet weights). False stops the analysis. */
  check?(c: Common, cfg: Cfg, ctx: RuleContext): boolean | null;
  /** The convolutional base, without top or pooling. Null when a setting is unknown. */
  base(net: Net, x: T, cfg: Cfg, c: Common): T | null;
  /** The classifier; returns its output (`(None, classes)`). Default: GAP `avg_pool` + Dense `predictions`. */
  top?(net: Net, x: T, classes: number, cfg: Cfg): T;
  /** Labels of the pooling layers when include_top=False (`pooling='avg'` / `'max'`). Default `avg_pool` / `max_pool`. */
  poolLabels?: [string, string];
  /** Extra layers after the optional pooling when include_top=False (ConvNeXt's LayerNorm). */
  noTop?(net: Net, x: T): T;
}

/** `classifier_activation` (default softmax; None is linear). */
function classifierActivation(cfg: Cfg): string {
  const act = cfg.raw.classifier_activation;
  return act === undefined ? 'softmax' : typeof act === 'string' ? act : 'linear';
}

const defaultTop = (net: Net, x: T, classes: number, cfg: Cfg): T => net.fc(net.global(x, 'avg_pool'), 'predictions', classes, classifierActivation(cfg));

interface Analysis {
  output: RuleShape | null;
  params: ParamCount;
  /** The recorder's handle of the model's output. */
  ref?: unknown;
}

const UNKNOWN_PARAMS: ParamCount = { trainable: null, nonTrainable: null };

/**
 * The application built as `cfg` says and called on `input`. With a recorder (which then gets
 * every layer), `inputRef` is the handle of the model's input tensor.
 */
function analyse(app: AppDef, input: RuleShape, cfg: Cfg, ctx: RuleContext, recorder?: LayerRecorder, inputRef?: unknown): Analysis {
  const c = readCommon(cfg);
  const fail: Analysis = { output: null, params: UNKNOWN_PARAMS };
  if (c.includeTop === null) return fail;
  const who = `${ctx.layerName} (${ctx.className})`;
  if (c.weights === 'imagenet' && c.includeTop && c.classes !== null && c.classes !== 1000) {
    ctx.error(DiagnosticCode.invalidConfig, `${who}: If using \`weights='imagenet'\` with \`include_top=True\`, \`classes\` should be 1000.  Received classes=${c.classes}`, {
      arg: 'weights',
      value: 'None',
      title: 'Use weights=None (train the classifier from scratch)',
    });
    return fail;
  }
  if (c.includeTop && c.weights !== 'none' && c.weights !== null) {
    const act = cfg.raw.classifier_activation;
    if (typeof act === 'string' && act !== 'softmax') {
      ctx.error(
        DiagnosticCode.invalidConfig,
        `${who}: Only \`None\` and \`softmax\` activations are allowed for the \`classifier_activation\` argument when using pretrained weights, with \`include_top=True\`; Received: classifier_activation=${act}`,
      );
      return fail;
    }
  }
  const ok = app.check?.(c, cfg, ctx);
  if (ok === false || ok === null) return fail;

  // The shape the model's own Input has (input_tensor: the tensor it is called on).
  let built: RuleDim[] | null | 'error';
  if (c.inputTensor) built = input.slice(1);
  else built = app.inputShape ? app.inputShape(c, cfg, ctx) : obtainInputShape(c, app.defaultSize, app.minSize, ctx);
  if (built === 'error' || built === null) return fail;
  const [bh, bw, bc] = built;
  if (bc === null) {
    ctx.error(DiagnosticCode.undefinedChannels, `${who}: The channel dimension of the inputs should be defined. Received input_shape=${tuple(built)}.`);
    return fail;
  }

  // Calling the model checks the tensor against the model's Input (Functional.input_spec) before
  // any layer runs; the model itself (and its weights) exists either way.
  const spec: RuleShape = [null, bh, bw, bc];
  const fits = !input.some((d, i) => i > 0 && d !== null && spec[i] !== null && d !== spec[i]);
  const net = new Net(fits ? ctx : silent(ctx), ctx.className, app.minSize, recorder);
  const x0: T = fits ? { h: input[1], w: input[2], bh, bw, c: bc, ref: inputRef } : { h: bh, w: bw, bh, bw, c: bc, ref: inputRef };
  const feat = app.base(net, x0, cfg, c);
  if (feat === null) return fail;
  let output: RuleShape | null;
  let last: T = feat;
  if (c.includeTop) {
    if (c.classes === null) return { output: fits ? [input[0], null] : null, params: UNKNOWN_PARAMS };
    last = (app.top ?? defaultTop)(net, feat, c.classes, cfg);
    output = [input[0], c.classes];
  } else {
    const [avg, max] = app.poolLabels ?? ['avg_pool', 'max_pool'];
    if (c.pooling === 'avg' || c.pooling === 'max') last = net.global(feat, c.pooling === 'avg' ? avg : max, c.pooling === 'max');
    if (app.noTop) last = app.noTop(net, last);
    output = c.pooling === null ? null : c.pooling === 'none' ? [input[0], feat.h, feat.w, feat.c] : [input[0], feat.c];
  }
  const params: ParamCount = {
    trainable: net.trainable,
    nonTrainable: net.nonTrainable,
    formula: `${ctx.className}(include_top=${c.includeTop ? 'True' : 'False'}): ${formatCount(net.trainable)} trainable + ${formatCount(net.nonTrainable)} non-trainable = ${formatCount(net.trainable + net.nonTrainable)}`,
  };
  if (!fits) {
    const hint =
      input[3] !== null && input[3] !== bc
        ? ` ${ctx.className} was built for ${bc} input channels.`
        : c.inputShape === undefined && !c.includeTop
          ? ''
          : ` Build it for this size with input_shape=${tuple(input.slice(1))}${c.includeTop ? ' and include_top=False' : ''}.`;
    ctx.error(DiagnosticCode.shapeMismatch, `Input 0 of layer "${ctx.layerName}" is incompatible with the layer: expected shape=${formatShape(spec)}, found shape=${formatShape(input)}.${hint}`);
    return { output: null, params };
  }
  if (net.failed) return { output: null, params, ref: last.ref };
  if (c.inputShape === undefined && !c.inputTensor && [input[1], input[2]].some((d) => d !== null && d < app.minSize)) {
    ctx.warning(DiagnosticCode.smallInput, `${ctx.layerName} (${ctx.className}): input ${formatShape(input)} is smaller than the ${app.minSize}x${app.minSize} minimum Keras documents for ${ctx.className} (it rejects a smaller \`input_shape\`).`);
  }
  return { output, params, ref: last.ref };
}

function appRule(app: AppDef): LayerRule {
  return {
    className: app.className,
    inputRank: 4,
    summaryClassName: 'Functional',
    defaultName: (cfg) => app.name(cfg),
    outputShape: (inputs, cfg, ctx) => analyse(app, inputs[0], cfg, ctx).output,
    params: (inputs, cfg, ctx) => analyse(app, inputs[0], cfg, silent(ctx)).params,
  };
}

/** A name given as `name=` wins; otherwise Keras' fixed model name. */
const fixedName = (name: string) => (cfg: Cfg) => {
  const n = cfg.raw.name;
  return typeof n === 'string' ? n : name;
};

// ---------------------------------------------------------------------------------------------
// VGG16 / VGG19 (vgg16.py, vgg19.py)

function vgg(className: string, convs: number[]): AppDef {
  const filters = [64, 128, 256, 512, 512];
  return {
    className,
    name: fixedName(className.toLowerCase()),
    defaultSize: 224,
    minSize: 32,
    base(net, x) {
      filters.forEach((f, b) => {
        for (let i = 0; i < convs[b]; i++) x = net.conv(x, `block${b + 1}_conv${i + 1}`, f, 3, { pad: 'same', act: 'relu' });
        x = net.pool(x, `block${b + 1}_pool 2×2/2`, 2, 2);
      });
      return x;
    },
    top(net, x, classes, cfg) {
      // Flatten → Dense: fc1's kernel is sized on the map the model was built on.
      x = net.flatten(x, 'flatten');
      x = net.fc(x, 'fc1', 4096, 'relu');
      x = net.fc(x, 'fc2', 4096, 'relu');
      return net.fc(x, 'predictions', classes, classifierActivation(cfg));
    },
    poolLabels: ['*', '*'],
  };
}

// ---------------------------------------------------------------------------------------------
// ResNet50/101/152 and their V2 (resnet.py, resnet_v2.py)

function resnetStem(net: Net, x: T, preact: boolean): T {
  x = net.zpad(x, 'conv1_pad', [[3, 3], [3, 3]]);
  x = net.conv(x, 'conv1_conv 7×7/2', 64, 7, { s: 2 });
  if (!preact) x = net.act(net.bn(x, 'conv1_bn'), 'conv1_relu');
  x = net.zpad(x, 'pool1_pad', [[1, 1], [1, 1]]);
  return net.pool(x, 'pool1_pool 3×3/2', 3, 2);
}

function blockV1(net: Net, x: T, f: number, stride: number, convShortcut: boolean, name: string): T {
  const shortcut = convShortcut ? net.bn(net.conv(x, `${name}_0_conv 1×1/${stride}`, 4 * f, 1, { s: stride }), `${name}_0_bn`) : x;
  let y = net.act(net.bn(net.conv(x, `${name}_1_conv 1×1/${stride}`, f, 1, { s: stride }), `${name}_1_bn`), `${name}_1_relu`);
  y = net.act(net.bn(net.conv(y, `${name}_2_conv`, f, 3, { pad: 'same' }), `${name}_2_bn`), `${name}_2_relu`);
  y = net.bn(net.conv(y, `${name}_3_conv`, 4 * f, 1), `${name}_3_bn`);
  return net.act(net.add(shortcut, y, `${name}_add`), `${name}_out`);
}

function blockV2(net: Net, x: T, f: number, stride: number, convShortcut: boolean, name: string): T {
  const pre = net.act(net.bn(x, `${name}_preact_bn`), `${name}_preact_relu`);
  const shortcut = convShortcut ? net.conv(pre, `${name}_0_conv`, 4 * f, 1, { s: stride }) : stride > 1 ? net.pool(x, `*${name} shortcut max_pooling2d 1×1/${stride}`, 1, stride) : x;
  let y = net.act(net.bn(net.conv(pre, `${name}_1_conv`, f, 1, { bias: false }), `${name}_1_bn`), `${name}_1_relu`);
  y = net.zpad(y, `${name}_2_pad`, [[1, 1], [1, 1]]);
  y = net.act(net.bn(net.conv(y, `${name}_2_conv 3×3/${stride}`, f, 3, { s: stride, bias: false }), `${name}_2_bn`), `${name}_2_relu`);
  y = net.conv(y, `${name}_3_conv`, 4 * f, 1);
  return net.add(shortcut, y, `${name}_out`);
}

function resnet(className: string, name: string, blocks: number[], v2: boolean): AppDef {
  const filters = [64, 128, 256, 512];
  return {
    className,
    name: fixedName(name),
    defaultSize: 224,
    minSize: 32,
    base(net, x) {
      x = resnetStem(net, x, v2);
      filters.forEach((f, i) => {
        const stack = `conv${i + 2}`;
        if (!v2) {
          x = blockV1(net, x, f, i === 0 ? 1 : 2, true, `${stack}_block1`);
          for (let b = 2; b <= blocks[i]; b++) x = blockV1(net, x, f, 1, false, `${stack}_block${b}`);
        } else {
          // stack_residual_blocks_v2: conv shortcut first, the stride on the last block (stride1=1 for conv5).
          x = blockV2(net, x, f, 1, true, `${stack}_block1`);
          for (let b = 2; b < blocks[i]; b++) x = blockV2(net, x, f, 1, false, `${stack}_block${b}`);
          x = blockV2(net, x, f, i === 3 ? 1 : 2, false, `${stack}_block${blocks[i]}`);
        }
      });
      if (v2) x = net.act(net.bn(x, 'post_bn'), 'post_relu');
      return x;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// MobileNet (mobilenet.py)

/** `alpha` as a number, or null (unknown) after reporting a non-number. */
function readAlpha(cfg: Cfg): number | null {
  return cfg.num('alpha', 1.0);
}

/** MobileNet / MobileNetV2 pick `default_size` from a square `input_shape` in their weight sizes. */
function mobileDefaultSize(c: Common, sizes: number[]): number {
  const s = c.inputShape;
  if (!s || s.length < 2) return 224;
  return s[0] === s[1] && s[0] !== null && sizes.includes(s[0]) ? s[0] : 224;
}

/**
 * Rows in MobileNet / MobileNetV2 names: the rows of the shape the model is built on, replaced by
 * 224 when imagenet weights fall back to the 224 checkpoint (None when unknown).
 */
function mobileRows(cfg: Cfg, sizes: number[]): string {
  const c = readCommon(cfg);
  const built = obtainInputShape(c, mobileDefaultSize(c, sizes), 32, NO_REPORTS);
  let rows: RuleDim = Array.isArray(built) ? built[0] : null;
  const cols: RuleDim = Array.isArray(built) ? built[1] : null;
  if (c.weights === 'imagenet' && (rows !== cols || rows === null || !sizes.includes(rows))) rows = 224;
  return rows === null ? 'None' : String(rows);
}

const MOBILENET_SIZES = [128, 160, 192, 224];
const MOBILENETV2_SIZES = [96, 128, 160, 192, 224];

function mobileName(prefix: string, sizes: number[]) {
  return (cfg: Cfg) => {
    const n = cfg.raw.name;
    if (typeof n === 'string') return n;
    const alpha = readAlpha(cfg);
    return `${prefix}_${alpha === null ? '?' : fixed2(alpha)}_${mobileRows(cfg, sizes)}`;
  };
}

const mobilenet: AppDef = {
  className: 'MobileNet',
  name: mobileName('mobilenet', MOBILENET_SIZES),
  defaultSize: 224,
  minSize: 32,
  inputShape: (c, _cfg, ctx) => obtainInputShape(c, mobileDefaultSize(c, MOBILENET_SIZES), 32, ctx),
  check(c, cfg, ctx) {
    const alpha = readAlpha(cfg);
    const dm = cfg.int('depth_multiplier', 1);
    if (alpha === null || dm === null) return null;
    if (c.weights === 'imagenet') {
      if (dm !== 1) {
        ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (MobileNet): If imagenet weights are being loaded, depth multiplier must be 1.  Received depth_multiplier=${dm}`);
        return false;
      }
      if (![0.25, 0.5, 0.75, 1.0].includes(alpha)) {
        ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (MobileNet): If imagenet weights are being loaded, alpha can be one of\`0.25\`, \`0.50\`, \`0.75\` or \`1.0\` only.  Received alpha=${alpha}`);
        return false;
      }
    }
    return true;
  },
  base(net, x, cfg) {
    const alpha = readAlpha(cfg) as number;
    const dm = cfg.int('depth_multiplier', 1) as number;
    const relu6 = (t: T, label: string) => net.same(t, 'ReLU', label, { max_value: 6 });
    x = relu6(net.bn(net.conv(x, 'conv1 3×3/2', Math.trunc(32 * alpha), 3, { s: 2, pad: 'same', bias: false }), 'conv1_bn'), 'conv1_relu');
    const blocks: [number, number][] = [
      [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
      [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
    ];
    blocks.forEach(([f, s], i) => {
      const id = i + 1;
      if (s === 2) x = net.zpad(x, `conv_pad_${id}`, [[0, 1], [0, 1]]);
      x = relu6(net.bn(net.dw(x, `conv_dw_${id} 3×3/${s}`, 3, { s, pad: s === 1 ? 'same' : 'valid', mult: dm }), `conv_dw_${id}_bn`), `conv_dw_${id}_relu`);
      x = relu6(net.bn(net.conv(x, `conv_pw_${id}`, Math.trunc(f * alpha), 1, { pad: 'same', bias: false }), `conv_pw_${id}_bn`), `conv_pw_${id}_relu`);
    });
    return x;
  },
  // GlobalAveragePooling2D(keepdims) → Dropout → conv_preds (1×1 Conv2D with bias) → Reshape → Activation.
  top(net, x, classes, cfg) {
    const rate = cfg.num('dropout', 1e-3);
    x = net.same(net.global(x, '*', false, true), 'Dropout', 'dropout', { rate: rate ?? UNKNOWN });
    x = net.conv(x, 'conv_preds', classes, 1, { pad: 'same' });
    x = net.reshape(x, 'reshape_2', [classes]);
    return net.act(x, 'predictions', classifierActivation(cfg));
  },
  poolLabels: ['*', '*'],
};

// ---------------------------------------------------------------------------------------------
// MobileNetV2 (mobilenet_v2.py)

/** `_make_divisible` / `_depth`: round to a multiple of 8, never more than 10% down. */
function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

const mobilenetV2: AppDef = {
  className: 'MobileNetV2',
  name: mobileName('mobilenetv2', MOBILENETV2_SIZES),
  defaultSize: 224,
  minSize: 32,
  inputShape: (c, _cfg, ctx) => obtainInputShape(c, mobileDefaultSize(c, MOBILENETV2_SIZES), 32, ctx),
  check(c, cfg, ctx) {
    const alpha = readAlpha(cfg);
    if (alpha === null) return null;
    if (c.weights === 'imagenet' && ![0.35, 0.5, 0.75, 1.0, 1.3, 1.4].includes(alpha)) {
      ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (MobileNetV2): If imagenet weights are being loaded, alpha must be one of \`0.35\`, \`0.50\`, \`0.75\`, \`1.0\`, \`1.3\` or \`1.4\` only; Received \`alpha=${alpha}\``);
      return false;
    }
    return true;
  },
  base(net, x, cfg) {
    const alpha = readAlpha(cfg) as number;
    const relu6 = (t: T, label: string) => net.same(t, 'ReLU', label, { max_value: 6 });
    x = relu6(net.bn(net.conv(x, 'Conv1 3×3/2', makeDivisible(32 * alpha), 3, { s: 2, pad: 'same', bias: false }), 'bn_Conv1'), 'Conv1_relu');
    // [filters, stride, expansion] for block_0 .. block_16.
    const blocks: [number, number, number][] = [
      [16, 1, 1], [24, 2, 6], [24, 1, 6], [32, 2, 6], [32, 1, 6], [32, 1, 6], [64, 2, 6], [64, 1, 6], [64, 1, 6],
      [64, 1, 6], [96, 1, 6], [96, 1, 6], [96, 1, 6], [160, 2, 6], [160, 1, 6], [160, 1, 6], [320, 1, 6],
    ];
    blocks.forEach(([filters, stride, expansion], id) => {
      const inC = x.c;
      const pw = makeDivisible(Math.trunc(filters * alpha));
      const prefix = id ? `block_${id}_` : 'expanded_conv_';
      let y = x;
      if (id) y = relu6(net.bn(net.conv(y, `${prefix}expand`, expansion * inC, 1, { pad: 'same', bias: false }), `${prefix}expand_BN`), `${prefix}expand_relu`);
      if (stride === 2) y = net.zpad(y, `${prefix}pad`, net.correctPad(y, 3));
      y = relu6(net.bn(net.dw(y, `${prefix}depthwise 3×3/${stride}`, 3, { s: stride, pad: stride === 1 ? 'same' : 'valid' }), `${prefix}depthwise_BN`), `${prefix}depthwise_relu`);
      y = net.bn(net.conv(y, `${prefix}project`, pw, 1, { pad: 'same', bias: false }), `${prefix}project_BN`);
      x = inC === pw && stride === 1 ? net.add(x, y, `${prefix}add`) : y;
    });
    const last = alpha > 1.0 ? makeDivisible(1280 * alpha) : 1280;
    return relu6(net.bn(net.conv(x, 'Conv_1', last, 1, { bias: false }), 'Conv_1_bn'), 'out_relu');
  },
  top: (net, x, classes, cfg) => net.fc(net.global(x, '*'), 'predictions', classes, classifierActivation(cfg)),
  poolLabels: ['*', '*'],
};

// ---------------------------------------------------------------------------------------------
// MobileNetV3Small / Large (mobilenet_v3.py)

/** [expansion, filters (before alpha), kernel ('k' = 5, or 3 if minimalistic), stride, se, large-activation]. */
type V3Block = [number, number, number | 'k', number, boolean];
const V3_SMALL: V3Block[] = [
  [1, 16, 3, 2, true], [72.0 / 16, 24, 3, 2, false], [88.0 / 24, 24, 3, 1, false], [4, 40, 'k', 2, true], [6, 40, 'k', 1, true],
  [6, 40, 'k', 1, true], [3, 48, 'k', 1, true], [3, 48, 'k', 1, true], [6, 96, 'k', 2, true], [6, 96, 'k', 1, true], [6, 96, 'k', 1, true],
];
const V3_LARGE: V3Block[] = [
  [1, 16, 3, 1, false], [4, 24, 3, 2, false], [3, 24, 3, 1, false], [3, 40, 'k', 2, true], [3, 40, 'k', 1, true], [3, 40, 'k', 1, true],
  [6, 80, 3, 2, false], [2.5, 80, 3, 1, false], [2.3, 80, 3, 1, false], [2.3, 80, 3, 1, false], [6, 112, 3, 1, true], [6, 112, 3, 1, true],
  [6, 160, 'k', 2, true], [6, 160, 'k', 1, true], [6, 160, 'k', 1, true],
];

function mobilenetV3(className: string, blocks: V3Block[], lastPoint: number, reluBlocks: number): AppDef {
  const minimalistic = (cfg: Cfg) => cfg.bool('minimalistic', false);
  return {
    className,
    name: fixedName(className),
    defaultSize: 224,
    minSize: 32,
    // MobileNetV3 does not use obtain_input_shape: (None, None, 3) unless given, even with the top.
    inputShape(c, _cfg, ctx) {
      const s = c.inputShape;
      if (s === null) return null;
      if (s === undefined) return [null, null, 3];
      if (s.length !== 3) {
        ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (${className}): \`input_shape\` must be a tuple of three integers.`);
        return 'error';
      }
      if (s[0] && s[1] && (s[0] < 32 || s[1] < 32)) {
        ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (${className}): Input size must be at least 32x32; Received \`input_shape=${tuple(s)}\``);
        return 'error';
      }
      if (c.weights === 'imagenet' && s[2] !== 3) {
        ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (${className}): The input must have 3 channels to load \`imagenet\` weights; Received \`input_shape=${tuple(s)}\``, {
          arg: 'weights',
          value: 'None',
          title: 'Use weights=None (random initialization)',
        });
        return 'error';
      }
      return s;
    },
    check(c, cfg, ctx) {
      const alpha = readAlpha(cfg);
      const mini = minimalistic(cfg);
      if (alpha === null || mini === null) return null;
      if (c.weights === 'imagenet' && ((!mini && ![0.75, 1.0].includes(alpha)) || (mini && alpha !== 1.0))) {
        ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (${className}): If imagenet weights are being loaded, alpha can be one of \`0.75\`, \`1.0\` for non minimalistic or \`1.0\` for minimalistic only.`);
        return false;
      }
      return true;
    },
    base(net, x, cfg) {
      const alpha = readAlpha(cfg) as number;
      const mini = minimalistic(cfg) as boolean;
      const pre = cfg.bool('include_preprocessing', true);
      // Settings that only decide whether a layer without weights exists: unknown, the graph is unknown.
      if (net.recording && (pre === null || cfg.num('dropout_rate', 0.2) === null)) return null;
      // relu is `ReLU()`, hard_swish `Activation("hard_swish")`, both named automatically.
      const relu = (t: T) => net.same(t, 'ReLU', '*');
      const act = (t: T) => (mini ? relu(t) : net.act(t, '*', 'hard_swish'));
      if (pre !== false) x = net.same(x, 'Rescaling', '*', { scale: 1 / 127.5, offset: -1 });
      x = act(net.bn(net.conv(x, 'conv 3×3/2', 16, 3, { s: 2, pad: 'same', bias: false }), 'conv_bn'));
      blocks.forEach(([expansion, f, k, stride, se], id) => {
        const kernel = k === 'k' ? (mini ? 3 : 5) : k;
        const blockAct = id < reluBlocks ? relu : act;
        const filters = makeDivisible(f * alpha);
        const inC = x.c;
        const expanded = makeDivisible(inC * expansion);
        const prefix = id ? `expanded_conv_${id}_` : 'expanded_conv_';
        let y = x;
        if (id) y = blockAct(net.bn(net.conv(y, `${prefix}expand`, expanded, 1, { pad: 'same', bias: false }), `${prefix}expand_bn`));
        if (stride === 2) y = net.zpad(y, `${prefix}depthwise_pad`, net.correctPad(y, kernel));
        y = blockAct(net.bn(net.dw(y, `${prefix}depthwise ${kernel}×${kernel}/${stride}`, kernel, { s: stride, pad: stride === 1 ? 'same' : 'valid' }), `${prefix}depthwise_bn`));
        if (se && !mini) {
          // _se_block; hard_sigmoid is `ReLU(6.0)(x + 3.0) * (1.0 / 6.0)`: two tensor operations around a ReLU.
          let g = net.global(y, `${prefix}squeeze_excite_avg_pool`, false, true);
          g = net.same(net.conv(g, `${prefix}squeeze_excite_conv`, makeDivisible(expanded * 0.25), 1, { pad: 'same' }), 'ReLU', `${prefix}squeeze_excite_relu`);
          g = net.conv(g, `${prefix}squeeze_excite_conv_1`, expanded, 1, { pad: 'same' });
          g = net.op(net.same(net.op(g, 'add'), 'ReLU', '*', { max_value: 6 }), 'multiply');
          y = net.add(y, g, `${prefix}squeeze_excite_mul`, 'Multiply');
        }
        y = net.bn(net.conv(y, `${prefix}project`, filters, 1, { pad: 'same', bias: false }), `${prefix}project_bn`);
        x = stride === 1 && inC === filters ? net.add(x, y, `${prefix}add`) : y;
      });
      return act(net.bn(net.conv(x, 'conv_1', makeDivisible(x.c * 6), 1, { pad: 'same', bias: false }), 'conv_1_bn'));
    },
    top(net, x, classes, cfg) {
      const alpha = readAlpha(cfg) as number;
      const point = alpha > 1.0 ? makeDivisible(lastPoint * alpha) : lastPoint;
      const relu = (t: T) => net.same(t, 'ReLU', '*');
      const act = (t: T) => (minimalistic(cfg) ? relu(t) : net.act(t, '*', 'hard_swish'));
      x = act(net.conv(net.global(x, '*', false, true), 'conv_2', point, 1, { pad: 'same' }));
      const rate = cfg.num('dropout_rate', 0.2);
      if (rate !== null && rate > 0) x = net.same(x, 'Dropout', '*', { rate });
      x = net.flatten(net.conv(x, 'logits', classes, 1, { pad: 'same' }), '*');
      return net.act(x, 'predictions', classifierActivation(cfg));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// InceptionV3 (inception_v3.py)

const inceptionV3: AppDef = {
  className: 'InceptionV3',
  name: fixedName('inception_v3'),
  defaultSize: 299,
  minSize: 75,
  base(net, x) {
    // Every layer but the `mixed` concatenations is named automatically (conv2d_bn gets no name).
    /** conv2d_bn: Conv2D without bias, BatchNormalization(scale=False), ReLU. */
    const cb = (t: T, f: number, kh: number, kw: number, s = 1, pad: Pad = 'same', label = '*conv2d') => net.act(net.bn(net.conv(t, label, f, [kh, kw], { s, pad, bias: false }), '*', false), '*');
    const avg = (t: T) => net.pool(t, '*average_pooling2d', 3, 1, 'same', 'AveragePooling2D');
    x = cb(x, 32, 3, 3, 2, 'valid', '*conv2d 3×3/2');
    x = cb(x, 32, 3, 3, 1, 'valid', '*conv2d 3×3');
    x = cb(x, 64, 3, 3);
    x = net.pool(x, '*max_pooling2d 3×3/2', 3, 2);
    x = cb(x, 80, 1, 1, 1, 'valid');
    x = cb(x, 192, 3, 3, 1, 'valid', '*conv2d 3×3');
    x = net.pool(x, '*max_pooling2d 3×3/2', 3, 2);
    // mixed 0, 1, 2: 35 × 35
    [32, 64, 64].forEach((poolFilters, i) => {
      const b1 = cb(x, 64, 1, 1);
      const b5 = cb(cb(x, 48, 1, 1), 64, 5, 5);
      const b3 = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
      const bp = cb(avg(x), poolFilters, 1, 1);
      x = net.concat([b1, b5, b3, bp], `mixed${i}`);
    });
    // mixed 3: 17 × 17
    {
      const b3 = cb(x, 384, 3, 3, 2, 'valid', '*mixed3 conv2d 3×3/2');
      const bd = cb(cb(cb(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 2, 'valid', '*mixed3 conv2d 3×3/2');
      const bp = net.pool(x, '*mixed3 max_pooling2d 3×3/2', 3, 2);
      x = net.concat([b3, bd, bp], 'mixed3');
    }
    // mixed 4, 5, 6, 7
    [128, 160, 160, 192].forEach((f, i) => {
      const b1 = cb(x, 192, 1, 1);
      const b7 = cb(cb(cb(x, f, 1, 1), f, 1, 7), 192, 7, 1);
      const bd = cb(cb(cb(cb(cb(x, f, 1, 1), f, 7, 1), f, 1, 7), f, 7, 1), 192, 1, 7);
      const bp = cb(avg(x), 192, 1, 1);
      x = net.concat([b1, b7, bd, bp], `mixed${4 + i}`);
    });
    // mixed 8: 8 × 8
    {
      const b3 = cb(cb(x, 192, 1, 1), 320, 3, 3, 2, 'valid', '*mixed8 conv2d 3×3/2');
      const b7 = cb(cb(cb(cb(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, 2, 'valid', '*mixed8 conv2d 3×3/2');
      const bp = net.pool(x, '*mixed8 max_pooling2d 3×3/2', 3, 2);
      x = net.concat([b3, b7, bp], 'mixed8');
    }
    // mixed 9, 10
    for (let i = 0; i < 2; i++) {
      const b1 = cb(x, 320, 1, 1);
      const b3 = cb(x, 384, 1, 1);
      const b3x = net.concat([cb(b3, 384, 1, 3), cb(b3, 384, 3, 1)], `mixed9_${i}`);
      const bd = cb(cb(x, 448, 1, 1), 384, 3, 3);
      const bdx = net.concat([cb(bd, 384, 1, 3), cb(bd, 384, 3, 1)], '*concatenate');
      const bp = cb(avg(x), 192, 1, 1);
      x = net.concat([b1, b3x, bdx, bp], `mixed${9 + i}`);
    }
    return x;
  },
  poolLabels: ['*', '*'],
};

// ---------------------------------------------------------------------------------------------
// InceptionResNetV2 (inception_resnet_v2.py)

const inceptionResNetV2: AppDef = {
  className: 'InceptionResNetV2',
  name: fixedName('inception_resnet_v2'),
  defaultSize: 299,
  minSize: 75,
  base(net, x) {
    /** conv2d_bn: Conv2D without bias, BatchNormalization(scale=False), Activation; `name` names all three. */
    const cb = (t: T, f: number, k: number | [number, number], s = 1, pad: Pad = 'same', name?: string) => {
      const [kh, kw] = typeof k === 'number' ? [k, k] : k;
      const conv = net.conv(t, `${name ?? '*conv2d'} ${kh}×${kw}/${s}`, f, [kh, kw], { s, pad, bias: false });
      return net.act(net.bn(conv, name ? `${name}_bn` : '*', false), name ? `${name}_ac` : '*');
    };
    const max3 = (t: T) => net.pool(t, '*max_pooling2d 3×3/2', 3, 2);
    x = cb(x, 32, 3, 2, 'valid');
    x = cb(x, 32, 3, 1, 'valid');
    x = cb(x, 64, 3);
    x = max3(x);
    x = cb(x, 80, 1, 1, 'valid');
    x = cb(x, 192, 3, 1, 'valid');
    x = max3(x);
    {
      const b0 = cb(x, 96, 1);
      const b1 = cb(cb(x, 48, 1), 64, 5);
      const b2 = cb(cb(cb(x, 64, 1), 96, 3), 96, 3);
      const bp = cb(net.pool(x, '*average_pooling2d', 3, 1, 'same', 'AveragePooling2D'), 64, 1);
      x = net.concat([b0, b1, b2, bp], 'mixed_5b');
    }
    /** inception_resnet_block: branches, `{block}_mixed`, a 1×1 conv with bias back to the input's channels, `x + r·scale` (CustomScaleLayer), ReLU. */
    const block = (t: T, type: 'block35' | 'block17' | 'block8', idx: number, relu = true): T => {
      let branches: T[];
      if (type === 'block35') branches = [cb(t, 32, 1), cb(cb(t, 32, 1), 32, 3), cb(cb(cb(t, 32, 1), 48, 3), 64, 3)];
      else if (type === 'block17') branches = [cb(t, 192, 1), cb(cb(cb(t, 128, 1), 160, [1, 7]), 192, [7, 1])];
      else branches = [cb(t, 192, 1), cb(cb(cb(t, 192, 1), 224, [1, 3]), 256, [3, 1])];
      const name = `${type}_${idx}`;
      const up = net.conv(net.concat(branches, `${name}_mixed`), `${name}_conv`, t.c, 1, { pad: 'same' });
      const out = net.customScale(t, up);
      return relu ? net.act(out, `${name}_ac`) : out;
    };
    for (let i = 1; i <= 10; i++) x = block(x, 'block35', i);
    {
      const b0 = cb(x, 384, 3, 2, 'valid');
      const b1 = cb(cb(cb(x, 256, 1), 256, 3), 384, 3, 2, 'valid');
      x = net.concat([b0, b1, max3(x)], 'mixed_6a');
    }
    for (let i = 1; i <= 20; i++) x = block(x, 'block17', i);
    {
      const b0 = cb(cb(x, 256, 1), 384, 3, 2, 'valid');
      const b1 = cb(cb(x, 256, 1), 288, 3, 2, 'valid');
      const b2 = cb(cb(cb(x, 256, 1), 288, 3), 320, 3, 2, 'valid');
      x = net.concat([b0, b1, b2, max3(x)], 'mixed_7a');
    }
    for (let i = 1; i <= 9; i++) x = block(x, 'block8', i);
    x = block(x, 'block8', 10, false);
    return cb(x, 1536, 1, 1, 'same', 'conv_7b');
  },
  poolLabels: ['*', '*'],
};

// ---------------------------------------------------------------------------------------------
// Xception (xception.py)

const xception: AppDef = {
  className: 'Xception',
  name: fixedName('xception'),
  defaultSize: 299,
  minSize: 71,
  base(net, x) {
    const sepBn = (t: T, name: string, f: number) => net.bn(net.sep(t, name, f, 3, { pad: 'same' }), `${name}_bn`);
    x = net.act(net.bn(net.conv(x, 'block1_conv1 3×3/2', 32, 3, { s: 2, bias: false }), 'block1_conv1_bn'), 'block1_conv1_act');
    x = net.act(net.bn(net.conv(x, 'block1_conv2 3×3', 64, 3, { bias: false }), 'block1_conv2_bn'), 'block1_conv2_act');
    /** An entry-flow block: a 1×1/2 residual (named automatically), two separable convs, a max pool, `add`. */
    const down = (t: T, b: number, f1: number, f2: number, firstAct: boolean): T => {
      const residual = net.bn(net.conv(t, `*block${b} residual conv2d 1×1/2`, f2, 1, { s: 2, pad: 'same', bias: false }));
      if (firstAct) t = net.act(t, `block${b}_sepconv1_act`);
      t = net.act(sepBn(t, `block${b}_sepconv1`, f1), `block${b}_sepconv2_act`);
      t = sepBn(t, `block${b}_sepconv2`, f2);
      return net.add(net.pool(t, `block${b}_pool 3×3/2 same`, 3, 2, 'same'), residual, `*block${b} add`);
    };
    x = down(x, 2, 128, 128, false);
    x = down(x, 3, 256, 256, true);
    x = down(x, 4, 728, 728, true);
    for (let i = 0; i < 8; i++) {
      let y = x;
      for (let j = 1; j <= 3; j++) y = sepBn(net.act(y, `block${i + 5}_sepconv${j}_act`), `block${i + 5}_sepconv${j}`, 728);
      x = net.add(y, x, `*block${i + 5} add`);
    }
    x = down(x, 13, 728, 1024, true);
    x = net.act(sepBn(x, 'block14_sepconv1', 1536), 'block14_sepconv1_act');
    return net.act(sepBn(x, 'block14_sepconv2', 2048), 'block14_sepconv2_act');
  },
  poolLabels: ['*', '*'],
};

// ---------------------------------------------------------------------------------------------
// DenseNet121/169/201 (densenet.py)

function densenet(className: string, blocks: number[]): AppDef {
  return {
    className,
    name: fixedName(className.toLowerCase()),
    defaultSize: 224,
    minSize: 32,
    base(net, x) {
      const bnRelu = (t: T, name: string, bn = `${name}_bn`) => net.act(net.bn(t, bn), `${name}_relu`);
      x = net.zpad(x, '*zero_padding2d', [[3, 3], [3, 3]]);
      x = bnRelu(net.conv(x, 'conv1_conv 7×7/2', 64, 7, { s: 2, bias: false }), 'conv1');
      x = net.zpad(x, '*zero_padding2d_1', [[1, 1], [1, 1]]);
      x = net.pool(x, 'pool1 3×3/2', 3, 2);
      blocks.forEach((n, i) => {
        for (let b = 0; b < n; b++) {
          const name = `conv${i + 2}_block${b + 1}`;
          let y = net.act(net.bn(x, `${name}_0_bn`), `${name}_0_relu`);
          y = bnRelu(net.conv(y, `${name}_1_conv`, 128, 1, { bias: false }), `${name}_1`);
          y = net.conv(y, `${name}_2_conv`, 32, 3, { pad: 'same', bias: false });
          x = net.concat([x, y], `${name}_concat`);
        }
        if (i < 3) {
          const name = `pool${i + 2}`;
          x = bnRelu(x, name);
          x = net.conv(x, `${name}_conv`, Math.trunc(x.c * 0.5), 1, { bias: false });
          x = net.pool(x, `${name}_pool 2×2/2`, 2, 2, 'valid', 'AveragePooling2D');
        }
      });
      return net.act(net.bn(x, 'bn'), 'relu');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// EfficientNetB0–B7 (efficientnet.py)

/** [kernel, repeats, filters_in, filters_out, expand_ratio, strides] of DEFAULT_BLOCKS_ARGS (se_ratio 0.25, id_skip). */
const EFFNET_BLOCKS: [number, number, number, number, number, number][] = [
  [3, 1, 32, 16, 1, 1], [3, 2, 16, 24, 6, 2], [5, 2, 24, 40, 6, 2], [3, 3, 40, 80, 6, 2],
  [5, 3, 80, 112, 6, 1], [5, 4, 112, 192, 6, 2], [3, 1, 192, 320, 6, 1],
];

function efficientnet(variant: number, width: number, depth: number, size: number, dropout: number): AppDef {
  const roundFilters = (f: number) => {
    const filters = f * width;
    let n = Math.max(8, Math.floor(Math.trunc(filters + 4) / 8) * 8);
    if (n < 0.9 * filters) n += 8;
    return n;
  };
  const swish = (net: Net, t: T, label: string) => net.act(t, label, 'swish');
  return {
    className: `EfficientNetB${variant}`,
    name: fixedName(`efficientnetb${variant}`),
    defaultSize: size,
    minSize: 32,
    base(net, x, _cfg, c) {
      // Rescaling, then Normalization(axis=-1): non-trainable mean, variance per channel and a count.
      x = net.same(x, 'Rescaling', '*', { scale: 1 / 255 });
      net.nonTrainable += 2 * x.c + 1;
      x = net.same(x, 'Normalization', '*', { axis: -1 });
      if (c.weights === 'imagenet') x = net.same(x, 'Rescaling', '*', { scale: [0.229, 0.224, 0.225].map((sd) => 1 / Math.sqrt(sd)) });
      x = net.zpad(x, 'stem_conv_pad', net.correctPad(x, 3));
      x = swish(net, net.bn(net.conv(x, 'stem_conv 3×3/2', roundFilters(32), 3, { s: 2, bias: false }), 'stem_bn'), 'stem_activation');
      const total = EFFNET_BLOCKS.reduce((n, args) => n + Math.ceil(depth * args[1]), 0);
      let b = 0;
      EFFNET_BLOCKS.forEach(([k, repeats, fin, fout, expand, strides], i) => {
        const out = roundFilters(fout);
        let inF = roundFilters(fin);
        for (let j = 0; j < Math.ceil(depth * repeats); j++) {
          const p = `block${i + 1}${String.fromCharCode(97 + j)}_`;
          const s = j > 0 ? 1 : strides;
          if (j > 0) inF = out;
          const filters = inF * expand;
          let y = x;
          if (expand !== 1) y = swish(net, net.bn(net.conv(y, `${p}expand_conv`, filters, 1, { pad: 'same', bias: false }), `${p}expand_bn`), `${p}expand_activation`);
          if (s === 2) y = net.zpad(y, `${p}dwconv_pad`, net.correctPad(y, k));
          y = swish(net, net.bn(net.dw(y, `${p}dwconv ${k}×${k}/${s}`, k, { s, pad: s === 2 ? 'valid' : 'same' }), `${p}bn`), `${p}activation`);
          y = net.squeezeExcite(y, p, Math.max(1, Math.trunc(inF * 0.25)), 'swish');
          y = net.bn(net.conv(y, `${p}project_conv`, out, 1, { pad: 'same', bias: false }), `${p}project_bn`);
          // Every block with a skip has a drop_connect rate above 0 (only the first block has 0, and it has no skip).
          x = s === 1 && inF === out ? net.add(net.same(y, 'Dropout', `${p}drop`, { rate: (0.2 * b) / total }), x, `${p}add`) : y;
          b++;
        }
      });
      return swish(net, net.bn(net.conv(x, 'top_conv', roundFilters(1280), 1, { pad: 'same', bias: false }), 'top_bn'), 'top_activation');
    },
    top: (net, x, classes, cfg) => net.fc(net.same(net.global(x, 'avg_pool'), 'Dropout', 'top_dropout', { rate: dropout }), 'predictions', classes, classifierActivation(cfg)),
  };
}

// ---------------------------------------------------------------------------------------------
// EfficientNetV2 B0–B3, S, M, L (efficientnet_v2.py)

/** [kernel, repeats, input_filters, output_filters, expand_ratio, se_ratio, strides, fused]. */
type V2Block = [number, number, number, number, number, number, number, boolean];
const V2_B: V2Block[] = [
  [3, 1, 32, 16, 1, 0, 1, true], [3, 2, 16, 32, 4, 0, 2, true], [3, 2, 32, 48, 4, 0, 2, true],
  [3, 3, 48, 96, 4, 0.25, 2, false], [3, 5, 96, 112, 6, 0.25, 1, false], [3, 8, 112, 192, 6, 0.25, 2, false],
];
const V2_S: V2Block[] = [
  [3, 2, 24, 24, 1, 0, 1, true], [3, 4, 24, 48, 4, 0, 2, true], [3, 4, 48, 64, 4, 0, 2, true],
  [3, 6, 64, 128, 4, 0.25, 2, false], [3, 9, 128, 160, 6, 0.25, 1, false], [3, 15, 160, 256, 6, 0.25, 2, false],
];
const V2_M: V2Block[] = [
  [3, 3, 24, 24, 1, 0, 1, true], [3, 5, 24, 48, 4, 0, 2, true], [3, 5, 48, 80, 4, 0, 2, true], [3, 7, 80, 160, 4, 0.25, 2, false],
  [3, 14, 160, 176, 6, 0.25, 1, false], [3, 18, 176, 304, 6, 0.25, 2, false], [3, 5, 304, 512, 6, 0.25, 1, false],
];
const V2_L: V2Block[] = [
  [3, 4, 32, 32, 1, 0, 1, true], [3, 7, 32, 64, 4, 0, 2, true], [3, 7, 64, 96, 4, 0, 2, true], [3, 10, 96, 192, 4, 0.25, 2, false],
  [3, 19, 192, 224, 6, 0.25, 1, false], [3, 25, 224, 384, 6, 0.25, 2, false], [3, 7, 384, 640, 6, 0.25, 1, false],
];

function efficientnetV2(suffix: string, blocks: V2Block[], width: number, depth: number, size: number): AppDef {
  // round_filters of efficientnet_v2.py: no 10% rule, min_depth 8.
  const roundFilters = (f: number) => Math.max(8, Math.floor(Math.trunc(f * width + 4) / 8) * 8);
  return {
    className: `EfficientNetV2${suffix}`,
    name: fixedName(`efficientnetv2-${suffix.toLowerCase()}`),
    defaultSize: size,
    minSize: 32,
    base(net, x, cfg) {
      const swish = (t: T, label: string) => net.act(t, label, 'swish');
      const pre = cfg.bool('include_preprocessing', true);
      if (net.recording && pre === null) return null;
      if (pre !== false) {
        // Rescaling (+ Normalization with given mean/variance when the model's name ends in `-b…` and
        // the input has 3 channels): no weights.
        const name = String(cfg.raw.name ?? `efficientnetv2-${suffix.toLowerCase()}`);
        if ((name.split('-').pop() ?? '').startsWith('b') && x.c === 3) {
          x = net.same(x, 'Rescaling', '*', { scale: 1 / 255 });
          x = net.same(x, 'Normalization', '*', { mean: [0.485, 0.456, 0.406], variance: [0.229 ** 2, 0.224 ** 2, 0.225 ** 2], axis: -1 });
        } else x = net.same(x, 'Rescaling', '*', { scale: 1 / 128, offset: -1 });
      }
      x = swish(net.bn(net.conv(x, 'stem_conv 3×3/2', roundFilters(blocks[0][2]), 3, { s: 2, pad: 'same', bias: false }), 'stem_bn'), 'stem_activation');
      const total = blocks.reduce((n, args) => n + args[1], 0);
      let b = 0;
      blocks.forEach(([k, repeats, fin, fout, expand, se, strides, fused], i) => {
        const out = roundFilters(fout);
        let inF = roundFilters(fin);
        for (let j = 0; j < Math.ceil(depth * repeats); j++) {
          const p = `block${i + 1}${String.fromCharCode(97 + j)}_`;
          const s = j > 0 ? 1 : strides;
          if (j > 0) inF = out;
          const filters = inF * expand;
          let y = x;
          if (fused) {
            if (expand !== 1) y = swish(net.bn(net.conv(y, `${p}expand_conv ${k}×${k}/${s}`, filters, k, { s, pad: 'same', bias: false }), `${p}expand_bn`), `${p}expand_activation`);
            if (se > 0 && se <= 1) y = net.squeezeExcite(y, p, Math.max(1, Math.trunc(inF * se)), 'swish');
            const pk = expand !== 1 ? 1 : k;
            const ps = expand !== 1 ? 1 : s;
            y = net.bn(net.conv(y, `${p}project_conv ${pk}×${pk}/${ps}`, out, pk, { s: ps, pad: 'same', bias: false }), `${p}project_bn`);
            if (expand === 1) y = swish(y, `${p}project_activation`);
          } else {
            if (expand !== 1) y = swish(net.bn(net.conv(y, `${p}expand_conv`, filters, 1, { pad: 'same', bias: false }), `${p}expand_bn`), `${p}expand_activation`);
            y = swish(net.bn(net.dw(y, `${p}dwconv2 ${k}×${k}/${s}`, k, { s, pad: 'same' }), `${p}bn`), `${p}activation`);
            if (se > 0 && se <= 1) y = net.squeezeExcite(y, p, Math.max(1, Math.trunc(inF * se)), 'swish');
            y = net.bn(net.conv(y, `${p}project_conv`, out, 1, { pad: 'same', bias: false }), `${p}project_bn`);
          }
          // survival_probability = 0.2·b / blocks: no Dropout for the very first block.
          if (s === 1 && inF === out) x = net.add(b > 0 ? net.same(y, 'Dropout', `${p}drop`, { rate: (0.2 * b) / total }) : y, x, `${p}add`);
          else x = y;
          b++;
        }
      });
      return swish(net.bn(net.conv(x, 'top_conv', roundFilters(1280), 1, { pad: 'same', bias: false }), 'top_bn'), 'top_activation');
    },
    top: (net, x, classes, cfg) => net.fc(net.same(net.global(x, 'avg_pool'), 'Dropout', 'top_dropout', { rate: 0.2 }), 'predictions', classes, classifierActivation(cfg)),
  };
}

// ---------------------------------------------------------------------------------------------
// ConvNeXt Tiny/Small/Base/Large/XLarge (convnext.py)

function convnext(variant: string, depths: number[], dims: number[]): AppDef {
  const modelName = (cfg: Cfg) => (typeof cfg.raw.name === 'string' ? cfg.raw.name : `convnext_${variant.toLowerCase()}`);
  return {
    className: `ConvNeXt${variant}`,
    name: fixedName(`convnext_${variant.toLowerCase()}`),
    defaultSize: 224,
    minSize: 32,
    base(net, x, cfg) {
      // Every layer name starts with the model's name.
      const m = modelName(cfg);
      const pre = cfg.bool('include_preprocessing', true);
      if (net.recording && pre === null) return null;
      // PreStem: Normalization with a given mean/variance, no weights (3-channel inputs only).
      if (pre !== false && x.c === 3) {
        x = net.same(x, 'Normalization', `${m}_prestem_normalization`, { mean: [0.485 * 255, 0.456 * 255, 0.406 * 255], variance: [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2], axis: -1 });
      }
      depths.forEach((d, i) => {
        // The stem and each downsampling block are Sequential models inside the application.
        if (i === 0) x = net.group(x, `${m}_stem`, (t) => net.layerNorm(net.conv(t, `${m}_stem_conv 4×4/4`, dims[0], 4, { s: 4 }), `${m}_stem_layernorm`));
        else x = net.group(x, `${m}_downsampling_block_${i - 1}`, (t) => net.conv(net.layerNorm(t, `${m}_downsampling_layernorm_${i - 1}`), `${m}_downsampling_conv_${i - 1} 2×2/2`, dims[i], 2, { s: 2 }));
        for (let j = 0; j < d; j++) {
          const dim = dims[i];
          const p = `${m}_stage_${i}_block_${j}`;
          let y = net.conv(x, `${p}_depthwise_conv`, dim, 7, { pad: 'same', groups: dim });
          y = net.fc(net.layerNorm(y, `${p}_layernorm`), `${p}_pointwise_conv_1`, 4 * dim);
          y = net.fc(net.act(y, `${p}_gelu`, 'gelu'), `${p}_pointwise_conv_2`, dim);
          y = net.layerScale(y, `${p}_layer_scale`);
          // drop_path_rate is 0.0 in every ConvNeXt constructor: an identity Activation, then `inputs + x`.
          x = net.op2(x, net.act(y, `${p}_identity`, 'linear'), 'add');
        }
      });
      return x;
    },
    top(net, x, classes, cfg) {
      const m = modelName(cfg);
      return net.fc(net.layerNorm(net.global(x, `${m}_head_gap`), `${m}_head_layernorm`), `${m}_head_dense`, classes, classifierActivation(cfg));
    },
    poolLabels: ['*', '*'],
    noTop: (net, x) => net.layerNorm(x, '*'),
  };
}

// ---------------------------------------------------------------------------------------------
// NASNetMobile / NASNetLarge (nasnet.py)

function nasnet(className: string, penultimate: number, numBlocks: number, stemFilters: number, skipReduction: boolean, size: number): AppDef {
  // Every ReLU in the cells is an automatically named Activation.
  const relu = (net: Net, t: T, label = '*') => net.act(t, label);
  const sepBlock = (net: Net, ip: T, filters: number, k: number, s: number, label: string): T => {
    let x = relu(net, ip);
    if (s === 2) x = net.zpad(x, `separable_conv_1_pad_${label}`, net.correctPad(x, k));
    x = net.bn(net.sep(x, `separable_conv_1_${label} ${k}×${k}/${s}`, filters, k, { s, pad: s === 2 ? 'valid' : 'same' }), `separable_conv_1_bn_${label}`);
    x = relu(net, x);
    return net.bn(net.sep(x, `separable_conv_2_${label}`, filters, k, { pad: 'same' }), `separable_conv_2_bn_${label}`);
  };
  /** _adjust_block: compares the built widths (axis -2) of p and ip. */
  const adjust = (net: Net, p: T | null, ip: T, filters: number, id: string): T => {
    if (p === null) return ip;
    if (p.bw !== ip.bw) {
      const half = Math.floor(filters / 2);
      p = relu(net, p, `adjust_relu_1_${id}`);
      const p1 = net.conv(net.pool(p, `adjust_avg_pool_1_${id} 1×1/2`, 1, 2, 'valid', 'AveragePooling2D'), `adjust_conv_1_${id}`, half, 1, { pad: 'same', bias: false });
      let p2 = net.crop(net.zpad(p, `*adjust_pad_${id}`, [[0, 1], [0, 1]]), [[1, 0], [1, 0]]);
      p2 = net.conv(net.pool(p2, `adjust_avg_pool_2_${id} 1×1/2`, 1, 2, 'valid', 'AveragePooling2D'), `adjust_conv_2_${id}`, half, 1, { pad: 'same', bias: false });
      return net.bn(net.concat([p1, p2], `*adjust_concat_${id}`), `adjust_bn_${id}`);
    }
    if (p.c !== filters) return net.bn(net.conv(relu(net, p), `adjust_conv_projection_${id}`, filters, 1, { pad: 'same', bias: false }), `adjust_bn_${id}`);
    return p;
  };
  const avg3 = (net: Net, t: T, label: string, s = 1) => net.pool(t, label, 3, s, s === 1 ? 'same' : 'valid', 'AveragePooling2D');
  const normal = (net: Net, ip: T, p0: T | null, filters: number, id: string): [T, T] => {
    const p = adjust(net, p0, ip, filters, id);
    const h = net.bn(net.conv(relu(net, ip), `normal_conv_1_${id}`, filters, 1, { pad: 'same', bias: false }), `normal_bn_1_${id}`);
    const x1 = net.add(sepBlock(net, h, filters, 5, 1, `normal_left1_${id}`), sepBlock(net, p, filters, 3, 1, `normal_right1_${id}`), `normal_add_1_${id}`);
    const x2 = net.add(sepBlock(net, p, filters, 5, 1, `normal_left2_${id}`), sepBlock(net, p, filters, 3, 1, `normal_right2_${id}`), `normal_add_2_${id}`);
    const x3 = net.add(avg3(net, h, `normal_left3_${id}`), p, `normal_add_3_${id}`);
    const x4 = net.add(avg3(net, p, `normal_left4_${id}`), avg3(net, p, `normal_right4_${id}`), `normal_add_4_${id}`);
    const x5 = net.add(sepBlock(net, h, filters, 3, 1, `normal_left5_${id}`), h, `normal_add_5_${id}`);
    return [net.concat([p, x1, x2, x3, x4, x5], `normal_concat_${id}`), ip];
  };
  const reduction = (net: Net, ip: T, p0: T | null, filters: number, id: string): [T, T] => {
    const p = adjust(net, p0, ip, filters, id);
    const h = net.bn(net.conv(relu(net, ip), `reduction_conv_1_${id}`, filters, 1, { pad: 'same', bias: false }), `reduction_bn_1_${id}`);
    const h3 = net.zpad(h, `reduction_pad_1_${id}`, net.correctPad(h, 3));
    const x1 = net.add(sepBlock(net, h, filters, 5, 2, `reduction_left1_${id}`), sepBlock(net, p, filters, 7, 2, `reduction_right1_${id}`), `reduction_add_1_${id}`);
    const x2 = net.add(net.pool(h3, `reduction_left2_${id} 3×3/2`, 3, 2), sepBlock(net, p, filters, 7, 2, `reduction_right2_${id}`), `reduction_add_2_${id}`);
    const x3 = net.add(avg3(net, h3, `reduction_left3_${id} 3×3/2`, 2), sepBlock(net, p, filters, 5, 2, `reduction_right3_${id}`), `reduction_add3_${id}`);
    const x4 = net.add(x2, avg3(net, x1, `reduction_left4_${id}`), `*reduction_add4 ${id}`);
    const x5 = net.add(sepBlock(net, x1, filters, 3, 1, `reduction_left4_${id}`), net.pool(h3, `reduction_right5_${id} 3×3/2`, 3, 2), `reduction_add4_${id}`);
    return [net.concat([x2, x3, x4, x5], `reduction_concat_${id}`), ip];
  };
  return {
    className,
    name: fixedName(className === 'NASNetMobile' ? 'nasnet_mobile' : 'nasnet_large'),
    defaultSize: size,
    minSize: 32,
    inputShape(c, cfg, ctx) {
      const given = c.inputShape;
      if (given && given.includes(null) && c.weights === 'imagenet') {
        ctx.error(
          DiagnosticCode.invalidConfig,
          `${ctx.layerName} (${className}): When specifying the input shape of a NASNet and loading \`ImageNet\` weights, the input_shape argument must be static (no None entries). Got: \`input_shape=${tuple(given)}\`.`,
        );
        return 'error';
      }
      // NASNetMobile builds on (224, 224, 3) when include_top=False and no input_shape is given.
      const forced = className === 'NASNetMobile' && c.includeTop === false && given === undefined ? { ...c, inputShape: [224, 224, 3] } : c;
      const shape = obtainInputShape(forced, size, 32, ctx);
      if (Array.isArray(shape) && (shape[0] === null || shape[1] === null)) {
        // The cells decide how to match their two inputs by comparing built sizes; with None sizes
        // Keras builds cells whose additions fail once the model sees real images.
        ctx.error(DiagnosticCode.invalidConfig, `${ctx.layerName} (${className}): NASNet needs a static \`input_shape\` (its cells compare feature-map sizes while the model is built); received input_shape=${tuple(shape)}.`);
        return 'error';
      }
      return shape;
    },
    base(net, x) {
      const filters = Math.floor(penultimate / 24);
      x = net.bn(net.conv(x, 'stem_conv1 3×3/2', stemFilters, 3, { s: 2, bias: false }), 'stem_bn1');
      let p: T | null = null;
      [x, p] = reduction(net, x, p, Math.floor(filters / 4), 'stem_1');
      [x, p] = reduction(net, x, p, Math.floor(filters / 2), 'stem_2');
      for (let i = 0; i < numBlocks; i++) [x, p] = normal(net, x, p, filters, `${i}`);
      let p0: T;
      [x, p0] = reduction(net, x, p, filters * 2, `reduce_${numBlocks}`);
      p = skipReduction ? p : p0;
      for (let i = 0; i < numBlocks; i++) [x, p] = normal(net, x, p, filters * 2, `${numBlocks + i + 1}`);
      [x, p0] = reduction(net, x, p, filters * 4, `reduce_${2 * numBlocks}`);
      p = skipReduction ? p : p0;
      for (let i = 0; i < numBlocks; i++) [x, p] = normal(net, x, p, filters * 4, `${2 * numBlocks + i + 1}`);
      return relu(net, x);
    },
    top: (net, x, classes, cfg) => net.fc(net.global(x, '*'), 'predictions', classes, classifierActivation(cfg)),
    poolLabels: ['*', '*'],
  };
}

// ---------------------------------------------------------------------------------------------

const APPS: AppDef[] = [
  vgg('VGG16', [2, 2, 3, 3, 3]),
  vgg('VGG19', [2, 2, 4, 4, 4]),
  resnet('ResNet50', 'resnet50', [3, 4, 6, 3], false),
  resnet('ResNet101', 'resnet101', [3, 4, 23, 3], false),
  resnet('ResNet152', 'resnet152', [3, 8, 36, 3], false),
  resnet('ResNet50V2', 'resnet50v2', [3, 4, 6, 3], true),
  resnet('ResNet101V2', 'resnet101v2', [3, 4, 23, 3], true),
  resnet('ResNet152V2', 'resnet152v2', [3, 8, 36, 3], true),
  mobilenet,
  mobilenetV2,
  mobilenetV3('MobileNetV3Small', V3_SMALL, 1024, 3),
  mobilenetV3('MobileNetV3Large', V3_LARGE, 1280, 6),
  inceptionV3,
  inceptionResNetV2,
  xception,
  densenet('DenseNet121', [6, 12, 24, 16]),
  densenet('DenseNet169', [6, 12, 32, 32]),
  densenet('DenseNet201', [6, 12, 48, 32]),
  efficientnet(0, 1.0, 1.0, 224, 0.2),
  efficientnet(1, 1.0, 1.1, 240, 0.2),
  efficientnet(2, 1.1, 1.2, 260, 0.3),
  efficientnet(3, 1.2, 1.4, 300, 0.3),
  efficientnet(4, 1.4, 1.8, 380, 0.4),
  efficientnet(5, 1.6, 2.2, 456, 0.4),
  efficientnet(6, 1.8, 2.6, 528, 0.5),
  efficientnet(7, 2.0, 3.1, 600, 0.5),
  efficientnetV2('B0', V2_B, 1.0, 1.0, 224),
  efficientnetV2('B1', V2_B, 1.0, 1.1, 240),
  efficientnetV2('B2', V2_B, 1.1, 1.2, 260),
  efficientnetV2('B3', V2_B, 1.2, 1.4, 300),
  efficientnetV2('S', V2_S, 1.0, 1.0, 384),
  efficientnetV2('M', V2_M, 1.0, 1.0, 480),
  efficientnetV2('L', V2_L, 1.0, 1.0, 480),
  convnext('Tiny', [3, 3, 9, 3], [96, 192, 384, 768]),
  convnext('Small', [3, 3, 27, 3], [96, 192, 384, 768]),
  convnext('Base', [3, 3, 27, 3], [128, 256, 512, 1024]),
  convnext('Large', [3, 3, 27, 3], [192, 384, 768, 1536]),
  convnext('XLarge', [3, 3, 27, 3], [256, 512, 1024, 2048]),
  nasnet('NASNetMobile', 1056, 4, 32, false, 224),
  nasnet('NASNetLarge', 4032, 6, 96, true, 331),
];

/**
 * ConvNeXt's own `LayerScale` layer (convnext.py): `gamma` of `projection_dim` weights, shape kept.
 * Registered under an internal name so that a user's class of the same name is never taken for it.
 */
const LAYER_SCALE = 'applications.LayerScale';
const layerScaleRule: LayerRule = {
  className: LAYER_SCALE,
  summaryClassName: 'LayerScale',
  outputShape: (inputs) => inputs[0],
  params: (_inputs, cfg) => {
    const dim = cfg.int('projection_dim', 0);
    return { trainable: dim, nonTrainable: 0 };
  },
};

/** InceptionResNetV2's own `CustomScaleLayer` (inception_resnet_v2.py): `inputs[0] + inputs[1] * scale`. */
const CUSTOM_SCALE = 'applications.CustomScaleLayer';
const customScaleRule: LayerRule = {
  className: CUSTOM_SCALE,
  summaryClassName: 'CustomScaleLayer',
  defaultName: () => 'custom_scale_layer',
  arity: 'multi',
  outputShape: (inputs) => inputs[0],
};

/** One rule per `keras.applications` constructor, registered under its function name (and the layers only they use). */
export const applicationRules: LayerRule[] = [...APPS.map(appRule), layerScaleRule, customScaleRule];

/** The constructor names `keras.applications` exports (`from keras.applications import *`), which `keras.layers` does not. */
export const applicationClassNames: readonly string[] = APPS.map((a) => a.className);

/**
 * Replays application `className` built as `config` says, giving every layer to `recorder`. The
 * model's Input has the shape Keras gives it (or `inputShape`, the `input_tensor`'s shape);
 * `input(shape)` makes it and returns its handle. Null (and nothing recorded) when the
 * class is no application, a setting is unknown or Keras would raise: the caller then
 * keeps the application as one layer, whose rule reports why.
 */
export function recordApplication(
  className: string,
  config: LayerConfig,
  recorder: LayerRecorder & { input(shape: RuleShape): unknown },
  inputShape?: RuleShape,
): { name: string; input: unknown; output: unknown; params: ParamCount } | null {
  const app = APPS.find((a) => a.className === className);
  if (!app) return null;
  const cfg = new Cfg(inputShape ? { ...config, input_tensor: UNKNOWN } : config);
  const ctx: RuleContext = { ...NO_REPORTS, layerName: app.name(cfg), className };
  const c = readCommon(cfg);
  let built: RuleDim[] | null | 'error';
  if (inputShape) built = inputShape.slice(1);
  else built = app.inputShape ? app.inputShape(c, cfg, ctx) : obtainInputShape(c, app.defaultSize, app.minSize, ctx);
  if (!Array.isArray(built)) return null;
  const input: RuleShape = [null, ...built];
  // A replay that needs a setting only the recording reads (MobileNetV3's include_preprocessing) fails here, before anything is made.
  const dry = analyse(app, input, cfg, ctx, { layer: () => null, sequential: () => null }, null);
  if (dry.output === null || dry.params.trainable === null || dry.params.nonTrainable === null) return null;
  const ref = recorder.input(input);
  const run = analyse(app, input, cfg, ctx, recorder, ref);
  return { name: app.name(cfg), input: ref, output: run.ref, params: run.params };
}
