// The results side of the incremental analyses (python/incremental.ts, tfjs/incremental.ts): a
// group's cached run, its events in the order of the full run with the automatic-name counters, and
// its ranges.

import type { SummarySnapshot } from '../../core/builder';
import type { Diagnostic, SourceRange } from '../../core/diagnostics';
import type { LayerNode, ModelGraph } from '../../core/graph';
import type { GroupStmt } from './incremental-groups';

/** A counter base (`dense`) and a number: how far an event advanced it, or its value when the event started. */
export type Advance = readonly [string, number];

/**
 * When an event happens in the full run: 0: its statement runs; 1: an uncalled builder no other
 * calls runs; 2: one another calls (roots first); 3–5 (Python): subclassed model instances made in
 * a phase 0–2 event are summarised (`finishKerasModels`, in the order they were made).
 */
export type Phase = 0 | 1 | 2 | 3 | 4 | 5;

/** One step of a group's run: a top-level statement, or a builder nothing called run afterwards. */
export interface Event<S extends GroupStmt = GroupStmt> {
  stmt: S;
  phase: Phase;
  /** Automatic-name counters it advanced, and by how much. */
  delta: Advance[];
  /** The counters it read (every base it named a layer after), at their values when it started. */
  read: Advance[];
  models: ModelGraph[];
  snapshots: SummarySnapshot[];
  diagnostics: Diagnostic[];
  /** Places of it that would fail when run (`FileAnalysis.failures`). */
  failures: number;
  /** The group run it belongs to (set when it is put in the timeline). */
  run?: GroupRun<S>;
}

/** A group's cached run. */
export interface GroupRun<S extends GroupStmt = GroupStmt> {
  key: string;
  stmts: S[];
  events: Event<S>[];
  /** Models left without a name at the end (`collectModels` names them; reset before each merge). */
  unnamed: ModelGraph[];
  /** Every range in its results, by the statement it lies in, with that statement's start when last shifted. */
  ranges: { stmt: S; at: number; ranges: SourceRange[] }[];
  /** Some message says a line number: run again when a statement of it moves to another line. */
  lines?: Map<S, number>;
  steps: number;
  /** The `shape-lens:` assumptions its run took (`GraphBuilder.usedAssumptions`). */
  usedAssumptions?: readonly string[];
}

/**
 * The cached runs' events in the order of the full run (by `Phase`, then file order), and the automatic-name counters by position: per counter base, a
 * Fenwick tree of the advances (`Counts`), so "the counters before this event" costs a logarithm whatever the
 * file's size. Kept across updates while statements keep their positions.
 */
export class Timeline<S extends GroupStmt = GroupStmt> {
  private readonly trees = new Map<string, Counts>();
  private readonly size: number;
  /** Statement events by statement position; uncalled builders' events. */
  private readonly slots: (Event<S> | undefined)[];
  private readonly later = new Set<Event<S>>();

  constructor(private readonly stmts: number) {
    this.size = 6 * stmts + 1;
    this.slots = new Array<Event<S> | undefined>(stmts).fill(undefined);
  }

  pos(e: { stmt: GroupStmt; phase: number }): number {
    return e.phase * this.stmts + e.stmt.index;
  }

  add(pos: number, delta: readonly Advance[], sign = 1): void {
    for (const [b, d] of delta) {
      let t = this.trees.get(b);
      if (!t) this.trees.set(b, (t = new Counts(this.size)));
      t.add(pos, sign * d);
    }
  }

  /** Adds (or takes out) a run's events and their advances. */
  addRun(run: GroupRun<S>, sign: 1 | -1): void {
    for (const e of run.events) if (e.delta.length > 0) this.add(this.pos(e), e.delta, sign);
    if (sign > 0) this.place(run);
    else {
      for (const e of run.events) {
        if (e.phase !== 0) this.later.delete(e);
        else if (this.slots[e.stmt.index] === e) this.slots[e.stmt.index] = undefined;
      }
    }
  }

  /** Puts a run's events in the order (their advances are counted already). */
  place(run: GroupRun<S>): void {
    for (const e of run.events) {
      e.run = run;
      if (e.phase !== 0) this.later.add(e);
      else this.slots[e.stmt.index] = e;
    }
  }

  /** A run's advances by position, as comparable strings. */
  signature(run: GroupRun<S>): string[] {
    return run.events.filter((e) => e.delta.length > 0).map((e) => `${this.pos(e)}:${e.delta.map(([b, d]) => `${b}=${d}`).join(',')}`);
  }

  /** One counter's value before the event at `pos`. */
  counterBefore(base: string, pos: number): number {
    return this.trees.get(base)?.before(pos) ?? 0;
  }

