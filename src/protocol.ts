// The messages between the pooling preview's host side (src/panels/poolingPreview.ts) and its
// webview (webview/). Each message is declared once, with its direction, and each direction has a
// guard: whatever arrives through postMessage is validated before use. No vscode, no DOM here.

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
}

export interface ModelInfo {
  name: string;
  /** Total params as written, and with its MaxPooling/AveragePooling layers removed (null: unknown). */
  paramsWith: number | null;
  paramsWithout: number | null;
  /** Names of the layers "without pooling" removes. */
  removed: string[];
  /** The model's pooling layers in order ("Use the model's pooling layers"). */
  pooling: LayerInfo[];
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

/** Largest pool size / stride per axis, and largest feature-map side, the preview accepts. */
export const MAX_WINDOW = 4096;
export const MAX_SIDE = 1 << 20;

/** The largest image file the host sends (bytes). */
export const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Guards

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPosInt = (x: unknown, max = 1 << 20): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= max;
const isStr = (x: unknown, max = 10_000): x is string => typeof x === 'string' && x.length <= max;
const isPair = (x: unknown): x is [number, number] => Array.isArray(x) && x.length === 2 && isPosInt(x[0], MAX_WINDOW) && isPosInt(x[1], MAX_WINDOW);
const isCount = (x: unknown): x is number | null => x === null || (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0);

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
    (x.keepdims === undefined || typeof x.keepdims === 'boolean')
  );
}

function isModelInfo(x: unknown): x is ModelInfo {
  return (
    isObj(x) &&
    isStr(x.name, 500) &&
    isCount(x.paramsWith) &&
    isCount(x.paramsWithout) &&
    Array.isArray(x.removed) &&
    x.removed.every((n) => isStr(n, 500)) &&
    Array.isArray(x.pooling) &&
    x.pooling.length <= 1000 &&
    x.pooling.every(isLayerInfo)
  );
}

export function isPreviewTarget(x: unknown): x is PreviewTarget {
  if (!isObj(x) || !isStr(x.key, 5000) || (x.document !== undefined && !isStr(x.document, 5000))) return false;
  if (x.layer !== null && !isLayerInfo(x.layer)) return false;
  if (x.model !== null && !isModelInfo(x.model)) return false;
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
