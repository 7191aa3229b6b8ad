// The grouping step of the incremental Python analysis (see incremental.ts): which top-level
// statements can affect each other through module-level names, from what names.ts reads of each.

import { toAst, type PyNode } from './ast';
import type { StmtNames } from './names';
import { parsePython, treeSitterModule } from './parser';

/** One top-level node of the document (a statement or a comment), kept across updates while unchanged. */
export interface Stmt {
  readonly id: number;
  /** Its tree; every offset in it is `shift` short of the current text. */
  node: PyNode;
  shift: number;
  /** Current offsets and 0-based line. */
  start: number;
  end: number;
  line: number;
  /** Null for comments. */
  names: StmtNames | null;
  /** Position among the statements (comments excluded) in this update. */
  index: number;
  /** It holds a line being typed that reads on into the next (`analyze.ts` `danglingLine`). */
  dangling?: boolean;
  /** When its tree was last used (`materialise`), for `releaseTrees`. */
  used?: number;
}

/** A group of statements: its own, and all it runs (its own and the constants it copies), keyed by their identities. */
export interface Keyed {
  key: string;
  all: Stmt[];
  own: Set<Stmt>;
}

/**
 * Splits the statements into groups no value flows between, and the constants (imports, literal
 * constants bound once and never changed) each group copies instead.
 */
export function group(stmts: Stmt[]): { groups: Stmt[][]; constants: Map<string, Stmt> } {
  const writers = new Map<string, Stmt[]>();
  const lateWriters = new Map<string, Stmt[]>();
  const touchers = new Map<string, Stmt[]>();
  const mutated = new Set<string>();
  const push = (m: Map<string, Stmt[]>, k: string, s: Stmt): void => {
    const l = m.get(k);
    if (l) {
      if (l[l.length - 1] !== s) l.push(s);
    } else m.set(k, [s]);
  };
  for (const s of stmts) {
    const n = s.names!;
    for (const w of n.writes) push(writers, w, s);
    for (const w of n.lateWrites) push(lateWriters, w, s);
    for (const m of n.mutates) mutated.add(m);
    for (const set of [n.reads, n.lateReads, n.writes, n.lateWrites]) for (const w of set) push(touchers, w, s);
  }
  // A constant's names are bound by it alone and never changed in place; a list's never escape either.
  const escaped = new Set<string>();
  for (const s of stmts) for (const e of s.names!.escapes) escaped.add(e);
  const constants = new Map<string, Stmt>();
  for (const s of stmts) {
    const n = s.names!;
    if (n.constant && [...n.writes].every((w) => writers.get(w)!.length === 1 && !lateWriters.has(w) && !mutated.has(w) && !(n.mutableConstant && escaped.has(w)))) for (const w of n.writes) constants.set(w, s);
  }
  const isConstant = (s: Stmt): boolean => s.names!.constant && [...s.names!.writes].every((w) => constants.get(w) === s);
  const parent = new Map<Stmt, Stmt>();
  const find = (s: Stmt): Stmt => {
    let r = s;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let c = s; c !== r; ) {
      const p = parent.get(c)!;
      parent.set(c, r);
      c = p;
    }
    return r;
  };
  const union = (a: Stmt, b: Stmt): void => {
    if (isConstant(a) || isConstant(b)) return;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const s of stmts) parent.set(s, s);
  for (const s of stmts) {
    if (isConstant(s)) continue;
    const n = s.names!;
    // A read now sees the bindings before it, back to the last certain one.
    for (const r of n.reads) {
      if (constants.has(r)) continue;
      const ws = writers.get(r);
      if (ws) {
        for (let i = lastBefore(ws, s.index); i >= 0; i--) {
          union(s, ws[i]);
          if (ws[i].names!.certain.has(r)) break;
        }
      }
      for (const w of lateWriters.get(r) ?? []) union(s, w);
    }
    // A function reads when called: any binding. A definition is what its name holds at the end
    // (uncalled builders run then): any other binding of it too. `global` assignments: anything touching the name.
    for (const r of n.lateReads) if (!constants.has(r)) for (const w of [...(writers.get(r) ?? []), ...(lateWriters.get(r) ?? [])]) union(s, w);
    if (n.certain.size > 0 && s.node.type !== 'expression_statement') for (const w of n.certain) for (const o of writers.get(w) ?? []) union(s, o);
    for (const w of n.lateWrites) for (const o of touchers.get(w) ?? []) union(s, o);
  }
  const byRoot = new Map<Stmt, Stmt[]>();
  for (const s of stmts) {
    if (isConstant(s)) continue;
    const r = find(s);
    const l = byRoot.get(r);
    if (l) l.push(s);
    else byRoot.set(r, [s]);
  }
  const finalConstants = new Map<string, Stmt>();
  for (const [w, s] of constants) if (isConstant(s)) finalConstants.set(w, s);
  return { groups: [...byRoot.values()], constants: finalConstants };
}

