// Which module-level names one top-level statement reads and binds, read from its syntax alone: what
// the incremental analysis (incremental.ts) needs to tell which statements can affect each other.
// Every answer errs on the side of "more": a name counted as read that is not, or a binding counted
// as conditional that is certain, only makes the analysis redo more work; the reverse would be wrong.

import { field, type PyNode } from './ast';
import { ownString } from './helpers';

/** What one top-level statement does to module-level names. */
export interface StmtNames {
  /** Module names read while the statement runs (defaults, decorators, class bodies included). */
  reads: ReadonlySet<string>;
  /** Module names read by the bodies of functions (and lambdas, methods) it defines: read whenever they are called. */
  lateReads: ReadonlySet<string>;
  /** Module names it binds. */
  writes: ReadonlySet<string>;
  /** The part of `writes` it binds for certain (`x = ...`, `import`, `def`), hiding earlier bindings. */
  certain: ReadonlySet<string>;
  /** Module names its functions assign under `global`, whenever they are called. */
  lateWrites: ReadonlySet<string>;
  /** Names declared `global` anywhere below module level (see `volatileGlobals`). */
  globalDecls: ReadonlySet<string>;
  /** Names whose value it may change in place (attribute or item assignment, `+=`, `del`), at any depth. */
  mutates: ReadonlySet<string>;
  /** Something no name list can describe (`globals()`, `exec`, a star import, `clear_session()`...). */
  dynamic: boolean;
  /**
   * An import or a literal constant (`KERNEL = 3`, `SHAPE = (28, 28, 1)`, `FILTERS = [16, 32]`):
   * copied into every group that reads it (a list only while no statement lets it escape).
   */
  constant: boolean;
  /** The constant is a list: mutable, so a constant only if no statement lets it escape. */
  mutableConstant?: boolean;
  /** Names read where their value may be changed or kept (`NAME.append`, `f(NAME)`, `y = NAME`): all but iterating, indexing, operators, `len()`. */
  escapes: ReadonlySet<string>;
}

/**
 * Identifiers (names or attributes) that reach module state or Keras' automatic names behind the
 * names' back: a file using one is analysed whole.
 */
const DYNAMIC = new Set([
  'globals', 'locals', 'vars', 'exec', 'eval', '__import__', '__dict__', '__builtins__', '__main__', 'importlib',
  'setattr', 'delattr', 'clear_session', 'get_uid', 'reset_uids', 'modules',
]);

/** Kinds of context a name is read or bound in. */
interface Ctx {
  /** module: reads happen now; function: when called; class: a class body (bindings are the class's own). */
  kind: 'module' | 'function' | 'class';
  /** Locals of the enclosing functions, innermost last (empty at module level). */
  locals: Set<string>[];
  /** Names the innermost function declares `global`. */
  globals: Set<string>;
  /** Reads at module level count as `reads` (class bodies run now too); inside a function as `lateReads`. */
  late: boolean;
}

/** `StmtNames` while it is filled in. */
type Building = { [K in keyof StmtNames]: StmtNames[K] extends ReadonlySet<string> ? Set<string> : StmtNames[K] };

/**
 * A few names behind `ReadonlySet`: an array, a third of a `Set`'s size (a statement holds 8 lists
 * of names, a 20,000-line file some 10,000 statements, and most lists hold none or one or two).
 */
class FewNames implements ReadonlySet<string> {
  constructor(private readonly items: readonly string[]) {}

  get size(): number {
    return this.items.length;
  }

  has(name: string): boolean {
    return this.items.includes(name);
  }

  forEach(visit: (value: string, key: string, set: ReadonlySet<string>) => void): void {
    for (const x of this.items) visit(x, x, this);
  }

  entries(): IterableIterator<[string, string]> {
    return this.items.map((x): [string, string] => [x, x])[Symbol.iterator]();
  }

  keys(): IterableIterator<string> {
    return this.items[Symbol.iterator]();
  }

