// The pooling preview webview: picks an input, runs the pipeline of pooling stages on tfjs, and
// draws each feature map with the windows that connect them. State lives in one object saved with
// setState, so the panel comes back as it was after being hidden or after a window reload.

import './style.css';
import { isHostToWebview, isStageSettings, type LayerInfo, type MapData, type MapSize, type PreviewTarget, type StageSettings } from '../src/protocol';
import { Grid, type Highlight, type View } from './grid';
import { connect, onHostMessage } from './host';
import { at, channelOf, colourMap, digitMap, featureMap, MAX_SYNTHETIC_VALUES, range, seedExample, syntheticMap, type FeatureMap } from './inputs';
import { fitToInput } from './fit';
import { asFeatureMap, buildModel, disposeModel, type BuiltModel } from './model';
import { realPath } from './realpath';
import { clip, feedersOf, formatValue, formula, geometry, isEmpty, windowOf, type Geometry } from './pool';
import { decodeImage, type SavedImage } from './image';
import { initBackend, runStage, TFJS_VERSION, type Backend } from './tensor';
import { pairLayout, type PairLayout } from './layout';
import { changedValues, describeShift, shiftMap, translation, type Shift, type Translation } from './shift';
import { macsSentence, macsTitle, ratio, savesSentence, savesTitle } from './macs';

type InputKind = 'seed' | 'digit' | 'colour' | 'layer' | 'image' | 'real';


interface Stage {
  settings: StageSettings;
  /** The model layer this stage reproduces, if any. */
  layer: LayerInfo | null;
}

interface State {
  v: 1;
  target: PreviewTarget | null;
  input: InputKind;
  image: SavedImage | null;
  stages: Stage[];
  view: View;
  /** The stages are the model's pooling layers on the model's real path (each gets its real input). */
  modelPath?: boolean;
  /** The translation demo: stage 1's input moved by whole pixels. */
  shift?: Shift;
}

function isState(x: unknown): x is State {
  const s = x as State;
  return typeof s === 'object' && s !== null && s.v === 1 && Array.isArray(s.stages) && s.stages.every((st) => isStageSettings(st?.settings)) && typeof s.input === 'string';
}

const DEFAULT_STAGE: StageSettings = { mode: 'max', poolSize: [2, 2], strides: [2, 2], padding: 'valid' };

const host = connect(isState);
let state: State = host.getState() ?? fresh(null);
let backend: Backend | null = null;
let imageMessage: { text: string; error: boolean } | null = null;
let lastMs = 0;

/** The layer's input can be stood in for (its height × width is not too large to generate). */
function layerInputFits(t: PreviewTarget | null): boolean {
  return !!t?.featureMap && t.featureMap.height * t.featureMap.width <= MAX_SYNTHETIC_VALUES;
}

function fresh(target: PreviewTarget | null): State {
  const layer = target?.layer ?? null;
  const settings = layer?.settings ?? DEFAULT_STAGE;
  return {
    v: 1,
    target,
    input: target?.real ? 'real' : layer ? (layerInputFits(target) ? 'layer' : 'digit') : 'seed',
    image: null,
    stages: [{ settings: structuredClone(settings), layer: layer?.settings ? layer : null }],
    view: 'rgb',
  };
}

// ---------------------------------------------------------------------------------------------
// Inputs

let inputCache: { key: string; value: ReturnType<typeof buildInput> } | null = null;

/** The current input map, rebuilt only when the input choice changes (not on every control change). */
function inputMap(): ReturnType<typeof buildInput> {
  const key = JSON.stringify([state.input, state.input === 'layer' ? state.target?.featureMap : null, state.input === 'image' ? state.image?.name : null, state.input === 'image' ? state.image?.data.length : null, state.input === 'real' ? state.target?.key : null]);
  if (inputCache?.key !== key) inputCache = { key, value: buildInput() };
  return inputCache.value;
}

function buildInput(): { map: FeatureMap; label: string; note?: string } {
  const t = state.target;
  switch (state.input) {
    case 'real':
      if (t?.real) {
        const m = decodeMap(t.real.map);
        const all = t.featureMap?.channels ?? m.channels;
        return {
          map: m,
          label: `Real input ${m.height}×${m.width}×${all}`,
          note: `What reaches ${t.layer?.name ?? 'the layer'} in the model lab (${t.real.label}; untrained weights).${m.channels < all ? ` The first ${m.channels} of ${all} channels.` : ''}`,
        };
      }
      break;
    case 'layer':
      if (t?.featureMap) {
        const { height, width, channels } = t.featureMap;
        const shown = Math.max(1, Math.min(channels, Math.floor(MAX_SYNTHETIC_VALUES / (height * width))));
        if (height * width <= MAX_SYNTHETIC_VALUES) {
          return {
            map: syntheticMap(height, width, shown),
            label: `Layer input ${height}×${width}×${channels} (synthetic)`,
            note: `A stand-in for ${t.layer?.name ?? 'the layer'}'s real input ${t.layer?.inputShape ?? ''}: a digit seen through ${channels} edge filters (the real values need the trained weights).${shown < channels ? ` Showing the first ${shown} of ${channels} channels.` : ''}`,
          };
        }
      }
      break;
    case 'image':
      if (state.image) {
        const im = state.image;
        return { map: featureMap(im.height, im.width, 3, Float32Array.from(im.data)), label: `${im.name} (${im.height}×${im.width}×3)`, note: im.note };
      }
      break;
    case 'digit':
      return { map: digitMap(), label: 'Digit 28×28×1' };
    case 'colour':
      return { map: colourMap(), label: 'Colour picture 28×28×3' };
    case 'seed':
      break;
  }
  return { map: seedExample(), label: 'Seed example 4×4×1', note: 'The pooling article’s example: its top-left 2×2 window [[1, 3], [2, 4]] gives max 4 and average 2.5.' };
}

