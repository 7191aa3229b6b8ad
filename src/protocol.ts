// The messages between the webview panels' host sides (src/panels/poolingPreview.ts, modelLab.ts)
// and their webviews (webview/). Each message is declared once, with its direction, and each
// direction has a guard: whatever arrives through postMessage is validated before use. No vscode,
// no DOM here.

/** Max / average pooling over windows, or over the whole feature map (Keras' Global…Pooling). */
export type PoolMode = 'max' | 'avg' | 'globalMax' | 'globalAvg';
export type Padding = 'valid' | 'same';

/** One pooling stage in the preview: always 2-D (height × width); 1-D layers use height 1. */
export interface StageSettings {
  mode: PoolMode;
  /** [height, width] */
  poolSize: [number, number];
  strides: [number, number];
  padding: Padding;
}

/** A count as the editor's hover prints it: exact `value`, short `text` (`26.4 M`; `?` when unknown) and why it is unknown. */
export interface CountFigure {
  value: number | null;
  text: string;
  why?: string;
}

/** MACs (multiply-accumulates) and FLOPs of one sample's forward pass, as the hover counts them. */
export interface PassFigures {
  macs: CountFigure;
  flops: CountFigure;
}

/** A pooling layer of the user's model, as the preview shows it. */
export interface LayerInfo {
  name: string;
  className: string;
  /** 1-based line in the editor document, or null when it is in another file. */
  line: number | null;
  /** Keras notation, as the summary prints them: `(None, 26, 26, 32)`. */
  inputShape: string;
  outputShape: string;
  dataFormat: 'channels_last' | 'channels_first';
  /** The layer's settings mapped to the preview (null: the analysis could not read them). */
  settings: StageSettings | null;
  /** What the mapping changed, if anything (1-D as height 1, 3-D shown as its height × width part). */
  note?: string;
  /** Global pooling with `keepdims=True` (the output keeps its spatial axes as 1s). */
  keepdims?: boolean;
  /**
   * MACs this (Max/AveragePooling) layer saves its model: the model's MACs with this layer alone
   * taken out minus the model's MACs (absent for global pooling and outside a model).
   */
  saves?: CountFigure;
}

export interface ModelInfo {
  name: string;
  /** Total params as written, and with its MaxPooling/AveragePooling layers removed (null: unknown). */
  paramsWith: number | null;
  paramsWithout: number | null;
  /** Names of the layers "without pooling" removes. */
  removed: string[];
  /** MACs and FLOPs of the model as written and without its MaxPooling/AveragePooling layers (the same replay as `paramsWithout`). */
  costWith?: PassFigures;
  costWithout?: PassFigures;
  /** The model's pooling layers in order ("Use the model's pooling layers"). */
  pooling: LayerInfo[];
  /**
   * The model's Keras JSON (src/core/export.ts) when it is exported at least up to its last pooling
   * layer: the preview runs the real model to give each pooling layer its real input.
   */
  json?: object;
  /** The model's input as height × width × channels (what an input is fitted to before it runs). */
  input?: MapSize;
  /** Why the preview cannot run the model's real path (no `json`), for the screen. */
  runWhy?: string;
}

/** What the preview was opened on. */
export interface PreviewTarget {
  /** Identifies the target (document and line); the webview keeps its saved state only for the same key. */
  key: string;
  /** The pooling layer under the cursor; null when opened elsewhere (the seed example). */
  layer: LayerInfo | null;
  /** Spatial size and channels of the layer's inferred input, when all are known. */
  featureMap: { height: number; width: number; channels: number } | null;
  model: ModelInfo | null;
  /** URI of the document line numbers refer to (also how a restored panel finds it after a reload). */
  document?: string;
  /** The layer's real input, sent by the model lab (a pooling layer clicked there). */
  real?: RealInput;
}

/** Height × width × channels of a feature map. */
export interface MapSize {
  height: number;
  width: number;
  channels: number;
}

