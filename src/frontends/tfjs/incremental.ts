// Incremental analysis of one JS/TS document: after an edit, parse again only the pieces of the
// program whose text changed, and return exactly what a from-scratch `analyzeTfjs` of the new text
// returns.
//
// How it works, per update:
//
// 1. Cut. The text is cut before lines that may start a top-level statement: column 0, a letter,
//    `_` or `$`, and not a word that continues the statement before it (`else`, `catch`, `in`,
//    `as`, `from`, ...). To keep pieces of a few statements, and their places independent of what
//    comes before them (so that an edit moves no cut but its own), only lines whose text hashes to
//    0 modulo `every` are cut (content-defined, like rsync's blocks). A cut depends on its own line
//    only: after a text parsed in pieces, only the lines the edit touched are looked at (`recut`),
//    and the pieces before and after them are taken as they are.
// 2. Parse. Each piece is parsed on its own with typescript-estree (the same options as
//    `parseTfjs`), or taken from the cache of the last update's pieces, keyed by the piece's text: a
//    one-line edit parses one piece again. A reused piece's node offsets (`range`: `loc`, comments
//    and tokens are off; nothing else in the tree holds an offset) are shifted to where the piece
//    now starts, through the list of its nodes' range arrays kept when it was parsed.
// 3. Prove. The pieces' statements are the whole parse's statements only if every cut falls
//    between two statements of the whole parse. A cut inside a bracket, string, template literal,
//    comment or JSX element leaves a piece with a syntax error. A cut the statement before can run
//    over (`let` / `x = 1`, `a = b` / `instanceof C`: each half parses alone) is caught by parsing
//    the two statements on either side of the cut together: they must come out as two statements
//    with the same ends. That is not needed when the first ends with `;` or is a function, class,
//    interface, enum or namespace declaration (no word continues those but `else`, never first in
//    a piece), and is done once per two pieces next to each other (kept pieces still next to each
//    other hold the same texts). A later piece starts with a word, so never with a string
//    statement (a directive). A script piece of a module (another piece has `import`/`export`)
//    holding `await` declines: TypeScript re-parses top-level `await` in modules. Any piece with a
//    syntax error, or any doubt, means the whole text is parsed, as before. The pieces are tried
//    at each round of `parseTfjs`'s repair: a half-typed line costs a whole parse to find its
//    error exactly as before, then the text with that line blanked is parsed in pieces (one new
//    piece). A whole parse is typescript's incremental reparse of the last whole text's source
//    file (kept while a line is half-typed: dropped once the text parses in pieces again), around
//    the change only: from scratch the first time. A declined text keeps the cache for the next
//    update. Once an update is done, the pieces beyond the 64 KB of text most recently parsed or
//    run let their statements' trees go (`keptTrees`; a 20,000-line file's trees are ~50 MB): a
//    `ReleasedStmt` keeps a statement's kind, span and module names, and the piece's trees are
//    parsed again from its text when a group holding one of its statements runs (the whole
//    interpretation, too, parses them again). A piece with a line ending in a dot keeps its trees
//    (`danglingDot` reads them).
// 4. Interpret, by groups, as the Python analysis does and with the same machinery
//    (common/incremental-engine.ts, incremental-groups.ts, incremental-timeline.ts). Each top-level
//    statement's module names (names.ts: read now, read by its functions when called, bound,
//    changed in place) are read once; a statement keeps its identity while its text and place do
//    (the other statements of a piece parsed again too). Statements are grouped so that no value
//    flows between groups (imports and primitive literal constants are copied into each group that
//    reads them); each group runs as a module of its own (its statements in file order, then its
//    builders nothing called, roots first) and its results are cached by its statements'
//    identities. An edit re-runs the groups holding changed statements; tf.layers' automatic names
//    (per class: `dense_Dense3`) are counted across groups in the order of a full run (the
//    timeline), and a reused group whose counters would start elsewhere runs again. The results
//    are merged in file order and finished by `collectModels`, as `analyzeParsed` finishes: the
//    same models, rows, names, ranges and diagnostics. A line being typed (a syntax error the
//    repair got past by blanking lines, or a dangling `model.`) runs by groups too: the statements
//    are those of the text parsed (`Parsed.analysed`, the lines left out blanked: same offsets), a
//    statement over a blanked line new at each update (the interpreter reads the document's text),
//    so the next keystrokes on that line re-run its group only (none when the line stands alone);
//    the syntax notes come first and the merge marks the models the line reaches (`markTyping`),
//    as `analyzeParsed` does. The whole program is interpreted instead (`analyzeParsed`) when no
//    program is got past the errors, for a `with` statement, a project import (with a host), a
//    top-level statement that throws, an exhausted budget. Imported project modules are parsed
//    once per text.
//
// A unit test checks the pieces' Program equals the whole parse's (with ranges) on every fixture and
// on generated modules; differential tests check `update` equals `analyzeTfjs` after every step of
// random edit scripts (characters, and statement-level edits that keep the text valid).
//
// A returned analysis is valid until the next `update`: reused models and diagnostics are shared
// with it and their ranges are shifted in place by later edits (as the Python analysis'; the
// server's `keepLastGood` knows). Its tree nodes are shared with later updates too.