  values(): IterableIterator<string> {
    return this.items[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this.items[Symbol.iterator]();
  }
}

/** One string per name for all statements (`layers` is read by most); started afresh when it grows large. */
const interned = new Map<string, string>();

function intern(name: string): string {
  let v = interned.get(name);
  if (v === undefined) {
    if (interned.size >= 50_000) interned.clear();
    v = ownString(name);
    interned.set(v, v);
  }
  return v;
}

/** One empty list for every empty list of names. */
const NONE: ReadonlySet<string> = new FewNames([]);

export function stmtNames(stmt: PyNode, text: string): StmtNames {
  const out: Building = { reads: new Set(), lateReads: new Set(), writes: new Set(), certain: new Set(), lateWrites: new Set(), globalDecls: new Set(), mutates: new Set(), dynamic: false, constant: false, escapes: escapingReads(stmt, text) };
  const name = (n: PyNode): string => text.slice(n.start, n.end);

  const read = (n: string, ctx: Ctx): void => {
    if (DYNAMIC.has(n)) out.dynamic = true;
    if (!ctx.late) {
      out.reads.add(n);
      return;
    }
    if (ctx.globals.has(n) || !ctx.locals.some((s) => s.has(n))) out.lateReads.add(n);
  };
  const bind = (n: string, ctx: Ctx): void => {
    if (ctx.kind === 'module') out.writes.add(n);
    else if (ctx.kind === 'function' && ctx.globals.has(n)) out.lateWrites.add(n);
    // A class body binds the class's own names.
  };
  /** The name an attribute or subscript chain starts from (`a` in `a.b[0].c`). */
  const root = (n: PyNode): PyNode | undefined => {
    let cur: PyNode | undefined = n;
    while (cur && (cur.type === 'attribute' || cur.type === 'subscript')) cur = field(cur, cur.type === 'attribute' ? 'object' : 'value');
    return cur?.type === 'identifier' ? cur : undefined;
  };

  /** Binding targets: plain names are bound, attributes and items change the object they hang on. */
  const target = (n: PyNode, ctx: Ctx): void => {
    switch (n.type) {
      case 'identifier':
        bind(name(n), ctx);
        return;
      case 'attribute':
      case 'subscript': {
        const r = root(n);
        if (r) out.mutates.add(name(r));
        visit(n, ctx);
        return;
      }
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'list_splat_pattern':
      case 'expression_list':
      case 'tuple':
      case 'list':
      case 'parenthesized_expression':
      case 'as_pattern_target':
        for (const c of n.children) target(c, ctx);
        return;
      default:
        visit(n, ctx);
    }
  };

  /**
   * A function's context: its locals are its parameters, then each name a plain statement of its
   * body binds for certain, from that statement on (`definitely`). A name read before that (bound
   * later, or only in a branch) counts as a module name: the interpreter reads the module's value
   * when a local is not bound yet. The enclosing functions' locals are taken as they are here.
   */
  const functionCtx = (ctx: Ctx, params: PyNode | undefined, body: PyNode | undefined): Ctx => {
    const locals = new Set<string>();
    const globals = new Set<string>();
    if (params) for (const p of params.children) paramNames(p, locals, text);
    if (body) globalsIn(body, globals, text);
    for (const g of globals) {
      locals.delete(g);
      out.globalDecls.add(g);
    }
    return { kind: 'function', locals: [...ctx.locals.map((l) => new Set(l)), locals], globals, late: true };
  };

  /** Runs a function body's statements in order, growing its locals with what each binds for certain. */
  const visitBody = (body: PyNode, inner: Ctx): void => {
    const own = inner.locals[inner.locals.length - 1];
    for (const stmt of body.children) {
      visit(stmt, inner);
      for (const n of definitely(stmt, text)) if (!inner.globals.has(n)) own.add(n);
    }
  };

  const visitFunction = (def: PyNode, ctx: Ctx): void => {
    const params = field(def, 'parameters');
    // Defaults and annotations are evaluated where the function is defined.
    if (params) for (const p of params.children) for (const c of p.children) if (c.field === 'value' || c.field === 'type') visit(c, ctx);
    const ret = field(def, 'return_type');
    if (ret) visit(ret, ctx);
    const body = field(def, 'body');
    if (body) visitBody(body, functionCtx(ctx, params, body));
  };

  const visit = (n: PyNode, ctx: Ctx): void => {
    switch (n.type) {
      case 'identifier':
        read(name(n), ctx);
        return;
      case 'comment':
      case 'string_content':
      case 'integer':
      case 'float':
        return;
      case 'attribute': {
        const attr = field(n, 'attribute');
        if (attr && DYNAMIC.has(name(attr))) out.dynamic = true;
        const obj = field(n, 'object');
        if (obj) visit(obj, ctx);
        return;
      }
      case 'keyword_argument': {
        const v = field(n, 'value');
        if (v) visit(v, ctx);
        return;
      }
      case 'assignment':
      case 'for_statement': {
        // The rest read first, then the target bound (`x = f(x)`, `for x in xs`).
        for (const c of n.children) if (c.field !== 'left') visit(c, ctx);
        const left = field(n, 'left');
        if (left) target(left, ctx);
        return;
      }
      case 'augmented_assignment': {
        const left = field(n, 'left');
        const r = left && (left.type === 'identifier' ? left : root(left));
        if (r) out.mutates.add(name(r));
        if (left) {
          visit(left, ctx);
          target(left, ctx);
        }
        const right = field(n, 'right');
        if (right) visit(right, ctx);
        return;
      }
      case 'delete_statement':
        for (const c of n.children) {
          for (const t of c.type === 'expression_list' ? c.children : [c]) {
            const r = t.type === 'identifier' ? t : root(t);
            if (r) out.mutates.add(name(r));
            target(t, ctx);
          }
        }
        return;
      case 'named_expression': {
        const v = field(n, 'value');
        if (v) visit(v, ctx);
        const nm = field(n, 'name');
        if (nm) target(nm, ctx);
        return;
      }
      case 'as_pattern': {
        for (const c of n.children) {
          if (c.field === 'alias') target(c, ctx);
          else visit(c, ctx);
        }
        return;
      }
      case 'import_statement':
      case 'import_from_statement': {
        for (const c of n.children) {
          if (c.type === 'wildcard_import') out.dynamic = true;
          if (c.field !== 'name') continue;
          if (c.type === 'aliased_import') {
            const alias = field(c, 'alias');
            if (alias) bind(name(alias), ctx);
          } else if (c.type === 'dotted_name') {
            // `import a.b` binds `a`; `from m import a` binds `a`.
            const ids = c.children.filter((x) => x.type === 'identifier');
            const id = n.type === 'import_statement' ? ids[0] : ids[ids.length - 1];
            if (id) bind(name(id), ctx);
          }
        }
        return;
      }
      case 'future_import_statement':
        return;
      case 'global_statement':
        // Collected by `globalsIn` for functions; below module level elsewhere it still makes the name volatile.
        if (n !== stmt) for (const c of n.children) if (c.type === 'identifier') out.globalDecls.add(name(c));
        return;
      case 'nonlocal_statement':
        return;
      case 'exec_statement':
      case 'print_statement':
        out.dynamic = true;
        return;
      case 'function_definition': {
        const nm = field(n, 'name');
        visitFunction(n, ctx);
        if (nm) bind(name(nm), ctx);
        return;
      }
      case 'lambda': {
        const params = field(n, 'parameters');
        if (params) for (const p of params.children) for (const c of p.children) if (c.field === 'value') visit(c, ctx);
        const body = field(n, 'body');
        if (body) visit(body, functionCtx(ctx, params, undefined));
        return;
      }
      case 'class_definition': {
        for (const c of n.children) if (c.field === 'superclasses' || c.field === 'type_parameters') visit(c, ctx);
        const body = field(n, 'body');
        // The body runs now, in the defining context; its bindings are the class's.
        if (body) visit(body, { ...ctx, kind: 'class' });
        const nm = field(n, 'name');
        if (nm) bind(name(nm), ctx);
        return;
      }
      case 'match_statement':
        // Capture patterns bind names: every name in it may be bound, or read.
        if (ctx.kind === 'module') for (const id of identifiers(n)) out.writes.add(name(id));
        break;
      default:
        break;
    }
    for (const c of n.children) visit(c, ctx);
  };

  try {
    visit(stmt, { kind: 'module', locals: [], globals: new Set(), late: false });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    out.dynamic = true; // nested too deeply to read: analysed whole
  }
  certainWrites(stmt, out, text);
  out.constant = isConstant(stmt, out);
  if (!out.constant && isListConstant(stmt, out)) out.constant = out.mutableConstant = true;
  const some = (set: Set<string>): ReadonlySet<string> => (set.size === 0 ? NONE : set.size <= 8 ? new FewNames([...set].map(intern)) : new Set([...set].map(intern)));
  return {
    ...out, reads: some(out.reads), lateReads: some(out.lateReads), writes: some(out.writes), certain: some(out.certain),
    lateWrites: some(out.lateWrites), globalDecls: some(out.globalDecls), mutates: some(out.mutates), escapes: some(out.escapes),
  };
}

/** `NAME = [literal, ...]` (immutable items). */
function isListConstant(stmt: PyNode, names: StmtNames): boolean {
  if (names.dynamic || names.reads.size > 0 || stmt.type !== 'expression_statement' || stmt.children.length !== 1) return false;
  const a = stmt.children[0];
  const left = field(a, 'left');
  const right = field(a, 'right');
  return a.type === 'assignment' && left?.type === 'identifier' && !field(a, 'type') && right?.type === 'list' && right.children.every((c) => !c.named || immutableLiteral(c));
}

/** Calls that read a list without changing or keeping it. */
const READ_ONLY_CALLS = new Set(['len', 'tuple', 'list', 'sum', 'max', 'min', 'sorted', 'enumerate', 'zip', 'reversed', 'set', 'range', 'any', 'all']);

/**
 * Identifiers read where the value may escape (see `StmtNames.escapes`). Errs on "more": a local of
 * the same name counts too.
 */
function escapingReads(stmt: PyNode, text: string): Set<string> {
  const out = new Set<string>();
  const safe = (n: PyNode, parent: PyNode, grand: PyNode | undefined): boolean => {
    switch (parent.type) {
      case 'for_statement':
      case 'for_in_clause':
        return n.field === 'right' || n.field === 'left';
      case 'subscript':
        return n.field === 'value' || n.field === 'subscript';
      case 'binary_operator':
      case 'comparison_operator':
      case 'boolean_operator':
      case 'not_operator':
      case 'unary_operator':
      case 'list_splat':
        return true;
      case 'attribute':
        return n.field === 'attribute'; // `x.NAME` names an attribute, not the variable
      case 'keyword_argument':
        return n.field === 'name';
      case 'argument_list': {
        const fn = grand?.type === 'call' ? field(grand, 'function') : undefined;
        return fn?.type === 'identifier' && READ_ONLY_CALLS.has(text.slice(fn.start, fn.end));
      }
      case 'assignment':
      case 'augmented_assignment':
        return n.field === 'left'; // a binding, not a read (changes in place are `mutates`)
      default:
        return false;
    }
  };
  const stack: { n: PyNode; parent?: PyNode; grand?: PyNode }[] = [{ n: stmt }];
  while (stack.length > 0) {
    const { n, parent, grand } = stack.pop()!;
    if (n.type === 'identifier') {
      if (parent && !safe(n, parent, grand)) out.add(text.slice(n.start, n.end));
      continue;
    }
    for (const c of n.children) stack.push({ n: c, parent: n, grand: parent });
  }
  return out;
}

/** Bindings that happen for certain when the statement runs (they hide earlier bindings of the name). */
function certainWrites(stmt: PyNode, out: Building, text: string): void {
  const t = stmt.type === 'decorated_definition' ? field(stmt, 'definition') : stmt;
  if (!t) return;
  if (t.type === 'function_definition' || t.type === 'class_definition') {
    const nm = field(t, 'name');
    if (nm) out.certain.add(text.slice(nm.start, nm.end));
  } else if (t.type === 'import_statement' || t.type === 'import_from_statement') {
    for (const w of out.writes) out.certain.add(w);
  } else if (t.type === 'expression_statement' && t.children.length === 1) {
    // `a = b = value`: plain names on the left of a chain of assignments.
    for (let a: PyNode | undefined = t.children[0]; a?.type === 'assignment'; a = field(a, 'right')) {
      const left = field(a, 'left');
      if (left?.type === 'identifier' && field(a, 'right')) out.certain.add(text.slice(left.start, left.end));
    }
  }
}

/** An import, or `NAME = literal` where the literal is immutable (numbers, strings, None, booleans, tuples of them). */
function isConstant(stmt: PyNode, names: StmtNames): boolean {
  if (names.dynamic || names.reads.size > 0) return false;
  if (stmt.type === 'import_statement' || stmt.type === 'import_from_statement') return names.writes.size > 0;
  if (stmt.type !== 'expression_statement' || stmt.children.length !== 1) return false;
  const a = stmt.children[0];
  const left = field(a, 'left');
  const right = field(a, 'right');
  return a.type === 'assignment' && left?.type === 'identifier' && !field(a, 'type') && !!right && immutableLiteral(right);
}

function immutableLiteral(n: PyNode, depth = 0): boolean {
  if (depth > 8) return false;
  switch (n.type) {
    case 'integer':
    case 'float':
    case 'true':
    case 'false':
    case 'none':
      return true;
    case 'string':
      return !n.children.some((c) => c.type === 'interpolation');
    case 'unary_operator':
      return n.children.filter((c) => c.named).every((c) => c.type === 'integer' || c.type === 'float');
    case 'tuple':
    case 'parenthesized_expression':
      return n.children.every((c) => !c.named || immutableLiteral(c, depth + 1));
    default:
      return false;
  }
}

/** Parameter names of a `def` or `lambda`. */
function paramNames(p: PyNode, into: Set<string>, text: string): void {
  if (p.type === 'identifier') into.add(text.slice(p.start, p.end));
  else if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern' || p.type === 'typed_parameter' || p.type === 'tuple_pattern') {
    for (const c of p.children) if (c.type === 'identifier' || c.type === 'tuple_pattern') paramNames(c, into, text);
  } else {
    const nm = field(p, 'name');
    if (nm?.type === 'identifier') into.add(text.slice(nm.start, nm.end));
  }
}

