// The Pooling lab's training: the user's model (and the same model without its pooling layers,
// whose JSON the core made) built on tfjs from its Keras JSON, fitted to the digits: the input at
// the size trained, the output layer adapted to the 10 digit classes when it differs. Training is
// Keras' defaults (Adam, lr 0.001, categorical cross-entropy, batches of 32, the validation split
// taken from the end before shuffling), seeded: initialisers, the shuffle, and dropout masks. Each
// batch is cut into slices small enough to keep the panel responsive; the gradient of the batch is
// the sum of theirs, so the slicing (fixed before training, never from timing) does not change the
// step. `trainBoth` runs the whole side-by-side training and reports it as plain messages: in the
// lab's web worker (webview/train-worker.ts), or on the panel's main thread when no worker starts.
// No DOM: unit-tested in node.

import * as tf from '@tensorflow/tfjs';
import { digitSample, type Digits } from './digits';
import { fitToInput } from './fit';
import { registerFastKernels } from './kernels';
import { seededJson } from './model';
import type { MapSize } from '../src/protocol';

/** The two models the Pooling lab trains: the model as written, and without its pooling layers. */
export type Which = 'with' | 'without';
export const WHICH: readonly Which[] = ['with', 'without'];

export const CLASSES = 10;
export const BATCH_SIZE = 32;
/** Keras' Adam defaults (tfjs' epsilon is 1e-8; Keras' 1e-7). */
const LEARNING_RATE = 0.001;
const EPSILON = 1e-7;
/** Forward multiply-adds per slice of a batch: a few ms of training on tfjs' CPU backend. */
export const SLICE_MACS = 300_000;