/** A map sent as MapData (base64 float32, channels last). */
function decodeMap(m: MapData): FeatureMap {
  const bin = atob(m.base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return featureMap(m.height, m.width, m.channels, new Float32Array(bytes.buffer));
}

// ---------------------------------------------------------------------------------------------
// The model's real path: the model built from its JSON and run, each pooling layer's real input

interface ModelRun {
  key: string;
  /** Per stage: the map that reaches its pooling layer, and the layers before it since the previous stage. */
  inputs?: FeatureMap[];
  between?: string[];
  /** What was fed to the model. */
  feed?: string;
  error?: string;
}

let modelRun: ModelRun | null = null;
let modelRunning: string | null = null;
let builtModel: { json: string; model: BuiltModel } | null = null;

/** What the model is fed: the lab's input when opened from the lab, else the current picture fitted to the model's input. */
function modelFeed(size: MapSize): { map: FeatureMap; label: string } {
  const real = state.target?.real;
  if (state.input === 'real' && real) return { map: decodeMap(real.modelInput), label: `the model lab's input (${real.label})` };
  const raw = state.input === 'seed' || state.input === 'layer' || state.input === 'real' ? { map: digitMap(), label: 'Digit 28×28×1' } : inputMap();
  const fitted = fitToInput(raw.map, size);
  return { map: fitted.map, label: `${raw.label}${fitted.note ? ` (${fitted.note})` : ''}` };
}

function modelRunKey(): string {
  const m = state.target?.model;
  return JSON.stringify([m?.json ?? null, state.input, state.input === 'image' ? state.image?.name : null, state.target?.real?.label ?? null, state.stages.map((s) => s.layer?.name ?? null)]);
}

/** Builds (once per JSON) and runs the model, then renders again; the preview shows "running" meanwhile. */
function startModelRun(): void {
  const m = state.target?.model;
  const key = modelRunKey();
  if (!m?.json || !m.input || modelRunning === key) return;
  modelRunning = key;
  const size = m.input;
  const json = JSON.stringify(m.json);
  const built = builtModel?.json === json ? Promise.resolve(builtModel.model) : buildModel(m.json, 0);
  built
    .then((model) => {
      if (builtModel?.json !== json) {
        disposeModel(builtModel?.model ?? null);
        builtModel = { json, model };
      }
      const feed = modelFeed(size);
      // Every layer in order, the layers of a nested model (a Sequential used as a layer) included.
      const path = realPath(model, feed.map);
      const index = new Map(path.map((p, i) => [p.name, i]));
      const inputs: FeatureMap[] = [];
      const between: string[] = [];
      let from = 0;
      for (const st of state.stages) {
        const self = st.layer ? index.get(st.layer.name) : undefined;
        const source = self !== undefined ? path[self].source : null;
        const at = source !== null ? index.get(source) : undefined;
        const map = at !== undefined ? asFeatureMap(path[at].out) : null;
        if (!st.layer || self === undefined || at === undefined || !map) throw new Error(`no real input for ${st.layer?.name ?? 'a stage'} (it is not a 1-D or 2-D pooling layer of the built model)`);
        between.push(path.slice(from, at + 1).filter((p) => !p.container && p.source !== null).map((p) => `${p.name} (${p.className})`).join(', '));
        from = self + 1;
        inputs.push(map);
      }
      return { key, inputs, between, feed: feed.label };
    })
    .catch((e: unknown): ModelRun => ({ key, error: e instanceof Error ? e.message : String(e) }))
    .then((r) => {
      modelRunning = null;
      modelRun = r;
      render();
    });
}

// ---------------------------------------------------------------------------------------------
// The pipeline

interface Run {
  /** Every map drawn, in order. */
  maps: FeatureMap[];
  /** Per stage: its geometry; stage i pools maps[inOf[i]] into maps[outOf[i]]. */
  geos: Geometry[];
  inOf: number[];
  outOf: number[];
  /** On the model's real path: the layers run before each stage's input. */
  between?: string[];
  /** Why stage `errorAt` has no output. */
  error?: { at: number; message: string };
  /** The model is still running (the real path is not known yet). */
  pending?: boolean;
  /** Stage 1's input moved by state.shift: how max and average pooling's outputs change. */
  translation?: Translation | null;
  /** Per value of stage 1's output (its own mode), 1 where the shift changed it. */
  changed?: Uint8Array | null;
}

/** The stage reading / writing map n (−1: none). */
const stageReading = (n: number) => run.inOf.indexOf(n);
const stageWriting = (n: number) => run.outOf.indexOf(n);

function runPipeline(input: FeatureMap): Run {
  const real = state.modelPath ? modelRun : null;
  if (state.modelPath && (!real || real.key !== modelRunKey())) {
    startModelRun();
    return { maps: [], geos: [], inOf: [], outOf: [], pending: true };
  }
  if (real?.error) return { maps: [], geos: [], inOf: [], outOf: [], error: { at: 0, message: `the model could not run in tfjs: ${real.error}` } };
  const maps = real?.inputs ? [] : [input];
  const run: Run = { maps, geos: [], inOf: [], outOf: [], between: real?.between };
  lastMs = 0;
  for (let i = 0; i < state.stages.length; i++) {
    // On the model's path each stage reads its real input; chained, the previous stage's output.
    if (real?.inputs) maps.push(real.inputs[i]);
    let prev = maps[maps.length - 1];
    const g = geometry(prev.height, prev.width, state.stages[i].settings);
    let unshifted: FeatureMap | null = null;
    if (i === 0 && isShifted(state.shift)) {
      if (!('error' in g)) {
        const t = translationOf(prev, state.stages[0].settings, state.shift);
        run.translation = t.translation;
        unshifted = t.output;
      }
      prev = maps[maps.length - 1] = shiftMap(prev, state.shift.dy, state.shift.dx);
    }
    run.inOf.push(maps.length - 1);
    if ('error' in g) return { ...run, error: { at: i, message: g.error } };
    const r = runStage(prev, state.stages[i].settings);
    lastMs += r.ms;
    if (unshifted) run.changed = changedValues(unshifted, r.output);
    maps.push(r.output);
    run.outOf.push(maps.length - 1);
    run.geos.push(g);
  }
  return run;
}

/** A shift to apply (a saved state's shift is checked: whole pixels only). */
const isShifted = (s: Shift | undefined): s is Shift => !!s && Number.isInteger(s.dx) && Number.isInteger(s.dy) && (s.dx !== 0 || s.dy !== 0);

interface TranslationRun {
  translation: Translation | null;
  /** The stage's own output on the input before the move (what its cells are compared with). */
  output: FeatureMap;
}

let translationCache: { map: FeatureMap; key: string; value: TranslationRun } | null = null;

/** The translation demo on `input` (kept while the input, the window and the shift stay the same). */
function translationOf(input: FeatureMap, settings: StageSettings, shift: Shift): TranslationRun {
  const key = JSON.stringify([settings, shift]);
  if (translationCache?.map !== input || translationCache.key !== key) {
    const pool = (m: FeatureMap, st: StageSettings) => runStage(m, st).output;
    translationCache = { map: input, key, value: { translation: translation(input, settings, shift, pool), output: pool(input, settings) } };
  }
  return translationCache.value;
}

// ---------------------------------------------------------------------------------------------
// Rendering

const h = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { className?: string } = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const el = document.createElement(tag);
  Object.assign(el, props);
  el.append(...children);
  return el;
};

