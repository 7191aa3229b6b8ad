// The model lab webview: builds the user's model on tfjs from the Keras JSON the host sends (Keras'
// initialisation, seeded), runs one input through it (an MNIST digit, the colour picture or a
// workspace image, fitted to the model's input) and draws every layer's output: a grid of channels
// with the shape the editor shows beside it. A pooling layer opens the pooling preview on its real
// input. State (the input choice) lives in one object saved with setState.

import './style.css';
import './lab.css';
import { isHostToLab, MAX_MAP_VALUES, type LabLayer, type LabTarget, type LabToHost, type MapData, type MapSize, type RealInput } from '../src/protocol';
import { lineChart } from './chart';
import { DIGIT_SIDE, digits, digitSample } from './digits';
import { fitToInput } from './fit';
import { colour } from './grid';
import { connect, onHostMessage } from './host';
import { decodeImage, type SavedImage } from './image';
import { colourMap, featureMap, type FeatureMap } from './inputs';
import { buildModel, disposeModel, runModel, type BuiltModel, type LayerOutput } from './model';
import { macsSentence, macsTitle, savesSentence, savesTitle } from './macs';
import { initBackend, TFJS_VERSION, type Backend } from './tensor';
import { BATCH_SIZE, observe, trainBoth, Stopped, WHICH, type BatchResult, type EpochResult, type TrainEvent, type TrainRequest, type Which } from './train';
import type { FromTrainWorker, ToTrainWorker } from './train-worker';

type InputKind = 'digit' | 'colour' | 'image';

interface State {
  v: 1;
  target: LabTarget | null;
  input: InputKind;
  /** Index of the digit shown (0 … count − 1). */
  digit: number;
  /** Seed of the "random digit" button's generator (advanced on each press). */
  pick: number;
  /** Seed of the weights' initialisers. */
  seed: number;
  image: SavedImage | null;
  /**
   * tfjs backend: the CPU one by default (one picture through a small model runs in tens of ms,
   * where WebGL first compiles a shader per op, a second or more under software GL).
   */
  backend: 'cpu' | 'webgl';
  /** The Pooling lab's settings: epochs, digits used (validation split included), the size trained. */
  trainEpochs: number;
  trainCount: number;
  trainAt: 'digits' | 'model';
}

const isState = (x: unknown): x is State => {
  const s = x as State;
  return typeof s === 'object' && s !== null && s.v === 1 && typeof s.digit === 'number' && typeof s.seed === 'number' && typeof s.pick === 'number' && (s.backend === 'cpu' || s.backend === 'webgl');
};

/** Channels drawn per layer (the rest are counted, not drawn). */
export const MAX_CHANNELS_SHOWN = 64;
/** Units drawn for a flat (Dense-like) output. */
const MAX_UNITS_SHOWN = 1024;

const host = connect<State, LabToHost>(isState);
const TRAIN_DEFAULTS = { trainEpochs: 3, trainCount: 1000, trainAt: 'digits' } as const;
const saved = host.getState();
let state: State = saved
  ? {
      ...saved,
      trainEpochs: Number.isInteger(saved.trainEpochs) && saved.trainEpochs >= 1 && saved.trainEpochs <= 20 ? saved.trainEpochs : TRAIN_DEFAULTS.trainEpochs,
      trainCount: [500, 1000, 2000].includes(saved.trainCount) ? saved.trainCount : TRAIN_DEFAULTS.trainCount,
      trainAt: saved.trainAt === 'model' ? 'model' : 'digits',
    }
  : { v: 1, target: null, input: 'digit', digit: 0, pick: 1, seed: 0, image: null, backend: 'cpu', ...TRAIN_DEFAULTS };
let backend: Backend | null = null;
let built: { key: string; model: BuiltModel | null; error?: string } | null = null;
let building: Promise<void> | null = null;
let outputs: Map<string, LayerOutput> | null = null;
let runMs = 0;
let firstPaint: number | null = null;
let message: { text: string; error: boolean } | null = null;

const h = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag);
  Object.assign(el, props);
  el.append(...children);
  return el;
};

function button(id: string, text: string, onClick: () => void, title = ''): HTMLButtonElement {
  const b = h('button', { id, textContent: text, title, type: 'button' });
  b.addEventListener('click', onClick);
  return b;
}

const fmt = (n: number | null) => (n === null ? '?' : n.toLocaleString('en-US'));

// ---------------------------------------------------------------------------------------------
// Inputs

/** mulberry32: the "random digit" button's deterministic generator. */
function nextRandom(seed: number): [number, number] {
  let t = (seed + 0x6d2b79f5) | 0;
  let r = Math.imul(t ^ (t >>> 15), 1 | t);
  r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
  t = ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  return [t, (seed + 0x6d2b79f5) | 0];
}

function rawInput(): { map: FeatureMap; label: string } {
  if (state.input === 'image' && state.image) {
    const im = state.image;
    return { map: featureMap(im.height, im.width, 3, Float32Array.from(im.data)), label: `${im.name} (${im.height}×${im.width}×3)` };
  }
  if (state.input === 'colour') return { map: colourMap(), label: 'colour picture 28×28×3' };
  const d = digits();
  const i = ((state.digit % d.count) + d.count) % d.count;
  return { map: digitSample(d, i), label: `digit ${d.labels[i]} (MNIST sample #${(i + 1).toLocaleString('en-US')} of ${d.count.toLocaleString('en-US')})` };
}

/** The input fitted to the model's input shape (and what fitting did). */
function modelInput(): { map: FeatureMap; label: string; note: string } | null {
  const size = state.target?.input;
  if (!size) return null;
  const raw = rawInput();
  const fitted = fitToInput(raw.map, size);
  return { map: fitted.map, label: raw.label, note: fitted.note };
}

// ---------------------------------------------------------------------------------------------
// The model

function modelKey(): string {
  return JSON.stringify([state.target?.json ?? null, state.seed, backend?.name ?? '']);
}

