// Entry point of the Python front end: source text → model graphs, summaries and diagnostics.

import { readAssumptions, reportAssumptions, type Assumed } from '../common/assumptions';
import { GraphBuilder } from '../../core/builder';
import { collectModels, unreadableFile, type FileAnalysis } from '../../core/analysis';
import { DiagnosticCode, DiagnosticSink, type SourceRange } from '../../core/diagnostics';
import { markTyping } from '../../core/stale';
import { kerasVersionOfFile, type KerasVersionOption } from '../../core/keras-version';
import { Budget, BudgetExceeded, DEFAULT_LIMITS, type BudgetLimits } from '../common/budget';
import { KerasRuntime } from '../common/keras-runtime';
import { toAst, type PyNode } from './ast';
import { CHUNKED_FROM, parseInChunks } from './chunked-parse';
import { parseFast } from './fast-parse';
import { PythonInterpreter, type CallRecorder, type CallSite } from './interpreter';
import { joinCells, parseNotebook } from './notebook';
import { ModuleCache } from './modules';
import { parsePython, treeSitterModule } from './parser';
import { PythonResolver, type PythonProjectHost } from './resolve';

export { initPythonParser } from './parser';

export type { PythonProjectHost } from './resolve';

/** The module cache analyses share unless told otherwise (imported modules are interpreted once per content). */
export const pythonModuleCache = new ModuleCache();
/** Modules interpreted for Keras 2 analyses (their layers are named and built as tf.keras 2 does). */
const keras2ModuleCache = new ModuleCache();

export interface AnalyzeOptions {
  host?: PythonProjectHost;
  /** Internal: this analysis only records what the file's calls pass to another file's builders. */
  recordCalls?: CallRecorder;
  limits?: Partial<BudgetLimits>;
  /** Imported modules from earlier analyses (default: `pythonModuleCache`; null: none). */
  moduleCache?: ModuleCache | null;
  /** Keras 2 or 3 as asked for or pinned (a `# shape-lens: keras=N` comment in the file overrides both). */
  keras?: KerasVersionOption;
  /**
   * Where the user is typing, from the editor: the line holding `start` (the one just edited), and
   * up to the line holding `end` the code that began on it before (a call over several lines). In a
   * text with a syntax error that line is read around first, else those lines, when the file parses
   * without them (`editedLines`).
   */
  edited?: EditedLines;
}

/** Whether parseToAst tries the hand-written parser first (tests turn it off to compare with tree-sitter alone). */
let fastParseOn = true;

/** Internal, for tests: parse with tree-sitter only (false) or try fast-parse.ts first (true, the default). */
export function setFastParse(on: boolean): void {
  fastParseOn = on;
}

/**
 * Parses a whole text into the interpreter's tree (null if the parser is not ready). A clean text
 * is read by the hand-written parser (fast-parse.ts: the same tree but comments, several times
 * cheaper); anything it refuses by tree-sitter. `whole`: no attempt in pieces (syntax repair's
 * candidates: the file has an error, most still will).
 */
export function parseToAst(text: string, whole = false): PyNode | null {
  const clean = parseClean(text, whole);
  if (clean) return clean;
  const tree = parsePython(text);
  if (!tree) return null;
  try {
    return toAst(tree, undefined, treeSitterModule()).root;
  } finally {
    tree.delete();
  }
}

/**
 * The tree of a text without a syntax error, made without tree-sitter's tree of the whole text: by
 * the hand-written parser, else (a large file, unless `whole`) by tree-sitter a piece at a time.
 * Null when neither applies (a syntax error, a small file `parseFast` refuses).
 */
export function parseClean(text: string, whole = false): PyNode | null {
  const fast = fastParseOn ? parseFast(text) : null;
  if (fast) return fast;
  return (!whole && text.length >= CHUNKED_FROM && parseInChunks(text, parsePython, treeSitterModule())) || null;
}

/**
 * Analyses one Python file. `initPythonParser()` must have resolved first. Never throws for any
 * input text: problems become diagnostics.
 */