const MODE_LABEL: Record<StageSettings['mode'], string> = { max: 'Max', avg: 'Average', globalMax: 'Global max', globalAvg: 'Global average' };
const isGlobal = (s: StageSettings) => s.mode === 'globalMax' || s.mode === 'globalAvg';

function stageTitle(s: StageSettings): string {
  if (isGlobal(s)) return `${MODE_LABEL[s.mode]} pooling over the whole map`;
  return `${MODE_LABEL[s.mode]} pooling ${s.poolSize.join('×')}, strides ${s.strides.join('×')}, padding '${s.padding}'`;
}

/** The map's shape as Keras prints it for the layer the stage comes from (HWC when there is none). */
function kerasShape(m: FeatureMap, layer: LayerInfo | null, global: boolean): string {
  const cls = layer?.className ?? '';
  if (global && !layer?.keepdims) return `(None, ${m.channels})`;
  const spatial = cls.endsWith('1D') ? [m.width] : cls.endsWith('3D') && global ? [1, 1, 1] : [m.height, m.width];
  if (cls.endsWith('3D') && !global) return `${m.height}×${m.width}×${m.channels} (height × width × channels)`;
  const dims = layer?.dataFormat === 'channels_first' ? [m.channels, ...spatial] : [...spatial, m.channels];
  return `(None, ${dims.join(', ')})`;
}

function numberInput(id: string, label: string, value: number, disabled: boolean, onChange: (v: number) => void): HTMLElement {
  const input = h('input', { id, type: 'number', min: '1', max: '64', value: String(value), disabled });
  input.setAttribute('aria-label', label);
  input.addEventListener('input', () => {
    const v = Number(input.value);
    if (Number.isInteger(v) && v >= 1 && v <= 64) onChange(v);
  });
  return input;
}

function select<T extends string>(id: string, label: string, options: [T, string][], value: T, onChange: (v: T) => void): HTMLElement {
  const el = h('select', { id });
  el.setAttribute('aria-label', label);
  for (const [v, text] of options) el.append(h('option', { value: v, textContent: text, selected: v === value }));
  el.addEventListener('change', () => onChange(el.value as T));
  return el;
}

function button(id: string, text: string, onClick: () => void, title = ''): HTMLButtonElement {
  const b = h('button', { id, textContent: text, title, type: 'button' });
  b.addEventListener('click', onClick);
  return b;
}

function update(mutate: () => void): void {
  mutate();
  render();
}

/** The grids drawn for each map (a chained stage's input is the previous stage's output, drawn again beside its own output). */
let grids = new Map<number, Grid[]>();
let run: Run = { maps: [], geos: [], inOf: [], outOf: [] };
let layout: PairLayout = pairLayout(0);

/** Width the pipeline has (the body's, without its padding). */
function availableWidth(): number {
  const b = document.body;
  const cs = getComputedStyle(b);
  return b.clientWidth - (parseFloat(cs.paddingLeft) || 0) - (parseFloat(cs.paddingRight) || 0);
}

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  if (!backend || backend.failed) {
    // Nothing to pool with yet (or ever): say so; the state is kept for when it can run.
    app.replaceChildren(header());
    host.setState(state);
    return;
  }
  const focusId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
  const { map: input, label: inputLabel, note: inputNote } = inputMap();
  try {
    run = runPipeline(input);
  } catch (e) {
    run = { maps: [input], geos: [], inOf: [0], outOf: [], error: { at: 0, message: `tfjs failed: ${e instanceof Error ? e.message : String(e)}` } };
  }
  // On the model's real path the maps have the layers' channels (32, 64, …): any of them can be viewed.
  const channels = Math.max(input.channels, ...run.maps.map((m) => m.channels));
  if (input.channels !== 3 && state.view === 'rgb') state.view = 0;
  if (typeof state.view === 'number' && state.view >= channels) state.view = 0;
  layout = pairLayout(availableWidth());

  app.replaceChildren(header(), inputControls(inputLabel, inputNote, input, channels), modelSection(), pipeline(input), explainBox());
  app.dataset.target = state.target?.key ?? '';
  host.setState(state);
  const again = focusId ? document.getElementById(focusId) : null;
  if (again) again.focus();
}

