// Incremental analysis of one Python document: after an edit, redo only the work the edit can reach,
// and return exactly what a from-scratch `analyzePython` of the new text returns.
//
// How it works, in three steps per update:
//
// 1. Parse. The document keeps a JS copy (`PyNode`) of each top-level statement. The edit (the span
//    where old and new text differ, found by comparing the texts) touches a few statements: those,
//    with one statement on each side, are parsed again on their own and copied; the rest are kept.
//    A Python module is a sequence of statements each starting on a fresh line, so that region parses
//    as it would inside the whole file; the statements on each side must come out as before. A file
//    that had a syntax error is parsed whole. (tree-sitter's own incremental re-parse of a
//    20,000-line module costs ~45 ms, ~15 ms more for its changed ranges and releasing the old tree:
//    more than the whole budget of an edit.) A kept statement's offsets are absolute and stale by the
//    edit's length: the shift is recorded and applied to its nodes only when the statement is
//    interpreted again (`Stmt.shift`).
//    A line being typed: when the edit stays inside one line and its region does not parse, the
//    region is parsed again with that line blanked (then with the lines of the code that began on it,
//    a call over several lines: `editedLines`); if that parses, the analysis goes on with the blanked
//    text (`text`; the document's is `doc`), as `analyzePython` told those lines reads around them.
//    So does a line that reads on into the next (`layers.` in a list: `readAroundDangling`).
//
// 2. Group. Each statement's module-level names (names.ts: read now, read by its functions when
//    called, bound, changed in place) are read once from its syntax. Statements are grouped so that
//    no value flows between groups: a read joins the group of the statements whose binding it may
//    see (back to the last certain binding), a function's read joins every binding of the name, a
//    change in place joins the binding it changes. Imports and literal constants bound once
//    (`KERNEL = 3`) join nothing: every group that reads one runs its own copy first.
//
// 3. Run (common/incremental-engine.ts, shared with the JS/TS analysis). Each group runs as a small
//    module of its own in a fresh interpreter (its statements in file order, then its builders
//    nothing called, then its subclassed models) and its results (models, summary snapshots,
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
// Whatever this cannot prove equal falls back to the full analysis: a syntax error other than a
// line being typed (the repair re-parses the whole text), `globals()` / `exec` / star imports / `clear_session()`, project
// imports or callers in other files, a Keras-2 re-run, a top-level statement that stops the module,
// an exhausted budget. The differential test (incremental-python.test.ts) checks the results equal
// a full analysis after every step of random edit scripts.
//
// A returned analysis is valid until the next `update`: reused models and diagnostics are shared
// with it and their ranges are shifted in place by later edits.

