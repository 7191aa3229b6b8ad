// What a loop Shape Lens cannot run loses, language-independently: which values are model parts,
// marking a model incomplete, and the one info per loop. Each language walks its own syntax.

import { DiagnosticCode, type SourceRange } from '../../core/diagnostics';
import type { KerasRuntime } from './keras-runtime';
import { unknown, type Value } from './values';

/** Values that belong to a model the user builds: losing one is worth a word. */
export function isModelPart(v: Value | undefined): boolean {
  return !!v && (v.k === 'tensor' || v.k === 'layer' || v.k === 'model');
}

/**
 * The effects of one loop the analysis cannot run. The language walks the loop's body and reports
 * each assignment target (`assigned`) and each mutating method call (`mutated`); `finish` says
 * why, once, and only if a model lost something — a plotting or clean-up loop produces nothing.
 */
export class LoopEffects {
  /** The value everything the loop changes has afterwards. */
  readonly lost: Value;
  private lostModelPart = false;

  constructor(private readonly rt: KerasRuntime, readonly why: string) {
    this.lost = unknown(`loop: ${why}`);
  }

  /** A target the loop assigns, with its value before the loop (the caller then binds it to `lost`). */
  assigned(before: Value | undefined): void {
    if (isModelPart(before)) this.lostModelPart = true;
  }

  /**
   * A mutating method (`append`, `push`, `add` ...) called in the loop on `recv`: a model gets
   * layers Shape Lens cannot know (incomplete, total ?). True if the receiver itself must be lost
   * (a container), false for a model or a receiver of a kind in `keep`.
   */
  mutated(recv: Value | undefined, where: string, keep: ReadonlySet<Value['k']>): boolean {
    if (recv?.k === 'model') {
      this.rt.incomplete(recv, `what the loop ${where} adds is not known (${this.why})`);
      this.lostModelPart = true;
      return false;
    }
    return !!recv && !keep.has(recv.k);
  }

  /** Reports the loss once, at `at`, if a model lost something. */
  finish(at: SourceRange): void {
    if (this.lostModelPart) this.rt.sink.info(DiagnosticCode.unknownLoop, `${this.why}: what it changes is unknown (?) afterwards.`, at);
  }
}

/** The warning for a loop stopped at the iteration budget (what it was still changing becomes unknown). */
export function reportLoopBudget(rt: KerasRuntime, iterations: number, at: SourceRange): void {
  rt.sink.warning(DiagnosticCode.loopBudget, `Loop stopped after ${iterations} iterations (analysis budget).`, at);
}

/**
 * What an `if` Shape Lens cannot decide leaves uncertain, language-independently (each language
 * walks its branches' syntax): after the assumed branch ran, each value a branch assigns is
 * reported with `assigned`, each `.add(...)` receiver with `added`; `finish` says why, once, and
 * only if a model depends on it.
 */
export class BranchAssumption {
  private modelPart = false;

  constructor(private readonly rt: KerasRuntime, readonly why: string) {}

  /**
   * A value some branch assigns: a tensor carries the assumption into the models built from it, a
   * model becomes incomplete. True if the name must be rebound to unknown (plain data).
   */
  assigned(v: Value | undefined): boolean {
    if (v?.k === 'tensor') {
      this.rt.builder.assume(v.t, this.why);
      this.modelPart = true;
      return false;
    }
    if (v?.k === 'model') {
      this.rt.incomplete(v, this.why);
      this.modelPart = true;
      return false;
    }
    return !!v && !KEEP_ASSUMED.has(v.k);
  }

  /** `recv.add(...)` in some branch: a model gets layers Shape Lens cannot be sure of. */
  added(recv: Value | undefined): void {
    if (recv?.k !== 'model') return;
    this.rt.incomplete(recv, this.why);
    this.modelPart = true;
  }

  /** `that branch unknown` for plain values. */
  unknown(): Value {
    return unknown(this.why);
  }

  finish(at: SourceRange): void {
    if (this.modelPart) this.rt.sink.info(DiagnosticCode.unknownCondition, `${this.why}: the totals of the models that depend on it are unknown (?).`, at);
  }
}

/** Values an undecidable branch does not make unknown: definitions and API references. */
const KEEP_ASSUMED: ReadonlySet<Value['k']> = new Set(['layer', 'func', 'class', 'module', 'api', 'builtin']);