function header(): HTMLElement {
  const t = state.target;
  const layer = t?.layer;
  const head = h('header', {});
  head.append(h('h1', { id: 'title', textContent: layer ? `Pooling: ${layer.name} (${layer.className})` : 'Pooling preview' }));
  if (layer) {
    const p = h('p', { id: 'layer-info' }, `${layer.line ? `Line ${layer.line}: ` : ''}${layer.inputShape} → ${layer.outputShape}`);
    if (layer.line) p.append(' ', button('goto-layer', 'Go to line', () => host.post({ type: 'revealLine', line: layer.line! })));
    head.append(p);
    if (!layer.settings) head.append(h('p', { className: 'warning', textContent: 'Shape Lens could not read this layer’s settings from the code; showing 2×2 max pooling.' }));
    if (layer.note) head.append(h('p', { className: 'note', textContent: layer.note }));
    if (layer.dataFormat === 'channels_first') head.append(h('p', { className: 'note', textContent: "data_format='channels_first': the maps are drawn height × width per channel; shapes are printed as Keras does." }));
  } else {
    head.append(h('p', { id: 'layer-info', textContent: 'Max pooling keeps the largest value of each window; average pooling keeps their mean. Open this preview on a pooling layer to start from its settings.' }));
  }
  const status = h('p', { id: 'status', className: backend?.failed ? 'error' : backend?.fallback ? 'warning' : '' });
  status.setAttribute('role', 'status');
  status.textContent = !backend
    ? `Starting tfjs ${TFJS_VERSION}…`
    : backend.failed
      ? backend.fallback ?? 'tfjs could not start.'
      : `tfjs ${TFJS_VERSION} · backend: ${backend.name}${backend.fallback ? ` (${backend.fallback})` : ''} · pooling took ${lastMs.toFixed(2)} ms`;
  head.append(status);
  return head;
}

function inputControls(label: string, note: string | undefined, input: FeatureMap, channels: number): HTMLElement {
  const t = state.target;
  const options: [InputKind, string][] = [['seed', 'Seed example 4×4×1'], ['digit', 'Digit 28×28×1'], ['colour', 'Colour picture 28×28×3']];
  if (t?.featureMap && layerInputFits(t)) options.push(['layer', `Layer input ${t.featureMap.height}×${t.featureMap.width}×${t.featureMap.channels} (synthetic)`]);
  if (state.image) options.push(['image', `${state.image.name} (${state.image.height}×${state.image.width}×3)`]);
  if (t?.real) options.push(['real', `Real input ${t.real.map.height}×${t.real.map.width}×${t.featureMap?.channels ?? t.real.map.channels} (model lab)`]);
  const views: [string, string][] = [];
  if (input.channels === 3) views.push(['rgb', 'RGB']);
  const names = input.channels === 3 ? ['red', 'green', 'blue'] : [];
  for (let c = 0; c < Math.min(channels, 512); c++) views.push([String(c), `Channel ${c + 1}${names[c] ? ` (${names[c]})` : ''}`]);
  const section = h('section', { id: 'inputs', className: 'toolbar' });
  section.append(
    h('label', {}, 'Input ', select('input-select', 'Input', options, state.input, (v) => update(() => {
      state.input = v;
      // A colour picture opens in RGB (a grey input had switched the view to one channel).
      if (v === 'colour' || v === 'image') state.view = 'rgb';
    }))),
    button('pick-image', 'Image from workspace…', () => {
      imageMessage = { text: 'Pick an image in the list at the top of the window…', error: false };
      host.post({ type: 'pickImage' });
      render();
    }),
    h('label', {}, 'View ', select('view-select', 'Channel view', views, String(state.view), (v) => update(() => (state.view = v === 'rgb' ? 'rgb' : Number(v))))),
  );
  const out = h('div', {}, section);
  out.setAttribute('aria-label', label);
  if (note) out.append(h('p', { className: 'note', id: 'input-note', textContent: note }));
  if (imageMessage) {
    const p = h('p', { id: 'image-message', className: imageMessage.error ? 'error' : 'note', textContent: imageMessage.text });
    p.setAttribute('role', imageMessage.error ? 'alert' : 'status');
    out.append(p);
  }
  return out;
}

