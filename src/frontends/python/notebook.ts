// Jupyter notebooks as one Python program: code cells read from .ipynb JSON, IPython-only syntax
// (magics, `!` shell lines, `?` help) blanked with every offset kept, cells joined in order with a
// map from offsets back to cells. Pure: no file system, no editor; the CLI and the editor share it.

import type { CellSpan } from '../../core/analysis';

/** A code cell of a notebook. */
export interface NotebookCell {
  /** 0-based position among ALL cells (markdown and raw included), as Jupyter and VS Code count them. */
  index: number;
  source: string;
}

/** A parsed .ipynb: its Python code cells in order, or why the file is not a notebook we can read. */
export type ParsedNotebook =
  | { ok: true; cells: NotebookCell[]; /** The kernel's language when the notebook names it (lower case). */ language?: string }
  | { ok: false; error: string };

/** The code cells joined into one text: each cell's (blanked) source followed by a newline. */
export interface JoinedCells {
  text: string;
  /** One span per input cell, in order; `cell` is the input's `index`. */
  spans: CellSpan[];
}

/**
 * Reads .ipynb JSON (nbformat 4, and nbformat 3's `worksheets`). Code cells whose own language
 * (VS Code's `metadata.vscode.languageId`) is not Python are left out; indices still count them.
 * Never throws: malformed input gives `{ ok: false, error }` with a one-line reason.
 */
export function parseNotebook(json: string): ParsedNotebook {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    return { ok: false, error: `not valid JSON (${(e as Error).message.split('\n')[0]})` };
  }
  if (!isObject(doc)) return { ok: false, error: 'not a notebook: the JSON is not an object' };
  let rawCells: unknown[];
  if (Array.isArray(doc.cells)) rawCells = doc.cells;
  else if (Array.isArray(doc.worksheets)) rawCells = doc.worksheets.flatMap((w) => (isObject(w) && Array.isArray(w.cells) ? w.cells : []));
  else return { ok: false, error: 'not a notebook: no "cells" list' };
  const cells: NotebookCell[] = [];
  for (let i = 0; i < rawCells.length; i++) {
    const c = rawCells[i];
    if (!isObject(c) || typeof c.cell_type !== 'string') return { ok: false, error: `cell ${i + 1} has no "cell_type"` };
    if (c.cell_type !== 'code') continue;
    // nbformat 4 keeps the text in `source`, nbformat 3 in `input`; both are a string or a list of lines.
    const raw = 'source' in c ? c.source : c.input;
    const source = typeof raw === 'string' ? raw : Array.isArray(raw) && raw.every((s) => typeof s === 'string') ? raw.join('') : undefined;
    if (source === undefined) return { ok: false, error: `cell ${i + 1}: "source" is neither a string nor a list of strings` };
    const lang = isObject(c.metadata) && isObject(c.metadata.vscode) ? c.metadata.vscode.languageId : undefined;
    if (typeof lang === 'string' && lang.toLowerCase() !== 'python') continue;
    cells.push({ index: i, source });
  }
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const kernel = isObject(meta.kernelspec) && typeof meta.kernelspec.language === 'string' ? meta.kernelspec.language : undefined;
  const info = isObject(meta.language_info) && typeof meta.language_info.name === 'string' ? meta.language_info.name : undefined;
  const language = (kernel ?? info)?.toLowerCase();
  return language ? { ok: true, cells, language } : { ok: true, cells };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Joins cells in order into one program: each source (IPython syntax blanked when `ipython`)
 * followed by `\n`. A span covers its cell's text; the newline after it maps to the same cell.
 */
export function joinCells(cells: NotebookCell[], opts: { ipython?: boolean } = {}): JoinedCells {
  let text = '';
  const spans: CellSpan[] = [];
  for (const c of cells) {
    const src = opts.ipython ? blankIPython(c.source) : c.source;
    spans.push({ cell: c.index, start: text.length, end: text.length + src.length });
    text += `${src}\n`;
  }
  return { text, spans };
}

// ---------------------------------------------------------------------------------------------
// IPython syntax. IPython rewrites a cell before Python sees it (IPython.core.inputtransformer2):
// a cell magic on the first line, and per *logical* line (brackets, strings and backslashes
// continue one) an escape at its start (`!cmd`, `!!cmd`, `%magic`, `%%magic`, `?obj`, `??obj`,
// and the autocall escapes `/f x`, `,f x`, `;f x`), `target = !cmd` / `target = %magic`, and a
// trailing `?` / `??` help request. None of these is Python, so they are blanked here: replaced by
// spaces (newlines kept) so every other offset stays where it was. Two cases keep Python:
// `%time stmt` runs `stmt` in the notebook (it becomes `if 1: stmt`, same length) and
// `x = %time expr` assigns `expr` (only `%time` is blanked). An indented escape line becomes `0`
// plus spaces, so a block whose only statement it was stays a block.
// ---------------------------------------------------------------------------------------------

/** Cell magics whose body is Python run in the notebook's namespace: only their first line is blanked. */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'memit']);
/** First characters of an escaped line (IPython's ESCAPE_SINGLES). */
const ESCAPES = new Set(['!', '%', '?', '/', ',', ';']);
/** Statements `if 1:` cannot carry on its own line. */
const COMPOUND = /^(?:if|elif|else|for|while|with|try|except|finally|def|class|async|match|case)\b|^@/;

/**
 * The cell's text with IPython-only syntax blanked (same length, same line breaks). A cell that
 * starts with a cell magic whose body is not Python (`%%bash`, `%%writefile f.py`, `%%html`, ...,
 * and any cell magic not known to run Python) is blanked entirely.
 */
