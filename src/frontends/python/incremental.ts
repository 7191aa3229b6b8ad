// Incremental analysis of one Python document: after an edit, redo only the work the edit can reach,
// and return exactly what a from-scratch `analyzePython` of the new text returns.
//
// How it works, in three steps per update:
//
// 1. Parse. The document keeps a JS copy (`PyNode`) of each top-level statement. The edit (the span
//    where old and new text differ, found by comparing the texts) touches a few statements: those,
//    with one statement on each side, are parsed again on their own and copied; the rest are kept.
//    A Python module is a sequence of statements each starting on a fresh line, so that region parses
//    as it would inside the whole file; the statements on each side must come out as before, and a
//    region with a syntax error (or a file that had one) is parsed whole instead. (tree-sitter's own
//    incremental re-parse of a 20,000-line module costs ~45 ms, ~15 ms more for its changed ranges and
//    releasing the old tree: more than the whole budget of an edit.) A kept statement's offsets are
//    absolute and stale by the edit's length: the shift is recorded and applied to its nodes only
//    when the statement is interpreted again (`Stmt.shift`).
//
// 2. Group. Each statement's module-level names (names.ts: read now, read by its functions when
//    called, bound, changed in place) are read once from its syntax. Statements are grouped so that
//    no value flows between groups: a read joins the group of the statements whose binding it may
//    see (back to the last certain binding), a function's read joins every binding of the name, a
//    change in place joins the binding it changes. Imports and literal constants bound once
//    (`KERNEL = 3`) join nothing: every group that reads one runs its own copy first.
//
// 3. Run. Each group runs as a small module of its own in a fresh interpreter (its statements in
//    file order, then its builders nothing called, then its subclassed models) and its results (models, summary snapshots,
//    diagnostics, with the top-level statement each came from) are cached, keyed by its statements'
//    identities. An edit re-runs the groups holding changed statements; the others' results are
//    reused, their ranges shifted. Keras' automatic names (`dense_3`) count layers across the whole
//    file in creation order: each group records, per statement, how many names of each base it
//    took; before a statement runs, the counters are set to what every statement before it (in any
//    group) took (`Timeline`); a cached group whose counters would now start elsewhere runs again.
//    Results are then put in file order into one builder, whose unnamed models, notes and summaries
//    are made by the same `collectModels` a full analysis ends with.
//    An edit that changes statements without changing the names they read and bind (an argument, a
//    number: most keystrokes) keeps the grouping and the timeline as they were.
//
// Whatever this cannot prove equal falls back to the full analysis: a syntax error (the repair
// re-parses the whole text), `globals()` / `exec` / star imports / `clear_session()`, project
// imports or callers in other files, a Keras-2 re-run, a top-level statement that stops the module,
// an exhausted budget. The differential test (incremental-python.test.ts) checks the results equal
// a full analysis after every step of random edit scripts.
//
// A returned analysis is valid until the next `update`: reused models and diagnostics are shared
// with it and their ranges are shifted in place by later edits.

import { performance } from 'node:perf_hooks';
import type { Node, Tree } from 'web-tree-sitter';
import { GraphBuilder } from '../../core/builder';
import { collectModels, type FileAnalysis } from '../../core/analysis';
import { changedRegion } from '../../core/stale';
import type { ModelGraph } from '../../core/graph';
import { DiagnosticCode, DiagnosticSink, type SourceRange } from '../../core/diagnostics';
import { kerasVersionOfFile, type KerasVersionChoice } from '../../core/keras-version';
import type { Shape } from '../../core/shape';
import { summarize, type ModelSummary } from '../../core/summary';
import { Budget, BudgetExceeded, DEFAULT_LIMITS } from '../common/budget';
import type { UncalledEntry } from '../common/interpreter-core';
import { KerasRuntime } from '../common/keras-runtime';
import { str } from '../common/values';
import { toAst, type PyNode } from './ast';
import { CHUNKED_FROM, parseInChunks } from './chunked-parse';
import { analyzePython, danglingLine, parseToAst, pythonModuleCache, type AnalyzeOptions } from './analyze';
import { analyseUncalled, finishKerasModels, scanShapeComments } from './definitions';
import { isInert } from './helpers';
import { PythonInterpreter } from './interpreter';
import { Scope } from './modules';
import { stmtNames } from './names';
import { parsePython, treeSitterModule } from './parser';
import { PythonResolver } from './resolve';
import { exec } from './statements';
import { constantsFor, group, keyOf, materialise, mergeByIndex, releaseTrees, sameNames, type Keyed, type Stmt } from './incremental-groups';
import { collectRanges, movedLines, sameMultiset, shiftRanges, Timeline, type Advance, type Event, type GroupRun, type Phase } from './incremental-timeline';