import { parseAssumptions, reportAssumptions, reportInvalidAssumptions, type Assumed } from '../common/assumptions';
import { performance } from 'node:perf_hooks';
import { parse, type TSESTree } from '@typescript-eslint/typescript-estree';
import * as ts from 'typescript';
import { lineOf, lineStartsOf, type FileAnalysis } from '../../core/analysis';
import { DiagnosticCode, DiagnosticSink } from '../../core/diagnostics';
import { Budget, BudgetExceeded, DEFAULT_LIMITS, type BudgetLimits } from '../common/budget';
import { CountingBuilder, EventRecorder, GroupedRuns } from '../common/incremental-engine';
import { sameModuleNames, type GroupStmt, type Keyed } from '../common/incremental-groups';
import type { Phase, Timeline } from '../common/incremental-timeline';
import type { UncalledEntry } from '../common/interpreter-core';
import { KerasRuntime } from '../common/keras-runtime';
import { isSignal } from '../common/signals';
import { changedRegion, editedLine } from '../../core/stale';
import { analyzeParsed, estreeOptions, mayDangle, parseTfjs, reportSyntaxErrors, typingLine, type AnalyzeTfjsOptions, type Parsed } from './analyze';
import { analyseUncalled } from './definitions';
import { execTop, moduleObjects } from './imports';
import { languageOf } from './info';
import { JsInterpreter, Scope, type JsModuleHost, type N } from './interpreter';
import { jsNames, type JsNames } from './names';
import { hoist } from './statements';

/** Cut before about one candidate line in this many (a piece is then a few statements). */
export const CUT_EVERY = 4;

/** Words that, first on a line, continue the statement above (or are not a statement's start). */
const CONTINUES = new Set(['in', 'instanceof', 'as', 'satisfies', 'is', 'else', 'catch', 'finally', 'while', 'extends', 'implements', 'from', 'of', 'with', 'assert', 'asserts', 'keyof', 'infer']);

/** What an update did, for tests and the bench. */
export interface TfjsUpdateStats {
  /** Where the program came from: pieces (most reused), or the whole text parsed. */
  mode: 'pieces' | 'whole';
  /** Why the whole text was parsed (or, with `repairs`, why it was parsed to find the syntax error). */
  reason?: string;
  /** Lines blanked to get past syntax errors (parseTfjs's repair); each took a whole parse (incremental, see `fresh`) to find the error. */
  repairs: number;
  /** Whole texts typescript parsed from scratch (the others it reparsed from the last, only around the change). */
  fresh: number;
  pieces: number;
  /** Pieces parsed again (the rest reused from the last update). */
  parsed: number;
  /** Pieces whose trees had been let go, parsed again to run their groups (`keptTrees`). */
  copied: number;
  /** How the program was interpreted: by groups (most reused, also while a line is being typed), or whole (and why). */
  run: 'groups' | 'whole';
  runReason?: string;
  groups: number;
  /** Groups run again (the rest reused). */
  ran: number;
  /** Where the time went: cutting and parsing (pieces, checks, shifts), interpreting (and merging). */
  ms: { parse: number; analyse: number };
}

interface Piece {
  /** Its text, a copy (see `own`). */
  text: string;
  /** Its statements' trees, or (released: `IncrementalTfjs.release`) their `ReleasedStmt`s. */
  program: TSESTree.Program;
  /** Every node's `range` array, each once (released: the program's and its statements'). */
  ranges: [number, number][];
  /** Where the piece's ranges point now (its start offset in the text). */
  at: number;
  /** A script (no `import`/`export`) holding the word `await`. */
  scriptAwait: boolean;
  /** The piece checked to follow it (`joinsCleanly`): the same two texts need no check again. */
  next?: Piece;
  /** The last `parsePieces` that took it. */
  epoch?: number;
  /** When its trees were last parsed or used (`materialise`): the most recent are kept. */
  used: number;
  /** It holds a line ending with a member access's dot: `danglingDot` reads its trees, which are kept. */
  dots: boolean;
}

/**
 * How many characters of pieces keep their statements' trees (those most recently parsed or run);
 * the others' trees are let go, and parsed again from the piece's text when their group runs (a
 * large file's trees are most of what an open document would keep). Tests set it to 0.
 */
export const keptTrees = { chars: 64 * 1024 };

/**
 * What a statement of a piece whose trees were let go keeps: what is read of a statement before
 * its group runs (its kind, span and module names), and its place in the piece to take its tree
 * from again (`IncrementalTfjs.materialise`). It stands in the piece's program and as the node of
 * its `JsStmt` until then.
 */
class ReleasedStmt {
  constructor(
    readonly type: TSESTree.ProgramStatement['type'],
    /** Shifted with the piece (one of its `ranges`). */
    readonly range: [number, number],
    readonly piece: Piece,
    readonly index: number,
    readonly names: JsNames,
    /** A declaration nothing continues (`surelyEnds`). */
    readonly declares: boolean,
  ) {}
}

/** A piece statement's node, or its stand-in while the piece's trees are let go. */
type PieceStmt = TSESTree.ProgramStatement | ReleasedStmt;

/** The first piece of `list` no piece of this parse took yet (taken out of the list). */
function unused(list: Piece[] | undefined, epoch: number): Piece | undefined {
  while (list && list.length > 0) {
    const p = list.shift()!;
    if (p.epoch !== epoch) return p;
  }
  return undefined;
}

/**
 * Offsets where the text may be cut (0 first): lines at column 0 that start with a letter, `_` or
 * `$`, are no continuing word and hash to 0 modulo `every`; never before the first such line (so
 * the first piece holds code).
 */
