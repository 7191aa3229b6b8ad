// The language-independent half of an incremental analysis by groups (tfjs/incremental.ts; the
// same steps as python/incremental.ts): the statements grouped by the module names they share
// (incremental-groups.ts), each group's run cached by its statements' identities, the automatic-name
// counters put in the order of a full run (incremental-timeline.ts), and the cached runs' results
// merged into one builder, finished as a full analysis finishes. The language supplies the
// statements, their names and how to run one group (recording its events with `EventRecorder`).

import { GraphBuilder, unknownLayers, type NamingScheme } from '../../core/builder';
import { collectModels } from '../../core/analysis';
import type { DiagnosticSink, SourceRange } from '../../core/diagnostics';
import type { LayerNode, ModelGraph } from '../../core/graph';
import { summarize, type ModelSummary } from '../../core/summary';
import { markTyping } from '../../core/stale';
import type { KerasRuntime } from './keras-runtime';
import { constantsFor, group, keyOf, mergeByIndex, type GroupStmt, type Keyed } from './incremental-groups';
import { collectRanges, movedLines, sameMultiset, shiftRanges, Timeline, type Advance, type Event, type GroupRun, type Phase } from './incremental-timeline';

/** What a language tells the engine about its statements. */
export interface GroupingRules<S extends GroupStmt> {
  /** A statement whose certain bindings are definitions (see `group`). */
  definition(s: S): boolean;
  /** Two statements at the same place read and bind the module names alike (so they group alike). */
  sameNames(a: S, b: S): boolean;
}

/** Runs one group as a module of its own, recording its events in `counters`' order; a string says why it cannot. */
export type RunGroup<S extends GroupStmt> = (k: Keyed<S>, counters: Timeline<S>) => GroupRun<S> | string;

/**
 * The cached group runs of one document and the counters' timeline, kept across updates. `run`
 * brings them up to date with this update's statements; `merge` puts the results into a builder.
 */
export class GroupedRuns<S extends GroupStmt> {
  private groups = new Map<string, GroupRun<S>>();
  private grouping: { stmts: S[]; keyed: Keyed<S>[] } | undefined;
  private timeline: Timeline<S> | undefined;
  /** The runs whose events `timeline` holds. */
  private counted = new Set<GroupRun<S>>();
  private summaries = new WeakMap<ModelGraph, { name: string; incomplete: string | undefined; summary: ModelSummary }>();
  /** Models of cached runs the last merge marked incomplete (a line being typed reaches them). */
  private marked: ModelGraph[] = [];
  /** Each merged model's layers without a rule (a cached run's models do not change). */
  private readonly unknown = new WeakMap<ModelGraph, readonly LayerNode[]>();

  constructor(private readonly rules: GroupingRules<S>) {}

  /** Forgets every cached run (a full analysis ran instead, or something every group depends on changed). */
  reset(): void {
    this.unmark();
    this.groups.clear();
    this.grouping = undefined;
    this.timeline = undefined;
    this.counted.clear();
  }

