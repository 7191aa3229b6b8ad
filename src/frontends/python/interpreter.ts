// An abstract interpreter for the Python that builds Keras models: it runs module code, helper
// functions, loops and classes over the shared value domain, with Unknown where it cannot know,
// inside step/loop/depth budgets. It never executes user code for real. This file holds the
// interpreter's state (the context object every concern's module takes as `ip`); the syntax is in
// statements.ts, expressions.ts, definitions.ts, imports.ts, methods.ts, builtins.ts.

import type { SourceRange } from '../../core/diagnostics';
import type { Shape } from '../../core/shape';
import type { LayerNode } from '../../core/graph';
import type { Budget } from '../common/budget';
import { InterpreterCore } from '../common/interpreter-core';
import type { KerasRuntime } from '../common/keras-runtime';
import { str, type CallArgs, type Value } from '../common/values';
import { field, namedChildren, type PyNode } from './ast';
import { Scope, volatileGlobals, type FileCtx, type ModuleCache, type ModuleRec } from './modules';
import type { PythonResolver } from './resolve';
import { exec } from './statements';
import { finishKerasModels, analyseUncalled, scanShapeComments } from './definitions';
import { installBuiltins, PYTHON_BUILTIN_NAMES } from './builtins';
import { isInert } from './helpers';
import { lineAt } from '../common/scope';
import type { OwnWeights } from './custom-layers';

/** What the interpreter needs for cross-file imports (the CLI reads disk, the extension the workspace). */
export interface ModuleHost {
  resolver: PythonResolver;
  /** Parses another module's text into an AST (null if it cannot). */
  parse(text: string): PyNode | null;
  /** Imported modules interpreted in earlier analyses (null: interpret every import afresh). */
  cache: ModuleCache | null;
}

/** The modules one outermost import runs, with what the module cache needs to know about them. */
export interface ImportGroup {
  entry: string;
  /** Modules the group ran, and modules loaded before it whose state it took in (with their clusters). */
  recs: ModuleRec[];
  absorbed: ModuleRec[];
  absorbedSteps: number;
  reads: Map<string, string | undefined>;
  /** It used a module from outside the group (its result depends on more than its files). */
  external: boolean;
  /** Budget steps, automatic-name counters and caught errors when it started. */
  steps: number;
  names: Map<string, number>;
  caught: number;
}

/** Modules whose state is a function of the files `reads` names (one cached group, with what it took in). */
export interface Cluster {
  recs: ModuleRec[];
  reads: Map<string, string | undefined>;
  steps: number;
}

/** Per-instance state of a subclassed Keras model or layer. */
export interface KerasObjectState {
  tracked: Value[];
  kerasName: string | null;
  traced?: Value & { k: 'model' };
  buildShape?: Shape | null;
  called: boolean;
  range: SourceRange;
  /** Weights it made itself (`add_weight`, a `keras.Variable` attribute); `unknown` says why they are not known. */
  weights?: OwnWeights;
  /** Its `build` ran (Keras' `built`): the first call does not run it again. */
  built?: boolean;
  /** The built-in layer it extends (`class MyDense(layers.Dense)`), made by `super().__init__(...)`. */
  base?: LayerNode;
}

export interface InterpreterOptions {
  budget: Budget;
  host?: ModuleHost;
  /** Record calls of these functions of `file` (their plain-data arguments) instead of running them. */
  recordCalls?: CallRecorder;
  /** Arguments from call sites in other files, by function name, for builders nothing here calls. */
  callSites?: Map<string, CallSite[]>;
}

/** Arguments one call in another file passed to a builder of the analysed file. */
export interface CallSite {
  args: CallArgs;
  /** `train.py:12`. */
  where: string;
}

export interface CallRecorder {
  file: string;
  names: ReadonlySet<string>;
  out: Map<string, CallSite[]>;
}

/**
 * How often each name is bound in `statements` and everything inside them (function bodies too):
 * assignment and `for` targets, `:=`, `as` names, definitions, imports; `global` / `nonlocal`
 * count twice. A module-level name bound once holds one value (see `assignTarget`).
 */
export function nameBindings(statements: readonly PyNode[], text: string): Map<string, number> {
  const out = new Map<string, number>();
  const bump = (n: PyNode, by = 1) => out.set(text.slice(n.start, n.end), (out.get(text.slice(n.start, n.end)) ?? 0) + by);
  // Identifiers a target binds (not those inside an attribute or a subscript).
  const targets = (n: PyNode | null | undefined): void => {
    if (!n) return;
    if (n.type === 'identifier') bump(n);
    else if (n.type !== 'attribute' && n.type !== 'subscript') for (const c of n.children) targets(c);
  };
  const stack = [...statements];
  while (stack.length > 0) {
    const n = stack.pop() as PyNode;
    switch (n.type) {
      case 'assignment':
      case 'augmented_assignment':
      case 'for_statement':
      case 'for_in_clause':
        targets(field(n, 'left'));
        break;
      case 'named_expression':
        targets(field(n, 'name'));
        break;
      case 'as_pattern_target':
        targets(n);
        break;
      case 'function_definition':
      case 'class_definition':
        targets(field(n, 'name'));
        break;
      case 'aliased_import':
        targets(field(n, 'alias'));
        continue;
      case 'import_statement':
      case 'import_from_statement':
        // `import a.b` binds a, `from m import b` binds b (an `as` name is the aliased_import's).
        for (const c of n.children) {
          if (c.field !== 'name' || c.type !== 'dotted_name') continue;
          const ids = c.children.filter((x) => x.type === 'identifier');
          const bound = n.type === 'import_statement' ? ids[0] : ids[ids.length - 1];
          if (bound) bump(bound);
        }
        break;
      case 'global_statement':
      case 'nonlocal_statement':
        for (const c of n.children) if (c.type === 'identifier') bump(c, 2);
        break;
    }
    for (const c of n.children) stack.push(c);
  }
  return out;
}