import { parseAssumptions, reportAssumptions, reportInvalidAssumptions, type Assumed } from '../common/assumptions';
import { performance } from 'node:perf_hooks';
import type { Node, Tree } from 'web-tree-sitter';
import type { FileAnalysis } from '../../core/analysis';
import { changedRegion, editedLine } from '../../core/stale';
import { DiagnosticCode, DiagnosticSink } from '../../core/diagnostics';
import { kerasVersionOfFile, type KerasVersionChoice } from '../../core/keras-version';
import { Budget, BudgetExceeded, DEFAULT_LIMITS } from '../common/budget';
import { CountingBuilder, EventRecorder, GroupedRuns } from '../common/incremental-engine';
import type { UncalledEntry } from '../common/interpreter-core';
import { KerasRuntime } from '../common/keras-runtime';
import { str } from '../common/values';
import { toAst, type PyNode } from './ast';
import { analyzePython, blankLine, countErrors, danglingLine, editedLines, parseClean, parseToAst, pythonModuleCache, reportReadAround, type AnalyzeOptions, type EditedLines } from './analyze';
import { analyseUncalled, finishKerasModels, scanShapeComments } from './definitions';
import { isInert } from './helpers';
import { PythonInterpreter } from './interpreter';
import { Scope } from './modules';
import { stmtNames } from './names';
import { parsePython, treeSitterModule } from './parser';
import { PythonResolver } from './resolve';
import { exec } from './statements';
import { materialise, releaseTrees, sameNames, type Keyed, type Stmt } from './incremental-groups';
import { Timeline, type GroupRun, type Phase } from '../common/incremental-timeline';

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
  /** Where an incremental update's time went: re-parse and copy, grouping and running groups (and checking names), merging. */
  ms?: { parse: number; run: number; merge: number };
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
  /** The groups' cached runs and the automatic names' timeline (common/incremental-engine.ts). */
  private readonly runs = new GroupedRuns<Stmt>({
    // Definitions (`def`, `class`, imports) bind what their name holds at the end; assignments are expression statements.
    definition: (s) => s.node.type !== 'expression_statement',
    sameNames: (a, b) => a.node.type === b.node.type && sameNames(a.names!, b.names!),
  });
  private keras: KerasVersionChoice | undefined;
  private volatileKey = '';
  /** The document's `shape-lens:` assumptions (the groups ran with their values). */
  private assumed: Assumed = parseAssumptions('', 'python');
  private importsChecked = '';
  last: UpdateStats = { mode: 'full', groups: 0, ran: 0, copied: 0 };
  private parseMs = 0;
  private kerasPlain: KerasVersionChoice | undefined;
  /** The text has none of `VERSION_WORDS`; the last edit. */
  private plain = false;
  private edit: Edit | undefined;
  /** The document's text (\`text\` is what is analysed: the same but for a line being typed, blanked). */
  private doc = '';
  /** The lines being typed, left out (\`line\` the first's start, \`end\` the last's end); \`syntax\`: they did not parse (else the line read on into the next). */
  private typingAt: { line: number; end: number; syntax: boolean } | undefined;
  /** The lines the last update edited, when it edited inside one line (`editedLines`). */
  private edited: EditedLines | undefined;
  private shapeComments = '';

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
    if (!this.reparse(text)) return this.full('the parser is not ready');
    this.parseMs = performance.now() - t0;
    const analysis = this.analyse();
    releaseTrees(this.tops, this.text);
    return analysis;
  }

  dispose(): void {
    this.parsed = false;
    this.tops = [];
    this.runs.reset();
  }

  /** Where the last update's edit says the user is typing (what a full analysis is told: `AnalyzeOptions.edited`). */
  get editedHint(): EditedLines | undefined {
    return this.edited;
  }

  /** The text analysed: the document's, with a line being typed blanked (the same length and lines). */
  get analysedText(): string {
    return this.text;
  }

  /** The module's tree as `toAst` of the analysed text would give it (every kept statement's shift applied). */
  root(): PyNode {
    for (const s of this.tops) materialise(s);
    return { type: this.rootSpan.type, start: this.rootSpan.start, end: this.rootSpan.end, named: true, field: null, children: this.tops.map((s) => s.node), hasError: this.rootSpan.hasError, missing: false };
  }

  // -----------------------------------------------------------------------------------------------
  // Step 1: parse

  private reparse(text: string): boolean {
    // The line being edited, when the edit is inside one line of the document: read around first if it does not parse.
    // One comparison of the texts when nothing was read around (the analysed text is the document's).
    const docDiff = text === this.doc ? undefined : changedRegion(this.doc, text);
    if (text !== this.doc) this.edited = this.editedLines(text, docDiff);
    const same = this.text === this.doc;
    this.doc = text;
    this.typingAt = undefined;
    const old = this.text;
    if (this.parsed && old === text) {
      this.edit = undefined;
      return true;
    }
    const edit = editOf(old, text, same ? docDiff : changedRegion(old, text));
    let ok = false;
    if (this.parsed && !this.rootSpan.treeError) {
      const region = this.reparseRegion(text, edit);
      if (region === 'ok') this.takeText(text, edit);
      ok = region === 'ok' || (region === 'syntax error' && this.readAround(text));
    } else if (this.parsed && this.edited) ok = this.readAroundBroken(text);
    if (!ok) {
      ok = this.reparseAll(text, edit);
      this.edit = this.parsed ? edit : undefined;
      if (ok) this.text = text;
      this.parsed = ok;
    }
    if (ok) this.readAroundDangling();
    return ok;
  }

  /** The analysed text (a line being typed blanked) and its edit from the one before. */
  private takeText(text: string, edit: Edit | undefined): void {
    this.text = text;
    this.edit = edit;
  }

  /**
   * A line being typed, read around as `analyzePython` told where the user types reads around it,
   * without parsing the whole file: the edited region did not parse; with the edited line blanked
   * (same length) it does, and the analysis goes on incrementally with that text (`this.text`), its
   * result given back for the document's text (`FileAnalysis.typing`, the note on the line).
   */
  private readAround(text: string): boolean {
    for (const { text: fixed, start, end } of editedLines(text, this.edited)) {
      const e = fixed === this.text ? undefined : editOf(this.text, fixed);
      if (e && this.reparseRegion(fixed, e) !== 'ok') continue;
      this.takeText(fixed, e);
      this.typingAt = { line: start, end, syntax: true };
      return true;
    }
    return false;
  }

  /**
   * A keystroke on the lines being typed after an update whose whole tree had a syntax error (no
   * region of it can be parsed again: a file opened half-typed, an edit that also removed text):
   * when the text still has one (tree-sitter, as `analyzePython` asks), the lines are read around
   * as `readAround` does, the text with them blanked parsed by the hand-written parser. The analysis
   * goes on by groups from there. False otherwise (the whole text is analysed).
   */
  private readAroundBroken(text: string): boolean {
    // As `analyzePython` and its `repairSyntax` decide: the first candidate without an error is the
    // text analysed, if the text's own tree has one (asked last: when the error lies elsewhere no
    // candidate parses, and the whole analysis that follows parses the text anyway).
    const old = this.text;
    for (const { text: fixed, start, end } of editedLines(text, this.edited)) {
      const root = parseToAst(fixed, true);
      if (!root || countErrors(root) > 0) continue;
      const parsed = parseToAst(text);
      if (!parsed || !parsed.hasError || !this.openClean(fixed, root)) return false;
      this.takeText(fixed, editOf(old, fixed));
      this.typingAt = { line: start, end, syntax: true };
      return true;
    }
    return false;
  }

  /**
   * The lines being typed (`AnalyzeOptions.edited`) when the edit of the document (`diff`) is inside one
   * line: that line, and the code that began on it before (the outermost node starting at its first
   * token in the last tree: a call over several lines), or the lines read around while it was typed.
   */
  private editedLines(text: string, diff: ReturnType<typeof changedRegion>): EditedLines | undefined {
    if (!diff) return undefined;
    const start = editedLine(text, diff)?.start;
    // Lines put in at once (pasted, a line and its line break): those lines, read around together.
    if (start === undefined) return insertedLines(text, diff);
    const delta = diff.newEnd - diff.oldEnd;
    if (this.typingAt?.line === start) return { start, end: Math.max(start, this.typingAt.end + delta) };
    // The line in the analysed text before (the edit is after its start, which has not moved).
    const old = this.text;
    let token = start;
    while (token < old.length && (old[token] === ' ' || old[token] === '\t')) token++;
    const s = this.tops.find((t) => t.start <= token && token < t.end);
    if (!s || old[token] === '\n') return { start, end: start };
    materialise(s);
    let node: PyNode | undefined = s.node;
    while (node && node.start !== token) node = node.children.find((c) => c.start <= token && token < c.end);
    return { start, end: node && node.end > diff.oldEnd ? node.end + delta : start };
  }

  /**
   * `layers.` inside a list or `x = ` before another line parses, reading on into the next line: as
   * `analyzePython`, the first such line is left out when the text parses without it.
   */
  private readAroundDangling(): void {
    if (this.typingAt || this.rootSpan.treeError || this.rootSpan.hasError) return;
    const s = this.tops.find((t) => t.dangling);
    if (!s) return;
    materialise(s);
    const line = danglingLine(this.text, s.node);
    if (line === undefined) return;
    const fixed = blankLine(this.text, line);
    const e = editOf(this.text, fixed);
    if (this.reparseRegion(fixed, e) !== 'ok') return;
    this.takeText(fixed, this.edit);
    // The two steps of this update as one edit of the text before it.
    if (this.edit) this.edit = { start: Math.min(this.edit.start, e.start), oldEnd: Math.max(this.edit.oldEnd, e.oldEnd), newEnd: Math.max(this.edit.newEnd, e.newEnd), lines: this.edit.lines };
    else this.edit = e;
    const end = fixed.indexOf('\n', line);
    this.typingAt = { line, end: end < 0 ? fixed.length : end, syntax: false };
  }

  /**
   * The whole text parsed again; statements outside the edit whose span and kind are unchanged (and
   * free of errors) are kept, the others copied.
   */
  private reparseAll(text: string, edit: Edit): boolean {
    if (!this.parsed && this.openClean(text)) return true;
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
   * A new document without a syntax error parsed by the hand-written parser, or when large a piece
   * at a time (chunked-parse.ts: tree-sitter's wasm memory would otherwise grow to hold the whole
   * file's tree, for good): `parseClean`. False when that does not apply.
   */
  private openClean(text: string, root = parseClean(text)): boolean {
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
   * The region an edit of the text touches, to parse again: the top-level statements it overlaps
   * and one on each side (not a comment), from a line start. Those two must parse again exactly as
   * before: the region's ends are then where statements end and begin in the whole file too.
   */
  private regionOf(text: string, edit: Edit): { first: number; last: number; touched: { first: number; last: number }; from: number; to: number } | undefined {
    const tops = this.tops;
    const delta = edit.newEnd - edit.oldEnd;
    let first = tops.findIndex((s) => s.end >= edit.start);
    if (first < 0) first = tops.length;
    let last = first;
    while (last < tops.length && tops[last].start <= edit.oldEnd) last++;
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
    if (first > 0 && old.charCodeAt(from - 1) !== 10) return undefined;
    if (to < edit.newEnd || from > edit.start) return undefined;
    return { first, last, touched, from, to };
  }

  /**
   * Only the region the edit touches (`regionOf`) is parsed again. Valid when the file had no syntax
   * error and the region parses without one: a Python module is a sequence of statements each
   * starting on a fresh line, so the region parses as it would inside the file. 'no' when it does
   * not apply; 'syntax error' when the region has one.
   */
  private reparseRegion(text: string, edit: Edit): 'ok' | 'syntax error' | 'no' {
    const tops = this.tops;
    const delta = edit.newEnd - edit.oldEnd;
    const region = this.regionOf(text, edit);
    if (!region) return 'no';
    const { first, last, touched, from, to } = region;
    const tree = parsePython(text.slice(from, to));
    if (!tree) return 'no';
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
      // An error is the edit's own only in a region of whole lines (statements may share a line: `a = 1; b = 2`),
      // and one only if the interpreter's tree has it (as `analyzePython` asks).
      if (tree.rootNode.hasError) return (to === text.length || text.charCodeAt(to - 1) === 10) && toAst(tree, undefined, treeSitterModule()).root.hasError ? 'syntax error' : 'no';
      const nodes = topNodes(tree);
      const same = (s: Stmt, n: Node | undefined): boolean => !!n && s.node.type === n.type && keep.get(`${n.startIndex + from}:${n.endIndex + from}`) === s;
      if (first < touched.first && !same(tops[first], nodes.find((n) => n.startIndex + from >= tops[first].start))) return 'no';
      if (last - 1 >= touched.last && !same(tops[last - 1], [...nodes].reverse().find((n) => n.startIndex + from <= tops[last - 1].start + delta))) return 'no';
      const row = first > 0 ? tops[first].line : 0;
      const region = text.slice(from, to);
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
    if (this.tops.length === 0) return 'no';
    this.last.copied = copied;
    this.rootSpan = { type: 'module', start: this.tops[0].start, end: this.tops[this.tops.length - 1].end, hasError: false, treeError: false };
    return 'ok';
  }

  // -----------------------------------------------------------------------------------------------
  // Steps 2 and 3: group and run

  /** The whole document analysed from scratch (a line being typed read around as it reads around it). */
  private full(reason: string): FileAnalysis {
    this.runs.reset();
    const a = analyzePython(this.doc, this.file, this.edited === undefined ? this.opts : { ...this.opts, edited: this.edited });
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
    if (this.rootSpan.hasError || this.rootSpan.treeError || this.rootSpan.type !== 'module') return this.full('a syntax error');
    if (opts.recordCalls) return this.full('recording calls');
    // `shape-lens:` assumptions (read from the document, as the full analysis reads them) reach every group: other values run every group again.
    const assumed = parseAssumptions(this.doc, 'python');
    if (assumed.key !== this.assumed.key) this.runs.reset();
    this.assumed = assumed;
    // The version comes from a few comments and imports; a text without their words gives what the options say.
    const keras = plain && this.kerasPlain ? this.kerasPlain : kerasVersionOfFile(text, opts.keras);
    if (plain) this.kerasPlain = keras;
    if (!this.keras || this.keras.version !== keras.version || this.keras.from !== keras.from) this.runs.reset();
    this.keras = keras;
    const stmts = this.tops.filter((s) => s.names);
    // `# shape-lens: input_shape=...` comments give subclassed models their input shape by where
    // they are (a few lines above the class or inside it): a change of one or of its distance to the
    // statement after it re-runs every group.
    const shapeComments = plain ? '' : this.shapeCommentsKey(text);
    if (shapeComments !== this.shapeComments) this.runs.reset();
    this.shapeComments = shapeComments;
    if (stmts.some((s) => s.names!.dynamic)) return this.full('globals(), exec, a star import or clear_session()');
    if (stmts.some((s) => s.dangling)) return this.full('a line being typed');
    if (this.hasCallers(stmts)) return this.full('calls from other files');
    if (!this.importsAreLibraries(stmts, keras)) return this.full('a project import');

    const t1 = performance.now();
    // Module names some function assigns under `global` read as unknown everywhere: a change of them changes every group.
    const volatile = new Set<string>();
    for (const s of stmts) for (const g of s.names!.globalDecls) volatile.add(g);
    const volatileKey = [...volatile].sort().join(',');
    if (volatileKey !== this.volatileKey) this.runs.reset();
    this.volatileKey = volatileKey;
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    const done = this.runs.run(stmts, (k, counters) => this.runGroup(k, volatile, keras, limits, counters), limits.steps);
    if (typeof done === 'string') return this.full(done);
    const t2 = performance.now();
    const analysis = this.merge(keras);
    this.last = { mode: 'incremental', groups: done.groups, ran: done.ran, copied: this.last.copied, ms: { parse: this.parseMs, run: t2 - t1, merge: performance.now() - t2 } };
    return analysis;
  }

  /** One group as a module of its own (`GroupedRuns` keeps and orders the runs); a string says why it cannot stand for its part of the full run. */
  private runGroup(k: Keyed, volatile: Set<string>, keras: KerasVersionChoice, limits: typeof DEFAULT_LIMITS, counters: Timeline<Stmt>): GroupRun<Stmt> | string {
    for (const s of k.all) materialise(s);
    const sink = new DiagnosticSink();
    const builder = new CountingBuilder(sink, 'keras', keras.version);
    builder.assumptions = this.assumed.values;
    const rt = new KerasRuntime(builder);
    rt.kerasFrom = keras.from;
    const budget = new Budget(limits);
    const host = this.opts.host;
    const ip = new GroupInterpreter(rt, {
      budget,
      host: host ? { resolver: new PythonResolver(host), parse: parseToAst, cache: this.opts.moduleCache === undefined ? pythonModuleCache : this.opts.moduleCache } : undefined,
    });
    const rec = new EventRecorder(rt, builder, counters, k);
    ip.before = (stmt, phase) => rec.before(stmt, phase);
    ip.after = (stmt, phase) => rec.after(stmt, phase);
    const stopped = ip.runGroup(k.all, this.text, this.file, volatile, this.shapeComments !== '');
    if (stopped) return stopped;
    if (budget.steps > limits.steps || sink.items.some((d) => d.code === DiagnosticCode.budget)) return 'the step budget';
    if (ip.modules.size > 0) return 'a project import';
    if (keras.from === 'default' && rt.tfFunctionOnKerasTensor) return 'a TensorFlow function on a Keras tensor (tf.keras 2 re-run)';
    if (ip.caught > 0) return 'an internal error';
    return rec.finish(budget.steps);
  }

  /** The groups' results in file order in one builder, finished as a full analysis finishes (a line being typed read around). */
  private merge(keras: KerasVersionChoice): FileAnalysis {
    const sink = new DiagnosticSink();
    const typingAt = this.typingAt;
    // As `analyzePython` reports it: before anything the interpretation says.
    if (typingAt?.syntax) reportReadAround(sink, this.doc, typingAt.line);
    // Its malformed entries, as `analyzePython` reports them: after the notes on syntax, before the run.
    reportInvalidAssumptions(this.assumed, sink);
    const { builder, models, failures, typing } = this.runs.merge(sink, 'keras', keras.version, typingAt && { text: this.doc, line: typingAt.line });
    builder.assumptions = this.assumed.values;
    const assumptions = reportAssumptions(this.assumed, builder);
    return { file: this.file, language: 'python', text: this.doc, builder, models, diagnostics: sink.items, keras, ...(typing && { typing }), ...(failures > 0 && { failures }), ...(assumptions.length > 0 && { assumptions }) };
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
    const probe = this.runGroup({ key: '', all: imports, own: new Set(imports) }, new Set(), keras, { ...DEFAULT_LIMITS, ...this.opts.limits }, new Timeline<Stmt>(stmts.length));
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
    // Every binding of a name is in the group of the statements that read it: counted here as in the whole file.
    this.countBindingsIn(stmts.map((s) => s.node), text);
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

/**
 * The lines an edit that only inserts text over several lines left (from the line it starts on to
 * the last character it put in, a final line break left out), when it put in at most
 * `MAX_INSERTED_LINES` line breaks besides that one. An edit that also removed text is not a line
 * being typed (a syntax error it leaves is analysed whole).
 */
function insertedLines(text: string, diff: { start: number; oldEnd: number; newEnd: number }): EditedLines | undefined {
  if (diff.oldEnd !== diff.start) return undefined;
  const end = diff.newEnd > diff.start && text[diff.newEnd - 1] === '\n' ? diff.newEnd - 1 : diff.newEnd;
  return countLines(text, diff.start, end) <= MAX_INSERTED_LINES ? { start: text.lastIndexOf('\n', diff.start - 1) + 1, end } : undefined;
}

/** Beyond this many lines an insertion is not read around as lines being typed. */
const MAX_INSERTED_LINES = 20;

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

/** The edit that made `text` of `old` (the whole text when equal: nothing changed, nothing to keep). */
function editOf(old: string, text: string, diff = changedRegion(old, text)): Edit {
  const { start, oldEnd, newEnd } = diff ?? { start: text.length, oldEnd: text.length, newEnd: text.length };
  return { start, oldEnd, newEnd, lines: countLines(text, start, newEnd) - countLines(old, start, oldEnd) };
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
