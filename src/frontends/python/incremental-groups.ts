// Python's statements for the incremental analysis (see incremental.ts): each top-level node with
// the module names names.ts reads of it; the grouping itself is shared with the JS/TS analysis
// (common/incremental-groups.ts, common/incremental-engine.ts).

import { sameModuleNames, sameSet, type GroupStmt, type Keyed as KeyedOf } from '../common/incremental-groups';
import type { PyNode } from './ast';
import type { StmtNames } from './names';

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
}

export type Keyed = KeyedOf<Stmt>;

/** Two statements read and bind the same module names alike (so they group alike). */
export function sameNames(a: StmtNames, b: StmtNames): boolean {
  return a.dynamic === b.dynamic && sameModuleNames(a, b) && sameSet(a.globalDecls, b.globalDecls);
}

/** Applies a kept statement's pending shift to its tree. */
export function materialise(s: Stmt): void {
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
