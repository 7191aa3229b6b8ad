// An abstract interpreter for the JavaScript / TypeScript that builds tfjs models: modules (ESM and
// CommonJS), functions and arrows with defaults and closures, classes, loops, destructuring and
// spreads over the shared value domain, with Unknown where it cannot know, inside budgets. It
// never executes user code for real. This file holds the interpreter's state (the context object
// every concern's module takes as `ip`); the syntax is in statements.ts, expressions.ts,
// definitions.ts, imports.ts, methods.ts, builtins.ts.

import type { TSESTree } from '@typescript-eslint/typescript-estree';
import type { SourceRange } from '../../core/diagnostics';
import type { Budget } from '../common/budget';
import { InterpreterCore } from '../common/interpreter-core';
import type { KerasRuntime } from '../common/keras-runtime';
import { ScopeBase, type ClassRecord, type FunctionRecord, type SourceFile } from '../common/scope';
import type { Value } from '../common/values';
import { moduleObjects, runProgram } from './imports';
import { analyseUncalled } from './definitions';
import { installGlobals, JS_GLOBAL_NAMES } from './builtins';

export type N = TSESTree.Node;
export type Expr = TSESTree.Expression;

/** Reads project modules for relative imports (the CLI reads disk, the extension the workspace). */
export interface JsModuleHost {
  resolve(fromFile: string, spec: string): { path: string; text: string } | undefined;
  /** Parses another module (null if it cannot). */
  parse(text: string, path: string): TSESTree.Program | null;
}

export type FileCtx = SourceFile;

/** JS scopes: function and block scopes; `this` and `arguments` are bindings of function scopes. */
export class Scope extends ScopeBase<Scope> {
  constructor(parent: Scope | null, readonly isFunction: boolean) {
    super(parent);
  }

  /** The scope holding `name`, if any. */
  owner(name: string): Scope | undefined {
    return this.vars.has(name) ? this : this.parent?.owner(name);
  }

  /** Assignment to an existing binding up the chain, else a new one here. */
  set(name: string, v: Value): void {
    (this.owner(name) ?? this).vars.set(name, v);
  }

  /** True if `name` resolves to a binding of the module scope (the root). */
  isModuleBinding(name: string): boolean {
    return (this.owner(name) ?? this).parent === null;
  }

  functionScope(): Scope {
    return this.isFunction || !this.parent ? this : this.parent.functionScope();
  }
}

export interface FuncDef extends FunctionRecord<TSESTree.FunctionDeclaration | TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression, Scope, FileCtx> {
  /** Arrow functions keep the `this` of where they were made. */
  lexicalThis?: Value;
}

export interface ClassDef extends ClassRecord<TSESTree.ClassDeclaration | TSESTree.ClassExpression, FileCtx> {
  closure: Scope;
  methods: Map<string, Value & { k: 'func' }>;
  /** `get name() {...}`: read as a property, computed on each read. */
  getters: Set<string>;
  superClass: Value | null;
}

export interface JsInterpreterOptions {
  budget: Budget;
  host?: JsModuleHost;
}

export class JsInterpreter extends InterpreterCore<N, FileCtx> {
  readonly modules = new Map<string, Value & { k: 'module' }>();
  readonly globals = new Map<string, Value>();

  constructor(rt: KerasRuntime, readonly opts: JsInterpreterOptions) {
    super(rt, opts.budget);
    installGlobals(this);
  }

  runMain(program: TSESTree.Program, path: string, text: string): void {
    this.file = { path, text, isMain: true };
    const scope = new Scope(null, true);
    const exports = moduleObjects(this, scope);
    runProgram(this, program, scope, exports);
    analyseUncalled(this, program, scope);
  }

  /** Labels of the loop statement about to run (set by its LabeledStatement). */
  loopLabels: string[] = [];

  // ---------------------------------------------------------------------------------------------
  // Helpers

  text(node: N): string {
    return this.file.text.slice(node.range[0], node.range[1]);
  }

  /**
   * A name read that no scope or global defines: a ReferenceError in JS (a name being typed, `mod`
   * for `model`), counted as a place where the code would fail (`FileAnalysis.failures`).
   */
  undefinedName(node: N): void {
    if (this.file.isMain && node.type === 'Identifier' && !JS_GLOBAL_NAMES.has(node.name)) this.rt.failure(this.range(node));
  }

  range(node: N): SourceRange {
    return this.file.isMain ? { start: node.range[0], end: node.range[1] } : { start: node.range[0], end: node.range[1], file: this.file.path };
  }
}
