// The front-end contract: what a language front end declares (ids, languages, file extensions) and
// does (source text → FileAnalysis). The CLI and the editor pick front ends through frontends/registry.ts.

import type { FileAnalysis, Language } from '../../core/analysis';
import type { KerasVersionOption } from '../../core/keras-version';
import type { BudgetLimits } from './budget';

/**
 * Reads the project's files for cross-file imports (the CLI reads disk, the editor open documents
 * first). Each front end resolves import specifiers its language's way on top of it.
 */
export interface ProjectHost {
  /** A file's text, or undefined if there is none (or it is too large to analyse). Paths are the platform's. */
  readFile(file: string): string | undefined;
  /** Folders absolute imports are looked up in after the importing file's own project root (workspace folders). */
  roots?: readonly string[];
  /** The absolute form of a path as analyses name files (so folder walks can go above the current folder); default: unchanged. */
  absolute?(file: string): string;
  /**
   * Project files that may call functions of `file` (they import its module), most likely first:
   * a builder whose parameters have no defaults takes its arguments from the first call found.
   */
  callers?(file: string): string[];
}

/** What every front end's analysis takes besides the text. */
export interface FrontEndOptions {
  host?: ProjectHost;
  limits?: Partial<BudgetLimits>;
  /** Keras 2 or 3 as asked for (CLI `--keras`, setting) or pinned by the project; Python front end only. */
  keras?: KerasVersionOption;
}

/** What a front end is, known without loading it (its parser may be large: see registry.ts). */
export interface FrontEndInfo {
  /** Stable id (`python`, `tfjs`). */
  readonly id: string;
  /** VS Code language ids of the documents it analyses. */
  readonly languages: readonly string[];
  /** File extensions it reads, lower case with the dot (`.py`, `.ipynb`). */
  readonly fileExtensions: readonly string[];
  /** Notebook cells in this language may carry IPython syntax (magics, `!` lines) to blank before analysis. */
  readonly ipythonCells?: boolean;
  /** The language a file of this front end is reported as. */
  languageOf(file: string): Language;
}

/** A loaded front end. Analyses never throw for any input: problems become diagnostics. */
export interface FrontEnd extends FrontEndInfo {
  /** Loads what analysis needs (a parser's wasm, from `assetsDir` if given); idempotent. */
  init?(assetsDir?: string): Promise<void>;
  /** Analyses source text (for a notebook document: its code cells already joined). */
  analyse(text: string, file: string, options?: FrontEndOptions): FileAnalysis;
  /** Analyses a file's content as stored on disk (a notebook's JSON, say); for plain source files the same as `analyse`. */
  analyseFile(content: string, file: string, options?: FrontEndOptions): FileAnalysis;
  /** An incremental analysis of one open document, if the front end has one (see `IncrementalAnalysis`). */
  incremental?(file: string): IncrementalAnalysis;
}

/**
 * One open document's incremental analysis: `update(text, options)` after each change gives what
 * `analyse(text, file, options)` gives, reusing what the document's earlier texts left; `dispose()`
 * drops it (the document was closed).
 */
export interface IncrementalAnalysis {
  update(text: string, options?: FrontEndOptions): FileAnalysis;
  dispose(): void;
  /**
   * Lets go of what only makes the next update faster (the server calls it when the document has
   * been idle for a while); the next update gives the same analysis, rebuilding what it needs.
   */
  trim?(): void;
}

/** The lower-cased extension of a path (`.py`), or '' if it has none. */
export function extensionOf(file: string): string {
  const m = /\.[^./\\]+$/.exec(file);
  return m ? m[0].toLowerCase() : '';
}