export function cutsOf(text: string, every = CUT_EVERY): number[] {
  return [0, ...cutsAndSeen(text, 1, text.length, every, startsWord(text, 0)).cuts];
}

/**
 * The cuts at lines starting in `[from, to]` (not 0); `seen`: a line before `from` may start a
 * statement (the first such line is never cut). `seen` after them is pushed last.
 */
function cutsAndSeen(text: string, from: number, to: number, every: number, seen: boolean): { cuts: number[]; seen: boolean } {
  const cuts: number[] = [];
  for (let nl = text.indexOf('\n', from - 1); nl >= 0 && nl + 1 < text.length && nl + 1 <= to; nl = text.indexOf('\n', nl + 1)) {
    const s = nl + 1;
    if (!startsWord(text, s)) continue;
    if (!seen) {
      seen = true;
      continue;
    }
    let e = text.indexOf('\n', s);
    if (e < 0) e = text.length;
    if (every > 1 && lineHash(text, s, Math.min(e, s + 64)) % every !== 0) continue;
    let w = s + 1;
    while (w < e && w - s <= 10 && /[\w$]/.test(text[w])) w++;
    if (CONTINUES.has(text.slice(s, w))) continue;
    cuts.push(s);
  }
  return { cuts, seen };
}

/** A letter, `_` or `$` at `at`. */
function startsWord(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}

/**
 * The cuts of `text` from those of `old` (its cuts `cuts`): a cut depends only on its own line, so
 * those on lines before the changed region are kept, those after it moved; only the lines the edit
 * touched are looked at. With the number of leading cuts kept and of trailing ones moved.
 */
function recut(old: string, cuts: number[], text: string, every: number): { cuts: number[]; head: number; tail: number } {
  const r = changedRegion(old, text);
  if (!r) return { cuts, head: cuts.length, tail: 0 };
  // The line holding the edit's start: lines before it are unchanged (their cuts too).
  const line = text.lastIndexOf('\n', r.start - 1) + 1;
  let head = 0;
  while (head < cuts.length && cuts[head] < line) head++;
  // Cuts whose line starts after the old region (the newline before them unchanged too) moved by the edit's length.
  let tail = cuts.length;
  while (tail > head && cuts[tail - 1] >= r.oldEnd + 1) tail--;
  const delta = r.newEnd - r.oldEnd;
  let seen = head > 1 || startsWord(text, 0);
  for (let nl = text.indexOf('\n'); !seen && nl >= 0 && nl + 1 < line; nl = text.indexOf('\n', nl + 1)) seen = startsWord(text, nl + 1);
  const mid = cutsAndSeen(text, Math.max(1, line), r.newEnd, every, seen);
  // No line before the moved ones may start a statement now: the first of them is not cut any more.
  if (!mid.seen && tail < cuts.length) return { cuts: cutsOf(text, every), head: 0, tail: 0 };
  const out = head > 0 ? cuts.slice(0, head) : [0];
  for (const c of mid.cuts) out.push(c);
  for (let i = tail; i < cuts.length; i++) out.push(cuts[i] + delta);
  return { cuts: out, head: Math.max(0, head - 1), tail: cuts.length - tail };
}

function lineHash(text: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Every node's range array in `root`'s tree, each once. */
function rangesOf(root: TSESTree.Node): [number, number][] {
  const out: [number, number][] = [];
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const o = stack.pop();
    if (typeof o !== 'object' || o === null || seen.has(o)) continue;
    seen.add(o);
    if (Array.isArray(o)) {
      for (const x of o) if (typeof x === 'object' && x !== null) stack.push(x);
      continue;
    }
    const rec = o as Record<string, unknown>;
    if (Array.isArray(rec.range) && typeof rec.type === 'string' && !seen.has(rec.range)) {
      seen.add(rec.range);
      out.push(rec.range as [number, number]);
    }
    for (const k in rec) if (k !== 'range' && k !== 'parent' && k !== 'loc') stack.push(rec[k]);
  }
  return out;
}

/**
 * A copy of `s` that does not keep the text it was cut from alive (V8 keeps a slice's whole parent
 * string; the names and literals of a tree parsed from a slice are slices too). Without it every
 * version of the document an edit was parsed from would stay in memory as long as its piece.
 */
function own(s: string): string {
  return s.length < 16 ? s : (' ' + s).slice(1);
}

function shift(piece: Piece, to: number): void {
  const d = to - piece.at;
  if (d !== 0) {
    for (const r of piece.ranges) {
      r[0] += d;
      r[1] += d;
    }
  }
  piece.at = to;
}

/** Declarations that end with their body's `}`: nothing after them continues them. */
const DECLARATIONS = new Set(['FunctionDeclaration', 'ClassDeclaration', 'TSInterfaceDeclaration', 'TSEnumDeclaration', 'TSModuleDeclaration']);

/**
 * A complete top-level statement that no word after it can continue: one ending with `;` (only
 * `else` continues an `if` whose branch ends so, and a piece never starts with it), or a
 * function, class, interface, enum or namespace declaration (also exported).
 */
function surelyEnds(s: PieceStmt, text: string): boolean {
  return text.charCodeAt(s.range[1] - 1) === 59 || (s instanceof ReleasedStmt ? s.declares : declares(s));
}