function modelSection(): HTMLElement | string {
  const m = state.target?.model;
  if (!m) return '';
  const s = h('section', { id: 'model', className: 'card' });
  const fmt = (n: number | null) => (n === null ? 'unknown' : n.toLocaleString('en-US'));
  if (m.removed.length > 0) {
    const more = m.paramsWith && m.paramsWithout !== null ? ` (${ratio(m.paramsWithout, m.paramsWith)}× as many)` : '';
    s.append(
      h('p', { id: 'params-compare' },
        h('strong', { textContent: m.name }),
        `: ${fmt(m.paramsWith)} params with its ${m.removed.length} pooling layer${m.removed.length === 1 ? '' : 's'}; `,
        h('strong', { textContent: fmt(m.paramsWithout) }),
        ` without them${more}. Every layer after a pooling layer sees a smaller map, so the Dense layer after Flatten needs far fewer weights.`),
    );
  } else {
    s.append(h('p', { id: 'params-compare', textContent: `${m.name}: ${fmt(m.paramsWith)} params; it has no MaxPooling or AveragePooling layer.` }));
  }
  const macs = macsSentence(m);
  if (macs) s.append(h('p', { id: 'macs-compare', textContent: macs, title: macsTitle(m) }));
  const usable = m.pooling.filter((l) => l.settings);
  if (usable.length > 0) {
    s.append(
      button('use-model', `Use the model’s pooling layers (${usable.length})`, () =>
        update(() => {
          state.stages = usable.map((l) => ({ settings: structuredClone(l.settings!), layer: l }));
          // With the model's JSON the stages run on its real path (convolutions included); without it, chained.
          state.modelPath = !!m.json && !!m.input && usable.length === m.pooling.length;
        }),
        usable.map((l) => `${l.name}: ${l.inputShape} → ${l.outputShape}`).join('\n'),
      ),
    );
  }
  if (usable.length > 0 && !state.modelPath && state.stages.length === usable.length && state.stages.every((st, i) => st.layer?.name === usable[i].name)) {
    const why = m.runWhy ?? 'Shape Lens could not export this model for tfjs';
    const text = m.json
      ? usable.length > 1 ? 'Chained back to back (a stage was added): the model’s layers between its pooling layers are not run. Use the model’s pooling layers again for its real path.' : ''
      : usable.length > 1
        ? `Chained back to back: the model’s real path cannot run here (${why}), so the layers between its pooling layers are not run and the sizes after the first stage are not the model’s.`
        : `The model’s real path cannot run here (${why}): the stage pools a stand-in for its input.`;
    if (text) s.append(h('p', { className: 'warning', id: 'chained-note', textContent: text }));
  }
  if (state.target?.layer?.settings) s.append(' ', button('reset', 'Just this layer', () => update(() => (state = { ...fresh(state.target), input: state.input, image: state.image, view: state.view }))));
  return s;
}

function pipeline(input: FeatureMap): HTMLElement {
  const root = h('div', { id: 'pipeline' });
  grids = new Map();
  if (run.pending) {
    root.append(h('p', { id: 'model-running', className: 'note', textContent: 'Running the model in tfjs to give each pooling layer its real input…' }));
    return root;
  }
  if (run.between) {
    const path = run.maps.map((m) => `${m.height}×${m.width}×${m.channels}`).join(' → ');
    root.append(h('p', { id: 'real-path', className: 'note', textContent: `The model's real path${modelRun?.feed ? ` on ${modelRun.feed}` : ''}: each stage pools the map that reaches its layer, after the layers in between (convolutions included; untrained weights, seed 0). ${path}` }));
  }
  // Chained, every map shares the input's colour scale (pooling never leaves it); on the real path each stage has its own input's.
  const scale = (m: FeatureMap) => range(state.view === 'rgb' ? m : channelOf(m, Math.min(state.view, m.channels - 1)));
  const inputRange = scale(input);
  const seen = new Map<number, number>();
  for (let i = 0; i < state.stages.length; i++) {
    const k = run.inOf[i];
    if (k === undefined) {
      // Not run: the model is not running, or an earlier stage has no output (kept and editable).
      root.append(stageBlock(i, true));
      if (run.error?.at === i) root.append(errorNote());
      continue;
    }
    if (run.between) {
      const before = run.between[i];
      root.append(h('p', { className: 'between', id: `between-${i + 1}`, textContent: `${i === 0 ? 'From the model input' : `After stage ${i}`} the model runs ${before || 'no other layer'}: what reaches ${state.stages[i].layer?.name ?? `stage ${i + 1}`}.` }));
    }
    root.append(stageBlock(i));
    const shown = run.between ? scale(run.maps[k]) : inputRange;
    const pair = h('div', { className: `pair ${layout.sideBySide ? 'side-by-side' : 'stacked'}`, id: `pair-${i + 1}` }, figure(k, seen, shown));
    const out = run.outOf[i];
    if (out !== undefined) pair.append(h('div', { className: 'arrow', textContent: layout.sideBySide ? '→' : '↓', ariaHidden: 'true' }), figure(out, seen, shown));
    root.append(pair);
    if (i === 0) root.append(translationCard());
    if (run.error?.at === i) root.append(errorNote());
  }
  root.append(
    h('div', { className: 'toolbar' },
      button('add-stage', 'Add a stage', () => update(() => {
        state.stages.push({ settings: structuredClone(state.stages.at(-1)?.settings ?? DEFAULT_STAGE), layer: null });
        // A stage of no layer has no real input: the stages are chained again.
        state.modelPath = false;
      })),
    ),
  );
  return root;
}

function errorNote(): HTMLElement {
  return h('p', { className: 'error', id: 'stage-error', role: 'alert', textContent: `Stage ${run.error!.at + 1}: ${run.error!.message}` });
}

