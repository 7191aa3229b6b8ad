// A large module parsed a piece at a time: tree-sitter's wasm memory grows to hold the largest
// tree it ever built and never shrinks, so a 20,000-line file parsed whole keeps about 40 MB in
// the process for good. Cut only where a top-level statement surely starts, each piece parsed and
// copied (ast.ts) before the next; any piece with a syntax error, and any doubt, means the whole
// file is parsed as one (error recovery must see it all). The result is the tree the whole parse
// gives, node for node (a unit test compares them).

import type { Tree } from 'web-tree-sitter';
import { toAst, type PyNode } from './ast';

/** Below this size a file is parsed whole (its tree is small). */
export const CHUNKED_FROM = 64 * 1024;
/** About how much text each piece holds. */
export const CHUNK_CHARS = 16 * 1024;
/** The node bound of one analysis (ast.ts's default): more than this and the whole parse cuts it. */
const MAX_NODES = 2_000_000;

/** Keywords that continue the statement before them (`else:` after an `if`). */
const CONTINUES = /^(?:else|elif|except|finally)\b/;

/**
 * Offsets, after `from`, of the first line that surely starts a new top-level statement at about
 * `from + size`: it begins with a letter or `_` (not a continuing keyword), and the line before it
 * that is neither blank nor a comment begins with no indentation, no `#` and no decorator `@` (so
 * no block is open; an open bracket, string or `\` shows as a syntax error in the piece before).
 * -1 when there is none.
 */
export function nextCut(text: string, from: number, size: number): number {
  let at = text.indexOf('\n', Math.min(text.length, from + size));
  while (at >= 0 && at + 1 < text.length) {
    const start = at + 1;
    const c = text.charCodeAt(start);
    const word = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
    if (word && !CONTINUES.test(text.slice(start, start + 8)) && cleanLineBefore(text, at)) return start;
    at = text.indexOf('\n', start);
  }
  return -1;
}

/** Whether the last non-blank line ending at `nl` (a newline's offset) begins at column 0 with code. */
function cleanLineBefore(text: string, nl: number): boolean {
  let end = nl;
  for (;;) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    if (line.trim() !== '') {
      const c = line.charCodeAt(0);
      return c !== 32 && c !== 9 && c !== 12 && c !== 35 && c !== 64 && c !== 13; // space, tab, form feed, #, @, \r
    }
    if (start === 0) return false;
    end = start - 1;
  }
}

/**
 * The module's tree, parsed in pieces of about `size` characters when that is sure to give the
 * whole parse's tree; undefined when it is not (a piece has an error, the node bound is reached):
 * then parse the whole text.
 */
export function parseInChunks(text: string, parse: (text: string) => Tree | null, wasm: Record<string, unknown> | undefined, size = CHUNK_CHARS): PyNode | undefined {
  let root: PyNode | undefined;
  let nodes = 0;
  for (let from = 0; from < text.length; ) {
    const cut = nextCut(text, from, size);
    const to = cut < 0 ? text.length : cut;
    const tree = parse(from === 0 && to === text.length ? text : text.slice(from, to));
    if (!tree) return undefined;
    let piece: ReturnType<typeof toAst>;
    try {
      piece = toAst(tree, MAX_NODES - nodes, wasm, from);
    } finally {
      tree.delete();
    }
    if (piece.truncated || piece.root.hasError || piece.root.type !== 'module') return undefined;
    nodes += piece.nodes;
    if (!root) root = piece.root;
    else {
      if (piece.root.children.length === 0) return undefined;
      if (root.children.length === 0) root.children = [];
      for (const c of piece.root.children) root.children.push(c);
      root.end = piece.root.end;
    }
    from = to;
  }
  return root;
}