export function analyzePython(text: string, file: string, opts: AnalyzeOptions = {}): FileAnalysis {
  const sink = new DiagnosticSink();
  const keras = kerasVersionOfFile(text, opts.keras);
  const builder = new GraphBuilder(sink, 'keras', keras.version);
  const rt = new KerasRuntime(builder);
  rt.kerasFrom = keras.from;
  let typing: SourceRange | undefined;
  let assumed: Assumed | undefined = undefined;
  const result = (): FileAnalysis => {
    const models = collectModels(builder);
    const assumptions = reportAssumptions(assumed, builder);
    return { file, language: 'python', text, builder, models, diagnostics: sink.items, keras, ...(typing && { typing }), ...(rt.failures > 0 && { failures: rt.failures }), ...(assumptions.length > 0 && { assumptions }) };
  };
  const parsed = parseToAst(text);
  if (!parsed) {
    sink.error(DiagnosticCode.parser, 'The Python parser is not initialised or could not parse this file.');
    return result();
  }
  let root = parsed;
  let blanked: number | undefined;
  if (parsed.hasError) {
    const repaired = repairSyntax(text, parsed, opts.edited);
    reportSyntaxErrors(parsed, sink, text, repaired.blanked);
    root = repaired.root;
    blanked = repaired.blanked;
  } else {
    // `layers.` typed inside a list reads on into the next line (`layers.layers.Flatten()`), and so
    // does `x = ` (`x = x = f(x)`): that line is left out as a line being typed.
    const dot = danglingLine(text, parsed);
    const again = dot === undefined ? null : parseToAst(blankLine(text, dot));
    if (again && !again.hasError) {
      root = again;
      blanked = dot;
    }
  }
  // After the notes on syntax errors (as the incremental analysis reports them), before the run.
  assumed = readAssumptions(text, 'python', builder);
  const budget = new Budget({ ...DEFAULT_LIMITS, ...opts.limits });
  const host = opts.host;
  const interp = new PythonInterpreter(rt, {
    budget,
    host: host ? { resolver: new PythonResolver(host), parse: (source: string) => parseToAst(source), cache: opts.moduleCache === undefined ? (keras.version === 2 ? keras2ModuleCache : pythonModuleCache) : opts.moduleCache } : undefined,
    recordCalls: opts.recordCalls,
    callSites: host && !opts.recordCalls ? callSitesFor(root, text, file, host, opts) : undefined,
  });
  try {
    interp.runMain(root, file, text);
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) {
      sink.warning(DiagnosticCode.internal, `Shape Lens stopped analysing this file after an internal error: ${(e as Error).message}`);
    }
  }
  if (blanked !== undefined) typing = markTyping(builder.models, text, blanked);
  // Nothing said which Keras, and the model code applies a TensorFlow function to a KerasTensor,
  // which only tf.keras 2 accepts: the file is tf.keras 2 code, analysed as such.
  const tfFn = rt.tfFunctionOnKerasTensor;
  if (keras.from === 'default' && tfFn) {
    const line = tfFn.range ? ` (line ${text.slice(0, tfFn.range.start).split('\n').length})` : '';
    return analyzePython(text, file, { ...opts, keras: { ...opts.keras, explicit: { version: 2, from: `${tfFn.fn} on a Keras tensor${line}, which only tf.keras 2 accepts` } } });
  }
  return result();
}

/**
 * Call sites are looked for on every analysis (in the editor: every edit), so the callers' analyses
 * are bounded: at most this many files, each with a small share of the budget. A call the budget
 * does not reach leaves the arguments unknown (`?`), never guessed.
 */
const MAX_CALLERS = 4;
const CALLER_LIMITS = { steps: 200_000, millis: 150 };

/**
 * What calls in other project files pass to this file's top-level functions that have parameters
 * without defaults (each caller analysed with those calls recorded, not run). Empty when the host
 * cannot list callers.
 */