/** What an update did, for tests and the bench. */
export interface UpdateStats {
  mode: 'full' | 'incremental';
  /** Why the full analysis ran. */
  reason?: string;
  groups: number;
  /** Groups run again (the rest reused). */
  ran: number;
  /** Top-level nodes copied from the tree again (the rest reused). */
  copied: number;
  /** Where an incremental update's time went: re-parse and copy, grouping, running groups (and checking names), merging. */
  ms?: { parse: number; group: number; run: number; merge: number };
}

let nextStmtId = 1;

/** Words without which neither the Keras version comment, `tf_keras`, the legacy switch nor an input-shape comment can be in a text. */
const VERSION_WORDS = ['shape-lens', 'tf_keras', 'TF_USE_LEGACY_KERAS'];

/**
 * Incremental analysis of one open document: `update(text)` after each change gives what
 * `analyzePython(text, file, opts)` gives. `dispose()` drops what it keeps.
 */
export class IncrementalPython {
  private parsed = false;
  private text = '';
  private tops: Stmt[] = [];
  private rootSpan = { type: 'module', start: 0, end: 0, hasError: false, treeError: false };
  private groups = new Map<string, GroupRun>();
  private keras: KerasVersionChoice | undefined;
  private volatileKey = '';
  private volatile = new Set<string>();
  private importsChecked = '';
  last: UpdateStats = { mode: 'full', groups: 0, ran: 0, copied: 0 };
  private parseMs = 0;
  private grouping: { stmts: Stmt[]; keyed: Keyed[] } | undefined;
  private timeline: Timeline | undefined;
  /** The runs whose events `timeline` holds. */
  private counted = new Set<GroupRun>();
  private kerasPlain: KerasVersionChoice | undefined;
  /** The text has none of `VERSION_WORDS`; the last edit. */
  private plain = false;
  private edit: Edit | undefined;
  private shapeComments = '';
  private summaries = new WeakMap<ModelGraph, { name: string; summary: ModelSummary }>();

  constructor(
    readonly file: string,
    private opts: AnalyzeOptions = {},
  ) {}

  /**
   * The analysis of `text`, the document's whole new content. The changed span is found by
   * comparing with the previous text (native string comparisons: well under a millisecond for
   * 20,000 lines), so any change, or several, is handled. `opts` replace the constructor's.
   */
  update(text: string, opts?: AnalyzeOptions): FileAnalysis {
    // New options (the server's host records each analysis' dependencies; the Keras setting may change).
    if (opts) {
      // Another Keras asked for (the setting changed): the version known for a plain text is stale.
      if (JSON.stringify(opts.keras) !== JSON.stringify(this.opts.keras)) this.kerasPlain = undefined;
      this.opts = opts;
    }
    const t0 = performance.now();
    if (!this.reparse(text)) return this.full(text, 'the parser is not ready');
    this.parseMs = performance.now() - t0;
    const analysis = this.analyse();
    releaseTrees(this.tops, this.text);
    return analysis;
  }

  dispose(): void {
    this.parsed = false;
    this.tops = [];
    this.groups.clear();
    this.grouping = undefined;
    this.timeline = undefined;
    this.counted.clear();
  }

  /** The module's tree as `toAst` of the whole text would give it (every kept statement's shift applied). */
  root(): PyNode {
    for (const s of this.tops) materialise(s);
    return { type: this.rootSpan.type, start: this.rootSpan.start, end: this.rootSpan.end, named: true, field: null, children: this.tops.map((s) => s.node), hasError: this.rootSpan.hasError, missing: false };
  }

  // -----------------------------------------------------------------------------------------------
  // Step 1: parse

