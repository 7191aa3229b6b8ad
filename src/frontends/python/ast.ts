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

/**
 * Converts the tree; returns the module node. Bounded by `maxNodes` (huge files are cut, not hung).
 * Every cursor read re-marshals the cursor into wasm memory, so each node costs as few reads as
 * possible: one type id (name and named-ness cached per id), one field id, offsets only for
 * leaves (a parent spans exactly its children, so its offsets are filled in from them), and no
 * child probe for anonymous nodes.
 */
export function toAst(tree: Tree, maxNodes = 2_000_000): { root: PyNode; truncated: boolean } {
  const cursor = tree.walk();
  const language = tree.language;
  const types = language.types;
  const fieldNames = language.fields;
  const named = namedCache(language);
  let count = 0;
  const make = (): PyNode => {
    const id = cursor.nodeTypeId;
    let isNamed = named.get(id);
    if (isNamed === undefined) {
      isNamed = cursor.nodeIsNamed;
      named.set(id, isNamed);
    }
    const type = types[id] || 'ERROR';
    return { type, start: 0, end: 0, named: isNamed, field: fieldNames[cursor.currentFieldId] ?? null, children: [], hasError: type === 'ERROR', missing: false };
  };
  const leaf = (node: PyNode): void => {
    node.start = cursor.startIndex;
    node.end = cursor.endIndex;
    if (node.start === node.end && cursor.nodeIsMissing) node.missing = true;
  };
  const close = (node: PyNode): void => {
    const c = node.children;
    if (c.length > 0) {
      node.start = c[0].start;
      node.end = c[c.length - 1].end;
    }
  };
  const root = make();
  root.start = cursor.startIndex;
  root.end = cursor.endIndex;
  const stack: PyNode[] = [root];
  let truncated = false;
  const markError = (): void => {
    for (let i = stack.length - 1; i >= 0 && !stack[i].hasError; i--) stack[i].hasError = true;
  };
  // Iterative pre-order walk: deep nesting in user code cannot overflow the JS stack.
  if (cursor.gotoFirstChild()) {
    for (;;) {
      const node = make();
      stack[stack.length - 1].children.push(node);
      if (++count > maxNodes) {
        truncated = true;
        break;
      }
      if (node.hasError) markError();
      // Anonymous nodes are grammar terminals, always leaves: no need to probe for children.
      if (node.named && cursor.gotoFirstChild()) {
        stack.push(node);
        continue;
      }
      leaf(node);
      if (node.missing) markError();
      let moved = false;
      while (!moved) {
        if (cursor.gotoNextSibling()) moved = true;
        else if (cursor.gotoParent()) {
          const done = stack.pop()!;
          if (done !== root) close(done);
          if (stack.length === 0) break;
        } else break;
      }
      if (!moved) break;
    }
  }
  for (let i = stack.length - 1; i > 0; i--) close(stack[i]);
  cursor.delete();
  return { root, truncated };
}

const namedByLanguage = new WeakMap<object, Map<number, boolean>>();
function namedCache(language: object): Map<number, boolean> {
  let m = namedByLanguage.get(language);
  if (!m) namedByLanguage.set(language, (m = new Map()));
  return m;
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