/** (Re)builds the model when its JSON or the seed changed, then runs the input and renders. */
function refresh(): void {
  if (!backend || backend.failed || !state.target) {
    render();
    return;
  }
  const key = modelKey();
  if (built?.key === key || building) {
    if (built?.key === key) runInput();
    render();
    return;
  }
  const json = state.target.json;
  disposeModel(built?.model ?? null);
  built = null;
  outputs = null;
  if (!json || !state.target.input) {
    built = { key, model: null };
    render();
    return;
  }
  render();
  building = buildModel(json, state.seed).then(
    (model) => {
      performance.mark('lab:built');
      built = { key, model };
    },
    (e: unknown) => {
      built = { key, model: null, error: e instanceof Error ? e.message : String(e) };
    },
  );
  void building.then(() => {
    building = null;
    // The target may have changed while building: start again if so.
    if (modelKey() !== key) refresh();
    else {
      runInput();
      render();
    }
  });
}

function runInput(): void {
  outputs = null;
  const m = built?.model;
  const input = modelInput();
  if (!m || !input) return;
  const t0 = performance.now();
  try {
    outputs = runModel(m, input.map);
  } catch (e) {
    built = { key: built!.key, model: m, error: `tfjs could not run the model: ${e instanceof Error ? e.message : String(e)}` };
  }
  runMs = performance.now() - t0;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  const focusId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
  const t = state.target;
  const parts: (HTMLElement | string)[] = [header()];
  if (t) {
    parts.push(inputBar(), exportNotes(t));
    // Not run (cannot be built or fed here): still every layer with the shape the editor shows.
    if (outputs) parts.push(layerList(t, outputs));
    else if (backend && !building && (built?.error || !t.json || !t.input)) parts.push(layerList(t, new Map()));
    parts.push(poolingLab(t));
  }
  app.replaceChildren(...parts);
  app.dataset.target = t?.key ?? '';
  app.dataset.ready = outputs ? 'yes' : 'no';
  if (outputs && firstPaint === null) {
    performance.mark('lab:painted');
    firstPaint = performance.now();
    app.dataset.firstPaint = firstPaint.toFixed(0);
  }
  host.setState(state);
  const again = focusId ? document.getElementById(focusId) : null;
  if (again) again.focus();
}

function header(): HTMLElement {
  const t = state.target;
  const head = h('header', {});
  head.append(h('h1', { id: 'title', textContent: t ? `Model lab: ${t.name}` : 'Model lab' }));
  if (t) {
    const total = t.preview.paramsWith;
    head.append(h('p', { id: 'model-info', textContent: `Input ${t.inputShape} · ${fmt(total)} params · ${t.layers.length} layer${t.layers.length === 1 ? '' : 's'} (as Shape Lens reads the code; follows your edits)` }));
  } else {
    head.append(h('p', { id: 'model-info', textContent: 'Open the lab from a model: its code lens, its row in the Model Summary view, or the command palette.' }));
  }
  const status = h('p', { id: 'status', className: backend?.failed || built?.error ? 'error' : backend?.fallback ? 'warning' : '' });
  status.setAttribute('role', 'status');
  status.textContent = !backend
    ? `Starting tfjs ${TFJS_VERSION}…`
    : backend.failed
      ? backend.fallback ?? 'tfjs could not start.'
      : built?.error
        ? `tfjs could not build this model: ${built.error}`
        : building
          ? `Building the model in tfjs ${TFJS_VERSION}…`
          : built?.model
            ? `tfjs ${TFJS_VERSION} · backend: ${backend.name}${backend.fallback ? ` (${backend.fallback})` : ''} · built in ${built.model.ms.toFixed(0)} ms · ran in ${runMs.toFixed(0)} ms · weights: Keras' initialisation (glorot-uniform kernels, zero biases), seed ${state.seed}, untrained`
            : `tfjs ${TFJS_VERSION} · backend: ${backend.name}`;
  head.append(status);
  return head;
}

function inputBar(): HTMLElement {
  const t = state.target!;
  const bar = h('section', { id: 'inputs', className: 'toolbar' });
  const select = h('select', { id: 'input-select' });
  select.setAttribute('aria-label', 'Input');
  const options: [InputKind, string][] = [['digit', 'MNIST digit'], ['colour', 'Colour picture']];
  if (state.image) options.push(['image', state.image.name]);
  for (const [v, text] of options) select.append(h('option', { value: v, textContent: text, selected: v === state.input }));
  select.addEventListener('change', () => update(() => (state.input = select.value as InputKind)));
  bar.append(h('label', {}, 'Input ', select));
  if (state.input === 'digit') {
    const count = digits().count;
    bar.append(
      button('digit-prev', '◀', () => update(() => (state.digit = (state.digit - 1 + count) % count)), 'Previous digit'),
      button('digit-next', '▶', () => update(() => (state.digit = (state.digit + 1) % count)), 'Next digit'),
      button('digit-random', 'Random', () => update(() => {
        const [r, next] = nextRandom(state.pick);
        state.pick = next;
        state.digit = Math.floor(r * count);
      }), 'A random digit (seeded: the same sequence each time)'),
    );
  }
  bar.append(button('pick-image', 'Image from workspace…', () => {
    message = { text: 'Pick an image in the list at the top of the window…', error: false };
    host.post({ type: 'pickImage' });
    render();
  }));
  const seed = h('input', { id: 'seed', type: 'number', min: '0', max: '999999', value: String(state.seed) });
  seed.setAttribute('aria-label', 'Weights seed');
  seed.addEventListener('change', () => {
    const v = Number(seed.value);
    if (Number.isInteger(v) && v >= 0 && v <= 999_999) update(() => (state.seed = v));
  });
  bar.append(h('label', {}, 'Weights seed ', seed));
  const engine = h('select', { id: 'backend-select' });
  engine.setAttribute('aria-label', 'tfjs backend');
  for (const [v, text] of [['cpu', 'CPU'], ['webgl', 'WebGL']] as const) engine.append(h('option', { value: v, textContent: text, selected: v === state.backend }));
  engine.addEventListener('change', () => {
    state.backend = engine.value === 'webgl' ? 'webgl' : 'cpu';
    startBackend();
  });
  bar.append(h('label', {}, 'Backend ', engine));
  const out = h('div', {}, bar);
  const input = t.input ? modelInput() : null;
  if (input) out.append(h('p', { id: 'input-label', className: 'note', textContent: `Running ${input.label}${input.note ? `: ${input.note}` : ''} → ${t.inputShape}. Values in [0, 1].` }));
  if (message) {
    const p = h('p', { id: 'image-message', className: message.error ? 'error' : 'note', textContent: message.text });
    p.setAttribute('role', message.error ? 'alert' : 'status');
    out.append(p);
  }
  return out;
}

