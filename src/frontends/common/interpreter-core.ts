// The interpreter skeleton both front ends extend: the current file and call site, calling a user
// function (frame, depth budget, the builder-function name models take), guarding top-level runs,
// naming models after variables, and running builders nothing called (roots first).

import { DiagnosticCode, type SourceRange } from '../../core/diagnostics';
import { BudgetExceeded, DepthExceeded, type Budget } from './budget';
import { rootsFirst, type KerasRuntime } from './keras-runtime';
import { ANONYMOUS_FUNCTIONS, type FunctionRecord, type SourceFile } from './scope';
import { BreakSignal, ContinueSignal, isSignal, ReturnSignal, ThrowSignal } from './signals';
import { symbol } from '../../core/formula';
import { NONE, num, openSize, unknown, type Value } from './values';

/** A top-level definition nothing called, to run speculatively (see `runUncalled`). */
export interface UncalledEntry<Node> {
  name: string;
  node: Node;
  /** Names it calls (so callers run before what they call). */
  calls(): Set<string>;
  isClass: boolean;
  /** Run under `rt.speculative` (undone if it builds no model). */
  speculative: boolean;
  run(): void;
}

/** The value a parameter without a default gets when nothing calls its function: unknown, never `None`. */
export function missingArgument(name?: string): Value {
  return unknown(name ? `argument ${name}` : 'argument');
}

/**
 * State and machinery every language's interpreter has; `Node` is its syntax tree's node type.
 * Members are public: the language's own modules (statements, expressions ...) take the
 * interpreter as their context object.
 */
export abstract class InterpreterCore<Node, F extends SourceFile> {
  /** The file whose code runs now. */
  file!: F;
  /** Where in the main file the current cross-file call started (layer ranges point here). */
  mainSite: SourceRange | null = null;
  readonly calledFunctions = new Set<Node>();
  readonly instantiatedClasses = new Set<Node>();
  nextObjectId = 1;
  /** Internal errors `guard` turned into warnings. */
  caught = 0;

  constructor(readonly rt: KerasRuntime, readonly budget: Budget) {}

  /**
   * Runs a user function's body in a new frame: marks it called, enters the depth budget (too deep:
   * a warning and Unknown), makes its file current and its name the builder name of models it
   * makes. `run` binds the parameters and runs the body; a `return` gives the result, a `throw`
   * Unknown, falling off the end `None`.
   */
  callFrame(def: FunctionRecord<Node, unknown, F>, range: SourceRange, run: () => Value): Value {
    this.calledFunctions.add(def.node);
    try {
      this.budget.enter();
    } catch (e) {
      if (e instanceof DepthExceeded) {
        this.rt.sink.warning(DiagnosticCode.recursion, `Call depth above ${e.limit}: the result of this call is unknown.`, range);
        return unknown('recursion');
      }
      throw e;
    }
    const savedFile = this.file;
    const savedFn = this.rt.functionName;
    const savedSite = this.mainSite;
    if (this.file.isMain && !def.file.isMain) this.mainSite = range;
    this.file = def.file;
    if (!ANONYMOUS_FUNCTIONS.has(def.name)) this.rt.functionName = def.name;
    try {
      return run();
    } catch (e) {
      if (e instanceof ReturnSignal) return e.value;
      if (e instanceof ThrowSignal) return unknown('threw');
      if (e instanceof BreakSignal || e instanceof ContinueSignal) return NONE;
      throw e;
    } finally {
      this.file = savedFile;
      this.rt.functionName = savedFn;
      this.mainSite = savedSite;
      this.budget.leave();
    }
  }

  /** A layer's range: its own in the main file, else the main-file call that led to it. */
  layerRange(range: SourceRange): SourceRange {
    return this.file.isMain || !this.mainSite ? range : this.mainSite;
  }

  /** Runs `fn`, turning budget exhaustion into a diagnostic and internal errors into a warning. */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof BudgetExceeded) {
        this.rt.sink.warning(DiagnosticCode.budget, `Analysis stopped early: ${e.message}. Shapes after this point are unknown.`);
        throw e;
      }
      if (isSignal(e)) return;
      if (e instanceof RangeError) {
        this.caught++;
        this.rt.sink.warning(DiagnosticCode.budget, 'Analysis stopped early: the code nests too deeply.');
        return;
      }
      throw e;
    }
  }

  /**
   * The value of a size the code leaves open by name (a parameter without default of a builder
   * nothing calls, an argparse value without default): the number a `shape-lens:` comment assumes
   * for the name, else an unknown whose formula is the name.
   */
  openSize(name: string, why = `argument ${name}`): Value {
    const assumed = this.rt.builder.assumptions.get(name);
    if (assumed === undefined) return openSize(symbol(name), why);
    this.rt.builder.usedAssumptions.add(name);
    return num(assumed, true);
  }

  /**
   * A value the analysis cannot know, bound once in the main file at its top level (the front end
   * decides that: `num_classes = len(...)`, `const numFeatures = data.shape[1]`): an open size
   * named after the variable. Unchanged: known values, open sizes already, and the result of a
   * call Shape Lens cannot follow, more often an object (a parser, a tokenizer) than a size and
   * kept as the very object (some are tracked by identity).
   */
  dataSize(name: string, value: Value): Value {
    if (value.k !== 'unknown' || value.formula || value.ratio || value.why?.startsWith('call:')) return value;
    const sized = this.openSize(name, value.why);
    return sized.k === 'unknown' ? { ...value, formula: sized.formula } : sized;
  }

  /** Models without a `name` take the first variable they are assigned to (module level also replaces a builder-function name). */
  nameModel(value: Value, name: string, moduleLevel: boolean): void {
    if (value.k !== 'model') return;
    const m = value.model;
    if (!m.name || (moduleLevel && m.nameFrom === 'function')) {
      m.name = name;
      m.nameFrom = 'variable';
    }
  }

  /**
   * Top-level builders nothing called, run to see what they build: those no other one calls first,
   * each skipped if an earlier run called (or instantiated) it.
   */
  runUncalled(entries: UncalledEntry<Node>[]): void {
    for (const e of rootsFirst(entries, (x) => x.name, (x) => x.calls())) {
      const done = e.isClass ? this.instantiatedClasses.has(e.node) : this.calledFunctions.has(e.node);
      if (done) continue;
      if (e.speculative) this.rt.speculative(() => this.guard(() => e.run()));
      else this.guard(() => e.run());
    }
  }
}
