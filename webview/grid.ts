// One feature map on screen: cells with their values when small, an image when large. Either way
// the grid reports the cell under the mouse or the keyboard cursor, and draws highlights (a pooling
// window, possibly reaching into `same` padding, or the output cells an input cell feeds).

import { formatValue, type Window } from './pool';
import type { FeatureMap } from './inputs';
import { gridSize } from './layout';

/** `rgb` draws channels 0–2 as colour; a number draws that channel. */
export type View = 'rgb' | number;

export interface GridOptions {
  id: string;
  label: string;
  map: FeatureMap;
  view: View;
  /** Value range shared by every grid of the pipeline, so pooled maps compare with their input. */
  range: [number, number];
  /** Padding ring drawn around the map (the `same` padding of the stage that reads it). */
  pad: { top: number; left: number; bottom: number; right: number };
  /** Widest the grid may be drawn (px): larger maps scale down to it. */
  maxPx?: number;
  /** Per value (channels last), 1 where the translation demo changed it: those cells are tinted. */
  changed?: Uint8Array | null;
  onActive(cell: { y: number; x: number } | null): void;
}

export interface Highlight {
  kind: 'window' | 'fed' | 'active';
  area: Window;
}

const MIN_BOX_PX = 10;
const MAX_CANVAS = 1024;