/** Why (part of) the model does not run here: layers tfjs lacks, or an input the lab cannot feed. */
function exportNotes(t: LabTarget): HTMLElement | string {
  const box = h('section', { id: 'export-notes' });
  if (!t.json) box.append(h('p', { className: 'warning', id: 'not-exported', textContent: `The lab cannot build this model in tfjs: ${t.reason ?? (t.skipped[0] ? `${t.skipped[0].name} (${t.skipped[0].className}) ${t.skipped[0].reason}` : 'nothing could be exported')}.` }));
  else if (!t.input) box.append(h('p', { className: 'warning', id: 'no-input', textContent: `The lab cannot run this model: ${t.inputWhy ?? `its input is ${t.inputShape}`}.` }));
  if (t.json && t.skipped.length > 0) {
    const first = t.skipped[0];
    box.append(h('p', { className: 'warning', id: 'skipped', textContent: `Shown up to ${first.name} (${first.className}): ${first.reason}. ${t.skipped.length === 1 ? 'That layer is' : `Those ${t.skipped.length} layers are`} not run here: ${t.skipped.map((s) => s.name).join(', ')}.` }));
  }
  return box.childNodes.length > 0 ? box : '';
}

function layerList(t: LabTarget, outs: Map<string, LayerOutput>): HTMLElement {
  const list = h('div', { id: 'layers' });
  const input = modelInput();
  // Keras 2 lists a functional model's InputLayer as a row; else the input is drawn first.
  if (input && !t.layers.some((l) => l.className === 'InputLayer')) list.append(layerBlock({ name: 'input', className: 'Input', line: null, outputShape: t.inputShape, params: null }, { shape: [input.map.height, input.map.width, input.map.channels], data: input.map.data }, 'input'));
  const skipped = new Map(t.skipped.map((s) => [s.name, s]));
  t.layers.forEach((l, i) => {
    const out = outs.get(l.name);
    if (out) list.append(layerBlock(l, out, `l${i}`));
    else {
      const why = skipped.get(l.name)?.reason ?? (outs.size === 0 ? 'the model does not run here (see above)' : l.className === 'InputLayer' ? 'the model input (shown above)' : 'tfjs gave no output for it');
      list.append(h('section', { className: 'layer card not-run', id: `layer-l${i}` }, h('h2', {}, `${l.name} (${l.className}) `, h('span', { className: 'keras-shape', textContent: l.outputShape })), savesNote(l, `l${i}`), h('p', { className: 'note', textContent: `Not run: ${why}.` })));
    }
  });
  return list;
}

/** Keras notation of a tfjs shape (batch axis None). */
const kerasShape = (shape: number[]) => (shape.length === 0 ? '(None,)' : `(None, ${shape.join(', ')})`);

function layerBlock(l: LabLayer, out: LayerOutput, id: string): HTMLElement {
  const block = h('section', { className: 'layer card', id: `layer-${id}` });
  block.dataset.layer = l.name;
  const title = h('h2', {}, `${l.name} (${l.className}) `, h('span', { className: 'keras-shape', id: `shape-${id}`, textContent: l.outputShape }));
  if (l.params !== null && l.className !== 'Input') title.append(h('span', { className: 'params', textContent: ` · ${fmt(l.params)} params` }));
  block.append(title, savesNote(l, id));
  const ran = kerasShape(out.shape);
  if (l.className !== 'Input' && ran !== l.outputShape) block.append(h('p', { className: 'warning', textContent: `tfjs built ${ran} here; Shape Lens shows ${l.outputShape}.` }));
  const tools = h('div', { className: 'toolbar' });
  if (l.pooling && l.pooling.settings) tools.append(button(`open-pooling-${id}`, 'Open in pooling preview (real input)', () => openPooling(l), `The pooling preview's window view on the map that reaches ${l.name}`));
  if (l.line) tools.append(Object.assign(button(`goto-${id}`, `Line ${l.line}`, () => host.post({ type: 'revealLine', line: l.line! }), 'Go to the layer in the editor'), { className: 'goto' }));
  if (tools.childNodes.length > 0) block.append(tools);
  if (out.shape.length === 3) block.append(maps(out, id, !!l.pooling?.settings ? () => openPooling(l) : undefined));
  else if (out.shape.length === 1) block.append(units(out, id));
  else block.append(h('p', { className: 'note', textContent: `Output ${ran}: not drawn (the lab draws height × width × channels maps and flat vectors).` }));
  return block;
}

/** What a pooling layer saves its model in MACs (src/core/pooling.ts `poolingCost`), when the host says. */
function savesNote(l: LabLayer, id: string): HTMLElement | string {
  const text = l.pooling && savesSentence(l.pooling, state.target?.preview);
  return l.pooling && text ? h('p', { className: 'saves note', id: `saves-${id}`, textContent: text, title: savesTitle(l.pooling) }) : '';
}