function callSitesFor(root: PyNode, text: string, file: string, host: PythonProjectHost, opts: AnalyzeOptions): Map<string, CallSite[]> | undefined {
  if (!host.callers) return undefined;
  const names = new Set<string>();
  for (const stmt of root.children) {
    const def = stmt.type === 'decorated_definition' ? stmt.children.find((c) => c.type === 'function_definition') : stmt;
    if (def?.type !== 'function_definition') continue;
    const params = def.children.find((c) => c.type === 'parameters');
    const required = params?.children.some((p) => p.type === 'identifier' || p.type === 'typed_parameter') ?? false;
    const nameNode = def.children.find((c) => c.type === 'identifier');
    if (required && nameNode) names.add(text.slice(nameNode.start, nameNode.end));
  }
  if (names.size === 0) return undefined;
  const self = host.absolute?.(file) ?? file;
  const out = new Map<string, CallSite[]>();
  let callers: string[] = [];
  try {
    callers = host.callers(self).slice(0, MAX_CALLERS);
  } catch {
    return undefined;
  }
  for (const caller of callers) {
    const callerText = host.readFile(caller);
    if (callerText === undefined || ![...names].some((n) => callerText.includes(n))) continue;
    analyzePython(callerText, caller, { host, limits: { ...opts.limits, ...CALLER_LIMITS }, moduleCache: opts.moduleCache, keras: opts.keras, recordCalls: { file: self, names, out } });
  }
  return out.size > 0 ? out : undefined;
}

/**
 * Analyses a Jupyter notebook (.ipynb JSON): its Python code cells in order as one program, with
 * IPython syntax blanked; `cells` maps the analysed text back to cells. A file that is not a
 * notebook gives one `invalid-notebook` error, a notebook of another kernel language one
 * `notebook-language` note, and no models. Never throws.
 */
export function analyzeNotebook(json: string, file: string, opts: AnalyzeOptions = {}): FileAnalysis {
  const nb = parseNotebook(json);
  if (!nb.ok) return unreadableFile(file, 'python', { severity: 'error', code: DiagnosticCode.invalidNotebook, message: `Not a notebook Shape Lens can read: ${nb.error}.` });
  if (nb.language && nb.language !== 'python') {
    return unreadableFile(file, 'python', { severity: 'info', code: DiagnosticCode.notebookLanguage, message: `Not a Python notebook (kernel language: ${nb.language}); skipped.` });
  }
  const joined = joinCells(nb.cells, { ipython: true });
  return { ...analyzePython(joined.text, file, opts), cells: joined.spans };
}

/**
 * Tree-sitter's error recovery can swallow every statement after a half-typed line into one ERROR
 * node. Blank out (same length, so offsets stay valid) one line and re-parse, keeping each change
 * that lowers the number of errors. The candidates: the line where the first error starts, the one
 * before it, and inside the error the lines whose brackets do not balance (`layers.Conv2D(64,
 * kernel_size=(` in the middle of a `Sequential([...])`), nearest the error's end first — at most
 * a few re-parses, and only for a file that has an error. The line holding `edited` (where the
 * editor says the user is typing) is tried alone first. Returns the tree, the text it parsed and its
 * number of errors, and the first line blanked (where the user is typing), if any.
 */