/** A function, class, interface, enum or namespace declaration (also exported). */
function declares(s: TSESTree.ProgramStatement): boolean {
  const d = s.type === 'ExportNamedDeclaration' ? s.declaration : s;
  return d !== null && DECLARATIONS.has(d.type);
}

/** The program of `text` parsed in pieces, or why it cannot be (then the whole text is parsed). */
export interface PieceParse {
  /** Its statements of pieces whose trees were let go are their `ReleasedStmt`s (see `keptTrees`). */
  program?: TSESTree.Program;
  reason?: string;
  pieces: number;
  parsed: number;
}

/**
 * Incremental analysis of one open document: `update(text)` after each change gives what
 * `analyzeTfjs(text, file, opts)` gives. `dispose()` drops what it keeps. (The language server
 * gets it through the front end: `tfjsFrontEnd.incremental(file)`.)
 */
export class IncrementalTfjs {
  /** The last update's pieces by text (several when several pieces have the same text). */
  private cache = new Map<string, Piece[]>();
  /** The last text parsed in pieces, its cuts and pieces (none after a text that was not). */
  private lastOk: { text: string; cuts: number[]; pieces: Piece[] } | undefined;
  private epoch = 0;
  /** Pieces holding their statements' trees (but those with `dots`), with their texts' length; the clock of `Piece.used`. */
  private live = new Set<Piece>();
  private liveChars = 0;
  private clock = 0;
  /** The piece each statement tree of a piece is in. */
  private home = new WeakMap<TSESTree.Node, Piece>();
  /** Imported project modules' programs by path, with the text they were parsed from. */
  private modules = new Map<string, { text: string; program: TSESTree.Program | null }>();
  /** The last update's statements (their nodes' ranges are current), and each node's. */
  private stmts: JsStmt[] = [];
  private byNode = new WeakMap<object, JsStmt>();
  /** The last update's text length (its statements' offsets are for it). */
  private length = 0;
  private runs = new GroupedRuns<JsStmt>({
    definition: (s) => s.names.definition,
    sameNames: (a, b) => a.node.type === b.node.type && a.names.definition === b.names.definition && a.names.project === b.names.project && a.names.dynamic === b.names.dynamic && sameModuleNames(a.names, b.names),
  });
  /** The limits the cached runs were made with. */
  private limitsKey = '';
  /** The text's `shape-lens:` assumptions (the groups ran with their values). */
  private assumed: Assumed = parseAssumptions('', 'js');
  /** Lines of the current text, for every statement. */
  private readonly lines = new LineTable();
  last: TfjsUpdateStats = { mode: 'whole', repairs: 0, fresh: 0, pieces: 0, parsed: 0, copied: 0, run: 'whole', groups: 0, ran: 0, ms: { parse: 0, analyse: 0 } };

  /**
   * The last whole text typescript parsed (for `parseTfjs`'s whole parses: a syntax error found, a
   * text the pieces declined), kept to reparse the next one around its change only.
   */
  private source: ts.SourceFile | undefined;
  private fresh = 0;
  private copied = 0;

  /** The document's text at the last update, and the start of the line that update edited (inside one line). */
  private doc = '';
  private edited: number | undefined;

  constructor(
    readonly file: string,
    readonly opts: AnalyzeTfjsOptions = {},
    private readonly every = CUT_EVERY,
  ) {}

  /** Where the last update's edit says the user is typing (what a full analysis is told: `AnalyzeTfjsOptions.edited`). */
  get editedHint(): number | undefined {
    return this.edited;
  }

  /** The analysis of `text`, the document's whole new content (with `opts` for this update, else the constructor's). */
  update(text: string, opts: AnalyzeTfjsOptions = this.opts): FileAnalysis {
    const t0 = performance.now();
    // The line being edited, when the edit is inside one line: the repair blanks it first.
    if (text !== this.doc) this.edited = editedLineStart(this.doc, text);
    this.doc = text;
    // Each round of parseTfjs's repair (a half-typed line blanked) tries the pieces first.
    let p: PieceParse | undefined;
    let first: PieceParse | undefined;
    this.fresh = 0;
    this.copied = 0;
    const parsed = parseTfjs(
      text,
      this.file,
      undefined,
      (t) => {
        p = this.parsePieces(t);
        first ??= p;
        return p.program;
      },
      opts.edited ?? this.edited,
      (t) => this.parseWhole(t),
    );
    const t1 = performance.now();
    // Typescript's source file is kept while a line is half-typed (the next keystroke's error is
    // found by reparsing it): once the text parses in pieces again, it goes.
    if (p?.program && parsed.errors.length === 0 && parsed.dangling === undefined) this.source = undefined;
    let run: GroupsResult | string = parsed.program ? this.byGroups(text, opts, parsed) : 'a syntax error';
    if (typeof run === 'string') {
      this.runs.reset();
      const whole = parsed.program ? { ...parsed, program: this.materialised(parsed.program) } : parsed;
      run = { analysis: analyzeParsed(text, this.file, opts, whole, (t, path) => this.parseModule(t, path)), reason: run, groups: 0, ran: 0 };
    }
    // Once the update is done, not as it goes (every group of a new file runs: trees let go and
    // parsed again meanwhile would make the process's memory grow more, with their garbage).
    this.releaseTrees(keptTrees.chars);
    const last = p ?? { pieces: 0, parsed: 0 };
    const reason = parsed.errors.length > 0 ? first?.reason : last.reason;
    this.last = {
      mode: last.program ? 'pieces' : 'whole',
      ...(reason && { reason }),
      repairs: parsed.errors.length,
      fresh: this.fresh,
      pieces: last.pieces,
      parsed: last.parsed,
      copied: this.copied,
      run: run.reason ? 'whole' : 'groups',
      ...(run.reason && { runReason: run.reason }),
      groups: run.groups,
      ran: run.ran,
      ms: { parse: t1 - t0, analyse: performance.now() - t1 },
    };
    return run.analysis;
  }