/** The channels of a (height, width, channels) output as small images, one colour scale per layer. */
function maps(out: LayerOutput, id: string, onClick?: () => void): HTMLElement {
  const [height, width, channels] = out.shape;
  const shown = Math.min(channels, MAX_CHANNELS_SHOWN);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of out.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi > lo ? hi - lo : 1;
  const wrap = h('div', { className: 'maps', id: `maps-${id}` });
  wrap.dataset.channels = String(channels);
  wrap.dataset.shown = String(shown);
  const scale = Math.max(1, Math.floor(64 / Math.max(height, width)));
  const css = Math.min(96, Math.max(height, width) * scale);
  for (let c = 0; c < shown; c++) {
    const canvas = h('canvas', { className: 'fmap', width, height });
    canvas.style.width = `${(css * width) / Math.max(height, width)}px`;
    canvas.style.height = `${(css * height) / Math.max(height, width)}px`;
    canvas.title = `channel ${c + 1} of ${channels}`;
    const ctx = canvas.getContext('2d');
    if (ctx) {
      const img = ctx.createImageData(width, height);
      for (let i = 0; i < height * width; i++) {
        const [r, g, b] = colour((out.data[i * channels + c] - lo) / span);
        img.data.set([r, g, b, 255], i * 4);
      }
      ctx.putImageData(img, 0, 0);
    }
    if (onClick) canvas.addEventListener('click', onClick);
    wrap.append(canvas);
  }
  const fig = h('figure', { className: 'layer-maps' }, wrap);
  const more = shown < channels ? `; showing the first ${shown}` : '';
  fig.prepend(h('figcaption', { id: `count-${id}`, textContent: `${channels} channel${channels === 1 ? '' : 's'} of ${height}×${width}${more} · values ${lo.toFixed(3)} to ${hi.toFixed(3)}` }));
  if (onClick) wrap.classList.add('clickable');
  return fig;
}

/** A flat output: one strip of units; ten or fewer also as numbers (a classifier's scores). */
function units(out: LayerOutput, id: string): HTMLElement {
  const n = out.shape[0];
  const shown = Math.min(n, MAX_UNITS_SHOWN);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < shown; i++) {
    lo = Math.min(lo, out.data[i]);
    hi = Math.max(hi, out.data[i]);
  }
  const canvas = h('canvas', { className: 'units', width: shown, height: 1 });
  canvas.style.width = `${Math.min(640, Math.max(shown * 4, 40))}px`;
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const img = ctx.createImageData(shown, 1);
    for (let i = 0; i < shown; i++) img.data.set([...colour((out.data[i] - lo) / (hi > lo ? hi - lo : 1)), 255], i * 4);
    ctx.putImageData(img, 0, 0);
  }
  const fig = h('figure', { className: 'layer-units', id: `units-${id}` }, h('figcaption', { textContent: `${n.toLocaleString('en-US')} unit${n === 1 ? '' : 's'}${shown < n ? `; showing the first ${shown.toLocaleString('en-US')}` : ''}` }), canvas);
  if (n <= 10) {
    let best = 0;
    for (let i = 1; i < n; i++) if (out.data[i] > out.data[best]) best = i;
    fig.append(h('p', { className: 'scores note', textContent: `${Array.from(out.data.subarray(0, n), (v, i) => `${i}: ${v.toFixed(3)}`).join('  ')} · largest: ${best} (untrained weights: not a prediction)` }));
  }
  return fig;
}

// ---------------------------------------------------------------------------------------------
// The Pooling lab: the model and the same model without its pooling layers, trained side by side

const TITLES: Record<Which, string> = { with: 'With pooling (the model as written)', without: 'Without pooling' };

/** One model's progress as the training reports it (the models themselves live where they train). */
interface RunView {
  params: number;
  notes: string[];
  batchesPerEpoch: number;
  batches: BatchResult[];
  epochs: EpochResult[];
}

interface Training {
  /** The target's JSONs and the settings trained: results belong to them. */
  key: string;
  /** Tells this run's messages from an older one's. */
  run: number;
  phase: 'building' | 'training' | 'done' | 'stopped' | 'error';
  error?: string;
  notes: string[];
  size: MapSize;
  epochs: number;
  runs: Partial<Record<Which, RunView>>;
  /** Where it trains: the lab's web worker, or the panel's main thread (and why). */
  where: { worker: true; backend: string } | { worker: false; why: string };
  /** Stops the run (posted to the worker, or seen by the main thread's next pause). */
  stop: () => void;
  /** Longest gap between animation frames while training (ms), and every gap. */
  maxGap: number;
  frames: number;
  gaps: number[];
  /** Longest run of the lab's own work on the main thread between two chances to paint (ms). */
  maxWork: number;
}

let training: Training | null = null;
let runs = 0;

const DIGIT_COUNTS = [500, 1000, 2000];
/** The most params the lab trains (at the model's input size; fewer at the digits' size): 4 bytes each, three times (weights, Adam's moments). */
const MAX_TRAIN_PARAMS = 20_000_000;
const VALIDATION_SPLIT = 0.2;

/** The size trained: the model's input, or the digits' own size (the smaller side 28) for a model whose input is larger. */
function trainSize(t: LabTarget): { size: MapSize; choice: boolean } | null {
  const m = t.input;
  if (!m) return null;
  const choice = Math.min(m.height, m.width) > 32;
  if (!choice || state.trainAt === 'model') return { size: m, choice };
  const f = DIGIT_SIDE / Math.min(m.height, m.width);
  return { size: { height: Math.max(1, Math.round(m.height * f)), width: Math.max(1, Math.round(m.width * f)), channels: m.channels }, choice };
}

function trainingKey(t: LabTarget): string {
  return JSON.stringify([t.json, t.jsonWithoutPooling ?? null, state.seed, state.trainAt, state.trainCount, backend?.name ?? '']);
}