export class PythonInterpreter extends InterpreterCore<PyNode, FileCtx> {
  /** Project modules of this analysis by path, and each module value's record. */
  readonly modules = new Map<string, ModuleRec>();
  readonly moduleRecs = new WeakMap<object, ModuleRec>();
  /** The modules the current outermost import is running (a unit of the module cache). */
  group: ImportGroup | null = null;
  mainTop: string | undefined;
  /** Each cacheable module's cluster. */
  readonly clusters = new WeakMap<ModuleRec, Cluster>();
  /** The main file ran something besides imports and definitions: loaded modules may have changed since they were imported. */
  dirty = false;
  /** Loops running now (a name bound in one may hold a different size each time round). */
  loopDepth = 0;
  /** The main file's statements, whose `nameBindings` are counted when an open size first asks. */
  private bindingSource: { statements: readonly PyNode[]; text: string } | undefined;
  private bindingCounts: Map<string, number> | undefined;

  /** Counts `nameBindings` over `statements` when first asked (most files never ask). */
  countBindingsIn(statements: readonly PyNode[], text: string): void {
    this.bindingSource = { statements, text };
    this.bindingCounts = undefined;
  }

  /** How often `name` is bound in the main file's statements (0 when none were given). */
  bindingsOf(name: string): number {
    if (!this.bindingCounts && this.bindingSource) this.bindingCounts = nameBindings(this.bindingSource.statements, this.bindingSource.text);
    return this.bindingCounts?.get(name) ?? 0;
  }
  readonly kerasState = new WeakMap<object, KerasObjectState>();
  /** Subclassed model instances, to summarise at the end if never called. */
  readonly kerasModels: (Value & { k: 'object' })[] = [];
  main!: FileCtx;
  readonly builtins = new Map<string, Value>();
  readonly shapeComments: { offset: number; shape: (number | null)[] }[] = [];

  constructor(rt: KerasRuntime, readonly opts: InterpreterOptions) {
    super(rt, opts.budget);
    installBuiltins(this);
  }

  /** Runs a whole main file, then builder functions and model classes nothing called. */
  runMain(root: PyNode, path: string, text: string): void {
    this.main = { path, text, isMain: true, volatile: volatileGlobals(root, text), starImport: /\bimport\s+\*/.test(text) };
    this.file = this.main;
    this.countBindingsIn(root.children, text);
    scanShapeComments(this, text);
    const scope = new Scope(null, null, 'module');
    scope.volatile = this.main.volatile;
    // The analysed file runs as the script: `if __name__ == "__main__":` holds.
    scope.vars.set('__name__', str('__main__'));
    this.guard(() => {
      for (const stmt of namedChildren(root)) {
        if (!this.dirty && !isInert(stmt)) this.dirty = true;
        exec(this, stmt, scope);
      }
    });
    this.dirty = true;
    analyseUncalled(this, root, scope);
    finishKerasModels(this);
  }

  /**
   * Models without a Keras `name=` take the first variable they are assigned to; a module-level
   * variable (`unet = build_unet()`) also replaces the name of the function that built it.
   */
  /** Models as the common rule says; a subclassed Keras object takes the variable's name too. */
  override nameModel(value: Value, name: string, moduleLevel: boolean): void {
    super.nameModel(value, name, moduleLevel);
    if (value.k === 'object') {
      const st = this.kerasState.get(value);
      if (st && !st.kerasName) st.kerasName = name;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** A name read that no scope, builtin or star import could define (Python raises NameError there). */
  undefinedName(name: string, node: PyNode): void {
    if (name.startsWith('__') || PYTHON_BUILTIN_NAMES.has(name) || this.main.starImport) return;
    this.rt.failure(this.range(node));
  }

  text(node: PyNode): string {
    return this.file.text.slice(node.start, node.end);
  }

  /** `line 12` of this file, or `line 12 of utils.py` in an imported one, for messages. */
  rangeText(node: PyNode): string {
    const line = lineAt(this.file, node.start);
    return this.file.isMain ? `line ${line}` : `line ${line} of ${this.file.path.split(/[\\/]/).pop()}`;
  }

  range(node: PyNode): SourceRange {
    return this.file.isMain ? { start: node.start, end: node.end } : { start: node.start, end: node.end, file: this.file.path };
  }
}