/** Index in `ws` (statements in file order) of the last one before position `index`, or -1. */
function lastBefore(ws: Stmt[], index: number): number {
  let lo = 0;
  let hi = ws.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ws[mid].index < index) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function keyOf(all: Stmt[]): string {
  // One flat string (built by `+=` it would be a chain of one small string per statement, kept with the group).
  return all.map((s) => s.id).join(',');
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Two statements read and bind the same module names alike (so they group alike). */
export function sameNames(a: StmtNames, b: StmtNames): boolean {
  return a.dynamic === b.dynamic && a.constant === b.constant && a.mutableConstant === b.mutableConstant && sameSet(a.reads, b.reads) && sameSet(a.lateReads, b.lateReads) && sameSet(a.writes, b.writes)
    && sameSet(a.certain, b.certain) && sameSet(a.lateWrites, b.lateWrites) && sameSet(a.globalDecls, b.globalDecls) && sameSet(a.mutates, b.mutates) && sameSet(a.escapes, b.escapes);
}

/** The constants a group's statements read, in file order. */
export function constantsFor(g: Stmt[], constants: Map<string, Stmt>): Stmt[] {
  const out = new Set<Stmt>();
  for (const s of g) {
    const n = s.names!;
    for (const r of n.reads) {
      const c = constants.get(r);
      if (c) out.add(c);
    }
    for (const r of n.lateReads) {
      const c = constants.get(r);
      if (c) out.add(c);
    }
  }
  return [...out].sort((a, b) => a.index - b.index);
}

/** Two lists of statements in file order, merged. */
export function mergeByIndex(a: Stmt[], b: Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i].index < b[j].index) ? a[i++] : b[j++]);
  return out;
}

/**
 * Applies a kept statement's pending shift to its tree, first copying the tree again if it was
 * released. Whatever reads more of a statement's tree than its kind and span calls this first.
 */
export function materialise(s: Stmt): void {
  if (s.node instanceof Released) s.node = s.node.copy();
  s.used = ++clock;
  if (s.shift === 0) return;
  const d = s.shift;
  const stack = [s.node];
  while (stack.length) {
    const n = stack.pop()!;
    n.start += d;
    n.end += d;
    for (const c of n.children) stack.push(c);
  }
  s.shift = 0;
}

let clock = 0;

/**
 * How many characters of statements keep their trees once an update is done (the statements most
 * recently run); `releaseTrees` lets the others' trees go. Tests set it to 0.
 */
export const keptTrees = { chars: 64 * 1024 };

/**
 * What a statement whose tree was let go keeps: its kind and span (what is read of a statement
 * before it runs), and the text to copy the rest from again (`materialise`). Its offsets are
 * `Stmt.shift` short of the current text, as a tree's are.
 */
class Released implements PyNode {
  readonly named = true;
  readonly field = null;
  readonly hasError = false;
  readonly missing = false;

  constructor(
    readonly type: string,
    public start: number,
    public end: number,
    /** The text it is copied from (one holder shared by every released statement). */
    public source: { readonly text: string },
  ) {}

  get children(): PyNode[] {
    throw new Error('a released statement tree read without materialise');
  }

  /** The statement's tree: its text parsed alone (a top-level statement starts on a fresh line at column 0), else the whole text. */
  copy(): PyNode {
    const text = this.source.text;
    const alone = text.slice(this.start, this.end);
    const tree = parsePython(alone);
    if (tree) {
      try {
        const root = tree.rootNode;
        if (!root.hasError && root.type === 'module') {
          const kids = toAst(tree, undefined, treeSitterModule(), this.start).root.children;
          if (kids.length === 1 && this.same(kids[0])) return kids[0];
        }
      } finally {
        tree.delete();
      }
    }
    const whole = parsePython(text);
    if (whole) {
      try {
        const n = whole.rootNode.children.find((c) => c?.startIndex === this.start && c.endIndex === this.end);
        const copied = n && toAst(whole, undefined, treeSitterModule(), 0, n).root;
        if (copied && this.same(copied)) return copied;
      } finally {
        whole.delete();
      }
    }
    throw new Error('a released statement tree could not be copied again');
  }

  private same(n: PyNode): boolean {
    return n.type === this.type && n.start === this.start && n.end === this.end && !n.hasError && !n.missing;
  }
}

/**
 * Once an update is done (`text` is the document, every statement's `start`/`end` are offsets in
 * it): the trees of statements beyond the `keptTrees` most recently used are let go (a large
 * file's trees are most of what an open document keeps).
 */
let updates = 0;

export function releaseTrees(stmts: Stmt[], text: string): void {
  let kept = 0;
  let errors = false;
  // Released statements are pointed at `text` every 16th update only (a pass over them costs a
  // tenth of an edit of a 20,000-line file); till then they keep an earlier version alive.
  const source = { text };
  const repoint = ++updates % 16 === 0;
  for (const s of stmts) {
    const n = s.node;
    if (n instanceof Released) {
      if (repoint) {
        n.source = source;
        n.start = s.start;
        n.end = s.end;
        s.shift = 0;
      }
    } else if (releasable(n)) kept += s.end - s.start;
    else errors = true;
  }
  // A file with a syntax error keeps every tree (its statements may not parse alone as they did in it).
  if (kept <= keptTrees.chars || errors) return;
  const holders = stmts.filter((s) => !(s.node instanceof Released) && releasable(s.node));
  holders.sort((a, b) => (b.used ?? 0) - (a.used ?? 0));
  // Down to half the budget: the next sort waits till trees of that much text are copied again.
  let budget = keptTrees.chars >> 1;
  for (const s of holders) {
    budget -= s.end - s.start;
    if (budget >= 0) continue;
    s.node = new Released(s.node.type, s.start, s.end, source);
    s.shift = 0;
  }
}

/** Only a tree without errors is copied again alike from its statement's text. */
const releasable = (n: PyNode): boolean => !n.hasError && !n.missing;