  /** Drops the cached pieces and runs (the document was closed). */
  dispose(): void {
    this.cache.clear();
    this.modules.clear();
    this.runs.reset();
    this.stmts = [];
    this.lastOk = undefined;
    this.source = undefined;
    this.live.clear();
    this.liveChars = 0;
  }

  /**
   * Lets go of the whole text's typescript source file kept while a line is half-typed (a 20,000-line
   * module's is ~58 MB): the next keystroke parses the text from scratch once, then reparses it
   * around each change again.
   */
  trim(): void {
    this.source = undefined;
  }

  /** `program` with every statement's tree (those of pieces let go parsed again). */
  private materialised(program: TSESTree.Program): TSESTree.Program {
    const body = program.body as PieceStmt[];
    if (!body.some((n) => n instanceof ReleasedStmt)) return program;
    return {
      ...program,
      body: body.map((n) => {
        if (!(n instanceof ReleasedStmt)) return n;
        this.materialise(n.piece);
        return n.piece.program.body[n.index];
      }),
    };
  }

  /**
   * A piece's statements' trees, parsed again from its text if they were let go (the same trees: the
   * same text parsed alike, shifted to where the piece is); the statements standing for them take them.
   */
  private materialise(piece: Piece): void {
    piece.used = ++this.clock;
    const stand = piece.program.body as PieceStmt[];
    if (!(stand[0] instanceof ReleasedStmt)) return;
    this.copied++;
    const program = parse(piece.text, estreeOptions(this.file));
    const ranges = rangesOf(program);
    for (const r of ranges) {
      r[0] += piece.at;
      r[1] += piece.at;
    }
    const body = program.body;
    if (body.length !== stand.length || body.some((n, i) => n.type !== stand[i].type || n.range[0] !== stand[i].range[0] || n.range[1] !== stand[i].range[1])) throw new Error('a piece parsed again differs');
    for (let i = 0; i < body.length; i++) {
      this.home.set(body[i], piece);
      const s = this.byNode.get(stand[i]);
      if (s?.node !== stand[i]) continue;
      s.node = body[i];
      this.byNode.set(body[i], s);
    }
    piece.program = program;
    piece.ranges = ranges;
    this.keep(piece);
  }

  /** A piece that holds its trees now. */
  private keep(piece: Piece): void {
    if (piece.dots || this.live.has(piece)) return;
    this.live.add(piece);
    this.liveChars += piece.text.length;
  }

  /** Lets go of a piece's statements' trees: `ReleasedStmt`s stand for them, in the piece and for their statements. */
  private release(piece: Piece): void {
    const body = piece.program.body;
    const stand = body.map((n, i) => {
      const s = this.byNode.get(n);
      const r = new ReleasedStmt(n.type, [n.range[0], n.range[1]], piece, i, s?.src === piece.text.slice(n.range[0] - piece.at, n.range[1] - piece.at) ? s.names : jsNames(n), declares(n));
      if (s?.node === n) {
        s.node = r as unknown as TSESTree.ProgramStatement;
        this.byNode.set(r, s);
      }
      return r;
    });
    piece.ranges = [piece.program.range, ...stand.map((r) => r.range)];
    piece.program = { ...piece.program, body: stand as unknown as TSESTree.ProgramStatement[] };
  }

  /** Past `chars` characters of pieces holding trees: the trees of all but the most recently used half that are let go. */
  private releaseTrees(chars: number): void {
    if (this.liveChars <= chars) return;
    const pieces = [...this.live].sort((a, b) => b.used - a.used);
    let budget = chars >> 1;
    for (const p of pieces) {
      budget -= p.text.length;
      if (budget >= 0) continue;
      this.release(p);
      this.live.delete(p);
      this.liveChars -= p.text.length;
    }
  }

  /**
   * `parse(text)` (the same program, or the same error thrown), from the last whole text's
   * typescript source file reparsed around the change (typescript's incremental parser, as its
   * language service does per keystroke): a half-typed line's error is found without parsing the
   * whole text again. typescript-estree takes a source file for the text and reads its errors.
   */
  private parseWhole(text: string): TSESTree.Program {
    const old = this.source;
    const diff = old && changedRegion(old.text, text);
    let source: ts.SourceFile | undefined = old && !diff ? old : undefined;
    if (old && diff) {
      try {
        source = ts.updateSourceFile(old, text, ts.createTextChangeRange(ts.createTextSpanFromBounds(diff.start, diff.oldEnd), diff.newEnd - diff.start));
      } catch {
        // An internal failure of the reparse: from scratch.
      }
    }
    if (!source) {
      this.fresh++;
      this.source = undefined;
      source = newSourceFile(text, this.file);
    }
    // The old one is not to be used again once updated (typescript reuses its nodes).
    this.source = source;
    return parse(source as unknown as string, estreeOptions(this.file));
  }

  // -----------------------------------------------------------------------------------------------
  // Interpreting by groups