  /**
   * Every group of `stmts` run or reused (their statements' `index` set); a string says why the
   * runs cannot stand for a full run (then the caller analyses the whole text).
   */
  run(stmts: S[], runGroup: RunGroup<S>, stepLimit: number): { groups: number; ran: number } | string {
    const { keyed, stable } = this.regroup(stmts);
    // Reuse what is still valid: same statements, same lines where a message names one.
    const runs = new Map<string, GroupRun<S>>();
    const toRun: Keyed<S>[] = [];
    for (const k of keyed) {
      const cached = this.groups.get(k.key);
      if (cached && !movedLines(cached)) runs.set(k.key, cached);
      else toRun.push(k);
    }
    this.groups = runs;
    // Groups that define functions run last: a builder nothing calls runs after every module
    // statement (phases 1–2), so it sees every other group's counters and need not run again.
    const defines = (k: Keyed<S>): number => (k.all.some((s) => s.names!.lateReads.size > 0) ? 1 : 0);
    toRun.sort((a, b) => defines(a) - defines(b));
    let ran = 0;
    // The counters hold the cached runs' advances. Kept from the last update while statements keep
    // their positions; the runs dropped since are taken out, and their advances remembered.
    if (!stable || !this.timeline) {
      this.timeline = new Timeline<S>(stmts.length);
      this.counted = new Set();
    }
    const counters = this.timeline;
    const removed: string[] = [];
    const added: string[] = [];
    for (const r of this.counted) {
      if (runs.get(r.key) === r) continue;
      counters.addRun(r, -1);
      this.counted.delete(r);
      removed.push(...counters.signature(r));
    }
    for (const r of runs.values()) {
      if (this.counted.has(r)) continue;
      counters.addRun(r, 1);
      this.counted.add(r);
    }
    for (let round = 0; ; round++) {
      if (round >= 3) return this.fail('automatic names did not settle');
      for (const k of toRun) {
        ran++;
        const old = runs.get(k.key);
        if (old && this.counted.delete(old)) {
          counters.addRun(old, -1);
          removed.push(...counters.signature(old));
        }
        const result = runGroup(k, counters);
        if (typeof result === 'string') return this.fail(result);
        runs.set(k.key, result);
        counters.place(result);
        this.counted.add(result);
        added.push(...counters.signature(result));
      }
      toRun.length = 0;
      // No run replaced, or one by one advancing the same counters at the same places (it ran with
      // every other run's advances counted): every other run's counters are as they were.
      if (stable && round === 0 && ran <= 1 && sameMultiset(removed, added)) break;
      // A group whose counters now start elsewhere than when it ran names its layers differently: run it again.
      const stale = new Set<string>();
      counters.walk((e, at) => {
        for (let i = 0; i < e.read.length; i++) if ((at.get(e.read[i][0]) ?? 0) !== e.read[i][1]) stale.add(e.run!.key);
      });
      for (const k of keyed) if (stale.has(k.key)) toRun.push(k);
      if (toRun.length === 0) break;
    }
    let steps = 0;
    for (const r of runs.values()) steps += r.steps;
    if (steps > stepLimit) return this.fail('the step budget');
    // The reused runs' ranges are moved to the new text only now, when they are sure to be in the
    // result: a range in the previous result but not in this one keeps its old offsets (core/stale.ts
    // tells moved ranges from the others by identity).
    for (const r of runs.values()) shiftRanges(r);
    return { groups: keyed.length, ran };
  }

  private fail(reason: string): string {
    this.reset();
    return reason;
  }