/** mulberry32: the seeded generator of the shuffle and of dropout masks. */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with `rand`. */
export function shuffled(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * A copy of `json` whose input layer takes `size` (the batch_input_shape of its one InputLayer),
 * or why not. The layers after it are rebuilt by tfjs for that size (a Flatten's Dense gets other weights).
 */
export function resizedJson(json: object, size: MapSize): { json: object } | { error: string } {
  const copy = structuredClone(json) as Json;
  const config = copy.config;
  if (!isObj(config) || !Array.isArray(config.layers)) return { error: 'its JSON has no layers' };
  const layers = config.layers as Json[];
  let input: Json | undefined;
  if (copy.class_name === 'Sequential') input = layers.find((l) => l.class_name === 'InputLayer');
  else {
    const refs = config.input_layers;
    if (!Array.isArray(refs) || refs.length !== 1 || !Array.isArray(refs[0])) return { error: 'the lab trains models of one input' };
    const name = refs[0][0];
    input = layers.find((l) => l.class_name === 'InputLayer' && (l.name === name || (isObj(l.config) && l.config.name === name)));
  }
  const cfg = input?.config;
  if (!isObj(cfg) || !Array.isArray(cfg.batch_input_shape)) return { error: 'its input layer has no shape' };
  const rank = cfg.batch_input_shape.length;
  cfg.batch_input_shape = rank === 3 ? [null, size.height, size.width] : [null, size.height, size.width, size.channels];
  return { json: copy };
}

/** Dropout-like layers: their masks come from Math.random, which a training step seeds. */
const RANDOM_LAYERS = /^(Dropout|SpatialDropout[123]D|GaussianDropout|GaussianNoise|AlphaDropout)$/;

export interface Trainable {
  model: tf.LayersModel;
  /** The output layer the adapted model replaced (not part of `model`: freed on its own). */
  replaced: tf.layers.Layer | null;
  /** What was changed to train it on the digits (for the screen). */
  notes: string[];
  /** Total params of the model trained (after the output was adapted). */
  params: number;
  /** Forward multiply-adds for one sample (conv and dense kernels), an estimate of its cost. */
  macs: number;
  /** Samples per slice of a batch. */
  slice: number;
  /** The input fed, height × width × channels (rank 3: the model takes height × width). */
  input: MapSize;
  rank: number;
  /** Whether it has layers whose training call is random (seeded per step). */
  random: boolean;
}

/** Builds `json` (seeded like the lab's model) and adapts its output to 10 classes with a softmax. */
export async function buildTrainable(json: object, seed: number): Promise<Trainable> {
  registerFastKernels();
  const base = await tf.models.modelFromJSON(seededJson(json, seed) as never);
  if (base.inputs.length !== 1 || base.outputs.length !== 1) {
    base.dispose();
    throw new Error(`the lab trains models of one input and one output; this one has ${base.inputs.length} and ${base.outputs.length}`);
  }
  const notes: string[] = [];
  const inShape = base.inputs[0].shape;
  let out = base.outputs[0];
  const last = out.sourceLayer as tf.layers.Layer;
  const lastConfig = last.getConfig() as { units?: number; activation?: string };
  const isDense = last.getClassName() === 'Dense';
  let model = base;
  let replaced: tf.layers.Layer | null = null;
  if (!(out.shape.length === 2 && out.shape[1] === CLASSES && isDense && lastConfig.activation === 'softmax')) {
    let from: tf.SymbolicTensor = out;
    let what: string;
    if (isDense && last.inboundNodes.length === 1 && !Array.isArray(last.input)) {
      from = last.input as tf.SymbolicTensor;
      replaced = last;
      what = `its output layer ${last.name} (Dense(${lastConfig.units}, ${lastConfig.activation})) is replaced by Dense(10, softmax) for the 10 digit classes`;
    } else {
      what = `Dense(10, softmax) is added after its output ${formatShape(out.shape)} for the 10 digit classes`;
    }
    if (from.shape.length > 2) {
      from = tf.layers.flatten({ name: 'lab_flatten' }).apply(from) as tf.SymbolicTensor;
      what += ' (after a Flatten)';
    }
    out = tf.layers.dense({ units: CLASSES, activation: 'softmax', name: 'lab_classes', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 10_000 }) }).apply(from) as tf.SymbolicTensor;
    model = tf.model({ inputs: base.inputs, outputs: out });
    notes.push(what);
  }
  const macs = estimateMacs(model);
  const rank = inShape.length - 1;
  const input: MapSize = { height: inShape[1] ?? 0, width: inShape[2] ?? 0, channels: rank === 3 ? (inShape[3] ?? 0) : 1 };
  return {
    model,
    replaced,
    notes,
    params: model.countParams(),
    macs,
    slice: Math.max(1, Math.min(BATCH_SIZE, Math.floor(SLICE_MACS / Math.max(1, macs)))),
    input,
    rank,
    random: model.layers.some((l) => RANDOM_LAYERS.test(l.getClassName())),
  };
}

const formatShape = (s: (number | null)[]) => `(${s.map((d) => (d === null ? 'None' : d)).join(', ')})`;

/** Σ over layers with a kernel of (output values ÷ output channels) × kernel size. */
export function estimateMacs(model: tf.LayersModel): number {
  let total = 0;
  for (const l of model.layers) {
    const kernel = l.weights.find((w) => /kernel$/.test(w.originalName) || /kernel/.test(w.name));
    if (!kernel) continue;
    let outShape: (number | null)[];
    try {
      outShape = (l.outputShape as (number | null)[]) ?? [];
    } catch {
      continue;
    }
    if (!Array.isArray(outShape) || Array.isArray(outShape[0])) continue;
    const outValues = outShape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
    const outC = (outShape[outShape.length - 1] as number | null) ?? 1;
    const size = kernel.shape.reduce<number>((a, d) => a * (d ?? 1), 1);
    total += (outValues / outC) * size;
  }
  return total;
}

/** Frees the weights: the model's, and the replaced output layer's. */
export function disposeTrainable(t: Trainable | null): void {
  if (!t) return;
  for (const x of [t.model, t.replaced]) {
    try {
      x?.dispose();
    } catch {
      // already disposed
    }
  }
}

