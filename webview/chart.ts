// A small SVG line chart for the Pooling lab's curves: a few series over epochs (x may be
// fractional: a batch's place in its epoch), a linear y axis from 0, a legend. No library.

const SVG = 'http://www.w3.org/2000/svg';

export interface Series {
  label: string;
  /** CSS class: the colour (`with`, `without`) and the dash (`val`). */
  className: string;
  points: [number, number][];
}

export interface ChartSpec {
  id: string;
  title: string;
  /** Epochs on the x axis (at least 1). */
  xMax: number;
  /** Fixed top of the y axis (accuracy: 1); else the largest finite value. */
  yMax?: number;
  series: Series[];
}

const W = 360;
const H = 180;
const PAD = { left: 44, right: 10, top: 22, bottom: 28 };

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A "nice" axis top: 1, 2 or 5 × 10ⁿ at or above `v`. */
export function niceTop(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function lineChart(spec: ChartSpec): SVGSVGElement {
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', id: spec.id, role: 'img' });
  svg.setAttribute('aria-label', spec.title);
  let top = spec.yMax ?? 0;
  if (spec.yMax === undefined) for (const s of spec.series) for (const [, y] of s.points) if (Number.isFinite(y) && y > top) top = y;
  top = spec.yMax ?? niceTop(top);
  const xMax = Math.max(1, spec.xMax);
  const px = (x: number) => PAD.left + (Math.min(x, xMax) / xMax) * (W - PAD.left - PAD.right);
  const py = (y: number) => H - PAD.bottom - (Math.max(0, Math.min(y, top)) / top) * (H - PAD.top - PAD.bottom);
  svg.append(el('text', { x: PAD.left, y: 14, class: 'chart-title' }, spec.title));
  // Axes, y ticks at 0, ½, top; x ticks at each epoch.
  svg.append(el('line', { x1: PAD.left, y1: py(0), x2: W - PAD.right, y2: py(0), class: 'axis' }), el('line', { x1: PAD.left, y1: py(0), x2: PAD.left, y2: py(top), class: 'axis' }));
  for (const v of [0, top / 2, top]) {
    svg.append(el('line', { x1: PAD.left, y1: py(v), x2: W - PAD.right, y2: py(v), class: 'grid' }), el('text', { x: PAD.left - 4, y: py(v) + 4, class: 'tick', 'text-anchor': 'end' }, String(Number(v.toPrecision(3)))));
  }
  const step = Math.max(1, Math.ceil(xMax / 10));
  for (let e = 0; e <= xMax; e += step) svg.append(el('text', { x: px(e), y: H - PAD.bottom + 14, class: 'tick', 'text-anchor': 'middle' }, String(e)));
  svg.append(el('text', { x: W - PAD.right, y: H - 2, class: 'tick', 'text-anchor': 'end' }, 'epoch'));
  for (const s of spec.series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const line = el('polyline', { points: pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' '), class: `series ${s.className}` });
    line.dataset.label = s.label;
    line.dataset.points = String(pts.length);
    if (pts.length > 0) line.dataset.last = String(pts[pts.length - 1][1]);
    const title = el('title', {}, s.label);
    line.append(title);
    svg.append(line);
    // A single point (one epoch of validation) shows as a dot.
    for (const [x, y] of pts.length === 1 || s.className.includes('val') ? pts : []) svg.append(el('circle', { cx: px(x), cy: py(y), r: 2.5, class: `dot ${s.className}` }));
  }
  return svg;
}