/** Map k as a figure: its caption (shape, role, Keras shape) and its grid; `seen` counts how often each map was drawn (ids of later copies get a suffix). */
function figure(k: number, seen: Map<number, number>, shownRange: [number, number]): HTMLElement {
  const map = run.maps[k];
  const n = seen.get(k) ?? 0;
  seen.set(k, n + 1);
  const id = (base: string) => (n === 0 ? `${base}-${k}` : `${base}-${k}-${n + 1}`);
  const writer = stageWriting(k);
  const reader = stageReading(k);
  const next = reader >= 0 ? run.geos[reader] : undefined;
  const pad = next ? { top: next.padTop, left: next.padLeft, bottom: next.padBottom, right: next.padRight } : { top: 0, left: 0, bottom: 0, right: 0 };
  const size = `${map.height}×${map.width}×${map.channels}`;
  // A chained stage's output drawn again as the next stage's input (the copy beside that stage's output).
  const asInput = n > 0 && reader >= 0;
  const role = writer >= 0 && !asInput ? `Stage ${writer + 1} output` : writer >= 0 ? `Stage ${writer + 1} output, stage ${reader + 1} input` : run.between ? `Stage ${reader + 1} real input` : 'Input';
  const shifted = k === run.inOf[0] && isShifted(state.shift) ? ` (shifted ${describeShift(state.shift)})` : '';
  const changed = k === run.outOf[0] ? run.changed : null;
  const grid = new Grid({ id: id('grid'), label: `${role} ${size}`, map, view: state.view, range: shownRange, pad, maxPx: layout.maxPx, changed, onActive: (cell) => activate(k, cell) });
  grids.set(k, [...(grids.get(k) ?? []), grid]);
  const fig = h('figure', { className: 'map', id: id('map') }, grid.el);
  const cap = h('figcaption', {}, h('span', { className: 'shape', id: id('shape'), textContent: size }), ` ${writer >= 0 ? (asInput ? `stage ${writer + 1} output → stage ${reader + 1} input` : 'output') : run.between ? 'real input' : 'input'}${shifted}`);
  if (writer >= 0) {
    const st = state.stages[writer];
    cap.append(' · ', h('span', { className: 'keras-shape', id: id('keras-shape'), textContent: kerasShape(map, st.layer, isGlobal(st.settings)) }));
  } else if (run.between && state.stages[reader]?.layer) {
    cap.append(' · ', h('span', { className: 'keras-shape', id: id('keras-shape'), textContent: state.stages[reader].layer!.inputShape }));
  }
  // A long caption wraps rather than widening its column past its half of the pair.
  cap.style.maxWidth = `${Math.max(layout.maxPx, parseFloat(grid.el.style.width) || 0)}px`;
  fig.prepend(cap);
  return fig;
}

/** The translation demo: stage 1's input moved by a pixel, and how much max vs average pooling's outputs change. */
function translationCard(): HTMLElement {
  const shift = state.shift ?? { dy: 0, dx: 0 };
  const card = h('section', { className: 'card', id: 'translation' }, h('h2', {}, 'Translation: shift stage 1’s input by one pixel'));
  const move = (dy: number, dx: number) => () =>
    update(() => {
      const clamp = (v: number) => Math.max(-99, Math.min(99, v));
      state.shift = { dy: clamp(shift.dy + dy), dx: clamp(shift.dx + dx) };
    });
  const buttons = h('div', { className: 'toolbar' },
    button('shift-left', '←', move(0, -1), 'Shift the input 1 px left'),
    button('shift-right', '→', move(0, 1), 'Shift the input 1 px right'),
    button('shift-up', '↑', move(-1, 0), 'Shift the input 1 px up'),
    button('shift-down', '↓', move(1, 0), 'Shift the input 1 px down'),
    button('shift-reset', 'No shift', () => update(() => (state.shift = undefined)), 'Back to the input as it is'),
  );
  for (const b of buttons.querySelectorAll('button')) b.setAttribute('aria-label', b.title);
  card.append(buttons);
  const result = h('p', { id: 'shift-result' });
  result.setAttribute('aria-live', 'polite');
  const t = run.translation;
  const global = isGlobal(state.stages[0].settings);
  if (!isShifted(state.shift)) {
    result.className = 'note';
    result.textContent = `Move the input a pixel with the arrows: the panel counts how many of stage 1’s output values change with max and with average ${global ? 'global ' : ''}pooling. Max keeps a window’s largest value wherever it sits in the window, so it tends to change less.`;
  } else if (!t) {
    result.textContent = `Shifted ${describeShift(shift)}: stage 1 has no output to compare.`;
  } else {
    const part = (name: string, c: Translation['max']) => `${name}: ${c.changed.toLocaleString('en-US')} of ${c.total.toLocaleString('en-US')} output values changed${c.changed ? `, by at most ${formatValue(c.maxAbs)}` : ''}`;
    result.append(
      `Input shifted ${describeShift(shift)} (cells moved in from outside are 0). `,
      h('span', { id: 'shift-max', textContent: part(global ? 'Global max pooling' : 'Max pooling', t.max) }),
      '; ',
      h('span', { id: 'shift-avg', textContent: part(global ? 'global average pooling' : 'average pooling', t.avg) }),
      '. ',
      h('span', { className: 'legend-changed', textContent: 'Marked red' }),
      ` in stage 1’s output: the cells its ${MODE_LABEL[state.stages[0].settings.mode].toLowerCase()} pooling changed (in the channels on view).`,
    );
  }
  card.append(result);
  return card;
}

