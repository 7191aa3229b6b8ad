// A hand-written tokenizer and recursive-descent parser for clean Python files, giving the same
// tree as `toAst(parsePython(text)).root` (ast.ts) but for comment nodes, which it leaves out (the
// interpreter skips them). It is several times cheaper than tree-sitter's parse plus the copy.
//
// It returns null whenever it is not certain: any syntax error, any construct it does not handle,
// nesting deeper than MAX_DEPTH, more than `maxNodes` nodes. The caller then parses with
// tree-sitter, which also does the error recovery. So it never has to reproduce an ERROR node,
// only tree-sitter-python 0.25's shapes of valid code, including its quirks:
// - the external scanner's NEWLINE / INDENT / DEDENT, and where they fall among comments: a comment
//   after a block's last statement (and at least as indented as the block) is inside the block, so
//   the block (and its statement) ends where the comment ends;
// - string pieces as its scanner cuts them (raw, bytes, f-string `{{`, escape sequences);
// - its operator precedences (`&` binds looser than `^`), annotations' `generic_type`, `as_pattern`
//   in `with` and `except`, patterns on the left of `=` and `for`;
// - spans as toAst computes them: a node spans its visible children (hidden tokens like a
//   format specifier's text do not count).

import { makeNode, NO_CHILDREN, type PyNode } from './ast';

/** Deeper nesting than this (brackets, blocks, operators) is left to tree-sitter. */
const MAX_DEPTH = 100;

// Token kinds.
const EOF = 0;
const NAME = 1;
const KW = 2;
const OP = 3;
const INT = 4;
const FLOAT = 5;
const NEWLINE = 6;
const INDENT = 7;
const DEDENT = 8;
const S_START = 9;
/** A piece of string text (hidden in tree-sitter's tree). */
const S_TEXT = 10;
const S_ESCAPE = 11;
/** A backslash that starts no escape sequence (an anonymous `\` token). */
const S_BACKSLASH = 12;
const S_ESCAPE_BRACE = 13;
const S_END = 14;
const I_OPEN = 15;
const I_CLOSE = 16;
const I_CONVERSION = 17;
const I_COLON = 18;
/** Format specifier text (hidden). */
const I_TEXT = 19;
const I_EQUALS = 20;

/** Thrown (and caught in parseFast) when the text is not certain to parse as tree-sitter would. */
class Refuse {}
const REFUSE = new Refuse();
function refuse(): never {
  throw REFUSE;
}

const KEYWORD_LIST = [
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else',
  'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise',
  'return', 'try', 'while', 'with', 'yield',
];

/** Keywords by first character and length (found without slicing the identifier out of the text). */
const KEYWORDS = new Map<number, string[]>();
for (const k of KEYWORD_LIST) {
  const key = k.charCodeAt(0) * 16 + k.length;
  KEYWORDS.set(key, [...(KEYWORDS.get(key) ?? []), k]);
}

/** The keyword spelled by text[start, end), or undefined. */
function keywordAt(text: string, start: number, end: number): string | undefined {
  const len = end - start;
  if (len < 2 || len > 8) return undefined;
  const candidates = KEYWORDS.get(text.charCodeAt(start) * 16 + len);
  if (candidates) for (const k of candidates) if (text.startsWith(k, start)) return k;
  return undefined;
}

/** Operators, longest first within each first character. */
const OPERATORS: Record<string, string[]> = {
  '*': ['**=', '**', '*=', '*'],
  '/': ['//=', '//', '/=', '/'],
  '>': ['>>=', '>>', '>=', '>'],
  '<': ['<<=', '<<', '<=', '<'],
  '.': ['...', '.'],
  '-': ['->', '-=', '-'],
  ':': [':=', ':'],
  '=': ['==', '='],
  '!': ['!='],
  '+': ['+=', '+'],
  '%': ['%=', '%'],
  '@': ['@=', '@'],
  '&': ['&=', '&'],
  '|': ['|=', '|'],
  '^': ['^=', '^'],
  '~': ['~'],
  '(': ['('], ')': [')'], '[': ['['], ']': [']'], '{': ['{'], '}': ['}'], ',': [','], ';': [';'],
};

/** Keywords a logical line can end with. */
const LINE_END_KEYWORDS = new Set(['True', 'False', 'None', 'pass', 'break', 'continue', 'return', 'raise', 'yield']);

const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '@=', '//=', '%=', '**=', '>>=', '<<=', '&=', '^=', '|=']);

/** Binary operators on primary expressions and tree-sitter-python's precedences for them. */
const BINARY: Record<string, number> = {
  '|': 14, '&': 15, '^': 16, '<<': 17, '>>': 17, '+': 18, '-': 18, '*': 19, '@': 19, '/': 19, '%': 19, '//': 19, '**': 21,
};
const COMPARISONS = new Set(['<', '<=', '==', '!=', '>=', '>', 'in', 'not', 'is']);

const ID_START = /[\p{XID_Start}_]/u;
const ID_CONTINUE = /\p{XID_Continue}/u;

function isAsciiIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isAsciiIdContinue(c: number): boolean {
  return isAsciiIdStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** The tokens of a text, and the extras between them (comments, line continuations). */
class Tokens {
  kinds: number[] = [];
  starts: number[] = [];
  ends: number[] = [];
  /** Operator or keyword text ('' for other tokens). */
  vals: string[] = [];
  /** Comments: the token index they precede, and their span. */
  commentSlots: number[] = [];
  commentStarts: number[] = [];
  commentEnds: number[] = [];
  /** Line continuations (`\` at a line end): named nodes in the tree. */
  contSlots: number[] = [];
  contStarts: number[] = [];
  contEnds: number[] = [];

  push(kind: number, start: number, end: number, val = ''): void {
    this.kinds.push(kind);
    this.starts.push(start);
    this.ends.push(end);
    this.vals.push(val);
  }
}

/** String flags. */
const F_FORMAT = 1;
const F_RAW = 2;
const F_BYTES = 4;
const F_TRIPLE = 8;

/**
 * The tokenizer: tree-sitter-python's external scanner (indentation, strings) and its lexer, as
 * far as valid code goes. Refuses (throws) on anything it does not mirror exactly.
 */
class Lexer {
  readonly t = new Tokens();
  pos = 0;
  private readonly indents: number[] = [0];
  private depth = 0;

  constructor(private readonly text: string) {}

  run(): Tokens {
    const text = this.text;
    const n = text.length;
    const t = this.t;
    this.blankLinesAtStart();
    let lineHasTokens = false;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (this.pos >= n || c === 10 || (c === 13 && text.charCodeAt(this.pos + 1) === 10)) {
        if (this.depth > 0) {
          if (this.pos >= n) refuse();
          this.pos += c === 13 ? 2 : 1;
          // Inside brackets, a line indented less than the block: tree-sitter's scanner may read a
          // DEDENT there (where a closing bracket is not valid).
          if (this.nextCodeIndent(this.pos) < this.indents[this.indents.length - 1]) refuse();
          continue;
        }
        if (lineHasTokens) this.endLine();
        else if (this.pos < n) refuse();
        lineHasTokens = false;
        if (this.pos >= n) break;
        continue;
      }
      if (c === 32 || c === 9 || c === 12) {
        this.pos++;
        continue;
      }
      if (c === 35) {
        const end = this.lineEnd(this.pos);
        t.commentSlots.push(t.kinds.length);
        t.commentStarts.push(this.pos);
        t.commentEnds.push(end);
        this.pos = end;
        continue;
      }
      if (c === 92) {
        // A line continuation: `\` then a line break, then more of this line's code.
        const after = text.charCodeAt(this.pos + 1) === 13 ? this.pos + 2 : this.pos + 1;
        if (!lineHasTokens || text.charCodeAt(after) !== 10) refuse();
        let q = after + 1;
        while (q < n && (text.charCodeAt(q) === 32 || text.charCodeAt(q) === 9)) q++;
        const d = text.charCodeAt(q);
        if (q >= n || d === 10 || d === 13 || d === 35 || d === 92 || d === 12) refuse();
        // Before a string the scanner skips the continuation as whitespace: no node then.
        if (!this.stringStartsAt(q)) {
          t.contSlots.push(t.kinds.length);
          t.contStarts.push(this.pos);
          t.contEnds.push(after + 1);
        }
        this.pos = after + 1;
        continue;
      }
      this.token(c);
      lineHasTokens = true;
    }
    t.push(EOF, n, n);
    return t;
  }

  /** Where the last nextCodeIndent found code, and that line's indentation. */
  private codeAt = -1;
  private codeIndent = 0;

  /**
   * The indentation (as the scanner counts it) of the first line from `from` (a line start) with
   * code; -1 at the end. Remembered, so comment lines inside brackets are not read again per line.
   */
  private nextCodeIndent(from: number): number {
    if (from <= this.codeAt) return this.codeIndent;
    const text = this.text;
    let indent = 0;
    for (let q = from; q < text.length; q++) {
      const c = text.charCodeAt(q);
      if (c === 32) indent++;
      else if (c === 9) indent += 8;
      else if (c === 12 || c === 13 || c === 10) indent = 0;
      else if (c === 35) {
        while (q + 1 < text.length && text.charCodeAt(q + 1) !== 10) q++;
      } else {
        this.codeAt = q;
        this.codeIndent = indent;
        return indent;
      }
    }
    return -1;
  }

  /** Whether a string (with or without a prefix) starts at `i`. */
  private stringStartsAt(i: number): boolean {
    const text = this.text;
    for (let k = 0; k < 3; k++) {
      const c = text.charCodeAt(i + k);
      if (c === 39 || c === 34) return true;
      if (!/[rRbBuUfFtT]/.test(text[i + k] ?? '')) return false;
    }
    return false;
  }

  /** Where a comment starting at `from` ends: at the `\n` (a `\r` before it is part of the comment, as in tree-sitter). */
  private lineEnd(from: number): number {
    const i = this.text.indexOf('\n', from);
    return i < 0 ? this.text.length : i;
  }

  /**
   * Comment and blank lines before the first statement. Like tree-sitter's scanner, indentation
   * where no block can open is not an error: it only counts where a `:` opened a block, and
   * dedenting pops the levels above.
   */
  private blankLinesAtStart(): void {
    const lines = this.scanBlankLines(0);
    for (const c of lines.comments) this.comment(c);
    this.pos = lines.codeStart;
  }

  private comment(c: { start: number; end: number }): void {
    const t = this.t;
    t.commentSlots.push(t.kinds.length);
    t.commentStarts.push(c.start);
    t.commentEnds.push(c.end);
  }

  /**
   * From a line start: the blank and comment lines (each comment with its indentation as the
   * scanner counts it: a space 1, a tab 8, a form feed resets), then where the next code line's
   * code starts (or the end) and its indentation.
   */
  private scanBlankLines(from: number): { comments: { start: number; end: number; indent: number }[]; codeStart: number; codeIndent: number } {
    const text = this.text;
    const n = text.length;
    const comments: { start: number; end: number; indent: number }[] = [];
    let q = from;
    let indent = 0;
    for (;;) {
      if (q >= n) return { comments, codeStart: n, codeIndent: 0 };
      const c = text.charCodeAt(q);
      if (c === 32) indent++;
      else if (c === 9) indent += 8;
      else if (c === 12) indent = 0;
      else if (c === 13) {
        if (text.charCodeAt(q + 1) !== 10) refuse();
        indent = 0;
      } else if (c === 10) indent = 0;
      else if (c === 35) {
        const end = this.lineEnd(q);
        comments.push({ start: q, end, indent });
        q = end;
        continue;
      } else if (c === 92) refuse();
      else return { comments, codeStart: q, codeIndent: indent };
      q++;
    }
  }

  /** At the line break (or end) of a logical line with code: NEWLINE or INDENT, then DEDENTs, and the comment lines between. */
  private endLine(): void {
    const t = this.t;
    const last = t.kinds.length - 1;
    // The scanner's zero-width token sits right after the line's last token or comment.
    const nc = t.commentSlots.length;
    const at = nc > 0 && t.commentSlots[nc - 1] === last + 1 ? t.commentEnds[nc - 1] : t.ends[last];
    // A line ending in an operator or a keyword that needs more: tree-sitter may read on into the
    // next line (`a,` then `b = c` is one assignment to it), so leave such texts to it.
    const lk = t.kinds[last];
    const lv = t.vals[last];
    const wildcard = lv === '*' && t.kinds[last - 1] === KW && t.vals[last - 1] === 'import';
    const semicolon = lv === ';';
    if ((lk === OP && lv !== ')' && lv !== ']' && lv !== '}' && lv !== ':' && lv !== '...' && !wildcard && !semicolon) || (lk === KW && !LINE_END_KEYWORDS.has(lv))) refuse();
    const lines = this.scanBlankLines(this.pos);
    const indents = this.indents;
    // After a `:` an indented line opens a block; a line that is not indented more leaves the block
    // empty (tree-sitter's NEWLINE read as a block).
    const suite = t.kinds[last] === OP && t.vals[last] === ':' && lines.codeStart < this.text.length && lines.codeIndent > indents[indents.length - 1];
    if (suite) {
      t.push(INDENT, at, at);
      indents.push(lines.codeIndent);
      if (indents.length > MAX_DEPTH) refuse();
      for (const c of lines.comments) this.comment(c);
    } else {
      t.push(NEWLINE, at, at);
      let ci = 0;
      while (indents[indents.length - 1] > lines.codeIndent) {
        const first = ci < lines.comments.length ? lines.comments[ci].indent : -1;
        if (first < indents[indents.length - 1]) {
          t.push(DEDENT, at, at);
          indents.pop();
        } else this.comment(lines.comments[ci++]);
      }
      for (; ci < lines.comments.length; ci++) this.comment(lines.comments[ci]);
    }
    this.pos = lines.codeStart;
  }

  /** One token starting with `c` at `pos`. */
  private token(c: number): void {
    const text = this.text;
    const t = this.t;
    const start = this.pos;
    if (isAsciiIdStart(c) || c >= 128) {
      let i = start;
      let ascii = true;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (isAsciiIdContinue(d)) {
          i++;
          continue;
        }
        if (d < 128) break;
        const cp = text.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        if (!(i === start ? ID_START : ID_CONTINUE).test(ch)) break;
        ascii = false;
        i += ch.length;
      }
      if (i === start) refuse();
      const q = text.charCodeAt(i);
      if (q === 39 || q === 34) {
        // A string prefix: only the usual ones.
        const prefix = text.slice(start, i).toLowerCase();
        let flags = 0;
        switch (prefix) {
          case 'r': flags = F_RAW; break;
          case 'u': break;
          case 'b': flags = F_BYTES; break;
          case 'br': case 'rb': flags = F_BYTES | F_RAW; break;
          case 'f': flags = F_FORMAT; break;
          case 'fr': case 'rf': flags = F_FORMAT | F_RAW; break;
          default: refuse();
        }
        this.pos = i;
        this.string(start, flags);
        return;
      }
      const word = ascii ? keywordAt(text, start, i) : undefined;
      if (word !== undefined) {
        if (word === 'async' || word === 'await') refuse();
        t.push(KW, start, i, word);
      } else t.push(NAME, start, i);
      this.pos = i;
      return;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(start + 1)))) {
      this.number();
      return;
    }
    if (c === 39 || c === 34) {
      this.string(start, 0);
      return;
    }
    const ops = OPERATORS[text[start]];
    if (!ops) refuse();
    let op = '';
    for (const o of ops) {
      if (text.startsWith(o, start)) {
        op = o;
        break;
      }
    }
    if (op === '') refuse();
    if (op === '(' || op === '[' || op === '{') {
      if (++this.depth > MAX_DEPTH) refuse();
    } else if (op === ')' || op === ']' || op === '}') {
      if (--this.depth < 0) refuse();
    }
    t.push(OP, start, start + op.length, op);
    this.pos = start + op.length;
  }

  /** An integer or float (tree-sitter's token rules; anything glued to it is refused). */
  private number(): void {
    const text = this.text;
    const start = this.pos;
    let i = start;
    const digits = (ok: (c: number) => boolean): void => {
      // repeat1(/[0-9]+_?/) style: runs of digits, each optionally followed by one `_`.
      const from = i;
      while (ok(text.charCodeAt(i)) || (text.charCodeAt(i) === 95 && i > from && ok(text.charCodeAt(i - 1)))) i++;
    };
    let float = false;
    const c1 = text.charCodeAt(i + 1) | 32;
    if (text.charCodeAt(i) === 48 && (c1 === 120 || c1 === 111 || c1 === 98)) {
      i += 2;
      const ok = c1 === 120 ? isHex : c1 === 111 ? (c: number) => c >= 48 && c <= 55 : (c: number) => c === 48 || c === 49;
      // repeat1(/_?[digits]+/)
      const from = i;
      while (ok(text.charCodeAt(i)) || (text.charCodeAt(i) === 95 && ok(text.charCodeAt(i + 1)))) i++;
      if (i === from) refuse();
      if ((text.charCodeAt(i) | 32) === 108) i++;
    } else {
      digits(isDigit);
      if (text.charCodeAt(i) === 46) {
        float = true;
        i++;
        digits(isDigit);
      }
      if ((text.charCodeAt(i) | 32) === 101) {
        let j = i + 1;
        if (text.charCodeAt(j) === 43 || text.charCodeAt(j) === 45) j++;
        if (!isDigit(text.charCodeAt(j))) refuse();
        i = j;
        digits(isDigit);
        float = true;
      }
      const s = text.charCodeAt(i) | 32;
      if (s === 106 || (!float && s === 108)) i++;
    }
    const next = text.charCodeAt(i);
    if (isAsciiIdContinue(next) || next === 46 || next >= 128 || next === 39 || next === 34) refuse();
    this.t.push(float ? FLOAT : INT, start, i);
    this.pos = i;
  }

  /** A string from its prefix at `start` (`pos` at the quote): pieces as tree-sitter's scanner cuts them. */
  private string(start: number, flags: number): void {
    const text = this.text;
    const t = this.t;
    const quote = text.charCodeAt(this.pos);
    let i = this.pos + 1;
    if (text.charCodeAt(i) === quote && text.charCodeAt(i + 1) === quote) {
      flags |= F_TRIPLE;
      i += 2;
    }
    t.push(S_START, start, i);
    const n = text.length;
    const format = (flags & F_FORMAT) !== 0;
    const raw = (flags & F_RAW) !== 0;
    const triple = (flags & F_TRIPLE) !== 0;
    const bytes = (flags & F_BYTES) !== 0;
    for (;;) {
      if (i >= n) refuse();
      const c = text.charCodeAt(i);
      if (format && (c === 123 || c === 125)) {
        if (text.charCodeAt(i + 1) === c) {
          t.push(S_ESCAPE_BRACE, i, i + 2);
          i += 2;
          continue;
        }
        if (c === 125) refuse();
        this.pos = i;
        this.interpolation(quote);
        i = this.pos;
        continue;
      }
      if (c === 92 && !raw) {
        const len = this.escapeLength(i, bytes);
        if (len > 0) {
          t.push(S_ESCAPE, i, i + len);
          i += len;
          continue;
        }
        if (len === 0) {
          // not an escape: a lone `\` token, then the text goes on
          t.push(S_BACKSLASH, i, i + 1);
          i++;
          continue;
        }
      }
      // One call of the scanner's content loop from `i`.
      const from = i;
      let hasContent = false;
      let done = false;
      while (!done) {
        if (i >= n) refuse();
        const d = text.charCodeAt(i);
        if (format && (d === 123 || d === 125)) {
          if (!hasContent) refuse();
          t.push(S_TEXT, from, i);
          done = true;
        } else if (d === 92) {
          if (raw) {
            i++;
            const e = text.charCodeAt(i);
            if (e === quote || e === 92) i++;
            if (text.charCodeAt(i) === 13) {
              i++;
              if (text.charCodeAt(i) === 10) i++;
            } else if (text.charCodeAt(i) === 10) i++;
            continue;
          }
          if (bytes) {
            const e = text.charCodeAt(i + 1);
            if (e === 78 || e === 117 || e === 85) {
              i += 2;
              continue;
            }
          }
          if (!hasContent) refuse();
          t.push(S_TEXT, from, i);
          done = true;
        } else if (d === quote) {
          if (triple) {
            if (text.charCodeAt(i + 1) === quote) {
              if (text.charCodeAt(i + 2) === quote) {
                if (hasContent) t.push(S_TEXT, from, i);
                else {
                  i += 3;
                  t.push(S_END, from, i);
                  this.pos = i;
                  return;
                }
              } else {
                i += 2;
                t.push(S_TEXT, from, i);
              }
            } else {
              i += 1;
              t.push(S_TEXT, from, i);
            }
            done = true;
          } else if (hasContent) {
            t.push(S_TEXT, from, i);
            done = true;
          } else {
            i++;
            t.push(S_END, from, i);
            this.pos = i;
            return;
          }
        } else {
          if ((d === 10 || d === 13) && !triple) refuse();
          i++;
          hasContent = true;
        }
      }
    }
  }

  /**
   * The length of the escape sequence at `i` (a backslash) as tree-sitter's lexer matches it; 0 if
   * none matches (a lone backslash token); -2 where the scanner keeps it as text (bytes `\N`, `\u`, `\U`).
   */
  private escapeLength(i: number, bytes: boolean): number {
    const text = this.text;
    const c = text.charCodeAt(i + 1);
    const hexRun = (from: number, k: number): boolean => {
      for (let j = 0; j < k; j++) if (!isHex(text.charCodeAt(from + j))) return false;
      return true;
    };
    if (bytes && (c === 78 || c === 117 || c === 85)) return -2;
    switch (c) {
      case 117: return hexRun(i + 2, 4) ? 6 : 0; // u
      case 85: return hexRun(i + 2, 8) ? 10 : 0; // U
      case 120: return hexRun(i + 2, 2) ? 4 : 0; // x
      case 10: return 2;
      case 13: return text.charCodeAt(i + 2) === 10 ? 3 : 0;
      case 39: case 34: case 97: case 98: case 102: case 114: case 110: case 116: case 118: case 92:
        return 2;
      case 78: { // N{name}
        if (text.charCodeAt(i + 2) !== 123) return 0;
        let j = i + 3;
        while (j < text.length && text.charCodeAt(j) !== 125) j++;
        return j < text.length && j > i + 3 ? j + 1 - i : 0;
      }
      default:
        if (isDigit(c)) {
          let k = 1;
          while (k < 3 && isDigit(text.charCodeAt(i + 1 + k))) k++;
          return 1 + k;
        }
        return 0;
    }
  }

  /** `{...}` inside an f-string (`pos` at the brace), up to its closing brace. */
  private interpolation(quote: number): void {
    const text = this.text;
    const t = this.t;
    if (++this.depth > MAX_DEPTH) refuse();
    const outerDepth = this.depth;
    t.push(I_OPEN, this.pos, this.pos + 1);
    this.pos++;
    let any = false;
    for (;;) {
      if (this.pos >= text.length) refuse();
      const c = text.charCodeAt(this.pos);
      if (c === 32) {
        this.pos++;
        continue;
      }
      // No line breaks, comments, backslashes or the string's own quote loose inside the braces.
      if (c === 10 || c === 13 || c === 35 || c === 92 || c === 9 || c === 12) refuse();
      if (this.depth === outerDepth) {
        if (c === 125) break;
        if (c === 58) {
          if (!any || text.charCodeAt(this.pos + 1) === 61) refuse();
          this.formatSpec(quote);
          if (text.charCodeAt(this.pos) !== 125) refuse();
          break;
        }
        if (c === 33 && text.charCodeAt(this.pos + 1) !== 61) {
          const k = text.charCodeAt(this.pos + 1);
          if (!any || !(k >= 97 && k <= 122)) refuse();
          t.push(I_CONVERSION, this.pos, this.pos + 2);
          this.pos += 2;
          while (text.charCodeAt(this.pos) === 32) this.pos++;
          if (text.charCodeAt(this.pos) === 58) {
            this.formatSpec(quote);
          }
          if (text.charCodeAt(this.pos) !== 125) refuse();
          break;
        }
        if (c === 61 && text.charCodeAt(this.pos + 1) !== 61) {
          if (!any) refuse();
          let q = this.pos + 1;
          while (text.charCodeAt(q) === 32) q++;
          const k = text.charCodeAt(q);
          if (k !== 125 && k !== 33 && k !== 58) refuse();
          t.push(I_EQUALS, this.pos, this.pos + 1);
          this.pos++;
          continue;
        }
      }
      if (c === quote) refuse();
      const before = t.kinds.length;
      this.token(c);
      if (this.depth < outerDepth) refuse();
      if (t.kinds[before] === KW && t.vals[before] === 'lambda' && this.depth === outerDepth) refuse();
      any = true;
    }
    if (!any) refuse();
    t.push(I_CLOSE, this.pos, this.pos + 1);
    this.pos++;
    this.depth--;
  }

  /** A format specifier from its `:` up to (not including) the interpolation's closing brace. */
  private formatSpec(quote: number): void {
    const text = this.text;
    const t = this.t;
    t.push(I_COLON, this.pos, this.pos + 1);
    this.pos++;
    for (;;) {
      const from = this.pos;
      for (;;) {
        if (this.pos >= text.length) refuse();
        const c = text.charCodeAt(this.pos);
        if (c === 123 || c === 125) break;
        if (c === 10 || c === 13 || c === 92 || c === 39 || c === 34 || c === quote) refuse();
        this.pos++;
      }
      if (this.pos > from) t.push(I_TEXT, from, this.pos);
      if (text.charCodeAt(this.pos) === 125) return;
      if (text.charCodeAt(this.pos + 1) === 123) refuse();
      this.interpolation(quote);
    }
  }
}