/** Why the lab cannot train this model side by side, or null. */
function cannotTrain(t: LabTarget): string | null {
  if (!t.json) return 'tfjs cannot build it (see above)';
  if (t.skipped.length > 0) return `the lab trains whole models, and ${t.skipped[0].name} (${t.skipped[0].className}) is not exported`;
  if (!t.input) return t.inputWhy ?? 'the lab cannot feed its input';
  if (t.preview.removed.length === 0) return 'it has no MaxPooling or AveragePooling layer to take out';
  if (!t.jsonWithoutPooling) return 'Shape Lens does not know the model without its pooling layers (its params without them are unknown)';
  const most = Math.max(t.preview.paramsWith ?? 0, t.preview.paramsWithout ?? 0);
  if (most > MAX_TRAIN_PARAMS) return `it has ${most.toLocaleString('en-US')} params ${most === t.preview.paramsWithout ? 'without its pooling layers' : ''}; the lab trains models of up to ${MAX_TRAIN_PARAMS.toLocaleString('en-US')} (weights and Adam's two moments, in the panel's memory)`.replace(' ;', ';');
  return null;
}

function stopTraining(): void {
  if (training && (training.phase === 'training' || training.phase === 'building')) training.stop();
}

/** Stops a run in progress (it frees its own tensors when it sees the stop) and forgets the results. */
function resetTraining(): void {
  stopTraining();
  training = null;
}

/** Main-thread fallback: work done between two chances for the panel to paint (ms); a slice of a batch may run over it. */
const WORK_MS = 12;
/** The worker's progress is drawn at most this often (ms): each redraw of the card costs the panel's thread a frame's work. */
const DRAW_MS = 250;
/** How long the worker may take to load tfjs and say it is ready. */
const WORKER_START_MS = 30_000;

/** Resolves after the next frame is painted (or after 100 ms, when the panel is hidden and frames stop). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      setTimeout(resolve, 0);
    };
    requestAnimationFrame(go);
    setTimeout(go, 100);
  });
}

/** The worker script beside this bundle (dist/webview/train-worker.js), by the URL this script was loaded from. */
const workerScript = (() => {
  const src = document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : '';
  return src ? src.replace(/[^/]*$/, 'train-worker.js') : '';
})();

/** The worker, once asked for (the first trainable model shown, or Train). */
let trainWorker: Promise<{ worker: Worker; backend: string } | { why: string }> | null = null;

/**
 * The lab's training worker, started once: from a blob: URL of the fetched script (a webview's
 * resources are served from another origin than the page, and a worker must be same-origin), or
 * from the script's own URL where fetch cannot read it (a file: page). Or why it could not start.
 */
function startWorker(): Promise<{ worker: Worker; backend: string } | { why: string }> {
  return (trainWorker ??= (async () => {
    if (!workerScript || typeof Worker !== 'function') return { why: 'this panel cannot start a web worker' };
    const attempt = (url: string) =>
      new Promise<{ worker: Worker; backend: string } | { why: string }>((resolve) => {
        let worker: Worker;
        try {
          worker = new Worker(url);
        } catch (e) {
          resolve({ why: e instanceof Error ? e.message : String(e) });
          return;
        }
        const timer = setTimeout(() => finish({ why: `it did not start within ${WORKER_START_MS / 1000} s` }), WORKER_START_MS);
        const finish = (r: { worker: Worker; backend: string } | { why: string }) => {
          clearTimeout(timer);
          worker.onmessage = null;
          worker.onerror = null;
          if ('why' in r) worker.terminate();
          resolve(r);
        };
        worker.onmessage = (e: MessageEvent) => {
          const m = e.data as FromTrainWorker;
          if (m?.type === 'ready') finish({ worker, backend: m.backend });
          else if (m?.type === 'failed') finish({ why: `tfjs did not start in it (${m.error})` });
        };
        worker.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          finish({ why: e.message || 'its script did not load' });
        };
      });
    let blobUrl: string | null = null;
    try {
      const res = await fetch(workerScript);
      if (res.ok) blobUrl = URL.createObjectURL(new Blob([await res.text()], { type: 'text/javascript' }));
    } catch {
      // Not readable by fetch (a file: page): the script's own URL below.
    }
    const viaBlob = blobUrl ? await attempt(blobUrl) : null;
    if (viaBlob && !('why' in viaBlob)) return viaBlob;
    const direct = await attempt(workerScript);
    return 'why' in direct && viaBlob ? viaBlob : direct;
  })());
}

/** Applies one of the training's messages to the card's state (stale runs' messages are dropped). */
function onTrainEvent(tr: Training, e: TrainEvent): void {
  if (training !== tr || e.run !== tr.run) return;
  switch (e.type) {
    case 'built': {
      tr.runs[e.which] = { params: e.params, notes: e.notes, batchesPerEpoch: e.batchesPerEpoch, batches: [], epochs: [] };
      if (!WHICH.every((w) => tr.runs[w])) break;
      const t = state.target!;
      const fitted = fitToInput(digitSample(digits(), 0), tr.size).note;
      const resized = tr.size.height !== t.input!.height || tr.size.width !== t.input!.width;
      const adapted = tr.runs.with!.notes;
      tr.notes = [
        `${e.train.toLocaleString('en-US')} digits to train on, ${e.val.toLocaleString('en-US')} held out for validation (the last ${VALIDATION_SPLIT * 100}%, as Keras' validation_split); batches of ${BATCH_SIZE}, Adam (learning rate 0.001), categorical cross-entropy, seed ${state.seed} for the weights, the shuffle and dropout.`,
        `Each 28×28 digit ${fitted ? `is ${fitted}` : 'is fed as it is'} → ${tr.size.height}×${tr.size.width}×${tr.size.channels}.`,
        ...(resized ? [`Trained at ${tr.size.height}×${tr.size.width}, the digits' own size, not the model's ${t.input!.height}×${t.input!.width}: the same layers, but a Dense after a Flatten gets fewer weights (the params trained are below). At the model's size each step does about ${Math.round((t.input!.height * t.input!.width) / (tr.size.height * tr.size.width))}× the work.`] : []),
        ...(adapted.length > 0 ? [`Output adapted: ${adapted.join('; ')} (in both models).`] : []),
      ];
      tr.phase = 'training';
      break;
    }
    case 'batch':
      tr.runs[e.which]?.batches.push(e.batch);
      break;
    case 'epoch':
      tr.runs[e.which]?.epochs.push(e.epoch);
      break;
    case 'end':
      tr.phase = e.phase;
      if (e.error !== undefined) tr.error = e.error;
      break;
  }
}