/** A feature map as data: float32 values (little-endian, channels last) in base64. */
export interface MapData extends MapSize {
  base64: string;
}

/** What the model lab ran into a pooling layer: its real input, and the model input it came from. */
export interface RealInput {
  /** `digit 7 (#12)`: what the lab's input was. */
  label: string;
  /** The pooling layer's input (channels beyond MAX_MAP_VALUES are left out; `channels` says how many are here). */
  map: MapData;
  /** The model input the lab ran (fitted to the model's input shape). */
  modelInput: MapData;
}

// ---------------------------------------------------------------------------------------------
// The model lab

/** One layer of the model lab: a row of the analysis' summary. */
export interface LabLayer {
  name: string;
  className: string;
  /** 1-based line in the editor document, or null when it is in another file. */
  line: number | null;
  /** Keras notation, exactly as the editor shows it: `(None, 26, 26, 32)`. */
  outputShape: string;
  params: number | null;
  /** A pooling layer: what the pooling preview needs to open on it. */
  pooling?: LayerInfo;
}

/** A layer the export left out (tfjs lacks it, or the analysis does not know its settings). */
export interface LabSkipped {
  name: string;
  className: string;
  reason: string;
}

/** What the model lab was opened on. */
export interface LabTarget {
  /** Identifies the model (document and model name); the webview keeps its input choice for the same key. */
  key: string;
  /** URI of the document line numbers refer to. */
  document?: string;
  name: string;
  /** The analysis' rows, in summary order. */
  layers: LabLayer[];
  /** The Keras JSON (null: nothing could be exported; `reason` and `skipped` say why). */
  json: object | null;
  /**
   * The same JSON without its MaxPooling/AveragePooling layers (src/core/export.ts
   * `withoutPoolingJson`), what the Pooling lab trains beside the model; absent when the model has
   * none, or when its params without them are unknown.
   */
  jsonWithoutPooling?: object;
  skipped: LabSkipped[];
  reason?: string;
  /** The model's input, when it is an image-like 2-D input the lab can feed (null: it cannot, `inputWhy` says why). */
  input: MapSize | null;
  inputWhy?: string;
  /** Keras notation of the model's input shape, `(None, 28, 28, 1)`. */
  inputShape: string;
  /** The pooling preview's view of the model (params with and without pooling, its pooling layers). */
  preview: ModelInfo;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Host → webview: what to show (null: keep the saved state, e.g. after a window reload). */
export interface ShowMessage {
  type: 'show';
  target: PreviewTarget | null;
}
/** Host → webview: the bytes of the workspace image the user picked. */
export interface ImageMessage {
  type: 'image';
  name: string;
  mime: string;
  base64: string;
}
/** Host → webview: the picked image could not be read. */
export interface ImageErrorMessage {
  type: 'imageError';
  message: string;
}
export type HostToWebview = ShowMessage | ImageMessage | ImageErrorMessage;

/** Webview → host: loaded and listening; answer with `show`. */
export interface ReadyMessage {
  type: 'ready';
}
/** Webview → host: let the user pick an image file from the workspace. */
export interface PickImageMessage {
  type: 'pickImage';
}
/** Webview → host: reveal a line (1-based) of the document the preview was opened from. */
export interface RevealLineMessage {
  type: 'revealLine';
  line: number;
}
export type WebviewToHost = ReadyMessage | PickImageMessage | RevealLineMessage;

/** Host → model lab: the model to show (null: keep the saved state, e.g. after a window reload). */
export interface LabMessage {
  type: 'lab';
  target: LabTarget | null;
}
export type HostToLab = LabMessage | ImageMessage | ImageErrorMessage;

/** Model lab → host: open the pooling preview on a pooling layer with its real input. */
export interface OpenPoolingMessage {
  type: 'openPooling';
  layer: string;
  real: RealInput;
}
export type LabToHost = ReadyMessage | PickImageMessage | RevealLineMessage | OpenPoolingMessage;

/** Largest pool size / stride per axis, and largest feature-map side, the preview accepts. */
export const MAX_WINDOW = 4096;
export const MAX_SIDE = 1 << 20;

/** The largest image file the host sends (bytes). */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

/** The most values a feature map sent between the panels holds (wider maps send their first channels). */
export const MAX_MAP_VALUES = 2_000_000;

/** The largest model input the lab feeds (values: 2048 × 2048 × 1, 1024 × 1024 × 3). */
export const MAX_LAB_INPUT_VALUES = 4_200_000;

// ---------------------------------------------------------------------------------------------
// Guards

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPosInt = (x: unknown, max = 1 << 20): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= max;
const isStr = (x: unknown, max = 10_000): x is string => typeof x === 'string' && x.length <= max;
const isPair = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && isPosInt(x[0], MAX_WINDOW) && isPosInt(x[1], MAX_WINDOW);
const isCount = (x: unknown): x is number | null => x === null || (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0);
const isCountFigure = (x: unknown): x is CountFigure =>
  isObj(x) && (x.value === null || (typeof x.value === 'number' && Number.isSafeInteger(x.value))) && isStr(x.text, 100) && (x.why === undefined || isStr(x.why, 2000));
const isPassFigures = (x: unknown): x is PassFigures => isObj(x) && isCountFigure(x.macs) && isCountFigure(x.flops);

export function isStageSettings(x: unknown): x is StageSettings {
  return (
    isObj(x) &&
    (x.mode === 'max' || x.mode === 'avg' || x.mode === 'globalMax' || x.mode === 'globalAvg') &&
    isPair(x.poolSize) &&
    isPair(x.strides) &&
    (x.padding === 'valid' || x.padding === 'same')
  );
}

function isLayerInfo(x: unknown): x is LayerInfo {
  return (
    isObj(x) &&
    isStr(x.name, 500) &&
    isStr(x.className, 200) &&
    (x.line === null || isPosInt(x.line, 10_000_000)) &&
    isStr(x.inputShape, 500) &&
    isStr(x.outputShape, 500) &&
    (x.dataFormat === 'channels_last' || x.dataFormat === 'channels_first') &&
    (x.settings === null || isStageSettings(x.settings)) &&
    (x.note === undefined || isStr(x.note, 1000)) &&
    (x.keepdims === undefined || typeof x.keepdims === 'boolean') &&
    (x.saves === undefined || isCountFigure(x.saves))
  );
}

function isMapSize(x: unknown, maxValues = Number.MAX_SAFE_INTEGER): x is MapSize {
  return isObj(x) && isPosInt(x.height, MAX_SIDE) && isPosInt(x.width, MAX_SIDE) && isPosInt(x.channels, MAX_SIDE) && x.height * x.width * x.channels <= maxValues;
}

/** A map whose base64 holds exactly its height × width × channels float32 values. */
export function isMapData(x: unknown): x is MapData {
  if (!isMapSize(x, MAX_MAP_VALUES) || !isStr((x as unknown as Obj).base64, Math.ceil((MAX_MAP_VALUES * 16) / 3) + 4)) return false;
  const m = x as MapData;
  const bytes = m.height * m.width * m.channels * 4;
  return m.base64.length === Math.ceil(bytes / 3) * 4;
}

function isRealInput(x: unknown): x is RealInput {
  return isObj(x) && isStr(x.label, 500) && isMapData(x.map) && isMapData(x.modelInput);
}

function isModelInfo(x: unknown): x is ModelInfo {
  return (
    isObj(x) &&
    (x.json === undefined || isObj(x.json)) &&
    (x.input === undefined || isMapSize(x.input)) &&
    (x.runWhy === undefined || isStr(x.runWhy, 2000)) &&
    isStr(x.name, 500) &&
    isCount(x.paramsWith) &&
    isCount(x.paramsWithout) &&
    Array.isArray(x.removed) &&
    x.removed.every((n) => isStr(n, 500)) &&
    (x.costWith === undefined || isPassFigures(x.costWith)) &&
    (x.costWithout === undefined || isPassFigures(x.costWithout)) &&
    Array.isArray(x.pooling) &&
    x.pooling.length <= 1000 &&
    x.pooling.every(isLayerInfo)
  );
}

export function isPreviewTarget(x: unknown): x is PreviewTarget {
  if (!isObj(x) || !isStr(x.key, 5000) || (x.document !== undefined && !isStr(x.document, 5000))) return false;
  if (x.layer !== null && !isLayerInfo(x.layer)) return false;
  if (x.model !== null && !isModelInfo(x.model)) return false;
  if (x.real !== undefined && !isRealInput(x.real)) return false;
  const f = x.featureMap;
  return f === null || (isObj(f) && isPosInt(f.height, MAX_SIDE) && isPosInt(f.width, MAX_SIDE) && isPosInt(f.channels, MAX_SIDE));
}

/** Validates a message received by the webview. */
export function isHostToWebview(x: unknown): x is HostToWebview {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'show':
      return x.target === null || isPreviewTarget(x.target);
    case 'image':
      return isStr(x.name, 1000) && isStr(x.mime, 100) && isStr(x.base64, Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 4);
    case 'imageError':
      return isStr(x.message, 2000);
    default:
      return false;
  }
}