/** Hidden token kinds: they neither show in the tree nor count for a node's span. */
function hidden(kind: number): boolean {
  return kind === NEWLINE || kind === INDENT || kind === DEDENT || kind === S_TEXT || kind === I_TEXT || kind === EOF;
}

/** Token kinds that start an expression (for deciding whether a trailing comma ends a list). */
function startsExpression(kind: number, val: string): boolean {
  switch (kind) {
    case NAME: case INT: case FLOAT: case S_START:
      return true;
    case KW:
      return val === 'not' || val === 'lambda' || val === 'None' || val === 'True' || val === 'False';
    case OP:
      return val === '(' || val === '[' || val === '{' || val === '-' || val === '+' || val === '~' || val === '*' || val === '...';
    default:
      return false;
  }
}

class Parser {
  private p = 0;
  /** End of the last visible token consumed, and its index. */
  private lastEnd = 0;
  private lastTok = -1;
  private depth = 0;
  private nodes = 0;
  /** Children being collected (each open node's run, innermost last). */
  private readonly buf: PyNode[] = [];
  private readonly kinds: number[];
  private readonly starts: number[];
  private readonly ends: number[];
  private readonly vals: string[];
  private readonly hasConts: boolean;
  private readonly contTaken: boolean[];

  constructor(private readonly text: string, private readonly t: Tokens, private readonly maxNodes: number) {
    this.kinds = t.kinds;
    this.starts = t.starts;
    this.ends = t.ends;
    this.vals = t.vals;
    this.hasConts = t.contSlots.length > 0;
    this.contTaken = t.contSlots.map(() => false);
  }