/** Names a function body declares `global` (not looking inside nested functions and classes). */
function globalsIn(body: PyNode, globals: Set<string>, text: string): void {
  const stack = [...body.children];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'lambda') continue;
    if (n.type === 'global_statement') for (const c of n.children) if (c.type === 'identifier') globals.add(text.slice(c.start, c.end));
    for (const c of n.children) stack.push(c);
  }
}

/** Names a statement of a function body binds for certain when it runs: `x = ...` (plain names), imports, `def`, `class`. */
function definitely(stmt: PyNode, text: string): string[] {
  const out: string[] = [];
  const t = stmt.type === 'decorated_definition' ? field(stmt, 'definition') : stmt;
  if (!t) return out;
  if (t.type === 'function_definition' || t.type === 'class_definition') {
    const nm = field(t, 'name');
    if (nm) out.push(text.slice(nm.start, nm.end));
  } else if (t.type === 'import_statement' || t.type === 'import_from_statement') {
    for (const c of t.children) {
      if (c.field !== 'name') continue;
      const alias = c.type === 'aliased_import' ? field(c, 'alias') : undefined;
      const ids = c.children.filter((x) => x.type === 'identifier');
      const id = alias ?? (t.type === 'import_statement' ? ids[0] : ids[ids.length - 1]);
      if (id) out.push(text.slice(id.start, id.end));
    }
  } else if (t.type === 'expression_statement' && t.children.length === 1) {
    for (let a: PyNode | undefined = t.children[0]; a?.type === 'assignment'; a = field(a, 'right')) {
      const left = field(a, 'left');
      if (left?.type === 'identifier' && field(a, 'right')) out.push(text.slice(left.start, left.end));
    }
  }
  return out;
}

function identifiers(n: PyNode): PyNode[] {
  const out: PyNode[] = [];
  const stack = [n];
  while (stack.length) {
    const c = stack.pop()!;
    if (c.type === 'identifier') out.push(c);
    for (const x of c.children) stack.push(x);
  }
  return out;
}
