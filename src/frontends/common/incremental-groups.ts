// The grouping step of the incremental analyses (python/incremental.ts, tfjs/incremental.ts):
// which top-level statements can affect each other through module-level names, from what each
// language's names.ts reads of each statement.

/** What one top-level statement does to module-level names (each language reads it from its syntax). */
export interface ModuleNames {
  /** Module names read while the statement runs. */
  reads: ReadonlySet<string>;
  /** Module names read by the bodies of functions (and methods) it defines: read whenever they are called. */
  lateReads: ReadonlySet<string>;
  /** Module names it binds. */
  writes: ReadonlySet<string>;
  /** The part of `writes` it binds for certain, hiding earlier bindings. */
  certain: ReadonlySet<string>;
  /** Module names it may bind at any time (functions assigning them when called): it joins everything touching them. */
  lateWrites: ReadonlySet<string>;
  /** Names whose value it may change in place. */
  mutates: ReadonlySet<string>;
  /** An import or a literal constant bound once: copied into every group that reads it. */
  constant: boolean;
  /** The constant is mutable (a list): a constant only if no statement lets it escape. */
  mutableConstant?: boolean;
  /** Names read where their value may be changed or kept. */
  escapes: ReadonlySet<string>;
}

/** One top-level statement as the grouping and the timeline see it. */
export interface GroupStmt {
  readonly id: number;
  /** Current offsets, and 0-based line. */
  readonly start: number;
  readonly end: number;
  readonly line: number;
  /** Null for comments. */
  names: ModuleNames | null;
  /** Position among the statements (comments excluded) in this update. */
  index: number;
}

/** A group of statements: its own, and all it runs (its own and the constants it copies), keyed by their identities. */
export interface Keyed<S extends GroupStmt> {
  key: string;
  all: S[];
  own: Set<S>;
}

/**
 * Splits the statements into groups no value flows between, and the constants (imports, literal
 * constants bound once and never changed) each group copies instead. `definition(s)`: a statement
 * whose certain bindings are definitions (what the name holds at the end decides whether it runs as
 * an uncalled builder): it joins every other binding of those names.
 */
export function group<S extends GroupStmt>(stmts: S[], definition: (s: S) => boolean): { groups: S[][]; constants: Map<string, S> } {
  const writers = new Map<string, S[]>();
  const lateWriters = new Map<string, S[]>();
  const touchers = new Map<string, S[]>();
  const mutated = new Set<string>();
  const push = (m: Map<string, S[]>, k: string, s: S): void => {
    const l = m.get(k);
    if (l) {
      if (l[l.length - 1] !== s) l.push(s);
    } else m.set(k, [s]);
  };
  for (const s of stmts) {
    const n = s.names!;
    for (const w of n.writes) push(writers, w, s);
    for (const w of n.lateWrites) push(lateWriters, w, s);
    for (const m of n.mutates) mutated.add(m);
    for (const set of [n.reads, n.lateReads, n.writes, n.lateWrites]) for (const w of set) push(touchers, w, s);
  }
  // A constant's names are bound by it alone and never changed in place; a list's never escape either.
  const escaped = new Set<string>();
  for (const s of stmts) for (const e of s.names!.escapes) escaped.add(e);
  const constants = new Map<string, S>();
  for (const s of stmts) {
    const n = s.names!;
    if (n.constant && [...n.writes].every((w) => writers.get(w)!.length === 1 && !lateWriters.has(w) && !mutated.has(w) && !(n.mutableConstant && escaped.has(w)))) for (const w of n.writes) constants.set(w, s);
  }
  const isConstant = (s: S): boolean => s.names!.constant && [...s.names!.writes].every((w) => constants.get(w) === s);
  const parent = new Map<S, S>();
  const find = (s: S): S => {
    let r = s;
    while (parent.get(r) !== r) r = parent.get(r)!;
    for (let c = s; c !== r; ) {
      const p = parent.get(c)!;
      parent.set(c, r);
      c = p;
    }
    return r;
  };
  const union = (a: S, b: S): void => {
    if (isConstant(a) || isConstant(b)) return;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const s of stmts) parent.set(s, s);
  for (const s of stmts) {
    if (isConstant(s)) continue;
    const n = s.names!;
    // A read now sees the bindings before it, back to the last certain one.
    for (const r of n.reads) {
      if (constants.has(r)) continue;
      const ws = writers.get(r);
      if (ws) {
        for (let i = lastBefore(ws, s.index); i >= 0; i--) {
          union(s, ws[i]);
          if (ws[i].names!.certain.has(r)) break;
        }
      }
      for (const w of lateWriters.get(r) ?? []) union(s, w);
    }
    // A function reads when called: any binding. A definition is what its name holds at the end
    // (uncalled builders run then): any other binding of it too. A late write: anything touching the name.
    for (const r of n.lateReads) if (!constants.has(r)) for (const w of [...(writers.get(r) ?? []), ...(lateWriters.get(r) ?? [])]) union(s, w);
    if (n.certain.size > 0 && definition(s)) for (const w of n.certain) for (const o of writers.get(w) ?? []) union(s, o);
    for (const w of n.lateWrites) for (const o of touchers.get(w) ?? []) union(s, o);
  }
  const byRoot = new Map<S, S[]>();
  for (const s of stmts) {
    if (isConstant(s)) continue;
    const r = find(s);
    const l = byRoot.get(r);
    if (l) l.push(s);
    else byRoot.set(r, [s]);
  }
  const finalConstants = new Map<string, S>();
  for (const [w, s] of constants) if (isConstant(s)) finalConstants.set(w, s);
  return { groups: [...byRoot.values()], constants: finalConstants };
}

/** Index in `ws` (statements in file order) of the last one before position `index`, or -1. */
function lastBefore(ws: GroupStmt[], index: number): number {
  let lo = 0;
  let hi = ws.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ws[mid].index < index) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export function keyOf(all: GroupStmt[]): string {
  // One flat string (built by `+=` it would be a chain of one small string per statement, kept with the group).
  return all.map((s) => s.id).join(',');
}

export function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Two statements read and bind the module names alike (the fields every language has). */
export function sameModuleNames(a: ModuleNames, b: ModuleNames): boolean {
  return a.constant === b.constant && a.mutableConstant === b.mutableConstant && sameSet(a.reads, b.reads) && sameSet(a.lateReads, b.lateReads) && sameSet(a.writes, b.writes)
    && sameSet(a.certain, b.certain) && sameSet(a.lateWrites, b.lateWrites) && sameSet(a.mutates, b.mutates) && sameSet(a.escapes, b.escapes);
}

/** The constants a group's statements read, in file order. */
export function constantsFor<S extends GroupStmt>(g: S[], constants: Map<string, S>): S[] {
  const out = new Set<S>();
  for (const s of g) {
    const n = s.names!;
    for (const r of n.reads) {
      const c = constants.get(r);
      if (c) out.add(c);
    }
    for (const r of n.lateReads) {
      const c = constants.get(r);
      if (c) out.add(c);
    }
  }
  return [...out].sort((a, b) => a.index - b.index);
}

/** Two lists of statements in file order, merged. */
export function mergeByIndex<S extends GroupStmt>(a: S[], b: S[]): S[] {
  const out: S[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i].index < b[j].index) ? a[i++] : b[j++]);
  return out;
}