function repairSyntax(text: string, root: PyNode, edited?: EditedLines, maxRounds = 8, maxParses = 16): { root: PyNode; blanked?: number } {
  for (const candidate of editedLines(text, edited)) {
    const r = parseToAst(candidate.text, true);
    if (r && countErrors(r) === 0) return { root: r, blanked: candidate.start };
  }
  let best = { text, root, errors: countErrors(root) };
  let blanked: number | undefined;
  // Runs on every keystroke while a line is half-typed: as many re-parses as before the bracket candidates (16).
  let parses = 0;
  for (let round = 0; round < maxRounds && best.errors > 0 && parses < maxParses; round++) {
    const first = firstError(best.root);
    if (!first) break;
    let improved = false;
    const lineStart = best.text.lastIndexOf('\n', first.start - 1) + 1;
    const prevStart = lineStart > 0 ? best.text.lastIndexOf('\n', lineStart - 2) + 1 : -1;
    let chosen: { text: string; root: PyNode; errors: number; start: number } | undefined;
    // A missing `)` is reported where the statement ends, not where the bracket opened: look at the
    // whole top-level statement the error is in.
    const statement = best.root.children.find((c) => c.start <= first.start && first.start <= c.end) ?? first;
    for (const start of [lineStart, prevStart, ...unbalancedLines(best.text, statement, first.end)]) {
      if (start < 0) continue;
      if (parses >= maxParses) break;
      const end = best.text.indexOf('\n', start);
      const stop = end < 0 ? best.text.length : end;
      if (stop <= start || best.text.slice(start, stop).trim() === '') continue;
      const candidate = best.text.slice(0, start) + ' '.repeat(stop - start) + best.text.slice(stop);
      const r = parseToAst(candidate, true);
      parses++;
      const errors = r ? countErrors(r) : Infinity;
      if (r && errors < (chosen?.errors ?? best.errors)) chosen = { text: candidate, root: r, errors, start };
      if (chosen?.errors === 0) break;
    }
    if (chosen) {
      best = { text: chosen.text, root: chosen.root, errors: chosen.errors };
      blanked ??= chosen.start;
      improved = true;
    }
    if (!improved) break;
  }
  return { root: best.root, blanked };
}

/**
 * The start of a line being typed that the parser read on into the next line: one whose code ends
 * with an attribute's dot, the name on a later line (inside brackets Python reads on: `layers.`
 * then `layers.Flatten(),` is `layers.layers.Flatten()`), or with an assignment's `=` (`x = ` then
 * `x = f(x)` is no chained assignment: tree-sitter reads one, Python raises). `root` may be one
 * statement of the text (the incremental analysis asks per statement).
 */
export function danglingLine(text: string, root: PyNode): number | undefined {
  const re = /(?:[\w)\]]\.|[^=!<>]=)[ \t]*\r?\n/g;
  // Searched in the node's own text: a search from its start would run on to the end of the file.
  const own = text.slice(root.start, root.end);
  for (let m = re.exec(own); m; m = re.exec(own)) {
    const at = root.start + m.index + 1;
    // The innermost node around the dot or `=` (punctuation is not copied: it lies in its parent alone).
    let node = root;
    for (let inner = childAt(node, at); inner; inner = childAt(node, at)) node = inner;
    const dot = text[at] === '.';
    const next = dot ? (node.type === 'attribute' ? node.children[node.children.length - 1] : undefined) : node.type === 'assignment' || node.type === 'augmented_assignment' ? node.children[node.children.length - 1] : undefined;
    if (next && next.start > at && text.slice(at, next.start).includes('\n')) return text.lastIndexOf('\n', at) + 1;
  }
  return undefined;
}

/** The child of `node` whose span holds `offset` (children are in order: a binary search). */
function childAt(node: PyNode, offset: number): PyNode | undefined {
  const cs = node.children;
  let lo = 0;
  let hi = cs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cs[mid].end <= offset) lo = mid + 1;
    else if (cs[mid].start > offset) hi = mid - 1;
    else return cs[mid];
  }
  return undefined;
}

/** The lines being typed: the one holding `start`, and the code that began on it, to the line holding `end`. */
export interface EditedLines {
  start: number;
  end: number;
}

/**
 * What is read around first where the user is typing, in order: `text` with the edited line
 * blanked, then with all the lines `edited` spans (a call over several lines, its first line
 * edited: the others cannot parse without it). Each with the start of its first line and the end
 * of its last.
 */