/** The digits as training data: the first `count`, the last `split` of them held out for validation. */
export interface Data {
  digits: Digits;
  train: number[];
  val: number[];
}

export function splitData(digits: Digits, count: number, split: number): Data {
  const n = Math.max(2, Math.min(digits.count, Math.floor(count)));
  const nVal = Math.max(1, Math.min(n - 1, Math.floor(n * split)));
  const all = Array.from({ length: n }, (_, i) => i);
  return { digits, train: all.slice(0, n - nVal), val: all.slice(n - nVal) };
}

/** The samples `idx` fitted to the model's input, and their one-hot labels. */
export function batchOf(data: Data, idx: number[], t: Trainable): { x: tf.Tensor; y: tf.Tensor } {
  const size = t.input;
  const per = size.height * size.width * size.channels;
  const xs = new Float32Array(idx.length * per);
  const ys = new Float32Array(idx.length * CLASSES);
  idx.forEach((k, i) => {
    xs.set(fitToInput(digitSample(data.digits, k), size).map.data, i * per);
    ys[i * CLASSES + data.digits.labels[k]] = 1;
  });
  const shape = t.rank === 2 ? [idx.length, size.height, size.width] : [idx.length, size.height, size.width, size.channels];
  return { x: tf.tensor(xs, shape), y: tf.tensor2d(ys, [idx.length, CLASSES]) };
}

/** Keras' categorical cross-entropy on probabilities: −Σ y·log(clip(p, 1e-7, 1 − 1e-7)), summed over the samples. */
function crossEntropySum(y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  return tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, 1e-7, 1 - 1e-7))))) as tf.Scalar;
}

function correct(y: tf.Tensor, p: tf.Tensor): number {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(y, -1), tf.argMax(p, -1)), 'float32')).dataSync()[0]);
}

/** Runs `f` with Math.random drawn from `rand` (tfjs' unseeded dropout masks): synchronous only. */
function withRandom<T>(rand: (() => number) | null, f: () => T): T {
  if (!rand) return f();
  const saved = Math.random;
  Math.random = rand;
  try {
    return f();
  } finally {
    Math.random = saved;
  }
}

export interface EpochResult {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  /** Training time of the epoch (ms, this model's steps and validation only). */
  ms: number;
}

/** Per batch: the running mean loss and accuracy of the epoch so far (what Keras' progress bar prints). */
export interface BatchResult {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  accuracy: number;
}

/** One model's training run: its optimiser, its seeded shuffle, and where it is. */
export class Run {
  readonly optimizer = tf.train.adam(LEARNING_RATE, 0.9, 0.999, EPSILON);
  private readonly shuffle: () => number;
  private readonly dropout: () => number;
  readonly epochs: EpochResult[] = [];
  readonly batches: BatchResult[] = [];
  private order: number[] = [];
  private next = 0;
  private sums = { loss: 0, correct: 0, seen: 0, ms: 0 };

  constructor(
    readonly t: Trainable,
    readonly data: Data,
    seed: number,
  ) {
    this.shuffle = mulberry32(seed);
    this.dropout = mulberry32(seed ^ 0x5eed);
  }