  private reparse(text: string): boolean {
    const old = this.text;
    if (this.parsed && old === text) {
      this.edit = undefined;
      return true;
    }
    // The span that differs: [start, oldEnd) of the old text became [start, newEnd) of the new.
    const { start, oldEnd, newEnd } = changedRegion(old, text) ?? { start: text.length, oldEnd: text.length, newEnd: text.length };
    const edit = { start, oldEnd, newEnd, lines: countLines(text, start, newEnd) - countLines(old, start, oldEnd) };
    const ok = (this.parsed && !this.rootSpan.treeError && this.reparseRegion(text, edit)) || this.reparseAll(text, edit);
    this.edit = this.parsed ? edit : undefined;
    if (ok) this.text = text;
    this.parsed = ok;
    return ok;
  }

  /**
   * The whole text parsed again; statements outside the edit whose span and kind are unchanged (and
   * free of errors) are kept, the others copied.
   */
  private reparseAll(text: string, edit: Edit): boolean {
    if (!this.parsed && text.length >= CHUNKED_FROM && this.openInChunks(text)) return true;
    const tree = parsePython(text);
    if (!tree) return false;
    try {
      const wasm = treeSitterModule();
      const keep = new Map<string, Stmt>();
      const delta = edit.newEnd - edit.oldEnd;
      if (this.parsed) {
        for (const s of this.tops) {
          if (s.end < edit.start) keep.set(`${s.start}:${s.end}`, s);
          else if (s.start > edit.oldEnd) keep.set(`${s.start + delta}:${s.end + delta}`, s);
        }
      }
      this.tops = [];
      let copied = 0;
      if (tree.rootNode.type !== 'module') {
        // Nothing parsed as a module (the root is an ERROR node whose children carry fields): copied whole.
        const root = toAst(tree, undefined, wasm).root;
        this.tops = root.children.map((node) => ({ id: nextStmtId++, node, shift: 0, start: node.start, end: node.end, line: countLines(text, 0, node.start), names: null, index: -1 }));
        this.rootSpan = { type: root.type, start: root.start, end: root.end, hasError: true, treeError: true };
        this.last.copied = this.tops.length;
        return true;
      }
      const nodes = topNodes(tree);
      if (keep.size === 0) {
        // Nothing to keep (a new document): one copy of the whole tree, its statements as they are.
        const whole = toAst(tree, undefined, wasm).root.children;
        if (whole.length === nodes.length && whole.every((c, i) => c.type === nodes[i].type)) {
          this.tops = whole.map((node, i) => stmtOf(node, text, 0, nodes[i].startPosition.row));
          copied = this.tops.length;
          nodes.length = 0;
        }
      }
      for (const n of nodes) {
        const s = keep.get(`${n.startIndex}:${n.endIndex}`);
        if (s && s.node.type === n.type && !n.hasError) {
          if (s.start > edit.oldEnd) moveStmt(s, delta, edit.lines);
          this.tops.push(s);
        } else {
          this.tops.push(copyStmt(tree, n, text, 0, 0, wasm));
          copied++;
        }
      }
      this.last.copied = copied;
      const r = tree.rootNode;
      // As `toAst` has it: the module's end is its last child's (punctuation included).
      const last = r.childCount > 0 ? r.child(r.childCount - 1) : null;
      this.rootSpan = { type: r.type, start: r.startIndex, end: last ? last.endIndex : r.endIndex, hasError: this.tops.some((x) => x.node.hasError || x.node.missing), treeError: r.hasError };
      return true;
    } finally {
      tree.delete();
    }
  }

  /**
   * A new large document parsed a piece at a time (chunked-parse.ts: tree-sitter's wasm memory
   * would otherwise grow to hold the whole file's tree, for good). False when that does not apply.
   */
  private openInChunks(text: string): boolean {
    const root = parseInChunks(text, parsePython, treeSitterModule());
    if (!root) return false;
    let line = 0;
    let at = 0;
    this.tops = root.children.map((node) => {
      line += countLines(text, at, node.start);
      at = node.start;
      return stmtOf(node, text, 0, line);
    });
    this.last.copied = this.tops.length;
    this.rootSpan = { type: root.type, start: root.start, end: root.end, hasError: false, treeError: false };
    return true;
  }

