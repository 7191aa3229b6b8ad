// Entry point of the Python front end: source text → model graphs, summaries and diagnostics.

import { GraphBuilder } from '../../core/builder';
import { collectModels, type FileAnalysis } from '../../core/analysis';
import { DiagnosticSink } from '../../core/diagnostics';
import { Budget, BudgetExceeded, DEFAULT_LIMITS, type BudgetLimits } from '../common/budget';
import { KerasRuntime } from '../common/keras-runtime';
import { toAst, type PyNode } from './ast';
import { PythonInterpreter } from './interpreter';
import { parsePython } from './parser';

export { initPythonParser } from './parser';

/** Reads other files of the project for cross-file imports. */
export interface PythonProjectHost {
  /** Resolves a module relative to `fromFile`: `level` 0 for absolute imports, n for n leading dots. */
  resolve(fromFile: string, moduleName: string, level: number): { path: string; text: string } | undefined;
}

export interface AnalyzeOptions {
  host?: PythonProjectHost;
  limits?: Partial<BudgetLimits>;
}

function parseToAst(text: string): PyNode | null {
  const tree = parsePython(text);
  if (!tree) return null;
  try {
    return toAst(tree).root;
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
  const builder = new GraphBuilder(sink);
  const rt = new KerasRuntime(builder);
  const result = (): FileAnalysis => ({ file, language: 'python', text, builder, models: collectModels(builder), diagnostics: sink.items });
  const root = parseToAst(text);
  if (!root) {
    sink.error('parser', 'The Python parser is not initialised or could not parse this file.');
    return result();
  }
  if (root.hasError) reportSyntaxErrors(root, sink);
  const budget = new Budget({ ...DEFAULT_LIMITS, ...opts.limits });
  const host = opts.host;
  const interp = new PythonInterpreter(rt, {
    budget,
    host: host ? { resolve: (f, m, l) => host.resolve(f, m, l), parse: parseToAst } : undefined,
  });
  try {
    interp.runMain(root, file, text);
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) {
      sink.warning('internal', `Shape Lens stopped analysing this file after an internal error: ${(e as Error).message}`);
    }
  }
  return result();
}

/** One diagnostic per syntax error region (the first few), so the user sees why parts are missing. */
function reportSyntaxErrors(root: PyNode, sink: DiagnosticSink): void {
  let count = 0;
  const visit = (n: PyNode): void => {
    if (count >= 5) return;
    if (n.type === 'ERROR' || n.missing) {
      count++;
      sink.warning('syntax', n.missing ? `Syntax error: missing ${n.type}.` : 'Syntax error: Shape Lens analyses the rest of the file as far as it can.', { start: n.start, end: Math.max(n.end, n.start + 1) });
      return;
    }
    if (n.hasError) for (const c of n.children) visit(c);
  };
  visit(root);
}
