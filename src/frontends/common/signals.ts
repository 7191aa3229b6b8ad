// Control-flow signals of analysed code (return, break, continue, throw), thrown through the
// interpreter's statement walk and caught where the language says they end.

import type { Value } from './values';

/** `return value`: caught by the call that runs the function. */
export class ReturnSignal {
  constructor(readonly value: Value) {}
}

/** `break`, optionally to a label (JS). */
export class BreakSignal {
  constructor(readonly label?: string) {}
}

/** `continue`, optionally to a label (JS). */
export class ContinueSignal {
  constructor(readonly label?: string) {}
}

/** `throw` in analysed code: the enclosing call's result is unknown. */
export class ThrowSignal {}

/** True for any of the signals above (a guard at top level swallows them). */
export function isSignal(e: unknown): boolean {
  return e instanceof ReturnSignal || e instanceof BreakSignal || e instanceof ContinueSignal || e instanceof ThrowSignal;
}