  /**
   * Only the region the edit touches is parsed again: the top-level statements it overlaps and one
   * on each side, from a line start. Valid when the file had no syntax error and the region parses
   * without one: a Python module is a sequence of statements each starting on a fresh line, so the
   * region parses as it would inside the file. False when it does not apply.
   */
  private reparseRegion(text: string, edit: Edit): boolean {
    const tops = this.tops;
    const delta = edit.newEnd - edit.oldEnd;
    let first = tops.findIndex((s) => s.end >= edit.start);
    if (first < 0) first = tops.length;
    let last = first;
    while (last < tops.length && tops[last].start <= edit.oldEnd) last++;
    // [first, last) overlap or touch the edit; widen by one statement (not a comment) on each side,
    // and to a line start. Those two must parse again exactly as before: the region's ends are then
    // where statements end and begin in the whole file too.
    const touched = { first, last };
    do first--;
    while (first > 0 && !tops[first].names);
    first = Math.max(0, first);
    while (last < tops.length && !tops[last].names) last++;
    last = Math.min(tops.length, last + 1);
    const old = this.text;
    while (first > 0 && tops[first].start > 0 && old.charCodeAt(tops[first].start - 1) !== 10) first--;
    const from = first > 0 ? tops[first].start : 0;
    const to = last < tops.length ? tops[last].start + delta : text.length;
    if (first > 0 && old.charCodeAt(from - 1) !== 10) return false;
    if (to < edit.newEnd || from > edit.start) return false;
    const region = text.slice(from, to);
    const tree = parsePython(region);
    if (!tree) return false;
    // The widening statements (untouched by the edit) are kept when they parse to the same span and kind.
    const keep = new Map<string, Stmt>();
    for (let i = first; i < last; i++) {
      const s = tops[i];
      if (s.end < edit.start) keep.set(`${s.start}:${s.end}`, s);
      else if (s.start > edit.oldEnd) keep.set(`${s.start + delta}:${s.end + delta}`, s);
    }
    let copies: Stmt[];
    let copied = 0;
    try {
      if (tree.rootNode.hasError) return false;
      const nodes = topNodes(tree);
      const same = (s: Stmt, n: Node | undefined): boolean => !!n && s.node.type === n.type && keep.get(`${n.startIndex + from}:${n.endIndex + from}`) === s;
      if (first < touched.first && !same(tops[first], nodes.find((n) => n.startIndex + from >= tops[first].start))) return false;
      if (last - 1 >= touched.last && !same(tops[last - 1], [...nodes].reverse().find((n) => n.startIndex + from <= tops[last - 1].start + delta))) return false;
      const row = first > 0 ? tops[first].line : 0;
      copies = nodes.map((n) => {
        const s = keep.get(`${n.startIndex + from}:${n.endIndex + from}`);
        if (!s || s.node.type !== n.type) {
          copied++;
          return copyStmt(tree, n, region, from, row);
        }
        if (s.start > edit.oldEnd) moveStmt(s, delta, edit.lines);
        return s;
      });
    } finally {
      tree.delete();
    }
    const after = tops.slice(last);
    for (const s of after) moveStmt(s, delta, edit.lines);
    this.tops = [...tops.slice(0, first), ...copies, ...after];
    if (this.tops.length === 0) return false;
    this.last.copied = copied;
    this.rootSpan = { type: 'module', start: this.tops[0].start, end: this.tops[this.tops.length - 1].end, hasError: false, treeError: false };
    return true;
  }

  // -----------------------------------------------------------------------------------------------
  // Steps 2 and 3: group and run

  private full(text: string, reason: string): FileAnalysis {
    this.groups.clear();
    this.grouping = undefined;
    this.timeline = undefined;
    const a = analyzePython(text, this.file, this.opts);
    this.last = { mode: 'full', reason, groups: 0, ran: 0, copied: this.last.copied };
    return a;
  }