  /**
   * The analysis of `parsed.program` from the groups' runs (as `analyzeParsed` gives it), or why it
   * must be interpreted whole. A line being typed (left out of the program: `parsed.analysed` has it
   * blanked) is noted and marked as `analyzeParsed` does it, on the document's text.
   */
  private byGroups(text: string, opts: AnalyzeTfjsOptions, parsed: Parsed): GroupsResult | string {
    const stmts = this.statements(parsed.analysed, parsed.program!, changedRegion(text, parsed.analysed));
    const limits: BudgetLimits = { ...DEFAULT_LIMITS, ...opts.limits };
    const limitsKey = JSON.stringify(limits);
    if (limitsKey !== this.limitsKey) this.runs.reset();
    this.limitsKey = limitsKey;
    // `shape-lens:` assumptions reach every group: other values run every group again.
    const assumed = parseAssumptions(text, 'js');
    if (assumed.key !== this.assumed.key) this.runs.reset();
    this.assumed = assumed;
    if (stmts.some((s) => s.names.dynamic)) return 'a `with` statement';
    if (opts.host && stmts.some((s) => s.names.project)) return 'a project import';
    const host = opts.host;
    const moduleHost: JsModuleHost | undefined = host && { resolve: (f, sp) => host.resolve(f, sp), parse: (t, path) => this.parseModule(t, path) };
    const done = this.runs.run(stmts, (k, counters) => this.runGroup(k, counters, text, limits, moduleHost), limits.steps);
    if (typeof done === 'string') return done;
    const sink = new DiagnosticSink();
    reportSyntaxErrors(sink, text, parsed);
    reportInvalidAssumptions(assumed, sink);
    const line = typingLine(text, parsed);
    const { builder, models, failures, typing } = this.runs.merge(sink, 'tfjs', 3, line === undefined ? undefined : { text, line });
    builder.assumptions = assumed.values;
    const assumptions = reportAssumptions(assumed, builder);
    const analysis: FileAnalysis = { file: this.file, language: languageOf(this.file), text, builder, models, diagnostics: sink.items, ...(typing && { typing }), ...(failures > 0 && { failures }), ...(assumptions.length > 0 && { assumptions }) };
    return { analysis, groups: done.groups, ran: done.ran };
  }

  /**
   * This update's statements: those whose node was kept (its piece reused) as they were; a new node
   * with the same text at the same place (another statement of a piece parsed again) takes the old
   * statement's place, so its group's run is reused; the others are new (their names read). A
   * statement over `blanked` (the lines left out, which the interpreter reads in the document's
   * text: `ip.text`) is new too.
   */
  private statements(text: string, program: TSESTree.Program, blanked: ReturnType<typeof changedRegion>): JsStmt[] {
    this.lines.set(text);
    const body = program.body;
    const old = this.stmts;
    const over = (n: TSESTree.Node): boolean => !!blanked && n.range[0] < blanked.newEnd && blanked.start < n.range[1];
    let head = 0;
    while (head < body.length && head < old.length && old[head].node === body[head] && !over(body[head])) head++;
    let tail = 0;
    while (tail < body.length - head && tail < old.length - head && old[old.length - 1 - tail].node === body[body.length - 1 - tail] && !over(body[body.length - 1 - tail])) tail++;
    const out = old.length === body.length ? old.slice() : [...old.slice(0, head), ...new Array<JsStmt>(body.length - head - tail), ...old.slice(old.length - tail)];
    // The statements after the edit moved with the text after it.
    const delta = text.length - this.length;
    this.length = text.length;
    if (delta !== 0) {
      for (let i = body.length - tail; i < body.length; i++) {
        out[i].start += delta;
        out[i].end += delta;
      }
    }
    for (let i = head; i < body.length - tail; i++) {
      const node = body[i];
      const src = text.slice(node.range[0], node.range[1]);
      // As many statements as before: the same text at the same place (statements keep their places
      // while the counters' timeline is kept); else a node seen before keeps its statement (none of
      // the kept ones before and after: each holds a node of its own).
      let s: JsStmt | undefined = body.length === old.length ? old[i] : this.byNode.get(node);
      if (s && (s.src !== src || (body.length !== old.length && s.node !== node))) s = undefined;
      if (over(node)) s = undefined;
      // Its own copy of its text: a slice would keep this whole version of the document alive.
      s ??= new JsStmt(node, own(src), this.lines, node instanceof ReleasedStmt ? node.names : jsNames(node));
      s.node = node;
      s.start = node.range[0];
      s.end = node.range[1];
      this.byNode.set(node, s);
      out[i] = s;
    }
    this.stmts = out;
    return out;
  }

  /** One group as a module of its own (`GroupedRuns` keeps and orders the runs), its statements' trees parsed again where they were let go. */
  private runGroup(k: Keyed<JsStmt>, counters: Timeline<JsStmt>, text: string, limits: BudgetLimits, host: JsModuleHost | undefined): ReturnType<EventRecorder<JsStmt>['finish']> {
    for (const s of k.all) {
      const piece = s.node instanceof ReleasedStmt ? s.node.piece : this.home.get(s.node);
      if (piece) this.materialise(piece);
    }
    const sink = new DiagnosticSink();
    const builder = new CountingBuilder(sink, 'tfjs');
    builder.assumptions = this.assumed.values;
    const rt = new KerasRuntime(builder);
    const budget = new Budget(limits);
    const ip = new GroupInterpreter(rt, { budget, host });
    const rec = new EventRecorder(rt, builder, counters, k);
    ip.before = (s, phase) => rec.before(s, phase);
    ip.after = (s, phase) => rec.after(s, phase);
    const stopped = ip.runGroup(k.all, text, this.file);
    if (stopped) return stopped;
    if (budget.steps > limits.steps || sink.items.some((d) => d.code === DiagnosticCode.budget)) return 'the step budget';
    if (ip.modules.size > 0) return 'a project import';
    if (ip.caught > 0) return 'an internal error';
    return rec.finish(budget.steps);
  }