  /**
   * The runs' results in file order in a new builder (models, summary snapshots, diagnostics into
   * `sink`), finished as a full analysis finishes (`collectModels`); the failures they counted.
   */
  merge(sink: DiagnosticSink, naming: NamingScheme, version: 2 | 3 = 3, typing?: { text: string; line: number }): { builder: GraphBuilder; models: ModelSummary[]; failures: number; typing?: SourceRange } {
    this.unmark();
    const builder = new MergedBuilder(sink, naming, version, this.unknown);
    const timeline = this.timeline!;
    for (const r of this.groups.values()) for (const m of r.unnamed) m.name = '';
    const events = timeline.events();
    let failures = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      failures += e.failures;
      if (e.models.length > 0) builder.models.push(...e.models);
      if (e.snapshots.length > 0) builder.snapshots.push(...e.snapshots);
      for (let j = 0; j < e.diagnostics.length; j++) builder.sink.report(e.diagnostics[j]);
    }
    builder.restoreNames(timeline.totals());
    for (const r of this.groups.values()) for (const n of r.usedAssumptions ?? []) builder.usedAssumptions.add(n);
    // A line being typed, left out (the text analysed has it blanked): the models it reaches are
    // incomplete in this result only (marked now, unmarked at the next merge).
    let range: SourceRange | undefined;
    if (typing) {
      const was = builder.models.map((m) => m.incomplete);
      range = markTyping(builder.models, typing.text, typing.line);
      builder.models.forEach((m, i) => {
        if (m.incomplete !== was[i]) this.marked.push(m);
      });
    }
    // A model of a reused group is unchanged but for the name `collectModels` may give it (and a mark).
    const memo = new WeakMap<ModelGraph, { name: string; incomplete: string | undefined; summary: ModelSummary }>();
    const models = collectModels(builder, (m) => {
      const known = this.summaries.get(m);
      const summary = known && known.name === m.name && known.incomplete === m.incomplete ? known.summary : summarize(builder, m);
      memo.set(m, { name: m.name, incomplete: m.incomplete, summary });
      return summary;
    });
    this.summaries = memo;
    return { builder, models, failures, ...(range && { typing: range }) };
  }

  /** Takes back the marks of the last merge's line being typed (cached models are shared across updates). */
  private unmark(): void {
    for (const m of this.marked) m.incomplete = undefined;
    this.marked = [];
  }

  /**
   * The groups of this update's statements. An edit that changed statements in place without
   * changing the names they read and bind (an argument, a number) leaves the grouping as it was:
   * only the groups holding those statements get them (and a new key).
   */
  private regroup(stmts: S[]): { keyed: Keyed<S>[]; stable: boolean } {
    const prev = this.grouping;
    let keyed: Keyed<S>[] | undefined;
    if (prev && prev.stmts.length === stmts.length) {
      const changed = new Set<number>();
      for (let i = 0; i < stmts.length && changed.size <= 64; i++) {
        const a = stmts[i];
        const b = prev.stmts[i];
        if (a === b) continue;
        if (a.names!.constant || b.names!.constant || !this.rules.sameNames(a, b)) {
          changed.add(-1);
          break;
        }
        changed.add(i);
      }
      if (!changed.has(-1) && changed.size <= 64) {
        keyed = prev.keyed.map((k) => {
          if (!k.all.some((s) => changed.has(s.index))) return k;
          const all = k.all.map((s) => stmts[s.index]);
          return { key: keyOf(all), all, own: new Set([...k.own].map((s) => stmts[s.index])) };
        });
      }
    }
    // (The previous statements' `index` is their place in the last update until here.)
    stmts.forEach((s, i) => (s.index = i));
    const stable = !!keyed;
    if (!keyed) {
      const { groups, constants } = group(stmts, (s) => this.rules.definition(s));
      keyed = groups.map((g) => {
        const consts = constantsFor(g, constants);
        const all = consts.length === 0 ? g : mergeByIndex(consts, g);
        return { key: keyOf(all), all, own: new Set(g) };
      });
    }
    this.grouping = { stmts, keyed };
    return { keyed, stable };
  }
}

/** The builder results are merged into: a model's layers without a rule are looked up once. */
class MergedBuilder extends GraphBuilder {
  constructor(
    sink: DiagnosticSink,
    naming: NamingScheme,
    version: 2 | 3,
    private readonly unknown: WeakMap<ModelGraph, readonly LayerNode[]>,
  ) {
    super(sink, naming, version);
  }

  override reportUnknownLayers(): void {
    super.reportUnknownLayers((m) => {
      let l = this.unknown.get(m);
      if (!l) this.unknown.set(m, (l = unknownLayers(m)));
      return l;
    });
  }
}

/** `saveNames` of a `CountingBuilder` after `clear_session()`: counters not in it are 0, not the timeline's. */
const CLEARED = '\0cleared';

/**
 * A builder whose automatic-name counters, in each event, start at the timeline's values, read one
 * counter at a time when first used (a file uses a few of the counters the timeline holds), and
 * which notes each counter read with its value then (so a cached group knows what its names depend on).
 */
export class CountingBuilder extends GraphBuilder {
  /** The counters read in this event, at their values when it started. */
  readonly read = new Map<string, number>();
  /** The counters set in this event (or read: then at their starting value). */
  private local = new Map<string, number>();
  private origin: (base: string) => number = () => 0;
  /** `clear_session()` ran in this event: counters it has not set are 0. */
  private cleared = false;

  constructor(sink: DiagnosticSink, naming: NamingScheme, version: 2 | 3 = 3) {
    super(sink, naming, version);
  }

  /** Starts an event whose counters begin at `origin`'s values. */
  startEvent(origin: (base: string) => number): void {
    this.origin = origin;
    this.local = new Map();
    this.cleared = false;
    this.read.clear();
  }

