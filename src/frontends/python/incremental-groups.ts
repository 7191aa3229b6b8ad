// The grouping step of the incremental Python analysis (see incremental.ts): which top-level
// statements can affect each other through module-level names, from what names.ts reads of each.
// The grouping itself is shared with the JS/TS analysis (common/incremental-groups.ts).

import { group as groupStmts, sameModuleNames, sameSet, type GroupStmt, type Keyed as KeyedOf } from '../common/incremental-groups';
import type { PyNode } from './ast';
import type { StmtNames } from './names';

export { constantsFor, keyOf, mergeByIndex } from '../common/incremental-groups';

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

/**
 * Splits the statements into groups no value flows between, and the constants (imports, literal
 * constants bound once and never changed) each group copies instead.
 */
export function group(stmts: Stmt[]): { groups: Stmt[][]; constants: Map<string, Stmt> } {
  // Definitions (`def`, `class`, imports) bind what their name holds at the end; assignments are expression statements.
  return groupStmts(stmts, (s) => s.node.type !== 'expression_statement');
}

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