  /** Every counter's value before the event at `pos`. */
  before(pos: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [b, t] of this.trees) {
      const sum = t.before(pos);
      if (sum !== 0) out.set(b, sum);
    }
    return out;
  }

  /** Every counter's value after the last event. */
  totals(): Map<string, number> {
    return this.before(this.size);
  }

  /** The events in order. */
  events(): Event<S>[] {
    const out: Event<S>[] = [];
    for (let i = 0; i < this.slots.length; i++) {
      const e = this.slots[i];
      if (e) out.push(e);
    }
    if (this.later.size > 0) out.push(...[...this.later].sort((a, b) => this.pos(a) - this.pos(b)));
    return out;
  }

  /** Each event with the counters as they were when it started. */
  walk(visit: (e: Event<S>, counters: Map<string, number>) => void): void {
    const counters = new Map<string, number>();
    for (const e of this.events()) {
      visit(e, counters);
      addInto(counters, e.delta);
    }
  }
}

const BLOCK = 64;

/**
 * One counter's advances by position: a Fenwick tree of blocks of 64 positions, each block's own
 * advances kept once one is made in it. (A tree of every position, 6 per statement, would take
 * some 220 KB per counter for a 10,000-statement file; most blocks of the later phases stay empty.)
 */
class Counts {
  private readonly sums: Int32Array;
  private readonly blocks: (Int32Array | undefined)[];

  constructor(size: number) {
    const n = Math.ceil(size / BLOCK);
    this.sums = new Int32Array(n + 1);
    this.blocks = new Array<Int32Array | undefined>(n).fill(undefined);
  }

  add(pos: number, d: number): void {
    const b = Math.floor(pos / BLOCK);
    (this.blocks[b] ??= new Int32Array(BLOCK))[pos % BLOCK] += d;
    for (let i = b + 1; i < this.sums.length; i += i & -i) this.sums[i] += d;
  }

  /** The advances at positions before `pos`. */
  before(pos: number): number {
    const b = Math.min(Math.floor(pos / BLOCK), this.blocks.length);
    let sum = 0;
    for (let i = b; i > 0; i -= i & -i) sum += this.sums[i];
    const block = this.blocks[b];
    if (block) for (let j = pos % BLOCK - 1; j >= 0; j--) sum += block[j];
    return sum;
  }
}

export function sameMultiset(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

function addInto(counters: Map<string, number>, delta: readonly Advance[]): void {
  for (let i = 0; i < delta.length; i++) counters.set(delta[i][0], (counters.get(delta[i][0]) ?? 0) + delta[i][1]);
}

/**
 * Finds every range in a group's results and the statement it lies in (false if one lies in none),
 * and whether a message in them names a line.
 */
export function collectRanges<S extends GroupStmt>(run: GroupRun<S>): boolean {
  const ranges = new Set<SourceRange>();
  const texts: string[] = [];
  const seenModels = new Set<ModelGraph>();
  const seenLayers = new Set<LayerNode>();
  const add = (r: SourceRange | undefined): void => {
    if (r && !r.file) ranges.add(r);
  };
  const model = (m: ModelGraph): void => {
    if (seenModels.has(m)) return;
    seenModels.add(m);
    add(m.range);
    if (m.incomplete) texts.push(m.incomplete);
    for (const l of m.layers) layer(l);
  };
  const layer = (l: LayerNode): void => {
    if (seenLayers.has(l)) return;
    seenLayers.add(l);
    add(l.range);
    if (l.unknownWhy) texts.push(l.unknownWhy);
    texts.push(...l.explain);
    for (const c of l.calls) {
      add(c.range);
      for (const t of [...c.inputs, ...c.outputs]) {
        if (t.unknownWhy) texts.push(t.unknownWhy);
        if (t.assumed) texts.push(t.assumed);
      }
    }
    if (l.nested) model(l.nested);
  };
  for (const e of run.events) {
    for (const m of e.models) model(m);
    for (const s of e.snapshots) {
      add(s.range);
      model(s.model);
      for (const row of s.summary.rows) layer(row.layer);
    }
    for (const d of e.diagnostics) {
      add(d.range);
      texts.push(d.message);
    }
  }
  const stmts = run.stmts;
  const groups = new Map<S, SourceRange[]>();
  for (const r of ranges) {
    const s = stmts.find((x) => x.start <= r.start && r.end <= x.end);
    if (!s) return false;
    const l = groups.get(s);
    if (l) l.push(r);
    else groups.set(s, [r]);
  }
  run.ranges = [...groups].map(([stmt, rs]) => ({ stmt, at: stmt.start, ranges: rs }));
  if (texts.some((t) => /\bline \d/.test(t))) run.lines = new Map(stmts.map((s) => [s, s.line]));
  return true;
}

/** Moves a reused group's ranges with its statements. */
export function shiftRanges(run: GroupRun): void {
  for (const g of run.ranges) {
    const d = g.stmt.start - g.at;
    if (d === 0) continue;
    for (const r of g.ranges) {
      r.start += d;
      r.end += d;
    }
    g.at = g.stmt.start;
  }
}

export function movedLines(run: GroupRun): boolean {
  if (!run.lines) return false;
  for (const [s, line] of run.lines) if (s.line !== line) return true;
  return false;
}
