// Entry point of the JS/TS (tfjs) front end: source text → model graphs, summaries and diagnostics.

import { readAssumptions, reportAssumptions } from '../common/assumptions';
import { parse, type TSESTree } from '@typescript-eslint/typescript-estree';
import { GraphBuilder } from '../../core/builder';
import { collectModels, type FileAnalysis } from '../../core/analysis';
import { languageOf } from './info';
import { DiagnosticCode, DiagnosticSink, type SourceRange } from '../../core/diagnostics';
import { markTyping } from '../../core/stale';
import { Budget, BudgetExceeded, DEFAULT_LIMITS, type BudgetLimits } from '../common/budget';
import { KerasRuntime } from '../common/keras-runtime';
import { JsInterpreter } from './interpreter';

/** Reads other files of the project for relative imports. */
export interface TfjsProjectHost {
  resolve(fromFile: string, spec: string): { path: string; text: string } | undefined;
}

export interface AnalyzeTfjsOptions {
  host?: TfjsProjectHost;
  limits?: Partial<BudgetLimits>;
  /**
   * Where the user is typing (an offset in the line just edited): in a text with a syntax error that
   * line is the first one read around, when the file parses without it.
   */
  edited?: number;
}


export interface Parsed {
  program: TSESTree.Program | null;
  /** Syntax errors got past by blanking a line: where (offset of the skipped line) and the parser's message. */
  errors: { offset: number; message: string }[];
  /** A line being typed that the parser read on into the next (`danglingDot`), left out: its start. */
  dangling?: number;
  /** The text `program` is the parse of: the file's, with the lines left out blanked (the same length and lines). */
  analysed: string;
}

/**
 * Parses with typescript-estree. It stops at the first syntax error, so on error the offending
 * line is blanked out (same length, offsets stay valid) and the file parsed again, a few times:
 * everything else in a half-typed file is still analysed. `inPieces` gives a text's program from
 * pieces parsed before, or undefined when it cannot be sure it is the whole parse's (incremental.ts).
 * The line holding `edited` (where the editor says the user is typing) is the first one blanked.
 * `whole` parses a whole text as `parse` does (throwing its error): incremental.ts reparses a
 * kept typescript source file instead of parsing each text from scratch.
 */
export function parseTfjs(text: string, file: string, maxRepairs = 8, inPieces?: (text: string) => TSESTree.Program | undefined, edited?: number, whole?: (text: string) => TSESTree.Program): Parsed {
  const options = estreeOptions(file);
  const parseWhole = whole ?? ((t: string) => parse(t, options));
  const errors: Parsed['errors'] = [];
  let current = text;
  for (let round = 0; round <= maxRepairs; round++) {
    if (round === 1 && edited !== undefined) {
      // The first parse failed: the line being typed alone, if the rest parses without it.
      const start = text.lastIndexOf('\n', edited - 1) + 1;
      const end = text.indexOf('\n', edited);
      const stop = end < 0 ? text.length : end;
      const shown = text.slice(start, stop).search(/\S/);
      if (shown >= 0) {
        const blanked = text.slice(0, start) + ' '.repeat(stop - start) + text.slice(stop);
        try {
          const program = inPieces?.(blanked) ?? parseWhole(blanked);
          return { program, errors: [{ offset: start + shown, message: errors[0].message }], analysed: blanked };
        } catch {
          // Not that line alone: the usual repair.
        }
      }
    }
    // The same program from pieces, when that is sure (incremental.ts): most of it parsed before.
    const pieces = inPieces?.(current);
    if (pieces) return readAroundDangling({ program: pieces, errors, analysed: current }, parseWhole, inPieces);
    try {
      const program = parseWhole(current);
      return readAroundDangling({ program, errors, analysed: current }, parseWhole, inPieces);
    } catch (e) {
      const err = e as { index?: number; message?: string };
      if (typeof err.index !== 'number') return { program: null, errors: [...errors, { offset: 0, message: String(err.message ?? e) }], analysed: current };
      let start = current.lastIndexOf('\n', Math.max(0, err.index - 1)) + 1;
      let end = current.indexOf('\n', err.index);
      if (end < 0) end = current.length;
      // An error at the first token of a line usually comes from the unfinished line above it.
      const firstToken = current.slice(start, err.index).trim() === '';
      if (firstToken && start > 0) {
        // Up to the nearest line above that has code (blank lines and comments-only lines give nothing).
        do {
          end = start - 1;
          start = end > 0 ? current.lastIndexOf('\n', end - 1) + 1 : 0;
        } while (start > 0 && /^\s*(\/\/.*)?$/.test(current.slice(start, end)));
      }
      const from = start;
      // Reported at the line that is skipped: that is where the code is unfinished.
      const shown = current.slice(from, end).search(/\S/);
      errors.push({ offset: Math.min(from + Math.max(0, shown), text.length), message: String(err.message ?? 'syntax error').split('\n')[0] });

      if (current.slice(from, end).trim() === '') return { program: null, errors, analysed: current };
      current = current.slice(0, from) + current.slice(from, end).replace(/[^\n\r]/g, ' ') + current.slice(end);
    }
  }
  return { program: null, errors, analysed: current };
}