  // ---- tokens

  private kind(): number {
    return this.kinds[this.p];
  }

  private isOp(v: string): boolean {
    return this.kinds[this.p] === OP && this.vals[this.p] === v;
  }

  private isKw(v: string): boolean {
    return this.kinds[this.p] === KW && this.vals[this.p] === v;
  }

  private next(): number {
    const i = this.p++;
    if (!hidden(this.kinds[i])) {
      this.lastEnd = this.ends[i];
      this.lastTok = i;
    }
    return i;
  }

  private expectOp(v: string): number {
    if (!this.isOp(v)) refuse();
    return this.next();
  }

  private expectKw(v: string): number {
    if (!this.isKw(v)) refuse();
    return this.next();
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) refuse();
  }

  // ---- nodes

  private mark(): number {
    return this.buf.length;
  }

  private add(n: PyNode, field: string | null = null): void {
    if (field !== null) n.field = field;
    this.buf.push(n);
  }

  /** A node of the children collected since `mark`, spanning from token `first` to the last visible token consumed. */
  private finish(type: string, mark: number, first: number): PyNode {
    const buf = this.buf;
    const children = buf.length > mark ? buf.slice(mark) : NO_CHILDREN;
    buf.length = mark;
    // A node spans its children: a last child (a block) can end after the last token (at a comment).
    let end = this.lastEnd;
    if (children.length > 0 && children[children.length - 1].end > end) end = children[children.length - 1].end;
    return this.node(type, true, this.starts[first], end, children, first);
  }

  private node(type: string, named: boolean, start: number, end: number, children: PyNode[], first: number): PyNode {
    if (++this.nodes > this.maxNodes) refuse();
    const n = makeNode(type, named, null, start, end, children);
    if (this.hasConts) this.claimContinuations(n, first);
    return n;
  }

  /** A leaf for token `i` (consumed). */
  private leaf(type: string, i: number, named = true): PyNode {
    if (++this.nodes > this.maxNodes) refuse();
    return makeNode(type, named, null, this.starts[i], this.ends[i], NO_CHILDREN);
  }

  /** Consumes one token as a leaf. */
  private take(type: string, named = true): PyNode {
    return this.leaf(type, this.next(), named);
  }

  /**
   * Line continuations between this node's first and last token that no child took become its
   * children (tree-sitter attaches an extra to the innermost node around it).
   */
  private claimContinuations(n: PyNode, first: number): void {
    const t = this.t;
    const slots = t.contSlots;
    const last = this.p - 1;
    // the first continuation after token `first` (slots ascend)
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (slots[mid] <= first) lo = mid + 1;
      else hi = mid;
    }
    let added: PyNode[] | undefined;
    for (let k = lo; k < slots.length && slots[k] <= last; k++) {
      if (this.contTaken[k]) continue;
      this.contTaken[k] = true;
      (added ??= []).push(makeNode('line_continuation', true, null, t.contStarts[k], t.contEnds[k], NO_CHILDREN));
    }
    if (!added) return;
    const all = [...n.children, ...added].sort((a, b) => a.start - b.start);
    n.children = all;
    if (all[0].start < n.start) n.start = all[0].start;
    if (all[all.length - 1].end > n.end) n.end = all[all.length - 1].end;
  }

  /** The end of the last comment with a slot in (after, upTo], or -1. */
  private commentEndBetween(after: number, upTo: number): number {
    const slots = this.t.commentSlots;
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (slots[mid] <= upTo) lo = mid + 1;
      else hi = mid;
    }
    const k = lo - 1;
    return k >= 0 && slots[k] > after ? this.t.commentEnds[k] : -1;
  }

  // ---- module and statements

  parseModule(): PyNode {
    const m = this.mark();
    while (this.kind() !== EOF) this.statement();
    const children = this.buf.slice(m);
    this.buf.length = m;
    // toAst: the module starts where tree-sitter's does (its first token or comment) and ends with its last child (a comment too).
    const t = this.t;
    const nc = t.commentStarts.length;
    let start = t.kinds.length > 1 ? t.starts[0] : this.text.length;
    if (nc > 0 && t.commentStarts[0] < start) start = t.commentStarts[0];
    // (a last `;` counts too)
    let end = children.length > 0 ? Math.max(children[children.length - 1].end, this.lastEnd) : -1;
    if (nc > 0 && t.commentEnds[nc - 1] > end) end = t.commentEnds[nc - 1];
    if (end < 0) start = end = this.text.length;
    return makeNode('module', true, null, start, end, children.length > 0 ? children : NO_CHILDREN);
  }

  /** One statement (or a line of simple statements), added to the open children. */
  private statement(): void {
    const k = this.kind();
    if (k === KW) {
      switch (this.vals[this.p]) {
        case 'if': this.add(this.ifStatement()); return;
        case 'for': this.add(this.forStatement()); return;
        case 'while': this.add(this.whileStatement()); return;
        case 'try': this.add(this.tryStatement()); return;
        case 'with': this.add(this.withStatement()); return;
        case 'def': this.add(this.functionDefinition()); return;
        case 'class': this.add(this.classDefinition()); return;
        default: break;
      }
    } else if (k === OP && this.vals[this.p] === '@') {
      this.add(this.decorated());
      return;
    }
    this.simpleStatements();
  }

  /** Simple statements separated by `;` up to the NEWLINE (consumed). */
  private simpleStatements(): void {
    for (;;) {
      this.add(this.simpleStatement());
      if (this.isOp(';')) {
        this.next();
        if (this.kind() === NEWLINE) break;
        continue;
      }
      break;
    }
    if (this.kind() !== NEWLINE) refuse();
    this.next();
  }

  private atSimpleEnd(): boolean {
    return this.kind() === NEWLINE || this.isOp(';');
  }

  private simpleStatement(): PyNode {
    const first = this.p;
    const k = this.kind();
    if (k === KW) {
      const v = this.vals[first];
      switch (v) {
        case 'pass': case 'break': case 'continue': {
          this.next();
          return this.node(`${v}_statement`, true, this.starts[first], this.lastEnd, NO_CHILDREN, first);
        }
        case 'return': {
          const m = this.mark();
          this.next();
          if (!this.atSimpleEnd()) this.add(this.expressions());
          return this.finish('return_statement', m, first);
        }
        case 'del': {
          const m = this.mark();
          this.next();
          this.add(this.expressions());
          return this.finish('delete_statement', m, first);
        }
        case 'raise': {
          const m = this.mark();
          this.next();
          if (!this.atSimpleEnd() && !this.isKw('from')) this.add(this.expressions());
          if (this.isKw('from')) {
            this.next();
            this.add(this.expression(), 'cause');
          }
          return this.finish('raise_statement', m, first);
        }
        case 'global': case 'nonlocal': {
          const m = this.mark();
          this.next();
          for (;;) {
            if (this.kind() !== NAME) refuse();
            this.add(this.take('identifier'));
            if (!this.isOp(',')) break;
            this.next();
          }
          return this.finish(`${v}_statement`, m, first);
        }
        case 'assert': {
          const m = this.mark();
          this.next();
          for (;;) {
            this.add(this.expression());
            if (!this.isOp(',')) break;
            this.next();
          }
          return this.finish('assert_statement', m, first);
        }
        case 'import': return this.importStatement();
        case 'from': return this.importFrom();
        default: break;
      }
    } else if (k === NAME) {
      // `print x`, `exec code`, `match x:`, `type X = ...`: statements of their own in tree-sitter.
      const len = this.ends[first] - this.starts[first];
      if (len === 4 || len === 5) {
        const word = this.text.slice(this.starts[first], this.ends[first]);
        if (word === 'print' || word === 'exec' || word === 'type' || word === 'match') {
          const nk = this.kinds[first + 1];
          const nv = this.vals[first + 1];
          const ok = nk === OP && (nv === '=' || nv === '.' || (nv === '(' && word !== 'match'));
          if (!ok) refuse();
        }
      }
    }
    return this.expressionStatement();
  }

  private expressionStatement(): PyNode {
    const first = this.p;
    const m = this.mark();
    if (this.isKw('yield')) {
      this.add(this.yieldExpression());
      return this.finish('expression_statement', m, first);
    }
    const items = this.mark();
    this.add(this.starOrExpression());
    let comma = false;
    while (this.isOp(',')) {
      comma = true;
      this.next();
      if (!startsExpression(this.kind(), this.vals[this.p])) break;
      this.add(this.starOrExpression());
    }
    if (this.isOp('=') || this.isOp(':') || (this.kind() === OP && AUGMENTED.has(this.vals[this.p]))) {
      const left = comma ? this.listNode('pattern_list', items, first, true) : this.pattern(this.pop());
      const am = this.mark();
      this.add(left, 'left');
      const op = this.vals[this.p];
      if (op === '=') {
        this.next();
        this.add(this.rightHandSide(), 'right');
      } else if (op === ':') {
        if (comma) refuse();
        this.next();
        this.add(this.type(), 'type');
        if (this.isOp('=')) {
          this.next();
          this.add(this.rightHandSide(), 'right');
        }
      } else {
        if (comma) refuse();
        this.add(this.take(op, false), 'operator');
        this.add(this.rightHandSide(), 'right');
        return this.wrapStatement(this.finish('augmented_assignment', am, first), m, first);
      }
      return this.wrapStatement(this.finish('assignment', am, first), m, first);
    }
    // `a, b` as a statement: the expressions are the statement's own children.
    if (!comma && this.buf[this.buf.length - 1].type === 'list_splat') refuse();
    return this.finish('expression_statement', m, first);
  }

  private wrapStatement(inner: PyNode, m: number, first: number): PyNode {
    this.add(inner);
    return this.finish('expression_statement', m, first);
  }

  private pop(): PyNode {
    return this.buf.pop()!;
  }

  /** Collected items (since `items`) as one list node; `asPattern`: each item converted to a pattern. */
  private listNode(type: string, items: number, first: number, asPattern: boolean): PyNode {
    if (asPattern) for (let i = items; i < this.buf.length; i++) this.buf[i] = this.pattern(this.buf[i]);
    return this.finish(type, items, first);
  }

  /** The right of `=`: an expression, a list, a yield, or another assignment. */
  private rightHandSide(): PyNode {
    if (this.isKw('yield')) return this.yieldExpression();
    const first = this.p;
    const items = this.mark();
    this.add(this.starOrExpression());
    let comma = false;
    while (this.isOp(',')) {
      comma = true;
      this.next();
      if (!startsExpression(this.kind(), this.vals[this.p])) break;
      this.add(this.starOrExpression());
    }
    if (this.isOp('=')) {
      if (comma) refuse();
      const left = this.pattern(this.pop());
      const am = this.mark();
      this.add(left, 'left');
      this.next();
      this.add(this.rightHandSide(), 'right');
      return this.finish('assignment', am, first);
    }
    if (this.kind() === OP && (AUGMENTED.has(this.vals[this.p]) || this.vals[this.p] === ':')) refuse();
    if (comma) return this.finish('expression_list', items, first);
    const e = this.pop();
    if (e.type === 'list_splat') refuse();
    return e;
  }

  /** An expression, or `*target` (tree-sitter's list_splat_pattern read as a primary expression). */
  private starOrExpression(): PyNode {
    if (this.isOp('*')) {
      const first = this.p;
      const m = this.mark();
      this.next();
      // only a name: tree-sitter reads `*a.b, c = d` as (*a).b (see element)
      const target = this.binary(14);
      if (target.type !== 'identifier') refuse();
      this.add(target);
      if (!this.isOp(',') && !this.isOp('=') && !this.atSimpleEnd() && !this.isOp(')') && !this.isOp(':') && !this.isKw('in')) refuse();
      return this.finish('list_splat', m, first);
    }
    return this.expression();
  }

  /** `expression` or `expression, ...` (return, del, for's right side). */
  private expressions(): PyNode {
    const first = this.p;
    const items = this.mark();
    this.add(this.starOrExpression());
    let comma = false;
    while (this.isOp(',')) {
      comma = true;
      this.next();
      if (!startsExpression(this.kind(), this.vals[this.p])) break;
      this.add(this.starOrExpression());
    }
    if (comma) return this.finish('expression_list', items, first);
    const e = this.pop();
    if (e.type === 'list_splat') refuse();
    return e;
  }

  /** An expression as the target of `=`, `for` or `as`: tree-sitter's pattern nodes. */
  private pattern(n: PyNode): PyNode {
    switch (n.type) {
      case 'identifier':
      case 'attribute':
      case 'subscript':
        return n;
      case 'parenthesized_expression':
      case 'tuple':
      case 'list':
      case 'expression_list': {
        if (n.children.length === 0) refuse();
        const kids = n.children.map((c) => this.pattern(c));
        for (let i = 0; i < kids.length; i++) kids[i].field = null;
        return makeNode(n.type === 'tuple' || n.type === 'parenthesized_expression' ? 'tuple_pattern' : n.type === 'list' ? 'list_pattern' : 'pattern_list', true, n.field, n.start, n.end, kids);
      }
      case 'list_splat': {
        const inner = n.children[0];
        if (n.children.length !== 1 || (inner.type !== 'identifier' && inner.type !== 'attribute' && inner.type !== 'subscript')) refuse();
        return makeNode('list_splat_pattern', true, n.field, n.start, n.end, n.children);
      }
      default:
        return refuse();
    }
  }

  private importStatement(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    this.importList(false);
    return this.finish('import_statement', m, first);
  }

  /** `name, name as alias, ...` with an optional trailing comma (inside parentheses when `paren`). */
  private importList(paren: boolean): void {
    for (;;) {
      const first = this.p;
      const name = this.dottedName();
      if (this.isKw('as')) {
        const m = this.mark();
        this.add(name, 'name');
        this.next();
        if (this.kind() !== NAME) refuse();
        this.add(this.take('identifier'), 'alias');
        this.add(this.finish('aliased_import', m, first), 'name');
      } else this.add(name, 'name');
      if (!this.isOp(',')) break;
      this.next();
      if (paren ? this.isOp(')') : this.atSimpleEnd()) break;
    }
  }

  private dottedName(): PyNode {
    const first = this.p;
    const m = this.mark();
    for (;;) {
      if (this.kind() !== NAME) refuse();
      this.add(this.take('identifier'));
      if (!this.isOp('.')) break;
      this.next();
    }
    return this.finish('dotted_name', m, first);
  }

  private importFrom(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    let type = 'import_from_statement';
    if (this.kind() === NAME && this.text.slice(this.starts[this.p], this.ends[this.p]) === '__future__' && this.kinds[this.p + 1] === KW && this.vals[this.p + 1] === 'import') {
      this.next();
      type = 'future_import_statement';
    } else if (this.isOp('.')) {
      const rf = this.p;
      const rm = this.mark();
      const pm = this.mark();
      while (this.isOp('.')) this.next();
      const prefix = this.finish('import_prefix', pm, rf);
      this.add(prefix);
      if (this.kind() === NAME) this.add(this.dottedName());
      this.add(this.finish('relative_import', rm, rf), 'module_name');
    } else this.add(this.dottedName(), 'module_name');
    this.expectKw('import');
    if (this.isOp('*')) {
      if (type !== 'import_from_statement') refuse();
      // a named node whose anonymous `*` child the copy drops
      this.add(this.take('wildcard_import'));
    } else if (this.isOp('(')) {
      this.next();
      this.importList(true);
      this.expectOp(')');
    } else this.importList(false);
    return this.finish(type, m, first);
  }

  // ---- compound statements

  /** The block after a `:`: an indented block or the rest of the line. */
  private suite(): PyNode {
    const m = this.mark();
    if (this.kind() === INDENT) {
      this.next();
      const first = this.p;
      while (this.kind() !== DEDENT) {
        if (this.kind() === EOF) refuse();
        this.statement();
      }
      const lastVisible = this.lastTok;
      const dedent = this.next();
      const block = this.finish('block', m, first);
      const c = this.commentEndBetween(lastVisible, dedent);
      if (c > block.end) block.end = c;
      return block;
    }
    const first = this.p;
    if (this.kind() === NEWLINE) {
      const nl = this.next();
      return this.node('block', true, this.starts[nl], this.ends[nl], NO_CHILDREN, first);
    }
    this.enter();
    this.simpleStatementsInto();
    this.depth--;
    const nl = this.p - 1;
    const lastVisible = this.lastTok;
    const block = this.finish('block', m, first);
    const c = this.commentEndBetween(lastVisible, nl);
    if (c > block.end) block.end = c;
    return block;
  }

  private simpleStatementsInto(): void {
    for (;;) {
      const k = this.kind();
      if (k === KW) {
        const v = this.vals[this.p];
        if (v === 'if' || v === 'for' || v === 'while' || v === 'try' || v === 'with' || v === 'def' || v === 'class') refuse();
      }
      if (this.isOp('@')) refuse();
      this.add(this.simpleStatement());
      if (this.isOp(';')) {
        this.next();
        if (this.kind() === NEWLINE) break;
        continue;
      }
      break;
    }
    if (this.kind() !== NEWLINE) refuse();
    this.next();
  }

  private block(field: string | null): void {
    this.expectOp(':');
    this.enter();
    this.add(this.suite(), field);
    this.depth--;
  }

  private ifStatement(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    this.add(this.expression(), 'condition');
    this.block('consequence');
    while (this.isKw('elif')) {
      const ef = this.p;
      const em = this.mark();
      this.next();
      this.add(this.expression(), 'condition');
      this.block('consequence');
      this.add(this.finish('elif_clause', em, ef), 'alternative');
    }
    if (this.isKw('else')) this.add(this.elseClause(), 'alternative');
    return this.finish('if_statement', m, first);
  }

  private elseClause(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    this.block('body');
    return this.finish('else_clause', m, first);
  }

  private forStatement(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    this.add(this.targets(), 'left');
    this.expectKw('in');
    this.add(this.expressions(), 'right');
    this.block('body');
    if (this.isKw('else')) this.add(this.elseClause(), 'alternative');
    return this.finish('for_statement', m, first);
  }

  /** The target of a `for`: a pattern or a pattern list (read up to `in`). */
  private targets(): PyNode {
    const first = this.p;
    const items = this.mark();
    let comma = false;
    for (;;) {
      if (this.isOp('*')) {
        const sf = this.p;
        const sm = this.mark();
        this.next();
        const target = this.binary(14);
        if (target.type !== 'identifier') refuse();
        this.add(target);
        this.add(this.finish('list_splat', sm, sf));
      } else this.add(this.binary(14));
      if (!this.isOp(',')) break;
      comma = true;
      this.next();
      if (this.isKw('in')) break;
    }
    if (comma) return this.listNode('pattern_list', items, first, true);
    return this.pattern(this.pop());
  }

  private whileStatement(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    this.add(this.expression(), 'condition');
    this.block('body');
    if (this.isKw('else')) this.add(this.elseClause(), 'alternative');
    return this.finish('while_statement', m, first);
  }

  private tryStatement(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    this.block('body');
    let clauses = 0;
    while (this.isKw('except')) {
      const ef = this.p;
      const em = this.mark();
      this.next();
      if (this.isOp('*')) refuse();
      if (!this.isOp(':')) {
        const e = this.expression();
        if (this.isKw('as')) this.add(this.asPattern(e, ef + 1), 'value');
        else {
          if (this.isOp(',')) refuse();
          this.add(e, 'value');
        }
      }
      this.block(null);
      this.add(this.finish('except_clause', em, ef));
      clauses++;
    }
    if (this.isKw('else')) {
      if (clauses === 0) refuse();
      this.add(this.elseClause());
    }
    if (this.isKw('finally')) {
      const ff = this.p;
      const fm = this.mark();
      this.next();
      this.block(null);
      this.add(this.finish('finally_clause', fm, ff));
      clauses++;
    }
    if (clauses === 0) refuse();
    return this.finish('try_statement', m, first);
  }

  /** `e as target` (the `as` is next; `first`: e's first token). */
  private asPattern(e: PyNode, first: number): PyNode {
    // `as` binds tighter than a conditional or a lambda (it would go inside them).
    if (e.type === 'conditional_expression' || e.type === 'lambda' || e.type === 'named_expression') refuse();
    const m = this.mark();
    this.add(e);
    this.next();
    const tf = this.p;
    const tm = this.mark();
    this.add(this.expression());
    this.add(this.finish('as_pattern_target', tm, tf), 'alias');
    return this.finish('as_pattern', m, first);
  }

  private withStatement(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    if (this.isOp('(')) refuse();
    const cf = this.p;
    const cm = this.mark();
    for (;;) {
      const wf = this.p;
      const wm = this.mark();
      const e = this.expression();
      this.add(this.isKw('as') ? this.asPattern(e, wf) : e, 'value');
      this.add(this.finish('with_item', wm, wf));
      if (!this.isOp(',')) break;
      this.next();
    }
    this.add(this.finish('with_clause', cm, cf));
    this.block('body');
    return this.finish('with_statement', m, first);
  }

  private functionDefinition(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    if (this.kind() !== NAME) refuse();
    this.add(this.take('identifier'), 'name');
    const pf = this.p;
    const pm = this.mark();
    this.expectOp('(');
    this.parameters(false, ')');
    this.expectOp(')');
    this.add(this.finish('parameters', pm, pf), 'parameters');
    if (this.isOp('->')) {
      this.next();
      this.add(this.type(), 'return_type');
    }
    this.block('body');
    return this.finish('function_definition', m, first);
  }

  /** Parameters up to `end` (`)` for def, `:` for lambda). */
  private parameters(lambda: boolean, end: string): void {
    while (!this.isOp(end)) {
      const first = this.p;
      const m = this.mark();
      if (this.isOp('*') || this.isOp('**')) {
        const star = this.vals[this.p];
        this.next();
        if (star === '*' && (this.isOp(',') || this.isOp(end))) {
          this.add(this.finish('keyword_separator', m, first));
        } else {
          if (this.kind() !== NAME) refuse();
          this.add(this.take('identifier'));
          const splat = this.finish(star === '*' ? 'list_splat_pattern' : 'dictionary_splat_pattern', m, first);
          if (!lambda && this.isOp(':')) {
            const tm = this.mark();
            this.add(splat);
            this.next();
            this.add(this.type(), 'type');
            this.add(this.finish('typed_parameter', tm, first));
          } else this.add(splat);
        }
      } else if (this.isOp('/')) {
        this.next();
        this.add(this.finish('positional_separator', m, first));
      } else {
        if (this.kind() !== NAME) refuse();
        const name = this.take('identifier');
        if (!lambda && this.isOp(':')) {
          this.next();
          const type = this.type();
          if (this.isOp('=')) {
            this.add(name, 'name');
            this.add(type, 'type');
            this.next();
            this.add(this.expression(), 'value');
            this.add(this.finish('typed_default_parameter', m, first));
          } else {
            this.add(name);
            this.add(type, 'type');
            this.add(this.finish('typed_parameter', m, first));
          }
        } else if (this.isOp('=')) {
          this.add(name, 'name');
          this.next();
          this.add(this.expression(), 'value');
          this.add(this.finish('default_parameter', m, first));
        } else this.add(name);
      }
      if (!this.isOp(',')) break;
      this.next();
    }
  }

  private classDefinition(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    if (this.kind() !== NAME) refuse();
    this.add(this.take('identifier'), 'name');
    if (this.isOp('(')) this.add(this.argumentList(), 'superclasses');
    this.block('body');
    return this.finish('class_definition', m, first);
  }

  private decorated(): PyNode {
    const first = this.p;
    const m = this.mark();
    while (this.isOp('@')) {
      const df = this.p;
      const dm = this.mark();
      this.next();
      this.add(this.expression());
      const lastVisible = this.lastTok;
      if (this.kind() !== NEWLINE) refuse();
      const nl = this.next();
      const d = this.finish('decorator', dm, df);
      const c = this.commentEndBetween(lastVisible, nl);
      if (c > d.end) d.end = c;
      this.add(d);
    }
    if (this.isKw('def')) this.add(this.functionDefinition(), 'definition');
    else if (this.isKw('class')) this.add(this.classDefinition(), 'definition');
    else refuse();
    return this.finish('decorated_definition', m, first);
  }

  // ---- expressions

  /**
   * tree-sitter's `type`: an expression, or `Name[...]` (generic_type); a generic type followed by
   * `|` makes union_types (left to right) as long as generic types follow, then an expression.
   */
  private type(): PyNode {
    this.enter();
    const first = this.p;
    if (!this.atGeneric()) {
      const m = this.mark();
      this.add(this.expression());
      this.depth--;
      return this.finish('type', m, first);
    }
    let type = this.wrapType(this.genericType(), first);
    while (this.isOp('|')) {
      const m = this.mark();
      this.add(type);
      this.next();
      const rf = this.p;
      if (this.atGeneric()) this.add(this.wrapType(this.genericType(), rf));
      else {
        const rm = this.mark();
        this.add(this.expression());
        this.add(this.finish('type', rm, rf));
      }
      type = this.wrapType(this.finish('union_type', m, first), first);
    }
    const k = this.kind();
    const v = this.vals[this.p];
    if (!(k === NEWLINE || (k === OP && (v === ',' || v === ')' || v === '=' || v === ':' || v === ']' || v === ';')))) refuse();
    this.depth--;
    return type;
  }

  private atGeneric(): boolean {
    return this.kind() === NAME && this.kinds[this.p + 1] === OP && this.vals[this.p + 1] === '[';
  }

  /** A `type` node around `inner` (whose first token is `first`). */
  private wrapType(inner: PyNode, first: number): PyNode {
    const m = this.mark();
    this.add(inner);
    return this.finish('type', m, first);
  }

  /** `Name[type, ...]`. */
  private genericType(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.add(this.take('identifier'));
    const tf = this.p;
    const tm = this.mark();
    this.next();
    for (;;) {
      this.add(this.type());
      if (!this.isOp(',')) break;
      this.next();
      if (this.isOp(']')) break;
    }
    this.expectOp(']');
    this.add(this.finish('type_parameter', tm, tf));
    return this.finish('generic_type', m, first);
  }

  /** tree-sitter's `expression`: lambda, walrus, conditional, or/and/not, comparisons, primaries. */
  private expression(): PyNode {
    this.enter();
    const first = this.p;
    let e: PyNode;
    if (this.isKw('lambda')) e = this.lambda();
    else if (this.kind() === NAME && this.kinds[this.p + 1] === OP && this.vals[this.p + 1] === ':=') {
      const m = this.mark();
      this.add(this.take('identifier'), 'name');
      this.next();
      this.add(this.expression(), 'value');
      e = this.finish('named_expression', m, first);
    } else {
      e = this.or();
      if (this.isKw('if')) {
        const m = this.mark();
        this.add(e);
        this.next();
        this.add(this.or());
        this.expectKw('else');
        this.add(this.expression());
        e = this.finish('conditional_expression', m, first);
      }
    }
    this.depth--;
    return e;
  }

  private lambda(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    if (!this.isOp(':')) {
      const pf = this.p;
      const pm = this.mark();
      this.parameters(true, ':');
      this.add(this.finish('lambda_parameters', pm, pf), 'parameters');
    }
    this.expectOp(':');
    this.add(this.expression(), 'body');
    return this.finish('lambda', m, first);
  }

  private or(): PyNode {
    const first = this.p;
    let left = this.and();
    while (this.isKw('or')) left = this.booleanRest(left, first, () => this.and());
    return left;
  }

  private and(): PyNode {
    const first = this.p;
    let left = this.not();
    while (this.isKw('and')) left = this.booleanRest(left, first, () => this.not());
    return left;
  }

  private booleanRest(left: PyNode, first: number, right: () => PyNode): PyNode {
    const m = this.mark();
    this.add(left, 'left');
    this.add(this.take(this.vals[this.p], false), 'operator');
    this.add(right(), 'right');
    return this.finish('boolean_operator', m, first);
  }

  private not(): PyNode {
    if (this.isKw('not')) {
      this.enter();
      const first = this.p;
      const m = this.mark();
      this.next();
      this.add(this.not(), 'argument');
      this.depth--;
      return this.finish('not_operator', m, first);
    }
    return this.comparison();
  }

  private comparison(): PyNode {
    const first = this.p;
    const left = this.binary(14);
    const k = this.kind();
    if (!((k === OP || k === KW) && COMPARISONS.has(this.vals[this.p]))) return left;
    const m = this.mark();
    this.add(left);
    for (;;) {
      const k2 = this.kind();
      const v = this.vals[this.p];
      if (!((k2 === OP || k2 === KW) && COMPARISONS.has(v))) break;
      const opStart = this.starts[this.p];
      let type = v;
      if (v === 'not') {
        this.next();
        if (!this.isKw('in')) refuse();
        this.checkAdjacentWords();
        type = 'not in';
      } else if (v === 'is' && this.kinds[this.p + 1] === KW && this.vals[this.p + 1] === 'not') {
        this.next();
        this.checkAdjacentWords();
        type = 'is not';
      }
      this.next();
      if (++this.nodes > this.maxNodes) refuse();
      this.add(makeNode(type, false, null, opStart, this.lastEnd, NO_CHILDREN), 'operators');
      this.add(this.binary(14));
    }
    return this.finish('comparison_operator', m, first);
  }

  /** `not in` / `is not`: only with plain spaces between (no comment or continuation inside the token pair). */
  private checkAdjacentWords(): void {
    const gap = this.text.slice(this.ends[this.p - 1], this.starts[this.p]);
    if (!/^[ \t]+$/.test(gap)) refuse();
  }

  /** Binary operators on primary expressions, precedence climbing from `min`. */
  private binary(min: number): PyNode {
    this.enter();
    const first = this.p;
    let left = this.unary();
    for (;;) {
      if (this.kind() !== OP) break;
      const op = this.vals[this.p];
      const prec = BINARY[op];
      if (prec === undefined || prec < min) break;
      const m = this.mark();
      this.add(left, 'left');
      this.add(this.take(op, false), 'operator');
      this.add(this.binary(op === '**' ? prec : prec + 1), 'right');
      left = this.finish('binary_operator', m, first);
    }
    this.depth--;
    return left;
  }

  private unary(): PyNode {
    if (this.kind() === OP) {
      const v = this.vals[this.p];
      if (v === '-' || v === '+' || v === '~') {
        this.enter();
        const first = this.p;
        const m = this.mark();
        this.add(this.take(v, false), 'operator');
        this.add(this.binary(21), 'argument');
        this.depth--;
        return this.finish('unary_operator', m, first);
      }
    }
    return this.postfix();
  }

  private postfix(): PyNode {
    const first = this.p;
    let e = this.atom();
    for (;;) {
      if (this.kind() !== OP) break;
      const v = this.vals[this.p];
      if (v === '.') {
        const m = this.mark();
        this.add(e, 'object');
        this.next();
        if (this.kind() !== NAME) refuse();
        this.add(this.take('identifier'), 'attribute');
        e = this.finish('attribute', m, first);
      } else if (v === '(') {
        const m = this.mark();
        this.add(e, 'function');
        this.add(this.argumentList(), 'arguments');
        e = this.finish('call', m, first);
      } else if (v === '[') {
        const m = this.mark();
        this.add(e, 'value');
        this.subscriptItems();
        e = this.finish('subscript', m, first);
      } else break;
    }
    return e;
  }

  /** `(args)` of a call or class: an argument_list, or a generator_expression for `f(x for x in y)`. */
  private argumentList(): PyNode {
    this.enter();
    const first = this.p;
    const m = this.mark();
    this.next();
    let count = 0;
    while (!this.isOp(')')) {
      const af = this.p;
      if (this.isOp('*')) this.add(this.element(true));
      else if (this.isOp('**')) {
        const sm = this.mark();
        this.next();
        this.add(this.expression());
        this.add(this.finish('dictionary_splat', sm, af));
      } else if (this.kind() === NAME && this.kinds[this.p + 1] === OP && this.vals[this.p + 1] === '=') {
        const km = this.mark();
        this.add(this.take('identifier'), 'name');
        this.next();
        this.add(this.expression(), 'value');
        this.add(this.finish('keyword_argument', km, af));
      } else {
        const e = this.expression();
        if (this.isKw('for')) {
          if (count !== 0) refuse();
          const gm = this.mark();
          this.add(e, 'body');
          this.comprehensionClauses();
          this.expectOp(')');
          const gen = this.finish('generator_expression', gm, first);
          this.buf.length = m;
          this.depth--;
          return gen;
        }
        this.add(e);
      }
      count++;
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(')');
    this.depth--;
    return this.finish('argument_list', m, first);
  }

  /** `[items]` of a subscript: expressions and slices, fields `subscript`. */
  private subscriptItems(): void {
    this.enter();
    this.next();
    for (;;) {
      if (this.isOp('*')) refuse();
      const sf = this.p;
      let e: PyNode | undefined;
      if (!this.isOp(':')) e = this.expression();
      if (this.isOp(':')) {
        const sm = this.mark();
        if (e) this.add(e);
        this.add(this.take(':', false));
        if (!this.isOp(':') && !this.isOp(',') && !this.isOp(']')) this.add(this.expression());
        if (this.isOp(':')) {
          this.add(this.take(':', false));
          if (!this.isOp(',') && !this.isOp(']')) this.add(this.expression());
        }
        e = this.finish('slice', sm, sf);
      }
      this.add(e!, 'subscript');
      if (!this.isOp(',')) break;
      this.next();
      if (this.isOp(']')) break;
    }
    this.expectOp(']');
    this.depth--;
  }

  /** for/if clauses of a comprehension, added to the open children. */
  private comprehensionClauses(): void {
    if (!this.isKw('for')) refuse();
    for (;;) {
      const first = this.p;
      const m = this.mark();
      if (this.isKw('for')) {
        this.next();
        this.add(this.targets(), 'left');
        this.expectKw('in');
        if (this.isKw('lambda')) refuse();
        this.add(this.or(), 'right');
        if (this.isOp(',') || this.isKw('else')) refuse();
        this.add(this.finish('for_in_clause', m, first));
      } else if (this.isKw('if')) {
        this.next();
        if (this.isKw('lambda')) refuse();
        this.add(this.or());
        if (this.isKw('else')) refuse();
        this.add(this.finish('if_clause', m, first));
      } else break;
    }
  }

  private atom(): PyNode {
    const k = this.kind();
    switch (k) {
      case NAME:
        return this.take('identifier');
      case INT:
        return this.take('integer');
      case FLOAT:
        return this.take('float');
      case S_START:
        return this.strings();
      case KW: {
        const v = this.vals[this.p];
        if (v === 'True') return this.take('true');
        if (v === 'False') return this.take('false');
        if (v === 'None') return this.take('none');
        return refuse();
      }
      case OP: {
        const v = this.vals[this.p];
        if (v === '(') return this.parenthesized();
        if (v === '[') return this.bracketed();
        if (v === '{') return this.braced();
        if (v === '...') return this.take('ellipsis');
        return refuse();
      }
      default:
        return refuse();
    }
  }

  /**
   * An element of a list, tuple, set or argument list: an expression or `*expression`. tree-sitter
   * reads `*a.b` (and `*a.b()`) either as `*` of the whole or as `*a` then `.b` (a splat pattern
   * as a primary expression), depending on the context: in argument lists and parenthesized tuples
   * a name, attribute or subscript after `*` is read whole in every case seen; elsewhere only a name
   * is certain (`chain` false).
   */
  private element(chain: boolean): PyNode {
    if (this.isOp('*')) {
      const first = this.p;
      const m = this.mark();
      this.next();
      const e = this.expression();
      if (e.type !== 'identifier' && (!chain || (e.type !== 'attribute' && e.type !== 'subscript'))) refuse();
      this.add(e);
      return this.finish('list_splat', m, first);
    }
    return this.expression();
  }

  private parenthesized(): PyNode {
    this.enter();
    const first = this.p;
    const m = this.mark();
    this.next();
    let type: string;
    if (this.isOp(')')) type = 'tuple';
    else if (this.isKw('yield')) {
      this.add(this.yieldExpression());
      type = 'parenthesized_expression';
    } else {
      const e = this.element(true);
      this.add(e);
      if (this.isKw('for')) {
        if (e.type === 'list_splat') refuse();
        e.field = 'body';
        this.comprehensionClauses();
        type = 'generator_expression';
      } else if (this.isOp(',')) {
        type = 'tuple';
        this.collectionRest(')', true);
      } else {
        if (e.type === 'list_splat') refuse();
        type = 'parenthesized_expression';
      }
    }
    this.expectOp(')');
    this.depth--;
    return this.finish(type, m, first);
  }

  /** `, element, ...` up to `close` (not consumed), with an optional trailing comma. */
  private collectionRest(close: string, chain: boolean): void {
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(close)) break;
      if (this.isKw('yield')) refuse();
      this.add(this.element(chain));
    }
  }

  private bracketed(): PyNode {
    this.enter();
    const first = this.p;
    const m = this.mark();
    this.next();
    let type = 'list';
    if (!this.isOp(']')) {
      const e = this.element(false);
      this.add(e);
      if (this.isKw('for')) {
        if (e.type === 'list_splat') refuse();
        e.field = 'body';
        this.comprehensionClauses();
        type = 'list_comprehension';
      } else this.collectionRest(']', false);
    }
    this.expectOp(']');
    this.depth--;
    return this.finish(type, m, first);
  }

  private braced(): PyNode {
    this.enter();
    const first = this.p;
    const m = this.mark();
    this.next();
    let type = 'dictionary';
    if (!this.isOp('}')) {
      if (this.isOp('*')) {
        type = 'set';
        this.add(this.element(false));
        this.collectionRest('}', false);
      } else {
        const entry = (): PyNode => {
          const ef = this.p;
          if (this.isOp('**')) {
            const sm = this.mark();
            this.next();
            this.add(this.expression());
            return this.finish('dictionary_splat', sm, ef);
          }
          const pm = this.mark();
          this.add(this.expression(), 'key');
          this.expectOp(':');
          this.add(this.expression(), 'value');
          return this.finish('pair', pm, ef);
        };
        const isPair = this.isOp('**') || this.startsPair();
        if (isPair) {
          const e = entry();
          this.add(e);
          if (this.isKw('for')) {
            if (e.type !== 'pair') refuse();
            e.field = 'body';
            this.comprehensionClauses();
            type = 'dictionary_comprehension';
          } else {
            while (this.isOp(',')) {
              this.next();
              if (this.isOp('}')) break;
              this.add(entry());
            }
          }
        } else {
          const e = this.expression();
          this.add(e);
          if (this.isKw('for')) {
            e.field = 'body';
            this.comprehensionClauses();
            type = 'set_comprehension';
          } else {
            type = 'set';
            this.collectionRest('}', false);
          }
        }
      }
    }
    this.expectOp('}');
    this.depth--;
    return this.finish(type, m, first);
  }

  /** Whether the `{` just read opens a dictionary: its first expression is followed by `:` (scanned without parsing). */
  private startsPair(): boolean {
    let depth = 0;
    for (let i = this.p; ; i++) {
      const k = this.kinds[i];
      if (k === EOF) return false;
      if (k !== OP) {
        if (k === KW && depth === 0 && (this.vals[i] === 'for' || this.vals[i] === 'lambda')) return false;
        continue;
      }
      const v = this.vals[i];
      if (v === '(' || v === '[' || v === '{') depth++;
      else if (v === ')' || v === ']' || v === '}') {
        if (depth === 0) return false;
        depth--;
      } else if (depth === 0 && (v === ':' || v === ',')) return v === ':';
    }
  }

  private yieldExpression(): PyNode {
    const first = this.p;
    const m = this.mark();
    this.next();
    if (this.isKw('from')) {
      this.next();
      this.add(this.expression());
    } else if (startsExpression(this.kind(), this.vals[this.p])) this.add(this.expressions());
    return this.finish('yield', m, first);
  }

  // ---- strings

  /** One string, or adjacent strings as a concatenated_string. */
  private strings(): PyNode {
    const first = this.p;
    const s = this.string();
    if (this.kind() !== S_START) return s;
    const m = this.mark();
    this.add(s);
    while (this.kind() === S_START) this.add(this.string());
    return this.finish('concatenated_string', m, first);
  }

  private string(): PyNode {
    this.enter();
    const first = this.p;
    const m = this.mark();
    this.add(this.take('string_start'));
    for (;;) {
      const k = this.kind();
      if (k === S_END) break;
      if (k === I_OPEN) this.add(this.interpolation('interpolation'));
      else if (k === S_TEXT || k === S_ESCAPE || k === S_BACKSLASH || k === S_ESCAPE_BRACE) this.add(this.stringContent());
      else refuse();
    }
    this.add(this.take('string_end'));
    this.depth--;
    return this.finish('string', m, first);
  }

  /** A run of text, escapes and `{{`: one string_content, spanning its visible pieces if it has any (as toAst copies it). */
  private stringContent(): PyNode {
    const m = this.mark();
    const first = this.p;
    let visibleStart = -1;
    let visibleEnd = -1;
    for (;;) {
      const k = this.kind();
      if (k === S_ESCAPE || k === S_ESCAPE_BRACE || k === S_BACKSLASH) {
        const i = this.next();
        if (visibleStart < 0) visibleStart = this.starts[i];
        visibleEnd = this.ends[i];
        if (k !== S_BACKSLASH) this.add(this.leaf(k === S_ESCAPE ? 'escape_sequence' : 'escape_interpolation', i));
      } else if (k === S_TEXT) this.next();
      else break;
    }
    const children = this.buf.length > m ? this.buf.slice(m) : NO_CHILDREN;
    this.buf.length = m;
    if (visibleStart >= 0) return this.node('string_content', true, visibleStart, visibleEnd, children, first);
    return this.node('string_content', true, this.starts[first], this.ends[this.p - 1], children, first);
  }

  /** `{expression[=][!c][:spec]}` in an f-string (`format_expression` inside a format specifier). */
  private interpolation(type: string): PyNode {
    this.enter();
    const first = this.p;
    const m = this.mark();
    this.next();
    const ef = this.p;
    const e = this.expression();
    if (this.isOp(',')) {
      const items = this.mark();
      this.add(e);
      this.collectionRest('}', false);
      if (this.kind() !== I_CLOSE && this.kind() !== I_EQUALS && this.kind() !== I_CONVERSION && this.kind() !== I_COLON) refuse();
      this.add(this.finish('expression_list', items, ef), 'expression');
    } else this.add(e, 'expression');
    if (this.kind() === I_EQUALS) this.next();
    if (this.kind() === I_CONVERSION) this.add(this.take('type_conversion'), 'type_conversion');
    if (this.kind() === I_COLON) {
      const sf = this.p;
      const sm = this.mark();
      this.next();
      for (;;) {
        const k = this.kind();
        if (k === I_TEXT) this.next();
        else if (k === I_OPEN) this.add(this.interpolation('format_expression'));
        else break;
      }
      this.add(this.finish('format_specifier', sm, sf), 'format_specifier');
    }
    if (this.kind() !== I_CLOSE) refuse();
    this.next();
    this.depth--;
    return this.finish(type, m, first);
  }
}

/**
 * The tree of `text` as `toAst(parsePython(text)).root` gives it, without comment nodes; null when
 * not certain (then parse with tree-sitter).
 */
export function parseFast(text: string, maxNodes = 2_000_000): PyNode | null {
  try {
    const tokens = new Lexer(text).run();
    // toAst's bound counts every node it walks, punctuation and comments too: nodes built plus
    // tokens and comments is at least that, so a text near the bound is left to it.
    const budget = maxNodes - tokens.kinds.length - tokens.commentSlots.length;
    if (budget < 0) return null;
    return new Parser(text, tokens, budget).parseModule();
  } catch (e) {
    if (e === REFUSE) return null;
    // A stack overflow or any other surprise: tree-sitter decides.
    return null;
  }
}