  private analyse(): FileAnalysis {
    const text = this.text;
    const opts = this.opts;
    // Known plain before: only the edit can have brought one of the words in.
    const e = this.edit;
    const scope = this.plain && e ? text.slice(Math.max(0, e.start - 24), e.newEnd + 24) : text;
    const plain = !VERSION_WORDS.some((w) => scope.includes(w));
    this.plain = plain;
    if (this.rootSpan.hasError || this.rootSpan.treeError || this.rootSpan.type !== 'module') return this.full(text, 'a syntax error');
    if (opts.recordCalls) return this.full(text, 'recording calls');
    // The version comes from a few comments and imports; a text without their words gives what the options say.
    const keras = plain && this.kerasPlain ? this.kerasPlain : kerasVersionOfFile(text, opts.keras);
    if (plain) this.kerasPlain = keras;
    if (!this.keras || this.keras.version !== keras.version || this.keras.from !== keras.from) this.groups.clear();
    this.keras = keras;
    const stmts = this.tops.filter((s) => s.names);
    stmts.forEach((s, i) => (s.index = i));
    // `# shape-lens: input_shape=...` comments give subclassed models their input shape by where
    // they are (a few lines above the class or inside it): a change of one or of its distance to the
    // statement after it re-runs every group.
    const shapeComments = plain ? '' : this.shapeCommentsKey(text);
    if (shapeComments !== this.shapeComments) this.groups.clear();
    this.shapeComments = shapeComments;
    if (stmts.some((s) => s.names!.dynamic)) return this.full(text, 'globals(), exec, a star import or clear_session()');
    if (stmts.some((s) => s.dangling)) return this.full(text, 'a line being typed');
    if (this.hasCallers(stmts)) return this.full(text, 'calls from other files');
    if (!this.importsAreLibraries(stmts, keras)) return this.full(text, 'a project import');

    const t1 = performance.now();
    const { keyed, stable } = this.regroup(stmts);
    // Module names some function assigns under `global` read as unknown everywhere: a change of them changes every group.
    if (!stable) {
      const volatile = new Set<string>();
      for (const s of stmts) if (s.names!.globalDecls.size > 0) for (const g of s.names!.globalDecls) volatile.add(g);
      const volatileKey = [...volatile].sort().join(',');
      if (volatileKey !== this.volatileKey) this.groups.clear();
      this.volatileKey = volatileKey;
      this.volatile = volatile;
    }
    const volatile = this.volatile;
    // Reuse what is still valid: same statements, same lines where a message names one.
    const runs = new Map<string, GroupRun>();
    const toRun: typeof keyed = [];
    for (const k of keyed) {
      const cached = this.groups.get(k.key);
      if (cached && shiftRanges(cached) && !movedLines(cached)) runs.set(k.key, cached);
      else toRun.push(k);
    }
    this.groups = runs;
    const t2 = performance.now();
    let ran = 0;
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    // The counters hold the cached runs' advances. Kept from the last update while statements keep
    // their positions; the runs dropped since are taken out, and their advances remembered.
    if (!stable || !this.timeline) {
      this.timeline = new Timeline(stmts.length);
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
      if (round >= 3) return this.full(text, 'automatic names did not settle');
      for (const k of toRun) {
        ran++;
        const old = runs.get(k.key);
        if (old && this.counted.delete(old)) {
          counters.addRun(old, -1);
          removed.push(...counters.signature(old));
        }
        const result = this.runGroup(k.key, k.all, k.own, volatile, keras, limits, counters);
        if (typeof result === 'string') return this.full(text, result);
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
    if (steps > limits.steps) return this.full(text, 'the step budget');
    const t3 = performance.now();
    const analysis = this.merge(counters, runs, keras);
    this.last = { mode: 'incremental', groups: keyed.length, ran, copied: this.last.copied, ms: { parse: this.parseMs, group: t2 - t1, run: t3 - t2, merge: performance.now() - t3 } };
    return analysis;
  }

  /**
   * One group as a module of its own; a string says why it cannot stand for its part of the full
   * run. `counters` holds every other event's counter advances by position; this run adds its own.
   */
  private runGroup(key: string, all: Stmt[], own: Set<Stmt>, volatile: Set<string>, keras: KerasVersionChoice, limits: typeof DEFAULT_LIMITS, counters: Timeline): GroupRun | string {
    for (const s of all) materialise(s);
    const sink = new DiagnosticSink();
    const builder = new CountingBuilder(sink, keras.version);
    const rt = new KerasRuntime(builder);
    rt.kerasFrom = keras.from;
    const budget = new Budget(limits);
    const host = this.opts.host;
    const ip = new GroupInterpreter(rt, {
      budget,
      host: host ? { resolver: new PythonResolver(host), parse: parseToAst, cache: this.opts.moduleCache === undefined ? pythonModuleCache : this.opts.moduleCache } : undefined,
    });
    const events: Event[] = [];
    const seenModels = new Set<ModelGraph>();
    let start = { counters: new Map<string, number>(), diags: 0, snaps: 0, failures: 0 };
    ip.before = (stmt, phase): void => {
      const at = counters.before(counters.pos({ stmt, phase }));
      builder.restoreNames(at);
      builder.touched.clear();
      start = { counters: at, diags: sink.items.length, snaps: builder.snapshots.length, failures: rt.failures };
    };
    ip.after = (stmt, phase): void => {
      const delta: Advance[] = [];
      for (const [b, v] of builder.saveNames()) if (v !== (start.counters.get(b) ?? 0)) delta.push([b, v - (start.counters.get(b) ?? 0)]);
      const read: Advance[] = [...builder.touched].map((b) => [b, start.counters.get(b) ?? 0]);
      const models: ModelGraph[] = [];
      for (let i = builder.models.length - 1; i >= 0 && !seenModels.has(builder.models[i]); i--) models.unshift(builder.models[i]);
      for (const m of models) seenModels.add(m);
      const e: Event = { stmt, phase, delta: delta.slice(), read, models, snapshots: builder.snapshots.slice(start.snaps), diagnostics: sink.items.slice(start.diags), failures: rt.failures - start.failures, run: undefined };
      events.push(e);
      if (own.has(stmt)) counters.add(counters.pos(e), delta);
    };
    const stopped = ip.runGroup(all, this.text, this.file, volatile, this.shapeComments !== '');
    if (stopped) return stopped;
    if (budget.steps > limits.steps || sink.items.some((d) => d.code === DiagnosticCode.budget)) return 'the step budget';
    if (ip.modules.size > 0) return 'a project import';
    if (keras.from === 'default' && rt.tfFunctionOnKerasTensor) return 'a TensorFlow function on a Keras tensor (tf.keras 2 re-run)';
    if (ip.caught > 0) return 'an internal error';
    for (const e of events) {
      // A copied constant must leave no trace of its own (each group runs its own copy).
      if (!own.has(e.stmt) && (e.delta.length > 0 || e.models.length > 0 || e.diagnostics.length > 0 || e.snapshots.length > 0)) return 'a constant with effects';
    }
    const finalModels = new Set(builder.models);
    for (const e of events) e.models = e.models.filter((m) => finalModels.has(m));
    const run: GroupRun = { key, stmts: all.filter((s) => own.has(s)), events: events.filter((e) => own.has(e.stmt)), unnamed: builder.models.filter((m) => !m.name), ranges: [], steps: budget.steps };
    if (!collectRanges(run)) return 'a range outside its statements';
    return run;
  }

  /** The groups' results in file order in one builder, finished as a full analysis finishes. */
  private merge(timeline: Timeline, runs: Map<string, GroupRun>, keras: KerasVersionChoice): FileAnalysis {
    const sink = new DiagnosticSink();
    const builder = new GraphBuilder(sink, 'keras', keras.version);
    for (const r of runs.values()) for (const m of r.unnamed) m.name = '';
    const events = timeline.events();
    let failures = 0;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      failures += e.failures;
      if (e.models.length > 0) builder.models.push(...e.models);
      if (e.snapshots.length > 0) builder.snapshots.push(...e.snapshots);
      for (let j = 0; j < e.diagnostics.length; j++) sink.report(e.diagnostics[j]);
    }
    builder.restoreNames(timeline.totals());
    // A model of a reused group is unchanged but for the name `collectModels` may give it.
    const memo = new WeakMap<ModelGraph, { name: string; summary: ModelSummary }>();
    const models = collectModels(builder, (m) => {
      const known = this.summaries.get(m);
      const summary = known && known.name === m.name ? known.summary : summarize(builder, m);
      memo.set(m, { name: m.name, summary });
      return summary;
    });
    this.summaries = memo;
    return { file: this.file, language: 'python', text: this.text, builder, models, diagnostics: sink.items, keras, ...(failures > 0 && { failures }) };
  }

  /**
   * The groups of this update's statements. An edit that changed statements in place without
   * changing the names they read and bind (an argument, a number) leaves the grouping as it was:
   * only the groups holding those statements get them (and a new key).
   */
  private regroup(stmts: Stmt[]): { keyed: Keyed[]; stable: boolean } {
    const prev = this.grouping;
    let keyed: Keyed[] | undefined;
    if (prev && prev.stmts.length === stmts.length) {
      const changed = new Set<number>();
      for (let i = 0; i < stmts.length && changed.size <= 64; i++) {
        const a = stmts[i];
        const b = prev.stmts[i];
        if (a === b) continue;
        if (a.node.type !== b.node.type || a.names!.constant || b.names!.constant || !sameNames(a.names!, b.names!)) {
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
    const stable = !!keyed;
    if (!keyed) {
      const { groups, constants } = group(stmts);
      keyed = groups.map((g) => {
        const consts = constantsFor(g, constants);
        const all = consts.length === 0 ? g : mergeByIndex(consts, g);
        return { key: keyOf(all), all, own: new Set(g) };
      });
    }
    this.grouping = { stmts, keyed };
    return { keyed, stable };
  }

  /** Each input-shape comment, with the statement after it and how many lines before it. */
  private shapeCommentsKey(text: string): string {
    let key = '';
    for (const m of text.matchAll(/#\s*shape-lens:\s*input_shape[^\n]*/g)) {
      const next = this.tops.find((s) => s.names && s.start > m.index);
      key += `${m[0]}@${next ? `${next.id}-${countLines(text, m.index, next.start)}` : 'end'};`;
    }
    return key;
  }

  /** A host that lists other files calling this file's builders: their arguments make the results depend on those files. */
  private hasCallers(stmts: Stmt[]): boolean {
    const host = this.opts.host;
    if (!host?.callers) return false;
    if (!stmts.some((s) => s.node.type === 'function_definition' || s.node.type === 'decorated_definition')) return false;
    try {
      return host.callers(host.absolute?.(this.file) ?? this.file).length > 0;
    } catch {
      return false;
    }
  }

  /** With a project host, imports that load project files make results depend on them: checked once per set of imports. */
  private importsAreLibraries(stmts: Stmt[], keras: KerasVersionChoice): boolean {
    if (!this.opts.host) return true;
    const imports = stmts.filter((s) => s.names!.constant && (s.node.type === 'import_statement' || s.node.type === 'import_from_statement'));
    const key = imports.map((s) => s.id).join(',');
    if (key === this.importsChecked) return true;
    const probe = this.runGroup('', imports, new Set(imports), new Set(), keras, { ...DEFAULT_LIMITS, ...this.opts.limits }, new Timeline(stmts.length));
    if (typeof probe === 'string') return false;
    this.importsChecked = key;
    return true;
  }
}

/** The interpreter running one group: hooks around each top-level statement and each uncalled builder. */
class GroupInterpreter extends PythonInterpreter {
  before: (stmt: Stmt, phase: Phase) => void = () => undefined;
  after: (stmt: Stmt, phase: Phase) => void = () => undefined;
  private stmts: Stmt[] = [];
  /** The event that made each subclassed model instance (they are finished in that order). */
  private readonly origin = new Map<object, { stmt: Stmt; phase: Phase }>();

  /** Runs the statements as a module (as `runMain` does); says why if one of them stopped it. */
  runGroup(stmts: Stmt[], text: string, path: string, volatile: ReadonlySet<string>, shapeComments: boolean): string | undefined {
    this.stmts = stmts;
    this.main = { path, text, isMain: true, volatile };
    this.file = this.main;
    if (shapeComments) scanShapeComments(this, text);
    const scope = new Scope(null, null, 'module');
    scope.volatile = volatile;
    scope.vars.set('__name__', str('__main__'));
    let done = 0;
    try {
      this.guard(() => {
        for (const s of stmts) {
          if (!this.dirty && !isInert(s.node)) this.dirty = true;
          this.event(s, 0, () => exec(this, s.node, scope));
          done++;
        }
      });
      if (done < stmts.length) return 'a top-level statement stops the module';
      this.dirty = true;
      const root: PyNode = { type: 'module', start: 0, end: text.length, named: true, field: null, children: stmts.map((s) => s.node), hasError: false, missing: false };
      analyseUncalled(this, root, scope);
      this.finishModels();
    } catch (e) {
      return e instanceof BudgetExceeded ? 'the step budget' : 'an internal error';
    }
    return undefined;
  }

  private event(stmt: Stmt, phase: Phase, run: () => void): void {
    const made = this.kerasModels.length;
    this.before(stmt, phase);
    run();
    this.after(stmt, phase);
    for (let i = made; i < this.kerasModels.length; i++) this.origin.set(this.kerasModels[i], { stmt, phase });
  }

  /** Each builder is one event, in the order Keras' roots-first rule gives across the whole file. */
  override runUncalled(entries: UncalledEntry<PyNode>[]): void {
    const names = new Set(entries.map((e) => e.name));
    const calledByOthers = new Set<string>();
    for (const e of entries) for (const n of e.calls()) if (names.has(n) && n !== e.name) calledByOthers.add(n);
    const ordered = [...entries.filter((e) => !calledByOthers.has(e.name)), ...entries.filter((e) => calledByOthers.has(e.name))];
    for (const e of ordered) {
      const stmt = this.stmts.find((s) => s.node.start <= (e.node as PyNode).start && (e.node as PyNode).end <= s.node.end);
      if (!stmt) throw new Error('an uncalled builder outside the group');
      this.event(stmt, calledByOthers.has(e.name) ? 2 : 1, () => super.runUncalled([e]));
    }
  }

  /**
   * `finishKerasModels` summarises subclassed model instances nothing called, in the order they were
   * made: here one event per event that made some (phase 3 + the phase of that event).
   */
  private finishModels(): void {
    const all = [...this.kerasModels];
    for (let i = 0; i < all.length; ) {
      const from = this.origin.get(all[i]);
      if (!from) throw new Error('a model instance from no event');
      let j = i;
      while (j < all.length && this.origin.get(all[j]) === from) j++;
      const bucket = all.slice(i, j);
      this.event(from.stmt, (3 + from.phase) as Phase, () => {
        this.kerasModels.splice(0, this.kerasModels.length, ...bucket);
        finishKerasModels(this);
      });
      i = j;
    }
    this.kerasModels.splice(0, this.kerasModels.length, ...all);
  }
}

/** A builder that notes which automatic-name counters were read (so a cached group knows what its names depend on). */
class CountingBuilder extends GraphBuilder {
  readonly touched = new Set<string>();

  constructor(sink: DiagnosticSink, version: 2 | 3) {
    super(sink, 'keras', version);
  }

  override uniqueName(base: string): string {
    this.touched.add(base);
    return super.uniqueName(base);
  }

  override createInput(batchShape: Shape | null, range?: SourceRange, name?: string, why?: string): ReturnType<GraphBuilder['createInput']> {
    if (name === undefined && this.keras2) this.touched.add('\0input');
    return super.createInput(batchShape, range, name, why);
  }
}

/** The span of an edit: `[start, oldEnd)` of the old text became `[start, newEnd)`, with `lines` more line breaks. */
interface Edit {
  start: number;
  oldEnd: number;
  newEnd: number;
  lines: number;
}

/**
 * A copy of one top-level node of `tree`, the parse of `text`, which starts at `offset` (line `row`)
 * of the document; its module names are read at once.
 */
function copyStmt(tree: Tree, n: Node, text: string, offset: number, row: number, wasm = treeSitterModule()): Stmt {
  const s = stmtOf(toAst(tree, undefined, wasm, 0, n).root, text, offset, n.startPosition.row + row);
  materialise(s);
  return s;
}

/** A statement of `text` (its node's offsets are `offset` short of the document's). */
function stmtOf(node: PyNode, text: string, offset: number, line: number): Stmt {
  const names = node.type === 'comment' ? null : stmtNames(node, text);
  // Asked now, while the node's offsets are those of `text`.
  const dangling = names !== null && danglingLine(text, node) !== undefined;
  return { id: nextStmtId++, node, shift: offset, start: node.start + offset, end: node.end + offset, line, names, index: -1, dangling };
}

/** A kept statement after an edit before it. */
function moveStmt(s: Stmt, delta: number, lines: number): void {
  s.start += delta;
  s.end += delta;
  s.shift += delta;
  s.line += lines;
}

/** The top-level nodes `toAst` keeps (named ones and tokens error recovery inserted), zero-width ones included. */
function topNodes(tree: Tree): Node[] {
  return tree.rootNode.children.filter((n): n is Node => !!n && (n.isNamed || n.isMissing));
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