/** Validates a message received by the host: anything else posted from the webview is ignored. */
export function isWebviewToHost(x: unknown): x is WebviewToHost {
  if (!isObj(x)) return false;
  switch (x.type) {
    case 'ready':
    case 'pickImage':
      return Object.keys(x).length === 1;
    case 'revealLine':
      return Object.keys(x).length === 2 && isPosInt(x.line, 10_000_000);
    default:
      return false;
  }
}

function isLabLayer(x: unknown): x is LabLayer {
  return (
    isObj(x) &&
    isStr(x.name, 500) &&
    isStr(x.className, 200) &&
    (x.line === null || isPosInt(x.line, 10_000_000)) &&
    isStr(x.outputShape, 500) &&
    isCount(x.params) &&
    (x.pooling === undefined || isLayerInfo(x.pooling))
  );
}

export function isLabTarget(x: unknown): x is LabTarget {
  return (
    isObj(x) &&
    isStr(x.key, 5000) &&
    (x.document === undefined || isStr(x.document, 5000)) &&
    isStr(x.name, 500) &&
    Array.isArray(x.layers) &&
    x.layers.length <= 10_000 &&
    x.layers.every(isLabLayer) &&
    (x.json === null || isObj(x.json)) &&
    (x.jsonWithoutPooling === undefined || isObj(x.jsonWithoutPooling)) &&
    Array.isArray(x.skipped) &&
    x.skipped.every((s) => isObj(s) && isStr(s.name, 500) && isStr(s.className, 200) && isStr(s.reason, 2000)) &&
    (x.reason === undefined || isStr(x.reason, 2000)) &&
    (x.input === null || isMapSize(x.input, MAX_LAB_INPUT_VALUES)) &&
    (x.inputWhy === undefined || isStr(x.inputWhy, 2000)) &&
    isStr(x.inputShape, 500) &&
    isModelInfo(x.preview)
  );
}

/** Validates a message received by the model lab's webview. */
export function isHostToLab(x: unknown): x is HostToLab {
  if (!isObj(x)) return false;
  if (x.type === 'lab') return x.target === null || isLabTarget(x.target);
  return (x.type === 'image' || x.type === 'imageError') && isHostToWebview(x);
}

/** Validates a message received by the model lab's host. */
export function isLabToHost(x: unknown): x is LabToHost {
  if (!isObj(x)) return false;
  if (x.type === 'openPooling') return Object.keys(x).length === 3 && isStr(x.layer, 500) && isRealInput(x.real);
  return isWebviewToHost(x);
}