/**
 * `model.` typed above another line parses, reading on into it (`model.model.add(...)`): as in
 * Python, the first such line is left out as a line being typed when the text parses without it.
 */
function readAroundDangling(parsed: Parsed, parseWhole: (text: string) => TSESTree.Program, inPieces?: (text: string) => TSESTree.Program | undefined): Parsed {
  if (!parsed.program || parsed.errors.length > 0) return parsed;
  const text = parsed.analysed;
  const line = danglingDot(text, parsed.program);
  if (line === undefined) return parsed;
  const end = text.indexOf('\n', line);
  const stop = end < 0 ? text.length : end;
  const blanked = text.slice(0, line) + ' '.repeat(stop - line) + text.slice(stop);
  try {
    return { program: inPieces?.(blanked) ?? parseWhole(blanked), errors: [], dangling: line, analysed: blanked };
  } catch {
    return parsed;
  }
}

/** A dot at a line's end after a name or a bracket: where `danglingDot` looks. */
const LINE_END_DOT = /[\w$)\]]\.[ \t]*\r?\n/;

/** `text` has a line `danglingDot` looks at (it reads the tree there only). */
export function mayDangle(text: string): boolean {
  return LINE_END_DOT.test(text);
}

/**
 * The start of the first line whose code ends with a member access's dot, the member's name on a
 * later line (`model.` then `model.add(...)`). Formatters put a chain's dots at line starts, never
 * at line ends; a dot at a line end in a comment or string is no member access and is passed over.
 */
export function danglingDot(text: string, program: TSESTree.Program): number | undefined {
  const re = new RegExp(LINE_END_DOT, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const dot = m.index + 1;
    let node: TSESTree.Node | undefined = program;
    for (let inner = childAt(node, dot); inner; inner = childAt(node, dot)) node = inner;
    if (node?.type === 'MemberExpression' && !node.computed && node.object.range[1] <= dot && text.slice(dot, node.property.range[0]).includes('\n')) return text.lastIndexOf('\n', dot) + 1;
  }
  return undefined;
}

/** The child node of `node` whose range holds `offset` (arrays of nodes are in source order: halved when long). */
function childAt(node: TSESTree.Node, offset: number): TSESTree.Node | undefined {
  const holds = (c: unknown): c is TSESTree.Node => !!c && typeof c === 'object' && Array.isArray((c as TSESTree.Node).range) && (c as TSESTree.Node).range[0] <= offset && offset < (c as TSESTree.Node).range[1];
  for (const key in node) {
    if (key === 'parent') continue;
    const v = (node as unknown as Record<string, unknown>)[key];
    if (!Array.isArray(v)) {
      if (holds(v)) return v;
      continue;
    }
    let lo = 0;
    let hi = v.length;
    while (hi - lo > 8) {
      const mid = (lo + hi) >> 1;
      const c = v[mid] as TSESTree.Node | null;
      if (!c?.range) break;
      if (c.range[0] > offset) hi = mid;
      else lo = mid;
    }
    for (let i = lo; i < hi; i++) if (holds(v[i])) return v[i] as TSESTree.Node;
  }
  return undefined;
}

