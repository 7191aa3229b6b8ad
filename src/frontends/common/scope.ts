// Scopes and definition records both interpreters share; each language's scope rules (Python class
// bodies and `global`, JS block scopes and `this`) live in a subclass in its own folder.

import type { Value } from './values';
import { lineOf, lineStartsOf } from '../../core/analysis';

/** A source file being interpreted. */
export interface SourceFile {
  path: string;
  text: string;
  /** The file the analysis was asked for (not one it imported). */
  isMain: boolean;
}

const lineStarts = new WeakMap<SourceFile, number[]>();

/** 1-based line of an offset in `file`, for messages (line starts computed once per file). */
export function lineAt(file: SourceFile, offset: number): number {
  let starts = lineStarts.get(file);
  if (!starts) lineStarts.set(file, (starts = lineStartsOf(file.text)));
  return lineOf(starts, offset);
}

/** A chain of variable bindings; `lookup` walks outwards (languages refine which scopes it sees). */
export class ScopeBase<S extends ScopeBase<S>> {
  readonly vars: Map<string, Value>;

  constructor(readonly parent: S | null, vars = new Map<string, Value>()) {
    this.vars = vars;
  }

  /** The innermost binding of `name`, if any. */
  lookup(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
}

/** A user function as defined: its syntax node, the scope it closes over and the file it is in. */
export interface FunctionRecord<Node, S, F extends SourceFile = SourceFile> {
  node: Node;
  closure: S;
  file: F;
  /** Its name, or `<lambda>` / `<arrow>` / `<function>` for anonymous ones. */
  name: string;
}

/** A user class as defined. */
export interface ClassRecord<Node, F extends SourceFile = SourceFile> {
  node: Node;
  file: F;
}

/** Names anonymous functions get: a model built in one is not named after it. */
export const ANONYMOUS_FUNCTIONS: ReadonlySet<string> = new Set(['<lambda>', '<arrow>', '<function>']);