async function startTraining(): Promise<void> {
  const t = state.target;
  if (!t || !backend || backend.failed || cannotTrain(t)) return;
  if (training) resetTraining();
  const sized = trainSize(t)!;
  const request: TrainRequest = {
    run: ++runs,
    jsons: { with: t.json!, without: t.jsonWithoutPooling! },
    size: sized.size,
    resized: sized.size.height !== t.input!.height || sized.size.width !== t.input!.width,
    seed: state.seed,
    count: state.trainCount,
    split: VALIDATION_SPLIT,
    epochs: state.trainEpochs,
  };
  let stopped = false;
  const tr: Training = { key: trainingKey(t), run: request.run, phase: 'building', notes: [], size: sized.size, epochs: state.trainEpochs, runs: {}, where: { worker: false, why: 'starting' }, stop: () => (stopped = true), maxGap: 0, frames: 0, gaps: [], maxWork: 0 };
  training = tr;
  renderPoolingLab();
  let last = performance.now();
  const frame = (now: number) => {
    if (training !== tr || (tr.phase !== 'training' && tr.phase !== 'building')) return;
    if (tr.frames > 0) tr.maxGap = Math.max(tr.maxGap, now - last);
    if (tr.frames > 0) tr.gaps.push(now - last);
    tr.frames++;
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const started = await startWorker();
  if (training !== tr) return;
  if (stopped) {
    tr.phase = 'stopped';
    renderPoolingLab();
    return;
  }
  if ('worker' in started) {
    // The worker trains; this thread draws what it posts, at most once a frame.
    const worker = started.worker;
    tr.where = { worker: true, backend: started.backend };
    tr.stop = () => worker.postMessage({ type: 'stop', run: tr.run } satisfies ToTrainWorker);
    let drawing = false;
    let drawn = 0;
    const listener = (e: MessageEvent) => {
      const m = e.data as FromTrainWorker;
      if (m?.type === 'ready' || m?.type === 'failed' || m?.run !== tr.run) return;
      const t0 = performance.now();
      onTrainEvent(tr, m);
      if (m.type === 'end' || training !== tr) {
        worker.removeEventListener('message', listener);
        worker.removeEventListener('error', failed);
      }
      if (!drawing) {
        drawing = true;
        const draw = () => {
          drawing = false;
          const t1 = performance.now();
          drawn = t1;
          if (training === tr) renderPoolingLab();
          tr.maxWork = Math.max(tr.maxWork, performance.now() - t1);
        };
        // At most one redraw every DRAW_MS (the last message is always drawn), in a frame.
        const wait = DRAW_MS - (t0 - drawn);
        if (wait > 0 && m.type !== 'end') setTimeout(() => requestAnimationFrame(draw), wait);
        else requestAnimationFrame(draw);
      }
      tr.maxWork = Math.max(tr.maxWork, performance.now() - t0);
    };
    // The worker itself failing (an uncaught error, out of memory) ends the run with its message.
    const failed = (e: ErrorEvent) => {
      e.preventDefault();
      listener(new MessageEvent('message', { data: { type: 'end', run: tr.run, phase: 'error', error: `the training worker failed (${e.message || 'no message'})` } satisfies TrainEvent }));
    };
    worker.addEventListener('message', listener);
    worker.addEventListener('error', failed);
    const d = digits();
    worker.postMessage({ type: 'train', request, digits: { count: d.count, labels: d.labels, pixels: d.pixels } } satisfies ToTrainWorker);
    return;
  }
  // No worker: today's slices on this thread; after WORK_MS of work, draw what changed and let a frame be painted.
  tr.where = { worker: false, why: started.why };
  let since = performance.now();
  let dirty = false;
  const pause = async () => {
    if (performance.now() - since >= WORK_MS) {
      if (dirty) renderPoolingLab();
      dirty = false;
      tr.maxWork = Math.max(tr.maxWork, performance.now() - since);
      await nextFrame();
      since = performance.now();
    }
    if (stopped || training !== tr) throw new Stopped();
  };
  await trainBoth(request, digits(), pause, (e) => {
    onTrainEvent(tr, e);
    dirty = true;
  });
  if (training === tr) renderPoolingLab();
}

/** Replaces the Pooling lab card alone (training redraws it every batch; the feature maps stay). */
function renderPoolingLab(): void {
  const old = document.getElementById('pooling-lab');
  if (!old || !state.target) return;
  const focusId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
  old.replaceWith(poolingLab(state.target));
  const again = focusId ? document.getElementById(focusId) : null;
  if (again) again.focus();
}

function numberInput(id: string, label: string, value: number, min: number, max: number, onChange: (v: number) => void): HTMLElement {
  const input = h('input', { id, type: 'number', min: String(min), max: String(max), value: String(value) });
  input.setAttribute('aria-label', label);
  input.addEventListener('change', () => {
    const v = Number(input.value);
    if (Number.isInteger(v) && v >= min && v <= max) onChange(v);
  });
  return h('label', {}, `${label} `, input);
}

function poolingLab(t: LabTarget): HTMLElement {
  const p = t.preview;
  const s = h('section', { id: 'pooling-lab', className: 'card' }, h('h2', { textContent: 'Pooling lab' }));
  const compare = p.removed.length > 0 ? `${fmt(p.paramsWith)} params with its ${p.removed.length} pooling layer${p.removed.length === 1 ? '' : 's'}, ${fmt(p.paramsWithout)} without them.` : `${fmt(p.paramsWith)} params; no MaxPooling or AveragePooling layer to take out.`;
  const macs = macsSentence(p);
  s.append(h('p', { id: 'lab-params', textContent: macs ? `${compare} ${macs}` : compare, title: macsTitle(p) }));
  const why = cannotTrain(t);
  // Another model, seed, size, digit count or backend: the results (and a run in progress) belonged to the old one.
  if (training && training.key !== trainingKey(t)) resetTraining();
  const tr = training;
  s.dataset.phase = tr?.phase ?? 'idle';
  if (why) {
    s.append(h('p', { id: 'train-why', className: 'note', textContent: `The lab cannot train this model with and without pooling: ${why}.` }));
    return s;
  }
  // A model the lab can train, its maps drawn: the worker starts (loads tfjs) once the panel is idle, not when Train is pressed.
  if (!trainWorker && outputs) requestIdleCallback(() => void startWorker(), { timeout: 2000 });
  const running = tr?.phase === 'training' || tr?.phase === 'building';
  const bar = h('div', { className: 'toolbar', id: 'train-bar' });
  bar.append(numberInput('train-epochs', 'Epochs', state.trainEpochs, 1, 20, (v) => (state.trainEpochs = v)));
  const count = h('select', { id: 'train-count' });
  count.setAttribute('aria-label', 'Digits');
  for (const n of DIGIT_COUNTS) count.append(h('option', { value: String(n), textContent: n.toLocaleString('en-US'), selected: n === state.trainCount }));
  count.addEventListener('change', () => {
    state.trainCount = Number(count.value);
    renderPoolingLab();
  });
  bar.append(h('label', {}, 'Digits ', count));
  const sized = trainSize(t);
  if (sized?.choice) {
    const at = h('select', { id: 'train-at' });
    at.setAttribute('aria-label', 'Train at');
    const m = t.input!;
    const f = DIGIT_SIDE / Math.min(m.height, m.width);
    for (const [v, text] of [['digits', `${Math.round(m.height * f)}×${Math.round(m.width * f)} (the digits' size)`], ['model', `${m.height}×${m.width} (the model's input; slow)`]] as const) at.append(h('option', { value: v, textContent: text, selected: v === state.trainAt }));
    at.addEventListener('change', () => {
      state.trainAt = at.value === 'model' ? 'model' : 'digits';
      renderPoolingLab();
    });
    bar.append(h('label', {}, 'Train at ', at));
  }
  const start = button('train-start', tr ? 'Train again' : 'Train', () => void startTraining(), 'Train both models from freshly initialised weights');
  start.disabled = running || !backend || !!backend.failed;
  const stop = button('train-stop', 'Stop', () => stopTraining(), 'Stop after the current slice of a batch');
  stop.disabled = !running;
  const reset = button('train-reset', 'Reset', () => {
    resetTraining();
    renderPoolingLab();
  }, 'Clear the results');
  reset.disabled = !tr;
  bar.append(start, stop, reset);
  s.append(bar);
  const status = h('p', { id: 'train-status', className: tr?.phase === 'error' ? 'error' : 'note' });
  status.setAttribute('role', 'status');
  status.textContent = trainStatus(tr);
  s.append(status);
  if (!tr) {
    s.append(h('p', { className: 'note', textContent: `Trains the model and the same model without its pooling layers side by side on ${state.trainCount.toLocaleString('en-US')} of the shipped MNIST digits, in a web worker of this panel (tfjs, CPU backend; the panel stays responsive), from the weights seed above.` }));
    return s;
  }
  if (tr.notes.length > 0) s.append(h('ul', { id: 'train-notes', className: 'note' }, ...tr.notes.map((n) => h('li', { textContent: n }))));
  s.append(charts(tr), h('div', { className: 'train-models' }, ...WHICH.map((w) => modelColumn(t, tr, w))));
  return s;
}

function trainStatus(tr: Training | null): string {
  if (!tr) return '';
  const runs = WHICH.map((w) => tr.runs[w]).filter((r): r is RunView => !!r);
  const per = runs[0]?.batchesPerEpoch ?? 1;
  const done = runs.length === 2 ? Math.min(...runs.map((r) => r.batches.length)) : 0;
  const where = `epoch ${Math.min(tr.epochs, Math.floor(done / per) + 1)} of ${tr.epochs}, batch ${Math.min(per, (done % per) + 1)} of ${per} (each model)`;
  const gap = tr.frames > 1 ? ` · longest gap between frames ${tr.maxGap.toFixed(0)} ms (99% within ${percentile(tr.gaps, 0.99).toFixed(0)} ms), longest work between paints ${tr.maxWork.toFixed(0)} ms` : '';
  const engine = tr.where.worker
    ? ` · in a web worker (tfjs ${tr.where.backend} backend)`
    : tr.where.why === 'starting'
      ? ''
      : ` · on the panel's main thread, in slices (no web worker: ${tr.where.why})`;
  switch (tr.phase) {
    case 'building':
      return `Building both models in tfjs…${engine}`;
    case 'training':
      return `Training: ${where}${gap}${engine}`;
    case 'done':
      return `Done: ${tr.epochs} epoch${tr.epochs === 1 ? '' : 's'} each${gap}${engine}.`;
    case 'stopped':
      return `Stopped (${runs.map((r, i) => `${WHICH[i]} pooling: ${r.epochs.length} epoch${r.epochs.length === 1 ? '' : 's'} done`).join(', ') || 'before training'})${gap}${engine}.`;
    case 'error':
      return `Training failed: ${tr.error}`;
  }
}

/** The `q` quantile of `xs` (0 when empty). */
function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function charts(tr: Training): HTMLElement {
  const xMax = tr.epochs;
  const series = (metric: 'loss' | 'accuracy') =>
    WHICH.flatMap((w) => {
      const r = tr.runs[w];
      if (!r) return [];
      const name = w === 'with' ? 'with pooling' : 'without pooling';
      return [
        { label: `${metric}, ${name}`, className: w, points: r.batches.map((b): [number, number] => [b.epoch - 1 + b.batch / b.batches, b[metric]]) },
        { label: `validation ${metric}, ${name}`, className: `${w} val`, points: r.epochs.map((e): [number, number] => [e.epoch, metric === 'loss' ? e.valLoss : e.valAccuracy]) },
      ];
    });
  const legend = h('p', { className: 'legend note' }, h('span', { className: 'key with' }), ' with pooling  ', h('span', { className: 'key without' }), ' without pooling  · solid: training (running mean of the epoch), dashed with dots: validation at the end of each epoch');
  return h('div', { className: 'train-charts', id: 'train-charts' }, lineChart({ id: 'chart-loss', title: 'Loss', xMax, series: series('loss') }), lineChart({ id: 'chart-accuracy', title: 'Accuracy', xMax, yMax: 1, series: series('accuracy') }), legend);
}

const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(v >= 100 ? 1 : 4) : String(v));

