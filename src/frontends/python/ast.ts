// A compact JS copy of the tree-sitter tree, made with one cursor walk: the interpreter reads node
// types, fields and offsets many times, and crossing into wasm for each read would dominate.

import type { Node, Tree } from 'web-tree-sitter';


export interface PyNode {
  type: string;
  /** UTF-16 offsets into the source (what JS strings use). */
  start: number;
  end: number;
  readonly named: boolean;
  /** The field this node fills in its parent (`function`, `arguments`, `left`, ...). */
  field: string | null;
  children: PyNode[];
  /** True for ERROR nodes and nodes that contain one. */
  readonly hasError: boolean;
  /** Zero-width node inserted by error recovery. */
  readonly missing: boolean;
  /** Memo of `namedChildren` (the interpreter asks for it on every visit). */
  namedMemo?: PyNode[];
}

/** Leaves share one empty array. */
export const NO_CHILDREN: PyNode[] = Object.freeze([]) as unknown as PyNode[];

const NAMED = 1;
const HAS_ERROR = 2;
const MISSING = 4;

/**
 * The nodes `toAst` makes: the three flags share one field (a large file's tree holds some 200,000
 * nodes and is kept while the document is open, so each field costs megabytes).
 */
class Copied implements PyNode {
  start = -1;
  end = -1;
  children: PyNode[] = NO_CHILDREN;
  namedMemo: PyNode[] | undefined = undefined;
  constructor(
    readonly type: string,
    public field: string | null,
    public flags: number,
  ) {}

  get named(): boolean {
    return (this.flags & NAMED) !== 0;
  }

  get hasError(): boolean {
    return (this.flags & HAS_ERROR) !== 0;
  }

  get missing(): boolean {
    return (this.flags & MISSING) !== 0;
  }
}

/**
 * Converts the tree; returns the module node and how many nodes were walked. Bounded by `maxNodes`
 * (huge files are cut, not hung).
 * Every cursor read re-marshals the cursor into wasm memory, so each node costs as few reads as
 * possible: one type id (name and named-ness cached per id), one field id, offsets only for
 * leaves (a parent spans exactly its children, so its offsets are filled in from them), and no
 * child probe for anonymous nodes. `base` is added to every offset (a tree of a slice of the text).
 * `from`: copy only that node of `tree` (one top-level statement).
 */
export function toAst(tree: Tree, maxNodes = 2_000_000, wasm?: Record<string, unknown>, base = 0, from?: Node): { root: PyNode; truncated: boolean; nodes: number } {
  const fast = wasm && fastCursor(tree, wasm, from);
  const cursor = fast ?? publicCursor(tree, from);
  const language = tree.language;
  const types = language.types;
  const fieldNames = language.fields;
  const named = namedCache(language);
  let count = 0;
  const isNamedId = (id: number): boolean => {
    let isNamed = named.get(id);
    if (isNamed === undefined) {
      isNamed = cursor.isNamed();
      named.set(id, isNamed);
    }
    return isNamed;
  };
  const node = (type: string, isNamed: boolean, field: string | null): Copied => new Copied(type, field, (isNamed ? NAMED : 0) | (type === 'ERROR' ? HAS_ERROR : 0));
  // Children wait in one buffer (the open nodes' runs, innermost last) and a finished node gets an
  // array of exactly its own: an array grown by push keeps room for 17, and most nodes have 1–3
  // (a quarter to half of a large file's tree was that spare room). Leaves share one empty array.
  const pending: Copied[] = [];
  const firstPending: number[] = [0];
  const adopt = (child: Copied): void => {
    pending.push(child);
  };
  const open = (n: Copied): void => {
    stack.push(n);
    firstPending.push(pending.length);
  };
  const finish = (): Copied => {
    const done = stack.pop()!;
    const first = firstPending.pop()!;
    if (pending.length > first) {
      done.children = pending.slice(first);
      pending.length = first;
    }
    return done;
  };
  /** A parent spans exactly its children: each finished child extends it. */
  const extend = (parent: Copied, start: number, end: number): void => {
    if (parent.start < 0) parent.start = start;
    parent.end = end;
  };
  const root = node(types[cursor.typeId()] || 'ERROR', true, null);
  const ownStart = cursor.startIndex() + base;
  // A copied node spans its children, as it does inside the whole tree (an ERROR node's own start can be earlier).
  root.start = from ? -1 : ownStart;
  root.end = cursor.endIndex() + base;
  const stack: Copied[] = [root];
  let truncated = false;
  const markError = (): void => {
    for (let i = stack.length - 1; i >= 0 && !stack[i].hasError; i--) stack[i].flags |= HAS_ERROR;
  };
  // Iterative pre-order walk: deep nesting in user code cannot overflow the JS stack.
  if (cursor.firstChild()) {
    for (;;) {
      if (++count > maxNodes) {
        truncated = true;
        break;
      }
      const parent = stack[stack.length - 1];
      const id = cursor.typeId();
      const isNamed = isNamedId(id);
      const fieldName = fieldNames[cursor.fieldId()] ?? null;
      const type = types[id] || 'ERROR';
      // Anonymous nodes are grammar terminals (always leaves). Punctuation nobody reads (brackets,
      // commas) only extends its parent's span; operators (they have a field), slice colons and
      // tokens inserted by error recovery are kept.
      if (!isNamed && fieldName === null && parent.type !== 'slice') {
        const start = cursor.startIndex() + base;
        const end = cursor.endIndex() + base;
        if (start === end && cursor.isMissing()) {
          const n = node(type, false, null);
          n.start = start;
          n.end = end;
          n.flags |= MISSING;
          adopt(n);
          markError();
        }
        extend(parent, start, end);
      } else {
        const n = node(type, isNamed, fieldName);
        adopt(n);
        if (n.hasError) markError();
        if (isNamed && cursor.firstChild()) {
          open(n);
          continue;
        }
        n.start = cursor.startIndex() + base;
        n.end = cursor.endIndex() + base;
        if (n.start === n.end && cursor.isMissing()) {
          n.flags |= MISSING;
          markError();
        }
        extend(parent, n.start, n.end);
      }
      let moved = false;
      while (!moved) {
        if (cursor.nextSibling()) moved = true;
        else if (cursor.parent()) {
          const done = finish();
          if (stack.length === 0) break;
          extend(stack[stack.length - 1], done.start, done.end);
        } else break;
      }
      if (!moved) break;
    }
  }
  while (stack.length > 0) {
    const done = finish();
    if (stack.length > 0) extend(stack[stack.length - 1], done.start, done.end);
  }
  if (root.start < 0) root.start = ownStart;
  cursor.done();
  return { root, truncated, nodes: count };
}

