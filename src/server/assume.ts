// The "assume" action's text edit: gives an open size a value by writing it into the file's
// `# shape-lens: H=224` comment (`// shape-lens:` in JS/TS), which the analysis reads on its next
// run. Pure (text in, edit out): the editor command applies it, tests check it in plain node.

/** Replace `text.slice(start, end)` with `newText`. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** An open size's name as the comment writes it: an identifier. */
export function isSizeName(name: unknown): name is string {
  return typeof name === 'string' && /^[A-Za-z_]\w*$/.test(name) && name.length <= 100;
}

/** The value typed in the input box: a non-negative integer (digits only), else null. */
export function parseSizeValue(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** Entries of a `shape-lens:` line that are not sizes: keep such a line as it is and write a new one. */
const NOT_SIZES = new Set(['keras', 'input_shape']);
const ENTRY = /([A-Za-z_]\w*)[ \t]*=[ \t]*([^,\s]*)/y;

/** The `NAME=VALUE` entries of a comment's text after `shape-lens:`, with offsets in it; null if it is anything else. */
function sizeEntries(rest: string): { name: string; start: number; end: number }[] | null {
  const out: { name: string; start: number; end: number }[] = [];
  let i = 0;
  const skip = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(rest);
    if (m) i += m[0].length;
    return m;
  };
  skip(/[ \t]*/y);
  while (i < rest.length) {
    const at = i;
    const m = skip(ENTRY);
    if (!m || NOT_SIZES.has(m[1])) return null;
    out.push({ name: m[1], start: at, end: i });
    // The value stops at a comma, a blank or the end: what follows is a separator.
    skip(/[ \t]*,?[ \t]*/y);
  }
  return out.length > 0 ? out : null;
}

/**
 * The edit that gives `name` the value `value`: in the first `shape-lens:` comment line made of
 * `NAME=VALUE` entries, the entry of that name is replaced or `, name=value` appended; without such
 * a line a new one goes near the top (after a shebang, an encoding line and, in Python, the module
 * docstring). A `keras=2` or `input_shape=` comment is left alone.
 */
export function assumptionEdit(text: string, js: boolean, name: string, value: number): OffsetEdit {
  const lead = js ? '//' : '#';
  const entry = `${name}=${value}`;
  const lines = splitLines(text);
  const comment = new RegExp(`^([ \\t]*${js ? '//' : '#'}[ \\t]*shape-lens:)(.*)$`);
  for (const l of lines) {
    const m = comment.exec(l.text);
    if (!m) continue;
    const entries = sizeEntries(m[2]);
    if (!entries) continue;
    const base = l.start + m[1].length;
    const same = entries.find((e) => e.name === name);
    if (same) return { start: base + same.start, end: base + same.end, newText: entry };
    const last = entries[entries.length - 1];
    const end = base + m[2].trimEnd().length;
    const sep = text.slice(base + last.end, end).includes(',') ? ' ' : ', ';
    return { start: end, end, newText: `${sep}${entry}` };
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const at = insertLine(lines, js);
  const line = `${lead} shape-lens: ${entry}`;
  if (at < lines.length) return { start: lines[at].start, end: lines[at].start, newText: `${line}${eol}` };
  // After the last line: it may lack its line break.
  const endsWithBreak = text.length === 0 || text.endsWith('\n');
  return { start: text.length, end: text.length, newText: `${endsWithBreak ? '' : eol}${line}${eol}` };
}

interface Line {
  text: string;
  start: number;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    out.push({ text: text.slice(start, end).replace(/\r?\n$/, ''), start });
    start = end;
  }
  return out;
}

/** Index of the line the new comment goes before. */
function insertLine(lines: Line[], js: boolean): number {
  let i = 0;
  if (lines[0]?.text.startsWith('#!')) i = 1;
  if (js) return i;
  // PEP 263: the encoding declaration is on line 1 or 2.
  if (i < 2 && lines[i] && /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/.test(lines[i].text)) i++;
  // The module docstring: the first statement, when it is a string literal.
  let j = i;
  while (j < lines.length && /^[ \t]*(#.*)?$/.test(lines[j].text)) j++;
  const open = j < lines.length ? /^[ \t]*[rRuU]?("""|'''|"|')/.exec(lines[j].text) : null;
  if (!open) return i;
  const quote = open[1];
  const from = open[0].length;
  for (let k = j; k < lines.length; k++) {
    const close = lines[k].text.indexOf(quote, k === j ? from : 0);
    if (close >= 0) return k + 1;
    if (quote.length === 1) break;
  }
  return i;
}
