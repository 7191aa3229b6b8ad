// A compact JS copy of the tree-sitter tree, made with one cursor walk: the interpreter reads node
// types, fields and offsets many times, and crossing into wasm for each read would dominate.

import type { Tree } from 'web-tree-sitter';

export interface PyNode {
  type: string;
  /** UTF-16 offsets into the source (what JS strings use). */
  start: number;
  end: number;
  named: boolean;
  /** The field this node fills in its parent (`function`, `arguments`, `left`, ...). */
  field: string | null;
  children: PyNode[];
  /** True for ERROR nodes and nodes that contain one. */
  hasError: boolean;
  /** Zero-width node inserted by error recovery. */
  missing: boolean;
}

/** Converts the tree; returns the module node. Bounded by `maxNodes` (huge files are cut, not hung). */
export function toAst(tree: Tree, maxNodes = 2_000_000): { root: PyNode; truncated: boolean } {
  const cursor = tree.walk();
  let count = 0;
  const make = (): PyNode => ({
    type: cursor.nodeType,
    start: cursor.startIndex,
    end: cursor.endIndex,
    named: cursor.nodeIsNamed,
    field: cursor.currentFieldName,
    children: [],
    hasError: cursor.nodeType === 'ERROR',
    missing: cursor.nodeIsMissing,
  });
  const root = make();
  const stack: PyNode[] = [root];
  let truncated = false;
  // Iterative pre-order walk: deep nesting in user code cannot overflow the JS stack.
  if (cursor.gotoFirstChild()) {
    for (;;) {
      const node = make();
      stack[stack.length - 1].children.push(node);
      if (node.hasError || node.missing) {
        for (let i = stack.length - 1; i >= 0 && !stack[i].hasError; i--) stack[i].hasError = true;
      }
      if (++count > maxNodes) {
        truncated = true;
        break;
      }
      if (cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      let moved = false;
      while (!moved) {
        if (cursor.gotoNextSibling()) moved = true;
        else if (cursor.gotoParent()) {
          stack.pop();
          if (stack.length === 0) break;
        } else break;
      }
      if (!moved) break;
    }
  }
  cursor.delete();
  return { root, truncated };
}

export function field(node: PyNode, name: string): PyNode | undefined {
  for (const c of node.children) if (c.field === name) return c;
  return undefined;
}

export function fields(node: PyNode, name: string): PyNode[] {
  return node.children.filter((c) => c.field === name);
}

export function namedChildren(node: PyNode): PyNode[] {
  return node.children.filter((c) => c.named && c.type !== 'comment');
}
