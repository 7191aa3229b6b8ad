// Step, loop and call-depth budgets that make every analysis terminate quickly, whatever the code.

/** Thrown (and caught at the top of an analysis) when a budget runs out. */
export class BudgetExceeded extends Error {
  constructor(readonly what: string) {
    super(`analysis budget exceeded: ${what}`);
  }
}

export interface BudgetLimits {
  /** Expression/statement evaluations for one whole analysis. */
  steps: number;
  /** Iterations of one loop. */
  loopIterations: number;
  /** Nested user-function calls. */
  callDepth: number;
  /** Wall-clock milliseconds, a last resort against slow paths. */
  millis: number;
}

export const DEFAULT_LIMITS: BudgetLimits = { steps: 2_000_000, loopIterations: 10_000, callDepth: 48, millis: 2_000 };

export class Budget {
  steps = 0;
  depth = 0;
  private readonly deadline: number;

  constructor(readonly limits: BudgetLimits = DEFAULT_LIMITS) {
    this.deadline = Date.now() + limits.millis;
  }

  /** Counts one evaluation step; checks the clock every 4096 steps. */
  step(): void {
    this.steps++;
    if (this.steps > this.limits.steps) throw new BudgetExceeded(`more than ${this.limits.steps} evaluation steps`);
    if ((this.steps & 4095) === 0 && Date.now() > this.deadline) throw new BudgetExceeded(`more than ${this.limits.millis} ms`);
  }

  /** Counts `n` steps at once: work a cache saved is charged as if done, so results never depend on the cache. */
  charge(n: number): void {
    this.steps += n;
    if (this.steps > this.limits.steps) throw new BudgetExceeded(`more than ${this.limits.steps} evaluation steps`);
  }

  enter(): void {
    if (++this.depth > this.limits.callDepth) {
      this.depth--;
      throw new DepthExceeded(this.limits.callDepth);
    }
  }

  leave(): void {
    this.depth--;
  }
}

/** Recursion too deep: only the offending call becomes Unknown; analysis continues. */
export class DepthExceeded extends Error {
  constructor(readonly limit: number) {
    super(`call depth above ${limit}`);
  }
}