function stageBlock(i: number, notRun = false): HTMLElement {
  const st = state.stages[i];
  const s = st.settings;
  const global = isGlobal(s);
  const block = h('section', { className: 'stage card', id: `stage-${i + 1}` });
  const title = h('h2', {}, `Stage ${i + 1}: ${stageTitle(s)}`);
  if (st.layer) {
    const l = st.layer;
    const edited = l.settings !== null && JSON.stringify(l.settings) !== JSON.stringify(s);
    const tag = h('span', { className: 'layer-tag', textContent: `${l.name}${l.line ? `, line ${l.line}` : ''}${edited ? ' (edited here)' : ''}` });
    if (edited) tag.title = `Changed in the preview; the code says ${stageTitle(l.settings!)}`;
    title.append(' ', tag);
  }
  block.append(title);
  const set = (f: (s: StageSettings) => void) => update(() => f(state.stages[i].settings));
  const controls = h('div', { className: 'toolbar' },
    select(`s${i + 1}-mode`, `Stage ${i + 1} operation`, (Object.keys(MODE_LABEL) as StageSettings['mode'][]).map((m) => [m, MODE_LABEL[m]]), s.mode, (v) => set((x) => (x.mode = v))),
    h('span', { className: 'field' }, 'pool ', numberInput(`s${i + 1}-ph`, `Stage ${i + 1} pool height`, s.poolSize[0], global, (v) => set((x) => (x.poolSize[0] = v))), '×', numberInput(`s${i + 1}-pw`, `Stage ${i + 1} pool width`, s.poolSize[1], global, (v) => set((x) => (x.poolSize[1] = v)))),
    h('span', { className: 'field' }, 'strides ', numberInput(`s${i + 1}-sh`, `Stage ${i + 1} stride height`, s.strides[0], global, (v) => set((x) => (x.strides[0] = v))), '×', numberInput(`s${i + 1}-sw`, `Stage ${i + 1} stride width`, s.strides[1], global, (v) => set((x) => (x.strides[1] = v)))),
    select(`s${i + 1}-padding`, `Stage ${i + 1} padding`, [['valid', "padding 'valid'"], ['same', "padding 'same'"]], s.padding, (v) => set((x) => (x.padding = v))),
  );
  if (global) for (const el of controls.querySelectorAll('select')) if (el.id.endsWith('padding')) el.disabled = true;
  if (st.layer?.line) {
    const line = st.layer.line;
    controls.append(button(`s${i + 1}-goto`, 'Go to layer', () => host.post({ type: 'revealLine', line })));
  }
  if (state.stages.length > 1) controls.append(button(`s${i + 1}-remove`, 'Remove', () => update(() => state.stages.splice(i, 1)), `Remove stage ${i + 1}`));
  block.append(controls);
  // What the model's layer saves (from the target sent last: the stage's copy may be older than an edit).
  const model = state.target?.model;
  const layer = st.layer && model?.pooling.find((l) => l.name === st.layer!.name);
  const saves = layer && savesSentence(layer, model);
  if (layer && saves) block.append(h('p', { className: 'saves note', id: `saves-${i + 1}`, textContent: saves, title: savesTitle(layer) }));
  const input = run.inOf[i] !== undefined ? run.maps[run.inOf[i]] : undefined;
  if (notRun || !input) {
    block.append(h('p', { className: 'note', textContent: 'Not run: an earlier stage has no output.' }));
    return block;
  }
  const f = h('div', { className: 'formula', id: `formula-${i + 1}` });
  if (global) {
    f.append(h('div', { textContent: `${input.height}×${input.width}×${input.channels} → ${input.channels}: one ${s.mode === 'globalMax' ? 'maximum' : 'mean'} per channel over all ${input.height * input.width} positions` }));
  } else {
    f.append(h('div', { textContent: formula('height', input.height, s.poolSize[0], s.strides[0], s.padding) }));
    f.append(h('div', { textContent: formula('width', input.width, s.poolSize[1], s.strides[1], s.padding) }));
  }
  block.append(f);
  const out = run.outOf[i] !== undefined ? run.maps[run.outOf[i]] : undefined;
  if (out) {
    const a = input.height * input.width;
    const b = out.height * out.width;
    const g = run.geos[i];
    const overlap = !global && (s.strides[0] < s.poolSize[0] || s.strides[1] < s.poolSize[1]) ? ' Windows overlap (strides < pool size): some inputs reach several outputs.' : '';
    const skip = !global && (s.strides[0] > s.poolSize[0] || s.strides[1] > s.poolSize[1]) ? ' Strides > pool size: some inputs are never read.' : '';
    const pad = g && g.padTop + g.padBottom + g.padLeft + g.padRight > 0 ? ` Padding 'same' adds ${g.padTop}/${g.padBottom} rows and ${g.padLeft}/${g.padRight} columns (dashed), which pooling ignores.` : '';
    block.append(
      h('p', { className: 'reduction', id: `reduction-${i + 1}`, textContent: `${a.toLocaleString('en-US')} → ${b.toLocaleString('en-US')} position${b === 1 ? '' : 's'} per channel: ${b < a ? `${ratio(a, b)}× fewer activations` : b === a ? 'as many activations' : `${ratio(b, a)}× more activations`} (${(a * input.channels).toLocaleString('en-US')} → ${(b * out.channels).toLocaleString('en-US')} values). No weights: pooling has 0 params.${overlap}${skip}${pad}` }),
    );
  }
  return block;
}

function explainBox(): HTMLElement {
  const p = h('p', { id: 'explain', className: 'explain', textContent: 'Hover or focus a cell (Tab, then the arrow keys) to see its pooling window.' });
  p.setAttribute('aria-live', 'polite');
  return p;
}

// ---------------------------------------------------------------------------------------------
// Hover: output cell → its window in the stage's input; input cell → the outputs it feeds

function channelList(m: FeatureMap): number[] {
  if (state.view === 'rgb') return m.channels === 3 ? [0, 1, 2] : [0];
  return [Math.min(state.view, m.channels - 1)];
}

/** `row 3` or `rows 3–4`. */
const span = (what: string, a: number, b: number) => (a === b ? `${what} ${a}` : `${what}s ${a}–${b}`);