/** Viridis-like scale (dark blue → green → yellow), readable on dark and light themes. */
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
export function colour(t: number): [number, number, number] {
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(Math.floor(u), STOPS.length - 2);
  const f = u - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export class Grid {
  readonly el: HTMLElement;
  /** Cell width and height on screen (px); equal except for thin maps (a 1-D sequence is one row). */
  readonly cellPx: number;
  readonly cellH: number;
  readonly cells: boolean;
  private readonly layer: HTMLElement;
  /** The last cell visited (kept so the keyboard resumes there) and whether it is highlighted now. */
  private cursor: { y: number; x: number } | null = null;
  private shown = false;
  private readonly cellEls: HTMLElement[] = [];

  constructor(private readonly o: GridOptions) {
    const { map, pad } = o;
    const size = gridSize(map.height, map.width, pad.top + pad.bottom, pad.left + pad.right, o.maxPx);
    this.cells = size.cells;
    this.cellPx = size.cellPx;
    this.cellH = size.cellH;
    const rows = map.height + pad.top + pad.bottom;
    const el = document.createElement('div');
    el.className = `grid ${this.cells ? 'grid-cells' : 'grid-image'}`;
    el.id = o.id;
    el.tabIndex = 0;
    el.setAttribute('role', 'group');
    el.setAttribute('aria-roledescription', 'feature map');
    el.setAttribute('aria-label', `${o.label}. Arrow keys move between cells; the explanation below updates.`);
    el.style.width = `${(map.width + pad.left + pad.right) * this.cellPx}px`;
    el.style.height = `${rows * this.cellH}px`;
    if (pad.top + pad.left + pad.bottom + pad.right > 0) {
      const ring = document.createElement('div');
      ring.className = 'pad-ring';
      ring.title = "padding='same': implicit cells that pooling ignores";
      el.append(ring);
    }
    if (this.cells) this.drawCells(el);
    else el.append(this.drawImage());
    if (o.changed && !this.cells) el.append(this.drawChanged(o.changed));
    this.layer = document.createElement('div');
    this.layer.className = 'highlights';
    el.append(this.layer);
    this.el = el;
    el.addEventListener('mousemove', (e) => this.fromMouse(e));
    el.addEventListener('mouseleave', () => this.setCursor(null));
    el.addEventListener('focus', () => this.setCursor(this.cursor ?? { y: 0, x: 0 }));
    el.addEventListener('blur', () => this.setCursor(null));
    el.addEventListener('keydown', (e) => this.onKey(e));
  }

  private colourOf(y: number, x: number): [number, number, number] {
    const { map, view, range } = this.o;
    const base = (y * map.width + x) * map.channels;
    const span = range[1] - range[0] || 1;
    if (view === 'rgb' && map.channels === 3) {
      const n = (c: number) => Math.round(255 * Math.max(0, Math.min(1, (map.data[base + c] - range[0]) / span)));
      return [n(0), n(1), n(2)];
    }
    const c = view === 'rgb' ? 0 : Math.min(view, map.channels - 1);
    return colour((map.data[base + c] - range[0]) / span).map(Math.round) as [number, number, number];
  }

  private valueAt(y: number, x: number): number {
    const { map, view } = this.o;
    return map.data[(y * map.width + x) * map.channels + (view === 'rgb' ? 0 : Math.min(view, map.channels - 1))];
  }

  private drawCells(el: HTMLElement): void {
    const { map, pad } = this.o;
    const px = this.cellPx;
    const font = px >= 40 ? 13 : px >= 34 ? 11 : 10;
    for (let y = 0; y < map.height; y++) {
      for (let x = 0; x < map.width; x++) {
        const cell = document.createElement('div');
        cell.className = 'cell';
        cell.dataset.y = String(y);
        cell.dataset.x = String(x);
        const [r, g, b] = this.colourOf(y, x);
        cell.style.left = `${(x + pad.left) * px}px`;
        cell.style.top = `${(y + pad.top) * px}px`;
        cell.style.width = cell.style.height = `${px - 2}px`;
        if (font !== 13) cell.style.fontSize = `${font}px`;
        cell.style.background = `rgb(${r}, ${g}, ${b})`;
        cell.style.color = 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#111' : '#f4f4f4';
        if (this.o.changed && this.isChanged(this.o.changed, y, x)) cell.classList.add('changed');
        if (this.o.view === 'rgb' && map.channels === 3) cell.title = [0, 1, 2].map((c) => formatValue(map.data[(y * map.width + x) * map.channels + c])).join(', ');
        else cell.textContent = formatValue(this.valueAt(y, x));
        el.append(cell);
        this.cellEls.push(cell);
      }
    }
  }

  private drawImage(): HTMLCanvasElement {
    return this.paint((y, x) => {
      const [r, g, b] = this.colourOf(y, x);
      return [r, g, b, 255];
    });
  }

  /** Changed in the channels on view (any of R, G, B in the RGB view). */
  private isChanged(changed: Uint8Array, y: number, x: number): boolean {
    const { map, view } = this.o;
    const base = (y * map.width + x) * map.channels;
    if (view === 'rgb' && map.channels === 3) return changed[base] === 1 || changed[base + 1] === 1 || changed[base + 2] === 1;
    return changed[base + (view === 'rgb' ? 0 : Math.min(view, map.channels - 1))] === 1;
  }

  /** A tint over the changed cells of an image-drawn map, one canvas pixel per cell. */
  private drawChanged(changed: Uint8Array): HTMLCanvasElement {
    const canvas = this.paint((y, x) => (this.isChanged(changed, y, x) ? [241, 76, 76, 150] : undefined));
    canvas.className = 'changed-layer';
    return canvas;
  }

  /**
   * A canvas over the map's cells, each canvas pixel the RGBA `pixel` gives for its cell (none: left
   * clear). Maps wider than the screen can show are sampled (nearest cell) onto at most MAX_CANVAS px a side.
   */
  private paint(pixel: (y: number, x: number) => readonly number[] | undefined): HTMLCanvasElement {
    const { map, pad } = this.o;
    const cw = Math.min(map.width, MAX_CANVAS);
    const ch = Math.min(map.height, MAX_CANVAS);
    const canvas = document.createElement('canvas');
    canvas.width = cw;
    canvas.height = ch;
    canvas.style.width = `${map.width * this.cellPx}px`;
    canvas.style.height = `${map.height * this.cellH}px`;
    canvas.style.left = `${pad.left * this.cellPx}px`;
    canvas.style.top = `${pad.top * this.cellH}px`;
    const ctx = canvas.getContext('2d');
    if (ctx) {
      const img = ctx.createImageData(cw, ch);
      for (let j = 0; j < ch; j++) {
        const y = Math.floor((j * map.height) / ch);
        for (let i = 0; i < cw; i++) {
          const rgba = pixel(y, Math.floor((i * map.width) / cw));
          if (rgba) img.data.set(rgba, (j * cw + i) * 4);
        }
      }
      ctx.putImageData(img, 0, 0);
    }
    return canvas;
  }

  private fromMouse(e: MouseEvent): void {
    const r = this.el.getBoundingClientRect();
    const x = Math.floor((e.clientX - r.left) / this.cellPx) - this.o.pad.left;
    const y = Math.floor((e.clientY - r.top) / this.cellH) - this.o.pad.top;
    const inside = x >= 0 && y >= 0 && x < this.o.map.width && y < this.o.map.height;
    this.setCursor(inside ? { y, x } : null);
  }

  private onKey(e: KeyboardEvent): void {
    const c = this.cursor ?? { y: 0, x: 0 };
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const m = moves[e.key];
    if (m) {
      e.preventDefault();
      this.setCursor({ y: Math.max(0, Math.min(this.o.map.height - 1, c.y + m[0])), x: Math.max(0, Math.min(this.o.map.width - 1, c.x + m[1])) });
    } else if (e.key === 'Home') {
      e.preventDefault();
      this.setCursor({ y: 0, x: 0 });
    } else if (e.key === 'End') {
      e.preventDefault();
      this.setCursor({ y: this.o.map.height - 1, x: this.o.map.width - 1 });
    } else if (e.key === 'Escape') {
      this.setCursor(null);
    }
  }

  private setCursor(cell: { y: number; x: number } | null): void {
    if (cell) {
      if (this.shown && this.cursor && cell.y === this.cursor.y && cell.x === this.cursor.x) return;
      this.cursor = cell;
      this.shown = true;
    } else {
      if (!this.shown) return;
      this.shown = false;
    }
    this.o.onActive(cell);
  }

  /** Replaces the highlights (areas in map coordinates; windows may reach into the padding). */
  highlight(hs: Highlight[]): void {
    this.layer.replaceChildren();
    for (const c of this.cellEls) c.classList.remove('in-window', 'fed', 'active');
    const { pad, map } = this.o;
    for (const h of hs) {
      const a = h.area;
      if (a.y0 > a.y1 || a.x0 > a.x1) continue;
      const box = document.createElement('div');
      box.className = `hl hl-${h.kind}`;
      // On large images a window can be a few pixels wide: draw at least MIN_BOX_PX, centred on it.
      const place = (start: number, count: number, before: number, cell: number): [number, number] => {
        const size = count * cell;
        const shown = Math.max(size, MIN_BOX_PX);
        return [(start + before) * cell - (shown - size) / 2, shown];
      };
      const [left, width] = place(a.x0, a.x1 - a.x0 + 1, pad.left, this.cellPx);
      const [top, height] = place(a.y0, a.y1 - a.y0 + 1, pad.top, this.cellH);
      box.style.left = `${left}px`;
      box.style.top = `${top}px`;
      box.style.width = `${width}px`;
      box.style.height = `${height}px`;
      this.layer.append(box);
      const cls = h.kind === 'window' ? 'in-window' : h.kind;
      for (let y = Math.max(a.y0, 0); y <= Math.min(a.y1, map.height - 1); y++) {
        for (let x = Math.max(a.x0, 0); x <= Math.min(a.x1, map.width - 1); x++) this.cellEls[y * map.width + x]?.classList.add(cls);
      }
      if (h.kind === 'window' && (a.y0 < 0 || a.x0 < 0 || a.y1 >= map.height || a.x1 >= map.width)) box.classList.add('hl-padded');
    }
  }
}