  private parseModule(text: string, path: string): TSESTree.Program | null {
    const hit = this.modules.get(path);
    if (hit && hit.text === text) return hit.program;
    const program = parseTfjs(text, path).program;
    this.modules.set(path, { text, program });
    return program;
  }

  /** The program of `text` parsed in pieces (the cache updated), or why the whole text must be parsed. */
  parsePieces(text: string): PieceParse {
    // After a text parsed in pieces: only the cuts and pieces around the edit are looked at; those
    // before it are taken as they are, those after it moved (`recut`).
    const prev = this.lastOk;
    this.lastOk = undefined;
    const epoch = ++this.epoch;
    const { cuts, head, tail } = prev ? recut(prev.text, prev.cuts, text, this.every) : { cuts: cutsOf(text, this.every), head: 0, tail: 0 };
    const kept = (i: number): Piece | undefined => (i < head ? prev!.pieces[i] : i >= cuts.length - tail ? prev!.pieces[prev!.pieces.length - (cuts.length - i)] : undefined);
    // Those are not to be taken again for another text.
    for (let i = 0; i < head; i++) prev!.pieces[i].epoch = epoch;
    for (let i = 0; i < tail; i++) prev!.pieces[prev!.pieces.length - 1 - i].epoch = epoch;
    const next = new Map<string, Piece[]>();
    const pieces: Piece[] = [];
    let parsed = 0;
    const decline = (reason: string): PieceParse => {
      // Keep every clean piece for the next update (the old ones not used are still in the cache),
      // unless the cache would grow past twice the document's pieces.
      for (const [t, list] of next) {
        const old = this.cache.get(t);
        if (old) old.push(...list);
        else this.cache.set(t, list);
      }
      if (this.cache.size > 2 * cuts.length + 16) this.cache = next;
      return { reason, pieces: cuts.length, parsed };
    };
    for (let i = 0; i < cuts.length; i++) {
      const from = cuts[i];
      const to = i + 1 < cuts.length ? cuts[i + 1] : text.length;
      let piece = kept(i);
      // Pieces of the same text are taken in document order: each keeps its nodes (and statements) when nothing moved.
      const t = piece ? piece.text : text.slice(from, to);
      piece ??= unused(this.cache.get(t), epoch);
      if (piece) shift(piece, from);
      else {
        const copy = own(t);
        let program: TSESTree.Program;
        try {
          program = parse(copy, estreeOptions(this.file));
        } catch {
          return decline(`a syntax error in the piece at ${from}`);
        }
        parsed++;
        piece = { text: copy, program, ranges: rangesOf(program), at: 0, scriptAwait: program.sourceType === 'script' && /\bawait\b/.test(copy), used: ++this.clock, dots: mayDangle(copy) };
        shift(piece, from);
        for (const n of program.body) this.home.set(n, piece);
        this.keep(piece);
      }
      piece.epoch = epoch;
      const list = next.get(piece.text);
      if (list) list.push(piece);
      else next.set(piece.text, [piece]);
      pieces.push(piece);
    }
    const module = pieces.some((p) => p.program.sourceType === 'module');
    const body: PieceStmt[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const stmts = pieces[i].program.body as PieceStmt[];
      if (stmts.length === 0) return decline('a piece without statements');
      if (i > 0) {
        if (pieces[i - 1].next !== pieces[i]) {
          const before = body[body.length - 1];
          if (!surelyEnds(before, text) && !this.joinsCleanly(text, before, stmts[0])) return decline(`the statements around ${cuts[i]} parse as one`);
          pieces[i - 1].next = pieces[i];
        }
      }
      if (module && pieces[i].scriptAwait) return decline('`await` in a script piece of a module');
      for (const s of stmts) body.push(s);
    }
    // The cache now holds exactly this text's pieces.
    this.cache = next;
    this.lastOk = { text, cuts, pieces };
    const first = pieces[0].program;
    const program: TSESTree.Program = { ...first, body: body as TSESTree.ProgramStatement[], range: [first.range[0], text.length], sourceType: module ? 'module' : 'script' };
    return { program, pieces: pieces.length, parsed };
  }

  /** Whether the two statements on either side of a cut parse, together, as those two statements. */
  private joinsCleanly(text: string, before: PieceStmt, after: PieceStmt): boolean {
    const base = before.range[0];
    const pair = text.slice(base, after.range[1]);
    let body: TSESTree.ProgramStatement[];
    try {
      body = parse(pair, estreeOptions(this.file)).body;
    } catch {
      return false;
    }
    return body.length === 2 && body[0].range[0] === 0 && body[0].range[1] === before.range[1] - base && body[1].range[0] === after.range[0] - base && body[1].range[1] === pair.length;
  }
}

interface GroupsResult {
  analysis: FileAnalysis;
  /** Why the program was interpreted whole. */
  reason?: string;
  groups: number;
  ran: number;
}