/** Output cell (y, x) of map k (written by a stage): its window and the value it gives. */
function describeWindow(k: number, y: number, x: number): string {
  const si = stageWriting(k);
  const s = state.stages[si].settings;
  const g = run.geos[si];
  const input = run.maps[run.inOf[si]];
  const out = run.maps[k];
  const w = clip(g, windowOf(g, y, x));
  const padded = g.kh * g.kw - (w.y1 - w.y0 + 1) * (w.x1 - w.x0 + 1);
  const parts = channelList(out).map((c) => {
    const vals: number[] = [];
    for (let yy = w.y0; yy <= w.y1; yy++) for (let xx = w.x0; xx <= w.x1; xx++) vals.push(at(input, yy, xx, c));
    const result = formatValue(at(out, y, x, c));
    const list = vals.length <= 16 ? vals.map(formatValue).join(', ') : `${vals.length} values`;
    const name = state.view === 'rgb' && out.channels === 3 ? `${['R', 'G', 'B'][c]}: ` : '';
    const max = s.mode === 'max' || s.mode === 'globalMax';
    if (max) return `${name}max(${list}) = ${result}`;
    return vals.length <= 16 ? `${name}(${vals.map(formatValue).join(' + ')}) / ${vals.length} = ${result}` : `${name}mean of ${list} = ${result}`;
  });
  const where = `${span('row', w.y0, w.y1)}, ${span('column', w.x0, w.x1)} of the stage's input`;
  const padNote = padded > 0 ? `; ${padded} padded cell${padded === 1 ? ' is' : 's are'} ignored` : '';
  return `Stage ${si + 1} output [${y}, ${x}]: ${parts.join('; ')} — window ${where}${padNote}.`;
}

/** Cell (y, x) of map k: its value and the output cells of the stage reading it that it feeds. */
function describeFeeds(k: number, y: number, x: number): string {
  const m = run.maps[k];
  const v = channelList(m).map((c) => formatValue(at(m, y, x, c))).join(', ');
  const reader = stageReading(k);
  const writer = stageWriting(k);
  const g = run.geos[reader];
  const name = writer >= 0 ? `Stage ${writer + 1} output` : run.between ? `Stage ${reader + 1} real input` : 'Input';
  if (reader < 0 || !g) return `${name} [${y}, ${x}] = ${v}.`;
  const f = feedersOf(g, y, x);
  if (isEmpty(f)) return `${name} [${y}, ${x}] = ${v}: no window of stage ${reader + 1} reads it (the strides skip it).`;
  const n = (f.y1 - f.y0 + 1) * (f.x1 - f.x0 + 1);
  return `${name} [${y}, ${x}] = ${v} feeds ${n} output cell${n === 1 ? '' : 's'} of stage ${reader + 1}: ${span('row', f.y0, f.y1)}, ${span('column', f.x0, f.x1)}.`;
}

function activate(k: number, cell: { y: number; x: number } | null): void {
  const all = (n: number | undefined, hs: Highlight[]) => n !== undefined && grids.get(n)?.forEach((g) => g.highlight(hs));
  for (const n of grids.keys()) all(n, []);
  const explain = document.getElementById('explain');
  if (!cell) return;
  const mine: Highlight[] = [{ kind: 'active', area: { y0: cell.y, y1: cell.y, x0: cell.x, x1: cell.x } }];
  const text: string[] = [];
  const writer = stageWriting(k);
  const reader = stageReading(k);
  if (writer >= 0 && run.geos[writer]) {
    all(run.inOf[writer], [{ kind: 'window', area: windowOf(run.geos[writer], cell.y, cell.x) }]);
    text.push(describeWindow(k, cell.y, cell.x));
  }
  if (reader >= 0 && run.geos[reader]) all(run.outOf[reader], [{ kind: 'fed', area: feedersOf(run.geos[reader], cell.y, cell.x) }]);
  if ((reader >= 0 && run.geos[reader]) || writer < 0) text.push(describeFeeds(k, cell.y, cell.x));
  all(k, mine);
  if (explain) explain.textContent = text.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Start

onHostMessage(isHostToWebview, (m) => {
  switch (m.type) {
    case 'show': {
      const saved = state;
      if (m.target === null) break;
      // The same target (panel shown again, window reloaded): keep what the user set. Anything else: start from it.
      state = saved.target && JSON.stringify(saved.target) === JSON.stringify(m.target) ? saved : fresh(m.target);
      imageMessage = null;
      break;
    }
    case 'image':
      decodeImage(m).then(
        (image) => {
          imageMessage = { text: `Loaded ${image.name}. ${image.note}`, error: false };
          update(() => {
            state.image = image;
            state.input = 'image';
            state.view = 'rgb';
          });
        },
        (e: unknown) => {
          imageMessage = { text: e instanceof Error ? e.message : String(e), error: true };
          render();
        },
      );
      return;
    case 'imageError':
      imageMessage = { text: m.message, error: true };
      break;
  }
  render();
});

render();
host.post({ type: 'ready' });
// A narrower or wider panel: the pairs are laid out again (side by side or stacked, maps scaled to fit).
let resizeFrame = 0;
window.addEventListener('resize', () => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(() => {
    const next = pairLayout(availableWidth());
    if (next.sideBySide !== layout.sideBySide || next.maxPx !== layout.maxPx) render();
  });
});
initBackend().then(
  (b) => {
    backend = b;
    render();
  },
  (e: unknown) => {
    backend = { name: 'none', failed: true, fallback: `tfjs could not start a backend (${e instanceof Error ? e.message : String(e)}); the preview cannot pool here.` };
    render();
  },
);