function modelColumn(t: LabTarget, tr: Training, w: Which): HTMLElement {
  const col = h('section', { className: `train-model ${w}`, id: `train-${w}` }, h('h3', { textContent: TITLES[w] }));
  const analysed = w === 'with' ? t.preview.paramsWith : t.preview.paramsWithout;
  const m = tr.runs[w];
  const paramsText = `${fmt(analysed)} params as Shape Lens reads the code${w === 'without' ? ` (${t.preview.removed.join(', ')} taken out)` : ''}`;
  col.append(h('p', { className: 'params', id: `params-${w}`, textContent: paramsText }));
  if (m) col.append(h('p', { className: 'note', id: `trained-params-${w}`, textContent: `${m.params.toLocaleString('en-US')} params trained (input ${tr.size.height}×${tr.size.width}×${tr.size.channels}${m.notes.length > 0 ? ', 10-class output' : ''})` }));
  const r = tr.runs[w];
  if (!r) return col;
  const table = h('table', { className: 'epochs', id: `epochs-${w}` });
  table.append(h('thead', {}, h('tr', {}, ...['Epoch', 'Loss ↓', 'Accuracy ↑', 'Val. loss', 'Val. accuracy', 'Time', 'Observation'].map((c) => h('th', { textContent: c })))));
  const body = h('tbody', {});
  r.epochs.forEach((e, i) => {
    const row = h('tr', {}, ...[String(e.epoch), f3(e.loss), e.accuracy.toFixed(4), f3(e.valLoss), e.valAccuracy.toFixed(4), `${(e.ms / 1000).toFixed(1)} s`, observe(e, r.epochs[i - 1] ?? null)].map((c) => h('td', { textContent: c })));
    row.dataset.ms = e.ms.toFixed(0);
    body.append(row);
  });
  const live = r.batches.at(-1);
  if (live && live.epoch === r.epochs.length + 1 && live.batch < live.batches) body.append(h('tr', { className: 'live' }, ...[String(live.epoch), f3(live.loss), live.accuracy.toFixed(4), '', '', '', `batch ${live.batch} of ${live.batches}`].map((c) => h('td', { textContent: c }))));
  table.append(body);
  col.append(table);
  return col;
}

