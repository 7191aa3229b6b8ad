// The Shape Lens custom requests between the language server and the VS Code extension, declared
// once (like src/protocol.ts for the webview). Plain data only: LSP positions, strings, numbers.
// No vscode and no analysis here: the extension bundle imports this file.

import { NotificationType, RequestType, type Position, type Range } from 'vscode-languageserver-protocol';
import type { LabTarget, PreviewTarget } from '../protocol';

/** Where something is in the editor: a document (a notebook cell's own URI) and a range in it. */
export interface Place {
  uri: string;
  range: Range;
  /** A notebook cell: its number among all the notebook's cells, from 1 (as Jupyter and VS Code count). */
  cell?: number;
}

/** One row of the model tree. */
export interface RowInfo {
  /** `conv2d (Conv2D)` */
  label: string;
  /** `(None, 26, 26, 32) · 320` */
  description: string;
  /** Why a `?` in the row, when there is one. */
  tooltip?: string;
  /** True when the row has weights (the tree's icon). */
  hasParams: boolean;
  /** Where the layer was created, when it is in the document (or notebook) asked about. */
  place?: Place;
}

/** One model of a document: what the tree, the status bar and Copy Summary show. */
export interface ModelInfo {
  name: string;
  /** `Sequential · 8,861 params` */
  description: string;
  tooltip: string;
  rows: RowInfo[];
  totals: { label: string; value: string }[];
  /** The Keras `model.summary()` table (Copy Summary). */
  summaryText: string;
  /** `8,861 params` for the status bar. */
  paramsText: string;
  place?: Place;
}

/** The models of a document, a notebook or the notebook of a cell. */
export interface DocumentModels {
  uri: string;
  models: ModelInfo[];
}

export interface DocumentParams {
  /** A text document, a notebook, or a notebook cell (then its whole notebook). */
  uri: string;
}

export interface PositionParams {
  uri: string;
  position: Position;
}

/** The model tree and Copy Summary: every model of the document (null when Shape Lens ignores it). */
export const ModelsRequest = new RequestType<DocumentParams, DocumentModels | null, void>('shapeLens/models');

/** The status bar: the model whose code is at the position (a cell with no such line: the first model with a layer in the cell). */
export interface ModelAt {
  name: string;
  text: string;
  tooltip: string;
}
export const ModelAtRequest = new RequestType<PositionParams, ModelAt | null, void>('shapeLens/modelAt');

/** The pooling preview opened at a position: what it shows, and the panel's title. */
export interface PoolingTargetResult {
  target: PreviewTarget;
  title: string;
}
/** At a position, or (an open preview following edits) its model and pooling layer by name. */
export interface PoolingParams extends PositionParams {
  model?: string;
  layer?: string;
}
export const PoolingTargetRequest = new RequestType<PoolingParams, PoolingTargetResult | null, void>('shapeLens/poolingTarget');

/** The model lab: a model of a document, by name (the tree, the palette) or at a position (the code lens). */
export interface LabParams {
  uri: string;
  model?: string;
  position?: Position;
}
export interface LabTargetResult {
  target: LabTarget;
  title: string;
}
export const LabTargetRequest = new RequestType<LabParams, LabTargetResult | null, void>('shapeLens/labTarget');

/** The server process (the in-editor tests kill it to check the client restarts it). */
export const ServerInfoRequest = new RequestType<null, { pid: number }, void>('shapeLens/serverInfo');

/** Sent after a document's analysis changed (debounced): the tree and the status bar ask again. */
export const DidChangeAnalysisNotification = new NotificationType<{ uris: string[] }>('shapeLens/didChangeAnalysis');

/** What the client tells the server at start (`initializationOptions`). */
export interface InitializationOptions {
  /** The client runs VS Code commands from hover links (`command:shapeLens.showPoolingPreview`). */
  commandLinks?: boolean;
}