/** The few cursor operations the walk needs. */
interface WalkCursor {
  typeId(): number;
  isNamed(): boolean;
  fieldId(): number;
  startIndex(): number;
  endIndex(): number;
  isMissing(): boolean;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  done(): void;
}

/** web-tree-sitter's public TreeCursor: correct everywhere, but each read re-marshals the cursor. */
function publicCursor(tree: Tree, from?: Node): WalkCursor {
  const c = (from ?? tree).walk();
  return {
    typeId: () => c.nodeTypeId,
    isNamed: () => c.nodeIsNamed,
    fieldId: () => c.currentFieldId,
    startIndex: () => c.startIndex,
    endIndex: () => c.endIndex,
    isMissing: () => c.nodeIsMissing,
    firstChild: () => c.gotoFirstChild(),
    nextSibling: () => c.gotoNextSibling(),
    parent: () => c.gotoParent(),
    done: () => c.delete(),
  };
}

type WasmFn = (tree: number) => number;
const FAST_FNS = [
  'current_node_type_id', 'current_node_is_named', 'current_field_id', 'start_index', 'end_index',
  'current_node_is_missing', 'goto_first_child', 'goto_next_sibling', 'goto_parent',
] as const;

/**
 * The same cursor without the per-read marshalling: web-tree-sitter's `*_wasm` cursor functions
 * read the cursor from its transfer buffer and write moves back to it. One public read puts our
 * cursor there; as long as nothing else calls into tree-sitter during the (synchronous) walk, every
 * later call can use the buffer in place. Falls back (undefined) if this web-tree-sitter build
 * does not expose those functions; a unit test checks both walks give identical trees.
 */
function fastCursor(tree: Tree, wasm: Record<string, unknown>, from?: Node): WalkCursor | undefined {
  const fns = FAST_FNS.map((n) => wasm[`_ts_tree_cursor_${n}_wasm`]);
  const treeAddr = (tree as unknown as Record<number, unknown>)[0];
  if (fns.some((f) => typeof f !== 'function') || typeof treeAddr !== 'number') return undefined;
  const [typeId, isNamed, fieldId, start, end, isMissing, first, next, parent] = fns as WasmFn[];
  const c = (from ?? tree).walk();
  void c.nodeTypeId; // marshals this cursor into the transfer buffer
  return {
    typeId: () => typeId(treeAddr),
    isNamed: () => isNamed(treeAddr) === 1,
    fieldId: () => fieldId(treeAddr),
    startIndex: () => start(treeAddr),
    endIndex: () => end(treeAddr),
    isMissing: () => isMissing(treeAddr) === 1,
    firstChild: () => first(treeAddr) === 1,
    nextSibling: () => next(treeAddr) === 1,
    parent: () => parent(treeAddr) === 1,
    done: () => c.delete(),
  };
}

/**
 * A node as `toAst` makes it (same class, so the interpreter's property reads stay monomorphic), for
 * fast-parse.ts. `children` must be an array of exactly its length (or NO_CHILDREN).
 */
export function makeNode(type: string, named: boolean, field: string | null, start: number, end: number, children: PyNode[]): PyNode {
  const n = new Copied(type, field, named ? NAMED : 0);
  n.start = start;
  n.end = end;
  n.children = children;
  return n;
}

const namedByLanguage = new WeakMap<object, Map<number, boolean>>();
function namedCache(language: object): Map<number, boolean> {
  let m = namedByLanguage.get(language);
  if (!m) namedByLanguage.set(language, (m = new Map()));
  return m;
}

export function field(node: PyNode, name: string): PyNode | undefined {
  const kids = node.children;
  for (let i = 0; i < kids.length; i++) if (kids[i].field === name) return kids[i];
  return undefined;
}

export function fields(node: PyNode, name: string): PyNode[] {
  return node.children.filter((c) => c.field === name);
}

/** The named children but comments (memoised; the children array itself when that is all of them). Never mutate it. */
export function namedChildren(node: PyNode): PyNode[] {
  let memo = node.namedMemo;
  if (memo === undefined) {
    const kids = node.children;
    let all = true;
    for (let i = 0; i < kids.length && all; i++) all = kids[i].named && kids[i].type !== 'comment';
    memo = node.namedMemo = all ? kids : kids.filter((c) => c.named && c.type !== 'comment');
  }
  return memo;
}