  /** Each counter this event moved, by how much. */
  advances(): Advance[] {
    const out: Advance[] = [];
    for (const [b, v] of this.local) {
      const d = v - (this.read.get(b) ?? this.origin(b));
      if (d !== 0) out.push([b, d]);
    }
    return out;
  }

  protected override counter(base: string): number {
    const v = this.local.get(base);
    if (v !== undefined) return v;
    let start = this.read.get(base);
    if (start === undefined) this.read.set(base, (start = this.origin(base)));
    const now = this.cleared ? 0 : start;
    this.local.set(base, now);
    return now;
  }

  protected override setCounter(base: string, n: number): void {
    this.local.set(base, n);
  }

  override saveNames(): Map<string, number> {
    const saved = new Map(this.local);
    if (this.cleared) saved.set(CLEARED, 1);
    return saved;
  }

  override restoreNames(saved: Map<string, number>): void {
    this.local = new Map(saved);
    this.cleared = this.local.delete(CLEARED);
  }

  override clearNames(): void {
    this.local = new Map();
    this.cleared = true;
  }

  override namesMovedSince(saved: Map<string, number>): boolean {
    const value = (m: Map<string, number>, b: string): number => m.get(b) ?? (m.has(CLEARED) ? 0 : this.origin(b));
    const now = this.saveNames();
    for (const b of new Set([...now.keys(), ...saved.keys()])) if (value(now, b) !== value(saved, b)) return true;
    return false;
  }
}

/**
 * Records one group run's events: `before` and `after` around each top-level statement and each
 * uncalled builder; `finish` makes the run (or says why it cannot stand for its part of a full run).
 * `counters` holds every other event's counter advances by position; the run adds its own.
 */
export class EventRecorder<S extends GroupStmt> {
  readonly events: Event<S>[] = [];
  private readonly seenModels = new Set<ModelGraph>();
  private start = { diags: 0, snaps: 0, failures: 0 };

  constructor(
    private readonly rt: KerasRuntime,
    private readonly builder: CountingBuilder,
    private readonly counters: Timeline<S>,
    private readonly k: Keyed<S>,
  ) {}

  before(stmt: S, phase: Phase): void {
    const pos = this.counters.pos({ stmt, phase });
    this.builder.startEvent((base) => this.counters.counterBefore(base, pos));
    this.start = { diags: this.rt.sink.items.length, snaps: this.builder.snapshots.length, failures: this.rt.failures };
  }

  after(stmt: S, phase: Phase): void {
    const { builder, start } = this;
    const delta = builder.advances();
    const read: Advance[] = [...builder.read];
    const models: ModelGraph[] = [];
    for (let i = builder.models.length - 1; i >= 0 && !this.seenModels.has(builder.models[i]); i--) models.unshift(builder.models[i]);
    for (const m of models) this.seenModels.add(m);
    const e: Event<S> = { stmt, phase, delta, read, models, snapshots: builder.snapshots.slice(start.snaps), diagnostics: this.rt.sink.items.slice(start.diags), failures: this.rt.failures - start.failures, run: undefined };
    this.events.push(e);
    if (this.k.own.has(stmt)) this.counters.add(this.counters.pos(e), delta);
  }

  /** The run, once every event is recorded; `steps` the budget it used. */
  finish(steps: number): GroupRun<S> | string {
    const { k, builder } = this;
    for (const e of this.events) {
      // A copied constant must leave no trace of its own (each group runs its own copy).
      if (!k.own.has(e.stmt) && (e.delta.length > 0 || e.models.length > 0 || e.diagnostics.length > 0 || e.snapshots.length > 0)) return 'a constant with effects';
    }
    const finalModels = new Set(builder.models);
    for (const e of this.events) e.models = e.models.filter((m) => finalModels.has(m));
    const run: GroupRun<S> = { key: k.key, stmts: k.all.filter((s) => k.own.has(s)), events: this.events.filter((e) => k.own.has(e.stmt)), unnamed: builder.models.filter((m) => !m.name), ranges: [], steps };
    if (builder.usedAssumptions.size > 0) run.usedAssumptions = [...builder.usedAssumptions];
    if (!collectRanges(run)) return 'a range outside its statements';
    return run;
  }
}
