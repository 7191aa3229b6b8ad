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
//    0 modulo `every` are cut (content-defined, like rsync's blocks).
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
//    at each round of `parseTfjs`'s repair: a half-typed line costs a whole parse that stops at
//    its error (to find it exactly as before), then the text with that line blanked is parsed in
//    pieces (one new piece). A declined text keeps the cache for the next update.
// 4. Interpret. The interpreter runs on a Program made of the pieces' statements — the whole
//    program, as a full analysis does (`analyzeParsed`): the same models, rows, names, ranges and
//    diagnostics. Imported project modules are parsed once per text.
//
// A unit test checks the pieces' Program equals the whole parse's (with ranges) on every fixture and
// on generated modules; a differential test checks `update` equals `analyzeTfjs` after every step of
// random edit scripts.
//
// A returned analysis stays valid after later updates (its ranges are numbers copied out of the
// tree), but its tree nodes are shared with later updates and shifted in place.

import { performance } from 'node:perf_hooks';
import { parse, type TSESTree } from '@typescript-eslint/typescript-estree';
import type { FileAnalysis } from '../../core/analysis';
import { analyzeParsed, estreeOptions, parseTfjs, type AnalyzeTfjsOptions } from './analyze';

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
  /** Lines blanked to get past syntax errors (parseTfjs's repair); each took a whole parse that stops at the error. */
  repairs: number;
  pieces: number;
  /** Pieces parsed again (the rest reused from the last update). */
  parsed: number;
  /** Where the time went: cutting and parsing (pieces, checks, shifts), interpreting. */
  ms: { parse: number; analyse: number };
}

interface Piece {
  /** Its text, a copy (see `own`). */
  text: string;
  program: TSESTree.Program;
  /** Every node's `range` array, each once. */
  ranges: [number, number][];
  /** Where the piece's ranges point now (its start offset in the text). */
  at: number;
  /** A script (no `import`/`export`) holding the word `await`. */
  scriptAwait: boolean;
  /** The piece checked to follow it (`joinsCleanly`): the same two texts need no check again. */
  next?: Piece;
}

/**
 * Offsets where the text may be cut (0 first): lines at column 0 that start with a letter, `_` or
 * `$`, are no continuing word and hash to 0 modulo `every`; never before the first such line (so
 * the first piece holds code).
 */
export function cutsOf(text: string, every = CUT_EVERY): number[] {
  const cuts = [0];
  let seen = /^[A-Za-z_$]/.test(text);
  for (let nl = text.indexOf('\n'); nl >= 0 && nl + 1 < text.length; nl = text.indexOf('\n', nl + 1)) {
    const s = nl + 1;
    const c = text.charCodeAt(s);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36)) continue;
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
  return cuts;
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
function surelyEnds(s: TSESTree.ProgramStatement, text: string): boolean {
  if (text.charCodeAt(s.range[1] - 1) === 59) return true;
  const d = s.type === 'ExportNamedDeclaration' ? s.declaration : s;
  return d !== null && DECLARATIONS.has(d.type);
}

/** The program of `text` parsed in pieces, or why it cannot be (then the whole text is parsed). */
export interface PieceParse {
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
  /** Imported project modules' programs by path, with the text they were parsed from. */
  private modules = new Map<string, { text: string; program: TSESTree.Program | null }>();
  last: TfjsUpdateStats = { mode: 'whole', repairs: 0, pieces: 0, parsed: 0, ms: { parse: 0, analyse: 0 } };

  constructor(
    readonly file: string,
    readonly opts: AnalyzeTfjsOptions = {},
    private readonly every = CUT_EVERY,
  ) {}

  /** The analysis of `text`, the document's whole new content (with `opts` for this update, else the constructor's). */
  update(text: string, opts: AnalyzeTfjsOptions = this.opts): FileAnalysis {
    const t0 = performance.now();
    // Each round of parseTfjs's repair (a half-typed line blanked) tries the pieces first.
    let p: PieceParse | undefined;
    let first: PieceParse | undefined;
    const parsed = parseTfjs(text, this.file, undefined, (t) => {
      p = this.parsePieces(t);
      first ??= p;
      return p.program;
    });
    const t1 = performance.now();
    const analysis = analyzeParsed(text, this.file, opts, parsed, (t, path) => this.parseModule(t, path));
    const last = p ?? { pieces: 0, parsed: 0 };
    const reason = parsed.errors.length > 0 ? first?.reason : last.reason;
    this.last = { mode: last.program ? 'pieces' : 'whole', ...(reason && { reason }), repairs: parsed.errors.length, pieces: last.pieces, parsed: last.parsed, ms: { parse: t1 - t0, analyse: performance.now() - t1 } };
    return analysis;
  }

  /** Drops the cached pieces (the document was closed). */
  dispose(): void {
    this.cache.clear();
    this.modules.clear();
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
    const cuts = cutsOf(text, this.every);
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
      const t = text.slice(from, to);
      let piece = this.cache.get(t)?.pop();
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
        piece = { text: copy, program, ranges: rangesOf(program), at: 0, scriptAwait: program.sourceType === 'script' && /\bawait\b/.test(copy) };
        shift(piece, from);
      }
      const list = next.get(piece.text);
      if (list) list.push(piece);
      else next.set(piece.text, [piece]);
      pieces.push(piece);
    }
    const module = pieces.some((p) => p.program.sourceType === 'module');
    const body: TSESTree.ProgramStatement[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const stmts = pieces[i].program.body;
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
    const first = pieces[0].program;
    const program: TSESTree.Program = { ...first, body, range: [first.range[0], text.length], sourceType: module ? 'module' : 'script' };
    return { program, pieces: pieces.length, parsed };
  }

  /** Whether the two statements on either side of a cut parse, together, as those two statements. */
  private joinsCleanly(text: string, before: TSESTree.Node, after: TSESTree.Node): boolean {
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
