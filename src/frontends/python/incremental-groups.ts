// Python's statements for the incremental analysis (see incremental.ts): each top-level node with
// the module names names.ts reads of it; the grouping itself is shared with the JS/TS analysis
// (common/incremental-groups.ts, common/incremental-engine.ts).

import { sameModuleNames, sameSet, type GroupStmt, type Keyed as KeyedOf } from '../common/incremental-groups';
import { toAst, type PyNode } from './ast';
import type { StmtNames } from './names';
import { parsePython, treeSitterModule } from './parser';

/** One top-level node of the document (a statement or a comment), kept across updates while unchanged. */
export interface Stmt extends GroupStmt {
  /** Its tree; every offset in it is `shift` short of the current text. */
  node: PyNode;
  shift: number;
  start: number;
  end: number;
  line: number;
  /** Null for comments. */
  names: StmtNames | null;
  /** It holds a line being typed that reads on into the next (`analyze.ts` `danglingLine`). */
  dangling?: boolean;
  /** When its tree was last used (`materialise`), for `releaseTrees`. */
  used?: number;
}

export type Keyed = KeyedOf<Stmt>;

/** Two statements read and bind the same module names alike (so they group alike). */
export function sameNames(a: StmtNames, b: StmtNames): boolean {
  return a.dynamic === b.dynamic && sameModuleNames(a, b) && sameSet(a.globalDecls, b.globalDecls);
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