  get epoch(): number {
    return this.epochs.length + 1;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.data.train.length / BATCH_SIZE);
  }

  /**
   * One slice of work: the next batch (its slices computed one after another, `pause` awaited
   * between them), then the validation pass when the epoch ends. Returns the epoch's result when it ended.
   */
  async step(pause: () => Promise<void>): Promise<EpochResult | null> {
    if (this.next === 0) {
      this.order = shuffled(this.data.train.length, this.shuffle).map((i) => this.data.train[i]);
      this.sums = { loss: 0, correct: 0, seen: 0, ms: 0 };
    }
    const idx = this.order.slice(this.next, this.next + BATCH_SIZE);
    const vars = this.t.model.trainableWeights.map((w) => w.read() as tf.Variable);
    let grads: Record<string, tf.Tensor> | null = null;
    let lossSum = 0;
    let right = 0;
    try {
      for (let s = 0; s < idx.length; s += this.t.slice) {
        const t0 = performance.now();
        const part = idx.slice(s, s + this.t.slice);
        const { x, y } = batchOf(this.data, part, this.t);
        let p: tf.Tensor | null = null;
        const { value, grads: g } = withRandom(this.t.random ? this.dropout : null, () =>
          tf.variableGrads(() => {
            const out = this.t.model.apply(x, { training: true }) as tf.Tensor;
            p = tf.keep(out);
            // The batch's mean loss: each slice's summed loss over the batch size, so the slices' gradients add up to the batch's.
            return tf.div(crossEntropySum(y, out), idx.length) as tf.Scalar;
          }, vars),
        );
        lossSum += value.dataSync()[0] * idx.length;
        right += correct(y, p!);
        tf.dispose([value, x, y, p!]);
        if (!grads) grads = g;
        else {
          const prev: Record<string, tf.Tensor> = grads;
          grads = {};
          for (const k of Object.keys(prev)) grads[k] = tf.add(prev[k], g[k]);
          tf.dispose([...Object.values(prev), ...Object.values(g)]);
        }
        this.sums.ms += performance.now() - t0;
        await pause();
      }
    } catch (e) {
      // Stopped (or failed) between slices: free the gradients summed so far.
      if (grads) tf.dispose(Object.values(grads));
      throw e;
    }
    const t1 = performance.now();
    if (grads) {
      this.optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
      tf.dispose(Object.values(grads));
    }
    this.sums.ms += performance.now() - t1;
    this.sums.loss += lossSum;
    this.sums.correct += right;
    this.sums.seen += idx.length;
    this.next += idx.length;
    const batch = Math.ceil(this.next / BATCH_SIZE);
    this.batches.push({ epoch: this.epoch, batch, batches: this.batchesPerEpoch, loss: this.sums.loss / this.sums.seen, accuracy: this.sums.correct / this.sums.seen });
    if (this.next < this.order.length) return null;
    const v = await this.evaluate(this.data.val, pause);
    const result: EpochResult = { epoch: this.epoch, loss: this.sums.loss / this.sums.seen, accuracy: this.sums.correct / this.sums.seen, valLoss: v.loss, valAccuracy: v.accuracy, ms: this.sums.ms + v.ms };
    this.epochs.push(result);
    this.next = 0;
    return result;
  }

  /** Mean loss and accuracy on `idx` (inference mode), in slices. */
  async evaluate(idx: number[], pause: () => Promise<void>): Promise<{ loss: number; accuracy: number; ms: number }> {
    let loss = 0;
    let right = 0;
    let ms = 0;
    const slice = Math.max(1, this.t.slice * 2);
    for (let s = 0; s < idx.length; s += slice) {
      const t0 = performance.now();
      const { x, y } = batchOf(this.data, idx.slice(s, s + slice), this.t);
      const p = this.t.model.predict(x) as tf.Tensor;
      loss += tf.tidy(() => crossEntropySum(y, p).dataSync()[0]);
      right += correct(y, p);
      tf.dispose([x, y, p]);
      ms += performance.now() - t0;
      await pause();
    }
    return { loss: loss / idx.length, accuracy: right / idx.length, ms };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/** What an epoch's numbers say (seed 000's "observation" column), from this epoch and the one before. */
export function observe(cur: EpochResult, prev: EpochResult | null): string {
  if (![cur.loss, cur.valLoss].every(Number.isFinite)) return 'the loss is not a finite number: training diverged';
  const gap = cur.accuracy - cur.valAccuracy;
  if (!prev) {
    if (cur.accuracy <= 0.15) return 'no better than chance (10 classes) yet';
    return gap > 0.1 ? 'learning; validation accuracy already behind training' : 'starts learning: accuracy above chance (0.10)';
  }
  const lossDown = cur.loss < prev.loss;
  const valUp = cur.valLoss > prev.valLoss;
  if (lossDown && valUp && cur.accuracy >= prev.accuracy) return 'validation loss rises while training accuracy climbs: overfitting';
  if (gap > 0.1) return `training accuracy ${gap.toFixed(2)} above validation: overfitting`;
  if (!lossDown) return 'training loss rose: the steps overshoot (or the model stopped improving)';
  if (valUp) return 'training loss falls but validation loss rises: watch for overfitting';
  return 'loss falls, accuracy rises, validation follows: learning';
}

/** What the lab asks to train: plain data (posted to the worker as it is). */
export interface TrainRequest {
  /** Tells this run's messages from an older one's. */
  run: number;
  jsons: Record<Which, object>;
  /** The input size trained; `resized`: it is not the model's own, the JSONs' inputs are set to it. */
  size: MapSize;
  resized: boolean;
  seed: number;
  /** Digits used, the last `split` of them held out for validation. */
  count: number;
  split: number;
  epochs: number;
}

/** Progress of a run, in order: each model built, then its batches and epochs, then one `end`. */
export type TrainEvent =
  | { type: 'built'; run: number; which: Which; params: number; notes: string[]; batchesPerEpoch: number; train: number; val: number }
  | { type: 'batch'; run: number; which: Which; batch: BatchResult }
  | { type: 'epoch'; run: number; which: Which; epoch: EpochResult }
  | { type: 'end'; run: number; phase: 'done' | 'stopped' | 'error'; error?: string };

/** Thrown by a pause when the run is stopped. */
export class Stopped extends Error {}

/**
 * Builds both models and trains them epoch by epoch, batch by batch one model then the other (both
 * curves grow together), awaiting `pause` between slices of work (it throws Stopped to stop).
 * Reports everything through `emit`, ending with one `end`; frees every tensor it made.
 */
export async function trainBoth(req: TrainRequest, digits: Digits, pause: () => Promise<void>, emit: (e: TrainEvent) => void): Promise<void> {
  const models: Partial<Record<Which, Trainable>> = {};
  const runs: Partial<Record<Which, Run>> = {};
  const { run, size } = req;
  try {
    const data = splitData(digits, req.count, req.split);
    for (const w of WHICH) {
      let json = req.jsons[w];
      if (req.resized) {
        const r = resizedJson(json, size);
        if ('error' in r) throw new Error(`the lab cannot train it at ${size.height}×${size.width}: ${r.error}`);
        json = r.json;
      }
      let t: Trainable;
      try {
        t = models[w] = await buildTrainable(json, req.seed);
      } catch (e) {
        throw new Error(`tfjs could not build the model ${w} pooling${req.resized ? ` at ${size.height}×${size.width} (try the model's input size)` : ''}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const r = (runs[w] = new Run(t, data, req.seed));
      emit({ type: 'built', run, which: w, params: t.params, notes: t.notes, batchesPerEpoch: r.batchesPerEpoch, train: data.train.length, val: data.val.length });
      await pause();
    }
    for (let e = 0; e < req.epochs; e++) {
      const done: Partial<Record<Which, boolean>> = {};
      while (!done.with || !done.without) {
        for (const w of WHICH) {
          if (done[w]) continue;
          const r = runs[w]!;
          const ended = await r.step(pause);
          emit({ type: 'batch', run, which: w, batch: r.batches[r.batches.length - 1] });
          if (ended) {
            done[w] = true;
            emit({ type: 'epoch', run, which: w, epoch: ended });
          }
        }
      }
    }
    emit({ type: 'end', run, phase: 'done' });
  } catch (e) {
    if (e instanceof Stopped) emit({ type: 'end', run, phase: 'stopped' });
    else emit({ type: 'end', run, phase: 'error', error: e instanceof Error ? e.message : String(e) });
  } finally {
    for (const w of WHICH) {
      runs[w]?.dispose();
      disposeTrainable(models[w] ?? null);
    }
  }
}