/** The typescript-estree options every parse of `file`'s text uses (JSX by the file's extension). */
export function estreeOptions(file: string) {
  const jsx = /\.(j|t)sx$/i.test(file) || /\.(m|c)?js$/i.test(file);
  return { range: true, loc: false, jsx, comment: false, allowInvalidAST: true, errorOnUnknownASTType: false, filePath: file } as const;
}

/** Analyses one JS/TS file. Never throws for any input text: problems become diagnostics. */
export function analyzeTfjs(text: string, file: string, opts: AnalyzeTfjsOptions = {}): FileAnalysis {
  return analyzeParsed(text, file, opts, parseTfjs(text, file, undefined, undefined, opts.edited));
}

/** The analysis of `text` once parsed (`parseTfjs`, or incremental.ts's pieces); `parseModule` parses imported modules. */
export function analyzeParsed(text: string, file: string, opts: AnalyzeTfjsOptions, parsed: Parsed, parseModule = (t: string, p: string) => parseTfjs(t, p).program): FileAnalysis {
  const sink = new DiagnosticSink();
  const builder = new GraphBuilder(sink, 'tfjs');
  const rt = new KerasRuntime(builder);
  const language = languageOf(file);
  let typing: SourceRange | undefined;
  const { program } = parsed;
  reportSyntaxErrors(sink, text, parsed);
  // After the notes on syntax errors (as the incremental analysis reports them), before the run.
  const assumed = readAssumptions(text, 'js', builder);
  const result = (): FileAnalysis => {
    const models = collectModels(builder);
    const assumptions = reportAssumptions(assumed, builder);
    return { file, language, text, builder, models, diagnostics: sink.items, ...(typing && { typing }), ...(rt.failures > 0 && { failures: rt.failures }), ...(assumptions.length > 0 && { assumptions }) };
  };
  if (!program) return result();
  const host = opts.host;
  const interp = new JsInterpreter(rt, {
    budget: new Budget({ ...DEFAULT_LIMITS, ...opts.limits }),
    host: host
      ? {
          resolve: (f, s) => host.resolve(f, s),
          parse: parseModule,
        }
      : undefined,
  });
  try {
    interp.runMain(program, file, text);
  } catch (e) {
    if (!(e instanceof BudgetExceeded)) sink.warning(DiagnosticCode.internal, `Shape Lens stopped analysing this file after an internal error: ${(e as Error).message}`);
  }
  const line = typingLine(text, parsed);
  if (line !== undefined) typing = markTyping(builder.models, text, line);
  return result();
}

/** The notes on the syntax errors the parse got past (the first few), first in an analysis. */
export function reportSyntaxErrors(sink: DiagnosticSink, text: string, parsed: Parsed): void {
  for (const e of parsed.errors.slice(0, 5)) {
    sink.info(DiagnosticCode.syntax, `Shape Lens reads this file around a syntax error here (${e.message}); the language's own extension reports it.`, { start: e.offset, end: Math.min(text.length, e.offset + 1) });
  }
}

/**
 * The start of the line where the user is typing, left out of the parse: the first line blanked
 * for a syntax error (the others are what its error cut off), or a dangling `model.` line.
 */
export function typingLine(text: string, parsed: Parsed): number | undefined {
  if (parsed.errors.length > 0) return text.lastIndexOf('\n', parsed.errors[0].offset - 1) + 1;
  return parsed.dangling;
}