export function editedLines(text: string, edited: EditedLines | undefined): { text: string; start: number; end: number }[] {
  if (!edited) return [];
  const start = text.lastIndexOf('\n', edited.start - 1) + 1;
  const lineEnd = (at: number): number => {
    const i = text.indexOf('\n', at);
    return i < 0 ? text.length : i;
  };
  const first = lineEnd(edited.start);
  const out = [{ text: blankLine(text, start), start, end: first }];
  const last = lineEnd(Math.min(text.length, Math.max(edited.end, edited.start)));
  if (last > first) out.push({ text: text.slice(0, start) + text.slice(start, last).replace(/[^\n\r]/g, ' ') + text.slice(last), start, end: last });
  return out;
}

/** `text` with the line starting at `start` blanked (same length: offsets stay valid). */
export function blankLine(text: string, start: number): string {
  const end = text.indexOf('\n', start);
  const stop = end < 0 ? text.length : end;
  return text.slice(0, start) + ' '.repeat(stop - start) + text.slice(stop);
}

/**
 * Starts of the lines of `region` up to `until` whose round, square and curly brackets do not
 * balance, nearest `until` first (at most 6, looking at most 400 lines back).
 */
function unbalancedLines(text: string, region: PyNode, until: number): number[] {
  const out: number[] = [];
  const first = text.lastIndexOf('\n', region.start - 1) + 1;
  let lineStart = text.lastIndexOf('\n', Math.min(until, text.length) - 1) + 1;
  for (let seen = 0; seen < 400 && out.length < 6; seen++) {
    const end = text.indexOf('\n', lineStart);
    const line = text.slice(lineStart, end < 0 ? text.length : end).replace(/#.*$/, '').replace(/(["'])(?:\\.|(?!\1).)*\1/g, '');
    let balance = 0;
    for (const c of line) balance += c === '(' || c === '[' || c === '{' ? 1 : c === ')' || c === ']' || c === '}' ? -1 : 0;
    if (balance > 0) out.push(lineStart);
    if (lineStart <= first) break;
    lineStart = lineStart < 2 ? 0 : text.lastIndexOf('\n', lineStart - 2) + 1;
  }
  return out;
}

export function countErrors(root: PyNode): number {
  let n = 0;
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'ERROR' || node.missing) n++;
    if (node.hasError) for (const c of node.children) stack.push(c);
  }
  return n;
}

function firstError(root: PyNode): PyNode | undefined {
  let node: PyNode | undefined = root;
  while (node) {
    if (node.type === 'ERROR' || node.missing) return node;
    node = node.children.find((c) => c.hasError || c.missing || c.type === 'ERROR');
  }
  return undefined;
}

/**
 * Python's own extension reports syntax errors; Shape Lens says once, as information on the broken
 * line only (never a range to the end of the file), that it reads the file around it.
 */
function reportSyntaxErrors(root: PyNode, sink: DiagnosticSink, text: string, blanked?: number): void {
  if (blanked !== undefined) return reportReadAround(sink, text, blanked);
  let first: PyNode | undefined;
  const visit = (n: PyNode): void => {
    if (first) return;
    if (n.type === 'ERROR' || n.missing) {
      first = n;
      return;
    }
    if (n.hasError) for (const c of n.children) visit(c);
  };
  visit(root);
  if (!first) return;
  const lineEnd = text.indexOf('\n', first.start);
  const end = Math.max(first.start + 1, Math.min(first.end, lineEnd < 0 ? text.length : lineEnd));
  sink.info(DiagnosticCode.syntax, `Shape Lens reads this file around ${first.missing ? `missing ${first.type}` : 'a syntax error'} here (the Python extension reports it).`, { start: first.start, end });
}

/** The note on the line Shape Lens left out of a file with a syntax error (where the user is typing). */
export function reportReadAround(sink: DiagnosticSink, text: string, line: number): void {
  const lineEnd = text.indexOf('\n', line);
  const end = Math.max(line + 1, lineEnd < 0 ? text.length : lineEnd);
  sink.info(DiagnosticCode.syntax, 'Shape Lens reads this file around a syntax error here (the Python extension reports it).', { start: line, end });
}
