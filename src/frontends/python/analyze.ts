// Entry point of the Python front end: source text → model graphs, summaries and diagnostics.

import { GraphBuilder } from '../../core/builder';
import { collectModels, unreadableFile, type FileAnalysis } from '../../core/analysis';
import { DiagnosticCode, DiagnosticSink } from '../../core/diagnostics';
import { kerasVersionOfFile, type KerasVersionOption } from '../../core/keras-version';
import { Budget, BudgetExceeded, DEFAULT_LIMITS, type BudgetLimits } from '../common/budget';
import { KerasRuntime } from '../common/keras-runtime';
import { toAst, type PyNode } from './ast';
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
}

function parseToAst(text: string): PyNode | null {
  const tree = parsePython(text);
  if (!tree) return null;
  try {
    return toAst(tree, undefined, treeSitterModule()).root;
  } finally {
    tree.delete();
  }
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
  const result = (): FileAnalysis => ({ file, language: 'python', text, builder, models: collectModels(builder), diagnostics: sink.items, keras });
  const parsed = parseToAst(text);
  if (!parsed) {
    sink.error(DiagnosticCode.parser, 'The Python parser is not initialised or could not parse this file.');
    return result();
  }
  let root = parsed;
  if (parsed.hasError) {
    reportSyntaxErrors(parsed, sink, text);
    root = repairSyntax(text, parsed);
  }
  const budget = new Budget({ ...DEFAULT_LIMITS, ...opts.limits });
  const host = opts.host;
  const interp = new PythonInterpreter(rt, {
    budget,
    host: host ? { resolver: new PythonResolver(host), parse: parseToAst, cache: opts.moduleCache === undefined ? (keras.version === 2 ? keras2ModuleCache : pythonModuleCache) : opts.moduleCache } : undefined,
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
 * node. Blank out (same length, so offsets stay valid) the line where the first error starts, or
 * the one before it, and re-parse, keeping each change that lowers the number of errors.
 */
function repairSyntax(text: string, root: PyNode, maxRounds = 8): PyNode {
  let best = { text, root, errors: countErrors(root) };
  for (let round = 0; round < maxRounds && best.errors > 0; round++) {
    const first = firstError(best.root);
    if (!first) break;
    let improved = false;
    const lineStart = best.text.lastIndexOf('\n', first.start - 1) + 1;
    const prevStart = lineStart > 0 ? best.text.lastIndexOf('\n', lineStart - 2) + 1 : -1;
    for (const start of [lineStart, prevStart]) {
      if (start < 0) continue;
      const end = best.text.indexOf('\n', start);
      const stop = end < 0 ? best.text.length : end;
      if (stop <= start || best.text.slice(start, stop).trim() === '') continue;
      const candidate = best.text.slice(0, start) + ' '.repeat(stop - start) + best.text.slice(stop);
      const r = parseToAst(candidate);
      if (r && countErrors(r) < best.errors) {
        best = { text: candidate, root: r, errors: countErrors(r) };
        improved = true;
        break;
      }
    }
    if (!improved) break;
  }
  return best.root;
}

function countErrors(root: PyNode): number {
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

/** One diagnostic per syntax error region (the first few), so the user sees why parts are missing. */
/**
 * Python's own extension reports syntax errors; Shape Lens says once, as information on the broken
 * line only (never a range to the end of the file), that it reads the file around it.
 */
function reportSyntaxErrors(root: PyNode, sink: DiagnosticSink, text: string): void {
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
  const what = first.missing ? `missing ${first.type}` : 'a syntax error';
  sink.info(DiagnosticCode.syntax, `Shape Lens reads this file around ${what} here (the Python extension reports it).`, { start: first.start, end });
}