// ---------------------------------------------------------------------------------------------
// The pooling preview on a pooling layer's real input

function toBase64(data: Float32Array): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** A map as message data, keeping the channels that fit MAX_MAP_VALUES. */
export function mapData(m: FeatureMap): MapData {
  const keep = Math.max(1, Math.min(m.channels, Math.floor(MAX_MAP_VALUES / (m.height * m.width))));
  let data = m.data;
  if (keep < m.channels) {
    data = new Float32Array(m.height * m.width * keep);
    for (let i = 0; i < m.height * m.width; i++) for (let c = 0; c < keep; c++) data[i * keep + c] = m.data[i * m.channels + c];
  }
  return { height: m.height, width: m.width, channels: keep, base64: toBase64(Float32Array.from(data)) };
}

function openPooling(l: LabLayer): void {
  const m = built?.model;
  const input = modelInput();
  const source = m?.inputOf.get(l.name);
  const out = source !== undefined ? outputs?.get(source) : undefined;
  if (!m || !input || !out || out.shape.length !== 3) return;
  const [height, width, channels] = out.shape;
  const real: RealInput = { label: `${input.label}, weights seed ${state.seed}`, map: mapData(featureMap(height, width, channels, out.data)), modelInput: mapData(input.map) };
  host.post({ type: 'openPooling', layer: l.name, real });
}

function update(mutate: () => void): void {
  mutate();
  refresh();
}

// ---------------------------------------------------------------------------------------------
// Start

onHostMessage(isHostToLab, (m) => {
  switch (m.type) {
    case 'lab': {
      if (m.target === null) break;
      // The same model (an edit, the panel shown again): keep the input choice; another model: the first digit.
      const same = state.target?.key === m.target.key;
      state = same ? { ...state, target: m.target } : { ...state, target: m.target, digit: 0, input: state.input === 'image' ? 'digit' : state.input };
      message = null;
      break;
    }
    case 'image':
      decodeImage(m).then(
        (image) => {
          message = { text: `Loaded ${image.name}. ${image.note}`, error: false };
          update(() => {
            state.image = image;
            state.input = 'image';
          });
        },
        (e: unknown) => {
          message = { text: e instanceof Error ? e.message : String(e), error: true };
          render();
        },
      );
      return;
    case 'imageError':
      message = { text: m.message, error: true };
      render();
      return;
  }
  refresh();
});

function startBackend(): void {
  backend = null;
  render();
  initBackend(state.backend).then(
    (b) => {
      backend = b;
      performance.mark('lab:backend');
      refresh();
    },
    (e: unknown) => {
      backend = { name: 'none', failed: true, fallback: `tfjs could not start a backend (${e instanceof Error ? e.message : String(e)}); the lab cannot run models here.` };
      render();
    },
  );
}

render();
host.post({ type: 'ready' });
startBackend();