let nextStmtId = 1;

/** One top-level statement of the document, kept across updates while its text is. */
class JsStmt implements GroupStmt {
  readonly id = nextStmtId++;
  index = -1;

  constructor(
    /** Its node in the current program (ranges current), or its stand-in while its piece's trees are let go. */
    public node: TSESTree.ProgramStatement,
    /** Its text. */
    readonly src: string,
    private readonly lines: LineTable,
    readonly names: JsNames,
  ) {
    this.start = node.range[0];
    this.end = node.range[1];
  }

  /** Its node's offsets (kept here: read often, and a node's `range` is a slow read across node kinds). */
  start: number;
  end: number;

  get line(): number {
    return this.lines.lineOf(this.start);
  }
}

/** 0-based lines of the current text's offsets, its line starts found on the first question. */
class LineTable {
  private starts: number[] | undefined;
  private text = '';

  set(text: string): void {
    this.text = text;
    this.starts = undefined;
  }

  /** 0-based. */
  lineOf(offset: number): number {
    this.starts ??= lineStartsOf(this.text);
    return lineOf(this.starts, offset) - 1;
  }
}

/** The interpreter running one group: hooks around each top-level statement and each uncalled builder. */
class GroupInterpreter extends JsInterpreter {
  before: (stmt: JsStmt, phase: Phase) => void = () => undefined;
  after: (stmt: JsStmt, phase: Phase) => void = () => undefined;
  private stmts: JsStmt[] = [];

  /** Runs the statements as a module (as `runMain` does); says why if they cannot stand for their part of the full run. */
  runGroup(stmts: JsStmt[], text: string, path: string): string | undefined {
    this.stmts = stmts;
    this.file = { path, text, isMain: true };
    const scope = new Scope(null, true);
    const exports = moduleObjects(this, scope);
    const body = stmts.map((s) => s.node);
    try {
      hoist(this, body, scope);
      for (const s of stmts) {
        let stopped = false;
        this.event(s, 0, () =>
          this.guard(() => {
            try {
              execTop(this, s.node, scope, exports);
            } catch (e) {
              if (!isSignal(e)) throw e;
              stopped = true;
            }
          }),
        );
        // The full run goes on after it, with what it bound so far: other groups may see that.
        if (stopped) return 'a top-level statement that stops';
      }
      analyseUncalled(this, { ...({} as TSESTree.Program), body }, scope);
    } catch (e) {
      return e instanceof BudgetExceeded ? 'the step budget' : 'an internal error';
    }
    return undefined;
  }

  private event(stmt: JsStmt, phase: Phase, run: () => void): void {
    this.before(stmt, phase);
    run();
    this.after(stmt, phase);
  }

  /** Each builder is one event, in the order the roots-first rule gives across the whole file. */
  override runUncalled(entries: UncalledEntry<N>[]): void {
    const names = new Set(entries.map((e) => e.name));
    const calledByOthers = new Set<string>();
    for (const e of entries) for (const n of e.calls()) if (names.has(n) && n !== e.name) calledByOthers.add(n);
    const ordered = [...entries.filter((e) => !calledByOthers.has(e.name)), ...entries.filter((e) => calledByOthers.has(e.name))];
    // Builders of one statement (`const a = () => ..., b = () => ...`) in one phase are one event.
    for (let i = 0; i < ordered.length; ) {
      const stmt = this.stmtOf(ordered[i].node);
      const phase: Phase = calledByOthers.has(ordered[i].name) ? 2 : 1;
      let j = i + 1;
      while (j < ordered.length && this.stmtOf(ordered[j].node) === stmt && (calledByOthers.has(ordered[j].name) ? 2 : 1) === phase) j++;
      const batch = ordered.slice(i, j);
      this.event(stmt, phase, () => {
        for (const e of batch) super.runUncalled([e]);
      });
      i = j;
    }
  }

  private stmtOf(node: N): JsStmt {
    const s = this.stmts.find((x) => x.node.range[0] <= node.range[0] && node.range[1] <= x.node.range[1]);
    if (!s) throw new Error('an uncalled builder outside the group');
    return s;
  }
}

/** The source file typescript-estree's `parse` makes of `text` (its options for a parse without a project). */
function newSourceFile(text: string, file: string): ts.SourceFile {
  const options = estreeOptions(file);
  const ext = /\.[^./\\]*$/.exec(file)?.[0].toLowerCase();
  const kind = ext === '.js' || ext === '.mjs' || ext === '.cjs' ? ts.ScriptKind.JS : ext === '.ts' || ext === '.mts' || ext === '.cts' ? ts.ScriptKind.TS : ext === '.jsx' ? ts.ScriptKind.JSX : ext === '.tsx' ? ts.ScriptKind.TSX : options.jsx ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const moduleIndicator = ext === '.mjs' || ext === '.mts' ? (f: ts.SourceFile) => void ((f as { externalModuleIndicator?: unknown }).externalModuleIndicator = true) : undefined;
  return ts.createSourceFile(file, text, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone, setExternalModuleIndicator: moduleIndicator }, true, kind);
}

/** The start of the line of `text` an edit of `old` stayed inside (undefined: none, or over several lines). */
function editedLineStart(old: string, text: string): number | undefined {
  const diff = changedRegion(old, text);
  return diff && editedLine(text, diff)?.start;
}