export function blankIPython(source: string): string {
  const chars = source.split('');
  let pos = 0;
  // Leading blank lines (and a common indent) are dropped by IPython before it looks for a cell magic.
  const first = /^((?:[ \t]*\r?\n)*[ \t]*)%%([A-Za-z_][\w.-]*)?/.exec(source);
  if (first) {
    if (!PYTHON_CELL_MAGICS.has(first[2] ?? '')) return blank(chars, 0, chars.length).join('');
    const lineEnd = endOfPhysicalLine(source, first[1].length);
    blank(chars, first[1].length, lineEnd);
    pos = nextLine(source, lineEnd);
  }
  while (pos < source.length) {
    const lineStart = pos;
    let i = pos;
    while (i < source.length && (source[i] === ' ' || source[i] === '\t' || source[i] === '\f')) i++;
    const scan = scanLogicalLine(source, i);
    const indented = i > lineStart;
    if (i < source.length && ESCAPES.has(source[i])) {
      // An escaped line, to the end of its logical line (as IPython's tokenizer groups it, an
      // unclosed bracket or triple quote runs to the end of the cell).
      const end = scan.end;
      const time = /^%time[ \t]+(?=\S)/.exec(source.slice(i, end));
      const stmt = time ? source.slice(i + time[0].length, end).trimEnd() : '';
      if (time && !ESCAPES.has(stmt[0]) && !COMPOUND.test(stmt)) {
        for (let k = 0; k < 5; k++) chars[i + k] = 'if 1:'[k];
      } else {
        blank(chars, i, end);
        if (indented) chars[i] = '0';
      }
      pos = nextLine(source, end);
      continue;
    }
    if (scan.closed && scan.assign >= 0) {
      // `target = !cmd` / `target = %magic args`: the first top-level `=` followed by an escape.
      let j = scan.assign + 1;
      while (j < scan.end && (source[j] === ' ' || source[j] === '\t')) j++;
      if (source[j] === '!' || source[j] === '%') {
        const time = /^%time[ \t]+(?=\S)/.exec(source.slice(j, scan.end));
        if (time && source[j + time[0].length] !== '!' && source[j + time[0].length] !== '%') {
          blank(chars, j, j + 5);
        } else {
          blank(chars, i, scan.end);
          if (indented) chars[i] = '0';
        }
        pos = nextLine(source, scan.end);
        continue;
      }
    }
    if (scan.closed && scan.help) {
      blank(chars, i, scan.end);
      if (indented) chars[i] = '0';
    }
    pos = nextLine(source, scan.end);
  }
  return chars.join('');
}

/** Replaces chars[from, to) by spaces, keeping line breaks. */
function blank(chars: string[], from: number, to: number): string[] {
  for (let k = from; k < to; k++) if (chars[k] !== '\n' && chars[k] !== '\r') chars[k] = ' ';
  return chars;
}

/** Offset just past the newline at or after `end` (or the text's end). */
function nextLine(text: string, end: number): number {
  const nl = text.indexOf('\n', end);
  return nl < 0 ? text.length : nl + 1;
}

/** End (the `\n`, or the text's end) of the physical line at `from`, following backslash continuations. */
function endOfPhysicalLine(text: string, from: number): number {
  let end = text.indexOf('\n', from);
  while (end >= 0 && /\\\r?$/.test(text.slice(Math.max(from, end - 2), end))) end = text.indexOf('\n', end + 1);
  return end < 0 ? text.length : end;
}

interface LogicalLine {
  /** Offset of the newline that ends the logical line (or the text's end). */
  end: number;
  /** False when the text ended inside brackets, a string or after a backslash. */
  closed: boolean;
  /** Offset of the first `=` (an assignment, not `==`, `+=`, ...) outside brackets, or -1. */
  assign: number;
  /** The last significant character (outside comments) is a `?` outside strings. */
  help: boolean;
}

/**
 * Scans one logical line of Python from `from` the way Python's tokenizer groups lines: brackets,
 * triple-quoted strings and trailing backslashes continue it; comments end at the line break.
 */
function scanLogicalLine(text: string, from: number): LogicalLine {
  let depth = 0;
  let assign = -1;
  let last = '';
  let i = from;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\n') {
      if (depth === 0) return { end: i, closed: true, assign, help: last === '?' };
      i++;
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      if (i >= text.length) return { end: text.length, closed: false, assign, help: false };
    } else if (ch === '"' || ch === "'") {
      const triple = text[i + 1] === ch && text[i + 2] === ch;
      const quote = triple ? ch.repeat(3) : ch;
      i += quote.length;
      let closed = false;
      while (i < text.length) {
        if (text[i] === '\\') i += 2;
        else if (text.startsWith(quote, i)) {
          i += quote.length;
          closed = true;
          break;
        } else if (!triple && text[i] === '\n') break; // an unterminated string ends with its line
        else i++;
      }
      if (!closed && (triple || i >= text.length)) return { end: text.length, closed: false, assign, help: false };
      last = closed ? ch : '';
    } else {
      if ('([{'.includes(ch)) depth++;
      else if (')]}'.includes(ch)) depth = Math.max(0, depth - 1);
      else if (ch === '=' && depth === 0 && assign < 0 && text[i + 1] !== '=' && !'=<>!+-*/%&|^@:~'.includes(text[i - 1] ?? '')) assign = i;
      if (ch !== ' ' && ch !== '\t' && ch !== '\r' && ch !== '\f') last = ch;
      i++;
    }
  }
  return { end: text.length, closed: depth === 0, assign, help: depth === 0 && last === '?' };
}
