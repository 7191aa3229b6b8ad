// How big the preview draws a feature map and whether a stage's input and output fit side by side:
// pure arithmetic on the panel's width, so the hovered window and the output cell it makes stay in
// view together. No DOM: unit-tested in plain node.

/** Largest side drawn as cells with values. */
export const MAX_CELL_SIDE = 10;
/** A cell with its value at full size, and the smallest one whose value still reads. */
export const CELL_PX = 44;
export const MIN_CELL_PX = 30;
/** Width an image-drawn map gets when there is room (its cells at most MAX_IMAGE_CELL_PX). */
export const IMAGE_PX = 320;
const MAX_IMAGE_CELL_PX = 24;
/** Thin maps (1 × 500) are drawn at least this tall. */
const MIN_THIN_PX = 24;
/** Room between the input and the output of a pair (the arrow). */
export const PAIR_GAP_PX = 40;
/** Narrowest room a map of a pair may get before the pair is stacked instead. */
export const MIN_PAIR_MAP_PX = 140;

export interface GridSize {
  /** Drawn as cells with values (else as an image). */
  cells: boolean;
  /** Cell width and height on screen (px); equal except for thin maps (a 1-D sequence is one row). */
  cellPx: number;
  cellH: number;
}

/**
 * The size of a `height` × `width` map with `padRows` / `padCols` cells of padding drawn around it,
 * given at most `maxPx` of width: cells of 44 px for small maps, shrunk to fit, and an image once
 * cells would be too small to show their value; large maps are images of 320 px, scaled down to fit.
 */
export function gridSize(height: number, width: number, padRows = 0, padCols = 0, maxPx = Infinity): GridSize {
  const r = Math.max(1, height + padRows);
  const c = Math.max(1, width + padCols);
  const room = Math.max(1, Number.isNaN(maxPx) ? Infinity : maxPx);
  const side = Math.max(r, c);
  if (Math.max(height, width) <= MAX_CELL_SIDE) {
    const cellPx = Math.min(CELL_PX, Math.floor(room / c));
    if (cellPx >= MIN_CELL_PX) return { cells: true, cellPx, cellH: cellPx };
  }
  const cellPx = Math.min(MAX_IMAGE_CELL_PX, IMAGE_PX / side, room / c);
  const cellH = Math.max(cellPx, Math.min(MAX_IMAGE_CELL_PX, MIN_THIN_PX / r));
  return { cells: false, cellPx, cellH };
}

export interface PairLayout {
  /** Input and output in one row (else stacked). */
  sideBySide: boolean;
  /** Width each map of the pair may take. */
  maxPx: number;
}

/** Side by side when each map gets at least MIN_PAIR_MAP_PX of the `width` available; else stacked, each the full width. */
export function pairLayout(width: number): PairLayout {
  const w = Number.isFinite(width) && width > 0 ? Math.floor(width) : 0;
  const half = Math.floor((w - PAIR_GAP_PX) / 2);
  if (half >= MIN_PAIR_MAP_PX) return { sideBySide: true, maxPx: half };
  return { sideBySide: false, maxPx: Math.max(MIN_PAIR_MAP_PX, w) };
}
